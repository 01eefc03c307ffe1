//! Request guards of the localhost API: the Host allow-list (against DNS
//! rebinding), the Origin allow-list (against cross-site requests, which
//! CORS alone does not stop from executing) and the bearer token.
//!
//! A loopback bind is no protection on its own: a page on any site can
//! rebind its name to 127.0.0.1, and the browser then talks to borda as
//! "same origin". Checking `Host` closes that door; checking `Origin`
//! closes the cross-site one.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::problem::Problem;
use crate::config::ApiConfig;

/// What the guards let through, prepared once at start-up.
#[derive(Debug)]
pub struct Guards {
    allowed_hosts: Vec<String>,
    allowed_origins: Vec<String>,
    token: Option<String>,
}

impl Guards {
    pub fn new(config: &ApiConfig) -> Self {
        Guards {
            allowed_hosts: config.hosts().iter().map(|host| host.to_ascii_lowercase()).collect(),
            allowed_origins: config
                .allowed_origins
                .iter()
                .cloned()
                .chain(if config.kiosk {
                    super::kiosk::origens(config)
                } else {
                    Vec::new()
                })
                .collect(),
            token: Some(config.token.clone()).filter(|token| !token.is_empty()),
        }
    }

    fn host_allowed(&self, request: &Request) -> bool {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|value| value.to_str().ok());
        host.is_some_and(|host| {
            self.allowed_hosts
                .iter()
                .any(|allowed| allowed.eq_ignore_ascii_case(host))
        })
    }

    fn origin_allowed(&self, request: &Request) -> bool {
        match request.headers().get(header::ORIGIN) {
            None => true,
            Some(origin) => origin
                .to_str()
                .is_ok_and(|origin| self.allowed_origins.iter().any(|allowed| allowed == origin)),
        }
    }

    fn token_accepted(&self, request: &Request) -> bool {
        let Some(expected) = &self.token else {
            return true;
        };
        // Browsers send CORS preflights without credentials; the CORS layer answers them.
        if request.method() == Method::OPTIONS || !request.uri().path().starts_with("/v1/") {
            return true;
        }
        request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|value| bearer(value.as_bytes()))
            .is_some_and(|presented| bool::from(presented.ct_eq(expected.as_bytes())))
    }
}

/// The credentials of `Authorization: Bearer <token>`; the scheme is
/// case-insensitive (RFC 9110 §11.1), the token is not.
fn bearer(value: &[u8]) -> Option<&[u8]> {
    let (scheme, token) = value.split_at_checked(7)?;
    scheme.eq_ignore_ascii_case(b"bearer ").then_some(token)
}

/// Whether a header that may appear once appears more than once.
fn repeated(request: &Request, name: header::HeaderName) -> bool {
    request.headers().get_all(name).iter().nth(1).is_some()
}

/// The guard middleware: rejects before any handler runs.
pub async fn guard(State(guards): State<Arc<Guards>>, request: Request, next: Next) -> Response {
    // Two Hosts (or two Authorizations) are ambiguous: a proxy and borda
    // could read different ones. Refuse rather than pick one.
    for name in [header::HOST, header::AUTHORIZATION] {
        if repeated(&request, name.clone()) {
            return Problem::new(
                StatusCode::BAD_REQUEST,
                "cabecalho_repetido",
                format!("Requisição recusada: o cabeçalho {name} aparece mais de uma vez."),
            )
            .into_response();
        }
    }
    if !guards.host_allowed(&request) {
        return Problem::new(
            StatusCode::FORBIDDEN,
            "host_nao_permitido",
            "Acesso recusado: o cabeçalho Host não está entre os permitidos (api.allowed_hosts).",
        )
        .into_response();
    }
    if !guards.origin_allowed(&request) {
        return Problem::new(
            StatusCode::FORBIDDEN,
            "origem_nao_permitida",
            "Acesso recusado: a origem da página não está entre as permitidas (api.allowed_origins).",
        )
        .into_response();
    }
    if !guards.token_accepted(&request) {
        return Problem::new(
            StatusCode::UNAUTHORIZED,
            "nao_autorizado",
            "Acesso recusado: informe o token no cabeçalho Authorization: Bearer.",
        )
        .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::bearer;

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_the_token_is_not() {
        assert_eq!(bearer(b"Bearer abc"), Some(&b"abc"[..]));
        assert_eq!(bearer(b"bearer abc"), Some(&b"abc"[..]));
        assert_eq!(bearer(b"BEARER abc"), Some(&b"abc"[..]));
        assert_eq!(bearer(b"Basic abc"), None);
        assert_eq!(bearer(b"Bearer"), None);
        assert_eq!(bearer(b"Bearerabc"), None);
    }
}
