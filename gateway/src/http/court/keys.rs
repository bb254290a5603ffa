//! What partners need to check the hub's word without calling anyone: `GET /v1/keys` publishes
//! every public key the hub has signed receipts and evidences with, and
//! `GET /v1/court/evidences?court=CODE&since=RFC3339` lets a court pull the signed evidences of
//! what became of its judgments.
//!
//! Each listing also says, by evidence id under `deliveries`, whether the hub's push to the
//! court's endpoint was confirmed (`delivered_at`) and after how many attempts
//! (`delivery_attempts`); it stays outside the signed documents so they verify unchanged.
//!
//! Over the partner TLS listener a court reads only its own evidences (`court` defaults to
//! its certificate's code; another court's code gets 403). On the plain listener (embedded,
//! or `partner_tls.allow_plain_partners`) they are read by court code alone. They hold no
//! personal data (ids, hashes, reasons).

use axum::extract::State;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use thads_core::evidence::{self, MAX_PAGE};
use thads_core::partners::{registry, Trust, ALGORITHM};
use thads_schemas::validation::FieldError;

use super::super::extract::Query;
use super::super::partner_gate::CertifiedPartner;
use super::super::problem::{answers, AppError};
use super::super::AppState;

/// The routes of this module, merged into the main router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/keys", get(get_keys))
        .route("/v1/court/evidences", get(get_evidences))
}

/// The hub's public keys, the current one marked.
#[utoipa::path(
    get,
    path = "/v1/keys",
    tag = "court",
    responses((status = 200, description = "The hub's public keys (ed25519), the current one marked.", body = Object)),
)]
async fn get_keys(
    State(state): State<AppState>,
    trust: Option<Extension<Trust>>,
) -> Result<Json<Value>, AppError> {
    let current = trust
        .as_ref()
        .map(|Extension(t)| t.hub_key.key_id().to_string());
    let keys = registry::hub_keys(&state.db)
        .await
        .map_err(|e| AppError::Unavailable(format!("partner registry: {e}.")))?;
    let keys: Vec<Value> = keys
        .into_iter()
        .map(|k| {
            let is_current = current.as_deref() == Some(k.key_id.as_str());
            let mut v = serde_json::to_value(&k).unwrap_or_default();
            if let Some(map) = v.as_object_mut() {
                map.insert("current".into(), Value::from(is_current));
            }
            v
        })
        .collect();
    Ok(Json(json!({
        "alg": ALGORITHM,
        "canonicalization": "RFC 8785 (JCS) of the document without its \"signature\" member",
        "keys": keys,
    })))
}

/// Query of `GET /v1/court/evidences`.
#[derive(Debug, Deserialize)]
struct EvidenceQuery {
    /// The court code (`Court/@code`).
    court: Option<String>,
    /// Only evidences at or after this instant (RFC 3339).
    since: Option<String>,
    /// At most this many (default and cap 500).
    limit: Option<i64>,
}

/// One court's signed evidences, oldest first.
#[utoipa::path(
    get,
    path = "/v1/court/evidences",
    tag = "court",
    security((), ("partner_certificate" = [])),
    params(
        ("court" = String, Query, description = "The court code (`Court/@code`).", min_length = 1),
        ("since" = Option<String>, Query, description = "Only evidences at or after this instant (RFC 3339)."),
        ("limit" = Option<i64>, Query, description = "At most this many (default and cap 500).", minimum = 1, maximum = 500),
    ),
    responses(
        (status = 200, description = "The court's signed evidences, oldest first, and their deliveries to its endpoint: `{court, evidences: [...], deliveries: {...}}`.", body = Object),
        answers::Forbidden,
        answers::Invalid,
        answers::TooManyRequests,
    ),
)]
async fn get_evidences(
    State(state): State<AppState>,
    certified: Option<Extension<CertifiedPartner>>,
    Query(q): Query<EvidenceQuery>,
) -> Result<Json<Value>, AppError> {
    let invalid = |field: &str, reason: &str| AppError::Invalid {
        errors: vec![FieldError {
            field: field.to_string(),
            reason: reason.to_string(),
        }],
        message_id: None,
    };
    // Over the partner TLS listener a court reads its own evidences only (its code by
    // default).
    let own = certified.map(|Extension(CertifiedPartner(p))| p.code);
    if let (Some(own), Some(asked)) = (&own, &q.court) {
        if own != asked {
            state
                .metrics
                .received(thads_schemas::subjects::OUT_COURT_REPORT, "forbidden");
            return Err(AppError::Forbidden(format!(
                "the client certificate is court {own}'s; a court reads only its own evidences, \
                 not court {asked}'s"
            )));
        }
    }
    let court = q
        .court
        .or(own)
        .filter(|c| thads_core::partners::is_valid_code(c))
        .ok_or_else(|| invalid("court", "give the court code, e.g. court=TAND79-KV1"))?;
    let since = match q.since.as_deref() {
        None => 0,
        Some(s) => parse_since(s).ok_or_else(|| {
            invalid(
                "since",
                "an RFC 3339 instant, e.g. 2026-04-14T00:00:00Z (encode '+' as %2B)",
            )
        })?,
    };
    let limit = q.limit.unwrap_or(MAX_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(invalid("limit", "must be 1 to 500"));
    }
    let evidences = evidence::list_for_court(&state.db, &court, since, limit)
        .await
        .map_err(|e| match e {
            evidence::EvidenceError::Sql(s) => AppError::from(s),
            other => AppError::Internal(other.to_string()),
        })?;
    let mut deliveries =
        thads_court::delivery_store::delivery_status(&state.db, &court, since, limit)
            .await
            .map_err(AppError::from)?;
    let listed: std::collections::BTreeSet<&str> = evidences
        .iter()
        .filter_map(|e| e.get("evidence_id").and_then(Value::as_str))
        .collect();
    deliveries.retain(|id, _| listed.contains(id.as_str()));
    Ok(Json(
        json!({ "court": court, "evidences": evidences, "deliveries": deliveries }),
    ))
}

/// An RFC 3339 instant as epoch milliseconds.
fn parse_since(s: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::parse_since;

    #[test]
    fn since_is_an_rfc3339_instant() {
        assert_eq!(parse_since("1970-01-01T00:00:01.5Z"), Some(1_500));
        assert_eq!(parse_since("1970-01-01T07:00:00+07:00"), Some(0));
        assert_eq!(parse_since("yesterday"), None);
    }
}
