//! International domain names in the browser: the browser's own UTS #46 mapping (its URL parser)
//! becomes mailsetup-core's backend, so the download carries no Unicode tables of its own.
//!
//! Owns: installing that backend. Must not: judge names (core does) or touch the DOM.

/// Installs the browser's UTS #46 mapping into mailsetup-core, which was built without its own
/// tables. [`crate::MailSetup`] does it before it reads any settings; call it yourself only to use
/// mailsetup-core's parsers before mounting a component. Calling it again changes nothing.
pub fn install_browser_uts46() {
    mailsetup_core::set_uts46_backend(browser_to_ascii);
}

/// ToASCII as the URL Standard does it: the hostname `new URL("http://" + domain + "/")` reads,
/// or `None` when the browser refuses the name. Core only passes names ending in a letter label
/// made of characters that map onto letters, digits, '-' and '.'.
fn browser_to_ascii(domain: &str) -> Option<String> {
    web_sys::Url::new(&format!("http://{domain}/"))
        .ok()
        .map(|url| url.hostname())
}
