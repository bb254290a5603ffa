//! The extractor reading parties and obligations out of a judgment's Vietnamese text (and of
//! court XML): any text gives proposals, possibly empty, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = thads_extract::extract_text(text);
    }
    let _ = thads_extract::extract_bytes(data);
});
