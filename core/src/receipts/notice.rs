//! The notice that tells a payer their receipt was issued: a `receipt` notice through the
//! ordinary notice path (outbound message, outbox, VNeID connector with its fall-backs), sent
//! only to a party of the case with a CCCD.

use thads_schemas::cccd::Cccd;
use thads_schemas::money::Vnd;
use thads_schemas::notice::{NoticeCommand, NoticeKind, Recipient};
use thads_schemas::office::OfficeCode;
use thads_schemas::text::PersonalText;
use time::Date;

use super::document::vn_date;
use super::PayerParty;
use crate::cases::intake::notice_id_for;
use crate::db::{now_ms, rfc3339, Tx};

/// Title of the receipt notice.
pub const TITLE: &str = "Biên lai thu tiền thi hành án dân sự";

/// What the notice says.
#[derive(Debug, Clone)]
pub(crate) struct ReceiptNotice<'a> {
    pub(crate) receipt_id: &'a str,
    pub(crate) label: &'a str,
    pub(crate) office: &'a str,
    pub(crate) case_id: &'a str,
    pub(crate) payment_id: &'a str,
    pub(crate) judgment_number: &'a str,
    pub(crate) amount: Vnd,
    pub(crate) booking_date: Date,
    pub(crate) issued_on: Date,
    pub(crate) replaces: Option<&'a str>,
}

/// Queues the notice for `payer`; false when the payer has no valid CCCD (VNeID addresses
/// citizens by it) or the notice was already queued.
pub(crate) async fn send(
    tx: &mut Tx<'_>,
    n: &ReceiptNotice<'_>,
    payer: &PayerParty,
) -> Result<bool, sqlx::Error> {
    let Some(cccd) = payer.cccd.as_deref().and_then(|c| Cccd::parse(c).ok()) else {
        return Ok(false);
    };
    let Ok(office) = OfficeCode::parse(n.office) else {
        return Ok(false);
    };
    let mut body = format!(
        "Cơ quan thi hành án dân sự {office} đã nhận số tiền {amount} ({words}) nộp ngày \
         {booked} để thi hành Bản án số {judgment}. Biên lai điện tử {label}, ngày {issued}. \
         Mã biên lai: {id}. Mã hồ sơ: {case}.",
        amount = n.amount,
        words = n.amount.in_words(),
        booked = vn_date(n.booking_date),
        judgment = n.judgment_number,
        label = n.label,
        issued = vn_date(n.issued_on),
        id = n.receipt_id,
        case = n.case_id,
    );
    if let Some(old) = n.replaces {
        body.push_str(&format!(" Biên lai này thay thế biên lai {old} đã bị hủy."));
    }
    let command = NoticeCommand {
        notice_id: notice_id_for(
            n.case_id,
            &payer.party_ref,
            &format!("receipt:{}", n.receipt_id),
        ),
        case_id: n.case_id.to_string(),
        office,
        kind: NoticeKind::Receipt,
        recipient: Recipient {
            party_ref: payer.party_ref.clone(),
            cccd,
            name: PersonalText::new(&payer.name),
        },
        title: TITLE.to_string(),
        body,
        payment_reference: None,
        issued_at: rfc3339(now_ms()),
    };
    crate::lifecycle::notices::queue(
        tx,
        &command,
        Some(n.payment_id),
        "receipt notice queued for VNeID",
    )
    .await
}
