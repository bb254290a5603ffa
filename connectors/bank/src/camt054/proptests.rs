//! Property tests: random bytes, random text, byte-mutated examples and examples with random
//! field values never make the parser panic, and whatever it accepts renders as JSON.

use super::tests::EXAMPLES;
use super::*;
use proptest::prelude::*;

/// Values that probe the field readers: amounts, codes, dates, booleans, oversize and odd text.
const VALUES: &[&str] = &[
    "",
    " ",
    "0",
    "1000.50",
    "25000000.00",
    "-5",
    "+5",
    "1.",
    ".5",
    "1e9",
    "99999999999999999999",
    "9223372036854775807",
    "CRDT",
    "DBIT",
    "BOOK",
    "PDNG",
    "INFO",
    "FUTR",
    "XXXX",
    "true",
    "false",
    "1",
    "maybe",
    "2026-02-30",
    "2026-13-01",
    "2026-05-12T",
    "2026-05-12T10:00:00",
    "NOTPROVIDED",
    "VND",
    "USD",
    "Nguyễn Văn Đức",
    "&amp;",
    "&lt;x&gt;",
    "\u{0}",
    "đ̀",
];

/// Checks what must hold for any accepted message.
fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(n) = parse_camt054(bytes) {
        prop_assert!(!n.message_id.is_empty());
        for p in &n.payments {
            prop_assert!(!p.amount_vnd.is_zero());
            prop_assert!(!p.entry_ref.is_empty());
            prop_assert!(!p.idempotency_key().is_empty());
        }
        for e in &n.errors {
            prop_assert!(e.entry >= 1 && !e.field.is_empty() && !e.reason.is_empty());
        }
        prop_assert!(crate::payments_json(bytes).is_ok());
    }
    Ok(())
}

/// Byte ranges of element text (`>text<`) in `bytes`, to replace with [`VALUES`].
fn text_spans(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'>' => start = Some(i + 1),
            b'<' => {
                if let Some(s) = start.take() {
                    if bytes[s..i].iter().any(|c| !c.is_ascii_whitespace()) {
                        spans.push((s, i));
                    }
                }
            }
            _ => {}
        }
    }
    spans
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        check(&bytes)?;
    }

    #[test]
    fn random_text_never_panics(s in "\\PC{0,400}") {
        check(s.as_bytes())?;
    }

    #[test]
    fn byte_mutated_examples_never_panic(
        which in 0..EXAMPLES.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..8),
    ) {
        let mut bytes = EXAMPLES[which].1.to_vec();
        for (at, byte, op) in edits {
            if bytes.is_empty() {
                break;
            }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => { bytes.remove(i); }
                2 => bytes.insert(i, byte),
                _ => bytes.truncate(i),
            }
        }
        check(&bytes)?;
    }

    #[test]
    fn examples_with_random_values_never_panic(
        which in 0..EXAMPLES.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 1..6),
    ) {
        let mut bytes = EXAMPLES[which].1.to_vec();
        for (span, value) in edits {
            let spans = text_spans(&bytes);
            if spans.is_empty() {
                break;
            }
            let (s, e) = spans[span.index(spans.len())];
            let v = VALUES[value.index(VALUES.len())];
            bytes.splice(s..e, v.bytes());
        }
        check(&bytes)?;
    }

    #[test]
    fn deleting_an_element_never_panics(which in 0..EXAMPLES.len(), at in any::<prop::sample::Index>()) {
        let text = String::from_utf8(EXAMPLES[which].1.to_vec()).unwrap_or_default();
        let opens: Vec<usize> = text.match_indices("<").map(|(i, _)| i).collect();
        let i = opens[at.index(opens.len())];
        let mut cut = text.clone();
        if let Some(len) = text[i..].find('>') {
            cut.replace_range(i..=i + len, "");
        }
        check(cut.as_bytes())?;
    }
}
