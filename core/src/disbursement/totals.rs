//! Running money totals in đồng, per case and per office, from disbursements and Treasury
//! transfers: collected = paid out + transferred to the Treasury + held. A creditor's payout
//! the bank rejected is not paid out: its money stays held for that creditor
//! (`awaiting_payout_vnd`) until the payout is issued again.

use serde::Serialize;
use sqlx::Row;

use crate::db::Db;

/// A case's or an office's money from its disbursements, in đồng.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MoneyTotals {
    /// Paid out to private creditors and kept for the agency's costs.
    pub paid_out_vnd: i64,
    /// Allocated to the State budget (court fees, fines, confiscation).
    pub state_share_vnd: i64,
    /// Transferred to the State Treasury and acknowledged (part of the State's share).
    pub transferred_vnd: i64,
    /// Allocated to creditors whose payout the bank rejected: held for them, to issue again.
    pub awaiting_payout_vnd: i64,
}

/// Payout order states in which the money did not leave the deposit account for good.
const RETURNED: &str = "('rejected')";

/// The creditor lines' money whose payout was returned, per case or office (`group`).
fn awaiting_sql(group: &str, filter: &str) -> String {
    format!(
        "SELECT l.{group} AS k, CAST(COALESCE(SUM(l.amount_vnd), 0) AS BIGINT) AS awaiting \
         FROM disbursement_lines l JOIN bank_orders o ON o.order_id = l.order_id \
         WHERE l.payee_kind = 'creditor' AND o.state IN {RETURNED} {filter} GROUP BY l.{group}"
    )
}

/// The totals of case `case_id`'s disbursements and transfers.
pub async fn for_case(db: &Db, case_id: &str) -> Result<MoneyTotals, sqlx::Error> {
    let r = sqlx::query(
        "SELECT CAST(COALESCE(SUM(to_creditors_vnd + to_agency_vnd), 0) AS BIGINT) AS paid, \
         CAST(COALESCE(SUM(to_state_vnd), 0) AS BIGINT) AS state FROM disbursements \
         WHERE case_id = $1",
    )
    .bind(case_id)
    .fetch_one(db.pool())
    .await?;
    let transferred: i64 = sqlx::query_scalar(&format!(
        "SELECT CAST(COALESCE(SUM(amount_vnd), 0) AS BIGINT) FROM treasury_transfers \
         WHERE case_id = $1 AND state IN {TRANSFERRED}"
    ))
    .bind(case_id)
    .fetch_one(db.pool())
    .await?;
    let awaiting: i64 = sqlx::query(&awaiting_sql("case_id", "AND l.case_id = $1"))
        .bind(case_id)
        .fetch_optional(db.pool())
        .await?
        .map(|r| r.try_get("awaiting"))
        .transpose()?
        .unwrap_or(0);
    let paid: i64 = r.try_get("paid")?;
    Ok(MoneyTotals {
        paid_out_vnd: paid - awaiting,
        state_share_vnd: r.try_get("state")?,
        transferred_vnd: transferred,
        awaiting_payout_vnd: awaiting,
    })
}

/// Treasury transfer states that count as transferred (the Treasury acknowledged them).
const TRANSFERRED: &str = "('acknowledged', 'reconciled', 'mismatch')";

/// The running money of one office, in đồng: collected = paid out + transferred + held.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OfficeMoney {
    /// The office.
    pub office: String,
    /// Due under its cases' judgments.
    pub due_vnd: i64,
    /// Collected.
    pub collected_vnd: i64,
    /// Paid out to creditors and kept for costs.
    pub paid_out_vnd: i64,
    /// Allocated to the State budget.
    pub state_share_vnd: i64,
    /// Transferred to the Treasury and acknowledged.
    pub transferred_vnd: i64,
    /// Allocated to creditors whose payout the bank rejected (part of `held_vnd`).
    pub awaiting_payout_vnd: i64,
    /// Still on the deposit account.
    pub held_vnd: i64,
    /// Still due (due less collected and reduced).
    pub outstanding_vnd: i64,
}

/// The money of every office, by office code.
pub async fn by_office(db: &Db) -> Result<Vec<OfficeMoney>, sqlx::Error> {
    let mut out: std::collections::BTreeMap<String, OfficeMoney> = Default::default();
    for r in sqlx::query(
        "SELECT office_code, CAST(SUM(amount_vnd) AS BIGINT) AS due, \
         CAST(SUM(collected_vnd) AS BIGINT) AS collected, \
         CAST(SUM(CASE WHEN amount_vnd > collected_vnd + reduced_vnd \
              THEN amount_vnd - collected_vnd - reduced_vnd ELSE 0 END) AS BIGINT) AS outstanding \
         FROM cases GROUP BY office_code",
    )
    .fetch_all(db.pool())
    .await?
    {
        let office: String = r.try_get("office_code")?;
        let m = out.entry(office.clone()).or_default();
        m.office = office;
        m.due_vnd = r.try_get::<Option<i64>, _>("due")?.unwrap_or(0);
        m.collected_vnd = r.try_get::<Option<i64>, _>("collected")?.unwrap_or(0);
        m.outstanding_vnd = r.try_get::<Option<i64>, _>("outstanding")?.unwrap_or(0);
    }
    for r in sqlx::query(
        "SELECT office_code, CAST(SUM(to_creditors_vnd + to_agency_vnd) AS BIGINT) AS paid, \
         CAST(SUM(to_state_vnd) AS BIGINT) AS state FROM disbursements GROUP BY office_code",
    )
    .fetch_all(db.pool())
    .await?
    {
        let office: String = r.try_get("office_code")?;
        let m = out.entry(office.clone()).or_default();
        m.paid_out_vnd = r.try_get::<Option<i64>, _>("paid")?.unwrap_or(0);
        m.state_share_vnd = r.try_get::<Option<i64>, _>("state")?.unwrap_or(0);
    }
    for r in sqlx::query(&format!(
        "SELECT office_code, CAST(SUM(amount_vnd) AS BIGINT) AS transferred \
         FROM treasury_transfers WHERE state IN {TRANSFERRED} GROUP BY office_code"
    ))
    .fetch_all(db.pool())
    .await?
    {
        let office: String = r.try_get("office_code")?;
        let m = out.entry(office.clone()).or_default();
        m.transferred_vnd = r.try_get::<Option<i64>, _>("transferred")?.unwrap_or(0);
    }
    // Lines carry no office: join their disbursement for it.
    for r in sqlx::query(&format!(
        "SELECT d.office_code AS office_code, CAST(SUM(a.awaiting) AS BIGINT) AS awaiting \
         FROM ({}) a JOIN disbursements d ON d.id = a.k GROUP BY d.office_code",
        awaiting_sql("disbursement_id", "")
    ))
    .fetch_all(db.pool())
    .await?
    {
        let office: String = r.try_get("office_code")?;
        let m = out.entry(office.clone()).or_default();
        m.awaiting_payout_vnd = r.try_get::<Option<i64>, _>("awaiting")?.unwrap_or(0);
        m.paid_out_vnd -= m.awaiting_payout_vnd;
    }
    Ok(out
        .into_values()
        .map(|mut m| {
            m.held_vnd = m.collected_vnd - m.paid_out_vnd - m.transferred_vnd;
            m
        })
        .collect())
}
