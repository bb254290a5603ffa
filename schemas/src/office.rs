//! Codes of enforcement offices (34 provincial bodies, 355 regional offices), e.g. `HCM-KV01`.
//!
//! The code travels inside NATS subjects (`case.<office>.<case-id>`), so its alphabet excludes
//! dots, spaces and wildcards by construction.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Why a string is not an office code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfficeCodeError {
    /// Shorter than 2 or longer than 24 characters.
    #[error("must be 2 to 24 characters, got {found}")]
    Length {
        /// Characters found.
        found: usize,
    },
    /// A character outside `A-Z`, `0-9`, `-`.
    #[error("character {position} ({found:?}) is not allowed; use uppercase letters A-Z, digits and '-'")]
    InvalidCharacter {
        /// The offending character.
        found: char,
        /// Its 1-based position.
        position: usize,
    },
    /// Does not begin with a letter.
    #[error("must start with a letter A-Z")]
    MustStartWithLetter,
    /// Contains `--`.
    #[error("must not contain \"--\"")]
    DoubleHyphen,
    /// Ends with `-`.
    #[error("must not end with '-'")]
    TrailingHyphen,
}

/// A validated office code such as `HCM` or `HNI-KV12`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OfficeCode(String);

impl OfficeCode {
    /// Parses an office code exactly as given (no trimming, no case folding).
    pub fn parse(s: &str) -> Result<OfficeCode, OfficeCodeError> {
        let found = s.chars().count();
        if !(2..=24).contains(&found) {
            return Err(OfficeCodeError::Length { found });
        }
        if let Some((i, c)) = s
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Err(OfficeCodeError::InvalidCharacter {
                found: c,
                position: i + 1,
            });
        }
        if !s.starts_with(|c: char| c.is_ascii_uppercase()) {
            return Err(OfficeCodeError::MustStartWithLetter);
        }
        if s.contains("--") {
            return Err(OfficeCodeError::DoubleHyphen);
        }
        if s.ends_with('-') {
            return Err(OfficeCodeError::TrailingHyphen);
        }
        Ok(OfficeCode(s.to_owned()))
    }

    /// The code as text, e.g. for a subject token or a database column.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OfficeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for OfficeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OfficeCode({})", self.0)
    }
}

impl std::str::FromStr for OfficeCode {
    type Err = OfficeCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OfficeCode::parse(s)
    }
}

impl AsRef<str> for OfficeCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for OfficeCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for OfficeCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        OfficeCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_examples() {
        for s in ["HCM", "HCM-KV01", "HNI-KV12", "A1"] {
            assert_eq!(OfficeCode::parse(s).unwrap().as_str(), s);
        }
    }

    #[test]
    fn rejects_bad_codes() {
        use OfficeCodeError::*;
        assert_eq!(OfficeCode::parse("H").unwrap_err(), Length { found: 1 });
        assert_eq!(
            OfficeCode::parse(&"A".repeat(25)).unwrap_err(),
            Length { found: 25 }
        );
        assert!(matches!(
            OfficeCode::parse("HCM.KV01").unwrap_err(),
            InvalidCharacter {
                found: '.',
                position: 4
            }
        ));
        assert!(matches!(
            OfficeCode::parse("hcm").unwrap_err(),
            InvalidCharacter { .. }
        ));
        assert!(OfficeCode::parse("HCM KV").is_err());
        assert!(OfficeCode::parse("HCM*").is_err());
        assert_eq!(OfficeCode::parse("1HCM").unwrap_err(), MustStartWithLetter);
        assert_eq!(OfficeCode::parse("-HCM").unwrap_err(), MustStartWithLetter);
        assert_eq!(OfficeCode::parse("HCM--KV").unwrap_err(), DoubleHyphen);
        assert_eq!(OfficeCode::parse("HCM-").unwrap_err(), TrailingHyphen);
    }

    #[test]
    fn serde_validates() {
        let o: OfficeCode = serde_json::from_str(r#""HCM-KV01""#).unwrap();
        assert_eq!(serde_json::to_string(&o).unwrap(), r#""HCM-KV01""#);
        assert!(serde_json::from_str::<OfficeCode>(r#""hcm""#).is_err());
    }

    proptest! {
        #[test]
        fn never_panics_and_accepted_codes_are_subject_safe(s in "\\PC{0,30}") {
            if let Ok(o) = OfficeCode::parse(&s) {
                prop_assert!(!o.as_str().contains(['.', ' ', '*', '>']));
            }
        }

        #[test]
        fn generated_codes_parse(s in "[A-Z][A-Z0-9]{0,5}(-[A-Z0-9]{1,5}){0,2}") {
            if s.len() >= 2 {
                prop_assert!(OfficeCode::parse(&s).is_ok());
            }
        }
    }
}
