//! Sign-in and roles: bearer tokens, read-only callers, browser sessions with their cookie and
//! CSRF token, the sign-in rate limit, and CORS; each test runs against SQLite and PostgreSQL.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_engines;
use crate::helpers::{
    ADMIN_NAME, ADMIN_TOKEN, AppOptions, Engine, READER_NAME, READER_TOKEN, TestApp, header,
    imap_entry, problem, spawn_app, spawn_app_with,
};

both_engines!(
    no_credentials_get_401_with_a_bearer_challenge,
    unknown_tokens_get_401,
    read_only_tokens_read_but_do_not_write,
    a_session_cookie_reads_and_writes_with_its_csrf_token,
    a_read_only_session_cannot_write,
    sign_in_with_a_bad_token_gets_401,
    sign_in_is_rate_limited_per_client,
    cors_answers_configured_origins_only,
);

async fn no_credentials_get_401_with_a_bearer_challenge(engine: Engine) {
    let app = spawn_app(engine).await;
    for (method, path) in [
        (Method::GET, "/api/v1/email-domains"),
        (Method::GET, "/api/v1/email-domains/example.com"),
        (Method::GET, "/api/v1/allowlist"),
        (Method::GET, "/api/v1/session"),
        (Method::DELETE, "/api/v1/email-domains/example.com"),
    ] {
        let response = app
            .client
            .request(method, app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(
            header(&response, "www-authenticate"),
            "Bearer realm=\"mailsetup\""
        );
        problem(response, 401, "unauthenticated").await;
    }
    let put = app
        .client
        .put(app.entry_url("example.com"))
        .header("If-None-Match", "*")
        .json(&imap_entry("example.com"))
        .send()
        .await
        .unwrap();
    problem(put, 401, "unauthenticated").await;
}

async fn unknown_tokens_get_401(engine: Engine) {
    let app = spawn_app(engine).await;
    let response = app
        .get("/api/v1/email-domains", "not-a-token-of-this-server")
        .await;
    problem(response, 401, "unauthenticated").await;
    let basic = app
        .client
        .get(app.url("/api/v1/email-domains"))
        .header("Authorization", "Basic YWxpY2U6c2VjcmV0")
        .send()
        .await
        .unwrap();
    problem(basic, 401, "unauthenticated").await;
}

async fn read_only_tokens_read_but_do_not_write(engine: Engine) {
    let app = spawn_app(engine).await;
    let tag = app.create("example.com").await;
    assert_eq!(
        app.get("/api/v1/email-domains", READER_TOKEN)
            .await
            .status(),
        StatusCode::OK
    );
    let read = app
        .get("/api/v1/email-domains/example.com", READER_TOKEN)
        .await;
    assert_eq!(read.status(), StatusCode::OK);
    let history = app
        .get("/api/v1/email-domains/example.com/history", READER_TOKEN)
        .await;
    assert_eq!(history.status(), StatusCode::OK);
    let lookup = app
        .request(Method::POST, "/api/v1/lookup", READER_TOKEN)
        .json(&json!({"email": "alice@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(lookup.status(), StatusCode::OK);
    let put = app
        .request(
            Method::PUT,
            "/api/v1/email-domains/example.com",
            READER_TOKEN,
        )
        .header("If-Match", tag.as_str())
        .json(&imap_entry("example.com"))
        .send()
        .await
        .unwrap();
    problem(put, 403, "forbidden-role").await;
    let delete = app
        .delete_entry("example.com", Some(&tag), READER_TOKEN)
        .await;
    problem(delete, 403, "forbidden-role").await;
    assert_eq!(
        crate::helpers::etag(&app.get_entry("example.com").await),
        tag
    );
}

/// Signs in with `token`; returns the cookie pair (`name=value`) and the answer.
pub(crate) async fn sign_in(app: &TestApp, token: &str) -> (String, Value) {
    let response = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({ "token": token }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let set_cookie = header(&response, "set-cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    assert!(!set_cookie.contains(token));
    let pair = set_cookie.split(';').next().unwrap().to_owned();
    assert!(pair.starts_with("mailsetup_session="), "{pair}");
    (pair, response.json().await.unwrap())
}

async fn a_session_cookie_reads_and_writes_with_its_csrf_token(engine: Engine) {
    let app = spawn_app(engine).await;
    let (cookie, answer) = sign_in(&app, ADMIN_TOKEN).await;
    assert_eq!(answer["name"], ADMIN_NAME);
    assert_eq!(answer["role"], "admin");
    let csrf = answer["csrf_token"].as_str().unwrap().to_owned();
    assert_eq!(csrf.len(), 64);

    let who = app
        .client
        .get(app.url("/api/v1/session"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(who.status(), StatusCode::OK);
    let who: Value = who.json().await.unwrap();
    assert_eq!(
        (who["name"].as_str(), who["via"].as_str()),
        (Some(ADMIN_NAME), Some("session"))
    );
    assert_eq!(who["csrf_token"], csrf.as_str());

    let list = app
        .client
        .get(app.url("/api/v1/email-domains"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), StatusCode::OK, "reads need no CSRF header");

    let write = |csrf: Option<&str>| {
        let request = app
            .client
            .put(app.entry_url("example.com"))
            .header("Cookie", &cookie)
            .header("If-None-Match", "*")
            .json(&imap_entry("example.com"));
        match csrf {
            Some(csrf) => request.header("X-CSRF-Token", csrf),
            None => request,
        }
        .send()
    };
    problem(write(None).await.unwrap(), 403, "csrf").await;
    problem(write(Some("wrong")).await.unwrap(), 403, "csrf").await;
    assert_eq!(
        write(Some(&csrf)).await.unwrap().status(),
        StatusCode::CREATED
    );
    let history: Value = app
        .get("/api/v1/email-domains/example.com/history", ADMIN_TOKEN)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history["changes"][0]["actor"], ADMIN_NAME);

    let end_without_csrf = app
        .client
        .delete(app.url("/api/v1/session"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    problem(end_without_csrf, 403, "csrf").await;
    let ended = app
        .client
        .delete(app.url("/api/v1/session"))
        .header("Cookie", &cookie)
        .header("X-CSRF-Token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), StatusCode::NO_CONTENT);
    assert!(header(&ended, "set-cookie").contains("Max-Age=0"));
    let after = app
        .client
        .get(app.url("/api/v1/session"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    problem(after, 401, "unauthenticated").await;
}

async fn a_read_only_session_cannot_write(engine: Engine) {
    let app = spawn_app(engine).await;
    let (cookie, answer) = sign_in(&app, READER_TOKEN).await;
    assert_eq!(answer["name"], READER_NAME);
    assert_eq!(answer["role"], "read-only");
    let csrf = answer["csrf_token"].as_str().unwrap();
    let write = app
        .client
        .put(app.entry_url("example.com"))
        .header("Cookie", &cookie)
        .header("X-CSRF-Token", csrf)
        .header("If-None-Match", "*")
        .json(&imap_entry("example.com"))
        .send()
        .await
        .unwrap();
    problem(write, 403, "forbidden-role").await;
}

async fn sign_in_with_a_bad_token_gets_401(engine: Engine) {
    let app = spawn_app(engine).await;
    let response = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"token": "guess-guess-guess-guess"}))
        .send()
        .await
        .unwrap();
    assert!(header(&response, "set-cookie").is_empty());
    problem(response, 401, "unauthenticated").await;
}

async fn sign_in_is_rate_limited_per_client(engine: Engine) {
    let app = spawn_app_with(
        engine,
        AppOptions {
            args: vec!["--sign-in-attempts-per-minute".into(), "3".into()],
            ..AppOptions::default()
        },
    )
    .await;
    for _ in 0..3 {
        let response = app
            .client
            .post(app.url("/api/v1/session"))
            .json(&json!({"token": "guess-guess-guess-guess"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let limited = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({ "token": ADMIN_TOKEN }))
        .send()
        .await
        .unwrap();
    let retry_after: u64 = header(&limited, "retry-after").parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body = problem(limited, 429, "rate-limited").await;
    assert_eq!(body["retry_after"], retry_after);
    // Bearer requests are not sign-ins and are not limited.
    assert_eq!(
        app.get("/api/v1/session", ADMIN_TOKEN).await.status(),
        StatusCode::OK
    );
}

async fn cors_answers_configured_origins_only(engine: Engine) {
    let app = spawn_app_with(
        engine,
        AppOptions {
            args: vec![
                "--allowed-origin".into(),
                "https://crm.example.com".into(),
                "--allowed-origin".into(),
                "http://localhost:3000".into(),
            ],
            ..AppOptions::default()
        },
    )
    .await;
    let preflight = app
        .client
        .request(
            Method::OPTIONS,
            app.url("/api/v1/email-domains/example.com"),
        )
        .header("Origin", "https://crm.example.com")
        .header("Access-Control-Request-Method", "PUT")
        .header(
            "Access-Control-Request-Headers",
            "authorization, if-match, content-type, x-csrf-token",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    assert_eq!(
        header(&preflight, "access-control-allow-origin"),
        "https://crm.example.com"
    );
    assert_eq!(
        header(&preflight, "access-control-allow-credentials"),
        "true"
    );
    let allowed_headers = header(&preflight, "access-control-allow-headers").to_ascii_lowercase();
    for name in [
        "authorization",
        "if-match",
        "if-none-match",
        "content-type",
        "x-csrf-token",
    ] {
        assert!(allowed_headers.contains(name), "{allowed_headers}");
    }
    assert!(header(&preflight, "access-control-allow-methods").contains("PUT"));

    let read = app
        .client
        .get(app.url("/api/v1/email-domains"))
        .bearer_auth(ADMIN_TOKEN)
        .header("Origin", "http://localhost:3000")
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(&read, "access-control-allow-origin"),
        "http://localhost:3000"
    );
    let exposed = header(&read, "access-control-expose-headers").to_ascii_lowercase();
    for name in ["etag", "location", "retry-after"] {
        assert!(exposed.contains(name), "{exposed}");
    }

    let stranger = app
        .client
        .get(app.url("/api/v1/email-domains"))
        .bearer_auth(ADMIN_TOKEN)
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(header(&stranger, "access-control-allow-origin").is_empty());
}
