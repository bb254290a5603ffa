//! The party's page (`/me`) in a real headless Chromium: a debtor signs in through the VNeID
//! sign-in simulator (the whole authorization-code flow in the browser), sees their case,
//! files a complaint with the page's form, and finds it listed with its deadline; screenshots
//! are kept beside the console's (`target/console-screenshots/party-*.png`).

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use thads_e2e::browser::Browser;
use thads_e2e::hub::free_port;
use thads_e2e::oidc_sim::OidcSim;

const UI: Duration = Duration::from_secs(45);
const DEBTOR: &str = "079182005678";

#[tokio::test]
async fn a_party_signs_in_sees_the_case_and_complains_from_the_page() {
    let port = free_port();
    let redirect = format!("http://127.0.0.1:{port}/v1/me/callback");
    let sim = OidcSim::start("thads-hub-e2e", "bi-mat", &redirect)
        .await
        .unwrap();
    let issuer = sim.issuer.clone();
    let s = setup(Kind::Embedded, |o| {
        o.port = Some(port);
        for (k, v) in [
            ("THADS_CITIZEN_OIDC__ISSUER", issuer.as_str()),
            ("THADS_CITIZEN_OIDC__CLIENT_ID", "thads-hub-e2e"),
            ("THADS_CITIZEN_OIDC__CLIENT_SECRET", "bi-mat"),
            ("THADS_CITIZEN_OIDC__REDIRECT_URL", redirect.as_str()),
            ("THADS_CITIZEN_OIDC__ALGORITHMS", "[ES256]"),
        ] {
            o.env.push((k.into(), v.into()));
        }
    })
    .await;
    let hub = &s.hub;
    open_case(hub).await;
    let judgment = "215/2026/DS-ST";
    let head = hub.staff("truong.phong", "head", "HCM-KV01").await;
    sim.state.sign_in_as(DEBTOR, "Trần Thị Bình");

    let b = Browser::start("party").await;
    b.goto(&format!("{}/me", hub.base)).await;
    b.wait_text("#who", "Đăng nhập bằng VNeID", UI).await;
    b.screenshot("01-signed-out").await;
    b.click("#who a").await;
    // Back from the provider, signed in: the person, their case, no complaint yet.
    b.wait_text("#who", "Trần Thị Bình", UI).await;
    b.wait_text("#main", judgment, UI).await;
    b.wait_text("#complaints", "chưa gửi", UI).await;
    b.screenshot("02-signed-in").await;

    b.fill(
        "#complaint-form textarea[name=subject]",
        "Phong tỏa tài khoản vượt quá số tiền phải thi hành.",
    )
    .await;
    b.fill(
        "#complaint-form textarea[name=request]",
        "Giải tỏa phần vượt quá.",
    )
    .await;
    b.click("#complaint-form button").await;
    let said = b.wait_text("#complaint-result", "Đã nhận đơn mã", UI).await;
    assert!(said.contains("HCM-KV01"), "{said}");
    b.screenshot("03-complaint-filed").await;

    // The page again: the complaint is listed, waiting for acceptance.
    b.goto(&format!("{}/me", hub.base)).await;
    let listed = b.wait_text("#complaints", "cmp-", UI).await;
    assert!(listed.contains("Thủ trưởng"), "{listed}");
    b.screenshot("04-complaint-listed").await;
    b.close().await;

    // And the API agrees: one complaint, filed online by the signed-in person.
    let (status, list) = hub.get_as(&head, "/v1/complaints?state=received").await;
    assert_eq!(status, 200, "{list:#}");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:#?}");
    assert_eq!(list[0]["channel"], "online");
    assert_eq!(list[0]["complainant"]["name"], "Trần Thị Bình");
}
