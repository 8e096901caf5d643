//! What the dirty check costs in a large repository (`bash scripts/bench.sh vcs`): a generated git
//! repository of tracked files (by default 60,000: 300 directories of 200) holding two hello-world
//! packages, one plain and one with `#[profile_info::main]`. Measured with hyperfine: git's own
//! command at each scope, then the edit-compile cycles (`touch src/main.rs` and a one-line edit of
//! it, each followed by `cargo build`, dev profile; see [`Cycle`]) of the plain package beside the
//! profile-info one under each `PROFILE_INFO_DIRTY_CHECK` setting. A touch leaves the package
//! clean, so the default setting compares the whole repository (git does, past the index reader's
//! limit); an edit is found in the package's own files and decides alone. Figures go in
//! bench/RESULTS.md.

use crate::edit::Cycle;
use crate::hello::{self, commit_all, status};
use crate::hyperfine::{self, line, Timing};
use crate::{io, log, rounds};
use cargo_profile_info::harness::aligned;
use cargo_profile_info::Error;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Files per generated directory.
const PER_DIR: u32 = 200;
/// Tracked files by default.
pub const FILES: u32 = 60_000;
/// Rounds of every build in each cycle, by default and with `--quick`.
pub const ROUNDS: (u32, u32) = (10, 2);
/// hyperfine's runs of each build in a round.
const RUNS: u32 = 3;

/// One timed build: a package under a dirty-check setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Build {
    /// Its row in the table.
    pub title: &'static str,
    /// The package directory.
    pub package: &'static str,
    /// `PROFILE_INFO_DIRTY_CHECK`.
    pub dirty_check: &'static str,
}

/// The builds, in the table's order: plain first, then profile-info under each setting, the
/// default last (its cost is the section's `…_over_plain_ms=` line).
pub const BUILDS: [Build; 4] = [
    Build { title: "plain hello world", package: "plain", dirty_check: "repository" },
    Build { title: "profile-info, dirty check: off", package: "app", dirty_check: "off" },
    Build { title: "profile-info, dirty check: package", package: "app", dirty_check: "package" },
    Build { title: "profile-info, dirty check: repository (default)", package: "app", dirty_check: "repository" },
];

/// `git status` as the dirty check asks it, without a pathspec.
const STATUS: [&str; 5] = ["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"];

/// One run's settings and places.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Rounds of every build in each cycle.
    pub rounds: u32,
    /// Tracked files besides the packages'.
    pub files: u32,
    /// The workspace root.
    pub root: PathBuf,
    /// `target/bench/vcs`.
    pub work: PathBuf,
}

impl Plan {
    /// The plan for `quick` (fewer rounds) and `files` ([`FILES`] when `None`).
    pub fn new(root: &Path, quick: bool, files: Option<u32>) -> Plan {
        let rounds = if quick { ROUNDS.1 } else { ROUNDS.0 };
        Plan { rounds, files: files.unwrap_or(FILES), root: root.to_owned(), work: root.join("target/bench/vcs") }
    }

    /// The generated repository, one per size (kept between runs: generating it takes a while).
    pub fn repo(&self) -> PathBuf {
        self.work.join(format!("repo-{}", self.files))
    }

    fn target(&self) -> PathBuf {
        self.work.join("target")
    }

    /// `git status` at the repository's scope and at the package's, five runs a round each, in one
    /// block.
    pub fn git_args(&self) -> Vec<String> {
        let runs = (self.rounds * 5).to_string();
        let mut args: Vec<String> = ["-N", "--warmup", "3", "--runs", &runs].map(str::to_owned).into();
        args.extend(["-n".into(), "git status (repository scope)".into(), line(&STATUS)]);
        let package: Vec<&str> = STATUS.iter().copied().chain(["--", "app"]).collect();
        args.extend(["-n".into(), "git status -- app (package scope)".into(), line(&package)]);
        args
    }

    /// The builds, each after a change of its `main.rs`, under a shell (hyperfine subtracts its
    /// start): the variable is tracked, so changing it between commands costs nothing more. The
    /// builds take turns, round after round (see [`crate::rounds`]); every touch round runs before
    /// the first edit, which leaves the packages edited.
    pub fn build_args(&self) -> Vec<String> {
        let mut args: Vec<String> = ["--warmup", "1", "--runs", &RUNS.to_string()].map(str::to_owned).into();
        for cycle in Cycle::ALL {
            for _ in 0..self.rounds {
                for b in BUILDS {
                    let dir = self.repo().join(b.package);
                    let prepare = cycle.prepare(&dir.join("src/main.rs"));
                    let build = [
                        "env".to_owned(),
                        format!("PROFILE_INFO_DIRTY_CHECK={}", b.dirty_check),
                        "cargo".into(),
                        "build".into(),
                        "-q".into(),
                        "--manifest-path".into(),
                        dir.join("Cargo.toml").display().to_string(),
                    ];
                    args.extend(["-n".to_owned(), name(cycle, &b), "--prepare".into(), prepare, line(&build)]);
                }
            }
        }
        args
    }

    /// The repository: generated files, the two packages built once, one commit.
    fn generate(&self) -> Result<(), Error> {
        let repo = self.repo();
        let _ = std::fs::remove_dir_all(&repo);
        log(&format!("generating {} files in {}", self.files, repo.display()));
        for d in 0..self.files / PER_DIR {
            let dir = repo.join(format!("d{d}"));
            std::fs::create_dir_all(&dir).map_err(|e| io(&dir.display().to_string(), e))?;
            for f in 0..PER_DIR {
                let file = dir.join(format!("f{f}.txt"));
                std::fs::write(&file, format!("{d} {f}\n")).map_err(|e| io(&file.display().to_string(), e))?;
            }
        }
        let lock = self.root.join("Cargo.lock");
        let dependency =
            format!("[dependencies]\nprofile-info = {{ path = \"{}\" }}", self.root.join("profile-info").display());
        hello::package(&repo.join("plain"), "plain", "", "", Some(&lock))?;
        hello::package(&repo.join("app"), "app", "#[profile_info::main]", &dependency, Some(&lock))?;
        for package in ["plain", "app"] {
            let mut build = Command::new("cargo");
            build.args(["build", "-q"]).current_dir(repo.join(package)).env("CARGO_TARGET_DIR", self.target());
            status(&mut build, &format!("cargo build ({package})"))?;
        }
        commit_all(&repo, "files")
    }

    /// Generates the repository when it is not there, times git and the builds, and returns the
    /// section's figures.
    pub fn run(&self) -> Result<String, Error> {
        let repo = self.repo();
        if !repo.join(".git").is_dir() {
            self.generate()?;
        }
        // The committed sources: the edits of an earlier run would make the touches find the
        // packages edited.
        let mut checkout = Command::new("git");
        checkout.arg("-C").arg(&repo).args(["checkout", "--", "plain/src/main.rs", "app/src/main.rs"]);
        status(&mut checkout, "git checkout (the packages' main.rs)")?;
        let target = self.target();
        let env = [("CARGO_TARGET_DIR", target.as_path())];
        let git = hyperfine::run(&repo, &self.git_args(), &self.work.join("git.json"), &env)?;
        let builds = hyperfine::run(&repo, &self.build_args(), &self.work.join("build.json"), &env)?;
        let listed =
            Command::new("git").arg("-C").arg(&repo).arg("ls-files").output().map_err(|e| io("git ls-files", e))?;
        let tracked = listed.stdout.iter().filter(|&&b| b == b'\n').count();
        let repository = format!("a repository of {tracked} tracked files");
        let mut text = format!("in {repository}:\n{}", summary(&git));
        let titles: Vec<&str> = BUILDS.iter().map(|b| b.title).collect();
        let (touches, edits) = builds.split_at(builds.len() / 2);
        for (cycle, timings) in Cycle::ALL.into_iter().zip([touches, edits]) {
            let names: Vec<String> = BUILDS.iter().map(|b| name(cycle, b)).collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let means = rounds::means(timings, &names).map_err(Error::new)?;
            let rows = rounds::rows(&means, &titles).map_err(Error::new)?;
            let key = match cycle {
                Cycle::Touch => "touch_over_plain_ms",
                Cycle::Edit => "edit_over_plain_ms",
            };
            text += &rounds::render(&rows, RUNS, (&repository, cycle.describe()), key);
        }
        Ok(text)
    }
}

/// A build's command name in one cycle.
fn name(cycle: Cycle, build: &Build) -> String {
    match cycle {
        Cycle::Touch => format!("{}, touch", build.title),
        Cycle::Edit => format!("{}, edit", build.title),
    }
}

/// Medians and minimums (a shared machine adds long outliers to the means), one line per command.
pub fn summary(timings: &[Timing]) -> String {
    let mut table = vec![vec!["command".to_owned(), "median ms".into(), "min ms".into()]];
    table.extend(
        timings
            .iter()
            .map(|t| vec![t.command.clone(), format!("{:.1}", t.median * 1e3), format!("{:.1}", t.min * 1e3)]),
    );
    aligned(&table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hyperfine::tests::bash_words as words;

    #[test]
    fn git_is_timed_at_both_scopes() {
        let args = Plan::new(Path::new("/w"), true, None).git_args();
        assert_eq!(args[..5], ["-N", "--warmup", "3", "--runs", "10"]);
        assert_eq!(args[6], "git status (repository scope)");
        assert_eq!(words(&args[7]), ["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"]);
        assert_eq!(words(&args[10])[5..], ["--", "app"]);
    }

    #[test]
    fn builds_are_timed_under_each_setting() {
        let plan = Plan::new(Path::new("/w"), false, Some(400));
        assert_eq!(plan.repo(), Path::new("/w/target/bench/vcs/repo-400"));
        let args = plan.build_args();
        assert_eq!(args[..4], ["--warmup", "1", "--runs", "3"]);
        let commands: Vec<&[String]> = args[4..].chunks(5).collect();
        let per_cycle = ROUNDS.0 as usize * BUILDS.len();
        assert_eq!(commands.len(), 2 * per_cycle, "rounds of every build, touches then edits");
        for (i, (c, b)) in commands.iter().zip(BUILDS.iter().cycle()).enumerate() {
            let (cycle, word) = if i < per_cycle { (Cycle::Touch, "touch") } else { (Cycle::Edit, "edit") };
            assert_eq!((c[1].as_str(), c[2].as_str()), (format!("{}, {word}", b.title).as_str(), "--prepare"));
            let dir = format!("/w/target/bench/vcs/repo-400/{}", b.package);
            assert_eq!(c[3], cycle.prepare(Path::new(&format!("{dir}/src/main.rs"))));
            let w = words(&c[4]);
            assert_eq!(w[..2], ["env", &format!("PROFILE_INFO_DIRTY_CHECK={}", b.dirty_check)]);
            assert_eq!(w[2..], ["cargo", "build", "-q", "--manifest-path", &format!("{dir}/Cargo.toml")]);
        }
        assert_eq!(
            BUILDS.iter().map(|b| b.dirty_check).collect::<Vec<_>>(),
            ["repository", "off", "package", "repository"]
        );
    }

    #[test]
    fn summary_shows_medians_and_minimums_in_ms() {
        let t = |command: &str, median: f64, min: f64| Timing { command: command.into(), mean: 1.0, median, min };
        let text =
            summary(&[t("git status (repository scope)", 0.04491, 0.0401), t("plain hello world", 0.0853, 0.08)]);
        assert_eq!(
            text,
            "command                        median ms  min ms\n\
             git status (repository scope)  44.9       40.1\n\
             plain hello world              85.3       80.0\n"
        );
    }
}
