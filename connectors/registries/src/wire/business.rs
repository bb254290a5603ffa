//! The business register (Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp): by enterprise code
//! (mã số doanh nghiệp, the tax code) the enterprise itself, and by CCCD or tax code of an owner
//! the capital shares held. English camelCase fields; an unknown enterprise code is a 404 with
//! `{"error": "ENTERPRISE_NOT_FOUND"}`; a person with no shares is a 200 with none.
//!
//! `POST {endpoint}/v2/ownership/search`
//! `{"requestId": "...", "identifier": {"type": "PERSONAL_ID" | "ENTERPRISE_CODE", "value": "…"},
//!   "purpose": {"caseId": "case-…", "legalBasis": "…", "requestedBy": "chv.an"}}`
//! → 200 `{"traceId": "DN-…", "enterprise": {"enterpriseCode": "…", "name": "…", "status": "…",
//!   "headOffice": "…", "charterCapitalVnd": 5000000000} | null, "holdings": [{"enterpriseCode": "…",
//!   "enterpriseName": "…", "capitalVnd": 1500000000, "ratioPercent": 30.0, "role": "…"}]}`

use serde::{Deserialize, Serialize};
use thads_core::verification::findings::{CapitalShare, Enterprise};
use thads_core::verification::{Answer, QueryPurpose, Subject};
use thads_schemas::money::Vnd;

use super::{bad, decode, text, Malformed, Reading};

/// The lookup's path.
pub(crate) const PATH: &str = "/v2/ownership/search";

/// The request.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Request<'a> {
    request_id: &'a str,
    identifier: Identifier<'a>,
    purpose: Purpose<'a>,
}

#[derive(Debug, Serialize)]
struct Identifier<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    value: &'a str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Purpose<'a> {
    case_id: &'a str,
    legal_basis: &'a str,
    requested_by: &'a str,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Response {
    trace_id: String,
    enterprise: Option<Company>,
    holdings: Vec<Holding>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Company {
    enterprise_code: String,
    name: String,
    status: String,
    head_office: String,
    charter_capital_vnd: Vnd,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Holding {
    enterprise_code: String,
    enterprise_name: String,
    capital_vnd: Vnd,
    ratio_percent: f64,
    role: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NotFound {
    error: String,
    trace_id: String,
}

/// The request for `subject`.
pub(crate) fn request<'a>(
    subject: &'a Subject,
    purpose: &'a QueryPurpose,
    reference: &'a str,
) -> Request<'a> {
    Request {
        request_id: reference,
        identifier: Identifier {
            kind: match subject {
                Subject::Person(_) => "PERSONAL_ID",
                Subject::Organisation(_) => "ENTERPRISE_CODE",
            },
            value: subject.number(),
        },
        purpose: Purpose {
            case_id: purpose.case_id(),
            legal_basis: purpose.legal_basis(),
            requested_by: purpose.requested_by(),
        },
    }
}

/// Reads an answer: 200 with the enterprise and holdings, 404 for an unknown enterprise code.
pub(crate) fn read(status: u16, body: &[u8]) -> Result<Reading, Malformed> {
    match status {
        200 => {
            let r: Response = decode(body)?;
            let enterprise = match r.enterprise {
                Some(c) => Some(Enterprise {
                    code: text("enterprise.enterpriseCode", &c.enterprise_code)?,
                    name: text("enterprise.name", &c.name)?,
                    status: text("enterprise.status", &c.status)?,
                    address: text("enterprise.headOffice", &c.head_office)?,
                    charter_capital: c.charter_capital_vnd,
                }),
                None => None,
            };
            let mut shares = Vec::with_capacity(r.holdings.len());
            for (i, h) in r.holdings.into_iter().enumerate() {
                let field = |f: &str| format!("holdings[{i}].{f}");
                if !(h.ratio_percent.is_finite() && (0.0..=100.0).contains(&h.ratio_percent)) {
                    return Err(bad(&field("ratioPercent"), "must be 0 to 100"));
                }
                shares.push(CapitalShare {
                    enterprise_code: text(&field("enterpriseCode"), &h.enterprise_code)?,
                    enterprise_name: text(&field("enterpriseName"), &h.enterprise_name)?,
                    capital: h.capital_vnd,
                    percent: h.ratio_percent,
                    role: text(&field("role"), &h.role)?,
                });
            }
            Ok(Reading::Answer(
                Answer::Business { enterprise, shares },
                r.trace_id,
            ))
        }
        404 => {
            let n: NotFound = decode(body)?;
            if n.error != "ENTERPRISE_NOT_FOUND" {
                return Err(bad("error", "a 404 answer must say ENTERPRISE_NOT_FOUND"));
            }
            Ok(Reading::Answer(
                Answer::Business {
                    enterprise: None,
                    shares: Vec::new(),
                },
                n.trace_id,
            ))
        }
        _ => Ok(Reading::NotAnAnswer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use thads_core::verification::TaxCode;

    const FOUND: &str = r#"{"traceId":"DN-1","enterprise":{"enterpriseCode":"0101234567",
        "name":"Công ty TNHH Xây dựng & Thương mại Minh Phát","status":"Đang hoạt động",
        "headOffice":"Khu công nghiệp Quang Minh, Hà Nội","charterCapitalVnd":5000000000},
        "holdings":[{"enterpriseCode":"0109876543","enterpriseName":"Công ty CP Vật liệu Sông Đà",
        "capitalVnd":1500000000,"ratioPercent":30.0,"role":"Cổ đông"}]}"#;

    #[test]
    fn the_request_names_the_identifier() {
        let org = Subject::Organisation(TaxCode::parse("0101234567").unwrap());
        let p = QueryPurpose::new("case-1", "Điều 44", "chv.an").unwrap();
        let v = serde_json::to_value(request(&org, &p, "q")).unwrap();
        assert_eq!(v["identifier"]["type"], "ENTERPRISE_CODE");
        assert_eq!(v["purpose"]["caseId"], "case-1");
    }

    #[test]
    fn enterprises_and_holdings_are_read_and_checked() {
        let Reading::Answer(Answer::Business { enterprise, shares }, _) =
            read(200, FOUND.as_bytes()).unwrap()
        else {
            panic!("business")
        };
        assert_eq!(enterprise.unwrap().charter_capital.amount(), 5_000_000_000);
        assert_eq!(shares[0].capital.amount(), 1_500_000_000);
        let unknown = read(404, br#"{"error":"ENTERPRISE_NOT_FOUND","traceId":"DN-2"}"#).unwrap();
        assert!(matches!(
            unknown,
            Reading::Answer(
                Answer::Business {
                    enterprise: None,
                    ..
                },
                _
            )
        ));
        let e = read(200, FOUND.replace("1500000000", "-5").as_bytes()).unwrap_err();
        assert!(e.0.starts_with("holdings[0].capitalVnd"), "{e:?}");
        let e = read(200, FOUND.replace("30.0", "130.0").as_bytes()).unwrap_err();
        assert!(e.0.starts_with("holdings[0].ratioPercent"), "{e:?}");
        let e = read(404, br#"{"error":"NOPE","traceId":"x"}"#).unwrap_err();
        assert!(e.0.starts_with("error"), "{e:?}");
        assert_eq!(read(500, b"").unwrap(), Reading::NotAnAnswer);
    }
}
