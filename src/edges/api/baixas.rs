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
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use super::problem::Problem;
use super::{ApiJson, AppState};
use crate::adapters::store::Registro;
use crate::domain::model::{Baixa, Forma, NovaBaixa, StatusBaixa, Transacao};
use crate::domain::money::Centavos;
use crate::edges::views::BaixaView;

/// Longest `Idempotency-Key` accepted.
const MAX_KEY: usize = 200;
/// How far in the future `pago_em` may be (clocks of the kiosk and of the payment terminal disagree a little).
const CLOCK_SKEW_MINUTES: i64 = 10;
/// Longest receipt, in lines, and longest receipt line.
const MAX_RECEIPT_LINES: usize = 200;
const MAX_RECEIPT_LINE: usize = 200;

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

/// A validated request, and its canonical form for idempotency.
struct Pedido {
    valor: Centavos,
    pago_em: DateTime<FixedOffset>,
    transacao: Transacao,
    canonical: String,
}

fn invalid(detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "baixa_invalida", detail)
}

fn validate(fatura_id: &str, request: BaixaRequest) -> Result<Pedido, Problem> {
    let forma = match request.forma.trim() {
        "pix" => Forma::Pix,
        "tef" => Forma::Tef,
        other => return Err(invalid(format!("forma: use \"pix\" ou \"tef\", recebido \"{other}\""))),
    };
    let valor_text = match &request.valor {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        _ => return Err(invalid("valor: informe um texto decimal, ex.: \"99.90\"")),
    };
    let valor = Centavos::parse(&valor_text).map_err(|error| invalid(format!("valor: {error}")))?;
    if valor.get() <= 0 {
        return Err(invalid("valor: deve ser maior que zero"));
    }
    let pago_em = DateTime::parse_from_rfc3339(request.pago_em.trim())
        .map_err(|_| invalid("pago_em: use data e hora RFC 3339 com fuso, ex.: 2026-11-23T10:15:00-03:00"))?;
    if pago_em.with_timezone(&Utc) > Utc::now() + chrono::Duration::minutes(CLOCK_SKEW_MINUTES) {
        return Err(invalid("pago_em: está no futuro"));
    }
    let transacao = match forma {
        Forma::Pix => pix_transacao(request.transacao)?,
        Forma::Tef => tef_transacao(request.transacao)?,
    };
    let canonical = json!({
        "fatura_id": fatura_id,
        "forma": forma.as_str(),
        "valor": valor.to_string(),
        "pago_em": pago_em.to_rfc3339(),
        "transacao": transacao,
    })
    .to_string();
    Ok(Pedido {
        valor,
        pago_em,
        transacao,
        canonical,
    })
}

fn pix_transacao(transacao: TransacaoRequest) -> Result<Transacao, Problem> {
    if transacao.nsu.is_some() || transacao.autorizacao.is_some() || transacao.comprovante_cliente.is_some() {
        return Err(invalid(
            "transacao: nsu, autorizacao e comprovantes são de TEF, não de PIX",
        ));
    }
    let e2e_id = transacao.e2e_id.map(|id| id.trim().to_owned()).unwrap_or_default();
    if !is_e2e_id(&e2e_id) {
        return Err(invalid(
            "transacao.e2e_id: o identificador fim a fim do PIX tem 32 caracteres: E, o ISPB (8 dígitos), data e hora AAAAMMDDHHMM e 11 letras ou dígitos",
        ));
    }
    let txid = transacao
        .txid
        .map(|txid| txid.trim().to_owned())
        .filter(|txid| !txid.is_empty());
    if let Some(txid) = &txid
        && (txid.len() > 35 || !txid.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err(invalid("transacao.txid: até 35 letras ou dígitos"));
    }
    Ok(Transacao::Pix { e2e_id, txid })
}

/// `E` + ISPB (8 digits) + `AAAAMMDDHHMM` + 11 letters or digits (BCB, manual de padrões do PIX).
fn is_e2e_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    bytes.len() == 32
        && bytes.first() == Some(&b'E')
        && bytes
            .get(1..21)
            .is_some_and(|digits| digits.iter().all(u8::is_ascii_digit))
        && bytes
            .get(21..)
            .is_some_and(|rest| rest.iter().all(u8::is_ascii_alphanumeric))
}

fn tef_transacao(transacao: TransacaoRequest) -> Result<Transacao, Problem> {
    if transacao.e2e_id.is_some() {
        return Err(invalid("transacao.e2e_id é de PIX, não de TEF"));
    }
    let code = |field: &str, value: Option<String>| -> Result<String, Problem> {
        let value = value.map(|value| value.trim().to_owned()).unwrap_or_default();
        if value.is_empty() || value.len() > 20 || !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(invalid(format!("transacao.{field}: de 1 a 20 letras ou dígitos")));
        }
        Ok(value)
    };
    let nsu = code("nsu", transacao.nsu)?;
    let autorizacao = code("autorizacao", transacao.autorizacao)?;
    let bandeira = transacao
        .bandeira
        .map(|bandeira| bandeira.trim().to_owned())
        .filter(|b| !b.is_empty());
    if bandeira.as_ref().is_some_and(|bandeira| bandeira.chars().count() > 30) {
        return Err(invalid("transacao.bandeira: no máximo 30 caracteres"));
    }
    let receipt = |field: &str, lines: Option<Vec<String>>| -> Result<Vec<String>, Problem> {
        let lines = lines.unwrap_or_default();
        let too_long = lines.iter().any(|line| line.chars().count() > MAX_RECEIPT_LINE);
        let control = lines.iter().any(|line| line.chars().any(char::is_control));
        if lines.len() > MAX_RECEIPT_LINES || too_long || control {
            return Err(invalid(format!(
                "transacao.{field}: até {MAX_RECEIPT_LINES} linhas de até {MAX_RECEIPT_LINE} caracteres, sem caracteres de controle"
            )));
        }
        Ok(lines)
    };
    Ok(Transacao::Tef {
        nsu,
        autorizacao,
        bandeira,
        comprovante_cliente: receipt("comprovante_cliente", transacao.comprovante_cliente)?,
        comprovante_estabelecimento: receipt("comprovante_estabelecimento", transacao.comprovante_estabelecimento)?,
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

fn conflict_key() -> Problem {
    Problem::new(
        StatusCode::CONFLICT,
        "idempotency_conflict",
        "Esta Idempotency-Key já foi usada para outro pagamento. Use uma chave nova para um pagamento novo.",
    )
}

fn already_paid(baixa_id: &str) -> Problem {
    Problem::new(
        StatusCode::CONFLICT,
        "fatura_ja_paga",
        format!("Esta fatura já tem um pagamento registrado neste terminal (baixa {baixa_id})."),
    )
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
    let pedido = validate(&fatura_id, request)?;
    // A replay is answered from the record alone, even if the ERP is unreachable meanwhile.
    if let Some((baixa, canonical)) = state.totem.store().baixa_por_chave(&chave).await? {
        return if canonical == pedido.canonical {
            Ok(accepted(&baixa, true))
        } else {
            Err(conflict_key())
        };
    }
    let (fatura, baixa_local) = state.totem.fatura(&fatura_id).await?.valor;
    if let Some(baixa) = baixa_local.filter(|baixa| baixa.status != StatusBaixa::Falhou) {
        return Err(already_paid(&baixa.id));
    }
    if pedido.valor != fatura.valor_atual && !state.baixa.allow_different_valor {
        return Err(invalid(format!(
            "valor: {} difere do valor atual da fatura, {}",
            pedido.valor, fatura.valor_atual
        )));
    }
    let forma = match pedido.transacao.forma() {
        Forma::Pix => &state.baixa.pix,
        Forma::Tef => &state.baixa.tef,
    };
    let nova = NovaBaixa {
        id: uuid::Uuid::now_v7().to_string(),
        chave_idempotencia: chave,
        fatura_id: fatura.id.clone(),
        documento: fatura.documento.clone(),
        id_cliente: fatura.id_cliente.clone(),
        identifier: fatura.identifier.clone(),
        valor: pedido.valor,
        pago_em: pedido.pago_em,
        transacao: pedido.transacao,
        aguardar_erp: forma.settled_by_erp(fatura.identifier.as_deref()),
    };
    let baixa = Baixa::nova(nova, Utc::now());
    match state.totem.store().registrar_baixa(baixa, pedido.canonical).await? {
        Registro::Nova(baixa) => {
            state.waker.wake();
            Ok(accepted(&baixa, false))
        }
        Registro::Repetida(baixa) => Ok(accepted(&baixa, true)),
        Registro::ChaveComOutroPedido => Err(conflict_key()),
        Registro::FaturaComBaixa(baixa) => Err(already_paid(&baixa.id)),
    }
}

/// `?status=` filter.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// `pendente`, `sincronizada` or `falhou`.
    status: Option<String>,
}

/// The baixas list.
#[derive(Debug, Serialize, ToSchema)]
pub struct BaixasBody {
    baixas: Vec<BaixaView>,
}

/// Most baixas one listing returns.
const LIST_LIMIT: usize = 1000;

/// Baixas in the order they were taken (at most 1000), optionally of one status.
#[utoipa::path(get, path = "/v1/baixas", tag = "baixas", params(ListQuery),
    responses((status = 200, body = BaixasBody), (status = 422, body = Problem)))]
pub async fn listar(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Json<BaixasBody>, Problem> {
    let status = match query
        .status
        .as_deref()
        .map(str::trim)
        .filter(|status| !status.is_empty())
    {
        None => None,
        Some(text) => Some(StatusBaixa::parse(text).ok_or_else(|| {
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "status_invalido",
                "status: use pendente, sincronizada ou falhou.",
            )
        })?),
    };
    let baixas = state.totem.store().baixas(status, LIST_LIMIT).await?;
    Ok(Json(BaixasBody {
        baixas: baixas.iter().map(BaixaView::from).collect(),
    }))
}

/// One baixa: attempts, last error, timestamps.
#[utoipa::path(get, path = "/v1/baixas/{id}", tag = "baixas", params(("id" = String, Path)),
    responses((status = 200, body = BaixaView), (status = 404, body = Problem)))]
pub async fn detalhe(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<BaixaView>, Problem> {
    super::checked_id("id da baixa", &id)?;
    let baixa = state
        .totem
        .store()
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
    let before = state
        .totem
        .store()
        .baixa(&id)
        .await?
        .ok_or_else(|| Problem::not_found("Baixa não encontrada."))?;
    if before.status != StatusBaixa::Falhou {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "baixa_nao_falhou",
            format!(
                "Só uma baixa recusada pode ser reenviada; esta está {}.",
                before.status.as_str()
            ),
        ));
    }
    let after = state
        .totem
        .store()
        .reenviar_baixa(&id, Utc::now())
        .await?
        .unwrap_or(before);
    if after.status == StatusBaixa::Falhou {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "fatura_ja_paga",
            "A fatura desta baixa já tem outro pagamento registrado; esta não será reenviada.",
        ));
    }
    state.waker.wake();
    Ok((StatusCode::ACCEPTED, Json(BaixaView::from(&after))).into_response())
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
    state.totem.store().antecipar_baixas(Utc::now()).await?;
    state.waker.wake();
    let (pendentes, falhas) = state.totem.store().contar_baixas().await?;
    Ok((StatusCode::ACCEPTED, Json(SyncBody { pendentes, falhas })))
}

#[cfg(test)]
mod tests {
    use super::is_e2e_id;

    #[test]
    fn e2e_ids() {
        assert!(is_e2e_id("E12345678202611231015abcdefGHIJK"));
        assert!(!is_e2e_id("E12345678202611231015abcdefGHIJ"), "31 characters");
        assert!(
            !is_e2e_id("D12345678202611231015abcdefGHIJK"),
            "a devolução, not a payment"
        );
        assert!(!is_e2e_id("E1234567820261123101Xabcdef-HIJK"));
        assert!(!is_e2e_id(""));
    }
}
