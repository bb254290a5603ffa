//! The answer cache: an answer is kept with its source and the time the partner gave it, keyed
//! by database and a SHA-256 of the subject (no raw number in the key), and reused for the same
//! subject within the database's `cache_ttl`. Only answers are cached, never failures. Kept in
//! the database so every hub process shares it and it survives restarts.

use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::Row;
use thads_core::db::{now_ms, Db};
use thads_core::verification::{Answer, Lookup, Registry, Subject};

/// The cache key of a subject.
pub fn subject_key(subject: &Subject) -> String {
    hex::encode(Sha256::digest(
        format!("{}:{}", subject.kind(), subject.number()).as_bytes(),
    ))
}

/// Whether an answer fetched at `fetched_at` is still fresh at `now` (Unix ms) for `ttl`.
pub fn is_fresh(fetched_at: i64, now: i64, ttl: Duration) -> bool {
    let ttl = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
    ttl > 0 && now.saturating_sub(fetched_at) < ttl
}

/// A fresh cached answer, if any.
pub async fn get(
    db: &Db,
    registry: Registry,
    subject: &Subject,
    ttl: Duration,
) -> Result<Option<Lookup>, sqlx::Error> {
    if ttl.is_zero() {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT answer, source, fetched_at FROM registry_cache WHERE registry = $1 AND subject_key = $2",
    )
    .bind(registry.as_str())
    .bind(subject_key(subject))
    .fetch_optional(db.pool())
    .await?;
    let Some(r) = row else { return Ok(None) };
    let fetched_at: i64 = r.try_get("fetched_at")?;
    if !is_fresh(fetched_at, now_ms(), ttl) {
        return Ok(None);
    }
    let text: String = r.try_get("answer")?;
    // An entry written by an older schema is simply not reused.
    let Ok(answer) = serde_json::from_str::<Answer>(&text) else {
        return Ok(None);
    };
    Ok(Some(Lookup {
        answer,
        source: r.try_get("source")?,
        fetched_at,
        cache_hit: true,
        attempts: 0,
    }))
}

/// Keeps a fresh answer.
pub async fn put(
    db: &Db,
    registry: Registry,
    subject: &Subject,
    lookup: &Lookup,
) -> Result<(), sqlx::Error> {
    let answer = serde_json::to_string(&lookup.answer)
        .map_err(|e| sqlx::Error::Protocol(format!("cannot encode an answer: {e}")))?;
    sqlx::query(
        "INSERT INTO registry_cache (registry, subject_key, answer, source, fetched_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (registry, subject_key) DO UPDATE SET \
         answer = excluded.answer, source = excluded.source, fetched_at = excluded.fetched_at",
    )
    .bind(registry.as_str())
    .bind(subject_key(subject))
    .bind(answer)
    .bind(&lookup.source)
    .bind(lookup.fetched_at)
    .execute(db.pool())
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_follows_the_ttl() {
        let hour = Duration::from_secs(3600);
        assert!(is_fresh(1_000, 1_000 + 3_599_999, hour));
        assert!(!is_fresh(1_000, 1_000 + 3_600_000, hour));
        assert!(
            !is_fresh(1_000, 1_000, Duration::ZERO),
            "0 switches the cache off"
        );
    }

    #[test]
    fn keys_hide_the_number_and_differ_by_kind() {
        let p = Subject::person("079182005678").unwrap();
        let k = subject_key(&p);
        assert_eq!(k.len(), 64);
        assert!(!k.contains("079182005678"));
        let o =
            Subject::Organisation(thads_core::verification::TaxCode::parse("0791820056").unwrap());
        assert_ne!(subject_key(&o), k);
    }
}
