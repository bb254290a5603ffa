//! Party self-service end to end, in both runtimes, against a real OpenID Connect provider
//! (the VNeID sign-in simulator): two cases with different parties; the creditor and the debtor
//! of case A sign in through the whole authorization-code flow (browser redirects and cookies)
//! and see case A with its obligations, decision, notices and how they were served, payment,
//! signed e-receipt, the freeze on the debtor's account, the disbursement lines in the order of
//! payment, and what is owed; case B answers 404 to them, and case B's party sees only case B.
//! The debtor gets a VietQR code for what remains due; the creditor files a request online that
//! staff then see as filed through VNeID; the debtor complains online about the freeze, follows
//! the complaint and downloads the head's signed answer. Forged, foreign, stale and replayed ID tokens and
//! callbacks open no session.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};
use thads_e2e::corpus::camt054_credit;
use thads_e2e::http_browser::Browser;
use thads_e2e::hub::{free_port, Hub};
use thads_e2e::oidc_sim::{Mischief, OidcSim};
use thads_schemas::vietqr::VietQr;

const CLIENT_ID: &str = "thads-hub-e2e";
const CLIENT_SECRET: &str = "bi-mat-thu-nghiem";
const CREDITOR_A: &str = "079078001234";
const DEBTOR_A: &str = "079182005678";
const CREDITOR_B: &str = "001085003333";
const DEBTOR_B: &str = "001190004444";
const DEPOSIT_BIN: &str = "970436";
const DEPOSIT_ACCOUNT: &str = "0071001234567";
const DEBTOR_ACCOUNT: &str = "0071000888999";
const WAIT: Duration = Duration::from_secs(60);

/// Case B: another judgment of the same court with other parties.
fn judgment_b() -> String {
    civil_loan()
        .replace("TAND79-KV1-2026-DS-215", "TAND79-KV1-2026-DS-301")
        .replace("215/2026/DS-ST", "301/2026/DS-ST")
        .replace(CREDITOR_A, CREDITOR_B)
        .replace("<BirthYear>1978</BirthYear>", "<BirthYear>1985</BirthYear>")
        .replace(DEBTOR_A, DEBTOR_B)
        .replace("<BirthYear>1982</BirthYear>", "<BirthYear>1990</BirthYear>")
}

/// Signs `cccd` in through the provider; returns the browser holding the party session.
async fn sign_in(hub: &Hub, sim: &OidcSim, cccd: &str, name: &str) -> Browser {
    sim.state.sign_in_as(cccd, name);
    let browser = Browser::new();
    let (hops, last) = browser
        .navigate(&format!("{}/v1/me/sign-in?return_to=/me", hub.base))
        .await;
    let statuses: Vec<u16> = hops.iter().map(|h| h.status).collect();
    assert_eq!(statuses, [303, 303, 303, 200], "{hops:#?}");
    assert!(hops[1].url.starts_with(&sim.issuer), "{hops:#?}");
    assert!(
        hops[1].url.contains("code_challenge_method=S256"),
        "{hops:#?}"
    );
    assert!(hops[2].url.contains("/v1/me/callback?code="), "{hops:#?}");
    assert!(last.url().path().ends_with("/me"));
    assert!(last.text().await.unwrap().contains("Hồ sơ của tôi"));
    assert!(browser.cookie("thads_party").is_some());
    assert!(browser.cookie("thads_party_sign_in").is_none());
    browser
}

async fn json_of(browser: &Browser, url: &str) -> (u16, Value) {
    let r = browser.get(url).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A spoiled ID token (or a broken callback) opens no session: 401, no cookie.
async fn refused(hub: &Hub, sim: &OidcSim, mischief: Mischief) {
    sim.state.sign_in_as(CREDITOR_A, "Nguyễn Văn An");
    sim.state.spoil_next(mischief);
    let browser = Browser::new();
    let (hops, last) = browser
        .navigate(&format!("{}/v1/me/sign-in", hub.base))
        .await;
    let status = last.status().as_u16();
    let body: Value = last.json().await.unwrap_or(Value::Null);
    assert_eq!(status, 401, "{mischief:?}: {hops:#?} {body:#}");
    assert!(browser.cookie("thads_party").is_none(), "{mischief:?}");
    let (status, _) = json_of(&browser, &format!("{}/v1/me/cases", hub.base)).await;
    assert_eq!(status, 401, "{mischief:?}");
}

async fn party_portal(kind: Kind) {
    let port = free_port();
    let redirect = format!("http://127.0.0.1:{port}/v1/me/callback");
    let sim = OidcSim::start(CLIENT_ID, CLIENT_SECRET, &redirect)
        .await
        .unwrap();
    let issuer = sim.issuer.clone();
    let s = setup(kind, |o| {
        o.port = Some(port);
        for (k, v) in [
            ("THADS_CITIZEN_OIDC__ISSUER", issuer.as_str()),
            ("THADS_CITIZEN_OIDC__CLIENT_ID", CLIENT_ID),
            ("THADS_CITIZEN_OIDC__CLIENT_SECRET", CLIENT_SECRET),
            ("THADS_CITIZEN_OIDC__REDIRECT_URL", redirect.as_str()),
            ("THADS_CITIZEN_OIDC__ALGORITHMS", "[ES256]"),
        ] {
            o.env.push((k.into(), v.into()));
        }
        // Digits-only values are quoted, or the environment reads them as numbers.
        for (k, v) in [
            (
                "THADS_PARTY_PORTAL__DEPOSIT_ACCOUNTS__HCM__BANK_BIN",
                DEPOSIT_BIN,
            ),
            (
                "THADS_PARTY_PORTAL__DEPOSIT_ACCOUNTS__HCM__ACCOUNT",
                DEPOSIT_ACCOUNT,
            ),
        ] {
            o.env.push((k.into(), format!("\"{v}\"")));
        }
    })
    .await;
    let hub = &s.hub;
    let base = hub.base.clone();
    let staff = Office::staff(hub).await;

    // Two cases; case A is worked: decision, notices, a freeze, a payment, a disbursement.
    let a = open_case(hub).await;
    let a_id = a["id"].as_str().unwrap().to_string();
    let reference = a["payment_reference"].as_str().unwrap().to_string();
    let receipt_b = post_accepted(hub, &judgment_b()).await;
    let b = case_of(hub, receipt_b["message_id"].as_str().unwrap()).await;
    let b_id = b["id"].as_str().unwrap().to_string();
    walk_to(hub, &staff, &a_id, Stage::VoluntaryPeriodOver).await;
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let (status, freeze) = hub
        .post_as(
            &staff.officer,
            &format!("/v1/cases/{a_id}/bank-orders"),
            &json!({"kind": "freeze", "bank": "VCB", "account": DEBTOR_ACCOUNT,
                    "amount_vnd": 157_500_000, "decision_number": "20/QĐ-CCTHADS",
                    "decision_date": today, "request_id": "f"}),
        )
        .await;
    assert_eq!(status, 201, "{freeze:#}");
    let memo = format!("TRAN THI BINH NOP TIEN {reference}");
    let r = hub
        .http
        .post(format!("{base}/v1/bank/notifications"))
        .header("content-type", "application/xml")
        .body(camt054_credit("FT-P1", 25_000_000, &memo))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202);
    hub.wait_for(&format!("/v1/cases/{a_id}/receipts"), WAIT, |r| {
        r.as_array()
            .is_some_and(|a| a.len() == 1 && a[0]["signed"] == true)
    })
    .await;
    hub.wait_for(&format!("/v1/cases/{a_id}"), WAIT, |c| {
        c["state"] == "collection"
    })
    .await;
    let (status, dsb) = hub
        .post_as(
            &staff.officer,
            &format!("/v1/cases/{a_id}/disbursements"),
            &json!({"bank": "VCB", "payees": {"P1": {"account": "0071000555666"}}}),
        )
        .await;
    assert_eq!(status, 201, "{dsb:#}");
    // The notices of case A reached VNeID.
    hub.wait_for(&format!("/v1/cases/{a_id}"), WAIT, |c| {
        let vneid: Vec<&Value> = c["notices"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["subject"] == "out.vneid.notify")
            .collect();
        vneid.len() >= 2 && vneid.iter().all(|n| n["state"] == "delivered")
    })
    .await;

    // The creditor of case A signs in through VNeID and sees case A only.
    let creditor = sign_in(hub, &sim, CREDITOR_A, "Nguyễn Văn An").await;
    let (status, me) = json_of(&creditor, &format!("{base}/v1/me")).await;
    assert_eq!(status, 200);
    assert_eq!(me["cccd"], CREDITOR_A);
    assert_eq!(me["name"], "Nguyễn Văn An");
    let csrf = me["csrf_token"].as_str().unwrap().to_string();
    let (_, list) = json_of(&creditor, &format!("{base}/v1/me/cases")).await;
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [a_id.as_str()], "{list:#}");
    assert_eq!(list[0]["your_roles"], json!(["creditor"]));
    let (status, case) = json_of(&creditor, &format!("{base}/v1/me/cases/{a_id}")).await;
    assert_eq!(status, 200, "{case:#}");
    assert_eq!(case["obligations"].as_array().unwrap().len(), 2);
    assert_eq!(case["obligations"][0]["yours"], "owed_to_you");
    for p in case["parties"].as_array().unwrap() {
        let cccd = p["cccd"].as_str().unwrap();
        if p["you"] == true {
            assert_eq!(cccd, CREDITOR_A);
        } else {
            assert!(cccd.contains('*') && !cccd.contains("005678"), "{cccd}");
        }
    }
    assert_eq!(case["decisions"][0]["number"], "12/QĐ-THADS", "{case:#}");
    let notices = case["notices"].as_array().unwrap();
    assert!(!notices.is_empty(), "{case:#}");
    assert!(
        notices.iter().all(|n| n["state"] == "delivered"),
        "{case:#}"
    );
    assert_eq!(case["service"][0]["channel"], "vneid", "{case:#}");
    assert_eq!(case["service"].as_array().unwrap().len(), 1, "{case:#}");
    let payments = case["payments"].as_array().unwrap();
    assert_eq!(payments.len(), 1);
    assert_eq!(payments[0]["amount_vnd"], 25_000_000);
    let receipt_id = payments[0]["receipts"][0]["receipt_id"]
        .as_str()
        .unwrap()
        .to_string();
    // The freeze is on the debtor's account; the creditor's account gets the payout.
    let orders = case["account_orders"].as_array().unwrap();
    assert_eq!(orders.len(), 1, "{case:#}");
    assert_eq!(orders[0]["kind"], "payout", "{case:#}");
    assert_eq!(orders[0]["amount_vnd"], 17_500_000);
    assert_eq!(orders[0]["account"], "*********5666");
    // The order of payment: the court fee before the loan; 17.5 million to the creditor.
    let lines = case["disbursement_lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{case:#}");
    assert_eq!(lines[0]["rank"], "court_fees");
    assert_eq!(lines[0]["amount_vnd"], 7_500_000);
    assert_eq!(lines[1]["to_you"], true);
    assert_eq!(lines[1]["amount_vnd"], 17_500_000);
    assert_eq!(case["money"]["owed_to_you_vnd"], 150_000_000);
    assert_eq!(case["money"]["paid_to_you_vnd"], 17_500_000);
    assert_eq!(case["money"]["still_to_receive_vnd"], 132_500_000);
    assert_eq!(case["money"]["you_owe_vnd"], 0);
    // The signed receipt downloads; nothing of case B does.
    let r = creditor
        .get(&format!("{base}/v1/me/cases/{a_id}/receipts/{receipt_id}"))
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["x-receipt-state"], "issued");
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["amount_vnd"], 25_000_000);
    assert!(doc["signature"]["value"].is_string(), "{doc:#}");
    for path in [
        format!("/v1/me/cases/{b_id}"),
        format!("/v1/me/cases/{b_id}/payment-qr"),
        format!("/v1/me/cases/{b_id}/payment-qr.svg"),
        format!("/v1/me/cases/{b_id}/receipts/{receipt_id}"),
        format!("/v1/me/cases/{b_id}/decisions/x/pdf"),
        format!("/v1/me/cases/{a_id}/decisions/x/pdf"),
        format!("/v1/me/cases/{a_id}/receipts/khong-co"),
    ] {
        let (status, _) = json_of(&creditor, &format!("{base}{path}")).await;
        assert_eq!(status, 404, "{path}");
    }
    // A creditor has nothing to pay.
    let (status, _) = json_of(&creditor, &format!("{base}/v1/me/cases/{a_id}/payment-qr")).await;
    assert_eq!(status, 409);

    // The creditor files a request online: without the CSRF token refused, then accepted for
    // the office holding the judgment, tied to case A, and seen by staff as filed via VNeID.
    let form = json!({
        "judgment": {"court_code": "TAND79-KV1", "number": "215/2026/DS-ST",
                     "date": "2026-03-12", "effective_date": "2026-04-13"},
        "obligations": [{"kind": "pay_money", "amount_vnd": 150_000_000}],
        "email": "an@example.vn"
    });
    let url = format!("{base}/v1/me/requests");
    let r = creditor
        .send(Method::POST, &url, &[], Some(form.to_string()))
        .await;
    assert_eq!(r.status().as_u16(), 403);
    let r = creditor
        .send(
            Method::POST,
            &url,
            &[("x-csrf-token", &csrf)],
            Some(form.to_string()),
        )
        .await;
    assert_eq!(r.status().as_u16(), 201);
    let filed: Value = r.json().await.unwrap();
    assert_eq!(filed["office"], "HCM-KV01", "{filed:#}");
    assert_eq!(filed["case_id"], a_id.as_str(), "{filed:#}");
    assert_eq!(filed["filed_via"], "vneid");
    let request_id = filed["request_id"].as_str().unwrap().to_string();
    let r = creditor
        .send(
            Method::POST,
            &url,
            &[("x-csrf-token", &csrf)],
            Some(form.to_string()),
        )
        .await;
    assert_eq!(r.status().as_u16(), 200, "a resend is the same request");
    let bad = json!({"judgment": {"court_code": "TAND79-KV1", "number": "9/2026/DS-ST",
                                  "date": "2026-03-12", "effective_date": "2026-04-13"},
                     "obligations": [{"kind": "pay_money", "amount_vnd": 1}]});
    let r = creditor
        .send(
            Method::POST,
            &url,
            &[("x-csrf-token", &csrf)],
            Some(bad.to_string()),
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "/office", "{problem:#}");
    let (status, seen) = hub
        .get_as(&staff.clerk, &format!("/v1/requests/{request_id}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(seen["filed_via"], "vneid");
    let msg = hub
        .get_json(&format!("/v1/messages/{request_id}"))
        .await
        .unwrap();
    assert!(
        msg["journey"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("VNeID"),
        "{msg:#}"
    );
    let (_, mine) = json_of(&creditor, &url).await;
    assert_eq!(mine[0]["request_id"], request_id.as_str());
    let r = creditor.get(&format!("{url}/{request_id}/slip")).await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains(filed["register_number"].as_str().unwrap()));

    // The debtor of case A sees the freeze on their account and pays by VietQR.
    let debtor = sign_in(hub, &sim, DEBTOR_A, "Trần Thị Bình").await;
    let (_, case) = json_of(&debtor, &format!("{base}/v1/me/cases/{a_id}")).await;
    assert_eq!(case["your_roles"], json!(["debtor"]));
    let orders = case["account_orders"].as_array().unwrap();
    assert_eq!(orders.len(), 1, "{case:#}");
    assert_eq!(orders[0]["kind"], "freeze");
    assert_eq!(orders[0]["account"], "*********8999");
    assert_eq!(case["money"]["you_owe_vnd"], 132_500_000);
    assert_eq!(case["obligations"][1]["yours"], "owed_by_you");
    let (status, qr) = json_of(&debtor, &format!("{base}/v1/me/cases/{a_id}/payment-qr")).await;
    assert_eq!(status, 200, "{qr:#}");
    let parsed = VietQr::parse(qr["payload"].as_str().unwrap()).unwrap();
    assert_eq!(parsed.bank_bin(), DEPOSIT_BIN);
    assert_eq!(parsed.account(), DEPOSIT_ACCOUNT);
    assert_eq!(parsed.amount().unwrap().amount(), 132_500_000);
    assert_eq!(parsed.purpose(), Some(reference.as_str()));
    let r = debtor
        .get(&format!("{base}/v1/me/cases/{a_id}/payment-qr.svg"))
        .await;
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    assert!(r.text().await.unwrap().contains("<svg"));
    let (status, _) = json_of(&debtor, &format!("{url}/{request_id}")).await;
    assert_eq!(status, 404, "another party's request");

    // The debtor complains online about the freeze: identity from the sign-in, the head of
    // the office answers, and the debtor follows it and downloads the signed answer.
    let debtor_csrf = json_of(&debtor, &format!("{base}/v1/me")).await.1["csrf_token"]
        .as_str()
        .unwrap()
        .to_string();
    let complaints_url = format!("{base}/v1/me/complaints");
    let complaint = json!({
        "client_reference": "web-0001",
        "kind": "complaint",
        "stage": "freeze",
        "target": {"case_id": a_id, "against": "officer", "decision_number": "20/QĐ-CCTHADS"},
        "subject": "Phong tỏa 157.500.000 đồng trong khi tôi đã nộp 25.000.000 đồng.",
        "request": "Giải tỏa phần vượt quá số tiền còn phải thi hành."
    });
    let post = |body: Value, csrf: Option<String>| post_json(&debtor, &complaints_url, body, csrf);
    let (status, _) = post(complaint.clone(), None).await;
    assert_eq!(status, 403, "no CSRF token");
    let (status, filed) = post(complaint.clone(), Some(debtor_csrf.clone())).await;
    assert_eq!(status, 201, "{filed:#}");
    let c = &filed["complaint"];
    let complaint_id = c["id"].as_str().unwrap().to_string();
    assert_eq!(c["channel"], "online", "{c:#}");
    assert_eq!(c["resolver_office"], "HCM-KV01", "{c:#}");
    assert_eq!(c["complainant"]["name"], "Trần Thị Bình", "{c:#}");
    let (status, again) = post(complaint.clone(), Some(debtor_csrf.clone())).await;
    assert_eq!(status, 200, "a resend is the same complaint: {again:#}");
    assert_eq!(again["complaint"]["id"], complaint_id.as_str());
    let mut someone_else = complaint.clone();
    someone_else["client_reference"] = json!("web-0002");
    someone_else["complainant"] = json!({"cccd": CREDITOR_A, "name": "Nguyễn Văn An"});
    let (status, problem) = post(someone_else, Some(debtor_csrf.clone())).await;
    assert_eq!(status, 422, "{problem:#}");
    assert_eq!(problem["errors"][0]["field"], "/complainant/cccd");
    let mut not_mine = complaint.clone();
    not_mine["client_reference"] = json!("web-0003");
    not_mine["target"]["case_id"] = json!(b_id);
    let (status, problem) = post(not_mine, Some(debtor_csrf.clone())).await;
    assert_eq!(status, 422, "{problem:#}");
    assert_eq!(problem["errors"][0]["field"], "/target/case_id");
    let (status, problem) = post(
        json!({"client_reference": "web-0004"}),
        Some(debtor_csrf.clone()),
    )
    .await;
    assert_eq!(status, 422, "{problem:#}");
    assert!(
        problem["message_id"].is_string(),
        "refused bytes kept: {problem:#}"
    );
    let (_, mine) = json_of(&debtor, &complaints_url).await;
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine:#}");
    assert_eq!(mine[0]["id"], complaint_id.as_str());
    assert_eq!(mine[0]["state"], "received");
    assert!(mine[0]["next"].is_string(), "{mine:#}");
    let (_, theirs) = json_of(&creditor, &complaints_url).await;
    assert_eq!(theirs, json!([]), "the creditor filed none");
    let (status, _) = json_of(&creditor, &format!("{complaints_url}/{complaint_id}")).await;
    assert_eq!(status, 404, "another person's complaint");
    let (status, _) = json_of(
        &debtor,
        &format!("{complaints_url}/{complaint_id}/decision.pdf"),
    )
    .await;
    assert_eq!(status, 404, "not answered yet");
    // The head sees it, accepts it and answers it; the debtor downloads the signed answer.
    let out = hub.cli(&["staff", "keygen", "truong.phong"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let staff_path = format!("/v1/complaints/{complaint_id}");
    let (status, seen) = hub.get_as(&staff.head, &staff_path).await;
    assert_eq!(status, 200, "{seen:#}");
    assert_eq!(seen["channel"], "online");
    let (status, accepted) = hub
        .post_as(&staff.head, &format!("{staff_path}/accept"), &json!({}))
        .await;
    assert_eq!(status, 200, "{accepted:#}");
    let (status, resolved) = hub
        .post_as(
            &staff.head,
            &format!("{staff_path}/resolve"),
            &json!({
                "outcome": "partly_upheld",
                "findings": "Số tiền phong tỏa vượt quá số tiền còn phải thi hành.",
                "conclusion": "Giải tỏa phần phong tỏa vượt quá 132.500.000 đồng."
            }),
        )
        .await;
    assert_eq!(status, 200, "{resolved:#}");
    let (_, view) = json_of(&debtor, &format!("{complaints_url}/{complaint_id}")).await;
    assert_eq!(view["state"], "resolved", "{view:#}");
    assert_eq!(view["answer"]["outcome"], "partly_upheld", "{view:#}");
    let r = debtor
        .get(&format!("{complaints_url}/{complaint_id}/decision.pdf"))
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF"));

    // Case B's creditor sees case B only.
    let other = sign_in(hub, &sim, CREDITOR_B, "Lê Văn Cường").await;
    let (_, list) = json_of(&other, &format!("{base}/v1/me/cases")).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list:#}");
    assert_eq!(list[0]["id"], b_id.as_str());
    let (status, _) = json_of(&other, &format!("{base}/v1/me/cases/{a_id}")).await;
    assert_eq!(status, 404);
    let (status, _) = json_of(&other, &format!("{base}/v1/me/cases/{b_id}")).await;
    assert_eq!(status, 200);

    // Party and staff sessions do not stand in for each other.
    let staff_on_party = hub.get_with(Some(&staff.clerk), "/v1/me/cases").await;
    assert_eq!(staff_on_party.status().as_u16(), 401);
    let (status, _) = json_of(&creditor, &format!("{base}/v1/cases/{a_id}")).await;
    assert_eq!(status, 401);

    // Bad ID tokens and callbacks open no session.
    for m in [
        Mischief::WrongKey,
        Mischief::WrongAudience,
        Mischief::Expired,
        Mischief::WrongNonce,
        Mischief::WrongIssuer,
        Mischief::NotACccd,
    ] {
        refused(hub, &sim, m).await;
    }
    // A callback replayed, or arriving in a browser that did not start the sign-in.
    sim.state.sign_in_as(CREDITOR_A, "Nguyễn Văn An");
    let browser = Browser::new();
    let r = browser.get(&format!("{base}/v1/me/sign-in")).await;
    let to_provider = r.headers()["location"].to_str().unwrap().to_string();
    let r = browser.get(&to_provider).await;
    let callback = r.headers()["location"].to_str().unwrap().to_string();
    let stranger = Browser::new();
    assert_eq!(stranger.get(&callback).await.status().as_u16(), 401);
    assert!(stranger.cookie("thads_party").is_none());
    let first = browser.get(&callback).await;
    assert_eq!(
        first.status().as_u16(),
        303,
        "the browser that started it completes it"
    );
    assert!(browser.cookie("thads_party").is_some());
    let tokens = sim.state.tokens_issued();
    let again = Browser::new();
    again.set_cookie("thads_party_sign_in", browser_state(&callback).as_deref());
    assert_eq!(
        again.get(&callback).await.status().as_u16(),
        401,
        "a replayed callback"
    );
    assert!(again.cookie("thads_party").is_none());
    assert_eq!(
        sim.state.tokens_issued(),
        tokens,
        "no code was exchanged again"
    );

    // Sign-out ends the session.
    let r = creditor
        .send(
            Method::POST,
            &format!("{base}/v1/me/sign-out"),
            &[("x-csrf-token", &csrf)],
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 204);
    let (status, _) = json_of(&creditor, &format!("{base}/v1/me")).await;
    assert_eq!(status, 401);

    // Sign-ins are audited with the CCCD masked.
    let audit = hub.get_json("/v1/admin/audit?limit=500").await.unwrap();
    let text = audit.to_string();
    assert!(text.contains("party.sign_in"), "{audit:#}");
    assert!(
        !text.contains(CREDITOR_A),
        "unmasked CCCD in the audit trail"
    );
}

/// POSTs `body` as `browser`, with the CSRF token when given.
async fn post_json(
    browser: &Browser,
    url: &str,
    body: Value,
    csrf: Option<String>,
) -> (u16, Value) {
    let headers: Vec<(&str, &str)> = csrf
        .as_deref()
        .map(|c| ("x-csrf-token", c))
        .into_iter()
        .collect();
    let r = browser
        .send(Method::POST, url, &headers, Some(body.to_string()))
        .await;
    let status = r.status().as_u16();
    (status, r.json::<Value>().await.unwrap_or(Value::Null))
}

/// The `state` parameter of a callback URL.
fn browser_state(callback: &str) -> Option<String> {
    reqwest::Url::parse(callback)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn party_portal_embedded() {
    party_portal(Kind::Embedded).await;
}

#[tokio::test]
async fn party_portal_postgres_jetstream() {
    party_portal(Kind::Production).await;
}
