//! An import sent to a server (`POST /api/v1/email-domains/import`) and its answer: the file's
//! settings that the preview kept, in file order, with whether domains not among them go
//! (`{"domains": [...], "remove_missing": false}`, each domain in the shape of a PUT's body),
//! sent with `If-Match` naming the collection's tag the preview was made against. The server
//! plans the same import against its book with core's `import::plan_import` and answers how many
//! entries it added, changed, left as they were and removed (`{"added": 1, ...}`).
//!
//! Owns: both bodies, read and written. Must not: plan or apply anything (`import` does).

use serde_json::{Map, Value, json};

use crate::book::{Entry, EntryDraft};
use crate::document::{EntrySource, FieldProblem, StoredEntryError, read_entry_from};
use crate::import::ImportPlan;

use super::{AnswerError, WireError, draft_to_wire};

/// Where an import is sent.
pub const IMPORT_PATH: &str = "/api/v1/email-domains/import";

/// What an import asks of the server.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRequest {
    /// The settings to hold, in file order: each is added, changed or found already so.
    pub domains: Vec<EntryDraft>,
    /// Whether the book's domains that are not among `domains` are removed.
    pub remove_missing: bool,
}

impl ImportRequest {
    /// The request that carries out `plan` on a server: the file's lines the plan keeps (the
    /// new, the changed and the unchanged ones; lines it refused are left out).
    pub fn from_plan(plan: &ImportPlan, remove_missing: bool) -> ImportRequest {
        let unchanged = plan.unchanged.iter().map(Entry::to_draft);
        let changed = plan.changed.iter().map(|(_, draft)| draft.clone());
        ImportRequest {
            domains: changed
                .chain(plan.added.iter().cloned())
                .chain(unchanged)
                .collect(),
            remove_missing,
        }
    }

    pub fn to_json(&self) -> String {
        let mut text = String::from(r#"{"domains":["#);
        for (index, draft) in self.domains.iter().enumerate() {
            if index > 0 {
                text.push(',');
            }
            text.push_str(&draft_to_wire(draft));
        }
        text.push_str(&format!(r#"],"remove_missing":{}}}"#, self.remove_missing));
        text
    }

    /// Reads a request body; every problem is named by its field (`domains[3].incoming.port`).
    pub fn from_json(body: &str) -> Result<ImportRequest, WireError> {
        let value: Value = serde_json::from_str(body).map_err(|error| WireError::NotJson {
            line: error.line(),
            column: error.column(),
        })?;
        let mut problems = Vec::new();
        let Some(object) = value.as_object() else {
            let problem = FieldProblem::from_problem("", &StoredEntryError::NotAnObject);
            return Err(WireError::Invalid(vec![problem]));
        };
        for key in object.keys() {
            if key != "domains" && key != "remove_missing" {
                problems.push(FieldProblem::from_problem(
                    key,
                    &StoredEntryError::UnknownField,
                ));
            }
        }
        let remove_missing = match object.get("remove_missing") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(remove)) => *remove,
            Some(_) => {
                problems.push(wrong_type("remove_missing", "boolean"));
                false
            }
        };
        let mut domains = Vec::new();
        match object.get("domains") {
            None | Some(Value::Null) => problems.push(FieldProblem::from_problem(
                "domains",
                &StoredEntryError::MissingField,
            )),
            Some(Value::Array(items)) => {
                for (index, item) in items.iter().enumerate() {
                    match read_entry_from(item, EntrySource::Sent) {
                        Ok(entry) => domains.push(entry.to_draft()),
                        Err(found) => {
                            problems.extend(found.into_iter().map(|problem| FieldProblem {
                                field: within(&format!("domains[{index}]"), &problem.field),
                                ..problem
                            }))
                        }
                    }
                }
            }
            Some(_) => problems.push(wrong_type("domains", "list")),
        }
        if problems.is_empty() {
            Ok(ImportRequest {
                domains,
                remove_missing,
            })
        } else {
            Err(WireError::Invalid(problems))
        }
    }
}

/// `field` of the item at `item`.
fn within(item: &str, field: &str) -> String {
    if field.is_empty() {
        item.to_owned()
    } else {
        format!("{item}.{field}")
    }
}

fn wrong_type(field: &str, expected: &'static str) -> FieldProblem {
    FieldProblem::from_problem(field, &StoredEntryError::WrongType { expected })
}

/// What an import did, as the server answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportSummary {
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub removed: usize,
}

impl ImportSummary {
    pub fn of_plan(plan: &ImportPlan) -> ImportSummary {
        ImportSummary {
            added: plan.added.len(),
            changed: plan.changed.len(),
            unchanged: plan.unchanged.len(),
            removed: plan.removed.len(),
        }
    }

    /// The entries that changed: new, changed or removed.
    pub fn changes(&self) -> usize {
        self.added + self.changed + self.removed
    }

    pub fn to_json(&self) -> String {
        json!({
            "added": self.added,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "removed": self.removed,
        })
        .to_string()
    }

    /// Reads a server's answer to an import.
    pub fn from_answer(body: &str) -> Result<ImportSummary, AnswerError> {
        let value: Map<String, Value> = serde_json::from_str(body)
            .map_err(|error| AnswerError::Unreadable(error.to_string()))?;
        let count = |key: &str| {
            value
                .get(key)
                .and_then(Value::as_u64)
                .and_then(|count| usize::try_from(count).ok())
                .ok_or_else(|| AnswerError::Unreadable(format!("no count of {key} entries")))
        };
        Ok(ImportSummary {
            added: count("added")?,
            changed: count("changed")?,
            unchanged: count("unchanged")?,
            removed: count("removed")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::tests::{book_with, draft, exchange, imap};
    use crate::import::plan_import;
    use crate::problem::Problem;

    #[test]
    fn a_plan_travels_as_the_lines_it_keeps_and_plans_the_same_on_the_other_end() {
        let book = book_with(&[
            ("same.example", imap("same.example"), false),
            ("moved.example", imap("moved.example"), false),
            ("gone.example", imap("gone.example"), false),
        ]);
        let file = [
            draft("same.example", imap("same.example"), false),
            draft("moved.example", imap("new.example"), true),
            draft("new.example", exchange("mail.new.example"), false),
            draft("new.example", imap("again.example"), false),
        ];
        let plan = plan_import(&book, &file, true);
        let request = ImportRequest::from_plan(&plan, true);
        assert_eq!(request.domains.len(), 3, "the repeated line is left out");
        let read = ImportRequest::from_json(&request.to_json()).unwrap();
        assert_eq!(read, request);
        let again = plan_import(&book, &read.domains, read.remove_missing);
        assert_eq!(
            ImportSummary::of_plan(&again),
            ImportSummary::of_plan(&plan)
        );
        assert!(again.refused.is_empty());
        assert_eq!(
            ImportSummary::of_plan(&again),
            ImportSummary {
                added: 1,
                changed: 1,
                unchanged: 1,
                removed: 1
            }
        );
    }

    #[test]
    fn every_problem_of_a_request_is_named_by_its_field() {
        let body = r#"{"domains":[{"domain":"ok.example","type":"exchange","url":"https://mail.ok.example/EWS/Exchange.asmx"},
            {"domain":"bad.example","type":"imap","incoming":{"host":"imap.bad.example","port":0,"security":"ssl_tls"},
             "outgoing":{"host":"smtp.bad.example","port":465,"security":"ssl_tls"}}],
            "remove_missing":"yes","extra":1}"#;
        let Err(WireError::Invalid(problems)) = ImportRequest::from_json(body) else {
            panic!("refused");
        };
        let fields: Vec<(&str, &str)> = problems
            .iter()
            .map(|problem| (problem.field.as_str(), problem.code()))
            .collect();
        assert!(
            fields.contains(&("extra", "document.unknown_field")),
            "{fields:?}"
        );
        assert!(
            fields.contains(&("remove_missing", "document.wrong_type")),
            "{fields:?}"
        );
        assert!(
            fields.contains(&("domains[1].incoming.port", "port.zero")),
            "{fields:?}"
        );
        assert_eq!(fields.len(), 3, "{fields:?}");
        assert!(matches!(
            ImportRequest::from_json("[1]"),
            Err(WireError::Invalid(_))
        ));
        assert!(matches!(
            ImportRequest::from_json("{\"remove_missing\":true}"),
            Err(WireError::Invalid(problems)) if problems[0].field == "domains"
        ));
        assert!(matches!(
            ImportRequest::from_json("{"),
            Err(WireError::NotJson { .. })
        ));
    }

    #[test]
    fn a_summary_reads_back_and_a_broken_answer_is_unreadable() {
        let summary = ImportSummary {
            added: 3,
            changed: 2,
            unchanged: 7,
            removed: 1,
        };
        assert_eq!(ImportSummary::from_answer(&summary.to_json()), Ok(summary));
        assert_eq!(summary.changes(), 6);
        assert!(ImportSummary::from_answer(r#"{"added":1}"#).is_err());
        assert!(ImportSummary::from_answer("<html>").is_err());
    }
}
