//! From Tesseract's output back to the text the extractor reads: NFC, form feeds dropped,
//! and the lines of one paragraph (Tesseract breaks them where the page did) joined again,
//! since a sentence such as "Buộc bà … phải trả … số tiền\n150.000.000 đồng" must be whole for
//! its amount to be found. Paragraphs are separated by blank lines in Tesseract's output; a
//! line that starts a bullet or a numbered clause also starts a new line, in case Tesseract
//! ran two paragraphs together.

use thads_schemas::text::nfc;

/// Whether `line` opens a new paragraph of a judgment: a bullet (`-`, `–`, `+`, `•`) or a
/// numbered clause (`1.`, `2)`, `a)`).
fn opens_paragraph(line: &str) -> bool {
    let t = line.trim_start();
    if t.starts_with(['-', '–', '+', '•']) {
        return true;
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    let rest = &t[digits..];
    if digits > 0 && digits <= 2 && (rest.starts_with(". ") || rest.starts_with(") ")) {
        return true;
    }
    let mut chars = t.chars();
    matches!((chars.next(), chars.next(), chars.next()), (Some(c), Some(')'), Some(' ')) if c.is_lowercase())
}

/// The text of `ocr` with each paragraph on one line.
pub fn reflow(ocr: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, out: &mut Vec<String>| {
        if !current.is_empty() {
            out.push(nfc(current));
            current.clear();
        }
    };
    for raw in ocr.replace('\u{c}', "\n").lines() {
        let line = raw.trim();
        if line.is_empty() {
            flush(&mut current, &mut out);
            continue;
        }
        if !current.is_empty() && opens_paragraph(line) {
            flush(&mut current, &mut out);
        }
        if current.is_empty() {
            current.push_str(line);
        } else if current.ends_with('-') && !current.ends_with(" -") {
            // "05-" + "01-2026", "DS-" + "ST": a break inside a token, not between words.
            current.push_str(line);
        } else {
            current.push(' ');
            current.push_str(line);
        }
    }
    flush(&mut current, &mut out);
    let mut text = out.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_are_rejoined_and_clauses_kept_apart() {
        let ocr = "QUYẾT ĐỊNH:\n\n1. Chấp nhận yêu cầu khởi kiện của nguyên đơn ông Nguyễn Văn\nAn.\n\nBuộc bà Trần Thị Bình phải trả cho ông Nguyễn Văn An số tiền\n150.000.000 đồng.\n2. Về án phí: biên lai ngày 05-\n01-2026.\n- Nguyên đơn: Ông A\n- Bị đơn: Bà B\n\u{c}";
        assert_eq!(
            reflow(ocr),
            "QUYẾT ĐỊNH:\n1. Chấp nhận yêu cầu khởi kiện của nguyên đơn ông Nguyễn Văn An.\nBuộc bà Trần Thị Bình phải trả cho ông Nguyễn Văn An số tiền 150.000.000 đồng.\n2. Về án phí: biên lai ngày 05-01-2026.\n- Nguyên đơn: Ông A\n- Bị đơn: Bà B\n"
        );
    }

    #[test]
    fn decomposed_text_is_composed() {
        let nfd = "Tra\u{302}\u{300}n Thi\u{323}";
        assert_eq!(reflow(nfd), "Trần Thị\n");
    }
}
