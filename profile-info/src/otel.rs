//! OpenTelemetry resource attributes for the build: the semantic conventions' `service.name`,
//! `service.version`, `process.runtime.name`, `process.runtime.version` and `host.arch`, plus the
//! profile facts under the `rust.build.` prefix ([`PREFIX`]):
//!
//! | key | value |
//! |---|---|
//! | `service.name`, `service.version` | `package.name`, `package.version` |
//! | `process.runtime.name`, `process.runtime.version` | `rustc` and its version (Rust has no runtime; as Go's SDK reports its compiler) |
//! | `host.arch` | the semantic conventions' name: `amd64`, `arm64`, `arm32`, `x86`, `ppc32`, `ppc64`, `s390x`, else the triple's arch |
//! | `rust.build.profile`, `.opt_level`, `.lto`, `.codegen_units`, `.panic`, `.strip`, `.debuginfo` | `profile.*` |
//! | `rust.build.target`, `.target_cpu`, `.target_level` | `target.triple`, `.cpu`, `.level` |
//! | `rust.build.revision`, `.dirty` | `vcs.*` |
//!
//! An attribute whose value was not captured is left out.
//!
//! ```
//! let attrs = profile_info::otel::attributes(profile_info::build_info!());
//! assert!(attrs.contains(&("service.name", "profile-info".to_owned())));
//! ```

use crate::BuildInfo;

/// The prefix of the profile facts.
pub const PREFIX: &str = "rust.build.";

/// The attributes as `(key, value)` pairs, for any OpenTelemetry version or exporter.
pub fn attributes(info: &BuildInfo) -> Vec<(&'static str, String)> {
    let (p, t) = (&info.profile, &info.target);
    let arch = t.triple.as_deref().and_then(|t| t.split('-').next()).unwrap_or(std::env::consts::ARCH);
    let s = |v: Option<&str>| v.map(str::to_owned);
    let d = |v: Option<&dyn std::fmt::Display>| v.map(|v| v.to_string());
    let vcs = info.vcs.as_ref();
    [
        ("service.name", s(info.package.name.as_deref())),
        ("service.version", s(info.package.version.as_deref())),
        ("process.runtime.name", Some("rustc".to_owned())),
        ("process.runtime.version", s(info.rustc.version.as_deref())),
        ("host.arch", Some(host_arch(arch).to_owned())),
        ("rust.build.profile", s(p.name.as_deref())),
        ("rust.build.opt_level", d(p.opt_level.as_ref().map(|v| v as _))),
        ("rust.build.lto", d(p.lto.as_ref().map(|v| v as _))),
        ("rust.build.codegen_units", d(p.codegen_units.as_ref().map(|v| v as _))),
        ("rust.build.panic", d(p.panic.as_ref().map(|v| v as _))),
        ("rust.build.strip", d(p.strip.as_ref().map(|v| v as _))),
        ("rust.build.debuginfo", d(p.debuginfo.as_ref().map(|v| v as _))),
        ("rust.build.target", s(t.triple.as_deref())),
        ("rust.build.target_cpu", s(t.cpu.as_deref())),
        ("rust.build.target_level", s(t.level.as_deref())),
        ("rust.build.revision", s(vcs.and_then(|v| v.revision.as_deref()))),
        ("rust.build.dirty", d(vcs.and_then(|v| v.dirty.as_ref()).map(|v| v as _))),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k, v?)))
    .collect()
}

/// The same attributes as [`opentelemetry::KeyValue`]s (feature `opentelemetry`), for
/// `Resource::builder().with_attributes(…)`.
#[cfg(feature = "opentelemetry")]
pub fn key_values(info: &BuildInfo) -> Vec<opentelemetry::KeyValue> {
    attributes(info).into_iter().map(|(k, v)| opentelemetry::KeyValue::new(k, v)).collect()
}

/// The semantic conventions' `host.arch` for a target triple's architecture.
fn host_arch(arch: &str) -> &str {
    match arch {
        "x86_64" => "amd64",
        "aarch64" | "arm64" | "arm64e" => "arm64",
        "i386" | "i586" | "i686" | "x86" => "x86",
        "powerpc" => "ppc32",
        "powerpc64" | "powerpc64le" => "ppc64",
        a if a.starts_with("arm") || a.starts_with("thumb") => "arm32",
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
        assert_eq!(host_arch("armv7"), "arm32");
        assert_eq!(host_arch("s390x"), "s390x");
        let attrs = attributes(crate::build_info!());
        assert!(attrs.iter().all(|(k, _)| !k.starts_with("rust.") || k.starts_with(PREFIX)));
        #[cfg(target_arch = "x86_64")]
        assert!(attrs.contains(&("host.arch", "amd64".to_owned())));
    }
}
