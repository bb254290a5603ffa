//! Complaints and denunciations in the statistics: per answering office, province and nation,
//! how many were received, accepted, refused and answered in the period, how many answers came
//! after their last day, and how many were still open — and overdue — at the period's end.
//! Shown by `GET /v1/statistics` beside the case figures and as the `complaints` report form.
//!
//! Definitions (period [from, to], the end being `to` or today if earlier):
//! - received / accepted / refused / resolved: the day of that step falls in the period;
//! - resolved late: resolved in the period after the resolution deadline's last day;
//! - pending: received by the end and not yet refused or answered by it;
//! - overdue: pending with an acceptance or resolution deadline already past at the end.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row as _;

use super::forms::{Cell, Form, FormColumn, FormKind, FormRow};
use super::{province_of, Level, Period, Scope, Selection};
use crate::db::Db;

/// One unit's complaint figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ComplaintFigures {
    /// Received in the period.
    pub received: i64,
    /// Of which denunciations.
    pub denunciations: i64,
    /// Accepted (thụ lý) in the period.
    pub accepted: i64,
    /// Refused in the period.
    pub refused: i64,
    /// Answered in the period.
    pub resolved: i64,
    /// Answered in the period after the last day.
    pub resolved_late: i64,
    /// Open at the period's end.
    pub pending: i64,
    /// Open at the period's end with a deadline past.
    pub overdue: i64,
}

impl ComplaintFigures {
    fn add(&mut self, o: &ComplaintFigures) {
        self.received += o.received;
        self.denunciations += o.denunciations;
        self.accepted += o.accepted;
        self.refused += o.refused;
        self.resolved += o.resolved;
        self.resolved_late += o.resolved_late;
        self.pending += o.pending;
        self.overdue += o.overdue;
    }
}

/// One row: a unit and its figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComplaintRow {
    /// What the row stands for.
    pub level: Level,
    /// The office or province code; `VN` for the nation.
    pub code: String,
    /// The figures.
    pub figures: ComplaintFigures,
}

/// The figures of a period, per office, province and (for the nation) the nation.
#[derive(Debug, Clone, Default)]
pub struct ComplaintStats {
    offices: BTreeMap<String, ComplaintFigures>,
    provinces: BTreeMap<String, ComplaintFigures>,
    nation: Option<ComplaintFigures>,
}

fn in_period(day: Option<&str>, from: &str, to: &str) -> bool {
    day.is_some_and(|d| d >= from && d <= to)
}

/// The figures of `period` for the complaints answered by offices in `scope`; `today` bounds
/// the period's end for what is pending.
pub async fn compute(
    db: &Db,
    period: &Period,
    scope: &Scope,
    today: time::Date,
) -> Result<ComplaintStats, sqlx::Error> {
    let (from, to) = (period.from_iso(), period.to_iso());
    let end = to.clone().min(today.to_string());
    let rows = sqlx::query(
        "SELECT c.id, c.kind, c.resolver_office, c.received_on, c.accepted_on, c.refused_on, \
         c.resolved_on, \
         (SELECT MIN(d.due_on) FROM complaint_deadlines d WHERE d.complaint_id = c.id \
            AND (d.done_on IS NULL OR d.done_on > $2)) AS open_due, \
         (SELECT d.due_on FROM complaint_deadlines d WHERE d.complaint_id = c.id \
            AND d.step = 'complaint_resolution') AS resolution_due \
         FROM complaints c WHERE c.received_on <= $1",
    )
    .bind(&to)
    .bind(&end)
    .fetch_all(db.pool())
    .await?;
    let mut stats = ComplaintStats::default();
    let national = matches!(scope, Scope::Nation);
    if national {
        stats.nation = Some(ComplaintFigures::default());
    }
    for r in &rows {
        let office: String = r.try_get("resolver_office")?;
        if !scope.contains(&office) {
            continue;
        }
        let received: String = r.try_get("received_on")?;
        let accepted: Option<String> = r.try_get("accepted_on")?;
        let refused: Option<String> = r.try_get("refused_on")?;
        let resolved: Option<String> = r.try_get("resolved_on")?;
        let kind: String = r.try_get("kind")?;
        let open_due: Option<String> = r.try_get("open_due")?;
        let resolution_due: Option<String> = r.try_get("resolution_due")?;
        let mut f = ComplaintFigures::default();
        if in_period(Some(&received), &from, &to) {
            f.received = 1;
            f.denunciations = i64::from(kind == "denunciation");
        }
        f.accepted = i64::from(in_period(accepted.as_deref(), &from, &to));
        f.refused = i64::from(in_period(refused.as_deref(), &from, &to));
        if in_period(resolved.as_deref(), &from, &to) {
            f.resolved = 1;
            f.resolved_late = i64::from(
                resolution_due
                    .is_some_and(|due| resolved.as_deref().is_some_and(|r| r > due.as_str())),
            );
        }
        let closed_by_end = [&refused, &resolved]
            .iter()
            .any(|d| d.as_deref().is_some_and(|d| d <= end.as_str()));
        if received.as_str() <= end.as_str() && !closed_by_end {
            f.pending = 1;
            f.overdue = i64::from(open_due.is_some_and(|d| d.as_str() < end.as_str()));
        }
        let province = province_of(&office).to_string();
        stats.offices.entry(office.clone()).or_default().add(&f);
        if !matches!(scope, Scope::Office(_)) {
            stats.provinces.entry(province).or_default().add(&f);
        }
        if let Some(n) = stats.nation.as_mut() {
            n.add(&f);
        }
    }
    Ok(stats)
}

impl ComplaintStats {
    /// The rows at exactly `level`.
    pub fn rows(&self, level: Level) -> Vec<ComplaintRow> {
        let row = |code: &str, f: &ComplaintFigures| ComplaintRow {
            level,
            code: code.to_string(),
            figures: *f,
        };
        match level {
            Level::Office => self.offices.iter().map(|(c, f)| row(c, f)).collect(),
            Level::Province => self.provinces.iter().map(|(c, f)| row(c, f)).collect(),
            Level::Nation => self.nation.iter().map(|f| row("VN", f)).collect(),
        }
    }

    /// The rows at `level` with the subtotals above them: each province's offices then the
    /// province, the nation last (the layout of the case forms).
    pub fn rows_with_totals(&self, level: Level) -> Vec<ComplaintRow> {
        let mut out = Vec::new();
        if level == Level::Office && self.provinces.is_empty() {
            out.extend(self.rows(Level::Office));
        }
        if level <= Level::Province {
            for (province, f) in &self.provinces {
                if level == Level::Office {
                    out.extend(
                        self.rows(Level::Office)
                            .into_iter()
                            .filter(|r| province_of(&r.code) == province),
                    );
                }
                out.push(ComplaintRow {
                    level: Level::Province,
                    code: province.clone(),
                    figures: *f,
                });
            }
        }
        out.extend(self.rows(Level::Nation));
        out
    }
}

/// The columns of the complaints form: key and Vietnamese header.
pub const COLUMNS: [(&str, &str); 10] = [
    ("code", "Mã đơn vị"),
    ("level", "Cấp"),
    ("received", "Đơn tiếp nhận"),
    ("denunciations", "Trong đó: tố cáo"),
    ("accepted", "Đã thụ lý"),
    ("refused", "Không thụ lý"),
    ("resolved", "Đã giải quyết"),
    ("resolved_late", "Giải quyết quá hạn"),
    ("pending", "Đang giải quyết cuối kỳ"),
    ("overdue", "Quá hạn chưa giải quyết"),
];

/// The complaints report form for `selection` over `period`.
pub fn form(stats: &ComplaintStats, period: &Period, selection: &Selection) -> Form {
    let rows = stats
        .rows_with_totals(selection.level)
        .into_iter()
        .map(|r| {
            let f = r.figures;
            FormRow {
                cells: vec![
                    Cell::Text(r.code.clone()),
                    Cell::Text(r.level.label_vi().to_string()),
                    Cell::Number(f.received),
                    Cell::Number(f.denunciations),
                    Cell::Number(f.accepted),
                    Cell::Number(f.refused),
                    Cell::Number(f.resolved),
                    Cell::Number(f.resolved_late),
                    Cell::Number(f.pending),
                    Cell::Number(f.overdue),
                ],
                level: r.level,
                code: r.code,
            }
        })
        .collect();
    Form {
        kind: FormKind::Complaints,
        title: FormKind::Complaints.title(),
        unit: "đơn",
        period: period.clone(),
        selection: selection.clone(),
        columns: COLUMNS
            .iter()
            .map(|(key, header)| FormColumn { key, header })
            .collect(),
        rows,
    }
}
