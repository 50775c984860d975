//! One request to the settings server, as the REST client sends it: the credentials, a
//! timeout through `AbortController`, and the retries core's [`RetryPolicy`] allows (only
//! requests safe to repeat, only after no answer, 429, 502, 503 or 504, capped and jittered,
//! `Retry-After` honoured).
//!
//! Owns: `fetch` and waiting. Must not: read what an answer means (`rest` does, with core).

use js_sys::Promise;
use mailsetup_core::wire::{Attempted, RetryPolicy, retry_after_ms};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestCache, RequestCredentials, RequestInit, Response};

use crate::store::remote::{RestConfig, SendCookies};

/// An answer the server gave.
pub struct Answer {
    pub status: u16,
    pub etag: Option<String>,
    pub body: String,
}

/// What to send.
pub struct Outgoing<'a> {
    pub method: &'a str,
    pub path: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
}

/// No answer came, after every attempt that was safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoAnswer;

pub struct Http {
    config: RestConfig,
    policy: RetryPolicy,
}

impl Http {
    pub fn new(config: RestConfig) -> Http {
        Http {
            config,
            policy: RetryPolicy::DEFAULT,
        }
    }

    /// Sends `outgoing`, again while the policy allows; every request the client makes is
    /// safe to repeat (reads, and conditional writes).
    pub async fn send(&self, outgoing: &Outgoing<'_>) -> Result<Answer, NoAnswer> {
        let mut sent = 0;
        loop {
            let attempt = self.send_once(outgoing).await;
            sent += 1;
            let (attempted, retry_after) = match &attempt {
                Ok((answer, retry_after)) => (Attempted::Status(answer.status), *retry_after),
                Err(NoAnswer) => (Attempted::NetworkError, None),
            };
            let jitter = js_sys::Math::random();
            match self
                .policy
                .next_delay(sent, true, attempted, retry_after, jitter)
            {
                Some(wait_ms) => sleep(wait_ms).await,
                None => return attempt.map(|(answer, _)| answer),
            }
        }
    }

    /// One attempt, with the answer's `Retry-After` in milliseconds.
    async fn send_once(&self, outgoing: &Outgoing<'_>) -> Result<(Answer, Option<u64>), NoAnswer> {
        let window = web_sys::window().ok_or(NoAnswer)?;
        let controller = web_sys::AbortController::new().map_err(|_| NoAnswer)?;
        let (request, timeout_ms) = self
            .request(outgoing, &controller.signal())
            .map_err(|_| NoAnswer)?;
        let abort = {
            let controller = controller.clone();
            Closure::once(move || controller.abort())
        };
        let timer = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                abort.as_ref().unchecked_ref(),
                i32::try_from(timeout_ms).unwrap_or(i32::MAX),
            )
            .ok();
        let answer = read(window.fetch_with_request(&request)).await;
        if let Some(timer) = timer {
            window.clear_timeout_with_handle(timer);
        }
        drop(abort);
        answer
    }

    /// Sends `outgoing` once (for a request that is not safe to repeat, such as a check that
    /// sends a test message) and answers as soon as the answer's head arrived, its body still
    /// on its way. The exchange is aborted after `limit_ms`, or when the [`Deadline`] answered
    /// with it is dropped.
    pub async fn stream(
        &self,
        outgoing: &Outgoing<'_>,
        limit_ms: u32,
    ) -> Result<(Response, Deadline), NoAnswer> {
        let window = web_sys::window().ok_or(NoAnswer)?;
        let controller = web_sys::AbortController::new().map_err(|_| NoAnswer)?;
        let (request, _) = self
            .request(outgoing, &controller.signal())
            .map_err(|_| NoAnswer)?;
        let deadline = Deadline::start(&window, controller, limit_ms);
        let response = JsFuture::from(window.fetch_with_request(&request))
            .await
            .ok()
            .and_then(|value| value.dyn_into::<Response>().ok())
            .ok_or(NoAnswer)?;
        Ok((response, deadline))
    }

    fn request(
        &self,
        outgoing: &Outgoing<'_>,
        signal: &web_sys::AbortSignal,
    ) -> Result<(Request, u32), JsValue> {
        let config = &self.config;
        let headers = Headers::new()?;
        headers.set("Accept", "application/json")?;
        if outgoing.body.is_some() {
            headers.set("Content-Type", "application/json")?;
        }
        if let Some(token) = &config.credentials.token {
            headers.set("Authorization", &format!("Bearer {token}"))?;
        }
        for (name, value) in &config.credentials.headers {
            headers.set(name, value)?;
        }
        if let Some((name, token)) = &config.credentials.csrf {
            headers.set(name, token)?;
        }
        for (name, value) in &outgoing.headers {
            headers.set(name, value)?;
        }
        let init = RequestInit::new();
        init.set_method(outgoing.method);
        init.set_signal(Some(signal));
        init.set_headers(&headers);
        // The client asks with its own entity tags; the browser's cache must not answer.
        init.set_cache(RequestCache::NoStore);
        init.set_credentials(match config.send_cookies {
            SendCookies::Omit => RequestCredentials::Omit,
            SendCookies::SameOrigin => RequestCredentials::SameOrigin,
            SendCookies::Include => RequestCredentials::Include,
        });
        if let Some(body) = &outgoing.body {
            init.set_body(&JsValue::from_str(body));
        }
        let request = Request::new_with_str_and_init(&config.url(&outgoing.path), &init)?;
        Ok((request, config.timeout_ms))
    }
}

/// Aborts a streamed exchange after its time limit, or at once when dropped (the view that
/// waited for it went away).
pub struct Deadline {
    controller: web_sys::AbortController,
    timer: Option<i32>,
    _abort: Closure<dyn FnMut()>,
}

impl Deadline {
    fn start(
        window: &web_sys::Window,
        controller: web_sys::AbortController,
        limit_ms: u32,
    ) -> Deadline {
        let abort = {
            let controller = controller.clone();
            Closure::<dyn FnMut()>::new(move || controller.abort())
        };
        let timer = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                abort.as_ref().unchecked_ref(),
                i32::try_from(limit_ms).unwrap_or(i32::MAX),
            )
            .ok();
        Deadline {
            controller,
            timer,
            _abort: abort,
        }
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        if let (Some(window), Some(timer)) = (web_sys::window(), self.timer) {
            window.clear_timeout_with_handle(timer);
        }
        // Nothing left to read once the exchange ended; a no-op then.
        self.controller.abort();
    }
}

/// The answer to a `fetch`, body read as text.
async fn read(fetched: Promise) -> Result<(Answer, Option<u64>), NoAnswer> {
    let response: Response = JsFuture::from(fetched)
        .await
        .ok()
        .and_then(|value| value.dyn_into().ok())
        .ok_or(NoAnswer)?;
    let header = |name: &str| response.headers().get(name).ok().flatten();
    let etag = header("ETag");
    let retry_after = header("Retry-After").and_then(|value| retry_after_ms(&value));
    let text = response.text().map_err(|_| NoAnswer)?;
    // A body cut off by the timeout or the network is no answer either.
    let body = JsFuture::from(text)
        .await
        .ok()
        .and_then(|value| value.as_string())
        .ok_or(NoAnswer)?;
    Ok((
        Answer {
            status: response.status(),
            etag,
            body,
        },
        retry_after,
    ))
}

/// Waits `ms` milliseconds.
async fn sleep(ms: u64) {
    let wait = Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                i32::try_from(ms).unwrap_or(i32::MAX),
            );
        }
    });
    let _ = JsFuture::from(wait).await;
}
