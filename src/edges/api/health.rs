//! Liveness and readiness, for systemd, the kiosk UI and the technician.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::impressoes::ImpressoraView;
use super::memoria::MemoriaView;
use super::problem::Problem;

/// Liveness: 200 while the process serves and every background part runs; 503 naming the parts that stopped (the
/// daemon is then on its way out, for systemd to restart it).
#[utoipa::path(get, path = "/healthz", tag = "operacao",
    responses((status = 200, description = "alive"), (status = 503, body = Problem)))]
pub async fn healthz(State(state): State<AppState>) -> Response {
    let paradas = state.saude.mortas();
    if paradas.is_empty() {
        return "ok".into_response();
    }
    let nomes: Vec<String> = paradas
        .into_iter()
        .map(|(parte, motivo)| format!("{parte} ({motivo})"))
        .collect();
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "parte_parada",
        format!(
            "Parte do serviço parou: {}. O serviço será reiniciado.",
            nomes.join("; ")
        ),
    )
    .into_response()
}

/// The outbox of baixas waiting for the ERP.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Outbox {
    pub pendentes: u64,
    pub falhas: u64,
}

/// Readiness report.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    /// `ok`, or why the database does not answer.
    pub db: String,
    /// `online` or `offline` (circuit breaker open).
    pub upstream: &'static str,
    pub outbox: Outbox,
    /// The receipt printers, as `GET /v1/impressoras` shows them. A printer out of paper does not make borda unready.
    pub impressoras: Vec<ImpressoraView>,
    /// Background parts that stopped (name: why); any makes this 503.
    pub partes_paradas: Vec<String>,
    /// While the ERP refuses borda's credentials: what it said. Payments wait (they are kept, not failed).
    pub credenciais_erp: Option<String>,
    /// The check of the whole database file, run in the background after start-up: `verificando`, `ok`, or what
    /// SQLite found (the daemon then stops).
    pub integridade: String,
    /// The memory of ready answers: its size and how often it answered.
    pub memoria: MemoriaView,
}

/// Readiness: 200 when the database answers, else 503. An offline ERP does
/// not make borda unready: answering offline is its job. Probes poll this, so
/// it asks the database one indexed count; the full integrity check runs once,
/// in the background after start-up, and is reported as `integridade`. A 503
/// carries `Retry-After`, like every 503.
#[utoipa::path(get, path = "/readyz", tag = "operacao", responses((status = 200, body = Ready), (status = 503, body = Ready)))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let (status, db, outbox) = match state.totem.contar_baixas().await {
        Ok((pendentes, falhas)) => (StatusCode::OK, "ok".to_owned(), Outbox { pendentes, falhas }),
        Err(error) => {
            tracing::error!(%error, "the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, error.to_string(), Outbox::default())
        }
    };
    let partes_paradas: Vec<String> = state
        .saude
        .mortas()
        .into_iter()
        .map(|(parte, motivo)| format!("{parte}: {motivo}"))
        .collect();
    // A damaged file is unready from the moment the check says so, before its part has stopped the daemon.
    let (integridade, corrompido) = state.saude.integridade();
    let status = if partes_paradas.is_empty() && !corrompido {
        status
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let upstream = if state.totem.online() { "online" } else { "offline" };
    let impressoras = match state.totem.impressoras().await {
        Ok(impressoras) => impressoras.into_iter().map(ImpressoraView::from).collect(),
        // The count above already failed the same way, and said so.
        Err(_) => Vec::new(),
    };
    let mut response = (
        status,
        Json(Ready {
            db,
            upstream,
            outbox,
            impressoras,
            partes_paradas,
            credenciais_erp: state.saude.credenciais_recusadas(),
            integridade,
            memoria: state.memoria.contagem(),
        }),
    )
        .into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    response
}
