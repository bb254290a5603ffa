//! Property tests of the money grammar: every way the hub itself writes an amount (grouped
//! figures, "đ", scales, `Vnd::in_words`) reads back to the same amount, and numbers that are
//! not money (areas, percentages, dates) are never read as money.

use proptest::prelude::*;
use thads_extract::amount::{find_amounts, parse_amount, parse_words};
use thads_schemas::money::Vnd;

/// Amounts a judgment may order: from 1.000 đồng to a million billion.
fn amounts() -> impl Strategy<Value = i64> {
    prop_oneof![
        1_000i64..1_000_000,
        1_000_000i64..10_000_000_000,
        10_000_000_000i64..1_000_000_000_000_000,
        // Round sums, as judgments mostly write them.
        (1i64..1_000).prop_map(|n| n * 1_000_000),
        (1i64..100).prop_map(|n| n * 100_000),
    ]
}

proptest! {
    #[test]
    fn grouped_figures_read_back(n in amounts()) {
        let v = Vnd::new(n).unwrap_or(Vnd::ZERO);
        prop_assert_eq!(parse_amount(&v.to_string()), Some(v));
        prop_assert_eq!(parse_amount(&format!("{}đ", v.grouped())), Some(v));
        prop_assert_eq!(parse_amount(&format!("{} VNĐ", v.grouped())), Some(v));
        prop_assert_eq!(parse_amount(&format!("{n} đồng")), Some(v));
        prop_assert_eq!(parse_amount(&format!("{},00 đồng", v.grouped())), Some(v));
    }

    #[test]
    fn words_of_the_schema_read_back(n in amounts()) {
        let v = Vnd::new(n).unwrap_or(Vnd::ZERO);
        let words = v.in_words();
        prop_assert_eq!(parse_words(&words), Some(v), "{}", words);
        let in_text = format!("phải trả số tiền {} cho bà B.", words.to_lowercase());
        let found = find_amounts(&in_text);
        prop_assert_eq!(found.len(), 1, "{}", in_text);
        prop_assert_eq!(found[0].value, v);
    }

    #[test]
    fn figures_with_their_words_are_one_checked_amount(n in amounts()) {
        let v = Vnd::new(n).unwrap_or(Vnd::ZERO);
        let text = format!("Buộc bà B phải trả {v} ({}).", v.in_words());
        let found = find_amounts(&text);
        prop_assert_eq!(found.len(), 1);
        prop_assert_eq!(found[0].value, v);
        prop_assert_eq!(found[0].words, Some(v));
        prop_assert!(!found[0].words_disagree());
    }

    #[test]
    fn scales_read_back(billions in 0i64..1000, millions in 0i64..1000, thousands in 0i64..1000) {
        prop_assume!(billions + millions + thousands > 0);
        let mut parts = Vec::new();
        if billions > 0 { parts.push(format!("{billions} tỷ")); }
        if millions > 0 { parts.push(format!("{millions} triệu")); }
        if thousands > 0 { parts.push(format!("{thousands} nghìn")); }
        let text = format!("{} đồng", parts.join(" "));
        let expected = billions * 1_000_000_000 + millions * 1_000_000 + thousands * 1_000;
        prop_assert_eq!(parse_amount(&text).map(Vnd::amount), Some(expected), "{}", text);
    }

    #[test]
    fn decimal_scales_read_back(whole in 1i64..100, tenth in 0i64..10) {
        let text = format!("{whole},{tenth} tỷ đồng");
        let expected = whole * 1_000_000_000 + tenth * 100_000_000;
        prop_assert_eq!(parse_amount(&text).map(Vnd::amount), Some(expected));
    }

    #[test]
    fn areas_percentages_and_dates_are_not_money(
        whole in 1u32..100_000, frac in 0u32..100, day in 1u32..29, month in 1u32..13, year in 1990u32..2100
    ) {
        let text = format!(
            "diện tích {whole},{frac} m2 (chiếm {frac}%), thửa số {whole}, ngày {day}/{month}/{year}, {day:02} năm tù"
        );
        prop_assert!(find_amounts(&text).is_empty(), "{}", text);
    }

    #[test]
    fn an_amount_among_other_numbers_is_found_alone(n in amounts(), area in 1u32..10_000) {
        let v = Vnd::new(n).unwrap_or(Vnd::ZERO);
        let text = format!("trả lại {area},5 m2 đất theo biên lai số 000{area} ngày 05-01-2026 và {v}.");
        let found: Vec<i64> = find_amounts(&text).iter().map(|m| m.value.amount()).collect();
        prop_assert_eq!(found, vec![n]);
    }
}
