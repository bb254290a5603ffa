//! A State Treasury (Kho bạc Nhà nước) simulator: a real HTTP server that takes the hub's
//! transfers (`POST /transfers`, bearer token and `Idempotency-Key` checked), answers each with
//! its own reference (the acknowledgement), never books a repeated transfer twice, and produces
//! its statement of received transfers for reconciliation. It can be told to fail the next
//! calls (500), to book a transfer and lose the answer, and to answer a repeated key with 409
//! and the reference; a test may alter the statement it gives to provoke a mismatch.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use thads_treasury::Transfer;

/// One transfer the Treasury booked.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Booked {
    /// The transfer as received.
    pub transfer: Transfer,
    /// The Treasury's reference.
    pub treasury_reference: String,
}

#[derive(Debug, Default)]
struct Inner {
    attempts: u64,
    fail_next: u32,
    lose_next: u32,
    conflict_on_repeat: bool,
    booked: BTreeMap<String, Booked>,
}

/// Shared state of a running simulator.
#[derive(Debug, Clone)]
pub struct TreasuryState {
    token: String,
    inner: Arc<Mutex<Inner>>,
}

impl TreasuryState {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Answers the next `n` transfers with 500.
    pub fn fail_next(&self, n: u32) {
        self.lock().fail_next = n;
    }

    /// Books the next `n` transfers but answers 500, as if the answer were lost on the way.
    pub fn lose_next_answer(&self, n: u32) {
        self.lock().lose_next = n;
    }

    /// Answers a transfer whose `Idempotency-Key` it already booked with 409 and the
    /// reference it gave it (instead of 201 again), as some treasuries do.
    pub fn conflict_on_repeat(&self, on: bool) {
        self.lock().conflict_on_repeat = on;
    }

    /// Transfer requests received, whatever the answer.
    pub fn attempts(&self) -> u64 {
        self.lock().attempts
    }

    /// The transfers booked, by id (each once).
    pub fn booked(&self) -> BTreeMap<String, Booked> {
        self.lock().booked.clone()
    }

    /// The statement of received transfers: `{"statement_id", "transfers": [{reference,
    /// amount_vnd}]}`, as the hub's `POST /v1/treasury/statements` takes it.
    pub fn statement(&self, statement_id: &str) -> serde_json::Value {
        let transfers: Vec<_> = self
            .lock()
            .booked
            .values()
            .map(|b| json!({"reference": b.transfer.transfer_id, "amount_vnd": b.transfer.amount_vnd.amount()}))
            .collect();
        json!({"statement_id": statement_id, "transfers": transfers})
    }
}

/// A running simulator.
#[derive(Debug)]
pub struct TreasurySim {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its state, to steer and inspect it.
    pub state: TreasuryState,
    task: tokio::task::JoinHandle<()>,
}

impl TreasurySim {
    /// Starts a simulator expecting `token` on a free loopback port.
    pub async fn start(token: &str) -> std::io::Result<Self> {
        let state = TreasuryState {
            token: token.to_string(),
            inner: Arc::new(Mutex::new(Inner::default())),
        };
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let addr = listener.local_addr()?;
        let app = router(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, state, task })
    }

    /// The URL to configure as `treasury.endpoint`.
    pub fn endpoint(&self) -> String {
        format!("http://{}/transfers", self.addr)
    }
}

impl Drop for TreasurySim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The simulator's routes: the transfer API and a control view.
pub fn router(state: TreasuryState) -> Router {
    Router::new()
        .route("/transfers", post(take_transfer))
        .route("/control/booked", get(control_booked))
        .with_state(state)
}

async fn take_transfer(
    State(state): State<TreasuryState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut inner = state.lock();
    inner.attempts += 1;
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if bearer != Some(state.token.as_str()) {
        return (StatusCode::UNAUTHORIZED, "bad token").into_response();
    }
    if inner.fail_next > 0 {
        inner.fail_next -= 1;
        return (StatusCode::INTERNAL_SERVER_ERROR, "try later").into_response();
    }
    let Ok(transfer) = serde_json::from_slice::<Transfer>(&body) else {
        return (StatusCode::BAD_REQUEST, "not a transfer").into_response();
    };
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    if key != Some(transfer.transfer_id.as_str()) {
        return (
            StatusCode::BAD_REQUEST,
            "Idempotency-Key must be the transfer id",
        )
            .into_response();
    }
    if inner.conflict_on_repeat {
        if let Some(b) = inner.booked.get(&transfer.transfer_id) {
            return (
                StatusCode::CONFLICT,
                Json(json!({"transfer_id": b.transfer.transfer_id, "treasury_reference": b.treasury_reference, "status": "already_received"})),
            )
                .into_response();
        }
    }
    let n = inner.booked.len() + 1;
    let booked = inner
        .booked
        .entry(transfer.transfer_id.clone())
        .or_insert_with(|| Booked {
            treasury_reference: format!("KB-{n:06}"),
            transfer,
        })
        .clone();
    if inner.lose_next > 0 {
        inner.lose_next -= 1;
        return (StatusCode::INTERNAL_SERVER_ERROR, "booked, answer lost").into_response();
    }
    (
        StatusCode::CREATED,
        Json(json!({"transfer_id": booked.transfer.transfer_id, "treasury_reference": booked.treasury_reference, "status": "received"})),
    )
        .into_response()
}

async fn control_booked(State(state): State<TreasuryState>) -> Json<BTreeMap<String, Booked>> {
    Json(state.booked())
}
