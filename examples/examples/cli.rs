//! A clap 4 program with profile-info's flag and version text:
//!
//! ```sh
//! cargo run --release --example cli -- world              # hello, world
//! cargo run --release --example cli -- -V                 # cli 0.0.0
//! cargo run --release --example cli -- --version          # cli 0.0.0, then the build summary
//! cargo run --release --example cli -- --help             # … --build-info [<FORMAT>] …
//! cargo run --release --example cli -- --build-info=json  # works although NAME is required
//! cargo run --release --example cli -- --build-info json   # an error: the format needs `=`
//! ```
//!
//! `flag = false` leaves `--build-info` to clap, so it shows up in `--help` and clap's exclusive
//! argument skips the check for the required NAME.

use clap::{Arg, Command};

#[profile_info::main(flag = false)]
fn main() {
    let info = profile_info::current().expect("set by #[profile_info::main]");
    let matches = Command::new("cli")
        .version(env!("CARGO_PKG_VERSION"))
        .long_version(profile_info::clap::long_version(info))
        .arg(profile_info::clap::arg())
        .arg(Arg::new("name").required(true).help("Whom to greet"))
        .get_matches();
    if let Some(code) = profile_info::clap::handle(info, &matches) {
        std::process::exit(code);
    }
    let name: &String = matches.get_one("name").expect("required");
    println!("hello, {name}");
}
