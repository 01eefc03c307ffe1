//! A hostile client cannot hold the HTTP edge: connections that send partial
//! headers, nothing, or an incomplete body are closed after the configured
//! timeouts, and idle sockets beyond the connection cap do not lock the
//! kiosk out of `/healthz` and the baixa POST.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use borda::demo::DemoErp;
use common::harness::{Harness, send};
use common::process::Served;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Far past the 1 s timeouts the tests configure: only a server that never
/// closes misses it.
const DEADLINE: Duration = Duration::from_secs(15);

async fn short_timeouts() -> Harness {
    Harness::with(|config| {
        config.api.header_timeout_secs = 1;
        config.api.body_timeout_secs = 1;
        config.api.idle_timeout_secs = 1;
    })
    .await
}

/// Reads until the server closes; answers what it sent. Fails the test if it
/// is still open at [`DEADLINE`].
async fn until_closed(stream: &mut TcpStream, what: &str) -> String {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout(DEADLINE.saturating_sub(started.elapsed()), stream.read(&mut buffer)).await {
            Err(_) => panic!("{what}: still open after {DEADLINE:?}"),
            Ok(Ok(0)) | Ok(Err(_)) => return String::from_utf8_lossy(&received).into_owned(),
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
        }
    }
}

async fn connect(harness: &Harness) -> TcpStream {
    TcpStream::connect(harness.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed() {
    let harness = short_timeouts().await;
    let mut silent = connect(&harness).await;
    let answer = until_closed(&mut silent, "a silent connection").await;
    assert!(!answer.contains("200 OK"), "{answer}");
    harness.stop().await;
}

#[tokio::test]
async fn partial_headers_are_closed_even_when_dripped() {
    let harness = short_timeouts().await;
    let host = harness.base.trim_start_matches("http://").to_owned();
    let mut partial = connect(&harness).await;
    partial
        .write_all(format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\n").as_bytes())
        .await
        .unwrap();
    let mut dripping = connect(&harness).await;
    dripping.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
    // A slowloris keeps sending a byte now and then: the header deadline does not move.
    let drip = tokio::spawn(async move {
        for _ in 0..40 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if dripping.write_all(b"X").await.is_err() {
                return true;
            }
        }
        false
    });
    until_closed(&mut partial, "partial headers").await;
    assert!(drip.await.unwrap(), "a dripping client kept its connection for 8 s");
    harness.stop().await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let harness = short_timeouts().await;
    let host = harness.base.trim_start_matches("http://").to_owned();
    let mut idle = connect(&harness).await;
    idle.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let answer = until_closed(&mut idle, "an idle keep-alive connection").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    harness.stop().await;
}

#[tokio::test]
async fn an_unsent_body_is_answered_408_and_closed() {
    let harness = short_timeouts().await;
    let host = harness.base.trim_start_matches("http://").to_owned();
    let mut stalled = connect(&harness).await;
    stalled
        .write_all(
            format!(
                "POST /v1/pix/decode HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"pay"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let answer = until_closed(&mut stalled, "an incomplete body").await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(answer.contains("tempo_esgotado"), "{answer}");
    harness.stop().await;
}

#[tokio::test]
async fn the_api_still_answers_after_hostile_connections_are_gone() {
    let harness = short_timeouts().await;
    let mut held = Vec::new();
    for _ in 0..20 {
        held.push(connect(&harness).await);
    }
    for stream in &mut held {
        until_closed(stream, "a held socket").await;
    }
    assert_eq!(harness.get("/healthz").await.status(), StatusCode::OK);
    harness.stop().await;
}

/// The scenario: `ulimit -n 256`, 300 idle sockets held, the default
/// cap of 200 connections. `/healthz` and a baixa POST still answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sockets_beyond_the_cap_do_not_lock_the_kiosk_out() {
    common::install_crypto();
    let erp = DemoErp::start(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let served = Served::configure(dir.path(), &erp);
    let http = reqwest::Client::builder().timeout(DEADLINE).build().unwrap();
    let mut child = served.spawn_with_fd_limit(&http, 256).await;
    let addr = served.base.trim_start_matches("http://").to_owned();
    let mut held = Vec::new();
    for _ in 0..300 {
        held.push(TcpStream::connect(&addr).await.unwrap());
    }
    // A fresh client (a new connection) each time, like the kiosk after a reload.
    let fresh = reqwest::Client::builder().timeout(DEADLINE).build().unwrap();
    let health = fresh.get(format!("{}/healthz", served.base)).send().await;
    assert!(
        health.as_ref().is_ok_and(|r| r.status() == StatusCode::OK),
        "/healthz with 300 idle sockets held: {health:?}"
    );
    let fresh = reqwest::Client::builder().timeout(DEADLINE).build().unwrap();
    let (status, _, body) = send(served.pay(&fresh, "L-1")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    drop(held);
    child.kill().unwrap();
    child.wait().unwrap();
    erp.stop().await;
}

#[tokio::test]
async fn a_request_in_flight_finishes_when_the_daemon_stops() {
    let harness = Harness::start().await;
    harness
        .erp()
        .set_modo(borda::demo::Modo::Lento(Duration::from_millis(400)));
    let request = harness
        .http
        .get(format!("{}/v1/clientes/11144477735/faturas", harness.base))
        .send();
    let in_flight = tokio::spawn(request);
    tokio::time::sleep(Duration::from_millis(100)).await;
    harness.stop().await;
    let response = in_flight.await.unwrap();
    assert!(response.is_ok(), "the request in flight got no answer: {response:?}");
}
