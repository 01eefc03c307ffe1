//! Baixas end to end in one process: the real router on a real socket, a real
//! SQLite file and the demo ERP as the upstream, switched into each failure
//! the issue names. The property under test everywhere: a payment that got a
//! 202 reaches the ERP exactly once, and its fatura is never offered again.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use borda::demo::{Modo, ModoBaixa};
use common::harness::{Harness, assert_problem, pix_body, tef_body};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

const MARIA: &str = "52998224725";

/// How many times the demo ERP booked a baixa of `fatura`.
fn booked(harness: &Harness, fatura: &str) -> usize {
    harness
        .erp()
        .baixas_recebidas()
        .iter()
        .filter(|baixa| baixa.id_fatura == fatura)
        .count()
}

async fn valor_atual(harness: &Harness, fatura: &str) -> String {
    harness.json(&format!("/v1/faturas/{fatura}")).await.2["valor_atual"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn synced(baixa: &Value) -> bool {
    baixa["status"] == "sincronizada"
}

#[tokio::test]
async fn a_baixa_is_recorded_then_synced_once_and_the_fatura_is_no_longer_open() {
    let harness = Harness::start().await;
    let valor = valor_atual(&harness, "10001").await;
    let body = pix_body(&valor);
    let (status, headers, baixa) = harness.post_baixa("10001", Some("pedido-1"), &body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{baixa}");
    let id = baixa["id"].as_str().unwrap().to_owned();
    assert_eq!(headers["location"], format!("/v1/baixas/{id}"));
    assert_eq!(baixa["fatura_id"], "10001");
    assert_eq!(baixa["valor"], valor);
    assert_eq!(baixa["transacao"]["e2e_id"], body["transacao"]["e2e_id"]);
    let baixa = harness.wait_baixa(&id, synced).await;
    assert_eq!(baixa["reconciliada"], false);
    assert!(baixa["sincronizada_em"].is_string());
    assert_eq!(booked(&harness, "10001"), 1);
    let received = harness.erp().baixas_recebidas();
    assert_eq!(
        received[0].chave.as_deref(),
        Some(id.as_str()),
        "borda's baixa id is the ERP's idempotency key"
    );
    let (_, _, lista) = harness.json(&format!("/v1/clientes/{MARIA}/faturas")).await;
    assert!(
        lista["faturas"].as_array().unwrap().iter().all(|f| f["id"] != "10001"),
        "{lista}"
    );
    let (status, _, fatura) = harness.json("/v1/faturas/10001").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fatura["baixa"]["status"], "sincronizada");
    harness.stop().await;
}

#[tokio::test]
async fn idempotency_keys_and_second_payments() {
    let harness = Harness::start().await;
    let valor = valor_atual(&harness, "10003").await;
    let body = tef_body(&valor);
    let (status, headers, body_problem) = harness.post_baixa("10003", None, &body).await;
    assert_problem(status, &headers, &body_problem, 400, "idempotency_key_ausente");
    for invalid in ["   ", &"k".repeat(300), "chave-çã"] {
        let (status, headers, body_problem) = harness.post_baixa("10003", Some(invalid), &body).await;
        assert_problem(status, &headers, &body_problem, 400, "idempotency_key_invalida");
    }
    let (status, _, first) = harness.post_baixa("10003", Some("k-10003"), &body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{first}");
    let (status, headers, again) = harness.post_baixa("10003", Some("k-10003"), &body).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(again["id"], first["id"], "the same key and body answer the same baixa");
    let (status, headers, problem) = harness.post_baixa("10003", Some("k-10003"), &pix_body(&valor)).await;
    assert_problem(status, &headers, &problem, 409, "idempotency_conflict");
    let (status, headers, problem) = harness.post_baixa("10003", Some("outra-chave"), &body).await;
    assert_problem(status, &headers, &problem, 409, "fatura_ja_paga");
    harness.wait_baixa(first["id"].as_str().unwrap(), synced).await;
    assert_eq!(booked(&harness, "10003"), 1);
    let (_, _, listed) = harness.json("/v1/baixas?status=sincronizada").await;
    let listed = listed["baixas"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0]["transacao"]["comprovante_cliente"][0], "  VIA CLIENTE  ",
        "kept verbatim"
    );
    harness.stop().await;
}

#[tokio::test]
async fn invalid_baixas_are_refused_naming_the_field() {
    let harness = Harness::start().await;
    let valor = valor_atual(&harness, "10001").await;
    let mut cases: Vec<(&str, Value, u16, &str, &str)> = vec![
        ("nao-existe", pix_body(&valor), 404, "nao_encontrado", ""),
        ("10001", pix_body("1.00"), 422, "baixa_invalida", "valor"),
        ("10001", pix_body("abc"), 422, "baixa_invalida", "valor"),
        ("10001", pix_body("0"), 422, "baixa_invalida", "valor"),
    ];
    let mut bad_e2e = pix_body(&valor);
    bad_e2e["transacao"]["e2e_id"] = "123".into();
    cases.push(("10001", bad_e2e, 422, "baixa_invalida", "e2e_id"));
    let mut bad_forma = pix_body(&valor);
    bad_forma["forma"] = "boleto".into();
    cases.push(("10001", bad_forma, 422, "baixa_invalida", "forma"));
    let mut future = pix_body(&valor);
    future["pago_em"] = "2099-01-01T00:00:00Z".into();
    cases.push(("10001", future, 422, "baixa_invalida", "pago_em"));
    let mut tef_without_nsu = tef_body(&valor);
    tef_without_nsu["transacao"]["nsu"] = Value::Null;
    cases.push(("10001", tef_without_nsu, 422, "baixa_invalida", "nsu"));
    for (index, (fatura, body, status_expected, code, field)) in cases.into_iter().enumerate() {
        let (status, headers, problem) = harness.post_baixa(fatura, Some(&format!("k{index}")), &body).await;
        assert_problem(status, &headers, &problem, status_expected, code);
        assert!(problem["detail"].as_str().unwrap().contains(field), "{problem}");
    }
    let (_, _, all) = harness.json("/v1/baixas").await;
    assert!(all["baixas"].as_array().unwrap().is_empty(), "nothing was recorded");
    harness.stop().await;
}

#[tokio::test]
async fn a_baixa_valor_that_is_not_exact_money_is_422_naming_valor_and_never_recorded() {
    let harness = Harness::start().await;
    assert_eq!(valor_atual(&harness, "10001").await, "99.90");
    // Each of these was once read as R$ 99,90 (or, for "1x000", R$ 1.000,00): exponent, stray separators, sign,
    // currency, and JSON numbers through f64.
    let mut bodies: Vec<Value> = [
        "1x000", "0_099.90", "0'099,90", "0 099,90", "0e099.90", "+99.90", "R$ 99,90",
    ]
    .into_iter()
    .map(pix_body)
    .collect();
    for number in ["9.99e1", "99.900", "99.9000000000000001"] {
        let mut body = pix_body("");
        body["valor"] = serde_json::from_str(number).unwrap();
        bodies.push(body);
    }
    for (index, body) in bodies.iter().enumerate() {
        let (status, headers, problem) = harness.post_baixa("10001", Some(&format!("v{index}")), body).await;
        assert_problem(status, &headers, &problem, 422, "baixa_invalida");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.starts_with("valor: "), "{}: {detail}", body["valor"]);
        assert!(
            !detail.contains("difere"),
            "{}: read as an amount: {detail}",
            body["valor"]
        );
    }
    let (_, _, all) = harness.json("/v1/baixas").await;
    assert!(
        all["baixas"].as_array().unwrap().is_empty(),
        "nothing was recorded: {all}"
    );
    assert_eq!(booked(&harness, "10001"), 0);
    harness.stop().await;
}

/// Maria's open faturas: id and value.
async fn faturas_de_maria(harness: &Harness) -> Vec<(String, String)> {
    let (_, _, lista) = harness.json(&format!("/v1/clientes/{MARIA}/faturas")).await;
    lista["faturas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["valor_atual"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn erp_down_for_the_whole_stream_then_back() {
    let harness = Harness::start().await;
    let faturas = faturas_de_maria(&harness).await;
    harness.erp().set_modo(Modo::Recusa);
    let mut ids = Vec::new();
    for (fatura, valor) in &faturas {
        let (status, _, baixa) = harness
            .post_baixa(fatura, Some(&format!("down-{fatura}")), &pix_body(valor))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "accepted offline: {baixa}");
        ids.push(baixa["id"].as_str().unwrap().to_owned());
    }
    let (_, _, offline) = harness.json(&format!("/v1/clientes/{MARIA}/faturas")).await;
    assert_eq!(offline["origem"], "cache");
    assert!(
        offline["faturas"].as_array().unwrap().is_empty(),
        "paid faturas are not offered offline: {offline}"
    );
    let (_, _, ready) = harness.json("/readyz").await;
    assert_eq!(ready["outbox"]["pendentes"], faturas.len());
    harness.erp().set_modo(Modo::Normal);
    for id in &ids {
        harness.wait_baixa(id, synced).await;
    }
    for (fatura, _) in &faturas {
        assert_eq!(booked(&harness, fatura), 1, "{fatura}");
    }
    harness.stop().await;
}

/// After an outage the backlog goes out at the totem's pace, not as fast as the ERP answers: the harness caps the gap
/// at `probe_max_interval_ms = 400`, which a totem with a handful of payments in the hour is paced at.
#[tokio::test]
async fn after_an_outage_the_backlog_goes_out_at_the_totems_pace() {
    let harness = Harness::start().await;
    let faturas = faturas_de_maria(&harness).await;
    assert!(faturas.len() >= 2, "a backlog needs two: {faturas:?}");
    harness.erp().set_modo(Modo::Recusa);
    let mut ids = Vec::new();
    for (fatura, valor) in &faturas {
        let (_, _, baixa) = harness
            .post_baixa(fatura, Some(&format!("ritmo-{fatura}")), &pix_body(valor))
            .await;
        ids.push(baixa["id"].as_str().unwrap().to_owned());
    }
    common::impressora::esperar(
        Duration::from_secs(10),
        || async { harness.json("/readyz").await.2 },
        |ready| ready["upstream"] == "offline",
    )
    .await;
    harness.erp().set_modo(Modo::Normal);
    for id in &ids {
        harness.wait_baixa(id, synced).await;
    }
    let mut chegadas: Vec<_> = harness
        .erp()
        .baixas_recebidas()
        .into_iter()
        .filter(|b| faturas.iter().any(|(fatura, _)| *fatura == b.id_fatura))
        .map(|b| b.recebida_em)
        .collect();
    chegadas.sort();
    assert_eq!(chegadas.len(), faturas.len(), "each posted once");
    for par in chegadas.windows(2) {
        let intervalo = par[1] - par[0];
        assert!(
            intervalo >= chrono::Duration::milliseconds(350),
            "posts of the backlog {} ms apart",
            intervalo.num_milliseconds()
        );
    }
    harness.stop().await;
}

/// Pays `fatura` while the ERP answers baixas as `modo` does, and waits until
/// the first attempt has ended without an answer: the baixa's id and body.
async fn uncertain_baixa(harness: &Harness, fatura: &str, modo: ModoBaixa) -> (String, Value) {
    let valor = valor_atual(harness, fatura).await;
    uncertain_baixa_of(harness, fatura, &valor, modo).await
}

/// [`uncertain_baixa`] of a fatura whose value is known.
async fn uncertain_baixa_of(harness: &Harness, fatura: &str, valor: &str, modo: ModoBaixa) -> (String, Value) {
    harness.erp().set_modo_baixa(modo);
    let (_, _, baixa) = harness
        .post_baixa(fatura, Some(&format!("incerta-{fatura}")), &pix_body(valor))
        .await;
    let id = baixa["id"].as_str().unwrap().to_owned();
    let uncertain = harness
        .wait_baixa(&id, |b| {
            // Uncertain, or already settled by the next step (a read can follow within milliseconds).
            b["tentativas"].as_u64() >= Some(1) && (b["ultimo_erro"].is_string() || b["status"] != "pendente")
        })
        .await;
    (id, uncertain)
}

#[tokio::test]
async fn commit_then_hang_is_reconciled_without_a_second_post() {
    let harness = Harness::start().await;
    let (id, _) = uncertain_baixa(&harness, "10002", ModoBaixa::TravaDepois).await;
    harness.erp().set_modo_baixa(ModoBaixa::Normal);
    let baixa = harness.wait_baixa(&id, synced).await;
    assert_eq!(baixa["reconciliada"], true, "seen paid at the ERP, not posted again");
    assert_eq!(booked(&harness, "10002"), 1);
    harness.stop().await;
}

/// Once the ERP answers as it should again, the held baixa is posted and booked exactly once.
async fn posted_once_when_released(harness: &Harness, id: &str, fatura: &str) {
    harness.erp().set_modo(Modo::Normal);
    let baixa = harness.wait_baixa(id, synced).await;
    assert_eq!(baixa["reconciliada"], false);
    assert_eq!(booked(harness, fatura), 1);
}

#[tokio::test]
async fn a_404_by_id_alone_never_calls_an_uncertain_baixa_booked() {
    let harness = Harness::start().await;
    let valor = valor_atual(&harness, "10002").await;
    // The by-id route 404s for everything, while the customer's list still shows the fatura open (set before the
    // uncertain attempt, so that no read can see the fatura by id in between).
    harness.erp().set_modo(Modo::FaturaSumida);
    // Hangs before booking: the attempt is uncertain, and nothing reached the ERP's books.
    let (id, _) = uncertain_baixa_of(&harness, "10002", &valor, ModoBaixa::TravaAntes).await;
    harness.erp().set_modo_baixa(ModoBaixa::Normal);
    let held = harness
        .wait_baixa(&id, |b| {
            b["ultimo_erro"]
                .as_str()
                .is_some_and(|e| e.contains("erp.paths.fatura"))
        })
        .await;
    assert_eq!(held["status"], "pendente", "{held}");
    assert_eq!(held["tentativas"], 1, "not sent again while the ERP's answers disagree");
    assert_eq!(booked(&harness, "10002"), 0);
    // The route is back: the fatura is open, so the payment is posted, once.
    posted_once_when_released(&harness, &id, "10002").await;
    harness.stop().await;
}

#[tokio::test]
async fn malformed_answers_are_uncertain_and_reconciled() {
    let harness = Harness::start().await;
    let valor = valor_atual(&harness, "10002").await;
    harness.erp().set_modo_baixa(ModoBaixa::RespostaInvalida);
    let (_, _, baixa) = harness.post_baixa("10002", Some("garbage"), &pix_body(&valor)).await;
    let baixa = harness.wait_baixa(baixa["id"].as_str().unwrap(), synced).await;
    assert_eq!(baixa["reconciliada"], true);
    assert_eq!(booked(&harness, "10002"), 1);
    harness.stop().await;
}

#[tokio::test]
async fn a_refusal_is_kept_as_falhou_and_an_operator_can_resend() {
    let harness = Harness::start().await;
    let valor = valor_atual(&harness, "10001").await;
    harness.erp().set_modo_baixa(ModoBaixa::Rejeita);
    let (_, _, baixa) = harness.post_baixa("10001", Some("rejeitada"), &tef_body(&valor)).await;
    let id = baixa["id"].as_str().unwrap().to_owned();
    let failed = harness.wait_baixa(&id, |b| b["status"] == "falhou").await;
    assert!(failed["resposta_erp"].as_str().unwrap().contains("success"), "{failed}");
    let (_, _, ready) = harness.json("/readyz").await;
    assert_eq!(ready["outbox"]["falhas"], 1);
    let (_, _, lista) = harness.json(&format!("/v1/clientes/{MARIA}/faturas")).await;
    let listed = lista["faturas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "10001")
        .cloned()
        .unwrap();
    assert_eq!(listed["baixa"]["status"], "falhou", "shown with its refused baixa");
    harness.erp().set_modo_baixa(ModoBaixa::Normal);
    let (status, resent) = harness.post(&format!("/v1/baixas/{id}/reenviar")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{resent}");
    harness.wait_baixa(&id, synced).await;
    assert_eq!(booked(&harness, "10001"), 1);
    let (status, _) = harness.post(&format!("/v1/baixas/{id}/reenviar")).await;
    assert_eq!(status, StatusCode::CONFLICT, "only a failed baixa can be resent");
    harness.stop().await;
}

#[tokio::test]
async fn flapping_erp_books_each_payment_once() {
    let harness = Harness::start().await;
    let mut ids = Vec::new();
    for n in 0..12 {
        let fatura = format!("L-{n}");
        let valor = valor_atual(&harness, &fatura).await;
        let (status, _, baixa) = harness.post_baixa(&fatura, Some(&fatura), &pix_body(&valor)).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{baixa}");
        ids.push((fatura, baixa["id"].as_str().unwrap().to_owned()));
        let modo = [
            ModoBaixa::Erro500,
            ModoBaixa::TravaDepois,
            ModoBaixa::Normal,
            ModoBaixa::Limite,
        ][n % 4]
            .clone();
        harness.erp().set_modo_baixa(modo);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    harness.erp().set_modo_baixa(ModoBaixa::Normal);
    for (fatura, id) in &ids {
        harness.wait_baixa(id, synced).await;
        assert_eq!(booked(&harness, fatura), 1, "{fatura}");
    }
    harness.stop().await;
}

#[tokio::test]
async fn a_pix_the_erp_settles_itself_is_watched_not_posted() {
    let harness = Harness::with(|config| config.baixa.pix.settled_by_erp = vec!["carteira-109".into()]).await;
    let valor = valor_atual(&harness, "10001").await;
    let (_, _, baixa) = harness.post_baixa("10001", Some("watch"), &pix_body(&valor)).await;
    let id = baixa["id"].as_str().unwrap().to_owned();
    assert_eq!(baixa["aguardando_erp"], true);
    harness.post("/v1/sync").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(harness.json(&format!("/v1/baixas/{id}")).await.2["status"], "pendente");
    assert_eq!(booked(&harness, "10001"), 0, "never posted");
    // The ERP's own bank integration settles it.
    let settled = harness
        .http
        .post(format!("{}/api/baixas", harness.erp().base_url()))
        .header("authorization", "Bearer demo-borda")
        .json(&serde_json::json!({"id_fatura": "10001", "id_cliente": "501"}))
        .send()
        .await
        .unwrap();
    assert!(settled.status().is_success());
    let baixa = harness.wait_baixa(&id, synced).await;
    assert_eq!(baixa["reconciliada"], true);
    assert_eq!(booked(&harness, "10001"), 1, "only the ERP's own settlement");
    harness.stop().await;
}

#[tokio::test]
async fn borda_sync_drains_the_outbox_of_the_running_daemon() {
    let harness = Harness::start().await;
    let valor = valor_atual(&harness, "10001").await;
    harness.erp().set_modo(Modo::Recusa);
    let (_, _, baixa) = harness.post_baixa("10001", Some("cli"), &pix_body(&valor)).await;
    let id = baixa["id"].as_str().unwrap().to_owned();
    harness.wait_baixa(&id, |b| b["tentativas"].as_u64() >= Some(1)).await;
    harness.erp().set_modo(Modo::Normal);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let listen = harness.base.trim_start_matches("http://");
    std::fs::write(
        &config,
        format!("[api]\nlisten = \"{listen}\"\n[erp]\nbase_url = \"http://127.0.0.1:9\"\n"),
    )
    .unwrap();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_borda"))
            .args(["sync", "--wait", "--config", config.to_str().unwrap()])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("pendentes: 0"));
    assert_eq!(
        harness.json(&format!("/v1/baixas/{id}")).await.2["status"],
        "sincronizada"
    );
    assert_eq!(booked(&harness, "10001"), 1);
    harness.stop().await;
}

/// Lists Maria's faturas, so that the cache knows them.
async fn cache_maria(harness: &Harness) {
    let (status, _, _) = harness.json(&format!("/v1/clientes/{MARIA}/faturas")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_baixa_is_recorded_against_the_cached_fatura_whatever_the_erp_says_now() {
    let harness = Harness::start().await;
    cache_maria(&harness).await;
    let valor = valor_atual(&harness, "10001").await;
    // The ERP no longer finds the fatura (closed, or a lost route): the customer already paid and gets a baixa.
    harness.erp().set_modo(Modo::FaturaSumida);
    let (status, _, baixa) = harness.post_baixa("10001", Some("cache-1"), &pix_body(&valor)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{baixa}");
    // And with the ERP answering errors to everything.
    harness.erp().set_modo(Modo::Erro500);
    let valor2 = {
        harness.erp().set_modo(Modo::Normal);
        let v = valor_atual(&harness, "10002").await;
        harness.erp().set_modo(Modo::Erro500);
        v
    };
    let (status, _, baixa) = harness.post_baixa("10002", Some("cache-2"), &tef_body(&valor2)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{baixa}");
    harness.erp().set_modo(Modo::Normal);
    harness.stop().await;
}

#[tokio::test]
async fn a_pix_the_erp_settled_first_still_gets_its_baixa() {
    let harness = Harness::with(|config| config.baixa.pix.settled_by_erp = vec!["*".into()]).await;
    cache_maria(&harness).await;
    let valor = valor_atual(&harness, "10001").await;
    // The ERP's own PIX integration closed the fatura before the kiosk reported the payment.
    harness.erp().set_modo(Modo::FaturaSumida);
    let (status, _, baixa) = harness.post_baixa("10001", Some("settled-1"), &pix_body(&valor)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{baixa}");
    assert_eq!(baixa["aguardando_erp"], true);
    harness.erp().set_modo(Modo::Normal);
    harness.stop().await;
}

#[tokio::test]
async fn one_payment_pays_one_fatura() {
    let harness = Harness::start().await;
    cache_maria(&harness).await;
    let (v1, v2) = (
        valor_atual(&harness, "10001").await,
        valor_atual(&harness, "10002").await,
    );
    let pix = pix_body(&v1);
    let (status, _, _) = harness.post_baixa("10001", Some("e2e-1"), &pix).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mut same_pix = pix_body(&v2);
    same_pix["transacao"]["e2e_id"] = pix["transacao"]["e2e_id"].clone();
    let (status, headers, problem) = harness.post_baixa("10002", Some("e2e-2"), &same_pix).await;
    assert_problem(status, &headers, &problem, 409, "transacao_ja_usada");
    // The same card payment (NSU and authorisation) cannot pay two faturas either.
    let (v3, v4) = (
        valor_atual(&harness, "10003").await,
        valor_atual(&harness, "10002").await,
    );
    let (status, _, _) = harness.post_baixa("10003", Some("tef-1"), &tef_body(&v3)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, headers, problem) = harness.post_baixa("10002", Some("tef-2"), &tef_body(&v4)).await;
    assert_problem(status, &headers, &problem, 409, "transacao_ja_usada");
    harness.stop().await;
}

#[tokio::test]
async fn pago_em_must_be_plausible() {
    let harness = Harness::start().await;
    let valor = valor_atual(&harness, "10001").await;
    let mut before_emission = tef_body(&valor);
    before_emission["pago_em"] = "2020-01-01T10:00:00-03:00".into();
    let mut e2e_of_another_day = pix_body(&valor);
    e2e_of_another_day["transacao"]["e2e_id"] = "E12345678202001011015abcdefGHIJK".into();
    for (body, key) in [(before_emission, "p-1"), (e2e_of_another_day, "p-2")] {
        let (status, headers, problem) = harness.post_baixa("10001", Some(key), &body).await;
        assert_problem(status, &headers, &problem, 422, "baixa_invalida");
        assert!(problem["detail"].as_str().unwrap().contains("pago_em"), "{problem}");
    }
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_replays_of_one_key_all_get_the_one_baixa() {
    let harness = Harness::start().await;
    cache_maria(&harness).await;
    let valor = valor_atual(&harness, "10001").await;
    let body = pix_body(&valor);
    let mut posts = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let request = harness
            .http
            .post(format!("{}/v1/faturas/10001/baixas", harness.base))
            .header("idempotency-key", "corrida")
            .json(&body);
        posts.spawn(async move {
            let response = request.send().await.unwrap();
            (response.status(), (), response.json::<Value>().await.unwrap())
        });
    }
    let replies = posts.join_all().await;
    let ids: std::collections::HashSet<String> = replies
        .iter()
        .map(|(status, _, baixa)| {
            assert_eq!(*status, StatusCode::ACCEPTED, "{baixa}");
            baixa["id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1, "every replay answers the same baixa");
    harness.wait_baixa(ids.iter().next().unwrap(), synced).await;
    assert_eq!(booked(&harness, "10001"), 1);
    harness.stop().await;
}

#[tokio::test]
async fn the_baixas_list_is_newest_first_a_page_at_a_time() {
    let harness = Harness::start().await;
    cache_maria(&harness).await;
    let mut ids = Vec::new();
    for (fatura, key) in [("10001", "l-1"), ("10002", "l-2"), ("10003", "l-3")] {
        let valor = valor_atual(&harness, fatura).await;
        let (status, _, baixa) = harness.post_baixa(fatura, Some(key), &tef_or_pix(fatura, &valor)).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{baixa}");
        ids.push(baixa["id"].as_str().unwrap().to_owned());
    }
    let (_, _, first) = harness.json("/v1/baixas?limite=2").await;
    let page: Vec<&str> = first["baixas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(page, [ids[2].as_str(), ids[1].as_str()]);
    assert_eq!(first["proximo"], ids[1].as_str());
    let (_, _, second) = harness.json(&format!("/v1/baixas?limite=2&antes={}", ids[1])).await;
    let page: Vec<&str> = second["baixas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(page, [ids[0].as_str()]);
    assert_eq!(second["proximo"], Value::Null);
    for bad in ["0", "501", "muitos"] {
        let (status, headers, problem) = harness.json(&format!("/v1/baixas?limite={bad}")).await;
        assert_problem(status, &headers, &problem, 422, "limite_invalido");
    }
    harness.stop().await;
}

/// A PIX body for one fatura and a card one for the others, so that no two share a payment.
fn tef_or_pix(fatura: &str, valor: &str) -> Value {
    if fatura == "10002" {
        tef_body(valor)
    } else {
        pix_body(valor)
    }
}

#[tokio::test]
async fn attempts_skipped_while_the_erp_is_down_are_not_attempts_and_its_return_makes_them_due() {
    let harness = Harness::start().await;
    cache_maria(&harness).await;
    let valor = valor_atual(&harness, "10001").await;
    harness.erp().set_modo(Modo::Recusa);
    // Reads that fail open the breaker.
    for _ in 0..5 {
        harness.json(&format!("/v1/clientes/{MARIA}/faturas")).await;
    }
    let (_, _, ready) = harness.json("/readyz").await;
    assert_eq!(ready["upstream"], "offline", "{ready}");
    let (status, _, baixa) = harness.post_baixa("10001", Some("offline-1"), &pix_body(&valor)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{baixa}");
    let id = baixa["id"].as_str().unwrap().to_owned();
    let waiting = harness
        .wait_baixa(&id, |baixa| {
            baixa["ultimo_erro"].as_str().is_some_and(|e| e.contains("fora do ar"))
        })
        .await;
    assert_eq!(waiting["tentativas"], 0, "nothing was sent: {waiting}");
    harness.erp().set_modo(Modo::Normal);
    // No POST /v1/sync here: the probe sees the ERP back and makes the baixa due by itself.
    let mut last = Value::Null;
    for _ in 0..100 {
        last = harness.json(&format!("/v1/baixas/{id}")).await.2;
        if synced(&last) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(synced(&last), "{last}");
    assert_eq!(last["tentativas"], 1);
    assert_eq!(booked(&harness, "10001"), 1);
    harness.stop().await;
}

#[tokio::test]
async fn credentials_refused_keep_the_baixa_pending_not_failed() {
    let harness = Harness::start().await;
    let valor = valor_atual(&harness, "10003").await;
    harness.erp().set_modo_baixa(ModoBaixa::NaoAutoriza);
    let (_, _, baixa) = harness
        .post_baixa("10003", Some("token-revogado"), &pix_body(&valor))
        .await;
    let id = baixa["id"].as_str().unwrap().to_owned();
    let held = harness
        .wait_baixa(&id, |b| {
            b["ultimo_erro"].as_str().is_some_and(|e| e.contains("credenciais")) || b["status"] == "falhou"
        })
        .await;
    assert_eq!(
        held["status"], "pendente",
        "a credential problem failed the payment: {held}"
    );
    assert_eq!(
        held["ultimo_erro"],
        "o ERP recusou as credenciais do borda (status 401): confira erp.auth_value"
    );
    assert_eq!(booked(&harness, "10003"), 0);
    let (_, _, ready) = harness.json("/readyz").await;
    assert!(
        ready["credenciais_erp"]
            .as_str()
            .is_some_and(|e| e.contains("credenciais")),
        "readiness says it loudly: {ready}"
    );
    // The technician fixes the token: the payment goes out, once.
    harness.erp().set_modo_baixa(ModoBaixa::Normal);
    posted_once_when_released(&harness, &id, "10003").await;
    harness.stop().await;
}

#[tokio::test]
async fn a_fatura_listed_with_a_malformed_field_is_never_taken_for_paid() {
    let harness = Harness::start().await;
    let valor = valor_atual(&harness, "10002").await;
    // By id the fatura is gone, and the list still has it, but with a value nobody can read (set before the
    // uncertain attempt, so that no read can see the fatura by id in between).
    harness.erp().set_modo(Modo::FaturaSumida);
    harness.erp().set_valor_ilegivel(true);
    // Hangs before booking: the attempt is uncertain, and nothing reached the ERP's books.
    let (id, _) = uncertain_baixa_of(&harness, "10002", &valor, ModoBaixa::TravaAntes).await;
    harness.erp().set_modo_baixa(ModoBaixa::Normal);
    let held = harness
        .wait_baixa(&id, |b| {
            b["ultimo_erro"]
                .as_str()
                .is_some_and(|e| e.contains("erp.paths.fatura"))
                || b["status"] == "sincronizada"
        })
        .await;
    assert_eq!(
        held["status"], "pendente",
        "a malformed open fatura looked paid: {held}"
    );
    assert_eq!(booked(&harness, "10002"), 0);
    harness.erp().set_valor_ilegivel(false);
    posted_once_when_released(&harness, &id, "10002").await;
    harness.stop().await;
}
