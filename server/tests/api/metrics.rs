//! `/metrics` on its own listener (`--metrics-bind`), read by an independent parser of
//! Prometheus' text format (`prometheus-parse`): request durations as a histogram by route
//! template, unknown paths under one label, writes and their 412s, sign-in failures,
//! connection checks, the database pools and the process.
//!
//! prometheus-parse reads a label value only up to its first `}`, so it skips the lines of
//! routes with a `{parameter}`; those few are checked as text.
//!
//! The recorder is one per process and every test of this binary shares it, so a test reads
//! a counter before and after its own requests (other tests only ever add to it), or series
//! whose labels only its own requests make.

use std::net::SocketAddr;

use prometheus_parse::{Sample, Scrape, Value};
use reqwest::StatusCode;
use serde_json::json;

use crate::both_engines;
use crate::helpers::{
    ADMIN_TOKEN, AppOptions, Engine, TestApp, imap_entry, random_hex, spawn_app_until,
    spawn_app_with,
};

both_engines!(
    metrics_name_routes_by_template_and_count_what_the_server_did,
    metrics_report_the_database_pools_and_the_process,
);

/// A server with `/metrics` on a port of its own.
async fn app_with_metrics(engine: Engine) -> TestApp {
    spawn_app_with(engine, with_metrics()).await
}

fn with_metrics() -> AppOptions {
    AppOptions {
        args: vec!["--metrics-bind".into(), "127.0.0.1:0".into()],
        ..AppOptions::default()
    }
}

fn metrics_address(app: &TestApp) -> SocketAddr {
    app.metrics_address
        .expect("--metrics-bind gives a metrics address")
}

/// `/metrics` as text, and as the independent parser reads it.
async fn scrape(app: &TestApp) -> (String, Scrape) {
    let response = app
        .client
        .get(format!("http://{}/metrics", metrics_address(app)))
        .send()
        .await
        .expect("the metrics listener answers");
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = response.text().await.expect("a text body");
    let parsed = Scrape::parse(text.lines().map(|line| Ok(line.to_owned())))
        .expect("Prometheus' text format");
    (text, parsed)
}

/// The samples of `metric` that carry every label of `labels`.
fn samples<'a>(
    scrape: &'a Scrape,
    metric: &'a str,
    labels: &'a [(&'a str, &'a str)],
) -> impl Iterator<Item = &'a Sample> + 'a {
    scrape.samples.iter().filter(move |sample| {
        sample.metric == metric
            && labels
                .iter()
                .all(|(name, value)| sample.labels.get(name) == Some(*value))
    })
}

/// The sum of the counters of `metric` with `labels` (0 when there is none yet).
fn counted(scrape: &Scrape, metric: &str, labels: &[(&str, &str)]) -> f64 {
    samples(scrape, metric, labels)
        .map(|sample| match &sample.value {
            Value::Counter(value) => *value,
            other => panic!("{metric} is a counter, not {other:?}"),
        })
        .sum()
}

/// The requests counted by the duration histogram with `labels` (its `+Inf` bucket, summed).
fn requests_timed(scrape: &Scrape, labels: &[(&str, &str)]) -> f64 {
    samples(scrape, "http_server_request_duration_seconds", labels)
        .map(|sample| match &sample.value {
            Value::Histogram(buckets) => buckets
                .iter()
                .find(|bucket| bucket.less_than == f64::INFINITY)
                .map_or(0.0, |bucket| bucket.count),
            other => panic!("the request duration is a histogram, not {other:?}"),
        })
        .sum()
}

fn gauge(scrape: &Scrape, metric: &str, labels: &[(&str, &str)]) -> f64 {
    let found: Vec<f64> = samples(scrape, metric, labels)
        .map(|sample| match &sample.value {
            Value::Gauge(value) => *value,
            other => panic!("{metric} is a gauge, not {other:?}"),
        })
        .collect();
    assert_eq!(found.len(), 1, "one {metric} with {labels:?}");
    found[0]
}

async fn metrics_name_routes_by_template_and_count_what_the_server_did(engine: Engine) {
    let app = app_with_metrics(engine).await;
    let (_, before) = scrape(&app).await;
    let list_route = [
        ("http_route", "/api/v1/email-domains"),
        ("http_request_method", "GET"),
        ("http_response_status_code", "200"),
    ];
    let put_conflicts = [("operation", "put"), ("outcome", "conflict")];
    let put_applied = [("operation", "put"), ("outcome", "applied")];
    let unknown_token = [("via", "sign_in"), ("reason", "unknown_token")];
    let unknown_bearer = [("via", "bearer"), ("reason", "unknown_token")];
    let refused_address = [
        ("outcome", "failed"),
        ("problem", "check.address_not_allowed"),
    ];

    // A matched route.
    let listed = app.get("/api/v1/email-domains", ADMIN_TOKEN).await;
    assert_eq!(listed.status(), StatusCode::OK);
    // An unmatched path with a domain-like segment nobody else sends.
    let secret = format!("secret-{}.example", random_hex(6));
    let unknown = app
        .get(&format!("/no-such-thing/{secret}"), ADMIN_TOKEN)
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    // A write, then the same creation again: 412.
    let domain = format!("m{}.example", random_hex(4));
    app.create(&domain).await;
    let again = app.put_entry(&domain, &imap_entry(&domain), None).await;
    assert_eq!(again.status(), StatusCode::PRECONDITION_FAILED);
    // A failed sign-in, and a request with a token nobody has.
    let sign_in = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"token": "not-a-token-anyone-has"}))
        .send()
        .await
        .unwrap();
    assert_eq!(sign_in.status(), StatusCode::UNAUTHORIZED);
    let bearer = app
        .get("/api/v1/email-domains", "not-a-token-anyone-has")
        .await;
    assert_eq!(bearer.status(), StatusCode::UNAUTHORIZED);
    // A connection check the address policy stops before any packet leaves (loopback).
    let check = app
        .client
        .post(app.url("/api/v1/connection-checks"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"email": "alice@example.com", "settings": {
            "domain": "mail.test", "type": "imap",
            "incoming": {"host": "127.0.0.1", "port": 993, "security": "ssl_tls"},
            "outgoing": {"host": "127.0.0.1", "port": 465, "security": "ssl_tls"}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(check.status(), StatusCode::OK);

    let (text, after) = scrape(&app).await;
    // The route's durations are a histogram with the configured buckets, not a summary.
    let histogram = samples(&after, "http_server_request_duration_seconds", &list_route)
        .next()
        .unwrap_or_else(|| panic!("no histogram for the list route in\n{text}"));
    match &histogram.value {
        Value::Histogram(buckets) => {
            assert!(buckets.len() >= 10, "{buckets:?}");
            assert!(
                buckets.iter().any(|bucket| bucket.less_than == 0.005),
                "{buckets:?}"
            );
        }
        other => panic!("a histogram, not {other:?}"),
    }
    assert!(
        !text.contains("http_server_request_duration_seconds{quantile"),
        "no summary"
    );
    assert!(requests_timed(&after, &list_route) > requests_timed(&before, &list_route));
    // A templated route (its lines are read as text: prometheus-parse reads a label value up
    // to the first `}`, so it skips every line whose route template has a `{parameter}`).
    let entry_put_412 = "http_server_request_duration_seconds_count{http_route=\"/api/v1/email-domains/{domain}\",http_request_method=\"PUT\",http_response_status_code=\"412\"}";
    assert!(text.contains(entry_put_412), "{text}");
    // The unknown path is under the one fixed label; the path itself appears nowhere.
    let unmatched = [
        ("http_route", "unmatched"),
        ("http_response_status_code", "404"),
    ];
    assert!(requests_timed(&after, &unmatched) > requests_timed(&before, &unmatched));
    assert!(!text.contains(&secret), "the path became a label:\n{text}");
    assert!(!text.contains(&domain), "a domain became a label:\n{text}");
    // The write and its conflict.
    assert!(
        counted(&after, "mailsetup_writes_total", &put_applied)
            > counted(&before, "mailsetup_writes_total", &put_applied)
    );
    assert!(
        counted(&after, "mailsetup_writes_total", &put_conflicts)
            > counted(&before, "mailsetup_writes_total", &put_conflicts)
    );
    // The failed sign-ins.
    for labels in [&unknown_token[..], &unknown_bearer[..]] {
        assert!(
            counted(&after, "mailsetup_sign_in_failures_total", labels)
                > counted(&before, "mailsetup_sign_in_failures_total", labels),
            "{labels:?}"
        );
    }
    // The check, by its outcome and the code of the step that failed first.
    assert!(
        counted(
            &after,
            "mailsetup_connection_checks_total",
            &refused_address
        ) > counted(
            &before,
            "mailsetup_connection_checks_total",
            &refused_address
        )
    );
    // Requests in flight: at least none.
    assert!(gauge(&after, "http_server_active_requests", &[]) >= 0.0);
    // Every series is described.
    for name in [
        "http_server_request_duration_seconds",
        "mailsetup_writes_total",
        "mailsetup_sign_in_failures_total",
        "mailsetup_connection_checks_total",
    ] {
        assert!(after.docs.contains_key(name), "HELP for {name}");
    }

    // The API's listener does not serve the metrics.
    let on_api = app.get("/metrics", ADMIN_TOKEN).await;
    assert_eq!(on_api.status(), StatusCode::NOT_FOUND);
}

async fn metrics_report_the_database_pools_and_the_process(engine: Engine) {
    let app = app_with_metrics(engine).await;
    let (text, scraped) = scrape(&app).await;
    for pool in ["read", "write"] {
        for state in ["used", "idle"] {
            let connections = gauge(
                &scraped,
                "db_client_connection_count",
                &[
                    ("db_client_connection_pool_name", pool),
                    ("db_client_connection_state", state),
                ],
            );
            assert!(connections >= 0.0, "{pool} {state}: {connections}");
        }
        let max = gauge(
            &scraped,
            "db_client_connection_max",
            &[("db_client_connection_pool_name", pool)],
        );
        assert!(max >= 1.0, "{pool}: {max}\n{text}");
    }
    // Linux: read from /proc by metrics-process.
    for name in [
        "process_resident_memory_bytes",
        "process_open_fds",
        "process_start_time_seconds",
    ] {
        assert!(gauge(&scraped, name, &[]) > 0.0, "{name}\n{text}");
    }
    assert!(
        samples(&scraped, "process_cpu_seconds_total", &[])
            .next()
            .is_some(),
        "{text}"
    );
    // Nothing but /metrics on the metrics listener.
    let other = app
        .client
        .get(format!(
            "http://{}/api/v1/email-domains",
            metrics_address(&app)
        ))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_listener_stops_with_the_application() {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (app, serving) = spawn_app_until(Engine::Sqlite, with_metrics(), async {
        let _ = stopped.await;
    })
    .await;
    let address = metrics_address(&app);
    scrape(&app).await;
    stop.send(()).expect("the server is running");
    serving
        .await
        .expect("the server task ends")
        .expect("the server stops cleanly");
    assert!(
        tokio::net::TcpStream::connect(address).await.is_err(),
        "the metrics listener is closed"
    );
    assert!(
        tokio::net::TcpStream::connect(app.address).await.is_err(),
        "the API listener is closed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_flag_there_is_no_metrics_listener() {
    let app = spawn_app_with(Engine::Sqlite, AppOptions::default()).await;
    assert_eq!(app.metrics_address, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_metrics_address_in_use_is_named_with_its_flag() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = taken.local_addr().expect("its address");
    let error = mailsetup_server::startup::bind_metrics(address)
        .await
        .expect_err("the address is in use");
    let sentence = error.to_string();
    assert!(
        sentence.starts_with(&format!("Could not listen on {address} for --metrics-bind")),
        "{sentence}"
    );
}
