//! The land database (Cơ sở dữ liệu quốc gia về đất đai): land-use rights registered to an owner
//! by CCCD or tax code. English snake_case fields; an unknown owner is a 200 with
//! `owner_found: false` and no parcels.
//!
//! `POST {endpoint}/v1/parcels/search`
//! `{"request_ref": "...", "owner": {"id_type": "CCCD", "id_number": "…"},
//!   "purpose": {"case_id": "case-…", "legal_basis": "…", "requested_by": "chv.an"}}`
//! → 200 `{"transaction_id": "LAND-…", "owner_found": true, "parcels": [{"certificate_no": "CS 04521",
//!   "address": "…", "area_m2": 72.5, "land_use_code": "ODT", "land_use_name": "Đất ở tại đô thị"}]}`

use serde::{Deserialize, Serialize};
use thads_core::verification::findings::LandParcel;
use thads_core::verification::{Answer, QueryPurpose, Subject};

use super::{bad, decode, text, Malformed, Reading};

/// The lookup's path.
pub(crate) const PATH: &str = "/v1/parcels/search";

/// The request.
#[derive(Debug, Serialize)]
pub(crate) struct Request<'a> {
    request_ref: &'a str,
    owner: Owner<'a>,
    purpose: &'a QueryPurpose,
}

#[derive(Debug, Serialize)]
struct Owner<'a> {
    id_type: &'static str,
    id_number: &'a str,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Response {
    transaction_id: String,
    owner_found: bool,
    parcels: Vec<Parcel>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Parcel {
    certificate_no: String,
    address: String,
    area_m2: f64,
    land_use_code: String,
    land_use_name: String,
}

/// The request for `subject`.
pub(crate) fn request<'a>(
    subject: &'a Subject,
    purpose: &'a QueryPurpose,
    reference: &'a str,
) -> Request<'a> {
    Request {
        request_ref: reference,
        owner: Owner {
            id_type: match subject {
                Subject::Person(_) => "CCCD",
                Subject::Organisation(_) => "MST",
            },
            id_number: subject.number(),
        },
        purpose,
    }
}

/// Reads an answer: 200 with the owner's parcels (none when the owner is unknown).
pub(crate) fn read(status: u16, body: &[u8]) -> Result<Reading, Malformed> {
    if status != 200 {
        return Ok(Reading::NotAnAnswer);
    }
    let r: Response = decode(body)?;
    if !r.owner_found && !r.parcels.is_empty() {
        return Err(bad(
            "parcels",
            "lists parcels of an owner it says it does not know",
        ));
    }
    let mut parcels = Vec::with_capacity(r.parcels.len());
    for (i, p) in r.parcels.into_iter().enumerate() {
        let field = |f: &str| format!("parcels[{i}].{f}");
        if !p.area_m2.is_finite() || p.area_m2 <= 0.0 {
            return Err(bad(
                &field("area_m2"),
                "must be a positive number of square metres",
            ));
        }
        parcels.push(LandParcel {
            certificate_number: text(&field("certificate_no"), &p.certificate_no)?,
            address: text(&field("address"), &p.address)?,
            area_m2: p.area_m2,
            land_use: format!(
                "{} ({})",
                text(&field("land_use_name"), &p.land_use_name)?,
                text(&field("land_use_code"), &p.land_use_code)?
            ),
        });
    }
    Ok(Reading::Answer(Answer::Land { parcels }, r.transaction_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use thads_core::verification::TaxCode;

    const FOUND: &str = r#"{"transaction_id":"LAND-1","owner_found":true,"parcels":[
        {"certificate_no":"CS 04521","address":"Thửa 112, tờ bản đồ 35, phường Thủ Đức, TP.HCM",
         "area_m2":72.5,"land_use_code":"ODT","land_use_name":"Đất ở tại đô thị"}]}"#;

    #[test]
    fn the_request_names_the_kind_of_number_and_the_purpose() {
        let p = QueryPurpose::new("case-1", "Điều 44", "system").unwrap();
        let org = Subject::Organisation(TaxCode::parse("0101234567").unwrap());
        let v = serde_json::to_value(request(&org, &p, "q")).unwrap();
        assert_eq!(v["owner"]["id_type"], "MST");
        assert_eq!(v["purpose"]["requested_by"], "system");
    }

    #[test]
    fn parcels_are_read_and_checked() {
        let Reading::Answer(Answer::Land { parcels }, _) = read(200, FOUND.as_bytes()).unwrap()
        else {
            panic!("parcels")
        };
        assert_eq!(parcels[0].land_use, "Đất ở tại đô thị (ODT)");
        let unknown = read(
            200,
            br#"{"transaction_id":"L","owner_found":false,"parcels":[]}"#,
        );
        assert_eq!(
            unknown.unwrap(),
            Reading::Answer(Answer::Land { parcels: vec![] }, "L".into())
        );
        let e = read(200, FOUND.replace("72.5", "-1").as_bytes()).unwrap_err();
        assert!(e.0.starts_with("parcels[0].area_m2"), "{e:?}");
        let e = read(200, FOUND.replace("72.5", "\"72,5\"").as_bytes()).unwrap_err();
        assert!(e.0.starts_with("parcels[0].area_m2"), "{e:?}");
        let e = read(
            200,
            FOUND
                .replace("\"owner_found\":true", "\"owner_found\":false")
                .as_bytes(),
        )
        .unwrap_err();
        assert!(e.0.starts_with("parcels"), "{e:?}");
        assert_eq!(read(404, b"").unwrap(), Reading::NotAnAnswer);
    }
}
