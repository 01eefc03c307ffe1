//! The real binary under a stand-in for systemd: `NOTIFY_SOCKET` points at a datagram socket the test reads, and
//! `WATCHDOG_USEC` asks for the watchdog. borda must say READY=1 once it serves, then WATCHDOG=1 again and again
//! (each only after its store thread answered a trivial job), and STOPPING=1 on SIGTERM before exiting cleanly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::net::SocketAddr;
use std::os::unix::net::UnixDatagram;
use std::process::Command;
use std::time::{Duration, Instant};

use borda::demo::DemoErp;
use common::process::Served;

/// Reads notifications until `done` says enough, or fails after `limit`.
fn read_until(socket: &UnixDatagram, seen: &mut Vec<String>, limit: Duration, done: impl Fn(&[String]) -> bool) {
    let deadline = Instant::now() + limit;
    let mut buffer = [0u8; 4096];
    while !done(seen) {
        assert!(Instant::now() < deadline, "systemd was told only {seen:?}");
        if let Ok(n) = socket.recv(&mut buffer) {
            let message = String::from_utf8_lossy(&buffer[..n]).into_owned();
            seen.extend(message.lines().map(str::to_owned));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn systemd_hears_ready_then_watchdog_pings_then_stopping() {
    common::install_crypto();
    let erp = DemoErp::start(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let served = Served::configure(dir.path(), &erp);
    let socket_path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_borda"));
    command
        .args(["serve", "--config", served.config.to_str().unwrap()])
        .env("NOTIFY_SOCKET", &socket_path)
        .env("WATCHDOG_USEC", "400000");
    let mut child = served.start(command, &reqwest::Client::new()).await;

    let mut seen = Vec::new();
    let pings = |seen: &[String]| seen.iter().filter(|line| *line == "WATCHDOG=1").count();
    read_until(&socket, &mut seen, Duration::from_secs(10), |seen| pings(seen) >= 3);
    let ready = seen
        .iter()
        .position(|line| line == "READY=1")
        .expect("READY=1 was sent");
    let first_ping = seen.iter().position(|line| line == "WATCHDOG=1").unwrap();
    assert!(ready < first_ping, "READY=1 comes first: {seen:?}");

    let terminated = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    read_until(&socket, &mut seen, Duration::from_secs(10), |seen| {
        seen.iter().any(|line| line == "STOPPING=1")
    });
    let status = child.wait().unwrap();
    assert!(status.success(), "a clean stop exits 0: {status}");
    erp.stop().await;
}
