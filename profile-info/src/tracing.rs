//! The structured startup event (feature `tracing`): target `profile_info`, level INFO, the
//! message [`crate::facts::summary`] and one field per Prometheus label
//! ([`crate::facts::Facts`], the labelled fields of the schema table; a test holds the two lists
//! equal).
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
    // tracing's field names are static: these are the table's labels, in its order.
    tracing::info!(
        target: "profile_info",
        version = %f.get("version"),
        features = %f.get("features"),
        profile = %f.get("profile"),
        opt_level = %f.get("opt_level"),
        lto = %f.get("lto"),
        codegen_units = %f.get("codegen_units"),
        panic = %f.get("panic"),
        pgo = %f.get("pgo"),
        strip = %f.get("strip"),
        debuginfo = %f.get("debuginfo"),
        target = %f.get("target"),
        target_arch = %f.get("target_arch"),
        target_os = %f.get("target_os"),
        target_env = %f.get("target_env"),
        target_cpu = %f.get("target_cpu"),
        target_cpu_native = %f.get("target_cpu_native"),
        target_level = %f.get("target_level"),
        rustc = %f.get("rustc"),
        revision = %f.get("revision"),
        dirty = %f.get("dirty"),
        "{}",
        summary(info)
    );
}
