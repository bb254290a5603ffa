//! Tests over `schemas/bank/examples/`: exact payments, skipped entries and entry errors for
//! each version and shape, document-level refusals, and the JSON field names.
#![allow(clippy::unwrap_used)]

use super::*;
use thads_schemas::text::PersonalText;
use time::macros::date;

/// Every example message, by file name.
pub(super) const EXAMPLES: &[(&str, &[u8])] = &[
    (
        "camt053-v08-statement.xml",
        include_bytes!("../../../../schemas/bank/examples/camt053-v08-statement.xml"),
    ),
    (
        "camt054-batch-3tx.xml",
        include_bytes!("../../../../schemas/bank/examples/camt054-batch-3tx.xml"),
    ),
    (
        "camt054-mixed.xml",
        include_bytes!("../../../../schemas/bank/examples/camt054-mixed.xml"),
    ),
    (
        "camt054-two-accounts.xml",
        include_bytes!("../../../../schemas/bank/examples/camt054-two-accounts.xml"),
    ),
    (
        "camt054-v02-dbtr-nm.xml",
        include_bytes!("../../../../schemas/bank/examples/camt054-v02-dbtr-nm.xml"),
    ),
    (
        "camt054-v04.xml",
        include_bytes!("../../../../schemas/bank/examples/camt054-v04.xml"),
    ),
    (
        "camt054-v06-sts-cd.xml",
        include_bytes!("../../../../schemas/bank/examples/camt054-v06-sts-cd.xml"),
    ),
    (
        "camt054-v08-pty-nm.xml",
        include_bytes!("../../../../schemas/bank/examples/camt054-v08-pty-nm.xml"),
    ),
    (
        "camt054-vcb-credit.xml",
        include_bytes!("../../../../schemas/bank/examples/camt054-vcb-credit.xml"),
    ),
];

pub(super) fn load(name: &str) -> Notification {
    let (_, bytes) = EXAMPLES.iter().find(|(n, _)| *n == name).unwrap();
    parse_camt054(bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn vnd(n: i64) -> Vnd {
    Vnd::new(n).unwrap()
}

/// A payment with the message-level fields set and the rest empty, to fill with `..`.
fn base(message_id: &str, bank: Option<&str>, account: &str) -> Payment {
    Payment {
        message_id: message_id.into(),
        bank: bank.map(Into::into),
        account: account.into(),
        entry_ref: String::new(),
        end_to_end_id: None,
        amount_vnd: Vnd::ZERO,
        booking_date: date!(2000 - 01 - 01),
        value_date: None,
        debtor_name: None,
        debtor_account: None,
        remittance: String::new(),
    }
}

fn name(s: &str) -> Option<PersonalText> {
    Some(PersonalText::new(s))
}

#[test]
fn every_example_parses_and_renders() {
    assert!(EXAMPLES.len() >= 9);
    for (file, bytes) in EXAMPLES {
        let n = parse_camt054(bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(!n.payments.is_empty(), "{file}");
        let json = crate::payments_json(bytes).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let mut keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            ["errors", "message_id", "payments", "skipped"],
            "{file}"
        );
    }
}

#[test]
fn v02_plain_status_dbtr_nm_and_decimal_amount() {
    let n = load("camt054-v02-dbtr-nm.xml");
    assert_eq!(n.created_at.as_deref(), Some("2026-03-03T09:13:02"));
    let b = base("AGR-20260303-0001", Some("VBAAVNVX"), "1600201012345");
    let expected = Payment {
        entry_ref: "AGR26062000451".into(),
        amount_vnd: vnd(25_000_000),
        booking_date: date!(2026 - 03 - 03),
        value_date: Some(date!(2026 - 03 - 03)),
        debtor_name: name("LE VAN CUONG"),
        debtor_account: Some("0451000123987".into()),
        remittance: "THA 2026-HN-00123 LE VAN CUONG NOP TIEN HS0123".into(),
        ..b
    };
    assert_eq!(n.payments, [expected]);
    assert!(n.skipped.is_empty() && n.errors.is_empty());
    assert_eq!(n.payments[0].idempotency_key(), "VBAAVNVX:AGR26062000451");
}

#[test]
fn v04_acct_svcr_ref_multiline_memo_and_entry_without_details() {
    let n = load("camt054-v04.xml");
    let b = base("ICB0415000088", Some("ICBVVNVX"), "118000456789");
    let first = Payment {
        entry_ref: "ICB260415778812".into(),
        end_to_end_id: Some("MB2604150031415".into()),
        amount_vnd: vnd(3_500_000),
        booking_date: date!(2026 - 04 - 15),
        debtor_name: name("PHAM THI DUNG"),
        debtor_account: Some("0987001122334".into()),
        remittance: "NOP TIEN THI HANH AN QD 45/QD-CCTHADS PHAM THI DUNG".into(),
        ..b.clone()
    };
    let second = Payment {
        entry_ref: "ICB260415778990".into(),
        amount_vnd: vnd(300_000),
        booking_date: date!(2026 - 04 - 15),
        value_date: Some(date!(2026 - 04 - 16)),
        remittance: "CK NOP AN PHI 12/2026/DS-PT".into(),
        ..b
    };
    assert_eq!(n.payments, [first, second]);
    assert!(n.skipped.is_empty() && n.errors.is_empty());
}

#[test]
fn v06_status_code_tx_ref_and_additional_info_memo() {
    let n = load("camt054-v06-sts-cd.xml");
    let expected = Payment {
        entry_ref: "BIDV-0606-771234".into(),
        end_to_end_id: Some("VCB0606ABC778".into()),
        amount_vnd: vnd(12_000_000),
        booking_date: date!(2026 - 06 - 06),
        value_date: Some(date!(2026 - 06 - 06)),
        debtor_name: name("HOANG MINH DUC"),
        debtor_account: Some("0011004455667".into()),
        remittance: "NOP TIEN THA HOANG MINH DUC".into(),
        ..base(
            "BIDV-CAMT054-20260606-17",
            Some("BIDVVNVX"),
            "12010000765432",
        )
    };
    assert_eq!(n.payments, [expected]);
    assert!(n.skipped.is_empty() && n.errors.is_empty());
}

#[test]
fn v08_party_name() {
    let n = load("camt054-v08-pty-nm.xml");
    let expected = Payment {
        entry_ref: "FT26189000042".into(),
        end_to_end_id: Some("ACB2607080009911".into()),
        amount_vnd: vnd(8_000_000),
        booking_date: date!(2026 - 07 - 08),
        value_date: Some(date!(2026 - 07 - 08)),
        debtor_name: name("VU THI HANH"),
        debtor_account: Some("22446688".into()),
        remittance: "VU THI HANH NOP TIEN THA VIEC 2026-DN-00777".into(),
        ..base("MB20260708000042", Some("MSCBVNVX"), "0801234567890")
    };
    assert_eq!(n.payments, [expected]);
}

#[test]
fn batch_gives_one_payment_per_transaction_and_checks_the_sum() {
    let n = load("camt054-batch-3tx.xml");
    let b = Payment {
        booking_date: date!(2026 - 05 - 15),
        value_date: Some(date!(2026 - 05 - 15)),
        ..base("TCB-20260515-BATCH-01", Some("VTCBVNVX"), "19020000111222")
    };
    let tx = |n: u8, e2e: &str, amount: i64, who: &str, memo: &str| Payment {
        entry_ref: format!("TCB26135000077/{n}"),
        end_to_end_id: Some(e2e.into()),
        amount_vnd: vnd(amount),
        debtor_name: name(who),
        remittance: memo.into(),
        ..b.clone()
    };
    assert_eq!(
        n.payments,
        [
            tx(
                1,
                "E2E-0515-A",
                1_500_000,
                "NGO VAN AN",
                "NOP TIEN THA NGO VAN AN"
            ),
            tx(
                2,
                "E2E-0515-B",
                2_000_000,
                "DINH THI BICH",
                "DINH THI BICH NOP AN PHI"
            ),
            tx(
                3,
                "E2E-0515-C",
                1_000_000,
                "TRUONG QUOC CHINH",
                "TRUONG QUOC CHINH NOP PHI THA"
            ),
        ]
    );
    assert_eq!(
        n.errors,
        [EntryError {
            entry: 2,
            entry_ref: Some("TCB26135000078".into()),
            field: "Ntfctn[1]/Ntry[2]/NtryDtls".into(),
            reason: "the transactions add up to 4000000 but the entry amount is 5000000".into(),
        }]
    );
}

#[test]
fn mixed_file_sorts_each_kind_of_entry() {
    let n = load("camt054-mixed.xml");
    let b = Payment {
        booking_date: date!(2026 - 08 - 20),
        value_date: Some(date!(2026 - 08 - 20)),
        ..base("ACB-0820-MIX", Some("ASCBVNVX"), "246813579")
    };
    let first = Payment {
        entry_ref: "ACB0820001".into(),
        end_to_end_id: Some("E2E-0820-1".into()),
        amount_vnd: vnd(2_000_000),
        debtor_name: name("DO VAN GIANG"),
        remittance: "NOP TIEN THA DO VAN GIANG".into(),
        ..b.clone()
    };
    let last = Payment {
        entry_ref: "ACB0820008".into(),
        end_to_end_id: Some("E2E-0820-8".into()),
        amount_vnd: vnd(990_000),
        debtor_name: name("LY THI HOA"),
        remittance: "LY THI HOA NOP TIEN THA LAN 2".into(),
        ..b
    };
    assert_eq!(n.payments, [first, last]);

    let skip = |entry: usize, kind, direction, amount: i64| SkippedEntry {
        entry,
        kind,
        bank: Some("ASCBVNVX".into()),
        account: "246813579".into(),
        entry_ref: Some(format!("ACB082000{entry}")),
        end_to_end_id: Some(match entry {
            4 => "E2E-0820-1".into(),
            _ => format!("E2E-0820-{entry}"),
        }),
        direction,
        amount_vnd: vnd(amount),
        booking_date: Some(date!(2026 - 08 - 20)),
    };
    assert_eq!(
        n.skipped,
        [
            skip(2, SkipKind::Debit, Direction::Debit, 500_000),
            skip(3, SkipKind::Pending, Direction::Credit, 750_000),
            skip(4, SkipKind::Reversal, Direction::Debit, 2_000_000),
            skip(6, SkipKind::Info, Direction::Credit, 400_000),
        ]
    );

    assert_eq!(n.errors.len(), 2);
    assert_eq!(n.errors[0].entry, 5);
    assert_eq!(n.errors[0].entry_ref.as_deref(), Some("ACB0820005"));
    assert_eq!(n.errors[0].field, "Ntfctn[1]/Ntry[5]/Amt");
    assert!(
        n.errors[0].reason.contains("whole đồng"),
        "{}",
        n.errors[0].reason
    );
    assert_eq!(n.errors[1].entry, 7);
    assert_eq!(n.errors[1].field, "Ntfctn[1]/Ntry[7]/Amt");
    assert!(
        n.errors[1].reason.contains("\"USD\""),
        "{}",
        n.errors[1].reason
    );
}

#[test]
fn two_accounts_number_entries_across_blocks() {
    let n = load("camt054-two-accounts.xml");
    let first = Payment {
        entry_ref: "FT26253000101".into(),
        end_to_end_id: Some("CTG2609100000555".into()),
        amount_vnd: vnd(60_000_000),
        booking_date: date!(2026 - 09 - 10),
        debtor_name: name("CONG TY TNHH XAY DUNG AN PHAT"),
        debtor_account: Some("113000998877".into()),
        remittance: "CT AN PHAT THI HANH QD 08/2026/KDTM-ST".into(),
        ..base("VCB20260910000777", None, "0071001234567")
    };
    let second = Payment {
        entry_ref: "FT26253000102".into(),
        amount_vnd: vnd(1_250_000),
        booking_date: date!(2026 - 09 - 10),
        value_date: Some(date!(2026 - 09 - 11)),
        debtor_name: name("BUI VAN TAM"),
        remittance: "BUI VAN TAM NOP AN PHI".into(),
        ..base("VCB20260910000777", None, "0071009876543")
    };
    assert_eq!(n.payments, [first, second]);
    assert_eq!(
        n.payments[1].idempotency_key(),
        "0071009876543:FT26253000102"
    );
    assert_eq!(n.errors.len(), 1);
    assert_eq!(n.errors[0].entry, 3);
    assert_eq!(n.errors[0].field, "Ntfctn[2]/Ntry[2]/BookgDt");
    assert_eq!(n.errors[0].entry_ref.as_deref(), Some("FT26253000103"));
}

#[test]
fn camt053_statement_entries_are_read_alike() {
    let n = load("camt053-v08-statement.xml");
    let expected = Payment {
        entry_ref: "AGR26274000009".into(),
        end_to_end_id: Some("SHB2610010000123".into()),
        amount_vnd: vnd(4_200_000),
        booking_date: date!(2026 - 10 - 01),
        value_date: Some(date!(2026 - 10 - 01)),
        debtor_name: name("KIEU VAN LONG"),
        remittance: "KIEU VAN LONG NOP TIEN THA".into(),
        ..base("VBA-STMT-20261001", Some("VBAAVNVX"), "1600201012345")
    };
    assert_eq!(n.payments, [expected]);
    assert_eq!(n.skipped.len(), 1);
    assert_eq!(n.skipped[0].kind, SkipKind::Debit);
}

#[test]
fn vcb_fixture() {
    let n = load("camt054-vcb-credit.xml");
    let b = Payment {
        booking_date: date!(2026 - 05 - 12),
        value_date: Some(date!(2026 - 05 - 12)),
        debtor_name: name("TRAN THI BINH"),
        ..base("VCB20260512000123", None, "0071001234567")
    };
    let first = Payment {
        entry_ref: "FT26132000123".into(),
        end_to_end_id: Some("VTCB2605120000987".into()),
        amount_vnd: vnd(150_000_000),
        debtor_account: Some("19033344455501".into()),
        remittance: "NOP TIEN THI HANH AN BA 215/2026/DS-ST TRAN THI BINH".into(),
        ..b.clone()
    };
    let second = Payment {
        entry_ref: "FT26132000457".into(),
        end_to_end_id: Some("BIDV2605120004411".into()),
        amount_vnd: vnd(7_500_000),
        remittance: "NOP AN PHI DS ST BAN AN 215/2026/DS-ST".into(),
        ..b
    };
    assert_eq!(n.created_at.as_deref(), Some("2026-05-12T10:15:00+07:00"));
    assert_eq!(n.payments, [first, second]);
    assert_eq!(
        n.payments[0].idempotency_key(),
        "0071001234567:FT26132000123"
    );
}
