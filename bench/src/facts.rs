//! What each crate reports, checked against the truth: the profile the benchmark built with,
//! `rustc -vV`'s release, the features `rustc --print cfg` lists for the same flags, and the
//! package's full `git rev-parse HEAD`.

use crate::peers::Peer;
use crate::PROFILE;
use cargo_profile_info::compare::Failure;
use std::path::Path;
use std::process::Command;

/// The true values, gathered once.
pub struct Truth {
    rustc_release: String,
    revision: String,
    features: String,
    features_v3: String,
}

const TRIPLE: &str = "x86_64-unknown-linux-gnu";

fn stdout(cmd: &mut Command, what: &str) -> Result<String, Failure> {
    let out = cmd.output().map_err(|e| Failure::new(format!("cannot run {what}: {e}")))?;
    if !out.status.success() {
        return Err(Failure::new(format!("{what} failed: {}", String::from_utf8_lossy(&out.stderr).trim())));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The target features `rustc --print cfg` lists for these extra arguments, sorted, comma-joined.
fn features(extra: &[&str]) -> Result<String, Failure> {
    let cfg = stdout(Command::new("rustc").args(["--print", "cfg"]).args(extra), "rustc --print cfg")?;
    Ok(sorted_list(cfg.lines().filter_map(|l| l.strip_prefix("target_feature=\"")?.strip_suffix('"'))))
}

fn sorted_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut v: Vec<&str> = items.map(str::trim).filter(|s| !s.is_empty()).collect();
    v.sort_unstable();
    v.dedup();
    v.join(",")
}

impl Truth {
    /// Asks rustc and git.
    pub fn gather(src: &Path) -> Result<Truth, Failure> {
        let vv = stdout(Command::new("rustc").arg("-vV"), "rustc -vV")?;
        let rustc_release = vv.lines().find_map(|l| l.strip_prefix("release: ")).unwrap_or_default().trim().to_owned();
        let revision = stdout(Command::new("git").arg("-C").arg(src).args(["rev-parse", "HEAD"]), "git rev-parse")?;
        Ok(Truth {
            rustc_release,
            revision: revision.trim().to_owned(),
            features: features(&[])?,
            features_v3: features(&["--target", TRIPLE, "-C", "target-cpu=x86-64-v3"])?,
        })
    }

    /// `rustc -vV`'s release.
    pub fn rustc_release(&self) -> &str {
        &self.rustc_release
    }

    fn value(&self, peer: &Peer, fact: &str) -> String {
        match fact {
            "profile" => PROFILE.into(),
            "opt-level" => "3".into(),
            "lto" => "fat".into(),
            "codegen-units" => "1".into(),
            "strip" => "symbols".into(),
            "panic" => "abort".into(),
            "target-cpu" => if peer.v3 { "x86-64-v3" } else { "x86-64" }.into(),
            "features" => if peer.v3 { &self.features_v3 } else { &self.features }.clone(),
            "rustc" => self.rustc_release.clone(),
            "revision" => self.revision.clone(),
            _ => String::new(),
        }
    }

    /// `yes`, or `no` with what the crate said instead, or `unknown` when it did not run here.
    pub fn check(&self, peer: &Peer, output: Option<&str>, fact: &str) -> String {
        let Some(output) = output else { return "unknown (did not run on this host)".into() };
        let Some(key) = peer.keys.iter().find(|(f, _)| *f == fact).map(|(_, k)| *k) else { return "no".into() };
        let Some(mut value) = output.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix('=')).map(str::to_owned)
        else {
            return "no".into();
        };
        let want = self.value(peer, fact);
        match fact {
            "features" => value = sorted_list(value.split([',', ' '])),
            // A version string holding the release as a word counts (`rustc 1.95.0 (…)`).
            "rustc" => {
                let is_word = value.match_indices(&want).any(|(i, _)| {
                    let before = value[..i].chars().next_back();
                    let after = value[i + want.len()..].chars().next();
                    let edge = |c: Option<char>| c.is_none_or(|c| !(c.is_ascii_digit() || c == '.'));
                    edge(before) && edge(after)
                });
                if is_word {
                    value = want.clone();
                }
            }
            _ => {}
        }
        if value == want {
            "yes".into()
        } else {
            format!("no (says `{}`)", value.chars().take(24).collect::<String>())
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
            revision: "abc".into(),
            features: "fxsr,sse".into(),
            features_v3: "avx2".into(),
        }
    }

    #[test]
    fn facts_are_checked_against_the_truth() {
        let t = truth();
        let pi = peer("profile-info").unwrap();
        let out = "hello\nprofile.name=production\nprofile.lto=thin\ntarget.features=sse,fxsr\nrustc.version=1.95.0\n";
        assert_eq!(t.check(pi, Some(out), "profile"), "yes");
        assert_eq!(t.check(pi, Some(out), "lto"), "no (says `thin`)");
        assert_eq!(t.check(pi, Some(out), "features"), "yes");
        assert_eq!(t.check(pi, Some(out), "panic"), "no");
        assert_eq!(t.check(pi, None, "panic"), "unknown (did not run on this host)");
        let built = peer("built").unwrap();
        assert_eq!(t.check(built, Some("RUSTC_VERSION=rustc 1.95.0 (59807616e 2026-04-14)\n"), "rustc"), "yes");
        assert_eq!(t.check(built, Some("RUSTC_VERSION=rustc 1.95.01\n"), "rustc"), "no (says `rustc 1.95.01`)");
        assert_eq!(t.check(built, Some("PROFILE=release\n"), "profile"), "no (says `release`)");
        assert_eq!(t.check(peer("plain").unwrap(), Some("hello\n"), "lto"), "no");
    }
}
