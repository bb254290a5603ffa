//! Receipt parsing, token checks and partner reasons, without a database.

#![allow(clippy::unwrap_used)]

use super::parse::safe_reason;
use super::*;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-04-20 10:00 +07:00);

#[test]
fn the_token_is_checked_in_constant_time_and_never_shown() {
    let t = ReceiptToken::new(Some("receipt-token-0123456789"));
    assert!(t.verify("receipt-token-0123456789"));
    assert!(!t.verify("receipt-token-012345678"));
    assert!(!t.verify(""));
    assert!(!format!("{t:?}").contains("receipt"));
    let none = ReceiptToken::new(None);
    assert!(!none.is_configured() && !none.verify(""));
    assert!(!ReceiptToken::new(Some("  ")).is_configured());
}

#[test]
fn one_receipt_or_a_batch() {
    let one = br#"{"notice_id":"ntc-1","status":"delivered","at":"2026-04-20T09:30:00+07:00"}"#;
    let r = parse(one, NOW).unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].0, "");
    assert_eq!(r[0].1.status, ReceiptStatus::Delivered);
    assert_eq!(vietnam_date(r[0].1.at).to_string(), "2026-04-20");
    let batch = br#"[{"notice_id":"ntc-1","status":"read","at":"2026-04-20T01:00:00Z"},
                     {"notice_id":"ntc-2","status":"failed","at":"2026-04-19T23:30:00Z","reason":"device_unreachable"}]"#;
    let r = parse(batch, NOW).unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(r[1].0, "/1");
    assert_eq!(r[1].1.reason.as_deref(), Some("device_unreachable"));
    // 23:30 UTC on the 19th is the 20th in Vietnam.
    assert_eq!(vietnam_date(r[1].1.at).to_string(), "2026-04-20");
}

#[test]
fn errors_name_each_field() {
    let bad = br#"[{"notice_id":"ntc-1","status":"sent","at":"yesterday","colour":1},
                   {"status":"read","at":"2026-04-21T10:00:00+07:00"}]"#;
    let errors = parse(bad, NOW).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    for f in ["/0/colour", "/0/status", "/0/at", "/1/notice_id", "/1/at"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    assert_eq!(parse(b"[]", NOW).unwrap_err()[0].field, "body");
    assert_eq!(parse(b"nope", NOW).unwrap_err()[0].field, "body");
    let single = br#"{"notice_id":"","status":"delivered","at":"2026-04-20T09:30:00+07:00"}"#;
    assert_eq!(parse(single, NOW).unwrap_err()[0].field, "/notice_id");
}

#[test]
fn partner_reasons_keep_only_safe_characters() {
    assert_eq!(
        safe_reason("device unreachable (code 17)").as_deref(),
        Some("device unreachable (code 17)")
    );
    assert_eq!(safe_reason("<script>"), None);
    assert_eq!(safe_reason("Ông Bình không có thiết bị"), None);
    assert_eq!(safe_reason("\u{0}\u{1}"), None);
    assert_eq!(safe_reason(&"x".repeat(81)), None);
}

#[test]
fn body_ids_are_stable() {
    assert_eq!(message_id_of(b"{}"), message_id_of(b"{}"));
    assert_ne!(message_id_of(b"{}"), message_id_of(b"[]"));
    assert!(message_id_of(b"{}").starts_with("rcp-"));
}
