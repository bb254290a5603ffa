//! The JSON Schema of the notice command (`schemas/vneid/notice-command-v1.schema.json`) lists
//! exactly the wire names of `NoticeKind`, so a new kind cannot be added to one and not the
//! other.

#![allow(clippy::unwrap_used)]

use thads_schemas::notice::NoticeKind;

const SCHEMA: &str = include_str!("../vneid/notice-command-v1.schema.json");

/// Every kind, in declaration order.
const ALL: [NoticeKind; 3] = [
    NoticeKind::CaseOpened,
    NoticeKind::DecisionIssued,
    NoticeKind::Receipt,
];

/// A kind's place in [`ALL`]. This match has no wildcard: a new kind stops it compiling, which
/// sends whoever adds it here to list it in `ALL` (and so in the schema).
fn position(kind: NoticeKind) -> usize {
    match kind {
        NoticeKind::CaseOpened => 0,
        NoticeKind::DecisionIssued => 1,
        NoticeKind::Receipt => 2,
    }
}

#[test]
fn the_schema_lists_every_notice_kind() {
    for (i, kind) in ALL.iter().enumerate() {
        assert_eq!(position(*kind), i, "{kind:?} is out of place in ALL");
        // The wire name serde writes is the one `as_str` gives.
        assert_eq!(
            serde_json::to_value(kind).unwrap(),
            serde_json::json!(kind.as_str())
        );
    }
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    let mut in_schema: Vec<String> = schema["properties"]["kind"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    in_schema.sort();
    let mut wire: Vec<String> = ALL.iter().map(|k| k.as_str().to_string()).collect();
    wire.sort();
    assert_eq!(in_schema, wire);
    for name in &in_schema {
        let kind: NoticeKind = serde_json::from_value(serde_json::json!(name)).unwrap();
        assert_eq!(kind.as_str(), name);
    }
}
