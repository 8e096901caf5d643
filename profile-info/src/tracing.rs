//! The structured startup event (feature `tracing`): target `profile_info`, level INFO, the
//! message [`crate::facts::summary`] and one field per Prometheus label
//! ([`crate::facts::Facts`]). The field names are the labels of the schema table
//! ([`crate::schema::FIELDS`]), taken from it at compile time, so no name is restated here.
//!
//! `#[profile_info::main(log)]` asks for it at the top of `main`; a subscriber installed inside
//! `main` is not there yet, so then the line goes to stderr instead. Call [`startup_event`] right
//! after installing the subscriber to get the structured event:
//!
//! ```no_run
//! #[profile_info::main]
//! fn main() {
//!     // tracing_subscriber::fmt().init();
//!     profile_info::tracing::startup_event(profile_info::current().unwrap());
//! }
//! ```

use crate::facts::{summary, Facts};
use crate::schema::FIELDS;
use crate::BuildInfo;
use tracing::callsite::{Callsite as _, DefaultCallsite, Identifier};
use tracing::field::{display, Field, FieldSet, Value};
use tracing::metadata::Kind;
use tracing::{Level, Metadata};

/// How many fields of the table are labels.
const LABELS: usize = {
    let (mut n, mut i) = (0, 0);
    while i < FIELDS.len() {
        if FIELDS[i].label.is_some() {
            n += 1;
        }
        i += 1;
    }
    n
};

/// The event's field names: `message`, then the table's labels in its order (the order of
/// [`Facts::pairs`]).
///
/// Why a call site is built by hand below rather than with `tracing::info!`: the macro takes its
/// fields one by one in the source (a literal, or `{ CONST } = value` each), so using it would
/// write out one `{ NAMES[i] } = …` per label, restating how many labels the table has here, and a
/// label added to the table would be silently missing from the event. tracing has no macro for a
/// field set given as an array; `Metadata::new` with a `FieldSet` of these names is what the macro
/// itself expands to, so the event is the same to a subscriber, and no dependency is added.
static NAMES: [&str; LABELS + 1] = {
    let mut names = ["message"; LABELS + 1];
    let (mut i, mut j) = (0, 1);
    while i < FIELDS.len() {
        if let Some(label) = FIELDS[i].label {
            names[j] = label;
            j += 1;
        }
        i += 1;
    }
    names
};

// What `tracing::info!` declares for its call site (tracing 0.1's `callsite2!`), with the names above.
static CALLSITE: DefaultCallsite = DefaultCallsite::new(&META);
static META: Metadata<'static> = Metadata::new(
    concat!("event ", file!(), ":", line!()),
    "profile_info",
    Level::INFO,
    Some(file!()),
    Some(line!()),
    Some(module_path!()),
    FieldSet::new(&NAMES, Identifier(&CALLSITE)),
    Kind::EVENT,
);

/// Emits the startup event for `info` to the current subscriber.
#[inline]
pub fn startup_event(info: &BuildInfo) {
    // The check `tracing::event!` makes before building any value (its `__is_enabled`, which is
    // not public API): the level filter, the call site's cached interest, then the subscriber.
    let enabled = tracing::level_enabled!(Level::INFO) && {
        let interest = CALLSITE.interest();
        !interest.is_never()
            && (interest.is_always() || tracing::dispatcher::get_default(|d| d.enabled(CALLSITE.metadata())))
    };
    if !enabled {
        return;
    }
    let message = summary(info);
    let facts = Facts::of(info);
    let values: Vec<_> =
        std::iter::once(message.as_str()).chain(facts.pairs().into_iter().map(|(_, v)| v)).map(display).collect();
    let fields: Vec<Field> = META.fields().iter().collect();
    let set: [(&Field, Option<&dyn Value>); LABELS + 1] =
        std::array::from_fn(|i| (&fields[i], Some(&values[i] as &dyn Value)));
    tracing::Event::dispatch(&META, &META.fields().value_set(&set));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_are_the_labels_in_the_order_of_the_facts() {
        let facts = Facts::of(crate::build_info!());
        let labels: Vec<&str> = facts.pairs().into_iter().map(|(k, _)| k).collect();
        assert_eq!(NAMES[1..], labels[..]);
    }
}
