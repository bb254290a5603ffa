//! The header of a judgment: issuing court, number ("Bản án số: 215/2026/DS-ST",
//! "Quyết định số 12/2026/QĐST-HNGĐ"), date, and the kind of case read from the number's
//! symbol.

use crate::model::{CaseKind, JudgmentInfo};
use crate::normalize::{fold, title_case};
use regex::Regex;
use std::sync::LazyLock;

/// `215/2026/DS-ST`, tolerant of spaces around the slashes and hyphens.
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[^\d/])(\d{1,6})\s*/\s*(\d{4})\s*/\s*([a-zđ0-9]+(?:\s*-\s*[a-zđ0-9]+)*)")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// "Ngày: 12-3-2026", "ngày 12/03/2026".
static DATE_FIGURES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)ngày\s*:?\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// "ngày 12 tháng 3 năm 2026".
static DATE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// Reads the header from the lines before the parties (`header`) and, for a date the header
/// lacks, from the rest of the text before the operative part (`body`).
pub(crate) fn read_header(
    header: &[&str],
    body: &[&str],
    warnings: &mut Vec<String>,
) -> JudgmentInfo {
    let court = read_court(header);
    let number = read_number(header);
    let date = read_date(header).or_else(|| {
        let d = read_date(body);
        if d.is_some() {
            warnings.push(
                "the judgment date was not in the header; taken from the first date of the body"
                    .to_owned(),
            );
        }
        d
    });
    let kind = number.as_deref().and_then(kind_from_number);
    if court.is_none() {
        warnings.push("no court name (TÒA ÁN NHÂN DÂN ...) found in the header".to_owned());
    }
    match &number {
        None => warnings.push("no judgment number (e.g. 215/2026/DS-ST) found in the header".to_owned()),
        Some(n) if kind.is_none() => warnings.push(format!(
            "the symbol of judgment number {n} does not name a kind of case (DS, HS, HNGĐ, KDTM, LĐ, HC, PS)"
        )),
        Some(_) => {}
    }
    if date.is_none() {
        warnings.push("no judgment date found".to_owned());
    }
    JudgmentInfo {
        court,
        number,
        date,
        kind,
    }
}

/// The court line, cut before the right-hand column of a flattened two-column header.
fn read_court(lines: &[&str]) -> Option<String> {
    for (i, line) in lines.iter().enumerate() {
        let f = fold(line);
        let Some(pos) = f.find("tòa án") else {
            continue;
        };
        let mut end = f.len();
        for stop in [
            "cộng hòa",
            "độc lập",
            "bản án",
            "quyết định",
            " số",
            "nhân danh",
        ] {
            if let Some(p) = f[pos + 1..].find(stop) {
                end = end.min(pos + 1 + p);
            }
        }
        let mut name = line[pos..end]
            .trim()
            .trim_end_matches([',', '-', ':'])
            .trim()
            .to_owned();
        let bare = fold(&name);
        if let Some(next) = lines.get(i + 1) {
            let nf = fold(next.trim());
            let next_is_name = !next.chars().any(char::is_lowercase)
                && !["cộng hòa", "bản án", "quyết định", "số", "độc lập"]
                    .iter()
                    .any(|w| nf.contains(w));
            if bare == "tòa án nhân dân" || bare == "tòa án quân sự" {
                if next_is_name {
                    name = format!("{name} {}", next.trim());
                }
            } else if next_is_name && (nf.starts_with("tỉnh ") || nf.starts_with("thành phố "))
            {
                // "TÒA ÁN NHÂN DÂN HUYỆN BẢO THẮNG" / "TỈNH LÀO CAI" on two lines.
                name = format!("{name}, {}", next.trim());
            }
        }
        return Some(display_court(&name));
    }
    None
}

/// "TÒA ÁN NHÂN DÂN KHU VỰC 1 - THÀNH PHỐ HỒ CHÍ MINH" → "Tòa án nhân dân khu vực 1 -
/// Thành phố Hồ Chí Minh"; names already in mixed case are kept.
fn display_court(name: &str) -> String {
    if name.chars().any(char::is_lowercase) {
        return name.to_owned();
    }
    const LOWER: [&str; 19] = [
        "tòa", "án", "nhân", "dân", "tỉnh", "thành", "phố", "huyện", "quận", "thị", "xã", "khu",
        "vực", "cấp", "cao", "tại", "tối", "quân", "sự",
    ];
    let folded = fold(name);
    let mut out: Vec<String> = Vec::new();
    let mut capitalise_next = true;
    for word in folded.split(' ') {
        if word == "-" {
            out.push("-".to_owned());
            capitalise_next = true;
            continue;
        }
        let shaped = if capitalise_next || !LOWER.contains(&word) {
            title_case(word)
        } else {
            word.to_owned()
        };
        out.push(shaped);
        capitalise_next = false;
    }
    out.join(" ")
}

/// The judgment number, preferring a line that says "số", "bản án" or "quyết định".
fn read_number(lines: &[&str]) -> Option<String> {
    let preferred = lines.iter().filter(|l| {
        let f = fold(l);
        f.contains("số") || f.contains("bản án") || f.contains("quyết định")
    });
    preferred
        .chain(lines.iter())
        .find_map(|l| NUMBER.captures(l))
        .map(|c| {
            let symbol: String = c[3]
                .chars()
                .filter(|c| !c.is_whitespace())
                .flat_map(char::to_uppercase)
                .collect();
            format!("{}/{}/{}", &c[1], &c[2], symbol)
        })
}

/// The first date of the lines, skipping dates of birth.
fn read_date(lines: &[&str]) -> Option<String> {
    for line in lines {
        let mut found: Vec<(usize, String)> = Vec::new();
        for re in [&*DATE_FIGURES, &*DATE_WORDS] {
            for c in re.captures_iter(line) {
                let Some(whole) = c.get(0) else { continue };
                let before = fold(&line[..whole.start()]);
                if before.trim_end().ends_with("sinh") {
                    continue;
                }
                if let Some(iso) = iso_date(&c[3], &c[2], &c[1]) {
                    found.push((whole.start(), iso));
                }
            }
        }
        if let Some((_, d)) = found.into_iter().min_by_key(|(p, _)| *p) {
            return Some(d);
        }
    }
    None
}

/// `YYYY-MM-DD` when the parts make a real calendar date.
pub(crate) fn iso_date(year: &str, month: &str, day: &str) -> Option<String> {
    let y: u32 = year.parse().ok()?;
    let m: u32 = month.parse().ok()?;
    let d: u32 = day.parse().ok()?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    ((1900..=2100).contains(&y) && (1..=days).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// The kind of case from the symbol after the year: `DS-ST` civil, `HS-PT` criminal,
/// `QĐST-HNGĐ` family, `KDTM-ST` commercial, `LĐ-ST` labour, `HC-ST` administrative,
/// `QĐ-PS` bankruptcy.
pub fn kind_from_number(number: &str) -> Option<CaseKind> {
    let symbol = number.rsplit('/').next()?.to_uppercase();
    symbol.split('-').find_map(|part| {
        let part = part.trim();
        let core = part.strip_prefix("QĐ").unwrap_or(part);
        let core = ["GĐT", "ST", "PT", "TT"]
            .iter()
            .find_map(|s| core.strip_suffix(s).filter(|c| !c.is_empty()))
            .unwrap_or(core);
        Some(match core {
            "DS" => CaseKind::Civil,
            "HS" => CaseKind::Criminal,
            "HNGĐ" | "HNGD" | "HN" => CaseKind::Family,
            "KDTM" | "KTTM" => CaseKind::Commercial,
            "LĐ" | "LD" => CaseKind::Labour,
            "HC" => CaseKind::Administrative,
            "PS" | "PSTT" => CaseKind::Bankruptcy,
            _ => return None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_symbols() {
        assert_eq!(kind_from_number("215/2026/DS-ST"), Some(CaseKind::Civil));
        assert_eq!(kind_from_number("48/2026/HS-ST"), Some(CaseKind::Criminal));
        assert_eq!(
            kind_from_number("12/2026/QĐST-HNGĐ"),
            Some(CaseKind::Family)
        );
        assert_eq!(
            kind_from_number("05/2026/KDTM-PT"),
            Some(CaseKind::Commercial)
        );
        assert_eq!(kind_from_number("07/2026/LĐ-ST"), Some(CaseKind::Labour));
        assert_eq!(
            kind_from_number("09/2026/HC-ST"),
            Some(CaseKind::Administrative)
        );
        assert_eq!(
            kind_from_number("01/2026/QĐ-PS"),
            Some(CaseKind::Bankruptcy)
        );
        assert_eq!(kind_from_number("01/2026/QĐ-BPKCTT"), None);
    }

    #[test]
    fn court_display() {
        assert_eq!(
            display_court("TÒA ÁN NHÂN DÂN KHU VỰC 1 - THÀNH PHỐ HỒ CHÍ MINH"),
            "Tòa án nhân dân khu vực 1 - Thành phố Hồ Chí Minh"
        );
        assert_eq!(
            display_court("TÒA ÁN NHÂN DÂN TỈNH LÀO CAI"),
            "Tòa án nhân dân tỉnh Lào Cai"
        );
    }

    #[test]
    fn header_fields() {
        let lines = [
            "TÒA ÁN NHÂN DÂN TỈNH LÀO CAI CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Bản án số: 48 / 2026 / hs-st",
            "Ngày 20 tháng 4 năm 2026",
        ];
        let mut w = Vec::new();
        let info = read_header(&lines, &[], &mut w);
        assert_eq!(info.court.as_deref(), Some("Tòa án nhân dân tỉnh Lào Cai"));
        assert_eq!(info.number.as_deref(), Some("48/2026/HS-ST"));
        assert_eq!(info.date.as_deref(), Some("2026-04-20"));
        assert_eq!(info.kind, Some(CaseKind::Criminal));
        assert!(w.is_empty(), "{w:?}");
    }
}
