//! The writes the customer asks of the ISP at the totem: `POST /v1/clientes/{documento}/chamados` opens a support
//! ticket at the ERP, online only, and answers its protocol number; `POST /v1/faturas/{id}/envios` (send a fatura to
//! one of the customer's contacts) answers 501, since no ERP contract offers it yet.
//!
//! A chamado's body carries its attachments in base64, so its route has its own body limit
//! ([`crate::domain::chamado::MAX_CORPO`], about 7 MB, or `api.body_limit` when that is larger); every other route
//! keeps `api.body_limit`. The optional `Idempotency-Key` makes the kiosk's retries safe: the same key and body answer
//! the first ticket (201, header `Idempotent-Replayed: true`), never a second one.

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::{Deserialize, Serialize};
use tower_http::limit::RequestBodyLimitLayer;
use utoipa::ToSchema;

use super::problem::Problem;
use super::{ApiJson, AppState, checked_id, documento};
use crate::domain::chamado::{self, ChamadoInvalido, PedidoAnexo, PedidoChamado};
use crate::service::chamados::ChamadoError;

/// Longest `Idempotency-Key` accepted.
const MAX_KEY: usize = 200;

/// The routes of this module, to merge into `/v1`: the chamados' with their own body limit (at least `body_limit`),
/// the envios' with `body_limit`.
pub fn rotas(body_limit: usize) -> Router<AppState> {
    let limite = body_limit.max(chamado::MAX_CORPO);
    let chamados = Router::new()
        .route("/clientes/{documento}/chamados", post(criar))
        .layer(DefaultBodyLimit::max(limite))
        .layer(RequestBodyLimitLayer::new(limite));
    let envios = Router::new()
        .route("/faturas/{id}/envios", post(enviar_fatura))
        .layer(RequestBodyLimitLayer::new(body_limit));
    chamados.merge(envios)
}

/// Body of `POST /v1/clientes/{documento}/chamados`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChamadoRequest {
    /// One line, 1 to 120 characters.
    assunto: String,
    /// 1 to 4000 characters; line breaks allowed, no other control character.
    mensagem: String,
    /// The service (installation) the ticket is about, when the customer chose one.
    id_servico: Option<String>,
    /// One of the customer's contacts (`GET /v1/clientes/{documento}/contatos`): the support desk answers there (the
    /// ERP gets it as the ticket's `email` or `telefone`).
    contato_id: Option<String>,
    /// At most 3 files, each at most 2 MiB and together at most 5 MiB (decoded): PDF, PNG or JPEG.
    #[serde(default)]
    anexos: Vec<AnexoRequest>,
}

/// One attached file.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnexoRequest {
    /// The file's name, as the support desk sees it (no slashes or control characters, at most 100 characters).
    nome: String,
    /// `application/pdf`, `image/png` or `image/jpeg`; the content must be of that type.
    tipo: String,
    /// The content, standard base64 with padding, without line breaks or a `data:` prefix.
    base64: String,
}

/// The ticket the ERP opened.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChamadoResponse {
    /// The ERP's ticket id (`id_atendimento`): the protocol number to show the customer.
    id: String,
}

impl From<ChamadoInvalido> for Problem {
    fn from(error: ChamadoInvalido) -> Self {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            error.code(),
            format!("Chamado inválido: {error}."),
        )
    }
}

impl From<ChamadoError> for Problem {
    fn from(error: ChamadoError) -> Self {
        let incerto = |status| {
            Problem::new(
                status,
                "chamado_incerto",
                "O sistema do provedor não confirmou o chamado, que pode ter sido aberto mesmo assim. \
                 Confira com o provedor antes de abrir outro.",
            )
        };
        match error {
            ChamadoError::NaoSuportado(faltando) => {
                tracing::info!(missing = faltando.as_str(), "chamado refused: not configured");
                Problem::nao_suportado()
            }
            ChamadoError::ChaveComOutroPedido => Problem::new(
                StatusCode::CONFLICT,
                "idempotency_conflict",
                "Esta Idempotency-Key já foi usada para outro chamado. Use uma chave nova para um chamado novo.",
            ),
            ChamadoError::AnteriorIncerto => Problem::new(
                StatusCode::CONFLICT,
                "chamado_incerto",
                "Uma tentativa anterior deste chamado ficou sem resposta do sistema do provedor e pode tê-lo aberto. \
                 Confira com o provedor antes de abrir outro (com uma chave nova).",
            ),
            ChamadoError::Incerto { sem_resposta: true } => incerto(StatusCode::GATEWAY_TIMEOUT),
            ChamadoError::Incerto { sem_resposta: false } => incerto(StatusCode::BAD_GATEWAY),
            ChamadoError::Recusado { status } => {
                tracing::warn!(status, "the ERP refused a chamado");
                Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "chamado_recusado",
                    "O sistema do provedor recusou o chamado. Procure um atendente.",
                )
            }
            ChamadoError::ContatoDesconhecido => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "contato_id_invalido",
                "Contato não encontrado entre os deste cliente: escolha um da lista de contatos.",
            ),
            ChamadoError::ClienteSemId => {
                Problem::not_found("O sistema do provedor não informou o código deste cliente.")
            }
            ChamadoError::Interrompido => Problem::internal(),
            ChamadoError::Servico(error) => error.into(),
        }
    }
}

/// The optional `Idempotency-Key`: absent is None; present, 1 to [`MAX_KEY`] visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    // A value that is not visible ASCII reads as "" and is refused as invalid, not as missing.
    let key = value.to_str().unwrap_or_default().trim();
    if key.is_empty() || key.len() > MAX_KEY {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "idempotency_key_invalida",
            format!("O cabeçalho Idempotency-Key deve ter de 1 a {MAX_KEY} caracteres visíveis."),
        ));
    }
    Ok(Some(key.to_owned()))
}

/// Opens a support ticket at the ERP (online only) and answers its protocol number.
#[utoipa::path(post, path = "/v1/clientes/{documento}/chamados", tag = "totem",
    params(("documento" = String, Path, description = "CPF or CNPJ"),
        ("Idempotency-Key" = Option<String>, Header,
            description = "optional: the same value on every retry of the same chamado (never a second ticket)")),
    request_body = ChamadoRequest,
    responses(
        (status = 201, body = ChamadoResponse, description = "opened; header Idempotent-Replayed on a replay"),
        (status = 400, body = Problem, description = "not JSON, or an invalid Idempotency-Key"),
        (status = 404, body = Problem, description = "customer unknown to the ERP"),
        (status = 409, body = Problem, description = "idempotency_conflict, or chamado_incerto (earlier try)"),
        (status = 413, body = Problem, description = "body over the route's limit"),
        (status = 422, body = Problem, description = "a bad documento, body, text or attachment \
            (anexo_grande_demais, anexo_tipo_nao_permitido, anexo_invalido, anexos_demais…), or chamado_recusado"),
        (status = 501, body = Problem, description = "nao_suportado_pelo_erp: no erp.paths.chamado or [chamado]"),
        (status = 502, body = Problem, description = "chamado_incerto: answered without confirming (it may be open)"),
        (status = 503, body = Problem, description = "upstream_indisponivel: the ERP is unreachable; nothing was sent"),
        (status = 504, body = Problem, description = "chamado_incerto: no answer after sending (it may be open)")))]
pub async fn criar(
    State(state): State<AppState>,
    Path(documento_text): Path<String>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ChamadoRequest>,
) -> Result<Response, Problem> {
    let documento = documento(&documento_text)?;
    let chave = idempotency_key(&headers)?;
    let pedido = PedidoChamado {
        assunto: request.assunto,
        mensagem: request.mensagem,
        id_servico: request.id_servico,
        contato_id: request.contato_id,
        anexos: request
            .anexos
            .into_iter()
            .map(|anexo| PedidoAnexo {
                nome: anexo.nome,
                tipo: anexo.tipo,
                base64: anexo.base64,
            })
            .collect(),
    };
    let chamado = chamado::validar(&pedido)?;
    drop(pedido);
    let criado = state.totem.abrir_chamado(documento, chave, chamado).await?;
    let mut response = (StatusCode::CREATED, Json(ChamadoResponse { id: criado.id })).into_response();
    if criado.repetido {
        response.headers_mut().insert(
            HeaderName::from_static("idempotent-replayed"),
            HeaderValue::from_static("true"),
        );
    }
    Ok(response)
}

/// Body of `POST /v1/faturas/{id}/envios`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvioRequest {
    /// The contact (`GET /v1/clientes/{documento}/contatos`) the fatura goes to.
    contato_id: String,
}

/// Sending a fatura to one of the customer's contacts: no ERP contract offers it, so after checking the request this
/// answers 501 `nao_suportado_pelo_erp`.
#[utoipa::path(post, path = "/v1/faturas/{id}/envios", tag = "totem",
    params(("id" = String, Path, description = "the ERP's id of the fatura")),
    request_body = EnvioRequest,
    responses(
        (status = 400, body = Problem, description = "not JSON"),
        (status = 422, body = Problem, description = "id_invalido, contato_id_invalido, json_invalido"),
        (status = 501, body = Problem, description = "nao_suportado_pelo_erp: no ERP contract has it")))]
pub async fn enviar_fatura(
    Path(id): Path<String>,
    ApiJson(request): ApiJson<EnvioRequest>,
) -> Result<Response, Problem> {
    if checked_id("id da fatura", &id)?.trim().is_empty() {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "id_invalido",
            "id da fatura: vazio.",
        ));
    }
    let contato = checked_id("contato_id", &request.contato_id)
        .map_err(|problem| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "contato_id_invalido", problem.detail))?;
    if contato.trim().is_empty() {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "contato_id_invalido",
            "Informe o contato (contato_id).",
        ));
    }
    Err(Problem::nao_suportado())
}
