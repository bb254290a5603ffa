//! Text normalisation before parsing: NFC, line endings, spaces, dashes, quotes and the old
//! tone placement ("hoà", "thuỷ" → "hòa", "thủy"), plus a case fold that keeps byte offsets.
//!
//! Every other module works on the output of [`normalize`] and searches keywords in
//! [`fold`]ed text, so offsets found in the folded text slice the normalised text directly.

use thads_schemas::text::nfc;

/// Normalises a whole judgment: NFC, `\n` line endings, one space between words, trimmed lines,
/// ASCII dashes and quotes, new-style tone placement. Blank lines are kept (they separate
/// paragraphs).
pub(crate) fn normalize(input: &str) -> String {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let unified = input.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(unified.len());
    for (i, line) in unified.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&normalize_line(line));
    }
    out
}

/// Normalises one line: characters mapped, then NFC with spaces collapsed
/// ([`thads_schemas::text::nfc`]), then tone placement fixed.
fn normalize_line(line: &str) -> String {
    let mapped: String = line
        .chars()
        .filter(|c| !matches!(c, '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}'))
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{00ab}' | '\u{00bb}' => '"',
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{00b2}' => '2',
            other => other,
        })
        .collect();
    fix_tone_placement(&nfc(&mapped))
}

/// Rows of a vowel with its five tones: plain, huyền, sắc, hỏi, ngã, nặng.
const TONE_ROWS: [[char; 6]; 10] = [
    ['a', 'à', 'á', 'ả', 'ã', 'ạ'],
    ['e', 'è', 'é', 'ẻ', 'ẽ', 'ẹ'],
    ['y', 'ỳ', 'ý', 'ỷ', 'ỹ', 'ỵ'],
    ['o', 'ò', 'ó', 'ỏ', 'õ', 'ọ'],
    ['u', 'ù', 'ú', 'ủ', 'ũ', 'ụ'],
    ['A', 'À', 'Á', 'Ả', 'Ã', 'Ạ'],
    ['E', 'È', 'É', 'Ẻ', 'Ẽ', 'Ẹ'],
    ['Y', 'Ỳ', 'Ý', 'Ỷ', 'Ỹ', 'Ỵ'],
    ['O', 'Ò', 'Ó', 'Ỏ', 'Õ', 'Ọ'],
    ['U', 'Ù', 'Ú', 'Ủ', 'Ũ', 'Ụ'],
];

/// `(row, tone)` of a vowel in [`TONE_ROWS`].
fn tone_of(c: char) -> Option<(usize, usize)> {
    TONE_ROWS
        .iter()
        .enumerate()
        .find_map(|(r, row)| row.iter().position(|&x| x == c).map(|t| (r, t)))
}

/// Moves the tone of open syllables "oa", "oe", "uy" to the first vowel, the placement used by
/// current official texts: "hoà" → "hòa", "thoả" → "thỏa", "uỷ" → "ủy". "quý" keeps its tone
/// (the u belongs to "qu"), and syllables with a final consonant ("hoàng") are untouched.
fn fix_tone_placement(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = chars.clone();
    for i in 1..chars.len() {
        let word_ends = chars.get(i + 1).is_none_or(|c| !c.is_alphabetic());
        if !word_ends {
            continue;
        }
        let (Some((last_row, tone)), Some((first_row, 0))) =
            (tone_of(chars[i]), tone_of(chars[i - 1]))
        else {
            continue;
        };
        if tone == 0 {
            continue;
        }
        let last_base = TONE_ROWS[last_row][0].to_ascii_lowercase();
        let first_base = TONE_ROWS[first_row][0].to_ascii_lowercase();
        let pair_ok = matches!(
            (first_base, last_base),
            ('o', 'a') | ('o', 'e') | ('u', 'y')
        );
        let after_q = i >= 2 && matches!(chars[i - 2], 'q' | 'Q');
        if !pair_ok || (first_base == 'u' && after_q) {
            continue;
        }
        out[i - 1] = TONE_ROWS[first_row][tone];
        out[i] = TONE_ROWS[last_row][0];
    }
    out.into_iter().collect()
}

/// Lower-cases `s` character by character, keeping every byte offset valid: a character whose
/// lower case has another UTF-8 length (none in Vietnamese) is left as it is.
pub(crate) fn fold(s: &str) -> String {
    s.chars()
        .map(|c| {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) if l.len_utf8() == c.len_utf8() => l,
                _ => c,
            }
        })
        .collect()
}

/// True when the character at byte `i` of `s` (or the one before it, for `before`) is part of
/// a word; used for whole-word matching.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Byte offsets of every whole-word occurrence of `needle` in `hay` (both folded).
pub(crate) fn find_words(hay: &str, needle: &str) -> Vec<usize> {
    let mut out = Vec::new();
    if needle.is_empty() {
        return out;
    }
    let mut from = 0;
    while let Some(rel) = hay.get(from..).and_then(|h| h.find(needle)) {
        let start = from + rel;
        let end = start + needle.len();
        let before_ok = hay[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !is_word_char(c));
        let after_ok = hay[end..].chars().next().is_none_or(|c| !is_word_char(c));
        if before_ok && after_ok {
            out.push(start);
        }
        from = start + needle.chars().next().map_or(1, char::len_utf8);
    }
    out
}

/// First whole-word occurrence of `needle` in `hay`.
pub(crate) fn find_word(hay: &str, needle: &str) -> Option<usize> {
    find_words(hay, needle).into_iter().next()
}

/// True when `hay` contains `needle` as whole words.
pub(crate) fn has_word(hay: &str, needle: &str) -> bool {
    find_word(hay, needle).is_some()
}

/// True when `hay` contains any of `needles` as whole words.
pub(crate) fn has_any(hay: &str, needles: &[&str]) -> bool {
    needles.iter().any(|n| has_word(hay, n))
}

/// Upper-cases the first letter of each word and lower-cases the rest ("NGUYỄN THỊ LAN" →
/// "Nguyễn Thị Lan").
/// A letter after an apostrophe or hyphen starts a new part ("K'Brô", "Ê-đê").
pub(crate) fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = matches!(c, ' ' | '\'' | '-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfd_crlf_and_spacing_are_normalised() {
        // "Bị đơn" and "QUYẾT" typed with combining marks (NFD), a tab, a no-break space, CRLF.
        let nfd = "Bi\u{323}  đo\u{31b}n:\tBa\u{300}\u{a0}Trần Thị Bình\r\nQUYÊ\u{301}T ĐỊNH";
        assert_eq!(normalize(nfd), "Bị đơn: Bà Trần Thị Bình\nQUYẾT ĐỊNH");
    }

    #[test]
    fn old_tone_placement_is_modernised() {
        assert_eq!(
            normalize("TOÀ ÁN hoà giải, thoả thuận, Uỷ ban, Thuý"),
            "TÒA ÁN hòa giải, thỏa thuận, Ủy ban, Thúy"
        );
        assert_eq!(normalize("Hoàng quý khoẻ"), "Hoàng quý khỏe");
    }

    #[test]
    fn fold_keeps_offsets() {
        let s = "ĐỒNG Ý Trần Thị BÌNH";
        let f = fold(s);
        assert_eq!(f.len(), s.len());
        assert_eq!(f, "đồng ý trần thị bình");
    }

    #[test]
    fn whole_words_only() {
        assert_eq!(find_words("hợp đồng và đồng", "đồng"), vec![6, 18]);
        assert!(!has_word("trả lại", "trả l"));
        assert!(has_word("buộc bà b phải trả", "phải trả"));
    }

    #[test]
    fn title_cases_names() {
        assert_eq!(title_case("NGUYỄN THỊ LAN"), "Nguyễn Thị Lan");
        assert_eq!(title_case("đặng văn đức"), "Đặng Văn Đức");
        assert_eq!(title_case("K'BRÔ HA SIN"), "K'Brô Ha Sin");
    }
}
