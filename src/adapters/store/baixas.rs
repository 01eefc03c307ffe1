//! The baixas table: payments recorded before they are acknowledged, and the
//! outbox the sync worker drains.
//!
//! Every write here is one `BEGIN IMMEDIATE` transaction on a connection with
//! `synchronous=FULL`: when a method returns `Ok`, the row survives a power
//! cut. Rows are never deleted. A baixa's state changes only through
//! [`Store::aplicar`], which persists one transition of
//! [`crate::domain::baixa`]'s state machine and refuses it when the row is no
//! longer in the state it starts from.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, Transaction, TransactionBehavior, params};

use super::{Store, StoreError, format_instant, parse_instant};
use crate::domain::baixa::{Baixa, BaixaResumo, Estado, Evento, Politica, StatusBaixa, Transacao, transicao};
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
    /// The payment (PIX end-to-end id, TEF NSU and authorisation) already pays another live baixa.
    TransacaoJaUsada(Baixa),
}

/// What became of an operator's request to send a refused baixa again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reenvio {
    /// It was not refused: left as it is.
    NaoFalhou(Baixa),
    /// Another live baixa holds its fatura or its payment now: it stays refused.
    Bloqueada(Baixa),
    /// Back in the queue, due now.
    Reenviada(Baixa),
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

/// One step of a baixa's life, as the worker records it: a transition of the
/// state machine (or none, `de == para`, for a postponement) and what goes with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passagem {
    /// The state the baixa must be in; the update is refused otherwise.
    pub de: Estado,
    pub para: Estado,
    /// A post is recorded as sent: counts one attempt.
    pub tentativa: bool,
    /// Why it is not settled yet; cleared when `None`.
    pub ultimo_erro: Option<String>,
    /// The ERP's answer, kept verbatim; the previous one stays when `None`.
    pub resposta: Option<String>,
    /// When the worker looks at it again.
    pub proxima: DateTime<Utc>,
    pub em: DateTime<Utc>,
}

/// One page of the baixas list, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pagina {
    pub baixas: Vec<Baixa>,
    /// The id to ask `antes` of for the next page, when there is one.
    pub proximo: Option<String>,
}

/// The columns every read selects, in the order [`from_row`] reads them (a macro, so that fixed queries can be
/// made of it with `concat!`).
macro_rules! columns {
    () => {
        "id, chave_idempotencia, fatura_id, documento, id_cliente, identifier, forma, valor_centavos, pago_em, \
         transacao, status, aguardar_erp, tentativas, ultimo_erro, resposta_erp, envio_incerto, reconciliada, \
         criada_em, proxima_tentativa, sincronizada_em"
    };
}

/// The query of one baixa matching `condition`, which has one `?1` parameter.
macro_rules! select_one {
    ($condition:literal) => {
        concat!(
            "SELECT ",
            columns!(),
            " FROM baixas WHERE ",
            $condition,
            " ORDER BY rowid LIMIT 1"
        )
    };
}

const COLUMNS: &str = columns!();

/// How many baixas have one status (readiness asks it on every poll: an index range, never the table).
const COUNT_BY_STATUS: &str = "SELECT count(*) FROM baixas WHERE status = ?1";

/// The ways one baixa is looked up inside a transaction; each is a fixed query, so no SQL is ever built from input.
#[derive(Clone, Copy)]
enum Chave<'a> {
    Id(&'a str),
    Idempotencia(&'a str),
    /// The live (not failed) baixa of a fatura.
    FaturaViva(&'a str),
    /// The live baixa paid by this transaction.
    TransacaoViva(&'a str),
}

/// A state as the columns keep it: `(status, envio_incerto, reconciliada)`. [`Estado::Enviando`] and
/// [`Estado::Incerta`] are kept alike: after a crash, a post that was in flight is exactly as uncertain.
/// `aguardar_erp` is written once, when the baixa is taken, and says whether it was ever watched rather than posted.
fn colunas(estado: Estado) -> (&'static str, bool, bool) {
    let status = estado.status().as_str();
    match estado {
        Estado::Enviando | Estado::Incerta => (status, true, false),
        Estado::Reconciliada => (status, false, true),
        Estado::Pendente | Estado::AguardandoErp | Estado::Sincronizada | Estado::Falhou => (status, false, false),
    }
}

/// The state the columns say.
fn estado(status: StatusBaixa, aguardar_erp: bool, envio_incerto: bool, reconciliada: bool) -> Estado {
    match status {
        StatusBaixa::Pendente if aguardar_erp => Estado::AguardandoErp,
        StatusBaixa::Pendente if envio_incerto => Estado::Incerta,
        StatusBaixa::Pendente => Estado::Pendente,
        StatusBaixa::Sincronizada if reconciliada => Estado::Reconciliada,
        StatusBaixa::Sincronizada => Estado::Sincronizada,
        StatusBaixa::Falhou => Estado::Falhou,
    }
}

impl Store {
    /// Records `baixa` durably, unless its key, its fatura or its payment says
    /// it is a replay or a second payment. `pedido` is the canonical request
    /// the key stands for. The key is looked up in the same transaction that
    /// inserts, so concurrent replays of one key all get the one baixa.
    pub async fn registrar_baixa(&self, baixa: Baixa, pedido: String) -> Result<Registro, StoreError> {
        let transacao = serde_json::to_string(&baixa.transacao)?;
        self.call(TransactionBehavior::Immediate, move |tx| {
            let previous: Option<String> = tx
                .prepare_cached("SELECT pedido FROM baixas WHERE chave_idempotencia = ?1")?
                .query_row([&baixa.chave_idempotencia], |row| row.get(0))
                .optional()?;
            if let Some(previous) = previous {
                if previous != pedido {
                    return Ok(Registro::ChaveComOutroPedido);
                }
                let replayed = read_one(tx, Chave::Idempotencia(&baixa.chave_idempotencia))?;
                return replayed.map(Registro::Repetida).ok_or_else(missing_row);
            }
            if let Some(live) = read_one(tx, Chave::FaturaViva(&baixa.fatura_id))? {
                return Ok(Registro::FaturaComBaixa(live));
            }
            let transacao_id = baixa.transacao.identidade();
            if let Some(live) = read_one(tx, Chave::TransacaoViva(&transacao_id))? {
                return Ok(Registro::TransacaoJaUsada(live));
            }
            let (status, envio_incerto, reconciliada) = colunas(baixa.estado);
            tx.prepare_cached(
                "INSERT INTO baixas (id, chave_idempotencia, pedido, fatura_id, documento, id_cliente, identifier, forma,
                     valor_centavos, pago_em, transacao, status, aguardar_erp, envio_incerto, reconciliada, criada_em,
                     proxima_tentativa, transacao_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
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
                status,
                baixa.estado == Estado::AguardandoErp,
                envio_incerto,
                reconciliada,
                format_instant(baixa.criada_em),
                format_instant(baixa.proxima_tentativa),
                transacao_id,
            ])?;
            Ok(Registro::Nova(baixa))
        })
        .await
    }

    /// The baixa with this id.
    pub async fn baixa(&self, id: &str) -> Result<Option<Baixa>, StoreError> {
        let id = id.to_owned();
        self.call(TransactionBehavior::Deferred, move |tx| read_one(tx, Chave::Id(&id)))
            .await
    }

    /// The baixa recorded under this idempotency key, and the request it stands for.
    pub async fn baixa_por_chave(&self, chave: &str) -> Result<Option<(Baixa, String)>, StoreError> {
        let chave = chave.to_owned();
        self.call(TransactionBehavior::Deferred, move |tx| {
            let Some(baixa) = read_one(tx, Chave::Idempotencia(&chave))? else {
                return Ok(None);
            };
            let pedido: String = tx
                .prepare_cached("SELECT pedido FROM baixas WHERE id = ?1")?
                .query_row([&baixa.id], |row| row.get(0))?;
            Ok(Some((baixa, pedido)))
        })
        .await
    }

    /// Baixas newest first, optionally of one status, older than the baixa `antes` when given; at most `limite`.
    /// An `antes` that names no baixa gives an empty page.
    pub async fn baixas(
        &self,
        status: Option<StatusBaixa>,
        antes: Option<String>,
        limite: usize,
    ) -> Result<Pagina, StoreError> {
        let limite = i64::try_from(limite).unwrap_or(i64::MAX);
        self.call(TransactionBehavior::Deferred, move |tx| {
            let cursor: Option<i64> = match &antes {
                None => Some(i64::MAX),
                Some(id) => tx
                    .prepare_cached("SELECT rowid FROM baixas WHERE id = ?1")?
                    .query_row([id], |row| row.get(0))
                    .optional()?,
            };
            let Some(cursor) = cursor else {
                return Ok(Pagina {
                    baixas: Vec::new(),
                    proximo: None,
                });
            };
            let sql = format!(
                "SELECT {COLUMNS} FROM baixas WHERE (?1 IS NULL OR status = ?1) AND rowid < ?2 ORDER BY rowid DESC LIMIT ?3"
            );
            let mut statement = tx.prepare_cached(&sql)?;
            // One more than asked tells whether there is a next page.
            let rows = statement.query_map(params![status.map(StatusBaixa::as_str), cursor, limite + 1], from_row)?;
            let mut baixas = rows.map(|row| row?).collect::<Result<Vec<_>, _>>()?;
            let mais = baixas.len() > usize::try_from(limite).unwrap_or(usize::MAX);
            baixas.truncate(usize::try_from(limite).unwrap_or(usize::MAX));
            let proximo = if mais { baixas.last().map(|baixa| baixa.id.clone()) } else { None };
            Ok(Pagina { baixas, proximo })
        })
        .await
    }

    /// How many baixas are pending and how many failed: two index ranges, never a scan of the table.
    pub async fn contar_baixas(&self) -> Result<(u64, u64), StoreError> {
        self.call(TransactionBehavior::Deferred, |tx| {
            let mut count = tx.prepare_cached(COUNT_BY_STATUS)?;
            let pendentes: i64 = count.query_row([StatusBaixa::Pendente.as_str()], |row| row.get(0))?;
            let falhas: i64 = count.query_row([StatusBaixa::Falhou.as_str()], |row| row.get(0))?;
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

    /// Persists one step of baixa `id`: its state goes from `passagem.de` to `passagem.para`. Refused with
    /// [`StoreError::EstadoMudou`] when the row is not in `de` any more, so a stale copy never overwrites a newer
    /// state.
    pub async fn aplicar(&self, id: &str, passagem: Passagem) -> Result<(), StoreError> {
        let id = id.to_owned();
        self.call(TransactionBehavior::Immediate, move |tx| {
            let (de_status, de_incerto, de_reconciliada) = colunas(passagem.de);
            let (status, incerto, reconciliada) = colunas(passagem.para);
            let sincronizada = passagem.para.status() == StatusBaixa::Sincronizada;
            let changed = tx
                .prepare_cached(
                    "UPDATE baixas SET status = ?2, envio_incerto = ?3, reconciliada = ?4,
                         tentativas = tentativas + ?5, ultimo_erro = ?6, resposta_erp = coalesce(?7, resposta_erp),
                         proxima_tentativa = ?8, sincronizada_em = CASE WHEN ?9 THEN ?10 ELSE sincronizada_em END
                     WHERE id = ?1 AND status = ?11 AND envio_incerto = ?12 AND reconciliada = ?13
                       AND aguardar_erp = ?14",
                )?
                .execute(params![
                    id,
                    status,
                    incerto,
                    reconciliada,
                    i64::from(passagem.tentativa),
                    passagem.ultimo_erro,
                    passagem.resposta,
                    format_instant(passagem.proxima),
                    sincronizada,
                    format_instant(passagem.em),
                    de_status,
                    de_incerto,
                    de_reconciliada,
                    passagem.de == Estado::AguardandoErp,
                ])?;
            if changed == 1 {
                Ok(())
            } else {
                Err(StoreError::EstadoMudou(id))
            }
        })
        .await
    }

    /// An operator's word: a failed baixa goes back to the queue, due now; `None` when there is no such baixa.
    pub async fn reenviar_baixa(&self, id: &str, agora: DateTime<Utc>) -> Result<Option<Reenvio>, StoreError> {
        let id = id.to_owned();
        self.call(TransactionBehavior::Immediate, move |tx| {
            let Some(baixa) = read_one(tx, Chave::Id(&id))? else {
                return Ok(None);
            };
            let Ok(para) = transicao(baixa.estado, Evento::Reenvio, Politica::default()) else {
                return Ok(Some(Reenvio::NaoFalhou(baixa)));
            };
            let transacao_id = baixa.transacao.identidade();
            if read_one(tx, Chave::FaturaViva(&baixa.fatura_id))?.is_some()
                || read_one(tx, Chave::TransacaoViva(&transacao_id))?.is_some()
            {
                return Ok(Some(Reenvio::Bloqueada(baixa)));
            }
            let (status, incerto, reconciliada) = colunas(para);
            tx.prepare_cached(
                "UPDATE baixas SET status = ?2, envio_incerto = ?3, reconciliada = ?4, proxima_tentativa = ?5,
                     transacao_id = ?6
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                status,
                incerto,
                reconciliada,
                format_instant(agora),
                transacao_id
            ])?;
            Ok(read_one(tx, Chave::Id(&id))?.map(Reenvio::Reenviada))
        })
        .await
    }

    /// Makes every pending baixa due at `agora` (the worker paces them: `service::sync`).
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

    /// When the newest synced baixa was synced: the outbox's last sync, for the heartbeat. Walks back from the newest
    /// baixa past the pending ones only.
    pub async fn ultima_sincronizacao(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.call(TransactionBehavior::Deferred, |tx| {
            let ultima: Option<String> = tx
                .prepare_cached(
                    "SELECT sincronizada_em FROM baixas WHERE sincronizada_em IS NOT NULL ORDER BY rowid DESC LIMIT 1",
                )?
                .query_row([], |row| row.get(0))
                .optional()?;
            ultima.map(|texto| parse_instant(&texto)).transpose()
        })
        .await
    }

    /// How many baixas were taken since `desde`: the totem's own payment rate, which paces its catch-up after an
    /// outage. Looks at the latest 10,000 only (rowid order is creation order), so the count stays cheap on a file
    /// years old; more than that in the window would be paced at the floor anyway.
    pub async fn contar_baixas_desde(&self, desde: DateTime<Utc>) -> Result<u64, StoreError> {
        self.call(TransactionBehavior::Deferred, move |tx| {
            let n: i64 = tx
                .prepare_cached(
                    "SELECT count(*) FROM (SELECT criada_em FROM baixas ORDER BY rowid DESC LIMIT 10000)
                     WHERE criada_em >= ?1",
                )?
                .query_row([format_instant(desde)], |row| row.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }
}

/// One baixa found by `chave`.
fn read_one(tx: &Transaction<'_>, chave: Chave<'_>) -> Result<Option<Baixa>, StoreError> {
    let (sql, value) = match chave {
        Chave::Id(id) => (select_one!("id = ?1"), id),
        Chave::Idempotencia(key) => (select_one!("chave_idempotencia = ?1"), key),
        Chave::FaturaViva(fatura) => (select_one!("fatura_id = ?1 AND status <> 'falhou'"), fatura),
        Chave::TransacaoViva(transacao) => (select_one!("transacao_id = ?1 AND status <> 'falhou'"), transacao),
    };
    tx.prepare_cached(sql)?
        .query_row([value], from_row)
        .optional()?
        .transpose()
}

/// A row of [`COLUMNS`] as a baixa; a value borda cannot have written is [`StoreError::Corrompido`].
fn from_row(row: &Row<'_>) -> rusqlite::Result<Result<Baixa, StoreError>> {
    let text = |index: usize| row.get::<_, String>(index);
    let optional = |index: usize| row.get::<_, Option<String>>(index);
    let raw = RawBaixa {
        id: text(0)?,
        chave_idempotencia: text(1)?,
        fatura_id: text(2)?,
        documento: text(3)?,
        id_cliente: optional(4)?,
        identifier: optional(5)?,
        forma: text(6)?,
        valor: row.get(7)?,
        pago_em: text(8)?,
        transacao: text(9)?,
        status: text(10)?,
        aguardar_erp: row.get(11)?,
        tentativas: row.get(12)?,
        ultimo_erro: optional(13)?,
        resposta_erp: optional(14)?,
        envio_incerto: row.get(15)?,
        reconciliada: row.get(16)?,
        criada_em: text(17)?,
        proxima_tentativa: text(18)?,
        sincronizada_em: optional(19)?,
    };
    Ok(decode(raw))
}

/// A row as SQLite gives it, before borda reads meaning into it.
struct RawBaixa {
    id: String,
    chave_idempotencia: String,
    fatura_id: String,
    documento: String,
    id_cliente: Option<String>,
    identifier: Option<String>,
    forma: String,
    valor: i64,
    pago_em: String,
    transacao: String,
    status: String,
    aguardar_erp: bool,
    tentativas: i64,
    ultimo_erro: Option<String>,
    resposta_erp: Option<String>,
    envio_incerto: bool,
    reconciliada: bool,
    criada_em: String,
    proxima_tentativa: String,
    sincronizada_em: Option<String>,
}

fn decode(raw: RawBaixa) -> Result<Baixa, StoreError> {
    let pago_em = chrono::DateTime::parse_from_rfc3339(&raw.pago_em)
        .map_err(|error| StoreError::Corrompido(format!("pago_em inválido {:?}: {error}", raw.pago_em)))?;
    let transacao: Transacao = serde_json::from_str(&raw.transacao)?;
    // The column is for people reading the file; the transaction is the truth, and they must agree.
    if raw.forma != transacao.forma().as_str() {
        return Err(StoreError::Corrompido(format!(
            "forma {:?} não corresponde à transação da baixa {}",
            raw.forma, raw.id
        )));
    }
    let status = parse_status(&raw.status)?;
    Ok(Baixa {
        id: raw.id,
        chave_idempotencia: raw.chave_idempotencia,
        fatura_id: raw.fatura_id,
        documento: raw.documento,
        id_cliente: raw.id_cliente,
        identifier: raw.identifier,
        valor: Centavos::new(raw.valor),
        pago_em,
        transacao,
        estado: estado(status, raw.aguardar_erp, raw.envio_incerto, raw.reconciliada),
        tentativas: u32::try_from(raw.tentativas).unwrap_or(u32::MAX),
        ultimo_erro: raw.ultimo_erro,
        resposta_erp: raw.resposta_erp,
        criada_em: parse_instant(&raw.criada_em)?,
        proxima_tentativa: parse_instant(&raw.proxima_tentativa)?,
        sincronizada_em: raw.sincronizada_em.as_deref().map(parse_instant).transpose()?,
    })
}

pub(super) fn parse_status(text: &str) -> Result<StatusBaixa, StoreError> {
    StatusBaixa::parse(text).ok_or_else(|| StoreError::Corrompido(format!("status de baixa desconhecido {text:?}")))
}

/// A row found by key a moment ago is gone: only an outside edit of the file can do that.
fn missing_row() -> StoreError {
    StoreError::Corrompido("baixa desapareceu durante a transação".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_counts_read_an_index_not_the_table() {
        let dir = tempfile::tempdir().unwrap();
        let conn = super::super::schema::open(&dir.path().join("plano.db")).unwrap();
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {COUNT_BY_STATUS}"))
            .unwrap()
            .query_map(["pendente"], |row| row.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        // SEARCH walks one range of the index; SCAN (even of a covering index) reads every row.
        assert!(
            plan.iter()
                .all(|step| step.starts_with("SEARCH") && step.contains("INDEX")),
            "{plan:?}"
        );
    }

    #[test]
    fn every_state_survives_its_columns() {
        for estado in [
            Estado::Pendente,
            Estado::Incerta,
            Estado::AguardandoErp,
            Estado::Sincronizada,
            Estado::Reconciliada,
            Estado::Falhou,
        ] {
            let (status, incerto, reconciliada) = colunas(estado);
            let status = parse_status(status).unwrap();
            assert_eq!(
                super::estado(status, estado == Estado::AguardandoErp, incerto, reconciliada),
                estado
            );
        }
        let (status, incerto, reconciliada) = colunas(Estado::Enviando);
        assert_eq!(
            super::estado(parse_status(status).unwrap(), false, incerto, reconciliada),
            Estado::Incerta,
            "a post in flight reads back as uncertain"
        );
    }
}
