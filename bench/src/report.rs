//! The results of a run: one structure written as JSON and printed as a table, with each
//! target of issue 9 checked against the figures.

use serde::Serialize;

use crate::ceilings::Ceilings;
use crate::dbwork::DbWork;
use crate::e2e::Handled;
use crate::stats::Percentiles;

/// A table row: its label and the percentile it shows.
type Row = (&'static str, fn(&Percentiles) -> f64);

/// A phase's figures.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct PhaseResult {
    /// Requests sent.
    pub(crate) sent: usize,
    /// Requests the hub took (2xx).
    pub(crate) accepted: usize,
    /// Requests refused or failed, by kind and status (0: no answer).
    pub(crate) errors: Vec<(String, u16, usize)>,
    /// Accepted per second over the phase.
    pub(crate) accepted_per_second: f64,
    /// Request → answer, from when each was due.
    pub(crate) accept_latency: Percentiles,
    /// Judgments and payments among the accepted, handled end to end.
    pub(crate) end_to_end: Handled,
    /// Judgments and payments accepted (what must be handled).
    pub(crate) to_handle: usize,
}

/// One target and whether the run met it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Target {
    /// What is measured.
    pub(crate) name: &'static str,
    /// The goal, in words.
    pub(crate) goal: &'static str,
    /// The measured figure.
    pub(crate) actual: f64,
    /// Whether it was met.
    pub(crate) met: bool,
}

/// Everything a run measured.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Results {
    /// The machine: CPU model and count, kernel.
    pub(crate) machine: String,
    /// Quick run.
    pub(crate) quick: bool,
    /// Concurrent clients in the saturation phase.
    pub(crate) clients: usize,
    /// As many requests as the hub takes.
    pub(crate) saturation: PhaseResult,
    /// The fixed rate of the latency phase, per second.
    pub(crate) rate: u32,
    /// At the fixed rate.
    pub(crate) at_rate: PhaseResult,
    /// Peak resident memory of the hub process (VmHWM), MiB.
    pub(crate) hub_peak_memory_mib: f64,
    /// The raw ceilings.
    pub(crate) ceilings: Ceilings,
    /// What the saturation phase cost the database.
    pub(crate) database_work: DbWork,
    /// Accepted per second ÷ bare publish per second.
    pub(crate) accept_ratio_of_publish: f64,
    /// Handled per second ÷ bare consume-commit-ack per second.
    pub(crate) handled_ratio_of_consume: f64,
    /// The targets of issue 9.
    pub(crate) targets: Vec<Target>,
}

impl Results {
    /// Fills the ratios and the targets from the figures.
    pub(crate) fn judge(&mut self) {
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
        self.accept_ratio_of_publish = ratio(
            self.saturation.accepted_per_second,
            self.ceilings.publish_per_second,
        );
        self.handled_ratio_of_consume = ratio(
            self.saturation.end_to_end.per_second,
            self.ceilings.consume_commit_ack_per_second,
        );
        let handled = self.saturation.end_to_end.per_second;
        let p99 = self.at_rate.accept_latency.p99_ms;
        self.targets = vec![
            Target {
                name: "judgments+payments handled end to end per second",
                goal: ">= 2000",
                actual: handled,
                met: handled >= 2000.0,
            },
            Target {
                name: "p99 accept latency at the fixed rate, ms",
                goal: "< 50 at 1000/s",
                actual: p99,
                met: p99 < 50.0 && self.rate >= 1000,
            },
            Target {
                name: "hub peak memory, MiB",
                goal: "< 150",
                actual: self.hub_peak_memory_mib,
                met: self.hub_peak_memory_mib > 0.0 && self.hub_peak_memory_mib < 150.0,
            },
            Target {
                name: "handled ÷ raw consume-commit-ack",
                goal: ">= 0.30",
                actual: self.handled_ratio_of_consume,
                met: self.handled_ratio_of_consume >= 0.30,
            },
        ];
    }

    /// The table printed at the end of a run.
    pub(crate) fn table(&self) -> String {
        let mut out = String::new();
        let mut line = |s: String| {
            out.push_str(&s);
            out.push('\n');
        };
        line(format!("machine: {}", self.machine));
        line(format!(
            "{:<44} {:>12} {:>12}",
            "",
            "saturation",
            format!("{}/s", self.rate)
        ));
        let (s, r) = (&self.saturation, &self.at_rate);
        line(format!(
            "{:<44} {:>12} {:>12}",
            "requests sent", s.sent, r.sent
        ));
        line(format!(
            "{:<44} {:>12} {:>12}",
            "accepted (2xx)", s.accepted, r.accepted
        ));
        line(format!(
            "{:<44} {:>12.0} {:>12.0}",
            "accepted per second", s.accepted_per_second, r.accepted_per_second
        ));
        let rows: [Row; 3] = [
            ("accept latency p50 ms", |p| p.p50_ms),
            ("accept latency p99 ms", |p| p.p99_ms),
            ("accept latency p99.9 ms", |p| p.p999_ms),
        ];
        for (label, f) in rows {
            line(format!(
                "{label:<44} {:>12.1} {:>12.1}",
                f(&s.accept_latency),
                f(&r.accept_latency)
            ));
        }
        line(format!(
            "{:<44} {:>12} {:>12}",
            "judgments+payments handled / accepted",
            format!("{}/{}", s.end_to_end.handled, s.to_handle),
            format!("{}/{}", r.end_to_end.handled, r.to_handle)
        ));
        line(format!(
            "{:<44} {:>12.0} {:>12.0}",
            "handled end to end per second", s.end_to_end.per_second, r.end_to_end.per_second
        ));
        let rows: [Row; 3] = [
            ("end-to-end latency p50 ms", |p| p.p50_ms),
            ("end-to-end latency p99 ms", |p| p.p99_ms),
            ("end-to-end latency p99.9 ms", |p| p.p999_ms),
        ];
        for (label, f) in rows {
            line(format!(
                "{label:<44} {:>12.1} {:>12.1}",
                f(&s.end_to_end.latency),
                f(&r.end_to_end.latency)
            ));
        }
        line(format!(
            "{:<44} {:>12.1}",
            "hub peak memory MiB (VmHWM)", self.hub_peak_memory_mib
        ));
        let c = &self.ceilings;
        line(format!(
            "{:<44} {:>12.0}   hub accepted/s = {:.2} of it",
            "raw JetStream publish+ack per second",
            c.publish_per_second,
            self.accept_ratio_of_publish
        ));
        line(format!(
            "{:<44} {:>12.0}   hub handled/s = {:.2} of it",
            format!(
                "raw consume+commit+ack per second ({} workers)",
                c.consumers
            ),
            c.consume_commit_ack_per_second,
            self.handled_ratio_of_consume
        ));
        let w = &self.database_work;
        line(format!(
            "{:<44} {:>12.1}   ({} commits, the raw ceiling's message costs 1)",
            "database commits per handled (saturation)", w.commits_per_handled, w.commits
        ));
        line(format!(
            "{:<44} {:>12.1}   ({} rows)",
            "rows written per handled (saturation)", w.rows_per_handled, w.rows_written
        ));
        let tables: Vec<String> = w
            .top_tables
            .iter()
            .map(|(name, n)| format!("{name} {n:.1}"))
            .collect();
        line(format!(
            "  rows per handled by table: {}",
            tables.join(", ")
        ));
        line("targets:".to_string());
        for t in &self.targets {
            line(format!(
                "  [{}] {:<52} {:>10.2}  (goal {})",
                if t.met { "met" } else { "MISSED" },
                t.name,
                t.actual,
                t.goal
            ));
        }
        out
    }
}
