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
