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
//! 1. Build cost and size: the same hello world, each variant its own package and own target dir
//!    (`profile-info-bare-no-deps` is `profile-info-bare` without its dependency list),
//!    built with the custom profile `production` (release + lto fat, codegen-units 1, strip, panic
//!    abort). Dependencies are fetched before anything is timed.
//! 2. What each crate reports: every variant prints what its crate offers as key=value lines; each
//!    fact is compared with the truth (the profile, `rustc -vV`, `rustc --print cfg` and
//!    `--print target-cpus`, `git rev-parse`).
//! 3. HTTP throughput and guard cost, the subcommands `http` ([`http`]: `/buildinfo` under wrk
//!    beside a static handler of the same size) and `guard` ([`guard`]: a v3 hello world's start
//!    under hyperfine with and without the guard), run with `--quick` in quick mode. Each prints its
//!    figures and a last `ratio=NUMBER` line, checked against the goal; the rest is copied into the
//!    report.
//! 4. The edit-compile cycle in a small repository, the subcommand `edit` ([`edit`]): times `touch
//!    src/main.rs`, and a one-line edit of it, then `cargo build` (dev) of a plain hello world
//!    beside one with profile-info as a dependency, with `#[profile_info::main]` by path with and
//!    without its dependency list, and as from crates.io, each in its own git repository; its
//!    `over_plain_ms=NUMBER` line (touch) is checked against the goal, `edit_over_plain_ms=NUMBER`
//!    is the edit's (fewer rounds and no packaged variant with `--quick`).
//! 5. The dirty check's cost in a large repository, the subcommand `vcs` ([`vcs`]): figures copied
//!    into the report (no goal; not run with `--quick`).
//!
//! Sections 3 to 5 each run in a process of their own (this tool again, with the subcommand); one
//! that exits non-zero is reported and makes the run exit 1 once the report is written; `--only`
//! skips them. The subcommands also run alone: `bash scripts/bench.sh http [--quick | --soak]`,
//! `bash scripts/bench.sh guard [--quick] [RUNS]`, `bash scripts/bench.sh edit [--quick] [ROUNDS]`,
//! `bash scripts/bench.sh vcs [--quick] [FILES]` (`--help` after each says more).
//!
//! Output: a table on stdout and target/bench/report.md (date, machine, toolchain, goals met/missed).

mod builds;
mod edit;
mod facts;
mod goals;
mod guard;
mod hello;
mod http;
mod hyperfine;
mod isa;
mod ladder;
mod packages;
mod peers;
mod registry;
mod report;
mod rounds;
mod sections;
mod tools;
mod vcs;

use cargo_profile_info::Error;
use clap::Parser;
use peers::Peer;
use sections::{Kind, Section};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What profile-info costs beside built, vergen, shadow-rs and build-info: build time, size, the facts
/// each reports, HTTP throughput, guard cost, the edit-compile cycle and the dirty check's cost
/// (tables on stdout and in target/bench/report.md; CONTRIBUTING.md's "Benchmarks" says how to read
/// them, bench/RESULTS.md holds the figures).
#[derive(Parser, Debug)]
#[command(name = "bash scripts/bench.sh", bin_name = "bash scripts/bench.sh")]
struct Args {
    #[command(subcommand)]
    command: Option<Command_>,
    /// plain and profile-info only, few runs (what the test suite runs)
    #[arg(long)]
    quick: bool,
    /// these build variants (and their plain baseline), comma-separated; skips the other sections
    #[arg(long, value_name = "VARIANT,...", value_delimiter = ',')]
    only: Option<Vec<String>>,
}

/// A section alone.
#[derive(clap::Subcommand, Debug)]
enum Command_ {
    /// /buildinfo's throughput under wrk beside a static handler of the same size (the last line
    /// is `ratio=`); with --soak, errors, memory and allocations per request over minutes.
    Http(http::Options),
    /// The startup CPU guard's cost: a v3 hello world's start with and without it, statically and
    /// dynamically linked (the last line is `ratio=`, dynamic, medians).
    Guard {
        /// 30 runs, 5 warm-up runs (what the test suite runs)
        #[arg(long)]
        quick: bool,
        /// runs of each program in each of 3 rounds [default: 3000, 30 with --quick]
        #[arg(value_parser = clap::value_parser!(u32).range(1..))]
        runs: Option<u32>,
    },
    /// The edit-compile cycle in a small repository: plain, profile-info as a dependency, the
    /// attribute by path and (not with --quick) as from crates.io, after a touch and after an
    /// edit; `over_plain_ms=` and `edit_over_plain_ms=` for the last variant.
    Edit {
        /// 6 rounds, no packaged variant (what the test suite runs)
        #[arg(long)]
        quick: bool,
        /// rounds of every variant, 2 runs each [default: 20, 6 with --quick]
        rounds: Option<u32>,
    },
    /// compare's ladder on the examples package (over 40 dependencies), as compare builds it and
    /// with each rung built from nothing (--clean): wall time, peak size and CPU time; the last line is
    /// `ratio=` (the ladder's time over from-nothing's). Tens of minutes; not run with --quick.
    Ladder {
        /// release, strip and lto-thin only
        #[arg(long)]
        quick: bool,
    },
    /// The dirty check's cost in a large generated repository (kept in target/bench/vcs).
    Vcs {
        /// 5 runs of each build instead of 30
        #[arg(long)]
        quick: bool,
        /// tracked files in the repository [default: 60000]
        files: Option<u32>,
    },
    /// inspect's instruction scan of the toolchain's cargo binary, beside objdump -d on it.
    Isa {
        /// 1 scan instead of the fastest of 5
        #[arg(long)]
        quick: bool,
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
pub fn io(what: &str, e: std::io::Error) -> Error {
    Error::new(format!("{what}: {e}"))
}

/// The workspace root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("bench/ is in the workspace").to_path_buf()
}

fn main() {
    // compare, run in process by the ladder section, makes this executable cargo's RUSTC_WRAPPER.
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(code) = cargo_profile_info::run_if_wrapping(argv.get(1..).unwrap_or_default()) {
        std::process::exit(code);
    }
    let args = Args::parse();
    if let Some(command) = &args.command {
        std::process::exit(subcommand(command, args.quick));
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

/// Runs a subcommand (`quick`: `--quick` given before it); its exit code.
fn subcommand(command: &Command_, quick: bool) -> i32 {
    let kind = match command {
        Command_::Http(_) => Kind::Http,
        Command_::Guard { .. } => Kind::Guard,
        Command_::Edit { .. } => Kind::Edit,
        Command_::Vcs { .. } => Kind::Vcs,
        Command_::Isa { .. } => Kind::Isa,
        Command_::Ladder { .. } => Kind::Ladder,
    };
    clean_env();
    if let Err(missing) = tools::require(kind.tools()) {
        log(&missing);
        return 1;
    }
    let root = root();
    let figures = match command {
        Command_::Http(options) => {
            http::Plan::new(&root, quick, options).run(&mut std::io::stdout()).map(|()| String::new())
        }
        Command_::Guard { quick: own_quick, runs } => guard::Plan::new(&root, quick || *own_quick, *runs).run(),
        Command_::Edit { quick: own_quick, rounds } => edit::Plan::new(&root, quick || *own_quick, *rounds).run(),
        Command_::Vcs { quick: own_quick, files } => vcs::Plan::new(&root, quick || *own_quick, *files).run(),
        Command_::Isa { quick: own_quick } => isa::run(&root, quick || *own_quick),
        Command_::Ladder { quick: own_quick } => ladder::Plan::new(&root, quick || *own_quick).run(),
    };
    match figures {
        Ok(text) => {
            print!("{text}");
            0
        }
        Err(e) => {
            log(&e.to_string());
            1
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

/// The sections this run measures, and why the others are not measured.
fn plan(args: &Args) -> Vec<(Kind, Option<&'static str>)> {
    Kind::ALL
        .into_iter()
        .map(|kind| {
            let skip = if args.only.is_some() {
                Some("skipped (--only)")
            } else if args.quick && kind == Kind::Vcs {
                Some("skipped (--quick: a 60,000-file repository takes minutes to measure)")
            } else if args.quick && kind == Kind::Isa {
                Some("skipped (--quick: builds cargo-profile-info --release and disassembles a 40 MB binary; `bash scripts/bench.sh isa --quick` runs it alone)")
            } else if args.quick && kind == Kind::Ladder {
                Some("skipped (--quick: the ladder twice on over 40 dependencies takes tens of minutes)")
            } else {
                None
            };
            (kind, skip)
        })
        .collect()
}

fn run(args: &Args, peers: &[&'static Peer]) -> Result<bool, Error> {
    let start = Instant::now();
    clean_env();
    let root = root();
    let plan = plan(args);
    // The scratch packages are committed to git, for the revision each crate must report; a
    // section's own tools are its own subcommand's to require.
    tools::require(&["git"]).map_err(Error::new)?;
    let bench = root.join("target/bench");
    let dirs = Dirs { src: bench.join("src"), targets: bench.join("targets"), logs: bench.join("logs"), bench, root };
    packages::write(&dirs, peers)?;
    // Dependencies were fetched: nothing timed waits for the network (the sections fetch as they like).
    std::env::set_var("CARGO_NET_OFFLINE", "true");
    let built = build_all(&dirs, peers);
    std::env::remove_var("CARGO_NET_OFFLINE");
    let built = built?;
    let mut sections = Vec::new();
    for (kind, skip) in plan {
        sections.push(match skip {
            Some(why) => Section::not_run(kind, why),
            None => {
                log(&format!("running {}", kind.command()));
                let quick: &[&str] = if args.quick { &["--quick"] } else { &[] };
                sections::run(&dirs.root, kind, quick, &dirs.logs.join(format!("{}.log", kind.name())))
            }
        });
    }
    let failed: Vec<String> = sections.iter().filter(|s| s.failed).map(|s| s.kind.command()).collect();
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
fn build_all(dirs: &Dirs, peers: &[&'static Peer]) -> Result<Vec<builds::Built>, Error> {
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
    fn quick_and_only_leave_sections_out() {
        let args = |a: &[&str]| Args::try_parse_from(std::iter::once("bench").chain(a.iter().copied())).unwrap();
        let run =
            |a: &[&str]| plan(&args(a)).into_iter().filter(|(_, s)| s.is_none()).map(|(s, _)| s).collect::<Vec<_>>();
        assert_eq!(run(&[]), Kind::ALL);
        assert_eq!(run(&["--quick"]), [Kind::Http, Kind::Guard, Kind::Edit]);
        assert_eq!(run(&["--only", "vergen,built"]), []);
        assert_eq!(args(&["--only", "vergen,built"]).only.unwrap(), ["vergen", "built"]);
        assert!(Args::try_parse_from(["bench", "--fast"]).is_err());
    }

    #[test]
    fn sections_run_alone_as_subcommands() {
        let command =
            |a: &[&str]| Args::try_parse_from(std::iter::once("bench").chain(a.iter().copied())).map(|a| a.command);
        assert!(matches!(
            command(&["edit", "--quick", "3"]),
            Ok(Some(Command_::Edit { quick: true, rounds: Some(3) }))
        ));
        assert!(matches!(command(&["edit"]), Ok(Some(Command_::Edit { quick: false, rounds: None }))));
        assert!(matches!(command(&["vcs", "4000"]), Ok(Some(Command_::Vcs { quick: false, files: Some(4000) }))));
        assert!(matches!(command(&["guard", "--quick"]), Ok(Some(Command_::Guard { quick: true, runs: None }))));
        assert!(matches!(command(&["isa", "--quick"]), Ok(Some(Command_::Isa { quick: true }))));
        assert!(matches!(command(&["guard", "500"]), Ok(Some(Command_::Guard { quick: false, runs: Some(500) }))));
        assert!(matches!(command(&["http", "--soak"]), Ok(Some(Command_::Http(o))) if o.soak && !o.quick));
        assert!(matches!(command(&["http", "--quick"]), Ok(Some(Command_::Http(o))) if o.quick));
        assert!(command(&["http", "--soak", "--quick"]).is_err(), "a soak has no quick mode");
        assert!(command(&["guard", "many"]).is_err(), "runs are a number");
        assert!(command(&["guard", "0"]).is_err(), "at least one run");
        assert!(command(&["install", "wrk"]).is_err(), "tools are installed by the scripts");
        assert!(command(&["edit", "many"]).is_err(), "rounds are a number");
        assert!(command(&["rounds"]).is_err(), "rounds is edit's now");
    }
}
