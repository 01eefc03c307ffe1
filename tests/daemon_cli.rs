//! The real binary as a technician and the README use it: `borda config`
//! and `borda demo`, end to end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{borda, borda_ok, get_json};

#[test]
fn the_example_config_passes_its_own_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, borda_ok(&["config", "example"])).unwrap();
    let out = borda_ok(&["config", "check", path.to_str().unwrap()]);
    assert!(out.contains(": ok"), "{out}");
}

#[test]
fn config_check_names_the_unknown_key_and_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "[api]\nlisen = \"127.0.0.1:8787\"\n\n[erp]\nbase_url = \"https://erp.example.com\"\n",
    )
    .unwrap();
    let output = borda(&["config", "check", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("lisen") && stderr.contains("line 2"), "{stderr}");
    std::fs::write(
        &path,
        "[api]\nlisten = \"0.0.0.0:8787\"\n[erp]\nbase_url = \"https://erp.example.com\"\n",
    )
    .unwrap();
    let output = borda(&["config", "check", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("api.listen"));
    let output = borda(&["config", "check", dir.path().join("missing.toml").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "a missing file is not bad input");
}

#[test]
fn serve_refuses_a_bad_config_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "[erp]\nbase_url = \"ftp://erp\"\n").unwrap();
    let output = borda(&["serve", "--config", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("erp.base_url"));
}

#[test]
fn demo_serves_faturas_and_stops_cleanly_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_borda"))
        .args(["demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            line.split_whitespace()
                .find(|w| w.ends_with("/faturas"))
                .map(str::to_owned)
        })
        .expect("the banner names a faturas URL");
    let body = get_json(&url);
    assert_eq!(body["origem"], "upstream", "{body}");
    assert!(!body["faturas"].as_array().unwrap().is_empty());
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "borda demo did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
}

#[test]
fn demo_erp_only_serves_the_erp_and_prints_the_section_that_points_at_it() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_borda"))
        .args(["demo", "--erp-only", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut section = String::new();
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        section.push_str(&line);
        section.push('\n');
        if line.starts_with("auth_value") {
            break;
        }
    }
    let config: toml::Table = toml::from_str(&section[section.find("[erp]").expect("an [erp] section")..]).unwrap();
    let base = config["erp"]["base_url"].as_str().unwrap();
    common::install_crypto();
    let probe = reqwest::blocking::get(base).unwrap();
    assert!(probe.status().is_success());
    assert!(probe.text().unwrap().contains("ERP de demonstração"));
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
}

#[test]
fn log_format_json_writes_one_object_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("borda.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_borda"))
        .args(["--log-format", "json", "demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let banner = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.contains("/faturas"));
    assert!(banner, "the demo came up");
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    let log = std::fs::read_to_string(&log).unwrap();
    let linhas: Vec<serde_json::Value> = log.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert!(
        linhas.iter().any(|linha| linha["message"] == "borda listening"),
        "{log}"
    );
    assert!(
        linhas
            .iter()
            .all(|linha| linha["level"].is_string() && linha["timestamp"].is_string())
    );
}

/// A `borda sync` configuration pointing at `addr`.
fn sync_config(dir: &std::path::Path, addr: &str) -> std::path::PathBuf {
    let path = dir.join("sync.toml");
    std::fs::write(
        &path,
        format!("[api]\nlisten = \"{addr}\"\n[erp]\nbase_url = \"http://127.0.0.1:9\"\n"),
    )
    .unwrap();
    path
}

/// Runs `borda sync --wait` with `extra` arguments off the async runtime.
async fn sync_wait(config: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "sync".to_owned(),
        "--wait".to_owned(),
        "--config".to_owned(),
        config.to_str().unwrap().to_owned(),
    ];
    args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        borda(&args)
    })
    .await
    .unwrap()
}

/// A fake daemon: `POST /v1/sync` says one baixa is pending, `/readyz` is 503
/// (its database does not answer).
fn unready_daemon() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut request = [0u8; 4096];
            let n = std::io::Read::read(&mut stream, &mut request).unwrap_or(0);
            let request = String::from_utf8_lossy(&request[..n]);
            let (status, body) = if request.starts_with("POST /v1/sync") {
                ("202 Accepted", r#"{"pendentes":1,"falhas":0}"#)
            } else {
                (
                    "503 Service Unavailable",
                    r#"{"db":"disco em falha","upstream":"online","outbox":{"pendentes":0,"falhas":0},"impressoras":[]}"#,
                )
            };
            let answer = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = std::io::Write::write_all(&mut stream, answer.as_bytes());
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_wait_fails_when_the_daemon_is_not_ready() {
    let dir = tempfile::tempdir().unwrap();
    let config = sync_config(dir.path(), &unready_daemon());
    let output = sync_wait(&config, &[]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("não está pronto") && stderr.contains("503"), "{stderr}");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("pendentes: 0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_wait_fails_when_the_daemon_is_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = sync_config(dir.path(), &format!("127.0.0.1:{port}"));
    let output = sync_wait(&config, &[]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("não respondeu"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_wait_gives_up_after_its_timeout_listing_what_is_pending() {
    let mut harness = common::harness::Harness::start().await;
    let (_, _, fatura) = harness.json("/v1/faturas/10001").await;
    let valor = fatura["valor_atual"].as_str().unwrap().to_owned();
    harness.stop_erp().await;
    let (status, _, body) = harness
        .post_baixa("10001", Some("k-timeout"), &common::harness::pix_body(&valor))
        .await;
    assert_eq!(status.as_u16(), 202, "{body}");
    let dir = tempfile::tempdir().unwrap();
    let config = sync_config(dir.path(), harness.base.trim_start_matches("http://"));
    let started = Instant::now();
    let output = sync_wait(&config, &["--timeout", "1s"]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("tempo esgotado") && stderr.contains("pendentes: 1"),
        "{stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    let output = sync_wait(&config, &["--timeout", "depois"]).await;
    assert_eq!(output.status.code(), Some(2), "a bad duration is bad input");
    harness.stop().await;
}
