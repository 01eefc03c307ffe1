//! `borda sync`: the technician's view of the outbox, through the running
//! daemon's own API (the database belongs to the daemon; the CLI never opens
//! it behind the daemon's back).

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use serde::Deserialize;

use super::local_api::{Inalcancavel, LocalApi};
use crate::config::ApiConfig;

/// How often `--wait` polls the daemon.
const POLL: Duration = Duration::from_millis(250);

/// The outbox counts, as `POST /v1/sync` and `/readyz` report them.
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct Counts {
    pub pendentes: u64,
    pub falhas: u64,
}

#[derive(Deserialize)]
struct Ready {
    outbox: Counts,
    #[serde(default)]
    db: String,
}

/// Why the daemon could not be asked, or the outbox did not drain.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("o daemon do borda não respondeu em {url} ({reason}): ele está rodando?")]
    Unreachable { url: String, reason: String },
    #[error("o daemon do borda respondeu {status} em {url}")]
    Status { url: String, status: u16 },
    #[error("o daemon do borda não está pronto (503 em {url}): banco de dados: {db}")]
    NotReady { url: String, db: String },
    #[error(
        "tempo esgotado após {waited}: ainda pendentes: {pendentes}, recusadas pelo ERP: {falhas}",
        pendentes = counts.pendentes,
        falhas = counts.falhas
    )]
    Timeout { waited: String, counts: Counts },
}

/// `90s` as a technician wrote it, for messages.
fn humane(duration: Duration) -> String {
    let seconds = duration.as_secs();
    if seconds >= 60 && seconds.is_multiple_of(60) {
        format!("{}min", seconds / 60)
    } else {
        format!("{seconds}s")
    }
}

/// Asks the daemon to drain now; with `wait`, shows a progress bar until no
/// baixa is pending, for at most `timeout`. Answers the final counts; a
/// daemon that does not answer, that is not ready (503) or an outbox still
/// pending at `timeout` is an error.
pub async fn drain(api: &ApiConfig, wait: bool, timeout: Duration) -> Result<Counts, OutboxError> {
    let api = LocalApi::new(api).map_err(|error| OutboxError::Unreachable {
        url: String::new(),
        reason: error.to_string(),
    })?;
    let (started, _) = send::<Counts>(api.post("/v1/sync")).await?;
    if !wait || started.pendentes == 0 {
        return Ok(started);
    }
    let bar = ProgressBar::new(started.pendentes);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} baixas enviadas ({elapsed}) {msg}") {
        bar.set_style(style);
    }
    let deadline = Instant::now() + timeout;
    let mut counts = started;
    while counts.pendentes > 0 {
        if Instant::now() >= deadline {
            bar.abandon();
            return Err(OutboxError::Timeout {
                waited: humane(timeout),
                counts,
            });
        }
        tokio::time::sleep(POLL.min(deadline.saturating_duration_since(Instant::now()))).await;
        let url = api.url("/readyz");
        let ready = send::<Ready>(api.get("/readyz")).await?;
        if ready.1 == reqwest::StatusCode::SERVICE_UNAVAILABLE {
            bar.abandon();
            return Err(OutboxError::NotReady { url, db: ready.0.db });
        }
        counts = ready.0.outbox;
        // New baixas may arrive while draining: grow the bar rather than go backwards.
        bar.set_length(bar.length().unwrap_or(0).max(bar.position() + counts.pendentes));
        bar.set_position(bar.length().unwrap_or(0).saturating_sub(counts.pendentes));
        bar.set_message(if counts.falhas > 0 {
            format!("{} recusadas", counts.falhas)
        } else {
            String::new()
        });
    }
    bar.finish();
    Ok(counts)
}

impl From<Inalcancavel> for OutboxError {
    fn from(erro: Inalcancavel) -> Self {
        OutboxError::Unreachable {
            url: erro.url,
            reason: erro.reason,
        }
    }
}

/// Sends `request`: its JSON body and status (a success, or a 503 that still
/// carries the expected body, as `/readyz` does).
async fn send<T: for<'de> Deserialize<'de>>(
    request: reqwest::RequestBuilder,
) -> Result<(T, reqwest::StatusCode), OutboxError> {
    let (response, url) = LocalApi::enviar(request).await?;
    let status = response.status();
    let readyz = status == reqwest::StatusCode::SERVICE_UNAVAILABLE && url.ends_with("/readyz");
    if !status.is_success() && !readyz {
        return Err(OutboxError::Status {
            url,
            status: status.as_u16(),
        });
    }
    let body = LocalApi::corpo(response, url).await?;
    Ok((body, status))
}
