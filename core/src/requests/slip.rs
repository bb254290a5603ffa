//! The receipt slip (phiếu nhận đơn yêu cầu thi hành án) handed or sent to the filer: the book
//! number, the day, and what happens next, as printable HTML in Vietnamese.

use super::Accepted;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn vn_date(iso: &str) -> String {
    match crate::deadlines::store::parse_iso(iso) {
        Some(d) => format!(
            "ngày {:02} tháng {:02} năm {}",
            d.day(),
            u8::from(d.month()),
            d.year()
        ),
        None => escape(iso),
    }
}

/// The slip as a self-contained HTML page (no external resources), ready to print.
pub fn html(a: &Accepted) -> String {
    let case = match (&a.case_id, &a.decision_due_on) {
        (Some(case), Some(due)) => format!(
            "<p>Đơn đã được chuyển vào hồ sơ <b>{}</b>. Quyết định thi hành án theo yêu cầu sẽ \
             được ban hành chậm nhất {} (Điều 36 khoản 2 Luật Thi hành án dân sự).</p>",
            escape(case),
            vn_date(due)
        ),
        _ => "<p>Cơ quan thi hành án chưa nhận được bản án, quyết định; đơn sẽ được xử lý khi \
              Tòa án chuyển giao bản án, quyết định.</p>"
            .to_string(),
    };
    let note = a
        .note
        .as_deref()
        .map(|n| format!("<p><i>{}</i></p>", escape(n)))
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <title>Phiếu nhận đơn yêu cầu thi hành án số {number}</title>\
         <style>body{{font-family:serif;max-width:40em;margin:2em auto}}h1{{text-align:center;font-size:1.3em}}</style>\
         </head><body>\
         <p style=\"text-align:center\"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br>Độc lập - Tự do - Hạnh phúc</p>\
         <h1>PHIẾU NHẬN ĐƠN YÊU CẦU THI HÀNH ÁN</h1>\
         <p>Số: <b>{number}</b> — Sổ nhận đơn yêu cầu thi hành án của cơ quan {office}</p>\
         <p>Ngày nhận đơn: {filed}</p>\
         <p>Mã đơn: {id}</p>\
         <p>Thời hiệu yêu cầu thi hành án đến hết {limit}.</p>\
         {case}{note}\
         </body></html>\n",
        number = escape(&a.register_number),
        office = escape(&a.office),
        filed = vn_date(&a.filed_on),
        id = escape(&a.request_id),
        limit = vn_date(&a.limitation.ends_on),
    )
}
