//! The verification record (biên bản xác minh điều kiện thi hành án) compiled from what each
//! database answered about each debtor: the findings, the databases that failed, whether the
//! record is complete, and its conclusion. Pure, so every rule is tested directly. A database
//! that failed makes the record incomplete; it is never read as "nothing found".

use serde::{Deserialize, Serialize};

use super::findings::{
    Answer, CapitalShare, Enterprise, Identity, LandParcel, Lookup, LookupError, VehicleRecord,
};
use super::subject::{Registry, Subject};
use crate::db::rfc3339;
use crate::lifecycle::operation::NotEnforceableGround;

/// A debtor of the case as the run sees it.
#[derive(Debug, Clone)]
pub struct Debtor {
    /// Reference in the judgment (`P2`).
    pub party_ref: String,
    /// Name as the court wrote it.
    pub name: String,
    /// `person` or `organisation`.
    pub kind: String,
    /// The number to query by, or why there is none.
    pub subject: Result<Subject, String>,
}

/// How one database answered about one debtor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabaseResult {
    /// The database.
    pub database: Registry,
    /// `found`, `nothing_found`, `failed` or `not_applicable`.
    pub outcome: String,
    /// Whether the answer came from the cache.
    pub cache_hit: bool,
    /// The partner's reference for the answer.
    pub source: Option<String>,
    /// When the partner answered (RFC 3339).
    pub fetched_at: Option<String>,
    /// Why it failed.
    pub error: Option<LookupError>,
}

/// What was found about one debtor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DebtorFindings {
    /// Reference in the judgment.
    pub party_ref: String,
    /// Name.
    pub name: String,
    /// `person` or `organisation`.
    pub kind: String,
    /// The number queried, masked; `None` when the debtor has none.
    pub subject: Option<String>,
    /// Why the debtor could not be queried.
    pub not_queried: Option<String>,
    /// Identity and residence (population database).
    pub identity: Option<Identity>,
    /// Land parcels.
    pub land: Vec<LandParcel>,
    /// Vehicles.
    pub vehicles: Vec<VehicleRecord>,
    /// The enterprise registered under the debtor's tax code.
    pub enterprise: Option<Enterprise>,
    /// Capital shares held.
    pub shares: Vec<CapitalShare>,
    /// Each database's answer.
    pub databases: Vec<DatabaseResult>,
}

/// Whether every database answered for every debtor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Completeness {
    /// Every database answered about every debtor.
    Complete,
    /// A database failed, or a debtor has no number to query by: verified again later.
    Incomplete,
}

/// What the record concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conclusion {
    /// Land, vehicles or capital shares were found: the debtor can be made to pay (có điều kiện).
    AssetsFound,
    /// Every database answered and none lists property (chưa có điều kiện).
    NothingFound,
    /// Nothing found so far, but some answers are missing: no conclusion yet.
    Undetermined,
}

/// The compiled record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Compiled {
    /// Complete or not.
    pub completeness: Completeness,
    /// The conclusion.
    pub conclusion: Conclusion,
    /// Per debtor.
    pub debtors: Vec<DebtorFindings>,
    /// `P2: land: unavailable after 3 attempts: …`, one per failed query.
    pub failures: Vec<String>,
    /// Whether a database failed (a later run may succeed), as opposed to a debtor without a number.
    pub retry_useful: bool,
    /// The ground of Art. 44a(1) when nothing was found.
    pub ground: Option<NotEnforceableGround>,
}

/// What each database answered about one debtor (a database that does not apply to the debtor
/// is absent).
pub type Answers = Vec<(Registry, Result<Lookup, LookupError>)>;

/// Compiles the answers of a run, per debtor.
pub fn compile(answers: Vec<(Debtor, Answers)>) -> Compiled {
    let mut debtors = Vec::with_capacity(answers.len());
    let mut failures = Vec::new();
    let mut retry_useful = false;
    let mut unidentified = false;
    let mut assets = false;
    for (debtor, results) in answers {
        let mut f = DebtorFindings {
            party_ref: debtor.party_ref.clone(),
            name: debtor.name.clone(),
            kind: debtor.kind.clone(),
            subject: debtor.subject.as_ref().ok().map(Subject::masked),
            not_queried: debtor.subject.as_ref().err().cloned(),
            identity: None,
            land: Vec::new(),
            vehicles: Vec::new(),
            enterprise: None,
            shares: Vec::new(),
            databases: Vec::new(),
        };
        if let Err(why) = &debtor.subject {
            unidentified = true;
            failures.push(format!("{}: not queried: {why}", debtor.party_ref));
        }
        for registry in Registry::ALL {
            let Some((_, result)) = results.iter().find(|(r, _)| *r == registry) else {
                if debtor.subject.is_ok() {
                    f.databases.push(DatabaseResult {
                        database: registry,
                        outcome: "not_applicable".into(),
                        cache_hit: false,
                        source: None,
                        fetched_at: None,
                        error: None,
                    });
                }
                continue;
            };
            match result {
                Ok(lookup) => {
                    assets |= lookup.answer.has_assets();
                    let outcome = if lookup.answer.is_empty() {
                        "nothing_found"
                    } else {
                        "found"
                    };
                    f.databases.push(DatabaseResult {
                        database: registry,
                        outcome: outcome.into(),
                        cache_hit: lookup.cache_hit,
                        source: Some(lookup.source.clone()),
                        fetched_at: Some(rfc3339(lookup.fetched_at)),
                        error: None,
                    });
                    absorb(&mut f, &lookup.answer);
                }
                Err(e) => {
                    retry_useful = true;
                    failures.push(format!("{}: {registry}: {e}", debtor.party_ref));
                    f.databases.push(DatabaseResult {
                        database: registry,
                        outcome: "failed".into(),
                        cache_hit: false,
                        source: None,
                        fetched_at: None,
                        error: Some(e.clone()),
                    });
                }
            }
        }
        debtors.push(f);
    }
    let completeness = if failures.is_empty() && !unidentified {
        Completeness::Complete
    } else {
        Completeness::Incomplete
    };
    let conclusion = match (assets, completeness) {
        (true, _) => Conclusion::AssetsFound,
        (false, Completeness::Complete) => Conclusion::NothingFound,
        (false, Completeness::Incomplete) => Conclusion::Undetermined,
    };
    let ground = (conclusion == Conclusion::NothingFound).then(|| ground_of(&debtors));
    Compiled {
        completeness,
        conclusion,
        debtors,
        failures,
        retry_useful,
        ground,
    }
}

fn absorb(f: &mut DebtorFindings, answer: &Answer) {
    match answer {
        Answer::Population { identity } => f.identity.clone_from(identity),
        Answer::Land { parcels } => f.land.extend(parcels.iter().cloned()),
        Answer::Vehicle { vehicles } => f.vehicles.extend(vehicles.iter().cloned()),
        Answer::Business { enterprise, shares } => {
            f.enterprise.clone_from(enterprise);
            f.shares.extend(shares.iter().cloned());
        }
    }
}

/// Art. 44a(1)(c) when no person debtor has a known residence (the population database does not
/// know them or lists no address), else (a): no income or attachable property.
fn ground_of(debtors: &[DebtorFindings]) -> NotEnforceableGround {
    let persons: Vec<&DebtorFindings> = debtors.iter().filter(|d| d.kind == "person").collect();
    let unknown = |d: &&DebtorFindings| {
        d.identity
            .as_ref()
            .is_none_or(|i| i.current_address.is_none() && i.permanent_address.is_none())
    };
    if !persons.is_empty() && persons.iter().all(unknown) {
        NotEnforceableGround::AddressUnknown
    } else {
        NotEnforceableGround::NoMeans
    }
}

impl Compiled {
    /// A one-line summary without personal data, for the case's operation log and events.
    pub fn counts(&self) -> String {
        let n = |f: fn(&DebtorFindings) -> usize| self.debtors.iter().map(f).sum::<usize>();
        format!(
            "{} thửa đất, {} phương tiện, {} phần vốn góp; {} cơ sở dữ liệu không trả lời",
            n(|d| d.land.len()),
            n(|d| d.vehicles.len()),
            n(|d| d.shares.len()),
            self.failures.len()
        )
    }

    /// The record's text in Vietnamese, as the officer reads and signs it.
    pub fn text_vi(&self) -> String {
        let mut t = String::new();
        for d in &self.debtors {
            t.push_str(&format!(
                "Người phải thi hành án {} ({}){}:\n",
                d.name,
                d.party_ref,
                d.subject
                    .as_deref()
                    .map(|s| format!(", số định danh {s}"))
                    .unwrap_or_default()
            ));
            if let Some(why) = &d.not_queried {
                t.push_str(&format!("  - Không tra cứu được: {why}\n"));
            }
            if let Some(i) = &d.identity {
                t.push_str(&format!(
                    "  - Nhân thân: {}, sinh ngày {}, nơi ở hiện tại: {}\n",
                    i.full_name,
                    i.birth_date,
                    i.current_address
                        .as_deref()
                        .or(i.permanent_address.as_deref())
                        .unwrap_or("không rõ")
                ));
            }
            for p in &d.land {
                t.push_str(&format!(
                    "  - Quyền sử dụng đất: GCN {}, {}, {} m², {}\n",
                    p.certificate_number, p.address, p.area_m2, p.land_use
                ));
            }
            for v in &d.vehicles {
                t.push_str(&format!(
                    "  - Phương tiện: {} {} biển số {}, đăng ký ngày {}\n",
                    v.kind, v.brand, v.plate, v.registered_on
                ));
            }
            if let Some(e) = &d.enterprise {
                t.push_str(&format!(
                    "  - Doanh nghiệp: {} (mã số {}), {}, vốn điều lệ {}\n",
                    e.name, e.code, e.status, e.charter_capital
                ));
            }
            for s in &d.shares {
                t.push_str(&format!(
                    "  - Vốn góp: {} tại {} (mã số {}), {}%, {}\n",
                    s.capital, s.enterprise_name, s.enterprise_code, s.percent, s.role
                ));
            }
            for r in d.databases.iter().filter(|r| r.outcome == "failed") {
                t.push_str(&format!(
                    "  - {}: chưa có kết quả, sẽ xác minh lại\n",
                    r.database.title_vi()
                ));
            }
        }
        t.push_str(match self.conclusion {
            Conclusion::AssetsFound => "Kết luận: người phải thi hành án có tài sản để thi hành án.\n",
            Conclusion::NothingFound => {
                "Kết luận: không tìm thấy tài sản, thu nhập để thi hành án (chưa có điều kiện thi hành án).\n"
            }
            Conclusion::Undetermined => {
                "Kết luận: chưa đủ kết quả xác minh; việc xác minh sẽ được thực hiện lại.\n"
            }
        });
        t
    }
}

#[cfg(test)]
mod tests;
