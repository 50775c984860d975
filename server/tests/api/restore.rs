//! Undo from the history (#35): `POST …/{domain}/history/{revision}/restore` and
//! `GET /api/v1/removed-email-domains`; each test runs against SQLite and PostgreSQL.

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::auth::sign_in;
use crate::both_engines;
use crate::certificate_trust::{RawDatabase, version_two_imap};
use crate::helpers::{
    ADMIN_NAME, ADMIN_TOKEN, Engine, READER_TOKEN, TestApp, encode_segment, etag, header,
    imap_entry, problem, spawn_app,
};

both_engines!(
    restoring_an_update_writes_the_old_settings_back_as_a_new_revision,
    a_removed_entry_is_revived_with_if_none_match_star,
    a_revision_from_before_a_rename_brings_the_old_name_back,
    stale_foreign_and_missing_preconditions_are_refused,
    unknown_revisions_and_removals_get_404,
    only_admins_restore_and_sessions_need_the_csrf_header,
    an_entry_stored_under_an_older_version_is_restored_through_todays_rules,
    fifty_racing_restores_of_one_tag_have_one_winner,
    removed_domains_are_listed_newest_first_with_the_entry_they_had,
);

const WRITERS: usize = 50;

fn restore_path(domain: &str, revision: u64) -> String {
    format!(
        "/api/v1/email-domains/{}/history/{revision}/restore",
        encode_segment(domain)
    )
}

/// `POST` the restore of `revision` with `If-Match: tag`, or `If-None-Match: *` without one.
async fn restore(app: &TestApp, domain: &str, revision: u64, tag: Option<&str>) -> Response {
    let request = app.request(Method::POST, &restore_path(domain, revision), ADMIN_TOKEN);
    let request = match tag {
        Some(tag) => request.header("If-Match", tag),
        None => request.header("If-None-Match", "*"),
    };
    request.send().await.expect("the server answers")
}

async fn history(app: &TestApp, domain: &str) -> Vec<Value> {
    let response = app
        .get(
            &format!("/api/v1/email-domains/{domain}/history"),
            ADMIN_TOKEN,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["changes"].as_array().unwrap().clone()
}

async fn removed(app: &TestApp) -> Vec<Value> {
    let response = app.get("/api/v1/removed-email-domains", READER_TOKEN).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["removed"].as_array().unwrap().clone()
}

/// An IMAP entry body whose incoming port says which version it is.
fn with_port(domain: &str, port: u16) -> Value {
    let mut body = imap_entry(domain);
    body["incoming"]["port"] = json!(port);
    body
}

/// Updates `domain` to `body` from `tag`; the new tag.
async fn update(app: &TestApp, domain: &str, body: &Value, tag: &str) -> String {
    let response = app.put_entry(domain, body, Some(tag)).await;
    assert_eq!(response.status(), StatusCode::OK, "update {domain}");
    etag(&response)
}

async fn restoring_an_update_writes_the_old_settings_back_as_a_new_revision(engine: Engine) {
    let app = spawn_app(engine).await;
    let first = app
        .create_body("a.example", &with_port("a.example", 993))
        .await;
    let second = update(&app, "a.example", &with_port("a.example", 1993), &first).await;
    assert_eq!((first.as_str(), second.as_str()), ("\"1\"", "\"2\""));

    let response = restore(&app, "a.example", 1, Some(&second)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(etag(&response), "\"3\"");
    assert_eq!(header(&response, "location"), "", "it stays where it is");
    let entry: Value = response.json().await.unwrap();
    assert_eq!(entry["incoming"]["port"], 993);
    assert_eq!(entry["revision"], 3);

    // Read back, looked up and answered to mail programs at once.
    let read = app.get_entry("a.example").await;
    assert_eq!(etag(&read), "\"3\"");
    assert_eq!(read.json::<Value>().await.unwrap(), entry);
    let lookup: Value = app
        .request(Method::POST, "/api/v1/lookup", READER_TOKEN)
        .json(&json!({"email": "alice@a.example"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(lookup["entry"]["incoming"]["port"], 993, "{lookup}");
    let autoconfig = app
        .client
        .get(app.url("/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice%40a.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(autoconfig.status(), StatusCode::OK);
    let xml = autoconfig.text().await.unwrap();
    assert!(xml.contains("<port>993</port>"), "{xml}");
    assert!(!xml.contains("<port>1993</port>"), "{xml}");

    let changes = history(&app, "a.example").await;
    let summary: Vec<(&str, u64, &Value)> = changes
        .iter()
        .map(|change| {
            (
                change["action"].as_str().unwrap(),
                change["revision"].as_u64().unwrap(),
                &change["restored_from"],
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("restored", 3, &json!(1)),
            ("updated", 2, &Value::Null),
            ("added", 1, &Value::Null),
        ]
    );
    assert_eq!(changes[0]["actor"], ADMIN_NAME);
    assert_eq!(changes[0]["entry"], entry);
    assert_eq!(changes[0]["previous_domain"], Value::Null);

    // A restore of a restore, and of the current revision: each a new revision.
    let again = restore(&app, "a.example", 2, Some("\"3\"")).await;
    assert_eq!(etag(&again), "\"4\"");
    let same = restore(&app, "a.example", 4, Some("\"4\"")).await;
    assert_eq!(etag(&same), "\"5\"");
    assert_eq!(
        same.json::<Value>().await.unwrap()["incoming"]["port"],
        1993
    );
}

async fn a_removed_entry_is_revived_with_if_none_match_star(engine: Engine) {
    let app = spawn_app(engine).await;
    let tag = app.create("gone.example").await;
    let changed = update(&app, "gone.example", &with_port("gone.example", 2993), &tag).await;
    let removal = app
        .delete_entry("gone.example", Some(&changed), ADMIN_TOKEN)
        .await;
    assert_eq!(removal.status(), StatusCode::NO_CONTENT);
    // If-Match names no entry now: the same 412 as an update of a removed entry.
    let stale = problem(
        restore(&app, "gone.example", 2, Some(&changed)).await,
        412,
        "stale-revision",
    )
    .await;
    assert_eq!(
        (&stale["current"], &stale["etag"]),
        (&Value::Null, &Value::Null)
    );

    let revived = restore(&app, "gone.example", 2, None).await;
    assert_eq!(revived.status(), StatusCode::CREATED);
    assert_eq!(etag(&revived), "\"4\"");
    assert_eq!(
        header(&revived, "location"),
        "/api/v1/email-domains/gone.example"
    );
    let entry: Value = revived.json().await.unwrap();
    assert_eq!(entry["incoming"]["port"], 2993);
    let changes = history(&app, "gone.example").await;
    assert_eq!(changes[0]["action"], "restored");
    assert_eq!(changes[0]["restored_from"], 2);
    assert_eq!(changes[1]["action"], "removed");
    assert_eq!(changes[1]["restored_from"], Value::Null);

    // Reviving what is there: 412 with the entry, as a creation of it gets.
    let again = problem(
        restore(&app, "gone.example", 1, None).await,
        412,
        "already-exists",
    )
    .await;
    assert_eq!(again["current"], entry);
    assert_eq!(again["etag"], "\"4\"");
}

async fn a_revision_from_before_a_rename_brings_the_old_name_back(engine: Engine) {
    let app = spawn_app(engine).await;
    let tag = app
        .create_body("old.example", &with_port("old.example", 993))
        .await;
    let renamed = update(&app, "old.example", &with_port("new.example", 1993), &tag).await;
    assert_eq!(renamed, "\"2\"");

    // Revision 1 is in new.example's history (it came by the rename): the entry was
    // old.example then, and goes back to that name.
    let response = restore(&app, "new.example", 1, Some(&renamed)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, "location"),
        "/api/v1/email-domains/old.example"
    );
    let entry: Value = response.json().await.unwrap();
    assert_eq!(
        (&entry["domain"], &entry["revision"]),
        (&json!("old.example"), &json!(3))
    );
    assert_eq!(
        app.get_entry("new.example").await.status(),
        StatusCode::NOT_FOUND
    );
    let changes = history(&app, "old.example").await;
    assert_eq!(
        (
            &changes[0]["action"],
            &changes[0]["previous_domain"],
            &changes[0]["restored_from"]
        ),
        (&json!("restored"), &json!("new.example"), &json!(1))
    );
    // The entry's whole life, back through both moves.
    let revisions: Vec<u64> = changes
        .iter()
        .map(|change| change["revision"].as_u64().unwrap())
        .collect();
    assert_eq!(revisions, [3, 2, 1]);
    assert_eq!(history(&app, "new.example").await.len(), 3);

    // Renamed again, and another entry takes the old name: 409 naming it, nothing written.
    let moved = update(&app, "old.example", &with_port("new.example", 993), "\"3\"").await;
    let holder = app.create("old.example").await;
    let clash = problem(
        restore(&app, "new.example", 1, Some(&moved)).await,
        409,
        "domain-taken",
    )
    .await;
    assert_eq!(clash["params"]["domain"], "old.example", "{clash}");
    assert_eq!(clash["current"]["domain"], "old.example");
    assert_eq!(clash["etag"], holder);
    assert_eq!(etag(&app.get_entry("new.example").await), moved);
}

async fn stale_foreign_and_missing_preconditions_are_refused(engine: Engine) {
    let app = spawn_app(engine).await;
    let first = app.create("a.example").await;
    let second = update(&app, "a.example", &with_port("a.example", 1993), &first).await;
    let current: Value = app.get_entry("a.example").await.json().await.unwrap();
    for tag in [first.as_str(), "\"stale-tag\"", "W/\"2\"", "\"\""] {
        let refused = problem(
            restore(&app, "a.example", 1, Some(tag)).await,
            412,
            "stale-revision",
        )
        .await;
        assert_eq!(refused["current"], current, "{tag}");
        assert_eq!(refused["etag"], second, "{tag}");
    }
    let bare = app
        .request(Method::POST, &restore_path("a.example", 1), ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    problem(bare, 428, "precondition-required").await;
    let both = app
        .request(Method::POST, &restore_path("a.example", 1), ADMIN_TOKEN)
        .header("If-Match", &second)
        .header("If-None-Match", "*")
        .send()
        .await
        .unwrap();
    problem(both, 400, "invalid-precondition").await;
    problem(
        restore(&app, "a.example", 1, Some("1")).await,
        400,
        "invalid-precondition",
    )
    .await;
    // The other writes read If-Match the same way (RFC 9110): a tag not ours is no match.
    let put = app
        .put_entry("a.example", &imap_entry("a.example"), Some("\"stale-tag\""))
        .await;
    assert_eq!(
        problem(put, 412, "stale-revision").await["current"],
        current
    );
    let delete = app
        .delete_entry("a.example", Some("\"stale-tag\""), ADMIN_TOKEN)
        .await;
    assert_eq!(
        problem(delete, 412, "stale-revision").await["current"],
        current
    );
    let import = app
        .request(Method::POST, "/api/v1/email-domains/import", ADMIN_TOKEN)
        .header("If-Match", "\"stale-tag\"")
        .json(&json!({"domains": []}))
        .send()
        .await
        .unwrap();
    problem(import, 412, "book-changed").await;
    assert_eq!(etag(&app.get_entry("a.example").await), second);
}

async fn unknown_revisions_and_removals_get_404(engine: Engine) {
    let app = spawn_app(engine).await;
    let tag = app.create("a.example").await;
    app.create("b.example").await;
    let removed = app
        .delete_entry("b.example", Some("\"2\""), ADMIN_TOKEN)
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    // Revision 2 is b.example's, not a.example's; 9 is nobody's.
    for revision in [2, 9] {
        let missing = problem(
            restore(&app, "a.example", revision, Some(&tag)).await,
            404,
            "not-found",
        )
        .await;
        assert!(
            missing["detail"]
                .as_str()
                .unwrap()
                .contains("is not in the history of a.example"),
            "{missing}"
        );
    }
    let removal = problem(restore(&app, "b.example", 3, None).await, 404, "not-found").await;
    assert_eq!(
        removal["detail"],
        "Revision 3 removed the entry, so there is no entry as it was after it. Restore the revision before it."
    );
    for path in [
        "/api/v1/email-domains/a.example/history/one/restore",
        "/api/v1/email-domains/a.example/history/-1/restore",
        "/api/v1/email-domains/no%20domain/history/1/restore",
        "/api/v1/email-domains/never.example/history/1/restore",
    ] {
        let response = app
            .request(Method::POST, path, ADMIN_TOKEN)
            .header("If-Match", &tag)
            .send()
            .await
            .unwrap();
        problem(response, 404, "not-found").await;
    }
    assert_eq!(etag(&app.get_entry("a.example").await), tag);
}

async fn only_admins_restore_and_sessions_need_the_csrf_header(engine: Engine) {
    let app = spawn_app(engine).await;
    let first = app.create("a.example").await;
    let second = update(&app, "a.example", &with_port("a.example", 1993), &first).await;
    let reader = app
        .request(Method::POST, &restore_path("a.example", 1), READER_TOKEN)
        .header("If-Match", &second)
        .send()
        .await
        .unwrap();
    problem(reader, 403, "forbidden-role").await;
    let anonymous = app
        .client
        .post(app.url(&restore_path("a.example", 1)))
        .header("If-Match", &second)
        .send()
        .await
        .unwrap();
    problem(anonymous, 401, "unauthenticated").await;

    let (cookie, session) = sign_in(&app, ADMIN_TOKEN).await;
    let by_cookie = |csrf: Option<String>| {
        let request = app
            .client
            .post(app.url(&restore_path("a.example", 1)))
            .header("Cookie", &cookie)
            .header("If-Match", &second);
        let request = match csrf {
            Some(csrf) => request.header("X-CSRF-Token", csrf),
            None => request,
        };
        request.send()
    };
    problem(by_cookie(None).await.unwrap(), 403, "csrf").await;
    assert_eq!(etag(&app.get_entry("a.example").await), second);
    let csrf = session["csrf_token"].as_str().unwrap().to_owned();
    let restored = by_cookie(Some(csrf)).await.unwrap();
    assert_eq!(restored.status(), StatusCode::OK);
    assert_eq!(etag(&restored), "\"3\"");
}

async fn an_entry_stored_under_an_older_version_is_restored_through_todays_rules(engine: Engine) {
    let app = spawn_app(engine).await;
    let first = app.create("a.example").await;
    let second = update(&app, "a.example", &with_port("a.example", 1993), &first).await;
    let third = update(&app, "a.example", &with_port("a.example", 2993), &second).await;
    // Revision 1's row as a version-2 server wrote it (the flag, no certificate_trust), and
    // revision 2's as no version accepts it (port 0).
    let mut raw = RawDatabase::open(engine, &app.database).await;
    let by_revision = "UPDATE history SET body = $1 WHERE revision = CAST($2 AS BIGINT)";
    raw.execute(by_revision, &[&version_two_imap("a.example", 1, true), "1"])
        .await;
    let broken = version_two_imap("a.example", 2, false).replace(r#""port":993"#, r#""port":0"#);
    raw.execute(by_revision, &[&broken, "2"]).await;
    raw.close().await;

    let refused = problem(
        restore(&app, "a.example", 2, Some(&third)).await,
        422,
        "validation-failed",
    )
    .await;
    assert_eq!(refused["errors"][0]["field"], "incoming.port", "{refused}");
    assert_eq!(refused["errors"][0]["code"], "port.zero");
    assert_eq!(etag(&app.get_entry("a.example").await), third);

    let response = restore(&app, "a.example", 1, Some(&third)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let entry: Value = response.json().await.unwrap();
    assert_eq!(entry["certificate_trust"], json!({"mode": "any"}));
    assert_eq!(entry["allow_insecure_certificates"], true);
    assert_eq!(entry["revision"], 4);
}

async fn fifty_racing_restores_of_one_tag_have_one_winner(engine: Engine) {
    let app = spawn_app(engine).await;
    let first = app.create("example.com").await;
    let second = update(&app, "example.com", &with_port("example.com", 1993), &first).await;
    let mut tasks = Vec::new();
    for _ in 0..WRITERS {
        let request = app
            .client
            .post(app.url(&restore_path("example.com", 1)))
            .bearer_auth(ADMIN_TOKEN)
            .header("If-Match", &second);
        tasks.push(tokio::spawn(async move {
            request.send().await.map(|response| response.status())
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task").expect("the server answers"));
    }
    let count = |status: StatusCode| statuses.iter().filter(|s| **s == status).count();
    assert_eq!(
        (
            count(StatusCode::OK),
            count(StatusCode::PRECONDITION_FAILED)
        ),
        (1, WRITERS - 1),
        "{statuses:?}"
    );
    assert_eq!(etag(&app.get_entry("example.com").await), "\"3\"");
    let restores = history(&app, "example.com")
        .await
        .iter()
        .filter(|change| change["action"] == "restored")
        .count();
    assert_eq!(restores, 1);
}

async fn removed_domains_are_listed_newest_first_with_the_entry_they_had(engine: Engine) {
    let app = spawn_app(engine).await;
    assert!(removed(&app).await.is_empty());
    let a = app.create("a.example").await;
    let a = update(&app, "a.example", &with_port("a.example", 1993), &a).await;
    let b = app.create("b.example").await;
    app.create("kept.example").await;
    // Renamed away from old.example, then removed under its new name.
    let old = app.create("old.example").await;
    let moved = update(&app, "old.example", &imap_entry("moved.example"), &old).await;
    for (domain, tag) in [
        ("a.example", &a),
        ("moved.example", &moved),
        ("b.example", &b),
    ] {
        let response = app.delete_entry(domain, Some(tag), ADMIN_TOKEN).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }
    // a.example (7), moved.example (8), b.example (9).
    let list = removed(&app).await;
    let summary: Vec<(&str, u64, &str)> = list
        .iter()
        .map(|item| {
            (
                item["domain"].as_str().unwrap(),
                item["revision"].as_u64().unwrap(),
                item["actor"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("b.example", 9, ADMIN_NAME),
            ("moved.example", 8, ADMIN_NAME),
            ("a.example", 7, ADMIN_NAME),
        ]
    );
    assert!(list[0]["at_unix_ms"].as_i64().unwrap() > 1_700_000_000_000);
    // The entry as it was before the removal: a.example's update, moved.example's rename.
    assert_eq!(list[2]["entry"]["incoming"]["port"], 1993);
    assert_eq!(list[2]["entry"]["revision"], 2);
    assert_eq!(list[1]["entry"]["domain"], "moved.example");
    assert_eq!(list[1]["entry"]["revision"], 6);

    // Added again, or revived: gone from the list.
    app.create("b.example").await;
    let revived = restore(&app, "a.example", 2, None).await;
    assert_eq!(revived.status(), StatusCode::CREATED);
    let list = removed(&app).await;
    let domains: Vec<&str> = list
        .iter()
        .map(|item| item["domain"].as_str().unwrap())
        .collect();
    assert_eq!(domains, ["moved.example"]);
    // Revived under the name it had before the rename: gone too.
    let revived = restore(&app, "moved.example", 5, None).await;
    assert_eq!(revived.status(), StatusCode::CREATED);
    assert_eq!(
        revived.json::<Value>().await.unwrap()["domain"],
        "old.example"
    );
    assert!(removed(&app).await.is_empty());
    assert_eq!(app.get_entry("old.example").await.status(), StatusCode::OK);
}
