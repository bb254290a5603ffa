//! The State Treasury over HTTP: a head or officer posts the Treasury's statement of received
//! transfers (`POST /v1/treasury/statements`) and gets each transfer of their offices matched
//! by reference and amount, with the mismatches listed; staff of a case's office follow its
//! transfers (`GET /v1/cases/{id}/treasury-transfers`).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use thads_core::staff::Role;
use thads_schemas::office::OfficeCode;
use thads_schemas::validation::FieldError;
use thads_treasury::statement::{self, Reconciliation, Statement};
use thads_treasury::transfer::{self, TransferView};

use super::auth::{require_role, visible_case, CurrentActor};
use super::problem::AppError;
use super::AppState;

/// The Treasury routes, merged into the hub's router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/treasury/statements", post(post_statement))
        .route("/v1/cases/{id}/treasury-transfers", get(get_transfers))
}

/// Reconciles the Treasury's statement against the transfers of the signed-in person's offices.
async fn post_statement(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Reconciliation>, AppError> {
    require_role(&actor, &[Role::Head, Role::Officer, Role::Administrator])?;
    let body = state.body(body)?;
    let statement: Statement = serde_json::from_slice(&body).map_err(|e| AppError::Invalid {
        errors: vec![FieldError::new("body", e.to_string())],
        message_id: None,
    })?;
    if statement.statement_id.trim().is_empty() || statement.statement_id.len() > 128 {
        return Err(AppError::Invalid {
            errors: vec![FieldError::new(
                "/statement_id",
                "must be 1 to 128 characters",
            )],
            message_id: None,
        });
    }
    let done = statement::reconcile(&state.db, &statement, |office| {
        OfficeCode::parse(office).is_ok_and(|o| actor.covers_office(&o))
    })
    .await?;
    tracing::info!(
        statement = %done.statement_id,
        matched = done.matched.len(),
        mismatches = done.mismatches.len(),
        actor = %actor.username,
        "treasury statement reconciled"
    );
    Ok(Json(done))
}

/// A case's transfers to the Treasury, oldest first.
async fn get_transfers(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(case_id): Path<String>,
) -> Result<Json<Vec<TransferView>>, AppError> {
    visible_case(&state, &actor, &case_id).await?;
    Ok(Json(transfer::for_case(&state.db, &case_id).await?))
}
