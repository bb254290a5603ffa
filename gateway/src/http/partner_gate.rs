//! Who may call the partner endpoints. On the partner TLS listener every request carries the
//! fingerprint of a client certificate the partners' CA signed ([`PeerCertificate`]); the gate
//! serves only the partner endpoints there, finds the certificate's partner in the registry
//! (403 for an unknown or revoked certificate), checks that the partner's kind may call the
//! endpoint (a bank cannot post court judgments: 403) and hands the handlers the partner
//! ([`CertifiedPartner`]), which check the resource (a court's own judgments, a bank's own
//! accounts and orders). On the plain listener the partner endpoints are refused (403) once a
//! TLS listener runs, unless `partner_tls.allow_plain_partners` keeps them open.
//!
//! Refusals are counted as `thads_messages_in_total{outcome=…}`: `unknown_certificate`,
//! `revoked_certificate`, `invalid_certificate`, `forbidden` (wrong kind or resource) and
//! `wrong_listener`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use thads_core::db::now_ms;
use thads_core::partners::certificates::{self, IdentifyError};
use thads_core::partners::{PartnerId, PartnerKind};
use thads_schemas::subjects;
use thads_schemas::validation::FieldError;

use super::problem::{AppError, Problem};
use super::AppState;

/// The client certificate a request came with over the partner TLS listener (set by the
/// listener; never present on the plain listener).
#[derive(Debug, Clone)]
pub struct PeerCertificate {
    /// Lower-case hex SHA-256 of the certificate's DER bytes.
    pub fingerprint: Arc<str>,
}

/// The partner a request over the partner TLS listener was identified as, for the handlers'
/// checks of the resource.
#[derive(Debug, Clone)]
pub struct CertifiedPartner(pub PartnerId);

/// A route served on the partner TLS listener.
struct PartnerRoute {
    path: &'static str,
    /// The subject its messages are counted under; `None` for the public reads.
    subject: Option<&'static str>,
    /// The kinds of partner that may call it.
    kinds: &'static [PartnerKind],
    /// Whether the plain listener serves it to partners too (refused there once a TLS
    /// listener runs); the Treasury statement is a staff route on the plain listener.
    partner_on_plain: bool,
}

const ROUTES: &[PartnerRoute] = &[
    PartnerRoute {
        path: "/v1/court/judgments",
        subject: Some(subjects::IN_COURT_JUDGMENT),
        kinds: &[PartnerKind::Court],
        partner_on_plain: true,
    },
    PartnerRoute {
        path: "/v1/court/evidences",
        subject: Some(subjects::OUT_COURT_REPORT),
        kinds: &[PartnerKind::Court],
        partner_on_plain: true,
    },
    PartnerRoute {
        path: "/v1/bank/notifications",
        subject: Some(subjects::IN_BANK_PAYMENT),
        kinds: &[PartnerKind::Bank],
        partner_on_plain: true,
    },
    PartnerRoute {
        path: "/v1/bank/orders/acks",
        subject: Some(subjects::IN_BANK_ORDER_ACK),
        kinds: &[PartnerKind::Bank],
        partner_on_plain: true,
    },
    PartnerRoute {
        path: "/v1/vneid/receipts",
        subject: Some(subjects::IN_VNEID_RECEIPT),
        kinds: &[PartnerKind::Vneid],
        partner_on_plain: true,
    },
    PartnerRoute {
        path: "/v1/treasury/statements",
        subject: Some(subjects::IN_TREASURY_STATEMENT),
        kinds: &[PartnerKind::Treasury],
        partner_on_plain: false,
    },
    PartnerRoute {
        path: "/v1/keys",
        subject: None,
        kinds: &PartnerKind::ALL,
        partner_on_plain: false,
    },
    PartnerRoute {
        path: "/healthz",
        subject: None,
        kinds: &PartnerKind::ALL,
        partner_on_plain: false,
    },
    // The API description, for partners who reach the hub over TLS only.
    PartnerRoute {
        path: "/openapi.json",
        subject: None,
        kinds: &PartnerKind::ALL,
        partner_on_plain: false,
    },
];

fn route(path: &str) -> Option<&'static PartnerRoute> {
    ROUTES.iter().find(|r| r.path == path)
}

/// The subject a path is counted under on the partner TLS listener (for the rate limit).
pub(crate) fn tls_subject(path: &str) -> Option<&'static str> {
    route(path).and_then(|r| r.subject)
}

/// The partner endpoints, as `docs/partner-tls.md` lists them (for tests and docs).
pub fn tls_paths() -> impl Iterator<Item = &'static str> {
    ROUTES.iter().map(|r| r.path)
}

/// The middleware on every request of both listeners.
pub(crate) async fn gate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<PeerCertificate>().cloned();
    match peer {
        Some(peer) => tls(state, peer, request, next).await,
        None => plain(state, request, next).await,
    }
}

async fn plain(state: AppState, request: Request, next: Next) -> Response {
    let refused =
        !state.partners_on_plain && route(request.uri().path()).is_some_and(|r| r.partner_on_plain);
    if !refused {
        return next.run(request).await;
    }
    if let Some(subject) = tls_subject(request.uri().path()) {
        state.metrics.received(subject, "wrong_listener");
    }
    AppError::Forbidden(
        "Partner endpoints are served on the partner TLS listener, to a registered client \
         certificate (docs/partner-tls.md); this listener does not take them."
            .into(),
    )
    .into_response()
}

async fn tls(state: AppState, peer: PeerCertificate, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let Some(route) = route(&path) else {
        return problem(
            StatusCode::NOT_FOUND,
            "urn:thads:problem:not-found",
            "Not found",
            format!("The partner TLS listener serves only the partner endpoints, not {path}."),
            Vec::new(),
            None,
        );
    };
    let count = |outcome: &str| {
        state
            .metrics
            .received(route.subject.unwrap_or("partner"), outcome)
    };
    let partner = match certificates::identify(&state.db, &peer.fingerprint, now_ms()).await {
        Ok(found) => found.partner,
        Err(IdentifyError::Refused(refusal)) => {
            count(refusal.code());
            tracing::info!(reason = refusal.code(), fingerprint = %peer.fingerprint, path = %path, "partner certificate refused");
            return AppError::Forbidden(format!(
                "{refusal}; register it with `thads-hub partner add … --cert` (docs/partner-tls.md)."
            ))
            .into_response();
        }
        Err(IdentifyError::Registry(e)) => {
            return AppError::Unavailable(format!("partner registry: {e}.")).into_response()
        }
    };
    if !route.kinds.contains(&partner.kind) {
        count("forbidden");
        return AppError::Forbidden(format!(
            "{partner} is a {} partner; {path} takes only {}.",
            partner.kind,
            route
                .kinds
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into_response();
    }
    request.extensions_mut().insert(CertifiedPartner(partner));
    next.run(request).await
}

/// The 403 for a certified partner that may not act on this resource: a problem+json naming
/// the field and the reason, and where the refused bytes are kept. Counted as
/// `thads_messages_in_total{outcome="forbidden"}`.
pub(crate) fn wrong_partner(
    state: &AppState,
    subject: &str,
    field: &str,
    reason: String,
    message_id: Option<String>,
) -> Response {
    state.metrics.received(subject, "forbidden");
    let kept = if message_id.is_some() {
        " The message was kept for audit and not processed."
    } else {
        ""
    };
    problem(
        StatusCode::FORBIDDEN,
        "urn:thads:problem:wrong-partner",
        "The partner may not act on this resource",
        format!("{reason}.{kept}"),
        vec![FieldError::new(field, reason)],
        message_id,
    )
}

fn problem(
    status: StatusCode,
    kind: &'static str,
    title: &'static str,
    detail: String,
    errors: Vec<FieldError>,
    message_id: Option<String>,
) -> Response {
    let body = Problem {
        kind,
        title,
        status: status.as_u16(),
        detail,
        errors,
        message_id,
    };
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        serde_json::to_string(&body).unwrap_or_default(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_partner_endpoint_names_who_may_call_it() {
        assert_eq!(
            route("/v1/court/judgments").map(|r| r.kinds),
            Some(&[PartnerKind::Court][..])
        );
        assert_eq!(
            tls_subject("/v1/treasury/statements"),
            Some(subjects::IN_TREASURY_STATEMENT)
        );
        assert!(route("/v1/cases/x").is_none());
        assert!(route("/v1/treasury/statements").is_some_and(|r| !r.partner_on_plain));
        assert!(tls_paths().any(|p| p == "/v1/vneid/receipts"));
    }
}
