//! The JSON partners and staff send: account-order acknowledgements, orders (as a bank reads
//! them), enforcement requests and identity numbers. Any bytes give a value or an error naming
//! the field.
#![no_main]

use libfuzzer_sys::fuzz_target;
use thads_schemas::bank_order::{canonical_json_of_bytes, AccountOrder, OrderAck};

fuzz_target!(|data: &[u8]| {
    if let Ok(ack) = OrderAck::from_json(data) {
        let _ = ack.validate();
        let _ = ack.ack_hash();
    }
    if let Ok(order) = AccountOrder::from_json(data) {
        let _ = order.validate();
        let _ = order.order_hash();
    }
    let _ = canonical_json_of_bytes(data);
    let _ = thads_schemas::request::EnforcementRequest::from_json(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = thads_schemas::cccd::Cccd::parse(text);
        let _ = thads_schemas::office::OfficeCode::parse(text);
    }
});
