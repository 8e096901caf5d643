//! `cargo-profile-info`, run as `cargo profile-info …` or directly; `compare` also runs it as
//! cargo's `RUSTC_WRAPPER` (see `compare::wrapper`).

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(code) = cargo_profile_info::run_if_wrapping(args.get(1..).unwrap_or_default()) {
        std::process::exit(code);
    }
    std::process::exit(cargo_profile_info::run(args));
}
