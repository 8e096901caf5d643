//! The smallest use: `cargo run --release --example hello -- --build-info`.

#[profile_info::main]
fn main() {
    let info = profile_info::current().expect("set by #[profile_info::main]");
    println!(
        "hello from a {} build (opt-level {}, lto {})",
        info.profile.name.as_deref().unwrap_or("unknown"),
        info.profile.opt_level.map_or("unknown", |o| o.as_str()),
        info.profile.lto.map_or("unknown", |l| l.as_str()),
    );
}
