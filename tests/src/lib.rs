//! Test support for thads-hub's end-to-end tests: partner simulators (real HTTP servers),
//! access to real PostgreSQL and NATS, and real hub processes.
//!
//! # Layout
//! - [`browser`]: headless Chromium through chromedriver, for the console's browser tests.
//! - [`vneid_sim`]: the VNeID notification API simulator.
//! - [`court_sim`]: a court's endpoint for the evidences the hub pushes (checks the hub's signature).
//! - [`bank_sim`]: a bank: accounts, account orders, acknowledgements and camt.054 credits.
//! - [`registry_sim`]: the four national databases (population, land, vehicles, businesses), with faults.
//! - [`treasury_sim`]: the State Treasury: transfers acknowledged with its reference, and its statement.
//! - [`oidc_sim`]: the VNeID sign-in (an OpenID Connect provider) that parties sign in with.
//! - [`smtp_sink`]: a real SMTP server (STARTTLS, AUTH, forced failures) that keeps and decodes the mail it gets.
//! - [`services`]: fresh PostgreSQL databases and the NATS address.
//! - [`http_browser`]: a cookie-keeping client that follows redirects hop by hop (sign-in flows).
//! - [`hub`]: starting, killing and restarting hub processes.
//! - [`corpus`]: the judgment documents the tests send.
//! - [`private`]: NATS and PostgreSQL servers of a test's own, for killing and restarting.
//! - [`load`]: a partner load over one or more hubs, with a ledger of what was accepted.
//! - [`reconcile`]: checking every accepted message was handled exactly once.

pub mod bank_sim;
pub mod browser;
pub mod corpus;
pub mod court_sim;
pub mod http_browser;
pub mod hub;
pub mod load;
pub mod oidc_sim;
pub mod private;
pub mod reconcile;
pub mod registry_sim;
pub mod services;
pub mod smtp_sink;
pub mod treasury_sim;
pub mod vneid_sim;
