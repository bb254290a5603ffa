//! Maps a court's judgment XML to the canonical [`Judgment`], turning every parse or
//! validation failure into a list of `(field, reason)` pairs for a problem+json answer.

use thads_schemas::court::judgment::{parse_judgment_xml, Judgment, JudgmentError};
use thads_schemas::validation::FieldError;

/// Parses and validates one document.
pub fn to_canonical(bytes: &[u8]) -> Result<Judgment, Vec<FieldError>> {
    parse_judgment_xml(bytes).map_err(field_errors)
}

/// The field errors a rejection reports.
pub fn field_errors(e: JudgmentError) -> Vec<FieldError> {
    match e {
        JudgmentError::Invalid(errors) => errors.0,
        JudgmentError::Xml(x) => vec![FieldError {
            field: "body".to_string(),
            reason: x.to_string(),
        }],
        other => vec![FieldError {
            field: "Judgment".to_string(),
            reason: other.to_string(),
        }],
    }
}
