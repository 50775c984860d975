//! Probes (`/healthz`, `/livez`, and `/readyz`, which needs the database and its current
//! schema), the published contract, and problem bodies for routes and methods that do not
//! exist; each test runs against SQLite and PostgreSQL.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

use crate::both_engines;
use crate::helpers::{ADMIN_TOKEN, Engine, header, problem, spawn_app};

both_engines!(
    probes_answer,
    readiness_needs_every_migration_applied,
    the_contract_is_served_and_names_every_route_and_problem,
    unknown_routes_and_methods_get_problem_bodies,
    responses_are_compressed_when_asked,
);

async fn probes_answer(engine: Engine) {
    let app = spawn_app(engine).await;
    for (path, body) in [
        ("/healthz", "ok"),
        ("/livez", "alive"),
        ("/readyz", "ready"),
    ] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.text().await.unwrap(), body, "{path}");
    }
}

/// A database whose schema lacks a migration this build applies (another version's server
/// left it so, or someone edited it) is not ready; the process is still alive.
async fn readiness_needs_every_migration_applied(engine: Engine) {
    let app = spawn_app(engine).await;
    let forget_the_last_migration =
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)";
    match engine {
        Engine::Sqlite => {
            let options = SqliteConnectOptions::new().filename(&app.database);
            let mut connection = SqliteConnection::connect_with(&options).await.unwrap();
            sqlx::query(forget_the_last_migration)
                .execute(&mut connection)
                .await
                .unwrap();
            connection.close().await.unwrap();
        }
        Engine::Postgres => {
            let mut connection = PgConnection::connect(&app.database).await.unwrap();
            sqlx::query(forget_the_last_migration)
                .execute(&mut connection)
                .await
                .unwrap();
            connection.close().await.unwrap();
        }
    }
    problem(
        app.client.get(app.url("/readyz")).send().await.unwrap(),
        503,
        "unavailable",
    )
    .await;
    for path in ["/livez", "/healthz"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
}

/// A PostgreSQL database that is gone (dropped under the running server) is not ready; the
/// process is still alive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_fails_when_the_database_is_gone() {
    let app = spawn_app(Engine::Postgres).await;
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let (cluster, name) = app
        .database
        .rsplit_once('/')
        .expect("a postgres:// URL ends with the database's name");
    let mut maintenance = PgConnection::connect(&format!("{cluster}/postgres"))
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE \"{name}\" WITH (FORCE)"
    )))
    .execute(&mut maintenance)
    .await
    .unwrap();
    maintenance.close().await.unwrap();
    problem(
        app.client.get(app.url("/readyz")).send().await.unwrap(),
        503,
        "unavailable",
    )
    .await;
    let alive = app.client.get(app.url("/livez")).send().await.unwrap();
    assert_eq!(alive.status(), StatusCode::OK);
}

async fn the_contract_is_served_and_names_every_route_and_problem(engine: Engine) {
    let app = spawn_app(engine).await;
    let response = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-type"), "application/json");
    let contract: Value = response.json().await.unwrap();
    assert_eq!(contract["openapi"], "3.1.0");
    for path in [
        "/api/v1/email-domains",
        "/api/v1/email-domains/{domain}",
        "/api/v1/email-domains/import",
        "/api/v1/email-domains/{domain}/history",
        "/api/v1/lookup",
        "/api/v1/connection-checks",
        "/api/v1/allowlist",
        "/api/v1/session",
        "/healthz",
        "/livez",
        "/readyz",
        "/.well-known/autoconfig/mail/config-v1.1.xml",
        "/mail/config-v1.1.xml",
        "/autodiscover/autodiscover.xml",
        "/apple/mailsetup.mobileconfig",
    ] {
        assert!(
            contract["paths"][path].is_object(),
            "{path} is in the contract"
        );
    }
    let text = contract.to_string();
    // Every check code is in the contract's list, and nothing else is.
    let documented: Vec<&str> = contract["components"]["schemas"]["CheckCode"]["enum"]
        .as_array()
        .expect("CheckCode lists the codes")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let known: Vec<&str> = mailsetup_core::wire::CheckCode::ALL
        .iter()
        .map(|code| mailsetup_core::Problem::code(code))
        .collect();
    assert_eq!(documented, known);
    for kind in mailsetup_server::error::ProblemType::ALL {
        assert!(text.contains(&kind.uri()), "{} is documented", kind.uri());
    }
    let readme = include_str!("../../README.md");
    for kind in mailsetup_server::error::ProblemType::ALL {
        assert!(
            readme.contains(kind.slug()),
            "README documents {}",
            kind.slug()
        );
    }
}

async fn unknown_routes_and_methods_get_problem_bodies(engine: Engine) {
    let app = spawn_app(engine).await;
    problem(
        app.get("/api/v2/nothing", ADMIN_TOKEN).await,
        404,
        "not-found",
    )
    .await;
    problem(app.get("/nothing", ADMIN_TOKEN).await, 404, "not-found").await;
    let patch = app
        .request(
            Method::PATCH,
            "/api/v1/email-domains/example.com",
            ADMIN_TOKEN,
        )
        .send()
        .await
        .unwrap();
    let allow = header(&patch, "allow");
    assert!(allow.contains("PUT") && allow.contains("DELETE"), "{allow}");
    problem(patch, 405, "method-not-allowed").await;
}

async fn responses_are_compressed_when_asked(engine: Engine) {
    let app = spawn_app(engine).await;
    for index in 0..20 {
        app.create(&format!("d{index}.example")).await;
    }
    let (status, text) = app
        .raw(
            "GET /api/v1/email-domains HTTP/1.1\r\nAccept-Encoding: gzip",
            "",
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        text.to_ascii_lowercase().contains("content-encoding: gzip"),
        "{text}"
    );
}
