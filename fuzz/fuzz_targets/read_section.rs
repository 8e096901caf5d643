//! The section's contents (header, then the JSON document) as the reader finds them in a file:
//! the part of `read_binary` that random executables rarely reach; the same bytes as a `.dep-v0`
//! section's, for the CLI's reader and for the zlib writer and reader of profile-info-core.
#![no_main]

use cargo_profile_info::Document;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match Document::from_section(data) {
        Ok(doc) => profile_info_fuzz::rendered_alike(&doc),
        Err(problem) => assert!(!problem.contains('\n'), "error of more than one line: {problem}"),
    }
    // The same bytes as a `.dep-v0` section's contents.
    if let Err(problem) = cargo_profile_info::deps::from_section(data) {
        assert!(!problem.contains('\n'), "error of more than one line: {problem}");
    }
    // As a binary reads its own `.dep-v0` back for `/buildinfo`; and what the macro writes reads
    // back as it was.
    let _ = profile_info_core::zlib::decompress(data);
    let written = profile_info_core::zlib::compress(data);
    assert_eq!(profile_info_core::zlib::decompress(&written).as_deref(), Some(data));
});
