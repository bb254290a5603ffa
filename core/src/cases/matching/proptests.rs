//! Property tests of the matcher: numbers and names survive every mangling banks apply, a
//! different number never matches, and nothing ambiguous or weak is ever posted.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::*;

const FAMILY: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đặng", "Võ", "Bùi"];
const MIDDLE: [&str; 6] = ["Văn", "Thị", "Ngọc", "Hữu", "Đức", "Thanh"];
const GIVEN: [&str; 8] = ["Bình", "An", "Cường", "Dũng", "Hương", "Ơn", "Đạt", "Lộc"];
const SYMBOLS: [&str; 6] = ["DS-ST", "DS-PT", "HNGĐ-ST", "KDTM-PT", "HS-ST", "QĐ-PT"];

fn name() -> impl Strategy<Value = String> {
    (0..FAMILY.len(), 0..MIDDLE.len(), 0..GIVEN.len())
        .prop_map(|(f, m, g)| format!("{} {} {}", FAMILY[f], MIDDLE[m], GIVEN[g]))
}

fn judgment_number() -> impl Strategy<Value = (u32, u32, String)> {
    (1u32..100_000, 2000u32..2100, 0..SYMBOLS.len())
        .prop_map(|(n, y, s)| (n, y, SYMBOLS[s].to_string()))
}

/// How a bank may write a number: separators replaced or dropped, case changed, a word in
/// front, accents gone.
fn mangle(n: u32, y: u32, symbol: &str, style: u8) -> String {
    let symbol = fold_ascii(symbol);
    match style % 6 {
        0 => format!("{n}/{y}/{symbol}"),
        1 => format!("so {n} {y} {}", symbol.to_lowercase()),
        2 => format!("{n}{y}{}", symbol.replace(' ', "")),
        3 => format!("BA SO{n:0>4}/{y}/{}", symbol.replace(' ', "-")),
        4 => format!("{n}-{y}-{}", symbol.replace(' ', "")).to_lowercase(),
        _ => format!("Bản án số {n}/{y}/{symbol}"),
    }
}

fn facts(id: &str, judgment: &str, debtor: &str, outstanding: i64) -> CaseFacts {
    CaseFacts {
        case_id: id.to_string(),
        office: "HCM-KV01".to_string(),
        payment_reference: "THAFFFFFFFFFF".to_string(),
        judgment_number: judgment.to_string(),
        decision_number: None,
        debtors: vec![debtor.to_string()],
        outstanding: Vnd::new(outstanding).unwrap(),
    }
}

proptest! {
    #[test]
    fn mangled_numbers_are_still_quoted((n, y, s) in judgment_number(), style in 0u8..6) {
        let id = pieces(&format!("{n}/{y}/{s}"));
        let memo = format!("NOP TIEN {} TRA NO", mangle(n, y, &s, style));
        prop_assert!(quotes(&pieces(&memo), &id), "{memo}");
    }

    #[test]
    fn another_number_is_never_the_judgment(
        (n, y, s) in judgment_number(),
        other in 1u32..100_000,
        style in 0u8..6,
    ) {
        prop_assume!(other != n);
        let id = pieces(&format!("{n}/{y}/{s}"));
        let memo = format!("NOP TIEN {}", mangle(other, y, &s, style));
        prop_assert!(!quotes(&pieces(&memo), &id), "{memo}");
    }

    #[test]
    fn bank_spellings_of_a_name_are_the_same_name(n in name(), upper in any::<bool>()) {
        let bank = if upper { fold_ascii(&n) } else { fold_ascii(&n).to_lowercase() };
        prop_assert_eq!(compare_names(&name_words(&bank), &name_words(&n)), NameMatch::Same);
        let mut reordered = name_words(&bank);
        reordered.rotate_left(1);
        prop_assert_eq!(compare_names(&reordered, &name_words(&n)), NameMatch::Same);
    }

    #[test]
    fn number_and_name_post_to_the_one_case(
        (n, y, s) in judgment_number(),
        debtor in name(),
        style in 0u8..6,
    ) {
        let judgment = format!("{n}/{y}/{s}");
        let cases = [
            facts("case-a", &judgment, &debtor, 1_000_000),
            facts("case-b", &format!("{}/{y}/{s}", n + 1), &debtor, 1_000_000),
        ];
        let memo = mangle(n, y, &s, style);
        let payer = fold_ascii(&debtor);
        let v = assess(&PaymentFacts { memo: &memo, payer_name: Some(&payer), amount: Vnd::new(5).unwrap() }, &cases);
        prop_assert_eq!(v, Verdict::Post { case_id: "case-a".into(), matched_by: "judgment_number+debtor_name".into() });
    }

    #[test]
    fn twins_and_amount_only_payments_always_wait(
        (n, y, s) in judgment_number(),
        debtor in name(),
        amount in 1i64..1_000_000_000,
        quote in any::<bool>(),
    ) {
        let judgment = format!("{n}/{y}/{s}");
        // Two cases that the payment cannot tell apart.
        let twins = [facts("case-a", &judgment, &debtor, amount), facts("case-b", &judgment, &debtor, amount)];
        let memo = if quote { judgment.clone() } else { "NOP TIEN".to_string() };
        let payer = fold_ascii(&debtor);
        let p = PaymentFacts { memo: &memo, payer_name: Some(&payer), amount: Vnd::new(amount).unwrap() };
        let queued = matches!(assess(&p, &twins), Verdict::Queue { .. });
        prop_assert!(queued);
        // The amount alone never posts, whatever the name of the payer.
        let one = [facts("case-a", &judgment, &debtor, amount)];
        let p = PaymentFacts { memo: "NOP TIEN", payer_name: Some("NGUOI KHAC"), amount: Vnd::new(amount).unwrap() };
        let v = assess(&p, &one);
        let one_candidate = matches!(v, Verdict::Queue { ref candidates, .. } if candidates.len() == 1);
        prop_assert!(one_candidate);
    }

    #[test]
    fn a_posted_verdict_names_a_confident_case(
        memo in "[A-Za-z0-9 /-]{0,40}",
        payer in proptest::option::of("[A-Z ]{0,20}"),
        amount in 0i64..5,
    ) {
        let cases = [
            facts("case-a", "215/2026/DS-ST", "Trần Thị Bình", 3),
            facts("case-b", "216/2026/DS-ST", "Lê Văn An", 4),
        ];
        let p = PaymentFacts { memo: &memo, payer_name: payer.as_deref(), amount: Vnd::new(amount).unwrap() };
        if let Verdict::Post { case_id, matched_by } = assess(&p, &cases) {
            prop_assert!(matched_by.contains('+') || matched_by == "payment_reference");
            prop_assert!(["case-a", "case-b"].contains(&case_id.as_str()));
        }
    }
}
