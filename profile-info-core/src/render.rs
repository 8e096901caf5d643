//! The human-readable rendering of a document (`--build-info`, `Accept: text/plain`,
//! `cargo profile-info inspect`).

use crate::model::BuildInfo;
use std::fmt::Write;

/// Renders the summary: one line per part, `unknown` for what could not be captured.
pub fn text(info: &BuildInfo) -> String {
    fn or<T: std::fmt::Display>(v: &Option<T>) -> String {
        v.as_ref().map_or_else(|| "unknown".to_owned(), |v| v.to_string())
    }
    fn on_off(v: Option<bool>) -> &'static str {
        match v {
            Some(true) => "on",
            Some(false) => "off",
            None => "unknown",
        }
    }
    let (p, t, r) = (&info.profile, &info.target, &info.rustc);
    let mut s = String::new();
    let _ = writeln!(s, "{} {}", or(&info.package.name), or(&info.package.version));
    if info.crate_type.as_deref() != Some("bin") {
        let _ = writeln!(s, "crate type:  {} (flags of this crate, not of the final link)", or(&info.crate_type));
    }
    let _ = writeln!(
        s,
        "profile:     {} (opt-level {}, lto {}, codegen-units {}, panic {}, strip {}, debuginfo {})",
        or(&p.name),
        or(&p.opt_level),
        or(&p.lto),
        or(&p.codegen_units),
        or(&p.panic),
        or(&p.strip),
        or(&p.debuginfo),
    );
    let _ = writeln!(
        s,
        "checks:      debug-assertions {}, overflow-checks {}, incremental {}",
        on_off(p.debug_assertions),
        on_off(p.overflow_checks),
        on_off(p.incremental),
    );
    let _ = write!(s, "target:      {}, cpu {}", or(&t.triple), or(&t.cpu));
    if let Some(level) = &t.level {
        let _ = write!(s, ", level {level}");
    }
    let features = t.features.as_ref().map_or_else(|| "unknown".to_owned(), |f| f.join(" "));
    let _ = writeln!(s, "\nfeatures:    {features}");
    let _ = write!(s, "rustc:       {}", or(&r.version));
    let details: Vec<String> = [
        r.channel.as_deref().map(str::to_owned),
        r.commit_hash.as_deref().map(|h| h.chars().take(9).collect()),
        r.commit_date.as_deref().map(str::to_owned),
        r.llvm_version.as_deref().map(|v| format!("LLVM {v}")),
        r.host.as_deref().map(|h| format!("host {h}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !details.is_empty() {
        let _ = write!(s, " ({})", details.join(", "));
    }
    let vcs = match &info.vcs {
        None => "none".to_owned(),
        Some(v) => format!(
            "{}{}",
            or(&v.revision),
            match v.dirty {
                Some(true) => " (dirty)",
                Some(false) => " (clean)",
                None => "",
            }
        ),
    };
    let _ = writeln!(s, "\nvcs:         {vcs}");
    s
}
