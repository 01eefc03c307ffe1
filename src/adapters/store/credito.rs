//! The PDV's credit limits: the retaguarda's last answer to each question, and the local ledger of credit used
//! (`limites_credito`, `consumos_credito`; migration 0006).

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Cached, Store, StoreError, format_instant, parse_instant};
use crate::domain::credito::{ChaveLimite, Consumo};
use crate::domain::money::Centavos;

/// Credit the PDV used in one sale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NovoConsumo {
    pub id_venda: String,
    pub inquilino: String,
    pub loja: String,
    pub documento: String,
    pub valor: Centavos,
    pub forma: Option<String>,
}

/// A consumption as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumoRegistrado {
    pub consumo: NovoConsumo,
    pub registrado_em: DateTime<Utc>,
    pub cancelado_em: Option<DateTime<Utc>>,
}

/// What recording a consumption did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistroConsumo {
    /// Recorded now.
    Novo(ConsumoRegistrado),
    /// This sale was recorded before with the same request: nothing written.
    Repetido(ConsumoRegistrado),
    /// This sale was recorded before with another request: nothing written.
    OutroPedido(ConsumoRegistrado),
}

impl Store {
    /// Keeps the retaguarda's answer (`resposta`, the canonical envelope) to `chave`, received at `em`, in place of the
    /// previous one.
    pub async fn salvar_limite(
        &self,
        chave: ChaveLimite,
        resposta: String,
        em: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let em = format_instant(em);
        self.call(TransactionBehavior::Immediate, move |tx| {
            tx.prepare_cached(
                "INSERT INTO limites_credito (inquilino, loja, documento, por_forma, resposta, consultado_em)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (inquilino, loja, documento, por_forma)
                 DO UPDATE SET resposta = excluded.resposta, consultado_em = excluded.consultado_em",
            )?
            .execute(params![
                chave.inquilino,
                chave.loja,
                chave.documento,
                chave.por_forma,
                resposta,
                em
            ])?;
            Ok(())
        })
        .await
    }

    /// The cached answer to `chave`, if any, with the consumptions of that customer at that store recorded after it
    /// and not cancelled, oldest first: one read, so the two agree.
    pub async fn limite(&self, chave: ChaveLimite) -> Result<Option<(Cached<String>, Vec<Consumo>)>, StoreError> {
        let lido = self
            .call(TransactionBehavior::Deferred, move |tx| {
                let cached: Option<(String, String)> = tx
                    .prepare_cached(
                        "SELECT resposta, consultado_em FROM limites_credito
                         WHERE inquilino = ?1 AND loja = ?2 AND documento = ?3 AND por_forma = ?4",
                    )?
                    .query_row(
                        params![chave.inquilino, chave.loja, chave.documento, chave.por_forma],
                        |row| Ok((row.get(0)?, row.get(1)?)),
                    )
                    .optional()?;
                let Some((resposta, consultado_em)) = cached else {
                    return Ok(None);
                };
                let consumos = tx
                    .prepare_cached(
                        "SELECT valor_centavos, forma FROM consumos_credito
                         WHERE inquilino = ?1 AND loja = ?2 AND documento = ?3 AND registrado_em > ?4
                           AND cancelado_em IS NULL
                         ORDER BY registrado_em",
                    )?
                    .query_map(
                        params![chave.inquilino, chave.loja, chave.documento, consultado_em],
                        |row| {
                            Ok(Consumo {
                                valor: Centavos::new(row.get(0)?),
                                forma: row.get(1)?,
                            })
                        },
                    )?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Some((resposta, consultado_em, consumos)))
            })
            .await?;
        let Some((resposta, consultado_em, consumos)) = lido else {
            return Ok(None);
        };
        Ok(Some((
            Cached {
                valor: resposta,
                atualizado_em: parse_instant(&consultado_em)?,
            },
            consumos,
        )))
    }

    /// Records `consumo` at `em` unless its sale was recorded before; `pedido` is the canonical request it stands for,
    /// to tell a replay from another request under the same sale.
    pub async fn registrar_consumo(
        &self,
        consumo: NovoConsumo,
        pedido: String,
        em: DateTime<Utc>,
    ) -> Result<RegistroConsumo, StoreError> {
        self.call(TransactionBehavior::Immediate, move |tx| {
            if let Some((anterior, pedido_anterior)) = read_consumo(tx, &consumo.id_venda)? {
                return Ok(if pedido_anterior == pedido {
                    RegistroConsumo::Repetido(anterior)
                } else {
                    RegistroConsumo::OutroPedido(anterior)
                });
            }
            tx.prepare_cached(
                "INSERT INTO consumos_credito (id_venda, pedido, inquilino, loja, documento, valor_centavos, forma,
                     registrado_em)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                consumo.id_venda,
                pedido,
                consumo.inquilino,
                consumo.loja,
                consumo.documento,
                consumo.valor.get(),
                consumo.forma,
                format_instant(em),
            ])?;
            Ok(RegistroConsumo::Novo(ConsumoRegistrado {
                consumo,
                registrado_em: em,
                cancelado_em: None,
            }))
        })
        .await
    }

    /// Cancels the consumption of sale `id_venda` at `em` (once: a second cancel keeps the first instant); None when
    /// there is no such sale.
    pub async fn cancelar_consumo(
        &self,
        id_venda: &str,
        em: DateTime<Utc>,
    ) -> Result<Option<ConsumoRegistrado>, StoreError> {
        let id_venda = id_venda.to_owned();
        self.call(TransactionBehavior::Immediate, move |tx| {
            tx.prepare_cached(
                "UPDATE consumos_credito SET cancelado_em = ?2 WHERE id_venda = ?1 AND cancelado_em IS NULL",
            )?
            .execute(params![id_venda, format_instant(em)])?;
            Ok(read_consumo(tx, &id_venda)?.map(|(consumo, _)| consumo))
        })
        .await
    }
}

/// The consumption of sale `id_venda` and its canonical request.
fn read_consumo(
    tx: &rusqlite::Transaction<'_>,
    id_venda: &str,
) -> Result<Option<(ConsumoRegistrado, String)>, StoreError> {
    let row = tx
        .prepare_cached(
            "SELECT pedido, inquilino, loja, documento, valor_centavos, forma, registrado_em, cancelado_em
             FROM consumos_credito WHERE id_venda = ?1",
        )?
        .query_row([id_venda], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, i64>(4)?,
                row.get::<_, Option<String>>(5)?,
                row.get::<_, String>(6)?,
                row.get::<_, Option<String>>(7)?,
            ))
        })
        .optional()?;
    let Some((pedido, inquilino, loja, documento, valor, forma, registrado_em, cancelado_em)) = row else {
        return Ok(None);
    };
    Ok(Some((
        ConsumoRegistrado {
            consumo: NovoConsumo {
                id_venda: id_venda.to_owned(),
                inquilino,
                loja,
                documento,
                valor: Centavos::new(valor),
                forma,
            },
            registrado_em: parse_instant(&registrado_em)?,
            cancelado_em: cancelado_em.as_deref().map(parse_instant).transpose()?,
        },
        pedido,
    )))
}
