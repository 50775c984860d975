//! `POST /api/v1/lookup` and `GET /api/v1/allowlist`; each test runs against SQLite and
//! PostgreSQL.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_engines;
use crate::helpers::{
    ADMIN_TOKEN, AppOptions, Engine, TestApp, imap_entry, problem, spawn_app, spawn_app_with,
};

both_engines!(
    the_most_specific_entry_wins,
    invalid_addresses_get_422_with_cores_code,
    the_provider_allowlist_by_default,
    the_configured_allowlist,
);

async fn lookup(app: &TestApp, email: &str) -> reqwest::Response {
    app.request(Method::POST, "/api/v1/lookup", ADMIN_TOKEN)
        .json(&json!({ "email": email }))
        .send()
        .await
        .unwrap()
}

async fn the_most_specific_entry_wins(engine: Engine) {
    let app = spawn_app(engine).await;
    for (domain, include_subdomains) in [
        ("example.com", true),
        ("sales.example.com", true),
        ("other.example", false),
    ] {
        let mut body = imap_entry(domain);
        body["include_subdomains"] = json!(include_subdomains);
        app.create_body(domain, &body).await;
    }
    for (email, kind, domain) in [
        ("alice@example.com", "exact", "example.com"),
        ("alice@sales.example.com", "exact", "sales.example.com"),
        ("alice@eu.sales.example.com", "parent", "sales.example.com"),
        (
            "alice@a.b.c.eu.sales.example.com",
            "parent",
            "sales.example.com",
        ),
        ("bob@support.example.com", "parent", "example.com"),
        ("carol@other.example", "exact", "other.example"),
    ] {
        let response = lookup(&app, email).await;
        assert_eq!(response.status(), StatusCode::OK, "{email}");
        let found: Value = response.json().await.unwrap();
        assert_eq!(found["match"], kind, "{email}");
        assert_eq!(found["entry"]["domain"], domain, "{email}");
    }
    for email in ["dave@sub.other.example", "erin@example.org"] {
        problem(lookup(&app, email).await, 404, "not-found").await;
    }
}

async fn invalid_addresses_get_422_with_cores_code(engine: Engine) {
    let app = spawn_app(engine).await;
    let refused = problem(
        lookup(&app, "not-an-address").await,
        422,
        "validation-failed",
    )
    .await;
    assert_eq!(refused["errors"][0]["field"], "email");
    assert!(
        refused["errors"][0]["code"]
            .as_str()
            .unwrap()
            .starts_with("email.")
    );
    let wrong_type = app
        .request(Method::POST, "/api/v1/lookup", ADMIN_TOKEN)
        .json(&json!({ "email": 5 }))
        .send()
        .await
        .unwrap();
    let refused = problem(wrong_type, 422, "validation-failed").await;
    assert_eq!(refused["errors"][0]["code"], "request.wrong_type");
    let text = app
        .request(Method::POST, "/api/v1/lookup", ADMIN_TOKEN)
        .header("Content-Type", "text/plain")
        .body("alice@example.com")
        .send()
        .await
        .unwrap();
    problem(text, 415, "unsupported-media-type").await;
}

async fn the_provider_allowlist_by_default(engine: Engine) {
    let app = spawn_app(engine).await;
    let response = app.get("/api/v1/allowlist", ADMIN_TOKEN).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let purposes: Vec<&str> = body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|group| group["purpose"].as_str().unwrap())
        .collect();
    assert_eq!(purposes, ["smtp", "imap"]);
    assert_eq!(body["groups"][0]["name"], Value::Null);
    assert_eq!(body["groups"][0]["ranges"][0], "141.193.184.0/27");
    assert!(!body["combined"].as_array().unwrap().is_empty());
}

async fn the_configured_allowlist(engine: Engine) {
    let dir = crate::helpers::TempDir::new("allowlist");
    let path = dir.path().join("allowlist.json");
    std::fs::write(
        &path,
        r#"[{"name": "Outgoing mail", "purpose": "smtp", "ranges": ["203.0.113.0/24", "2001:db8::/32"]},
            {"name": "Mailbox sync", "purpose": "imap", "ranges": ["198.51.100.7"]}]"#,
    )
    .unwrap();
    let app = spawn_app_with(
        engine,
        AppOptions {
            args: vec!["--allowlist".into(), path.display().to_string()],
            ..AppOptions::default()
        },
    )
    .await;
    let body: Value = app
        .get("/api/v1/allowlist", ADMIN_TOKEN)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["groups"],
        json!([
            {"name": "Outgoing mail", "purpose": "smtp", "ranges": ["203.0.113.0/24", "2001:db8::/32"]},
            {"name": "Mailbox sync", "purpose": "imap", "ranges": ["198.51.100.7"]}
        ])
    );
}
