//! `cargo-profile-info`, run as `cargo profile-info …` or directly.

fn main() {
    std::process::exit(cargo_profile_info::run(std::env::args_os()));
}
