//! Tests of [`Vnd`]: parsing, grouping, words and serde.
#![allow(clippy::unwrap_used)]

use super::*;
use proptest::prelude::*;

fn words(n: i64) -> String {
    Vnd::new(n).unwrap().in_words()
}

#[test]
fn words_as_documents_write_them() {
    let cases: &[(i64, &str)] = &[
        (150_000_000, "Một trăm năm mươi triệu đồng"),
        (7_500_000, "Bảy triệu năm trăm nghìn đồng"),
        (3_750_000, "Ba triệu bảy trăm năm mươi nghìn đồng"),
        (0, "Không đồng"),
        (105, "Một trăm linh năm đồng"),
        (15, "Mười lăm đồng"),
        (21, "Hai mươi mốt đồng"),
        (25, "Hai mươi lăm đồng"),
        (1_000_000_000, "Một tỷ đồng"),
        (1_001_000, "Một triệu không trăm linh một nghìn đồng"),
        (20_000_000, "Hai mươi triệu đồng"),
        (85_000_000, "Tám mươi lăm triệu đồng"),
        (200_000, "Hai trăm nghìn đồng"),
        (4_250_000, "Bốn triệu hai trăm năm mươi nghìn đồng"),
        (10, "Mười đồng"),
        (11, "Mười một đồng"),
        (14, "Mười bốn đồng"),
        (24, "Hai mươi bốn đồng"),
        (101, "Một trăm linh một đồng"),
        (110, "Một trăm mười đồng"),
        (1_000_005, "Một triệu không trăm linh năm đồng"),
        (1_000_000_001, "Một tỷ không trăm linh một đồng"),
        (1_000_000_000_000, "Một nghìn tỷ đồng"),
        (
            2_015_300_000,
            "Hai tỷ không trăm mười lăm triệu ba trăm nghìn đồng",
        ),
    ];
    for (n, expected) in cases {
        assert_eq!(&words(*n), expected, "{n}");
    }
}

#[test]
fn display_groups_with_dots() {
    assert_eq!(
        Vnd::new(150_000_000).unwrap().to_string(),
        "150.000.000 đồng"
    );
    assert_eq!(Vnd::new(1_000).unwrap().to_string(), "1.000 đồng");
    assert_eq!(Vnd::new(999).unwrap().to_string(), "999 đồng");
    assert_eq!(Vnd::ZERO.to_string(), "0 đồng");
}

#[test]
fn parse_accepts_plain_and_zero_fraction() {
    assert_eq!(Vnd::parse("150000000").unwrap().amount(), 150_000_000);
    assert_eq!(Vnd::parse("25000000.00").unwrap().amount(), 25_000_000);
    assert_eq!(Vnd::parse(" 7 ").unwrap().amount(), 7);
}

#[test]
fn parse_rejects_bad_input() {
    assert_eq!(
        Vnd::parse("1000.50").unwrap_err().to_string(),
        "VND amounts are whole đồng; fraction .50 is not allowed"
    );
    assert_eq!(Vnd::parse("").unwrap_err(), MoneyError::Empty);
    assert_eq!(Vnd::parse("-5").unwrap_err(), MoneyError::Sign);
    assert_eq!(Vnd::parse("+5").unwrap_err(), MoneyError::Sign);
    assert!(matches!(
        Vnd::parse("1 000").unwrap_err(),
        MoneyError::InvalidCharacter {
            found: ' ',
            position: 2
        }
    ));
    assert!(Vnd::parse("1.000.000").is_err());
    assert_eq!(Vnd::parse("100.").unwrap_err(), MoneyError::EmptyFraction);
    assert!(Vnd::parse(".00").is_err());
    assert_eq!(
        Vnd::parse("9223372036854775808").unwrap_err(),
        MoneyError::Overflow
    );
    assert_eq!(
        Vnd::parse("9223372036854775807").unwrap().amount(),
        i64::MAX
    );
}

#[test]
fn arithmetic_never_goes_negative() {
    let a = Vnd::new(10).unwrap();
    let b = Vnd::new(3).unwrap();
    assert_eq!(a.checked_sub(b).unwrap().amount(), 7);
    assert!(b.checked_sub(a).is_none());
    assert!(Vnd::new(i64::MAX).unwrap().checked_add(b).is_none());
    assert!(Vnd::new(-1).is_err());
}

#[test]
fn serde_is_a_json_integer() {
    let v = Vnd::new(7_500_000).unwrap();
    assert_eq!(serde_json::to_string(&v).unwrap(), "7500000");
    assert_eq!(serde_json::from_str::<Vnd>("7500000").unwrap(), v);
    assert!(serde_json::from_str::<Vnd>("-1").is_err());
    assert!(serde_json::from_str::<Vnd>("1.5").is_err());
    assert!(serde_json::from_str::<Vnd>("\"100\"").is_err());
}

proptest! {
    #[test]
    fn parse_display_digits_round_trip(n in 0i64..=i64::MAX) {
        let v = Vnd::new(n).unwrap();
        prop_assert_eq!(Vnd::parse(&v.amount().to_string()).unwrap(), v);
        prop_assert_eq!(Vnd::parse(&format!("{}.00", v.amount())).unwrap(), v);
        prop_assert_eq!(v.grouped().replace('.', ""), n.to_string());
    }

    #[test]
    fn words_never_empty_for_u32(n in any::<u32>()) {
        let w = Vnd::from(n).in_words();
        prop_assert!(w.ends_with(" đồng"));
        prop_assert!(w.len() > " đồng".len());
        prop_assert!(!w.contains("  "));
        prop_assert!(w.chars().next().is_some_and(char::is_uppercase));
    }

    #[test]
    fn words_never_empty_for_large(n in 0i64..=i64::MAX) {
        let w = Vnd::new(n).unwrap().in_words();
        prop_assert!(w.ends_with(" đồng") && w.len() > 6 && !w.contains("  "));
    }

    #[test]
    fn parse_never_panics(s in "\\PC{0,30}") {
        let _ = Vnd::parse(&s);
    }
}
