//! `GET /metrics` on the metrics listener (`--metrics-bind`): samples what is only known when
//! asked (the database pools' use, the process's CPU, memory and file descriptors), then
//! renders the recorder in Prometheus' text format. Nothing else is served there (404).
//!
//! Owns: the metrics listener's router and the recorder's upkeep. Must not: be merged into the
//! main router (the API's port is often public, the metrics' port should not be), or bind
//! (`startup.rs` does).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use metrics::gauge;
use metrics_exporter_prometheus::PrometheusHandle;

use super::{POOL_CONNECTIONS, POOL_MAX_CONNECTIONS};
use crate::store::Store;

/// The media type of Prometheus' text format.
pub const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// How often the recorder folds recorded durations into its histograms when nobody scrapes
/// (the exporter's own listener does it every 5 s; without it they pile up in memory).
pub const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// What `/metrics` reads.
#[derive(Clone)]
struct Scrape {
    recorder: PrometheusHandle,
    store: Arc<dyn Store>,
    process: metrics_process::Collector,
}

/// The metrics listener's router: `GET /metrics` and nothing else.
pub fn router(recorder: PrometheusHandle, store: Arc<dyn Store>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(Scrape {
            recorder,
            store,
            process: metrics_process::Collector::default(),
        })
}

async fn metrics(State(scrape): State<Scrape>) -> impl IntoResponse {
    for pool in scrape.store.pool_use() {
        let gauge_of = |state: &'static str| {
            gauge!(
                POOL_CONNECTIONS,
                "db_client_connection_pool_name" => pool.name,
                "db_client_connection_state" => state,
            )
        };
        gauge_of("used").set(f64::from(pool.used));
        gauge_of("idle").set(f64::from(pool.idle));
        gauge!(POOL_MAX_CONNECTIONS, "db_client_connection_pool_name" => pool.name)
            .set(f64::from(pool.max));
    }
    scrape.process.collect();
    (
        [(header::CONTENT_TYPE, PROMETHEUS_TEXT)],
        scrape.recorder.render(),
    )
}

/// Folds recorded durations into the histograms every [`UPKEEP_INTERVAL`], for as long as it
/// runs (the application aborts it when it stops).
pub async fn keep_up(recorder: PrometheusHandle) {
    let mut ticks = tokio::time::interval(UPKEEP_INTERVAL);
    loop {
        ticks.tick().await;
        recorder.run_upkeep();
    }
}
