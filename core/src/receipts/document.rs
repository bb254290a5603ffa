//! The receipt document (biên lai thu tiền điện tử) as the hub signs it: who paid, how much in
//! figures and in Vietnamese words, for which case and decision, under which series and number.
//! Pure: the caller supplies every value, so the same data always gives the same bytes.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use thads_schemas::money::Vnd;
use time::Date;

/// The `type` member of every receipt, so a receipt's signature cannot pass for a court
/// receipt's or an evidence's.
pub const RECEIPT_TYPE: &str = "urn:thads:e-receipt:v1";

/// The title printed on the receipt.
pub const TITLE: &str = "Biên lai thu tiền thi hành án dân sự (điện tử)";

/// The receipt series (ký hiệu) of an office and year: `BL/<office>/<year>`.
pub fn series(office: &str, year: i32) -> String {
    format!("BL/{office}/{year}")
}

/// The number as printed: seven digits, e.g. `0000017`.
pub fn number_label(number: i64) -> String {
    format!("{number:07}")
}

/// The receipt id: derived from series and number, which are unique together.
pub fn receipt_id(series: &str, number: i64) -> String {
    let digest = Sha256::digest(format!("{series}\n{number}").as_bytes());
    format!("bl-{}", &hex::encode(digest)[..24])
}

/// A date as Vietnamese documents write it: `20/11/2026`.
pub fn vn_date(d: Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

/// Everything printed on a receipt.
#[derive(Debug, Clone)]
pub struct ReceiptData<'a> {
    /// The receipt id.
    pub receipt_id: &'a str,
    /// The series (`BL/HCM-KV01/2026`).
    pub series: &'a str,
    /// The number within the series.
    pub number: i64,
    /// The office that collected the money.
    pub office: &'a str,
    /// The day the receipt was issued (Vietnam time).
    pub issued_on: Date,
    /// The instant it was issued (RFC 3339).
    pub issued_at: &'a str,
    /// The payer's name: the party's as the court wrote it when the payer is a party, else as
    /// the bank wrote it.
    pub payer_name: Option<&'a str>,
    /// The party the payer is, when known.
    pub payer_party: Option<&'a str>,
    /// The amount.
    pub amount: Vnd,
    /// The case.
    pub case_id: &'a str,
    /// The judgment enforced.
    pub judgment_number: &'a str,
    /// The court that gave it.
    pub court: &'a str,
    /// The decision to enforce, once issued.
    pub decision_number: Option<&'a str>,
    /// The bank payment.
    pub payment_id: &'a str,
    /// The day the bank booked it.
    pub booking_date: Date,
    /// The receipt this one replaces (after a void).
    pub replaces: Option<&'a str>,
}

/// The unsigned receipt document; absent values are left out.
pub fn build(d: &ReceiptData<'_>) -> Value {
    let mut payer = Map::new();
    payer.insert(
        "name".into(),
        Value::from(
            d.payer_name
                .unwrap_or("(ngân hàng không ghi tên người nộp)"),
        ),
    );
    if let Some(p) = d.payer_party {
        payer.insert("party_ref".into(), Value::from(p));
    }
    let mut content = format!(
        "Nộp tiền thi hành án theo Bản án số {} của {}",
        d.judgment_number, d.court
    );
    if let Some(n) = d.decision_number {
        content.push_str(&format!(" và Quyết định thi hành án số {n}"));
    }
    let mut doc = json!({
        "type": RECEIPT_TYPE,
        "title": TITLE,
        "receipt_id": d.receipt_id,
        "series": d.series,
        "number": d.number,
        "number_label": number_label(d.number),
        "office": d.office,
        "issued_on": d.issued_on.to_string(),
        "issued_at": d.issued_at,
        "payer": Value::Object(payer),
        "amount_vnd": d.amount.amount(),
        "amount_figures": d.amount.to_string(),
        "amount_in_words": d.amount.in_words(),
        "case_id": d.case_id,
        "judgment_number": d.judgment_number,
        "court": d.court,
        "content": content,
        "payment_id": d.payment_id,
        "booking_date": d.booking_date.to_string(),
    });
    if let Some(map) = doc.as_object_mut() {
        if let Some(n) = d.decision_number {
            map.insert("decision_number".into(), Value::from(n));
        }
        if let Some(r) = d.replaces {
            map.insert("replaces".into(), Value::from(r));
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::date;

    #[test]
    fn the_document_has_figures_words_and_case() {
        let d = ReceiptData {
            receipt_id: "bl-1",
            series: &series("HCM-KV01", 2026),
            number: 17,
            office: "HCM-KV01",
            issued_on: date!(2026 - 11 - 20),
            issued_at: "2026-11-20T03:00:00Z",
            payer_name: Some("Trần Thị Bình"),
            payer_party: Some("P2"),
            amount: Vnd::new(25_000_000).unwrap(),
            case_id: "case-1",
            judgment_number: "215/2026/DS-ST",
            court: "Tòa án nhân dân khu vực 1",
            decision_number: Some("12/QĐ-CCTHADS"),
            payment_id: "pay-1",
            booking_date: date!(2026 - 11 - 20),
            replaces: None,
        };
        let doc = build(&d);
        assert_eq!(doc["series"], "BL/HCM-KV01/2026");
        assert_eq!(doc["number_label"], "0000017");
        assert_eq!(doc["amount_figures"], "25.000.000 đồng");
        assert_eq!(doc["amount_in_words"], "Hai mươi lăm triệu đồng");
        assert_eq!(doc["payer"]["party_ref"], "P2");
        assert_eq!(doc["decision_number"], "12/QĐ-CCTHADS");
        assert!(doc.get("replaces").is_none());
        assert!(crate::partners::canonical::canonical_bytes(&doc).is_ok());
        assert_eq!(vn_date(date!(2026 - 01 - 05)), "05/01/2026");
        assert_ne!(receipt_id("BL/A/2026", 1), receipt_id("BL/A/2026", 2));
    }
}
