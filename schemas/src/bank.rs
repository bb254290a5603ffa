//! The canonical bank payment on `in.bank.payment`: one credit booked on a THADS deposit account
//! (tài khoản tạm giữ của cơ quan thi hành án), as read from an ISO 20022 camt.054 / camt.053 entry.
//!
//! Examples of the bank messages it is read from: `schemas/bank/examples/`.

use crate::money::Vnd;
use crate::text::PersonalText;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, Month};

/// One payment received on a THADS account, so the case workflow can record money paid by a
/// judgment debtor (người phải thi hành án) without knowing the bank's message format.
///
/// JSON field names are part of the bus contract; every field is always present (`null` when
/// unknown), dates are `YYYY-MM-DD`, the amount is an integer of whole đồng.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// The bank message it came from (`GrpHdr/MsgId`), to trace a payment back to its file.
    pub message_id: String,
    /// The account servicer's BIC or code (`Acct/Svcr/FinInstnId/BICFI|BIC`), when the message
    /// names it; scopes [`Payment::entry_ref`], which is unique only within one bank.
    #[serde(default)]
    pub bank: Option<String>,
    /// The THADS account credited (`Acct/Id/Othr/Id`, or `Acct/Id/IBAN`).
    pub account: String,
    /// The bank's reference of the booking (`Ntry/NtryRef`, else `AcctSvcrRef`, else the
    /// transaction's `Refs/AcctSvcrRef` or `Refs/TxId`); `<ref>/<n>` for the n-th transaction
    /// of a batch entry, so every payment has its own.
    pub entry_ref: String,
    /// The payer's end-to-end id (`Refs/EndToEndId`), unless absent or `NOTPROVIDED`.
    #[serde(default)]
    pub end_to_end_id: Option<String>,
    /// Amount credited, in whole đồng.
    pub amount_vnd: Vnd,
    /// Day the bank booked the credit (`BookgDt`): the legal date of payment.
    #[serde(with = "iso_date")]
    pub booking_date: Date,
    /// Value date (`ValDt`), when given.
    #[serde(default, with = "iso_date::option")]
    pub value_date: Option<Date>,
    /// The payer's name (`RltdPties/Dbtr/Nm`, or `Dbtr/Pty/Nm` from camt.054.001.08); masked in logs.
    #[serde(default)]
    pub debtor_name: Option<PersonalText>,
    /// The payer's account (`RltdPties/DbtrAcct/Id/Othr/Id` or `IBAN`).
    #[serde(default)]
    pub debtor_account: Option<String>,
    /// Payment memo (nội dung chuyển khoản): `RmtInf/Ustrd` lines and structured creditor
    /// references joined with spaces, else the bank's additional information. Matched against
    /// case payment references; may name people, so it is masked in logs.
    pub remittance: String,
}

impl Payment {
    /// Key under which the payment is recorded once, however often the bank notifies it:
    /// the bank (or, when unknown, the account) and the entry reference.
    pub fn idempotency_key(&self) -> String {
        let scope = self.bank.as_deref().unwrap_or(&self.account);
        format!("{scope}:{}", self.entry_ref)
    }
}

impl fmt::Debug for Payment {
    /// Prints references and amounts; the memo and the payer's account only as lengths, since
    /// they identify people.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Payment")
            .field("message_id", &self.message_id)
            .field("bank", &self.bank)
            .field("account", &self.account)
            .field("entry_ref", &self.entry_ref)
            .field("end_to_end_id", &self.end_to_end_id)
            .field("amount_vnd", &self.amount_vnd)
            .field(
                "booking_date",
                &format_args!("{}", format_iso_date(self.booking_date)),
            )
            .field("value_date", &self.value_date.map(format_iso_date))
            .field("debtor_name", &self.debtor_name)
            .field(
                "debtor_account",
                &self.debtor_account.as_deref().map(redacted),
            )
            .field(
                "remittance",
                &format_args!("{}", redacted(&self.remittance)),
            )
            .finish()
    }
}

fn redacted(s: &str) -> String {
    format!("<redacted {} chars>", s.chars().count())
}

/// Reads an ISO date `YYYY-MM-DD` strictly (ISO 20022 `ISODate`, and the date form of the JSON);
/// `None` when the shape or the calendar date is wrong.
pub fn parse_iso_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    if !shape {
        return None;
    }
    let year = s.get(0..4)?.parse::<i32>().ok()?;
    let month = Month::try_from(s.get(5..7)?.parse::<u8>().ok()?).ok()?;
    let day = s.get(8..10)?.parse::<u8>().ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// Writes a date as `YYYY-MM-DD`, the form of [`parse_iso_date`].
pub fn format_iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Serde for `time::Date` as `YYYY-MM-DD`, independent of the `time` crate's serde features;
/// public so connectors can give their own reports the same date form.
pub mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    /// Writes `YYYY-MM-DD`.
    pub fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format_iso_date(*date))
    }

    /// Reads `YYYY-MM-DD` strictly.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let s = String::deserialize(deserializer)?;
        super::parse_iso_date(&s)
            .ok_or_else(|| serde::de::Error::custom("must be a date written YYYY-MM-DD"))
    }

    /// The same for `Option<Date>`, `null` when absent.
    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};
        use time::Date;

        /// Writes `YYYY-MM-DD` or `null`.
        pub fn serialize<S: Serializer>(
            date: &Option<Date>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match date {
                Some(d) => serializer.serialize_str(&super::super::format_iso_date(*d)),
                None => serializer.serialize_none(),
            }
        }

        /// Reads `YYYY-MM-DD` or `null`.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<Date>, D::Error> {
            match Option::<String>::deserialize(deserializer)? {
                None => Ok(None),
                Some(s) => super::super::parse_iso_date(&s).map(Some).ok_or_else(|| {
                    serde::de::Error::custom("must be a date written YYYY-MM-DD or null")
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::date;

    fn sample() -> Payment {
        Payment {
            message_id: "MSG-1".into(),
            bank: None,
            account: "0071001234567".into(),
            entry_ref: "FT1".into(),
            end_to_end_id: Some("E2E-1".into()),
            amount_vnd: Vnd::new(150_000_000).unwrap(),
            booking_date: date!(2026 - 05 - 12),
            value_date: None,
            debtor_name: Some(PersonalText::new("Trần Thị Bình")),
            debtor_account: Some("19033344455501".into()),
            remittance: "NOP TIEN THA TRAN THI BINH".into(),
        }
    }

    #[test]
    fn json_round_trips_with_iso_dates() {
        let p = sample();
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["booking_date"], "2026-05-12");
        assert_eq!(json["value_date"], serde_json::Value::Null);
        assert_eq!(json["amount_vnd"], 150_000_000);
        assert_eq!(json["debtor_name"], "Trần Thị Bình");
        let back: Payment = serde_json::from_value(json).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn json_rejects_bad_dates_and_unknown_fields() {
        let mut json = serde_json::to_value(sample()).unwrap();
        json["booking_date"] = "2026-02-30".into();
        assert!(serde_json::from_value::<Payment>(json.clone()).is_err());
        json["booking_date"] = "2026-02-28".into();
        json["value_date"] = "12/05/2026".into();
        assert!(serde_json::from_value::<Payment>(json.clone()).is_err());
        json["value_date"] = "2026-05-13".into();
        assert!(serde_json::from_value::<Payment>(json.clone()).is_ok());
        json["extra"] = 1.into();
        assert!(serde_json::from_value::<Payment>(json).is_err());
    }

    #[test]
    fn debug_masks_names_memo_and_payer_account() {
        let text = format!("{:?}", sample());
        assert!(!text.contains("TRAN") && !text.contains("Trần"), "{text}");
        assert!(!text.contains("19033344455501"), "{text}");
        assert!(
            text.contains("FT1") && text.contains("2026-05-12"),
            "{text}"
        );
    }

    #[test]
    fn idempotency_key_prefers_the_bank() {
        let mut p = sample();
        assert_eq!(p.idempotency_key(), "0071001234567:FT1");
        p.bank = Some("BFTVVNVX".into());
        assert_eq!(p.idempotency_key(), "BFTVVNVX:FT1");
    }

    #[test]
    fn iso_dates_are_strict() {
        assert_eq!(parse_iso_date("2024-02-29"), Some(date!(2024 - 02 - 29)));
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-5-12",
            "+2026-05-12",
            "",
            "2026-05-12T",
        ] {
            assert_eq!(parse_iso_date(bad), None, "{bad}");
        }
        assert_eq!(format_iso_date(date!(2026 - 01 - 02)), "2026-01-02");
    }
}
