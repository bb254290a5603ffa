//! Tests of the judgment: every file in `schemas/court/examples` parses, every file in
//! `schemas/court/invalid` fails naming the field its first comment announces, and the JSON form
//! round-trips and validates.
#![allow(clippy::unwrap_used)]

use super::judgment::*;
use crate::validation::ValidationErrors;
use std::path::{Path, PathBuf};

/// The `.xml` files of `schemas/court/<dir>`, sorted.
pub(super) fn files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("court")
        .join(dir);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    out.sort();
    out
}

/// An invalid example's expectations, from its first comment:
/// `<!-- invalid: FIELD | xsd: reject|accept | why -->`.
pub(super) struct Expectation {
    pub(super) field: String,
    pub(super) xsd_rejects: bool,
}

pub(super) fn expectation(text: &str) -> Expectation {
    let start = text.find("<!--").unwrap() + 4;
    let end = text[start..].find("-->").unwrap() + start;
    let parts: Vec<&str> = text[start..end].split('|').map(str::trim).collect();
    let field = parts[0].strip_prefix("invalid:").unwrap().trim().to_owned();
    let xsd = parts[1].strip_prefix("xsd:").unwrap().trim();
    assert!(xsd == "reject" || xsd == "accept", "bad xsd marker {xsd}");
    Expectation {
        field,
        xsd_rejects: xsd == "reject",
    }
}

fn example(name: &str) -> Judgment {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("court/examples")
        .join(name);
    parse_judgment_xml(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn every_example_parses_and_round_trips_as_json() {
    let files = files("examples");
    assert!(files.len() >= 3);
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let j = parse_judgment_xml(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        j.validate().unwrap();
        let json = serde_json::to_vec(&j).unwrap();
        let back = Judgment::from_json(&json).unwrap();
        assert_eq!(back, j, "{}", path.display());
    }
}

#[test]
fn every_invalid_file_names_its_field() {
    let files = files("invalid");
    assert!(files.len() >= 5);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let want = expectation(&text);
        let err = parse_judgment_xml(text.as_bytes()).unwrap_err();
        let fields = err.field_errors();
        assert!(
            fields.has_field(&want.field),
            "{}: expected an error on {}, got {fields}",
            path.display(),
            want.field
        );
    }
}

#[test]
fn civil_loan_example_reads_as_expected() {
    let j = example("ds-vay-tai-san.xml");
    assert_eq!(j.document_id, "TAND79-KV1-2026-DS-215");
    assert_eq!(j.court.code, "TAND79-KV1");
    assert_eq!(j.office.as_str(), "HCM-KV01");
    assert_eq!(j.judgment_date, time::macros::date!(2026 - 03 - 12));
    assert_eq!(j.parties.len(), 2);
    let debtor = &j.parties[1];
    assert_eq!(debtor.role, PartyRole::Debtor);
    assert_eq!(debtor.kind, PartyKind::Person);
    assert_eq!(debtor.name.as_str(), "Trần Thị Bình");
    assert_eq!(debtor.cccd.as_ref().unwrap().as_str(), "079182005678");
    assert_eq!(
        j.obligations[0].amount.unwrap().in_words(),
        "Một trăm năm mươi triệu đồng"
    );
    assert_eq!(j.obligations[1].kind, ObligationKind::CourtFee);
    assert_eq!(j.obligations[1].creditor, None);
    assert!(j
        .operative_text
        .as_deref()
        .unwrap()
        .starts_with("1. Chấp nhận"));
    assert_eq!(j.stable_key().len(), 24);
    assert_eq!(j.stable_key(), example("ds-vay-tai-san.xml").stable_key());
}

#[test]
fn json_shape_is_canonical() {
    let j = example("kdtm-to-chuc.xml");
    let v: serde_json::Value = serde_json::to_value(&j).unwrap();
    assert_eq!(v["judgment_date"], "2026-02-26");
    assert_eq!(v["parties"][0]["kind"], "organisation");
    assert_eq!(v["parties"][2]["role"], "interested");
    assert_eq!(v["parties"][2]["cccd"], "001085012345");
    assert_eq!(v["obligations"][0]["kind"], "pay_money");
    assert_eq!(v["obligations"][0]["amount"], 2_015_300_000i64);
    assert!(v["parties"][0].get("cccd").is_none());
    assert_eq!(
        j.parties[1].name.as_str(),
        "Công ty TNHH Xây dựng & Thương mại Minh Phát"
    );
}

#[test]
fn debug_never_shows_personal_data() {
    let j = example("ds-vay-tai-san.xml");
    let dbg = format!("{j:?}");
    for secret in ["Bình", "079182005678", "Lê Lợi", "Buộc bà", "Trả nợ vay"] {
        assert!(!dbg.contains(secret), "Debug leaks {secret}");
    }
    assert!(dbg.contains("079*******78"));
}

#[test]
fn text_is_stored_nfc() {
    let src = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("court/examples/ds-vay-tai-san.xml"),
    )
    .unwrap();
    let decomposed = src.replace(
        "Trần Thị Bình",
        "Tra\u{0302}\u{0300}n Thi\u{0323} Bi\u{0300}nh",
    );
    let j = parse_judgment_xml(decomposed.as_bytes()).unwrap();
    assert_eq!(j.parties[1].name.as_str(), "Trần Thị Bình");
}

const MINIMAL: &str = r#"<Judgment xmlns="urn:thads:court:judgment:v1">
<DocumentId>D1</DocumentId><Court code="TAND79">Tòa</Court><Office>HCM</Office>
<JudgmentNumber>1/2026/DS-ST</JudgmentNumber><JudgmentDate>2026-01-02</JudgmentDate>
<EffectiveDate>2026-01-20</EffectiveDate>
<Parties><Party id="P1" role="debtor"><Name>A</Name></Party></Parties>
<Obligations><Obligation kind="fine" debtor="P1"><AmountVnd>1000</AmountVnd></Obligation></Obligations>
</Judgment>"#;

fn invalid(doc: &str) -> ValidationErrors {
    match parse_judgment_xml(doc.as_bytes()).unwrap_err() {
        JudgmentError::Invalid(e) => e,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn minimal_document_is_valid_state_only_obligation() {
    let j = parse_judgment_xml(MINIMAL.as_bytes()).unwrap();
    assert_eq!(j.obligations[0].kind, ObligationKind::Fine);
}

#[test]
fn collects_all_errors() {
    let doc = MINIMAL
        .replace("<Office>HCM</Office>", "")
        .replace("2026-01-20", "2025-12-31")
        .replace("<Name>A</Name>", "<Name>A</Name><Cccd>12</Cccd><Foo/>")
        .replace("<AmountVnd>1000</AmountVnd>", "<AmountVnd>0</AmountVnd>")
        .replace(
            "debtor=\"P1\">",
            "debtor=\"P1\" creditor=\"P7\" extra=\"x\">",
        );
    let e = invalid(&doc);
    for field in [
        "Judgment/Office",
        "Judgment/EffectiveDate",
        "Judgment/Parties/Party[1]/Cccd",
        "Judgment/Parties/Party[1]/Foo",
        "Judgment/Obligations/Obligation[1]/AmountVnd",
        "Judgment/Obligations/Obligation[1]/@creditor",
        "Judgment/Obligations/Obligation[1]/@extra",
    ] {
        assert!(e.has_field(field), "missing {field} in {e}");
    }
    assert_eq!(
        e.iter()
            .find(|x| x.field == "Judgment/Office")
            .unwrap()
            .reason,
        "is required"
    );
    assert!(e.to_string().contains("must be exactly 12 digits, got 2"));
}

#[test]
fn structural_errors() {
    let e = invalid(&MINIMAL.replace(
        "<Office>HCM</Office>",
        "<Office>HCM</Office><Office>HNI</Office>",
    ));
    assert!(e
        .iter()
        .any(|x| x.field == "Judgment/Office" && x.reason == "appears more than once"));
    let e = invalid(&MINIMAL.replace("<Parties>", "<Parties>text"));
    assert!(e.has_field("Judgment/Parties"));
    let e = invalid(&MINIMAL.replace(
        "<Parties><Party id=\"P1\" role=\"debtor\"><Name>A</Name></Party></Parties>",
        "<Parties/>",
    ));
    assert!(e
        .iter()
        .any(|x| x.reason == "at least one Party is required"));
    let e = invalid(&MINIMAL.replace("<Name>A</Name>", "<Name><b>A</b></Name>"));
    assert!(e.has_field("Judgment/Parties/Party[1]/Name"));
    let e = invalid(&MINIMAL.replace("<Name>A</Name>", "<Name>  </Name>"));
    assert!(e.has_field("Judgment/Parties/Party[1]/Name"));
    let e = invalid(&MINIMAL.replace("role=\"debtor\"", "role=\"judge\""));
    assert!(e.has_field("Judgment/Parties/Party[1]/@role"));
    let e = invalid(&MINIMAL.replace("kind=\"fine\"", "kind=\"tax\""));
    assert!(e.has_field("Judgment/Obligations/Obligation[1]/@kind"));
    let e = invalid(&MINIMAL.replace(
        "<Name>A</Name>",
        "<Name>A</Name><x:Foo xmlns:x=\"urn:other\"/>",
    ));
    assert!(e.has_field("Judgment/Parties/Party[1]/Foo"));
}

#[test]
fn root_and_body_errors_map_to_fields() {
    let e = parse_judgment_xml(b"<Other xmlns=\"urn:thads:court:judgment:v1\"/>").unwrap_err();
    assert_eq!(
        e,
        JudgmentError::WrongRoot {
            found: "Other".into()
        }
    );
    assert_eq!(e.field_errors().0[0].field, "Judgment");
    let e = parse_judgment_xml(b"<Judgment/>").unwrap_err();
    assert_eq!(e, JudgmentError::WrongNamespace { found: None });
    assert!(e.field_errors().0[0]
        .reason
        .contains("urn:thads:court:judgment:v1"));
    let e = parse_judgment_xml(b"<!DOCTYPE x [<!ENTITY a 'b'>]><Judgment/>").unwrap_err();
    assert!(matches!(e, JudgmentError::Xml(_)));
    assert_eq!(e.field_errors().0[0].field, "body");
}

#[test]
fn json_validate_uses_json_pointers() {
    let mut j = example("ds-vay-tai-san.xml");
    j.parties[1].birth_year = Some(1983);
    j.obligations[1].creditor = Some("P1".into());
    j.obligations[0].debtor = "P1".into();
    j.judgment_number = "215-2026".into();
    let e = j.validate().unwrap_err();
    for field in [
        "/parties/1/cccd",
        "/obligations/1/creditor",
        "/obligations/0/debtor",
        "/judgment_number",
    ] {
        assert!(e.has_field(field), "missing {field} in {e}");
    }
    let bad = serde_json::to_string(&j)
        .unwrap()
        .replace("\"HCM-KV01\"", "\"hcm\"");
    assert!(Judgment::from_json(bad.as_bytes()).is_err());
}

#[test]
fn hostile_random_input_never_panics() {
    use proptest::prelude::*;
    proptest!(|(s in "\\PC{0,300}")| {
        let _ = parse_judgment_xml(s.as_bytes());
        let doc = MINIMAL.replace("<Name>A</Name>", &format!("<Name>{s}</Name>"));
        let _ = parse_judgment_xml(doc.as_bytes());
    });
}

#[test]
fn schema_v1_says_what_a_document_is_and_what_it_changes() {
    let interim = example("hngd-cap-duong-khan-cap.xml");
    assert_eq!(interim.document_kind, DocumentKind::InterimMeasure);
    assert_eq!(interim.kind(), crate::court::JudgmentKind::Family);
    assert_eq!(interim.obligations[0].kind, ObligationKind::ChildSupport);
    assert_eq!(interim.obligations[0].period, Some(Period::Monthly));
    assert!(!interim.is_text_only());

    let text_only = example("ds-chi-van-ban.xml");
    assert!(text_only.is_text_only());
    assert!(text_only.parties.is_empty() && text_only.obligations.is_empty());
    assert_eq!(text_only.kind(), crate::court::JudgmentKind::Civil);

    let correction = example("ds-dinh-chinh.xml");
    let amends = correction.amends.unwrap();
    assert_eq!(amends.kind, AmendmentKind::Correction);
    assert_eq!(amends.document_id, "TAND79-KV1-2026-DS-215");
    assert!(amends.reason.unwrap().starts_with("Đính chính"));

    let annulment = example("hs-huy-ban-an.xml");
    assert_eq!(
        annulment.amends.as_ref().map(|a| a.kind),
        Some(AmendmentKind::Annulment)
    );
    assert!(
        !annulment.is_text_only(),
        "an annulment is not a text-only judgment"
    );
    assert!(annulment.parties.is_empty());
}

#[test]
fn json_form_applies_the_same_shape_rules() {
    let mut j = example("ds-vay-tai-san.xml");
    j.obligations.clear();
    j.operative_text = None;
    let errors = j.validate().unwrap_err();
    assert!(errors.has_field("/obligations"), "{errors}");
    j.operative_text = Some("Buộc bà Trần Thị Bình trả 10.000.000 đồng.".into());
    j.validate().unwrap();
    j.amends = Some(Amendment {
        kind: AmendmentKind::Correction,
        document_id: j.document_id.clone(),
        reason: None,
    });
    let errors = j.validate().unwrap_err();
    assert!(errors.has_field("/amends/document_id"), "{errors}");
}
