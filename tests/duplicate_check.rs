//! The duplicate check the crash test relies on can fail: the demo ERP books every baixa POST it receives, as the
//! real (not idempotent) ERP does, so a client that posts one baixa twice leaves a double write-off that
//! `common::duplicadas` reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::net::SocketAddr;

use borda::demo::DemoErp;
use serde_json::json;

/// POSTs one baixa of `fatura` straight to the demo ERP's baixa route, as a broken client would.
async fn post_baixa(http: &reqwest::Client, erp: &DemoErp, fatura: &str, chave: &str) -> reqwest::Response {
    http.post(format!("{}/api/baixas", erp.base_url()))
        .header("authorization", "Bearer demo-borda")
        .header("idempotency-key", chave)
        .json(&json!({ "id_fatura": fatura, "id_cliente": "501", "valor": "99.90" }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_double_posting_sender_is_caught_by_the_duplicate_check() {
    common::install_crypto();
    let erp = DemoErp::start(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
    let http = reqwest::Client::new();
    assert!(common::duplicadas(&erp.baixas_recebidas()).is_empty());

    let first = post_baixa(&http, &erp, "10001", "baixa-1").await;
    assert_eq!(first.status(), reqwest::StatusCode::OK);
    let first: serde_json::Value = first.json().await.unwrap();
    let other = post_baixa(&http, &erp, "10003", "baixa-2").await;
    assert_eq!(other.status(), reqwest::StatusCode::OK);
    assert!(common::duplicadas(&erp.baixas_recebidas()).is_empty(), "one each");

    // The same baixa again: a real ERP books it again and answers as the first time.
    let again = post_baixa(&http, &erp, "10001", "baixa-1").await;
    assert_eq!(again.status(), reqwest::StatusCode::OK, "booked again, like the first");
    assert_eq!(again.json::<serde_json::Value>().await.unwrap(), first);

    let recebidas = erp.baixas_recebidas();
    assert_eq!(common::duplicadas(&recebidas), [("10001".to_owned(), 2)]);
    let order: Vec<(&str, Option<&str>)> = recebidas
        .iter()
        .map(|b| (b.id_fatura.as_str(), b.chave.as_deref()))
        .collect();
    assert_eq!(
        order,
        [
            ("10001", Some("baixa-1")),
            ("10003", Some("baixa-2")),
            ("10001", Some("baixa-1"))
        ],
        "recorded in arrival order"
    );
    assert!(recebidas.windows(2).all(|w| w[0].recebida_em <= w[1].recebida_em));
    assert_eq!(recebidas[2].corpo["valor"], "99.90");
    let posts = erp.posts_de_baixa();
    assert_eq!(posts.len(), 3);
    assert!(posts.iter().all(|p| p.baixada));
    erp.stop().await;
}

#[tokio::test]
async fn every_post_is_recorded_booked_or_not() {
    common::install_crypto();
    let erp = DemoErp::start(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
    let http = reqwest::Client::new();
    let unknown = post_baixa(&http, &erp, "99999", "baixa-9").await;
    assert_eq!(unknown.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    erp.set_modo_baixa(borda::demo::ModoBaixa::Erro500);
    let failed = post_baixa(&http, &erp, "10001", "baixa-1").await;
    assert_eq!(failed.status(), reqwest::StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(erp.baixas_recebidas(), []);
    let posts = erp.posts_de_baixa();
    let seen: Vec<(Option<&str>, bool)> = posts.iter().map(|p| (p.id_fatura.as_deref(), p.baixada)).collect();
    assert_eq!(seen, [(Some("99999"), false), (Some("10001"), false)]);
    assert_eq!(posts[1].chave.as_deref(), Some("baixa-1"));
    assert!(posts[1].corpo.contains("\"id_fatura\":\"10001\""), "{}", posts[1].corpo);
    erp.stop().await;
}
