//! End-to-end figures read from the hub's own journey records: a message counts as handled
//! when its `handled` step is written (in the handler's transaction), and its end-to-end
//! latency runs from its `accepted` step to that one, both stamped by the hub.

use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::stats::Percentiles;

/// What became of a set of accepted messages.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub(crate) struct Handled {
    /// How many were handled.
    pub(crate) handled: usize,
    /// Handled per second, from the first acceptance to the last handling.
    pub(crate) per_second: f64,
    /// Accepted → handled.
    pub(crate) latency: Percentiles,
}

/// Waits until every message in `ids` is handled or `timeout` passes; returns how many are.
pub(crate) async fn wait_handled(
    pool: &PgPool,
    ids: &[String],
    timeout: Duration,
) -> anyhow::Result<usize> {
    let deadline = Instant::now() + timeout;
    loop {
        // A join on the id list: `id = ANY($1)` lets the planner scan the table comparing
        // every row with every id, and this poll must not load the database it measures.
        let (n,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM unnest($1::text[]) AS i(id) JOIN messages m ON m.id = i.id \
             WHERE m.state = 'handled'",
        )
        .bind(ids)
        .fetch_one(pool)
        .await?;
        let n = usize::try_from(n).unwrap_or(0);
        if n >= ids.len() || Instant::now() >= deadline {
            return Ok(n);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The end-to-end figures of `ids` as the journey records them.
pub(crate) async fn measure(pool: &PgPool, ids: &[String]) -> anyhow::Result<Handled> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT a.at, h.at FROM \
           (SELECT e.message_id, min(e.at) AS at FROM unnest($1::text[]) AS i(id) \
             JOIN message_events e ON e.message_id = i.id \
             WHERE e.state = 'accepted' GROUP BY e.message_id) a \
         JOIN \
           (SELECT e.message_id, min(e.at) AS at FROM unnest($1::text[]) AS i(id) \
             JOIN message_events e ON e.message_id = i.id \
             WHERE e.state = 'handled' GROUP BY e.message_id) h \
         USING (message_id)",
    )
    .bind(ids)
    .fetch_all(pool)
    .await?;
    if rows.is_empty() {
        return Ok(Handled::default());
    }
    let first = rows.iter().map(|r| r.0).min().unwrap_or(0);
    let last = rows.iter().map(|r| r.1).max().unwrap_or(0);
    let span = ((last - first).max(1)) as f64 / 1000.0;
    Ok(Handled {
        handled: rows.len(),
        per_second: rows.len() as f64 / span,
        latency: Percentiles::of(rows.iter().map(|r| (r.1 - r.0) as f64).collect()),
    })
}

/// The peak resident memory (`VmHWM`) of a process, in MiB.
pub(crate) fn peak_memory_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
