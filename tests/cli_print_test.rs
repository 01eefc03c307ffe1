//! `borda print-test` end to end: the real binary asks a running daemon (the suite's `Balcao`, printing on the TCP
//! emulator) to print the test page through `POST /v1/impressoes`, follows the job and exits 0 once printed; 1 when
//! the daemon is down or the page is not printed in time (paper out); 2 for a printer the daemon does not have.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::borda;
use common::impressora::{Balcao, Emulador, Falha, contem, impressora_toml};

/// A CLI configuration pointing at the daemon at `base` (`http://addr`).
fn config_cli(dir: &Path, base: &str) -> PathBuf {
    let addr = base.trim_start_matches("http://");
    let path = dir.join("cli.toml");
    std::fs::write(
        &path,
        format!("[api]\nlisten = \"{addr}\"\n[erp]\nbase_url = \"http://127.0.0.1:9\"\n"),
    )
    .unwrap();
    path
}

/// Runs `borda print-test --config CONFIG EXTRA…` off the async runtime, so the daemon keeps serving.
async fn print_test(config: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "print-test".to_owned(),
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

fn texto(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_page_is_printed_and_followed_until_printed() {
    let emulador = Emulador::start().await;
    let balcao = Balcao::start(&impressora_toml("balcao", &emulador)).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_cli(dir.path(), &balcao.base);

    let output = print_test(&config, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", texto(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("impressora balcao"), "{}", texto(&output));
    assert!(
        stdout.lines().last().unwrap().ends_with(": impressa"),
        "{}",
        texto(&output)
    );

    let impressos = emulador.impressos();
    assert_eq!(impressos.len(), 1, "one page printed");
    let pagina = &impressos[0];
    // The page as the printer reads it in its code page (PC860): the accented alphabet included, nothing unmapped.
    let lido = common::escpos::conferir_texto(
        &common::escpos::comandos(pagina).unwrap(),
        borda::domain::impressao::escpos::PaginaDeCodigo::Pc860,
    )
    .unwrap();
    assert!(lido.contains("ÁÉÍÓÚ ÂÊÔ ÃÕ Ç\náéíóú âêô ãõ ç"), "{lido}");
    for trecho in [
        "TESTE DE IMPRESS".as_bytes(),
        concat!("borda ", env!("CARGO_PKG_VERSION")).as_bytes(),
        b"Impressora: balcao",
        b"....+....1....+....2",
        b"1234567890",
    ] {
        assert!(contem(pagina, trecho), "{:?} missing", String::from_utf8_lossy(trecho));
    }

    // Naming the printer works the same.
    let output = print_test(&config, &["--impressora", "balcao"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", texto(&output));
    assert_eq!(emulador.impressos().len(), 2);

    balcao.stop().await;
    emulador.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_printer_exits_2_naming_the_flag() {
    let emulador = Emulador::start().await;
    let balcao = Balcao::start(&impressora_toml("balcao", &emulador)).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_cli(dir.path(), &balcao.base);

    let output = print_test(&config, &["--impressora", "cozinha"]).await;
    assert_eq!(output.status.code(), Some(2), "{}", texto(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--impressora") && stderr.contains("balcao"),
        "{}",
        texto(&output)
    );
    assert!(emulador.impressos().is_empty());

    balcao.stop().await;
    emulador.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paper_out_past_the_timeout_exits_1_saying_why() {
    let emulador = Emulador::start().await;
    emulador.falha(Falha::SemPapel);
    let balcao = Balcao::start(&impressora_toml("balcao", &emulador)).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_cli(dir.path(), &balcao.base);

    let output = print_test(&config, &["--timeout", "3s"]).await;
    assert_eq!(output.status.code(), Some(1), "{}", texto(&output));
    let tudo = texto(&output);
    assert!(tudo.contains("sem_papel"), "the wait's reason is shown: {tudo}");
    assert!(tudo.contains("tempo esgotado"), "{tudo}");

    balcao.stop().await;
    emulador.stop().await;
}

#[tokio::test]
async fn a_daemon_that_is_not_running_exits_1() {
    let porta = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = config_cli(dir.path(), &format!("http://{porta}"));
    let output = print_test(&config, &[]).await;
    assert_eq!(output.status.code(), Some(1), "{}", texto(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("rodando"),
        "{}",
        texto(&output)
    );
}
