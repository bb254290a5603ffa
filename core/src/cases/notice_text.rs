//! Vietnamese text of the notice sent to each party when a case is opened (thông báo). The
//! payment reference goes into every notice that asks the party for money.

use thads_schemas::court::judgment::{Judgment, Obligation, Party, PartyRole};

/// Title of the case-opened notice.
pub const CASE_OPENED_TITLE: &str = "Thông báo về việc thi hành án dân sự";

/// The role as the law names it.
pub fn role_name(role: PartyRole) -> &'static str {
    match role {
        PartyRole::Creditor => "người được thi hành án",
        PartyRole::Debtor => "người phải thi hành án",
        PartyRole::Interested => "người có quyền lợi, nghĩa vụ liên quan",
    }
}

/// The body of the case-opened notice for `party`; `payment_reference` is printed when the
/// party owes money.
pub fn case_opened_body(
    judgment: &Judgment,
    party: &Party,
    case_id: &str,
    payment_reference: &str,
) -> String {
    let mut body = format!(
        "Cơ quan thi hành án dân sự {office} đã nhận Bản án, Quyết định số {number} ngày {date} \
         của {court} để tổ chức thi hành. Ông/Bà {name} là {role} trong việc thi hành án này. \
         Mã hồ sơ: {case_id}.",
        office = judgment.office.as_str(),
        number = judgment.judgment_number,
        date = vietnamese_date(judgment.judgment_date),
        court = judgment.court.name,
        name = party.name.as_str(),
        role = role_name(party.role),
    );
    let owed: Vec<&Obligation> = judgment
        .obligations
        .iter()
        .filter(|o| o.debtor == party.id && o.amount.is_some())
        .collect();
    if !owed.is_empty() {
        body.push_str(" Nghĩa vụ phải thi hành:");
        for o in &owed {
            if let Some(amount) = o.amount {
                body.push_str(&format!(" {} ({});", amount, amount.in_words()));
            }
        }
        body.push_str(&format!(
            " Khi nộp tiền, ghi nội dung chuyển khoản: {payment_reference}."
        ));
    }
    body
}

/// A date as Vietnamese documents write it: `12/3/2026` → "12/03/2026".
fn vietnamese_date(d: time::Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}
