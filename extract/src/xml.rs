//! XML judgments (`urn:thads:court:judgment:v1`): the court's structured parties and
//! obligations are taken as they are; when the document has no usable obligations, they are
//! read from its `OperativeText` with the text parser.
//!
//! A valid document goes through `thads_schemas::court::parse_judgment_xml`. One the schema
//! rejects (typically for lacking obligations) is read leniently from the safe DOM, with the
//! schema's findings as warnings, so a court that sends only text inside XML is still served.

use crate::cues;
use crate::header::kind_from_number;
use crate::model::{
    ExtractedObligation, ExtractedParty, Extraction, Initiation, JudgmentInfo, ObligationKind,
    Period, Role, STATE,
};
use crate::names::{display_name, is_organisation};
use crate::normalize::{fold, normalize};
use crate::parties::{Label, PartyRecord, Registry};
use crate::ExtractError;
use thads_schemas::court::{parse_judgment_xml, Judgment, JudgmentError};
use thads_schemas::xml::{self, Element, Limits};

/// Reads an XML judgment.
pub(crate) fn extract_xml(bytes: &[u8]) -> Result<Extraction, ExtractError> {
    match parse_judgment_xml(bytes) {
        Ok(j) => Ok(from_judgment(&j)),
        Err(JudgmentError::Invalid(errors)) => {
            let root = xml::parse(bytes, &Limits::default()).map_err(JudgmentError::from)?;
            let mut warnings: Vec<String> = errors
                .0
                .iter()
                .map(|e| format!("schema: {}: {}", e.field, e.reason))
                .collect();
            Ok(lenient(&root, &mut warnings))
        }
        Err(e) => Err(ExtractError::Xml(e)),
    }
}

/// A structured obligation as the court coded it.
struct Coded {
    kind: String,
    debtor: Option<String>,
    creditor: Option<String>,
    amount: Option<i64>,
    /// The court's `period` attribute (`monthly`, ...), when it coded one.
    period: Option<String>,
    description: Option<String>,
}

/// From a judgment the schema accepted.
fn from_judgment(j: &Judgment) -> Extraction {
    let info = JudgmentInfo {
        court: Some(j.court.name.clone()),
        number: Some(j.judgment_number.clone()),
        date: Some(j.judgment_date.to_string()),
        kind: kind_from_number(&j.judgment_number),
    };
    let mut ids = Vec::new();
    let mut reg = Registry::default();
    for p in &j.parties {
        ids.push(p.id.clone());
        let is_org = p.kind.as_str() == "organisation";
        reg.records.push(PartyRecord {
            party: ExtractedParty {
                name: p.name.as_str().to_owned(),
                role: role_of(p.role.as_str()),
                cccd: p.cccd.as_ref().map(|c| c.as_str().to_owned()),
                business_code: None,
                address: p.address.as_ref().map(|a| a.as_str().to_owned()),
                birth_year: p.birth_year,
            },
            label: Label::of_role(role_of(p.role.as_str())),
            is_org,
            aliases: Vec::new(),
        });
    }
    let coded: Vec<Coded> = j
        .obligations
        .iter()
        .map(|o| Coded {
            kind: o.kind.as_str().to_owned(),
            debtor: Some(o.debtor.clone()),
            creditor: o.creditor.clone(),
            amount: o.amount.map(|a| a.amount()),
            period: o.period.map(|p| p.as_str().to_owned()),
            description: o.description.clone(),
        })
        .collect();
    assemble(
        info,
        reg,
        &ids,
        coded,
        j.operative_text.as_deref(),
        Vec::new(),
    )
}

/// From the DOM of a document the schema rejected.
fn lenient(root: &Element, warnings: &mut Vec<String>) -> Extraction {
    let text_of = |name: &str| {
        root.child(name)
            .map(|e| e.text_trimmed().to_owned())
            .filter(|t| !t.is_empty())
    };
    let number = text_of("JudgmentNumber");
    let info = JudgmentInfo {
        court: text_of("Court").map(|c| crate::normalize::normalize(&c)),
        kind: number.as_deref().and_then(kind_from_number),
        number,
        date: text_of("JudgmentDate"),
    };
    let mut ids = Vec::new();
    let mut reg = Registry::default();
    if let Some(list) = root.child("Parties") {
        for (i, p) in list.children_named("Party").enumerate() {
            let Some(name) = p
                .child("Name")
                .map(|n| display_name(&normalize(n.text_trimmed())))
            else {
                continue;
            };
            if name.is_empty() {
                continue;
            }
            let role = role_of(p.attr("role").unwrap_or(""));
            ids.push(p.attr("id").map_or_else(|| format!("#{i}"), str::to_owned));
            let field = |n: &str| {
                p.child(n)
                    .map(|e| normalize(e.text_trimmed()))
                    .filter(|t| !t.is_empty())
            };
            reg.records.push(PartyRecord {
                party: ExtractedParty {
                    role,
                    cccd: field("Cccd"),
                    business_code: field("BusinessCode"),
                    address: field("Address"),
                    birth_year: field("BirthYear").and_then(|y| y.parse().ok()),
                    name: name.clone(),
                },
                label: Label::of_role(role),
                is_org: p.attr("kind") == Some("organisation") || is_organisation(&name),
                aliases: Vec::new(),
            });
        }
    }
    let mut coded = Vec::new();
    if let Some(list) = root.child("Obligations") {
        for o in list.children_named("Obligation") {
            coded.push(Coded {
                kind: o.attr("kind").unwrap_or("other").to_owned(),
                debtor: o.attr("debtor").map(str::to_owned),
                creditor: o.attr("creditor").map(str::to_owned),
                amount: o
                    .child("AmountVnd")
                    .and_then(|a| a.text_trimmed().parse::<i64>().ok()),
                period: o.attr("period").map(str::to_owned),
                description: o.child("Description").map(|d| d.text_trimmed().to_owned()),
            });
        }
    }
    let operative = root.child("OperativeText").map(|e| e.text.clone());
    assemble(
        info,
        reg,
        &ids,
        coded,
        operative.as_deref(),
        std::mem::take(warnings),
    )
}

/// Builds the extraction: coded obligations when there are any, else the operative text read.
fn assemble(
    judgment: JudgmentInfo,
    mut reg: Registry,
    ids: &[String],
    coded: Vec<Coded>,
    operative: Option<&str>,
    mut warnings: Vec<String>,
) -> Extraction {
    let name_of = |id: &Option<String>, reg: &Registry| {
        id.as_ref().and_then(|id| {
            ids.iter()
                .position(|x| x == id)
                .and_then(|i| reg.records.get(i))
                .map(|r| r.party.name.clone())
        })
    };
    let mut obligations = Vec::new();
    for c in &coded {
        let description = c.description.as_deref().map(normalize).unwrap_or_default();
        let kind = refine(&c.kind, &description);
        let debtor_party = name_of(&c.debtor, &reg);
        let creditor_party = name_of(&c.creditor, &reg);
        let (debtor, creditor) = if kind == ObligationKind::RefundAdvanceFee {
            (Some(STATE.to_owned()), creditor_party.or(debtor_party))
        } else if c.creditor.is_none() {
            (debtor_party, Some(STATE.to_owned()))
        } else {
            (debtor_party, creditor_party)
        };
        let state = debtor.as_deref() == Some(STATE) || creditor.as_deref() == Some(STATE);
        obligations.push(ExtractedObligation {
            kind,
            debtor,
            creditor,
            amount_vnd: c.amount,
            period: coded_period(c.period.as_deref())
                .or_else(|| cues::period_of(&fold(&description))),
            initiation: if state {
                Initiation::ExOfficio
            } else {
                Initiation::OnRequest
            },
            text: description,
        });
    }
    if obligations.is_empty() {
        match operative {
            Some(text) if !text.trim().is_empty() => {
                let op = normalize(text);
                obligations = crate::obligations::read_obligations(&op, &mut reg, &mut warnings);
            }
            _ => warnings
                .push("the document has neither obligations nor an operative text".to_owned()),
        }
    }
    Extraction {
        judgment,
        parties: reg.records.into_iter().map(|r| r.party).collect(),
        obligations,
        warnings,
    }
}

/// Enforcement role from its wire name; unknown roles are read as interested.
fn role_of(wire: &str) -> Role {
    match wire {
        "creditor" => Role::Creditor,
        "debtor" => Role::Debtor,
        _ => Role::Interested,
    }
}

/// The period the court coded, in the extractor's terms.
fn coded_period(wire: Option<&str>) -> Option<Period> {
    match wire? {
        "monthly" => Some(Period::Monthly),
        "quarterly" => Some(Period::Quarterly),
        "yearly" => Some(Period::Yearly),
        _ => None,
    }
}

/// The court's kind, made finer with the description: a `pay_money` described as "bồi
/// thường" is compensation, one described as "cấp dưỡng" child support, and so on.
fn refine(wire: &str, description: &str) -> ObligationKind {
    let coded = ObligationKind::from_wire(wire).unwrap_or(ObligationKind::Other);
    let f = fold(description);
    match coded {
        ObligationKind::PayMoney | ObligationKind::Other => {
            if f.contains("tạm ứng") && crate::normalize::has_any(&f, &cues::REFUND_VERBS) {
                return ObligationKind::RefundAdvanceFee;
            }
            match cues::specific_kind(&f) {
                Some(
                    k @ (ObligationKind::Compensation
                    | ObligationKind::ChildSupport
                    | ObligationKind::Wages
                    | ObligationKind::LifeHealthDamages),
                ) => k,
                _ if coded == ObligationKind::Other && cues::is_land(&f) => {
                    ObligationKind::ReturnLand
                }
                _ => coded,
            }
        }
        other => other,
    }
}
