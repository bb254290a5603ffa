//! Examples of the matcher's rules: how numbers and names are read from mangled memos, and
//! which evidence posts a payment and which leaves it in the queue.
#![allow(clippy::unwrap_used)]

use super::*;

fn case(id: &str, judgment: &str, debtor: &str, outstanding: i64) -> CaseFacts {
    CaseFacts {
        case_id: id.to_string(),
        office: "HCM-KV01".to_string(),
        payment_reference: format!("THA{:0>10}", id.len()),
        judgment_number: judgment.to_string(),
        decision_number: None,
        debtors: vec![debtor.to_string()],
        outstanding: Vnd::new(outstanding).unwrap(),
    }
}

fn pay<'a>(memo: &'a str, payer: Option<&'a str>, amount: i64) -> PaymentFacts<'a> {
    PaymentFacts {
        memo,
        payer_name: payer,
        amount: Vnd::new(amount).unwrap(),
    }
}

fn w(s: &str) -> Vec<String> {
    name_words(s)
}

#[test]
fn judgment_numbers_are_found_however_banks_write_them() {
    let id = pieces("215/2026/DS-ST");
    for memo in [
        "NOP TIEN THEO BAN AN 215/2026/DS-ST",
        "so 215/2026/DS-ST tran thi binh",
        "ba so215/2026/dsst",
        "215 2026 DS ST",
        "2152026DSST",
        "Bản án số 215/2026/DS-ST",
        "THA 0215/2026/DS-ST",
    ] {
        assert!(quotes(&pieces(memo), &id), "{memo}");
    }
    for memo in [
        "1215/2026/DS-ST",
        "215/2025/DS-ST",
        "215/2026/DS-PT",
        "21/2026/DS-ST",
        "",
    ] {
        assert!(!quotes(&pieces(memo), &id), "{memo}");
    }
    assert_eq!(pieces("Số 05/2026/QĐ-PT"), ["SO", "5", "2026", "QD", "PT"]);
    assert!(quotes(&pieces("5 2026 qd pt"), &pieces("05/2026/QĐ-PT")));
    assert!(quotes(
        &pieces("KHAU TRU THEO QD 12/QD-CCTHADS"),
        &pieces("12/QĐ-CCTHADS")
    ));
}

#[test]
fn names_compare_without_accents_case_or_word_order() {
    assert_eq!(
        compare_names(&w("TRAN THI BINH"), &w("Trần Thị Bình")),
        NameMatch::Same
    );
    assert_eq!(
        compare_names(&w("binh tran thi"), &w("Trần Thị Bình")),
        NameMatch::Same
    );
    assert_eq!(
        compare_names(&w("TRAN T BINH"), &w("Trần Thị Bình")),
        NameMatch::Partial
    );
    assert_eq!(
        compare_names(&w("TRAN BINH"), &w("Trần Thị Bình")),
        NameMatch::Partial
    );
    assert_eq!(
        compare_names(&w("NGUYEN VAN AN"), &w("Trần Thị Bình")),
        NameMatch::None
    );
    assert_eq!(
        compare_names(&w("TRAN THI"), &w("Trần Thị Bình")),
        NameMatch::None
    );
    assert_eq!(compare_names(&[], &w("Trần Thị Bình")), NameMatch::None);
    assert_eq!(
        compare_names(&w("DANG VAN DUC"), &w("Đặng Văn Đức")),
        NameMatch::Same
    );
}

#[test]
fn judgment_number_and_payer_name_post() {
    let cases = [
        case("case-a", "215/2026/DS-ST", "Trần Thị Bình", 157_500_000),
        case("case-b", "216/2026/DS-ST", "Lê Văn Cường", 20_000_000),
    ];
    let v = assess(
        &pay(
            "nop tien ba so 215/2026/ds-st",
            Some("TRAN THI BINH"),
            1_000_000,
        ),
        &cases,
    );
    assert_eq!(
        v,
        Verdict::Post {
            case_id: "case-a".into(),
            matched_by: "judgment_number+debtor_name".into()
        }
    );
    // The exact outstanding amount confirms the number as well as a name does.
    let v = assess(
        &pay("215 2026 DSST", Some("CONG TY ABC"), 157_500_000),
        &cases,
    );
    assert_eq!(
        v,
        Verdict::Post {
            case_id: "case-a".into(),
            matched_by: "judgment_number+amount".into()
        }
    );
    // A third party paying for the debtor names the debtor in the memo.
    let v = assess(
        &pay(
            "NOP THAY TRAN THI BINH BA 215/2026/DS-ST",
            Some("NGUYEN VAN AN"),
            5,
        ),
        &cases,
    );
    assert!(
        matches!(v, Verdict::Post { ref matched_by, .. } if matched_by == "judgment_number+debtor_name_in_memo")
    );
}

#[test]
fn the_payment_reference_alone_posts() {
    let mut a = case("case-a", "215/2026/DS-ST", "Trần Thị Bình", 10);
    a.payment_reference = "THA0263586423".into();
    let v = assess(
        &pay("tran thi binh tha 0263 5864 23", Some("TRAN THI BINH"), 5),
        &[a],
    );
    assert_eq!(
        v,
        Verdict::Post {
            case_id: "case-a".into(),
            matched_by: "payment_reference".into()
        }
    );
}

#[test]
fn a_number_alone_waits() {
    let cases = [case(
        "case-a",
        "215/2026/DS-ST",
        "Trần Thị Bình",
        157_500_000,
    )];
    let Verdict::Queue { reason, candidates } = assess(
        &pay("BA 215/2026/DS-ST", Some("NGUYEN VAN AN"), 1_000),
        &cases,
    ) else {
        panic!("posted on a number alone");
    };
    assert!(
        reason.contains("neither the payer's name nor the amount"),
        "{reason}"
    );
    assert_eq!(candidates[0].signals, [Signal::JudgmentNumber]);
}

#[test]
fn the_amount_alone_waits_with_every_case_it_fits() {
    let cases = [
        case("case-a", "215/2026/DS-ST", "Trần Thị Bình", 7_500_000),
        case("case-b", "216/2026/DS-ST", "Lê Văn Cường", 7_500_000),
        case("case-c", "217/2026/DS-ST", "Phạm Thị Dung", 9_000_000),
    ];
    let Verdict::Queue { reason, candidates } = assess(
        &pay("NOP TIEN AN PHI", Some("HOANG VAN E"), 7_500_000),
        &cases,
    ) else {
        panic!("posted on the amount alone");
    };
    assert!(reason.contains("; amount only"), "{reason}");
    let ids: Vec<&str> = candidates.iter().map(|c| c.case_id.as_str()).collect();
    assert_eq!(ids, ["case-a", "case-b"]);
}

#[test]
fn two_equally_good_cases_wait() {
    // The same judgment enforced by two offices, the same debtor.
    let mut b = case("case-b", "215/2026/DS-ST", "Trần Thị Bình", 1);
    b.office = "HCM-KV02".into();
    let cases = [case("case-a", "215/2026/DS-ST", "Trần Thị Bình", 1), b];
    let Verdict::Queue { reason, candidates } =
        assess(&pay("215/2026/DS-ST", Some("TRAN THI BINH"), 9), &cases)
    else {
        panic!("posted an ambiguous payment");
    };
    assert!(reason.contains("ambiguous: 2 cases"), "{reason}");
    assert_eq!(candidates.len(), 2);
    assert!(candidates.iter().all(Candidate::is_confident));
}

#[test]
fn the_decision_number_counts_like_the_judgment_number() {
    let mut a = case("case-a", "215/2026/DS-ST", "Trần Thị Bình", 1);
    a.decision_number = Some("12/QĐ-CCTHADS".into());
    let v = assess(
        &pay("THEO QD 12/QD-CCTHADS", Some("Tran Thi Binh"), 9),
        &[a],
    );
    assert!(
        matches!(v, Verdict::Post { ref matched_by, .. } if matched_by == "decision_number+debtor_name")
    );
}

#[test]
fn nothing_known_waits_with_the_old_reason() {
    let Verdict::Queue { reason, candidates } = assess(
        &pay("NOP TIEN THI HANH AN", None, 1_000_000),
        &[case(
            "case-a",
            "215/2026/DS-ST",
            "Trần Thị Bình",
            157_500_000,
        )],
    ) else {
        panic!("posted with no evidence");
    };
    assert!(reason.contains("no known case"), "{reason}");
    assert!(candidates.is_empty());
}

#[test]
fn a_short_number_and_a_partial_name_are_not_enough() {
    let cases = [case("case-a", "215/2026/DS-ST", "Trần Thị Bình", 1)];
    let v = assess(&pay("NOP TIEN 215/2026", Some("TRAN T BINH"), 9), &cases);
    let Verdict::Queue { candidates, .. } = v else {
        panic!("posted on weak evidence");
    };
    assert_eq!(
        candidates[0].signals,
        [Signal::JudgmentNumberShort, Signal::DebtorNamePartial]
    );
}
