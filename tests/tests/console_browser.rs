//! The operator's console in a real headless Chromium (WebDriver through chromedriver), on a
//! real hub with simulated traffic, in both runtimes: VNeID fails and the notices of a new
//! case are dead-lettered; an administrator signs in, sees VNeID failing on the dashboard,
//! finds a failed notice by partner and state, opens its journey and original bytes; VNeID
//! recovers; from the dead-letters page one notice is discarded with a reason and the others
//! replayed, and the journey page shows them delivered. The alerts (VNeID failing, dead letters
//! growing) are acknowledged while they hold. The partner registry tests VNeID's connection,
//! changes its endpoint (a new version) and restores the file's; lists are downloaded as CSV; the language switches to English; a head sees
//! only the pages of their office. Every page is kept as a screenshot.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use thads_e2e::browser::Browser;
use thads_e2e::vneid_sim::Mode;

const WAIT: Duration = Duration::from_secs(60);
const UI: Duration = Duration::from_secs(45);
const PASSWORD: &str = "mat-khau-thu-nghiem-2026";

async fn sign_in(b: &Browser, base: &str, username: &str) {
    b.goto(&format!("{base}/console/")).await;
    b.wait("#signin-form", UI).await;
    b.fill("#username", username).await;
    b.fill("#password", PASSWORD).await;
    b.click("#signin-form button[type=submit]").await;
    b.wait("#nav a[data-page=dashboard]", UI).await;
}

async fn scenario(kind: Kind, name: &str) {
    let s = setup(kind, |o| o.max_deliveries = 2).await;
    let hub = &s.hub;
    s.sim.state.set_mode(Mode::FailAlways);
    let case = open_case(hub).await;
    let case_id = case["id"].as_str().unwrap().to_string();
    let case = wait_notices(hub, &case_id, "dead_lettered", WAIT).await;
    let mut notices: Vec<String> = case["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message_id"].as_str().unwrap().to_string())
        .collect();
    notices.sort();
    assert!(notices.len() >= 2, "{:#}", case["notices"]);
    hub.staff("quan.tri.console", "administrator", "CUC").await;
    hub.staff("truong.phong", "head", "HCM-KV01").await;
    let base = hub.base.clone();
    let b = Browser::start(name).await;

    // Sign in (the page is Vietnamese by default).
    b.goto(&format!("{base}/console/")).await;
    b.wait_text("#signin-form", "Tên đăng nhập", UI).await;
    b.screenshot("01-signin").await;
    b.fill("#username", "quan.tri.console").await;
    b.fill("#password", "wrong password").await;
    b.click("#signin-form button[type=submit]").await;
    b.wait_text("#signin-error", "Wrong username or password", UI)
        .await;
    sign_in(&b, &base, "quan.tri.console").await;

    // The dashboard shows each partner, VNeID failing with its dead letters, live.
    b.wait_text("#health", "vneid", UI).await;
    let row = b
        .js("return [...document.querySelectorAll('#health tbody tr')].map(r => r.innerText).find(t => t.startsWith('vneid')) || ''")
        .await;
    let row = row.as_str().unwrap().to_string();
    assert!(row.contains("100.0 %"), "{row}");
    b.wait_text("#health", "court:", UI).await;
    let first = b.wait_text("#live", "Cập nhật", UI).await;
    tokio::time::sleep(Duration::from_millis(6000)).await;
    let second = b.wait_text("#live", "Cập nhật", UI).await;
    assert_ne!(first, second, "the dashboard refreshes by itself");
    b.screenshot("02-dashboard").await;

    // Search: partner vneid, state dead-lettered.
    b.click("#nav a[data-page=messages]").await;
    b.fill("#f-partner", "vneid").await;
    b.js("document.getElementById('f-state').value = 'dead_lettered'")
        .await;
    b.click("#search").await;
    b.wait_text("#results h2", &format!("({})", notices.len()), UI)
        .await;
    for n in &notices {
        b.wait_text("#results", n, UI).await;
    }
    let hash = b.js("return location.hash").await;
    assert!(
        hash.as_str().unwrap().contains("state=dead_lettered"),
        "{hash}"
    );
    b.screenshot("03-messages").await;
    // The page as CSV, through the browser's own download.
    b.click("#results a.csv").await;
    let csv = b.download("messages", UI).await;
    assert!(
        csv.starts_with("id,subject,direction,partner,state"),
        "{csv}"
    );
    assert!(csv.contains(&notices[1]), "{csv}");

    // Its journey and original bytes.
    b.click(&format!("#results a.msg-link[href$='{}']", notices[1]))
        .await;
    b.wait("#journey li[data-state=dead_lettered]", UI).await;
    b.wait("#journey li[data-state=waiting_retry]", UI).await;
    b.wait_text("#payload", &case_id, UI).await;
    b.wait("#download", UI).await;
    b.screenshot("04-journey").await;

    // While VNeID fails, the alerts say so: VNeID failing, dead letters growing; one is
    // acknowledged (it stays listed, with who saw it).
    b.click("#nav a[data-page=alerts]").await;
    b.wait_text("#alerts", "vneid", UI).await;
    b.wait_text("#alerts", "dlq", UI).await;
    b.click("#alerts button.ack").await;
    b.wait_text("#alerts", "quan.tri.console", UI).await;
    b.screenshot("10-alerts").await;

    // VNeID recovers; discard one dead letter with a reason, replay the others at once.
    s.sim.state.set_mode(Mode::Ok);
    b.click("#nav a[data-page=dead-letters]").await;
    for n in &notices {
        b.wait_text("#dead-letters", n, UI).await;
    }
    b.screenshot("05-dead-letters").await;
    b.click(&format!("input.pick[value='{}']", notices[0]))
        .await;
    b.click("#discard-selected").await;
    b.wait_text("#toast", "reason", UI).await;
    b.fill("#discard-reason", "Công dân đã nhận trực tiếp tại cơ quan")
        .await;
    b.click("#discard-selected").await;
    b.wait_text("#replay-result", "hủy bỏ", UI).await;
    for n in &notices[1..] {
        b.click(&format!("input.pick[value='{}']", n)).await;
    }
    b.click("#replay-selected").await;
    b.wait_text(
        "#replay-result",
        &format!("Đã gửi lại {} thông điệp", notices.len() - 1),
        UI,
    )
    .await;
    let discarded = hub
        .get_json(&format!("/v1/messages/{}", notices[0]))
        .await
        .unwrap();
    assert_eq!(discarded["state"], "discarded");

    // The journey page follows the replay to delivery by itself.
    b.goto(&format!("{base}/console/#/message/{}", notices[1]))
        .await;
    b.wait("#journey li[data-state=replayed]", UI).await;
    b.wait("#journey li[data-state=delivered]", WAIT).await;
    b.screenshot("06-delivered").await;
    for n in &notices[1..] {
        hub.wait_for(&format!("/v1/messages/{n}"), WAIT, |m| {
            m["state"] == "delivered"
        })
        .await;
    }

    // Partners: test VNeID's connection; change its endpoint (version 2 over the file's
    // version 1), see the test fail, restore version 1, see it pass.
    b.click("#nav a[data-page=partners]").await;
    b.wait_text("#partners", "vneid", UI).await;
    b.click("button.check[data-partner=vneid]").await;
    b.wait_text("#partners .check-result", "HTTP", UI).await;
    b.click("button.versions[data-partner=vneid]").await;
    b.fill("#ep-url", "http://127.0.0.1:9").await;
    b.fill("#ep-note", "thử địa chỉ dự phòng").await;
    b.click("#ep-save").await;
    b.wait_text("#versions-table", "thử địa chỉ dự phòng", UI)
        .await;
    b.click("button.check[data-partner=vneid]").await;
    b.wait_text("#partners .check-result", "không kết nối được", UI)
        .await;
    let v = hub
        .get_json("/v1/admin/partners/vneid/endpoint")
        .await
        .unwrap();
    assert_eq!(v["versions"].as_array().unwrap().len(), 2, "{v:#}");
    assert_eq!(v["in_force"]["url"], "http://127.0.0.1:9");
    b.click("#versions-table button.restore[data-version='1']")
        .await;
    b.wait_text("#versions-table", "khôi phục", UI).await;
    let v = hub
        .get_json("/v1/admin/partners/vneid/endpoint")
        .await
        .unwrap();
    assert_eq!(v["in_force"]["url"], s.sim.endpoint(), "{v:#}");
    b.screenshot("07-partners").await;

    // Deadlines of the case's office; reconciliation.
    b.click("#nav a[data-page=deadlines]").await;
    b.wait_text("#office-counts", "HCM-KV01", UI).await;
    b.screenshot("08-deadlines").await;
    b.click("#office-counts button.csv").await;
    let csv = b.download("deadlines-by-office", UI).await;
    assert!(csv.contains("HCM-KV01"), "{csv}");
    b.click("#nav a[data-page=reconciliation]").await;
    b.wait("#unmatched", UI).await;
    b.screenshot("09-reconciliation").await;

    // English.
    b.click("#lang").await;
    b.wait_text("#nav", "Dashboard", UI).await;
    b.click("#nav a[data-page=dashboard]").await;
    b.wait_text("#live", "updated", UI).await;
    b.screenshot("11-dashboard-en").await;
    b.click("#lang").await;
    b.wait_text("#nav", "Tổng quan", UI).await;

    // A head of the case's office: no dead letters, partners or health; the office's figures.
    b.click("#signout").await;
    b.wait("#signin-form", UI).await;
    sign_in(&b, &base, "truong.phong").await;
    let pages = b
        .js("return [...document.querySelectorAll('#nav a')].map(a => a.dataset.page)")
        .await;
    let pages: Vec<&str> = pages
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        pages.contains(&"messages") && pages.contains(&"deadlines"),
        "{pages:?}"
    );
    assert!(
        !pages.contains(&"dead-letters") && !pages.contains(&"partners"),
        "{pages:?}"
    );
    b.wait_text("#dashboard-body", "Quá hạn", UI).await;
    b.screenshot("12-head-dashboard").await;
    b.close().await;
}

#[tokio::test]
async fn console_in_a_browser_embedded() {
    scenario(Kind::Embedded, "embedded").await;
}

#[tokio::test]
async fn console_in_a_browser_postgres_jetstream() {
    scenario(Kind::Production, "production").await;
}
