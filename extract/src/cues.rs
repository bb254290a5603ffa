//! The vocabulary of operative parts: which words make an amount a court fee, a fine, a
//! confiscation, child support, compensation or a payment, and which make it no obligation at
//! all (money held as a security, an advance fee deducted, a remainder, a sum already paid, a
//! valuation). All functions take folded (lower-case) text.

use crate::model::{ObligationKind, Period};
use crate::normalize::{find_words, has_any, has_word};

/// Words that hold money as a security for enforcement: not an obligation.
const SECURITY: [&str; 11] = [
    "đảm bảo thi hành án",
    "bảo đảm thi hành án",
    "để đảm bảo",
    "để bảo đảm",
    "ký quỹ",
    "tiền bảo đảm",
    "biện pháp bảo đảm",
    "tiếp tục tạm giữ",
    "tiếp tục quản lý",
    "tiếp tục phong tỏa",
    "khẩn cấp tạm thời",
];

/// Verbs that open a clause holding money rather than ordering it paid.
const HOLDING_OPENERS: [&str; 6] = [
    "tiếp tục tạm giữ",
    "tạm giữ",
    "giữ lại",
    "phong tỏa",
    "kê biên",
    "tiếp tục kê biên",
];

/// Deposit words (đặt cọc): held money unless the clause orders it returned.
const DEPOSIT: [&str; 2] = ["đặt cọc", "tiền cọc"];

/// Verbs that order money paid or returned.
const PAY_VERBS: [&str; 8] = [
    "trả lại",
    "hoàn trả",
    "trả",
    "thanh toán",
    "phạt cọc",
    "bồi thường",
    "hoàn lại",
    "chi trả",
];

/// Verbs of a refund of an advance fee.
pub(crate) const REFUND_VERBS: [&str; 7] = [
    "hoàn trả",
    "trả lại",
    "nhận lại",
    "hoàn lại",
    "được hoàn",
    "hoàn",
    "được trả",
];

/// Words of a deduction: the amount is set off against another, not collected again.
pub(crate) const DEDUCTION: [&str; 8] = [
    "được trừ",
    "khấu trừ",
    "trừ vào",
    "đối trừ",
    "cấn trừ",
    "chuyển thu",
    "chuyển thành",
    "được chuyển",
];

/// Valuation words directly before an amount ("chiếc xe trị giá 500.000.000 đồng").
const VALUATION: [&str; 6] = [
    "trị giá",
    "định giá",
    "có giá trị",
    "tương đương",
    "giá trị là",
    "trị giá là",
];

/// Past tense of a payment: "đã bồi thường", "đã trả".
const PAID: [&str; 10] = [
    "đã bồi thường",
    "đã trả",
    "đã thanh toán",
    "đã nhận",
    "đã khắc phục",
    "đã nộp",
    "đã giao",
    "đã hoàn trả",
    "đã tự nguyện",
    "đã bồi hoàn",
];

/// Words of a generic money payment.
const PAY_CUES: [&str; 18] = [
    "trả",
    "thanh toán",
    "hoàn trả",
    "chi trả",
    "nợ",
    "lãi",
    "lương",
    "trợ cấp",
    "chênh lệch",
    "cọc",
    "phạt vi phạm",
    "chi phí",
    "giá trị",
    "tiền thuê",
    "tiền hàng",
    "nợ gốc",
    "hoàn lại",
    "bảo hiểm",
];

/// True when `w` holds money as a security (bảo đảm, tạm giữ, ký quỹ, deposit held).
pub(crate) fn is_security(clause: &str, lead: &str, trail: &str) -> bool {
    let opener = HOLDING_OPENERS
        .iter()
        .any(|o| clause.trim_start().starts_with(o));
    let local = format!("{lead} | {trail}");
    if opener || has_any(&local, &SECURITY) {
        return true;
    }
    has_any(&local, &DEPOSIT) && !has_any(lead, &PAY_VERBS)
}

/// True when the lead names a deduction ("được trừ vào").
pub(crate) fn is_deduction(lead: &str) -> bool {
    has_any(lead, &DEDUCTION)
}

/// True for "còn phải nộp" after a deduction earlier in the sentence.
pub(crate) fn is_remainder(sentence_before: &str, lead: &str) -> bool {
    has_any(sentence_before, &DEDUCTION) && has_any(lead, &["còn phải", "còn lại", "còn"])
}

/// True for a sum the text says was already paid ("Ghi nhận bị cáo đã bồi thường ..."), not
/// a sum ordered back ("buộc ... hoàn trả số tiền đã nhận").
pub(crate) fn is_paid(lead: &str) -> bool {
    has_any(lead, &PAID) && !has_order(lead)
}

/// True when the amount is the value of something, not a sum owed.
pub(crate) fn is_valuation(lead: &str) -> bool {
    let l = lead.trim_end().trim_end_matches(':').trim_end();
    let l = l.strip_suffix(" là").unwrap_or(l);
    let l = l.strip_suffix(" khoảng").unwrap_or(l);
    VALUATION.iter().any(|v| l.ends_with(v))
}

/// True when the amount is a total of others ("tổng cộng", "tổng số tiền", "..., gồm:",
/// "... (trong đó ...)"); `trail` is the raw text after the amount.
pub(crate) fn is_total(lead: &str, trail: &str, clause_before: &str) -> bool {
    let opening = clause_before.trim_start();
    has_word(lead, "tổng")
        || lead.trim_start().starts_with("cộng")
        || opening.starts_with("tổng")
        || opening.starts_with("cộng")
        || {
            let next = trail
                .trim_start()
                .trim_start_matches(['(', ',', ':', ';'])
                .trim_start();
            ["gồm", "bao gồm", "trong đó"]
                .iter()
                .any(|w| next.starts_with(w))
        }
}

/// True for an amount in brackets after another that restates it per unit ("4.000.000 đồng
/// (mỗi cháu 2.000.000 đồng)"): a detail, not a second sum.
pub(crate) fn is_bracketed_detail(between: &str, lead: &str) -> bool {
    let open = between.rfind('(');
    let close = between.rfind(')');
    let in_brackets = match (open, close) {
        (Some(o), Some(c)) => o > c,
        (Some(_), None) => true,
        _ => false,
    };
    in_brackets && has_word(lead, "mỗi")
}

/// True when the amount is one instalment of a schedule ("đợt 1", "mỗi đợt", "lần thứ hai").
pub(crate) fn is_instalment(lead: &str) -> bool {
    has_any(lead, &["đợt", "lần thứ", "mỗi lần", "kỳ"])
}

/// The kind named by specific words, strongest first: court fee, fine, child support,
/// confiscation, wages, damages for life and health, other compensation.
pub(crate) fn specific_kind(w: &str) -> Option<ObligationKind> {
    if has_any(w, &["án phí", "lệ phí"]) {
        Some(ObligationKind::CourtFee)
    } else if is_fine(w) {
        Some(ObligationKind::Fine)
    } else if has_word(w, "cấp dưỡng") {
        Some(ObligationKind::ChildSupport)
    } else if has_any(
        w,
        &[
            "tịch thu",
            "sung quỹ",
            "sung công",
            "ngân sách",
            "công quỹ",
            "quỹ nhà nước",
            "truy thu",
            "truy nộp",
            "thu lợi bất chính",
        ],
    ) {
        Some(ObligationKind::Confiscation)
    } else if is_wages(w) {
        Some(ObligationKind::Wages)
    } else if has_any(w, &["bồi thường", "bồi hoàn"]) && is_life_or_health(w) {
        Some(ObligationKind::LifeHealthDamages)
    } else if has_any(w, &["bồi thường", "bồi hoàn"]) {
        Some(ObligationKind::Compensation)
    } else {
        None
    }
}

/// Wages and labour pay, and the allowances of Art. 47(1)(a) that rank with them.
fn is_wages(w: &str) -> bool {
    has_any(
        w,
        &[
            "tiền lương",
            "tiền công lao động",
            "trả lương",
            "trợ cấp thôi việc",
            "trợ cấp mất việc",
            "trợ cấp mất sức",
        ],
    )
}

/// Damages for harm to life, health or mental suffering (Art. 47(1)(a)).
fn is_life_or_health(w: &str) -> bool {
    has_any(
        w,
        &[
            "tính mạng",
            "sức khỏe",
            "sức khoẻ",
            "tổn thất về tinh thần",
            "tổn thất tinh thần",
            "mai táng",
            "cứu chữa",
        ],
    )
}

/// A criminal or administrative fine, not a contractual penalty (phạt cọc, phạt vi phạm hợp
/// đồng, lãi phạt chậm trả).
fn is_fine(w: &str) -> bool {
    let not_contractual = |after: &str| {
        !["vi phạm", "cọc", "hợp đồng", "chậm"]
            .iter()
            .any(|x| after.trim_start().starts_with(x))
    };
    let named = [
        "phạt tiền",
        "tiền phạt",
        "phạt bổ sung",
        "xử phạt",
        "hình phạt tiền",
    ]
    .iter()
    .any(|p| {
        find_words(w, p)
            .into_iter()
            .any(|at| not_contractual(&w[at + p.len()..]))
    });
    // "Phạt bị cáo A số tiền ...": a sentence opening with the verb "phạt".
    let opening = w
        .trim_start()
        .strip_prefix("phạt ")
        .is_some_and(not_contractual);
    named || opening
}

/// True when `w` names a generic payment.
pub(crate) fn is_payment(w: &str) -> bool {
    has_any(w, &PAY_CUES)
}

/// True when an amount is owed by or to each of several persons ("mỗi người", "mỗi bị cáo").
pub(crate) fn is_each(w: &str) -> bool {
    has_any(
        w,
        &[
            "mỗi người",
            "mỗi bị cáo",
            "mỗi bên",
            "mỗi đương sự",
            "mỗi người con",
        ],
    )
}

/// True when `w` orders something of someone ("buộc", "phải", "có nghĩa vụ").
pub(crate) fn has_order(w: &str) -> bool {
    has_any(
        w,
        &[
            "buộc",
            "phải",
            "có nghĩa vụ",
            "có trách nhiệm",
            "tự nguyện",
            "cam kết",
            "đồng ý",
        ],
    )
}

/// The recurrence named in `w`: "hàng tháng", "mỗi tháng", "/tháng", "hàng quý", "hàng năm".
pub(crate) fn period_of(w: &str) -> Option<Period> {
    if has_any(w, &["một lần", "1 lần"]) {
        return None;
    }
    let rec = |unit: &str| {
        ["hàng", "hằng", "mỗi"]
            .iter()
            .any(|p| has_word(w, &format!("{p} {unit}")))
            || w.contains(&format!("/{unit}"))
            || w.contains(&format!("/ {unit}"))
    };
    if rec("tháng") {
        Some(Period::Monthly)
    } else if rec("quý") {
        Some(Period::Quarterly)
    } else if rec("năm") {
        Some(Period::Yearly)
    } else {
        None
    }
}

/// How a clause answers a claim: rejecting it (no amount in it is owed) or accepting it (only
/// amounts after a "buộc" are owed; the others restate the claim).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claim {
    /// An ordinary clause.
    None,
    /// "Không chấp nhận yêu cầu ...", "Bác yêu cầu ...", "Đình chỉ ...", "Hủy Quyết định ...".
    Rejected,
    /// "Chấp nhận (một phần) yêu cầu ...".
    Accepted,
}

/// Classifies the opening of a clause.
pub(crate) fn claim_of(clause: &str) -> Claim {
    let c = clause.trim_start();
    if ["hủy", "tuyên hủy", "tuyên bố hủy"]
        .iter()
        .any(|p| c.starts_with(p))
    {
        // The amounts describe the annulled decision, not an order.
        return Claim::Rejected;
    }
    let about_claim = has_any(c, &["yêu cầu", "đơn", "kháng cáo", "kháng nghị"]);
    if !about_claim {
        return Claim::None;
    }
    if ["không chấp nhận", "bác", "đình chỉ", "không buộc"]
        .iter()
        .any(|p| c.starts_with(p))
    {
        Claim::Rejected
    } else if ["chấp nhận", "chấp nhận một phần", "chấp nhận toàn bộ"]
        .iter()
        .any(|p| c.starts_with(p))
    {
        Claim::Accepted
    } else {
        Claim::None
    }
}

/// True for "buộc" that gives an order here, not "về việc buộc" restating a claim.
pub(crate) fn ordering_buoc_before(clause: &str, pos: usize) -> bool {
    find_words(&clause[..pos], "buộc").into_iter().any(|b| {
        let before = clause[..b].trim_end();
        !["về việc", "yêu cầu", "đòi", "không"]
            .iter()
            .any(|w| before.ends_with(w))
    })
}

/// Verbs returning property or land.
pub(crate) const RETURN_VERBS: [&str; 6] = [
    "trả lại",
    "giao trả",
    "hoàn trả",
    "giao lại",
    "trả cho",
    "hoàn lại",
];

/// True when a return concerns land rather than a movable thing or a paper.
pub(crate) fn is_land(w: &str) -> bool {
    has_any(w, &["đất", "thửa", "m2", "mét vuông"])
        && !has_any(w, &["giấy chứng nhận", "giấy tờ", "sổ đỏ", "bản chính"])
}

/// True for the usual late-payment interest clause, which orders no amount of its own.
pub(crate) fn is_interest_clause(w: &str) -> bool {
    has_word(w, "lãi") && has_any(w, &["chậm", "lãi suất"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fines_are_not_contract_penalties() {
        assert_eq!(
            specific_kind("phạt tiền bị cáo"),
            Some(ObligationKind::Fine)
        );
        assert_eq!(specific_kind("tiền phạt vi phạm hợp đồng"), None);
        assert_eq!(
            specific_kind("phạt tiền bị cáo x sung quỹ nhà nước"),
            Some(ObligationKind::Fine)
        );
        assert_eq!(
            specific_kind("tịch thu sung ngân sách nhà nước số tiền"),
            Some(ObligationKind::Confiscation)
        );
    }

    #[test]
    fn periods() {
        assert_eq!(
            period_of("cấp dưỡng nuôi con mỗi tháng"),
            Some(Period::Monthly)
        );
        assert_eq!(period_of("/tháng"), Some(Period::Monthly));
        assert_eq!(period_of("cấp dưỡng một lần"), None);
        assert_eq!(period_of("lãi suất 10%/năm"), Some(Period::Yearly));
    }

    #[test]
    fn exclusions() {
        assert!(is_security(
            "tiếp tục tạm giữ số tiền",
            "tiếp tục tạm giữ số tiền",
            ""
        ));
        assert!(is_security("số tiền đặt cọc", "số tiền đặt cọc", ""));
        assert!(!is_security(
            "buộc bà b trả lại tiền đặt cọc",
            "buộc bà b trả lại tiền đặt cọc",
            ""
        ));
        assert!(is_valuation("chiếc xe ô tô trị giá"));
        assert!(!is_valuation("thanh toán giá trị chênh lệch là"));
        assert_eq!(
            claim_of("không chấp nhận yêu cầu của nguyên đơn"),
            Claim::Rejected
        );
    }
}
