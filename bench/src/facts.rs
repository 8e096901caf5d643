//! What each crate reports, checked against the truth: the profile the benchmark built with,
//! rustc's default CPU (`--print target-cpus`), the features `rustc --print cfg` lists for the same
//! flags, `rustc -vV`'s release, and the package's full `git rev-parse HEAD`.

use crate::peers::{Fact, Peer};
use crate::PROFILE;
use cargo_profile_info::harness::rustc;
use cargo_profile_info::Error;
use std::fmt;
use std::path::Path;
use std::process::Command;

/// What a variant's output says about one fact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The key holding the fact has the true value.
    Yes,
    /// The crate does not report the fact (`None`), or reports this instead of the true value.
    No(Option<String>),
    /// The binary did not run on this host (a v3 binary on an older CPU), so its output is unknown.
    Unknown,
}

impl Verdict {
    /// The one word the terminal table shows.
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Yes => "yes",
            Verdict::No(_) => "no",
            Verdict::Unknown => "unknown",
        }
    }
}

/// The report's cell: the word, and what the crate said instead or why it is unknown.
impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::No(Some(said)) => write!(f, "no (says `{}`)", said.chars().take(24).collect::<String>()),
            Verdict::Unknown => f.write_str("unknown (did not run on this host)"),
            other => f.write_str(other.word()),
        }
    }
}

/// The true values, gathered once from rustc and git.
#[derive(Clone, Debug)]
pub struct Truth {
    /// `rustc -vV`'s `release:`.
    pub rustc_release: String,
    /// `rustc -vV`'s `host:`, the triple `-v3` builds pass as `--target`.
    pub host: String,
    /// `git rev-parse HEAD` of the variants' repository.
    pub revision: String,
    /// The CPU rustc builds for without `-C target-cpu`.
    pub default_cpu: String,
    /// `rustc --print cfg`'s target features, sorted, comma-joined.
    pub features: String,
    /// The same with `-C target-cpu=x86-64-v3`.
    pub features_v3: String,
}

fn stdout(cmd: &mut Command, what: &str) -> Result<String, Error> {
    let out = cmd.output().map_err(|e| Error::new(format!("cannot run {what}: {e}")))?;
    if !out.status.success() {
        return Err(Error::new(format!("{what} failed: {}", String::from_utf8_lossy(&out.stderr).trim())));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The target features in `rustc --print cfg` output, sorted, comma-joined.
fn cfg_features(cfg: &str) -> String {
    sorted_list(cfg.lines().filter_map(|l| l.strip_prefix("target_feature=\"")?.strip_suffix('"')))
}

/// The CPU `rustc --print target-cpus` marks as the target's default.
fn default_cpu(cpus: &str) -> Option<&str> {
    cpus.lines().find(|l| l.contains("default target CPU")).and_then(|l| l.split_whitespace().next())
}

fn sorted_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut v: Vec<&str> = items.map(str::trim).filter(|s| !s.is_empty()).collect();
    v.sort_unstable();
    v.dedup();
    v.join(",")
}

/// Whether `release` appears in `text` as a whole version (`rustc 1.95.0 (…)`, not `1.95.01`).
fn holds_release(text: &str, release: &str) -> bool {
    let edge = |c: Option<char>| c.is_none_or(|c| !(c.is_ascii_digit() || c == '.'));
    text.match_indices(release)
        .any(|(i, _)| edge(text[..i].chars().next_back()) && edge(text[i + release.len()..].chars().next()))
}

impl Truth {
    /// Asks rustc, and git for `src`'s revision.
    pub fn gather(src: &Path) -> Result<Truth, Error> {
        let vv = stdout(rustc().arg("-vV"), "rustc -vV")?;
        // Read here rather than with profile_info_core::rustc: the truth profile-info's own facts
        // are held to shares no code with them.
        let field = |name: &str| vv.lines().find_map(|l| l.strip_prefix(name)).unwrap_or_default().trim().to_owned();
        let (rustc_release, host) = (field("release: "), field("host: "));
        let cpus = stdout(rustc().args(["--print", "target-cpus"]), "rustc --print target-cpus")?;
        let revision = stdout(Command::new("git").arg("-C").arg(src).args(["rev-parse", "HEAD"]), "git rev-parse")?;
        let cfg = |extra: &[&str]| stdout(rustc().args(["--print", "cfg"]).args(extra), "rustc --print cfg");
        Ok(Truth {
            revision: revision.trim().to_owned(),
            default_cpu: default_cpu(&cpus).unwrap_or_default().to_owned(),
            features: cfg_features(&cfg(&[])?),
            features_v3: cfg_features(&cfg(&["--target", &host, "-C", "target-cpu=x86-64-v3"])?),
            rustc_release,
            host,
        })
    }

    fn value(&self, peer: &Peer, fact: Fact) -> String {
        match fact {
            Fact::Profile => PROFILE.into(),
            Fact::OptLevel => "3".into(),
            Fact::Lto => "fat".into(),
            Fact::CodegenUnits => "1".into(),
            Fact::Strip => "symbols".into(),
            Fact::Panic => "abort".into(),
            Fact::TargetCpu if peer.v3 => "x86-64-v3".into(),
            Fact::TargetCpu => self.default_cpu.clone(),
            Fact::Features if peer.v3 => self.features_v3.clone(),
            Fact::Features => self.features.clone(),
            Fact::Rustc => self.rustc_release.clone(),
            Fact::Revision => self.revision.clone(),
        }
    }

    /// Checks what `peer` printed (`None`: it did not run here) about `fact`.
    pub fn check(&self, peer: &Peer, output: Option<&str>, fact: Fact) -> Verdict {
        let Some(output) = output else { return Verdict::Unknown };
        let Some(key) = peer.keys.iter().find(|(f, _)| *f == fact).map(|(_, k)| *k) else { return Verdict::No(None) };
        let Some(said) = output.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix('=')) else {
            return Verdict::No(None);
        };
        let want = self.value(peer, fact);
        let right = match fact {
            Fact::Features => sorted_list(said.split([',', ' '])) == want,
            Fact::Rustc => holds_release(said, &want),
            _ => said == want,
        };
        if right {
            Verdict::Yes
        } else {
            Verdict::No(Some(said.to_owned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peers::peer;

    fn truth() -> Truth {
        Truth {
            rustc_release: "1.95.0".into(),
            host: "x86_64-unknown-linux-gnu".into(),
            revision: "abc".into(),
            default_cpu: "x86-64".into(),
            features: "fxsr,sse".into(),
            features_v3: "avx2".into(),
        }
    }

    #[test]
    fn facts_are_checked_against_the_truth() {
        let t = truth();
        let pi = peer("profile-info").unwrap();
        let out = "hello\nprofile.name=production\nprofile.lto=thin\ntarget.features=sse,fxsr\nrustc.version=1.95.0\n\
                   target.cpu=x86-64\n";
        assert_eq!(t.check(pi, Some(out), Fact::Profile), Verdict::Yes);
        assert_eq!(t.check(pi, Some(out), Fact::Lto), Verdict::No(Some("thin".into())));
        assert_eq!(t.check(pi, Some(out), Fact::Features), Verdict::Yes);
        assert_eq!(t.check(pi, Some(out), Fact::TargetCpu), Verdict::Yes);
        assert_eq!(t.check(peer("profile-info-v3").unwrap(), Some(out), Fact::TargetCpu).word(), "no");
        assert_eq!(t.check(pi, Some(out), Fact::Panic), Verdict::No(None));
        assert_eq!(t.check(pi, None, Fact::Panic), Verdict::Unknown);
        let built = peer("built").unwrap();
        assert_eq!(
            t.check(built, Some("RUSTC_VERSION=rustc 1.95.0 (59807616e 2026-04-14)\n"), Fact::Rustc),
            Verdict::Yes
        );
        assert_eq!(t.check(built, Some("RUSTC_VERSION=rustc 1.95.01\n"), Fact::Rustc).word(), "no");
        assert_eq!(t.check(built, Some("PROFILE=release\n"), Fact::Profile), Verdict::No(Some("release".into())));
        assert_eq!(t.check(peer("plain").unwrap(), Some("hello\n"), Fact::Lto), Verdict::No(None));
    }

    #[test]
    fn verdicts_read_as_the_report_says() {
        assert_eq!(Verdict::Yes.to_string(), "yes");
        assert_eq!(Verdict::No(None).to_string(), "no");
        assert_eq!(Verdict::No(Some("x".repeat(30))).to_string(), format!("no (says `{}`)", "x".repeat(24)));
        assert_eq!(Verdict::Unknown.to_string(), "unknown (did not run on this host)");
        assert_eq!(Verdict::Unknown.word(), "unknown");
    }

    #[test]
    fn rustc_prints_are_read() {
        let cfg = "debug_assertions\ntarget_arch=\"x86_64\"\ntarget_feature=\"sse2\"\ntarget_feature=\"fxsr\"\n";
        assert_eq!(cfg_features(cfg), "fxsr,sse2");
        let cpus = "Available CPUs for this target:\n    native - Select the CPU of the current host.\n    \
                    x86-64  - This is the default target CPU for the current build target (currently x).\n";
        assert_eq!(default_cpu(cpus), Some("x86-64"));
        assert_eq!(default_cpu("Available CPUs for this target:\n"), None);
        assert!(holds_release("1.95.0", "1.95.0"));
        assert!(holds_release("rustc_version=1.95.0 (stable)", "1.95.0"));
        assert!(!holds_release("11.95.0", "1.95.0"), "a digit before");
        assert!(!holds_release("1.95.0.1", "1.95.0"), "more version after");
        assert!(!holds_release("1.95.01", "1.95.0"), "a digit after");
    }
}
