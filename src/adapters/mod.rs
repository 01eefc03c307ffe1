//! Adapters: each owns one outside thing and translates it into domain types.

pub mod breaker;
pub mod erp;
pub mod impressora;
pub mod otlp;
pub mod retaguarda;
pub mod store;

use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

/// The HTTP client of an upstream (the ERP, the retaguarda): rustls with ring, borda's user agent, every call bounded
/// by `timeout` (connect included), and no redirect followed: on a 301/302/303 a POST would become a body-less GET
/// whose answer could look like a booking, and a credential header would go along to another host.
pub(crate) fn cliente_http(timeout: Duration) -> Result<reqwest::Client, String> {
    // reqwest is built without a default TLS provider; the first client of the process installs ring, and later ones
    // find it installed, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(concat!("borda/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| erp::root_cause(&error))
}

/// An upstream's credential header from the configuration section `secao`: None when `valor` is empty; the value is
/// marked sensitive so that it never shows in debug output.
pub(crate) fn credencial(secao: &str, nome: &str, valor: &str) -> Result<Option<(HeaderName, HeaderValue)>, String> {
    if valor.is_empty() {
        return Ok(None);
    }
    let nome = HeaderName::from_bytes(nome.as_bytes())
        .map_err(|_| format!("{secao}.auth_header não é um nome de cabeçalho HTTP"))?;
    let mut valor =
        HeaderValue::from_str(valor).map_err(|_| format!("{secao}.auth_value contém caracteres inválidos"))?;
    valor.set_sensitive(true);
    Ok(Some((nome, valor)))
}
