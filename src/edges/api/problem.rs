//! RFC 9457 `application/problem+json` errors, the only error shape the API
//! answers with.
//!
//! `code` is a stable snake_case id that clients switch on; `detail` is
//! Portuguese text fit to show the customer at the kiosk. Every domain and
//! adapter error that can reach a handler converts into a [`Problem`] here,
//! in one place, so status codes stay consistent across endpoints.
//!
//! Request bodies follow one rule everywhere (`ApiJson` in the API module and
//! the fallback for errors raised outside our handlers alike):
//! - 415 `content_type_invalido`: the body is not declared `application/json`;
//! - 413 `corpo_grande_demais`: past `api.body_limit`;
//! - 408 `tempo_esgotado`: the body did not arrive within `api.body_timeout_secs`;
//! - 400 `json_malformado`: not JSON at all (a syntax error, a truncated body);
//! - 422 `json_invalido`: well-formed JSON of the wrong shape; `detail` names
//!   the field (`campo obrigatório `forma` ausente`, `campo desconhecido `foo``,
//!   `` `valor`: tipo inválido``).
//!
//! Every 503 carries `Retry-After` ([`Problem::retry_after`]).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::adapters::erp::ErpError;
use crate::adapters::store::StoreError;
use crate::domain::boleto::BoletoError;
use crate::domain::documento::DocumentoError;
use crate::domain::pdf::PdfError;
use crate::domain::pix::PixError;
use crate::domain::render::RenderError;

/// A problem detail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem type: `urn:borda:problem:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short English summary of the status.
    pub title: String,
    pub status: u16,
    /// Portuguese text fit to show a customer.
    pub detail: String,
    /// Stable snake_case id, e.g. `documento_invalido`.
    pub code: String,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Problem {
            kind: format!("urn:borda:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_owned(),
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::NOT_FOUND, "nao_encontrado", detail)
    }

    pub fn upstream_unavailable() -> Self {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "upstream_indisponivel",
            "O sistema do provedor está fora do ar no momento e não há dados guardados para esta consulta. Tente novamente em alguns minutos.",
        )
    }

    /// 501 `nao_suportado_pelo_erp`: the configured ERP does not offer the operation (or borda is not configured
    /// for it); nothing was sent.
    pub fn nao_suportado() -> Self {
        Problem::new(
            StatusCode::NOT_IMPLEMENTED,
            "nao_suportado_pelo_erp",
            "O sistema do provedor não oferece esta operação neste terminal.",
        )
    }

    pub fn internal() -> Self {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "erro_interno",
            "Ocorreu um erro inesperado. Procure um atendente.",
        )
    }

    /// Seconds a client should wait before trying a 503 again: the ERP's
    /// breaker probes every few seconds but an outage usually lasts longer;
    /// a local storage hiccup is retried sooner. `None` for other statuses.
    pub fn retry_after(&self) -> Option<u64> {
        let seconds = match self.code.as_str() {
            "upstream_indisponivel" => 30,
            _ => 5,
        };
        (self.status == StatusCode::SERVICE_UNAVAILABLE.as_u16()).then_some(seconds)
    }

    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let retry_after = self.retry_after();
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<DocumentoError> for Problem {
    fn from(error: DocumentoError) -> Self {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "documento_invalido",
            error.to_string(),
        )
    }
}

impl From<BoletoError> for Problem {
    fn from(error: BoletoError) -> Self {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "linha_digitavel_invalida",
            error.to_string(),
        )
    }
}

impl From<PixError> for Problem {
    fn from(error: PixError) -> Self {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "pix_invalido", error.to_string())
    }
}

impl From<RenderError> for Problem {
    fn from(error: RenderError) -> Self {
        match error {
            RenderError::Imagem(detail) => {
                tracing::error!(%detail, "image encoding failed");
                Problem::internal()
            }
            other => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, other.code(), other.to_string()),
        }
    }
}

impl From<StoreError> for Problem {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Cheio => Problem::new(
                StatusCode::INSUFFICIENT_STORAGE,
                "armazenamento_cheio",
                "O disco deste terminal está cheio. Procure um atendente.",
            ),
            other => {
                tracing::error!(error = %other, "store failed");
                Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "armazenamento_indisponivel",
                    "O armazenamento local deste terminal falhou. Procure um atendente.",
                )
            }
        }
    }
}

impl From<ErpError> for Problem {
    fn from(error: ErpError) -> Self {
        match error {
            ErpError::NaoEncontrado => Problem::not_found("Não encontrado no sistema do provedor."),
            ErpError::NaoSuportado(caminho) => {
                tracing::info!(caminho, "operation not offered by the configured ERP (erp.paths empty)");
                Problem::nao_suportado()
            }
            error if error.is_unavailable() => Problem::upstream_unavailable(),
            error => {
                tracing::warn!(%error, "ERP answered with an error");
                Problem::new(
                    StatusCode::BAD_GATEWAY,
                    "upstream_erro",
                    "O sistema do provedor respondeu com um erro. Tente novamente ou procure um atendente.",
                )
            }
        }
    }
}

impl From<PdfError> for Problem {
    fn from(error: PdfError) -> Self {
        match error {
            PdfError::Render(detail) => {
                tracing::error!(%detail, "PDF rendering failed");
                Problem::internal()
            }
            PdfError::SemLinhaDigitavel => Problem::not_found(error.to_string()),
            other => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, other.code(), other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_507_and_other_store_failures_503() {
        let full = Problem::from(StoreError::Cheio);
        assert_eq!((full.status, full.code.as_str()), (507, "armazenamento_cheio"));
        assert!(full.detail.contains("disco"), "{}", full.detail);
        let gone = Problem::from(StoreError::Encerrado);
        assert_eq!((gone.status, gone.code.as_str()), (503, "armazenamento_indisponivel"));
    }

    #[test]
    fn an_operation_the_erp_does_not_offer_is_501() {
        let problem = Problem::from(ErpError::NaoSuportado("servicos"));
        assert_eq!((problem.status, problem.code.as_str()), (501, "nao_suportado_pelo_erp"));
        assert_eq!(problem.retry_after(), None);
        assert!(
            !problem.detail.contains("servicos"),
            "no configuration key for the customer"
        );
    }

    #[test]
    fn every_503_carries_retry_after() {
        let upstream = Problem::upstream_unavailable().into_response();
        assert_eq!(upstream.headers()[header::RETRY_AFTER], "30");
        let storage = Problem::from(StoreError::Encerrado).into_response();
        assert_eq!(storage.headers()[header::RETRY_AFTER], "5");
        let other = Problem::new(StatusCode::SERVICE_UNAVAILABLE, "qualquer", "x").into_response();
        assert!(other.headers().contains_key(header::RETRY_AFTER));
        let not_found = Problem::not_found("x").into_response();
        assert!(!not_found.headers().contains_key(header::RETRY_AFTER));
    }
}
