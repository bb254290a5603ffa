//! What a decision to enforce says: the fields of the official form (issuing office, number,
//! date, issuer, legal bases, parties, the obligations with their amounts in figures and in
//! words, the voluntary period, the addressees), built from the case's stored data and kept as
//! JSON on the draft so an officer can correct it before the head signs.
//!
//! Ex officio decisions (chủ động, Art. 36(1)) carry what is due to the State — court fees,
//! fines, confiscation — and refunds of advance court fees; on-request decisions (theo yêu cầu,
//! Art. 36(2)) carry what is due to private parties and answer one request for enforcement.

mod from_case;

use serde::{Deserialize, Serialize};
use thads_schemas::money::Vnd;

use super::{DecisionError, DraftKind};

pub use from_case::build;

/// Obligation kinds the office enforces of its own motion (Art. 36(1)): sums due to the State
/// and refunds of advance court fees.
pub const EX_OFFICIO_KINDS: [&str; 5] = [
    "court_fee",
    "fine",
    "confiscation",
    "refund_advance_fee",
    "state_fee",
];

/// The longest text accepted in one edited field, so a draft stays a document.
pub const MAX_FIELD_CHARS: usize = 2_000;

/// The content of a decision to enforce, as the form prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionContent {
    /// Ex officio or on request.
    pub kind: DraftKind,
    /// The case.
    pub case_id: String,
    /// The issuing office's code.
    pub office_code: String,
    /// The body above the issuing office, printed first in the header (cơ quan chủ quản).
    pub parent_body: String,
    /// The issuing office's name as printed (cơ quan ban hành).
    pub office_name: String,
    /// Where it is issued, printed before the date ("Thành phố Hồ Chí Minh, ngày ...").
    pub place: String,
    /// Number and symbol (`12/QĐ-THADS`), assigned by the clerk at issue.
    pub number: Option<String>,
    /// Date of issue (ISO), set by the clerk at issue.
    pub date: Option<String>,
    /// Who issues it (Thủ trưởng cơ quan thi hành án dân sự).
    pub issuer_title: String,
    /// The head who signed it, once approved.
    pub signer_name: Option<String>,
    /// The legal bases (each a "Căn cứ ..." line).
    pub legal_bases: Vec<String>,
    /// The judgment enforced.
    pub judgment: JudgmentRef,
    /// The request answered, for an on-request decision.
    pub request: Option<RequestRef>,
    /// The parties the decision names (identity numbers in full: this is the official
    /// document; they are never logged).
    pub parties: Vec<PartyLine>,
    /// The obligations to enforce.
    pub items: Vec<Item>,
    /// The voluntary-period sentence (Art. 45).
    pub voluntary_period: String,
    /// Nơi nhận: who receives a copy.
    pub addressees: Vec<String>,
}

/// The judgment a decision enforces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JudgmentRef {
    /// Number, e.g. `215/2026/DS-ST`.
    pub number: String,
    /// Date (ISO).
    pub date: String,
    /// Date it took effect (ISO).
    pub effective_date: String,
    /// The court's name.
    pub court_name: String,
}

/// The request an on-request decision answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestRef {
    /// The request's id.
    pub id: String,
    /// Its number in the request book, e.g. `3/2026`.
    pub register_number: String,
    /// Day filed (ISO).
    pub filed_on: String,
    /// Who filed it.
    pub requester_name: String,
}

/// A party as the decision names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyLine {
    /// Reference inside the judgment (`P1`).
    pub party_ref: String,
    /// `creditor`, `debtor` or `interested`.
    pub role: String,
    /// `person` or `organisation`.
    pub kind: String,
    /// Name as the court wrote it.
    pub name: String,
    /// How the document addresses them: "Ông", "Bà", or empty for organisations.
    pub honorific: String,
    /// Identity number (CCCD), in full.
    pub cccd: Option<String>,
    /// Year of birth.
    pub birth_year: Option<i64>,
    /// Address.
    pub address: Option<String>,
}

/// One obligation to enforce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Position in the judgment, from 1.
    pub position: i64,
    /// Kind (`court_fee`, `pay_money`, ...).
    pub kind: String,
    /// The kind in Vietnamese.
    pub kind_vi: String,
    /// Debtor party reference.
    pub debtor_ref: String,
    /// The debtor's name.
    pub debtor_name: String,
    /// Who receives it: a party's name, or the State budget.
    pub creditor_name: String,
    /// Amount in whole đồng, when the obligation is money.
    pub amount_vnd: Option<i64>,
    /// The amount in figures, `7.500.000 đồng` (recomputed on every save).
    pub amount_figures: Option<String>,
    /// The amount in words, `Bảy triệu năm trăm nghìn đồng` (recomputed on every save).
    pub amount_words: Option<String>,
    /// What the judgment says of it.
    pub description: Option<String>,
}

/// The fields an officer may correct while the decision is a draft (`PUT`); absent fields
/// stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentPatch {
    /// The body above the issuing office.
    pub parent_body: Option<String>,
    /// The issuing office's name.
    pub office_name: Option<String>,
    /// Place of issue.
    pub place: Option<String>,
    /// The issuer's title.
    pub issuer_title: Option<String>,
    /// The legal bases, replaced whole.
    pub legal_bases: Option<Vec<String>>,
    /// The obligations kept, with corrected amounts or descriptions; obligations not listed
    /// are dropped from the decision.
    pub items: Option<Vec<ItemPatch>>,
    /// The voluntary-period sentence.
    pub voluntary_period: Option<String>,
    /// Nơi nhận, replaced whole.
    pub addressees: Option<Vec<String>>,
}

/// A correction of one obligation, named by its position.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemPatch {
    /// Which obligation (its position in the judgment).
    pub position: i64,
    /// The corrected amount.
    #[serde(default)]
    pub amount_vnd: Option<Vnd>,
    /// The corrected description.
    #[serde(default)]
    pub description: Option<String>,
}

/// The voluntary-period sentence of Art. 45 (10 days since the 2014 amendment).
pub const VOLUNTARY_PERIOD_VI: &str = "Người phải thi hành án có thời hạn 10 (mười) ngày, kể từ \
     ngày nhận được Quyết định này hoặc được thông báo hợp lệ Quyết định này, để tự nguyện thi \
     hành án (Điều 45 Luật Thi hành án dân sự). Hết thời hạn trên, nếu không tự nguyện thi hành \
     thì bị cưỡng chế thi hành án theo quy định của pháp luật.";

/// The law the default legal bases cite.
pub const LAW_VI: &str =
    "Luật Thi hành án dân sự năm 2008, được sửa đổi, bổ sung năm 2014 và các năm tiếp theo";

/// Whether an obligation of `kind` owed to `creditor` is enforced ex officio.
pub fn is_ex_officio(kind: &str, creditor: Option<&str>) -> bool {
    EX_OFFICIO_KINDS.contains(&kind) || creditor.is_none()
}

/// The Vietnamese name of an obligation kind.
pub fn kind_vi(kind: &str) -> &'static str {
    match kind {
        "pay_money" => "Trả tiền",
        "compensation" => "Bồi thường thiệt hại",
        "child_support" => "Cấp dưỡng",
        "wages" => "Tiền lương, tiền công lao động, trợ cấp",
        "life_health_damages" => "Bồi thường thiệt hại về tính mạng, sức khỏe, tổn thất tinh thần",
        "court_fee" => "Án phí",
        "state_fee" => "Lệ phí Tòa án",
        "fine" => "Tiền phạt",
        "confiscation" => "Tịch thu sung quỹ Nhà nước",
        "refund_advance_fee" => "Hoàn trả tiền tạm ứng án phí",
        "return_property" => "Trả lại tài sản",
        _ => "Nghĩa vụ khác",
    }
}

/// A date as documents print it: `12/03/2026`.
pub fn vn_date(iso: &str) -> String {
    match crate::deadlines::store::parse_iso(iso) {
        Some(d) => format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year()),
        None => iso.to_string(),
    }
}

/// The header names of an office from its code (`HCM-KV01` → Thành phố Hồ Chí Minh, khu vực
/// 1): (parent body, office name, place). Unknown provinces fall back to the code; every
/// field can be corrected on the draft.
pub fn office_names(code: &str) -> (String, String, String) {
    let (province, region) = match code.split_once('-') {
        Some((p, r)) => (p, Some(r)),
        None => (code, None),
    };
    let place = match province {
        "HCM" => "Thành phố Hồ Chí Minh",
        "HNI" => "Thành phố Hà Nội",
        "HPG" => "Thành phố Hải Phòng",
        "DNG" => "Thành phố Đà Nẵng",
        "CTO" => "Thành phố Cần Thơ",
        "HUE" => "Thành phố Huế",
        _ => "",
    };
    let place = if place.is_empty() {
        province.to_string()
    } else {
        place.to_string()
    };
    let parent = format!("THI HÀNH ÁN DÂN SỰ {}", place.to_uppercase());
    let office = match region.and_then(|r| r.strip_prefix("KV")) {
        Some(n) => format!(
            "PHÒNG THI HÀNH ÁN DÂN SỰ KHU VỰC {}",
            n.trim_start_matches('0')
        ),
        None => match region {
            Some(r) => format!("CƠ QUAN THI HÀNH ÁN DÂN SỰ {r}"),
            None => parent.clone(),
        },
    };
    (parent, office, place)
}

/// Fills in what is derived (amounts in figures and words) and checks what an edit may have
/// broken; called before every save.
pub fn normalize(content: &mut DecisionContent) -> Result<(), DecisionError> {
    if content.items.is_empty() {
        return Err(DecisionError::invalid(
            "items",
            "a decision must keep at least one obligation",
        ));
    }
    for item in &mut content.items {
        match item.amount_vnd {
            Some(a) => {
                let v = Vnd::new(a)
                    .map_err(|e| DecisionError::invalid("items.amount_vnd", e.to_string()))?;
                item.amount_figures = Some(v.to_string());
                item.amount_words = Some(v.in_words());
            }
            None => {
                item.amount_figures = None;
                item.amount_words = None;
            }
        }
    }
    let texts = [
        ("parent_body", &content.parent_body),
        ("office_name", &content.office_name),
        ("place", &content.place),
        ("issuer_title", &content.issuer_title),
        ("voluntary_period", &content.voluntary_period),
    ];
    for (field, text) in texts {
        check_text(field, text)?;
    }
    if content.legal_bases.is_empty() {
        return Err(DecisionError::invalid(
            "legal_bases",
            "a decision cites at least one legal basis",
        ));
    }
    for b in content.legal_bases.iter().chain(&content.addressees) {
        check_text("legal_bases", b)?;
    }
    Ok(())
}

fn check_text(field: &str, text: &str) -> Result<(), DecisionError> {
    if text.trim().is_empty() {
        return Err(DecisionError::invalid(field, "must not be empty"));
    }
    if text.chars().count() > MAX_FIELD_CHARS {
        return Err(DecisionError::invalid(
            field,
            format!("longer than {MAX_FIELD_CHARS} characters"),
        ));
    }
    Ok(())
}

/// Applies an officer's corrections.
pub fn apply_patch(
    content: &mut DecisionContent,
    patch: ContentPatch,
) -> Result<(), DecisionError> {
    let nfc = |s: String| thads_schemas::text::nfc(s.trim());
    if let Some(v) = patch.parent_body {
        content.parent_body = nfc(v);
    }
    if let Some(v) = patch.office_name {
        content.office_name = nfc(v);
    }
    if let Some(v) = patch.place {
        content.place = nfc(v);
    }
    if let Some(v) = patch.issuer_title {
        content.issuer_title = nfc(v);
    }
    if let Some(v) = patch.voluntary_period {
        content.voluntary_period = nfc(v);
    }
    if let Some(v) = patch.legal_bases {
        content.legal_bases = v.into_iter().map(nfc).collect();
    }
    if let Some(v) = patch.addressees {
        content.addressees = v.into_iter().map(nfc).collect();
    }
    if let Some(items) = patch.items {
        let mut kept = Vec::with_capacity(items.len());
        for p in items {
            let Some(mut item) = content
                .items
                .iter()
                .find(|i| i.position == p.position)
                .cloned()
            else {
                return Err(DecisionError::invalid(
                    "items.position",
                    format!("the decision has no obligation at position {}", p.position),
                ));
            };
            if let Some(a) = p.amount_vnd {
                item.amount_vnd = Some(a.amount());
            }
            if let Some(d) = p.description {
                item.description = Some(nfc(d));
            }
            kept.push(item);
        }
        content.items = kept;
    }
    normalize(content)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn state_items_are_ex_officio() {
        assert!(is_ex_officio("court_fee", None));
        assert!(is_ex_officio("fine", Some("P1")));
        assert!(is_ex_officio("refund_advance_fee", Some("P1")));
        assert!(is_ex_officio("other", None));
        assert!(!is_ex_officio("pay_money", Some("P1")));
        assert!(!is_ex_officio("child_support", Some("P3")));
    }

    #[test]
    fn office_names_follow_the_code() {
        let (parent, office, place) = office_names("HCM-KV01");
        assert_eq!(parent, "THI HÀNH ÁN DÂN SỰ THÀNH PHỐ HỒ CHÍ MINH");
        assert_eq!(office, "PHÒNG THI HÀNH ÁN DÂN SỰ KHU VỰC 1");
        assert_eq!(place, "Thành phố Hồ Chí Minh");
        let (_, office, place) = office_names("XYZ-A1");
        assert_eq!(office, "CƠ QUAN THI HÀNH ÁN DÂN SỰ A1");
        assert_eq!(place, "XYZ");
    }

    #[test]
    fn dates_print_day_first() {
        assert_eq!(vn_date("2026-03-12"), "12/03/2026");
        assert_eq!(vn_date("garbage"), "garbage");
    }

    fn sample() -> DecisionContent {
        DecisionContent {
            kind: DraftKind::ExOfficio,
            case_id: "case-1".into(),
            office_code: "HCM-KV01".into(),
            parent_body: "P".into(),
            office_name: "O".into(),
            place: "Thành phố Hồ Chí Minh".into(),
            number: None,
            date: None,
            issuer_title: "Thủ trưởng".into(),
            signer_name: None,
            legal_bases: vec!["Căn cứ".into()],
            judgment: JudgmentRef {
                number: "215/2026/DS-ST".into(),
                date: "2026-03-12".into(),
                effective_date: "2026-04-13".into(),
                court_name: "Tòa".into(),
            },
            request: None,
            parties: vec![],
            items: vec![Item {
                position: 2,
                kind: "court_fee".into(),
                kind_vi: "Án phí".into(),
                debtor_ref: "P2".into(),
                debtor_name: "Trần Thị Bình".into(),
                creditor_name: "Ngân sách Nhà nước".into(),
                amount_vnd: Some(7_500_000),
                amount_figures: None,
                amount_words: None,
                description: None,
            }],
            voluntary_period: VOLUNTARY_PERIOD_VI.into(),
            addressees: vec!["Lưu".into()],
        }
    }

    #[test]
    fn amounts_are_written_in_figures_and_words() {
        let mut c = sample();
        normalize(&mut c).unwrap();
        assert_eq!(c.items[0].amount_figures.as_deref(), Some("7.500.000 đồng"));
        assert_eq!(
            c.items[0].amount_words.as_deref(),
            Some("Bảy triệu năm trăm nghìn đồng")
        );
    }

    #[test]
    fn patches_correct_and_are_checked() {
        let mut c = sample();
        let patch: ContentPatch = serde_json::from_str(
            r#"{"place":" Hà Nội ","items":[{"position":2,"amount_vnd":150000000}]}"#,
        )
        .unwrap();
        apply_patch(&mut c, patch).unwrap();
        assert_eq!(c.place, "Hà Nội");
        assert_eq!(
            c.items[0].amount_words.as_deref(),
            Some("Một trăm năm mươi triệu đồng")
        );
        let bad: ContentPatch = serde_json::from_str(r#"{"items":[{"position":9}]}"#).unwrap();
        let e = apply_patch(&mut c, bad).unwrap_err();
        assert!(e.to_string().contains("items.position"), "{e}");
        let empty: ContentPatch = serde_json::from_str(r#"{"legal_bases":[]}"#).unwrap();
        assert!(apply_patch(&mut c, empty).is_err());
        assert!(serde_json::from_str::<ContentPatch>(r#"{"number":"1"}"#).is_err());
    }
}
