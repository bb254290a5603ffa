//! Complaints and denunciations (khiếu nại, tố cáo) filed and followed by the signed-in party
//! (`/v1/me/complaints`): the same filing as at reception and through the portal, with the
//! complainant's CCCD and name taken from the VNeID sign-in and the channel `online`; the
//! party's own complaints with their deadlines and answer, and the signed answer as PDF.
//! A complaint (not a denunciation) is only for a case in which the person is a party; another
//! person's complaint answers 404, exactly like one that does not exist.

use crate::http::extract::Path;
use crate::http::problem::answers;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use thads_core::complaints::filing::{Filed, Source};
use thads_core::complaints::view::CitizenView;
use time::OffsetDateTime;

use super::super::complaints::{complaints, filed, pdf_response};
use super::super::problem::AppError;
use super::super::AppState;
use super::CurrentParty;

/// `POST /v1/me/complaints`: 201 with the complaint, 200 for a resend, 422 naming the field.
#[utoipa::path(
    post,
    path = "/v1/me/complaints",
    tag = "party",
    security(
        ("party_session" = []),
    ),
    request_body(
        content = thads_schemas::complaint::ComplaintFiling,
        content_type = "application/json",
        description = "The filing; `complainant.cccd`, `complainant.name` and `channel` may be left out: they come from the VNeID sign-in (`online`). A CCCD other than the signed-in one is refused.",
    ),
    responses(
        (status = 200, description = "Filed before (same `client_reference`, same bytes): the same complaint.", body = Object),
        (status = 201, description = "Filed online: routed to the competent head, its acceptance deadline started.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
        answers::Unavailable,
    ),
)]
pub(super) async fn file(
    State(state): State<AppState>,
    party: CurrentParty,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<Filed>), AppError> {
    let body = state.body(body)?;
    let c = complaints(&state)?;
    let source = Source::Party {
        cccd: &party.session.cccd,
        name: party.session.name.as_deref(),
    };
    let outcome = c.file(source, &body, OffsetDateTime::now_utc()).await;
    let label = match &outcome {
        Ok(f) if f.duplicate => "duplicate",
        Ok(_) => "performed",
        Err(thads_core::complaints::ComplaintError::Invalid { .. }) => "invalid",
        Err(_) => "refused",
    };
    state.metrics.operation("party_complaint", label);
    let f = outcome?;
    if !f.duplicate {
        tracing::info!(
            complaint = %f.complaint.id,
            party = %party.session.cccd.masked(),
            "complaint filed online through VNeID"
        );
    }
    Ok(filed(f))
}

/// `GET /v1/me/complaints`: the party's complaints, newest first.
#[utoipa::path(
    get,
    path = "/v1/me/complaints",
    tag = "party",
    security(
        ("party_session" = []),
    ),
    responses(
        (status = 200, description = "The complaints the person filed (any channel), with their deadlines and answer.", body = [Object]),
        answers::Unauthorized,
    ),
)]
pub(super) async fn list(
    State(state): State<AppState>,
    party: CurrentParty,
) -> Result<Json<Vec<CitizenView>>, AppError> {
    let c = complaints(&state)?;
    Ok(Json(
        c.citizen_list(&party.session.cccd, OffsetDateTime::now_utc())
            .await?,
    ))
}

/// `GET /v1/me/complaints/{id}`: one of the party's complaints.
#[utoipa::path(
    get,
    path = "/v1/me/complaints/{id}",
    tag = "party",
    security(
        ("party_session" = []),
    ),
    params(
        ("id" = String, Path, description = "The complaint id."),
    ),
    responses(
        (status = 200, description = "The complaint as its complainant sees it: state, deadlines, answer, what may come next.", body = Object),
        answers::Unauthorized,
        answers::NotFound,
    ),
)]
pub(super) async fn show(
    State(state): State<AppState>,
    party: CurrentParty,
    Path(id): Path<String>,
) -> Result<Json<CitizenView>, AppError> {
    let c = complaints(&state)?;
    Ok(Json(
        c.citizen_view(&id, &party.session.cccd, OffsetDateTime::now_utc())
            .await?,
    ))
}

/// `GET /v1/me/complaints/{id}/decision.pdf`: the signed answer.
#[utoipa::path(
    get,
    path = "/v1/me/complaints/{id}/decision.pdf",
    tag = "party",
    security(
        ("party_session" = []),
    ),
    params(
        ("id" = String, Path, description = "The complaint id."),
    ),
    responses(
        (status = 200, description = "The signed answer (quyết định giải quyết khiếu nại) as PDF.", body = Vec<u8>, content_type = "application/pdf"),
        answers::Unauthorized,
        answers::NotFound,
    ),
)]
pub(super) async fn decision(
    State(state): State<AppState>,
    party: CurrentParty,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let c = complaints(&state)?;
    Ok(pdf_response(
        &id,
        c.citizen_pdf(&id, &party.session.cccd).await?,
    ))
}
