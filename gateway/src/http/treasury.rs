//! The State Treasury over HTTP: the Treasury itself (over the partner TLS listener, with its
//! client certificate) or a head or officer posts the Treasury's statement of received
//! transfers (`POST /v1/treasury/statements`) and gets each transfer of their offices matched
//! by reference and amount, with the mismatches listed (the statement kept with its journey,
//! refused ones too); staff of a case's office follow its
//! transfers (`GET /v1/cases/{id}/treasury-transfers`).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use thads_core::staff::Role;
use thads_schemas::office::OfficeCode;
use thads_schemas::validation::FieldError;
use thads_treasury::statement::{self, Reconciliation, Statement};
use thads_treasury::transfer::{self, TransferView};

use super::auth::{require_role, visible_case, CurrentActor};
use super::extract::Path;
use super::partner_gate::CertifiedPartner;
use super::problem::{answers, AppError};
use super::AppState;

/// The Treasury routes, merged into the hub's router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/treasury/statements", post(post_statement))
        .route("/v1/cases/{id}/treasury-transfers", get(get_transfers))
}

/// Who posts a statement: the Treasury itself over the partner TLS listener (its client
/// certificate; every office's transfers), or a head, officer or administrator with a session
/// (their offices' transfers).
enum StatementSender {
    Treasury,
    Staff(thads_core::staff::Actor),
}

impl FromRequestParts<AppState> for StatementSender {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        // The partner gate lets only the Treasury's certificate reach this route over TLS.
        if parts.extensions.get::<CertifiedPartner>().is_some() {
            return Ok(Self::Treasury);
        }
        let CurrentActor(actor) = CurrentActor::from_request_parts(parts, state).await?;
        require_role(&actor, &[Role::Head, Role::Officer, Role::Administrator])?;
        Ok(Self::Staff(actor))
    }
}

/// Reconciles the Treasury's statement against the transfers of the sender's offices.
#[utoipa::path(
    post,
    path = "/v1/treasury/statements",
    tag = "treasury",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
        ("partner_certificate" = []),
    ),
    request_body(content = Object, content_type = "application/json", description = "The State Treasury's statement of received transfers: `{\"statement_id\", \"transfers\": [{\"reference\", \"amount_vnd\"}]}` (docs/disbursement.md). Kept with its journey on `in.treasury.statement`; the same statement again answers the same."),
    responses(
        (status = 200, description = "Reconciled: matched transfers and mismatches.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::Conflict,
        answers::TooLarge,
        answers::Invalid,
    ),
)]
async fn post_statement(
    State(state): State<AppState>,
    sender: StatementSender,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Reconciliation>, AppError> {
    if matches!(sender, StatementSender::Treasury) {
        state.open_for_partners()?;
    }
    let body = state.body(body)?;
    let partner = match &sender {
        StatementSender::Treasury => "treasury".to_string(),
        StatementSender::Staff(actor) => format!("staff:{}", actor.username),
    };
    let parsed = super::extract::json_body::<Statement>(&body).and_then(|s| {
        if s.statement_id.trim().is_empty() || s.statement_id.len() > 128 {
            Err(AppError::Invalid {
                errors: vec![FieldError::new(
                    "/statement_id",
                    "must be 1 to 128 characters",
                )],
                message_id: None,
            })
        } else {
            Ok(s)
        }
    });
    let statement = match parsed {
        Ok(s) => s,
        // Refused bytes are kept with the reasons, like any rejected input.
        Err(AppError::Invalid { errors, .. }) => {
            let reason = errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ");
            let id = statement::record_refused(&state.db, &partner, &body, &reason).await?;
            state
                .metrics
                .received(thads_schemas::subjects::IN_TREASURY_STATEMENT, "rejected");
            return Err(AppError::Invalid {
                errors,
                message_id: Some(id),
            });
        }
        Err(other) => return Err(other),
    };
    let apply = match statement::record(&state.db, &statement.statement_id, &partner, &body)
        .await?
    {
        statement::Recorded::New => true,
        statement::Recorded::Again => false,
        statement::Recorded::Different => {
            return Err(AppError::Conflict(format!(
                "statement {} was sent before with other content; send a correction under a new statement_id",
                statement.statement_id
            )))
        }
    };
    let done = statement::reconcile(
        &state.db,
        &statement,
        |office| match &sender {
            StatementSender::Treasury => true,
            StatementSender::Staff(actor) => {
                OfficeCode::parse(office).is_ok_and(|o| actor.covers_office(&o))
            }
        },
        apply,
    )
    .await?;
    statement::record_outcome(&state.db, &done).await?;
    if matches!(sender, StatementSender::Treasury) {
        state
            .metrics
            .received(thads_schemas::subjects::IN_TREASURY_STATEMENT, "accepted");
    }
    tracing::info!(
        statement = %done.statement_id,
        matched = done.matched.len(),
        mismatches = done.mismatches.len(),
        by = match &sender {
            StatementSender::Treasury => "treasury (client certificate)",
            StatementSender::Staff(actor) => actor.username.as_str(),
        },
        "treasury statement reconciled"
    );
    Ok(Json(done))
}

/// A case's transfers to the Treasury, oldest first.
#[utoipa::path(
    get,
    path = "/v1/cases/{id}/treasury-transfers",
    tag = "treasury",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The case id (`case-…`).")),
    responses(
        (status = 200, description = "The case's transfers to the State Treasury.", body = [Object]),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
async fn get_transfers(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(case_id): Path<String>,
) -> Result<Json<Vec<TransferView>>, AppError> {
    visible_case(&state, &actor, &case_id).await?;
    Ok(Json(transfer::for_case(&state.db, &case_id).await?))
}
