//! The component's views, one Leptos component per file.

pub mod allowlist;
pub mod copy_button;
pub mod settings_panel;
