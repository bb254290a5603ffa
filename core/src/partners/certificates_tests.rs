//! Tests of the certificate registry and the bank accounts: fingerprints, reading
//! certificates, registration, identification and revocation.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::partners::registry::add_partner;
use crate::partners::{accounts, PartnerKind};

async fn db() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite://{}/t.db", dir.path().display()))
        .await
        .unwrap();
    crate::db::migrate(&db).await.unwrap();
    (dir, db)
}

/// A self-signed certificate for `cn`, valid until `days` from now (negative: expired).
fn certificate(cn: &str, days: i64) -> rcgen::Certificate {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, cn);
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(400);
    params.not_after = now + time::Duration::days(days);
    params.serial_number = Some(rcgen::SerialNumber::from(vec![0x01, 0x2a]));
    params.self_signed(&key).unwrap()
}

#[test]
fn fingerprints_are_sha256_of_the_der_and_typed_forms_are_accepted() {
    let cert = certificate("court TAND79-KV1", 30);
    let fp = fingerprint(cert.der());
    assert_eq!(fp.len(), 64);
    assert_eq!(fp, hex::encode(Sha256::digest(cert.der().as_ref())));
    let colons: Vec<String> = fp
        .as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8(c.to_vec()).unwrap().to_ascii_uppercase())
        .collect();
    assert_eq!(normalize_fingerprint(&colons.join(":")).unwrap(), fp);
    assert_eq!(normalize_fingerprint(&format!("sha256:{fp}")).unwrap(), fp);
    let e = normalize_fingerprint("abc").unwrap_err();
    assert!(e.to_string().contains("fingerprint"), "{e}");
    assert!(normalize_fingerprint(&"g".repeat(64)).is_err());
}

#[test]
fn certificates_are_read_from_pem_or_der() {
    let cert = certificate("bank VCB", 30);
    let from_pem = inspect_file(cert.pem().as_bytes()).unwrap();
    let from_der = inspect_file(cert.der()).unwrap();
    assert_eq!(from_pem, from_der);
    assert_eq!(from_pem.subject, "CN=bank VCB");
    assert_eq!(from_pem.serial, "01:2a");
    assert!(from_pem.not_after_ms > now_ms());
    // A chain file: the partner's certificate first.
    let chain = format!("{}{}", cert.pem(), certificate("CA", 90).pem());
    assert_eq!(inspect_file(chain.as_bytes()).unwrap(), from_pem);
    assert_eq!(certificates_in(chain.as_bytes()).unwrap().len(), 2);
    let e =
        inspect_file(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").unwrap_err();
    assert!(e.to_string().contains("no certificate"), "{e}");
    assert!(inspect_file(b"\x30\x03\x02\x01\x01").is_err());
}

#[tokio::test]
async fn certificates_identify_their_partner_until_revoked() {
    let (_dir, db) = db().await;
    let court = PartnerId::parse("court:TAND79-KV1").unwrap();
    let other = PartnerId::parse("court:TAND01").unwrap();
    let cert = inspect(certificate("TAND79-KV1", 30).der()).unwrap();
    // Only registered partners get certificates.
    assert!(matches!(
        add(&db, &court, &cert).await,
        Err(RegistryError::NotFound(_))
    ));
    add_partner(&db, &court, "Tòa án khu vực 1").await.unwrap();
    add_partner(&db, &other, "Tòa án Hà Nội").await.unwrap();
    assert!(add(&db, &court, &cert).await.unwrap());
    assert!(!add(&db, &court, &cert).await.unwrap(), "idempotent");
    let e = add(&db, &other, &cert).await.unwrap_err();
    assert!(
        e.to_string()
            .contains("already registered to court:TAND79-KV1"),
        "{e}"
    );
    let expired = inspect(certificate("old", -1).der()).unwrap();
    assert!(add(&db, &court, &expired)
        .await
        .unwrap_err()
        .to_string()
        .contains("expired"));

    let now = now_ms();
    let who = identify(&db, &cert.fingerprint, now).await.unwrap();
    assert_eq!(who.partner, court);
    let unknown = fingerprint(b"not registered");
    match identify(&db, &unknown, now).await {
        Err(IdentifyError::Refused(r @ CertificateRefusal::Unknown { .. })) => {
            assert_eq!(r.code(), "unknown_certificate")
        }
        other => panic!("{other:?}"),
    }
    // Past its notAfter the registry refuses it too.
    assert!(matches!(
        identify(&db, &cert.fingerprint, cert.not_after_ms + 1).await,
        Err(IdentifyError::Refused(CertificateRefusal::NotValidNow {
            status: "expired",
            ..
        }))
    ));
    let listed = list(&db).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].0, "court:TAND79-KV1");
    assert_eq!(listed[0].1.status, "active");
    assert_eq!(watched(&db).await.unwrap().len(), 1);

    revoke(&db, &court, &cert.fingerprint).await.unwrap();
    assert!(matches!(
        revoke(&db, &court, &cert.fingerprint).await,
        Err(RegistryError::Revoked(_))
    ));
    assert!(matches!(
        revoke(&db, &other, &cert.fingerprint).await,
        Err(RegistryError::NotFound(_))
    ));
    match identify(&db, &cert.fingerprint, now).await {
        Err(IdentifyError::Refused(r @ CertificateRefusal::Revoked { .. })) => {
            assert_eq!(r.code(), "revoked_certificate")
        }
        other => panic!("{other:?}"),
    }
    // A revoked certificate never comes back; a new one does.
    assert!(matches!(
        add(&db, &court, &cert).await,
        Err(RegistryError::Revoked(_))
    ));
    assert!(watched(&db).await.unwrap().is_empty());
    let second = inspect(certificate("TAND79-KV1 2", 30).der()).unwrap();
    add(&db, &court, &second).await.unwrap();
    // Revoking the partner refuses its certificates.
    crate::partners::registry::revoke_partner(&db, &court)
        .await
        .unwrap();
    assert!(matches!(
        identify(&db, &second.fingerprint, now).await,
        Err(IdentifyError::Refused(CertificateRefusal::Revoked { .. }))
    ));
    assert_eq!(revoke_all(&db, &court).await.unwrap(), 1);
    assert_eq!(list(&db).await.unwrap()[1].1.status, "revoked");
}

#[tokio::test]
async fn banks_hold_accounts_one_bank_each() {
    let (_dir, db) = db().await;
    let vcb = PartnerId::new(PartnerKind::Bank, "VCB").unwrap();
    let bidv = PartnerId::new(PartnerKind::Bank, "BIDV").unwrap();
    let court = PartnerId::parse("court:TAND01").unwrap();
    add_partner(&db, &vcb, "Vietcombank").await.unwrap();
    add_partner(&db, &bidv, "BIDV").await.unwrap();
    add_partner(&db, &court, "Tòa án").await.unwrap();
    assert!(accounts::add(&db, &vcb, "0071 001-234567").await.unwrap());
    assert!(!accounts::add(&db, &vcb, "0071001234567").await.unwrap());
    let e = accounts::add(&db, &bidv, "0071001234567")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("held by bank:VCB"), "{e}");
    assert!(accounts::add(&db, &court, "123").await.is_err());
    assert!(accounts::add(&db, &vcb, "12/34").await.is_err());
    accounts::add(&db, &vcb, "0071009999999").await.unwrap();
    let held = accounts::of_partner(&db, &vcb).await.unwrap();
    assert_eq!(held, ["0071001234567", "0071009999999"]);
    assert_eq!(
        accounts::first_not_held(&held, ["0071-001234567", "0071009999999"]),
        None
    );
    assert_eq!(
        accounts::first_not_held(&held, ["0071001234567", "1200000001"]),
        Some("1200000001")
    );
    assert_eq!(accounts::list(&db).await.unwrap().len(), 2);
    accounts::remove(&db, &vcb, "0071009999999").await.unwrap();
    assert!(matches!(
        accounts::remove(&db, &vcb, "0071009999999").await,
        Err(RegistryError::NotFound(_))
    ));
}
