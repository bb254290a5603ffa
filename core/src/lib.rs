//! The case system of thads-hub.
//!
//! # Layout
//! - [`admin`]: the operator's console: message search, partner health, dead letters, alerts.
//! - [`db`]: the SQLite / PostgreSQL pool and migrations.
//! - [`audit`]: the hash-chained, sealed audit trail of every change, act and payload.
//! - [`bus`]: the bus port, with the JetStream and embedded implementations.
//! - [`worker`]: the consumer loop: ack, backoff, dead letters.
//! - [`retry`]: the retry policy (exponential backoff with jitter, delivery limit).
//! - [`outbox`] / [`inbox`]: messages committed with state changes; redeliveries recognised.
//! - [`journey`]: each message's state machine and its recorded steps.
//! - [`deadlines`]: statutory time limits per legal regime, computed on cases.
//! - [`cases`]: opening cases from judgments, and the case read side.
//! - [`requests`]: requests for enforcement, the 5-year limit, the receipt slip.
//! - [`portal`]: party self-service: VNeID sessions, a party's own cases, online requests, VietQR.
//! - [`complaints`]: complaints and denunciations, their routing, deadlines and signed answers; the reception log.
//! - [`replay`]: putting a dead letter back on its subject.
//! - [`metrics`]: Prometheus metrics.
//! - [`digest`]: the daily e-mail of overdue and due-soon deadlines.
//! - [`extractions`]: extraction proposals and the officer's confirmed corrections.
//! - [`ocr`]: scanned judgments read with Tesseract (Vietnamese) as jobs, into the same extraction.
//! - [`lifecycle`]: the case state machine and the operations staff perform.
//! - [`decisions`]: decisions to enforce: draft, submit, approve and sign (PDF), issue.
//! - [`registers`]: the numbered register books.
//! - [`reconciliation`]: the queue of payments no case was matched to, and officers' resolutions.
//! - [`receipts`]: e-receipts (biên lai điện tử) for posted payments: numbered, signed, voided.
//! - [`staff`]: staff roles and the signed-in actor.
//! - [`statistics`]: statistics by case and by money per office, province and nation, and the report forms (JSON, CSV, XLSX).
//! - [`calendar`]: Vietnam's working-day calendar (lunar holidays, announced swaps) for deadlines.
//! - [`mail`]: outbound e-mail over SMTP (deadline digest, notice fall-back), with retry-aware errors.
//! - [`notice_service`]: how each notice was served, the fall-back chain and paper-service tasks.
//! - [`partners`]: the partner registry, ed25519 keys, signed pushes and the hub's signed answers.
//! - [`evidence`]: signed evidences telling each court what became of the judgments it sent.
//! - [`verification`]: verifying debtors' means in the national databases; records, runs, scheduler.

pub mod admin;
pub mod audit;
pub mod breaker;
pub mod bus;
pub mod calendar;
pub mod cases;
pub mod complaints;
pub mod db;
pub mod deadlines;
pub mod decisions;
pub mod digest;
pub mod disbursement;
pub mod evidence;
pub mod extractions;
pub mod inbox;
pub mod journey;
pub mod lifecycle;
pub mod mail;
pub mod metrics;
pub mod notice_service;
pub mod ocr;
pub mod outbox;
pub mod partner_http;
pub mod partners;
pub mod portal;
pub mod rate_limit;
pub mod receipts;
pub mod reconciliation;
pub mod registers;
pub mod replay;
pub mod requests;
pub mod retry;
pub mod staff;
pub mod statistics;
pub mod verification;
pub mod worker;
