//! Baixas: `POST /v1/faturas/{id}/baixas` records a payment durably before
//! answering; the rest lets the kiosk and the technician see the outbox.
//!
//! A 202 here means the baixa is committed to disk (WAL, `synchronous=FULL`)
//! and the fatura will never again be offered as open; the ERP is told by
//! the sync worker, never by the handler.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::problem::Problem;
use super::{ApiJson, AppState};
use crate::adapters::store::Reenvio;
use crate::domain::baixa::{Baixa, PedidoBaixa, PedidoInvalido, StatusBaixa};
use crate::domain::money::Centavos;
use crate::edges::views::BaixaView;
use crate::service::pagamento::PagamentoError;

/// Longest `Idempotency-Key` accepted.
const MAX_KEY: usize = 200;

/// Body of `POST /v1/faturas/{id}/baixas`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BaixaRequest {
    /// `pix` or `tef`.
    forma: String,
    /// Amount paid, decimal string (`"99.90"`).
    #[schema(value_type = String, example = "99.90")]
    valor: Value,
    /// When the payment was made, RFC 3339 with offset.
    pago_em: String,
    transacao: TransacaoRequest,
}

/// The payment's data: `e2e_id` (and `txid`) for PIX; `nsu`, `autorizacao`, `bandeira` and the receipts for TEF.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransacaoRequest {
    e2e_id: Option<String>,
    txid: Option<String>,
    nsu: Option<String>,
    autorizacao: Option<String>,
    bandeira: Option<String>,
    /// The customer's copy of the TEF receipt, one string per line, printed verbatim later.
    comprovante_cliente: Option<Vec<String>>,
    /// The merchant's copy of the TEF receipt, one string per line.
    comprovante_estabelecimento: Option<Vec<String>>,
}

fn invalid(detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "baixa_invalida", detail)
}

impl From<PedidoInvalido> for Problem {
    fn from(error: PedidoInvalido) -> Self {
        invalid(error.to_string())
    }
}

/// The request as the domain reads it; only the amount is read here, from its JSON text.
fn pedido(request: BaixaRequest) -> Result<PedidoBaixa, Problem> {
    let valor = Centavos::from_json(&request.valor).map_err(|error| invalid(format!("valor: {error}")))?;
    let TransacaoRequest {
        e2e_id,
        txid,
        nsu,
        autorizacao,
        bandeira,
        comprovante_cliente,
        comprovante_estabelecimento,
    } = request.transacao;
    Ok(PedidoBaixa {
        forma: request.forma,
        valor,
        pago_em: request.pago_em,
        e2e_id,
        txid,
        nsu,
        autorizacao,
        bandeira,
        comprovante_cliente,
        comprovante_estabelecimento,
    })
}

fn idempotency_key(headers: &HeaderMap) -> Result<String, Problem> {
    // A value that is not visible ASCII reads as "" and is refused as invalid, not as missing.
    let key = headers
        .get("idempotency-key")
        .map(|value| value.to_str().unwrap_or_default().trim());
    match key {
        Some(key) if !key.is_empty() && key.len() <= MAX_KEY => Ok(key.to_owned()),
        Some(_) => Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "idempotency_key_invalida",
            format!("O cabeçalho Idempotency-Key deve ter de 1 a {MAX_KEY} caracteres visíveis."),
        )),
        None => Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "idempotency_key_ausente",
            "Informe o cabeçalho Idempotency-Key: o mesmo valor em cada nova tentativa do mesmo pagamento.",
        )),
    }
}

fn accepted(baixa: &Baixa, replayed: bool) -> Response {
    let location = HeaderValue::from_str(&format!("/v1/baixas/{}", baixa.id)).ok();
    let mut response = (StatusCode::ACCEPTED, Json(BaixaView::from(baixa))).into_response();
    if let Some(location) = location {
        response.headers_mut().insert(header::LOCATION, location);
    }
    if replayed {
        response.headers_mut().insert(
            HeaderName::from_static("idempotent-replayed"),
            HeaderValue::from_static("true"),
        );
    }
    response
}

impl From<PagamentoError> for Problem {
    fn from(error: PagamentoError) -> Self {
        match error {
            PagamentoError::Invalido(invalido) => invalido.into(),
            PagamentoError::ChaveComOutroPedido => Problem::new(
                StatusCode::CONFLICT,
                "idempotency_conflict",
                "Esta Idempotency-Key já foi usada para outro pagamento. Use uma chave nova para um pagamento novo.",
            ),
            PagamentoError::FaturaJaPaga(baixa_id) => Problem::new(
                StatusCode::CONFLICT,
                "fatura_ja_paga",
                format!("Esta fatura já tem um pagamento registrado neste terminal (baixa {baixa_id})."),
            ),
            PagamentoError::TransacaoJaUsada(baixa_id) => Problem::new(
                StatusCode::CONFLICT,
                "transacao_ja_usada",
                format!("Este pagamento já quitou outra fatura neste terminal (baixa {baixa_id})."),
            ),
            PagamentoError::Servico(error) => error.into(),
        }
    }
}

/// Records a payment of the fatura; answers only once it is on disk.
#[utoipa::path(post, path = "/v1/faturas/{id}/baixas", tag = "baixas",
    params(("id" = String, Path, description = "the ERP's id of the fatura"),
        ("Idempotency-Key" = String, Header, description = "the same value on every retry of the same payment")),
    request_body = BaixaRequest,
    responses((status = 202, body = BaixaView, description = "durably recorded; header Idempotent-Replayed on a replay"),
        (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem), (status = 503, body = Problem), (status = 507, body = Problem)))]
pub async fn registrar(
    State(state): State<AppState>,
    Path(fatura_id): Path<String>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<BaixaRequest>,
) -> Result<Response, Problem> {
    let chave = idempotency_key(&headers)?;
    let pedido = pedido(request)?;
    let registrada = state.totem.registrar_pagamento(&fatura_id, chave, pedido).await?;
    Ok(accepted(&registrada.baixa, registrada.repetida))
}

/// `?status=&antes=&limite=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `pendente`, `sincronizada` or `falhou`.
    status: Option<String>,
    /// The id of the last baixa of the previous page (`proximo`): lists those taken before it.
    antes: Option<String>,
    /// How many baixas at most (1 to 500; 100 when absent).
    limite: Option<String>,
}

/// One page of the baixas list, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct BaixasBody {
    baixas: Vec<BaixaView>,
    /// The `antes` of the next page; `null` on the last one.
    proximo: Option<String>,
}

/// Most baixas one page returns, and how many when the client does not say.
const MAX_LIMITE: usize = 500;
const LIMITE_PADRAO: usize = 100;

/// Baixas newest first, a page at a time, optionally of one status.
#[utoipa::path(get, path = "/v1/baixas", tag = "baixas", params(ListQuery),
    responses((status = 200, body = BaixasBody), (status = 422, body = Problem)))]
pub async fn listar(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Json<BaixasBody>, Problem> {
    let filled = |text: Option<String>| text.map(|text| text.trim().to_owned()).filter(|text| !text.is_empty());
    let status = match filled(query.status) {
        None => None,
        Some(text) => Some(StatusBaixa::parse(&text).ok_or_else(|| {
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "status_invalido",
                "status: use pendente, sincronizada ou falhou.",
            )
        })?),
    };
    let limite = match filled(query.limite) {
        None => LIMITE_PADRAO,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|limite| (1..=MAX_LIMITE).contains(limite))
            .ok_or_else(|| {
                Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "limite_invalido",
                    format!("limite: um número de 1 a {MAX_LIMITE}."),
                )
            })?,
    };
    let pagina = state.totem.baixas(status, filled(query.antes), limite).await?;
    Ok(Json(BaixasBody {
        baixas: pagina.baixas.iter().map(BaixaView::from).collect(),
        proximo: pagina.proximo,
    }))
}

/// One baixa: attempts, last error, timestamps.
#[utoipa::path(get, path = "/v1/baixas/{id}", tag = "baixas", params(("id" = String, Path)),
    responses((status = 200, body = BaixaView), (status = 404, body = Problem)))]
pub async fn detalhe(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<BaixaView>, Problem> {
    super::checked_id("id da baixa", &id)?;
    let baixa = state
        .totem
        .baixa(&id)
        .await?
        .ok_or_else(|| Problem::not_found("Baixa não encontrada."))?;
    Ok(Json(BaixaView::from(&baixa)))
}

/// Operator: send a baixa the ERP refused once more.
#[utoipa::path(post, path = "/v1/baixas/{id}/reenviar", tag = "baixas", params(("id" = String, Path)),
    responses((status = 202, body = BaixaView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn reenviar(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    super::checked_id("id da baixa", &id)?;
    match state.totem.reenviar_baixa(&id).await? {
        None => Err(Problem::not_found("Baixa não encontrada.")),
        Some(Reenvio::NaoFalhou(baixa)) => Err(Problem::new(
            StatusCode::CONFLICT,
            "baixa_nao_falhou",
            format!(
                "Só uma baixa recusada pode ser reenviada; esta está {}.",
                baixa.status().as_str()
            ),
        )),
        Some(Reenvio::Bloqueada(_)) => Err(Problem::new(
            StatusCode::CONFLICT,
            "fatura_ja_paga",
            "A fatura ou o pagamento desta baixa já está em outra baixa registrada; esta não será reenviada.",
        )),
        Some(Reenvio::Reenviada(baixa)) => Ok((StatusCode::ACCEPTED, Json(BaixaView::from(&baixa))).into_response()),
    }
}

/// The outbox counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncBody {
    pendentes: u64,
    falhas: u64,
}

/// Start draining the outbox now: every pending baixa becomes due.
#[utoipa::path(post, path = "/v1/sync", tag = "baixas", responses((status = 202, body = SyncBody)))]
pub async fn sync(State(state): State<AppState>) -> Result<(StatusCode, Json<SyncBody>), Problem> {
    let (pendentes, falhas) = state.totem.sincronizar_agora().await?;
    Ok((StatusCode::ACCEPTED, Json(SyncBody { pendentes, falhas })))
}
