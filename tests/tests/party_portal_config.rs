//! The VNeID sign-in and party portal settings (`[citizen_oidc]`, `[party_portal]`) under
//! `thads-hub config check` and `config show`: each mistake named by its key, the client secret
//! never shown. The sign-in itself is tested in `party_portal.rs`.

#![allow(clippy::unwrap_used)]

/// `thads-hub config check` names the key at fault in `[citizen_oidc]` and `[party_portal]`,
/// accepts a complete configuration, and `config show` never prints the client secret.
#[test]
fn config_check_validates_the_vneid_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hub.toml");
    let check = |toml: &str, command: &str| {
        std::fs::write(&file, toml).unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_thads-hub-e2e"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("THADS_DATA_DIR", dir.path())
            .arg("--config")
            .arg(&file)
            .args(["config", command])
            .output()
            .unwrap()
    };
    let good = "[citizen_oidc]\nissuer = \"https://sso.vneid.gov.vn\"\nclient_id = \"thads-hub\"\n\
                client_secret = \"s3cret-oidc\"\n\
                redirect_url = \"https://thads.example.vn/v1/me/callback\"\n\
                [party_portal.deposit_accounts.HCM]\nbank_bin = \"970436\"\n\
                account = \"0071001234567\"\n";
    let out = check(good, "check");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = check(good, "show");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("s3cret-oidc"));
    for (broken, key) in [
        (
            good.replace("https://sso", "http://sso"),
            "citizen_oidc.issuer",
        ),
        (
            good.replace("client_id = \"thads-hub\"\n", ""),
            "citizen_oidc.client_id",
        ),
        (
            good.replace("/v1/me/callback", "/login"),
            "citizen_oidc.redirect_url",
        ),
        (
            good.replace("[party_portal", "algorithms = [\"HS256\"]\n[party_portal"),
            "citizen_oidc.algorithms",
        ),
        (
            good.replace("970436", "VCB"),
            "party_portal.deposit_accounts",
        ),
    ] {
        let out = check(&broken, "check");
        assert!(!out.status.success(), "{broken}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(key), "{key}: {err}");
    }
}
