//! What open dialogs hold, carried across a redraw of the whole component: a host that switches
//! the language (or the email or the allowlist) gets the component drawn anew, and a person
//! half-way through the drawer keeps the drawer and everything typed in it.
//!
//! The parts that hold such state [`offer`] a way to capture it; just before the redraw the host
//! side calls [`Carryover::capture`]; the new parts [`take`] what the old ones held as they are
//! built. Without a `Carryover` in context both do nothing; only the JavaScript API (the
//! `js-api` feature) redraws the component, so without it they are nothing at all, and a page
//! that mounts once from Rust (the standalone demo) does not carry their code.
//!
//! Owns: keeping the captured values between the two trees. Must not: know what a part keeps
//! (each part decides) or when a redraw keeps state (the caller of `capture` does).

use std::any::Any;
use std::rc::Rc;

use leptos::prelude::*;

type Capture = Rc<dyn Fn() -> Box<dyn Any>>;

/// Whether anything can redraw the component (the JavaScript API's `update`).
const REDRAWS: bool = cfg!(feature = "js-api");

#[derive(Default)]
struct Held {
    /// The parts alive now: (their number, the key they offer under, how to capture it).
    offers: Vec<(u64, &'static str, Capture)>,
    /// What the last capture got, waiting for the new parts.
    captured: Vec<(&'static str, Box<dyn Any>)>,
    next: u64,
}

/// One mounted instance's carried state; provided as context above the component.
#[derive(Clone, Copy)]
pub struct Carryover(StoredValue<Held, LocalStorage>);

impl Carryover {
    pub fn new() -> Carryover {
        Carryover(StoredValue::new_local(Held::default()))
    }

    /// Captures what every live part offers, replacing anything captured before and not taken.
    #[cfg_attr(not(feature = "js-api"), allow(dead_code))] // only the JavaScript API redraws
    pub fn capture(self) {
        let offers: Vec<(&'static str, Capture)> = self.0.with_value(|held| {
            held.offers
                .iter()
                .map(|(_, key, capture)| (*key, Rc::clone(capture)))
                .collect()
        });
        let captured = offers
            .into_iter()
            .map(|(key, capture)| (key, capture()))
            .collect();
        self.0.update_value(|held| held.captured = captured);
    }

    /// Forgets anything captured and not taken (a redraw that keeps nothing).
    #[cfg_attr(not(feature = "js-api"), allow(dead_code))]
    pub fn forget(self) {
        self.0.update_value(|held| held.captured.clear());
    }
}

impl Default for Carryover {
    fn default() -> Carryover {
        Carryover::new()
    }
}

/// Offers the calling part's state under `key` for the life of the part (its owner): `capture`
/// runs just before a redraw, untracked.
pub fn offer<T: 'static>(key: &'static str, capture: impl Fn() -> T + 'static) {
    if !REDRAWS {
        return;
    }
    let Some(carryover) = use_context::<Carryover>() else {
        return;
    };
    let capture: Capture = Rc::new(move || Box::new(untrack(&capture)) as Box<dyn Any>);
    let number = carryover
        .0
        .try_update_value(|held| {
            held.next += 1;
            held.offers.push((held.next, key, capture));
            held.next
        })
        .unwrap_or_default();
    on_cleanup(move || {
        carryover
            .0
            .try_update_value(|held| held.offers.retain(|(offered, ..)| *offered != number));
    });
}

/// What the part before the redraw offered under `key`, once.
pub fn take<T: 'static>(key: &'static str) -> Option<T> {
    if !REDRAWS {
        return None;
    }
    let carryover = use_context::<Carryover>()?;
    carryover
        .0
        .try_update_value(|held| {
            let at = held.captured.iter().position(|(held_key, value)| {
                *held_key == key && value.as_ref().type_id() == std::any::TypeId::of::<T>()
            })?;
            let (_, value) = held.captured.remove(at);
            value.downcast::<T>().ok().map(|value| *value)
        })
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_captured_value_reaches_the_next_part_once() {
        let owner = Owner::new();
        owner.with(|| {
            let carryover = Carryover::new();
            provide_context(carryover);
            let typed = RwSignal::new(String::from("acme.example"));
            let part = Owner::new();
            part.with(|| offer("drawer", move || typed.get()));
            typed.set("acme.example.com".into());
            carryover.capture();
            part.cleanup();
            assert_eq!(
                take::<String>("drawer").as_deref(),
                Some("acme.example.com")
            );
            assert_eq!(take::<String>("drawer"), None, "taken once");
            // A part that is gone offers nothing any more.
            carryover.capture();
            assert_eq!(take::<String>("drawer"), None);
        });
    }

    #[test]
    fn forgetting_drops_what_was_not_taken_and_other_keys_and_types_stay_apart() {
        let owner = Owner::new();
        owner.with(|| {
            let carryover = Carryover::new();
            provide_context(carryover);
            offer("panel", || 7_u8);
            offer("drawer", || "draft");
            carryover.capture();
            assert_eq!(take::<u16>("panel"), None, "another type");
            assert_eq!(take::<&str>("drawer"), Some("draft"));
            carryover.forget();
            assert_eq!(take::<u8>("panel"), None);
        });
    }

    #[test]
    fn without_a_carryover_nothing_is_kept() {
        let owner = Owner::new();
        owner.with(|| {
            offer("drawer", || 1_u8);
            assert_eq!(take::<u8>("drawer"), None);
        });
    }
}
