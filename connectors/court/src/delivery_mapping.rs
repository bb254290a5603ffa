//! What travels on `out.court.report` → what a court receives. Two kinds of message share the
//! subject:
//!
//! - sealed evidences (`"type": "urn:thads:court-evidence:v1"`, signed by the sealer in
//!   `thads_core::evidence`): sent as the exact bytes on the bus, so the court verifies the
//!   hub's signature over what the hub stored;
//! - decision reports (`"kind": "decision_issued"`, queued unsigned by the decisions workflow):
//!   sealed here with the hub's key under `"type": "urn:thads:court-report:v1"`, so a court
//!   verifies every delivery the same way. Ed25519 is deterministic, so a retry sends the same
//!   bytes as long as the hub's key is the same.

use serde_json::Value;
use thads_core::evidence::EVIDENCE_TYPE;
use thads_core::partners::{seal, HubKey};

/// The `type` of a sealed decision report, so its signature can never pass for an evidence's
/// or a receipt's.
pub const REPORT_TYPE: &str = "urn:thads:court-report:v1";

/// One delivery to a court.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound {
    /// The evidence id (`evd-…`) or report id (`rpt-…`): the journey id and the
    /// `Idempotency-Key` the court de-duplicates on.
    pub id: String,
    /// The court code, upper-case.
    pub court: String,
    /// `accepted`, `rejected`, `case_opened`, `decision_issued`.
    pub kind: String,
    /// Whether it is a court evidence (kept in `court_evidences`) rather than a report.
    pub is_evidence: bool,
    /// The hub message that caused it (the judgment), for the journey.
    pub parent_id: Option<String>,
    /// The exact bytes to POST: a JSON document signed by the hub.
    pub body: Vec<u8>,
}

/// Why a payload cannot be delivered (never worth another try).
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    /// Not a JSON object.
    #[error("not a JSON document: {0}")]
    NotJson(String),
    /// A member is missing or has the wrong form.
    #[error("member {0:?} is missing or not a string")]
    Missing(&'static str),
    /// Neither an evidence nor a decision report.
    #[error("neither a court evidence nor a decision report")]
    Unknown,
    /// The court code is not one.
    #[error("{0:?} is not a court code")]
    Court(String),
    /// The report could not be sealed.
    #[error("cannot seal the report: {0}")]
    Seal(String),
}

fn text(doc: &Value, member: &'static str) -> Result<String, MappingError> {
    doc.get(member)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or(MappingError::Missing(member))
}

fn court_code(code: String) -> Result<String, MappingError> {
    let upper = code.to_ascii_uppercase();
    if thads_core::partners::is_valid_code(&upper) {
        Ok(upper)
    } else {
        Err(MappingError::Court(code))
    }
}

/// Reads one bus payload; `key` seals decision reports.
pub fn to_outbound(payload: &[u8], key: &HubKey) -> Result<Outbound, MappingError> {
    let doc: Value =
        serde_json::from_slice(payload).map_err(|e| MappingError::NotJson(e.to_string()))?;
    if !doc.is_object() {
        return Err(MappingError::NotJson("not an object".into()));
    }
    if doc.get("type").and_then(Value::as_str) == Some(EVIDENCE_TYPE) {
        if doc.get("signature").is_none() {
            return Err(MappingError::Missing("signature"));
        }
        return Ok(Outbound {
            id: text(&doc, "evidence_id")?,
            court: court_code(text(&doc, "court")?)?,
            kind: text(&doc, "kind")?,
            is_evidence: true,
            parent_id: doc
                .get("message_id")
                .and_then(Value::as_str)
                .map(str::to_string),
            body: payload.to_vec(),
        });
    }
    if doc.get("kind").and_then(Value::as_str) == Some("decision_issued") {
        let id = text(&doc, "report_id")?;
        let court = court_code(text(&doc, "court_code")?)?;
        let mut doc = doc;
        if let Some(map) = doc.as_object_mut() {
            map.insert("type".into(), Value::from(REPORT_TYPE));
        }
        let sealed = seal(key, doc).map_err(|e| MappingError::Seal(e.to_string()))?;
        return Ok(Outbound {
            id,
            court,
            kind: "decision_issued".into(),
            is_evidence: false,
            parent_id: None,
            body: sealed.to_string().into_bytes(),
        });
    }
    Err(MappingError::Unknown)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use thads_core::partners::keys::generate_signing_key;
    use thads_core::partners::verify_sealed;

    #[test]
    fn evidences_keep_their_bytes_and_reports_are_sealed() {
        let key = HubKey::new(generate_signing_key());
        let evidence = seal(
            &key,
            serde_json::json!({"type": EVIDENCE_TYPE, "evidence_id": "evd-1", "kind": "accepted",
                "court": "TAND79-KV1", "message_id": "jdg-1", "at": "2026-04-14T01:02:03.000Z"}),
        )
        .unwrap()
        .to_string();
        let out = to_outbound(evidence.as_bytes(), &key).unwrap();
        assert_eq!(out.body, evidence.as_bytes());
        assert_eq!(
            (out.id.as_str(), out.court.as_str()),
            ("evd-1", "TAND79-KV1")
        );
        assert_eq!(out.parent_id.as_deref(), Some("jdg-1"));
        assert!(out.is_evidence);

        let report = serde_json::json!({"kind": "decision_issued", "report_id": "rpt-1",
            "court_code": "TAND79-KV1", "case_id": "case-1", "judgment_date": null});
        let out = to_outbound(report.to_string().as_bytes(), &key).unwrap();
        assert_eq!(out.id, "rpt-1");
        let sealed: Value = serde_json::from_slice(&out.body).unwrap();
        assert_eq!(sealed["type"], REPORT_TYPE);
        let public = key.verifying_key();
        verify_sealed(&sealed, |k| (k == key.key_id()).then_some(public)).unwrap();
        // Deterministic: a retry sends the same bytes.
        let again = to_outbound(report.to_string().as_bytes(), &key).unwrap();
        assert_eq!(again.body, out.body);
    }

    #[test]
    fn other_payloads_are_refused() {
        let key = HubKey::new(generate_signing_key());
        for bad in [
            "not json",
            "[1]",
            r#"{"kind":"something"}"#,
            r#"{"type":"urn:thads:court-evidence:v1","evidence_id":"evd-1","kind":"accepted","court":"TAND79-KV1"}"#,
            r#"{"kind":"decision_issued","report_id":"rpt-1","court_code":"bad code"}"#,
        ] {
            assert!(to_outbound(bad.as_bytes(), &key).is_err(), "{bad}");
        }
    }
}
