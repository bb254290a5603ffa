//! Transfers of the State's share to the Treasury: the message, queuing one in the caller's
//! transaction (row, outbound message with journey `emitted`, outbox row), and reading a
//! case's transfers back.

use serde::{Deserialize, Serialize};
use sqlx::Row;
use thads_core::cases::intake::add_case_event;
use thads_core::db::{now_ms, rfc3339, Db, Tx};
use thads_core::journey::{self, Direction, MessageState, NewMessage};
use thads_core::outbox;
use thads_schemas::money::Vnd;
use thads_schemas::subjects;

use super::PARTNER;

/// A transfer as the Treasury receives it (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// Stable id; the `Idempotency-Key` and the reference the Treasury's statement quotes.
    pub transfer_id: String,
    /// The enforcement case.
    pub case_id: String,
    /// The office transferring.
    pub office: String,
    /// What the money is: `court_fee`, `fine` or `confiscation`.
    pub kind: String,
    /// Amount in whole đồng.
    pub amount_vnd: Vnd,
    /// The case's payment reference, for the Treasury's memo.
    pub payment_reference: String,
    /// The legal basis.
    pub legal_basis: String,
    /// When it was queued, RFC 3339.
    pub issued_at: String,
}

/// Why a transfer was not queued.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The store failed; nothing was queued.
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

impl From<journey::JourneyError> for TransferError {
    fn from(e: journey::JourneyError) -> Self {
        Self::Sql(e.into())
    }
}

/// Queues `t` (of disbursement `disbursement_id`) for the Treasury on `out.treasury.transfer`
/// inside `tx`; the caller commits and wakes the outbox relay. Queuing the same id twice does
/// nothing the second time.
pub async fn queue(
    tx: &mut Tx<'_>,
    disbursement_id: &str,
    t: &Transfer,
) -> Result<(), TransferError> {
    let now = now_ms();
    let inserted = sqlx::query(
        "INSERT INTO treasury_transfers (transfer_id, disbursement_id, case_id, office_code, kind, \
         amount_vnd, state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $7) \
         ON CONFLICT (transfer_id) DO NOTHING",
    )
    .bind(&t.transfer_id)
    .bind(disbursement_id)
    .bind(&t.case_id)
    .bind(&t.office)
    .bind(&t.kind)
    .bind(t.amount_vnd.amount())
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(());
    }
    let bytes = serde_json::to_vec(t).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    let hash = thads_schemas::content_hash(&bytes);
    journey::insert(
        tx,
        &NewMessage {
            id: &t.transfer_id,
            subject: subjects::OUT_TREASURY_TRANSFER,
            direction: Direction::Out,
            partner: PARTNER,
            receipt_id: None,
            content_hash: &hash,
            content_type: "application/json",
            payload: &bytes,
            case_id: Some(&t.case_id),
            parent_id: None,
        },
        MessageState::Emitted,
        Some(&format!("{} transfer queued for the Treasury", t.kind)),
    )
    .await?;
    outbox::enqueue(
        tx,
        &t.transfer_id,
        subjects::OUT_TREASURY_TRANSFER,
        Some(&t.case_id),
        &bytes,
    )
    .await?;
    add_case_event(
        tx,
        &t.case_id,
        "treasury_transfer_queued",
        &format!(
            "{} ({}) {} to the State Treasury",
            t.transfer_id, t.kind, t.amount_vnd
        ),
    )
    .await?;
    Ok(())
}

/// A transfer as stored.
#[derive(Debug, Clone, Serialize)]
pub struct TransferView {
    /// Its id (the reference on the Treasury's statement).
    pub transfer_id: String,
    /// The disbursement it belongs to.
    pub disbursement_id: String,
    /// The case.
    pub case_id: String,
    /// The office.
    pub office: String,
    /// `court_fee`, `fine` or `confiscation`.
    pub kind: String,
    /// Amount in đồng.
    pub amount_vnd: i64,
    /// `queued`, `acknowledged`, `failed`, `reconciled` or `mismatch`.
    pub state: String,
    /// The Treasury's own reference, once acknowledged.
    pub treasury_reference: Option<String>,
    /// The last delivery error.
    pub last_error: Option<String>,
    /// The statement that reconciled it.
    pub statement_id: Option<String>,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

/// The transfers of a case, oldest first.
pub async fn for_case(db: &Db, case_id: &str) -> Result<Vec<TransferView>, sqlx::Error> {
    sqlx::query(
        "SELECT transfer_id, disbursement_id, case_id, office_code, kind, amount_vnd, state, \
         treasury_reference, last_error, statement_id, updated_at FROM treasury_transfers \
         WHERE case_id = $1 ORDER BY created_at, transfer_id",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(TransferView {
            transfer_id: r.try_get("transfer_id")?,
            disbursement_id: r.try_get("disbursement_id")?,
            case_id: r.try_get("case_id")?,
            office: r.try_get("office_code")?,
            kind: r.try_get("kind")?,
            amount_vnd: r.try_get("amount_vnd")?,
            state: r.try_get("state")?,
            treasury_reference: r.try_get("treasury_reference")?,
            last_error: r.try_get("last_error")?,
            statement_id: r.try_get("statement_id")?,
            updated_at: rfc3339(r.try_get("updated_at")?),
        })
    })
    .collect()
}
