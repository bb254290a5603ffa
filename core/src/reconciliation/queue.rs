//! The queue itself: parking a payment with its candidates and reason, listing what a person
//! may act on, and the offices that hold each THADS deposit account (learned from payments
//! that quote a case's payment reference, or registered by an operator).

use serde::{Deserialize, Serialize};
use sqlx::Row;
use thads_schemas::bank::{format_iso_date, Payment};
use thads_schemas::office::OfficeCode;

use super::audit::{self, AuditView};
use crate::cases::matching::Candidate;
use crate::db::{now_ms, rfc3339, Db, Tx};
use crate::staff::{Actor, Role};

/// Puts a payment in the queue with its candidates and the reason (once per payment).
pub async fn park(
    tx: &mut Tx<'_>,
    payment_id: &str,
    p: &Payment,
    reason: &str,
    candidates: &[Candidate],
) -> Result<(), sqlx::Error> {
    let stored = serde_json::to_string(candidates)
        .map_err(|e| sqlx::Error::Protocol(format!("cannot encode candidates: {e}")))?;
    sqlx::query(
        "INSERT INTO unmatched_payments (payment_id, amount_vnd, booking_date, remittance, reason, \
         created_at, payer_name, account, bank, candidates, state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open') \
         ON CONFLICT (payment_id) DO NOTHING",
    )
    .bind(payment_id)
    .bind(p.amount_vnd.amount())
    .bind(format_iso_date(p.booking_date))
    .bind(&p.remittance)
    .bind(reason)
    .bind(now_ms())
    .bind(p.debtor_name.as_ref().map(|n| n.as_str().to_string()))
    .bind(&p.account)
    .bind(&p.bank)
    .bind(stored)
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// Records that `office` holds the deposit account `account` (a payment on it quoted one of
/// the office's payment references).
pub async fn learn_account(
    tx: &mut Tx<'_>,
    account: &str,
    office: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO deposit_accounts (account, office_code, source, first_seen) \
         VALUES ($1, $2, 'learned', $3) ON CONFLICT (account, office_code) DO NOTHING",
    )
    .bind(account)
    .bind(office)
    .bind(now_ms())
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// The offices known to hold `account`.
pub async fn account_offices(tx: &mut Tx<'_>, account: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT office_code FROM deposit_accounts WHERE account = $1 ORDER BY office_code",
    )
    .bind(account)
    .fetch_all(&mut **tx)
    .await
}

/// A candidate as stored with a queued payment.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct StoredCandidate {
    pub(crate) case_id: String,
    pub(crate) office: String,
    #[serde(default)]
    pub(crate) signals: Vec<String>,
    #[serde(default)]
    pub(crate) score: u32,
}

/// Reads the stored candidates (an unreadable list reads as none).
pub(crate) fn stored_candidates(text: &str) -> Vec<StoredCandidate> {
    serde_json::from_str(text).unwrap_or_default()
}

/// A candidate case as the queue shows it, with the case's numbers and what is due today.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateView {
    /// The case.
    pub case_id: String,
    /// Its office.
    pub office: String,
    /// Its judgment number.
    pub judgment_number: Option<String>,
    /// Its decision number.
    pub decision_number: Option<String>,
    /// What is still due, in whole đồng.
    pub outstanding_vnd: Option<i64>,
    /// The evidence (`judgment_number`, `debtor_name`, `amount`, …).
    pub signals: Vec<String>,
    /// The evidence's weight, for ordering.
    pub score: u32,
}

/// How an officer resolved a queued payment.
#[derive(Debug, Clone, Serialize)]
pub struct ResolutionView {
    /// `posted` or `returned`.
    pub state: String,
    /// The case it was posted on.
    pub case_id: Option<String>,
    /// Who decided.
    pub by: Option<String>,
    /// When (RFC 3339).
    pub at: Option<String>,
    /// Why.
    pub reason: Option<String>,
}

/// A queued payment (names and memo are shown to staff, never logged).
#[derive(Debug, Clone, Serialize)]
pub struct QueueItem {
    /// The payment message id.
    pub payment_id: String,
    /// Amount in whole đồng.
    pub amount_vnd: i64,
    /// Booking date (ISO).
    pub booking_date: String,
    /// The memo.
    pub remittance: String,
    /// The payer's name as the bank wrote it.
    pub payer_name: Option<String>,
    /// The THADS account credited.
    pub account: Option<String>,
    /// The bank.
    pub bank: Option<String>,
    /// Why it was not posted automatically.
    pub reason: String,
    /// When it arrived (RFC 3339).
    pub created_at: String,
    /// `open`, `posted` or `returned`.
    pub state: String,
    /// The cases it may belong to, best first.
    pub candidates: Vec<CandidateView>,
    /// The offices whose officers may act on it: the deposit account's and the candidates'.
    pub offices: Vec<String>,
    /// The officer's decision, once made.
    pub resolution: Option<ResolutionView>,
    /// The audit trail (in the single-item view).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub audit: Vec<AuditView>,
}

const COLUMNS: &str = "payment_id, amount_vnd, booking_date, remittance, payer_name, account, \
                       bank, reason, created_at, state, candidates, resolved_at, resolved_by, \
                       resolved_case, resolution_reason";

/// Which items to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFilter {
    /// Waiting for an officer (the default).
    Open,
    /// Resolved ones too.
    All,
}

/// The items `actor` may act on (see [`may_act`]), oldest first.
pub async fn list(
    db: &Db,
    actor: &Actor,
    filter: StateFilter,
) -> Result<Vec<QueueItem>, sqlx::Error> {
    let sql = match filter {
        StateFilter::Open => format!(
            "SELECT {COLUMNS} FROM unmatched_payments WHERE state = 'open' ORDER BY created_at, payment_id"
        ),
        StateFilter::All => {
            format!("SELECT {COLUMNS} FROM unmatched_payments ORDER BY created_at, payment_id")
        }
    };
    let rows = sqlx::query(&sql).fetch_all(db.pool()).await?;
    let mut tx = db.begin().await?;
    let mut out = Vec::new();
    for r in &rows {
        let item = item(&mut tx, r).await?;
        if may_see(actor, &item.offices) {
            out.push(item);
        }
    }
    tx.rollback().await?;
    Ok(out)
}

/// One item with its audit trail.
pub async fn load(db: &Db, payment_id: &str) -> Result<Option<QueueItem>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM unmatched_payments WHERE payment_id = $1"
    ))
    .bind(payment_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(r) = row else { return Ok(None) };
    let mut tx = db.begin().await?;
    let mut item = item(&mut tx, &r).await?;
    tx.rollback().await?;
    item.audit = audit::for_subject(db, "payment", payment_id).await?;
    Ok(Some(item))
}

async fn item(tx: &mut Tx<'_>, r: &sqlx::any::AnyRow) -> Result<QueueItem, sqlx::Error> {
    let account: Option<String> = r.try_get("account")?;
    let stored = stored_candidates(&r.try_get::<String, _>("candidates")?);
    let mut offices = match &account {
        Some(a) => account_offices(tx, a).await?,
        None => Vec::new(),
    };
    let mut candidates = Vec::with_capacity(stored.len());
    for c in stored {
        if !offices.contains(&c.office) {
            offices.push(c.office.clone());
        }
        let case = sqlx::query(
            "SELECT judgment_number, decision_number, amount_vnd - collected_vnd - reduced_vnd AS due \
             FROM cases WHERE id = $1",
        )
        .bind(&c.case_id)
        .fetch_optional(&mut **tx)
        .await?;
        let (judgment_number, decision_number, due) = match case {
            Some(x) => (
                x.try_get("judgment_number")?,
                x.try_get("decision_number")?,
                Some(x.try_get::<i64, _>("due")?.max(0)),
            ),
            None => (None, None, None),
        };
        candidates.push(CandidateView {
            case_id: c.case_id,
            office: c.office,
            judgment_number,
            decision_number,
            outstanding_vnd: due,
            signals: c.signals,
            score: c.score,
        });
    }
    offices.sort();
    let state: String = r.try_get("state")?;
    let resolution = if state == "open" {
        None
    } else {
        Some(ResolutionView {
            state: state.clone(),
            case_id: r.try_get("resolved_case")?,
            by: r.try_get("resolved_by")?,
            at: r.try_get::<Option<i64>, _>("resolved_at")?.map(rfc3339),
            reason: r.try_get("resolution_reason")?,
        })
    };
    Ok(QueueItem {
        payment_id: r.try_get("payment_id")?,
        amount_vnd: r.try_get("amount_vnd")?,
        booking_date: r.try_get("booking_date")?,
        remittance: r.try_get("remittance")?,
        payer_name: r.try_get("payer_name")?,
        account,
        bank: r.try_get("bank")?,
        reason: r.try_get("reason")?,
        created_at: rfc3339(r.try_get("created_at")?),
        state,
        candidates,
        offices,
        resolution,
        audit: Vec::new(),
    })
}

/// The roles that resolve queued payments: the head and the enforcement officers (the hub
/// has no accountant role).
pub const RESOLVING_ROLES: [Role; 2] = [Role::Head, Role::Officer];

fn covers_any(actor: &Actor, offices: &[String]) -> bool {
    offices
        .iter()
        .filter_map(|o| OfficeCode::parse(o).ok())
        .any(|o| actor.covers_office(&o))
}

/// Whether `actor` sees an item entitled to `offices`: staff of one of those offices (and
/// administrators above them); an item no office is known for is shown to every casework
/// role, so someone can claim it.
pub fn may_see(actor: &Actor, offices: &[String]) -> bool {
    if offices.is_empty() {
        return actor.role != Role::Administrator;
    }
    covers_any(actor, offices)
}

/// Whether `actor` may decide about an item entitled to `offices`, posting it on a case of
/// `case_office` (none for a return): a head or officer whose office covers one of the
/// item's offices or the case's. An item no office is known for may be returned by a head.
pub fn may_act(actor: &Actor, offices: &[String], case_office: Option<&str>) -> bool {
    if !RESOLVING_ROLES.contains(&actor.role) {
        return false;
    }
    if covers_any(actor, offices) {
        return true;
    }
    match case_office {
        Some(o) => covers_any(actor, &[o.to_string()]),
        None => offices.is_empty() && actor.role == Role::Head,
    }
}
