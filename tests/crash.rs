//! Crash safety of the baixas path with the real binary: `borda serve` is
//! killed with SIGKILL at random moments while a client streams payments and
//! the ERP fails, hangs, or commits and then hangs; after each kill it is
//! started again on the same database. At the end the outbox drains and:
//!
//! * every baixa that got a 202 reached the ERP exactly once;
//! * no fatura was booked twice, and the ERP booked nothing borda does not know;
//! * every baixa borda holds is whole and synced, and `PRAGMA integrity_check` is ok.
//!
//! 50 cycles by default (about a minute); `BORDA_CRASH_CYCLES=1000` for the soak.
//!
//! Mutation check: `BORDA_CRASH_MUTANTE=1` runs the same harness with `erp.idempotent = true` against this ERP,
//! which is not idempotent: borda then posts an uncertain baixa again without reading the fatura first, the ERP
//! books the commit-then-hang payments twice, and the test must fail on its duplicate check.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use borda::demo::{DemoErp, Modo, ModoBaixa};
use common::process::Served;

fn cycles() -> usize {
    std::env::var("BORDA_CRASH_CYCLES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(50)
}

/// What the client saw: fatura → acknowledged (202) or not.
type Seen = Arc<Mutex<BTreeMap<String, bool>>>;

/// Streams baixas for fresh load faturas until aborted; records what was acknowledged.
async fn stream(http: reqwest::Client, served: Arc<Served>, seen: Seen, next: Arc<Mutex<usize>>) {
    loop {
        let fatura = {
            let mut next = next.lock().unwrap();
            *next += 1;
            format!("L-{next}")
        };
        seen.lock().unwrap().insert(fatura.clone(), false);
        let request = served.pay(&http, &fatura).timeout(Duration::from_secs(3));
        match request.send().await {
            Ok(response) if response.status() == reqwest::StatusCode::ACCEPTED => {
                seen.lock().unwrap().insert(fatura, true);
            }
            Ok(_) => {}
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_never_loses_or_duplicates_a_baixa() {
    common::install_crypto();
    let erp = DemoErp::start(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let served = Served::configure(dir.path(), &erp);
    if std::env::var("BORDA_CRASH_MUTANTE").as_deref() == Ok("1") {
        // `[erp]` is the file's last table: the key lands in it.
        let mut config = std::fs::read_to_string(&served.config).unwrap();
        config.push_str("idempotent = true\n");
        std::fs::write(&served.config, config).unwrap();
    }
    let served = Arc::new(served);
    let http = reqwest::Client::new();
    let seen: Seen = Arc::default();
    let next = Arc::new(Mutex::new(0));
    let mut rng = fastrand::Rng::with_seed(0xB0DA);
    let n_cycles = cycles();
    for _ in 0..n_cycles {
        let modo_baixa = match rng.u8(0..10) {
            0 => ModoBaixa::Erro500,
            1 => ModoBaixa::TravaAntes,
            2 | 3 => ModoBaixa::TravaDepois,
            4 => ModoBaixa::RespostaInvalida,
            _ => ModoBaixa::Normal,
        };
        erp.set_modo_baixa(modo_baixa);
        erp.set_modo(if rng.u8(0..10) == 0 { Modo::Recusa } else { Modo::Normal });
        let mut child = served.spawn(&http).await;
        let client = tokio::spawn(stream(http.clone(), served.clone(), seen.clone(), next.clone()));
        tokio::time::sleep(Duration::from_millis(rng.u64(30..400))).await;
        child.kill().unwrap();
        child.wait().unwrap();
        client.abort();
        let _ = client.await;
    }

    // Let it drain with a healthy ERP.
    erp.set_modo(Modo::Normal);
    erp.set_modo_baixa(ModoBaixa::Normal);
    let mut child = served.spawn(&http).await;
    let (pending, drain_time) = served.drain(&http, Duration::from_secs(600)).await;
    child.kill().unwrap();
    child.wait().unwrap();

    let recebidas = erp.baixas_recebidas();
    let booked = common::baixas_por_fatura(&recebidas);
    let connection = rusqlite::Connection::open(&served.db).unwrap();
    let integrity: String = connection
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let mut statement = connection
        .prepare("SELECT fatura_id, status, valor_centavos, transacao FROM baixas")
        .unwrap();
    let held: Vec<(String, String, i64, String)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let seen = seen.lock().unwrap().clone();
    let acked: BTreeSet<&String> = seen
        .iter()
        .filter(|(_, acked)| **acked)
        .map(|(fatura, _)| fatura)
        .collect();
    let held_ids: BTreeSet<&String> = held.iter().map(|(fatura, ..)| fatura).collect();

    // The demo ERP books every POST it receives, as the real one does, so this can fail (tests/duplicate_check.rs).
    let duplicated = common::duplicadas(&recebidas);
    assert!(duplicated.is_empty(), "booked more than once: {duplicated:?}");
    let lost: Vec<_> = acked.iter().filter(|fatura| booked.get(**fatura) != Some(&1)).collect();
    assert!(lost.is_empty(), "acknowledged but never booked: {lost:?}");
    let unknown: Vec<_> = booked.keys().filter(|fatura| !held_ids.contains(fatura)).collect();
    assert!(
        unknown.is_empty(),
        "booked by the ERP but unknown to borda: {unknown:?}"
    );
    for (fatura, status, valor, transacao) in &held {
        assert!(seen.contains_key(fatura), "{fatura} was never sent");
        assert_eq!(status, "sincronizada", "{fatura}");
        assert_eq!(*valor, 1000, "{fatura}");
        assert!(transacao.contains("e2e_id"), "{fatura}: {transacao}");
    }
    assert!(
        acked.iter().all(|fatura| held_ids.contains(fatura)),
        "an acknowledged baixa is missing from the store"
    );
    assert!(
        acked.len() > n_cycles,
        "too few baixas were acknowledged ({}) to mean anything",
        acked.len()
    );
    eprintln!(
        "crash test: {n_cycles} kill -9 cycles, {} baixas sent, {} acknowledged, {} held, {} booked, 0 lost, \
         0 duplicated; {pending} pending after the last kill drained in {drain_time:.1?}",
        seen.len(),
        acked.len(),
        held.len(),
        booked.len()
    );
    erp.stop().await;
}
