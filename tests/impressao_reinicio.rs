//! The print queue survives `kill -9` of the real `borda serve`: a job cut off mid-send (the emulator holds its
//! connection, so the job is `imprimindo` on disk when the process dies) is printed again after the restart under
//! the "REIMPRESSÃO" mark, and the job queued behind it prints after it, unmarked: none lost, none silently twice.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use borda::adapters::store::{NovaImpressao, RegistroImpressao, Store, TipoImpressao};
use borda::demo::DemoErp;
use borda::service::impressao::marca_reimpressao;
use common::impressora::{Emulador, esperar};
use common::process::Served;
use serde_json::Value;

const LIMITE: Duration = Duration::from_secs(20);

/// A job as the service would queue it, with `bytes` already encoded.
fn job(texto: &str, bytes: &[u8]) -> NovaImpressao {
    NovaImpressao {
        id: uuid::Uuid::now_v7().to_string(),
        impressora: "principal".into(),
        tipo: TipoImpressao::Texto,
        fatura_id: None,
        baixa_id: None,
        texto: Some(texto.into()),
        chave_idempotencia: None,
        pedido: serde_json::json!({"tipo": "texto", "texto": texto}).to_string(),
        bytes: bytes.to_vec(),
        criada_em: chrono::Utc::now(),
    }
}

async fn get(http: &reqwest::Client, url: String) -> Value {
    http.get(url).send().await.unwrap().json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_cut_off_by_kill_9_prints_again_marked_after_the_restart() {
    common::install_crypto();
    let erp = DemoErp::start(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
    let emulador = Emulador::start().await;
    let dir = tempfile::tempdir().unwrap();
    let served = Served::configure(dir.path(), &erp);
    // A long status timeout: the held job stays `imprimindo` until the kill.
    let mut config = std::fs::read_to_string(&served.config).unwrap();
    config.push_str(&format!(
        "[[impressoras]]\nnome = \"principal\"\nconexao = \"{}\"\nmodelo = \"epson-tm-t20\"\ntimeout_ms = 30000\n",
        emulador.conexao()
    ));
    std::fs::write(&served.config, config).unwrap();
    let http = reqwest::Client::new();
    let mut child = served.spawn(&http).await;

    // The daemon has no receipt encoder yet (it is merged separately): queue already-encoded jobs in its store, as
    // the service does, from a second connection.
    let primeiro_bytes = b"\x1b@recibo interrompido\n\x1dVB\x00";
    let segundo_bytes = b"\x1b@recibo seguinte\n\x1dVB\x00";
    emulador.segurar_apos(5);
    let (primeiro, segundo) = {
        let store = Store::open(&served.db).unwrap();
        let mut ids = Vec::new();
        for nova in [job("interrompido", primeiro_bytes), job("seguinte", segundo_bytes)] {
            match store.registrar_impressao(nova).await.unwrap() {
                RegistroImpressao::Nova(job) => ids.push(job.id),
                other => panic!("{other:?}"),
            }
        }
        (ids[0].clone(), ids[1].clone())
    };
    let url = |id: &str| format!("{}/v1/impressoes/{id}", served.base);
    let job = esperar(
        LIMITE,
        || get(&http, url(&primeiro)),
        |job| job["status"] == "imprimindo",
    )
    .await;
    assert_eq!(job["tentativas"], 1, "{job}");
    esperar(
        LIMITE,
        || async { Value::from(emulador.impressos().first().map_or(0, Vec::len)) },
        |n| n == 5,
    )
    .await;
    child.kill().unwrap();
    child.wait().unwrap();

    let mut child = served.spawn(&http).await;
    let primeiro_job = esperar(LIMITE, || get(&http, url(&primeiro)), |job| job["status"] == "impressa").await;
    assert_eq!(primeiro_job["reimpressao"], true, "{primeiro_job}");
    assert_eq!(primeiro_job["tentativas"], 2, "{primeiro_job}");
    assert!(primeiro_job["motivo"].is_null(), "{primeiro_job}");
    let segundo_job = esperar(LIMITE, || get(&http, url(&segundo)), |job| job["status"] == "impressa").await;
    assert_eq!(segundo_job["reimpressao"], false, "{segundo_job}");
    assert_eq!(segundo_job["tentativas"], 1, "{segundo_job}");
    let impressoras = get(&http, format!("{}/v1/impressoras", served.base)).await;
    assert_eq!(impressoras[0]["fila"], 0, "{impressoras}");
    child.kill().unwrap();
    child.wait().unwrap();

    let impressos = emulador.impressos();
    assert_eq!(impressos.len(), 3, "the cut-off send, the marked reprint, the next job");
    assert_eq!(impressos[0], primeiro_bytes[..5]);
    let mut marcado = marca_reimpressao(borda::domain::impressao::escpos::perfil("epson-tm-t20").unwrap());
    marcado.extend_from_slice(primeiro_bytes);
    assert_eq!(impressos[1], marcado);
    assert_eq!(impressos[2], segundo_bytes);
    emulador.stop().await;
    erp.stop().await;
}
