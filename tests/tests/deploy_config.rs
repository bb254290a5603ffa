//! The files in `deploy/` are checked by the tools that will read them: every hub
//! configuration passes `thads-hub config check`, the NATS node files pass `nats-server -t`,
//! Prometheus's configuration and rules pass `promtool` and the alert tests in
//! `rules_test.yml` fire as written, and every `thads_*` series the rules and the Grafana
//! dashboard use is one the hub exports.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy")
}

fn run(program: &str, args: &[&str], dir: &Path) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} is required (scripts/test installs it through apt-get): {e}")
        });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{program} {args:?}: {text}");
    text
}

#[test]
fn hub_configurations_pass_config_check() {
    let hub = env!("CARGO_BIN_EXE_thads-hub-e2e");
    let dir = tempfile::tempdir().unwrap();
    // The Kubernetes ConfigMap carries the file inline, indented under `hub.toml: |`.
    let configmap = std::fs::read_to_string(deploy().join("k8s/configmap.yaml")).unwrap();
    let inline: String = configmap
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("hub.toml: |"))
        .skip(1)
        .take_while(|l| l.is_empty() || l.starts_with("    "))
        .map(|l| format!("{}\n", l.strip_prefix("    ").unwrap_or(l)))
        .collect();
    assert!(inline.contains("[nats]"), "no hub.toml in the ConfigMap");
    let from_configmap = dir.path().join("configmap-hub.toml");
    std::fs::write(&from_configmap, inline).unwrap();
    for file in [
        deploy().join("config/hub.production.toml"),
        deploy().join("config/hub.embedded.toml"),
        deploy().join("compose/hub.toml"),
        from_configmap,
    ] {
        let path = file.display().to_string();
        // The deployment files name certificates that exist only on the servers
        // (`/etc/thads-hub/...`); `--no-files` checks everything but reading them.
        let text = run(
            hub,
            &["--config", &path, "config", "check", "--no-files"],
            dir.path(),
        );
        assert!(text.contains("configuration is valid"), "{path}: {text}");
        if !path.ends_with("embedded.toml") {
            let shown = run(hub, &["--config", &path, "config", "show"], dir.path());
            assert!(
                shown.contains("replicas = 3"),
                "{path}: the three-node cluster needs replicated streams"
            );
        }
    }
}

#[test]
fn nats_node_files_are_valid() {
    let nats = ["/usr/sbin/nats-server", "nats-server"]
        .into_iter()
        .find(|p| Command::new(p).arg("--version").output().is_ok())
        .expect("nats-server is required (scripts/test installs it)");
    for n in 1..=3 {
        let file = format!("nats-{n}.conf");
        let text = run(nats, &["-t", "-c", &file], &deploy().join("nats"));
        assert!(text.contains("is valid"), "{text}");
        let conf = std::fs::read_to_string(deploy().join("nats").join(&file)).unwrap();
        assert!(conf.contains(&format!("server_name: nats-{n}")));
        for peer in 1..=3 {
            assert!(conf.contains(&format!("nats-route://nats-{peer}:6222")));
        }
    }
}

#[test]
fn prometheus_config_and_alert_rules_pass_promtool() {
    let dir = deploy().join("prometheus");
    run("promtool", &["check", "config", "prometheus.yml"], &dir);
    let tested = run("promtool", &["test", "rules", "rules_test.yml"], &dir);
    assert!(tested.contains("SUCCESS"), "{tested}");
}

/// The `thads_*` names in `text`, without the sample suffixes Prometheus adds.
fn series_in(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(at) = text[i..].find("thads_") {
        let start = i + at;
        let mut end = start;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        let name = &text[start..end];
        let base = ["_total", "_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .unwrap_or(name);
        names.insert(base.to_string());
        i = end;
    }
    names
}

#[test]
fn rules_and_dashboard_use_only_exported_series() {
    // A family shows in the exposition once it has a series: give each one.
    let m = thads_core::metrics::Metrics::new();
    m.received("in.court.judgment", "accepted");
    m.delivered("out.vneid.notify");
    m.failed("out.vneid.notify");
    m.relayed("out.vneid.notify");
    m.handled("vneid-notify", "ok", 2, std::time::Duration::from_millis(3));
    m.dead_lettered("out.vneid.notify");
    m.set_dlq_depth(1);
    m.operation("register", "performed");
    m.digest("sent");
    m.set_deadlines(1, 1);
    m.set_overdue_by_office(&[("HCM-KV01".to_string(), 1)].into_iter().collect());
    m.set_circuit_state("vneid", 1);
    m.notice_served("vneid");
    m.court_delivery("TAND79-KV1", "delivered");
    m.registry_query("population", "found", false);
    let exported: BTreeSet<String> = m
        .render()
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect();
    assert!(
        exported.contains("thads_deadlines_overdue_by_office"),
        "{exported:?}"
    );
    let rules = std::fs::read_to_string(deploy().join("prometheus/rules.yml")).unwrap();
    let dashboard = std::fs::read_to_string(deploy().join("grafana/thads-hub.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&dashboard).unwrap();
    let exprs: Vec<String> = json["panels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["targets"].as_array().cloned().unwrap_or_default())
        .filter_map(|t| t["expr"].as_str().map(str::to_string))
        .collect();
    assert!(exprs.len() >= 15, "the dashboard has its panels");
    // Only the expressions of the rules: their comments name the series too.
    let rule_exprs: String = rules
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    for (what, text) in [
        ("rules.yml", rule_exprs),
        ("thads-hub.json", exprs.join("\n")),
    ] {
        let unknown: Vec<String> = series_in(&text)
            .into_iter()
            .filter(|n| !exported.contains(n))
            .collect();
        assert!(
            unknown.is_empty(),
            "{what} uses series the hub does not export: {unknown:?}"
        );
    }
}
