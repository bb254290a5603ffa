//! Shared steps of the complaints test: the portal call, a filing, deadlines and the PDF text.

#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used)]

use serde_json::{json, Value};
use thads_e2e::hub::Hub;
use time::{Date, OffsetDateTime, UtcOffset};

pub const PORTAL_TOKEN: &str = "portal-token-for-tests-2026";
pub const DEBTOR_CCCD: &str = "079182005678";

pub fn today() -> Date {
    OffsetDateTime::now_utc()
        .to_offset(UtcOffset::from_hms(7, 0, 0).unwrap())
        .date()
}

pub async fn portal(hub: &Hub, token: Option<&str>, path: &str, body: &Value) -> (u16, Value) {
    let mut r = hub.http.post(format!("{}{path}", hub.base)).json(body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub fn filing(reference: &str, case_id: &str, against: &str, extra: Value) -> Value {
    let mut v = json!({
        "client_reference": reference,
        "kind": "complaint",
        "channel": "reception",
        "complainant": {"name": "Trần Thị Bình", "cccd": DEBTOR_CCCD, "address": "45 Nguyễn Trãi, phường Chợ Quán"},
        "target": {"case_id": case_id, "against": against},
        "subject": "Chấp hành viên phong tỏa toàn bộ tài khoản, vượt quá số tiền phải thi hành án.",
        "request": "Hủy phần phong tỏa vượt quá số tiền phải thi hành."
    });
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

pub fn deadline<'a>(c: &'a Value, step: &str) -> &'a Value {
    c["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["step"] == step)
        .unwrap_or_else(|| panic!("no {step} in {c:#}"))
}

pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("answer.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by scripts/lib/services.sh");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
