//! The inbox: a handler records the id of each message it consumed in the same transaction as
//! its state change, so a redelivery (after a crash, a lost ack or a replay past the bus's
//! de-duplication window) is recognised and changes nothing.

use crate::db::{now_ms, Tx};

/// Records that `consumer` handled `message_id`. Returns `false` when it already had: the
/// caller must then commit nothing and just acknowledge.
pub async fn claim(tx: &mut Tx<'_>, consumer: &str, message_id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO inbox (consumer, message_id, handled_at) VALUES ($1, $2, $3) \
         ON CONFLICT (consumer, message_id) DO NOTHING",
    )
    .bind(consumer)
    .bind(message_id)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
