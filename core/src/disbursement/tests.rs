//! Unit tests and property tests of the allocator: the order of payment of Art. 47, pro rata
//! shares within a rank, and the invariants (never more than collected, nothing lost to
//! rounding, nothing paid beyond what is owed).

use proptest::prelude::*;
use thads_schemas::money::Vnd;

use super::allocate::{allocate, Owed, Payee, Rank};

fn v(n: i64) -> Vnd {
    Vnd::new(n).unwrap()
}

fn owed(position: i64, kind: &str, payee: Payee, amount: i64, paid: i64) -> Owed {
    Owed {
        position,
        kind: kind.to_string(),
        rank: if kind == "costs" {
            Rank::Costs
        } else {
            Rank::of_kind(kind).unwrap()
        },
        payee,
        amount: v(amount),
        paid: v(paid),
    }
}

fn loan_and_fee() -> Vec<Owed> {
    vec![
        owed(1, "pay_money", Payee::Creditor("P1".into()), 150_000_000, 0),
        owed(2, "court_fee", Payee::State, 7_500_000, 0),
    ]
}

#[test]
fn enough_money_pays_everything_and_keeps_the_surplus() {
    let a = allocate(v(160_000_000), &loan_and_fee());
    assert_eq!(a.to_creditors, v(150_000_000));
    assert_eq!(a.to_state, v(7_500_000));
    assert_eq!(a.surplus, v(2_500_000));
    assert_eq!(a.lines.len(), 2);
    assert!(a.lines.iter().all(|l| l.remaining.is_zero()));
}

#[test]
fn court_fees_come_before_other_sums() {
    let a = allocate(v(10_000_000), &loan_and_fee());
    assert_eq!(a.lines[0].kind, "court_fee");
    assert_eq!(a.lines[0].amount, v(7_500_000));
    assert_eq!(a.lines[1].kind, "pay_money");
    assert_eq!(a.lines[1].amount, v(2_500_000));
    assert_eq!(a.lines[1].remaining, v(147_500_000));
    assert_eq!(a.surplus, Vnd::ZERO);
}

#[test]
fn wages_and_damages_for_life_and_health_rank_with_maintenance() {
    // Art. 47(1)(a): maintenance, wages and damages for life and health share the first rank
    // (pro rata), ahead of court fees (b) and everything else (c).
    let owed_list = vec![
        owed(
            1,
            "compensation",
            Payee::Creditor("P1".into()),
            50_000_000,
            0,
        ),
        owed(2, "court_fee", Payee::State, 1_000_000, 0),
        owed(3, "wages", Payee::Creditor("P2".into()), 20_000_000, 0),
        owed(
            4,
            "life_health_damages",
            Payee::Creditor("P3".into()),
            20_000_000,
            0,
        ),
    ];
    for kind in ["wages", "life_health_damages", "child_support"] {
        assert_eq!(Rank::of_kind(kind), Some(Rank::Maintenance), "{kind}");
    }
    let a = allocate(v(30_000_000), &owed_list);
    let paid = |kind: &str| {
        a.lines
            .iter()
            .find(|l| l.kind == kind)
            .map_or(Vnd::ZERO, |l| l.amount)
    };
    assert_eq!(paid("wages"), v(15_000_000));
    assert_eq!(paid("life_health_damages"), v(15_000_000));
    assert_eq!(paid("court_fee"), Vnd::ZERO);
    assert_eq!(paid("compensation"), Vnd::ZERO);
    let a = allocate(v(41_500_000), &owed_list);
    assert_eq!(a.lines[0].rank, Rank::Maintenance);
    assert_eq!(
        a.lines
            .iter()
            .find(|l| l.kind == "court_fee")
            .map(|l| l.amount),
        Some(v(1_000_000))
    );
    assert_eq!(
        a.lines
            .iter()
            .find(|l| l.kind == "compensation")
            .map(|l| l.amount),
        Some(v(500_000))
    );
}

#[test]
fn costs_then_maintenance_then_fees() {
    let mut owed_list = loan_and_fee();
    owed_list.push(owed(
        3,
        "child_support",
        Payee::Creditor("P3".into()),
        3_000_000,
        0,
    ));
    owed_list.push(owed(0, "costs", Payee::Agency, 1_000_000, 0));
    let a = allocate(v(5_000_000), &owed_list);
    let kinds: Vec<_> = a.lines.iter().map(|l| l.kind.as_str()).collect();
    assert_eq!(kinds, ["costs", "child_support", "court_fee"]);
    assert_eq!(a.lines[2].amount, v(1_000_000));
    assert_eq!(a.to_agency, v(1_000_000));
}

#[test]
fn same_rank_is_pro_rata_without_losing_a_dong() {
    let list = vec![
        owed(1, "pay_money", Payee::Creditor("P1".into()), 100, 0),
        owed(2, "pay_money", Payee::Creditor("P2".into()), 100, 0),
        owed(3, "fine", Payee::State, 100, 0),
    ];
    let a = allocate(v(100), &list);
    let amounts: Vec<i64> = a.lines.iter().map(|l| l.amount.amount()).collect();
    assert_eq!(amounts, [34, 33, 33]);
}

#[test]
fn earlier_payouts_are_counted() {
    let list = vec![
        owed(
            1,
            "pay_money",
            Payee::Creditor("P1".into()),
            150_000_000,
            2_500_000,
        ),
        owed(2, "court_fee", Payee::State, 7_500_000, 7_500_000),
    ];
    let a = allocate(v(200_000_000), &list);
    assert_eq!(a.lines.len(), 1);
    assert_eq!(a.lines[0].amount, v(147_500_000));
    assert_eq!(a.surplus, v(52_500_000));
}

#[test]
fn non_money_kinds_have_no_rank() {
    assert_eq!(Rank::of_kind("return_land"), None);
    assert_eq!(Rank::of_kind("court_fee"), Some(Rank::CourtFees));
}

fn arb_owed() -> impl Strategy<Value = Vec<Owed>> {
    let kinds = prop::sample::select(vec![
        "costs",
        "child_support",
        "court_fee",
        "pay_money",
        "compensation",
        "fine",
    ]);
    prop::collection::vec((kinds, 0i64..1_000_000_000, 0i64..1_000_000_000), 0..8).prop_map(
        |items| {
            items
                .into_iter()
                .enumerate()
                .map(|(i, (kind, amount, paid))| {
                    let payee = match kind {
                        "costs" => Payee::Agency,
                        "court_fee" | "fine" => Payee::State,
                        _ => Payee::Creditor(format!("P{i}")),
                    };
                    owed(i as i64 + 1, kind, payee, amount, paid.min(amount))
                })
                .collect()
        },
    )
}

proptest! {
    #[test]
    fn never_more_than_collected_and_nothing_lost(
        available in 0i64..5_000_000_000,
        list in arb_owed(),
    ) {
        let a = allocate(v(available), &list);
        let paid: i64 = a.lines.iter().map(|l| l.amount.amount()).sum();
        prop_assert!(paid <= available);
        prop_assert_eq!(paid + a.surplus.amount(), available);
        prop_assert_eq!(paid, a.total());
        let owed_total: i64 = list.iter().map(Owed::outstanding).sum();
        prop_assert_eq!(paid, available.min(owed_total));
        for l in &a.lines {
            let o = list.iter().find(|o| o.position == l.position).unwrap();
            prop_assert!(l.amount.amount() <= o.outstanding());
            prop_assert_eq!(l.remaining.amount(), o.outstanding() - l.amount.amount());
        }
    }

    #[test]
    fn a_rank_is_paid_only_once_every_earlier_rank_is_paid_in_full(
        available in 0i64..5_000_000_000,
        list in arb_owed(),
    ) {
        let a = allocate(v(available), &list);
        for later in &a.lines {
            for o in list.iter().filter(|o| o.rank < later.rank && o.outstanding() > 0) {
                let line = a.lines.iter().find(|l| l.position == o.position);
                prop_assert!(line.is_some_and(|l| l.remaining.is_zero()),
                    "rank {:?} paid while {:?} at {} is not", later.rank, o.rank, o.position);
            }
        }
    }

    #[test]
    fn shares_within_a_rank_are_pro_rata_to_the_dong(
        available in 0i64..5_000_000_000,
        list in arb_owed(),
    ) {
        let a = allocate(v(available), &list);
        for l in &a.lines {
            let group: Vec<&Owed> = list.iter().filter(|o| o.rank == l.rank && o.outstanding() > 0).collect();
            let need: i128 = group.iter().map(|o| i128::from(o.outstanding())).sum();
            let given: i128 = a.lines.iter().filter(|x| x.rank == l.rank).map(|x| i128::from(x.amount.amount())).sum();
            let o = group.iter().find(|o| o.position == l.position).unwrap();
            let exact = given * i128::from(o.outstanding());
            let share = i128::from(l.amount.amount());
            prop_assert!(share * need >= exact - need && share * need <= exact + need);
        }
    }
}
