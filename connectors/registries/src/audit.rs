//! The audit of every national-database query: written before the partner (or the cache) is
//! asked, with who caused it, the case, the legal basis, the database and the masked subject;
//! settled afterwards with the outcome, the attempts and whether the cache answered. The row
//! references its case, so a query for a case that does not exist cannot even be recorded, and
//! is therefore never made.

use thads_core::db::{now_ms, Db};
use thads_core::verification::{Lookup, LookupError, QueryPurpose, Registry, Subject};

/// Writes the audit row of a query about to be made; returns its id.
pub async fn begin(
    db: &Db,
    run_id: &str,
    registry: Registry,
    purpose: &QueryPurpose,
    subject: &Subject,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO registry_queries (run_id, case_id, legal_basis, requested_by, registry, \
         subject_kind, subject_masked, outcome, started_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8) RETURNING id",
    )
    .bind(run_id)
    .bind(purpose.case_id())
    .bind(purpose.legal_basis())
    .bind(purpose.requested_by())
    .bind(registry.as_str())
    .bind(subject.kind())
    .bind(subject.masked())
    .bind(now_ms())
    .fetch_one(db.pool())
    .await
}

/// The outcome as the audit and the metrics name it.
pub fn outcome(result: &Result<Lookup, LookupError>) -> &'static str {
    match result {
        Ok(l) if l.answer.is_empty() => "nothing_found",
        Ok(_) => "found",
        Err(_) => "failed",
    }
}

/// Settles the audit row with the outcome.
pub async fn finish(
    db: &Db,
    id: i64,
    result: &Result<Lookup, LookupError>,
    attempts: u32,
) -> Result<(), sqlx::Error> {
    let cache_hit = matches!(result, Ok(l) if l.cache_hit);
    let detail = match result {
        Ok(l) => Some(l.source.clone()),
        Err(e) => Some(e.to_string()),
    };
    sqlx::query(
        "UPDATE registry_queries SET outcome = $2, cache_hit = $3, attempts = $4, detail = $5, \
         finished_at = $6 WHERE id = $1",
    )
    .bind(id)
    .bind(outcome(result))
    .bind(i64::from(cache_hit))
    .bind(i64::from(attempts))
    .bind(detail)
    .bind(now_ms())
    .execute(db.pool())
    .await
    .map(|_| ())
}
