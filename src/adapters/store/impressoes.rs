//! The impressoes table: the print queue, one job per row, each printer's worker taking its oldest queued job.
//!
//! Every write is one `BEGIN IMMEDIATE` transaction on a connection with `synchronous=FULL`: a job is on disk before
//! the client hears 202, and it is `imprimindo` on disk before a byte of it is sent. A job's status moves only
//!
//! ```text
//! na_fila ──iniciar──▶ imprimindo ──concluir──▶ impressa
//!    ▲                     │
//!    └──────devolver───────┤ (reimpressao when bytes may have reached the paper)
//!                          └──devolver(falhou)──▶ falhou
//! ```
//!
//! and each update names the status it starts from, so a stale worker cannot move a job twice. On start-up the
//! daemon calls [`Store::retomar_impressoes`]: a job still `imprimindo` was interrupted mid-send and goes back to the
//! queue marked `reimpressao`. Rows are never deleted.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, Transaction, TransactionBehavior, params};

use super::{Store, StoreError, format_instant, parse_instant};

/// What is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TipoImpressao {
    ComprovantePix,
    ComprovanteTef,
    Boleto,
    Texto,
}

impl TipoImpressao {
    pub const TODOS: [TipoImpressao; 4] = [
        TipoImpressao::ComprovantePix,
        TipoImpressao::ComprovanteTef,
        TipoImpressao::Boleto,
        TipoImpressao::Texto,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TipoImpressao::ComprovantePix => "comprovante_pix",
            TipoImpressao::ComprovanteTef => "comprovante_tef",
            TipoImpressao::Boleto => "boleto",
            TipoImpressao::Texto => "texto",
        }
    }

    pub fn parse(texto: &str) -> Option<TipoImpressao> {
        TipoImpressao::TODOS.into_iter().find(|tipo| tipo.as_str() == texto)
    }
}

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatusImpressao {
    NaFila,
    Imprimindo,
    Impressa,
    Falhou,
}

impl StatusImpressao {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusImpressao::NaFila => "na_fila",
            StatusImpressao::Imprimindo => "imprimindo",
            StatusImpressao::Impressa => "impressa",
            StatusImpressao::Falhou => "falhou",
        }
    }

    pub fn parse(texto: &str) -> Option<StatusImpressao> {
        [
            StatusImpressao::NaFila,
            StatusImpressao::Imprimindo,
            StatusImpressao::Impressa,
            StatusImpressao::Falhou,
        ]
        .into_iter()
        .find(|status| status.as_str() == texto)
    }
}

/// A print job, without its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Impressao {
    pub id: String,
    pub impressora: String,
    pub tipo: TipoImpressao,
    pub fatura_id: Option<String>,
    pub baixa_id: Option<String>,
    pub texto: Option<String>,
    pub chave_idempotencia: Option<String>,
    pub status: StatusImpressao,
    /// Why it waits (`sem_papel`, `offline`, `tampa_aberta`, `envio_interrompido`) or why it failed.
    pub motivo: Option<String>,
    /// How many times it was sent (or a send was started).
    pub tentativas: u32,
    /// It was interrupted mid-send: it prints again under a "REIMPRESSÃO" mark.
    pub reimpressao: bool,
    pub criada_em: DateTime<Utc>,
    pub impressa_em: Option<DateTime<Utc>>,
}

/// A job to queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NovaImpressao {
    pub id: String,
    pub impressora: String,
    pub tipo: TipoImpressao,
    pub fatura_id: Option<String>,
    pub baixa_id: Option<String>,
    pub texto: Option<String>,
    pub chave_idempotencia: Option<String>,
    /// The canonical request the key stands for.
    pub pedido: String,
    /// The encoded job.
    pub bytes: Vec<u8>,
    pub criada_em: DateTime<Utc>,
}

/// The outcome of queueing a job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistroImpressao {
    Nova(Impressao),
    /// The same key with the same request was queued before: this is it.
    Repetida(Impressao),
    /// The key was used before for another request.
    ChaveComOutroPedido,
}

/// A job and its bytes, for the printer's worker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trabalho {
    pub impressao: Impressao,
    pub bytes: Vec<u8>,
}

macro_rules! columns {
    () => {
        "id, impressora, tipo, fatura_id, baixa_id, texto, chave_idempotencia, status, motivo, tentativas, \
         reimpressao, criada_em, impressa_em"
    };
}

const SELECT_ID: &str = concat!("SELECT ", columns!(), " FROM impressoes WHERE id = ?1");
const SELECT_CHAVE: &str = concat!(
    "SELECT ",
    columns!(),
    ", pedido FROM impressoes WHERE chave_idempotencia = ?1"
);
const SELECT_PROXIMA: &str = concat!(
    "SELECT ",
    columns!(),
    ", bytes FROM impressoes WHERE impressora = ?1 AND status = 'na_fila' ORDER BY rowid LIMIT 1"
);

/// The columns of [`columns!`], in order.
fn from_row(row: &Row<'_>) -> rusqlite::Result<Result<Impressao, StoreError>> {
    let tipo: String = row.get(2)?;
    let status: String = row.get(7)?;
    let tentativas: i64 = row.get(9)?;
    let criada_em: String = row.get(11)?;
    let impressa_em: Option<String> = row.get(12)?;
    let mut impressao = Impressao {
        id: row.get(0)?,
        impressora: row.get(1)?,
        tipo: TipoImpressao::Texto,
        fatura_id: row.get(3)?,
        baixa_id: row.get(4)?,
        texto: row.get(5)?,
        chave_idempotencia: row.get(6)?,
        status: StatusImpressao::NaFila,
        motivo: row.get(8)?,
        tentativas: 0,
        reimpressao: row.get(10)?,
        criada_em: DateTime::<Utc>::MIN_UTC,
        impressa_em: None,
    };
    Ok((|| {
        impressao.tipo = TipoImpressao::parse(&tipo)
            .ok_or_else(|| StoreError::Corrompido(format!("tipo de impressão desconhecido {tipo:?}")))?;
        impressao.status = StatusImpressao::parse(&status)
            .ok_or_else(|| StoreError::Corrompido(format!("status de impressão desconhecido {status:?}")))?;
        impressao.tentativas = u32::try_from(tentativas).unwrap_or(u32::MAX);
        impressao.criada_em = parse_instant(&criada_em)?;
        impressao.impressa_em = impressa_em.as_deref().map(parse_instant).transpose()?;
        Ok(impressao)
    })())
}

fn read_id(tx: &Transaction<'_>, id: &str) -> Result<Option<Impressao>, StoreError> {
    tx.prepare_cached(SELECT_ID)?
        .query_row([id], from_row)
        .optional()?
        .transpose()
}

fn read_chave(tx: &Transaction<'_>, chave: &str) -> Result<Option<(Impressao, String)>, StoreError> {
    let row = tx
        .prepare_cached(SELECT_CHAVE)?
        .query_row([chave], |row| Ok((from_row(row)?, row.get::<_, String>(13)?)))
        .optional()?;
    match row {
        None => Ok(None),
        Some((impressao, pedido)) => Ok(Some((impressao?, pedido))),
    }
}

impl Store {
    /// Queues a job durably, unless its key says it is a replay (the same request: the job queued then) or a
    /// conflict (another request). The key is looked up in the transaction that inserts, so concurrent replays of
    /// one key all get the one job.
    pub async fn registrar_impressao(&self, nova: NovaImpressao) -> Result<RegistroImpressao, StoreError> {
        self.call(TransactionBehavior::Immediate, move |tx| {
            if let Some(chave) = &nova.chave_idempotencia
                && let Some((anterior, pedido)) = read_chave(tx, chave)?
            {
                return Ok(if pedido == nova.pedido {
                    RegistroImpressao::Repetida(anterior)
                } else {
                    RegistroImpressao::ChaveComOutroPedido
                });
            }
            tx.prepare_cached(
                "INSERT INTO impressoes (id, impressora, tipo, fatura_id, baixa_id, texto, chave_idempotencia, pedido,
                     bytes, status, criada_em)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'na_fila', ?10)",
            )?
            .execute(params![
                nova.id,
                nova.impressora,
                nova.tipo.as_str(),
                nova.fatura_id,
                nova.baixa_id,
                nova.texto,
                nova.chave_idempotencia,
                nova.pedido,
                nova.bytes,
                format_instant(nova.criada_em),
            ])?;
            read_id(tx, &nova.id)?
                .map(RegistroImpressao::Nova)
                .ok_or_else(|| StoreError::Corrompido("impressão desapareceu durante a transação".into()))
        })
        .await
    }

    /// The job with this id.
    pub async fn impressao(&self, id: &str) -> Result<Option<Impressao>, StoreError> {
        let id = id.to_owned();
        self.call(TransactionBehavior::Deferred, move |tx| read_id(tx, &id))
            .await
    }

    /// The job queued under this idempotency key, and the request it stands for.
    pub async fn impressao_por_chave(&self, chave: &str) -> Result<Option<(Impressao, String)>, StoreError> {
        let chave = chave.to_owned();
        self.call(TransactionBehavior::Deferred, move |tx| read_chave(tx, &chave))
            .await
    }

    /// The oldest queued job of this printer, with its bytes.
    pub async fn proxima_impressao(&self, impressora: &str) -> Result<Option<Trabalho>, StoreError> {
        let impressora = impressora.to_owned();
        self.call(TransactionBehavior::Deferred, move |tx| {
            let row = tx
                .prepare_cached(SELECT_PROXIMA)?
                .query_row([impressora], |row| Ok((from_row(row)?, row.get::<_, Vec<u8>>(13)?)))
                .optional()?;
            match row {
                None => Ok(None),
                Some((impressao, bytes)) => Ok(Some(Trabalho {
                    impressao: impressao?,
                    bytes,
                })),
            }
        })
        .await
    }

    /// Says why a queued job waits (`None`: it does not). False when it is no longer queued.
    pub async fn aguardar_impressao(&self, id: &str, motivo: Option<&'static str>) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.call(TransactionBehavior::Immediate, move |tx| {
            let n = tx
                .prepare_cached(
                    "UPDATE impressoes SET motivo = ?2 WHERE id = ?1 AND status = 'na_fila' AND motivo IS NOT ?2",
                )?
                .execute(params![id, motivo])?;
            Ok(n == 1 || read_id(tx, &id)?.is_some_and(|job| job.status == StatusImpressao::NaFila))
        })
        .await
    }

    /// Commits a queued job as `imprimindo`, one more attempt, before any byte of it is sent. False when it was not
    /// queued (nothing changed).
    pub async fn iniciar_impressao(&self, id: &str) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.call(TransactionBehavior::Immediate, move |tx| {
            let n = tx
                .prepare_cached(
                    "UPDATE impressoes SET status = 'imprimindo', motivo = NULL, tentativas = tentativas + 1
                     WHERE id = ?1 AND status = 'na_fila'",
                )?
                .execute([id])?;
            Ok(n == 1)
        })
        .await
    }

    /// A job the printer took whole: `impressa`. False when it was not `imprimindo`.
    pub async fn concluir_impressao(&self, id: &str, em: DateTime<Utc>) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.call(TransactionBehavior::Immediate, move |tx| {
            let n = tx
                .prepare_cached(
                    "UPDATE impressoes SET status = 'impressa', motivo = NULL, impressa_em = ?2
                     WHERE id = ?1 AND status = 'imprimindo'",
                )?
                .execute(params![id, format_instant(em)])?;
            Ok(n == 1)
        })
        .await
    }

    /// A send that did not complete: back to the queue with `motivo` (marked `reimpressao` when bytes may have
    /// reached the paper; a mark once set stays), or `falhou` for good. False when it was not `imprimindo`.
    pub async fn devolver_impressao(
        &self,
        id: &str,
        motivo: &'static str,
        reimpressao: bool,
        falhou: bool,
    ) -> Result<bool, StoreError> {
        let id = id.to_owned();
        let status = if falhou {
            StatusImpressao::Falhou
        } else {
            StatusImpressao::NaFila
        };
        self.call(TransactionBehavior::Immediate, move |tx| {
            let n = tx
                .prepare_cached(
                    "UPDATE impressoes SET status = ?2, motivo = ?3, reimpressao = max(reimpressao, ?4)
                     WHERE id = ?1 AND status = 'imprimindo'",
                )?
                .execute(params![id, status.as_str(), motivo, reimpressao])?;
            Ok(n == 1)
        })
        .await
    }

    /// On start-up, before any worker runs: every job still `imprimindo` was interrupted mid-send by a crash or a
    /// kill; it goes back to the queue (keeping its place) marked `reimpressao`. Answers their ids.
    pub async fn retomar_impressoes(&self) -> Result<Vec<String>, StoreError> {
        self.call(TransactionBehavior::Immediate, |tx| {
            let ids = tx
                .prepare_cached("SELECT id FROM impressoes WHERE status = 'imprimindo' ORDER BY rowid")?
                .query_map([], |row| row.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            tx.prepare_cached(
                "UPDATE impressoes SET status = 'na_fila', reimpressao = 1, motivo = 'envio_interrompido'
                 WHERE status = 'imprimindo'",
            )?
            .execute([])?;
            Ok(ids)
        })
        .await
    }

    /// How many jobs each of these printers has queued or printing: one index range each, never the table.
    pub async fn contar_filas(&self, impressoras: Vec<String>) -> Result<Vec<u64>, StoreError> {
        self.call(TransactionBehavior::Deferred, move |tx| {
            let mut count = tx.prepare_cached(
                "SELECT count(*) FROM impressoes WHERE impressora = ?1 AND status IN ('na_fila', 'imprimindo')",
            )?;
            impressoras
                .iter()
                .map(|impressora| {
                    let n: i64 = count.query_row([impressora], |row| row.get(0))?;
                    Ok(u64::try_from(n).unwrap_or(0))
                })
                .collect()
        })
        .await
    }

    /// How many print jobs there are in each status, every status listed (for `/metrics`). One pass over a table the
    /// retention purge keeps small.
    pub async fn contar_impressoes(&self) -> Result<Vec<(StatusImpressao, u64)>, StoreError> {
        let contados: Vec<(String, i64)> = self
            .call(TransactionBehavior::Deferred, |tx| {
                Ok(tx
                    .prepare_cached("SELECT status, count(*) FROM impressoes GROUP BY status")?
                    .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                    .collect::<Result<_, _>>()?)
            })
            .await?;
        let todos = [
            StatusImpressao::NaFila,
            StatusImpressao::Imprimindo,
            StatusImpressao::Impressa,
            StatusImpressao::Falhou,
        ];
        Ok(todos
            .into_iter()
            .map(|status| {
                let n = contados
                    .iter()
                    .find(|(texto, _)| texto == status.as_str())
                    .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0));
                (status, n)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nova(n: u32, impressora: &str, chave: Option<&str>) -> NovaImpressao {
        NovaImpressao {
            id: format!("job-{n:03}"),
            impressora: impressora.into(),
            tipo: TipoImpressao::Texto,
            fatura_id: None,
            baixa_id: None,
            texto: Some(format!("texto {n}")),
            chave_idempotencia: chave.map(str::to_owned),
            pedido: format!("{{\"texto\":\"texto {n}\"}}"),
            bytes: vec![0x1B, 0x40, u8::try_from(n).unwrap()],
            criada_em: DateTime::from_timestamp(1_800_000_000 + i64::from(n), 0).unwrap(),
        }
    }

    fn criada(registro: RegistroImpressao) -> Impressao {
        match registro {
            RegistroImpressao::Nova(job) => job,
            other => panic!("not new: {other:?}"),
        }
    }

    #[tokio::test]
    async fn jobs_queue_fifo_per_printer_and_move_through_their_states() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("borda.db")).unwrap();
        for n in 1..=3 {
            criada(store.registrar_impressao(nova(n, "a", None)).await.unwrap());
        }
        criada(store.registrar_impressao(nova(9, "b", None)).await.unwrap());
        assert_eq!(
            store
                .contar_filas(vec!["a".into(), "b".into(), "c".into()])
                .await
                .unwrap(),
            [3, 1, 0]
        );

        let primeira = store.proxima_impressao("a").await.unwrap().unwrap();
        assert_eq!(primeira.impressao.id, "job-001");
        assert_eq!(primeira.bytes, [0x1B, 0x40, 1]);
        assert!(store.aguardar_impressao("job-001", Some("sem_papel")).await.unwrap());
        assert_eq!(
            store.impressao("job-001").await.unwrap().unwrap().motivo.as_deref(),
            Some("sem_papel")
        );

        assert!(store.iniciar_impressao("job-001").await.unwrap());
        assert!(
            !store.iniciar_impressao("job-001").await.unwrap(),
            "only a queued job starts"
        );
        let job = store.impressao("job-001").await.unwrap().unwrap();
        assert_eq!(
            (job.status, job.tentativas, job.motivo),
            (StatusImpressao::Imprimindo, 1, None)
        );
        assert_eq!(
            store.proxima_impressao("a").await.unwrap().unwrap().impressao.id,
            "job-002"
        );

        // Interrupted: back to the queue, first in line again, marked.
        assert!(
            store
                .devolver_impressao("job-001", "envio_interrompido", true, false)
                .await
                .unwrap()
        );
        let job = store.proxima_impressao("a").await.unwrap().unwrap().impressao;
        assert_eq!((job.id.as_str(), job.reimpressao), ("job-001", true));
        assert!(store.iniciar_impressao("job-001").await.unwrap());
        // Unreachable before sending: the mark stays.
        assert!(
            store
                .devolver_impressao("job-001", "offline", false, false)
                .await
                .unwrap()
        );
        assert!(store.impressao("job-001").await.unwrap().unwrap().reimpressao);
        assert!(store.iniciar_impressao("job-001").await.unwrap());
        let em = DateTime::from_timestamp(1_800_000_100, 0).unwrap();
        assert!(store.concluir_impressao("job-001", em).await.unwrap());
        assert!(!store.concluir_impressao("job-001", em).await.unwrap());
        let job = store.impressao("job-001").await.unwrap().unwrap();
        assert_eq!(
            (job.status, job.tentativas, job.impressa_em),
            (StatusImpressao::Impressa, 3, Some(em))
        );
        assert_eq!(store.contar_filas(vec!["a".into()]).await.unwrap(), [2]);

        assert!(store.iniciar_impressao("job-002").await.unwrap());
        assert!(
            store
                .devolver_impressao("job-002", "envio_interrompido", true, true)
                .await
                .unwrap()
        );
        assert_eq!(
            store.impressao("job-002").await.unwrap().unwrap().status,
            StatusImpressao::Falhou
        );
        assert!(!store.aguardar_impressao("job-002", Some("offline")).await.unwrap());
    }

    #[tokio::test]
    async fn a_job_left_printing_is_requeued_marked_when_the_store_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("borda.db");
        {
            let store = Store::open(&path).unwrap();
            criada(store.registrar_impressao(nova(1, "a", None)).await.unwrap());
            criada(store.registrar_impressao(nova(2, "a", None)).await.unwrap());
            assert!(store.iniciar_impressao("job-001").await.unwrap());
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.retomar_impressoes().await.unwrap(), ["job-001"]);
        let job = store.proxima_impressao("a").await.unwrap().unwrap().impressao;
        assert_eq!(job.id, "job-001");
        assert!(job.reimpressao);
        assert_eq!(job.motivo.as_deref(), Some("envio_interrompido"));
        assert!(!store.impressao("job-002").await.unwrap().unwrap().reimpressao);
        assert!(store.retomar_impressoes().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_key_answers_its_job_once_and_refuses_another_request() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("borda.db")).unwrap();
        let primeira = criada(store.registrar_impressao(nova(1, "a", Some("k1"))).await.unwrap());
        let mut repetida = nova(2, "a", Some("k1"));
        repetida.pedido = nova(1, "a", None).pedido;
        assert_eq!(
            store.registrar_impressao(repetida).await.unwrap(),
            RegistroImpressao::Repetida(primeira.clone())
        );
        assert_eq!(
            store.registrar_impressao(nova(3, "a", Some("k1"))).await.unwrap(),
            RegistroImpressao::ChaveComOutroPedido
        );
        let (achada, pedido) = store.impressao_por_chave("k1").await.unwrap().unwrap();
        assert_eq!((achada, pedido), (primeira, nova(1, "a", None).pedido));
        assert_eq!(store.contar_filas(vec!["a".into()]).await.unwrap(), [1]);
        // Jobs without a key never collide.
        criada(store.registrar_impressao(nova(4, "a", None)).await.unwrap());
        criada(store.registrar_impressao(nova(5, "a", None)).await.unwrap());
    }

    #[test]
    fn the_queue_reads_an_index_not_the_table() {
        let dir = tempfile::tempdir().unwrap();
        let conn = super::super::schema::open(&dir.path().join("plano.db")).unwrap();
        for sql in [
            SELECT_PROXIMA,
            "SELECT count(*) FROM impressoes WHERE impressora = ?1 AND status IN ('na_fila', 'imprimindo')",
        ] {
            let plan: Vec<String> = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap()
                .query_map(["a"], |row| row.get::<_, String>(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(
                plan.iter().any(|step| step.contains("impressoes_fila")),
                "{sql}: {plan:?}"
            );
            assert!(!plan.iter().any(|step| step.starts_with("SCAN")), "{sql}: {plan:?}");
        }
    }
}
