#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! ITF module strings from `tests/vectors/itf_boleto.json` (own encoder cross-checked with python-barcode).

mod common;

use borda::domain::render::Itf;

use common::vector_file as carregar;

fn como_texto(modulos: &[bool]) -> String {
    modulos.iter().map(|&b| if b { '1' } else { '0' }).collect()
}

#[test]
fn itf_modulos_iguais_aos_vetores() {
    let json = carregar("itf_boleto.json");
    let vetores = json["vectors"].as_array().expect("itf_boleto.json sem \"vectors\"");
    assert!(!vetores.is_empty(), "itf_boleto.json sem vetores");
    let mut combinacoes = std::collections::BTreeSet::new();
    for v in vetores {
        let dados = v["data"].as_str().unwrap();
        let estreito = u32::try_from(v["narrow_modules"].as_u64().unwrap()).unwrap();
        let largo = u32::try_from(v["wide_modules"].as_u64().unwrap()).unwrap();
        let esperado = v["modules"].as_str().unwrap();
        let itf = Itf::encode(dados).unwrap_or_else(|e| panic!("{dados}: {e}"));
        let modulos = itf.modules(estreito, largo);
        assert_eq!(como_texto(&modulos), esperado, "{dados} com {estreito}/{largo}");
        assert_eq!(
            modulos.len() as u64,
            v["total_modules"].as_u64().unwrap(),
            "{dados} com {estreito}/{largo}"
        );
        combinacoes.insert((estreito, largo));
    }
    assert_eq!(
        combinacoes.into_iter().collect::<Vec<_>>(),
        vec![(1, 3), (2, 5), (2, 6)]
    );
}

/// formats.md §3.1: W = 89·N + 138 narrow units for 44 digits; with N = 3 that is 405.
#[test]
fn largura_44_digitos_n3() {
    let json = carregar("itf_boleto.json");
    for v in json["vectors"].as_array().unwrap() {
        let itf = Itf::encode(v["data"].as_str().unwrap()).unwrap();
        assert_eq!(itf.modules(1, 3).len(), 89 * 3 + 138);
    }
}
