//! The stored complaint, its history and its deadlines: loading a row, appending a step (in the
//! complaint's history, the case's events and the audit trail, in the step's transaction), and
//! computing a deadline from the calendar and the limits.

use sqlx::Row;
use thads_schemas::complaint::{Against, ComplaintKind, Stage};
use thads_schemas::office::OfficeCode;
use time::Date;

use super::rules::{ComplaintRules, ComplaintStep};
use super::{ComplaintError, Outcome, State};
use crate::cases::intake::add_case_event_by;
use crate::db::{now_ms, Db, Tx};
use crate::deadlines::store::{parse_iso, Schedule};
use crate::staff::Actor;

/// A complaint row.
#[derive(Debug, Clone)]
pub(super) struct Stored {
    pub id: String,
    pub kind: ComplaintKind,
    pub channel: String,
    pub round: i64,
    pub previous_id: Option<String>,
    pub complainant_name: String,
    pub complainant_cccd: String,
    pub complainant_address: Option<String>,
    pub complainant_phone: Option<String>,
    pub complainant_email: Option<String>,
    pub case_id: String,
    pub against: Against,
    pub target_office: OfficeCode,
    pub target_officer: Option<String>,
    pub decision_number: Option<String>,
    pub decision_date: Option<String>,
    pub stage: Stage,
    pub subject: String,
    pub request: Option<String>,
    pub resolver_office: OfficeCode,
    pub routing_basis: String,
    pub received_on: String,
    pub state: State,
    pub accepted_on: Option<String>,
    pub refused_on: Option<String>,
    pub refusal_reason: Option<String>,
    pub resolved_on: Option<String>,
    pub outcome: Option<Outcome>,
    pub findings: Option<String>,
    pub conclusion: Option<String>,
    pub document_number: Option<String>,
    pub document_sha256: Option<String>,
    pub signature: Option<String>,
    pub signer: Option<String>,
    pub signer_name: Option<String>,
    pub signer_key_id: Option<String>,
    pub appealed_by: Option<String>,
    pub extensions: i64,
    pub recorded_by: String,
    pub message_id: String,
    pub version: i64,
    pub created_at: i64,
}

const COLUMNS: &str = "id, kind, channel, round, previous_id, complainant_name, complainant_cccd, \
     complainant_address, complainant_phone, complainant_email, case_id, against, target_office, \
     target_officer, decision_number, decision_date, stage, subject, request, resolver_office, \
     routing_basis, received_on, state, accepted_on, refused_on, refusal_reason, resolved_on, \
     outcome, findings, conclusion, document_number, document_sha256, signature, signer, \
     signer_name, signer_key_id, appealed_by, extensions, recorded_by, message_id, version, \
     created_at";

fn decode<T>(what: &str, value: &str, parsed: Option<T>) -> Result<T, sqlx::Error> {
    parsed.ok_or_else(|| sqlx::Error::Decode(format!("complaints.{what}: {value:?}").into()))
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Stored, sqlx::Error> {
    let kind: String = r.try_get("kind")?;
    let against: String = r.try_get("against")?;
    let stage: String = r.try_get("stage")?;
    let state: String = r.try_get("state")?;
    let target: String = r.try_get("target_office")?;
    let resolver: String = r.try_get("resolver_office")?;
    let outcome: Option<String> = r.try_get("outcome")?;
    Ok(Stored {
        id: r.try_get("id")?,
        kind: decode("kind", &kind, ComplaintKind::parse(&kind))?,
        channel: r.try_get("channel")?,
        round: r.try_get("round")?,
        previous_id: r.try_get("previous_id")?,
        complainant_name: r.try_get("complainant_name")?,
        complainant_cccd: r.try_get("complainant_cccd")?,
        complainant_address: r.try_get("complainant_address")?,
        complainant_phone: r.try_get("complainant_phone")?,
        complainant_email: r.try_get("complainant_email")?,
        case_id: r.try_get("case_id")?,
        against: decode("against", &against, Against::parse(&against))?,
        target_office: decode("target_office", &target, OfficeCode::parse(&target).ok())?,
        target_officer: r.try_get("target_officer")?,
        decision_number: r.try_get("decision_number")?,
        decision_date: r.try_get("decision_date")?,
        stage: decode("stage", &stage, Stage::parse(&stage))?,
        subject: r.try_get("subject")?,
        request: r.try_get("request")?,
        resolver_office: decode(
            "resolver_office",
            &resolver,
            OfficeCode::parse(&resolver).ok(),
        )?,
        routing_basis: r.try_get("routing_basis")?,
        received_on: r.try_get("received_on")?,
        state: decode("state", &state, State::parse(&state))?,
        accepted_on: r.try_get("accepted_on")?,
        refused_on: r.try_get("refused_on")?,
        refusal_reason: r.try_get("refusal_reason")?,
        resolved_on: r.try_get("resolved_on")?,
        outcome: match outcome {
            Some(o) => Some(decode("outcome", &o, Outcome::parse(&o))?),
            None => None,
        },
        findings: r.try_get("findings")?,
        conclusion: r.try_get("conclusion")?,
        document_number: r.try_get("document_number")?,
        document_sha256: r.try_get("document_sha256")?,
        signature: r.try_get("signature")?,
        signer: r.try_get("signer")?,
        signer_name: r.try_get("signer_name")?,
        signer_key_id: r.try_get("signer_key_id")?,
        appealed_by: r.try_get("appealed_by")?,
        extensions: r.try_get("extensions")?,
        recorded_by: r.try_get("recorded_by")?,
        message_id: r.try_get("message_id")?,
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
    })
}

/// One complaint by id.
pub(super) async fn load(db: &Db, id: &str) -> Result<Option<Stored>, sqlx::Error> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM complaints WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// One complaint by id, inside a transaction.
pub(super) async fn load_in(tx: &mut Tx<'_>, id: &str) -> Result<Option<Stored>, sqlx::Error> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM complaints WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// The offices an actor sees, as SQL parameters: their own office, a `LIKE` prefix for the
/// regional offices under a provincial administrator, and everything for the national
/// department's administrators (see [`Actor::covers_office`]).
pub(super) fn scope_of(actor: &Actor) -> (String, String, i64) {
    let mine = actor.office.as_str().to_string();
    if actor.role != crate::staff::Role::Administrator {
        return (mine, String::new(), 0);
    }
    if mine == "CUC" {
        return (mine, String::new(), 1);
    }
    let prefix = if mine.contains('-') {
        String::new()
    } else {
        format!("{mine}-%")
    };
    (mine, prefix, 0)
}

/// The complaints answered by or about the offices `actor` sees, newest first.
pub(super) async fn list(
    db: &Db,
    actor: &Actor,
    state: Option<State>,
    limit: i64,
) -> Result<Vec<Stored>, sqlx::Error> {
    let (exact, prefix, all) = scope_of(actor);
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM complaints WHERE ($1 = '' OR state = $1) \
         AND ($2 = 1 OR resolver_office = $3 OR target_office = $3 \
              OR ($4 <> '' AND (resolver_office LIKE $4 OR target_office LIKE $4))) \
         ORDER BY created_at DESC, id LIMIT $5"
    ))
    .bind(state.map(State::as_str).unwrap_or(""))
    .bind(all)
    .bind(exact)
    .bind(prefix)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

/// A step in the complaint's history, the case's events and the audit trail.
pub(super) async fn record_step(
    tx: &mut Tx<'_>,
    c: &Stored,
    action: &str,
    to: State,
    actor: (&str, &str),
    detail: Option<&str>,
) -> Result<(), sqlx::Error> {
    let from = (action != "received").then(|| c.state.as_str());
    sqlx::query(
        "INSERT INTO complaint_history (complaint_id, action, from_state, to_state, actor, \
         actor_role, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&c.id)
    .bind(action)
    .bind(from)
    .bind(to.as_str())
    .bind(actor.0)
    .bind(actor.1)
    .bind(detail)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    // The case's history names the complaint, never the complainant.
    let what = match c.kind {
        ComplaintKind::Complaint => "khiếu nại",
        ComplaintKind::Denunciation => "tố cáo",
    };
    add_case_event_by(
        tx,
        &c.case_id,
        &format!("complaint_{action}"),
        &format!(
            "{what} {} ({}, Thủ trưởng {} giải quyết)",
            c.id,
            to.as_str(),
            c.resolver_office
        ),
        actor.0,
    )
    .await
}

/// The actor as the history records them.
pub(super) fn who(actor: &Actor) -> (&str, &str) {
    (actor.username.as_str(), actor.role.as_str())
}

/// Computes the deadline of `limit_step` starting on `start` and stores it under `stored_step`
/// (replacing an earlier one); returns the due date.
pub(super) async fn start_deadline(
    tx: &mut Tx<'_>,
    (schedule, rules): (&Schedule, &ComplaintRules),
    complaint_id: &str,
    stored_step: &str,
    limit_step: ComplaintStep,
    start: Date,
) -> Result<Date, ComplaintError> {
    let regime = schedule.rules.regime_for(start);
    let limit = rules.limit(regime, limit_step);
    let due = limit.due(&schedule.calendar, start).map_err(|e| {
        ComplaintError::invalid(
            "received_on",
            format!("the calendar cannot count from {start}: {e}"),
        )
    })?;
    sqlx::query(
        "INSERT INTO complaint_deadlines (complaint_id, step, regime, starts_on, due_on, \
         legal_basis) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (complaint_id, step) \
         DO UPDATE SET regime = excluded.regime, starts_on = excluded.starts_on, \
         due_on = excluded.due_on, legal_basis = excluded.legal_basis, done_on = NULL",
    )
    .bind(complaint_id)
    .bind(stored_step)
    .bind(regime.as_str())
    .bind(start.to_string())
    .bind(due.to_string())
    .bind(&limit.legal_basis)
    .execute(&mut **tx)
    .await?;
    Ok(due)
}

/// Marks the open deadline `stored_step` met on `on`.
pub(super) async fn complete_deadline(
    tx: &mut Tx<'_>,
    complaint_id: &str,
    stored_step: &str,
    on: Date,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE complaint_deadlines SET done_on = $3 \
         WHERE complaint_id = $1 AND step = $2 AND done_on IS NULL",
    )
    .bind(complaint_id)
    .bind(stored_step)
    .bind(on.to_string())
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// The due date and legal basis of a stored deadline.
pub(super) async fn deadline_of(
    tx: &mut Tx<'_>,
    complaint_id: &str,
    stored_step: &str,
) -> Result<Option<(Date, String)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT due_on, legal_basis FROM complaint_deadlines WHERE complaint_id = $1 AND step = $2",
    )
    .bind(complaint_id)
    .bind(stored_step)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    let due: String = r.try_get("due_on")?;
    let basis: String = r.try_get("legal_basis")?;
    Ok(parse_iso(&due).map(|d| (d, basis)))
}

/// Moves a complaint from its loaded state and version to `to` with `sets` (extra
/// `column = $n` assignments from `$4` on, bound by `bind`); false when someone else changed it
/// meanwhile.
pub(super) async fn move_state(
    tx: &mut Tx<'_>,
    c: &Stored,
    to: State,
    sets: &str,
    binds: Vec<Option<String>>,
) -> Result<bool, sqlx::Error> {
    let extra = if sets.is_empty() {
        String::new()
    } else {
        format!(", {sets}")
    };
    let sql = format!(
        "UPDATE complaints SET state = $3, version = version + 1, updated_at = {now}{extra} \
         WHERE id = $1 AND version = $2",
        now = now_ms()
    );
    let mut q = sqlx::query(&sql)
        .bind(&c.id)
        .bind(c.version)
        .bind(to.as_str());
    for b in binds {
        q = q.bind(b);
    }
    Ok(q.execute(&mut **tx).await?.rows_affected() == 1)
}
