//! Building a new draft's content from the case's stored data: the judgment, the parties with
//! their honorifics, the obligations of the decision's kind (ex officio or on request), the
//! request an on-request decision answers, the legal bases and the addressees.

use sqlx::Row;
use thads_schemas::cccd::Cccd;

use super::{
    is_ex_officio, kind_vi, normalize, office_names, vn_date, DecisionContent, Item, JudgmentRef,
    PartyLine, RequestRef, EX_OFFICIO_KINDS, LAW_VI, VOLUNTARY_PERIOD_VI,
};
use crate::db::Tx;
use crate::decisions::{DecisionError, DraftKind};

/// Builds the content of a new draft from the case's data inside `tx`; `request_id` names the
/// request an on-request decision answers (needed only when several are tied to the case).
pub async fn build(
    tx: &mut Tx<'_>,
    case_id: &str,
    kind: DraftKind,
    request_id: Option<&str>,
) -> Result<DecisionContent, DecisionError> {
    let case = sqlx::query(
        "SELECT office_code, court_name, judgment_number, judgment_date, effective_date \
         FROM cases WHERE id = $1",
    )
    .bind(case_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| DecisionError::NotFound("case".into()))?;
    let office_code: String = case.try_get("office_code")?;
    let judgment = JudgmentRef {
        number: case.try_get("judgment_number")?,
        date: case.try_get("judgment_date")?,
        effective_date: case.try_get("effective_date")?,
        court_name: case.try_get("court_name")?,
    };
    let parties = load_parties(tx, case_id).await?;
    let name_of = |r: &str| {
        parties
            .iter()
            .find(|p| p.party_ref == r)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| r.to_string())
    };
    let rows = sqlx::query(
        "SELECT position, kind, debtor_ref, creditor_ref, amount_vnd, description \
         FROM case_obligations WHERE case_id = $1 ORDER BY position",
    )
    .bind(case_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut items = Vec::new();
    for r in &rows {
        let kind_code: String = r.try_get("kind")?;
        let creditor: Option<String> = r.try_get("creditor_ref")?;
        if is_ex_officio(&kind_code, creditor.as_deref()) != (kind == DraftKind::ExOfficio) {
            continue;
        }
        let debtor_ref: String = r.try_get("debtor_ref")?;
        let creditor_name = match (&creditor, kind_code.as_str()) {
            (Some(c), "refund_advance_fee") => name_of(c),
            (_, k) if EX_OFFICIO_KINDS.contains(&k) => "Ngân sách Nhà nước".to_string(),
            (Some(c), _) => name_of(c),
            (None, _) => "Ngân sách Nhà nước".to_string(),
        };
        items.push(Item {
            position: r.try_get("position")?,
            kind_vi: kind_vi(&kind_code).to_string(),
            kind: kind_code,
            debtor_name: name_of(&debtor_ref),
            debtor_ref,
            creditor_name,
            amount_vnd: r.try_get("amount_vnd")?,
            amount_figures: None,
            amount_words: None,
            description: r.try_get("description")?,
        });
    }
    if items.is_empty() {
        return Err(DecisionError::invalid(
            "kind",
            match kind {
                DraftKind::ExOfficio => {
                    "the judgment orders nothing the office enforces ex officio (court fees, fines, \
                     confiscation, refunds of advance fees)"
                }
                DraftKind::OnRequest => {
                    "the judgment orders nothing for a private party; there is nothing to enforce \
                     on request"
                }
            },
        ));
    }
    let request = match kind {
        DraftKind::ExOfficio => None,
        DraftKind::OnRequest => Some(find_request(tx, case_id, request_id).await?),
    };
    // The parties named: the debtors of the items, and the creditors who are parties.
    let named: Vec<PartyLine> = parties
        .into_iter()
        .filter(|p| {
            items.iter().any(|i| {
                i.debtor_ref == p.party_ref
                    || (i.creditor_name == p.name && kind == DraftKind::OnRequest)
                    || (i.kind == "refund_advance_fee" && i.creditor_name == p.name)
            })
        })
        .collect();
    let (parent_body, office_name, place) = office_names(&office_code);
    let mut legal_bases = vec![
        format!("Căn cứ Điều 23, Điều 35 và Điều 36 {LAW_VI};"),
        format!(
            "Căn cứ Bản án số {} ngày {} của {};",
            judgment.number,
            vn_date(&judgment.date),
            judgment.court_name
        ),
    ];
    if let Some(r) = &request {
        legal_bases.push(format!(
            "Căn cứ đơn yêu cầu thi hành án của {} ngày {} (sổ nhận đơn số {});",
            r.requester_name,
            vn_date(&r.filed_on),
            r.register_number
        ));
    }
    let mut addressees: Vec<String> = named
        .iter()
        .map(|p| format!("{} {}", p.honorific, p.name).trim().to_string())
        .collect();
    addressees.push("Viện kiểm sát nhân dân cùng cấp".to_string());
    addressees.push("Lưu: VT, hồ sơ thi hành án".to_string());
    let mut content = DecisionContent {
        kind,
        case_id: case_id.to_string(),
        office_code,
        parent_body,
        office_name,
        place,
        number: None,
        date: None,
        issuer_title: "Thủ trưởng cơ quan thi hành án dân sự".to_string(),
        signer_name: None,
        legal_bases,
        judgment,
        request,
        parties: named,
        items,
        voluntary_period: VOLUNTARY_PERIOD_VI.to_string(),
        addressees,
    };
    normalize(&mut content)?;
    Ok(content)
}

async fn load_parties(tx: &mut Tx<'_>, case_id: &str) -> Result<Vec<PartyLine>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT party_ref, role, kind, name, cccd, birth_year, address FROM case_parties \
         WHERE case_id = $1 ORDER BY party_ref",
    )
    .bind(case_id)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            let cccd: Option<String> = r.try_get("cccd")?;
            let honorific = match (kind.as_str(), cccd.as_deref().map(Cccd::parse)) {
                ("person", Some(Ok(c))) if c.is_female() => "Bà",
                ("person", Some(Ok(_))) => "Ông",
                ("person", _) => "Ông/Bà",
                _ => "",
            };
            Ok(PartyLine {
                party_ref: r.try_get("party_ref")?,
                role: r.try_get("role")?,
                kind,
                name: r.try_get("name")?,
                honorific: honorific.to_string(),
                cccd,
                birth_year: r.try_get("birth_year")?,
                address: r.try_get("address")?,
            })
        })
        .collect()
}

async fn find_request(
    tx: &mut Tx<'_>,
    case_id: &str,
    request_id: Option<&str>,
) -> Result<RequestRef, DecisionError> {
    let rows = sqlx::query(
        "SELECT id, register_number, filed_on, requester_name FROM enforcement_requests \
         WHERE case_id = $1 ORDER BY id",
    )
    .bind(case_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut found = Vec::with_capacity(rows.len());
    for r in &rows {
        found.push(RequestRef {
            id: r.try_get("id")?,
            register_number: r.try_get("register_number")?,
            filed_on: r.try_get("filed_on")?,
            requester_name: r.try_get("requester_name")?,
        });
    }
    match request_id {
        Some(id) => found.into_iter().find(|r| r.id == id).ok_or_else(|| {
            DecisionError::invalid(
                "request_id",
                format!("request {id:?} is not tied to this case"),
            )
        }),
        None => match found.len() {
            0 => Err(DecisionError::invalid(
                "kind",
                "no request for enforcement (đơn yêu cầu) is tied to this case; an on-request \
                 decision answers one",
            )),
            1 => found
                .pop()
                .ok_or_else(|| DecisionError::invalid("request_id", "no request")),
            n => Err(DecisionError::invalid(
                "request_id",
                format!("{n} requests are tied to this case; name the one this decision answers"),
            )),
        },
    }
}
