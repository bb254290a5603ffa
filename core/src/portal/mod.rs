//! Party self-service: a creditor or debtor, signed in through VNeID, sees their own cases and
//! nothing else, downloads the documents and receipts, files a request for enforcement online,
//! and pays by bank transfer with a VietQR code carrying the case's payment reference.
//!
//! # Layout
//! - [`sessions`]: pending VNeID sign-ins (state, nonce, PKCE verifier) and party sessions,
//!   apart from staff sessions.
//! - [`view`]: the party's case list and one case as they see it (404 for anyone else's).
//! - [`parts`]: the pieces of that view read from other modules (decisions, notices, orders,
//!   disbursement lines).
//! - [`filing`]: requests for enforcement filed online.
//! - [`qr`]: the case's transfer QR code (VietQR payload and SVG).

pub mod filing;
pub mod parts;
pub mod qr;
pub mod sessions;
pub mod view;
