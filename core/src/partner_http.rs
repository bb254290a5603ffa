//! What every outbound partner call (bank orders, court deliveries, VNeID notices, national
//! databases, the Treasury) decides the same way: which HTTP answers mean delivered, which are
//! worth another try and which never will be, and how an answer or a failed request is
//! described in errors and journeys without leaking the URL (it may carry a token).

use reqwest::StatusCode;

/// What to do after an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryClass {
    /// Delivered (2xx, or 409: the partner already has this id).
    Delivered,
    /// Try again later: 408, 425, 429, 5xx, or no answer.
    Retriable,
    /// Never: any other 4xx (bad token, malformed request), for an operator to fix.
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

/// The start of an answer's body (200 characters, control characters as spaces), for errors.
pub fn body_excerpt(body: &str) -> String {
    body.chars()
        .take(200)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// What kind of failure a request without an answer was (`timed out`, `connection failed`,
/// `request failed`).
pub fn failure_kind(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    }
}

/// A request that got no answer, described without its URL: `"timed out: …"`.
pub fn describe_failure(e: reqwest::Error) -> String {
    format!("{}: {}", failure_kind(&e), e.without_url())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified() {
        for s in [200, 202, 204, 409] {
            assert_eq!(
                classify(StatusCode::from_u16(s).unwrap_or(StatusCode::OK)),
                RetryClass::Delivered
            );
        }
        for s in [408, 425, 429, 500, 502, 503, 504] {
            assert_eq!(
                classify(StatusCode::from_u16(s).unwrap_or(StatusCode::OK)),
                RetryClass::Retriable,
                "{s}"
            );
        }
        for s in [400, 401, 403, 404, 422] {
            assert_eq!(
                classify(StatusCode::from_u16(s).unwrap_or(StatusCode::OK)),
                RetryClass::Permanent,
                "{s}"
            );
        }
    }

    #[test]
    fn excerpts_are_short_and_on_one_line() {
        let body = format!("line one\nline two\r\n{}", "x".repeat(500));
        let e = body_excerpt(&body);
        assert_eq!(e.chars().count(), 200);
        assert!(e.starts_with("line one line two  x"));
    }
}
