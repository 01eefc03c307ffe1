//! The localhost HTTP API (described at `/v1/openapi.json`): axum router, guards,
//! problem+json errors and the handlers.
//!
//! Handlers are thin: they validate input, call the domain or the
//! [`Totem`](crate::service::Totem) and turn results into [`views`](crate::edges::views)
//! and headers. The API never speaks SQL or the ERP's wire format, and it
//! never lets an error leave as anything but problem+json.

mod baixas;
mod clientes;
mod faturas;
mod formats;
mod guards;
mod health;
mod openapi;
pub mod problem;

use std::sync::Arc;

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;

use crate::config::Config;
use crate::domain::pdf::Beneficiario;
use crate::service::saude::Saude;
use crate::service::{Answer, Origem, Totem};
use problem::Problem;

/// What every handler may use.
#[derive(Clone)]
pub struct AppState {
    pub totem: Totem,
    pub beneficiario: Arc<Beneficiario>,
    /// Seconds an answer stays fresh, for `Cache-Status: ttl`.
    pub fresh_secs: u64,
    /// What the daemon's background parts report (`/healthz`, `/readyz`).
    pub saude: Saude,
}

/// Builds the whole application: routes, guards and error shaping.
pub fn router(state: AppState, config: &Config) -> Router {
    let guards = Arc::new(guards::Guards::new(&config.api));
    let v1 = Router::new()
        .route("/openapi.json", get(openapi::openapi_json))
        .route("/clientes/{documento}", get(clientes::cliente))
        .route("/clientes/{documento}/faturas", get(clientes::faturas))
        .route("/clientes/{documento}/contratos", get(clientes::contratos))
        .route("/clientes/{documento}/desbloqueio", post(clientes::desbloqueio))
        .route("/faturas/{id}", get(faturas::fatura))
        .route("/faturas/{id}/baixas", post(baixas::registrar))
        .route("/baixas", get(baixas::listar))
        .route("/baixas/{id}", get(baixas::detalhe))
        .route("/baixas/{id}/reenviar", post(baixas::reenviar))
        .route("/sync", post(baixas::sync))
        .route("/faturas/{id}/boleto.pdf", get(faturas::boleto_pdf))
        .route("/faturas/{id}/codigo-de-barras.svg", get(faturas::codigo_de_barras_svg))
        .route("/faturas/{id}/codigo-de-barras.png", get(faturas::codigo_de_barras_png))
        .route("/faturas/{id}/pix.svg", get(faturas::pix_svg))
        .route("/faturas/{id}/pix.png", get(faturas::pix_png))
        .route("/boletos/{codigo}", get(formats::boleto))
        .route("/boletos/{codigo}/codigo-de-barras.svg", get(formats::boleto_svg))
        .route("/boletos/{codigo}/codigo-de-barras.png", get(formats::boleto_png))
        .route("/pix/decode", post(formats::pix_decode))
        .route("/pix/encode", post(formats::pix_encode))
        .route("/pix/qr.svg", get(formats::pix_qr_svg))
        .route("/pix/qr.png", get(formats::pix_qr_png));
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(
            config
                .api
                .allowed_origins
                .iter()
                .filter_map(|origin| HeaderValue::from_str(origin).ok()),
        ))
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static("cpfcnpj"),
            HeaderName::from_static("limitepagamentoforma"),
        ])
        .expose_headers([header::AGE, HeaderName::from_static("cache-status")]);
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .nest("/v1", v1)
        .fallback(not_found)
        .with_state(state)
        .layer(CatchPanicLayer::custom(|_| Problem::internal().into_response()))
        .layer(RequestBodyLimitLayer::new(config.api.body_limit))
        .layer(cors)
        .layer(middleware::from_fn_with_state(guards, guards::guard))
        .layer(middleware::from_fn(problem_for_bare_errors))
}

async fn not_found() -> Problem {
    Problem::not_found("Endereço não encontrado nesta API.")
}

/// Gives errors produced outside our handlers (unknown method, body over the
/// limit, a path that does not decode) the same problem+json shape.
async fn problem_for_bare_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes() == b"application/problem+json");
    if !status.is_client_error() && !status.is_server_error() || is_problem {
        return response;
    }
    let (code, detail) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "corpo_grande_demais",
            "O corpo da requisição passa do limite permitido.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => ("metodo_nao_permitido", "Método HTTP não permitido neste endereço."),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("content_type_invalido", "Envie o corpo como application/json."),
        status if status.is_server_error() => ("erro_interno", "Ocorreu um erro inesperado. Procure um atendente."),
        _ => ("requisicao_invalida", "Requisição inválida."),
    };
    Problem::new(status, code, detail).into_response()
}

/// `Json<T>` whose rejections are problem+json with a Portuguese detail.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    Json<T>: FromRequest<S, Rejection = axum::extract::rejection::JsonRejection>,
{
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => {
                let status = rejection.status();
                let (code, detail) = match status {
                    StatusCode::PAYLOAD_TOO_LARGE => (
                        "corpo_grande_demais",
                        "O corpo da requisição passa do limite permitido.".to_owned(),
                    ),
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                        "content_type_invalido",
                        "Envie o corpo como application/json.".to_owned(),
                    ),
                    _ => (
                        "json_invalido",
                        format!("Corpo JSON inválido: {}", rejection.body_text()),
                    ),
                };
                Err(Problem::new(status, code, detail))
            }
        }
    }
}

/// `Age` and `Cache-Status` (RFC 9211) for an answer that may come from the cache.
fn freshness_headers<T>(answer: &Answer<T>, fresh_secs: u64) -> [(HeaderName, HeaderValue); 2] {
    let age = Utc::now()
        .signed_duration_since(answer.atualizado_em)
        .num_seconds()
        .max(0);
    let age = if answer.origem == Origem::Upstream { 0 } else { age };
    let status = match answer.origem {
        Origem::Upstream => "borda; fwd=miss; stored".to_owned(),
        Origem::Fresh => format!(
            "borda; hit; ttl={}",
            i64::try_from(fresh_secs).unwrap_or(i64::MAX) - age
        ),
        Origem::Fallback => "borda; hit; detail=upstream-offline".to_owned(),
    };
    [
        (header::AGE, HeaderValue::from(age)),
        (
            HeaderName::from_static("cache-status"),
            HeaderValue::from_str(&status).unwrap_or(HeaderValue::from_static("borda")),
        ),
    ]
}

/// An image or document body with its content type.
fn binary(content_type: &'static str, bytes: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], bytes).into_response()
}

/// Validates a path `documento` before anything goes upstream.
fn documento(text: &str) -> Result<String, Problem> {
    Ok(crate::domain::documento::parse(text)?.numero().to_owned())
}
