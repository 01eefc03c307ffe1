//! The localhost HTTP API (described at `/v1/openapi.json`): axum router, guards,
//! problem+json errors and the handlers.
//!
//! Handlers are thin: they validate input, call the domain or the
//! [`Totem`](crate::service::Totem) and turn results into [`views`](crate::edges::views)
//! and headers. The API never speaks SQL or the ERP's wire format, and it
//! never lets an error leave as anything but problem+json.

mod baixas;
mod chamados;
mod clientes;
mod credito;
mod etag;
mod faturas;
mod formats;
mod guards;
mod health;
mod impressoes;
mod kiosk;
mod limite;
mod listas;
pub mod memoria;
pub mod metricas;
mod openapi;
pub mod problem;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Extension, Router};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;

use crate::config::Config;
use crate::domain::pdf::Beneficiario;
use crate::edges::json::ErroDeCampo;
use crate::service::credito::Credito;
use crate::service::saude::Saude;
use crate::service::{Origem, Totem};
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
    /// Bounds the PDF/PNG/SVG renders running at once (see [`render`]).
    pub renders: Arc<Semaphore>,
    /// The ready answers of the cached reads ([`memoria`]).
    pub memoria: Arc<memoria::Memoria>,
    /// The PDV's credit-limit lookups, when `[retaguarda]` is configured.
    pub credito: Option<Credito>,
    /// The request counts and latencies `/metrics` shows.
    pub metricas: metricas::Metricas,
}

/// Renders at once: the kiosk has two cores; more renders only queue longer.
pub const RENDERS: usize = 2;

/// The permits of [`AppState::renders`].
pub fn render_permits() -> Arc<Semaphore> {
    Arc::new(Semaphore::new(RENDERS))
}

/// Runs a CPU-bound render (PDF, PNG, SVG) on the blocking pool, at most
/// [`RENDERS`] at a time, so the async workers keep answering (a baixa POST
/// must not wait behind a PDF). A render that panics is a 500, never a crash.
pub async fn render<T, F>(state: &AppState, job: F) -> Result<T, Problem>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, Problem> + Send + 'static,
{
    let _permit = state.renders.acquire().await.map_err(|_| Problem::internal())?;
    tokio::task::spawn_blocking(job).await.unwrap_or_else(|error| {
        tracing::error!(%error, "a render task failed");
        Err(Problem::internal())
    })
}

/// Longest id accepted in a path or a body (ERP ids are far shorter).
pub const MAX_ID_CHARS: usize = 100;

/// Checks an id that goes upstream (a path `id`, a body `id_servico`…): no
/// control characters (CR/LF would split a header or a log line) and at most
/// [`MAX_ID_CHARS`]. Never cleans it: a bad id is a 422 naming `campo`.
pub fn checked_id<'a>(campo: &str, id: &'a str) -> Result<&'a str, Problem> {
    if id.chars().any(char::is_control) {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "id_invalido",
            format!("{campo}: contém caracteres de controle."),
        ));
    }
    if id.chars().count() > MAX_ID_CHARS {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "id_invalido",
            format!("{campo}: longo demais (no máximo {MAX_ID_CHARS} caracteres)."),
        ));
    }
    Ok(id)
}

/// How long a request body may take to arrive in full (`api.body_timeout_secs`),
/// as a request extension [`ApiJson`] reads.
#[derive(Clone, Copy, Debug)]
struct BodyDeadline(Duration);

/// Builds the whole application: routes, guards and error shaping.
pub fn router(state: AppState, config: &Config) -> Router {
    let guards = Arc::new(guards::Guards::new(&config.api));
    let v1 = Router::new()
        .route("/openapi.json", get(openapi::openapi_json))
        .route("/clientes/{documento}", get(clientes::cliente))
        .route("/clientes/{documento}/faturas", get(clientes::faturas))
        .route("/clientes/{documento}/contratos", get(clientes::contratos))
        .route("/clientes/{documento}/desbloqueio", post(clientes::desbloqueio))
        .route("/clientes/{documento}/servicos", get(listas::servicos))
        .route("/clientes/{documento}/notas-fiscais", get(listas::notas_fiscais))
        .route("/clientes/{documento}/contatos", get(listas::contatos))
        .route("/clientes/{documento}/extratos", get(listas::extratos))
        .route("/clientes/{documento}/quitacao", get(listas::quitacao))
        .route("/clientes/{documento}/quitacao.pdf", get(listas::quitacao_pdf))
        // `{id}.pdf`: the router matches whole segments; the handler takes the `.pdf` off.
        .route("/notas-fiscais/{arquivo}", get(listas::nota_fiscal_pdf))
        .route("/faturas/{id}", get(faturas::fatura))
        .route("/faturas/{id}/baixas", post(baixas::registrar))
        .route("/baixas", get(baixas::listar))
        .route("/baixas/{id}", get(baixas::detalhe))
        .route("/baixas/{id}/reenviar", post(baixas::reenviar))
        .route("/sync", post(baixas::sync))
        .route("/impressoes", post(impressoes::imprimir))
        .route("/impressoes/{id}", get(impressoes::impressao))
        .route("/impressoes/{id}/preview.png", get(impressoes::preview_png))
        .route("/impressoes/{id}/preview.pdf", get(impressoes::preview_pdf))
        .route("/impressoras", get(impressoes::impressoras))
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
        .route("/pix/qr.png", get(formats::pix_qr_png))
        .route("/limite-credito", get(credito::consultar_query))
        .route("/limite-credito/consumos", post(credito::registrar_consumo))
        .route("/limite-credito/consumos/{id_venda}", delete(credito::cancelar_consumo))
        .route("/limite-credito/{inquilino}/{loja}", get(credito::consultar_path));
    // `api.body_limit` for every route but the chamados', whose attachments need more (`chamados::rotas`).
    let v1 = v1
        .layer(RequestBodyLimitLayer::new(config.api.body_limit))
        .merge(chamados::rotas(config.api.body_limit));
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
            header::IF_NONE_MATCH,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static("cpfcnpj"),
            HeaderName::from_static("limitepagamentoforma"),
            HeaderName::from_static("limitepgamentoforma"),
        ])
        .expose_headers([header::AGE, HeaderName::from_static("cache-status"), header::ETAG]);
    let metricas = state.metricas.clone();
    let kiosk = if config.api.kiosk {
        kiosk::rotas(&config.api)
    } else {
        Router::new()
    };
    Router::new()
        .merge(kiosk)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metricas::metrics))
        .nest("/v1", v1)
        .route_layer(middleware::from_fn_with_state(metricas, metricas::medir))
        .fallback(not_found)
        .with_state(state)
        .layer(middleware::from_fn(etag::conditional))
        .layer(CatchPanicLayer::custom(|_| Problem::internal().into_response()))
        .layer(Extension(BodyDeadline(Duration::from_secs(
            config.api.body_timeout_secs,
        ))))
        .layer(cors)
        .layer(middleware::from_fn_with_state(
            Arc::new(limite::LimiteDocumentos::new(config.api.documentos_por_minuto)),
            limite::limitar,
        ))
        .layer(middleware::from_fn_with_state(guards, guards::guard))
        .layer(middleware::from_fn(problem_for_bare_errors))
}

async fn not_found() -> Problem {
    Problem::not_found("Endereço não encontrado nesta API.")
}

/// Gives errors produced outside our handlers (unknown method, body over the
/// limit, a path that does not decode) the same problem+json shape. A JSON
/// error body is a handler's own (problem+json, or `/readyz`'s report on a
/// 503) and goes out as it is; what axum and tower answer by themselves is
/// plain text or empty.
async fn problem_for_bare_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| matches!(value.as_bytes(), b"application/problem+json" | b"application/json"));
    if !status.is_client_error() && !status.is_server_error() || is_json {
        return response;
    }
    let (code, detail) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "corpo_grande_demais",
            "O corpo da requisição passa do limite permitido.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => ("metodo_nao_permitido", "Método HTTP não permitido neste endereço."),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("content_type_invalido", "Envie o corpo como application/json."),
        // Only axum's `Json` answers a bare 422: a JSON body of the wrong shape.
        StatusCode::UNPROCESSABLE_ENTITY => ("json_invalido", "O corpo JSON não tem o formato esperado."),
        StatusCode::BAD_REQUEST => ("requisicao_invalida", "Requisição inválida."),
        StatusCode::REQUEST_TIMEOUT => ("tempo_esgotado", "A requisição não chegou a tempo."),
        status if status.is_server_error() => ("erro_interno", "Ocorreu um erro inesperado. Procure um atendente."),
        _ => ("requisicao_invalida", "Requisição inválida."),
    };
    Problem::new(status, code, detail).into_response()
}

/// A JSON body whose rejections are problem+json with a Portuguese detail,
/// following the rule in [`problem`]: 415 `content_type_invalido`, 413
/// `corpo_grande_demais`, 408 `tempo_esgotado` (the body did not arrive within
/// `api.body_timeout_secs`), 400 `json_malformado` (not JSON at all), 422
/// `json_invalido` (JSON of the wrong shape, naming the field).
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_content_type(request.headers()) {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "content_type_invalido",
                "Envie o corpo como application/json.",
            ));
        }
        let deadline = request.extensions().get::<BodyDeadline>().copied();
        let read = Bytes::from_request(request, state);
        let bytes = match deadline {
            Some(BodyDeadline(limit)) => tokio::time::timeout(limit, read).await.map_err(|_| {
                Problem::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "tempo_esgotado",
                    "O corpo da requisição não chegou a tempo.",
                )
            })?,
            None => read.await,
        };
        let bytes = bytes.map_err(|rejection| match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "corpo_grande_demais",
                "O corpo da requisição passa do limite permitido.",
            ),
            status => Problem::new(status, "corpo_ilegivel", "Não foi possível ler o corpo da requisição."),
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || essence.starts_with("application/") && essence.ends_with("+json")
}

/// Parses a JSON body: syntax errors are 400 `json_malformado`, shape errors
/// 422 `json_invalido` with the field's path in Portuguese.
fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        json_problem(&path, &error.into_inner())
    })?;
    deserializer.end().map_err(|error| json_problem("", &error))?;
    Ok(value)
}

fn json_problem(path: &str, error: &serde_json::Error) -> Problem {
    if error.is_data() {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "json_invalido",
            format!(
                "Corpo JSON inválido: {}.",
                ErroDeCampo::de_serde(path, &error.to_string())
            ),
        )
    } else {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "json_malformado",
            format!(
                "O corpo não é um JSON válido (linha {}, coluna {}).",
                error.line(),
                error.column()
            ),
        )
    }
}

/// `Age` and `Cache-Status` (RFC 9211) for an answer that may come from the cache, from `origem` and when its data
/// was fetched from the ERP.
fn freshness_headers(origem: Origem, atualizado_em: DateTime<Utc>, fresh_secs: u64) -> [(HeaderName, HeaderValue); 2] {
    let age = Utc::now().signed_duration_since(atualizado_em).num_seconds().max(0);
    let age = if origem == Origem::Upstream { 0 } else { age };
    let status = match origem {
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
