//! The population database (Cơ sở dữ liệu quốc gia về dân cư, run by the Ministry of Public
//! Security, C06), reached over the national data-sharing platform. Its fields are Vietnamese
//! camelCase; dates are `dd/mm/yyyy`; an unknown CCCD is a 404 with `maKetQua` `"04"`.
//!
//! `POST {endpoint}/v1/cong-dan/tra-cuu`
//! `{"maYeuCau": "...", "soDinhDanh": "079182005678",
//!   "mucDich": {"maHoSo": "case-…", "canCuPhapLy": "Điều 44 …", "canBoYeuCau": "chv.an"}}`
//! → 200 `{"maGiaoDich": "DC-…", "maKetQua": "00", "congDan": {"soDinhDanh": "…", "hoVaTen": "…",
//!   "ngaySinh": "14/05/1982", "gioiTinh": "Nữ", "noiThuongTru": "…", "noiOHienTai": "…"}}`
//! → 404 `{"maGiaoDich": "DC-…", "maKetQua": "04", "moTa": "Không tìm thấy công dân"}`

use serde::{Deserialize, Serialize};
use thads_core::verification::findings::Identity;
use thads_core::verification::{Answer, QueryPurpose, Subject};

use super::{bad, decode, text, Malformed, Reading};

/// The lookup's path.
pub(crate) const PATH: &str = "/v1/cong-dan/tra-cuu";

/// The request.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Request<'a> {
    ma_yeu_cau: &'a str,
    so_dinh_danh: &'a str,
    muc_dich: Purpose<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Purpose<'a> {
    ma_ho_so: &'a str,
    can_cu_phap_ly: &'a str,
    can_bo_yeu_cau: &'a str,
}

/// A found citizen.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Found {
    ma_giao_dich: String,
    ma_ket_qua: String,
    cong_dan: Citizen,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Citizen {
    so_dinh_danh: String,
    ho_va_ten: String,
    ngay_sinh: String,
    gioi_tinh: String,
    noi_thuong_tru: Option<String>,
    noi_o_hien_tai: Option<String>,
}

/// The 404 answer for an unknown CCCD.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NotFound {
    ma_giao_dich: String,
    ma_ket_qua: String,
    #[allow(dead_code)]
    mo_ta: String,
}

/// The request for `subject`.
pub(crate) fn request<'a>(
    subject: &'a Subject,
    purpose: &'a QueryPurpose,
    reference: &'a str,
) -> Request<'a> {
    Request {
        ma_yeu_cau: reference,
        so_dinh_danh: subject.number(),
        muc_dich: Purpose {
            ma_ho_so: purpose.case_id(),
            can_cu_phap_ly: purpose.legal_basis(),
            can_bo_yeu_cau: purpose.requested_by(),
        },
    }
}

/// Reads an answer: 200 a citizen, 404 with `"04"` not known.
pub(crate) fn read(status: u16, body: &[u8], subject: &Subject) -> Result<Reading, Malformed> {
    match status {
        200 => {
            let f: Found = decode(body)?;
            if f.ma_ket_qua != "00" {
                return Err(bad("maKetQua", "a 200 answer must carry \"00\""));
            }
            let c = f.cong_dan;
            if c.so_dinh_danh != subject.number() {
                return Err(bad(
                    "congDan.soDinhDanh",
                    "the answer is about another citizen than the one asked for",
                ));
            }
            let gender = match c.gioi_tinh.as_str() {
                "Nam" => "male",
                "Nữ" => "female",
                _ => return Err(bad("congDan.gioiTinh", "must be \"Nam\" or \"Nữ\"")),
            };
            let identity = Identity {
                full_name: text("congDan.hoVaTen", &c.ho_va_ten)?,
                birth_date: vn_date("congDan.ngaySinh", &c.ngay_sinh)?,
                gender: gender.into(),
                permanent_address: c.noi_thuong_tru.filter(|a| !a.trim().is_empty()),
                current_address: c.noi_o_hien_tai.filter(|a| !a.trim().is_empty()),
            };
            Ok(Reading::Answer(
                Answer::Population {
                    identity: Some(identity),
                },
                f.ma_giao_dich,
            ))
        }
        404 => {
            let n: NotFound = decode(body)?;
            if n.ma_ket_qua != "04" {
                return Err(bad("maKetQua", "a 404 answer must carry \"04\""));
            }
            Ok(Reading::Answer(
                Answer::Population { identity: None },
                n.ma_giao_dich,
            ))
        }
        _ => Ok(Reading::NotAnAnswer),
    }
}

/// `14/05/1982` → `1982-05-14`.
fn vn_date(field: &str, text: &str) -> Result<String, Malformed> {
    let format = time::macros::format_description!("[day]/[month]/[year]");
    time::Date::parse(text, &format)
        .map(|d| d.to_string())
        .map_err(|_| bad(field, "must be a dd/mm/yyyy date"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject() -> Subject {
        Subject::person("079182005678").unwrap()
    }

    const FOUND: &str = r#"{"maGiaoDich":"DC-1","maKetQua":"00","congDan":{"soDinhDanh":"079182005678",
        "hoVaTen":"Trần Thị Bình","ngaySinh":"14/05/1982","gioiTinh":"Nữ",
        "noiThuongTru":"45 Nguyễn Trãi, TP.HCM","noiOHienTai":null}}"#;

    #[test]
    fn the_request_carries_the_purpose() {
        let s = subject();
        let p = QueryPurpose::new("case-1", "Điều 44 Luật THADS", "chv.an").unwrap();
        let v = serde_json::to_value(request(&s, &p, "q-1")).unwrap();
        assert_eq!(v["soDinhDanh"], "079182005678");
        assert_eq!(v["mucDich"]["maHoSo"], "case-1");
        assert_eq!(v["mucDich"]["canCuPhapLy"], "Điều 44 Luật THADS");
        assert_eq!(v["mucDich"]["canBoYeuCau"], "chv.an");
    }

    #[test]
    fn a_citizen_is_read() {
        let Reading::Answer(Answer::Population { identity: Some(i) }, tx) =
            read(200, FOUND.as_bytes(), &subject()).unwrap()
        else {
            panic!("a citizen")
        };
        assert_eq!(tx, "DC-1");
        assert_eq!(i.birth_date, "1982-05-14");
        assert_eq!(i.gender, "female");
        assert!(i.current_address.is_none());
    }

    #[test]
    fn unknown_and_malformed_answers() {
        let r = read(
            404,
            r#"{"maGiaoDich":"DC-2","maKetQua":"04","moTa":"Không tìm thấy"}"#.as_bytes(),
            &subject(),
        );
        assert_eq!(
            r.unwrap(),
            Reading::Answer(Answer::Population { identity: None }, "DC-2".into())
        );
        assert_eq!(
            read(404, b"<html>", &subject())
                .unwrap_err()
                .0
                .split(':')
                .next(),
            Some("body")
        );
        assert_eq!(
            read(503, b"busy", &subject()).unwrap(),
            Reading::NotAnAnswer
        );
        let wrong_date = FOUND.replace("14/05/1982", "1982-05-14");
        assert!(read(200, wrong_date.as_bytes(), &subject())
            .unwrap_err()
            .0
            .starts_with("congDan.ngaySinh"));
        let other = FOUND.replace(
            "\"soDinhDanh\":\"079182005678\"",
            "\"soDinhDanh\":\"001085012345\"",
        );
        assert!(read(200, other.as_bytes(), &subject())
            .unwrap_err()
            .0
            .contains("another citizen"));
        let missing = FOUND.replace("\"hoVaTen\":\"Trần Thị Bình\",", "");
        let e = read(200, missing.as_bytes(), &subject()).unwrap_err();
        assert!(e.0.contains("hoVaTen"), "{e:?}");
        let number = FOUND.replace("\"gioiTinh\":\"Nữ\"", "\"gioiTinh\":79182005678");
        let e = read(200, number.as_bytes(), &subject()).unwrap_err();
        assert!(
            e.0.starts_with("congDan.gioiTinh") && !e.0.contains("79182005678"),
            "{e:?}"
        );
    }
}
