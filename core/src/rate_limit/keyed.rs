//! Inbound rate limits per partner: one token bucket per key (the partner's certificate
//! identity, or its address), refilled at `rate` a second up to `burst`. Unlike
//! [`super::TokenBucket`], a caller that finds its bucket empty is not queued: it is told how
//! long to wait (the hub answers 429 with `Retry-After`), so a flood from one partner costs
//! the hub nothing and never slows the others. Idle buckets (full again) are forgotten once
//! many keys are held, so the map stays bounded whatever keys arrive.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Buckets kept before idle ones are dropped.
const MAX_KEYS: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// A token bucket per key.
#[derive(Debug)]
pub struct KeyedLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl KeyedLimiter {
    /// `rate_per_second` requests a second per key, bursts of `burst` (at least 1); `None`
    /// when the rate is 0 or not a positive number (no limit).
    pub fn new(rate_per_second: f64, burst: u32) -> Option<Self> {
        if !rate_per_second.is_finite() || rate_per_second <= 0.0 {
            return None;
        }
        Some(Self {
            rate: rate_per_second,
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        })
    }

    /// Takes a token from `key`'s bucket at `now`: `Ok` when one was there, else how long
    /// until the next one (nothing is taken then).
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_KEYS && !buckets.contains_key(key) {
            let (rate, burst) = (self.rate, self.burst);
            buckets.retain(|_, b| refilled(b, now, rate, burst) < burst);
        }
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: self.burst,
            last: now,
        });
        bucket.tokens = refilled(bucket, now, self.rate, self.burst);
        bucket.last = now.max(bucket.last);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / self.rate))
        }
    }

    /// How many keys are held now.
    pub fn keys(&self) -> usize {
        self.buckets.lock().map(|b| b.len()).unwrap_or(0)
    }
}

fn refilled(b: &Bucket, now: Instant, rate: f64, burst: f64) -> f64 {
    let elapsed = now.saturating_duration_since(b.last).as_secs_f64();
    (b.tokens + elapsed * rate).min(burst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_has_its_own_burst_and_refill() {
        let l = KeyedLimiter::new(2.0, 3).unwrap_or_else(|| panic!("a rate"));
        let t = Instant::now();
        for _ in 0..3 {
            assert!(l.check("court:TAND79", t).is_ok());
        }
        let wait = l.check("court:TAND79", t).unwrap_err();
        assert!(wait > Duration::from_millis(490) && wait <= Duration::from_millis(500));
        // Another partner is not held back by the first.
        assert!(l.check("bank:VCB", t).is_ok());
        // Half a second later one token is back.
        let later = t + Duration::from_millis(500);
        assert!(l.check("court:TAND79", later).is_ok());
        assert!(l.check("court:TAND79", later).is_err());
        assert!(KeyedLimiter::new(0.0, 5).is_none());
    }

    #[test]
    fn idle_keys_are_forgotten_when_many_are_held() {
        let l = KeyedLimiter::new(1000.0, 1).unwrap_or_else(|| panic!("a rate"));
        let t = Instant::now();
        for i in 0..MAX_KEYS {
            let _ = l.check(&format!("ip:{i}"), t);
        }
        assert_eq!(l.keys(), MAX_KEYS);
        // A second later every bucket is full again: a new key drops them.
        assert!(l.check("ip:new", t + Duration::from_secs(1)).is_ok());
        assert_eq!(l.keys(), 1);
    }
}
