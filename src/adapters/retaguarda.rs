//! The retaguarda (the back office, e.g. TOTVS Winthor): the client of its credit-limit lookup, in the contract of
//! TOTVS PDV Omni ("limite de crédito", v3), behind a circuit breaker like the ERP's.
//!
//! It knows the request (the path template, the `cpfCnpj` and `limitePagamentoForma` headers, the credential) and
//! which answers are the retaguarda's own: any 2xx or 4xx whose body is JSON is its envelope, passed on as JSON for
//! the domain to read ([`crate::domain::credito`]); a transport failure, a timeout, a 5xx or a 429 is
//! [`RetaguardaError::Indisponivel`]; anything else is [`RetaguardaError::RespostaInvalida`]. Redirects are not
//! followed. It never logs the customer's document.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};
use serde_json::Value;

use super::breaker::{Breaker, Chamadas, Desfecho, respondeu};
use super::erp::{fill, transport_reason};
use crate::config::RetaguardaConfig;

/// Largest answer read: the envelope is a few hundred bytes.
const MAX_BODY: usize = 256 * 1024;

/// Why the retaguarda gave no answer borda can use.
#[derive(Debug, thiserror::Error)]
pub enum RetaguardaError {
    /// Not reachable, too slow, or failing (5xx, 429), or the breaker is open: the cache answers.
    #[error("retaguarda indisponível: {0}")]
    Indisponivel(String),
    /// It answered, but not with the contract's envelope.
    #[error("resposta inválida da retaguarda: {0}")]
    RespostaInvalida(String),
    /// The configuration cannot make the request.
    #[error("configuração da retaguarda: {0}")]
    Configuracao(String),
}

/// The client; cheap to clone.
#[derive(Clone, Debug)]
pub struct RetaguardaClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    /// `base_url` without its trailing slashes.
    base: String,
    path: String,
    auth: Option<(HeaderName, HeaderValue)>,
    breaker: Breaker,
}

impl RetaguardaClient {
    /// A client for the retaguarda of `config`; makes no request.
    pub fn new(config: &RetaguardaConfig) -> Result<RetaguardaClient, RetaguardaError> {
        let auth = super::credencial("retaguarda", &config.auth_header, &config.auth_value)
            .map_err(RetaguardaError::Configuracao)?;
        let http =
            super::cliente_http(Duration::from_millis(config.timeout_ms)).map_err(RetaguardaError::Configuracao)?;
        Ok(RetaguardaClient {
            inner: Arc::new(Inner {
                http,
                base: config.base_url.trim_end_matches('/').to_owned(),
                path: config.path.clone(),
                auth,
                breaker: Breaker::new("retaguarda", config.breaker_failures),
            }),
        })
    }

    /// The calls the retaguarda answered and those that found it not there, since start-up.
    pub fn chamadas(&self) -> Chamadas {
        self.inner.breaker.chamadas()
    }

    /// Whether calls go out (the breaker is closed).
    pub fn online(&self) -> bool {
        !self.inner.breaker.is_open()
    }

    /// Asks the credit limit of `cpf_cnpj` (sent as the PDV wrote it) at store `loja` of tenant `inquilino`: the
    /// retaguarda's envelope, as JSON.
    pub async fn consultar(
        &self,
        inquilino: &str,
        loja: &str,
        cpf_cnpj: &str,
        por_forma: bool,
    ) -> Result<Value, RetaguardaError> {
        if self.inner.breaker.is_open() {
            return Err(RetaguardaError::Indisponivel(
                "circuito aberto após falhas seguidas; aguardando a retaguarda voltar".into(),
            ));
        }
        let path = fill(
            &self.inner.path,
            &[("IdInquilino", inquilino), ("IdRetaguardaLoja", loja)],
        );
        let url = self.url(&path)?;
        let cpf_cnpj = HeaderValue::from_str(cpf_cnpj)
            .map_err(|_| RetaguardaError::Configuracao("cpfCnpj com caracteres inválidos".into()))?;
        let request = self
            .builder(url)
            .header("cpfCnpj", cpf_cnpj)
            .header("limitePagamentoForma", if por_forma { "true" } else { "false" });
        let (desfecho, resultado) = match request.send().await {
            Err(error) => (
                Desfecho::SemResposta,
                Err(RetaguardaError::Indisponivel(transport_reason(&error))),
            ),
            Ok(response) => {
                let status = response.status();
                (Desfecho::Status(status.as_u16()), ler(response).await)
            }
        };
        // A body cut short is no answer either.
        let desfecho = match &resultado {
            Err(RetaguardaError::Indisponivel(_)) => Desfecho::SemResposta,
            _ => desfecho,
        };
        self.inner.breaker.record(desfecho);
        if let Err(error) = &resultado {
            tracing::warn!(%error, "retaguarda lookup failed");
        }
        resultado
    }

    /// Whether the retaguarda answers at all (any HTTP answer at its base URL); closes the breaker when it does.
    pub async fn sondar(&self) -> bool {
        let Ok(url) = self.url("/") else {
            return false;
        };
        let desfecho = match self.builder(url).send().await {
            Ok(response) => Desfecho::Status(response.status().as_u16()),
            Err(error) => {
                tracing::debug!(error = %transport_reason(&error), "retaguarda probe failed");
                Desfecho::SemResposta
            }
        };
        self.inner.breaker.record(desfecho);
        respondeu(desfecho)
    }

    fn url(&self, path: &str) -> Result<Url, RetaguardaError> {
        Url::parse(&format!("{}{path}", self.inner.base))
            .map_err(|error| RetaguardaError::Configuracao(format!("caminho {path}: {error}")))
    }

    fn builder(&self, url: Url) -> reqwest::RequestBuilder {
        let mut request = self.inner.http.get(url).header(ACCEPT, "application/json");
        if let Some((name, value)) = &self.inner.auth {
            request = request.header(name.clone(), value.clone());
        }
        request
    }
}

/// The answer's envelope, by its status: see the module documentation.
async fn ler(mut response: reqwest::Response) -> Result<Value, RetaguardaError> {
    let status = response.status();
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        return Err(RetaguardaError::Indisponivel(format!("HTTP {}", status.as_u16())));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| RetaguardaError::Indisponivel(transport_reason(&error)))?
    {
        if body.len().saturating_add(chunk.len()) > MAX_BODY {
            return Err(RetaguardaError::RespostaInvalida(format!(
                "corpo maior que {MAX_BODY} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    if status.is_redirection() {
        return Err(RetaguardaError::RespostaInvalida(format!(
            "redirecionamento HTTP {} não seguido",
            status.as_u16()
        )));
    }
    serde_json::from_slice(&body)
        .map_err(|error| RetaguardaError::RespostaInvalida(format!("HTTP {}: JSON inválido: {error}", status.as_u16())))
}
