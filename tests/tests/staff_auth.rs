//! Staff accounts and sign-in end to end, against both runtimes: accounts created with the
//! `thads-hub staff` command line, sign-in over HTTP (JSON and form), the session as cookie and
//! as bearer token, CSRF refusal, lock-out after repeated failures, disabled accounts, password
//! changes, sign-out, and idle and absolute session expiry.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{binary, Kind};
use serde_json::{json, Value};
use thads_e2e::hub::ProductionServices;

/// A hub process with its own data folder or database, and extra `THADS_STAFF__*` settings;
/// the same database is reachable by [`StaffHub::cli`].
struct StaffHub {
    base: String,
    http: reqwest::Client,
    db_env: Vec<(&'static str, String)>,
    child: Child,
    _data: tempfile::TempDir,
    _services: Option<ProductionServices>,
}

impl StaffHub {
    async fn start(kind: Kind, staff: &[(&str, &str)]) -> Self {
        let data = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut cmd = Command::new(binary());
        cmd.arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env(
                "RUST_LOG",
                std::env::var("THADS_TEST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .env("THADS_LISTEN", format!("127.0.0.1:{port}"))
            .env("THADS_DATA_DIR", data.path())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (key, value) in staff {
            cmd.env(format!("THADS_STAFF__{}", key.to_uppercase()), value);
        }
        let (db_env, db) = match kind {
            Kind::Embedded => (
                vec![("THADS_DATA_DIR", data.path().display().to_string())],
                None,
            ),
            Kind::Production => {
                let services = ProductionServices::create("st").await;
                cmd.env("DATABASE_URL", &services.db.url)
                    .env("NATS_URL", &services.streams.url)
                    .env("THADS_NATS__PREFIX", &services.streams.prefix);
                (
                    vec![("DATABASE_URL", services.db.url.clone())],
                    Some(services),
                )
            }
        };
        let child = cmd.spawn().unwrap();
        let mut hub = Self {
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap(),
            db_env,
            child,
            _data: data,
            _services: db,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = hub.child.try_wait() {
                panic!("hub exited during start-up: {status}");
            }
            if let Ok(r) = hub.http.get(format!("{}/readyz", hub.base)).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "hub not ready in 60 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        hub
    }

    /// Runs `thads-hub staff ARGS` against the hub's database.
    fn cli(&self, args: &[&str], password_env: Option<&str>) -> Output {
        let mut cmd = Command::new(binary());
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "error")
            .arg("staff")
            .args(args);
        for (k, v) in &self.db_env {
            cmd.env(k, v);
        }
        if let Some(pw) = password_env {
            cmd.env("THADS_STAFF_PASSWORD", pw);
        }
        cmd.output().unwrap()
    }

    /// Runs the command line and expects success; returns stdout.
    fn cli_ok(&self, args: &[&str], password_env: Option<&str>) -> String {
        let out = self.cli(args, password_env);
        assert!(
            out.status.success(),
            "staff {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    async fn sign_in(&self, username: &str, password: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/v1/auth/sign-in", self.base))
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await
            .unwrap()
    }

    /// Signs in and expects success.
    async fn session(&self, username: &str, password: &str) -> Session {
        let r = self.sign_in(username, password).await;
        assert_eq!(r.status(), 200, "sign-in of {username}");
        Session::from_response(r).await
    }

    async fn me_with_cookie(&self, token: &str) -> reqwest::Response {
        self.http
            .get(format!("{}/v1/auth/me", self.base))
            .header("cookie", format!("thads_session={token}"))
            .send()
            .await
            .unwrap()
    }

    async fn me_with_bearer(&self, token: &str) -> reqwest::Response {
        self.http
            .get(format!("{}/v1/auth/me", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    async fn sign_out_with_cookie(&self, token: &str, csrf: Option<&str>) -> reqwest::Response {
        let mut req = self
            .http
            .post(format!("{}/v1/auth/sign-out", self.base))
            .header("cookie", format!("thads_session={token}"));
        if let Some(csrf) = csrf {
            req = req.header("x-csrf-token", csrf);
        }
        req.send().await.unwrap()
    }
}

impl Drop for StaffHub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A signed-in session as sign-in returned it.
struct Session {
    token: String,
    csrf: String,
    set_cookie: String,
    body: Value,
}

impl Session {
    async fn from_response(r: reqwest::Response) -> Self {
        let set_cookie = r
            .headers()
            .get("set-cookie")
            .expect("sign-in sets the session cookie")
            .to_str()
            .unwrap()
            .to_string();
        let body: Value = r.json().await.unwrap();
        Self {
            token: body["token"].as_str().unwrap().to_string(),
            csrf: body["csrf_token"].as_str().unwrap().to_string(),
            set_cookie,
            body,
        }
    }
}

/// Expects a problem+json answer with `status` and returns its detail.
async fn problem(r: reqwest::Response, status: u16) -> String {
    assert_eq!(r.status().as_u16(), status);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], status);
    body["detail"].as_str().unwrap().to_string()
}

fn password_file(dir: &Path, name: &str, password: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("{password}\n")).unwrap();
    path.display().to_string()
}

const AN_PASSWORD: &str = "mật khẩu của An 2026";
const BINH_PASSWORD: &str = "binh-secret-password";
const CHI_PASSWORD: &str = "chi-secret-password";

async fn accounts_sign_in_and_lockout(kind: Kind) {
    let hub = StaffHub::start(kind, &[]).await;
    let files = tempfile::tempdir().unwrap();
    let an_file = password_file(files.path(), "an", AN_PASSWORD);

    // Accounts come from the command line; the password never from its arguments.
    let out = hub.cli_ok(
        &[
            "add",
            "an.nguyen",
            "--role",
            "officer",
            "--office",
            "HCM-KV01",
            "--name",
            "Nguyễn Văn An",
            "--password-file",
            &an_file,
        ],
        None,
    );
    assert!(out.contains("created an.nguyen"), "{out}");
    let add = |user: &str, role: &str, office: &str, pw: Option<&str>| {
        hub.cli(
            &[
                "add", user, "--role", role, "--office", office, "--name", "Test",
            ],
            pw,
        )
    };
    let none = add("binh", "administrator", "CUC", None);
    assert!(!none.status.success());
    assert!(String::from_utf8_lossy(&none.stderr).contains("--password-file"));
    let short = add("binh", "administrator", "CUC", Some("short"));
    assert!(!short.status.success());
    let err = String::from_utf8_lossy(&short.stderr);
    assert!(err.contains("password:") && err.contains("10"), "{err}");
    let bad_role = add("binh", "root", "CUC", Some(BINH_PASSWORD));
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("role:"));
    let again = add("an.nguyen", "clerk", "HCM", Some(BINH_PASSWORD));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert!(add("binh", "administrator", "CUC", Some(BINH_PASSWORD))
        .status
        .success());
    assert!(add("chi", "clerk", "HCM-KV01", Some(CHI_PASSWORD))
        .status
        .success());
    let all = hub.cli_ok(&["list"], None);
    assert!(all.contains("an.nguyen") && all.contains("binh") && all.contains("chi"));
    let kv01 = hub.cli_ok(&["list", "--office", "HCM-KV01"], None);
    assert!(
        kv01.contains("an.nguyen") && !kv01.contains("binh"),
        "{kv01}"
    );

    // No credentials: 401 problem+json with a challenge.
    let r = hub
        .http
        .get(format!("{}/v1/auth/me", hub.base))
        .send()
        .await
        .unwrap();
    assert!(r.headers().contains_key("www-authenticate"));
    assert!(problem(r, 401).await.contains("Sign in"));

    // Sign-in with JSON: cookie attributes, identity, tokens.
    let an = hub.session("An.Nguyen", AN_PASSWORD).await;
    assert!(an
        .set_cookie
        .starts_with(&format!("thads_session={};", an.token)));
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(an.set_cookie.contains(attribute), "{}", an.set_cookie);
    }
    assert!(!an.set_cookie.contains("Secure"), "not configured");
    assert_eq!(an.body["username"], "an.nguyen");
    assert_eq!(an.body["display_name"], "Nguyễn Văn An");
    assert_eq!(an.body["role"], "officer");
    assert_eq!(an.body["role_title"], "Chấp hành viên");
    assert_eq!(an.body["office"], "HCM-KV01");
    assert_eq!(an.token.len(), 64);
    assert_ne!(an.csrf, an.token);

    // The same session as cookie and as bearer token.
    let r = hub.me_with_cookie(&an.token).await;
    assert_eq!(r.status(), 200);
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["username"], "an.nguyen");
    assert_eq!(me["csrf_token"], an.csrf.as_str());
    let r = hub.me_with_bearer(&an.token).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["office"], "HCM-KV01");
    assert_eq!(
        problem(hub.me_with_bearer(&"0".repeat(64)).await, 401).await,
        "The session has expired or was closed; sign in again."
    );

    // A cookie-borne POST needs the CSRF header, and the right one.
    let detail = problem(hub.sign_out_with_cookie(&an.token, None).await, 403).await;
    assert!(detail.contains("X-CSRF-Token"), "{detail}");
    let detail = problem(
        hub.sign_out_with_cookie(&an.token, Some(&"f".repeat(64)))
            .await,
        403,
    )
    .await;
    assert!(detail.contains("does not match"), "{detail}");
    assert_eq!(hub.me_with_cookie(&an.token).await.status(), 200);

    // Sign-in with a form; a bearer POST needs no CSRF header.
    let r = hub
        .http
        .post(format!("{}/v1/auth/sign-in", hub.base))
        .form(&[("username", "binh"), ("password", BINH_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let binh = Session::from_response(r).await;
    assert_eq!(binh.body["role"], "administrator");
    let r = hub
        .http
        .post(format!("{}/v1/auth/sign-out", hub.base))
        .bearer_auth(&binh.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(hub.me_with_bearer(&binh.token).await.status(), 401);

    // Sign-out with cookie and CSRF ends the session and clears the cookie.
    let r = hub.sign_out_with_cookie(&an.token, Some(&an.csrf)).await;
    assert_eq!(r.status(), 204);
    let cleared = r.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cleared.starts_with("thads_session=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    assert_eq!(hub.me_with_cookie(&an.token).await.status(), 401);
    assert_eq!(hub.me_with_bearer(&an.token).await.status(), 401);

    // Unknown user and wrong password answer alike.
    let unknown = problem(hub.sign_in("nobody", "whatever-password").await, 401).await;
    let wrong = problem(hub.sign_in("an.nguyen", "wrong-password!").await, 401).await;
    assert_eq!(unknown, wrong);
    assert_eq!(wrong, "Wrong username or password.");
    let r = hub
        .http
        .post(format!("{}/v1/auth/sign-in", hub.base))
        .header("content-type", "text/plain")
        .body("an.nguyen")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);

    // Five wrong passwords in a row lock the account, even against the right password.
    for attempt in 1..=5 {
        let detail = problem(hub.sign_in("chi", "not-chi-password").await, 401).await;
        if attempt < 5 {
            assert_eq!(detail, "Wrong username or password.", "attempt {attempt}");
        } else {
            assert!(detail.contains("locked until"), "{detail}");
        }
    }
    let detail = problem(hub.sign_in("chi", CHI_PASSWORD).await, 401).await;
    assert!(
        detail.contains("Too many failed sign-in attempts") && detail.contains("locked until"),
        "{detail}"
    );
    let listed = hub.cli_ok(&["list", "--office", "HCM-KV01"], None);
    assert!(listed.contains("locked until"), "{listed}");
    // An administrator's enable clears the lock.
    hub.cli_ok(&["enable", "chi"], None);
    hub.session("chi", CHI_PASSWORD).await;

    // Disabling closes open sessions and refuses sign-in; enabling restores it.
    let an = hub.session("an.nguyen", AN_PASSWORD).await;
    hub.cli_ok(&["disable", "an.nguyen"], None);
    assert_eq!(hub.me_with_bearer(&an.token).await.status(), 401);
    let detail = problem(hub.sign_in("an.nguyen", AN_PASSWORD).await, 403).await;
    assert!(detail.contains("disabled"), "{detail}");
    assert_eq!(
        problem(hub.sign_in("an.nguyen", "wrong-password!").await, 401).await,
        "Wrong username or password."
    );
    hub.cli_ok(&["enable", "an.nguyen"], None);
    let an = hub.session("an.nguyen", AN_PASSWORD).await;

    // A new password closes sessions; the old password stops working.
    let new_file = password_file(files.path(), "an2", "An's brand new passphrase");
    let short_file = password_file(files.path(), "short", "short");
    let out = hub.cli(
        &["passwd", "an.nguyen", "--password-file", &short_file],
        None,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("password:"));
    hub.cli_ok(&["passwd", "an.nguyen", "--password-file", &new_file], None);
    assert_eq!(hub.me_with_bearer(&an.token).await.status(), 401);
    assert_eq!(hub.sign_in("an.nguyen", AN_PASSWORD).await.status(), 401);
    hub.session("an.nguyen", "An's brand new passphrase").await;
}

async fn sessions_expire(kind: Kind) {
    let hub = StaffHub::start(
        kind,
        &[
            ("session_idle", "2s"),
            ("session_absolute", "5s"),
            ("cookie_secure", "true"),
        ],
    )
    .await;
    hub.cli_ok(
        &[
            "add",
            "dung",
            "--role",
            "head",
            "--office",
            "HNI",
            "--name",
            "Lê Dũng",
        ],
        Some("dung-secret-password"),
    );

    // Idle: unused for longer than 2 s, the session is over.
    let idle = hub.session("dung", "dung-secret-password").await;
    assert!(idle.set_cookie.ends_with("; Secure"), "{}", idle.set_cookie);
    assert!(idle.set_cookie.contains("Max-Age=5"), "{}", idle.set_cookie);
    assert_eq!(hub.me_with_cookie(&idle.token).await.status(), 200);
    tokio::time::sleep(Duration::from_millis(2_600)).await;
    let detail = problem(hub.me_with_cookie(&idle.token).await, 401).await;
    assert!(detail.contains("expired"), "{detail}");

    // Absolute: used every half second (well inside the 2 s idle limit even on a loaded
    // machine), it still ends 5 s after sign-in.
    let start = Instant::now();
    let busy = hub.session("dung", "dung-secret-password").await;
    for half in 1..=9 {
        tokio::time::sleep_until((start + Duration::from_millis(500 * half)).into()).await;
        assert_eq!(
            hub.me_with_bearer(&busy.token).await.status(),
            200,
            "at {} ms",
            500 * half
        );
    }
    tokio::time::sleep_until((start + Duration::from_millis(6_000)).into()).await;
    assert_eq!(hub.me_with_bearer(&busy.token).await.status(), 401);
}

#[tokio::test]
async fn accounts_sign_in_and_lockout_embedded() {
    accounts_sign_in_and_lockout(Kind::Embedded).await;
}

#[tokio::test]
async fn accounts_sign_in_and_lockout_postgres() {
    accounts_sign_in_and_lockout(Kind::Production).await;
}

#[tokio::test]
async fn sessions_expire_embedded() {
    sessions_expire(Kind::Embedded).await;
}

#[tokio::test]
async fn sessions_expire_postgres() {
    sessions_expire(Kind::Production).await;
}
