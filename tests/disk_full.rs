//! A full disk with the real binary: `borda serve` runs with every file it
//! writes capped (`ulimit -f`), so the database and its WAL hit the wall as on
//! a full disk. Payments taken before the wall stay accepted; the one that
//! hits it gets a problem+json 507/503 and is not half-recorded; once there is
//! room again (the daemon restarted without the cap) everything accepted
//! reaches the ERP exactly once and the refused payment can be taken again.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use borda::demo::DemoErp;
use common::harness::send;
use common::process::Served;
use reqwest::StatusCode;

/// Room for the schema and a handful of baixas in the WAL (each payment commits
/// a few transactions of whole 4 KiB pages), not for a thousand.
const FILE_CAP_KIB: u64 = 384;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_new_baixas_and_loses_none_already_accepted() {
    common::install_crypto();
    let erp = DemoErp::start(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let served = Served::configure(dir.path(), &erp);
    let http = reqwest::Client::new();

    let mut child = served.spawn_with_file_limit(&http, FILE_CAP_KIB).await;
    let mut accepted = Vec::new();
    let mut refused = None;
    for n in 1..=1000 {
        let fatura = format!("L-{n}");
        let (status, headers, body) = send(served.pay(&http, &fatura)).await;
        if status == StatusCode::ACCEPTED {
            accepted.push(fatura);
            continue;
        }
        assert!(
            status == StatusCode::INSUFFICIENT_STORAGE || status == StatusCode::SERVICE_UNAVAILABLE,
            "{fatura}: {status} {body}"
        );
        assert_eq!(headers["content-type"], "application/problem+json");
        assert!(
            ["armazenamento_cheio", "armazenamento_indisponivel"].contains(&body["code"].as_str().unwrap()),
            "{body}"
        );
        assert!(body["detail"].as_str().unwrap().contains("atendente"), "{body}");
        refused = Some((fatura, status));
        break;
    }
    let (refused, refused_status) = refused.expect("the capped files never filled up");
    assert!(!accepted.is_empty(), "the cap left no room for a single baixa");

    // Still full: the refused payment is refused again, never half-recorded.
    let (status, ..) = send(served.pay(&http, &refused)).await;
    assert_ne!(status, StatusCode::ACCEPTED);
    child.kill().unwrap();
    child.wait().unwrap();

    // Room again: everything accepted drains exactly once; the refused one is taken anew.
    let mut child = served.spawn(&http).await;
    let (status, _, body) = send(served.pay(&http, &refused)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["status"], "pendente", "a new baixa, not a replay: {body}");
    served.drain(&http, Duration::from_secs(60)).await;
    child.kill().unwrap();
    child.wait().unwrap();

    let mut booked: BTreeMap<String, usize> = BTreeMap::new();
    for baixa in erp.baixas_recebidas() {
        *booked.entry(baixa.id_fatura).or_default() += 1;
    }
    for fatura in accepted.iter().chain([&refused]) {
        assert_eq!(booked.get(fatura), Some(&1), "{fatura} was not booked exactly once");
    }
    assert_eq!(
        booked.len(),
        accepted.len() + 1,
        "the ERP booked something never accepted"
    );
    let connection = rusqlite::Connection::open(&served.db).unwrap();
    let integrity: String = connection
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    eprintln!(
        "disk full: {} baixas accepted before the wall, the next refused with {refused_status} problem+json; \
         all booked once after",
        accepted.len()
    );
    erp.stop().await;
}
