//! The structured startup event (feature `tracing`): target `profile_info`, level INFO, the
//! message [`crate::facts::summary`] and one field per Prometheus label
//! ([`crate::facts::Facts`]: `version`, `revision`, `profile`, `opt_level`, `lto`,
//! `codegen_units`, `panic`, `target_cpu`, `level`, `rustc`).
//!
//! `#[profile_info::main(log)]` asks for it at the top of `main`; a subscriber installed inside
//! `main` is not there yet, so then the line goes to stderr instead. Call [`startup_event`] right
//! after installing the subscriber to get the structured event:
//!
//! ```no_run
//! #[profile_info::main]
//! fn main() {
//!     // tracing_subscriber::fmt().init();
//!     profile_info::tracing::startup_event(profile_info::current().unwrap());
//! }
//! ```

use crate::facts::{summary, Facts};
use crate::BuildInfo;

/// Emits the startup event for `info` to the current subscriber.
pub fn startup_event(info: &BuildInfo) {
    let f = Facts::of(info);
    tracing::info!(
        target: "profile_info",
        version = %f.version,
        revision = %f.revision,
        profile = %f.profile,
        opt_level = %f.opt_level,
        lto = %f.lto,
        codegen_units = %f.codegen_units,
        panic = %f.panic,
        target_cpu = %f.target_cpu,
        level = %f.level,
        rustc = %f.rustc,
        "{}",
        summary(info)
    );
}
