//! `/v1/limite-credito…`: the PDV's credit-limit lookup in the retaguarda's own contract (TOTVS PDV Omni, "limite de
//! crédito" v3), so that a PDV only changes the URL it calls, and the local ledger of credit used.
//!
//! The lookup always answers the contract's envelope: business outcomes (customer not found, no data offline, an
//! invalid document) are HTTP 200 with `success: false` and a Portuguese `message`, as the retaguarda answers; a
//! missing `cpfCnpj` header or ids is 400, and an internal failure 500, with the same envelope. The ledger is borda's
//! own API and answers problem+json like the rest of it.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::memoria::{Chave, json, responder};
use super::problem::Problem;
use super::{ApiJson, AppState, checked_id};
use crate::adapters::store::{ConsumoRegistrado, NovoConsumo, RegistroConsumo};
use crate::domain::credito::{ChaveLimite, Resposta};
use crate::domain::money::Centavos;
use crate::service::ServiceError;

/// The lookup's ids, as query parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IdsLimite {
    /// The tenant (PDV Omni's `IdInquilino`).
    #[serde(rename = "IdInquilino")]
    #[param(rename = "IdInquilino")]
    id_inquilino: Option<String>,
    /// The store in the retaguarda.
    #[serde(rename = "IdRetaguardaLoja")]
    #[param(rename = "IdRetaguardaLoja")]
    id_retaguarda_loja: Option<String>,
}

/// The customer's credit limit (ids as query parameters).
#[utoipa::path(get, path = "/v1/limite-credito", tag = "pdv",
    params(IdsLimite,
        ("cpfCnpj" = String, Header, description = "the customer's CPF or CNPJ"),
        ("limitePagamentoForma" = Option<bool>, Header, description = "split by payment form (also read as limitePgamentoForma)")),
    responses((status = 200, content_type = "application/json", description = "the contract's envelope; `success: false` for a business refusal"),
        (status = 400, content_type = "application/json", description = "the envelope: cpfCnpj or an id missing")))]
pub async fn consultar_query(
    State(state): State<AppState>,
    Query(ids): Query<IdsLimite>,
    headers: HeaderMap,
) -> Response {
    consultar(&state, ids.id_inquilino, ids.id_retaguarda_loja, &headers).await
}

/// The customer's credit limit (ids in the path).
#[utoipa::path(get, path = "/v1/limite-credito/{IdInquilino}/{IdRetaguardaLoja}", tag = "pdv",
    params(("IdInquilino" = String, Path), ("IdRetaguardaLoja" = String, Path),
        ("cpfCnpj" = String, Header, description = "the customer's CPF or CNPJ"),
        ("limitePagamentoForma" = Option<bool>, Header, description = "split by payment form (also read as limitePgamentoForma)")),
    responses((status = 200, content_type = "application/json", description = "the contract's envelope; `success: false` for a business refusal"),
        (status = 400, content_type = "application/json", description = "the envelope: cpfCnpj missing")))]
pub async fn consultar_path(
    State(state): State<AppState>,
    Path((inquilino, loja)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    consultar(&state, Some(inquilino), Some(loja), &headers).await
}

/// An envelope with `success: false` and its HTTP status: how every refusal of the lookup leaves.
struct Recusa(StatusCode, Box<Resposta>);

impl Recusa {
    fn new(status: StatusCode, message: impl Into<String>) -> Recusa {
        Recusa(status, Box::new(Resposta::falha(message)))
    }

    fn pedido_invalido(message: impl Into<String>) -> Recusa {
        Recusa::new(StatusCode::BAD_REQUEST, message)
    }
}

impl From<Problem> for Recusa {
    fn from(problem: Problem) -> Recusa {
        Recusa::new(
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            problem.detail,
        )
    }
}

impl From<ServiceError> for Recusa {
    fn from(error: ServiceError) -> Recusa {
        Problem::from(error).into()
    }
}

impl IntoResponse for Recusa {
    fn into_response(self) -> Response {
        (self.0, Json(self.1.para_json())).into_response()
    }
}

async fn consultar(state: &AppState, inquilino: Option<String>, loja: Option<String>, headers: &HeaderMap) -> Response {
    match consultar_ou_recusar(state, inquilino, loja, headers).await {
        Ok(response) => response,
        Err(recusa) => recusa.into_response(),
    }
}

async fn consultar_ou_recusar(
    state: &AppState,
    inquilino: Option<String>,
    loja: Option<String>,
    headers: &HeaderMap,
) -> Result<Response, Recusa> {
    let Some(credito) = &state.credito else {
        return Err(Recusa::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Consulta de limite de crédito não configurada neste borda (seção [retaguarda]).",
        ));
    };
    let id = |nome: &str, valor: Option<String>| -> Result<String, Recusa> {
        let valor = valor.unwrap_or_default();
        let valor = checked_id(nome, &valor).map_err(Recusa::from)?.trim();
        if valor.is_empty() {
            return Err(Recusa::pedido_invalido(format!("Informe {nome}.")));
        }
        Ok(valor.to_owned())
    };
    let inquilino = id("IdInquilino", inquilino)?;
    let loja = id("IdRetaguardaLoja", loja)?;
    let cpf_cnpj = headers
        .get("cpfcnpj")
        .ok_or_else(|| Recusa::pedido_invalido("Informe o cabeçalho cpfCnpj com o CPF ou CNPJ do cliente."))?
        .to_str()
        .map_err(|_| Recusa::pedido_invalido("O cabeçalho cpfCnpj tem caracteres inválidos."))?
        .trim()
        .to_owned();
    let documento = match crate::domain::documento::parse(&cpf_cnpj) {
        Ok(documento) => documento.numero().to_owned(),
        // The retaguarda answers a document it cannot use with success: false, and so does borda, without asking it.
        Err(error) => {
            return Err(Recusa::new(StatusCode::OK, format!("CPF/CNPJ inválido: {error}")));
        }
    };
    let por_forma = por_forma(headers)?;
    let chave = ChaveLimite {
        inquilino,
        loja,
        documento,
        por_forma,
    };
    responder(
        state,
        Chave::Limite(chave.clone()),
        |consultado_em| credito.servir_copia(consultado_em, Utc::now()),
        || credito.consultar(&chave, &cpf_cnpj),
        |answer| json(&answer.valor.para_json()),
    )
    .await
}

/// `limitePagamentoForma` (or the contract document's own misspelling `limitePgamentoForma`): `true` or `false`,
/// false when absent.
fn por_forma(headers: &HeaderMap) -> Result<bool, Recusa> {
    let Some(valor) = headers
        .get("limitepagamentoforma")
        .or_else(|| headers.get("limitepgamentoforma"))
    else {
        return Ok(false);
    };
    match valor.to_str().map(|texto| texto.trim().to_ascii_lowercase()).as_deref() {
        Ok("true") => Ok(true),
        Ok("false" | "") => Ok(false),
        _ => Err(Recusa::pedido_invalido("limitePagamentoForma deve ser true ou false.")),
    }
}

/// Body of `POST /v1/limite-credito/consumos`: credit the PDV used in one sale.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsumoRequest {
    #[serde(rename = "IdInquilino")]
    id_inquilino: String,
    #[serde(rename = "IdRetaguardaLoja")]
    id_retaguarda_loja: String,
    /// The customer's CPF or CNPJ.
    #[serde(rename = "cpfCnpj")]
    cpf_cnpj: String,
    /// The credit used: a decimal string or a JSON number, at most two decimals.
    #[schema(value_type = String, example = "150.50")]
    valor: Value,
    /// The payment form it was used on (`BL`, `CH`…), when the limit is split by form.
    #[serde(rename = "idRetaguardaPagamentoForma", default)]
    id_retaguarda_pagamento_forma: Option<String>,
    /// The sale: recording it again is a no-op.
    id_venda: String,
}

/// A consumption in the ledger.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsumoView {
    id_venda: String,
    #[serde(rename = "IdInquilino")]
    id_inquilino: String,
    #[serde(rename = "IdRetaguardaLoja")]
    id_retaguarda_loja: String,
    /// Normalised.
    #[serde(rename = "cpfCnpj")]
    cpf_cnpj: String,
    #[schema(value_type = String, example = "150.50")]
    valor: Centavos,
    #[serde(rename = "idRetaguardaPagamentoForma")]
    id_retaguarda_pagamento_forma: Option<String>,
    registrado_em: DateTime<Utc>,
    /// Set once the sale is cancelled: the credit no longer counts.
    cancelado_em: Option<DateTime<Utc>>,
}

impl From<ConsumoRegistrado> for ConsumoView {
    fn from(registrado: ConsumoRegistrado) -> Self {
        let consumo = registrado.consumo;
        ConsumoView {
            id_venda: consumo.id_venda,
            id_inquilino: consumo.inquilino,
            id_retaguarda_loja: consumo.loja,
            cpf_cnpj: consumo.documento,
            valor: consumo.valor,
            id_retaguarda_pagamento_forma: consumo.forma,
            registrado_em: registrado.registrado_em,
            cancelado_em: registrado.cancelado_em,
        }
    }
}

/// Records credit the PDV used, durably, before answering: 201 the first time, 200 with the same consumption when the
/// sale is recorded again with the same body, 409 when with another.
#[utoipa::path(post, path = "/v1/limite-credito/consumos", tag = "pdv", request_body = ConsumoRequest,
    responses((status = 201, body = ConsumoView), (status = 200, body = ConsumoView, description = "already recorded"),
        (status = 409, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
pub async fn registrar_consumo(
    State(state): State<AppState>,
    ApiJson(pedido): ApiJson<ConsumoRequest>,
) -> Result<Response, Problem> {
    let credito = state.credito.as_ref().ok_or_else(nao_configurado)?;
    let campo = |nome: &str, valor: &str| -> Result<String, Problem> {
        let valor = checked_id(nome, valor)?.trim();
        if valor.is_empty() {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "campo_obrigatorio",
                format!("Informe {nome}."),
            ));
        }
        Ok(valor.to_owned())
    };
    let documento = crate::domain::documento::parse(&pedido.cpf_cnpj).map_err(|error| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "documento_invalido",
            format!("cpfCnpj: {error}"),
        )
    })?;
    let valor = Centavos::from_json(&pedido.valor)
        .ok()
        .filter(|valor| valor.get() > 0)
        .ok_or_else(|| {
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "valor_invalido",
                "valor: informe um valor maior que zero, com até duas casas decimais (ex.: 150.50).",
            )
        })?;
    let forma = pedido
        .id_retaguarda_pagamento_forma
        .as_deref()
        .map(|forma| campo("idRetaguardaPagamentoForma", forma))
        .transpose()?;
    let consumo = NovoConsumo {
        id_venda: campo("id_venda", &pedido.id_venda)?,
        inquilino: campo("IdInquilino", &pedido.id_inquilino)?,
        loja: campo("IdRetaguardaLoja", &pedido.id_retaguarda_loja)?,
        documento: documento.numero().to_owned(),
        valor,
        forma,
    };
    let canonico = serde_json::json!({
        "IdInquilino": consumo.inquilino, "IdRetaguardaLoja": consumo.loja, "cpfCnpj": consumo.documento,
        "valor": consumo.valor, "idRetaguardaPagamentoForma": consumo.forma, "id_venda": consumo.id_venda,
    })
    .to_string();
    match credito.registrar_consumo(consumo, canonico).await? {
        RegistroConsumo::Novo(registrado) => {
            Ok((StatusCode::CREATED, Json(ConsumoView::from(registrado))).into_response())
        }
        RegistroConsumo::Repetido(registrado) => {
            Ok((StatusCode::OK, Json(ConsumoView::from(registrado))).into_response())
        }
        RegistroConsumo::OutroPedido(_) => Err(Problem::new(
            StatusCode::CONFLICT,
            "id_venda_em_uso",
            "Esta venda (id_venda) já foi registrada com outros dados.",
        )),
    }
}

/// Cancels the credit of a sale (the sale was cancelled): it stops counting offline. 404 when there is no such sale.
#[utoipa::path(delete, path = "/v1/limite-credito/consumos/{id_venda}", tag = "pdv",
    params(("id_venda" = String, Path)),
    responses((status = 200, body = ConsumoView), (status = 404, body = Problem), (status = 503, body = Problem)))]
pub async fn cancelar_consumo(
    State(state): State<AppState>,
    Path(id_venda): Path<String>,
) -> Result<Json<ConsumoView>, Problem> {
    let credito = state.credito.as_ref().ok_or_else(nao_configurado)?;
    let id_venda = checked_id("id_venda", &id_venda)?.trim();
    match credito.cancelar_consumo(id_venda).await? {
        Some(registrado) => Ok(Json(ConsumoView::from(registrado))),
        None => Err(Problem::not_found("Venda não registrada neste PDV.")),
    }
}

fn nao_configurado() -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "limite_credito_nao_configurado",
        "Consulta de limite de crédito não configurada neste borda (seção [retaguarda]).",
    )
}
