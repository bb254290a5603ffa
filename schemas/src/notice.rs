//! The command on `out.vneid.notify`: deliver one notice (thông báo) to a citizen through VNeID.
//!
//! JSON Schema: `schemas/vneid/notice-command-v1.schema.json`; example in `schemas/vneid/examples/`.

use crate::cccd::Cccd;
use crate::office::OfficeCode;
use crate::subjects::is_valid_token;
use crate::text::PersonalText;
use crate::validation::ValidationErrors;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Ask the VNeID connector to deliver a notice; `notice_id` makes redelivery idempotent.
#[derive(Serialize, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NoticeCommand {
    /// Stable id of this notice (1..=128 printable ASCII); VNeID must show it at most once.
    pub notice_id: String,
    /// The enforcement case the notice belongs to (a subject-safe token).
    pub case_id: String,
    /// The office that issues the notice.
    pub office: OfficeCode,
    /// Which notice.
    pub kind: NoticeKind,
    /// The citizen to notify.
    pub recipient: Recipient,
    /// Title shown in VNeID (may name people: never logged).
    pub title: String,
    /// Body text (may name people: never logged).
    pub body: String,
    /// Reference to quote when paying (nội dung chuyển khoản), if the notice asks for payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_reference: Option<String>,
    /// When the notice was issued, RFC 3339 (e.g. `2026-04-20T09:30:00+07:00`).
    pub issued_at: String,
}

/// The citizen a notice goes to; VNeID addresses citizens by CCCD.
#[derive(Serialize, Deserialize, Clone, PartialEq, Debug)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// The party's reference inside the case (e.g. the judgment's `P2`).
    pub party_ref: String,
    /// The citizen's identity number.
    pub cccd: Cccd,
    /// The citizen's name, to cross-check against the population record.
    pub name: PersonalText,
}

/// Kinds of notice; more come with later workflow steps.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// A case was opened (thụ lý) and the voluntary compliance period starts.
    CaseOpened,
    /// The decision to enforce (quyết định thi hành án) was issued; its valid notice to the
    /// debtor starts the voluntary period (Art. 45).
    DecisionIssued,
    /// An electronic receipt (biên lai điện tử) for money the payer paid into a THADS account;
    /// sent to the payer when the payer is a party of the case with a CCCD.
    Receipt,
}

impl NoticeKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CaseOpened => "case_opened",
            Self::DecisionIssued => "decision_issued",
            Self::Receipt => "receipt",
        }
    }
}

impl NoticeCommand {
    /// Checks what serde cannot: lengths, formats and the timestamp; errors use JSON Pointers.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let graphic = |s: &str, max: usize| {
            !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_graphic())
        };
        if !graphic(&self.notice_id, 128) {
            e.push(
                "/notice_id",
                "must be 1 to 128 printable ASCII characters without spaces",
            );
        }
        if !is_valid_token(&self.case_id) || self.case_id.len() > 64 {
            e.push(
                "/case_id",
                "must be 1 to 64 characters among A-Z, a-z, 0-9, '-' and '_'",
            );
        }
        if !is_valid_token(&self.recipient.party_ref) || self.recipient.party_ref.len() > 32 {
            e.push(
                "/recipient/party_ref",
                "must be 1 to 32 characters among A-Z, a-z, 0-9, '-' and '_'",
            );
        }
        if self.recipient.name.is_empty() {
            e.push("/recipient/name", "must not be empty");
        }
        let text = |s: &str, max: usize| !s.trim().is_empty() && s.chars().count() <= max;
        if !text(&self.title, 200) {
            e.push("/title", "must be 1 to 200 characters");
        }
        if !text(&self.body, 4000) {
            e.push("/body", "must be 1 to 4000 characters");
        }
        if let Some(r) = &self.payment_reference {
            if !graphic(r, 64) {
                e.push(
                    "/payment_reference",
                    "must be 1 to 64 printable ASCII characters without spaces",
                );
            }
        }
        let rfc3339 = time::format_description::well_known::Rfc3339;
        if time::OffsetDateTime::parse(&self.issued_at, &rfc3339).is_err() {
            e.push(
                "/issued_at",
                "must be an RFC 3339 timestamp such as 2026-04-20T09:30:00+07:00",
            );
        }
        e.into_result(())
    }
}

impl fmt::Debug for NoticeCommand {
    /// Prints ids and kinds; title and body only as lengths, since they name people.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NoticeCommand")
            .field("notice_id", &self.notice_id)
            .field("case_id", &self.case_id)
            .field("office", &self.office)
            .field("kind", &self.kind)
            .field("recipient", &self.recipient)
            .field(
                "title",
                &format_args!("<redacted {} chars>", self.title.chars().count()),
            )
            .field(
                "body",
                &format_args!("<redacted {} chars>", self.body.chars().count()),
            )
            .field("payment_reference", &self.payment_reference)
            .field("issued_at", &self.issued_at)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const EXAMPLE: &str = include_str!("../vneid/examples/case-opened.json");
    const SCHEMA: &str = include_str!("../vneid/notice-command-v1.schema.json");

    #[test]
    fn example_deserialises_and_validates() {
        let n: NoticeCommand = serde_json::from_str(EXAMPLE).unwrap();
        n.validate().unwrap();
        assert_eq!(n.kind, NoticeKind::CaseOpened);
        assert_eq!(n.recipient.cccd.as_str(), "079182005678");
        let dbg = format!("{n:?}");
        assert!(
            !dbg.contains("Bình") && !dbg.contains("079182005678"),
            "{dbg}"
        );
        let back: NoticeCommand =
            serde_json::from_str(&serde_json::to_string(&n).unwrap()).unwrap();
        assert_eq!(back, n);
    }

    #[test]
    fn schema_names_exactly_the_fields() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
        let example: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
        let keys = |v: &serde_json::Value| {
            let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        assert_eq!(keys(&schema["properties"]), keys(&example));
        assert_eq!(
            keys(&schema["properties"]["recipient"]["properties"]),
            keys(&example["recipient"])
        );
        for required in schema["required"].as_array().unwrap() {
            assert!(example.get(required.as_str().unwrap()).is_some());
        }
    }

    #[test]
    fn rejects_bad_values() {
        let mut n: NoticeCommand = serde_json::from_str(EXAMPLE).unwrap();
        n.issued_at = "20/04/2026".into();
        n.case_id = "a.b".into();
        n.title = " ".into();
        let e = n.validate().unwrap_err();
        assert!(e.has_field("/issued_at") && e.has_field("/case_id") && e.has_field("/title"));
        let bad = EXAMPLE.replace("079182005678", "079182005");
        assert!(serde_json::from_str::<NoticeCommand>(&bad).is_err());
        let extra = EXAMPLE.replacen('{', "{\"unknown\": 1,", 1);
        assert!(serde_json::from_str::<NoticeCommand>(&extra).is_err());
    }
}
