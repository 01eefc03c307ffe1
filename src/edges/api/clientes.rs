//! `/v1/clientes/{documento}…`: the customer, her open faturas, her
//! contracts, and the provisional unblock.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::memoria::{Chave, do_totem, json, responder};
use super::problem::Problem;
use super::{ApiJson, AppState, checked_id, documento};
use crate::edges::views::{ClienteBody, ContratoView, FaturaView, FaturasBody, Freshness};
use crate::service::ServiceError;

impl From<ServiceError> for Problem {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Unavailable => Problem::upstream_unavailable(),
            ServiceError::Erp(error) => error.into(),
            ServiceError::Store(error) => error.into(),
        }
    }
}

/// A customer by CPF/CNPJ.
#[utoipa::path(get, path = "/v1/clientes/{documento}", tag = "totem",
    params(("documento" = String, Path, description = "CPF or CNPJ, punctuation allowed")),
    responses((status = 200, body = ClienteBody), (status = 404, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
pub async fn cliente(State(state): State<AppState>, Path(documento_text): Path<String>) -> Result<Response, Problem> {
    let documento = documento(&documento_text)?;
    let chave = Chave::Cliente(documento.clone());
    responder(
        &state,
        chave,
        do_totem(&state),
        || state.totem.cliente(&documento),
        |answer| json(&ClienteBody::from(answer)),
    )
    .await
}

/// `?contrato=` filter of the faturas list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FaturasQuery {
    /// Only the faturas of this contract.
    contrato: Option<String>,
}

/// The customer's open faturas.
#[utoipa::path(get, path = "/v1/clientes/{documento}/faturas", tag = "totem",
    params(("documento" = String, Path, description = "CPF or CNPJ"), FaturasQuery),
    responses((status = 200, body = FaturasBody), (status = 422, body = Problem), (status = 503, body = Problem)))]
pub async fn faturas(
    State(state): State<AppState>,
    Path(documento_text): Path<String>,
    Query(query): Query<FaturasQuery>,
) -> Result<Response, Problem> {
    let documento = documento(&documento_text)?;
    let contrato = query
        .contrato
        .as_deref()
        .map(|contrato| checked_id("contrato", contrato))
        .transpose()?
        .map(str::trim)
        .filter(|contrato| !contrato.is_empty());
    let chave = Chave::Faturas {
        documento: documento.clone(),
        contrato: contrato.map(str::to_owned),
    };
    responder(
        &state,
        chave,
        do_totem(&state),
        || state.totem.faturas(&documento, contrato),
        |answer| {
            json(&FaturasBody {
                faturas: answer.valor.iter().map(FaturaView::from).collect(),
                freshness: Freshness::from(answer),
            })
        },
    )
    .await
}

/// The customer's contracts (installations).
#[utoipa::path(get, path = "/v1/clientes/{documento}/contratos", tag = "totem",
    params(("documento" = String, Path, description = "CPF or CNPJ")),
    responses((status = 200, body = Vec<ContratoView>), (status = 422, body = Problem), (status = 503, body = Problem)))]
pub async fn contratos(State(state): State<AppState>, Path(documento_text): Path<String>) -> Result<Response, Problem> {
    let documento = documento(&documento_text)?;
    responder(
        &state,
        Chave::Contratos(documento.clone()),
        do_totem(&state),
        || state.totem.contratos(&documento),
        |answer| json(&answer.valor.iter().map(ContratoView::from).collect::<Vec<_>>()),
    )
    .await
}

/// Body of `POST …/desbloqueio`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DesbloqueioRequest {
    /// The service (installation) to unblock.
    id_servico: String,
}

/// The ERP's answer to a provisional unblock.
#[derive(Debug, Serialize, ToSchema)]
pub struct DesbloqueioResponse {
    /// Service status after the call, as the ERP writes it (e.g. `ativo`).
    status: String,
}

/// Provisional unblock ("desbloqueio de confiança"): online only.
#[utoipa::path(post, path = "/v1/clientes/{documento}/desbloqueio", tag = "totem",
    params(("documento" = String, Path, description = "CPF or CNPJ")),
    request_body = DesbloqueioRequest,
    responses((status = 200, body = DesbloqueioResponse), (status = 422, body = Problem), (status = 503, body = Problem)))]
pub async fn desbloqueio(
    State(state): State<AppState>,
    Path(documento_text): Path<String>,
    ApiJson(request): ApiJson<DesbloqueioRequest>,
) -> Result<Json<DesbloqueioResponse>, Problem> {
    let documento = documento(&documento_text)?;
    let id_servico = checked_id("id_servico", &request.id_servico)?.trim();
    if id_servico.is_empty() {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "id_servico_invalido",
            "Informe o serviço (id_servico).",
        ));
    }
    // Unblocking changes the ERP's state: it cannot be answered from a cache.
    if !state.totem.online() {
        return Err(Problem::upstream_unavailable());
    }
    let cliente = state.totem.cliente(&documento).await?.valor;
    let Some(id_cliente) = cliente.id else {
        return Err(Problem::not_found(
            "O sistema do provedor não informou o código deste cliente.",
        ));
    };
    let status = state.totem.desbloqueio(&id_cliente, id_servico).await?;
    Ok(Json(DesbloqueioResponse { status }))
}
