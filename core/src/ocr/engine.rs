//! Running the OCR tools as subprocesses with time limits: `pdftoppm` rasterises a PDF's pages
//! to grayscale PNG at the configured resolution; `tesseract <page> stdout -l vie` reads each
//! page (or an image given directly). Nothing is written outside a temporary folder that goes
//! away with the run.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

use super::reflow::reflow;
use super::{OcrConfig, OcrError, ScanKind};

/// The recognised text of a scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recognised {
    /// The text, NFC, paragraphs on their own lines.
    pub text: String,
    /// Pages read.
    pub pages: u32,
}

/// Runs the tools of `[ocr]`.
#[derive(Debug, Clone)]
pub struct Engine {
    config: OcrConfig,
}

/// A binary given as a path (with a `/`) or a name to find on `PATH`.
fn resolve(binary: &Path) -> Option<PathBuf> {
    if binary.components().count() > 1 || binary.is_absolute() {
        return binary.is_file().then(|| binary.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(binary))
        .find(|candidate| candidate.is_file())
}

async fn run(mut command: Command, limit: Duration, what: &str) -> Result<Vec<u8>, OcrError> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = command
        .spawn()
        .map_err(|e| OcrError::Unavailable(format!("cannot start {what}: {e}")))?;
    let out = tokio::time::timeout(limit, child.wait_with_output())
        .await
        .map_err(|_| OcrError::Failed(format!("{what} took longer than {} s", limit.as_secs())))?
        .map_err(|e| OcrError::Failed(format!("{what}: {e}")))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
        Err(OcrError::Unreadable(format!(
            "{what} failed ({}): {}",
            out.status,
            tail.join(" | ")
        )))
    }
}

impl Engine {
    /// An engine with `config`.
    pub fn new(config: OcrConfig) -> Self {
        Self { config }
    }

    /// The Tesseract binary, or why OCR cannot run here (naming the setting and the package).
    pub fn check(&self) -> Result<PathBuf, OcrError> {
        resolve(&self.config.tesseract).ok_or_else(|| {
            OcrError::Unavailable(format!(
                "Tesseract was not found at {:?}; install Debian `tesseract-ocr` and `tesseract-ocr-{}` or set `[ocr] tesseract`",
                self.config.tesseract, self.config.language
            ))
        })
    }

    /// Whether the language model is installed (`tesseract --list-langs`).
    async fn check_language(&self, tesseract: &Path) -> Result<(), OcrError> {
        let mut c = Command::new(tesseract);
        c.arg("--list-langs");
        let out = run(c, Duration::from_secs(30), "tesseract --list-langs").await?;
        let listed = String::from_utf8_lossy(&out);
        if listed.lines().any(|l| l.trim() == self.config.language) {
            Ok(())
        } else {
            Err(OcrError::Unavailable(format!(
                "Tesseract has no `{}` model; install Debian `tesseract-ocr-{}`",
                self.config.language, self.config.language
            )))
        }
    }

    /// Reads the scan `bytes` of `kind`.
    pub async fn recognise(&self, kind: ScanKind, bytes: &[u8]) -> Result<Recognised, OcrError> {
        let tesseract = self.check()?;
        self.check_language(&tesseract).await?;
        let dir = tempfile::Builder::new()
            .prefix("thads-ocr-")
            .tempdir()
            .map_err(|e| OcrError::Failed(format!("temporary folder: {e}")))?;
        let input = dir.path().join(format!("scan.{}", kind.extension()));
        tokio::fs::write(&input, bytes)
            .await
            .map_err(|e| OcrError::Failed(format!("writing the scan: {e}")))?;
        let pages = match kind {
            ScanKind::Pdf => self.rasterise(&input, dir.path()).await?,
            _ => vec![input],
        };
        let mut texts = Vec::with_capacity(pages.len());
        for page in &pages {
            let mut c = Command::new(&tesseract);
            c.arg(page)
                .arg("stdout")
                .arg("-l")
                .arg(&self.config.language)
                .env("OMP_THREAD_LIMIT", "1");
            let out = run(c, self.config.page_timeout, "tesseract").await?;
            texts.push(String::from_utf8_lossy(&out).into_owned());
        }
        let text = reflow(&texts.join("\n\n"));
        if text.chars().filter(|c| c.is_alphanumeric()).count() < 20 {
            return Err(OcrError::Unreadable(
                "no text was recognised on the scan (blank, a photo, or too faint)".into(),
            ));
        }
        Ok(Recognised {
            text,
            pages: u32::try_from(pages.len()).unwrap_or(u32::MAX),
        })
    }

    /// The PDF's pages as grayscale PNG files, in order; refuses more than `max_pages`.
    async fn rasterise(&self, pdf: &Path, dir: &Path) -> Result<Vec<PathBuf>, OcrError> {
        let pdftoppm = resolve(&self.config.pdftoppm).ok_or_else(|| {
            OcrError::Unavailable(format!(
                "pdftoppm was not found at {:?}; install Debian `poppler-utils` or set `[ocr] pdftoppm`",
                self.config.pdftoppm
            ))
        })?;
        let prefix = dir.join("page");
        let mut c = Command::new(pdftoppm);
        c.arg("-r")
            .arg(self.config.dpi.to_string())
            .arg("-gray")
            .arg("-png")
            .arg("-l")
            .arg((self.config.max_pages + 1).to_string())
            .arg(pdf)
            .arg(&prefix);
        let limit = self.config.page_timeout * (self.config.max_pages + 1);
        run(c, limit, "pdftoppm").await?;
        let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| OcrError::Failed(format!("reading the pages: {e}")))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("page") && n.ends_with(".png"))
            })
            .collect();
        // pdftoppm pads page numbers to the same width, so names sort in page order.
        pages.sort();
        if pages.is_empty() {
            return Err(OcrError::Unreadable("the PDF has no pages".into()));
        }
        if pages.len() > self.config.max_pages as usize {
            return Err(OcrError::Unreadable(format!(
                "the scan has more than {} pages (`[ocr] max_pages`); split it",
                self.config.max_pages
            )));
        }
        Ok(pages)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn a_missing_tesseract_names_the_setting_and_the_package() {
        let e = Engine::new(OcrConfig {
            tesseract: PathBuf::from("/nowhere/tesseract"),
            ..OcrConfig::default()
        });
        let err = e.recognise(ScanKind::Png, b"\x89PNG").await.unwrap_err();
        assert!(err.is_retriable());
        let text = err.to_string();
        assert!(
            text.contains("[ocr] tesseract") && text.contains("tesseract-ocr-vie"),
            "{text}"
        );
    }
}
