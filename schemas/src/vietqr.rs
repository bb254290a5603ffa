//! VietQR: the NAPAS QR format for bank transfers (an EMVCo merchant-presented QR payload), so
//! a party can pay into the THADS deposit account by scanning a code in any banking app, with
//! the case's payment reference already in the transfer memo.
//!
//! The payload is a string of ID–length–value objects (two digits each for ID and length):
//!
//! | ID | what | value here |
//! | --- | --- | --- |
//! | `00` | payload format indicator | `01` |
//! | `01` | point of initiation | `11` static (no amount), `12` dynamic (with an amount) |
//! | `38` | merchant account information (NAPAS) | `00` GUID `A000000727`; `01` beneficiary: `00` bank BIN (6 digits), `01` account or card number; `02` service code `QRIBFTTA` (to an account) or `QRIBFTTC` (to a card) |
//! | `53` | currency | `704` (VND) |
//! | `54` | amount | whole đồng, digits only |
//! | `58` | country | `VN` |
//! | `62` | additional data | `08` purpose of the transfer (the memo): here the payment reference |
//! | `63` | CRC | CRC-16/CCITT-FALSE of everything before it, `6304` included, as 4 upper-case hex digits |
//!
//! [`VietQr::payload`] builds it and [`VietQr::parse`] reads one back (checking the CRC), so the
//! two round-trip. Pure functions: no I/O, no image (the picture is drawn elsewhere).

use std::fmt;

use crate::money::Vnd;

/// The NAPAS application identifier in the merchant account information (ID 38, sub-ID 00).
pub const NAPAS_GUID: &str = "A000000727";

/// The longest transfer memo (ID 62, sub-ID 08) banks carry, in characters.
pub const MAX_PURPOSE: usize = 25;

/// The longest beneficiary account or card number, in characters.
pub const MAX_ACCOUNT: usize = 19;

/// What the beneficiary number in ID 38 is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// `QRIBFTTA`: inter-bank 24/7 transfer to an account number.
    ToAccount,
    /// `QRIBFTTC`: inter-bank 24/7 transfer to a card number.
    ToCard,
}

impl Service {
    /// The service code as written in the payload.
    pub fn code(self) -> &'static str {
        match self {
            Self::ToAccount => "QRIBFTTA",
            Self::ToCard => "QRIBFTTC",
        }
    }

    fn parse(code: &str) -> Option<Self> {
        match code {
            "QRIBFTTA" => Some(Self::ToAccount),
            "QRIBFTTC" => Some(Self::ToCard),
            _ => None,
        }
    }
}

/// Why a transfer cannot be written as VietQR, or why a payload is not valid VietQR. Each
/// variant names the object (by its EMVCo ID) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VietQrError {
    /// The bank BIN is not 6 digits.
    #[error("38/01/00 (bank BIN) must be 6 digits, got {0:?}")]
    Bin(String),
    /// The account number is empty, too long, or has characters other than letters and digits.
    #[error("38/01/01 (account) must be 1 to 19 letters or digits, got {0:?}")]
    Account(String),
    /// The memo is too long or has characters outside printable ASCII.
    #[error(
        "62/08 (purpose) must be at most 25 printable ASCII characters (no diacritics), got {0:?}"
    )]
    Purpose(String),
    /// The payload has characters outside printable ASCII.
    #[error("the payload must be printable ASCII")]
    NotAscii,
    /// An object is cut short or its length is not two digits.
    #[error("object at offset {offset} is truncated or its length is not two digits")]
    Truncated {
        /// Byte offset of the object.
        offset: usize,
    },
    /// The payload does not end with the CRC object `6304XXXX`.
    #[error("the payload must end with the CRC object 6304XXXX")]
    MissingCrc,
    /// The CRC does not match the payload.
    #[error("63 (CRC) is {found}, the payload's CRC is {expected}")]
    Crc {
        /// The CRC written in the payload.
        found: String,
        /// The CRC computed over it.
        expected: String,
    },
    /// A required object is absent.
    #[error("{0} is required")]
    Missing(&'static str),
    /// An object has a value VietQR does not allow.
    #[error("{id} must be {expected}, got {found:?}")]
    Value {
        /// The object (`00`, `53`, `38/00`, ...).
        id: &'static str,
        /// What it must be.
        expected: &'static str,
        /// What it is.
        found: String,
    },
}

/// A bank transfer as VietQR carries it: to whom (bank BIN and account), how much, and the memo.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VietQr {
    bank_bin: String,
    account: String,
    service: Service,
    amount: Option<Vnd>,
    purpose: Option<String>,
}

impl VietQr {
    /// A transfer to `account` at the bank with NAPAS BIN `bank_bin` (6 digits, e.g. `970436`
    /// for Vietcombank), for `amount` (none or zero: the payer types it) with `purpose` as the
    /// memo (at most 25 printable ASCII characters: banks carry no diacritics).
    pub fn new(
        bank_bin: &str,
        account: &str,
        service: Service,
        amount: Option<Vnd>,
        purpose: Option<&str>,
    ) -> Result<VietQr, VietQrError> {
        if bank_bin.len() != 6 || !bank_bin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(VietQrError::Bin(bank_bin.to_string()));
        }
        if account.is_empty()
            || account.len() > MAX_ACCOUNT
            || !account.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(VietQrError::Account(account.to_string()));
        }
        let purpose = purpose.filter(|p| !p.is_empty());
        if let Some(p) = purpose {
            if p.len() > MAX_PURPOSE || !p.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
                return Err(VietQrError::Purpose(p.to_string()));
            }
        }
        Ok(VietQr {
            bank_bin: bank_bin.to_string(),
            account: account.to_string(),
            service,
            amount: amount.filter(|a| !a.is_zero()),
            purpose: purpose.map(str::to_string),
        })
    }

    /// The beneficiary bank's NAPAS BIN.
    pub fn bank_bin(&self) -> &str {
        &self.bank_bin
    }

    /// The beneficiary account (or card) number.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// Account or card.
    pub fn service(&self) -> Service {
        self.service
    }

    /// The amount, when the code fixes one.
    pub fn amount(&self) -> Option<Vnd> {
        self.amount
    }

    /// The transfer memo.
    pub fn purpose(&self) -> Option<&str> {
        self.purpose.as_deref()
    }

    /// The payload string to encode in the QR code, CRC included.
    pub fn payload(&self) -> String {
        let beneficiary = tlv("00", &self.bank_bin) + &tlv("01", &self.account);
        let merchant =
            tlv("00", NAPAS_GUID) + &tlv("01", &beneficiary) + &tlv("02", self.service.code());
        let mut out = tlv("00", "01");
        out += &tlv("01", if self.amount.is_some() { "12" } else { "11" });
        out += &tlv("38", &merchant);
        out += &tlv("53", "704");
        if let Some(a) = self.amount {
            out += &tlv("54", &a.amount().to_string());
        }
        out += &tlv("58", "VN");
        if let Some(p) = &self.purpose {
            out += &tlv("62", &tlv("08", p));
        }
        out += "6304";
        let crc = crc16_ccitt_false(out.as_bytes());
        out += &format!("{crc:04X}");
        out
    }

    /// Reads a VietQR payload, checking its CRC (hex digits in either case) and every object
    /// VietQR requires. Objects it does not use (merchant name, bill number, ...) are skipped.
    pub fn parse(payload: &str) -> Result<VietQr, VietQrError> {
        if !payload.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
            return Err(VietQrError::NotAscii);
        }
        let split = payload
            .len()
            .checked_sub(4)
            .filter(|&at| payload[..at].ends_with("6304"))
            .ok_or(VietQrError::MissingCrc)?;
        let (body, found) = payload.split_at(split);
        let expected = format!("{:04X}", crc16_ccitt_false(body.as_bytes()));
        if !found.eq_ignore_ascii_case(&expected) {
            return Err(VietQrError::Crc {
                found: found.to_string(),
                expected,
            });
        }
        let top = objects(&body[..body.len() - 4])?;
        let get = |id: &str| top.iter().find(|(i, _)| *i == id).map(|(_, v)| *v);
        expect(get("00"), "00", "01", "01 (payload format indicator)")?;
        if let Some(v) = get("01") {
            if v != "11" && v != "12" {
                return Err(value("01", "11 or 12", v));
            }
        }
        expect(get("53"), "53", "704", "704 (VND)")?;
        expect(get("58"), "58", "VN", "VN")?;
        let merchant = objects(get("38").ok_or(VietQrError::Missing("38 (NAPAS account)"))?)?;
        let sub = |id: &str| merchant.iter().find(|(i, _)| *i == id).map(|(_, v)| *v);
        expect(sub("00"), "38/00", NAPAS_GUID, NAPAS_GUID)?;
        let service_code = sub("02").ok_or(VietQrError::Missing("38/02 (service code)"))?;
        let service = Service::parse(service_code)
            .ok_or_else(|| value("38/02", "QRIBFTTA or QRIBFTTC", service_code))?;
        let beneficiary = objects(sub("01").ok_or(VietQrError::Missing("38/01 (beneficiary)"))?)?;
        let ben = |id: &str| beneficiary.iter().find(|(i, _)| *i == id).map(|(_, v)| *v);
        let bin = ben("00").ok_or(VietQrError::Missing("38/01/00 (bank BIN)"))?;
        let account = ben("01").ok_or(VietQrError::Missing("38/01/01 (account)"))?;
        let amount = match get("54") {
            None => None,
            Some(a) if !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()) => {
                Some(Vnd::parse(a).map_err(|_| value("54", "whole đồng in digits", a))?)
            }
            Some(a) => return Err(value("54", "whole đồng in digits", a)),
        };
        let purpose = match get("62") {
            None => None,
            Some(extra) => objects(extra)?
                .into_iter()
                .find(|(i, _)| *i == "08")
                .map(|(_, v)| v),
        };
        VietQr::new(bin, account, service, amount, purpose)
    }
}

impl fmt::Display for VietQr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.payload())
    }
}

/// CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR):
/// the checksum EMVCo QR payloads end with.
pub fn crc16_ccitt_false(bytes: &[u8]) -> u16 {
    const CRC: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_IBM_3740);
    CRC.checksum(bytes)
}

/// One ID–length–value object. Values are ASCII here, so characters and bytes agree; lengths
/// over 99 cannot be written and are never produced (every value is bounded above).
fn tlv(id: &str, value: &str) -> String {
    format!("{id}{:02}{value}", value.len())
}

/// Splits a run of objects into (ID, value) pairs.
fn objects(s: &str) -> Result<Vec<(&str, &str)>, VietQrError> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < s.len() {
        let head = s
            .get(at..at + 4)
            .filter(|h| h.bytes().all(|b| b.is_ascii_digit()))
            .ok_or(VietQrError::Truncated { offset: at })?;
        let len: usize = head[2..]
            .parse()
            .map_err(|_| VietQrError::Truncated { offset: at })?;
        let value = s
            .get(at + 4..at + 4 + len)
            .ok_or(VietQrError::Truncated { offset: at })?;
        out.push((&head[..2], value));
        at += 4 + len;
    }
    Ok(out)
}

fn value(id: &'static str, expected: &'static str, found: &str) -> VietQrError {
    VietQrError::Value {
        id,
        expected,
        found: found.to_string(),
    }
}

fn expect(
    found: Option<&str>,
    id: &'static str,
    want: &str,
    expected: &'static str,
) -> Result<(), VietQrError> {
    match found {
        Some(v) if v == want => Ok(()),
        Some(v) => Err(value(id, expected, v)),
        None => Err(VietQrError::Missing(id)),
    }
}

#[cfg(test)]
mod tests;
