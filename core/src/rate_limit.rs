//! A token bucket for the request rate a partner allows (VNeID, each national database),
//! shared by every worker that calls the partner: it refills at `rate` tokens a second up to
//! one second's worth, and a caller that finds it empty reserves the next token and sleeps
//! until it is due, so waiting callers are served in order and the long-run rate never exceeds
//! the limit. [`keyed`] holds the inbound limits, one bucket per partner, that refuse instead
//! of waiting.

pub mod keyed;

pub use keyed::KeyedLimiter;

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
    fn a_full_bucket_serves_a_burst_then_spaces_requests() {
        let b = TokenBucket::new(2.0).unwrap_or_else(|| panic!("a rate"));
        let t = Instant::now();
        assert_eq!(b.reserve(t), Duration::ZERO);
        assert_eq!(b.reserve(t), Duration::ZERO);
        assert!(close(b.reserve(t), ms(500)));
        assert!(close(b.reserve(t), ms(1000)), "waiting callers queue up");
    }

    #[test]
    fn it_refills_at_the_rate_up_to_its_capacity() {
        let b = TokenBucket::new(4.0).unwrap_or_else(|| panic!("a rate"));
        let t = Instant::now();
        for _ in 0..4 {
            assert_eq!(b.reserve(t), Duration::ZERO);
        }
        let later = t + ms(500);
        assert_eq!(b.reserve(later), Duration::ZERO);
        assert_eq!(b.reserve(later), Duration::ZERO);
        assert!(close(b.reserve(later), ms(250)));
        // A long pause refills only up to one second's worth.
        let much_later = later + Duration::from_secs(60);
        for _ in 0..4 {
            assert_eq!(b.reserve(much_later), Duration::ZERO);
        }
        assert!(b.reserve(much_later) > Duration::ZERO);
    }

    #[test]
    fn slow_rates_still_allow_one_request() {
        let b = TokenBucket::new(0.5).unwrap_or_else(|| panic!("a rate"));
        let t = Instant::now();
        assert_eq!(b.reserve(t), Duration::ZERO);
        assert!(close(b.reserve(t), ms(2000)));
    }

    #[test]
    fn zero_means_no_limit() {
        assert!(TokenBucket::new(0.0).is_none());
        assert!(TokenBucket::new(f64::NAN).is_none());
    }

    #[tokio::test]
    async fn acquire_sleeps_until_the_token_is_due() {
        let b = TokenBucket::new(50.0).unwrap_or_else(|| panic!("a rate"));
        let start = Instant::now();
        for _ in 0..50 {
            b.acquire().await;
        }
        b.acquire().await;
        b.acquire().await;
        assert!(start.elapsed() >= ms(35), "{:?}", start.elapsed());
    }
}
