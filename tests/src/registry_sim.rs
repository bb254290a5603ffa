//! Simulators of the four national databases (population, land, vehicles, businesses): four
//! real axum HTTP servers, each on its own port and speaking its own JSON schema, holding
//! realistic Vietnamese records keyed by CCCD or tax code. Each can be told to fail: slow past
//! the caller's timeout, 503 for the next N requests, malformed answers, or to know nobody
//! (404 or empty, as its schema says). Every request is kept, so tests can check that each one
//! named its case, legal basis and officer; one without them is refused with 400.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use thads_core::verification::Registry;

/// How a server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum Fault {
    /// Answer from the records.
    None,
    /// Answer after a delay.
    Slow {
        /// Delay in milliseconds.
        delay_ms: u64,
    },
    /// Answer 503 to the next `n` requests, then normally.
    FailNext {
        /// Failures left.
        n: u32,
    },
    /// Answer 200 with a body that breaks the schema (a field missing or of the wrong type).
    Malformed,
    /// Know nobody: the schema's "not found" for every number.
    Unknown,
}

#[derive(Debug)]
struct Inner {
    fault: Fault,
    requests: Vec<Value>,
}

/// The state of one server.
#[derive(Debug, Clone)]
pub struct ServerState {
    registry: Registry,
    inner: Arc<Mutex<Inner>>,
}

impl ServerState {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Changes how the server answers.
    pub fn set_fault(&self, fault: Fault) {
        self.lock().fault = fault;
    }

    /// Every request body received, in order.
    pub fn requests(&self) -> Vec<Value> {
        self.lock().requests.clone()
    }
}

/// One running server.
#[derive(Debug)]
pub struct SimServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its state, to steer and inspect it.
    pub state: ServerState,
    task: tokio::task::JoinHandle<()>,
}

impl SimServer {
    /// Starts the server for `registry` on `addr` (port 0: any free port).
    pub async fn start(registry: Registry, addr: SocketAddr) -> std::io::Result<Self> {
        let state = ServerState {
            registry,
            inner: Arc::new(Mutex::new(Inner {
                fault: Fault::None,
                requests: Vec::new(),
            })),
        };
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let app = Router::new()
            .route(path(registry), post(lookup))
            .route("/control/fault", post(set_fault))
            .route("/control/received", get(received))
            .with_state(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, state, task })
    }

    /// The base URL to configure as `registries.<database>.endpoint`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The four servers.
#[derive(Debug)]
pub struct RegistrySim {
    servers: Vec<SimServer>,
}

impl RegistrySim {
    /// Starts the four servers on free loopback ports.
    pub async fn start() -> std::io::Result<Self> {
        let mut servers = Vec::new();
        for r in Registry::ALL {
            servers.push(SimServer::start(r, SocketAddr::from(([127, 0, 0, 1], 0))).await?);
        }
        Ok(Self { servers })
    }

    /// The server of one database.
    pub fn server(&self, registry: Registry) -> &SimServer {
        let i = Registry::ALL
            .iter()
            .position(|r| *r == registry)
            .unwrap_or(0);
        &self.servers[i]
    }

    /// The hub's environment pointing at the four servers, with their tokens.
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = Vec::new();
        for s in &self.servers {
            let key = format!(
                "THADS_REGISTRIES__{}",
                s.state.registry.as_str().to_uppercase()
            );
            env.push((format!("{key}__ENDPOINT"), s.endpoint()));
            env.push((format!("{key}__TOKEN"), token(s.state.registry)));
        }
        env
    }

    /// Requests received by every server.
    pub fn total_requests(&self) -> usize {
        self.servers.iter().map(|s| s.state.requests().len()).sum()
    }
}

/// The token each server expects as `Authorization: Bearer`.
pub fn token(registry: Registry) -> String {
    format!("sim-token-{}", registry.as_str())
}

fn path(registry: Registry) -> &'static str {
    match registry {
        Registry::Population => "/v1/cong-dan/tra-cuu",
        Registry::Land => "/v1/parcels/search",
        Registry::Vehicle => "/api/dang-ky-xe/tra-cuu",
        Registry::Business => "/v2/ownership/search",
    }
}

/// The number asked about and the purpose, each from where the partner's schema puts it.
fn parts(registry: Registry, b: &Value) -> [&str; 4] {
    fn s(v: &Value) -> &str {
        v.as_str().unwrap_or("")
    }
    match registry {
        Registry::Population => {
            let m = &b["mucDich"];
            [
                s(&b["soDinhDanh"]),
                s(&m["maHoSo"]),
                s(&m["canCuPhapLy"]),
                s(&m["canBoYeuCau"]),
            ]
        }
        Registry::Land => {
            let p = &b["purpose"];
            [
                s(&b["owner"]["id_number"]),
                s(&p["case_id"]),
                s(&p["legal_basis"]),
                s(&p["requested_by"]),
            ]
        }
        Registry::Vehicle => [
            s(&b["so_giay_to"]),
            s(&b["ho_so_thi_hanh_an"]),
            s(&b["can_cu"]),
            s(&b["nguoi_yeu_cau"]),
        ],
        Registry::Business => {
            let p = &b["purpose"];
            [
                s(&b["identifier"]["value"]),
                s(&p["caseId"]),
                s(&p["legalBasis"]),
                s(&p["requestedBy"]),
            ]
        }
    }
}

async fn lookup(State(state): State<ServerState>, headers: HeaderMap, body: Bytes) -> Response {
    let registry = state.registry;
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let (fault, n) = {
        let mut inner = state.lock();
        inner.requests.push(body.clone());
        let fault = inner.fault;
        if let Fault::FailNext { n } = fault {
            inner.fault = if n <= 1 {
                Fault::None
            } else {
                Fault::FailNext { n: n - 1 }
            };
        }
        (fault, inner.requests.len())
    };
    let bearer = format!("Bearer {}", token(registry));
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(bearer.as_str()) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "unauthorized"})),
        )
            .into_response();
    }
    let [number, case, basis, by] = parts(registry, &body);
    if [number, case, basis, by]
        .iter()
        .any(|p| p.trim().is_empty())
    {
        let why = "every query names the number, the case, the legal basis and the officer";
        return (StatusCode::BAD_REQUEST, Json(json!({"error": why}))).into_response();
    }
    match fault {
        Fault::FailNext { .. } => {
            return (StatusCode::SERVICE_UNAVAILABLE, "simulated outage").into_response()
        }
        Fault::Slow { delay_ms } => tokio::time::sleep(Duration::from_millis(delay_ms)).await,
        Fault::Malformed => {
            return (StatusCode::OK, Json(malformed(registry, number))).into_response()
        }
        Fault::None | Fault::Unknown => {}
    }
    let tx = format!("{}-{n:06}", registry.as_str().to_uppercase());
    let known = fault != Fault::Unknown;
    let company = number.len() != 12;
    match registry {
        Registry::Population => match known.then(|| citizen(number)).flatten() {
            Some(c) => {
                Json(json!({"maGiaoDich": tx, "maKetQua": "00", "congDan": c})).into_response()
            }
            None => (
                StatusCode::NOT_FOUND,
                Json(
                    json!({"maGiaoDich": tx, "maKetQua": "04", "moTa": "Không tìm thấy công dân"}),
                ),
            )
                .into_response(),
        },
        Registry::Land => {
            let parcels = if known { parcels(number) } else { Vec::new() };
            let found = known && (citizen(number).is_some() || !parcels.is_empty());
            Json(json!({"transaction_id": tx, "owner_found": found, "parcels": parcels}))
                .into_response()
        }
        Registry::Vehicle => {
            let v = if known { vehicles(number) } else { Vec::new() };
            Json(json!({"ma_giao_dich": tx, "so_luong": v.len(), "phuong_tien": v})).into_response()
        }
        Registry::Business => {
            let (enterprise, holdings) = if known {
                business(number)
            } else {
                (None, Vec::new())
            };
            if company && enterprise.is_none() {
                let body = json!({"error": "ENTERPRISE_NOT_FOUND", "traceId": tx});
                return (StatusCode::NOT_FOUND, Json(body)).into_response();
            }
            Json(json!({"traceId": tx, "enterprise": enterprise, "holdings": holdings}))
                .into_response()
        }
    }
}

/// A 200 answer that breaks the partner's schema in one field.
fn malformed(registry: Registry, number: &str) -> Value {
    match registry {
        // `hoVaTen` is missing.
        Registry::Population => json!({"maGiaoDich": "DC-X", "maKetQua": "00", "congDan": {
            "soDinhDanh": number, "ngaySinh": "14/05/1982", "gioiTinh": "Nữ",
            "noiThuongTru": null, "noiOHienTai": null}}),
        // `area_m2` written the Vietnamese way, as text.
        Registry::Land => json!({"transaction_id": "LAND-X", "owner_found": true, "parcels": [{
            "certificate_no": "CS 04521", "address": "phường Thủ Đức", "area_m2": "72,5",
            "land_use_code": "ODT", "land_use_name": "Đất ở tại đô thị"}]}),
        // `bien_so` is missing.
        Registry::Vehicle => json!({"ma_giao_dich": "XE-X", "so_luong": 1, "phuong_tien": [{
            "loai_xe": "Ô tô con", "nhan_hieu": "Toyota Vios", "ngay_dang_ky": "2021-03-04"}]}),
        // `capitalVnd` with thousands separators, as text.
        Registry::Business => json!({"traceId": "DN-X", "enterprise": null, "holdings": [{
            "enterpriseCode": "0315123456", "enterpriseName": "Công ty TNHH Bình An",
            "capitalVnd": "300.000.000", "ratioPercent": 30.0, "role": "Thành viên góp vốn"}]}),
    }
}

/// The population database's citizens.
fn citizen(cccd: &str) -> Option<Value> {
    let (name, born, gender, permanent, current) = match cccd {
        "079182005678" => (
            "Trần Thị Bình",
            "14/05/1982",
            "Nữ",
            "45 Nguyễn Trãi, phường Chợ Quán, Thành phố Hồ Chí Minh",
            Some("Căn hộ B2-1208, chung cư Sunrise City, phường Tân Hưng, Thành phố Hồ Chí Minh"),
        ),
        "079078001234" => (
            "Nguyễn Văn An",
            "02/09/1978",
            "Nam",
            "12 Lê Lợi, phường Sài Gòn, Thành phố Hồ Chí Minh",
            None,
        ),
        "001085012345" => (
            "Phạm Minh Hải",
            "21/11/1985",
            "Nam",
            "Số 8 ngõ 42 Trần Cung, phường Nghĩa Đô, Thành phố Hà Nội",
            None,
        ),
        "079182001111" => (
            "Lê Thị Hoa",
            "03/02/1982",
            "Nữ",
            "27/4 Bùi Minh Trực, phường Chánh Hưng, Thành phố Hồ Chí Minh",
            None,
        ),
        _ => return None,
    };
    Some(
        json!({"soDinhDanh": cccd, "hoVaTen": name, "ngaySinh": born, "gioiTinh": gender,
                "noiThuongTru": permanent, "noiOHienTai": current.unwrap_or(permanent)}),
    )
}

/// The land register's parcels by owner.
fn parcels(owner: &str) -> Vec<Value> {
    let p = |no: &str, address: &str, area: f64, code: &str, name: &str| {
        json!({"certificate_no": no, "address": address, "area_m2": area,
               "land_use_code": code, "land_use_name": name})
    };
    match owner {
        "079182005678" => vec![p(
            "CS 04521",
            "Thửa đất số 112, tờ bản đồ số 35, phường Thủ Đức, Thành phố Hồ Chí Minh",
            72.5,
            "ODT",
            "Đất ở tại đô thị",
        )],
        "001085012345" => vec![p(
            "DB 318207",
            "Thửa đất số 57, tờ bản đồ số 12, xã Quang Minh, Thành phố Hà Nội",
            240.0,
            "ONT",
            "Đất ở tại nông thôn",
        )],
        "0101234567" => vec![p(
            "CT 09912",
            "Lô C2, Khu công nghiệp Quang Minh, xã Quang Minh, Thành phố Hà Nội",
            5200.0,
            "SKK",
            "Đất khu công nghiệp",
        )],
        _ => Vec::new(),
    }
}

/// The vehicle register's vehicles by owner.
fn vehicles(owner: &str) -> Vec<Value> {
    let v = |plate: &str, kind: &str, brand: &str, on: &str| json!({"bien_so": plate, "loai_xe": kind, "nhan_hieu": brand, "ngay_dang_ky": on});
    match owner {
        "079182005678" => vec![
            v("51H-123.45", "Ô tô con", "Toyota Vios 1.5G", "2021-03-04"),
            v("59X1-234.56", "Mô tô", "Honda SH 125i", "2019-08-20"),
        ],
        "0101234567" => vec![v("29C-456.78", "Ô tô tải", "Hino FC9JLTC", "2020-11-10")],
        _ => Vec::new(),
    }
}

/// The business register: the enterprise under a code, and the holdings of an owner.
fn business(id: &str) -> (Option<Value>, Vec<Value>) {
    let h = |code: &str, name: &str, capital: i64, pct: f64, role: &str| {
        json!({"enterpriseCode": code, "enterpriseName": name, "capitalVnd": capital,
               "ratioPercent": pct, "role": role})
    };
    match id {
        "079182005678" => (
            None,
            vec![h(
                "0315123456",
                "Công ty TNHH Thương mại Dịch vụ Bình An",
                300_000_000,
                30.0,
                "Thành viên góp vốn",
            )],
        ),
        "0101234567" => (
            Some(json!({"enterpriseCode": "0101234567",
                "name": "Công ty TNHH Xây dựng & Thương mại Minh Phát", "status": "Đang hoạt động",
                "headOffice": "Lô C2, Khu công nghiệp Quang Minh, xã Quang Minh, Thành phố Hà Nội",
                "charterCapitalVnd": 15_000_000_000_i64})),
            vec![h(
                "0109876543",
                "Công ty Cổ phần Vật liệu Xây dựng Sông Đà",
                1_500_000_000,
                12.5,
                "Cổ đông",
            )],
        ),
        _ => (None, Vec::new()),
    }
}

async fn set_fault(State(state): State<ServerState>, Json(fault): Json<Fault>) -> Json<Fault> {
    state.set_fault(fault);
    Json(fault)
}

async fn received(State(state): State<ServerState>) -> Json<Vec<Value>> {
    Json(state.requests())
}
