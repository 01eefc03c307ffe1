//! The PDV's credit-limit lookups: asked of the retaguarda while it answers, and from the cache, under the offline
//! policy, while it does not; and the local ledger of credit the PDV used.
//!
//! Online every lookup goes to the retaguarda (a credit balance is not something to serve stale while the real one
//! is a call away); its answer, success or not, is kept in the store and given back in the contract's canonical
//! form. When the retaguarda cannot answer (down, slow, failing, garbage, or its breaker open) the last answer to
//! the same question answers instead, if it is younger than `max_idade_offline`, reduced by
//! [`resposta_offline`]: a share of the saldo, capped, less the credit used at this PDV since. The consumptions
//! recorded before a fresh answer are the retaguarda's to count, so they stop counting here.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use super::periodico::Periodico;
use super::{Answer, Origem, ServiceError};
use crate::adapters::retaguarda::{RetaguardaClient, RetaguardaError};
use crate::adapters::store::{ConsumoRegistrado, NovoConsumo, RegistroConsumo, Store, StoreError};
use crate::config::RetaguardaConfig;
use crate::domain::credito::{ChaveLimite, Fracao, PoliticaOffline, Resposta, resposta_offline};

/// The credit-limit use cases; cheap to clone.
#[derive(Clone, Debug)]
pub struct Credito {
    retaguarda: RetaguardaClient,
    store: Store,
    politica: PoliticaOffline,
    max_idade: Duration,
}

impl Credito {
    /// The use cases over the retaguarda of `config`, cached in `store`.
    pub fn new(config: &RetaguardaConfig, store: Store) -> Result<Credito, RetaguardaError> {
        let teto = config
            .teto()
            .map_err(|error| RetaguardaError::Configuracao(format!("teto_offline: {error}")))?;
        Ok(Credito {
            retaguarda: RetaguardaClient::new(config)?,
            store,
            politica: PoliticaOffline {
                fracao: Fracao::de_config(config.fracao_offline),
                teto,
            },
            max_idade: config.max_idade_offline,
        })
    }

    /// The retaguarda calls answered and failed since start-up.
    pub fn chamadas(&self) -> crate::adapters::breaker::Chamadas {
        self.retaguarda.chamadas()
    }

    /// Whether the retaguarda is taking calls (its breaker is closed).
    pub fn online(&self) -> bool {
        self.retaguarda.online()
    }

    /// How an answer built from a lookup at `consultado_em` may be given again at `now`: never while the retaguarda
    /// takes calls (every lookup asks it); while it does not, as [`Origem::Fallback`] until `max_idade_offline`.
    pub fn servir_copia(&self, consultado_em: DateTime<Utc>, now: DateTime<Utc>) -> Option<Origem> {
        (!self.online() && self.usavel_offline(consultado_em, now)).then_some(Origem::Fallback)
    }

    /// Whether a lookup made at `consultado_em` is young enough at `now` to answer offline.
    fn usavel_offline(&self, consultado_em: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now.signed_duration_since(consultado_em)
            .to_std()
            .is_ok_and(|idade| idade <= self.max_idade)
    }

    /// The answer to `chave`, asked with the document as the PDV wrote it (`cpf_cnpj`): see the module documentation.
    pub async fn consultar(&self, chave: &ChaveLimite, cpf_cnpj: &str) -> Result<Answer<Resposta>, ServiceError> {
        if self.online() {
            let pedido = self
                .retaguarda
                .consultar(&chave.inquilino, &chave.loja, cpf_cnpj, chave.por_forma)
                .await;
            match pedido.map(|valor| Resposta::ler(&valor)) {
                Ok(Ok((resposta, arredondados))) => {
                    for arredondado in arredondados {
                        tracing::warn!(
                            campo = arredondado.campo,
                            texto = arredondado.texto,
                            "the retaguarda sent money with more than two decimals; rounded half-even to centavos"
                        );
                    }
                    for regra in resposta.regras_violadas(chave.por_forma) {
                        tracing::warn!(
                            regra,
                            "the retaguarda's answer breaks a rule of the contract; passed on"
                        );
                    }
                    let agora = Utc::now();
                    // A cache that cannot be written must not cost the cashier the answer.
                    if let Err(error) = self
                        .store
                        .salvar_limite(chave.clone(), resposta.para_json().to_string(), agora)
                        .await
                    {
                        tracing::error!(%error, "could not keep the retaguarda's answer");
                    }
                    return Ok(Answer {
                        valor: resposta,
                        origem: Origem::Upstream,
                        atualizado_em: agora,
                    });
                }
                Ok(Err(error)) => tracing::warn!(%error, "the retaguarda's answer is not the contract's envelope"),
                // Already logged by the client.
                Err(_) => {}
            }
        }
        self.do_cache(chave).await
    }

    /// The answer from the cache under the offline policy, or a refusal saying why there is none.
    async fn do_cache(&self, chave: &ChaveLimite) -> Result<Answer<Resposta>, ServiceError> {
        let agora = Utc::now();
        let Some((cached, consumos)) = self.store.limite(chave.clone()).await? else {
            return Ok(Answer {
                valor: Resposta::falha(
                    "Retaguarda indisponível e este cliente ainda não foi consultado neste PDV: limite de crédito \
                     indisponível.",
                ),
                origem: Origem::Fallback,
                atualizado_em: agora,
            });
        };
        let quando = cached.atualizado_em.with_timezone(&chrono::Local).naive_local();
        if !self.usavel_offline(cached.atualizado_em, agora) {
            return Ok(Answer {
                valor: Resposta::falha(format!(
                    "Retaguarda indisponível e a última consulta deste cliente, de {}, é antiga demais para uso sem \
                     conexão.",
                    quando.format("%d/%m/%Y %H:%M")
                )),
                origem: Origem::Fallback,
                atualizado_em: cached.atualizado_em,
            });
        }
        let valor: serde_json::Value = serde_json::from_str(&cached.valor).map_err(StoreError::from)?;
        let (resposta, _) =
            Resposta::ler(&valor).map_err(|error| StoreError::Corrompido(format!("limite de crédito: {error}")))?;
        Ok(Answer {
            valor: resposta_offline(&resposta, quando, &consumos, self.politica),
            origem: Origem::Fallback,
            atualizado_em: cached.atualizado_em,
        })
    }

    /// Records credit the PDV used; see [`Store::registrar_consumo`].
    pub async fn registrar_consumo(&self, consumo: NovoConsumo, pedido: String) -> Result<RegistroConsumo, StoreError> {
        self.store.registrar_consumo(consumo, pedido, Utc::now()).await
    }

    /// Cancels the credit of a sale; see [`Store::cancelar_consumo`].
    pub async fn cancelar_consumo(&self, id_venda: &str) -> Result<Option<ConsumoRegistrado>, StoreError> {
        self.store.cancelar_consumo(id_venda, Utc::now()).await
    }

    /// While the retaguarda's breaker is open, asks it every `interval` whether it is back, so lookups go to it again
    /// without a cashier waiting out a timeout first.
    pub async fn sondar(self, interval: Duration, stopped: watch::Receiver<bool>) {
        let mut periodico = Periodico::new(interval, stopped);
        while periodico.proximo().await {
            if !self.retaguarda.online() && self.retaguarda.sondar().await {
                tracing::info!("retaguarda reachable again");
            }
        }
    }
}
