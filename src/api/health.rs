//! Liveness and readiness, for systemd, the kiosk UI and the technician.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;

/// Liveness: 200 while the process serves.
#[utoipa::path(get, path = "/healthz", tag = "operacao", responses((status = 200, description = "alive")))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// The outbox of baixas waiting for the ERP.
#[derive(Debug, Serialize, ToSchema)]
pub struct Outbox {
    pub pendentes: u64,
    pub falhas: u64,
}

/// Readiness report.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    /// `ok`, or what the database check found.
    pub db: String,
    /// `online` or `offline` (circuit breaker open).
    pub upstream: &'static str,
    pub outbox: Outbox,
    pub impressoras: Vec<String>,
}

/// Readiness: 200 when the database answers and is sound, else 503. An
/// offline ERP does not make borda unready: answering offline is its job.
#[utoipa::path(get, path = "/readyz", tag = "operacao", responses((status = 200, body = Ready), (status = 503, body = Ready)))]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Ready>) {
    let db = match state.totem.store().verificar().await {
        Ok(result) => result,
        Err(error) => error.to_string(),
    };
    let (pendentes, falhas) = match state.totem.store().contar_baixas().await {
        Ok(counts) => counts,
        Err(error) => {
            tracing::error!(%error, "could not count the outbox");
            (0, 0)
        }
    };
    let status = if db == "ok" {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let upstream = if state.totem.erp().online() {
        "online"
    } else {
        "offline"
    };
    (
        status,
        Json(Ready {
            db,
            upstream,
            outbox: Outbox { pendentes, falhas },
            impressoras: Vec::new(),
        }),
    )
}
