//! The customer's read-only lists (services, notas fiscais, contacts, extrato, quitação) in one generic cache, and
//! the installation's salt of contact ids (`listas`, `instalacao`; migration 0007).
//!
//! A list is kept whole, as the JSON array of its domain type, under (documento, [`Lista`]); the list's name is fixed
//! by the type ([`ItemDeLista::LISTA`]), so a list can only be read back as what it was saved as, and every query is a
//! fixed string. As in the other cache tables a row of another [`FORMATO_CACHE`], or one that does not decode, is a
//! miss (logged, counted) that the read-through refetches.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Cached, FORMATO_CACHE, Store, StoreError, format_instant};
use crate::domain::listas::ItemDeLista;

/// The table, as the logs of unreadable rows name it.
const TABELA: &str = "listas";

/// The key of the contacts' salt in `instalacao`.
const SAL_CONTATOS: &str = "sal_contatos";

impl Store {
    /// Replaces the cached list `T::LISTA` of `documento` (normalised) by `itens`, as fetched at `em`.
    pub async fn salvar_lista<T: ItemDeLista + Serialize>(
        &self,
        documento: &str,
        itens: Vec<T>,
        em: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(&itens)?;
        let (documento, lista, em) = (documento.to_owned(), T::LISTA.nome(), format_instant(em));
        self.call(TransactionBehavior::Immediate, move |tx| {
            tx.prepare_cached(
                "INSERT INTO listas (documento, lista, json, atualizado_em, formato) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (documento, lista) DO UPDATE SET json = excluded.json,
                     atualizado_em = excluded.atualizado_em, formato = excluded.formato",
            )?
            .execute(params![documento, lista, json, em, FORMATO_CACHE])?;
            Ok(())
        })
        .await
    }

    /// The cached list `T::LISTA` of `documento` (normalised); None when it was never fetched or cannot be read.
    pub async fn lista<T: ItemDeLista + DeserializeOwned>(
        &self,
        documento: &str,
    ) -> Result<Option<Cached<Vec<T>>>, StoreError> {
        let (documento, lista) = (documento.to_owned(), T::LISTA.nome());
        let row = self
            .call(TransactionBehavior::Deferred, move |tx| {
                Ok(tx
                    .prepare_cached(
                        "SELECT json, atualizado_em, formato FROM listas WHERE documento = ?1 AND lista = ?2",
                    )?
                    .query_row(params![documento, lista], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                    })
                    .optional()?)
            })
            .await?;
        self.decode_cached(TABELA, row)
    }

    /// The installation's secret salt of contact ids, drawn by the migration; drawn again (once) if someone deleted
    /// it.
    pub async fn sal_contatos(&self) -> Result<Vec<u8>, StoreError> {
        const LER: &str = "SELECT valor FROM instalacao WHERE chave = ?1";
        let lido: Option<Vec<u8>> = self
            .call(TransactionBehavior::Deferred, |tx| {
                Ok(tx
                    .prepare_cached(LER)?
                    .query_row([SAL_CONTATOS], |row| row.get(0))
                    .optional()?)
            })
            .await?;
        if let Some(sal) = lido.filter(|sal| !sal.is_empty()) {
            return Ok(sal);
        }
        tracing::warn!("the contacts' salt was missing; a new one is drawn");
        self.call(TransactionBehavior::Immediate, |tx| {
            tx.prepare_cached(
                "INSERT INTO instalacao (chave, valor) VALUES (?1, randomblob(32))
                 ON CONFLICT (chave) DO UPDATE SET valor = excluded.valor WHERE length(valor) = 0",
            )?
            .execute([SAL_CONTATOS])?;
            Ok(tx.prepare_cached(LER)?.query_row([SAL_CONTATOS], |row| row.get(0))?)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contato::Contato;
    use crate::domain::listas::{Quitacao, Servico};

    fn em(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + seconds, 0).unwrap()
    }

    fn servico(id: &str) -> Servico {
        Servico {
            id: id.into(),
            nome: None,
            situacao: Some("ativo".into()),
            valor: None,
            plano: None,
            endereco: None,
        }
    }

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("borda.db")).unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn a_list_round_trips_under_its_own_name_and_is_replaced_whole() {
        let (_dir, store) = store().await;
        let doc = "52998224725";
        assert_eq!(store.lista::<Servico>(doc).await.unwrap(), None, "never fetched");
        store.salvar_lista(doc, Vec::<Servico>::new(), em(1)).await.unwrap();
        let vazia = store.lista::<Servico>(doc).await.unwrap().unwrap();
        assert_eq!(
            (vazia.valor, vazia.atualizado_em),
            (Vec::new(), em(1)),
            "fetched, empty"
        );
        store
            .salvar_lista(doc, vec![servico("S1"), servico("S2")], em(2))
            .await
            .unwrap();
        store.salvar_lista(doc, vec![servico("S3")], em(3)).await.unwrap();
        let lida = store.lista::<Servico>(doc).await.unwrap().unwrap();
        assert_eq!((lida.valor, lida.atualizado_em), (vec![servico("S3")], em(3)));
        // Another list, or another customer, is another row.
        assert_eq!(store.lista::<Quitacao>(doc).await.unwrap(), None);
        assert_eq!(store.lista::<Servico>("11144477735").await.unwrap(), None);
    }

    #[tokio::test]
    async fn an_unreadable_list_is_a_miss_counted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("borda.db");
        let store = Store::open(&path).unwrap();
        store.salvar_lista("1", vec![servico("S1")], em(1)).await.unwrap();
        store
            .salvar_lista("2", vec![Contato::email("a@b.co").unwrap()], em(1))
            .await
            .unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "UPDATE listas SET json = '[{' WHERE documento = '1';
             UPDATE listas SET formato = 99 WHERE documento = '2';",
        )
        .unwrap();
        assert_eq!(store.lista::<Servico>("1").await.unwrap(), None);
        assert_eq!(store.lista::<Contato>("2").await.unwrap(), None);
        assert_eq!(store.linhas_ilegiveis(), 2);
    }

    #[tokio::test]
    async fn the_salt_is_drawn_once_per_database_and_redrawn_if_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("borda.db");
        let store = Store::open(&path).unwrap();
        let sal = store.sal_contatos().await.unwrap();
        assert_eq!(sal.len(), 32);
        assert_eq!(store.sal_contatos().await.unwrap(), sal);
        let (_outro_dir, outra) = super::tests::store().await;
        assert_ne!(outra.sal_contatos().await.unwrap(), sal, "each installation its own");
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch("DELETE FROM instalacao")
            .unwrap();
        let novo = store.sal_contatos().await.unwrap();
        assert_eq!(novo.len(), 32);
        assert_ne!(novo, sal);
        assert_eq!(store.sal_contatos().await.unwrap(), novo);
    }
}
