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
//!    fact is compared with the truth (the profile, `rustc -vV`, `rustc --print cfg` and
//!    `--print target-cpus`, `git rev-parse`).
//! 3. HTTP throughput and guard cost: `scripts/bench/http.sh` and `scripts/bench/guard.sh`, run with
//!    `--quick` in quick mode. Each prints what it likes plus one `ratio=NUMBER` line; that line is
//!    checked against the goal, the rest is copied into the report.
//! 4. The edit-compile cycle in a small repository: `scripts/bench/edit.sh` times `touch
//!    src/main.rs` then `cargo build` (dev) of a plain hello world beside one with profile-info as a
//!    dependency and one with `#[profile_info::main]`, each in its own git repository; its
//!    `over_plain_ms=NUMBER` line is checked against the goal (fewer runs with `--quick`).
//! 5. The dirty check's cost in a large repository: `scripts/bench/vcs.sh`'s figures, copied into
//!    the report (no goal; not run with `--quick`).
//!
//! A script that exits non-zero is reported and makes the run exit 1 once the report is written;
//! `--only` skips sections 3 to 5.
//!
//! Output: a table on stdout and target/bench/report.md (date, machine, toolchain, goals met/missed).

mod builds;
mod facts;
mod goals;
mod packages;
mod peers;
mod report;
mod rounds;
mod sections;

use cargo_profile_info::compare::Failure;
use clap::Parser;
use peers::Peer;
use sections::{Script, Section};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// What profile-info costs beside built, vergen, shadow-rs and build-info: build time, size, the facts
/// each reports, HTTP throughput, guard cost, the edit-compile cycle and the dirty check's cost
/// (tables on stdout and in target/bench/report.md; README's "Cost" section says how to read them).
#[derive(Parser, Debug)]
#[command(name = "bash scripts/bench.sh", bin_name = "bash scripts/bench.sh")]
struct Args {
    #[command(subcommand)]
    command: Option<Command_>,
    /// plain and profile-info only, few runs (what the test suite runs)
    #[arg(long)]
    quick: bool,
    /// these build variants (and their plain baseline), comma-separated; skips the other scripts
    #[arg(long, value_name = "VARIANT,...", value_delimiter = ',')]
    only: Option<Vec<String>>,
}

/// What a section script asks of the tool.
#[derive(clap::Subcommand, Debug)]
enum Command_ {
    /// The figures of hyperfine's interleaved rounds (scripts/bench/edit.sh): per variant the
    /// median of its rounds and the median of its rounds less the first variant's, then
    /// `over_plain_ms=` for the last variant.
    Rounds {
        /// hyperfine's `--export-json`
        json: PathBuf,
        /// the variants' names in the order of each round, `|`-separated
        #[arg(long)]
        names: String,
        /// runs per command
        #[arg(long)]
        runs: u32,
    },
}

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

/// The profile every variant is built with.
pub const PROFILE: &str = "production";

/// Progress, on stderr.
pub fn log(line: &str) {
    eprintln!("[bench] {line}");
}

/// A file-system error as one line naming what it was about.
pub fn io(what: &str, e: std::io::Error) -> Failure {
    Failure::new(format!("{what}: {e}"))
}

fn main() {
    let args = Args::parse();
    if let Some(Command_::Rounds { json, names, runs }) = &args.command {
        let names: Vec<&str> = names.split('|').collect();
        let figures = std::fs::read_to_string(json)
            .map_err(|e| format!("{}: {e}", json.display()))
            .and_then(|text| rounds::means(&text))
            .and_then(|means| rounds::rows(&means, &names));
        match figures {
            Ok(rows) => print!("{}", rounds::render(&rows, *runs)),
            Err(e) => {
                eprintln!("[bench] {e}");
                std::process::exit(1);
            }
        }
        return;
    }
    let peers = peers::select(args.quick, args.only.as_deref()).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    match run(&args, &peers) {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("[bench] {e}");
            std::process::exit(1);
        }
    }
}

/// Nothing from an outer cargo (the test suite runs this) or the shell changes the builds; `CARGO`
/// stays, the cargo the engine runs.
fn clean_env() {
    for (key, _) in std::env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        let keep = matches!(key, "CARGO_HOME" | "RUSTUP_HOME" | "RUSTUP_TOOLCHAIN" | "CARGO");
        // PROFILE_INFO_*: a revision or dirty-check setting from the shell would be measured too.
        if !keep
            && (key.starts_with("CARGO")
                || key.starts_with("RUSTC")
                || key == "RUSTFLAGS"
                || key == "RUSTDOCFLAGS"
                || key.starts_with("PROFILE_INFO_"))
        {
            std::env::remove_var(key);
        }
    }
}

fn has(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

/// The tools the scripts to run need, and git, installed with apt-get when root.
fn install_tools(scripts: &[Script]) {
    let mut need: Vec<&str> = scripts.iter().map(|s| s.tool()).chain(["git"]).filter(|t| !has(t)).collect();
    need.sort_unstable();
    need.dedup();
    if need.is_empty() {
        return;
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } == 0 && has("apt-get") {
        log(&format!("installing {}", need.join(" ")));
        let _ = Command::new("apt-get").args(["update", "-qq"]).stdout(Stdio::null()).status();
        let _ = Command::new("apt-get")
            .args(["install", "-y", "-qq"])
            .args(&need)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null())
            .status();
    } else {
        log(&format!(
            "missing {0}: install them (apt-get install {0}); the sections needing them fail",
            need.join(" ")
        ));
    }
}

/// The scripts this run executes, and why the others are not run.
fn plan(args: &Args) -> Vec<(Script, Option<&'static str>)> {
    Script::ALL
        .into_iter()
        .map(|script| {
            let skip = if args.only.is_some() {
                Some("skipped (--only)")
            } else if args.quick && script == Script::Vcs {
                Some("skipped (--quick: a 60,000-file repository takes minutes to measure)")
            } else {
                None
            };
            (script, skip)
        })
        .collect()
}

fn run(args: &Args, peers: &[&'static Peer]) -> Result<bool, Failure> {
    let start = Instant::now();
    clean_env();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("bench/ is in the workspace").to_path_buf();
    let plan = plan(args);
    let to_run: Vec<Script> = plan.iter().filter(|(_, skip)| skip.is_none()).map(|(s, _)| *s).collect();
    install_tools(&to_run);
    let bench = root.join("target/bench");
    let dirs = Dirs { src: bench.join("src"), targets: bench.join("targets"), logs: bench.join("logs"), bench, root };
    packages::write(&dirs, peers)?;
    // Dependencies were fetched: nothing timed waits for the network (the scripts fetch as they like).
    std::env::set_var("CARGO_NET_OFFLINE", "true");
    let built = build_all(&dirs, peers);
    std::env::remove_var("CARGO_NET_OFFLINE");
    let built = built?;
    let mut sections = Vec::new();
    for (script, skip) in plan {
        sections.push(match skip {
            Some(why) => Section::not_run(script, why),
            None => {
                log(&format!("running scripts/bench/{}.sh", script.name()));
                let quick: &[&str] = if args.quick { &["--quick"] } else { &[] };
                sections::run(&dirs.root, script, quick, &dirs.logs.join(format!("{}.log", script.name())))
            }
        });
    }
    let failed: Vec<String> =
        sections.iter().filter(|s| s.failed).map(|s| format!("scripts/bench/{}.sh", s.script.name())).collect();
    let truth = facts::Truth::gather(&dirs.src)?;
    let report = report::Report { quick: args.quick, context: report::Context::gather(), built, sections, truth };
    let md = dirs.bench.join("report.md");
    std::fs::write(&md, report.markdown()).map_err(|e| io(&md.display().to_string(), e))?;
    print!("{}", report.terminal());
    println!("report: {}", md.display());
    log(&format!("done in {:.2} s", start.elapsed().as_secs_f64()));
    if !failed.is_empty() {
        log(&format!("failed: {} (their logs are in target/bench/logs/)", failed.join(" ")));
    }
    Ok(failed.is_empty())
}

/// Section 1: a warm-up build, then each variant measured.
fn build_all(dirs: &Dirs, peers: &[&'static Peer]) -> Result<Vec<builds::Built>, Failure> {
    log("warming up");
    builds::warm_up(dirs, peers[0])?;
    peers
        .iter()
        .map(|peer| {
            log(&format!("building {}", peer.name));
            builds::measure(dirs, peer)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_and_only_leave_scripts_out() {
        let args = |a: &[&str]| Args::try_parse_from(std::iter::once("bench").chain(a.iter().copied())).unwrap();
        let run =
            |a: &[&str]| plan(&args(a)).into_iter().filter(|(_, s)| s.is_none()).map(|(s, _)| s).collect::<Vec<_>>();
        assert_eq!(run(&[]), Script::ALL);
        assert_eq!(run(&["--quick"]), [Script::Http, Script::Guard, Script::Edit]);
        assert_eq!(run(&["--only", "vergen,built"]), []);
        assert_eq!(args(&["--only", "vergen,built"]).only.unwrap(), ["vergen", "built"]);
        assert!(Args::try_parse_from(["bench", "--fast"]).is_err());
    }
}
