//! The sync worker: drives each baixa through the state machine of
//! [`crate::domain::baixa`] until the ERP has it, so that every payment taken
//! at the totem is booked upstream exactly once in effect.
//!
//! The baixas table is the outbox. The worker takes the oldest due pending
//! baixa and does its [`passo`]: post it (the [`Evento::Envio`] is persisted
//! *before* anything is sent, so a crash mid-send leaves it uncertain), or
//! read the fatura at the ERP (after an uncertain post, or for a payment the
//! ERP settles by itself). Each answer becomes an [`Evento`], each event a
//! transition the store persists. The ERP is treated as not idempotent
//! unless `erp.idempotent` says otherwise.
//!
//! Retries back off exponentially with full jitter (1 s base, 5 min cap),
//! never sooner than a `Retry-After`. While the ERP's breaker is open nothing
//! is sent and nothing counts as an attempt: the probe ([`sondar`]), backing
//! off with jitter, makes every pending baixa due when the ERP is back, and
//! the worker then catches up at the totem's own pace ([`Cadencia`],
//! [`crate::domain::ritmo`]), so a fleet regaining one link does not stampede.
//! The worker also wakes at once on a new baixa and on `POST /v1/sync`.
//!
//! It never holds a store transaction across a network call, and it never
//! deletes a baixa.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, watch};
use tokio::time::Instant;
use tracing::Instrument;

use crate::adapters::erp::{EmAberto, EnvioBaixa, ErpClient, ErpError, IdsForma};
use crate::adapters::store::{Passagem, Proxima, Store};
use crate::config::BaixaConfig;
use crate::domain::baixa::{Baixa, Estado, Evento, Passo, Politica, passo, transicao};
use crate::domain::ritmo::{JANELA, Ritmo};
use crate::service::saude::Saude;

/// First retry delay (before jitter).
const BACKOFF_BASE: Duration = Duration::from_secs(1);
/// Longest retry delay.
const BACKOFF_CAP: Duration = Duration::from_secs(300);
/// How often a baixa the ERP settles by itself is checked.
const WATCH_INTERVAL: Duration = Duration::from_secs(15);
/// How long a baixa waits while the ERP is offline, unless the probe sees it back first.
const OFFLINE_WAIT: Duration = Duration::from_secs(60);
/// Pause after the store itself failed, so a broken disk is not hammered.
const STORE_PAUSE: Duration = Duration::from_secs(1);

/// Wakes the worker; cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Waker(Arc<Notify>);

impl Waker {
    /// Asks the worker to look at the outbox now.
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// The catch-up after an outage, shared by the probe, which starts it when it sees the ERP back, and the worker,
/// which spaces its calls by it until nothing is due.
#[derive(Clone, Debug, Default)]
pub struct Cadencia(Arc<Mutex<Compasso>>);

#[derive(Debug, Default)]
struct Compasso {
    /// The least gap between two calls; `None` when not catching up.
    intervalo: Option<Duration>,
    /// The catch-up's last call: the probe that saw the ERP back, then each attempt.
    ultima: Option<Instant>,
}

impl Cadencia {
    fn compasso(&self) -> std::sync::MutexGuard<'_, Compasso> {
        // The guarded data is two plain values, valid whatever a panicking holder did.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts catching up, `intervalo` between calls, counting from a call made now.
    fn iniciar(&self, intervalo: Duration) {
        *self.compasso() = Compasso {
            intervalo: Some(intervalo),
            ultima: Some(Instant::now()),
        };
    }

    /// Nothing is due any more: calls go out at once again.
    fn encerrar(&self) {
        self.compasso().intervalo = None;
    }

    /// How long until the next call may go out.
    fn espera(&self) -> Duration {
        let compasso = self.compasso();
        match (compasso.intervalo, compasso.ultima) {
            (Some(intervalo), Some(ultima)) => (ultima + intervalo).saturating_duration_since(Instant::now()),
            _ => Duration::ZERO,
        }
    }

    /// A call goes out now.
    fn marcar(&self) {
        self.compasso().ultima = Some(Instant::now());
    }
}

/// The worker's collaborators.
pub struct Worker {
    store: Store,
    erp: ErpClient,
    baixa: Arc<BaixaConfig>,
    politica: Politica,
    waker: Waker,
    saude: Saude,
    cadencia: Cadencia,
}

/// What an attempt produced: the transition to persist after the answer.
struct Desfecho {
    evento: Evento,
    erro: Option<String>,
    resposta: Option<String>,
    /// At least this long before the next look (`Retry-After`, the watch interval).
    espera: Duration,
}

impl Worker {
    pub fn new(
        store: Store,
        erp: ErpClient,
        baixa: Arc<BaixaConfig>,
        politica: Politica,
        waker: Waker,
        saude: Saude,
        cadencia: Cadencia,
    ) -> Self {
        Worker {
            store,
            erp,
            baixa,
            politica,
            waker,
            saude,
            cadencia,
        }
    }

    /// Drains until `stopped` turns true.
    pub async fn run(self, mut stopped: watch::Receiver<bool>) {
        loop {
            if *stopped.borrow() {
                return;
            }
            let vez = self.cadencia.espera();
            if !vez.is_zero() {
                tokio::select! {
                    _ = tokio::time::sleep(vez) => {}
                    _ = stopped.wait_for(|stop| *stop) => return,
                }
            }
            let wait = match self.store.proxima_baixa(Utc::now()).await {
                Ok(Proxima::Agora(baixa)) => {
                    self.cadencia.marcar();
                    let span = tracing::info_span!("baixa", baixa.id = %baixa.id, fatura.id = %baixa.fatura_id);
                    if let Err(erro) = self.attempt(*baixa).instrument(span).await {
                        tracing::error!(%erro, "could not record the step of a baixa");
                        tokio::time::sleep(STORE_PAUSE).await;
                    }
                    continue;
                }
                Ok(Proxima::Depois(due)) => {
                    self.cadencia.encerrar();
                    (due - Utc::now()).to_std().unwrap_or_default()
                }
                Ok(Proxima::Nenhuma) => {
                    self.cadencia.encerrar();
                    BACKOFF_CAP
                }
                Err(error) => {
                    tracing::error!(%error, "the outbox could not be read");
                    STORE_PAUSE
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.waker.0.notified() => {}
                _ = stopped.wait_for(|stop| *stop) => return,
            }
        }
    }

    /// One step of one baixa, recorded whatever happens. An error is a failure to record it (the store, or a
    /// transition the state machine refuses): nothing else is sent for it in this step.
    async fn attempt(&self, baixa: Baixa) -> Result<(), String> {
        let agora = Utc::now();
        let step = passo(baixa.estado, self.politica);
        if step == Passo::Nenhum {
            return Ok(());
        }
        if !self.erp.online() {
            // Not an attempt: nothing is sent and nothing counts. The probe makes it due when the ERP is back.
            let adiada = Passagem {
                de: baixa.estado,
                para: baixa.estado,
                tentativa: false,
                ultimo_erro: Some("sistema do provedor fora do ar: aguardando ele voltar".into()),
                resposta: None,
                proxima: after(agora, OFFLINE_WAIT),
                em: agora,
            };
            return self.store.aplicar(&baixa.id, adiada).await.map_err(|e| e.to_string());
        }
        let (de, desfecho) = match step {
            Passo::LerErp => (baixa.estado, self.ler(&baixa).await),
            Passo::Postar | Passo::Nenhum => {
                let enviando = transicao(baixa.estado, Evento::Envio, self.politica).map_err(|e| e.to_string())?;
                let envio = Passagem {
                    de: baixa.estado,
                    para: enviando,
                    tentativa: true,
                    ultimo_erro: baixa.ultimo_erro.clone(),
                    resposta: None,
                    proxima: after(agora, backoff(baixa.tentativas.saturating_add(1))),
                    em: agora,
                };
                self.store.aplicar(&baixa.id, envio).await.map_err(|e| e.to_string())?;
                (enviando, self.postar(&baixa).await)
            }
        };
        let para = transicao(de, desfecho.evento, self.politica).map_err(|e| e.to_string())?;
        let tentativas = baixa.tentativas.saturating_add(u32::from(step == Passo::Postar));
        let proxima = match para {
            // Read open after an uncertain post: post again at once.
            Estado::Pendente if desfecho.evento == Evento::VistaEmAberto => agora,
            Estado::Pendente | Estado::Enviando | Estado::Incerta => {
                after(agora, backoff(tentativas).max(desfecho.espera))
            }
            Estado::AguardandoErp => after(agora, WATCH_INTERVAL.max(desfecho.espera)),
            Estado::Sincronizada | Estado::Reconciliada | Estado::Falhou => agora,
        };
        log(para, &desfecho);
        let passagem = Passagem {
            de,
            para,
            tentativa: false,
            ultimo_erro: desfecho.erro,
            resposta: desfecho.resposta,
            proxima,
            em: Utc::now(),
        };
        self.store.aplicar(&baixa.id, passagem).await.map_err(|e| e.to_string())
    }

    /// Posts the baixa (already recorded as sent) and reads the answer as an event.
    async fn postar(&self, baixa: &Baixa) -> Desfecho {
        let forma = self.baixa.forma(baixa.forma());
        let ids = IdsForma {
            id_empresa: Some(forma.id_empresa.as_str()).filter(|id| !id.is_empty()),
            id_conta: Some(forma.id_conta.as_str()).filter(|id| !id.is_empty()),
        };
        let envio = self.erp.baixa(baixa, &ids).await;
        if !matches!(envio, EnvioBaixa::NaoAutorizada { .. } | EnvioBaixa::NaoEnviada { .. }) {
            self.saude.credenciais(None);
        }
        let desfecho = |evento, erro, resposta, espera: Option<Duration>| Desfecho {
            evento,
            erro,
            resposta,
            espera: espera.unwrap_or_default(),
        };
        match envio {
            EnvioBaixa::Aceita { resposta } => desfecho(Evento::Aceita, None, Some(resposta), None),
            EnvioBaixa::Recusada { status, resposta } => desfecho(
                Evento::Recusada,
                Some(format!("o ERP recusou a baixa (status {status})")),
                Some(resposta),
                None,
            ),
            EnvioBaixa::NaoAutorizada { status } => {
                let erro = format!("o ERP recusou as credenciais do borda (status {status}): confira erp.auth_value");
                self.saude.credenciais(Some(erro.clone()));
                desfecho(Evento::NaoEnviada, Some(erro), None, None)
            }
            EnvioBaixa::NaoEnviada { motivo, retry_after } => {
                desfecho(Evento::NaoEnviada, Some(motivo), None, retry_after)
            }
            EnvioBaixa::Incerta { motivo, retry_after } => desfecho(Evento::Incerta, Some(motivo), None, retry_after),
        }
    }

    /// Reads whether the ERP still shows the fatura of `baixa` open. It only serves open faturas, so a paid one is a
    /// 404 by id; but a 404 is also what a wrong path or a lost proxy route gives, and calling money booked on that
    /// would lose a payment. So the customer's open list must agree: a well-formed list without the fatura.
    async fn ler(&self, baixa: &Baixa) -> Desfecho {
        let aguardando = "aguardando o ERP confirmar o pagamento pela própria integração";
        let visto = |evento, erro: Option<String>| Desfecho {
            evento,
            erro,
            resposta: None,
            espera: Duration::ZERO,
        };
        match self.erp.fatura(&baixa.fatura_id).await {
            Ok(_) if baixa.estado == Estado::AguardandoErp => visto(Evento::VistaEmAberto, Some(aguardando.into())),
            Ok(_) => visto(Evento::VistaEmAberto, None),
            Err(ErpError::NaoEncontrado) => match self.erp.fatura_em_aberto(&baixa.documento, &baixa.fatura_id).await {
                Ok(EmAberto::Nao) => visto(Evento::VistaQuitada, None),
                Ok(EmAberto::Sim) => visto(
                    Evento::LeituraFalhou,
                    Some(
                        "o ERP não encontra a fatura pelo id, mas ainda a lista em aberto: confira erp.paths.fatura"
                            .into(),
                    ),
                ),
                Err(error) => visto(Evento::LeituraFalhou, Some(error.to_string())),
            },
            Err(error) => visto(Evento::LeituraFalhou, Some(error.to_string())),
        }
    }
}

/// What became of a baixa; its ids are the fields of the worker's `baixa` span.
fn log(para: Estado, desfecho: &Desfecho) {
    let erro = desfecho.erro.as_deref().unwrap_or_default();
    match para {
        Estado::Sincronizada | Estado::Reconciliada => tracing::info!(estado = ?para, "baixa synced"),
        Estado::Falhou => tracing::warn!(erro, "the ERP refused the baixa"),
        _ => tracing::info!(estado = ?para, erro, "baixa not settled yet"),
    }
}

/// While the ERP's breaker is open, asks it whether it is back, so answers return to "upstream" without a customer
/// paying for a timeout first: first after the floor of `ritmo`, then twice as long after each failure, up to the
/// totem's own pace, each wait jittered ([`Ritmo::sondagem`]). When it is back, every pending baixa becomes due and
/// the worker catches up one call per [`Ritmo::intervalo`], so a fleet of totems regaining one link loads the ERP
/// at most [`crate::domain::ritmo::FATOR`] times its steady rate.
pub async fn sondar(
    erp: ErpClient,
    store: Store,
    ritmo: Ritmo,
    cadencia: Cadencia,
    waker: Waker,
    mut stopped: watch::Receiver<bool>,
) {
    let mut falhas = 0u32;
    loop {
        let espera = if erp.online() {
            falhas = 0;
            ritmo.piso()
        } else {
            ritmo.sondagem(falhas, pagamentos_recentes(&store).await, fastrand::f64())
        };
        tokio::select! {
            _ = tokio::time::sleep(espera) => {}
            _ = stopped.wait_for(|stop| *stop) => return,
        }
        if erp.online() {
            continue;
        }
        if !erp.sondar().await {
            falhas = falhas.saturating_add(1);
            continue;
        }
        let intervalo = ritmo.intervalo(pagamentos_recentes(&store).await);
        tracing::info!(
            probes_failed = falhas,
            catch_up_gap_ms = u64::try_from(intervalo.as_millis()).unwrap_or(u64::MAX),
            "ERP reachable again"
        );
        falhas = 0;
        cadencia.iniciar(intervalo);
        if let Err(error) = store.antecipar_baixas(Utc::now()).await {
            tracing::error!(%error, "could not make the pending baixas due");
        }
        waker.wake();
    }
}

/// The payments of the last [`JANELA`]: the totem's share of the ERP's steady load. A store that cannot count counts
/// none, which paces at the ceiling: slow, never a stampede.
async fn pagamentos_recentes(store: &Store) -> u64 {
    let desde = chrono::Duration::from_std(JANELA)
        .ok()
        .and_then(|janela| Utc::now().checked_sub_signed(janela))
        .unwrap_or_else(Utc::now);
    store.contar_baixas_desde(desde).await.unwrap_or_else(|error| {
        tracing::warn!(%error, "could not count the recent payments");
        0
    })
}

/// Full jitter: uniformly random between zero and `min(cap, base · 2^attempts)`.
fn backoff(attempts: u32) -> Duration {
    let ceiling = BACKOFF_BASE
        .saturating_mul(2u32.saturating_pow(attempts.min(16)))
        .min(BACKOFF_CAP);
    let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(fastrand::u64(0..=millis))
}

/// `delay` after `agora`. Delays are bounded (the backoff cap; `erp` caps a `Retry-After` at an hour), so the
/// fallback to `agora` for one beyond chrono's range is never taken.
fn after(agora: DateTime<Utc>, delay: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(delay)
        .ok()
        .and_then(|delay| agora.checked_add_signed(delay))
        .unwrap_or(agora)
}

#[cfg(test)]
mod rebanho;

#[cfg(test)]
mod tests {
    use super::*;

    /// The policy's numbers (1 s base doubling per attempt, 5 min cap: ARCHITECTURE.md), written out, not recomputed.
    #[test]
    fn backoff_stays_under_the_policy_ceilings() {
        for (attempts, ceiling_secs) in [(0, 1), (1, 2), (2, 4), (3, 8), (5, 32), (8, 256), (9, 300), (40, 300)] {
            for _ in 0..200 {
                assert!(backoff(attempts) <= Duration::from_secs(ceiling_secs), "{attempts}");
            }
        }
        assert!(
            (0..1000)
                .map(|_| backoff(20))
                .any(|delay| delay > Duration::from_secs(150)),
            "the cap is reached"
        );
    }
}
