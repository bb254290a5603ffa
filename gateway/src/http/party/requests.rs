//! Requests for enforcement filed online by the signed-in party (`POST /v1/me/requests`): the
//! same acceptance as at reception (5-year limit, request book, receipt slip, tie to the case),
//! the requester taken from the VNeID sign-in, marked `filed_via: "vneid"`; and the party's own
//! requests with their slips. Another party's request answers 404.

use crate::http::extract::Path;
use crate::http::problem::answers;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use thads_core::portal::filing::{self, OnlineRequest};
use thads_core::requests::Accepted;
use time::OffsetDateTime;

use super::super::problem::AppError;
use super::super::AppState;
use super::CurrentParty;

/// `POST /v1/me/requests`: 201 with the slip's data, 200 for a resend, 422 naming the field.
#[utoipa::path(
    post,
    path = "/v1/me/requests",
    tag = "party",
    security(
        ("party_session" = []),
    ),
    request_body(content = thads_core::portal::filing::OnlineRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Filed before: the same slip.", body = Object),
        (status = 201, description = "Filed online: numbered in the request book, with the slip.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
pub(super) async fn file(
    State(state): State<AppState>,
    party: CurrentParty,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<Accepted>), AppError> {
    let body = state.body(body)?;
    let form: OnlineRequest = crate::http::extract::json_body(&body)?;
    let outcome = filing::file(
        &state.db,
        state.lifecycle.schedule(),
        &party.session.cccd,
        party.session.name.as_deref(),
        &form,
        OffsetDateTime::now_utc(),
    )
    .await;
    let label = match &outcome {
        Ok(a) if a.duplicate => "duplicate",
        Ok(_) => "performed",
        Err(thads_core::requests::RequestError::Invalid { .. }) => "invalid",
        Err(_) => "refused",
    };
    state.metrics.operation("party_request", label);
    let accepted = outcome.map_err(|e| match e {
        thads_core::requests::RequestError::Invalid { errors, message_id } => AppError::Invalid {
            errors,
            message_id: Some(message_id).filter(|m| !m.is_empty()),
        },
        other => AppError::from(other),
    })?;
    if accepted.duplicate {
        return Ok((StatusCode::OK, Json(accepted)));
    }
    state.outbox.notify();
    tracing::info!(
        request = %accepted.request_id,
        number = %accepted.register_number,
        party = %party.session.cccd.masked(),
        "request for enforcement filed online through VNeID"
    );
    Ok((StatusCode::CREATED, Json(accepted)))
}

/// `GET /v1/me/requests`: the party's requests, newest first.
#[utoipa::path(
    get,
    path = "/v1/me/requests",
    tag = "party",
    security(
        ("party_session" = []),
    ),
    responses(
        (status = 200, description = "The party's requests.", body = [Object]),
        answers::Unauthorized,
    ),
)]
pub(super) async fn list(
    State(state): State<AppState>,
    party: CurrentParty,
) -> Result<Json<Vec<Accepted>>, AppError> {
    Ok(Json(
        filing::requests_of(&state.db, &party.session.cccd).await?,
    ))
}

async fn own(state: &AppState, party: &CurrentParty, id: &str) -> Result<Accepted, AppError> {
    filing::request_of(&state.db, &party.session.cccd, id)
        .await?
        .ok_or(AppError::NotFound("request".into()))
}

/// `GET /v1/me/requests/{id}`: one of the party's requests.
#[utoipa::path(
    get,
    path = "/v1/me/requests/{id}",
    tag = "party",
    security(
        ("party_session" = []),
    ),
    params(
        ("id" = String, Path, description = "The request id."),
    ),
    responses(
        (status = 200, description = "One request's slip data.", body = Object),
        answers::Unauthorized,
        answers::NotFound,
    ),
)]
pub(super) async fn show(
    State(state): State<AppState>,
    party: CurrentParty,
    Path(id): Path<String>,
) -> Result<Json<Accepted>, AppError> {
    Ok(Json(own(&state, &party, &id).await?))
}

/// `GET /v1/me/requests/{id}/slip`: the printable receipt slip (phiếu nhận đơn).
#[utoipa::path(
    get,
    path = "/v1/me/requests/{id}/slip",
    tag = "party",
    security(
        ("party_session" = []),
    ),
    params(
        ("id" = String, Path, description = "The request id."),
    ),
    responses(
        (status = 200, description = "The printable receipt slip.", body = String, content_type = "text/html"),
        answers::Unauthorized,
        answers::NotFound,
    ),
)]
pub(super) async fn slip(
    State(state): State<AppState>,
    party: CurrentParty,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let a = own(&state, &party, &id).await?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Html(thads_core::requests::slip::html(&a)),
    )
        .into_response())
}
