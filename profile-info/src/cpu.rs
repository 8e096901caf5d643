//! The host's CPU, as CPUID and the OS report it, against the features this binary was compiled
//! for. For health checks and `/buildinfo`; the startup guard does the same check in assembly
//! before any Rust code runs.
//!
//! On architectures other than x86_64 the host reports no features and nothing is missing.

use crate::BuildInfo;
pub use profile_info_core::x86::{Lack, OsState, GUARD_EXIT_CODE};

/// The host's usable CPU features and x86-64 level.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Host {
    /// Features the host can run, by rustc's names, in the order of profile-info's table.
    pub features: Vec<&'static str>,
    /// The highest x86-64 psABI level the host reaches (`"x86-64-v3"`), `None` off x86_64.
    pub level: Option<&'static str>,
}

/// A feature the binary needs that the host cannot run.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Missing {
    /// rustc's name of the feature.
    pub feature: &'static str,
    /// Whether the CPU lacks it or the OS has not enabled its register state.
    pub lack: Lack,
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.lack {
            Lack::Cpu => f.write_str(self.feature),
            Lack::OsState(state) => write!(f, "{} (OS has not enabled {} state)", self.feature, state.describe()),
        }
    }
}

#[cfg(target_arch = "x86_64")]
fn support() -> &'static profile_info_core::x86::Support {
    static SUPPORT: std::sync::OnceLock<profile_info_core::x86::Support> = std::sync::OnceLock::new();
    SUPPORT.get_or_init(profile_info_core::x86::detect)
}

/// The host's features and level, detected once per process.
pub fn host() -> Host {
    #[cfg(target_arch = "x86_64")]
    {
        let s = support();
        Host { features: s.usable(), level: Some(profile_info_core::x86::level_name(s.level())) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    Host { features: Vec::new(), level: None }
}

/// What the document's target features need that this host lacks (features outside
/// profile-info's table cannot be checked and are not listed).
pub fn missing_for(info: &BuildInfo) -> Vec<Missing> {
    #[cfg(target_arch = "x86_64")]
    if info.target.triple.as_deref().is_some_and(|t| t.starts_with("x86_64")) {
        let s = support();
        return info
            .target
            .features
            .as_deref()
            .map(profile_info_core::x86::required)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|f| s.lack(f.name).map(|lack| Missing { feature: f.name, lack }))
            .collect();
    }
    let _ = info;
    Vec::new()
}

/// What this binary ([`crate::current()`]) needs that this host lacks; empty without
/// `#[profile_info::main]`.
pub fn missing() -> Vec<Missing> {
    crate::current().map(missing_for).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_build_runs_here() {
        // The test binary runs, so the host has every feature it was compiled for.
        assert_eq!(missing_for(crate::build_info!()), []);
        let host = host();
        let info = crate::build_info!();
        if let Some(level) = &info.target.level {
            let rank = |l: &str| ["x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4"].iter().position(|x| *x == l);
            assert!(rank(host.level.unwrap()) >= rank(level));
        }
    }
}
