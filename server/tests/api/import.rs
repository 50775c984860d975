//! `POST /api/v1/email-domains/import`: a file's settings in one transaction against the list's
//! tag; each test runs against SQLite and PostgreSQL.

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::both_engines;
use crate::helpers::{
    ADMIN_NAME, ADMIN_TOKEN, Engine, READER_TOKEN, TestApp, etag, exchange_entry, imap_entry,
    problem, spawn_app,
};

both_engines!(
    an_import_applies_every_line_at_once_and_says_what_it_did,
    an_import_previewed_against_an_older_list_changes_nothing,
    lines_the_rules_refuse_are_named_and_nothing_changes,
    an_import_needs_the_lists_tag_and_an_admin,
    an_import_may_be_larger_than_one_entry,
);

const IMPORT: &str = "/api/v1/email-domains/import";

async fn list(app: &TestApp) -> (String, Vec<String>) {
    let response = app.get("/api/v1/email-domains", ADMIN_TOKEN).await;
    assert_eq!(response.status(), StatusCode::OK);
    let tag = etag(&response);
    let body: Value = response.json().await.unwrap();
    let domains = body["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["domain"].as_str().unwrap().to_owned())
        .collect();
    (tag, domains)
}

async fn import(app: &TestApp, tag: Option<&str>, body: &Value, token: &str) -> Response {
    let request = app.request(Method::POST, IMPORT, token).json(body);
    let request = match tag {
        Some(tag) => request.header("If-Match", tag),
        None => request,
    };
    request.send().await.expect("the server answers")
}

async fn an_import_applies_every_line_at_once_and_says_what_it_did(engine: Engine) {
    let app = spawn_app(engine).await;
    app.create("a.example").await;
    app.create("b.example").await;
    let (tag, _) = list(&app).await;
    let mut moved = imap_entry("a.example");
    moved["include_subdomains"] = json!(true);
    let body = json!({
        "domains": [moved, exchange_entry("c.example"), imap_entry("b.example")],
        "remove_missing": false,
    });
    let response = import(&app, Some(&tag), &body, ADMIN_TOKEN).await;
    assert_eq!(response.status(), StatusCode::OK);
    let new_tag = etag(&response);
    let summary: Value = response.json().await.unwrap();
    assert_eq!(
        summary,
        json!({"added": 1, "changed": 1, "unchanged": 1, "removed": 0})
    );
    let (listed_tag, domains) = list(&app).await;
    assert_eq!(listed_tag, new_tag, "the answer's tag is the list's");
    assert_eq!(domains, ["a.example", "b.example", "c.example"]);
    let history: Value = app
        .get("/api/v1/email-domains/c.example/history", ADMIN_TOKEN)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history["changes"][0]["action"], "added");
    assert_eq!(history["changes"][0]["actor"], ADMIN_NAME);

    // The same file with "remove domains not in the file": only those go.
    let only_c = json!({"domains": [exchange_entry("c.example")], "remove_missing": true});
    let response = import(&app, Some(&new_tag), &only_c, ADMIN_TOKEN).await;
    assert_eq!(response.status(), StatusCode::OK);
    let summary: Value = response.json().await.unwrap();
    assert_eq!(
        summary,
        json!({"added": 0, "changed": 0, "unchanged": 1, "removed": 2})
    );
    assert_eq!(list(&app).await.1, ["c.example"]);
}

async fn an_import_previewed_against_an_older_list_changes_nothing(engine: Engine) {
    let app = spawn_app(engine).await;
    let first = app.create("a.example").await;
    let (previewed, _) = list(&app).await;
    // Someone else changes the book after the preview.
    let mut changed = imap_entry("a.example");
    changed["include_subdomains"] = json!(true);
    let response = app.put_entry("a.example", &changed, Some(&first)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let (current, _) = list(&app).await;
    let body = json!({"domains": [imap_entry("a.example"), imap_entry("new.example")]});
    let refused = problem(
        import(&app, Some(&previewed), &body, ADMIN_TOKEN).await,
        412,
        "book-changed",
    )
    .await;
    assert_eq!(refused["etag"], current, "{refused}");
    assert_eq!(
        list(&app).await,
        (current.clone(), vec!["a.example".into()])
    );
    // Previewed again against the current list, it goes through.
    let response = import(&app, Some(&current), &body, ADMIN_TOKEN).await;
    assert_eq!(response.status(), StatusCode::OK);
}

async fn lines_the_rules_refuse_are_named_and_nothing_changes(engine: Engine) {
    let app = spawn_app(engine).await;
    let (tag, _) = list(&app).await;
    let mut broken = imap_entry("broken.example");
    broken["incoming"]["port"] = json!(0);
    let body = json!({"domains": [imap_entry("new.example"), broken]});
    let refused = problem(
        import(&app, Some(&tag), &body, ADMIN_TOKEN).await,
        422,
        "validation-failed",
    )
    .await;
    assert_eq!(refused["errors"][0]["field"], "domains[1].incoming.port");
    assert_eq!(refused["errors"][0]["code"], "port.zero");

    let repeated = json!({"domains": [imap_entry("new.example"), exchange_entry("new.example")]});
    let refused = problem(
        import(&app, Some(&tag), &repeated, ADMIN_TOKEN).await,
        422,
        "validation-failed",
    )
    .await;
    assert_eq!(refused["errors"][0]["field"], "domains[1]", "{refused}");
    assert_eq!(refused["errors"][0]["code"], "import.repeated");
    assert_eq!(list(&app).await, (tag, Vec::new()));
}

async fn an_import_needs_the_lists_tag_and_an_admin(engine: Engine) {
    let app = spawn_app(engine).await;
    let (tag, _) = list(&app).await;
    let body = json!({"domains": [imap_entry("new.example")]});
    problem(
        import(&app, None, &body, ADMIN_TOKEN).await,
        428,
        "precondition-required",
    )
    .await;
    problem(
        import(&app, Some("*"), &body, ADMIN_TOKEN).await,
        428,
        "precondition-required",
    )
    .await;
    problem(
        import(&app, Some(&tag), &body, READER_TOKEN).await,
        403,
        "forbidden-role",
    )
    .await;
    let not_json = app
        .request(Method::POST, IMPORT, ADMIN_TOKEN)
        .header("If-Match", &tag)
        .header("Content-Type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    problem(not_json, 400, "malformed-request").await;
    assert_eq!(list(&app).await, (tag, Vec::new()));
}

async fn an_import_may_be_larger_than_one_entry(engine: Engine) {
    let app = spawn_app(engine).await;
    let (tag, _) = list(&app).await;
    let domains: Vec<Value> = (0..600)
        .map(|index| imap_entry(&format!("d{index:04}.example")))
        .collect();
    let body = json!({ "domains": domains });
    assert!(body.to_string().len() > 64 * 1024, "over the usual limit");
    let response = import(&app, Some(&tag), &body, ADMIN_TOKEN).await;
    assert_eq!(response.status(), StatusCode::OK);
    let summary: Value = response.json().await.unwrap();
    assert_eq!(summary["added"], 600);
    assert_eq!(list(&app).await.1.len(), 600);
}
