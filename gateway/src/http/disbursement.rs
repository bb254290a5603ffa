//! Disbursement (chi trả, Art. 47) over HTTP: an officer of the case's office pays out what
//! the case collected (`POST /v1/cases/{id}/disbursements`): the hub plans it in the legal
//! order of payment, performs the `disburse` operation as that officer (meeting the 10-day
//! `disbursement` deadline once everything collected is paid out), records the plan and sends
//! a payout order to the bank for each private creditor; the case is marked fully enforced
//! when nothing is due any more; the State's share is queued for the Treasury. Staff of the
//! office list them (`GET …/disbursements`) and see each office's running money
//! (`GET /v1/money/offices`).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use sqlx::Row;
use std::collections::BTreeMap;
use thads_bank::orders::issue;
use thads_core::db::{now_ms, rfc3339};
use thads_core::disbursement::store::{self, DisbursementView, PayoutOrder};
use thads_core::disbursement::{OfficeMoney, Payee};
use thads_core::lifecycle::{Command, Operation, PerformError};
use thads_core::staff::Role;
use thads_schemas::money::Vnd;
use thads_schemas::validation::FieldError;
use thads_treasury::Transfer;

use super::auth::{require_role, visible_case, CurrentActor};
use super::extract::Path;
use super::payouts::{payout_order, Payout};
use super::problem::answers;
use super::problem::AppError;
use super::AppState;

/// The disbursement routes, merged into the hub's router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/cases/{id}/disbursements",
            get(get_disbursements).post(post_disbursement),
        )
        .route("/v1/money/offices", get(get_office_money))
}

/// The running money of each office the signed-in person covers.
#[utoipa::path(
    get,
    path = "/v1/money/offices",
    tag = "money",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    responses(
        (status = 200, description = "Each covered office's running money: due, collected, paid out, transferred, outstanding.", body = [Object]),
        answers::Unauthorized,
    ),
)]
async fn get_office_money(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Result<Json<Vec<OfficeMoney>>, AppError> {
    Ok(Json(
        thads_core::disbursement::totals::by_office(&state.db)
            .await?
            .into_iter()
            .filter(|m| {
                thads_schemas::office::OfficeCode::parse(&m.office)
                    .is_ok_and(|o| actor.covers_office(&o))
            })
            .collect(),
    ))
}

/// A creditor's account for the payout.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct PayeeAccount {
    account: String,
}

/// What the officer sends.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct DisbursementRequest {
    /// The bank holding the THADS deposit account (executes the payouts).
    #[serde(default)]
    bank: Option<String>,
    /// The THADS deposit account; defaults to the account the case's last payment reached.
    #[serde(default)]
    thads_account: Option<String>,
    /// Enforcement costs to deduct first (Art. 47(1)).
    #[serde(default)]
    costs_vnd: Option<Vnd>,
    /// Each private creditor's account, by party reference.
    #[serde(default)]
    payees: BTreeMap<String, PayeeAccount>,
    /// Makes a retry safe: the same request id on the same case is the same disbursement.
    #[serde(default)]
    request_id: Option<String>,
}

fn invalid(field: &str, reason: impl Into<String>) -> AppError {
    AppError::Invalid {
        errors: vec![FieldError::new(field, reason)],
        message_id: None,
    }
}

/// The case's disbursements, oldest first, each line with its payout order's state.
#[utoipa::path(
    get,
    path = "/v1/cases/{id}/disbursements",
    tag = "money",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The case id (`case-…`).")),
    responses(
        (status = 200, description = "The case's disbursements with their lines.", body = [Object]),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
async fn get_disbursements(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(case_id): Path<String>,
) -> Result<Json<Vec<DisbursementView>>, AppError> {
    visible_case(&state, &actor, &case_id).await?;
    Ok(Json(store::for_case(&state.db, &case_id).await?))
}

/// Plans, performs and records a disbursement; 201 with it, 200 for a repeated request id.
#[utoipa::path(
    post,
    path = "/v1/cases/{id}/disbursements",
    tag = "money",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The case id (`case-…`).")),
    request_body(content = DisbursementRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The same `request_id` was disbursed before.", body = Object),
        (status = 201, description = "Disbursed in the legal order of payment: payouts and Treasury transfers issued.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
async fn post_disbursement(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(case_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<DisbursementView>), AppError> {
    let office = visible_case(&state, &actor, &case_id).await?;
    require_role(&actor, &[Role::Officer])?;
    let body = state.body(body)?;
    let request: DisbursementRequest = super::extract::json_body(&body)?;
    let id = match &request.request_id {
        Some(r) if r.trim().is_empty() || r.len() > 128 => {
            return Err(invalid("/request_id", "must be 1 to 128 characters"))
        }
        Some(r) => format!(
            "dsb-{}",
            &thads_schemas::content_hash(format!("{case_id}\n{r}").as_bytes())[..24]
        ),
        None => format!("dsb-{}", uuid::Uuid::now_v7().simple()),
    };
    if let Some(found) = find(&state, &case_id, &id).await? {
        return Ok((StatusCode::OK, Json(found)));
    }
    let costs = request.costs_vnd.unwrap_or(Vnd::ZERO);
    // A `disburse` already performed under this id whose plan was not recorded (the recording
    // failed): plan again as before it, and record the same total.
    let performed_before: Option<i64> = sqlx::query_scalar(
        "SELECT amount_vnd FROM case_operations WHERE case_id = $1 AND request_id = $2 \
         AND operation = 'disburse'",
    )
    .bind(&case_id)
    .bind(&id)
    .fetch_optional(state.db.pool())
    .await?
    .flatten();
    let performed_vnd = Vnd::new(performed_before.unwrap_or(0)).unwrap_or(Vnd::ZERO);
    let planned = store::plan(&state.db, &case_id, costs, performed_vnd)
        .await?
        .ok_or(AppError::NotFound("case".into()))?;
    let total = planned.allocation.total();
    if performed_before.is_some_and(|p| p != total) {
        return Err(AppError::Conflict(format!(
            "request_id {id} already paid out {performed_vnd}; repeat it with the same body"
        )));
    }
    if total == 0 {
        return Err(invalid(
            "case",
            format!(
                "nothing to pay out: {} collected and not yet paid out, nothing owed on it",
                planned.available
            ),
        ));
    }
    let case = sqlx::query("SELECT payment_reference, decision_number FROM cases WHERE id = $1")
        .bind(&case_id)
        .fetch_one(state.db.pool())
        .await?;
    let payment_reference: String = case.try_get("payment_reference").map_err(AppError::from)?;
    let decision_number: Option<String> =
        case.try_get("decision_number").map_err(AppError::from)?;
    // Every private creditor paid needs an account, and the payouts a bank and a source.
    let creditors: Vec<&str> = planned
        .allocation
        .lines
        .iter()
        .filter_map(|l| match &l.payee {
            Payee::Creditor(p) => Some(p.as_str()),
            _ => None,
        })
        .collect();
    for p in &creditors {
        if !request.payees.contains_key(*p) {
            return Err(invalid(
                &format!("/payees/{p}"),
                "the creditor's account is needed to pay them out",
            ));
        }
    }
    let (bank, source) = if creditors.is_empty() {
        (String::new(), String::new())
    } else {
        let bank = request
            .bank
            .clone()
            .filter(|b| !b.trim().is_empty())
            .ok_or_else(|| invalid("/bank", "name the bank holding the THADS deposit account"))?;
        let source = match &request.thads_account {
            Some(a) => a.clone(),
            None => sqlx::query_scalar::<_, Option<String>>(
                "SELECT account FROM case_payments WHERE case_id = $1 \
                 ORDER BY created_at DESC LIMIT 1",
            )
            .bind(&case_id)
            .fetch_optional(state.db.pool())
            .await?
            .flatten()
            .ok_or_else(|| invalid("/thads_account", "name the THADS deposit account"))?,
        };
        (bank, source)
    };
    let payees: Vec<&str> = planned
        .allocation
        .lines
        .iter()
        .map(|l| match &l.payee {
            Payee::Creditor(p) => p.as_str(),
            Payee::State => "state",
            Payee::Agency => "agency",
        })
        .collect();
    let command = Command {
        operation: Operation::Disburse {
            amount_vnd: Vnd::new(total).map_err(|e| AppError::Internal(e.to_string()))?,
            payee: format!("{id}: {}", payees.join(", ")),
        },
        effective_on: None,
        request_id: Some(id.clone()),
        reason: Some("chi trả theo Điều 47".into()),
        documents: Vec::new(),
    };
    let now = time::OffsetDateTime::now_utc();
    let performed = state
        .lifecycle
        .perform(&case_id, &actor, &command, now)
        .await?;
    let mut tx = state.db.begin().await?;
    let mut orders = Vec::with_capacity(planned.allocation.lines.len());
    for (i, line) in planned.allocation.lines.iter().enumerate() {
        let party = match &line.payee {
            Payee::Creditor(party) => party,
            Payee::State => {
                let transfer = Transfer {
                    transfer_id: format!("{id}-t{}", i + 1),
                    case_id: case_id.clone(),
                    office: office.as_str().to_string(),
                    kind: line.kind.clone(),
                    amount_vnd: line.amount,
                    payment_reference: payment_reference.clone(),
                    legal_basis: "Điều 47 Luật Thi hành án dân sự".into(),
                    issued_at: rfc3339(now_ms()),
                };
                thads_treasury::transfer::queue(&mut tx, &id, &transfer)
                    .await
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                orders.push(None);
                continue;
            }
            Payee::Agency => {
                orders.push(None);
                continue;
            }
        };
        let account = request
            .payees
            .get(party)
            .map(|p| p.account.clone())
            .unwrap_or_default();
        let order = payout_order(
            &mut tx,
            &Payout {
                order_id: format!("{id}-{}", i + 1),
                case_id: &case_id,
                office: &office,
                party,
                bank: &bank,
                source: &source,
                account: &account,
                amount: line.amount,
                decision_number: decision_number.as_deref().unwrap_or(&id),
                payment_reference: &payment_reference,
            },
        )
        .await?;
        let issued = issue(&mut tx, &order).await?;
        orders.push(Some(PayoutOrder {
            bank: bank.clone(),
            account,
            order_id: issued.order_id,
        }));
    }
    store::record(
        &mut tx,
        &id,
        &case_id,
        &actor.username,
        &planned,
        Some(performed.seq),
        &orders,
    )
    .await?;
    tx.commit().await?;
    state.outbox.notify();
    tracing::info!(case = %case_id, disbursement = %id, actor = %actor.username, total, "disbursed");
    finish_if_done(&state, &case_id, &actor, now).await?;
    let view = find(&state, &case_id, &id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("disbursement {id} vanished")))?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Marks the case fully enforced as the officer once nothing is due and everything collected
/// is paid out; a refusal (money still due, wrong state) leaves it where it is.
async fn finish_if_done(
    state: &AppState,
    case_id: &str,
    actor: &thads_core::staff::Actor,
    now: time::OffsetDateTime,
) -> Result<(), AppError> {
    let command = Command {
        operation: Operation::MarkFullyEnforced,
        effective_on: None,
        request_id: None,
        reason: None,
        documents: Vec::new(),
    };
    match state.lifecycle.perform(case_id, actor, &command, now).await {
        Ok(_) | Err(PerformError::Refused(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

async fn find(
    state: &AppState,
    case_id: &str,
    id: &str,
) -> Result<Option<DisbursementView>, AppError> {
    Ok(store::for_case(&state.db, case_id)
        .await?
        .into_iter()
        .find(|d| d.id == id))
}
