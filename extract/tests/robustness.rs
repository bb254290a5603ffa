//! The text extractor is infallible: whatever the text (shuffled judgment vocabulary, stray
//! punctuation, combining marks, empty lines), it returns a result and never panics, and the
//! XML reader refuses what is not a judgment with an error instead of panicking.

use proptest::prelude::*;
use thads_extract::{extract_bytes, extract_text};

/// Pieces of judgment language, shuffled into random texts.
const PIECES: [&str; 48] = [
    "QUYẾT ĐỊNH:",
    "Nguyên đơn:",
    "Bị đơn:",
    "Bị cáo:",
    "Bị hại:",
    "Người có quyền lợi, nghĩa vụ liên quan:",
    "Ông Nguyễn Văn An",
    "bà Trần Thị Bình",
    "CÔNG TY TNHH MINH PHÁT",
    "Công ty",
    "các bị cáo",
    "mỗi người",
    "Buộc",
    "phải trả cho",
    "bồi thường",
    "cấp dưỡng",
    "mỗi tháng",
    "án phí",
    "tạm ứng án phí",
    "hoàn trả",
    "Phạt tiền",
    "tịch thu",
    "tiêu hủy",
    "trả lại",
    "tổng cộng",
    "gồm:",
    "đợt 1",
    "được trừ vào",
    "còn phải nộp",
    "đã bồi thường",
    "trị giá",
    "để đảm bảo thi hành án",
    "150.000.000 đồng",
    "1,5 tỷ đồng",
    "50.000.000đ",
    "(Một trăm năm mươi triệu đồng)",
    "năm mươi triệu đồng",
    "120,5 m2",
    "ngày 12-3-2026",
    "Bản án số: 215/2026/DS-ST",
    "TÒA ÁN NHÂN DÂN TỈNH LÀO CAI",
    "1.",
    "-",
    ";",
    ",",
    ":",
    "\n",
    "e\u{301}\u{323}",
];

proptest! {
    #[test]
    fn any_shuffle_of_judgment_language_is_read(picks in proptest::collection::vec(0usize..PIECES.len(), 0..80)) {
        let text: String = picks.iter().map(|&i| PIECES[i]).collect::<Vec<_>>().join(" ");
        let x = extract_text(&text);
        for o in &x.obligations {
            prop_assert!(o.amount_vnd.is_none_or(|a| a > 0));
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        let _ = extract_text(&text);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = extract_bytes(&bytes);
        let mut xml = b"<".to_vec();
        xml.extend_from_slice(&bytes);
        let _ = extract_bytes(&xml);
    }
}

#[test]
fn empty_and_blank_texts_give_warnings_not_errors() {
    for text in ["", "   \n\r\n  ", "QUYẾT ĐỊNH:"] {
        let x = extract_text(text);
        assert!(x.obligations.is_empty());
        assert!(!x.warnings.is_empty());
    }
}

#[test]
fn xml_that_is_not_a_judgment_is_refused() {
    assert!(extract_bytes(b"<Other xmlns=\"urn:x\"/>").is_err());
    assert!(extract_bytes(b"<Judgment><unclosed>").is_err());
    assert!(extract_bytes(b"\xef\xbb\xbf  <!DOCTYPE x [<!ENTITY a \"b\">]><Judgment/>").is_err());
    assert!(extract_bytes(b"\xff\xfe not utf-8").is_err());
}
