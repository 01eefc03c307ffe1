//! Printing: `POST /v1/impressoes` queues a job durably before answering 202; `GET /v1/impressoes/{id}` follows it;
//! `GET /v1/impressoras` shows each printer's status and queue (also in `/readyz`).
//!
//! A 202 means the job is committed to disk: it prints when its printer can, after a restart too. An
//! `Idempotency-Key` makes a retry safe: the same key and body answer the job queued the first time (header
//! `Idempotent-Replayed: true`), never a second print; another body under the key is 409 `idempotency_conflict`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Local, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::problem::Problem;
use super::{ApiJson, AppState, checked_id};
use crate::adapters::store::{Impressao, TipoImpressao};
use crate::domain::impressao::preview::{self, PreviewError};
use crate::domain::impressao::{Impresso, pdf_recibo};
use crate::service::impressao::{ImpressaoError, PedidoImpressao, SituacaoImpressora};

/// Longest `Idempotency-Key` accepted.
const MAX_KEY: usize = 200;

/// Body of `POST /v1/impressoes`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImpressaoRequest {
    /// `comprovante_pix`, `comprovante_tef`, `boleto` or `texto`.
    tipo: String,
    /// The fatura of a comprovante or boleto.
    fatura_id: Option<String>,
    /// The baixa of a comprovante.
    baixa_id: Option<String>,
    /// The text of `tipo = texto` (lines separated by `\n`).
    texto: Option<String>,
    /// The printer's `nome`; the first configured when absent.
    impressora: Option<String>,
}

/// A print job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImpressaoView {
    pub id: String,
    /// `na_fila`, `imprimindo`, `impressa` or `falhou`.
    pub status: &'static str,
    /// Why it waits or failed: `sem_papel`, `tampa_aberta`, `offline`, `envio_interrompido`.
    pub motivo: Option<String>,
    /// How many times it was sent.
    pub tentativas: u32,
    pub impressora: String,
    pub tipo: &'static str,
    pub fatura_id: Option<String>,
    pub baixa_id: Option<String>,
    /// Interrupted mid-send before: it prints (or printed) under a "REIMPRESSÃO" mark.
    pub reimpressao: bool,
    pub criada_em: String,
    pub impressa_em: Option<String>,
}

impl From<&Impressao> for ImpressaoView {
    fn from(impressao: &Impressao) -> Self {
        ImpressaoView {
            id: impressao.id.clone(),
            status: impressao.status.as_str(),
            motivo: impressao.motivo.clone(),
            tentativas: impressao.tentativas,
            impressora: impressao.impressora.clone(),
            tipo: impressao.tipo.as_str(),
            fatura_id: impressao.fatura_id.clone(),
            baixa_id: impressao.baixa_id.clone(),
            reimpressao: impressao.reimpressao,
            criada_em: local_instant(impressao.criada_em),
            impressa_em: impressao.impressa_em.map(local_instant),
        }
    }
}

/// A printer and what borda last learned of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImpressoraView {
    pub nome: String,
    pub conexao: String,
    pub modelo: String,
    /// `online` or `offline` (unreachable, or offline by its own status).
    pub status: &'static str,
    /// `ok`, `pouco` or `sem_papel` (the last known, while offline).
    pub papel: &'static str,
    pub tampa_aberta: bool,
    /// Jobs queued or printing.
    pub fila: u64,
    /// Why it could not be reached, when it could not.
    pub erro: Option<String>,
    /// When its status was last asked.
    pub verificada_em: Option<String>,
}

impl From<SituacaoImpressora> for ImpressoraView {
    fn from(situacao: SituacaoImpressora) -> Self {
        ImpressoraView {
            nome: situacao.nome,
            conexao: situacao.conexao,
            modelo: situacao.modelo,
            status: if situacao.online { "online" } else { "offline" },
            papel: situacao.papel.as_str(),
            tampa_aberta: situacao.tampa_aberta,
            fila: situacao.fila,
            erro: situacao.erro,
            verificada_em: situacao.verificada_em.map(local_instant),
        }
    }
}

fn local_instant(instant: DateTime<Utc>) -> String {
    instant
        .with_timezone(&Local)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

impl From<ImpressaoError> for Problem {
    fn from(error: ImpressaoError) -> Self {
        let detail = error.to_string();
        match error {
            ImpressaoError::Invalido(_) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "impressao_invalida", detail),
            ImpressaoError::ImpressoraDesconhecida(_) => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "impressora_desconhecida", detail)
            }
            ImpressaoError::SemImpressora => Problem::new(StatusCode::CONFLICT, "sem_impressora", detail),
            ImpressaoError::SemPerfil(_) | ImpressaoError::Codificacao(_) => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "impressao_impossivel", detail)
            }
            ImpressaoError::BaixaNaoEncontrada => Problem::not_found(detail),
            ImpressaoError::FormaDiferente => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "impressao_invalida", detail)
            }
            ImpressaoError::Servico(error) => error.into(),
            ImpressaoError::ChaveComOutroPedido => Problem::new(
                StatusCode::CONFLICT,
                "idempotency_conflict",
                "Esta Idempotency-Key já foi usada para outra impressão. Use uma chave nova para uma impressão nova.",
            ),
            ImpressaoError::Store(error) => error.into(),
        }
    }
}

/// The optional `Idempotency-Key`: absent is fine, present must be 1 to [`MAX_KEY`] visible characters.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    match value.to_str().map(str::trim) {
        Ok(key) if !key.is_empty() && key.len() <= MAX_KEY => Ok(Some(key.to_owned())),
        _ => Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "idempotency_key_invalida",
            format!("O cabeçalho Idempotency-Key deve ter de 1 a {MAX_KEY} caracteres visíveis."),
        )),
    }
}

fn pedido(request: ImpressaoRequest) -> Result<PedidoImpressao, Problem> {
    let tipo = TipoImpressao::parse(&request.tipo).ok_or_else(|| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "impressao_invalida",
            "tipo: use comprovante_pix, comprovante_tef, boleto ou texto.",
        )
    })?;
    for (campo, id) in [
        ("fatura_id", &request.fatura_id),
        ("baixa_id", &request.baixa_id),
        ("impressora", &request.impressora),
    ] {
        if let Some(id) = id {
            checked_id(campo, id)?;
        }
    }
    Ok(PedidoImpressao {
        tipo,
        fatura_id: request.fatura_id,
        baixa_id: request.baixa_id,
        texto: request.texto,
        impressora: request.impressora,
    })
}

/// Queues a print job; answers once it is on disk.
#[utoipa::path(post, path = "/v1/impressoes", tag = "impressao",
    params(("Idempotency-Key" = Option<String>, Header, description = "the same value on every retry of the same print: it never prints twice")),
    request_body = ImpressaoRequest,
    responses((status = 202, body = ImpressaoView, description = "queued durably; header Idempotent-Replayed on a replay"),
        (status = 400, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
        (status = 501, body = Problem, description = "this tipo is not printable in this version yet"),
        (status = 503, body = Problem), (status = 507, body = Problem)))]
pub async fn imprimir(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ImpressaoRequest>,
) -> Result<Response, Problem> {
    let chave = idempotency_key(&headers)?;
    let pedido = pedido(request)?;
    let registrada = state.totem.imprimir(pedido, chave).await?;
    let impressao = &registrada.impressao;
    let mut response = (StatusCode::ACCEPTED, Json(ImpressaoView::from(impressao))).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/v1/impressoes/{}", impressao.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    if registrada.repetida {
        response.headers_mut().insert(
            HeaderName::from_static("idempotent-replayed"),
            HeaderValue::from_static("true"),
        );
    }
    Ok(response)
}

/// One print job: where it is and why it waits.
#[utoipa::path(get, path = "/v1/impressoes/{id}", tag = "impressao", params(("id" = String, Path)),
    responses((status = 200, body = ImpressaoView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn impressao(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<ImpressaoView>, Problem> {
    checked_id("id da impressão", &id)?;
    let impressao = state
        .totem
        .impressao(&id)
        .await?
        .ok_or_else(|| Problem::not_found("Impressão não encontrada."))?;
    Ok(Json(ImpressaoView::from(&impressao)))
}

/// What the paper of job `id` shows, as a PNG at the printer's dots per line.
#[utoipa::path(get, path = "/v1/impressoes/{id}/preview.png", tag = "impressao", params(("id" = String, Path)),
    responses((status = 200, content_type = "image/png", description = "the receipt as the paper shows it"),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn preview_png(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let (impresso, pontos) = layout(&state, &id).await?;
    let png = super::render(&state, move || Ok(preview::preview_png(&impresso, pontos)?)).await?;
    Ok(super::binary("image/png", png))
}

/// The same receipt as a PDF page as wide as the paper.
#[utoipa::path(get, path = "/v1/impressoes/{id}/preview.pdf", tag = "impressao", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/pdf", description = "the receipt as a PDF"),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn preview_pdf(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let (impresso, pontos) = layout(&state, &id).await?;
    let pdf = super::render(&state, move || Ok(pdf_recibo::recibo_pdf(&impresso, pontos)?)).await?;
    Ok(super::binary("application/pdf", pdf))
}

/// The layout of job `id` and its printer's dots per line.
async fn layout(state: &AppState, id: &str) -> Result<(Impresso, u32), Problem> {
    checked_id("id da impressão", id)?;
    state
        .totem
        .layout_da_impressao(id)
        .await?
        .ok_or_else(|| Problem::not_found("Impressão não encontrada."))
}

impl From<PreviewError> for Problem {
    fn from(error: PreviewError) -> Self {
        match error {
            PreviewError::Codigo(error) => error.into(),
            other => {
                tracing::error!(error = %other, "receipt preview failed");
                Problem::internal()
            }
        }
    }
}

/// The configured printers: status, paper, cover and queue.
#[utoipa::path(get, path = "/v1/impressoras", tag = "impressao",
    responses((status = 200, body = Vec<ImpressoraView>), (status = 503, body = Problem)))]
pub async fn impressoras(State(state): State<AppState>) -> Result<Json<Vec<ImpressoraView>>, Problem> {
    let impressoras = state.totem.impressoras().await?;
    Ok(Json(impressoras.into_iter().map(ImpressoraView::from).collect()))
}
