//! The drawer's "Check servers": the settings server checks the draft as typed, before it is
//! saved and without a password, and the drawer shows per server what it found: the state, the
//! address reached, the TLS version, the certificate (subject, issuer, names, valid until,
//! fingerprint, whether it is trusted), the warnings (a certificate that expires within 21
//! days), the sign-in methods offered, a failure's sentence with the server's own words, and a
//! suggestion that works as one button that fills the form.
//!
//! Owns: running the check of a draft and showing its findings, in a live region. Must not:
//! change the form itself (the drawer applies a suggestion) or save anything.

use std::rc::Rc;

use leptos::prelude::*;
use mailsetup_core::wire::{
    CertificateReport, CheckStep, StepReport, StepState, Suggestion, check_request_text,
};
use mailsetup_core::{Connection, EmailAddress, EntryDraft, SpkiPin};

use crate::connect::CheckNotRun;
use crate::i18n::server_check::ServerCheckTexts;
use crate::i18n::{problems, server_check};
use crate::state::Settings;
use crate::ui::focus::focus_element;

/// The mailbox a check without a password names: every domain's postmaster (RFC 2142). No
/// message is sent to it; the address only says which domain the draft is for.
const CHECKED_MAILBOX: &str = "postmaster";

/// "Check servers" and what it found.
#[component]
pub fn ServerCheck(
    /// The draft to check, as the form holds it; `None` when a field is invalid (the callback
    /// has shown the errors and focused the first).
    draft: Callback<(), Option<EntryDraft>>,
    /// The form's connection now (`None` while invalid): results for other settings are marked
    /// as outdated.
    current: Signal<Option<Connection>>,
    /// Fills the form with a suggestion for the server of `step`.
    on_suggestion: Callback<(CheckStep, Suggestion)>,
    /// Pins the key of a certificate the server did not trust ("Trust this certificate").
    on_trust: Callback<SpkiPin>,
) -> impl IntoView {
    let settings = expect_context::<Settings>();
    let language = settings.language;
    let texts = server_check::texts(language);
    let button_id = settings.id("check-servers");
    let results_id = settings.id("check-results");
    let running = RwSignal::new(false);
    let reports = RwSignal::new(Vec::<StepReport>::new());
    let checked_for = RwSignal::new(None::<Connection>);
    let not_run = RwSignal::new(None::<CheckNotRun>);
    let summary = RwSignal::new(None::<String>);

    let start = move |_| {
        if running.get_untracked() {
            return;
        }
        let Some(draft) = draft.run(()) else {
            return;
        };
        let Ok(email) =
            EmailAddress::parse(&format!("{CHECKED_MAILBOX}@{}", draft.domain.as_ascii()))
        else {
            return;
        };
        let body = check_request_text(&email, None, None, Some(&draft), false);
        running.set(true);
        reports.set(Vec::new());
        not_run.set(None);
        checked_for.set(Some(draft.connection));
        summary.set(Some(texts.checking.to_owned()));
        leptos::task::spawn_local(async move {
            let finished = Rc::new(move |step: StepReport| {
                reports.try_update(|reports| reports.push(step));
            });
            let ended = settings.check_connection(body, finished).await;
            let said = match ended {
                Ok(report) => {
                    let failed = report
                        .steps
                        .iter()
                        .filter(|step| step.state == StepState::Failed)
                        .count();
                    reports.try_set(report.steps);
                    match failed {
                        0 => texts.all_answered.to_owned(),
                        n => (texts.some_failed)(n),
                    }
                }
                Err(why) => {
                    let said = (texts.not_run)(&why).to_owned();
                    not_run.try_set(Some(why));
                    said
                }
            };
            summary.try_set(Some(said));
            running.try_set(false);
        });
    };

    let apply = {
        let button_id = button_id.clone();
        move |step: CheckStep, suggestion: Suggestion| {
            on_suggestion.run((step, suggestion));
            let server = server_name(texts, step);
            summary.set(Some((texts.suggestion_applied)(
                server,
                suggestion.security,
                suggestion.port,
            )));
            focus_element(&button_id);
        }
    };
    let trust = {
        let button_id = button_id.clone();
        move |step: CheckStep, pin: SpkiPin| {
            on_trust.run(pin);
            summary.set(Some((texts.trust_applied)(
                server_name(texts, step),
                &format!("{}…", pin.short()),
            )));
            focus_element(&button_id);
        }
    };
    let outdated = move || {
        let checked = checked_for.get()?;
        (!running.get() && current.get().as_ref() != Some(&checked))
            .then(|| view! { <p class="ms-notice ms-notice--warning">{texts.outdated}</p> })
    };
    let found = move || {
        let (apply, trust) = (apply.clone(), trust.clone());
        // Keys the form trusts already are not offered again.
        let pinned: Vec<SpkiPin> = current
            .get()
            .map(|connection| connection.certificate_trust().pins().to_vec())
            .unwrap_or_default();
        reports
            .get()
            .into_iter()
            .filter(|report| report.state != StepState::NotRun)
            .map(|report| {
                let pinned = pinned.clone();
                server_found(
                    texts,
                    language,
                    report,
                    pinned,
                    apply.clone(),
                    trust.clone(),
                )
            })
            .collect_view()
    };
    let reason = move || {
        not_run.get().map(|why| {
            let detail = match &why {
                CheckNotRun::Limited { detail } | CheckNotRun::Refused { detail } => {
                    detail.as_deref().map(texts.server_said)
                }
                _ => None,
            };
            view! { <p class="ms-notice ms-notice--error">{detail}</p> }
        })
    };

    view! {
        <div class="ms-field ms-server-check" data-testid="server-check">
            <button
                type="button"
                class="ms-button"
                id=button_id
                aria-busy=move || running.get().to_string()
                aria-disabled=move || running.get().then_some("true")
                on:click=start
            >
                {move || if running.get() { texts.checking } else { texts.button }}
            </button>
            <p class="ms-field__hint">{texts.explain}</p>
            <div
                class="ms-server-check__results"
                id=results_id
                role="status"
                aria-live="polite"
                aria-busy=move || running.get().to_string()
            >
                {move || {
                    summary
                        .get()
                        .map(|said| {
                            view! { <p class="ms-server-check__summary" data-testid="check-summary">{said}</p> }
                        })
                }}
                {reason}
                {outdated}
                {found}
            </div>
        </div>
    }
}

/// The server a step talked to, for people.
fn server_name(texts: &'static ServerCheckTexts, step: CheckStep) -> &'static str {
    match step {
        CheckStep::ImapConnect | CheckStep::ImapLogin => texts.incoming,
        CheckStep::ExchangeReach | CheckStep::ExchangeLogin => texts.exchange,
        _ => texts.outgoing,
    }
}

/// One server's findings.
fn server_found(
    texts: &'static ServerCheckTexts,
    language: crate::i18n::Language,
    report: StepReport,
    pinned: Vec<SpkiPin>,
    apply: impl Fn(CheckStep, Suggestion) + Clone + 'static,
    trust: impl Fn(CheckStep, SpkiPin) + Clone + 'static,
) -> impl IntoView {
    let step = report.step;
    let passed = report.state == StepState::Passed;
    let state = if passed { texts.answered } else { texts.failed };
    let heading = match &report.server {
        Some(server) => format!(
            "{} · {}:{} {}",
            server_name(texts, step),
            server.host,
            server.port,
            server.security
        ),
        None => server_name(texts, step).to_owned(),
    };
    let mut rows: Vec<(&'static str, String)> = Vec::new();
    if let Some(address) = report.server.as_ref().and_then(|s| s.address.clone()) {
        rows.push((texts.address, address));
    }
    let tls = report.tls.as_ref();
    rows.push((
        texts.tls,
        tls.and_then(|tls| tls.version.clone())
            .unwrap_or_else(|| texts.no_tls.to_owned()),
    ));
    if let Some(certificate) = tls.and_then(|tls| tls.certificate.as_ref()) {
        rows.extend(certificate_rows(texts, certificate));
    }
    // What a server offers is known once it was reached and spoke (a failed step may not get so far).
    if passed || !report.auth_mechanisms.is_empty() {
        let offered = if report.auth_mechanisms.is_empty() {
            texts.none_offered.to_owned()
        } else {
            report.auth_mechanisms.join(" ")
        };
        let label = match step {
            CheckStep::ExchangeReach | CheckStep::ExchangeLogin => texts.exchange_schemes,
            _ => texts.mechanisms,
        };
        rows.push((label, offered));
    }
    let warnings = report
        .warnings
        .iter()
        .map(|warning| {
            view! { <li>{problems::message(language, &warning.code)}</li> }
        })
        .collect_view();
    let problem = report.problem.map(|problem| {
        let said = problem.server_reply.as_deref().map(texts.server_said);
        view! {
            <div class="ms-notice ms-notice--error">
                <p>{problems::message(language, &problem.code)}</p>
                <p class="ms-server-check__said">{said}</p>
            </div>
        }
    });
    // A certificate the server does not trust can be trusted by its key.
    let untrusted_key = tls
        .and_then(|tls| tls.certificate.as_ref())
        .filter(|certificate| !certificate.trusted)
        .and_then(|certificate| SpkiPin::parse(&certificate.spki_sha256).ok())
        .filter(|pin| !pinned.contains(pin));
    let trust_offer = untrusted_key.map(|pin| {
        let key = fingerprint(&pin.to_string());
        view! {
            <div class="ms-server-check__suggestion">
                <p class="ms-field__hint">{(texts.trust_explain)(&key)}</p>
                <button
                    type="button"
                    class="ms-button ms-button--small"
                    data-testid="trust-certificate"
                    on:click=move |_| trust(step, pin)
                >
                    {texts.trust_button}
                </button>
            </div>
        }
    });
    let suggestion = report.suggestion.map(|suggestion| {
        let label = (texts.use_suggestion)(suggestion.security, suggestion.port);
        view! {
            <div class="ms-server-check__suggestion">
                <p class="ms-field__hint">{texts.suggestion_explain}</p>
                <button
                    type="button"
                    class="ms-button ms-button--small"
                    data-testid="use-suggestion"
                    on:click=move |_| apply(step, suggestion)
                >
                    {label}
                </button>
            </div>
        }
    });
    view! {
        <section class="ms-server-check__server" data-testid="checked-server" data-state=if passed { "passed" } else { "failed" }>
            <h3 class="ms-server-check__title">
                <span>{heading}</span>
                <span class="ms-server-check__state">{state}</span>
            </h3>
            <dl class="ms-server-check__facts">
                {rows
                    .into_iter()
                    .map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> })
                    .collect_view()}
            </dl>
            <ul class="ms-server-check__warnings">{warnings}</ul>
            {problem}
            {trust_offer}
            {suggestion}
        </section>
    }
}

/// The certificate as people judge it.
fn certificate_rows(
    texts: &'static ServerCheckTexts,
    certificate: &CertificateReport,
) -> Vec<(&'static str, String)> {
    vec![
        (
            texts.certificate,
            if certificate.trusted {
                texts.trusted
            } else {
                texts.untrusted
            }
            .to_owned(),
        ),
        (texts.subject, certificate.subject.clone()),
        (texts.issuer, certificate.issuer.clone()),
        (texts.names, certificate.dns_names.join(", ")),
        (texts.valid_until, readable_time(&certificate.not_after)),
        (texts.fingerprint, fingerprint(&certificate.sha256)),
    ]
}

/// An RFC 3339 time (`2027-03-01T12:00:00Z`) as `2027-03-01 12:00 UTC`; anything else as it is.
fn readable_time(rfc3339: &str) -> String {
    match (
        rfc3339.get(..10),
        rfc3339.get(11..16),
        rfc3339.ends_with('Z'),
    ) {
        (Some(date), Some(time), true) if rfc3339.as_bytes().get(10) == Some(&b'T') => {
            format!("{date} {time} UTC")
        }
        _ => rfc3339.to_owned(),
    }
}

/// 64 hex digits as the pairs browsers and `openssl x509 -fingerprint` show: `AB:CD:…`.
fn fingerprint(hex: &str) -> String {
    hex.as_bytes()
        .chunks(2)
        .map(|pair| String::from_utf8_lossy(pair).to_uppercase())
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_date_and_minute_in_utc() {
        assert_eq!(
            readable_time("2027-03-01T12:05:09Z"),
            "2027-03-01 12:05 UTC"
        );
        assert_eq!(readable_time("2027-03-01"), "2027-03-01");
        assert_eq!(
            readable_time("2027-03-01T12:05:09+02:00"),
            "2027-03-01T12:05:09+02:00"
        );
    }

    #[test]
    fn fingerprints_are_upper_case_pairs() {
        assert_eq!(fingerprint("0a1bff"), "0A:1B:FF");
        let full = "ab".repeat(32);
        assert_eq!(fingerprint(&full).len(), 64 + 31);
    }
}
