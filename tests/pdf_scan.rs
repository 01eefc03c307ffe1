#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Held-out check of the boleto PDF as written: `hayro` (a PDF rasteriser) draws the page at 300 dpi and `rxing` (a
//! port of ZXing) must read the exact 44 barcode digits off it, as a bank's scanner would off the printout; `lopdf`
//! reads the text back. None of them shares code with the way borda writes the PDF.

mod common;

use std::sync::Arc;

use borda::domain::model::Fatura;
use borda::domain::money::Centavos;
use borda::domain::pdf::{Beneficiario, boleto_pdf};
use chrono::{Days, NaiveDate};
use serde_json::Value;

use common::{Symbology, vector_file, vector_list};

/// The resolution of the raster: the 0.254 mm narrow bar is 3 pixels wide.
const DPI: f32 = 300.0;

/// The first page of `pdf` drawn at [`DPI`] on white, as 8-bit grey: (pixels, width, height).
fn rasterizar(pdf: Vec<u8>) -> (Vec<u8>, u32, u32) {
    use hayro::hayro_interpret::InterpreterSettings;
    use hayro::hayro_syntax::Pdf;
    use hayro::vello_cpu::color::palette::css::WHITE;
    use hayro::{PixmapSettings, RenderCache, RenderSettings};

    let pdf = Pdf::new(Arc::new(pdf)).unwrap_or_else(|e| panic!("hayro cannot read the PDF: {e:?}"));
    let pagina = pdf.pages().first().expect("the PDF has a page");
    let escala = DPI / 72.0;
    let pixmap = hayro::render(
        pagina,
        &RenderCache::new(),
        &InterpreterSettings::default(),
        &RenderSettings::default(),
        &PixmapSettings {
            x_scale: escala,
            y_scale: escala,
            bg_color: WHITE,
        },
    );
    let (largura, altura) = (u32::from(pixmap.width()), u32::from(pixmap.height()));
    // Drawn over opaque white, every pixel is opaque: premultiplied and straight RGBA agree.
    let cinza = pixmap.data_as_u8_slice().chunks(4).map(common::grey).collect();
    (cinza, largura, altura)
}

/// The text of every page of `pdf`, as `lopdf` extracts it.
fn texto(pdf: &[u8]) -> String {
    let documento = lopdf::Document::load_mem(pdf).unwrap_or_else(|e| panic!("lopdf cannot read the PDF: {e}"));
    let paginas: Vec<u32> = documento.get_pages().keys().copied().collect();
    documento
        .extract_text(&paginas)
        .unwrap_or_else(|e| panic!("lopdf cannot extract the text: {e}"))
}

/// A fatura for `linha`, with a payer whose name needs WinAnsi's accented letters.
fn fatura(linha: &str, valor: Centavos, vencimento: NaiveDate) -> Fatura {
    Fatura {
        id: "F-9001".to_owned(),
        code_fatura: Some("9001-52998224725".to_owned()),
        documento: "52998224725".to_owned(),
        nome_cliente: Some("Conceição Araújo Gonçalves".to_owned()),
        id_cliente: Some("1234".to_owned()),
        valor_inicial: Some(valor),
        valor_atual: valor,
        juros: None,
        multa: None,
        desconto: None,
        emissao: vencimento.checked_sub_days(Days::new(10)),
        vencimento: Some(vencimento),
        historico: Some("Mensalidade Internet Fibra 500 Mega".to_owned()),
        banco: None,
        linha_digitavel: Some(linha.to_owned()),
        codigo_barras: None,
        pix_code: None,
        identifier: None,
        integration_id: None,
        contrato: Some("77".to_owned()),
        bill_receipt: None,
        bill_pix_receipt: None,
        link_boleto: None,
    }
}

/// The ISP.
fn beneficiario() -> Beneficiario {
    Beneficiario {
        nome: "Rede Sertão Telecomunicações Ltda".to_owned(),
        documento: Some("11.222.333/0001-81".to_owned()),
    }
}

/// Valid bancário vectors with a value and a due date: (id, linha, formatted linha, barcode, valor, vencimento).
fn casos() -> Vec<(String, String, String, String, Centavos, NaiveDate)> {
    let json = vector_file("boleto_bancario.json");
    vector_list(&json, "cases")
        .iter()
        .filter(|c| c["valid"].as_bool() == Some(true))
        .filter_map(|c: &Value| {
            Some((
                c["id"].as_str()?.to_owned(),
                c["linha"].as_str()?.to_owned(),
                c["linha_formatted"].as_str()?.to_owned(),
                c["barcode"].as_str()?.to_owned(),
                Centavos::parse(c["valor"].as_str()?).ok()?,
                c["vencimento"].as_str()?.parse().ok()?,
            ))
        })
        .collect()
}

/// The PDF of `f`.
fn escrever(f: &Fatura, hoje: NaiveDate) -> Vec<u8> {
    boleto_pdf(f, &beneficiario(), hoje).unwrap()
}

#[test]
fn scanner_le_o_codigo_de_barras_do_pdf_a_300_dpi() {
    let todos = casos();
    // The Banco do Brasil manual example first, then other banks.
    let mut escolhidos: Vec<_> = todos.iter().filter(|c| c.0 == "cob-001").collect();
    assert_eq!(escolhidos.len(), 1, "cob-001 missing from boleto_bancario.json");
    escolhidos.extend(todos.iter().filter(|c| c.0 != "cob-001").take(3));
    for (id, linha, _, barras, valor, vencimento) in escolhidos {
        let hoje = vencimento.checked_sub_days(Days::new(5)).unwrap();
        let (cinza, largura, altura) = rasterizar(escrever(&fatura(linha, *valor, *vencimento), hoje));
        let lido = common::scan_page(
            cinza,
            largura,
            altura,
            Symbology::Itf,
            &format!("the {id} PDF at 300 dpi"),
        );
        assert_eq!(&lido, barras, "{id}: the scanner read something else off the page");
    }
}

#[test]
fn texto_do_pdf_tem_a_linha_o_pagador_e_os_valores() {
    let todos = casos();
    let (_, linha, formatada, _, valor, vencimento) = todos.iter().find(|c| c.0 == "cob-001").unwrap();
    let hoje = NaiveDate::from_ymd_opt(2007, 12, 20).unwrap();
    let mut f = fatura(linha, *valor, *vencimento);
    f.valor_inicial = Some(Centavos::new(123_456));
    f.valor_atual = Centavos::new(125_000);
    f.multa = Some(Centavos::new(1_544));
    let texto = texto(&escrever(&f, hoje));
    for esperado in [
        formatada.as_str(),
        "Conceição Araújo Gonçalves",
        "CPF 529.982.247-25",
        "Rede Sertão Telecomunicações Ltda",
        "11.222.333/0001-81",
        "Mensalidade Internet Fibra 500 Mega",
        "31/12/2007",
        "20/12/2007",
        "R$ 1.234,56",
        "R$ 15,44",
        "R$ 1.250,00",
        "Ficha de Compensação",
        "Recibo do Pagador",
        "2ª via",
    ] {
        assert!(
            texto.contains(esperado),
            "{esperado:?} missing from the PDF's text:\n{texto}"
        );
    }
    assert_eq!(
        texto.matches(formatada.as_str()).count(),
        2,
        "linha in the recibo and in the ficha"
    );
}
