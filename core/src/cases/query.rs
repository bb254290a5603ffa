//! The read side of a case: `GET /v1/cases/{id}` shows the case, its parties (identity numbers
//! masked), obligations, history and the notices sent for it with their delivery state.

use serde::Serialize;
use sqlx::Row;
use thads_schemas::cccd::Cccd;

use crate::db::{rfc3339, Db};

/// A case as the read side shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    /// Case id.
    pub id: String,
    /// The enforcement office holding it.
    pub office: String,
    /// Current state.
    pub state: String,
    /// The state in Vietnamese.
    pub state_vi: String,
    /// `ex_officio` (chủ động) or `on_request` (theo đơn).
    pub initiation: String,
    /// Kind of judgment (`civil`, `criminal`, ...).
    pub judgment_kind: String,
    /// What the court sent: `judgment`, `decision` or `interim_measure`.
    pub document_kind: String,
    /// The assigned enforcement officer.
    pub officer: Option<String>,
    /// Day accepted for enforcement (thụ lý).
    pub registered_on: Option<String>,
    /// Number of the decision to enforce, once issued.
    pub decision_number: Option<String>,
    /// Day the decision was issued.
    pub decision_on: Option<String>,
    /// How enforcement ended (`fully_enforced`, `terminated`, `transferred`).
    pub outcome: Option<String>,
    /// Money due, collected, paid out and reduced, in whole đồng.
    pub money: MoneyView,
    /// Entries in the register books.
    pub register_entries: Vec<RegisterEntryView>,
    /// The operations performed, oldest first.
    pub operations: Vec<crate::lifecycle::history::OperationView>,
    /// Court code and name.
    pub court: CourtView,
    /// Judgment number, e.g. `215/2026/DS-ST`.
    pub judgment_number: String,
    /// Judgment date (ISO).
    pub judgment_date: String,
    /// Date the judgment took legal effect (ISO).
    pub effective_date: String,
    /// Reference to quote when paying.
    pub payment_reference: String,
    /// The message the case was opened from.
    pub source_message: String,
    /// When the case was opened (RFC 3339).
    pub created_at: String,
    /// Parties.
    pub parties: Vec<PartyView>,
    /// Obligations.
    pub obligations: Vec<ObligationView>,
    /// The case's history, oldest first.
    pub events: Vec<CaseEventView>,
    /// Messages sent for the case (notices), with their state.
    pub notices: Vec<NoticeView>,
    /// Payments posted on the case.
    pub payments: Vec<super::payments::CasePaymentView>,
    /// Total of the posted payments, in whole đồng.
    pub paid_vnd: i64,
    /// Statutory deadlines, with their status today.
    pub deadlines: Vec<crate::deadlines::store::DeadlineView>,
}

/// The money of a case, in whole đồng.
#[derive(Debug, Clone, Serialize)]
pub struct MoneyView {
    /// Due under the judgment.
    pub amount_vnd: i64,
    /// Collected.
    pub collected_vnd: i64,
    /// Paid out.
    pub disbursed_vnd: i64,
    /// Reduced or exempted.
    pub reduced_vnd: i64,
    /// Still due.
    pub remaining_vnd: i64,
    /// Paid out to private creditors and kept for enforcement costs (chi trả, Art. 47).
    pub paid_out_vnd: i64,
    /// Allocated to the State budget (court fees, fines, confiscation).
    pub state_share_vnd: i64,
    /// Transferred to the State Treasury.
    pub transferred_vnd: i64,
    /// Allocated to creditors whose payout the bank rejected: held for them until the payout
    /// is issued again (part of `held_vnd`).
    pub awaiting_payout_vnd: i64,
    /// Still on the deposit account: collected = paid out + transferred + held.
    pub held_vnd: i64,
}

/// A register book entry of the case.
#[derive(Debug, Clone, Serialize)]
pub struct RegisterEntryView {
    /// The book (`judgment_receipt`, `acceptance`, ...).
    pub book: String,
    /// Number as printed, e.g. `17/2026`.
    pub number: String,
    /// Day entered.
    pub entered_on: String,
}

/// The court that gave the judgment.
#[derive(Debug, Clone, Serialize)]
pub struct CourtView {
    /// Court code.
    pub code: String,
    /// Court name.
    pub name: String,
}

/// One party.
#[derive(Debug, Clone, Serialize)]
pub struct PartyView {
    /// Reference inside the judgment (`P1`).
    pub party_ref: String,
    /// creditor, debtor or interested.
    pub role: String,
    /// person or organisation.
    pub kind: String,
    /// Name as the court wrote it (NFC).
    pub name: String,
    /// CCCD, masked.
    pub cccd: Option<String>,
}

/// One obligation.
#[derive(Debug, Clone, Serialize)]
pub struct ObligationView {
    /// Position in the judgment, from 1.
    pub position: i64,
    /// Kind (`pay_money`, `court_fee`, ...).
    pub kind: String,
    /// Debtor party reference.
    pub debtor: String,
    /// Creditor party reference; none for the State.
    pub creditor: Option<String>,
    /// Amount in whole đồng (per period for a recurring obligation).
    pub amount_vnd: Option<i64>,
    /// `monthly`, `quarterly` or `yearly` for a recurring obligation.
    pub period: Option<String>,
}

/// One case event.
#[derive(Debug, Clone, Serialize)]
pub struct CaseEventView {
    /// What happened.
    pub kind: String,
    /// When (RFC 3339).
    pub at: String,
    /// Detail.
    pub detail: Option<String>,
}

/// One notice message sent for the case.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeView {
    /// Message id (look it up at `/v1/messages/{id}`).
    pub message_id: String,
    /// Subject.
    pub subject: String,
    /// Current state (emitted, sending, delivered, dead_lettered, ...).
    pub state: String,
    /// Attempts so far.
    pub attempts: i64,
    /// Last change (RFC 3339).
    pub updated_at: String,
    /// How the notice was validly served (`vneid`, `email`, `direct`, `post`, `posting`);
    /// `None` while it is not served yet.
    pub channel: Option<String>,
    /// The legal notice date (ISO), once served.
    pub served_on: Option<String>,
}

/// Loads a case by id.
pub async fn load(
    db: &Db,
    id: &str,
    schedule: Option<&crate::deadlines::store::Schedule>,
) -> Result<Option<CaseView>, sqlx::Error> {
    let Some(c) = sqlx::query(
        "SELECT id, office_code, state, court_code, court_name, judgment_number, judgment_date, \
         effective_date, payment_reference, source_message, created_at, initiation, judgment_kind, document_kind, \
         officer, registered_on, decision_number, decision_on, outcome, amount_vnd, collected_vnd, \
         disbursed_vnd, reduced_vnd FROM cases WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    let parties = sqlx::query(
        "SELECT party_ref, role, kind, name, cccd FROM case_parties WHERE case_id = $1 ORDER BY party_ref",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let cccd: Option<String> = r.try_get("cccd")?;
        Ok(PartyView {
            party_ref: r.try_get("party_ref")?,
            role: r.try_get("role")?,
            kind: r.try_get("kind")?,
            name: r.try_get("name")?,
            cccd: cccd.map(|c| Cccd::parse(&c).map(|c| c.masked()).unwrap_or_else(|_| "***".into())),
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let obligations = sqlx::query(
        "SELECT position, kind, debtor_ref, creditor_ref, amount_vnd, period FROM case_obligations \
         WHERE case_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(ObligationView {
            position: r.try_get("position")?,
            kind: r.try_get("kind")?,
            debtor: r.try_get("debtor_ref")?,
            creditor: r.try_get("creditor_ref")?,
            amount_vnd: r.try_get("amount_vnd")?,
            period: r.try_get("period")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let events =
        sqlx::query("SELECT kind, at, detail FROM case_events WHERE case_id = $1 ORDER BY seq")
            .bind(id)
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(CaseEventView {
                    kind: r.try_get("kind")?,
                    at: rfc3339(r.try_get("at")?),
                    detail: r.try_get("detail")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let notices = sqlx::query(
        "SELECT m.id, m.subject, m.state, m.attempts, m.updated_at, s.channel, s.served_on \
         FROM messages m LEFT JOIN notice_service s ON s.notice_id = m.id \
         WHERE m.case_id = $1 AND m.direction = 'out' ORDER BY m.created_at, m.id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(NoticeView {
            message_id: r.try_get("id")?,
            subject: r.try_get("subject")?,
            state: r.try_get("state")?,
            attempts: r.try_get("attempts")?,
            updated_at: rfc3339(r.try_get("updated_at")?),
            channel: r.try_get("channel")?,
            served_on: r.try_get("served_on")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let payments = super::payments::for_case(db, id).await?;
    let paid_vnd = payments.iter().map(|p| p.amount_vnd).sum();
    let today = crate::deadlines::store::vietnam_date(time::OffsetDateTime::now_utc());
    let deadlines = crate::deadlines::store::for_case(db, id, today, schedule).await?;
    let register_entries = sqlx::query(
        "SELECT book, number, year, entered_on FROM register_entries WHERE subject_id = $1 \
         ORDER BY entered_on, book",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let number: i64 = r.try_get("number")?;
        let year: i64 = r.try_get("year")?;
        Ok(RegisterEntryView {
            book: r.try_get("book")?,
            number: format!("{number}/{year}"),
            entered_on: r.try_get("entered_on")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let operations = crate::lifecycle::history::for_case(db, id).await?;
    let state: String = c.try_get("state")?;
    let amount: i64 = c.try_get("amount_vnd")?;
    let collected: i64 = c.try_get("collected_vnd")?;
    let reduced: i64 = c.try_get("reduced_vnd")?;
    let totals = crate::disbursement::totals::for_case(db, id).await?;
    Ok(Some(CaseView {
        id: c.try_get("id")?,
        office: c.try_get("office_code")?,
        state_vi: crate::lifecycle::CaseState::parse(&state)
            .map(|s| s.title_vi().to_string())
            .unwrap_or_default(),
        state,
        initiation: c.try_get("initiation")?,
        judgment_kind: c.try_get("judgment_kind")?,
        document_kind: c.try_get("document_kind")?,
        officer: c.try_get("officer")?,
        registered_on: c.try_get("registered_on")?,
        decision_number: c.try_get("decision_number")?,
        decision_on: c.try_get("decision_on")?,
        outcome: c.try_get("outcome")?,
        money: MoneyView {
            amount_vnd: amount,
            collected_vnd: collected,
            disbursed_vnd: c.try_get("disbursed_vnd")?,
            reduced_vnd: reduced,
            remaining_vnd: (amount - collected - reduced).max(0),
            paid_out_vnd: totals.paid_out_vnd,
            state_share_vnd: totals.state_share_vnd,
            transferred_vnd: totals.transferred_vnd,
            awaiting_payout_vnd: totals.awaiting_payout_vnd,
            held_vnd: collected - totals.paid_out_vnd - totals.transferred_vnd,
        },
        register_entries,
        operations,
        court: CourtView {
            code: c.try_get("court_code")?,
            name: c.try_get("court_name")?,
        },
        judgment_number: c.try_get("judgment_number")?,
        judgment_date: c.try_get("judgment_date")?,
        effective_date: c.try_get("effective_date")?,
        payment_reference: c.try_get("payment_reference")?,
        source_message: c.try_get("source_message")?,
        created_at: rfc3339(c.try_get("created_at")?),
        parties,
        obligations,
        events,
        notices,
        payments,
        paid_vnd,
        deadlines,
    }))
}
