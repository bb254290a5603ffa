//! The vehicle register (Cơ sở dữ liệu đăng ký xe, traffic police): vehicles registered to an
//! owner by CCCD or tax code. Vietnamese snake_case fields without tone marks; an unknown owner
//! is a 200 with `so_luong: 0` and no vehicles.
//!
//! `POST {endpoint}/api/dang-ky-xe/tra-cuu`
//! `{"ma_tra_cuu": "...", "loai_giay_to": "CCCD", "so_giay_to": "…", "ho_so_thi_hanh_an": "case-…",
//!   "can_cu": "Điều 44 …", "nguoi_yeu_cau": "chv.an"}`
//! → 200 `{"ma_giao_dich": "XE-…", "so_luong": 1, "phuong_tien": [{"bien_so": "51H-123.45",
//!   "loai_xe": "Ô tô con", "nhan_hieu": "Toyota Vios", "ngay_dang_ky": "2021-03-04"}]}`

use serde::{Deserialize, Serialize};
use thads_core::verification::findings::VehicleRecord;
use thads_core::verification::{Answer, QueryPurpose, Subject};

use super::{bad, decode, iso_date, text, Malformed, Reading};

/// The lookup's path.
pub(crate) const PATH: &str = "/api/dang-ky-xe/tra-cuu";

/// The request.
#[derive(Debug, Serialize)]
pub(crate) struct Request<'a> {
    ma_tra_cuu: &'a str,
    loai_giay_to: &'static str,
    so_giay_to: &'a str,
    ho_so_thi_hanh_an: &'a str,
    can_cu: &'a str,
    nguoi_yeu_cau: &'a str,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Response {
    ma_giao_dich: String,
    so_luong: u32,
    phuong_tien: Vec<Vehicle>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Vehicle {
    bien_so: String,
    loai_xe: String,
    nhan_hieu: String,
    ngay_dang_ky: String,
}

/// The request for `subject`.
pub(crate) fn request<'a>(
    subject: &'a Subject,
    purpose: &'a QueryPurpose,
    reference: &'a str,
) -> Request<'a> {
    Request {
        ma_tra_cuu: reference,
        loai_giay_to: match subject {
            Subject::Person(_) => "CCCD",
            Subject::Organisation(_) => "MST",
        },
        so_giay_to: subject.number(),
        ho_so_thi_hanh_an: purpose.case_id(),
        can_cu: purpose.legal_basis(),
        nguoi_yeu_cau: purpose.requested_by(),
    }
}

/// Reads an answer: 200 with the owner's vehicles.
pub(crate) fn read(status: u16, body: &[u8]) -> Result<Reading, Malformed> {
    if status != 200 {
        return Ok(Reading::NotAnAnswer);
    }
    let r: Response = decode(body)?;
    if usize::try_from(r.so_luong).ok() != Some(r.phuong_tien.len()) {
        return Err(bad(
            "so_luong",
            "differs from the number of vehicles listed",
        ));
    }
    let mut vehicles = Vec::with_capacity(r.phuong_tien.len());
    for (i, v) in r.phuong_tien.into_iter().enumerate() {
        let field = |f: &str| format!("phuong_tien[{i}].{f}");
        vehicles.push(VehicleRecord {
            plate: text(&field("bien_so"), &v.bien_so)?,
            kind: text(&field("loai_xe"), &v.loai_xe)?,
            brand: text(&field("nhan_hieu"), &v.nhan_hieu)?,
            registered_on: iso_date(&field("ngay_dang_ky"), &v.ngay_dang_ky)?,
        });
    }
    Ok(Reading::Answer(
        Answer::Vehicle { vehicles },
        r.ma_giao_dich,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FOUND: &str = r#"{"ma_giao_dich":"XE-1","so_luong":1,"phuong_tien":[
        {"bien_so":"51H-123.45","loai_xe":"Ô tô con","nhan_hieu":"Toyota Vios","ngay_dang_ky":"2021-03-04"}]}"#;

    #[test]
    fn the_request_carries_the_purpose() {
        let s = Subject::person("079182005678").unwrap();
        let p = QueryPurpose::new("case-9", "Điều 44", "chv.an").unwrap();
        let v = serde_json::to_value(request(&s, &p, "q")).unwrap();
        assert_eq!(v["loai_giay_to"], "CCCD");
        assert_eq!(v["ho_so_thi_hanh_an"], "case-9");
    }

    #[test]
    fn vehicles_are_read_and_checked() {
        let Reading::Answer(Answer::Vehicle { vehicles }, tx) =
            read(200, FOUND.as_bytes()).unwrap()
        else {
            panic!("vehicles")
        };
        assert_eq!(tx, "XE-1");
        assert_eq!(vehicles[0].plate, "51H-123.45");
        let none = read(
            200,
            br#"{"ma_giao_dich":"XE-2","so_luong":0,"phuong_tien":[]}"#,
        )
        .unwrap();
        assert_eq!(
            none,
            Reading::Answer(Answer::Vehicle { vehicles: vec![] }, "XE-2".into())
        );
        let e = read(
            200,
            FOUND.replace("\"so_luong\":1", "\"so_luong\":2").as_bytes(),
        )
        .unwrap_err();
        assert!(e.0.starts_with("so_luong"), "{e:?}");
        let e = read(200, FOUND.replace("2021-03-04", "04/03/2021").as_bytes()).unwrap_err();
        assert!(e.0.starts_with("phuong_tien[0].ngay_dang_ky"), "{e:?}");
        let e = read(
            200,
            FOUND.replace("\"bien_so\":\"51H-123.45\",", "").as_bytes(),
        )
        .unwrap_err();
        assert!(e.0.contains("bien_so"), "{e:?}");
    }
}
