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
