//! Reading numbers and names the way the matcher compares them: accent-, case- and
//! separator-blind numbers (`215/2026/DS-ST` = `2152026dsst`), and names as sets of folded
//! words, so the bank's `TRAN THI BINH` is the court's `Trần Thị Bình`.

use thads_schemas::text::fold_ascii;

/// How closely a payer's name matches a debtor's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameMatch {
    /// Nothing in common worth the name.
    None,
    /// Shortened: initials for some words, or middle names left out (family and given name
    /// kept).
    Partial,
    /// The same words, in any order.
    Same,
}

/// Compares two names already folded into words (see [`name_words`]).
pub fn compare_names(payer: &[String], debtor: &[String]) -> NameMatch {
    if payer.is_empty() || debtor.is_empty() {
        return NameMatch::None;
    }
    let mut a = payer.to_vec();
    let mut b = debtor.to_vec();
    a.sort();
    b.sort();
    if a == b {
        return NameMatch::Same;
    }
    if payer.len() < 2 || debtor.len() < 2 {
        return NameMatch::None;
    }
    // Initials: "TRAN T BINH" for "TRAN THI BINH"; family and given name written in full.
    let initials = payer.len() == debtor.len()
        && payer.first() == debtor.first()
        && payer.last() == debtor.last()
        && payer
            .iter()
            .zip(debtor)
            .all(|(p, d)| p == d || (p.len() == 1 && d.starts_with(p.as_str())));
    // Middle names left out: "TRAN BINH" for "TRAN THI BINH".
    let shortened = payer.first() == debtor.first()
        && payer.last() == debtor.last()
        && is_subsequence(payer, debtor);
    if initials || shortened {
        NameMatch::Partial
    } else {
        NameMatch::None
    }
}

/// A name's words for [`compare_names`]: folded (no accents, upper case), split on anything
/// that is not a letter or digit.
pub fn name_words(name: &str) -> Vec<String> {
    words(&fold_ascii(name))
}

pub(super) fn words(folded: &str) -> Vec<String> {
    folded
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn is_subsequence(short: &[String], long: &[String]) -> bool {
    let mut it = long.iter();
    short.iter().all(|w| it.any(|x| x == w))
}

pub(super) fn contains_run(hay: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// A number as the matcher compares it: folded, split at spaces and punctuation and between
/// letters and digits, digit runs without leading zeros. `"Số 05/2026/QĐ-PT"` gives
/// `SO 5 2026 QD PT`.
pub fn pieces(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in fold_ascii(s).split(' ').filter(|w| !w.is_empty()) {
        let mut current = String::new();
        let mut digits = false;
        for c in word.chars() {
            let d = c.is_ascii_digit();
            if !current.is_empty() && d != digits {
                out.push(tidy(std::mem::take(&mut current), digits));
            }
            digits = d;
            current.push(c);
        }
        if !current.is_empty() {
            out.push(tidy(current, digits));
        }
    }
    out
}

fn tidy(piece: String, digits: bool) -> String {
    if !digits {
        return piece;
    }
    let trimmed = piece.trim_start_matches('0');
    if trimmed.is_empty() {
        "0".to_string()
    } else {
        trimmed.to_string()
    }
}

/// Whether `memo` holds a run of whole pieces that spells `id` (pieces joined without
/// separators), so `2152026DSST`, `215 2026 ds st` and `so 215/2026/DS-ST` all quote
/// `215/2026/DS-ST`, while `1215/2026/DS-ST` does not.
pub fn quotes(memo: &[String], id: &[String]) -> bool {
    let target: String = id.concat();
    if target.is_empty() {
        return false;
    }
    for start in 0..memo.len() {
        let mut acc = String::new();
        for piece in &memo[start..] {
            acc.push_str(piece);
            if acc == target {
                return true;
            }
            if !target.starts_with(&acc) {
                break;
            }
        }
    }
    false
}
