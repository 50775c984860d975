//! Concurrent writers: of 50 updates that all start from the same revision exactly one wins,
//! within one SQLite server and across two servers sharing one PostgreSQL database; and many
//! writers of their own domains at once (the writes share transactions, group commit): every
//! write is applied with a revision of its own, and the audit log and the book's sequence
//! account for each exactly once. Reads come from the book in memory (`read_model`), yet a read
//! that begins after a write was acknowledged, by any instance, shows it.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_engines;
use crate::helpers::{AppOptions, Engine, TestApp, imap_entry, spawn_app, spawn_app_with};

both_engines!(
    writers_of_their_own_domains_all_succeed_each_with_its_own_revision,
    a_read_shows_every_write_acknowledged_before_it_began_even_by_another_instance,
);

const WRITERS: usize = 50;

/// Sends `WRITERS` updates of example.com from `tag`, spread over `apps`; returns the statuses.
async fn race(apps: &[&TestApp], tag: &str) -> Vec<StatusCode> {
    let mut tasks = Vec::new();
    for writer in 0..WRITERS {
        let app = apps[writer % apps.len()];
        let client = app.client.clone();
        let url = app.entry_url("example.com");
        let tag = tag.to_owned();
        tasks.push(tokio::spawn(async move {
            update_port(&client, &url, "example.com", &tag, 10_000 + writer)
                .await
                .status()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task"));
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

/// Updates `domain`'s entry at `url` from the revision `tag` names, to an incoming port of
/// `port`; answers the server's response.
async fn update_port(
    client: &reqwest::Client,
    url: &str,
    domain: &str,
    tag: &str,
    port: usize,
) -> reqwest::Response {
    let mut body = imap_entry(domain);
    body["incoming"]["port"] = json!(port);
    client
        .put(url)
        .bearer_auth(crate::helpers::ADMIN_TOKEN)
        .header("If-Match", tag)
        .json(&body)
        .send()
        .await
        .expect("the server answers")
}

/// 32 writers, each updating its own domain 8 times in a row as fast as the answers come.
async fn writers_of_their_own_domains_all_succeed_each_with_its_own_revision(engine: Engine) {
    const CLIENTS: usize = 32;
    const UPDATES: usize = 8;
    let app = spawn_app(engine).await;
    let mut created = Vec::new();
    for client_index in 0..CLIENTS {
        let domain = format!("writer{client_index}.example");
        let tag = app.create(&domain).await;
        created.push((domain, tag));
    }
    let mut tasks = Vec::new();
    for (domain, tag) in created {
        let client = app.client.clone();
        let url = app.entry_url(&domain);
        tasks.push(tokio::spawn(async move {
            let mut tag = tag;
            let mut revisions = Vec::new();
            for update in 0..UPDATES {
                let response = update_port(&client, &url, &domain, &tag, 20_000 + update).await;
                assert_eq!(
                    response.status(),
                    StatusCode::OK,
                    "{domain} update {update}"
                );
                tag = crate::helpers::etag(&response);
                let answer: Value = response.json().await.expect("JSON");
                assert_eq!(answer["incoming"]["port"], json!(20_000 + update));
                revisions.push(answer["revision"].as_u64().expect("a revision"));
            }
            (domain, revisions)
        }));
    }
    let mut every_revision = BTreeSet::new();
    let mut written = Vec::new();
    for task in tasks {
        let (domain, revisions) = task.await.expect("the writer finishes");
        assert!(
            revisions.windows(2).all(|pair| pair[0] < pair[1]),
            "{revisions:?}"
        );
        for revision in &revisions {
            assert!(
                every_revision.insert(*revision),
                "revision {revision} given twice"
            );
        }
        written.push((domain, revisions));
    }
    // The creations took 1..=CLIENTS; the updates every revision after them, none skipped.
    let expected: BTreeSet<u64> =
        ((CLIENTS as u64 + 1)..=(CLIENTS as u64 * (UPDATES as u64 + 1))).collect();
    assert_eq!(every_revision, expected);
    let list = app
        .get("/api/v1/email-domains", crate::helpers::ADMIN_TOKEN)
        .await;
    assert_eq!(
        crate::helpers::etag(&list),
        format!("\"{}\"", CLIENTS * (UPDATES + 1))
    );
    for (domain, revisions) in written {
        let history: Value = app
            .get(
                &format!("/api/v1/email-domains/{domain}/history"),
                crate::helpers::ADMIN_TOKEN,
            )
            .await
            .json()
            .await
            .expect("JSON");
        let logged: Vec<u64> = history["changes"]
            .as_array()
            .expect("a list")
            .iter()
            .filter(|record| record["action"] == "updated")
            .map(|record| record["revision"].as_u64().expect("a revision"))
            .rev()
            .collect();
        assert_eq!(logged, revisions, "{domain}");
    }
}

/// Writers update their own domains through one instance; after each acknowledged write the
/// writer reads the entry, looks an address up and reads the list through the other instance,
/// while readers keep that instance's reads busy (so most reads arrive while a refresh of the
/// read model is under way and must wait for the next). Every read shows the write or a later
/// one.
async fn a_read_shows_every_write_acknowledged_before_it_began_even_by_another_instance(
    engine: Engine,
) {
    const WRITERS: usize = 6;
    const UPDATES: usize = 12;
    const READERS: usize = 6;
    let writer_app = spawn_app(engine).await;
    let reader_app = spawn_app_with(
        engine,
        AppOptions {
            database: Some(writer_app.database.clone()),
            ..AppOptions::default()
        },
    )
    .await;
    let mut created = Vec::new();
    for index in 0..WRITERS {
        let domain = format!("fresh{index}.example");
        let tag = writer_app.create(&domain).await;
        created.push((domain, tag));
    }
    // Warm the reading instance's copy, so what follows is kept current, not loaded.
    assert_eq!(
        reader_app.get_entry("fresh0.example").await.status(),
        StatusCode::OK
    );

    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = Vec::new();
    for reader in 0..READERS {
        let client = reader_app.client.clone();
        let url = reader_app.entry_url(&format!("fresh{}.example", reader % WRITERS));
        let done = std::sync::Arc::clone(&done);
        readers.push(tokio::spawn(async move {
            let mut reads = 0_u32;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let response = client
                    .get(&url)
                    .bearer_auth(crate::helpers::ADMIN_TOKEN)
                    .send()
                    .await
                    .expect("the server answers");
                assert_eq!(response.status(), StatusCode::OK);
                reads += 1;
            }
            reads
        }));
    }

    let mut writers = Vec::new();
    for (domain, tag) in created {
        let writer_client = writer_app.client.clone();
        let write_url = writer_app.entry_url(&domain);
        let reader_client = reader_app.client.clone();
        let read_url = reader_app.entry_url(&domain);
        let lookup_url = reader_app.url("/api/v1/lookup");
        let list_url = reader_app.url("/api/v1/email-domains");
        writers.push(tokio::spawn(async move {
            let mut tag = tag;
            for update in 0..UPDATES {
                let written =
                    update_port(&writer_client, &write_url, &domain, &tag, 30_000 + update).await;
                assert_eq!(written.status(), StatusCode::OK, "{domain} update {update}");
                tag = crate::helpers::etag(&written);
                let revision: u64 = tag.trim_matches('"').parse().expect("a revision tag");

                let read = reader_client
                    .get(&read_url)
                    .bearer_auth(crate::helpers::ADMIN_TOKEN)
                    .send()
                    .await
                    .expect("the server answers");
                let read: Value = read.json().await.expect("JSON");
                assert!(
                    read["revision"].as_u64().expect("a revision") >= revision,
                    "{domain}: read {read} after revision {revision} was acknowledged"
                );
                assert_eq!(
                    read["incoming"]["port"]
                        .as_u64()
                        .map(|port| port >= 30_000 + update as u64),
                    Some(true)
                );

                let found: Value = reader_client
                    .post(&lookup_url)
                    .bearer_auth(crate::helpers::ADMIN_TOKEN)
                    .json(&json!({"email": format!("alice@{domain}")}))
                    .send()
                    .await
                    .expect("the server answers")
                    .json()
                    .await
                    .expect("JSON");
                assert!(
                    found["entry"]["revision"].as_u64().expect("a revision") >= revision,
                    "{domain}: lookup {found} after revision {revision} was acknowledged"
                );

                if update % 4 == 0 {
                    let listed = reader_client
                        .get(&list_url)
                        .bearer_auth(crate::helpers::ADMIN_TOKEN)
                        .send()
                        .await
                        .expect("the server answers");
                    let sequence: u64 = crate::helpers::etag(&listed)
                        .trim_matches('"')
                        .parse()
                        .expect("a sequence tag");
                    assert!(
                        sequence >= revision,
                        "list at {sequence} after revision {revision}"
                    );
                }
            }
        }));
    }
    for writer in writers {
        writer.await.expect("the writer finishes");
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut reads = 0;
    for reader in readers {
        reads += reader.await.expect("the reader finishes");
    }
    assert!(reads > 0, "the readers read while the writers wrote");
}
