//! The entry resource: create, read, update, rename, delete, conditional requests, request
//! checks and hostile paths; each test runs against SQLite and PostgreSQL.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_engines;
use crate::helpers::{
    ADMIN_TOKEN, AppOptions, Engine, etag, exchange_entry, header, imap_entry, problem, spawn_app,
    spawn_app_with,
};

both_engines!(
    the_list_follows_every_change_after_it_was_read,
    create_then_read_with_location_and_etag,
    current_tags_get_304,
    update_with_the_current_tag_and_refuse_a_stale_one,
    create_refuses_a_configured_domain_in_either_spelling,
    writes_without_a_precondition_get_428,
    unusable_preconditions_get_400_and_foreign_tags_412,
    invalid_bodies_get_422_with_every_field_problem,
    malformed_json_gets_400,
    other_media_types_get_415,
    bodies_over_64_kib_get_413,
    unknown_domains_get_404,
    hostile_paths_never_fail_the_server,
    rename_moves_the_entry_in_one_change,
    rename_onto_a_configured_domain_gets_409,
    changing_the_kind_gets_409,
    delete_checks_the_revision,
    update_of_a_missing_entry_gets_412_with_no_current,
    revisions_come_from_one_sequence,
    create_needs_the_body_to_name_the_path_domain,
    the_list_is_the_books_document_in_byte_order,
);

/// The list is put together from the stored rows: in the book's order (bytes of the ASCII
/// name, whatever the database's collation) and readable as the book's document.
async fn the_list_is_the_books_document_in_byte_order(engine: Engine) {
    let app = spawn_app(engine).await;
    let names = [
        "zz.example",
        "ab.example",
        "a-b.example",
        "bücher.example",
        "a.example",
        "a0.example",
    ];
    for name in names {
        app.create(name).await;
    }
    let list = app.get("/api/v1/email-domains", ADMIN_TOKEN).await;
    assert_eq!(list.status(), StatusCode::OK);
    let text = list.text().await.unwrap();
    let listed: Vec<String> = serde_json::from_str::<Value>(&text).unwrap()["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["domain"].as_str().unwrap().to_owned())
        .collect();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted);
    assert_eq!(listed.len(), names.len());
    let document = mailsetup_core::Document::from_json(&text).unwrap();
    assert_eq!(document.book().len(), names.len());
    assert!(document.rejected().is_empty());
    assert_eq!(document.book().sequence(), 6);
    assert_eq!(mailsetup_core::wire::collection_json(document.book()), text);
}

async fn create_then_read_with_location_and_etag(engine: Engine) {
    let app = spawn_app(engine).await;
    let created = app
        .put_entry("example.com", &imap_entry("Example.COM"), None)
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(
        header(&created, "location"),
        "/api/v1/email-domains/example.com"
    );
    assert_eq!(etag(&created), "\"1\"");
    let body: Value = created.json().await.unwrap();
    assert_eq!(body["domain"], "example.com");
    assert_eq!(body["revision"], 1);
    assert!(body["updated_at_unix_ms"].as_i64().unwrap() > 1_700_000_000_000);

    let read = app.get_entry("example.com").await;
    assert_eq!(read.status(), StatusCode::OK);
    assert_eq!(etag(&read), "\"1\"");
    assert_eq!(read.json::<Value>().await.unwrap(), body);

    let list = app.get("/api/v1/email-domains", ADMIN_TOKEN).await;
    assert_eq!(list.status(), StatusCode::OK);
    assert_eq!(etag(&list), "\"1\"");
    let list: Value = list.json().await.unwrap();
    assert_eq!(list["version"], mailsetup_core::DOCUMENT_VERSION);
    assert_eq!(list["sequence"], 1);
    assert_eq!(list["domains"], json!([body]));
}

async fn current_tags_get_304(engine: Engine) {
    let app = spawn_app(engine).await;
    let empty = app.get("/api/v1/email-domains", ADMIN_TOKEN).await;
    assert_eq!(etag(&empty), "\"0\"");
    let tag = app.create("example.com").await;
    let list = |tag: &'static str| {
        app.client
            .get(app.url("/api/v1/email-domains"))
            .bearer_auth(ADMIN_TOKEN)
            .header("If-None-Match", tag)
            .send()
    };
    let unchanged = list("\"1\"").await.unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(etag(&unchanged), "\"1\"");
    assert_eq!(list("\"0\"").await.unwrap().status(), StatusCode::OK);
    let entry = app
        .client
        .get(app.entry_url("example.com"))
        .bearer_auth(ADMIN_TOKEN)
        .header("If-None-Match", tag.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(entry.status(), StatusCode::NOT_MODIFIED);
}

async fn update_with_the_current_tag_and_refuse_a_stale_one(engine: Engine) {
    let app = spawn_app(engine).await;
    let tag = app.create("example.com").await;
    let mut changed = imap_entry("example.com");
    changed["incoming"]["port"] = json!(143);
    changed["incoming"]["security"] = json!("starttls");
    let updated = app.put_entry("example.com", &changed, Some(&tag)).await;
    assert_eq!(updated.status(), StatusCode::OK);
    assert_eq!(etag(&updated), "\"2\"");
    assert!(
        header(&updated, "location").is_empty(),
        "no Location for an update"
    );
    let body: Value = updated.json().await.unwrap();
    assert_eq!(body["incoming"]["port"], 143);

    changed["incoming"]["port"] = json!(1143);
    let stale = app.put_entry("example.com", &changed, Some(&tag)).await;
    let refused = problem(stale, 412, "stale-revision").await;
    assert_eq!(refused["code"], "book.stale_revision");
    assert_eq!(refused["etag"], "\"2\"");
    assert_eq!(refused["current"], body);
    assert_eq!(refused["params"]["expected"], "1");
    assert_eq!(refused["params"]["actual"], "2");
    let still: Value = app.get_entry("example.com").await.json().await.unwrap();
    assert_eq!(still["incoming"]["port"], 143);
}

async fn create_refuses_a_configured_domain_in_either_spelling(engine: Engine) {
    let app = spawn_app(engine).await;
    let tag = app.create("xn--bcher-kva.example").await;
    // The Unicode spelling, percent-encoded in the path, names the same entry.
    let read = app.get_entry("bücher.example").await;
    assert_eq!(read.status(), StatusCode::OK);
    assert_eq!(etag(&read), tag);
    let again = app
        .put_entry("bücher.example", &imap_entry("bücher.example"), None)
        .await;
    let refused = problem(again, 412, "already-exists").await;
    assert_eq!(refused["code"], "book.already_configured");
    assert_eq!(refused["current"]["domain"], "xn--bcher-kva.example");
    assert_eq!(refused["etag"], tag);
    // The other kind is refused the same way: the domain has settings.
    let other = app
        .put_entry("BÜCHER.example.", &exchange_entry("bücher.example"), None)
        .await;
    let refused = problem(other, 412, "already-exists").await;
    assert_eq!(refused["code"], "book.kind_conflict");
}

async fn writes_without_a_precondition_get_428(engine: Engine) {
    let app = spawn_app(engine).await;
    app.create("example.com").await;
    let put = app
        .client
        .put(app.entry_url("example.com"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&imap_entry("example.com"))
        .send()
        .await
        .unwrap();
    problem(put, 428, "precondition-required").await;
    let delete = app.delete_entry("example.com", None, ADMIN_TOKEN).await;
    problem(delete, 428, "precondition-required").await;
    let star = app
        .delete_entry("example.com", Some("*"), ADMIN_TOKEN)
        .await;
    problem(star, 428, "precondition-required").await;
    assert_eq!(app.get_entry("example.com").await.status(), StatusCode::OK);
}

async fn unusable_preconditions_get_400_and_foreign_tags_412(engine: Engine) {
    let app = spawn_app(engine).await;
    for tag in ["1", "\"1\", \"2\"", "one", "\"one"] {
        let response = app
            .put_entry("example.com", &imap_entry("example.com"), Some(tag))
            .await;
        problem(response, 400, "invalid-precondition").await;
    }
    // Well-formed entity tags this server never issued are no match (RFC 9110): 412.
    let current = app.create("example.com").await;
    for tag in ["W/\"1\"", "\"one\"", "\"stale-tag\"", "\"\""] {
        let response = app
            .put_entry("example.com", &imap_entry("example.com"), Some(tag))
            .await;
        let refused = problem(response, 412, "stale-revision").await;
        assert_eq!(refused["etag"], current, "{tag}");
        // No revision was named, so none is said to have been expected.
        assert_eq!(
            refused["params"],
            json!({"domain": "example.com", "actual": "1"}),
            "{tag}"
        );
    }
    let both = app
        .client
        .put(app.entry_url("example.com"))
        .bearer_auth(ADMIN_TOKEN)
        .header("If-Match", "\"1\"")
        .header("If-None-Match", "*")
        .json(&imap_entry("example.com"))
        .send()
        .await
        .unwrap();
    problem(both, 400, "invalid-precondition").await;
}

async fn invalid_bodies_get_422_with_every_field_problem(engine: Engine) {
    let app = spawn_app(engine).await;
    let mut body = imap_entry("example.com");
    body["incoming"]["port"] = json!(0);
    body["outgoing"]["security"] = json!("tls");
    let response = app.put_entry("example.com", &body, None).await;
    let refused = problem(response, 422, "validation-failed").await;
    let fields: Vec<(String, String)> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| {
            assert!(error["message"].is_string());
            (
                error["field"].as_str().unwrap().to_owned(),
                error["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            ("incoming.port".to_owned(), "port.zero".to_owned()),
            (
                "outgoing.security".to_owned(),
                "security.unknown".to_owned()
            )
        ]
    );
    let bad_domain = app
        .put_entry("example.com", &imap_entry("exa mple.com"), None)
        .await;
    let refused = problem(bad_domain, 422, "validation-failed").await;
    assert_eq!(refused["errors"][0]["field"], "domain");
    assert_eq!(refused["errors"][0]["code"], "domain.contains_space");
    let mut unknown = imap_entry("example.com");
    unknown["include_subdomain"] = json!(true);
    let refused = problem(
        app.put_entry("example.com", &unknown, None).await,
        422,
        "validation-failed",
    )
    .await;
    assert_eq!(refused["errors"][0]["code"], "document.unknown_field");
    assert_eq!(
        app.get_entry("example.com").await.status(),
        StatusCode::NOT_FOUND
    );
}

async fn malformed_json_gets_400(engine: Engine) {
    let app = spawn_app(engine).await;
    let response = app
        .client
        .put(app.entry_url("example.com"))
        .bearer_auth(ADMIN_TOKEN)
        .header("If-None-Match", "*")
        .header("Content-Type", "application/json")
        .body("{\"domain\": ")
        .send()
        .await
        .unwrap();
    let refused = problem(response, 400, "malformed-request").await;
    assert_eq!(refused["code"], "wire.not_json");
    let lookup = app
        .client
        .post(app.url("/api/v1/lookup"))
        .bearer_auth(ADMIN_TOKEN)
        .header("Content-Type", "application/json")
        .body("not json")
        .send()
        .await
        .unwrap();
    problem(lookup, 400, "malformed-request").await;
}

async fn other_media_types_get_415(engine: Engine) {
    let app = spawn_app(engine).await;
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let mut request = app
            .client
            .put(app.entry_url("example.com"))
            .bearer_auth(ADMIN_TOKEN)
            .header("If-None-Match", "*")
            .body(imap_entry("example.com").to_string());
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        problem(request.send().await.unwrap(), 415, "unsupported-media-type").await;
    }
    let with_charset = app
        .client
        .put(app.entry_url("example.com"))
        .bearer_auth(ADMIN_TOKEN)
        .header("If-None-Match", "*")
        .header("Content-Type", "application/json; charset=utf-8")
        .body(imap_entry("example.com").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(with_charset.status(), StatusCode::CREATED);
}

async fn bodies_over_64_kib_get_413(engine: Engine) {
    let app = spawn_app(engine).await;
    let mut body = imap_entry("example.com");
    body["padding"] = json!("x".repeat(70 * 1024));
    let response = app.put_entry("example.com", &body, None).await;
    problem(response, 413, "payload-too-large").await;
    // A chunked body without Content-Length is cut off at the limit too.
    let chunk = format!("400\r\n{}\r\n", " ".repeat(1024));
    let message = format!(
        "PUT /api/v1/email-domains/example.com HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\nIf-None-Match: *\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{}0\r\n\r\n",
        app.address,
        chunk.repeat(80)
    );
    let (status, text) = app.raw_message(&message).await;
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("payload-too-large"), "{text}");
}

async fn unknown_domains_get_404(engine: Engine) {
    let app = spawn_app(engine).await;
    let missing = app.get_entry("nowhere.example").await;
    let body = problem(missing, 404, "not-found").await;
    assert!(body["detail"].as_str().unwrap().contains("nowhere.example"));
}

async fn hostile_paths_never_fail_the_server(engine: Engine) {
    let app = spawn_app(engine).await;
    app.create("example.com").await;
    let long = "a".repeat(300);
    let label_too_long = format!("{}.example", "b".repeat(64));
    let segments = [
        "..".to_owned(),
        "%2E%2E".to_owned(),
        "%2F".to_owned(),
        "example.com%2F..%2F..".to_owned(),
        "a%2Fb.example".to_owned(),
        long.clone(),
        format!("{long}.example"),
        label_too_long,
        // Latin and Cyrillic letters mixed ("pаypal" with a Cyrillic а).
        "p%D0%B0ypal.com".to_owned(),
        "%00".to_owned(),
        "%FF%FE".to_owned(),
        "%".to_owned(),
        "xn--.example".to_owned(),
        "-bad-.example".to_owned(),
        "%3Cscript%3E.example".to_owned(),
        "alice%40example.com".to_owned(),
        "127.0.0.1".to_owned(),
        "%20".to_owned(),
        "example.com.".to_owned(),
    ];
    let body = imap_entry("example.com").to_string();
    for segment in &segments {
        let path = format!("/api/v1/email-domains/{segment}");
        for method in ["GET", "DELETE", "PUT"] {
            let preconditions = match method {
                "PUT" => "\r\nIf-None-Match: *\r\nContent-Type: application/json",
                "DELETE" => "\r\nIf-Match: \"1\"",
                _ => "",
            };
            let (status, text) = app
                .raw(
                    &format!("{method} {path} HTTP/1.1{preconditions}"),
                    if method == "PUT" { &body } else { "" },
                )
                .await;
            assert!(
                (200..500).contains(&status),
                "{method} {path} answered {status}: {text}"
            );
            if status >= 400 {
                assert!(
                    text.to_ascii_lowercase()
                        .contains("content-type: application/problem+json"),
                    "{method} {path}: {text}"
                );
            }
        }
        let history = app.raw(&format!("GET {path}/history HTTP/1.1"), "").await;
        assert!(
            (200..500).contains(&history.0),
            "{path}/history: {}",
            history.1
        );
    }
    // The entry survived all of that.
    let (status, _) = app
        .raw("GET /api/v1/email-domains/example.com HTTP/1.1", "")
        .await;
    assert_eq!(status, 200);
    let (status, _) = app.raw("GET /api/v1/email-domains/.. HTTP/1.1", "").await;
    assert_eq!(status, 404);
}

async fn rename_moves_the_entry_in_one_change(engine: Engine) {
    let app = spawn_app(engine).await;
    let tag = app.create("old.example").await;
    app.create("other.example").await;
    let mut moved = imap_entry("new.example");
    moved["include_subdomains"] = json!(true);
    let renamed = app.put_entry("old.example", &moved, Some(&tag)).await;
    assert_eq!(renamed.status(), StatusCode::OK);
    assert_eq!(
        header(&renamed, "location"),
        "/api/v1/email-domains/new.example"
    );
    assert_eq!(etag(&renamed), "\"3\"");
    let body: Value = renamed.json().await.unwrap();
    assert_eq!(body["domain"], "new.example");
    assert_eq!(body["include_subdomains"], true);
    assert_eq!(
        app.get_entry("old.example").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get_entry("new.example").await.status(), StatusCode::OK);
    let list: Value = app
        .get("/api/v1/email-domains", ADMIN_TOKEN)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["sequence"], 3, "one change, one revision");
    let names: Vec<&str> = list["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["domain"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["new.example", "other.example"]);
}

async fn rename_onto_a_configured_domain_gets_409(engine: Engine) {
    let app = spawn_app(engine).await;
    let tag = app.create("a.example").await;
    app.create("b.example").await;
    app.create_body("ews.example", &exchange_entry("ews.example"))
        .await;
    let onto_same_kind = app
        .put_entry("a.example", &imap_entry("b.example"), Some(&tag))
        .await;
    let refused = problem(onto_same_kind, 409, "domain-taken").await;
    assert_eq!(refused["code"], "book.already_configured");
    assert_eq!(refused["current"]["domain"], "b.example");
    let onto_other_kind = app
        .put_entry("a.example", &imap_entry("ews.example"), Some(&tag))
        .await;
    let refused = problem(onto_other_kind, 409, "domain-taken").await;
    assert_eq!(refused["code"], "book.kind_conflict");
    assert_eq!(etag(&app.get_entry("a.example").await), tag);
    assert_eq!(etag(&app.get_entry("b.example").await), "\"2\"");
}

async fn changing_the_kind_gets_409(engine: Engine) {
    let app = spawn_app(engine).await;
    let tag = app.create("example.com").await;
    let response = app
        .put_entry("example.com", &exchange_entry("example.com"), Some(&tag))
        .await;
    let refused = problem(response, 409, "kind-change").await;
    assert_eq!(refused["code"], "book.kind_conflict");
    assert_eq!(refused["current"]["type"], "imap");
}

async fn delete_checks_the_revision(engine: Engine) {
    let app = spawn_app(engine).await;
    let tag = app.create("example.com").await;
    let stale = app
        .delete_entry("example.com", Some("\"9\""), ADMIN_TOKEN)
        .await;
    let refused = problem(stale, 412, "stale-revision").await;
    assert_eq!(refused["etag"], tag);
    assert_eq!(refused["current"]["domain"], "example.com");
    let removed = app
        .delete_entry("example.com", Some(&tag), ADMIN_TOKEN)
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_entry("example.com").await.status(),
        StatusCode::NOT_FOUND
    );
    let again = app
        .delete_entry("example.com", Some(&tag), ADMIN_TOKEN)
        .await;
    let refused = problem(again, 412, "stale-revision").await;
    assert_eq!(refused["code"], "book.not_found");
    assert_eq!(refused["current"], Value::Null);
    assert_eq!(refused["etag"], Value::Null);
    let list = app.get("/api/v1/email-domains", ADMIN_TOKEN).await;
    assert_eq!(
        etag(&list),
        "\"2\"",
        "a removal moves the collection's version"
    );
}

async fn update_of_a_missing_entry_gets_412_with_no_current(engine: Engine) {
    let app = spawn_app(engine).await;
    let response = app
        .put_entry("example.com", &imap_entry("example.com"), Some("\"1\""))
        .await;
    let refused = problem(response, 412, "stale-revision").await;
    assert_eq!(refused["current"], Value::Null);
}

async fn revisions_come_from_one_sequence(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.create("a.example").await;
    let b = app.create("b.example").await;
    assert_eq!((a.as_str(), b.as_str()), ("\"1\"", "\"2\""));
    let updated = app
        .put_entry("a.example", &imap_entry("a.example"), Some(&a))
        .await;
    assert_eq!(etag(&updated), "\"3\"");
    let removed = app.delete_entry("b.example", Some(&b), ADMIN_TOKEN).await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    // A domain added again never gets an old revision back.
    assert_eq!(app.create("b.example").await, "\"5\"");
}

async fn create_needs_the_body_to_name_the_path_domain(engine: Engine) {
    let app = spawn_app(engine).await;
    let response = app
        .put_entry("example.com", &imap_entry("example.org"), None)
        .await;
    let refused = problem(response, 422, "validation-failed").await;
    assert_eq!(refused["errors"][0]["field"], "domain");
    assert_eq!(refused["errors"][0]["code"], "request.domain_mismatch");
    let bad_path = app
        .put_entry("exa mple.com", &imap_entry("example.com"), None)
        .await;
    let refused = problem(bad_path, 422, "validation-failed").await;
    assert_eq!(refused["errors"][0]["field"], "path");
    assert_eq!(refused["errors"][0]["code"], "domain.contains_space");
}

/// The list is kept current from the changes after the last one it showed: after an update, a
/// rename, a removal, an addition and a change made by another instance, it is exactly what a
/// server that never read it before answers.
async fn the_list_follows_every_change_after_it_was_read(engine: Engine) {
    let app = spawn_app(engine).await;
    let mut tags = std::collections::HashMap::new();
    for name in ["a.example", "b.example", "c.example"] {
        tags.insert(name, app.create(name).await);
    }
    let first = app.get("/api/v1/email-domains", ADMIN_TOKEN).await;
    assert_eq!(etag(&first), "\"3\"");

    let mut changed = imap_entry("a.example");
    changed["incoming"]["port"] = json!(143);
    let updated = app
        .put_entry("a.example", &changed, Some(&tags["a.example"]))
        .await;
    assert_eq!(updated.status(), StatusCode::OK);
    let renamed = app
        .put_entry(
            "b.example",
            &imap_entry("d.example"),
            Some(&tags["b.example"]),
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let removed = app
        .delete_entry("c.example", Some(&tags["c.example"]), ADMIN_TOKEN)
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    app.create("e.example").await;
    let other_instance = spawn_app_with(
        engine,
        AppOptions {
            database: Some(app.database.clone()),
            ..AppOptions::default()
        },
    )
    .await;
    other_instance.create("b.example").await;

    let kept = app.get("/api/v1/email-domains", ADMIN_TOKEN).await;
    let fresh = spawn_app_with(
        engine,
        AppOptions {
            database: Some(app.database.clone()),
            ..AppOptions::default()
        },
    )
    .await
    .get("/api/v1/email-domains", ADMIN_TOKEN)
    .await;
    assert_eq!(etag(&kept), "\"8\"");
    assert_eq!(etag(&kept), etag(&fresh));
    let kept = kept.text().await.unwrap();
    assert_eq!(kept, fresh.text().await.unwrap());
    let listed: Vec<(String, u64)> = serde_json::from_str::<Value>(&kept).unwrap()["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["domain"].as_str().unwrap().to_owned(),
                entry["incoming"]["port"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("a.example".to_owned(), 143),
            ("b.example".to_owned(), 993),
            ("d.example".to_owned(), 993),
            ("e.example".to_owned(), 993),
        ]
    );
}
