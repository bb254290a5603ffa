//! The 12-digit citizen identity number (căn cước công dân, CCCD): parsing, checks and masking.
//!
//! Layout `PPP G YY RRRRRR`: PPP the province (pre-2025 list) where the birth was registered,
//! G century and gender, YY the last two digits of the birth year, RRRRRR random. There is no
//! check digit, so validation is a format check plus consistency with a known birth year.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The 63 pre-2025 province codes a CCCD can start with (001 Hà Nội ... 096 Cà Mau).
///
/// Numbers issued before the 2025 merger into 34 provinces keep their old code, so this list
/// stays valid.
pub const PROVINCE_CODES: [&str; 63] = [
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020",
    "022", "024", "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038",
    "040", "042", "044", "045", "046", "048", "049", "051", "052", "054", "056", "058", "060",
    "062", "064", "066", "067", "068", "070", "072", "074", "075", "077", "079", "080", "082",
    "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096",
];

/// Why a string is not a CCCD, or why a CCCD disagrees with other data.
///
/// Messages never repeat the number itself, so they are safe to log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CccdError {
    /// Wrong number of characters after trimming.
    #[error("must be exactly 12 digits, got {found}")]
    Length {
        /// Characters found.
        found: usize,
    },
    /// A character that is not an ASCII digit.
    #[error("must contain only the digits 0-9; character {position} is not a digit")]
    NonDigit {
        /// 1-based position of the first offending character.
        position: usize,
    },
    /// The first three digits are not a province code.
    #[error("province code {code} does not exist")]
    UnknownProvince {
        /// The three digits found.
        code: String,
    },
    /// The century/gender digit and year digits disagree with a birth year given elsewhere.
    #[error("the CCCD encodes birth year {encoded}, which does not match the birth year {given}")]
    BirthYearMismatch {
        /// Year encoded in the CCCD.
        encoded: u16,
        /// Year given by the other source.
        given: u16,
    },
}

/// A validated CCCD. Debug and Display print only the masked form (`079*******34`), so the
/// number cannot leak into logs by accident; [`Cccd::as_str`] gives the full number for the wire.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cccd(String);

impl Cccd {
    /// Parses a CCCD, trimming surrounding whitespace.
    pub fn parse(input: &str) -> Result<Cccd, CccdError> {
        let s = input.trim();
        let found = s.chars().count();
        if found != 12 {
            return Err(CccdError::Length { found });
        }
        if let Some(i) = s.chars().position(|c| !c.is_ascii_digit()) {
            return Err(CccdError::NonDigit { position: i + 1 });
        }
        // All 12 characters are ASCII digits, so byte slicing is safe.
        let code = &s[..3];
        if !PROVINCE_CODES.contains(&code) {
            return Err(CccdError::UnknownProvince {
                code: code.to_owned(),
            });
        }
        Ok(Cccd(s.to_owned()))
    }

    /// The full 12 digits, for messages to partners that need them. Never log this.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form safe for logs and screens: first three and last two digits shown.
    pub fn masked(&self) -> String {
        format!("{}*******{}", &self.0[..3], &self.0[10..])
    }

    /// Code of the province where the birth was registered (first three digits).
    pub fn province_code(&self) -> &str {
        &self.0[..3]
    }

    fn digit(&self, i: usize) -> u16 {
        u16::from(self.0.as_bytes()[i] - b'0')
    }

    /// Birth year encoded by the century digit and the two year digits.
    pub fn birth_year(&self) -> u16 {
        let century = 1900 + (self.digit(3) / 2) * 100;
        century + self.digit(4) * 10 + self.digit(5)
    }

    /// True when the century/gender digit is odd (female).
    pub fn is_female(&self) -> bool {
        self.digit(3) % 2 == 1
    }

    /// Checks that `year` (from a judgment or a population record) is the year this CCCD encodes.
    pub fn check_birth_year(&self, year: u16) -> Result<(), CccdError> {
        let encoded = self.birth_year();
        if encoded == year {
            Ok(())
        } else {
            Err(CccdError::BirthYearMismatch {
                encoded,
                given: year,
            })
        }
    }
}

impl fmt::Display for Cccd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for Cccd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cccd({})", self.masked())
    }
}

impl std::str::FromStr for Cccd {
    type Err = CccdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cccd::parse(s)
    }
}

impl Serialize for Cccd {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Cccd {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Cccd::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_fixture_numbers() {
        let c = Cccd::parse(" 079078001234 ").unwrap();
        assert_eq!(c.as_str(), "079078001234");
        assert_eq!(c.province_code(), "079");
        assert_eq!(c.birth_year(), 1978);
        assert!(!c.is_female());
        let b = Cccd::parse("079182005678").unwrap();
        assert_eq!(b.birth_year(), 1982);
        assert!(b.is_female());
        let young = Cccd::parse("001305000001").unwrap();
        assert_eq!(young.birth_year(), 2005);
        assert!(young.is_female());
    }

    #[test]
    fn masks_in_display_and_debug() {
        let c = Cccd::parse("079078001234").unwrap();
        assert_eq!(c.masked(), "079*******34");
        assert_eq!(c.to_string(), "079*******34");
        assert!(!format!("{c:?}").contains("078001"));
        assert!(!format!("{:?}", Some(&c)).contains("0780012"));
    }

    #[test]
    fn rejects_with_clear_reasons() {
        assert_eq!(
            Cccd::parse("07907800123").unwrap_err().to_string(),
            "must be exactly 12 digits, got 11"
        );
        assert_eq!(
            Cccd::parse("099078001234").unwrap_err().to_string(),
            "province code 099 does not exist"
        );
        assert_eq!(
            Cccd::parse("0790780012a4").unwrap_err(),
            CccdError::NonDigit { position: 11 }
        );
        assert_eq!(
            Cccd::parse("０７９078001234").unwrap_err(),
            CccdError::NonDigit { position: 1 }
        );
        assert_eq!(Cccd::parse("").unwrap_err(), CccdError::Length { found: 0 });
    }

    #[test]
    fn birth_year_check() {
        let c = Cccd::parse("079078001234").unwrap();
        assert!(c.check_birth_year(1978).is_ok());
        assert_eq!(
            c.check_birth_year(2078).unwrap_err(),
            CccdError::BirthYearMismatch {
                encoded: 1978,
                given: 2078
            }
        );
    }

    #[test]
    fn serde_full_on_the_wire_and_validating() {
        let c = Cccd::parse("079078001234").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), r#""079078001234""#);
        let back: Cccd = serde_json::from_str(r#""079078001234""#).unwrap();
        assert_eq!(back, c);
        assert!(serde_json::from_str::<Cccd>(r#""099078001234""#).is_err());
        assert!(serde_json::from_str::<Cccd>("79078001234").is_err());
    }

    fn valid_cccd() -> impl Strategy<Value = (String, u16, bool)> {
        (
            proptest::sample::select(PROVINCE_CODES.to_vec()),
            0u16..10,
            0u16..100,
            0u32..1_000_000,
        )
            .prop_map(|(p, g, yy, r)| {
                (
                    format!("{p}{g}{yy:02}{r:06}"),
                    1900 + (g / 2) * 100 + yy,
                    g % 2 == 1,
                )
            })
    }

    proptest! {
        #[test]
        fn every_valid_number_round_trips((s, year, female) in valid_cccd()) {
            let c = Cccd::parse(&s).unwrap();
            prop_assert_eq!(c.as_str(), s.as_str());
            prop_assert_eq!(c.birth_year(), year);
            prop_assert_eq!(c.is_female(), female);
            prop_assert!(c.check_birth_year(year).is_ok());
            let json = serde_json::to_string(&c).unwrap();
            let back: Cccd = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&back, &c);
            prop_assert_eq!(Cccd::parse(&c.to_string()).is_err(), true);
        }

        #[test]
        fn random_strings_never_panic(s in "\\PC{0,20}") {
            let _ = Cccd::parse(&s);
        }

        #[test]
        fn random_digit_strings_never_panic(s in "[0-9]{0,14}") {
            if let Ok(c) = Cccd::parse(&s) {
                prop_assert_eq!(c.masked().len(), 12);
            }
        }
    }
}
