//! The OpenAPI 3.1 description of the API, generated from the handlers'
//! annotations so it cannot drift from the code.

use axum::Json;
use utoipa::OpenApi;

use super::{baixas, clientes, faturas, formats, health, problem};
use crate::edges::views;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "borda",
        description = "Localhost API of the borda kiosk/PDV agent. Money is a decimal string with two places; errors are application/problem+json."
    ),
    paths(
        health::healthz,
        health::readyz,
        clientes::cliente,
        clientes::faturas,
        clientes::contratos,
        clientes::desbloqueio,
        faturas::fatura,
        faturas::boleto_pdf,
        faturas::codigo_de_barras_svg,
        faturas::codigo_de_barras_png,
        faturas::pix_svg,
        faturas::pix_png,
        formats::boleto,
        formats::boleto_svg,
        formats::boleto_png,
        formats::pix_decode,
        formats::pix_encode,
        formats::pix_qr_svg,
        formats::pix_qr_png,
        baixas::registrar,
        baixas::listar,
        baixas::detalhe,
        baixas::reenviar,
        baixas::sync,
    ),
    components(schemas(problem::Problem, views::BoletoInfo, views::BrCodeInfo, views::DocumentoInfo))
)]
struct ApiDoc;

/// `GET /v1/openapi.json`.
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
