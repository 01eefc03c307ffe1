//! The real `borda serve` binary as a child process on a loopback port, for
//! the tests that kill it or starve it of disk.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use borda::demo::DemoErp;

/// A configuration for `borda serve` against `erp`, with its database, in `dir`.
pub struct Served {
    pub config: PathBuf,
    pub db: PathBuf,
    pub base: String,
}

impl Served {
    /// Writes the configuration: a free loopback port, the database in `dir`,
    /// no cache freshness (every read asks the ERP), short timeouts.
    pub fn configure(dir: &Path, erp: &DemoErp) -> Served {
        let port = free_port();
        let db = dir.join("borda.db");
        let config = dir.join("config.toml");
        std::fs::write(
            &config,
            format!(
                "[api]\nlisten = \"127.0.0.1:{port}\"\nallowed_hosts = [\"127.0.0.1:{port}\"]\n[store]\npath = '{}'\n\
                 [cache]\nfresh_secs = 0\n{}\ntimeout_ms = 300\nprobe_interval_ms = 100\nprobe_max_interval_ms = 400\n",
                db.display(),
                erp.config_toml()
            ),
        )
        .unwrap();
        Served {
            config,
            db,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    /// A R$ 10.00 PIX payment of the load fatura `fatura`, keyed `k-<fatura>`.
    pub fn pay(&self, http: &reqwest::Client, fatura: &str) -> reqwest::RequestBuilder {
        http.post(format!("{}/v1/faturas/{fatura}/baixas", self.base))
            .header("idempotency-key", format!("k-{fatura}"))
            .json(&super::harness::pix_body("10.00"))
    }

    /// Starts `borda serve` and waits until it answers `/healthz`.
    pub async fn spawn(&self, http: &reqwest::Client) -> Child {
        let mut command = Command::new(env!("CARGO_BIN_EXE_borda"));
        command.args(["serve", "--config", self.config.to_str().unwrap()]);
        self.start(command, http).await
    }

    /// Starts `borda serve` with every file it writes capped at `kib` KiB
    /// (`ulimit -f`, SIGXFSZ ignored so a write past the cap fails with EFBIG
    /// as on a full disk), and waits until it answers `/healthz`.
    pub async fn spawn_with_file_limit(&self, http: &reqwest::Client, kib: u64) -> Child {
        let mut command = Command::new("bash");
        command.args([
            "-c",
            "ulimit -f \"$1\" && trap '' XFSZ && exec \"$0\" serve --config \"$2\"",
            env!("CARGO_BIN_EXE_borda"),
            &kib.to_string(),
            self.config.to_str().unwrap(),
        ]);
        self.start(command, http).await
    }

    /// Starts `borda serve` with at most `fds` open file descriptors
    /// (`ulimit -n`), and waits until it answers `/healthz`.
    pub async fn spawn_with_fd_limit(&self, http: &reqwest::Client, fds: u64) -> Child {
        let mut command = Command::new("bash");
        command.args([
            "-c",
            "ulimit -n \"$1\" && exec \"$0\" serve --config \"$2\"",
            env!("CARGO_BIN_EXE_borda"),
            &fds.to_string(),
            self.config.to_str().unwrap(),
        ]);
        self.start(command, http).await
    }

    /// Asks the daemon to sync until its outbox is empty; fails the test if a
    /// baixa failed or the outbox does not drain within `limit`. Answers how
    /// many baixas were pending at first, and how long draining took.
    pub async fn drain(&self, http: &reqwest::Client, limit: Duration) -> (u64, Duration) {
        let started = Instant::now();
        let mut first = None;
        loop {
            http.post(format!("{}/v1/sync", self.base)).send().await.unwrap();
            let ready: serde_json::Value = http
                .get(format!("{}/readyz", self.base))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let pendentes = ready["outbox"]["pendentes"].as_u64().unwrap();
            let first = *first.get_or_insert(pendentes);
            if pendentes == 0 {
                assert_eq!(ready["outbox"]["falhas"], 0, "{ready}");
                return (first, started.elapsed());
            }
            assert!(
                started.elapsed() < limit,
                "the outbox did not drain in {limit:?} ({first} pending at first): {ready}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Starts `borda serve` logging everything (`BORDA_LOG=trace`) to the file `log`, and waits until it answers
    /// `/healthz`.
    pub async fn spawn_logging(&self, http: &reqwest::Client, log: &Path) -> Child {
        let mut command = Command::new(env!("CARGO_BIN_EXE_borda"));
        command.args(["serve", "--config", self.config.to_str().unwrap()]);
        self.start_logging(command, http, "trace", std::fs::File::create(log).unwrap().into())
            .await
    }

    /// Starts `command` (a `borda serve`) and waits until it answers `/healthz`.
    pub async fn start(&self, command: Command, http: &reqwest::Client) -> Child {
        self.start_logging(command, http, "warn", Stdio::null()).await
    }

    /// Starts `command` with `BORDA_LOG=filter` and its stderr to `stderr`, and waits until it answers `/healthz`.
    async fn start_logging(&self, mut command: Command, http: &reqwest::Client, filter: &str, stderr: Stdio) -> Child {
        let mut child = command
            .env("BORDA_LOG", filter)
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            let health = http.get(format!("{}/healthz", self.base)).send().await;
            if health.is_ok_and(|r| r.status().is_success()) {
                return child;
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("borda serve exited before answering: {status}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = child.kill();
        child.wait().unwrap();
        panic!("borda serve did not come up");
    }
}

/// A free loopback port (the daemon binds it right after).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
