//! Every text judgment of `corpus/`, written out as an old TCVN3 or VNI file (raw bytes, not
//! UTF-8) and as text extracted from an old `.doc` (UTF-8 of those bytes read as Latin-1), is
//! detected, converted and extracted like the Unicode original: the same obligations with the
//! same kinds, amounts, debtors and creditors. TCVN3 cannot keep a capital toned initial
//! (`Ánh` comes back `ánh`), so its names are compared without case.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use thads_extract::legacy::{self, Encoding};
use thads_extract::{extract_bytes, Extraction};

fn obligations(x: &Extraction, fold_case: bool) -> Vec<String> {
    let name = |s: &Option<String>| {
        let s = s.as_deref().unwrap_or("-");
        if fold_case {
            s.to_lowercase()
        } else {
            s.to_string()
        }
    };
    x.obligations
        .iter()
        .map(|o| {
            format!(
                "{:?} {} -> {} {:?}",
                o.kind,
                name(&o.debtor),
                name(&o.creditor),
                o.amount_vnd
            )
        })
        .collect()
}

#[test]
fn legacy_copies_of_the_corpus_extract_like_the_originals() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        let original = std::fs::read_to_string(&path).unwrap();
        let expected = thads_extract::extract_text(&original);
        for encoding in [Encoding::Tcvn3, Encoding::Vni] {
            let legacy_text = legacy::from_unicode(&original, encoding);
            let raw: Vec<u8> = legacy_text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect();
            for (how, bytes) in [("raw", raw), ("doc", legacy_text.clone().into_bytes())] {
                let got = extract_bytes(&bytes)
                    .unwrap_or_else(|e| panic!("{} as {encoding:?} ({how}): {e}", path.display()));
                let fold = encoding == Encoding::Tcvn3;
                assert_eq!(
                    obligations(&got, fold),
                    obligations(&expected, fold),
                    "{} as {encoding:?} ({how})",
                    path.display()
                );
                assert!(
                    got.warnings[0].contains(&encoding.as_str().to_uppercase()),
                    "{}: {:?}",
                    path.display(),
                    got.warnings
                );
            }
        }
        // The original itself is not taken for a legacy text.
        let plain = extract_bytes(original.as_bytes()).unwrap();
        assert_eq!(plain.warnings, expected.warnings, "{}", path.display());
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} text judgments found");
}
