//! Each partner's health for the console's dashboard, from the message store (so every hub
//! process shows the same figures): messages in and out over a window, how many failed or are
//! being retried, the error rate, handling or delivery latency (p50, p95), the retry backlog,
//! the dead letters waiting, and the last success; plus the circuit state this process holds.
//! The national databases' figures come from the audit of their queries.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row;

use crate::db::{rfc3339, Db};

/// Latency samples read per partner at most (the newest).
const SAMPLES: i64 = 20_000;

/// One partner's figures.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct PartnerHealth {
    /// `court:TAND79-KV1`, `bank:VCB`, `vneid`, `treasury`, ...
    pub partner: String,
    /// Messages from it in the window.
    pub messages_in: i64,
    /// Messages to it in the window.
    pub messages_out: i64,
    /// Of those, how many failed at least once (retried, failed, dead-lettered, rejected).
    pub failed: i64,
    /// `failed` over all messages in the window (0 when there were none).
    pub error_rate: f64,
    /// Median time from entering the hub to handled or delivered, in milliseconds.
    pub latency_p50_ms: Option<i64>,
    /// 95th percentile of the same.
    pub latency_p95_ms: Option<i64>,
    /// Messages waiting for their next attempt now.
    pub retry_backlog: i64,
    /// Dead letters waiting for an administrator now.
    pub dlq_depth: i64,
    /// The last message handled or delivered (RFC 3339).
    pub last_success: Option<String>,
    /// This process's circuit breaker for the partner: `closed`, `open`, `half_open`, or
    /// `None` when the hub does not call it.
    pub circuit: Option<String>,
}

fn circuit_name(state: i64) -> String {
    match state {
        0 => "closed",
        1 => "open",
        _ => "half_open",
    }
    .to_string()
}

/// Every partner seen since `since_ms` (or with a backlog), by partner, with `circuits` (the
/// breaker states of this process) merged in.
pub async fn partners(
    db: &Db,
    since_ms: i64,
    circuits: &BTreeMap<String, i64>,
) -> Result<Vec<PartnerHealth>, sqlx::Error> {
    let mut out: BTreeMap<String, PartnerHealth> = BTreeMap::new();
    let rows = sqlx::query(
        "SELECT partner, \
         CAST(SUM(CASE WHEN direction = 'in' THEN 1 ELSE 0 END) AS BIGINT) AS n_in, \
         CAST(SUM(CASE WHEN direction = 'out' THEN 1 ELSE 0 END) AS BIGINT) AS n_out, \
         CAST(SUM(CASE WHEN attempts > 1 OR state IN ('waiting_retry', 'failed', \
              'dead_lettered', 'rejected', 'discarded') THEN 1 ELSE 0 END) AS BIGINT) AS n_failed \
         FROM messages WHERE created_at >= $1 GROUP BY partner",
    )
    .bind(since_ms)
    .fetch_all(db.pool())
    .await?;
    for r in &rows {
        let partner: String = r.try_get("partner")?;
        let h = out.entry(partner.clone()).or_default();
        h.partner = partner;
        h.messages_in = r.try_get::<Option<i64>, _>("n_in")?.unwrap_or(0);
        h.messages_out = r.try_get::<Option<i64>, _>("n_out")?.unwrap_or(0);
        h.failed = r.try_get::<Option<i64>, _>("n_failed")?.unwrap_or(0);
        let total = h.messages_in + h.messages_out;
        h.error_rate = if total > 0 {
            h.failed as f64 / total as f64
        } else {
            0.0
        };
    }
    let now = sqlx::query(
        "SELECT partner, \
         CAST(SUM(CASE WHEN state = 'waiting_retry' THEN 1 ELSE 0 END) AS BIGINT) AS backlog, \
         CAST(SUM(CASE WHEN state = 'dead_lettered' THEN 1 ELSE 0 END) AS BIGINT) AS dlq, \
         MAX(CASE WHEN state IN ('handled', 'delivered', 'served', 'read') THEN updated_at END) \
           AS last_ok \
         FROM messages WHERE state IN ('waiting_retry', 'dead_lettered') OR created_at >= $1 \
         GROUP BY partner",
    )
    .bind(since_ms)
    .fetch_all(db.pool())
    .await?;
    for r in &now {
        let partner: String = r.try_get("partner")?;
        let h = out.entry(partner.clone()).or_default();
        h.partner = partner;
        h.retry_backlog = r.try_get::<Option<i64>, _>("backlog")?.unwrap_or(0);
        h.dlq_depth = r.try_get::<Option<i64>, _>("dlq")?.unwrap_or(0);
        h.last_success = r.try_get::<Option<i64>, _>("last_ok")?.map(rfc3339);
    }
    let samples = sqlx::query(&format!(
        "SELECT m.partner, e.at - m.created_at AS took FROM message_events e \
         JOIN messages m ON m.id = e.message_id \
         WHERE e.state IN ('handled', 'delivered') AND m.created_at >= $1 \
         ORDER BY e.seq DESC LIMIT {SAMPLES}"
    ))
    .bind(since_ms)
    .fetch_all(db.pool())
    .await?;
    let mut took: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for r in &samples {
        took.entry(r.try_get("partner")?)
            .or_default()
            .push(r.try_get::<i64, _>("took")?.max(0));
    }
    registries(db, since_ms, &mut out, &mut took).await?;
    for (partner, mut ms) in took {
        ms.sort_unstable();
        if let Some(h) = out.get_mut(&partner) {
            h.latency_p50_ms = percentile(&ms, 50);
            h.latency_p95_ms = percentile(&ms, 95);
        }
    }
    for (partner, state) in circuits {
        let h = out.entry(partner.clone()).or_default();
        h.partner = partner.clone();
        h.circuit = Some(circuit_name(*state));
    }
    Ok(out.into_values().collect())
}

/// The national databases are called directly, with no journey message: their figures come
/// from the audit of every query (`registry_queries`; answers from the cache do not count).
/// They appear as `registry:<database>`.
async fn registries(
    db: &Db,
    since_ms: i64,
    out: &mut BTreeMap<String, PartnerHealth>,
    took: &mut BTreeMap<String, Vec<i64>>,
) -> Result<(), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT registry, CAST(COUNT(*) AS BIGINT) AS n, \
         CAST(SUM(CASE WHEN outcome = 'failed' OR attempts > 1 THEN 1 ELSE 0 END) AS BIGINT) \
           AS n_failed, \
         MAX(CASE WHEN outcome IN ('found', 'nothing_found') THEN finished_at END) AS last_ok \
         FROM registry_queries WHERE started_at >= $1 AND cache_hit = 0 GROUP BY registry",
    )
    .bind(since_ms)
    .fetch_all(db.pool())
    .await?;
    for r in &rows {
        let partner = format!("registry:{}", r.try_get::<String, _>("registry")?);
        let h = out.entry(partner.clone()).or_default();
        h.partner = partner;
        h.messages_out = r.try_get::<Option<i64>, _>("n")?.unwrap_or(0);
        h.failed = r.try_get::<Option<i64>, _>("n_failed")?.unwrap_or(0);
        h.error_rate = if h.messages_out > 0 {
            h.failed as f64 / h.messages_out as f64
        } else {
            0.0
        };
        h.last_success = r.try_get::<Option<i64>, _>("last_ok")?.map(rfc3339);
    }
    let samples = sqlx::query(&format!(
        "SELECT registry, finished_at - started_at AS took FROM registry_queries \
         WHERE started_at >= $1 AND cache_hit = 0 AND finished_at IS NOT NULL \
         ORDER BY id DESC LIMIT {SAMPLES}"
    ))
    .bind(since_ms)
    .fetch_all(db.pool())
    .await?;
    for r in &samples {
        took.entry(format!("registry:{}", r.try_get::<String, _>("registry")?))
            .or_default()
            .push(r.try_get::<i64, _>("took")?.max(0));
    }
    Ok(())
}

/// The `p`th percentile of sorted values (nearest rank).
fn percentile(sorted: &[i64], p: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50), Some(50));
        assert_eq!(percentile(&v, 95), Some(95));
        assert_eq!(percentile(&[7], 95), Some(7));
        assert_eq!(percentile(&[], 50), None);
    }
}
