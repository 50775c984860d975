//! [`Domain`]: the e-mail domain a company configures (the part after '@'), parsed from what a
//! person typed into the "Domain name" field or from storage.
//!
//! Owns: trimming, the friendly forms people type (`@example.com`, a trailing dot, mixed case,
//! international names) and the domain-only errors (e-mail address, IP address, single label).
//! Must not: re-implement the DNS label rules, which live in `name.rs` and are shared with `Host`.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};
use thiserror::Error;

use crate::name::{NameError, to_ascii_name};
use crate::problem::Problem;
use crate::uts46;

/// A valid e-mail domain with at least two labels, stored in lowercase ASCII (punycode) form
/// without a trailing dot, so `Bücher.example`, `BÜCHER.EXAMPLE.` and `xn--bcher-kva.example`
/// are one value. Ordered and compared by that ASCII form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct Domain(String);

/// Why some text is not a domain.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("Enter a domain, such as example.com.")]
    Empty,
    #[error(
        "Enter only the domain, such as {}, not a whole e-mail address.",
        suggestion.as_deref().unwrap_or("example.com")
    )]
    LooksLikeEmail { suggestion: Option<String> },
    #[error("Remove the spaces: a domain cannot contain spaces. Enter it like example.com.")]
    ContainsSpace,
    #[error(
        "Enter the full domain including its ending, such as example.com, not only \"{label}\"."
    )]
    SingleLabel { label: String },
    #[error("Enter a domain name, such as example.com, not an IP address.")]
    IpAddress,
    #[error(transparent)]
    Name(#[from] NameError),
}

impl Problem for DomainError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "domain.empty",
            Self::LooksLikeEmail { .. } => "domain.looks_like_email",
            Self::ContainsSpace => "domain.contains_space",
            Self::SingleLabel { .. } => "domain.single_label",
            Self::IpAddress => "domain.ip_address",
            Self::Name(error) => error.code(),
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::LooksLikeEmail {
                suggestion: Some(suggestion),
            } => vec![("suggestion", suggestion.clone())],
            Self::SingleLabel { label } => vec![("label", label.clone())],
            Self::Name(error) => error.params(),
            Self::Empty
            | Self::LooksLikeEmail { suggestion: None }
            | Self::ContainsSpace
            | Self::IpAddress => Vec::new(),
        }
    }
}

impl Domain {
    /// Parses what a person typed: trims, accepts one leading `@` and one trailing dot, lowercases
    /// and converts international names to ASCII per UTS #46, as browsers do.
    pub fn parse(input: &str) -> Result<Domain, DomainError> {
        let trimmed = input.trim();
        // "@example.com" is how many people write "everyone at example.com".
        let text = trimmed.strip_prefix('@').unwrap_or(trimmed);
        if text.is_empty() {
            return Err(DomainError::Empty);
        }
        if let Some((_, domain_part)) = text.rsplit_once('@') {
            let suggestion = Domain::parse(domain_part)
                .ok()
                .map(|domain| domain.to_unicode());
            return Err(DomainError::LooksLikeEmail { suggestion });
        }
        if text.chars().any(char::is_whitespace) {
            return Err(DomainError::ContainsSpace);
        }
        if is_ip_address(text) {
            return Err(DomainError::IpAddress);
        }
        let ascii = to_ascii_name(text)?;
        if !ascii.contains('.') {
            return Err(DomainError::SingleLabel {
                label: readable(&ascii),
            });
        }
        Ok(Domain(ascii))
    }

    /// The lowercase ASCII (punycode) form, e.g. `xn--bcher-kva.example`; what DNS and storage use.
    pub fn as_ascii(&self) -> &str {
        &self.0
    }

    /// The form to show people, e.g. `bücher.example`.
    pub fn to_unicode(&self) -> String {
        readable(&self.0)
    }

    /// Whether any label is an international (punycode) label.
    pub fn is_internationalized(&self) -> bool {
        self.labels().any(|label| label.starts_with("xn--"))
    }

    /// The ASCII labels from the leftmost, e.g. `["mail", "example", "com"]`.
    pub fn labels(&self) -> impl Iterator<Item = &str> + '_ {
        self.0.split('.')
    }

    /// The domain one level up (`example.com` for `mail.example.com`), or `None` when that would
    /// be a single label such as `com`, which is never a domain a company configures.
    pub fn parent(&self) -> Option<Domain> {
        let (_, rest) = self.0.split_once('.')?;
        // A suffix of a valid name is valid; it is a domain only if it still has two labels.
        rest.contains('.').then(|| Domain(rest.to_owned()))
    }

    /// Whether `self` is strictly below `other`, aligned on labels: `mail.example.com` is under
    /// `example.com`, but `badexample.com` and `example.com` itself are not.
    pub fn is_subdomain_of(&self, other: &Domain) -> bool {
        self.0.len() > other.0.len()
            && self.0.ends_with(other.0.as_str())
            && self.0.as_bytes()[self.0.len() - other.0.len() - 1] == b'.'
    }
}

/// Whether `text` is an IP address literal, which people sometimes type instead of a domain.
fn is_ip_address(text: &str) -> bool {
    let unbracketed = text
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .unwrap_or(text);
    text.parse::<Ipv4Addr>().is_ok() || unbracketed.parse::<Ipv6Addr>().is_ok()
}

/// The Unicode form of a validated ASCII name; falls back to ASCII, which is always correct.
fn readable(ascii: &str) -> String {
    uts46::to_unicode(ascii)
}

impl fmt::Display for Domain {
    /// The canonical ASCII form; it parses back to an equal `Domain`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Domain {
    type Err = DomainError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Domain::parse(text)
    }
}

impl TryFrom<String> for Domain {
    type Error = DomainError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Domain::parse(&text)
    }
}

impl AsRef<str> for Domain {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for Domain {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain(text: &str) -> Domain {
        Domain::parse(text).unwrap()
    }

    #[test]
    fn valid_domains_normalise_to_ascii() {
        let table = [
            ("example.com", "example.com"),
            ("  Example.COM  ", "example.com"),
            ("example.com.", "example.com"),
            ("@example.com", "example.com"),
            (" @Example.com. ", "example.com"),
            ("mail.example.co.uk", "mail.example.co.uk"),
            ("Bücher.example", "xn--bcher-kva.example"),
            ("123.example", "123.example"),
            ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ];
        for (input, expected) in table {
            assert_eq!(domain(input).as_ascii(), expected, "{input}");
        }
    }

    #[test]
    fn the_three_buecher_forms_are_equal() {
        let forms = ["Bücher.example", "BÜCHER.EXAMPLE.", "xn--bcher-kva.example"];
        for form in forms {
            assert_eq!(domain(form), domain("bücher.example"), "{form}");
        }
        let parsed = domain("BÜCHER.EXAMPLE.");
        assert_eq!(parsed.to_unicode(), "bücher.example");
        assert!(parsed.is_internationalized());
        assert!(!domain("example.com").is_internationalized());
    }

    #[test]
    fn invalid_domains_give_the_precise_error() {
        let table: Vec<(&str, DomainError)> = vec![
            ("", DomainError::Empty),
            ("   ", DomainError::Empty),
            ("@", DomainError::Empty),
            (
                "alice@example.com",
                DomainError::LooksLikeEmail {
                    suggestion: Some("example.com".into()),
                },
            ),
            (
                "Alice@Bücher.Example",
                DomainError::LooksLikeEmail {
                    suggestion: Some("bücher.example".into()),
                },
            ),
            ("alice@", DomainError::LooksLikeEmail { suggestion: None }),
            (
                "alice@exa_mple.com",
                DomainError::LooksLikeEmail { suggestion: None },
            ),
            ("exa mple.com", DomainError::ContainsSpace),
            (
                "localhost",
                DomainError::SingleLabel {
                    label: "localhost".into(),
                },
            ),
            (
                "example",
                DomainError::SingleLabel {
                    label: "example".into(),
                },
            ),
            (
                "example.",
                DomainError::SingleLabel {
                    label: "example".into(),
                },
            ),
            ("192.0.2.1", DomainError::IpAddress),
            ("[::1]", DomainError::IpAddress),
            ("::1", DomainError::IpAddress),
            ("2001:db8::1", DomainError::IpAddress),
            (
                "exa_mple.com",
                NameError::InvalidCharacter { character: '_' }.into(),
            ),
            (
                "https://example.com",
                NameError::InvalidCharacter { character: ':' }.into(),
            ),
            ("a..b.com", NameError::EmptyLabel.into()),
            (
                "-a.com",
                NameError::HyphenAtLabelEdge { label: "-a".into() }.into(),
            ),
            (
                "a-.com",
                NameError::HyphenAtLabelEdge { label: "a-".into() }.into(),
            ),
            ("example.123", NameError::NumericTopLevel.into()),
            ("192.0.2.256", NameError::NumericTopLevel.into()),
        ];
        for (input, expected) in table {
            assert_eq!(Domain::parse(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn label_and_name_length_limits() {
        let label_63 = "a".repeat(63);
        assert!(Domain::parse(&format!("{label_63}.com")).is_ok());
        let label_64 = "a".repeat(64);
        assert_eq!(
            Domain::parse(&format!("{label_64}.com")),
            Err(NameError::LabelTooLong {
                label: label_64,
                length: 64
            }
            .into())
        );
        let name_253 = format!("{0}.{0}.{0}.{1}", label_63, "a".repeat(61));
        assert_eq!(domain(&name_253).as_ascii().len(), 253);
        let name_254 = format!("{0}.{0}.{0}.{1}", label_63, "a".repeat(62));
        assert_eq!(
            Domain::parse(&name_254),
            Err(NameError::TooLong { length: 254 }.into())
        );
    }

    #[test]
    fn parent_and_subdomain_are_label_aligned() {
        let mail = domain("mail.example.com");
        let example = domain("example.com");
        assert_eq!(mail.parent(), Some(example.clone()));
        assert_eq!(example.parent(), None);
        assert!(mail.is_subdomain_of(&example));
        assert!(domain("a.b.example.com").is_subdomain_of(&example));
        assert!(!domain("badexample.com").is_subdomain_of(&example));
        assert!(!example.is_subdomain_of(&example));
        assert!(!example.is_subdomain_of(&mail));
        assert_eq!(
            mail.labels().collect::<Vec<_>>(),
            vec!["mail", "example", "com"]
        );
    }

    #[test]
    fn display_round_trips_and_serde_uses_the_string() {
        for text in ["Bücher.example", "@Mail.Example.com."] {
            let parsed = domain(text);
            assert_eq!(domain(&format!("{parsed}")), parsed);
            assert_eq!(parsed.to_string().parse::<Domain>().unwrap(), parsed);
            let json = serde_json::to_string(&parsed).unwrap();
            assert_eq!(json, format!("\"{}\"", parsed.as_ascii()));
            assert_eq!(serde_json::from_str::<Domain>(&json).unwrap(), parsed);
        }
        assert!(serde_json::from_str::<Domain>("\"localhost\"").is_err());
        assert!(serde_json::from_str::<Domain>("42").is_err());
    }

    #[test]
    fn ordering_is_by_ascii_form() {
        let mut domains = [
            domain("b.example"),
            domain("Bücher.example"),
            domain("a.example"),
        ];
        domains.sort();
        let ascii: Vec<&str> = domains.iter().map(Domain::as_ascii).collect();
        assert_eq!(
            ascii,
            vec!["a.example", "b.example", "xn--bcher-kva.example"]
        );
    }
}
