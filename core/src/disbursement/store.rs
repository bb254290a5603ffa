//! The disbursement store: reads what is owed on a case (obligations less earlier payouts),
//! plans a disbursement of the money collected and not yet paid out, records a plan and its
//! lines (with the payout order sent for each private creditor) and lists them.

use serde::Serialize;
use sqlx::Row;
use thads_schemas::money::Vnd;

use super::allocate::{allocate, Allocation, Owed, Payee, Rank};
use crate::db::{now_ms, rfc3339, Db, Tx};

/// Kinds that are always due to the State budget, whatever creditor the judgment names.
const STATE_KINDS: [&str; 3] = ["court_fee", "fine", "confiscation"];

/// A plan computed for a case, not yet recorded.
#[derive(Debug, Clone, Serialize)]
pub struct Planned {
    /// The case's office.
    pub office: String,
    /// Collected and not yet paid out, in đồng.
    pub available: Vnd,
    /// How it is split.
    pub allocation: Allocation,
}

fn vnd(n: i64) -> Result<Vnd, sqlx::Error> {
    Vnd::new(n).map_err(|e| sqlx::Error::Decode(format!("amount {n}: {e}").into()))
}

/// Plans the disbursement of what case `case_id` collected and has not paid out; `costs` are
/// the enforcement costs to deduct first (those earlier plans deducted are counted);
/// `performed` is what a `disburse` operation already performed for this very plan counted as
/// paid out (a retry after the plan failed to be recorded), zero otherwise. `None` when there
/// is no such case.
pub async fn plan(
    db: &Db,
    case_id: &str,
    costs: Vnd,
    performed: Vnd,
) -> Result<Option<Planned>, sqlx::Error> {
    let Some(c) =
        sqlx::query("SELECT office_code, collected_vnd, disbursed_vnd FROM cases WHERE id = $1")
            .bind(case_id)
            .fetch_optional(db.pool())
            .await?
    else {
        return Ok(None);
    };
    let collected: i64 = c.try_get("collected_vnd")?;
    let disbursed: i64 = c.try_get("disbursed_vnd")?;
    let available = vnd((collected - disbursed + performed.amount()).max(0))?;
    let owed = owed(db, case_id, costs).await?;
    Ok(Some(Planned {
        office: c.try_get("office_code")?,
        available,
        allocation: allocate(available, &owed),
    }))
}

/// What is owed on the case: its money obligations with their rank and payee, less what
/// earlier plans paid on each, and (position 0) the enforcement costs.
pub async fn owed(db: &Db, case_id: &str, costs: Vnd) -> Result<Vec<Owed>, sqlx::Error> {
    let paid_rows = sqlx::query(
        "SELECT position, CAST(COALESCE(SUM(amount_vnd), 0) AS BIGINT) AS paid \
         FROM disbursement_lines WHERE case_id = $1 GROUP BY position",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?;
    let mut paid = std::collections::BTreeMap::new();
    for r in &paid_rows {
        paid.insert(
            r.try_get::<i64, _>("position")?,
            r.try_get::<i64, _>("paid")?,
        );
    }
    let paid_on = |p: i64| paid.get(&p).copied().unwrap_or(0);
    let mut owed = Vec::new();
    let costs_paid = paid_on(0);
    if costs.amount() > 0 {
        owed.push(Owed {
            position: 0,
            kind: "costs".into(),
            rank: Rank::Costs,
            payee: Payee::Agency,
            amount: vnd(costs.amount().max(costs_paid))?,
            paid: vnd(costs_paid)?,
        });
    }
    let rows = sqlx::query(
        "SELECT position, kind, creditor_ref, amount_vnd FROM case_obligations \
         WHERE case_id = $1 AND amount_vnd IS NOT NULL ORDER BY position",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?;
    for r in &rows {
        let kind: String = r.try_get("kind")?;
        let Some(rank) = Rank::of_kind(&kind) else {
            continue;
        };
        let position: i64 = r.try_get("position")?;
        let creditor: Option<String> = r.try_get("creditor_ref")?;
        let payee = match creditor {
            Some(c) if !STATE_KINDS.contains(&kind.as_str()) && c != "state" => Payee::Creditor(c),
            _ => Payee::State,
        };
        let amount: i64 = r.try_get("amount_vnd")?;
        owed.push(Owed {
            position,
            kind,
            rank,
            payee,
            amount: vnd(amount.max(0))?,
            paid: vnd(paid_on(position).min(amount.max(0)))?,
        });
    }
    Ok(owed)
}

/// Where a line's money goes at the bank: set for private creditors.
#[derive(Debug, Clone)]
pub struct PayoutOrder {
    /// The bank executing the payout.
    pub bank: String,
    /// The creditor's account.
    pub account: String,
    /// The payout order's id (see `bank_orders`).
    pub order_id: String,
}

/// Records plan `id` for `case_id` in `tx`; `orders[i]` is the payout order of line `i`.
pub async fn record(
    tx: &mut Tx<'_>,
    id: &str,
    case_id: &str,
    actor: &str,
    planned: &Planned,
    operation_seq: Option<i64>,
    orders: &[Option<PayoutOrder>],
) -> Result<(), sqlx::Error> {
    let a = &planned.allocation;
    sqlx::query(
        "INSERT INTO disbursements (id, case_id, office_code, actor, available_vnd, \
         to_creditors_vnd, to_state_vnd, to_agency_vnd, held_vnd, operation_seq, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(case_id)
    .bind(&planned.office)
    .bind(actor)
    .bind(planned.available.amount())
    .bind(a.to_creditors.amount())
    .bind(a.to_state.amount())
    .bind(a.to_agency.amount())
    .bind(a.surplus.amount())
    .bind(operation_seq)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    for (i, line) in a.lines.iter().enumerate() {
        let (payee_kind, payee_ref) = match &line.payee {
            Payee::Creditor(p) => ("creditor", Some(p.as_str())),
            Payee::State => ("state", None),
            Payee::Agency => ("agency", None),
        };
        let order = orders.get(i).and_then(Option::as_ref);
        sqlx::query(
            "INSERT INTO disbursement_lines (disbursement_id, line_no, case_id, position, kind, \
             rank, payee_kind, payee_ref, amount_vnd, remaining_vnd, bank, account, order_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(id)
        .bind(i as i64 + 1)
        .bind(case_id)
        .bind(line.position)
        .bind(&line.kind)
        .bind(line.rank.as_str())
        .bind(payee_kind)
        .bind(payee_ref)
        .bind(line.amount.amount())
        .bind(line.remaining.amount())
        .bind(order.map(|o| o.bank.as_str()))
        .bind(order.map(|o| o.account.as_str()))
        .bind(order.map(|o| o.order_id.as_str()))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// One recorded line.
#[derive(Debug, Clone, Serialize)]
pub struct LineView {
    /// The line's number in its disbursement (from 1).
    pub line_no: i64,
    /// The obligation's position (0: enforcement costs).
    pub position: i64,
    /// The obligation kind.
    pub kind: String,
    /// Its rank in the order of payment.
    pub rank: String,
    /// `creditor`, `state` or `agency`.
    pub payee: String,
    /// The creditor's party reference.
    pub creditor: Option<String>,
    /// Paid by this plan, in đồng.
    pub amount_vnd: i64,
    /// Still owed on the obligation after it.
    pub remaining_vnd: i64,
    /// The payout order sent to the bank (private creditors).
    pub payout_order: Option<String>,
    /// That order's state (`issued`, `sent`, `executed`, `rejected`, `failed`).
    pub payout_state: Option<String>,
    /// Earlier payout orders the bank rejected, each replaced by the next.
    pub reissues: Vec<super::reissue::ReissueView>,
}

/// One recorded disbursement.
#[derive(Debug, Clone, Serialize)]
pub struct DisbursementView {
    /// Its id.
    pub id: String,
    /// The case.
    pub case_id: String,
    /// Who performed it.
    pub actor: String,
    /// Collected and not yet paid out when it was planned.
    pub available_vnd: i64,
    /// Paid to private creditors.
    pub to_creditors_vnd: i64,
    /// Due to the State budget.
    pub to_state_vnd: i64,
    /// Kept for the agency's costs.
    pub to_agency_vnd: i64,
    /// Left held on the deposit account (more than was owed).
    pub held_vnd: i64,
    /// The `disburse` operation in the case's log.
    pub operation_seq: Option<i64>,
    /// When (RFC 3339).
    pub created_at: String,
    /// Its lines.
    pub lines: Vec<LineView>,
}

/// The disbursements of a case, oldest first.
pub async fn for_case(db: &Db, case_id: &str) -> Result<Vec<DisbursementView>, sqlx::Error> {
    let heads = sqlx::query(
        "SELECT id, case_id, actor, available_vnd, to_creditors_vnd, to_state_vnd, \
         to_agency_vnd, held_vnd, operation_seq, created_at FROM disbursements \
         WHERE case_id = $1 ORDER BY created_at, id",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(heads.len());
    for h in &heads {
        let id: String = h.try_get("id")?;
        out.push(DisbursementView {
            lines: lines(db, &id).await?,
            id,
            case_id: h.try_get("case_id")?,
            actor: h.try_get("actor")?,
            available_vnd: h.try_get("available_vnd")?,
            to_creditors_vnd: h.try_get("to_creditors_vnd")?,
            to_state_vnd: h.try_get("to_state_vnd")?,
            to_agency_vnd: h.try_get("to_agency_vnd")?,
            held_vnd: h.try_get("held_vnd")?,
            operation_seq: h.try_get("operation_seq")?,
            created_at: rfc3339(h.try_get("created_at")?),
        });
    }
    Ok(out)
}

async fn lines(db: &Db, id: &str) -> Result<Vec<LineView>, sqlx::Error> {
    let mut lines = sqlx::query(
        "SELECT l.line_no, l.position, l.kind, l.rank, l.payee_kind, l.payee_ref, l.amount_vnd, \
         l.remaining_vnd, l.order_id, o.state AS order_state FROM disbursement_lines l \
         LEFT JOIN bank_orders o ON o.order_id = l.order_id \
         WHERE l.disbursement_id = $1 ORDER BY l.line_no",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(LineView {
            line_no: r.try_get("line_no")?,
            position: r.try_get("position")?,
            kind: r.try_get("kind")?,
            rank: r.try_get("rank")?,
            payee: r.try_get("payee_kind")?,
            creditor: r.try_get("payee_ref")?,
            amount_vnd: r.try_get("amount_vnd")?,
            remaining_vnd: r.try_get("remaining_vnd")?,
            payout_order: r.try_get("order_id")?,
            payout_state: r.try_get("order_state")?,
            reissues: Vec::new(),
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    for line in lines.iter_mut().filter(|l| l.payout_order.is_some()) {
        line.reissues = super::reissue::history(db, id, line.line_no).await?;
    }
    Ok(lines)
}
