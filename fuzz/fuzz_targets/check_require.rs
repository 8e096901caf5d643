//! `cargo profile-info check --require KEY=VALUE`: the requirement parser and the lookup of the
//! schema table's dotted keys in a document. Input: requirement arguments, one a line, then a NUL
//! byte, then the document's JSON (any JSON: what the reader refuses goes no further).
#![no_main]

use cargo_profile_info::check::{self, Requirement};
use cargo_profile_info::{keys, Document};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (args, json) = text.split_once('\0').unwrap_or((text, ""));
    let wanted: Vec<Requirement> = args.lines().filter_map(|a| a.parse().ok()).collect();
    for req in &wanted {
        let _ = check::impossible(req);
    }
    // A document the reader accepts goes through the whole gate.
    let Ok(doc) = Document::from_section(&profile_info_fuzz::section(json)) else { return };
    for req in &wanted {
        let _ = keys::lookup(&doc, &req.key);
    }
    for (field, value) in keys::fields(&doc) {
        // Every field of the document's schema is found again under its own key.
        assert_eq!(keys::lookup(&doc, field.key), keys::Lookup::Value(value), "{}", field.key);
        let _ = (keys::json(value), value.to_string());
    }
    let _ = check::requirements(Path::new("fuzzed"), &doc, &wanted);
});
