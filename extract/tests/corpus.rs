//! Runs the extractor over every judgment of `corpus/` (text and XML) and compares the result
//! with the hand-written `*.expected.json` beside it; also checks the shared fixtures of the
//! repository when they are present.
//!
//! Comparison: `judgment` and `parties` exactly; obligations in order, every key the expected
//! object has (so `text` is compared where the expectation writes it); `warnings` exactly when
//! the expectation lists them.

use serde_json::Value;
use std::path::{Path, PathBuf};
use thads_extract::extract_file;

/// The judgments of a directory, with their expectations.
fn cases(dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext != "txt" && ext != "xml" {
            continue;
        }
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        out.push((path.clone(), dir.join(format!("{stem}.expected.json"))));
    }
    out.sort();
    out
}

/// Differences between an extraction and its expectation, as readable lines.
fn compare(actual: &Value, expected: &Value) -> Vec<String> {
    let mut diffs = Vec::new();
    for key in ["judgment", "parties"] {
        if actual[key] != expected[key] {
            diffs.push(format!(
                "{key}:\n  expected {}\n  actual   {}",
                expected[key], actual[key]
            ));
        }
    }
    let empty = Vec::new();
    let got = actual["obligations"].as_array().unwrap_or(&empty);
    let want = expected["obligations"].as_array().unwrap_or(&empty);
    if got.len() != want.len() {
        diffs.push(format!(
            "{} obligations expected, {} found:\n  {}",
            want.len(),
            got.len(),
            got.iter()
                .map(|o| {
                    let mut o = o.clone();
                    if let Some(m) = o.as_object_mut() {
                        m.remove("text");
                    }
                    o.to_string()
                })
                .collect::<Vec<_>>()
                .join("\n  ")
        ));
    }
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let Some(fields) = w.as_object() else {
            continue;
        };
        for (k, v) in fields {
            if &g[k] != v {
                diffs.push(format!("obligation {i}: {k} expected {v}, found {}", g[k]));
            }
        }
    }
    if let Some(w) = expected.get("warnings") {
        if &actual["warnings"] != w {
            diffs.push(format!(
                "warnings:\n  expected {w}\n  actual   {}",
                actual["warnings"]
            ));
        }
    }
    diffs
}

/// Extracts one file and compares it; returns the failure report, if any.
fn check(input: &Path, expected_path: &Path) -> Option<String> {
    let name = input.display();
    let expected_text = match std::fs::read_to_string(expected_path) {
        Ok(t) => t,
        Err(e) => {
            return Some(format!(
                "{name}: no expectation {}: {e}",
                expected_path.display()
            ))
        }
    };
    let expected: Value = match serde_json::from_str(&expected_text) {
        Ok(v) => v,
        Err(e) => return Some(format!("{name}: bad expectation: {e}")),
    };
    let extraction = match extract_file(input) {
        Ok(x) => x,
        Err(e) => return Some(format!("{name}: extraction failed: {e}")),
    };
    for o in &extraction.obligations {
        if o.text.trim().is_empty() && input.extension().is_some_and(|e| e == "txt") {
            return Some(format!("{name}: an obligation has no source text"));
        }
    }
    let actual = match serde_json::to_value(&extraction) {
        Ok(v) => v,
        Err(e) => return Some(format!("{name}: cannot serialise: {e}")),
    };
    let diffs = compare(&actual, &expected);
    (!diffs.is_empty()).then(|| {
        format!(
            "{name}:\n{}\n  warnings: {:?}",
            diffs.join("\n"),
            extraction.warnings
        )
    })
}

#[test]
fn corpus_is_large_enough() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let all = cases(&dir);
    assert!(
        all.len() >= 30,
        "the corpus has only {} judgments",
        all.len()
    );
}

#[test]
fn corpus_extracts_as_expected() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let all = cases(&dir);
    let failures: Vec<String> = all.iter().filter_map(|(i, e)| check(i, e)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} corpus judgments differ:\n\n{}",
        failures.len(),
        all.len(),
        failures.join("\n\n")
    );
}

#[test]
fn shared_fixtures_extract_like_their_corpus_copies() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = manifest.join("../../shared/fixtures/judgments");
    if !shared.is_dir() {
        return;
    }
    let corpus = manifest.join("corpus");
    let mut failures = Vec::new();
    let mut seen = 0;
    for (input, _) in cases(&shared) {
        let Some(file) = input.file_name() else {
            continue;
        };
        let stem = input.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let expected = corpus.join(format!("{stem}.expected.json"));
        if !expected.exists() {
            failures.push(format!(
                "{}: shared fixture has no expectation in corpus/ (copy it as corpus/{})",
                input.display(),
                file.to_string_lossy()
            ));
            continue;
        }
        seen += 1;
        failures.extend(check(&input, &expected));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(seen > 0, "no shared fixture was checked");
}

#[test]
fn extraction_round_trips_through_json() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for (input, _) in cases(&dir) {
        let Ok(x) = extract_file(&input) else {
            continue;
        };
        let json = serde_json::to_string(&x).unwrap_or_default();
        let back: thads_extract::Extraction =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("{}: {e}", input.display()));
        assert_eq!(back, x);
    }
}
