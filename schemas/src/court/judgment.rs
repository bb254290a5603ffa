//! The canonical court judgment (bản án, quyết định): what the hub keeps from a court's document.
//!
//! JSON (serde) is the canonical internal form; courts send the XML form read by
//! [`parse_judgment_xml`]. Both go through the same rules (see [`Judgment::validate`]).

use super::rules::{self, JsonPaths};
use crate::cccd::Cccd;
use crate::money::Vnd;
use crate::office::OfficeCode;
use crate::text::PersonalText;
use crate::validation::{FieldError, ValidationErrors};
use crate::xml::XmlError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use time::Date;

pub use super::judgment_xml::parse_judgment_xml;

/// XML namespace of version 1 of the judgment document.
pub const JUDGMENT_NAMESPACE: &str = "urn:thads:court:judgment:v1";

/// A judgment or decision of a court that has to be enforced.
#[derive(Serialize, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Judgment {
    /// The court's stable id of this document (1..=128 printable ASCII characters, no spaces);
    /// with the court code it makes the idempotency key.
    pub document_id: String,
    /// The court that issued it.
    pub court: Court,
    /// The enforcement office the judgment is sent to.
    pub office: OfficeCode,
    /// Number as printed, e.g. `215/2026/DS-ST` (number / year / symbol).
    pub judgment_number: String,
    /// Date of the judgment (ngày tuyên án / ra quyết định).
    #[serde(with = "iso_date")]
    pub judgment_date: Date,
    /// Date it took legal effect (hiệu lực pháp luật); never before `judgment_date`.
    #[serde(with = "iso_date")]
    pub effective_date: Date,
    /// The parties (đương sự) named in the document.
    pub parties: Vec<Party>,
    /// Structured obligations from the operative part; at least one.
    pub obligations: Vec<Obligation>,
    /// The operative part (phần quyết định) as text, NFC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operative_text: Option<String>,
}

/// The issuing court (Tòa án).
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
#[serde(deny_unknown_fields)]
pub struct Court {
    /// Court code: `A-Z`, `0-9` and single inner hyphens, 2..=32 characters, e.g. `TAND79-KV1`.
    pub code: String,
    /// Full name, NFC, e.g. "Tòa án nhân dân khu vực 1 - Thành phố Hồ Chí Minh".
    pub name: String,
}

/// A party to the judgment (đương sự).
#[derive(Serialize, Deserialize, Clone, PartialEq, Debug)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// Local reference inside the document, e.g. `P1`, used by obligations.
    pub id: String,
    /// Creditor, debtor or interested party.
    pub role: PartyRole,
    /// Person or organisation; persons by default.
    #[serde(default)]
    pub kind: PartyKind,
    /// Full name (họ và tên / tên tổ chức).
    pub name: PersonalText,
    /// Citizen identity number, for persons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cccd: Option<Cccd>,
    /// Year of birth (sinh năm), for persons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_year: Option<u16>,
    /// Address or place of residence (địa chỉ, nơi cư trú).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<PersonalText>,
}

/// The role of a party in enforcement.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    /// Người được thi hành án: the judgment creditor.
    Creditor,
    /// Người phải thi hành án: the judgment debtor.
    Debtor,
    /// Người có quyền lợi, nghĩa vụ liên quan: an interested party.
    Interested,
}

/// Whether a party is a natural person or an organisation.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// A natural person (cá nhân); may carry a CCCD and birth year.
    #[default]
    Person,
    /// An organisation (cơ quan, tổ chức); has neither CCCD nor birth year.
    Organisation,
}

/// One structured obligation of the operative part.
#[derive(Serialize, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Obligation {
    /// What kind of obligation.
    pub kind: ObligationKind,
    /// Id of the party who must perform it.
    pub debtor: String,
    /// Id of the party who benefits; `None` means the State (court fees, fines, confiscation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creditor: Option<String>,
    /// Amount, required and positive for money kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Vnd>,
    /// Free text from the judgment, NFC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Kinds of obligation; the State-owed kinds are enforced ex officio (chủ động).
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[serde(rename_all = "snake_case")]
pub enum ObligationKind {
    /// Pay money to a party (trả tiền, bồi thường).
    PayMoney,
    /// Court fee (án phí), owed to the State.
    CourtFee,
    /// Fine (tiền phạt), owed to the State.
    Fine,
    /// Confiscation (tịch thu) for the State budget.
    Confiscation,
    /// Return property (trả lại tài sản).
    ReturnProperty,
    /// Anything else the operative part orders.
    Other,
}

impl PartyRole {
    /// The wire name (`creditor`, `debtor`, `interested`), as in JSON and XML.
    pub fn as_str(self) -> &'static str {
        match self {
            PartyRole::Creditor => "creditor",
            PartyRole::Debtor => "debtor",
            PartyRole::Interested => "interested",
        }
    }

    /// Reads a wire name.
    pub fn from_wire(s: &str) -> Option<Self> {
        [Self::Creditor, Self::Debtor, Self::Interested]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

impl PartyKind {
    /// The wire name (`person`, `organisation`).
    pub fn as_str(self) -> &'static str {
        match self {
            PartyKind::Person => "person",
            PartyKind::Organisation => "organisation",
        }
    }

    /// Reads a wire name.
    pub fn from_wire(s: &str) -> Option<Self> {
        [Self::Person, Self::Organisation]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

impl ObligationKind {
    /// Every kind, in declaration order.
    pub const ALL: [ObligationKind; 6] = [
        Self::PayMoney,
        Self::CourtFee,
        Self::Fine,
        Self::Confiscation,
        Self::ReturnProperty,
        Self::Other,
    ];

    /// The wire name (`pay_money`, `court_fee`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PayMoney => "pay_money",
            Self::CourtFee => "court_fee",
            Self::Fine => "fine",
            Self::Confiscation => "confiscation",
            Self::ReturnProperty => "return_property",
            Self::Other => "other",
        }
    }

    /// Reads a wire name.
    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Kinds that are an amount of money and so need an amount greater than zero.
    pub fn is_money(self) -> bool {
        matches!(self, Self::PayMoney | Self::CourtFee | Self::Fine)
    }

    /// Kinds always owed to the State, which therefore name no creditor party.
    pub fn owed_to_state(self) -> bool {
        matches!(self, Self::CourtFee | Self::Fine)
    }
}

impl Judgment {
    /// Idempotency key: first 24 hex digits of SHA-256 of `court.code + "\n" + document_id`.
    /// A court re-sending the same document gets the same key, whatever the bytes.
    pub fn stable_key(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.court.code.as_bytes());
        h.update(b"\n");
        h.update(self.document_id.as_bytes());
        let mut key = hex::encode(h.finalize());
        key.truncate(24);
        key
    }

    /// Checks every field and cross-field rule on a judgment that arrived as JSON; errors are
    /// named by JSON Pointer (`/parties/1/cccd`).
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        rules::check_judgment(self, &JsonPaths, &mut errors);
        errors.into_result(())
    }

    /// Deserialises the canonical JSON form and validates it.
    pub fn from_json(bytes: &[u8]) -> Result<Judgment, JudgmentError> {
        let judgment: Judgment = serde_json::from_slice(bytes).map_err(|e| {
            JudgmentError::Invalid(FieldError::new("body", format!("invalid JSON: {e}")).into())
        })?;
        judgment.validate().map_err(JudgmentError::Invalid)?;
        Ok(judgment)
    }
}

/// Why a judgment document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JudgmentError {
    /// Not acceptable XML at all (malformed or hostile); reported against field `body`.
    #[error("body: {0}")]
    Xml(#[from] XmlError),
    /// The root element is not `Judgment`.
    #[error("Judgment: the root element must be Judgment, found {found}")]
    WrongRoot {
        /// Local name of the root found.
        found: String,
    },
    /// The root is not in [`JUDGMENT_NAMESPACE`].
    #[error("Judgment: the namespace must be {JUDGMENT_NAMESPACE}, found {}", found.as_deref().unwrap_or("none"))]
    WrongNamespace {
        /// Namespace found, if any.
        found: Option<String>,
    },
    /// Well-formed but some fields are wrong; lists all of them.
    #[error("{0}")]
    Invalid(ValidationErrors),
}

impl JudgmentError {
    /// The rejection as field errors, ready for a problem+json response.
    pub fn field_errors(&self) -> ValidationErrors {
        match self {
            JudgmentError::Xml(e) => FieldError::new("body", e.to_string()).into(),
            JudgmentError::WrongRoot { .. } | JudgmentError::WrongNamespace { .. } => {
                let text = self.to_string();
                let reason = text.strip_prefix("Judgment: ").unwrap_or(&text);
                FieldError::new("Judgment", reason).into()
            }
            JudgmentError::Invalid(errors) => errors.clone(),
        }
    }
}

/// `Some(<redacted N chars>)` for free text that may name people.
fn redacted(text: &Option<String>) -> String {
    match text {
        Some(t) => format!("Some(<redacted {} chars>)", t.chars().count()),
        None => "None".to_owned(),
    }
}

impl fmt::Debug for Judgment {
    /// Prints everything but the operative text, which names the parties.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Judgment")
            .field("document_id", &self.document_id)
            .field("court", &self.court)
            .field("office", &self.office)
            .field("judgment_number", &self.judgment_number)
            .field("judgment_date", &self.judgment_date)
            .field("effective_date", &self.effective_date)
            .field("parties", &self.parties)
            .field("obligations", &self.obligations)
            .field(
                "operative_text",
                &format_args!("{}", redacted(&self.operative_text)),
            )
            .finish()
    }
}

impl fmt::Debug for Obligation {
    /// Prints everything but the description, which may name people.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Obligation")
            .field("kind", &self.kind)
            .field("debtor", &self.debtor)
            .field("creditor", &self.creditor)
            .field("amount", &self.amount)
            .field(
                "description",
                &format_args!("{}", redacted(&self.description)),
            )
            .finish()
    }
}

/// Serde for `time::Date` as `YYYY-MM-DD`, independent of the `time` crate's serde features.
pub(crate) mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    /// Writes `YYYY-MM-DD`.
    pub(crate) fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::rules::format_date(*date))
    }

    /// Reads `YYYY-MM-DD` strictly.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Date, D::Error> {
        let s = String::deserialize(deserializer)?;
        super::rules::parse_date(&s).map_err(serde::de::Error::custom)
    }
}
