//! The court's judgment document (schema v1): any bytes give a judgment or field errors.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(judgment) = thads_schemas::court::parse_judgment_xml(data) {
        // A document that reads must also give its stable key and serialise.
        let _ = judgment.stable_key();
        let _ = serde_json::to_vec(&judgment);
    }
});
