//! Performing an operation on a case: load it, ask the state machine, and write everything the
//! operation changes — the case, the operation log, deadlines, the register book, the case's
//! history and its event on the bus — in one transaction.

mod system;

use serde::Serialize;
use sqlx::Row;
use thads_schemas::money::Vnd;
use thads_schemas::office::OfficeCode;
use thads_schemas::subjects;
use time::{Date, OffsetDateTime};

use super::machine::{self, CaseSnapshot, Context, Plan, Refusal};
use super::operation::{Command, Operation};
use super::state::CaseState;
use crate::cases::intake::add_case_event;
use crate::db::{now_ms, rfc3339, Db, Tx};
use crate::deadlines::store::{self as deadline_store, vietnam_date, Schedule};
use crate::outbox::{self, OutboxSignal};
use crate::registers::{self, Book};
use crate::staff::{Actor, Role};

pub use system::{perform_as_system, record_bank_collection};

/// Why an operation was not performed.
#[derive(Debug, thiserror::Error)]
pub enum PerformError {
    /// No such case (or not visible to the actor).
    #[error("no case {0}")]
    NotFound(String),
    /// The state machine refused it.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The request id was already used for a different operation on this case.
    #[error("request_id {0:?} was already used for a different operation on this case")]
    RequestIdReused(String),
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// What an accepted operation did.
#[derive(Debug, Clone, Serialize)]
pub struct Performed {
    /// Position in the operation log.
    pub seq: i64,
    /// The case.
    pub case_id: String,
    /// The operation's name.
    pub operation: String,
    /// State before.
    pub from_state: String,
    /// State after.
    pub to_state: String,
    /// The legal day of the act.
    pub effective_on: String,
    /// The register book entry it made, e.g. `17/2026` in the acceptance book.
    pub register_number: Option<String>,
    /// True when this is the answer to a repeated request id (nothing was done again).
    pub repeated: bool,
}

/// Performs operations on cases.
#[derive(Debug, Clone)]
pub struct Lifecycle {
    db: Db,
    schedule: Schedule,
    signal: OutboxSignal,
}

/// How often a write that lost a race with another writer is retried.
const CONFLICT_RETRIES: usize = 5;

impl Lifecycle {
    /// The service over a database, the deadline schedule and the outbox relay's signal.
    pub fn new(db: Db, schedule: Schedule, signal: OutboxSignal) -> Self {
        Self {
            db,
            schedule,
            signal,
        }
    }

    /// The deadline schedule in use.
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Performs `command` on case `case_id` as `actor`, at `now`.
    pub async fn perform(
        &self,
        case_id: &str,
        actor: &Actor,
        command: &Command,
        now: OffsetDateTime,
    ) -> Result<Performed, PerformError> {
        if let Some(request_id) = &command.request_id {
            if let Some(done) = self
                .find_request(case_id, request_id, &command.operation)
                .await?
            {
                return Ok(done);
            }
        }
        for _ in 0..CONFLICT_RETRIES {
            match self.try_perform(case_id, actor, command, now).await {
                Ok(Some(done)) => {
                    self.signal.notify();
                    return Ok(done);
                }
                // Another writer changed the case first: plan again from its new state.
                Ok(None) => continue,
                Err(PerformError::Db(e))
                    if is_unique_violation(&e) && command.request_id.is_some() =>
                {
                    // The same request id raced with itself: answer with the winner.
                    let request_id = command.request_id.as_deref().unwrap_or_default();
                    if let Some(done) = self
                        .find_request(case_id, request_id, &command.operation)
                        .await?
                    {
                        return Ok(done);
                    }
                    return Err(PerformError::Db(e));
                }
                Err(e) => return Err(e),
            }
        }
        Err(PerformError::Db(sqlx::Error::Protocol(format!(
            "case {case_id} kept changing under {CONFLICT_RETRIES} attempts"
        ))))
    }

    async fn try_perform(
        &self,
        case_id: &str,
        actor: &Actor,
        command: &Command,
        now: OffsetDateTime,
    ) -> Result<Option<Performed>, PerformError> {
        let mut tx = self.db.begin().await?;
        let done = self
            .perform_in(&mut tx, case_id, actor, command, now)
            .await?;
        if done.is_some() {
            tx.commit().await?;
        }
        Ok(done)
    }

    /// Performs `command` inside the caller's transaction, so an act that is more than an
    /// operation (an account order, a disbursement) commits with it or not at all. Returns
    /// `None`, having written nothing, when another writer changed the case since it was read:
    /// the caller rolls back and tries again. The caller commits and then wakes the outbox
    /// relay ([`OutboxSignal::notify`]).
    pub async fn perform_in(
        &self,
        tx: &mut Tx<'_>,
        case_id: &str,
        actor: &Actor,
        command: &Command,
        now: OffsetDateTime,
    ) -> Result<Option<Performed>, PerformError> {
        let Some((case, version)) = load_snapshot(tx, case_id).await? else {
            return Err(PerformError::NotFound(case_id.to_string()));
        };
        if !actor.covers_office(&case.office) {
            return Err(PerformError::NotFound(case_id.to_string()));
        }
        let today = vietnam_date(now);
        let effective_on = command.effective_on.unwrap_or(today);
        let ctx = Context {
            today,
            effective_on,
            calendar: &self.schedule.calendar,
        };
        let plan = machine::plan(&case, &command.operation, actor, ctx)?;
        if let Operation::AssignOfficer { officer } = &command.operation {
            check_officer(tx, officer, &case.office).await?;
        }
        if !write_case(tx, &case, version, &plan, effective_on).await? {
            return Ok(None);
        }
        let seq = insert_operation(
            tx,
            &case,
            (&actor.username, actor.role.as_str()),
            command,
            &plan,
            effective_on,
        )
        .await?;
        for step in &plan.complete {
            deadline_store::complete(tx, case_id, *step, effective_on).await?;
        }
        for (step, from) in &plan.start {
            if let Err(e) =
                deadline_store::restart(tx, &self.schedule, case_id, *step, *from).await?
            {
                add_case_event(
                    tx,
                    case_id,
                    "deadline_unknown",
                    &format!("{}: {e}", step.as_str()),
                )
                .await?;
            }
        }
        let register_number = if plan.register {
            let entry = registers::enter(
                tx,
                Book::Acceptance,
                case.office.as_str(),
                effective_on,
                case_id,
                &format!("thụ lý hồ sơ {case_id}"),
            )
            .await?;
            Some(entry.label())
        } else {
            None
        };
        if let Some(number) = &plan.decision_number {
            let sent =
                super::notices::emit_decision_notices(tx, case_id, number, effective_on).await?;
            add_case_event(
                tx,
                case_id,
                "notices_queued",
                &format!("decision {number} sent to {sent} parties through VNeID"),
            )
            .await?;
        }
        let op = command.operation.name();
        let detail = format!(
            "{op} by {} ({}): {} -> {}",
            actor.username, actor.role, case.state, plan.to_state
        );
        crate::cases::intake::add_case_event_by(tx, case_id, op, &detail, &actor.username).await?;
        let event = serde_json::json!({
            "kind": "case.operation",
            "case_id": case_id,
            "office": case.office.as_str(),
            "operation": op,
            "from_state": case.state.as_str(),
            "to_state": plan.to_state.as_str(),
            "actor": actor.username,
            "actor_role": actor.role.as_str(),
            "effective_on": effective_on.to_string(),
            "seq": seq,
            "at": rfc3339(now_ms()),
        });
        outbox::enqueue(
            tx,
            &format!("{case_id}.op.{seq}"),
            &subjects::case_event(&case.office, case_id),
            Some(case_id),
            event.to_string().as_bytes(),
        )
        .await?;
        Ok(Some(Performed {
            seq,
            case_id: case_id.to_string(),
            operation: op.to_string(),
            from_state: case.state.as_str().to_string(),
            to_state: plan.to_state.as_str().to_string(),
            effective_on: effective_on.to_string(),
            register_number,
            repeated: false,
        }))
    }

    async fn find_request(
        &self,
        case_id: &str,
        request_id: &str,
        operation: &Operation,
    ) -> Result<Option<Performed>, PerformError> {
        let row = sqlx::query(
            "SELECT seq, operation, from_state, to_state, effective_on FROM case_operations \
             WHERE case_id = $1 AND request_id = $2",
        )
        .bind(case_id)
        .bind(request_id)
        .fetch_optional(self.db.pool())
        .await?;
        let Some(r) = row else { return Ok(None) };
        let name: String = r.try_get("operation")?;
        if name != operation.name() {
            return Err(PerformError::RequestIdReused(request_id.to_string()));
        }
        Ok(Some(Performed {
            seq: r.try_get("seq")?,
            case_id: case_id.to_string(),
            operation: name,
            from_state: r.try_get("from_state")?,
            to_state: r.try_get("to_state")?,
            effective_on: r.try_get("effective_on")?,
            register_number: None,
            repeated: true,
        }))
    }
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

fn vnd(v: i64) -> Vnd {
    Vnd::new(v).unwrap_or(Vnd::ZERO)
}

/// Reads what the state machine needs, with the case's version for the optimistic write.
async fn load_snapshot(
    tx: &mut Tx<'_>,
    case_id: &str,
) -> Result<Option<(CaseSnapshot, i64)>, sqlx::Error> {
    let Some(r) = sqlx::query(
        "SELECT office_code, state, resume_state, officer, amount_vnd, collected_vnd, \
         disbursed_vnd, reduced_vnd, version FROM cases WHERE id = $1",
    )
    .bind(case_id)
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    let office: String = r.try_get("office_code")?;
    let state: String = r.try_get("state")?;
    let resume: Option<String> = r.try_get("resume_state")?;
    let corrupt = |what: &str, v: &str| {
        sqlx::Error::Decode(format!("case {case_id}: stored {what} {v:?} is not valid").into())
    };
    let snapshot = CaseSnapshot {
        id: case_id.to_string(),
        office: OfficeCode::parse(&office).map_err(|_| corrupt("office", &office))?,
        state: CaseState::parse(&state).ok_or_else(|| corrupt("state", &state))?,
        resume_state: resume.as_deref().and_then(CaseState::parse),
        officer: r.try_get("officer")?,
        amount: vnd(r.try_get("amount_vnd")?),
        collected: vnd(r.try_get("collected_vnd")?),
        disbursed: vnd(r.try_get("disbursed_vnd")?),
        reduced: vnd(r.try_get("reduced_vnd")?),
        open_deadlines: deadline_store::open_in_tx(tx, case_id).await?,
    };
    Ok(Some((snapshot, r.try_get("version")?)))
}

/// The officer must be an enabled enforcement officer of the case's office.
async fn check_officer(
    tx: &mut Tx<'_>,
    officer: &str,
    office: &OfficeCode,
) -> Result<(), PerformError> {
    let row =
        sqlx::query("SELECT role, office_code, disabled FROM staff_accounts WHERE username = $1")
            .bind(officer.trim())
            .fetch_optional(&mut **tx)
            .await?;
    let refuse = |reason: String| {
        PerformError::Refused(Refusal::Invalid {
            field: "params.officer".into(),
            reason,
        })
    };
    let Some(r) = row else {
        return Err(refuse(format!("no staff account {officer:?}")));
    };
    let role: String = r.try_get("role")?;
    let their_office: String = r.try_get("office_code")?;
    // BOOLEAN on PostgreSQL, INTEGER on SQLite.
    let disabled = match r.try_get::<bool, _>("disabled") {
        Ok(b) => b,
        Err(_) => r.try_get::<i64, _>("disabled")? != 0,
    };
    if Role::parse(&role) != Some(Role::Officer) {
        return Err(refuse(format!(
            "{officer} is a {role}, not an enforcement officer"
        )));
    }
    if their_office != office.as_str() {
        return Err(refuse(format!(
            "{officer} works for {their_office}, not {office}"
        )));
    }
    if disabled {
        return Err(refuse(format!("{officer}'s account is disabled")));
    }
    Ok(())
}

/// Writes the plan onto the case if nobody changed it since it was read.
async fn write_case(
    tx: &mut Tx<'_>,
    case: &CaseSnapshot,
    version: i64,
    plan: &Plan,
    on: Date,
) -> Result<bool, sqlx::Error> {
    let on_text = on.to_string();
    let finished = plan.outcome.map(|_| on_text.clone());
    let registered = plan.register.then(|| on_text.clone());
    let decision_on = plan.decision_number.as_ref().map(|_| on_text.clone());
    let updated = sqlx::query(
        "UPDATE cases SET state = $3, resume_state = $4, officer = $5, collected_vnd = $6, \
         disbursed_vnd = $7, reduced_vnd = $8, \
         outcome = COALESCE($9, outcome), finished_on = COALESCE($10, finished_on), \
         registered_on = COALESCE($11, registered_on), \
         decision_number = COALESCE($12, decision_number), decision_on = COALESCE($13, decision_on), \
         version = version + 1, updated_at = $14 \
         WHERE id = $1 AND version = $2",
    )
    .bind(&case.id)
    .bind(version)
    .bind(plan.to_state.as_str())
    .bind(plan.resume_state.map(CaseState::as_str))
    .bind(plan.officer.as_deref())
    .bind(plan.collected.amount())
    .bind(plan.disbursed.amount())
    .bind(plan.reduced.amount())
    .bind(plan.outcome.map(|o| o.as_str()))
    .bind(finished)
    .bind(registered)
    .bind(plan.decision_number.as_deref())
    .bind(decision_on)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(updated == 1)
}

async fn insert_operation(
    tx: &mut Tx<'_>,
    case: &CaseSnapshot,
    (actor, actor_role): (&str, &str),
    command: &Command,
    plan: &Plan,
    on: Date,
) -> Result<i64, sqlx::Error> {
    let params = serde_json::to_value(&command.operation)
        .ok()
        .and_then(|v| v.get("params").cloned())
        .unwrap_or(serde_json::Value::Null);
    let documents = serde_json::to_string(&command.documents).unwrap_or_else(|_| "[]".into());
    let row = sqlx::query(
        "INSERT INTO case_operations (case_id, operation, request_id, actor, actor_role, \
         from_state, to_state, effective_on, at, amount_vnd, params, documents, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING seq",
    )
    .bind(&case.id)
    .bind(command.operation.name())
    .bind(command.request_id.as_deref())
    .bind(actor)
    .bind(actor_role)
    .bind(case.state.as_str())
    .bind(plan.to_state.as_str())
    .bind(on.to_string())
    .bind(now_ms())
    .bind(plan.amount.map(Vnd::amount))
    .bind(params.to_string())
    .bind(documents)
    .bind(command.reason.as_deref())
    .fetch_one(&mut **tx)
    .await?;
    row.try_get("seq")
}
