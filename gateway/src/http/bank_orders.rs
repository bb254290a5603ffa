//! Account orders to banks over HTTP: an officer or head issues a freeze, deduction or release
//! for a case (`POST /v1/cases/{id}/bank-orders`), banks acknowledge orders
//! (`POST /v1/bank/orders/acks`), and staff of the case's office follow an order
//! (`GET /v1/bank/orders/{order_id}`, `GET /v1/cases/{id}/bank-orders`).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use sqlx::Row;
use thads_bank::orders::store::{self, OrderView};
use thads_bank::orders::{issue, on_ack_from, AckError, IssueError};
use thads_core::db::{now_ms, rfc3339};
use thads_core::deadlines::store::vietnam_date;
use thads_core::lifecycle::orders::apply;
use thads_core::staff::Role;
use thads_schemas::bank_order::{AccountOrder, OrderKind};
use thads_schemas::cccd::Cccd;
use thads_schemas::money::Vnd;
use thads_schemas::office::OfficeCode;
use thads_schemas::subjects;
use thads_schemas::text::PersonalText;
use thads_schemas::validation::FieldError;
use time::Date;

use super::auth::{require_office, require_role, visible_case, CurrentActor};
use super::extract::Path;
use super::partner_gate::{wrong_partner, CertifiedPartner};
use super::problem::answers;
use super::problem::AppError;
use super::AppState;

/// The account-order routes, merged into the hub's router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/bank/orders/acks", post(post_ack))
        .route("/v1/bank/orders/{order_id}", get(get_order))
        .route(
            "/v1/cases/{id}/bank-orders",
            get(get_case_orders).post(post_case_order),
        )
}

impl From<IssueError> for AppError {
    fn from(e: IssueError) -> Self {
        match e {
            IssueError::Invalid(errors) => AppError::Invalid {
                errors: errors.0,
                message_id: None,
            },
            IssueError::CaseNotFound(_) => AppError::NotFound("case".into()),
            IssueError::Conflict(_) => AppError::Conflict(e.to_string()),
            IssueError::Sql(e) => AppError::from(e),
        }
    }
}

fn require_json(headers: &HeaderMap) -> Result<(), AppError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    if media.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(AppError::MediaType(format!(
            "Content-Type must be application/json, got {content_type:?}."
        )))
    }
}

/// A bank's acknowledgement of an order: 200 with the settled order (`duplicate: true` for a
/// repeat), 422 naming the field when it is invalid or matches no order (kept for audit),
/// 409 when the order was already settled differently.
#[utoipa::path(
    post,
    path = "/v1/bank/orders/acks",
    tag = "bank",
    security((), ("partner_certificate" = [])),
    request_body(content = thads_schemas::bank_order::OrderAck, content_type = "application/json"),
    responses(
        (status = 200, description = "Recorded: the order's new state (or the duplicate).", body = Object),
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
        answers::TooManyRequests,
        answers::Unavailable,
    ),
)]
async fn post_ack(
    State(state): State<AppState>,
    certified: Option<Extension<CertifiedPartner>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    state.open_for_partners()?;
    let body = state.body(body)?;
    require_json(&headers)?;
    let metrics = &state.metrics;
    // A bank identified by its certificate acknowledges only the orders addressed to it.
    let sender = certified.map(|Extension(CertifiedPartner(bank))| bank.code);
    match on_ack_from(&state.db, &state.outbox, &body, sender.as_deref()).await {
        Ok(outcome) => {
            let label = if outcome.duplicate {
                "duplicate"
            } else {
                "accepted"
            };
            metrics.received(subjects::IN_BANK_ORDER_ACK, label);
            Ok(Json(outcome).into_response())
        }
        Err(AckError::WrongBank {
            order_id,
            sender,
            message_id,
        }) => Ok(wrong_partner(
            &state,
            subjects::IN_BANK_ORDER_ACK,
            "/order_id",
            format!(
                "order {order_id} is addressed to another bank; bank {sender} acknowledges only \
                 its own orders"
            ),
            Some(message_id),
        )),
        Err(AckError::Refused {
            message_id, errors, ..
        }) => {
            metrics.received(subjects::IN_BANK_ORDER_ACK, "rejected");
            Err(AppError::Invalid {
                errors,
                message_id: Some(message_id),
            })
        }
        Err(e @ AckError::Conflict { .. }) => {
            metrics.received(subjects::IN_BANK_ORDER_ACK, "conflict");
            let kept = match &e {
                AckError::Conflict { message_id, .. } => message_id.clone(),
                _ => String::new(),
            };
            Err(AppError::Conflict(format!(
                "{e}. The acknowledgement was kept as message {kept}."
            )))
        }
        Err(AckError::Storage(e)) => Err(AppError::from(e)),
    }
}

/// One order with its state and the bank's answer, for staff of its case's office (404 for
/// other offices).
#[utoipa::path(
    get,
    path = "/v1/bank/orders/{order_id}",
    tag = "bank-orders",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("order_id" = String, Path, description = "The order id (`ord-…`).")),
    responses(
        (status = 200, description = "The order, its state and acknowledgement.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
async fn get_order(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(order_id): Path<String>,
) -> Result<Json<OrderView>, AppError> {
    let order = store::load(&state.db, &order_id)
        .await?
        .ok_or(AppError::NotFound("order".into()))?;
    visible_case(&state, &actor, &order.case_id)
        .await
        .map_err(|_| AppError::NotFound("order".into()))?;
    Ok(Json(order))
}

/// The orders of a case, oldest first, for staff of its office.
#[utoipa::path(
    get,
    path = "/v1/cases/{id}/bank-orders",
    tag = "bank-orders",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The case id (`case-…`).")),
    responses(
        (status = 200, description = "The case's account orders.", body = [Object]),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
async fn get_case_orders(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<OrderView>>, AppError> {
    visible_case(&state, &actor, &id).await?;
    Ok(Json(store::for_case(&state.db, &id).await?))
}

/// What an officer sends to issue an order; the hub adds the case, office, account holder
/// (the case's debtor), payment reference and time.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct OrderRequest {
    kind: OrderKind,
    bank: String,
    account: String,
    amount_vnd: Vnd,
    decision_number: String,
    #[serde(with = "thads_schemas::bank::iso_date")]
    #[schema(value_type = String, format = Date)]
    decision_date: Date,
    /// Defaults to the article of the law for the kind of order.
    #[serde(default)]
    legal_basis: Vec<String>,
    #[serde(default)]
    references: Option<String>,
    #[serde(default)]
    destination_account: Option<String>,
    /// The debtor party whose account it is (`P2`); defaults to the case's first debtor.
    #[serde(default)]
    holder_party: Option<String>,
    /// Makes a retry safe: the same request id on the same case is the same order.
    #[serde(default)]
    request_id: Option<String>,
    /// An urgent freeze ordered by record (biên bản) ahead of its decision; `decision_number`
    /// is then the record's number, and a `confirm_freeze` must follow within 24 hours.
    #[serde(default)]
    by_record: bool,
}

fn default_basis(kind: OrderKind) -> &'static str {
    match kind {
        OrderKind::Freeze => "Điều 67 Luật Thi hành án dân sự",
        OrderKind::Deduct => "Điều 76 Luật Thi hành án dân sự",
        OrderKind::Release => "Điều 77 Luật Thi hành án dân sự",
        OrderKind::Payout => "Điều 47 Luật Thi hành án dân sự",
        OrderKind::ConfirmFreeze => "Điều 67 khoản 2 Luật Thi hành án dân sự",
    }
}

fn invalid(field: &str, reason: impl Into<String>) -> AppError {
    AppError::Invalid {
        errors: vec![FieldError::new(field, reason)],
        message_id: None,
    }
}

/// Issues an order for a case as the signed-in head or officer of its office: 201 with the
/// order, 200 when the same `request_id` was issued before. A freeze or deduction is the
/// measure itself: it is performed on the case (`apply_measure`) in the same transaction, so
/// the state machine's roles, states and amounts apply (403, 409 or 422 otherwise) and the
/// order's deadlines start (`docs/bank.md`).
#[utoipa::path(
    post,
    path = "/v1/cases/{id}/bank-orders",
    tag = "bank-orders",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The case id (`case-…`).")),
    request_body(content = OrderRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The same `request_id` was issued before: that order.", body = Object),
        (status = 201, description = "Issued: the order goes to the bank.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
async fn post_case_order(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(case_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<OrderView>), AppError> {
    require_role(&actor, &[Role::Head, Role::Officer])?;
    let body = state.body(body)?;
    let request: OrderRequest = super::extract::json_body(&body)?;
    let case = sqlx::query("SELECT office_code, payment_reference FROM cases WHERE id = $1")
        .bind(&case_id)
        .fetch_optional(state.db.pool())
        .await?
        .ok_or(AppError::NotFound("case".into()))?;
    let office_code: String = case.try_get("office_code").map_err(AppError::from)?;
    let office = OfficeCode::parse(&office_code)
        .map_err(|e| AppError::Internal(format!("case {case_id} has office {office_code}: {e}")))?;
    require_office(&actor, &office)?;
    if request.decision_date > vietnam_date(time::OffsetDateTime::now_utc()) {
        return Err(invalid(
            "/decision_date",
            format!(
                "{} is in the future: an order carries a decision already made",
                request.decision_date
            ),
        ));
    }
    let order_id = match &request.request_id {
        Some(r) if r.trim().is_empty() || r.len() > 128 => {
            return Err(invalid("/request_id", "must be 1 to 128 characters"))
        }
        Some(r) => format!(
            "ord-{}",
            &thads_schemas::content_hash(format!("{case_id}\n{r}").as_bytes())[..24]
        ),
        None => format!("ord-{}", uuid::Uuid::now_v7().simple()),
    };
    if let Some(existing) = store::load(&state.db, &order_id).await? {
        if existing.case_id != case_id {
            return Err(AppError::Conflict(format!(
                "request id already used for order {order_id} of another case"
            )));
        }
        return Ok((StatusCode::OK, Json(existing)));
    }
    let debtors = sqlx::query(
        "SELECT party_ref, name, cccd FROM case_parties WHERE case_id = $1 AND role = 'debtor' \
         ORDER BY party_ref",
    )
    .bind(&case_id)
    .fetch_all(state.db.pool())
    .await?;
    let mut holder = None;
    for d in &debtors {
        let party_ref: String = d.try_get("party_ref").map_err(AppError::from)?;
        if request
            .holder_party
            .as_deref()
            .is_none_or(|p| p == party_ref)
        {
            holder = Some(d);
            break;
        }
    }
    let Some(holder) = holder else {
        return Err(invalid(
            "/holder_party",
            "must name a debtor (người phải thi hành án) of the case",
        ));
    };
    let name: String = holder.try_get("name").map_err(AppError::from)?;
    let cccd: Option<String> = holder.try_get("cccd").map_err(AppError::from)?;
    let payment_reference: String = case.try_get("payment_reference").map_err(AppError::from)?;
    let legal_basis = if request.legal_basis.is_empty() {
        vec![default_basis(request.kind).to_string()]
    } else {
        request.legal_basis
    };
    let order = AccountOrder {
        order_id: order_id.clone(),
        kind: request.kind,
        case_id: case_id.clone(),
        office,
        bank: request.bank,
        account: request.account,
        holder_name: PersonalText::new(&name),
        holder_cccd: cccd.as_deref().and_then(|c| Cccd::parse(c).ok()),
        amount_vnd: request.amount_vnd,
        legal_basis,
        decision_number: request.decision_number,
        decision_date: request.decision_date,
        by_record: request.by_record,
        destination_account: request.destination_account,
        references: request.references,
        payment_reference: (request.kind == OrderKind::Deduct).then_some(payment_reference),
        issued_at: rfc3339(now_ms()),
    };
    let issued = issue_on_case(&state, &order, &actor).await?;
    tracing::info!(
        case = %case_id,
        order = %issued.order_id,
        kind = %order.kind,
        bank = %order.bank,
        actor = %actor.username,
        "account order issued"
    );
    let view = store::load(&state.db, &issued.order_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("order {} vanished", issued.order_id)))?;
    let status = if issued.repeated {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(view)))
}

/// How often an order is tried again when its case changed while it was being issued.
const CASE_RACE_RETRIES: usize = 5;

/// Issues `order` and applies it to its case in one transaction, trying again when another
/// writer changed the case meanwhile.
async fn issue_on_case(
    state: &AppState,
    order: &AccountOrder,
    actor: &thads_core::staff::Actor,
) -> Result<thads_bank::orders::Issued, AppError> {
    let now = time::OffsetDateTime::now_utc();
    for _ in 0..CASE_RACE_RETRIES {
        let mut tx = state.db.begin().await?;
        let issued = issue(&mut tx, order).await?;
        if issued.repeated {
            tx.rollback().await?;
            return Ok(issued);
        }
        if apply(&state.lifecycle, &mut tx, order, actor, now)
            .await?
            .is_none()
        {
            tx.rollback().await?;
            continue;
        }
        tx.commit().await?;
        state.outbox.notify();
        return Ok(issued);
    }
    Err(AppError::Conflict(format!(
        "case {} kept changing while order {} was issued; try again",
        order.case_id, order.order_id
    )))
}
