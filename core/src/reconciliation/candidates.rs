//! Finding the cases a payment may belong to, for the matcher ([`crate::cases::matching`]):
//! the cases whose payment reference the memo quotes; when it quotes none, the cases whose
//! judgment or decision number starts with a number the memo holds, whose outstanding amount
//! equals the payment, and whose debtor's name is the payer's or appears in the memo. The
//! database narrows the search; the matcher alone decides.
//!
//! Names are compared accent-blind in Rust, so that part reads the debtors of the cases that
//! still have money due; an index of folded names is the next step if that grows large.

use std::collections::BTreeSet;

use sqlx::Row;
use thads_schemas::bank::Payment;
use thads_schemas::money::Vnd;

use crate::cases::matching::{compare_names, name_words, pieces, CaseFacts, NameMatch};
use crate::db::Tx;

/// The most cases one kind of evidence may add.
const PER_KIND: i64 = 50;
/// The most numbers read from one memo.
const MAX_NUMBERS: usize = 12;

/// The facts of every case the payment may belong to (`by_reference`: the cases whose
/// payment reference the memo quotes).
pub async fn gather(
    tx: &mut Tx<'_>,
    p: &Payment,
    by_reference: &[String],
) -> Result<Vec<CaseFacts>, sqlx::Error> {
    let mut ids: BTreeSet<String> = by_reference.iter().cloned().collect();
    if ids.is_empty() {
        ids = by_evidence(tx, p).await?;
    }
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(f) = facts(tx, &id).await? {
            out.push(f);
        }
    }
    Ok(out)
}

/// The cases the memo's numbers, the amount and the names point to (when the memo quotes no
/// known payment reference: a reference settles the search, and most payments carry one).
async fn by_evidence(tx: &mut Tx<'_>, p: &Payment) -> Result<BTreeSet<String>, sqlx::Error> {
    let mut ids = BTreeSet::new();
    for n in numbers_in(&p.remittance) {
        let patterns = [format!("{n}/%"), format!("0{n}/%"), format!("00{n}/%")];
        let found: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM cases WHERE judgment_number LIKE $1 OR judgment_number LIKE $2 \
             OR judgment_number LIKE $3 OR decision_number LIKE $1 OR decision_number LIKE $2 \
             OR decision_number LIKE $3 LIMIT $4",
        )
        .bind(&patterns[0])
        .bind(&patterns[1])
        .bind(&patterns[2])
        .bind(PER_KIND)
        .fetch_all(&mut **tx)
        .await?;
        ids.extend(found);
    }
    let by_amount: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM cases WHERE amount_vnd - collected_vnd - reduced_vnd = $1 LIMIT $2",
    )
    .bind(p.amount_vnd.amount())
    .bind(PER_KIND)
    .fetch_all(&mut **tx)
    .await?;
    ids.extend(by_amount);
    ids.extend(by_name(tx, p).await?);
    Ok(ids)
}

/// The numbers of a memo that may begin a judgment or decision number: each run of digits
/// (1 to 6 of them), and a run glued to a year (`2152026`) without its year.
pub fn numbers_in(memo: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |n: &str| {
        if (1..=6).contains(&n.len()) && !out.iter().any(|x| x == n) && out.len() < MAX_NUMBERS {
            out.push(n.to_string());
        }
    };
    for piece in pieces(memo) {
        if !piece.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        push(&piece);
        if piece.len() > 4 {
            let (head, year) = piece.split_at(piece.len() - 4);
            if year.starts_with("19") || year.starts_with("20") {
                push(head.trim_start_matches('0'));
            }
        }
    }
    out
}

/// Cases with money due whose debtor is the payer, or is named in the memo.
async fn by_name(tx: &mut Tx<'_>, p: &Payment) -> Result<Vec<String>, sqlx::Error> {
    let payer = p
        .debtor_name
        .as_ref()
        .map(|n| name_words(n.as_str()))
        .unwrap_or_default();
    let memo = name_words(&p.remittance);
    if payer.is_empty() && memo.len() < 2 {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "SELECT p.case_id, p.name FROM case_parties p JOIN cases c ON c.id = p.case_id \
         WHERE p.role = 'debtor' AND c.amount_vnd > c.collected_vnd + c.reduced_vnd",
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut out: Vec<String> = Vec::new();
    for r in rows {
        let name: String = r.try_get("name")?;
        let debtor = name_words(&name);
        let named = compare_names(&payer, &debtor) != NameMatch::None
            || (debtor.len() >= 2 && memo.windows(debtor.len()).any(|w| w == debtor.as_slice()));
        if named {
            let id: String = r.try_get("case_id")?;
            if !out.contains(&id) {
                out.push(id);
            }
            if out.len() as i64 >= PER_KIND {
                break;
            }
        }
    }
    Ok(out)
}

/// What the matcher needs about one case.
pub async fn facts(tx: &mut Tx<'_>, case_id: &str) -> Result<Option<CaseFacts>, sqlx::Error> {
    let Some(c) = sqlx::query(
        "SELECT id, office_code, payment_reference, judgment_number, decision_number, \
         amount_vnd, collected_vnd, reduced_vnd FROM cases WHERE id = $1",
    )
    .bind(case_id)
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    let debtors: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM case_parties WHERE case_id = $1 AND role = 'debtor' ORDER BY party_ref",
    )
    .bind(case_id)
    .fetch_all(&mut **tx)
    .await?;
    let amount: i64 = c.try_get("amount_vnd")?;
    let collected: i64 = c.try_get("collected_vnd")?;
    let reduced: i64 = c.try_get("reduced_vnd")?;
    let outstanding = Vnd::new(
        amount
            .saturating_sub(collected)
            .saturating_sub(reduced)
            .max(0),
    )
    .unwrap_or(Vnd::ZERO);
    Ok(Some(CaseFacts {
        case_id: c.try_get("id")?,
        office: c.try_get("office_code")?,
        payment_reference: c.try_get("payment_reference")?,
        judgment_number: c.try_get("judgment_number")?,
        decision_number: c.try_get("decision_number")?,
        debtors,
        outstanding,
    }))
}

#[cfg(test)]
mod tests {
    use super::numbers_in;

    #[test]
    fn numbers_that_may_begin_a_case_number() {
        assert_eq!(numbers_in("so 215/2026/DS-ST"), ["215", "2026"]);
        assert_eq!(numbers_in("2152026DSST"), ["215"]);
        assert_eq!(numbers_in("so 2152026"), ["215"]);
        assert_eq!(numbers_in("BA 05/2026"), ["5", "2026"]);
        assert!(numbers_in("NOP TIEN").is_empty());
        assert!(numbers_in("12345678901").is_empty());
    }
}
