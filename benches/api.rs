#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Latency of the totem's hot path while the ERP is down (issue 3 target:
//! p99 under 10 ms): `GET /v1/clientes/{documento}/faturas` answered from
//! the SQLite cache by the real daemon over a real loopback socket.
//!
//! Prints p50/p99/max over 10,000 sequential requests, then lets criterion
//! measure the same request.
//!
//! Also: baixa POST latency while 8 clients fetch boleto PDFs and 56 poll a
//! customer's faturas (target: p99 at most 50 ms), the daemon on a two-worker
//! runtime like the kiosk's and the clients on one of their own. Renders run
//! on the blocking pool behind a two-permit semaphore, so the async workers
//! keep answering payments.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

use borda::config::Config;
use borda::demo::{CLIENTES_DEMO, DemoErp};
use borda::edges::daemon::Daemon;

/// A daemon whose cache holds one customer's faturas and whose ERP is gone.
async fn offline_daemon(store: &Path) -> (Daemon, String) {
    let erp = DemoErp::start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("demo ERP starts");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local address");
    let text = format!(
        "[api]\nallowed_hosts = [\"{addr}\"]\n[store]\npath = '{}'\n[cache]\nfresh_secs = 0\n{}",
        store.display(),
        erp.config_toml()
    );
    let config = Config::parse(&text, Path::new("bench.toml")).expect("config");
    let daemon = Daemon::start(config, listener).await.expect("daemon starts");
    let documento = CLIENTES_DEMO
        .first()
        .map(|(documento, _)| *documento)
        .unwrap_or_default();
    let url = format!("http://{addr}/v1/clientes/{documento}/faturas");
    let http = reqwest::Client::new();
    http.get(&url).send().await.expect("warm-up request");
    erp.stop().await;
    // Let the breaker open so every answer comes straight from the cache.
    for _ in 0..5 {
        let _ = http.get(&url).send().await;
    }
    (daemon, url)
}

fn offline_faturas(c: &mut Criterion) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = Runtime::new().expect("tokio runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let (_daemon, url) = runtime.block_on(offline_daemon(&dir.path().join("borda.db")));
    let http = reqwest::Client::new();

    let mut latencies: Vec<Duration> = runtime.block_on(async {
        let mut latencies = Vec::with_capacity(10_000);
        for _ in 0..10_000 {
            let start = Instant::now();
            let response = http.get(&url).send().await.expect("request");
            assert!(response.status().is_success());
            let body = response.bytes().await.expect("body");
            assert!(!body.is_empty());
            latencies.push(start.elapsed());
        }
        latencies
    });
    report("offline GET faturas over 10000 requests", &mut latencies, "");

    c.bench_function("GET faturas, ERP down (cache)", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = http.get(&url).send().await.expect("request");
            response.bytes().await.expect("body")
        })
    });
}

/// A daemon against a live demo ERP; answers its address.
async fn online_daemon(store: &Path) -> (Daemon, DemoErp, String) {
    let erp = DemoErp::start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("demo ERP starts");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local address");
    let text = format!(
        "[api]\nallowed_hosts = [\"{addr}\"]\n[store]\npath = '{}'\n[cache]\nfresh_secs = 60\n{}",
        store.display(),
        erp.config_toml()
    );
    let config = Config::parse(&text, Path::new("bench.toml")).expect("config");
    let daemon = Daemon::start(config, listener).await.expect("daemon starts");
    (daemon, erp, format!("http://{addr}"))
}

/// Prints the p50, p99 and max of `latencies` (sorted here) under `what`, then `target`.
fn report(what: &str, latencies: &mut [Duration], target: &str) {
    latencies.sort();
    let at = |fraction: f64| latencies[((latencies.len() as f64 * fraction) as usize).min(latencies.len() - 1)];
    println!(
        "{what}: p50 {:?}, p99 {:?}, max {:?}{target}",
        at(0.50),
        at(0.99),
        latencies[latencies.len() - 1]
    );
}

/// A R$ 10.00 PIX payment of the load fatura `L-<n>`.
fn pay(http: &reqwest::Client, base: &str, n: u64) -> reqwest::RequestBuilder {
    http.post(format!("{base}/v1/faturas/L-{n}/baixas"))
        .header("idempotency-key", format!("bench-{n}"))
        .json(&serde_json::json!({
            "forma": "pix",
            "valor": "10.00",
            // Now, as a PIX integration reports it: pago_em must be plausible for the fatura and the E2E id.
            "pago_em": chrono::Utc::now().to_rfc3339(),
            "transacao": {
                "e2e_id": format!("E12345678{}{n:011}", chrono::Utc::now().format("%Y%m%d%H%M")),
                "txid": format!("L{n}"),
            },
        }))
}

fn baixa_while_pdfs_render(c: &mut Criterion) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    // The daemon on two workers, as on the kiosk; the clients on a runtime of their own, as another process would be.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let clients = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("clients' runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let (_daemon, _erp, base) = runtime.block_on(online_daemon(&dir.path().join("borda.db")));
    let http = reqwest::Client::new();
    // Eight clients asking for locally rendered boleto PDFs without pause, and 56 polling a customer's faturas.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let faturas = format!("{base}/v1/clientes/{}/faturas", CLIENTES_DEMO[0].0);
    let pdf = format!("{base}/v1/faturas/10002/boleto.pdf");
    for url in std::iter::repeat_n(pdf, 8).chain(std::iter::repeat_n(faturas, 56)) {
        let (http, stop) = (http.clone(), stop.clone());
        clients.spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(response) = http.get(&url).send().await {
                    let _ = response.bytes().await;
                }
            }
        });
    }
    let mut next = 0u64;
    let mut latencies: Vec<Duration> = clients.block_on(async {
        let mut latencies = Vec::with_capacity(500);
        for _ in 0..500 {
            next += 1;
            let start = Instant::now();
            let response = pay(&http, &base, next).send().await.expect("request");
            assert_eq!(response.status().as_u16(), 202);
            response.bytes().await.expect("body");
            latencies.push(start.elapsed());
        }
        latencies
    });
    report(
        "baixa POST while 8 PDFs render and 56 clients read faturas, over 500 requests",
        &mut latencies,
        " (target p99 <= 50 ms)",
    );
    c.bench_function("POST baixa while 8 PDFs render and 56 read faturas", |b| {
        b.to_async(&clients).iter(|| {
            next += 1;
            let request = pay(&http, &base, next);
            async move { request.send().await.expect("request").bytes().await.expect("body") }
        })
    });
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
}

criterion_group!(benches, offline_faturas, baixa_while_pdfs_render);
criterion_main!(benches);
