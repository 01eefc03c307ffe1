//! The pace of one totem's traffic to the ERP after an outage, so that a fleet regaining one link does not stampede.
//!
//! When a region's link comes back, every totem in it has a backlog of baixas and a probe running. Sent as fast as
//! the ERP answers, the backlog of an outage `T` reaches the ERP within one probe interval `I`: `T / I` times its
//! steady load (an hour's outage and a 2 s probe: 1800×). No totem knows the size of the fleet, but each knows its
//! own share of the steady load: the payments it took in the last hour. So each paces itself by that share:
//!
//! * while catching up, its calls (posts, reads, the probe) are at least [`Ritmo::intervalo`] apart: at most
//!   [`FATOR`] times its own payment rate, new payments included. Summed over the fleet, the ERP sees at most
//!   `FATOR` times its steady load, and the backlog drains at `FATOR − 1` times the rate it built up at;
//! * while the ERP is away, the probe waits twice as long after each failure, from the configured interval up to
//!   that same gap, each wait drawn between one and two times its step ([`Ritmo::sondagem`]), so probes arriving when
//!   the link returns are spread and no denser than the catch-up itself.
//!
//! The gap is bounded by the configured floor (the probe interval) and ceiling, so a totem with no recent payment
//! still probes now and then. Pure: the count, the failures and the random draw are passed in.

use std::time::Duration;

/// The window over which a totem counts its own payments.
pub const JANELA: Duration = Duration::from_secs(3600);

/// The most a totem's traffic may be while catching up, as a multiple of its own payment rate. Below 2, so that the
/// fleet stays under twice its steady load with room for the noise in an hour's count, the probes of the totems that
/// have not seen the link back yet, and the quiet totems paced at the ceiling (at 1.8 the simulation's busiest minute
/// reached 2.03×).
pub const FATOR: f64 = 1.6;

/// A totem's pacing bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ritmo {
    /// The shortest gap and the first probe wait (`erp.probe_interval_ms`).
    piso: Duration,
    /// The longest gap and probe wait (`erp.probe_max_interval_ms`).
    teto: Duration,
}

impl Ritmo {
    /// Bounds from `piso` to `teto` (a `teto` below `piso` is raised to it).
    pub fn new(piso: Duration, teto: Duration) -> Ritmo {
        Ritmo {
            piso,
            teto: teto.max(piso),
        }
    }

    /// The shortest gap, and the first probe wait.
    pub fn piso(&self) -> Duration {
        self.piso
    }

    /// The least gap between two calls while catching up, for a totem that took `pagamentos` payments in the last
    /// [`JANELA`]: `JANELA / (FATOR · pagamentos)`, within the bounds; the ceiling when it took none.
    pub fn intervalo(&self, pagamentos: u64) -> Duration {
        if pagamentos == 0 {
            return self.teto;
        }
        let segundos = JANELA.as_secs_f64() / (FATOR * pagamentos as f64);
        Duration::try_from_secs_f64(segundos)
            .unwrap_or(self.teto)
            .clamp(self.piso, self.teto)
    }

    /// The wait before the next probe after `falhas` failed probes in a row: a step doubling from the floor, capped at
    /// [`Ritmo::intervalo`] of `pagamentos`, drawn between one and two steps (`sorteio` in `[0, 1)`).
    pub fn sondagem(&self, falhas: u32, pagamentos: u64, sorteio: f64) -> Duration {
        let passo = self
            .piso
            .saturating_mul(2u32.saturating_pow(falhas.min(20)))
            .min(self.intervalo(pagamentos));
        passo.mul_f64(1.0 + sorteio.clamp(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SEG: Duration = Duration::from_secs(1);

    fn ritmo() -> Ritmo {
        Ritmo::new(2 * SEG, 900 * SEG)
    }

    #[test]
    fn the_gap_follows_the_own_payment_rate() {
        // 18 payments an hour: at most 1.6 × 18 = 28.8 calls an hour, one every 125 s.
        assert_eq!(ritmo().intervalo(18).as_millis(), 125_000);
        // 1 a minute: one call every 37.5 s.
        assert_eq!(ritmo().intervalo(60).as_millis(), 37_500);
        // None, or very few: the ceiling. A great many: the floor.
        assert_eq!(ritmo().intervalo(0), 900 * SEG);
        assert_eq!(ritmo().intervalo(1), 900 * SEG);
        assert_eq!(ritmo().intervalo(100_000), 2 * SEG);
    }

    #[test]
    fn the_probe_backs_off_from_the_floor_to_the_gap() {
        let r = ritmo();
        assert_eq!(r.sondagem(0, 60, 0.0), 2 * SEG);
        assert_eq!(r.sondagem(1, 60, 0.0), 4 * SEG);
        assert_eq!(r.sondagem(3, 60, 0.5), 24 * SEG);
        assert_eq!(r.sondagem(10, 60, 0.0), r.intervalo(60));
        assert_eq!(r.sondagem(u32::MAX, 0, 0.999_999), (900 * SEG).mul_f64(1.999_999));
    }

    #[test]
    fn a_ceiling_below_the_floor_is_the_floor() {
        assert_eq!(Ritmo::new(5 * SEG, SEG).intervalo(0), 5 * SEG);
    }

    proptest! {
        /// Whatever the count and the draw: within the bounds, never denser than `FATOR` times the own rate
        /// unless the floor says so, and a probe waits at least its step and at most twice the ceiling.
        #[test]
        fn pace_stays_within_its_bounds(
            piso_ms in 1u64..10_000,
            teto_ms in 1u64..3_600_000,
            pagamentos in 0u64..1_000_000,
            falhas in 0u32..100,
            sorteio in 0.0f64..1.0,
        ) {
            let r = Ritmo::new(Duration::from_millis(piso_ms), Duration::from_millis(teto_ms));
            let gap = r.intervalo(pagamentos);
            prop_assert!(gap >= Duration::from_millis(piso_ms));
            prop_assert!(gap <= Duration::from_millis(teto_ms.max(piso_ms)));
            if pagamentos > 0 && gap > Duration::from_millis(piso_ms) {
                let por_janela = JANELA.as_secs_f64() / gap.as_secs_f64();
                prop_assert!(por_janela <= FATOR * pagamentos as f64 * 1.000_001);
            }
            let espera = r.sondagem(falhas, pagamentos, sorteio);
            prop_assert!(espera >= Duration::from_millis(piso_ms).min(gap));
            prop_assert!(espera <= gap.saturating_mul(2));
        }
    }
}
