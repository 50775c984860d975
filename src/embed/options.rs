//! Reading the options object a host page passes to `mount` (and to `update`) into the
//! component's Rust types, checked key by key: an unknown key or a value of the wrong kind is a
//! JavaScript `TypeError` whose message names the key and says what was expected, and nothing
//! is mounted or changed then.
//!
//! Read with `js_sys::Reflect` key by key rather than through serde: serde-wasm-bindgen ignores
//! `deny_unknown_fields` and its messages do not name the key, which is what a host developer
//! needs to read.
//!
//! Owns: the JavaScript shape of the options. Must not: mount anything or keep the values.

use js_sys::{Array, Function, Object, Reflect};
use mailsetup_core::{Allowlist, AllowlistGroupKind, NamedGroup};
use wasm_bindgen::{JsCast, JsValue};

use super::keys::{
    ALLOWLIST_GROUP_KEYS, CSRF_KEYS, LOCAL_STORAGE_KEYS, MEMORY_STORAGE_KEYS, OPTION_KEYS,
    REST_STORAGE_KEYS, URL_STORAGE_KEYS, first_unknown,
};
use crate::{Language, RestConfig, RestCredentials, Role, SendCookies, Storage, View};

/// What a host asked for: the component's options, and the host's own functions.
#[derive(Default)]
pub struct HostOptions {
    pub view: Option<View>,
    pub role: Option<Role>,
    pub language: Option<Language>,
    pub storage: Option<Storage>,
    /// `Some(None)` when the host cleared it with `email: null`.
    pub email: Option<Option<String>>,
    /// `Some(None)` when the host went back to the provider's lists with `allowlist: null`.
    pub allowlist: Option<Option<Allowlist>>,
    pub on_change: Option<Function>,
    pub on_error: Option<Function>,
    pub test_connection: Option<Function>,
}

/// Why the options were refused: the `TypeError`'s message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionsError(pub String);

impl OptionsError {
    pub fn into_type_error(self) -> JsValue {
        js_sys::TypeError::new(&self.0).into()
    }
}

/// Reads `value` (a plain object, or `undefined` for every default).
pub fn read(value: &JsValue) -> Result<HostOptions, OptionsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(HostOptions::default());
    }
    let object = plain_object(value, "the options")?;
    check_keys(object, OPTION_KEYS, "")?;
    Ok(HostOptions {
        view: choice(
            object,
            "view",
            &[
                ("all", View::All),
                ("admin", View::Admin),
                ("connect", View::Connect),
                ("allowlist", View::Allowlist),
            ],
        )?,
        role: choice(
            object,
            "role",
            &[("admin", Role::Admin), ("read-only", Role::ReadOnly)],
        )?,
        language: choice(
            object,
            "locale",
            &[("en", Language::English), ("pl", Language::Polish)],
        )?,
        storage: storage(object)?,
        email: email(object)?,
        allowlist: allowlist(object)?,
        on_change: function(object, "onChange")?,
        on_error: function(object, "onError")?,
        test_connection: function(object, "testConnection")?,
    })
}

fn plain_object<'a>(value: &'a JsValue, what: &str) -> Result<&'a Object, OptionsError> {
    if value.is_object() && !js_sys::Array::is_array(value) && !value.is_function() {
        Ok(value.unchecked_ref())
    } else {
        Err(OptionsError(format!(
            "mailsetup: {what} must be an object, not {}",
            describe(value)
        )))
    }
}

/// Fails on the first key of `object` that is not in `known`, naming it with `path` before it.
fn check_keys(object: &Object, known: &[&'static str], path: &str) -> Result<(), OptionsError> {
    let keys: Vec<String> = Object::keys(object)
        .iter()
        .filter_map(|key| key.as_string())
        .collect();
    match first_unknown(keys.iter().map(String::as_str), known) {
        None => Ok(()),
        Some((key, suggestion)) => {
            let hint = suggestion
                .map(|meant| format!(" Did you mean \"{path}{meant}\"?"))
                .unwrap_or_default();
            let list = known
                .iter()
                .map(|key| format!("{path}{key}"))
                .collect::<Vec<_>>()
                .join(", ");
            Err(OptionsError(format!(
                "mailsetup: unknown option \"{path}{key}\".{hint} Known options: {list}."
            )))
        }
    }
}

/// The value under `key`, `None` when it is absent or `undefined`.
fn field(object: &Object, key: &str) -> Option<JsValue> {
    Reflect::get(object, &JsValue::from_str(key))
        .ok()
        .filter(|value| !value.is_undefined())
}

/// One of a few strings.
fn choice<T: Copy>(
    object: &Object,
    key: &str,
    choices: &[(&str, T)],
) -> Result<Option<T>, OptionsError> {
    choice_at(object, key, "", choices)
}

/// One of a few strings under `key` of an object found at `path` (such as `allowlist[0].`).
fn choice_at<T: Copy>(
    object: &Object,
    key: &str,
    path: &str,
    choices: &[(&str, T)],
) -> Result<Option<T>, OptionsError> {
    let Some(value) = field(object, key) else {
        return Ok(None);
    };
    let text = value.as_string();
    choices
        .iter()
        .find(|(name, _)| Some(*name) == text.as_deref())
        .map(|(_, choice)| Some(*choice))
        .ok_or_else(|| {
            let names = choices
                .iter()
                .map(|(name, _)| format!("\"{name}\""))
                .collect::<Vec<_>>();
            OptionsError(format!(
                "mailsetup: option \"{path}{key}\" must be {}, not {}",
                one_of(&names),
                describe(&value)
            ))
        })
}

fn function(object: &Object, key: &str) -> Result<Option<Function>, OptionsError> {
    match field(object, key) {
        None => Ok(None),
        Some(value) if value.is_function() => Ok(Some(value.unchecked_into())),
        Some(value) => Err(OptionsError(format!(
            "mailsetup: option \"{key}\" must be a function, not {}",
            describe(&value)
        ))),
    }
}

fn email(object: &Object) -> Result<Option<Option<String>>, OptionsError> {
    match field(object, "email") {
        None => Ok(None),
        Some(value) if value.is_null() => Ok(Some(None)),
        Some(value) => match value.as_string() {
            Some(text) => Ok(Some(Some(text.trim().to_owned()).filter(|t| !t.is_empty()))),
            None => Err(OptionsError(format!(
                "mailsetup: option \"email\" must be a string (the person's address), not {}",
                describe(&value)
            ))),
        },
    }
}

/// `[{ name, purpose: "smtp" | "imap", ranges: ["203.0.113.0/24", …] }, …]`, checked by core
/// like any input; `null` goes back to the provider's lists.
fn allowlist(object: &Object) -> Result<Option<Option<Allowlist>>, OptionsError> {
    let Some(value) = field(object, "allowlist") else {
        return Ok(None);
    };
    if value.is_null() {
        return Ok(Some(None));
    }
    let groups = array(
        &value,
        "allowlist",
        "an array of groups ({ name, purpose, ranges })",
    )?;
    let named = groups
        .iter()
        .enumerate()
        .map(|(index, group)| named_group(&group, &format!("allowlist[{index}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Allowlist::from_named(&named)
        .map(|allowlist| Some(Some(allowlist)))
        .map_err(|problem| OptionsError(format!("mailsetup: option \"allowlist\": {problem}")))
}

/// One group of the allowlist, found at `path`; core checks the name and the ranges.
fn named_group(value: &JsValue, path: &str) -> Result<NamedGroup, OptionsError> {
    let group = plain_object(value, &format!("option \"{path}\""))?;
    check_keys(group, ALLOWLIST_GROUP_KEYS, &format!("{path}."))?;
    let name = match field(group, "name") {
        None => String::new(),
        Some(name) => name.as_string().ok_or_else(|| {
            OptionsError(format!(
                "mailsetup: option \"{path}.name\" must be a string (the group's heading), not {}",
                describe(&name)
            ))
        })?,
    };
    let purposes = [
        ("smtp", AllowlistGroupKind::Smtp),
        ("imap", AllowlistGroupKind::Imap),
    ];
    let kind = choice_at(group, "purpose", &format!("{path}."), &purposes)?.ok_or_else(|| {
        OptionsError(format!(
            "mailsetup: option \"{path}.purpose\" must be \"smtp\" or \"imap\" (the traffic the \
             addresses carry), not missing"
        ))
    })?;
    let ranges = match field(group, "ranges") {
        None => Vec::new(),
        Some(ranges) => {
            let ranges_path = format!("{path}.ranges");
            let expected = "an array of address ranges such as \"203.0.113.0/24\"";
            array(&ranges, &ranges_path, expected)?
                .iter()
                .enumerate()
                .map(|(index, range)| {
                    range.as_string().ok_or_else(|| {
                        OptionsError(format!(
                            "mailsetup: option \"{ranges_path}[{index}]\" must be a string (an \
                             address range such as \"203.0.113.0/24\"), not {}",
                            describe(&range)
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        }
    };
    Ok(NamedGroup { name, kind, ranges })
}

/// `value` as an array, else an error saying the option at `path` must be `expected`.
fn array(value: &JsValue, path: &str, expected: &str) -> Result<Array, OptionsError> {
    if Array::is_array(value) {
        Ok(value.clone().unchecked_into())
    } else {
        Err(OptionsError(format!(
            "mailsetup: option \"{path}\" must be {expected}, not {}",
            describe(value)
        )))
    }
}

/// `{ type: "local", prefix }` or `{ type: "memory" }`.
fn storage(object: &Object) -> Result<Option<Storage>, OptionsError> {
    let Some(value) = field(object, "storage") else {
        return Ok(None);
    };
    let storage = plain_object(&value, "option \"storage\"")?;
    let kind = field(storage, "type").and_then(|kind| kind.as_string());
    match kind.as_deref() {
        Some("local") => {
            check_keys(storage, LOCAL_STORAGE_KEYS, "storage.")?;
            let prefix = match field(storage, "prefix") {
                None => crate::DEFAULT_STORAGE_PREFIX.to_owned(),
                Some(prefix) => prefix
                    .as_string()
                    .map(|text| text.trim().to_owned())
                    .filter(|text| !text.is_empty())
                    .ok_or_else(|| {
                        OptionsError(format!(
                            "mailsetup: option \"storage.prefix\" must be a non-empty string \
                             (the start of every storage key), not {}",
                            describe(&prefix)
                        ))
                    })?,
            };
            Ok(Some(Storage::Local { prefix }))
        }
        Some("memory") => {
            check_keys(storage, MEMORY_STORAGE_KEYS, "storage.")?;
            Ok(Some(Storage::Memory))
        }
        Some("rest") => rest_storage(storage).map(|config| Some(Storage::Rest(config))),
        Some("url") => {
            check_keys(storage, URL_STORAGE_KEYS, "storage.")?;
            let url = field(storage, "url")
                .and_then(|value| value.as_string())
                .map(|text| text.trim().to_owned())
                .filter(|text| web_sys::Url::new(text).is_ok())
                .ok_or_else(|| {
                    OptionsError(
                        "mailsetup: option \"storage.url\" must be the absolute address of a \
                         published settings document, such as \"https://it.example.com/mail-settings.json\""
                            .into(),
                    )
                })?;
            Ok(Some(Storage::Published { url }))
        }
        _ => Err(OptionsError(format!(
            "mailsetup: option \"storage.type\" must be \"local\", \"memory\", \"rest\" or \"url\", not {}",
            field(storage, "type")
                .map(|kind| describe(&kind))
                .unwrap_or_else(|| "missing".into())
        ))),
    }
}

/// `{ type: "rest", baseUrl, token?, headers?, credentials?, csrf?: { header, token }, timeoutMs? }`.
fn rest_storage(storage: &Object) -> Result<RestConfig, OptionsError> {
    check_keys(storage, REST_STORAGE_KEYS, "storage.")?;
    let base_url = match field(storage, "baseUrl") {
        None => {
            return Err(OptionsError(
                "mailsetup: option \"storage.baseUrl\" is missing: give the settings server's \
                 address, such as \"https://crm.example.com\""
                    .into(),
            ));
        }
        Some(value) => value
            .as_string()
            .map(|text| text.trim().to_owned())
            .filter(|text| web_sys::Url::new(text).is_ok())
            .ok_or_else(|| {
                OptionsError(format!(
                    "mailsetup: option \"storage.baseUrl\" must be an absolute address such as \
                     \"https://crm.example.com\", not {}",
                    describe(&value)
                ))
            })?,
    };
    let mut config = RestConfig::new(&base_url);
    config.credentials = rest_credentials(storage)?;
    config.send_cookies = choice_at(
        storage,
        "credentials",
        "storage.",
        &[
            ("omit", SendCookies::Omit),
            ("same-origin", SendCookies::SameOrigin),
            ("include", SendCookies::Include),
        ],
    )?
    .unwrap_or_default();
    if let Some(value) = field(storage, "timeoutMs") {
        config.timeout_ms = value
            .as_f64()
            .filter(|ms| ms.fract() == 0.0 && (1_000.0..=120_000.0).contains(ms))
            .map(|ms| ms as u32)
            .ok_or_else(|| {
                OptionsError(format!(
                    "mailsetup: option \"storage.timeoutMs\" must be a whole number of \
                     milliseconds from 1000 to 120000, not {}",
                    describe(&value)
                ))
            })?;
    }
    Ok(config)
}

/// The credentials of a REST storage: `token`, `headers` and `csrf`.
fn rest_credentials(storage: &Object) -> Result<RestCredentials, OptionsError> {
    let text = |object: &Object,
                key: &str,
                path: &str,
                what: &str|
     -> Result<Option<String>, OptionsError> {
        match field(object, key) {
            None => Ok(None),
            Some(value) => value
                .as_string()
                .filter(|text| !text.trim().is_empty())
                .map(Some)
                .ok_or_else(|| {
                    OptionsError(format!(
                        "mailsetup: option \"{path}{key}\" must be a non-empty string ({what}), not {}",
                        describe(&value)
                    ))
                }),
        }
    };
    let token = text(
        storage,
        "token",
        "storage.",
        "the person's own access token",
    )?;
    let headers = match field(storage, "headers") {
        None => Vec::new(),
        Some(value) => {
            let object = plain_object(&value, "option \"storage.headers\"")?;
            Object::entries(object)
                .iter()
                .map(|pair| {
                    let pair: Array = pair.unchecked_into();
                    let name = pair.get(0).as_string().unwrap_or_default();
                    let value = pair.get(1);
                    value
                        .as_string()
                        .map(|value| (name.clone(), value))
                        .ok_or_else(|| {
                            OptionsError(format!(
                                "mailsetup: option \"storage.headers.{name}\" must be a string, not {}",
                                describe(&value)
                            ))
                        })
                })
                .collect::<Result<Vec<_>, _>>()?
        }
    };
    let csrf = match field(storage, "csrf") {
        None => None,
        Some(value) => {
            let object = plain_object(&value, "option \"storage.csrf\"")?;
            check_keys(object, CSRF_KEYS, "storage.csrf.")?;
            let what = "the header's name, such as \"X-CSRF-Token\"";
            let header = text(object, "header", "storage.csrf.", what)?;
            let token = text(object, "token", "storage.csrf.", "the session's CSRF token")?;
            match (header, token) {
                (Some(header), Some(token)) => Some((header, token)),
                _ => {
                    return Err(OptionsError(
                        "mailsetup: option \"storage.csrf\" needs both \"header\" and \"token\""
                            .into(),
                    ));
                }
            }
        }
    };
    Ok(RestCredentials {
        token,
        headers,
        csrf,
    })
}

/// `"a"`, `"a" or "b"`, `"a", "b" or "c"`.
fn one_of(names: &[String]) -> String {
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// What a value is, for a message: a string quoted, a number as written, else its kind.
fn describe(value: &JsValue) -> String {
    if let Some(text) = value.as_string() {
        let short: String = text.chars().take(40).collect();
        format!("\"{short}\"")
    } else if value.as_f64().is_some() {
        // JavaScript writes the number: Rust's float formatting would cost 7 KB of wasm.
        let written = js_sys::Number::unchecked_from_js_ref(value).to_string_with_radix(10);
        format!(
            "the number {}",
            written.map(String::from).unwrap_or_default()
        )
    } else if let Some(flag) = value.as_bool() {
        format!("{flag}")
    } else if value.is_null() {
        "null".into()
    } else if value.is_undefined() {
        "undefined".into()
    } else if js_sys::Array::is_array(value) {
        "an array".into()
    } else if value.is_function() {
        "a function".into()
    } else {
        "an object".into()
    }
}
