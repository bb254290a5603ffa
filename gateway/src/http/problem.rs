//! One error type for every HTTP answer that is not a success: each variant maps to a status
//! and an RFC 9457 problem+json body that names the field and the reason; internals go to
//! the log, never to the partner.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use thads_schemas::validation::FieldError;

/// The problem+json body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub kind: &'static str,
    /// A short, stable summary.
    #[schema(value_type = String)]
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What happened in this case.
    pub detail: String,
    /// Each field at fault and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The id the rejected bytes are kept under, for audit and support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
}

/// Errors the HTTP layer answers with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The document failed validation (422).
    #[error("validation failed")]
    Invalid {
        /// Each field and why.
        errors: Vec<FieldError>,
        /// Where the rejected bytes are kept.
        message_id: Option<String>,
    },
    /// Wrong media type (415).
    #[error("unsupported media type: {0}")]
    MediaType(String),
    /// Body too large (413).
    #[error("body larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// The same document id with different content (409).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The operation is not allowed in the case's current state (409); the detail says
    /// which states allow it.
    #[error("refused: {0}")]
    Refused(String),
    /// No valid session or credentials (401): sign in first, or again.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// Signed in, but not allowed to do this (403): role, office or CSRF check.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Nothing with that id (404).
    #[error("{0} not found")]
    NotFound(String),
    /// The partner sends faster than its rate limit (429); retry after the given seconds.
    #[error("too many requests; retry after {retry_after_s} s")]
    TooManyRequests {
        /// Whole seconds until a request would be accepted again.
        retry_after_s: u64,
    },
    /// Maintenance or a backend down: the partner should retry (503).
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A bug or an unexpected failure (500); the detail is logged, not shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    fn problem(&self) -> (StatusCode, Problem) {
        let (status, kind, title, detail) = match self {
            Self::Invalid { .. } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "urn:thads:problem:validation",
                "The document is not valid",
                "One or more fields are wrong; see errors. The document was kept for audit and not processed.".to_string(),
            ),
            Self::MediaType(d) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "urn:thads:problem:media-type",
                "Unsupported media type",
                d.clone(),
            ),
            Self::TooLarge { limit } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "urn:thads:problem:too-large",
                "Body too large",
                format!("The body exceeds the limit of {limit} bytes."),
            ),
            Self::Conflict(d) => (
                StatusCode::CONFLICT,
                "urn:thads:problem:conflict",
                "Conflicts with an accepted message",
                d.clone(),
            ),
            Self::Refused(d) => (
                StatusCode::CONFLICT,
                "urn:thads:problem:illegal-transition",
                "The operation is not allowed now",
                d.clone(),
            ),
            Self::Unauthorized(d) => (
                StatusCode::UNAUTHORIZED,
                "urn:thads:problem:unauthorized",
                "Sign-in required",
                d.clone(),
            ),
            Self::Forbidden(d) => (
                StatusCode::FORBIDDEN,
                "urn:thads:problem:forbidden",
                "Not allowed",
                d.clone(),
            ),
            Self::NotFound(what) => (
                StatusCode::NOT_FOUND,
                "urn:thads:problem:not-found",
                "Not found",
                format!("No {what} with that id."),
            ),
            Self::TooManyRequests { retry_after_s } => (
                StatusCode::TOO_MANY_REQUESTS,
                "urn:thads:problem:rate-limited",
                "Too many requests",
                format!(
                    "This partner sends faster than its limit; nothing was accepted. Retry after {retry_after_s} s."
                ),
            ),
            Self::Unavailable(d) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "urn:thads:problem:unavailable",
                "Temporarily unavailable",
                format!("{d} Nothing was accepted; please retry later."),
            ),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "urn:thads:problem:internal",
                "Internal error",
                "The hub failed unexpectedly; nothing was accepted. The incident was logged.".to_string(),
            ),
        };
        let (errors, message_id) = match self {
            Self::Invalid { errors, message_id } => (errors.clone(), message_id.clone()),
            _ => (Vec::new(), None),
        };
        (
            status,
            Problem {
                kind,
                title,
                status: status.as_u16(),
                detail,
                errors,
                message_id,
            },
        )
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::Internal(detail) | Self::Unavailable(detail) = &self {
            tracing::error!(error = %detail, "request failed");
        }
        let (status, problem) = self.problem();
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        if let Self::TooManyRequests { retry_after_s } = &self {
            if let Ok(v) = header::HeaderValue::from_str(&retry_after_s.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        if let Self::Unauthorized(_) = &self {
            // RFC 9110: a 401 names the scheme that would be accepted.
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"thads-hub\""),
            );
        }
        response
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        Self::Unavailable(format!("database: {e}."))
    }
}

/// The error answers as OpenAPI responses, one type per status, listed by each handler's
/// `#[utoipa::path(responses(...))]` (`answers::NotFound`, …) so the wording of each status is
/// written once.
pub(crate) mod answers {
    // These types describe answers for the OpenAPI document; they are never built.
    #![allow(dead_code)]

    use super::Problem;

    /// 401.
    #[derive(utoipa::IntoResponses)]
    #[response(
        status = 401,
        description = "No valid session or credential.",
        content_type = "application/problem+json"
    )]
    pub(crate) struct Unauthorized(#[to_schema] Problem);

    /// 403.
    #[derive(utoipa::IntoResponses)]
    #[response(
        status = 403,
        description = "Not allowed for this role, office or partner.",
        content_type = "application/problem+json"
    )]
    pub(crate) struct Forbidden(#[to_schema] Problem);

    /// 404.
    #[derive(utoipa::IntoResponses)]
    #[response(
        status = 404,
        description = "Not found, or of another office.",
        content_type = "application/problem+json"
    )]
    pub(crate) struct NotFound(#[to_schema] Problem);

    /// 409.
    #[derive(utoipa::IntoResponses)]
    #[response(
        status = 409,
        description = "Conflict: not allowed in the current state, or already done.",
        content_type = "application/problem+json"
    )]
    pub(crate) struct Conflict(#[to_schema] Problem);

    /// 413.
    #[derive(utoipa::IntoResponses)]
    #[response(
        status = 413,
        description = "Body too large.",
        content_type = "application/problem+json"
    )]
    pub(crate) struct TooLarge(#[to_schema] Problem);

    /// 415.
    #[derive(utoipa::IntoResponses)]
    #[response(
        status = 415,
        description = "Wrong media type.",
        content_type = "application/problem+json"
    )]
    pub(crate) struct MediaType(#[to_schema] Problem);

    /// 422.
    #[derive(utoipa::IntoResponses)]
    #[response(
        status = 422,
        description = "A field or parameter is wrong: each one named, with why.",
        content_type = "application/problem+json"
    )]
    pub(crate) struct Invalid(#[to_schema] Problem);

    /// 429.
    #[derive(utoipa::IntoResponses)]
    #[response(
        status = 429,
        description = "Over the partner's rate limit; retry after `Retry-After`.",
        content_type = "application/problem+json"
    )]
    pub(crate) struct TooManyRequests(#[to_schema] Problem);

    /// 503.
    #[derive(utoipa::IntoResponses)]
    #[response(
        status = 503,
        description = "Maintenance, a backend down or a partner channel not configured; retry later.",
        content_type = "application/problem+json"
    )]
    pub(crate) struct Unavailable(#[to_schema] Problem);
}
