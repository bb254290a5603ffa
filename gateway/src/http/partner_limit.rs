//! The per-partner rate limit on the partner endpoints: each partner (its client certificate's
//! fingerprint when it came over the partner TLS listener, else its client address) has its
//! own token bucket
//! (`http.partner_rate_per_second`, `http.partner_burst`); a partner over its limit gets 429
//! with `Retry-After` before its body is read, and the refusal is counted as
//! `thads_messages_in_total{outcome="rate_limited"}`. Staff endpoints are not limited here.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use thads_schemas::subjects;

use super::problem::AppError;
use super::AppState;

/// Who a partner request is counted against, when something earlier (the TLS listener) knows
/// the partner; the client address is used otherwise.
#[derive(Debug, Clone)]
pub struct RateKey(pub String);

/// The subject a partner path feeds, for the metric; `None` for paths that are not partner
/// endpoints.
fn partner_subject(path: &str) -> Option<&'static str> {
    Some(match path {
        "/v1/court/judgments" => subjects::IN_COURT_JUDGMENT,
        "/v1/court/evidences" => subjects::OUT_COURT_REPORT,
        "/v1/bank/notifications" => subjects::IN_BANK_PAYMENT,
        "/v1/bank/orders/acks" => subjects::IN_BANK_ORDER_ACK,
        "/v1/vneid/receipts" => subjects::IN_VNEID_RECEIPT,
        p if p.starts_with("/v1/portal/complaints") => subjects::IN_CITIZEN_COMPLAINT,
        _ => return None,
    })
}

/// The middleware: passes staff traffic through, limits partner traffic.
pub(crate) async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let on_tls = request.extensions().get::<RateKey>().is_some();
    let subject = partner_subject(request.uri().path()).or_else(|| {
        on_tls
            .then(|| super::partner_gate::tls_subject(request.uri().path()))
            .flatten()
    });
    let (Some(limiter), Some(subject)) = (state.partner_limiter.as_deref(), subject) else {
        return next.run(request).await;
    };
    let key = match request.extensions().get::<RateKey>() {
        Some(RateKey(k)) => k.clone(),
        None => request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| format!("ip:{}", c.0.ip()))
            .unwrap_or_else(|| "ip:unknown".into()),
    };
    match limiter.check(&key, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            state.metrics.received(subject, "rate_limited");
            AppError::TooManyRequests {
                retry_after_s: wait.as_secs().max(1),
            }
            .into_response()
        }
    }
}
