//! The competent head: which office's head answers a complaint or denunciation, from the
//! office the decision or act came from, whose it was (an officer's or the head's), and whether
//! it is a second complaint. The office hierarchy is read from the codes (`HCM-KV01` is under
//! `HCM`, a provincial body under the national department) unless `[complaints.routing]
//! parents` says otherwise.

use thads_schemas::complaint::{Against, ComplaintKind};
use thads_schemas::office::OfficeCode;

use super::rules::{Resolver, RoutingConfig};

/// Where a filing goes, and why (shown to staff and kept on the complaint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The office whose head answers it.
    pub office: OfficeCode,
    /// The rule applied, in words.
    pub basis: String,
}

/// The office above `office`: the configured parent, else the province of a regional office,
/// else the national department above a provincial body; the national department has none.
pub fn parent(config: &RoutingConfig, office: &OfficeCode) -> Option<OfficeCode> {
    if let Some(p) = config.parents.get(office.as_str()) {
        return OfficeCode::parse(p).ok();
    }
    let code = office.as_str();
    if code == config.national_office {
        return None;
    }
    match code.split_once('-') {
        Some((province, _)) => OfficeCode::parse(province).ok(),
        None => OfficeCode::parse(&config.national_office).ok(),
    }
}

fn resolve(config: &RoutingConfig, resolver: Resolver, office: &OfficeCode) -> OfficeCode {
    match resolver {
        Resolver::OwnOffice => office.clone(),
        // The national department has no head above it: it answers itself.
        Resolver::ParentOffice => parent(config, office).unwrap_or_else(|| office.clone()),
    }
}

/// The route of a first filing of `kind` against `against` of `target_office`.
pub fn first(
    config: &RoutingConfig,
    kind: ComplaintKind,
    against: Against,
    target_office: &OfficeCode,
) -> Route {
    let resolver = config.first(kind, against);
    let office = resolve(config, resolver, target_office);
    let whose = match against {
        Against::Officer => "của Chấp hành viên, công chức",
        Against::Head => "của Thủ trưởng cơ quan",
    };
    let what = match kind {
        ComplaintKind::Complaint => "Khiếu nại quyết định, hành vi",
        ComplaintKind::Denunciation => "Tố cáo hành vi",
    };
    let by = match resolver {
        Resolver::OwnOffice => format!("Thủ trưởng {target_office} giải quyết"),
        Resolver::ParentOffice => format!("Thủ trưởng cơ quan cấp trên ({office}) giải quyết"),
    };
    Route {
        basis: format!("{what} {whose} {target_office}: {by}"),
        office,
    }
}

/// The route of a second complaint about the answer `first_resolver` gave.
pub fn second(config: &RoutingConfig, first_resolver: &OfficeCode) -> Route {
    let office = resolve(config, config.second, first_resolver);
    Route {
        basis: format!(
            "Khiếu nại lần hai đối với quyết định giải quyết của Thủ trưởng {first_resolver}: \
             Thủ trưởng {office} giải quyết"
        ),
        office,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn code(s: &str) -> OfficeCode {
        OfficeCode::parse(s).unwrap()
    }

    #[test]
    fn the_hierarchy_comes_from_the_codes_or_the_configuration() {
        let mut c = RoutingConfig::default();
        assert_eq!(parent(&c, &code("HCM-KV01")), Some(code("HCM")));
        assert_eq!(parent(&c, &code("HCM")), Some(code("CUC")));
        assert_eq!(parent(&c, &code("CUC")), None);
        c.parents.insert("HCM-KV01".into(), "HCM-TT".into());
        assert_eq!(parent(&c, &code("HCM-KV01")), Some(code("HCM-TT")));
    }

    #[test]
    fn complaints_go_to_the_competent_head() {
        let c = RoutingConfig::default();
        let kv = code("HCM-KV01");
        let officer = first(&c, ComplaintKind::Complaint, Against::Officer, &kv);
        assert_eq!(officer.office, kv);
        assert!(
            officer.basis.contains("Chấp hành viên"),
            "{}",
            officer.basis
        );
        let head = first(&c, ComplaintKind::Complaint, Against::Head, &kv);
        assert_eq!(head.office, code("HCM"));
        assert_eq!(
            first(&c, ComplaintKind::Complaint, Against::Head, &code("HCM")).office,
            code("CUC")
        );
        assert_eq!(
            first(&c, ComplaintKind::Complaint, Against::Head, &code("CUC")).office,
            code("CUC")
        );
        assert_eq!(second(&c, &kv).office, code("HCM"));
        assert_eq!(second(&c, &code("HCM")).office, code("CUC"));
        assert_eq!(
            first(&c, ComplaintKind::Denunciation, Against::Officer, &kv).office,
            kv
        );
        assert_eq!(
            first(&c, ComplaintKind::Denunciation, Against::Head, &kv).office,
            code("HCM")
        );
        let own = RoutingConfig {
            head: Resolver::OwnOffice,
            ..RoutingConfig::default()
        };
        assert_eq!(
            first(&own, ComplaintKind::Complaint, Against::Head, &kv).office,
            kv
        );
    }
}
