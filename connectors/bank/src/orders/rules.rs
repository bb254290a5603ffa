//! The legal checks an account order must pass before it is issued, as far as the hub can
//! tell from its own records: a deduction never exceeds what is still due on the case, less
//! deductions still awaiting the bank's answer (Art. 76); a release, deduction or confirmation
//! refers to a freeze of the same case, bank and account that the bank did not reject; a
//! release states that freeze's amount and lifts it once (Art. 77); a confirmation (the
//! decision after an urgent freeze by record, Art. 67(2)) refers to a freeze by record not yet
//! confirmed, for the same amount.

use sqlx::any::AnyRow;
use sqlx::Row;
use thads_core::db::Tx;
use thads_schemas::bank_order::{AccountOrder, OrderKind};
use thads_schemas::validation::{FieldError, ValidationErrors};

use super::store::IssueError;
use super::OrderState;

/// How long after a freeze by record its decision is due: 24 hours (Art. 67(2)).
pub const DECISION_AFTER_RECORD_MS: i64 = 24 * 3600 * 1000;

fn invalid(field: &str, reason: impl Into<String>) -> IssueError {
    IssueError::Invalid(ValidationErrors::from(FieldError::new(field, reason)))
}

/// Checks `order` against the case (`case`: its `amount_vnd`, `collected_vnd` and
/// `reduced_vnd`) and the orders it refers to, inside `tx`.
pub(crate) async fn check(
    tx: &mut Tx<'_>,
    order: &AccountOrder,
    case: &AnyRow,
) -> Result<(), IssueError> {
    if let Some(reference) = &order.references {
        check_reference(tx, order, reference).await?;
    }
    if order.kind == OrderKind::Deduct {
        check_deduction_cap(tx, order, case).await?;
    }
    Ok(())
}

async fn check_deduction_cap(
    tx: &mut Tx<'_>,
    order: &AccountOrder,
    case: &AnyRow,
) -> Result<(), IssueError> {
    let due: i64 = case.try_get("amount_vnd")?;
    let collected: i64 = case.try_get("collected_vnd")?;
    let reduced: i64 = case.try_get("reduced_vnd")?;
    let pending: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount_vnd), 0) AS BIGINT) FROM bank_orders \
         WHERE case_id = $1 AND kind = 'deduct' AND state IN ('issued', 'sent')",
    )
    .bind(&order.case_id)
    .fetch_one(&mut **tx)
    .await?;
    let open = (due - collected - reduced - pending).max(0);
    if order.amount_vnd.amount() > open {
        return Err(invalid(
            "/amount_vnd",
            format!(
                "a deduction may not exceed what is still due (Art. 76): {open} đồng \
                 ({pending} đồng already ordered and not yet answered)"
            ),
        ));
    }
    Ok(())
}

async fn check_reference(
    tx: &mut Tx<'_>,
    order: &AccountOrder,
    reference: &str,
) -> Result<(), IssueError> {
    let freeze = sqlx::query(
        "SELECT case_id, kind, bank, account, amount_vnd, state, by_record, confirmed_by \
         FROM bank_orders WHERE order_id = $1",
    )
    .bind(reference)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(freeze) = freeze else {
        return Err(invalid("/references", "no order has this id"));
    };
    let same = freeze.try_get::<String, _>("case_id")? == order.case_id
        && freeze.try_get::<String, _>("kind")? == OrderKind::Freeze.as_str()
        && freeze.try_get::<String, _>("bank")? == order.bank
        && freeze.try_get::<String, _>("account")? == order.account;
    if !same {
        return Err(invalid(
            "/references",
            "must name a freeze of the same case, bank and account",
        ));
    }
    let state: String = freeze.try_get("state")?;
    if state == OrderState::Rejected.as_str() {
        return Err(invalid(
            "/references",
            "the bank rejected that freeze; there is nothing to refer to",
        ));
    }
    let frozen: i64 = freeze.try_get("amount_vnd")?;
    match order.kind {
        OrderKind::Release => {
            if frozen != order.amount_vnd.amount() {
                return Err(invalid(
                    "/amount_vnd",
                    format!("a release states the amount of the freeze it lifts: {frozen} đồng"),
                ));
            }
            let released: Option<String> = sqlx::query_scalar(
                "SELECT order_id FROM bank_orders WHERE related_order = $1 AND kind = 'release' \
                 AND state NOT IN ('rejected', 'failed')",
            )
            .bind(reference)
            .fetch_optional(&mut **tx)
            .await?;
            if let Some(other) = released {
                return Err(invalid(
                    "/references",
                    format!("that freeze is already released by {other}"),
                ));
            }
        }
        OrderKind::ConfirmFreeze => {
            let by_record: i64 = freeze.try_get("by_record")?;
            if by_record == 0 {
                return Err(invalid(
                    "/references",
                    "only a freeze by record (biên bản) is confirmed by a later decision; \
                     that freeze was ordered by decision",
                ));
            }
            if let Some(other) = freeze.try_get::<Option<String>, _>("confirmed_by")? {
                return Err(invalid(
                    "/references",
                    format!("that freeze is already confirmed by {other}"),
                ));
            }
            if frozen != order.amount_vnd.amount() {
                return Err(invalid(
                    "/amount_vnd",
                    format!("the decision states the amount the record froze: {frozen} đồng"),
                ));
            }
        }
        _ => {}
    }
    Ok(())
}
