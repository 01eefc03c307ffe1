//! The daemon's "telemetria" part: every `[telemetria] intervalo`, the figures `/metrics` shows, read the same way
//! ([`api::metricas::ler`]), pushed to the OpenTelemetry collector ([`OtlpClient`]).
//!
//! A push that fails (the collector unreachable, a non-2xx answer) never stops the part or the daemon: the first
//! failure is a warning, the first success after failures an info, and the part carries on; the figures are
//! cumulative from the daemon's start, so the next push that goes through loses nothing.

use std::time::Duration;

use tokio::sync::watch;

use crate::adapters::otlp::{OtlpClient, OtlpError};
use crate::config::Config;
use crate::edges::api::{self, AppState};
use crate::service::periodico::Periodico;

/// The push, configured: what it reads, where it goes, how often.
pub struct Telemetria {
    state: AppState,
    cliente: OtlpClient,
    intervalo: Duration,
}

impl Telemetria {
    /// The part for `config`; None while `[telemetria] otlp_endpoint` is absent (the push is off).
    pub fn new(config: &Config, state: &AppState) -> Result<Option<Telemetria>, OtlpError> {
        let Some(cliente) = OtlpClient::new(&config.telemetria, &config.totem)? else {
            return Ok(None);
        };
        Ok(Some(Telemetria {
            state: state.clone(),
            cliente,
            intervalo: config.telemetria.intervalo,
        }))
    }

    /// Pushes now and then every interval, until the daemon stops.
    pub async fn run(self, stopped: watch::Receiver<bool>) -> Result<(), String> {
        tracing::info!(
            url = %self.cliente.url(),
            instance = self.cliente.instancia(),
            interval = ?self.intervalo,
            "pushing the metrics to the OTLP collector"
        );
        let mut parando = stopped.clone();
        let mut periodico = Periodico::new(self.intervalo, stopped);
        let mut falhando = false;
        while periodico.proximo().await {
            let painel = api::metricas::ler(&self.state).await;
            // A push in flight does not hold the daemon's stop up to its timeout.
            let enviado = tokio::select! {
                enviado = self.cliente.enviar(&painel, self.state.metricas.inicio()) => enviado,
                _ = parando.wait_for(|stop| *stop) => break,
            };
            match enviado {
                Ok(()) if falhando => {
                    falhando = false;
                    tracing::info!(url = %self.cliente.url(), "the OTLP collector accepts the metrics again");
                }
                Ok(()) => tracing::trace!("metrics pushed to the OTLP collector"),
                Err(error) if falhando => tracing::debug!(%error, "the OTLP push failed again"),
                Err(error) => {
                    falhando = true;
                    tracing::warn!(
                        url = %self.cliente.url(),
                        %error,
                        "the OTLP push failed; trying again every interval (the figures are cumulative: nothing is lost)"
                    );
                }
            }
        }
        Ok(())
    }
}
