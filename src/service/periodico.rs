//! A background part's clock: a tick every interval (the first at once) until the daemon stops.

use std::time::Duration;

use tokio::sync::watch;
use tokio::time::{Interval, MissedTickBehavior};

/// `while periodico.proximo().await { … }` runs the body every `interval` and ends when the daemon stops. A body
/// slower than the interval is not followed by a burst of ticks.
#[derive(Debug)]
pub struct Periodico {
    ticker: Interval,
    stopped: watch::Receiver<bool>,
}

impl Periodico {
    pub fn new(interval: Duration, stopped: watch::Receiver<bool>) -> Periodico {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Periodico { ticker, stopped }
    }

    /// Waits for the next tick: true, or false once the daemon stops.
    pub async fn proximo(&mut self) -> bool {
        tokio::select! {
            _ = self.ticker.tick() => true,
            _ = self.stopped.wait_for(|stop| *stop) => false,
        }
    }
}
