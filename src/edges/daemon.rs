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
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::adapters::erp::{ErpClient, ErpError};
use crate::adapters::retaguarda::RetaguardaError;
use crate::adapters::store::{Store, StoreError};
use crate::config::{Config, ConfigError};
use crate::demo::retaguarda::DemoRetaguarda;
use crate::domain::baixa::Politica;
use crate::domain::impressao::comprovantes::DadosTerminal;
use crate::domain::pdf::Beneficiario;
use crate::domain::ritmo::Ritmo;
use crate::edges::api::{self, AppState};
use crate::service::Totem;
use crate::service::credito::Credito;
use crate::service::impressao::{Impressoras, Trabalhador};
use crate::service::periodico::Periodico;
use crate::service::saude::Saude;
use crate::service::sync::{Cadencia, Waker, Worker, sondar};

/// How often the store thread is asked for a trivial job when systemd has no watchdog for us.
const STORE_CHECK_INTERVAL: Duration = Duration::from_secs(5);
/// How long that trivial job may take before the check counts as missed.
const STORE_CHECK_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the daemon could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("banco de dados: {0}")]
    Store(#[from] StoreError),
    #[error("cliente do ERP: {0}")]
    Erp(#[from] ErpError),
    #[error("cliente da retaguarda: {0}")]
    Retaguarda(#[from] RetaguardaError),
    #[error(transparent)]
    Telemetria(#[from] crate::adapters::otlp::OtlpError),
    #[error("não foi possível escutar em {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    /// A background part stopped while the daemon ran: the daemon exits so that systemd restarts it.
    #[error("parte do serviço parou: {0}")]
    ParteParou(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A running daemon.
pub struct Daemon {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    server: JoinHandle<std::io::Result<()>>,
    /// The supervisors of the background parts (ERP probe, sync worker, store check).
    tasks: Vec<JoinHandle<()>>,
    saude: Saude,
    /// Notified when a background part stops.
    parou: Arc<Notify>,
    /// For the checkpoint at the end.
    store: Store,
}

impl Daemon {
    /// Starts serving `config` on an already bound `listener` (tests bind
    /// port 0 first so they know the address the Host guard must allow).
    pub async fn start(config: Config, listener: TcpListener) -> Result<Daemon, DaemonError> {
        let store_path = config.store.path.clone();
        let store = tokio::task::spawn_blocking(move || Store::open(&store_path))
            .await
            .map_err(|error| DaemonError::Io(std::io::Error::other(error)))??;
        // Before any printer worker runs: a job left `imprimindo` was cut off mid-send; it prints again, marked.
        let retomadas = store.retomar_impressoes().await?;
        if !retomadas.is_empty() {
            tracing::warn!(
                jobs = retomadas.len(),
                "print jobs interrupted mid-send are queued again, marked REIMPRESSÃO"
            );
        }
        let documento_empresa = crate::domain::documento::parse(&config.empresa.documento)
            .ok()
            .map(|documento| documento.formatado());
        let terminal = DadosTerminal {
            totem_id: config.totem.id.clone(),
            empresa: Some(config.empresa.nome.clone()).filter(|nome| !nome.trim().is_empty()),
            documento_empresa: documento_empresa.clone(),
        };
        let impressoras = Impressoras::new(&config.impressoras, terminal).map_err(|error| ConfigError::Invalid {
            path: std::path::PathBuf::new(),
            field: "impressoras",
            message: error.to_string(),
        })?;
        let erp = ErpClient::new(&config.erp)?;
        let credito = config
            .retaguarda
            .as_ref()
            .map(|retaguarda| Credito::new(retaguarda, store.clone()))
            .transpose()?;
        let waker = Waker::default();
        let saude = Saude::default();
        let baixa = Arc::new(config.baixa.clone());
        let totem = Totem::new(
            erp.clone(),
            store.clone(),
            Duration::from_secs(config.cache.fresh_secs),
            Arc::clone(&baixa),
            waker.clone(),
        )
        .com_impressoras(impressoras.clone())
        .com_chamados(config.chamado.clone());
        let beneficiario = Beneficiario {
            nome: config.empresa.nome.clone(),
            documento: documento_empresa,
        };
        let politica = Politica {
            erp_idempotente: config.erp.idempotent,
        };
        let cadencia = Cadencia::default();
        let worker = Worker::new(
            store.clone(),
            erp.clone(),
            baixa,
            politica,
            waker.clone(),
            saude.clone(),
            cadencia.clone(),
        );
        let state = AppState {
            totem,
            beneficiario: Arc::new(beneficiario),
            fresh_secs: config.cache.fresh_secs,
            saude: saude.clone(),
            renders: api::render_permits(),
            memoria: Arc::new(api::memoria::Memoria::new(
                config.cache.memoria_kib.saturating_mul(1024),
            )),
            credito: credito.clone(),
            metricas: api::metricas::Metricas::default(),
        };
        // The OTLP push reads what `/metrics` reads; off without `[telemetria] otlp_endpoint`.
        let telemetria = crate::edges::telemetria::Telemetria::new(&config, &state)?;
        let app = api::router(state, &config);
        let limits = crate::edges::http::Limits::from_config(&config.api);
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let server = tokio::spawn(crate::edges::http::serve(listener, app, limits, stopped.clone()));
        let interval = Duration::from_millis(config.erp.probe_interval_ms);
        let parou = Arc::new(Notify::new());
        let supervisor = Supervisor {
            saude: saude.clone(),
            stopped: stopped.clone(),
            parou: Arc::clone(&parou),
        };
        let mut tasks = vec![
            supervisor.spawn("sync", {
                let stopped = stopped.clone();
                async move {
                    worker.run(stopped).await;
                    Ok(())
                }
            }),
            supervisor.spawn("sonda do ERP", {
                let (store, stopped) = (store.clone(), stopped.clone());
                let ritmo = Ritmo::new(interval, Duration::from_millis(config.erp.probe_max_interval_ms));
                async move {
                    sondar(erp, store, ritmo, cadencia, waker, stopped).await;
                    Ok(())
                }
            }),
            supervisor.spawn("store", vigiar_store(store.clone(), stopped.clone())),
            supervisor.spawn(
                "retenção",
                purgar(store.clone(), config.store.retencao, stopped.clone()),
            ),
            supervisor.spawn(
                "verificação do banco",
                verificar_integridade(config.store.path.clone(), saude.clone(), stopped.clone()),
            ),
        ];
        if let Some(credito) = credito {
            let stopped = stopped.clone();
            tasks.push(supervisor.spawn("sonda da retaguarda", async move {
                credito.sondar(interval, stopped).await;
                Ok(())
            }));
        }
        if let Some(telemetria) = telemetria {
            tasks.push(supervisor.spawn("telemetria", telemetria.run(stopped.clone())));
        }
        // One worker per printer owns its device.
        for posto in impressoras.postos() {
            let trabalhador = Trabalhador::new(store.clone(), Arc::clone(posto));
            let stopped = stopped.clone();
            tasks.push(
                supervisor.spawn(format!("impressora {}", posto.config.nome), async move {
                    trabalhador.run(stopped).await;
                    Ok(())
                }),
            );
        }
        tracing::info!(%addr, "borda listening");
        Ok(Daemon {
            addr,
            stop,
            server,
            tasks,
            saude,
            parou,
            store,
        })
    }

    /// The address the API answers on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Resolves when a background part has stopped, with its name and why.
    pub async fn parte_parou(&self) -> String {
        loop {
            if let Some((parte, motivo)) = self.saude.mortas().into_iter().next() {
                return format!("{parte}: {motivo}");
            }
            self.parou.notified().await;
        }
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
        // Nothing writes any more: fold the WAL into the file, so that a stopped kiosk's data is all in one file (and
        // rows deleted from the cache are gone from the WAL too).
        if let Err(error) = self.store.checkpoint().await {
            tracing::warn!(%error, "could not checkpoint the database on the way out");
        }
        served.map_err(DaemonError::from)
    }
}

/// Runs the daemon's background parts and reports any that stops while the daemon runs (it returned, failed with
/// its reason, or panicked):
/// `/healthz` and `/readyz` then answer 503 naming it, and `borda serve` exits non-zero so systemd restarts it.
struct Supervisor {
    saude: Saude,
    stopped: watch::Receiver<bool>,
    parou: Arc<Notify>,
}

impl Supervisor {
    fn spawn<F>(&self, parte: impl Into<String>, part: F) -> JoinHandle<()>
    where
        F: std::future::Future<Output = Result<(), String>> + Send + 'static,
    {
        let parte = parte.into();
        let (saude, stopped, parou) = (self.saude.clone(), self.stopped.clone(), Arc::clone(&self.parou));
        tokio::spawn(async move {
            let motivo = match tokio::spawn(part).await {
                Ok(Ok(())) if *stopped.borrow() => return,
                Ok(Ok(())) => "terminou sem que o serviço parasse".to_owned(),
                Ok(Err(motivo)) => motivo,
                Err(error) if error.is_panic() => "falhou com um erro interno (panic)".to_owned(),
                Err(error) => error.to_string(),
            };
            saude.morreu(&parte, motivo);
            parou.notify_one();
        })
    }
}

/// Checks the whole database file once, in the background, so start-up does not grow with the cache (a cold file of
/// 60 MB takes over a second to read). A healthy file is reported in `/readyz` and the part then waits for the
/// daemon to stop; a corrupt one ends the part with SQLite's report, so the daemon exits as it used to refuse to
/// start on such a file.
async fn verificar_integridade(
    path: std::path::PathBuf,
    saude: Saude,
    mut stopped: watch::Receiver<bool>,
) -> Result<(), String> {
    let started = std::time::Instant::now();
    let resultado = tokio::task::spawn_blocking(move || Store::verificar_integridade(&path))
        .await
        .map_err(|error| format!("a verificação do banco falhou: {error}"))?
        .map_err(|error| error.to_string());
    saude.integridade_verificada(resultado.clone());
    resultado?;
    tracing::info!(elapsed = ?started.elapsed(), "database file checked: ok");
    let _ = stopped.wait_for(|stop| *stop).await;
    Ok(())
}

/// How often the retention purge runs.
const PURGA_INTERVAL: Duration = Duration::from_secs(24 * 3600);

/// Deletes the personal data older than `retencao` once at start-up and then daily ([`Store::purgar`]). A purge that
/// fails is logged and tried again the next day: the data it would delete is kept, never lost.
async fn purgar(store: Store, retencao: Duration, stopped: watch::Receiver<bool>) -> Result<(), String> {
    // A retention beyond chrono's range keeps everything.
    let retencao = chrono::Duration::from_std(retencao).unwrap_or(chrono::Duration::MAX);
    let mut periodico = Periodico::new(PURGA_INTERVAL, stopped);
    while periodico.proximo().await {
        let Some(corte) = chrono::Utc::now().checked_sub_signed(retencao) else {
            continue;
        };
        match store.purgar(corte).await {
            Ok(purga) => tracing::info!(?purga, "personal data past its retention deleted"),
            Err(error) => tracing::error!(%error, "the retention purge failed; tried again tomorrow"),
        }
    }
    Ok(())
}

/// Asks the store thread for a trivial job, forever: `WATCHDOG=1` goes to systemd only after it answers, so a store
/// thread that hangs gets the service restarted by systemd (`WatchdogSec=`), and one that died stops this part (the
/// daemon then exits).
async fn vigiar_store(store: Store, stopped: watch::Receiver<bool>) -> Result<(), String> {
    let watchdog = sd_notify::watchdog_enabled();
    // systemd's advice: ping at half the watchdog interval.
    let interval = watchdog.map_or(STORE_CHECK_INTERVAL, |limit| limit / 2);
    let mut periodico = Periodico::new(interval, stopped);
    while periodico.proximo().await {
        match tokio::time::timeout(STORE_CHECK_TIMEOUT, store.ping()).await {
            Ok(Ok(())) => {
                if watchdog.is_some()
                    && let Err(error) = sd_notify::notify(&[sd_notify::NotifyState::Watchdog])
                {
                    tracing::warn!(%error, "could not ping systemd's watchdog");
                }
            }
            Ok(Err(error)) => return Err(format!("o banco de dados local não responde: {error}")),
            Err(_) => tracing::warn!("the store thread took over 10 s to answer a trivial job"),
        }
    }
    Ok(())
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
    let parou = tokio::select! {
        () = shutdown_signal() => None,
        parte = daemon.parte_parou() => Some(parte),
    };
    notify_systemd_stopping();
    match parou {
        None => {
            tracing::info!("shutting down");
            daemon.stop().await
        }
        Some(parte) => {
            tracing::error!(
                parte = parte.as_str(),
                "a part of the daemon stopped; exiting so that systemd restarts it"
            );
            // The parts still running are stopped as on SIGTERM; the exit status says what happened.
            let _ = daemon.stop().await;
            Err(DaemonError::ParteParou(parte))
        }
    }
}

/// Tells systemd that the service is stopping; a no-op elsewhere.
fn notify_systemd_stopping() {
    if let Err(error) = sd_notify::notify(&[sd_notify::NotifyState::Stopping]) {
        tracing::warn!(%error, "could not notify systemd");
    }
}

/// Tells systemd (`Type=notify`) that the API is up; a no-op elsewhere.
fn notify_systemd_ready() {
    if let Err(error) = sd_notify::notify(&[sd_notify::NotifyState::Ready]) {
        tracing::warn!(%error, "could not notify systemd");
    }
}

/// Resolves on SIGTERM (systemd stop) or SIGINT (Ctrl-C).
///
/// SIGHUP does not stop it (its default action would): the configuration is read at start only, and logs go to
/// stderr (the journal), so there is nothing to reopen; it is logged, with what to do instead.
pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut hangup = signal(SignalKind::hangup()).ok();
        let hangups = async {
            if let Some(hangup) = hangup.as_mut() {
                while hangup.recv().await.is_some() {
                    tracing::warn!(
                        "SIGHUP ignored: the configuration is read at start only; restart to apply it \
                         (systemctl restart borda)"
                    );
                }
            }
            std::future::pending::<()>().await
        };
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                    () = hangups => {}
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
pub async fn demo(listen: SocketAddr, retaguarda: SocketAddr) -> Result<(), DaemonError> {
    let erp = crate::demo::DemoErp::start(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let retaguarda = demo_retaguarda(retaguarda).await?;
    let directory = std::env::temp_dir().join(format!("borda-demo-{}", std::process::id()));
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|source| DaemonError::Bind { addr: listen, source })?;
    let addr = listener.local_addr()?;
    let config_text = format!(
        "[api]\nlisten = \"{addr}\"\nallowed_hosts = [\"{addr}\", \"localhost:{port}\"]\n\
         kiosk = true\nkiosk_simular_pagamento = true\n\
         [store]\npath = '{store}'\n\
         [empresa]\nnome = \"Provedor Demonstração Ltda\"\ndocumento = \"11.222.333/0001-81\"\n{erp}\n\
         # One totem: after an outage, catch up within seconds.\nprobe_max_interval_ms = 2000\n\
         [[impressoras]]\nnome = \"demo\"\nconexao = \"file://{impressora}\"\nmodelo = \"generico-80mm\"\n\
         {retaguarda}{chamado}",
        chamado = erp.chamado_toml(),
        port = addr.port(),
        store = directory.join("borda.db").display(),
        erp = erp.config_toml(),
        retaguarda = retaguarda.config_toml(),
        impressora = directory.join("impressora.bin").display(),
    );
    let config = Config::parse(&config_text, Path::new("(demo)"))?;
    let daemon = Daemon::start(config, listener).await?;
    // A closed stdout only loses the banner; the demo still runs.
    let _ = writeln!(std::io::stdout(), "{}", demo_banner(addr, &erp));
    notify_systemd_ready();
    shutdown_signal().await;
    let stopped = daemon.stop().await;
    erp.stop().await;
    retaguarda.stop().await;
    if let Err(error) = std::fs::remove_dir_all(&directory) {
        tracing::warn!(%error, directory = %directory.display(), "could not remove the demo store");
    }
    stopped
}

/// The demo retaguarda on `addr`, for both demos.
async fn demo_retaguarda(addr: SocketAddr) -> Result<DemoRetaguarda, DaemonError> {
    DemoRetaguarda::start(addr)
        .await
        .map_err(|source| DaemonError::Bind { addr, source })
}

/// `borda demo --erp-only`: the demo ERP alone on `listen`, for a `borda serve` of one's own (a kiosk page under
/// development, a benchmark that stops and starts the ERP). Prints the `[erp]` section to configure; runs until SIGTERM
/// or SIGINT.
pub async fn demo_erp(listen: SocketAddr, retaguarda: SocketAddr) -> Result<(), DaemonError> {
    let erp = crate::demo::DemoErp::start(listen)
        .await
        .map_err(|source| DaemonError::Bind { addr: listen, source })?;
    let retaguarda = demo_retaguarda(retaguarda).await?;
    // A closed stdout only loses the banner; the ERP still runs.
    let _ = writeln!(
        std::io::stdout(),
        "ERP de demonstração em {}, retaguarda em {}. Configure o borda com:\n\n{}{}",
        erp.base_url(),
        retaguarda.base_url(),
        erp.config_toml(),
        retaguarda.config_toml()
    );
    notify_systemd_ready();
    shutdown_signal().await;
    erp.stop().await;
    retaguarda.stop().await;
    Ok(())
}

fn demo_banner(addr: SocketAddr, erp: &crate::demo::DemoErp) -> String {
    let base = format!("http://{addr}");
    let mut lines = vec![
        format!(
            "borda demo ouvindo em {base} (ERP de demonstração em {})",
            erp.base_url()
        ),
        String::new(),
        format!("Página do totem (abra no navegador): {base}/"),
        String::new(),
        "Experimente:".to_owned(),
    ];
    for (documento, nome) in crate::demo::CLIENTES_DEMO {
        lines.push(format!("  {nome}:"));
        lines.push(format!("    curl {base}/v1/clientes/{documento}/faturas"));
    }
    lines.extend([
        "  Limite de crédito (PDV):".to_owned(),
        format!(
            "    curl -H 'cpfCnpj: {}' {base}/v1/limite-credito/T1/L1",
            crate::demo::retaguarda::CPF_COM_USO
        ),
        format!("  curl {base}/readyz"),
        format!("  curl {base}/v1/openapi.json"),
        String::new(),
        "Ctrl-C encerra.".to_owned(),
    ]);
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn supervisor() -> (Supervisor, watch::Sender<bool>) {
        let (stop, stopped) = watch::channel(false);
        let supervisor = Supervisor {
            saude: Saude::default(),
            stopped,
            parou: Arc::new(Notify::new()),
        };
        (supervisor, stop)
    }

    #[tokio::test]
    async fn a_part_that_panics_or_returns_is_reported_dead() {
        let (supervisor, _stop) = supervisor();
        #[allow(clippy::panic)]
        let panics = supervisor.spawn("sync", async { panic!("boom") });
        let returns = supervisor.spawn("sonda do ERP", async { Ok(()) });
        let fails = supervisor.spawn("store", async {
            Err("o banco de dados local não responde".to_owned())
        });
        for task in [panics, returns, fails] {
            task.await.unwrap();
        }
        let mut mortas = supervisor.saude.mortas();
        mortas.sort();
        assert_eq!(
            mortas,
            [
                (
                    "sonda do ERP".to_owned(),
                    "terminou sem que o serviço parasse".to_owned()
                ),
                ("store".to_owned(), "o banco de dados local não responde".to_owned()),
                ("sync".to_owned(), "falhou com um erro interno (panic)".to_owned()),
            ]
        );
    }

    #[tokio::test]
    async fn a_part_that_ends_because_the_daemon_stops_is_not_dead() {
        let (supervisor, stop) = supervisor();
        stop.send(true).unwrap();
        supervisor.spawn("sync", async { Ok(()) }).await.unwrap();
        assert!(supervisor.saude.mortas().is_empty());
    }
}
