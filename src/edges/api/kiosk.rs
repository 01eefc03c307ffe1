//! The reference kiosk page (`assets/kiosk/`), served at `/` when `[api] kiosk = true`: one static page, its script
//! and its style, embedded in the binary (a totem may be offline: nothing comes from outside), and the page's
//! settings at `/kiosk/config.json`.
//!
//! The page is same-origin with the API, so the guards' Origin allow-list takes the API's own origins while it is
//! served. With `api.token` set the page receives the token in its settings: anything on the machine that may read
//! the page may then call the API, which is what the token was for; the Host and Origin guards still keep other
//! sites out. The response headers forbid framing, sniffing and any script or connection to elsewhere.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use serde::Serialize;

use crate::config::ApiConfig;

const INDEX: &str = include_str!("../../../assets/kiosk/index.html");
const SCRIPT: &str = include_str!("../../../assets/kiosk/kiosk.js");
const ESTILO: &str = include_str!("../../../assets/kiosk/kiosk.css");

/// What the page reads before it starts.
#[derive(Clone, Debug, Serialize)]
struct Configuracao {
    /// Offer "simular pagamento" (the demo only: it records a made-up PIX).
    simular_pagamento: bool,
    /// The API's bearer token, when one is configured.
    token: Option<String>,
}

/// The routes of the page, for `edges::api::router` to merge when the kiosk is on.
pub fn rotas<S: Clone + Send + Sync + 'static>(config: &ApiConfig) -> Router<S> {
    let configuracao = Configuracao {
        simular_pagamento: config.kiosk_simular_pagamento,
        token: Some(config.token.clone()).filter(|token| !token.is_empty()),
    };
    Router::new()
        .route("/", get(|| async { pagina("text/html; charset=utf-8", INDEX) }))
        .route(
            "/kiosk/kiosk.js",
            get(|| async { pagina("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route(
            "/kiosk/kiosk.css",
            get(|| async { pagina("text/css; charset=utf-8", ESTILO) }),
        )
        .route(
            "/kiosk/config.json",
            get(move || {
                let configuracao = configuracao.clone();
                async move { (cabecalhos(), Json(configuracao)).into_response() }
            }),
        )
}

/// The API's own origins (`http://` + each allowed Host), which the page's requests carry.
pub fn origens(config: &ApiConfig) -> Vec<String> {
    config.hosts().iter().map(|host| format!("http://{host}")).collect()
}

fn pagina(tipo: &'static str, corpo: &'static str) -> Response {
    (
        cabecalhos(),
        [(header::CONTENT_TYPE, HeaderValue::from_static(tipo))],
        corpo,
    )
        .into_response()
}

fn cabecalhos() -> [(HeaderName, HeaderValue); 4] {
    [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
            ),
        ),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
    ]
}
