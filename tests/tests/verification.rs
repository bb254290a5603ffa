//! Verification of the debtor's means end to end, in both runtimes, against four real HTTP
//! simulators of the national databases: an officer's request writes a record listing the land,
//! vehicles and capital shares the databases hold and moves the case to measures; a debtor with
//! nothing moves the case to not yet enforceable; a slow database, a 5xx burst, a malformed
//! answer and an unknown citizen each give the right record and lose nothing (incomplete
//! records are retried by the scheduler); a request without a case, a legal basis or a valid
//! CCCD is refused before any query; the scheduler verifies by itself once the voluntary period
//! has run out; an organisation debtor is verified by the tax code an officer supplies. Two hub
//! processes sharing PostgreSQL and JetStream start each automatic run once.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{case_of, post_accepted, Kind};
use serde_json::{json, Value};
use thads_core::verification::Registry;
use thads_e2e::hub::{Hub, HubOptions, ProductionServices};
use thads_e2e::registry_sim::{Fault, RegistrySim};
use thads_e2e::vneid_sim::VneidSim;
use time::{Duration as Days, OffsetDateTime, UtcOffset};

const BASIS: &str = "Điều 44 Luật Thi hành án dân sự";
const EARLY: &str = "Có dấu hiệu tẩu tán tài sản";

fn today() -> time::Date {
    OffsetDateTime::now_utc()
        .to_offset(UtcOffset::from_hms(7, 0, 0).unwrap())
        .date()
}

/// The civil-loan judgment as number `n`, its debtor holding `cccd` (born in `year`).
fn judgment(n: u32, cccd: &str, year: u16) -> String {
    common::civil_loan()
        .replace("TAND79-KV1-2026-DS-215", &format!("TAND79-KV1-2026-DS-{n}"))
        .replace("215/2026/DS-ST", &format!("{n}/2026/DS-ST"))
        .replace("079182005678", cccd)
        .replace(
            "<BirthYear>1982</BirthYear>",
            &format!("<BirthYear>{year}</BirthYear>"),
        )
}

struct Staff {
    clerk: String,
    head: String,
    officer: String,
    other_officer: String,
    stranger: String,
}

async fn op(hub: &Hub, token: &str, case: &str, body: Value) {
    let (status, answer) = hub
        .post_as(token, &format!("/v1/cases/{case}/operations"), &body)
        .await;
    assert_eq!(status, 201, "{body} -> {answer:#}");
}

/// Opens the case from `doc` and brings it to the voluntary period, the debtor served on `served`.
async fn ready(hub: &Hub, st: &Staff, doc: &str, n: u32, served: time::Date) -> String {
    let receipt = post_accepted(hub, doc).await;
    let c = case_of(hub, receipt["message_id"].as_str().unwrap()).await;
    let id = c["id"].as_str().unwrap().to_string();
    op(hub, &st.clerk, &id, json!({"operation": "register"})).await;
    let decision = json!({"operation": "issue_decision", "params": {"decision_number": format!("{n}/QĐ-THADS")}});
    op(hub, &st.head, &id, decision).await;
    let officer = hub.get_as(&st.officer, "/v1/auth/me").await.1["username"].clone();
    let assign = json!({"operation": "assign_officer", "params": {"officer": officer}});
    op(hub, &st.head, &id, assign).await;
    let notify = json!({"operation": "notify", "params": {"party": "debtor", "channel": "direct"}, "effective_on": served.to_string()});
    op(hub, &st.officer, &id, notify).await;
    id
}

async fn verify(hub: &Hub, token: &str, case: &str, body: Value) -> (u16, Value) {
    hub.post_as(token, &format!("/v1/cases/{case}/verifications"), &body)
        .await
}

async fn state(hub: &Hub, case: &str) -> String {
    hub.get_json(&format!("/v1/cases/{case}")).await.unwrap()["state"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Waits for a record of the case that satisfies `check`.
async fn record_where(hub: &Hub, token: &str, case: &str, check: impl Fn(&Value) -> bool) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(40);
    loop {
        let (_, list) = hub
            .get_as(token, &format!("/v1/cases/{case}/verifications"))
            .await;
        if let Some(r) = list.as_array().and_then(|l| l.iter().find(|r| check(r))) {
            return r.clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no such record: {list:#}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn query<'a>(record: &'a Value, database: &str) -> &'a Value {
    record["queries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["database"] == database)
        .unwrap_or_else(|| panic!("no {database} query in {record:#}"))
}

fn ops(record: &Value) -> Vec<String> {
    record["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["operation"].as_str().unwrap().to_string())
        .collect()
}

async fn scenario(kind: Kind) {
    let sims = RegistrySim::start().await.unwrap();
    let s = common::setup(kind, |o| {
        o.env.extend(sims.env());
        for (k, v) in [
            ("THADS_REGISTRIES__ATTEMPTS", "3"),
            ("THADS_REGISTRIES__RETRY_MIN", "50ms"),
            ("THADS_REGISTRIES__RETRY_MAX", "200ms"),
            ("THADS_VERIFICATION__TICK", "200ms"),
            ("THADS_VERIFICATION__RETRY_AFTER", "1s"),
            ("THADS_VERIFICATION__WAIT", "15s"),
        ] {
            o.env.push((k.into(), v.into()));
        }
        for db in ["POPULATION", "LAND", "VEHICLE", "BUSINESS"] {
            o.env
                .push((format!("THADS_REGISTRIES__{db}__TIMEOUT"), "1s".into()));
            let ttl = if db == "BUSINESS" { "1h" } else { "0s" };
            o.env
                .push((format!("THADS_REGISTRIES__{db}__CACHE_TTL"), ttl.into()));
        }
    })
    .await;
    let hub = &s.hub;
    let st = Staff {
        clerk: hub.staff("thu.ky", "clerk", "HCM-KV01").await,
        head: hub.staff("truong.phong", "head", "HCM-KV01").await,
        officer: hub.staff("chv.an", "officer", "HCM-KV01").await,
        other_officer: hub.staff("chv.binh", "officer", "HCM-KV01").await,
        stranger: hub.staff("chv.khac", "officer", "HCM-KV02").await,
    };
    let now = today();

    // An officer's request: every database answers; land, vehicles and a capital share are found.
    let rich = ready(hub, &st, &judgment(301, "079182005678", 1982), 301, now).await;
    let (status, r) = verify(hub, &st.officer, &rich, json!({"legal_basis": BASIS})).await;
    assert_eq!(status, 422, "the voluntary period runs: {r:#}");
    assert_eq!(r["errors"][0]["field"], "early_reason");
    assert_eq!(sims.total_requests(), 0, "refused before any query");
    let body = json!({"legal_basis": BASIS, "early_reason": EARLY, "request_id": "v-1"});
    let (status, r) = verify(hub, &st.officer, &rich, body.clone()).await;
    assert_eq!(status, 201, "{r:#}");
    assert_eq!(r["status"], "complete");
    assert_eq!(r["conclusion"], "assets_found");
    assert_eq!(
        (r["trigger"].as_str(), r["requested_by"].as_str()),
        (Some("officer"), Some("chv.an"))
    );
    let d = &r["debtors"][0];
    assert_eq!(d["subject"], "079*******78");
    assert_eq!(d["identity"]["full_name"], "Trần Thị Bình");
    assert_eq!(d["land"][0]["certificate_number"], "CS 04521");
    assert_eq!(d["vehicles"].as_array().unwrap().len(), 2);
    assert_eq!(d["vehicles"][0]["plate"], "51H-123.45");
    assert_eq!(d["shares"][0]["enterprise_code"], "0315123456");
    assert_eq!(d["shares"][0]["capital"], 300_000_000);
    assert!(r["text_vi"].as_str().unwrap().contains("GCN CS 04521"));
    assert_eq!(ops(&r), ["begin_verification", "record_verification"]);
    assert_eq!(
        (r["state_before"].as_str(), r["state_after"].as_str()),
        (Some("voluntary_period"), Some("measures"))
    );
    assert_eq!(state(hub, &rich).await, "measures");
    let queries = r["queries"].as_array().unwrap();
    assert_eq!(queries.len(), 4);
    for q in queries {
        assert_eq!(
            (q["subject"].as_str(), q["requested_by"].as_str()),
            (Some("079*******78"), Some("chv.an"))
        );
        assert_eq!(q["legal_basis"], BASIS);
        assert_eq!(q["cache_hit"], false);
    }
    for db in Registry::ALL {
        let sent = sims.server(db).state.requests();
        let text = sent.last().unwrap().to_string();
        assert!(
            text.contains(&rich) && text.contains(BASIS) && text.contains("chv.an"),
            "{db}: {text}"
        );
    }
    let c = hub.get_json(&format!("/v1/cases/{rich}")).await.unwrap();
    assert!(
        !c.to_string().contains("CS 04521"),
        "findings stay off the open case view"
    );
    // The same request id answers with the same record; a new run reuses the cached business answer.
    let (status, again) = verify(hub, &st.officer, &rich, body).await;
    assert_eq!((status, &again["id"]), (200, &r["id"]));
    let business_before = sims.server(Registry::Business).state.requests().len();
    let (status, r2) = verify(hub, &st.head, &rich, json!({"legal_basis": BASIS})).await;
    assert_eq!(status, 201, "{r2:#}");
    assert_eq!(query(&r2, "business")["cache_hit"], true);
    assert_eq!(query(&r2, "land")["cache_hit"], false);
    assert_eq!(
        sims.server(Registry::Business).state.requests().len(),
        business_before
    );
    assert!(ops(&r2).is_empty(), "measures: the record changes no state");

    // Refused before any query: no case, no legal basis, an invalid CCCD, the wrong people.
    let before = sims.total_requests();
    let (status, e) = verify(hub, &st.officer, "%20", json!({"legal_basis": BASIS})).await;
    assert_eq!(
        (status, e["errors"][0]["field"].as_str()),
        (422, Some("case_id")),
        "{e:#}"
    );
    let (status, _) = verify(
        hub,
        &st.head,
        "case-does-not-exist",
        json!({"legal_basis": BASIS}),
    )
    .await;
    assert_eq!(status, 404);
    let (status, e) = verify(hub, &st.officer, &rich, json!({})).await;
    assert_eq!(
        (status, e["errors"][0]["field"].as_str()),
        (422, Some("legal_basis")),
        "{e:#}"
    );
    let bad =
        json!({"legal_basis": BASIS, "identifiers": [{"party": "P2", "cccd": "07918200567"}]});
    let (status, e) = verify(hub, &st.officer, &rich, bad).await;
    assert_eq!(
        (status, e["errors"][0]["field"].as_str()),
        (422, Some("identifiers[0].cccd")),
        "{e:#}"
    );
    assert!(e["errors"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("12 digits"));
    let (status, e) = verify(
        hub,
        &st.officer,
        &rich,
        json!({"legal_basis": BASIS, "colour": 1}),
    )
    .await;
    assert_eq!(
        (status, e["errors"][0]["field"].as_str()),
        (422, Some("colour")),
        "{e:#}"
    );
    assert_eq!(
        verify(hub, &st.clerk, &rich, json!({"legal_basis": BASIS}))
            .await
            .0,
        403
    );
    assert_eq!(
        verify(hub, &st.other_officer, &rich, json!({"legal_basis": BASIS}))
            .await
            .0,
        403
    );
    assert_eq!(
        verify(hub, &st.stranger, &rich, json!({"legal_basis": BASIS}))
            .await
            .0,
        404
    );
    assert_eq!(
        hub.get_as(&st.stranger, &format!("/v1/cases/{rich}/verifications"))
            .await
            .0,
        404
    );
    let receipt = post_accepted(hub, &judgment(309, "079182005678", 1982)).await;
    let fresh = case_of(hub, receipt["message_id"].as_str().unwrap()).await;
    let fresh = fresh["id"].as_str().unwrap();
    let (status, e) = verify(hub, &st.head, fresh, json!({"legal_basis": BASIS})).await;
    assert_eq!(status, 409, "a case not yet decided is not verified: {e:#}");
    assert!(
        e["detail"].as_str().unwrap().contains("voluntary_period"),
        "{e:#}"
    );
    assert_eq!(sims.total_requests(), before, "nothing was queried");

    // Nothing found: the record says so and the case is not yet enforceable.
    let poor = ready(hub, &st, &judgment(302, "079182001111", 1982), 302, now).await;
    let (status, r) = verify(
        hub,
        &st.officer,
        &poor,
        json!({"legal_basis": BASIS, "early_reason": EARLY}),
    )
    .await;
    assert_eq!(status, 201, "{r:#}");
    assert_eq!(
        (r["status"].as_str(), r["conclusion"].as_str()),
        (Some("complete"), Some("nothing_found"))
    );
    assert!(r["text_vi"]
        .as_str()
        .unwrap()
        .contains("chưa có điều kiện thi hành án"));
    assert_eq!(
        ops(&r),
        [
            "begin_verification",
            "record_verification",
            "declare_not_enforceable"
        ]
    );
    assert_eq!(r["operations"][2]["to_state"], "not_yet_enforceable");
    assert_eq!(state(hub, &poor).await, "not_yet_enforceable");

    // Slow land register: the record is incomplete, never "nothing found", and is retried.
    let slow = ready(hub, &st, &judgment(303, "079182001111", 1982), 303, now).await;
    sims.server(Registry::Land)
        .state
        .set_fault(Fault::Slow { delay_ms: 3000 });
    let (status, r) = verify(
        hub,
        &st.officer,
        &slow,
        json!({"legal_basis": BASIS, "early_reason": EARLY}),
    )
    .await;
    sims.server(Registry::Land).state.set_fault(Fault::None);
    assert_eq!(status, 201, "{r:#}");
    assert_eq!(
        (r["status"].as_str(), r["conclusion"].as_str()),
        (Some("incomplete"), Some("undetermined"))
    );
    let failure = r["failures"][0].as_str().unwrap();
    assert!(
        failure.contains("land") && failure.contains("3 attempts") && failure.contains("timed out"),
        "{failure}"
    );
    assert_eq!(
        r["debtors"][0]["identity"]["full_name"], "Lê Thị Hoa",
        "what answered is kept"
    );
    assert!(r["retry_at"].is_string());
    assert_eq!(state(hub, &slow).await, "verification");
    let retried = record_where(hub, &st.officer, &slow, |r| {
        r["trigger"] == "retry" && r["status"] == "complete"
    })
    .await;
    assert_eq!(
        (
            retried["conclusion"].as_str(),
            retried["requested_by"].as_str()
        ),
        (Some("nothing_found"), Some("system"))
    );
    assert_eq!(state(hub, &slow).await, "not_yet_enforceable");

    // 503 twice, then an answer: the retries within the run absorb it.
    let flaky = ready(hub, &st, &judgment(304, "079182005678", 1982), 304, now).await;
    sims.server(Registry::Population)
        .state
        .set_fault(Fault::FailNext { n: 2 });
    let (status, r) = verify(
        hub,
        &st.officer,
        &flaky,
        json!({"legal_basis": BASIS, "early_reason": EARLY}),
    )
    .await;
    assert_eq!(
        (status, r["status"].as_str()),
        (201, Some("complete")),
        "{r:#}"
    );
    assert_eq!(query(&r, "population")["attempts"], 3);
    assert_eq!(r["debtors"][0]["identity"]["full_name"], "Trần Thị Bình");

    // A malformed vehicle answer names the field; the retry later brings the vehicles.
    let broken = ready(hub, &st, &judgment(305, "079182005678", 1982), 305, now).await;
    sims.server(Registry::Vehicle)
        .state
        .set_fault(Fault::Malformed);
    let (status, r) = verify(
        hub,
        &st.officer,
        &broken,
        json!({"legal_basis": BASIS, "early_reason": EARLY}),
    )
    .await;
    sims.server(Registry::Vehicle).state.set_fault(Fault::None);
    assert_eq!(
        (status, r["status"].as_str()),
        (201, Some("incomplete")),
        "{r:#}"
    );
    let failure = r["failures"][0].as_str().unwrap();
    assert!(
        failure.contains("vehicle: malformed answer: phuong_tien[0]")
            && failure.contains("bien_so"),
        "{failure}"
    );
    assert_eq!(
        query(&r, "vehicle")["attempts"],
        1,
        "a malformed answer is not retried at once"
    );
    assert_eq!(
        r["conclusion"], "assets_found",
        "the land found is enough to proceed"
    );
    let later = record_where(hub, &st.officer, &broken, |r| {
        r["trigger"] == "retry" && r["status"] == "complete"
    })
    .await;
    assert_eq!(later["debtors"][0]["vehicles"].as_array().unwrap().len(), 2);

    // Databases that know nobody: nothing found, and no address known (Art. 44a(1)(c)).
    let ghost = ready(hub, &st, &judgment(306, "001085012345", 1985), 306, now).await;
    for db in Registry::ALL {
        sims.server(db).state.set_fault(Fault::Unknown);
    }
    let (status, r) = verify(
        hub,
        &st.officer,
        &ghost,
        json!({"legal_basis": BASIS, "early_reason": EARLY}),
    )
    .await;
    for db in Registry::ALL {
        sims.server(db).state.set_fault(Fault::None);
    }
    assert_eq!(
        (status, r["conclusion"].as_str()),
        (201, Some("nothing_found")),
        "{r:#}"
    );
    assert!(r["debtors"][0]["identity"].is_null());
    assert_eq!(r["debtors"][0]["databases"][0]["outcome"], "nothing_found");
    let c = hub.get_json(&format!("/v1/cases/{ghost}")).await.unwrap();
    let declared = c["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["operation"] == "declare_not_enforceable")
        .unwrap();
    assert_eq!(declared["params"]["ground"], "address_unknown");
    assert_eq!(declared["actor"], "system:verification");

    // The voluntary period ran out 20 days ago: the scheduler verifies by itself.
    let auto = ready(
        hub,
        &st,
        &judgment(307, "079182005678", 1982),
        307,
        now - Days::days(20),
    )
    .await;
    let r = record_where(hub, &st.officer, &auto, |r| r["status"] == "complete").await;
    assert_eq!(
        (r["trigger"].as_str(), r["requested_by"].as_str()),
        (Some("automatic"), Some("system"))
    );
    assert_eq!(r["conclusion"], "assets_found");
    assert_eq!(state(hub, &auto).await, "measures");

    let metrics = hub.get_text("/metrics").await;
    assert!(
        metrics.contains(
            "thads_registry_queries_total{database=\"land\",outcome=\"found\",cache=\"miss\"}"
        ),
        "{metrics}"
    );

    // An organisation debtor, by the tax code the head supplies.
    let hn = Staff {
        clerk: hub.staff("hn.thuky", "clerk", "HNI-KV03").await,
        head: hub.staff("hn.truong", "head", "HNI-KV03").await,
        officer: hub.staff("hn.chv", "officer", "HNI-KV03").await,
        other_officer: String::new(),
        stranger: String::new(),
    };
    let doc = thads_e2e::corpus::example("kdtm-to-chuc.xml");
    let company = ready(hub, &hn, &doc, 112, now).await;
    let bad = json!({"legal_basis": BASIS, "early_reason": EARLY, "identifiers": [{"party": "CO1", "tax_code": "01012345"}]});
    let (status, e) = verify(hub, &hn.head, &company, bad).await;
    assert_eq!(
        (status, e["errors"][0]["field"].as_str()),
        (422, Some("identifiers[0].tax_code")),
        "{e:#}"
    );
    let ok = json!({"legal_basis": BASIS, "early_reason": EARLY, "identifiers": [{"party": "CO1", "tax_code": "0101234567"}]});
    let (status, r) = verify(hub, &hn.head, &company, ok).await;
    assert_eq!(
        (status, r["conclusion"].as_str()),
        (201, Some("assets_found")),
        "{r:#}"
    );
    let d = &r["debtors"][0];
    assert_eq!(d["subject"], "010*****67");
    assert_eq!(
        d["enterprise"]["name"],
        "Công ty TNHH Xây dựng & Thương mại Minh Phát"
    );
    assert_eq!(d["land"][0]["certificate_number"], "CT 09912");
    assert_eq!(d["vehicles"][0]["plate"], "29C-456.78");
    assert_eq!(
        d["databases"][0]["outcome"], "not_applicable",
        "no population query for a company"
    );
    assert_eq!(r["queries"].as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn verification_embedded() {
    scenario(Kind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn verification_production() {
    scenario(Kind::Production).await;
}

/// Two hub processes on one PostgreSQL database and one JetStream prefix: each case whose
/// voluntary period ran out is verified once, by one of them.
#[tokio::test(flavor = "multi_thread")]
async fn automatic_runs_once_across_hub_processes() {
    let sims = RegistrySim::start().await.unwrap();
    let vneid = VneidSim::start().await.unwrap();
    let services = ProductionServices::create("t").await;
    let runtime = services.runtime();
    let options = || {
        let mut o = HubOptions::new(runtime.clone(), Some(vneid.endpoint()));
        o.env.extend(sims.env());
        for (k, v) in [
            ("THADS_VERIFICATION__TICK", "100ms"),
            ("THADS_REGISTRIES__LAND__CACHE_TTL", "0s"),
        ] {
            o.env.push((k.into(), v.into()));
        }
        o
    };
    let a = Hub::start(common::binary(), options()).await;
    let b = Hub::start(common::binary(), options()).await;
    let st = Staff {
        clerk: a.staff("thu.ky", "clerk", "HCM-KV01").await,
        head: a.staff("truong.phong", "head", "HCM-KV01").await,
        officer: a.staff("chv.an", "officer", "HCM-KV01").await,
        other_officer: String::new(),
        stranger: String::new(),
    };
    let served = today() - Days::days(20);
    let mut cases = Vec::new();
    for n in 401..404 {
        cases.push(ready(&a, &st, &judgment(n, "079182005678", 1982), n, served).await);
    }
    for case in &cases {
        record_where(&b, &st.officer, case, |r| r["status"] == "complete").await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    for case in &cases {
        let (_, list) = a
            .get_as(&st.officer, &format!("/v1/cases/{case}/verifications"))
            .await;
        assert_eq!(list.as_array().unwrap().len(), 1, "{list:#}");
        assert_eq!(list[0]["trigger"], "automatic");
        let asked = sims
            .server(Registry::Land)
            .state
            .requests()
            .iter()
            .filter(|r| r["purpose"]["case_id"] == case.as_str())
            .count();
        assert_eq!(asked, 1, "the land register was asked once about {case}");
    }
    drop((a, b));
}
