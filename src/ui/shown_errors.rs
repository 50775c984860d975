//! When a form shows a field's error: once the person has left the field, or for every field
//! once they have submitted. The admin dialog and the "Connect your inbox" form share it.
//!
//! A field left by pressing a pointer somewhere in the form (on its submit button, say) shows its
//! error only at the click: an error line appearing at the press would push the button away
//! before the release, and the browser would not count the click. The form's view calls
//! [`ShownErrors::press`] from its `pointerdown` and [`ShownErrors::release`] from its `click`
//! (a press released outside the form is released at the next press).
//!
//! Owns: that timing. Must not: decide what is valid (core does) or how an error looks
//! (field.rs does).

use leptos::prelude::*;

/// The fields whose errors show, reactive.
#[derive(Clone, Copy)]
pub struct ShownErrors<F: Send + Sync + 'static> {
    left: RwSignal<Vec<F>>,
    submitted: RwSignal<bool>,
    /// While a pointer is pressed in the form: the fields left since the press.
    held: StoredValue<Option<Vec<F>>>,
}

impl<F: Copy + PartialEq + Send + Sync + 'static> ShownErrors<F> {
    pub fn new() -> Self {
        ShownErrors {
            left: RwSignal::new(Vec::new()),
            submitted: RwSignal::new(false),
            held: StoredValue::new(None),
        }
    }

    /// A pointer was pressed in the form: fields left from now on wait for [`Self::release`].
    pub fn press(self) {
        self.release();
        self.held.set_value(Some(Vec::new()));
    }

    /// The press ended in a click: the errors of the fields left since the press show.
    pub fn release(self) {
        let Some(fields) = self.held.try_update_value(Option::take).flatten() else {
            return;
        };
        for field in fields {
            self.leave(field);
        }
    }

    /// Whether `field`'s error shows now.
    pub fn shows(self, field: F) -> bool {
        self.submitted.get() || self.left.with(|left| left.contains(&field))
    }

    /// The person left `field`: its error shows from now on (or from the click that ends the
    /// pointer press that left it). Safe after the form is gone.
    pub fn leave(self, field: F) {
        let held_back = self
            .held
            .try_update_value(|held| held.as_mut().map(|fields| fields.push(field)))
            .flatten()
            .is_some();
        if held_back {
            return;
        }
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

    /// The fields left and whether the person submitted, to show the same errors again in a
    /// form drawn anew ([`Self::restore`]).
    pub fn snapshot(self) -> (Vec<F>, bool) {
        (self.left.get_untracked(), self.submitted.get_untracked())
    }

    /// Shows the errors a [`Self::snapshot`] showed.
    pub fn restore(self, (left, submitted): (Vec<F>, bool)) {
        self.left.set(left);
        self.submitted.set(submitted);
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

    #[test]
    fn a_field_left_by_a_pointer_press_shows_its_error_at_the_click() {
        let owner = Owner::new();
        owner.set();
        let shown = ShownErrors::<u8>::new();
        shown.press();
        shown.leave(1);
        assert!(!shown.shows(1), "held back while the pointer is down");
        shown.release();
        assert!(shown.shows(1));
        shown.release();
        shown.leave(2);
        assert!(shown.shows(2), "without a press, leaving shows at once");
        shown.press();
        shown.leave(3);
        shown.press();
        assert!(
            shown.shows(3),
            "a press released elsewhere is released at the next press"
        );
    }
}
