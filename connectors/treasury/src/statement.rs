//! Reconciliation against the Treasury's statement (bảng kê) of the transfers it received:
//! each statement line is matched to an acknowledged transfer by its reference and amount;
//! unknown references, differing amounts, and acknowledged transfers the statement leaves out
//! are listed as mismatches. Matched transfers become `reconciled`, differing ones `mismatch`.
//!
//! Each statement is kept as it came, on `in.treasury.statement` with its journey
//! (`received` → `accepted` → `handled` with the outcome), under an id derived from its
//! `statement_id`: the same statement sent again is compared again without changing anything
//! (a late resend of an old statement does not undo a newer one), and a different document
//! under the same id is refused.

use serde::{Deserialize, Serialize};
use sqlx::Row;
use thads_core::db::{now_ms, Db};
use thads_core::journey::{self, Direction, JourneyError, MessageState, NewMessage};
use thads_schemas::hash::content_hash;
use thads_schemas::subjects;

/// The journey id of statement `statement_id`.
pub fn message_id(statement_id: &str) -> String {
    let h = content_hash(statement_id.as_bytes());
    format!("tst-{}", &h[..24.min(h.len())])
}

/// What [`record`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Kept now.
    New,
    /// The same bytes were kept before.
    Again,
    /// Another document was kept under this statement id.
    Different,
}

/// Keeps statement `statement_id` (`bytes`, from `partner`) with its journey, accepted.
pub async fn record(
    db: &Db,
    statement_id: &str,
    partner: &str,
    bytes: &[u8],
) -> Result<Recorded, sqlx::Error> {
    let id = message_id(statement_id);
    let hash = content_hash(bytes);
    let mut tx = db.begin().await?;
    let inserted = journey::insert(
        &mut tx,
        &NewMessage {
            id: &id,
            subject: subjects::IN_TREASURY_STATEMENT,
            direction: Direction::In,
            partner,
            receipt_id: Some(&id),
            content_hash: &hash,
            content_type: "application/json",
            payload: bytes,
            case_id: None,
            parent_id: None,
        },
        MessageState::Received,
        Some(&format!("statement {statement_id}")),
    )
    .await?;
    if !inserted {
        tx.rollback().await?;
        let stored: Option<String> =
            sqlx::query_scalar("SELECT content_hash FROM messages WHERE id = $1")
                .bind(&id)
                .fetch_optional(db.pool())
                .await?;
        return Ok(if stored.as_deref() == Some(hash.as_str()) {
            Recorded::Again
        } else {
            Recorded::Different
        });
    }
    journey::advance(&mut tx, &id, MessageState::Accepted, Some("to reconcile"))
        .await
        .map_err(sqlx::Error::from)?;
    tx.commit().await?;
    Ok(Recorded::New)
}

/// Records the outcome on the statement's journey (`handled`); a statement handled before
/// keeps its first outcome.
pub async fn record_outcome(db: &Db, done: &Reconciliation) -> Result<(), sqlx::Error> {
    let detail = format!(
        "reconciled: {} matched, {} mismatches",
        done.matched.len(),
        done.mismatches.len()
    );
    let mut tx = db.begin().await?;
    match journey::advance(
        &mut tx,
        &message_id(&done.statement_id),
        MessageState::Handled,
        Some(&detail),
    )
    .await
    {
        Ok(()) => tx.commit().await?,
        Err(JourneyError::IllegalTransition { .. } | JourneyError::NotFound(_)) => {
            tx.rollback().await?
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// Keeps a statement refused as unreadable, with the reasons (`rej-…` id, returned).
pub async fn record_refused(
    db: &Db,
    partner: &str,
    bytes: &[u8],
    reason: &str,
) -> Result<String, sqlx::Error> {
    let hash = content_hash(bytes);
    let id = format!("rej-{}", &hash[..24.min(hash.len())]);
    journey::record_rejected(
        db,
        &NewMessage {
            id: &id,
            subject: subjects::IN_TREASURY_STATEMENT,
            direction: Direction::In,
            partner,
            receipt_id: None,
            content_hash: &hash,
            content_type: "application/json",
            payload: bytes,
            case_id: None,
            parent_id: None,
        },
        reason,
    )
    .await?;
    Ok(id)
}

/// One line of the Treasury's statement.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StatementLine {
    /// The transfer's reference (the hub's transfer id).
    pub reference: String,
    /// The amount the Treasury received, in đồng.
    pub amount_vnd: i64,
}

/// The Treasury's statement.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// The statement's id.
    pub statement_id: String,
    /// What it lists.
    pub transfers: Vec<StatementLine>,
}

/// Why a line or transfer did not reconcile.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Mismatch {
    /// The reference.
    pub reference: String,
    /// `amount_differs`, `unknown_reference` or `not_on_statement`.
    pub reason: String,
    /// What the hub sent (none for an unknown reference).
    pub expected_vnd: Option<i64>,
    /// What the statement says (none when it leaves the transfer out).
    pub stated_vnd: Option<i64>,
}

/// The outcome of [`reconcile`].
#[derive(Debug, Clone, Serialize)]
pub struct Reconciliation {
    /// The statement.
    pub statement_id: String,
    /// References matched by reference and amount.
    pub matched: Vec<String>,
    /// Everything that did not match.
    pub mismatches: Vec<Mismatch>,
}

/// Reconciles `statement` against the acknowledged transfers of the offices `covers` accepts;
/// with `apply` false (a statement seen before), only compares.
pub async fn reconcile(
    db: &Db,
    statement: &Statement,
    covers: impl Fn(&str) -> bool,
    apply: bool,
) -> Result<Reconciliation, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT transfer_id, office_code, amount_vnd, state FROM treasury_transfers \
         WHERE state IN ('acknowledged', 'reconciled', 'mismatch')",
    )
    .fetch_all(db.pool())
    .await?;
    let mut ours = std::collections::BTreeMap::new();
    for r in &rows {
        let office: String = r.try_get("office_code")?;
        if covers(&office) {
            let id: String = r.try_get("transfer_id")?;
            let amount: i64 = r.try_get("amount_vnd")?;
            let state: String = r.try_get("state")?;
            ours.insert(id, (amount, state));
        }
    }
    let mut matched = Vec::new();
    let mut mismatches = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut tx = db.begin().await?;
    for line in &statement.transfers {
        seen.insert(line.reference.clone());
        let Some((amount, _)) = ours.get(&line.reference) else {
            mismatches.push(Mismatch {
                reference: line.reference.clone(),
                reason: "unknown_reference".into(),
                expected_vnd: None,
                stated_vnd: Some(line.amount_vnd),
            });
            continue;
        };
        let state = if *amount == line.amount_vnd {
            matched.push(line.reference.clone());
            "reconciled"
        } else {
            mismatches.push(Mismatch {
                reference: line.reference.clone(),
                reason: "amount_differs".into(),
                expected_vnd: Some(*amount),
                stated_vnd: Some(line.amount_vnd),
            });
            "mismatch"
        };
        if !apply {
            continue;
        }
        sqlx::query(
            "UPDATE treasury_transfers SET state = $2, statement_id = $3, updated_at = $4 \
             WHERE transfer_id = $1",
        )
        .bind(&line.reference)
        .bind(state)
        .bind(&statement.statement_id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    for (id, (amount, state)) in &ours {
        if state == "acknowledged" && !seen.contains(id) {
            mismatches.push(Mismatch {
                reference: id.clone(),
                reason: "not_on_statement".into(),
                expected_vnd: Some(*amount),
                stated_vnd: None,
            });
        }
    }
    Ok(Reconciliation {
        statement_id: statement.statement_id.clone(),
        matched,
        mismatches,
    })
}
