//! The totem's questions, answered from the ERP when it can and from the
//! offline cache when it cannot.
//!
//! Policy, in one place: a cached answer younger than `fresh` is served as
//! is; otherwise the ERP is asked (bounded by its timeout, skipped at once
//! while its circuit breaker is open) and the answer is written through to
//! the store; when the ERP cannot answer, the cache answers, saying how old
//! it is; with neither, the caller gets [`ServiceError::Unavailable`].
//! This module knows neither HTTP nor SQL nor the ERP's wire names.

pub mod chamados;
pub mod credito;
pub mod impressao;
pub mod listas;
pub mod pagamento;
pub mod periodico;
pub mod saude;
pub mod sync;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::adapters::erp::{ErpClient, ErpError};
use crate::adapters::store::{Cached, Store, StoreError};
use crate::config::BaixaConfig;
use crate::domain::baixa::{BaixaResumo, StatusBaixa};
use crate::domain::model::{Cliente, Contrato, Fatura, ordenar};
use sync::Waker;

/// Where an answer came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origem {
    /// Fetched from the ERP for this request.
    Upstream,
    /// Served from the cache while still fresh.
    Fresh,
    /// Served from the cache because the ERP could not answer.
    Fallback,
}

/// An answer and how fresh it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer<T> {
    pub valor: T,
    pub origem: Origem,
    /// When the data was last fetched from the ERP.
    pub atualizado_em: DateTime<Utc>,
}

/// Why a question could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The ERP cannot be reached and nothing is cached.
    #[error("ERP indisponível e nada em cache")]
    Unavailable,
    #[error(transparent)]
    Erp(#[from] ErpError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The totem's use cases: the read-through cache over the ERP, and the
/// payments (`pagamento`). Cheap to clone.
#[derive(Clone)]
pub struct Totem {
    erp: ErpClient,
    store: Store,
    fresh: Duration,
    baixa: Arc<BaixaConfig>,
    /// Wakes the sync worker when a payment is recorded or an operator asks.
    waker: Waker,
    /// The receipt printers (none unless [`Totem::com_impressoras`]).
    impressoras: impressao::Impressoras,
    /// Where chamados are filed, and their keys in flight (none filed unless [`Totem::com_chamados`]).
    chamados: chamados::Chamados,
}

impl Totem {
    pub fn new(erp: ErpClient, store: Store, fresh: Duration, baixa: Arc<BaixaConfig>, waker: Waker) -> Self {
        Totem {
            erp,
            store,
            fresh,
            baixa,
            waker,
            impressoras: impressao::Impressoras::default(),
            chamados: chamados::Chamados::default(),
        }
    }

    /// The same totem printing on `impressoras`.
    pub fn com_impressoras(mut self, impressoras: impressao::Impressoras) -> Self {
        self.impressoras = impressoras;
        self
    }

    /// The ERP calls answered and failed since start-up.
    pub fn erp_chamadas(&self) -> crate::adapters::breaker::Chamadas {
        self.erp.chamadas()
    }

    /// Whether the ERP is taking calls (its circuit breaker is closed).
    pub fn online(&self) -> bool {
        self.erp.online()
    }

    /// Asks the ERP for a provisional unlock of a service; online only.
    pub async fn desbloqueio(&self, id_cliente: &str, id_servico: &str) -> Result<String, ErpError> {
        self.erp.desbloqueio(id_cliente, id_servico).await
    }

    /// The boleto PDF the ERP renders for this fatura (see [`ErpClient::boleto_pdf`]).
    pub async fn boleto_pdf_do_erp(&self, fatura_id: &str) -> Result<Vec<u8>, ErpError> {
        self.erp.boleto_pdf(fatura_id).await
    }

    /// The boleto PDF an ERP links to (see [`ErpClient::pdf_do_link`]).
    pub async fn pdf_do_link(&self, link: &str) -> Result<Vec<u8>, ErpError> {
        self.erp.pdf_do_link(link).await
    }

    pub async fn cliente(&self, documento: &str) -> Result<Answer<Cliente>, ServiceError> {
        let cached = self.store.cliente(documento).await?;
        self.read_through(cached, self.erp.cliente(documento), |cliente, em| {
            self.store.salvar_cliente(cliente, em)
        })
        .await
    }

    /// The customer's faturas that are open for payment. A fatura with a
    /// local baixa pending or synced is paid, whatever the ERP or the cache
    /// still says, and is left out; one whose baixa the ERP refused is listed
    /// with that baixa, so the kiosk can tell the customer.
    pub async fn faturas(
        &self,
        documento: &str,
        contrato: Option<&str>,
    ) -> Result<Answer<Vec<(Fatura, Option<BaixaResumo>)>>, ServiceError> {
        // The cache answers with each fatura's local baixa in the same read; a fresh list from the ERP needs the
        // baixas looked up after it is saved.
        let cached = self.store.faturas(documento, contrato).await?;
        let fetch = async {
            let mut faturas = self.erp.faturas(documento, contrato).await?;
            ordenar(&mut faturas);
            Ok(faturas.into_iter().map(|fatura| (fatura, None)).collect::<Vec<_>>())
        };
        let save = |faturas: Vec<(Fatura, Option<BaixaResumo>)>, em| {
            let faturas = faturas.into_iter().map(|(fatura, _)| fatura).collect();
            self.store.salvar_faturas(documento, contrato, faturas, em)
        };
        let mut answer = self.read_through(cached, fetch, save).await?;
        if answer.origem == Origem::Upstream {
            let ids = answer.valor.iter().map(|(fatura, _)| fatura.id.clone()).collect();
            let mut baixas = self.store.baixas_das_faturas(ids).await?;
            for (fatura, baixa) in &mut answer.valor {
                *baixa = baixas.remove(&fatura.id);
            }
        }
        answer
            .valor
            .retain(|(_, baixa)| baixa.as_ref().is_none_or(|baixa| baixa.status == StatusBaixa::Falhou));
        Ok(answer)
    }

    /// One fatura and its local baixa, if any. Once its baixa is synced the
    /// ERP stops listing the fatura; the cached copy then still answers, with
    /// the baixa that explains why.
    pub async fn fatura(&self, id: &str) -> Result<Answer<(Fatura, Option<BaixaResumo>)>, ServiceError> {
        let cached = self.store.fatura(id).await?;
        let fallback = cached.clone();
        let fetched = self
            .read_through(cached, self.erp.fatura(id), |fatura, em| {
                self.store.salvar_fatura(fatura, em)
            })
            .await;
        let mut baixas = self.store.baixas_das_faturas(vec![id.to_owned()]).await?;
        let baixa = baixas.remove(id);
        let found = match (fetched, fallback) {
            (Err(ServiceError::Erp(ErpError::NaoEncontrado)), Some(hit)) if baixa.is_some() => {
                answer(hit, Origem::Fallback)
            }
            (fetched, _) => fetched?,
        };
        Ok(Answer {
            valor: (found.valor, baixa),
            origem: found.origem,
            atualizado_em: found.atualizado_em,
        })
    }

    pub async fn contratos(&self, documento: &str) -> Result<Answer<Vec<Contrato>>, ServiceError> {
        let cached = self.store.contratos(documento).await?;
        self.read_through(cached, self.erp.contratos(documento), |contratos, em| {
            self.store.salvar_contratos(documento, contratos, em)
        })
        .await
    }

    /// How a copy fetched from the ERP at `atualizado_em` may answer at `now`, by the policy of this module:
    /// [`Origem::Fresh`] while it is younger than `fresh`, else [`Origem::Fallback`] while the ERP's circuit is open;
    /// None when the ERP must be asked first. The read-through asks it of the store's copy, the API of the ready
    /// answers it keeps in memory: one policy for both.
    pub fn servir_copia(&self, atualizado_em: DateTime<Utc>, now: DateTime<Utc>) -> Option<Origem> {
        let age = now.signed_duration_since(atualizado_em);
        if age.to_std().is_ok_and(|age| age < self.fresh) {
            Some(Origem::Fresh)
        } else if self.erp.online() {
            None
        } else {
            Some(Origem::Fallback)
        }
    }

    /// The generation of the local data ([`Store::geracao`]): a copy of an answer taken when it read `g` is current
    /// while this is still `g`. Read it *before* the read whose answer is kept.
    pub fn geracao(&self) -> u64 {
        self.store.geracao()
    }

    /// The one policy every read follows (see the module documentation).
    async fn read_through<T, Fetch, Save, Saved>(
        &self,
        cached: Option<Cached<T>>,
        fetch: Fetch,
        save: Save,
    ) -> Result<Answer<T>, ServiceError>
    where
        T: Clone,
        Fetch: Future<Output = Result<T, ErpError>>,
        Save: FnOnce(T, DateTime<Utc>) -> Saved,
        Saved: Future<Output = Result<(), StoreError>>,
    {
        let now = Utc::now();
        if let Some(hit) = cached.as_ref()
            && let Some(origem) = self.servir_copia(hit.atualizado_em, now)
        {
            return Ok(answer(hit.clone(), origem));
        }
        if !self.erp.online() {
            // The circuit may have opened since the question above.
            return cached
                .map(|hit| answer(hit, Origem::Fallback))
                .ok_or(ServiceError::Unavailable);
        }
        match fetch.await {
            Ok(valor) => {
                // A cache that cannot be written must not cost the customer the answer.
                if let Err(error) = save(valor.clone(), now).await {
                    tracing::error!(%error, "could not write the ERP's answer to the cache");
                }
                Ok(Answer {
                    valor,
                    origem: Origem::Upstream,
                    atualizado_em: now,
                })
            }
            Err(error) if error.is_unavailable() || matches!(error, ErpError::RespostaInvalida(_)) => {
                tracing::warn!(%error, cached = cached.is_some(), "ERP could not answer; falling back to the cache");
                cached
                    .map(|hit| answer(hit, Origem::Fallback))
                    .ok_or(ServiceError::Unavailable)
            }
            Err(error) => Err(ServiceError::Erp(error)),
        }
    }
}

fn answer<T>(hit: Cached<T>, origem: Origem) -> Answer<T> {
    Answer {
        valor: hit.valor,
        origem,
        atualizado_em: hit.atualizado_em,
    }
}
