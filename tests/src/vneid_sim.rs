//! A VNeID notification API simulator: a real HTTP server that records every notice it is
//! sent and can be told to fail (5xx), to be slow, or to drop requests (never answer), so the
//! hub's retries, dead letters and crash recovery are tested against a real socket.
//!
//! Partners de-duplicate on the notification id, so a resend of a delivered notice is answered
//! 200 again and not counted twice; `attempts` counts every request.
//!
//! A citizen without a VNeID account is answered 404 with `{"code": "no_account"}`: for every
//! citizen in mode `NoAccount`, or for the CCCDs given to [`SimState::no_account_for`].
//!
//! In TLS mode ([`VneidSim::start_tls`]) it serves HTTPS with a certificate of a [`TestCa`]
//! made at test time and requires a client certificate signed by that CA (mutual TLS, as the
//! real partner does); it records the subject CN of the client certificate of each request
//! ([`SimState::client_cns`], [`Received::client_cn`]) and counts refused handshakes.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::connect_info::ConnectInfo;
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

mod tls;

pub use tls::{Peer, TestCa, TlsIncoming};

/// How the simulator answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum Mode {
    /// Accept every notice.
    Ok,
    /// Answer 503 to every request.
    FailAlways,
    /// Answer 503 to the next `n` requests, then accept.
    FailNext {
        /// Failures left.
        n: u32,
    },
    /// Accept after a delay.
    Slow {
        /// Delay in milliseconds.
        delay_ms: u64,
    },
    /// Never answer (the caller times out).
    Drop,
    /// Answer 404 `{"code": "no_account"}` to everyone: no citizen has a VNeID account.
    NoAccount,
}

/// A notice the simulator accepted.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Received {
    /// The hub's notice id.
    pub notification_id: String,
    /// The citizen's CCCD.
    pub citizen_id: String,
    /// Title.
    pub title: String,
    /// Body.
    pub content: String,
    /// The case reference.
    pub reference: String,
    /// The bearer token presented, if any.
    pub token: Option<String>,
    /// The subject CN of the client certificate the request came with (TLS mode).
    #[serde(default)]
    pub client_cn: Option<String>,
}

#[derive(Debug)]
struct Inner {
    mode: Mode,
    attempts: u64,
    accepted: BTreeMap<String, Received>,
    no_account: BTreeSet<String>,
    client_cns: Vec<Option<String>>,
    refused_handshakes: u64,
}

/// Shared state of a running simulator.
#[derive(Debug, Clone)]
pub struct SimState(Arc<Mutex<Inner>>);

impl SimState {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Changes how the simulator answers.
    pub fn set_mode(&self, mode: Mode) {
        self.lock().mode = mode;
    }

    /// Requests received, whatever the answer.
    pub fn attempts(&self) -> u64 {
        self.lock().attempts
    }

    /// Distinct notices accepted.
    pub fn accepted(&self) -> Vec<Received> {
        self.lock().accepted.values().cloned().collect()
    }

    /// The citizen with this CCCD has no VNeID account (whatever the mode).
    pub fn no_account_for(&self, cccd: &str) {
        self.lock().no_account.insert(cccd.to_string());
    }

    /// The client certificate's subject CN of each request received, in order (`None` over
    /// plain HTTP).
    pub fn client_cns(&self) -> Vec<Option<String>> {
        self.lock().client_cns.clone()
    }

    /// TLS handshakes that failed (no client certificate, one from another CA, not TLS).
    pub fn refused_handshakes(&self) -> u64 {
        self.lock().refused_handshakes
    }

    fn refused_handshake(&self) {
        self.lock().refused_handshakes += 1;
    }
}

/// A running simulator.
#[derive(Debug)]
pub struct VneidSim {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its state, to steer and inspect it.
    pub state: SimState,
    task: tokio::task::JoinHandle<()>,
    tls: bool,
}

impl VneidSim {
    /// Starts a simulator on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a simulator on `addr`.
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        let state = new_state();
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let app = router(state.clone()).into_make_service_with_connect_info::<Peer>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            addr,
            state,
            task,
            tls: false,
        })
    }

    /// Starts a simulator serving HTTPS on a free loopback port, with a server certificate of
    /// `ca` (for `127.0.0.1` and `localhost`), requiring a client certificate signed by `ca`.
    pub async fn start_tls(ca: &TestCa) -> std::io::Result<Self> {
        Self::start_tls_on(SocketAddr::from(([127, 0, 0, 1], 0)), ca).await
    }

    /// Starts a simulator serving HTTPS on `addr`, as [`VneidSim::start_tls`].
    pub async fn start_tls_on(addr: SocketAddr, ca: &TestCa) -> std::io::Result<Self> {
        let config = ca.server_config().map_err(std::io::Error::other)?;
        let state = new_state();
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let incoming = TlsIncoming::new(
            listener,
            tokio_rustls::TlsAcceptor::from(Arc::new(config)),
            state.clone(),
        );
        let app = router(state.clone()).into_make_service_with_connect_info::<Peer>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(incoming, app).await;
        });
        Ok(Self {
            addr,
            state,
            task,
            tls: true,
        })
    }

    /// The base URL to configure as `vneid.endpoint` (`https://127.0.0.1:…` in TLS mode).
    pub fn endpoint(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }
}

fn new_state() -> SimState {
    SimState(Arc::new(Mutex::new(Inner {
        mode: Mode::Ok,
        attempts: 0,
        accepted: BTreeMap::new(),
        no_account: BTreeSet::new(),
        client_cns: Vec::new(),
        refused_handshakes: 0,
    })))
}

impl Drop for VneidSim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The simulator's routes: the partner API and a control API.
pub fn router(state: SimState) -> Router {
    Router::new()
        .route("/notifications", post(notify))
        .route("/control/mode", post(set_mode))
        .route("/control/received", get(received))
        .with_state(state)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NotificationRequest {
    notification_id: String,
    citizen_id: String,
    title: String,
    content: String,
    reference: String,
}

async fn notify(
    State(state): State<SimState>,
    headers: HeaderMap,
    extensions: Extensions,
    Json(req): Json<NotificationRequest>,
) -> Response {
    // Absent when the router is served without connect info.
    let client_cn = extensions
        .get::<ConnectInfo<Peer>>()
        .and_then(|c| c.0.client_cn.clone());
    let (mode, no_account) = {
        let mut inner = state.lock();
        inner.attempts += 1;
        inner.client_cns.push(client_cn.clone());
        let no_account = inner.no_account.contains(&req.citizen_id);
        let mode = inner.mode;
        if let Mode::FailNext { n } = mode {
            inner.mode = if n <= 1 {
                Mode::Ok
            } else {
                Mode::FailNext { n: n - 1 }
            };
        }
        (mode, no_account)
    };
    match mode {
        Mode::FailAlways | Mode::FailNext { .. } => {
            return (StatusCode::SERVICE_UNAVAILABLE, "simulated outage").into_response()
        }
        Mode::NoAccount => return no_account_answer(),
        Mode::Drop => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Mode::Slow { delay_ms } => tokio::time::sleep(Duration::from_millis(delay_ms)).await,
        Mode::Ok => {}
    }
    if no_account {
        return no_account_answer();
    }
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let id = req.notification_id.clone();
    state.lock().accepted.entry(id.clone()).or_insert(Received {
        notification_id: req.notification_id,
        citizen_id: req.citizen_id,
        title: req.title,
        content: req.content,
        reference: req.reference,
        token,
        client_cn,
    });
    (
        StatusCode::OK,
        Json(serde_json::json!({ "id": format!("vneid-{id}"), "status": "queued" })),
    )
        .into_response()
}

fn no_account_answer() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(serde_json::json!({
            "code": "no_account",
            "message": "citizen has no VNeID account",
        })),
    )
        .into_response()
}

async fn set_mode(State(state): State<SimState>, Json(mode): Json<Mode>) -> Json<Mode> {
    state.set_mode(mode);
    Json(mode)
}

#[derive(Debug, Serialize)]
struct Summary {
    attempts: u64,
    accepted: Vec<Received>,
}

async fn received(State(state): State<SimState>) -> Json<Summary> {
    Json(Summary {
        attempts: state.attempts(),
        accepted: state.accepted(),
    })
}
