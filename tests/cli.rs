//! End-to-end tests of the real `borda` binary: output shapes, exit statuses
//! and the images it writes, read back by an independent scanner.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Symbology, borda, borda_ok, scan};
use serde_json::{Value, json};

const LINHA_BB: &str = "00190.50095 40144.816069 06809.350314 3 37370000000100";
const BARRAS_BB: &str = "00193373700000001000500940144816060680935031";

#[test]
fn boleto_json_has_the_api_shape() {
    let out = borda_ok(&["boleto", LINHA_BB, "--json", "--hoje", "2010-01-01"]);
    let info: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        info,
        json!({
            "tipo": "bancario",
            "linha_digitavel": "00190500954014481606906809350314337370000000100",
            "linha_formatada": "00190.50095 40144.816069 06809.350314 3 37370000000100",
            "codigo_barras": BARRAS_BB,
            "banco": "001",
            "fator_vencimento": 3737,
            "valor": "1.00",
            "vencimento": "2007-12-31",
        })
    );
}

#[test]
fn boleto_reference_date_picks_the_fator_cycle() {
    let info: Value =
        serde_json::from_str(&borda_ok(&["boleto", BARRAS_BB, "--json", "--hoje", "2025-06-01"])).unwrap();
    assert_eq!(info["vencimento"], "2032-08-21");
}

#[test]
fn arrecadacao_json_names_the_segment() {
    let linha = "84630000000-3 29990296202-4 00410136000-8 00200644114-7";
    let info: Value = serde_json::from_str(&borda_ok(&["boleto", linha, "--json"])).unwrap();
    assert_eq!(info["tipo"], "arrecadacao");
    assert_eq!(info["segmento"], "4");
    assert_eq!(info["valor"], "29.99");
    assert_eq!(info["vencimento"], Value::Null);
    assert!(info.get("banco").is_none());
}

#[test]
fn invalid_input_exits_2_and_names_the_problem() {
    let cases: [(&[&str], &str); 6] = [
        (
            &["boleto", "00190.50095 40144.816060 06809.350314 3 37370000000100"],
            "campo 2",
        ),
        (&["boleto", "1234"], "recebidos 4"),
        (
            &["boleto", "42297.11504 00001.954411 60020.034520 2 6861000005465a"],
            "'a'",
        ),
        (&["boleto", LINHA_BB, "--hoje", "31/12/2026"], "AAAA-MM-DD"),
        (&["documento", "123.456.789-00"], "CPF"),
        (
            &[
                "pix",
                "decode",
                "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3E",
            ],
            "CRC",
        ),
    ];
    for (args, expected) in cases {
        let output = borda(args);
        assert_eq!(output.status.code(), Some(2), "borda {args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(expected),
            "borda {args:?}: stderr {stderr:?} does not mention {expected:?}"
        );
        assert!(output.stdout.is_empty(), "borda {args:?} printed to stdout on error");
    }
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(borda(&["nao-existe"]).status.code(), Some(2));
    assert_eq!(
        borda(&["pix", "qr", "000201"]).status.code(),
        Some(2),
        "qr without --svg/--png"
    );
    assert_eq!(
        borda(&["pix", "encode", "--chave", "x"]).status.code(),
        Some(2),
        "missing --nome/--cidade"
    );
}

#[test]
fn pix_encode_then_decode_through_the_binary() {
    let payload = borda_ok(&[
        "pix",
        "encode",
        "--chave",
        "+55 (61) 91234-5678",
        "--nome",
        "Padaria São João",
        "--cidade",
        "Brasília",
        "--valor",
        "12,50",
        "--txid",
        "PEDIDO42",
    ]);
    let payload = payload.trim_end();
    let info: Value = serde_json::from_str(&borda_ok(&["pix", "decode", payload, "--json"])).unwrap();
    assert_eq!(info["tipo"], "estatico");
    assert_eq!(info["chave"], "+5561912345678");
    assert_eq!(info["nome"], "Padaria Sao Joao");
    assert_eq!(info["cidade"], "Brasilia");
    assert_eq!(info["valor"], "12.50");
    assert_eq!(info["txid"], "PEDIDO42");
}

#[test]
fn pix_encode_refuses_an_amount_it_cannot_read_exactly() {
    for valor in [
        "1e309",
        "12e345e678",
        "1x000",
        "1_309",
        "1'309",
        "1 309",
        "R$ 12,50",
        "-12.50",
        "10.001",
    ] {
        let flag = format!("--valor={valor}");
        let output = borda(&[
            "pix",
            "encode",
            "--chave",
            "52998224725",
            "--nome",
            "Loja",
            "--cidade",
            "Recife",
            &flag,
        ]);
        assert_eq!(output.status.code(), Some(2), "--valor {valor}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--valor"), "--valor {valor}: {stderr}");
        assert!(output.stdout.is_empty(), "--valor {valor} printed a payload");
    }
}

#[test]
fn documento_json() {
    let info: Value = serde_json::from_str(&borda_ok(&["documento", "12.abc.345/01de-35", "--json"])).unwrap();
    assert_eq!(
        info,
        json!({"tipo": "cnpj", "numero": "12ABC34501DE35", "formatado": "12.ABC.345/01DE-35"})
    );
}

#[test]
fn boleto_png_and_svg_scan_back_to_the_44_digits() {
    let dir = tempfile::tempdir().unwrap();
    for (codigo, barras) in [
        (LINHA_BB, BARRAS_BB),
        (
            "84630000000-3 29990296202-4 00410136000-8 00200644114-7",
            "84630000000299902962020041013600000200644114",
        ),
    ] {
        let png = dir.path().join("boleto.png");
        let svg = dir.path().join("boleto.svg");
        borda_ok(&[
            "boleto",
            codigo,
            "--png",
            png.to_str().unwrap(),
            "--svg",
            svg.to_str().unwrap(),
        ]);
        assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));
        assert_eq!(scan(&png, Symbology::Itf), barras);
    }
}

#[test]
fn pix_qr_png_scans_back_to_the_payload() {
    let dir = tempfile::tempdir().unwrap();
    let payload = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D";
    let png = dir.path().join("pix.png");
    borda_ok(&["pix", "qr", payload, "--png", png.to_str().unwrap()]);
    assert_eq!(scan(&png, Symbology::Qr), payload);
}

#[test]
fn pix_qr_refuses_an_invalid_payload() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("pix.png");
    let output = borda(&["pix", "qr", "not a pix", "--png", png.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(!png.exists(), "nothing is written for an invalid payload");
}

#[test]
fn config_check_refuses_a_short_api_token() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let config = |token: &str| format!("[api]\ntoken = \"{token}\"\n[erp]\nbase_url = \"https://erp.example.com\"\n");
    std::fs::write(&path, config("curto-demais-15")).unwrap();
    let output = borda(&["config", "check", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("api.token") && stderr.contains("16"), "{stderr}");
    std::fs::write(&path, config("dezesseis-chars!")).unwrap();
    borda_ok(&["config", "check", path.to_str().unwrap()]);
}

#[test]
fn an_unreadable_erp_credential_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "[erp]\nbase_url = \"https://erp.example.com\"\n").unwrap();
    let credentials = dir.path().join("credentials");
    // A directory where the secret should be: it exists but cannot be read as a file.
    std::fs::create_dir_all(credentials.join("erp-auth")).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_borda"))
        .args(["config", "check", path.to_str().unwrap()])
        .env("CREDENTIALS_DIRECTORY", &credentials)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("credencial") && stderr.contains("erp-auth"), "{stderr}");
    // No credential of that name: nothing to read, not an error.
    std::fs::remove_dir(credentials.join("erp-auth")).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_borda"))
        .args(["config", "check", path.to_str().unwrap()])
        .env("CREDENTIALS_DIRECTORY", &credentials)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}
