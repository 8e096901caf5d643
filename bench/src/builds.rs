//! Section 1 on the engine of `cargo profile-info compare`: each variant's package built with the
//! `production` profile given through `--config` (the engine's `Job`), in its own target dir, from
//! nothing and then again with nothing changed; its size, its unit counts, what it prints.

use crate::peers::Peer;
use crate::{io, log, Dirs, PROFILE};
use cargo_profile_info::harness::parse_variant;
use cargo_profile_info::harness::{Job, Project};
use cargo_profile_info::Error;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// `production`: release and these, as `compare --variant` takes them.
pub const PRODUCTION: &str = "lto=fat,codegen-units=1,strip=true,panic=abort";

/// What one variant's builds measured.
#[derive(Clone, Debug)]
pub struct Built {
    /// The variant.
    pub peer: &'static Peer,
    /// The locked version of its crate, `-` for plain.
    pub version: String,
    /// Seconds of a build from nothing.
    pub clean: f64,
    /// Seconds of a build with nothing changed.
    pub noop: f64,
    /// Units the no-op build ran again, of all its units.
    pub units: Units,
    /// The binary's size in bytes.
    pub size: u64,
    /// What the binary printed (`None` when it did not run on this host).
    pub output: Option<String>,
}

/// What `cargo build -v` did with each unit (a rustc or build-script run).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Units {
    /// Units it ran.
    pub rerun: usize,
    /// All units: those it ran and those it found fresh.
    pub total: usize,
}

impl Units {
    /// Reads cargo's `-v` stderr: one `Running` line per unit it runs, one `Fresh` per unit it skips.
    pub fn of(stderr: &str) -> Units {
        let count =
            |word: &str| stderr.lines().filter(|l| l.starts_with(' ') && l.trim_start().starts_with(word)).count();
        let rerun = count("Running ");
        Units { rerun, total: rerun + count("Fresh ") }
    }
}

/// The version of `krate` a `Cargo.lock` holds, `-` for none.
pub fn locked_version(lock: &str, krate: Option<&str>) -> String {
    let Some(krate) = krate else { return "-".into() };
    let name = format!("name = \"{krate}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == name {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return v.trim_end_matches('"').to_owned();
            }
        }
    }
    "-".into()
}

/// The package's project as the engine sees it, and the build of `peer` with `production`.
fn job(dirs: &Dirs, peer: &Peer) -> Result<(Project, Job), Error> {
    let project = Project::find(Some(&dirs.src.join(peer.name).join("Cargo.toml")), None, None, None)?;
    let cpu = if peer.v3 { ",target-cpu=x86-64-v3" } else { "" };
    let variant = parse_variant(&format!("{PROFILE}:{PRODUCTION}{cpu}"))?;
    let job = Job {
        variant: peer.name.to_owned(),
        profile: PROFILE.to_owned(),
        for_host_triple: false,
        settings: variant.settings,
        rustflags: vec![],
        final_flags: vec![],
        rustc_log: None,
    };
    Ok((project, job))
}

/// What one timed build left.
struct Finished {
    executable: PathBuf,
    seconds: f64,
    /// cargo's `-v` stderr: a `Running` or `Fresh` line per unit.
    stderr: String,
}

/// The engine's build of `job`, timed, verbose (`CARGO_TERM_VERBOSE`, cargo's `-v`).
fn build(project: &Project, job: &Job, target: &Path) -> Result<Finished, Error> {
    let mut cmd = job.build_command(project, Some(target))?;
    cmd.env("CARGO_TERM_VERBOSE", "true").stdin(Stdio::null());
    let start = Instant::now();
    let out = cmd.output().map_err(|e| io("cargo build", e))?;
    let seconds = start.elapsed().as_secs_f64();
    let executable = job.executable(project, &out)?;
    Ok(Finished { executable, seconds, stderr: String::from_utf8_lossy(&out.stderr).into_owned() })
}

/// One untimed build, so that the first timed one does not also pay for cold caches (the
/// toolchain's files read from disk).
pub fn warm_up(dirs: &Dirs, peer: &Peer) -> Result<(), Error> {
    let (project, job) = job(dirs, peer)?;
    build(&project, &job, &dirs.targets.join(peer.name)).map(drop)
}

/// Builds `peer` from nothing, then again with nothing changed, and runs the binary.
pub fn measure(dirs: &Dirs, peer: &'static Peer) -> Result<Built, Error> {
    let (project, job) = job(dirs, peer)?;
    let target = dirs.targets.join(peer.name);
    let _ = std::fs::remove_dir_all(&target);
    let clean = build(&project, &job, &target)?;
    let noop = build(&project, &job, &target)?;
    let logs = |suffix: &str, text: &str| std::fs::write(dirs.logs.join(format!("{}.{suffix}.log", peer.name)), text);
    let _ = logs("clean", &clean.stderr);
    let _ = logs("noop", &noop.stderr);
    let size = std::fs::metadata(&noop.executable).map_err(|e| io(&noop.executable.display().to_string(), e))?.len();
    let output = run_binary(dirs, peer, &noop.executable)?;
    let lock = std::fs::read_to_string(dirs.src.join(peer.name).join("Cargo.lock")).unwrap_or_default();
    Ok(Built {
        peer,
        version: locked_version(&lock, peer.krate),
        clean: clean.seconds,
        noop: noop.seconds,
        units: Units::of(&noop.stderr),
        size,
        output,
    })
}

/// What the binary printed; `None` when it failed, as a v3 binary does on an older host (the guard
/// refuses it), so that its facts are unknown rather than wrong.
fn run_binary(dirs: &Dirs, peer: &Peer, binary: &Path) -> Result<Option<String>, Error> {
    let ran = Command::new(binary).stdin(Stdio::null()).output().map_err(|e| io("run the variant", e))?;
    let out = dirs.bench.join("out").join(format!("{}.txt", peer.name));
    if ran.status.success() {
        let text = String::from_utf8_lossy(&ran.stdout).into_owned();
        let _ = std::fs::write(out, &text);
        return Ok(Some(text));
    }
    log(&format!("{} did not run on this host (see target/bench/logs/{}.run.log)", peer.name, peer.name));
    let _ = std::fs::write(dirs.logs.join(format!("{}.run.log", peer.name)), &ran.stderr);
    let _ = std::fs::write(out, "__did_not_run=1\n");
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_counted_from_cargo_v() {
        let stderr = "       Fresh libc v0.2.177\n       Fresh profile-info v0.1.0 (/w/profile-info)\n   \
                      Compiling bench-plain v0.1.0 (/b/plain)\n     Running `/b/target/build/x/build-script-build`\n     \
                      Running `rustc --crate-name bench_plain src/main.rs`\nRunning is not a unit line\n    \
                      Finished `production` profile [optimized] target(s) in 0.02s\n";
        assert_eq!(Units::of(stderr), Units { rerun: 2, total: 4 });
        assert_eq!(Units::of(""), Units::default());
    }

    #[test]
    fn versions_come_from_the_lock_file() {
        let lock = "[[package]]\nname = \"built\"\nversion = \"0.8.1\"\nsource = \"registry\"\n\n\
                    [[package]]\nname = \"built-in\"\nversion = \"9.9.9\"\n";
        assert_eq!(locked_version(lock, Some("built")), "0.8.1");
        assert_eq!(locked_version(lock, Some("vergen")), "-");
        assert_eq!(locked_version(lock, None), "-");
    }
}
