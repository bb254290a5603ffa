//! Banks' ISO 20022 camt.054 / camt.053 notifications: any bytes give payments, entry errors
//! or a refusal of the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = thads_bank::payments_json(data);
});
