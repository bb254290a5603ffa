//! `POST /v1/bank/notifications`: a bank sends a camt.054 notification; every booked credit is
//! recorded once (by bank and entry reference) before the 202, and entry errors come back in the
//! answer. `GET /v1/reconciliation` lists the payments no case could be found for.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use thads_bank::intake::{accept_notification, BankIntakeError};
use thads_core::cases::payments::{self, UnmatchedView};
use thads_schemas::subjects;

use super::problem::AppError;
use super::{require_xml, AppState};

/// Accepts one bank notification.
pub(crate) async fn post_notification(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    state.open_for_partners()?;
    let body = state.body(body)?;
    require_xml(&headers, header::CONTENT_TYPE)?;
    match accept_notification(&state.db, &state.outbox, &body).await {
        Ok(acceptance) => {
            let new = acceptance.payments.iter().filter(|p| !p.duplicate).count();
            let outcome = if new == 0 && !acceptance.payments.is_empty() {
                "duplicate"
            } else {
                "accepted"
            };
            state.metrics.received(subjects::IN_BANK_PAYMENT, outcome);
            Ok((StatusCode::ACCEPTED, Json(acceptance)).into_response())
        }
        Err(BankIntakeError::Rejected {
            message_id, errors, ..
        }) => {
            state
                .metrics
                .received(subjects::IN_BANK_PAYMENT, "rejected");
            Err(AppError::Invalid {
                errors,
                message_id: Some(message_id),
            })
        }
        Err(BankIntakeError::Storage(e)) => Err(AppError::from(e)),
    }
}

/// The reconciliation queue.
pub(crate) async fn get_reconciliation(
    State(state): State<AppState>,
) -> Result<Json<Vec<UnmatchedView>>, AppError> {
    Ok(Json(payments::unmatched(&state.db).await?))
}
