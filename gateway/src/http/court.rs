//! `POST /v1/court/judgments`: a court pushes one judgment as XML, signed with its registered
//! key (`X-Signature`, `X-Signature-Key`), and gets a receipt signed by the hub once the
//! message is durable (202), its original receipt again for a resend (200, marked duplicate),
//! or a problem+json naming each wrong field or the signature's fault (4xx). The signature
//! format is in `docs/partners-signatures.md`.

pub(super) mod keys;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Map, Value};
use thads_core::partners::verify::{parse_headers, SIGNATURE_HEADER, SIGNATURE_KEY_HEADER};
use thads_core::partners::{seal, SignatureRefusal, Trust};
use thads_court::{accept_signed_judgment, Acceptance, IntakeError, Signing};
use thads_schemas::subjects;
use thads_schemas::validation::FieldError;

use super::partner_gate::{wrong_partner, CertifiedPartner};
use super::problem::{answers, AppError, Problem};
use super::{require_xml, AppState};

/// The `type` member of every receipt, so a receipt's signature can never pass for an
/// evidence's or the reverse.
pub(crate) const RECEIPT_TYPE: &str = "urn:thads:receipt:v1";

/// Accepts one judgment document.
#[utoipa::path(
    post,
    path = "/v1/court/judgments",
    tag = "court",
    security(
        (),
        ("court_signature" = []),
        ("partner_certificate" = []),
    ),
    request_body(content = String, content_type = "application/xml", description = "A judgment, decision, interim measure, correction or annulment in the hub's court schema (`schemas/court/judgment-v1.xsd`), signed in `X-Signature` / `X-Signature-Key` (docs/partners-signatures.md)."),
    params(
        ("X-Signature" = Option<String>, Header, description = "The court's ed25519 signature of the body (base64)."),
        ("X-Signature-Key" = Option<String>, Header, description = "The registered key id that signed it."),
    ),
    responses(
        (status = 200, description = "Seen before: the original signed receipt, marked duplicate.", body = Object),
        (status = 202, description = "Accepted: the signed receipt; the message is durable.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
        answers::TooManyRequests,
        answers::Unavailable,
    ),
)]
pub(crate) async fn post_judgment(
    State(state): State<AppState>,
    trust: Option<Extension<Trust>>,
    certified: Option<Extension<CertifiedPartner>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    state.open_for_partners()?;
    let body = state.body(body)?;
    if let Err(e) = require_xml(&headers, header::CONTENT_TYPE) {
        state
            .metrics
            .received(subjects::IN_COURT_JUDGMENT, "rejected");
        return Err(e);
    }
    let trust = trust.map(|Extension(t)| t);
    let signing = Signing {
        presented: signature_headers(&headers),
        required: trust.as_ref().is_some_and(|t| t.require_court_signatures),
        certificate_court: certified.map(|Extension(CertifiedPartner(p))| p.code),
    };
    let outcome =
        accept_signed_judgment(&state.db, &state.outbox, &body, "application/xml", &signing).await;
    if let Some(t) = &trust {
        // An evidence (accepted or rejected) may have been recorded: let the sealer sign it.
        t.evidence.notify();
    }
    match outcome {
        Ok(a) => {
            let outcome = if a.duplicate { "duplicate" } else { "accepted" };
            state.metrics.received(subjects::IN_COURT_JUDGMENT, outcome);
            let status = if a.duplicate {
                StatusCode::OK
            } else {
                StatusCode::ACCEPTED
            };
            let receipt = receipt(&a);
            let receipt = match &trust {
                Some(t) => seal(&t.hub_key, receipt)
                    .map_err(|e| AppError::Internal(format!("cannot sign the receipt: {e}")))?,
                None => receipt,
            };
            Ok((status, Json(receipt)).into_response())
        }
        Err(IntakeError::Rejected { message_id, errors }) => {
            state
                .metrics
                .received(subjects::IN_COURT_JUDGMENT, "rejected");
            tracing::info!(msg_id = %message_id, fields = errors.len(), "judgment rejected at intake");
            Err(AppError::Invalid {
                errors,
                message_id: Some(message_id),
            })
        }
        Err(IntakeError::SignatureRefused {
            message_id,
            refusal,
        }) => {
            state
                .metrics
                .received(subjects::IN_COURT_JUDGMENT, "rejected");
            Ok(signature_refused(&refusal, message_id))
        }
        Err(IntakeError::WrongCourt {
            message_id,
            certificate,
            court,
        }) => Ok(wrong_partner(
            &state,
            subjects::IN_COURT_JUDGMENT,
            "Judgment/Court/@code",
            format!(
                "the client certificate is court {certificate}'s; a court pushes only its own \
                 documents, and this one is court {court}'s"
            ),
            Some(message_id),
        )),
        Err(IntakeError::Conflict { message_id }) => {
            state
                .metrics
                .received(subjects::IN_COURT_JUDGMENT, "rejected");
            Err(AppError::Conflict(format!(
                "Message {message_id} was accepted under the same court and document id with different content; send a new document id for a corrected judgment."
            )))
        }
        Err(IntakeError::Storage(e)) => Err(AppError::from(e)),
    }
}

/// The two signature headers, parsed; a header that is not visible ASCII is malformed.
fn signature_headers(
    headers: &HeaderMap,
) -> Result<Option<thads_core::partners::PresentedSignature>, SignatureRefusal> {
    let read = |name: &'static str| {
        headers
            .get(name)
            .map(|v| {
                v.to_str().map_err(|_| SignatureRefusal::Malformed {
                    header: name,
                    reason: "not visible ASCII".into(),
                })
            })
            .transpose()
    };
    parse_headers(read(SIGNATURE_HEADER)?, read(SIGNATURE_KEY_HEADER)?)
}

/// The receipt document before it is sealed: what the hub attests it accepted.
fn receipt(a: &Acceptance) -> Value {
    let mut map = Map::new();
    map.insert("type".into(), Value::from(RECEIPT_TYPE));
    map.insert("receipt_id".into(), Value::from(a.receipt_id.as_str()));
    map.insert("message_id".into(), Value::from(a.message_id.as_str()));
    map.insert("status".into(), Value::from("accepted"));
    map.insert("received_at".into(), Value::from(a.received_at.as_str()));
    map.insert("duplicate".into(), Value::from(a.duplicate));
    map.insert("court".into(), Value::from(a.court_code.as_str()));
    map.insert("document_id".into(), Value::from(a.document_id.as_str()));
    map.insert("content_hash".into(), Value::from(a.content_hash.as_str()));
    if let Some(key) = &a.signature_key {
        map.insert("court_key_id".into(), Value::from(key.as_str()));
    }
    if a.duplicate {
        map.insert(
            "detail".into(),
            Value::from("duplicate of an accepted message; this is its original receipt"),
        );
    }
    Value::Object(map)
}

/// The answer to a refused signature: 401 when the sender could not be authenticated, 403 when
/// it was but may not send for the court named; a problem+json naming the header, the reason
/// (`code`), and where the refused bytes are kept.
fn signature_refused(refusal: &SignatureRefusal, message_id: String) -> Response {
    let (status, title) = if refusal.is_forbidden() {
        (
            StatusCode::FORBIDDEN,
            "The signing key may not send for this court",
        )
    } else {
        (StatusCode::UNAUTHORIZED, "The signature was refused")
    };
    tracing::info!(msg_id = %message_id, reason = refusal.code(), "judgment refused: signature");
    let problem = Problem {
        kind: "urn:thads:problem:signature",
        title,
        status: status.as_u16(),
        detail: format!("{refusal}. The document was kept for audit and not processed."),
        errors: vec![FieldError {
            field: refusal.header().to_string(),
            reason: refusal.to_string(),
        }],
        message_id: Some(message_id),
    };
    let mut body = serde_json::to_value(&problem).unwrap_or_default();
    if let Some(map) = body.as_object_mut() {
        map.insert("code".into(), Value::from(refusal.code()));
    }
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        // RFC 9110: a 401 names the scheme that would be accepted.
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("X-Signature alg=\"ed25519\", realm=\"thads-hub\""),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn acceptance(duplicate: bool, key: Option<&str>) -> Acceptance {
        Acceptance {
            receipt_id: "rcp-1".into(),
            message_id: "jdg-1".into(),
            received_at: "2026-04-14T01:02:03Z".into(),
            duplicate,
            court_code: "TAND79-KV1".into(),
            document_id: "DOC-1".into(),
            content_hash: "ab".repeat(32),
            signature_key: key.map(str::to_string),
        }
    }

    #[test]
    fn receipts_say_what_was_accepted() {
        let r = receipt(&acceptance(false, Some("K1")));
        assert_eq!(r["type"], RECEIPT_TYPE);
        assert_eq!(r["court_key_id"], "K1");
        assert_eq!(r["duplicate"], false);
        assert!(r.get("detail").is_none());
        let r = receipt(&acceptance(true, None));
        assert!(r.get("court_key_id").is_none());
        assert!(r["detail"].as_str().unwrap().contains("original receipt"));
    }

    #[test]
    fn refusals_map_to_401_or_403_with_the_header_named() {
        let r = signature_refused(&SignatureRefusal::Missing, "rej-1".into());
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r.headers().contains_key(header::WWW_AUTHENTICATE));
        let r = signature_refused(
            &SignatureRefusal::WrongPartner {
                key_id: "K".into(),
                owner: "court:A1".into(),
                court: "court:B1".into(),
            },
            "rej-2".into(),
        );
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
}
