//! Apple's configuration profile (`.mobileconfig`) for one person's mail account:
//! [`write_apple_profile`] writes an unsigned XML property list that iPhone, iPad and Mac
//! install to set up Mail with a domain's IMAP and SMTP servers.
//!
//! Owns: the profile's shape (a `Configuration` payload wrapping one `com.apple.mail.managed`
//! payload), how [`ImapSettings`] map to its keys, and its identifiers: [`profile_uuids`]
//! derives them from the address, so the same person's profile gets the same identifiers and
//! installing it again replaces the first one.
//! Must not: carry a password (the device asks for it on installation), sign the profile, or
//! find the settings (the caller looks the address's domain up in the book).

use std::fmt::Write as _;

use super::xml_text::escape;
use crate::email::EmailAddress;
use crate::security::Endpoint;
use crate::settings::ImapSettings;

/// The media type a profile is served with, so that a device offers to install it.
pub const APPLE_PROFILE_MEDIA_TYPE: &str = "application/x-apple-aspen-config";

/// The prefix of the profile's `PayloadIdentifier`s (reverse DNS of mailsetup.dev).
const IDENTIFIER_PREFIX: &str = "dev.mailsetup.mail";

/// The two identifiers of one person's profile, in UUID form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileUuids {
    /// The outer `Configuration` payload's.
    pub profile: String,
    /// The `com.apple.mail.managed` payload's.
    pub account: String,
}

/// The profile's UUIDs for `address`: derived from its domain and the whole address (a 128-bit
/// FNV-1a hash of each, labelled), written as version 4 UUIDs (version and variant bits set,
/// the rest from the hash), uppercase as Apple's tools write them. Deterministic: the same
/// address always gets the same two.
pub fn profile_uuids(address: &EmailAddress) -> ProfileUuids {
    let seed = format!("{}\u{0}{}", address.domain().as_ascii(), address);
    ProfileUuids {
        profile: uuid_text(fnv1a_128(&format!("mailsetup profile\u{0}{seed}"))),
        account: uuid_text(fnv1a_128(&format!("mailsetup account\u{0}{seed}"))),
    }
}

/// `address`'s profile for `imap`, as the text of an XML property list.
///
/// `IncomingMailServerUseSSL` and `OutgoingMailServerUseSSL` are always true: the servers are
/// always encrypted (core has no plaintext security), and Apple's Mail then uses implicit TLS
/// or STARTTLS as the server's port offers. Both servers take a password
/// (`EmailAuthPassword`), the same for both. The usernames follow the domain's username form;
/// when people type their own, the username keys are left out and the device asks for it.
/// Values are XML-escaped.
pub fn write_apple_profile(address: &EmailAddress, imap: &ImapSettings) -> String {
    let uuids = profile_uuids(address);
    let email = address.to_string();
    let domain = address.domain().to_unicode();
    let username = imap.username.username_for(address);
    let mut plist = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    plist.push_str(
        "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n",
    );
    plist.push_str("<plist version=\"1.0\">\n<dict>\n");
    key(&mut plist, 1, "PayloadContent");
    plist.push_str("  <array>\n    <dict>\n");
    let account = 3;
    string(&mut plist, account, "EmailAccountDescription", &domain);
    string(&mut plist, account, "EmailAccountType", "EmailTypeIMAP");
    string(&mut plist, account, "EmailAddress", &email);
    server(&mut plist, "Incoming", &imap.incoming, username.as_deref());
    server(&mut plist, "Outgoing", &imap.outgoing, username.as_deref());
    boolean(
        &mut plist,
        account,
        "OutgoingPasswordSameAsIncomingPassword",
        true,
    );
    string(
        &mut plist,
        account,
        "PayloadDescription",
        &format!("Sets up the mail account {email}."),
    );
    string(
        &mut plist,
        account,
        "PayloadDisplayName",
        &format!("Mail ({email})"),
    );
    string(
        &mut plist,
        account,
        "PayloadIdentifier",
        &format!("{IDENTIFIER_PREFIX}.{}.account", uuids.profile),
    );
    string(&mut plist, account, "PayloadType", "com.apple.mail.managed");
    string(&mut plist, account, "PayloadUUID", &uuids.account);
    integer(&mut plist, account, "PayloadVersion", 1);
    plist.push_str("    </dict>\n  </array>\n");
    string(
        &mut plist,
        1,
        "PayloadDescription",
        &format!(
            "Sets up {email} in Mail with the servers of {domain}. Mail asks for the password."
        ),
    );
    string(
        &mut plist,
        1,
        "PayloadDisplayName",
        &format!("Mail settings for {email}"),
    );
    string(
        &mut plist,
        1,
        "PayloadIdentifier",
        &format!("{IDENTIFIER_PREFIX}.{}", uuids.profile),
    );
    boolean(&mut plist, 1, "PayloadRemovalDisallowed", false);
    string(&mut plist, 1, "PayloadType", "Configuration");
    string(&mut plist, 1, "PayloadUUID", &uuids.profile);
    integer(&mut plist, 1, "PayloadVersion", 1);
    plist.push_str("</dict>\n</plist>\n");
    plist
}

/// One server's keys: `{side}MailServerHostName`, `PortNumber`, `UseSSL`, `Username` (when
/// known) and `Authentication`.
fn server(plist: &mut String, side: &str, endpoint: &Endpoint, username: Option<&str>) {
    let depth = 3;
    string(
        plist,
        depth,
        &format!("{side}MailServerAuthentication"),
        "EmailAuthPassword",
    );
    string(
        plist,
        depth,
        &format!("{side}MailServerHostName"),
        &endpoint.host.to_string(),
    );
    integer(
        plist,
        depth,
        &format!("{side}MailServerPortNumber"),
        endpoint.port.get().into(),
    );
    boolean(plist, depth, &format!("{side}MailServerUseSSL"), true);
    if let Some(username) = username {
        string(plist, depth, &format!("{side}MailServerUsername"), username);
    }
}

fn indent(plist: &mut String, depth: usize) {
    plist.push_str(&"  ".repeat(depth));
}

fn key(plist: &mut String, depth: usize, name: &str) {
    indent(plist, depth);
    let _ = writeln!(plist, "<key>{}</key>", escape(name));
}

fn string(plist: &mut String, depth: usize, name: &str, value: &str) {
    key(plist, depth, name);
    indent(plist, depth);
    let _ = writeln!(plist, "<string>{}</string>", escape(value));
}

fn integer(plist: &mut String, depth: usize, name: &str, value: u32) {
    key(plist, depth, name);
    indent(plist, depth);
    let _ = writeln!(plist, "<integer>{value}</integer>");
}

fn boolean(plist: &mut String, depth: usize, name: &str, value: bool) {
    key(plist, depth, name);
    indent(plist, depth);
    plist.push_str(if value { "<true/>\n" } else { "<false/>\n" });
}

/// FNV-1a, 128 bits: a small, fixed, well-known hash; the identifiers need to be stable and
/// distinct, not secret.
fn fnv1a_128(text: &str) -> u128 {
    const OFFSET_BASIS: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    text.bytes().fold(OFFSET_BASIS, |hash, byte| {
        (hash ^ u128::from(byte)).wrapping_mul(PRIME)
    })
}

/// `bits` as an uppercase version 4 UUID (`8-4-4-4-12` hex digits).
fn uuid_text(bits: u128) -> String {
    let version_4 = (bits & !(0xF << 76)) | (0x4 << 76);
    let variant_10 = (version_4 & !(0x3 << 62)) | (0x2 << 62);
    let hex = format!("{variant_10:032X}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
#[path = "apple_profile_tests.rs"]
mod tests;
