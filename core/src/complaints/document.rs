//! The answer to a complaint: the decision on the complaint (quyết định giải quyết khiếu nại,
//! lần đầu or lần hai) or, for a denunciation, the conclusion on its content (kết luận nội dung
//! tố cáo). Rendered with the same letterhead, style and PDF path as the decisions to enforce
//! ([`crate::decisions::render`]) and signed by the head with the same keys.

use serde::Serialize;
use thads_schemas::complaint::{Against, ComplaintKind};

use super::store::Stored;
use super::Outcome;
use crate::decisions::content::{office_names, vn_date};
use crate::decisions::render::{escape, letterhead, place_date, STYLE};

/// The symbol after a complaint decision's number.
pub const COMPLAINT_SYMBOL: &str = "QĐ-GQKN";
/// The symbol after a denunciation conclusion's number.
pub const DENUNCIATION_SYMBOL: &str = "KL-GQTC";

/// What the answer says.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// Number and symbol (`3/QĐ-GQKN`).
    pub number: String,
    /// Date of the answer (ISO).
    pub date: String,
    /// The finding.
    pub outcome: Outcome,
    /// What the verification found (kết quả xác minh).
    pub findings: String,
    /// What is decided: the decision or act kept, withdrawn or corrected, and what follows.
    pub conclusion: String,
    /// The head who signs, as printed.
    pub signer_name: String,
}

fn paragraphs(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| format!("<p>{}</p>", escape(l)))
        .collect()
}

/// The answer to `c` as a self-contained HTML page.
pub(super) fn html(c: &Stored, a: &Answer) -> String {
    let (parent, office, place) = office_names(c.resolver_office.as_str());
    let date = crate::deadlines::store::parse_iso(&a.date);
    let head = letterhead(
        &parent,
        &office,
        &escape(&a.number),
        &place_date(&place, date),
    );
    let second = c.round >= 2;
    let (title, subtitle) = match c.kind {
        ComplaintKind::Complaint => (
            "QUYẾT ĐỊNH",
            format!(
                "Về việc giải quyết khiếu nại (lần {}) của {}",
                if second { "hai" } else { "đầu" },
                escape(&c.complainant_name)
            ),
        ),
        ComplaintKind::Denunciation => ("KẾT LUẬN", "Nội dung tố cáo".to_string()),
    };
    let whose = match c.against {
        Against::Officer => match &c.target_officer {
            Some(o) => format!(
                "Chấp hành viên, công chức ({}) thuộc {}",
                escape(o),
                escape(c.target_office.as_str())
            ),
            None => format!(
                "Chấp hành viên, công chức thuộc {}",
                escape(c.target_office.as_str())
            ),
        },
        Against::Head => format!("Thủ trưởng {}", escape(c.target_office.as_str())),
    };
    let decision = match (&c.decision_number, &c.decision_date) {
        (Some(n), Some(d)) => format!(" đối với quyết định số {} ngày {}", escape(n), vn_date(d)),
        (Some(n), None) => format!(" đối với quyết định số {}", escape(n)),
        _ => String::new(),
    };
    let law = match c.kind {
        ComplaintKind::Complaint => "Căn cứ các Điều 140, 142 và các điều liên quan của Luật Thi hành án dân sự năm 2008, được sửa đổi, bổ sung năm 2014 và các năm tiếp theo;",
        ComplaintKind::Denunciation => "Căn cứ Luật Tố cáo năm 2018 và Mục 2 Chương VI Luật Thi hành án dân sự năm 2008, được sửa đổi, bổ sung năm 2014;",
    };
    let filed = format!(
        "Xét đơn {} ngày {} của {} (số định danh cá nhân/CCCD: {}{}), về quyết định, hành vi của {}{}.",
        match c.kind {
            ComplaintKind::Complaint => "khiếu nại",
            ComplaintKind::Denunciation => "tố cáo",
        },
        vn_date(&c.received_on),
        escape(&c.complainant_name),
        escape(&c.complainant_cccd),
        c.complainant_address
            .as_deref()
            .map(|a| format!("; địa chỉ: {}", escape(a)))
            .unwrap_or_default(),
        whose,
        decision,
    );
    let finding = match c.kind {
        ComplaintKind::Complaint => format!("Nội dung khiếu nại là {}.", a.outcome.title_vi()),
        ComplaintKind::Denunciation => format!("Nội dung tố cáo là {}.", a.outcome.title_vi()),
    };
    let further = match (c.kind, second) {
        (ComplaintKind::Complaint, false) => "Trong thời hạn 15 ngày, kể từ ngày nhận được Quyết định này, nếu không đồng ý với Quyết định giải quyết khiếu nại thì người khiếu nại có quyền khiếu nại đến Thủ trưởng cơ quan thi hành án dân sự cấp trên trực tiếp.",
        (ComplaintKind::Complaint, true) => "Quyết định giải quyết khiếu nại lần hai có hiệu lực thi hành.",
        (ComplaintKind::Denunciation, _) => "Người bị tố cáo, cơ quan, tổ chức, cá nhân có liên quan thực hiện các biện pháp xử lý theo Kết luận này.",
    };
    let article = |n: u8, text: &str| match c.kind {
        ComplaintKind::Complaint => format!("<p><b>Điều {n}.</b> {text}</p>"),
        ComplaintKind::Denunciation => format!("<p><b>{n}.</b> {text}</p>"),
    };
    let decide_heading = match c.kind {
        ComplaintKind::Complaint => "QUYẾT ĐỊNH:",
        ComplaintKind::Denunciation => "KẾT LUẬN:",
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">\
<title>{title} {number}</title><style>{STYLE}</style></head><body>\n\
{head}<h1>{title}</h1><div class=\"subtitle\">{subtitle}</div>\n\
<div class=\"issuer\">THỦ TRƯỞNG {office}</div>\n\
<div class=\"bases\"><p>{law}</p></div>\n\
<p>{filed}</p>\n<p><b>Nội dung:</b></p>{subject}{request}\n\
<p><b>Kết quả xác minh:</b></p>{findings}\n\
<div class=\"decide\">{decide_heading}</div>\n\
{a1}\n{conclusion}\n{a2}\n{a3}\n\
<table class=\"foot\"><tr><td class=\"recipients\"><div class=\"b i\">Nơi nhận:</div><ul>\
<li>Người {filer};</li><li>{whose};</li><li>Viện kiểm sát nhân dân cùng cấp;</li><li>Lưu: VT, hồ sơ.</li></ul></td>\
<td class=\"sign\"><div class=\"b upper\">THỦ TRƯỞNG</div><div class=\"i\">(Đã ký số)</div><div class=\"b\">{signer}</div></td></tr></table>\n\
<div class=\"note\">Văn bản số {number}, hồ sơ {id}; tra cứu kết quả bằng mã {id} và số CCCD của người {filer}.</div>\n\
</body></html>\n",
        number = escape(&a.number),
        office = escape(&office.to_uppercase()),
        subject = paragraphs(&c.subject),
        request = c
            .request
            .as_deref()
            .map(|r| format!("<p><b>Yêu cầu:</b></p>{}", paragraphs(r)))
            .unwrap_or_default(),
        findings = paragraphs(&a.findings),
        a1 = article(1, &escape(&finding)),
        conclusion = paragraphs(&a.conclusion),
        a2 = article(2, escape(further).as_str()),
        a3 = article(
            3,
            "Chấp hành viên, công chức có liên quan và người khiếu nại, tố cáo chịu trách nhiệm thi hành văn bản này."
        ),
        filer = match c.kind {
            ComplaintKind::Complaint => "khiếu nại",
            ComplaintKind::Denunciation => "tố cáo",
        },
        signer = escape(&a.signer_name),
        id = escape(&c.id),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::complaints::State;
    use thads_schemas::complaint::Stage;
    use thads_schemas::office::OfficeCode;

    fn stored(kind: ComplaintKind, round: i64) -> Stored {
        Stored {
            id: "cmp-1".into(),
            kind,
            channel: "reception".into(),
            round,
            previous_id: None,
            complainant_name: "Trần <Thị> Bình".into(),
            complainant_cccd: "079182005678".into(),
            complainant_address: Some("45 Nguyễn Trãi".into()),
            complainant_phone: None,
            complainant_email: None,
            case_id: "case-1".into(),
            against: Against::Officer,
            target_office: OfficeCode::parse("HCM-KV01").unwrap(),
            target_officer: Some("chv.an".into()),
            decision_number: Some("12/QĐ-CCTHADS".into()),
            decision_date: Some("2026-03-20".into()),
            stage: Stage::Freeze,
            subject: "Phong tỏa vượt quá.\nDòng hai.".into(),
            request: None,
            resolver_office: OfficeCode::parse("HCM-KV01").unwrap(),
            routing_basis: String::new(),
            received_on: "2026-03-25".into(),
            state: State::Accepted,
            accepted_on: Some("2026-03-26".into()),
            refused_on: None,
            refusal_reason: None,
            resolved_on: None,
            outcome: None,
            findings: None,
            conclusion: None,
            document_number: None,
            document_sha256: None,
            signature: None,
            signer: None,
            signer_name: None,
            signer_key_id: None,
            appealed_by: None,
            extensions: 0,
            recorded_by: "thu.ky".into(),
            message_id: "cmp-1".into(),
            version: 0,
            created_at: 0,
        }
    }

    fn answer() -> Answer {
        Answer {
            number: "3/QĐ-GQKN".into(),
            date: "2026-04-02".into(),
            outcome: Outcome::PartlyUpheld,
            findings: "Đã xác minh.".into(),
            conclusion: "Giải tỏa phần vượt quá.".into(),
            signer_name: "Phạm Văn Trưởng".into(),
        }
    }

    #[test]
    fn a_first_decision_names_the_parties_and_the_right_to_complain_again() {
        let h = html(&stored(ComplaintKind::Complaint, 1), &answer());
        for want in [
            "Số: 3/QĐ-GQKN",
            "ngày 02 tháng 04 năm 2026",
            "PHÒNG THI HÀNH ÁN DÂN SỰ KHU VỰC 1",
            "giải quyết khiếu nại (lần đầu) của Trần &lt;Thị&gt; Bình",
            "quyết định số 12/QĐ-CCTHADS ngày 20/03/2026",
            "Nội dung khiếu nại là đúng một phần.",
            "<p>Dòng hai.</p>",
            "cấp trên trực tiếp",
            "Phạm Văn Trưởng",
        ] {
            assert!(h.contains(want), "{want:?} not in the document");
        }
        assert!(!h.contains("<Thị>"), "names are escaped");
    }

    #[test]
    fn second_decisions_are_final_and_denunciations_concluded() {
        let h = html(&stored(ComplaintKind::Complaint, 2), &answer());
        assert!(h.contains("(lần hai)") && h.contains("có hiệu lực thi hành"));
        let h = html(&stored(ComplaintKind::Denunciation, 1), &answer());
        assert!(h.contains("<h1>KẾT LUẬN</h1>") && h.contains("Nội dung tố cáo là đúng một phần."));
    }
}
