//! Complaints and denunciations (khiếu nại, tố cáo) about enforcement, as filed: who files,
//! against whose decision or act, in which case, at which stage of enforcement, and what they
//! ask. Read from JSON with every wrong field named by its JSON Pointer; routing, deadlines and
//! the answer are the case system's.
//!
//! The same document arrives from staff recording a complaint at reception or by post, and
//! from the party portal (online) on the complainant's behalf.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::bank::iso_date;
use crate::cccd::Cccd;
use crate::text::PersonalText;
use crate::validation::ValidationErrors;

/// The longest free text (subject, request, act) accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 4_000;

/// A complaint or denunciation as filed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintFiling {
    /// The filer's own id for this filing (portal submission id, reception slip number): makes
    /// a resend safe. 1–64 printable ASCII characters.
    pub client_reference: String,
    /// Khiếu nại or tố cáo.
    pub kind: ComplaintKind,
    /// How it reached the office.
    pub channel: ComplaintChannel,
    /// Who files it.
    pub complainant: Complainant,
    /// What it is against.
    pub target: Target,
    /// When the decision or act complained of came: it sets the time limit for resolving.
    #[serde(default)]
    pub stage: Stage,
    /// What happened, in the complainant's words (nội dung khiếu nại, tố cáo).
    pub subject: PersonalText,
    /// What the complainant asks for (yêu cầu giải quyết).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<PersonalText>,
    /// The day it was received (at reception, or the post's arrival); today when absent.
    #[serde(
        default,
        with = "iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = Date)]
    pub received_on: Option<Date>,
    /// For a second complaint (khiếu nại lần hai): the complaint whose answer is contested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_complaint_id: Option<String>,
}

/// Khiếu nại or tố cáo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintKind {
    /// Khiếu nại: a party asks for a decision or act against their rights to be reviewed.
    Complaint,
    /// Tố cáo: anyone reports an unlawful act of an officer or head.
    Denunciation,
}

impl ComplaintKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Complaint => "complaint",
            Self::Denunciation => "denunciation",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Complaint, Self::Denunciation]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// How a complaint reached the office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintChannel {
    /// Online, through the party portal.
    Online,
    /// Handed in or told at the citizen reception (tiếp công dân), recorded by staff.
    Reception,
    /// By post.
    Post,
}

impl ComplaintChannel {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Reception => "reception",
            Self::Post => "post",
        }
    }
}

/// The person who files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Complainant {
    /// Full name (NFC).
    pub name: PersonalText,
    /// Citizen identity number: with the complaint's id, it lets the complainant follow it.
    pub cccd: Cccd,
    /// Address for the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<PersonalText>,
    /// Telephone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// E-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Whose decision or act is complained of (or denounced).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The enforcement case concerned.
    pub case_id: String,
    /// `officer` (an enforcement officer's decision or act) or `head` (the head's own).
    pub against: Against,
    /// The officer, when known: their sign-in name in the hub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub officer: Option<String>,
    /// The decision complained of, when it is a decision: its number as printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_number: Option<String>,
    /// Its date.
    #[serde(
        default,
        with = "iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = Date)]
    pub decision_date: Option<Date>,
}

/// Whose decision or act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Against {
    /// An enforcement officer (chấp hành viên) or other staff member.
    Officer,
    /// The head (thủ trưởng) of the office.
    Head,
}

impl Against {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Officer => "officer",
            Self::Head => "head",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Officer, Self::Head]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// When the decision or act came, relative to the measures: the law sets a different time
/// limit for each (Luật THADS Art. 140 for filing, and the resolution limits).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Before any security or coercive measure (the default).
    #[default]
    BeforeMeasures,
    /// A decision to freeze an account (phong tỏa tài khoản).
    Freeze,
    /// Another security measure (biện pháp bảo đảm).
    OtherSecurity,
    /// A coercive measure (biện pháp cưỡng chế).
    Coercion,
    /// After a coercive measure.
    AfterCoercion,
}

impl Stage {
    /// Every stage.
    pub const ALL: [Stage; 5] = [
        Stage::BeforeMeasures,
        Stage::Freeze,
        Stage::OtherSecurity,
        Stage::Coercion,
        Stage::AfterCoercion,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BeforeMeasures => "before_measures",
            Self::Freeze => "freeze",
            Self::OtherSecurity => "other_security",
            Self::Coercion => "coercion",
            Self::AfterCoercion => "after_coercion",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl ComplaintFiling {
    /// Reads a filing from JSON, naming the field at fault (JSON Pointer) for type errors, then
    /// checks the rules serde cannot; every problem is reported at once. The office is not part
    /// of the document: the case names it.
    pub fn from_json(body: &[u8]) -> Result<ComplaintFiling, ValidationErrors> {
        let de = &mut serde_json::Deserializer::from_slice(body);
        let filing: ComplaintFiling = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let pointer = if path == "." {
                "body".to_string()
            } else {
                format!("/{}", path.replace('.', "/").replace(['[', ']'], "/"))
                    .replace("//", "/")
                    .trim_end_matches('/')
                    .to_string()
            };
            let mut errors = ValidationErrors::new();
            errors.push(pointer, e.inner().to_string());
            errors
        })?;
        filing.validate()?;
        Ok(filing)
    }

    /// The rules beyond the types.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let r = &self.client_reference;
        if r.is_empty() || r.len() > 64 || !r.bytes().all(|b| b.is_ascii_graphic()) {
            errors.push(
                "/client_reference",
                "must be 1 to 64 printable ASCII characters without spaces",
            );
        }
        let name = self.complainant.name.as_str();
        if name.trim().is_empty() || name.chars().count() > 200 {
            errors.push("/complainant/name", "must be 1 to 200 characters");
        }
        if let Some(email) = &self.complainant.email {
            if !email.contains('@') || email.contains(char::is_whitespace) || email.len() > 254 {
                errors.push("/complainant/email", "is not an e-mail address");
            }
        }
        if let Some(phone) = &self.complainant.phone {
            let digits = phone.chars().filter(char::is_ascii_digit).count();
            if !(8..=15).contains(&digits)
                || !phone
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-.()".contains(c))
            {
                errors.push("/complainant/phone", "must be 8 to 15 digits");
            }
        }
        let case_id = &self.target.case_id;
        if case_id.is_empty()
            || case_id.len() > 64
            || !case_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            errors.push("/target/case_id", "must be the case's id (case-…)");
        }
        if let Some(officer) = &self.target.officer {
            if officer.is_empty() || officer.len() > 64 || officer.contains(char::is_whitespace) {
                errors.push("/target/officer", "must be the officer's sign-in name");
            }
        }
        if let Some(n) = &self.target.decision_number {
            if n.trim().is_empty() || n.chars().count() > 64 {
                errors.push(
                    "/target/decision_number",
                    "must be the decision's number as printed, e.g. 12/QĐ-THADS",
                );
            }
        }
        for (field, text) in [
            ("/subject", Some(&self.subject)),
            ("/request", self.request.as_ref()),
        ] {
            if let Some(t) = text {
                if t.as_str().trim().is_empty() {
                    errors.push(field, "must not be empty");
                } else if t.char_count() > MAX_TEXT_CHARS {
                    errors.push(field, format!("longer than {MAX_TEXT_CHARS} characters"));
                }
            }
        }
        if let Some(prev) = &self.previous_complaint_id {
            if self.kind == ComplaintKind::Denunciation {
                errors.push(
                    "/previous_complaint_id",
                    "a denunciation is not a second complaint; file it on its own",
                );
            }
            if !prev.starts_with("cmp-") || prev.len() > 64 {
                errors.push("/previous_complaint_id", "must be a complaint id (cmp-…)");
            }
        }
        errors.into_result(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn valid() -> serde_json::Value {
        serde_json::json!({
            "client_reference": "TCD-2026-0001",
            "kind": "complaint",
            "channel": "reception",
            "complainant": {"name": "Trần Thị Bình", "cccd": "079182005678"},
            "target": {"case_id": "case-abc", "against": "officer", "officer": "chv.an",
                       "decision_number": "12/QĐ-CCTHADS", "decision_date": "2026-03-20"},
            "stage": "freeze",
            "subject": "Chấp hành viên phong tỏa tài khoản vượt quá số tiền phải thi hành.",
            "request": "Hủy quyết định phong tỏa phần vượt quá."
        })
    }

    fn errors_of(v: serde_json::Value) -> Vec<String> {
        match ComplaintFiling::from_json(v.to_string().as_bytes()) {
            Ok(_) => Vec::new(),
            Err(e) => e.iter().map(|f| f.field.clone()).collect(),
        }
    }

    #[test]
    fn a_valid_filing_reads() {
        let f = ComplaintFiling::from_json(valid().to_string().as_bytes()).unwrap();
        assert_eq!(f.kind, ComplaintKind::Complaint);
        assert_eq!(f.stage, Stage::Freeze);
        assert_eq!(f.target.against, Against::Officer);
        assert!(format!("{f:?}").contains("redacted"), "names never print");
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn each_wrong_field_is_named() {
        let mut v = valid();
        v["complainant"]["cccd"] = "12345".into();
        assert_eq!(errors_of(v), ["/complainant/cccd"]);
        let mut v = valid();
        v["target"]["against"] = "court".into();
        assert_eq!(errors_of(v), ["/target/against"]);
        let mut v = valid();
        v["subject"] = " ".into();
        v["client_reference"] = "có dấu".into();
        v["target"]["case_id"] = "a b".into();
        assert_eq!(
            errors_of(v),
            ["/client_reference", "/target/case_id", "/subject"]
        );
        let mut v = valid();
        v["kind"] = "denunciation".into();
        v["previous_complaint_id"] = "cmp-1".into();
        assert_eq!(errors_of(v), ["/previous_complaint_id"]);
        let mut v = valid();
        v["extra"] = 1.into();
        assert_eq!(errors_of(v), ["/extra"]);
    }
}
