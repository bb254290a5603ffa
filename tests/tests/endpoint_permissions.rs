//! Role and office permissions, endpoint by endpoint (issue 8).
//!
//! Every staff endpoint in [`MATRIX`] is called without a token (401), by people it must
//! refuse (another office: 404 so existence is not revealed, or 403 for the wrong role) and by
//! someone it serves (2xx, or the documented non-refusal answer such as 409). Adding an
//! endpoint is one line. [`every_route_is_classified_or_refuses_anonymous_calls`] reads the
//! route list from the gateway's source and calls every route that is not a partner or
//! public endpoint without a token: a new route that forgets its session check fails it.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use thads_e2e::corpus::camt054_credit;
use thads_e2e::hub::Hub;

/// The office of the civil-loan example's case.
const OFFICE: &str = "HCM-KV01";

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// An enforcement officer of the case's office.
    Officer,
    /// A clerk of the case's office.
    Clerk,
    /// The head of another office of the same province.
    OtherHead,
    /// An administrator of another province.
    OtherAdmin,
    /// The test administrator of the national department (`CUC`, every office).
    Admin,
}

/// One line of the matrix: method, path (`{case}`, `{message}`, `{payload_message}`,
/// `{receipt}`, `{order}` are filled in), JSON body for unsafe methods, who is served and
/// with which status, and who is refused with which status.
struct Line {
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
    served: &'static [(Who, u16)],
    refused: &'static [(Who, u16)],
}

const fn get(
    path: &'static str,
    served: &'static [(Who, u16)],
    refused: &'static [(Who, u16)],
) -> Line {
    Line {
        method: "GET",
        path,
        body: None,
        served,
        refused,
    }
}

use Who::*;

/// The staff endpoints and who may call them.
const MATRIX: &[Line] = &[
    // Case reads: any role of the case's office, administrators above it; others 404.
    get(
        "/v1/cases/{case}",
        &[(Officer, 200), (Clerk, 200), (Admin, 200)],
        &[(OtherHead, 404), (OtherAdmin, 404)],
    ),
    get(
        "/v1/cases/{case}/operations",
        &[(Clerk, 200), (Admin, 200)],
        &[(OtherHead, 404), (OtherAdmin, 404)],
    ),
    get(
        "/v1/cases/{case}/receipts",
        &[(Officer, 200), (Admin, 200)],
        &[(OtherHead, 404), (OtherAdmin, 404)],
    ),
    get(
        "/v1/cases/{case}/bank-orders",
        &[(Officer, 200), (Clerk, 200)],
        &[(OtherHead, 404), (OtherAdmin, 404)],
    ),
    get(
        "/v1/cases/{case}/verifications",
        &[(Officer, 200)],
        &[(OtherHead, 404)],
    ),
    get(
        "/v1/receipts/{receipt}",
        &[(Officer, 200), (Admin, 200)],
        &[(OtherHead, 404), (OtherAdmin, 404)],
    ),
    get(
        "/v1/bank/orders/{order}",
        &[(Officer, 200), (Admin, 200)],
        &[(OtherHead, 404), (OtherAdmin, 404)],
    ),
    // Messages: as their case; a message of no case to administrators only.
    get(
        "/v1/messages/{message}",
        &[(Officer, 200), (Clerk, 200), (Admin, 200)],
        &[(OtherHead, 404), (OtherAdmin, 404)],
    ),
    get(
        "/v1/messages/{message}/payload",
        &[(Officer, 200), (Admin, 200)],
        &[(OtherHead, 404), (OtherAdmin, 404)],
    ),
    get(
        "/v1/messages/{payload_message}",
        &[(Admin, 200)],
        &[(Officer, 404), (OtherHead, 404)],
    ),
    get(
        "/v1/messages/{payload_message}/payload",
        &[(Admin, 200)],
        &[(Officer, 404), (Clerk, 404)],
    ),
    // Lists filtered to the caller's offices.
    get(
        "/v1/reconciliation",
        &[(Officer, 200), (OtherHead, 200), (Admin, 200)],
        &[],
    ),
    get(
        "/v1/payments/unmatched",
        &[(Officer, 200), (Admin, 200)],
        &[],
    ),
    get("/v1/worklist", &[(Officer, 200), (Clerk, 200)], &[]),
    get("/v1/operations", &[(Clerk, 200), (Admin, 200)], &[]),
    get("/v1/service-tasks", &[(Clerk, 200)], &[(Officer, 403)]),
    get(
        "/v1/statistics?year=2026&level=office&code=HCM-KV01",
        &[(Officer, 200), (Admin, 200)],
        &[(OtherHead, 403), (OtherAdmin, 403)],
    ),
    get(
        "/v1/reports/cases?year=2026&level=office&code=HCM-KV01",
        &[(Clerk, 200), (Admin, 200)],
        &[(OtherHead, 403)],
    ),
    get("/v1/auth/me", &[(Clerk, 200)], &[]),
    // Complaints: staff of the answering office and of the office complained of; the head
    // of the answering office acts (docs/complaints.md).
    get(
        "/v1/complaints/{complaint}",
        &[(Officer, 200), (Clerk, 200), (Admin, 200)],
        &[(OtherHead, 404), (OtherAdmin, 404)],
    ),
    get("/v1/complaints", &[(Officer, 200), (OtherHead, 200)], &[]),
    Line {
        method: "POST",
        path: "/v1/complaints",
        body: Some("{}"),
        // Let through, and told what the filing lacks.
        served: &[(Clerk, 422)],
        refused: &[(Admin, 403)],
    },
    Line {
        method: "POST",
        path: "/v1/complaints/{complaint}/accept",
        body: Some("{}"),
        served: &[],
        refused: &[(Officer, 403), (Clerk, 403), (Admin, 403), (OtherHead, 404)],
    },
    get(
        "/v1/complaints/{complaint}/decision.pdf",
        &[(Officer, 404)],
        &[(OtherHead, 404)],
    ),
    get("/v1/reception/visits", &[(Clerk, 200), (Admin, 200)], &[]),
    get(
        "/v1/deadlines/overview",
        &[
            (Officer, 200),
            (Clerk, 200),
            (OtherHead, 200),
            (OtherAdmin, 200),
            (Admin, 200),
        ],
        &[],
    ),
    get(
        "/v1/deadlines/overview?office=HCM-KV01&format=csv",
        &[(Officer, 200), (Admin, 200)],
        &[(OtherHead, 403), (OtherAdmin, 403)],
    ),
    // Administrator only.
    get(
        "/v1/admin/audit?limit=5",
        &[(Admin, 200)],
        &[
            (OtherAdmin, 403),
            (Officer, 403),
            (Clerk, 403),
            (OtherHead, 403),
        ],
    ),
    get(
        "/v1/admin/audit/verify",
        &[(Admin, 200)],
        &[(OtherAdmin, 403), (Officer, 403)],
    ),
    Line {
        method: "PUT",
        path: "/v1/admin/maintenance",
        body: Some(r#"{"on": false}"#),
        served: &[(Admin, 200), (OtherAdmin, 200)],
        refused: &[(Officer, 403), (Clerk, 403), (OtherHead, 403)],
    },
    Line {
        method: "POST",
        path: "/v1/admin/messages/{message}/replay",
        body: Some("{}"),
        // Not dead-lettered: the administrator is let through and told so.
        served: &[(Admin, 409)],
        refused: &[(Officer, 403), (Clerk, 403), (OtherHead, 403)],
    },
    // The operator's console (docs/console.md).
    get(
        "/v1/admin/messages?partner=vneid",
        &[(Admin, 200), (OtherHead, 200)],
        &[(Officer, 403), (Clerk, 403)],
    ),
    get(
        "/v1/admin/partners/health?window=1h",
        &[(Admin, 200), (OtherAdmin, 200)],
        &[(Officer, 403), (OtherHead, 403)],
    ),
    get(
        "/v1/admin/dead-letters?format=csv",
        &[(Admin, 200), (OtherAdmin, 200)],
        &[(Officer, 403), (Clerk, 403), (OtherHead, 403)],
    ),
    Line {
        method: "POST",
        path: "/v1/admin/dead-letters/replay",
        body: Some(r#"{"message_ids": ["khong-co"]}"#),
        // Let through; the outcome says it is not a dead letter.
        served: &[(Admin, 200)],
        refused: &[(Officer, 403), (OtherHead, 403)],
    },
    Line {
        method: "POST",
        path: "/v1/admin/messages/{message}/discard",
        body: Some(r#"{"reason": "thử quyền"}"#),
        // Not dead-lettered: the administrator is told so; another province's does not see it.
        served: &[(Admin, 409)],
        refused: &[(OtherAdmin, 404), (Officer, 403), (OtherHead, 403)],
    },
    get(
        "/v1/admin/alerts",
        &[(Admin, 200), (OtherHead, 200)],
        &[(Officer, 403), (Clerk, 403)],
    ),
    Line {
        method: "POST",
        path: "/v1/admin/alerts/acknowledge",
        body: Some(r#"{"key": "khong-co"}"#),
        // No such alert holds: the administrator is told so.
        served: &[(Admin, 404)],
        refused: &[(Officer, 403), (OtherHead, 403)],
    },
    get(
        "/v1/admin/partners",
        &[(Admin, 200), (OtherAdmin, 200)],
        &[(Officer, 403), (Clerk, 403), (OtherHead, 403)],
    ),
    get(
        "/v1/admin/partners/vneid/endpoint",
        &[(Admin, 200), (OtherAdmin, 200)],
        &[(Officer, 403), (OtherHead, 403)],
    ),
    Line {
        method: "PUT",
        path: "/v1/admin/partners/khong-co/endpoint",
        body: Some(r#"{"url": "http://127.0.0.1:9", "timeout_ms": 1000}"#),
        // Only CUC administrators change endpoints; this partner does not exist.
        served: &[(Admin, 404)],
        refused: &[(OtherAdmin, 403), (Officer, 403), (OtherHead, 403)],
    },
    Line {
        method: "POST",
        path: "/v1/admin/partners/khong-co/endpoint/restore",
        body: Some(r#"{"version": 1}"#),
        served: &[(Admin, 404)],
        refused: &[(OtherAdmin, 403), (Officer, 403)],
    },
    Line {
        method: "POST",
        path: "/v1/admin/partners/vneid/check",
        body: Some("{}"),
        served: &[(Admin, 200), (OtherAdmin, 200)],
        refused: &[(Officer, 403), (Clerk, 403), (OtherHead, 403)],
    },
    Line {
        method: "POST",
        path: "/v1/admin/digest",
        body: Some("{}"),
        // No mail server in this test: the administrator is let through and told so.
        served: &[(Admin, 503)],
        refused: &[(Officer, 403), (Clerk, 403), (OtherHead, 403)],
    },
];

/// Partner endpoints: authenticated by the partner's signature or token, not a staff session.
const PARTNER: &[&str] = &[
    "/v1/court/judgments",
    "/v1/court/evidences",
    "/v1/bank/notifications",
    "/v1/bank/orders/acks",
    "/v1/vneid/receipts",
    // The party portal, with its bearer token (docs/complaints.md).
    "/v1/portal/complaints",
    "/v1/portal/complaints/{id}/status",
    "/v1/portal/complaints/{id}/decision",
];

/// Public by design.
const PUBLIC: &[&str] = &[
    "/healthz",
    "/readyz",
    "/metrics",
    "/v1/keys",
    "/v1/auth/sign-in",
    "/v1/auth/sign-out",
    "/openapi.json",
    // The party portal's page (no data) and the VNeID sign-in's start and callback.
    "/me",
    "/v1/me/sign-in",
    "/v1/me/callback",
    // The console's static files (no data: every figure comes from the API with a session).
    "/console",
    "/console/",
    "/console/{*path}",
];

/// The ids the matrix's paths name.
struct Fixture {
    case: String,
    message: String,
    payload_message: String,
    receipt: String,
    order: String,
    complaint: String,
}

impl Fixture {
    fn path(&self, template: &str) -> String {
        template
            .replace("{case}", &self.case)
            .replace("{message}", &self.message)
            .replace("{payload_message}", &self.payload_message)
            .replace("{receipt}", &self.receipt)
            .replace("{order}", &self.order)
            .replace("{complaint}", &self.complaint)
    }
}

/// A case of `OFFICE` with a message, a posted payment's receipt and a bank order, plus a
/// rejected document (a message of no case).
async fn fixture(hub: &Hub, officer: &str) -> Fixture {
    let receipt = post_accepted(hub, &civil_loan()).await;
    let message = receipt["message_id"].as_str().unwrap().to_string();
    let case = case_of(hub, &message).await;
    assert_eq!(case["office"], OFFICE);
    let case_id = case["id"].as_str().unwrap().to_string();

    // A payment quoting the case's reference: posted on the case, with a receipt.
    let memo = format!("NOP TIEN {}", case["payment_reference"].as_str().unwrap());
    let r = hub
        .http
        .post(format!("{}/v1/bank/notifications", hub.base))
        .header("content-type", "application/xml")
        .body(camt054_credit("FT26327000001", 1_000_000, &memo))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202);
    let receipts = hub
        .wait_for(
            &format!("/v1/cases/{case_id}/receipts"),
            Duration::from_secs(30),
            |l| l.as_array().is_some_and(|a| !a.is_empty()),
        )
        .await;
    let receipt_id = receipts[0]["receipt_id"].as_str().unwrap().to_string();

    // A freeze order issued by the officer, once assigned to the case.
    let head = hub.staff("truong.fixture", "head", OFFICE).await;
    let clerk = hub.staff("thu.ky.fixture", "clerk", OFFICE).await;
    for (token, body) in [
        (&clerk, json!({"operation": "register"})),
        (
            &head,
            json!({"operation": "issue_decision", "params": {"decision_number": "1/QĐ-THADS"}}),
        ),
        (
            &head,
            json!({"operation": "assign_officer", "params": {"officer": "chv.an"}}),
        ),
    ] {
        let (status, answer) = hub
            .post_as(token, &format!("/v1/cases/{case_id}/operations"), &body)
            .await;
        assert_eq!(status, 201, "{body} -> {answer:#}");
    }
    let (status, order) = hub
        .post_as(
            officer,
            &format!("/v1/cases/{case_id}/bank-orders"),
            &json!({
                "kind": "freeze",
                "bank": "VCB",
                "account": "0071000888999",
                "amount_vnd": 1_000_000,
                "decision_number": "12/QĐ-CCTHADS",
                "decision_date": "2026-11-23",
                "request_id": "perm-1",
            }),
        )
        .await;
    assert!(status == 200 || status == 201, "{status} {order:#}");

    // A broken document: rejected, its bytes kept, no case.
    let r = hub.post_judgment("<Judgment>broken</Judgment>").await;
    assert_eq!(r.status().as_u16(), 422);
    let rejected: Value = r.json().await.unwrap();
    let payload_message = rejected["message_id"].as_str().unwrap().to_string();

    // A complaint about the officer, recorded at reception.
    let (status, filed) = hub
        .post_as(
            &clerk,
            "/v1/complaints",
            &json!({
                "client_reference": "perm-1",
                "kind": "complaint",
                "channel": "reception",
                "complainant": {"name": "Trần Thị Bình", "cccd": "079182005678"},
                "target": {"case_id": case_id, "against": "officer"},
                "subject": "Khiếu nại việc phong tỏa tài khoản."
            }),
        )
        .await;
    assert_eq!(status, 201, "{filed:#}");
    let complaint = filed["complaint"]["id"].as_str().unwrap().to_string();

    Fixture {
        complaint,
        case: case_id,
        message,
        payload_message,
        receipt: receipt_id,
        order: order["order_id"].as_str().unwrap().to_string(),
    }
}

async fn call(hub: &Hub, token: Option<&str>, method: &str, path: &str, body: Option<&str>) -> u16 {
    let url = format!("{}{path}", hub.base);
    let mut request = match method {
        "GET" => hub.http.get(url),
        "POST" => hub.http.post(url),
        "PUT" => hub.http.put(url),
        "DELETE" => hub.http.delete(url),
        other => panic!("method {other}"),
    };
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn every_staff_endpoint_checks_session_role_and_office() {
    let s = setup(Kind::Embedded, |_| {}).await;
    let hub = &s.hub;
    let officer = hub.staff("chv.an", "officer", OFFICE).await;
    let clerk = hub.staff("thu.ky", "clerk", OFFICE).await;
    let other_head = hub.staff("truong.khac", "head", "HCM-KV02").await;
    let other_admin = hub.staff("quan.tri.hni", "administrator", "HNI").await;
    let tokens = [
        (Officer, officer.clone()),
        (Clerk, clerk),
        (OtherHead, other_head),
        (OtherAdmin, other_admin),
        (Admin, hub.admin_token().to_string()),
    ];
    let token = |who: Who| tokens.iter().find(|(w, _)| *w == who).unwrap().1.as_str();
    let f = fixture(hub, &officer).await;

    let mut failures = Vec::new();
    for line in MATRIX {
        let path = f.path(line.path);
        let status = call(hub, None, line.method, &path, line.body).await;
        if status != 401 {
            failures.push(format!(
                "{} {path} without a token: {status}, want 401",
                line.method
            ));
        }
        let checks = line.served.iter().chain(line.refused.iter());
        for &(who, want) in checks {
            let status = call(hub, Some(token(who)), line.method, &path, line.body).await;
            if status != want {
                failures.push(format!(
                    "{} {path} as {who:?}: {status}, want {want}",
                    line.method
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The replay names the administrator who acted (checked with a real dead letter in the
    // journey tests; here: a refused officer left no trace in the journey).
    let msg = hub
        .get_json(&f.path("/v1/messages/{message}"))
        .await
        .unwrap();
    assert!(!journey_states(&msg).contains(&"replayed".to_string()));

    // The case view still masks CCCDs, for its own office too.
    let (_, case) = hub.get_as(&officer, &f.path("/v1/cases/{case}")).await;
    for p in case["parties"].as_array().unwrap() {
        if let Some(cccd) = p["cccd"].as_str() {
            assert!(cccd.contains('*'), "unmasked CCCD {cccd}");
        }
    }
}

#[tokio::test]
async fn every_route_is_classified_or_refuses_anonymous_calls() {
    let routes = routes_in_source();
    assert!(
        routes.len() > 40,
        "only {} routes found: {routes:?}",
        routes.len()
    );
    for p in PARTNER.iter().chain(PUBLIC) {
        assert!(routes.contains(*p), "{p} is listed but not routed any more");
    }
    let s = setup(Kind::Embedded, |_| {}).await;
    let hub = &s.hub;
    let mut open = Vec::new();
    for route in &routes {
        if PARTNER.contains(&route.as_str()) || PUBLIC.contains(&route.as_str()) {
            continue;
        }
        // Fill every `{param}` with an id that exists nowhere.
        let mut path = String::new();
        let mut in_param = false;
        for c in route.chars() {
            match c {
                '{' => in_param = true,
                '}' => {
                    in_param = false;
                    path.push_str("khong-co");
                }
                _ if in_param => {}
                _ => path.push(c),
            }
        }
        for method in ["GET", "POST", "PUT", "DELETE"] {
            let body = (method != "GET").then_some("{}");
            let status = call(hub, None, method, &path, body).await;
            if status != 401 && status != 405 {
                open.push(format!("{method} {route}: {status} without a token"));
            }
        }
    }
    assert!(
        open.is_empty(),
        "staff routes must answer 401 without a session (or be listed as PARTNER or PUBLIC):\n{}",
        open.join("\n")
    );
}

/// `{param}` filled with an id that exists nowhere.
fn fill(route: &str) -> String {
    let mut path = String::new();
    let mut in_param = false;
    for c in route.chars() {
        match c {
            '{' => in_param = true,
            '}' => {
                in_param = false;
                path.push_str("khong-co");
            }
            _ if in_param => {}
            _ => path.push(c),
        }
    }
    path
}

/// Party routes (`/v1/me/...`) take a party session only: a staff token gets 401 there; and a
/// party session (signed in through the VNeID simulator) gets 401 on every staff route.
#[tokio::test]
async fn party_and_staff_sessions_do_not_stand_in_for_each_other() {
    use reqwest::Method;
    use thads_e2e::http_browser::Browser;
    use thads_e2e::oidc_sim::OidcSim;

    let port = thads_e2e::hub::free_port();
    let redirect = format!("http://127.0.0.1:{port}/v1/me/callback");
    let sim = OidcSim::start("thads-hub", "bi-mat", &redirect)
        .await
        .unwrap();
    let issuer = sim.issuer.clone();
    let s = setup(Kind::Embedded, |o| {
        o.port = Some(port);
        for (k, v) in [
            ("THADS_CITIZEN_OIDC__ISSUER", issuer.as_str()),
            ("THADS_CITIZEN_OIDC__CLIENT_ID", "thads-hub"),
            ("THADS_CITIZEN_OIDC__CLIENT_SECRET", "bi-mat"),
            ("THADS_CITIZEN_OIDC__REDIRECT_URL", redirect.as_str()),
        ] {
            o.env.push((k.into(), v.into()));
        }
    })
    .await;
    let hub = &s.hub;
    sim.state.sign_in_as("079078001234", "Nguyễn Văn An");
    let party = Browser::new();
    let (_, last) = party.navigate(&format!("{}/v1/me/sign-in", hub.base)).await;
    assert_eq!(last.status().as_u16(), 200);
    assert_eq!(
        party
            .get(&format!("{}/v1/me", hub.base))
            .await
            .status()
            .as_u16(),
        200
    );
    let staff = hub.staff("thu.ky", "clerk", OFFICE).await;

    let mut open = Vec::new();
    for route in routes_in_source() {
        if PARTNER.contains(&route.as_str()) || PUBLIC.contains(&route.as_str()) {
            continue;
        }
        let path = fill(&route);
        let party_route = route == "/v1/me" || route.starts_with("/v1/me/");
        for method in ["GET", "POST", "PUT", "DELETE"] {
            let body = (method != "GET").then_some("{}");
            let status = if party_route {
                call(hub, Some(&staff), method, &path, body).await
            } else {
                let m = Method::from_bytes(method.as_bytes()).unwrap();
                party
                    .send(
                        m,
                        &format!("{}{path}", hub.base),
                        &[],
                        body.map(str::to_string),
                    )
                    .await
                    .status()
                    .as_u16()
            };
            if status != 401 && status != 405 {
                let who = if party_route {
                    "a staff token"
                } else {
                    "a party session"
                };
                open.push(format!("{method} {route}: {status} with {who}"));
            }
        }
    }
    assert!(open.is_empty(), "{}", open.join("\n"));
}

/// The same checks against PostgreSQL and JetStream, for the main reads and an admin switch.
#[tokio::test]
async fn production_runtime_smoke() {
    let s = setup(Kind::Production, |_| {}).await;
    let hub = &s.hub;
    let officer = hub.staff("chv.an", "officer", OFFICE).await;
    let other_head = hub.staff("truong.khac", "head", "HCM-KV02").await;
    let receipt = post_accepted(hub, &civil_loan()).await;
    let message = format!("/v1/messages/{}", receipt["message_id"].as_str().unwrap());
    let case = case_of(hub, receipt["message_id"].as_str().unwrap()).await;
    let path = format!("/v1/cases/{}", case["id"].as_str().unwrap());
    assert_eq!(call(hub, None, "GET", &path, None).await, 401);
    assert_eq!(call(hub, Some(&other_head), "GET", &path, None).await, 404);
    assert_eq!(call(hub, Some(&officer), "GET", &path, None).await, 200);
    assert_eq!(call(hub, None, "GET", &message, None).await, 401);
    assert_eq!(
        call(hub, Some(&other_head), "GET", &message, None).await,
        404
    );
    assert_eq!(call(hub, Some(&officer), "GET", &message, None).await, 200);
    let on = Some(r#"{"on": false}"#);
    assert_eq!(
        call(hub, None, "PUT", "/v1/admin/maintenance", on).await,
        401
    );
    assert_eq!(
        call(hub, Some(&officer), "PUT", "/v1/admin/maintenance", on).await,
        403
    );
    assert_eq!(
        call(
            hub,
            Some(hub.admin_token()),
            "PUT",
            "/v1/admin/maintenance",
            on
        )
        .await,
        200
    );
}
