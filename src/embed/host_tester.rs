//! The host page's own connection check (`testConnection`), as a [`ConnectionTester`]: each
//! step of the plan (the test message's two only when the person asked for it) calls `testConnection(step, attempt, signal)` and waits for `{ ok: true }` or
//! `{ ok: false, reason }`. The password goes into that call's `attempt` object only; the Rust
//! attempt that holds it is dropped by the view when the run ends. The call's `AbortSignal`
//! fires when the step is no longer awaited (the person went back, the instance unmounted).
//!
//! Owns: the JavaScript shape of a step's call and answer. Must not: keep the attempt.

use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use mailsetup_core::{CertificateTrust, Connection, Endpoint};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::connect::{
    Attempt, CheckStep, ConnectionTester, RunFuture, StepFailure, StepFuture, StepSink,
    step_by_step,
};

/// Calls the host's function for each step.
pub struct HostTester {
    test_connection: Function,
}

impl HostTester {
    pub fn new(test_connection: Function) -> HostTester {
        HostTester { test_connection }
    }
}

impl ConnectionTester for HostTester {
    fn is_demo(&self) -> bool {
        false
    }

    fn run(&self, plan: Vec<CheckStep>, attempt: Rc<Attempt>, finished: StepSink) -> RunFuture {
        let function = self.test_connection.clone();
        step_by_step(plan, finished, move |step| {
            run_step(function.clone(), step, Rc::clone(&attempt))
        })
    }
}

/// Calls the host's function for one step.
fn run_step(function: Function, step: CheckStep, attempt: Rc<Attempt>) -> StepFuture {
    {
        Box::pin(async move {
            let mut controller = AbortOnDrop(web_sys::AbortController::new().ok());
            let signal = controller
                .0
                .as_ref()
                .map(|controller| JsValue::from(controller.signal()))
                .unwrap_or(JsValue::UNDEFINED);
            let described = describe(&attempt);
            drop(attempt);
            let called =
                function.call3(&JsValue::UNDEFINED, &step.tag().into(), &described, &signal);
            let answer = match called {
                Ok(value) => JsFuture::from(Promise::resolve(&value)).await,
                Err(thrown) => Err(thrown),
            };
            let result = match answer {
                Ok(answer) => read_answer(&answer),
                Err(thrown) => Err(StepFailure {
                    code: None,
                    detail: Some(error_text(&thrown)),
                }),
            };
            // Answered: nothing to abort any more.
            controller.0 = None;
            result
        })
    }
}

/// Aborts the step's `AbortSignal` when the step's future is dropped before it finished.
struct AbortOnDrop(Option<web_sys::AbortController>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(controller) = &self.0 {
            controller.abort();
        }
    }
}

/// `{ ok: true }` passes; anything else fails, with `reason` when it is a string.
fn read_answer(answer: &JsValue) -> Result<(), StepFailure> {
    let ok = Reflect::get(answer, &"ok".into())
        .ok()
        .and_then(|ok| ok.as_bool());
    if ok == Some(true) {
        return Ok(());
    }
    let reason = Reflect::get(answer, &"reason".into())
        .ok()
        .and_then(|reason| reason.as_string());
    Err(StepFailure {
        code: None,
        detail: reason,
    })
}

fn error_text(thrown: &JsValue) -> String {
    thrown
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| thrown.as_string())
        .unwrap_or_else(|| "the host's check failed".into())
}

/// `{ email, username, password, type, incoming, outgoing, certificateTrust,
/// allowInsecureCertificates }` for IMAP, `{ email, username, password, type, url,
/// certificateTrust }` for Exchange. `certificateTrust` is `{ mode }`, with `spkiSha256` (the
/// pins, 64 lowercase hex digits each) when the mode is `pinned`; `allowInsecureCertificates`
/// is derived from it (true exactly for `any`), as before.
fn describe(attempt: &Attempt) -> JsValue {
    let object = Object::new();
    let set = |target: &Object, key: &str, value: JsValue| {
        let _ = Reflect::set(target, &key.into(), &value);
    };
    set(&object, "email", attempt.address.to_string().into());
    set(&object, "username", attempt.username.as_str().into());
    set(&object, "password", attempt.password.expose().into());
    match &attempt.connection {
        Connection::Imap(settings) => {
            set(&object, "type", "imap".into());
            set(&object, "incoming", endpoint(&settings.incoming));
            set(&object, "outgoing", endpoint(&settings.outgoing));
            set(
                &object,
                "allowInsecureCertificates",
                settings.certificate_trust.allows_any_certificate().into(),
            );
        }
        Connection::Exchange(settings) => {
            set(&object, "type", "exchange".into());
            set(&object, "url", settings.url.as_str().into());
        }
    }
    set(
        &object,
        "certificateTrust",
        certificate_trust(attempt.connection.certificate_trust()),
    );
    object.into()
}

/// `{ mode: 'verified' | 'pinned' | 'any', spkiSha256?: string[] }`.
fn certificate_trust(trust: &CertificateTrust) -> JsValue {
    let object = Object::new();
    let _ = Reflect::set(&object, &"mode".into(), &trust.mode().as_str().into());
    if !trust.pins().is_empty() {
        let pins: js_sys::Array = trust
            .pins()
            .iter()
            .map(|pin| JsValue::from(pin.to_string()))
            .collect();
        let _ = Reflect::set(&object, &"spkiSha256".into(), &pins);
    }
    object.into()
}

fn endpoint(endpoint: &Endpoint) -> JsValue {
    let object = Object::new();
    let _ = Reflect::set(&object, &"host".into(), &endpoint.host.to_string().into());
    let _ = Reflect::set(&object, &"port".into(), &endpoint.port.get().into());
    let _ = Reflect::set(
        &object,
        &"security".into(),
        &endpoint.security.as_str().into(),
    );
    object.into()
}
