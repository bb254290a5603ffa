//! A VNeID sign-in simulator: a real OpenID Connect provider over HTTP, speaking the protocol
//! the hub's relying party speaks. It serves the discovery document, its signing keys (JWKS),
//! the authorization endpoint (auto-approving the citizen the test chose, as if they had
//! confirmed in the VNeID app) and the token endpoint (authorization code with PKCE S256,
//! client authentication, single-use codes), and signs ID tokens with an ES256 key made at
//! start.
//!
//! A test can make the next ID token bad in one way ([`Mischief`]): signed with a key the
//! provider never published, for another audience, already expired, with another nonce or
//! issuer, or with a claim that is not a CCCD; the hub must refuse each.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The claim the simulator puts the CCCD in (the hub's default `citizen_oidc.cccd_claim`).
pub const CCCD_CLAIM: &str = "cccd";

/// One way to spoil the next ID token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mischief {
    /// Signed with a key the provider does not publish, under the published key id.
    WrongKey,
    /// Issued for another client.
    WrongAudience,
    /// Expired an hour ago.
    Expired,
    /// Carries another nonce than the authorization request's.
    WrongNonce,
    /// Names another issuer.
    WrongIssuer,
    /// The CCCD claim is not a 12-digit identity number.
    NotACccd,
}

/// The citizen the authorization endpoint signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citizen {
    /// Their CCCD.
    pub cccd: String,
    /// Their full name.
    pub name: String,
}

#[derive(Debug, Clone)]
struct Grant {
    client_id: String,
    redirect_uri: String,
    nonce: Option<String>,
    challenge: String,
    citizen: Citizen,
}

#[derive(Debug, Default)]
struct Inner {
    citizen: Option<Citizen>,
    mischief: Option<Mischief>,
    codes: HashMap<String, Grant>,
    tokens_issued: u32,
}

/// The provider's state, shared with the test.
#[derive(Debug)]
pub struct SimState {
    issuer: String,
    client_id: String,
    client_secret: String,
    redirect_uri: String,
    kid: String,
    key: EncodingKey,
    rogue_key: EncodingKey,
    jwk: Value,
    inner: Mutex<Inner>,
}

impl SimState {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Signs in `citizen` at the next authorization request (until changed).
    pub fn sign_in_as(&self, cccd: &str, name: &str) {
        self.lock().citizen = Some(Citizen {
            cccd: cccd.into(),
            name: name.into(),
        });
    }

    /// Spoils the next ID token in this way (once).
    pub fn spoil_next(&self, mischief: Mischief) {
        self.lock().mischief = Some(mischief);
    }

    /// ID tokens issued so far.
    pub fn tokens_issued(&self) -> u32 {
        self.lock().tokens_issued
    }
}

/// A running provider; stops when dropped.
#[derive(Debug)]
pub struct OidcSim {
    /// The issuer URL (`http://127.0.0.1:<port>`).
    pub issuer: String,
    /// What the test controls.
    pub state: Arc<SimState>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for OidcSim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn ec_key() -> Result<(EncodingKey, Vec<u8>), String> {
    let pair =
        rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|e| e.to_string())?;
    let key =
        EncodingKey::from_ec_pem(pair.serialize_pem().as_bytes()).map_err(|e| e.to_string())?;
    Ok((key, pair.public_key_raw().to_vec()))
}

impl OidcSim {
    /// Starts a provider on a free loopback port for client `client_id` (secret
    /// `client_secret`) whose only registered redirect URI is `redirect_uri`.
    pub async fn start(
        client_id: &str,
        client_secret: &str,
        redirect_uri: &str,
    ) -> Result<Self, String> {
        Self::start_on(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            client_id,
            client_secret,
            redirect_uri,
        )
        .await
    }

    /// Starts a provider on `addr`.
    pub async fn start_on(
        addr: SocketAddr,
        client_id: &str,
        client_secret: &str,
        redirect_uri: &str,
    ) -> Result<Self, String> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| e.to_string())?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        let issuer = format!("http://{local}");
        let (key, public) = ec_key()?;
        let (rogue_key, _) = ec_key()?;
        let kid = format!("vneid-sim-{}", &hex::encode(Sha256::digest(&public))[..12]);
        let jwk = json!({
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
            "x": b64(&public[1..33]), "y": b64(&public[33..65]),
        });
        let state = Arc::new(SimState {
            issuer: issuer.clone(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            redirect_uri: redirect_uri.into(),
            kid,
            key,
            rogue_key,
            jwk,
            inner: Mutex::new(Inner::default()),
        });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/control/citizen", post(control_citizen))
            .with_state(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            issuer,
            state,
            task,
        })
    }
}

async fn discovery(State(s): State<Arc<SimState>>) -> Json<Value> {
    Json(json!({
        "issuer": s.issuer,
        "authorization_endpoint": format!("{}/authorize", s.issuer),
        "token_endpoint": format!("{}/token", s.issuer),
        "jwks_uri": format!("{}/jwks", s.issuer),
        "response_types_supported": ["code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": ["openid", "profile"],
        "claims_supported": ["sub", "name", CCCD_CLAIM],
    }))
}

async fn jwks(State(s): State<Arc<SimState>>) -> Json<Value> {
    Json(json!({"keys": [s.jwk]}))
}

async fn control_citizen(State(s): State<Arc<SimState>>, Json(c): Json<Citizen>) -> StatusCode {
    s.sign_in_as(&c.cccd, &c.name);
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
struct AuthorizeQuery {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

fn bad_request(why: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": "invalid_request", "error_description": why})),
    )
        .into_response()
}

/// The authorization endpoint: checks the client and its redirect URI (an unknown one gets a
/// 400 page, never a redirect), then redirects back with a code, or with an error.
async fn authorize(State(s): State<Arc<SimState>>, Query(q): Query<AuthorizeQuery>) -> Response {
    if q.client_id.as_deref() != Some(s.client_id.as_str()) {
        return bad_request("unknown client_id");
    }
    if q.redirect_uri.as_deref() != Some(s.redirect_uri.as_str()) {
        return bad_request("redirect_uri is not registered for this client");
    }
    let back = |params: &[(&str, &str)]| {
        let mut url = url_with(&s.redirect_uri, params);
        if let Some(st) = &q.state {
            url = url_with(&url, &[("state", st)]);
        }
        Redirect::to(&url).into_response()
    };
    if q.response_type.as_deref() != Some("code") {
        return back(&[("error", "unsupported_response_type")]);
    }
    if !q
        .scope
        .as_deref()
        .unwrap_or("")
        .split(' ')
        .any(|x| x == "openid")
    {
        return back(&[("error", "invalid_scope")]);
    }
    let (Some(challenge), Some("S256")) = (&q.code_challenge, q.code_challenge_method.as_deref())
    else {
        return back(&[("error", "invalid_request")]);
    };
    let Some(citizen) = s.lock().citizen.clone() else {
        return back(&[("error", "access_denied")]);
    };
    let code = hex::encode(rand_bytes());
    s.lock().codes.insert(
        code.clone(),
        Grant {
            client_id: s.client_id.clone(),
            redirect_uri: s.redirect_uri.clone(),
            nonce: q.nonce.clone(),
            challenge: challenge.clone(),
            citizen,
        },
    );
    back(&[("code", &code)])
}

fn rand_bytes() -> [u8; 24] {
    rand::random()
}

fn url_with(base: &str, params: &[(&str, &str)]) -> String {
    let mut url = base.to_string();
    for (k, v) in params {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(k);
        url.push('=');
        url.extend(url::form_urlencoded::byte_serialize(v.as_bytes()));
    }
    url
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

fn token_error(status: StatusCode, error: &str) -> Response {
    (status, Json(json!({"error": error}))).into_response()
}

/// The client's credentials, from HTTP Basic or the form.
fn client_of(headers: &HeaderMap, form: &TokenForm) -> Option<(String, String)> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    if let Some(pair) = basic {
        let (id, secret) = pair.split_once(':')?;
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        return Some((decode(id)?, decode(secret)?));
    }
    Some((form.client_id.clone()?, form.client_secret.clone()?))
}

/// The token endpoint: authenticates the client, takes the code once, checks the redirect URI
/// and the PKCE verifier, and answers with an ID token.
async fn token(
    State(s): State<Arc<SimState>>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    if form.grant_type.as_deref() != Some("authorization_code") {
        return token_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    match client_of(&headers, &form) {
        Some((id, secret)) if id == s.client_id && secret == s.client_secret => {}
        _ => return token_error(StatusCode::UNAUTHORIZED, "invalid_client"),
    }
    let Some(grant) = form.code.as_deref().and_then(|c| s.lock().codes.remove(c)) else {
        return token_error(StatusCode::BAD_REQUEST, "invalid_grant");
    };
    if grant.client_id != s.client_id || form.redirect_uri.as_deref() != Some(&grant.redirect_uri) {
        return token_error(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    let verifier = form.code_verifier.unwrap_or_default();
    if b64(&Sha256::digest(verifier.as_bytes())) != grant.challenge {
        return token_error(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    let mischief = s.lock().mischief.take();
    let now = i64::try_from(jsonwebtoken::get_current_timestamp()).unwrap_or(0);
    let mut claims = json!({
        "iss": s.issuer,
        "sub": format!("pairwise-{}", &hex::encode(Sha256::digest(grant.citizen.cccd.as_bytes()))[..16]),
        "aud": s.client_id,
        "iat": now,
        "exp": now + 300,
        "auth_time": now,
        "name": grant.citizen.name,
        CCCD_CLAIM: grant.citizen.cccd,
    });
    if let Some(n) = grant.nonce {
        claims["nonce"] = Value::from(n);
    }
    match mischief {
        Some(Mischief::WrongAudience) => claims["aud"] = json!("another-client"),
        Some(Mischief::Expired) => {
            claims["iat"] = json!(now - 7200);
            claims["exp"] = json!(now - 3600);
        }
        Some(Mischief::WrongNonce) => claims["nonce"] = json!("a-nonce-from-another-sign-in"),
        Some(Mischief::WrongIssuer) => claims["iss"] = json!("https://evil.example"),
        Some(Mischief::NotACccd) => claims[CCCD_CLAIM] = json!("07907800"),
        Some(Mischief::WrongKey) | None => {}
    }
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(s.kid.clone());
    let key = if mischief == Some(Mischief::WrongKey) {
        &s.rogue_key
    } else {
        &s.key
    };
    let Ok(id_token) = jsonwebtoken::encode(&header, &claims, key) else {
        return token_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error");
    };
    s.lock().tokens_issued += 1;
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({
            "access_token": hex::encode(rand_bytes()),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        })),
    )
        .into_response()
}
