//! The inspector's file reader: arbitrary bytes as the executable `cargo profile-info` is given.
//! Every input must give a document (and a dependency list, if any) or a one-line error, never a
//! panic.
#![no_main]

use cargo_profile_info::Document;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match Document::from_object(data) {
        Ok(doc) => profile_info_fuzz::rendered_alike(&doc),
        Err(problem) => assert!(!problem.contains('\n'), "error of more than one line: {problem}"),
    }
    // The `.dep-v0` dependency list `inspect` reads from the same file.
    if let Err(problem) = cargo_profile_info::deps::from_object(data) {
        assert!(!problem.contains('\n'), "error of more than one line: {problem}");
    }
});
