//! OpenTelemetry resource attributes for the build: the semantic conventions' `service.name`,
//! `service.version`, `process.runtime.name`, `process.runtime.version` and `host.arch`, plus the
//! profile facts under the `rust.build.` prefix ([`PREFIX`]):
//!
//! | key | value |
//! |---|---|
//! | `service.name`, `service.version` | `package.name`, `package.version` |
//! | `process.runtime.name`, `process.runtime.version` | `rustc` and its version (Rust has no runtime; as Go's SDK reports its compiler) |
//! | `host.arch` | the semantic conventions' name for `target.arch`: `amd64`, `arm64`, `arm32`, `x86`, `ppc32`, `ppc64`, `s390x`, else rustc's name |
//! | `rust.build.<label>` | every fact of [`crate::facts::Facts`], under its Prometheus label's name (`rust.build.lto`, `rust.build.target_level`) |
//!
//! An attribute whose value was not captured is left out.
//!
//! ```
//! let attrs = profile_info::otel::attributes(profile_info::build_info!());
//! assert!(attrs.iter().any(|(k, v)| k == "service.name" && v == "profile-info"));
//! assert!(attrs.iter().any(|(k, _)| k == "rust.build.lto"));
//! ```

use crate::BuildInfo;
use std::borrow::Cow;

/// The prefix of the profile facts.
pub const PREFIX: &str = crate::schema::LABEL_PREFIX;

/// The attributes as `(key, value)` pairs, for any OpenTelemetry version or exporter.
#[inline]
pub fn attributes(info: &BuildInfo) -> Vec<(Cow<'static, str>, String)> {
    let arch = info.target.arch.as_deref().unwrap_or(std::env::consts::ARCH);
    let semantic = [
        ("service.name", info.package.name.as_deref()),
        ("service.version", info.package.version.as_deref()),
        ("process.runtime.name", Some("rustc")),
        ("process.runtime.version", info.rustc.version.as_deref()),
        ("host.arch", Some(host_arch(arch))),
    ];
    // Loops rather than iterator adapters: at opt-level 0 each adapter is a function of its own
    // in this crate's archive, which every debug link of a dependent reads.
    let mut all = Vec::new();
    for (key, value) in semantic {
        if let Some(value) = value {
            all.push((Cow::Borrowed(key), value.to_owned()));
        }
    }
    for (key, value) in crate::facts::Facts::of(info).pairs() {
        if !value.is_empty() {
            all.push((Cow::Owned(format!("{PREFIX}{key}")), value.to_owned()));
        }
    }
    all
}

/// The same attributes as [`opentelemetry::KeyValue`]s (feature `opentelemetry`), for
/// `Resource::builder().with_attributes(…)`.
#[cfg(feature = "opentelemetry")]
#[inline]
pub fn key_values(info: &BuildInfo) -> Vec<opentelemetry::KeyValue> {
    attributes(info).into_iter().map(|(k, v)| opentelemetry::KeyValue::new(k, v)).collect()
}

/// The semantic conventions' `host.arch` for rustc's `target_arch`.
#[inline]
fn host_arch(arch: &str) -> &str {
    match arch {
        "x86_64" => "amd64",
        "aarch64" | "arm64ec" => "arm64",
        "arm" => "arm32",
        "powerpc" => "ppc32",
        "powerpc64" => "ppc64",
        a => a,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arch_names() {
        assert_eq!(host_arch("x86_64"), "amd64");
        assert_eq!(host_arch("aarch64"), "arm64");
        assert_eq!(host_arch("arm"), "arm32");
        assert_eq!(host_arch("x86"), "x86");
        assert_eq!(host_arch("s390x"), "s390x");
        let attrs = attributes(crate::build_info!());
        assert!(attrs.iter().all(|(k, _)| !k.starts_with("rust.") || k.starts_with(PREFIX)));
        #[cfg(target_arch = "x86_64")]
        assert!(attrs.contains(&(Cow::Borrowed("host.arch"), "amd64".to_owned())));
    }
}
