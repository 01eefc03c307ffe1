//! Helpers shared by the integration tests: the public vectors, the real
//! binary and the real scanner.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod harness;
pub mod process;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// `tests/vectors`, the public test vectors kept with the crate (their sources are in its README).
pub fn vectors_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    assert!(dir.is_dir(), "vector folder {} is missing", dir.display());
    dir
}

/// One vector file, parsed.
pub fn vector_file(name: &str) -> Value {
    let path = vectors_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The non-empty array `key` of a vector file.
pub fn vector_list<'a>(doc: &'a Value, key: &str) -> &'a Vec<Value> {
    let list = doc[key]
        .as_array()
        .unwrap_or_else(|| panic!("vector file has no array {key:?}"));
    assert!(!list.is_empty(), "vector array {key:?} is empty");
    list
}

/// Installs the TLS crypto provider reqwest needs (borda builds with
/// `rustls-no-provider` and installs ring itself; test clients do the same).
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// GETs `url` and parses the JSON body.
pub fn get_json(url: &str) -> Value {
    install_crypto();
    reqwest::blocking::get(url)
        .expect("GET succeeds")
        .json()
        .expect("the body is JSON")
}

/// Runs the real `borda` binary with `args`.
pub fn borda(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_borda"))
        .args(args)
        .output()
        .expect("the borda binary runs")
}

/// Stdout of a run that must succeed.
pub fn borda_ok(args: &[&str]) -> String {
    let output = borda(args);
    assert!(
        output.status.success(),
        "borda {args:?} failed with {:?}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("stdout is UTF-8")
}

/// Which symbology the scanner looks for.
#[derive(Clone, Copy, Debug)]
pub enum Symbology {
    Itf,
    Qr,
}

/// What the independent scanner `zbarimg` (Debian package `zbar-tools`)
/// reads in the image at `path`, with only `symbology` enabled.
///
/// Fails the test when zbarimg is not installed, unless `BORDA_SKIP_SCAN=1`,
/// in which case it returns `None`.
pub fn zbar_scan(path: &Path, symbology: Symbology) -> Option<String> {
    if std::env::var("BORDA_SKIP_SCAN").as_deref() == Ok("1") {
        eprintln!("BORDA_SKIP_SCAN=1: not scanning {}", path.display());
        return None;
    }
    let enable = match symbology {
        Symbology::Itf => "-Si25.enable",
        Symbology::Qr => "-Sqrcode.enable",
    };
    let output = Command::new("zbarimg")
        .args(["--raw", "-q", "--nodbus", "-Sdisable", enable])
        .arg(path)
        .output()
        .unwrap_or_else(|error| {
            panic!("zbarimg could not run ({error}): install zbar-tools (`apt-get install zbar-tools`) or set BORDA_SKIP_SCAN=1")
        });
    assert!(
        output.status.success(),
        "zbarimg read nothing in {} ({:?}): {}",
        path.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("zbarimg --raw printed UTF-8");
    Some(text.strip_suffix('\n').unwrap_or(&text).to_owned())
}
