//! The thundering herd, simulated: a fleet of 10,000 totems in one region loses its link for an hour and regains it
//! at once. Virtual time (tokio's paused clock) runs four hours in seconds.
//!
//! Each totem is a model of the daemon's two sync parts: [`sondar`](super::sondar) (the probe) and
//! [`Worker::run`](super::Worker::run) (the outbox). The loops are written again here, small, because 10,000 SQLite
//! files and HTTP clients would not fit a test; every decision they take comes from the real pieces: [`Ritmo`], the
//! [`Cadencia`], [`backoff`], the [`Breaker`] and the worker's constants. The ERP is a counter of the calls that reach
//! it, per minute of virtual time; while the link is down a call fails after the client's timeout.
//!
//! The load is compared with the steady load the same fleet puts on the ERP in the hour before the outage. The
//! policy before this change (a probe every 2 s, and every pending baixa due within one probe interval of the ERP's
//! return, sent as fast as it answers) is modelled too, so the note can report both.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use super::{BACKOFF_CAP, Cadencia, OFFLINE_WAIT, backoff};
use crate::adapters::breaker::Breaker;
use crate::domain::ritmo::{JANELA, Ritmo};

const TOTENS: usize = 10_000;
/// The fleet runs normally for an hour, loses the link for an hour, and has two hours to drain.
const QUEDA: Duration = Duration::from_secs(3600);
const VOLTA: Duration = Duration::from_secs(7200);
const FIM: Duration = Duration::from_secs(4 * 3600);
/// What a call to an unreachable ERP costs before it fails (the client's timeout).
const TIMEOUT: Duration = Duration::from_secs(3);
/// The daemon's defaults: `erp.probe_interval_ms`, `erp.probe_max_interval_ms`, `erp.breaker_failures`.
const PISO: Duration = Duration::from_secs(2);
const TETO: Duration = Duration::from_secs(900);
const LIMIAR: u32 = 3;
/// While the breaker is closed the real probe looks every `PISO` (a cheap poll); here it looks every minute, which only
/// delays when probing starts, long before the link returns, and spares 90 million wake-ups.
const OLHAR: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Politica {
    /// Before: a probe every `PISO`, the backlog due within one probe interval, sent as fast as the ERP answers.
    Anterior,
    /// Now: the probe backs off to the totem's pace, and the backlog is sent at that pace.
    Ritmo,
}

/// The ERP as the fleet sees it: whether the link is up, and the calls that reached it, per minute.
struct Erp {
    inicio: Instant,
    no_ar: AtomicBool,
    por_minuto: Vec<AtomicU64>,
}

impl Erp {
    /// One call: counted, and true, when the link is up; false after the timeout when it is down.
    async fn chamar(&self) -> bool {
        if self.no_ar.load(Ordering::SeqCst) {
            let minuto = (Instant::now() - self.inicio).as_secs() / 60;
            if let Some(contagem) = usize::try_from(minuto).ok().and_then(|m| self.por_minuto.get(m)) {
                contagem.fetch_add(1, Ordering::Relaxed);
            }
            true
        } else {
            tokio::time::sleep(TIMEOUT).await;
            false
        }
    }
}

/// One totem's outbox: when each baixa was taken and when it is next due; and when each payment was taken, for the
/// count of the last hour.
#[derive(Default)]
struct Caixa {
    pendentes: VecDeque<Pendente>,
    pagamentos: VecDeque<Instant>,
    /// The latest time a baixa taken before the link came back reached the ERP.
    drenada_em: Option<Instant>,
}

struct Pendente {
    criada: Instant,
    devida: Instant,
    tentativas: u32,
}

struct Totem {
    caixa: Mutex<Caixa>,
    acordar: Notify,
    breaker: Breaker,
    cadencia: Cadencia,
}

impl Totem {
    fn caixa(&self) -> std::sync::MutexGuard<'_, Caixa> {
        self.caixa.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `Store::contar_baixas_desde` of the last hour.
    fn pagamentos_recentes(&self) -> u64 {
        let mut caixa = self.caixa();
        let desde = Instant::now().checked_sub(JANELA);
        while caixa.pagamentos.front().is_some_and(|em| Some(*em) < desde) {
            caixa.pagamentos.pop_front();
        }
        caixa.pagamentos.len() as u64
    }
}

/// Customers pay at the totem, one every `media` on average (a Poisson process), whatever the link does.
async fn clientes(totem: Arc<Totem>, media: Duration, mut rng: fastrand::Rng, fim: Instant) {
    loop {
        let espera = media.mul_f64(-(1.0 - rng.f64()).ln());
        tokio::time::sleep(espera).await;
        let agora = Instant::now();
        if agora >= fim {
            return;
        }
        let mut caixa = totem.caixa();
        caixa.pagamentos.push_back(agora);
        caixa.pendentes.push_back(Pendente {
            criada: agora,
            devida: agora,
            tentativas: 0,
        });
        drop(caixa);
        totem.acordar.notify_one();
    }
}

/// `Worker::run`: the oldest due baixa, paced by the catch-up; posted when the breaker is closed, postponed
/// `OFFLINE_WAIT` when it is open, backed off when the post fails.
async fn trabalhador(totem: Arc<Totem>, erp: Arc<Erp>, volta: Instant, fim: Instant) {
    while Instant::now() < fim {
        let vez = totem.cadencia.espera();
        if !vez.is_zero() {
            tokio::time::sleep(vez).await;
        }
        let agora = Instant::now();
        let proxima = {
            let caixa = totem.caixa();
            let devida = caixa.pendentes.iter().position(|p| p.devida <= agora);
            (devida, caixa.pendentes.iter().map(|p| p.devida).min())
        };
        match proxima {
            (Some(indice), _) => {
                totem.cadencia.marcar();
                if totem.breaker.is_open() {
                    if let Some(p) = totem.caixa().pendentes.get_mut(indice) {
                        p.devida = agora + OFFLINE_WAIT;
                    }
                    continue;
                }
                let aceita = erp.chamar().await;
                let mut caixa = totem.caixa();
                if aceita {
                    totem.breaker.record_success();
                    if let Some(p) = caixa.pendentes.remove(indice)
                        && p.criada < volta
                    {
                        caixa.drenada_em = Some(Instant::now());
                    }
                } else {
                    totem.breaker.record_failure();
                    if let Some(p) = caixa.pendentes.get_mut(indice) {
                        p.tentativas += 1;
                        p.devida = Instant::now() + backoff(p.tentativas);
                    }
                }
            }
            (None, depois) => {
                totem.cadencia.encerrar();
                let espera = depois.map_or(BACKOFF_CAP, |devida| devida - agora);
                let _ = tokio::time::timeout(espera, totem.acordar.notified()).await;
            }
        }
    }
}

/// `sondar`: while the breaker is open, probe; when the ERP answers, every pending baixa becomes due.
async fn sonda(totem: Arc<Totem>, erp: Arc<Erp>, politica: Politica, mut rng: fastrand::Rng, fim: Instant) {
    let ritmo = Ritmo::new(PISO, TETO);
    let mut falhas = 0u32;
    while Instant::now() < fim {
        let espera = match politica {
            _ if !totem.breaker.is_open() => {
                falhas = 0;
                OLHAR
            }
            Politica::Anterior => PISO,
            Politica::Ritmo => ritmo.sondagem(falhas, totem.pagamentos_recentes(), rng.f64()),
        };
        tokio::time::sleep(espera).await;
        if !totem.breaker.is_open() {
            continue;
        }
        if !erp.chamar().await {
            totem.breaker.record_failure();
            falhas = falhas.saturating_add(1);
            continue;
        }
        totem.breaker.record_success();
        falhas = 0;
        let agora = Instant::now();
        match politica {
            Politica::Anterior => {
                for p in &mut totem.caixa().pendentes {
                    p.devida = agora + PISO.mul_f64(rng.f64());
                }
            }
            Politica::Ritmo => {
                totem.cadencia.iniciar(ritmo.intervalo(totem.pagamentos_recentes()));
                for p in &mut totem.caixa().pendentes {
                    p.devida = p.devida.min(agora);
                }
            }
        }
        totem.acordar.notify_one();
    }
}

/// What one run measured.
#[derive(Debug)]
struct Medida {
    /// Calls per minute reaching the ERP, averaged over the hour before the outage (its first ten minutes left out).
    estavel: f64,
    /// The busiest minute after the link came back.
    pico: u64,
    /// Baixas still pending at the end that were taken before the link came back.
    restantes: usize,
    /// From the link's return to the last of those baixas reaching the ERP.
    drenagem: Duration,
}

async fn simular(politica: Politica) -> Medida {
    fastrand::seed(7);
    let inicio = Instant::now();
    let erp = Arc::new(Erp {
        inicio,
        no_ar: AtomicBool::new(true),
        por_minuto: (0..FIM.as_secs() / 60 + 1).map(|_| AtomicU64::new(0)).collect(),
    });
    // Before, the herd is over in minutes: no need to run the drain's hours.
    let fim = match politica {
        Politica::Anterior => inicio + VOLTA + Duration::from_secs(1200),
        Politica::Ritmo => inicio + FIM,
    };
    let volta = inicio + VOLTA;
    let mut totens = Vec::with_capacity(TOTENS);
    let mut tarefas = Vec::with_capacity(3 * TOTENS);
    for i in 0..TOTENS {
        let mut rng = fastrand::Rng::with_seed(i as u64);
        // From a busy totem (a payment every 2 minutes) to a quiet one (every 2 hours), spread log-uniformly.
        let media = Duration::from_secs(120).mul_f64(60f64.powf(rng.f64()));
        let totem = Arc::new(Totem {
            caixa: Mutex::new(Caixa::default()),
            acordar: Notify::new(),
            breaker: Breaker::new("erp", LIMIAR),
            cadencia: Cadencia::default(),
        });
        tarefas.push(tokio::spawn(clientes(Arc::clone(&totem), media, rng.fork(), fim)));
        tarefas.push(tokio::spawn(trabalhador(
            Arc::clone(&totem),
            Arc::clone(&erp),
            volta,
            fim,
        )));
        tarefas.push(tokio::spawn(sonda(
            Arc::clone(&totem),
            Arc::clone(&erp),
            politica,
            rng,
            fim,
        )));
        totens.push(totem);
    }
    let rede = {
        let erp = Arc::clone(&erp);
        tokio::spawn(async move {
            tokio::time::sleep_until(inicio + QUEDA).await;
            erp.no_ar.store(false, Ordering::SeqCst);
            tokio::time::sleep_until(volta).await;
            erp.no_ar.store(true, Ordering::SeqCst);
        })
    };
    for tarefa in tarefas {
        assert!(tarefa.await.is_ok(), "a totem's part panicked");
    }
    assert!(rede.await.is_ok());

    let minutos: Vec<u64> = erp.por_minuto.iter().map(|m| m.load(Ordering::Relaxed)).collect();
    let estavel = minutos[10..60].iter().sum::<u64>() as f64 / 50.0;
    let pico = minutos[120..].iter().copied().max().unwrap_or(0);
    let mut restantes = 0;
    let mut drenada = volta;
    for totem in &totens {
        let caixa = totem.caixa();
        restantes += caixa.pendentes.iter().filter(|p| p.criada < volta).count();
        drenada = drenada.max(caixa.drenada_em.unwrap_or(volta));
    }
    Medida {
        estavel,
        pico,
        restantes,
        drenagem: drenada - volta,
    }
}

#[tokio::test(start_paused = true)]
async fn a_fleet_regaining_its_link_loads_the_erp_at_most_twice_its_steady_rate() {
    let agora = simular(Politica::Ritmo).await;
    let razao = agora.pico as f64 / agora.estavel;
    println!(
        "paced: steady {:.0}/min, peak {}/min, ratio {razao:.2}, drained in {} min, {} left",
        agora.estavel,
        agora.pico,
        agora.drenagem.as_secs() / 60,
        agora.restantes
    );
    assert!(razao <= 2.0, "{agora:?}");
    assert_eq!(
        agora.restantes, 0,
        "every baixa of the outage reached the ERP: {agora:?}"
    );

    let antes = simular(Politica::Anterior).await;
    println!(
        "before: steady {:.0}/min, peak {}/min, ratio {:.2}, drained in {} min",
        antes.estavel,
        antes.pico,
        antes.pico as f64 / antes.estavel,
        antes.drenagem.as_secs() / 60
    );
    assert!(
        antes.pico > 10 * agora.pico,
        "the model shows the herd it fixes: {antes:?}"
    );
}
