//! The "Connect your inbox" flow: a person types their e-mail address, gets the server
//! settings their administrator set up for their domain (or an empty IMAP form with a short
//! guide), types their password and connects; a step-by-step check shows how far it got.
//!
//! `form` holds the flow's data and checks (pure, tested natively), `tester` the connection
//! check (the [`ConnectionTester`] trait and the demo tester), `server_tester` the settings
//! server's check, `view` the Leptos views.
//! Must not: change the administrator's settings except through the admin's explicit
//! "Save as settings for …" (which goes through `Settings::change` and core's rules), or keep
//! the password anywhere but in the one attempt that uses it.

pub mod form;
mod server_tester;
pub mod tester;
mod view;

pub use tester::{
    Attempt, CheckNotRun, CheckStep, ConnectionTester, DemoOutcome, DemoTester, Password,
    RunFuture, StepFailure, StepFuture, StepResult, StepSink, step_by_step,
};
pub use view::{ConnectInbox, SharedTester};
