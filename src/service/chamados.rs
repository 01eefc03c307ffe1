//! Opening a support ticket (chamado): the use case behind `POST /v1/clientes/{documento}/chamados`.
//!
//! Online only. A chamado is not queued in the outbox like a baixa: the customer at the totem needs the ticket's
//! protocol number now, which a queued ticket cannot give, and a ticket that reaches the support desk hours later,
//! after the customer left believing it was refused (or opened), helps nobody. So while the ERP is unreachable the
//! answer is [`ServiceError::Unavailable`] (503, try again), and nothing is kept to be sent later.
//!
//! Never sent twice by borda. The ERP opens a ticket for every POST it receives, so nothing here retries; a failure
//! after the request went out without a readable answer is [`ChamadoError::Incerto`] ("it may have been opened"),
//! never a silent second attempt. The kiosk's optional `Idempotency-Key` makes *its* retries safe: the key and a
//! fingerprint of the request are stored before the POST goes out, the ERP's ticket id when it answers; the same key
//! with the same request then answers the first ticket, with another request 409, and after an unanswered POST it is
//! refused ([`ChamadoError::AnteriorIncerto`]) rather than sent again. Requests under one key wait for each other, and
//! each runs to its end on its own task even when the kiosk hangs up, so the key always records what became of it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::Utc;

use super::{ServiceError, Totem};
use crate::adapters::erp::{DestinoChamado, ErpError, FalhaChamado, NovoChamado};
use crate::adapters::store::{ReservaChamado, StoreError};
use crate::config::ChamadoConfig;
use crate::domain::chamado::Chamado;
use crate::domain::contato::TipoContato;

/// Why a chamado was not opened, or not surely.
#[derive(Debug, thiserror::Error)]
pub enum ChamadoError {
    /// The ERP has no chamado path, or `[chamado]` lacks the ids to file it under (named, for the log).
    #[error("abrir chamados não está configurado: {0}")]
    NaoSuportado(String),
    /// The key was used before for another chamado.
    #[error("chave de idempotência já usada para outro chamado")]
    ChaveComOutroPedido,
    /// An earlier POST under this key went out without a readable answer: it may have opened the ticket.
    #[error("um envio anterior com esta chave pode ter aberto o chamado")]
    AnteriorIncerto,
    /// This POST went out without a readable answer: the ERP may have opened the ticket. `sem_resposta`: no answer
    /// at all (a timeout, a broken connection), else an answer that was not one (a 5xx, a redirect, no id).
    #[error("o chamado pode ter sido aberto sem resposta do sistema do provedor")]
    Incerto { sem_resposta: bool },
    /// The ERP refused it (a 4xx other than 401, 403 and 429, or `"success": false`): not opened.
    #[error("o sistema do provedor recusou o chamado (status {status})")]
    Recusado { status: u16 },
    /// The contact chosen is not one of the customer's.
    #[error("contato não encontrado entre os do cliente")]
    ContatoDesconhecido,
    /// The ERP did not give the customer's id, which the chamado needs.
    #[error("o sistema do provedor não informou o código do cliente")]
    ClienteSemId,
    /// The task that sent it ended without an outcome (it panicked).
    #[error("o envio do chamado foi interrompido")]
    Interrompido,
    #[error(transparent)]
    Servico(#[from] ServiceError),
}

impl From<StoreError> for ChamadoError {
    fn from(error: StoreError) -> Self {
        ChamadoError::Servico(ServiceError::Store(error))
    }
}

/// A chamado the ERP opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChamadoCriado {
    /// The ERP's ticket id (its protocol number).
    pub id: String,
    /// Answered from an earlier request under the same key: nothing was sent now.
    pub repetido: bool,
}

/// The totem's chamado settings and the locks of the keys in flight. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Chamados {
    config: Arc<ChamadoConfig>,
    travas: Travas,
}

impl Totem {
    /// The same totem filing chamados under the ERP ids of `config` (`[chamado]`).
    pub fn com_chamados(mut self, config: ChamadoConfig) -> Self {
        let faltando = config.faltando();
        if !faltando.is_empty() && faltando.len() < 3 {
            tracing::warn!(
                missing = faltando.join(", ").as_str(),
                "[chamado] is incomplete: chamados answer 501 until it is filled in"
            );
        }
        self.chamados = Chamados {
            config: Arc::new(config),
            travas: Travas::default(),
        };
        self
    }

    /// Whether this totem can open chamados: the ERP has a path for them and `[chamado]` names where they go. The
    /// error names what is missing.
    pub fn chamados_suportados(&self) -> Result<(), ChamadoError> {
        let mut faltando = self.chamados.config.faltando();
        if !self.erp.suporta_chamados() {
            faltando.insert(0, "erp.paths.chamado");
        }
        if faltando.is_empty() {
            Ok(())
        } else {
            Err(ChamadoError::NaoSuportado(faltando.join(", ")))
        }
    }

    /// Opens `chamado` for the customer with `documento` (normalised) at the ERP, online; under the kiosk's
    /// idempotency key `chave` when it sent one (see the module documentation). Runs on a task of its own, so a
    /// kiosk that hangs up does not cut it between the ERP's answer and its record.
    pub async fn abrir_chamado(
        &self,
        documento: String,
        chave: Option<String>,
        chamado: Chamado,
    ) -> Result<ChamadoCriado, ChamadoError> {
        self.chamados_suportados()?;
        let totem = self.clone();
        tokio::spawn(async move { totem.abrir_chamado_agora(&documento, chave, &chamado).await })
            .await
            .unwrap_or_else(|error| {
                tracing::error!(%error, "the chamado task failed");
                Err(ChamadoError::Interrompido)
            })
    }

    /// [`Totem::abrir_chamado`] on its own task.
    async fn abrir_chamado_agora(
        &self,
        documento: &str,
        chave: Option<String>,
        chamado: &Chamado,
    ) -> Result<ChamadoCriado, ChamadoError> {
        let Some(chave) = chave else {
            let id = self.enviar_chamado(documento, chamado, None).await?;
            return Ok(ChamadoCriado { id, repetido: false });
        };
        let _trava = self.chamados.travas.travar(&chave).await;
        let pedido = chamado.impressao_digital(documento);
        match self
            .store
            .reservar_chamado(chave.clone(), pedido.clone(), Utc::now())
            .await?
        {
            ReservaChamado::Nova => {}
            ReservaChamado::Usada { pedido: anterior, .. } if anterior != pedido => {
                return Err(ChamadoError::ChaveComOutroPedido);
            }
            ReservaChamado::Usada {
                id_atendimento: Some(id),
                ..
            } => return Ok(ChamadoCriado { id, repetido: true }),
            ReservaChamado::Usada {
                id_atendimento: None, ..
            } => return Err(ChamadoError::AnteriorIncerto),
        }
        let resultado = self.enviar_chamado(documento, chamado, Some(&chave)).await;
        let registro = match &resultado {
            Ok(id) => self.store.chamado_aberto(chave, id.clone()).await,
            // The key stays without an id: a retry is refused, not sent again.
            Err(ChamadoError::Incerto { .. }) => Ok(()),
            Err(_) => self.store.liberar_chamado(chave).await,
        };
        if let Err(error) = registro {
            // The ticket's fate is what the customer needs; a key left unanswered only refuses its retries.
            tracing::error!(%error, "could not record the outcome of a chamado's idempotency key");
        }
        resultado.map(|id| ChamadoCriado { id, repetido: false })
    }

    /// Sends one chamado: the ERP's ticket id, or why not.
    async fn enviar_chamado(
        &self,
        documento: &str,
        chamado: &Chamado,
        chave: Option<&str>,
    ) -> Result<String, ChamadoError> {
        // A write cannot be answered from the cache.
        if !self.erp.online() {
            return Err(ServiceError::Unavailable.into());
        }
        let contato = match &chamado.contato_id {
            Some(id) => Some(
                self.contato(documento, id)
                    .await?
                    .ok_or(ChamadoError::ContatoDesconhecido)?,
            ),
            None => None,
        };
        let endereco = |tipo| {
            contato
                .as_ref()
                .filter(|contato| contato.tipo == tipo)
                .map(|contato| contato.valor.as_str())
        };
        let cliente = self.cliente(documento).await?.valor;
        let id_cliente = cliente.id.ok_or(ChamadoError::ClienteSemId)?;
        let config = &self.chamados.config;
        let novo = NovoChamado {
            id_cliente: &id_cliente,
            chamado,
            destino: DestinoChamado {
                tipo: config.tipo.trim(),
                departamento: config.departamento.trim(),
                funcionario: config.funcionario.trim(),
            },
            email: endereco(TipoContato::Email),
            telefone: endereco(TipoContato::Telefone),
            chave,
        };
        match self.erp.abrir_chamado(&novo).await {
            Ok(aberto) => Ok(aberto.id),
            Err(falha) => Err(falha_chamado(falha)),
        }
    }
}

/// What a failed POST means to the customer.
fn falha_chamado(falha: FalhaChamado) -> ChamadoError {
    if falha.talvez_aberto {
        return ChamadoError::Incerto {
            sem_resposta: matches!(falha.erro, ErpError::Indisponivel(_)),
        };
    }
    match falha.erro {
        ErpError::Status { status, .. } if !matches!(status, 401 | 403 | 429) && status < 500 => {
            ChamadoError::Recusado { status }
        }
        ErpError::NaoSuportado(caminho) => ChamadoError::NaoSuportado(format!("erp.paths.{caminho}")),
        erro => ChamadoError::Servico(ServiceError::Erp(erro)),
    }
}

/// One async lock per idempotency key in flight: requests under one key run one after the other; a key nobody holds
/// or waits for is forgotten.
#[derive(Clone, Debug, Default)]
struct Travas(Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>);

/// A key's lock, held until dropped.
struct Trava {
    travas: Travas,
    chave: String,
    guarda: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Travas {
    /// The map; a poisoned lock only means a panic elsewhere, and the map is always whole.
    fn mapa(&self) -> MutexGuard<'_, HashMap<String, Arc<tokio::sync::Mutex<()>>>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until no other request holds `chave`, and holds it.
    async fn travar(&self, chave: &str) -> Trava {
        let trava = Arc::clone(self.mapa().entry(chave.to_owned()).or_default());
        let guarda = trava.lock_owned().await;
        Trava {
            travas: self.clone(),
            chave: chave.to_owned(),
            guarda: Some(guarda),
        }
    }

    /// How many keys are held or waited for.
    #[cfg(test)]
    fn em_uso(&self) -> usize {
        self.mapa().len()
    }
}

impl Drop for Trava {
    fn drop(&mut self) {
        let mut mapa = self.travas.mapa();
        self.guarda.take();
        // Clones are only taken under the map's lock: a count of one is the map's own, nobody waits.
        if mapa.get(&self.chave).is_some_and(|trava| Arc::strong_count(trava) == 1) {
            mapa.remove(&self.chave);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn requests_under_one_key_wait_for_each_other_and_keys_are_forgotten() {
        let travas = Travas::default();
        let primeira = travas.travar("k").await;
        let outra = travas.travar("outra").await;
        let segunda = tokio::spawn({
            let travas = travas.clone();
            async move {
                let _trava = travas.travar("k").await;
            }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!segunda.is_finished(), "the second request under the key waits");
        drop(outra);
        assert_eq!(travas.em_uso(), 1, "a key nobody waits for is forgotten");
        drop(primeira);
        tokio::time::timeout(Duration::from_secs(5), segunda)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(travas.em_uso(), 0);
    }

    #[test]
    fn only_an_unanswered_post_is_uncertain_and_only_business_statuses_are_refusals() {
        let falha = |status: u16, talvez_aberto| FalhaChamado {
            erro: ErpError::Status {
                status,
                corpo: String::new(),
            },
            talvez_aberto,
        };
        assert!(matches!(
            falha_chamado(falha(500, true)),
            ChamadoError::Incerto { sem_resposta: false }
        ));
        let sem_resposta = FalhaChamado {
            erro: ErpError::Indisponivel("tempo de resposta esgotado".into()),
            talvez_aberto: true,
        };
        assert!(matches!(
            falha_chamado(sem_resposta),
            ChamadoError::Incerto { sem_resposta: true }
        ));
        for status in [200, 400, 404, 422] {
            assert!(
                matches!(falha_chamado(falha(status, false)), ChamadoError::Recusado { .. }),
                "{status}"
            );
        }
        for status in [401, 403, 429] {
            assert!(
                matches!(falha_chamado(falha(status, false)), ChamadoError::Servico(_)),
                "{status}"
            );
        }
    }
}
