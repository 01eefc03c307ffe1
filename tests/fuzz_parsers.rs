//! Fuzzing of every parser that input can reach, with proptest.
//!
//! Each parser gets arbitrary text and mutations of valid codes; the property
//! is that it answers (Ok or a typed error) and never panics. The default case
//! count keeps the suite quick; set `BORDA_FUZZ_CASES=1000000` for a long run
//! (the figures in the issue notes come from such runs).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use borda::domain::money::Centavos;
use borda::domain::{boleto, documento, pix};

const SEEDS: [&str; 5] = [
    "00190.50095 40144.816069 06809.350314 3 37370000000100",
    "84630000000-3 29990296202-4 00410136000-8 00200644114-7",
    "00193373700000001000500940144816060680935031",
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D",
    "12.ABC.345/01DE-35",
];

fn cases() -> u32 {
    std::env::var("BORDA_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(4096)
}

/// Arbitrary text, digit soup, and valid codes with a few bytes changed.
fn inputs() -> impl Strategy<Value = String> {
    let mutated = (
        0..SEEDS.len(),
        proptest::collection::vec((any::<prop::sample::Index>(), 0x20u8..0x7f), 1..4),
    )
        .prop_map(|(seed, edits)| {
            let mut bytes = SEEDS[seed].as_bytes().to_vec();
            for (at, byte) in edits {
                let at = at.index(bytes.len());
                bytes[at] = byte;
            }
            String::from_utf8(bytes).unwrap()
        });
    prop_oneof![
        any::<String>(),
        "[0-9 .\\-]{0,60}",
        "[0-9]{40,50}",
        "[0-9A-Za-z*.@+ -]{0,160}",
        mutated,
    ]
}

fn fuzz(name: &str, parse: impl Fn(&str)) {
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&inputs(), |input| {
        parse(&input);
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{name}: {failure}");
    }
    eprintln!("fuzz {name}: {} inputs, 0 panics", runner.config().cases);
}

#[test]
fn boleto_decode_never_panics() {
    let hoje = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    fuzz("boleto", |input| {
        let _ = boleto::decode(input, hoje);
    });
}

#[test]
fn pix_decode_never_panics() {
    fuzz("pix", |input| {
        if let Ok(code) = pix::decode(input) {
            assert_eq!(code.payload, input, "a decoded payload is kept verbatim");
        }
    });
}

#[test]
fn pix_key_normalisation_never_panics() {
    fuzz("chave", |input| {
        let _ = pix::normalizar_chave(input);
    });
}

#[test]
fn documento_parse_never_panics() {
    fuzz("documento", |input| {
        if let Ok(parsed) = documento::parse(input) {
            assert_eq!(
                documento::parse(&parsed.formatado()),
                Ok(parsed.clone()),
                "formatted form reads back"
            );
        }
    });
}

#[test]
fn money_parse_never_panics() {
    fuzz("money", |input| {
        if let Ok(amount) = Centavos::parse(input) {
            assert_eq!(Centavos::parse(&amount.to_string()), Ok(amount));
        }
    });
}

/// The retaguarda's credit-limit envelope: the seed's example with its numbers replaced by arbitrary JSON number texts
/// (long fractions, exponents, signs) and a few bytes changed. Whatever parses as JSON is read without panicking; an
/// envelope read is written back and reads the same; its offline answer never goes below zero and keeps
/// `valorTotal = valorUtilizado + saldoDisponivel`.
#[test]
fn credit_limit_envelope_never_panics() {
    use borda::domain::credito::{Consumo, Fracao, PoliticaOffline, Resposta, resposta_offline};

    const ENVELOPE: &str = r#"{"success":true,"message":"","detailedMessage":null,"data":[{"saldoDisponivel":S,"idRetaguardaLimiteCredito":"01PSH00000005033CR","valorUtilizado":U,"valorTotal":T,"detalhesValorUtilizado":[{"total":U,"tipo":"credito total"}],"saldoDetalhadoFormaPagamento":[{"idRetaguardaPagamentoForma":"BL","valor":S}]}],"errors":null,"totalTime":0,"numberOfRecords":0}"#;
    let numero = "-?[0-9]{1,20}(\\.[0-9]{0,25})?([eE][+-]?[0-9]{1,4})?";
    let envelopes = (
        numero,
        numero,
        numero,
        proptest::collection::vec((any::<prop::sample::Index>(), 0x20u8..0x7f), 0..3),
    )
        .prop_map(|(s, u, t, edits)| {
            let mut bytes = ENVELOPE.replace('S', &s).replace('U', &u).replace('T', &t).into_bytes();
            for (at, byte) in edits {
                let at = at.index(bytes.len());
                bytes[at] = byte;
            }
            String::from_utf8(bytes).unwrap()
        });
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let quando = NaiveDate::from_ymd_opt(2026, 12, 6)
        .unwrap()
        .and_hms_opt(14, 3, 0)
        .unwrap();
    let politica = PoliticaOffline {
        fracao: Fracao::de_config(0.5),
        teto: Some(Centavos::new(50_000)),
    };
    let consumos = [Consumo {
        valor: Centavos::new(1234),
        forma: Some("BL".into()),
    }];
    let result = runner.run(&prop_oneof![envelopes, any::<String>()], |texto| {
        let Ok(valor) = serde_json::from_str::<serde_json::Value>(&texto) else {
            return Ok(());
        };
        let Ok((resposta, _)) = Resposta::ler(&valor) else {
            return Ok(());
        };
        prop_assert_eq!(&Resposta::ler(&resposta.para_json()).unwrap().0, &resposta);
        let offline = resposta_offline(&resposta, quando, &consumos, politica);
        if let Some(limite) = offline.limite.filter(|_| offline.success) {
            prop_assert!(limite.saldo_disponivel.get() >= 0);
            if let (Some(utilizado), Some(total)) = (limite.valor_utilizado, limite.valor_total) {
                prop_assert_eq!(
                    total.get(),
                    utilizado.get().saturating_add(limite.saldo_disponivel.get())
                );
            }
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("credit limit envelope: {failure}");
    }
    eprintln!("fuzz credit limit envelope: {} inputs, 0 panics", runner.config().cases);
}
