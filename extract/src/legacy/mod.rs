//! Legacy Vietnamese encodings in old documents: TCVN3 (ABC) and VNI-Windows to Unicode, and
//! back (for tests and for writing fixtures), with detection of which one a text is in.
//!
//! Old judgments and requests were typed in 8-bit fonts (`.VnTime` for TCVN3, `VNI-Times`
//! for VNI) before Unicode became the rule (Decision 72/2002/QĐ-TTg). Their text reaches the
//! hub either as raw bytes (a `.txt` saved from such a file: not UTF-8) or as UTF-8 whose
//! characters are those bytes read as Latin-1 (text extracted from a `.doc`). Both become
//! characters U+0000–U+00FF here, which the tables map to Unicode.
//!
//! - [`tcvn3`]: the single-byte table; case of toned letters restored from the word.
//! - [`vni`]: base letter + mark byte.
//! - [`detect`]: which encoding a text is in, with the evidence.

mod tcvn3;
mod vni;

#[cfg(test)]
mod tests;

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

/// An encoding a Vietnamese text can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// Unicode (what the hub stores, NFC).
    Unicode,
    /// TCVN3 (TCVN 5712:1993 VN3, ABC fonts).
    Tcvn3,
    /// VNI-Windows.
    Vni,
}

impl Encoding {
    /// The name as the CLI and warnings spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unicode => "unicode",
            Self::Tcvn3 => "tcvn3",
            Self::Vni => "vni",
        }
    }
}

/// Which encoding to read a text in: one named, or whichever [`detect`] finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EncodingChoice {
    /// Detect it.
    #[default]
    Auto,
    /// This one.
    Fixed(Encoding),
}

impl std::str::FromStr for EncodingChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "unicode" | "utf8" | "utf-8" => Ok(Self::Fixed(Encoding::Unicode)),
            "tcvn3" | "abc" => Ok(Self::Fixed(Encoding::Tcvn3)),
            "vni" => Ok(Self::Fixed(Encoding::Vni)),
            other => Err(format!(
                "unknown encoding {other:?}; use auto, unicode, tcvn3 or vni"
            )),
        }
    }
}

/// What [`detect`] found: the encoding and the evidence for each candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Detection {
    /// The encoding chosen.
    pub encoding: Encoding,
    /// Vietnamese letters that exist only in Unicode (ă, đ, ơ, ư, ạ, ...).
    pub unicode_letters: usize,
    /// Characters that are TCVN3 letter codes and neither Unicode letters nor VNI bytes.
    pub tcvn3_evidence: usize,
    /// VNI letter + mark pairs.
    pub vni_evidence: usize,
}

/// The least evidence for calling a text legacy-encoded.
const MIN_EVIDENCE: usize = 2;

/// Which encoding `text` is in. Text with Vietnamese letters beyond Latin-1 is Unicode (a
/// legacy text read as Latin-1 cannot contain them); otherwise the legacy encoding with the
/// clearly stronger evidence (at least [`MIN_EVIDENCE`] and twice the other's), else Unicode.
pub fn detect(text: &str) -> Detection {
    let unicode_letters = text
        .chars()
        .filter(|c| u32::from(*c) > 0xFF && is_vietnamese_unicode_letter(*c))
        .count();
    let tcvn3_evidence = tcvn3::score(text);
    let vni_evidence = vni::score(text);
    let encoding = if unicode_letters > 0 {
        Encoding::Unicode
    } else if tcvn3_evidence >= MIN_EVIDENCE && tcvn3_evidence > 2 * vni_evidence {
        Encoding::Tcvn3
    } else if vni_evidence >= MIN_EVIDENCE && vni_evidence > 2 * tcvn3_evidence {
        Encoding::Vni
    } else {
        Encoding::Unicode
    };
    Detection {
        encoding,
        unicode_letters,
        tcvn3_evidence,
        vni_evidence,
    }
}

/// Converts `text` from `encoding` to Unicode (NFC). Unicode text is only normalised.
pub fn to_unicode(text: &str, encoding: Encoding) -> String {
    match encoding {
        Encoding::Unicode => nfc_keep_lines(text),
        Encoding::Tcvn3 => nfc_keep_lines(&tcvn3::to_unicode(text)),
        Encoding::Vni => nfc_keep_lines(&vni::to_unicode(text)),
    }
}

/// Converts Unicode text to `encoding` (characters U+0000–U+00FF standing for bytes); for
/// tests, fixtures and round trips. Uppercase toned letters lose their case in TCVN3.
pub fn from_unicode(text: &str, encoding: Encoding) -> String {
    let text = nfc_keep_lines(text);
    match encoding {
        Encoding::Unicode => text,
        Encoding::Tcvn3 => tcvn3::from_unicode(&text),
        Encoding::Vni => vni::from_unicode(&text),
    }
}

/// The bytes of a legacy text as characters (each byte its Latin-1 character), or the text
/// itself when the bytes are UTF-8.
pub fn chars_of(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|b| char::from(*b)).collect(),
    }
}

/// Reads text bytes in `choice`: returns the Unicode text and the encoding it was read in.
/// Bytes that are not UTF-8 must be a legacy encoding (named, or detected); otherwise `None`.
pub fn decode(bytes: &[u8], choice: EncodingChoice) -> Option<(String, Encoding)> {
    let utf8 = std::str::from_utf8(bytes).is_ok();
    let text = chars_of(bytes);
    let encoding = match choice {
        EncodingChoice::Fixed(e) => e,
        EncodingChoice::Auto => detect(&text).encoding,
    };
    if encoding == Encoding::Unicode && !utf8 {
        return None;
    }
    Some((to_unicode(&text, encoding), encoding))
}

/// NFC, keeping line breaks and spacing as they are (`thads_schemas::text::nfc` would also
/// collapse spaces; the extractor normalises spacing itself).
fn nfc_keep_lines(text: &str) -> String {
    text.nfc().collect()
}

/// Whether `c` is a precomposed Vietnamese letter (either case), including đ and the
/// Latin-1 ones (à, â, ê, ô, ...), but not the plain ASCII vowels.
pub(crate) fn is_vietnamese_unicode_letter(c: char) -> bool {
    vni::TABLE.iter().any(|(u, _)| *u == c)
}
