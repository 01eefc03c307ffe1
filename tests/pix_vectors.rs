#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Runs `pix::decode` and `pix::crc16` over every public Pix BR Code vector (`tests/vectors/pix_brcode.json`).

mod common;

use borda::domain::money::Centavos;
use borda::domain::pix::{self, Tipo};
use serde_json::Value;

fn vetores() -> Vec<Value> {
    common::vector_list(&common::vector_file("pix_brcode.json"), "vectors").clone()
}

fn texto<'a>(vetor: &'a Value, campo: &str) -> Option<&'a str> {
    vetor[campo].as_str()
}

#[test]
fn crc16_check_value() {
    assert_eq!(pix::crc16(b"123456789"), 0x29B1);
}

#[test]
fn crc16_matches_every_vector() {
    for vetor in vetores() {
        let (id, payload) = (texto(&vetor, "id").unwrap(), texto(&vetor, "payload").unwrap());
        let Some(esperado) = texto(&vetor, "crc_computed") else {
            continue;
        };
        let corpo = &payload.as_bytes()[..payload.len() - 4];
        assert_eq!(format!("{:04X}", pix::crc16(corpo)), esperado, "{id}");
    }
}

#[test]
fn valid_vectors_decode_with_their_fields() {
    let mut vistos = 0;
    for vetor in vetores().into_iter().filter(|v| v["valid"] == Value::Bool(true)) {
        let id = texto(&vetor, "id").unwrap();
        let payload = texto(&vetor, "payload").unwrap();
        let lido = pix::decode(payload).unwrap_or_else(|e| panic!("{id} should decode: {e} ({})", e.code()));
        let opcional = |campo: &str| texto(&vetor, campo).map(str::to_owned);
        assert_eq!(lido.payload, payload, "{id}");
        assert_eq!(lido.chave, opcional("key"), "{id} key");
        assert_eq!(Some(lido.nome.as_str()), texto(&vetor, "name"), "{id} name");
        assert_eq!(Some(lido.cidade.as_str()), texto(&vetor, "city"), "{id} city");
        let valor = texto(&vetor, "amount").map(|a| Centavos::parse(a).unwrap());
        assert_eq!(lido.valor, valor, "{id} amount");
        assert_eq!(lido.txid, opcional("txid").filter(|t| t != "***"), "{id} txid");
        assert_eq!(lido.url, opcional("url"), "{id} url");
        assert_eq!(lido.descricao, opcional("description"), "{id} description");
        assert_eq!(lido.fss, opcional("fss"), "{id} fss");
        assert_eq!(lido.recorrencia_url, opcional("url_rec"), "{id} url_rec");
        assert_eq!(
            lido.uso_unico,
            texto(&vetor, "point_of_initiation") == Some("12"),
            "{id} point_of_initiation"
        );
        assert_eq!(lido.cep, opcional("postal_code"), "{id} postal_code");
        assert_eq!(Some(lido.mcc.as_str()), texto(&vetor, "mcc"), "{id} mcc");
        let tipo = if lido.chave.is_some() {
            Tipo::Estatico
        } else {
            Tipo::Dinamico
        };
        assert_eq!(lido.tipo, tipo, "{id} tipo");
        vistos += 1;
    }
    assert!(vistos > 0, "no valid vectors");
}

#[test]
fn warnings_on_valid_vectors_are_the_documented_deviations() {
    for vetor in vetores().into_iter().filter(|v| v["valid"] == Value::Bool(true)) {
        let id = texto(&vetor, "id").unwrap();
        let lido = pix::decode(texto(&vetor, "payload").unwrap()).unwrap();
        // pix-003's key is hex text, pix-004's txid has a '-', pix-016..018 have non-canonical amounts.
        for aviso in &lido.avisos {
            let esperado = ["DICT", "txid", "duas casas", "zero", "minúsculas"]
                .iter()
                .any(|t| aviso.contains(t));
            assert!(esperado, "{id}: unexpected warning {aviso}");
        }
        if id == "pix-003" {
            assert!(
                lido.avisos.iter().any(|a| a.contains("DICT")),
                "pix-003 key is not a DICT key: {:?}",
                lido.avisos
            );
        }
        if id == "pix-004" {
            assert!(
                lido.avisos.iter().any(|a| a.contains("txid")),
                "pix-004 txid has '-': {:?}",
                lido.avisos
            );
        }
    }
}

#[test]
fn invalid_vectors_are_rejected() {
    let mut vistos = 0;
    for vetor in vetores().into_iter().filter(|v| v["valid"] == Value::Bool(false)) {
        let id = texto(&vetor, "id").unwrap();
        let payload = texto(&vetor, "payload").unwrap();
        let erro = match pix::decode(payload) {
            Ok(lido) => panic!("{id} should be rejected ({}), decoded as {lido:?}", vetor["why"]),
            Err(erro) => erro,
        };
        let com_crc = payload.len() >= 8 && payload[..payload.len() - 4].ends_with("6304");
        if vetor["crc_valid"] == Value::Bool(false) && com_crc {
            assert_eq!(erro.code(), "pix_crc_invalido", "{id}: {erro}");
        }
        assert!(!erro.to_string().is_empty());
        vistos += 1;
    }
    assert!(vistos > 0, "no invalid vectors");
}
