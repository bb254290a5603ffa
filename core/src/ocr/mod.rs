//! Paper to digital: scanned judgments and requests (PDF or PNG, JPEG, TIFF images) are read
//! with Tesseract's Vietnamese model (Debian `tesseract-ocr-vie`; PDF pages rasterised with
//! poppler's `pdftoppm`), the text NFC-normalised and its lines rejoined, and handed to the
//! same extraction as electronic text; the proposal waits for an officer's confirmation like
//! any other (`POST /v1/extractions/{id}/confirm`).
//!
//! OCR takes seconds a page, so it runs as a job: the upload is stored (`ocr_jobs`) and a
//! message put on `in.scan.ocr` in the same transaction (the HTTP answer is `202` with the
//! job); the `ocr-scans` consumer recognises it, with the bus's retries and dead letters, and
//! records the text and the extraction. The job's state is readable at any time.
//! `docs/ocr.md` describes it.
//!
//! - [`engine`]: running `pdftoppm` and `tesseract` with time limits.
//! - [`reflow`]: from Tesseract's lines back to the paragraphs the extractor reads.
//! - [`jobs`]: submitting and reading jobs.
//! - [`handler`]: the consumer.

pub mod engine;
pub mod handler;
pub mod jobs;
pub mod reflow;

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// `[ocr]` in the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OcrConfig {
    /// The Tesseract binary: a path, or a name looked up on `PATH` (Debian `tesseract-ocr`).
    pub tesseract: PathBuf,
    /// The PDF rasteriser (poppler's `pdftoppm`, Debian `poppler-utils`).
    pub pdftoppm: PathBuf,
    /// Tesseract's language model (`vie`, Debian `tesseract-ocr-vie`).
    pub language: String,
    /// Resolution PDF pages are rasterised at; 300 dpi is what Tesseract reads best.
    pub dpi: u32,
    /// Pages read from one scan; a longer scan is refused (split it).
    pub max_pages: u32,
    /// How long one page may take before Tesseract is stopped.
    #[serde(with = "humantime_serde")]
    pub page_timeout: Duration,
    /// The largest scan accepted (bytes).
    pub max_bytes: usize,
    /// How long the consumer holds a job before another worker may take it: longer than the
    /// slowest scan (`max_pages` × `page_timeout`) would take.
    #[serde(with = "humantime_serde")]
    pub ack_wait: Duration,
    /// Scans read at once in this process.
    pub concurrency: usize,
}

impl Default for OcrConfig {
    fn default() -> Self {
        Self {
            tesseract: PathBuf::from("tesseract"),
            pdftoppm: PathBuf::from("pdftoppm"),
            language: "vie".to_string(),
            dpi: 300,
            max_pages: 30,
            page_timeout: Duration::from_secs(120),
            max_bytes: 20 * 1024 * 1024,
            ack_wait: Duration::from_secs(30 * 60),
            concurrency: 1,
        }
    }
}

impl OcrConfig {
    /// Checks the values, naming the key at fault.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if !(72..=1200).contains(&self.dpi) {
            return Err(("ocr.dpi", "must be 72 to 1200".into()));
        }
        if self.max_pages == 0 || self.concurrency == 0 {
            return Err((
                "ocr.max_pages",
                "max_pages and concurrency must be at least 1".into(),
            ));
        }
        if self.max_bytes < 1024 {
            return Err(("ocr.max_bytes", "must be at least 1024 bytes".into()));
        }
        if self.language.is_empty()
            || !self
                .language
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'+')
        {
            return Err((
                "ocr.language",
                "must be a Tesseract language such as vie".into(),
            ));
        }
        if self.page_timeout < Duration::from_secs(1) || self.ack_wait < self.page_timeout {
            return Err((
                "ocr.ack_wait",
                "page_timeout must be at least 1 s and ack_wait at least page_timeout".into(),
            ));
        }
        Ok(())
    }
}

/// What kind of scan the bytes are, from their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanKind {
    /// A PDF (its pages are rasterised).
    Pdf,
    /// A PNG image.
    Png,
    /// A JPEG image.
    Jpeg,
    /// A TIFF image (one or more pages).
    Tiff,
}

impl ScanKind {
    /// The kind of `bytes`, if they are a scan at all.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
            Some(Self::Tiff)
        } else {
            None
        }
    }

    /// The media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Tiff => "image/tiff",
        }
    }

    /// The kind a media type names.
    pub fn of_media_type(media: &str) -> Option<Self> {
        [Self::Pdf, Self::Png, Self::Jpeg, Self::Tiff]
            .into_iter()
            .find(|k| k.media_type() == media)
    }

    fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Tiff => "tif",
        }
    }
}

/// Why a scan could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    /// A tool or the language model is missing: an operator must install it (retried).
    #[error("OCR is not available: {0}")]
    Unavailable(String),
    /// The scan cannot be read (corrupt, too many pages, no text at all): not retried.
    #[error("the scan cannot be read: {0}")]
    Unreadable(String),
    /// A tool failed or took too long in a way that may pass (retried).
    #[error("OCR failed: {0}")]
    Failed(String),
}

impl OcrError {
    /// Whether trying again later may help.
    pub fn is_retriable(&self) -> bool {
        !matches!(self, Self::Unreadable(_))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn scans_are_recognised_by_their_first_bytes() {
        assert_eq!(ScanKind::sniff(b"%PDF-1.7\n"), Some(ScanKind::Pdf));
        assert_eq!(
            ScanKind::sniff(b"\x89PNG\r\n\x1a\n...."),
            Some(ScanKind::Png)
        );
        assert_eq!(
            ScanKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(ScanKind::Jpeg)
        );
        assert_eq!(ScanKind::sniff(b"II*\0...."), Some(ScanKind::Tiff));
        assert_eq!(ScanKind::sniff("Bản án số 1".as_bytes()), None);
        for k in [ScanKind::Pdf, ScanKind::Png, ScanKind::Jpeg, ScanKind::Tiff] {
            assert_eq!(ScanKind::of_media_type(k.media_type()), Some(k));
        }
        assert!(OcrConfig::default().validate().is_ok());
        let bad = OcrConfig {
            dpi: 10,
            ..OcrConfig::default()
        };
        assert_eq!(bad.validate().unwrap_err().0, "ocr.dpi");
    }
}
