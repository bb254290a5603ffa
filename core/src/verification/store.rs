//! Verification records, the identifiers officers supply for debtors, and the debtors of a case,
//! in the database. The read side is in [`super::view`].

use sqlx::Row;

use super::record::{Compiled, Debtor};
use super::subject::{Subject, TaxCode};
use crate::db::{now_ms, Db, Tx};

/// The record a request id already made on a case.
pub async fn by_request(
    db: &Db,
    case_id: &str,
    request_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM verification_records WHERE case_id = $1 AND request_id = $2")
        .bind(case_id)
        .bind(request_id)
        .fetch_optional(db.pool())
        .await
}

/// The case's running record, if any.
pub async fn running(db: &Db, case_id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM verification_records WHERE case_id = $1 AND status = 'running'",
    )
    .bind(case_id)
    .fetch_optional(db.pool())
    .await
}

/// A new running record.
#[derive(Debug, Clone)]
pub(crate) struct NewRecord<'a> {
    pub(crate) id: &'a str,
    pub(crate) case_id: &'a str,
    pub(crate) request_id: Option<&'a str>,
    pub(crate) trigger: &'a str,
    pub(crate) requested_by: &'a str,
    pub(crate) legal_basis: &'a str,
    pub(crate) state_before: &'a str,
}

/// Inserts a running record inside the caller's transaction (fails on a unique violation when
/// the case already has a running record or the request id was used).
pub(crate) async fn insert_running(tx: &mut Tx<'_>, r: &NewRecord<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO verification_records (id, case_id, request_id, trigger_kind, requested_by, \
         legal_basis, status, state_before, started_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'running', $7, $8)",
    )
    .bind(r.id)
    .bind(r.case_id)
    .bind(r.request_id)
    .bind(r.trigger)
    .bind(r.requested_by)
    .bind(r.legal_basis)
    .bind(r.state_before)
    .bind(now_ms())
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// Writes the finished record inside the caller's transaction.
pub(crate) async fn finish(
    tx: &mut Tx<'_>,
    id: &str,
    compiled: &Compiled,
    state_after: &str,
    operations: &serde_json::Value,
    retry_at: Option<i64>,
) -> Result<(), sqlx::Error> {
    let status = match compiled.completeness {
        super::record::Completeness::Complete => "complete",
        super::record::Completeness::Incomplete => "incomplete",
    };
    let conclusion = serde_json::to_value(compiled.conclusion)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string));
    sqlx::query(
        "UPDATE verification_records SET status = $2, conclusion = $3, findings = $4, \
         failures = $5, text_vi = $6, state_after = $7, operations = $8, retry_at = $9, \
         finished_at = $10 WHERE id = $1 AND status = 'running'",
    )
    .bind(id)
    .bind(status)
    .bind(conclusion)
    .bind(serde_json::to_string(&compiled.debtors).unwrap_or_else(|_| "[]".into()))
    .bind(serde_json::to_string(&compiled.failures).unwrap_or_else(|_| "[]".into()))
    .bind(compiled.text_vi())
    .bind(state_after)
    .bind(operations.to_string())
    .bind(retry_at)
    .bind(now_ms())
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// Records the lifecycle operations a run caused so far, inside the caller's transaction.
pub(crate) async fn set_operations(
    tx: &mut Tx<'_>,
    id: &str,
    operations: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE verification_records SET operations = $2 WHERE id = $1")
        .bind(id)
        .bind(operations.to_string())
        .execute(&mut **tx)
        .await
        .map(|_| ())
}

/// The lifecycle operations a run caused so far.
pub(crate) async fn operations(
    tx: &mut Tx<'_>,
    id: &str,
) -> Result<Vec<serde_json::Value>, sqlx::Error> {
    let text: Option<String> =
        sqlx::query_scalar("SELECT operations FROM verification_records WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .flatten();
    Ok(text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

/// Marks records still `running` since before `older_than` (Unix ms) incomplete: their process
/// died. Returns the cases they belong to, so their runs can be retried.
pub(crate) async fn interrupt_stale(db: &Db, older_than: i64) -> Result<Vec<String>, sqlx::Error> {
    let cases: Vec<String> = sqlx::query_scalar(
        "SELECT case_id FROM verification_records WHERE status = 'running' AND started_at < $1",
    )
    .bind(older_than)
    .fetch_all(db.pool())
    .await?;
    sqlx::query(
        "UPDATE verification_records SET status = 'incomplete', conclusion = 'undetermined', \
         failures = '[\"the run was interrupted before it finished\"]', finished_at = $2 \
         WHERE status = 'running' AND started_at < $1",
    )
    .bind(older_than)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(cases)
}

/// Stores an identifier an officer supplied for a debtor, inside the caller's transaction.
pub(crate) async fn supply(
    tx: &mut Tx<'_>,
    case_id: &str,
    party_ref: &str,
    subject: &Subject,
    by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO verification_subjects (case_id, party_ref, kind, number, supplied_by, supplied_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (case_id, party_ref) DO UPDATE SET \
         kind = excluded.kind, number = excluded.number, supplied_by = excluded.supplied_by, \
         supplied_at = excluded.supplied_at",
    )
    .bind(case_id)
    .bind(party_ref)
    .bind(subject.kind())
    .bind(subject.number())
    .bind(by)
    .bind(now_ms())
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// A party of the case as stored: reference, role, kind, name and the court's CCCD.
#[derive(Debug, Clone)]
pub(crate) struct PartyRow {
    pub(crate) party_ref: String,
    pub(crate) role: String,
    pub(crate) kind: String,
    pub(crate) name: String,
    pub(crate) cccd: Option<String>,
}

/// The parties of a case.
pub(crate) async fn parties(db: &Db, case_id: &str) -> Result<Vec<PartyRow>, sqlx::Error> {
    sqlx::query(
        "SELECT party_ref, role, kind, name, cccd FROM case_parties WHERE case_id = $1 \
         ORDER BY party_ref",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(PartyRow {
            party_ref: r.try_get("party_ref")?,
            role: r.try_get("role")?,
            kind: r.try_get("kind")?,
            name: r.try_get("name")?,
            cccd: r.try_get("cccd")?,
        })
    })
    .collect()
}

/// The debtors of a case with the number each is queried by: the court's CCCD for persons, or
/// the identifier an officer supplied (the only source of an organisation's tax code).
pub async fn debtors(db: &Db, case_id: &str) -> Result<Vec<Debtor>, sqlx::Error> {
    let supplied =
        sqlx::query("SELECT party_ref, kind, number FROM verification_subjects WHERE case_id = $1")
            .bind(case_id)
            .fetch_all(db.pool())
            .await?;
    let supplied_for = |party: &str| -> Result<Option<(String, String)>, sqlx::Error> {
        for r in &supplied {
            if r.try_get::<String, _>("party_ref")? == party {
                return Ok(Some((r.try_get("kind")?, r.try_get("number")?)));
            }
        }
        Ok(None)
    };
    let mut out = Vec::new();
    for p in parties(db, case_id).await? {
        if p.role != "debtor" {
            continue;
        }
        let subject = match (p.cccd.as_deref(), supplied_for(&p.party_ref)?) {
            (Some(cccd), _) => {
                Subject::person(cccd).map_err(|e| format!("the CCCD on file is invalid: {e}"))
            }
            (None, Some((kind, number))) if kind == "tax_code" => TaxCode::parse(&number)
                .map(Subject::Organisation)
                .map_err(|e| e.to_string()),
            (None, Some((_, number))) => {
                Subject::person(&number).map_err(|e| format!("the supplied CCCD is invalid: {e}"))
            }
            (None, None) if p.kind == "organisation" => Err(
                "no tax code is known for this organisation; supply one in `identifiers`".into(),
            ),
            (None, None) => Err(
                "the judgment gives no CCCD for this person; supply one in `identifiers`".into(),
            ),
        };
        out.push(Debtor {
            party_ref: p.party_ref,
            name: p.name,
            kind: p.kind,
            subject,
        });
    }
    Ok(out)
}
