//! The canonical court judgment (bản án, quyết định): what the hub keeps from a court's document.
//!
//! JSON (serde) is the canonical internal form; courts send the XML form read by
//! [`parse_judgment_xml`]. Both go through the same rules (see [`Judgment::validate`]).

use super::kind::JudgmentKind;
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
    /// The kind of case as the court states it; when absent, the number's symbol decides
    /// (see [`Judgment::kind`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_kind: Option<JudgmentKind>,
    /// Judgment, decision, or decision applying an interim measure (which the office must
    /// act on within 24 hours).
    #[serde(default, skip_serializing_if = "DocumentKind::is_default")]
    pub document_kind: DocumentKind,
    /// When this document corrects or annuls an earlier one of the same court.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amends: Option<Amendment>,
    /// The parties (đương sự) named in the document; may be empty only for an annulment or a
    /// text-only document (see [`Judgment::is_text_only`]).
    #[serde(default)]
    pub parties: Vec<Party>,
    /// Structured obligations from the operative part; empty only when the court sent the
    /// operative text alone (the hub then extracts them for an officer to confirm) or for an
    /// annulment.
    #[serde(default)]
    pub obligations: Vec<Obligation>,
    /// The operative part (phần quyết định) as text, NFC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operative_text: Option<String>,
}

/// What kind of court document this is; it decides the time limit of the decision to enforce.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// Bản án: a judgment.
    #[default]
    Judgment,
    /// Quyết định: a decision (recognising an agreement, on bankruptcy, ...).
    Decision,
    /// Quyết định áp dụng biện pháp khẩn cấp tạm thời: an interim measure, to be decided on
    /// within 24 hours of receipt (Art. 36(1) of the 2008 law).
    InterimMeasure,
}

impl DocumentKind {
    /// Every kind, for lookups by wire name.
    pub const ALL: [DocumentKind; 3] = [Self::Judgment, Self::Decision, Self::InterimMeasure];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Judgment => "judgment",
            Self::Decision => "decision",
            Self::InterimMeasure => "interim_measure",
        }
    }

    /// Reads a wire name.
    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    fn is_default(&self) -> bool {
        *self == Self::Judgment
    }
}

/// A link from a document to an earlier document of the same court that it changes.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
#[serde(deny_unknown_fields)]
pub struct Amendment {
    /// Correction, annulment or partial annulment.
    pub kind: AmendmentKind,
    /// The court's document id of the earlier document.
    pub document_id: String,
    /// Why, as the court states it (NFC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// How a document changes an earlier one.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[serde(rename_all = "snake_case")]
pub enum AmendmentKind {
    /// Đính chính: this document is the corrected whole of the earlier one.
    Correction,
    /// Hủy toàn bộ: the earlier document is annulled (cassation, reopening); enforcement of
    /// it stops (đình chỉ, Art. 50(1)).
    Annulment,
    /// Hủy một phần: part of the earlier document is annulled; an officer decides what stops.
    PartialAnnulment,
}

impl AmendmentKind {
    /// Every kind, for lookups by wire name.
    pub const ALL: [AmendmentKind; 3] = [Self::Correction, Self::Annulment, Self::PartialAnnulment];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Correction => "correction",
            Self::Annulment => "annulment",
            Self::PartialAnnulment => "partial_annulment",
        }
    }

    /// Reads a wire name.
    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Annulments carry no parties or obligations of their own.
    pub fn is_annulment(self) -> bool {
        matches!(self, Self::Annulment | Self::PartialAnnulment)
    }
}

/// How often a recurring obligation falls due (cấp dưỡng hàng tháng).
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Hàng tháng.
    Monthly,
    /// Hàng quý.
    Quarterly,
    /// Hàng năm.
    Yearly,
}

impl Period {
    /// Every period, for lookups by wire name.
    pub const ALL: [Period; 3] = [Self::Monthly, Self::Quarterly, Self::Yearly];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Monthly => "monthly",
            Self::Quarterly => "quarterly",
            Self::Yearly => "yearly",
        }
    }

    /// Reads a wire name.
    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
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
    /// Amount, required and positive for money kinds; for a recurring obligation, the amount
    /// of each period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Vnd>,
    /// Recurrence, for obligations due every period (child support); `None` for one-off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// Free text from the judgment, NFC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Kinds of obligation; the State-owed kinds are enforced ex officio (chủ động).
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[serde(rename_all = "snake_case")]
pub enum ObligationKind {
    /// Pay money to a party (trả tiền, trả nợ, thanh toán).
    PayMoney,
    /// Compensation for damage (bồi thường thiệt hại), paid to a party.
    Compensation,
    /// Support (cấp dưỡng), usually monthly, paid to a party.
    ChildSupport,
    /// Wages and labour pay (tiền lương, tiền công lao động), severance, job-loss and
    /// loss-of-working-capacity allowances (trợ cấp thôi việc, mất việc làm, mất sức lao động):
    /// paid with maintenance, before court fees (Art. 47(1)(a)).
    Wages,
    /// Damages for harm to life, health or mental suffering (bồi thường thiệt hại về tính
    /// mạng, sức khỏe, tổn thất về tinh thần): paid with maintenance (Art. 47(1)(a)).
    LifeHealthDamages,
    /// Court fee (án phí), owed to the State.
    CourtFee,
    /// Fine (tiền phạt), owed to the State.
    Fine,
    /// Confiscation (tịch thu) for the State budget.
    Confiscation,
    /// Confiscation and destruction of exhibits (tịch thu tiêu hủy).
    Destruction,
    /// Return property (trả lại tài sản).
    ReturnProperty,
    /// Return land or land-use rights (trả lại đất).
    ReturnLand,
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
    pub const ALL: [ObligationKind; 12] = [
        Self::PayMoney,
        Self::Compensation,
        Self::ChildSupport,
        Self::Wages,
        Self::LifeHealthDamages,
        Self::CourtFee,
        Self::Fine,
        Self::Confiscation,
        Self::Destruction,
        Self::ReturnProperty,
        Self::ReturnLand,
        Self::Other,
    ];

    /// The wire name (`pay_money`, `court_fee`, ...), the same names the extractor uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PayMoney => "pay_money",
            Self::Compensation => "compensation",
            Self::ChildSupport => "child_support",
            Self::Wages => "wages",
            Self::LifeHealthDamages => "life_health_damages",
            Self::CourtFee => "court_fee",
            Self::Fine => "fine",
            Self::Confiscation => "confiscation",
            Self::Destruction => "destruction",
            Self::ReturnProperty => "return_property",
            Self::ReturnLand => "return_land",
            Self::Other => "other",
        }
    }

    /// Reads a wire name.
    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Kinds that are an amount of money and so need an amount greater than zero.
    pub fn is_money(self) -> bool {
        matches!(
            self,
            Self::PayMoney
                | Self::Compensation
                | Self::ChildSupport
                | Self::Wages
                | Self::LifeHealthDamages
                | Self::CourtFee
                | Self::Fine
        )
    }

    /// Kinds always owed to the State, which therefore name no creditor party.
    pub fn owed_to_state(self) -> bool {
        matches!(self, Self::CourtFee | Self::Fine | Self::Destruction)
    }
}

impl Judgment {
    /// Idempotency key: first 24 hex digits of SHA-256 of `court.code + "\n" + document_id`.
    /// A court re-sending the same document gets the same key, whatever the bytes.
    pub fn stable_key(&self) -> String {
        Self::key_of(&self.court.code, &self.document_id)
    }

    /// The idempotency key of document `document_id` of court `court_code`, so a correction
    /// or annulment can find the case of the document it names.
    pub fn key_of(court_code: &str, document_id: &str) -> String {
        let mut h = Sha256::new();
        h.update(court_code.as_bytes());
        h.update(b"\n");
        h.update(document_id.as_bytes());
        let mut key = hex::encode(h.finalize());
        key.truncate(24);
        key
    }

    /// The kind of case: as the court states it, else from the number's symbol.
    pub fn kind(&self) -> JudgmentKind {
        self.case_kind
            .unwrap_or_else(|| JudgmentKind::from_number(&self.judgment_number))
    }

    /// True when the court sent the operative text without structured obligations: the hub
    /// extracts them, and an officer confirms the proposal before anything is enforced.
    pub fn is_text_only(&self) -> bool {
        self.obligations.is_empty()
            && self.operative_text.is_some()
            && !self.amends.as_ref().is_some_and(|a| a.kind.is_annulment())
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
            .field("case_kind", &self.case_kind)
            .field("document_kind", &self.document_kind)
            .field("amends", &self.amends)
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
            .field("period", &self.period)
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
