//! Posting bank payments (tiền nộp vào tài khoản tạm giữ của cơ quan THADS) to cases: the
//! consumer of `in.bank.payment` finds the case by the payment reference printed on every notice
//! that asks for money, read from the memo accent- and case-blind. A unique match posts the
//! payment on the case; anything else waits in the reconciliation queue with the reason.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::Serialize;
use sqlx::Row;
use thads_schemas::bank::{format_iso_date, Payment};
use thads_schemas::subjects;
use thads_schemas::text::fold_ascii;

use super::intake::add_case_event;
use crate::bus::{ConsumerSpec, Delivery};
use crate::db::{now_ms, rfc3339, Db, Tx};
use crate::deadlines::store::Schedule;
use crate::inbox;
use crate::journey::{self, JourneyError, MessageState};
use crate::worker::{HandleError, Handler};

/// The durable consumer name.
pub const CONSUMER: &str = "payment-posting";

/// Length of the hexadecimal part of a payment reference (`THA` + 10 hex digits).
const REFERENCE_HEX: usize = 10;

/// Posts payments to cases.
pub struct PaymentPosting {
    db: Db,
    ack_wait: Duration,
    schedule: Schedule,
}

impl PaymentPosting {
    /// A handler writing to `db`; `schedule` sets the payout deadline of collected money.
    pub fn new(db: Db, ack_wait: Duration, schedule: Schedule) -> Arc<Self> {
        Arc::new(Self {
            db,
            ack_wait,
            schedule,
        })
    }
}

/// Payment references (`THA` + 10 upper-case hex digits) found in a memo, in order, without
/// repeats. Banks strip diacritics and often spaces, so the memo is folded and compacted first.
pub fn references_in(memo: &str) -> Vec<String> {
    let compact: String = fold_ascii(memo)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let bytes = compact.as_bytes();
    let mut found: Vec<String> = Vec::new();
    let mut i = 0;
    while i + 3 + REFERENCE_HEX <= bytes.len() {
        let tail = &bytes[i + 3..i + 3 + REFERENCE_HEX];
        if &bytes[i..i + 3] == b"THA" && tail.iter().all(|b| b.is_ascii_hexdigit()) {
            let r = String::from_utf8_lossy(&bytes[i..i + 3 + REFERENCE_HEX]).into_owned();
            if !found.contains(&r) {
                found.push(r);
            }
            i += 3 + REFERENCE_HEX;
        } else {
            i += 1;
        }
    }
    found
}

#[async_trait]
impl Handler for PaymentPosting {
    fn consumer(&self) -> ConsumerSpec {
        ConsumerSpec {
            name: CONSUMER.to_string(),
            filter: subjects::IN_BANK_PAYMENT.to_string(),
            ack_wait: self.ack_wait,
        }
    }

    async fn handle(&self, delivery: &Delivery) -> Result<(), HandleError> {
        let payment: Payment = serde_json::from_slice(&delivery.payload)
            .map_err(|e| HandleError::Permanent(format!("not a payment message: {e}")))?;
        let mut tx = self.db.begin().await?;
        if !inbox::claim(&mut tx, CONSUMER, delivery.journey_id()).await? {
            tx.rollback().await?;
            return Ok(());
        }
        let detail = post(&mut tx, &self.schedule, delivery.journey_id(), &payment).await?;
        match journey::advance(
            &mut tx,
            delivery.journey_id(),
            MessageState::Handled,
            Some(&detail),
        )
        .await
        {
            Ok(()) | Err(JourneyError::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Posts the payment or parks it; returns the journey detail.
async fn post(
    tx: &mut Tx<'_>,
    schedule: &Schedule,
    payment_id: &str,
    p: &Payment,
) -> Result<String, HandleError> {
    let mut cases: Vec<String> = Vec::new();
    for reference in references_in(&p.remittance) {
        let found: Option<String> =
            sqlx::query_scalar("SELECT id FROM cases WHERE payment_reference = $1")
                .bind(&reference)
                .fetch_optional(&mut **tx)
                .await?;
        if let Some(id) = found {
            if !cases.contains(&id) {
                cases.push(id);
            }
        }
    }
    let booking = format_iso_date(p.booking_date);
    let now = now_ms();
    if let [case_id] = cases.as_slice() {
        let inserted = sqlx::query(
            "INSERT INTO case_payments (payment_id, case_id, amount_vnd, booking_date, matched_by, created_at) \
             VALUES ($1, $2, $3, $4, 'payment_reference', $5) ON CONFLICT (payment_id) DO NOTHING",
        )
        .bind(payment_id)
        .bind(case_id)
        .bind(p.amount_vnd.amount())
        .bind(&booking)
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected()
            == 1;
        if inserted {
            crate::lifecycle::perform::record_bank_collection(
                tx,
                schedule,
                case_id,
                p.amount_vnd,
                p.booking_date,
                payment_id,
            )
            .await?;
        }
        add_case_event(
            tx,
            case_id,
            "payment_received",
            &format!("{} booked {booking}", p.amount_vnd),
        )
        .await?;
        journey::set_case(tx, payment_id, case_id).await?;
        return Ok(format!("posted to case {case_id} by its payment reference"));
    }
    let reason = if cases.is_empty() {
        "no known case payment reference in the memo".to_string()
    } else {
        format!("the memo names {} different cases", cases.len())
    };
    sqlx::query(
        "INSERT INTO unmatched_payments (payment_id, amount_vnd, booking_date, remittance, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (payment_id) DO NOTHING",
    )
    .bind(payment_id)
    .bind(p.amount_vnd.amount())
    .bind(&booking)
    .bind(&p.remittance)
    .bind(&reason)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(format!("waiting in the reconciliation queue: {reason}"))
}

/// A payment posted on a case.
#[derive(Debug, Clone, Serialize)]
pub struct CasePaymentView {
    /// The payment message id.
    pub payment_id: String,
    /// Amount in whole đồng.
    pub amount_vnd: i64,
    /// Booking date (ISO).
    pub booking_date: String,
    /// How it was matched.
    pub matched_by: String,
}

/// The payments posted on a case, oldest first.
pub async fn for_case(db: &Db, case_id: &str) -> Result<Vec<CasePaymentView>, sqlx::Error> {
    sqlx::query(
        "SELECT payment_id, amount_vnd, booking_date, matched_by FROM case_payments \
         WHERE case_id = $1 ORDER BY created_at, payment_id",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(CasePaymentView {
            payment_id: r.try_get("payment_id")?,
            amount_vnd: r.try_get("amount_vnd")?,
            booking_date: r.try_get("booking_date")?,
            matched_by: r.try_get("matched_by")?,
        })
    })
    .collect()
}

/// A payment waiting for an officer to match it.
#[derive(Debug, Clone, Serialize)]
pub struct UnmatchedView {
    /// The payment message id.
    pub payment_id: String,
    /// Amount in whole đồng.
    pub amount_vnd: i64,
    /// Booking date (ISO).
    pub booking_date: String,
    /// The memo (may contain names: shown to staff, never logged).
    pub remittance: String,
    /// Why it was not matched.
    pub reason: String,
    /// When it arrived (RFC 3339).
    pub created_at: String,
}

/// The reconciliation queue, oldest first.
pub async fn unmatched(db: &Db) -> Result<Vec<UnmatchedView>, sqlx::Error> {
    sqlx::query(
        "SELECT payment_id, amount_vnd, booking_date, remittance, reason, created_at \
         FROM unmatched_payments ORDER BY created_at, payment_id",
    )
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(UnmatchedView {
            payment_id: r.try_get("payment_id")?,
            amount_vnd: r.try_get("amount_vnd")?,
            booking_date: r.try_get("booking_date")?,
            remittance: r.try_get("remittance")?,
            reason: r.try_get("reason")?,
            created_at: rfc3339(r.try_get("created_at")?),
        })
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::references_in;

    #[test]
    fn references_are_found_in_folded_compacted_memos() {
        assert_eq!(
            references_in("NOP TIEN THA0263586423 TRAN THI BINH"),
            ["THA0263586423"]
        );
        assert_eq!(
            references_in("nộp tiền tha 0263 5864 23"),
            ["THA0263586423"]
        );
        assert_eq!(
            references_in("THA0263586423, THAABCDEF0123 THA0263586423"),
            ["THA0263586423", "THAABCDEF0123"]
        );
        assert!(references_in("THANH TOAN TIEN HANG").is_empty());
        assert!(references_in("").is_empty());
    }
}
