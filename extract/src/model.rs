//! The extraction result: what the parser proposes from one judgment, in its JSON shape.
//!
//! Everything here is a proposal for an enforcement officer to confirm or correct, so each type
//! keeps what the text said (names as written, the source sentence) rather than internal ids.

use serde::{Deserialize, Serialize};

/// Everything pulled out of one judgment or court decision.
///
/// Serialised as `{"judgment":{..},"parties":[..],"obligations":[..],"warnings":[..]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Extraction {
    /// Header data: court, number, date, kind of case.
    pub judgment: JudgmentInfo,
    /// The parties (đương sự) named in the judgment, in order of appearance.
    pub parties: Vec<ExtractedParty>,
    /// Every obligation of the operative part (phần quyết định), in order of appearance.
    pub obligations: Vec<ExtractedObligation>,
    /// What could not be read or looked doubtful, for the officer who checks the proposal.
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// Header data of the judgment (bản án) or decision (quyết định).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct JudgmentInfo {
    /// Issuing court, e.g. "Tòa án nhân dân tỉnh Lào Cai".
    pub court: Option<String>,
    /// Number as printed, e.g. `215/2026/DS-ST`.
    pub number: Option<String>,
    /// Date of the judgment, ISO `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Kind of case, from the symbol of the number (DS, HS, HNGĐ, KDTM, LĐ, HC, PS).
    pub kind: Option<CaseKind>,
}

/// Kind of case, read from the symbol in the judgment number; it decides which procedure and
/// which fee schedule the enforcement office applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// DS: dân sự.
    Civil,
    /// HS: hình sự.
    Criminal,
    /// HNGĐ: hôn nhân và gia đình.
    Family,
    /// KDTM: kinh doanh, thương mại.
    Commercial,
    /// LĐ: lao động.
    Labour,
    /// HC: hành chính.
    Administrative,
    /// PS: phá sản.
    Bankruptcy,
}

/// A party (đương sự) as the judgment names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractedParty {
    /// Display name: person names title-cased ("Nguyễn Thị Lan"), organisations as written.
    pub name: String,
    /// Role in enforcement, mapped from the procedural role (nguyên đơn, bị cáo, ...).
    pub role: Role,
    /// 12-digit citizen identity number (CCCD) when the text gives one.
    pub cccd: Option<String>,
    /// Enterprise code (mã số doanh nghiệp / mã số thuế) of an organisation.
    pub business_code: Option<String>,
    /// Address or place of residence as written.
    pub address: Option<String>,
    /// Year of birth (sinh năm / sinh ngày ...).
    pub birth_year: Option<u16>,
}

/// Role of a party in enforcement, the same three roles as `thads_schemas::court::PartyRole`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Người được thi hành án: nguyên đơn, bị hại, người khởi kiện, người yêu cầu.
    Creditor,
    /// Người phải thi hành án: bị đơn, bị cáo, người bị kiện.
    Debtor,
    /// Người có quyền lợi, nghĩa vụ liên quan.
    Interested,
}

/// One obligation of the operative part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractedObligation {
    /// What has to be done.
    pub kind: ObligationKind,
    /// Who must perform it: a party name as in [`Extraction::parties`], `"state"` when the
    /// enforcement office itself pays (refund of an advance fee, return of seized property), or
    /// `null` when the text does not say.
    pub debtor: Option<String>,
    /// Who benefits: a party name, `"state"` for the State budget, or `null` when unknown.
    pub creditor: Option<String>,
    /// Amount in whole đồng; `null` for non-money obligations (return of land, confiscation
    /// of an object).
    pub amount_vnd: Option<i64>,
    /// Recurrence of the amount (cấp dưỡng hàng tháng); `null` for a one-off obligation.
    pub period: Option<Period>,
    /// Whether the office enforces it on its own motion or on a creditor's request.
    pub initiation: Initiation,
    /// The sentence of the operative part it was read from (NFC, spaces collapsed).
    pub text: String,
}

/// Kinds of obligation found in operative parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObligationKind {
    /// Trả tiền, thanh toán, trả nợ, chênh lệch tài sản.
    PayMoney,
    /// Bồi thường thiệt hại (to property, or of an unspecified kind).
    Compensation,
    /// Cấp dưỡng (usually nuôi con, monthly).
    ChildSupport,
    /// Tiền lương, tiền công lao động, trợ cấp thôi việc, mất việc làm, mất sức lao động.
    Wages,
    /// Bồi thường thiệt hại về tính mạng, sức khỏe, tổn thất về tinh thần.
    LifeHealthDamages,
    /// Án phí, lệ phí Tòa án, owed to the State.
    CourtFee,
    /// Phạt tiền (criminal or additional penalty), owed to the State.
    Fine,
    /// Tịch thu sung quỹ / ngân sách Nhà nước, truy thu thu lợi bất chính.
    Confiscation,
    /// Tịch thu tiêu hủy: confiscation and destruction of exhibits.
    Destruction,
    /// Hoàn trả tiền tạm ứng án phí: the office refunds an advance court fee.
    RefundAdvanceFee,
    /// Trả lại / giao trả tài sản (or seized money returned by the office).
    ReturnProperty,
    /// Trả lại đất, giao trả quyền sử dụng đất, tháo dỡ để trả lại đất.
    ReturnLand,
    /// Any other order addressed to a party ("buộc ... phải ..."), without an amount.
    Other,
}

impl ObligationKind {
    /// The wire name (`pay_money`, `court_fee`, ...), as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PayMoney => "pay_money",
            Self::Compensation => "compensation",
            Self::ChildSupport => "child_support",
            Self::Wages => "wages",
            Self::LifeHealthDamages => "life_health_damages",
            Self::CourtFee => "court_fee",
            Self::Fine => "fine",
            Self::Confiscation => "confiscation",
            Self::Destruction => "destruction",
            Self::RefundAdvanceFee => "refund_advance_fee",
            Self::ReturnProperty => "return_property",
            Self::ReturnLand => "return_land",
            Self::Other => "other",
        }
    }

    /// Every kind, for lookups by wire name.
    pub const ALL: [ObligationKind; 13] = [
        Self::PayMoney,
        Self::Compensation,
        Self::ChildSupport,
        Self::Wages,
        Self::LifeHealthDamages,
        Self::CourtFee,
        Self::Fine,
        Self::Confiscation,
        Self::Destruction,
        Self::RefundAdvanceFee,
        Self::ReturnProperty,
        Self::ReturnLand,
        Self::Other,
    ];

    /// Reads a wire name.
    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Kinds always owed to the State budget (creditor `"state"`).
    pub fn owed_to_state(self) -> bool {
        matches!(
            self,
            Self::CourtFee | Self::Fine | Self::Confiscation | Self::Destruction
        )
    }
}

/// Recurrence of a periodic obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Hàng tháng / mỗi tháng: the amount is due every month.
    Monthly,
    /// Hàng quý / mỗi quý.
    Quarterly,
    /// Hàng năm / mỗi năm.
    Yearly,
}

/// Who starts enforcement (see DOMAIN.md §1, Art. 36 of the 2008 law).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Initiation {
    /// Chủ động: court fees, fines, confiscation, other sums due to the State, refunds of
    /// advance fees and returns of seized property.
    ExOfficio,
    /// Theo đơn yêu cầu: sums and property due to private parties.
    OnRequest,
}

/// The creditor or debtor name used for the State (budget, or the office refunding a fee).
pub const STATE: &str = "state";
