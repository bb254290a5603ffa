//! Checks that `schemas/court/judgment-v1.xsd` agrees with the Rust reader, using `xmllint`
//! (Debian package libxml2-utils) when it is installed.
#![allow(clippy::unwrap_used)]

use super::tests::{expectation, files};
use std::path::{Path, PathBuf};
use std::process::Command;

fn xmllint() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("xmllint"))
        .find(|p| p.is_file())
}

fn validates(xmllint: &Path, file: &Path) -> bool {
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("court/judgment-v1.xsd");
    let out = Command::new(xmllint)
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(&xsd)
        .arg(file)
        .output()
        .unwrap();
    out.status.success()
}

#[test]
fn xsd_agrees_with_the_examples() {
    let Some(xmllint) = xmllint() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("xmllint is required in CI: apt-get install -y libxml2-utils");
        }
        eprintln!(
            "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
             !! xmllint not found: the XSD was NOT checked against the examples.  !!\n\
             !! Install it with: apt-get install -y libxml2-utils                 !!\n\
             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
        );
        return;
    };
    for file in files("examples") {
        assert!(
            validates(&xmllint, &file),
            "XSD rejects valid example {}",
            file.display()
        );
    }
    for file in files("invalid") {
        let want = expectation(&std::fs::read_to_string(&file).unwrap());
        assert_eq!(
            !validates(&xmllint, &file),
            want.xsd_rejects,
            "{}: the file says xsd: {}",
            file.display(),
            if want.xsd_rejects { "reject" } else { "accept" }
        );
    }
}
