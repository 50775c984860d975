//! The Polish text, which an English page never needs. In the release build (`split_chunks`,
//! see `xtask/src/release.rs`) every Polish table is in a wasm chunk of its own, fetched before a
//! Polish instance first draws (`MailSetup` waits for it); in every other build it is simply
//! there.
//!
//! Owns: getting at the Polish tables. Must not: hold any text (each area file keeps its English
//! and Polish side by side, so a string missing in one language stays a compile error).

use std::sync::OnceLock;

use mailsetup_core::Problem;

use super::{
    Language, allowlist, connect, forms, history, import, panel, problems, server, server_check,
    storage,
};
use crate::ui::on_demand::CodeMissing;

/// One language's tables, one per area.
pub struct Tables {
    pub allowlist: &'static allowlist::AllowlistTexts,
    pub connect: &'static connect::ConnectTexts,
    pub address: &'static connect::AddressTexts,
    pub forms: &'static forms::FormTexts,
    pub fields: &'static forms::FieldTexts,
    pub save: &'static forms::SaveTexts,
    pub panel: &'static panel::PanelTexts,
    pub storage: &'static storage::StorageTexts,
    pub server: &'static server::ServerTexts,
    pub import: &'static import::ImportTexts,
    pub server_check: &'static server_check::ServerCheckTexts,
    pub history: &'static history::HistoryTexts,
    /// The sentence for a core problem, when there is a template for it.
    pub problem: fn(&dyn Problem) -> Option<String>,
}

static POLISH: Tables = Tables {
    allowlist: &allowlist::PL,
    connect: &connect::PL,
    address: &connect::PL_ADDRESS,
    forms: &forms::PL,
    fields: &forms::PL_FIELDS,
    save: &forms::PL_SAVE,
    panel: &panel::PL,
    storage: &storage::PL,
    server: &server::PL,
    import: &import::PL,
    server_check: &server_check::PL,
    history: &history::PL,
    problem: problems::polish,
};

#[cfg_attr(
    split_chunks,
    leptos::wasm_split::wasm_split(
        polish_code,
        wasm_split_path = ::leptos::wasm_split,
        fallible,
        preload(preload_polish_code)
    )
)]
#[cfg_attr(not(split_chunks), allow(dead_code))]
fn polish_code() -> Result<&'static Tables, CodeMissing> {
    Ok(&POLISH)
}

#[cfg_attr(not(split_chunks), allow(dead_code))]
static FETCHED: OnceLock<&'static Tables> = OnceLock::new();

/// Fetches the Polish tables: the release build's chunk; other builds have them already.
pub async fn fetch() -> Result<(), CodeMissing> {
    #[cfg(split_chunks)]
    if FETCHED.get().is_none() {
        let tables = polish_code().await?;
        let _ = FETCHED.set(tables);
    }
    Ok(())
}

/// `english`, or in Polish the table `polish` picks out of the Polish tables.
pub(super) fn pick<T: ?Sized>(
    language: Language,
    english: &'static T,
    polish: fn(&'static Tables) -> &'static T,
) -> &'static T {
    match language {
        Language::English => english,
        Language::Polish => tables().map_or(english, polish),
    }
}

/// The Polish tables; `None` only before they are fetched (never when drawing: `MailSetup`
/// waits for them; each area then falls back to its English table rather than stop).
pub(super) fn tables() -> Option<&'static Tables> {
    #[cfg(split_chunks)]
    {
        FETCHED.get().copied()
    }
    #[cfg(not(split_chunks))]
    {
        Some(&POLISH)
    }
}
