//! Delivery and read receipts VNeID posts back (`POST /v1/vneid/receipts`): one receipt or a
//! batch of `{notice_id, status, at, reason?}` with status `delivered`, `read`, `failed` or
//! `no_account`.
//!
//! A batch is taken whole or not at all: every receipt is checked first (format, known notice,
//! plausible time); a bad one rejects the batch with 422 naming each field, and the body is
//! kept for audit. An accepted body is stored as an inbound message (received → accepted →
//! handled) in the same transaction as its effects, so a repeated body changes nothing and a
//! receipt repeated in another body is recognised per notice:
//! - `delivered`: the notice is served on the Vietnam date of `at` (the date the app confirms
//!   delivery is the legal notice date), through [`notice_service::record_served`];
//! - `read`: recorded on the journey (and, when no delivery receipt came first, it proves the
//!   delivery: served on the date it was read);
//! - `failed` / `no_account`: the notice goes to the fall-back chain (e-mail, then paper).

mod parse;
mod token;

use serde::Serialize;
use thads_core::db::{Db, Tx};
use thads_core::deadlines::store::{vietnam_date, Schedule};
use thads_core::journey::{self, Direction, JourneyError, MessageState, NewMessage};
use thads_core::lifecycle::operation::NoticeChannel;
use thads_core::metrics::Metrics;
use thads_core::notice_service::{self, Notice, ServeOutcome};
use thads_core::outbox::OutboxSignal;
use thads_schemas::subjects;
use thads_schemas::validation::FieldError;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use parse::{error, field};
pub use parse::{parse, Receipt, ReceiptStatus, MAX_BATCH};
pub use token::ReceiptToken;

/// Why receipts were not taken.
#[derive(Debug, thiserror::Error)]
pub enum ReceiptError {
    /// The body is wrong; each field and why, and where the body is kept.
    #[error("invalid receipts")]
    Invalid {
        /// Each field at fault.
        errors: Vec<FieldError>,
        /// The id the rejected body is kept under.
        message_id: Option<String>,
    },
    /// The database failed.
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// What happened to one receipt.
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptOutcome {
    /// The notice.
    pub notice_id: String,
    /// The reported status.
    pub status: ReceiptStatus,
    /// `served`, `already_served`, `read`, `already_read`, `fallback`,
    /// `fallback_already_started`.
    pub outcome: &'static str,
    /// The legal notice date, once served.
    pub served_on: Option<String>,
    /// How it was served.
    pub channel: Option<String>,
}

/// The answer to a receipt body.
#[derive(Debug, Clone, Serialize)]
pub struct Accepted {
    /// The id the body is kept under (`GET /v1/messages/{id}`).
    pub message_id: String,
    /// True when the same body had been received before (nothing was done again).
    pub duplicate: bool,
    /// What happened to each receipt (empty for a duplicate body).
    pub receipts: Vec<ReceiptOutcome>,
}

fn message_id_of(body: &[u8]) -> String {
    let hash = thads_schemas::hash::content_hash(body);
    format!("rcp-{}", &hash[..24.min(hash.len())])
}

fn new_message<'a>(id: &'a str, hash: &'a str, body: &'a [u8]) -> NewMessage<'a> {
    NewMessage {
        id,
        subject: subjects::IN_VNEID_RECEIPT,
        direction: Direction::In,
        partner: "vneid",
        receipt_id: None,
        content_hash: hash,
        content_type: "application/json",
        payload: body,
        case_id: None,
        parent_id: None,
    }
}

/// Takes a receipt body: checks it, then applies every receipt in one transaction (retried
/// when a case changed under it). A rejected body is kept for audit.
pub async fn accept(
    db: &Db,
    schedule: &Schedule,
    signal: &OutboxSignal,
    metrics: &Metrics,
    body: &[u8],
    now: OffsetDateTime,
) -> Result<Accepted, ReceiptError> {
    let message_id = message_id_of(body);
    let hash = thads_schemas::hash::content_hash(body);
    let receipts = match parse(body, now) {
        Ok(r) => r,
        Err(errors) => return Err(reject(db, &message_id, &hash, body, errors).await),
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        match try_accept(db, schedule, &message_id, &hash, body, &receipts).await {
            Ok(Ok((accepted, fallbacks))) => {
                if fallbacks > 0 {
                    signal.notify();
                }
                for r in &accepted.receipts {
                    if r.outcome == "served" {
                        metrics.notice_served(r.channel.as_deref().unwrap_or("vneid"));
                    }
                }
                return Ok(accepted);
            }
            Ok(Err(errors)) => return Err(reject(db, &message_id, &hash, body, errors).await),
            Err(e) if notice_service::is_conflict(&e) && attempt < 5 => continue,
            Err(e) => return Err(ReceiptError::Sql(e)),
        }
    }
}

async fn reject(
    db: &Db,
    message_id: &str,
    hash: &str,
    body: &[u8],
    errors: Vec<FieldError>,
) -> ReceiptError {
    let reason = errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.reason))
        .collect::<Vec<_>>()
        .join("; ");
    let mut reason: String = reason.chars().take(1000).collect();
    if reason.is_empty() {
        reason = "invalid receipts".into();
    }
    match journey::record_rejected(db, &new_message(message_id, hash, body), &reason).await {
        Ok(()) => ReceiptError::Invalid {
            errors,
            message_id: Some(message_id.to_string()),
        },
        Err(e) => ReceiptError::Sql(e),
    }
}

type Applied = Result<(Accepted, usize), Vec<FieldError>>;

async fn try_accept(
    db: &Db,
    schedule: &Schedule,
    message_id: &str,
    hash: &str,
    body: &[u8],
    receipts: &[(String, Receipt)],
) -> Result<Applied, sqlx::Error> {
    let mut tx = db.begin().await?;
    // Every notice must exist, and no receipt may predate its notice.
    let mut notices = Vec::with_capacity(receipts.len());
    let mut errors = Vec::new();
    for (prefix, r) in receipts {
        match notice_service::load_notice(&mut tx, &r.notice_id).await? {
            Some(n) => {
                if vietnam_date(r.at) < n.emitted_on() {
                    errors.push(error(
                        field(prefix, "at"),
                        format!("is before the notice was issued ({})", n.emitted_on()),
                    ));
                }
                notices.push(n);
            }
            None => errors.push(error(
                field(prefix, "notice_id"),
                "no notice with this id was sent to VNeID",
            )),
        }
    }
    if !errors.is_empty() {
        tx.rollback().await?;
        return Ok(Err(errors));
    }
    let inserted = journey::insert(
        &mut tx,
        &new_message(message_id, hash, body),
        MessageState::Received,
        Some("receipts from VNeID"),
    )
    .await?;
    if !inserted {
        tx.rollback().await?;
        return Ok(Ok((
            Accepted {
                message_id: message_id.to_string(),
                duplicate: true,
                receipts: Vec::new(),
            },
            0,
        )));
    }
    journey::advance(
        &mut tx,
        message_id,
        MessageState::Accepted,
        Some("authenticated and valid"),
    )
    .await?;
    let mut outcomes = Vec::with_capacity(receipts.len());
    let mut fallbacks = 0;
    for ((_, receipt), notice) in receipts.iter().zip(&notices) {
        let outcome = apply(&mut tx, schedule, notice, receipt).await?;
        if outcome.outcome == "fallback" {
            fallbacks += 1;
        }
        outcomes.push(outcome);
    }
    if let Some(first) = notices.first() {
        journey::set_case(&mut tx, message_id, &first.case_id).await?;
    }
    journey::advance(
        &mut tx,
        message_id,
        MessageState::Handled,
        Some(&format!("{} receipt(s) applied", outcomes.len())),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok((
        Accepted {
            message_id: message_id.to_string(),
            duplicate: false,
            receipts: outcomes,
        },
        fallbacks,
    )))
}

async fn step(
    tx: &mut Tx<'_>,
    id: &str,
    state: MessageState,
    detail: &str,
) -> Result<bool, sqlx::Error> {
    match journey::advance(tx, id, state, Some(detail)).await {
        Ok(()) => Ok(true),
        Err(JourneyError::NotFound(_)) => Ok(false),
        Err(JourneyError::IllegalTransition { .. }) => {
            notice_service::note(tx, id, detail).await?;
            Ok(false)
        }
        Err(JourneyError::Sql(e)) => Err(e),
    }
}

async fn apply(
    tx: &mut Tx<'_>,
    schedule: &Schedule,
    notice: &Notice,
    receipt: &Receipt,
) -> Result<ReceiptOutcome, sqlx::Error> {
    let at = receipt
        .at
        .format(&Rfc3339)
        .unwrap_or_else(|_| receipt.at.to_string());
    let on = vietnam_date(receipt.at);
    let outcome = |outcome: &'static str, served: Option<(String, String)>| {
        let (channel, served_on) = served.unzip();
        ReceiptOutcome {
            notice_id: notice.notice_id.clone(),
            status: receipt.status,
            outcome,
            served_on,
            channel,
        }
    };
    match receipt.status {
        ReceiptStatus::Delivered | ReceiptStatus::Read => {
            let detail = if receipt.status == ReceiptStatus::Delivered {
                format!("VNeID confirmed delivery at {at}")
            } else {
                format!("VNeID reported it read at {at}, which proves delivery")
            };
            let served = notice_service::record_served(
                tx,
                schedule,
                notice,
                on,
                NoticeChannel::Vneid,
                "system:vneid",
                &detail,
            )
            .await?;
            let (first, record) = match served {
                ServeOutcome::Served(_) => (
                    true,
                    (
                        notice_service::channel_name(NoticeChannel::Vneid).to_string(),
                        on.to_string(),
                    ),
                ),
                ServeOutcome::AlreadyServed(s) => {
                    if receipt.status == ReceiptStatus::Delivered {
                        notice_service::note(
                            tx,
                            &notice.notice_id,
                            &format!(
                                "VNeID confirmed delivery at {at}; already served via {} on {}",
                                s.channel, s.served_on
                            ),
                        )
                        .await?;
                    }
                    (false, (s.channel, s.served_on))
                }
            };
            if receipt.status == ReceiptStatus::Delivered {
                return Ok(outcome(
                    if first { "served" } else { "already_served" },
                    Some(record),
                ));
            }
            let state: Option<String> =
                sqlx::query_scalar("SELECT state FROM messages WHERE id = $1")
                    .bind(&notice.notice_id)
                    .fetch_optional(&mut **tx)
                    .await?;
            if state.as_deref() == Some(MessageState::Read.as_str()) {
                return Ok(outcome("already_read", Some(record)));
            }
            step(
                tx,
                &notice.notice_id,
                MessageState::Read,
                &format!("the citizen opened it in VNeID at {at}"),
            )
            .await?;
            Ok(outcome(if first { "served" } else { "read" }, Some(record)))
        }
        ReceiptStatus::Failed | ReceiptStatus::NoAccount => {
            if let Some(s) = notice_service::served(tx, &notice.notice_id).await? {
                notice_service::note(
                    tx,
                    &notice.notice_id,
                    &format!(
                        "VNeID reported a failure at {at}; already served via {} on {}",
                        s.channel, s.served_on
                    ),
                )
                .await?;
                return Ok(outcome("already_served", Some((s.channel, s.served_on))));
            }
            let what = if receipt.status == ReceiptStatus::NoAccount {
                "no VNeID account".to_string()
            } else {
                match &receipt.reason {
                    Some(r) => format!("VNeID could not deliver it ({r})"),
                    None => "VNeID could not deliver it".to_string(),
                }
            };
            step(
                tx,
                &notice.notice_id,
                MessageState::Failed,
                &format!("VNeID reported at {at}: {what}"),
            )
            .await?;
            let started = notice_service::start_fallback(tx, notice, &what).await?;
            Ok(outcome(
                if started {
                    "fallback"
                } else {
                    "fallback_already_started"
                },
                None,
            ))
        }
    }
}

#[cfg(test)]
mod tests;
