//! Storage of the decision workflow: the case fields it reads, stored drafts, state moves,
//! the audit trail, and the report to the court.

use super::content::DecisionContent;
use super::keys;
use super::{DecisionError, DraftKind, DraftState};
use crate::cases::intake::add_case_event;
use crate::db::{now_ms, rfc3339, Db, Tx};
use crate::journey::{self, Direction, MessageState, NewMessage};
use crate::outbox;
use crate::staff::Actor;
use sqlx::Row;
use thads_schemas::office::OfficeCode;
use thads_schemas::subjects;

/// The case fields the workflow needs.
pub(super) struct CaseInfo {
    pub(super) office: OfficeCode,
    pub(super) state: String,
    pub(super) officer: Option<String>,
    pub(super) decision_number: Option<String>,
    pub(super) court_code: String,
    pub(super) court_name: String,
    pub(super) judgment_number: String,
    pub(super) judgment_date: String,
}

/// A stored draft without its documents.
pub(super) struct Stored {
    pub(super) id: String,
    pub(super) case_id: String,
    pub(super) office: OfficeCode,
    pub(super) kind: DraftKind,
    pub(super) request_id: String,
    pub(super) state: DraftState,
    pub(super) content: DecisionContent,
    pub(super) rejection_reason: Option<String>,
    pub(super) number: Option<String>,
    pub(super) issued_on: Option<String>,
    pub(super) pdf_sha256: Option<String>,
    pub(super) signature: Option<String>,
    pub(super) signer: Option<String>,
    pub(super) signer_key_id: Option<String>,
    pub(super) signed_at: Option<i64>,
    pub(super) issued_pdf_sha256: Option<String>,
    pub(super) created_by: String,
    pub(super) version: i64,
    pub(super) created_at: i64,
    pub(super) updated_at: i64,
}

pub(super) async fn move_state(
    tx: &mut Tx<'_>,
    stored: &Stored,
    to: DraftState,
    reason: Option<&str>,
) -> Result<(), DecisionError> {
    let updated = sqlx::query(
        "UPDATE decision_drafts SET state = $3, rejection_reason = COALESCE($4, rejection_reason), \
         version = version + 1, updated_at = $5 WHERE id = $1 AND version = $2",
    )
    .bind(&stored.id)
    .bind(stored.version)
    .bind(to.as_str())
    .bind(reason)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if updated == 1 {
        Ok(())
    } else {
        Err(changed_meanwhile())
    }
}

/// Writes the history row and the case event of a step.
pub(super) async fn audit(
    tx: &mut Tx<'_>,
    (draft_id, case_id): (&str, &str),
    action: &str,
    (from, to): (Option<DraftState>, DraftState),
    actor: &Actor,
    reason: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO decision_draft_history (draft_id, case_id, action, from_state, to_state, \
         actor, actor_role, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(draft_id)
    .bind(case_id)
    .bind(action)
    .bind(from.map(DraftState::as_str))
    .bind(to.as_str())
    .bind(&actor.username)
    .bind(actor.role.as_str())
    .bind(reason)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    let mut detail = format!(
        "decision draft {draft_id} {action} by {} ({})",
        actor.username, actor.role
    );
    if let Some(r) = reason {
        detail.push_str(": ");
        detail.push_str(r);
    }
    add_case_event(tx, case_id, &format!("decision_{action}"), &detail).await
}

/// Queues the report of an issued decision to the court that gave the judgment, as a message
/// on `out.court.report` with `"kind": "decision_issued"`.
pub(super) async fn report_to_court(
    tx: &mut Tx<'_>,
    stored: &Stored,
    case: &CaseInfo,
    number: &str,
    issued_on: &str,
    issued_sha: &str,
) -> Result<(), sqlx::Error> {
    let report_id = format!(
        "rpt-{}",
        &keys::sha256_hex(format!("decision_issued\n{}", stored.id).as_bytes())[..24]
    );
    let payload = serde_json::json!({
        "kind": "decision_issued",
        "report_id": report_id,
        "court_code": case.court_code,
        "court_name": case.court_name,
        "judgment_number": case.judgment_number,
        "judgment_date": case.judgment_date,
        "office": case.office.as_str(),
        "case_id": stored.case_id,
        "decision_number": number,
        "decision_date": issued_on,
        "decision_kind": stored.kind.as_str(),
        "document_sha256": issued_sha,
        "signed_pdf_sha256": stored.pdf_sha256,
        "signer_key_id": stored.signer_key_id,
        "at": rfc3339(now_ms()),
    })
    .to_string();
    let hash = thads_schemas::hash::content_hash(payload.as_bytes());
    let partner = format!("court:{}", case.court_code);
    let inserted = journey::insert(
        tx,
        &NewMessage {
            id: &report_id,
            subject: subjects::OUT_COURT_REPORT,
            direction: Direction::Out,
            partner: &partner,
            receipt_id: None,
            content_hash: &hash,
            content_type: "application/json",
            payload: payload.as_bytes(),
            case_id: Some(&stored.case_id),
            parent_id: None,
        },
        MessageState::Emitted,
        Some("decision report queued for the court"),
    )
    .await?;
    if inserted {
        outbox::enqueue(
            tx,
            &report_id,
            subjects::OUT_COURT_REPORT,
            Some(&stored.case_id),
            payload.as_bytes(),
        )
        .await?;
        add_case_event(
            tx,
            &stored.case_id,
            "court_report_queued",
            &format!("decision {number} reported to court {}", case.court_code),
        )
        .await?;
    }
    Ok(())
}

pub(super) async fn load_case(
    tx: &mut Tx<'_>,
    case_id: &str,
) -> Result<Option<CaseInfo>, DecisionError> {
    let Some(r) = sqlx::query(
        "SELECT office_code, state, officer, decision_number, court_code, court_name, \
         judgment_number, judgment_date FROM cases WHERE id = $1",
    )
    .bind(case_id)
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    let office: String = r.try_get("office_code")?;
    Ok(Some(CaseInfo {
        office: OfficeCode::parse(&office).map_err(|_| {
            sqlx::Error::Decode(
                format!("case {case_id}: stored office {office:?} is not valid").into(),
            )
        })?,
        state: r.try_get("state")?,
        officer: r.try_get("officer")?,
        decision_number: r.try_get("decision_number")?,
        court_code: r.try_get("court_code")?,
        court_name: r.try_get("court_name")?,
        judgment_number: r.try_get("judgment_number")?,
        judgment_date: r.try_get("judgment_date")?,
    }))
}

pub(super) async fn load_stored(db: &Db, id: &str) -> Result<Option<Stored>, DecisionError> {
    let Some(r) = sqlx::query(
        "SELECT id, case_id, office_code, kind, request_id, state, content, rejection_reason, \
         number, issued_on, pdf_sha256, signature, signer, signer_key_id, signed_at, \
         issued_pdf_sha256, created_by, version, created_at, updated_at \
         FROM decision_drafts WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    let corrupt = |what: &str| {
        DecisionError::Db(sqlx::Error::Decode(
            format!("decision draft {id}: stored {what} is not valid").into(),
        ))
    };
    let office: String = r.try_get("office_code")?;
    let kind: String = r.try_get("kind")?;
    let state: String = r.try_get("state")?;
    let content: String = r.try_get("content")?;
    Ok(Some(Stored {
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        office: OfficeCode::parse(&office).map_err(|_| corrupt("office"))?,
        kind: DraftKind::parse(&kind).ok_or_else(|| corrupt("kind"))?,
        request_id: r.try_get("request_id")?,
        state: DraftState::parse(&state).ok_or_else(|| corrupt("state"))?,
        content: serde_json::from_str(&content).map_err(|_| corrupt("content"))?,
        rejection_reason: r.try_get("rejection_reason")?,
        number: r.try_get("number")?,
        issued_on: r.try_get("issued_on")?,
        pdf_sha256: r.try_get("pdf_sha256")?,
        signature: r.try_get("signature")?,
        signer: r.try_get("signer")?,
        signer_key_id: r.try_get("signer_key_id")?,
        signed_at: r.try_get("signed_at")?,
        issued_pdf_sha256: r.try_get("issued_pdf_sha256")?,
        created_by: r.try_get("created_by")?,
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    }))
}

pub(super) fn changed_meanwhile() -> DecisionError {
    DecisionError::Refused(
        "the draft was changed by someone else meanwhile; reload it and retry".into(),
    )
}
