//! The exact bytes the hub signs in its receipts and evidences, and the seal itself.
//!
//! A sealed document is a JSON object with a `signature` member
//! `{"alg": "ed25519", "key_id": "...", "value": "<base64>"}`. The signature covers the
//! document **without** its `signature` member, serialized canonically as in RFC 8785 (JCS):
//! object members sorted by key (UTF-16 code units), no whitespace, strings in UTF-8 with only
//! `"`, `\` and control characters escaped, integers in plain decimal. Receipts and evidences
//! hold only strings, integers, booleans and null, so any JCS library, or a JSON serializer with
//! sorted keys and no spaces, produces the same bytes.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::{Map, Value};

use super::keys::HubKey;
use super::ALGORITHM;

/// The member of a sealed document that holds its signature.
pub const SIGNATURE_FIELD: &str = "signature";

/// Why a document could not be sealed or its seal does not verify.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    /// Only JSON objects are sealed.
    #[error("a sealed document must be a JSON object")]
    NotAnObject,
    /// A non-integer number has no single canonical spelling here.
    #[error("numbers in sealed documents must be integers")]
    NotInteger,
    /// The document has no `signature` member.
    #[error("the document has no signature")]
    Missing,
    /// The `signature` member is not `{alg, key_id, value}` with a 64-byte base64 value.
    #[error("malformed signature: {0}")]
    Malformed(String),
    /// The signature names an algorithm other than ed25519.
    #[error("unsupported signature algorithm {0:?}")]
    Algorithm(String),
    /// No public key is known under the signature's key id.
    #[error("unknown key id {0:?}")]
    UnknownKey(String),
    /// The signature does not match the document: it was altered, or signed by another key.
    #[error("the signature does not verify")]
    Invalid,
}

/// The canonical bytes of a JSON value (see the module documentation).
pub fn canonical_bytes(value: &Value) -> Result<Vec<u8>, SealError> {
    let mut out = Vec::with_capacity(256);
    write(value, &mut out)?;
    Ok(out)
}

fn write(value: &Value, out: &mut Vec<u8>) -> Result<(), SealError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.extend_from_slice(i.to_string().as_bytes());
            } else if let Some(u) = n.as_u64() {
                out.extend_from_slice(u.to_string().as_bytes());
            } else {
                return Err(SealError::NotInteger);
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push(b'{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(key, out);
                out.push(b':');
                if let Some(v) = map.get(key) {
                    write(v, out)?;
                }
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// A JSON string as JCS spells it: `"` and `\` escaped, control characters as `\b \t \n \f \r`
/// or `\u00xx` (lower-case hex), everything else as UTF-8.
fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{08}' => out.extend_from_slice(b"\\b"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\u{0c}' => out.extend_from_slice(b"\\f"),
            '\r' => out.extend_from_slice(b"\\r"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes());
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// Signs a JSON object with the hub's key: replaces any `signature` member by a fresh one over
/// the canonical bytes of the rest.
pub fn seal(key: &HubKey, document: Value) -> Result<Value, SealError> {
    let Value::Object(mut map) = document else {
        return Err(SealError::NotAnObject);
    };
    map.remove(SIGNATURE_FIELD);
    let bytes = canonical_bytes(&Value::Object(map.clone()))?;
    let mut signature = Map::new();
    signature.insert("alg".into(), Value::from(ALGORITHM));
    signature.insert("key_id".into(), Value::from(key.key_id()));
    signature.insert("value".into(), Value::from(key.sign_base64(&bytes)));
    map.insert(SIGNATURE_FIELD.into(), Value::Object(signature));
    Ok(Value::Object(map))
}

/// Checks a sealed document with the public key `key_for` returns for its key id (for tests,
/// tools and the documentation's example; partners do the same with their own library).
pub fn verify_sealed(
    document: &Value,
    key_for: impl Fn(&str) -> Option<VerifyingKey>,
) -> Result<(), SealError> {
    let Value::Object(map) = document else {
        return Err(SealError::NotAnObject);
    };
    let Some(signature) = map.get(SIGNATURE_FIELD) else {
        return Err(SealError::Missing);
    };
    let field = |name: &str| {
        signature
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| SealError::Malformed(format!("no string member {name:?}")))
    };
    let alg = field("alg")?;
    if alg != ALGORITHM {
        return Err(SealError::Algorithm(alg.to_string()));
    }
    let key_id = field("key_id")?;
    let key = key_for(key_id).ok_or_else(|| SealError::UnknownKey(key_id.to_string()))?;
    let raw = STANDARD
        .decode(field("value")?)
        .map_err(|e| SealError::Malformed(format!("value is not base64: {e}")))?;
    let signature = Signature::from_slice(&raw)
        .map_err(|_| SealError::Malformed("value is not 64 bytes".into()))?;
    let mut rest = map.clone();
    rest.remove(SIGNATURE_FIELD);
    let bytes = canonical_bytes(&Value::Object(rest))?;
    key.verify_strict(&bytes, &signature)
        .map_err(|_| SealError::Invalid)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;
    use crate::partners::keys::generate_signing_key;

    #[test]
    fn canonical_bytes_sort_keys_and_drop_whitespace() {
        let v = json!({"b": 1, "a": {"z": true, "y": null}, "c": ["x", -2], "é": "Tòa án"});
        assert_eq!(
            String::from_utf8(canonical_bytes(&v).unwrap()).unwrap(),
            r#"{"a":{"y":null,"z":true},"b":1,"c":["x",-2],"é":"Tòa án"}"#
        );
        let s = json!({"k": "a\"b\\c\n\u{1}/"});
        assert_eq!(
            String::from_utf8(canonical_bytes(&s).unwrap()).unwrap(),
            r#"{"k":"a\"b\\c\n\u0001/"}"#
        );
        assert_eq!(
            canonical_bytes(&json!({"x": 1.5})),
            Err(SealError::NotInteger)
        );
    }

    #[test]
    fn canonical_bytes_match_a_sorted_compact_serializer() {
        // serde_json's own compact output with its (sorted) map is what a court's
        // "sorted keys, no spaces" serializer produces.
        let v = json!({"receipt_id": "rcp-1", "duplicate": false, "detail": null,
                       "court": "TAND79-KV1", "n": 12345678901i64});
        assert_eq!(
            canonical_bytes(&v).unwrap(),
            serde_json::to_vec(&v).unwrap()
        );
    }

    #[test]
    fn sealed_documents_verify_and_detect_changes() {
        let key = HubKey::new(generate_signing_key());
        let public = key.verifying_key();
        let id = key.key_id().to_string();
        let lookup = |k: &str| (k == id).then_some(public);
        let sealed = seal(&key, json!({"receipt_id": "rcp-1", "duplicate": false})).unwrap();
        assert_eq!(sealed["signature"]["alg"], "ed25519");
        assert_eq!(sealed["signature"]["key_id"], key.key_id());
        verify_sealed(&sealed, lookup).unwrap();

        // Resealing replaces the old signature; members' order does not matter.
        let reordered: Value =
            serde_json::from_str(&serde_json::to_string(&sealed).unwrap()).unwrap();
        verify_sealed(&reordered, lookup).unwrap();

        let mut altered = sealed.clone();
        altered["duplicate"] = json!(true);
        assert_eq!(verify_sealed(&altered, lookup), Err(SealError::Invalid));

        let other = HubKey::new(generate_signing_key());
        let forged = seal(&other, json!({"receipt_id": "rcp-1", "duplicate": false})).unwrap();
        assert!(matches!(
            verify_sealed(&forged, lookup),
            Err(SealError::UnknownKey(_))
        ));
        let mut relabelled = forged;
        relabelled["signature"]["key_id"] = json!(key.key_id());
        assert_eq!(verify_sealed(&relabelled, lookup), Err(SealError::Invalid));

        let mut unsigned = sealed;
        unsigned.as_object_mut().unwrap().remove("signature");
        assert_eq!(verify_sealed(&unsigned, lookup), Err(SealError::Missing));
        assert_eq!(seal(&key, json!([1])), Err(SealError::NotAnObject));
    }
}
