//! The time limits of complaints and denunciations per legal regime, with where each value
//! comes from and how sure it is, and the routing to the competent head. Every value is
//! configuration (`[complaints.deadlines.law_2008.<step>]`, `[complaints.routing]`), like the
//! case limits of `[deadlines]`; the defaults below are what the public sources say.
//!
//! | limit | default | source | confidence |
//! |---|---|---|---|
//! | accept (thụ lý) a complaint | 5 working days from receipt | the brief; not found in a quoted text | unconfirmed |
//! | resolve, before security or coercive measures | 15 days from acceptance | luatviet.co (procedure sheet, Art. 142 Luật THADS) | secondary |
//! | resolve, account freeze | 5 working days from acceptance | luatviet.co (truncated line), mirrors the 3-working-day filing limit for freezes | unconfirmed |
//! | resolve, other security measures | 10 days | mirrors the filing limit (Art. 140(2)(b)) | unconfirmed |
//! | resolve, coercive measures | 30 days | mirrors the filing limit (Art. 140(2)(c)) | unconfirmed |
//! | resolve, after coercion | 15 days | unconfirmed |
//! | resolve, second complaint | 30 days from acceptance | the brief | unconfirmed |
//! | accept a denunciation | 7 working days from receipt | Luật Tố cáo 2018 (classification and acceptance) | unconfirmed |
//! | resolve a denunciation | 30 days from acceptance | Luật Tố cáo 2018 Art. 30(1), quoted by thuvienphapluat.vn and luatsubaoho.com | verified |
//! | extend a denunciation | +30 days, at most twice | Luật Tố cáo 2018 Art. 30(2)–(3) (same sources) | verified |
//!
//! The "denunciations 60 days" is the limit of the 2011 Law on Denunciations, which the
//! 2018 law replaced on 1 January 2019 (luatvietthai.com.vn). Filing limits (thời hiệu, Art.
//! 140(2): 15 days before measures, 3 working days for a freeze, 10 days other security
//! measures, 30 days coercion and after; a further complaint 15 days after the answer) are
//! shown to the head deciding whether to accept, not enforced by the hub (objective obstacles
//! do not count, and only the head can judge them).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thads_schemas::complaint::{Against, ComplaintKind, Stage};

use crate::deadlines::{Limit, Regime, Unit};

/// The limits a complaint or denunciation runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintStep {
    /// Accept (thụ lý) or refuse a complaint, from its receipt.
    Acceptance,
    /// Resolve a first complaint about a decision or act before any security or coercive
    /// measure, from acceptance.
    ResolutionBeforeMeasures,
    /// Resolve a first complaint about an account freeze.
    ResolutionFreeze,
    /// Resolve a first complaint about another security measure.
    ResolutionOtherSecurity,
    /// Resolve a first complaint about a coercive measure.
    ResolutionCoercion,
    /// Resolve a first complaint about a decision or act after coercion.
    ResolutionAfterCoercion,
    /// Resolve a second complaint.
    ResolutionSecond,
    /// Accept or refuse a denunciation, from its receipt.
    DenunciationAcceptance,
    /// Resolve a denunciation, from acceptance.
    DenunciationResolution,
    /// One extension of a denunciation's resolution (complex cases).
    DenunciationExtension,
}

impl ComplaintStep {
    /// Every step.
    pub const ALL: [ComplaintStep; 10] = [
        Self::Acceptance,
        Self::ResolutionBeforeMeasures,
        Self::ResolutionFreeze,
        Self::ResolutionOtherSecurity,
        Self::ResolutionCoercion,
        Self::ResolutionAfterCoercion,
        Self::ResolutionSecond,
        Self::DenunciationAcceptance,
        Self::DenunciationResolution,
        Self::DenunciationExtension,
    ];

    /// The configuration key.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Acceptance => "acceptance",
            Self::ResolutionBeforeMeasures => "resolution_before_measures",
            Self::ResolutionFreeze => "resolution_freeze",
            Self::ResolutionOtherSecurity => "resolution_other_security",
            Self::ResolutionCoercion => "resolution_coercion",
            Self::ResolutionAfterCoercion => "resolution_after_coercion",
            Self::ResolutionSecond => "resolution_second",
            Self::DenunciationAcceptance => "denunciation_acceptance",
            Self::DenunciationResolution => "denunciation_resolution",
            Self::DenunciationExtension => "denunciation_extension",
        }
    }

    /// The limit a complaint of `kind`, `round` and `stage` is resolved against.
    pub fn resolution(kind: ComplaintKind, round: i64, stage: Stage) -> Self {
        match (kind, round) {
            (ComplaintKind::Denunciation, _) => Self::DenunciationResolution,
            (ComplaintKind::Complaint, r) if r >= 2 => Self::ResolutionSecond,
            (ComplaintKind::Complaint, _) => match stage {
                Stage::BeforeMeasures => Self::ResolutionBeforeMeasures,
                Stage::Freeze => Self::ResolutionFreeze,
                Stage::OtherSecurity => Self::ResolutionOtherSecurity,
                Stage::Coercion => Self::ResolutionCoercion,
                Stage::AfterCoercion => Self::ResolutionAfterCoercion,
            },
        }
    }

    /// The limit a complaint of `kind` is accepted against.
    pub fn acceptance(kind: ComplaintKind) -> Self {
        match kind {
            ComplaintKind::Complaint => Self::Acceptance,
            ComplaintKind::Denunciation => Self::DenunciationAcceptance,
        }
    }
}

/// The two deadlines a complaint has, as stored and shown.
pub mod stored {
    /// Accepting or refusing it.
    pub const ACCEPTANCE: &str = "complaint_acceptance";
    /// Resolving it.
    pub const RESOLUTION: &str = "complaint_resolution";

    /// The stored step in Vietnamese.
    pub fn title_vi(step: &str) -> &'static str {
        match step {
            ACCEPTANCE => "Thụ lý đơn khiếu nại, tố cáo",
            RESOLUTION => "Giải quyết khiếu nại, tố cáo",
            _ => "Thời hạn khiếu nại, tố cáo",
        }
    }
}

fn limit(count: u32, unit: Unit, basis: &str) -> Limit {
    Limit {
        count,
        unit,
        legal_basis: basis.to_string(),
    }
}

/// The default limits of the 2008/2014 law (see the module's table for each source).
pub fn law_2008_defaults() -> BTreeMap<ComplaintStep, Limit> {
    use ComplaintStep as S;
    const THADS: &str = "Luật THADS 2008 (sửa đổi 2014)";
    const TO_CAO: &str = "Luật Tố cáo 2018";
    [
        (
            S::Acceptance,
            limit(
                5,
                Unit::WorkingDays,
                &format!("Thụ lý đơn khiếu nại, {THADS} (chưa đối chiếu điều luật)"),
            ),
        ),
        (
            S::ResolutionBeforeMeasures,
            limit(15, Unit::Days, &format!("Điều 142 {THADS}")),
        ),
        (
            S::ResolutionFreeze,
            limit(
                5,
                Unit::WorkingDays,
                &format!("Điều 142 {THADS} (chưa đối chiếu)"),
            ),
        ),
        (
            S::ResolutionOtherSecurity,
            limit(
                10,
                Unit::Days,
                &format!("Điều 142 {THADS} (chưa đối chiếu)"),
            ),
        ),
        (
            S::ResolutionCoercion,
            limit(
                30,
                Unit::Days,
                &format!("Điều 142 {THADS} (chưa đối chiếu)"),
            ),
        ),
        (
            S::ResolutionAfterCoercion,
            limit(
                15,
                Unit::Days,
                &format!("Điều 142 {THADS} (chưa đối chiếu)"),
            ),
        ),
        (
            S::ResolutionSecond,
            limit(
                30,
                Unit::Days,
                &format!("Khiếu nại lần hai, {THADS} (chưa đối chiếu)"),
            ),
        ),
        (
            S::DenunciationAcceptance,
            limit(
                7,
                Unit::WorkingDays,
                &format!("Thụ lý tố cáo, {TO_CAO} (chưa đối chiếu)"),
            ),
        ),
        (
            S::DenunciationResolution,
            limit(30, Unit::Days, &format!("Điều 30 khoản 1 {TO_CAO}")),
        ),
        (
            S::DenunciationExtension,
            limit(30, Unit::Days, &format!("Điều 30 khoản 2, 3 {TO_CAO}")),
        ),
    ]
    .into_iter()
    .collect()
}

/// The defaults under Law 106/2025/QH15: its complaint articles are not confirmed, so the
/// values repeat the 2008/2014 ones and say so.
pub fn law_2025_defaults() -> BTreeMap<ComplaintStep, Limit> {
    law_2008_defaults()
        .into_iter()
        .map(|(step, l)| {
            let basis = if step.as_str().starts_with("denunciation") {
                l.legal_basis
            } else {
                "Luật THADS 106/2025/QH15 (giá trị mặc định, cần đối chiếu điều luật)".to_string()
            };
            (step, limit(l.count, l.unit, &basis))
        })
        .collect()
}

/// `[complaints.deadlines]`: each regime names only the steps it changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeadlineOverrides {
    /// Under the 2008/2014 law (events before `deadlines.law_2025_from`).
    pub law_2008: BTreeMap<ComplaintStep, Limit>,
    /// Under Law 106/2025/QH15.
    pub law_2025: BTreeMap<ComplaintStep, Limit>,
}

/// Where a complaint goes: the head of the office whose officer acted, or the head of the
/// office above.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolver {
    /// The head of the office the act or decision came from.
    OwnOffice,
    /// The head of the office above it (the provincial body above a regional office; the
    /// national department above a provincial body).
    ParentOffice,
}

/// `[complaints.routing]`: who answers what. Defaults: an officer's act or decision goes to
/// the head of the officer's office (Luật THADS Art. 142, as summarised by dongdoilaw.vn:
/// [secondary]); the head's own to the head above (same source: a complaint against the
/// district head's decision goes to the provincial head); a second complaint to the head
/// above the one who answered the first [unconfirmed]; denunciations of officers to their
/// head, of heads to the head above (Thông tư 13/2021/TT-BTP Art. 15, luatminhkhue.vn:
/// [secondary]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RoutingConfig {
    /// A first complaint against an officer's decision or act.
    pub officer: Resolver,
    /// A first complaint against the head's own decision or act.
    pub head: Resolver,
    /// A second complaint: relative to the office that answered the first.
    pub second: Resolver,
    /// A denunciation of an officer.
    pub denunciation_officer: Resolver,
    /// A denunciation of a head.
    pub denunciation_head: Resolver,
    /// The office above the provincial bodies (Cục Quản lý thi hành án dân sự).
    pub national_office: String,
    /// Offices whose parent is not the one their code names (`"HCM-KV01" = "HCM"` is implied).
    pub parents: BTreeMap<String, String>,
}

impl Default for RoutingConfig {
    fn default() -> Self {
        Self {
            officer: Resolver::OwnOffice,
            head: Resolver::ParentOffice,
            second: Resolver::ParentOffice,
            denunciation_officer: Resolver::OwnOffice,
            denunciation_head: Resolver::ParentOffice,
            national_office: "CUC".to_string(),
            parents: BTreeMap::new(),
        }
    }
}

impl RoutingConfig {
    /// The resolver for a first filing of `kind` against `against`.
    pub fn first(&self, kind: ComplaintKind, against: Against) -> Resolver {
        match (kind, against) {
            (ComplaintKind::Complaint, Against::Officer) => self.officer,
            (ComplaintKind::Complaint, Against::Head) => self.head,
            (ComplaintKind::Denunciation, Against::Officer) => self.denunciation_officer,
            (ComplaintKind::Denunciation, Against::Head) => self.denunciation_head,
        }
    }
}

/// `[complaints]` in the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ComplaintsConfig {
    /// Limits replacing the defaults, per regime and step.
    pub deadlines: DeadlineOverrides,
    /// Who answers what.
    pub routing: RoutingConfig,
    /// Extensions a denunciation's resolution may get (complex: 1, very complex: 2).
    pub max_extensions: u32,
    /// File holding the bearer token the party portal presents on `/v1/portal/complaints…`;
    /// without it those routes answer 503.
    pub portal_token_file: Option<std::path::PathBuf>,
}

impl Default for ComplaintsConfig {
    fn default() -> Self {
        Self {
            deadlines: DeadlineOverrides::default(),
            routing: RoutingConfig::default(),
            max_extensions: 2,
            portal_token_file: None,
        }
    }
}

/// The effective limits: defaults with the configured overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintRules {
    law_2008: BTreeMap<ComplaintStep, Limit>,
    law_2025: BTreeMap<ComplaintStep, Limit>,
}

impl ComplaintRules {
    /// The rules of `config`, refusing a zero count with the key at fault.
    pub fn new(config: &ComplaintsConfig) -> Result<Self, String> {
        for (regime, map) in [
            ("law_2008", &config.deadlines.law_2008),
            ("law_2025", &config.deadlines.law_2025),
        ] {
            if let Some((step, _)) = map.iter().find(|(_, l)| l.count == 0) {
                return Err(format!(
                    "complaints.deadlines.{regime}.{}.count: must be at least 1",
                    step.as_str()
                ));
            }
        }
        let mut law_2008 = law_2008_defaults();
        law_2008.extend(config.deadlines.law_2008.clone());
        let mut law_2025 = law_2025_defaults();
        law_2025.extend(config.deadlines.law_2025.clone());
        Ok(Self { law_2008, law_2025 })
    }

    /// The limit of `step` under `regime`.
    pub fn limit(&self, regime: Regime, step: ComplaintStep) -> &Limit {
        let map = match regime {
            Regime::Law2008 => &self.law_2008,
            Regime::Law2025 => &self.law_2025,
        };
        map.get(&step).unwrap_or(&FALLBACK)
    }
}

impl Default for ComplaintRules {
    fn default() -> Self {
        Self {
            law_2008: law_2008_defaults(),
            law_2025: law_2025_defaults(),
        }
    }
}

static FALLBACK: Limit = Limit {
    count: 30,
    unit: Unit::Days,
    legal_basis: String::new(),
};

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_step_has_a_limit_with_a_basis_and_overrides_apply() {
        let rules = ComplaintRules::default();
        for regime in [Regime::Law2008, Regime::Law2025] {
            for step in ComplaintStep::ALL {
                let l = rules.limit(regime, step);
                assert!(l.count > 0 && !l.legal_basis.is_empty(), "{step:?}");
            }
        }
        let config: ComplaintsConfig = toml::from_str(
            "[deadlines.law_2008.acceptance]\ncount = 10\nunit = \"working_days\"\nlegal_basis = \"Điều 146\"\n",
        )
        .unwrap();
        let rules = ComplaintRules::new(&config).unwrap();
        assert_eq!(
            rules
                .limit(Regime::Law2008, ComplaintStep::Acceptance)
                .count,
            10
        );
        assert_eq!(
            rules
                .limit(Regime::Law2025, ComplaintStep::Acceptance)
                .count,
            5
        );
        let zero: ComplaintsConfig = toml::from_str(
            "[deadlines.law_2025.resolution_second]\ncount = 0\nunit = \"days\"\nlegal_basis = \"x\"\n",
        )
        .unwrap();
        assert!(ComplaintRules::new(&zero)
            .unwrap_err()
            .contains("complaints.deadlines.law_2025.resolution_second.count"));
        assert!(toml::from_str::<ComplaintsConfig>(
            "[deadlines.law_2008.nonsense]\ncount = 1\nunit = \"days\"\nlegal_basis = \"x\"\n"
        )
        .is_err());
    }

    #[test]
    fn the_resolution_limit_follows_kind_round_and_stage() {
        use ComplaintStep as S;
        let c = ComplaintKind::Complaint;
        assert_eq!(S::resolution(c, 1, Stage::Freeze), S::ResolutionFreeze);
        assert_eq!(
            S::resolution(c, 1, Stage::BeforeMeasures),
            S::ResolutionBeforeMeasures
        );
        assert_eq!(S::resolution(c, 2, Stage::Freeze), S::ResolutionSecond);
        assert_eq!(
            S::resolution(ComplaintKind::Denunciation, 1, Stage::Coercion),
            S::DenunciationResolution
        );
        assert_eq!(
            S::acceptance(ComplaintKind::Denunciation),
            S::DenunciationAcceptance
        );
    }
}
