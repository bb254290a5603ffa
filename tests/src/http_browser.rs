//! A small browser for end-to-end tests of sign-in flows: it keeps the cookies servers set (by
//! name; every server here is on the loopback address) and follows redirects one hop at a time,
//! recording each, so a test sees every step of an OpenID Connect round trip.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Method, Response};

/// One redirect followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// The URL requested.
    pub url: String,
    /// Its status.
    pub status: u16,
}

/// A cookie-keeping client that does not follow redirects by itself.
#[derive(Debug)]
pub struct Browser {
    http: reqwest::Client,
    jar: Mutex<BTreeMap<String, String>>,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    /// A browser with no cookies.
    pub fn new() -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap_or_default(),
            jar: Mutex::new(BTreeMap::new()),
        }
    }

    fn jar(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, String>> {
        self.jar.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The value of cookie `name`, if set.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.jar().get(name).cloned()
    }

    /// Sets (or, with `None`, removes) a cookie by hand, as an attacker's browser would.
    pub fn set_cookie(&self, name: &str, value: Option<&str>) {
        match value {
            Some(v) => self.jar().insert(name.into(), v.into()),
            None => self.jar().remove(name),
        };
    }

    fn keep_cookies(&self, r: &Response) {
        for v in r.headers().get_all(SET_COOKIE) {
            let Ok(v) = v.to_str() else { continue };
            let mut parts = v.split(';');
            let Some((name, value)) = parts.next().and_then(|p| p.trim().split_once('=')) else {
                continue;
            };
            let expired = parts.any(|p| p.trim().eq_ignore_ascii_case("max-age=0"));
            if expired || value.is_empty() {
                self.jar().remove(name);
            } else {
                self.jar().insert(name.into(), value.into());
            }
        }
    }

    /// Sends one request with the cookies, keeps what it sets, and does not follow a redirect.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Response {
        let cookies = self
            .jar()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut request = self.http.request(method, url);
        if !cookies.is_empty() {
            request = request.header(COOKIE, cookies);
        }
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        let r = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        self.keep_cookies(&r);
        r
    }

    /// GETs `url` with the cookies.
    pub async fn get(&self, url: &str) -> Response {
        self.send(Method::GET, url, &[], None).await
    }

    /// GETs `url` and follows redirects (at most 10), returning the hops and the final answer.
    pub async fn navigate(&self, url: &str) -> (Vec<Hop>, Response) {
        let mut hops = Vec::new();
        let mut current = url.to_string();
        for _ in 0..10 {
            let r = self.get(&current).await;
            let status = r.status().as_u16();
            hops.push(Hop {
                url: current.clone(),
                status,
            });
            let Some(next) = r
                .headers()
                .get(LOCATION)
                .and_then(|l| l.to_str().ok())
                .filter(|_| r.status().is_redirection())
            else {
                return (hops, r);
            };
            current = match reqwest::Url::parse(&current).and_then(|base| base.join(next)) {
                Ok(u) => u.to_string(),
                Err(e) => panic!("bad Location {next:?}: {e}"),
            };
        }
        panic!("more than 10 redirects: {hops:?}");
    }
}
