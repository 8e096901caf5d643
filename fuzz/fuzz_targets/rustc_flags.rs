//! The reading of a rustc command line that the proc macro (inside rustc) and compare's
//! `RUSTC_WRAPPER` share (`profile_info_core::flags`), with each value parser applied to what it
//! found. Input: one argument a line,
//! as in the `@argfile`s rustc is given when a command line is too long.
#![no_main]

use libfuzzer_sys::fuzz_target;

use profile_info_core::flags;

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
    // rustc applies the last of a flag given twice: whatever came before (two fillers take the
    // value a trailing flag still waits for), appended flags win, and lists only grow.
    let mut more = args.clone();
    more.extend(["x", "x", "-Copt-level=s", "--codegen", "target-feature=+fuzz"]);
    let g = flags::parse(&more);
    assert_eq!(g.opt_level.as_deref(), Some("s"));
    assert_eq!(g.target_features.last().map(String::as_str), Some("+fuzz"));
    assert!(g.target_features.starts_with(&f.target_features), "{:?} then {:?}", f.target_features, g.target_features);
    // Each argument is also a candidate out-dir: the profile name comes from any path.
    for arg in &args {
        let _ = flags::profile_name(arg);
    }
});
