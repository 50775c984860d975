//! The settings server's connection check (`POST /api/v1/connection-checks`) as a
//! [`ConnectionTester`]: one streamed run whose steps are reported as the server finishes them,
//! against the real mail servers.
//!
//! Owns: what is sent for an attempt (the administrator's stored settings, or the person's
//! own as a draft) and turning the server's step reports into step results. Must not: keep
//! the attempt or the request body (both hold the password) beyond the run, or word anything
//! (the view does, from the codes).

use std::collections::BTreeSet;
use std::rc::Rc;

use mailsetup_core::wire::{StepReport, StepState, check_request_text};
use mailsetup_core::{Connection, EntryDraft, UsernameForm};

use super::tester::{
    Attempt, CheckStep, ConnectionTester, RunFuture, StepFailure, StepResult, StepSink,
};
use crate::state::Settings;

/// What the server checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    /// The settings the administrator stored for the address's domain, as the server has them
    /// (the person did not change them).
    Stored,
    /// The settings in the person's form, sent with the request.
    Draft,
}

/// Runs the check on the settings server this instance keeps its book on.
pub struct ServerTester {
    settings: Settings,
    checked: Checked,
}

impl ServerTester {
    pub fn new(settings: Settings, checked: Checked) -> ServerTester {
        ServerTester { settings, checked }
    }
}

impl ConnectionTester for ServerTester {
    fn is_demo(&self) -> bool {
        false
    }

    fn run(&self, _plan: Vec<CheckStep>, attempt: Rc<Attempt>, finished: StepSink) -> RunFuture {
        // The server plans the same steps by core's rule: the person's password is there, and
        // the test message's steps only when asked for.
        let body = request_body(&attempt, self.checked);
        drop(attempt);
        let settings = self.settings;
        Box::pin(async move {
            let told = Rc::new(std::cell::RefCell::new(BTreeSet::new()));
            let tell = {
                let told = Rc::clone(&told);
                let finished = Rc::clone(&finished);
                Rc::new(move |report: StepReport| {
                    if let Some(result) = result_of(&report)
                        && told.borrow_mut().insert(report.step.as_str())
                    {
                        finished(report.step, result);
                    }
                })
            };
            let report = settings.check_connection(body, tell.clone()).await?;
            // Every step was told as it ended; the report only confirms them.
            for step in report.steps {
                tell(step);
            }
            Ok(())
        })
    }
}

/// The request for `attempt`: the draft carries the username the person typed (its form set
/// to "typed", so the server signs in with exactly that name).
fn request_body(attempt: &Attempt, checked: Checked) -> String {
    let username = attempt.username.to_string();
    let draft = (checked == Checked::Draft).then(|| EntryDraft {
        domain: attempt.address.domain().clone(),
        connection: match &attempt.connection {
            Connection::Imap(imap) => {
                let mut imap = imap.clone();
                imap.username = UsernameForm::Typed;
                Connection::Imap(imap)
            }
            exchange => exchange.clone(),
        },
        include_subdomains: false,
    });
    check_request_text(
        &attempt.address,
        Some(attempt.password.expose()),
        Some(&username),
        draft.as_ref(),
        attempt.send_test_email,
    )
}

/// A finished step's result; `None` for a step that did not run.
fn result_of(report: &StepReport) -> Option<StepResult> {
    match report.state {
        StepState::Passed => Some(Ok(())),
        StepState::Failed => Some(Err(StepFailure {
            code: report.problem.as_ref().map(|problem| problem.code),
            detail: report
                .problem
                .as_ref()
                .and_then(|problem| problem.server_reply.clone()),
        })),
        StepState::NotRun => None,
    }
}

#[cfg(test)]
mod tests {
    use mailsetup_core::wire::{CheckCode, StepProblem, check_request_from};
    use mailsetup_core::{EmailAddress, Username};

    use super::*;
    use crate::connect::tester::Password;

    fn attempt() -> Attempt {
        // Settings read as a PUT's entry is (core's rules), the username form included.
        let sent = serde_json::json!({
            "email": "alice@example.com",
            "settings": {"domain": "example.com", "type": "imap",
                "incoming": {"host": "imap.example.com", "port": 993, "security": "ssl_tls"},
                "outgoing": {"host": "smtp.example.com", "port": 465, "security": "ssl_tls"},
                "username": "local_part"}
        });
        let connection = check_request_from(sent)
            .unwrap()
            .settings
            .unwrap()
            .connection;
        assert!(
            matches!(&connection, Connection::Imap(imap) if imap.username == UsernameForm::LocalPart)
        );
        Attempt {
            address: EmailAddress::parse("alice@example.com").unwrap(),
            username: Username::parse("ally").unwrap(),
            password: Password::new("s3cret".into()),
            connection,
            send_test_email: true,
        }
    }

    #[test]
    fn stored_settings_are_checked_by_the_address_alone() {
        let body = request_body(&attempt(), Checked::Stored);
        let request = check_request_from(serde_json::from_str(&body).unwrap()).unwrap();
        assert_eq!(request.settings, None);
        assert_eq!(request.password.as_deref(), Some("s3cret"));
        assert!(request.send_test_email);
    }

    #[test]
    fn a_draft_signs_in_with_the_name_the_person_typed() {
        let body = request_body(&attempt(), Checked::Draft);
        let request = check_request_from(serde_json::from_str(&body).unwrap()).unwrap();
        let draft = request.settings.expect("the draft is sent");
        assert_eq!(draft.domain.to_string(), "example.com");
        let Connection::Imap(imap) = draft.connection else {
            panic!("an IMAP draft");
        };
        assert_eq!(imap.username, UsernameForm::Typed);
        assert_eq!(imap.incoming.host.to_string(), "imap.example.com");
        assert_eq!(request.username.as_deref(), Some("ally"));
    }

    #[test]
    fn a_failed_step_carries_its_code_and_the_servers_words() {
        let mut report = StepReport::not_run(CheckStep::ImapLogin);
        assert_eq!(result_of(&report), None);
        report.state = StepState::Passed;
        assert_eq!(result_of(&report), Some(Ok(())));
        report.state = StepState::Failed;
        report.problem = Some(StepProblem {
            code: CheckCode::LoginFailed,
            detail: "ours".into(),
            server_reply: Some("NO [AUTHENTICATIONFAILED] Authentication failed.".into()),
        });
        assert_eq!(
            result_of(&report),
            Some(Err(StepFailure {
                code: Some(CheckCode::LoginFailed),
                detail: Some("NO [AUTHENTICATIONFAILED] Authentication failed.".into()),
            }))
        );
    }
}
