//! Reading an entry's certificate trust from its stored fields: `certificate_trust` (version 3,
//! both kinds) and the version-2 flag `allow_insecure_certificates` (IMAP entries only), which
//! may stand beside it as long as the two agree (true belongs with `any`, false with `verified`
//! or `pinned`). Alone, the flag reads as it always did: true is `any`, false `verified`.
//!
//! Owns: the shape of the `certificate_trust` object, what each combination of the two fields
//! means, and what the fields said ([`TrustSaid`]), for the REST API's rule that settings which
//! say nothing about trust keep the entry's own. Must not: decide what a pin or a mode is
//! (`certificate_trust.rs` does).

use serde_json::{Map, Value};

use super::{Problems, StoredEntryError, unknown_fields};
use crate::certificate_trust::{CertificateTrust, CertificateTrustError, SpkiPin, TrustMode};

/// The entry field holding the trust.
pub(super) const KEY_TRUST: &str = "certificate_trust";
/// The version-2 flag, still read and (for IMAP entries) written, derived from the trust.
pub(super) const KEY_INSECURE_FLAG: &str = "allow_insecure_certificates";
const KEY_MODE: &str = "mode";
const KEY_PINS: &str = "spki_sha256";
const TRUST_KEYS: [&str; 2] = [KEY_MODE, KEY_PINS];

/// What an entry's fields said about certificate trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TrustSaid {
    /// Exactly which trust: `certificate_trust`, or the flag saying true (`any`).
    Exactly,
    /// Only the flag, saying false: not `any`, which `verified` and `pinned` both are.
    NotAny,
    /// Neither field.
    Nothing,
}

/// An entry's trust as read: the trust, what the fields said, and unknown fields of the
/// `certificate_trust` object.
pub(super) struct ReadTrust {
    pub trust: CertificateTrust,
    pub said: TrustSaid,
    pub extra: Map<String, Value>,
}

/// The version-2 flag of an IMAP entry: `Some(None)` when absent (or null), `None` when it is
/// not a boolean (the problem is reported).
pub(super) fn read_insecure_flag(
    object: &Map<String, Value>,
    problems: &mut Problems,
) -> Option<Option<bool>> {
    match object.get(KEY_INSECURE_FLAG) {
        None | Some(Value::Null) => Some(None),
        Some(Value::Bool(flag)) => Some(Some(*flag)),
        Some(_) => {
            problems.add(
                KEY_INSECURE_FLAG,
                &StoredEntryError::WrongType {
                    expected: "boolean",
                },
            );
            None
        }
    }
}

/// The trust of an entry whose flag read as `flag` (see [`read_insecure_flag`]; an Exchange
/// entry has none), naming every problem. Unknown fields of the object are kept for a stored
/// entry; for a sent one the caller refuses them.
pub(super) fn read_trust(
    object: &Map<String, Value>,
    flag: Option<Option<bool>>,
    problems: &mut Problems,
) -> Option<ReadTrust> {
    let stated = match object.get(KEY_TRUST) {
        None | Some(Value::Null) => Some(None),
        Some(Value::Object(fields)) => read_trust_object(fields, problems).map(Some),
        Some(_) => {
            problems.add(
                KEY_TRUST,
                &StoredEntryError::WrongType { expected: "object" },
            );
            None
        }
    };
    let (stated, flag) = (stated?, flag?);
    match (stated, flag) {
        (Some((trust, extra)), flag) => {
            if let Some(flag) = flag
                && let Err(problem) = trust.check_insecure_flag(flag)
            {
                problems.add(KEY_INSECURE_FLAG, &problem);
                return None;
            }
            Some(ReadTrust {
                trust,
                said: TrustSaid::Exactly,
                extra,
            })
        }
        (None, Some(true)) => Some(ReadTrust {
            trust: CertificateTrust::Any,
            said: TrustSaid::Exactly,
            extra: Map::new(),
        }),
        (None, Some(false)) => Some(ReadTrust {
            trust: CertificateTrust::Verified,
            said: TrustSaid::NotAny,
            extra: Map::new(),
        }),
        (None, None) => Some(ReadTrust {
            trust: CertificateTrust::Verified,
            said: TrustSaid::Nothing,
            extra: Map::new(),
        }),
    }
}

/// `{"mode": ..., "spki_sha256": [...]}`, and its unknown fields.
fn read_trust_object(
    fields: &Map<String, Value>,
    problems: &mut Problems,
) -> Option<(CertificateTrust, Map<String, Value>)> {
    let mode_path = format!("{KEY_TRUST}.{KEY_MODE}");
    let mode = problems.parsed(fields, KEY_MODE, &mode_path, TrustMode::parse);
    let pins_path = format!("{KEY_TRUST}.{KEY_PINS}");
    let pins = match fields.get(KEY_PINS) {
        None | Some(Value::Null) => Some(None),
        Some(Value::Array(items)) => read_pins(items, &pins_path, problems).map(Some),
        Some(_) => {
            problems.add(
                &pins_path,
                &StoredEntryError::WrongType { expected: "list" },
            );
            None
        }
    };
    let (mode, pins) = (mode?, pins?);
    let trust = match (mode, pins) {
        (TrustMode::Pinned, None) => {
            problems.add(&pins_path, &StoredEntryError::MissingField);
            return None;
        }
        (mode, pins) => CertificateTrust::of_mode(mode, pins.unwrap_or_default()),
    };
    match trust {
        Ok(trust) => Some((trust, unknown_fields(fields, &[&TRUST_KEYS]))),
        Err(problem) => {
            problems.add(&pins_path, &problem);
            None
        }
    }
}

/// Every pin of the list, each problem named by the pin's place (`spki_sha256[1]`).
fn read_pins(items: &[Value], path: &str, problems: &mut Problems) -> Option<Vec<SpkiPin>> {
    let mut pins = Vec::with_capacity(items.len());
    let mut readable = true;
    for (index, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{index}]");
        let parsed = match item {
            Value::String(text) => {
                SpkiPin::parse(text).map_err(|problem: CertificateTrustError| {
                    problems.add(&item_path, &problem);
                })
            }
            _ => {
                problems.add(
                    &item_path,
                    &StoredEntryError::WrongType { expected: "text" },
                );
                Err(())
            }
        };
        match parsed {
            Ok(pin) => pins.push(pin),
            Err(()) => readable = false,
        }
    }
    readable.then_some(pins)
}
