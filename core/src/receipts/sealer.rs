//! Signs e-receipts in the background soon after they are issued, so a receipt issued by the
//! payment consumer (which never holds the hub's key) is signed without waiting for someone to
//! read it. Reading a receipt still signs it on the spot if the sealer has not got to it yet.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::store::seal_pending;
use crate::db::Db;
use crate::partners::HubKey;

/// Receipts signed per pass.
const BATCH: i64 = 100;
/// Pause between passes when nothing was waiting.
const IDLE: Duration = Duration::from_millis(500);

/// Signs unsigned receipts until `shutdown`; errors are logged and retried on the next pass.
pub async fn run(db: Db, key: Arc<HubKey>, shutdown: CancellationToken) {
    loop {
        let busy = match seal_pending(&db, &key, BATCH).await {
            Ok(n) => i64::try_from(n).unwrap_or(i64::MAX) >= BATCH,
            Err(e) => {
                tracing::warn!(error = %e, "receipt sealing failed; retrying");
                false
            }
        };
        if busy {
            continue;
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(IDLE) => {}
        }
    }
}
