//! Stateless format endpoints: boletos, PIX decode/encode and QR images.
//! They touch neither the ERP nor the store.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::problem::Problem;
use super::{ApiJson, AppState, binary, render};
use crate::domain::money::Centavos;
use crate::domain::render::{Itf, Qr};
use crate::domain::{boleto, pix};
use crate::edges::views::{BoletoInfo, BrCodeInfo};

fn decode_boleto(codigo: &str) -> Result<boleto::Boleto, Problem> {
    Ok(boleto::decode(codigo, chrono::Local::now().date_naive())?)
}

/// Decodes and validates a linha digitável (47/48 digits) or a barcode (44).
#[utoipa::path(get, path = "/v1/boletos/{codigo}", tag = "formatos",
    params(("codigo" = String, Path, description = "linha digitável or barcode; dots, spaces and dashes allowed")),
    responses((status = 200, body = BoletoInfo), (status = 422, body = Problem)))]
pub async fn boleto(Path(codigo): Path<String>) -> Result<Json<BoletoInfo>, Problem> {
    Ok(Json(BoletoInfo::from(&decode_boleto(&codigo)?)))
}

/// The ITF barcode of a boleto, as SVG.
#[utoipa::path(get, path = "/v1/boletos/{codigo}/codigo-de-barras.svg", tag = "formatos",
    params(("codigo" = String, Path)), responses((status = 200, content_type = "image/svg+xml"), (status = 422, body = Problem)))]
pub async fn boleto_svg(State(state): State<AppState>, Path(codigo): Path<String>) -> Result<Response, Problem> {
    let barras = decode_boleto(&codigo)?.codigo_barras;
    let svg = render(&state, move || Ok(Itf::encode(&barras)?.svg())).await?;
    Ok(binary("image/svg+xml", svg.into_bytes()))
}

/// The ITF barcode of a boleto, as PNG (203 dpi).
#[utoipa::path(get, path = "/v1/boletos/{codigo}/codigo-de-barras.png", tag = "formatos",
    params(("codigo" = String, Path)), responses((status = 200, content_type = "image/png"), (status = 422, body = Problem)))]
pub async fn boleto_png(State(state): State<AppState>, Path(codigo): Path<String>) -> Result<Response, Problem> {
    let barras = decode_boleto(&codigo)?.codigo_barras;
    let png = render(&state, move || Ok(Itf::encode(&barras)?.png()?)).await?;
    Ok(binary("image/png", png))
}

/// A PIX payload, in a body or a query.
#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PayloadRequest {
    /// The BR Code (PIX copia e cola).
    payload: String,
}

/// Decodes and validates a PIX BR Code.
#[utoipa::path(post, path = "/v1/pix/decode", tag = "formatos", request_body = PayloadRequest,
    responses((status = 200, body = BrCodeInfo), (status = 422, body = Problem)))]
pub async fn pix_decode(ApiJson(request): ApiJson<PayloadRequest>) -> Result<Json<BrCodeInfo>, Problem> {
    let code = pix::decode(request.payload.trim())?;
    Ok(Json(BrCodeInfo::from(&code)))
}

/// What a static PIX code carries.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EncodeRequest {
    chave: String,
    nome: String,
    cidade: String,
    /// Decimal string (`"10.50"`, `"10,50"`, `"1.234,56"`) or JSON number (`10.5`), read from its text: at most two
    /// decimals, no sign, no exponent. Omit (or send `null`) to let the payer type it.
    #[schema(value_type = Option<String>)]
    valor: Option<Value>,
    txid: Option<String>,
    descricao: Option<String>,
}

/// A generated PIX payload.
#[derive(Debug, Serialize, ToSchema)]
pub struct EncodeResponse {
    payload: String,
}

/// Builds a static PIX BR Code.
#[utoipa::path(post, path = "/v1/pix/encode", tag = "formatos", request_body = EncodeRequest,
    responses((status = 200, body = EncodeResponse), (status = 422, body = Problem)))]
pub async fn pix_encode(ApiJson(request): ApiJson<EncodeRequest>) -> Result<Json<EncodeResponse>, Problem> {
    let valor = request
        .valor
        .as_ref()
        .map(Centavos::from_json)
        .transpose()
        .map_err(|error| {
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "valor_invalido",
                format!("valor: {error}"),
            )
        })?;
    let cobranca = pix::CobrancaEstatica {
        chave: request.chave,
        nome: request.nome,
        cidade: request.cidade,
        valor,
        txid: request.txid,
        descricao: request.descricao,
    };
    Ok(Json(EncodeResponse {
        payload: pix::encode(&cobranca)?,
    }))
}

fn valid_qr(payload: &str) -> Result<Qr, Problem> {
    // A QR no bank app accepts must never reach a screen or paper.
    pix::decode(payload.trim())?;
    Ok(Qr::encode(payload.trim())?)
}

/// The QR of a PIX payload, as SVG.
#[utoipa::path(get, path = "/v1/pix/qr.svg", tag = "formatos", params(PayloadRequest),
    responses((status = 200, content_type = "image/svg+xml"), (status = 422, body = Problem)))]
pub async fn pix_qr_svg(
    State(state): State<AppState>,
    Query(query): Query<PayloadRequest>,
) -> Result<Response, Problem> {
    let svg = render(&state, move || Ok(valid_qr(&query.payload)?.svg())).await?;
    Ok(binary("image/svg+xml", svg.into_bytes()))
}

/// The QR of a PIX payload, as PNG.
#[utoipa::path(get, path = "/v1/pix/qr.png", tag = "formatos", params(PayloadRequest),
    responses((status = 200, content_type = "image/png"), (status = 422, body = Problem)))]
pub async fn pix_qr_png(
    State(state): State<AppState>,
    Query(query): Query<PayloadRequest>,
) -> Result<Response, Problem> {
    let png = render(&state, move || Ok(valid_qr(&query.payload)?.png()?)).await?;
    Ok(binary("image/png", png))
}
