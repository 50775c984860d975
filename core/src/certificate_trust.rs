//! [`CertificateTrust`]: how the servers of one domain must prove who they are. The chain they
//! present verifies against the trusted roots for the host name ([`CertificateTrust::Verified`],
//! the default); or one of a few pinned public keys is among the keys of the chain they
//! present, whoever issued it ([`CertificateTrust::Pinned`], so pinning a company CA's key
//! survives a server's renewal); or anything goes and certificate problems are only warnings
//! ([`CertificateTrust::Any`], what "Allow insecure certificates" always meant).
//!
//! Wire form (the document, the REST API): `{"mode": "verified"}`,
//! `{"mode": "pinned", "spki_sha256": ["<64 lowercase hex digits>", ...]}`, `{"mode": "any"}`.
//!
//! Owns: the three modes and their names, a pin ([`SpkiPin`]: SHA-256 over a DER
//! SubjectPublicKeyInfo) and its text form, the rule that a pinned trust has at least one pin
//! and no pin twice, and how the trust relates to the version-2 flag `allow_insecure_certificates`.
//! Must not: look at a certificate (the server's check does) or read an entry's fields (the
//! document and the spreadsheet reader do, with these parse functions, and name the field).

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::problem::Problem;

/// How many hex digits a pin has: SHA-256 is 32 bytes.
pub const SPKI_PIN_HEX_DIGITS: usize = 64;

/// A pinned key: SHA-256 over a DER SubjectPublicKeyInfo (what the connection check reports as
/// a certificate's `spki_sha256`). Written as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SpkiPin([u8; 32]);

impl SpkiPin {
    /// The pin of a key whose SubjectPublicKeyInfo hashes to `digest`.
    pub const fn from_sha256(digest: [u8; 32]) -> SpkiPin {
        SpkiPin(digest)
    }

    /// Reads 64 hex digits, surrounding whitespace ignored, upper case accepted.
    pub fn parse(text: &str) -> Result<SpkiPin, CertificateTrustError> {
        let text = text.trim();
        if let Some(character) = text.chars().find(|c| !c.is_ascii_hexdigit()) {
            return Err(CertificateTrustError::PinNotHex { character });
        }
        if text.len() != SPKI_PIN_HEX_DIGITS {
            return Err(CertificateTrustError::PinWrongLength { length: text.len() });
        }
        let mut digest = [0_u8; 32];
        for (byte, pair) in digest.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
            // Both are ASCII hex digits, checked above.
            *byte = (hex_value(pair[0]) << 4) | hex_value(pair[1]);
        }
        Ok(SpkiPin(digest))
    }

    /// The SHA-256 digest.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The first 16 hex digits, for a line that names the key without all of it.
    pub fn short(&self) -> String {
        let mut text = self.to_string();
        text.truncate(16);
        text
    }
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        b'A'..=b'F' => digit - b'A' + 10,
        _ => 0,
    }
}

impl fmt::Display for SpkiPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for SpkiPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpkiPin({self})")
    }
}

/// The pins of a pinned trust: at least one, none twice, in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SpkiPins(Vec<SpkiPin>);

impl SpkiPins {
    /// `pins` without repeats (the first of equal pins stays); refused when there are none.
    pub fn new(pins: impl IntoIterator<Item = SpkiPin>) -> Result<SpkiPins, CertificateTrustError> {
        let mut kept: Vec<SpkiPin> = Vec::new();
        for pin in pins {
            if !kept.contains(&pin) {
                kept.push(pin);
            }
        }
        if kept.is_empty() {
            return Err(CertificateTrustError::NoPins);
        }
        Ok(SpkiPins(kept))
    }

    /// Reads every text with [`SpkiPin::parse`]; the problems come with the position of the
    /// text they concern, or `None` for the list as a whole (no pins at all).
    pub fn parse<'a>(
        texts: impl IntoIterator<Item = &'a str>,
    ) -> Result<SpkiPins, Vec<(Option<usize>, CertificateTrustError)>> {
        let mut pins = Vec::new();
        let mut problems = Vec::new();
        for (index, text) in texts.into_iter().enumerate() {
            match SpkiPin::parse(text) {
                Ok(pin) => pins.push(pin),
                Err(problem) => problems.push((Some(index), problem)),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        SpkiPins::new(pins).map_err(|problem| vec![(None, problem)])
    }

    pub fn iter(&self) -> std::slice::Iter<'_, SpkiPin> {
        self.0.iter()
    }

    pub fn as_slice(&self) -> &[SpkiPin] {
        &self.0
    }

    /// Whether a key whose SubjectPublicKeyInfo hashes to `digest` is pinned.
    pub fn contains_digest(&self, digest: &[u8]) -> bool {
        self.0.iter().any(|pin| pin.0.as_slice() == digest)
    }
}

impl<'a> IntoIterator for &'a SpkiPins {
    type Item = &'a SpkiPin;
    type IntoIter = std::slice::Iter<'a, SpkiPin>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// The three ways of trusting certificates, without the pins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrustMode {
    Verified,
    Pinned,
    Any,
}

impl TrustMode {
    pub const ALL: [TrustMode; 3] = [TrustMode::Verified, TrustMode::Pinned, TrustMode::Any];

    /// The wire name: `verified`, `pinned` or `any`.
    pub fn as_str(self) -> &'static str {
        match self {
            TrustMode::Verified => "verified",
            TrustMode::Pinned => "pinned",
            TrustMode::Any => "any",
        }
    }

    /// The mode named by [`TrustMode::as_str`], exactly (as the document's other names, such
    /// as `type`, are); anything else is refused.
    pub fn parse(text: &str) -> Result<TrustMode, CertificateTrustError> {
        TrustMode::ALL
            .into_iter()
            .find(|mode| mode.as_str() == text)
            .ok_or_else(|| CertificateTrustError::UnknownMode {
                found: text.chars().take(40).collect(),
            })
    }
}

/// How the servers of a domain must prove who they are. See the module comment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum CertificateTrust {
    /// The chain must verify against the trusted roots for the host name.
    #[default]
    Verified,
    /// A key of the presented chain (leaf, intermediate or root) must be one of these.
    Pinned { spki_sha256: SpkiPins },
    /// Anything goes: certificate problems are warnings ("Allow insecure certificates").
    Any,
}

impl CertificateTrust {
    pub fn mode(&self) -> TrustMode {
        match self {
            CertificateTrust::Verified => TrustMode::Verified,
            CertificateTrust::Pinned { .. } => TrustMode::Pinned,
            CertificateTrust::Any => TrustMode::Any,
        }
    }

    /// The trust of a mode without pins, or with these pins: `pins` must be empty unless the
    /// mode is pinned, and a pinned mode needs at least one.
    pub fn of_mode(
        mode: TrustMode,
        pins: Vec<SpkiPin>,
    ) -> Result<CertificateTrust, CertificateTrustError> {
        match mode {
            TrustMode::Pinned => SpkiPins::new(pins).map(CertificateTrust::pinned),
            _ if !pins.is_empty() => Err(CertificateTrustError::PinsWithoutPinning),
            TrustMode::Verified => Ok(CertificateTrust::Verified),
            TrustMode::Any => Ok(CertificateTrust::Any),
        }
    }

    pub fn pinned(pins: SpkiPins) -> CertificateTrust {
        CertificateTrust::Pinned { spki_sha256: pins }
    }

    /// The pins; none unless pinned.
    pub fn pins(&self) -> &[SpkiPin] {
        match self {
            CertificateTrust::Pinned { spki_sha256 } => spki_sha256.as_slice(),
            CertificateTrust::Verified | CertificateTrust::Any => &[],
        }
    }

    /// Whether any certificate is accepted: the version-2 flag `allow_insecure_certificates`,
    /// still written beside the trust for readers that know only the flag.
    pub fn allows_any_certificate(&self) -> bool {
        *self == CertificateTrust::Any
    }

    /// What the version-2 flag `allow_insecure_certificates` alone means: any, or verified.
    pub fn from_insecure_flag(allow_insecure_certificates: bool) -> CertificateTrust {
        if allow_insecure_certificates {
            CertificateTrust::Any
        } else {
            CertificateTrust::Verified
        }
    }

    /// The problem when the flag `allow_insecure_certificates`, sent beside this trust, says
    /// otherwise: true belongs with any, false with verified or pinned.
    pub fn check_insecure_flag(&self, flag: bool) -> Result<(), CertificateTrustError> {
        if self.allows_any_certificate() == flag {
            Ok(())
        } else {
            Err(CertificateTrustError::DisagreesWithInsecureFlag {
                flag,
                mode: self.mode().as_str(),
            })
        }
    }
}

/// Why a certificate trust (or one of its pins) cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CertificateTrustError {
    #[error(
        "A key fingerprint has only the digits 0-9 and the letters a-f, but this one has \"{character}\". Copy the SHA-256 fingerprint of the key (spki_sha256) again, without separators."
    )]
    PinNotHex { character: char },
    #[error(
        "A key fingerprint is 64 hexadecimal digits (SHA-256 of the key), but this one has {length}. Copy the whole fingerprint (spki_sha256)."
    )]
    PinWrongLength { length: usize },
    #[error(
        "Trusting a pinned key needs at least one key fingerprint. Add the fingerprint of the key to trust, or trust verified certificates instead."
    )]
    NoPins,
    #[error("\"{found}\" is not a way of trusting certificates. Use verified, pinned or any.")]
    UnknownMode { found: String },
    #[error(
        "Key fingerprints only count when a pinned key is trusted. Choose pinned, or leave the fingerprints out."
    )]
    PinsWithoutPinning,
    #[error(
        "allow_insecure_certificates is {flag}, which contradicts the certificate trust \"{mode}\". Leave allow_insecure_certificates out: certificate_trust replaces it."
    )]
    DisagreesWithInsecureFlag { flag: bool, mode: &'static str },
}

impl Problem for CertificateTrustError {
    fn code(&self) -> &'static str {
        match self {
            Self::PinNotHex { .. } => "certificate_trust.pin_not_hex",
            Self::PinWrongLength { .. } => "certificate_trust.pin_wrong_length",
            Self::NoPins => "certificate_trust.no_pins",
            Self::UnknownMode { .. } => "certificate_trust.unknown_mode",
            Self::PinsWithoutPinning => "certificate_trust.pins_without_pinning",
            Self::DisagreesWithInsecureFlag { .. } => {
                "certificate_trust.disagrees_with_insecure_flag"
            }
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::PinNotHex { character } => vec![("character", character.to_string())],
            Self::PinWrongLength { length } => vec![("length", length.to_string())],
            Self::UnknownMode { found } => vec![("found", found.clone())],
            Self::DisagreesWithInsecureFlag { flag, mode } => {
                vec![("flag", flag.to_string()), ("mode", (*mode).to_owned())]
            }
            Self::NoPins | Self::PinsWithoutPinning => Vec::new(),
        }
    }
}

/// The wire form, field for field (see the module comment).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireTrust {
    mode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    spki_sha256: Option<Vec<String>>,
}

impl Serialize for CertificateTrust {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        WireTrust {
            mode: self.mode().as_str().to_owned(),
            spki_sha256: match self {
                CertificateTrust::Pinned { spki_sha256 } => {
                    Some(spki_sha256.iter().map(SpkiPin::to_string).collect())
                }
                CertificateTrust::Verified | CertificateTrust::Any => None,
            },
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for CertificateTrust {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = WireTrust::deserialize(deserializer)?;
        let mode = TrustMode::parse(&wire.mode).map_err(serde::de::Error::custom)?;
        let pins = match &wire.spki_sha256 {
            None if mode == TrustMode::Pinned => {
                return Err(serde::de::Error::custom(CertificateTrustError::NoPins));
            }
            None => Vec::new(),
            Some(texts) => texts
                .iter()
                .map(|text| SpkiPin::parse(text))
                .collect::<Result<_, _>>()
                .map_err(serde::de::Error::custom)?,
        };
        CertificateTrust::of_mode(mode, pins).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PIN: &str = "1f1e1d1c1b1a19181716151413121110f0e0d0c0b0a090807060504030201000";

    #[test]
    fn pins_are_64_hex_digits_read_in_any_case_and_written_in_lower_case() {
        let pin = SpkiPin::parse(&format!("  {}\n", PIN.to_uppercase())).unwrap();
        assert_eq!(pin.to_string(), PIN);
        assert_eq!(pin.short(), "1f1e1d1c1b1a1918");
        assert_eq!(pin.as_bytes()[0], 0x1f);
        assert_eq!(pin.as_bytes()[31], 0x00);
        assert_eq!(SpkiPin::parse(PIN), Ok(pin));
        let table = [
            ("", CertificateTrustError::PinWrongLength { length: 0 }),
            (
                &PIN[..63],
                CertificateTrustError::PinWrongLength { length: 63 },
            ),
            (
                &format!("{PIN}0"),
                CertificateTrustError::PinWrongLength { length: 65 },
            ),
            (
                &PIN.replacen('f', "g", 1),
                CertificateTrustError::PinNotHex { character: 'g' },
            ),
            (
                "1F:1E:1D",
                CertificateTrustError::PinNotHex { character: ':' },
            ),
            (
                "sha256/AAAA",
                CertificateTrustError::PinNotHex { character: 's' },
            ),
        ];
        for (text, expected) in table {
            assert_eq!(SpkiPin::parse(text), Err(expected), "{text:?}");
        }
    }

    #[test]
    fn a_pin_list_is_never_empty_and_drops_repeats_in_order() {
        let other = PIN.replace('1', "2");
        let pins = SpkiPins::parse([PIN, other.as_str(), &PIN.to_uppercase()]).unwrap();
        assert_eq!(
            pins.iter().map(SpkiPin::to_string).collect::<Vec<_>>(),
            [PIN.to_owned(), other]
        );
        assert!(pins.contains_digest(SpkiPin::parse(PIN).unwrap().as_bytes()));
        assert!(!pins.contains_digest(&[0; 32]));
        assert_eq!(
            SpkiPins::parse([]),
            Err(vec![(None, CertificateTrustError::NoPins)])
        );
        assert_eq!(
            SpkiPins::parse([PIN, "x", "abc"]),
            Err(vec![
                (Some(1), CertificateTrustError::PinNotHex { character: 'x' }),
                (Some(2), CertificateTrustError::PinWrongLength { length: 3 }),
            ])
        );
    }

    #[test]
    fn the_wire_form_is_exact_and_read_with_the_same_rules() {
        let pinned = CertificateTrust::pinned(SpkiPins::parse([PIN]).unwrap());
        let table = [
            (CertificateTrust::Verified, json!({"mode": "verified"})),
            (
                pinned.clone(),
                json!({"mode": "pinned", "spki_sha256": [PIN]}),
            ),
            (CertificateTrust::Any, json!({"mode": "any"})),
        ];
        for (trust, wire) in table {
            assert_eq!(serde_json::to_value(&trust).unwrap(), wire);
            assert_eq!(
                serde_json::from_value::<CertificateTrust>(wire).unwrap(),
                trust
            );
        }
        for refused in [
            json!({"mode": "pinned"}),
            json!({"mode": "pinned", "spki_sha256": []}),
            json!({"mode": "pinned", "spki_sha256": ["abc"]}),
            json!({"mode": "verified", "spki_sha256": [PIN]}),
            json!({"mode": "trusting"}),
            json!({"mode": "any", "note": 1}),
        ] {
            assert!(
                serde_json::from_value::<CertificateTrust>(refused.clone()).is_err(),
                "{refused}"
            );
        }
    }

    #[test]
    fn the_version_two_flag_means_any_or_verified_and_must_agree() {
        assert_eq!(
            CertificateTrust::from_insecure_flag(true),
            CertificateTrust::Any
        );
        assert_eq!(
            CertificateTrust::from_insecure_flag(false),
            CertificateTrust::Verified
        );
        let pinned = CertificateTrust::pinned(SpkiPins::parse([PIN]).unwrap());
        assert!(!pinned.allows_any_certificate());
        assert_eq!(pinned.check_insecure_flag(false), Ok(()));
        assert_eq!(CertificateTrust::Any.check_insecure_flag(true), Ok(()));
        let error = pinned.check_insecure_flag(true).unwrap_err();
        assert_eq!(
            error.code(),
            "certificate_trust.disagrees_with_insecure_flag"
        );
        assert_eq!(
            error.params(),
            vec![("flag", "true".to_owned()), ("mode", "pinned".to_owned())]
        );
        assert!(CertificateTrust::Any.check_insecure_flag(false).is_err());
        assert_eq!(pinned.pins().len(), 1);
        assert!(CertificateTrust::Verified.pins().is_empty());
    }

    #[test]
    fn modes_are_read_by_their_exact_name() {
        for mode in TrustMode::ALL {
            assert_eq!(TrustMode::parse(mode.as_str()), Ok(mode));
            assert!(TrustMode::parse(&mode.as_str().to_uppercase()).is_err());
        }
        assert_eq!(
            TrustMode::parse("insecure"),
            Err(CertificateTrustError::UnknownMode {
                found: "insecure".into()
            })
        );
        assert_eq!(
            CertificateTrust::of_mode(TrustMode::Any, vec![SpkiPin::from_sha256([1; 32])]),
            Err(CertificateTrustError::PinsWithoutPinning)
        );
        assert_eq!(
            CertificateTrust::of_mode(TrustMode::Pinned, Vec::new()),
            Err(CertificateTrustError::NoPins)
        );
    }
}
