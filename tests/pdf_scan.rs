#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Held-out check of the boleto PDF: poppler (`pdftoppm`, `pdftotext`, Debian package `poppler-utils`) rasterises
//! and reads the PDF as written, and zbar's `zbarimg` (package `zbar-tools`) must read the exact 44 barcode digits
//! off the 300 dpi page, as a bank's scanner would off the printout.
//!
//! Without the tools the tests fail naming the package to install; `BORDA_SKIP_SCAN=1` skips them.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use borda::domain::model::Fatura;
use borda::domain::money::Centavos;
use borda::domain::pdf::{Beneficiario, boleto_pdf};
use chrono::{Days, NaiveDate};
use serde_json::Value;

use common::{Symbology, vector_file, vector_list};

/// Whether the scanning tests are switched off.
fn pular() -> bool {
    std::env::var("BORDA_SKIP_SCAN").as_deref() == Ok("1")
}

/// Runs a poppler tool, failing with the package to install when it is missing.
fn poppler(programa: &str, args: &[&str]) -> std::process::Output {
    let saida = Command::new(programa).args(args).output().unwrap_or_else(|erro| {
        panic!(
            "{programa} could not run ({erro}): install poppler-utils (`apt-get install -y poppler-utils`) or set \
             BORDA_SKIP_SCAN=1"
        )
    });
    assert!(
        saida.status.success(),
        "{programa} {args:?} failed ({:?}): {}",
        saida.status,
        String::from_utf8_lossy(&saida.stderr)
    );
    saida
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

/// Writes the PDF of `f` into `dir` and returns its path.
fn escrever(dir: &Path, nome: &str, f: &Fatura, hoje: NaiveDate) -> PathBuf {
    let pdf = boleto_pdf(f, &beneficiario(), hoje).unwrap();
    let arquivo = dir.join(format!("{nome}.pdf"));
    std::fs::write(&arquivo, pdf).unwrap();
    arquivo
}

#[test]
fn zbar_le_o_codigo_de_barras_do_pdf_a_300_dpi() {
    if pular() {
        eprintln!("BORDA_SKIP_SCAN=1: not rasterising the boleto PDF");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let todos = casos();
    // The Banco do Brasil manual example first, then other banks.
    let mut escolhidos: Vec<_> = todos.iter().filter(|c| c.0 == "cob-001").collect();
    assert_eq!(escolhidos.len(), 1, "cob-001 missing from boleto_bancario.json");
    escolhidos.extend(todos.iter().filter(|c| c.0 != "cob-001").take(3));
    for (id, linha, _, barras, valor, vencimento) in escolhidos {
        let hoje = vencimento.checked_sub_days(Days::new(5)).unwrap();
        let pdf = escrever(dir.path(), id, &fatura(linha, *valor, *vencimento), hoje);
        let prefixo = dir.path().join(id);
        poppler(
            "pdftoppm",
            &[
                "-r",
                "300",
                "-png",
                "-singlefile",
                pdf.to_str().unwrap(),
                prefixo.to_str().unwrap(),
            ],
        );
        let png = prefixo.with_extension("png");
        let lido = common::zbar_scan(&png, Symbology::Itf).expect("scanning is on");
        assert_eq!(&lido, barras, "{id}: zbarimg read something else off the page");
    }
}

#[test]
fn pdftotext_le_a_linha_o_pagador_e_os_valores() {
    if pular() {
        eprintln!("BORDA_SKIP_SCAN=1: not extracting the boleto PDF's text");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let todos = casos();
    let (id, linha, formatada, _, valor, vencimento) = todos.iter().find(|c| c.0 == "cob-001").unwrap();
    let hoje = NaiveDate::from_ymd_opt(2007, 12, 20).unwrap();
    let mut f = fatura(linha, *valor, *vencimento);
    f.valor_inicial = Some(Centavos::new(123_456));
    f.valor_atual = Centavos::new(125_000);
    f.multa = Some(Centavos::new(1_544));
    let pdf = escrever(dir.path(), id, &f, hoje);
    let texto = String::from_utf8(poppler("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]).stdout).unwrap();
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
