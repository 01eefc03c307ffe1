//! Recording a payment: the use case behind `POST /v1/faturas/{id}/baixas`.
//!
//! A payment is checked on its own ([`validar_pedido`]) and against the
//! fatura borda already knows ([`conferir_com_fatura`]): any cached copy,
//! however old, is enough, because a customer who already paid must get a
//! baixa (and a receipt) even when the ERP is down or has closed the fatura
//! meanwhile. The ERP is asked only when nothing is cached. Disagreements
//! with the ERP are the sync worker's job. The store decides replays and
//! second payments in the one transaction that inserts.

use chrono::{DateTime, Utc};

use super::{ServiceError, Totem};
use crate::adapters::erp::ErpError;
use crate::adapters::store::{Pagina, Reenvio, Registro, StoreError};
use crate::domain::baixa::{
    Baixa, NovaBaixa, PedidoBaixa, PedidoInvalido, StatusBaixa, conferir_com_fatura, validar_pedido,
};
use crate::domain::model::Fatura;

/// Why a payment was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum PagamentoError {
    #[error(transparent)]
    Invalido(#[from] PedidoInvalido),
    /// The idempotency key was used before for another payment.
    #[error("chave de idempotência já usada para outro pagamento")]
    ChaveComOutroPedido,
    /// The fatura already has a live baixa (this one's id).
    #[error("a fatura já tem a baixa {0}")]
    FaturaJaPaga(String),
    /// The payment already pays another live baixa (this one's id).
    #[error("o pagamento já quitou a baixa {0}")]
    TransacaoJaUsada(String),
    #[error(transparent)]
    Servico(#[from] ServiceError),
}

impl From<StoreError> for PagamentoError {
    fn from(error: StoreError) -> Self {
        PagamentoError::Servico(ServiceError::Store(error))
    }
}

/// A recorded payment, and whether it was recorded before under the same key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registrada {
    pub baixa: Baixa,
    pub repetida: bool,
}

impl Totem {
    /// Records the payment `pedido` of fatura `fatura_id` under the client's
    /// idempotency key `chave`; answers once it is on disk. The same key with
    /// the same payment answers the same baixa, however concurrent.
    pub async fn registrar_pagamento(
        &self,
        fatura_id: &str,
        chave: String,
        pedido: PedidoBaixa,
    ) -> Result<Registrada, PagamentoError> {
        let agora = Utc::now();
        let pagamento = validar_pedido(fatura_id, pedido, agora)?;
        // A replay is answered from the record alone, even if the fatura is no longer anywhere.
        if let Some((baixa, canonico)) = self.store.baixa_por_chave(&chave).await? {
            return if canonico == pagamento.canonico {
                Ok(Registrada { baixa, repetida: true })
            } else {
                Err(PagamentoError::ChaveComOutroPedido)
            };
        }
        let fatura = self.fatura_conhecida(fatura_id).await?;
        conferir_com_fatura(&pagamento, &fatura, self.baixa.allow_different_valor)?;
        let forma = self.baixa.forma(pagamento.transacao.forma());
        let nova = NovaBaixa {
            id: uuid::Uuid::now_v7().to_string(),
            chave_idempotencia: chave,
            fatura_id: fatura.id.clone(),
            documento: fatura.documento.clone(),
            id_cliente: fatura.id_cliente.clone(),
            identifier: fatura.identifier.clone(),
            valor: pagamento.valor,
            pago_em: pagamento.pago_em,
            aguardar_erp: forma.settled_by_erp(fatura.identifier.as_deref()),
            transacao: pagamento.transacao,
        };
        match self
            .store
            .registrar_baixa(Baixa::nova(nova, agora), pagamento.canonico)
            .await?
        {
            Registro::Nova(baixa) => {
                self.waker.wake();
                Ok(Registrada { baixa, repetida: false })
            }
            Registro::Repetida(baixa) => Ok(Registrada { baixa, repetida: true }),
            Registro::ChaveComOutroPedido => Err(PagamentoError::ChaveComOutroPedido),
            Registro::FaturaComBaixa(baixa) => Err(PagamentoError::FaturaJaPaga(baixa.id)),
            Registro::TransacaoJaUsada(baixa) => Err(PagamentoError::TransacaoJaUsada(baixa.id)),
        }
    }

    /// The fatura as borda knows it: any cached copy, however old; the ERP only when nothing is cached.
    async fn fatura_conhecida(&self, id: &str) -> Result<Fatura, ServiceError> {
        if let Some(cached) = self.store.fatura(id).await? {
            return Ok(cached.valor);
        }
        if !self.erp.online() {
            return Err(ServiceError::Unavailable);
        }
        match self.erp.fatura(id).await {
            Ok(fatura) => {
                if let Err(error) = self.store.salvar_fatura(fatura.clone(), Utc::now()).await {
                    tracing::error!(%error, "could not write the ERP's fatura to the cache");
                }
                Ok(fatura)
            }
            Err(error) if error.is_unavailable() || matches!(error, ErpError::RespostaInvalida(_)) => {
                tracing::warn!(%error, "ERP could not answer for a fatura being paid");
                Err(ServiceError::Unavailable)
            }
            Err(error) => Err(ServiceError::Erp(error)),
        }
    }

    /// The baixa with this id.
    pub async fn baixa(&self, id: &str) -> Result<Option<Baixa>, StoreError> {
        self.store.baixa(id).await
    }

    /// A page of baixas, newest first (see [`crate::adapters::store::Store::baixas`]).
    pub async fn baixas(
        &self,
        status: Option<StatusBaixa>,
        antes: Option<String>,
        limite: usize,
    ) -> Result<Pagina, StoreError> {
        self.store.baixas(status, antes, limite).await
    }

    /// An operator's word: a refused baixa goes back to the queue; `None` when there is no such baixa.
    pub async fn reenviar_baixa(&self, id: &str) -> Result<Option<Reenvio>, StoreError> {
        let reenvio = self.store.reenviar_baixa(id, Utc::now()).await?;
        if matches!(reenvio, Some(Reenvio::Reenviada(_))) {
            self.waker.wake();
        }
        Ok(reenvio)
    }

    /// Drain the outbox now: every pending baixa becomes due. Answers the counts (pending, failed).
    pub async fn sincronizar_agora(&self) -> Result<(u64, u64), StoreError> {
        self.store.antecipar_baixas(Utc::now()).await?;
        self.waker.wake();
        self.store.contar_baixas().await
    }

    /// How many baixas are pending and how many failed.
    pub async fn contar_baixas(&self) -> Result<(u64, u64), StoreError> {
        self.store.contar_baixas().await
    }

    /// When the ERP last took a baixa (the newest synced one's sync), if ever.
    pub async fn ultima_sincronizacao(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.store.ultima_sincronizacao().await
    }
}
