//! The operation log of a case, as the case page and the audit show it.

use serde::Serialize;
use sqlx::Row;

use crate::db::{rfc3339, Db};

/// One performed operation.
#[derive(Debug, Clone, Serialize)]
pub struct OperationView {
    /// Position in the log.
    pub seq: i64,
    /// The operation's name.
    pub operation: String,
    /// Who performed it.
    pub actor: String,
    /// In which role.
    pub actor_role: String,
    /// State before.
    pub from_state: String,
    /// State after.
    pub to_state: String,
    /// The legal day of the act.
    pub effective_on: String,
    /// When it was recorded (RFC 3339).
    pub at: String,
    /// Money the operation moved, in whole đồng.
    pub amount_vnd: Option<i64>,
    /// Its parameters.
    pub params: serde_json::Value,
    /// Documents issued or relied on.
    pub documents: serde_json::Value,
    /// The officer's reason.
    pub reason: Option<String>,
}

/// The operations performed on a case, oldest first.
pub async fn for_case(db: &Db, case_id: &str) -> Result<Vec<OperationView>, sqlx::Error> {
    sqlx::query(
        "SELECT seq, operation, actor, actor_role, from_state, to_state, effective_on, at, \
         amount_vnd, params, documents, reason FROM case_operations \
         WHERE case_id = $1 ORDER BY seq",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let params: String = r.try_get("params")?;
        let documents: String = r.try_get("documents")?;
        Ok(OperationView {
            seq: r.try_get("seq")?,
            operation: r.try_get("operation")?,
            actor: r.try_get("actor")?,
            actor_role: r.try_get("actor_role")?,
            from_state: r.try_get("from_state")?,
            to_state: r.try_get("to_state")?,
            effective_on: r.try_get("effective_on")?,
            at: rfc3339(r.try_get("at")?),
            amount_vnd: r.try_get("amount_vnd")?,
            params: serde_json::from_str(&params).unwrap_or(serde_json::Value::Null),
            documents: serde_json::from_str(&documents).unwrap_or(serde_json::Value::Null),
            reason: r.try_get("reason")?,
        })
    })
    .collect()
}
