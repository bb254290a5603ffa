//! E-receipts (biên lai điện tử) for money collected: every payment posted on a case gets one,
//! in the same transaction, numbered in its office's series for the year (`BL/<office>/<year>`)
//! without gaps or repeats however many writers there are (the counter is bumped in the
//! issuing transaction, as the register books do). The document is fixed at issue and signed
//! with the hub's key ([`store::signed`]); when the payer is a party of the case with a CCCD,
//! a `receipt` notice goes to them through VNeID. A head may void a receipt with a reason;
//! a replacement with a new number is issued at once ([`store::void`]).
//!
//! # Layout
//! - [`document`]: the receipt document (pure).
//! - [`store`]: reading, signing and voiding stored receipts.
//! - [`notice`]: the notice telling the payer.
//! - [`sealer`]: signing issued receipts in the background.

pub mod document;
pub mod notice;
pub mod sealer;
pub mod store;

use serde::Serialize;
use sqlx::Row;
use thads_schemas::money::Vnd;
use time::{Date, OffsetDateTime};

use crate::cases::intake::add_case_event;
use crate::cases::matching::{compare_names, name_words, NameMatch};
use crate::db::{now_ms, rfc3339, Tx};
use crate::deadlines::store::vietnam_date;

pub use store::{for_case, ReceiptError, ReceiptSummary};

/// What a receipt is issued for.
#[derive(Debug, Clone)]
pub struct NewReceipt<'a> {
    /// The bank payment.
    pub payment_id: &'a str,
    /// The case it was posted on.
    pub case_id: &'a str,
    /// The amount.
    pub amount: Vnd,
    /// The day the bank booked it.
    pub booking_date: Date,
    /// The payer's name as the bank wrote it.
    pub payer_name: Option<&'a str>,
    /// The voided receipt this one replaces.
    pub replaces: Option<&'a str>,
}

/// A receipt just issued.
#[derive(Debug, Clone, Serialize)]
pub struct Issued {
    /// The receipt id (`GET /v1/receipts/{id}`).
    pub receipt_id: String,
    /// The series, e.g. `BL/HCM-KV01/2026`.
    pub series: String,
    /// The number within the series.
    pub number: i64,
    /// Series and number as printed, e.g. `BL/HCM-KV01/2026 số 0000017`.
    pub label: String,
    /// Whether a notice was queued for the payer.
    pub payer_notified: bool,
}

/// The payer, when the bank's name is a party of the case.
#[derive(Debug, Clone)]
pub(crate) struct PayerParty {
    pub(crate) party_ref: String,
    pub(crate) name: String,
    pub(crate) cccd: Option<String>,
}

/// Issues the receipt for a posted payment inside the caller's transaction: the next number
/// of the office's series for the year, the document, a case event and the payer's notice.
pub async fn issue(tx: &mut Tx<'_>, r: &NewReceipt<'_>) -> Result<Issued, sqlx::Error> {
    let case = sqlx::query(
        "SELECT office_code, judgment_number, decision_number, court_name FROM cases WHERE id = $1",
    )
    .bind(r.case_id)
    .fetch_one(&mut **tx)
    .await?;
    let office: String = case.try_get("office_code")?;
    let judgment: String = case.try_get("judgment_number")?;
    let decision: Option<String> = case.try_get("decision_number")?;
    let court: String = case.try_get("court_name")?;
    let now = now_ms();
    let issued_on = vietnam_date(OffsetDateTime::now_utc());
    let year = issued_on.year();
    let number = next_number(tx, &office, year).await?;
    let series = document::series(&office, year);
    let receipt_id = document::receipt_id(&series, number);
    let payer = find_payer(tx, r.case_id, r.payer_name).await?;
    let issued_at = rfc3339(now);
    let doc = document::build(&document::ReceiptData {
        receipt_id: &receipt_id,
        series: &series,
        number,
        office: &office,
        issued_on,
        issued_at: &issued_at,
        payer_name: payer.as_ref().map(|p| p.name.as_str()).or(r.payer_name),
        payer_party: payer.as_ref().map(|p| p.party_ref.as_str()),
        amount: r.amount,
        case_id: r.case_id,
        judgment_number: &judgment,
        court: &court,
        decision_number: decision.as_deref(),
        payment_id: r.payment_id,
        booking_date: r.booking_date,
        replaces: r.replaces,
    });
    sqlx::query(
        "INSERT INTO receipts (receipt_id, office_code, year, series, number, payment_id, case_id, \
         amount_vnd, payer_party, payer_name, state, replaces, document, issued_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'issued', $11, $12, $13)",
    )
    .bind(&receipt_id)
    .bind(&office)
    .bind(i64::from(year))
    .bind(&series)
    .bind(number)
    .bind(r.payment_id)
    .bind(r.case_id)
    .bind(r.amount.amount())
    .bind(payer.as_ref().map(|p| p.party_ref.clone()))
    .bind(r.payer_name)
    .bind(r.replaces)
    .bind(doc.to_string())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let label = format!("{series} số {}", document::number_label(number));
    add_case_event(
        tx,
        r.case_id,
        "receipt_issued",
        &format!("biên lai {label}"),
    )
    .await?;
    let mut payer_notified = false;
    if let Some(p) = &payer {
        payer_notified = notice::send(
            tx,
            &notice::ReceiptNotice {
                receipt_id: &receipt_id,
                label: &label,
                office: &office,
                case_id: r.case_id,
                payment_id: r.payment_id,
                judgment_number: &judgment,
                amount: r.amount,
                booking_date: r.booking_date,
                issued_on,
                replaces: r.replaces,
            },
            p,
        )
        .await?;
    }
    Ok(Issued {
        receipt_id,
        series,
        number,
        label,
        payer_notified,
    })
}

/// Takes the next number of the office's series for `year`: the counter row is bumped in the
/// issuing transaction, so concurrent issuers queue on it and a rolled-back receipt gives its
/// number back.
async fn next_number(tx: &mut Tx<'_>, office: &str, year: i32) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO receipt_counters (office_code, year, last_number) VALUES ($1, $2, 1) \
         ON CONFLICT (office_code, year) \
         DO UPDATE SET last_number = receipt_counters.last_number + 1 \
         RETURNING last_number",
    )
    .bind(office)
    .bind(i64::from(year))
    .fetch_one(&mut **tx)
    .await?
    .try_get("last_number")
}

/// The party the payer is: one whose name is the bank's payer name (accents, case and word
/// order aside), debtors first. A shortened or different name is no one: a receipt notice
/// must never reach the wrong person.
async fn find_payer(
    tx: &mut Tx<'_>,
    case_id: &str,
    payer_name: Option<&str>,
) -> Result<Option<PayerParty>, sqlx::Error> {
    let Some(payer) = payer_name.map(name_words).filter(|w| !w.is_empty()) else {
        return Ok(None);
    };
    let rows = sqlx::query(
        "SELECT party_ref, role, name, cccd FROM case_parties WHERE case_id = $1 \
         ORDER BY CASE WHEN role = 'debtor' THEN 0 ELSE 1 END, party_ref",
    )
    .bind(case_id)
    .fetch_all(&mut **tx)
    .await?;
    for row in rows {
        let name: String = row.try_get("name")?;
        if compare_names(&payer, &name_words(&name)) == NameMatch::Same {
            return Ok(Some(PayerParty {
                party_ref: row.try_get("party_ref")?,
                name,
                cccd: row.try_get("cccd")?,
            }));
        }
    }
    Ok(None)
}
