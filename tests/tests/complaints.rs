//! Complaints, denunciations and citizen reception end to end, in both runtimes. A debtor's
//! complaint about an officer's account freeze is recorded at reception, routed to the head of
//! the officer's office, accepted and answered by the head's signed decision (PDF checked with
//! `pdftotext`, signature verified); the complainant follows it through the portal route with
//! the complaint's id and CCCD and contests the answer by a second complaint, which goes to the
//! provincial head. A complaint about the head's own decision goes to the provincial head, who
//! refuses it with a reason. A complaint received 60 days ago is overdue on the working-day
//! calendar, in its view, the deadline overview, the statistics and the head's daily digest. A
//! denunciation is extended twice and no more. Other offices get 404, wrong roles 403; refused
//! bytes are kept.

#![allow(clippy::unwrap_used)]

mod common;

use common::{open_case, setup, Kind};
use serde_json::json;
use thads_core::calendar::default_calendar;
use thads_e2e::smtp_sink::SmtpSink;

#[path = "complaints/helpers.rs"]
mod helpers;
#[path = "complaints/later.rs"]
mod later;

use helpers::*;

async fn complaints(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("portal.token");
    std::fs::write(&token_file, format!("{PORTAL_TOKEN}\n")).unwrap();
    let sink = SmtpSink::start().await.unwrap();
    let s = setup(kind, |o| {
        o.env.push((
            "THADS_COMPLAINTS__PORTAL_TOKEN_FILE".into(),
            token_file.display().to_string(),
        ));
        o.env.push(("THADS_MAIL__SMTP_URL".into(), sink.url()));
        o.env.push(("THADS_DIGEST__HOUR".into(), "0".into()));
        o.env.push(("THADS_DIGEST__TICK".into(), "300ms".into()));
    })
    .await;
    let hub = &s.hub;
    let case = open_case(hub).await;
    let case_id = case["id"].as_str().unwrap();
    let clerk = hub.staff("thu.ky", "clerk", "HCM-KV01").await;
    let head = hub.staff("truong.phong", "head", "HCM-KV01").await;
    let officer = hub.staff("chv.an", "officer", "HCM-KV01").await;
    let province = hub.staff("truong.tinh", "head", "HCM").await;
    let other = hub.staff("truong.khac", "head", "HCM-KV02").await;
    for user in ["truong.phong", "truong.tinh"] {
        let out = hub.cli(&["staff", "keygen", user], &[]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let calendar = default_calendar().unwrap();

    // Recorded at reception against the officer's freeze: routed to the head of HCM-KV01.
    let body = filing(
        "TCD-KV01-0001",
        case_id,
        "officer",
        json!({"stage": "freeze", "target": {"case_id": case_id, "against": "officer",
               "officer": "chv.an", "decision_number": "12/QĐ-CCTHADS", "decision_date": today().to_string()}}),
    );
    let (status, filed) = hub.post_as(&clerk, "/v1/complaints", &body).await;
    assert_eq!(status, 201, "{filed:#}");
    let c = &filed["complaint"];
    let id = c["id"].as_str().unwrap().to_string();
    assert_eq!(
        (c["state"].as_str(), c["resolver_office"].as_str()),
        (Some("received"), Some("HCM-KV01"))
    );
    assert!(c["complainant"]["cccd"].as_str().unwrap().contains('*'));
    let due = calendar.add_working_days(today(), 5).unwrap().to_string();
    assert_eq!(deadline(c, "complaint_acceptance")["due_on"], due.as_str());
    let (status, again) = hub.post_as(&clerk, "/v1/complaints", &body).await;
    assert_eq!((status, again["duplicate"].as_bool()), (200, Some(true)));
    let mut changed = body.clone();
    changed["subject"] = json!("Nội dung khác");
    assert_eq!(hub.post_as(&clerk, "/v1/complaints", &changed).await.0, 409);
    let mut bad = body.clone();
    bad["client_reference"] = json!("TCD-KV01-0002");
    bad["complainant"]["cccd"] = json!("12345");
    let (status, refused) = hub.post_as(&clerk, "/v1/complaints", &bad).await;
    assert_eq!(status, 422);
    assert_eq!(refused["errors"][0]["field"], "/complainant/cccd");
    let kept = hub
        .get_json(&format!(
            "/v1/messages/{}",
            refused["message_id"].as_str().unwrap()
        ))
        .await
        .unwrap();
    assert_eq!(kept["state"], "rejected");
    // The list's limit is 1 to 500 (found by scripts/api-fuzz: 0 was taken as 1).
    for bad in ["limit=0", "limit=501", "state=lost"] {
        let (status, problem) = hub.get_as(&head, &format!("/v1/complaints?{bad}")).await;
        assert_eq!(status, 422, "{bad}: {problem:#}");
    }
    let (status, listed) = hub.get_as(&head, "/v1/complaints?limit=1").await;
    assert_eq!(status, 200);
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed:#}");

    // Who may do what.
    let path = format!("/v1/complaints/{id}");
    assert_eq!(hub.get_as(&other, &path).await.0, 404);
    assert_eq!(hub.get_as(&officer, &path).await.0, 200);
    assert_eq!(
        hub.post_as(&officer, &format!("{path}/accept"), &json!({}))
            .await
            .0,
        403
    );
    assert_eq!(
        hub.post_as(&other, &format!("{path}/accept"), &json!({}))
            .await
            .0,
        404
    );
    assert_eq!(
        hub.post_as(hub.admin_token(), "/v1/complaints", &body)
            .await
            .0,
        403
    );
    let (status, _) = hub
        .post_as(
            &head,
            &format!("{path}/resolve"),
            &json!({"outcome": "upheld", "findings": "x", "conclusion": "y"}),
        )
        .await;
    assert_eq!(status, 409, "not accepted yet");

    // Accepted: the 5-working-day limit for freezes runs; answered with the signed decision.
    let (status, c) = hub
        .post_as(&head, &format!("{path}/accept"), &json!({}))
        .await;
    assert_eq!(status, 200, "{c:#}");
    assert_eq!(deadline(&c, "complaint_acceptance")["status"], "done");
    let due = calendar.add_working_days(today(), 5).unwrap().to_string();
    assert_eq!(deadline(&c, "complaint_resolution")["due_on"], due.as_str());
    let (status, c) = hub
        .post_as(&head, &format!("{path}/resolve"), &json!({
            "outcome": "partly_upheld",
            "findings": "Tài khoản bị phong tỏa 500.000.000 đồng trong khi số tiền phải thi hành là 157.500.000 đồng.",
            "conclusion": "Giải tỏa phần phong tỏa vượt quá 157.500.000 đồng trong ngày."
        }))
        .await;
    assert_eq!(status, 200, "{c:#}");
    assert_eq!(c["state"], "resolved");
    assert_eq!(deadline(&c, "complaint_resolution")["status"], "done");
    assert_eq!(c["answer"]["number"], "1/QĐ-GQKN");
    let r = hub
        .get_with(Some(&head), &format!("{path}/decision.pdf"))
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    for want in [
        "QUYẾT ĐỊNH",
        "giải quyết khiếu nại (lần đầu) của Trần Thị Bình",
        "1/QĐ-GQKN",
        "đúng một phần",
        "157.500.000",
        "(Đã ký số)",
    ] {
        assert!(text.contains(want), "{want:?} not in {text}");
    }
    let (_, check) = hub.get_as(&head, &format!("{path}/decision/verify")).await;
    assert_eq!(check["valid"], true, "{check:#}");

    // The complainant follows it through the portal: id + CCCD, never another's.
    let status_path = format!("/v1/portal/complaints/{id}/status");
    let me = json!({"cccd": DEBTOR_CCCD});
    assert_eq!(portal(hub, None, &status_path, &me).await.0, 401);
    assert_eq!(
        portal(
            hub,
            Some(PORTAL_TOKEN),
            &status_path,
            &json!({"cccd": "079078001234"})
        )
        .await
        .0,
        404
    );
    let (status, seen) = portal(hub, Some(PORTAL_TOKEN), &status_path, &me).await;
    assert_eq!(status, 200, "{seen:#}");
    assert_eq!(
        (seen["state"].as_str(), seen["answer"]["number"].as_str()),
        (Some("resolved"), Some("1/QĐ-GQKN"))
    );
    assert!(
        seen["next"].as_str().unwrap().contains("lần hai"),
        "{seen:#}"
    );
    let r = hub
        .http
        .post(format!("{}/v1/portal/complaints/{id}/decision", hub.base))
        .bearer_auth(PORTAL_TOKEN)
        .json(&me)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.bytes().await.unwrap(), pdf);

    // A second complaint online, to the provincial head; the first is now appealed.
    let second = filing(
        "portal-2026-0001",
        case_id,
        "officer",
        json!({"channel": "online", "previous_complaint_id": id, "stage": "freeze"}),
    );
    let (status, filed2) = portal(hub, Some(PORTAL_TOKEN), "/v1/portal/complaints", &second).await;
    assert_eq!(status, 201, "{filed2:#}");
    let c2 = &filed2["complaint"];
    assert_eq!(
        (c2["round"].as_i64(), c2["resolver_office"].as_str()),
        (Some(2), Some("HCM"))
    );
    assert_eq!(hub.get_as(&head, &path).await.1["state"], "appealed");
    let path2 = format!("/v1/complaints/{}", c2["id"].as_str().unwrap());
    assert_eq!(
        hub.post_as(&head, &format!("{path2}/accept"), &json!({}))
            .await
            .0,
        403
    );
    let (status, c2) = hub
        .post_as(&province, &format!("{path2}/accept"), &json!({}))
        .await;
    assert_eq!(status, 200, "{c2:#}");
    let due = calendar
        .add_calendar_days_to_deadline(today(), 30)
        .unwrap()
        .to_string();
    assert_eq!(
        deadline(&c2, "complaint_resolution")["due_on"],
        due.as_str()
    );

    // Against the head's own decision: the provincial head refuses it, with the reason.
    let (status, f3) = hub
        .post_as(
            &clerk,
            "/v1/complaints",
            &filing("TCD-KV01-0003", case_id, "head", json!({})),
        )
        .await;
    assert_eq!(status, 201, "{f3:#}");
    let path3 = format!("/v1/complaints/{}", f3["complaint"]["id"].as_str().unwrap());
    assert_eq!(f3["complaint"]["resolver_office"], "HCM");
    assert_eq!(
        hub.post_as(&head, &format!("{path3}/refuse"), &json!({"reason": "x"}))
            .await
            .0,
        403
    );
    assert_eq!(
        hub.post_as(
            &province,
            &format!("{path3}/refuse"),
            &json!({"reason": " "})
        )
        .await
        .1["errors"][0]["field"],
        "/reason"
    );
    let (status, c3) = hub
        .post_as(
            &province,
            &format!("{path3}/refuse"),
            &json!({"reason": "Hết thời hiệu khiếu nại (khoản 2 Điều 140)."}),
        )
        .await;
    assert_eq!((status, c3["state"].as_str()), (200, Some("refused")));
    let (_, seen3) = portal(
        hub,
        Some(PORTAL_TOKEN),
        &format!(
            "/v1/portal/complaints/{}/status",
            f3["complaint"]["id"].as_str().unwrap()
        ),
        &me,
    )
    .await;
    assert!(
        seen3["refusal_reason"]
            .as_str()
            .unwrap()
            .contains("thời hiệu"),
        "{seen3:#}"
    );

    later::later_steps(
        hub,
        &sink,
        calendar,
        later::Staff {
            clerk: &clerk,
            head: &head,
            province: &province,
            other: &other,
        },
        case_id,
        &id,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn complaints_embedded() {
    complaints(Kind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn complaints_postgres_jetstream() {
    complaints(Kind::Production).await;
}
