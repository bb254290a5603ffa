//! `GET /openapi.json` against a real hub: public, OpenAPI 3.1, describing exactly the routes
//! the gateway serves (every `.route("…")` in `gateway/src/http`, with the methods each really
//! answers), each operation with its answers and, for staff endpoints, its security. So a new
//! endpoint without a description, or a description of an endpoint that is gone, fails here.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use serde_json::Value;
use thads_e2e::hub::Hub;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// A concrete path for a template (`{id}` → `x-openapi-probe`).
fn concrete(template: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in template.chars() {
        match c {
            '{' => in_param = true,
            '}' => {
                in_param = false;
                out.push_str("x-openapi-probe");
            }
            _ if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

/// Whether the router has a route for `method path`: axum answers 405 for a known path with
/// another method, and an empty-bodied 404 for an unknown path; every handler's own 404 is a
/// problem+json.
async fn routed(hub: &Hub, method: &str, path: &str) -> bool {
    let url = format!("{}{}", hub.base, concrete(path));
    let request = hub
        .http
        .request(method.to_uppercase().parse().unwrap(), url)
        .header("content-type", "application/json")
        .body("{}");
    let answer = request.send().await.unwrap();
    let status = answer.status().as_u16();
    let body = answer.bytes().await.unwrap();
    !(status == 405 || (status == 404 && body.is_empty()))
}

#[tokio::test]
async fn the_description_covers_exactly_the_routes_served() {
    let setup = setup(Kind::Embedded, |_| {}).await;
    let hub = &setup.hub;
    let answer = hub.get_anonymous("/openapi.json").await;
    assert_eq!(answer.status(), 200, "public, without a session");
    let doc: Value = answer.json().await.unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    let described: BTreeSet<String> = paths.keys().cloned().collect();
    // Pages for people, not API: the console's files and the party portal's page.
    let pages = ["/console", "/console/", "/console/{*path}", "/me"];
    let routed_paths: BTreeSet<String> = routes_in_source()
        .into_iter()
        .filter(|p| !pages.contains(&p.as_str()))
        .collect();
    assert_eq!(
        described.difference(&routed_paths).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "described but not routed"
    );
    assert_eq!(
        routed_paths.difference(&described).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "routed but not described: add #[utoipa::path] to the handler and list it in gateway/src/http/openapi.rs"
    );

    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    let mut wrong = BTreeMap::new();
    for (path, item) in paths {
        for method in METHODS {
            let op = &item[method];
            let is_routed = routed(hub, method, path).await;
            if op.is_null() {
                if is_routed {
                    wrong.insert(format!("{method} {path}"), "served but not described");
                }
                continue;
            }
            if !is_routed {
                wrong.insert(format!("{method} {path}"), "described but not served");
            }
            if op["responses"].as_object().is_none_or(|r| r.is_empty()) {
                wrong.insert(format!("{method} {path}"), "no responses");
            }
            if op["tags"].as_array().is_none_or(|t| t.is_empty()) {
                wrong.insert(format!("{method} {path}"), "no tag");
            }
            for requirement in op["security"].as_array().into_iter().flatten() {
                for name in requirement.as_object().unwrap().keys() {
                    if !schemes.contains_key(name) {
                        wrong.insert(format!("{method} {path}"), "unknown security scheme");
                    }
                }
            }
            // An endpoint that answers 401 must say how to authenticate (the staff sign-in
            // and the party's return from VNeID are where a session starts: their 401 is a
            // refused sign-in).
            if op["responses"]["401"].is_object()
                && op["security"].as_array().is_none()
                && !["/v1/auth/sign-in", "/v1/me/callback"].contains(&path.as_str())
            {
                wrong.insert(
                    format!("{method} {path}"),
                    "answers 401 but names no security",
                );
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");

    // Request bodies that the hub reads as typed JSON are described field by field.
    let order = &paths["/v1/cases/{id}/bank-orders"]["post"]["requestBody"]["content"]
        ["application/json"]["schema"];
    let order = resolve(&doc, order);
    for field in [
        "kind",
        "bank",
        "account",
        "amount_vnd",
        "decision_number",
        "decision_date",
    ] {
        assert!(
            order["required"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == field),
            "{field} required in {order:#}"
        );
    }
    assert_eq!(
        resolve(&doc, &order["properties"]["amount_vnd"])["type"],
        "integer"
    );
    let kinds = resolve(&doc, &order["properties"]["kind"]);
    assert!(kinds.to_string().contains("confirm_freeze"), "{kinds:#}");
    let problem = resolve(
        &doc,
        &paths["/v1/court/judgments"]["post"]["responses"]["422"]["content"]
            ["application/problem+json"]["schema"],
    );
    assert!(problem["properties"]["errors"].is_object(), "{problem:#}");
}

/// Follows a `$ref` into `components`.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap();
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}
