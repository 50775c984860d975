//! `POST /api/v1/lookup` `{"email": ...}`: the settings that apply to an address — its
//! domain's own entry, else the nearest parent entry that includes subdomains. Any signed-in
//! role; a read, so no CSRF header is needed.
//!
//! Owns: reading the small request body and fetching the address's domain and all its parents
//! at once ([`settings_for`], which the answers to mail programs share). Must not: decide which entry wins (core's `lookup_domain` does, on a book of
//! exactly those rows).

use axum::Json;
use axum::extract::State;
use mailsetup_core::{Domain, EmailAddress, Entry, FieldProblem, MatchKind, Problem, SettingsBook};
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::error::{ApiError, entry_json};
use crate::request::{JsonText, json_value};
use crate::state::AppState;
use crate::store::{Store, StoreError};

pub async fn lookup(
    _caller: Caller,
    State(state): State<AppState>,
    JsonText(text): JsonText,
) -> Result<Json<Value>, ApiError> {
    let email = email_from_body(&text)?;
    let address = EmailAddress::parse(&email)
        .map_err(|error| ApiError::Invalid(vec![FieldProblem::from_problem("email", &error)]))?;
    let (kind, entry) = settings_for(&state, address.domain())
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "No settings apply to {}: neither {} nor a parent domain that includes subdomains has any.",
                address,
                address.domain().to_unicode()
            ))
        })?;
    let kind = match kind {
        MatchKind::Exact => "exact",
        MatchKind::Parent => "parent",
    };
    Ok(Json(json!({ "match": kind, "entry": entry_json(&entry) })))
}

/// The entry whose settings apply to `domain` (its own, else the nearest parent's that
/// includes subdomains), as of now: the domain and all its parents read from the read model
/// at once; core's `lookup_domain` decides. The answers to mail programs use it too.
pub async fn settings_for(
    state: &AppState,
    domain: &Domain,
) -> Result<Option<(MatchKind, Entry)>, ApiError> {
    let rows = state.read_model.entries(&with_parents(domain)).await?;
    Ok(settings_among(domain, rows))
}

/// [`settings_for`] on a store of its own (`mailsetup-server check` opens the database itself):
/// the same rows in one query.
pub async fn settings_in(
    store: &dyn Store,
    domain: &Domain,
) -> Result<Option<(MatchKind, Entry)>, StoreError> {
    let rows = store.entries(&with_parents(domain)).await?;
    Ok(settings_among(domain, rows))
}

/// `domain` and every parent of it, nearest first.
fn with_parents(domain: &Domain) -> Vec<Domain> {
    let mut candidates = vec![domain.clone()];
    while let Some(parent) = candidates.last().and_then(|domain| domain.parent()) {
        candidates.push(parent);
    }
    candidates
}

/// Core's answer for `domain` on a book of exactly `rows`.
fn settings_among(domain: &Domain, rows: Vec<Entry>) -> Option<(MatchKind, Entry)> {
    SettingsBook::from_entries(0, rows)
        .lookup_domain(domain)
        .map(|found| (found.kind, found.entry.clone()))
}

/// The `email` text of `{"email": "..."}`; a missing one reads as empty (core then says what
/// to type).
fn email_from_body(text: &str) -> Result<String, ApiError> {
    let value = json_value(text, r#"{"email": "alice@example.com"}"#)?;
    let Value::Object(object) = value else {
        return Err(ApiError::Invalid(vec![FieldProblem::from_problem(
            "",
            &BodyProblem::NotAnObject,
        )]));
    };
    if let Some(unknown) = object.keys().find(|key| key.as_str() != "email") {
        return Err(ApiError::Invalid(vec![FieldProblem::from_problem(
            unknown,
            &BodyProblem::UnknownField,
        )]));
    }
    match object.get("email") {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(email)) => Ok(email.clone()),
        Some(_) => Err(ApiError::Invalid(vec![FieldProblem::from_problem(
            "email",
            &BodyProblem::NotText,
        )])),
    }
}

/// What can be wrong with a lookup body's shape.
#[derive(Debug)]
enum BodyProblem {
    NotAnObject,
    UnknownField,
    NotText,
}

impl std::fmt::Display for BodyProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BodyProblem::NotAnObject => {
                "Send a JSON object such as {\"email\": \"alice@example.com\"}."
            }
            BodyProblem::UnknownField => "Only \"email\" can be sent here; leave this field out.",
            BodyProblem::NotText => "Send the address as text, such as \"alice@example.com\".",
        })
    }
}

impl Problem for BodyProblem {
    fn code(&self) -> &'static str {
        match self {
            BodyProblem::NotAnObject => "request.not_an_object",
            BodyProblem::UnknownField => "request.unknown_field",
            BodyProblem::NotText => "request.wrong_type",
        }
    }
}
