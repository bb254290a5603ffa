//! ID token checks with keys made for these tests only (`test-*.pem`, never used elsewhere):
//! a good token passes; each thing a forged, stolen or stale token gets wrong is refused.

#![allow(clippy::unwrap_used)]

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use super::*;

const ES_A: &str = include_str!("test-es256-a.pem");
const ES_B: &str = include_str!("test-es256-b.pem");
const RS: &str = include_str!("test-rs256.pem");
const ISSUER: &str = "https://sso.vneid.test";
const CLIENT: &str = "thads-hub";
const NONCE: &str = "n-0123456789abcdef";

fn jwks() -> JwkSet {
    serde_json::from_value(json!({"keys": [
        {"kty": "EC", "crv": "P-256", "kid": "a", "use": "sig", "alg": "ES256",
         "x": "x6Jd8KlVHk3C307CzxMPtLYRacNpKTw0e5v2e1VeIvs",
         "y": "5Z1PNmQelcvvstHyqhwSjLG-lNe4r6NnSPUxdldQE9k"},
        {"kty": "RSA", "kid": "r", "use": "sig", "alg": "RS256", "e": "AQAB",
         "n": "0Yi-l1RTN2ZrAHSNRg7jQVqxLyAoDJMFhFBNdP27hGt0zB1NxOmOfRRQR9ocSTMvYScnroa8biUba6qAQfjX8jSGcA9lzsiYAhD3bhxEI5hEeKraB5_8XXvFMHflabWB-_rsOGR-CuGt0VA9ygJ1kw8WYTPMrJWHTjATSXCsPKCyDROq6bq-gt-C5FA3eu9fezwoePwjszWCYixeRhVVPZ9TwmvQLnEZ0rBA3G7nW9YJefajiVtOkcGmfYefGVWUmX59J-4G4y27BC0e9jmbr4Mh-Y9fvlZAUrcGiLiZtd7coKZEWr1l7DvIYwsDHWXpLa7fdga0ExWLhmittj6ZeQ"}
    ]}))
    .unwrap()
}

fn now() -> i64 {
    i64::try_from(jsonwebtoken::get_current_timestamp()).unwrap()
}

fn claims() -> Value {
    json!({"iss": ISSUER, "aud": CLIENT, "sub": "pairwise-42", "iat": now(), "exp": now() + 300,
           "nonce": NONCE, "cccd": "079078001234", "name": "Nguyễn Văn An"})
}

fn es(kid: &str, pem: &str, claims: &Value) -> String {
    let mut h = Header::new(Algorithm::ES256);
    h.kid = Some(kid.into());
    jsonwebtoken::encode(
        &h,
        claims,
        &EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn expected() -> Expected<'static> {
    Expected {
        issuer: ISSUER,
        audience: CLIENT,
        nonce: NONCE,
        algorithms: &[Algorithm::ES256, Algorithm::RS256],
        leeway: 60,
        cccd_claim: "cccd",
        name_claim: "name",
    }
}

fn refused(token: &str) -> String {
    match verify(token, &jwks(), &expected()) {
        Err(OidcError::Token(why)) => why,
        other => panic!("accepted or wrong error: {other:?}"),
    }
}

#[test]
fn a_good_token_names_the_citizen() {
    let who = verify(&es("a", ES_A, &claims()), &jwks(), &expected()).unwrap();
    assert_eq!(who.cccd.as_str(), "079078001234");
    assert_eq!(who.name.as_deref(), Some("Nguyễn Văn An"));
    assert_eq!(who.subject, "pairwise-42");
    let mut h = Header::new(Algorithm::RS256);
    h.kid = Some("r".into());
    let rs = jsonwebtoken::encode(
        &h,
        &claims(),
        &EncodingKey::from_rsa_pem(RS.as_bytes()).unwrap(),
    )
    .unwrap();
    assert_eq!(
        verify(&rs, &jwks(), &expected()).unwrap().cccd.as_str(),
        "079078001234"
    );
}

#[test]
fn forged_stale_or_foreign_tokens_are_refused() {
    // Signed by another key under the provider's key id.
    assert!(refused(&es("a", ES_B, &claims())).contains("signature"));
    // A key the provider never published.
    assert!(unknown_key(&es("b", ES_B, &claims()), &jwks()));
    assert!(refused(&es("b", ES_B, &claims())).contains("unknown key"));
    let with = |k: &str, v: Value| {
        let mut c = claims();
        c[k] = v;
        es("a", ES_A, &c)
    };
    assert!(refused(&with("aud", json!("another-client"))).contains("aud"));
    assert!(refused(&with("iss", json!("https://evil.test"))).contains("issuer"));
    assert!(refused(&with("exp", json!(now() - 3600))).contains("expired"));
    assert!(refused(&with("nbf", json!(now() + 3600))).contains("nbf"));
    assert!(refused(&with("nonce", json!("replayed"))).contains("nonce"));
    assert!(refused(&with("cccd", json!("07907800123"))).contains("not a CCCD"));
    // A claim of the wrong type is refused, not skipped.
    assert!(refused(&with("exp", json!("99999999999"))).contains("exp"));
    let mut c = claims();
    c.as_object_mut().unwrap().remove("cccd");
    assert!(refused(&es("a", ES_A, &c)).contains("cccd"));
    let mut c = claims();
    c.as_object_mut().unwrap().remove("nonce");
    assert!(refused(&es("a", ES_A, &c)).contains("nonce"));
    // Several audiences without this client as the authorized party.
    assert!(refused(&with("aud", json!([CLIENT, "other"]))).contains("azp"));
    // A symmetric algorithm is never accepted, whatever the key.
    let hs = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims(),
        &EncodingKey::from_secret(b"x6Jd8KlVHk3C307CzxMPtLYRacNpKTw0e5v2e1VeIvs"),
    )
    .unwrap();
    assert!(refused(&hs).contains("HS256"));
    assert!(refused("not.a.jwt").contains("JWT"));
}
