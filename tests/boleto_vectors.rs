#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The public boleto vectors (`tests/vectors/boleto_bancario.json` and `arrecadacao.json`) against
//! `borda::domain::boleto`: every valid case decodes to exactly the recorded fields from both its linha and its barcode,
//! and the builders reproduce its barcode; every invalid case is refused, with the error the vector's checker
//! reason names when it names one; the fator tables hold in both directions.

mod common;

use chrono::NaiveDate;
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

use borda::domain::boleto::{
    Boleto, BoletoError, Detalhe, Segmento, Tipo, codigo_barras_arrecadacao, codigo_barras_bancario, data_para_fator,
    decode, fator_para_data,
};
use borda::domain::money::Centavos;

/// A reference date for cases whose result does not depend on it; never the clock.
fn hoje_fixo() -> NaiveDate {
    data("2026-11-23")
}

use common::{vector_file as load, vector_list as cases};

fn data(text: &str) -> NaiveDate {
    text.parse().unwrap_or_else(|e| panic!("bad date {text:?}: {e}"))
}

fn string<'a>(case: &'a Value, key: &str) -> &'a str {
    case[key]
        .as_str()
        .unwrap_or_else(|| panic!("case {} has no string {key:?}", case["id"]))
}

fn optional_string<'a>(case: &'a Value, key: &str) -> Option<&'a str> {
    case.get(key).and_then(Value::as_str)
}

fn digits_only(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// "Telecomunicações" → "Telecomunicacoes": the vectors write names without accents.
fn without_accents(text: &str) -> String {
    text.nfd().filter(char::is_ascii).collect()
}

fn valor_text(valor: Option<Centavos>) -> Option<String> {
    valor.map(|v| v.to_string())
}

/// Which error code the first checker reason of an invalid vector stands for, when it names a single check.
/// A 44-digit code not starting with 8 is a bancário barcode (`formats.md` §1.4), so "product id (pos 1)" on a
/// barcode fails as bancário with whatever bancário check breaks first; such reasons only require an error.
fn expected_error(reason: &str) -> Option<(&'static str, Option<u8>)> {
    let number_after = |prefix: &str| {
        reason
            .strip_prefix(prefix)
            .and_then(|r| r.get(..1))
            .and_then(|d| d.parse().ok())
    };
    if reason.starts_with("field") {
        Some(("dv_campo_invalido", number_after("field")))
    } else if reason.starts_with("block") {
        Some(("dv_bloco_invalido", number_after("block")))
    } else if reason.starts_with("general DV") {
        Some(("dv_geral_invalido", None))
    } else if reason.starts_with("non-digit") {
        Some(("caractere_invalido", None))
    } else if reason.starts_with("length 48") {
        // 48 digits are read as an arrecadação linha, which must start with 8.
        Some(("produto_invalido", None))
    } else if reason.starts_with("length") {
        Some(("tamanho_invalido", None))
    } else if reason.starts_with("value identifier") {
        Some(("identificador_valor_invalido", None))
    } else if reason == "product id must be 8" {
        Some(("produto_invalido", None))
    } else {
        None
    }
}

fn check_invalid(case: &Value, input: &str) {
    let id = &case["id"];
    let error = decode(input, hoje_fixo()).expect_err(&format!("{id}: {input:?} must be refused"));
    let message = error.to_string();
    assert!(!message.is_empty(), "{id}: empty message");
    let reason = case["checker_reasons"][0].as_str().unwrap_or_default();
    if let Some((code, number)) = expected_error(reason) {
        assert_eq!(error.code(), code, "{id}: {reason:?} but got {error:?}");
        let found = match error {
            BoletoError::DvCampo { campo, .. } => Some(campo),
            BoletoError::DvBloco { bloco, .. } => Some(bloco),
            _ => None,
        };
        if number.is_some() {
            assert_eq!(found, number, "{id}: {reason:?} but got {message}");
        }
    }
}

#[test]
fn bancario_valid_cases_decode_to_the_recorded_fields() {
    let doc = load("boleto_bancario.json");
    let mut checked = 0;
    for case in cases(&doc, "cases").iter().filter(|c| c["valid"] == Value::Bool(true)) {
        let id = string(case, "id");
        let linha = string(case, "linha");
        let barcode = string(case, "barcode");
        let fator = u16::try_from(case["fator"].as_u64().unwrap()).unwrap();
        let vencimento = optional_string(case, "vencimento").map(data);
        let valor = optional_string(case, "valor");
        // The date only depends on the reference date through the window; the vector says which dates work.
        let todays: Vec<NaiveDate> = match case["window_decode_today_range"].as_array() {
            Some(range) => range.iter().map(|d| data(d.as_str().unwrap())).collect(),
            None => vec![hoje_fixo()],
        };
        assert!(
            vencimento.is_some() == (fator != 0),
            "{id}: vector has a fator without a date or vice versa"
        );
        for &hoje in &todays {
            let from_linha = decode(linha, hoje).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(from_linha.linha_digitavel, linha, "{id}");
            assert_eq!(from_linha.codigo_barras, barcode, "{id}");
            assert_eq!(from_linha.linha_formatada(), string(case, "linha_formatted"), "{id}");
            assert_eq!(from_linha.tipo(), Tipo::Bancario, "{id}");
            assert_eq!(valor_text(from_linha.valor()).as_deref(), valor, "{id}");
            assert_eq!(from_linha.vencimento(), vencimento, "{id} with hoje {hoje}");
            let Detalhe::Bancario {
                banco,
                moeda,
                fator: f,
                vencimento: v,
                valor: amount,
                campo_livre,
            } = &from_linha.detalhe
            else {
                panic!("{id}: decoded as arrecadação");
            };
            assert_eq!(banco, string(case, "bank"), "{id}");
            assert_eq!(moeda.to_string(), string(case, "currency"), "{id}");
            assert_eq!(*f, fator, "{id}");
            assert_eq!(*v, vencimento, "{id}");
            assert_eq!(valor_text(*amount).as_deref(), valor, "{id}");
            assert_eq!(campo_livre, string(case, "campo_livre"), "{id}");
            assert_eq!(
                barcode.as_bytes()[4] - b'0',
                u8::try_from(case["dv_geral"].as_u64().unwrap()).unwrap(),
                "{id}: dv_geral"
            );

            let from_barcode = decode(barcode, hoje).unwrap_or_else(|e| panic!("{id} barcode: {e}"));
            assert_eq!(from_barcode, from_linha, "{id}: barcode and linha disagree");
            let from_formatted = decode(string(case, "linha_formatted"), hoje).unwrap();
            assert_eq!(from_formatted, from_linha, "{id}: formatted linha");
        }
        if let (Some(range_start), Some(expected)) = (todays.first(), vencimento) {
            // A day before the range the window no longer yields the recorded date.
            let before = range_start.pred_opt().unwrap();
            assert_ne!(
                decode(linha, before).ok().and_then(|b| b.vencimento()),
                Some(expected),
                "{id}"
            );
        }

        // The builder reproduces the barcode from the decoded parts (the fator comes back from the date).
        let valor = valor.map(|v| v.parse::<Centavos>().unwrap());
        let built = codigo_barras_bancario(string(case, "bank"), vencimento, valor, string(case, "campo_livre"));
        assert_eq!(built.as_deref(), Ok(barcode), "{id}: builder");
        checked += 1;
    }
    assert!(checked >= 80, "only {checked} valid bancário cases found");
}

#[test]
fn bancario_invalid_cases_are_refused_naming_the_problem() {
    check_invalid_cases("boleto_bancario.json", 15);
}

/// Every invalid case of `file`, from its linha and from its barcode, is refused naming the problem.
fn check_invalid_cases(file: &str, minimum: usize) {
    let doc = load(file);
    let mut checked = 0;
    for case in cases(&doc, "cases").iter().filter(|c| c["valid"] == Value::Bool(false)) {
        for key in ["linha", "barcode"] {
            if let Some(input) = optional_string(case, key) {
                check_invalid(case, input);
                checked += 1;
            }
        }
    }
    assert!(checked >= minimum, "only {checked} invalid inputs found in {file}");
}

#[test]
fn fator_table_holds_both_ways() {
    let doc = load("boleto_bancario.json");
    for row in cases(&doc, "fator_table") {
        let fator = u16::try_from(row["fator"].as_u64().unwrap()).unwrap();
        let date = data(string(row, "date"));
        assert_eq!(data_para_fator(date), Ok(fator), "{row}");
        // Seen from its own date, a date is inside the window, so decoding picks its cycle.
        assert_eq!(fator_para_data(fator, date), Ok(Some(date)), "{row}");
    }
}

#[test]
fn fator_window_tests() {
    let doc = load("boleto_bancario.json");
    for row in cases(&doc, "fator_decode_window_tests") {
        let fator = u16::try_from(row["fator"].as_u64().unwrap()).unwrap();
        let hoje = data(string(row, "today"));
        let result = fator_para_data(fator, hoje);
        match string(row, "expected") {
            "OUT_OF_WINDOW" => {
                assert_eq!(result, Err(BoletoError::FatorForaDaJanela { fator, hoje }), "{row}");
                assert!(result.unwrap_err().to_string().contains("fora da janela aceita"));
            }
            expected => assert_eq!(result, Ok(Some(data(expected))), "{row}"),
        }
    }
}

fn segmento(code: &str) -> Segmento {
    [
        Segmento::Prefeituras,
        Segmento::Saneamento,
        Segmento::EnergiaEGas,
        Segmento::Telecomunicacoes,
        Segmento::OrgaosGovernamentais,
        Segmento::Carnes,
        Segmento::MultasDeTransito,
        Segmento::UsoExclusivoDoBanco,
    ]
    .into_iter()
    .find(|s| s.codigo().to_string() == code)
    .unwrap_or_else(|| panic!("vector segment {code} is not assigned"))
}

fn check_arrecadacao(case: &Value, boleto: &Boleto) {
    let id = string(case, "id");
    let barcode = string(case, "barcode");
    assert_eq!(boleto.linha_digitavel, string(case, "linha"), "{id}");
    assert_eq!(boleto.codigo_barras, barcode, "{id}");
    assert_eq!(boleto.linha_formatada(), string(case, "linha_formatted"), "{id}");
    assert_eq!(boleto.tipo(), Tipo::Arrecadacao, "{id}");
    assert_eq!(boleto.vencimento(), None, "{id}");
    assert_eq!(
        valor_text(boleto.valor()).as_deref(),
        optional_string(case, "valor"),
        "{id}"
    );
    let Detalhe::Arrecadacao {
        segmento: s,
        identificador_valor,
        valor,
        empresa,
        campo_livre,
    } = &boleto.detalhe
    else {
        panic!("{id}: decoded as bancário");
    };
    assert_eq!(*s, segmento(string(case, "segment")), "{id}");
    assert_eq!(without_accents(s.nome()), string(case, "segment_name"), "{id}");
    assert_eq!(identificador_valor.to_string(), string(case, "value_id"), "{id}");
    assert_eq!(valor_text(*valor).as_deref(), optional_string(case, "valor"), "{id}");
    assert_eq!(empresa, string(case, "empresa_orgao"), "{id}");
    assert_eq!(campo_livre, &barcode[19..], "{id}");
    assert_eq!(
        barcode.as_bytes()[3] - b'0',
        u8::try_from(case["dv_geral"].as_u64().unwrap()).unwrap(),
        "{id}: dv_geral"
    );
    let method = if *identificador_valor <= 7 { "mod10" } else { "mod11" };
    assert_eq!(method, string(case, "dv_method"), "{id}");
}

#[test]
fn arrecadacao_valid_cases_decode_from_linha_and_barcode() {
    let doc = load("arrecadacao.json");
    let mut checked = 0;
    for case in cases(&doc, "cases").iter().filter(|c| c["valid"] == Value::Bool(true)) {
        let id = string(case, "id");
        let from_linha = decode(string(case, "linha"), hoje_fixo()).unwrap_or_else(|e| panic!("{id}: {e}"));
        check_arrecadacao(case, &from_linha);
        let from_barcode = decode(string(case, "barcode"), hoje_fixo()).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(from_barcode, from_linha, "{id}: barcode and linha disagree");
        let from_formatted = decode(string(case, "linha_formatted"), hoje_fixo()).unwrap();
        assert_eq!(from_formatted, from_linha, "{id}: formatted linha");

        // The builder reproduces the barcode from the decoded parts.
        if let Detalhe::Arrecadacao {
            segmento,
            identificador_valor,
            valor,
            empresa,
            campo_livre,
        } = &from_linha.detalhe
        {
            let valor_raw = string(case, "valor_raw");
            if matches!(identificador_valor, 6 | 8) || digits_only(valor_raw).trim_start_matches('0').is_empty() {
                let built = codigo_barras_arrecadacao(*segmento, *identificador_valor, *valor, empresa, campo_livre);
                assert_eq!(built.as_deref(), Ok(string(case, "barcode")), "{id}: builder");
            }
        }
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} valid arrecadação cases found");
}

#[test]
fn arrecadacao_invalid_cases_are_refused_naming_the_problem() {
    check_invalid_cases("arrecadacao.json", 10);
}

#[test]
fn dac_examples_are_present_for_the_unit_tests() {
    // The mod-10/mod-11 helpers are private to the module; `boleto::tests` asserts these numbers (copied there). This keeps
    // the copy honest: if the vectors change, this fails and says which numbers to update.
    let doc = load("arrecadacao.json");
    let examples = cases(&doc, "dac_examples");
    assert_eq!(examples[0]["sequence"], "01230067896");
    assert_eq!(
        (
            examples[0]["expected_mod10"].as_u64(),
            examples[0]["expected_mod11_dac"].as_u64()
        ),
        (Some(3), Some(0))
    );
    assert_eq!(
        examples[1]["barcode43_without_dv"],
        "8220000215048200974123220154098290108605940"
    );
    assert_eq!(
        (
            examples[1]["expected_mod10"].as_u64(),
            examples[1]["expected_mod11"].as_u64()
        ),
        (Some(1), Some(0))
    );
}
