//! The operator's console in the browser (`docs/console.md`): static HTML, CSS and JavaScript
//! modules compiled into the binary (no second server, no CDN, system fonts), served under
//! `/console/`. The files hold no data: every figure comes from the JSON API with the
//! person's session, so these routes are public like the sign-in page they are.
//!
//! Each answer carries a strict Content-Security-Policy (scripts, styles and calls to this
//! origin only, no framing) and is not cached, so a new hub version is picked up at once.

use crate::http::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use super::AppState;

/// The console's files: path below `/console/`, media type, content.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "index.html",
        "text/html; charset=utf-8",
        include_str!("../../console/index.html"),
    ),
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("../../console/style.css"),
    ),
    ("js/api.js", JS, include_str!("../../console/js/api.js")),
    ("js/app.js", JS, include_str!("../../console/js/app.js")),
    ("js/i18n.js", JS, include_str!("../../console/js/i18n.js")),
    ("js/ui.js", JS, include_str!("../../console/js/ui.js")),
    (
        "js/pages/alerts.js",
        JS,
        include_str!("../../console/js/pages/alerts.js"),
    ),
    (
        "js/pages/dashboard.js",
        JS,
        include_str!("../../console/js/pages/dashboard.js"),
    ),
    (
        "js/pages/dead_letters.js",
        JS,
        include_str!("../../console/js/pages/dead_letters.js"),
    ),
    (
        "js/pages/deadlines.js",
        JS,
        include_str!("../../console/js/pages/deadlines.js"),
    ),
    (
        "js/pages/message.js",
        JS,
        include_str!("../../console/js/pages/message.js"),
    ),
    (
        "js/pages/messages.js",
        JS,
        include_str!("../../console/js/pages/messages.js"),
    ),
    (
        "js/pages/partners.js",
        JS,
        include_str!("../../console/js/pages/partners.js"),
    ),
    (
        "js/pages/reconciliation.js",
        JS,
        include_str!("../../console/js/pages/reconciliation.js"),
    ),
    (
        "js/pages/signin.js",
        JS,
        include_str!("../../console/js/pages/signin.js"),
    ),
];

const JS: &str = "text/javascript; charset=utf-8";

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
                   frame-ancestors 'none'";

/// The console's routes, merged into the hub's router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/console",
            get(|| async { Redirect::permanent("/console/") }),
        )
        .route("/console/", get(|| async { asset("index.html") }))
        .route(
            "/console/{*path}",
            get(|Path(path): Path<String>| async move { asset(&path) }),
        )
}

fn asset(path: &str) -> Response {
    let Some((_, media, body)) = ASSETS.iter().find(|(p, _, _)| *p == path) else {
        return (StatusCode::NOT_FOUND, "no such file in the console").into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CSP),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ),
        ],
        *body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn file(path: &str) -> &'static str {
        ASSETS
            .iter()
            .find(|(p, _, _)| *p == path)
            .map(|(_, _, b)| *b)
            .unwrap_or_else(|| panic!("{path} is not embedded"))
    }

    /// The keys of one language's block of `i18n.js` (`  vi: {` … `  },`).
    fn keys_of(lang: &str) -> BTreeSet<String> {
        let text = file("js/i18n.js");
        let start = text
            .find(&format!("\n  {lang}: {{\n"))
            .unwrap_or_else(|| panic!("no {lang} block"));
        let block = &text[start..];
        let end = block.find("\n  },").unwrap_or(block.len());
        block[..end]
            .lines()
            .filter_map(|l| l.trim().strip_prefix('"'))
            .filter_map(|l| l.split_once("\":"))
            .map(|(k, _)| k.to_string())
            .collect()
    }

    /// Every quoted `word.word` literal in the pages (the keys they translate), and every
    /// `data-i18n` attribute.
    fn used_keys() -> BTreeSet<String> {
        let mut keys = BTreeSet::new();
        for (path, _, body) in ASSETS {
            if *path == "js/i18n.js" || path.ends_with(".css") {
                continue;
            }
            for piece in body.split('"').skip(1).step_by(2) {
                let looks_like_key = piece.contains('.')
                    && piece.starts_with(|c: char| c.is_ascii_lowercase())
                    && piece.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'
                    });
                if looks_like_key && !piece.ends_with(".js") && !piece.ends_with(".css") {
                    keys.insert(piece.to_string());
                }
            }
        }
        keys
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let vi = keys_of("vi");
        let en = keys_of("en");
        assert!(vi.len() > 100, "{}", vi.len());
        let only_vi: Vec<_> = vi.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&vi).collect();
        assert!(only_vi.is_empty(), "missing in English: {only_vi:?}");
        assert!(only_en.is_empty(), "missing in Vietnamese: {only_en:?}");
    }

    #[test]
    fn every_key_the_pages_use_is_translated() {
        let vi = keys_of("vi");
        let missing: Vec<_> = used_keys()
            .into_iter()
            .filter(|k| !vi.contains(k))
            .collect();
        assert!(
            missing.is_empty(),
            "keys used but not translated: {missing:?}"
        );
        // Keys built from values the API returns.
        let mut families: Vec<String> = Vec::new();
        for state in [
            "received",
            "rejected",
            "accepted",
            "handled",
            "emitted",
            "sending",
            "waiting_retry",
            "delivered",
            "failed",
            "dead_lettered",
            "replayed",
            "discarded",
            "served",
            "read",
        ] {
            assert!(
                thads_core::journey::MessageState::parse(state).is_some(),
                "{state}"
            );
            families.push(format!("state.{state}"));
        }
        for role in thads_core::staff::Role::ALL {
            families.push(format!("role.{role}"));
        }
        for kind in thads_core::deadlines::overview::SubjectKind::ALL {
            families.push(format!("deadline_kind.{}", kind.as_str()));
        }
        for k in [
            "dir.in",
            "dir.out",
            "circuit.closed",
            "circuit.open",
            "circuit.half_open",
            "severity.critical",
            "severity.warning",
            "alert_kind.partner_failing",
            "alert_kind.dlq_growing",
            "alert_kind.signin_failures",
            "alert_kind.certificate_expiring",
            "alert_kind.certificate_expired",
            "source.file",
            "source.console",
            "source.restore",
            "kind.court",
            "kind.bank",
            "kind.treasury",
            "kind.vneid",
            "kind.database",
            "registration.active",
            "registration.revoked",
            "check.ok",
            "check.failed",
        ] {
            families.push(k.to_string());
        }
        let missing: Vec<_> = families.iter().filter(|k| !vi.contains(*k)).collect();
        assert!(
            missing.is_empty(),
            "keys built from values not translated: {missing:?}"
        );
    }

    #[test]
    fn every_state_the_search_offers_is_a_journey_state() {
        let messages = file("js/pages/messages.js");
        let line = messages
            .lines()
            .skip_while(|l| !l.contains("export const STATES"))
            .take(3)
            .collect::<String>();
        for piece in line.split('"').skip(1).step_by(2) {
            assert!(
                thads_core::journey::MessageState::parse(piece).is_some(),
                "{piece}"
            );
        }
    }

    #[test]
    fn every_module_the_pages_import_is_embedded() {
        for (path, _, body) in ASSETS.iter().filter(|(p, _, _)| p.ends_with(".js")) {
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
            for line in body.lines().filter(|l| l.starts_with("import ")) {
                let Some(target) = line.split('"').nth(1) else {
                    continue;
                };
                let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
                for seg in target.split('/') {
                    match seg {
                        "." => {}
                        ".." => {
                            parts.pop();
                        }
                        s => parts.push(s),
                    }
                }
                let resolved = parts.join("/");
                assert!(
                    ASSETS.iter().any(|(p, _, _)| *p == resolved),
                    "{path} imports {target} ({resolved}), which is not embedded"
                );
            }
        }
        let index = file("index.html");
        assert!(index.contains("/console/js/app.js") && index.contains("/console/style.css"));
        assert!(
            !index.contains("http://") && !index.contains("https://"),
            "no CDN"
        );
    }

    #[test]
    fn assets_are_served_with_their_type_and_policy() {
        let r = asset("js/app.js");
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript"));
        assert!(r.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'"));
        assert_eq!(asset("../Cargo.toml").status(), StatusCode::NOT_FOUND);
    }
}
