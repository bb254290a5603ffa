//! Classifies VNeID answers: which failures are worth another try and which never will be.

use reqwest::StatusCode;

/// What to do after an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryClass {
    /// Delivered (2xx, or 409: the partner already has this notice id).
    Delivered,
    /// Try again later: 408, 425, 429, 5xx, or no answer.
    Retriable,
    /// Never: any other 4xx (bad token, unknown citizen, invalid request).
    Permanent,
}

/// Classifies an HTTP status.
pub fn classify(status: StatusCode) -> RetryClass {
    match status.as_u16() {
        200..=299 | 409 => RetryClass::Delivered,
        408 | 425 | 429 | 500..=599 => RetryClass::Retriable,
        _ => RetryClass::Permanent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified() {
        assert_eq!(classify(StatusCode::OK), RetryClass::Delivered);
        assert_eq!(classify(StatusCode::ACCEPTED), RetryClass::Delivered);
        assert_eq!(classify(StatusCode::CONFLICT), RetryClass::Delivered);
        assert_eq!(
            classify(StatusCode::SERVICE_UNAVAILABLE),
            RetryClass::Retriable
        );
        assert_eq!(
            classify(StatusCode::TOO_MANY_REQUESTS),
            RetryClass::Retriable
        );
        assert_eq!(classify(StatusCode::UNAUTHORIZED), RetryClass::Permanent);
        assert_eq!(classify(StatusCode::NOT_FOUND), RetryClass::Permanent);
    }
}
