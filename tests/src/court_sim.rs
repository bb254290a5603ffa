//! A court's evidence endpoint, simulated: a real HTTP server that takes the evidences and
//! decision reports the hub pushes (`POST /thads/evidences`), verifies the hub's ed25519
//! signature on each with the public keys the hub publishes at `GET /v1/keys` (fetched when an
//! unknown key id shows up, as a court would), keeps one copy per `Idempotency-Key`, and
//! records what it received and how often.
//!
//! Fault modes: fail the next N requests with 503, fail every request, store a delivery but
//! answer only after a delay (past the hub's time limit), and be down ([`CourtSim::down`]
//! closes the socket; [`CourtSim::up`] listens again on the same port).

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

/// The path the hub is configured to POST to.
pub const PATH: &str = "/thads/evidences";

/// How the simulator answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum Mode {
    /// Take every delivery.
    Ok,
    /// Answer 503 to every request.
    FailAlways,
    /// Answer 503 to the next `n` requests, then take them.
    FailNext {
        /// Failures left.
        n: u32,
    },
    /// Store each delivery at once but answer only after a delay (past the hub's time limit,
    /// the hub sends it again: a court that must de-duplicate).
    Slow {
        /// Delay in milliseconds.
        delay_ms: u64,
    },
}

/// One evidence or report the court holds (one per id, however often it came).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Received {
    /// The evidence or report id (`Idempotency-Key`).
    pub id: String,
    /// `accepted`, `rejected`, `case_opened`, `decision_issued`.
    pub kind: String,
    /// The exact body of the first copy.
    pub body: String,
    /// The bearer token presented, if any.
    pub token: Option<String>,
    /// Valid copies received (1 unless the hub sent it again, e.g. after a timeout).
    pub copies: u32,
}

#[derive(Debug)]
struct Inner {
    mode: Mode,
    attempts: u64,
    received: BTreeMap<String, Received>,
    bad_signatures: u64,
    keys: HashMap<String, VerifyingKey>,
    keys_url: Option<String>,
}

/// Shared state of a running simulator (it survives [`CourtSim::down`] and [`CourtSim::up`]).
#[derive(Debug, Clone)]
pub struct SimState {
    inner: Arc<Mutex<Inner>>,
    http: reqwest::Client,
}

impl SimState {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Changes how the simulator answers.
    pub fn set_mode(&self, mode: Mode) {
        self.lock().mode = mode;
    }

    /// Where the hub publishes its public keys (`<hub>/v1/keys`).
    pub fn trust_keys_at(&self, url: &str) {
        self.lock().keys_url = Some(url.to_string());
    }

    /// Requests received, whatever the answer.
    pub fn attempts(&self) -> u64 {
        self.lock().attempts
    }

    /// Deliveries refused because the hub's signature did not verify.
    pub fn bad_signatures(&self) -> u64 {
        self.lock().bad_signatures
    }

    /// What the court holds, by id.
    pub fn received(&self) -> BTreeMap<String, Received> {
        self.lock().received.clone()
    }

    /// Waits until what the court holds satisfies `check`, or panics after `timeout` saying
    /// what it holds; returns it.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        check: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let held: Vec<Received> = self.received().into_values().collect();
            if check(&held) {
                return held;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "timed out; the court holds {held:#?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The hub's key `key_id`, fetched from the hub when not known yet.
    async fn key(&self, key_id: &str) -> Result<VerifyingKey, String> {
        let url = {
            let inner = self.lock();
            if let Some(k) = inner.keys.get(key_id) {
                return Ok(*k);
            }
            inner
                .keys_url
                .clone()
                .ok_or("the hub's key URL is not set")?
        };
        let doc: Value = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?
            .json()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        let mut inner = self.lock();
        for k in doc["keys"].as_array().into_iter().flatten() {
            let raw = STANDARD
                .decode(k["public_key"].as_str().unwrap_or_default())
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .and_then(|b| VerifyingKey::from_bytes(&b).ok());
            if let (Some(id), Some(key)) = (k["key_id"].as_str(), raw) {
                inner.keys.insert(id.to_string(), key);
            }
        }
        inner
            .keys
            .get(key_id)
            .copied()
            .ok_or_else(|| format!("the hub publishes no key {key_id}"))
    }
}

/// Checks the hub's seal on `doc`: ed25519 over the canonical JSON of the rest.
async fn verify(state: &SimState, doc: &Value) -> Result<(), (StatusCode, String)> {
    let refuse = |why: String| (StatusCode::UNAUTHORIZED, why);
    let sig = doc
        .get("signature")
        .ok_or_else(|| refuse("no signature".into()))?;
    if sig["alg"] != "ed25519" {
        return Err(refuse("not an ed25519 signature".into()));
    }
    let key_id = sig["key_id"]
        .as_str()
        .ok_or_else(|| refuse("no key id".into()))?;
    let key = state
        .key(key_id)
        .await
        .map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, e))?;
    let value: [u8; 64] = STANDARD
        .decode(sig["value"].as_str().unwrap_or_default())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| refuse("the signature is not 64 bytes of base64".into()))?;
    let mut rest = doc.clone();
    if let Some(map) = rest.as_object_mut() {
        map.remove("signature");
    }
    let bytes = thads_core::partners::canonical::canonical_bytes(&rest)
        .map_err(|e| refuse(format!("not canonical JSON: {e}")))?;
    key.verify_strict(&bytes, &Signature::from_bytes(&value))
        .map_err(|e| refuse(format!("the hub's signature does not verify: {e}")))
}

/// A running simulator.
#[derive(Debug)]
pub struct CourtSim {
    /// Where it listens (kept across down and up).
    pub addr: SocketAddr,
    /// Its state, to steer and inspect it.
    pub state: SimState,
    server: Option<(tokio::task::JoinHandle<()>, CancellationToken)>,
}

impl CourtSim {
    /// Starts a simulator on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a simulator on `addr`.
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        let state = SimState {
            inner: Arc::new(Mutex::new(Inner {
                mode: Mode::Ok,
                attempts: 0,
                received: BTreeMap::new(),
                bad_signatures: 0,
                keys: HashMap::new(),
                keys_url: None,
            })),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default(),
        };
        let mut sim = Self {
            addr,
            state,
            server: None,
        };
        sim.up().await?;
        Ok(sim)
    }

    /// The URL to configure as the court's endpoint.
    pub fn endpoint(&self) -> String {
        format!("http://{}{PATH}", self.addr)
    }

    /// Listens again (on the same port once it has one).
    pub async fn up(&mut self) -> std::io::Result<()> {
        if self.server.is_some() {
            return Ok(());
        }
        let listener = tokio::net::TcpListener::bind(self.addr).await?;
        self.addr = listener.local_addr()?;
        let stop = CancellationToken::new();
        let app = router(self.state.clone());
        let signal = stop.clone();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move { signal.cancelled().await })
                .await;
        });
        self.server = Some((task, stop));
        Ok(())
    }

    /// Goes down: stops listening and closes every connection, so the hub gets no answer.
    pub async fn down(&mut self) {
        if let Some((task, stop)) = self.server.take() {
            stop.cancel();
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for CourtSim {
    fn drop(&mut self) {
        if let Some((task, stop)) = self.server.take() {
            stop.cancel();
            task.abort();
        }
    }
}

/// The simulator's routes: the court's endpoint and a control API.
pub fn router(state: SimState) -> Router {
    Router::new()
        .route(PATH, post(take))
        .route("/control/mode", post(set_mode))
        .route("/control/received", get(summary))
        .with_state(state)
}

async fn take(State(state): State<SimState>, headers: HeaderMap, body: Bytes) -> Response {
    let mode = {
        let mut inner = state.lock();
        inner.attempts += 1;
        let mode = inner.mode;
        if let Mode::FailNext { n } = mode {
            inner.mode = if n <= 1 {
                Mode::Ok
            } else {
                Mode::FailNext { n: n - 1 }
            };
        }
        mode
    };
    match mode {
        Mode::FailAlways | Mode::FailNext { .. } => {
            return (StatusCode::SERVICE_UNAVAILABLE, "simulated outage").into_response()
        }
        Mode::Slow { .. } | Mode::Ok => {}
    }
    let Ok(doc) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "not JSON").into_response();
    };
    let id = doc["evidence_id"]
        .as_str()
        .or_else(|| doc["report_id"].as_str())
        .unwrap_or_default()
        .to_string();
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    if id.is_empty() || key != Some(id.as_str()) {
        return (
            StatusCode::BAD_REQUEST,
            "Idempotency-Key must be the evidence or report id",
        )
            .into_response();
    }
    if let Err((status, why)) = verify(&state, &doc).await {
        if status == StatusCode::UNAUTHORIZED {
            state.lock().bad_signatures += 1;
        }
        return (
            status,
            Json(json!({"code": "signature_invalid", "detail": why})),
        )
            .into_response();
    }
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let copies = {
        let mut inner = state.lock();
        let entry = inner
            .received
            .entry(id.clone())
            .or_insert_with(|| Received {
                id,
                kind: doc["kind"].as_str().unwrap_or_default().to_string(),
                body: String::from_utf8_lossy(&body).into_owned(),
                token,
                copies: 0,
            });
        entry.copies += 1;
        entry.copies
    };
    if let Mode::Slow { delay_ms } = mode {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    }
    let status = if copies == 1 { "received" } else { "duplicate" };
    (StatusCode::OK, Json(json!({ "status": status }))).into_response()
}

async fn set_mode(State(state): State<SimState>, Json(mode): Json<Mode>) -> Json<Mode> {
    state.set_mode(mode);
    Json(mode)
}

async fn summary(State(state): State<SimState>) -> Json<Value> {
    Json(json!({
        "attempts": state.attempts(),
        "bad_signatures": state.bad_signatures(),
        "received": state.received(),
    }))
}
