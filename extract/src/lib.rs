//! Reads Vietnamese court judgments and decisions (bản án, quyết định) and proposes what an
//! enforcement office needs from them: the header (court, number, date, kind of case), the
//! parties (đương sự) and every obligation of the operative part (phần quyết định) with its
//! kind, debtor, creditor, amount in đồng, period and initiation (chủ động / theo yêu cầu).
//!
//! Courts often send only the text; this crate is a parser of the legal language, not a list
//! of known sentences:
//!
//! - [`normalize`](crate::normalize): NFC, spacing, line endings, tone placement.
//! - [`amount`]: the money grammar (figures, scales, Vietnamese number words).
//! - `names`, `parties`, `mentions`: who is who, across spellings.
//! - `header`: court, number, date, kind from the number's symbol.
//! - `segment`, `cues`, `obligations`: clauses of the operative part and their patterns.
//! - `xml`: the XML form courts push, structured or text-only.
//! - [`legacy`]: TCVN3 and VNI text (old documents) to Unicode, with detection.
//!
//! Results are proposals: an officer confirms or corrects them; [`Extraction::warnings`] says
//! what could not be read.

pub mod amount;
mod cues;
mod header;
pub mod legacy;
mod mentions;
mod model;
mod names;
mod normalize;
mod obligations;
mod parties;
mod segment;
mod xml;

pub use header::kind_from_number;
pub use model::{
    CaseKind, ExtractedObligation, ExtractedParty, Extraction, Initiation, JudgmentInfo,
    ObligationKind, Period, Role, STATE,
};

use normalize::fold;
use std::path::{Path, PathBuf};
use thads_schemas::court::JudgmentError;

/// Why a judgment file could not be read at all (text that merely parses badly is never an
/// error: it gives warnings).
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A text judgment that is neither UTF-8 nor recognisably TCVN3 or VNI.
    #[error("the text is not UTF-8, and not recognisably TCVN3 or VNI either (name the encoding)")]
    NotUtf8,
    /// XML that is malformed, hostile, or not a judgment document.
    #[error("XML judgment refused: {0}")]
    Xml(#[from] JudgmentError),
}

/// Extracts everything from the text of a judgment or court decision. Never fails: what
/// cannot be read is reported in [`Extraction::warnings`].
pub fn extract_text(text: &str) -> Extraction {
    let norm = normalize::normalize(text);
    let lines: Vec<&str> = norm.split('\n').collect();
    let mut warnings = Vec::new();
    let (pre_end, operative) = match segment::find_operative(&lines) {
        Some((i, offset)) => {
            let mut op = lines[i].get(offset..).unwrap_or("").trim().to_owned();
            for l in &lines[i + 1..] {
                op.push('\n');
                op.push_str(l);
            }
            (i, op)
        }
        None => {
            warnings.push(
                "no operative part heading (QUYẾT ĐỊNH:) found; the whole text was searched for obligations"
                    .to_owned(),
            );
            (lines.len(), norm.clone())
        }
    };
    let pre = &lines[..pre_end];
    let header_end = pre
        .iter()
        .position(|l| {
            let f = fold(l);
            f.starts_with("nhân danh") || starts_party_section(&f)
        })
        .unwrap_or(pre.len());
    let judgment = header::read_header(&pre[..header_end], &pre[header_end..], &mut warnings);
    let mut reg = parties::read_parties(pre, &mut warnings);
    if reg.records.is_empty() {
        warnings.push("no parties section (Nguyên đơn:, Bị đơn:, Bị cáo: ...) found".to_owned());
    }
    let obligations = obligations::read_obligations(&operative, &mut reg, &mut warnings);
    if obligations.is_empty() {
        warnings.push("no obligation found in the operative part".to_owned());
    }
    Extraction {
        judgment,
        parties: reg.records.into_iter().map(|r| r.party).collect(),
        obligations,
        warnings,
    }
}

/// True when a folded line opens the parties section with a party label.
fn starts_party_section(folded: &str) -> bool {
    let body = parties::strip_bullet(folded);
    parties::LABELS
        .iter()
        .any(|(label, target)| target.is_some() && body.starts_with(label) && body.contains(':'))
}

/// Extracts from an XML judgment (`urn:thads:court:judgment:v1`): the court's structured
/// parties and obligations when present, else the obligations read from its `OperativeText`.
pub fn extract_xml(bytes: &[u8]) -> Result<Extraction, ExtractError> {
    xml::extract_xml(bytes)
}

/// Extracts from a file, text or XML, chosen by content: XML when the first character after a
/// byte-order mark and whitespace is `<`.
pub fn extract_file(path: &Path) -> Result<Extraction, ExtractError> {
    extract_file_as(path, legacy::EncodingChoice::Auto)
}

/// Like [`extract_file`], reading a text file in `encoding` (legacy TCVN3 or VNI text is
/// converted to Unicode first; `Auto` detects it).
pub fn extract_file_as(
    path: &Path,
    encoding: legacy::EncodingChoice,
) -> Result<Extraction, ExtractError> {
    let bytes = std::fs::read(path).map_err(|source| ExtractError::Io {
        path: path.to_owned(),
        source,
    })?;
    extract_bytes_as(&bytes, encoding)
}

/// Extracts from the bytes of a text or XML judgment, chosen by content like [`extract_file`];
/// a text in TCVN3 or VNI is detected and converted.
pub fn extract_bytes(bytes: &[u8]) -> Result<Extraction, ExtractError> {
    extract_bytes_as(bytes, legacy::EncodingChoice::Auto)
}

/// Like [`extract_bytes`], reading text in `encoding`. A conversion from a legacy encoding is
/// said in the warnings, so the officer checks the names it produced.
pub fn extract_bytes_as(
    bytes: &[u8],
    encoding: legacy::EncodingChoice,
) -> Result<Extraction, ExtractError> {
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'<') {
        return extract_xml(body);
    }
    let (text, read_as) = legacy::decode(body, encoding).ok_or(ExtractError::NotUtf8)?;
    let mut extraction = extract_text(&text);
    if read_as != legacy::Encoding::Unicode {
        extraction.warnings.insert(
            0,
            format!(
                "the text was in the legacy {} encoding and was converted to Unicode; check \
                 the names and diacritics",
                read_as.as_str().to_uppercase()
            ),
        );
    }
    Ok(extraction)
}
