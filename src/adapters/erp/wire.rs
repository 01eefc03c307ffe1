//! The ERP's JSON, read leniently into [`crate::domain::model`] types.
//!
//! This file owns every response field name of both generations of the ERP contract (seed 000's normalised
//! model and seed 001's newer "Pegar boletos abertos/faturas"), the body of a baixa (the one request whose JSON
//! is more than flat fields) with the classification of its answers, and the rules that turn what real adapters send
//! (values as `"123,45"` or `123.45`, dates as `30/11/2026` or `2026-11-30T00:00:00`, ids as numbers, blank
//! strings for "absent") into exact model values. A list never fails because of one bad record: the record is
//! logged with its index and the reason and skipped. It must never guess money: an amount or a linha digitável
//! it cannot read exactly is a defect, never a zero or a default; and it must never do IO or read the clock (the
//! caller passes `hoje` or `agora`).

pub(super) mod listas;

use std::time::Duration;

use base64::Engine as _;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::{EnvioBaixa, IdsForma, truncated_text};
use crate::domain::baixa::{Baixa, Transacao};
use crate::domain::model::{Cliente, Contrato, Endereco, Fatura};
use crate::domain::money::Centavos;
use crate::domain::{boleto, documento, pix};

/// One JSON object of a response.
type Record = Map<String, Value>;

/// Why a record cannot become a model value; logged when the record is skipped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(super) enum Defect {
    /// The element of the list is not a JSON object.
    #[error("o registro não é um objeto JSON")]
    NotAnObject,
    /// No field carries the record's id.
    #[error("registro sem id ({fields})")]
    MissingId {
        /// The fields that were looked for.
        fields: &'static str,
    },
    /// A fatura without the value the customer pays.
    #[error("fatura sem valor ({fields})")]
    MissingValor {
        /// The fields that were looked for.
        fields: &'static str,
    },
    /// A field that is present but cannot be read.
    #[error("campo {field}: {reason}")]
    Field {
        /// The wire name of the field.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The linha digitável does not validate: showing it would let a customer pay a wrong barcode.
    #[error("linha digitável inválida: {0}")]
    InvalidLinha(boleto::BoletoError),
    /// The record names no usable documento and none was asked for.
    #[error("registro sem CPF/CNPJ válido")]
    MissingDocumento,
    /// The record belongs to another customer than the one asked for.
    #[error("registro de outro CPF/CNPJ")]
    OtherDocumento,
    /// A cliente without any name.
    #[error("cliente sem nome ({fields})")]
    MissingNome {
        /// The fields that were looked for.
        fields: &'static str,
    },
}

/// Fields that may carry a fatura's id, newest generation first.
const FATURA_ID_FIELDS: &[&str] = &["id_fatura", "fatura", "id"];
/// Fields that may carry the amount to pay today.
const VALOR_ATUAL_FIELDS: &[&str] = &["valor_atual", "valor_final", "valor"];
/// Fields that may carry the customer's documento in a fatura.
const FATURA_DOCUMENTO_FIELDS: &[&str] = &["document_number", "customer_document_number", "cnpj_cpf"];
/// Fields that may carry a customer's documento in a cliente.
const CLIENTE_DOCUMENTO_FIELDS: &[&str] = &["cnpj_cpf", "document_number", "documento"];
/// Fields that may carry a customer's id in a cliente.
const CLIENTE_ID_FIELDS: &[&str] = &["id_remoto", "id_cliente", "id"];
/// Fields that may carry a customer's name, most specific first.
const CLIENTE_NOME_FIELDS: &[&str] = &["nome_completo", "nome", "razao_social", "razao"];
/// Fields that may carry a contract's id.
const CONTRATO_ID_FIELDS: &[&str] = &["remote_id", "id_contrato", "contrato", "id"];

/// The records of a list answer: a JSON array, or a single object standing for a one-record list (`{}` is an
/// empty list). Anything else is not a list.
fn records(body: Value) -> Result<Vec<Value>, String> {
    match body {
        Value::Array(list) => Ok(list),
        Value::Object(object) if object.is_empty() => Ok(Vec::new()),
        object @ Value::Object(_) => Ok(vec![object]),
        other => Err(format!("esperava uma lista JSON, veio {}", json_kind(&other))),
    }
}

/// The open faturas of `documento` (already normalised) in a list answer, optionally only those of `contrato`.
///
/// A record that is malformed, or whose documento or contract is not the one asked for, is logged and skipped;
/// the others are returned. Only a body that is not a list at all is an error.
pub(super) fn faturas(
    body: Value,
    documento: &str,
    contrato: Option<&str>,
    hoje: NaiveDate,
) -> Result<Vec<Fatura>, String> {
    let mut faturas = Vec::new();
    for (index, record) in records(body)?.iter().enumerate() {
        match fatura(record, Some(documento), hoje) {
            Ok(fatura) if !in_contrato(&fatura, contrato) => {
                tracing::debug!(index, fatura.id = %fatura.id, "ERP fatura of another contract skipped");
            }
            Ok(fatura) => faturas.push(fatura),
            Err(defect) => tracing::warn!(index, reason = %defect, "ERP fatura skipped"),
        }
    }
    Ok(faturas)
}

/// Whether a fatura belongs to the contract asked for. An ERP that ignores the filter sends every contract's
/// faturas; those that say which contract(s) they belong to are filtered here, those that do not are kept.
fn in_contrato(fatura: &Fatura, contrato: Option<&str>) -> bool {
    match (contrato, &fatura.contrato) {
        (Some(requested), Some(contratos)) => contratos.split(',').any(|c| c.trim() == requested.trim()),
        _ => true,
    }
}

/// The ids of every record in an open-faturas answer, read from the raw JSON for a reconciliation: an absent
/// id must prove the fatura no longer open, so nothing is skipped here. The answer must be a list in an envelope
/// [`records`] accepts, and every record must be an object with a readable id (the fields [`fatura`] reads it
/// from); otherwise this is an error, since the list cannot prove any fatura absent. Nothing else of a record
/// is looked at: a record with a malformed value still names an open fatura.
pub(super) fn ids_em_aberto(body: Value) -> Result<Vec<String>, String> {
    records(body)?
        .iter()
        .enumerate()
        .map(|(index, record)| {
            let r = record
                .as_object()
                .ok_or_else(|| format!("registro {index} da lista de faturas: {}", Defect::NotAnObject))?;
            text(r, FATURA_ID_FIELDS).ok_or_else(|| {
                format!(
                    "registro {index} da lista de faturas sem id legível (id_fatura, fatura, id): a lista não prova \
                     que a fatura foi paga"
                )
            })
        })
        .collect()
}

/// The fatura `id` in a by-id answer, which may be an object or a list (seed 000: "like faturas but only the one
/// whose id matches"). `Ok(None)` when the answer is empty; an answer that holds records but not a valid one with
/// this id is an error, since it is not what was asked.
pub(super) fn fatura_by_id(body: Value, id: &str, hoje: NaiveDate) -> Result<Option<Fatura>, String> {
    let list = records(body)?;
    if list.is_empty() {
        return Ok(None);
    }
    let mut defects = Vec::new();
    for (index, record) in list.iter().enumerate() {
        match fatura(record, None, hoje) {
            Ok(fatura) if fatura.id == id.trim() => return Ok(Some(fatura)),
            Ok(fatura) => {
                tracing::debug!(index, fatura.id = %fatura.id, "ERP answered another fatura than the one asked")
            }
            Err(defect) => {
                tracing::warn!(index, reason = %defect, "ERP fatura skipped");
                defects.push(defect.to_string());
            }
        }
    }
    Err(match defects.first() {
        Some(defect) => format!("fatura {id} com defeito: {defect}"),
        None => format!("a resposta não contém a fatura {id}"),
    })
}

/// One fatura record, either generation. `requested_documento` is the normalised documento the list was asked for:
/// it stands in for an absent or unreadable documento, and a record of another documento is refused.
fn fatura(record: &Value, requested_documento: Option<&str>, hoje: NaiveDate) -> Result<Fatura, Defect> {
    let r = record.as_object().ok_or(Defect::NotAnObject)?;
    let id = text(r, FATURA_ID_FIELDS).ok_or(Defect::MissingId {
        fields: "id_fatura, fatura, id",
    })?;
    let valor_atual = valor(r, VALOR_ATUAL_FIELDS)?.ok_or(Defect::MissingValor {
        fields: "valor_atual, valor_final, valor",
    })?;
    let documento = record_documento(r, FATURA_DOCUMENTO_FIELDS, requested_documento)?;
    let boleto = match text(r, &["linha_digitavel"]) {
        Some(linha) => Some(boleto::decode(&linha, hoje).map_err(Defect::InvalidLinha)?),
        None => None,
    };
    let banco = text(r, &["bank_code"]).or_else(|| match boleto.as_ref().map(|b| &b.detalhe) {
        Some(boleto::Detalhe::Bancario { banco, .. }) => Some(banco.clone()),
        _ => None,
    });
    let amount = |fields: &[&str]| optional(&id, valor(r, fields));
    let day = |fields: &[&str]| optional(&id, date(r, fields));
    Ok(Fatura {
        code_fatura: text(r, &["code_fatura"]),
        documento,
        nome_cliente: text(r, &["nome_cliente"]),
        id_cliente: text(r, &["remote_id"]),
        valor_inicial: amount(&["valor_inicial"]),
        valor_atual,
        juros: amount(&["juros"]),
        multa: amount(&["multa"]),
        desconto: amount(&["desconto"]),
        emissao: day(&["data_emissao", "emissao"]),
        vencimento: day(&["data_vencimento", "vencimento"]),
        historico: text(r, &["historico"]),
        banco,
        linha_digitavel: boleto.as_ref().map(|b| b.linha_digitavel.clone()),
        codigo_barras: boleto.map(|b| b.codigo_barras),
        pix_code: pix_code(r, &id),
        identifier: text(r, &["identifier"]),
        integration_id: text(r, &["integration_id"]),
        contrato: ids(r, &["contract_id", "id_contrato"]),
        bill_receipt: receipt_header(r, "bill_receipt"),
        bill_pix_receipt: receipt_header(r, "bill_pix_receipt"),
        link_boleto: text(r, &["link_boleto", "url_boleto"]),
        id,
    })
}

/// An optional field of fatura `id`: a defect there is logged and the field left empty, because the fatura is
/// still payable by what it says elsewhere (only `valor_atual` and the linha decide what is paid).
fn optional<T>(id: &str, read: Result<Option<T>, Defect>) -> Option<T> {
    read.unwrap_or_else(|defect| {
        tracing::warn!(fatura.id = id, reason = %defect, "ERP fatura field ignored");
        None
    })
}

/// The PIX copia-e-cola of fatura `id`, if present and valid. An invalid one is logged and dropped: the kiosk
/// still offers the boleto, or the configured PIX key.
fn pix_code(r: &Record, id: &str) -> Option<String> {
    let code = text(r, &["pix_code"])?;
    match pix::decode(&code) {
        Ok(brcode) => Some(brcode.payload),
        Err(error) => {
            tracing::warn!(id, reason = %error, "ERP pix_code ignored");
            None
        }
    }
}

/// The documento of a record, normalised. Absent or unreadable, it is `requested`; readable and different from
/// `requested`, the record is refused (an ERP that ignores the filter must not show a customer someone else's data).
fn record_documento(r: &Record, fields: &[&str], requested: Option<&str>) -> Result<String, Defect> {
    let read = text(r, fields).map(|text| documento::parse(&text));
    match (read, requested) {
        (Some(Ok(read)), Some(requested)) if read.numero() != requested => Err(Defect::OtherDocumento),
        (Some(Ok(read)), _) => Ok(read.numero().to_owned()),
        (Some(Err(error)), Some(requested)) => {
            tracing::debug!(reason = %error, "ERP record documento unreadable; using the one asked for");
            Ok(requested.to_owned())
        }
        (None, Some(requested)) => Ok(requested.to_owned()),
        (_, None) => Err(Defect::MissingDocumento),
    }
}

/// The cliente in a cliente answer, which may be an object or a list. `Ok(None)` when the answer is empty (`[]`,
/// `{}`) or holds only other customers; a record of this customer that cannot be read is an error.
pub(super) fn cliente(body: Value, documento: &str) -> Result<Option<Cliente>, String> {
    let mut defect = None;
    for (index, record) in records(body)?.iter().enumerate() {
        match cliente_from(record, documento) {
            Ok(cliente) => return Ok(Some(cliente)),
            Err(Defect::OtherDocumento) => {
                tracing::warn!(index, "ERP answered another customer than the one asked; skipped");
            }
            Err(other) => {
                tracing::warn!(index, reason = %other, "ERP cliente skipped");
                defect.get_or_insert(other);
            }
        }
    }
    match defect {
        Some(defect) => Err(format!("cliente com defeito: {defect}")),
        None => Ok(None),
    }
}

/// One cliente record, short (newer) or long (older) form.
fn cliente_from(record: &Value, documento: &str) -> Result<Cliente, Defect> {
    let r = record.as_object().ok_or(Defect::NotAnObject)?;
    let documento = record_documento(r, CLIENTE_DOCUMENTO_FIELDS, Some(documento))?;
    let fantasia = text(r, &["fantasia", "nome_fantasia"]);
    let nome = text(r, CLIENTE_NOME_FIELDS)
        .or_else(|| fantasia.clone())
        .ok_or(Defect::MissingNome {
            fields: "nome_completo, nome, razao_social, fantasia",
        })?;
    let ativo = flag(r, "ativo").unwrap_or_else(|defect| {
        tracing::warn!(reason = %defect, "ERP cliente field ignored");
        None
    });
    Ok(Cliente {
        documento,
        id: text(r, CLIENTE_ID_FIELDS),
        nome,
        nome_fantasia: fantasia,
        ativo,
        id_contrato: text(r, &["id_contrato", "contrato"]),
        endereco: Endereco {
            logradouro: text(r, &["rua_endereco", "endereco", "logradouro"]),
            numero: text(r, &["numero_endereco", "numero"]),
            complemento: text(r, &["complemento_endereco", "complemento"]),
            bairro: text(r, &["bairro_endereco", "bairro"]),
            cidade: text(r, &["cidade_endereco", "cidade"]),
            uf: text(r, &["estado_endereco", "uf", "estado"]),
            cep: text(r, &["cep_endereco", "cep"]),
        },
        email: text(r, &["email"]),
        // A mobile number first: the kiosk uses it to send receipts, which a landline cannot take.
        telefone: text(
            r,
            &[
                "telefone_celular",
                "whatsapp",
                "celular",
                "fone",
                "telefone",
                "telefone_comercial",
            ],
        ),
    })
}

/// The contracts in a contratos answer; malformed records are logged and skipped.
pub(super) fn contratos(body: Value) -> Result<Vec<Contrato>, String> {
    let mut contratos = Vec::new();
    for (index, record) in records(body)?.iter().enumerate() {
        let read = record.as_object().ok_or(Defect::NotAnObject).and_then(|r| {
            Ok(Contrato {
                id: text(r, CONTRATO_ID_FIELDS).ok_or(Defect::MissingId {
                    fields: "remote_id, id_contrato, contrato",
                })?,
                nome: text(r, &["contract_name", "endereco", "nome", "descricao"]),
            })
        });
        match read {
            Ok(contrato) => contratos.push(contrato),
            Err(defect) => tracing::warn!(index, reason = %defect, "ERP contrato skipped"),
        }
    }
    Ok(contratos)
}

/// The PDF bytes of a boleto answer `{"base_64": "..."}`. `Ok(None)` when the ERP has no PDF (blank field); bytes
/// that are not a PDF are an error, so a kiosk never hands a customer an HTML error page as "the boleto".
pub(super) fn boleto_pdf(body: Value) -> Result<Option<Vec<u8>>, String> {
    let r = body
        .as_object()
        .ok_or_else(|| format!("esperava um objeto JSON, veio {}", json_kind(&body)))?;
    let Some(text) = text(r, &["base_64"]) else {
        return Ok(None);
    };
    // Some adapters send a data URL, others MIME-style base64 broken into lines.
    let data_b64 = text
        .split_once("base64,")
        .map_or(text.as_str(), |(_, data_b64)| data_b64);
    let clean: Vec<u8> = data_b64.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(&clean)
        .map_err(|error| format!("base_64 ilegível: {error}"))?;
    if !pdf.starts_with(b"%PDF-") {
        return Err("base_64 não contém um PDF".to_owned());
    }
    Ok(Some(pdf))
}

/// The service status in a desbloqueio answer `{"status": "..."}` (possibly empty).
pub(super) fn desbloqueio_status(body: Value) -> Result<String, String> {
    let r = body
        .as_object()
        .ok_or_else(|| format!("esperava um objeto JSON, veio {}", json_kind(&body)))?;
    match r.get("status") {
        Some(Value::String(status)) => Ok(status.trim().to_owned()),
        Some(Value::Number(number)) => Ok(number.to_string()),
        Some(Value::Null) => Ok(String::new()),
        Some(other) => Err(format!("status inesperado: {}", json_kind(other))),
        None => Err("resposta sem o campo status".to_owned()),
    }
}

/// The longest wait a `Retry-After` may impose: a misconfigured ERP asking for days must not park payments.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60 * 60);

/// The JSON body of a baixa, with every name either generation of the contract reads (seed 000: `boleto_id`,
/// `customer_document_number`, `transaction`; seed 001: `id_cliente`, `id_fatura`; seed 002: `id_empresa`,
/// `id_conta`) and borda's idempotency key. Absent values are left out rather than sent as `null`, which some
/// adapters store as the text "null".
pub(super) fn baixa_body(baixa: &Baixa, ids: &IdsForma<'_>) -> Value {
    let mut body = Map::new();
    let mut put = |name: &str, valor: Value| {
        body.insert(name.to_owned(), valor);
    };
    if let Some(id_cliente) = &baixa.id_cliente {
        put("id_cliente", json!(id_cliente));
    }
    put("id_fatura", json!(baixa.fatura_id));
    put("boleto_id", json!(baixa.fatura_id));
    put("customer_document_number", json!(baixa.documento));
    put("valor", json!(baixa.valor.to_string()));
    put(
        "data_pagamento",
        json!(baixa.pago_em.to_rfc3339_opts(SecondsFormat::Secs, false)),
    );
    put("forma_pagamento", json!(baixa.forma().as_str()));
    put("transaction", transaction(&baixa.transacao));
    if let Some(id_empresa) = ids.id_empresa {
        put("id_empresa", json!(id_empresa));
    }
    if let Some(id_conta) = ids.id_conta {
        put("id_conta", json!(id_conta));
    }
    put("idempotency_key", json!(baixa.id));
    Value::Object(body)
}

/// The payment as the ERP records it: which rail, and the references a reconciliation needs.
fn transaction(transacao: &Transacao) -> Value {
    let mut record = Map::new();
    match transacao {
        Transacao::Pix { e2e_id, txid } => {
            record.insert("tipo".into(), json!("pix"));
            record.insert("e2e_id".into(), json!(e2e_id));
            if let Some(txid) = txid {
                record.insert("txid".into(), json!(txid));
            }
        }
        Transacao::Tef {
            nsu,
            autorizacao,
            bandeira,
            comprovante_cliente,
            comprovante_estabelecimento,
        } => {
            record.insert("tipo".into(), json!("tef"));
            record.insert("nsu".into(), json!(nsu));
            record.insert("autorizacao".into(), json!(autorizacao));
            if let Some(bandeira) = bandeira {
                record.insert("bandeira".into(), json!(bandeira));
            }
            record.insert("comprovante_cliente".into(), json!(comprovante_cliente));
            record.insert("comprovante_estabelecimento".into(), json!(comprovante_estabelecimento));
        }
    }
    Value::Object(record)
}

/// What an HTTP answer to a baixa means (offline.md §2.2). `body` is the whole body, or why it could not be read
/// whole; `retry_after` is the answer's `Retry-After`, already read.
///
/// Only a 2xx in the contract's shape is [`EnvioBaixa::Aceita`]; a 2xx whose body is unreadable or of another
/// shape may have booked the payment, so it is [`EnvioBaixa::Incerta`], never a guess either way.
pub(super) fn baixa_answer(status: u16, body: Result<&[u8], &str>, retry_after: Option<Duration>) -> EnvioBaixa {
    match status {
        200..=299 => {
            let bytes = match body {
                Ok(bytes) => bytes,
                Err(reason) => {
                    return EnvioBaixa::Incerta {
                        motivo: format!("resposta {status} sem corpo legível: {reason}"),
                        retry_after,
                    };
                }
            };
            match baixa_accepted(bytes) {
                Ok(true) => EnvioBaixa::Aceita {
                    resposta: truncated_text(bytes),
                },
                Ok(false) => EnvioBaixa::Recusada {
                    status,
                    resposta: truncated_text(bytes),
                },
                Err(reason) => EnvioBaixa::Incerta {
                    motivo: format!("resposta {status} fora do contrato: {reason}"),
                    retry_after,
                },
            }
        }
        408 => EnvioBaixa::Incerta {
            motivo: "o ERP desistiu de esperar o pedido (408)".into(),
            retry_after,
        },
        // Credentials are checked before the request is handled: nothing was booked, and the refusal is about
        // borda's configuration, not this payment.
        401 | 403 => EnvioBaixa::NaoAutorizada { status },
        // A rate limit is applied before the request is handled: nothing was booked.
        429 => EnvioBaixa::NaoEnviada {
            motivo: "limite de requisições do ERP atingido (429)".into(),
            retry_after,
        },
        400..=499 => EnvioBaixa::Recusada {
            status,
            resposta: body.map(truncated_text).unwrap_or_default(),
        },
        500..=599 => EnvioBaixa::Incerta {
            motivo: format!("o ERP respondeu com erro {status}"),
            retry_after,
        },
        // Informational and redirect statuses (redirects are not followed; the client names their `Location` before
        // getting here) and nonsense above 599 are outside the contract; the request may have been processed.
        _ => EnvioBaixa::Incerta {
            motivo: format!("status inesperado {status}"),
            retry_after,
        },
    }
}

/// Whether a 2xx body accepts the baixa: `{"success": bool, "api_response": any}` (seed 000) says so itself, and
/// `{"status": any}` (seed 001) is an acceptance whatever the status text. Anything else is not the contract.
fn baixa_accepted(body: &[u8]) -> Result<bool, String> {
    let value: Value = serde_json::from_slice(body).map_err(|error| format!("JSON inválido: {error}"))?;
    let Value::Object(r) = value else {
        return Err(format!("esperava um objeto JSON, veio {}", json_kind(&value)));
    };
    if r.contains_key("success") {
        return match flag(&r, "success") {
            Ok(Some(success)) => Ok(success),
            Ok(None) => Err("campo success vazio".into()),
            Err(defect) => Err(defect.to_string()),
        };
    }
    if r.contains_key("status") {
        return Ok(true);
    }
    Err("sem os campos success ou status".into())
}

/// A `Retry-After` value (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date (IMF-fixdate, which every current
/// server sends) counted from `agora`; a date in the past means "now". Capped at an hour; unreadable is `None`.
pub(super) fn retry_after(valor: &str, agora: DateTime<Utc>) -> Option<Duration> {
    let valor = valor.trim();
    let wait = if !valor.is_empty() && valor.bytes().all(|b| b.is_ascii_digit()) {
        // Digits that overflow a u64 are still a (very long) delay.
        Duration::from_secs(valor.parse::<u64>().unwrap_or(u64::MAX))
    } else {
        let date = DateTime::parse_from_rfc2822(valor).ok()?;
        (date.with_timezone(&Utc) - agora).to_std().unwrap_or(Duration::ZERO)
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// The first of `fields` holding a non-blank string (trimmed) or a number (its decimal text); blank strings,
/// `null`, booleans and containers count as absent.
fn text(r: &Record, fields: &[&str]) -> Option<String> {
    fields.iter().find_map(|field| scalar(r.get(*field)?))
}

/// A scalar as text: a non-blank string trimmed, or a number's decimal text.
fn scalar(valor: &Value) -> Option<String> {
    match valor {
        Value::String(text) => Some(text.trim()).filter(|t| !t.is_empty()).map(str::to_owned),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// One or more ids: a scalar, or a list of them joined with commas (`contract_id` may name several contracts).
fn ids(r: &Record, fields: &[&str]) -> Option<String> {
    fields.iter().find_map(|field| match r.get(*field)? {
        Value::Array(list) => {
            let parts: Vec<String> = list.iter().filter_map(scalar).collect();
            Some(parts.join(",")).filter(|joined| !joined.is_empty())
        }
        other => scalar(other),
    })
}

/// A receipt header: kept as written (its leading spaces centre lines on paper), without the blank lines and
/// trailing spaces around it; blank is absent.
fn receipt_header(r: &Record, field: &str) -> Option<String> {
    match r.get(field)? {
        Value::String(text) if !text.trim().is_empty() => {
            Some(text.trim_end().trim_start_matches(['\r', '\n']).to_owned())
        }
        _ => None,
    }
}

/// The amount in the first of `fields` that is present (a non-blank string or a number), read by
/// [`Centavos::from_json`]: the one money grammar, from the text as the ERP wrote it (a number's literal text, never
/// through `f64`). A negative amount has a sign, which that grammar refuses, so it is a defect like any other
/// unreadable amount.
fn valor(r: &Record, fields: &[&str]) -> Result<Option<Centavos>, Defect> {
    let Some((field, valor)) = fields
        .iter()
        .find_map(|field| r.get(*field).filter(|v| scalar(v).is_some()).map(|v| (*field, v)))
    else {
        return Ok(None);
    };
    let valor = Centavos::from_json(valor).map_err(|error| Defect::Field {
        field: field.to_owned(),
        reason: error.to_string(),
    })?;
    Ok(Some(valor))
}

/// The date in the first of `fields` that is present: `2026-11-30`, `30/11/2026`, `30-11-2026`, or either with a
/// time after `T` or a space (the time is dropped). The all-zero dates some databases write mean absent.
fn date(r: &Record, fields: &[&str]) -> Result<Option<NaiveDate>, Defect> {
    let Some((field, text)) = first_present(r, fields) else {
        return Ok(None);
    };
    let day = text.split(['T', ' ']).next().unwrap_or_default();
    if day.bytes().all(|b| matches!(b, b'0' | b'-' | b'/')) {
        return Ok(None);
    }
    ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(day, format).ok())
        .map(Some)
        .ok_or_else(|| Defect::Field {
            field: field.to_owned(),
            reason: format!("data \"{text}\" ilegível"),
        })
}

/// A yes/no field: JSON booleans, `1`/`0`, and the strings `S`/`N`, `sim`/`não`, `true`/`false`, `1`/`0`,
/// `ativo`/`inativo` in any case. Absent or blank is `None`.
fn flag(r: &Record, field: &str) -> Result<Option<bool>, Defect> {
    let defect = |valor: &Value| Defect::Field {
        field: field.to_owned(),
        reason: format!("{valor} não é sim/não"),
    };
    match r.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(value)) => Ok(Some(*value)),
        Some(valor @ Value::Number(number)) => match number.as_u64() {
            Some(1) => Ok(Some(true)),
            Some(0) => Ok(Some(false)),
            _ => Err(defect(valor)),
        },
        Some(valor @ Value::String(text)) => match text.trim().to_lowercase().as_str() {
            "" => Ok(None),
            "s" | "sim" | "1" | "true" | "t" | "ativo" => Ok(Some(true)),
            "n" | "nao" | "não" | "0" | "false" | "f" | "inativo" => Ok(Some(false)),
            _ => Err(defect(valor)),
        },
        Some(valor) => Err(defect(valor)),
    }
}

/// The first of `fields` with a non-blank scalar, with its name (for defect messages).
fn first_present<'c>(r: &Record, fields: &[&'c str]) -> Option<(&'c str, String)> {
    fields.iter().find_map(|field| Some((*field, scalar(r.get(*field)?)?)))
}

/// A JSON value's kind, for messages about unexpected answers (never its content, which may hold personal data).
fn json_kind(valor: &Value) -> &'static str {
    match valor {
        Value::Null => "null",
        Value::Bool(_) => "um booleano",
        Value::Number(_) => "um número",
        Value::String(_) => "um texto",
        Value::Array(_) => "uma lista",
        Value::Object(_) => "um objeto",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::baixa::NovaBaixa;

    const TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 20) {
        Some(day) => day,
        None => NaiveDate::MIN,
    };
    const CPF: &str = "52998224725";

    /// A valid 47-digit linha (bank 341, due 2026-11-30, R$ 99,90) and its barcode.
    fn valid_linha() -> (String, String) {
        let vencimento = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let barras =
            boleto::codigo_barras_bancario("341", Some(vencimento), Some(Centavos::new(9990)), &"1".repeat(25))
                .unwrap();
        let decodificado = boleto::decode(&barras, TODAY).unwrap();
        (decodificado.linha_formatada(), barras)
    }

    fn valid_pix() -> String {
        pix::encode(&pix::CobrancaEstatica {
            chave: "11222333000181".into(),
            nome: "PROVEDOR".into(),
            cidade: "TAUBATE".into(),
            valor: Some(Centavos::new(9990)),
            txid: Some("F10001".into()),
            descricao: None,
        })
        .unwrap()
    }

    fn object(valor: Value) -> Record {
        valor.as_object().unwrap().clone()
    }

    fn read_fatura(valor: Value) -> Result<Fatura, Defect> {
        fatura(&valor, Some(CPF), TODAY)
    }

    #[test]
    fn valores_as_brazilian_text_or_json_numbers_are_exact() {
        let casos = [
            (json!("123.45"), 12345),
            (json!("123,45"), 12345),
            (json!("1.234,56"), 123456),
            (json!(" 99,90 "), 9990),
            (json!("1.234.567,89"), 123456789),
            (json!(123.45), 12345),
            (json!(99.9), 9990),
            (json!(100), 10000),
            (json!(0.1), 10),
            (json!("0"), 0),
        ];
        for (entrada, centavos) in casos {
            let r = object(json!({ "valor_atual": entrada.clone() }));
            assert_eq!(
                valor(&r, &["valor_atual"]),
                Ok(Some(Centavos::new(centavos))),
                "{entrada}"
            );
        }
    }

    #[test]
    fn unreadable_or_negative_valores_are_defects_and_blank_is_absent() {
        for entrada in [
            json!("1.234"),
            json!("12,345"),
            json!("abc"),
            json!(1.005),
            json!("-5,00"),
            json!(-1),
            json!(" R$ 99,90 "),
            json!("1e309"),
            json!("1x000"),
            json!("1 309"),
            serde_json::from_str::<Value>("1e2").unwrap(),
            serde_json::from_str::<Value>("1e309").unwrap(),
            serde_json::from_str::<Value>("10.001").unwrap(),
        ] {
            let r = object(json!({ "juros": entrada.clone() }));
            assert!(matches!(valor(&r, &["juros"]), Err(Defect::Field { .. })), "{entrada}");
        }
        for entrada in [json!(""), json!("   "), json!(null), json!(true)] {
            let r = object(json!({ "juros": entrada.clone() }));
            assert_eq!(valor(&r, &["juros"]), Ok(None), "{entrada}");
        }
    }

    #[test]
    fn the_first_filled_field_wins() {
        let r = object(json!({ "valor_atual": "", "valor_final": "79,90", "valor": "1,00" }));
        assert_eq!(valor(&r, VALOR_ATUAL_FIELDS), Ok(Some(Centavos::new(7990))));
    }

    #[test]
    fn dates_iso_brazilian_and_with_time() {
        let esperado = NaiveDate::from_ymd_opt(2026, 11, 30);
        for entrada in [
            "2026-11-30",
            "30/11/2026",
            "30-11-2026",
            "2026-11-30T00:00:00",
            "2026-11-30 13:45:00",
            "2026-11-30T00:00:00-03:00",
            " 30/11/2026 08:00 ",
        ] {
            let r = object(json!({ "vencimento": entrada }));
            assert_eq!(date(&r, &["vencimento"]), Ok(esperado), "{entrada}");
        }
        for vazia in ["", "0000-00-00", "00/00/0000", "0000-00-00 00:00:00"] {
            let r = object(json!({ "vencimento": vazia }));
            assert_eq!(date(&r, &["vencimento"]), Ok(None), "{vazia}");
        }
        for ruim in ["31/02/2026", "2026-13-01", "amanhã", "11/30/2026"] {
            let r = object(json!({ "vencimento": ruim }));
            assert!(date(&r, &["vencimento"]).is_err(), "{ruim}");
        }
    }

    #[test]
    fn ids_as_text_or_numbers_become_text() {
        let r = object(json!({ "a": 10003, "b": " 77 ", "c": "", "d": null, "e": false, "f": ["12", 13, ""] }));
        assert_eq!(text(&r, &["a"]).as_deref(), Some("10003"));
        assert_eq!(text(&r, &["b"]).as_deref(), Some("77"));
        assert_eq!(text(&r, &["c", "d", "e"]), None);
        assert_eq!(text(&r, &["c", "b"]).as_deref(), Some("77"));
        assert_eq!(ids(&r, &["f"]).as_deref(), Some("12,13"));
        assert_eq!(ids(&r, &["a"]).as_deref(), Some("10003"));
    }

    #[test]
    fn ativo_accepts_every_spelling_erps_use() {
        for (entrada, esperado) in [
            (json!(true), Some(true)),
            (json!(false), Some(false)),
            (json!("S"), Some(true)),
            (json!("n"), Some(false)),
            (json!("1"), Some(true)),
            (json!("0"), Some(false)),
            (json!("true"), Some(true)),
            (json!("FALSE"), Some(false)),
            (json!("Sim"), Some(true)),
            (json!("não"), Some(false)),
            (json!(1), Some(true)),
            (json!(0), Some(false)),
            (json!(""), None),
            (json!(null), None),
        ] {
            let r = object(json!({ "ativo": entrada.clone() }));
            assert_eq!(flag(&r, "ativo"), Ok(esperado), "{entrada}");
        }
        for ruim in [json!("talvez"), json!(2), json!([true])] {
            let r = object(json!({ "ativo": ruim.clone() }));
            assert!(flag(&r, "ativo").is_err(), "{ruim}");
        }
        assert_eq!(flag(&Record::new(), "ativo"), Ok(None));
    }

    #[test]
    fn fatura_of_the_newer_generation() {
        let (valid_linha, barras) = valid_linha();
        let pix = valid_pix();
        let f = read_fatura(json!({
            "id_fatura": 10001,
            "code_fatura": "10001-52998224725",
            "nome_cliente": "Maria",
            "document_number": "529.982.247-25",
            "remote_id": "501",
            "valor_inicial": "99,90",
            "valor_atual": 102.23,
            "juros": "0,33",
            "multa": 2,
            "desconto": "",
            "data_emissao": "2026-10-31",
            "data_vencimento": "2026-11-30T00:00:00",
            "historico": " Mensalidade ",
            "bank_code": "341",
            "linha_digitavel": valid_linha,
            "integration_id": 7,
            "identifier": "carteira-17",
            "pix_code": pix,
            "contract_id": "C-1001",
            "bill_receipt": "\n   PROVEDOR\nCNPJ 11.222.333/0001-81\n\n",
            "bill_pix_receipt": "  ",
            "url_boleto": "https://erp.example/b/10001.pdf",
        }))
        .unwrap();
        assert_eq!(f.id, "10001");
        assert_eq!(f.code_fatura.as_deref(), Some("10001-52998224725"));
        assert_eq!(f.documento, CPF);
        assert_eq!(f.id_cliente.as_deref(), Some("501"));
        assert_eq!(f.valor_inicial, Some(Centavos::new(9990)));
        assert_eq!(f.valor_atual, Centavos::new(10223));
        assert_eq!(f.juros, Some(Centavos::new(33)));
        assert_eq!(f.multa, Some(Centavos::new(200)));
        assert_eq!(f.desconto, None);
        assert_eq!(f.emissao, NaiveDate::from_ymd_opt(2026, 10, 31));
        assert_eq!(f.vencimento, NaiveDate::from_ymd_opt(2026, 11, 30));
        assert_eq!(f.historico.as_deref(), Some("Mensalidade"));
        assert_eq!(f.banco.as_deref(), Some("341"));
        assert_eq!(f.linha_digitavel.as_ref().map(String::len), Some(47));
        assert!(f.linha_digitavel.as_ref().unwrap().bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(f.codigo_barras.as_deref(), Some(barras.as_str()));
        assert_eq!(f.pix_code.as_deref(), Some(pix.as_str()));
        assert_eq!(f.integration_id.as_deref(), Some("7"));
        assert_eq!(f.identifier.as_deref(), Some("carteira-17"));
        assert_eq!(f.contrato.as_deref(), Some("C-1001"));
        assert_eq!(f.bill_receipt.as_deref(), Some("   PROVEDOR\nCNPJ 11.222.333/0001-81"));
        assert_eq!(f.bill_pix_receipt, None);
        assert_eq!(f.link_boleto.as_deref(), Some("https://erp.example/b/10001.pdf"));
    }

    #[test]
    fn both_generations_give_the_same_fatura() {
        let (valid_linha, _) = valid_linha();
        let nova = read_fatura(json!({
            "id_fatura": "A-1", "document_number": CPF, "remote_id": "9", "valor_inicial": "99.90",
            "valor_atual": "99,90", "data_emissao": "2026-10-31", "data_vencimento": "2026-11-30",
            "linha_digitavel": valid_linha, "link_boleto": "https://x.example/a1", "pix_code": "",
        }))
        .unwrap();
        let antiga = read_fatura(json!({
            "fatura": "A-1", "document_number": "529.982.247-25", "remote_id": 9, "valor_inicial": 99.9,
            "valor_final": "99,90", "emissao": "31/10/2026", "vencimento": "30/11/2026",
            "linha_digitavel": valid_linha.replace(['.', ' '], ""), "link_boleto": "https://x.example/a1",
        }))
        .unwrap();
        assert_eq!(nova, antiga);
        assert_eq!(nova.pix_code, None);
        assert_eq!(
            nova.banco.as_deref(),
            Some("341"),
            "the bank comes from the linha when bank_code is absent"
        );
    }

    #[test]
    fn id_and_valor_are_required() {
        assert!(matches!(
            read_fatura(json!({ "valor_atual": "1,00" })),
            Err(Defect::MissingId { .. })
        ));
        assert!(matches!(
            read_fatura(json!({ "id_fatura": "", "valor_atual": "1,00" })),
            Err(Defect::MissingId { .. })
        ));
        assert!(matches!(
            read_fatura(json!({ "id": 5 })),
            Err(Defect::MissingValor { .. })
        ));
        assert!(matches!(
            read_fatura(json!({ "id": 5, "valor": "1.000" })),
            Err(Defect::Field { .. })
        ));
        assert_eq!(read_fatura(json!(["id", 1])), Err(Defect::NotAnObject));
        let f = read_fatura(json!({ "id": 5, "valor": "1,00" })).unwrap();
        assert_eq!(
            (f.id.as_str(), f.valor_atual, f.documento.as_str()),
            ("5", Centavos::new(100), CPF)
        );
    }

    #[test]
    fn an_invalid_linha_drops_the_fatura_an_invalid_pix_only_the_pix() {
        let (valid_linha, _) = valid_linha();
        let mut digitos: Vec<u8> = valid_linha.replace(['.', ' '], "").into_bytes();
        digitos[40] = if digitos[40] == b'9' { b'0' } else { digitos[40] + 1 };
        let errada = String::from_utf8(digitos).unwrap();
        let r = read_fatura(json!({ "id": 1, "valor": "1,00", "linha_digitavel": errada }));
        assert!(matches!(r, Err(Defect::InvalidLinha(_))));

        let mut pix = valid_pix();
        let ultimo = pix.pop();
        pix.push(if ultimo == Some('0') { '1' } else { '0' });
        let f =
            read_fatura(json!({ "id": 1, "valor": "1,00", "linha_digitavel": valid_linha, "pix_code": pix })).unwrap();
        assert_eq!(f.pix_code, None);
        assert!(f.linha_digitavel.is_some());
    }

    #[test]
    fn unreadable_optional_fields_are_ignored() {
        let f = read_fatura(json!({ "id": 1, "valor": "1,00", "juros": "muito", "data_vencimento": "ontem" })).unwrap();
        assert_eq!((f.juros, f.vencimento), (None, None));
    }

    #[test]
    fn an_absent_documento_is_the_requested_one_another_is_refused() {
        let f = read_fatura(json!({ "id": 1, "valor": "1,00", "cnpj_cpf": "não informado" })).unwrap();
        assert_eq!(f.documento, CPF);
        let other = read_fatura(json!({ "id": 1, "valor": "1,00", "customer_document_number": "111.444.777-35" }));
        assert_eq!(other, Err(Defect::OtherDocumento));
        let sem = fatura(&json!({ "id": 1, "valor": "1,00" }), None, TODAY);
        assert_eq!(sem, Err(Defect::MissingDocumento));
        let cnpj = fatura(
            &json!({ "id": 1, "valor": "1,00", "document_number": "12.abc.345/01de-35" }),
            None,
            TODAY,
        );
        assert_eq!(cnpj.unwrap().documento, "12ABC34501DE35");
    }

    #[test]
    fn a_list_skips_bad_records_and_filters_by_contrato() {
        let body = json!([
            { "id_fatura": "1", "valor_atual": "10,00", "contract_id": "C1" },
            { "valor_atual": "10,00" },
            "lixo",
            { "id_fatura": "2", "valor_atual": "20,00", "contract_id": ["C2", "C3"] },
            { "id_fatura": "3", "valor_atual": "30,00" },
            { "id_fatura": "4", "valor_atual": "40,00", "document_number": "111.444.777-35" },
        ]);
        let todas = faturas(body.clone(), CPF, None, TODAY).unwrap();
        assert_eq!(todas.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), ["1", "2", "3"]);
        let c3 = faturas(body, CPF, Some("C3"), TODAY).unwrap();
        assert_eq!(c3.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), ["2", "3"]);
        assert_eq!(faturas(json!({}), CPF, None, TODAY).unwrap(), []);
        assert_eq!(
            faturas(json!({ "id": 9, "valor": 1 }), CPF, None, TODAY).unwrap().len(),
            1
        );
        assert!(faturas(json!("erro"), CPF, None, TODAY).is_err());
        assert!(faturas(json!(null), CPF, None, TODAY).is_err());
    }

    #[test]
    fn fatura_by_id_takes_an_object_or_a_list_and_checks_the_id() {
        let record = json!({ "fatura": 7, "valor_final": "7,00", "document_number": CPF });
        assert_eq!(fatura_by_id(record.clone(), "7", TODAY).unwrap().unwrap().id, "7");
        assert_eq!(
            fatura_by_id(json!([record.clone()]), "7", TODAY)
                .unwrap()
                .unwrap()
                .valor_atual,
            Centavos::new(700)
        );
        let list = json!([{ "id": 6, "valor": 6, "document_number": CPF }, record.clone()]);
        assert_eq!(fatura_by_id(list, "7", TODAY).unwrap().unwrap().id, "7");
        assert_eq!(fatura_by_id(json!([]), "7", TODAY), Ok(None));
        assert_eq!(fatura_by_id(json!({}), "7", TODAY), Ok(None));
        assert!(fatura_by_id(record, "8", TODAY).is_err());
        assert!(fatura_by_id(json!({ "fatura": 7, "valor_final": "7,00" }), "7", TODAY).is_err());
    }

    #[test]
    fn cliente_short_form() {
        let body = json!({
            "nome_completo": "Maria Aparecida Souza", "aniversario": "1985-04-12", "data_registro": "2019-03-02",
            "ativo": true, "id_remoto": 501, "id_contrato": "C-1001", "rua_endereco": "Rua das Flores",
            "numero_endereco": "45", "cep_endereco": "12020-000", "cidade_endereco": "Taubaté",
            "complemento_endereco": "", "bairro_endereco": "Jardim América", "estado_endereco": "SP",
        });
        let c = cliente(body, CPF).unwrap().unwrap();
        assert_eq!(c.documento, CPF);
        assert_eq!(c.id.as_deref(), Some("501"));
        assert_eq!(c.nome, "Maria Aparecida Souza");
        assert_eq!(c.ativo, Some(true));
        assert_eq!(c.id_contrato.as_deref(), Some("C-1001"));
        assert_eq!(
            c.endereco,
            Endereco {
                logradouro: Some("Rua das Flores".into()),
                numero: Some("45".into()),
                complemento: None,
                bairro: Some("Jardim América".into()),
                cidade: Some("Taubaté".into()),
                uf: Some("SP".into()),
                cep: Some("12020-000".into()),
            }
        );
    }

    #[test]
    fn cliente_long_form_in_a_list() {
        let body = json!([{
            "id_cliente": "377", "nome": "João Pereira Lima", "fantasia": "", "tipo_pessoa": "F",
            "cnpj_cpf": "529.982.247-25", "cep": "12030-100", "endereco": "Av. Independência", "numero": 900,
            "bairro": "Centro", "cidade": "Taubaté", "uf": "SP", "fone": "(12) 3621-0000",
            "telefone_celular": "", "whatsapp": "(12) 99123-4567", "email": "joao@example.com", "ativo": "S",
        }]);
        let c = cliente(body, CPF).unwrap().unwrap();
        assert_eq!(c.id.as_deref(), Some("377"));
        assert_eq!(c.nome, "João Pereira Lima");
        assert_eq!(c.nome_fantasia, None);
        assert_eq!(c.ativo, Some(true));
        assert_eq!(c.telefone.as_deref(), Some("(12) 99123-4567"));
        assert_eq!(c.email.as_deref(), Some("joao@example.com"));
        assert_eq!(c.endereco.logradouro.as_deref(), Some("Av. Independência"));
        assert_eq!(c.endereco.numero.as_deref(), Some("900"));
    }

    #[test]
    fn cliente_empty_of_another_or_without_nome() {
        assert_eq!(cliente(json!([]), CPF), Ok(None));
        assert_eq!(cliente(json!({}), CPF), Ok(None));
        assert_eq!(
            cliente(json!({ "nome": "Outro", "cnpj_cpf": "111.444.777-35" }), CPF),
            Ok(None)
        );
        assert!(cliente(json!({ "type": "error", "message": "x" }), CPF).is_err());
        let fantasia = cliente(json!({ "fantasia": "Padaria", "ativo": "talvez" }), CPF)
            .unwrap()
            .unwrap();
        assert_eq!((fantasia.nome.as_str(), fantasia.ativo), ("Padaria", None));
        let dois = json!([{ "nome": "Outro", "cnpj_cpf": "111.444.777-35" }, { "nome": "Certo", "cnpj_cpf": CPF }]);
        assert_eq!(cliente(dois, CPF).unwrap().unwrap().nome, "Certo");
    }

    #[test]
    fn contratos_of_both_generations() {
        let body = json!([
            { "remote_id": "C-1001", "contract_name": "Rua das Flores, 45" },
            { "id_contrato": 881, "endereco": "Av. Independência, 900" },
            { "contract_name": "sem id" },
            { "contrato": "X", "contract_name": "" },
        ]);
        let lidos = contratos(body).unwrap();
        assert_eq!(
            lidos,
            [
                Contrato {
                    id: "C-1001".into(),
                    nome: Some("Rua das Flores, 45".into())
                },
                Contrato {
                    id: "881".into(),
                    nome: Some("Av. Independência, 900".into())
                },
                Contrato {
                    id: "X".into(),
                    nome: None
                },
            ]
        );
    }

    #[test]
    fn pdf_in_base64() {
        let pdf = b"%PDF-1.4\n%%EOF\n";
        let b64 = base64::engine::general_purpose::STANDARD.encode(pdf);
        assert_eq!(boleto_pdf(json!({ "base_64": b64.clone() })), Ok(Some(pdf.to_vec())));
        let quebrado = format!("{}\n{}", &b64[..8], &b64[8..]);
        assert_eq!(boleto_pdf(json!({ "base_64": quebrado })), Ok(Some(pdf.to_vec())));
        let url = format!("data:application/pdf;base64,{b64}");
        assert_eq!(boleto_pdf(json!({ "base_64": url })), Ok(Some(pdf.to_vec())));
        assert_eq!(boleto_pdf(json!({ "base_64": "" })), Ok(None));
        let html = base64::engine::general_purpose::STANDARD.encode("<html>erro</html>");
        assert!(boleto_pdf(json!({ "base_64": html })).is_err());
        assert!(boleto_pdf(json!({ "base_64": "***" })).is_err());
        assert!(boleto_pdf(json!([])).is_err());
    }

    #[test]
    fn desbloqueio_status_answers() {
        assert_eq!(desbloqueio_status(json!({ "status": " ativo " })), Ok("ativo".into()));
        assert_eq!(desbloqueio_status(json!({ "status": "" })), Ok(String::new()));
        assert!(desbloqueio_status(json!({ "ok": true })).is_err());
        assert!(desbloqueio_status(json!("ativo")).is_err());
    }

    fn baixa(transacao: Transacao, id_cliente: Option<&str>) -> Baixa {
        let pago_em = DateTime::parse_from_rfc3339("2026-11-20T14:05:09.123-03:00").unwrap();
        let nova = NovaBaixa {
            id: "0192f0c1-7a2b-7c3d-8e4f-5a6b7c8d9e0f".into(),
            chave_idempotencia: "totem-1-42".into(),
            fatura_id: "10001".into(),
            documento: CPF.into(),
            id_cliente: id_cliente.map(str::to_owned),
            identifier: Some("carteira-109".into()),
            valor: Centavos::new(9990),
            pago_em,
            transacao,
            aguardar_erp: false,
        };
        Baixa::nova(nova, pago_em.with_timezone(&Utc))
    }

    #[test]
    fn a_pix_baixa_carries_the_names_of_every_generation() {
        let pix = Transacao::Pix {
            e2e_id: "E18236120202611201705s0123456789".into(),
            txid: Some("FAT10001".into()),
        };
        let ids = IdsForma {
            id_empresa: Some("1"),
            id_conta: Some("77"),
        };
        assert_eq!(
            baixa_body(&baixa(pix, Some("501")), &ids),
            json!({
                "id_cliente": "501",
                "id_fatura": "10001",
                "boleto_id": "10001",
                "customer_document_number": CPF,
                "valor": "99.90",
                "data_pagamento": "2026-11-20T14:05:09-03:00",
                "forma_pagamento": "pix",
                "transaction": { "tipo": "pix", "e2e_id": "E18236120202611201705s0123456789", "txid": "FAT10001" },
                "id_empresa": "1",
                "id_conta": "77",
                "idempotency_key": "0192f0c1-7a2b-7c3d-8e4f-5a6b7c8d9e0f",
            })
        );
    }

    #[test]
    fn a_tef_baixa_and_absent_values_left_out() {
        let tef = Transacao::Tef {
            nsu: "000123".into(),
            autorizacao: "A1B2C3".into(),
            bandeira: None,
            comprovante_cliente: vec!["VIA CLIENTE".into(), "  VISA CREDITO".into()],
            comprovante_estabelecimento: vec!["VIA ESTAB".into()],
        };
        let body = baixa_body(&baixa(tef, None), &IdsForma::default());
        let r = body.as_object().unwrap();
        for absent in ["id_cliente", "id_empresa", "id_conta"] {
            assert!(!r.contains_key(absent), "{absent}");
        }
        assert_eq!(r["forma_pagamento"], "tef");
        assert_eq!(
            r["transaction"],
            json!({
                "tipo": "tef", "nsu": "000123", "autorizacao": "A1B2C3",
                "comprovante_cliente": ["VIA CLIENTE", "  VISA CREDITO"],
                "comprovante_estabelecimento": ["VIA ESTAB"],
            })
        );
        let sem_txid = Transacao::Pix {
            e2e_id: "E1".into(),
            txid: None,
        };
        assert_eq!(
            baixa_body(&baixa(sem_txid, None), &IdsForma::default())["transaction"],
            json!({ "tipo": "pix", "e2e_id": "E1" })
        );
    }

    /// The outcome's variant name, so that a table can say what each answer must become.
    fn variant(envio: &EnvioBaixa) -> &'static str {
        match envio {
            EnvioBaixa::Aceita { .. } => "aceita",
            EnvioBaixa::Recusada { .. } => "recusada",
            EnvioBaixa::NaoAutorizada { .. } => "nao_autorizada",
            EnvioBaixa::NaoEnviada { .. } => "nao_enviada",
            EnvioBaixa::Incerta { .. } => "incerta",
        }
    }

    #[test]
    fn answers_to_a_baixa_are_classified() {
        let casos: &[(u16, &str, &str)] = &[
            (200, r#"{"status": ""}"#, "aceita"),
            (200, r#"{"status": "baixado"}"#, "aceita"),
            (201, r#"{"status": null, "id": 9}"#, "aceita"),
            (
                200,
                r#"{"success": true, "api_response": {"status": "baixada"}}"#,
                "aceita",
            ),
            (200, r#"{"success": "true", "api_response": null}"#, "aceita"),
            (200, r#"{"success": 1}"#, "aceita"),
            (
                200,
                r#"{"success": false, "api_response": "fatura não está em aberto"}"#,
                "recusada",
            ),
            (200, r#"{"success": "N", "status": "ok"}"#, "recusada"),
            (200, r#"{"success": "talvez"}"#, "incerta"),
            (200, r#"{"success": ""}"#, "incerta"),
            (200, r#"{"ok": true}"#, "incerta"),
            (200, r#"["status"]"#, "incerta"),
            (200, r#"{"status": "baix"#, "incerta"),
            (200, "<html>OK</html>", "incerta"),
            (204, "", "incerta"),
            (400, r#"{"erro": "campo valor"}"#, "recusada"),
            (401, "", "nao_autorizada"),
            (403, r#"{"erro": "token inválido"}"#, "nao_autorizada"),
            (404, "not found", "recusada"),
            (409, r#"{"success": false}"#, "recusada"),
            (
                422,
                r#"{"success": false, "api_response": "fatura não está em aberto"}"#,
                "recusada",
            ),
            (408, "", "incerta"),
            (429, "", "nao_enviada"),
            (500, "<b>Fatal error</b>", "incerta"),
            (502, "", "incerta"),
            (503, "", "incerta"),
            (504, "", "incerta"),
            (100, "", "incerta"),
            (302, "", "incerta"),
            (600, "", "incerta"),
        ];
        for (status, corpo, esperado) in casos {
            let envio = baixa_answer(*status, Ok(corpo.as_bytes()), None);
            assert_eq!(variant(&envio), *esperado, "{status} {corpo}: {envio:?}");
        }
    }

    #[test]
    fn credentials_refused_are_not_a_refusal_of_the_payment() {
        assert_eq!(
            baixa_answer(401, Ok(b"{\"erro\": \"token\"}"), None),
            EnvioBaixa::NaoAutorizada { status: 401 }
        );
        assert_eq!(
            baixa_answer(403, Err("x"), None),
            EnvioBaixa::NaoAutorizada { status: 403 }
        );
    }

    #[test]
    fn open_ids_come_from_the_raw_list_and_every_record_needs_one() {
        let lista = json!([
            { "id_fatura": "10001", "valor_atual": "abc" },
            { "id_fatura": 10002, "linha_digitavel": "123" },
            { "fatura": " A-7781 " },
            { "id_fatura": "", "id": "9" },
        ]);
        assert_eq!(ids_em_aberto(lista).unwrap(), ["10001", "10002", "A-7781", "9"]);
        assert_eq!(ids_em_aberto(json!([])).unwrap(), Vec::<String>::new());
        assert_eq!(ids_em_aberto(json!({})).unwrap(), Vec::<String>::new());
        assert_eq!(ids_em_aberto(json!({ "id_fatura": "5" })).unwrap(), ["5"]);
        for sem_id in [
            json!([{ "id_fatura": "1" }, { "id_fatura": "" }]),
            json!([{ "id_fatura": "1" }, { "id_fatura": null, "valor": "1,00" }]),
            json!([{ "id_fatura": "1" }, { "id_fatura": true }]),
            json!([{ "id_fatura": "1" }, "2"]),
            json!({ "faturas": [{ "id_fatura": "1" }] }),
        ] {
            let error = ids_em_aberto(sem_id.clone()).unwrap_err();
            assert!(error.contains("registro"), "{sem_id}: {error}");
        }
        for nao_lista in [json!("[]"), json!(null), json!(1), json!(true)] {
            let error = ids_em_aberto(nao_lista.clone()).unwrap_err();
            assert!(error.contains("esperava uma lista"), "{nao_lista}: {error}");
        }
    }

    #[test]
    fn the_answer_text_status_and_retry_after_are_kept() {
        let aceita = r#"{"success": true, "api_response": {"status": "baixada"}}"#;
        assert_eq!(
            baixa_answer(200, Ok(aceita.as_bytes()), None),
            EnvioBaixa::Aceita {
                resposta: aceita.into()
            }
        );
        assert_eq!(
            baixa_answer(200, Ok(br#"{"success": false}"#), None),
            EnvioBaixa::Recusada {
                status: 200,
                resposta: r#"{"success": false}"#.into()
            }
        );
        let longa = format!(r#"{{"status": "{}"}}"#, "é".repeat(4000));
        match baixa_answer(200, Ok(longa.as_bytes()), None) {
            EnvioBaixa::Aceita { resposta } => {
                assert!(resposta.len() <= 2048 && resposta.starts_with(r#"{"status": "éé"#));
            }
            other => panic!("{other:?}"),
        }
        let espera = Some(Duration::from_secs(1));
        assert_eq!(
            baixa_answer(429, Ok(b""), espera),
            EnvioBaixa::NaoEnviada {
                motivo: "limite de requisições do ERP atingido (429)".into(),
                retry_after: espera
            }
        );
        assert!(matches!(
            baixa_answer(503, Ok(b""), espera),
            EnvioBaixa::Incerta { retry_after, .. } if retry_after == espera
        ));
    }

    #[test]
    fn an_unreadable_body_is_uncertain_after_a_2xx_and_empty_after_a_refusal() {
        let envio = baixa_answer(200, Err("falha de comunicação: connection reset"), None);
        assert!(
            matches!(&envio, EnvioBaixa::Incerta { motivo, .. } if motivo.contains("connection reset")),
            "{envio:?}"
        );
        assert_eq!(
            baixa_answer(422, Err("x"), None),
            EnvioBaixa::Recusada {
                status: 422,
                resposta: String::new()
            }
        );
        assert_eq!(variant(&baixa_answer(500, Err("x"), None)), "incerta");
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let agora = DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(retry_after("1", agora), Some(Duration::from_secs(1)));
        assert_eq!(retry_after(" 120 ", agora), Some(Duration::from_secs(120)));
        assert_eq!(retry_after("0", agora), Some(Duration::ZERO));
        assert_eq!(
            retry_after("Fri, 20 Nov 2026 12:00:30 GMT", agora),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after("Fri, 20 Nov 2026 11:00:00 GMT", agora),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("86400", agora), Some(MAX_RETRY_AFTER));
        assert_eq!(retry_after("99999999999999999999999", agora), Some(MAX_RETRY_AFTER));
        for ruim in ["", "-1", "1.5", "amanhã", "Fri, 20 Nov 2026"] {
            assert_eq!(retry_after(ruim, agora), None, "{ruim:?}");
        }
    }
}
