//! Test support for thads-hub's end-to-end tests: partner simulators (real HTTP servers),
//! access to real PostgreSQL and NATS, and real hub processes.
//!
//! # Layout
//! - [`vneid_sim`]: the VNeID notification API simulator.
//! - [`services`]: fresh PostgreSQL databases and the NATS address.
//! - [`hub`]: starting, killing and restarting hub processes.
//! - [`corpus`]: the judgment documents the tests send.

pub mod corpus;
pub mod hub;
pub mod services;
pub mod vneid_sim;
