//! What `inspect` reads from any binary: arbitrary bytes as the file. Every input must give the
//! facts (which then render as text and JSON) or a one-line error, never a panic; the section
//! table, `.comment`, DWARF, symbols and the instruction decoder all see the bytes.
#![no_main]

use cargo_profile_info::forensics::FileFacts;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match FileFacts::read(data) {
        Ok(facts) => {
            let text = facts.text("fuzzed");
            assert!(text.starts_with("file:"), "{text}");
            let json = facts.json();
            assert!(json["isa"].is_object(), "{json}");
        }
        Err(problem) => assert!(!problem.contains('\n'), "error of more than one line: {problem}"),
    }
});
