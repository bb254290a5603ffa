//! Names of persons and organisations: honorifics, display form, matching keys.
//!
//! "NGUYỄN THỊ LAN", "bà Nguyễn Thị Lan" and "Nguyễn Thị Lan" are one person: they compare on
//! NFC text, case-folded, with honorifics and procedural titles stripped. Organisation names
//! also compare with the usual abbreviations (TNHH, MTV, CP, TMCP, UBND, HTX) expanded alike.

use crate::normalize::{fold, title_case};

/// Words put before a name that are not part of it: honorifics and procedural titles,
/// longest first so "bị đơn dân sự" is stripped before "bị đơn".
pub(crate) const TITLES: [&str; 27] = [
    "người có quyền lợi nghĩa vụ liên quan",
    "người bị kiện",
    "người khởi kiện",
    "người yêu cầu",
    "nguyên đơn dân sự",
    "bị đơn dân sự",
    "người bị hại",
    "nguyên đơn",
    "bị đơn",
    "bị cáo",
    "bị hại",
    "đương sự",
    "con chung",
    "ông",
    "bà",
    "anh",
    "chị",
    "cháu",
    "em",
    "cụ",
    "bé",
    "chú",
    "cô",
    "bác",
    "dì",
    "là",
    "con",
];

/// Honorifics that introduce a person's name in running text.
pub(crate) const HONORIFICS: [&str; 7] = ["ông", "bà", "anh", "chị", "cháu", "cụ", "em"];

/// Words that start an organisation's name.
const ORG_PREFIXES: [&str; 34] = [
    "công ty",
    "tổng công ty",
    "ngân hàng",
    "ủy ban nhân dân",
    "ubnd",
    "tập đoàn",
    "hợp tác xã",
    "htx",
    "doanh nghiệp",
    "dntn",
    "chi nhánh",
    "văn phòng",
    "chi cục",
    "cục",
    "sở",
    "phòng",
    "trường",
    "bệnh viện",
    "quỹ",
    "tổ chức",
    "cơ quan",
    "trung tâm",
    "ban quản lý",
    "hộ kinh doanh",
    "cửa hàng",
    "liên hiệp",
    "viện",
    "bảo hiểm xã hội",
    "kho bạc",
    "hiệp hội",
    "công an",
    "đội",
    "nhà máy",
    "xí nghiệp",
];

/// Pairs (long form, abbreviation) made equal in organisation keys.
const ORG_ABBREVIATIONS: [(&str, &str); 7] = [
    ("trách nhiệm hữu hạn", "tnhh"),
    ("một thành viên", "mtv"),
    ("thương mại cổ phần", "tmcp"),
    ("cổ phần", "cp"),
    ("ủy ban nhân dân", "ubnd"),
    ("doanh nghiệp tư nhân", "dntn"),
    ("hợp tác xã", "htx"),
];

/// True when the (display or folded) name starts like an organisation's.
pub(crate) fn is_organisation(name: &str) -> bool {
    let f = fold(name);
    ORG_PREFIXES
        .iter()
        .any(|p| f.starts_with(p) && f[p.len()..].starts_with([' ', '\0']))
}

/// Removes leading honorifics and titles from a folded name ("bị cáo lê văn cường" →
/// "lê văn cường").
pub(crate) fn strip_titles(folded: &str) -> &str {
    let mut s = folded.trim_start();
    loop {
        let before = s;
        for t in TITLES {
            if let Some(rest) = s.strip_prefix(t) {
                if rest.starts_with(' ') && rest.len() > 1 {
                    s = rest.trim_start_matches([' ', ':']);
                    break;
                }
            }
        }
        if before == s {
            return s;
        }
    }
}

/// Folded, punctuation-free, single-spaced text.
fn plain(s: &str) -> String {
    fold(s)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The key two spellings of one name share: NFC, folded, titles stripped, abbreviations of
/// organisation forms applied.
pub(crate) fn name_key(name: &str) -> String {
    let p = plain(name);
    let mut key = strip_titles(&p).to_owned();
    for (long, short) in ORG_ABBREVIATIONS {
        key = key.replace(long, short);
    }
    key
}

/// Forms of a name to search for in folded running text: the folded name itself and its
/// organisation abbreviations applied one way and the other.
pub(crate) fn search_forms(display: &str) -> Vec<String> {
    let base = strip_titles(&fold(display)).to_owned();
    let mut forms = vec![base.clone()];
    let mut short = base.clone();
    let mut long = base;
    for (l, s) in ORG_ABBREVIATIONS {
        short = short.replace(l, s);
        long = replace_word(&long, s, l);
    }
    for f in [short, long] {
        if !forms.contains(&f) {
            forms.push(f);
        }
    }
    forms
}

/// Replaces whole-word occurrences of `from` with `to`.
fn replace_word(s: &str, from: &str, to: &str) -> String {
    s.split(' ')
        .map(|w| if w == from { to } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The display form of a name read from the text: trimmed of punctuation and titles, person
/// names title-cased when written all in capitals (or all in lower case), organisations kept
/// as written.
pub(crate) fn display_name(raw: &str) -> String {
    let trimmed = raw
        .trim()
        .trim_matches(|c: char| !c.is_alphanumeric() && c != ')')
        .trim();
    let folded = fold(trimmed);
    let stripped = strip_titles(&folded);
    let cut = trimmed.len() - stripped.len();
    let name = trimmed[cut..].trim();
    if is_organisation(name) {
        return name.to_owned();
    }
    let has_upper = name.chars().any(char::is_uppercase);
    let has_lower = name.chars().any(char::is_lowercase);
    if has_upper != has_lower {
        title_case(name)
    } else {
        name.to_owned()
    }
}

/// True when `s` looks like a person's name: 1 to 7 words, each starting with an upper-case
/// letter, letters only.
pub(crate) fn looks_like_person_name(s: &str) -> bool {
    let words: Vec<&str> = s.split(' ').collect();
    !s.is_empty()
        && words.len() <= 7
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase) && w.chars().all(char::is_alphabetic)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_share_a_key() {
        let k = name_key("Nguyễn Thị Lan");
        assert_eq!(name_key("NGUYỄN THỊ LAN"), k);
        assert_eq!(name_key("bà Nguyễn Thị Lan"), k);
        assert_eq!(name_key("Bị cáo  Nguyễn Thị Lan,"), k);
        assert_ne!(name_key("Nguyễn Thị Lân"), k);
        assert_eq!(
            name_key("Công ty trách nhiệm hữu hạn Minh Phát"),
            name_key("CÔNG TY TNHH MINH PHÁT")
        );
    }

    #[test]
    fn display_forms() {
        assert_eq!(display_name("NGUYỄN THỊ LAN"), "Nguyễn Thị Lan");
        assert_eq!(display_name("Bà Trần Thị Bình"), "Trần Thị Bình");
        assert_eq!(display_name("ông Nguyễn Văn An."), "Nguyễn Văn An");
        assert_eq!(display_name("CÔNG TY TNHH ABC"), "CÔNG TY TNHH ABC");
        assert!(is_organisation("Ủy ban nhân dân huyện Bảo Yên"));
        assert!(is_organisation("Ngân hàng TMCP Á Châu - Chi nhánh Lào Cai"));
        assert!(!is_organisation("Phạm Văn Hải"));
    }

    #[test]
    fn organisation_forms() {
        let forms = search_forms("Công ty TNHH Minh Phát");
        assert!(forms.contains(&"công ty tnhh minh phát".to_owned()));
        assert!(forms.contains(&"công ty trách nhiệm hữu hạn minh phát".to_owned()));
    }
}
