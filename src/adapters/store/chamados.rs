//! The idempotency keys of the chamados opened at the totem (`chamados`; migration 0008): which key opened which ERP
//! ticket, and which were sent without an answer. No message, file or document: a fingerprint tells a retry apart.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Store, StoreError, format_instant};

/// What a key already says, when [`Store::reservar_chamado`] finds it taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReservaChamado {
    /// The key was free: it is now recorded as sending, with this fingerprint.
    Nova,
    /// The key was used before.
    Usada {
        /// The fingerprint of that request.
        pedido: String,
        /// The ERP's ticket id; None when that POST may have opened one without an answer.
        id_atendimento: Option<String>,
    },
}

impl Store {
    /// Takes `chave` for a chamado with fingerprint `pedido`, before it is sent: [`ReservaChamado::Nova`] when the key
    /// was free (now recorded, committed with the rest of the file's `synchronous=FULL`), else what it recorded.
    pub async fn reservar_chamado(
        &self,
        chave: String,
        pedido: String,
        em: DateTime<Utc>,
    ) -> Result<ReservaChamado, StoreError> {
        let em = format_instant(em);
        self.call(TransactionBehavior::Immediate, move |tx| {
            let usada = tx
                .prepare_cached("SELECT pedido, id_atendimento FROM chamados WHERE chave = ?1")?
                .query_row([&chave], |row| {
                    Ok(ReservaChamado::Usada {
                        pedido: row.get(0)?,
                        id_atendimento: row.get(1)?,
                    })
                })
                .optional()?;
            if let Some(usada) = usada {
                return Ok(usada);
            }
            tx.prepare_cached(
                "INSERT INTO chamados (chave, pedido, id_atendimento, criado_em) VALUES (?1, ?2, NULL, ?3)",
            )?
            .execute(params![chave, pedido, em])?;
            Ok(ReservaChamado::Nova)
        })
        .await
    }

    /// Records the ERP's ticket id for the chamado sent under `chave`.
    pub async fn chamado_aberto(&self, chave: String, id_atendimento: String) -> Result<(), StoreError> {
        self.call(TransactionBehavior::Immediate, move |tx| {
            tx.prepare_cached("UPDATE chamados SET id_atendimento = ?2 WHERE chave = ?1")?
                .execute(params![chave, id_atendimento])?;
            Ok(())
        })
        .await
    }

    /// Frees `chave`: its chamado certainly did not reach the ERP, so a retry may send it. A key that recorded a ticket
    /// is kept.
    pub async fn liberar_chamado(&self, chave: String) -> Result<(), StoreError> {
        self.call(TransactionBehavior::Immediate, move |tx| {
            tx.prepare_cached("DELETE FROM chamados WHERE chave = ?1 AND id_atendimento IS NULL")?
                .execute([chave])?;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn em(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + seconds, 0).unwrap()
    }

    #[tokio::test]
    async fn a_key_is_taken_answered_freed_and_purged() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("borda.db")).unwrap();
        let reservar =
            |chave: &str, pedido: &str, segundos| store.reservar_chamado(chave.into(), pedido.into(), em(segundos));
        assert_eq!(reservar("k1", "p1", 0).await.unwrap(), ReservaChamado::Nova);
        let sem_resposta = ReservaChamado::Usada {
            pedido: "p1".into(),
            id_atendimento: None,
        };
        assert_eq!(reservar("k1", "p2", 1).await.unwrap(), sem_resposta);
        store.chamado_aberto("k1".into(), "4711".into()).await.unwrap();
        store.liberar_chamado("k1".into()).await.unwrap();
        let aberto = ReservaChamado::Usada {
            pedido: "p1".into(),
            id_atendimento: Some("4711".into()),
        };
        assert_eq!(
            reservar("k1", "p1", 2).await.unwrap(),
            aberto,
            "a key with a ticket is never freed"
        );
        assert_eq!(reservar("k2", "p1", 1000).await.unwrap(), ReservaChamado::Nova);
        store.liberar_chamado("k2".into()).await.unwrap();
        assert_eq!(reservar("k2", "p3", 1000).await.unwrap(), ReservaChamado::Nova, "freed");
        let purga = store.purgar(em(500)).await.unwrap();
        assert_eq!(purga.chamados, 1, "{purga:?}");
        assert_eq!(
            reservar("k1", "p9", 1001).await.unwrap(),
            ReservaChamado::Nova,
            "purged"
        );
        assert!(matches!(
            reservar("k2", "p9", 1001).await.unwrap(),
            ReservaChamado::Usada { .. }
        ));
    }
}
