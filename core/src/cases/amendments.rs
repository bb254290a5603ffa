//! Corrections (đính chính) and annulments (hủy) of an earlier court document. A court sends
//! them as documents of their own that name the earlier one (`Amends`); the hub finds the
//! case the earlier document opened and acts:
//!
//! - a correction before the decision to enforce replaces the case's judgment data, parties
//!   and obligations; after it, the case keeps its data and the officer is told to review
//!   (the decision may have to be amended);
//! - an annulment terminates the case (đình chỉ, Art. 50(1)) when its state allows, else the
//!   case history records it for the head;
//! - a partial annulment is recorded for the officer, who decides which obligations stop.
//!
//! Every amendment is kept in `judgment_amendments` with what was done.

use sqlx::Row;
use thads_schemas::court::{Amendment, AmendmentKind, Judgment};

use super::intake::{add_case_event, JudgmentAccepted};
use super::judgment_rows::replace_judgment_data;
use crate::db::{now_ms, Tx};
use crate::deadlines::store::Schedule;
use crate::lifecycle::perform::perform_as_system;
use crate::lifecycle::{Command, Operation};
use crate::worker::HandleError;

/// The ground cited when an annulment terminates a case.
pub const ANNULMENT_GROUND: &str =
    "Bản án, quyết định bị hủy (Điều 50 khoản 1 Luật Thi hành án dân sự)";

/// What the hub did with an amending document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The case it changed, if one was found.
    pub case_id: Option<String>,
    /// What was done, for the message's journey and the register.
    pub outcome: String,
}

/// Applies `amendment` carried by `accepted`. `None` means the document must open a case of
/// its own: a correction whose earlier document the hub never received is a full judgment.
pub async fn apply(
    tx: &mut Tx<'_>,
    accepted: &JudgmentAccepted,
    amendment: &Amendment,
    schedule: &Schedule,
    today: time::Date,
) -> Result<Option<Applied>, HandleError> {
    let j = &accepted.judgment;
    let earlier_key = Judgment::key_of(&j.court.code, &amendment.document_id);
    let earlier = sqlx::query(
        "SELECT id, state FROM cases WHERE judgment_key = $1 \
         ORDER BY CASE WHEN office_code = $2 THEN 0 ELSE 1 END, id LIMIT 1",
    )
    .bind(&earlier_key)
    .bind(j.office.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = earlier else {
        if amendment.kind == AmendmentKind::Correction {
            return Ok(None);
        }
        let outcome = format!(
            "no case holds document {}; nothing to {}",
            amendment.document_id,
            amendment.kind.as_str().replace('_', " ")
        );
        record(tx, accepted, amendment, None, &outcome).await?;
        return Ok(Some(Applied {
            case_id: None,
            outcome,
        }));
    };
    let case_id: String = row.try_get("id")?;
    let state: String = row.try_get("state")?;
    let reason = amendment.reason.as_deref().unwrap_or("");
    let outcome = match amendment.kind {
        AmendmentKind::Correction if matches!(state.as_str(), "received" | "registered") => {
            replace_judgment_data(tx, &case_id, j).await?;
            add_case_event(
                tx,
                &case_id,
                "judgment_corrected",
                &format!("by {} ({}) {reason}", j.document_id, j.judgment_number),
            )
            .await?;
            format!("case {case_id} corrected")
        }
        AmendmentKind::Correction => {
            add_case_event(
                tx,
                &case_id,
                "judgment_correction_received",
                &format!(
                    "{} corrects the judgment after the decision to enforce (state {state}): \
                     review the decision; the case's data was not changed. {reason}",
                    j.document_id
                ),
            )
            .await?;
            format!("case {case_id} is past its decision; correction recorded for review")
        }
        AmendmentKind::Annulment => {
            let command = Command {
                operation: Operation::Terminate {
                    ground: ANNULMENT_GROUND.to_string(),
                },
                effective_on: Some(today),
                request_id: Some(format!("annulment:{}", accepted.message_id)),
                reason: Some(format!("{} {reason}", j.judgment_number)),
                documents: Vec::new(),
            };
            let source = format!("court:{}", j.court.code);
            match perform_as_system(tx, schedule, &case_id, &source, &command, today).await? {
                Some(done) => format!(
                    "case {case_id} terminated ({} -> terminated)",
                    done.from_state
                ),
                None => {
                    add_case_event(
                        tx,
                        &case_id,
                        "judgment_annulled",
                        &format!(
                            "annulled by {} while the case is {state}; not terminated automatically",
                            j.document_id
                        ),
                    )
                    .await?;
                    format!("case {case_id} is {state}; annulment recorded")
                }
            }
        }
        AmendmentKind::PartialAnnulment => {
            add_case_event(
                tx,
                &case_id,
                "judgment_partially_annulled",
                &format!(
                    "{} annuls part of the judgment: decide which obligations stop. {reason}",
                    j.document_id
                ),
            )
            .await?;
            format!("case {case_id}: partial annulment recorded for the officer")
        }
    };
    record(tx, accepted, amendment, Some(&case_id), &outcome).await?;
    Ok(Some(Applied {
        case_id: Some(case_id),
        outcome,
    }))
}

/// Keeps the amendment and its outcome (once per message).
async fn record(
    tx: &mut Tx<'_>,
    accepted: &JudgmentAccepted,
    amendment: &Amendment,
    case_id: Option<&str>,
    outcome: &str,
) -> Result<(), sqlx::Error> {
    let j = &accepted.judgment;
    sqlx::query(
        "INSERT INTO judgment_amendments (message_id, court_code, document_id, amends_document_id, \
         kind, reason, case_id, outcome, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (message_id) DO NOTHING",
    )
    .bind(&accepted.message_id)
    .bind(&j.court.code)
    .bind(&j.document_id)
    .bind(&amendment.document_id)
    .bind(amendment.kind.as_str())
    .bind(amendment.reason.as_deref())
    .bind(case_id)
    .bind(outcome)
    .bind(now_ms())
    .execute(&mut **tx)
    .await
    .map(|_| ())
}
