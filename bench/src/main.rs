//! What profile-info costs, beside built, vergen, shadow-rs and build-info, measured in one run on
//! this machine, on the engine of `cargo profile-info compare` (the same builds through `--config`
//! profiles, timings and sizes). `scripts/bench.sh` runs it:
//!
//! ```sh
//! bash scripts/bench.sh           # everything (minutes)
//! bash scripts/bench.sh --quick   # plain and profile-info only, few runs (what the test suite runs)
//! bash scripts/bench.sh --only vergen,built   # these build variants (and their plain baseline)
//! ```
//!
//! 1. Build cost and size: the same hello world, each variant its own package and own target dir,
//!    built with the custom profile `production` (release + lto fat, codegen-units 1, strip, panic
//!    abort). Dependencies are fetched before anything is timed.
//! 2. What each crate reports: every variant prints what its crate offers as key=value lines; each
//!    fact is compared with the truth (the profile, `rustc -vV`, `rustc --print cfg`, `git rev-parse`).
//! 3. HTTP throughput and guard cost: `scripts/bench/http.sh` and `scripts/bench/guard.sh`, run with
//!    `--quick` in quick mode. Each prints what it likes plus one `ratio=NUMBER` line; that line is
//!    checked against the goal, the rest is copied into the report. A script that exits non-zero is
//!    reported and makes the run exit 1 once the report is written.
//!
//! Output: a table on stdout and target/bench/report.md (date, machine, toolchain, goals met/missed).

mod facts;
mod peers;
mod report;

use cargo_profile_info::compare::build::{Job, Project};
use cargo_profile_info::compare::ladder::parse_variant;
use cargo_profile_info::compare::Failure;
use peers::Peer;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Where everything goes, under `target/bench`.
pub struct Dirs {
    /// The workspace root.
    pub root: PathBuf,
    /// `target/bench`.
    pub bench: PathBuf,
    /// One git repository holding every variant package (one commit).
    pub src: PathBuf,
    /// One target dir per variant.
    pub targets: PathBuf,
    /// Build and run logs.
    pub logs: PathBuf,
}

/// What one variant's builds measured.
pub struct Built {
    /// The variant.
    pub peer: &'static Peer,
    /// The locked version of its crate, `-` for plain.
    pub version: String,
    /// Seconds of a build from nothing.
    pub clean: f64,
    /// Seconds of a build with nothing changed.
    pub noop: f64,
    /// Units (rustc or build-script runs) the no-op build ran again.
    pub rerun: usize,
    /// All units of the build.
    pub units: usize,
    /// The binary's size.
    pub size: u64,
    /// What the binary printed (`None` when it did not run on this host).
    pub output: Option<String>,
}

/// The profile every variant is built with.
pub const PROFILE: &str = "production";
const PRODUCTION: &str = "lto=fat,codegen-units=1,strip=true,panic=abort";

fn log(line: &str) {
    eprintln!("[bench] {line}");
}

fn usage() -> ! {
    eprintln!("usage: bash scripts/bench.sh [--quick] [--only VARIANT,...]");
    std::process::exit(2);
}

fn main() {
    let (mut quick, mut only) = (false, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--only" => {
                let list = args.next().unwrap_or_else(|| usage());
                only = Some(list.split(',').map(str::to_owned).collect::<Vec<_>>());
            }
            "-h" | "--help" => {
                println!(
                    "{}",
                    include_str!("main.rs")
                        .lines()
                        .take_while(|l| l.starts_with("//!"))
                        .map(|l| l.trim_start_matches("//!").trim_start())
                        .collect::<Vec<_>>()
                        .join("\n")
                );
                return;
            }
            _ => usage(),
        }
    }
    let peers = peers::select(quick, only.as_deref()).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    match run(quick, only.is_some(), &peers) {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("[bench] {e}");
            std::process::exit(1);
        }
    }
}

/// Nothing from an outer cargo (the test suite runs this) or the shell changes the builds.
fn clean_env() {
    for (key, _) in std::env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        let keep = matches!(key, "CARGO_HOME" | "RUSTUP_HOME" | "RUSTUP_TOOLCHAIN" | "CARGO");
        if !keep
            && (key.starts_with("CARGO") || key.starts_with("RUSTC") || key == "RUSTFLAGS" || key == "RUSTDOCFLAGS")
        {
            std::env::remove_var(key);
        }
    }
}

/// hyperfine and wrk for the guard and HTTP sections, and git, installed with apt-get when root.
fn install_tools(root: &Path) {
    let has = |tool: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let mut need = Vec::new();
    if root.join("scripts/bench/guard.sh").is_file() && !has("hyperfine") {
        need.push("hyperfine");
    }
    if root.join("scripts/bench/http.sh").is_file() && !has("wrk") {
        need.push("wrk");
    }
    if !has("git") {
        need.push("git");
    }
    if need.is_empty() {
        return;
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root_user = unsafe { libc::geteuid() } == 0;
    if root_user && has("apt-get") {
        log(&format!("installing {}", need.join(" ")));
        let _ = Command::new("apt-get").args(["update", "-qq"]).status();
        let _ = Command::new("apt-get")
            .args(["install", "-y", "-qq"])
            .args(&need)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null())
            .status();
    } else {
        log(&format!(
            "missing {0}: install them (apt-get install {0}); the sections needing them are skipped",
            need.join(" ")
        ));
    }
}

fn io(what: &str, e: std::io::Error) -> Failure {
    Failure::new(format!("{what}: {e}"))
}

fn run(quick: bool, only: bool, peers: &[&'static Peer]) -> Result<bool, Failure> {
    let start = Instant::now();
    clean_env();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("bench/ is in the workspace").to_path_buf();
    install_tools(&root);
    let bench = root.join("target/bench");
    let dirs = Dirs { src: bench.join("src"), targets: bench.join("targets"), logs: bench.join("logs"), bench, root };
    write_variants(&dirs, peers)?;
    let mut built = Vec::new();
    // One untimed build first, so that the first timed one does not also pay for cold caches.
    log("warming up");
    build(&dirs, peers[0], false)?;
    for peer in peers {
        log(&format!("building {}", peer.name));
        built.push(build(&dirs, peer, true)?.expect("timed builds are measured"));
    }
    let mut sections = Vec::new();
    for name in report::EXTERNAL {
        sections.push(external(&dirs, name, quick, only));
    }
    let failed: Vec<String> =
        sections.iter().filter(|s| s.failed).map(|s| format!("scripts/bench/{}.sh", s.name)).collect();
    let truth = facts::Truth::gather(&dirs.src)?;
    let report = report::Report { quick, built, sections, truth };
    let md = dirs.bench.join("report.md");
    std::fs::write(&md, report.markdown()).map_err(|e| io(&md.display().to_string(), e))?;
    print!("{}", report.stdout());
    println!("report: {}", md.display());
    log(&format!("done in {:.2} s", start.elapsed().as_secs_f64()));
    if !failed.is_empty() {
        log(&format!("failed: {} (their logs are in target/bench/logs/)", failed.join(" ")));
    }
    Ok(failed.is_empty())
}

/// Writes each variant's package, fetches its dependencies and commits them all to one git
/// repository (so the revision fact has a true value).
fn write_variants(dirs: &Dirs, peers: &[&Peer]) -> Result<(), Failure> {
    let _ = std::fs::remove_dir_all(&dirs.src);
    for dir in [&dirs.src, &dirs.targets, &dirs.logs, &dirs.bench.join("out")] {
        std::fs::create_dir_all(dir).map_err(|e| io(&dir.display().to_string(), e))?;
    }
    let write = |path: PathBuf, text: &str| {
        std::fs::create_dir_all(path.parent().expect("has parent")).map_err(|e| io(&path.display().to_string(), e))?;
        std::fs::write(&path, text).map_err(|e| io(&path.display().to_string(), e))
    };
    for peer in peers {
        let dir = dirs.src.join(peer.name);
        let deps = peer.deps.replace("{root}", &dirs.root.display().to_string());
        write(
            dir.join("Cargo.toml"),
            &format!("[package]\nname = \"bench-{}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n{deps}\n[workspace]\n", peer.name),
        )?;
        write(dir.join("src/main.rs"), peer.main_rs)?;
        if let Some(build_rs) = peer.build_rs {
            write(dir.join("build.rs"), build_rs)?;
        }
        if peer.krate == Some("profile-info") {
            std::fs::copy(dirs.root.join("Cargo.lock"), dir.join("Cargo.lock")).map_err(|e| io("Cargo.lock", e))?;
        }
        log(&format!("fetching {}", peer.name));
        let out = Command::new("cargo")
            .args(["fetch", "--quiet"])
            .current_dir(&dir)
            .output()
            .map_err(|e| io("cargo fetch", e))?;
        if !out.status.success() {
            return Err(Failure::new(format!(
                "cargo fetch failed for {}: {}",
                peer.name,
                String::from_utf8_lossy(&out.stderr)
            )));
        }
    }
    write(dirs.src.join(".gitignore"), "target/\n")?;
    let git = |args: &[&str]| -> Result<(), Failure> {
        let status = Command::new("git")
            .arg("-C")
            .arg(&dirs.src)
            .args(["-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"])
            .args(args)
            .status()
            .map_err(|e| io("git", e))?;
        if status.success() {
            Ok(())
        } else {
            Err(Failure::new(format!("git {} failed", args.join(" "))))
        }
    };
    git(&["init", "-q", "-b", "main"])?;
    git(&["add", "-A"])?;
    git(&["commit", "-q", "-m", "benchmark variants"])
}

/// Builds `peer` with the `production` profile in its own target dir: from nothing, then again
/// with nothing changed; `None` when not `timed` (the warm-up).
fn build(dirs: &Dirs, peer: &'static Peer, timed: bool) -> Result<Option<Built>, Failure> {
    let manifest = dirs.src.join(peer.name).join("Cargo.toml");
    // Dependencies were fetched: nothing timed waits for the network.
    std::env::set_var("CARGO_NET_OFFLINE", "true");
    let project = Project::find(Some(&manifest), None, None, None)?;
    let cpu = if peer.v3 { ",target-cpu=x86-64-v3" } else { "" };
    let variant = parse_variant(&format!("{PROFILE}:{PRODUCTION}{cpu}"))?;
    let job = Job {
        variant: peer.name.to_owned(),
        profile: PROFILE.to_owned(),
        settings: variant.settings,
        rustflags: vec![],
    };
    let target = dirs.targets.join(peer.name);
    let _ = std::fs::remove_dir_all(&target);
    let clean = job.build(&project, Some(&target), true)?;
    if !timed {
        return Ok(None);
    }
    let noop = job.build(&project, Some(&target), true)?;
    let logs = |suffix: &str, text: &str| std::fs::write(dirs.logs.join(format!("{}.{suffix}.log", peer.name)), text);
    let _ = logs("clean", &clean.stderr);
    let _ = logs("noop", &noop.stderr);
    // Every unit cargo runs (rustc or a build script) prints one `Running`; a unit it skips, `Fresh`.
    let count =
        |word: &str| noop.stderr.lines().filter(|l| l.trim_start().starts_with(word) && l.starts_with(' ')).count();
    let (rerun, fresh) = (count("Running "), count("Fresh "));
    let size = std::fs::metadata(&clean.executable).map_err(|e| io(&clean.executable.display().to_string(), e))?.len();
    // A v3 binary may not run on an older host (the guard refuses it): its facts are then unknown.
    let ran = Command::new(&noop.executable).stdin(Stdio::null()).output().map_err(|e| io("run the variant", e))?;
    let output = if ran.status.success() {
        Some(String::from_utf8_lossy(&ran.stdout).into_owned())
    } else {
        log(&format!("{} did not run on this host (see target/bench/logs/{}.run.log)", peer.name, peer.name));
        let _ = logs("run", &String::from_utf8_lossy(&ran.stderr));
        None
    };
    let _ = std::fs::write(
        dirs.bench.join("out").join(format!("{}.txt", peer.name)),
        output.as_deref().unwrap_or("__did_not_run=1\n"),
    );
    Ok(Some(Built {
        peer,
        version: locked_version(&dirs.src.join(peer.name).join("Cargo.lock"), peer.krate),
        clean: clean.seconds,
        noop: noop.seconds,
        rerun,
        units: rerun + fresh,
        size,
        output,
    }))
}

/// The version of `krate` in a lock file, `-` for none.
fn locked_version(lock: &Path, krate: Option<&str>) -> String {
    let Some(krate) = krate else { return "-".into() };
    let text = std::fs::read_to_string(lock).unwrap_or_default();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{krate}\"") {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return v.trim_end_matches('"').to_owned();
            }
        }
    }
    "-".into()
}

/// What an external section script printed.
pub struct Section {
    /// `http` or `guard`.
    pub name: &'static str,
    /// Its output (or why there is none).
    pub text: String,
    /// It exited non-zero.
    pub failed: bool,
}

impl Section {
    /// The `ratio=NUMBER` line's number, as printed.
    pub fn ratio_text(&self) -> Option<&str> {
        self.text.lines().find_map(|l| l.strip_prefix("ratio=")).map(str::trim)
    }

    /// The same number, to compare with a goal.
    pub fn ratio(&self) -> Option<f64> {
        self.ratio_text().and_then(|r| r.parse().ok())
    }
}

/// Runs `scripts/bench/NAME.sh` (`--quick` in quick mode), its stderr to the logs.
fn external(dirs: &Dirs, name: &'static str, quick: bool, only: bool) -> Section {
    let script = dirs.root.join(format!("scripts/bench/{name}.sh"));
    let text = |t: &str| Section { name, text: t.to_owned(), failed: false };
    if !script.is_file() {
        return text("not available yet\n");
    }
    if only {
        return text("skipped (--only)\n");
    }
    log(&format!("running scripts/bench/{name}.sh"));
    let mut cmd = Command::new("timeout");
    cmd.arg("1200").arg("bash").arg(&script).current_dir(&dirs.root);
    if quick {
        cmd.arg("--quick");
    }
    let log_file = dirs.logs.join(format!("{name}.log"));
    let stderr = std::fs::File::create(&log_file).map(Stdio::from).unwrap_or_else(|_| Stdio::null());
    match cmd.stderr(stderr).output() {
        Ok(out) if out.status.success() => text(&String::from_utf8_lossy(&out.stdout)),
        Ok(out) => Section {
            name,
            text: format!(
                "failed (exit status non-zero; see target/bench/logs/{name}.log)\n{}",
                String::from_utf8_lossy(&out.stdout)
            ),
            failed: true,
        },
        Err(e) => Section { name, text: format!("failed: {e}\n"), failed: true },
    }
}
