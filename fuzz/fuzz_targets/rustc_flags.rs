//! The proc macro's reading of the rustc command line it runs inside (`profile-info-macros`'
//! `flags` module), with each value parser applied to what it found. Input: one argument a line,
//! as in the `@argfile`s rustc is given when a command line is too long.
#![no_main]

use libfuzzer_sys::fuzz_target;

// A proc-macro crate cannot be linked into another binary, so the module is compiled here from
// the macro crate's own source file: one piece of code, tested in both places.
#[allow(dead_code)]
#[path = "../../profile-info-macros/src/flags.rs"]
mod flags;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let args: Vec<&str> = text.lines().collect();
    let f = flags::parse(&args);
    for v in [&f.debug_assertions, &f.overflow_checks].into_iter().flatten() {
        let _ = flags::boolean(v);
    }
    let _ = f.opt_level.as_deref().map(flags::opt_level);
    let _ = f.debuginfo.as_deref().map(flags::debuginfo);
    let _ = f.strip.as_deref().map(flags::strip);
    let _ = f.lto.as_deref().map(flags::lto);
    let _ = f.panic.as_deref().map(flags::panic);
    let _ = f.out_dir.as_deref().map(flags::profile_name);
    // Each argument is also a candidate out-dir: the profile name comes from any path.
    for arg in &args {
        let _ = flags::profile_name(arg);
    }
});
