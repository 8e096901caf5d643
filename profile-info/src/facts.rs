//! The build facts every observability integration reports — the Prometheus labels, the tracing
//! event's fields, the startup line — decided in one place so that they always agree.

use crate::BuildInfo;

/// The facts of a document as strings; a value that was not captured is `""` (Prometheus treats an
/// empty label as an absent one).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Facts {
    /// `package.version`.
    pub version: String,
    /// `vcs.revision`, the full commit id.
    pub revision: String,
    /// `profile.name`.
    pub profile: String,
    /// `profile.opt_level`.
    pub opt_level: String,
    /// `profile.lto`.
    pub lto: String,
    /// `profile.codegen_units`.
    pub codegen_units: String,
    /// `profile.panic`.
    pub panic: String,
    /// `target.cpu`.
    pub target_cpu: String,
    /// `target.level`, the x86-64 level the code was compiled for.
    pub level: String,
    /// `rustc.version`.
    pub rustc: String,
}

impl Facts {
    /// The facts of `info`.
    pub fn of(info: &BuildInfo) -> Facts {
        fn s<T: ToString>(v: Option<T>) -> String {
            v.map(|v| v.to_string()).unwrap_or_default()
        }
        let (p, t) = (&info.profile, &info.target);
        Facts {
            version: s(info.package.version.as_deref()),
            revision: s(info.vcs.as_ref().and_then(|v| v.revision.as_deref())),
            profile: s(p.name.as_deref()),
            opt_level: s(p.opt_level),
            lto: s(p.lto),
            codegen_units: s(p.codegen_units),
            panic: s(p.panic),
            target_cpu: s(t.cpu.as_deref()),
            level: s(t.level.as_deref()),
            rustc: s(info.rustc.version.as_deref()),
        }
    }

    /// `(name, value)` in the order of the Prometheus labels.
    pub fn pairs(&self) -> [(&'static str, &str); 10] {
        [
            ("version", &self.version),
            ("revision", &self.revision),
            ("profile", &self.profile),
            ("opt_level", &self.opt_level),
            ("lto", &self.lto),
            ("codegen_units", &self.codegen_units),
            ("panic", &self.panic),
            ("target_cpu", &self.target_cpu),
            ("level", &self.level),
            ("rustc", &self.rustc),
        ]
    }
}

/// One line for a log: `app 0.3.1: release build (opt-level 3, lto fat, codegen-units 1, panic
/// abort), x86_64-unknown-linux-gnu cpu x86-64-v3, rustc 1.95.0, rev 3f1c2a9`.
pub fn summary(info: &BuildInfo) -> String {
    fn or<T: std::fmt::Display>(v: Option<T>) -> String {
        v.map_or_else(|| "unknown".to_owned(), |v| v.to_string())
    }
    let (p, t) = (&info.profile, &info.target);
    let mut line = format!(
        "{} {}: {} build (opt-level {}, lto {}, codegen-units {}, panic {}), {} cpu {}, rustc {}",
        or(info.package.name.as_deref()),
        or(info.package.version.as_deref()),
        or(p.name.as_deref()),
        or(p.opt_level),
        or(p.lto),
        or(p.codegen_units),
        or(p.panic),
        or(t.triple.as_deref()),
        or(t.cpu.as_deref()),
        or(info.rustc.version.as_deref()),
    );
    if let Some(rev) = info.vcs.as_ref().and_then(|v| v.revision.as_deref()) {
        line.push_str(", rev ");
        line.extend(rev.chars().take(9));
        if info.vcs.as_ref().and_then(|v| v.dirty) == Some(true) {
            line.push_str(" (dirty)");
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_follow_the_document() {
        let info = crate::build_info!();
        let facts = Facts::of(info);
        assert_eq!(facts.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(facts.profile, info.profile.name.as_deref().unwrap_or(""));
        assert_eq!(facts.pairs().len(), 10);
        assert!(summary(info).starts_with(&format!("profile-info {}: ", env!("CARGO_PKG_VERSION"))));
    }
}
