//! Starts real hub processes for end-to-end tests: each with its own port, data folder,
//! database and (for JetStream) subject prefix, stopped with SIGKILL on `Drop`. Tests can kill
//! and restart one to prove nothing accepted is lost. Each hub signs in a test administrator
//! ([`TEST_ADMIN`]) at start; the read helpers send its token unless told otherwise.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::services::{TestDb, TestStreams};

/// Which runtime a hub uses.
#[derive(Debug, Clone)]
pub enum Runtime {
    /// SQLite in the data folder and the embedded queue.
    Embedded,
    /// PostgreSQL and NATS JetStream.
    Production {
        /// Database URL.
        database_url: String,
        /// NATS URL.
        nats_url: String,
        /// Subject and stream prefix unique to the test.
        prefix: String,
    },
}

/// A PostgreSQL database and a JetStream namespace of one test's own, for hubs in the
/// production runtime. Both are removed on `Drop`; keep it declared after the hubs that use it,
/// so they stop first.
#[derive(Debug)]
pub struct ProductionServices {
    /// The database.
    pub db: TestDb,
    /// The JetStream namespace.
    pub streams: TestStreams,
}

impl ProductionServices {
    /// Creates both; `tag` starts the prefix, so a stream's name tells which test made it.
    /// Panics with the reason when PostgreSQL or NATS is unreachable.
    pub async fn create(tag: &str) -> Self {
        let streams = TestStreams::create(tag).await;
        let db = TestDb::create().await;
        Self { db, streams }
    }

    /// The runtime for a hub on these services.
    pub fn runtime(&self) -> Runtime {
        Runtime::Production {
            database_url: self.db.url.clone(),
            nats_url: self.streams.url.clone(),
            prefix: self.streams.prefix.clone(),
        }
    }
}

/// Settings for a test hub.
#[derive(Debug, Clone)]
pub struct HubOptions {
    /// The runtime.
    pub runtime: Runtime,
    /// VNeID endpoint.
    pub vneid: Option<String>,
    /// Deliveries before the dead-letter queue.
    pub max_deliveries: u32,
    /// Smallest retry delay.
    pub retry_min: Duration,
    /// VNeID call timeout.
    pub vneid_timeout: Duration,
    /// Largest body.
    pub body_limit: usize,
    /// Extra environment (configuration such as `THADS_MAIL__SMTP_URL`).
    pub env: Vec<(String, String)>,
    /// The port to listen on, when the test must know it before start (a redirect URL
    /// registered with a partner); a free one otherwise.
    pub port: Option<u16>,
}

impl HubOptions {
    /// Fast retries for tests.
    pub fn new(runtime: Runtime, vneid: Option<String>) -> Self {
        Self {
            runtime,
            vneid,
            max_deliveries: 5,
            retry_min: Duration::from_millis(50),
            vneid_timeout: Duration::from_secs(2),
            body_limit: 256 * 1024,
            env: Vec::new(),
            port: None,
        }
    }
}

/// A running hub process.
#[derive(Debug)]
pub struct Hub {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// HTTP client.
    pub http: reqwest::Client,
    binary: PathBuf,
    options: HubOptions,
    data_dir: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
    admin_token: String,
}

/// The administrator every test hub signs in once at start; [`Hub::get`], [`Hub::get_json`],
/// [`Hub::get_text`] and [`Hub::wait_for`] send its token (national department: every office).
pub const TEST_ADMIN: &str = "e2e.quan.tri";

/// A port free on the loopback address now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(18080)
}

impl Hub {
    /// Starts a hub from `binary` and waits until it serves.
    pub async fn start(binary: &Path, options: HubOptions) -> Self {
        let data_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let port = options.port.unwrap_or_else(free_port);
        let mut hub = Self {
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap_or_default(),
            binary: binary.to_path_buf(),
            options,
            data_dir,
            port,
            child: None,
            admin_token: String::new(),
        };
        hub.spawn().await;
        hub.admin_token = hub.staff(TEST_ADMIN, "administrator", "CUC").await;
        hub
    }

    /// The bearer token of the test administrator ([`TEST_ADMIN`], office `CUC`).
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    async fn spawn(&mut self) {
        let o = &self.options;
        let mut cmd = Command::new(&self.binary);
        cmd.arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env(
                "RUST_LOG",
                std::env::var("THADS_TEST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .env("THADS_LISTEN", format!("127.0.0.1:{}", self.port))
            .env("THADS_DATA_DIR", self.data_dir.path())
            .env("THADS_BUS__MAX_DELIVERIES", o.max_deliveries.to_string())
            .env(
                "THADS_BUS__RETRY_MIN",
                format!("{}ms", o.retry_min.as_millis()),
            )
            .env("THADS_BUS__RETRY_MAX", "1s")
            .env("THADS_BUS__ACK_WAIT", "5s")
            .env("THADS_HTTP__BODY_LIMIT", o.body_limit.to_string())
            // Load from one address is the tests' own; the limit has its own test.
            .env("THADS_HTTP__PARTNER_RATE_PER_SECOND", "0")
            .env(
                "THADS_VNEID__TIMEOUT",
                format!("{}ms", o.vneid_timeout.as_millis()),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in &o.env {
            cmd.env(k, v);
        }
        if let Some(v) = &o.vneid {
            cmd.env("THADS_VNEID__ENDPOINT", v);
            cmd.env("THADS_VNEID__TOKEN", "test-token");
        }
        if let Runtime::Production {
            database_url,
            nats_url,
            prefix,
        } = &o.runtime
        {
            cmd.env("DATABASE_URL", database_url)
                .env("NATS_URL", nats_url)
                .env("THADS_NATS__PREFIX", prefix);
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.binary.display()));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(c) = self.child.as_mut() {
                if let Ok(Some(status)) = c.try_wait() {
                    panic!("hub exited during start-up: {status}");
                }
            }
            if let Ok(r) = self.http.get(format!("{}/readyz", self.base)).send().await {
                if r.status().is_success() {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "hub did not become ready in 60 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The URL of this hub's database (the SQLite file in its data folder, or PostgreSQL), for
    /// tests that look at or tamper with what it stored.
    pub fn database_url(&self) -> String {
        if let Some((_, v)) = self.options.env.iter().find(|(k, _)| k == "DATABASE_URL") {
            return v.clone();
        }
        match &self.options.runtime {
            Runtime::Production { database_url, .. } => database_url.clone(),
            Runtime::Embedded => format!(
                "sqlite://{}",
                self.data_dir.path().join("thads-hub.db").display()
            ),
        }
    }

    /// Runs the hub's command line (`thads-hub <args>`) against this hub's database, with
    /// extra environment; returns its output.
    pub fn cli(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        let mut cmd = Command::new(&self.binary);
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "warn")
            .env("THADS_DATA_DIR", self.data_dir.path());
        if let Runtime::Production { database_url, .. } = &self.options.runtime {
            cmd.env("DATABASE_URL", database_url);
        }
        // A database the options point the hub at is the command line's too.
        for (k, v) in &self.options.env {
            if k == "DATABASE_URL" {
                cmd.env(k, v);
            }
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.binary.display()))
    }

    /// Creates a staff account with the command line and signs it in; returns the bearer
    /// token of its session. The test administrator may already exist (two hubs on one
    /// database): it is then only signed in.
    pub async fn staff(&self, username: &str, role: &str, office: &str) -> String {
        let password = "mat-khau-thu-nghiem-2026";
        let out = self.cli(
            &[
                "staff", "add", username, "--role", role, "--office", office, "--name", username,
            ],
            &[("THADS_STAFF_PASSWORD", password)],
        );
        assert!(
            out.status.success() || username == TEST_ADMIN,
            "staff add {username}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r = self
            .http
            .post(format!("{}/v1/auth/sign-in", self.base))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap_or_else(|e| panic!("sign-in: {e}"));
        assert!(
            r.status().is_success(),
            "sign-in of {username}: {}",
            r.status()
        );
        let body: Value = r.json().await.unwrap_or_default();
        body["token"].as_str().unwrap_or_default().to_string()
    }

    /// POSTs JSON with a bearer token; returns the status and the JSON body.
    pub async fn post_as(&self, token: &str, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// GETs JSON with a bearer token; returns the status and the JSON body.
    pub async fn get_as(&self, token: &str, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// The process id of the running hub (for its memory, or a signal), if it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Kills the process with SIGKILL (no shutdown at all).
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts the process again with the same data, database and port.
    pub async fn restart(&mut self) {
        self.kill();
        self.spawn().await;
    }

    /// Sends SIGTERM and waits for a clean exit; returns whether it exited with success.
    pub fn terminate(&mut self) -> bool {
        let Some(mut c) = self.child.take() else {
            return false;
        };
        let pid = libc_pid(c.id());
        // SAFETY-free: `kill` through the libc crate is the only way to send SIGTERM.
        let sent = send_sigterm(pid);
        if !sent {
            let _ = c.kill();
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = c.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = c.kill();
        false
    }

    /// Posts a judgment document.
    pub async fn post_judgment(&self, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.http
            .post(format!("{}/v1/court/judgments", self.base))
            .header("content-type", "application/xml")
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST judgment: {e}"))
    }

    /// GETs `path` as the test administrator and returns the raw response.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.get_with(Some(&self.admin_token), path).await
    }

    /// GETs `path` without any credential and returns the raw response.
    pub async fn get_anonymous(&self, path: &str) -> reqwest::Response {
        self.get_with(None, path).await
    }

    /// GETs `path` with this bearer token (none: anonymous) and returns the raw response.
    pub async fn get_with(&self, token: Option<&str>, path: &str) -> reqwest::Response {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// GETs `path` and returns its body as text.
    pub async fn get_text(&self, path: &str) -> String {
        self.get(path)
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// GETs a JSON document as the test administrator; `None` on 404.
    pub async fn get_json(&self, path: &str) -> Option<Value> {
        self.get_json_with(Some(&self.admin_token), path).await
    }

    /// GETs a JSON document with this bearer token (none: anonymous); `None` on 404.
    pub async fn get_json_with(&self, token: Option<&str>, path: &str) -> Option<Value> {
        let r = self.get_with(token, path).await;
        if r.status() == reqwest::StatusCode::NOT_FOUND {
            return None;
        }
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        Some(
            r.json()
                .await
                .unwrap_or_else(|e| panic!("GET {path}: not JSON: {e}")),
        )
    }

    /// Polls `path` as the test administrator until `check` holds, or panics after `timeout`
    /// with the last document.
    pub async fn wait_for(
        &self,
        path: &str,
        timeout: Duration,
        check: impl Fn(&Value) -> bool,
    ) -> Value {
        self.wait_for_as(&self.admin_token, path, timeout, check)
            .await
    }

    /// Polls `path` with this bearer token until `check` holds, or panics after `timeout`.
    pub async fn wait_for_as(
        &self,
        token: &str,
        path: &str,
        timeout: Duration,
        check: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + timeout;
        let mut last = None;
        while Instant::now() < deadline {
            if let Some(v) = self.get_json_with(Some(token), path).await {
                if check(&v) {
                    return v;
                }
                last = Some(v);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("timed out waiting on {path}; last: {last:#?}");
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.kill();
    }
}

fn libc_pid(id: u32) -> i32 {
    i32::try_from(id).unwrap_or(0)
}

fn send_sigterm(pid: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}
