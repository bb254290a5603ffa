//! Prints the extraction of each file given on the command line as JSON.

use std::path::Path;

fn main() {
    for arg in std::env::args().skip(1) {
        match thads_extract::extract_file(Path::new(&arg)) {
            Ok(x) => match serde_json::to_string_pretty(&x) {
                Ok(json) => println!("{json}"),
                Err(e) => eprintln!("{arg}: {e}"),
            },
            Err(e) => eprintln!("{arg}: {e}"),
        }
    }
}
