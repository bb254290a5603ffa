//! Vietnamese text helpers: NFC normalisation, personal text that never prints unmasked, and
//! accent-blind folding for matching bank memos.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// Normalises one-line text for storage: NFC, trimmed, inner whitespace runs collapsed to one
/// space. Vietnamese can be typed precomposed or with combining marks; stored text is always NFC
/// so equal names compare equal.
pub fn nfc(s: &str) -> String {
    let composed: String = s.nfc().collect();
    composed.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Normalises multi-line text (the operative part of a judgment): NFC, line endings as `\n`,
/// each line collapsed like [`nfc`], blank lines at both ends removed, inner paragraph breaks kept.
pub fn nfc_multiline(s: &str) -> String {
    let composed: String = s.nfc().collect();
    let lines: Vec<String> = composed
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let start = lines.iter().position(|l| !l.is_empty());
    let end = lines.iter().rposition(|l| !l.is_empty());
    match (start, end) {
        (Some(a), Some(b)) => lines[a..=b].join("\n"),
        _ => String::new(),
    }
}

/// True when `s` is already in NFC, for validating text that arrives as JSON.
pub fn is_nfc(s: &str) -> bool {
    unicode_normalization::is_nfc(s)
}

/// Accent-blind matching key: "Nguyễn Văn Đức" and the bank memo "NGUYEN VAN DUC" fold equal.
///
/// NFD, combining marks U+0300..=U+036F dropped, đ/Đ mapped to d/D, uppercased, runs of
/// non-alphanumerics turned into one space, trimmed.
pub fn fold_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd() {
        if ('\u{0300}'..='\u{036F}').contains(&c) {
            continue;
        }
        let c = match c {
            'đ' => 'd',
            'Đ' => 'D',
            other => other,
        };
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_uppercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// Personal text (names, addresses) stored NFC-normalised, whose Debug and Display print only
/// `<redacted N chars>`, so it cannot leak into logs (invariant 7). Use [`PersonalText::as_str`]
/// where the real text is needed (documents, partner messages).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct PersonalText(String);

impl PersonalText {
    /// Wraps text after normalising it with [`nfc`].
    pub fn new(s: &str) -> PersonalText {
        PersonalText(nfc(s))
    }

    /// The real text. Never log it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when nothing is left after normalisation.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of characters (Unicode scalar values), as shown in the mask.
    pub fn char_count(&self) -> usize {
        self.0.chars().count()
    }

    /// Accent-blind key of this text, see [`fold_ascii`].
    pub fn folded(&self) -> String {
        fold_ascii(&self.0)
    }
}

impl fmt::Display for PersonalText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<redacted {} chars>", self.char_count())
    }
}

impl fmt::Debug for PersonalText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<redacted {} chars>", self.char_count())
    }
}

impl From<&str> for PersonalText {
    fn from(s: &str) -> Self {
        PersonalText::new(s)
    }
}

impl Serialize for PersonalText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PersonalText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Ok(PersonalText::new(&s))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_vietnamese_names() {
        assert_eq!(fold_ascii("Nguyễn Văn Đức"), "NGUYEN VAN DUC");
        assert_eq!(fold_ascii("  Trần   Thị-Bình, "), "TRAN THI BINH");
        assert_eq!(fold_ascii("Hoàng Thị Dung"), "HOANG THI DUNG");
        assert_eq!(fold_ascii("Lưu Ngọc Ơn"), "LUU NGOC ON");
        assert_eq!(fold_ascii("nop tien THA 215/2026"), "NOP TIEN THA 215 2026");
        let decomposed: String = "Nguyễn Văn Đức".nfd().collect();
        assert_eq!(fold_ascii(&decomposed), "NGUYEN VAN DUC");
    }

    #[test]
    fn nfc_composes_trims_and_collapses() {
        let decomposed = "  Nguye\u{0302}\u{0303}n \t Va\u{0306}n\nAn ";
        assert_eq!(nfc(decomposed), "Nguyễn Văn An");
        assert!(is_nfc(&nfc(decomposed)));
        assert!(!is_nfc(decomposed));
    }

    #[test]
    fn multiline_keeps_paragraphs() {
        assert_eq!(
            nfc_multiline("\n  Buộc  bà B \r\n\r\n  phải trả  \n\n"),
            "Buộc bà B\n\nphải trả"
        );
        assert_eq!(nfc_multiline(" \n "), "");
    }

    #[test]
    fn personal_text_is_redacted() {
        let p = PersonalText::new("Nguye\u{0302}\u{0303}n Văn An");
        assert_eq!(p.as_str(), "Nguyễn Văn An");
        assert_eq!(format!("{p}"), "<redacted 13 chars>");
        assert_eq!(format!("{p:?}"), "<redacted 13 chars>");
        assert_eq!(p.folded(), "NGUYEN VAN AN");
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, "\"Nguyễn Văn An\"");
        let back: PersonalText = serde_json::from_str("\" Nguye\\u0302\\u0303n  Văn An\"").unwrap();
        assert_eq!(back, p);
    }

    proptest! {
        #[test]
        fn fold_is_idempotent_and_ascii_for_vietnamese(s in "[a-zA-ZàáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵĐ ,.0-9]{0,40}") {
            let f = fold_ascii(&s);
            prop_assert!(f.is_ascii());
            prop_assert_eq!(fold_ascii(&f), f.as_str());
            prop_assert!(!f.starts_with(' ') && !f.ends_with(' ') && !f.contains("  "));
        }

        #[test]
        fn nfc_is_idempotent(s in "\\PC{0,40}") {
            let once = nfc(&s);
            prop_assert_eq!(nfc(&once), once.as_str());
        }
    }
}
