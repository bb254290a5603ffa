//! The read side: `GET /v1/cases/{id}`, `GET /v1/messages/{id}` (the message's journey) and
//! `GET /v1/messages/{id}/payload` (the original bytes), for signed-in staff.
//!
//! A case is read by any member of its office and by administrators of the offices above it;
//! a message by the same people as its case (a message of no case by administrators only).
//! Everyone else gets 404, so other offices do not learn that a case or message exists.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use thads_core::cases::query::CaseView;
use thads_core::journey::{self, MessageView};
use thads_core::staff::{Actor, Role};

use super::auth::{visible_case, CurrentActor};
use super::extract::Path;
use super::problem::{answers, AppError};
use super::AppState;

/// One case, for staff of its office (CCCDs masked).
#[utoipa::path(
    get,
    path = "/v1/cases/{id}",
    tag = "cases",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The case id (`case-…`).")),
    responses(
        (status = 200, description = "The case: parties (CCCD masked), obligations, deadlines, history, notices, money.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
pub(crate) async fn get_case(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<CaseView>, AppError> {
    visible_case(&state, &actor, &id).await?;
    thads_core::cases::query::load(&state.db, &id, Some(state.lifecycle.schedule()))
        .await?
        .map(Json)
        .ok_or(AppError::NotFound("case".into()))
}

/// The message when `actor` may read it: a message of a case goes to whoever may read the
/// case (its office's staff, administrators above it); a message of no case (a rejected
/// document, an unmatched payment, a partner's acknowledgement) to administrators only.
/// 404 otherwise.
async fn visible_message(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> Result<MessageView, AppError> {
    let view = journey::load(&state.db, id)
        .await?
        .ok_or(AppError::NotFound("message".into()))?;
    let visible = match view.case_id.as_deref() {
        Some(case_id) => match visible_case(state, actor, case_id).await {
            Ok(_) => true,
            Err(AppError::NotFound(_)) => false,
            Err(e) => return Err(e),
        },
        None => actor.role == Role::Administrator,
    };
    if visible {
        Ok(view)
    } else {
        Err(AppError::NotFound("message".into()))
    }
}

/// One message and its journey.
#[utoipa::path(
    get,
    path = "/v1/messages/{id}",
    tag = "messages",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The message id.")),
    responses(
        (status = 200, description = "The message and its journey.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
pub(crate) async fn get_message(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<MessageView>, AppError> {
    visible_message(&state, &actor, &id).await.map(Json)
}

/// The original bytes of a message.
#[utoipa::path(
    get,
    path = "/v1/messages/{id}/payload",
    tag = "messages",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The message id.")),
    responses(
        (status = 200, description = "The original bytes, with their media type.", body = Vec<u8>, content_type = "application/octet-stream"),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
pub(crate) async fn get_payload(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    visible_message(&state, &actor, &id).await?;
    let (bytes, content_type) = journey::payload(&state.db, &id)
        .await?
        .ok_or(AppError::NotFound("message".into()))?;
    Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
}
