//! Every request's duration and the requests in flight, labelled by route template, method and
//! status, as OpenTelemetry names them (`http_route`, `http_request_method`,
//! `http_response_status_code`).
//!
//! Owns: the label rules: a route is axum's template (`/api/v1/email-domains/{domain}`), every
//! request no route matched is [`UNMATCHED_ROUTE`] (so no domain name or random path becomes a
//! series), and a method outside HTTP's registered ones is [`OTHER_METHOD`]. Must not: look at
//! the path, a header or a body.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use metrics::{Gauge, gauge, histogram};

use super::{ACTIVE_REQUESTS, REQUEST_DURATION, recording};

/// The route label of every request that matched no route (unknown paths, and the paths the
/// fallback answers: Autodiscover's in another letter case).
pub const UNMATCHED_ROUTE: &str = "unmatched";
/// The method label of a method HTTP does not register (OpenTelemetry's `_OTHER`).
pub const OTHER_METHOD: &str = "_OTHER";

/// The `http_route` label: the matched route's template, or [`UNMATCHED_ROUTE`].
pub fn route_label(matched: Option<&str>) -> String {
    matched.unwrap_or(UNMATCHED_ROUTE).to_owned()
}

/// The `http_request_method` label: a registered method's name, or [`OTHER_METHOD`].
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::CONNECT => "CONNECT",
        Method::OPTIONS => "OPTIONS",
        Method::TRACE => "TRACE",
        Method::PATCH => "PATCH",
        _ => OTHER_METHOD,
    }
}

/// Middleware around every route (added by `startup.rs` outside every other layer but the
/// trace): times the request until its answer's head and counts it in flight meanwhile.
pub async fn measure_requests(request: Request, next: Next) -> Response {
    if !recording() {
        return next.run(request).await;
    }
    let route = route_label(
        request
            .extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str),
    );
    let method = method_label(request.method());
    let started = Instant::now();
    let _in_flight = InFlight::enter();
    let response = next.run(request).await;
    histogram!(
        REQUEST_DURATION,
        "http_route" => route,
        "http_request_method" => method,
        "http_response_status_code" => response.status().as_str().to_owned(),
    )
    .record(started.elapsed().as_secs_f64());
    response
}

/// One request counted in `http_server_active_requests` until dropped, also when the client
/// goes away and the request's future is dropped unfinished.
struct InFlight(Gauge);

impl InFlight {
    fn enter() -> InFlight {
        let gauge = gauge!(ACTIVE_REQUESTS);
        gauge.increment(1.0);
        InFlight(gauge)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_is_labelled_by_its_template_and_any_other_path_by_one_word() {
        assert_eq!(
            route_label(Some("/api/v1/email-domains/{domain}")),
            "/api/v1/email-domains/{domain}"
        );
        assert_eq!(
            route_label(Some("/mailsetup/{*file}")),
            "/mailsetup/{*file}"
        );
        // A request no route matched has no template: whatever its path, one label.
        assert_eq!(route_label(None), UNMATCHED_ROUTE);
    }

    #[test]
    fn methods_outside_http_are_other() {
        assert_eq!(method_label(&Method::PUT), "PUT");
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        let invented = Method::from_bytes(b"BREW").expect("a token is a method");
        assert_eq!(method_label(&invented), OTHER_METHOD);
    }
}
