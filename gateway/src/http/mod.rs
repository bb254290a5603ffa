//! The HTTP surface: partner endpoints, the read side and operations, on one axum router built
//! by [`router`] so tests can drive it without a socket.

mod audit;
pub mod auth;
mod bank;
mod bank_orders;
mod cases;
pub(crate) mod complaints;
mod console_api;
mod console_ops;
pub mod console_partners;
mod console_ui;
mod court;
mod deadlines;
pub(crate) mod decisions;
mod disbursement;
mod extract;
mod extractions;
mod openapi;
mod ops;
pub mod partner_gate;
pub mod partner_limit;
pub mod party;
mod payouts;
mod portal;
pub mod problem;
mod read;
mod receipts;
mod reception;
mod reconciliation;
mod reports;
mod requests;
pub(crate) mod scans;
mod treasury;
mod verification;
pub(crate) mod vneid;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use axum::Router;
use thads_core::bus::Bus;
use thads_core::db::Db;
use thads_core::deadlines::store::Schedule;
use thads_core::lifecycle::Lifecycle;
use thads_core::metrics::Metrics;
use thads_core::outbox::OutboxSignal;
use tower_http::trace::TraceLayer;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The bus.
    pub bus: Arc<dyn Bus>,
    /// Wakes the outbox relay after a commit.
    pub outbox: OutboxSignal,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Largest accepted body.
    pub body_limit: usize,
    /// Per-request time limit.
    pub request_timeout: Duration,
    /// Performs operations on cases; holds the deadline schedule.
    pub lifecycle: Arc<Lifecycle>,
    /// The daily deadline digest, for the administrator's "send now".
    pub digest: Option<Arc<thads_core::digest::Digest>>,
    /// Each partner's rate limit on the partner endpoints (`http.partner_rate_per_second`);
    /// `None` when off.
    pub partner_limiter: Option<Arc<thads_core::rate_limit::KeyedLimiter>>,
    /// The certificates whose expiry the alerts watch (the TLS files, partners' certificates).
    pub certificates: thads_core::admin::alerts::CertificateSource,
    /// The outbound partners' endpoints and their console overlay (`docs/console.md`).
    pub endpoints: Arc<console_partners::PartnerEndpoints>,
    /// Staff sign-in settings (lock-out, session lifetimes, cookie); set by [`AppState::with_staff`].
    pub staff: Arc<crate::config::StaffConfig>,
    /// Party self-service: the VNeID relying party and `[party_portal]`; set by
    /// [`AppState::with_party`] (off by default).
    pub party: Arc<party::PartyPortal>,
    /// Whether the plain listener serves the partner endpoints (no partner TLS listener, or
    /// `partner_tls.allow_plain_partners`); see [`partner_gate`].
    pub partners_on_plain: bool,
    maintenance: Arc<AtomicBool>,
}

impl AppState {
    /// The state for a router.
    pub fn new(
        db: Db,
        bus: Arc<dyn Bus>,
        outbox: OutboxSignal,
        metrics: Arc<Metrics>,
        schedule: Schedule,
        http: &crate::config::HttpConfig,
        maintenance: bool,
    ) -> Self {
        Self {
            lifecycle: Arc::new(Lifecycle::new(db.clone(), schedule, outbox.clone())),
            db,
            bus,
            outbox,
            metrics,
            body_limit: http.body_limit,
            request_timeout: http.request_timeout,
            partner_limiter: thads_core::rate_limit::KeyedLimiter::new(
                http.partner_rate_per_second,
                http.partner_burst,
            )
            .map(Arc::new),
            certificates: Arc::new(Vec::new),
            endpoints: Arc::default(),
            staff: Arc::default(),
            party: Arc::default(),
            partners_on_plain: true,
            digest: None,
            maintenance: Arc::new(AtomicBool::new(maintenance)),
        }
    }

    /// The state with these staff sign-in settings instead of the defaults.
    pub fn with_staff(mut self, staff: crate::config::StaffConfig) -> Self {
        self.staff = Arc::new(staff);
        self
    }

    /// The state with this party portal (VNeID sign-in, deposit accounts).
    pub fn with_party(mut self, party: party::PartyPortal) -> Self {
        self.party = Arc::new(party);
        self
    }

    /// The state with the outbound partners' endpoints (the console's partner registry).
    pub fn with_endpoints(mut self, endpoints: console_partners::PartnerEndpoints) -> Self {
        self.endpoints = Arc::new(endpoints);
        self
    }

    /// The state with the digest service (for `POST /v1/admin/digest`).
    pub fn with_digest(mut self, digest: Arc<thads_core::digest::Digest>) -> Self {
        self.digest = Some(digest);
        self
    }

    /// The state with the partner TLS settings: whether the plain listener still serves
    /// partners, and the certificates the expiry alerts watch.
    pub fn with_partner_tls(
        mut self,
        partners_on_plain: bool,
        certificates: thads_core::admin::alerts::CertificateSource,
    ) -> Self {
        self.partners_on_plain = partners_on_plain;
        self.certificates = certificates;
        self
    }

    /// Whether maintenance is on.
    pub fn maintenance(&self) -> bool {
        self.maintenance.load(Ordering::Relaxed)
    }

    /// Switches maintenance.
    pub fn set_maintenance(&self, on: bool) {
        self.maintenance.store(on, Ordering::Relaxed);
    }
}

impl AppState {
    /// Refuses partner traffic while maintenance is on (503: the partner retries later).
    pub(crate) fn open_for_partners(&self) -> Result<(), problem::AppError> {
        if self.maintenance() {
            Err(problem::AppError::Unavailable(
                "The hub is in maintenance.".into(),
            ))
        } else {
            Ok(())
        }
    }

    /// The request body, or the problem for a body that is too large or unreadable.
    pub(crate) fn body(
        &self,
        body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
    ) -> Result<axum::body::Bytes, problem::AppError> {
        body.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                problem::AppError::TooLarge {
                    limit: self.body_limit,
                }
            } else {
                problem::AppError::Invalid {
                    errors: vec![thads_schemas::validation::FieldError {
                        field: "body".into(),
                        reason: e.body_text(),
                    }],
                    message_id: None,
                }
            }
        })
    }
}

/// Refuses any media type but XML.
pub(crate) fn require_xml(
    headers: &axum::http::HeaderMap,
    name: axum::http::header::HeaderName,
) -> Result<(), problem::AppError> {
    let content_type = headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if matches!(media.as_str(), "application/xml" | "text/xml") {
        Ok(())
    } else {
        Err(problem::AppError::MediaType(format!(
            "Content-Type must be application/xml, got {content_type:?}."
        )))
    }
}

/// The router with every route.
pub fn router(state: AppState) -> Router {
    let limit = state.body_limit;
    let timeout = state.request_timeout;
    Router::new()
        .route("/v1/court/judgments", post(court::post_judgment))
        .route("/v1/bank/notifications", post(bank::post_notification))
        .route("/v1/reconciliation", get(bank::get_reconciliation))
        .route("/v1/cases/{id}", get(read::get_case))
        .route("/v1/messages/{id}", get(read::get_message))
        .route("/v1/messages/{id}/payload", get(read::get_payload))
        .route("/v1/admin/maintenance", put(ops::put_maintenance))
        .route("/v1/admin/messages/{id}/replay", post(ops::post_replay))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .merge(auth::routes())
        .merge(court::keys::routes())
        .merge(bank_orders::routes())
        .merge(reconciliation::routes())
        .merge(receipts::routes())
        .merge(cases::routes())
        .merge(requests::routes())
        .merge(extractions::routes())
        .merge(reports::routes())
        .merge(decisions::routes())
        .merge(vneid::routes())
        .merge(verification::routes())
        .merge(disbursement::routes())
        .merge(payouts::routes())
        .merge(audit::routes())
        .merge(console_api::routes())
        .merge(console_ops::routes())
        .merge(console_partners::routes())
        .merge(console_ui::routes())
        .merge(treasury::routes())
        .merge(openapi::routes())
        .merge(party::routes())
        .merge(complaints::routes())
        .merge(portal::routes())
        .merge(reception::routes())
        .merge(deadlines::routes())
        .merge(scans::routes())
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            partner_gate::gate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            partner_limit::limit,
        ))
        .layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                within(timeout, req, next)
            },
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Answers 503 as problem+json (like every other error) when a request takes longer than
/// `limit` (`[http] request_timeout`); the work it started is dropped with the request.
async fn within(
    limit: Duration,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => problem::AppError::Unavailable(format!(
            "The request took longer than {} ms; nothing more was done. Please retry.",
            limit.as_millis()
        ))
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use axum::http::{header, StatusCode};
    use tower::ServiceExt;

    /// Regression: a request over the time limit used to get a bare 503 with an empty body.
    #[tokio::test]
    async fn a_request_over_the_time_limit_gets_a_problem_document() {
        let app = Router::new()
            .route(
                "/slow",
                axum::routing::get(|| async {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    "late"
                }),
            )
            .route("/quick", axum::routing::get(|| async { "on time" }))
            .layer(axum::middleware::from_fn(
                |req: axum::extract::Request, next: axum::middleware::Next| {
                    within(Duration::from_millis(50), req, next)
                },
            ));
        let get = |path: &str| {
            axum::http::Request::get(path)
                .body(axum::body::Body::empty())
                .unwrap()
        };
        let r = app.clone().oneshot(get("/slow")).await.unwrap();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        let body = axum::body::to_bytes(r.into_body(), 10_000).await.unwrap();
        let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(
            problem["detail"].as_str().unwrap().contains("50 ms"),
            "{problem}"
        );
        let r = app.oneshot(get("/quick")).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
}
