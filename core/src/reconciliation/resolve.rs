//! An officer's decision on a queued payment: post it on a case (through the same posting path
//! as automatic matches, so the case's money, history, bus event and e-receipt follow), or
//! record that it goes back to the payer. Once only; audited in the same transaction.

use serde::Serialize;
use serde_json::{json, Value};
use sqlx::Row;
use thads_schemas::bank::Payment;

use super::audit::{self, AuditEntry};
use super::queue::{account_offices, may_act, stored_candidates};
use crate::cases::payments::{post_to_case, MATCHED_BY_OFFICER};
use crate::db::{now_ms, Db, Tx};
use crate::deadlines::store::Schedule;
use crate::journey;
use crate::receipts::Issued;
use crate::staff::Actor;

/// What the officer decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Post the payment on this case.
    Post {
        /// The case.
        case_id: String,
    },
    /// Give the money back to the payer: recorded, leaves the queue, no case.
    Return,
}

/// A decision with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The decision.
    pub action: Action,
    /// Why, in the officer's words (required).
    pub reason: String,
}

impl Resolution {
    /// Reads `{"action":"post","case_id":…,"reason":…}` or `{"action":"return","reason":…}`;
    /// an error names the field as a JSON Pointer.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ResolveError> {
        let invalid = |field: &str, reason: &str| ResolveError::Invalid {
            field: field.to_string(),
            reason: reason.to_string(),
        };
        let v: Value =
            serde_json::from_slice(bytes).map_err(|e| invalid("", &format!("not JSON: {e}")))?;
        let obj = v
            .as_object()
            .ok_or_else(|| invalid("", "must be a JSON object"))?;
        if let Some(k) = obj
            .keys()
            .find(|k| !["action", "case_id", "reason"].contains(&k.as_str()))
        {
            return Err(invalid(&format!("/{k}"), "unknown field"));
        }
        let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::trim);
        let reason = text("reason")
            .filter(|r| !r.is_empty())
            .ok_or_else(|| invalid("/reason", "required: say why"))?;
        if reason.chars().count() > 1000 {
            return Err(invalid("/reason", "at most 1000 characters"));
        }
        let action = match text("action") {
            Some("post") => Action::Post {
                case_id: text("case_id")
                    .filter(|c| !c.is_empty())
                    .ok_or_else(|| invalid("/case_id", "required to post the payment"))?
                    .to_string(),
            },
            Some("return") => {
                if obj.get("case_id").is_some_and(|c| !c.is_null()) {
                    return Err(invalid("/case_id", "a returned payment goes to no case"));
                }
                Action::Return
            }
            _ => return Err(invalid("/action", "must be \"post\" or \"return\"")),
        };
        Ok(Self {
            action,
            reason: reason.to_string(),
        })
    }
}

/// What the decision did.
#[derive(Debug, Clone, Serialize)]
pub struct Resolved {
    /// The payment.
    pub payment_id: String,
    /// `posted` or `returned`.
    pub state: String,
    /// The case it was posted on.
    pub case_id: Option<String>,
    /// The e-receipt issued for it.
    pub receipt: Option<Issued>,
}

/// Why a decision was refused.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// No queued payment with that id.
    #[error("no queued payment {0}")]
    NotFound(String),
    /// Already resolved.
    #[error("payment {payment_id} was already {state}")]
    AlreadyResolved {
        /// The payment.
        payment_id: String,
        /// How it was resolved.
        state: String,
    },
    /// The actor may not decide about it.
    #[error("{0}")]
    Forbidden(String),
    /// A field is wrong (`/case_id` for an unknown case).
    #[error("{field}: {reason}")]
    Invalid {
        /// JSON Pointer of the field.
        field: String,
        /// Why.
        reason: String,
    },
    /// The database failed.
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// Attempts before a decision that keeps meeting concurrent changes to its case gives up.
const ATTEMPTS: u32 = 40;

/// Resolves a queued payment as `actor`. Concurrent postings on the same case are retried
/// (the case row is updated optimistically).
pub async fn resolve(
    db: &Db,
    schedule: &Schedule,
    actor: &Actor,
    payment_id: &str,
    r: &Resolution,
) -> Result<Resolved, ResolveError> {
    let mut attempt = 0;
    loop {
        let mut tx = db.begin().await?;
        match attempt_once(&mut tx, schedule, actor, payment_id, r).await {
            Ok(done) => {
                tx.commit().await?;
                return Ok(done);
            }
            Err(ResolveError::Sql(e)) if attempt + 1 < ATTEMPTS && retriable(&e) => {
                attempt += 1;
                tx.rollback().await.ok();
                let pause = 5 + rand::random::<u64>() % (10 * u64::from(attempt.min(10)));
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// A conflict with a concurrent writer: the case changed under an optimistic update
/// ([`crate::lifecycle::perform::record_bank_collection`] reports it as a protocol error), or
/// PostgreSQL chose this transaction as a serialization or deadlock victim.
fn retriable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(d) => matches!(d.code().as_deref(), Some("40001" | "40P01")),
        _ => false,
    }
}

async fn attempt_once(
    tx: &mut Tx<'_>,
    schedule: &Schedule,
    actor: &Actor,
    payment_id: &str,
    r: &Resolution,
) -> Result<Resolved, ResolveError> {
    let row = sqlx::query(
        "SELECT state, account, candidates, reason FROM unmatched_payments WHERE payment_id = $1",
    )
    .bind(payment_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| ResolveError::NotFound(payment_id.to_string()))?;
    let account: Option<String> = row.try_get("account")?;
    let mut offices = match &account {
        Some(a) => account_offices(tx, a).await?,
        None => Vec::new(),
    };
    offices.extend(
        stored_candidates(&row.try_get::<String, _>("candidates")?)
            .into_iter()
            .map(|c| c.office),
    );
    offices.sort();
    offices.dedup();
    let case_office = match &r.action {
        Action::Post { case_id } => Some(
            sqlx::query_scalar::<_, String>("SELECT office_code FROM cases WHERE id = $1")
                .bind(case_id)
                .fetch_optional(&mut **tx)
                .await?
                .ok_or_else(|| ResolveError::Invalid {
                    field: "/case_id".into(),
                    reason: format!("no case {case_id}"),
                })?,
        ),
        Action::Return => None,
    };
    if !may_act(actor, &offices, case_office.as_deref()) {
        return Err(ResolveError::Forbidden(format!(
            "{} ({} of office {}) may not resolve payment {payment_id}: it concerns office(s) {}{}",
            actor.username,
            actor.role,
            actor.office,
            if offices.is_empty() {
                "unknown".to_string()
            } else {
                offices.join(", ")
            },
            case_office
                .as_deref()
                .map(|o| format!(" and the case's office {o}"))
                .unwrap_or_default(),
        )));
    }
    let state: String = row.try_get("state")?;
    if state != "open" {
        return Err(ResolveError::AlreadyResolved {
            payment_id: payment_id.to_string(),
            state,
        });
    }
    let (new_state, case_id) = match &r.action {
        Action::Post { case_id } => ("posted", Some(case_id.clone())),
        Action::Return => ("returned", None),
    };
    let claimed = sqlx::query(
        "UPDATE unmatched_payments SET state = $2, resolved_at = $3, resolved_by = $4, \
         resolved_case = $5, resolution_reason = $6 WHERE payment_id = $1 AND state = 'open'",
    )
    .bind(payment_id)
    .bind(new_state)
    .bind(now_ms())
    .bind(&actor.username)
    .bind(case_id.as_deref())
    .bind(&r.reason)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if claimed != 1 {
        return Err(ResolveError::AlreadyResolved {
            payment_id: payment_id.to_string(),
            state: "resolved".into(),
        });
    }
    let mut receipt = None;
    let detail = match &case_id {
        Some(case_id) => {
            let payment = load_payment(tx, payment_id).await?;
            let posted = post_to_case(
                tx,
                schedule,
                payment_id,
                &payment,
                case_id,
                MATCHED_BY_OFFICER,
            )
            .await?;
            receipt = posted.receipt;
            format!(
                "posted to case {case_id} from the reconciliation queue by {}",
                actor.username
            )
        }
        None => format!(
            "to be returned to the payer, decided by {} in the reconciliation queue",
            actor.username
        ),
    };
    match journey::note(tx, payment_id, &detail).await {
        Ok(()) | Err(journey::JourneyError::NotFound(_)) => {}
        Err(journey::JourneyError::Sql(e)) => return Err(e.into()),
        Err(e) => return Err(ResolveError::Sql(sqlx::Error::Protocol(e.to_string()))),
    }
    audit::record(
        tx,
        &AuditEntry {
            subject_kind: "payment",
            subject_id: payment_id,
            action: match r.action {
                Action::Post { .. } => "post",
                Action::Return => "return",
            },
            actor,
            reason: &r.reason,
            before: json!({"state": "open", "reason": row.try_get::<String, _>("reason")?}),
            after: json!({
                "state": new_state,
                "case_id": case_id,
                "receipt_id": receipt.as_ref().map(|x| x.receipt_id.clone()),
            }),
        },
    )
    .await?;
    Ok(Resolved {
        payment_id: payment_id.to_string(),
        state: new_state.to_string(),
        case_id,
        receipt,
    })
}

/// The payment as the bank intake recorded it (the message's payload).
async fn load_payment(tx: &mut Tx<'_>, payment_id: &str) -> Result<Payment, ResolveError> {
    let payload: Option<Vec<u8>> = sqlx::query_scalar("SELECT payload FROM messages WHERE id = $1")
        .bind(payment_id)
        .fetch_optional(&mut **tx)
        .await?;
    let payload = payload.ok_or_else(|| ResolveError::NotFound(payment_id.to_string()))?;
    serde_json::from_slice(&payload).map_err(|e| {
        ResolveError::Sql(sqlx::Error::Decode(
            format!("payment {payment_id} is not a payment message: {e}").into(),
        ))
    })
}
