//! The audit trail on a real SQLite database: appended entries are sealed into signed,
//! chained batches that verify; an altered entry, a removed entry, an altered payload, a
//! forged seal and a truncated head are each found; a bundle verifies offline and a tampered
//! bundle does not.

#![allow(clippy::unwrap_used)]

use super::bundle::{export, keys_from_json, verify_bundle};
use super::seal::{seal_all, seal_once};
use super::store::verify_db;
use super::{record, Act};
use crate::db::Db;
use crate::journey::{self, Direction, MessageState, NewMessage};
use crate::partners::keys::generate_signing_key;
use crate::partners::{registry, HubKey};

async fn fresh() -> (tempfile::TempDir, Db, HubKey) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite://{}/t.db", dir.path().display()))
        .await
        .unwrap();
    crate::db::migrate(&db).await.unwrap();
    let key = HubKey::new(generate_signing_key());
    registry::register_hub_key(&db, &key).await.unwrap();
    (dir, db, key)
}

async fn act(db: &Db, n: usize) {
    let mut tx = db.begin().await.unwrap();
    for i in 0..n {
        record(
            &mut tx,
            &Act {
                actor: "chv.an",
                action: "case.apply_measure",
                subject: "case-1",
                detail: &format!("measure {i}"),
                content_hash: None,
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn message(db: &Db, id: &str, payload: &[u8]) {
    let mut tx = db.begin().await.unwrap();
    journey::insert(
        &mut tx,
        &NewMessage {
            id,
            subject: "in.court.judgment",
            direction: Direction::In,
            partner: "court:TAND79",
            receipt_id: None,
            content_hash: &super::store::sha256_hex(payload),
            content_type: "application/xml",
            payload,
            case_id: None,
            parent_id: None,
        },
        MessageState::Received,
        Some("received"),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn exec(db: &Db, sql: &str) {
    sqlx::query(sql).execute(db.pool()).await.unwrap();
}

#[tokio::test]
async fn a_sealed_trail_verifies_and_tampering_is_found() {
    let (_dir, db, key) = fresh().await;
    act(&db, 3).await;
    message(&db, "jdg-1", b"<Judgment/>").await;
    let seal = seal_once(&db, &key).await.unwrap().unwrap();
    assert_eq!((seal.batch_no, seal.first_chain_no), (1, 1));
    act(&db, 2).await;
    assert_eq!(seal_all(&db, &key).await.unwrap(), 1);
    assert!(
        seal_once(&db, &key).await.unwrap().is_none(),
        "nothing left"
    );
    let report = verify_db(&db).await.unwrap();
    assert!(report.ok(), "{report:#?}");
    assert_eq!((report.entries, report.batches), (6, 2));
    assert_eq!(report.payloads, 1);
    assert_eq!(report.unsealed, 0);

    // An entry's content changed after sealing.
    exec(
        &db,
        "UPDATE audit_log SET detail = 'measure X' WHERE chain_no = 2",
    )
    .await;
    let report = verify_db(&db).await.unwrap();
    assert_eq!(report.problems.len(), 1, "{report:#?}");
    assert_eq!(report.problems[0].chain_no, Some(2));
    assert!(report.problems[0].what.contains("altered"));
    exec(
        &db,
        "UPDATE audit_log SET detail = 'measure 1' WHERE chain_no = 2",
    )
    .await;
    assert!(verify_db(&db).await.unwrap().ok());

    // A payload changed in the message store.
    exec(
        &db,
        "UPDATE messages SET payload = X'3C782F3E' WHERE id = 'jdg-1'",
    )
    .await;
    let report = verify_db(&db).await.unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.what.contains("payload of message jdg-1")),
        "{report:#?}"
    );
    exec(&db, "DELETE FROM messages WHERE id = 'jdg-1'").await;
    let report = verify_db(&db).await.unwrap();
    assert!(
        report.problems.iter().any(|p| p.what.contains("missing")),
        "{report:#?}"
    );

    // An entry removed from the middle.
    let (_d2, db2, key2) = fresh().await;
    act(&db2, 5).await;
    seal_all(&db2, &key2).await.unwrap();
    exec(&db2, "DELETE FROM audit_log WHERE chain_no = 3").await;
    let report = verify_db(&db2).await.unwrap();
    assert!(!report.ok());
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.chain_no == Some(4) && p.what.contains("entries 3 to 3 are missing")),
        "{report:#?}"
    );
}

#[tokio::test]
async fn forged_seals_and_a_cut_tail_are_found() {
    let (_dir, db, key) = fresh().await;
    act(&db, 4).await;
    seal_all(&db, &key).await.unwrap();
    act(&db, 2).await;
    seal_all(&db, &key).await.unwrap();
    // The last batch's entries removed and the head moved back: the seal still names them.
    exec(&db, "DELETE FROM audit_log WHERE batch_no = 2").await;
    exec(&db, "UPDATE audit_head SET chain_no = 4").await;
    let report = verify_db(&db).await.unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.what.contains("entries 5 to 6")),
        "{report:#?}"
    );
    // A seal re-signed by another key is refused; so is one whose range was edited.
    let (_d2, db2, key2) = fresh().await;
    act(&db2, 3).await;
    seal_all(&db2, &key2).await.unwrap();
    exec(&db2, "UPDATE audit_seals SET last_chain_no = 2").await;
    let report = verify_db(&db2).await.unwrap();
    assert!(
        report.problems.iter().any(|p| p.what.contains("signature")),
        "{report:#?}"
    );
    exec(
        &db2,
        "UPDATE audit_seals SET last_chain_no = 3, key_id = 'someone-else'",
    )
    .await;
    let report = verify_db(&db2).await.unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.what.contains("never published")),
        "{report:#?}"
    );
}

#[tokio::test]
async fn unsealed_entries_are_counted_not_failed() {
    let (_dir, db, key) = fresh().await;
    act(&db, 2).await;
    seal_all(&db, &key).await.unwrap();
    act(&db, 3).await;
    let report = verify_db(&db).await.unwrap();
    assert!(report.ok(), "{report:#?}");
    assert_eq!((report.entries, report.unsealed), (2, 3));
}

#[tokio::test]
async fn a_bundle_verifies_offline_and_tampering_is_found() {
    let (_dir, db, key) = fresh().await;
    act(&db, 3).await;
    message(&db, "jdg-1", b"<Judgment/>").await;
    message(&db, "jdg-2", b"<Judgment>2</Judgment>").await;
    seal_all(&db, &key).await.unwrap();
    for payloads in [false, true] {
        let mut out = Vec::new();
        let header = export(&db, &mut out, payloads).await.unwrap();
        assert_eq!(header.head_chain_no, 5);
        let report = verify_bundle(out.as_slice(), None).unwrap();
        assert!(report.ok(), "{report:#?}");
        assert_eq!(report.entries, 5);
        assert_eq!(report.payloads, if payloads { 2 } else { 0 });
        // Checked against the keys the hub publishes: the same key, so it verifies.
        let published = keys_from_json(&serde_json::json!({"keys": [{
            "key_id": key.key_id(), "public_key": key.public_key_base64()}]}));
        assert!(verify_bundle(out.as_slice(), Some(published)).unwrap().ok());
        // Against another hub's keys it does not.
        let other = HubKey::new(generate_signing_key());
        let foreign = keys_from_json(&serde_json::json!({"keys": [{
            "key_id": key.key_id(), "public_key": other.public_key_base64()}]}));
        assert!(!verify_bundle(out.as_slice(), Some(foreign)).unwrap().ok());
        // An edited line is found.
        let text = String::from_utf8(out).unwrap();
        let tampered = text.replacen("measure 1", "measure 9", 1);
        assert_ne!(tampered, text);
        let report = verify_bundle(tampered.as_bytes(), None).unwrap();
        assert!(!report.ok());
        // A dropped entry line is found.
        let dropped: String = text
            .lines()
            .filter(|l| !l.contains("measure 0"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(!verify_bundle(dropped.as_bytes(), None).unwrap().ok());
        if payloads {
            let swapped = text.replacen(
                &base64_of(b"<Judgment/>"),
                &base64_of(b"<Judgment>forged</Judgment>"),
                1,
            );
            let report = verify_bundle(swapped.as_bytes(), None).unwrap();
            assert!(
                report.problems.iter().any(|p| p.what.contains("payload")),
                "{report:#?}"
            );
        }
    }
    assert!(verify_bundle(&b"not json\n"[..], None).is_err());
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A batch larger than one chaining statement (`UPDATE_ROWS`) is chained whole and in order.
#[tokio::test]
async fn a_batch_of_many_entries_is_chained_in_several_statements() {
    let (_dir, db, key) = fresh().await;
    act(&db, 1_203).await;
    let seal = seal_once(&db, &key).await.unwrap().unwrap();
    assert_eq!((seal.first_chain_no, seal.last_chain_no), (1, 1_203));
    let report = verify_db(&db).await.unwrap();
    assert!(report.ok(), "{report:?}");
    let unchained: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE chain_no IS NULL")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(unchained, 0);
    // Positions follow the order of appending.
    let out_of_order: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log a JOIN audit_log b ON b.seq > a.seq \
         WHERE b.chain_no < a.chain_no",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(out_of_order, 0);
}
