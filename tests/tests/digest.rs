//! The daily deadline digest end to end, in both runtimes: staff with an e-mail address get,
//! from the configured hour, one e-mail a day listing their overdue and due-soon deadlines in
//! Vietnamese, delivered to a real SMTP server; a temporary SMTP failure is retried, nobody gets
//! the same day's digest twice, and the administrator can trigger a run.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{case_of, post_accepted, setup, Kind};
use serde_json::json;
use thads_e2e::smtp_sink::SmtpSink;
use time::{Duration as Days, OffsetDateTime, UtcOffset};

async fn digest(kind: Kind) {
    let sink = SmtpSink::start().await.unwrap();
    let s = setup(kind, |o| {
        o.env.push(("THADS_MAIL__SMTP_URL".into(), sink.url()));
        o.env.push(("THADS_DIGEST__HOUR".into(), "0".into()));
        o.env.push(("THADS_DIGEST__TICK".into(), "300ms".into()));
    })
    .await;
    let hub = &s.hub;
    let head = hub.staff("truong.phong", "head", "HCM-KV01").await;
    let officer = hub.staff("chv.an", "officer", "HCM-KV01").await;
    let clerk = hub.staff("thu.ky", "clerk", "HCM-KV01").await;
    let admin = hub.staff("quan.tri", "administrator", "CUC").await;

    // A case whose decision was issued ten days ago and whose parties were never notified.
    let receipt = post_accepted(hub, &common::civil_loan()).await;
    let case = case_of(hub, receipt["message_id"].as_str().unwrap()).await;
    let id = case["id"].as_str().unwrap();
    let path = format!("/v1/cases/{id}/operations");
    let today = OffsetDateTime::now_utc()
        .to_offset(UtcOffset::from_hms(7, 0, 0).unwrap())
        .date();
    let issued = (today - Days::days(10)).to_string();
    for (token, body) in [
        (
            &clerk,
            json!({"operation": "register", "effective_on": issued}),
        ),
        (
            &head,
            json!({"operation": "issue_decision", "params": {"decision_number": "7/QĐ-THADS"}, "effective_on": issued}),
        ),
        (
            &head,
            json!({"operation": "assign_officer", "params": {"officer": "chv.an"}}),
        ),
    ] {
        let (status, answer) = hub.post_as(token, &path, &body).await;
        assert_eq!(status, 201, "{answer:#}");
    }
    let (_, list) = hub.get_as(&officer, "/v1/worklist?attention=true").await;
    assert_eq!(list[0]["attention"], "overdue", "{list:#}");

    // The first attempt meets a temporary SMTP failure; the scheduler tries again.
    sink.fail_next(451);
    for (user, email) in [
        ("truong.phong", "truong.phong@thads.gov.vn"),
        ("chv.an", "an@thads.gov.vn"),
        ("thu.ky", "thuky@thads.gov.vn"),
    ] {
        let out = hub.cli(&["staff", "email", user, email], &[]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mails = sink.wait_for(2, Duration::from_secs(30)).await.unwrap();
    let mut to: Vec<String> = mails.iter().flat_map(|m| m.rcpt_to.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        ["an@thads.gov.vn", "truong.phong@thads.gov.vn"],
        "clerks get no digest"
    );
    for m in &mails {
        let p = m.parsed().unwrap();
        let subject = p.subject.unwrap();
        assert!(subject.contains("2 quá hạn"), "{subject}");
        let text = p.text.unwrap();
        assert!(text.contains("215/2026/DS-ST"), "{text}");
        assert!(
            text.contains("Thông báo cho đương sự") && text.contains("QUÁ HẠN"),
            "{text}"
        );
        assert!(
            text.contains("106/2025/QH15") && text.contains("Gửi quyết định cho Viện kiểm sát"),
            "{text}"
        );
    }

    // Later ticks and the administrator's run send nothing twice.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(sink.messages().len(), 2);
    let (status, run) = hub.post_as(&admin, "/v1/admin/digest", &json!({})).await;
    assert_eq!(status, 200, "{run:#}");
    assert_eq!(
        (run["sent"].as_u64(), run["already_done"].as_u64()),
        (Some(0), Some(2)),
        "{run:#}"
    );
    assert_eq!(sink.messages().len(), 2);
    let (status, _) = hub.post_as(&head, "/v1/admin/digest", &json!({})).await;
    assert_eq!(status, 403);
    let (status, bad) = hub
        .post_as(&admin, "/v1/admin/digest?day=23-11-2026", &json!({}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(bad["errors"][0]["field"], "day");

    let metrics = hub.get_text("/metrics").await;
    assert!(
        metrics.contains("thads_digest_emails_total{outcome=\"sent\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("thads_digest_emails_total{outcome=\"failed\"} 1"),
        "{metrics}"
    );
    assert!(metrics
        .contains("thads_case_operations_total{operation=\"register\",outcome=\"performed\"} 1"));
    let overdue = metrics
        .lines()
        .find(|l| l.starts_with("thads_deadlines_overdue "))
        .unwrap();
    assert_ne!(overdue, "thads_deadlines_overdue 0", "{metrics}");
    // The same overdue deadlines, by office: what the per-office breach alert watches.
    let by_office = metrics
        .lines()
        .find(|l| l.starts_with("thads_deadlines_overdue_by_office{office=\"HCM-KV01\"} "))
        .unwrap_or_else(|| panic!("no per-office overdue gauge in {metrics}"));
    assert_eq!(
        by_office.rsplit(' ').next(),
        overdue.rsplit(' ').next(),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn digest_embedded() {
    digest(Kind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn digest_production() {
    digest(Kind::Production).await;
}
