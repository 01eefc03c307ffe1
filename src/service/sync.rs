//! The sync worker: drains the baixas outbox to the ERP, so that every
//! payment taken at the totem is booked upstream exactly once in effect.
//!
//! The baixas table is the outbox. The worker takes the oldest due pending
//! baixa, records the attempt *before* sending (a crash mid-send leaves it
//! marked uncertain), and classifies the answer: booked → `sincronizada`;
//! refused → `falhou`, kept for an operator; never sent → retried; maybe
//! booked (timeout after sending, reset, 5xx) → retried, but first the
//! fatura is read, and if the ERP no longer shows it open (neither by id nor
//! in the customer's list) the baixa is recorded as synced ("reconciliada")
//! without posting again. The ERP is treated as not idempotent unless
//! `erp.idempotent` says otherwise.
//! Retries back off exponentially with full jitter (1 s base, 5 min cap),
//! never sooner than a `Retry-After`. The worker wakes at once on a new
//! baixa, on `POST /v1/sync` and when the ERP comes back.
//!
//! It never holds a store transaction across a network call, and it never
//! deletes a baixa.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, watch};

use crate::adapters::erp::{EmAberto, EnvioBaixa, ErpClient, ErpError, IdsForma};
use crate::adapters::store::{Proxima, Resultado, Store};
use crate::config::{BaixaConfig, FormaConfig};
use crate::domain::model::{Baixa, Forma};

/// First retry delay (before jitter).
const BACKOFF_BASE: Duration = Duration::from_secs(1);
/// Longest retry delay.
const BACKOFF_CAP: Duration = Duration::from_secs(300);
/// How often a baixa the ERP settles by itself is checked.
const WATCH_INTERVAL: Duration = Duration::from_secs(15);
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

/// The worker's collaborators.
pub struct Worker {
    store: Store,
    erp: ErpClient,
    baixa: BaixaConfig,
    erp_idempotent: bool,
    waker: Waker,
}

impl Worker {
    pub fn new(store: Store, erp: ErpClient, baixa: BaixaConfig, erp_idempotent: bool, waker: Waker) -> Self {
        Worker {
            store,
            erp,
            baixa,
            erp_idempotent,
            waker,
        }
    }

    /// Drains until `stopped` turns true.
    pub async fn run(self, mut stopped: watch::Receiver<bool>) {
        loop {
            if *stopped.borrow() {
                return;
            }
            let wait = match self.store.proxima_baixa(Utc::now()).await {
                Ok(Proxima::Agora(baixa)) => {
                    self.attempt(*baixa).await;
                    continue;
                }
                Ok(Proxima::Depois(due)) => (due - Utc::now()).to_std().unwrap_or_default(),
                Ok(Proxima::Nenhuma) => BACKOFF_CAP,
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

    /// One attempt at one baixa, recorded whatever happens.
    async fn attempt(&self, baixa: Baixa) {
        let resultado = self.outcome(&baixa).await;
        match &resultado {
            Resultado::Sincronizada { reconciliada, .. } => {
                tracing::info!(baixa = %baixa.id, fatura = %baixa.fatura_id, reconciliada, "baixa synced")
            }
            Resultado::Falhou { erro, .. } => {
                tracing::warn!(baixa = %baixa.id, fatura = %baixa.fatura_id, %erro, "the ERP refused the baixa")
            }
            Resultado::Adiada { erro, proxima, incerto } => {
                tracing::info!(baixa = %baixa.id, %erro, %proxima, incerto, "baixa postponed")
            }
        }
        if let Err(error) = self.store.registrar_resultado(&baixa.id, resultado).await {
            // The attempt stays marked uncertain in the store: the next one reads the fatura first.
            tracing::error!(%error, baixa = %baixa.id, "could not record the outcome of a baixa");
            tokio::time::sleep(STORE_PAUSE).await;
        }
    }

    async fn outcome(&self, baixa: &Baixa) -> Resultado {
        if baixa.aguardar_erp {
            return self.watch(baixa).await;
        }
        if baixa.envio_incerto && !self.erp_idempotent {
            match self.situacao(baixa).await {
                // The uncertain attempt was booked.
                Situacao::Quitada => return reconciled(),
                // Nothing was booked, so sending again cannot double-book.
                Situacao::Aberta => {}
                Situacao::Incerta(erro) => return self.postpone(baixa, erro, None, true),
            }
        }
        if let Err(error) = self.store.marcar_tentativa(&baixa.id).await {
            return self.postpone(
                baixa,
                format!("armazenamento local: {error}"),
                None,
                baixa.envio_incerto,
            );
        }
        let forma = self.forma(baixa.forma());
        let ids = IdsForma {
            id_empresa: Some(forma.id_empresa.as_str()).filter(|id| !id.is_empty()),
            id_conta: Some(forma.id_conta.as_str()).filter(|id| !id.is_empty()),
        };
        match self.erp.baixa(baixa, &ids).await {
            EnvioBaixa::Aceita { resposta } => Resultado::Sincronizada {
                resposta: Some(resposta),
                reconciliada: false,
                em: Utc::now(),
            },
            EnvioBaixa::Recusada { status, resposta } => Resultado::Falhou {
                erro: format!("o ERP recusou a baixa (status {status})"),
                resposta,
            },
            EnvioBaixa::NaoAutorizada { status } => self.postpone(
                baixa,
                format!("o ERP recusou as credenciais do borda (status {status}): confira erp.auth_value"),
                None,
                false,
            ),
            EnvioBaixa::NaoEnviada { motivo, retry_after } => self.postpone(baixa, motivo, retry_after, false),
            EnvioBaixa::Incerta { motivo, retry_after } => self.postpone(baixa, motivo, retry_after, true),
        }
    }

    /// A payment the ERP settles by itself: never posted; synced once the ERP
    /// stops listing the fatura as open.
    async fn watch(&self, baixa: &Baixa) -> Resultado {
        match self.situacao(baixa).await {
            Situacao::Quitada => reconciled(),
            Situacao::Aberta => Resultado::Adiada {
                erro: "aguardando o ERP confirmar o pagamento pela própria integração".into(),
                proxima: Utc::now() + WATCH_INTERVAL,
                incerto: false,
            },
            Situacao::Incerta(erro) => self.postpone(baixa, erro, None, false),
        }
    }

    /// Whether the ERP still shows the fatura of `baixa` open. It only serves open faturas, so a paid one is a 404
    /// by id; but a 404 is also what a wrong path or a lost proxy route gives, and calling money booked on that
    /// would lose a payment. So the customer's open list must agree: answered, and without the fatura.
    async fn situacao(&self, baixa: &Baixa) -> Situacao {
        match self.erp.fatura(&baixa.fatura_id).await {
            Ok(_) => Situacao::Aberta,
            Err(ErpError::NaoEncontrado) => match self.erp.fatura_em_aberto(&baixa.documento, &baixa.fatura_id).await {
                Ok(EmAberto::Nao) => Situacao::Quitada,
                Ok(EmAberto::Sim) => Situacao::Incerta(
                    "o ERP não encontra a fatura pelo id, mas ainda a lista em aberto: confira erp.paths.fatura".into(),
                ),
                Err(error) => Situacao::Incerta(error.to_string()),
            },
            Err(error) => Situacao::Incerta(error.to_string()),
        }
    }

    fn forma(&self, forma: Forma) -> &FormaConfig {
        match forma {
            Forma::Pix => &self.baixa.pix,
            Forma::Tef => &self.baixa.tef,
        }
    }

    fn postpone(&self, baixa: &Baixa, erro: String, retry_after: Option<Duration>, incerto: bool) -> Resultado {
        let delay = backoff(baixa.tentativas).max(retry_after.unwrap_or_default());
        Resultado::Adiada {
            erro,
            proxima: after(delay),
            incerto,
        }
    }
}

/// What the ERP shows of the fatura a baixa pays.
enum Situacao {
    /// Still open: nothing was booked.
    Aberta,
    /// Gone from the open faturas, by id and from the customer's list: paid.
    Quitada,
    /// The ERP could not tell, or its answers disagree; the reason.
    Incerta(String),
}

fn reconciled() -> Resultado {
    Resultado::Sincronizada {
        resposta: None,
        reconciliada: true,
        em: Utc::now(),
    }
}

/// Full jitter: uniformly random between zero and `min(cap, base · 2^attempts)`.
fn backoff(attempts: u32) -> Duration {
    let ceiling = BACKOFF_BASE
        .saturating_mul(2u32.saturating_pow(attempts.min(16)))
        .min(BACKOFF_CAP);
    let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(fastrand::u64(0..=millis))
}

/// `delay` from now. Delays are bounded (the backoff cap; `erp` caps a `Retry-After` at an hour), so the fallback to
/// "now" for one beyond chrono's range is never taken.
fn after(delay: Duration) -> DateTime<Utc> {
    let now = Utc::now();
    chrono::Duration::from_std(delay)
        .ok()
        .and_then(|delay| now.checked_add_signed(delay))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_under_its_exponential_ceiling_and_the_cap() {
        for attempts in 0..40 {
            let ceiling = BACKOFF_BASE
                .saturating_mul(2u32.saturating_pow(attempts.min(16)))
                .min(BACKOFF_CAP);
            for _ in 0..100 {
                assert!(backoff(attempts) <= ceiling);
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
