//! `/v1/faturas/{id}…`: one fatura, its boleto PDF, its barcode and its PIX QR.

use axum::extract::{Path, State};
use axum::http::{HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::memoria::{Chave, do_totem, json, responder};
use super::problem::Problem;
use super::{AppState, binary, checked_id, freshness_headers, render};
use crate::domain::model::Fatura;
use crate::domain::render::{Itf, Qr};
use crate::edges::views::{FaturaBody, FaturaView, Freshness};

/// The name of the path id in errors.
const ID_FATURA: &str = "id da fatura";

/// One fatura by its ERP id.
#[utoipa::path(get, path = "/v1/faturas/{id}", tag = "totem",
    params(("id" = String, Path, description = "the ERP's id of the fatura")),
    responses((status = 200, body = FaturaBody), (status = 404, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
pub async fn fatura(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let id = checked_id(ID_FATURA, &id)?;
    responder(
        &state,
        Chave::Fatura(id.to_owned()),
        do_totem(&state),
        || state.totem.fatura(id),
        |answer| {
            json(&FaturaBody {
                fatura: FaturaView::from(&answer.valor),
                freshness: Freshness::from(answer),
            })
        },
    )
    .await
}

/// The boleto as PDF: the ERP's own when it has one (base64 from the boleto
/// PDF operation, or the fatura's link), else rendered here. `Age` and
/// `Cache-Status` tell how fresh the fatura behind it is.
#[utoipa::path(get, path = "/v1/faturas/{id}/boleto.pdf", tag = "totem",
    params(("id" = String, Path, description = "the ERP's id of the fatura")),
    responses((status = 200, content_type = "application/pdf", description = "the boleto; header X-Borda-Origem: upstream | local"),
        (status = 404, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
pub async fn boleto_pdf(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let answer = state.totem.fatura(checked_id(ID_FATURA, &id)?).await?;
    let freshness = freshness_headers(answer.origem, answer.atualizado_em, state.fresh_secs);
    let (fatura, _) = answer.valor;
    if state.totem.online() {
        match state.totem.boleto_pdf_do_erp(&fatura.id).await {
            Ok(bytes) => return Ok((freshness, pdf(bytes, "upstream")).into_response()),
            Err(error) => tracing::debug!(%error, "no PDF from the ERP"),
        }
        if let Some(link) = &fatura.link_boleto {
            match state.totem.pdf_do_link(link).await {
                Ok(bytes) => return Ok((freshness, pdf(bytes, "upstream")).into_response()),
                Err(error) => tracing::info!(%error, fatura.id = %fatura.id, "the boleto link gave no PDF"),
            }
        }
    }
    let hoje = chrono::Local::now().date_naive();
    let beneficiario = state.beneficiario.clone();
    let bytes = render(&state, move || {
        Ok(crate::domain::pdf::boleto_pdf(&fatura, &beneficiario, hoje)?)
    })
    .await?;
    Ok((freshness, pdf(bytes, "local")).into_response())
}

fn pdf(bytes: Vec<u8>, origem: &'static str) -> Response {
    let mut response = binary("application/pdf", bytes);
    response.headers_mut().insert(
        HeaderName::from_static("x-borda-origem"),
        HeaderValue::from_static(origem),
    );
    response
}

/// The ITF barcode of the fatura's boleto, as SVG.
#[utoipa::path(get, path = "/v1/faturas/{id}/codigo-de-barras.svg", tag = "totem",
    params(("id" = String, Path)), responses((status = 200, content_type = "image/svg+xml"), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn codigo_de_barras_svg(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let codigo = codigo_barras(&state, &id).await?;
    let svg = render(&state, move || Ok(Itf::encode(&codigo)?.svg())).await?;
    Ok(binary("image/svg+xml", svg.into_bytes()))
}

/// The ITF barcode of the fatura's boleto, as PNG (203 dpi).
#[utoipa::path(get, path = "/v1/faturas/{id}/codigo-de-barras.png", tag = "totem",
    params(("id" = String, Path)), responses((status = 200, content_type = "image/png"), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn codigo_de_barras_png(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let codigo = codigo_barras(&state, &id).await?;
    let png = render(&state, move || Ok(Itf::encode(&codigo)?.png()?)).await?;
    Ok(binary("image/png", png))
}

/// The QR of the fatura's PIX copia e cola, as SVG.
#[utoipa::path(get, path = "/v1/faturas/{id}/pix.svg", tag = "totem",
    params(("id" = String, Path)), responses((status = 200, content_type = "image/svg+xml"), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn pix_svg(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let code = pix_code(&state, &id).await?;
    let svg = render(&state, move || Ok(Qr::encode(&code)?.svg())).await?;
    Ok(binary("image/svg+xml", svg.into_bytes()))
}

/// The QR of the fatura's PIX copia e cola, as PNG.
#[utoipa::path(get, path = "/v1/faturas/{id}/pix.png", tag = "totem",
    params(("id" = String, Path)), responses((status = 200, content_type = "image/png"), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn pix_png(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let code = pix_code(&state, &id).await?;
    let png = render(&state, move || Ok(Qr::encode(&code)?.png()?)).await?;
    Ok(binary("image/png", png))
}

async fn fetch(state: &AppState, id: &str) -> Result<Fatura, Problem> {
    Ok(state.totem.fatura(checked_id(ID_FATURA, id)?).await?.valor.0)
}

async fn codigo_barras(state: &AppState, id: &str) -> Result<String, Problem> {
    fetch(state, id)
        .await?
        .codigo_barras
        .ok_or_else(|| Problem::not_found("Esta fatura não tem boleto com código de barras."))
}

async fn pix_code(state: &AppState, id: &str) -> Result<String, Problem> {
    fetch(state, id)
        .await?
        .pix_code
        .ok_or_else(|| Problem::not_found("Esta fatura não tem PIX copia e cola."))
}
