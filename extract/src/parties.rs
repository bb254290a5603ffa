//! The parties section: lines such as "- Nguyên đơn: Ông Nguyễn Văn An, sinh năm 1978; CCCD
//! số ...; địa chỉ: ...", read into parties with their procedural label, CCCD, enterprise code,
//! address and year of birth.
//!
//! Representatives, defenders, witnesses and the bench ("Người đại diện ...", "Người bảo vệ
//! quyền và lợi ích hợp pháp ...", "Thẩm phán ...") are not parties and are skipped.

use crate::model::{ExtractedParty, Role};
use crate::names::{self, display_name, is_organisation, name_key, HONORIFICS};
use crate::normalize::{fold, has_any};
use regex::Regex;
use std::sync::LazyLock;
use thads_schemas::cccd::Cccd;

/// The procedural role a party was introduced with; several labels share an enforcement role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Label {
    /// Nguyên đơn.
    Plaintiff,
    /// Bị đơn.
    Defendant,
    /// Bị cáo.
    Accused,
    /// Bị hại, người bị hại.
    Victim,
    /// Nguyên đơn dân sự (in a criminal case).
    CivilPlaintiff,
    /// Bị đơn dân sự (in a criminal case).
    CivilDefendant,
    /// Người khởi kiện (administrative case).
    Claimant,
    /// Người bị kiện (administrative case).
    Respondent,
    /// Người yêu cầu, người đề nghị.
    Requester,
    /// Người bị yêu cầu.
    Requested,
    /// Người có quyền lợi, nghĩa vụ liên quan.
    Interested,
    /// A creditor known only by its role (XML input, or first met in the operative part).
    AnyCreditor,
    /// A debtor known only by its role.
    AnyDebtor,
}

impl Label {
    /// The enforcement role of the label.
    pub(crate) fn role(self) -> Role {
        match self {
            Label::Plaintiff
            | Label::Victim
            | Label::CivilPlaintiff
            | Label::Claimant
            | Label::Requester
            | Label::AnyCreditor => Role::Creditor,
            Label::Defendant
            | Label::Accused
            | Label::CivilDefendant
            | Label::Respondent
            | Label::Requested
            | Label::AnyDebtor => Role::Debtor,
            Label::Interested => Role::Interested,
        }
    }

    /// The generic label of an enforcement role.
    pub(crate) fn of_role(role: Role) -> Label {
        match role {
            Role::Creditor => Label::AnyCreditor,
            Role::Debtor => Label::AnyDebtor,
            Role::Interested => Label::Interested,
        }
    }
}

/// Label phrases (folded, commas removed), most specific first; `None` marks people who are
/// not parties.
pub(crate) const LABELS: [(&str, Option<Label>); 36] = [
    ("người đại diện", None),
    ("đại diện", None),
    ("người bảo vệ", None),
    ("người bào chữa", None),
    ("người làm chứng", None),
    ("người giám định", None),
    ("người phiên dịch", None),
    ("người giám hộ", None),
    ("người tham gia tố tụng", None),
    ("người tiến hành tố tụng", None),
    ("kiểm sát viên", None),
    ("thẩm phán", None),
    ("thư ký", None),
    ("hội thẩm", None),
    ("chủ tọa", None),
    ("nguyên đơn dân sự", Some(Label::CivilPlaintiff)),
    ("bị đơn dân sự", Some(Label::CivilDefendant)),
    ("nguyên đơn", Some(Label::Plaintiff)),
    ("bị đơn", Some(Label::Defendant)),
    ("bị cáo", Some(Label::Accused)),
    ("người bị hại", Some(Label::Victim)),
    ("bị hại", Some(Label::Victim)),
    ("người khởi kiện", Some(Label::Claimant)),
    ("người bị kiện", Some(Label::Respondent)),
    ("người bị yêu cầu", Some(Label::Requested)),
    ("người yêu cầu", Some(Label::Requester)),
    ("người đề nghị", Some(Label::Requester)),
    ("người có quyền lợi", Some(Label::Interested)),
    ("người có quyền", Some(Label::Interested)),
    ("người liên quan", Some(Label::Interested)),
    ("người được thi hành án", Some(Label::AnyCreditor)),
    ("người phải thi hành án", Some(Label::AnyDebtor)),
    ("chủ nợ", Some(Label::AnyCreditor)),
    ("doanh nghiệp bị yêu cầu", Some(Label::Requested)),
    (
        "doanh nghiệp mất khả năng thanh toán",
        Some(Label::AnyDebtor),
    ),
    (
        "doanh nghiệp hợp tác xã mất khả năng thanh toán",
        Some(Label::AnyDebtor),
    ),
];

/// Words allowed after a label phrase before the colon ("Bị đơn dân sự:", "Bị cáo thứ nhất:",
/// "Bị cáo có kháng cáo:").
const LABEL_TAIL_WORDS: [&str; 25] = [
    "dân", "sự", "trong", "vụ", "án", "đến", "thứ", "nhất", "hai", "ba", "tư", "là", "gồm", "có",
    "1", "2", "3", "kháng", "cáo", "nghị", "không", "bị", "được", "đầu", "cùng",
];

/// A party with what the parser needs besides its output form.
#[derive(Debug, Clone)]
pub(crate) struct PartyRecord {
    /// The output form.
    pub(crate) party: ExtractedParty,
    /// Procedural label it was introduced with.
    pub(crate) label: Label,
    /// An organisation rather than a person.
    pub(crate) is_org: bool,
    /// Short names given in the text ("sau đây gọi tắt là Công ty Minh Phát"), folded.
    pub(crate) aliases: Vec<String>,
}

/// The parties of one judgment, unique by [`name_key`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Registry {
    /// In order of first appearance.
    pub(crate) records: Vec<PartyRecord>,
}

impl Registry {
    /// Index of the party whose key is `key`.
    pub(crate) fn find(&self, key: &str) -> Option<usize> {
        self.records
            .iter()
            .position(|r| name_key(&r.party.name) == key)
    }

    /// Adds a party, or completes the one with the same name; returns its index.
    pub(crate) fn add(&mut self, rec: PartyRecord) -> usize {
        match self.find(&name_key(&rec.party.name)) {
            Some(i) => {
                let old = &mut self.records[i];
                let p = &mut old.party;
                p.cccd = p.cccd.take().or(rec.party.cccd);
                p.business_code = p.business_code.take().or(rec.party.business_code);
                p.address = p.address.take().or(rec.party.address);
                p.birth_year = p.birth_year.or(rec.party.birth_year);
                for a in rec.aliases {
                    if !old.aliases.contains(&a) {
                        old.aliases.push(a);
                    }
                }
                i
            }
            None => {
                self.records.push(rec);
                self.records.len() - 1
            }
        }
    }

    /// Indices of the parties introduced with `label`.
    pub(crate) fn with_label(&self, label: Label) -> Vec<usize> {
        (0..self.records.len())
            .filter(|&i| self.records[i].label == label)
            .collect()
    }

    /// Indices of the parties whose enforcement role is `role`.
    pub(crate) fn with_role(&self, role: Role) -> Vec<usize> {
        (0..self.records.len())
            .filter(|&i| self.records[i].party.role == role)
            .collect()
    }
}

static ALIAS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)\(\s*(?:sau đây\s+)?(?:được\s+)?(?:gọi|viết)\s+(?:tắt\s+)?là\s*:?\s*"?([^")]+?)"?\s*\)"#,
    )
});
static PAREN: LazyLock<Regex> = LazyLock::new(|| re(r"\([^()]*\)"));
static CCCD: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(?:cccd|căn cước công dân|căn cước|định danh cá nhân)\D{0,16}?(\d{12})\b")
});
static BUSINESS_CODE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:mã số doanh nghiệp|mã số thuế|mã doanh nghiệp|msdn|mst|đăng ký doanh nghiệp số|đăng ký kinh doanh số)\D{0,20}?(\d{10}(?:-\d{3})?)\b",
    )
});
static BIRTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:sinh năm|năm sinh)\s*:?\s*(\d{4})|sinh ngày\s*:?\s*\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*(\d{4})|sinh ngày\s*\d{1,2}\s*tháng\s*\d{1,2}\s*năm\s*(\d{4})",
    )
});
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:cùng địa chỉ|cùng trú tại|cùng cư trú tại|cùng cư trú|địa chỉ trụ sở chính|địa chỉ trụ sở|trụ sở chính|trụ sở|địa chỉ liên hệ|địa chỉ|nơi cư trú|nơi thường trú|hộ khẩu thường trú|thường trú|hktt|cư trú tại|trú tại|chỗ ở hiện nay|có trụ sở tại)\s*(?:tại)?\s*:?\s*([^;]+)",
    )
});
static PERSON_SPLIT: LazyLock<Regex> = LazyLock::new(|| re(r"(?i) và (?:ông|bà|anh|chị|cháu) "));
static BULLET: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?:\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ][.)]|[-+•*])\s*"));

/// Compiles a static pattern.
fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("static regex {pattern}: {e}"))
}

/// Removes a leading list marker ("1.", "a)", "-", "+").
pub(crate) fn strip_bullet(line: &str) -> &str {
    match BULLET.find(line) {
        Some(m) => &line[m.end()..],
        None => line,
    }
}

/// What a line of the parties section starts with.
enum LineLabel<'a> {
    /// A party label and the text after the colon.
    Party(Label, &'a str),
    /// A label of someone who is not a party.
    Skip,
    /// No label.
    None,
}

/// Reads the label before the first colon of a line.
fn line_label(line: &str) -> LineLabel<'_> {
    let body = strip_bullet(line);
    let Some(colon) = body.find(':') else {
        return LineLabel::None;
    };
    let raw = fold(&body[..colon]).replace(',', " ");
    let mut label: &str = raw.trim();
    for prefix in ["các ", "những ", "đồng "] {
        label = label.strip_prefix(prefix).unwrap_or(label);
    }
    let label = label.split_whitespace().collect::<Vec<_>>().join(" ");
    for (phrase, target) in LABELS {
        let Some(tail) = label.strip_prefix(phrase) else {
            continue;
        };
        if !(tail.is_empty() || tail.starts_with(' ')) {
            continue;
        }
        let tail_ok = match target {
            None => true,
            Some(Label::Interested) => tail.is_empty() || tail.contains("liên quan"),
            // "Người yêu cầu mở thủ tục phá sản", "người yêu cầu giải quyết việc dân sự".
            Some(Label::Requester | Label::Requested) => {
                tail.split_whitespace().count() <= 10
                    && !has_any(tail, &["trình bày", "cho rằng", "khai", "xác định"])
            }
            Some(_) => tail
                .split_whitespace()
                .all(|w| LABEL_TAIL_WORDS.contains(&w)),
        };
        if !tail_ok || label.split(' ').count() > 12 {
            return LineLabel::None;
        }
        return match target {
            None => LineLabel::Skip,
            Some(l) => LineLabel::Party(l, body[colon + 1..].trim()),
        };
    }
    LineLabel::None
}

/// True when a line (list marker removed) starts like a party entry: an honorific and a name,
/// an organisation, or a capitalised name followed by a comma.
fn looks_like_entry(line: &str) -> bool {
    let f = fold(line);
    let after_honorific = HONORIFICS.iter().find_map(|h| {
        f.strip_prefix(h)
            .and_then(|r| r.strip_prefix(' '))
            .map(|r| f.len() - r.len())
    });
    if let Some(at) = after_honorific {
        return line[at..].chars().next().is_some_and(char::is_uppercase);
    }
    if is_organisation(line) {
        return true;
    }
    let head = line.split([',', ';']).next().unwrap_or("");
    head.len() < line.len()
        && names::looks_like_person_name(head.trim())
        && head.split(' ').count() >= 2
}

/// Reads every party from the lines before the operative part.
pub(crate) fn read_parties(lines: &[&str], warnings: &mut Vec<String>) -> Registry {
    let mut reg = Registry::default();
    let mut current: Option<Option<Label>> = None;
    for line in lines {
        match line_label(line) {
            LineLabel::Party(label, rest) => {
                current = Some(Some(label));
                if !rest.is_empty() {
                    for rec in parse_entry(rest, label, warnings) {
                        reg.add(rec);
                    }
                }
            }
            LineLabel::Skip => current = Some(None),
            LineLabel::None => {
                let body = strip_bullet(line);
                match current {
                    Some(Some(label)) if looks_like_entry(body) => {
                        for rec in parse_entry(body, label, warnings) {
                            reg.add(rec);
                        }
                    }
                    Some(None) if looks_like_entry(body) => {}
                    _ => current = None,
                }
            }
        }
    }
    reg
}

/// Reads one entry, which may name several persons ("Ông A, sinh năm 1970 và bà B, sinh năm
/// 1972; cùng địa chỉ: ...").
pub(crate) fn parse_entry(
    text: &str,
    label: Label,
    warnings: &mut Vec<String>,
) -> Vec<PartyRecord> {
    let aliases: Vec<String> = ALIAS
        .captures_iter(text)
        .map(|c| names::strip_titles(&fold(c[1].trim())).to_owned())
        .filter(|a| !a.is_empty())
        .collect();
    let mut clean = PAREN.replace_all(text, " ").into_owned();
    clean = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = fold(&clean);
    let body = ["vợ chồng ", "hộ gia đình "]
        .iter()
        .find_map(|p| lower.strip_prefix(p).map(|_| &clean[p.len()..]))
        .unwrap_or(&clean)
        .trim_start_matches([' ', '-', ':']);
    let pieces = split_persons(body);
    let shared_address = read_address(body);
    let mut out = Vec::new();
    for (i, piece) in pieces.iter().enumerate() {
        let Some(name) = read_name(piece) else {
            warnings.push(format!(
                "could not read a party name from a {label:?} entry"
            ));
            continue;
        };
        let is_org = is_organisation(&name);
        let cccd = if is_org {
            None
        } else {
            read_cccd(piece, &name, warnings)
        };
        let birth_year = if is_org { None } else { read_birth_year(piece) };
        if let (Some(c), Some(y)) = (cccd.as_deref(), birth_year) {
            if let Ok(parsed) = Cccd::parse(c) {
                if let Err(e) = parsed.check_birth_year(y) {
                    warnings.push(format!("party {name}: {e}"));
                }
            }
        }
        let address = read_address(piece).or_else(|| shared_address.clone());
        out.push(PartyRecord {
            party: ExtractedParty {
                name,
                role: label.role(),
                cccd,
                business_code: BUSINESS_CODE.captures(piece).map(|c| c[1].to_owned()),
                address,
                birth_year,
            },
            label,
            is_org,
            aliases: if i == 0 { aliases.clone() } else { Vec::new() },
        });
    }
    out
}

/// Splits an entry at " và ông/bà/anh/chị " when that joins two parties, not a parent
/// ("con ông X và bà Y") or a representative.
fn split_persons(entry: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for m in PERSON_SPLIT.find_iter(entry) {
        let before = fold(&entry[start..m.start()]);
        let blocked = entry[..m.start()].contains(';')
            || [
                "con ông",
                "con bà",
                "con của",
                "đại diện",
                "vợ là",
                "chồng là",
                "con là",
            ]
            .iter()
            .any(|w| before.contains(w));
        if blocked {
            break;
        }
        pieces.push(&entry[start..m.start()]);
        start = m.start() + " và ".len();
    }
    pieces.push(&entry[start..]);
    pieces
}

/// The name at the start of an entry, in display form.
fn read_name(piece: &str) -> Option<String> {
    let folded = fold(piece);
    let stripped = names::strip_titles(&folded);
    let at = folded.len() - stripped.len();
    let rest = &piece[at..];
    let org = is_organisation(rest);
    let rest_folded = &folded[at..];
    let mut end = rest.len();
    let stops: &[&str] = if org {
        &[
            ",",
            ";",
            ". ",
            " có trụ sở",
            " trụ sở",
            " địa chỉ",
            " mã số",
            " do ",
            " - người",
            " đại diện",
        ]
    } else {
        &[
            ",",
            ";",
            ". ",
            ":",
            " - ",
            " sinh ",
            " sinh năm",
            " năm sinh",
            " cccd",
            " căn cước",
            " địa chỉ",
            " trú tại",
            " cư trú",
            " thường trú",
            " là ",
            " nơi ",
        ]
    };
    for s in stops {
        if let Some(p) = rest_folded.find(s) {
            end = end.min(p);
        }
    }
    let name = display_name(&rest[..end]);
    (!name.is_empty()).then_some(name)
}

/// The 12-digit CCCD; an invalid number is kept (the officer checks it) with a warning.
fn read_cccd(piece: &str, name: &str, warnings: &mut Vec<String>) -> Option<String> {
    let c = CCCD.captures(piece)?;
    let digits = c[1].to_owned();
    if let Err(e) = Cccd::parse(&digits) {
        warnings.push(format!("party {name}: CCCD {e}"));
    }
    Some(digits)
}

/// Year of birth from "sinh năm 1978", "sinh ngày 12/5/1990", "sinh ngày 12 tháng 5 năm 1990".
fn read_birth_year(piece: &str) -> Option<u16> {
    let c = BIRTH_YEAR.captures(piece)?;
    let year = c
        .get(1)
        .or(c.get(2))
        .or(c.get(3))?
        .as_str()
        .parse::<u16>()
        .ok()?;
    (1900..=2100).contains(&year).then_some(year)
}

/// The address after "địa chỉ:", "trú tại", "nơi cư trú:", "trụ sở:" ..., up to the next
/// semicolon, without presence notes ("có mặt", "vắng mặt").
fn read_address(piece: &str) -> Option<String> {
    let c = ADDRESS.captures(piece)?;
    let mut addr = c[1].trim().to_owned();
    let f = fold(&addr);
    for stop in [
        ", người đại diện",
        " - người đại diện",
        ", đại diện",
        ", có mặt",
        ", vắng mặt",
        " có mặt",
        " vắng mặt",
        ", mã số",
        "; ",
    ] {
        if let Some(p) = f.find(stop) {
            addr.truncate(addr.len().min(p));
        }
    }
    let addr = addr
        .trim()
        .trim_end_matches(['.', ',', ' '])
        .trim()
        .to_owned();
    (!addr.is_empty()).then_some(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_civil_party_line() {
        let mut w = Vec::new();
        let reg = read_parties(
            &["- Nguyên đơn: Ông Nguyễn Văn An, sinh năm 1978; CCCD số 079078001234; địa chỉ: 12 Lê Lợi, phường Sài Gòn, Thành phố Hồ Chí Minh. (có mặt)"],
            &mut w,
        );
        assert_eq!(reg.records.len(), 1);
        let p = &reg.records[0].party;
        assert_eq!(p.name, "Nguyễn Văn An");
        assert_eq!(p.role, Role::Creditor);
        assert_eq!(p.cccd.as_deref(), Some("079078001234"));
        assert_eq!(p.birth_year, Some(1978));
        assert_eq!(
            p.address.as_deref(),
            Some("12 Lê Lợi, phường Sài Gòn, Thành phố Hồ Chí Minh")
        );
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn skips_representatives_and_reads_lists() {
        let mut w = Vec::new();
        let lines = [
            "Bị đơn: CÔNG TY TNHH MINH PHÁT (sau đây gọi tắt là Công ty Minh Phát); mã số doanh nghiệp: 0312345678; địa chỉ trụ sở: 25 Trần Phú, phường Hải Châu, thành phố Đà Nẵng.",
            "Người đại diện theo pháp luật của bị đơn: Ông Trần Văn Hải - Giám đốc.",
            "Người có quyền lợi, nghĩa vụ liên quan:",
            "1. Ông LÊ VĂN CHÍ, sinh năm 1960 và bà Võ Thị Dậu, sinh năm 1962; cùng địa chỉ: thôn 3, xã Hòa Vang, thành phố Đà Nẵng.",
            "NỘI DUNG VỤ ÁN:",
            "Nguyên đơn trình bày: ông Phan Văn Ba đã vay tiền.",
        ];
        let reg = read_parties(&lines, &mut w);
        let names: Vec<&str> = reg.records.iter().map(|r| r.party.name.as_str()).collect();
        assert_eq!(
            names,
            ["CÔNG TY TNHH MINH PHÁT", "Lê Văn Chí", "Võ Thị Dậu"]
        );
        assert_eq!(
            reg.records[0].party.business_code.as_deref(),
            Some("0312345678")
        );
        assert_eq!(reg.records[0].aliases, ["công ty minh phát"]);
        assert_eq!(
            reg.records[2].party.address.as_deref(),
            Some("thôn 3, xã Hòa Vang, thành phố Đà Nẵng")
        );
        assert_eq!(reg.records[1].party.role, Role::Interested);
    }
}
