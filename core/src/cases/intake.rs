//! The case-intake handler: consumes `in.court.judgment`, opens one case per judgment and
//! office (idempotent on the judgment's key), stores parties and obligations, and emits an
//! `out.vneid.notify` command for each party with a CCCD, all in one transaction with the inbox
//! record and the outbox rows.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thads_schemas::court::judgment::{DocumentKind, Judgment, Party};
use thads_schemas::notice::{NoticeCommand, NoticeKind, Recipient};
use thads_schemas::subjects;

use super::judgment_rows::{initiation_of, store_obligations, store_parties, total_amount};
use super::{amendments, case_id_for, from_extraction, notice_text, payment_reference_for};
use crate::bus::{ConsumerSpec, Delivery};
use crate::db::{now_ms, rfc3339, Db, Tx};
use crate::deadlines::{self, store::Schedule, Step};
use crate::inbox;
use crate::journey::{self, MessageState};
use crate::outbox::{self, OutboxSignal};
use crate::registers::{self, Book};
use crate::worker::{HandleError, Handler};

/// The durable consumer name of this handler.
pub const CONSUMER: &str = "case-intake";

/// The canonical message on `in.court.judgment`: a validated judgment and how it was received.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct JudgmentAccepted {
    /// The hub's message id (derived from the court and its document id).
    pub message_id: String,
    /// The receipt id given to the court.
    pub receipt_id: String,
    /// When the hub accepted it (RFC 3339).
    pub received_at: String,
    /// The judgment itself.
    pub judgment: Judgment,
}

/// Opens cases from accepted judgments.
pub struct CaseIntake {
    db: Db,
    signal: OutboxSignal,
    ack_wait: Duration,
    schedule: Schedule,
}

impl CaseIntake {
    /// A handler writing to `db`, waking the outbox relay through `signal`, and setting
    /// deadlines with `schedule`.
    pub fn new(db: Db, signal: OutboxSignal, ack_wait: Duration, schedule: Schedule) -> Arc<Self> {
        Arc::new(Self {
            db,
            signal,
            ack_wait,
            schedule,
        })
    }
}

#[async_trait]
impl Handler for CaseIntake {
    fn consumer(&self) -> ConsumerSpec {
        ConsumerSpec {
            name: CONSUMER.to_string(),
            filter: subjects::IN_COURT_JUDGMENT.to_string(),
            ack_wait: self.ack_wait,
        }
    }

    async fn handle(&self, delivery: &Delivery) -> Result<(), HandleError> {
        let accepted: JudgmentAccepted = serde_json::from_slice(&delivery.payload)
            .map_err(|e| HandleError::Permanent(format!("not a judgment message: {e}")))?;
        let mut tx = self.db.begin().await?;
        if !inbox::claim(&mut tx, CONSUMER, delivery.journey_id()).await? {
            tx.rollback().await?;
            return Ok(());
        }
        if let Some(amendment) = &accepted.judgment.amends {
            let today = received_date(&accepted.received_at)?;
            if let Some(applied) =
                amendments::apply(&mut tx, &accepted, amendment, &self.schedule, today).await?
            {
                finish_journey(
                    &mut tx,
                    &accepted.message_id,
                    applied.case_id.as_deref(),
                    &applied.outcome,
                )
                .await?;
                tx.commit().await?;
                self.signal.notify();
                tracing::info!(msg_id = %delivery.journey_id(), outcome = %applied.outcome, "court amendment applied");
                return Ok(());
            }
        }
        let case_id = open_case(&mut tx, &accepted, &self.schedule).await?;
        tx.commit().await?;
        self.signal.notify();
        tracing::info!(case_id = %case_id, msg_id = %delivery.journey_id(), "case opened from a court judgment");
        Ok(())
    }
}

/// The legal day a judgment was received: its receipt time's date in Vietnam.
fn received_date(received_at: &str) -> Result<time::Date, HandleError> {
    let received =
        time::OffsetDateTime::parse(received_at, &time::format_description::well_known::Rfc3339)
            .map_err(|e| HandleError::Permanent(format!("received_at is not RFC 3339: {e}")))?;
    Ok(deadlines::store::vietnam_date(received))
}

/// Writes the case, its parties, obligations, events and notices; returns the case id.
async fn open_case(
    tx: &mut Tx<'_>,
    accepted: &JudgmentAccepted,
    schedule: &Schedule,
) -> Result<String, HandleError> {
    let j = &accepted.judgment;
    let key = j.stable_key();
    let office = j.office.as_str();
    let case_id = case_id_for(&key, office);
    let reference = payment_reference_for(&case_id);
    let now = now_ms();
    let received_on = received_date(&accepted.received_at)?;
    let amount = total_amount(j);
    let inserted = sqlx::query(
        "INSERT INTO cases (id, office_code, judgment_key, source_message, court_code, court_name, \
         judgment_number, judgment_date, effective_date, state, operative_text, payment_reference, \
         created_at, updated_at, initiation, judgment_kind, received_on, amount_vnd, document_kind) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'received', $10, $11, $12, $12, $13, $14, $15, $16, $17) \
         ON CONFLICT (judgment_key, office_code) DO NOTHING",
    )
    .bind(&case_id)
    .bind(office)
    .bind(&key)
    .bind(&accepted.message_id)
    .bind(&j.court.code)
    .bind(&j.court.name)
    .bind(&j.judgment_number)
    .bind(j.judgment_date.to_string())
    .bind(j.effective_date.to_string())
    .bind(j.operative_text.as_deref())
    .bind(&reference)
    .bind(now)
    .bind(initiation_of(j))
    .bind(j.kind().as_str())
    .bind(received_on.to_string())
    .bind(amount)
    .bind(j.document_kind.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if inserted {
        store_parties(tx, &case_id, j).await?;
        store_obligations(tx, &case_id, j).await?;
        add_case_event(
            tx,
            &case_id,
            "opened",
            &format!("from judgment {}", j.judgment_number),
        )
        .await?;
        if let Some(a) = &j.amends {
            add_case_event(
                tx,
                &case_id,
                "opened_from_correction",
                &format!(
                    "corrects document {}, which the hub never received",
                    a.document_id
                ),
            )
            .await?;
        }
        if j.is_text_only() {
            from_extraction::propose_for_text_only(tx, &case_id, j).await?;
        }
        let entry = registers::enter(
            tx,
            Book::JudgmentReceipt,
            office,
            received_on,
            &case_id,
            &format!("{} — {}", j.judgment_number, j.court.name),
        )
        .await?;
        add_case_event(
            tx,
            &case_id,
            "entered",
            &format!("{} số {}", Book::JudgmentReceipt.title_vi(), entry.label()),
        )
        .await?;
        let step = if j.document_kind == DocumentKind::InterimMeasure {
            Step::DecisionInterimMeasure
        } else {
            Step::DecisionExOfficio
        };
        set_decision_deadline(tx, schedule, &case_id, step, received_on).await?;
        crate::requests::link_waiting(
            tx,
            schedule,
            &case_id,
            office,
            &j.court.code,
            &j.judgment_number,
        )
        .await?;
        for party in j.parties.iter().filter(|p| p.cccd.is_some()) {
            emit_notice(tx, accepted, party, &case_id, &reference).await?;
        }
        let event = serde_json::json!({
            "kind": "case.opened",
            "case_id": case_id,
            "office": office,
            "judgment_message": accepted.message_id,
            "at": rfc3339(now),
        });
        outbox::enqueue(
            tx,
            &format!("{case_id}.opened"),
            &subjects::case_event(&j.office, &case_id),
            Some(&case_id),
            event.to_string().as_bytes(),
        )
        .await?;
        crate::evidence::emit(
            tx,
            &crate::evidence::NewEvidence::case_opened(
                &j.court.code,
                &j.document_id,
                &accepted.message_id,
                &case_id,
            ),
        )
        .await?;
    }
    let detail = if inserted {
        format!("case {case_id} opened")
    } else {
        format!("case {case_id} already open for this judgment")
    };
    finish_journey(tx, &accepted.message_id, Some(&case_id), &detail).await?;
    Ok(case_id)
}

/// Links the judgment's message to its case and marks it handled.
async fn finish_journey(
    tx: &mut Tx<'_>,
    message_id: &str,
    case_id: Option<&str>,
    detail: &str,
) -> Result<(), HandleError> {
    if let Some(case_id) = case_id {
        journey::set_case(tx, message_id, case_id).await?;
    }
    match journey::advance(tx, message_id, MessageState::Handled, Some(detail)).await {
        Ok(()) | Err(journey::JourneyError::NotFound(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The decision to enforce ex officio is due a number of working days after the judgment was
/// received, or within 24 hours for an interim measure (Art. 36(1) of the 2008 law); the
/// regime follows the day it was received.
async fn set_decision_deadline(
    tx: &mut Tx<'_>,
    schedule: &Schedule,
    case_id: &str,
    step: Step,
    start: time::Date,
) -> Result<(), HandleError> {
    match deadlines::store::set(tx, schedule, case_id, step, start).await? {
        Ok(due) => {
            add_case_event(
                tx,
                case_id,
                "deadline_set",
                &format!("{} due {due}", step.as_str()),
            )
            .await?;
        }
        Err(e) => {
            add_case_event(
                tx,
                case_id,
                "deadline_unknown",
                &format!("{}: {e}", step.as_str()),
            )
            .await?;
        }
    }
    Ok(())
}

/// Appends a case event (the case's own history), and the same event to the audit trail as
/// the hub's own act.
pub async fn add_case_event(
    tx: &mut Tx<'_>,
    case_id: &str,
    kind: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    add_case_event_by(tx, case_id, kind, detail, crate::audit::append::HUB).await
}

/// Appends a case event done by `actor` (a staff username), with the actor in the audit trail.
pub async fn add_case_event_by(
    tx: &mut Tx<'_>,
    case_id: &str,
    kind: &str,
    detail: &str,
    actor: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO case_events (case_id, kind, at, detail) VALUES ($1, $2, $3, $4)")
        .bind(case_id)
        .bind(kind)
        .bind(now_ms())
        .bind(detail)
        .execute(&mut **tx)
        .await?;
    crate::audit::record(
        tx,
        &crate::audit::Act {
            actor,
            action: &format!("case.{kind}"),
            subject: case_id,
            detail,
            content_hash: None,
        },
    )
    .await
}

async fn emit_notice(
    tx: &mut Tx<'_>,
    accepted: &JudgmentAccepted,
    party: &Party,
    case_id: &str,
    reference: &str,
) -> Result<(), HandleError> {
    let Some(cccd) = party.cccd.clone() else {
        return Ok(());
    };
    let j = &accepted.judgment;
    let notice_id = notice_id_for(case_id, &party.id, "case_opened");
    let owes_money = j
        .obligations
        .iter()
        .any(|o| o.debtor == party.id && o.amount.is_some());
    let command = NoticeCommand {
        notice_id: notice_id.clone(),
        case_id: case_id.to_string(),
        office: j.office.clone(),
        kind: NoticeKind::CaseOpened,
        recipient: Recipient {
            party_ref: party.id.clone(),
            cccd,
            name: party.name.clone(),
        },
        title: notice_text::CASE_OPENED_TITLE.to_string(),
        body: notice_text::case_opened_body(j, party, case_id, reference),
        payment_reference: owes_money.then(|| reference.to_string()),
        issued_at: rfc3339(now_ms()),
    };
    crate::lifecycle::notices::queue(
        tx,
        &command,
        Some(&accepted.message_id),
        "notice of the opened case queued for VNeID",
    )
    .await?;
    Ok(())
}

/// The id of a notice: one per case, party and kind, so a redelivery cannot send a second.
pub fn notice_id_for(case_id: &str, party_ref: &str, kind: &str) -> String {
    let digest = Sha256::digest(format!("{case_id}\n{party_ref}\n{kind}").as_bytes());
    format!("ntc-{}", &hex::encode(digest)[..24])
}
