//! What a person types to log in to their mailbox when connecting it: a [`Username`] and a
//! password.
//!
//! Owns: when a username or password can be used at all (not empty, no control characters in
//! the username).
//! Must not: keep, copy, print or serialise a password. [`check_password`] only looks at it;
//! holding it for the length of one connection attempt is the caller's job.

use std::fmt;

use thiserror::Error;

use crate::problem::Problem;

/// Why a username or password cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CredentialError {
    #[error("Enter the username of your mailbox; usually it is your e-mail address.")]
    EmptyUsername,
    #[error("Remove the line breaks and other invisible control characters from the username.")]
    UsernameControlCharacter,
    #[error("Enter the password of your mailbox.")]
    EmptyPassword,
}

impl Problem for CredentialError {
    fn code(&self) -> &'static str {
        match self {
            Self::EmptyUsername => "credentials.empty_username",
            Self::UsernameControlCharacter => "credentials.username_control_character",
            Self::EmptyPassword => "credentials.empty_password",
        }
    }
}

/// The login name of a mailbox, as the mail server expects it (often the e-mail address, and
/// sometimes a `DOMAIN\user` name, so only what can never work is refused).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    /// Trims the ends (a space typed or pasted around a name is never part of it); refuses an
    /// empty name and control characters.
    pub fn parse(input: &str) -> Result<Username, CredentialError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(CredentialError::EmptyUsername);
        }
        if text.chars().any(char::is_control) {
            return Err(CredentialError::UsernameControlCharacter);
        }
        Ok(Username(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `password` can be sent to a server: anything but nothing. It is never trimmed,
/// because spaces may be part of a password.
pub fn check_password(password: &str) -> Result<(), CredentialError> {
    if password.is_empty() {
        Err(CredentialError::EmptyPassword)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_trimmed_and_kept_as_typed() {
        let table = [
            ("alice@example.com", "alice@example.com"),
            ("  Alice@Example.com\t", "Alice@Example.com"),
            ("CORP\\alice", "CORP\\alice"),
            ("jörg", "jörg"),
        ];
        for (input, expected) in table {
            let username = Username::parse(input).unwrap();
            assert_eq!(username.as_str(), expected, "{input:?}");
            assert_eq!(username.to_string(), expected);
        }
    }

    #[test]
    fn unusable_usernames_say_why() {
        assert_eq!(Username::parse(""), Err(CredentialError::EmptyUsername));
        assert_eq!(Username::parse(" \t "), Err(CredentialError::EmptyUsername));
        assert_eq!(
            Username::parse("alice\nbob"),
            Err(CredentialError::UsernameControlCharacter)
        );
        assert_eq!(
            Username::parse("al\u{0}ice"),
            Err(CredentialError::UsernameControlCharacter)
        );
    }

    #[test]
    fn any_password_but_an_empty_one() {
        assert_eq!(check_password(""), Err(CredentialError::EmptyPassword));
        assert_eq!(check_password(" "), Ok(()));
        assert_eq!(check_password("correct horse battery staple"), Ok(()));
    }

    #[test]
    fn messages_never_contain_what_was_typed() {
        for error in [
            CredentialError::EmptyUsername,
            CredentialError::UsernameControlCharacter,
            CredentialError::EmptyPassword,
        ] {
            assert!(error.params().is_empty(), "{error:?}");
        }
    }
}
