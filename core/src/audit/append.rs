//! Appending to the audit trail inside the transaction of the change being recorded, so no
//! change exists without its entry and no entry without its change. Appending is a plain
//! insert (cheap, and free of contention between hub processes); the [`super::seal`] task
//! chains and signs the entries afterwards.

use crate::db::{now_ms, Db, Tx};

/// The actor of the hub's own steps (message journeys, automatic postings).
pub const HUB: &str = "hub";
/// The actor of acts done with the `thads-hub` command line on the server.
pub const CLI: &str = "cli";

/// One act to append.
#[derive(Debug, Clone, Copy)]
pub struct Act<'a> {
    /// Who (a staff username, [`HUB`], [`CLI`], `partner:<id>`).
    pub actor: &'a str,
    /// What kind of act (`admin.replay`, `staff.sign_in_failed`, ...).
    pub action: &'a str,
    /// What it was done to.
    pub subject: &'a str,
    /// The act in words. No personal data beyond what the case history already shows.
    pub detail: &'a str,
    /// SHA-256 (hex) of the payload concerned, if any.
    pub content_hash: Option<&'a str>,
}

/// Appends `act` inside `tx`.
pub async fn record(tx: &mut Tx<'_>, act: &Act<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, subject, detail, content_hash) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(now_ms())
    .bind(act.actor)
    .bind(act.action)
    .bind(act.subject)
    .bind(act.detail)
    .bind(act.content_hash)
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// Appends `act` in a transaction of its own, for acts that change nothing else in the
/// database (a failed sign-in, an export).
pub async fn record_alone(db: &Db, act: &Act<'_>) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    record(&mut tx, act).await?;
    tx.commit().await
}
