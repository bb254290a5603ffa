//! The rules of the verification record: found, nothing found, failed databases and debtors
//! without a number.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::verification::subject::TaxCode;

fn person(r: &str, cccd: &str) -> Debtor {
    Debtor {
        party_ref: r.into(),
        name: "Trần Thị Bình".into(),
        kind: "person".into(),
        subject: Ok(Subject::person(cccd).unwrap()),
    }
}

fn ok(answer: Answer) -> Result<Lookup, LookupError> {
    Ok(Lookup {
        answer,
        source: "sim#1".into(),
        fetched_at: 0,
        cache_hit: false,
        attempts: 1,
    })
}

fn identity(address: Option<&str>) -> Answer {
    Answer::Population {
        identity: Some(Identity {
            full_name: "Trần Thị Bình".into(),
            birth_date: "1982-05-14".into(),
            gender: "female".into(),
            permanent_address: None,
            current_address: address.map(str::to_string),
        }),
    }
}

fn empty_answers(with_identity: Answer) -> Vec<(Registry, Result<Lookup, LookupError>)> {
    vec![
        (Registry::Population, ok(with_identity)),
        (Registry::Land, ok(Answer::Land { parcels: vec![] })),
        (Registry::Vehicle, ok(Answer::Vehicle { vehicles: vec![] })),
        (
            Registry::Business,
            ok(Answer::Business {
                enterprise: None,
                shares: vec![],
            }),
        ),
    ]
}

#[test]
fn land_makes_the_debtor_able() {
    let mut answers = empty_answers(identity(Some("45 Nguyễn Trãi")));
    answers[1].1 = ok(Answer::Land {
        parcels: vec![LandParcel {
            certificate_number: "CS 04521".into(),
            address: "Thủ Đức".into(),
            area_m2: 72.5,
            land_use: "Đất ở tại đô thị (ODT)".into(),
        }],
    });
    let c = compile(vec![(person("P2", "079182005678"), answers)]);
    assert_eq!(c.completeness, Completeness::Complete);
    assert_eq!(c.conclusion, Conclusion::AssetsFound);
    assert_eq!(c.ground, None);
    assert_eq!(c.debtors[0].land.len(), 1);
    assert_eq!(c.debtors[0].subject.as_deref(), Some("079*******78"));
    assert!(c.text_vi().contains("GCN CS 04521"));
    assert!(c.text_vi().contains("có tài sản"));
    assert!(!c.counts().contains("079"), "{}", c.counts());
}

#[test]
fn nothing_found_is_concluded_only_when_every_database_answered() {
    let c = compile(vec![(
        person("P2", "079182005678"),
        empty_answers(identity(Some("45 Nguyễn Trãi"))),
    )]);
    assert_eq!(c.completeness, Completeness::Complete);
    assert_eq!(c.conclusion, Conclusion::NothingFound);
    assert_eq!(c.ground, Some(NotEnforceableGround::NoMeans));
    assert!(c.text_vi().contains("chưa có điều kiện"));

    let mut answers = empty_answers(identity(Some("45 Nguyễn Trãi")));
    answers[2].1 = Err(LookupError::Unavailable {
        attempts: 3,
        reason: "timed out".into(),
    });
    let c = compile(vec![(person("P2", "079182005678"), answers)]);
    assert_eq!(c.completeness, Completeness::Incomplete);
    assert_eq!(
        c.conclusion,
        Conclusion::Undetermined,
        "a failure is never 'nothing'"
    );
    assert!(c.retry_useful);
    assert_eq!(c.failures.len(), 1);
    assert!(c.failures[0].starts_with("P2: vehicle: unavailable"));
    assert_eq!(c.debtors[0].databases[2].outcome, "failed");
    assert!(c.text_vi().contains("sẽ xác minh lại"));
}

#[test]
fn an_unknown_citizen_without_property_has_no_known_address() {
    let c = compile(vec![(
        person("P2", "079182005678"),
        empty_answers(Answer::Population { identity: None }),
    )]);
    assert_eq!(c.conclusion, Conclusion::NothingFound);
    assert_eq!(c.ground, Some(NotEnforceableGround::AddressUnknown));
    assert_eq!(c.debtors[0].databases[0].outcome, "nothing_found");
}

#[test]
fn debtors_without_a_number_leave_the_record_incomplete_without_retry() {
    let org = Debtor {
        party_ref: "CO1".into(),
        name: "Công ty TNHH Minh Phát".into(),
        kind: "organisation".into(),
        subject: Err("no tax code is known for this organisation".into()),
    };
    let c = compile(vec![(org, vec![])]);
    assert_eq!(c.completeness, Completeness::Incomplete);
    assert_eq!(c.conclusion, Conclusion::Undetermined);
    assert!(!c.retry_useful);
    assert!(c.debtors[0].databases.is_empty());
    assert!(c.debtors[0].not_queried.is_some());
}

#[test]
fn organisations_skip_the_population_database() {
    let org = Debtor {
        party_ref: "CO1".into(),
        name: "Công ty TNHH Minh Phát".into(),
        kind: "organisation".into(),
        subject: Ok(Subject::Organisation(TaxCode::parse("0101234567").unwrap())),
    };
    let answers = empty_answers(Answer::Population { identity: None })
        .into_iter()
        .skip(1)
        .collect();
    let c = compile(vec![(org, answers)]);
    assert_eq!(c.completeness, Completeness::Complete);
    assert_eq!(c.debtors[0].databases[0].outcome, "not_applicable");
    assert_eq!(c.ground, Some(NotEnforceableGround::NoMeans));
}
