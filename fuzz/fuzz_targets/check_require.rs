//! `cargo profile-info check --require KEY=VALUE`: the requirement parser and the walk over the
//! document's dotted keys. Input: requirement arguments, one a line, then a NUL byte, then the
//! document's JSON (any JSON: the walk must cope with documents of other shapes too).
#![no_main]

use cargo_profile_info::check::{self, Requirement};
use cargo_profile_info::{keys, Document};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (args, json) = text.split_once('\0').unwrap_or((text, ""));
    let wanted: Vec<Requirement> = args.lines().filter_map(|a| a.parse().ok()).collect();
    let Ok(value) = serde_json::from_str::<serde_json::Value>(json) else { return };
    for req in &wanted {
        let _ = keys::lookup(&value, &req.key);
    }
    for (key, leaf) in keys::leaves(&value) {
        // Every leaf the walk lists is found again under its own key (keys with dots excepted:
        // the dotted syntax cannot name them).
        if !key.split('.').any(str::is_empty) && !has_dotted_name(&value) {
            assert_eq!(keys::lookup(&value, &key), keys::Lookup::Value(leaf), "{key}");
        }
        let _ = keys::render(leaf);
    }
    // A document the reader accepts goes through the whole gate.
    if let Ok(doc) = Document::from_section(&profile_info_fuzz::section(json)) {
        let _ = check::requirements(Path::new("fuzzed"), &doc, &wanted);
    }
});

/// Whether some object key holds a `.` (or is empty), which dotted keys cannot address.
fn has_dotted_name(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Object(fields) => {
            fields.iter().any(|(name, child)| name.is_empty() || name.contains('.') || has_dotted_name(child))
        }
        _ => false,
    }
}
