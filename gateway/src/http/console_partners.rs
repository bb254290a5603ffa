//! The console's partner registry (`docs/console.md`): every partner the hub knows (the
//! registered partners with their keys, and the outbound partners the configuration gives an
//! endpoint), each outbound one with its endpoint settings in force, their versions, and the
//! last connectivity test; changing the settings (a new version), restoring an old version,
//! and testing the connection.
//!
//! Who: any administrator reads and tests; only administrators of the national department
//! (`CUC`) change or restore settings, since a partner's endpoint serves every office.

use crate::http::problem::answers;
use std::collections::BTreeMap;

use crate::http::extract::{Path, Query};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use thads_core::admin::connectivity::{self, Check};
use thads_core::partners::endpoints::{self, Change, EndpointError, EndpointSettings, Overlay};
use thads_core::partners::registry;
use thads_core::staff::{Actor, Role};
use thads_schemas::validation::FieldError;

use super::auth::{require_role, CurrentActor};
use super::console_api::{list, Format};
use super::problem::AppError;
use super::AppState;

/// One outbound partner the configuration gives an endpoint.
#[derive(Debug, Clone)]
pub struct KnownEndpoint {
    /// The journey and console name (`vneid`, `court:TAND79-KV1`, `bank:VCB`, `treasury`,
    /// `registry:population`).
    pub partner: String,
    /// `vneid`, `court`, `bank`, `treasury` or `database`.
    pub kind: &'static str,
    /// The configuration key of its URL (`vneid.endpoint`, ...).
    pub config_key: String,
    /// The configuration file's settings.
    pub file: EndpointSettings,
    /// What the connector appends to the URL when it calls (`/notifications` for VNeID's
    /// base URL); empty for a full URL.
    pub call_path: String,
    /// The connector's HTTP client (its TLS settings), for the connectivity test.
    pub client: reqwest::Client,
}

/// The outbound partners and the overlay their connectors read.
#[derive(Debug, Clone, Default)]
pub struct PartnerEndpoints {
    /// The console's settings, read by the connectors.
    pub overlay: Overlay,
    /// The partners the configuration gives an endpoint, by name.
    pub known: BTreeMap<String, KnownEndpoint>,
}

impl PartnerEndpoints {
    /// The settings in force for a known partner, and the URL its connector calls.
    fn in_force(&self, k: &KnownEndpoint) -> (EndpointSettings, String) {
        let settings = self
            .overlay
            .get(&k.partner)
            .unwrap_or_else(|| k.file.clone());
        let url = if k.call_path.is_empty() {
            settings.url.clone()
        } else {
            format!("{}{}", settings.url.trim_end_matches('/'), k.call_path)
        };
        (settings, url)
    }
}

/// The partner registry routes, merged into the hub's router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/partners", get(get_partners))
        .route(
            "/v1/admin/partners/{partner}/endpoint",
            put(put_endpoint).get(get_versions),
        )
        .route(
            "/v1/admin/partners/{partner}/endpoint/restore",
            post(post_restore),
        )
        .route("/v1/admin/partners/{partner}/check", post(post_check))
}

/// One line of the registry.
#[derive(Debug, Serialize)]
struct PartnerRow {
    partner: String,
    kind: String,
    name: Option<String>,
    /// `active` or `revoked` for a registered partner; `None` when not registered.
    registration: Option<String>,
    /// Active signature keys.
    keys: usize,
    /// The endpoint in force (outbound partners).
    url: Option<String>,
    timeout_ms: Option<u64>,
    /// `file`, or the version in force.
    source: Option<String>,
    version: Option<i64>,
    config_key: Option<String>,
    last_check_at: Option<String>,
    last_check_ok: Option<bool>,
    last_check_detail: Option<String>,
}

fn registry_error(e: thads_core::partners::RegistryError) -> AppError {
    AppError::Internal(e.to_string())
}

/// Every partner: the registered ones and the outbound ones, merged by name.
#[utoipa::path(
    get,
    path = "/v1/admin/partners",
    tag = "console",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("format" = Option<String>, Query, description = "`json` (default) or `csv`.", pattern = "^(json|csv)$"),
    ),
    responses(
        (status = 200, description = "Every outbound partner: its settings in force, version, last connectivity test. As CSV with `format=csv`.", content(([Object] = "application/json"), (String = "text/csv"))),
        answers::Unauthorized,
        answers::Forbidden,
        answers::Invalid,
    ),
)]
async fn get_partners(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(f): Query<Format>,
) -> Result<Response, AppError> {
    require_role(&actor, &[Role::Administrator])?;
    let mut rows: BTreeMap<String, PartnerRow> = BTreeMap::new();
    for p in registry::list(&state.db).await.map_err(registry_error)? {
        let name = if p.kind == "vneid" || p.kind == "treasury" {
            p.kind.clone()
        } else {
            let kind = if p.kind == "database" {
                "registry"
            } else {
                &p.kind
            };
            format!("{kind}:{}", p.code)
        };
        let keys = p.keys.iter().filter(|k| k.revoked_at.is_none()).count();
        rows.insert(
            name.clone(),
            PartnerRow {
                partner: name,
                kind: p.kind,
                name: Some(p.name),
                registration: Some(p.status),
                keys,
                url: None,
                timeout_ms: None,
                source: None,
                version: None,
                config_key: None,
                last_check_at: None,
                last_check_ok: None,
                last_check_detail: None,
            },
        );
    }
    let checks = connectivity::latest(&state.db).await?;
    for k in state.endpoints.known.values() {
        let (settings, _) = state.endpoints.in_force(k);
        let newest = endpoints::versions(&state.db, &k.partner)
            .await?
            .into_iter()
            .next();
        let row = rows.entry(k.partner.clone()).or_insert_with(|| PartnerRow {
            partner: k.partner.clone(),
            kind: k.kind.to_string(),
            name: None,
            registration: None,
            keys: 0,
            url: None,
            timeout_ms: None,
            source: None,
            version: None,
            config_key: None,
            last_check_at: None,
            last_check_ok: None,
            last_check_detail: None,
        });
        row.url = Some(settings.url);
        row.timeout_ms = Some(settings.timeout_ms);
        row.source = Some(newest.as_ref().map_or("file".into(), |v| v.source.clone()));
        row.version = newest.map(|v| v.version);
        row.config_key = Some(k.config_key.clone());
        if let Some(c) = checks.get(&k.partner) {
            row.last_check_at = Some(c.at.clone());
            row.last_check_ok = Some(c.ok);
            row.last_check_detail = Some(c.detail.clone());
        }
    }
    let rows: Vec<PartnerRow> = rows.into_values().collect();
    Ok(list(&rows, f.format.as_deref(), "partners"))
}

fn known<'a>(state: &'a AppState, partner: &str) -> Result<&'a KnownEndpoint, AppError> {
    state
        .endpoints
        .known
        .get(partner)
        .ok_or(AppError::NotFound("outbound partner".into()))
}

fn national(actor: &Actor) -> Result<(), AppError> {
    require_role(actor, &[Role::Administrator])?;
    if actor.office.as_str() == "CUC" {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "A partner's endpoint serves every office: only administrators of CUC change it."
                .into(),
        ))
    }
}

impl From<EndpointError> for AppError {
    fn from(e: EndpointError) -> Self {
        match e {
            EndpointError::Invalid { field, reason } => AppError::Invalid {
                errors: vec![FieldError::new(field, reason)],
                message_id: None,
            },
            EndpointError::NoVersion { .. } => AppError::Invalid {
                errors: vec![FieldError::new("/version", e.to_string())],
                message_id: None,
            },
            EndpointError::Conflict(_) => AppError::Conflict(e.to_string()),
            EndpointError::Db(e) => AppError::from(e),
        }
    }
}

/// Every version of an outbound partner's settings, newest first, with the file's settings.
#[derive(Debug, Serialize)]
struct Versions {
    partner: String,
    config_key: String,
    file: EndpointSettings,
    in_force: EndpointSettings,
    versions: Vec<endpoints::Version>,
}

#[utoipa::path(
    get,
    path = "/v1/admin/partners/{partner}/endpoint",
    tag = "console",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("partner" = String, Path, description = "`vneid`, `court:TAND79-KV1`, `bank:VCB`, `treasury`, `registry:population`, …"),
    ),
    responses(
        (status = 200, description = "The file's settings, those in force and every stored version, newest first.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
async fn get_versions(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(partner): Path<String>,
) -> Result<Json<Versions>, AppError> {
    require_role(&actor, &[Role::Administrator])?;
    let k = known(&state, &partner)?;
    let (in_force, _) = state.endpoints.in_force(k);
    Ok(Json(Versions {
        partner: k.partner.clone(),
        config_key: k.config_key.clone(),
        file: k.file.clone(),
        in_force,
        versions: endpoints::versions(&state.db, &partner).await?,
    }))
}

fn json<T: serde::de::DeserializeOwned>(
    state: &AppState,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, AppError> {
    super::extract::json_body(&state.body(body)?)
}

/// New endpoint settings.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewSettings {
    url: String,
    timeout_ms: u64,
    #[serde(default)]
    note: Option<String>,
}

/// Stores new settings as the newest version (CUC administrators; audited); 200 with it.
#[utoipa::path(
    put,
    path = "/v1/admin/partners/{partner}/endpoint",
    tag = "console",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("partner" = String, Path, description = "The outbound partner."),
    ),
    request_body(content = NewSettings, content_type = "application/json"),
    responses(
        (status = 200, description = "Stored as the newest version (audited); the connectors use it from the next call.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
async fn put_endpoint(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(partner): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<endpoints::Version>, AppError> {
    national(&actor)?;
    let k = known(&state, &partner)?;
    let request: NewSettings = json(&state, body)?;
    let change = Change {
        partner: &k.partner,
        actor: &actor.username,
        file: Some(&k.file),
        note: request.note.as_deref(),
    };
    let settings = EndpointSettings {
        url: request.url,
        timeout_ms: request.timeout_ms,
    };
    let v = endpoints::change(&state.db, &state.endpoints.overlay, &change, &settings).await?;
    Ok(Json(v))
}

/// Which version to restore.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Restore {
    version: i64,
    #[serde(default)]
    note: Option<String>,
}

/// Restores an earlier version as the newest (CUC administrators; audited).
#[utoipa::path(
    post,
    path = "/v1/admin/partners/{partner}/endpoint/restore",
    tag = "console",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("partner" = String, Path, description = "The outbound partner."),
    ),
    request_body(content = Restore, content_type = "application/json"),
    responses(
        (status = 200, description = "The earlier version stored again as the newest (audited).", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
async fn post_restore(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(partner): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<endpoints::Version>, AppError> {
    national(&actor)?;
    let k = known(&state, &partner)?;
    let request: Restore = json(&state, body)?;
    let change = Change {
        partner: &k.partner,
        actor: &actor.username,
        file: Some(&k.file),
        note: request.note.as_deref(),
    };
    let v = endpoints::restore(
        &state.db,
        &state.endpoints.overlay,
        &change,
        request.version,
    )
    .await?;
    Ok(Json(v))
}

/// Tests the connection to an outbound partner's endpoint in force and records the outcome;
/// 200 with it, whether the partner answered or not.
#[utoipa::path(
    post,
    path = "/v1/admin/partners/{partner}/check",
    tag = "console",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("partner" = String, Path, description = "The outbound partner."),
    ),
    responses(
        (status = 200, description = "The connectivity test's result, recorded and audited.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
async fn post_check(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(partner): Path<String>,
) -> Result<Json<Check>, AppError> {
    require_role(&actor, &[Role::Administrator])?;
    let k = known(&state, &partner)?;
    let (settings, url) = state.endpoints.in_force(k);
    let check = connectivity::probe(
        &k.client,
        &k.partner,
        &url,
        settings.timeout(),
        &actor.username,
    )
    .await;
    connectivity::record(&state.db, &check).await?;
    tracing::info!(partner = %k.partner, ok = check.ok, admin = %actor.username, "partner connection tested");
    Ok(Json(check))
}
