//! E-receipts over HTTP: `GET /v1/receipts/{id}` returns the receipt document signed with the
//! hub's key (verifiable with `GET /v1/keys`, like court receipts and evidences; its state in
//! `X-Receipt-State`), `GET /v1/cases/{id}/receipts` lists a case's receipts, and
//! `POST /v1/receipts/{id}/void` (head only, with a reason) voids one and issues its
//! replacement with a new number. Reads are for staff of the issuing office (administrators
//! above it); other offices get 404.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::Value;
use thads_core::partners::Trust;
use thads_core::receipts::store::{self, ReceiptError, ReceiptSummary, Voided};
use thads_schemas::office::OfficeCode;
use thads_schemas::validation::FieldError;

use super::auth::{visible_case, CurrentActor};
use super::extract::Path;
use super::problem::{answers, AppError};
use super::AppState;

/// The header carrying a receipt's state (`issued` or `void`) next to its signed document.
const STATE_HEADER: HeaderName = HeaderName::from_static("x-receipt-state");

/// The receipt routes, merged into the hub's router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/receipts/{id}", get(get_receipt))
        .route("/v1/receipts/{id}/void", post(post_void))
        .route("/v1/cases/{id}/receipts", get(get_case_receipts))
}

impl From<ReceiptError> for AppError {
    fn from(e: ReceiptError) -> Self {
        match e {
            ReceiptError::NotFound(_) => AppError::NotFound("receipt".into()),
            ReceiptError::AlreadyVoid { .. } => AppError::Conflict(e.to_string()),
            ReceiptError::Forbidden(d) => AppError::Forbidden(d),
            ReceiptError::Invalid { field, reason } => AppError::Invalid {
                errors: vec![FieldError { field, reason }],
                message_id: None,
            },
            ReceiptError::Document { .. } => AppError::Internal(e.to_string()),
            ReceiptError::Sql(e) => AppError::from(e),
        }
    }
}

fn key(trust: Option<Extension<Trust>>) -> Result<Trust, AppError> {
    trust
        .map(|Extension(t)| t)
        .ok_or_else(|| AppError::Unavailable("The hub's signing key is not loaded.".into()))
}

/// The signed receipt document; `X-Receipt-State` says whether it was voided, and a `Link`
/// with `rel="successor-version"` names its replacement.
/// Staff of the issuing office (and administrators above it) only; 404 for other offices.
#[utoipa::path(
    get,
    path = "/v1/receipts/{id}",
    tag = "money",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The receipt id (`bl-…`).")),
    responses(
        (status = 200, description = "The signed e-receipt; `X-Receipt-State` says issued or void.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
async fn get_receipt(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    trust: Option<Extension<Trust>>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (summary, _) = store::find(&state.db, &id)
        .await?
        .filter(|(_, office)| OfficeCode::parse(office).is_ok_and(|o| actor.covers_office(&o)))
        .ok_or(AppError::NotFound("receipt".into()))?;
    let trust = key(trust)?;
    let document: Value = store::signed(&state.db, &trust.hub_key, &id).await?;
    let mut response = Json(document).into_response();
    if let Ok(v) = HeaderValue::from_str(&summary.state) {
        response.headers_mut().insert(STATE_HEADER, v);
    }
    if let Some(next) = &summary.replaced_by {
        if let Ok(v) =
            HeaderValue::from_str(&format!("</v1/receipts/{next}>; rel=\"successor-version\""))
        {
            response.headers_mut().insert(header::LINK, v);
        }
    }
    Ok(response)
}

/// A case's receipts, in the order they were issued (signing any not signed yet).
/// Staff of the case's office only; 404 for other offices.
#[utoipa::path(
    get,
    path = "/v1/cases/{id}/receipts",
    tag = "money",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The case id (`case-…`).")),
    responses(
        (status = 200, description = "The case's receipts.", body = [Object]),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
async fn get_case_receipts(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    trust: Option<Extension<Trust>>,
    Path(id): Path<String>,
) -> Result<Json<Vec<ReceiptSummary>>, AppError> {
    visible_case(&state, &actor, &id).await?;
    let mut list = store::for_case(&state.db, &id).await?;
    if let Some(Extension(trust)) = trust {
        if list.iter().any(|r| !r.signed) {
            for r in list.iter().filter(|r| !r.signed) {
                store::signed(&state.db, &trust.hub_key, &r.receipt_id).await?;
            }
            list = store::for_case(&state.db, &id).await?;
        }
    }
    Ok(Json(list))
}

/// Voids a receipt (head of the issuing office, `{"reason": …}` required) and issues its
/// replacement: 200 with both, 403 for another role or office, 409 when already void, 422
/// without a reason.
#[utoipa::path(
    post,
    path = "/v1/receipts/{id}/void",
    tag = "money",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The receipt id.")),
    request_body(content = Object, content_type = "application/json", description = "`{\"reason\": \"…\"}`"),
    responses(
        (status = 200, description = "Voided, with its replacement.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
async fn post_void(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    trust: Option<Extension<Trust>>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Voided>, AppError> {
    let body = state.body(body)?;
    let v: Value = serde_json::from_slice(&body).map_err(|e| AppError::Invalid {
        errors: vec![FieldError::new("body", format!("not JSON: {e}"))],
        message_id: None,
    })?;
    if let Some(k) = v
        .as_object()
        .and_then(|o| o.keys().find(|k| k.as_str() != "reason"))
    {
        return Err(AppError::Invalid {
            errors: vec![FieldError::new(format!("/{k}"), "unknown field")],
            message_id: None,
        });
    }
    let reason = v["reason"].as_str().unwrap_or_default();
    let outcome = store::void(&state.db, &actor, &id, reason).await;
    let label = match &outcome {
        Ok(_) => "performed",
        Err(ReceiptError::Forbidden(_)) => "forbidden",
        Err(ReceiptError::AlreadyVoid { .. }) => "refused",
        Err(ReceiptError::Invalid { .. }) => "invalid",
        Err(ReceiptError::NotFound(_)) => "not_found",
        Err(_) => "error",
    };
    state.metrics.operation("void_receipt", label);
    let done = outcome?;
    state.outbox.notify();
    tracing::info!(
        receipt = %id,
        replacement = %done.replacement.receipt_id,
        actor = %actor.username,
        "receipt voided and replaced"
    );
    if let Ok(trust) = key(trust) {
        if let Err(e) = store::signed(&state.db, &trust.hub_key, &done.replacement.receipt_id).await
        {
            tracing::warn!(receipt = %done.replacement.receipt_id, error = %e, "cannot sign the replacement yet");
        }
    }
    Ok(Json(done))
}
