//! Finding an `llvm-profdata` that reads the raw profiles this rustc's LLVM writes, and merging
//! them. Raw profile formats change between LLVM versions (rustc 1.95, LLVM 22, writes version 10,
//! which Debian's llvm-profdata-14 refuses), so each candidate is tried in order until one merges.

use super::build::rustc;
use crate::Error;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// An `llvm-profdata` that exists, and where it was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The executable.
    pub path: PathBuf,
    /// Why it is a candidate, for the report.
    pub origin: String,
}

/// The candidates in the order they are tried: next to rustc (rustup's `llvm-tools`), then
/// `llvm-profdata-<rustc's LLVM major>`, the other `llvm-profdata-<major>` on `PATH` newest first
/// (a distribution may package a newer LLVM than rustc's but not the same one: Debian has 19 and
/// 22), then `llvm-profdata` on `PATH`. The one list `compare` and the test suite look in.
pub fn candidates() -> Vec<Candidate> {
    let (sysroot, host, major) = rustc_facts();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    let mut found = Vec::new();
    if let (Some(sysroot), Some(host)) = (&sysroot, &host) {
        let beside = sysroot.join("lib/rustlib").join(host).join("bin/llvm-profdata");
        found.push((beside, "next to rustc (rustup component llvm-tools)".to_owned()));
    }
    if let Some(major) = major {
        let name = format!("llvm-profdata-{major}");
        found.extend(dirs.iter().map(|d| (d.join(&name), format!("{name} on PATH, rustc's LLVM major"))));
    }
    let numbered = versioned(&dirs, "llvm-profdata-");
    found.extend(numbered.into_iter().map(|(n, path)| (path, format!("llvm-profdata-{n} on PATH"))));
    found.extend(dirs.iter().map(|d| (d.join("llvm-profdata"), "llvm-profdata on PATH".to_owned())));
    let mut unique: Vec<Candidate> = Vec::new();
    for (path, origin) in found {
        if path.is_file() && !unique.iter().any(|c| same_file(&c.path, &path)) {
            unique.push(Candidate { path, origin });
        }
    }
    unique
}

/// Every `<prefix><major>` (`llvm-profdata-22`) in `dirs`, the highest major first (earlier dirs
/// first on a tie, as `PATH` orders them).
pub(super) fn versioned(dirs: &[PathBuf], prefix: &str) -> Vec<(u32, PathBuf)> {
    let mut found: Vec<(u32, PathBuf)> = dirs
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flat_map(|entries| entries.filter_map(Result::ok))
        .filter_map(|e| {
            let major = e.file_name().to_str()?.strip_prefix(prefix)?.parse().ok()?;
            Some((major, e.path()))
        })
        .collect();
    found.sort_by_key(|(major, _)| std::cmp::Reverse(*major));
    found
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// rustc's sysroot, host triple and LLVM major version.
fn rustc_facts() -> (Option<PathBuf>, Option<String>, Option<String>) {
    let text = |args: &[&str]| {
        rustc()
            .args(args)
            .stderr(Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let sysroot = text(&["--print", "sysroot"]).map(|s| PathBuf::from(s.trim()));
    let vv = text(&["-vV"]).unwrap_or_default();
    let version = profile_info_core::rustc::Version::parse(&vv);
    let major = version.as_ref().and_then(|v| v.llvm?.split('.').next().map(str::to_owned));
    (sysroot, version.map(|v| v.host.to_owned()), major)
}

/// Why the `pgo` rung cannot be built here, if it cannot.
pub fn unavailable(candidates: &[Candidate]) -> Option<String> {
    candidates.is_empty().then(|| {
        "no llvm-profdata: none next to rustc (rustup component add llvm-tools), none named \
         llvm-profdata-<LLVM major> or llvm-profdata on PATH"
            .to_owned()
    })
}

/// What merging found: the tool that merged, and the ones that refused and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merged {
    /// The candidate that wrote the merged profile.
    pub used: Candidate,
    /// Candidates tried before it, each with the line it refused with.
    pub refused: Vec<(Candidate, String)>,
}

impl Merged {
    /// One line for the progress output and the report.
    pub fn describe(&self) -> String {
        let mut line = format!("llvm-profdata: used {} ({})", self.used.path.display(), self.used.origin);
        for (c, why) in &self.refused {
            line.push_str(&format!("; refused {} ({}): {why}", c.path.display(), c.origin));
        }
        line
    }
}

/// What a refusing llvm-profdata said: every line (the reason is in a warning before the final
/// `error: no profile can be merged`), joined, within a line's length.
fn said(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let joined = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("; ");
    joined.chars().take(400).collect()
}

/// Merges the raw profiles in `raw` into `merged` with the first candidate that accepts them;
/// `Ok(Err(why))` when every candidate refused (the rung is then left out), `Err` when the
/// training wrote no profile at all.
pub fn merge(candidates: &[Candidate], raw: &Path, merged: &Path) -> Result<Result<Merged, String>, Error> {
    let profiles = std::fs::read_dir(raw)
        .map(|d| d.filter_map(Result::ok).filter(|e| e.path().extension().is_some_and(|x| x == "profraw")).count())
        .unwrap_or(0);
    if profiles == 0 {
        return Err(Error::new(format!(
            "variant pgo: the training run wrote no profile to {}: the program must exit normally (return from main or exit on SIGTERM)",
            raw.display()
        )));
    }
    let mut refused = Vec::new();
    for candidate in candidates {
        let out =
            Command::new(&candidate.path).arg("merge").arg("-o").arg(merged).arg(raw).stdin(Stdio::null()).output();
        match out {
            Ok(o) if o.status.success() => return Ok(Ok(Merged { used: candidate.clone(), refused })),
            Ok(o) => refused.push((candidate.clone(), said(&o.stderr))),
            Err(e) => refused.push((candidate.clone(), e.to_string())),
        }
    }
    let why = refused.iter().map(|(c, w)| format!("{}: {w}", c.path.display())).collect::<Vec<_>>().join("; ");
    Ok(Err(format!("no llvm-profdata could merge this rustc's profiles ({why})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_candidates_the_rung_is_left_out_with_the_places_looked_in() {
        let why = unavailable(&[]).unwrap();
        assert!(why.contains("rustup component add llvm-tools") && why.contains("llvm-profdata-<LLVM major>"));
        assert_eq!(unavailable(&[Candidate { path: "/x".into(), origin: "o".into() }]), None);
    }

    #[test]
    fn other_majors_are_tried_newest_first() {
        let dir = std::env::temp_dir().join(format!("compare-pgo-majors-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for name in ["llvm-profdata-14", "llvm-profdata-22", "llvm-profdata", "llvm-profdata-x", "llvm-profdata-19"] {
            std::fs::write(dir.join(name), "").unwrap();
        }
        let majors: Vec<u32> =
            versioned(&[dir.clone(), dir.join("missing")], "llvm-profdata-").into_iter().map(|(n, _)| n).collect();
        assert_eq!(majors, [22, 19, 14]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_empty_training_is_an_error_not_a_merge() {
        let dir = std::env::temp_dir().join(format!("compare-pgo-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let err = merge(&[], &dir, &dir.join("m.profdata")).unwrap_err().to_string();
        assert!(err.starts_with("variant pgo: the training run wrote no profile"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn refusals_keep_every_line() {
        assert_eq!(
            said(b"warning: x: unsupported version\nerror: no profile can be merged\n"),
            "warning: x: unsupported version; error: no profile can be merged"
        );
    }

    #[test]
    fn refusals_are_reported() {
        let m = Merged {
            used: Candidate { path: "/usr/bin/llvm-profdata-22".into(), origin: "a".into() },
            refused: vec![(Candidate { path: "/r/llvm-profdata".into(), origin: "b".into() }, "bad version".into())],
        };
        assert_eq!(
            m.describe(),
            "llvm-profdata: used /usr/bin/llvm-profdata-22 (a); refused /r/llvm-profdata (b): bad version"
        );
    }
}
