//! VNI (VNI-Windows, the `VNI-…` fonts) ⇄ Unicode.
//!
//! VNI writes a Vietnamese letter as its base letter followed by one "mark" byte from the
//! upper half of Windows-1252 (`a` + `ù` = á, `a` + `ê` = ă, `a` + `é` = ắ), except nine letters
//! with a byte of their own (`í ì æ ó ò` = í ì ỉ ĩ ị, `ô` = ơ, `ö` = ư, `î` = ỵ, `ñ` = đ), which
//! may themselves take a tone mark (`ôù` = ớ). Uppercase letters use the uppercase base and the
//! uppercase mark (`AÙ` = Á); a lowercase mark after an uppercase base is read too. Bytes are
//! handled as the characters U+0000–U+00FF of the same value.

/// Every Vietnamese letter (both cases) and its VNI spelling.
pub(super) const TABLE: [(char, &str); 134] = [
    ('á', "aù"),
    ('à', "aø"),
    ('ả', "aû"),
    ('ã', "aõ"),
    ('ạ', "aï"),
    ('ă', "aê"),
    ('ắ', "aé"),
    ('ằ', "aè"),
    ('ẳ', "aú"),
    ('ẵ', "aü"),
    ('ặ', "aë"),
    ('â', "aâ"),
    ('ấ', "aá"),
    ('ầ', "aà"),
    ('ẩ', "aå"),
    ('ẫ', "aã"),
    ('ậ', "aä"),
    ('é', "eù"),
    ('è', "eø"),
    ('ẻ', "eû"),
    ('ẽ', "eõ"),
    ('ẹ', "eï"),
    ('ê', "eâ"),
    ('ế', "eá"),
    ('ề', "eà"),
    ('ể', "eå"),
    ('ễ', "eã"),
    ('ệ', "eä"),
    ('í', "í"),
    ('ì', "ì"),
    ('ỉ', "æ"),
    ('ĩ', "ó"),
    ('ị', "ò"),
    ('ó', "où"),
    ('ò', "oø"),
    ('ỏ', "oû"),
    ('õ', "oõ"),
    ('ọ', "oï"),
    ('ô', "oâ"),
    ('ố', "oá"),
    ('ồ', "oà"),
    ('ổ', "oå"),
    ('ỗ', "oã"),
    ('ộ', "oä"),
    ('ơ', "ô"),
    ('ớ', "ôù"),
    ('ờ', "ôø"),
    ('ở', "ôû"),
    ('ỡ', "ôõ"),
    ('ợ', "ôï"),
    ('ú', "uù"),
    ('ù', "uø"),
    ('ủ', "uû"),
    ('ũ', "uõ"),
    ('ụ', "uï"),
    ('ư', "ö"),
    ('ứ', "öù"),
    ('ừ', "öø"),
    ('ử', "öû"),
    ('ữ', "öõ"),
    ('ự', "öï"),
    ('ý', "yù"),
    ('ỳ', "yø"),
    ('ỷ', "yû"),
    ('ỹ', "yõ"),
    ('ỵ', "î"),
    ('đ', "ñ"),
    ('Á', "AÙ"),
    ('À', "AØ"),
    ('Ả', "AÛ"),
    ('Ã', "AÕ"),
    ('Ạ', "AÏ"),
    ('Ă', "AÊ"),
    ('Ắ', "AÉ"),
    ('Ằ', "AÈ"),
    ('Ẳ', "AÚ"),
    ('Ẵ', "AÜ"),
    ('Ặ', "AË"),
    ('Â', "AÂ"),
    ('Ấ', "AÁ"),
    ('Ầ', "AÀ"),
    ('Ẩ', "AÅ"),
    ('Ẫ', "AÃ"),
    ('Ậ', "AÄ"),
    ('É', "EÙ"),
    ('È', "EØ"),
    ('Ẻ', "EÛ"),
    ('Ẽ', "EÕ"),
    ('Ẹ', "EÏ"),
    ('Ê', "EÂ"),
    ('Ế', "EÁ"),
    ('Ề', "EÀ"),
    ('Ể', "EÅ"),
    ('Ễ', "EÃ"),
    ('Ệ', "EÄ"),
    ('Í', "Í"),
    ('Ì', "Ì"),
    ('Ỉ', "Æ"),
    ('Ĩ', "Ó"),
    ('Ị', "Ò"),
    ('Ó', "OÙ"),
    ('Ò', "OØ"),
    ('Ỏ', "OÛ"),
    ('Õ', "OÕ"),
    ('Ọ', "OÏ"),
    ('Ô', "OÂ"),
    ('Ố', "OÁ"),
    ('Ồ', "OÀ"),
    ('Ổ', "OÅ"),
    ('Ỗ', "OÃ"),
    ('Ộ', "OÄ"),
    ('Ơ', "Ô"),
    ('Ớ', "ÔÙ"),
    ('Ờ', "ÔØ"),
    ('Ở', "ÔÛ"),
    ('Ỡ', "ÔÕ"),
    ('Ợ', "ÔÏ"),
    ('Ú', "UÙ"),
    ('Ù', "UØ"),
    ('Ủ', "UÛ"),
    ('Ũ', "UÕ"),
    ('Ụ', "UÏ"),
    ('Ư', "Ö"),
    ('Ứ', "ÖÙ"),
    ('Ừ', "ÖØ"),
    ('Ử', "ÖÛ"),
    ('Ữ', "ÖÕ"),
    ('Ự', "ÖÏ"),
    ('Ý', "YÙ"),
    ('Ỳ', "YØ"),
    ('Ỷ', "YÛ"),
    ('Ỹ', "YÕ"),
    ('Ỵ', "Î"),
    ('Đ', "Ñ"),
];

/// The one-character VNI letters that a tone mark may follow (ơ, ư), and the plain bases.
fn takes_marks(c: char) -> bool {
    matches!(
        c,
        'a' | 'e' | 'o' | 'u' | 'y' | 'ô' | 'ö' | 'A' | 'E' | 'O' | 'U' | 'Y' | 'Ô' | 'Ö'
    )
}

/// The letter `base` followed by `mark` stands for, if any; the base's case decides the
/// letter's (a lowercase mark after an uppercase base is accepted).
fn pair(base: char, mark: char) -> Option<char> {
    if !takes_marks(base) {
        return None;
    }
    let (b, m) = (lower(base), lower(mark));
    TABLE[..LOWERCASE]
        .iter()
        .find(|(_, v)| {
            let mut it = v.chars();
            it.next() == Some(b) && it.next() == Some(m) && it.next().is_none()
        })
        .map(|(u, _)| if base.is_uppercase() { upper(*u) } else { *u })
}

/// The entries of [`TABLE`] before this index are the lowercase letters.
const LOWERCASE: usize = 67;

fn lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

fn upper(c: char) -> char {
    c.to_uppercase().next().unwrap_or(c)
}

/// The letter a one-character VNI code stands for, if any.
fn single(c: char) -> Option<char> {
    TABLE
        .iter()
        .find(|(_, v)| {
            let mut chars = v.chars();
            chars.next() == Some(c) && chars.next().is_none() && !c.is_ascii()
        })
        .map(|(u, _)| *u)
}

/// Converts VNI text (bytes as U+0000–U+00FF characters) to Unicode.
pub(super) fn to_unicode(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some(next) = chars.get(i + 1) {
            if let Some(letter) = pair(c, *next) {
                out.push(letter);
                i += 2;
                continue;
            }
        }
        out.push(single(c).unwrap_or(c));
        i += 1;
    }
    out
}

/// Converts Unicode (NFC) text to VNI (bytes as U+0000–U+00FF characters); characters that are
/// not Vietnamese letters pass unchanged.
pub(super) fn from_unicode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    for c in text.chars() {
        match TABLE.iter().find(|(u, _)| *u == c) {
            Some((_, v)) => out.push_str(v),
            None => out.push(c),
        }
    }
    out
}

/// Whether `c` is a byte VNI uses for letters (a mark, or a one-character letter).
pub(super) fn is_vni_code(c: char) -> bool {
    !c.is_ascii() && TABLE.iter().any(|(_, v)| v.contains(c))
}

/// How strongly `text` looks like VNI: the letter + mark pairs (its one-character letters are
/// TCVN3 codes or Unicode letters too, so they prove nothing).
pub(super) fn score(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let mut n = 0;
    let mut i = 0;
    while i + 1 < chars.len() {
        if pair(chars[i], chars[i + 1]).is_some() {
            n += 1;
            i += 2;
        } else {
            i += 1;
        }
    }
    n
}
