//! `/v1/faturas/{id}…`: one fatura, its boleto PDF, its barcode and its PIX QR.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::problem::Problem;
use super::{AppState, binary, freshness_headers};
use crate::domain::model::Fatura;
use crate::domain::render::{Itf, Qr};
use crate::edges::views::{FaturaBody, FaturaView, Freshness};

/// One fatura by its ERP id.
#[utoipa::path(get, path = "/v1/faturas/{id}", tag = "totem",
    params(("id" = String, Path, description = "the ERP's id of the fatura")),
    responses((status = 200, body = FaturaBody), (status = 404, body = Problem), (status = 503, body = Problem)))]
pub async fn fatura(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let answer = state.totem.fatura(&id).await?;
    let body = FaturaBody {
        fatura: FaturaView::from(&answer.valor),
        freshness: Freshness::from(&answer),
    };
    Ok((freshness_headers(&answer, state.fresh_secs), Json(body)).into_response())
}

/// The boleto as PDF: the ERP's own when it has one (base64 from the boleto
/// PDF operation, or the fatura's link), else rendered here.
#[utoipa::path(get, path = "/v1/faturas/{id}/boleto.pdf", tag = "totem",
    params(("id" = String, Path, description = "the ERP's id of the fatura")),
    responses((status = 200, content_type = "application/pdf", description = "the boleto; header X-Borda-Origem: upstream | local"),
        (status = 404, body = Problem), (status = 503, body = Problem)))]
pub async fn boleto_pdf(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let (fatura, _) = state.totem.fatura(&id).await?.valor;
    if state.totem.online() {
        match state.totem.boleto_pdf_do_erp(&fatura.id).await {
            Ok(bytes) => return Ok(pdf(bytes, "upstream")),
            Err(error) => tracing::debug!(%error, "no PDF from the ERP"),
        }
        if let Some(link) = &fatura.link_boleto {
            match state.totem.pdf_do_link(link).await {
                Ok(bytes) => return Ok(pdf(bytes, "upstream")),
                Err(error) => tracing::info!(%error, fatura = %fatura.id, "the boleto link gave no PDF"),
            }
        }
    }
    let hoje = chrono::Local::now().date_naive();
    let bytes = crate::domain::pdf::boleto_pdf(&fatura, &state.beneficiario, hoje)?;
    Ok(pdf(bytes, "local"))
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
    params(("id" = String, Path)), responses((status = 200, content_type = "image/svg+xml"), (status = 404, body = Problem)))]
pub async fn codigo_de_barras_svg(state: State<AppState>, id: Path<String>) -> Result<Response, Problem> {
    let itf = Itf::encode(&codigo_barras(state, id).await?)?;
    Ok(binary("image/svg+xml", itf.svg().into_bytes()))
}

/// The ITF barcode of the fatura's boleto, as PNG (203 dpi).
#[utoipa::path(get, path = "/v1/faturas/{id}/codigo-de-barras.png", tag = "totem",
    params(("id" = String, Path)), responses((status = 200, content_type = "image/png"), (status = 404, body = Problem)))]
pub async fn codigo_de_barras_png(state: State<AppState>, id: Path<String>) -> Result<Response, Problem> {
    let itf = Itf::encode(&codigo_barras(state, id).await?)?;
    Ok(binary("image/png", itf.png()?))
}

/// The QR of the fatura's PIX copia e cola, as SVG.
#[utoipa::path(get, path = "/v1/faturas/{id}/pix.svg", tag = "totem",
    params(("id" = String, Path)), responses((status = 200, content_type = "image/svg+xml"), (status = 404, body = Problem)))]
pub async fn pix_svg(state: State<AppState>, id: Path<String>) -> Result<Response, Problem> {
    let qr = Qr::encode(&pix_code(state, id).await?)?;
    Ok(binary("image/svg+xml", qr.svg().into_bytes()))
}

/// The QR of the fatura's PIX copia e cola, as PNG.
#[utoipa::path(get, path = "/v1/faturas/{id}/pix.png", tag = "totem",
    params(("id" = String, Path)), responses((status = 200, content_type = "image/png"), (status = 404, body = Problem)))]
pub async fn pix_png(state: State<AppState>, id: Path<String>) -> Result<Response, Problem> {
    let qr = Qr::encode(&pix_code(state, id).await?)?;
    Ok(binary("image/png", qr.png()?))
}

async fn fetch(State(state): State<AppState>, Path(id): Path<String>) -> Result<Fatura, Problem> {
    Ok(state.totem.fatura(&id).await?.valor.0)
}

async fn codigo_barras(state: State<AppState>, id: Path<String>) -> Result<String, Problem> {
    fetch(state, id)
        .await?
        .codigo_barras
        .ok_or_else(|| Problem::not_found("Esta fatura não tem boleto com código de barras."))
}

async fn pix_code(state: State<AppState>, id: Path<String>) -> Result<String, Problem> {
    fetch(state, id)
        .await?
        .pix_code
        .ok_or_else(|| Problem::not_found("Esta fatura não tem PIX copia e cola."))
}
