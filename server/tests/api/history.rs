//! `GET /api/v1/email-domains/{domain}/history`: the audit log; each test runs against SQLite
//! and PostgreSQL.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_engines;
use crate::helpers::{ADMIN_NAME, ADMIN_TOKEN, Engine, etag, imap_entry, problem, spawn_app};

both_engines!(the_audit_log_lists_changes_newest_first);

async fn the_audit_log_lists_changes_newest_first(engine: Engine) {
    let app = spawn_app(engine).await;
    problem(
        app.get("/api/v1/email-domains/old.example/history", ADMIN_TOKEN)
            .await,
        404,
        "not-found",
    )
    .await;
    let added = app.create("old.example").await;
    let mut changed = imap_entry("old.example");
    changed["include_subdomains"] = json!(true);
    let updated = etag(&app.put_entry("old.example", &changed, Some(&added)).await);
    let renamed = app
        .put_entry("old.example", &imap_entry("new.example"), Some(&updated))
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let renamed = etag(&renamed);
    let removed = app
        .delete_entry("new.example", Some(&renamed), ADMIN_TOKEN)
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);

    let summary = |body: &Value| -> Vec<(String, u64, Option<String>, bool)> {
        body["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|change| {
                assert_eq!(change["actor"], ADMIN_NAME);
                assert!(change["at_unix_ms"].as_i64().unwrap() > 1_700_000_000_000);
                (
                    change["action"].as_str().unwrap().to_owned(),
                    change["revision"].as_u64().unwrap(),
                    change["previous_domain"].as_str().map(str::to_owned),
                    change["entry"].is_null(),
                )
            })
            .collect()
    };
    let new: Value = app
        .get("/api/v1/email-domains/new.example/history", ADMIN_TOKEN)
        .await
        .json()
        .await
        .unwrap();
    // The entry's whole life: its changes under the old name come with the rename.
    assert_eq!(
        summary(&new),
        [
            ("removed".to_owned(), 4, None, true),
            (
                "renamed".to_owned(),
                3,
                Some("old.example".to_owned()),
                false
            ),
            ("updated".to_owned(), 2, None, false),
            ("added".to_owned(), 1, None, false),
        ]
    );
    let old: Value = app
        .get("/api/v1/email-domains/old.example/history", ADMIN_TOKEN)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        summary(&old),
        [
            (
                "renamed".to_owned(),
                3,
                Some("old.example".to_owned()),
                false
            ),
            ("updated".to_owned(), 2, None, false),
            ("added".to_owned(), 1, None, false),
        ]
    );
    assert_eq!(old["changes"][1]["entry"]["include_subdomains"], true);
    assert_eq!(old["changes"][0]["entry"]["domain"], "new.example");

    // A new entry under the old name, renamed to a third name: its log follows it back to
    // its own start, not into the first entry's life.
    let again = app.create("old.example").await;
    let third = app
        .put_entry("old.example", &imap_entry("third.example"), Some(&again))
        .await;
    assert_eq!(third.status(), StatusCode::OK);
    let third: Value = app
        .get("/api/v1/email-domains/third.example/history", ADMIN_TOKEN)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        summary(&third),
        [
            (
                "renamed".to_owned(),
                6,
                Some("old.example".to_owned()),
                false
            ),
            ("added".to_owned(), 5, None, false),
        ]
    );
}
