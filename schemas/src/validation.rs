//! Field-level validation errors: every rejection names the field and says why.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One rejected field, so a partner learns exactly what to fix (invariant 5 of the design).
///
/// `field` is a path in the notation of the input format: `Judgment/Parties/Party[2]/Cccd` for XML
/// (1-based index in brackets, `@name` for attributes), a JSON Pointer such as `/parties/1/cccd`
/// for JSON.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, utoipa::ToSchema)]
pub struct FieldError {
    /// Path of the offending field.
    pub field: String,
    /// Human-readable reason, never containing unmasked personal data.
    pub reason: String,
}

impl FieldError {
    /// Builds a field error; exists so callers need not spell out the struct.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// All field errors found in one message, collected rather than stopping at the first, so a
/// partner can fix everything in one round trip.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(transparent)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// An empty collection, ready to `push` into.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `field` is wrong for `reason`.
    pub fn push(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.0.push(FieldError::new(field, reason));
    }

    /// True when nothing was rejected.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of rejected fields.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Iterates over the recorded errors in the order they were found.
    pub fn iter(&self) -> std::slice::Iter<'_, FieldError> {
        self.0.iter()
    }

    /// True when some error names exactly `field`; handy for tests and for callers mapping errors.
    pub fn has_field(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    /// Appends every error of `other`.
    pub fn extend(&mut self, other: ValidationErrors) {
        self.0.extend(other.0);
    }

    /// `Ok(value)` when no error was recorded, otherwise `Err(self)`: the usual end of a validator.
    pub fn into_result<T>(self, value: T) -> Result<T, ValidationErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("no validation errors");
        }
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

impl From<FieldError> for ValidationErrors {
    fn from(e: FieldError) -> Self {
        Self(vec![e])
    }
}

impl<'a> IntoIterator for &'a ValidationErrors {
    type Item = &'a FieldError;
    type IntoIter = std::slice::Iter<'a, FieldError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn display_lists_every_field() {
        let mut e = ValidationErrors::new();
        assert!(e.is_empty());
        e.push("Judgment/Office", "is required");
        e.push(
            "Judgment/Parties/Party[2]/Cccd",
            "must be exactly 12 digits, got 11",
        );
        assert_eq!(
            e.to_string(),
            "Judgment/Office: is required; Judgment/Parties/Party[2]/Cccd: must be exactly 12 digits, got 11"
        );
        assert!(e.has_field("Judgment/Office"));
        assert_eq!(e.clone().into_result(1).unwrap_err().len(), 2);
    }

    #[test]
    fn empty_into_result_is_ok() {
        assert_eq!(ValidationErrors::new().into_result(7).unwrap(), 7);
    }

    #[test]
    fn serializes_as_array() {
        let e = ValidationErrors::from(FieldError::new("a", "b"));
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"[{"field":"a","reason":"b"}]"#
        );
    }
}
