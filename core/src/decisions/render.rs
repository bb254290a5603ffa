//! Rendering a decision: the official form as a self-contained Vietnamese HTML page (print CSS,
//! A4, DejaVu fonts so every diacritic has a glyph), and as PDF through headless Chromium run as
//! a subprocess with a time limit. The PDF is what the head signs, so without Chromium no
//! decision can be approved: [`Renderer::check`] says so, naming the setting.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use super::content::{vn_date, DecisionContent};
use super::DraftKind;

/// `[render]`: how PDFs are made.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RenderConfig {
    /// The Chromium binary: a path, or a name looked up on `PATH` (Debian package `chromium`).
    pub chromium: PathBuf,
    /// How long one PDF may take before Chromium is killed.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// How many PDFs may be rendered at once (Chromium is memory-hungry).
    pub concurrency: usize,
}

impl Default for RenderConfig {
    fn default() -> Self {
        Self {
            chromium: PathBuf::from("chromium"),
            timeout: Duration::from_secs(60),
            concurrency: 2,
        }
    }
}

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Chromium is not installed where the configuration says.
    #[error(
        "PDF rendering is not available: Chromium was not found at {0:?}; install it (Debian \
         package `chromium`, with `fonts-dejavu-core`) or set `[render] chromium` to its path"
    )]
    Unavailable(String),
    /// Chromium ran but gave no PDF, failed, or took too long.
    #[error("Chromium failed to render the PDF: {0}")]
    Failed(String),
}

/// Makes PDFs from HTML with headless Chromium.
#[derive(Debug, Clone)]
pub struct Renderer {
    config: RenderConfig,
    permits: Arc<Semaphore>,
}

impl Renderer {
    /// A renderer with `config`.
    pub fn new(config: RenderConfig) -> Self {
        let permits = Arc::new(Semaphore::new(config.concurrency.max(1)));
        Self { config, permits }
    }

    /// The Chromium binary to run, or why there is none.
    pub fn check(&self) -> Result<PathBuf, RenderError> {
        resolve(&self.config.chromium)
            .ok_or_else(|| RenderError::Unavailable(self.config.chromium.display().to_string()))
    }

    /// Renders `html` to PDF bytes.
    pub async fn pdf(&self, html: &str) -> Result<Vec<u8>, RenderError> {
        let binary = self.check()?;
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| RenderError::Failed(e.to_string()))?;
        let dir = tempfile::Builder::new()
            .prefix("thads-render-")
            .tempdir()
            .map_err(|e| RenderError::Failed(format!("temporary folder: {e}")))?;
        let input = dir.path().join("decision.html");
        let output = dir.path().join("decision.pdf");
        let profile = dir.path().join("profile");
        tokio::fs::write(&input, html.as_bytes())
            .await
            .map_err(|e| RenderError::Failed(format!("writing the HTML: {e}")))?;
        let mut command = tokio::process::Command::new(&binary);
        command
            .arg("--headless")
            .arg("--no-sandbox")
            .arg("--disable-gpu")
            .arg("--disable-dev-shm-usage")
            .arg("--no-first-run")
            .arg("--no-default-browser-check")
            .arg("--disable-extensions")
            .arg("--no-pdf-header-footer")
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--print-to-pdf={}", output.display()))
            .arg(file_url(&input))
            .env("HOME", dir.path())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        let child = command
            .spawn()
            .map_err(|e| RenderError::Failed(format!("cannot start {}: {e}", binary.display())))?;
        let out = tokio::time::timeout(self.config.timeout, child.wait_with_output())
            .await
            .map_err(|_| {
                RenderError::Failed(format!(
                    "no PDF after {} s (`[render] timeout`)",
                    self.config.timeout.as_secs()
                ))
            })?
            .map_err(|e| RenderError::Failed(e.to_string()))?;
        let pdf = tokio::fs::read(&output).await.unwrap_or_default();
        if !out.status.success() || !pdf.starts_with(b"%PDF-") {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let tail: String = stderr.lines().rev().take(3).collect::<Vec<_>>().join(" | ");
            return Err(RenderError::Failed(format!(
                "exit status {}, {} bytes of output: {tail}",
                out.status,
                pdf.len()
            )));
        }
        Ok(pdf)
    }
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

fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for b in path.display().to_string().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            url.push(char::from(b));
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What the issued document adds below the form: who signed which bytes.
#[derive(Debug, Clone)]
pub struct SignatureNote {
    /// The draft, for the verification address.
    pub draft_id: String,
    /// The head who signed.
    pub signer_name: String,
    /// The key that signed.
    pub key_id: String,
    /// SHA-256 (hex) of the signed PDF.
    pub signed_sha256: String,
}

/// The print style of every document the hub renders (decisions, complaint answers): A4,
/// DejaVu fonts, the official letterhead's two columns.
pub const STYLE: &str = "\
@page { size: A4; margin: 20mm 20mm 20mm 30mm; }
html { font-family: 'DejaVu Serif', 'Times New Roman', serif; font-size: 12pt; line-height: 1.45; color: #000; }
body { margin: 0; }
@media screen { body { max-width: 170mm; margin: 12mm auto; } }
table.head { width: 100%; border-collapse: collapse; }
table.head { font-size: 10pt; }
.nowrap { white-space: nowrap; }
table.head td { vertical-align: top; text-align: center; padding: 0; }
table.head td.left { width: 45%; }
table.head td.right { width: 55%; }
.upper { text-transform: uppercase; }
.b { font-weight: bold; }
.i { font-style: italic; }
.rule { display: block; width: 40%; margin: 2pt auto 0; border-top: 1px solid #000; }
h1 { text-align: center; font-size: 14pt; margin: 18pt 0 0; }
.subtitle { text-align: center; font-weight: bold; margin: 0 0 10pt; }
.issuer { text-align: center; font-weight: bold; text-transform: uppercase; margin: 10pt 0; }
p { margin: 4pt 0; text-align: justify; }
.bases p { font-style: italic; }
.decide { text-align: center; font-weight: bold; margin: 10pt 0 6pt; }
ol.items { margin: 4pt 0 4pt 12pt; padding-left: 12pt; }
ol.items li { margin: 3pt 0; }
table.foot { width: 100%; border-collapse: collapse; margin-top: 16pt; page-break-inside: avoid; }
table.foot td { vertical-align: top; width: 50%; }
.recipients { font-size: 10.5pt; }
.recipients ul { margin: 0; padding-left: 10pt; list-style: none; }
.recipients li::before { content: '- '; }
.sign { text-align: center; }
.sign .space { height: 48pt; }
.note { margin-top: 18pt; font-size: 9pt; border-top: 1px solid #888; padding-top: 4pt; word-break: break-all; }
";

fn date_line(c: &DecisionContent) -> String {
    place_date(
        &c.place,
        c.date
            .as_deref()
            .and_then(crate::deadlines::store::parse_iso),
    )
}

/// "Thành phố Hồ Chí Minh, ngày 05 tháng 03 năm 2026" (dots for a date not yet given),
/// escaped for HTML.
pub fn place_date(place: &str, date: Option<time::Date>) -> String {
    match date {
        Some(d) => format!(
            "{}, ngày {:02} tháng {:02} năm {}",
            escape(place),
            d.day(),
            u8::from(d.month()),
            d.year()
        ),
        None => format!("{}, ngày …… tháng …… năm ……", escape(place)),
    }
}

/// The official letterhead: the body above and the issuing office with the number on the
/// left, the national motto and the place and date on the right. `number` and `date_line`
/// are HTML (already escaped).
pub fn letterhead(parent_body: &str, office_name: &str, number: &str, date_line: &str) -> String {
    format!(
        "<table class=\"head\"><tr>\
<td class=\"left\"><div class=\"upper\">{parent}</div><div class=\"b upper\">{office}</div><span class=\"rule\"></span>\
<div>Số: {number}</div></td>\
<td class=\"right\"><div class=\"b nowrap\">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div><div class=\"b nowrap\">Độc lập - Tự do - Hạnh phúc</div>\
<span class=\"rule\"></span><div class=\"i\">{date_line}</div></td></tr></table>\n",
        parent = escape(parent_body),
        office = escape(office_name),
    )
}

fn party_html(p: &super::content::PartyLine) -> String {
    let mut s = format!(
        "<b>{}{}</b>",
        if p.honorific.is_empty() {
            String::new()
        } else {
            format!("{} ", escape(&p.honorific))
        },
        escape(&p.name)
    );
    if let Some(y) = p.birth_year {
        s.push_str(&format!(", sinh năm {y}"));
    }
    if let Some(c) = &p.cccd {
        s.push_str(&format!(", số định danh cá nhân/CCCD: {}", escape(c)));
    }
    if let Some(a) = &p.address {
        s.push_str(&format!("; địa chỉ: {}", escape(a)));
    }
    s
}

/// The decision as a self-contained HTML page (no external resources), ready to print or to
/// hand to Chromium. `note` is added on the issued document.
pub fn html(c: &DecisionContent, note: Option<&SignatureNote>) -> String {
    let number = match &c.number {
        Some(n) => escape(n),
        None => "……/QĐ-THADS".to_string(),
    };
    let title = match c.kind {
        DraftKind::ExOfficio => "Về việc thi hành án chủ động",
        DraftKind::OnRequest => "Về việc thi hành án theo yêu cầu",
    };
    let bases: String = c
        .legal_bases
        .iter()
        .map(|b| format!("<p>{}</p>", escape(b)))
        .collect();
    let debtors: Vec<&super::content::PartyLine> = c
        .parties
        .iter()
        .filter(|p| c.items.iter().any(|i| i.debtor_ref == p.party_ref))
        .collect();
    let debtors_html: String = debtors
        .iter()
        .map(|p| format!("<p>{}.</p>", party_html(p)))
        .collect();
    let others_html: String = c
        .parties
        .iter()
        .filter(|p| !debtors.iter().any(|d| d.party_ref == p.party_ref))
        .map(|p| format!("<p>Người được thi hành án: {}.</p>", party_html(p)))
        .collect();
    let items: String = c
        .items
        .iter()
        .map(|i| {
            let what = i
                .description
                .as_deref()
                .filter(|d| !d.trim().is_empty())
                .unwrap_or(&i.kind_vi);
            let amount = match (&i.amount_figures, &i.amount_words) {
                (Some(f), Some(w)) => format!(": <b>{}</b> ({})", escape(f), escape(w)),
                _ => String::new(),
            };
            format!(
                "<li>{}{amount}; người phải thi hành: {}; nộp cho: {}.</li>",
                escape(what),
                escape(&i.debtor_name),
                escape(&i.creditor_name)
            )
        })
        .collect();
    let request = c
        .request
        .as_ref()
        .map(|r| {
            format!(
                " theo đơn yêu cầu của {} ngày {}",
                escape(&r.requester_name),
                vn_date(&r.filed_on)
            )
        })
        .unwrap_or_default();
    let recipients: String = std::iter::once("Như Điều 3".to_string())
        .chain(c.addressees.iter().cloned())
        .map(|a| format!("<li>{};</li>", escape(&a)))
        .collect();
    let (signed_mark, signer) = match &c.signer_name {
        Some(name) => ("<div class=\"i\">(Đã ký số)</div>", escape(name)),
        None => ("<div class=\"space\"></div>", String::new()),
    };
    let note_html = note
        .map(|n| {
            format!(
                "<div class=\"note\">Văn bản được ban hành từ bản đã được {} ký số (khóa {}; \
                 SHA-256 của bản đã ký: {}). Kiểm tra chữ ký tại /v1/decision-drafts/{}/verify.</div>",
                escape(&n.signer_name),
                escape(&n.key_id),
                escape(&n.signed_sha256),
                escape(&n.draft_id)
            )
        })
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">\
<title>Quyết định thi hành án {number}</title><style>{STYLE}</style></head><body>\n\
{head}\
<h1>QUYẾT ĐỊNH</h1><div class=\"subtitle\">{title}</div>\n\
<div class=\"issuer\">{issuer}</div>\n\
<div class=\"bases\">{bases}</div>\n\
<div class=\"decide\">QUYẾT ĐỊNH:</div>\n\
<p><b>Điều 1.</b> Cho thi hành án{request} đối với:</p>{debtors}\
<p>Các khoản phải thi hành:</p><ol class=\"items\">{items}</ol>{others}\n\
<p><b>Điều 2.</b> {voluntary}</p>\n\
<p><b>Điều 3.</b> Chấp hành viên, người phải thi hành án, người được thi hành án và cơ quan, \
tổ chức, cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này.</p>\n\
<table class=\"foot\"><tr><td class=\"recipients\"><div class=\"b i\">Nơi nhận:</div><ul>{recipients}</ul></td>\
<td class=\"sign\"><div class=\"b upper\">{issuer}</div>{signed_mark}<div class=\"b\">{signer}</div></td></tr></table>\n\
{note_html}\n</body></html>\n",
        head = letterhead(&c.parent_body, &c.office_name, &number, &date_line(c)),
        issuer = escape(&c.issuer_title),
        debtors = debtors_html,
        others = others_html,
        voluntary = escape(&c.voluntary_period),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn html_escapes_and_resolves() {
        assert_eq!(escape("<a href='x'>&"), "&lt;a href=&#39;x&#39;&gt;&amp;");
        assert!(resolve(Path::new("/definitely/not/here/chromium")).is_none());
        assert!(resolve(Path::new("sh")).is_some());
        assert_eq!(
            file_url(Path::new("/tmp/a b/x.html")),
            "file:///tmp/a%20b/x.html"
        );
    }

    #[test]
    fn a_missing_chromium_names_the_setting() {
        let r = Renderer::new(RenderConfig {
            chromium: PathBuf::from("/nowhere/chromium"),
            ..RenderConfig::default()
        });
        let e = r.check().unwrap_err();
        assert!(e.to_string().contains("[render] chromium"), "{e}");
    }
}
