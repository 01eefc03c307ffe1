//! Opening the SQLite file: connection settings, the start-up health check and the schema migrations.
//!
//! Owns the numbered migration files and `PRAGMA user_version`. [`open`] runs once, on the caller's thread, before the
//! connection moves to the store thread; nothing here may change the schema of a connection that thread already owns,
//! and a shipped migration must never be edited.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// The schema migrations in order: element `i` takes the database from version `i` to version `i + 1`.
///
/// A migration, once shipped, is never edited: installed kiosks have already run it and will not run it again, so an
/// edit would only reach new installations and the two would disagree. Change the schema by appending a new file.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_cache.sql"),
    include_str!("migrations/0002_baixas.sql"),
    include_str!("migrations/0003_baixas_transacao.sql"),
    include_str!("migrations/0004_cache_formato.sql"),
    include_str!("migrations/0005_impressoes.sql"),
    include_str!("migrations/0006_credito.sql"),
    include_str!("migrations/0007_listas.sql"),
    include_str!("migrations/0008_chamados.sql"),
];

/// The schema version this binary knows: the number of migrations it carries.
// The list holds a handful of entries, so the conversion cannot truncate.
pub(super) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Prepared statements kept by the connection. Every query of the store is a fixed string run through
/// `prepare_cached`, so the cache must hold all of them at once or the hot path would parse SQL again; this leaves
/// room for the statements of tables yet to come.
const STATEMENT_CACHE: usize = 64;

/// How long a statement waits for another process's lock (an operator's `sqlite3` shell, say) before failing with
/// `SQLITE_BUSY`.
const BUSY_TIMEOUT_MS: i64 = 5000;

/// Opens (creating if needed) the database at `path` and brings its schema up to [`SCHEMA_VERSION`]. Reads no more
/// of the file than the schema needs, so opening does not grow with the cache; the whole-file check is
/// [`integrity_check`], which the daemon runs in the background once it serves.
pub(super) fn open(path: &Path) -> Result<Connection, StoreError> {
    if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    create_private(path)?;
    let mut conn = Connection::open(path)?;
    configure(&conn)?;
    migrate(&mut conn)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// Creates the file at `path`, empty and readable by its owner only (0600: it holds customers' documents), unless it
/// exists. SQLite takes an empty file for a new database, and gives its `-wal` and `-shm` files the same permissions.
fn create_private(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error.into()),
    }
}

/// Sets the per-connection pragmas once, so that no request pays for them.
fn configure(conn: &Connection) -> Result<(), StoreError> {
    // WAL lets a checkpoint run without blocking readers and makes a commit one append. SQLite answers with the mode
    // it actually chose: a filesystem without shared memory keeps the rollback journal, which is slower but equally
    // durable with synchronous=FULL, so the store carries on and says so.
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(journal_mode = %mode, "SQLite refused WAL mode; the store keeps the rollback journal");
    }
    // This file will record money: a commit must survive a power cut, so every commit syncs the WAL (FULL), never
    // only at checkpoints (NORMAL).
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "busy_timeout", BUSY_TIMEOUT_MS)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // Deleted rows are overwritten, not left in free pages: a purged CPF must not linger in the file.
    conn.pragma_update(None, "secure_delete", "ON")?;
    Ok(())
}

/// `PRAGMA quick_check` of the file at `path` on a connection of its own, read-only (WAL lets it read while the store
/// thread writes): `Ok` when the file is healthy, else [`StoreError::Corrompido`] with SQLite's report.
pub(super) fn integrity_check(path: &Path) -> Result<(), StoreError> {
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.pragma_update(None, "busy_timeout", BUSY_TIMEOUT_MS)?;
    match quick_check(&conn)?.as_str() {
        "ok" => Ok(()),
        report => Err(StoreError::Corrompido(report.to_owned())),
    }
}

/// The `user_version` of the file at `path`, read on a read-only connection: never creates, migrates or writes the
/// file (SQLite may create the `-shm` of a WAL file, as any reader does). A file that is not a database is
/// [`StoreError::Corrompido`].
pub(super) fn versao_do_arquivo(path: &Path) -> Result<i64, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.pragma_update(None, "busy_timeout", BUSY_TIMEOUT_MS)?;
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

/// Runs `PRAGMA quick_check` and returns its rows joined by `"; "`: exactly `"ok"` when the file is healthy.
pub(super) fn quick_check(conn: &Connection) -> Result<String, StoreError> {
    let mut stmt = conn.prepare("PRAGMA quick_check")?;
    let rows = stmt
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows.join("; "))
}

/// Applies the migrations the file has not seen, all in one transaction, and records the new version.
///
/// The version is read inside the same `IMMEDIATE` transaction that applies the migrations, so two processes opening
/// a new file at once cannot both migrate it.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let banco: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if banco > SCHEMA_VERSION {
        // A newer binary changed the schema; this one would misread it or, worse, write rows the newer one cannot.
        return Err(StoreError::VersaoFutura {
            banco,
            binario: SCHEMA_VERSION,
        });
    }
    let applied =
        usize::try_from(banco).map_err(|_| StoreError::Corrompido(format!("versão do esquema negativa: {banco}")))?;
    if applied == MIGRATIONS.len() {
        return Ok(());
    }
    for sql in MIGRATIONS.iter().skip(applied) {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    tracing::info!(from = banco, to = SCHEMA_VERSION, "store schema migrated");
    Ok(())
}
