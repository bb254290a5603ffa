//! The outbound partners the configuration gives an endpoint, for the console's partner
//! registry: each with its configuration key, the file's URL and time limit, the path its
//! connector appends, and an HTTP client for the connectivity test (the connector's own where
//! its TLS settings matter: VNeID's client certificate).

use std::collections::BTreeMap;
use std::time::Duration;

use thads_core::partners::endpoints::EndpointSettings;
use thads_core::verification::Registry;

use crate::config::Config;
use crate::http::console_partners::KnownEndpoint;

/// Every outbound partner of `config`; `vneid_client` is the VNeID connector's HTTP client.
pub fn known(
    config: &Config,
    vneid_client: Option<&reqwest::Client>,
) -> anyhow::Result<BTreeMap<String, KnownEndpoint>> {
    let plain = reqwest::Client::builder()
        .use_rustls_tls()
        .user_agent(concat!("thads-hub/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(5))
        .build()?;
    let mut out = BTreeMap::new();
    let mut add = |partner: String,
                   kind: &'static str,
                   config_key: String,
                   url: &str,
                   timeout: Duration,
                   call_path: &str,
                   client: &reqwest::Client| {
        out.insert(
            partner.clone(),
            KnownEndpoint {
                partner,
                kind,
                config_key,
                file: EndpointSettings::new(url, timeout),
                call_path: call_path.to_string(),
                client: client.clone(),
            },
        );
    };
    if let (Some(url), Some(client)) = (&config.vneid.endpoint, vneid_client) {
        add(
            thads_vneid::notifier::PARTNER.into(),
            "vneid",
            "vneid.endpoint".into(),
            url,
            config.vneid.timeout,
            thads_vneid::client::NOTIFICATIONS_PATH,
            client,
        );
    }
    for (code, endpoint) in &config.court.endpoints {
        let code = code.to_ascii_uppercase();
        add(
            format!("court:{code}"),
            "court",
            format!("court.endpoints.{code}.url"),
            &endpoint.url,
            config.court.delivery.timeout,
            "",
            &plain,
        );
    }
    for (code, url) in config.bank.endpoints() {
        add(
            thads_bank::orders::partner(&code),
            "bank",
            format!("bank.orders_endpoint.{code}"),
            &url,
            config.bank.timeout,
            "",
            &plain,
        );
    }
    if let Some(url) = &config.treasury.endpoint {
        add(
            thads_treasury::PARTNER.into(),
            "treasury",
            "treasury.endpoint".into(),
            url,
            config.treasury.timeout,
            "",
            &plain,
        );
    }
    for registry in Registry::ALL {
        let p = config.registries.partner(registry);
        if let Some(url) = &p.endpoint {
            add(
                thads_registries::client::Partner::partner_name(registry),
                "database",
                format!("registries.{registry}.endpoint"),
                url,
                p.timeout,
                thads_registries::client::query_path(registry),
                &plain,
            );
        }
    }
    Ok(out)
}
