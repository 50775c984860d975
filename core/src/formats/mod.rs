//! Files other mail programs read and write, turned into core's typed values and back:
//! [`autoconfig`] is Thunderbird's `config-v1.1.xml`, the format of its provider database (ISPDB);
//! [`csv`] the book as a spreadsheet; [`settings_file`] the exported settings file as an import
//! reads it.
//!
//! Owns: one module per format, each with a `read_*` function (text in, typed values or a
//! [`Problem`](crate::Problem) out) and a `write_*` function (typed values in, text out).
//! Must not: decide what a valid domain, host or port is (their parse functions do), touch
//! files, the network or the book: a reader hands back values, and the caller applies them as
//! changes, so an import goes through the same rules as typing.

pub mod apple_profile;
pub mod autoconfig;
pub mod autodiscover;
pub mod csv;
pub mod settings_file;
mod xml_text;

pub use autoconfig::{
    AUTOCONFIG_MAX_BYTES, AutoconfigError, AutoconfigProvider, AutoconfigRefusal, RejectedDomain,
    read_autoconfig, write_autoconfig,
};
