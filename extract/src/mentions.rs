//! Finds who a clause of the operative part talks about: party names in any spelling, short
//! names given in the text, "ông An" for a unique given name, procedural titles standing for
//! a unique party ("bị cáo", "nguyên đơn"), and names not listed among the parties.

use crate::names::{self, display_name, search_forms, HONORIFICS};
use crate::normalize::{find_words, fold};
use crate::parties::{Label, Registry};
use regex::Regex;
use std::sync::LazyLock;

/// Who a mention designates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Who {
    /// A party of the registry, by index.
    Party(usize),
    /// A name not in the parties section, in display form.
    Unknown(String),
}

/// A reference to someone in a clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mention {
    /// Byte offset of the name (after any honorific).
    pub(crate) start: usize,
    /// End of the name.
    pub(crate) end: usize,
    /// Who it is.
    pub(crate) who: Who,
}

/// Procedural titles used in running text for a party, with the label they stand for.
const ROLE_WORDS: [(&str, Label); 12] = [
    ("nguyên đơn dân sự", Label::CivilPlaintiff),
    ("bị đơn dân sự", Label::CivilDefendant),
    ("nguyên đơn", Label::Plaintiff),
    ("bị đơn", Label::Defendant),
    ("bị cáo", Label::Accused),
    ("người bị hại", Label::Victim),
    ("bị hại", Label::Victim),
    ("người khởi kiện", Label::Claimant),
    ("người bị kiện", Label::Respondent),
    ("người bị yêu cầu", Label::Requested),
    ("người yêu cầu", Label::Requester),
    ("doanh nghiệp mất khả năng thanh toán", Label::AnyDebtor),
];

/// A person introduced by an honorific or a procedural title and capitalised words: "ông Phạm
/// Văn Xuân", "bị cáo Huỳnh Tấn Phát".
static HONORIFIC_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\p{L}])(?:ông|bà|anh|chị|Ông|Bà|Anh|Chị|ÔNG|BÀ|ANH|CHỊ|(?i:bị cáo|bị hại|nguyên đơn|bị đơn))\s+(\p{Lu}\p{L}*(?:\s+\p{Lu}\p{L}*){1,5})")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// An organisation's name in running text: "Công ty TNHH Thương mại Minh Phát".
static ORG_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\p{L}])((?i:công ty|ngân hàng|ủy ban nhân dân|ubnd|hợp tác xã|tổng công ty|doanh nghiệp tư nhân)(?:\s+[\p{L}\d&.-]+){1,12})")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// Words that end an organisation's name in running text.
const ORG_STOP: [&str; 30] = [
    "phải", "có", "cho", "số", "tiền", "trả", "thanh", "bồi", "chịu", "được", "và", "nộp", "hoàn",
    "khoản", "các", "theo", "tại", "về", "là", "đã", "với", "gồm", "để", "của", "mỗi", "liên",
    "tự", "cùng", "nhận", "giao",
];

/// Searches clauses for the parties of a registry.
pub(crate) struct Matcher {
    /// (folded form, party index), longest first.
    patterns: Vec<(String, usize)>,
}

impl Matcher {
    /// Builds the search forms of every party.
    pub(crate) fn new(reg: &Registry) -> Matcher {
        let mut patterns: Vec<(String, usize)> = Vec::new();
        let person_given = |i: usize| -> Option<String> {
            let r = &reg.records[i];
            if r.is_org {
                return None;
            }
            let name = fold(&r.party.name);
            let words: Vec<&str> = name.split(' ').collect();
            (words.len() >= 2).then(|| words[words.len() - 1].to_owned())
        };
        for (i, r) in reg.records.iter().enumerate() {
            for f in search_forms(&r.party.name) {
                patterns.push((f, i));
            }
            for a in &r.aliases {
                patterns.push((a.clone(), i));
            }
            if let Some(given) = person_given(i) {
                let unique = (0..reg.records.len())
                    .filter(|&j| person_given(j).as_deref() == Some(given.as_str()))
                    .count()
                    == 1;
                if unique {
                    for h in HONORIFICS {
                        patterns.push((format!("{h} {given}"), i));
                    }
                }
            }
        }
        patterns.retain(|(p, _)| p.chars().count() >= 3);
        patterns.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        Matcher { patterns }
    }

    /// Every mention in `text` (a clause), in order, without overlaps.
    pub(crate) fn mentions(&self, text: &str, reg: &Registry) -> Vec<Mention> {
        let folded = fold(text);
        let mut out: Vec<Mention> = Vec::new();
        let free =
            |out: &[Mention], s: usize, e: usize| out.iter().all(|m| e <= m.start || s >= m.end);
        for (p, i) in &self.patterns {
            for s in find_words(&folded, p) {
                let e = s + p.len();
                if free(&out, s, e) {
                    out.push(Mention {
                        start: s,
                        end: e,
                        who: Who::Party(*i),
                    });
                }
            }
        }
        for (word, label) in ROLE_WORDS {
            for s in find_words(&folded, word) {
                let e = s + word.len();
                if !free(&out, s, e) || names_follow(&folded, e, &out) {
                    continue;
                }
                let before = folded[..s].trim_end();
                if before.ends_with("người") {
                    continue;
                }
                if before.ends_with("các") || before.ends_with("những") || before.ends_with("mỗi")
                {
                    // "các bị cáo": every party with the label, one mention each on one span.
                    for i in reg.with_label(label) {
                        out.push(Mention {
                            start: s,
                            end: e,
                            who: Who::Party(i),
                        });
                    }
                    continue;
                }
                if let Some(i) = resolve_label(reg, label) {
                    out.push(Mention {
                        start: s,
                        end: e,
                        who: Who::Party(i),
                    });
                }
            }
        }
        for c in HONORIFIC_NAME.captures_iter(text) {
            let Some(m) = c.get(1) else { continue };
            if free(&out, m.start(), m.end()) {
                let name = display_name(m.as_str());
                let who = match reg.find(&names::name_key(&name)) {
                    Some(i) => Who::Party(i),
                    None => Who::Unknown(name),
                };
                out.push(Mention {
                    start: m.start(),
                    end: m.end(),
                    who,
                });
            }
        }
        for c in ORG_NAME.captures_iter(text) {
            let Some(m) = c.get(1) else { continue };
            let (s, e) = org_extent(text, m.start(), m.end());
            if e > s && free(&out, s, e) {
                let name = text[s..e].trim().to_owned();
                if name.split(' ').count() < 3 {
                    continue;
                }
                let who = match reg.find(&names::name_key(&name)) {
                    Some(i) => Who::Party(i),
                    None => Who::Unknown(name),
                };
                out.push(Mention {
                    start: s,
                    end: e,
                    who,
                });
            }
        }
        out.sort_by_key(|m| m.start);
        out
    }
}

/// True when a name mention starts right after `at`, past honorifics ("bị cáo Lê Văn Cường").
fn names_follow(folded: &str, at: usize, mentions: &[Mention]) -> bool {
    mentions.iter().any(|m| {
        m.start >= at && {
            let gap = folded[at..m.start].trim();
            gap.is_empty() || gap.split(' ').all(|w| HONORIFICS.contains(&w) || w == "là")
        }
    })
}

/// The one party a procedural title stands for: the only one with that label, else the only
/// one with the same enforcement role.
pub(crate) fn resolve_label(reg: &Registry, label: Label) -> Option<usize> {
    let exact = reg.with_label(label);
    if exact.len() == 1 {
        return exact.first().copied();
    }
    if !exact.is_empty() {
        return None;
    }
    let same_role = reg.with_role(label.role());
    (same_role.len() == 1).then(|| same_role[0])
}

/// Trims an organisation match to its name: up to the first stop word or punctuation.
fn org_extent(text: &str, start: usize, end: usize) -> (usize, usize) {
    let span = &text[start..end];
    let mut cut = span.len();
    let mut pos = 0;
    for (n, word) in span.split(' ').enumerate() {
        let w = fold(word);
        let bare = w.trim_end_matches([',', '.', ';', ':']);
        if n >= 2 && ORG_STOP.contains(&bare) {
            cut = pos;
            break;
        }
        if bare.len() != w.len() {
            cut = pos + bare.len();
            break;
        }
        pos += word.len() + 1;
    }
    (start, start + cut.min(span.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parties::read_parties;

    fn registry() -> Registry {
        let mut w = Vec::new();
        read_parties(
            &[
                "- Nguyên đơn: Ông Nguyễn Văn An, sinh năm 1978.",
                "- Bị đơn: Bà TRẦN THỊ BÌNH, sinh năm 1982.",
            ],
            &mut w,
        )
    }

    #[test]
    fn finds_names_titles_and_strangers() {
        let reg = registry();
        let m = Matcher::new(&reg);
        let text = "Buộc bà TRẦN THỊ BÌNH phải trả cho nguyên đơn và ông An, ông Phạm Văn Xuân";
        let found: Vec<Who> = m.mentions(text, &reg).into_iter().map(|m| m.who).collect();
        assert_eq!(
            found,
            [
                Who::Party(1),
                Who::Party(0),
                Who::Party(0),
                Who::Unknown("Phạm Văn Xuân".to_owned())
            ]
        );
    }

    #[test]
    fn title_before_a_name_is_not_a_second_mention() {
        let reg = registry();
        let m = Matcher::new(&reg);
        let found = m.mentions("nguyên đơn ông Nguyễn Văn An", &reg);
        assert_eq!(found.len(), 1);
        let org = m.mentions("Buộc Công ty TNHH Xây dựng Hòa Bình phải trả", &reg);
        assert_eq!(
            org[0].who,
            Who::Unknown("Công ty TNHH Xây dựng Hòa Bình".to_owned())
        );
    }
}
