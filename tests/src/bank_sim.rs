//! A bank simulator: a real HTTP server that keeps accounts and balances, takes account orders
//! (`POST /orders`: phong tỏa, khấu trừ, giải tỏa), honours them, answers each by POSTing an
//! acknowledgement carrying the order's hash to the hub (`/v1/bank/orders/acks`), and confirms
//! every deduction with a camt.054 credit notification on the THADS account
//! (`/v1/bank/notifications`) quoting the case's payment reference. It also reads orders batch
//! files and writes the acknowledgements batch.
//!
//! It can be told to fail (`fail_next`: answer 500), to reject the next order, to delay its
//! acknowledgements, and to send a forged acknowledgement (wrong hash). Orders are
//! de-duplicated on their id, as a bank honouring `Idempotency-Key` does: a resent order is
//! answered again but never executed twice.
//!
//! Rules: a freeze holds up to the available balance; a deduction moves up to the amount held
//! by the freeze it refers to (or, without one, up to the available balance) to the
//! destination account, and is rejected when that is nothing; a release lifts what its freeze
//! still holds; a payout (chi trả) moves its amount from the THADS deposit account to the
//! creditor's account, and is rejected when the deposit account lacks it.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use thads_bank::orders::batch::{self, BatchKind};
use thads_schemas::bank_order::{
    canonical_json_of_bytes, AccountOrder, AckStatus, OrderAck, OrderKind,
};
use thads_schemas::content_hash;
use thads_schemas::money::Vnd;
use thads_schemas::text::fold_ascii;

/// One account at the simulated bank.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Account {
    /// Booked balance in đồng (holds included).
    pub balance: i64,
    /// Amounts held, by the freeze order holding them.
    pub held: BTreeMap<String, i64>,
}

impl Account {
    /// Balance not held by any freeze.
    pub fn available(&self) -> i64 {
        self.balance - self.held.values().sum::<i64>()
    }
}

/// An order the simulator took, with what it did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Taken {
    /// The order as received.
    pub order: AccountOrder,
    /// Hash of the received bytes' canonical form.
    pub order_hash: String,
    /// The acknowledgement (canonical JSON) it sends or wrote.
    pub ack: OrderAck,
}

/// One acknowledgement POSTed to the hub.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AckSent {
    /// The order.
    pub order_id: String,
    /// The exact bytes sent.
    pub body: String,
    /// The hub's final status (0: never answered).
    pub status: u16,
    /// The hub's answer.
    pub answer: serde_json::Value,
}

/// One camt.054 notification POSTed to the hub.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NotificationSent {
    /// The bank's entry reference.
    pub entry_ref: String,
    /// Amount credited.
    pub amount_vnd: i64,
    /// The THADS account credited.
    pub account: String,
    /// The memo.
    pub memo: String,
    /// The hub's status (0: never answered).
    pub status: u16,
}

/// What the control API shows.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Snapshot {
    /// Order requests received, whatever the answer.
    pub attempts: u64,
    /// Accounts by number.
    pub accounts: BTreeMap<String, Account>,
    /// Orders taken, by id (each executed once).
    pub orders: BTreeMap<String, Taken>,
    /// Acknowledgements sent to the hub.
    pub acks: Vec<AckSent>,
    /// Notifications sent to the hub.
    pub notifications: Vec<NotificationSent>,
}

#[derive(Debug, Default)]
struct Inner {
    hub: Option<String>,
    expect_token: Option<String>,
    fail_next: u32,
    reject_next: Option<String>,
    ack_delay: Duration,
    seq: u64,
    snap: Snapshot,
}

/// Shared state of a running simulator, to steer and inspect it from a test.
#[derive(Debug, Clone)]
pub struct SimState {
    bank: String,
    bic: String,
    inner: Arc<Mutex<Inner>>,
    http: reqwest::Client,
}

impl SimState {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The bank's code (e.g. `VCB`).
    pub fn bank(&self) -> &str {
        &self.bank
    }

    /// Where acknowledgements and notifications go: the hub's base URL.
    pub fn set_hub(&self, base: &str) {
        self.lock().hub = Some(base.trim_end_matches('/').to_string());
    }

    /// Opens an account or sets its balance (holds are kept).
    pub fn set_balance(&self, account: &str, balance: i64) {
        self.lock()
            .snap
            .accounts
            .entry(account.to_string())
            .or_default()
            .balance = balance;
    }

    /// Takes orders only with `Authorization: Bearer <token>` (401 otherwise), as a bank that
    /// issued the hub its own token does.
    pub fn expect_token(&self, token: &str) {
        self.lock().expect_token = Some(token.to_string());
    }

    /// Answers the next `n` order requests with 500.
    pub fn fail_next(&self, n: u32) {
        self.lock().fail_next = n;
    }

    /// Rejects the next order with `reason`.
    pub fn reject_next(&self, reason: &str) {
        self.lock().reject_next = Some(reason.to_string());
    }

    /// Waits this long before sending each acknowledgement.
    pub fn delay_acks(&self, delay: Duration) {
        self.lock().ack_delay = delay;
    }

    /// Everything the simulator holds.
    pub fn snapshot(&self) -> Snapshot {
        self.lock().snap.clone()
    }

    /// One account.
    pub fn account(&self, account: &str) -> Account {
        self.lock()
            .snap
            .accounts
            .get(account)
            .cloned()
            .unwrap_or_default()
    }

    fn hub(&self) -> Option<String> {
        self.lock().hub.clone()
    }

    /// Executes an order once (a repeat returns the first result) and returns the
    /// acknowledgement and, for a deduction that moved money, the notification to send.
    fn take(&self, order: AccountOrder, order_hash: String) -> (OrderAck, Option<Credit>, bool) {
        let mut inner = self.lock();
        if let Some(t) = inner.snap.orders.get(&order.order_id) {
            return (t.ack.clone(), None, true);
        }
        inner.seq += 1;
        let seq = inner.seq;
        let bank_reference = format!("{}-{seq:06}", self.bank);
        let rejection = inner.reject_next.take();
        let outcome: Result<i64, String> = match rejection {
            Some(reason) => Err(reason),
            None => execute(&mut inner.snap.accounts, &order),
        };
        let executed_at = now_rfc3339();
        let (ack, credit) = match outcome {
            Ok(amount) => {
                let credit = (order.kind == OrderKind::Deduct && amount > 0).then(|| Credit {
                    entry_ref: format!("{}{seq:08}", self.bank),
                    account: order.destination_account.clone().unwrap_or_default(),
                    amount,
                    debtor: fold_ascii(order.holder_name.as_str()),
                    memo: fold_ascii(&format!(
                        "{} KHAU TRU TK THEO QD {}",
                        order.payment_reference.clone().unwrap_or_default(),
                        order.decision_number
                    )),
                });
                (
                    OrderAck {
                        order_id: order.order_id.clone(),
                        order_hash: order_hash.clone(),
                        status: AckStatus::Executed,
                        amount_vnd: Vnd::new(amount).ok(),
                        reason: None,
                        bank_reference: Some(bank_reference),
                        executed_at,
                    },
                    credit,
                )
            }
            Err(reason) => (
                OrderAck {
                    order_id: order.order_id.clone(),
                    order_hash: order_hash.clone(),
                    status: AckStatus::Rejected,
                    amount_vnd: None,
                    reason: Some(reason),
                    bank_reference: Some(bank_reference),
                    executed_at,
                },
                None,
            ),
        };
        inner.snap.orders.insert(
            order.order_id.clone(),
            Taken {
                order,
                order_hash,
                ack: ack.clone(),
            },
        );
        (ack, credit, false)
    }

    /// Posts `body` (an acknowledgement) to the hub, retrying a few times while it does not
    /// answer or answers 5xx; records and returns the final status and answer.
    pub async fn post_ack(&self, order_id: &str, body: Vec<u8>) -> (u16, serde_json::Value) {
        let Some(hub) = self.hub() else {
            return (0, serde_json::Value::Null);
        };
        let url = format!("{hub}/v1/bank/orders/acks");
        let mut last = (0, serde_json::Value::Null);
        for _ in 0..5 {
            match self
                .http
                .post(&url)
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await
            {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let answer = r.json().await.unwrap_or(serde_json::Value::Null);
                    last = (status, answer);
                    if status < 500 {
                        break;
                    }
                }
                Err(_) => last = (0, serde_json::Value::Null),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        self.lock().snap.acks.push(AckSent {
            order_id: order_id.to_string(),
            body: String::from_utf8_lossy(&body).into_owned(),
            status: last.0,
            answer: last.1.clone(),
        });
        last
    }

    async fn post_credit(&self, credit: Credit) {
        let Some(hub) = self.hub() else { return };
        let doc = camt054(&self.bic, &credit);
        let mut status = 0;
        for _ in 0..5 {
            if let Ok(r) = self
                .http
                .post(format!("{hub}/v1/bank/notifications"))
                .header("content-type", "application/xml")
                .body(doc.clone())
                .send()
                .await
            {
                status = r.status().as_u16();
                if status < 500 {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        self.lock().snap.notifications.push(NotificationSent {
            entry_ref: credit.entry_ref,
            amount_vnd: credit.amount,
            account: credit.account,
            memo: credit.memo,
            status,
        });
    }

    /// Sends the hub an acknowledgement of `order_id` whose hash is wrong (as a forger or a
    /// confused bank would); returns the hub's status and answer.
    pub async fn send_forged_ack(&self, order_id: &str) -> (u16, serde_json::Value) {
        let amount = self
            .lock()
            .snap
            .orders
            .get(order_id)
            .map(|t| t.order.amount_vnd);
        let ack = OrderAck {
            order_id: order_id.to_string(),
            order_hash: content_hash(format!("forged {order_id}").as_bytes()),
            status: AckStatus::Executed,
            amount_vnd: amount.or(Some(Vnd::ZERO)),
            reason: None,
            bank_reference: Some(format!("{}-FORGED", self.bank)),
            executed_at: now_rfc3339(),
        };
        self.post_ack(order_id, ack.canonical_bytes()).await
    }

    /// Reads an orders batch file, executes each order (once, as over the API) and returns
    /// the acknowledgements batch file; deductions are still confirmed by camt.054.
    pub async fn process_batch(&self, file: &[u8]) -> Result<Vec<u8>, String> {
        let (trailer, orders) = batch::read_orders(file).map_err(|e| e.to_string())?;
        let mut acks = Vec::new();
        let mut total = 0;
        let mut credits = Vec::new();
        for (line, order) in orders {
            let hash = received_hash(line).map_err(|e| e.to_string())?;
            let (ack, credit, _) = self.take(order, hash);
            total += ack.amount().amount();
            acks.push(ack.canonical_bytes());
            credits.extend(credit);
        }
        for c in credits {
            self.post_credit(c).await;
        }
        Ok(batch::write_batch(
            BatchKind::Acks,
            &self.bank,
            &trailer.date,
            &acks,
            total,
        ))
    }
}

/// The hash of an order as received: SHA-256 of its bytes' canonical JSON form.
fn received_hash(bytes: &[u8]) -> Result<String, thads_schemas::bank_order::OrderFormatError> {
    Ok(content_hash(&canonical_json_of_bytes(bytes)?))
}

fn execute(accounts: &mut BTreeMap<String, Account>, order: &AccountOrder) -> Result<i64, String> {
    let Some(account) = accounts.get_mut(&order.account) else {
        return Err(format!("account not found at {}", order.bank));
    };
    let amount = order.amount_vnd.amount();
    match order.kind {
        OrderKind::Freeze => {
            let hold = amount.min(account.available()).max(0);
            account.held.insert(order.order_id.clone(), hold);
            Ok(hold)
        }
        OrderKind::Deduct => {
            let from_freeze = order
                .references
                .as_ref()
                .and_then(|f| account.held.get(f).copied().map(|h| (f.clone(), h)));
            let source = match &from_freeze {
                Some((_, held)) => *held,
                None => account.available().max(0),
            };
            let moved = amount.min(source);
            if moved <= 0 {
                return Err("insufficient funds (không đủ số dư)".to_string());
            }
            account.balance -= moved;
            if let Some((freeze, held)) = from_freeze {
                account.held.insert(freeze, held - moved);
            }
            let destination = order.destination_account.clone().unwrap_or_default();
            accounts.entry(destination).or_default().balance += moved;
            Ok(moved)
        }
        OrderKind::Payout => {
            // Chi trả: from the THADS deposit account to the creditor's account.
            if account.available() < amount {
                return Err("insufficient funds (không đủ số dư)".to_string());
            }
            account.balance -= amount;
            let destination = order.destination_account.clone().unwrap_or_default();
            accounts.entry(destination).or_default().balance += amount;
            Ok(amount)
        }
        OrderKind::ConfirmFreeze => {
            // The decision after a freeze by record: attached to the hold already placed.
            let freeze = order.references.clone().unwrap_or_default();
            match account.held.get(&freeze) {
                Some(held) => Ok(*held),
                None => Err(format!("no freeze {freeze} on this account to confirm")),
            }
        }
        OrderKind::Release => {
            let freeze = order.references.clone().unwrap_or_default();
            match account.held.remove(&freeze) {
                Some(lifted) => Ok(lifted),
                None => Err(format!("no freeze {freeze} on this account")),
            }
        }
    }
}

#[derive(Debug, Clone)]
struct Credit {
    entry_ref: String,
    account: String,
    amount: i64,
    debtor: String,
    memo: String,
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn camt054(bic: &str, c: &Credit) -> String {
    let today = time::OffsetDateTime::now_utc().date();
    let day = format!(
        "{:04}-{:02}-{:02}",
        today.year(),
        u8::from(today.month()),
        today.day()
    );
    let (entry, account, amount) = (&c.entry_ref, xml_escape(&c.account), c.amount);
    let (debtor, memo) = (xml_escape(&c.debtor), xml_escape(&c.memo));
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>MSG-{entry}</MsgId><CreDtTm>{now}</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>NTF-{entry}</Id>
      <Acct>
        <Id><Othr><Id>{account}</Id></Othr></Id><Ccy>VND</Ccy>
        <Svcr><FinInstnId><BICFI>{bic}</BICFI></FinInstnId></Svcr>
      </Acct>
      <Ntry>
        <NtryRef>{entry}</NtryRef>
        <Amt Ccy="VND">{amount}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <ValDt><Dt>{day}</Dt></ValDt>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>E2E-{entry}</EndToEndId><TxId>{entry}</TxId></Refs>
          <Amt Ccy="VND">{amount}</Amt>
          <CdtDbtInd>CRDT</CdtDbtInd>
          <RltdPties><Dbtr><Pty><Nm>{debtor}</Nm></Pty></Dbtr></RltdPties>
          <RmtInf><Ustrd>{memo}</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
"#,
        now = now_rfc3339(),
    )
}

/// The BIC the simulator names itself by in camt.054 (`Acct/Svcr`).
pub fn bic_of(bank: &str) -> String {
    match bank {
        "VCB" => "BFTVVNVX".to_string(),
        "BIDV" => "BIDVVNVX".to_string(),
        "CTG" => "ICBVVNVX".to_string(),
        other => format!("{:X<4}VNVX", other.chars().take(4).collect::<String>()),
    }
}

/// A running simulator.
#[derive(Debug)]
pub struct BankSim {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its state, to steer and inspect it.
    pub state: SimState,
    task: tokio::task::JoinHandle<()>,
}

impl BankSim {
    /// Starts a simulator of `bank` on a free loopback port.
    pub async fn start(bank: &str) -> std::io::Result<Self> {
        Self::start_on(bank, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a simulator of `bank` on `addr`.
    pub async fn start_on(bank: &str, addr: SocketAddr) -> std::io::Result<Self> {
        let state = SimState {
            bank: bank.to_string(),
            bic: bic_of(bank),
            inner: Arc::new(Mutex::new(Inner::default())),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .map_err(std::io::Error::other)?,
        };
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let app = router(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, state, task })
    }

    /// The URL to configure as `bank.orders_endpoint.<code>`.
    pub fn orders_endpoint(&self) -> String {
        format!("http://{}/orders", self.addr)
    }
}

impl Drop for BankSim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The simulator's routes: the bank's order API and a control API.
pub fn router(state: SimState) -> Router {
    Router::new()
        .route("/orders", post(take_order))
        .route("/control/state", get(control_state))
        .route("/control/hub", post(control_hub))
        .route("/control/balance", post(control_balance))
        .route("/control/fail-next", post(control_fail_next))
        .route("/control/reject-next", post(control_reject_next))
        .route("/control/ack-delay", post(control_ack_delay))
        .route("/control/forged-ack", post(control_forged_ack))
        .route("/control/batch", post(control_batch))
        .with_state(state)
}

async fn take_order(
    State(state): State<SimState>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let fail = {
        let mut inner = state.lock();
        inner.snap.attempts += 1;
        if inner.expect_token.is_some() && inner.expect_token != bearer {
            return (StatusCode::UNAUTHORIZED, "not this bank's token").into_response();
        }
        if inner.fail_next > 0 {
            inner.fail_next -= 1;
            true
        } else {
            false
        }
    };
    if fail {
        return (StatusCode::INTERNAL_SERVER_ERROR, "simulated outage").into_response();
    }
    let order = match AccountOrder::from_json(&body) {
        Ok(o) => o,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    let hash = match received_hash(&body) {
        Ok(h) => h,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    let (ack, credit, repeat) = state.take(order, hash);
    if repeat {
        return (
            StatusCode::OK,
            Json(serde_json::json!({"status": "duplicate", "order_id": ack.order_id})),
        )
            .into_response();
    }
    let delay = state.lock().ack_delay;
    let answer = serde_json::json!({"status": "accepted", "order_id": ack.order_id});
    tokio::spawn(async move {
        let worker = state;
        tokio::time::sleep(delay).await;
        let id = ack.order_id.clone();
        worker.post_ack(&id, ack.canonical_bytes()).await;
        if let Some(c) = credit {
            worker.post_credit(c).await;
        }
    });
    (StatusCode::ACCEPTED, Json(answer)).into_response()
}

async fn control_state(State(state): State<SimState>) -> Json<Snapshot> {
    Json(state.snapshot())
}

#[derive(Debug, Deserialize)]
struct HubRequest {
    url: String,
}

async fn control_hub(State(state): State<SimState>, Json(r): Json<HubRequest>) -> StatusCode {
    state.set_hub(&r.url);
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
struct BalanceRequest {
    account: String,
    balance: i64,
}

async fn control_balance(
    State(state): State<SimState>,
    Json(r): Json<BalanceRequest>,
) -> Json<Account> {
    state.set_balance(&r.account, r.balance);
    Json(state.account(&r.account))
}

#[derive(Debug, Deserialize)]
struct FailRequest {
    n: u32,
}

async fn control_fail_next(
    State(state): State<SimState>,
    Json(r): Json<FailRequest>,
) -> StatusCode {
    state.fail_next(r.n);
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
struct RejectRequest {
    reason: String,
}

async fn control_reject_next(
    State(state): State<SimState>,
    Json(r): Json<RejectRequest>,
) -> StatusCode {
    state.reject_next(&r.reason);
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
struct DelayRequest {
    ms: u64,
}

async fn control_ack_delay(
    State(state): State<SimState>,
    Json(r): Json<DelayRequest>,
) -> StatusCode {
    state.delay_acks(Duration::from_millis(r.ms));
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
struct ForgedRequest {
    order_id: String,
}

async fn control_forged_ack(
    State(state): State<SimState>,
    Json(r): Json<ForgedRequest>,
) -> Json<serde_json::Value> {
    let (status, answer) = state.send_forged_ack(&r.order_id).await;
    Json(serde_json::json!({"status": status, "answer": answer}))
}

async fn control_batch(State(state): State<SimState>, body: Bytes) -> Response {
    match state.process_batch(&body).await {
        Ok(file) => (StatusCode::OK, file).into_response(),
        Err(reason) => (StatusCode::UNPROCESSABLE_ENTITY, reason).into_response(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn bics_are_eight_characters() {
        assert_eq!(bic_of("VCB"), "BFTVVNVX");
        assert_eq!(bic_of("AB").len(), 8);
    }
}
