//! Whole Vietnamese đồng: the only money type of the hub (amounts are never negative or fractional).

mod words;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Why an amount is not a valid [`Vnd`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// A negative amount was given.
    #[error("amounts are never negative, got {amount}")]
    Negative {
        /// The rejected amount.
        amount: i64,
    },
    /// Nothing to parse.
    #[error("the amount is empty")]
    Empty,
    /// A leading `+` or `-`.
    #[error("amounts are written without a sign")]
    Sign,
    /// Something other than a digit (or the one decimal point).
    #[error("character {position} ({found:?}) is not a digit")]
    InvalidCharacter {
        /// The offending character.
        found: char,
        /// Its 1-based position.
        position: usize,
    },
    /// A non-zero fractional part.
    #[error("VND amounts are whole đồng; fraction .{fraction} is not allowed")]
    Fraction {
        /// The digits after the point.
        fraction: String,
    },
    /// A point with no digits after it.
    #[error("expected digits after the decimal point")]
    EmptyFraction,
    /// More than `i64::MAX` đồng.
    #[error("the amount is too large")]
    Overflow,
}

/// An amount of whole Vietnamese đồng, never negative.
///
/// Serialized as a JSON integer. Display uses the Vietnamese grouping ("150.000.000 đồng");
/// [`Vnd::in_words`] writes the amount in words as official documents do.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Vnd(i64);

impl Vnd {
    /// Zero đồng.
    pub const ZERO: Vnd = Vnd(0);

    /// Wraps an amount, rejecting negatives.
    pub fn new(amount: i64) -> Result<Vnd, MoneyError> {
        if amount < 0 {
            Err(MoneyError::Negative { amount })
        } else {
            Ok(Vnd(amount))
        }
    }

    /// The amount in đồng.
    pub fn amount(self) -> i64 {
        self.0
    }

    /// True for zero đồng.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Sum, or `None` on overflow.
    pub fn checked_add(self, other: Vnd) -> Option<Vnd> {
        self.0.checked_add(other.0).map(Vnd)
    }

    /// Difference, or `None` when it would be negative.
    pub fn checked_sub(self, other: Vnd) -> Option<Vnd> {
        match self.0.checked_sub(other.0) {
            Some(d) if d >= 0 => Some(Vnd(d)),
            _ => None,
        }
    }

    /// Parses plain digits ("150000000") or an ISO 20022 amount whose fraction is zero
    /// ("25000000.00"). Surrounding whitespace is trimmed; signs, inner spaces, grouping
    /// separators and non-zero fractions are rejected.
    pub fn parse(input: &str) -> Result<Vnd, MoneyError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        if s.starts_with(['+', '-']) {
            return Err(MoneyError::Sign);
        }
        let (whole, fraction) = match s.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (s, None),
        };
        let bad_char = |part: &str, offset: usize| {
            part.chars()
                .position(|c| !c.is_ascii_digit())
                .and_then(|i| {
                    part.chars()
                        .nth(i)
                        .map(|found| MoneyError::InvalidCharacter {
                            found,
                            position: offset + i + 1,
                        })
                })
        };
        if let Some(e) = bad_char(whole, 0) {
            return Err(e);
        }
        if whole.is_empty() {
            return Err(MoneyError::InvalidCharacter {
                found: '.',
                position: 1,
            });
        }
        if let Some(f) = fraction {
            if let Some(e) = bad_char(f, whole.chars().count() + 1) {
                return Err(e);
            }
            if f.is_empty() {
                return Err(MoneyError::EmptyFraction);
            }
            if f.bytes().any(|b| b != b'0') {
                return Err(MoneyError::Fraction {
                    fraction: f.to_owned(),
                });
            }
        }
        let mut amount: i64 = 0;
        for b in whole.bytes() {
            amount = amount
                .checked_mul(10)
                .and_then(|a| a.checked_add(i64::from(b - b'0')))
                .ok_or(MoneyError::Overflow)?;
        }
        Ok(Vnd(amount))
    }

    /// The figures with Vietnamese grouping dots, without the unit: "150.000.000".
    pub fn grouped(self) -> String {
        let digits = self.0.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push('.');
            }
            out.push(c);
        }
        out
    }

    /// The amount in Vietnamese words as judgments and enforcement decisions write it:
    /// "Một trăm năm mươi triệu đồng".
    pub fn in_words(self) -> String {
        words::in_words(self.0.unsigned_abs())
    }
}

impl fmt::Display for Vnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} đồng", self.grouped())
    }
}

impl fmt::Debug for Vnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Vnd({})", self.0)
    }
}

impl std::str::FromStr for Vnd {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Vnd::parse(s)
    }
}

impl TryFrom<i64> for Vnd {
    type Error = MoneyError;
    fn try_from(amount: i64) -> Result<Self, Self::Error> {
        Vnd::new(amount)
    }
}

impl From<u32> for Vnd {
    fn from(amount: u32) -> Self {
        Vnd(i64::from(amount))
    }
}

impl Serialize for Vnd {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for Vnd {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let amount = i64::deserialize(deserializer)?;
        Vnd::new(amount).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
