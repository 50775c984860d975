//! The workspace's own programs that xtask runs or hands to a test suite (the REST server, the
//! test mail servers), built by cargo.
//!
//! Owns the build command and where its binary lands. Must not run the programs (their callers
//! do: `api_server.rs`, the Playwright specs).

use std::path::PathBuf;

use crate::project::Project;
use crate::run::{Outcome, run};

/// The REST server (`server/`).
pub const SETTINGS_SERVER: Program = Program {
    package: "mailsetup-server",
    bin: "mailsetup-server",
};

/// Dovecot and Exim on loopback for the connection check (`testkit/mail-servers`): it prints
/// their ports as one JSON line and runs until its stdin closes.
pub const MAIL_SERVERS: Program = Program {
    package: "mailsetup-mail-servers",
    bin: "mail-servers",
};

/// A binary target of a workspace package.
#[derive(Clone, Copy)]
pub struct Program {
    package: &'static str,
    bin: &'static str,
}

/// Builds `program` with the debug profile (quick to build, and what the tests run) and
/// answers the binary's path.
pub fn build_debug(project: &Project, program: Program) -> Outcome<PathBuf> {
    run(project.command("cargo").args([
        "build",
        "--package",
        program.package,
        "--bin",
        program.bin,
    ]))?;
    Ok(project.target_dir().join("debug").join(program.bin))
}
