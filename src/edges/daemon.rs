//! The daemon's lifecycle: start-up order, background tasks, shutdown.
//!
//! Start-up opens (and checks) the store, builds the ERP client, binds, and
//! only then tells systemd it is ready, so a unit ordered after borda finds
//! a working API. Shutdown (SIGTERM/SIGINT, or [`Daemon::stop`] in tests)
//! stops accepting, lets requests in flight finish and ends the tasks.

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::adapters::erp::{ErpClient, ErpError};
use crate::adapters::store::{Store, StoreError};
use crate::config::{Config, ConfigError};
use crate::domain::pdf::Beneficiario;
use crate::edges::api::{self, AppState};
use crate::service::Totem;
use crate::service::sync::{Waker, Worker};

/// Why the daemon could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("banco de dados: {0}")]
    Store(#[from] StoreError),
    #[error("cliente do ERP: {0}")]
    Erp(#[from] ErpError),
    #[error("não foi possível escutar em {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A running daemon.
pub struct Daemon {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    server: JoinHandle<std::io::Result<()>>,
    /// The ERP probe and the sync worker.
    tasks: Vec<JoinHandle<()>>,
}

impl Daemon {
    /// Starts serving `config` on an already bound `listener` (tests bind
    /// port 0 first so they know the address the Host guard must allow).
    pub async fn start(config: Config, listener: TcpListener) -> Result<Daemon, DaemonError> {
        let store_path = config.store.path.clone();
        let store = tokio::task::spawn_blocking(move || Store::open(&store_path))
            .await
            .map_err(|error| DaemonError::Io(std::io::Error::other(error)))??;
        let erp = ErpClient::new(&config.erp)?;
        let totem = Totem::new(erp.clone(), store, Duration::from_secs(config.cache.fresh_secs));
        let beneficiario = Beneficiario {
            nome: config.empresa.nome.clone(),
            documento: crate::domain::documento::parse(&config.empresa.documento)
                .ok()
                .map(|documento| documento.formatado()),
        };
        let waker = Waker::default();
        let worker = Worker::new(
            totem.store().clone(),
            erp.clone(),
            config.baixa.clone(),
            config.erp.idempotent,
            waker.clone(),
        );
        let state = AppState {
            totem,
            beneficiario: Arc::new(beneficiario),
            fresh_secs: config.cache.fresh_secs,
            baixa: Arc::new(config.baixa.clone()),
            waker: waker.clone(),
            renders: api::render_permits(),
        };
        let app = api::router(state, &config);
        let limits = crate::edges::http::Limits::from_config(&config.api);
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let sync = tokio::spawn(worker.run(stopped.clone()));
        let server = tokio::spawn(crate::edges::http::serve(listener, app, limits, stopped.clone()));
        let interval = Duration::from_millis(config.erp.probe_interval_ms);
        let probe = tokio::spawn(probe(erp, interval, waker, stopped));
        tracing::info!(%addr, "borda listening");
        Ok(Daemon {
            addr,
            stop,
            server,
            tasks: vec![probe, sync],
        })
    }

    /// The address the API answers on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, waits for requests in flight and the background tasks.
    pub async fn stop(self) -> Result<(), DaemonError> {
        let _ = self.stop.send(true);
        let served = self
            .server
            .await
            .map_err(|error| DaemonError::Io(std::io::Error::other(error)))?;
        for task in self.tasks {
            let _ = task.await;
        }
        served.map_err(DaemonError::from)
    }
}

/// While the ERP's breaker is open, asks it every `interval` whether it is
/// back, so answers return to "upstream" without a customer paying for a
/// timeout first; when it is, the sync worker drains the outbox at once.
async fn probe(erp: ErpClient, interval: Duration, waker: Waker, mut stopped: watch::Receiver<bool>) {
    let mut ticker = tokio::time::interval(interval);
    // A probe slower than the interval must not be followed by a burst of them.
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = stopped.wait_for(|stop| *stop) => return,
        }
        if !erp.online() && erp.sondar().await {
            tracing::info!("ERP reachable again");
            waker.wake();
        }
    }
}

/// `borda serve`: runs until SIGTERM or SIGINT.
pub async fn serve(config_path: &Path) -> Result<(), DaemonError> {
    let config = Config::load(config_path)?;
    let listener = TcpListener::bind(config.api.listen)
        .await
        .map_err(|source| DaemonError::Bind {
            addr: config.api.listen,
            source,
        })?;
    let daemon = Daemon::start(config, listener).await?;
    notify_systemd_ready();
    shutdown_signal().await;
    tracing::info!("shutting down");
    daemon.stop().await
}

/// Tells systemd (`Type=notify`) that the API is up; a no-op elsewhere.
fn notify_systemd_ready() {
    if let Err(error) = sd_notify::notify(&[sd_notify::NotifyState::Ready]) {
        tracing::warn!(%error, "could not notify systemd");
    }
}

/// Resolves on SIGTERM (systemd stop) or SIGINT (Ctrl-C).
pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM; stopping on Ctrl-C only");
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

/// `borda demo`: the daemon against a built-in demo ERP on a loopback port,
/// with a throw-away store, until Ctrl-C.
pub async fn demo(listen: SocketAddr) -> Result<(), DaemonError> {
    let erp = crate::demo::DemoErp::start(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let directory = std::env::temp_dir().join(format!("borda-demo-{}", std::process::id()));
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|source| DaemonError::Bind { addr: listen, source })?;
    let addr = listener.local_addr()?;
    let config_text = format!(
        "[api]\nlisten = \"{addr}\"\nallowed_hosts = [\"{addr}\", \"localhost:{port}\"]\n\
         [store]\npath = '{store}'\n\
         [empresa]\nnome = \"Provedor Demonstração Ltda\"\ndocumento = \"11.222.333/0001-81\"\n{erp}",
        port = addr.port(),
        store = directory.join("borda.db").display(),
        erp = erp.config_toml(),
    );
    let config = Config::parse(&config_text, Path::new("(demo)"))?;
    let daemon = Daemon::start(config, listener).await?;
    // A closed stdout only loses the banner; the demo still runs.
    let _ = writeln!(std::io::stdout(), "{}", demo_banner(addr, &erp));
    notify_systemd_ready();
    shutdown_signal().await;
    let stopped = daemon.stop().await;
    erp.stop().await;
    if let Err(error) = std::fs::remove_dir_all(&directory) {
        tracing::warn!(%error, directory = %directory.display(), "could not remove the demo store");
    }
    stopped
}

fn demo_banner(addr: SocketAddr, erp: &crate::demo::DemoErp) -> String {
    let base = format!("http://{addr}");
    let mut lines = vec![
        format!(
            "borda demo ouvindo em {base} (ERP de demonstração em {})",
            erp.base_url()
        ),
        String::new(),
        "Experimente:".to_owned(),
    ];
    for (documento, nome) in crate::demo::CLIENTES_DEMO {
        lines.push(format!("  {nome}:"));
        lines.push(format!("    curl {base}/v1/clientes/{documento}/faturas"));
    }
    lines.extend([
        format!("  curl {base}/readyz"),
        format!("  curl {base}/v1/openapi.json"),
        String::new(),
        "Ctrl-C encerra.".to_owned(),
    ]);
    lines.join("\n")
}
