//! Posting bank payments (tiền nộp vào tài khoản tạm giữ của cơ quan THADS) to cases: the
//! consumer of `in.bank.payment` finds the case by the payment reference printed on every
//! notice that asks for money, or failing that by the judgment or decision number, the payer's
//! name and the amount ([`super::matching`]). A confident match posts the payment; anything
//! else waits in the reconciliation queue ([`crate::reconciliation`]) with its candidate
//! cases and the reason. [`post_to_case`] is the one posting path, for automatic matches and
//! officers' resolutions alike: the case's money, its history, its bus event and the
//! e-receipt ([`crate::receipts`]) are written in the caller's transaction.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::Serialize;
use sqlx::Row;
use thads_schemas::bank::{format_iso_date, Payment};
use thads_schemas::office::OfficeCode;
use thads_schemas::subjects;
use thads_schemas::text::fold_ascii;

use super::intake::add_case_event;
use super::matching::{self, PaymentFacts, Verdict};
use crate::bus::{ConsumerSpec, Delivery};
use crate::db::{now_ms, rfc3339, Db, Tx};
use crate::deadlines::store::Schedule;
use crate::journey::{self, JourneyError, MessageState};
use crate::receipts::{self, ReceiptSummary};
use crate::worker::{HandleError, Handler};
use crate::{inbox, outbox, reconciliation};

/// The durable consumer name.
pub const CONSUMER: &str = "payment-posting";

/// `matched_by` of a payment an officer posted from the reconciliation queue.
pub const MATCHED_BY_OFFICER: &str = "officer";

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

/// Posts the payment or parks it; returns the journey detail (never personal data).
async fn post(
    tx: &mut Tx<'_>,
    schedule: &Schedule,
    payment_id: &str,
    p: &Payment,
) -> Result<String, HandleError> {
    let mut by_reference: Vec<String> = Vec::new();
    for reference in references_in(&p.remittance) {
        let found: Option<String> =
            sqlx::query_scalar("SELECT id FROM cases WHERE payment_reference = $1")
                .bind(&reference)
                .fetch_optional(&mut **tx)
                .await?;
        if let Some(id) = found {
            if !by_reference.contains(&id) {
                by_reference.push(id);
            }
        }
    }
    let cases = reconciliation::candidates::gather(tx, p, &by_reference).await?;
    let facts = PaymentFacts {
        memo: &p.remittance,
        payer_name: p.debtor_name.as_ref().map(|n| n.as_str()),
        amount: p.amount_vnd,
    };
    match matching::assess(&facts, &cases) {
        Verdict::Post {
            case_id,
            matched_by,
        } => {
            let posted = post_to_case(tx, schedule, payment_id, p, &case_id, &matched_by).await?;
            let receipt = posted
                .receipt
                .map(|r| format!("; receipt {}", r.label))
                .unwrap_or_default();
            Ok(format!(
                "posted to case {case_id} by {}{receipt}",
                describe(&matched_by)
            ))
        }
        Verdict::Queue { reason, candidates } => {
            reconciliation::queue::park(tx, payment_id, p, &reason, &candidates).await?;
            Ok(format!("waiting in the reconciliation queue: {reason}"))
        }
    }
}

fn describe(matched_by: &str) -> String {
    if matched_by == "payment_reference" {
        "its payment reference".to_string()
    } else {
        matched_by.to_string()
    }
}

/// What [`post_to_case`] did.
#[derive(Debug, Clone)]
pub struct Posted {
    /// False when the payment was already posted (nothing was written).
    pub inserted: bool,
    /// The e-receipt issued for it.
    pub receipt: Option<receipts::Issued>,
}

/// Posts `p` on `case_id` inside the caller's transaction — the one path for automatic matches
/// and officers' resolutions: the `case_payments` row, the case's collected money and state,
/// a `payment_received` case event, the case event on the bus, and the e-receipt (with its
/// notice to the payer). A payment already posted changes nothing.
pub async fn post_to_case(
    tx: &mut Tx<'_>,
    schedule: &Schedule,
    payment_id: &str,
    p: &Payment,
    case_id: &str,
    matched_by: &str,
) -> Result<Posted, sqlx::Error> {
    let office: String = sqlx::query_scalar("SELECT office_code FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_one(&mut **tx)
        .await?;
    let booking = format_iso_date(p.booking_date);
    let inserted = sqlx::query(
        "INSERT INTO case_payments (payment_id, case_id, amount_vnd, booking_date, matched_by, created_at, account) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (payment_id) DO NOTHING",
    )
    .bind(payment_id)
    .bind(case_id)
    .bind(p.amount_vnd.amount())
    .bind(&booking)
    .bind(matched_by)
    .bind(now_ms())
    .bind(&p.account)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if !inserted {
        return Ok(Posted {
            inserted,
            receipt: None,
        });
    }
    crate::lifecycle::perform::record_bank_collection(
        tx,
        schedule,
        case_id,
        p.amount_vnd,
        p.booking_date,
        payment_id,
    )
    .await?;
    add_case_event(
        tx,
        case_id,
        "payment_received",
        &format!("{} booked {booking} ({matched_by})", p.amount_vnd),
    )
    .await?;
    journey::set_case(tx, payment_id, case_id).await?;
    if matched_by == "payment_reference" {
        reconciliation::queue::learn_account(tx, &p.account, &office).await?;
    }
    let receipt = receipts::issue(
        tx,
        &receipts::NewReceipt {
            payment_id,
            case_id,
            amount: p.amount_vnd,
            booking_date: p.booking_date,
            payer_name: p.debtor_name.as_ref().map(|n| n.as_str()),
            replaces: None,
        },
    )
    .await?;
    let event = serde_json::json!({
        "kind": "case.payment_posted",
        "case_id": case_id,
        "office": office,
        "payment_id": payment_id,
        "amount_vnd": p.amount_vnd.amount(),
        "booking_date": booking,
        "matched_by": matched_by,
        "receipt_id": receipt.receipt_id,
        "at": rfc3339(now_ms()),
    });
    let subject = match OfficeCode::parse(&office) {
        Ok(code) => subjects::case_event(&code, case_id),
        Err(_) => format!("{}.{office}.{case_id}", subjects::CASE_PREFIX),
    };
    outbox::enqueue(
        tx,
        &format!("{case_id}.payment.{payment_id}"),
        &subject,
        Some(case_id),
        event.to_string().as_bytes(),
    )
    .await?;
    Ok(Posted {
        inserted,
        receipt: Some(receipt),
    })
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
    /// How it was matched: `payment_reference`, signals such as `judgment_number+debtor_name`,
    /// or `officer`.
    pub matched_by: String,
    /// The e-receipts issued for it, oldest first (a voided one and its replacement).
    pub receipts: Vec<ReceiptSummary>,
}

/// The payments posted on a case, oldest first, each with its receipts.
pub async fn for_case(db: &Db, case_id: &str) -> Result<Vec<CasePaymentView>, sqlx::Error> {
    let mut all = receipts::for_case(db, case_id).await?;
    sqlx::query(
        "SELECT payment_id, amount_vnd, booking_date, matched_by FROM case_payments \
         WHERE case_id = $1 ORDER BY created_at, payment_id",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let payment_id: String = r.try_get("payment_id")?;
        let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut all)
            .into_iter()
            .partition(|x| x.payment_id == payment_id);
        all = rest;
        Ok(CasePaymentView {
            payment_id,
            amount_vnd: r.try_get("amount_vnd")?,
            booking_date: r.try_get("booking_date")?,
            matched_by: r.try_get("matched_by")?,
            receipts: mine,
        })
    })
    .collect()
}

/// A payment waiting for an officer to match it (the legacy `GET /v1/reconciliation` view;
/// `GET /v1/payments/unmatched` adds candidates and needs a sign-in).
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

/// The open reconciliation queue, oldest first.
pub async fn unmatched(db: &Db) -> Result<Vec<UnmatchedView>, sqlx::Error> {
    sqlx::query(
        "SELECT payment_id, amount_vnd, booking_date, remittance, reason, created_at \
         FROM unmatched_payments WHERE state = 'open' ORDER BY created_at, payment_id",
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
