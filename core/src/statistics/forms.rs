//! The main report forms (biểu mẫu thống kê): (1) "Kết quả thi hành án dân sự về việc" and
//! (2) "Kết quả thi hành án dân sự về tiền", one row per office or province with subtotals and
//! the nation. The columns are a table ([`COLUMNS`]), so a form is data, not layout code, and
//! JSON, CSV and XLSX are all written from the same [`Form`].

use serde::Serialize;

use super::{
    Breakdown, Column, Initiation, Level, Measure, ParamError, Period, PeriodKind, Rate, Selection,
    Statistics,
};

/// Which form: by case or by money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    /// Biểu (1): kết quả thi hành án dân sự về việc.
    Cases,
    /// Biểu (2): kết quả thi hành án dân sự về tiền.
    Money,
    /// Complaints and denunciations received and answered (built by
    /// [`super::complaints::form`], not by [`build`]).
    Complaints,
}

impl FormKind {
    /// Reads the `{form}` path segment: `cases` or `money`.
    pub fn parse(s: &str) -> Result<Self, ParamError> {
        match s {
            "cases" => Ok(Self::Cases),
            "money" => Ok(Self::Money),
            "complaints" => Ok(Self::Complaints),
            _ => Err(ParamError {
                field: "form",
                reason: "must be cases, money or complaints".into(),
            }),
        }
    }

    /// The measure the form shows (complaints are counted one by one, like cases).
    pub fn measure(self) -> Measure {
        match self {
            Self::Cases | Self::Complaints => Measure::Cases,
            Self::Money => Measure::Money,
        }
    }

    /// The form's title.
    pub fn title(self) -> &'static str {
        match self {
            Self::Cases => "Kết quả thi hành án dân sự về việc",
            Self::Money => "Kết quả thi hành án dân sự về tiền",
            Self::Complaints => {
                "Tình hình tiếp nhận, giải quyết khiếu nại, tố cáo về thi hành án dân sự"
            }
        }
    }

    /// An ASCII stem for file names.
    pub fn file_stem(self) -> &'static str {
        match self {
            Self::Cases => "ket-qua-thads-ve-viec",
            Self::Money => "ket-qua-thads-ve-tien",
            Self::Complaints => "khieu-nai-to-cao",
        }
    }
}

/// One cell of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    /// Text (codes, level names).
    Text(String),
    /// A count of cases or whole đồng.
    Number(i64),
    /// A rate (string with two decimals in JSON, null without a base).
    Rate(Rate),
}

/// What a column shows for a row.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// The row's code.
    Code,
    /// The row's level, in Vietnamese.
    Level,
    /// A column of the whole unit.
    Total(Column),
    /// A column of one initiation slice (chủ động / theo đơn).
    Initiation(Initiation, Column),
    /// The completion rate.
    Rate,
}

/// One column of the forms: a stable key, its Vietnamese headers, and where its value is from.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// Stable key (JSON, tests).
    pub key: &'static str,
    /// Header on the case form.
    pub header_cases: &'static str,
    /// Header on the money form.
    pub header_money: &'static str,
    /// The value.
    pub source: Source,
}

const fn spec(
    key: &'static str,
    cases: &'static str,
    money: &'static str,
    source: Source,
) -> ColumnSpec {
    ColumnSpec {
        key,
        header_cases: cases,
        header_money: money,
        source,
    }
}

/// The columns of both forms, in order. The header of `carried_over` says "Năm trước" for a
/// statistics year and "Kỳ trước" otherwise (see [`header`]).
pub const COLUMNS: &[ColumnSpec] = &[
    spec("code", "Mã đơn vị", "Mã đơn vị", Source::Code),
    spec("level", "Cấp", "Cấp", Source::Level),
    spec(
        "total_accepted",
        "Tổng số thụ lý (việc)",
        "Tổng số thụ lý (đồng)",
        Source::Total(Column::TotalAccepted),
    ),
    spec(
        "carried_over",
        "Năm trước chuyển sang",
        "Năm trước chuyển sang",
        Source::Total(Column::CarriedOver),
    ),
    spec(
        "new",
        "Thụ lý mới",
        "Thụ lý mới",
        Source::Total(Column::New),
    ),
    spec(
        "transferred",
        "Ủy thác",
        "Ủy thác",
        Source::Total(Column::Transferred),
    ),
    spec(
        "to_enforce",
        "Phải thi hành",
        "Phải thi hành",
        Source::Total(Column::ToEnforce),
    ),
    spec(
        "to_enforce_ex_officio",
        "Phải thi hành: chủ động",
        "Phải thi hành: chủ động",
        Source::Initiation(Initiation::ExOfficio, Column::ToEnforce),
    ),
    spec(
        "to_enforce_on_request",
        "Phải thi hành: theo đơn",
        "Phải thi hành: theo đơn",
        Source::Initiation(Initiation::OnRequest, Column::ToEnforce),
    ),
    spec(
        "not_yet_enforceable",
        "Chưa có điều kiện thi hành",
        "Chưa có điều kiện thi hành",
        Source::Total(Column::NotYetEnforceable),
    ),
    spec(
        "enforceable",
        "Có điều kiện thi hành",
        "Có điều kiện thi hành",
        Source::Total(Column::Enforceable),
    ),
    spec(
        "done",
        "Thi hành xong",
        "Thi hành xong",
        Source::Total(Column::Done),
    ),
    spec(
        "terminated",
        "Đình chỉ thi hành án",
        "Đình chỉ thi hành án",
        Source::Total(Column::Terminated),
    ),
    spec(
        "reduced",
        "Có giảm thi hành án",
        "Giảm thi hành án",
        Source::Total(Column::Reduced),
    ),
    spec(
        "running",
        "Chuyển kỳ sau",
        "Chuyển kỳ sau",
        Source::Total(Column::Running),
    ),
    spec(
        "rate",
        "Tỷ lệ thi hành xong về việc (%)",
        "Tỷ lệ thi hành xong về tiền (%)",
        Source::Rate,
    ),
];

/// The header of a column on a form for a period.
pub fn header(spec: &ColumnSpec, kind: FormKind, period: &Period) -> &'static str {
    if spec.key == "carried_over" && period.kind() != PeriodKind::Year {
        return "Kỳ trước chuyển sang";
    }
    match kind {
        FormKind::Cases | FormKind::Complaints => spec.header_cases,
        FormKind::Money => spec.header_money,
    }
}

/// A column as shown on a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormColumn {
    /// Stable key.
    pub key: &'static str,
    /// Vietnamese header.
    pub header: &'static str,
}

/// One row of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormRow {
    /// What the row stands for.
    pub level: Level,
    /// The office or province code, `VN` for the nation.
    pub code: String,
    /// The cells, aligned with [`Form::columns`].
    pub cells: Vec<Cell>,
}

/// A filled-in report form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Form {
    /// Which form.
    pub kind: FormKind,
    /// Its title.
    pub title: &'static str,
    /// The unit of the figures ("việc" or "đồng").
    pub unit: &'static str,
    /// The period.
    pub period: Period,
    /// The cases and level shown.
    pub selection: Selection,
    /// The columns.
    pub columns: Vec<FormColumn>,
    /// The rows: units at the selected level, each province's subtotal after its offices,
    /// the nation last.
    pub rows: Vec<FormRow>,
}

impl Form {
    /// The headers in order, for CSV and XLSX.
    pub fn headers(&self) -> Vec<&'static str> {
        self.columns.iter().map(|c| c.header).collect()
    }
}

fn cell(source: Source, level: Level, code: &str, b: &Breakdown, measure: Measure) -> Cell {
    match source {
        Source::Code => Cell::Text(code.to_string()),
        Source::Level => Cell::Text(level.label_vi().to_string()),
        Source::Total(c) => Cell::Number(b.total.of(measure).get(c)),
        Source::Initiation(i, c) => {
            Cell::Number(b.by_initiation.get(&i).map_or(0, |f| f.of(measure).get(c)))
        }
        Source::Rate => Cell::Rate(b.total.of(measure).rate),
    }
}

/// Fills form `kind` from computed statistics, with rows at `selection.level`.
pub fn build(stats: &Statistics, kind: FormKind, selection: &Selection) -> Form {
    let measure = kind.measure();
    let rows = stats
        .rows_with_totals(selection.level)
        .into_iter()
        .map(|r| FormRow {
            cells: COLUMNS
                .iter()
                .map(|s| cell(s.source, r.level, &r.code, &r.figures, measure))
                .collect(),
            level: r.level,
            code: r.code,
        })
        .collect();
    Form {
        kind,
        title: kind.title(),
        unit: match measure {
            Measure::Cases => "việc",
            Measure::Money => "đồng",
        },
        period: stats.period.clone(),
        selection: selection.clone(),
        columns: COLUMNS
            .iter()
            .map(|s| FormColumn {
                key: s.key,
                header: header(s, kind, &stats.period),
            })
            .collect(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::super::{compute, seeded_sqlite, Scope};
    use super::*;

    #[tokio::test]
    async fn forms_list_offices_then_their_province_then_the_nation() {
        let (_dir, db) = seeded_sqlite().await;
        let period = Period::statistics_year(2026).unwrap();
        let selection = Selection::parse(Some("office"), None, Level::Office).unwrap();
        let stats = compute(&db, &period, &selection.scope).await.unwrap();
        let form = build(&stats, FormKind::Money, &selection);
        let codes: Vec<&str> = form.rows.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "DNG", "DNG-KV01", "DNG-KV02", "DNG", "HCM", "HCM-KV01", "HCM-KV02", "HCM",
                "HNI-KV01", "HNI-KV02", "HNI", "VN"
            ]
        );
        assert_eq!(form.rows[3].level, Level::Province);
        assert_eq!(form.columns.len(), COLUMNS.len());
        assert!(form.rows.iter().all(|r| r.cells.len() == COLUMNS.len()));
        let at = |row: &FormRow, key: &str| {
            row.cells[COLUMNS.iter().position(|c| c.key == key).unwrap()].clone()
        };
        let nation = form.rows.last().unwrap();
        assert_eq!(at(nation, "to_enforce"), Cell::Number(3_922_000_000));
        // Of the 3,922 million to enforce, 132 million are ex officio (A1 B1 D2 E3 G1).
        assert_eq!(
            at(nation, "to_enforce_ex_officio"),
            Cell::Number(132_000_000)
        );
        assert_eq!(
            at(nation, "to_enforce_on_request"),
            Cell::Number(3_790_000_000)
        );
        assert_eq!(at(nation, "rate"), Cell::Rate(Rate::of(1343, 3567)));
        assert_eq!(form.headers()[3], "Năm trước chuyển sang");

        let json = serde_json::to_value(&form).unwrap();
        assert_eq!(json["title"], "Kết quả thi hành án dân sự về tiền");
        assert_eq!(json["rows"][11]["cells"][15], "37.65");
        assert_eq!(json["period"]["from"], "2025-10-01");
    }

    #[tokio::test]
    async fn a_province_form_shows_its_offices_and_its_total() {
        let (_dir, db) = seeded_sqlite().await;
        let period = Period::month(2026, 3).unwrap();
        let selection = Selection::parse(None, Some("HCM"), Level::Office).unwrap();
        assert_eq!(selection.scope, Scope::Province("HCM".into()));
        let stats = compute(&db, &period, &selection.scope).await.unwrap();
        let form = build(&stats, FormKind::Cases, &selection);
        let codes: Vec<(&str, Level)> = form
            .rows
            .iter()
            .map(|r| (r.code.as_str(), r.level))
            .collect();
        assert_eq!(
            codes,
            [
                ("HCM", Level::Office),
                ("HCM-KV01", Level::Office),
                ("HCM-KV02", Level::Office),
                ("HCM", Level::Province)
            ]
        );
        assert_eq!(form.headers()[3], "Kỳ trước chuyển sang");
        assert_eq!(form.headers()[15], "Tỷ lệ thi hành xong về việc (%)");
    }
}
