//! A per-endpoint circuit breaker, so a failing partner is not hammered: `closed` lets every
//! call through and counts consecutive failures; after `threshold` of them it turns `open` and
//! lets nothing through for the cool-down; then `half_open` lets one probe through, whose
//! success closes it and whose failure opens it again for another cool-down.
//!
//! The breaker is pure (callers pass the time), shared by every worker of a consumer.

use std::num::NonZeroU32;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The state of a breaker; its number is the `thads_circuit_state` gauge value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls go through.
    Closed,
    /// Calls are held back until the cool-down ends.
    Open,
    /// One probe call tests the partner.
    HalfOpen,
}

impl BreakerState {
    /// The gauge value: 0 closed, 1 open, 2 half-open.
    pub fn gauge(self) -> i64 {
        match self {
            Self::Closed => 0,
            Self::Open => 1,
            Self::HalfOpen => 2,
        }
    }

    /// The name used in logs and journey details.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Open => "open",
            Self::HalfOpen => "half_open",
        }
    }
}

/// Whether a call may go now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Go; `probe` when this call is the half-open probe (report its result with `probe`).
    Go {
        /// This call tests a partner that was failing.
        probe: bool,
    },
    /// Wait this long, then ask again.
    Wait(Duration),
}

/// How a call ended, as far as the endpoint's health goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    /// The partner answered sensibly (delivered, or refused this one notice for good).
    Success,
    /// No answer, a timeout, 5xx, 408, 425 or 429.
    Failure,
    /// The call never reached a verdict (cancelled): only frees the probe slot.
    Abandoned,
}

#[derive(Debug)]
struct Inner {
    state: BreakerState,
    failures: u32,
    opened_at: Instant,
    probing: bool,
}

/// A circuit breaker for one partner endpoint.
#[derive(Debug)]
pub struct CircuitBreaker {
    threshold: u32,
    cool_down: Duration,
    inner: Mutex<Inner>,
}

impl CircuitBreaker {
    /// A closed breaker that opens after `threshold` consecutive failures and probes again
    /// after `cool_down`.
    pub fn new(threshold: NonZeroU32, cool_down: Duration) -> Self {
        Self {
            threshold: threshold.get(),
            cool_down,
            inner: Mutex::new(Inner {
                state: BreakerState::Closed,
                failures: 0,
                opened_at: Instant::now(),
                probing: false,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The current state.
    pub fn state(&self) -> BreakerState {
        self.lock().state
    }

    /// The cool-down of an open breaker.
    pub fn cool_down(&self) -> Duration {
        self.cool_down
    }

    /// Asks whether a call may go at `now`.
    pub fn admit(&self, now: Instant) -> Admission {
        let mut inner = self.lock();
        match inner.state {
            BreakerState::Closed => Admission::Go { probe: false },
            BreakerState::Open => {
                let reopen = inner.opened_at + self.cool_down;
                if now >= reopen {
                    inner.state = BreakerState::HalfOpen;
                    inner.probing = true;
                    Admission::Go { probe: true }
                } else {
                    Admission::Wait(reopen - now)
                }
            }
            BreakerState::HalfOpen if inner.probing => {
                Admission::Wait(self.cool_down.min(Duration::from_millis(200)))
            }
            BreakerState::HalfOpen => {
                inner.probing = true;
                Admission::Go { probe: true }
            }
        }
    }

    /// Reports how an admitted call ended; returns the new state when it changed.
    pub fn record(&self, probe: bool, outcome: CallOutcome, now: Instant) -> Option<BreakerState> {
        let mut inner = self.lock();
        let before = inner.state;
        if probe {
            inner.probing = false;
        }
        match outcome {
            CallOutcome::Success => {
                inner.failures = 0;
                inner.state = BreakerState::Closed;
            }
            CallOutcome::Failure => {
                inner.failures = inner.failures.saturating_add(1);
                let trip = match inner.state {
                    BreakerState::Closed => inner.failures >= self.threshold,
                    // The probe failed: another cool-down. Late failures of calls admitted
                    // before the breaker opened do not extend it.
                    BreakerState::HalfOpen => probe,
                    BreakerState::Open => false,
                };
                if trip {
                    inner.state = BreakerState::Open;
                    inner.opened_at = now;
                }
            }
            CallOutcome::Abandoned => {}
        }
        (inner.state != before).then_some(inner.state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker() -> CircuitBreaker {
        CircuitBreaker::new(
            NonZeroU32::new(3).unwrap_or(NonZeroU32::MIN),
            Duration::from_secs(10),
        )
    }

    fn fail(b: &CircuitBreaker, now: Instant) -> Option<BreakerState> {
        assert_eq!(b.admit(now), Admission::Go { probe: false });
        b.record(false, CallOutcome::Failure, now)
    }

    #[test]
    fn opens_after_consecutive_failures_only() {
        let b = breaker();
        let t = Instant::now();
        assert_eq!(fail(&b, t), None);
        assert_eq!(fail(&b, t), None);
        // A success in between resets the count.
        b.record(false, CallOutcome::Success, t);
        assert_eq!(fail(&b, t), None);
        assert_eq!(fail(&b, t), None);
        assert_eq!(fail(&b, t), Some(BreakerState::Open));
        assert_eq!(b.state().gauge(), 1);
    }

    #[test]
    fn open_holds_calls_for_the_cool_down_then_lets_one_probe_through() {
        let b = breaker();
        let t = Instant::now();
        for _ in 0..3 {
            fail(&b, t);
        }
        assert_eq!(
            b.admit(t + Duration::from_secs(4)),
            Admission::Wait(Duration::from_secs(6))
        );
        let later = t + Duration::from_secs(10);
        assert_eq!(b.admit(later), Admission::Go { probe: true });
        assert_eq!(b.state(), BreakerState::HalfOpen);
        assert_eq!(b.state().gauge(), 2);
        // Only one probe at a time.
        assert!(matches!(b.admit(later), Admission::Wait(_)));
        assert_eq!(
            b.record(true, CallOutcome::Success, later),
            Some(BreakerState::Closed)
        );
        assert_eq!(b.admit(later), Admission::Go { probe: false });
    }

    #[test]
    fn a_failed_probe_opens_it_for_another_cool_down() {
        let b = breaker();
        let t = Instant::now();
        for _ in 0..3 {
            fail(&b, t);
        }
        let probe_at = t + Duration::from_secs(11);
        assert_eq!(b.admit(probe_at), Admission::Go { probe: true });
        assert_eq!(
            b.record(true, CallOutcome::Failure, probe_at),
            Some(BreakerState::Open)
        );
        assert_eq!(
            b.admit(probe_at + Duration::from_secs(1)),
            Admission::Wait(Duration::from_secs(9))
        );
    }

    #[test]
    fn an_abandoned_probe_frees_the_slot() {
        let b = breaker();
        let t = Instant::now();
        for _ in 0..3 {
            fail(&b, t);
        }
        let later = t + Duration::from_secs(10);
        assert_eq!(b.admit(later), Admission::Go { probe: true });
        assert_eq!(b.record(true, CallOutcome::Abandoned, later), None);
        assert_eq!(b.admit(later), Admission::Go { probe: true });
    }

    #[test]
    fn late_failures_do_not_extend_an_open_breaker() {
        let b = breaker();
        let t = Instant::now();
        for _ in 0..3 {
            fail(&b, t);
        }
        // A call admitted before it opened fails later.
        assert_eq!(
            b.record(false, CallOutcome::Failure, t + Duration::from_secs(5)),
            None
        );
        assert_eq!(
            b.admit(t + Duration::from_secs(10)),
            Admission::Go { probe: true }
        );
    }
}
