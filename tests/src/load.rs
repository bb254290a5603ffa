//! A partner load for fault and scale tests: courts pushing judgments and banks pushing
//! payments for open cases, spread over one or more hubs, with a ledger of what each hub
//! accepted. A request that got no answer (the hub was killed, the database was down) is sent
//! again after recovery, as a partner would, until it is taken; the ledger then names every
//! message the hub must have handled exactly once ([`crate::reconcile`]).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::corpus::{camt054_credit, civil_loan_variant};

/// One partner request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Judgment number `i` of the run (opens a new case).
    Judgment(usize),
    /// Payment number `i` of the run, into the case whose payment reference is given.
    Payment(usize, String),
}

/// What the hubs took.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    /// Judgment message id by judgment number.
    pub judgments: BTreeMap<usize, String>,
    /// Payment id and (reference, amount) by payment number.
    pub payments: BTreeMap<usize, (String, String, i64)>,
    /// Requests not yet taken (no answer, or 5xx while a dependency was down).
    pub pending: Vec<Request>,
    /// Answers other than 2xx, by status (0: no answer), counted before any resend.
    pub refused: BTreeMap<u16, usize>,
}

/// Sends the load.
#[derive(Debug, Clone)]
pub struct Load {
    /// The hubs' base URLs; requests go round-robin.
    pub bases: Vec<String>,
    /// Distinguishes this run's documents.
    pub run: String,
    http: reqwest::Client,
}

/// The amount of payment `i`, in đồng (distinct, so sums reveal a doubled payment).
pub fn amount_of(i: usize) -> i64 {
    100_000 + i as i64
}

impl Load {
    /// A load over `bases`.
    pub fn new(bases: Vec<String>, run: &str) -> Self {
        Self {
            bases,
            run: run.to_string(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
        }
    }

    /// The document of judgment `i`: the civil-loan example as a new judgment.
    pub fn judgment(&self, i: usize) -> String {
        civil_loan_variant(
            &format!("TAND79-KV1-{}-{i}", self.run),
            &format!("{}/2026/DS-ST", 5000 + i),
            "HCM-KV01",
            "Trần Thị Bình",
        )
    }

    /// Sends one request to hub `hub`; records it in the ledger.
    pub async fn send(&self, hub: usize, request: &Request, ledger: &mut Ledger) {
        let base = &self.bases[hub % self.bases.len()];
        let (path, body) = match request {
            Request::Judgment(i) => ("/v1/court/judgments", self.judgment(*i)),
            Request::Payment(i, reference) => (
                "/v1/bank/notifications",
                camt054_credit(
                    &format!("FT{}{i:06}", self.run),
                    amount_of(*i),
                    &format!("TRAN THI BINH NOP TIEN {reference}"),
                ),
            ),
        };
        let answer = self
            .http
            .post(format!("{base}{path}"))
            .header("content-type", "application/xml")
            .body(body)
            .send()
            .await;
        let (status, json) = match answer {
            Ok(r) => {
                let status = r.status().as_u16();
                (status, r.json::<Value>().await.unwrap_or(Value::Null))
            }
            Err(_) => (0, Value::Null),
        };
        let taken = match (request, status) {
            (Request::Judgment(i), 200 | 202) => json["message_id"]
                .as_str()
                .map(|id| ledger.judgments.insert(*i, id.to_string()))
                .is_some(),
            (Request::Payment(i, reference), 202) => json["payments"][0]["payment_id"]
                .as_str()
                .map(|id| {
                    ledger
                        .payments
                        .insert(*i, (id.to_string(), reference.clone(), amount_of(*i)))
                })
                .is_some(),
            _ => false,
        };
        if !taken {
            *ledger.refused.entry(status).or_default() += 1;
            ledger.pending.push(request.clone());
        }
    }

    /// Sends `requests` one after another over the hubs, `gap` apart.
    pub async fn run(&self, requests: &[Request], gap: Duration, ledger: &mut Ledger) {
        for (n, r) in requests.iter().enumerate() {
            self.send(n, r, ledger).await;
            tokio::time::sleep(gap).await;
        }
    }

    /// Sends every pending request again until each is taken, or panics after `timeout`.
    pub async fn resend_pending(&self, ledger: &mut Ledger, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let mut round = 0;
        while !ledger.pending.is_empty() {
            assert!(
                Instant::now() < deadline,
                "the hubs never took {:?}",
                ledger.pending
            );
            let refused = ledger.refused.clone();
            let pending = std::mem::take(&mut ledger.pending);
            for r in &pending {
                self.send(round, r, ledger).await;
                round += 1;
            }
            ledger.refused = refused;
            if !ledger.pending.is_empty() {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
}
