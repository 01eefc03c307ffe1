//! The baixas table: payments recorded before they are acknowledged, and the
//! outbox the sync worker drains.
//!
//! Every write here is one `BEGIN IMMEDIATE` transaction on a connection with
//! `synchronous=FULL`: when a method returns `Ok`, the row survives a power
//! cut. Rows are never deleted.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, Transaction, TransactionBehavior, params};

use super::{Store, StoreError, format_instant, parse_instant};
use crate::domain::model::{Baixa, BaixaResumo, StatusBaixa, Transacao};
use crate::domain::money::Centavos;

/// The outcome of recording a baixa.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Registro {
    /// Recorded now.
    Nova(Baixa),
    /// The same key with the same request was recorded before: this is it.
    Repetida(Baixa),
    /// The key was used before for a different request.
    ChaveComOutroPedido,
    /// The fatura already has a baixa that is pending or synced.
    FaturaComBaixa(Baixa),
}

/// The worker's next piece of work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Proxima {
    /// This baixa is due now.
    Agora(Box<Baixa>),
    /// Nothing is due; the earliest pending baixa is due then.
    Depois(DateTime<Utc>),
    /// Nothing is pending.
    Nenhuma,
}

/// How an attempt ended, as the worker records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resultado {
    /// The ERP booked it, or (`reconciliada`) shows the fatura paid.
    Sincronizada {
        resposta: Option<String>,
        reconciliada: bool,
        em: DateTime<Utc>,
    },
    /// The ERP refused it: kept for an operator.
    Falhou { erro: String, resposta: String },
    /// Try again at `proxima`; `incerto` when the ERP may have booked the attempt.
    Adiada {
        erro: String,
        proxima: DateTime<Utc>,
        incerto: bool,
    },
}

/// The columns every read selects, in the order [`from_row`] reads them.
const COLUMNS: &str = "id, chave_idempotencia, fatura_id, documento, id_cliente, identifier, forma, valor_centavos, \
     pago_em, transacao, status, aguardar_erp, tentativas, ultimo_erro, resposta_erp, envio_incerto, reconciliada, \
     criada_em, proxima_tentativa, sincronizada_em";

impl Store {
    /// Records `baixa` durably, unless its key or its fatura says it is a
    /// replay or a second payment. `pedido` is the canonical request the key
    /// stands for.
    pub async fn registrar_baixa(&self, baixa: Baixa, pedido: String) -> Result<Registro, StoreError> {
        let transacao = serde_json::to_string(&baixa.transacao)?;
        self.call(TransactionBehavior::Immediate, move |tx| {
            let previous = tx
                .prepare_cached("SELECT pedido, id FROM baixas WHERE chave_idempotencia = ?1")?
                .query_row([&baixa.chave_idempotencia], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))
                .optional()?;
            if let Some((previous_pedido, id)) = previous {
                if previous_pedido != pedido {
                    return Ok(Registro::ChaveComOutroPedido);
                }
                return read_one(tx, "id = ?1", &id)?.map(Registro::Repetida).ok_or_else(missing_row);
            }
            if let Some(live) = read_one(tx, "fatura_id = ?1 AND status <> 'falhou'", &baixa.fatura_id)? {
                return Ok(Registro::FaturaComBaixa(live));
            }
            tx.prepare_cached(
                "INSERT INTO baixas (id, chave_idempotencia, pedido, fatura_id, documento, id_cliente, identifier, forma,
                     valor_centavos, pago_em, transacao, status, aguardar_erp, criada_em, proxima_tentativa)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?
            .execute(params![
                baixa.id,
                baixa.chave_idempotencia,
                pedido,
                baixa.fatura_id,
                baixa.documento,
                baixa.id_cliente,
                baixa.identifier,
                baixa.forma().as_str(),
                baixa.valor.get(),
                baixa.pago_em.to_rfc3339(),
                transacao,
                baixa.status.as_str(),
                baixa.aguardar_erp,
                format_instant(baixa.criada_em),
                format_instant(baixa.proxima_tentativa),
            ])?;
            Ok(Registro::Nova(baixa))
        })
        .await
    }

    /// The baixa with this id.
    pub async fn baixa(&self, id: &str) -> Result<Option<Baixa>, StoreError> {
        let id = id.to_owned();
        self.call(TransactionBehavior::Deferred, move |tx| read_one(tx, "id = ?1", &id))
            .await
    }

    /// The baixa recorded under this idempotency key, and the request it stands for.
    pub async fn baixa_por_chave(&self, chave: &str) -> Result<Option<(Baixa, String)>, StoreError> {
        let chave = chave.to_owned();
        self.call(TransactionBehavior::Deferred, move |tx| {
            let Some(baixa) = read_one(tx, "chave_idempotencia = ?1", &chave)? else {
                return Ok(None);
            };
            let pedido: String = tx
                .prepare_cached("SELECT pedido FROM baixas WHERE id = ?1")?
                .query_row([&baixa.id], |row| row.get(0))?;
            Ok(Some((baixa, pedido)))
        })
        .await
    }

    /// Baixas in the order they were recorded, optionally of one status; at most `limite`.
    pub async fn baixas(&self, status: Option<StatusBaixa>, limite: usize) -> Result<Vec<Baixa>, StoreError> {
        let limite = i64::try_from(limite).unwrap_or(i64::MAX);
        self.call(TransactionBehavior::Deferred, move |tx| {
            let sql = format!("SELECT {COLUMNS} FROM baixas WHERE ?1 IS NULL OR status = ?1 ORDER BY rowid LIMIT ?2");
            let mut statement = tx.prepare_cached(&sql)?;
            let rows = statement.query_map(params![status.map(StatusBaixa::as_str), limite], from_row)?;
            rows.map(|row| row?).collect()
        })
        .await
    }

    /// How many baixas are pending and how many failed.
    pub async fn contar_baixas(&self) -> Result<(u64, u64), StoreError> {
        self.call(TransactionBehavior::Deferred, |tx| {
            let (pendentes, falhas): (i64, i64) = tx
                .prepare_cached(
                    "SELECT count(*) FILTER (WHERE status = 'pendente'), count(*) FILTER (WHERE status = 'falhou')
                     FROM baixas",
                )?
                .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            Ok((
                u64::try_from(pendentes).unwrap_or(0),
                u64::try_from(falhas).unwrap_or(0),
            ))
        })
        .await
    }

    /// The local baixa of each of these faturas: the live one (pending or
    /// synced) when there is one, else the latest that failed.
    pub async fn baixas_das_faturas(&self, ids: Vec<String>) -> Result<HashMap<String, BaixaResumo>, StoreError> {
        self.call(TransactionBehavior::Deferred, move |tx| {
            let mut statement = tx.prepare_cached(
                "SELECT id, status FROM baixas WHERE fatura_id = ?1 ORDER BY status = 'falhou', rowid DESC LIMIT 1",
            )?;
            let mut found = HashMap::new();
            for fatura_id in ids {
                let row = statement
                    .query_row([&fatura_id], |row| {
                        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                    })
                    .optional()?;
                if let Some((id, status)) = row {
                    found.insert(
                        fatura_id,
                        BaixaResumo {
                            id,
                            status: parse_status(&status)?,
                        },
                    );
                }
            }
            Ok(found)
        })
        .await
    }

    /// The oldest pending baixa due at `agora`, or when the next one is due.
    pub async fn proxima_baixa(&self, agora: DateTime<Utc>) -> Result<Proxima, StoreError> {
        let agora = format_instant(agora);
        self.call(TransactionBehavior::Deferred, move |tx| {
            let due = tx
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM baixas WHERE status = 'pendente' AND proxima_tentativa <= ?1
                     ORDER BY rowid LIMIT 1"
                ))?
                .query_row([&agora], from_row)
                .optional()?;
            if let Some(baixa) = due {
                return Ok(Proxima::Agora(Box::new(baixa?)));
            }
            let next: Option<String> = tx
                .prepare_cached("SELECT min(proxima_tentativa) FROM baixas WHERE status = 'pendente'")?
                .query_row([], |row| row.get(0))?;
            next.map_or(Ok(Proxima::Nenhuma), |next| Ok(Proxima::Depois(parse_instant(&next)?)))
        })
        .await
    }

    /// Counts an attempt and marks it possibly delivered, before anything is
    /// sent: a crash during the send then leaves the baixa marked uncertain,
    /// and the worker checks the fatura before sending again.
    pub async fn marcar_tentativa(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_owned();
        self.call(TransactionBehavior::Immediate, move |tx| {
            tx.prepare_cached("UPDATE baixas SET tentativas = tentativas + 1, envio_incerto = 1 WHERE id = ?1")?
                .execute([&id])?;
            Ok(())
        })
        .await
    }

    /// Records how an attempt ended.
    pub async fn registrar_resultado(&self, id: &str, resultado: Resultado) -> Result<(), StoreError> {
        let id = id.to_owned();
        self.call(TransactionBehavior::Immediate, move |tx| {
            match resultado {
                Resultado::Sincronizada {
                    resposta,
                    reconciliada,
                    em,
                } => tx
                    .prepare_cached(
                        "UPDATE baixas SET status = 'sincronizada', resposta_erp = coalesce(?2, resposta_erp),
                             reconciliada = ?3, envio_incerto = 0, ultimo_erro = NULL, sincronizada_em = ?4
                         WHERE id = ?1",
                    )?
                    .execute(params![id, resposta, reconciliada, format_instant(em)])?,
                Resultado::Falhou { erro, resposta } => tx
                    .prepare_cached(
                        "UPDATE baixas SET status = 'falhou', ultimo_erro = ?2, resposta_erp = ?3, envio_incerto = 0
                         WHERE id = ?1",
                    )?
                    .execute(params![id, erro, resposta])?,
                Resultado::Adiada { erro, proxima, incerto } => tx
                    .prepare_cached(
                        "UPDATE baixas SET ultimo_erro = ?2, proxima_tentativa = ?3, envio_incerto = ?4 WHERE id = ?1",
                    )?
                    .execute(params![id, erro, format_instant(proxima), incerto])?,
            };
            Ok(())
        })
        .await
    }

    /// An operator's word: a failed baixa goes back to the queue, due now.
    /// Answers the baixa as it stands afterwards; one in any other status, or
    /// whose fatura has another live baixa, is left as it is.
    pub async fn reenviar_baixa(&self, id: &str, agora: DateTime<Utc>) -> Result<Option<Baixa>, StoreError> {
        let id = id.to_owned();
        self.call(TransactionBehavior::Immediate, move |tx| {
            let Some(baixa) = read_one(tx, "id = ?1", &id)? else {
                return Ok(None);
            };
            if baixa.status != StatusBaixa::Falhou {
                return Ok(Some(baixa));
            }
            // The fatura may have been paid again meanwhile: then this one stays failed.
            if read_one(tx, "fatura_id = ?1 AND status <> 'falhou'", &baixa.fatura_id)?.is_some() {
                return Ok(Some(baixa));
            }
            tx.prepare_cached(
                "UPDATE baixas SET status = 'pendente', envio_incerto = 0, proxima_tentativa = ?2 WHERE id = ?1",
            )?
            .execute(params![id, format_instant(agora)])?;
            read_one(tx, "id = ?1", &id)
        })
        .await
    }

    /// Makes every pending baixa due at `agora` (`POST /v1/sync`, the ERP is back).
    pub async fn antecipar_baixas(&self, agora: DateTime<Utc>) -> Result<(), StoreError> {
        self.call(TransactionBehavior::Immediate, move |tx| {
            tx.prepare_cached(
                "UPDATE baixas SET proxima_tentativa = ?1 WHERE status = 'pendente' AND proxima_tentativa > ?1",
            )?
            .execute([format_instant(agora)])?;
            Ok(())
        })
        .await
    }
}

/// One baixa matching `condition` (with one `?1` parameter).
fn read_one(tx: &Transaction<'_>, condition: &str, value: &str) -> Result<Option<Baixa>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM baixas WHERE {condition} ORDER BY rowid LIMIT 1");
    tx.prepare_cached(&sql)?
        .query_row([value], from_row)
        .optional()?
        .transpose()
}

/// A row of [`COLUMNS`] as a baixa; a value borda cannot have written is [`StoreError::Corrompido`].
fn from_row(row: &Row<'_>) -> rusqlite::Result<Result<Baixa, StoreError>> {
    let text = |index: usize| row.get::<_, String>(index);
    let optional = |index: usize| row.get::<_, Option<String>>(index);
    let raw = (
        (
            text(0)?,
            text(1)?,
            text(2)?,
            text(3)?,
            optional(4)?,
            optional(5)?,
            text(6)?,
        ),
        (
            row.get::<_, i64>(7)?,
            text(8)?,
            text(9)?,
            text(10)?,
            row.get::<_, bool>(11)?,
            row.get::<_, i64>(12)?,
        ),
        (
            optional(13)?,
            optional(14)?,
            row.get::<_, bool>(15)?,
            row.get::<_, bool>(16)?,
        ),
        (text(17)?, text(18)?, optional(19)?),
    );
    Ok(decode(raw))
}

type RawBaixa = (
    (String, String, String, String, Option<String>, Option<String>, String),
    (i64, String, String, String, bool, i64),
    (Option<String>, Option<String>, bool, bool),
    (String, String, Option<String>),
);

fn decode(raw: RawBaixa) -> Result<Baixa, StoreError> {
    let (
        (id, chave_idempotencia, fatura_id, documento, id_cliente, identifier, forma),
        (valor, pago_em, transacao, status, aguardar_erp, tentativas),
        (ultimo_erro, resposta_erp, envio_incerto, reconciliada),
        (criada_em, proxima_tentativa, sincronizada_em),
    ) = raw;
    let pago_em = chrono::DateTime::parse_from_rfc3339(&pago_em)
        .map_err(|error| StoreError::Corrompido(format!("pago_em inválido {pago_em:?}: {error}")))?;
    let transacao: Transacao = serde_json::from_str(&transacao)?;
    // The column is for people reading the file; the transaction is the truth, and they must agree.
    if forma != transacao.forma().as_str() {
        return Err(StoreError::Corrompido(format!(
            "forma {forma:?} não corresponde à transação da baixa {id}"
        )));
    }
    Ok(Baixa {
        id,
        chave_idempotencia,
        fatura_id,
        documento,
        id_cliente,
        identifier,
        valor: Centavos::new(valor),
        pago_em,
        transacao,
        status: parse_status(&status)?,
        aguardar_erp,
        tentativas: u32::try_from(tentativas).unwrap_or(u32::MAX),
        ultimo_erro,
        resposta_erp,
        envio_incerto,
        reconciliada,
        criada_em: parse_instant(&criada_em)?,
        proxima_tentativa: parse_instant(&proxima_tentativa)?,
        sincronizada_em: sincronizada_em.as_deref().map(parse_instant).transpose()?,
    })
}

pub(super) fn parse_status(text: &str) -> Result<StatusBaixa, StoreError> {
    StatusBaixa::parse(text).ok_or_else(|| StoreError::Corrompido(format!("status de baixa desconhecido {text:?}")))
}

/// A row found by key a moment ago is gone: only an outside edit of the file can do that.
fn missing_row() -> StoreError {
    StoreError::Corrompido("baixa desapareceu durante a transação".into())
}
