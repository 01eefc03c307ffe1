//! The localhost API over a real socket, against a real SQLite file and the
//! demo ERP as a real HTTP upstream on a loopback port: online answers,
//! offline answers from the cache, the circuit breaker, and the guards.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use borda::demo::Modo;
use common::harness::{Harness, assert_problem, send};
use common::{Symbology, scan};
use reqwest::StatusCode;
use serde_json::Value;

const MARIA: &str = "52998224725";
const JOAO: &str = "11144477735";
const CARLOS: &str = "39053344705";

#[tokio::test]
async fn online_faturas_have_exact_money_dates_and_barcodes() {
    let harness = Harness::start().await;
    for documento in [MARIA, JOAO, "12ABC34501DE35"] {
        let (status, headers, body) = harness.json(&format!("/v1/clientes/{documento}/faturas")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["origem"], "upstream");
        assert!(body["atualizado_em"].as_str().is_some());
        assert_eq!(headers["age"], "0");
        assert!(headers["cache-status"].to_str().unwrap().contains("fwd=miss"));
        let faturas = body["faturas"].as_array().unwrap();
        assert!(!faturas.is_empty(), "{documento}");
        for fatura in faturas {
            let valor = fatura["valor_atual"].as_str().unwrap();
            let (reais, centavos) = valor.split_once('.').unwrap();
            assert!(reais.parse::<u64>().is_ok() && centavos.len() == 2, "{valor}");
            let vencimento = fatura["vencimento"].as_str().unwrap();
            assert!(
                chrono::NaiveDate::parse_from_str(vencimento, "%Y-%m-%d").is_ok(),
                "{vencimento}"
            );
            let barras = fatura["codigo_barras"].as_str().unwrap();
            assert!(
                barras.len() == 44 && barras.bytes().all(|b| b.is_ascii_digit()),
                "{barras}"
            );
            assert_eq!(fatura["baixa"], Value::Null);
        }
    }
    harness.stop().await;
}

#[tokio::test]
async fn both_erp_field_generations_normalise_alike() {
    let harness = Harness::start().await;
    let (_, _, maria) = harness.json(&format!("/v1/clientes/{MARIA}/faturas")).await;
    let (_, _, joao) = harness.json(&format!("/v1/clientes/{JOAO}/faturas")).await;
    let keys = |fatura: &Value| fatura.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&maria["faturas"][0]), keys(&joao["faturas"][0]));
    let joao_faturas = joao["faturas"].as_array().unwrap();
    assert!(joao_faturas.iter().all(|f| f["documento"] == JOAO));
    let (_, _, cliente) = harness.json(&format!("/v1/clientes/{JOAO}")).await;
    assert_eq!(cliente["nome"], "João Pereira Lima");
    let (_, _, cliente) = harness.json(&format!("/v1/clientes/{MARIA}")).await;
    assert_eq!(cliente["nome"], "Maria Aparecida Souza");
    harness.stop().await;
}

#[tokio::test]
async fn a_malformed_record_is_skipped_not_fatal() {
    let harness = Harness::start().await;
    let (status, _, body) = harness.json(&format!("/v1/clientes/{CARLOS}/faturas")).await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = body["faturas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["30001"], "only the sound record survives");
    harness.stop().await;
}

#[tokio::test]
async fn contrato_filter_and_contratos() {
    let harness = Harness::start().await;
    let (_, _, contratos) = harness.json(&format!("/v1/clientes/{MARIA}/contratos")).await;
    let ids: Vec<&str> = contratos
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"C-1002"), "{contratos}");
    let (_, _, body) = harness
        .json(&format!("/v1/clientes/{MARIA}/faturas?contrato=C-1002"))
        .await;
    let faturas = body["faturas"].as_array().unwrap();
    assert!(!faturas.is_empty());
    assert!(faturas.iter().all(|f| f["contrato"] == "C-1002"), "{body}");
    harness.stop().await;
}

#[tokio::test]
async fn images_scan_back_and_the_pdf_is_a_pdf() {
    let harness = Harness::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (_, _, body) = harness.json(&format!("/v1/clientes/{MARIA}/faturas")).await;
    for fatura in body["faturas"].as_array().unwrap() {
        let id = fatura["id"].as_str().unwrap();
        let png = harness.get(&format!("/v1/faturas/{id}/codigo-de-barras.png")).await;
        assert_eq!(png.headers()["content-type"], "image/png");
        let path = dir.path().join(format!("{id}-itf.png"));
        std::fs::write(&path, png.bytes().await.unwrap()).unwrap();
        assert_eq!(scan(&path, Symbology::Itf), fatura["codigo_barras"].as_str().unwrap());
        if let Some(pix) = fatura["pix_code"].as_str() {
            let png = harness.get(&format!("/v1/faturas/{id}/pix.png")).await;
            let path = dir.path().join(format!("{id}-pix.png"));
            std::fs::write(&path, png.bytes().await.unwrap()).unwrap();
            assert_eq!(scan(&path, Symbology::Qr), pix);
        }
        let svg = harness.get(&format!("/v1/faturas/{id}/codigo-de-barras.svg")).await;
        assert_eq!(svg.headers()["content-type"], "image/svg+xml");
        let pdf = harness.get(&format!("/v1/faturas/{id}/boleto.pdf")).await;
        assert_eq!(pdf.status(), StatusCode::OK);
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        let origem = pdf.headers()["x-borda-origem"].to_str().unwrap().to_owned();
        assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
        // The demo ERP has its own PDF only for 10001; the others are rendered here.
        assert_eq!(origem, if id == "10001" { "upstream" } else { "local" }, "{id}");
    }
    // João's ERP links its PDF instead of sending base64: borda fetches the link.
    let pdf = harness.get("/v1/faturas/A-7781/boleto.pdf").await;
    assert_eq!(pdf.headers()["x-borda-origem"], "upstream");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    harness.stop().await;
}

#[tokio::test]
async fn offline_answers_come_from_the_cache_and_say_so() {
    let mut harness = Harness::start().await;
    let path = format!("/v1/clientes/{MARIA}/faturas");
    let (_, _, online) = harness.json(&path).await;
    let (_, _, fatura_online) = harness.json("/v1/faturas/10001").await;
    harness.stop_erp().await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, headers, offline) = harness.json(&path).await;
    assert_eq!(status, StatusCode::OK, "{offline}");
    assert_eq!(offline["origem"], "cache");
    assert_eq!(offline["faturas"], online["faturas"]);
    assert_eq!(offline["atualizado_em"], online["atualizado_em"]);
    assert!(headers["age"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    assert!(headers["cache-status"].to_str().unwrap().contains("hit"));
    let (status, _, fatura) = harness.json("/v1/faturas/10001").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fatura["valor_atual"], fatura_online["valor_atual"]);
    // Local rendering keeps the boleto printable while the ERP is down.
    let pdf = harness.get("/v1/faturas/10001/boleto.pdf").await;
    assert_eq!(pdf.headers()["x-borda-origem"], "local");
    let (status, _, ready) = harness.json("/readyz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ready["upstream"], "offline");
    harness.stop().await;
}

/// Runs `sql` on the daemon's SQLite file through a connection of its own, as an operator's `sqlite3` (or an older or
/// newer borda) would.
fn alter_store(path: &std::path::Path, sql: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn.execute_batch(sql).unwrap();
}

#[tokio::test]
async fn an_undecodable_cached_row_is_refetched_from_the_erp_not_a_503() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("borda.db");
    let store_path = db.clone();
    let mut harness = Harness::with(move |config| config.store.path = store_path).await;
    let lista = format!("/v1/clientes/{MARIA}/faturas");
    let cliente = format!("/v1/clientes/{MARIA}");
    let (_, _, online) = harness.json(&lista).await;
    let (_, _, cliente_online) = harness.json(&cliente).await;
    assert!(!online["faturas"].as_array().unwrap().is_empty(), "{online}");
    // What rows written before a field became required look like, and plain garbage.
    alter_store(
        &db,
        "UPDATE faturas SET json = json_remove(json, '$.valor_atual') WHERE id = '10001';
         UPDATE faturas SET json = '{' WHERE id <> '10001';
         UPDATE clientes SET json = json_remove(json, '$.nome');",
    );
    let (status, _, body) = harness.json(&lista).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["origem"], "upstream");
    assert_eq!(body["faturas"], online["faturas"]);
    let (status, _, body) = harness.json("/v1/faturas/10001").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["origem"], "upstream");
    let (status, _, body) = harness.json(&cliente).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["nome"], cliente_online["nome"]);
    // The refetch rewrote the rows: with the ERP gone, the cache answers again.
    harness.stop_erp().await;
    let (status, _, offline) = harness.json(&lista).await;
    assert_eq!(status, StatusCode::OK, "{offline}");
    assert_eq!(offline["origem"], "cache");
    assert_eq!(offline["faturas"], online["faturas"]);
    harness.stop().await;
}

#[tokio::test]
async fn offline_without_cache_is_503_in_portuguese() {
    let mut harness = Harness::start().await;
    harness.stop_erp().await;
    let (status, headers, body) = harness.json(&format!("/v1/clientes/{JOAO}/faturas")).await;
    assert_problem(status, &headers, &body, 503, "upstream_indisponivel");
    let (status, headers, body) = harness
        .post_json(
            &format!("/v1/clientes/{MARIA}/desbloqueio"),
            &serde_json::json!({"id_servico": "1"}),
        )
        .await;
    assert_problem(status, &headers, &body, 503, "upstream_indisponivel");
    harness.stop().await;
}

#[tokio::test]
async fn erp_errors_fall_back_to_the_cache_then_the_breaker_stops_asking() {
    let harness = Harness::start().await;
    let path = format!("/v1/clientes/{MARIA}/faturas");
    harness.json(&path).await;
    for modo in [Modo::Erro500, Modo::Lixo] {
        harness.erp().set_modo(modo.clone());
        let (status, _, body) = harness.json(&path).await;
        assert_eq!(status, StatusCode::OK, "{modo:?}: {body}");
        assert_eq!(body["origem"], "cache", "{modo:?}");
    }
    harness.erp().set_modo(Modo::Erro500);
    for _ in 0..5 {
        harness.json(&path).await;
    }
    let asked = harness.erp().requests();
    for _ in 0..20 {
        let (status, _, body) = harness.json(&path).await;
        assert_eq!((status, body["origem"].as_str()), (StatusCode::OK, Some("cache")));
    }
    assert!(
        harness.erp().requests() <= asked + 2,
        "the open breaker kept calling the ERP"
    );
    // Back to normal: the probe notices and answers are upstream again.
    harness.erp().set_modo(Modo::Normal);
    let mut origem = String::new();
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        origem = harness.json(&path).await.2["origem"].as_str().unwrap().to_owned();
        if origem == "upstream" {
            break;
        }
    }
    assert_eq!(origem, "upstream");
    harness.stop().await;
}

#[tokio::test]
async fn slow_erp_is_bounded_by_the_timeout() {
    let harness = Harness::start().await;
    let path = format!("/v1/clientes/{MARIA}/faturas");
    harness.json(&path).await;
    harness.erp().set_modo(Modo::Lento(Duration::from_secs(5)));
    let (status, _, body) = harness.json(&path).await;
    assert_eq!((status, body["origem"].as_str()), (StatusCode::OK, Some("cache")));
    harness.stop().await;
}

#[tokio::test]
async fn desbloqueio_online() {
    let harness = Harness::start().await;
    let (status, _, body) = harness
        .post_json(
            &format!("/v1/clientes/{MARIA}/desbloqueio"),
            &serde_json::json!({"id_servico": "501"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["status"].as_str().is_some_and(|s| !s.is_empty()), "{body}");
    harness.stop().await;
}

#[tokio::test]
async fn invalid_documento_is_422_before_going_upstream() {
    let harness = Harness::start().await;
    let before = harness.erp().requests();
    let (status, headers, body) = harness.json("/v1/clientes/123.456.789-00/faturas").await;
    assert_problem(status, &headers, &body, 422, "documento_invalido");
    assert_eq!(harness.erp().requests(), before, "nothing went upstream");
    harness.stop().await;
}

#[tokio::test]
async fn host_origin_token_and_body_guards() {
    let harness = Harness::with(|config| {
        config.api.token = "s3gredo".into();
        config.api.allowed_origins = vec!["http://localhost:3000".into()];
        config.api.body_limit = 1024;
    })
    .await;
    let url = format!(
        "{}/v1/boletos/00190500954014481606906809350314337370000000100",
        harness.base
    );
    let (status, headers, body) = send(harness.http.get(&url).header("host", "evil.example")).await;
    assert_problem(status, &headers, &body, 403, "host_nao_permitido");
    let (status, headers, body) = send(harness.http.get(&url)).await;
    assert_problem(status, &headers, &body, 401, "nao_autorizado");
    assert_eq!(headers["www-authenticate"], "Bearer");
    let (status, headers, body) = send(harness.http.get(&url).bearer_auth("errado")).await;
    assert_problem(status, &headers, &body, 401, "nao_autorizado");
    let (status, _, body) = send(harness.http.get(&url).bearer_auth("s3gredo")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["codigo_barras"], "00193373700000001000500940144816060680935031");
    let (status, headers, body) = send(
        harness
            .http
            .get(&url)
            .bearer_auth("s3gredo")
            .header("origin", "https://evil.example"),
    )
    .await;
    assert_problem(status, &headers, &body, 403, "origem_nao_permitida");
    let (status, headers, _) = send(
        harness
            .http
            .get(&url)
            .bearer_auth("s3gredo")
            .header("origin", "http://localhost:3000"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["access-control-allow-origin"], "http://localhost:3000");
    let preflight = harness
        .http
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "http://localhost:3000")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "preflight needs no token");
    let big = serde_json::json!({"payload": "x".repeat(4096)});
    let (status, headers, body) = send(
        harness
            .http
            .post(format!("{}/v1/pix/decode", harness.base))
            .bearer_auth("s3gredo")
            .json(&big),
    )
    .await;
    assert_problem(status, &headers, &body, 413, "corpo_grande_demais");
    // Liveness needs no token: systemd and the technician probe it.
    assert_eq!(harness.get("/healthz").await.status(), StatusCode::OK);
    harness.stop().await;
}

#[tokio::test]
async fn every_error_is_problem_json() {
    let harness = Harness::start().await;
    let (status, headers, body) = harness.json("/v1/nada").await;
    assert_problem(status, &headers, &body, 404, "nao_encontrado");
    let (status, headers, body) = harness.json("/v1/boletos/123").await;
    assert_problem(status, &headers, &body, 422, "linha_digitavel_invalida");
    assert!(body["detail"].as_str().unwrap().contains("recebidos 3"));
    let (status, headers, body) = send(
        harness
            .http
            .post(format!("{}/v1/pix/decode", harness.base))
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await;
    assert_problem(status, &headers, &body, 400, "json_malformado");
    let (status, headers, body) = send(harness.http.delete(format!("{}/v1/pix/decode", harness.base))).await;
    assert_problem(status, &headers, &body, 405, "metodo_nao_permitido");
    let (status, headers, body) = harness.json("/v1/faturas/nao-existe").await;
    assert_problem(status, &headers, &body, 404, "nao_encontrado");
    harness.stop().await;
}

#[tokio::test]
async fn stateless_formats() {
    let harness = Harness::start().await;
    let (status, _, boleto) = harness
        .json("/v1/boletos/84630000000-3%2029990296202-4%2000410136000-8%2000200644114-7")
        .await;
    assert_eq!(status, StatusCode::OK, "{boleto}");
    assert_eq!(boleto["tipo"], "arrecadacao");
    let (_, _, encoded) = harness
        .post_json(
            "/v1/pix/encode",
            &serde_json::json!({"chave": "52998224725", "nome": "Loja", "cidade": "Recife", "valor": "12.34"}),
        )
        .await;
    let payload = encoded["payload"].as_str().unwrap();
    let (_, _, decoded) = harness
        .post_json("/v1/pix/decode", &serde_json::json!({ "payload": payload }))
        .await;
    assert_eq!(decoded["valor"], "12.34");
    assert_eq!(decoded["chave"], "52998224725");
    let qr = harness
        .http
        .get(format!("{}/v1/pix/qr.svg", harness.base))
        .query(&[("payload", payload)])
        .send()
        .await
        .unwrap();
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    let (status, headers, body) = harness.json("/v1/pix/qr.png?payload=000201").await;
    assert_problem(status, &headers, &body, 422, "pix_invalido");
    harness.stop().await;
}

/// `POST /v1/pix/encode` with this exact JSON text as the body (numbers reach the server as written).
async fn pix_encode_raw(harness: &Harness, valor_json: &str) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let body = format!(r#"{{"chave": "52998224725", "nome": "Loja", "cidade": "Recife", "valor": {valor_json}}}"#);
    send(
        harness
            .http
            .post(format!("{}/v1/pix/encode", harness.base))
            .header("content-type", "application/json")
            .body(body),
    )
    .await
}

#[tokio::test]
async fn pix_encode_refuses_money_it_cannot_read_exactly_naming_valor() {
    let harness = Harness::start().await;
    for valor in [
        r#""1e309""#,
        r#""12e345e678""#,
        r#""1x000""#,
        r#""1_309""#,
        r#""1'309""#,
        r#""1 309""#,
        r#""R$ 12,50""#,
        r#""-12.50""#,
        r#""10.001""#,
        "10.001",
        "1e309",
        "1.25e1",
        "-12.5",
    ] {
        let (status, headers, body) = pix_encode_raw(&harness, valor).await;
        assert_problem(status, &headers, &body, 422, "valor_invalido");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.starts_with("valor: "), "{valor}: {detail}");
    }
    let (_, _, body) = pix_encode_raw(&harness, "1e2").await;
    assert!(body["detail"].as_str().unwrap().contains("expoente"), "{body}");
    harness.stop().await;
}

#[tokio::test]
async fn pix_encode_reads_a_json_number_from_its_text() {
    let harness = Harness::start().await;
    for (valor, esperado) in [
        ("12.5", "12.50"),
        ("12", "12.00"),
        (r#""12,50""#, "12.50"),
        (r#""1.234,56""#, "1234.56"),
    ] {
        let (status, _, body) = pix_encode_raw(&harness, valor).await;
        assert_eq!(status, StatusCode::OK, "{valor}: {body}");
        let payload = body["payload"].as_str().unwrap();
        let campo = format!("54{:02}{esperado}", esperado.len());
        assert!(payload.contains(&campo), "{valor}: {payload} lacks {campo}");
        let (_, _, decoded) = harness
            .post_json("/v1/pix/decode", &serde_json::json!({ "payload": payload }))
            .await;
        assert_eq!(decoded["valor"], esperado, "{valor}");
    }
    harness.stop().await;
}

#[tokio::test]
async fn health_readiness_and_openapi() {
    let harness = Harness::start().await;
    assert_eq!(harness.get("/healthz").await.status(), StatusCode::OK);
    let (status, _, ready) = harness.json("/readyz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ready["db"], "ok");
    assert_eq!(ready["upstream"], "online");
    assert_eq!(ready["outbox"]["pendentes"], 0);
    let (status, _, openapi) = harness.json("/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(openapi["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/v1/clientes/{documento}/faturas",
        "/v1/faturas/{id}/boleto.pdf",
        "/v1/pix/decode",
        "/readyz",
    ] {
        assert!(
            openapi["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    harness.stop().await;
}

/// Sends `request` as raw bytes and answers the status line and the rest.
async fn raw(harness: &Harness, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(harness.base.trim_start_matches("http://"))
        .await
        .unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the server answers and closes")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn two_host_headers_are_400() {
    let harness = Harness::start().await;
    let host = harness.base.trim_start_matches("http://").to_owned();
    let answer = raw(
        &harness,
        &format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\nHost: evil.example\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(answer.contains("cabecalho_repetido"), "{answer}");
    let answer = raw(
        &harness,
        &format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    harness.stop().await;
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let token = "um-token-bem-comprido";
    let harness = Harness::with(|config| config.api.token = token.into()).await;
    let url = format!(
        "{}/v1/boletos/00190500954014481606906809350314337370000000100",
        harness.base
    );
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let (status, _, body) = send(
            harness
                .http
                .get(&url)
                .header("authorization", format!("{scheme} {token}")),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{scheme}: {body}");
    }
    for wrong in [
        format!("Bearer {}", token.to_uppercase()),
        format!("Basic {token}"),
        format!("Bearer{token}"),
    ] {
        let (status, headers, body) = send(harness.http.get(&url).header("authorization", wrong)).await;
        assert_problem(status, &headers, &body, 401, "nao_autorizado");
    }
    harness.stop().await;
}

#[tokio::test]
async fn json_body_errors_are_portuguese_and_name_the_field() {
    let harness = Harness::start().await;
    let english = |body: &Value| {
        let detail = body["detail"].as_str().unwrap();
        assert!(
            !detail.contains("Failed") && !detail.contains("missing field") && !detail.contains("invalid type"),
            "{detail}"
        );
        detail.to_owned()
    };
    let (status, headers, body) = harness
        .post_json("/v1/pix/decode", &serde_json::json!({"payload": 12}))
        .await;
    assert_problem(status, &headers, &body, 422, "json_invalido");
    assert!(english(&body).contains("`payload`: tipo inválido"), "{body}");
    let (status, headers, body) = harness
        .post_baixa("10001", Some("k-json"), &serde_json::json!({"valor": "1.00"}))
        .await;
    assert_problem(status, &headers, &body, 422, "json_invalido");
    assert!(english(&body).contains("campo obrigatório `forma` ausente"), "{body}");
    let mut unknown = common::harness::pix_body("99.90");
    unknown["foo"] = Value::from(1);
    let (status, headers, body) = harness.post_baixa("10001", Some("k-json"), &unknown).await;
    assert_problem(status, &headers, &body, 422, "json_invalido");
    assert!(english(&body).contains("campo desconhecido `foo`"), "{body}");
    let mut nested = common::harness::pix_body("99.90");
    nested["transacao"]["e2e_id"] = Value::from(5);
    let (status, headers, body) = harness.post_baixa("10001", Some("k-json"), &nested).await;
    assert_problem(status, &headers, &body, 422, "json_invalido");
    assert!(english(&body).contains("`transacao.e2e_id`: tipo inválido"), "{body}");
    for malformed in ["{not json", "{\"payload\": \"x\"} trailing", ""] {
        let (status, headers, body) = send(
            harness
                .http
                .post(format!("{}/v1/pix/decode", harness.base))
                .header("content-type", "application/json")
                .body(malformed),
        )
        .await;
        assert_problem(status, &headers, &body, 400, "json_malformado");
        english(&body);
    }
    harness.stop().await;
}

#[tokio::test]
async fn ids_with_control_characters_or_too_long_are_422_and_never_go_upstream() {
    let harness = Harness::start().await;
    let before = harness.erp().requests();
    let long = "9".repeat(101);
    for path in [
        "/v1/faturas/10001%0D%0AX-Injetado:%201".to_owned(),
        "/v1/faturas/10001%0A/boleto.pdf".to_owned(),
        "/v1/faturas/10001%00/pix.png".to_owned(),
        format!("/v1/faturas/{long}"),
        format!("/v1/faturas/{long}/codigo-de-barras.svg"),
        "/v1/baixas/abc%0D%0A".to_owned(),
        format!("/v1/clientes/{MARIA}/faturas?contrato=C-1002%0D%0A"),
    ] {
        let (status, headers, body) = harness.json(&path).await;
        assert_problem(status, &headers, &body, 422, "id_invalido");
        assert!(!body["detail"].as_str().unwrap().is_empty(), "{path}");
    }
    let (status, body) = harness.post("/v1/baixas/abc%0A/reenviar").await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (422, Some("id_invalido")),
        "{body}"
    );
    let desbloqueio = format!("/v1/clientes/{MARIA}/desbloqueio");
    for id in ["501\r\n".to_owned(), "5\u{1}01".to_owned(), "5".repeat(60 * 1024)] {
        let (status, headers, body) = harness
            .post_json(&desbloqueio, &serde_json::json!({ "id_servico": id }))
            .await;
        assert_problem(status, &headers, &body, 422, "id_invalido");
        assert!(body["detail"].as_str().unwrap().contains("id_servico"), "{body}");
    }
    assert_eq!(harness.erp().requests(), before, "nothing went upstream");
    harness.stop().await;
}

#[tokio::test]
async fn a_503_carries_retry_after() {
    let mut harness = Harness::start().await;
    harness.stop_erp().await;
    let (status, headers, body) = harness.json(&format!("/v1/clientes/{JOAO}/faturas")).await;
    assert_problem(status, &headers, &body, 503, "upstream_indisponivel");
    assert_eq!(headers["retry-after"], "30");
    harness.stop().await;
}

#[tokio::test]
async fn the_offline_boleto_pdf_says_how_old_it_is() {
    let mut harness = Harness::start().await;
    let (status, _, _) = harness.json("/v1/faturas/10002").await;
    assert_eq!(status, StatusCode::OK);
    harness.stop_erp().await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let pdf = harness.get("/v1/faturas/10002/boleto.pdf").await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["x-borda-origem"], "local");
    let age: u64 = pdf.headers()["age"].to_str().unwrap().parse().unwrap();
    assert!(age >= 1, "{age}");
    assert!(pdf.headers()["cache-status"].to_str().unwrap().contains("hit"));
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    harness.stop().await;
}

#[tokio::test]
async fn a_cached_answer_carries_an_etag_and_if_none_match_gets_304() {
    let harness = Harness::start().await;
    let path = "/v1/clientes/52998224725/faturas";
    let first = harness.get(path).await;
    assert_eq!(first.status(), reqwest::StatusCode::OK);
    let tag = first.headers()["etag"].to_str().unwrap().to_owned();
    let url = format!("{}{path}", harness.base);
    let again = harness
        .http
        .get(&url)
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), reqwest::StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["etag"], tag.as_str());
    assert!(again.headers().contains_key("cache-status"), "freshness still said");
    assert!(again.bytes().await.unwrap().is_empty(), "no body");
    let other = harness
        .http
        .get(&url)
        .header("if-none-match", "\"outra\"")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), reqwest::StatusCode::OK);
    // A payment changes the list, so its tag.
    let faturas: serde_json::Value = other.json().await.unwrap();
    let fatura = &faturas["faturas"][0];
    let body = common::harness::pix_body(fatura["valor_atual"].as_str().unwrap());
    let (status, _, _) = harness
        .post_baixa(fatura["id"].as_str().unwrap(), Some("etag-1"), &body)
        .await;
    assert_eq!(status, reqwest::StatusCode::ACCEPTED);
    let changed = harness
        .http
        .get(&url)
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), reqwest::StatusCode::OK);
    assert_ne!(changed.headers()["etag"], tag.as_str());
    harness.stop().await;
}

/// A file whose faturas table is damaged: start-up (which reads only the schema) serves, the background check finds
/// the damage, and `/readyz` is a 503 whose body says what SQLite found and which part stopped (the daemon under
/// systemd then exits: `tests/systemd_notify.rs`).
#[tokio::test]
async fn readiness_reports_a_damaged_database_file_in_its_own_body() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("borda.db");
    let harness = Harness::with(|config| config.store.path = db.clone()).await;
    assert_eq!(
        harness.json(&format!("/v1/clientes/{MARIA}/faturas")).await.0,
        StatusCode::OK
    );
    harness.stop().await;
    common::danificar_tabela(&db, "faturas");

    let harness = Harness::with(|config| config.store.path = db.clone()).await;
    let mut ready = (StatusCode::OK, Value::Null);
    for _ in 0..100 {
        let (status, _, body) = harness.json("/readyz").await;
        ready = (status, body);
        if ready.1["integridade"] != "verificando" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (status, body) = ready;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        body["integridade"].as_str().unwrap().len() > 2,
        "SQLite's report: {body}"
    );
    assert_ne!(body["integridade"], "ok");
    // The part that found it stops right after it says so.
    let mut paradas = body["partes_paradas"].clone();
    for _ in 0..100 {
        if paradas.as_array().is_some_and(|partes| !partes.is_empty()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        paradas = harness.json("/readyz").await.2["partes_paradas"].clone();
    }
    assert!(
        paradas[0].as_str().unwrap().starts_with("verificação do banco"),
        "{paradas}"
    );
    assert_eq!(
        body["outbox"]["pendentes"], 0,
        "the outbox counts are still said: {body}"
    );
    harness.stop().await;
}

#[tokio::test]
async fn readiness_reports_the_background_check_of_the_database_file() {
    let harness = Harness::start().await;
    let mut ready = Value::Null;
    for _ in 0..100 {
        ready = harness.json("/readyz").await.2;
        if ready["integridade"] != "verificando" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(ready["integridade"], "ok", "{ready}");
    harness.stop().await;
}

/// The memory of ready answers against payments: many rounds of "pay one fatura, read at once", with readers hammering
/// the same list and the fatura meanwhile. A read that starts after a payment was acknowledged never shows that fatura
/// as open, from memory or anywhere else; and the memory did answer most reads, saying how fresh it is as the store's
/// copy would.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_memory_never_offers_a_fatura_paid_before_the_read() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    const RODADAS: usize = 100;
    const LEITORES: usize = 6;
    let harness = Arc::new(Harness::with(|config| config.cache.fresh_secs = 3600).await);
    harness.erp().listar_carga(RODADAS);
    let lista = format!("/v1/clientes/{}/faturas", borda::demo::CLIENTE_CARGA);
    let (status, _, body) = harness.json(&lista).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["faturas"].as_array().unwrap().len(), RODADAS);
    // From the store's copy, then from memory: both fresh, both said so, with one tag; from memory, a 304 too.
    let mut tags = Vec::new();
    for _ in 0..2 {
        let (_, headers, again) = harness.json(&lista).await;
        assert_eq!(again["origem"], "cache");
        assert!(
            headers["cache-status"]
                .to_str()
                .unwrap()
                .starts_with("borda; hit; ttl=")
        );
        assert_eq!(again["faturas"], body["faturas"]);
        tags.push(headers["etag"].clone());
    }
    assert_eq!(tags[0], tags[1]);
    let url = format!("{}{lista}", harness.base);
    let nao_mudou = harness
        .http
        .get(&url)
        .header("if-none-match", &tags[0])
        .send()
        .await
        .unwrap();
    assert_eq!(nao_mudou.status(), StatusCode::NOT_MODIFIED);
    assert!(nao_mudou.headers().contains_key("age"));
    assert!(nao_mudou.bytes().await.unwrap().is_empty());

    // `pagas`: how many of L-1, L-2… had their POST acknowledged. A reader takes it before it sends.
    let pagas = Arc::new(AtomicUsize::new(0));
    let parar = Arc::new(AtomicBool::new(false));
    let leitores: Vec<_> = (0..LEITORES)
        .map(|leitor| {
            let (harness, pagas, parar, lista) = (
                Arc::clone(&harness),
                Arc::clone(&pagas),
                Arc::clone(&parar),
                lista.clone(),
            );
            tokio::spawn(async move {
                let mut leituras = 0;
                while !parar.load(Ordering::SeqCst) {
                    let antes = pagas.load(Ordering::SeqCst);
                    if leitor % 2 == 0 {
                        let (status, _, body) = harness.json(&lista).await;
                        assert_eq!(status, StatusCode::OK, "{body}");
                        for fatura in body["faturas"].as_array().unwrap() {
                            let numero: usize = fatura["id"].as_str().unwrap()[2..].parse().unwrap();
                            assert!(
                                numero > antes,
                                "L-{numero} was paid before this read, and is listed: {body}"
                            );
                        }
                    } else if antes > 0 {
                        let (status, _, body) = harness.json(&format!("/v1/faturas/L-{antes}")).await;
                        assert_eq!(status, StatusCode::OK, "{body}");
                        assert!(body["baixa"].is_object(), "L-{antes} shown without its baixa: {body}");
                    }
                    leituras += 1;
                }
                leituras
            })
        })
        .collect();
    for numero in 1..=RODADAS {
        let id = format!("L-{numero}");
        // The fatura read by id first, so that memory holds it open too.
        let (_, _, fatura) = harness.json(&format!("/v1/faturas/{id}")).await;
        assert!(fatura["baixa"].is_null(), "{fatura}");
        let body = common::harness::pix_body("10.00");
        let (status, _, baixa) = harness.post_baixa(&id, Some(&format!("memoria-{numero}")), &body).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{baixa}");
        pagas.store(numero, Ordering::SeqCst);
        let (_, _, lista_agora) = harness.json(&lista).await;
        let ids: Vec<&str> = lista_agora["faturas"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        assert!(
            !ids.contains(&id.as_str()),
            "{id} listed right after its payment: {ids:?}"
        );
        assert_eq!(ids.len(), RODADAS - numero);
        let (_, _, agora) = harness.json(&format!("/v1/faturas/{id}")).await;
        assert_eq!(agora["baixa"]["id"], baixa["id"], "{agora}");
    }
    parar.store(true, Ordering::SeqCst);
    let mut leituras = 0;
    for leitor in leitores {
        leituras += leitor.await.unwrap();
    }
    let (_, _, ready) = harness.json("/readyz").await;
    let acertos = ready["memoria"]["acertos"].as_u64().unwrap();
    assert!(leituras > RODADAS * 4, "the readers ran: {leituras}");
    assert!(
        acertos > 0 && ready["memoria"]["faltas"].as_u64().unwrap() > 0,
        "{ready}"
    );
    assert!(ready["memoria"]["bytes"].as_u64().unwrap() <= ready["memoria"]["limite_bytes"].as_u64().unwrap());
}

/// Sixty-four reads of one list that all miss at once (here: no freshness, a slow ERP) make one request to the ERP,
/// and all get its answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_reads_of_one_list_share_one_request_to_the_erp() {
    let harness = std::sync::Arc::new(Harness::start().await);
    harness.erp().set_modo(Modo::Lento(Duration::from_millis(200)));
    let pedidos = |harness: &Harness| {
        harness
            .erp()
            .pedidos()
            .iter()
            .filter(|pedido| pedido.caminho != "/")
            .count()
    };
    let antes = pedidos(&harness);
    let leituras: Vec<_> = (0..64)
        .map(|_| {
            let harness = std::sync::Arc::clone(&harness);
            tokio::spawn(async move { harness.json(&format!("/v1/clientes/{MARIA}/faturas")).await })
        })
        .collect();
    let mut corpos = Vec::new();
    for leitura in leituras {
        let (status, headers, body) = leitura.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["origem"], "upstream");
        assert_eq!(headers["age"], "0");
        corpos.push(body);
    }
    assert!(corpos.windows(2).all(|par| par[0] == par[1]));
    assert_eq!(pedidos(&harness) - antes, 1, "one request to the ERP for all of them");
}

/// `/metrics` parses as Prometheus text: requests counted by route template (never by a path with a CPF in it) and
/// status, the ERP's circuit, the memory, the outbox; and no document anywhere in it.
#[tokio::test]
async fn metrics_parse_as_prometheus_text_and_hold_no_document() {
    let harness = Harness::start().await;
    for _ in 0..3 {
        harness.json(&format!("/v1/clientes/{MARIA}/faturas")).await;
    }
    harness.json("/v1/clientes/123/faturas").await;
    let response = harness.get("/metrics").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let texto = response.text().await.unwrap();
    assert!(!texto.contains(MARIA) && !texto.contains("123/"), "{texto}");
    let linhas = texto.lines().map(|line| Ok(line.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(linhas).unwrap();
    let valor = |nome: &str, rotulos: &[(&str, &str)]| -> Option<f64> {
        scrape
            .samples
            .iter()
            .find(|sample| sample.metric == nome && rotulos.iter().all(|(k, v)| sample.labels.get(k) == Some(*v)))
            .map(|sample| match sample.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => v,
                _ => f64::NAN,
            })
    };
    let rota = "/v1/clientes/:documento/faturas";
    assert_eq!(
        valor("borda_http_requests_total", &[("rota", rota), ("status", "200")]),
        Some(3.0),
        "{texto}"
    );
    assert_eq!(
        valor("borda_http_requests_total", &[("rota", rota), ("status", "422")]),
        Some(1.0)
    );
    assert!(
        scrape
            .samples
            .iter()
            .any(|s| s.metric == "borda_http_request_duration_seconds"),
        "{texto}"
    );
    assert_eq!(valor("borda_upstream_up", &[("upstream", "erp")]), Some(1.0));
    assert!(
        valor(
            "borda_upstream_calls_total",
            &[("upstream", "erp"), ("desfecho", "respondeu")]
        )
        .unwrap()
            >= 3.0
    );
    assert_eq!(valor("borda_outbox_baixas", &[("status", "pendente")]), Some(0.0));
    assert!(valor("borda_memory_misses_total", &[]).is_some());
    assert_eq!(valor("borda_print_jobs", &[("status", "impressa")]), Some(0.0));
    harness.stop().await;
}

/// The heartbeat in `/metrics`: the running version, when the daemon started, and when the ERP last answered (no
/// point until it has).
#[tokio::test]
async fn metrics_carry_the_heartbeat() {
    let agora = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
            .floor()
    };
    let antes = agora();
    let harness = Harness::start().await;
    let ler = || async {
        let texto = harness.get("/metrics").await.text().await.unwrap();
        let linhas = texto.lines().map(|line| Ok(line.to_owned()));
        let scrape = prometheus_parse::Scrape::parse(linhas).unwrap();
        let valor = |nome: &str, rotulos: &[(&str, &str)]| {
            scrape
                .samples
                .iter()
                .find(|s| s.metric == nome && rotulos.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
                .map(|s| match s.value {
                    prometheus_parse::Value::Gauge(v) => v,
                    _ => f64::NAN,
                })
        };
        (
            valor("borda_build_info", &[("versao", env!("CARGO_PKG_VERSION"))]),
            valor("borda_start_time_seconds", &[]),
            valor("borda_upstream_last_answer_timestamp_seconds", &[("upstream", "erp")]),
            valor("borda_outbox_last_synced_timestamp_seconds", &[]),
        )
    };
    let (versao, inicio, resposta, sincronizada) = ler().await;
    assert_eq!(sincronizada, None, "nothing was synced yet");
    assert_eq!(versao, Some(1.0));
    let inicio = inicio.unwrap();
    assert!(antes <= inicio && inicio <= agora(), "{antes} <= {inicio}");
    assert_eq!(resposta, None, "the ERP has not been asked yet");
    let antes = agora();
    harness.json(&format!("/v1/clientes/{MARIA}")).await;
    let (_, depois, resposta, _) = ler().await;
    assert_eq!(depois, Some(inicio), "the start does not move");
    let resposta = resposta.unwrap();
    assert!(antes <= resposta && resposta <= agora(), "{antes} <= {resposta}");
    let antes = agora();
    let (_, _, fatura) = harness.json("/v1/faturas/10001").await;
    let body = common::harness::pix_body(fatura["valor_atual"].as_str().unwrap());
    let (status, _, baixa) = harness.post_baixa("10001", Some("ultima"), &body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{baixa}");
    harness
        .wait_baixa(baixa["id"].as_str().unwrap(), |b| b["status"] == "sincronizada")
        .await;
    let sincronizada = ler().await.3.unwrap();
    assert!(
        antes <= sincronizada && sincronizada <= agora(),
        "{antes} <= {sincronizada}"
    );
    harness.stop().await;
}

/// A page walking the customer base is stopped: past `api.documentos_por_minuto` different documents a client gets
/// 429 with `Retry-After`, while the customers it already looked up still answer.
#[tokio::test]
async fn too_many_different_customers_in_a_minute_is_429() {
    let harness = Harness::with(|config| config.api.documentos_por_minuto = 2).await;
    assert_eq!(
        harness.json(&format!("/v1/clientes/{MARIA}/faturas")).await.0,
        StatusCode::OK
    );
    assert_eq!(harness.json(&format!("/v1/clientes/{JOAO}")).await.0, StatusCode::OK);
    let (status, headers, body) = harness.json(&format!("/v1/clientes/{CARLOS}/faturas")).await;
    assert_problem(status, &headers, &body, 429, "consultas_demais");
    assert!(headers["retry-after"].to_str().unwrap().parse::<u64>().unwrap() <= 60);
    // The same two, however written, still answer; an invalid one is still a 422.
    assert_eq!(
        harness.json("/v1/clientes/529.982.247-25/contratos").await.0,
        StatusCode::OK
    );
    assert_eq!(
        harness.json(&format!("/v1/clientes/{JOAO}/faturas")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        harness.json("/v1/clientes/123/faturas").await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    harness.stop().await;
}

/// The reference kiosk page is served at `/` only when `[api] kiosk = true`, embedded, with headers that keep it from
/// being framed or loading anything from elsewhere; its requests carry the API's own origin, which the guards then let
/// through. (The flow itself runs in a real browser: `tests/kiosk_browser.rs`.)
#[tokio::test]
async fn the_kiosk_page_is_served_only_when_enabled() {
    let harness = Harness::start().await;
    assert_eq!(harness.get("/").await.status(), StatusCode::NOT_FOUND);
    let origem = harness.post_origin("/v1/sync").await;
    assert_eq!(origem, StatusCode::FORBIDDEN, "an origin not configured is refused");
    harness.stop().await;

    let harness = Harness::with(|config| config.api.kiosk = true).await;
    let pagina = harness.get("/").await;
    assert_eq!(pagina.status(), StatusCode::OK);
    let csp = pagina.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(
        csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(pagina.text().await.unwrap().contains("/kiosk/kiosk.js"));
    for (caminho, tipo) in [("/kiosk/kiosk.js", "text/javascript"), ("/kiosk/kiosk.css", "text/css")] {
        let recurso = harness.get(caminho).await;
        assert_eq!(recurso.status(), StatusCode::OK, "{caminho}");
        assert!(
            recurso.headers()["content-type"].to_str().unwrap().starts_with(tipo),
            "{caminho}"
        );
    }
    let (_, _, configuracao) = harness.json("/kiosk/config.json").await;
    assert_eq!(configuracao["simular_pagamento"], false, "{configuracao}");
    assert_eq!(
        harness.post_origin("/v1/sync").await,
        StatusCode::ACCEPTED,
        "the page's own origin"
    );
    harness.stop().await;
}
