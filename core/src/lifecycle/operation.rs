//! The operations (tác nghiệp) staff perform on a case, as commands: what each one carries
//! and its legal basis. Which role may perform which operation, and from which state, is in
//! [`super::machine`].

use serde::{Deserialize, Serialize};
use thads_schemas::money::Vnd;
use thads_schemas::office::OfficeCode;
use time::{Date, OffsetDateTime};

/// A command to perform one operation on a case, as posted by a client.
///
/// Wire form: `{"operation":"issue_decision","params":{...},"effective_on":"2026-03-20",
/// "request_id":"...","reason":"...","documents":[...]}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Command {
    /// The operation and its parameters.
    #[serde(flatten)]
    pub operation: Operation,
    /// The legal day of the act (e.g. the day a notice was served); today when absent.
    #[serde(default, with = "opt_date")]
    pub effective_on: Option<Date>,
    /// A client-chosen id that makes a retried command safe: the same id on the same case
    /// returns the first outcome instead of acting twice.
    #[serde(default)]
    pub request_id: Option<String>,
    /// Why, in the officer's words (required by some operations).
    #[serde(default)]
    pub reason: Option<String>,
    /// Documents issued or relied on (decisions, records, receipts).
    #[serde(default)]
    pub documents: Vec<DocumentRef>,
}

/// Why a posted command cannot be read, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct CommandError {
    /// The field at fault (`body`, `operation`, `params`, `effective_on`, ...).
    pub field: String,
    /// Why.
    pub reason: String,
}

impl Command {
    /// The fields a command may have.
    pub const FIELDS: [&'static str; 6] = [
        "operation",
        "params",
        "effective_on",
        "request_id",
        "reason",
        "documents",
    ];

    /// Reads a command from its JSON body, refusing unknown fields (a misspelt field must
    /// not be silently ignored on a legal act).
    pub fn from_json(body: &[u8]) -> Result<Command, CommandError> {
        let err = |field: &str, reason: String| CommandError {
            field: field.to_string(),
            reason,
        };
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| err("body", format!("not JSON: {e}")))?;
        let Some(map) = value.as_object() else {
            return Err(err("body", "must be a JSON object".into()));
        };
        if let Some(unknown) = map.keys().find(|k| !Self::FIELDS.contains(&k.as_str())) {
            return Err(err(
                unknown,
                format!("unknown field; expected one of {}", Self::FIELDS.join(", ")),
            ));
        }
        if !map.contains_key("operation") {
            return Err(err("operation", "missing".into()));
        }
        let mut value = value;
        let first = serde_json::from_value::<Command>(value.clone());
        let result = match first {
            // Operations whose parameters are all optional may omit `params` altogether.
            Err(e) if e.to_string().contains("missing field `params`") => {
                if let Some(map) = value.as_object_mut() {
                    map.insert("params".into(), serde_json::json!({}));
                }
                serde_json::from_value::<Command>(value).map_err(|_| e)
            }
            other => other,
        };
        result.map_err(|e| {
            let text = e.to_string();
            let field = Self::FIELDS[1..]
                .iter()
                .find(|f| text.contains(&format!("`{f}`")) || text.contains(&format!("{f}:")))
                .copied()
                .unwrap_or(if text.contains("variant") {
                    "operation"
                } else {
                    "params"
                });
            err(field, text)
        })
    }
}

/// A document an operation issues or relies on.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentRef {
    /// What it is, e.g. `quyet_dinh_thi_hanh_an`, `bien_ban_xac_minh`.
    pub kind: String,
    /// Its number and symbol, e.g. `12/QĐ-THADS`.
    #[serde(default)]
    pub number: Option<String>,
    /// Its date.
    #[serde(default, with = "opt_date")]
    pub date: Option<Date>,
}

/// The operations, with their parameters.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(
    tag = "operation",
    content = "params",
    rename_all = "snake_case",
    deny_unknown_fields
)]
pub enum Operation {
    /// Thụ lý: accept the case for enforcement and enter it in the acceptance book.
    Register,
    /// Ra quyết định thi hành án (Art. 36): the head issues the decision to enforce.
    IssueDecision {
        /// Number and symbol of the decision, e.g. `125/QĐ-THADS`.
        decision_number: String,
    },
    /// Phân công Chấp hành viên: the head assigns (or reassigns) the enforcement officer.
    AssignOfficer {
        /// The officer's user name.
        officer: String,
    },
    /// Thông báo (Arts. 39–43): a notice was served on a party; serving it on the debtor starts
    /// the voluntary period.
    Notify {
        /// Who was notified.
        party: NoticeParty,
        /// How it was served; the legal notice date (`effective_on`) follows from it.
        channel: NoticeChannel,
    },
    /// Bắt đầu xác minh (Art. 44): the voluntary period has ended without compliance.
    BeginVerification {
        /// Why verification starts before the voluntary period ends (interim measures, asset
        /// flight); refused without it while the period runs.
        #[serde(default)]
        early_reason: Option<String>,
    },
    /// Kết quả xác minh: the debtor can pay (measures follow) or cannot (a decision that the
    /// case is not yet enforceable follows).
    RecordVerification {
        /// The finding.
        result: VerificationResult,
        /// What was found, for the record.
        findings: String,
    },
    /// Quyết định về việc chưa có điều kiện thi hành án (Art. 44a), by the head.
    DeclareNotEnforceable {
        /// The ground of Art. 44a(1).
        ground: NotEnforceableGround,
        /// Re-verify yearly instead of six-monthly (debtor in prison with ≥ 2 years left, or
        /// address unknown).
        #[serde(default)]
        yearly: bool,
    },
    /// Xác minh lại: periodic re-verification of a case not yet enforceable.
    Reverify,
    /// Áp dụng biện pháp bảo đảm hoặc cưỡng chế.
    ApplyMeasure {
        /// Which measure.
        measure: Measure,
        /// For on-site coercion: when it will take place (never at night, on days off or
        /// around Tết).
        #[serde(default, with = "time::serde::rfc3339::option")]
        scheduled_at: Option<OffsetDateTime>,
        /// The amount frozen or deducted, when the measure is on money.
        #[serde(default)]
        amount_vnd: Option<Vnd>,
        /// For deduction from income: the share of each month's income, in percent (≤ 30).
        #[serde(default)]
        income_percent: Option<u8>,
    },
    /// Thu tiền: money was collected for the case (voluntary payment, deduction, sale).
    RecordCollection {
        /// How much.
        amount_vnd: Vnd,
    },
    /// Chi trả (Art. 47): collected money was paid out.
    Disburse {
        /// How much.
        amount_vnd: Vnd,
        /// To whom: a party's name or `state` for the budget.
        payee: String,
    },
    /// Xác nhận thi hành xong: every obligation has been performed.
    MarkFullyEnforced,
    /// Hoãn thi hành án (Art. 48), by the head.
    Postpone {
        /// The ground of Art. 48(1), e.g. `a` (debtor seriously ill), `b` (creditor agrees).
        ground: String,
        /// The end of the postponement when it has a term; the resume decision is then due
        /// within five working days of it.
        #[serde(default, with = "opt_date")]
        until: Option<Date>,
    },
    /// Tạm đình chỉ thi hành án (Art. 49), by the head.
    Suspend {
        /// The ground (a protest under cassation or reopening, a bankruptcy petition).
        ground: String,
    },
    /// Tiếp tục thi hành án: resume after a postponement or suspension.
    Resume,
    /// Đình chỉ thi hành án (Art. 50), by the head.
    Terminate {
        /// The ground of Art. 50(1).
        ground: String,
    },
    /// Ủy thác thi hành án: entrust the case to another office.
    Transfer {
        /// The office that takes it over.
        to_office: OfficeCode,
    },
    /// Giảm: part of the money due is reduced or exempted by a competent decision.
    Reduce {
        /// How much.
        amount_vnd: Vnd,
    },
    /// Kết thúc hồ sơ: close the file of a finished case.
    Close,
}

impl Operation {
    /// The stored name of the operation.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::IssueDecision { .. } => "issue_decision",
            Self::AssignOfficer { .. } => "assign_officer",
            Self::Notify { .. } => "notify",
            Self::BeginVerification { .. } => "begin_verification",
            Self::RecordVerification { .. } => "record_verification",
            Self::DeclareNotEnforceable { .. } => "declare_not_enforceable",
            Self::Reverify => "reverify",
            Self::ApplyMeasure { .. } => "apply_measure",
            Self::RecordCollection { .. } => "record_collection",
            Self::Disburse { .. } => "disburse",
            Self::MarkFullyEnforced => "mark_fully_enforced",
            Self::Postpone { .. } => "postpone",
            Self::Suspend { .. } => "suspend",
            Self::Resume => "resume",
            Self::Terminate { .. } => "terminate",
            Self::Transfer { .. } => "transfer",
            Self::Reduce { .. } => "reduce",
            Self::Close => "close",
        }
    }

    /// The money the operation moves, for the statistics (collected, paid out, reduced).
    pub fn amount(&self) -> Option<Vnd> {
        match self {
            Self::RecordCollection { amount_vnd }
            | Self::Disburse { amount_vnd, .. }
            | Self::Reduce { amount_vnd } => Some(*amount_vnd),
            Self::ApplyMeasure { amount_vnd, .. } => *amount_vnd,
            _ => None,
        }
    }
}

/// Who a notice was served on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeParty {
    /// Người phải thi hành án.
    Debtor,
    /// Người được thi hành án.
    Creditor,
    /// Người có quyền lợi, nghĩa vụ liên quan, or an agency.
    Other,
}

/// How a notice was served (Arts. 39–43); it decides the legal notice date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeChannel {
    /// Through VNeID: the day the app confirms delivery.
    Vneid,
    /// Handed over directly (trực tiếp) or through another person.
    Direct,
    /// By post.
    Post,
    /// By e-mail (Decree 152/2026 means (đ)).
    Email,
    /// Public posting (niêm yết công khai): the posting date.
    Posting,
    /// Mass media (thông báo trên phương tiện thông tin đại chúng): the second broadcast.
    Media,
}

/// The finding of a verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationResult {
    /// Có điều kiện thi hành án: the debtor has means.
    Able,
    /// Không có điều kiện: no income or attachable assets.
    Unable,
}

/// The grounds of Art. 44a(1) for a case that is not yet enforceable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotEnforceableGround {
    /// (a) No or minimal income and no attachable assets.
    NoMeans,
    /// (b) The specific item to return is gone or unusable.
    ItemGone,
    /// (c) The debtor's address is unknown, or similar.
    AddressUnknown,
}

/// The measures an officer may apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Phong tỏa tài khoản (protective): freeze an account.
    FreezeAccount,
    /// Tạm dừng việc đăng ký, chuyển dịch, thay đổi hiện trạng tài sản (protective).
    SuspendTransactions,
    /// Tạm giữ tài sản, giấy tờ (protective).
    TemporarySeizure,
    /// Tạm hoãn xuất cảnh (protective; only the head may order it).
    ExitBan,
    /// Khấu trừ tiền trong tài khoản (coercive, Art. 76).
    DeductAccount,
    /// Trừ vào thu nhập (coercive, Art. 78): at most 30 % a month unless agreed.
    DeductIncome,
    /// Kê biên, xử lý tài sản (coercive, on site).
    SeizeAssets,
    /// Buộc chuyển giao vật, giấy tờ, quyền sử dụng đất (coercive, on site).
    ForceHandover,
    /// Buộc thực hiện hoặc không thực hiện công việc nhất định (coercive, on site).
    ForceAct,
}

impl Measure {
    /// Protective measures (biện pháp bảo đảm) may be applied at once to stop assets being
    /// hidden, even during the voluntary period; coercive ones only after verification.
    pub fn is_protective(self) -> bool {
        matches!(
            self,
            Self::FreezeAccount
                | Self::SuspendTransactions
                | Self::TemporarySeizure
                | Self::ExitBan
        )
    }

    /// Coercion carried out on site, which must be scheduled outside the forbidden times.
    pub fn is_on_site(self) -> bool {
        matches!(
            self,
            Self::SeizeAssets | Self::ForceHandover | Self::ForceAct
        )
    }
}

mod opt_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub(super) fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&d.to_string()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        let Some(text) = Option::<String>::deserialize(d)? else {
            return Ok(None);
        };
        let format = time::macros::format_description!("[year]-[month]-[day]");
        Date::parse(&text, &format).map(Some).map_err(|e| {
            serde::de::Error::custom(format!("{text:?} is not a YYYY-MM-DD date: {e}"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_from_the_wire_form() {
        let c: Command = serde_json::from_str(
            r#"{"operation":"issue_decision","params":{"decision_number":"12/QĐ-THADS"},
                "effective_on":"2026-03-20","request_id":"r1"}"#,
        )
        .unwrap();
        assert_eq!(c.operation.name(), "issue_decision");
        assert_eq!(c.effective_on.unwrap().to_string(), "2026-03-20");
        let unit: Command = serde_json::from_str(r#"{"operation":"register"}"#).unwrap();
        assert_eq!(unit.operation, Operation::Register);
        let m: Command = serde_json::from_str(
            r#"{"operation":"apply_measure","params":{"measure":"seize_assets","scheduled_at":"2026-03-25T09:00:00+07:00"}}"#,
        )
        .unwrap();
        assert!(matches!(
            m.operation,
            Operation::ApplyMeasure {
                measure: Measure::SeizeAssets,
                scheduled_at: Some(_),
                ..
            }
        ));
    }

    #[test]
    fn bad_commands_say_what_is_wrong() {
        let e = serde_json::from_str::<Command>(r#"{"operation":"fly"}"#).unwrap_err();
        assert!(e.to_string().contains("unknown variant `fly`"), "{e}");
        let e = serde_json::from_str::<Command>(
            r#"{"operation":"record_collection","params":{"amount_vnd":-5}}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("negative"), "{e}");
        let e = serde_json::from_str::<Command>(
            r#"{"operation":"register","effective_on":"20/03/2026"}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("YYYY-MM-DD"), "{e}");
        let e = Command::from_json(br#"{"operation":"register","colour":"red"}"#).unwrap_err();
        assert_eq!(e.field, "colour");
        let e = Command::from_json(br#"{"operation":"fly"}"#).unwrap_err();
        assert_eq!(e.field, "operation");
        let e = Command::from_json(br#"{"params":{}}"#).unwrap_err();
        assert_eq!(e.field, "operation");
        let e = Command::from_json(br#"{"operation":"notify","params":{"party":"debtor"}}"#)
            .unwrap_err();
        assert_eq!(e.field, "params", "{e}");
        assert!(e.reason.contains("channel"), "{e}");
        let e = Command::from_json(b"[1]").unwrap_err();
        assert_eq!(e.field, "body");
        assert!(Command::from_json(br#"{"operation":"register","request_id":"r-1"}"#).is_ok());
        let c = Command::from_json(br#"{"operation":"begin_verification"}"#).unwrap();
        assert_eq!(
            c.operation,
            Operation::BeginVerification { early_reason: None }
        );
    }
}
