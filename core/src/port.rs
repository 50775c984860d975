//! [`Port`]: a TCP port from 1 to 65535, parsed from a "port" field or storage.
//!
//! Owns: the strict text form (ASCII digits only) and the well-known mail ports.
//! Must not: judge whether a port suits a protocol or security mode; `security.rs` does.

use std::fmt;
use std::num::NonZeroU16;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::problem::Problem;

/// A TCP port from 1 to 65535. Port 0 cannot be represented (it means "any port" to an OS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "u16", try_from = "u64")]
pub struct Port(NonZeroU16);

/// Why some text or number is not a port.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PortError {
    #[error("Enter a port number between 1 and 65535, such as 993.")]
    Empty,
    #[error("Enter a port number between 1 and 65535, such as 993; port 0 cannot be used.")]
    Zero,
    #[error("Enter a port number between 1 and 65535, such as 993; this number is too large.")]
    TooLarge,
    #[error("Enter the port as digits only, a number between 1 and 65535, such as 993.")]
    NotANumber,
}

impl Problem for PortError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "port.empty",
            Self::Zero => "port.zero",
            Self::TooLarge => "port.too_large",
            Self::NotANumber => "port.not_a_number",
        }
    }
}

/// A port that is never zero, for the constants below.
const fn well_known(number: u16) -> Port {
    match NonZeroU16::new(number) {
        Some(port) => Port(port),
        None => panic!("well-known ports are not zero"),
    }
}

impl Port {
    /// IMAP over implicit TLS.
    pub const IMAP_SSL: Port = well_known(993);
    /// IMAP, upgraded with STARTTLS.
    pub const IMAP_STARTTLS: Port = well_known(143);
    /// SMTP submission over implicit TLS.
    pub const SMTP_SSL: Port = well_known(465);
    /// SMTP submission, upgraded with STARTTLS.
    pub const SMTP_SUBMISSION: Port = well_known(587);
    /// SMTP between mail servers; usually blocked for submission.
    pub const SMTP_RELAY: Port = well_known(25);

    /// Parses a port as typed: trims, then ASCII digits only (no sign, no decimals, no
    /// non-ASCII digits). Leading zeros are accepted, so `0993` is 993.
    pub fn parse(input: &str) -> Result<Port, PortError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(PortError::Empty);
        }
        // Checked by hand because u16::from_str accepts "+993".
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PortError::NotANumber);
        }
        let significant = text.trim_start_matches('0');
        if significant.is_empty() {
            return Err(PortError::Zero);
        }
        // Five digits fit in u32; longer strings are too large whatever they say.
        if significant.len() > 5 {
            return Err(PortError::TooLarge);
        }
        let number: u32 = significant.parse().map_err(|_| PortError::NotANumber)?;
        Port::try_from(u64::from(number))
    }

    /// The port for `number`, or `None` for 0.
    pub const fn new(number: u16) -> Option<Port> {
        match NonZeroU16::new(number) {
            Some(port) => Some(Port(port)),
            None => None,
        }
    }

    /// The port number.
    pub const fn get(self) -> u16 {
        self.0.get()
    }
}

impl TryFrom<u64> for Port {
    type Error = PortError;

    fn try_from(number: u64) -> Result<Self, Self::Error> {
        let number = u16::try_from(number).map_err(|_| PortError::TooLarge)?;
        Port::new(number).ok_or(PortError::Zero)
    }
}

impl From<Port> for u16 {
    fn from(port: Port) -> u16 {
        port.get()
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for Port {
    type Err = PortError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Port::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_ports() {
        let table = [
            ("993", 993),
            (" 993 ", 993),
            ("1", 1),
            ("65535", 65535),
            ("0993", 993),
            ("000000000025", 25),
        ];
        for (input, expected) in table {
            assert_eq!(Port::parse(input).map(Port::get), Ok(expected), "{input:?}");
        }
    }

    #[test]
    fn invalid_ports_give_the_precise_error() {
        let table = [
            ("", PortError::Empty),
            ("   ", PortError::Empty),
            ("0", PortError::Zero),
            ("000", PortError::Zero),
            ("65536", PortError::TooLarge),
            ("99999", PortError::TooLarge),
            ("123456", PortError::TooLarge),
            ("99999999999999999999999", PortError::TooLarge),
            ("-1", PortError::NotANumber),
            ("+993", PortError::NotANumber),
            ("1e3", PortError::NotANumber),
            ("9 93", PortError::NotANumber),
            ("٩٩٣", PortError::NotANumber),
            ("９９３", PortError::NotANumber),
            ("993.0", PortError::NotANumber),
            ("0x3e1", PortError::NotANumber),
            ("imaps", PortError::NotANumber),
        ];
        for (input, expected) in table {
            assert_eq!(Port::parse(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn constants_new_and_display() {
        assert_eq!(Port::IMAP_SSL.get(), 993);
        assert_eq!(Port::IMAP_STARTTLS.get(), 143);
        assert_eq!(Port::SMTP_SSL.get(), 465);
        assert_eq!(Port::SMTP_SUBMISSION.get(), 587);
        assert_eq!(Port::SMTP_RELAY.get(), 25);
        assert_eq!(Port::new(0), None);
        assert_eq!(Port::new(587), Some(Port::SMTP_SUBMISSION));
        assert_eq!(Port::IMAP_SSL.to_string(), "993");
        assert_eq!("0993".parse::<Port>(), Ok(Port::IMAP_SSL));
    }

    #[test]
    fn serde_uses_a_number_and_rejects_out_of_range() {
        assert_eq!(serde_json::to_string(&Port::IMAP_SSL).unwrap(), "993");
        assert_eq!(serde_json::from_str::<Port>("993").unwrap(), Port::IMAP_SSL);
        for bad in ["0", "65536", "-1", "993.5", "\"993\"", "null"] {
            assert!(serde_json::from_str::<Port>(bad).is_err(), "{bad}");
        }
    }
}
