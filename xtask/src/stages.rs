//! A pipeline of named stages: runs them in order, stops at the first failure, and prints a
//! table of what ran plus the one summary line CI logs end with.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::run::Outcome;

enum Status {
    Passed(String),
    Failed(String),
    NotRun,
}

struct StageRecord {
    name: &'static str,
    status: Status,
    took: Duration,
}

#[derive(Default)]
pub struct Pipeline {
    records: Vec<StageRecord>,
}

impl Pipeline {
    pub fn new() -> Pipeline {
        Pipeline::default()
    }

    fn failed(&self) -> bool {
        self.records
            .iter()
            .any(|r| matches!(r.status, Status::Failed(_)))
    }

    /// Runs `stage` unless an earlier stage failed. The stage returns a short detail for the
    /// table (a test count, a size) or a failure.
    pub fn stage(&mut self, name: &'static str, stage: impl FnOnce() -> Outcome<String>) {
        if self.failed() {
            self.records.push(StageRecord {
                name,
                status: Status::NotRun,
                took: Duration::ZERO,
            });
            return;
        }
        println!("\n=== xtask stage: {name} ===");
        let started = Instant::now();
        let status = match stage() {
            Ok(detail) => Status::Passed(detail),
            Err(failure) => Status::Failed(failure.0),
        };
        self.records.push(StageRecord {
            name,
            status,
            took: started.elapsed(),
        });
    }

    /// Prints the table and the summary line; the exit code is non-zero when a stage failed.
    pub fn finish(self) -> ExitCode {
        println!("\n{:<16} {:<8} {:>9}  detail", "stage", "result", "seconds");
        let (mut passed, mut failed, mut not_run) = (0, 0, 0);
        for record in &self.records {
            let (result, detail) = match &record.status {
                Status::Passed(detail) => {
                    passed += 1;
                    ("passed", detail.as_str())
                }
                Status::Failed(why) => {
                    failed += 1;
                    ("FAILED", why.as_str())
                }
                Status::NotRun => {
                    not_run += 1;
                    ("not run", "")
                }
            };
            println!(
                "{:<16} {:<8} {:>9.1}  {}",
                record.name,
                result,
                record.took.as_secs_f64(),
                detail
            );
        }
        let total: Duration = self.records.iter().map(|r| r.took).sum();
        println!("total {:.1} s", total.as_secs_f64());
        if not_run > 0 {
            println!("({not_run} later stages did not run because of the failure above)");
        }
        println!("xtask: {passed} passed, {failed} failed");
        if failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }
}
