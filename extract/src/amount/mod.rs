//! Money amounts in judgment language: figures ("150.000.000 đồng", "50.000.000đ",
//! "1,5 tỷ đồng", "2 tỷ 300 triệu đồng", "500 nghìn đồng") and words ("Một trăm năm mươi
//! triệu đồng"), with a figure and its words in brackets read as one amount whose words are
//! checked.
//!
//! Only a number followed by a currency word (đồng, đ, VNĐ, VND) is money, so areas
//! ("120,5 m2"), percentages, dates, years of prison and receipt numbers never are. Amounts
//! below 1.000 đồng are ignored (no judgment orders them; they are most often misreadings such
//! as "năm đồng thời").

mod words;

use crate::normalize::fold;
use thads_schemas::money::Vnd;
use words::NumberWord;

/// One money amount found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmountMatch {
    /// Byte offset where the amount starts.
    pub start: usize,
    /// Byte offset just after it (after the words in brackets when they were merged).
    pub end: usize,
    /// The amount: the figures when there are figures, else the words.
    pub value: Vnd,
    /// The amount written in words beside the figures, when there was one; differs from
    /// `value` when the judgment's figures and words disagree.
    pub words: Option<Vnd>,
}

impl AmountMatch {
    /// True when figures and words were both written and disagree.
    pub fn words_disagree(&self) -> bool {
        self.words.is_some_and(|w| w != self.value)
    }
}

/// Smallest amount taken as money.
const MIN_AMOUNT: u128 = 1_000;

/// Finds every money amount in `text`, in order, without overlaps.
///
/// A figure followed by its words in brackets ("150.000.000 đồng (Một trăm năm mươi triệu
/// đồng)", also "bằng chữ: ...") gives one match covering both.
pub fn find_amounts(text: &str) -> Vec<AmountMatch> {
    let folded = fold(text);
    let figures = find_figures(&folded);
    let words = find_word_amounts(&folded, &figures);
    merge(&folded, figures, words)
}

/// Parses a text that is exactly one amount (surrounding spaces and a final full stop allowed),
/// e.g. "1,5 tỷ đồng", "150.000.000đ", "Hai mươi triệu đồng",
/// "7.500.000 đồng (Bảy triệu năm trăm nghìn đồng)".
pub fn parse_amount(text: &str) -> Option<Vnd> {
    let trimmed = text.trim().trim_end_matches('.').trim_end();
    let found = find_amounts(trimmed);
    match found.as_slice() {
        [one] if one.start == 0 && one.end == trimmed.len() => Some(one.value),
        _ => None,
    }
}

/// Parses an amount written only in words, with or without the final "đồng":
/// "Một trăm năm mươi triệu đồng" → 150.000.000.
pub fn parse_words(text: &str) -> Option<Vnd> {
    let folded = fold(text.trim());
    let body = folded
        .trim_end_matches('.')
        .trim_end()
        .strip_suffix("đồng")
        .unwrap_or(&folded);
    let parsed: Option<Vec<NumberWord>> = body.split_whitespace().map(words::classify).collect();
    let value = words::parse(&parsed?)?;
    Vnd::new(i64::try_from(value).ok()?).ok()
}

/// A figure amount before merging with words.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    value: u64,
}

/// Scale words that may follow a figure, with their multipliers.
const SCALES: [(&str, u128); 6] = [
    ("tỷ", 1_000_000_000),
    ("tỉ", 1_000_000_000),
    ("triệu", 1_000_000),
    ("nghìn", 1_000),
    ("ngàn", 1_000),
    ("trăm", 100),
];

/// Currency words, longest first.
const CURRENCIES: [&str; 6] = ["việt nam đồng", "đồng", "vnđ", "vnd", "đ", "d"];

/// Finds figure amounts ("150.000.000 đồng", "1,5 tỷ đồng", "2 tỷ 300 triệu đồng").
fn find_figures(f: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < f.len() {
        let Some(c) = f[i..].chars().next() else {
            break;
        };
        if c.is_ascii_digit() && figure_may_start(f, i) {
            if let Some(span) = read_figure_amount(f, i) {
                i = span.end;
                out.push(span);
                continue;
            }
            // Skip the whole run of digits and separators so "24B1-123.45" is not re-read.
            i += f[i..]
                .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
                .unwrap_or(f.len() - i);
            continue;
        }
        i += c.len_utf8();
    }
    out
}

/// A figure may start after a space, a bracket or punctuation, never inside a word or code.
fn figure_may_start(f: &str, i: usize) -> bool {
    match f[..i].chars().next_back() {
        None => true,
        Some(p) => !(p.is_alphanumeric() || matches!(p, '.' | ',' | '/' | '-' | '_')),
    }
}

/// Reads `figure [scale] {figure scale} [figure] currency` starting at `i`.
fn read_figure_amount(f: &str, i: usize) -> Option<Span> {
    let ((first, mut scale), mut pos) = read_number_with_scale(f, i, None)?;
    let mut total = first;
    // Compound amounts: "2 tỷ 300 triệu", "3 triệu 500 nghìn đồng".
    while let Some(s) = scale {
        let next = skip_spaces(f, pos);
        if !f[next..].starts_with(|c: char| c.is_ascii_digit()) {
            break;
        }
        let Some(((v, smaller), p)) = read_number_with_scale(f, next, Some(s)) else {
            break;
        };
        total = total.checked_add(v)?;
        pos = p;
        scale = smaller;
    }
    let currency_end = currency_at(f, skip_spaces(f, pos))?;
    if total < MIN_AMOUNT {
        return None;
    }
    let value = u64::try_from(total)
        .ok()
        .filter(|v| i64::try_from(*v).is_ok())?;
    Some(Span {
        start: i,
        end: currency_end,
        value,
    })
}

/// Skips ASCII spaces.
fn skip_spaces(f: &str, mut pos: usize) -> usize {
    while f[pos..].starts_with(' ') {
        pos += 1;
    }
    pos
}

/// Reads one figure with an optional scale word: returns ((value in đồng, scale), end).
/// `below` restricts the scale to smaller ones (in compounds); a figure without scale in a
/// compound must be below `below`.
fn read_number_with_scale(
    f: &str,
    i: usize,
    below: Option<u128>,
) -> Option<((u128, Option<u128>), usize)> {
    let (int_digits, fraction, end) = read_figure(f, i)?;
    let int: u128 = int_digits.parse().ok()?;
    let after = skip_spaces(f, end);
    let scale = SCALES.iter().find_map(|(w, m)| {
        let rest = &f[after..];
        let ok = rest.starts_with(w)
            && rest[w.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric());
        ok.then_some((*m, after + w.len()))
    });
    match scale {
        Some((m, scale_end)) => {
            if below.is_some_and(|b| m >= b) {
                return None;
            }
            let (num, den) = match &fraction {
                Some(fr) => {
                    let den = 10u128.checked_pow(u32::try_from(fr.len()).ok()?)?;
                    (int.checked_mul(den)?.checked_add(fr.parse().ok()?)?, den)
                }
                None => (int, 1),
            };
            let scaled = num.checked_mul(m)?;
            if scaled % den != 0 {
                return None;
            }
            Some(((scaled / den, Some(m)), scale_end))
        }
        None => {
            if fraction
                .as_deref()
                .is_some_and(|fr| fr.bytes().any(|b| b != b'0'))
            {
                return None;
            }
            if below.is_some_and(|b| int >= b) {
                return None;
            }
            Some(((int, None), end))
        }
    }
}

/// Reads digits with grouping separators and an optional decimal part:
/// "150.000.000", "150,000,000", "150 000 000", "1,5", "2,25", "150.000.000,00".
/// Returns (integer digits, fraction digits, end).
fn read_figure(f: &str, i: usize) -> Option<(String, Option<String>, usize)> {
    let bytes = f.as_bytes();
    let digits_at =
        |p: usize| -> usize { bytes[p..].iter().take_while(|b| b.is_ascii_digit()).count() };
    let first = digits_at(i);
    if first == 0 {
        return None;
    }
    let mut int = f[i..i + first].to_owned();
    let mut pos = i + first;
    let mut sep: Option<u8> = None;
    if first <= 3 {
        // Groups of exactly three digits after one kind of separator; "03 năm" or "1,5" stop
        // here because what follows is not three digits.
        while let Some(&s) = bytes.get(pos) {
            if !matches!(s, b'.' | b',' | b' ') || sep.is_some_and(|x| x != s) {
                break;
            }
            if digits_at(pos + 1) != 3 {
                break;
            }
            sep = Some(s);
            int.push_str(&f[pos + 1..pos + 4]);
            pos += 4;
        }
    }
    let mut fraction = None;
    if let Some(&s) = bytes.get(pos) {
        if matches!(s, b'.' | b',') && sep != Some(s) {
            let n = digits_at(pos + 1);
            if (1..=2).contains(&n) || (n > 0 && sep.is_none() && n != 3) {
                fraction = Some(f[pos + 1..pos + 1 + n].to_owned());
                pos += 1 + n;
            }
        }
    }
    Some((int, fraction, pos))
}

/// End of a currency word at `pos`, if one is there.
fn currency_at(f: &str, pos: usize) -> Option<usize> {
    let rest = &f[pos..];
    CURRENCIES.iter().find_map(|c| {
        if !rest.starts_with(c) {
            return None;
        }
        let after = &rest[c.len()..];
        let next = after.chars().next();
        if next.is_some_and(char::is_alphanumeric) {
            // "đồng" glued to the figure is fine ("50.000.000đồng" is caught by "đồng" first),
            // but "đ" followed by letters is another word ("đơn vị").
            return None;
        }
        if *c == "d" && !f[..pos].ends_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        Some(pos + c.len())
    })
}

/// Finds amounts written only in words, ending with "đồng", outside the figure spans.
fn find_word_amounts(f: &str, figures: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    for at in crate::normalize::find_words(f, "đồng") {
        if figures.iter().any(|s| s.start <= at && at < s.end) {
            continue;
        }
        // Walk back over number words separated by single spaces.
        let mut words: Vec<(usize, NumberWord)> = Vec::new();
        let mut cursor = at;
        loop {
            let before = &f[..cursor];
            let Some(prefix) = before.strip_suffix(' ') else {
                break;
            };
            let word_start = prefix
                .char_indices()
                .rev()
                .take_while(|(_, c)| c.is_alphabetic())
                .last()
                .map(|(i, _)| i);
            let Some(ws) = word_start else { break };
            let Some(w) = words::classify(&prefix[ws..]) else {
                break;
            };
            words.push((ws, w));
            cursor = ws;
        }
        words.reverse();
        // Longest well-formed suffix of the run that has a scale word.
        for k in 0..words.len() {
            let seq: Vec<NumberWord> = words[k..].iter().map(|(_, w)| *w).collect();
            if !seq.iter().any(|w| matches!(w, NumberWord::Scale(_))) {
                break;
            }
            if let Some(v) = words::parse(&seq) {
                if u128::from(v) >= MIN_AMOUNT && i64::try_from(v).is_ok() {
                    out.push(Span {
                        start: words[k].0,
                        end: at + "đồng".len(),
                        value: v,
                    });
                }
                break;
            }
        }
    }
    out
}

/// Joins figures with the words written beside them, and keeps stand-alone word amounts.
fn merge(f: &str, figures: Vec<Span>, words: Vec<Span>) -> Vec<AmountMatch> {
    let mut out: Vec<AmountMatch> = figures
        .iter()
        .map(|s| AmountMatch {
            start: s.start,
            end: s.end,
            value: vnd(s.value),
            words: None,
        })
        .collect();
    for w in words {
        let paired = out
            .iter_mut()
            .find(|m| m.words.is_none() && m.end <= w.start && is_words_bridge(&f[m.end..w.start]));
        match paired {
            Some(m) => {
                m.words = Some(vnd(w.value));
                m.end = w.end;
                let rest = &f[m.end..];
                let trimmed = rest.trim_start_matches([' ', '.']);
                if trimmed.starts_with(')') {
                    m.end += rest.len() - trimmed.len() + 1;
                }
            }
            None => out.push(AmountMatch {
                start: w.start,
                end: w.end,
                value: vnd(w.value),
                words: None,
            }),
        }
    }
    out.sort_by_key(|m| m.start);
    out
}

/// The text allowed between figures and their words: "(", "(bằng chữ:", ", bằng chữ:", "(là".
fn is_words_bridge(between: &str) -> bool {
    let mut s = between.trim();
    s = s.trim_start_matches([',', ';', ':', '-']).trim_start();
    s = s.strip_prefix('(').unwrap_or(s).trim_start();
    for p in ["viết bằng chữ", "bằng chữ", "là"] {
        if let Some(r) = s.strip_prefix(p) {
            s = r.trim_start().trim_start_matches(':').trim_start();
            break;
        }
    }
    s.is_empty()
}

/// Wraps a value already checked to fit an `i64`.
fn vnd(v: u64) -> Vnd {
    i64::try_from(v)
        .ok()
        .and_then(|v| Vnd::new(v).ok())
        .unwrap_or(Vnd::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<i64> {
        find_amounts(text)
            .iter()
            .map(|m| m.value.amount())
            .collect()
    }

    #[test]
    fn figures_in_every_written_form() {
        assert_eq!(
            parse_amount("150.000.000 đồng").map(Vnd::amount),
            Some(150_000_000)
        );
        assert_eq!(
            parse_amount("50.000.000đ").map(Vnd::amount),
            Some(50_000_000)
        );
        assert_eq!(
            parse_amount("1,5 tỷ đồng").map(Vnd::amount),
            Some(1_500_000_000)
        );
        assert_eq!(
            parse_amount("2 tỷ 300 triệu đồng").map(Vnd::amount),
            Some(2_300_000_000)
        );
        assert_eq!(
            parse_amount("500 nghìn đồng").map(Vnd::amount),
            Some(500_000)
        );
        assert_eq!(
            parse_amount("150,000,000 VNĐ").map(Vnd::amount),
            Some(150_000_000)
        );
        assert_eq!(
            parse_amount("150 000 000 đồng").map(Vnd::amount),
            Some(150_000_000)
        );
        assert_eq!(
            parse_amount("3 triệu 500 nghìn đồng").map(Vnd::amount),
            Some(3_500_000)
        );
        assert_eq!(
            parse_amount("2,25 tỷ đồng").map(Vnd::amount),
            Some(2_250_000_000)
        );
        assert_eq!(
            parse_amount("1.200 triệu đồng").map(Vnd::amount),
            Some(1_200_000_000)
        );
        assert_eq!(
            parse_amount("150.000.000,00 đồng").map(Vnd::amount),
            Some(150_000_000)
        );
        assert_eq!(
            parse_amount("15000000 đồng").map(Vnd::amount),
            Some(15_000_000)
        );
        assert_eq!(
            parse_amount("Hai mươi triệu đồng").map(Vnd::amount),
            Some(20_000_000)
        );
    }

    #[test]
    fn figures_and_words_are_one_amount() {
        let text = "số tiền 150.000.000 đồng (Một trăm năm mươi triệu đồng).";
        let found = find_amounts(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].value.amount(), 150_000_000);
        assert_eq!(found[0].words.map(Vnd::amount), Some(150_000_000));
        assert_eq!(
            &text[found[0].start..found[0].end],
            "150.000.000 đồng (Một trăm năm mươi triệu đồng)"
        );
        let wrong = find_amounts("7.500.000 đồng (Bảy triệu đồng)");
        assert!(wrong[0].words_disagree());
        let spelled = find_amounts("20.000.000 đồng, bằng chữ: Hai mươi triệu đồng");
        assert_eq!(spelled.len(), 1);
    }

    #[test]
    fn non_money_numbers_are_ignored() {
        assert!(values("diện tích 120,5 m2 thuộc thửa đất số 45").is_empty());
        assert!(values("lãi suất 0,83%/tháng, 03 (ba) năm tù, ngày 05-01-2026").is_empty());
        assert!(values("biên lai thu số 0001234, Điều 468 Bộ luật Dân sự năm 2015").is_empty());
        assert!(values("trong năm đồng thời hợp đồng số 12").is_empty());
        assert!(values("biển số 24B1-123.45 và 5.000 đơn vị").is_empty());
    }

    #[test]
    fn several_amounts_in_one_sentence() {
        assert_eq!(
            values("200.000 đồng án phí hình sự sơ thẩm và 4.250.000 đồng án phí dân sự sơ thẩm"),
            vec![200_000, 4_250_000]
        );
        assert_eq!(
            values("mỗi tháng 3.000.000đ/tháng; năm trăm nghìn đồng"),
            vec![3_000_000, 500_000]
        );
    }

    #[test]
    fn words_only() {
        assert_eq!(
            parse_words("Một trăm năm mươi triệu đồng").map(Vnd::amount),
            Some(150_000_000)
        );
        assert_eq!(
            values("phải trả cho bà B số tiền năm mươi triệu đồng."),
            vec![50_000_000]
        );
    }
}
