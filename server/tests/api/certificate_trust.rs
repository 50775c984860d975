//! An entry's certificate trust (`certificate_trust`: verified, pinned or any) over the API: it
//! round-trips through PUT, GET, the list, the history and an import of what was exported; the
//! deprecated `allow_insecure_certificates` is still accepted and derived; the 422s name the
//! field; an update that says nothing about trust keeps the entry's; and rows stored before it
//! (version 2) read in the new shape and are rewritten when the server starts. Each test runs
//! against SQLite and PostgreSQL.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection;

use crate::both_engines;
use crate::helpers::{
    ADMIN_TOKEN, AppOptions, Engine, TestApp, etag, exchange_entry, imap_entry, problem, spawn_app,
    spawn_app_with,
};

both_engines!(
    a_pinned_entry_round_trips_through_put_get_the_list_and_the_history,
    the_deprecated_flag_is_derived_on_output_and_read_alone_as_before,
    a_pinned_book_survives_export_and_import,
    version_two_entries_import_with_their_meaning,
    malformed_or_disagreeing_trust_is_422_naming_the_field,
    an_update_that_says_nothing_about_trust_keeps_the_entrys,
    rows_stored_before_read_in_the_new_shape_and_are_rewritten_at_start,
);

const PIN: &str = "1f1e1d1c1b1a19181716151413121110f0e0d0c0b0a090807060504030201000";
const OTHER_PIN: &str = "2f2e2d2c2b2a29282726252423222120f0e0d0c0b0a090807060504030201000";
const IMPORT: &str = "/api/v1/email-domains/import";

fn pinned(pins: &[&str]) -> Value {
    json!({"mode": "pinned", "spki_sha256": pins})
}

/// `entry` with `certificate_trust` and no flag.
fn trusting(mut entry: Value, trust: Value) -> Value {
    if let Some(fields) = entry.as_object_mut() {
        fields.remove("allow_insecure_certificates");
        fields.insert("certificate_trust".into(), trust);
    }
    entry
}

/// `entry` without either trust field (a client from before `certificate_trust` that never
/// sent the flag either).
fn saying_nothing(mut entry: Value) -> Value {
    if let Some(fields) = entry.as_object_mut() {
        fields.remove("allow_insecure_certificates");
        fields.remove("certificate_trust");
    }
    entry
}

fn with_flag(entry: Value, flag: bool) -> Value {
    let mut entry = saying_nothing(entry);
    entry["allow_insecure_certificates"] = json!(flag);
    entry
}

async fn read(app: &TestApp, domain: &str) -> (String, Value) {
    let response = app.get_entry(domain).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {domain}");
    let tag = etag(&response);
    (tag, response.json().await.expect("an entry"))
}

async fn list(app: &TestApp) -> (String, Value) {
    let response = app.get("/api/v1/email-domains", ADMIN_TOKEN).await;
    assert_eq!(response.status(), StatusCode::OK);
    let tag = etag(&response);
    (tag, response.json().await.expect("the list"))
}

async fn update(app: &TestApp, domain: &str, body: &Value, tag: &str) -> (String, Value) {
    let response = app.put_entry(domain, body, Some(tag)).await;
    assert_eq!(response.status(), StatusCode::OK, "update {domain}: {body}");
    let tag = etag(&response);
    (tag, response.json().await.expect("the entry"))
}

async fn import(app: &TestApp, tag: &str, body: &Value) -> reqwest::Response {
    app.request(Method::POST, IMPORT, ADMIN_TOKEN)
        .header("If-Match", tag)
        .json(body)
        .send()
        .await
        .expect("the server answers")
}

async fn a_pinned_entry_round_trips_through_put_get_the_list_and_the_history(engine: Engine) {
    let app = spawn_app(engine).await;
    // Sent in upper case, with spaces and a repeat: kept normalised, once.
    let sent = pinned(&[&format!(" {} ", PIN.to_uppercase()), OTHER_PIN, PIN]);
    let created = app
        .put_entry("a.example", &trusting(imap_entry("a.example"), sent), None)
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let expected = pinned(&[PIN, OTHER_PIN]);
    assert_eq!(created["certificate_trust"], expected);
    app.create_body(
        "b.example",
        &trusting(exchange_entry("b.example"), pinned(&[OTHER_PIN])),
    )
    .await;

    let (tag, entry) = read(&app, "a.example").await;
    assert_eq!(entry, created);
    let (_, exchange) = read(&app, "b.example").await;
    assert_eq!(exchange["certificate_trust"], pinned(&[OTHER_PIN]));
    let (_, listed) = list(&app).await;
    assert_eq!(listed["version"], 3);
    assert_eq!(listed["domains"][0], entry, "the list and the entry agree");
    assert_eq!(listed["domains"][1], exchange);

    // Sent back as read (revision, time and the derived flag included): nothing changes.
    let (_, again) = update(&app, "a.example", &entry, &tag).await;
    assert_eq!(again["certificate_trust"], expected);

    let history: Value = app
        .get("/api/v1/email-domains/a.example/history", ADMIN_TOKEN)
        .await
        .json()
        .await
        .unwrap();
    for change in history["changes"].as_array().unwrap() {
        assert_eq!(change["entry"]["certificate_trust"], expected, "{change}");
    }
}

async fn the_deprecated_flag_is_derived_on_output_and_read_alone_as_before(engine: Engine) {
    let app = spawn_app(engine).await;
    let cases = [
        ("any.example", json!({"mode": "any"}), true),
        ("verified.example", json!({"mode": "verified"}), false),
        ("pinned.example", pinned(&[PIN]), false),
    ];
    for (domain, trust, flag) in &cases {
        app.create_body(domain, &trusting(imap_entry(domain), trust.clone()))
            .await;
        let (_, entry) = read(&app, domain).await;
        assert_eq!(entry["certificate_trust"], *trust, "{domain}");
        assert_eq!(entry["allow_insecure_certificates"], *flag, "{domain}");
    }
    // An Exchange entry never had the flag: none is written.
    app.create_body("corp.example", &exchange_entry("corp.example"))
        .await;
    let (_, exchange) = read(&app, "corp.example").await;
    assert_eq!(exchange["certificate_trust"], json!({"mode": "verified"}));
    assert!(exchange.get("allow_insecure_certificates").is_none());
    // A client that knows only the flag: true is any, false verified.
    for (domain, flag, mode) in [
        ("old-any.example", true, "any"),
        ("old.example", false, "verified"),
    ] {
        app.create_body(domain, &with_flag(imap_entry(domain), flag))
            .await;
        let (_, entry) = read(&app, domain).await;
        assert_eq!(entry["certificate_trust"], json!({"mode": mode}));
        assert_eq!(entry["allow_insecure_certificates"], flag);
    }
}

async fn a_pinned_book_survives_export_and_import(engine: Engine) {
    let app = spawn_app(engine).await;
    app.create_body(
        "a.example",
        &trusting(imap_entry("a.example"), pinned(&[PIN, OTHER_PIN])),
    )
    .await;
    app.create_body(
        "b.example",
        &trusting(exchange_entry("b.example"), pinned(&[PIN])),
    )
    .await;
    app.create_body(
        "c.example",
        &trusting(imap_entry("c.example"), json!({"mode": "any"})),
    )
    .await;
    let (tag, exported) = list(&app).await;

    // Imported back where it came from: nothing to change.
    let body = json!({"domains": exported["domains"], "remove_missing": true});
    let response = import(&app, &tag, &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let summary: Value = response.json().await.unwrap();
    assert_eq!(
        summary,
        json!({"added": 0, "changed": 0, "unchanged": 3, "removed": 0})
    );

    // Imported into an empty book: the same entries, trust and all.
    let other = spawn_app(engine).await;
    let (empty_tag, _) = list(&other).await;
    let response = import(&other, &empty_tag, &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let (_, imported) = list(&other).await;
    let trusts = |listed: &Value| -> Vec<Value> {
        listed["domains"]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| entry["certificate_trust"].clone())
            .collect()
    };
    assert_eq!(trusts(&imported), trusts(&exported));
    assert_eq!(
        trusts(&imported),
        [
            pinned(&[PIN, OTHER_PIN]),
            pinned(&[PIN]),
            json!({"mode": "any"})
        ]
    );
}

async fn version_two_entries_import_with_their_meaning(engine: Engine) {
    let app = spawn_app(engine).await;
    let (tag, _) = list(&app).await;
    // Entries as a version-2 export writes them: the flag on IMAP entries, nothing on Exchange.
    let body = json!({"domains": [
        with_flag(imap_entry("a.example"), true),
        with_flag(imap_entry("b.example"), false),
        saying_nothing(imap_entry("c.example")),
        exchange_entry("d.example"),
    ]});
    let response = import(&app, &tag, &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let (_, listed) = list(&app).await;
    let modes: Vec<Value> = listed["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["certificate_trust"]["mode"].clone())
        .collect();
    assert_eq!(modes, ["any", "verified", "verified", "verified"]);
    assert_eq!(listed["domains"][0]["allow_insecure_certificates"], true);
}

async fn malformed_or_disagreeing_trust_is_422_naming_the_field(engine: Engine) {
    let app = spawn_app(engine).await;
    let cases = [
        (
            trusting(imap_entry("a.example"), pinned(&[PIN, "not-a-pin"])),
            "certificate_trust.spki_sha256[1]",
            "certificate_trust.pin_not_hex",
        ),
        (
            trusting(imap_entry("a.example"), pinned(&[&PIN[..40]])),
            "certificate_trust.spki_sha256[0]",
            "certificate_trust.pin_wrong_length",
        ),
        (
            trusting(exchange_entry("a.example"), pinned(&[])),
            "certificate_trust.spki_sha256",
            "certificate_trust.no_pins",
        ),
        (
            trusting(imap_entry("a.example"), json!({"mode": "pinned"})),
            "certificate_trust.spki_sha256",
            "document.missing_field",
        ),
        (
            trusting(imap_entry("a.example"), json!({"mode": "sometimes"})),
            "certificate_trust.mode",
            "certificate_trust.unknown_mode",
        ),
        (
            trusting(
                imap_entry("a.example"),
                json!({"mode": "any", "until": 2030}),
            ),
            "certificate_trust.until",
            "document.unknown_field",
        ),
        (
            {
                let mut both = trusting(imap_entry("a.example"), pinned(&[PIN]));
                both["allow_insecure_certificates"] = json!(true);
                both
            },
            "allow_insecure_certificates",
            "certificate_trust.disagrees_with_insecure_flag",
        ),
        (
            {
                let mut both = trusting(imap_entry("a.example"), json!({"mode": "any"}));
                both["allow_insecure_certificates"] = json!(false);
                both
            },
            "allow_insecure_certificates",
            "certificate_trust.disagrees_with_insecure_flag",
        ),
    ];
    for (body, field, code) in &cases {
        let response = app.put_entry("a.example", body, None).await;
        let refused = problem(response, 422, "validation-failed").await;
        assert_eq!(refused["errors"][0]["field"], *field, "{body}");
        assert_eq!(refused["errors"][0]["code"], *code, "{body}");
        assert!(refused["errors"][0]["message"].is_string());
    }
    assert_eq!(
        app.get_entry("a.example").await.status(),
        StatusCode::NOT_FOUND
    );
    // The same problem in an import names its line.
    let (tag, _) = list(&app).await;
    let response = import(&app, &tag, &json!({"domains": [cases[0].0.clone()]})).await;
    let refused = problem(response, 422, "validation-failed").await;
    assert_eq!(
        refused["errors"][0]["field"],
        "domains[0].certificate_trust.spki_sha256[1]"
    );
}

async fn an_update_that_says_nothing_about_trust_keeps_the_entrys(engine: Engine) {
    let app = spawn_app(engine).await;
    let tag = app
        .create_body(
            "a.example",
            &trusting(imap_entry("a.example"), pinned(&[PIN])),
        )
        .await;
    // A client from before certificate_trust: no trust at all, or only the flag's false.
    let mut moved = saying_nothing(imap_entry("a.example"));
    moved["include_subdomains"] = json!(true);
    let (tag, entry) = update(&app, "a.example", &moved, &tag).await;
    assert_eq!(entry["certificate_trust"], pinned(&[PIN]));
    assert_eq!(entry["include_subdomains"], true, "the rest did change");
    let (tag, entry) = update(
        &app,
        "a.example",
        &with_flag(imap_entry("a.example"), false),
        &tag,
    )
    .await;
    assert_eq!(entry["certificate_trust"], pinned(&[PIN]));
    // A rename keeps it too.
    let response = app
        .put_entry(
            "a.example",
            &saying_nothing(imap_entry("b.example")),
            Some(&tag),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let tag = etag(&response);
    let entry: Value = response.json().await.unwrap();
    assert_eq!(entry["domain"], "b.example");
    assert_eq!(entry["certificate_trust"], pinned(&[PIN]));
    // The flag's true is exact: any. Then false alone turns any into verified.
    let (tag, entry) = update(
        &app,
        "b.example",
        &with_flag(imap_entry("b.example"), true),
        &tag,
    )
    .await;
    assert_eq!(entry["certificate_trust"], json!({"mode": "any"}));
    let (tag, entry) = update(
        &app,
        "b.example",
        &saying_nothing(imap_entry("b.example")),
        &tag,
    )
    .await;
    assert_eq!(
        entry["certificate_trust"],
        json!({"mode": "any"}),
        "nothing said"
    );
    let (_, entry) = update(
        &app,
        "b.example",
        &with_flag(imap_entry("b.example"), false),
        &tag,
    )
    .await;
    assert_eq!(entry["certificate_trust"], json!({"mode": "verified"}));
    // An update at an old revision is refused as ever; a new entry saying nothing is verified.
    let response = app
        .put_entry(
            "b.example",
            &saying_nothing(imap_entry("b.example")),
            Some("\"1\""),
        )
        .await;
    assert_eq!(response.status(), StatusCode::PRECONDITION_FAILED);
    app.create_body("c.example", &saying_nothing(exchange_entry("c.example")))
        .await;
    let (_, entry) = read(&app, "c.example").await;
    assert_eq!(entry["certificate_trust"], json!({"mode": "verified"}));
}

/// A connection to the test's database for statements of the test's own, the placeholders
/// written `$1` for both engines.
pub(crate) enum RawDatabase {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl RawDatabase {
    pub(crate) async fn open(engine: Engine, database: &str) -> RawDatabase {
        match engine {
            Engine::Sqlite => RawDatabase::Sqlite(
                sqlx::SqliteConnection::connect(&format!("sqlite://{database}"))
                    .await
                    .expect("open the SQLite file"),
            ),
            Engine::Postgres => RawDatabase::Postgres(
                sqlx::PgConnection::connect(database)
                    .await
                    .expect("connect to PostgreSQL"),
            ),
        }
    }

    pub(crate) async fn execute(&mut self, sql: &str, values: &[&str]) {
        match self {
            RawDatabase::Sqlite(connection) => {
                let sql = sql.replace('$', "?");
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for value in values {
                    query = query.bind(*value);
                }
                query.execute(connection).await.expect("a statement");
            }
            RawDatabase::Postgres(connection) => {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
                for value in values {
                    query = query.bind(*value);
                }
                query.execute(connection).await.expect("a statement");
            }
        }
    }

    /// The first column of every row, as text.
    async fn texts(&mut self, sql: &str, values: &[&str]) -> Vec<String> {
        match self {
            RawDatabase::Sqlite(connection) => {
                let sql = sql.replace('$', "?");
                let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
                for value in values {
                    query = query.bind(*value);
                }
                query.fetch_all(connection).await.expect("a query")
            }
            RawDatabase::Postgres(connection) => {
                let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()));
                for value in values {
                    query = query.bind(*value);
                }
                query.fetch_all(connection).await.expect("a query")
            }
        }
    }

    async fn body_version(&mut self) -> i64 {
        match self {
            RawDatabase::Sqlite(connection) => {
                sqlx::query_scalar("SELECT body_version FROM book WHERE id = 1")
                    .fetch_one(connection)
                    .await
                    .expect("the book row")
            }
            RawDatabase::Postgres(connection) => {
                sqlx::query_scalar("SELECT body_version FROM book WHERE id = 1")
                    .fetch_one(connection)
                    .await
                    .expect("the book row")
            }
        }
    }

    pub(crate) async fn close(self) {
        match self {
            RawDatabase::Sqlite(connection) => {
                let _ = connection.close().await;
            }
            RawDatabase::Postgres(connection) => {
                let _ = connection.close().await;
            }
        }
    }
}

/// An IMAP entry as a version-2 server stored it: the flag, no `certificate_trust`.
pub(crate) fn version_two_imap(domain: &str, revision: u64, insecure: bool) -> String {
    format!(
        r#"{{"allow_insecure_certificates":{insecure},"domain":"{domain}","include_subdomains":false,"incoming":{{"host":"imap.example.net","port":993,"security":"ssl_tls"}},"outgoing":{{"host":"smtp.example.net","port":465,"security":"ssl_tls"}},"revision":{revision},"type":"imap","updated_at_unix_ms":1700000000000}}"#
    )
}

/// An Exchange entry as a version-2 server stored it.
fn version_two_exchange(domain: &str, revision: u64) -> String {
    format!(
        r#"{{"domain":"{domain}","include_subdomains":false,"revision":{revision},"type":"exchange","updated_at_unix_ms":1700000000000,"url":"https://mail.example.net/EWS/Exchange.asmx"}}"#
    )
}

async fn rows_stored_before_read_in_the_new_shape_and_are_rewritten_at_start(engine: Engine) {
    let app = spawn_app(engine).await;
    app.create("a.example").await;
    app.create_body("b.example", &exchange_entry("b.example"))
        .await;
    // Turn the rows (and their audit rows) into what a version-2 server left behind.
    let mut raw = RawDatabase::open(engine, &app.database).await;
    let old = [
        ("a.example", version_two_imap("a.example", 1, true)),
        ("b.example", version_two_exchange("b.example", 2)),
    ];
    for (domain, body) in &old {
        raw.execute(
            "UPDATE domains SET body = $1 WHERE domain = $2",
            &[body, domain],
        )
        .await;
        raw.execute(
            "UPDATE history SET body = $1 WHERE domain = $2",
            &[body, domain],
        )
        .await;
    }
    raw.execute("UPDATE book SET body_version = 2 WHERE id = 1", &[])
        .await;

    // Read as they are: each entry answers in the new shape.
    let (_, imap) = read(&app, "a.example").await;
    assert_eq!(imap["certificate_trust"], json!({"mode": "any"}));
    assert_eq!(imap["allow_insecure_certificates"], true);
    let (_, exchange) = read(&app, "b.example").await;
    assert_eq!(exchange["certificate_trust"], json!({"mode": "verified"}));

    // A server starting on the database rewrites them: the list answers the same shape.
    let restarted = spawn_app_with(
        engine,
        AppOptions {
            database: Some(app.database.clone()),
            ..AppOptions::default()
        },
    )
    .await;
    let (_, listed) = list(&restarted).await;
    assert_eq!(listed["domains"][0], imap);
    assert_eq!(listed["domains"][1], exchange);
    let history: Value = restarted
        .get("/api/v1/email-domains/a.example/history", ADMIN_TOKEN)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        history["changes"][0]["entry"]["certificate_trust"],
        json!({"mode": "any"})
    );
    assert_eq!(raw.body_version().await, 3);
    // Stored as core writes it now, byte for byte.
    let stored = raw
        .texts("SELECT body FROM domains WHERE domain = $1", &["a.example"])
        .await;
    let text = restarted.get_entry("a.example").await.text().await.unwrap();
    assert_eq!(stored, [text]);
    let stored = raw
        .texts("SELECT body FROM history WHERE domain = $1", &["b.example"])
        .await;
    assert!(
        stored[0].contains(r#""certificate_trust":{"mode":"verified"}"#),
        "{stored:?}"
    );
    raw.close().await;

    // Written again from the new rows, the entries still update as usual.
    let (tag, _) = read(&restarted, "a.example").await;
    let response = restarted
        .put_entry("a.example", &imap_entry("a.example"), Some(&tag))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let entry: Value = response.json().await.unwrap();
    assert_eq!(entry["certificate_trust"], json!({"mode": "verified"}));
}
