//! Classifies VNeID answers: which failures are worth another try, which never will be, and
//! which say the citizen has no VNeID account (the notice then goes to e-mail or paper).

use reqwest::StatusCode;
use thads_core::partner_http::RetryClass as Answer;

/// What to do after an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryClass {
    /// Delivered (2xx, or 409: the partner already has this notice id).
    Delivered,
    /// Try again later: 408, 425, 429, 5xx, or no answer.
    Retriable,
    /// Never: any other 4xx (bad token, invalid request).
    Permanent,
    /// The citizen has no VNeID account (404 or 422 whose body says `no_account`): VNeID can
    /// never deliver it, so the notice is served another way instead of dead-lettered.
    NoAccount,
}

impl RetryClass {
    /// Whether the answer counts against the endpoint's health (opens the circuit breaker):
    /// no answer, or an answer that says the partner is overloaded or failing.
    pub fn is_endpoint_failure(self) -> bool {
        self == Self::Retriable
    }
}

/// Classifies an HTTP status.
pub fn classify(status: StatusCode) -> RetryClass {
    match thads_core::partner_http::classify(status) {
        Answer::Delivered => RetryClass::Delivered,
        Answer::Retriable => RetryClass::Retriable,
        Answer::Permanent => RetryClass::Permanent,
    }
}

/// Classifies an answer by its status and body: a 404 or 422 whose body names the missing
/// account (`no_account`, `NO_ACCOUNT`, or the words "no VNeID account") is [`RetryClass::NoAccount`];
/// any other 404 (a wrong endpoint path, say) stays permanent, so a misconfiguration is
/// dead-lettered rather than e-mailed to every party.
pub fn classify_answer(status: StatusCode, body: &str) -> RetryClass {
    let class = classify(status);
    if class == RetryClass::Permanent && matches!(status.as_u16(), 404 | 422) {
        let lower = body.to_ascii_lowercase();
        if lower.contains("no_account") || lower.contains("no vneid account") {
            return RetryClass::NoAccount;
        }
    }
    class
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

    #[test]
    fn a_missing_account_is_told_apart_from_a_wrong_path() {
        let no_account = r#"{"code":"no_account","message":"citizen has no VNeID account"}"#;
        assert_eq!(
            classify_answer(StatusCode::NOT_FOUND, no_account),
            RetryClass::NoAccount
        );
        assert_eq!(
            classify_answer(StatusCode::NOT_FOUND, "citizen has no VNeID account"),
            RetryClass::NoAccount
        );
        assert_eq!(
            classify_answer(StatusCode::NOT_FOUND, "<html>Not Found</html>"),
            RetryClass::Permanent
        );
        assert_eq!(
            classify_answer(StatusCode::UNAUTHORIZED, no_account),
            RetryClass::Permanent
        );
        assert_eq!(
            classify_answer(StatusCode::SERVICE_UNAVAILABLE, no_account),
            RetryClass::Retriable
        );
        assert!(RetryClass::Retriable.is_endpoint_failure());
        assert!(!RetryClass::NoAccount.is_endpoint_failure());
        assert!(!RetryClass::Permanent.is_endpoint_failure());
    }
}
