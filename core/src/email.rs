//! [`EmailAddress`]: the address a person connects, used to find their domain's settings.
//!
//! Owns: splitting at the '@' and the local-part rules (dot-atom style plus UTF-8, no quoted
//! local parts, which mail providers for companies do not hand out).
//! Must not: re-check the domain part itself; `Domain::parse` does.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use crate::domain::{Domain, DomainError};
use crate::problem::Problem;

/// Longest local part in octets (RFC 5321).
const MAX_LOCAL_PART_OCTETS: usize = 64;

/// Characters that need quoting in a local part, which we do not support.
const SPECIAL_CHARACTERS: &str = "()<>[]\\,;:\"@";

/// A valid e-mail address: a local part and a [`Domain`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EmailAddress {
    local_part: String,
    domain: Domain,
}

/// Why some text is not an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EmailError {
    #[error("Enter an e-mail address, such as alice@example.com.")]
    Empty,
    #[error("Enter the whole e-mail address including @, such as alice@example.com.")]
    MissingAt,
    #[error("Enter one e-mail address with a single @, such as alice@example.com.")]
    MultipleAt,
    #[error("Enter the name before the @, such as alice@example.com.")]
    EmptyLocalPart,
    #[error("Shorten the part before the @: it can have at most 64 characters.")]
    LocalPartTooLong,
    #[error("Remove {character:?} from the part before the @, as in alice@example.com.")]
    InvalidLocalPart { character: char },
    #[error(
        "Remove the extra dots before the @: a dot cannot come first, last or twice in a row, as in alice.smith@example.com."
    )]
    LocalPartDots,
    #[error(transparent)]
    Domain(#[from] DomainError),
}

impl Problem for EmailError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "email.empty",
            Self::MissingAt => "email.missing_at",
            Self::MultipleAt => "email.multiple_at",
            Self::EmptyLocalPart => "email.empty_local_part",
            Self::LocalPartTooLong => "email.local_part_too_long",
            Self::InvalidLocalPart { .. } => "email.invalid_local_part",
            Self::LocalPartDots => "email.local_part_dots",
            Self::Domain(error) => error.code(),
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::InvalidLocalPart { character } => vec![("character", character.to_string())],
            Self::Domain(error) => error.params(),
            Self::Empty
            | Self::MissingAt
            | Self::MultipleAt
            | Self::EmptyLocalPart
            | Self::LocalPartTooLong
            | Self::LocalPartDots => Vec::new(),
        }
    }
}

impl EmailAddress {
    /// Parses an address as typed: trims; exactly one '@'; the domain follows `Domain` rules.
    pub fn parse(input: &str) -> Result<EmailAddress, EmailError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(EmailError::Empty);
        }
        let mut parts = text.split('@');
        let (Some(local_part), Some(domain_part), None) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(if text.contains('@') {
                EmailError::MultipleAt
            } else {
                EmailError::MissingAt
            });
        };
        if local_part.is_empty() {
            return Err(EmailError::EmptyLocalPart);
        }
        if local_part.len() > MAX_LOCAL_PART_OCTETS {
            return Err(EmailError::LocalPartTooLong);
        }
        if let Some(character) = local_part
            .chars()
            .find(|&c| c.is_whitespace() || c.is_control() || SPECIAL_CHARACTERS.contains(c))
        {
            return Err(EmailError::InvalidLocalPart { character });
        }
        if local_part.starts_with('.') || local_part.ends_with('.') || local_part.contains("..") {
            return Err(EmailError::LocalPartDots);
        }
        // A leading '@' is fine in a domain field but here it would mean "a@@b".
        if domain_part.is_empty() {
            return Err(DomainError::Empty.into());
        }
        let domain = Domain::parse(domain_part)?;
        Ok(EmailAddress {
            local_part: local_part.to_owned(),
            domain,
        })
    }

    /// The part before the '@', as typed (its case may matter to the mail server).
    pub fn local_part(&self) -> &str {
        &self.local_part
    }

    /// The part after the '@'.
    pub fn domain(&self) -> &Domain {
        &self.domain
    }
}

impl fmt::Display for EmailAddress {
    /// `local@ascii-domain`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local_part, self.domain)
    }
}

impl FromStr for EmailAddress {
    type Err = EmailError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        EmailAddress::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::NameError;

    #[test]
    fn valid_addresses() {
        let table = [
            ("alice@example.com", "alice", "alice@example.com"),
            (
                "  Alice.Smith@Example.COM ",
                "Alice.Smith",
                "Alice.Smith@example.com",
            ),
            ("a+tag@mail.example.com", "a+tag", "a+tag@mail.example.com"),
            ("jörg@Bücher.example", "jörg", "jörg@xn--bcher-kva.example"),
            ("o'brien@example.com", "o'brien", "o'brien@example.com"),
        ];
        for (input, local, display) in table {
            let parsed = EmailAddress::parse(input).unwrap();
            assert_eq!(parsed.local_part(), local, "{input}");
            assert_eq!(parsed.to_string(), display, "{input}");
            assert_eq!(parsed.to_string().parse::<EmailAddress>().unwrap(), parsed);
        }
        let long_local = "a".repeat(64);
        assert!(EmailAddress::parse(&format!("{long_local}@example.com")).is_ok());
        assert_eq!(
            EmailAddress::parse("alice@example.com")
                .unwrap()
                .domain()
                .as_ascii(),
            "example.com"
        );
    }

    #[test]
    fn invalid_addresses_give_the_precise_error() {
        let too_long = format!("{}@example.com", "a".repeat(65));
        let table: Vec<(&str, EmailError)> = vec![
            ("", EmailError::Empty),
            ("  ", EmailError::Empty),
            ("alice.example.com", EmailError::MissingAt),
            ("alice@bob@example.com", EmailError::MultipleAt),
            ("alice@@example.com", EmailError::MultipleAt),
            ("@example.com", EmailError::EmptyLocalPart),
            (&too_long, EmailError::LocalPartTooLong),
            (
                "al ice@example.com",
                EmailError::InvalidLocalPart { character: ' ' },
            ),
            (
                "al\tice@example.com",
                EmailError::InvalidLocalPart { character: '\t' },
            ),
            (
                "\"alice\"@example.com",
                EmailError::InvalidLocalPart { character: '"' },
            ),
            (
                "a,b@example.com",
                EmailError::InvalidLocalPart { character: ',' },
            ),
            (
                "<alice@example.com",
                EmailError::InvalidLocalPart { character: '<' },
            ),
            (
                "a\u{7}b@example.com",
                EmailError::InvalidLocalPart { character: '\u{7}' },
            ),
            (".alice@example.com", EmailError::LocalPartDots),
            ("alice.@example.com", EmailError::LocalPartDots),
            ("al..ice@example.com", EmailError::LocalPartDots),
            ("alice@", DomainError::Empty.into()),
            (
                "alice@localhost",
                DomainError::SingleLabel {
                    label: "localhost".into(),
                }
                .into(),
            ),
            ("alice@192.0.2.1", DomainError::IpAddress.into()),
            (
                "alice@[192.0.2.1]",
                DomainError::Name(NameError::InvalidCharacter { character: '[' }).into(),
            ),
            (
                "alice@exa_mple.com",
                DomainError::Name(NameError::InvalidCharacter { character: '_' }).into(),
            ),
        ];
        for (input, expected) in table {
            assert_eq!(EmailAddress::parse(input), Err(expected), "{input:?}");
        }
    }
}
