//! The audit trail of officers' decisions on money — resolving a queued payment, voiding a
//! receipt: who (username, role, office), when, why, and the state before and after, written
//! in the transaction of the decision itself.

use serde::Serialize;
use serde_json::Value;
use sqlx::Row;

use crate::db::{now_ms, rfc3339, Db, Tx};
use crate::staff::Actor;

/// One decision to record.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    /// What was decided about: `payment` or `receipt`.
    pub subject_kind: &'a str,
    /// Its id.
    pub subject_id: &'a str,
    /// The decision: `post`, `return`, `void`.
    pub action: &'a str,
    /// Who decided.
    pub actor: &'a Actor,
    /// Why, as the person wrote it.
    pub reason: &'a str,
    /// The state before.
    pub before: Value,
    /// The state after.
    pub after: Value,
}

/// Records a decision inside the caller's transaction.
pub async fn record(tx: &mut Tx<'_>, e: &AuditEntry<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO money_audit (subject_kind, subject_id, action, actor, actor_role, \
         actor_office, at, reason, before_state, after_state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(e.subject_kind)
    .bind(e.subject_id)
    .bind(e.action)
    .bind(&e.actor.username)
    .bind(e.actor.role.as_str())
    .bind(e.actor.office.as_str())
    .bind(now_ms())
    .bind(e.reason)
    .bind(e.before.to_string())
    .bind(e.after.to_string())
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// A recorded decision.
#[derive(Debug, Clone, Serialize)]
pub struct AuditView {
    /// The decision.
    pub action: String,
    /// Who decided (username).
    pub actor: String,
    /// Their role.
    pub actor_role: String,
    /// Their office.
    pub actor_office: String,
    /// When (RFC 3339).
    pub at: String,
    /// Why.
    pub reason: String,
    /// The state before.
    pub before: Value,
    /// The state after.
    pub after: Value,
}

/// The decisions about one subject, oldest first.
pub async fn for_subject(
    db: &Db,
    subject_kind: &str,
    subject_id: &str,
) -> Result<Vec<AuditView>, sqlx::Error> {
    sqlx::query(
        "SELECT action, actor, actor_role, actor_office, at, reason, before_state, after_state \
         FROM money_audit WHERE subject_kind = $1 AND subject_id = $2 ORDER BY seq",
    )
    .bind(subject_kind)
    .bind(subject_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let json = |column: &str| -> Result<Value, sqlx::Error> {
            let text: String = r.try_get(column)?;
            Ok(serde_json::from_str(&text).unwrap_or(Value::String(text)))
        };
        Ok(AuditView {
            action: r.try_get("action")?,
            actor: r.try_get("actor")?,
            actor_role: r.try_get("actor_role")?,
            actor_office: r.try_get("actor_office")?,
            at: rfc3339(r.try_get("at")?),
            reason: r.try_get("reason")?,
            before: json("before_state")?,
            after: json("after_state")?,
        })
    })
    .collect()
}
