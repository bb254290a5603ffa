//! A token bucket for the request rate each national database allows: it refills at `rate`
//! tokens a second up to one second's worth, and a caller that finds it empty reserves the next
//! token and sleeps until it is due, so waiting callers are served in order and the long-run
//! rate never exceeds what the partner agreed to.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

#[derive(Debug)]
struct Inner {
    tokens: f64,
    last: Instant,
}

/// A token bucket.
#[derive(Debug)]
pub struct TokenBucket {
    rate: f64,
    capacity: f64,
    inner: Mutex<Inner>,
}

impl TokenBucket {
    /// A full bucket for `rate_per_second` requests a second (burst: one second's worth, at
    /// least one); `None` when the rate is 0 or not a positive number (no limit).
    pub fn new(rate_per_second: f64) -> Option<Self> {
        if !rate_per_second.is_finite() || rate_per_second <= 0.0 {
            return None;
        }
        let capacity = rate_per_second.max(1.0);
        Some(Self {
            rate: rate_per_second,
            capacity,
            inner: Mutex::new(Inner {
                tokens: capacity,
                last: Instant::now(),
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes a token at `now`; returns how long the caller must wait before using it.
    pub fn reserve(&self, now: Instant) -> Duration {
        let mut inner = self.lock();
        let elapsed = now.saturating_duration_since(inner.last).as_secs_f64();
        inner.tokens = (inner.tokens + elapsed * self.rate).min(self.capacity);
        inner.last = now.max(inner.last);
        inner.tokens -= 1.0;
        if inner.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-inner.tokens / self.rate)
        }
    }

    /// Waits for a token.
    pub async fn acquire(&self) {
        let wait = self.reserve(Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn close(a: Duration, b: Duration) -> bool {
        a.abs_diff(b) < ms(2)
    }

    #[test]
    fn a_burst_then_spaced_requests() {
        let b = TokenBucket::new(2.0).unwrap();
        let t = Instant::now();
        assert_eq!(b.reserve(t), Duration::ZERO);
        assert_eq!(b.reserve(t), Duration::ZERO);
        assert!(close(b.reserve(t), ms(500)));
        assert!(close(b.reserve(t), ms(1000)), "waiting callers queue up");
        let later = t + Duration::from_secs(60);
        assert_eq!(
            b.reserve(later),
            Duration::ZERO,
            "refilled, up to its capacity"
        );
        assert_eq!(b.reserve(later), Duration::ZERO);
        assert!(b.reserve(later) > Duration::ZERO);
    }

    #[test]
    fn zero_means_no_limit_and_slow_rates_allow_one() {
        assert!(TokenBucket::new(0.0).is_none());
        assert!(TokenBucket::new(f64::INFINITY).is_none());
        let b = TokenBucket::new(0.5).unwrap();
        let t = Instant::now();
        assert_eq!(b.reserve(t), Duration::ZERO);
        assert!(close(b.reserve(t), ms(2000)));
    }

    #[tokio::test]
    async fn acquire_holds_the_rate() {
        let b = TokenBucket::new(20.0).unwrap();
        let start = Instant::now();
        for _ in 0..25 {
            b.acquire().await;
        }
        // 20 from the full bucket, then 5 more at 50 ms each.
        assert!(start.elapsed() >= ms(240), "{:?}", start.elapsed());
    }
}
