//! The component's views, one Leptos component per file.

pub mod allowlist;
pub mod carryover;
pub mod confirm_delete;
pub mod copy_button;
pub mod domain_table;
pub mod download;
pub mod entry_history;
pub mod export;
pub mod field;
pub mod focus;
pub mod import;
pub mod modal;
pub mod on_demand;
pub mod recently_deleted;
pub mod save_error;
pub mod server_check;
pub mod server_fields;
pub mod settings_dialog;
pub mod settings_panel;
pub mod shown_errors;
pub mod storage_banner;
