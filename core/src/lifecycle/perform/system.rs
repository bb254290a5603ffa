//! Operations the hub performs itself (`system:<source>`) on a partner's confirmation, inside
//! the caller's transaction: a bank's payment recorded as a collection, and an operation such
//! as a served notice or a verification, with the state machine's transitions and deadlines
//! but no staff role.

use thads_schemas::money::Vnd;
use time::Date;

use super::{insert_operation, load_snapshot, write_case, Performed};
use crate::cases::intake::add_case_event;
use crate::db::{now_ms, Tx};
use crate::deadlines::store::{self as deadline_store, Schedule};
use crate::lifecycle::machine::{self, Context};
use crate::lifecycle::operation::{Command, Operation};
use crate::lifecycle::state::CaseState;

/// Records money a bank confirmed into the THADS account for a case (matched by its payment
/// reference) as a collection by the system, inside the caller's transaction: the case's
/// collected money grows, a running case moves to collection with its payout deadline, and the
/// operation log shows `record_collection` by `system:bank`. A case not yet running keeps its
/// state; the money is still counted.
pub async fn record_bank_collection(
    tx: &mut Tx<'_>,
    schedule: &Schedule,
    case_id: &str,
    amount: Vnd,
    on: Date,
    payment_id: &str,
) -> Result<(), sqlx::Error> {
    let Some((case, version)) = load_snapshot(tx, case_id).await? else {
        return Ok(());
    };
    let op = Operation::RecordCollection { amount_vnd: amount };
    let to = if machine::allowed_from(&op).contains(&case.state) {
        CaseState::Collection
    } else {
        case.state
    };
    let collected = case.collected.amount().saturating_add(amount.amount());
    let updated = sqlx::query(
        "UPDATE cases SET state = $3, collected_vnd = $4, version = version + 1, updated_at = $5 \
         WHERE id = $1 AND version = $2",
    )
    .bind(case_id)
    .bind(version)
    .bind(to.as_str())
    .bind(collected)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if updated != 1 {
        return Err(sqlx::Error::Protocol(format!(
            "case {case_id} changed while a payment was posted; retrying"
        )));
    }
    sqlx::query(
        "INSERT INTO case_operations (case_id, operation, request_id, actor, actor_role, \
         from_state, to_state, effective_on, at, amount_vnd, params, documents, reason) \
         VALUES ($1, 'record_collection', $2, 'system:bank', 'system', $3, $4, $5, $6, $7, $8, '[]', $9)",
    )
    .bind(case_id)
    .bind(format!("payment:{payment_id}"))
    .bind(case.state.as_str())
    .bind(to.as_str())
    .bind(on.to_string())
    .bind(now_ms())
    .bind(amount.amount())
    .bind(serde_json::json!({"amount_vnd": amount.amount(), "payment_id": payment_id}).to_string())
    .bind("payment confirmed by the bank")
    .execute(&mut **tx)
    .await?;
    if to == CaseState::Collection {
        if let Err(e) = deadline_store::restart(
            tx,
            schedule,
            case_id,
            crate::deadlines::Step::Disbursement,
            on,
        )
        .await?
        {
            add_case_event(
                tx,
                case_id,
                "deadline_unknown",
                &format!("disbursement: {e}"),
            )
            .await?;
        }
    }
    Ok(())
}

/// Performs `command` as the hub itself (`system:<source>`) on a partner's confirmation, inside
/// the caller's transaction: the state machine's transitions and deadline effects apply, but no
/// staff role. Returns `None` when the case's state does not allow the operation (the caller
/// records what happened as a case event instead).
pub async fn perform_as_system(
    tx: &mut Tx<'_>,
    schedule: &Schedule,
    case_id: &str,
    source: &str,
    command: &Command,
    on: Date,
) -> Result<Option<Performed>, sqlx::Error> {
    let Some((case, version)) = load_snapshot(tx, case_id).await? else {
        return Ok(None);
    };
    let ctx = Context {
        today: on,
        effective_on: on,
        calendar: &schedule.calendar,
    };
    let Ok(plan) = machine::plan_for_system(&case, &command.operation, ctx) else {
        return Ok(None);
    };
    if !write_case(tx, &case, version, &plan, on).await? {
        return Err(sqlx::Error::Protocol(format!(
            "case {case_id} changed while {source} was recorded; retrying"
        )));
    }
    let actor = format!("system:{source}");
    let seq = insert_operation(tx, &case, (&actor, "system"), command, &plan, on).await?;
    for step in &plan.complete {
        deadline_store::complete(tx, case_id, *step, on).await?;
    }
    for (step, from) in &plan.start {
        if let Err(e) = deadline_store::restart(tx, schedule, case_id, *step, *from).await? {
            add_case_event(
                tx,
                case_id,
                "deadline_unknown",
                &format!("{}: {e}", step.as_str()),
            )
            .await?;
        }
    }
    let op = command.operation.name();
    add_case_event(
        tx,
        case_id,
        op,
        &format!("{op} by {actor}: {} -> {}", case.state, plan.to_state),
    )
    .await?;
    Ok(Some(Performed {
        seq,
        case_id: case_id.to_string(),
        operation: op.to_string(),
        from_state: case.state.as_str().to_string(),
        to_state: plan.to_state.as_str().to_string(),
        effective_on: on.to_string(),
        register_number: None,
        repeated: false,
    }))
}
