//! The four partners' JSON formats and their mapping to the hub's answers. Each partner has its
//! own request and response schema (typed, strict: unknown or missing fields and wrong types
//! are errors naming the field), its own path, and its own way of saying "not known" (a 404
//! body, a flag, an empty list). Every request carries the query's purpose.

pub(crate) mod business;
pub(crate) mod land;
pub(crate) mod population;
pub(crate) mod vehicle;

use serde::de::DeserializeOwned;
use thads_core::verification::{Answer, QueryPurpose, Registry, Subject};

/// An answer that does not follow the partner's schema: the field and what is wrong, with any
/// long number scrubbed so a CCCD can never leak into the record or a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Malformed(pub(crate) String);

/// What a partner's HTTP answer means.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Reading {
    /// A valid answer, with the partner's transaction id.
    Answer(Answer, String),
    /// Not an answer in this partner's schema (a status it does not use for answers): the
    /// client classifies it (retry, refusal).
    NotAnAnswer,
}

/// The path of the partner's lookup, below its configured endpoint.
pub(crate) fn path(registry: Registry) -> &'static str {
    match registry {
        Registry::Population => population::PATH,
        Registry::Land => land::PATH,
        Registry::Vehicle => vehicle::PATH,
        Registry::Business => business::PATH,
    }
}

/// The request body for `registry` about `subject`, quoting the purpose and the query's own
/// reference.
pub(crate) fn request(
    registry: Registry,
    subject: &Subject,
    purpose: &QueryPurpose,
    reference: &str,
) -> serde_json::Value {
    let value = match registry {
        Registry::Population => {
            serde_json::to_value(population::request(subject, purpose, reference))
        }
        Registry::Land => serde_json::to_value(land::request(subject, purpose, reference)),
        Registry::Vehicle => serde_json::to_value(vehicle::request(subject, purpose, reference)),
        Registry::Business => serde_json::to_value(business::request(subject, purpose, reference)),
    };
    value.unwrap_or(serde_json::Value::Null)
}

/// Reads the partner's answer to a query about `subject`.
pub(crate) fn read(
    registry: Registry,
    status: u16,
    body: &[u8],
    subject: &Subject,
) -> Result<Reading, Malformed> {
    match registry {
        Registry::Population => population::read(status, body, subject),
        Registry::Land => land::read(status, body),
        Registry::Vehicle => vehicle::read(status, body),
        Registry::Business => business::read(status, body),
    }
}

/// Decodes `body` strictly, naming the field at fault (`parcels[0].area_m2: …`).
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, Malformed> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." {
            "body".to_string()
        } else {
            path
        };
        Malformed(scrub(&format!("{path}: {}", e.inner())))
    })
}

/// A field that decoded but breaks a rule of the schema.
pub(crate) fn bad(field: &str, reason: &str) -> Malformed {
    Malformed(format!("{field}: {reason}"))
}

/// Replaces runs of nine or more digits (a CCCD, a tax code) with `<number>`.
pub(crate) fn scrub(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() >= 9 {
            out.push_str("<number>");
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// Checks an ISO date (`2021-03-04`) and returns it.
pub(crate) fn iso_date(field: &str, text: &str) -> Result<String, Malformed> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format)
        .map(|d| d.to_string())
        .map_err(|_| bad(field, "must be a YYYY-MM-DD date"))
}

/// Checks a text field is not blank.
pub(crate) fn text(field: &str, value: &str) -> Result<String, Malformed> {
    let v = value.trim();
    if v.is_empty() {
        Err(bad(field, "must not be empty"))
    } else {
        Ok(v.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_numbers_never_survive_in_reasons() {
        assert_eq!(
            scrub("invalid type: string \"079182005678\", expected u64 at 12"),
            "invalid type: string \"<number>\", expected u64 at 12"
        );
        assert_eq!(scrub("0101234567-001"), "<number>-001");
        assert_eq!(scrub("ok 2026-03-12"), "ok 2026-03-12");
    }

    #[test]
    fn decode_names_the_field() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Inner {
            area: f64,
        }
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Outer {
            items: Vec<Inner>,
        }
        let e = decode::<Outer>(br#"{"items":[{"area":1},{"area":"x"}]}"#).unwrap_err();
        assert!(e.0.starts_with("items[1].area: invalid type"), "{e:?}");
        let e = decode::<Outer>(br#"{"items":[],"extra":1}"#).unwrap_err();
        assert!(e.0.contains("unknown field `extra`"), "{e:?}");
        let e = decode::<Outer>(b"<html>").unwrap_err();
        assert!(e.0.starts_with("body: "), "{e:?}");
    }
}
