//! Reconciling what the hubs accepted ([`crate::load::Ledger`]) against what exists in their
//! PostgreSQL database and at the VNeID partner: every judgment opened exactly one case, every
//! payment was posted exactly once with exactly one e-receipt and the right money on its case,
//! and every notice exists once per party and reached the partner. Missing or doubled
//! anything fails with the list.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::load::Ledger;
use crate::vneid_sim::SimState;

/// What a reconciliation counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Cases opened by the ledger's judgments.
    pub cases: usize,
    /// Payments posted.
    pub payments: usize,
    /// E-receipts issued for them.
    pub receipts: usize,
    /// Notices to parties of those cases.
    pub notices: usize,
}

async fn count_in(pool: &PgPool, sql: &str, ids: &[String]) -> Vec<(String, i64)> {
    sqlx::query_as(sql)
        .bind(ids)
        .fetch_all(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Waits until every message of the ledger is handled and every notice of its cases is
/// delivered, then checks that nothing is missing or doubled. Panics with what is wrong.
pub async fn reconcile(db_url: &str, ledger: &Ledger, sim: &SimState, timeout: Duration) -> Counts {
    let pool = PgPool::connect(db_url)
        .await
        .unwrap_or_else(|e| panic!("reconcile: {e}"));
    let judgments: Vec<String> = ledger.judgments.values().cloned().collect();
    let payments: Vec<String> = ledger.payments.values().map(|p| p.0.clone()).collect();
    let all: Vec<String> = judgments.iter().chain(&payments).cloned().collect();
    let references: Vec<String> = ledger
        .payments
        .values()
        .map(|p| p.1.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let deadline = Instant::now() + timeout;
    loop {
        let waiting = count_in(
            &pool,
            "SELECT id, 0::BIGINT FROM messages WHERE id = ANY($1) AND state <> 'handled'",
            &all,
        )
        .await;
        let undelivered: Vec<(String, i64)> = sqlx::query_as(
            "SELECT m.id, 0::BIGINT FROM messages m JOIN cases c ON c.id = m.case_id \
             WHERE (c.source_message = ANY($1) OR c.payment_reference = ANY($2)) \
             AND m.subject = 'out.vneid.notify' AND m.state <> 'delivered'",
        )
        .bind(&judgments)
        .bind(&references)
        .fetch_all(&pool)
        .await
        .unwrap_or_default();
        if waiting.is_empty() && undelivered.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not handled in {timeout:?}: {} messages ({:?}…), {} notices undelivered",
            waiting.len(),
            waiting.iter().take(5).collect::<Vec<_>>(),
            undelivered.len()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // One case per judgment.
    let cases = count_in(
        &pool,
        "SELECT source_message, COUNT(*) FROM cases WHERE source_message = ANY($1) GROUP BY source_message",
        &judgments,
    )
    .await;
    let doubled: Vec<_> = cases.iter().filter(|c| c.1 != 1).collect();
    assert!(
        doubled.is_empty(),
        "judgments with more than one case: {doubled:?}"
    );
    assert_eq!(cases.len(), judgments.len(), "judgments without a case");

    // Each payment once, with one e-receipt, and each case's money the sum of its payments.
    let posted = count_in(
        &pool,
        "SELECT payment_id, COUNT(*) FROM case_payments WHERE payment_id = ANY($1) GROUP BY payment_id",
        &payments,
    )
    .await;
    assert_eq!(
        posted.len(),
        payments.len(),
        "payments not posted to a case"
    );
    let receipts = count_in(
        &pool,
        "SELECT payment_id, COUNT(*) FROM receipts WHERE payment_id = ANY($1) GROUP BY payment_id",
        &payments,
    )
    .await;
    let bad: Vec<_> = receipts.iter().filter(|r| r.1 != 1).collect();
    assert!(
        bad.is_empty(),
        "payments with more than one e-receipt: {bad:?}"
    );
    assert_eq!(
        receipts.len(),
        payments.len(),
        "payments without an e-receipt"
    );
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    for (_, reference, amount) in ledger.payments.values() {
        *expected.entry(reference.clone()).or_default() += amount;
    }
    let collected: Vec<(String, i64)> = sqlx::query_as(
        "SELECT payment_reference, collected_vnd FROM cases WHERE payment_reference = ANY($1)",
    )
    .bind(&references)
    .fetch_all(&pool)
    .await
    .unwrap_or_else(|e| panic!("collected: {e}"));
    let collected: BTreeMap<String, i64> = collected.into_iter().collect();
    assert_eq!(
        collected, expected,
        "money on cases differs from the payments taken"
    );

    // One case-opened notice per party with a CCCD and one receipt notice per payment
    // (its payer is the debtor, a party with a CCCD), each delivered to VNeID.
    let notices: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT m.id, m.case_id, convert_from(m.payload, 'UTF8')::jsonb ->> 'kind' \
         FROM messages m JOIN cases c ON c.id = m.case_id \
         WHERE (c.source_message = ANY($1) OR c.payment_reference = ANY($2)) \
         AND m.subject = 'out.vneid.notify'",
    )
    .bind(&judgments)
    .bind(&references)
    .bind(&judgments)
    .fetch_all(&pool)
    .await
    .unwrap_or_else(|e| panic!("notices: {e}"));
    let parties: Vec<(String, i64)> = sqlx::query_as(
        "SELECT p.case_id, COUNT(*) FROM case_parties p JOIN cases c ON c.id = p.case_id \
         WHERE c.source_message = ANY($1) AND p.cccd IS NOT NULL GROUP BY p.case_id",
    )
    .bind(&judgments)
    .fetch_all(&pool)
    .await
    .unwrap_or_else(|e| panic!("parties: {e}"));
    let mut per_case: BTreeMap<String, i64> = BTreeMap::new();
    for (_, case, _) in notices.iter().filter(|n| n.2 == "case_opened") {
        *per_case.entry(case.clone()).or_default() += 1;
    }
    let parties: BTreeMap<String, i64> = parties.into_iter().collect();
    let opened_here: BTreeMap<String, i64> = per_case
        .into_iter()
        .filter(|(case, _)| parties.contains_key(case))
        .collect();
    assert_eq!(
        opened_here, parties,
        "case-opened notices per case differ from the parties with a CCCD"
    );
    let receipt_notices = notices.iter().filter(|n| n.2 == "receipt").count();
    assert_eq!(
        receipt_notices,
        payments.len(),
        "receipt notices differ from the payments"
    );
    let at_partner: BTreeSet<String> = sim
        .accepted()
        .into_iter()
        .map(|r| r.notification_id)
        .collect();
    let missing: Vec<_> = notices
        .iter()
        .filter(|(id, _, _)| !at_partner.contains(id))
        .collect();
    assert!(missing.is_empty(), "notices VNeID never got: {missing:?}");
    pool.close().await;
    Counts {
        cases: cases.len(),
        payments: posted.len(),
        receipts: receipts.len(),
        notices: notices.len(),
    }
}
