//! The money path's costs (issue 4 targets):
//!
//! * durable accepts per second — `Store::registrar_baixa` (one
//!   `BEGIN IMMEDIATE` transaction, WAL, `synchronous=FULL`) against a raw
//!   rusqlite insert loop with the same pragmas on the same disk: ≥ 0.5× of it;
//! * draining 10,000 pending baixas to a loopback ERP: ≤ 20 s.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use tokio::runtime::Runtime;
use tokio::sync::watch;

use borda::adapters::erp::ErpClient;
use borda::adapters::store::Store;
use borda::config::BaixaConfig;
use borda::demo::DemoErp;
use borda::domain::baixa::Politica;
use borda::domain::baixa::{Baixa, NovaBaixa, Transacao};
use borda::domain::money::Centavos;
use borda::service::saude::Saude;
use borda::service::sync::{Cadencia, Waker, Worker};

fn baixa(n: u64) -> Baixa {
    let now = Utc::now();
    let nova = NovaBaixa {
        id: uuid::Uuid::now_v7().to_string(),
        chave_idempotencia: format!("bench-{n}-{}", uuid::Uuid::now_v7()),
        fatura_id: format!("L-{n}"),
        documento: "39053344705".into(),
        id_cliente: Some("1".into()),
        identifier: None,
        valor: Centavos::new(1000),
        pago_em: now.fixed_offset(),
        transacao: Transacao::Pix {
            // One payment pays one fatura: each baixa has its own end-to-end id.
            e2e_id: format!("E12345678202611231015{n:011}"),
            txid: None,
        },
        aguardar_erp: false,
    };
    Baixa::nova(nova, now)
}

fn accepts(c: &mut Criterion) {
    let runtime = Runtime::new().unwrap();
    // Both loops write to the same directory, so to the same disk.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("store.db")).unwrap();
    let mut n = 0u64;
    let mut group = c.benchmark_group("durable accept");
    group.sample_size(20).measurement_time(Duration::from_secs(10));
    group.bench_function("Store::registrar_baixa", |b| {
        b.to_async(&runtime).iter(|| {
            n += 1;
            let store = store.clone();
            let baixa = baixa(n);
            async move { store.registrar_baixa(baixa, "{}".into()).await.unwrap() }
        })
    });
    let raw = rusqlite::Connection::open(dir.path().join("raw.db")).unwrap();
    raw.pragma_update(None, "journal_mode", "WAL").unwrap();
    raw.pragma_update(None, "synchronous", "FULL").unwrap();
    raw.execute_batch("CREATE TABLE t (id TEXT PRIMARY KEY, chave TEXT UNIQUE, fatura TEXT, corpo TEXT)")
        .unwrap();
    let mut m = 0u64;
    group.bench_function("raw rusqlite insert, same pragmas", |b| {
        b.iter(|| {
            m += 1;
            let tx = raw.unchecked_transaction().unwrap();
            tx.execute(
                "INSERT INTO t VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![
                    uuid::Uuid::now_v7().to_string(),
                    format!("k{m}"),
                    format!("L-{m}"),
                    "{}"
                ],
            )
            .unwrap();
            tx.commit().unwrap();
        })
    });
    group.finish();
}

fn drain(_: &mut Criterion) {
    const N: u64 = 10_000;
    let runtime = Runtime::new().unwrap();
    runtime.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("drain.db")).unwrap();
        for n in 0..N {
            store.registrar_baixa(baixa(n), "{}".into()).await.unwrap();
        }
        let erp_server = DemoErp::start(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
        let config = borda::config::Config::parse(&erp_server.config_toml(), std::path::Path::new("bench")).unwrap();
        let erp = ErpClient::new(&config.erp).unwrap();
        let (stop, stopped) = watch::channel(false);
        let worker = Worker::new(
            store.clone(),
            erp,
            std::sync::Arc::new(BaixaConfig::default()),
            Politica::default(),
            Waker::default(),
            Saude::default(),
            Cadencia::default(),
        );
        let started = Instant::now();
        let task = tokio::spawn(worker.run(stopped));
        loop {
            let (pendentes, falhas) = store.contar_baixas().await.unwrap();
            assert_eq!(falhas, 0);
            if pendentes == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let elapsed = started.elapsed();
        println!(
            "drain: {N} pending baixas synced to a loopback ERP in {elapsed:.2?} ({:.0} baixas/s); ERP booked {}",
            N as f64 / elapsed.as_secs_f64(),
            erp_server.baixas_recebidas().len()
        );
        let _ = stop.send(true);
        let _ = task.await;
        erp_server.stop().await;
    });
}

criterion_group!(benches, accepts, drain);
criterion_main!(benches);
