//! Tests of the payment's JSON contract and masking, of whole-document refusals (namespace,
//! root, message id, hostile XML) and of block-level problems that fail each entry.
#![allow(clippy::unwrap_used)]

use super::tests::load;
use super::*;

#[test]
fn payment_json_has_exactly_the_documented_fields() {
    let n = load("camt054-vcb-credit.xml");
    let v = serde_json::to_value(&n.payments[0]).unwrap();
    let mut keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "account",
            "amount_vnd",
            "bank",
            "booking_date",
            "debtor_account",
            "debtor_name",
            "end_to_end_id",
            "entry_ref",
            "message_id",
            "remittance",
            "value_date",
        ]
    );
    assert_eq!(v["amount_vnd"], 150_000_000);
    assert_eq!(v["booking_date"], "2026-05-12");
    assert_eq!(v["debtor_name"], "TRAN THI BINH");
    let back: Payment = serde_json::from_value(v).unwrap();
    assert_eq!(back, n.payments[0]);
}

#[test]
fn debug_output_does_not_show_names_or_memos() {
    let n = load("camt054-vcb-credit.xml");
    let text = format!("{n:?}");
    assert!(!text.contains("BINH"), "{text}");
    assert!(text.contains("FT26132000123"));
}

fn doc(ns: &str, body: &str) -> Vec<u8> {
    format!(r#"<?xml version="1.0"?><Document xmlns="{ns}">{body}</Document>"#).into_bytes()
}

const GRP: &str = "<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>M1</MsgId></GrpHdr><Ntfctn><Acct><Id><Othr><Id>1</Id></Othr></Id></Acct></Ntfctn></BkToCstmrDbtCdtNtfctn>";

#[test]
fn whole_document_failures_are_named() {
    let v = |ns: &str| parse_camt054(&doc(ns, GRP));
    assert!(v("urn:iso:std:iso:20022:tech:xsd:camt.054.001.13").is_ok());
    let err = v("urn:iso:std:iso:20022:tech:xsd:camt.054.001.14").unwrap_err();
    assert!(err.to_string().contains("camt.054.001.14"), "{err}");
    let err = v("urn:iso:std:iso:20022:tech:xsd:pain.001.001.09").unwrap_err();
    assert!(err.to_string().contains("pain.001.001.09"), "{err}");
    for bad in [
        "urn:iso:std:iso:20022:tech:xsd:camt.054.001.01",
        "urn:iso:std:iso:20022:tech:xsd:camt.054.001.2",
    ] {
        assert!(
            matches!(v(bad), Err(Camt054Error::UnsupportedNamespace { .. })),
            "{bad}"
        );
    }
    let no_ns = format!("<Document>{GRP}</Document>");
    assert_eq!(
        parse_camt054(no_ns.as_bytes()),
        Err(Camt054Error::NoNamespace)
    );

    let ns = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08";
    let wrong_root = format!(r#"<Doc xmlns="{ns}"/>"#);
    assert!(
        matches!(parse_camt054(wrong_root.as_bytes()), Err(Camt054Error::WrongRoot { found }) if found == "Doc")
    );
    let no_id = doc(
        ns,
        "<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId> </MsgId></GrpHdr><Ntfctn/></BkToCstmrDbtCdtNtfctn>",
    );
    assert_eq!(parse_camt054(&no_id), Err(Camt054Error::MissingMessageId));
    let statement_body = doc(ns, "<BkToCstmrStmt/>");
    assert!(matches!(
        parse_camt054(&statement_body),
        Err(Camt054Error::MissingElement { .. })
    ));
    let no_block = doc(
        ns,
        "<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>M</MsgId></GrpHdr></BkToCstmrDbtCdtNtfctn>",
    );
    assert!(
        matches!(parse_camt054(&no_block), Err(Camt054Error::MissingElement { path }) if path == "BkToCstmrDbtCdtNtfctn/Ntfctn")
    );

    let doctype = b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><Document/>";
    let err = parse_camt054(doctype).unwrap_err();
    assert!(err.to_string().contains("DOCTYPE"), "{err}");
    assert!(matches!(
        parse_camt054(b"not xml at all"),
        Err(Camt054Error::Xml(_))
    ));
    assert!(matches!(parse_camt054(b""), Err(Camt054Error::Xml(_))));
    assert!(crate::payments_json(b"<x/>").is_err());
}

#[test]
fn missing_account_fails_each_entry_of_the_block() {
    let ns = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08";
    let body = "<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>M</MsgId></GrpHdr><Ntfctn>\
        <Ntry><NtryRef>R1</NtryRef><Amt Ccy=\"VND\">1</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-01-01</Dt></BookgDt></Ntry>\
        </Ntfctn></BkToCstmrDbtCdtNtfctn>";
    let n = parse_camt054(&doc(ns, body)).unwrap();
    assert!(n.payments.is_empty());
    assert_eq!(n.errors[0].field, "Ntfctn[1]/Acct/Id");
    assert_eq!(n.errors[0].entry_ref.as_deref(), Some("R1"));
}
