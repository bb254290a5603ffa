//! The transfer QR code of a case: a VietQR payload paying what remains due into the THADS
//! deposit account of the case's office, with the case's payment reference as the memo (so the
//! bank's camt.054 credit is matched to the case), and the code drawn as SVG.

use serde::{Deserialize, Serialize};
use thads_schemas::money::Vnd;
use thads_schemas::vietqr::{Service, VietQr, VietQrError};

/// A THADS deposit account that parties pay into, by office (`[party_portal.deposit_accounts]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DepositAccount {
    /// The bank's NAPAS BIN (6 digits, e.g. `970436` Vietcombank, `970415` VietinBank).
    pub bank_bin: String,
    /// The account number.
    pub account: String,
    /// The account holder as banks show it (upper case, no diacritics), for the page.
    #[serde(default)]
    pub account_name: Option<String>,
    /// The bank's name, for the page.
    #[serde(default)]
    pub bank_name: Option<String>,
}

impl DepositAccount {
    /// Checks the BIN and account as VietQR needs them.
    pub fn validate(&self) -> Result<(), VietQrError> {
        VietQr::new(
            &self.bank_bin,
            &self.account,
            Service::ToAccount,
            None,
            None,
        )
        .map(|_| ())
    }
}

/// A case's transfer QR code.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentQr {
    /// The VietQR payload (EMVCo, NAPAS), CRC included.
    pub payload: String,
    /// The code as an SVG picture.
    pub svg: String,
    /// The amount it asks for, in whole đồng; 0 when the payer types it.
    pub amount_vnd: i64,
    /// The memo: the case's payment reference.
    pub reference: String,
    /// The beneficiary bank's BIN.
    pub bank_bin: String,
    /// The bank's name.
    pub bank_name: Option<String>,
    /// The deposit account.
    pub account: String,
    /// The account holder.
    pub account_name: Option<String>,
}

/// The QR code paying `amount` into `account` with `reference` as the memo.
pub fn payment_qr(
    account: &DepositAccount,
    amount: Vnd,
    reference: &str,
) -> Result<PaymentQr, VietQrError> {
    let qr = VietQr::new(
        &account.bank_bin,
        &account.account,
        Service::ToAccount,
        Some(amount),
        Some(reference),
    )?;
    let payload = qr.payload();
    Ok(PaymentQr {
        svg: svg(&payload),
        payload,
        amount_vnd: amount.amount(),
        reference: reference.to_string(),
        bank_bin: account.bank_bin.clone(),
        bank_name: account.bank_name.clone(),
        account: account.account.clone(),
        account_name: account.account_name.clone(),
    })
}

/// `payload` as a QR code in SVG (error correction M, quiet zone included). A VietQR payload
/// is at most a few hundred ASCII characters, well within a QR code's capacity; should encoding
/// ever fail the answer is an SVG saying so rather than a broken picture.
pub fn svg(payload: &str) -> String {
    match qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(240, 240)
            .quiet_zone(true)
            .build(),
        Err(e) => format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"240\" height=\"40\">\
             <text x=\"4\" y=\"24\">{e}</text></svg>"
        ),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_code_pays_the_remaining_amount_with_the_reference() {
        let account = DepositAccount {
            bank_bin: "970436".into(),
            account: "0071001234567".into(),
            account_name: Some("CHI CUC THADS KV1 TP HCM".into()),
            bank_name: Some("Vietcombank".into()),
        };
        assert!(account.validate().is_ok());
        let qr = payment_qr(&account, Vnd::new(157_500_000).unwrap(), "THA0123ABCD45").unwrap();
        let parsed = VietQr::parse(&qr.payload).unwrap();
        assert_eq!(parsed.bank_bin(), "970436");
        assert_eq!(parsed.account(), "0071001234567");
        assert_eq!(parsed.amount().unwrap().amount(), 157_500_000);
        assert_eq!(parsed.purpose(), Some("THA0123ABCD45"));
        assert!(
            qr.svg.starts_with("<?xml") || qr.svg.starts_with("<svg"),
            "{}",
            qr.svg
        );
        assert!(qr.svg.contains("</svg>"));
        let bad = DepositAccount {
            bank_bin: "VCB".into(),
            ..account
        };
        assert!(bad.validate().is_err());
    }
}
