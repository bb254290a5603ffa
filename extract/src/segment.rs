//! Splits a judgment into its regions (header and parties before "QUYẾT ĐỊNH:", the operative
//! part after it) and the operative part into items, headings, sentences and clauses.
//!
//! A clause is a sentence piece between semicolons. Clauses keep what they need to inherit
//! context: the numbered item they belong to, the heading in force ("Về án phí:"), and the
//! lead-in clause ending with a colon ("Buộc Công ty A phải trả cho bà B các khoản sau:")
//! whose subject and verb the following list lines continue.

use crate::normalize::fold;
use regex::Regex;
use std::sync::LazyLock;

/// Where the operative part starts: the line index and the byte offset in that line just after
/// "QUYẾT ĐỊNH:".
pub(crate) fn find_operative(lines: &[&str]) -> Option<(usize, usize)> {
    let mut found = None;
    for (i, line) in lines.iter().enumerate() {
        let Some(pos) = line.find("QUYẾT ĐỊNH") else {
            continue;
        };
        let after = line[pos + "QUYẾT ĐỊNH".len()..].trim_start();
        let before = fold(line[..pos].trim());
        let before_ok = before.is_empty() || before.starts_with("vì") || before.ends_with(',');
        if after.starts_with(':') && before_ok {
            let colon = line.len() - after.len();
            found = Some((i, colon + 1));
        } else if after.is_empty() && before_ok {
            found = Some((i, line.len()));
        }
    }
    if found.is_none() {
        // Lower-case heading alone on its line: "Quyết định:".
        found = lines.iter().enumerate().rev().find_map(|(i, l)| {
            let f = fold(l.trim());
            (f == "quyết định:" || f == "quyết định :").then_some((i, l.len()))
        });
    }
    found
}

/// The heading of a part of the operative text, which gives amounts a default kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Heading {
    /// "Về án phí:".
    CourtFee,
    /// "Về trách nhiệm dân sự:", "Về bồi thường thiệt hại:".
    Compensation,
    /// "Về cấp dưỡng:", "Về con chung:", "Về nuôi con:".
    ChildSupport,
    /// "Về xử lý vật chứng:", "Biện pháp tư pháp:".
    Exhibits,
    /// "Hình phạt bổ sung:", "Về hình phạt:".
    Penalty,
    /// Any other "Về ...:" heading.
    Other,
}

/// One clause of the operative part.
#[derive(Debug, Clone)]
pub(crate) struct Clause {
    /// Byte range of the clause in the operative text.
    pub(crate) start: usize,
    /// End of the clause.
    pub(crate) end: usize,
    /// Byte range of the sentence holding it.
    pub(crate) sentence: (usize, usize),
    /// Sentence counter, to know which clauses share a sentence.
    pub(crate) sentence_no: usize,
    /// Numbered item counter ("1.", "2.").
    pub(crate) item: usize,
    /// Heading in force.
    pub(crate) heading: Option<Heading>,
    /// Index of the lead-in clause this clause continues, if any.
    pub(crate) group: Option<usize>,
}

static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(\d{1,2}(?:\.\d{1,2})*[.)])|([a-zđ][.)])|([-+•*]))\s+")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

static HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(về\s+[^:;.]{1,80}?|hình phạt bổ sung|hình phạt chính|hình phạt|biện pháp tư pháp|xử lý vật chứng|án phí|trách nhiệm dân sự|cấp dưỡng|chi phí tố tụng)\s*:\s*")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// Kind of a heading from its words.
fn heading_kind(text: &str) -> Heading {
    let f = fold(text);
    if f.contains("án phí") || f.contains("lệ phí") {
        Heading::CourtFee
    } else if f.contains("vật chứng") || f.contains("biện pháp tư pháp") || f.contains("tịch thu")
    {
        Heading::Exhibits
    } else if f.contains("trách nhiệm dân sự") || f.contains("bồi thường") {
        Heading::Compensation
    } else if f.contains("cấp dưỡng") || f.contains("con chung") || f.contains("nuôi con") {
        Heading::ChildSupport
    } else if f.contains("hình phạt") || f.contains("phạt tiền") {
        Heading::Penalty
    } else {
        Heading::Other
    }
}

/// Splits the operative text into clauses.
pub(crate) fn split_clauses(text: &str) -> Vec<Clause> {
    let mut out: Vec<Clause> = Vec::new();
    let mut item = 0;
    let mut heading = None;
    let mut group: Option<usize> = None;
    let mut lines_since_group = 0;
    let mut sentence_no = 0;
    let mut offset = 0;
    for line in text.split('\n') {
        let line_start = offset;
        offset += line.len() + 1;
        if line.trim().is_empty() {
            continue;
        }
        let mut start = line_start;
        let mut bullet = false;
        if let Some(c) = MARKER.captures(line) {
            if c.get(1).is_some() {
                item += 1;
                heading = None;
                group = None;
            } else {
                bullet = true;
            }
            start += c.get(0).map_or(0, |m| m.end());
        }
        let rest = &text[start..line_start + line.len()];
        if let Some(h) = HEADING.captures(rest) {
            heading = Some(heading_kind(&h[1]));
            group = None;
            start += h.get(0).map_or(0, |m| m.end());
        }
        if group.is_some() {
            lines_since_group += 1;
            let f = fold(&text[start..line_start + line.len()]);
            let continues =
                bullet || lines_since_group == 1 || f.starts_with("tổng") || f.starts_with("cộng");
            if !continues {
                group = None;
            }
        }
        let end = line_start + line.len();
        for (s, e) in split_sentences(text, start, end) {
            sentence_no += 1;
            let mut first_clause = true;
            for (cs, ce) in split_semicolons(text, s, e) {
                let clause_group = if first_clause { group } else { None };
                first_clause = false;
                out.push(Clause {
                    start: cs,
                    end: ce,
                    sentence: (s, e),
                    sentence_no,
                    item,
                    heading,
                    group: clause_group,
                });
                if text[cs..ce].trim_end().ends_with(':') {
                    group = Some(out.len() - 1);
                    lines_since_group = 0;
                }
            }
        }
    }
    out
}

/// Abbreviations after which a full stop does not end a sentence.
const ABBREVIATIONS: [&str; 10] = ["tp", "p", "q", "tx", "tt", "h", "x", "ths", "ts", "ls"];

/// Splits `text[start..end]` (one line) into sentences at ". " before a capital letter or a
/// list marker, and at the end of the line.
fn split_sentences(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let line = &text[start..end];
    let mut out = Vec::new();
    let mut from = 0;
    let bytes = line.as_bytes();
    for (i, c) in line.char_indices() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let next_ok = bytes.get(i + 1) == Some(&b' ')
            && line[i + 2..]
                .chars()
                .next()
                .is_some_and(|n| n.is_uppercase() || n == '-' || n == '"');
        if !next_ok {
            continue;
        }
        let word: String = line[..i]
            .chars()
            .rev()
            .take_while(|c| c.is_alphabetic())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if ABBREVIATIONS.contains(&fold(&word).as_str()) {
            continue;
        }
        if i + 1 > from {
            out.push((start + from, start + i + 1));
        }
        from = i + 2;
    }
    if from < line.len() {
        out.push((start + from, end));
    }
    out.retain(|(s, e)| !text[*s..*e].trim().is_empty());
    out
}

/// Splits a sentence at semicolons outside brackets.
fn split_semicolons(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut from = start;
    for (i, c) in text[start..end].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ';' if depth <= 0 => {
                out.push((from, start + i + 1));
                from = start + i + 1;
            }
            _ => {}
        }
    }
    if from < end {
        out.push((from, end));
    }
    out.retain(|(s, e)| !text[*s..*e].trim().trim_matches(';').trim().is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_operative_heading() {
        let lines = [
            "QUYẾT ĐỊNH",
            "CÔNG NHẬN SỰ THỎA THUẬN",
            "Căn cứ ...",
            "QUYẾT ĐỊNH:",
            "1. ...",
        ];
        assert_eq!(find_operative(&lines), Some((3, "QUYẾT ĐỊNH:".len())));
        let lines = ["Vì các lẽ trên, QUYẾT ĐỊNH: 1. Buộc"];
        assert_eq!(find_operative(&lines).map(|x| x.0), Some(0));
        assert_eq!(find_operative(&["các quyết định của Tòa án"]), None);
    }

    #[test]
    fn clauses_items_headings_and_groups() {
        let text = "1. Buộc bà B phải trả cho ông A 150.000.000 đồng. Kể từ ngày có đơn.\n2. Về án phí: Bà B phải chịu 300.000 đồng; ông A không phải chịu.\n3. Buộc Công ty C phải trả cho bà D các khoản sau:\n- Tiền lương: 30.000.000 đồng;\n- Trợ cấp thôi việc: 15.000.000 đồng.\nTổng cộng: 45.000.000 đồng.\nCác đương sự có quyền kháng cáo.";
        let clauses = split_clauses(text);
        let texts: Vec<&str> = clauses
            .iter()
            .map(|c| text[c.start..c.end].trim())
            .collect();
        assert_eq!(
            texts,
            [
                "Buộc bà B phải trả cho ông A 150.000.000 đồng.",
                "Kể từ ngày có đơn.",
                "Bà B phải chịu 300.000 đồng;",
                "ông A không phải chịu.",
                "Buộc Công ty C phải trả cho bà D các khoản sau:",
                "Tiền lương: 30.000.000 đồng;",
                "Trợ cấp thôi việc: 15.000.000 đồng.",
                "Tổng cộng: 45.000.000 đồng.",
                "Các đương sự có quyền kháng cáo.",
            ]
        );
        assert_eq!(clauses[2].heading, Some(Heading::CourtFee));
        assert_eq!(clauses[5].group, Some(4));
        assert_eq!(clauses[6].group, Some(4));
        assert_eq!(clauses[7].group, Some(4));
        assert_eq!(clauses[8].group, None);
        assert_eq!(clauses[4].item, 3);
    }
}
