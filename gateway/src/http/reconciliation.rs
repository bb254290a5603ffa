//! The reconciliation queue over HTTP, for signed-in staff: `GET /v1/payments/unmatched` lists
//! the payments the signed-in person may act on, with their candidate cases;
//! `GET /v1/payments/unmatched/{payment_id}` shows one with its audit trail; and
//! `POST /v1/payments/unmatched/{payment_id}/resolve` posts it on a case or returns it to the
//! payer (head or officer of the deposit account's office, a candidate's or the case's office).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use thads_core::partners::Trust;
use thads_core::reconciliation::queue::{self, QueueItem, StateFilter};
use thads_core::reconciliation::{resolve, Resolution, ResolveError, Resolved};
use thads_schemas::validation::FieldError;

use super::auth::CurrentActor;
use super::extract::{Path, Query};
use super::problem::{answers, AppError};
use super::AppState;

/// The reconciliation routes, merged into the hub's router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/payments/unmatched", get(get_queue))
        .route("/v1/payments/unmatched/{payment_id}", get(get_item))
        .route(
            "/v1/payments/unmatched/{payment_id}/resolve",
            post(post_resolve),
        )
}

impl From<ResolveError> for AppError {
    fn from(e: ResolveError) -> Self {
        match e {
            ResolveError::NotFound(_) => AppError::NotFound("queued payment".into()),
            ResolveError::AlreadyResolved { .. } => AppError::Conflict(e.to_string()),
            ResolveError::Forbidden(d) => AppError::Forbidden(d),
            ResolveError::Invalid { field, reason } => AppError::Invalid {
                errors: vec![FieldError { field, reason }],
                message_id: None,
            },
            ResolveError::Sql(e) => AppError::from(e),
        }
    }
}

/// `?state=all` lists resolved payments too.
#[derive(Debug, Deserialize)]
struct QueueQuery {
    #[serde(default)]
    state: Option<String>,
}

/// The queue as the signed-in person may see it, oldest first.
#[utoipa::path(
    get,
    path = "/v1/payments/unmatched",
    tag = "money",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("state" = Option<String>, Query, description = "`open` (default) or `all` (resolved ones too).", pattern = "^(open|all)$")),
    responses(
        (status = 200, description = "Payments no case could be matched to with confidence, with candidate cases.", body = [Object]),
        answers::Unauthorized,
        answers::Invalid,
    ),
)]
async fn get_queue(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(q): Query<QueueQuery>,
) -> Result<Json<Vec<QueueItem>>, AppError> {
    let filter = match q.state.as_deref() {
        None | Some("open") => StateFilter::Open,
        Some("all") => StateFilter::All,
        Some(other) => {
            return Err(AppError::Invalid {
                errors: vec![FieldError::new(
                    "state",
                    format!("{other:?} is not open or all"),
                )],
                message_id: None,
            })
        }
    };
    Ok(Json(queue::list(&state.db, &actor, filter).await?))
}

/// One queued payment with its candidates, resolution and audit trail.
#[utoipa::path(
    get,
    path = "/v1/payments/unmatched/{payment_id}",
    tag = "money",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("payment_id" = String, Path, description = "The payment id (`pay-…`).")),
    responses(
        (status = 200, description = "One item with its resolution and audit.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
async fn get_item(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(payment_id): Path<String>,
) -> Result<Json<QueueItem>, AppError> {
    let item = queue::load(&state.db, &payment_id)
        .await?
        .filter(|i| queue::may_see(&actor, &i.offices))
        .ok_or(AppError::NotFound("queued payment".into()))?;
    Ok(Json(item))
}

/// Posts a queued payment on a case or returns it to the payer: 200 with what was done (and
/// the receipt), 403 for another role or office, 409 when already resolved, 422 naming the
/// field (`/case_id` for an unknown case).
#[utoipa::path(
    post,
    path = "/v1/payments/unmatched/{payment_id}/resolve",
    tag = "money",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("payment_id" = String, Path, description = "The payment id.")),
    request_body(content = Object, content_type = "application/json", description = "`{\"action\": \"post\", \"case_id\": \"case-…\", \"reason\": \"…\"}` or `{\"action\": \"return\", \"reason\": \"…\"}`"),
    responses(
        (status = 200, description = "Posted on the case (with its receipt) or returned.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
async fn post_resolve(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    trust: Option<Extension<Trust>>,
    Path(payment_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Resolved>, AppError> {
    let body = state.body(body)?;
    let resolution = Resolution::from_json(&body)?;
    let outcome = resolve(
        &state.db,
        state.lifecycle.schedule(),
        &actor,
        &payment_id,
        &resolution,
    )
    .await;
    let label = match &outcome {
        Ok(_) => "performed",
        Err(ResolveError::Forbidden(_)) => "forbidden",
        Err(ResolveError::AlreadyResolved { .. }) => "refused",
        Err(ResolveError::Invalid { .. }) => "invalid",
        Err(ResolveError::NotFound(_)) => "not_found",
        Err(ResolveError::Sql(_)) => "error",
    };
    state.metrics.operation("resolve_payment", label);
    let done = outcome?;
    state.outbox.notify();
    tracing::info!(
        payment = %payment_id,
        outcome = %done.state,
        case = done.case_id.as_deref().unwrap_or("-"),
        actor = %actor.username,
        "queued payment resolved"
    );
    if let (Some(Extension(trust)), Some(receipt)) = (trust, &done.receipt) {
        // Sign the new receipt now that the key is at hand; a failure only delays signing
        // until the receipt is first read.
        if let Err(e) =
            thads_core::receipts::store::signed(&state.db, &trust.hub_key, &receipt.receipt_id)
                .await
        {
            tracing::warn!(receipt = %receipt.receipt_id, error = %e, "cannot sign the receipt yet");
        }
    }
    Ok(Json(done))
}
