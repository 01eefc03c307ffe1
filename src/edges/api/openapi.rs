//! The OpenAPI 3.1 description of the API, generated from the handlers'
//! annotations so it cannot drift from the code.

use axum::Json;
use utoipa::OpenApi;

use super::{baixas, chamados, clientes, credito, faturas, formats, health, impressoes, listas, metricas, problem};
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
        metricas::metrics,
        clientes::cliente,
        clientes::faturas,
        clientes::contratos,
        clientes::desbloqueio,
        listas::servicos,
        listas::notas_fiscais,
        listas::contatos,
        listas::extratos,
        listas::quitacao,
        listas::quitacao_pdf,
        listas::nota_fiscal_pdf,
        chamados::criar,
        chamados::enviar_fatura,
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
        impressoes::imprimir,
        impressoes::impressao,
        impressoes::preview_png,
        impressoes::preview_pdf,
        impressoes::impressoras,
        credito::consultar_query,
        credito::consultar_path,
        credito::registrar_consumo,
        credito::cancelar_consumo,
    ),
    components(schemas(problem::Problem, views::BoletoInfo, views::BrCodeInfo, views::DocumentoInfo))
)]
struct ApiDoc;

/// `GET /v1/openapi.json`.
pub async fn openapi_json() -> Json<serde_json::Value> {
    let mut document = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    problem_media_type(&mut document);
    Json(document)
}

/// Error answers are `application/problem+json`, not the `application/json`
/// utoipa writes for `body = Problem`: say so once here for every operation
/// instead of in each annotation.
fn problem_media_type(document: &mut serde_json::Value) {
    const PROBLEM: &str = "#/components/schemas/Problem";
    let Some(paths) = document.get_mut("paths").and_then(|paths| paths.as_object_mut()) else {
        return;
    };
    let responses = paths
        .values_mut()
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut())
        .filter_map(|operation| operation.get_mut("responses"))
        .filter_map(|responses| responses.as_object_mut())
        .flat_map(|responses| responses.values_mut());
    for response in responses {
        let Some(content) = response.get_mut("content").and_then(|content| content.as_object_mut()) else {
            continue;
        };
        let is_problem = content
            .get("application/json")
            .and_then(|json| json.pointer("/schema/$ref"))
            .is_some_and(|target| target == PROBLEM);
        if is_problem && let Some(media) = content.remove("application/json") {
            content.insert("application/problem+json".to_owned(), media);
        }
    }
}
