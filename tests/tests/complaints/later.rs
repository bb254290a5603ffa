//! The later steps of the complaints test: an overdue complaint on the calendar (view, overview),
//! a denunciation extended, the reception log, the statistics and the head's digest.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use serde_json::json;
use thads_core::calendar::Calendar;
use thads_e2e::hub::Hub;
use thads_e2e::smtp_sink::SmtpSink;
use time::Duration as Days;

use super::helpers::{deadline, filing, today, DEBTOR_CCCD};

/// Who acts in the later steps.
pub(crate) struct Staff<'a> {
    pub(crate) clerk: &'a str,
    pub(crate) head: &'a str,
    pub(crate) province: &'a str,
    pub(crate) other: &'a str,
}

/// The overdue complaint, the denunciation, the reception log, statistics and the digest.
pub(crate) async fn later_steps(
    hub: &Hub,
    sink: &SmtpSink,
    calendar: &Calendar,
    staff: Staff<'_>,
    case_id: &str,
    id: &str,
) {
    let Staff {
        clerk,
        head,
        province,
        other,
    } = staff;
    // Received 60 days ago and accepted 55 days ago: both limits passed on the calendar.
    let old = today() - Days::days(60);
    let (status, f4) = hub
        .post_as(
            clerk,
            "/v1/complaints",
            &filing(
                "TCD-KV01-0004",
                case_id,
                "officer",
                json!({"channel": "post", "received_on": old.to_string()}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{f4:#}");
    let id4 = f4["complaint"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        deadline(&f4["complaint"], "complaint_acceptance")["status"],
        "overdue"
    );
    let (_, overview) = hub
        .get_as(head, "/v1/deadlines/overview?kind=complaint&status=overdue")
        .await;
    let mine = overview["offices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["office"] == "HCM-KV01")
        .unwrap();
    assert_eq!(mine["complaints"]["overdue"], 1, "{overview:#}");
    assert!(
        mine["cases"]["open"].as_i64().unwrap()
            + mine["cases"]["due_soon"].as_i64().unwrap()
            + mine["cases"]["overdue"].as_i64().unwrap()
            >= 1,
        "cases too: {overview:#}"
    );
    assert_eq!(overview["items"][0]["id"], id4.as_str());
    assert!(
        overview["offices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["office"] == "HCM-KV01"),
        "only the head's office"
    );
    let accepted = today() - Days::days(55);
    let (status, c4) = hub
        .post_as(
            head,
            &format!("/v1/complaints/{id4}/accept"),
            &json!({"on": accepted.to_string()}),
        )
        .await;
    assert_eq!(status, 200, "{c4:#}");
    let due = calendar
        .add_calendar_days_to_deadline(accepted, 15)
        .unwrap()
        .to_string();
    let resolution = deadline(&c4, "complaint_resolution");
    assert_eq!(
        (resolution["due_on"].as_str(), resolution["status"].as_str()),
        (Some(due.as_str()), Some("overdue"))
    );
    assert_eq!(
        hub.post_as(head, &format!("/v1/complaints/{id4}/accept"), &json!({}))
            .await
            .0,
        409
    );
    let future = (today() + Days::days(3)).to_string();
    let (status, e) = hub
        .post_as(
            head,
            &format!("/v1/complaints/{id4}/resolve"),
            &json!({"outcome": "rejected", "findings": "a", "conclusion": "b", "on": future}),
        )
        .await;
    assert_eq!(
        (status, e["errors"][0]["field"].as_str()),
        (422, Some("/on"))
    );

    // A denunciation: extended twice, not a third time.
    let (status, f5) = hub
        .post_as(
            clerk,
            "/v1/complaints",
            &filing(
                "TCD-KV01-0005",
                case_id,
                "officer",
                json!({"kind": "denunciation"}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{f5:#}");
    let path5 = format!("/v1/complaints/{}", f5["complaint"]["id"].as_str().unwrap());
    hub.post_as(head, &format!("{path5}/accept"), &json!({}))
        .await;
    let first_due = calendar.add_calendar_days_to_deadline(today(), 30).unwrap();
    for n in 1..=2 {
        let (status, c5) = hub
            .post_as(
                head,
                &format!("{path5}/extend"),
                &json!({"reason": "Vụ việc phức tạp"}),
            )
            .await;
        assert_eq!(
            (status, c5["extensions"].as_i64()),
            (200, Some(n)),
            "{c5:#}"
        );
    }
    let (_, c5) = hub.get_as(head, &path5).await;
    let after_one = calendar
        .add_calendar_days_to_deadline(first_due, 30)
        .unwrap();
    let after_two = calendar
        .add_calendar_days_to_deadline(after_one, 30)
        .unwrap()
        .to_string();
    assert_eq!(
        deadline(&c5, "complaint_resolution")["due_on"],
        after_two.as_str()
    );
    assert_eq!(
        hub.post_as(head, &format!("{path5}/extend"), &json!({"reason": "x"}))
            .await
            .0,
        409
    );

    // Reception visits: logged by the office, listed for it only.
    let visit = json!({"visitor_name": "Trần Thị Bình", "visitor_cccd": DEBTOR_CCCD,
        "subject": "Khiếu nại việc phong tỏa tài khoản", "outcome": "complaint_filed", "complaint_id": id, "case_id": case_id});
    let (status, v) = hub.post_as(clerk, "/v1/reception/visits", &visit).await;
    assert_eq!(status, 201, "{v:#}");
    assert_eq!(
        (v["received_by"].as_str(), v["office"].as_str()),
        (Some("thu.ky"), Some("HCM-KV01"))
    );
    assert!(v["visitor_cccd"].as_str().unwrap().contains('*'));
    let mut no_complaint = visit.clone();
    no_complaint.as_object_mut().unwrap().remove("complaint_id");
    assert_eq!(
        hub.post_as(clerk, "/v1/reception/visits", &no_complaint)
            .await
            .1["errors"][0]["field"],
        "/complaint_id"
    );
    assert_eq!(
        hub.post_as(hub.admin_token(), "/v1/reception/visits", &visit)
            .await
            .0,
        403
    );
    assert_eq!(
        hub.get_as(clerk, "/v1/reception/visits")
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        hub.get_as(other, "/v1/reception/visits")
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // Statistics and the report form count them per answering office.
    let range = format!("from={}&to={}", today() - Days::days(90), today());
    let (status, stats) = hub
        .get_as(
            head,
            &format!("/v1/statistics?{range}&level=office&code=HCM-KV01"),
        )
        .await;
    assert_eq!(status, 200, "{stats:#}");
    let f = &stats["complaints"][0]["figures"];
    assert_eq!(stats["complaints"][0]["code"], "HCM-KV01");
    assert_eq!(
        (
            f["received"].as_i64(),
            f["denunciations"].as_i64(),
            f["accepted"].as_i64(),
            f["resolved"].as_i64(),
            f["overdue"].as_i64(),
            f["pending"].as_i64()
        ),
        (Some(3), Some(1), Some(3), Some(1), Some(1), Some(2)),
        "{stats:#}"
    );
    let r = hub
        .get_with(
            Some(province),
            &format!("/v1/reports/complaints?{range}&code=HCM&format=csv"),
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let csv = r.text().await.unwrap();
    assert!(
        csv.contains("Đơn tiếp nhận") && csv.contains("HCM-KV01,Đơn vị,3,1,3,0,1,0,2,1"),
        "{csv}"
    );

    // The head's digest lists the overdue complaint.
    let out = hub.cli(
        &[
            "staff",
            "email",
            "truong.phong",
            "truong.phong@thads.gov.vn",
        ],
        &[],
    );
    assert!(out.status.success());
    let mails = sink.wait_for(1, Duration::from_secs(30)).await.unwrap();
    let text = mails[0].parsed().unwrap().text.unwrap();
    assert!(
        text.contains(&id4)
            && text.contains("Giải quyết khiếu nại, tố cáo")
            && text.contains("QUÁ HẠN"),
        "{text}"
    );
}
