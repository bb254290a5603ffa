//! The read side: `GET /v1/cases/{id}`, `GET /v1/messages/{id}` (the message's journey) and
//! `GET /v1/messages/{id}/payload` (the original bytes).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use thads_core::cases::query::CaseView;
use thads_core::journey::{self, MessageView};

use super::problem::AppError;
use super::AppState;

/// One case.
pub(crate) async fn get_case(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<CaseView>, AppError> {
    thads_core::cases::query::load(&state.db, &id, Some(state.lifecycle.schedule()))
        .await?
        .map(Json)
        .ok_or(AppError::NotFound("case".into()))
}

/// One message and its journey.
pub(crate) async fn get_message(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<MessageView>, AppError> {
    journey::load(&state.db, &id)
        .await?
        .map(Json)
        .ok_or(AppError::NotFound("message".into()))
}

/// The original bytes of a message.
pub(crate) async fn get_payload(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (bytes, content_type) = journey::payload(&state.db, &id)
        .await?
        .ok_or(AppError::NotFound("message".into()))?;
    Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
}
