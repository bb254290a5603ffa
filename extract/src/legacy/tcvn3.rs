//! TCVN3 (TCVN 5712:1993 "VN3", the `.Vn…` ABC fonts) ⇄ Unicode.
//!
//! TCVN3 is a single-byte code: every lowercase Vietnamese letter, toned or not, has its own
//! byte in `0xA8..=0xFE`, but of the uppercase letters only the seven bases Ă Â Ê Ô Ơ Ư Đ do
//! (`0xA1..=0xA7`). Uppercase toned letters were typed in the uppercase font variant
//! (`.VnTimeH`) with the *lowercase* bytes, so plain text has lost their case. Decoding
//! therefore restores it from the word: a toned letter is uppercase when the word's other
//! letters are uppercase (`QUYÕT` → `QUYẾT`), and, in a word with no such letter (`§µ`),
//! when the line's decided words are uppercase. A capital toned *initial* in a lowercase word
//! (`Ấn`) cannot be told from `ấn` and comes out lowercase.
//!
//! The bytes are handled as the characters U+0000–U+00FF of the same value (Latin-1), which is
//! also how text extracted from old `.doc` files in these fonts arrives.

/// Every TCVN3 letter code and the Unicode letter it stands for (lowercase for the toned
/// codes, whose case comes from context).
pub(super) const TABLE: [(u8, char); 74] = [
    (0xA1, 'Ă'),
    (0xA2, 'Â'),
    (0xA3, 'Ê'),
    (0xA4, 'Ô'),
    (0xA5, 'Ơ'),
    (0xA6, 'Ư'),
    (0xA7, 'Đ'),
    (0xA8, 'ă'),
    (0xA9, 'â'),
    (0xAA, 'ê'),
    (0xAB, 'ô'),
    (0xAC, 'ơ'),
    (0xAD, 'ư'),
    (0xAE, 'đ'),
    (0xB5, 'à'),
    (0xB6, 'ả'),
    (0xB7, 'ã'),
    (0xB8, 'á'),
    (0xB9, 'ạ'),
    (0xBB, 'ằ'),
    (0xBC, 'ẳ'),
    (0xBD, 'ẵ'),
    (0xBE, 'ắ'),
    (0xC6, 'ặ'),
    (0xC7, 'ầ'),
    (0xC8, 'ẩ'),
    (0xC9, 'ẫ'),
    (0xCA, 'ấ'),
    (0xCB, 'ậ'),
    (0xCC, 'è'),
    (0xCE, 'ẻ'),
    (0xCF, 'ẽ'),
    (0xD0, 'é'),
    (0xD1, 'ẹ'),
    (0xD2, 'ề'),
    (0xD3, 'ể'),
    (0xD4, 'ễ'),
    (0xD5, 'ế'),
    (0xD6, 'ệ'),
    (0xD7, 'ì'),
    (0xD8, 'ỉ'),
    (0xDC, 'ĩ'),
    (0xDD, 'í'),
    (0xDE, 'ị'),
    (0xDF, 'ò'),
    (0xE1, 'ỏ'),
    (0xE2, 'õ'),
    (0xE3, 'ó'),
    (0xE4, 'ọ'),
    (0xE5, 'ồ'),
    (0xE6, 'ổ'),
    (0xE7, 'ỗ'),
    (0xE8, 'ố'),
    (0xE9, 'ộ'),
    (0xEA, 'ờ'),
    (0xEB, 'ở'),
    (0xEC, 'ỡ'),
    (0xED, 'ớ'),
    (0xEE, 'ợ'),
    (0xEF, 'ù'),
    (0xF1, 'ủ'),
    (0xF2, 'ũ'),
    (0xF3, 'ú'),
    (0xF4, 'ụ'),
    (0xF5, 'ừ'),
    (0xF6, 'ử'),
    (0xF7, 'ữ'),
    (0xF8, 'ứ'),
    (0xF9, 'ự'),
    (0xFA, 'ỳ'),
    (0xFB, 'ỷ'),
    (0xFC, 'ỹ'),
    (0xFD, 'ý'),
    (0xFE, 'ỵ'),
];

/// How a decoded character bears on its word's case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    /// Not a letter: ends a word.
    None,
    /// A letter whose case the text states (ASCII, or the seven bases with their own codes).
    Upper,
    /// Likewise, lowercase.
    Lower,
    /// A toned letter: its case comes from the word or the line.
    Toned,
}

fn decode_char(c: char) -> (char, Case) {
    let code = u32::from(c);
    if let Ok(byte) = u8::try_from(code) {
        if let Some((_, u)) = TABLE.iter().find(|(b, _)| *b == byte) {
            let case = match byte {
                0xA1..=0xA7 => Case::Upper,
                0xA8..=0xAE => Case::Lower,
                _ => Case::Toned,
            };
            return (*u, case);
        }
    }
    let case = if c.is_uppercase() {
        Case::Upper
    } else if c.is_lowercase() {
        Case::Lower
    } else {
        Case::None
    };
    (c, case)
}

/// The case a word's letters state, not counting its first letter (which may be a capital in
/// a lowercase word): `Some(true)` upper, `Some(false)` lower, `None` nothing decisive.
fn word_case(word: &[(char, Case)]) -> Option<bool> {
    let rest = word.get(1..).unwrap_or(&[]);
    let upper = rest.iter().filter(|(_, c)| *c == Case::Upper).count();
    let lower = rest.iter().filter(|(_, c)| *c == Case::Lower).count();
    match (upper, lower) {
        (0, 0) => None,
        (u, l) => Some(u > l),
    }
}

/// Converts TCVN3 text (bytes as U+0000–U+00FF characters) to Unicode, restoring the case of
/// toned letters from their word and line.
pub(super) fn to_unicode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for line in text.split_inclusive('\n') {
        decode_line(line, &mut out);
    }
    out
}

fn decode_line(line: &str, out: &mut String) {
    let decoded: Vec<(char, Case)> = line.chars().map(decode_char).collect();
    // Words: maximal runs of letters.
    let mut words: Vec<(usize, usize, Option<bool>)> = Vec::new();
    let mut i = 0;
    while i < decoded.len() {
        if decoded[i].1 == Case::None {
            i += 1;
            continue;
        }
        let start = i;
        while i < decoded.len() && decoded[i].1 != Case::None {
            i += 1;
        }
        words.push((start, i, word_case(&decoded[start..i])));
    }
    let decided: Vec<bool> = words.iter().filter_map(|w| w.2).collect();
    let line_upper = !decided.is_empty() && decided.iter().all(|u| *u);
    let mut upper_at = vec![false; decoded.len()];
    for (start, end, case) in &words {
        let upper = case.unwrap_or(line_upper);
        for flag in &mut upper_at[*start..*end] {
            *flag = upper;
        }
    }
    for (k, (c, case)) in decoded.iter().enumerate() {
        if *case == Case::Toned && upper_at[k] {
            out.extend(c.to_uppercase());
        } else {
            out.push(*c);
        }
    }
}

/// Converts Unicode (NFC) text to TCVN3 (bytes as U+0000–U+00FF characters). Uppercase toned
/// letters take their lowercase code, as the uppercase fonts did; other characters pass
/// unchanged.
pub(super) fn from_unicode(text: &str) -> String {
    text.chars()
        .map(|c| {
            let exact = TABLE.iter().find(|(_, u)| *u == c);
            let folded = exact.or_else(|| {
                let lower = c.to_lowercase().next().unwrap_or(c);
                TABLE.iter().find(|(b, u)| *u == lower && *b >= 0xB5)
            });
            folded.map_or(c, |(b, _)| char::from(*b))
        })
        .collect()
}

/// How strongly `text` looks like TCVN3: the count of characters that are TCVN3 letter codes
/// but neither Vietnamese letters in Unicode nor bytes VNI uses (`µ ¸ ¶ · ¹ ¨ © ª « ¬ ® Ç Ð
/// × Þ ß ç ÷ þ …`).
pub(super) fn score(text: &str) -> usize {
    text.chars()
        .filter(|c| {
            let code = u32::from(*c);
            u8::try_from(code).is_ok_and(|b| TABLE.iter().any(|(t, _)| *t == b))
                && !super::is_vietnamese_unicode_letter(*c)
                && !super::vni::is_vni_code(*c)
        })
        .count()
}
