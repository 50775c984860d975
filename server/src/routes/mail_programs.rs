//! What mail programs fetch to set themselves up, with no sign-in (they cannot sign in), for
//! an address whose domain has IMAP settings (its own entry, or a parent's that includes
//! subdomains): Thunderbird's autoconfig (`GET /.well-known/autoconfig/mail/config-v1.1.xml`
//! and `GET /mail/config-v1.1.xml`, `?emailaddress=`), Outlook's Autodiscover (`POST
//! /autodiscover/autodiscover.xml`, the path in any letter case) and an Apple configuration
//! profile (`GET /apple/mailsetup.mobileconfig?email=`).
//!
//! Owns: the per-client-address limit of these requests, reading their address (query or
//! body, size-limited), the one 404 they give whenever nothing is published for the address —
//! the same body for a domain without settings and for an Exchange domain (whose Autodiscover
//! is the customer's own Exchange server), so that answers never tell which domains exist —
//! and the answers' media types and download headers.
//! Must not: read or write a format (core's `formats` do), decide which entry applies
//! (`lookup::settings_for`, with core's lookup), or ask for credentials.

use axum::body::{Body, to_bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use mailsetup_core::formats::apple_profile::{APPLE_PROFILE_MEDIA_TYPE, write_apple_profile};
use mailsetup_core::formats::autodiscover::{
    AUTODISCOVER_MAX_BYTES, AutodiscoverRequestError, read_autodiscover_request,
    write_autodiscover_response,
};
use mailsetup_core::formats::write_autoconfig;
use mailsetup_core::{Connection, EmailAddress, ImapSettings, Problem};
use serde::Deserialize;

use crate::client_address::ClientAddress;
use crate::error::{ApiError, Limited};
use crate::routes::lookup::settings_for;
use crate::state::AppState;

/// Autodiscover's path as Outlook's documentation spells it in lower case; clients send it in
/// any case (`/Autodiscover/Autodiscover.xml`), which [`autodiscover_in_any_case`] answers.
pub const AUTODISCOVER_PATH: &str = "/autodiscover/autodiscover.xml";

/// The media type of autoconfig and Autodiscover answers.
const XML: &str = "application/xml";

/// The profile's file name when a browser saves it.
const PROFILE_DISPOSITION: &str = "attachment; filename=\"mailsetup.mobileconfig\"";

/// The one answer for every address that has nothing published: no entry, an Exchange entry,
/// a parent that does not include subdomains. Never names the domain.
const NOTHING_PUBLISHED: &str = "No mail settings are published here for this address. Enter the servers in your mail program by hand, or ask whoever runs your e-mail for them.";

/// `?emailaddress=` of Thunderbird's request.
#[derive(Debug, Deserialize)]
pub struct AutoconfigQuery {
    emailaddress: Option<String>,
}

/// `?email=` of the profile's address.
#[derive(Debug, Deserialize)]
pub struct ProfileQuery {
    email: Option<String>,
}

/// `GET /.well-known/autoconfig/mail/config-v1.1.xml` and `GET /mail/config-v1.1.xml`:
/// Thunderbird's `config-v1.1.xml` for the address's domain.
pub async fn thunderbird_autoconfig(
    client: ClientAddress,
    State(state): State<AppState>,
    query: Result<Query<AutoconfigQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    count_request(&state, client)?;
    let Query(query) = query.map_err(|_| unreadable_query("emailaddress"))?;
    let address = address_in_query("emailaddress", query.emailaddress.as_deref())?;
    let imap = published_imap(&state, &address).await?;
    let domain = address.domain();
    let xml = write_autoconfig(
        std::slice::from_ref(domain),
        &imap,
        Some(&domain.to_unicode()),
    );
    Ok(answer(XML, xml))
}

/// `POST /autodiscover/autodiscover.xml`: Outlook's Autodiscover answer (the IMAP and SMTP
/// settings) for the address in the request body.
pub async fn outlook_autodiscover(
    client: ClientAddress,
    State(state): State<AppState>,
    body: Body,
) -> Result<Response, ApiError> {
    count_request(&state, client)?;
    let bytes = to_bytes(body, AUTODISCOVER_MAX_BYTES)
        .await
        .map_err(|error| {
            let over_limit = error
                .into_inner()
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some();
            if over_limit {
                ApiError::PayloadTooLarge {
                    limit_kib: AUTODISCOVER_MAX_BYTES / 1024,
                }
            } else {
                mail_request("The request body could not be read.")
            }
        })?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        mail_request(
            "The request body is not UTF-8 text. Send the Autodiscover request as UTF-8 XML.",
        )
    })?;
    let request = read_autodiscover_request(text).map_err(autodiscover_refusal)?;
    let imap = published_imap(&state, &request.email).await?;
    Ok(answer(
        XML,
        write_autodiscover_response(&request.email, &imap),
    ))
}

/// The router's fallback: Autodiscover's path in another letter case goes to
/// [`outlook_autodiscover`] (405 with `Allow: POST` for another method); any other path is
/// the usual 404.
pub async fn autodiscover_in_any_case(
    client: ClientAddress,
    state: State<AppState>,
    method: Method,
    uri: Uri,
    body: Body,
) -> Result<Response, ApiError> {
    if !uri.path().eq_ignore_ascii_case(AUTODISCOVER_PATH) {
        return Err(ApiError::Status(StatusCode::NOT_FOUND));
    }
    if method != Method::POST {
        let mut response = ApiError::Status(StatusCode::METHOD_NOT_ALLOWED).into_response();
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return Ok(response);
    }
    outlook_autodiscover(client, state, body).await
}

/// `GET /apple/mailsetup.mobileconfig?email=`: an unsigned configuration profile that sets up
/// the address in Apple's Mail (no password; the device asks for it).
pub async fn apple_profile(
    client: ClientAddress,
    State(state): State<AppState>,
    query: Result<Query<ProfileQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    count_request(&state, client)?;
    let Query(query) = query.map_err(|_| unreadable_query("email"))?;
    let address = address_in_query("email", query.email.as_deref())?;
    let imap = published_imap(&state, &address).await?;
    let mut response = answer(
        APPLE_PROFILE_MEDIA_TYPE,
        write_apple_profile(&address, &imap),
    );
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(PROFILE_DISPOSITION),
    );
    Ok(response)
}

/// Counts one request from `client`; 429 over the limit.
fn count_request(state: &AppState, client: ClientAddress) -> Result<(), ApiError> {
    state
        .mail_program_limiter
        .attempt(client.0)
        .map_err(|retry_after_seconds| {
            tracing::warn!(%client, "mail-program requests over the limit");
            ApiError::RateLimited {
                what: Limited::MailSettingsRequests,
                retry_after_seconds,
            }
        })
}

/// The IMAP settings that apply to `address`, or the one 404 ([`NOTHING_PUBLISHED`]).
async fn published_imap(
    state: &AppState,
    address: &EmailAddress,
) -> Result<ImapSettings, ApiError> {
    match settings_for(state, address.domain()).await? {
        Some((_, entry)) => match entry.connection() {
            Connection::Imap(settings) => Ok(settings.clone()),
            Connection::Exchange(_) => Err(ApiError::NotFound(NOTHING_PUBLISHED.into())),
        },
        None => Err(ApiError::NotFound(NOTHING_PUBLISHED.into())),
    }
}

/// The address in query parameter `name`; 400 with core's `email.*` code when it is missing
/// or is no address.
fn address_in_query(name: &str, value: Option<&str>) -> Result<EmailAddress, ApiError> {
    let value = value.unwrap_or_default();
    EmailAddress::parse(value).map_err(|error| {
        let detail = if value.trim().is_empty() {
            format!(
                "Add the person's e-mail address to the query, such as ?{name}=alice@example.com."
            )
        } else {
            format!("The {name} parameter is not an e-mail address. {error}")
        };
        ApiError::MailRequest {
            detail,
            code: Some(error.code()),
            params: error.params(),
        }
    })
}

fn unreadable_query(name: &str) -> ApiError {
    mail_request(&format!(
        "The query could not be read. Send one e-mail address, such as ?{name}=alice@example.com."
    ))
}

/// 413 for an oversized request, 400 for anything else, with core's `email.*` code when the
/// address is the trouble.
fn autodiscover_refusal(error: AutodiscoverRequestError) -> ApiError {
    match &error {
        AutodiscoverRequestError::TooLarge { .. } => ApiError::PayloadTooLarge {
            limit_kib: AUTODISCOVER_MAX_BYTES / 1024,
        },
        AutodiscoverRequestError::InvalidAddress(address_error) => ApiError::MailRequest {
            detail: error.to_string(),
            code: Some(address_error.code()),
            params: address_error.params(),
        },
        _ => mail_request(&error.to_string()),
    }
}

fn mail_request(detail: &str) -> ApiError {
    ApiError::MailRequest {
        detail: detail.to_owned(),
        code: None,
        params: Vec::new(),
    }
}

/// A 200 with `body` as `media_type`. Not stored by caches: it names the person's address.
fn answer(media_type: &'static str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, media_type),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}
