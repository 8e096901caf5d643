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
    // Every field the table gives the document is the value its own JSON holds under that key:
    // the typed reader and the table agree with the text they came from.
    let parsed: serde_json::Value = serde_json::from_str(json).expect("the reader accepted it");
    for (field, value) in keys::fields(&doc) {
        let pointer = format!("/{}", field.key.replace('.', "/"));
        // A field the JSON leaves out is null (the reader's default for fields a schema added).
        let held = parsed.pointer(&pointer).unwrap_or(&serde_json::Value::Null);
        assert_eq!(held, &keys::json(value), "{}", field.key);
        assert_eq!(keys::lookup(&doc, field.key), keys::Lookup::Value(value), "{}", field.key);
        let _ = value.to_string();
    }
    let _ = check::requirements(Path::new("fuzzed"), &doc, &wanted);
});
