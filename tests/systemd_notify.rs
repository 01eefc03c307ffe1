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

    // SIGHUP does not stop it.
    let hangup = Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(hangup.success());
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(child.try_wait().unwrap().is_none(), "still running after SIGHUP");
    let health = reqwest::get(format!("{}/healthz", served.base)).await.unwrap();
    assert!(health.status().is_success());
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
    // Its last act was a checkpoint: every write is in the database file, none left in the WAL.
    let mut wal = served.db.clone().into_os_string();
    wal.push("-wal");
    assert_eq!(
        std::fs::metadata(&wal).map_or(0, |meta| meta.len()),
        0,
        "the WAL was folded in"
    );
    erp.stop().await;
}

/// Start-up reads only the schema, so a file whose tables are damaged still starts; the check of the whole file,
/// run in the background once borda serves, finds the damage, says what SQLite found, and the daemon exits non-zero
/// for systemd to restart it (and the technician to see why) instead of serving from a broken cache.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_damaged_past_its_schema_is_found_by_the_background_check_and_borda_exits() {
    common::install_crypto();
    let erp = DemoErp::start(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let served = Served::configure(dir.path(), &erp);
    let http = reqwest::Client::new();
    // A file with data.
    let mut child = served.spawn(&http).await;
    for documento in ["52998224725", "11144477735"] {
        let url = format!("{}/v1/clientes/{documento}/faturas", served.base);
        assert!(http.get(url).send().await.unwrap().status().is_success());
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    common::danificar_tabela(&served.db, "faturas");

    let log = dir.path().join("borda.log");
    let socket_path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_borda"))
        .args(["serve", "--config", served.config.to_str().unwrap()])
        .env("NOTIFY_SOCKET", &socket_path)
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut seen = Vec::new();
    read_until(&socket, &mut seen, Duration::from_secs(10), |seen| {
        seen.iter().any(|line| line == "READY=1")
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "borda kept serving a damaged database: {}",
                std::fs::read_to_string(&log).unwrap()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(!status.success(), "{status}");
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        log.contains("verificação do banco"),
        "the log names the part that stopped: {log}"
    );
    assert!(log.contains("corrompido"), "and what it found: {log}");
    erp.stop().await;
}

/// A customer's CPF or CNPJ never reaches the logs, whatever is logged: the real binary at `BORDA_LOG=trace` serves a
/// customer, her faturas, a fatura, a payment and a lookup of an unknown document, online then with the ERP gone,
/// and the log must not hold the digits, bare or punctuated, nor the customer's name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_and_names_never_reach_the_logs() {
    common::install_crypto();
    let erp = DemoErp::start(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let served = Served::configure(dir.path(), &erp);
    let http = reqwest::Client::new();
    let log = dir.path().join("borda.log");
    let mut child = served.spawn_logging(&http, &log).await;
    let get = |path: String| {
        let http = http.clone();
        let url = format!("{}{path}", served.base);
        async move { http.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let maria = "52998224725";
    let desconhecido = "11144477735";
    for _ in 0..2 {
        for documento in [maria, "529.982.247-25", desconhecido, "12ABC34501DE35"] {
            get(format!("/v1/clientes/{documento}")).await;
            get(format!("/v1/clientes/{documento}/faturas")).await;
            get(format!("/v1/clientes/{documento}/contratos")).await;
        }
        get("/v1/faturas/10001".into()).await;
        let paid = served.pay(&http, "L-77").send().await.unwrap();
        assert!(
            paid.status().is_success() || paid.status().as_u16() == 409,
            "{}",
            paid.status()
        );
    }
    erp.stop().await;
    for documento in [maria, desconhecido] {
        get(format!("/v1/clientes/{documento}/faturas")).await;
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.lines().count() > 20, "the daemon did log at trace: {log}");
    assert!(
        log.contains("fatura.id=L-77") && log.contains("baixa.id="),
        "ids are logged under stable field names, so the search below would find a document: {log}"
    );
    assert!(!log.contains('\u{1b}'), "no colour escape codes in a file");
    for segredo in [
        maria,
        "529.982.247-25",
        desconhecido,
        "12ABC34501DE35",
        "Maria Aparecida",
        "MARIA APARECIDA",
    ] {
        let linha = log.lines().find(|line| line.contains(segredo));
        assert!(linha.is_none(), "{segredo} in the log: {linha:?}");
    }
}
