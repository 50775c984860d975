//! Start-up configuration: bad settings stop the server with a sentence that says what to fix.

use mailsetup_server::configuration::{Args, Configuration};

use crate::helpers::{TempDir, write_tokens_file};

fn configure(dir: &TempDir, extra: &[&str]) -> Result<Configuration, String> {
    let mut argv = vec![
        "mailsetup-server".to_owned(),
        "--database".to_owned(),
        dir.path().join("db").display().to_string(),
    ];
    argv.extend(extra.iter().map(|arg| (*arg).to_owned()));
    let args = <Args as clap::Parser>::try_parse_from(argv).map_err(|error| error.to_string())?;
    Configuration::from_args(args).map_err(|error| error.to_string())
}

#[test]
fn bad_configuration_is_refused_with_a_sentence() {
    let dir = TempDir::new("config");
    let tokens = write_tokens_file(dir.path()).display().to_string();
    assert!(configure(&dir, &["--tokens", &tokens]).is_ok());

    let missing = configure(&dir, &["--tokens", "/nonexistent/tokens"]).unwrap_err();
    assert!(
        missing.contains("/nonexistent/tokens") && missing.contains("ROLE NAME TOKEN"),
        "{missing}"
    );

    let bad_tokens = dir.path().join("bad-tokens");
    std::fs::write(
        &bad_tokens,
        "# ok\nadmin alice 0123456789abcdef0123\nsuperuser bob 0123456789abcdef9999\n",
    )
    .unwrap();
    let bad_line = configure(&dir, &["--tokens", &bad_tokens.display().to_string()]).unwrap_err();
    assert!(
        bad_line.contains("Line 3") && bad_line.contains("superuser"),
        "{bad_line}"
    );
    assert!(
        !bad_line.contains("0123456789abcdef"),
        "never a token: {bad_line}"
    );

    let origin = configure(
        &dir,
        &[
            "--tokens",
            &tokens,
            "--allowed-origin",
            "https://crm.example.com/app",
        ],
    )
    .unwrap_err();
    assert!(origin.contains("https://crm.example.com/app"), "{origin}");

    let bind = configure(&dir, &["--tokens", &tokens, "--bind", "localhost"]).unwrap_err();
    assert!(bind.contains("127.0.0.1:8080"), "{bind}");

    let allowlist = dir.path().join("allowlist.json");
    std::fs::write(
        &allowlist,
        r#"[{"name": "Outgoing", "purpose": "smtp", "ranges": ["203.0.113.7/24"]}]"#,
    )
    .unwrap();
    let range = configure(
        &dir,
        &[
            "--tokens",
            &tokens,
            "--allowlist",
            &allowlist.display().to_string(),
        ],
    )
    .unwrap_err();
    assert!(
        range.contains("Outgoing")
            && range.contains("203.0.113.7/24")
            && range.contains("203.0.113.0"),
        "{range}"
    );

    std::fs::write(
        &allowlist,
        r#"[{"name": "Outgoing", "purpose": "pop3", "ranges": []}]"#,
    )
    .unwrap();
    let purpose = configure(
        &dir,
        &[
            "--tokens",
            &tokens,
            "--allowlist",
            &allowlist.display().to_string(),
        ],
    )
    .unwrap_err();
    assert!(purpose.contains("purpose"), "{purpose}");

    let reader_only = dir.path().join("reader-tokens");
    std::fs::write(&reader_only, "read-only robin 0123456789abcdef0123\n").unwrap();
    assert!(
        configure(&dir, &["--tokens", &reader_only.display().to_string()]).is_ok(),
        "no admin token is allowed (with a warning)"
    );
}

#[test]
fn the_connection_checks_flags_are_checked_and_say_what_to_fix() {
    let dir = TempDir::new("check-config");
    let tokens = write_tokens_file(dir.path()).display().to_string();
    let with = |extra: &[&str]| {
        let mut args = vec!["--tokens", tokens.as_str()];
        args.extend_from_slice(extra);
        configure(&dir, &args)
    };
    let fine = with(&[
        "--check-allow-network",
        "10.20.0.0/16",
        "--check-allow-network",
        "192.0.2.10",
        "--check-allow-port",
        "1143",
    ])
    .unwrap();
    assert_eq!(fine.check.policy.allowed_networks.len(), 2);
    assert!(fine.check.policy.port_allowed(1143));
    assert!(!fine.check.policy.port_allowed(22));

    let host_bits = with(&["--check-allow-network", "10.20.0.1/16"]).unwrap_err();
    assert!(
        host_bits.contains("10.20.0.1/16") && host_bits.contains("10.20.0.0/16"),
        "{host_bits}"
    );
    let word = with(&["--check-allow-network", "office"]).unwrap_err();
    assert!(word.contains("\"office\""), "{word}");
    let port = with(&["--check-allow-port", "0"]).unwrap_err();
    assert!(port.contains("1 to 65535"), "{port}");

    let missing_ca = with(&["--check-ca-file", "/nonexistent/ca.pem"]).unwrap_err();
    assert!(
        missing_ca.contains("/nonexistent/ca.pem") && missing_ca.contains("PEM"),
        "{missing_ca}"
    );
    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    let empty = with(&["--check-ca-file", &not_pem.display().to_string()]).unwrap_err();
    assert!(empty.contains("BEGIN CERTIFICATE"), "{empty}");
    let arrival = with(&["--check-arrival-seconds", "0"]).unwrap_err();
    assert!(arrival.contains("check-arrival-seconds"), "{arrival}");
}
