//! `borda sync`: the technician's view of the outbox, through the running
//! daemon's own API (the database belongs to the daemon; the CLI never opens
//! it behind the daemon's back).

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use reqwest::header::AUTHORIZATION;
use serde::Deserialize;

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
}

/// Why the daemon could not be asked.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("borda não respondeu em {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("borda respondeu {status} em {url}")]
    Status { url: String, status: u16 },
}

/// Asks the daemon to drain now; with `wait`, shows a progress bar until no
/// baixa is pending. Answers the final counts.
pub async fn drain(api: &ApiConfig, wait: bool) -> Result<Counts, OutboxError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|error| OutboxError::Unreachable {
            url: String::new(),
            reason: error.to_string(),
        })?;
    let mut address = api.listen;
    if address.ip().is_unspecified() {
        address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let base = format!("http://{address}");
    let request = |builder: reqwest::RequestBuilder| {
        if api.token.is_empty() {
            builder
        } else {
            builder.header(AUTHORIZATION, format!("Bearer {}", api.token))
        }
    };
    let started: Counts = send(request(client.post(format!("{base}/v1/sync")))).await?;
    if !wait || started.pendentes == 0 {
        return Ok(started);
    }
    let bar = ProgressBar::new(started.pendentes);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} baixas enviadas ({elapsed}) {msg}") {
        bar.set_style(style);
    }
    let mut counts = started;
    while counts.pendentes > 0 {
        tokio::time::sleep(POLL).await;
        counts = send::<Ready>(request(client.get(format!("{base}/readyz"))))
            .await?
            .outbox;
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

async fn send<T: for<'de> Deserialize<'de>>(request: reqwest::RequestBuilder) -> Result<T, OutboxError> {
    let unreachable = |url: String, error: reqwest::Error| OutboxError::Unreachable {
        url,
        reason: std::error::Error::source(&error).map_or_else(|| error.to_string(), ToString::to_string),
    };
    let (client, request) = request.build_split();
    let request = request.map_err(|error| unreachable(String::new(), error))?;
    let url = request.url().to_string();
    let response = client
        .execute(request)
        .await
        .map_err(|error| unreachable(url.clone(), error))?;
    let status = response.status();
    if !status.is_success() && status != reqwest::StatusCode::SERVICE_UNAVAILABLE {
        return Err(OutboxError::Status {
            url,
            status: status.as_u16(),
        });
    }
    response.json().await.map_err(|error| unreachable(url, error))
}
