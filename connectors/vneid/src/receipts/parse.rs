//! Checking the shape of a receipt body before anything is stored: one receipt or a batch of
//! `{notice_id, status, at, reason?}`, each error naming its field by JSON Pointer.

use serde::Serialize;
use serde_json::Value;
use thads_schemas::validation::FieldError;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

/// Receipts accepted in one body.
pub const MAX_BATCH: usize = 1000;

/// How far in the future a receipt's time may be (clock skew between the partners).
const SKEW: Duration = Duration::minutes(5);

/// What a receipt reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptStatus {
    /// The app delivered the notice to the citizen.
    Delivered,
    /// The citizen opened it.
    Read,
    /// VNeID could not deliver it.
    Failed,
    /// The citizen has no VNeID account.
    NoAccount,
}

impl ReceiptStatus {
    /// The status a receipt names, if it is one of the four.
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "delivered" => Self::Delivered,
            "read" => Self::Read,
            "failed" => Self::Failed,
            "no_account" => Self::NoAccount,
            _ => return None,
        })
    }
}

/// One checked receipt.
#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    /// The notice it is about.
    pub notice_id: String,
    /// What happened.
    pub status: ReceiptStatus,
    /// When, as VNeID reports it.
    pub at: OffsetDateTime,
    /// VNeID's reason for a failure (reduced to safe characters).
    pub reason: Option<String>,
}

/// The JSON Pointer of `name` in the receipt at `prefix` (`/notice_id`, `/1/notice_id`).
pub(super) fn field(prefix: &str, name: &str) -> String {
    format!("{prefix}/{name}")
}

/// A field error at `field`, saying why.
pub(super) fn error(field: String, reason: impl Into<String>) -> FieldError {
    FieldError {
        field,
        reason: reason.into(),
    }
}

/// Keeps a partner's reason only when it is a short code or phrase in plain ASCII (such as
/// `device_unreachable`), since it is shown to clerks and written to the journey: free text
/// could carry personal data, so anything else is dropped.
pub(super) fn safe_reason(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let safe = !trimmed.is_empty()
        && trimmed.len() <= 80
        && trimmed
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " -_.:/()".contains(c));
    safe.then(|| trimmed.to_string())
}

/// Checks one receipt's shape; errors name fields under `prefix`.
fn check_one(
    value: &Value,
    prefix: &str,
    now: OffsetDateTime,
    errors: &mut Vec<FieldError>,
) -> Option<Receipt> {
    let Some(obj) = value.as_object() else {
        errors.push(error(
            if prefix.is_empty() {
                "body".into()
            } else {
                prefix.to_string()
            },
            "must be an object {notice_id, status, at, reason?}",
        ));
        return None;
    };
    let before = errors.len();
    for key in obj.keys() {
        if !matches!(key.as_str(), "notice_id" | "status" | "at" | "reason") {
            errors.push(error(field(prefix, key), "unknown field"));
        }
    }
    let notice_id = match obj.get("notice_id").and_then(Value::as_str) {
        Some(id)
            if !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Some(id.to_string())
        }
        Some(_) => {
            errors.push(error(
                field(prefix, "notice_id"),
                "must be 1 to 128 printable ASCII characters",
            ));
            None
        }
        None => {
            errors.push(error(field(prefix, "notice_id"), "is required (a string)"));
            None
        }
    };
    let status = match obj.get("status").and_then(Value::as_str) {
        Some(s) => ReceiptStatus::parse(s).or_else(|| {
            errors.push(error(
                field(prefix, "status"),
                "must be delivered, read, failed or no_account",
            ));
            None
        }),
        None => {
            errors.push(error(field(prefix, "status"), "is required (a string)"));
            None
        }
    };
    let at = match obj.get("at").and_then(Value::as_str) {
        Some(s) => match OffsetDateTime::parse(s, &Rfc3339) {
            Ok(t) if t > now + SKEW => {
                errors.push(error(field(prefix, "at"), "is in the future"));
                None
            }
            Ok(t) => Some(t),
            Err(_) => {
                errors.push(error(
                    field(prefix, "at"),
                    "must be an RFC 3339 time such as 2026-04-20T09:30:00+07:00",
                ));
                None
            }
        },
        None => {
            errors.push(error(field(prefix, "at"), "is required (RFC 3339)"));
            None
        }
    };
    let reason = match obj.get("reason") {
        None | Some(Value::Null) => None,
        Some(Value::String(r)) if r.chars().count() <= 500 => safe_reason(r),
        Some(_) => {
            errors.push(error(
                field(prefix, "reason"),
                "must be a string of at most 500 characters",
            ));
            None
        }
    };
    if errors.len() > before {
        return None;
    }
    Some(Receipt {
        notice_id: notice_id?,
        status: status?,
        at: at?,
        reason,
    })
}

/// Parses and checks the shape of a body (one receipt or an array); returns each receipt with
/// the field prefix its errors use (`""` for a single one, `[i]` in a batch).
pub fn parse(body: &[u8], now: OffsetDateTime) -> Result<Vec<(String, Receipt)>, Vec<FieldError>> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| vec![error("body".into(), format!("not JSON: {e}"))])?;
    let items: Vec<(String, &Value)> = match &value {
        Value::Array(items) => {
            if items.is_empty() || items.len() > MAX_BATCH {
                return Err(vec![error(
                    "body".into(),
                    format!("a batch holds 1 to {MAX_BATCH} receipts"),
                )]);
            }
            items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("/{i}"), v))
                .collect()
        }
        other => vec![(String::new(), other)],
    };
    let mut errors = Vec::new();
    let mut receipts = Vec::new();
    for (prefix, item) in items {
        if let Some(r) = check_one(item, &prefix, now, &mut errors) {
            receipts.push((prefix, r));
        }
    }
    if errors.is_empty() {
        Ok(receipts)
    } else {
        Err(errors)
    }
}
