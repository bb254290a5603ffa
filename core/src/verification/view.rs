//! The read side of verification records (`GET /v1/cases/{id}/verifications`,
//! `GET /v1/verifications/{id}`): each record with its findings and the audited queries of its
//! run. Numbers are shown masked.

use serde::Serialize;
use sqlx::Row;

use crate::db::{rfc3339, Db};

/// A record as the read side shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RecordView {
    /// Record id (`vrf-…`).
    pub id: String,
    /// The case.
    pub case_id: String,
    /// The client's request id, if any.
    pub request_id: Option<String>,
    /// `officer`, `automatic` or `retry`.
    pub trigger: String,
    /// Who caused the run (user name, or `system`).
    pub requested_by: String,
    /// The legal basis cited.
    pub legal_basis: String,
    /// `running`, `complete` or `incomplete`.
    pub status: String,
    /// `assets_found`, `nothing_found` or `undetermined`, once finished.
    pub conclusion: Option<String>,
    /// What each database answered about each debtor.
    pub debtors: serde_json::Value,
    /// One line per failed query.
    pub failures: Vec<String>,
    /// The record's text in Vietnamese.
    pub text_vi: Option<String>,
    /// The case's state when the run started and when it finished.
    pub state_before: Option<String>,
    /// See `state_before`.
    pub state_after: Option<String>,
    /// The lifecycle operations the record caused.
    pub operations: serde_json::Value,
    /// When an incomplete record is tried again (RFC 3339).
    pub retry_at: Option<String>,
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// When it finished (RFC 3339).
    pub finished_at: Option<String>,
    /// The audited queries of the run.
    pub queries: Vec<QueryView>,
}

/// One audited query.
#[derive(Debug, Clone, Serialize)]
pub struct QueryView {
    /// The database.
    pub database: String,
    /// `cccd` or `tax_code`.
    pub subject_kind: String,
    /// The number, masked.
    pub subject: String,
    /// Who caused it.
    pub requested_by: String,
    /// The legal basis.
    pub legal_basis: String,
    /// `pending`, `found`, `nothing_found` or `failed`.
    pub outcome: String,
    /// Whether the cache answered.
    pub cache_hit: bool,
    /// HTTP attempts.
    pub attempts: i64,
    /// Why it failed.
    pub detail: Option<String>,
    /// When (RFC 3339).
    pub at: String,
}

const COLUMNS: &str = "id, case_id, request_id, trigger_kind, requested_by, legal_basis, status, \
    conclusion, findings, failures, text_vi, state_before, state_after, operations, retry_at, \
    started_at, finished_at";

/// The records of a case, newest first, with their queries.
pub async fn for_case(db: &Db, case_id: &str) -> Result<Vec<RecordView>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM verification_records WHERE case_id = $1 \
         ORDER BY started_at DESC, id DESC"
    ))
    .bind(case_id)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(view(db, r).await?);
    }
    Ok(out)
}

/// One record.
pub async fn load(db: &Db, id: &str) -> Result<Option<RecordView>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM verification_records WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    match row {
        Some(r) => Ok(Some(view(db, &r).await?)),
        None => Ok(None),
    }
}

fn json(text: Option<String>, empty: serde_json::Value) -> serde_json::Value {
    text.and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(empty)
}

async fn view(db: &Db, r: &sqlx::any::AnyRow) -> Result<RecordView, sqlx::Error> {
    let id: String = r.try_get("id")?;
    let failures = json(r.try_get("failures")?, serde_json::json!([]));
    Ok(RecordView {
        queries: queries(db, &id).await?,
        id,
        case_id: r.try_get("case_id")?,
        request_id: r.try_get("request_id")?,
        trigger: r.try_get("trigger_kind")?,
        requested_by: r.try_get("requested_by")?,
        legal_basis: r.try_get("legal_basis")?,
        status: r.try_get("status")?,
        conclusion: r.try_get("conclusion")?,
        debtors: json(r.try_get("findings")?, serde_json::json!([])),
        failures: serde_json::from_value(failures).unwrap_or_default(),
        text_vi: r.try_get("text_vi")?,
        state_before: r.try_get("state_before")?,
        state_after: r.try_get("state_after")?,
        operations: json(r.try_get("operations")?, serde_json::json!([])),
        retry_at: r.try_get::<Option<i64>, _>("retry_at")?.map(rfc3339),
        started_at: rfc3339(r.try_get("started_at")?),
        finished_at: r.try_get::<Option<i64>, _>("finished_at")?.map(rfc3339),
    })
}

async fn queries(db: &Db, run_id: &str) -> Result<Vec<QueryView>, sqlx::Error> {
    sqlx::query(
        "SELECT registry, subject_kind, subject_masked, requested_by, legal_basis, outcome, \
         cache_hit, attempts, detail, started_at FROM registry_queries WHERE run_id = $1 ORDER BY id",
    )
    .bind(run_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(QueryView {
            database: r.try_get("registry")?,
            subject_kind: r.try_get("subject_kind")?,
            subject: r.try_get("subject_masked")?,
            requested_by: r.try_get("requested_by")?,
            legal_basis: r.try_get("legal_basis")?,
            outcome: r.try_get("outcome")?,
            cache_hit: r.try_get::<i64, _>("cache_hit")? != 0,
            attempts: r.try_get("attempts")?,
            detail: r.try_get("detail")?,
            at: rfc3339(r.try_get("started_at")?),
        })
    })
    .collect()
}
