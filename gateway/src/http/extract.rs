//! The query-string and path extractors every handler uses instead of axum's own, so a bad
//! parameter answers 422 problem+json naming the parameter and the reason (like a bad body
//! field), never axum's plain-text 400. `clippy.toml` forbids axum's `Query` and `Path` in
//! the gateway so a new handler cannot bring the plain answers back.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use thads_schemas::validation::FieldError;

use super::problem::AppError;

/// The query string deserialized into `T`; an unknown, repeated or malformed parameter is a
/// 422 naming it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Query<T>(pub T);

/// The path parameters deserialized into `T`; one that does not parse is a 422 naming it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Path<T>(pub T);

fn invalid(field: String, reason: String) -> AppError {
    AppError::Invalid {
        errors: vec![FieldError { field, reason }],
        message_id: None,
    }
}

/// Reads `query` (the part after `?`, possibly empty) into `T`, naming the parameter at fault.
pub(crate) fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, AppError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let field = if path == "." || path.is_empty() {
            // An unknown field or a missing one: serde names it in backticks.
            inner
                .split('`')
                .nth(1)
                .map(str::to_string)
                .unwrap_or_else(|| "query".to_string())
        } else {
            path
        };
        invalid(field, inner)
    })
}

/// Reads a JSON body into `T` (an empty body as `{}`), naming the field at fault as a JSON Pointer (`/payees/P1/account`),
/// or `body` when the body as a whole is not the JSON object expected.
pub(crate) fn json_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    // An empty body reads as `{}`, so a missing field is named rather than the body.
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let field = if inner.is_syntax() || inner.is_eof() {
            // Not JSON at all, or cut short: the body as a whole is wrong.
            "body".to_string()
        } else if path == "." {
            // An unknown or missing field: serde names it in backticks.
            match inner.to_string().split('`').nth(1) {
                Some(name) => format!("/{name}"),
                None => "body".to_string(),
            }
        } else {
            format!("/{}", path.replace('.', "/"))
        };
        invalid(field, inner.to_string())
    })?;
    // Anything after the value (a second object, stray text) makes the body wrong as a whole.
    de.end()
        .map_err(|e| invalid("body".to_string(), e.to_string()))?;
    Ok(value)
}

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or("");
        // A parameter given twice is refused up front: serde would keep one silently.
        let mut seen = std::collections::BTreeSet::new();
        for (name, _) in form_urlencoded::parse(query.as_bytes()) {
            if !seen.insert(name.clone()) {
                return Err(invalid(name.into_owned(), "given more than once".into()));
            }
        }
        parse_query(query).map(Query)
    }
}

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        #[allow(clippy::disallowed_types)]
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(e) => {
                let text = e.body_text();
                let field = text
                    .split('`')
                    .nth(1)
                    .map(str::to_string)
                    .unwrap_or_else(|| "path".to_string());
                Err(invalid(field, text))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Q {
        limit: Option<i64>,
        #[serde(default)]
        attention: bool,
    }

    fn field(e: AppError) -> String {
        match e {
            AppError::Invalid { errors, .. } => errors[0].field.clone(),
            other => format!("not invalid: {other}"),
        }
    }

    #[test]
    fn good_queries_parse() {
        assert_eq!(
            parse_query::<Q>("limit=5&attention=true").ok(),
            Some(Q {
                limit: Some(5),
                attention: true
            })
        );
        assert_eq!(
            parse_query::<Q>("").ok(),
            Some(Q {
                limit: None,
                attention: false
            })
        );
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        account: String,
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        amount_vnd: i64,
    }

    #[test]
    fn a_bad_body_field_is_named_by_its_pointer() {
        let f = |b: &str| field(json_body::<Body>(b.as_bytes()).unwrap_err());
        assert_eq!(f(r#"{"account": 5}"#), "/account");
        assert_eq!(
            f(r#"{"account": "1", "inner": {"amount_vnd": "x"}}"#),
            "/inner/amount_vnd"
        );
        assert_eq!(f(r#"{"account": "1", "acount": 2}"#), "/acount");
        assert_eq!(f(r#"{}"#), "/account");
        assert_eq!(f(r#"{"account": "#), "body");
        assert_eq!(f(r#"{"account": "1"} trailing"#), "body");
        assert!(json_body::<Body>(br#"{"account": "1"}"#).is_ok());
    }

    #[test]
    fn a_bad_parameter_is_named() {
        assert_eq!(field(parse_query::<Q>("limit=many").unwrap_err()), "limit");
        assert_eq!(
            field(parse_query::<Q>("attention=null").unwrap_err()),
            "attention"
        );
        assert_eq!(field(parse_query::<Q>("limt=5").unwrap_err()), "limt");
    }
}
