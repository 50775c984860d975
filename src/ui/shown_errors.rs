//! When a form shows a field's error: once the person has left the field, or for every field
//! once they have submitted. The admin dialog and the "Connect your inbox" form share it.
//!
//! Owns: that timing. Must not: decide what is valid (core does) or how an error looks
//! (field.rs does).

use leptos::prelude::*;

/// The fields whose errors show, reactive.
#[derive(Clone, Copy)]
pub struct ShownErrors<F: Send + Sync + 'static> {
    left: RwSignal<Vec<F>>,
    submitted: RwSignal<bool>,
}

impl<F: Copy + PartialEq + Send + Sync + 'static> ShownErrors<F> {
    pub fn new() -> Self {
        ShownErrors {
            left: RwSignal::new(Vec::new()),
            submitted: RwSignal::new(false),
        }
    }

    /// Whether `field`'s error shows now.
    pub fn shows(self, field: F) -> bool {
        self.submitted.get() || self.left.with(|left| left.contains(&field))
    }

    /// The person left `field`: its error shows from now on. Safe after the form is gone.
    pub fn leave(self, field: F) {
        self.left.try_update(|left| {
            if !left.contains(&field) {
                left.push(field);
            }
        });
    }

    /// The person submitted: every field's error shows.
    pub fn submit(self) {
        self.submitted.set(true);
    }

    /// A new attempt starts with `field` emptied on purpose (the password after a check): only
    /// the errors of the other fields left show again.
    pub fn start_over_without(self, field: F) {
        self.submitted.set(false);
        self.left.update(|left| left.retain(|f| *f != field));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_show_for_fields_left_then_for_all_after_submit_and_start_over_without_one() {
        let owner = Owner::new();
        owner.set();
        let shown = ShownErrors::<u8>::new();
        assert!(!shown.shows(1) && !shown.shows(2));
        shown.leave(1);
        shown.leave(1);
        assert!(shown.shows(1) && !shown.shows(2));
        shown.submit();
        assert!(shown.shows(1) && shown.shows(2));
        shown.leave(2);
        shown.start_over_without(1);
        assert!(!shown.shows(1), "the emptied field starts over");
        assert!(
            shown.shows(2),
            "a field the person left still shows its error"
        );
    }
}
