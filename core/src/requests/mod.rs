//! Requests for enforcement (đơn yêu cầu thi hành án): accepting one checks the 5-year limit,
//! enters it in the office's request book (sổ nhận đơn) under the next number, issues the
//! receipt slip (phiếu nhận đơn), and ties it to the case of its judgment — at once when the
//! court already sent the judgment, or when it arrives — starting the decision-on-request
//! deadline (Art. 36(2)). A refused request is kept with its reason, like any rejected input.

pub mod limit;
pub mod slip;

use serde::Serialize;
use sqlx::Row;
use thads_schemas::hash::content_hash;
use thads_schemas::request::EnforcementRequest;
use thads_schemas::subjects;
use thads_schemas::validation::{FieldError, ValidationErrors};
use time::{Date, OffsetDateTime};

use crate::cases::intake::add_case_event;
use crate::db::{now_ms, Db, Tx};
use crate::deadlines::store::{self as deadline_store, vietnam_date, Schedule};
use crate::deadlines::Step;
use crate::journey::{self, Direction, MessageState, NewMessage};
use crate::registers::{self, Book};
use crate::staff::Actor;

/// Why a request was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// Fields are wrong, or the limit has passed; the bytes were kept under `message_id`.
    #[error("the request is not acceptable")]
    Invalid {
        /// Each field and why.
        errors: Vec<FieldError>,
        /// Where the refused bytes are kept.
        message_id: String,
    },
    /// The actor may not file requests for that office.
    #[error("{0}")]
    Forbidden(String),
    /// The same client reference was used for a different request.
    #[error("client_reference {0:?} was already used for a different request")]
    Conflict(String),
    /// The calendar cannot compute the limit for these dates.
    #[error("calendar: {0}")]
    Calendar(#[from] crate::calendar::CalendarError),
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// The answer to an accepted request: the receipt slip's data.
#[derive(Debug, Clone, Serialize)]
pub struct Accepted {
    /// The request's id.
    pub request_id: String,
    /// Its number in the office's request book, e.g. `12/2026`.
    pub register_number: String,
    /// The office.
    pub office: String,
    /// The day it was filed.
    pub filed_on: String,
    /// How the 5-year limit falls.
    pub limitation: limit::Limitation,
    /// A note for periodic obligations whose earliest instalments are time-barred.
    pub note: Option<String>,
    /// The case it belongs to, when the judgment is already here.
    pub case_id: Option<String>,
    /// The day the decision on request is due, once the case is known.
    pub decision_due_on: Option<String>,
    /// `vneid` for a request the party filed online, signed in through VNeID; `None` for one
    /// filed by staff.
    pub filed_via: Option<String>,
    /// True when this answers a resend of the same request.
    pub duplicate: bool,
}

/// The id of a request: derived from its office and the filer's reference, so a resend names
/// the same request.
pub fn request_id_for(office: &str, client_reference: &str) -> String {
    let h = content_hash(format!("{office}\n{client_reference}").as_bytes());
    format!("req-{}", &h[..20.min(h.len())])
}

/// Who files a request: a member of staff (at reception, or passing on a portal's request), or
/// the party itself online, signed in through VNeID.
#[derive(Debug, Clone, Copy)]
pub enum Filer<'a> {
    /// Staff of the office the request is for.
    Staff(&'a Actor),
    /// The requester, identified by VNeID: the request must name this CCCD as the requester's
    /// and come through the online channel; it is marked `filed_via: "vneid"`.
    Party(&'a thads_schemas::cccd::Cccd),
}

/// Accepts (or refuses, keeping the bytes) a request filed by `actor` at `now`.
pub async fn accept(
    db: &Db,
    schedule: &Schedule,
    actor: &Actor,
    body: &[u8],
    now: OffsetDateTime,
) -> Result<Accepted, RequestError> {
    accept_as(db, schedule, Filer::Staff(actor), body, now).await
}

/// Accepts (or refuses, keeping the bytes) a request filed by `filer` at `now`.
pub async fn accept_as(
    db: &Db,
    schedule: &Schedule,
    filer: Filer<'_>,
    body: &[u8],
    now: OffsetDateTime,
) -> Result<Accepted, RequestError> {
    let today = vietnam_date(now);
    let hash = content_hash(body);
    let request = match EnforcementRequest::from_json(body) {
        Ok(r) => r,
        Err(errors) => return Err(refuse(db, body, &hash, "party:unknown", errors).await?),
    };
    let (filed_by, filed_via) = match filer {
        Filer::Staff(actor) => {
            if !actor.covers_office(&request.office) {
                return Err(RequestError::Forbidden(format!(
                    "requests for {} are received by that office; you work for {}",
                    request.office, actor.office
                )));
            }
            (
                format!("filed by {} ({:?})", actor.username, request.channel),
                None,
            )
        }
        Filer::Party(cccd) => {
            if request.requester.cccd.as_ref() != Some(cccd)
                || request.channel != thads_schemas::request::RequestChannel::Online
            {
                return Err(RequestError::Forbidden(
                    "a party files online for themselves only".into(),
                ));
            }
            (
                "filed online by the party, signed in through VNeID".to_string(),
                Some("vneid"),
            )
        }
    };
    let id = request_id_for(request.office.as_str(), &request.client_reference);
    if let Some(existing) = existing(db, &id, &hash).await? {
        return Ok(existing);
    }
    let partner = format!("party:{}", request.office);
    let filed_on = request.filed_on.unwrap_or(today);
    if filed_on > today {
        let mut e = ValidationErrors::new();
        e.push("/filed_on", format!("{filed_on} is in the future"));
        return Err(refuse(db, body, &hash, &partner, e).await?);
    }
    let start = request
        .judgment
        .due_date
        .unwrap_or(request.judgment.effective_date);
    let excluded: Vec<(Date, Date)> = request
        .excluded_periods
        .iter()
        .map(|p| (p.from, p.to))
        .collect();
    let limitation = limit::limitation(&schedule.calendar, start, &excluded)?;
    let late = filed_on.to_string() > limitation.ends_on;
    let mut note = None;
    if late {
        if request.all_periodic() {
            note = Some(format!(
                "Chỉ các khoản định kỳ đến hạn trong 5 năm trước ngày {filed_on} còn thời hiệu \
                 (Điều 30 khoản 1)."
            ));
        } else {
            let field = if request.judgment.due_date.is_some() {
                "/judgment/due_date"
            } else {
                "/judgment/effective_date"
            };
            let mut e = ValidationErrors::new();
            e.push(
                field,
                format!(
                    "the right to request enforcement expired on {} (5 years from {}, {} days \
                     not counted; {}); the request was filed on {filed_on}",
                    limitation.ends_on,
                    limitation.starts_on,
                    limitation.excluded_days,
                    limitation.legal_basis
                ),
            );
            return Err(refuse(db, body, &hash, &partner, e).await?);
        }
    }

    let mut tx = db.begin().await?;
    let inserted = journey::insert(
        &mut tx,
        &NewMessage {
            id: &id,
            subject: subjects::IN_CITIZEN_REQUEST,
            direction: Direction::In,
            partner: &partner,
            receipt_id: Some(&id),
            content_hash: &hash,
            content_type: "application/json",
            payload: body,
            case_id: None,
            parent_id: None,
        },
        MessageState::Received,
        Some(&filed_by),
    )
    .await?;
    if !inserted {
        // A concurrent resend won the race.
        tx.rollback().await?;
        return existing(db, &id, &hash)
            .await?
            .ok_or_else(|| RequestError::Conflict(request.client_reference.clone()));
    }
    let entry = registers::enter(
        &mut tx,
        Book::RequestReceipt,
        request.office.as_str(),
        filed_on,
        &id,
        &format!(
            "{} — bản án {} ({})",
            request.requester.name.as_str(),
            request.judgment.number,
            request.judgment.court_code
        ),
    )
    .await?;
    sqlx::query(
        "INSERT INTO enforcement_requests (id, office_code, court_code, judgment_number, \
         requester_name, requester_role, filed_on, limit_ends_on, register_number, amount_vnd, \
         note, state, created_at, requester_cccd, filed_via) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'waiting_for_judgment', $12, \
         $13, $14)",
    )
    .bind(&id)
    .bind(request.office.as_str())
    .bind(&request.judgment.court_code)
    .bind(request.judgment.number.trim())
    .bind(request.requester.name.as_str())
    .bind(match request.requester.role {
        thads_schemas::request::RequesterRole::Creditor => "creditor",
        thads_schemas::request::RequesterRole::Debtor => "debtor",
    })
    .bind(filed_on.to_string())
    .bind(&limitation.ends_on)
    .bind(entry.label())
    .bind(request.amount())
    .bind(note.as_deref())
    .bind(now_ms())
    .bind(request.requester.cccd.as_ref().map(|c| c.as_str()))
    .bind(filed_via)
    .execute(&mut *tx)
    .await?;
    let case_id: Option<String> = sqlx::query_scalar(
        "SELECT id FROM cases WHERE office_code = $1 AND court_code = $2 AND judgment_number = $3",
    )
    .bind(request.office.as_str())
    .bind(&request.judgment.court_code)
    .bind(request.judgment.number.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let mut decision_due_on = None;
    if let Some(case_id) = &case_id {
        decision_due_on = link(&mut tx, schedule, &id, case_id).await?;
    }
    journey::advance(
        &mut tx,
        &id,
        MessageState::Accepted,
        Some(&format!("entered as {} in the request book", entry.label())),
    )
    .await
    .map_err(sqlx::Error::from)?;
    tx.commit().await?;
    Ok(Accepted {
        request_id: id,
        register_number: entry.label(),
        office: request.office.to_string(),
        filed_on: filed_on.to_string(),
        limitation,
        note,
        case_id,
        decision_due_on,
        filed_via: filed_via.map(str::to_string),
        duplicate: false,
    })
}

/// Ties a request to its case: the decision on request is due five working days after the
/// request was received (Art. 36(2)). Returns that day.
async fn link(
    tx: &mut Tx<'_>,
    schedule: &Schedule,
    request_id: &str,
    case_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    let row =
        sqlx::query("SELECT filed_on, register_number FROM enforcement_requests WHERE id = $1")
            .bind(request_id)
            .fetch_one(&mut **tx)
            .await?;
    let filed_on: String = row.try_get("filed_on")?;
    let number: String = row.try_get("register_number")?;
    sqlx::query("UPDATE enforcement_requests SET case_id = $2, state = 'linked' WHERE id = $1")
        .bind(request_id)
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    journey::set_case(tx, request_id, case_id).await?;
    add_case_event(
        tx,
        case_id,
        "request_received",
        &format!("đơn yêu cầu số {number} ({request_id})"),
    )
    .await?;
    let Some(start) = deadline_store::parse_iso(&filed_on) else {
        return Ok(None);
    };
    Ok(
        match deadline_store::restart(tx, schedule, case_id, Step::DecisionOnRequest, start).await?
        {
            Ok(due) => Some(due.to_string()),
            Err(_) => None,
        },
    )
}

/// Ties the requests waiting for a judgment to the case just opened for it; called by the
/// case intake in the transaction that opens the case.
pub async fn link_waiting(
    tx: &mut Tx<'_>,
    schedule: &Schedule,
    case_id: &str,
    office: &str,
    court_code: &str,
    judgment_number: &str,
) -> Result<usize, sqlx::Error> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM enforcement_requests WHERE office_code = $1 AND court_code = $2 \
         AND judgment_number = $3 AND case_id IS NULL ORDER BY id",
    )
    .bind(office)
    .bind(court_code)
    .bind(judgment_number.trim())
    .fetch_all(&mut **tx)
    .await?;
    for id in &ids {
        link(tx, schedule, id, case_id).await?;
    }
    Ok(ids.len())
}

/// The stored answer for a resend of the same bytes; a conflict for different bytes.
async fn existing(db: &Db, id: &str, hash: &str) -> Result<Option<Accepted>, RequestError> {
    let Some(stored_hash) =
        sqlx::query_scalar::<_, String>("SELECT content_hash FROM messages WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?
    else {
        return Ok(None);
    };
    let Some(mut found) = load(db, id).await? else {
        return Ok(None);
    };
    if stored_hash != hash {
        return Err(RequestError::Conflict(id.to_string()));
    }
    found.duplicate = true;
    Ok(Some(found))
}

/// A request as its slip shows it.
pub async fn load(db: &Db, id: &str) -> Result<Option<Accepted>, sqlx::Error> {
    let Some(r) = sqlx::query(
        "SELECT r.office_code, r.filed_on, r.limit_ends_on, r.register_number, r.note, r.case_id, \
         r.filed_via, d.due_on FROM enforcement_requests r LEFT JOIN case_deadlines d \
         ON d.case_id = r.case_id AND d.step = 'decision_on_request' WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(Accepted {
        request_id: id.to_string(),
        register_number: r.try_get("register_number")?,
        office: r.try_get("office_code")?,
        filed_on: r.try_get("filed_on")?,
        limitation: limit::Limitation {
            starts_on: String::new(),
            excluded_days: 0,
            ends_on: r.try_get("limit_ends_on")?,
            legal_basis: "Điều 30 Luật Thi hành án dân sự 2008 (sửa đổi 2014)",
        },
        note: r.try_get("note")?,
        case_id: r.try_get("case_id")?,
        decision_due_on: r.try_get("due_on")?,
        filed_via: r.try_get("filed_via")?,
        duplicate: false,
    }))
}

/// Keeps refused bytes with the reasons and builds the error.
async fn refuse(
    db: &Db,
    body: &[u8],
    hash: &str,
    partner: &str,
    errors: ValidationErrors,
) -> Result<RequestError, sqlx::Error> {
    let message_id = format!("rej-{}", &hash[..24.min(hash.len())]);
    let reason = errors
        .0
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("; ");
    journey::record_rejected(
        db,
        &NewMessage {
            id: &message_id,
            subject: subjects::IN_CITIZEN_REQUEST,
            direction: Direction::In,
            partner,
            receipt_id: None,
            content_hash: hash,
            content_type: "application/json",
            payload: body,
            case_id: None,
            parent_id: None,
        },
        &reason,
    )
    .await?;
    Ok(RequestError::Invalid {
        errors: errors.0,
        message_id,
    })
}
