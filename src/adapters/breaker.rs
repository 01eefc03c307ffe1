//! The circuit breaker of an upstream (the ERP, the retaguarda): closed (calls go out) or open (calls fail at once).
//!
//! It owns the counting and the one rule of what counts ([`respondeu`]): `threshold` consecutive "upstream not
//! there" outcomes open it, any outcome that proves the upstream there closes it. Reads, writes and the probe all
//! record through [`Breaker::record`], so they cannot disagree. There is no timed half-open state: while open, the
//! daemon's background probe (`ErpClient::sondar`, `RetaguardaClient::sondar`) is the only caller that reaches the
//! network, and its first answer that shows the upstream there closes the breaker. Lock-free (atomics) so every
//! request can consult it; it never does IO.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// What an outcome did to the breaker, for the caller's tests and logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Transition {
    /// The state did not change.
    Unchanged,
    /// This failure reached the threshold: calls now fail at once.
    Opened,
    /// The ERP answered again: calls go out again.
    Closed,
}

/// What one call to the upstream came back with, as far as the breaker is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Desfecho {
    /// No HTTP answer: no connection, a timeout, a connection reset or a body cut short.
    SemResposta,
    /// An HTTP answer with this status (redirects are not followed, so a 3xx is the ERP's own answer).
    Status(u16),
}

/// The one outcome rule for every upstream call (reads, writes and the probe): whether `desfecho` shows it there.
///
/// Transport failures, timeouts, 5xx and 429 mean "not there" (down, broken, or shedding load): failures for the
/// breaker. A 2xx, 3xx or any other 4xx is the upstream answering for itself, whatever it says: a success for the
/// breaker, even when the call failed for the caller (a 401 is about our credentials, a 404 about the resource).
pub(crate) fn respondeu(desfecho: Desfecho) -> bool {
    match desfecho {
        Desfecho::SemResposta | Desfecho::Status(429) => false,
        Desfecho::Status(status) => status < 500,
    }
}

/// A consecutive-failure circuit breaker.
#[derive(Debug)]
pub(crate) struct Breaker {
    /// The upstream, as logs name it.
    upstream: &'static str,
    threshold: u32,
    consecutive_failures: AtomicU32,
    open: AtomicBool,
    /// Outcomes recorded since start-up: the upstream answered, or was not there (for `/metrics`).
    respondidas: AtomicU64,
    falhas: AtomicU64,
    /// When the upstream last answered, in seconds since the Unix epoch; 0 while it never has.
    ultima_resposta: AtomicU64,
}

/// How many calls an upstream answered and how many found it not there, since start-up, and when it last answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Chamadas {
    pub respondidas: u64,
    pub falhas: u64,
    /// Seconds since the Unix epoch of the last call the upstream answered; None while none has.
    pub ultima_resposta: Option<u64>,
}

impl Breaker {
    /// A closed breaker of `upstream` that opens after `threshold` consecutive failures (at least 1).
    pub(crate) fn new(upstream: &'static str, threshold: u32) -> Self {
        Breaker {
            upstream,
            threshold: threshold.max(1),
            consecutive_failures: AtomicU32::new(0),
            open: AtomicBool::new(false),
            respondidas: AtomicU64::new(0),
            falhas: AtomicU64::new(0),
            ultima_resposta: AtomicU64::new(0),
        }
    }

    /// The outcomes recorded since start-up.
    pub(crate) fn chamadas(&self) -> Chamadas {
        Chamadas {
            respondidas: self.respondidas.load(Ordering::Relaxed),
            falhas: self.falhas.load(Ordering::Relaxed),
            ultima_resposta: Some(self.ultima_resposta.load(Ordering::Relaxed)).filter(|quando| *quando > 0),
        }
    }

    /// Whether calls must fail without reaching the network.
    pub(crate) fn is_open(&self) -> bool {
        self.open.load(Ordering::SeqCst)
    }

    /// Records one call's outcome by [`respondeu`]: a success or a failure.
    pub(crate) fn record(&self, desfecho: Desfecho) -> Transition {
        if respondeu(desfecho) {
            self.record_success()
        } else {
            self.record_failure()
        }
    }

    /// The upstream answered: resets the count and closes the breaker if it was open.
    pub(crate) fn record_success(&self) -> Transition {
        self.respondidas.fetch_add(1, Ordering::Relaxed);
        let agora = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |desde| desde.as_secs());
        self.ultima_resposta.fetch_max(agora, Ordering::Relaxed);
        self.consecutive_failures.store(0, Ordering::SeqCst);
        if self.open.swap(false, Ordering::SeqCst) {
            tracing::info!(
                upstream = self.upstream,
                "upstream answered again: circuit breaker closed"
            );
            Transition::Closed
        } else {
            Transition::Unchanged
        }
    }

    /// The upstream could not be asked: counts the failure and opens the breaker at the threshold.
    pub(crate) fn record_failure(&self) -> Transition {
        self.falhas.fetch_add(1, Ordering::Relaxed);
        // Saturating, so that an outage of any length cannot wrap the count back below the threshold.
        let previous = self
            .consecutive_failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| Some(n.saturating_add(1)))
            .unwrap_or(u32::MAX);
        let failures = previous.saturating_add(1);
        if failures >= self.threshold && !self.open.swap(true, Ordering::SeqCst) {
            tracing::warn!(
                upstream = self.upstream,
                failures,
                "upstream unavailable: circuit breaker open, calls fail fast until it answers"
            );
            Transition::Opened
        } else {
            Transition::Unchanged
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outcome_rule_table() {
        let casos: &[(Desfecho, bool)] = &[
            (Desfecho::SemResposta, false),
            (Desfecho::Status(200), true),
            (Desfecho::Status(201), true),
            (Desfecho::Status(204), true),
            (Desfecho::Status(301), true),
            (Desfecho::Status(302), true),
            (Desfecho::Status(307), true),
            (Desfecho::Status(400), true),
            (Desfecho::Status(401), true),
            (Desfecho::Status(403), true),
            (Desfecho::Status(404), true),
            (Desfecho::Status(408), true),
            (Desfecho::Status(422), true),
            (Desfecho::Status(429), false),
            (Desfecho::Status(500), false),
            (Desfecho::Status(502), false),
            (Desfecho::Status(503), false),
            (Desfecho::Status(504), false),
            (Desfecho::Status(599), false),
            (Desfecho::Status(600), false),
        ];
        for (desfecho, presente) in casos {
            assert_eq!(respondeu(*desfecho), *presente, "{desfecho:?}");
        }
    }

    #[test]
    fn record_follows_the_rule() {
        let breaker = Breaker::new("teste", 1);
        assert_eq!(breaker.record(Desfecho::Status(502)), Transition::Opened);
        assert_eq!(breaker.record(Desfecho::Status(429)), Transition::Unchanged);
        assert!(breaker.is_open());
        assert_eq!(breaker.record(Desfecho::Status(401)), Transition::Closed);
        assert_eq!(breaker.record(Desfecho::SemResposta), Transition::Opened);
        assert_eq!(breaker.record(Desfecho::Status(302)), Transition::Closed);
    }

    #[test]
    fn opens_after_threshold_consecutive_failures() {
        let breaker = Breaker::new("teste", 3);
        assert_eq!(breaker.record_failure(), Transition::Unchanged);
        assert_eq!(breaker.record_failure(), Transition::Unchanged);
        assert!(!breaker.is_open());
        assert_eq!(breaker.record_failure(), Transition::Opened);
        assert!(breaker.is_open());
        assert_eq!(
            breaker.record_failure(),
            Transition::Unchanged,
            "opening is logged once"
        );
        assert!(breaker.is_open());
    }

    #[test]
    fn a_success_resets_the_count() {
        let breaker = Breaker::new("teste", 3);
        breaker.record_failure();
        breaker.record_failure();
        assert_eq!(breaker.record_success(), Transition::Unchanged);
        breaker.record_failure();
        breaker.record_failure();
        assert!(!breaker.is_open(), "failures must be consecutive");
        assert_eq!(breaker.record_failure(), Transition::Opened);
    }

    #[test]
    fn a_success_closes_an_open_breaker_and_it_can_open_again() {
        let breaker = Breaker::new("teste", 2);
        breaker.record_failure();
        assert_eq!(breaker.record_failure(), Transition::Opened);
        assert_eq!(breaker.record_success(), Transition::Closed);
        assert!(!breaker.is_open());
        assert_eq!(breaker.record_success(), Transition::Unchanged);
        assert_eq!(breaker.record_failure(), Transition::Unchanged);
        assert_eq!(breaker.record_failure(), Transition::Opened);
    }

    #[test]
    fn the_last_answer_is_when_the_upstream_last_answered() {
        let breaker = Breaker::new("teste", 2);
        assert_eq!(breaker.chamadas().ultima_resposta, None);
        breaker.record_failure();
        assert_eq!(breaker.chamadas().ultima_resposta, None, "a failure is no answer");
        let antes = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        breaker.record(Desfecho::Status(404));
        let depois = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        let quando = breaker.chamadas().ultima_resposta.unwrap();
        assert!((antes..=depois).contains(&quando), "{antes} <= {quando} <= {depois}");
        breaker.record_failure();
        assert_eq!(breaker.chamadas().ultima_resposta, Some(quando));
        assert_eq!(
            breaker.chamadas(),
            Chamadas {
                respondidas: 1,
                falhas: 2,
                ultima_resposta: Some(quando)
            }
        );
    }

    #[test]
    fn threshold_zero_behaves_as_one() {
        let breaker = Breaker::new("teste", 0);
        assert_eq!(breaker.record_failure(), Transition::Opened);
    }

    #[test]
    fn the_count_saturates() {
        let breaker = Breaker::new("teste", u32::MAX);
        breaker.consecutive_failures.store(u32::MAX - 1, Ordering::SeqCst);
        assert_eq!(breaker.record_failure(), Transition::Opened);
        assert_eq!(breaker.record_failure(), Transition::Unchanged);
        assert!(breaker.is_open());
    }

    #[test]
    fn concurrent_failures_open_exactly_once() {
        let breaker = std::sync::Arc::new(Breaker::new("teste", 5));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let breaker = breaker.clone();
                std::thread::spawn(move || {
                    (0..100)
                        .filter(|_| breaker.record_failure() == Transition::Opened)
                        .count()
                })
            })
            .collect();
        let opened: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(opened, 1);
        assert!(breaker.is_open());
    }
}
