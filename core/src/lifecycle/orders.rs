//! What an account order to a bank means for its case: a freeze or a deduction is the
//! measure itself (Arts. 67 and 76), so issuing the order performs `apply_measure` as the
//! issuing officer in the same transaction, with the state machine's permissions, states and
//! deadlines (a freeze starts the 10-day `coercion_after_freeze`; a deduction meets it). A
//! freeze by record (biên bản) also starts the 24-hour `freeze_decision_after_record`, which its
//! confirming decision meets; a release (Art. 77) ends the need for coercion on that freeze.
//! Payouts are part of a disbursement and change nothing here.

use thads_schemas::bank_order::{AccountOrder, OrderKind};
use time::OffsetDateTime;

use super::operation::{Command, Measure, Operation};
use super::perform::{Lifecycle, PerformError, Performed};
use crate::cases::intake::add_case_event;
use crate::db::Tx;
use crate::deadlines::store as deadline_store;
use crate::deadlines::Step;
use crate::staff::Actor;

/// What applying an order to its case did.
#[derive(Debug, Clone)]
pub enum Applied {
    /// The order was the measure: the operation performed.
    Measure(Performed),
    /// The order met deadlines of the case without being an operation (release, confirmation).
    Deadlines,
    /// The order changes nothing on the case (payouts).
    Nothing,
}

/// The `apply_measure` operation an order is, if it is one.
pub fn measure_of(order: &AccountOrder) -> Option<Operation> {
    let measure = match order.kind {
        OrderKind::Freeze => Measure::FreezeAccount,
        OrderKind::Deduct => Measure::DeductAccount,
        OrderKind::Release | OrderKind::Payout | OrderKind::ConfirmFreeze => return None,
    };
    Some(Operation::ApplyMeasure {
        measure,
        scheduled_at: None,
        amount_vnd: Some(order.amount_vnd),
        income_percent: None,
    })
}

/// Applies `order` to its case inside `tx`, as `actor`, on the order's decision date. Returns
/// `Ok(None)`, having written nothing, when the case changed under it: the caller rolls back
/// and tries again. A refusal of the state machine (wrong state, role, or amount) is returned
/// as [`PerformError::Refused`], and the caller must not issue the order.
pub async fn apply(
    lifecycle: &Lifecycle,
    tx: &mut Tx<'_>,
    order: &AccountOrder,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<Option<Applied>, PerformError> {
    let on = order.decision_date;
    if let Some(operation) = measure_of(order) {
        let command = Command {
            operation,
            effective_on: Some(on),
            request_id: Some(order.order_id.clone()),
            reason: Some(format!(
                "{} {} ({})",
                order.kind.title_vi(),
                order.decision_number,
                order.order_id
            )),
            documents: Vec::new(),
        };
        let Some(done) = lifecycle
            .perform_in(tx, &order.case_id, actor, &command, now)
            .await?
        else {
            return Ok(None);
        };
        if order.by_record {
            let started = deadline_store::restart(
                tx,
                lifecycle.schedule(),
                &order.case_id,
                Step::FreezeDecisionAfterRecord,
                on,
            )
            .await?;
            if let Err(e) = started {
                add_case_event(
                    tx,
                    &order.case_id,
                    "deadline_unknown",
                    &format!("{}: {e}", Step::FreezeDecisionAfterRecord.as_str()),
                )
                .await?;
            }
        }
        return Ok(Some(Applied::Measure(done)));
    }
    let met = match order.kind {
        OrderKind::ConfirmFreeze => Step::FreezeDecisionAfterRecord,
        OrderKind::Release => Step::CoercionAfterFreeze,
        _ => return Ok(Some(Applied::Nothing)),
    };
    deadline_store::complete(tx, &order.case_id, met, on).await?;
    Ok(Some(Applied::Deadlines))
}

#[cfg(test)]
mod tests {
    use super::*;
    use thads_schemas::money::Vnd;
    use thads_schemas::office::OfficeCode;
    use thads_schemas::text::PersonalText;
    use time::macros::date;

    fn order(kind: OrderKind) -> AccountOrder {
        AccountOrder {
            order_id: "ord-1".into(),
            kind,
            case_id: "case-1".into(),
            office: OfficeCode::parse("HCM-KV01").expect("office"),
            bank: "VCB".into(),
            account: "0071000123456".into(),
            holder_name: PersonalText::new("Trần Thị Bình"),
            holder_cccd: None,
            amount_vnd: Vnd::new(5_000_000).expect("amount"),
            legal_basis: vec!["Điều 67".into()],
            decision_number: "1/QĐ".into(),
            by_record: false,
            decision_date: date!(2026 - 12 - 01),
            destination_account: None,
            references: None,
            payment_reference: None,
            issued_at: "2026-12-01T09:00:00+07:00".into(),
        }
    }

    #[test]
    fn freezes_and_deductions_are_measures_the_rest_are_not() {
        let freeze = measure_of(&order(OrderKind::Freeze));
        assert!(matches!(
            freeze,
            Some(Operation::ApplyMeasure {
                measure: Measure::FreezeAccount,
                amount_vnd: Some(a),
                ..
            }) if a.amount() == 5_000_000
        ));
        assert!(matches!(
            measure_of(&order(OrderKind::Deduct)),
            Some(Operation::ApplyMeasure {
                measure: Measure::DeductAccount,
                ..
            })
        ));
        for kind in [
            OrderKind::Release,
            OrderKind::Payout,
            OrderKind::ConfirmFreeze,
        ] {
            assert!(measure_of(&order(kind)).is_none(), "{kind}");
        }
    }
}
