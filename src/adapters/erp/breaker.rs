//! The ERP client's circuit breaker: closed (calls go out) or open (calls fail at once).
//!
//! It owns only the counting: `threshold` consecutive "ERP unavailable" outcomes open it, any outcome that
//! proves the ERP reachable closes it (offline.md §2.4). There is no timed half-open state: while open, the
//! daemon's background probe (`ErpClient::sondar`) is the only caller that reaches the network, and its first
//! answer closes the breaker. Lock-free (two atomics) so every request can consult it; it never does IO.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

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

/// A consecutive-failure circuit breaker.
#[derive(Debug)]
pub(crate) struct Breaker {
    threshold: u32,
    consecutive_failures: AtomicU32,
    open: AtomicBool,
}

impl Breaker {
    /// A closed breaker that opens after `threshold` consecutive failures (at least 1).
    pub(crate) fn new(threshold: u32) -> Self {
        Breaker {
            threshold: threshold.max(1),
            consecutive_failures: AtomicU32::new(0),
            open: AtomicBool::new(false),
        }
    }

    /// Whether calls must fail without reaching the network.
    pub(crate) fn is_open(&self) -> bool {
        self.open.load(Ordering::SeqCst)
    }

    /// The ERP answered: resets the count and closes the breaker if it was open.
    pub(crate) fn record_success(&self) -> Transition {
        self.consecutive_failures.store(0, Ordering::SeqCst);
        if self.open.swap(false, Ordering::SeqCst) {
            tracing::info!("ERP answered again: circuit breaker closed");
            Transition::Closed
        } else {
            Transition::Unchanged
        }
    }

    /// The ERP could not be asked: counts the failure and opens the breaker at the threshold.
    pub(crate) fn record_failure(&self) -> Transition {
        // Saturating, so that an outage of any length cannot wrap the count back below the threshold.
        let previous = self
            .consecutive_failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| Some(n.saturating_add(1)))
            .unwrap_or(u32::MAX);
        let failures = previous.saturating_add(1);
        if failures >= self.threshold && !self.open.swap(true, Ordering::SeqCst) {
            tracing::warn!(
                failures,
                "ERP unavailable: circuit breaker open, calls fail fast until it answers"
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
    fn opens_after_threshold_consecutive_failures() {
        let breaker = Breaker::new(3);
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
        let breaker = Breaker::new(3);
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
        let breaker = Breaker::new(2);
        breaker.record_failure();
        assert_eq!(breaker.record_failure(), Transition::Opened);
        assert_eq!(breaker.record_success(), Transition::Closed);
        assert!(!breaker.is_open());
        assert_eq!(breaker.record_success(), Transition::Unchanged);
        assert_eq!(breaker.record_failure(), Transition::Unchanged);
        assert_eq!(breaker.record_failure(), Transition::Opened);
    }

    #[test]
    fn threshold_zero_behaves_as_one() {
        let breaker = Breaker::new(0);
        assert_eq!(breaker.record_failure(), Transition::Opened);
    }

    #[test]
    fn the_count_saturates() {
        let breaker = Breaker::new(u32::MAX);
        breaker.consecutive_failures.store(u32::MAX - 1, Ordering::SeqCst);
        assert_eq!(breaker.record_failure(), Transition::Opened);
        assert_eq!(breaker.record_failure(), Transition::Unchanged);
        assert!(breaker.is_open());
    }

    #[test]
    fn concurrent_failures_open_exactly_once() {
        let breaker = std::sync::Arc::new(Breaker::new(5));
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
