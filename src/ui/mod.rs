//! The component's views, one Leptos component per file.

pub mod settings_panel;
