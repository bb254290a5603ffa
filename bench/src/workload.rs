//! The partner mix the benchmark sends: court judgments, bank payment notifications (camt.054
//! quoting the payment reference of an open case), VNeID delivery receipts for sent notices,
//! and staff queries of a message's journey. Four in ten judgments, four in ten payments, one
//! receipt and one query.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use thads_e2e::corpus::{camt054_credit, civil_loan_variant};

/// The receipt token the benchmark's hub is configured with.
pub(crate) const RECEIPT_TOKEN: &str = "bench-receipt-token";

/// What one request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `POST /v1/court/judgments`.
    Judgment,
    /// `POST /v1/bank/notifications`.
    Payment,
    /// `POST /v1/vneid/receipts`.
    Receipt,
    /// `GET /v1/messages/{id}`.
    Query,
}

impl Kind {
    /// The kind of the `i`-th request of a run.
    pub(crate) fn of(i: usize) -> Self {
        match i % 10 {
            0..=3 => Self::Judgment,
            4..=7 => Self::Payment,
            8 => Self::Receipt,
            _ => Self::Query,
        }
    }
}

/// What the seeded cases give the mix to refer to.
#[derive(Debug, Clone)]
pub(crate) struct Seed {
    /// Payment references of open cases (quoted in payment memos).
    pub(crate) references: Vec<String>,
    /// Ids of notices sent to VNeID (named in receipts).
    pub(crate) notices: Vec<String>,
    /// Ids of accepted messages (looked up by queries).
    pub(crate) messages: Vec<String>,
}

/// Sends the mix to one hub.
#[derive(Clone)]
pub(crate) struct Client {
    /// `http://127.0.0.1:<port>`.
    pub(crate) base: String,
    /// A staff token for queries.
    pub(crate) token: String,
    /// Distinguishes this run's documents from any other's.
    pub(crate) run: String,
    /// The seeded cases.
    pub(crate) seed: Arc<Seed>,
    /// Pooled HTTP connections.
    pub(crate) http: reqwest::Client,
}

/// One answered request.
#[derive(Debug, Clone)]
pub(crate) struct Sample {
    /// What was sent.
    pub(crate) kind: Kind,
    /// The HTTP status (0 when the request failed without an answer).
    pub(crate) status: u16,
    /// From the time it was due to the answer.
    pub(crate) latency: Duration,
    /// The journey id of a message that must be handled end to end (judgments, payments).
    pub(crate) handled_id: Option<String>,
}

impl Client {
    /// A judgment document that opens a new case (unique per run and `i`).
    pub(crate) fn judgment(&self, i: usize) -> String {
        civil_loan_variant(
            &format!("BENCH-{}-{i}", self.run),
            &format!("{}/2026/DS-ST", i % 999_999 + 1),
            "HCM-KV01",
            "Trần Thị Bình",
        )
    }

    /// Sends the `i`-th request of the mix; `due` is when it should have left (latency is
    /// counted from then, so a slow hub cannot hide its queueing).
    pub(crate) async fn send(&self, i: usize, due: Instant) -> Sample {
        self.send_kind(Kind::of(i), i, due).await
    }

    /// Sends request `i` as a `kind` request.
    pub(crate) async fn send_kind(&self, kind: Kind, i: usize, due: Instant) -> Sample {
        let request = match kind {
            Kind::Judgment => self
                .http
                .post(format!("{}/v1/court/judgments", self.base))
                .header("content-type", "application/xml")
                .body(self.judgment(i)),
            Kind::Payment => {
                let reference = pick(&self.seed.references, i);
                let memo = format!("TRAN THI BINH NOP TIEN {reference}");
                self.http
                    .post(format!("{}/v1/bank/notifications", self.base))
                    .header("content-type", "application/xml")
                    .body(camt054_credit(
                        &format!("FT{}{i:08}", self.run),
                        1_000_000,
                        &memo,
                    ))
            }
            Kind::Receipt => {
                let at = time::OffsetDateTime::now_utc()
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default();
                self.http
                    .post(format!("{}/v1/vneid/receipts", self.base))
                    .bearer_auth(RECEIPT_TOKEN)
                    .json(&json!({"notice_id": pick(&self.seed.notices, i), "status": "delivered", "at": at}))
            }
            Kind::Query => self
                .http
                .get(format!(
                    "{}/v1/messages/{}",
                    self.base,
                    pick(&self.seed.messages, i)
                ))
                .bearer_auth(&self.token),
        };
        let (status, body) = match request.send().await {
            Ok(r) => {
                let status = r.status().as_u16();
                (status, r.json::<Value>().await.unwrap_or(Value::Null))
            }
            Err(_) => (0, Value::Null),
        };
        let latency = due.elapsed();
        let handled_id = match (kind, status) {
            (Kind::Judgment, 202) => body["message_id"].as_str().map(str::to_string),
            (Kind::Payment, 202) => body["payments"][0]["payment_id"]
                .as_str()
                .map(str::to_string),
            _ => None,
        };
        Sample {
            kind,
            status,
            latency,
            handled_id,
        }
    }
}

fn pick(items: &[String], i: usize) -> &str {
    if items.is_empty() {
        return "none";
    }
    &items[(i / 10) % items.len()]
}

/// Whether a status means the hub took the request (202 for partner pushes, 200 for receipts
/// and queries).
pub(crate) fn accepted(sample: &Sample) -> bool {
    matches!(sample.status, 200 | 202)
}
