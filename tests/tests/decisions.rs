//! Decisions to enforce end to end, in both runtimes: a judgment pushed over HTTP opens a case;
//! an officer drafts the ex officio decision from its data (the court fee in figures and words),
//! submits it; the head sends it back with a reason, approves the resubmitted draft, which
//! renders the PDF with Chromium and signs it with the head's key; the clerk issues it with the
//! next number of the decision book: the case shows `decision_issued`, the decision notices go
//! to every party and the court is told on `out.court.report`. The signature verifies, and
//! stops verifying once one byte of the stored PDF is changed in the database. Wrong roles and
//! other offices are refused. The PDF's text is checked with `pdftotext`, and its first page is
//! kept as a PNG under the cargo target folder (the path is printed) to look at.
//!
//! Chromium (Debian `chromium`), `fonts-dejavu-core` and `poppler-utils` are installed by
//! `scripts/lib/services.sh`. Under `CI=true` they must be present; elsewhere, without
//! Chromium, the test checks the 503 that names `[render] chromium` and stops there.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::Kind;
use serde_json::{json, Value};
use thads_e2e::hub::{Hub, HubOptions, ProductionServices, Runtime};
use thads_e2e::vneid_sim::VneidSim;
use time::{OffsetDateTime, UtcOffset};

/// A hub whose database the test can reach, to alter a stored PDF.
struct Setup {
    hub: Hub,
    sim: VneidSim,
    db_url: String,
    /// Extra environment for `thads-hub` commands run next to the hub.
    cli_env: Vec<(String, String)>,
    _services: Option<ProductionServices>,
    _dir: tempfile::TempDir,
}

async fn setup(kind: Kind) -> Setup {
    let sim = VneidSim::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (runtime, db, db_url, cli_env) = match kind {
        Kind::Embedded => {
            let url = format!("sqlite://{}/hub.db", dir.path().display());
            (
                Runtime::Embedded,
                None,
                url.clone(),
                vec![("DATABASE_URL".to_string(), url)],
            )
        }
        Kind::Production => {
            let services = ProductionServices::create("t").await;
            let url = services.db.url.clone();
            (services.runtime(), Some(services), url, Vec::new())
        }
    };
    let mut options = HubOptions::new(runtime, Some(sim.endpoint()));
    options.env.extend(cli_env.iter().cloned());
    let hub = Hub::start(common::binary(), options).await;
    Setup {
        hub,
        sim,
        db_url,
        cli_env,
        _services: db,
        _dir: dir,
    }
}

impl Setup {
    fn cli(&self, args: &[&str]) -> std::process::Output {
        let env: Vec<(&str, &str)> = self
            .cli_env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.hub.cli(args, &env)
    }

    /// Creates a staff account next to the hub's database and signs it in.
    async fn staff(&self, username: &str, role: &str, office: &str) -> String {
        let password = "mat-khau-thu-nghiem-2026";
        let mut env: Vec<(&str, &str)> = self
            .cli_env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        env.push(("THADS_STAFF_PASSWORD", password));
        let out = self.hub.cli(
            &[
                "staff", "add", username, "--role", role, "--office", office, "--name", username,
            ],
            &env,
        );
        assert!(
            out.status.success(),
            "staff add {username}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r = self
            .hub
            .http
            .post(format!("{}/v1/auth/sign-in", self.hub.base))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "sign-in of {username}");
        let body: Value = r.json().await.unwrap();
        body["token"].as_str().unwrap().to_string()
    }

    async fn pool(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.db_url).await.unwrap()
    }
}

async fn put_as(hub: &Hub, token: &str, path: &str, body: &Value) -> (u16, Value) {
    let r = hub
        .http
        .put(format!("{}{path}", hub.base))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get_bytes(hub: &Hub, token: &str, path: &str) -> (u16, String, Vec<u8>) {
    let r = hub
        .http
        .get(format!("{}{path}", hub.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, ct, r.bytes().await.unwrap().to_vec())
}

fn has_tool(name: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
        .unwrap_or(false)
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn today() -> time::Date {
    OffsetDateTime::now_utc()
        .to_offset(UtcOffset::from_hms(7, 0, 0).unwrap())
        .date()
}

fn sha256_hex(bytes: &[u8]) -> String {
    let out = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(bytes)?;
            c.wait_with_output()
        })
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// Checks the PDF's text with `pdftotext` and keeps page 1 as PNG; returns the PNG's path.
fn check_pdf(pdf: &[u8], name: &str, expect: &[&str]) -> Option<PathBuf> {
    if !(has_tool("pdftotext") && has_tool("pdftoppm")) {
        assert!(
            !in_ci(),
            "pdftotext and pdftoppm (poppler-utils) must be installed under CI"
        );
        eprintln!("poppler-utils not installed: the PDF's text is not checked");
        return None;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("decisions");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.pdf"));
    std::fs::write(&file, pdf).unwrap();
    let text = Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&file)
        .arg("-")
        .output()
        .unwrap();
    assert!(text.status.success(), "pdftotext failed");
    let text = String::from_utf8(text.stdout).unwrap();
    // pdftotext may break lines anywhere; compare with spaces normalised.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in expect {
        assert!(flat.contains(want), "the PDF lacks {want:?}:\n{text}");
    }
    let prefix = dir.join(name);
    let out = Command::new("pdftoppm")
        .args(["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&file)
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftoppm failed");
    let png = prefix.with_extension("png");
    assert!(png.is_file(), "no {}", png.display());
    println!("decision page 1 rendered to {}", png.display());
    Some(png)
}

async fn decisions(kind: Kind) {
    let s = setup(kind).await;
    let hub = &s.hub;
    let label = match kind {
        Kind::Embedded => "embedded",
        Kind::Production => "production",
    };
    let case = common::open_case(hub).await;
    let id = case["id"].as_str().unwrap().to_string();
    assert_eq!(case["state"], "received");
    let clerk = s.staff("thu.ky", "clerk", "HCM-KV01").await;
    let head = s.staff("truong.phong", "head", "HCM-KV01").await;
    let officer = s.staff("chv.an", "officer", "HCM-KV01").await;
    let other_head = s.staff("truong.khac", "head", "HCM-KV02").await;
    let drafts = format!("/v1/cases/{id}/decision-drafts");

    // Only staff of the office who draft: not anonymous, not the clerk.
    let r = hub
        .http
        .post(format!("{}{drafts}", hub.base))
        .json(&json!({"kind": "ex_officio"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let (status, body) = hub
        .post_as(&clerk, &drafts, &json!({"kind": "ex_officio"}))
        .await;
    assert_eq!(status, 403, "{body:#}");
    let (status, _) = hub
        .post_as(&other_head, &drafts, &json!({"kind": "ex_officio"}))
        .await;
    assert_eq!(status, 404, "another office does not even see the case");
    let (status, body) = hub
        .post_as(&officer, &drafts, &json!({"kind": "on_request"}))
        .await;
    assert_eq!(status, 422, "no request is tied yet: {body:#}");
    assert_eq!(body["errors"][0]["field"], "kind");

    // The officer drafts the ex officio decision: the court fee, in figures and in words.
    let (status, draft) = hub
        .post_as(&officer, &drafts, &json!({"kind": "ex_officio"}))
        .await;
    assert_eq!(status, 201, "{draft:#}");
    let draft_id = draft["id"].as_str().unwrap().to_string();
    let path = format!("/v1/decision-drafts/{draft_id}");
    assert_eq!(draft["state"], "draft");
    assert_eq!(draft["kind"], "ex_officio");
    let c = &draft["content"];
    let items = c["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "only the State's item: {c:#}");
    assert_eq!(items[0]["kind"], "court_fee");
    assert_eq!(items[0]["amount_figures"], "7.500.000 đồng");
    assert_eq!(items[0]["amount_words"], "Bảy triệu năm trăm nghìn đồng");
    assert_eq!(items[0]["creditor_name"], "Ngân sách Nhà nước");
    assert!(c["number"].is_null() && c["date"].is_null());
    assert_eq!(c["issuer_title"], "Thủ trưởng cơ quan thi hành án dân sự");
    let bases = c["legal_bases"].to_string();
    assert!(bases.contains("Điều 23, Điều 35 và Điều 36"), "{bases}");
    assert!(
        bases.contains("215/2026/DS-ST") && bases.contains("12/03/2026"),
        "{bases}"
    );
    let debtor = &c["parties"][0];
    assert_eq!(debtor["name"], "Trần Thị Bình");
    assert_eq!(debtor["honorific"], "Bà");
    assert_eq!(
        debtor["cccd"], "079182005678",
        "the official document prints the number in full"
    );
    assert!(c["voluntary_period"]
        .as_str()
        .unwrap()
        .contains("10 (mười) ngày"));
    assert!(c["addressees"].to_string().contains("Viện kiểm sát"));
    let (status, again) = hub
        .post_as(&officer, &drafts, &json!({"kind": "ex_officio"}))
        .await;
    assert_eq!(status, 409, "one draft per kind: {again:#}");

    // The HTML is the form, self-contained.
    let (status, ct, html) = get_bytes(hub, &officer, &format!("{path}/html")).await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/html"), "{ct}");
    let html = String::from_utf8(html).unwrap();
    for want in [
        "QUYẾT ĐỊNH",
        "7.500.000 đồng",
        "Bảy triệu năm trăm nghìn đồng",
        "Số: ……/QĐ-THADS",
        "Nơi nhận",
    ] {
        assert!(html.contains(want), "the HTML lacks {want:?}");
    }
    assert!(!html.contains("http://") && !html.contains("https://"));

    // Another office's head cannot see it; a wrong field is named.
    let (status, _) = hub.get_as(&other_head, &path).await;
    assert_eq!(status, 404);
    let (status, body) = put_as(hub, &officer, &path, &json!({"number": "1/QĐ"})).await;
    assert_eq!(status, 422, "{body:#}");
    let (status, edited) = put_as(
        hub,
        &officer,
        &path,
        &json!({"place": "Thành phố Hồ Chí Minh", "items": [{"position": 2, "description": "Án phí dân sự sơ thẩm"}]}),
    )
    .await;
    assert_eq!(status, 200, "{edited:#}");

    // Submit; no edits while the head has it.
    let (status, sub) = hub
        .post_as(&officer, &format!("{path}/submit"), &json!({}))
        .await;
    assert_eq!(
        (status, &sub["state"]),
        (200, &json!("submitted")),
        "{sub:#}"
    );
    let (status, _) = put_as(hub, &officer, &path, &json!({"place": "Hà Nội"})).await;
    assert_eq!(status, 409);

    // Neither the officer nor the clerk approves; the head sends it back with a reason.
    for token in [&officer, &clerk] {
        let (status, body) = hub
            .post_as(token, &format!("{path}/approve"), &json!({}))
            .await;
        assert_eq!(status, 403, "{body:#}");
    }
    let (status, _) = hub
        .post_as(&other_head, &format!("{path}/approve"), &json!({}))
        .await;
    assert_eq!(status, 404);
    let (status, body) = hub
        .post_as(&head, &format!("{path}/reject"), &json!({"reason": "  "}))
        .await;
    assert_eq!(status, 422, "{body:#}");
    let reason = "Bổ sung căn cứ: biên lai thu tạm ứng án phí";
    let (status, rejected) = hub
        .post_as(&head, &format!("{path}/reject"), &json!({"reason": reason}))
        .await;
    assert_eq!(status, 200, "{rejected:#}");
    assert_eq!(rejected["state"], "rejected");
    assert_eq!(rejected["rejection_reason"], reason);

    // The officer corrects and resubmits; the reason is kept.
    let mut bases: Vec<Value> = rejected["content"]["legal_bases"]
        .as_array()
        .unwrap()
        .clone();
    bases.push(json!(
        "Căn cứ biên lai thu tiền tạm ứng án phí số 0001234 ngày 05/01/2026;"
    ));
    let (status, body) = put_as(hub, &officer, &path, &json!({"legal_bases": bases})).await;
    assert_eq!(status, 200, "{body:#}");
    let (status, sub) = hub
        .post_as(&officer, &format!("{path}/submit"), &json!({}))
        .await;
    assert_eq!((status, &sub["state"]), (200, &json!("submitted")));
    assert_eq!(sub["rejection_reason"], reason);

    // Approval needs Chromium for the PDF the head signs.
    if !has_tool("chromium") {
        assert!(
            !in_ci(),
            "Chromium must be installed under CI (scripts/lib/services.sh installs `chromium`)"
        );
        let (status, body) = hub
            .post_as(&head, &format!("{path}/approve"), &json!({}))
            .await;
        assert_eq!(status, 503, "{body:#}");
        assert!(body["detail"]
            .as_str()
            .unwrap()
            .contains("[render] chromium"));
        eprintln!("chromium is not installed: approval, signing and issue are not tested");
        return;
    }

    // Without a key the head cannot sign; keys are for heads only.
    let (status, body) = hub
        .post_as(&head, &format!("{path}/approve"), &json!({}))
        .await;
    assert_eq!(status, 409, "{body:#}");
    assert!(
        body["detail"].as_str().unwrap().contains("staff keygen"),
        "{body:#}"
    );
    let out = s.cli(&["staff", "keygen", "chv.an"]);
    assert!(!out.status.success(), "an officer gets no signing key");
    let out = s.cli(&["staff", "keygen", "truong.phong"]);
    assert!(
        out.status.success(),
        "keygen: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(key["algorithm"], "ed25519");
    let key_id = key["key_id"].as_str().unwrap().to_string();

    let (status, approved) = hub
        .post_as(&head, &format!("{path}/approve"), &json!({}))
        .await;
    assert_eq!(status, 200, "{approved:#}");
    assert_eq!(approved["state"], "approved");
    assert_eq!(approved["signature"]["key_id"], key_id.as_str());
    assert_eq!(approved["signature"]["signer"], "truong.phong");
    assert_eq!(approved["content"]["signer_name"], "truong.phong");
    let signed_sha = approved["signature"]["pdf_sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, v) = hub.get_as(&officer, &format!("{path}/verify")).await;
    assert_eq!(status, 200, "{v:#}");
    assert_eq!(v["valid"], true, "{v:#}");

    // Issuing: the clerk only, and only once the case is registered (no number is used up).
    let (status, body) = hub
        .post_as(&clerk, &format!("{path}/issue"), &json!({}))
        .await;
    assert_eq!(status, 409, "{body:#}");
    assert!(
        body["detail"].as_str().unwrap().contains("register"),
        "{body:#}"
    );
    let (status, body) = hub
        .post_as(
            &clerk,
            &format!("/v1/cases/{id}/operations"),
            &json!({"operation": "register"}),
        )
        .await;
    assert_eq!(status, 201, "{body:#}");
    for token in [&officer, &head] {
        let (status, _) = hub
            .post_as(token, &format!("{path}/issue"), &json!({}))
            .await;
        assert_eq!(status, 403);
    }
    let (status, issued) = hub
        .post_as(&clerk, &format!("{path}/issue"), &json!({}))
        .await;
    assert_eq!(status, 200, "{issued:#}");
    assert_eq!(issued["state"], "issued");
    assert_eq!(
        issued["number"], "1/QĐ-THADS",
        "the first of the decision book"
    );
    assert_eq!(issued["issued_on"], today().to_string());
    assert_eq!(issued["content"]["number"], "1/QĐ-THADS");
    let actions: Vec<&str> = issued["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "created",
            "edited",
            "submitted",
            "rejected",
            "edited",
            "submitted",
            "approved",
            "numbered",
            "issued"
        ]
    );
    let (status, _) = hub
        .post_as(&clerk, &format!("{path}/issue"), &json!({}))
        .await;
    assert_eq!(status, 409, "issued once");

    // The case: decision issued with its number, deadline met, audited.
    let c = hub.get_json(&format!("/v1/cases/{id}")).await.unwrap();
    assert_eq!(c["state"], "decision_issued");
    assert_eq!(c["decision_number"], "1/QĐ-THADS");
    let deadline = c["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["step"] == "decision_ex_officio")
        .unwrap();
    assert_eq!(deadline["status"], "done");
    let events: Vec<&str> = c["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for want in [
        "decision_created",
        "decision_rejected",
        "decision_approved",
        "decision_issued",
        "issue_decision",
        "notices_queued",
        "court_report_queued",
    ] {
        assert!(events.contains(&want), "no {want} event in {events:?}");
    }
    let ops = c["operations"].as_array().unwrap();
    let op = ops
        .iter()
        .find(|o| o["operation"] == "issue_decision")
        .unwrap();
    assert_eq!(op["actor"], "thu.ky");

    // Every party with an identity number gets the decision through VNeID.
    let parties = common::parties_with_cccd(&c);
    let c = hub
        .wait_for(&format!("/v1/cases/{id}"), Duration::from_secs(30), |c| {
            c["notices"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|n| n["subject"] == "out.vneid.notify" && n["state"] == "delivered")
                .count()
                == 2 * parties
        })
        .await;
    let sent = s.sim.state.accepted();
    assert_eq!(
        sent.iter()
            .filter(|n| n.title == "Thông báo quyết định thi hành án"
                && n.content.contains("1/QĐ-THADS"))
            .count(),
        parties,
        "{sent:#?}"
    );

    // The court is told, with `"kind": "decision_issued"`.
    let report = c["notices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["subject"] == "out.court.report")
        .unwrap_or_else(|| panic!("no court report in {:#}", c["notices"]));
    let report_id = report["message_id"].as_str().unwrap();
    let payload: Value = serde_json::from_str(
        &hub.get_text(&format!("/v1/messages/{report_id}/payload"))
            .await,
    )
    .unwrap();
    assert_eq!(payload["kind"], "decision_issued");
    assert_eq!(payload["decision_number"], "1/QĐ-THADS");
    assert_eq!(payload["judgment_number"], "215/2026/DS-ST");
    assert_eq!(payload["court_code"], "TAND79-KV1");

    // The issued PDF: the number, the date, the words, with their diacritics.
    let (status, ct, pdf) = get_bytes(hub, &officer, &format!("{path}/pdf")).await;
    assert_eq!(status, 200);
    assert_eq!(ct, "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(
        Some(sha256_hex(&pdf).as_str()),
        issued["issued_pdf_sha256"].as_str()
    );
    let d = today();
    let date_vi = format!(
        "ngày {:02} tháng {:02} năm {}",
        d.day(),
        u8::from(d.month()),
        d.year()
    );
    let (_, _, issued_html) = get_bytes(hub, &officer, &format!("{path}/html")).await;
    let issued_html = String::from_utf8(issued_html).unwrap();
    assert!(
        issued_html.contains(&date_vi) && issued_html.contains("Số: 1/QĐ-THADS"),
        "the issued document carries its number and date"
    );
    check_pdf(
        &pdf,
        &format!("issued-{label}"),
        &[
            "QUYẾT ĐỊNH",
            "Bảy triệu năm trăm nghìn đồng",
            "7.500.000 đồng",
            "1/QĐ-THADS",
            "Trần Thị Bình",
            "THỦ TRƯỞNG CƠ QUAN THI HÀNH ÁN DÂN SỰ",
            "Căn cứ Điều 23, Điều 35 và Điều 36",
        ],
    );
    // The bytes the head signed are served too.
    let (_, _, signed) = get_bytes(hub, &officer, &format!("{path}/pdf?version=signed")).await;
    assert_eq!(sha256_hex(&signed), signed_sha);
    check_pdf(
        &signed,
        &format!("signed-{label}"),
        &["QUYẾT ĐỊNH", "Bảy triệu năm trăm nghìn đồng", "(Đã ký số)"],
    );

    // Verification: valid; one byte changed in the stored PDF breaks it.
    let (status, v) = hub.get_as(&clerk, &format!("{path}/verify")).await;
    assert_eq!(status, 200);
    assert_eq!(v["valid"], true, "{v:#}");
    assert_eq!(v["issued_pdf_intact"], true);
    assert_eq!(v["public_key"], key["public_key"]);
    let (status, alias) = hub
        .get_as(&clerk, &format!("/v1/decisions/{draft_id}/verify"))
        .await;
    assert_eq!((status, &alias["valid"]), (200, &json!(true)));
    let (status, _) = hub.get_as(&other_head, &format!("{path}/verify")).await;
    assert_eq!(status, 404);
    let pool = s.pool().await;
    let stored: Vec<u8> = sqlx::query_scalar("SELECT pdf FROM decision_drafts WHERE id = $1")
        .bind(&draft_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    let mut tampered = stored.clone();
    let at = tampered.len() / 2;
    tampered[at] ^= 0x01;
    sqlx::query("UPDATE decision_drafts SET pdf = $1 WHERE id = $2")
        .bind(&tampered)
        .bind(&draft_id)
        .execute(&pool)
        .await
        .unwrap();
    let (_, v) = hub.get_as(&head, &format!("{path}/verify")).await;
    assert_eq!(v["valid"], false, "{v:#}");
    assert_eq!(v["signature_valid"], false, "{v:#}");
    assert!(
        v["reason"].as_str().unwrap().contains("does not match"),
        "{v:#}"
    );
    sqlx::query("UPDATE decision_drafts SET pdf = $1 WHERE id = $2")
        .bind(&stored)
        .bind(&draft_id)
        .execute(&pool)
        .await
        .unwrap();
    let (_, v) = hub.get_as(&head, &format!("{path}/verify")).await;
    assert_eq!(v["valid"], true, "{v:#}");
    sqlx::query("UPDATE decision_drafts SET issued_pdf = $1 WHERE id = $2")
        .bind(&tampered)
        .bind(&draft_id)
        .execute(&pool)
        .await
        .unwrap();
    let (_, v) = hub.get_as(&head, &format!("{path}/verify")).await;
    assert_eq!(
        (&v["valid"], &v["issued_pdf_intact"]),
        (&json!(false), &json!(false))
    );
    pool.close().await;

    // A request for the private debt: the on-request decision, issued as the book's second.
    let (status, req) = hub
        .post_as(
            &clerk,
            "/v1/requests",
            &json!({
                "client_reference": "quay-qd-1",
                "office": "HCM-KV01",
                "channel": "in_person",
                "requester": {"name": "Nguyễn Văn An", "role": "creditor", "cccd": "079078001234"},
                "judgment": {"court_code": "TAND79-KV1", "number": "215/2026/DS-ST",
                             "date": "2026-03-12", "effective_date": "2026-04-13"},
                "obligations": [{"kind": "pay_money", "amount_vnd": 150000000}]
            }),
        )
        .await;
    assert_eq!(status, 201, "{req:#}");
    assert_eq!(req["case_id"], id.as_str());
    let (status, od) = hub
        .post_as(&head, &drafts, &json!({"kind": "on_request"}))
        .await;
    assert_eq!(status, 201, "{od:#}");
    let items = od["content"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["kind"], "pay_money");
    assert_eq!(items[0]["amount_words"], "Một trăm năm mươi triệu đồng");
    assert_eq!(items[0]["creditor_name"], "Nguyễn Văn An");
    assert_eq!(od["request_id"], req["request_id"]);
    let opath = format!("/v1/decision-drafts/{}", od["id"].as_str().unwrap());
    for (token, step) in [(&head, "submit"), (&head, "approve"), (&clerk, "issue")] {
        let (status, body) = hub
            .post_as(token, &format!("{opath}/{step}"), &json!({}))
            .await;
        assert_eq!(status, 200, "{step}: {body:#}");
    }
    let (_, od) = hub.get_as(&clerk, &opath).await;
    assert_eq!(od["state"], "issued");
    assert_eq!(od["number"], "2/QĐ-THADS");
    let c = hub.get_json(&format!("/v1/cases/{id}")).await.unwrap();
    assert_eq!(
        c["state"], "decision_issued",
        "the case's state is unchanged"
    );
    assert_eq!(
        c["notices"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["subject"] == "out.court.report")
            .count(),
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn decisions_embedded() {
    decisions(Kind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn decisions_production() {
    decisions(Kind::Production).await;
}
