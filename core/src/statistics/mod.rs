//! Statistics of civil judgment enforcement (thống kê thi hành án dân sự): the figures the
//! whole system is judged by, counted by case (về việc) and by money (về tiền), per regional
//! office, province and the nation, for a statistics year, a month or any date range.
//!
//! - [`compute`]: pulls per-case facts for a period from the case tables and tallies them.
//! - [`forms`]: the main report forms (biểu mẫu) built from the figures.
//! - [`export`]: the forms as CSV and XLSX.
//! - [`complaints`]: complaints and denunciations received, answered and overdue.
//!
//! `docs/statistics.md` gives the definitions, formulas and the choices still to confirm
//! against Thông tư 05/2024/TT-BTP.

pub mod complaints;
mod compute;
pub mod export;
#[cfg(test)]
mod fixture;
pub mod forms;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Serialize, Serializer};
use time::{Date, Month};

pub use compute::compute;

#[cfg(test)]
use crate::db::Db;

/// A request parameter that cannot be used, naming the field so the HTTP layer can answer
/// 422 with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ParamError {
    /// The parameter at fault (`year`, `month`, `from`, `to`, `level`, `code`, `form`, ...).
    pub field: &'static str,
    /// Why it cannot be used.
    pub reason: String,
}

impl ParamError {
    fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}

/// Why figures could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    /// The database failed.
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    /// A case carries a value the statistics do not know how to classify; counting it
    /// anywhere would silently falsify a form, so the computation stops and names it.
    #[error("case {case_id}: unknown {field} {value:?}")]
    UnknownValue {
        /// The case.
        case_id: String,
        /// The column (`initiation`, `judgment_kind`).
        field: &'static str,
        /// The stored value.
        value: String,
    },
}

// ---------------------------------------------------------------------------------------------
// Periods

/// How a period was asked for; it decides labels and a few headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// A statistics year (năm thống kê): 1 October of the year before to 30 September.
    Year,
    /// A calendar month (tháng).
    Month,
    /// Any explicit date range (từ ngày … đến ngày …).
    Range,
}

/// The reporting period [from, to], both days included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    kind: PeriodKind,
    from: Date,
    to: Date,
}

impl Period {
    /// The statistics year `year` (năm thống kê N): 1 October N−1 to 30 September N, the year
    /// the Government reports to the National Assembly on.
    pub fn statistics_year(year: i32) -> Result<Self, ParamError> {
        if !(1900..=9999).contains(&year) {
            return Err(ParamError::new(
                "year",
                "must be a year between 1900 and 9999",
            ));
        }
        let from = Date::from_calendar_date(year - 1, Month::October, 1)
            .map_err(|e| ParamError::new("year", e.to_string()))?;
        let to = Date::from_calendar_date(year, Month::September, 30)
            .map_err(|e| ParamError::new("year", e.to_string()))?;
        Ok(Self {
            kind: PeriodKind::Year,
            from,
            to,
        })
    }

    /// The calendar month `month` (1–12) of `year`, for monthly reports.
    pub fn month(year: i32, month: u8) -> Result<Self, ParamError> {
        if !(1900..=9999).contains(&year) {
            return Err(ParamError::new(
                "month",
                "the year must be between 1900 and 9999",
            ));
        }
        let m = Month::try_from(month)
            .map_err(|_| ParamError::new("month", "the month must be 01 to 12"))?;
        let from = Date::from_calendar_date(year, m, 1)
            .map_err(|e| ParamError::new("month", e.to_string()))?;
        let to = Date::from_calendar_date(year, m, m.length(year))
            .map_err(|e| ParamError::new("month", e.to_string()))?;
        Ok(Self {
            kind: PeriodKind::Month,
            from,
            to,
        })
    }

    /// An explicit range, for ad-hoc questions (quarters, six months, a campaign).
    pub fn between(from: Date, to: Date) -> Result<Self, ParamError> {
        if from > to {
            return Err(ParamError::new("to", "must not be before from"));
        }
        Ok(Self {
            kind: PeriodKind::Range,
            from,
            to,
        })
    }

    /// The period from query parameters: exactly one of `year=2026`, `month=2026-03` or the
    /// pair `from=2026-01-01&to=2026-03-31`.
    pub fn parse(
        year: Option<&str>,
        month: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Self, ParamError> {
        let ranged = from.is_some() || to.is_some();
        let given =
            usize::from(year.is_some()) + usize::from(month.is_some()) + usize::from(ranged);
        if given == 0 {
            return Err(ParamError::new(
                "year",
                "give a period: year=YYYY, month=YYYY-MM, or from=YYYY-MM-DD&to=YYYY-MM-DD",
            ));
        }
        if given > 1 {
            let field = if month.is_some() { "month" } else { "from" };
            return Err(ParamError::new(
                field,
                "give only one of year, month or from/to",
            ));
        }
        if let Some(y) = year {
            let y = parse_year(y).ok_or_else(|| ParamError::new("year", "must be YYYY"))?;
            return Self::statistics_year(y);
        }
        if let Some(m) = month {
            let (y, mo) = m
                .split_once('-')
                .filter(|(y, mo)| y.len() == 4 && mo.len() == 2)
                .and_then(|(y, mo)| Some((parse_year(y)?, mo.parse::<u8>().ok()?)))
                .ok_or_else(|| ParamError::new("month", "must be YYYY-MM"))?;
            return Self::month(y, mo);
        }
        let from = from.ok_or_else(|| ParamError::new("from", "required with to"))?;
        let to = to.ok_or_else(|| ParamError::new("to", "required with from"))?;
        let from = parse_date(from).ok_or_else(|| ParamError::new("from", "must be YYYY-MM-DD"))?;
        let to = parse_date(to).ok_or_else(|| ParamError::new("to", "must be YYYY-MM-DD"))?;
        Self::between(from, to)
    }

    /// How the period was asked for.
    pub fn kind(&self) -> PeriodKind {
        self.kind
    }

    /// The first day.
    pub fn from(&self) -> Date {
        self.from
    }

    /// The last day (included).
    pub fn to(&self) -> Date {
        self.to
    }

    /// The first day as ISO text, the form dates are stored in.
    pub fn from_iso(&self) -> String {
        iso(self.from)
    }

    /// The last day as ISO text.
    pub fn to_iso(&self) -> String {
        iso(self.to)
    }

    /// A Vietnamese label for titles ("Năm thống kê 2026 (01/10/2025 – 30/09/2026)").
    pub fn label(&self) -> String {
        let span = format!("{} – {}", dmy(self.from), dmy(self.to));
        match self.kind {
            PeriodKind::Year => format!("Năm thống kê {} ({span})", self.to.year()),
            PeriodKind::Month => format!(
                "Tháng {:02}/{} ({span})",
                u8::from(self.from.month()),
                self.from.year()
            ),
            PeriodKind::Range => format!("Từ {} đến {}", dmy(self.from), dmy(self.to)),
        }
    }

    /// A short ASCII token for file names (`2026`, `2026-03`, `2026-01-01_2026-03-31`).
    pub fn slug(&self) -> String {
        match self.kind {
            PeriodKind::Year => self.to.year().to_string(),
            PeriodKind::Month => format!("{}-{:02}", self.from.year(), u8::from(self.from.month())),
            PeriodKind::Range => format!("{}_{}", self.from_iso(), self.to_iso()),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View {
            kind: PeriodKind,
            from: String,
            to: String,
            label: String,
        }
        View {
            kind: self.kind,
            from: self.from_iso(),
            to: self.to_iso(),
            label: self.label(),
        }
        .serialize(s)
    }
}

fn parse_year(s: &str) -> Option<i32> {
    (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn parse_date(s: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    (s.len() == 10)
        .then(|| Date::parse(s, &format).ok())
        .flatten()
}

fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn dmy(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year())
}

// ---------------------------------------------------------------------------------------------
// Levels and scopes

/// The administrative level a row of figures stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// One enforcement body: a regional office (Phòng THADS khu vực) or a provincial body's own
    /// cases (its office code has no `-`).
    Office,
    /// A province or centrally-run city (tỉnh, thành phố): all its offices.
    Province,
    /// The nation (toàn quốc).
    Nation,
}

impl Level {
    /// Reads `nation`, `province` or `office`.
    pub fn parse(s: &str) -> Result<Self, ParamError> {
        match s {
            "office" => Ok(Self::Office),
            "province" => Ok(Self::Province),
            "nation" => Ok(Self::Nation),
            _ => Err(ParamError::new(
                "level",
                "must be nation, province or office",
            )),
        }
    }

    /// The name used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Office => "office",
            Self::Province => "province",
            Self::Nation => "nation",
        }
    }

    /// The Vietnamese name shown on the forms.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Office => "Đơn vị",
            Self::Province => "Tỉnh, thành phố",
            Self::Nation => "Toàn quốc",
        }
    }
}

/// Which cases a computation covers: everything, one province, or one office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "level", content = "code", rename_all = "snake_case")]
pub enum Scope {
    /// Every office in the nation.
    Nation,
    /// One province (its code, e.g. `HCM`): its regional offices and its own cases.
    Province(String),
    /// One office (its full code, e.g. `HCM-KV01`).
    Office(String),
}

impl Scope {
    /// The scope of a `code` parameter: a code with `-` is an office, one without a province.
    pub fn of_code(code: &str) -> Result<Self, ParamError> {
        let ok = !code.is_empty()
            && code.len() <= 40
            && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !code.starts_with('-')
            && !code.ends_with('-');
        if !ok {
            return Err(ParamError::new(
                "code",
                "must be a province code (HCM) or an office code (HCM-KV01): letters, digits and '-'",
            ));
        }
        Ok(if code.contains('-') {
            Self::Office(code.to_string())
        } else {
            Self::Province(code.to_string())
        })
    }

    /// Whether a case of `office_code` falls in the scope.
    pub fn contains(&self, office_code: &str) -> bool {
        match self {
            Self::Nation => true,
            Self::Province(p) => province_of(office_code) == p,
            Self::Office(o) => office_code == o,
        }
    }

    /// The coarsest level whose figures the scope holds completely.
    pub fn level(&self) -> Level {
        match self {
            Self::Nation => Level::Nation,
            Self::Province(_) => Level::Province,
            Self::Office(_) => Level::Office,
        }
    }

    /// The code, for file names and titles (`VN` for the nation).
    pub fn code(&self) -> &str {
        match self {
            Self::Nation => "VN",
            Self::Province(c) | Self::Office(c) => c,
        }
    }
}

/// What a request selects: the scope of cases and the level of its rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Selection {
    /// The cases covered.
    pub scope: Scope,
    /// The level of the rows shown.
    pub level: Level,
}

impl Selection {
    /// Reads `level` and `code`. Without `level` the rows are at `default_level` if the scope
    /// allows it, else at the scope's own level; a level coarser than the scope is refused
    /// (a province's figures cannot be shown from one office).
    pub fn parse(
        level: Option<&str>,
        code: Option<&str>,
        default_level: Level,
    ) -> Result<Self, ParamError> {
        let scope = match code {
            Some(c) => Scope::of_code(c)?,
            None => Scope::Nation,
        };
        let level = match level {
            Some(l) => {
                let l = Level::parse(l)?;
                if l > scope.level() {
                    return Err(ParamError::new(
                        "level",
                        format!(
                            "level {} cannot be shown for code {}: use a coarser code or none",
                            l.as_str(),
                            scope.code()
                        ),
                    ));
                }
                l
            }
            None => default_level.min(scope.level()),
        };
        Ok(Self { scope, level })
    }
}

/// The province of an office code: the part before the first `-` (`HCM-KV01` → `HCM`); a code
/// without `-` is a provincial body and its own province.
pub fn province_of(office_code: &str) -> &str {
    office_code
        .split_once('-')
        .map_or(office_code, |(province, _)| province)
}

// ---------------------------------------------------------------------------------------------
// Classifications

/// Who started enforcement: the breakdown "chủ động / theo đơn" of the forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Initiation {
    /// Chủ động: the enforcement body acts on its own (fines, confiscation, state money).
    ExOfficio,
    /// Theo đơn: on the request of the creditor.
    OnRequest,
}

impl Initiation {
    /// Every value, in form order.
    pub const ALL: [Self; 2] = [Self::ExOfficio, Self::OnRequest];

    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ExOfficio => "ex_officio",
            Self::OnRequest => "on_request",
        }
    }

    /// Reads a stored value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.as_str() == s)
    }

    /// The Vietnamese column name.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::ExOfficio => "Chủ động",
            Self::OnRequest => "Theo đơn",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The kind of judgment enforced: the breakdown by "loại việc" (indicator 1905); the same
/// kinds the case intake reads from the judgment number.
pub use thads_schemas::court::JudgmentKind;

/// Position of a kind in [`JudgmentKind::ALL`], for the tally arrays.
fn kind_index(kind: JudgmentKind) -> usize {
    JudgmentKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(JudgmentKind::ALL.len() - 1)
}

// ---------------------------------------------------------------------------------------------
// Figures

/// Whether a column counts cases (về việc) or money (về tiền); the two differ in what is
/// carried to the next period and in the rate's numerator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Số việc: one enforcement decision is one case.
    Cases,
    /// Số tiền: whole đồng.
    Money,
}

/// A completion rate in basis points (hundredths of a percent), computed with integers and
/// rounded half up; `None` when the base is zero. Serialized as a string with two decimals
/// (`"83.10"`) so no float ever touches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rate(Option<i64>);

impl Rate {
    /// `numerator / base × 100`, to two decimals.
    pub fn of(numerator: i64, base: i64) -> Self {
        if base <= 0 || numerator < 0 {
            return Self(None);
        }
        let n = i128::from(numerator) * 10_000 * 2 + i128::from(base);
        let bp = n / (2 * i128::from(base));
        Self(i64::try_from(bp).ok())
    }

    /// The rate in basis points (8310 = 83.10 %), if the base is not zero.
    pub fn basis_points(self) -> Option<i64> {
        self.0
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(bp) => write!(f, "{}.{:02}", bp / 100, bp % 100),
            None => Ok(()),
        }
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(_) => s.serialize_str(&self.to_string()),
            None => s.serialize_none(),
        }
    }
}

/// One integer column of the forms; the same list serves cases and money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    /// Tổng số thụ lý = carried over + new.
    TotalAccepted,
    /// Năm (kỳ) trước chuyển sang.
    CarriedOver,
    /// Thụ lý mới.
    New,
    /// Ủy thác đi: sent to another enforcement body during the period.
    Transferred,
    /// Phải thi hành = carried over + new − transferred.
    ToEnforce,
    /// Chưa có điều kiện thi hành (Art. 44a) at the end of the period.
    NotYetEnforceable,
    /// Có điều kiện thi hành = to enforce − not yet enforceable.
    Enforceable,
    /// Thi hành xong.
    Done,
    /// Đình chỉ thi hành án.
    Terminated,
    /// Giảm thi hành án (money reduced; for cases, the cases with a reduction).
    Reduced,
    /// Chuyển kỳ sau: still to enforce at the end of the period.
    Running,
}

impl Column {
    /// Every column, in form order.
    pub const ALL: [Self; 11] = [
        Self::TotalAccepted,
        Self::CarriedOver,
        Self::New,
        Self::Transferred,
        Self::ToEnforce,
        Self::NotYetEnforceable,
        Self::Enforceable,
        Self::Done,
        Self::Terminated,
        Self::Reduced,
        Self::Running,
    ];

    /// A stable key for JSON and tests.
    pub fn key(self) -> &'static str {
        match self {
            Self::TotalAccepted => "total_accepted",
            Self::CarriedOver => "carried_over",
            Self::New => "new",
            Self::Transferred => "transferred",
            Self::ToEnforce => "to_enforce",
            Self::NotYetEnforceable => "not_yet_enforceable",
            Self::Enforceable => "enforceable",
            Self::Done => "done",
            Self::Terminated => "terminated",
            Self::Reduced => "reduced",
            Self::Running => "running",
        }
    }
}

/// The base tallies from which every column is derived; additive, so units add up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Tally {
    pub(crate) carried_over: i64,
    pub(crate) new: i64,
    pub(crate) transferred: i64,
    pub(crate) not_yet_enforceable: i64,
    pub(crate) done: i64,
    pub(crate) terminated: i64,
    pub(crate) reduced: i64,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, o: Self) {
        self.carried_over += o.carried_over;
        self.new += o.new;
        self.transferred += o.transferred;
        self.not_yet_enforceable += o.not_yet_enforceable;
        self.done += o.done;
        self.terminated += o.terminated;
        self.reduced += o.reduced;
    }
}

/// The columns of one measure for one unit: counts of cases, or whole đồng.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Columns {
    /// Tổng số thụ lý = carried over + new.
    pub total_accepted: i64,
    /// Năm (kỳ) trước chuyển sang.
    pub carried_over: i64,
    /// Thụ lý mới.
    pub new: i64,
    /// Ủy thác đi.
    pub transferred: i64,
    /// Phải thi hành = carried over + new − transferred.
    pub to_enforce: i64,
    /// Chưa có điều kiện thi hành at the end of the period.
    pub not_yet_enforceable: i64,
    /// Có điều kiện thi hành = to enforce − not yet enforceable.
    pub enforceable: i64,
    /// Thi hành xong (money: collected in the period).
    pub done: i64,
    /// Đình chỉ.
    pub terminated: i64,
    /// Giảm (money reduced; cases with a reduction in the period).
    pub reduced: i64,
    /// Chuyển kỳ sau: cases to enforce − done − terminated; money also less reductions.
    pub running: i64,
    /// Tỷ lệ: cases (done + terminated) / enforceable; money (done + terminated + reduced) /
    /// enforceable.
    pub rate: Rate,
}

impl Columns {
    pub(crate) fn from_tally(t: &Tally, measure: Measure) -> Self {
        let to_enforce = t.carried_over + t.new - t.transferred;
        let enforceable = to_enforce - t.not_yet_enforceable;
        let (running, numerator) = match measure {
            Measure::Cases => (to_enforce - t.done - t.terminated, t.done + t.terminated),
            Measure::Money => (
                to_enforce - t.done - t.terminated - t.reduced,
                t.done + t.terminated + t.reduced,
            ),
        };
        Self {
            total_accepted: t.carried_over + t.new,
            carried_over: t.carried_over,
            new: t.new,
            transferred: t.transferred,
            to_enforce,
            not_yet_enforceable: t.not_yet_enforceable,
            enforceable,
            done: t.done,
            terminated: t.terminated,
            reduced: t.reduced,
            running,
            rate: Rate::of(numerator, enforceable),
        }
    }

    /// One column's value, so forms and checks can walk [`Column::ALL`].
    pub fn get(&self, column: Column) -> i64 {
        match column {
            Column::TotalAccepted => self.total_accepted,
            Column::CarriedOver => self.carried_over,
            Column::New => self.new,
            Column::Transferred => self.transferred,
            Column::ToEnforce => self.to_enforce,
            Column::NotYetEnforceable => self.not_yet_enforceable,
            Column::Enforceable => self.enforceable,
            Column::Done => self.done,
            Column::Terminated => self.terminated,
            Column::Reduced => self.reduced,
            Column::Running => self.running,
        }
    }
}

/// The figures of one unit (or one slice of it): by case and by money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Figures {
    /// Về việc.
    pub cases: Columns,
    /// Về tiền, whole đồng.
    pub money: Columns,
}

impl Figures {
    /// The columns of one measure.
    pub fn of(&self, measure: Measure) -> &Columns {
        match measure {
            Measure::Cases => &self.cases,
            Measure::Money => &self.money,
        }
    }
}

/// A unit's figures with the breakdowns the forms need.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Breakdown {
    /// All cases of the unit.
    pub total: Figures,
    /// Chủ động / theo đơn; every value present.
    pub by_initiation: BTreeMap<Initiation, Figures>,
    /// By kind of judgment; every value present.
    pub by_kind: BTreeMap<JudgmentKind, Figures>,
}

/// The tallies behind a [`Breakdown`], summed case by case.
#[derive(Debug, Clone, Default)]
pub(crate) struct BreakdownTally {
    total: (Tally, Tally),
    by_initiation: [(Tally, Tally); 2],
    by_kind: [(Tally, Tally); 9],
}

impl BreakdownTally {
    pub(crate) fn add(
        &mut self,
        initiation: Initiation,
        kind: JudgmentKind,
        cases: Tally,
        money: Tally,
    ) {
        for slot in [
            &mut self.total,
            &mut self.by_initiation[initiation.index()],
            &mut self.by_kind[kind_index(kind)],
        ] {
            slot.0 += cases;
            slot.1 += money;
        }
    }

    pub(crate) fn finish(&self) -> Breakdown {
        let figures = |(c, m): &(Tally, Tally)| Figures {
            cases: Columns::from_tally(c, Measure::Cases),
            money: Columns::from_tally(m, Measure::Money),
        };
        Breakdown {
            total: figures(&self.total),
            by_initiation: Initiation::ALL
                .into_iter()
                .map(|i| (i, figures(&self.by_initiation[i.index()])))
                .collect(),
            by_kind: JudgmentKind::ALL
                .into_iter()
                .map(|k| (k, figures(&self.by_kind[kind_index(k)])))
                .collect(),
        }
    }
}

/// The figures of a computation: every office in the scope, every province the scope holds
/// completely, and the nation when the scope is the nation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statistics {
    /// The period.
    pub period: Period,
    /// The cases covered.
    pub scope: Scope,
    /// Per office code (a provincial body's own cases under the province code).
    pub offices: BTreeMap<String, Breakdown>,
    /// Per province code; empty when the scope is one office.
    pub provinces: BTreeMap<String, Breakdown>,
    /// The nation; only when the scope is the nation.
    pub nation: Option<Breakdown>,
}

/// One row of figures for the API and the forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// What the row stands for.
    pub level: Level,
    /// The office or province code; `VN` for the nation.
    pub code: String,
    /// The figures.
    pub figures: Breakdown,
}

impl Statistics {
    /// The rows at exactly `level`, in code order: what `GET /v1/statistics` answers.
    pub fn rows(&self, level: Level) -> Vec<Row> {
        let row = |level, code: &str, b: &Breakdown| Row {
            level,
            code: code.to_string(),
            figures: b.clone(),
        };
        match level {
            Level::Office => self
                .offices
                .iter()
                .map(|(c, b)| row(Level::Office, c, b))
                .collect(),
            Level::Province => self
                .provinces
                .iter()
                .map(|(c, b)| row(Level::Province, c, b))
                .collect(),
            Level::Nation => self
                .nation
                .iter()
                .map(|b| row(Level::Nation, "VN", b))
                .collect(),
        }
    }

    /// The rows at `level` followed by the subtotals above them that the scope holds: each
    /// province's offices then the province, and the nation last. The layout of the forms.
    pub fn rows_with_totals(&self, level: Level) -> Vec<Row> {
        let mut out = Vec::new();
        let row = |level, code: &str, b: &Breakdown| Row {
            level,
            code: code.to_string(),
            figures: b.clone(),
        };
        if level == Level::Office && self.provinces.is_empty() {
            out.extend(self.rows(Level::Office));
        }
        if level <= Level::Province {
            for (province, b) in &self.provinces {
                if level == Level::Office {
                    out.extend(
                        self.offices
                            .iter()
                            .filter(|(o, _)| province_of(o) == province)
                            .map(|(o, ob)| row(Level::Office, o, ob)),
                    );
                }
                out.push(row(Level::Province, province, b));
            }
        }
        out.extend(self.rows(Level::Nation));
        out
    }
}

/// A migrated, seeded SQLite database for the unit tests of this module.
#[cfg(test)]
pub(crate) async fn seeded_sqlite() -> (tempfile::TempDir, Db) {
    #![allow(clippy::unwrap_used)]
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/stats.db", dir.path().display());
    let db = Db::connect(&url).await.unwrap();
    crate::db::migrate(&db).await.unwrap();
    fixture::seed(&db).await;
    (dir, db)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn statistics_year_runs_from_october_to_september() {
        let p = Period::statistics_year(2026).unwrap();
        assert_eq!(p.from_iso(), "2025-10-01");
        assert_eq!(p.to_iso(), "2026-09-30");
        assert_eq!(p.slug(), "2026");
        assert_eq!(p.label(), "Năm thống kê 2026 (01/10/2025 – 30/09/2026)");
    }

    #[test]
    fn months_end_on_their_last_day() {
        let feb = Period::parse(None, Some("2028-02"), None, None).unwrap();
        assert_eq!(
            (feb.from_iso().as_str(), feb.to_iso().as_str()),
            ("2028-02-01", "2028-02-29")
        );
        let mar = Period::parse(None, Some("2026-03"), None, None).unwrap();
        assert_eq!(mar.to_iso(), "2026-03-31");
        assert_eq!(mar.slug(), "2026-03");
    }

    #[test]
    fn bad_periods_name_their_field() {
        let field = |y, m, f, t| Period::parse(y, m, f, t).unwrap_err().field;
        assert_eq!(field(None, None, None, None), "year");
        assert_eq!(field(Some("26"), None, None, None), "year");
        assert_eq!(field(None, Some("2026-13"), None, None), "month");
        assert_eq!(field(None, Some("2026-3"), None, None), "month");
        assert_eq!(field(Some("2026"), Some("2026-03"), None, None), "month");
        assert_eq!(field(None, None, Some("2026-01-01"), None), "to");
        assert_eq!(
            field(None, None, Some("2026-02-30"), Some("2026-03-01")),
            "from"
        );
        assert_eq!(
            field(None, None, Some("2026-03-02"), Some("2026-03-01")),
            "to"
        );
        let r = Period::parse(None, None, Some("2026-01-01"), Some("2026-03-31")).unwrap();
        assert_eq!(r.kind(), PeriodKind::Range);
        assert_eq!(r.slug(), "2026-01-01_2026-03-31");
    }

    #[test]
    fn rates_round_half_up_in_basis_points() {
        // baolamdong.vn's worked example: 1,190 of 1,432 enforceable cases = 83.10 %.
        assert_eq!(Rate::of(1190, 1432).to_string(), "83.10");
        assert_eq!(Rate::of(2, 3).to_string(), "66.67");
        assert_eq!(Rate::of(1, 8).basis_points(), Some(1250));
        assert_eq!(Rate::of(1, 20_000).to_string(), "0.01");
        assert_eq!(Rate::of(1, 80_000).to_string(), "0.00");
        assert_eq!(Rate::of(5, 0).basis_points(), None);
        assert_eq!(serde_json::to_string(&Rate::of(5, 0)).unwrap(), "null");
        assert_eq!(serde_json::to_string(&Rate::of(1, 2)).unwrap(), "\"50.00\"");
        // Money totals in the hundreds of trillions of đồng do not overflow.
        assert_eq!(
            Rate::of(38_000_000_000_000_000, 150_000_000_000_000_000).to_string(),
            "25.33"
        );
    }

    #[test]
    fn codes_choose_the_scope_and_levels_cannot_exceed_it() {
        assert_eq!(province_of("HCM-KV01"), "HCM");
        assert_eq!(province_of("HCM"), "HCM");
        let s = Selection::parse(None, Some("HCM"), Level::Nation).unwrap();
        assert_eq!(
            (s.scope.clone(), s.level),
            (Scope::Province("HCM".into()), Level::Province)
        );
        let s = Selection::parse(None, Some("HCM"), Level::Office).unwrap();
        assert_eq!(s.level, Level::Office);
        let s = Selection::parse(None, None, Level::Nation).unwrap();
        assert_eq!((s.scope, s.level), (Scope::Nation, Level::Nation));
        assert_eq!(
            Selection::parse(Some("nation"), Some("HCM"), Level::Nation)
                .unwrap_err()
                .field,
            "level"
        );
        assert_eq!(
            Selection::parse(Some("province"), Some("HCM-KV01"), Level::Nation)
                .unwrap_err()
                .field,
            "level"
        );
        assert_eq!(
            Selection::parse(Some("region"), None, Level::Nation)
                .unwrap_err()
                .field,
            "level"
        );
        for bad in ["", "HC%", "HCM_", "-HCM", "HCM-", "HCM KV01"] {
            assert_eq!(Scope::of_code(bad).unwrap_err().field, "code", "{bad:?}");
        }
        assert!(Scope::Province("HCM".into()).contains("HCM-KV01"));
        assert!(Scope::Province("HCM".into()).contains("HCM"));
        assert!(!Scope::Province("HCM".into()).contains("HCMX-KV01"));
    }

    #[test]
    fn derived_columns_follow_the_formulas() {
        let t = Tally {
            carried_over: 10,
            new: 5,
            transferred: 1,
            not_yet_enforceable: 4,
            done: 6,
            terminated: 1,
            reduced: 2,
        };
        let c = Columns::from_tally(&t, Measure::Cases);
        assert_eq!(
            (c.total_accepted, c.to_enforce, c.enforceable, c.running),
            (15, 14, 10, 7)
        );
        assert_eq!(c.rate.to_string(), "70.00");
        let m = Columns::from_tally(&t, Measure::Money);
        assert_eq!(m.running, 5);
        assert_eq!(m.rate.to_string(), "90.00");
    }
}
