//! Concurrent writers: of 50 updates that all start from the same revision exactly one wins,
//! within one SQLite server and across two servers sharing one PostgreSQL database.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{AppOptions, Engine, TestApp, imap_entry, spawn_app, spawn_app_with};

const WRITERS: usize = 50;

/// Sends `WRITERS` updates of example.com from `tag`, spread over `apps`; returns the statuses.
async fn race(apps: &[&TestApp], tag: &str) -> Vec<StatusCode> {
    let mut tasks = Vec::new();
    for writer in 0..WRITERS {
        let app = apps[writer % apps.len()];
        let client = app.client.clone();
        let url = app.entry_url("example.com");
        let tag = tag.to_owned();
        let mut body = imap_entry("example.com");
        body["incoming"]["port"] = json!(10_000 + writer);
        tasks.push(tokio::spawn(async move {
            client
                .put(url)
                .bearer_auth(crate::helpers::ADMIN_TOKEN)
                .header("If-Match", tag)
                .json(&body)
                .send()
                .await
                .map(|response| response.status())
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task").expect("the server answers"));
    }
    statuses
}

fn assert_one_winner(statuses: &[StatusCode]) {
    let ok = statuses
        .iter()
        .filter(|status| **status == StatusCode::OK)
        .count();
    let stale = statuses
        .iter()
        .filter(|status| **status == StatusCode::PRECONDITION_FAILED)
        .count();
    assert_eq!((ok, stale), (1, WRITERS - 1), "{statuses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_updates_one_wins_on_sqlite() {
    let app = spawn_app(Engine::Sqlite).await;
    let tag = app.create("example.com").await;
    assert_one_winner(&race(&[&app], &tag).await);
    assert_eq!(
        crate::helpers::etag(&app.get_entry("example.com").await),
        "\"2\""
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_updates_one_wins_across_two_postgres_instances() {
    let first = spawn_app(Engine::Postgres).await;
    let second = spawn_app_with(
        Engine::Postgres,
        AppOptions {
            database: Some(first.database.clone()),
            ..AppOptions::default()
        },
    )
    .await;
    let tag = first.create("example.com").await;
    assert_eq!(
        crate::helpers::etag(&second.get_entry("example.com").await),
        tag
    );
    assert_one_winner(&race(&[&first, &second], &tag).await);
    for app in [&first, &second] {
        assert_eq!(
            crate::helpers::etag(&app.get_entry("example.com").await),
            "\"2\""
        );
    }
    // Creating one new domain from both instances at once: one 201, the rest 412.
    let mut tasks = Vec::new();
    for writer in 0..20 {
        let app = if writer % 2 == 0 { &first } else { &second };
        let request = app
            .client
            .put(app.entry_url("race.example"))
            .bearer_auth(crate::helpers::ADMIN_TOKEN)
            .header("If-None-Match", "*")
            .json(&imap_entry("race.example"));
        tasks.push(tokio::spawn(async move {
            request.send().await.map(|r| r.status())
        }));
    }
    let mut created = 0;
    for task in tasks {
        match task.await.expect("task").expect("the server answers") {
            StatusCode::CREATED => created += 1,
            StatusCode::PRECONDITION_FAILED => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(created, 1);
    // Each instance's list shows the other's changes (the cached body is keyed by sequence).
    for app in [&first, &second] {
        let list = app
            .get("/api/v1/email-domains", crate::helpers::ADMIN_TOKEN)
            .await;
        assert_eq!(crate::helpers::etag(&list), "\"3\"");
        let list: serde_json::Value = list.json().await.unwrap();
        assert_eq!(list["domains"].as_array().map(Vec::len), Some(2));
    }
}
