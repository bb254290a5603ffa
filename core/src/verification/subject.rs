//! Who a national-database query is about and why it may be made at all: the four databases,
//! the subject (a validated CCCD or tax code, masked whenever shown) and the purpose every query
//! must carry (case, legal basis, the person who caused it). A query without a purpose cannot be
//! built, so a lookup outside a case is impossible by construction.

use std::fmt;

use serde::{Deserialize, Serialize};
use thads_schemas::cccd::{Cccd, CccdError};

/// The national databases the hub verifies a debtor's means in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Registry {
    /// Cơ sở dữ liệu quốc gia về dân cư: identity and residence by CCCD.
    Population,
    /// Cơ sở dữ liệu đất đai: land parcels of an owner.
    Land,
    /// Đăng ký xe: vehicles registered to an owner.
    Vehicle,
    /// Đăng ký doanh nghiệp: the enterprise and the owner's capital shares.
    Business,
}

impl Registry {
    /// Every database, in the order a record lists them.
    pub const ALL: [Registry; 4] = [
        Registry::Population,
        Registry::Land,
        Registry::Vehicle,
        Registry::Business,
    ];

    /// The stored and configuration name (`[registries.<name>]`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Population => "population",
            Self::Land => "land",
            Self::Vehicle => "vehicle",
            Self::Business => "business",
        }
    }

    /// The database's Vietnamese name, for the record.
    pub fn title_vi(self) -> &'static str {
        match self {
            Self::Population => "Cơ sở dữ liệu quốc gia về dân cư",
            Self::Land => "Cơ sở dữ liệu đất đai",
            Self::Vehicle => "Cơ sở dữ liệu đăng ký xe",
            Self::Business => "Cơ sở dữ liệu đăng ký doanh nghiệp",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Registry> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether this database can be asked about `subject` (the population database knows
    /// citizens only).
    pub fn applies_to(self, subject: &Subject) -> bool {
        !(self == Self::Population && matches!(subject, Subject::Organisation(_)))
    }
}

impl fmt::Display for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a tax code is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a tax code (mã số thuế / mã số doanh nghiệp) is 10 digits, or 10 digits, '-' and 3 digits for a branch")]
pub struct TaxCodeError;

/// A validated tax code (mã số thuế, which is also the enterprise code, mã số doanh nghiệp):
/// `0101234567` or a branch's `0101234567-001`. Shown masked like a CCCD.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaxCode(String);

impl TaxCode {
    /// Parses a tax code, trimming surrounding whitespace.
    pub fn parse(input: &str) -> Result<TaxCode, TaxCodeError> {
        let s = input.trim();
        let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
        let ok = match s.split_once('-') {
            None => digits(s, 10),
            Some((main, branch)) => digits(main, 10) && digits(branch, 3),
        };
        if ok {
            Ok(TaxCode(s.to_string()))
        } else {
            Err(TaxCodeError)
        }
    }

    /// The full code, for the partner's request. Never log it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form for logs and screens: first three and last two characters.
    pub fn masked(&self) -> String {
        let n = self.0.len();
        format!("{}{}{}", &self.0[..3], "*".repeat(n - 5), &self.0[n - 2..])
    }
}

impl fmt::Debug for TaxCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TaxCode({})", self.masked())
    }
}

impl fmt::Display for TaxCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Whom a query is about: a person by CCCD or an organisation by tax code. Only validated
/// numbers can be held, so an invalid CCCD is refused before any query is built.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    /// A natural person (cá nhân) by CCCD.
    Person(Cccd),
    /// An organisation (tổ chức) by tax code.
    Organisation(TaxCode),
}

impl Subject {
    /// A person from an unvalidated CCCD.
    pub fn person(cccd: &str) -> Result<Subject, CccdError> {
        Cccd::parse(cccd).map(Subject::Person)
    }

    /// `cccd` or `tax_code`, as stored and shown.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Person(_) => "cccd",
            Self::Organisation(_) => "tax_code",
        }
    }

    /// The full number, for the partner's request only.
    pub fn number(&self) -> &str {
        match self {
            Self::Person(c) => c.as_str(),
            Self::Organisation(t) => t.as_str(),
        }
    }

    /// The masked number, for logs, the audit and the record.
    pub fn masked(&self) -> String {
        match self {
            Self::Person(c) => c.masked(),
            Self::Organisation(t) => t.masked(),
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind(), self.masked())
    }
}

/// Why a purpose is refused; names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct PurposeError {
    /// `case_id`, `legal_basis` or `requested_by`.
    pub field: &'static str,
    /// Why.
    pub reason: &'static str,
}

/// Why a query is made: the case it serves, the legal basis, and the officer who caused it
/// (`system` for the automatic run). Every query carries one, partners receive it, and the
/// audit records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueryPurpose {
    case_id: String,
    legal_basis: String,
    requested_by: String,
}

impl QueryPurpose {
    /// The purpose of a query; each part must be present (1 to 200 characters, no control
    /// characters), or the error names the missing one.
    pub fn new(
        case_id: &str,
        legal_basis: &str,
        requested_by: &str,
    ) -> Result<QueryPurpose, PurposeError> {
        let check = |field: &'static str, value: &str| {
            let v = value.trim();
            if v.is_empty() {
                Err(PurposeError {
                    field,
                    reason: "is required: no national database is queried without a case, a legal basis and the person who asks",
                })
            } else if v.chars().count() > 200 || v.chars().any(char::is_control) {
                Err(PurposeError {
                    field,
                    reason: "must be 1 to 200 characters without control characters",
                })
            } else {
                Ok(v.to_string())
            }
        };
        Ok(QueryPurpose {
            case_id: check("case_id", case_id)?,
            legal_basis: check("legal_basis", legal_basis)?,
            requested_by: check("requested_by", requested_by)?,
        })
    }

    /// The case the query serves.
    pub fn case_id(&self) -> &str {
        &self.case_id
    }

    /// The legal basis, e.g. `Điều 44 Luật Thi hành án dân sự`.
    pub fn legal_basis(&self) -> &str {
        &self.legal_basis
    }

    /// The officer's user name, or `system`.
    pub fn requested_by(&self) -> &str {
        &self.requested_by
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn tax_codes_are_checked_and_masked() {
        let t = TaxCode::parse(" 0101234567 ").unwrap();
        assert_eq!(t.as_str(), "0101234567");
        assert_eq!(t.masked(), "010*****67");
        assert_eq!(
            TaxCode::parse("0101234567-001").unwrap().masked(),
            "010*********01"
        );
        for bad in [
            "",
            "010123456",
            "01012345678",
            "010123456a",
            "0101234567-01",
            "-",
        ] {
            assert!(TaxCode::parse(bad).is_err(), "{bad}");
        }
        assert!(!format!("{t:?}").contains("1234567"));
    }

    #[test]
    fn subjects_mask_their_numbers() {
        let p = Subject::person("079182005678").unwrap();
        assert_eq!(p.masked(), "079*******78");
        assert_eq!(p.to_string(), "cccd 079*******78");
        assert!(!format!("{p:?}").contains("182005"));
        assert!(Subject::person("07918200567").is_err());
        assert!(Subject::person("099182005678").is_err());
        let o = Subject::Organisation(TaxCode::parse("0101234567").unwrap());
        assert!(!Registry::Population.applies_to(&o));
        assert!(Registry::Land.applies_to(&o));
        assert!(Registry::Population.applies_to(&p));
    }

    #[test]
    fn no_purpose_without_case_basis_and_person() {
        let ok = QueryPurpose::new("case-1", "Điều 44 Luật THADS", "chv.an").unwrap();
        assert_eq!(ok.case_id(), "case-1");
        assert_eq!(
            QueryPurpose::new(" ", "Điều 44", "chv.an")
                .unwrap_err()
                .field,
            "case_id"
        );
        assert_eq!(
            QueryPurpose::new("case-1", "", "system").unwrap_err().field,
            "legal_basis"
        );
        assert_eq!(
            QueryPurpose::new("case-1", "Điều 44", "")
                .unwrap_err()
                .field,
            "requested_by"
        );
        assert_eq!(
            QueryPurpose::new("case-1\n", "Điều 44", "a\u{7}b")
                .unwrap_err()
                .field,
            "requested_by"
        );
    }

    #[test]
    fn registry_names_round_trip() {
        for r in Registry::ALL {
            assert_eq!(Registry::parse(r.as_str()), Some(r));
        }
    }
}
