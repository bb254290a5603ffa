//! Checking an ID token: its signature against the provider's published keys (JWKS), its
//! algorithm (asymmetric, from the configured list), issuer, audience (and `azp` when there are
//! several audiences), expiry and not-before with the configured clock skew, the nonce of the
//! sign-in that asked for it, and the CCCD claim as a valid 12-digit identity number.
//!
//! The claim checks are jsonwebtoken's (10.3 or later: a claim of the wrong JSON type is
//! refused, not skipped); what OpenID Connect adds on top (nonce, `azp`, the CCCD) is here.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use thads_schemas::cccd::Cccd;

use super::OidcError;

/// What the hub expects of an ID token.
#[derive(Debug, Clone)]
pub(crate) struct Expected<'a> {
    /// The issuer.
    pub(crate) issuer: &'a str,
    /// The hub's client id.
    pub(crate) audience: &'a str,
    /// The nonce the sign-in sent.
    pub(crate) nonce: &'a str,
    /// Accepted algorithms.
    pub(crate) algorithms: &'a [Algorithm],
    /// Clock skew tolerated, in seconds.
    pub(crate) leeway: u64,
    /// The claim holding the CCCD.
    pub(crate) cccd_claim: &'a str,
    /// The claim holding the name.
    pub(crate) name_claim: &'a str,
}

/// A checked ID token: who signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedIdentity {
    /// The CCCD claim.
    pub cccd: Cccd,
    /// The name claim, NFC-normalized, if present.
    pub name: Option<String>,
    /// `sub`.
    pub subject: String,
    /// `iss`.
    pub issuer: String,
}

/// Whether `token` names a key id that `keys` lacks (the provider may have rotated its keys).
pub(crate) fn unknown_key(token: &str, keys: &JwkSet) -> bool {
    jsonwebtoken::decode_header(token)
        .ok()
        .and_then(|h| h.kid)
        .is_some_and(|kid| keys.find(&kid).is_none())
}

/// Checks `token` against `keys` and `expected`.
pub(crate) fn verify(
    token: &str,
    keys: &JwkSet,
    expected: &Expected<'_>,
) -> Result<VerifiedIdentity, OidcError> {
    let header = jsonwebtoken::decode_header(token)
        .map_err(|e| OidcError::Token(format!("not a signed JWT: {e}")))?;
    if !expected.algorithms.contains(&header.alg) {
        return Err(OidcError::Token(format!(
            "signed with {:?}, which is not accepted",
            header.alg
        )));
    }
    let jwk = match &header.kid {
        Some(kid) => keys
            .find(kid)
            .ok_or_else(|| OidcError::Token(format!("signed with unknown key {kid:?}")))?,
        None if keys.keys.len() == 1 => &keys.keys[0],
        None => {
            return Err(OidcError::Token(
                "names no key id and the provider has several keys".into(),
            ))
        }
    };
    let key = DecodingKey::from_jwk(jwk)
        .map_err(|e| OidcError::Token(format!("the provider's key is unusable: {e}")))?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[expected.issuer]);
    validation.set_audience(&[expected.audience]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    validation.leeway = expected.leeway;
    validation.validate_nbf = true;
    let claims = jsonwebtoken::decode::<Value>(token, &key, &validation)
        .map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            OidcError::Token(match e.kind() {
                K::InvalidSignature => "the signature does not verify".into(),
                K::ExpiredSignature => "it has expired".into(),
                K::ImmatureSignature => "it is not valid yet (nbf)".into(),
                K::InvalidIssuer => "it was issued by another issuer".into(),
                K::InvalidAudience => "it was issued for another client (aud)".into(),
                K::MissingRequiredClaim(c) => format!("claim {c} is missing"),
                K::InvalidClaimFormat(c) => format!("claim {c} has the wrong type"),
                _ => format!("it is not valid: {e}"),
            })
        })?
        .claims;
    let nonce = claims.get("nonce").and_then(Value::as_str).unwrap_or("");
    if !constant_time_eq(nonce.as_bytes(), expected.nonce.as_bytes()) {
        return Err(OidcError::Token(
            "its nonce is not the one this sign-in sent".into(),
        ));
    }
    if let Some(Value::Array(audiences)) = claims.get("aud") {
        let azp = claims.get("azp").and_then(Value::as_str);
        if audiences.len() > 1 && azp != Some(expected.audience) {
            return Err(OidcError::Token(
                "it has several audiences and azp is not this client".into(),
            ));
        }
    }
    let raw = claims
        .get(expected.cccd_claim)
        .and_then(Value::as_str)
        .ok_or_else(|| {
            OidcError::Token(format!("claim {} (CCCD) is missing", expected.cccd_claim))
        })?;
    let cccd = Cccd::parse(raw).map_err(|e| {
        OidcError::Token(format!("claim {} is not a CCCD: {e}", expected.cccd_claim))
    })?;
    let name = claims
        .get(expected.name_claim)
        .and_then(Value::as_str)
        .map(thads_schemas::text::nfc)
        .filter(|n| !n.trim().is_empty());
    Ok(VerifiedIdentity {
        cccd,
        name,
        subject: claims
            .get("sub")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        issuer: expected.issuer.to_string(),
    })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests;
