//! The SQLite file: borda's offline cache of the ERP, and the home of every record borda keeps on disk.
//!
//! This is the only module with SQL. One dedicated OS thread, `borda-store`, owns the [`rusqlite::Connection`];
//! [`Store`] is a cheap cloneable handle that sends that thread boxed jobs over a bounded channel and awaits each
//! answer on a `oneshot`. Every public method is one job and one transaction, which gives all writes a total order
//! and no self-inflicted `SQLITE_BUSY`. Cached objects are stored as the JSON of [`crate::domain::model`] next to the key
//! columns queries use; JSON is encoded and decoded on the caller's task, not on the store thread. A cached row that
//! cannot be read (another [`FORMATO_CACHE`], or JSON that does not decode) is a cache miss, never an error: the cache
//! is a copy of upstream, and the read-through refetches what it misses.
//!
//! The module must never do network or other slow work inside a job (one slow job stalls every caller), never log a
//! document, and never keep a transaction open across jobs.

mod baixas;
mod chamados;
mod credito;
mod impressoes;
mod listas;
mod schema;

pub use baixas::{Pagina, Passagem, Proxima, Reenvio, Registro};
pub use chamados::ReservaChamado;
pub use credito::{ConsumoRegistrado, NovoConsumo, RegistroConsumo};
pub use impressoes::{Impressao, NovaImpressao, RegistroImpressao, StatusImpressao, TipoImpressao, Trabalho};

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, ErrorCode, OptionalExtension, Transaction, TransactionBehavior, params};
use serde::de::DeserializeOwned;
use tokio::sync::{Semaphore, oneshot};

use crate::domain::baixa::BaixaResumo;
use crate::domain::model::{Cliente, Contrato, Fatura};

/// How many jobs may wait for the store thread. Callers beyond this wait (asynchronously) for a free slot, so an
/// overloaded store slows its callers down instead of queueing without bound; a thousand short jobs are tens of
/// milliseconds of work.
const QUEUE_CAPACITY: usize = 1024;

/// The name of the thread that owns the connection, as seen in `top -H`, `gdb` and panic messages.
const THREAD_NAME: &str = "borda-store";

/// The `consultas.lista` of open-fatura lists.
const LIST_FATURAS: &str = "faturas";

/// The `consultas.lista` of contrato lists.
const LIST_CONTRATOS: &str = "contratos";

/// The `consultas.escopo` of an unfiltered list.
const UNFILTERED: &str = "";

/// The format of the cached JSON (the `formato` column of `clientes`, `faturas`, `contratos` and `listas`): the version
/// of the serde form of [`Cliente`], [`Fatura`], [`Contrato`] and the nouns of `domain::listas` and `domain::contato`.
/// Bump it whenever that form changes so that an old row might not decode or might decode wrongly (a new required
/// field, a renamed or retyped one).
///
/// The version is a column, not an envelope inside the JSON: the JSON stays exactly the model's serde form, a row's
/// format is known (and comparable in SQL, to purge or skip) without parsing it, and the migration that added the
/// column could tag the rows already cached, where an envelope would have had to guess at rows without one. A row of
/// another format is read as a miss; so is a row of this format that fails to decode. Either is logged, counted
/// ([`Store::linhas_ilegiveis`]) and refetched by the read-through.
const FORMATO_CACHE: i64 = 1;

/// What a retention purge ([`Store::purgar`]) deleted or anonymised, in rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purga {
    pub clientes: u64,
    pub faturas: u64,
    /// List fetches, contratos and the customer's other lists (`Store::salvar_lista`).
    pub listas: u64,
    /// Synced baixas anonymised.
    pub baixas: u64,
    pub impressoes: u64,
    /// Credit answers and ledger lines.
    pub credito: u64,
    /// Idempotency keys of chamados.
    pub chamados: u64,
}

/// A value read from the cache with the instant it was fetched from upstream.
#[derive(Clone, Debug, PartialEq)]
pub struct Cached<T> {
    /// The cached value.
    pub valor: T,
    /// When upstream gave it to borda.
    pub atualizado_em: DateTime<Utc>,
}

/// Why the store could not answer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file failed its integrity check, is not a database, or holds a row borda cannot have written. The detail is
    /// SQLite's report.
    #[error("banco de dados local corrompido: {0}")]
    Corrompido(String),
    /// The file was migrated by a newer borda; this binary refuses to touch it.
    #[error("banco de dados local na versão {banco}, mais nova que a deste programa ({binario})")]
    VersaoFutura {
        /// The file's `user_version`.
        banco: i64,
        /// The newest version this binary knows.
        binario: i64,
    },
    /// `SQLITE_FULL`: the disk, the quota or the temporary area is full. Nothing of the failed call was written.
    #[error("disco cheio: o banco de dados local não pode gravar")]
    Cheio,
    /// Any other SQLite failure.
    #[error("erro no banco de dados local: {0}")]
    Sqlite(#[source] rusqlite::Error),
    /// A cached object could not be encoded or decoded as JSON.
    #[error("dado inválido no banco de dados local: {0}")]
    Json(#[from] serde_json::Error),
    /// A baixa was not in the state a transition starts from: another writer changed it first. Nothing was written.
    #[error("a baixa {0} mudou de estado enquanto era processada")]
    EstadoMudou(String),
    /// The store thread is gone (it can only stop by panicking while a handle is alive).
    #[error("banco de dados local encerrado")]
    Encerrado,
    /// The directory or the thread could not be created.
    #[error("não foi possível abrir o banco de dados local: {0}")]
    Io(#[from] std::io::Error),
}

/// The one place SQLite's error codes become store errors: callers must tell a full disk (the kiosk needs an
/// operator) and a corrupt file (the cache must be rebuilt) from a passing failure.
impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        match error.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => StoreError::Cheio,
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => StoreError::Corrompido(error.to_string()),
            _ => StoreError::Sqlite(error),
        }
    }
}

/// Work for the store thread. It receives the connection and sends its own answer, so the channel carries one type
/// whatever each method returns.
type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// A handle to the store. Clones share one thread and one connection; the thread ends when the last clone is dropped.
#[derive(Clone, Debug)]
pub struct Store {
    /// Jobs for the store thread. When every sender is gone the thread's `recv` fails and the thread ends.
    jobs: SyncSender<Job>,
    /// One permit per free slot of `jobs`. A caller takes a permit before sending and the job gives it back when the
    /// thread takes the job off the queue, so `SyncSender::send` always finds room: callers wait for the queue here,
    /// asynchronously, and never block a tokio worker inside `send`.
    slots: Arc<Semaphore>,
    /// Cached rows read as misses because they were of another format or did not decode, since the store was opened.
    ilegiveis: Arc<AtomicU64>,
    /// The number of jobs that changed a row, since the store was opened: see [`Store::geracao`].
    geracao: Arc<AtomicU64>,
}

impl Store {
    /// The schema version this binary knows: a file at a lower one is migrated by [`Store::open`], a file at a higher
    /// one refused.
    pub const VERSAO_SCHEMA: i64 = schema::SCHEMA_VERSION;

    /// Opens the database at `path` and starts the store thread.
    ///
    /// Blocking; call once at start-up. Creates the parent directory and the file when missing, sets the connection
    /// up (WAL, `synchronous=FULL`, foreign keys, a 5 s busy timeout, in-memory temporaries), refuses a file that is
    /// not a database ([`StoreError::Corrompido`]) or that a newer binary migrated ([`StoreError::VersaoFutura`]),
    /// and applies the migrations the file has not seen. It reads only what that needs, so it takes as long with a
    /// large cache as with an empty one; [`Store::verificar_integridade`] reads the whole file.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with_thread(path).map(|(store, _thread)| store)
    }

    /// `PRAGMA quick_check` of the whole file at `path`, on a read-only connection of its own so the store thread
    /// keeps answering meanwhile. Blocking (seconds on a large file read cold): run it off the async workers.
    pub fn verificar_integridade(path: &Path) -> Result<(), StoreError> {
        schema::integrity_check(path)
    }

    /// The schema version of the file at `path` (its `user_version`), read on a read-only connection of its own:
    /// never creates, migrates or writes the file, so it is safe while a daemon owns it (`borda doctor`). Compare it
    /// with [`Store::VERSAO_SCHEMA`]. Blocking.
    pub fn versao_do_arquivo(path: &Path) -> Result<i64, StoreError> {
        schema::versao_do_arquivo(path)
    }

    /// [`Store::open`], also returning the thread so that it can be joined.
    fn open_with_thread(path: &Path) -> Result<(Store, JoinHandle<()>), StoreError> {
        let conn = schema::open(path)?;
        let (jobs, queue) = sync_channel(QUEUE_CAPACITY);
        let thread = std::thread::Builder::new()
            .name(THREAD_NAME.to_owned())
            .spawn(move || run(conn, queue))?;
        tracing::info!(path = %path.display(), version = schema::SCHEMA_VERSION, "store opened");
        Ok((
            Store {
                jobs,
                slots: Arc::new(Semaphore::new(QUEUE_CAPACITY)),
                ilegiveis: Arc::new(AtomicU64::new(0)),
                geracao: Arc::new(AtomicU64::new(0)),
            },
            thread,
        ))
    }

    /// Runs `f` on the store thread inside one transaction and returns its result.
    ///
    /// Every method goes through here. `behavior` is `Deferred` for reads and `Immediate` for writes, so that a write
    /// takes SQLite's write lock before reading anything and cannot fail half-way with `SQLITE_BUSY_SNAPSHOT` when
    /// another process wrote meanwhile. The transaction commits when `f` returns `Ok` and rolls back otherwise. If the
    /// caller stops waiting, the job still runs to the end: a write is never cut in half.
    async fn call<T, F>(&self, behavior: TransactionBehavior, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let geracao = Arc::clone(&self.geracao);
        self.on_thread(move |conn| {
            let before = conn.total_changes();
            let result = in_transaction(conn, behavior, f);
            // Before the caller hears back: once a write returns, no reader can take the older generation for current.
            if conn.total_changes() != before {
                geracao.fetch_add(1, Ordering::Release);
            }
            result
        })
        .await
    }

    /// Runs `f` with the connection on the store thread and returns its result.
    async fn on_thread<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        // The semaphore is never closed, so acquiring only fails if that invariant is broken; the store is then as good
        // as gone.
        let permit = Arc::clone(&self.slots)
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Encerrado)?;
        let (reply_tx, reply_rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            // The job is off the queue: its slot is free for the next caller.
            drop(permit);
            // The caller may have stopped waiting; the work is done (and committed) regardless.
            let _ = reply_tx.send(f(conn));
        });
        self.jobs.send(job).map_err(|_| StoreError::Encerrado)?;
        reply_rx.await.map_err(|_| StoreError::Encerrado)?
    }

    /// Folds the WAL into the database file and truncates it (`PRAGMA wal_checkpoint(TRUNCATE)`), outside any
    /// transaction. For the daemon's last act: readers or writers still busy only make it partial, never wrong.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        self.on_thread(|conn| Ok(conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?))
            .await
    }

    /// Deletes or anonymises the personal data older than `corte` (LGPD retention), in one transaction: cached
    /// customers, contratos, list fetches, the customer's other lists (contacts in clear among them) and credit
    /// answers are deleted; cached faturas too, unless a baixa not yet
    /// synced needs them; synced baixas keep their id, key, fatura and amount but lose the customer's document, id and
    /// the ERP's answer (a replay of their key is then a conflict, never a second payment); printed or failed print
    /// jobs (receipts with the customer's name), the credit ledger's old lines and old chamado keys are deleted.
    /// `secure_delete` zeroes what is deleted; then the WAL is checkpointed so no copy stays in it.
    pub async fn purgar(&self, corte: DateTime<Utc>) -> Result<Purga, StoreError> {
        let corte = format_instant(corte);
        let purga = self
            .call(TransactionBehavior::Immediate, move |tx| {
                let apagar = |sql: &str| -> Result<u64, StoreError> {
                    Ok(u64::try_from(tx.prepare_cached(sql)?.execute([&corte])?).unwrap_or(u64::MAX))
                };
                Ok(Purga {
                    clientes: apagar("DELETE FROM clientes WHERE atualizado_em < ?1")?,
                    faturas: apagar(
                        "DELETE FROM faturas WHERE atualizado_em < ?1
                           AND id NOT IN (SELECT fatura_id FROM baixas WHERE status <> 'sincronizada')",
                    )?,
                    listas: apagar("DELETE FROM consultas WHERE atualizado_em < ?1")?
                        + apagar("DELETE FROM contratos WHERE atualizado_em < ?1")?
                        + apagar("DELETE FROM listas WHERE atualizado_em < ?1")?,
                    baixas: apagar(
                        "UPDATE baixas SET documento = '', id_cliente = NULL, resposta_erp = NULL, pedido = '{}'
                         WHERE status = 'sincronizada' AND sincronizada_em < ?1 AND documento <> ''",
                    )?,
                    impressoes: apagar(
                        "DELETE FROM impressoes WHERE status IN ('impressa', 'falhou') AND criada_em < ?1",
                    )?,
                    credito: apagar("DELETE FROM limites_credito WHERE consultado_em < ?1")?
                        + apagar("DELETE FROM consumos_credito WHERE registrado_em < ?1")?,
                    chamados: apagar("DELETE FROM chamados WHERE criado_em < ?1")?,
                })
            })
            .await?;
        self.checkpoint().await?;
        Ok(purga)
    }

    /// A job that does nothing: answers while the store thread takes jobs (the daemon's watchdog asks it).
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.call(TransactionBehavior::Deferred, |_| Ok(())).await
    }

    /// The store's generation: it moves on after every job that changed a row (a cached answer, a baixa, a print job),
    /// before that job's caller hears back, and never otherwise.
    ///
    /// This is what keeps a copy of the store's data held elsewhere (the API's memory of ready answers) coherent: take
    /// the generation *before* a read, keep it with what was read, and the copy is current exactly while the
    /// generation has not moved. A write between the two makes the copy look stale even if it is not (a needless
    /// miss), never the reverse. One counter for the whole file, because writes are rare next to reads (a payment, a
    /// refresh from the ERP) and a counter per customer would have to be told which customers each write touches.
    pub fn geracao(&self) -> u64 {
        self.geracao.load(Ordering::Acquire)
    }

    /// How many cached rows were read as misses because they were of another [`FORMATO_CACHE`] or did not decode,
    /// since the store was opened. On each such miss the read-through asks the ERP and, when it answers, rewrites
    /// the row.
    pub fn linhas_ilegiveis(&self) -> u64 {
        self.ilegiveis.load(Ordering::Relaxed)
    }

    /// Decodes a cached row of `tabela` written in `formato`, or None (a miss, logged at warn and counted) when it is
    /// of another format or does not decode. The log names the table, the formats and where the JSON broke, never the
    /// row's content or key: serde's message may quote a field, and a field or key may be a CPF/CNPJ.
    fn ler_linha<T: DeserializeOwned>(&self, tabela: &'static str, formato: i64, json: &str) -> Option<T> {
        if formato != FORMATO_CACHE {
            self.ilegiveis.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                tabela,
                formato,
                esperado = FORMATO_CACHE,
                "cached row of another format; read as a cache miss"
            );
            return None;
        }
        match serde_json::from_str(json) {
            Ok(valor) => Some(valor),
            Err(error) => {
                self.ilegiveis.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(
                    tabela,
                    categoria = ?error.classify(),
                    linha = error.line(),
                    coluna = error.column(),
                    "cached row does not decode; read as a cache miss"
                );
                None
            }
        }
    }

    /// Decodes a cached row (its JSON, fetch instant and format); None when there is no row or the row cannot be
    /// read ([`Store::ler_linha`]).
    fn decode_cached<T: DeserializeOwned>(
        &self,
        tabela: &'static str,
        row: Option<(String, String, i64)>,
    ) -> Result<Option<Cached<T>>, StoreError> {
        let Some((json, atualizado_em, formato)) = row else {
            return Ok(None);
        };
        let Some(valor) = self.ler_linha(tabela, formato, &json) else {
            return Ok(None);
        };
        Ok(Some(Cached {
            valor,
            atualizado_em: parse_instant(&atualizado_em)?,
        }))
    }

    /// Stores (or replaces) the customer under its documento, as fetched at `em`.
    pub async fn salvar_cliente(&self, cliente: Cliente, em: DateTime<Utc>) -> Result<(), StoreError> {
        let json = serde_json::to_string(&cliente)?;
        let documento = cliente.documento;
        let em = format_instant(em);
        self.call(TransactionBehavior::Immediate, move |tx| {
            tx.prepare_cached(
                "INSERT INTO clientes (documento, json, atualizado_em, formato) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (documento) DO UPDATE SET json = excluded.json, atualizado_em = excluded.atualizado_em,
                     formato = excluded.formato",
            )?
            .execute(params![documento, json, em, FORMATO_CACHE])?;
            Ok(())
        })
        .await
    }

    /// The cached customer with this (normalised) documento, if any; a row that cannot be read is a miss.
    pub async fn cliente(&self, documento: &str) -> Result<Option<Cached<Cliente>>, StoreError> {
        const SQL: &str = "SELECT json, atualizado_em, formato FROM clientes WHERE documento = ?1";
        self.cached_one("clientes", SQL, documento).await
    }

    /// The one cached object `sql` (one `?1` parameter, `key`) selects from `tabela`, decoded; a miss when there is
    /// none or it cannot be read.
    async fn cached_one<T: DeserializeOwned>(
        &self,
        tabela: &'static str,
        sql: &'static str,
        key: &str,
    ) -> Result<Option<Cached<T>>, StoreError> {
        let key = key.to_owned();
        let row = self
            .call(TransactionBehavior::Deferred, move |tx| {
                Ok(tx
                    .prepare_cached(sql)?
                    .query_row([key], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                    .optional()?)
            })
            .await?;
        self.decode_cached(tabela, row)
    }

    /// Replaces the cached open faturas of `documento` (only those of `contrato` when Some) by `faturas` and records
    /// the fetch; faturas of that scope missing from the new list are deleted (upstream no longer lists them as open).
    ///
    /// The rows are filed under the scope they were fetched for (`documento`, and `contrato` when filtered) rather than
    /// under the documento and contrato written inside each fatura, so the cache answers a later read exactly as
    /// upstream answered this fetch; an unfiltered list files each fatura under its own contrato. An empty `contrato` is
    /// the unfiltered list, as an empty `id_contrato` is upstream.
    pub async fn salvar_faturas(
        &self,
        documento: &str,
        contrato: Option<&str>,
        faturas: Vec<Fatura>,
        em: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let documento = documento.to_owned();
        let contrato = contrato_filter(contrato);
        let rows = faturas
            .into_iter()
            .map(|fatura| {
                let contrato_column = contrato.clone().or_else(|| fatura.contrato.clone());
                Ok((serde_json::to_string(&fatura)?, fatura.id, contrato_column))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let em = format_instant(em);
        self.call(TransactionBehavior::Immediate, move |tx| {
            match &contrato {
                // A fatura paid here stays cached: upstream stops listing it once the baixa is booked, and the
                // kiosk must still be able to show it with its baixa. One of another format cannot be shown, and
                // would make every later read of this list a miss, so it goes too.
                None => tx
                    .prepare_cached(
                        "DELETE FROM faturas WHERE documento = ?1
                           AND (id NOT IN (SELECT fatura_id FROM baixas) OR formato <> ?2)",
                    )?
                    .execute(params![documento, FORMATO_CACHE])?,
                Some(contrato) => tx
                    .prepare_cached(
                        "DELETE FROM faturas WHERE documento = ?1 AND contrato = ?2
                           AND (id NOT IN (SELECT fatura_id FROM baixas) OR formato <> ?3)",
                    )?
                    .execute(params![documento, contrato, FORMATO_CACHE])?,
            };
            let mut upsert = tx.prepare_cached(UPSERT_FATURA)?;
            for (json, id, contrato_column) in &rows {
                upsert.execute(params![id, documento, contrato_column, json, em, FORMATO_CACHE])?;
            }
            record_consulta(
                tx,
                &documento,
                LIST_FATURAS,
                contrato.as_deref().unwrap_or(UNFILTERED),
                &em,
            )
        })
        .await
    }

    /// The cached open faturas of `documento` (only those of `contrato` when Some), ordered by vencimento (faturas
    /// without one last) then id.
    ///
    /// None when this scope was never fetched; a fetch of the unfiltered list also answers any contrato filter (filter
    /// the rows by contrato; atualizado_em = the newer of the two consultas that apply). None too when any of its rows
    /// cannot be read: a list without that fatura would hide a bill from the customer, so the whole list is a miss
    /// and the read-through refetches (and rewrites) it.
    pub async fn faturas(
        &self,
        documento: &str,
        contrato: Option<&str>,
    ) -> Result<Option<Cached<Vec<(Fatura, Option<BaixaResumo>)>>>, StoreError> {
        let documento = documento.to_owned();
        let contrato = contrato_filter(contrato);
        let read = self
            .call(TransactionBehavior::Deferred, move |tx| {
                // The newest of the fetches that answer this scope: the unfiltered list always does, the filtered one
                // when there is a filter. `max` compares the text, which orders instants because `format_instant` writes
                // them all in one fixed-width form; it is NULL when there is no such fetch.
                let consulta: Option<String> = tx
                    .prepare_cached(
                        "SELECT max(atualizado_em) FROM consultas
                         WHERE documento = ?1 AND lista = ?2 AND escopo IN (?3, ?4)",
                    )?
                    .query_row(
                        params![
                            documento,
                            LIST_FATURAS,
                            UNFILTERED,
                            contrato.as_deref().unwrap_or(UNFILTERED)
                        ],
                        |row| row.get(0),
                    )?;
                let Some(consulta) = consulta else {
                    return Ok(None);
                };
                // Each fatura with its local baixa, in the same read: the live one (pending or synced) when there
                // is one, else the latest that failed. One job, because this is the kiosk's hot path.
                let rows = tx
                    .prepare_cached(
                        "SELECT f.json, f.formato, b.id, b.status FROM faturas f
                         LEFT JOIN baixas b ON b.rowid = (
                             SELECT rowid FROM baixas WHERE fatura_id = f.id ORDER BY status = 'falhou', rowid DESC LIMIT 1)
                         WHERE f.documento = ?1 AND (?2 IS NULL OR f.contrato = ?2)",
                    )?
                    .query_map(params![documento, contrato], |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, i64>(1)?,
                            row.get::<_, Option<String>>(2)?,
                            row.get::<_, Option<String>>(3)?,
                        ))
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Some((consulta, rows)))
            })
            .await?;
        let Some((consulta, rows)) = read else {
            return Ok(None);
        };
        let mut faturas = Vec::with_capacity(rows.len());
        let mut ilegivel = false;
        for (json, formato, baixa_id, status) in rows {
            let baixa = match (baixa_id, status) {
                (Some(id), Some(status)) => Some(BaixaResumo {
                    id,
                    status: baixas::parse_status(&status)?,
                }),
                _ => None,
            };
            // Every row is tried, so that each unreadable one is logged and counted.
            match self.ler_linha::<Fatura>("faturas", formato, &json) {
                Some(fatura) => faturas.push((fatura, baixa)),
                None => ilegivel = true,
            }
        }
        if ilegivel {
            return Ok(None);
        }
        faturas.sort_by(|(a, _), (b, _)| crate::domain::model::ordem(a, b));
        Ok(Some(Cached {
            valor: faturas,
            atualizado_em: parse_instant(&consulta)?,
        }))
    }

    /// Stores (or replaces) one fatura, as fetched at `em`, filed under its own documento and contrato. It does not
    /// record a list fetch: a list that was never fetched stays unknown.
    pub async fn salvar_fatura(&self, fatura: Fatura, em: DateTime<Utc>) -> Result<(), StoreError> {
        let json = serde_json::to_string(&fatura)?;
        let Fatura {
            id,
            documento,
            contrato,
            ..
        } = fatura;
        let em = format_instant(em);
        self.call(TransactionBehavior::Immediate, move |tx| {
            tx.prepare_cached(UPSERT_FATURA)?
                .execute(params![id, documento, contrato, json, em, FORMATO_CACHE])?;
            Ok(())
        })
        .await
    }

    /// The cached fatura with this ERP id, if any; a row that cannot be read is a miss.
    pub async fn fatura(&self, id: &str) -> Result<Option<Cached<Fatura>>, StoreError> {
        const SQL: &str = "SELECT json, atualizado_em, formato FROM faturas WHERE id = ?1";
        self.cached_one("faturas", SQL, id).await
    }

    /// Replaces the cached contratos of `documento` by `contratos` and records the fetch.
    pub async fn salvar_contratos(
        &self,
        documento: &str,
        contratos: Vec<Contrato>,
        em: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let documento = documento.to_owned();
        let rows = contratos
            .into_iter()
            .map(|contrato| Ok((serde_json::to_string(&contrato)?, contrato.id)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let em = format_instant(em);
        self.call(TransactionBehavior::Immediate, move |tx| {
            tx.prepare_cached("DELETE FROM contratos WHERE documento = ?1")?
                .execute([&documento])?;
            let mut upsert = tx.prepare_cached(
                "INSERT INTO contratos (documento, id, json, atualizado_em, formato) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (documento, id) DO UPDATE SET json = excluded.json, atualizado_em = excluded.atualizado_em,
                     formato = excluded.formato",
            )?;
            for (json, id) in &rows {
                upsert.execute(params![documento, id, json, em, FORMATO_CACHE])?;
            }
            record_consulta(tx, &documento, LIST_CONTRATOS, UNFILTERED, &em)
        })
        .await
    }

    /// The cached contratos of `documento`, ordered by id; None when they were never fetched, or when any of them
    /// cannot be read (the whole list is then a miss, as for faturas).
    pub async fn contratos(&self, documento: &str) -> Result<Option<Cached<Vec<Contrato>>>, StoreError> {
        let documento = documento.to_owned();
        let read = self
            .call(TransactionBehavior::Deferred, move |tx| {
                let consulta = tx
                    .prepare_cached(
                        "SELECT atualizado_em FROM consultas WHERE documento = ?1 AND lista = ?2 AND escopo = ?3",
                    )?
                    .query_row(params![documento, LIST_CONTRATOS, UNFILTERED], |row| {
                        row.get::<_, String>(0)
                    })
                    .optional()?;
                let Some(consulta) = consulta else {
                    return Ok(None);
                };
                let rows = tx
                    .prepare_cached("SELECT json, formato FROM contratos WHERE documento = ?1 ORDER BY id")?
                    .query_map([&documento], |row| {
                        Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Some((consulta, rows)))
            })
            .await?;
        let Some((consulta, rows)) = read else {
            return Ok(None);
        };
        // Every row is tried, so that each unreadable one is logged and counted.
        let contratos: Vec<Option<Contrato>> = rows
            .iter()
            .map(|(json, formato)| self.ler_linha("contratos", *formato, json))
            .collect();
        let Some(contratos) = contratos.into_iter().collect::<Option<Vec<_>>>() else {
            return Ok(None);
        };
        Ok(Some(Cached {
            valor: contratos,
            atualizado_em: parse_instant(&consulta)?,
        }))
    }
}

/// Inserts or replaces a fatura by id; shared by the list and the single-fatura writes.
const UPSERT_FATURA: &str =
    "INSERT INTO faturas (id, documento, contrato, json, atualizado_em, formato) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
     ON CONFLICT (id) DO UPDATE SET documento = excluded.documento, contrato = excluded.contrato,
         json = excluded.json, atualizado_em = excluded.atualizado_em, formato = excluded.formato";

/// The store thread: runs jobs in arrival order until every handle is gone, then closes the connection (which
/// checkpoints the WAL into the main file).
fn run(mut conn: Connection, queue: Receiver<Job>) {
    while let Ok(job) = queue.recv() {
        job(&mut conn);
    }
    if let Err((_, error)) = conn.close() {
        tracing::warn!(%error, "store connection did not close cleanly");
    }
    tracing::debug!("store thread finished");
}

/// Runs `f` in a transaction of the given kind, committing only on success. On failure the transaction is dropped,
/// which rolls it back, as SQLite recommends after errors such as `SQLITE_FULL` that may undo only part of it.
fn in_transaction<T>(
    conn: &mut Connection,
    behavior: TransactionBehavior,
    f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let tx = conn.transaction_with_behavior(behavior)?;
    let valor = f(&tx)?;
    tx.commit()?;
    Ok(valor)
}

/// Records that the list `lista` of `documento` in scope `escopo` was fetched at `em`.
fn record_consulta(
    tx: &Transaction<'_>,
    documento: &str,
    lista: &str,
    escopo: &str,
    em: &str,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO consultas (documento, lista, escopo, atualizado_em) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (documento, lista, escopo) DO UPDATE SET atualizado_em = excluded.atualizado_em",
    )?
    .execute(params![documento, lista, escopo, em])?;
    Ok(())
}

/// A contrato filter as a scope: an empty id filters nothing, as upstream treats an empty `id_contrato`.
fn contrato_filter(contrato: Option<&str>) -> Option<String> {
    contrato.filter(|contrato| !contrato.is_empty()).map(str::to_owned)
}

/// An instant as stored: RFC 3339 in UTC with all nine fraction digits, so that it reads back exactly and every stored
/// instant has the same width (text order is then time order, which `max(atualizado_em)` relies on).
fn format_instant(em: DateTime<Utc>) -> String {
    em.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// Reads an instant written by [`format_instant`]; anything else means the file was altered behind borda's back.
fn parse_instant(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|em| em.with_timezone(&Utc))
        .map_err(|error| StoreError::Corrompido(format!("instante inválido {text:?}: {error}")))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use chrono::NaiveDate;

    use super::*;
    use crate::domain::model::Endereco;
    use crate::domain::money::Centavos;

    /// A tempdir and the database path inside it; the directory lives as long as the value.
    fn temp_db() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("borda.db");
        (dir, path)
    }

    fn em(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + seconds, 123_456_789).unwrap()
    }

    fn cliente(documento: &str) -> Cliente {
        Cliente {
            documento: documento.to_owned(),
            id: Some("77".to_owned()),
            nome: "Maria da Silva".to_owned(),
            nome_fantasia: None,
            ativo: Some(true),
            id_contrato: Some("C1".to_owned()),
            endereco: Endereco {
                logradouro: Some("Rua das Flores".to_owned()),
                numero: Some("10".to_owned()),
                cidade: Some("Recife".to_owned()),
                uf: Some("PE".to_owned()),
                ..Endereco::default()
            },
            email: Some("maria@example.com".to_owned()),
            telefone: None,
        }
    }

    fn fatura(id: &str, documento: &str, contrato: Option<&str>, vencimento: Option<(i32, u32, u32)>) -> Fatura {
        Fatura {
            id: id.to_owned(),
            code_fatura: Some(format!("F-{id}")),
            documento: documento.to_owned(),
            nome_cliente: Some("Maria da Silva".to_owned()),
            id_cliente: Some("77".to_owned()),
            valor_inicial: Some(Centavos::new(9990)),
            valor_atual: Centavos::new(123_456_789),
            juros: Some(Centavos::new(12)),
            multa: None,
            desconto: Some(Centavos::new(-5)),
            emissao: NaiveDate::from_ymd_opt(2026, 1, 5),
            vencimento: vencimento.and_then(|(a, m, d)| NaiveDate::from_ymd_opt(a, m, d)),
            historico: Some("Mensalidade".to_owned()),
            banco: None,
            linha_digitavel: None,
            codigo_barras: None,
            pix_code: Some("000201...".to_owned()),
            identifier: None,
            integration_id: None,
            contrato: contrato.map(str::to_owned),
            bill_receipt: None,
            bill_pix_receipt: None,
            link_boleto: None,
        }
    }

    fn contrato(id: &str) -> Contrato {
        Contrato {
            id: id.to_owned(),
            nome: Some(format!("Instalação {id}")),
        }
    }

    fn ids(faturas: &[(Fatura, Option<BaixaResumo>)]) -> Vec<&str> {
        faturas.iter().map(|(fatura, _)| fatura.id.as_str()).collect()
    }

    /// Overwrites `path` from byte `from` to its end with garbage.
    fn damage(path: &Path, from: usize) {
        let mut bytes = std::fs::read(path).unwrap();
        assert!(bytes.len() > from, "the file is too small to damage from byte {from}");
        for (index, byte) in bytes.iter_mut().enumerate().skip(from) {
            *byte = 0xA5 ^ (index as u8);
        }
        std::fs::write(path, bytes).unwrap();
    }

    /// Opens, fills with a little of everything, and closes (joining the thread so the WAL is back in the main file).
    async fn fill_and_close(path: &Path) {
        let (store, thread) = Store::open_with_thread(path).unwrap();
        store.salvar_cliente(cliente("12345678909"), em(0)).await.unwrap();
        let faturas = (0..40)
            .map(|n| fatura(&format!("f{n}"), "12345678909", Some("C1"), None))
            .collect();
        store.salvar_faturas("12345678909", None, faturas, em(0)).await.unwrap();
        store
            .salvar_contratos("12345678909", vec![contrato("C1")], em(0))
            .await
            .unwrap();
        drop(store);
        thread.join().unwrap();
    }

    #[tokio::test]
    async fn open_creates_the_file_and_its_parent_directories() {
        use std::os::unix::fs::PermissionsExt;
        let (dir, _) = temp_db();
        let path = dir.path().join("var/lib/borda/borda.db");
        let store = Store::open(&path).unwrap();
        assert!(path.is_file());
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600,
            "owner only"
        );
        store.salvar_cliente(cliente("12345678909"), em(0)).await.unwrap();
        let mut wal = path.clone().into_os_string();
        wal.push("-wal");
        assert_eq!(
            std::fs::metadata(&wal).unwrap().permissions().mode() & 0o777,
            0o600,
            "the WAL too"
        );
        assert_eq!(store.contar_baixas().await.unwrap(), (0, 0));
    }

    #[tokio::test]
    async fn reopening_keeps_the_data_and_does_not_migrate_again() {
        let (_dir, path) = temp_db();
        fill_and_close(&path).await;
        // A second run of 0001 would fail on CREATE TABLE, so opening at all shows it was skipped.
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.cliente("12345678909").await.unwrap().unwrap().valor,
            cliente("12345678909")
        );
        assert_eq!(
            store.faturas("12345678909", None).await.unwrap().unwrap().valor.len(),
            40
        );
        let version: i64 = store
            .call(TransactionBehavior::Deferred, |tx| {
                Ok(tx.pragma_query_value(None, "user_version", |row| row.get(0))?)
            })
            .await
            .unwrap();
        assert_eq!(version, schema::SCHEMA_VERSION);
    }

    #[tokio::test]
    async fn the_connection_settings_are_in_force() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        let (journal, synchronous, foreign_keys, busy_timeout, temp_store) = store
            .call(TransactionBehavior::Deferred, |tx| {
                let journal: String = tx.pragma_query_value(None, "journal_mode", |row| row.get(0))?;
                let synchronous: i64 = tx.pragma_query_value(None, "synchronous", |row| row.get(0))?;
                let foreign_keys: i64 = tx.pragma_query_value(None, "foreign_keys", |row| row.get(0))?;
                let busy_timeout: i64 = tx.pragma_query_value(None, "busy_timeout", |row| row.get(0))?;
                let temp_store: i64 = tx.pragma_query_value(None, "temp_store", |row| row.get(0))?;
                Ok((journal, synchronous, foreign_keys, busy_timeout, temp_store))
            })
            .await
            .unwrap();
        assert_eq!(journal, "wal");
        assert_eq!(synchronous, 2, "FULL");
        assert_eq!(foreign_keys, 1);
        assert_eq!(busy_timeout, 5000);
        assert_eq!(temp_store, 2, "MEMORY");
    }

    #[test]
    fn refuses_a_schema_newer_than_the_binary() {
        let (_dir, path) = temp_db();
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
        drop(conn);
        match Store::open(&path) {
            Err(StoreError::VersaoFutura { banco: 999, binario }) => assert_eq!(binario, schema::SCHEMA_VERSION),
            other => panic!("expected VersaoFutura, got {other:?}"),
        }
        // The refusal changed nothing.
        let conn = Connection::open(&path).unwrap();
        let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0)).unwrap();
        assert_eq!(version, 999);
    }

    #[tokio::test]
    async fn the_file_version_is_read_without_creating_or_migrating() {
        let (_dir, path) = temp_db();
        assert!(Store::versao_do_arquivo(&path).is_err(), "a missing file is an error");
        assert!(!path.exists(), "reading the version never creates the file");
        fill_and_close(&path).await;
        assert_eq!(Store::versao_do_arquivo(&path).unwrap(), Store::VERSAO_SCHEMA);
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        drop(conn);
        assert_eq!(
            Store::versao_do_arquivo(&path).unwrap(),
            2,
            "an older file is not migrated"
        );
        assert_eq!(Store::versao_do_arquivo(&path).unwrap(), 2);
        damage(&path, 0);
        assert!(matches!(
            Store::versao_do_arquivo(&path),
            Err(StoreError::Corrompido(_))
        ));
    }

    #[tokio::test]
    async fn refuses_a_file_overwritten_with_garbage() {
        let (_dir, path) = temp_db();
        fill_and_close(&path).await;
        damage(&path, 0);
        match Store::open(&path) {
            Err(StoreError::Corrompido(detail)) => assert!(!detail.is_empty()),
            other => panic!("expected Corrompido, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn the_integrity_check_finds_tables_overwritten() {
        let (_dir, path) = temp_db();
        fill_and_close(&path).await;
        assert!(Store::verificar_integridade(&path).is_ok(), "a healthy file passes");
        // The header and the schema (page 1) are intact; the tables' pages are not.
        damage(&path, 4096);
        match Store::verificar_integridade(&path) {
            Err(StoreError::Corrompido(detail)) => assert_ne!(detail, "ok"),
            other => panic!("expected Corrompido, got {other:?}"),
        }
    }

    /// Retention: what is older than the cut goes, what is newer stays, and the deleted CPF and name are nowhere in
    /// the file or its WAL afterwards (`secure_delete` and the checkpoint).
    #[tokio::test]
    async fn the_retention_purge_leaves_no_trace_of_old_customers() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        let (velho, novo) = ("98765432100", "12345678909");
        let mut antigo = cliente(velho);
        antigo.nome = "Joana Antiga Prado".to_owned();
        store.salvar_cliente(antigo, em(0)).await.unwrap();
        store.salvar_cliente(cliente(novo), em(1000)).await.unwrap();
        store
            .salvar_faturas(velho, None, vec![fatura("f-velha", velho, None, None)], em(0))
            .await
            .unwrap();
        store
            .salvar_faturas(novo, None, vec![fatura("f-nova", novo, None, None)], em(1000))
            .await
            .unwrap();
        store
            .salvar_contratos(velho, vec![contrato("C9")], em(0))
            .await
            .unwrap();
        let email = |texto: &str| crate::domain::contato::Contato::email(texto).unwrap();
        store
            .salvar_lista(velho, vec![email("joana.prado@antiga.com.br")], em(0))
            .await
            .unwrap();
        store
            .salvar_lista(novo, vec![email("jose.novo@recente.com.br")], em(1000))
            .await
            .unwrap();
        let purga = store.purgar(em(500)).await.unwrap();
        assert_eq!((purga.clientes, purga.faturas, purga.listas), (1, 1, 4), "{purga:?}");
        assert_eq!(
            store.lista::<crate::domain::contato::Contato>(velho).await.unwrap(),
            None
        );
        assert!(
            store
                .lista::<crate::domain::contato::Contato>(novo)
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(store.cliente(velho).await.unwrap(), None);
        assert_eq!(store.faturas(velho, None).await.unwrap(), None);
        assert!(store.cliente(novo).await.unwrap().is_some());
        assert_eq!(store.faturas(novo, None).await.unwrap().unwrap().valor.len(), 1);
        let mut bytes = std::fs::read(&path).unwrap();
        let mut wal = path.clone().into_os_string();
        wal.push("-wal");
        bytes.extend(std::fs::read(&wal).unwrap_or_default());
        let contem = |texto: &str| bytes.windows(texto.len()).any(|janela| janela == texto.as_bytes());
        assert!(contem(novo), "the search would find a document");
        assert!(!contem(velho), "the purged CPF is gone from the file");
        assert!(!contem("Joana Antiga"), "and the name");
        assert!(contem("jose.novo@"), "the search would find a contact");
        assert!(!contem("joana.prado@"), "and the purged contact is gone");
    }

    #[tokio::test]
    async fn cliente_round_trip_and_replace() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        assert_eq!(store.cliente("12345678909").await.unwrap(), None);
        store.salvar_cliente(cliente("12345678909"), em(1)).await.unwrap();
        assert_eq!(
            store.cliente("12345678909").await.unwrap(),
            Some(Cached {
                valor: cliente("12345678909"),
                atualizado_em: em(1)
            })
        );
        let mut renamed = cliente("12345678909");
        renamed.nome = "Maria Souza".to_owned();
        store.salvar_cliente(renamed.clone(), em(2)).await.unwrap();
        assert_eq!(
            store.cliente("12345678909").await.unwrap(),
            Some(Cached {
                valor: renamed,
                atualizado_em: em(2)
            })
        );
        assert_eq!(store.cliente("98765432100").await.unwrap(), None);
    }

    #[tokio::test]
    async fn fatura_round_trip_and_upsert() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        assert_eq!(store.fatura("f1").await.unwrap(), None);
        let original = fatura("f1", "12345678909", Some("C1"), Some((2026, 2, 10)));
        store.salvar_fatura(original.clone(), em(1)).await.unwrap();
        assert_eq!(
            store.fatura("f1").await.unwrap(),
            Some(Cached {
                valor: original,
                atualizado_em: em(1)
            })
        );
        let mut partly_paid = fatura("f1", "12345678909", Some("C1"), Some((2026, 2, 10)));
        partly_paid.valor_atual = Centavos::new(1);
        store.salvar_fatura(partly_paid.clone(), em(2)).await.unwrap();
        assert_eq!(
            store.fatura("f1").await.unwrap(),
            Some(Cached {
                valor: partly_paid,
                atualizado_em: em(2)
            })
        );
    }

    #[tokio::test]
    async fn a_single_fatura_does_not_make_a_list_known() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        store
            .salvar_fatura(fatura("f1", "12345678909", None, None), em(1))
            .await
            .unwrap();
        assert_eq!(store.faturas("12345678909", None).await.unwrap(), None);
        // Once the list is known, a fatura fetched on its own joins it.
        store.salvar_faturas("12345678909", None, vec![], em(2)).await.unwrap();
        store
            .salvar_fatura(fatura("f2", "12345678909", None, None), em(3))
            .await
            .unwrap();
        assert_eq!(
            ids(&store.faturas("12345678909", None).await.unwrap().unwrap().valor),
            ["f2"]
        );
    }

    #[tokio::test]
    async fn lists_come_back_ordered_by_vencimento_then_id() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        let faturas = vec![
            fatura("b", "12345678909", None, Some((2026, 3, 10))),
            fatura("sem", "12345678909", None, None),
            fatura("c", "12345678909", None, Some((2026, 1, 10))),
            fatura("a", "12345678909", None, Some((2026, 3, 10))),
        ];
        store
            .salvar_faturas("12345678909", None, faturas.clone(), em(1))
            .await
            .unwrap();
        let read = store.faturas("12345678909", None).await.unwrap().unwrap();
        assert_eq!(ids(&read.valor), ["c", "a", "b", "sem"]);
        assert_eq!(read.atualizado_em, em(1));
        // Every fatura reads back exactly as saved.
        for original in &faturas {
            assert!(read.valor.contains(&(original.clone(), None)));
        }
    }

    #[tokio::test]
    async fn salvar_faturas_replaces_its_scope() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        let doc = "12345678909";
        store
            .salvar_faturas(
                doc,
                None,
                vec![fatura("f1", doc, None, None), fatura("f2", doc, None, None)],
                em(1),
            )
            .await
            .unwrap();
        store
            .salvar_faturas(
                "98765432100",
                None,
                vec![fatura("g1", "98765432100", None, None)],
                em(1),
            )
            .await
            .unwrap();
        store
            .salvar_faturas(
                doc,
                None,
                vec![fatura("f2", doc, None, None), fatura("f3", doc, None, None)],
                em(2),
            )
            .await
            .unwrap();
        let read = store.faturas(doc, None).await.unwrap().unwrap();
        assert_eq!(ids(&read.valor), ["f2", "f3"]);
        assert_eq!(read.atualizado_em, em(2));
        // f1 left the open list, so it left the cache; another customer's list is untouched.
        assert_eq!(store.fatura("f1").await.unwrap(), None);
        assert_eq!(
            ids(&store.faturas("98765432100", None).await.unwrap().unwrap().valor),
            ["g1"]
        );
    }

    #[tokio::test]
    async fn a_filtered_replace_keeps_the_other_contratos() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        let doc = "12345678909";
        let all = vec![
            fatura("a1", doc, Some("A"), None),
            fatura("a2", doc, Some("A"), None),
            fatura("b1", doc, Some("B"), None),
            fatura("sem", doc, None, None),
        ];
        store.salvar_faturas(doc, None, all, em(1)).await.unwrap();
        store
            .salvar_faturas(doc, Some("A"), vec![fatura("a2", doc, Some("A"), None)], em(2))
            .await
            .unwrap();
        assert_eq!(
            ids(&store.faturas(doc, None).await.unwrap().unwrap().valor),
            ["a2", "b1", "sem"]
        );
        assert_eq!(
            ids(&store.faturas(doc, Some("A")).await.unwrap().unwrap().valor),
            ["a2"]
        );
        assert_eq!(
            ids(&store.faturas(doc, Some("B")).await.unwrap().unwrap().valor),
            ["b1"]
        );
    }

    #[tokio::test]
    async fn a_filtered_list_files_its_faturas_under_the_filter() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        let doc = "12345678909";
        // Upstream listed f1 for contrato A without saying so in the fatura itself.
        store
            .salvar_faturas(doc, Some("A"), vec![fatura("f1", doc, None, None)], em(1))
            .await
            .unwrap();
        let read = store.faturas(doc, Some("A")).await.unwrap().unwrap();
        assert_eq!(read.valor, [(fatura("f1", doc, None, None), None)]);
    }

    #[tokio::test]
    async fn never_fetched_differs_from_fetched_empty() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        let doc = "12345678909";
        assert_eq!(store.faturas(doc, None).await.unwrap(), None);
        assert_eq!(store.faturas(doc, Some("A")).await.unwrap(), None);
        assert_eq!(store.contratos(doc).await.unwrap(), None);

        store.salvar_faturas(doc, Some("A"), vec![], em(1)).await.unwrap();
        assert_eq!(
            store.faturas(doc, Some("A")).await.unwrap(),
            Some(Cached {
                valor: vec![],
                atualizado_em: em(1)
            })
        );
        // A filtered fetch says nothing about the unfiltered list or another contrato.
        assert_eq!(store.faturas(doc, None).await.unwrap(), None);
        assert_eq!(store.faturas(doc, Some("B")).await.unwrap(), None);

        store.salvar_contratos(doc, vec![], em(2)).await.unwrap();
        assert_eq!(
            store.contratos(doc).await.unwrap(),
            Some(Cached {
                valor: vec![],
                atualizado_em: em(2)
            })
        );
    }

    #[tokio::test]
    async fn the_unfiltered_list_answers_a_contrato_filter() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        let doc = "12345678909";
        let all = vec![fatura("a1", doc, Some("A"), None), fatura("b1", doc, Some("B"), None)];
        store.salvar_faturas(doc, None, all, em(5)).await.unwrap();
        let read = store.faturas(doc, Some("A")).await.unwrap().unwrap();
        assert_eq!(ids(&read.valor), ["a1"]);
        assert_eq!(read.atualizado_em, em(5));
        assert_eq!(
            store.faturas(doc, Some("Z")).await.unwrap(),
            Some(Cached {
                valor: vec![],
                atualizado_em: em(5)
            })
        );

        // The newer of the two fetches dates the answer, whichever it is.
        store
            .salvar_faturas(doc, Some("A"), vec![fatura("a1", doc, Some("A"), None)], em(9))
            .await
            .unwrap();
        assert_eq!(
            store.faturas(doc, Some("A")).await.unwrap().unwrap().atualizado_em,
            em(9)
        );
        assert_eq!(
            store.faturas(doc, Some("B")).await.unwrap().unwrap().atualizado_em,
            em(5)
        );
        store
            .salvar_faturas(doc, None, vec![fatura("a1", doc, Some("A"), None)], em(12))
            .await
            .unwrap();
        assert_eq!(
            store.faturas(doc, Some("A")).await.unwrap().unwrap().atualizado_em,
            em(12)
        );
        assert_eq!(
            store.faturas(doc, Some("B")).await.unwrap(),
            Some(Cached {
                valor: vec![],
                atualizado_em: em(12)
            })
        );
    }

    #[tokio::test]
    async fn an_empty_contrato_is_the_unfiltered_list() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        let doc = "12345678909";
        store
            .salvar_faturas(doc, Some(""), vec![fatura("a1", doc, Some("A"), None)], em(1))
            .await
            .unwrap();
        assert_eq!(ids(&store.faturas(doc, None).await.unwrap().unwrap().valor), ["a1"]);
        assert_eq!(ids(&store.faturas(doc, Some("")).await.unwrap().unwrap().valor), ["a1"]);
    }

    #[tokio::test]
    async fn contratos_round_trip_and_replace() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        let doc = "12345678909";
        store
            .salvar_contratos(doc, vec![contrato("C2"), contrato("C1")], em(1))
            .await
            .unwrap();
        store
            .salvar_contratos("98765432100", vec![contrato("X")], em(1))
            .await
            .unwrap();
        assert_eq!(
            store.contratos(doc).await.unwrap(),
            Some(Cached {
                valor: vec![contrato("C1"), contrato("C2")],
                atualizado_em: em(1)
            })
        );
        store.salvar_contratos(doc, vec![contrato("C3")], em(2)).await.unwrap();
        assert_eq!(
            store.contratos(doc).await.unwrap(),
            Some(Cached {
                valor: vec![contrato("C3")],
                atualizado_em: em(2)
            })
        );
        assert_eq!(
            store.contratos("98765432100").await.unwrap().unwrap().valor,
            [contrato("X")]
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn serves_many_concurrent_tasks() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        // More callers than queue slots, so some of them wait for room.
        let mut tasks = Vec::new();
        for n in 0..(QUEUE_CAPACITY + 500) {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let doc = format!("{n:011}");
                if n % 4 == 0 {
                    store
                        .salvar_faturas(&doc, None, vec![fatura(&format!("f{n}"), &doc, None, None)], em(1))
                        .await?;
                }
                store.faturas(&doc, None).await
            }));
        }
        for (n, task) in tasks.into_iter().enumerate() {
            let read = task.await.unwrap().unwrap();
            if n % 4 == 0 {
                assert_eq!(ids(&read.unwrap().valor), [format!("f{n}")]);
            } else {
                assert_eq!(read, None);
            }
        }
    }

    #[test]
    fn dropping_every_handle_ends_the_thread() {
        let (_dir, path) = temp_db();
        let (store, thread) = Store::open_with_thread(&path).unwrap();
        assert_eq!(thread.thread().name(), Some(THREAD_NAME));
        let other = store.clone();
        drop(store);
        // A handle is left, so the thread is still waiting for jobs.
        assert!(!thread.is_finished());
        drop(other);
        thread.join().unwrap();
        // The connection was closed cleanly: the WAL went back into the main file and was removed.
        assert!(!path.with_file_name("borda.db-wal").exists());
    }

    #[tokio::test]
    async fn a_dead_thread_answers_encerrado() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        let dying = store.call(TransactionBehavior::Deferred, |_| -> Result<(), StoreError> {
            panic!("a bug in a job takes the store thread down")
        });
        assert!(matches!(dying.await, Err(StoreError::Encerrado)));
        assert!(matches!(store.cliente("12345678909").await, Err(StoreError::Encerrado)));
    }

    #[tokio::test]
    async fn a_full_disk_is_cheio_and_writes_resume_once_there_is_room() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        let doc = "12345678909";
        store.salvar_cliente(cliente(doc), em(1)).await.unwrap();
        // Cap the file at its current size, as a full disk would.
        store
            .call(TransactionBehavior::Immediate, |tx| {
                let pages: i64 = tx.pragma_query_value(None, "page_count", |row| row.get(0))?;
                tx.pragma_update(None, "max_page_count", pages)?;
                Ok(())
            })
            .await
            .unwrap();
        let many: Vec<Fatura> = (0..500).map(|n| fatura(&format!("f{n}"), doc, None, None)).collect();
        let error = store.salvar_faturas(doc, None, many.clone(), em(2)).await.unwrap_err();
        assert!(matches!(error, StoreError::Cheio), "{error:?}");
        // Nothing of the failed call was written, and reads still work.
        assert_eq!(store.faturas(doc, None).await.unwrap(), None);
        assert_eq!(store.cliente(doc).await.unwrap().unwrap().atualizado_em, em(1));

        store
            .call(TransactionBehavior::Immediate, |tx| {
                Ok(tx.pragma_update(None, "max_page_count", 1 << 30)?)
            })
            .await
            .unwrap();
        store.salvar_faturas(doc, None, many, em(3)).await.unwrap();
        assert_eq!(store.faturas(doc, None).await.unwrap().unwrap().valor.len(), 500);
    }

    #[tokio::test]
    async fn rows_altered_behind_bordas_back_are_errors_not_panics() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        store.salvar_cliente(cliente("12345678909"), em(1)).await.unwrap();
        store.salvar_cliente(cliente("98765432100"), em(1)).await.unwrap();
        store
            .call(TransactionBehavior::Immediate, |tx| {
                tx.execute("UPDATE clientes SET json = '{' WHERE documento = '12345678909'", [])?;
                tx.execute(
                    "UPDATE clientes SET atualizado_em = 'ontem' WHERE documento = '98765432100'",
                    [],
                )?;
                Ok(())
            })
            .await
            .unwrap();
        // Unreadable JSON is a miss (see the tests below); an unreadable instant is not borda's writing at all.
        assert_eq!(store.cliente("12345678909").await.unwrap(), None);
        assert!(matches!(
            store.cliente("98765432100").await,
            Err(StoreError::Corrompido(_))
        ));
    }

    /// Runs `sql` on the database file through a connection of its own, as an older or newer borda, or an operator's
    /// `sqlite3`, would.
    fn alter(path: &Path, sql: &str) {
        let conn = Connection::open(path).unwrap();
        conn.execute_batch(sql).unwrap();
    }

    /// A store with one cliente, one fatura list of two faturas and one contrato list, all for `12345678909`.
    async fn filled(path: &Path) -> Store {
        let store = Store::open(path).unwrap();
        store.salvar_cliente(cliente("12345678909"), em(1)).await.unwrap();
        let faturas = vec![
            fatura("f1", "12345678909", Some("C1"), Some((2026, 2, 10))),
            fatura("f2", "12345678909", Some("C1"), Some((2026, 3, 10))),
        ];
        store.salvar_faturas("12345678909", None, faturas, em(1)).await.unwrap();
        store
            .salvar_contratos("12345678909", vec![contrato("C1"), contrato("C2")], em(1))
            .await
            .unwrap();
        assert_eq!(store.linhas_ilegiveis(), 0);
        store
    }

    #[tokio::test]
    async fn a_cached_row_whose_json_does_not_decode_is_a_miss_counted_not_an_error() {
        let (_dir, path) = temp_db();
        let store = filled(&path).await;
        alter(
            &path,
            "UPDATE clientes SET json = '{' ;
             UPDATE faturas SET json = '[1, 2' WHERE id = 'f2';
             UPDATE contratos SET json = 'null' WHERE id = 'C2';",
        );
        assert_eq!(store.cliente("12345678909").await.unwrap(), None);
        assert_eq!(store.linhas_ilegiveis(), 1);
        assert_eq!(store.fatura("f2").await.unwrap(), None);
        assert_eq!(store.linhas_ilegiveis(), 2);
        assert!(
            store.fatura("f1").await.unwrap().is_some(),
            "a readable row still answers"
        );
        assert_eq!(
            store.faturas("12345678909", None).await.unwrap(),
            None,
            "a list missing a fatura is a miss"
        );
        assert_eq!(store.linhas_ilegiveis(), 3);
        assert_eq!(store.contratos("12345678909").await.unwrap(), None);
        assert_eq!(store.linhas_ilegiveis(), 4);
    }

    #[tokio::test]
    async fn a_cached_row_missing_a_field_the_model_now_requires_is_a_miss_and_a_refetch_heals_it() {
        let (_dir, path) = temp_db();
        let store = filled(&path).await;
        // What a row written before `valor_atual` was required would look like.
        alter(
            &path,
            "UPDATE faturas SET json = json_remove(json, '$.valor_atual') WHERE id = 'f1'",
        );
        assert_eq!(store.faturas("12345678909", None).await.unwrap(), None);
        assert_eq!(store.linhas_ilegiveis(), 1);
        // The read-through then writes what upstream answered, and the list reads again.
        let fresh = vec![fatura("f1", "12345678909", Some("C1"), Some((2026, 2, 10)))];
        store.salvar_faturas("12345678909", None, fresh, em(2)).await.unwrap();
        assert_eq!(
            ids(&store.faturas("12345678909", None).await.unwrap().unwrap().valor),
            ["f1"]
        );
        assert_eq!(store.linhas_ilegiveis(), 1);
    }

    #[tokio::test]
    async fn a_cached_row_of_another_format_is_a_miss_counted_even_when_its_json_decodes() {
        let (_dir, path) = temp_db();
        let store = filled(&path).await;
        alter(
            &path,
            "UPDATE clientes SET formato = 2;
             UPDATE faturas SET formato = 0 WHERE id = 'f1';
             UPDATE contratos SET formato = 99 WHERE id = 'C1';",
        );
        assert_eq!(store.cliente("12345678909").await.unwrap(), None);
        assert_eq!(store.fatura("f1").await.unwrap(), None);
        assert_eq!(store.faturas("12345678909", None).await.unwrap(), None);
        assert_eq!(store.contratos("12345678909").await.unwrap(), None);
        assert_eq!(store.linhas_ilegiveis(), 4);
        // Rewriting stamps the current format.
        store.salvar_cliente(cliente("12345678909"), em(2)).await.unwrap();
        assert!(store.cliente("12345678909").await.unwrap().is_some());
        assert_eq!(store.linhas_ilegiveis(), 4);
    }

    #[tokio::test]
    async fn a_refetched_list_drops_a_row_of_another_format_kept_for_its_baixa() {
        let (_dir, path) = temp_db();
        let store = filled(&path).await;
        // f2 was paid here: upstream stops listing it, and its row is normally kept to show it with its baixa.
        alter(
            &path,
            "INSERT INTO baixas (id, chave_idempotencia, pedido, fatura_id, documento, forma, valor_centavos, pago_em,
                 transacao, status, aguardar_erp, criada_em, proxima_tentativa)
             VALUES ('b1', 'k1', '{}', 'f2', '12345678909', 'pix', 100, '2026-01-01T00:00:00Z', '{}', 'sincronizada',
                 0, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
             UPDATE faturas SET formato = 0 WHERE id = 'f2';",
        );
        let upstream = vec![fatura("f1", "12345678909", Some("C1"), Some((2026, 2, 10)))];
        store
            .salvar_faturas("12345678909", None, upstream, em(2))
            .await
            .unwrap();
        let lista = store.faturas("12345678909", None).await.unwrap();
        assert_eq!(
            ids(&lista.unwrap().valor),
            ["f1"],
            "the unreadable row must not make every read a miss"
        );
        assert_eq!(store.linhas_ilegiveis(), 0);
    }

    #[tokio::test]
    async fn rows_cached_before_the_format_column_still_read_after_the_migration() {
        let (_dir, path) = temp_db();
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(include_str!("migrations/0001_cache.sql")).unwrap();
            conn.execute_batch(include_str!("migrations/0002_baixas.sql")).unwrap();
            conn.pragma_update(None, "user_version", 2).unwrap();
            conn.execute(
                "INSERT INTO clientes (documento, json, atualizado_em) VALUES (?1, ?2, ?3)",
                params![
                    "12345678909",
                    serde_json::to_string(&cliente("12345678909")).unwrap(),
                    format_instant(em(1))
                ],
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.cliente("12345678909").await.unwrap().map(|hit| hit.valor),
            Some(cliente("12345678909"))
        );
        assert_eq!(store.linhas_ilegiveis(), 0);
    }
}
