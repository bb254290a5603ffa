//! The retry policy shared by every consumer: exponential backoff with jitter between
//! deliveries (computed with `backon`), and a maximum number of deliveries after which the
//! message goes to the dead-letter queue.

use std::num::NonZeroU32;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use serde::{Deserialize, Serialize};

/// How often and how patiently a failed message is tried again.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// Deliveries before a message is dead-lettered (the first try counts). Bounded so a
    /// poison message cannot circle for ever.
    pub max_deliveries: NonZeroU32,
    /// Delay before the second try; doubles each time.
    #[serde(with = "humantime_serde")]
    pub retry_min: Duration,
    /// The longest delay between two tries.
    #[serde(with = "humantime_serde")]
    pub retry_max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_deliveries: NonZeroU32::new(8).unwrap_or(NonZeroU32::MIN),
            retry_min: Duration::from_secs(2),
            retry_max: Duration::from_secs(600),
        }
    }
}

impl RetryPolicy {
    /// Whether a message delivered `delivered` times has used up its tries.
    pub fn exhausted(&self, delivered: u64) -> bool {
        delivered >= u64::from(self.max_deliveries.get())
    }

    /// How long to wait before the next delivery, after `delivered` deliveries failed:
    /// `retry_min * 2^(delivered-1)`, capped at `retry_max`, plus random jitter.
    pub fn delay_after(&self, delivered: u64) -> Duration {
        let index = usize::try_from(delivered.saturating_sub(1)).unwrap_or(usize::MAX);
        ExponentialBuilder::default()
            .with_min_delay(self.retry_min)
            .with_max_delay(self.retry_max)
            .with_factor(2.0)
            .with_jitter()
            .without_max_times()
            .build()
            .nth(index.min(64))
            .unwrap_or(self.retry_max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_deliveries: NonZeroU32::new(4).unwrap_or(NonZeroU32::MIN),
            retry_min: Duration::from_millis(100),
            retry_max: Duration::from_secs(1),
        }
    }

    #[test]
    fn delays_grow_and_stay_capped() {
        let p = policy();
        let first = p.delay_after(1);
        assert!(first >= Duration::from_millis(100) && first < Duration::from_millis(250));
        let third = p.delay_after(3);
        assert!(third >= Duration::from_millis(400), "{third:?}");
        for n in 5..40 {
            assert!(p.delay_after(n) <= Duration::from_millis(2100), "{n}");
        }
    }

    #[test]
    fn exhausted_after_max_deliveries() {
        let p = policy();
        assert!(!p.exhausted(3));
        assert!(p.exhausted(4));
        assert!(p.exhausted(9));
    }
}
