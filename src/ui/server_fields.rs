//! The form parts the drawer (`settings_dialog`) and the connect flow (`connect::view`) share:
//! one protocol's server, port and security ([`ImapFieldset`]), the "Allow insecure
//! certificates" box with the keys an entry pins ([`InsecureCertificates`], over a
//! [`TrustChoice`]), and the signals behind both ([`ImapFields`]), where each protocol's
//! security follows its port until someone chooses one.
//!
//! Owns: those fields' state and markup. Must not: check values (core does, via `draft`), know
//! which form they are in, or save anything.

use leptos::prelude::*;
use mailsetup_core::{CertificateTrust, Protocol, Security, SpkiPin, SpkiPins, UsernameForm};

use crate::draft::ImapDraft;
use crate::i18n::forms;
use crate::ui::field::{FieldMessages, TextField, use_language};

/// The IMAP form's own fields (the domain and subdomain choice are shared with Exchange).
/// The connect flow uses them for the person's own server fields too.
#[derive(Clone, Copy)]
pub(crate) struct ImapFields {
    pub imap_host: RwSignal<String>,
    pub imap_port: RwSignal<String>,
    pub imap_security: RwSignal<Security>,
    pub smtp_host: RwSignal<String>,
    pub smtp_port: RwSignal<String>,
    pub smtp_security: RwSignal<Security>,
    /// The certificate trust: the "Allow insecure certificates" box and the entry's pins.
    pub allow_insecure: TrustChoice,
    /// How people's usernames are formed (the drawer's choice; the connect flow keeps it).
    pub username: RwSignal<UsernameForm>,
    /// Whether the person (or the stored entry) chose the IMAP security; until then it follows
    /// the IMAP port.
    pub imap_security_chosen: RwSignal<bool>,
    /// The same for SMTP.
    pub smtp_security_chosen: RwSignal<bool>,
}

impl ImapFields {
    /// The fields of `draft`; with `security_chosen` false, each security follows its port.
    pub fn new(draft: ImapDraft, security_chosen: bool) -> ImapFields {
        ImapFields::with_choices(draft, (security_chosen, security_chosen))
    }

    /// The fields of `draft`, with whether the IMAP and the SMTP security were chosen (a form
    /// drawn anew keeps each as it was, [`ImapFields::choices`]).
    pub fn with_choices(draft: ImapDraft, (imap_chosen, smtp_chosen): (bool, bool)) -> ImapFields {
        let fields = ImapFields {
            imap_host: RwSignal::new(draft.imap_host),
            imap_port: RwSignal::new(draft.imap_port),
            imap_security: RwSignal::new(draft.imap_security),
            smtp_host: RwSignal::new(draft.smtp_host),
            smtp_port: RwSignal::new(draft.smtp_port),
            smtp_security: RwSignal::new(draft.smtp_security),
            allow_insecure: TrustChoice::new(&draft.certificate_trust),
            username: RwSignal::new(draft.username),
            imap_security_chosen: RwSignal::new(imap_chosen),
            smtp_security_chosen: RwSignal::new(smtp_chosen),
        };
        follow_port(
            fields.imap_port,
            fields.imap_security,
            fields.imap_security_chosen,
            Protocol::Imap,
        );
        follow_port(
            fields.smtp_port,
            fields.smtp_security,
            fields.smtp_security_chosen,
            Protocol::Smtp,
        );
        fields
    }

    /// Whether the IMAP and the SMTP security were chosen.
    pub fn choices(&self) -> (bool, bool) {
        (
            self.imap_security_chosen.get_untracked(),
            self.smtp_security_chosen.get_untracked(),
        )
    }

    pub fn draft(&self, domain: String, include_subdomains: bool) -> ImapDraft {
        ImapDraft {
            domain,
            imap_host: self.imap_host.get(),
            imap_port: self.imap_port.get(),
            imap_security: self.imap_security.get(),
            smtp_host: self.smtp_host.get(),
            smtp_port: self.smtp_port.get(),
            smtp_security: self.smtp_security.get(),
            certificate_trust: self.allow_insecure.trust(),
            include_subdomains,
            username: self.username.get(),
        }
    }
}

/// The certificate trust the "Allow insecure certificates" box stands for. Ticked, it is `any`.
/// Unticked, it is `verified`, or `pinned` while the keys an entry pinned are kept: the form
/// offers no way to add one (a key is pinned over the API), only to stop trusting each, and
/// ticking the box replaces them with `any`. So an edit keeps an entry's pins untouched.
#[derive(Clone, Copy)]
pub(crate) struct TrustChoice {
    /// The box.
    pub allow_any: RwSignal<bool>,
    /// The pinned keys kept from the entry, in its order; empty when none.
    pub pins: RwSignal<Vec<SpkiPin>>,
}

impl TrustChoice {
    pub fn new(trust: &CertificateTrust) -> TrustChoice {
        TrustChoice {
            allow_any: RwSignal::new(trust.allows_any_certificate()),
            pins: RwSignal::new(trust.pins().to_vec()),
        }
    }

    /// The trust as chosen now (tracked).
    pub fn trust(&self) -> CertificateTrust {
        if self.allow_any.get() {
            return CertificateTrust::Any;
        }
        match SpkiPins::new(self.pins.get()) {
            Ok(pins) => CertificateTrust::pinned(pins),
            Err(_) => CertificateTrust::Verified,
        }
    }

    /// Ticks or unticks the box; ticking it drops the pins.
    fn allow_any(&self, allowed: bool) {
        self.allow_any.set(allowed);
        if allowed {
            self.pins.set(Vec::new());
        }
    }

    /// Trusts the key `pin` names ("Trust this certificate" after a check): the box is
    /// unticked, as the key is trusted instead of any certificate.
    pub fn trust_key(&self, pin: SpkiPin) {
        self.allow_any.set(false);
        self.pins.update(|pins| {
            if !pins.contains(&pin) {
                pins.push(pin);
            }
        });
    }

    /// Stops trusting `pin`; without pins left, the trust is `verified`.
    fn stop_trusting(&self, pin: SpkiPin) {
        self.pins.update(|pins| pins.retain(|kept| *kept != pin));
    }
}

/// A message to show under a field, or none.
type Message = Signal<Option<String>>;

/// The server, port and security of one protocol ("Incoming mail (IMAP)" or "Outgoing mail
/// (SMTP)").
#[component]
pub(crate) fn ImapFieldset(
    legend: &'static str,
    protocol: Protocol,
    fields: (RwSignal<String>, RwSignal<String>, RwSignal<Security>),
    security_chosen: RwSignal<bool>,
    ids: (String, String, String),
    errors: (Message, Message),
    warnings: (Message, Message, Message),
    blurs: (Callback<()>, Callback<()>),
    /// Shown but not editable (the connect flow's administrator settings).
    #[prop(optional, into)]
    read_only: Signal<bool>,
) -> impl IntoView {
    let texts = forms::texts(use_language());
    let (host, port, security) = fields;
    let (host_id, port_id, security_id) = ids;
    let (host_label, port_label, security_label, placeholder) = match protocol {
        Protocol::Imap => (
            texts.imap_host,
            texts.imap_port,
            texts.imap_security,
            texts.host_placeholder_imap,
        ),
        Protocol::Smtp => (
            texts.smtp_host,
            texts.smtp_port,
            texts.smtp_security,
            texts.host_placeholder_smtp,
        ),
    };
    let security_warning = warnings.2;
    let security_warning_id = format!("{security_id}-warning");
    let security_error_id = format!("{security_id}-error");
    let security_described = {
        let warning_id = security_warning_id.clone();
        move || {
            security_warning
                .with(Option::is_some)
                .then(|| warning_id.clone())
        }
    };
    view! {
        <fieldset class="ms-fieldset">
            <legend class="ms-fieldset__legend">{legend}</legend>
            <div class="ms-endpoint">
                <div class="ms-endpoint__host">
                    <TextField
                        id=host_id
                        label=host_label
                        placeholder=placeholder
                        value=host
                        error=errors.0
                        warning=warnings.0
                        on_blur=blurs.0
                        read_only
                    />
                </div>
                <div class="ms-endpoint__port">
                    <TextField
                        id=port_id
                        label=port_label
                        value=port
                        numeric=true
                        error=errors.1
                        warning=warnings.1
                        on_blur=blurs.1
                        read_only
                    />
                </div>
                <div class="ms-field ms-endpoint__security">
                    <label class="ms-field__label" for=security_id.clone()>{security_label}</label>
                    <select
                        id=security_id
                        class="ms-input"
                        aria-describedby=security_described
                        disabled=move || read_only.get()
                        prop:value=move || security.get().as_str()
                        on:change=move |event| {
                            if let Ok(choice) = event_target_value(&event).parse::<Security>() {
                                security.set(choice);
                                security_chosen.set(true);
                            }
                        }
                    >
                        <option value=Security::SslTls.as_str()>{Security::SslTls.to_string()}</option>
                        <option value=Security::StartTls.as_str()>
                            {Security::StartTls.to_string()}
                        </option>
                    </select>
                </div>
            </div>
            <FieldMessages
                error=Signal::derive(|| None::<String>)
                warning=security_warning
                error_id=security_error_id
                warning_id=security_warning_id
            />
        </fieldset>
    }
}

/// "Username": how people's usernames are formed from their address (the drawer only).
#[component]
pub(crate) fn UsernameChoice(form: RwSignal<UsernameForm>, id: String) -> impl IntoView {
    let texts = forms::texts(use_language());
    let hint_id = format!("{id}-hint");
    let options = UsernameForm::ALL
        .into_iter()
        .map(|choice| {
            let label = match choice {
                UsernameForm::EmailAddress => texts.username_email_address,
                UsernameForm::LocalPart => texts.username_local_part,
                UsernameForm::Typed => texts.username_typed,
            };
            view! {
                <option value=choice.as_str() selected=move || form.get() == choice>
                    {label}
                </option>
            }
        })
        .collect_view();
    view! {
        <div class="ms-field">
            <label class="ms-field__label" for=id.clone()>{texts.username_form_label}</label>
            <p class="ms-field__hint" id=hint_id.clone()>{texts.username_form_hint}</p>
            <select
                id=id
                class="ms-input ms-select"
                aria-describedby=hint_id
                on:change=move |event| {
                    if let Some(choice) = UsernameForm::from_name(&event_target_value(&event)) {
                        form.set(choice);
                    }
                }
            >
                {options}
            </select>
        </div>
    }
}

/// "Allow insecure certificates", its explanation, a warning while it is ticked, and the keys
/// the entry pins (a short line each, with "Stop trusting this key").
#[component]
pub(crate) fn InsecureCertificates(
    checked: TrustChoice,
    id: String,
    /// Shown but not changeable (the connect flow's administrator settings).
    #[prop(optional, into)]
    read_only: Signal<bool>,
) -> impl IntoView {
    let texts = forms::texts(use_language());
    let field_texts = forms::field_texts(use_language());
    let hint_id = format!("{id}-hint");
    let warning_id = format!("{id}-warning");
    let described = {
        let (hint_id, warning_id) = (hint_id.clone(), warning_id.clone());
        move || {
            if checked.allow_any.get() {
                format!("{hint_id} {warning_id}")
            } else {
                hint_id.clone()
            }
        }
    };
    let key_id = {
        let id = id.clone();
        move |pin: &SpkiPin| format!("{id}-key-{}", pin.short())
    };
    view! {
        <div class="ms-check">
            <input
                type="checkbox"
                id=id.clone()
                aria-describedby=described
                disabled=move || read_only.get()
                prop:checked=move || checked.allow_any.get()
                on:change=move |event| checked.allow_any(event_target_checked(&event))
            />
            <label for=id>{texts.insecure_label}</label>
            <p class="ms-field__hint" id=hint_id>{texts.insecure_explain}</p>
            <Show when=move || checked.allow_any.get()>
                <p class="ms-field__warning" id=warning_id.clone()>
                    <span class="ms-visually-hidden">{field_texts.warning_prefix}" "</span>
                    {texts.insecure_warning}
                </p>
            </Show>
            // A plain list redrawn when the pins change (one or two lines): a keyed `<For>`
            // would bring its diffing code into the first download, as this part is shared.
            {move || {
                checked
                    .pins
                    .get()
                    .into_iter()
                    .map(|pin| {
                        let line_id = key_id(&pin);
                        let described_by = line_id.clone();
                        view! {
                            <p class="ms-field__hint" id=line_id>
                                {(texts.trusted_key)(&pin.short())}
                                " "
                                <Show when=move || !read_only.get()>
                                    <button
                                        type="button"
                                        class="ms-button ms-button--small"
                                        aria-describedby=described_by.clone()
                                        on:click=move |_| checked.stop_trusting(pin)
                                    >
                                        {texts.stop_trusting_key}
                                    </button>
                                </Show>
                            </p>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}

/// Keeps `security` on what `port` suggests until the person chooses one themselves.
fn follow_port(
    port: RwSignal<String>,
    security: RwSignal<Security>,
    chosen: RwSignal<bool>,
    protocol: Protocol,
) {
    Effect::new(move |_| {
        let port = port.get();
        if chosen.get_untracked() {
            return;
        }
        if let Some(suggested) = ImapDraft::suggested_security(protocol, &port)
            && security.get_untracked() != suggested
        {
            security.set(suggested);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pin(byte: u8) -> SpkiPin {
        SpkiPin::from_sha256([byte; 32])
    }

    #[test]
    fn the_box_and_the_kept_pins_make_the_trust() {
        let owner = Owner::new();
        owner.set();
        let pinned = CertificateTrust::pinned(SpkiPins::new([pin(1), pin(2)]).unwrap());
        let choice = TrustChoice::new(&pinned);
        assert!(
            !choice.allow_any.get_untracked(),
            "a pinned entry: unticked"
        );
        assert_eq!(choice.trust(), pinned, "an edit keeps the pins");
        choice.stop_trusting(pin(1));
        assert_eq!(
            choice.trust(),
            CertificateTrust::pinned(SpkiPins::new([pin(2)]).unwrap())
        );
        choice.stop_trusting(pin(2));
        assert_eq!(choice.trust(), CertificateTrust::Verified, "none left");

        let choice = TrustChoice::new(&pinned);
        choice.allow_any(true);
        assert_eq!(choice.trust(), CertificateTrust::Any);
        choice.allow_any(false);
        assert_eq!(
            choice.trust(),
            CertificateTrust::Verified,
            "ticking replaced the pins"
        );
        for trust in [CertificateTrust::Verified, CertificateTrust::Any] {
            assert_eq!(TrustChoice::new(&trust).trust(), trust);
        }
    }
}
