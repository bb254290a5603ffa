//! The register books of an enforcement office (sổ nhận bản án, sổ nhận đơn yêu cầu, sổ thụ
//! lý): every entry gets the next number of its book for its office and year, with no gap and
//! no repeat however many writers there are, because the counter is bumped in the same
//! transaction that writes the entry (a rolled-back entry takes its number back with it).

use serde::Serialize;
use sqlx::Row;
use time::Date;

use crate::db::Tx;

/// A register book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Book {
    /// Sổ nhận bản án, quyết định: judgments received from courts (Art. 29).
    JudgmentReceipt,
    /// Sổ nhận đơn yêu cầu thi hành án: requests received from parties.
    RequestReceipt,
    /// Sổ thụ lý thi hành án: cases accepted for enforcement.
    Acceptance,
    /// Sổ quyết định thi hành án: decisions to enforce, numbered `12/QĐ-THADS` per office and
    /// year when the clerk issues them.
    Decision,
    /// Sổ giải quyết khiếu nại, tố cáo: the answers to complaints (`3/QĐ-GQKN`) and
    /// denunciations (`1/KL-GQTC`), numbered per answering office and year.
    ComplaintDecision,
}

impl Book {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::JudgmentReceipt => "judgment_receipt",
            Self::RequestReceipt => "request_receipt",
            Self::Acceptance => "acceptance",
            Self::Decision => "decision",
            Self::ComplaintDecision => "complaint_decision",
        }
    }

    /// The book's Vietnamese title.
    pub fn title_vi(self) -> &'static str {
        match self {
            Self::JudgmentReceipt => "Sổ nhận bản án, quyết định",
            Self::RequestReceipt => "Sổ nhận đơn yêu cầu thi hành án",
            Self::Acceptance => "Sổ thụ lý thi hành án",
            Self::Decision => "Sổ quyết định thi hành án",
            Self::ComplaintDecision => "Sổ giải quyết khiếu nại, tố cáo",
        }
    }
}

/// One numbered entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The book.
    pub book: Book,
    /// The office whose book it is.
    pub office: String,
    /// The calendar year of the entry; numbering restarts each year.
    pub year: i32,
    /// The entry's number in its book and year, from 1.
    pub number: i64,
    /// What was entered: a case id or a request id.
    pub subject_id: String,
    /// The legal day of the entry.
    pub entered_on: String,
}

impl Entry {
    /// The number as printed on slips and decisions, e.g. `17/2026`.
    pub fn label(&self) -> String {
        format!("{}/{}", self.number, self.year)
    }
}

/// Enters `subject_id` in `book` of `office` on `entered_on`, or returns its existing entry:
/// a subject is entered in a book once.
pub async fn enter(
    tx: &mut Tx<'_>,
    book: Book,
    office: &str,
    entered_on: Date,
    subject_id: &str,
    summary: &str,
) -> Result<Entry, sqlx::Error> {
    if let Some(existing) = find(tx, book, subject_id).await? {
        return Ok(existing);
    }
    let year = entered_on.year();
    let number: i64 = sqlx::query(
        "INSERT INTO register_counters (book, office_code, year, last_number) \
         VALUES ($1, $2, $3, 1) \
         ON CONFLICT (book, office_code, year) \
         DO UPDATE SET last_number = register_counters.last_number + 1 \
         RETURNING last_number",
    )
    .bind(book.as_str())
    .bind(office)
    .bind(i64::from(year))
    .fetch_one(&mut **tx)
    .await?
    .try_get("last_number")?;
    sqlx::query(
        "INSERT INTO register_entries \
         (book, office_code, year, number, subject_id, entered_on, summary, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(book.as_str())
    .bind(office)
    .bind(i64::from(year))
    .bind(number)
    .bind(subject_id)
    .bind(entered_on.to_string())
    .bind(summary)
    .bind(crate::db::now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(Entry {
        book,
        office: office.to_string(),
        year,
        number,
        subject_id: subject_id.to_string(),
        entered_on: entered_on.to_string(),
    })
}

/// The entry of `subject_id` in `book`, if it was entered.
pub async fn find(
    tx: &mut Tx<'_>,
    book: Book,
    subject_id: &str,
) -> Result<Option<Entry>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT office_code, year, number, entered_on FROM register_entries \
         WHERE book = $1 AND subject_id = $2",
    )
    .bind(book.as_str())
    .bind(subject_id)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| {
        let year: i64 = r.try_get("year")?;
        Ok(Entry {
            book,
            office: r.try_get("office_code")?,
            year: i32::try_from(year).unwrap_or_default(),
            number: r.try_get("number")?,
            subject_id: subject_id.to_string(),
            entered_on: r.try_get("entered_on")?,
        })
    })
    .transpose()
}
