//! Tidy checks on the sources themselves, in the spirit of rust-analyzer's `tidy` tests: rules of the layout that
//! the compiler cannot enforce.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

/// Crates the pure domain may never use: IO, async runtimes, HTTP and SQL belong to adapters and edges.
const FORBIDDEN_IN_DOMAIN: &[&str] = &["tokio", "reqwest", "rusqlite", "axum", "hyper", "tower", "tower_http"];

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files
}

/// Whether `line` names `krate` as a path root (`tokio::`, `use tokio`, `::tokio`), ignoring comments.
fn names_crate(line: &str, krate: &str) -> bool {
    let code = line.split("//").next().unwrap_or_default();
    let bytes = code.as_bytes();
    code.match_indices(krate).any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = &code[at + krate.len()..];
        let starts_word = before.is_none_or(|b| !(b.is_ascii_alphanumeric() || b == b'_'));
        let is_path = after.starts_with("::") || after.starts_with(';') || after.starts_with(" as ");
        let is_use = code.trim_start().starts_with("use ") || code.contains("extern crate");
        starts_word && (is_path || (is_use && after.starts_with(['}', ',', ';'])))
    })
}

#[test]
fn the_domain_imports_no_io_runtime_http_or_sql() {
    let domain = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain");
    let files = rust_files(&domain);
    assert!(
        files.len() >= 8,
        "the domain folder is where the layout says: {}",
        domain.display()
    );
    let mut offences = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (number, line) in text.lines().enumerate() {
            for krate in FORBIDDEN_IN_DOMAIN {
                if names_crate(line, krate) {
                    offences.push(format!(
                        "{}:{}: uses {krate}: {}",
                        file.display(),
                        number + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "the pure domain must stay pure:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_check_sees_what_it_must() {
    assert!(names_crate("use tokio::sync::Notify;", "tokio"));
    assert!(names_crate("    let x = rusqlite::Connection::open(p);", "rusqlite"));
    assert!(names_crate("use {axum, serde};", "axum") || names_crate("use axum;", "axum"));
    assert!(!names_crate("// tokio::spawn is not used here", "tokio"));
    assert!(!names_crate("let my_tokio::x = 1;", "tokio"));
    assert!(!names_crate("/// the hyperlink", "hyper"));
}
