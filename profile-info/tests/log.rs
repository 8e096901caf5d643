//! The structured startup event, captured by a test subscriber: called directly, and from the
//! prologue of `#[profile_info::main(log)]` when a global subscriber exists before `main`.

use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

type Fields = Vec<(String, String)>;

/// Every event: (target, level, fields sorted by name).
#[derive(Default, Clone)]
struct Capture(Arc<Mutex<Vec<(String, tracing::Level, Fields)>>>);

struct Visitor(Fields);

impl Visit for Visitor {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Visitor(Vec::new());
        event.record(&mut fields);
        fields.0.sort();
        let meta = event.metadata();
        self.0.lock().unwrap().push((meta.target().to_owned(), *meta.level(), fields.0));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn info() -> &'static profile_info::BuildInfo {
    profile_info::build_info!()
}

/// The one event the startup report must be: target, level, message and the ten facts.
fn expected() -> (String, tracing::Level, Fields) {
    let facts = profile_info::facts::Facts::of(info());
    let mut fields: Fields = facts.pairs().iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    fields.push(("message".to_owned(), profile_info::facts::summary(info())));
    fields.sort();
    ("profile_info".to_owned(), tracing::Level::INFO, fields)
}

#[test]
fn startup_event_has_the_facts() {
    let capture = Capture::default();
    tracing::subscriber::with_default(capture.clone(), || profile_info::tracing::startup_event(info()));
    assert_eq!(*capture.0.lock().unwrap(), vec![expected()]);
}

#[test]
fn log_option_emits_the_event_to_a_global_subscriber() {
    let capture = Capture::default();
    tracing::subscriber::set_global_default(capture.clone()).unwrap();
    // What `#[profile_info::main(log)]` runs at the top of `main` (no flag handling here), with
    // this crate's document.
    static PARTS: std::sync::OnceLock<profile_info::__private::Parts> = std::sync::OnceLock::new();
    let rendered = PARTS.get_or_init(|| {
        let json = info().json().unwrap().as_bytes();
        // The section: a header of 16 bytes (its contents are not read here), then the JSON.
        let section: &'static [u8] = Box::leak([&[0u8; 16][..], json].concat().into_boxed_slice());
        [b"log", section, info().text().unwrap().as_bytes(), &[]]
    });
    profile_info::__private::start(rendered, None);
    profile_info::__private::log_startup();
    let seen: Vec<_> = capture.0.lock().unwrap().iter().filter(|e| e.0 == "profile_info").cloned().collect();
    assert_eq!(seen, vec![expected()]);
}
