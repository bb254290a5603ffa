//! Accepting a camt.054 notification: the original bytes are kept as one inbound message, and
//! each booked credit becomes its own `in.bank.payment` message, keyed by bank and entry
//! reference so a notification (or an entry) seen twice is recorded once. All of it commits in
//! one transaction before the bank gets its 2xx. Entry-level errors are reported back without
//! rejecting the rest of the file.

use serde::Serialize;
use sha2::{Digest, Sha256};
use thads_core::db::Db;
use thads_core::journey::{self, Direction, MessageState, NewMessage};
use thads_core::outbox::{self, OutboxSignal};
use thads_schemas::subjects;
use thads_schemas::validation::FieldError;

use thads_core::partners::accounts::first_not_held;

use crate::camt054::{parse_camt054, EntryError};

/// What the bank is told.
#[derive(Debug, Clone, Serialize)]
pub struct BankAcceptance {
    /// The id the notification's bytes are kept under.
    pub message_id: String,
    /// One line per booked credit.
    pub payments: Vec<AcceptedPayment>,
    /// Entries that are not payments (debits, pending, reversals).
    pub skipped: usize,
    /// Entries in error; the bank should correct and resend those.
    pub entry_errors: Vec<EntryError>,
}

/// One payment of the notification.
#[derive(Debug, Clone, Serialize)]
pub struct AcceptedPayment {
    /// The payment's message id (`GET /v1/messages/{id}`).
    pub payment_id: String,
    /// The bank's entry reference.
    pub entry_ref: String,
    /// `true` when this payment had already been recorded.
    pub duplicate: bool,
}

/// Why a notification was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum BankIntakeError {
    /// The document as a whole is unusable; kept for audit under `message_id`.
    #[error("the notification was rejected: {reason}")]
    Rejected {
        /// Where the rejected bytes are kept.
        message_id: String,
        /// Field errors to report.
        errors: Vec<FieldError>,
        /// Summary.
        reason: String,
    },
    /// The sending bank (identified by its client certificate) does not hold an account the
    /// notification is about; nothing was recorded, the bytes were kept under `message_id`.
    #[error("account {account} is not held by {partner}")]
    NotHolder {
        /// Where the refused bytes are kept.
        message_id: String,
        /// The first account the bank does not hold, as the notification writes it.
        account: String,
        /// The sending bank (`bank:<code>`).
        partner: String,
    },
    /// The store failed; nothing was accepted.
    #[error("storage unavailable: {0}")]
    Storage(#[from] sqlx::Error),
}

/// The bank a notification came from, identified by its client certificate (the partner TLS
/// listener), with the THADS accounts the registry says it holds.
#[derive(Debug, Clone)]
pub struct BankSender {
    /// `bank:<code>`.
    pub partner_id: String,
    /// Its accounts, as `thads_core::partners::accounts` spells them.
    pub accounts: Vec<String>,
}

impl From<journey::JourneyError> for BankIntakeError {
    fn from(e: journey::JourneyError) -> Self {
        Self::Storage(e.into())
    }
}

fn hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Validates and durably accepts one notification from a bank not identified otherwise (the
/// plain listener, the inbox folder).
pub async fn accept_notification(
    db: &Db,
    signal: &OutboxSignal,
    bytes: &[u8],
) -> Result<BankAcceptance, BankIntakeError> {
    accept_notification_from(db, signal, bytes, None).await
}

/// Validates and durably accepts one notification; from a `sender` identified by its
/// certificate, only when every account it covers is one the sender holds.
pub async fn accept_notification_from(
    db: &Db,
    signal: &OutboxSignal,
    bytes: &[u8],
    sender: Option<&BankSender>,
) -> Result<BankAcceptance, BankIntakeError> {
    let content_hash = hash(bytes);
    let known = sender.map_or("bank:unknown", |s| s.partner_id.as_str());
    let notification = match parse_camt054(bytes) {
        Ok(n) => n,
        Err(e) => return Err(reject(db, bytes, &content_hash, known, e.to_string()).await),
    };
    if let Some(sender) = sender {
        let accounts = notification
            .payments
            .iter()
            .map(|p| p.account.as_str())
            .chain(notification.skipped.iter().map(|s| s.account.as_str()));
        if let Some(account) = first_not_held(&sender.accounts, accounts) {
            let reason = format!(
                "account {account} is not held by {}: a bank confirms payments only into the \
                 THADS accounts it holds",
                sender.partner_id
            );
            return Err(
                match reject(db, bytes, &content_hash, known, reason).await {
                    BankIntakeError::Rejected { message_id, .. } => BankIntakeError::NotHolder {
                        message_id,
                        account: account.to_string(),
                        partner: sender.partner_id.clone(),
                    },
                    other => other,
                },
            );
        }
    }
    let message_id = format!("bnk-{}", &content_hash[..24]);
    let partner = match sender {
        Some(s) => s.partner_id.clone(),
        None => notification
            .payments
            .first()
            .map(|p| format!("bank:{}", p.bank.as_deref().unwrap_or(&p.account)))
            .unwrap_or_else(|| "bank:unknown".to_string()),
    };
    let mut tx = db.begin().await?;
    let new_notification = journey::insert(
        &mut tx,
        &NewMessage {
            id: &message_id,
            subject: subjects::IN_BANK_PAYMENT,
            direction: Direction::In,
            partner: &partner,
            receipt_id: None,
            content_hash: &content_hash,
            content_type: "application/xml",
            payload: bytes,
            case_id: None,
            parent_id: None,
        },
        MessageState::Received,
        Some("camt.054 notification received from the bank"),
    )
    .await?;
    if new_notification {
        let detail = format!(
            "{} payment(s), {} skipped entr(ies), {} entry error(s)",
            notification.payments.len(),
            notification.skipped.len(),
            notification.errors.len()
        );
        journey::advance(&mut tx, &message_id, MessageState::Accepted, Some(&detail)).await?;
        journey::advance(
            &mut tx,
            &message_id,
            MessageState::Handled,
            Some("split into payments"),
        )
        .await?;
    }
    let mut payments = Vec::with_capacity(notification.payments.len());
    for p in &notification.payments {
        let payment_id = format!("pay-{}", &hash(p.idempotency_key().as_bytes())[..24]);
        let payload = serde_json::to_vec(p).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let inserted = journey::insert(
            &mut tx,
            &NewMessage {
                id: &payment_id,
                subject: subjects::IN_BANK_PAYMENT,
                direction: Direction::In,
                partner: &partner,
                receipt_id: None,
                content_hash: &hash(&payload),
                content_type: "application/json",
                payload: &payload,
                case_id: None,
                parent_id: Some(&message_id),
            },
            MessageState::Received,
            Some("booked credit read from the notification"),
        )
        .await?;
        if inserted {
            journey::advance(
                &mut tx,
                &payment_id,
                MessageState::Accepted,
                Some("queued for posting to a case"),
            )
            .await?;
            outbox::enqueue(
                &mut tx,
                &payment_id,
                subjects::IN_BANK_PAYMENT,
                order_key(p).as_deref(),
                &payload,
            )
            .await?;
        }
        payments.push(AcceptedPayment {
            payment_id,
            entry_ref: p.entry_ref.clone(),
            duplicate: !inserted,
        });
    }
    tx.commit().await?;
    signal.notify();
    Ok(BankAcceptance {
        message_id,
        payments,
        skipped: notification.skipped.len(),
        entry_errors: notification.errors,
    })
}

async fn reject(
    db: &Db,
    bytes: &[u8],
    content_hash: &str,
    partner: &str,
    reason: String,
) -> BankIntakeError {
    let message_id = format!("rej-{}", uuid::Uuid::now_v7().simple());
    let msg = NewMessage {
        id: &message_id,
        subject: subjects::IN_BANK_PAYMENT,
        direction: Direction::In,
        partner,
        receipt_id: None,
        content_hash,
        content_type: "application/xml",
        payload: bytes,
        case_id: None,
        parent_id: None,
    };
    if let Err(e) = journey::record_rejected(db, &msg, &reason).await {
        return BankIntakeError::Storage(e);
    }
    BankIntakeError::Rejected {
        message_id,
        errors: vec![FieldError {
            field: "body".to_string(),
            reason: reason.clone(),
        }],
        reason,
    }
}

/// The order key of a payment: the first case payment reference in its memo, so the payments
/// of one case are posted in the order the banks notified them, whichever hub posts them; else
/// the payer's account; else none (the payment id decides its partition).
fn order_key(p: &thads_schemas::bank::Payment) -> Option<String> {
    thads_core::cases::payments::references_in(&p.remittance)
        .into_iter()
        .next()
        .or_else(|| p.debtor_account.clone())
}
