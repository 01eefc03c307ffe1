//! `borda doctor` end to end: the real binary checks a configuration whose ERP (the demo ERP), retaguarda (the demo
//! retaguarda) and printer (the TCP emulator) run in this process, with a database absent, healthy or damaged.
//! One line per check; exit 0 when all pass, 1 when any fails (with a hint under it), 2 for a configuration that
//! cannot be used. Every timeout in these configurations is at most 1 s, so nothing here can hang.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use borda::adapters::store::Store;
use borda::demo::DemoErp;
use borda::demo::retaguarda::DemoRetaguarda;
use common::impressora::{Emulador, impressora_toml};

/// What one run of `borda doctor` left.
struct Saida {
    codigo: Option<i32>,
    stdout: String,
    stderr: String,
    duracao: Duration,
}

impl Saida {
    /// The line of check `nome` (`✔ nome: …` or `✘ nome: …`) and the line after it.
    fn linha(&self, nome: &str) -> (&str, Option<&str>) {
        let linhas: Vec<&str> = self.stdout.lines().collect();
        let indice = linhas
            .iter()
            .position(|linha| {
                linha
                    .get(4..)
                    .is_some_and(|resto| resto.starts_with(&format!("{nome}:")))
            })
            .unwrap_or_else(|| panic!("no line for {nome:?}\n{self}"));
        (linhas[indice], linhas.get(indice + 1).copied())
    }

    fn passou(&self, nome: &str) {
        let (linha, _) = self.linha(nome);
        assert!(linha.starts_with('✔'), "{nome} should pass\n{self}");
    }

    /// Asserts that check `nome` failed saying `detalhe`, with a hint under it; returns the hint.
    fn falhou(&self, nome: &str, detalhe: &str) -> &str {
        let (linha, seguinte) = self.linha(nome);
        assert!(linha.starts_with('✘'), "{nome} should fail\n{self}");
        assert!(linha.contains(detalhe), "{nome} should say {detalhe:?}\n{self}");
        let dica = seguinte.unwrap_or_default();
        assert!(dica.starts_with("  → "), "{nome} should have a hint\n{self}");
        dica
    }
}

impl std::fmt::Display for Saida {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?} after {:?}\nstdout:\n{}stderr:\n{}",
            self.codigo, self.duracao, self.stdout, self.stderr
        )
    }
}

/// Runs `borda doctor --config CONFIG` off the async runtime, so the fakes keep serving.
async fn doctor(config: &Path) -> Saida {
    let config = config.to_str().unwrap().to_owned();
    tokio::task::spawn_blocking(move || {
        let inicio = Instant::now();
        let output = common::borda(&["doctor", "--config", &config]);
        Saida {
            codigo: output.status.code(),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            duracao: inicio.elapsed(),
        }
    })
    .await
    .unwrap()
}

/// The `[erp]` section of `erp` with a 1 s timeout, or with `auth_value` replaced.
fn erp_toml(erp: &DemoErp, auth_value: Option<&str>) -> String {
    let mut secao = erp.config_toml();
    if let Some(valor) = auth_value {
        secao = secao
            .lines()
            .map(|linha| {
                if linha.starts_with("auth_value") {
                    format!("auth_value = \"{valor}\"\n")
                } else {
                    format!("{linha}\n")
                }
            })
            .collect();
    }
    secao + "timeout_ms = 1000\n"
}

/// Writes a configuration: the store at `dir/borda.db` and the given sections.
fn config(dir: &Path, secoes: &[String]) -> (PathBuf, PathBuf) {
    let db = dir.join("borda.db");
    let mut texto = format!("[store]\npath = \"{}\"\n", db.display());
    for secao in secoes {
        texto.push_str(secao);
    }
    let path = dir.join("config.toml");
    std::fs::write(&path, texto).unwrap();
    (path, db)
}

/// Creates the database at `db` as the daemon does at start-up, and waits until the store has closed it.
async fn criar_banco(db: &Path) {
    let store = Store::open(db).unwrap();
    store.ping().await.unwrap();
    drop(store);
    // The last connection to a WAL file folds the WAL in and removes it when it closes.
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    let limite = Instant::now() + Duration::from_secs(5);
    while wal.exists() {
        assert!(Instant::now() < limite, "the store did not close the database");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

const LOCAL: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 0);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_healthy_every_line_passes_and_exits_0() {
    common::install_crypto();
    let erp = DemoErp::start(LOCAL).await.unwrap();
    let retaguarda = DemoRetaguarda::start(LOCAL).await.unwrap();
    let emulador = Emulador::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (path, db) = config(
        dir.path(),
        &[
            erp_toml(&erp, None),
            retaguarda.config_toml(),
            impressora_toml("balcao", &emulador),
        ],
    );

    // No database yet: the daemon creates it at start; doctor neither creates it nor fails.
    let saida = doctor(&path).await;
    assert_eq!(saida.codigo, Some(0), "{saida}");
    assert_eq!(saida.stdout.lines().count(), 7, "one line per check\n{saida}");
    assert!(saida.stdout.lines().all(|linha| linha.starts_with('✔')), "{saida}");
    assert!(saida.linha("banco de dados").0.contains("será criado"), "{saida}");
    assert!(!db.exists(), "doctor never creates the database");

    criar_banco(&db).await;
    let saida = doctor(&path).await;
    assert_eq!(saida.codigo, Some(0), "{saida}");
    assert!(saida.stdout.lines().all(|linha| linha.starts_with('✔')), "{saida}");
    for nome in ["configuração", "espaço em disco", "retaguarda", "impressora balcao"] {
        saida.passou(nome);
    }
    assert!(
        saida
            .linha("banco de dados")
            .0
            .contains(&format!("ok (schema {}", Store::VERSAO_SCHEMA)),
        "{saida}"
    );
    assert!(saida.linha("ERP").0.contains("autenticado"), "{saida}");
    assert!(
        saida.linha("impressora balcao").0.contains("online, papel ok"),
        "{saida}"
    );
    assert!(
        saida.linha("relógio").0.contains("de diferença do ERP"),
        "the ERP's Date was compared\n{saida}"
    );
    // The checks' names are padded so that the details start in one column.
    let coluna = |linha: &str| {
        let chars: Vec<char> = linha.chars().collect();
        let dois_pontos = chars.iter().position(|c| *c == ':').unwrap();
        dois_pontos + 1 + chars[dois_pontos + 1..].iter().take_while(|c| **c == ' ').count()
    };
    let colunas: Vec<usize> = saida.stdout.lines().map(coluna).collect();
    assert!(colunas.windows(2).all(|par| par[0] == par[1]), "{saida}");
    assert!(emulador.consultas() > 0, "the printer was asked its status");
    assert!(emulador.impressos().is_empty(), "and sent nothing to print");

    emulador.stop().await;
    retaguarda.stop().await;
    erp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erp_and_printer_down_fail_with_hints_and_exit_1() {
    common::install_crypto();
    let erp = DemoErp::start(LOCAL).await.unwrap();
    let emulador = Emulador::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (path, _db) = config(
        dir.path(),
        &[erp_toml(&erp, None), impressora_toml("balcao", &emulador)],
    );
    erp.stop().await;
    emulador.stop().await;

    let saida = doctor(&path).await;
    assert_eq!(saida.codigo, Some(1), "{saida}");
    let dica = saida.falhou("ERP", "sem conexão");
    assert!(
        dica.contains("cabo de rede") && dica.contains("erp.base_url"),
        "{saida}"
    );
    let dica = saida.falhou("impressora balcao", "inalcançável");
    assert!(dica.contains("cabo") && dica.contains("papel"), "{saida}");
    for nome in [
        "configuração",
        "banco de dados",
        "espaço em disco",
        "retaguarda",
        "relógio",
    ] {
        saida.passou(nome);
    }
    assert!(
        saida.linha("retaguarda").0.contains("não configurada (só PDV)"),
        "{saida}"
    );
    assert!(saida.stderr.contains("2 de 7 verificações falharam"), "{saida}");
    assert!(saida.duracao < Duration::from_secs(10), "doctor must not hang\n{saida}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hung_upstreams_and_a_mute_printer_still_answer_within_the_timeouts() {
    // Accepts connections and never answers: an ERP and a retaguarda that hang.
    let mudo = tokio::net::TcpListener::bind(LOCAL).await.unwrap();
    let base = format!("http://{}", mudo.local_addr().unwrap());
    let segura = tokio::spawn(async move {
        let mut abertas = Vec::new();
        while let Ok((conexao, _)) = mudo.accept().await {
            abertas.push(conexao);
        }
    });
    let emulador = Emulador::start().await;
    emulador.falha(common::impressora::Falha::Mudo);
    let dir = tempfile::tempdir().unwrap();
    let (path, _db) = config(
        dir.path(),
        &[
            format!("[erp]\nbase_url = \"{base}\"\ntimeout_ms = 1000\n"),
            format!("[retaguarda]\nbase_url = \"{base}\"\ntimeout_ms = 1000\n"),
            impressora_toml("balcao", &emulador),
        ],
    );

    let saida = doctor(&path).await;
    assert_eq!(saida.codigo, Some(1), "{saida}");
    saida.falhou("ERP", "tempo de resposta esgotado");
    saida.falhou("retaguarda", "sem conexão");
    saida.falhou("impressora balcao", "inalcançável");
    saida.passou("relógio");
    assert!(
        saida.duracao < Duration::from_secs(5),
        "the checks run at once, each within its timeout\n{saida}"
    );

    emulador.stop().await;
    segura.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_credential_is_named() {
    common::install_crypto();
    let erp = DemoErp::start(LOCAL).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (path, _db) = config(dir.path(), &[erp_toml(&erp, Some("Bearer errado"))]);

    let saida = doctor(&path).await;
    assert_eq!(saida.codigo, Some(1), "{saida}");
    let dica = saida.falhou("ERP", "credencial recusada (HTTP 401");
    assert!(dica.contains("erp.auth_value"), "{saida}");
    saida.passou("impressoras");
    saida.passou("relógio");

    erp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_database_fails_and_is_left_as_it_was() {
    common::install_crypto();
    let erp = DemoErp::start(LOCAL).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (path, db) = config(dir.path(), &[erp_toml(&erp, None)]);
    criar_banco(&db).await;
    common::danificar_tabela(&db, "faturas");
    let antes = std::fs::read(&db).unwrap();

    let saida = doctor(&path).await;
    assert_eq!(saida.codigo, Some(1), "{saida}");
    let dica = saida.falhou("banco de dados", "corrompido");
    assert!(dica.contains("suporte"), "{saida}");
    saida.passou("ERP");
    assert_eq!(std::fs::read(&db).unwrap(), antes, "doctor never writes the database");

    erp.stop().await;
}

#[test]
fn a_config_with_an_unknown_key_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _db) = config(
        dir.path(),
        &["[erp]\nbase_url = \"http://127.0.0.1:9\"\ntimeot_ms = 1000\n".to_owned()],
    );
    let output = common::borda(&["doctor", "--config", path.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains("timeot_ms") && stderr.contains("config.toml"),
        "{stderr}"
    );
    assert!(
        stdout.starts_with("✘ configuração:") && stdout.contains("timeot_ms"),
        "{stdout}"
    );
    assert!(!stdout.contains("banco de dados"), "nothing else is checked: {stdout}");

    let output = common::borda(&["doctor", "--config", dir.path().join("nada.toml").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "a config that cannot be read");
}
