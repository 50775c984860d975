//! [`Application`]: opens the store, binds the socket (port 0 picks a free one, and
//! [`Application::address`] tells which) and, with `--metrics-bind`, the metrics listener
//! ([`Application::metrics_address`]), assembles the routers with their layers, and serves
//! both until told to stop, finishing the requests in flight.
//!
//! Owns: the order of the HTTP layers (client address, trace, request metrics, CORS,
//! compression, problem bodies for bare errors, timeout, body limit), signal handling
//! (SIGINT/SIGTERM stop, SIGHUP reloads the tokens file). Must not: hold a handler or a rule
//! (see `routes/`), or decide what is measured (see `monitoring/`).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::{Level, Span};

use crate::auth::{CSRF_HEADER, RateLimiter, TokenRegistry};
use crate::check::{CheckLimits, CheckSetup, Checker, SystemResolver};
use crate::client_address::{ClientAddress, TrustedProxies, record_client_address};
use crate::configuration::{Configuration, ConfigurationErrors, DatabaseLocation};
use crate::error::{ApiError, PROBLEM_JSON};
use crate::monitoring;
use crate::read_model::ReadModel;
use crate::request::{BODY_LIMIT_BYTES, IMPORT_BODY_LIMIT_BYTES};
use crate::routes;
use crate::routes::connection_checks::NDJSON;
use crate::routes::package_files::PackageFiles;
use crate::state::{AppParts, AppState, SessionSettings};
use crate::store::{PostgresStore, SqliteStore, Store, StoreError};
use mailsetup_core::wire::CONNECTION_CHECKS_PATH;

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("{0}")]
    Configuration(#[from] ConfigurationErrors),
    #[error("The database could not be opened: {0}")]
    Store(#[from] StoreError),
    #[error("Could not listen on {address}: {error}. Choose another --bind address or port.")]
    Bind {
        address: SocketAddr,
        error: std::io::Error,
    },
    #[error(
        "Could not listen on {address} for --metrics-bind: {error}. Choose another address or port for the metrics, or leave --metrics-bind out to serve none."
    )]
    MetricsBind {
        address: SocketAddr,
        error: std::io::Error,
    },
    #[error(
        "The metrics could not be recorded: {0}. Leave --metrics-bind out, or start the server in a process that has no metrics recorder of its own."
    )]
    MetricsRecorder(String),
    #[error("The server stopped: {0}")]
    Serve(std::io::Error),
}

/// A bound, ready server.
pub struct Application {
    listener: TcpListener,
    address: SocketAddr,
    router: Router,
    store: Arc<dyn Store>,
    tokens: TokenRegistry,
    /// The metrics listener, with `--metrics-bind`.
    metrics: Option<MetricsListener>,
}

/// The listener `/metrics` is served on, and what it serves.
struct MetricsListener {
    listener: TcpListener,
    address: SocketAddr,
    router: Router,
    recorder: PrometheusHandle,
}

/// Binds the metrics listener's address (`--metrics-bind`), as a start does; `check-config`
/// uses it too, to tell an address in use before a start fails on it.
pub async fn bind_metrics(address: SocketAddr) -> Result<(TcpListener, SocketAddr), StartupError> {
    let failed = |error| StartupError::MetricsBind { address, error };
    let listener = TcpListener::bind(address).await.map_err(failed)?;
    let bound = listener.local_addr().map_err(failed)?;
    Ok((listener, bound))
}

impl Application {
    /// Opens the database (creating and migrating it) and binds the socket.
    pub async fn build(configuration: Configuration) -> Result<Application, StartupError> {
        let store: Arc<dyn Store> = match &configuration.database {
            DatabaseLocation::Sqlite(path) => Arc::new(SqliteStore::open(path).await?),
            DatabaseLocation::Postgres(url) => Arc::new(PostgresStore::connect(url).await?),
        };
        let listener = TcpListener::bind(configuration.bind)
            .await
            .map_err(|error| StartupError::Bind {
                address: configuration.bind,
                error,
            })?;
        let address = listener.local_addr().map_err(|error| StartupError::Bind {
            address: configuration.bind,
            error,
        })?;
        let metrics = match configuration.metrics_bind {
            Some(metrics_bind) => {
                let (listener, address) = bind_metrics(metrics_bind).await?;
                let recorder =
                    monitoring::install_recorder().map_err(StartupError::MetricsRecorder)?;
                Some(MetricsListener {
                    listener,
                    address,
                    router: monitoring::endpoint::router(recorder.clone(), Arc::clone(&store)),
                    recorder,
                })
            }
            None => None,
        };
        let tokens = TokenRegistry::new(
            configuration.tokens_path.clone(),
            configuration.tokens.clone(),
        );
        let state = AppState::new(AppParts {
            store: Arc::clone(&store),
            tokens: tokens.clone(),
            allowlist: Arc::new(configuration.allowlist.clone()),
            sessions: SessionSettings {
                lifetime: configuration.session_lifetime,
                secure_cookie: configuration.secure_cookie,
            },
            session_limiter: Arc::new(RateLimiter::new(
                configuration.sign_in_attempts_per_minute,
                Duration::from_secs(60),
            )),
            mail_program_limiter: Arc::new(RateLimiter::new(
                configuration.autoconfig_requests_per_minute,
                Duration::from_secs(60),
            )),
            read_model: ReadModel::new(Arc::clone(&store)),
            checker: Checker {
                setup: CheckSetup {
                    policy: configuration.check.policy.clone(),
                    resolver: Arc::new(SystemResolver),
                    roots: configuration.check.roots.clone(),
                    bounds: configuration.check.bounds,
                },
            },
            check_limits: CheckLimits::new(configuration.check.max_running),
        });
        let package = PackageFiles::choose(
            configuration.web_root.clone(),
            configuration.serve_embedded_package,
        );
        let package_source = package.as_ref().map_or_else(
            || "none: neither --web-root nor a package embedded at build time (`cargo xtask dist`, then build the server)".to_owned(),
            ToString::to_string,
        );
        let router = with_layers(routes::router(state, package), &configuration);
        tracing::info!(
            %address,
            metrics = %metrics.as_ref().map_or_else(
                || "off (no --metrics-bind)".into(),
                |metrics| format!("http://{}/metrics", metrics.address),
            ),
            engine = store.engine(),
            tokens = configuration.tokens.len(),
            component_files = %package_source,
            "mailsetup-server listening"
        );
        Ok(Application {
            listener,
            address,
            router,
            store,
            tokens,
            metrics,
        })
    }

    /// The address the server listens on (with the real port when bound to port 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The address `/metrics` is served on (with the real port when bound to port 0), if
    /// `--metrics-bind` asked for it.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().map(|metrics| metrics.address)
    }

    /// Serves until SIGINT or SIGTERM, reloading the tokens file on SIGHUP.
    pub async fn run_until_stopped(self) -> Result<(), StartupError> {
        let tokens = self.tokens.clone();
        let reloader = tokio::spawn(reload_tokens_on_hangup(tokens));
        let result = self.run_until(stop_signal()).await;
        reloader.abort();
        result
    }

    /// Serves until `stop` completes, then finishes the requests in flight and closes the store.
    /// The metrics listener stops at the same moment.
    pub async fn run_until(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartupError> {
        // One stop for both listeners: the sender is dropped when `stop` completes (or when
        // the main listener ends first), which ends every receiver's wait.
        let (stopping, stopped) = tokio::sync::watch::channel(());
        let forwarder = tokio::spawn(async move {
            stop.await;
            drop(stopping);
        });
        let until_stopped = |mut stopped: tokio::sync::watch::Receiver<()>| async move {
            // Err once the sender is gone: that is the signal.
            while stopped.changed().await.is_ok() {}
        };
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let main = axum::serve(self.listener, service)
            .with_graceful_shutdown(until_stopped(stopped.clone()));
        let main = async {
            let served = main.await;
            forwarder.abort();
            served
        };
        let metrics = async {
            let Some(metrics) = self.metrics else {
                return Ok(());
            };
            let upkeep = tokio::spawn(monitoring::endpoint::keep_up(metrics.recorder));
            let served = axum::serve(metrics.listener, metrics.router)
                .with_graceful_shutdown(until_stopped(stopped))
                .await;
            upkeep.abort();
            served
        };
        let (served, metrics_served) = tokio::join!(main, metrics);
        let served = served.and(metrics_served).map_err(StartupError::Serve);
        if let Err(error) = self.store.close().await {
            tracing::warn!(%error, "closing the database");
        }
        tracing::info!("mailsetup-server stopped");
        served
    }
}

/// The layers around every route, outermost first.
fn with_layers(router: Router, configuration: &Configuration) -> Router {
    let cors = (!configuration.allowed_origins.is_empty())
        .then(|| cors_layer(configuration.allowed_origins.clone()));
    // Router::layer wraps what is already there, so the innermost layer comes first.
    let router = router
        // Every body is cut at the largest any route takes (an import's); the routes' extractors
        // hold the others to the usual limit.
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(RequestBodyLimitLayer::new(IMPORT_BODY_LIMIT_BYTES))
        .layer(middleware::from_fn_with_state(
            configuration.request_timeout,
            timeout_except_checks,
        ))
        .layer(middleware::from_fn(problem_bodies_for_bare_errors))
        // A streamed check answer goes out line by line; compressing would hold lines back.
        .layer(
            CompressionLayer::new()
                .compress_when(DefaultPredicate::new().and(NotForContentType::const_new(NDJSON))),
        );
    let router = match cors {
        Some(cors) => router.layer(cors),
        None => router,
    };
    // Inside the request's span, the request metrics see every answer as it leaves, whichever
    // layer made it.
    let router = router.layer(middleware::from_fn(monitoring::http::measure_requests));
    // One line per request at info: method, path, client, status, latency; never headers.
    let router = router.layer(
        TraceLayer::new_for_http()
            .make_span_with(request_span)
            .on_response(DefaultOnResponse::new().level(Level::INFO)),
    );
    // Outermost: the client's address is known before the request's span opens.
    router.layer(middleware::from_fn_with_state(
        TrustedProxies::new(&configuration.trusted_proxies),
        record_client_address,
    ))
}

/// The span of one request, which its log line and every event inside it (the audit events)
/// carry: tower-http's default fields and the client's address.
fn request_span(request: &Request) -> Span {
    let client = request.extensions().get::<ClientAddress>().copied();
    tracing::info_span!(
        "request",
        method = %request.method(),
        uri = %request.uri(),
        version = ?request.version(),
        client = tracing::field::display(
            client.map_or_else(|| "unknown".to_owned(), |client| client.to_string())
        ),
    )
}

fn cors_layer(origins: Vec<HeaderValue>) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::PUT, Method::POST, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::CONTENT_TYPE,
            HeaderName::from_static(CSRF_HEADER),
        ])
        .expose_headers([header::ETAG, header::LOCATION, header::RETRY_AFTER])
        .max_age(Duration::from_secs(600))
}

/// `--request-timeout-seconds` for every request but a connection check, which has bounds of
/// its own (a minute at most) and may stream its steps for that long. A request over the
/// limit gets 503, as tower-http's timeout gives it.
async fn timeout_except_checks(
    State(timeout): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    if request.uri().path() == CONNECTION_CHECKS_PATH {
        return next.run(request).await;
    }
    match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// Gives an error response that some layer or axum produced without a problem body (an
/// unknown route, a wrong method, a body over the limit, a timeout) the body `error.rs`
/// gives that status, keeping headers such as `Allow`.
async fn problem_bodies_for_bare_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes() == PROBLEM_JSON.as_bytes());
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let (parts, _) = response.into_parts();
    let mut replacement = ApiError::Status(status).into_response();
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = parts.headers.get(&name) {
            replacement.headers_mut().insert(name, value.clone());
        }
    }
    replacement
}

/// Completes on SIGINT or SIGTERM.
async fn stop_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT: finishing requests in flight, then stopping"),
        () = terminate => tracing::info!("SIGTERM: finishing requests in flight, then stopping"),
    }
}

/// Reloads the tokens file on every SIGHUP; a bad file keeps the tokens in force.
async fn reload_tokens_on_hangup(tokens: TokenRegistry) {
    let mut hangups = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(signal) => signal,
        Err(error) => {
            tracing::error!(%error, "cannot listen for SIGHUP; the tokens file will not be reloaded");
            return;
        }
    };
    while hangups.recv().await.is_some() {
        match tokens.reload() {
            Ok(count) => tracing::info!(tokens = count, "SIGHUP: tokens file reloaded"),
            Err(error) => tracing::error!(
                "SIGHUP: the tokens file was not reloaded and the previous tokens stay in force: {error}"
            ),
        }
    }
}
