//! The connection check behind **Connect**: its steps in the order the provider runs them,
//! the state of each step, the [`ConnectionTester`] trait that performs a run, and the
//! [`DemoTester`] of the demo page (no network traffic; the outcome is chosen on the page).
//! The settings server's check (`server_tester`) and a host page's own (`embed`) implement the
//! same trait.
//!
//! Owns: the order of the steps, what a run's progress looks like, the attempt with its
//! password (which dies with the attempt).
//! Must not: render anything, keep a password beyond one attempt, or write it anywhere.

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use mailsetup_core::wire::CheckCode;
use mailsetup_core::{Connection, ConnectionKind, EmailAddress, Username};

pub use crate::store::remote::CheckNotRun;

/// One step of the check: core's vocabulary, which the server's check reports in too. The
/// component names steps by [`CheckStep::tag`] (`imap-connect`) in its JavaScript API and on
/// the demo page.
pub use mailsetup_core::wire::CheckStep;

/// The steps a connection of `kind` goes through, in the order the provider runs them; the
/// test message's two steps only when the person asked for it (an IMAP connection).
pub fn plan(kind: ConnectionKind, send_test_email: bool) -> Vec<CheckStep> {
    // Connect always has a password.
    CheckStep::plan(kind, true, send_test_email)
}

/// Where one step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepState {
    Waiting,
    Running,
    Passed,
    Failed,
    /// An earlier step failed, so this one was never tried.
    NotRun,
}

/// The progress of one run of the check: every step of the plan with its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckProgress {
    steps: Vec<(CheckStep, StepState)>,
}

/// How a finished run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOutcome {
    Passed,
    FailedAt(CheckStep),
}

impl CheckProgress {
    /// Every step of the plan, waiting.
    pub fn new(kind: ConnectionKind, send_test_email: bool) -> CheckProgress {
        CheckProgress {
            steps: plan(kind, send_test_email)
                .into_iter()
                .map(|step| (step, StepState::Waiting))
                .collect(),
        }
    }

    pub fn steps(&self) -> &[(CheckStep, StepState)] {
        &self.steps
    }

    /// The first step still waiting, if the run has not ended.
    pub fn next(&self) -> Option<CheckStep> {
        if self.outcome().is_some() {
            return None;
        }
        self.steps
            .iter()
            .find(|(_, state)| *state == StepState::Waiting)
            .map(|(step, _)| *step)
    }

    /// Marks `step` running.
    pub fn start(&mut self, step: CheckStep) {
        self.set(step, StepState::Running);
    }

    /// Records how `step` went; after a failure, the steps after it will not run.
    pub fn finish(&mut self, step: CheckStep, passed: bool) {
        if passed {
            self.set(step, StepState::Passed);
            return;
        }
        self.set(step, StepState::Failed);
        for (_, state) in &mut self.steps {
            if *state == StepState::Waiting {
                *state = StepState::NotRun;
            }
        }
    }

    /// `None` while steps are still waiting or running.
    pub fn outcome(&self) -> Option<CheckOutcome> {
        if let Some((step, _)) = self.steps.iter().find(|(_, s)| *s == StepState::Failed) {
            return Some(CheckOutcome::FailedAt(*step));
        }
        self.steps
            .iter()
            .all(|(_, state)| *state == StepState::Passed)
            .then_some(CheckOutcome::Passed)
    }

    fn set(&mut self, step: CheckStep, new: StepState) {
        if let Some((_, state)) = self.steps.iter_mut().find(|(s, _)| *s == step) {
            *state = new;
        }
    }
}

/// A password, held only for the length of one attempt. It cannot be cloned, printed or
/// serialised, and its bytes are overwritten when it is dropped.
pub struct Password(String);

impl Password {
    pub fn new(text: String) -> Password {
        Password(text)
    }

    /// The password itself, for the one place that sends it to a server.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(hidden)")
    }
}

impl Drop for Password {
    fn drop(&mut self) {
        // Best effort: overwrite the bytes before the allocator gets them back.
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        bytes.fill(0);
        std::hint::black_box(&bytes);
    }
}

/// Everything one attempt needs. Dropped (with its password) when the run ends.
#[derive(Debug)]
pub struct Attempt {
    pub address: EmailAddress,
    pub username: Username,
    pub password: Password,
    pub connection: Connection,
    /// The person asked for a test message to themselves (the plan has its two steps).
    pub send_test_email: bool,
}

/// Why a step failed, as far as the tester knows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StepFailure {
    /// The check's own code for the failure (the settings server's check knows one).
    pub code: Option<CheckCode>,
    /// What the mail server said, or the host page's message.
    pub detail: Option<String>,
}

pub type StepResult = Result<(), StepFailure>;
pub type StepFuture = Pin<Box<dyn Future<Output = StepResult>>>;

/// Hears of each step of a run as it ends.
pub type StepSink = Rc<dyn Fn(CheckStep, StepResult)>;

/// A whole run: `Err` when the check could not run at all (no step failed: nothing was
/// tried, or the answer stopped).
pub type RunFuture = Pin<Box<dyn Future<Output = Result<(), CheckNotRun>>>>;

/// Performs the connection check. The view drops the [`Attempt`] when the run ends, so an
/// implementation must not keep it.
pub trait ConnectionTester {
    /// Whether no real connection is made; the view then says so plainly.
    fn is_demo(&self) -> bool;

    /// Runs the steps of `plan` in order for `attempt`, telling `finished` of each as it ends,
    /// and stops after the first failure.
    fn run(&self, plan: Vec<CheckStep>, attempt: Rc<Attempt>, finished: StepSink) -> RunFuture;
}

/// Runs `plan` one step at a time, each through `run_step`, until one fails: the way of a
/// tester that is asked step by step (the demo, a host page's `testConnection`).
pub fn step_by_step(
    plan: Vec<CheckStep>,
    finished: StepSink,
    run_step: impl Fn(CheckStep) -> StepFuture + 'static,
) -> RunFuture {
    Box::pin(async move {
        for step in plan {
            let result = run_step(step).await;
            let failed = result.is_err();
            finished(step, result);
            if failed {
                break;
            }
        }
        Ok(())
    })
}

/// What the demo tester pretends happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DemoOutcome {
    #[default]
    Succeed,
    FailAt(CheckStep),
}

impl DemoOutcome {
    /// Every outcome, as the demo page lists them.
    pub fn all() -> impl Iterator<Item = DemoOutcome> {
        std::iter::once(DemoOutcome::Succeed).chain(CheckStep::ALL.map(DemoOutcome::FailAt))
    }

    /// `succeed` or the failing step's tag.
    pub fn tag(self) -> &'static str {
        match self {
            DemoOutcome::Succeed => "succeed",
            DemoOutcome::FailAt(step) => step.tag(),
        }
    }

    pub fn from_tag(tag: &str) -> Option<DemoOutcome> {
        match tag {
            "succeed" => Some(DemoOutcome::Succeed),
            other => CheckStep::from_tag(other).map(DemoOutcome::FailAt),
        }
    }

    /// How `step` goes under this outcome. A failure at a step the plan does not have (an
    /// IMAP step for Exchange settings) means every step passes.
    pub fn result_for(self, step: CheckStep) -> StepResult {
        match self {
            DemoOutcome::FailAt(failing) if failing == step => Err(StepFailure::default()),
            _ => Ok(()),
        }
    }
}

/// The tester this issue ships: no network traffic; each step takes `step_delay_ms` so its
/// states can be seen, then goes as the chosen [`DemoOutcome`] says.
#[derive(Clone, Debug)]
pub struct DemoTester {
    outcome: Rc<Cell<DemoOutcome>>,
    step_delay_ms: u32,
}

impl DemoTester {
    /// The default pause per step: long enough to see each state.
    pub const DEFAULT_STEP_DELAY_MS: u32 = 400;

    pub fn new(outcome: DemoOutcome, step_delay_ms: u32) -> DemoTester {
        DemoTester {
            outcome: Rc::new(Cell::new(outcome)),
            step_delay_ms,
        }
    }

    /// Changes the outcome of the next steps; clones share it.
    pub fn set_outcome(&self, outcome: DemoOutcome) {
        self.outcome.set(outcome);
    }

    pub fn outcome(&self) -> DemoOutcome {
        self.outcome.get()
    }
}

impl Default for DemoTester {
    fn default() -> DemoTester {
        DemoTester::new(DemoOutcome::Succeed, DemoTester::DEFAULT_STEP_DELAY_MS)
    }
}

impl ConnectionTester for DemoTester {
    fn is_demo(&self) -> bool {
        true
    }

    fn run(&self, plan: Vec<CheckStep>, attempt: Rc<Attempt>, finished: StepSink) -> RunFuture {
        // The demo looks at nothing in the attempt; it lets go of it at once.
        drop(attempt);
        let tester = self.clone();
        step_by_step(plan, finished, move |step| {
            // Read per step: the demo page may change the outcome while a run goes on.
            let outcome = tester.outcome.get();
            let delay = tester.step_delay_ms;
            Box::pin(async move {
                sleep(delay).await;
                outcome.result_for(step)
            })
        })
    }
}

/// Waits `ms` milliseconds (a `setTimeout` as a future). Outside a browser it returns at once.
async fn sleep(ms: u32) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            &resolve,
            i32::try_from(ms).unwrap_or(i32::MAX),
        );
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_follow_the_providers_order_and_the_test_message_is_asked_for() {
        let imap = [
            CheckStep::ImapConnect,
            CheckStep::ImapLogin,
            CheckStep::SmtpConnect,
            CheckStep::SmtpLogin,
        ];
        assert_eq!(plan(ConnectionKind::Imap, false), imap);
        let mut with_message = imap.to_vec();
        with_message.extend([CheckStep::SendTestEmail, CheckStep::TestEmailArrived]);
        assert_eq!(plan(ConnectionKind::Imap, true), with_message);
        for asked in [false, true] {
            assert_eq!(
                plan(ConnectionKind::Exchange, asked),
                [CheckStep::ExchangeReach, CheckStep::ExchangeLogin]
            );
        }
    }

    #[test]
    fn a_run_that_passes_every_step() {
        let mut progress = CheckProgress::new(ConnectionKind::Exchange, false);
        assert_eq!(progress.outcome(), None);
        assert_eq!(progress.next(), Some(CheckStep::ExchangeReach));
        progress.start(CheckStep::ExchangeReach);
        assert_eq!(progress.steps()[0].1, StepState::Running);
        assert_eq!(progress.steps()[1].1, StepState::Waiting);
        progress.finish(CheckStep::ExchangeReach, true);
        assert_eq!(progress.next(), Some(CheckStep::ExchangeLogin));
        progress.start(CheckStep::ExchangeLogin);
        assert_eq!(progress.outcome(), None);
        progress.finish(CheckStep::ExchangeLogin, true);
        assert_eq!(progress.outcome(), Some(CheckOutcome::Passed));
        assert_eq!(progress.next(), None);
    }

    #[test]
    fn a_failure_stops_the_run_and_names_its_step() {
        let mut progress = CheckProgress::new(ConnectionKind::Imap, true);
        progress.start(CheckStep::ImapConnect);
        progress.finish(CheckStep::ImapConnect, true);
        progress.start(CheckStep::ImapLogin);
        progress.finish(CheckStep::ImapLogin, false);
        assert_eq!(
            progress.outcome(),
            Some(CheckOutcome::FailedAt(CheckStep::ImapLogin))
        );
        assert_eq!(progress.next(), None);
        let states: Vec<StepState> = progress.steps().iter().map(|(_, s)| *s).collect();
        assert_eq!(
            states,
            vec![
                StepState::Passed,
                StepState::Failed,
                StepState::NotRun,
                StepState::NotRun,
                StepState::NotRun,
                StepState::NotRun
            ]
        );
    }

    #[test]
    fn demo_outcomes_fail_only_at_their_step() {
        for step in CheckStep::ALL {
            assert_eq!(DemoOutcome::Succeed.result_for(step), Ok(()));
            for failing in CheckStep::ALL {
                let result = DemoOutcome::FailAt(failing).result_for(step);
                assert_eq!(result.is_err(), failing == step, "{failing:?} at {step:?}");
            }
        }
    }

    #[test]
    fn tags_round_trip() {
        let outcomes: Vec<DemoOutcome> = DemoOutcome::all().collect();
        assert_eq!(outcomes.len(), 9);
        for outcome in outcomes {
            assert_eq!(DemoOutcome::from_tag(outcome.tag()), Some(outcome));
        }
        assert_eq!(DemoOutcome::from_tag("explode"), None);
        assert_eq!(
            DemoOutcome::from_tag("smtp-login"),
            Some(DemoOutcome::FailAt(CheckStep::SmtpLogin))
        );
    }

    #[test]
    fn clones_of_a_demo_tester_share_the_outcome() {
        let tester = DemoTester::default();
        let page_copy = tester.clone();
        page_copy.set_outcome(DemoOutcome::FailAt(CheckStep::SmtpConnect));
        assert_eq!(
            tester.outcome(),
            DemoOutcome::FailAt(CheckStep::SmtpConnect)
        );
        assert!(tester.is_demo());
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let attempt = Attempt {
            address: EmailAddress::parse("alice@example.com").unwrap(),
            username: Username::parse("alice@example.com").unwrap(),
            password: Password::new("hunter2-secret".into()),
            connection: Connection::Exchange(mailsetup_core::ExchangeSettings::verified(
                mailsetup_core::ExchangeUrl::parse("https://mail.example.com/EWS/Exchange.asmx")
                    .unwrap(),
            )),
            send_test_email: false,
        };
        let printed = format!("{attempt:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("Password(hidden)"));
        assert_eq!(attempt.password.expose(), "hunter2-secret");
    }
}
