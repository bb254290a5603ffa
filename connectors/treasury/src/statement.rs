//! Reconciliation against the Treasury's statement (bảng kê) of the transfers it received:
//! each statement line is matched to an acknowledged transfer by its reference and amount;
//! unknown references, differing amounts, and acknowledged transfers the statement leaves out
//! are listed as mismatches. Matched transfers become `reconciled`, differing ones `mismatch`.

use serde::{Deserialize, Serialize};
use sqlx::Row;
use thads_core::db::{now_ms, Db};

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

/// Reconciles `statement` against the acknowledged transfers of the offices `covers` accepts.
pub async fn reconcile(
    db: &Db,
    statement: &Statement,
    covers: impl Fn(&str) -> bool,
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
