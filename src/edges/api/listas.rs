//! The customer's read-only lists: `/v1/clientes/{documento}/servicos`, `…/notas-fiscais`, `…/contatos`,
//! `…/extratos`, `…/quitacao`, and the PDFs they name (`/v1/notas-fiscais/{id}.pdf`, `…/quitacao.pdf`).
//!
//! Every list answers like the faturas list: `{"<lista>": [...], "origem", "atualizado_em"}` with `Age`,
//! `Cache-Status` and an `ETag`, through the memory of ready answers, from the cache while the ERP is down, 503
//! `upstream_indisponivel` with nothing cached, 501 `nao_suportado_pelo_erp` when the ERP does not offer it. Contacts
//! are shown masked with an opaque id, never in clear. A PDF is fetched through borda from the link the ERP gave for
//! a nota or declaration in the customer's list (a nota's PDF names its customer: `?documento=`), never from a URL
//! the kiosk passes, and must be a PDF by its bytes.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;

use super::memoria::{Chave, do_totem, json, responder};
use super::problem::Problem;
use super::{AppState, binary, checked_id, documento};
use crate::adapters::erp::ErpError;
use crate::domain::listas::Lista;
use crate::edges::views::{
    ContatoView, ContatosBody, ExtratosBody, Freshness, LancamentoView, NotaFiscalView, NotasFiscaisBody, QuitacaoBody,
    ServicoView, ServicosBody,
};
use crate::service::listas::ErroPdf;

/// `?bloqueados=` of the services list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServicosQuery {
    /// `true`: only the blocked or suspended services (those the desbloqueio de confiança is for); `false` or
    /// absent: all.
    bloqueados: Option<String>,
}

/// The customer's services (plans, installations) with their status; `?bloqueados=true` lists only the blocked or
/// suspended ones.
#[utoipa::path(get, path = "/v1/clientes/{documento}/servicos", tag = "totem",
    params(("documento" = String, Path, description = "CPF or CNPJ"), ServicosQuery),
    responses((status = 200, body = ServicosBody), (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 501, body = Problem), (status = 502, body = Problem), (status = 503, body = Problem)))]
pub async fn servicos(
    State(state): State<AppState>,
    Path(documento_text): Path<String>,
    Query(query): Query<ServicosQuery>,
) -> Result<Response, Problem> {
    let documento = documento(&documento_text)?;
    let bloqueados = match query.bloqueados.as_deref().map(str::trim) {
        None | Some("" | "false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "bloqueados_invalido",
                "bloqueados: use true ou false.",
            ));
        }
    };
    let chave = Chave::Lista {
        lista: Lista::Servicos,
        documento: documento.clone(),
        bloqueados,
    };
    responder(
        &state,
        chave,
        do_totem(&state),
        || state.totem.servicos(&documento),
        |answer| {
            json(&ServicosBody {
                servicos: answer
                    .valor
                    .iter()
                    .filter(|servico| !bloqueados || servico.bloqueado())
                    .map(ServicoView::from)
                    .collect(),
                freshness: Freshness::from(answer),
            })
        },
    )
    .await
}

/// The customer's notas fiscais, newest first.
#[utoipa::path(get, path = "/v1/clientes/{documento}/notas-fiscais", tag = "totem",
    params(("documento" = String, Path, description = "CPF or CNPJ")),
    responses((status = 200, body = NotasFiscaisBody), (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 501, body = Problem), (status = 502, body = Problem), (status = 503, body = Problem)))]
pub async fn notas_fiscais(
    State(state): State<AppState>,
    Path(documento_text): Path<String>,
) -> Result<Response, Problem> {
    let documento = documento(&documento_text)?;
    responder(
        &state,
        chave(Lista::NotasFiscais, &documento),
        do_totem(&state),
        || state.totem.notas_fiscais(&documento),
        |answer| {
            json(&NotasFiscaisBody {
                notas_fiscais: answer.valor.iter().map(NotaFiscalView::from).collect(),
                freshness: Freshness::from(answer),
            })
        },
    )
    .await
}

/// The customer's contacts, masked (`f***@provedor.com.br`, `(19) *****-4321`), each with an opaque id the kiosk
/// passes back to name it.
#[utoipa::path(get, path = "/v1/clientes/{documento}/contatos", tag = "totem",
    params(("documento" = String, Path, description = "CPF or CNPJ")),
    responses((status = 200, body = ContatosBody), (status = 422, body = Problem), (status = 501, body = Problem),
        (status = 502, body = Problem), (status = 503, body = Problem)))]
pub async fn contatos(State(state): State<AppState>, Path(documento_text): Path<String>) -> Result<Response, Problem> {
    let documento = documento(&documento_text)?;
    responder(
        &state,
        chave(Lista::Contatos, &documento),
        do_totem(&state),
        || state.totem.contatos(&documento),
        |answer| {
            json(&ContatosBody {
                contatos: answer.valor.iter().map(ContatoView::from).collect(),
                freshness: Freshness::from(answer),
            })
        },
    )
    .await
}

/// The customer's financial statement (one line per fatura and what was paid of it), newest first.
#[utoipa::path(get, path = "/v1/clientes/{documento}/extratos", tag = "totem",
    params(("documento" = String, Path, description = "CPF or CNPJ")),
    responses((status = 200, body = ExtratosBody), (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 501, body = Problem), (status = 502, body = Problem), (status = 503, body = Problem)))]
pub async fn extratos(State(state): State<AppState>, Path(documento_text): Path<String>) -> Result<Response, Problem> {
    let documento = documento(&documento_text)?;
    responder(
        &state,
        chave(Lista::Extratos, &documento),
        do_totem(&state),
        || state.totem.extratos(&documento),
        |answer| {
            json(&ExtratosBody {
                extratos: answer.valor.iter().map(LancamentoView::from).collect(),
                freshness: Freshness::from(answer),
            })
        },
    )
    .await
}

/// The customer's declarações de quitação de débitos: the newest one's `ano`, `texto` and `tem_pdf`, and every
/// year's in `quitacoes`, newest first.
#[utoipa::path(get, path = "/v1/clientes/{documento}/quitacao", tag = "totem",
    params(("documento" = String, Path, description = "CPF or CNPJ")),
    responses((status = 200, body = QuitacaoBody), (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 501, body = Problem), (status = 502, body = Problem), (status = 503, body = Problem)))]
pub async fn quitacao(State(state): State<AppState>, Path(documento_text): Path<String>) -> Result<Response, Problem> {
    let documento = documento(&documento_text)?;
    responder(
        &state,
        chave(Lista::Quitacoes, &documento),
        do_totem(&state),
        || state.totem.quitacoes(&documento),
        |answer| json(&QuitacaoBody::from(answer)),
    )
    .await
}

/// `?ano=` of the quitação PDF.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuitacaoPdfQuery {
    /// The year (`2025`); the newest year listed when absent.
    ano: Option<String>,
}

/// The PDF of a declaração de quitação (of `?ano=`, else the newest year), fetched through borda from the link the
/// ERP gave for it.
#[utoipa::path(get, path = "/v1/clientes/{documento}/quitacao.pdf", tag = "totem",
    params(("documento" = String, Path, description = "CPF or CNPJ"), QuitacaoPdfQuery),
    responses((status = 200, content_type = "application/pdf", description = "the declaration"),
        (status = 404, body = Problem, description = "no declaration of that year (`nao_encontrado`) or none with a PDF (`sem_pdf`)"),
        (status = 422, body = Problem), (status = 501, body = Problem),
        (status = 502, body = Problem, description = "the link did not give a PDF (`pdf_invalido`) or failed"),
        (status = 503, body = Problem)))]
pub async fn quitacao_pdf(
    State(state): State<AppState>,
    Path(documento_text): Path<String>,
    Query(query): Query<QuitacaoPdfQuery>,
) -> Result<Response, Problem> {
    let documento = documento(&documento_text)?;
    let ano = match query.ano.as_deref().map(str::trim).filter(|ano| !ano.is_empty()) {
        None => None,
        Some(texto) => Some(
            texto
                .parse::<u16>()
                .ok()
                .filter(|ano| (1900..=2999).contains(ano))
                .ok_or_else(|| {
                    Problem::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "ano_invalido",
                        "ano: um ano de quatro dígitos, como 2025.",
                    )
                })?,
        ),
    };
    let (_, pdf) = state.totem.quitacao_pdf(&documento, ano).await.map_err(problema_pdf)?;
    Ok(binary("application/pdf", pdf))
}

/// `?documento=` of a nota's PDF.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotaPdfQuery {
    /// The CPF or CNPJ of the customer the nota is listed for (required: a nota is reached only through its
    /// customer, and counts in the per-client limit of customers looked up).
    #[param(required = true)]
    documento: Option<String>,
}

/// The PDF of one of the customer's notas fiscais (`id` as in `GET /v1/clientes/{documento}/notas-fiscais`), fetched
/// through borda from the link the ERP gave for it.
#[utoipa::path(get, path = "/v1/notas-fiscais/{id}.pdf", tag = "totem",
    params(("id" = String, Path, description = "the nota's id, as listed"), NotaPdfQuery),
    responses((status = 200, content_type = "application/pdf", description = "the nota fiscal"),
        (status = 404, body = Problem, description = "no nota with this id in the customer's list (`nao_encontrado`) or no PDF (`sem_pdf`)"),
        (status = 422, body = Problem), (status = 429, body = Problem), (status = 501, body = Problem),
        (status = 502, body = Problem, description = "the link did not give a PDF (`pdf_invalido`) or failed"),
        (status = 503, body = Problem)))]
pub async fn nota_fiscal_pdf(
    State(state): State<AppState>,
    Path(arquivo): Path<String>,
    Query(query): Query<NotaPdfQuery>,
) -> Result<Response, Problem> {
    let Some(id) = arquivo.strip_suffix(".pdf") else {
        return Err(Problem::not_found("Endereço não encontrado nesta API."));
    };
    let id = checked_id("id da nota fiscal", id)?;
    let documento = documento(query.documento.as_deref().unwrap_or_default())?;
    let pdf = state
        .totem
        .nota_fiscal_pdf(&documento, id)
        .await
        .map_err(problema_pdf)?;
    Ok(binary("application/pdf", pdf))
}

/// The memory's key of an unfiltered list.
fn chave(lista: Lista, documento: &str) -> Chave {
    Chave::Lista {
        lista,
        documento: documento.to_owned(),
        bloqueados: false,
    }
}

/// Why a list's PDF is not there, for the kiosk.
fn problema_pdf(erro: ErroPdf) -> Problem {
    match erro {
        ErroPdf::Desconhecido => Problem::not_found("Documento não encontrado entre os deste cliente."),
        ErroPdf::SemPdf => Problem::new(
            StatusCode::NOT_FOUND,
            "sem_pdf",
            "O sistema do provedor não tem o PDF deste documento.",
        ),
        ErroPdf::Lista(error) => error.into(),
        ErroPdf::Link(ErpError::RespostaInvalida(motivo)) => {
            tracing::warn!(%motivo, "the ERP's PDF link did not give a PDF");
            Problem::new(
                StatusCode::BAD_GATEWAY,
                "pdf_invalido",
                "O endereço do PDF informado pelo sistema do provedor não devolveu um PDF. Procure um atendente.",
            )
        }
        ErroPdf::Link(error) => error.into(),
    }
}
