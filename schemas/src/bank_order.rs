//! Account orders to banks and the banks' acknowledgements: phong tỏa (freeze, Art. 67),
//! khấu trừ (deduct, Art. 76) and giải tỏa (release, Art. 77) of a debtor's account, on
//! `out.bank.order`, and the [`OrderAck`] a bank sends back for each.
//!
//! Every acknowledgement carries the hash of the order it answers ([`AccountOrder::order_hash`]:
//! SHA-256 of the order's canonical JSON), so an answer that matches no order the hub issued
//! is refused. Both sides compute the hash with [`canonical_json`], which does not depend on
//! key order or whitespace.

use crate::bank::iso_date;
use crate::cccd::Cccd;
use crate::hash::content_hash;
use crate::money::Vnd;
use crate::office::OfficeCode;
use crate::subjects::is_valid_token;
use crate::text::PersonalText;
use crate::validation::ValidationErrors;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::Date;

/// What an order asks the bank to do.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    /// Phong tỏa tài khoản: hold up to the amount on the account (Art. 67).
    Freeze,
    /// Khấu trừ tiền trong tài khoản: move the amount to the THADS deposit account (Art. 76).
    Deduct,
    /// Giải tỏa: lift an earlier freeze (Art. 77).
    Release,
    /// Chi trả: pay collected money out of the THADS deposit account (`account`) to a
    /// creditor's account (`destination_account`) (Art. 47).
    Payout,
    /// Quyết định phong tỏa after an urgent freeze by record (biên bản, Art. 67(2)): the formal
    /// decision that must follow within 24 hours. It refers to the freeze by record
    /// (`references`) and states the same amount; the bank attaches it to the hold it already
    /// placed and holds nothing more.
    ConfirmFreeze,
}

impl OrderKind {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Freeze => "freeze",
            Self::Deduct => "deduct",
            Self::Release => "release",
            Self::Payout => "payout",
            Self::ConfirmFreeze => "confirm_freeze",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "freeze" => Self::Freeze,
            "deduct" => Self::Deduct,
            "release" => Self::Release,
            "payout" => Self::Payout,
            "confirm_freeze" => Self::ConfirmFreeze,
            _ => return None,
        })
    }

    /// The Vietnamese name printed on the decision.
    pub fn title_vi(self) -> &'static str {
        match self {
            Self::Freeze => "Phong tỏa tài khoản",
            Self::Deduct => "Khấu trừ tiền trong tài khoản",
            Self::Release => "Giải tỏa tài khoản",
            Self::Payout => "Chi trả tiền thi hành án",
            Self::ConfirmFreeze => "Quyết định phong tỏa tài khoản (sau biên bản)",
        }
    }
}

impl fmt::Display for OrderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One order of an enforcement office to a bank about a debtor's account, so the bank receives
/// every fact the decision (quyết định phong tỏa / khấu trừ / giải tỏa) states, with its legal
/// basis, in one machine-readable message.
///
/// JSON field names are the wire contract; every field is always present (`null` when not
/// applicable); `decision_date` is `YYYY-MM-DD`; amounts are integers of whole đồng.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AccountOrder {
    /// Stable id of the order; the bank's `Idempotency-Key` and the key of its answer.
    pub order_id: String,
    /// Freeze, deduct or release.
    pub kind: OrderKind,
    /// The enforcement case (hồ sơ thi hành án) the order belongs to.
    pub case_id: String,
    /// The office that issues it.
    pub office: OfficeCode,
    /// The bank's code (e.g. `VCB`, `BIDV`): which bank receives the order.
    pub bank: String,
    /// The debtor's account number at that bank.
    pub account: String,
    /// The account holder (người phải thi hành án), to cross-check with the bank's records.
    pub holder_name: PersonalText,
    /// The holder's CCCD, when known.
    pub holder_cccd: Option<Cccd>,
    /// Freeze: the amount to hold; deduct: the amount to move (never more than is due plus
    /// costs); release: the amount of the freeze being lifted.
    pub amount_vnd: Vnd,
    /// Articles the decision rests on (e.g. `Điều 67 Luật THADS`).
    pub legal_basis: Vec<String>,
    /// Number of the decision (e.g. `12/QĐ-CCTHADS`); for a freeze by record, the record's
    /// number (e.g. `05/BB-THADS`).
    pub decision_number: String,
    /// A freeze ordered by record (biên bản) in an urgent case, ahead of its decision: the
    /// bank must comply at once, and a `confirm_freeze` order with the decision follows within
    /// 24 hours (Art. 67(2)). `false` for every other order.
    #[serde(default)]
    pub by_record: bool,
    /// Date of the decision.
    #[serde(with = "iso_date")]
    pub decision_date: Date,
    /// Deduct: the THADS deposit account (tài khoản tạm giữ) receiving the money.
    pub destination_account: Option<String>,
    /// The freeze order a release or deduction relates to.
    pub references: Option<String>,
    /// Deduct: the case's payment reference, to quote in the transfer's memo so the money is
    /// matched to the case when the bank confirms it.
    pub payment_reference: Option<String>,
    /// When the order was issued, RFC 3339.
    pub issued_at: String,
}

/// Why an order or acknowledgement could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OrderFormatError {
    /// Not JSON of the expected shape.
    #[error("not a valid {what}: {reason}")]
    Json {
        /// `account order` or `order acknowledgement`.
        what: &'static str,
        /// The parser's reason.
        reason: String,
    },
}

impl AccountOrder {
    /// Reads an order from JSON bytes (as a bank receives it).
    pub fn from_json(bytes: &[u8]) -> Result<Self, OrderFormatError> {
        serde_json::from_slice(bytes).map_err(|e| OrderFormatError::Json {
            what: "account order",
            reason: e.to_string(),
        })
    }

    /// The canonical JSON bytes of the order ([`canonical_json`]): what travels to the bank
    /// and what its hash is computed over.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        canonical_of(self)
    }

    /// SHA-256 (hex) of the canonical JSON: the value every acknowledgement must quote.
    pub fn order_hash(&self) -> String {
        content_hash(&self.canonical_bytes())
    }

    /// Checks what serde cannot; errors name the field as a JSON Pointer.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if !is_valid_token(&self.order_id) || self.order_id.len() > 64 {
            e.push(
                "/order_id",
                "must be 1 to 64 characters among A-Z, a-z, 0-9, '-' and '_'",
            );
        }
        if !is_valid_token(&self.case_id) || self.case_id.len() > 64 {
            e.push(
                "/case_id",
                "must be 1 to 64 characters among A-Z, a-z, 0-9, '-' and '_'",
            );
        }
        if !is_bank_code(&self.bank) {
            e.push(
                "/bank",
                "must be a bank code of 2 to 16 upper-case letters or digits (e.g. VCB)",
            );
        }
        if !is_account(&self.account) {
            e.push(
                "/account",
                "must be 4 to 34 letters or digits (the account number)",
            );
        }
        if self.holder_name.is_empty() || self.holder_name.char_count() > 200 {
            e.push("/holder_name", "must be 1 to 200 characters");
        }
        if self.amount_vnd.is_zero() {
            e.push("/amount_vnd", "must be more than 0 đồng");
        }
        if self.legal_basis.is_empty() || self.legal_basis.len() > 20 {
            e.push(
                "/legal_basis",
                "must cite 1 to 20 legal bases (e.g. \"Điều 67 Luật THADS\")",
            );
        }
        for (i, basis) in self.legal_basis.iter().enumerate() {
            if basis.trim().is_empty() || basis.chars().count() > 200 {
                e.push(format!("/legal_basis/{i}"), "must be 1 to 200 characters");
            }
        }
        if self.decision_number.trim().is_empty() || self.decision_number.chars().count() > 64 {
            e.push("/decision_number", "must be 1 to 64 characters");
        }
        match (self.kind, &self.destination_account) {
            (OrderKind::Deduct, None) => e.push(
                "/destination_account",
                "a deduction must name the THADS deposit account receiving the money",
            ),
            (OrderKind::Payout, None) => e.push(
                "/destination_account",
                "a payout must name the creditor's account receiving the money",
            ),
            (OrderKind::Deduct | OrderKind::Payout, Some(a)) if !is_account(a) => e.push(
                "/destination_account",
                "must be 4 to 34 letters or digits (the account number)",
            ),
            (OrderKind::Freeze | OrderKind::Release | OrderKind::ConfirmFreeze, Some(_)) => e.push(
                "/destination_account",
                "only a deduction or a payout names a destination account",
            ),
            _ => {}
        }
        match (self.kind, &self.references) {
            (OrderKind::Release, None) => e.push(
                "/references",
                "a release must name the freeze order it lifts",
            ),
            (OrderKind::ConfirmFreeze, None) => e.push(
                "/references",
                "a decision confirming a freeze must name the freeze by record it confirms",
            ),
            (OrderKind::Freeze, Some(_)) => {
                e.push("/references", "a freeze does not refer to another order")
            }
            (_, Some(r)) if !is_valid_token(r) || r.len() > 64 || *r == self.order_id => e.push(
                "/references",
                "must be the id of another order (1 to 64 of A-Z, a-z, 0-9, '-', '_')",
            ),
            _ => {}
        }
        match (self.kind, &self.payment_reference) {
            (OrderKind::Deduct, None) => e.push(
                "/payment_reference",
                "a deduction must carry the case's payment reference for the transfer memo",
            ),
            (_, Some(r))
                if r.is_empty() || r.len() > 64 || !r.bytes().all(|b| b.is_ascii_graphic()) =>
            {
                e.push(
                    "/payment_reference",
                    "must be 1 to 64 printable ASCII characters without spaces",
                )
            }
            _ => {}
        }
        if self.by_record && self.kind != OrderKind::Freeze {
            e.push(
                "/by_record",
                "only a freeze may be ordered by record (biên bản) ahead of its decision",
            );
        }
        if !is_rfc3339(&self.issued_at) {
            e.push(
                "/issued_at",
                "must be an RFC 3339 timestamp such as 2026-11-23T09:30:00+07:00",
            );
        }
        e.into_result(())
    }
}

impl fmt::Debug for AccountOrder {
    /// Prints ids, kind and amount; the holder only masked and the account only by its length.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountOrder")
            .field("order_id", &self.order_id)
            .field("kind", &self.kind)
            .field("case_id", &self.case_id)
            .field("office", &self.office)
            .field("bank", &self.bank)
            .field(
                "account",
                &format_args!("<redacted {} chars>", self.account.len()),
            )
            .field("holder_name", &self.holder_name)
            .field("holder_cccd", &self.holder_cccd)
            .field("amount_vnd", &self.amount_vnd)
            .field("decision_number", &self.decision_number)
            .field("by_record", &self.by_record)
            .field("references", &self.references)
            .field("issued_at", &self.issued_at)
            .finish_non_exhaustive()
    }
}

/// What the bank did with an order.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AckStatus {
    /// Done: the amount was frozen, moved or released.
    Executed,
    /// Not done; the reason says why (unknown account, insufficient funds, ...).
    Rejected,
}

impl AckStatus {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Executed => "executed",
            Self::Rejected => "rejected",
        }
    }
}

/// A bank's answer to one [`AccountOrder`], so the hub learns what was really frozen, moved
/// or released, and can prove which order the answer is about (`order_hash`).
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderAck {
    /// The order answered.
    pub order_id: String,
    /// [`AccountOrder::order_hash`] of the order as the bank received it.
    pub order_hash: String,
    /// Executed or rejected.
    pub status: AckStatus,
    /// Executed: the amount actually frozen, moved or released (may be less than ordered
    /// when the balance is short).
    #[serde(default)]
    pub amount_vnd: Option<Vnd>,
    /// Rejected: why.
    #[serde(default)]
    pub reason: Option<String>,
    /// The bank's own reference of the execution.
    #[serde(default)]
    pub bank_reference: Option<String>,
    /// When the bank executed or rejected the order, RFC 3339.
    pub executed_at: String,
}

impl OrderAck {
    /// Reads an acknowledgement from JSON bytes.
    pub fn from_json(bytes: &[u8]) -> Result<Self, OrderFormatError> {
        serde_json::from_slice(bytes).map_err(|e| OrderFormatError::Json {
            what: "order acknowledgement",
            reason: e.to_string(),
        })
    }

    /// The canonical JSON bytes of the acknowledgement.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        canonical_of(self)
    }

    /// SHA-256 (hex) of the canonical JSON: tells a repeated acknowledgement from a different one.
    pub fn ack_hash(&self) -> String {
        content_hash(&self.canonical_bytes())
    }

    /// The amount the acknowledgement reports (zero when none).
    pub fn amount(&self) -> Vnd {
        self.amount_vnd.unwrap_or(Vnd::ZERO)
    }

    /// Checks what serde cannot; errors name the field as a JSON Pointer.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if !is_valid_token(&self.order_id) || self.order_id.len() > 64 {
            e.push(
                "/order_id",
                "must be 1 to 64 characters among A-Z, a-z, 0-9, '-' and '_'",
            );
        }
        if self.order_hash.len() != 64
            || !self
                .order_hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            e.push(
                "/order_hash",
                "must be the SHA-256 of the order: 64 lower-case hex digits",
            );
        }
        match self.status {
            AckStatus::Executed if self.amount_vnd.is_none() => e.push(
                "/amount_vnd",
                "an executed order must state the amount frozen, moved or released",
            ),
            AckStatus::Rejected if self.reason.as_deref().is_none_or(|r| r.trim().is_empty()) => {
                e.push("/reason", "a rejected order must state the reason")
            }
            _ => {}
        }
        if self
            .reason
            .as_deref()
            .is_some_and(|r| r.chars().count() > 500)
        {
            e.push("/reason", "must be at most 500 characters");
        }
        if let Some(r) = &self.bank_reference {
            if r.is_empty() || r.len() > 64 || !r.bytes().all(|b| b.is_ascii_graphic()) {
                e.push(
                    "/bank_reference",
                    "must be 1 to 64 printable ASCII characters without spaces",
                );
            }
        }
        if !is_rfc3339(&self.executed_at) {
            e.push(
                "/executed_at",
                "must be an RFC 3339 timestamp such as 2026-11-23T09:30:00+07:00",
            );
        }
        e.into_result(())
    }
}

/// Writes a JSON value in canonical form: object keys sorted by their UTF-8 bytes, no
/// whitespace, strings escaped as serde_json does. Two documents with the same content give the
/// same bytes, whatever their key order or layout, so hub and bank hash the same thing.
pub fn canonical_json(value: &serde_json::Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_canonical(value, &mut out);
    out
}

/// The canonical form of any JSON document given as bytes (e.g. an order as received).
pub fn canonical_json_of_bytes(bytes: &[u8]) -> Result<Vec<u8>, OrderFormatError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| OrderFormatError::Json {
            what: "JSON document",
            reason: e.to_string(),
        })?;
    Ok(canonical_json(&value))
}

fn canonical_of<T: Serialize>(item: &T) -> Vec<u8> {
    // Serialising these plain structs cannot fail (string keys, no non-finite floats).
    let value = serde_json::to_value(item).unwrap_or(serde_json::Value::Null);
    canonical_json(&value)
}

fn write_canonical(value: &serde_json::Value, out: &mut Vec<u8>) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(k, out);
                out.push(b':');
                write_canonical(v, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(v, out);
            }
            out.push(b']');
        }
        Value::String(s) => write_string(s, out),
        other => out.extend_from_slice(other.to_string().as_bytes()),
    }
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(
        serde_json::Value::String(s.to_string())
            .to_string()
            .as_bytes(),
    );
}

fn is_bank_code(s: &str) -> bool {
    (2..=16).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Whether `s` looks like an account number: 4 to 34 ASCII letters or digits.
pub fn is_account(s: &str) -> bool {
    (4..=34).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn is_rfc3339(s: &str) -> bool {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::date;

    fn freeze() -> AccountOrder {
        AccountOrder {
            order_id: "ord-1".into(),
            kind: OrderKind::Freeze,
            case_id: "case-1".into(),
            office: OfficeCode::parse("HCM-KV01").unwrap(),
            bank: "VCB".into(),
            account: "0123456789".into(),
            holder_name: PersonalText::new("Trần Thị Bình"),
            holder_cccd: Some(Cccd::parse("079182005678").unwrap()),
            amount_vnd: Vnd::new(157_500_000).unwrap(),
            legal_basis: vec!["Điều 67 Luật THADS".into()],
            decision_number: "12/QĐ-CCTHADS".into(),
            by_record: false,
            decision_date: date!(2026 - 11 - 23),
            destination_account: None,
            references: None,
            payment_reference: None,
            issued_at: "2026-11-23T09:30:00+07:00".into(),
        }
    }

    #[test]
    fn a_good_freeze_validates_and_round_trips() {
        let o = freeze();
        o.validate().unwrap();
        let bytes = o.canonical_bytes();
        let back = AccountOrder::from_json(&bytes).unwrap();
        assert_eq!(back, o);
        assert_eq!(back.order_hash(), o.order_hash());
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(json["decision_date"], "2026-11-23");
        assert_eq!(json["references"], serde_json::Value::Null);
    }

    #[test]
    fn the_hash_ignores_layout_and_key_order_but_not_content() {
        let o = freeze();
        let pretty = serde_json::to_vec_pretty(&o).unwrap();
        let mut value: serde_json::Value = serde_json::from_slice(&pretty).unwrap();
        assert_eq!(
            canonical_json_of_bytes(&pretty).unwrap(),
            o.canonical_bytes()
        );
        assert_eq!(
            AccountOrder::from_json(&pretty).unwrap().order_hash(),
            o.order_hash()
        );
        value["amount_vnd"] = 1.into();
        assert_ne!(content_hash(&canonical_json(&value)), o.order_hash());
        let canonical = String::from_utf8(o.canonical_bytes()).unwrap();
        assert!(canonical.starts_with("{\"account\":\"0123456789\",\"amount_vnd\":157500000,"));
    }

    #[test]
    fn validation_names_the_fields() {
        let mut o = freeze();
        o.kind = OrderKind::Deduct;
        o.amount_vnd = Vnd::ZERO;
        o.legal_basis.clear();
        o.bank = "vcb".into();
        o.issued_at = "hôm nay".into();
        let e = o.validate().unwrap_err();
        for f in [
            "/amount_vnd",
            "/legal_basis",
            "/bank",
            "/issued_at",
            "/destination_account",
            "/payment_reference",
        ] {
            assert!(e.has_field(f), "{f}: {e}");
        }
        let mut r = freeze();
        r.kind = OrderKind::Release;
        assert!(r.validate().unwrap_err().has_field("/references"));
        r.references = Some("ord-1".into());
        assert!(r.validate().unwrap_err().has_field("/references"));
        r.references = Some("ord-0".into());
        r.validate().unwrap();
        // Only a freeze is ordered by record; its confirmation names the freeze it confirms.
        r.by_record = true;
        assert!(r.validate().unwrap_err().has_field("/by_record"));
        let mut c = freeze();
        c.kind = OrderKind::ConfirmFreeze;
        assert!(c.validate().unwrap_err().has_field("/references"));
        c.references = Some("ord-0".into());
        c.validate().unwrap();
        c.destination_account = Some("0071000123456".into());
        assert!(c.validate().unwrap_err().has_field("/destination_account"));
        let mut urgent = freeze();
        urgent.by_record = true;
        urgent.validate().unwrap();
        assert_ne!(
            urgent.order_hash(),
            freeze().order_hash(),
            "by_record is hashed"
        );
    }

    #[test]
    fn debug_hides_the_holder_and_the_account() {
        let text = format!("{:?}", freeze());
        assert!(
            !text.contains("Bình") && !text.contains("0123456789"),
            "{text}"
        );
        assert!(!text.contains("079182005678"), "{text}");
    }

    #[test]
    fn acks_are_checked() {
        let o = freeze();
        let ack = OrderAck {
            order_id: o.order_id.clone(),
            order_hash: o.order_hash(),
            status: AckStatus::Executed,
            amount_vnd: Some(Vnd::new(100).unwrap()),
            reason: None,
            bank_reference: Some("VCB-1".into()),
            executed_at: "2026-11-23T09:31:00+07:00".into(),
        };
        ack.validate().unwrap();
        let again = OrderAck::from_json(&ack.canonical_bytes()).unwrap();
        assert_eq!(again.ack_hash(), ack.ack_hash());
        let mut bad = ack.clone();
        bad.status = AckStatus::Rejected;
        bad.order_hash = "ABC".into();
        let e = bad.validate().unwrap_err();
        assert!(e.has_field("/reason") && e.has_field("/order_hash"), "{e}");
        let extra = String::from_utf8(ack.canonical_bytes())
            .unwrap()
            .replacen('{', "{\"x\":1,", 1);
        assert!(OrderAck::from_json(extra.as_bytes()).is_err());
    }
}
