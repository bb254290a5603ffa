//! Requests for enforcement (đơn yêu cầu thi hành án) filed by a party: who asks, under which
//! judgment, for which obligations. Read from JSON with every wrong field named by its JSON
//! Pointer; the 5-year limit (thời hiệu, Art. 30) is checked by the case system, which knows
//! the calendar.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::bank::iso_date;
use crate::cccd::Cccd;
use crate::money::Vnd;
use crate::office::OfficeCode;
use crate::text::PersonalText;
use crate::validation::ValidationErrors;

/// A request for enforcement as filed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnforcementRequest {
    /// The filer's own id for this request (portal submission id, reception slip id): makes a
    /// resend safe. 1–64 printable ASCII characters.
    pub client_reference: String,
    /// The office the request is filed with (where the debtor lives or has its seat).
    pub office: OfficeCode,
    /// How it was filed.
    pub channel: RequestChannel,
    /// Who asks.
    pub requester: Requester,
    /// Which judgment.
    pub judgment: JudgmentRef,
    /// Which obligations of the judgment are to be enforced (at least one).
    pub obligations: Vec<RequestedObligation>,
    /// The day it was filed; the day it reached the hub when absent.
    #[serde(
        default,
        with = "iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = Date)]
    pub filed_on: Option<Date>,
    /// Periods not counted in the 5-year limit (postponement, suspension, force majeure,
    /// objective obstacles: Art. 30(2)).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded_periods: Vec<ExcludedPeriod>,
}

/// How a request reached the office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestChannel {
    /// Online (VNeID, the public service portal).
    Online,
    /// Handed in at the office (tiếp nhận trực tiếp).
    InPerson,
    /// By post.
    Post,
}

/// The party who asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Requester {
    /// Full name (NFC).
    pub name: PersonalText,
    /// `creditor` (người được thi hành án) or `debtor` (người phải thi hành án).
    pub role: RequesterRole,
    /// Citizen identity number, for persons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cccd: Option<Cccd>,
    /// Enterprise code (mã số doanh nghiệp), for organisations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_code: Option<String>,
    /// Address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<PersonalText>,
    /// E-mail for answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Telephone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// Which side the requester is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequesterRole {
    /// Người được thi hành án.
    Creditor,
    /// Người phải thi hành án (who may ask to perform voluntarily under supervision).
    Debtor,
}

/// The judgment the request is under.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JudgmentRef {
    /// The court's code, e.g. `TAND79-KV1`.
    pub court_code: String,
    /// The court's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub court_name: Option<PersonalText>,
    /// The number as printed, e.g. `215/2026/DS-ST`.
    pub number: String,
    /// The judgment's date.
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    /// The day it took legal effect: the 5-year limit counts from it.
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub effective_date: Date,
    /// The due date the judgment sets for performance, if any: the limit then counts from it.
    #[serde(
        default,
        with = "iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<Date>,
}

/// One obligation the request asks to enforce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestedObligation {
    /// `pay_money`, `compensation`, `child_support`, `return_property`, `other`, ...
    pub kind: String,
    /// The amount, for money.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_vnd: Option<Vnd>,
    /// `monthly` for periodic obligations (each instalment has its own 5-year limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// The obligation in the judgment's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<PersonalText>,
}

/// The period of a recurring obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Every month (cấp dưỡng hằng tháng).
    Monthly,
    /// Every quarter.
    Quarterly,
    /// Every year.
    Yearly,
}

/// A period not counted in the limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExcludedPeriod {
    /// First day.
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub from: Date,
    /// Last day.
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub to: Date,
    /// Why (hoãn, tạm đình chỉ, sự kiện bất khả kháng, ...).
    pub reason: String,
}

/// The obligation kinds a request may name.
pub const OBLIGATION_KINDS: [&str; 12] = [
    "pay_money",
    "compensation",
    "child_support",
    "wages",
    "life_health_damages",
    "court_fee",
    "fine",
    "confiscation",
    "refund_advance_fee",
    "return_property",
    "return_land",
    "other",
];

impl EnforcementRequest {
    /// Reads a request from JSON, naming the field at fault (JSON Pointer) for type errors,
    /// then checks the rules serde cannot; every problem is reported at once.
    pub fn from_json(body: &[u8]) -> Result<EnforcementRequest, ValidationErrors> {
        let de = &mut serde_json::Deserializer::from_slice(body);
        let request: EnforcementRequest = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let pointer = if path == "." {
                String::new()
            } else {
                format!(
                    "/{}",
                    path.replace('.', "/")
                        .replace(['[', ']'], "/")
                        .replace("//", "/")
                )
            };
            let pointer = pointer.trim_end_matches('/').to_string();
            let mut errors = ValidationErrors::new();
            errors.push(
                if pointer.is_empty() {
                    "body".to_string()
                } else {
                    pointer
                },
                e.inner().to_string(),
            );
            errors
        })?;
        request.validate()?;
        Ok(request)
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
        if self.requester.name.as_str().trim().is_empty() {
            errors.push("/requester/name", "must not be empty");
        }
        if let Some(code) = &self.requester.business_code {
            if !(10..=14).contains(&code.len())
                || !code.bytes().all(|b| b.is_ascii_digit() || b == b'-')
            {
                errors.push(
                    "/requester/business_code",
                    "must be a 10-digit enterprise code (optionally -NNN for a branch)",
                );
            }
        }
        if self.requester.cccd.is_none() && self.requester.business_code.is_none() {
            errors.push(
                "/requester",
                "give cccd (a person) or business_code (an organisation)",
            );
        }
        if let Some(email) = &self.requester.email {
            if !email.contains('@') || email.contains(char::is_whitespace) {
                errors.push("/requester/email", "is not an e-mail address");
            }
        }
        let j = &self.judgment;
        let code_ok = (2..=32).contains(&j.court_code.len())
            && j.court_code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        if !code_ok {
            errors.push(
                "/judgment/court_code",
                "must be 2 to 32 of A-Z, 0-9 and '-'",
            );
        }
        if j.number.trim().is_empty() || j.number.len() > 64 {
            errors.push(
                "/judgment/number",
                "must be the judgment's number as printed, e.g. 215/2026/DS-ST",
            );
        }
        if j.effective_date < j.date {
            errors.push(
                "/judgment/effective_date",
                "cannot be before the judgment's date",
            );
        }
        if let Some(due) = j.due_date {
            if due < j.effective_date {
                errors.push("/judgment/due_date", "cannot be before the effective date");
            }
        }
        if let Some(filed) = self.filed_on {
            if filed < j.date {
                errors.push("/filed_on", "cannot be before the judgment's date");
            }
        }
        if self.obligations.is_empty() {
            errors.push("/obligations", "name at least one obligation to enforce");
        }
        for (i, o) in self.obligations.iter().enumerate() {
            if !OBLIGATION_KINDS.contains(&o.kind.as_str()) {
                errors.push(
                    format!("/obligations/{i}/kind"),
                    format!("must be one of {}", OBLIGATION_KINDS.join(", ")),
                );
                continue;
            }
            let money = !matches!(o.kind.as_str(), "return_property" | "return_land" | "other");
            if money && o.amount_vnd.is_none_or(|a| a.is_zero()) {
                errors.push(
                    format!("/obligations/{i}/amount_vnd"),
                    "a money obligation needs its amount in đồng",
                );
            }
        }
        for (i, p) in self.excluded_periods.iter().enumerate() {
            if p.to < p.from {
                errors.push(format!("/excluded_periods/{i}/to"), "ends before it starts");
            }
            if p.reason.trim().is_empty() {
                errors.push(
                    format!("/excluded_periods/{i}/reason"),
                    "say why the period is not counted",
                );
            }
        }
        errors.into_result(())
    }

    /// True when every requested obligation recurs (each instalment has its own limit).
    pub fn all_periodic(&self) -> bool {
        !self.obligations.is_empty() && self.obligations.iter().all(|o| o.period.is_some())
    }

    /// The total money asked for, in đồng.
    pub fn amount(&self) -> i64 {
        self.obligations
            .iter()
            .filter_map(|o| o.amount_vnd.map(Vnd::amount))
            .fold(0i64, i64::saturating_add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> serde_json::Value {
        serde_json::json!({
            "client_reference": "dvc-2026-000123",
            "office": "HCM-KV01",
            "channel": "online",
            "requester": {"name": "Nguyễn Văn An", "role": "creditor", "cccd": "079078001234"},
            "judgment": {"court_code": "TAND79-KV1", "number": "215/2026/DS-ST",
                          "date": "2026-03-12", "effective_date": "2026-04-13"},
            "obligations": [{"kind": "pay_money", "amount_vnd": 150000000}]
        })
    }

    #[test]
    fn a_valid_request_reads() {
        let r = EnforcementRequest::from_json(valid().to_string().as_bytes()).unwrap();
        assert_eq!(r.amount(), 150_000_000);
        assert!(!r.all_periodic());
    }

    #[test]
    fn type_errors_name_the_field() {
        let mut v = valid();
        v["requester"]["cccd"] = "07907800123".into();
        let e = EnforcementRequest::from_json(v.to_string().as_bytes()).unwrap_err();
        assert_eq!(e.0[0].field, "/requester/cccd", "{e:?}");
        let mut v = valid();
        v["judgment"]["effective_date"] = "13/04/2026".into();
        let e = EnforcementRequest::from_json(v.to_string().as_bytes()).unwrap_err();
        assert_eq!(e.0[0].field, "/judgment/effective_date", "{e:?}");
        let mut v = valid();
        v["obligations"][0]["amount_vnd"] = (-1).into();
        let e = EnforcementRequest::from_json(v.to_string().as_bytes()).unwrap_err();
        assert_eq!(e.0[0].field, "/obligations/0/amount_vnd", "{e:?}");
        let mut v = valid();
        v["colour"] = "red".into();
        let e = EnforcementRequest::from_json(v.to_string().as_bytes()).unwrap_err();
        assert!(e.0[0].reason.contains("colour"), "{e:?}");
        let e = EnforcementRequest::from_json(b"not json").unwrap_err();
        assert_eq!(e.0[0].field, "body");
    }

    #[test]
    fn rules_are_all_reported() {
        let mut v = valid();
        v["obligations"] = serde_json::json!([{"kind": "teleport"}, {"kind": "pay_money"}]);
        v["judgment"]["effective_date"] = "2026-03-01".into();
        v["requester"].as_object_mut().unwrap().remove("cccd");
        let e = EnforcementRequest::from_json(v.to_string().as_bytes()).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "/requester",
                "/judgment/effective_date",
                "/obligations/0/kind",
                "/obligations/1/amount_vnd"
            ]
        );
    }
}
