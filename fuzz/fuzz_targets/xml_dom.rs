//! The safe XML DOM every partner document goes through: any bytes must give a tree or an
//! error, within its limits, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use thads_schemas::xml::{parse, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_bytes: 64 * 1024,
        max_depth: 16,
        max_elements: 2_000,
        max_text_len: 8 * 1024,
    };
    let _ = parse(data, &limits);
});
