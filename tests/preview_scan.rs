#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Held-out check of the receipt previews: a whole receipt with a boleto's 44-digit ITF and a PIX QR Code is drawn
//! as the PNG preview and as the PDF, and the independent scanner (`rxing`, a port of ZXing) must read the exact
//! digits and the exact payload back; the PDF is first rasterised by `hayro`, which shares no code with printpdf.
//! The ITF runs along the paper (rotated 90°, as the printer gets it), so the picture is turned back before the
//! ITF scan, as a cashier turns the receipt under the scanner.

mod common;

use borda::domain::impressao::pdf_recibo::recibo_pdf;
use borda::domain::impressao::preview::{PONTOS_58MM, PONTOS_80MM, preview_bitmap, preview_png};
use borda::domain::impressao::{Alinhamento, Elemento, Estilo, Impresso};

use common::{Symbology, vector_file, vector_list};

/// The resolution of the accent check's raster: one 0.125 mm printer dot is about 1.5 pixels.
const DPI: f32 = 300.0;
/// The resolution of the scans of the PDF: 2 pixels per 0.125 mm printer dot (406.4 dpi), so every bar edge falls
/// on a pixel edge. At 300 dpi (1.48 pixels per dot) `rxing` read the ITF of the 80 mm page but not of the 58 mm
/// one, whose 5 mm margin puts the edges at other fractions of a pixel; zxing-cpp 3.1.1 read both.
const DPI_SCAN: f32 = 406.4;

/// A 44-digit boleto barcode from `itf_boleto.json` and one from `boleto_bancario.json`.
fn codigos_de_barras() -> Vec<String> {
    let itf = vector_file("itf_boleto.json");
    let mut codigos: Vec<String> = vector_list(&itf, "vectors")
        .iter()
        .filter_map(|v| v["data"].as_str().map(str::to_owned))
        .take(1)
        .collect();
    let bancario = vector_file("boleto_bancario.json");
    codigos.extend(
        vector_list(&bancario, "cases")
            .iter()
            .filter(|c| c["id"].as_str() == Some("cob-001"))
            .filter_map(|c| c["barcode"].as_str().map(str::to_owned)),
    );
    assert_eq!(codigos.len(), 2);
    assert!(codigos.iter().all(|c| c.len() == 44));
    codigos
}

/// Valid PIX payloads: the BCB manual's static example and a long one (359 bytes).
fn payloads_pix() -> Vec<String> {
    let pix = vector_file("pix_brcode.json");
    let payloads: Vec<String> = vector_list(&pix, "vectors")
        .iter()
        .filter(|v| v["valid"].as_bool() == Some(true))
        .filter(|v| matches!(v["id"].as_str(), Some("pix-001" | "pix-003")))
        .filter_map(|v| v["payload"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(payloads.len(), 2);
    payloads
}

fn linha(texto: &str, alinhamento: Alinhamento, negrito: bool, duplo: bool) -> Elemento {
    Elemento::Texto {
        texto: texto.to_owned(),
        estilo: Estilo {
            alinhamento,
            negrito,
            duplo,
        },
    }
}

/// A boleto 2ª via as the kiosk prints it: text, the ITF, the linha as text, the PIX QR and copia-e-cola, the cut.
fn boleto(codigo: &str, pix: &str, colunas: u16) -> Impresso {
    let mut elementos = vec![
        linha("BOLETO - 2ª VIA", Alinhamento::Centro, true, true),
        linha("Rede Sertão Telecomunicações", Alinhamento::Centro, false, false),
        Elemento::Separador,
        linha("Pagador: Conceição Araújo", Alinhamento::Esquerda, false, false),
        linha("Vencimento: 18/08/2027", Alinhamento::Esquerda, false, false),
        linha("Valor: R$ 1.234,56", Alinhamento::Direita, true, false),
        Elemento::Avanco(1),
        Elemento::CodigoDeBarras {
            digitos: codigo.to_owned(),
        },
        linha(codigo, Alinhamento::Centro, false, false),
        Elemento::Separador,
        linha("Pague com PIX", Alinhamento::Centro, true, false),
        Elemento::Qr {
            conteudo: pix.to_owned(),
        },
    ];
    let largura = usize::from(colunas);
    let caracteres: Vec<char> = pix.chars().collect();
    elementos.extend(
        caracteres
            .chunks(largura)
            .map(|pedaco| linha(&pedaco.iter().collect::<String>(), Alinhamento::Esquerda, false, false)),
    );
    elementos.push(Elemento::Corte);
    Impresso { colunas, elementos }
}

#[test]
fn scanner_le_o_itf_e_o_qr_do_png() {
    for (pontos, colunas) in [(PONTOS_80MM, 48), (PONTOS_58MM, 32)] {
        for (codigo, pix) in codigos_de_barras().iter().zip(payloads_pix()) {
            let png = preview_png(&boleto(codigo, &pix, colunas), pontos).unwrap();
            let (luma, largura, altura) = common::png_luma(&png, "the receipt preview");
            assert_eq!(largura, pontos);
            let oque = format!("the {pontos}-dot receipt PNG");
            let qr = common::scan_page(luma.clone(), largura, altura, Symbology::Qr, &oque);
            assert_eq!(qr, pix, "{oque}: QR");
            let (girada, l, a) = common::rotate_luma_cw(&luma, largura, altura);
            let itf = common::scan_page(girada, l, a, Symbology::Itf, &format!("{oque}, turned"));
            assert_eq!(&itf, codigo, "{oque}: ITF");
        }
    }
}

#[test]
fn scanner_le_o_itf_e_o_qr_do_pdf_a_2_pixels_por_ponto() {
    for (pontos, colunas) in [(PONTOS_80MM, 48), (PONTOS_58MM, 32)] {
        for (codigo, pix) in codigos_de_barras().iter().zip(payloads_pix()) {
            let pdf = recibo_pdf(&boleto(codigo, &pix, colunas), pontos).unwrap();
            let (luma, largura, altura) = common::render_pdf_page(pdf, DPI_SCAN);
            let papel_mm = if pontos == PONTOS_80MM { 80.0 } else { 58.0 };
            assert!(
                (f64::from(largura) - papel_mm / 25.4 * f64::from(DPI_SCAN)).abs() < 1.0,
                "{largura}"
            );
            let oque = format!("the {pontos}-dot receipt PDF at 406.4 dpi");
            let qr = common::scan_page(luma.clone(), largura, altura, Symbology::Qr, &oque);
            assert_eq!(qr, pix, "{oque}: QR");
            let (girada, l, a) = common::rotate_luma_cw(&luma, largura, altura);
            let itf = common::scan_page(girada, l, a, Symbology::Itf, &format!("{oque}, turned"));
            assert_eq!(&itf, codigo, "{oque}: ITF");
        }
    }
}

/// The dark pixels of `luma` (threshold 128) inside the rectangle `x0..x1` × `y0..y1`.
fn escuros(luma: &[u8], largura: u32, (x0, x1): (u32, u32), (y0, y1): (u32, u32)) -> usize {
    (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (x, y)))
        .filter(|&(x, y)| luma[(y * largura + x) as usize] < 128)
        .count()
}

#[test]
fn acentos_do_portugues_aparecem_no_png_e_no_pdf() {
    // One character every other cell: cell 2·i holds the i-th letter.
    let letras = ['ç', 'ã', 'é', 'ô', 'Ç', 'Ã', 'É', 'Ô', 'õ', 'á', 'í', 'ú', 'ê', 'à'];
    let texto: String = letras.iter().flat_map(|&c| [c, ' ']).collect();
    for negrito in [false, true] {
        for duplo in [false, true] {
            let escala = if duplo { 2 } else { 1 };
            let impresso = Impresso {
                colunas: 48,
                elementos: vec![linha(&texto, Alinhamento::Esquerda, negrito, duplo)],
            };
            let b = preview_bitmap(&impresso, PONTOS_80MM).unwrap();
            let luma: Vec<u8> = b.pontos.iter().map(|&p| if p { 0 } else { 255 }).collect();
            for (i, c) in letras.iter().enumerate() {
                let x0 = 24 * escala * i as u32;
                if x0 >= 576 {
                    continue;
                }
                let celula = escuros(&luma, 576, (x0, x0 + 12 * escala), (0, 24 * escala));
                assert!(
                    celula > 10,
                    "PNG: {c} (negrito {negrito}, duplo {duplo}) has {celula} dots"
                );
                // The mark above or below the letter: the accented letter has more ink than its base letter.
                let base: String = unicode_base(*c).into();
                let sem = Impresso {
                    colunas: 48,
                    elementos: vec![linha(&base, Alinhamento::Esquerda, negrito, duplo)],
                };
                let s = preview_bitmap(&sem, PONTOS_80MM).unwrap();
                let tinta_base = s.pontos.iter().filter(|&&p| p).count();
                let sozinha = Impresso {
                    colunas: 48,
                    elementos: vec![linha(&c.to_string(), Alinhamento::Esquerda, negrito, duplo)],
                };
                let a = preview_bitmap(&sozinha, PONTOS_80MM).unwrap();
                assert!(a.pontos.iter().filter(|&&p| p).count() > tinta_base, "{c} vs {base}");
            }
            // The PDF: the same cells, 4 mm below the top and (80 − 72) / 2 = 4 mm from the left.
            let (luma, largura, _) = common::render_pdf_page(recibo_pdf(&impresso, PONTOS_80MM).unwrap(), DPI);
            let px = |mm: f32| (mm / 25.4 * DPI).round() as u32;
            for (i, c) in letras.iter().enumerate() {
                let x_mm = 4.0 + 3.0 * escala as f32 * i as f32;
                if x_mm >= 76.0 {
                    continue;
                }
                let celula = escuros(
                    &luma,
                    largura,
                    (px(x_mm), px(x_mm + 1.5 * escala as f32)),
                    (px(4.0), px(4.0 + 3.0 * escala as f32)),
                );
                assert!(
                    celula > 10,
                    "PDF: {c} (negrito {negrito}, duplo {duplo}) has {celula} pixels"
                );
            }
        }
    }
}

/// The letter under an accent, for the few letters the test uses.
fn unicode_base(c: char) -> char {
    match c {
        'ç' => 'c',
        'Ç' => 'C',
        'ã' | 'á' | 'à' => 'a',
        'Ã' => 'A',
        'é' | 'ê' => 'e',
        'É' => 'E',
        'ô' | 'õ' => 'o',
        'Ô' => 'O',
        'í' => 'i',
        'ú' => 'u',
        _ => c,
    }
}

#[test]
fn texto_do_pdf_e_o_do_impresso() {
    let impresso = boleto(&codigos_de_barras()[0], &payloads_pix()[0], 48);
    let pdf = recibo_pdf(&impresso, PONTOS_80MM).unwrap();
    let documento = lopdf::Document::load_mem(&pdf).unwrap();
    let texto = documento.extract_text(&[1]).unwrap();
    for esperado in ["Rede Sertão Telecomunicações", "Conceição Araújo", "R$ 1.234,56"] {
        assert!(
            texto.contains(esperado),
            "{esperado:?} missing from the PDF's text:\n{texto}"
        );
    }
}
