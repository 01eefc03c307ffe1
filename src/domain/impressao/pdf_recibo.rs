//! The receipt as a PDF: one page as wide as the roll (80 mm, or 58 mm for a 384-dot printer) and as tall as the
//! receipt, drawn from the same placement as the PNG preview ([`super::preview::diagramar`]) at the printer's
//! 0.125 mm per dot.
//!
//! Text is DejaVu Sans Mono embedded in the PDF (the same bytes the PNG rasterises, `assets/fonts`), sized so a
//! character is one 1.5 mm cell; the ITF, the QR and any bitmap are drawn as vector rectangles on the dot grid, so
//! the ITF keeps its 0.25/0.75 mm bars exactly. Where the paper is cut there is a dashed line.
//!
//! Not `domain::pdf`, which is the A4 boleto. Deterministic: the same `Impresso` and width give the same bytes (no
//! clock; fixed font resource names; the `/ID` derives from the content). Pure: data in, bytes out.

use std::sync::OnceLock;

use printpdf::{
    Color, FontId, Greyscale, Line, LineDashPattern, LinePoint, Op, PaintMode, ParsedFont, PdfDocument, PdfFont,
    PdfFontHandle, PdfPage, Point, Pt, Rect, TextItem,
};

use crate::domain::impressao::preview::{
    Diagrama, FONTE_NEGRITO, FONTE_NORMAL, LINHA_DE_BASE, Peca, PreviewError, SUBSTITUTO, diagramar, fonte_tem,
    pixels_por_em,
};
use crate::domain::impressao::{Bitmap, Impresso};

/// One printer dot at 203 dpi, in millimetres.
pub const MM_POR_PONTO: f32 = 0.125;
/// Blank paper above and below the receipt on the page, in millimetres.
const MARGEM_VERTICAL: f32 = 4.0;
/// Thickness of the cut line, in millimetres (2 dots, as in the PNG).
const ESPESSURA_CORTE: f32 = 0.25;
/// Dash and gap of the cut line, in points (1 mm = 8 dots, as in the PNG).
const TRACO_CORTE_PT: f32 = 72.0 / 25.4;
/// Resource names of the two faces: fixed, so the bytes do not depend on printpdf's random ids.
const RECURSO_NORMAL: &str = "F1";
/// See [`RECURSO_NORMAL`].
const RECURSO_NEGRITO: &str = "F2";

/// The paper width for a printer of `pontos_por_linha` dots: 58 mm up to 384 dots (48 mm printable), 80 mm up to
/// 576 (72 mm printable), and the printable width plus 8 mm beyond.
pub fn largura_do_papel_mm(pontos_por_linha: u32) -> f32 {
    let imprimivel = pontos_por_linha as f32 * MM_POR_PONTO;
    if pontos_por_linha <= 384 {
        58.0
    } else if pontos_por_linha <= 576 {
        80.0
    } else {
        imprimivel + 8.0
    }
}

/// The receipt as a one-page PDF for a printer of `pontos_por_linha` dots per line (576 or 384): the paper's
/// width, the printable area centred on it, as tall as the receipt plus 4 mm above and below.
pub fn recibo_pdf(impresso: &Impresso, pontos_por_linha: u32) -> Result<Vec<u8>, PreviewError> {
    let diagrama = diagramar(impresso, pontos_por_linha)?;
    let (normal, negrito) = fontes_pdf().ok_or_else(|| PreviewError::Imagem("fonte embutida ilegível".to_owned()))?;
    let pagina = Pagina::new(&diagrama);
    let mut ops = Vec::with_capacity(diagrama.pecas.len().saturating_mul(8));
    for peca in &diagrama.pecas {
        match peca {
            Peca::Texto {
                x,
                y,
                texto,
                negrito,
                escala,
            } => pagina.texto(&mut ops, *x, *y, texto, *negrito, *escala),
            Peca::Imagem { x, y, bitmap } => pagina.bitmap(&mut ops, *x, *y, bitmap),
            Peca::Corte { y } => pagina.corte(&mut ops, *y),
        }
    }

    let mut documento = PdfDocument::new("Comprovante");
    let data = data_fixa();
    documento.metadata.info.creation_date = data;
    documento.metadata.info.modification_date = data;
    documento.metadata.info.metadata_date = data;
    documento.metadata.info.creator = "borda".to_owned();
    documento.metadata.info.producer = "borda".to_owned();
    documento
        .resources
        .fonts
        .map
        .insert(FontId(RECURSO_NORMAL.to_owned()), PdfFont::new(normal.clone()));
    documento
        .resources
        .fonts
        .map
        .insert(FontId(RECURSO_NEGRITO.to_owned()), PdfFont::new(negrito.clone()));
    documento.pages.push(PdfPage::new(
        printpdf::Mm(pagina.largura_mm),
        printpdf::Mm(pagina.altura_mm),
        ops,
    ));
    salvar(&documento, &impressao_digital(impresso, pontos_por_linha))
}

/// The two faces parsed for printpdf once per process.
fn fontes_pdf() -> Option<&'static (ParsedFont, ParsedFont)> {
    static FONTES: OnceLock<Option<(ParsedFont, ParsedFont)>> = OnceLock::new();
    FONTES
        .get_or_init(|| {
            let normal = ParsedFont::from_bytes(FONTE_NORMAL, 0, &mut Vec::new())?;
            let negrito = ParsedFont::from_bytes(FONTE_NEGRITO, 0, &mut Vec::new())?;
            Some((normal, negrito))
        })
        .as_ref()
}

/// The dot grid on the page.
struct Pagina {
    largura_mm: f32,
    altura_mm: f32,
    /// Left edge of the printable area.
    margem_mm: f32,
}

impl Pagina {
    fn new(diagrama: &Diagrama) -> Pagina {
        let largura_mm = largura_do_papel_mm(diagrama.largura);
        let imprimivel = diagrama.largura as f32 * MM_POR_PONTO;
        Pagina {
            largura_mm,
            altura_mm: diagrama.altura as f32 * MM_POR_PONTO + 2.0 * MARGEM_VERTICAL,
            margem_mm: ((largura_mm - imprimivel) / 2.0).max(0.0),
        }
    }

    /// The page point of dot corner (`x`, `y`) (dots from the printable area's top-left corner).
    fn ponto(&self, x: f32, y: f32) -> Point {
        Point::new(
            printpdf::Mm(self.margem_mm + x * MM_POR_PONTO),
            printpdf::Mm(self.altura_mm - MARGEM_VERTICAL - y * MM_POR_PONTO),
        )
    }

    fn texto(&self, ops: &mut Vec<Op>, x: u32, y: u32, texto: &str, negrito: bool, escala: u32) {
        let visivel: String = texto
            .chars()
            .map(|c| if c == ' ' || fonte_tem(c) { c } else { SUBSTITUTO })
            .collect();
        let escala = escala as f32;
        let tamanho = Pt::from(printpdf::Mm(pixels_por_em() * MM_POR_PONTO * escala));
        let recurso = if negrito { RECURSO_NEGRITO } else { RECURSO_NORMAL };
        ops.extend([
            Op::StartTextSection,
            Op::SetFillColor { col: preto() },
            Op::SetFont {
                font: PdfFontHandle::External(FontId(recurso.to_owned())),
                size: tamanho,
            },
            Op::SetTextCursor {
                pos: self.ponto(x as f32, y as f32 + LINHA_DE_BASE as f32 * escala),
            },
            Op::ShowText {
                items: vec![TextItem::Text(visivel)],
            },
            Op::EndTextSection,
        ]);
    }

    /// The black dots of `bitmap` as filled rectangles: each row's runs of black, merged with the same run in the
    /// rows below, so an ITF bar or a QR module row is one rectangle.
    fn bitmap(&self, ops: &mut Vec<Op>, x: u32, y: u32, bitmap: &Bitmap) {
        ops.push(Op::SetFillColor { col: preto() });
        for (x0, x1, y0, y1) in retangulos(bitmap) {
            let canto = self.ponto((x + x0) as f32, (y + y1) as f32);
            ops.push(Op::DrawRectangle {
                rectangle: Rect {
                    x: canto.x,
                    y: canto.y,
                    width: Pt::from(printpdf::Mm((x1 - x0) as f32 * MM_POR_PONTO)),
                    height: Pt::from(printpdf::Mm((y1 - y0) as f32 * MM_POR_PONTO)),
                    mode: Some(PaintMode::Fill),
                    winding_order: None,
                },
            });
        }
    }

    /// The dashed cut line across the paper, centred on the 2-dot mark of the PNG.
    fn corte(&self, ops: &mut Vec<Op>, y: u32) {
        let meio = y as f32 + 1.0;
        let altura = self.ponto(0.0, meio).y;
        let esquerda = Point { x: Pt(0.0), y: altura };
        let direita = Point {
            x: Pt::from(printpdf::Mm(self.largura_mm)),
            y: altura,
        };
        ops.extend([
            Op::SetOutlineColor { col: preto() },
            Op::SetOutlineThickness {
                pt: Pt::from(printpdf::Mm(ESPESSURA_CORTE)),
            },
            Op::SetLineDashPattern {
                dash: LineDashPattern::new(0.0, &[TRACO_CORTE_PT, TRACO_CORTE_PT]),
            },
            Op::DrawLine {
                line: Line {
                    points: vec![
                        LinePoint {
                            p: esquerda,
                            bezier: false,
                        },
                        LinePoint {
                            p: direita,
                            bezier: false,
                        },
                    ],
                    is_closed: false,
                },
            },
            Op::SetLineDashPattern {
                dash: LineDashPattern::solid(),
            },
        ]);
    }
}

/// Black.
fn preto() -> Color {
    Color::Greyscale(Greyscale {
        percent: 0.0,
        icc_profile: None,
    })
}

/// The black areas of `bitmap` as rectangles `(x0, x1, y0, y1)`, half-open in dots: runs of black in each row,
/// a run continued while the next row has exactly the same run.
fn retangulos(bitmap: &Bitmap) -> Vec<(u32, u32, u32, u32)> {
    let largura = usize::try_from(bitmap.largura).unwrap_or(0).max(1);
    let mut prontos = Vec::new();
    // Runs open since row `y0`: (x0, x1, y0).
    let mut abertos: Vec<(u32, u32, u32)> = Vec::new();
    let mut y = 0u32;
    for linha in bitmap.pontos.chunks(largura) {
        let mut corridas = Vec::new();
        let mut x = 0u32;
        for corrida in linha.chunk_by(|a, b| a == b) {
            let n = u32::try_from(corrida.len()).unwrap_or(u32::MAX);
            if corrida.first() == Some(&true) {
                corridas.push((x, x.saturating_add(n)));
            }
            x = x.saturating_add(n);
        }
        let mut seguintes = Vec::with_capacity(corridas.len());
        for (x0, x1) in corridas {
            let continua = abertos
                .iter()
                .position(|&(a0, a1, _)| (a0, a1) == (x0, x1))
                .map(|i| abertos.swap_remove(i));
            seguintes.push(continua.unwrap_or((x0, x1, y)));
        }
        prontos.extend(abertos.drain(..).map(|(x0, x1, y0)| (x0, x1, y0, y)));
        abertos = seguintes;
        y = y.saturating_add(1);
    }
    prontos.extend(abertos.into_iter().map(|(x0, x1, y0)| (x0, x1, y0, y)));
    prontos.sort_unstable_by_key(|&(x0, _, y0, _)| (y0, x0));
    prontos
}

/// A fixed date for the document's dates (2000-01-01 00:00 UTC): a receipt's PDF depends only on its content.
fn data_fixa() -> printpdf::OffsetDateTime {
    let dia = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
    crate::domain::pdf::meia_noite_utc(dia)
}

/// A fingerprint of the receipt (FNV-1a, 64 bits, of its layout and width) as 16 hex digits, for the `/ID`.
fn impressao_digital(impresso: &Impresso, pontos_por_linha: u32) -> String {
    let texto = format!("{pontos_por_linha}:{impresso:?}");
    let hash = texto.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// Serialises with the trailer `/ID` of this receipt ([`crate::domain::pdf::salvar_deterministico`]).
fn salvar(documento: &PdfDocument, id: &str) -> Result<Vec<u8>, PreviewError> {
    crate::domain::pdf::salvar_deterministico(documento, [id.to_owned(), id.to_owned()]).map_err(PreviewError::Imagem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::impressao::preview::PONTOS_80MM;
    use crate::domain::impressao::{Alinhamento, Elemento, Estilo};

    fn exemplo() -> Impresso {
        Impresso {
            colunas: 48,
            elementos: vec![
                Elemento::Texto {
                    texto: "Comprovante de pagamento — São João".to_owned(),
                    estilo: Estilo {
                        alinhamento: Alinhamento::Centro,
                        negrito: true,
                        duplo: false,
                    },
                },
                Elemento::Separador,
                Elemento::Texto {
                    texto: "Conceição Araújo  R$ 1.234,56".to_owned(),
                    estilo: Estilo::default(),
                },
                Elemento::CodigoDeBarras {
                    digitos: "65597190700002820120000000400500000000315800".to_owned(),
                },
                Elemento::Qr {
                    conteudo: "00020126580014br.gov.bcb.pix".to_owned(),
                },
                Elemento::Corte,
            ],
        }
    }

    #[test]
    fn retangulos_juntam_linhas_iguais() {
        let b = Bitmap {
            largura: 4,
            altura: 3,
            pontos: vec![
                true, true, false, true, //
                true, true, false, false, //
                false, true, true, false,
            ],
        };
        assert_eq!(retangulos(&b), vec![(0, 2, 0, 2), (3, 4, 0, 1), (1, 3, 2, 3)]);
        // The ITF raster: one rectangle per bar, 104 dots across.
        let itf = crate::domain::impressao::raster::raster_itf("65597190700002820120000000400500000000315800").unwrap();
        let barras = retangulos(&itf);
        assert_eq!(barras.len(), 22 * 5 + 2 + 2);
        assert!(barras.iter().all(|&(x0, x1, _, _)| (x0, x1) == (0, 104)));
        assert_eq!(barras[0].2, 40);
    }

    #[test]
    fn papel_de_80_e_58_mm() {
        assert_eq!(largura_do_papel_mm(576), 80.0);
        assert_eq!(largura_do_papel_mm(512), 80.0);
        assert_eq!(largura_do_papel_mm(384), 58.0);
        assert_eq!(largura_do_papel_mm(640), 88.0);
    }

    #[test]
    fn pdf_deterministico_e_do_tamanho_do_papel() {
        let pdf = recibo_pdf(&exemplo(), PONTOS_80MM).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(pdf, recibo_pdf(&exemplo(), PONTOS_80MM).unwrap());
        let diagrama = diagramar(&exemplo(), PONTOS_80MM).unwrap();
        let altura_pt = (diagrama.altura as f32 * 0.125 + 8.0) * 72.0 / 25.4;
        let documento = lopdf::Document::load_mem(&pdf).unwrap();
        let (_, pagina) = documento.get_pages().into_iter().next().unwrap();
        let caixa = documento
            .get_object(pagina)
            .unwrap()
            .as_dict()
            .unwrap()
            .get(b"MediaBox")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_float().unwrap())
            .collect::<Vec<_>>();
        assert!((caixa[2] - 80.0 * 72.0 / 25.4).abs() < 0.1, "{caixa:?}");
        assert!((caixa[3] - altura_pt).abs() < 0.1, "{caixa:?}");
        // Small: two 44 KB faces embedded, compressed.
        assert!(pdf.len() < 120_000, "{}", pdf.len());
        let outro = Impresso {
            colunas: 48,
            elementos: vec![Elemento::Separador],
        };
        assert_ne!(pdf, recibo_pdf(&outro, PONTOS_80MM).unwrap());
    }
}
