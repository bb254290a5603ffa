//! `POST /v1/court/judgments`: a court pushes one judgment as XML and gets a receipt once the
//! message is durable (202), its original receipt again for a resend (200, marked duplicate),
//! or a problem+json naming each wrong field (4xx).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use thads_court::{accept_judgment, IntakeError};
use thads_schemas::subjects;

use super::problem::AppError;
use super::{require_xml, AppState};

/// The receipt body.
#[derive(Debug, Serialize)]
struct Receipt {
    receipt_id: String,
    message_id: String,
    status: &'static str,
    received_at: String,
    duplicate: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'static str>,
}

/// Accepts one judgment document.
pub(crate) async fn post_judgment(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    state.open_for_partners()?;
    let body = state.body(body)?;
    if let Err(e) = require_xml(&headers, header::CONTENT_TYPE) {
        state
            .metrics
            .received(subjects::IN_COURT_JUDGMENT, "rejected");
        return Err(e);
    }
    match accept_judgment(&state.db, &state.outbox, &body, "application/xml").await {
        Ok(a) => {
            let outcome = if a.duplicate { "duplicate" } else { "accepted" };
            state.metrics.received(subjects::IN_COURT_JUDGMENT, outcome);
            let status = if a.duplicate {
                StatusCode::OK
            } else {
                StatusCode::ACCEPTED
            };
            let receipt = Receipt {
                receipt_id: a.receipt_id,
                message_id: a.message_id,
                status: "accepted",
                received_at: a.received_at,
                duplicate: a.duplicate,
                detail: a
                    .duplicate
                    .then_some("duplicate of an accepted message; this is its original receipt"),
            };
            Ok((status, Json(receipt)).into_response())
        }
        Err(IntakeError::Rejected { message_id, errors }) => {
            state
                .metrics
                .received(subjects::IN_COURT_JUDGMENT, "rejected");
            tracing::info!(msg_id = %message_id, fields = errors.len(), "judgment rejected at intake");
            Err(AppError::Invalid {
                errors,
                message_id: Some(message_id),
            })
        }
        Err(IntakeError::Conflict { message_id }) => {
            state
                .metrics
                .received(subjects::IN_COURT_JUDGMENT, "rejected");
            Err(AppError::Conflict(format!(
                "Message {message_id} was accepted under the same court and document id with different content; send a new document id for a corrected judgment."
            )))
        }
        Err(IntakeError::Storage(e)) => Err(AppError::from(e)),
    }
}
