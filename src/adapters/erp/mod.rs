//! The ISP's ERP, seen from borda: an HTTP client that speaks the upstream contract (`spec/upstream-erp.md`).
//!
//! This module is the only place that knows the ERP's wire names: query parameters here; response fields and the
//! body of a baixa in `wire` (which reads both generations of the contract leniently into [`crate::domain::model`] types).
//! Every call is bounded by the configured timeout and goes through a circuit breaker (`breaker`), so a dead ERP
//! costs the kiosk one timeout per threshold, not one per customer; one rule (`breaker::respondeu`) says which
//! outcomes count as "ERP not there", for reads, writes and the probe alike. Redirects are never followed: a write
//! turned into a GET on another URL could look booked, and the credential must never leave the configured host. A baixa's outcome is an [`EnvioBaixa`], which
//! tells "certainly not sent" from "may have been booked", because the upstream is not idempotent. It must never
//! log a full CPF/CNPJ or the auth secret, never retry a write, and never decide what a failure means to the
//! customer: it reports [`ErpError`] or [`EnvioBaixa`] and the service layer or the sync worker chooses (cache,
//! queue, message, check the fatura).

mod chamados;
mod listas;
mod wire;

pub use chamados::{ChamadoAberto, DestinoChamado, FalhaChamado, NovoChamado};

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{ACCEPT, DATE, HeaderMap, HeaderName, HeaderValue, LOCATION, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use serde_json::Value;

use super::breaker::{Breaker, Chamadas, Desfecho, respondeu};
use crate::config::{ErpConfig, ErpPaths};
use crate::domain::baixa::Baixa;
use crate::domain::model::{Cliente, Contrato, Fatura};

/// Largest response body read; beyond it the answer is refused (a boleto PDF in base64 is a few hundred KiB).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// How much of an error response's body is kept in [`ErpError::Status`], and of any answer in [`EnvioBaixa`].
const MAX_ERROR_BODY: usize = 2 * 1024;

/// Why a call fails without reaching the network while the breaker is open.
const BREAKER_OPEN: &str = "circuito aberto após falhas seguidas; aguardando o ERP voltar";

/// The header that carries a baixa's id, for ERPs that deduplicate (IETF draft-ietf-httpapi-idempotency-key-header).
const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// Why a call to the ERP did not produce what was asked. Messages are Portuguese; none carries personal data.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ErpError {
    /// The ERP could not be asked: no connection, timeout, connection reset, or the circuit breaker is open.
    #[error("sistema do provedor indisponível: {0}")]
    Indisponivel(String),
    /// The ERP answered with a status outside 2xx; `corpo` is the start of its body (at most 2 KiB), for logs.
    #[error("sistema do provedor respondeu com status {status}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The body, truncated to 2 KiB at a character boundary.
        corpo: String,
    },
    /// The ERP answered a redirect (3xx), which borda never follows: the configured base URL or path is outdated,
    /// or something between borda and the ERP moved it. On a write (desbloqueio) the request may have been
    /// processed before the redirect. `destino` is the `Location` without its query string (which may carry a
    /// CPF/CNPJ) or fragment.
    #[error(
        "sistema do provedor redirecionou (status {status}) para {destino}; redirecionamentos não são seguidos: confira erp.base_url e erp.paths"
    )]
    Redirecionado {
        /// The HTTP status (300 to 399).
        status: u16,
        /// Where it pointed, without query string or fragment.
        destino: String,
    },
    /// The single resource asked for (cliente, fatura, boleto PDF) does not exist in the ERP.
    #[error("não encontrado no sistema do provedor")]
    NaoEncontrado,
    /// The ERP answered 2xx with something that is not what the contract says.
    #[error("resposta inválida do sistema do provedor: {0}")]
    RespostaInvalida(String),
    /// The `[erp]` configuration cannot make a request (an auth value that is not a valid header, a path that
    /// does not make a URL); fixed by the technician, not by waiting.
    #[error("configuração do ERP inválida: {0}")]
    Configuracao(String),
    /// The configured ERP does not offer this operation: its `[erp.paths]` entry (named here) is empty. Answered 501
    /// `nao_suportado_pelo_erp`; no request goes out.
    #[error("operação não oferecida pelo sistema do provedor (erp.paths.{0} vazio)")]
    NaoSuportado(&'static str),
}

impl ErpError {
    /// Whether the failure says the ERP is not there (so cached data may stand in and the breaker counts it):
    /// unreachable, a timeout, a 5xx or a 429, by the one rule of `breaker::respondeu`. A 401/403, a 404,
    /// a redirect or an unreadable answer come from an ERP that is there: not unavailable.
    pub fn is_unavailable(&self) -> bool {
        self.desfecho().is_some_and(|desfecho| !respondeu(desfecho))
    }

    /// What this failure says the ERP did, for the breaker; `None` when the request never went out because of the
    /// configuration, which proves nothing about the ERP.
    fn desfecho(&self) -> Option<Desfecho> {
        match self {
            ErpError::Indisponivel(_) => Some(Desfecho::SemResposta),
            ErpError::Status { status, .. } | ErpError::Redirecionado { status, .. } => Some(Desfecho::Status(*status)),
            ErpError::NaoEncontrado => Some(Desfecho::Status(404)),
            // Only a 2xx body is read for its content.
            ErpError::RespostaInvalida(_) => Some(Desfecho::Status(200)),
            ErpError::Configuracao(_) | ErpError::NaoSuportado(_) => None,
        }
    }
}

/// The ERP's ids for one payment method (seed 002, Voalle: "ID da empresa" and "ID da conta", the carteira de
/// cobrança the write-off is booked to); sent with a baixa when configured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IdsForma<'a> {
    /// The ERP's company id for this method (`id_empresa`).
    pub id_empresa: Option<&'a str>,
    /// The ERP's account (carteira de cobrança) for this method (`id_conta`).
    pub id_conta: Option<&'a str>,
}

/// What became of one attempt to post a baixa (offline.md §2.2). Never an error: every outcome is a state for the
/// sync worker. Messages (`motivo`) are Portuguese, for the operator, and carry no personal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvioBaixa {
    /// The ERP booked it.
    Aceita {
        /// The ERP's answer, as text, at most 2 KiB.
        resposta: String,
    },
    /// A business refusal: a 4xx other than 401, 403, 408 and 429, or a 2xx with `"success": false`. Nothing was booked;
    /// sending it again unchanged would be refused again, so it is not for the worker to retry by itself.
    Recusada {
        /// The HTTP status of the refusal.
        status: u16,
        /// The ERP's answer, as text, at most 2 KiB.
        resposta: String,
    },
    /// The ERP refused borda's credentials (401 or 403): the answer is about the `erp.auth_header`/`erp.auth_value`
    /// configuration, not about this payment. Certainly not booked (an ERP checks credentials before handling the
    /// request); the baixa stays pending and is sent again, with backoff, once the technician fixes the credential.
    NaoAutorizada {
        /// The HTTP status, 401 or 403.
        status: u16,
    },
    /// Certainly not processed: no connection could be made, the breaker is open, the ERP rate-limited it (429),
    /// or the request could not even be built from the configuration. Safe to send again.
    NaoEnviada {
        /// Why, for the operator.
        motivo: String,
        /// How long the ERP asked to wait (`Retry-After`), if it said.
        retry_after: Option<Duration>,
    },
    /// May have been processed: a timeout or a broken connection after the request went out, a 408, a 5xx, a
    /// redirect (3xx: never followed; the motivo names the status and the `Location`), or a 2xx whose body is not
    /// the contract's. The fatura must be checked before sending again.
    Incerta {
        /// Why, for the operator.
        motivo: String,
        /// How long the ERP asked to wait (`Retry-After`), if it said.
        retry_after: Option<Duration>,
    },
}

/// Whether the ERP still lists a fatura among a customer's open ones ([`ErpClient::fatura_em_aberto`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmAberto {
    /// Listed open (possibly in a record borda could not otherwise read): not paid.
    Sim,
    /// Absent from a well-formed list in which every record has a readable id: the ERP no longer has it open.
    Nao,
}

/// What [`ErpClient::verificar`] found: whether the ERP is there and takes borda's credential, and its clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerificacaoErp {
    /// Reachable and authenticated, or why not.
    pub acesso: AcessoErp,
    /// The `Date` header of the ERP's last answer, when it sent a readable one (to compare the local clock with).
    pub data: Option<DateTime<Utc>>,
}

/// Whether the ERP answers and accepts borda's credential ([`VerificacaoErp::acesso`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AcessoErp {
    /// The authenticated read got an answer other than 401/403 (a 404 for the made-up customer included).
    Autenticado {
        /// The read's HTTP status.
        status: u16,
    },
    /// The authenticated read was answered 401 or 403: `erp.auth_header`/`erp.auth_value` are refused.
    CredencialRecusada {
        /// 401 or 403.
        status: u16,
    },
    /// No answer: no connection, a timeout, a broken connection. The cause in a few words, without the URL.
    SemResposta(String),
    /// An answer that says the ERP is not serving (a 5xx or a 429).
    Indisponivel {
        /// The HTTP status.
        status: u16,
    },
    /// The configuration cannot make the request.
    Configuracao(String),
}

/// The CPF of [`ErpClient::verificar`]'s lookup: valid check digits, made up, nobody's customer on purpose.
const CPF_VERIFICACAO: &str = "48273051617";

/// A client of the ISP's ERP. Cheap to clone: clones share the connection pool and the circuit breaker.
#[derive(Clone, Debug)]
pub struct ErpClient {
    inner: Arc<Inner>,
}

/// What the clones of an [`ErpClient`] share.
#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    /// `base_url` without its trailing slashes; paths are appended to it.
    base: String,
    paths: ErpPaths,
    /// The auth header, marked sensitive so that it never appears in debug output.
    auth: Option<(HeaderName, HeaderValue)>,
    breaker: Breaker,
}

/// Whether a 404 means "this resource does not exist" (single resources) or is just an error status (lists,
/// writes: a 404 there is more likely a wrong path in the configuration than an empty answer).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Resource {
    /// One cliente, fatura or PDF: 404 is [`ErpError::NaoEncontrado`].
    Single,
    /// A list or a write: 404 is [`ErpError::Status`].
    Other,
}

impl ErpClient {
    /// A client for the ERP described by `config`; makes no request.
    pub fn new(config: &ErpConfig) -> Result<ErpClient, ErpError> {
        let auth = super::credencial("erp", &config.auth_header, &config.auth_value).map_err(ErpError::Configuracao)?;
        let http = super::cliente_http(Duration::from_millis(config.timeout_ms)).map_err(ErpError::Configuracao)?;
        Ok(ErpClient {
            inner: Arc::new(Inner {
                http,
                base: config.base_url.trim_end_matches('/').to_owned(),
                paths: config.paths.clone(),
                auth,
                breaker: Breaker::new("ERP", config.breaker_failures),
            }),
        })
    }

    /// The customer with this CPF/CNPJ (`GET paths.cliente ?cnpj_cpf=`).
    pub async fn cliente(&self, documento: &str) -> Result<Cliente, ErpError> {
        let documento = normalise_documento(documento);
        let body = self
            .get_json(&self.inner.paths.cliente, &[("cnpj_cpf", &documento)], Resource::Single)
            .await?;
        wire::cliente(body, &documento)
            .map_err(ErpError::RespostaInvalida)?
            .ok_or(ErpError::NaoEncontrado)
    }

    /// The open faturas of a customer, optionally of one contract (`GET paths.faturas`). Both generations'
    /// parameter names are sent. Malformed records are logged and left out; the others are returned.
    pub async fn faturas(&self, documento: &str, contrato: Option<&str>) -> Result<Vec<Fatura>, ErpError> {
        let documento = normalise_documento(documento);
        let body = self.faturas_json(&documento, contrato).await?;
        wire::faturas(body, &documento, contrato, today()).map_err(ErpError::RespostaInvalida)
    }

    /// Whether the ERP still lists fatura `fatura_id` among the open faturas of `documento` (`GET paths.faturas`,
    /// every contract), decided from the raw answer, never from the lenient reading of [`ErpClient::faturas`]
    /// (which drops records it cannot read, so a fatura with one malformed field would look paid).
    ///
    /// [`EmAberto::Nao`] only when the answer is a well-formed list (any envelope the contract allows), every
    /// record in it has a readable id, and none of those ids is `fatura_id`. A record without a readable id, or an
    /// answer that is not a list, is [`ErpError::RespostaInvalida`]: such an answer cannot prove the fatura absent.
    /// Any other failure is the error of the call; none of them means "paid".
    pub async fn fatura_em_aberto(&self, documento: &str, fatura_id: &str) -> Result<EmAberto, ErpError> {
        let documento = normalise_documento(documento);
        let body = self.faturas_json(&documento, None).await?;
        let abertas = wire::ids_em_aberto(body).map_err(ErpError::RespostaInvalida)?;
        let procurada = fatura_id.trim();
        Ok(if abertas.iter().any(|id| id == procurada) {
            EmAberto::Sim
        } else {
            EmAberto::Nao
        })
    }

    /// The raw answer of the open faturas of `documento` (normalised), optionally of one contract. Both
    /// generations' parameter names are sent.
    async fn faturas_json(&self, documento: &str, contrato: Option<&str>) -> Result<Value, ErpError> {
        let mut fields = vec![("document", documento), ("customer_document_number", documento)];
        if let Some(contrato) = contrato {
            fields.extend([("id_contrato", contrato), ("contract_id", contrato)]);
        }
        self.get_json(&self.inner.paths.faturas, &fields, Resource::Other).await
    }

    /// One fatura by its ERP id (`GET paths.fatura`, `{id_fatura}` filled). The answer may be an object or a
    /// list; the record whose id matches is taken.
    pub async fn fatura(&self, id: &str) -> Result<Fatura, ErpError> {
        let id = path_id(id)?;
        let fields = [("id_fatura", id), ("customer_bill_id", id)];
        let body = self
            .get_json(&self.inner.paths.fatura, &fields, Resource::Single)
            .await?;
        wire::fatura_by_id(body, id, today())
            .map_err(ErpError::RespostaInvalida)?
            .ok_or(ErpError::NaoEncontrado)
    }

    /// The PDF of a boleto as the ERP renders it (`GET paths.boleto_pdf`). [`ErpError::NaoEncontrado`] when the
    /// ERP has none (404 or an empty `base_64`), so the caller renders one itself.
    pub async fn boleto_pdf(&self, boleto_id: &str) -> Result<Vec<u8>, ErpError> {
        let boleto_id = path_id(boleto_id)?;
        let body = self
            .get_json(
                &self.inner.paths.boleto_pdf,
                &[("boleto_id", boleto_id)],
                Resource::Single,
            )
            .await?;
        wire::boleto_pdf(body)
            .map_err(ErpError::RespostaInvalida)?
            .ok_or(ErpError::NaoEncontrado)
    }

    /// A PDF an ERP links to (a boleto's `link_boleto` / `url_boleto`, a nota fiscal's `url_nota_fiscal`, a
    /// quitação's `url_arquivo`), for kiosks that must not open external links. The ERP's credential goes along
    /// only when the link points at the ERP itself (same origin as `erp.base_url`); redirects are not followed, so
    /// it never reaches another host that way either (a redirect is [`ErpError::Redirecionado`]). The answer must
    /// be a PDF by its bytes (`%PDF-`, whatever its `Content-Type` says: an HTML page is
    /// [`ErpError::RespostaInvalida`]) of at most 16 MiB. Not counted by the breaker: the link may live on another
    /// host.
    pub async fn pdf_do_link(&self, link: &str) -> Result<Vec<u8>, ErpError> {
        let invalid = |reason: String| ErpError::RespostaInvalida(format!("link do PDF: {reason}"));
        let url = reqwest::Url::parse(link).map_err(|error| invalid(error.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("não é http(s)".into()));
        }
        let same_origin = reqwest::Url::parse(&self.inner.base).is_ok_and(|base| base.origin() == url.origin());
        let mut request = self.inner.http.get(url);
        if let Some((name, value)) = self.inner.auth.as_ref().filter(|_| same_origin) {
            request = request.header(name.clone(), value.clone());
        }
        let mut response = request.send().await.map_err(|error| unavailable(&error))?;
        let status = response.status();
        if status.is_redirection() {
            return Err(redirected(status.as_u16(), response.headers()));
        }
        if !status.is_success() {
            return Err(ErpError::Status {
                status: status.as_u16(),
                corpo: String::new(),
            });
        }
        match read_body(&mut response, MAX_BODY).await? {
            (body, true) if body.starts_with(b"%PDF-") => Ok(body),
            _ => Err(invalid("a resposta não é um PDF".into())),
        }
    }

    /// The contracts (installations) of a customer (`GET paths.contratos ?document=`).
    pub async fn contratos(&self, documento: &str) -> Result<Vec<Contrato>, ErpError> {
        let documento = normalise_documento(documento);
        let body = self
            .get_json(
                &self.inner.paths.contratos,
                &[("document", &documento)],
                Resource::Other,
            )
            .await?;
        wire::contratos(body).map_err(ErpError::RespostaInvalida)
    }

    /// Asks for a provisional unlock ("desbloqueio de confiança") of a service (`POST paths.desbloqueio`) and
    /// returns the service status the ERP reports afterwards. Sent once: never retried here.
    pub async fn desbloqueio(&self, id_cliente: &str, id_servico: &str) -> Result<String, ErpError> {
        let fields = [("id_cliente", id_cliente), ("id_servico", id_servico)];
        let body = self
            .call(Method::POST, &self.inner.paths.desbloqueio, &fields, Resource::Other)
            .await?;
        wire::desbloqueio_status(parse_json(&body)?).map_err(ErpError::RespostaInvalida)
    }

    /// Posts one baixa (`POST paths.baixa`, placeholders `{id_fatura}` and `{id_cliente}` filled) with the header
    /// `Idempotency-Key: <baixa.id>` and says what became of it. Sent once, never retried here: after an
    /// [`EnvioBaixa::Incerta`] the caller reads the fatura before deciding to send again.
    ///
    /// Goes through the breaker: while it is open nothing is sent; the outcome is recorded by the one rule of
    /// `breaker::respondeu` (a transport failure, a 5xx or a 429 count against it; any other answer closes it).
    /// A redirect is not followed: it is [`EnvioBaixa::Incerta`], naming the status and the `Location`.
    pub async fn baixa(&self, baixa: &Baixa, ids: &IdsForma<'_>) -> EnvioBaixa {
        let envio = self.send_baixa(baixa, ids).await;
        let (id, fatura) = (baixa.id.as_str(), baixa.fatura_id.as_str());
        match &envio {
            EnvioBaixa::Aceita { .. } => tracing::info!(baixa.id = id, fatura.id = fatura, "ERP accepted the baixa"),
            EnvioBaixa::Recusada { status, .. } => {
                tracing::warn!(baixa.id = id, fatura.id = fatura, status, "ERP refused the baixa");
            }
            EnvioBaixa::NaoAutorizada { status } => {
                tracing::warn!(
                    baixa.id = id,
                    fatura.id = fatura,
                    status,
                    "ERP refused borda's credentials; check erp.auth_value"
                );
            }
            EnvioBaixa::NaoEnviada { motivo, .. } => {
                tracing::warn!(
                    baixa.id = id,
                    fatura.id = fatura,
                    motivo = motivo.as_str(),
                    "baixa not sent"
                );
            }
            EnvioBaixa::Incerta { motivo, .. } => {
                tracing::warn!(
                    baixa.id = id,
                    fatura.id = fatura,
                    motivo = motivo.as_str(),
                    "baixa may have reached the ERP without an answer"
                );
            }
        }
        envio
    }

    /// One attempt at a baixa, classified.
    async fn send_baixa(&self, baixa: &Baixa, ids: &IdsForma<'_>) -> EnvioBaixa {
        if self.inner.breaker.is_open() {
            return EnvioBaixa::NaoEnviada {
                motivo: BREAKER_OPEN.into(),
                retry_after: None,
            };
        }
        let request = match self.baixa_request(baixa, ids) {
            Ok(request) => request,
            Err(error) => {
                return EnvioBaixa::NaoEnviada {
                    motivo: error.to_string(),
                    retry_after: None,
                };
            }
        };
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(error) => {
                self.inner.breaker.record(Desfecho::SemResposta);
                // Only a failure to connect proves the request never left; a timeout or a reset may come after
                // the ERP has read it, and hyper does not say how much was written.
                return if error.is_connect() {
                    EnvioBaixa::NaoEnviada {
                        motivo: format!("sem conexão com o ERP: {}", root_cause(&error)),
                        retry_after: None,
                    }
                } else {
                    EnvioBaixa::Incerta {
                        motivo: format!("o pedido pode ter chegado ao ERP: {}", transport_reason(&error)),
                        retry_after: None,
                    }
                };
            }
        };
        let status = response.status();
        self.inner.breaker.record(Desfecho::Status(status.as_u16()));
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| wire::retry_after(value, chrono::Utc::now()));
        if status.is_redirection() {
            // Not followed: the ERP (or something in front of it) may have handled the POST before redirecting.
            return EnvioBaixa::Incerta {
                motivo: format!(
                    "o ERP respondeu {} com redirecionamento para {}, que não é seguido: a baixa pode ter sido \
                     registrada; confira erp.base_url e erp.paths.baixa",
                    status.as_u16(),
                    location(response.headers())
                ),
                retry_after,
            };
        }
        // A 2xx is read whole, since its shape decides; of any other answer only the start is kept, for the operator.
        let limit = if status.is_success() { MAX_BODY } else { MAX_ERROR_BODY };
        let body = match read_body(&mut response, limit).await {
            Ok((body, complete)) if complete || !status.is_success() => Ok(body),
            Ok(_) => Err(format!("corpo maior que {MAX_BODY} bytes")),
            Err(error) => Err(error.to_string()),
        };
        wire::baixa_answer(status.as_u16(), body.as_deref().map_err(String::as_str), retry_after)
    }

    /// The POST of a baixa. An id that a path placeholder needs but the baixa lacks, or that would change the path,
    /// stops it here: a write to another URL than the configured one must never go out.
    fn baixa_request(&self, baixa: &Baixa, ids: &IdsForma<'_>) -> Result<reqwest::RequestBuilder, ErpError> {
        let template = &self.inner.paths.baixa;
        let mut fields = vec![("id_fatura", baixa.fatura_id.as_str())];
        if let Some(id_cliente) = &baixa.id_cliente {
            fields.push(("id_cliente", id_cliente.as_str()));
        }
        for (name, value) in &fields {
            if template.contains(&format!("{{{name}}}")) && path_id(value).is_err() {
                return Err(ErpError::Configuracao(format!(
                    "{name} \"{value}\" não pode ir no caminho da baixa"
                )));
            }
        }
        let path = fill(template, &fields);
        if path.contains('{') {
            return Err(ErpError::Configuracao(format!(
                "o caminho da baixa {template} pede um campo que esta baixa não tem"
            )));
        }
        let key = HeaderValue::from_str(&baixa.id)
            .map_err(|_| ErpError::Configuracao("id da baixa inválido como Idempotency-Key".into()))?;
        Ok(self
            .builder(Method::POST, self.url(template, &path)?)
            .header(IDEMPOTENCY_KEY, key)
            .json(&wire::baixa_body(baixa, ids)))
    }

    /// Whether the ERP is there (`GET paths.probe`), by the same rule as every other call: a 2xx, 3xx or 4xx
    /// other than 429 is; no answer, a 5xx or a 429 is not. Bypasses an open breaker and records its outcome in
    /// it: this is the breaker's probe, so a 502 from a proxy in front of a dead ERP does not close it.
    pub async fn sondar(&self) -> bool {
        let request = match self.request(Method::GET, &self.inner.paths.probe, &[]) {
            Ok(request) => request,
            Err(error) => {
                // A configuration that cannot make the request proves nothing about the ERP.
                tracing::debug!(%error, "ERP probe could not be built");
                return false;
            }
        };
        let desfecho = match request.send().await {
            Ok(response) => Desfecho::Status(response.status().as_u16()),
            Err(error) => {
                tracing::debug!(error = %unavailable(&error), "ERP probe failed");
                Desfecho::SemResposta
            }
        };
        self.inner.breaker.record(desfecho);
        respondeu(desfecho)
    }

    /// The calls the ERP answered and those that found it not there, since start-up.
    pub fn chamadas(&self) -> Chamadas {
        self.inner.breaker.chamadas()
    }

    /// Whether calls go out (the circuit breaker is not open).
    pub fn online(&self) -> bool {
        !self.inner.breaker.is_open()
    }

    /// A technician's check (`borda doctor`): the probe (`GET paths.probe`), then, when the ERP is there, one
    /// harmless authenticated read (`GET paths.cliente` for a made-up valid CPF). A 401/403 to the read is
    /// [`AcessoErp::CredencialRecusada`]; any other answer (a 404 included) is [`AcessoErp::Autenticado`]; a
    /// transport failure, a timeout, a 5xx or a 429 to either request is not reachable. Each request is bounded by
    /// `erp.timeout_ms`. Bypasses the circuit breaker and records nothing in it; writes nothing, logs no document.
    pub async fn verificar(&self) -> VerificacaoErp {
        let mut data = None;
        let acesso = self.verificar_acesso(&mut data).await;
        VerificacaoErp { acesso, data }
    }

    /// [`ErpClient::verificar`]'s two requests; `data` keeps the `Date` of the last answer.
    async fn verificar_acesso(&self, data: &mut Option<DateTime<Utc>>) -> AcessoErp {
        let pedidos: [(&str, &[(&str, &str)]); 2] = [
            (&self.inner.paths.probe, &[]),
            (&self.inner.paths.cliente, &[("cnpj_cpf", CPF_VERIFICACAO)]),
        ];
        let mut status = 0;
        for (template, fields) in pedidos {
            let request = match self.request(Method::GET, template, fields) {
                Ok(request) => request,
                Err(error) => return AcessoErp::Configuracao(error.to_string()),
            };
            let response = match request.send().await {
                Ok(response) => response,
                Err(error) => return AcessoErp::SemResposta(motivo_curto(&error)),
            };
            status = response.status().as_u16();
            if let Some(date) = data_http(response.headers()) {
                *data = Some(date);
            }
            if !respondeu(Desfecho::Status(status)) {
                return AcessoErp::Indisponivel { status };
            }
        }
        if matches!(status, 401 | 403) {
            AcessoErp::CredencialRecusada { status }
        } else {
            AcessoErp::Autenticado { status }
        }
    }

    /// A GET whose 2xx body must be JSON.
    async fn get_json(&self, template: &str, fields: &[(&str, &str)], resource: Resource) -> Result<Value, ErpError> {
        parse_json(&self.call(Method::GET, template, fields, resource).await?)
    }

    /// One call through the breaker: the 2xx body, or the error; the outcome is recorded in the breaker.
    async fn call(
        &self,
        method: Method,
        template: &str,
        fields: &[(&str, &str)],
        resource: Resource,
    ) -> Result<Vec<u8>, ErpError> {
        if self.inner.breaker.is_open() {
            return Err(ErpError::Indisponivel(BREAKER_OPEN.into()));
        }
        let outcome = self.send_request(method, template, fields, resource).await;
        let desfecho = match &outcome {
            Ok(_) => Some(Desfecho::Status(200)),
            Err(error) => {
                if error.is_unavailable() {
                    tracing::warn!(operation = template, %error, "ERP call failed");
                }
                error.desfecho()
            }
        };
        // A bad configuration proves nothing about the ERP.
        if let Some(desfecho) = desfecho {
            self.inner.breaker.record(desfecho);
        }
        outcome
    }

    /// Sends one request and reads its body, mapping statuses to [`ErpError`].
    async fn send_request(
        &self,
        method: Method,
        template: &str,
        fields: &[(&str, &str)],
        resource: Resource,
    ) -> Result<Vec<u8>, ErpError> {
        let mut response = self
            .request(method, template, fields)?
            .send()
            .await
            .map_err(|error| unavailable(&error))?;
        let status = response.status();
        tracing::debug!(operation = template, status = status.as_u16(), "ERP answered");
        if status.is_success() {
            let (body, complete) = read_body(&mut response, MAX_BODY).await?;
            return if complete {
                Ok(body)
            } else {
                Err(ErpError::RespostaInvalida(format!("corpo maior que {MAX_BODY} bytes")))
            };
        }
        if status.is_redirection() {
            return Err(redirected(status.as_u16(), response.headers()));
        }
        if status == StatusCode::NOT_FOUND && resource == Resource::Single {
            return Err(ErpError::NaoEncontrado);
        }
        // The body of an error only goes into the error, for logs; a failure to read it does not matter.
        let body = match read_body(&mut response, MAX_ERROR_BODY).await {
            Ok((start, _)) => truncated_text(&start),
            Err(_) => String::new(),
        };
        Err(ErpError::Status {
            status: status.as_u16(),
            corpo: body,
        })
    }

    /// The request for one operation: URL from the template with `{field}` placeholders filled, every field also
    /// as query (GET) or JSON body (other methods), and the fixed headers.
    fn request(
        &self,
        method: Method,
        template: &str,
        fields: &[(&str, &str)],
    ) -> Result<reqwest::RequestBuilder, ErpError> {
        let url = self.url(template, &fill(template, fields))?;
        let mut request = self.builder(method.clone(), url);
        if method == Method::GET {
            if !fields.is_empty() {
                request = request.query(fields);
            }
        } else {
            let body: serde_json::Map<String, Value> = fields
                .iter()
                .map(|(name, value)| ((*name).to_owned(), Value::from(*value)))
                .collect();
            request = request.json(&body);
        }
        Ok(request)
    }

    /// The URL of a filled `path` (made of `template`, named in the error).
    fn url(&self, template: &str, path: &str) -> Result<Url, ErpError> {
        let separator = if path.starts_with('/') { "" } else { "/" };
        Url::parse(&format!("{}{separator}{path}", self.inner.base))
            .map_err(|error| ErpError::Configuracao(format!("caminho {template}: {error}")))
    }

    /// A request with the fixed headers: JSON wanted, and the ERP's credential.
    fn builder(&self, method: Method, url: Url) -> reqwest::RequestBuilder {
        let mut request = self.inner.http.request(method, url).header(ACCEPT, "application/json");
        if let Some((name, value)) = &self.inner.auth {
            request = request.header(name.clone(), value.clone());
        }
        request
    }
}

/// A path template with its `{field}` placeholders filled by the percent-encoded values; placeholders without a
/// field stay as they are.
pub(crate) fn fill(template: &str, fields: &[(&str, &str)]) -> String {
    let mut path = template.to_owned();
    for (name, value) in fields {
        path = path.replace(&format!("{{{name}}}"), &encode_segment(value));
    }
    path
}

/// The local date: only used to pick the fator de vencimento cycle when validating a linha digitável, where a
/// day either way cannot change the result.
fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// The documento as the ERP is asked for it: normalised when it is a valid CPF/CNPJ, else as given (trimmed),
/// so the ERP, not borda, says whether it knows it.
fn normalise_documento(documento: &str) -> String {
    crate::domain::documento::parse(documento).map_or_else(|_| documento.trim().to_owned(), |d| d.numero().to_owned())
}

/// Reads at most `limit` bytes of the body: the bytes, and whether that was the whole body.
async fn read_body(response: &mut reqwest::Response, limit: usize) -> Result<(Vec<u8>, bool), ErpError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|error| unavailable(&error))? {
        if body.len().saturating_add(chunk.len()) > limit {
            let fits = limit.saturating_sub(body.len());
            body.extend_from_slice(chunk.get(..fits).unwrap_or_default());
            return Ok((body, false));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, true))
}

/// A redirect answer as [`ErpError::Redirecionado`].
fn redirected(status: u16, headers: &HeaderMap) -> ErpError {
    ErpError::Redirecionado {
        status,
        destino: location(headers),
    }
}

/// Longest `Location` kept in a message.
const MAX_LOCATION: usize = 200;

/// The `Location` of a redirect, for messages: without query string and fragment (a query may carry the
/// customer's CPF/CNPJ or a token), cut at [`MAX_LOCATION`] characters; a placeholder when absent or unreadable.
fn location(headers: &HeaderMap) -> String {
    let Some(value) = headers.get(LOCATION) else {
        return "(sem Location)".to_owned();
    };
    let Ok(text) = value.to_str() else {
        return "(Location ilegível)".to_owned();
    };
    let sem_query = text.split(['?', '#']).next().unwrap_or_default().trim();
    if sem_query.is_empty() {
        return "(Location vazio)".to_owned();
    }
    sem_query.chars().take(MAX_LOCATION).collect()
}

/// A 2xx body as JSON.
fn parse_json(body: &[u8]) -> Result<Value, ErpError> {
    serde_json::from_slice(body).map_err(|error| ErpError::RespostaInvalida(format!("JSON inválido: {error}")))
}

/// An error body as text, cut at a character boundary within [`MAX_ERROR_BODY`] bytes.
fn truncated_text(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut end = text.len().min(MAX_ERROR_BODY);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default().to_owned()
}

/// A transport failure as [`ErpError::Indisponivel`], without the URL (its query holds the customer's documento).
fn unavailable(error: &reqwest::Error) -> ErpError {
    ErpError::Indisponivel(transport_reason(error))
}

/// What went wrong on the way, in a few words and without the URL.
pub(crate) fn transport_reason(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "tempo de resposta esgotado".to_owned()
    } else if error.is_connect() {
        format!("sem conexão: {}", root_cause(error))
    } else {
        format!("falha de comunicação: {}", root_cause(error))
    }
}

/// The innermost cause of a reqwest error ("Connection refused (os error 111)"), which says more than reqwest's
/// own "error sending request for url (…)" and, unlike it, never contains the URL.
pub(crate) fn root_cause(error: &reqwest::Error) -> String {
    let Some(mut cause) = std::error::Error::source(error) else {
        return "erro sem detalhes".to_owned();
    };
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

/// A transport failure in a few words for a technician: "tempo de resposta esgotado", or the innermost cause without
/// the OS error number ("Connection refused").
fn motivo_curto(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "tempo de resposta esgotado".to_owned();
    }
    let causa = root_cause(error);
    match causa.find(" (os error ") {
        Some(at) => causa.get(..at).unwrap_or_default().to_owned(),
        None => causa,
    }
}

/// The HTTP `Date` of an answer (RFC 9110 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`), when readable.
fn data_http(headers: &HeaderMap) -> Option<DateTime<Utc>> {
    let texto = headers.get(DATE)?.to_str().ok()?;
    DateTime::parse_from_rfc2822(texto.trim())
        .ok()
        .map(|data| data.with_timezone(&Utc))
}

/// An id that goes into a URL path: one that is empty or only dots would name another resource (`..` climbs a
/// level even percent-encoded, per the URL standard), so it cannot name an existing one.
fn path_id(id: &str) -> Result<&str, ErpError> {
    let id = id.trim();
    if id.chars().all(|c| c == '.') {
        Err(ErpError::NaoEncontrado)
    } else {
        Ok(id)
    }
}

/// Percent-encodes a value for one path segment: everything but RFC 3986 unreserved characters.
fn encode_segment(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_asks_for_a_valid_cpf_of_no_demo_customer() {
        let cpf = crate::domain::documento::parse(CPF_VERIFICACAO).unwrap();
        assert_eq!(cpf.numero(), CPF_VERIFICACAO);
        assert!(
            crate::demo::CLIENTES_DEMO
                .iter()
                .all(|(documento, _)| *documento != CPF_VERIFICACAO)
        );
    }

    #[test]
    fn the_http_date_is_read_when_well_formed() {
        let mut headers = HeaderMap::new();
        assert_eq!(data_http(&headers), None);
        headers.insert(DATE, HeaderValue::from_static("Fri, 20 Nov 2026 12:00:30 GMT"));
        assert_eq!(
            data_http(&headers),
            Some(
                DateTime::parse_from_rfc3339("2026-11-20T12:00:30Z")
                    .unwrap()
                    .with_timezone(&Utc)
            )
        );
        headers.insert(DATE, HeaderValue::from_static("ontem"));
        assert_eq!(data_http(&headers), None);
    }

    #[test]
    fn encode_segment_escapes_all_but_unreserved() {
        assert_eq!(encode_segment("A-7781_x.y~z"), "A-7781_x.y~z");
        assert_eq!(encode_segment("a/b c?d#é"), "a%2Fb%20c%3Fd%23%C3%A9");
    }

    #[test]
    fn ids_that_would_change_the_path_do_not_exist() {
        for id in ["", " ", ".", "..", "..."] {
            assert!(matches!(path_id(id), Err(ErpError::NaoEncontrado)), "{id:?}");
        }
        assert_eq!(path_id(" A-1 ").unwrap(), "A-1");
        assert_eq!(path_id("1.2").unwrap(), "1.2");
    }

    #[test]
    fn truncated_text_keeps_whole_characters() {
        let long = "é".repeat(MAX_ERROR_BODY);
        let cut = truncated_text(long.as_bytes());
        assert!(cut.len() <= MAX_ERROR_BODY);
        assert!(cut.chars().all(|c| c == 'é'));
        assert_eq!(truncated_text(b"erro"), "erro");
    }

    #[test]
    fn only_unreachable_5xx_and_429_count_as_unavailable() {
        assert!(ErpError::Indisponivel("x".into()).is_unavailable());
        let status = |status: u16| ErpError::Status {
            status,
            corpo: String::new(),
        };
        for unavailable in [429, 500, 502, 503, 504] {
            assert!(status(unavailable).is_unavailable(), "{unavailable}");
        }
        for there in [400, 401, 403, 404, 408, 409, 422] {
            assert!(!status(there).is_unavailable(), "{there}");
        }
        for redirect in [301, 302, 303, 307, 308] {
            let error = ErpError::Redirecionado {
                status: redirect,
                destino: "https://outro/".into(),
            };
            assert!(!error.is_unavailable(), "{redirect}");
        }
        assert!(!ErpError::NaoEncontrado.is_unavailable());
        assert!(!ErpError::RespostaInvalida("x".into()).is_unavailable());
        assert!(!ErpError::Configuracao("x".into()).is_unavailable());
        assert!(!ErpError::NaoSuportado("chamado").is_unavailable());
    }

    #[test]
    fn location_without_query_or_fragment() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(LOCATION, HeaderValue::from_static(value));
            location(&headers)
        };
        assert_eq!(
            with("https://erp.example/api/v2/faturas?document=52998224725&x=1"),
            "https://erp.example/api/v2/faturas"
        );
        assert_eq!(with("/login#cpf=52998224725"), "/login");
        assert_eq!(with("?cpf=52998224725"), "(Location vazio)");
        assert_eq!(location(&HeaderMap::new()), "(sem Location)");
        assert_eq!(with(Box::leak("a".repeat(500).into_boxed_str())).len(), MAX_LOCATION);
    }

    #[test]
    fn documento_normalised_or_as_given() {
        assert_eq!(normalise_documento("529.982.247-25"), "52998224725");
        assert_eq!(normalise_documento("12.abc.345/01de-35"), "12ABC34501DE35");
        assert_eq!(normalise_documento(" 123 "), "123");
    }

    #[test]
    fn the_secret_is_not_in_debug_output() {
        let toml = "[erp]\nbase_url = \"http://127.0.0.1:1\"\nauth_value = \"Bearer segredo-do-provedor\"\n";
        let config = crate::config::Config::parse(toml, std::path::Path::new("borda.toml")).unwrap();
        let client = ErpClient::new(&config.erp).unwrap();
        assert!(!format!("{client:?}").contains("segredo-do-provedor"));
    }
}
