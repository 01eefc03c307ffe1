//! Printing through the real daemon onto the printer emulator: jobs queued by the API print once, in order, wait
//! while the paper is out, are reprinted marked "REIMPRESSÃO" when a send is cut off, and a retry under the same
//! `Idempotency-Key` never prints twice. The printers' status shows in `GET /v1/impressoras` and `/readyz`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use borda::service::impressao::marca_reimpressao;
use common::harness::assert_problem;
use common::impressora::{Balcao, Emulador, Falha, contem, impressora_toml};
use serde_json::{Value, json};

const LIMITE: Duration = Duration::from_secs(15);

fn impressa(job: &Value) -> bool {
    job["status"] == "impressa"
}

#[tokio::test]
async fn a_texto_job_prints_through_the_emulator_without_the_status_queries() {
    let emulador = Emulador::start().await;
    let balcao = Balcao::start(&impressora_toml("principal", &emulador)).await;
    let (status, headers, job) = balcao
        .imprimir(
            &json!({"tipo": "texto", "texto": "Pagamento confirmado\nObrigado!"}),
            None,
        )
        .await;
    assert_eq!(status, 202, "{job}");
    assert!(headers.get("idempotent-replayed").is_none());
    let id = job["id"].as_str().unwrap();
    assert_eq!(headers["location"], format!("/v1/impressoes/{id}"));
    assert_eq!(
        (job["tipo"].as_str(), job["impressora"].as_str()),
        (Some("texto"), Some("principal"))
    );
    assert!(
        matches!(job["status"].as_str(), Some("na_fila" | "imprimindo" | "impressa")),
        "{job}"
    );

    let job = balcao.esperar_impressao(id, LIMITE, impressa).await;
    assert_eq!(job["tentativas"], 1, "{job}");
    assert_eq!(job["reimpressao"], false);
    assert!(job["impressa_em"].is_string(), "{job}");
    assert!(job["motivo"].is_null(), "{job}");

    let impressos = emulador.impressos();
    // The status-only connections recorded nothing: each query is exactly `10 04 n`, no stray NUL after it.
    assert_eq!(impressos.len(), 1, "one job, one connection with print bytes");
    let recibo = &impressos[0];
    assert!(recibo.starts_with(&[0x1B, 0x40]), "{recibo:02X?}");
    assert!(contem(recibo, b"Pagamento confirmado\nObrigado!\n"));
    assert!(recibo.ends_with(&[0x1D, b'V', 66, 0]), "{recibo:02X?}");
    assert!(!contem(recibo, &[0x10, 0x04]), "status queries are not print data");
    assert!(emulador.consultas() >= 6, "status asked before and after the job");

    let impressora = balcao.esperar_impressora(LIMITE, |p| p["fila"] == 0).await;
    assert_eq!(impressora["nome"], "principal");
    assert_eq!(impressora["conexao"], emulador.conexao());
    assert_eq!(impressora["modelo"], "epson-tm-t20");
    assert_eq!(
        (&impressora["status"], &impressora["papel"], &impressora["tampa_aberta"]),
        (&json!("online"), &json!("ok"), &json!(false)),
        "{impressora}"
    );
    let ready = balcao.json("/readyz").await;
    assert_eq!(ready["impressoras"][0]["nome"], "principal", "{ready}");
    assert_eq!(ready["impressoras"][0]["status"], "online", "{ready}");
    balcao.stop().await;
    emulador.stop().await;
}

#[tokio::test]
async fn paper_out_during_a_queue_of_ten_then_paper_back_prints_each_once_in_order() {
    let emulador = Emulador::start().await;
    let balcao = Balcao::start(&impressora_toml("principal", &emulador)).await;
    let mut ids = Vec::new();
    for n in 1..=3 {
        ids.push(balcao.imprimir_texto(&format!("recibo {n:02}")).await);
    }
    for id in &ids {
        balcao.esperar_impressao(id, LIMITE, impressa).await;
    }
    emulador.falha(Falha::SemPapel);
    for n in 4..=10 {
        ids.push(balcao.imprimir_texto(&format!("recibo {n:02}")).await);
    }
    // The next job waits, saying why; none behind it jumps the queue.
    let esperando = balcao
        .esperar_impressao(&ids[3], LIMITE, |job| job["motivo"] == "sem_papel")
        .await;
    assert_eq!(esperando["status"], "na_fila", "{esperando}");
    assert_eq!(
        esperando["tentativas"], 0,
        "nothing was sent to a printer without paper"
    );
    let impressora = balcao.esperar_impressora(LIMITE, |p| p["papel"] == "sem_papel").await;
    assert_eq!(impressora["fila"], 7, "{impressora}");
    assert_eq!(
        impressora["status"], "offline",
        "Epson goes offline without paper: {impressora}"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(emulador.impressos().len(), 3);
    for id in &ids[3..] {
        assert_eq!(balcao.json(&format!("/v1/impressoes/{id}")).await["status"], "na_fila");
    }

    emulador.falha(Falha::Nenhuma);
    for id in &ids {
        let job = balcao.esperar_impressao(id, LIMITE, impressa).await;
        assert_eq!(
            (&job["tentativas"], &job["reimpressao"]),
            (&json!(1), &json!(false)),
            "{job}"
        );
        assert!(job["motivo"].is_null(), "{job}");
    }
    let impressos = emulador.impressos();
    assert_eq!(impressos.len(), 10, "each job printed once");
    for (n, recibo) in (1..=10).zip(&impressos) {
        assert!(
            contem(recibo, format!("recibo {n:02}\n").as_bytes()),
            "job {n} out of order"
        );
        assert!(!contem(recibo, b"REIMPRESS"), "job {n} marked as a reprint");
    }
    balcao.stop().await;
    emulador.stop().await;
}

#[tokio::test]
async fn a_job_cut_off_mid_send_is_printed_again_under_the_reprint_mark() {
    let emulador = Emulador::start().await;
    let balcao = Balcao::start(&impressora_toml("principal", &emulador)).await;
    emulador.derrubar_apos(12);
    let texto = "Comprovante de pagamento PIX\nFatura 10001\nValor R$ 99,90";
    let id = balcao.imprimir_texto(texto).await;
    let job = balcao.esperar_impressao(&id, LIMITE, impressa).await;
    assert_eq!(
        (&job["tentativas"], &job["reimpressao"]),
        (&json!(2), &json!(true)),
        "{job}"
    );

    let impressos = emulador.impressos();
    assert_eq!(impressos.len(), 2, "the cut-off send and the reprint");
    assert_eq!(
        impressos[0].len(),
        12,
        "the printer got 12 bytes before the connection dropped"
    );
    let marca = marca_reimpressao(borda::domain::impressao::escpos::perfil("epson-tm-t20").unwrap());
    assert!(impressos[1].starts_with(&marca), "{:02X?}", impressos[1]);
    assert!(contem(&marca, b"*** REIMPRESS\x8EO ***\n"));
    let original = &impressos[1][marca.len()..];
    assert!(original.starts_with(&[0x1B, 0x40]));
    assert!(contem(original, b"Valor R$ 99,90\n"));
    balcao.stop().await;
    emulador.stop().await;
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_prints_once() {
    let emulador = Emulador::start().await;
    let balcao = Balcao::start(&impressora_toml("principal", &emulador)).await;
    let body = json!({"tipo": "texto", "texto": "segunda via", "impressora": "principal"});
    let (status, headers, primeira) = balcao.imprimir(&body, Some("totem-1-recibo-77")).await;
    assert_eq!(status, 202, "{primeira}");
    assert!(headers.get("idempotent-replayed").is_none());
    let id = primeira["id"].as_str().unwrap().to_owned();
    balcao.esperar_impressao(&id, LIMITE, impressa).await;
    for _ in 0..3 {
        let (status, headers, repetida) = balcao.imprimir(&body, Some("totem-1-recibo-77")).await;
        assert_eq!(status, 202, "{repetida}");
        assert_eq!(headers["idempotent-replayed"], "true");
        assert_eq!(repetida["id"], id.as_str());
        assert_eq!(repetida["status"], "impressa");
    }
    let outra = json!({"tipo": "texto", "texto": "outro texto"});
    let (status, headers, problema) = balcao.imprimir(&outra, Some("totem-1-recibo-77")).await;
    assert_problem(status, &headers, &problema, 409, "idempotency_conflict");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(emulador.impressos().len(), 1, "printed once");
    balcao.stop().await;
    emulador.stop().await;
}

#[tokio::test]
async fn the_printers_list_follows_paper_cover_and_reachability() {
    let emulador = Emulador::start().await;
    let balcao = Balcao::start(&impressora_toml("principal", &emulador)).await;
    let online = |p: &Value| p["status"] == "online" && p["papel"] == "ok" && p["tampa_aberta"] == false;
    balcao.esperar_impressora(LIMITE, online).await;
    emulador.falha(Falha::SemPapel);
    balcao
        .esperar_impressora(LIMITE, |p| p["papel"] == "sem_papel" && p["status"] == "offline")
        .await;
    emulador.falha(Falha::PoucoPapel);
    balcao
        .esperar_impressora(LIMITE, |p| p["papel"] == "pouco" && p["status"] == "online")
        .await;
    emulador.falha(Falha::TampaAberta);
    balcao.esperar_impressora(LIMITE, |p| p["tampa_aberta"] == true).await;
    emulador.falha(Falha::Offline);
    let offline = balcao
        .esperar_impressora(LIMITE, |p| p["status"] == "offline" && p["erro"].is_string())
        .await;
    assert!(offline["verificada_em"].is_string(), "{offline}");
    emulador.falha(Falha::Mudo);
    let id = balcao.imprimir_texto("espera a impressora").await;
    let job = balcao
        .esperar_impressao(&id, LIMITE, |job| job["motivo"] == "offline")
        .await;
    assert_eq!(job["status"], "na_fila", "{job}");
    emulador.falha(Falha::Nenhuma);
    balcao.esperar_impressora(LIMITE, online).await;
    balcao.esperar_impressao(&id, LIMITE, impressa).await;
    assert_eq!(emulador.impressos().len(), 1);
    balcao.stop().await;
    emulador.stop().await;
}

#[tokio::test]
async fn bad_requests_are_refused_before_anything_is_queued() {
    let emulador = Emulador::start().await;
    let balcao = Balcao::start(&impressora_toml("principal", &emulador)).await;
    let casos = [
        (
            json!({"tipo": "comprovante_pix", "baixa_id": "b1"}),
            404,
            "nao_encontrado",
        ),
        (
            json!({"tipo": "boleto", "fatura_id": "nao-existe"}),
            404,
            "nao_encontrado",
        ),
        (json!({"tipo": "boleto"}), 422, "impressao_invalida"),
        (json!({"tipo": "cupom", "texto": "x"}), 422, "impressao_invalida"),
        (json!({"tipo": "texto"}), 422, "impressao_invalida"),
        (json!({"tipo": "texto", "texto": "a\u{1b}b"}), 422, "impressao_invalida"),
        (
            json!({"tipo": "texto", "texto": "x", "impressora": "cozinha"}),
            422,
            "impressora_desconhecida",
        ),
        (
            json!({"tipo": "texto", "texto": "x", "cor": "azul"}),
            422,
            "json_invalido",
        ),
    ];
    for (body, esperado, code) in casos {
        let (status, headers, problema) = balcao.imprimir(&body, None).await;
        assert_problem(status, &headers, &problema, esperado, code);
    }
    let (status, headers, problema) = balcao.imprimir(&json!({"tipo": "texto", "texto": "x"}), Some("")).await;
    assert_problem(status, &headers, &problema, 400, "idempotency_key_invalida");
    let response = balcao
        .http
        .get(format!("{}/v1/impressoes/nenhuma", balcao.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(emulador.impressos().is_empty());
    balcao.stop().await;
    emulador.stop().await;

    // Without printers: 409, and an empty list.
    let sem = Balcao::start("").await;
    let (status, headers, problema) = sem.imprimir(&json!({"tipo": "texto", "texto": "x"}), None).await;
    assert_problem(status, &headers, &problema, 409, "sem_impressora");
    assert_eq!(sem.json("/v1/impressoras").await, json!([]));
    sem.stop().await;
}
