//! `compare`: the user's binary built under a ladder of release-profile settings, each variant
//! proven by the document read back out of its file (or, without `#[profile_info::main]`, by
//! rustc's command line for its crate and the file: see `wrapper`), sized, and run in
//! interleaved rounds (timed, or its instructions counted); each variant is judged against
//! release from its per-round ratios (see `measure`), and the whole written as a table,
//! `report.json`, `report.md` and `report.svg`.
//!
//! The user's files are left alone: every build goes to compare's own target dir
//! (`<target-dir>/profile-info/target`, see `build`), never `target/release`. The rungs share
//! what cargo lets them share: one target dir and one profile in it (`ladder::PROFILE`), so that
//! build scripts and proc macros serve every rung they can; a rung that only changes `strip`,
//! `lto` between thin and fat (or adds BOLT's link flag) to an earlier one rebuilds the compared
//! crate alone with that rung's settings; a rung with the flags of another is not built again;
//! one PGO training serves the `pgo` and `bolt` rungs; and each rung's build is its only one (the
//! binary's rustc is timed as it runs).

pub(crate) mod bolt;
pub(crate) mod build;
pub(crate) mod chart;
pub(crate) mod ladder;
pub(crate) mod measure;
pub(crate) mod pgo;
pub(crate) mod report;
pub(crate) mod serve;
pub(crate) mod wrapper;

use crate::{Document, Error};
use build::{keep, Job, Project, FAT_LTO};
use ladder::{Key, Request, Variant, BOLT, PGO};
use report::{Proof, Report, Row, Served};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

/// What `compare` was asked to do: its command line.
#[derive(Clone, Debug, clap::Args)]
pub struct Options {
    /// The workspace's Cargo.toml (default: found from the current directory)
    #[arg(long)]
    pub manifest_path: Option<PathBuf>,
    /// The package whose binary is compared
    #[arg(long, short = 'p')]
    pub package: Option<String>,
    /// The binary, when the package has several
    #[arg(long)]
    pub bin: Option<String>,
    /// An example of the package instead of a binary
    #[arg(long, conflicts_with = "bin")]
    pub example: Option<String>,
    /// The command to measure, `{bin}` standing for each variant's binary: '{bin} ARGS' (split
    /// like a shell would, run without one); with --serve, the command that starts the server
    #[arg(long)]
    pub run: String,
    /// Rounds after one warm-up: each round runs every variant once, and the verdict on a variant
    /// is drawn from its per-round ratios to release (a 95 % interval needs at least 2)
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// What a run is measured in: wall-clock seconds, or instructions executed (counted by perf
    /// where the kernel allows it, else by valgrind's callgrind: the same count on a busy machine)
    #[arg(long, value_enum, default_value_t = measure::Asked::Seconds)]
    pub metric: measure::Asked,
    /// Timed builds per variant; the compile column shows their median and range
    #[arg(long, default_value_t = 1)]
    pub build_runs: usize,
    /// Where binaries and reports go (default: the target dir's profile-info/compare)
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Rungs of the ladder to build: release, strip, lto-thin, lto-fat, cgu1, panic-abort,
    /// x86-64-v3, pgo, bolt (each includes the settings of the rungs before it; release is always built)
    #[arg(long, value_delimiter = ',')]
    pub variants: Option<Vec<String>>,
    /// A variant of your own on top of release: NAME:KEY=VALUE,… with keys opt-level, lto,
    /// codegen-units, panic, strip, debug, debug-assertions, overflow-checks, incremental, target-cpu
    #[arg(long = "variant", value_name = "NAME:KEY=VALUE,…")]
    pub variant: Vec<String>,
    /// The PGO training command, `{bin}` standing for the instrumented binary (default: --run,
    /// or one --load against it with --serve)
    #[arg(long)]
    pub pgo_train: Option<String>,
    /// Time builds from nothing (default: the binary's own rustc, its dependencies built)
    #[arg(long)]
    pub clean: bool,
    /// --run starts a server: it gets a free port as {port} and PORT, is loaded with --load, and
    /// stopped with SIGTERM
    #[arg(long, requires = "load")]
    pub serve: bool,
    /// The load command with --serve, read as wrk's report: 'wrk -t2 -c64 -d10s http://127.0.0.1:{port}/'
    #[arg(long)]
    pub load: Option<String>,
}

impl Default for Options {
    /// The command line's defaults, with an empty `--run`.
    fn default() -> Options {
        Options {
            manifest_path: None,
            package: None,
            bin: None,
            example: None,
            run: String::new(),
            runs: 5,
            metric: measure::Asked::Seconds,
            build_runs: 1,
            out: None,
            variants: None,
            variant: Vec::new(),
            pgo_train: None,
            clean: false,
            serve: false,
            load: None,
        }
    }
}

impl Options {
    /// The rungs asked for (`--variants`, `--variant`).
    pub fn request(&self) -> Request {
        Request { pick: self.variants.clone(), extra: self.variant.clone() }
    }
}

/// Prints a progress line on stderr (building and running take minutes).
fn progress(line: &str) {
    eprintln!("compare: {line}");
}

/// Why a rung cannot be built on this machine.
fn unavailable(name: &str, llvm_profdata: &[pgo::Candidate]) -> Option<String> {
    match name {
        "x86-64-v3" => {
            #[cfg(target_arch = "x86_64")]
            {
                let level = profile_info_core::x86::detect().level();
                (level < 3).then(|| format!("this CPU is x86-64-v{level} and cannot run x86-64-v3 code"))
            }
            #[cfg(not(target_arch = "x86_64"))]
            Some("not an x86_64 host".to_owned())
        }
        PGO => pgo::unavailable(llvm_profdata),
        BOLT => bolt::find().err(),
        _ => None,
    }
}

/// The commands of a run, split and checked.
struct Commands {
    run: Vec<String>,
    load: Option<Vec<String>>,
    train: Option<Vec<String>>,
}

impl Commands {
    fn of(opts: &Options) -> Result<Commands, Error> {
        let run = measure::split("--run", &opts.run)?;
        if !run.iter().any(|w| w.contains("{bin}")) {
            return Err(Error::new(format!("--run `{}` does not say where the binary goes: write {{bin}}", opts.run)));
        }
        let load = match (&opts.load, opts.serve) {
            (Some(load), true) => Some(measure::split("--load", load)?),
            (None, true) => return Err(Error::new("--serve needs --load 'wrk … http://127.0.0.1:{port}/…'")),
            (Some(_), false) => return Err(Error::new("--load is only read with --serve")),
            (None, false) => None,
        };
        let train = opts.pgo_train.as_deref().map(|t| measure::split("--pgo-train", t)).transpose()?;
        Ok(Commands { run, load, train })
    }
}

impl Commands {
    /// Refuses, before anything is built, a command whose program is not there: `{bin}` is the
    /// binary about to be built; any other program must be a file or on `PATH`.
    fn check_programs(&self) -> Result<(), Error> {
        let named = [("--run", Some(&self.run)), ("--load", self.load.as_ref()), ("--pgo-train", self.train.as_ref())];
        for (flag, argv) in named {
            let Some(program) = argv.and_then(|a| a.first()).filter(|p| !p.contains("{bin}")) else { continue };
            let found = if program.contains('/') {
                Path::new(program).is_file()
            } else {
                std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
            };
            if !found {
                return Err(Error::new(format!("{flag}: `{program}` is not installed (no such file, nor on PATH)")));
            }
        }
        Ok(())
    }
}

/// Runs the whole comparison and writes the reports; returns what they hold. Everything that can
/// be checked without building (the options, the commands' programs, the tools the metric needs,
/// the manifest, the package and its binary) is checked before the first rung; a first rung that
/// does not build stops the ladder with rustc's first error.
pub fn compare(opts: &Options) -> Result<Report, Error> {
    let commands = Commands::of(opts)?;
    commands.check_programs()?;
    if opts.runs == 0 {
        return Err(Error::new("--runs must be at least 1"));
    }
    if opts.build_runs == 0 {
        return Err(Error::new("--build-runs must be at least 1"));
    }
    if opts.serve && opts.metric != measure::Asked::Seconds {
        return Err(Error::new("--metric instructions counts a run to its end: with --serve, wrk measures"));
    }
    let metric = measure::Metric::find(opts.metric)?;
    let llvm_profdata = pgo::candidates();
    let (variants, mut left_out) = ladder::plan(&opts.request(), |name| unavailable(name, &llvm_profdata))?;
    let project = Project::find(
        opts.manifest_path.as_deref(),
        opts.package.as_deref(),
        opts.bin.as_deref(),
        opts.example.as_deref(),
    )?;
    for l in &left_out {
        progress(&format!("left out {}: {}", l.name, l.reason));
    }
    let out = opts.out.clone().unwrap_or_else(|| project.target_dir.join("profile-info").join("compare"));
    std::fs::create_dir_all(&out).map_err(|e| Error::new(format!("cannot create {}: {e}", out.display())))?;
    let out = out.canonicalize().map_err(|e| Error::new(format!("cannot use {}: {e}", out.display())))?;
    let mut notes = vec![if opts.clean {
        "compile: a build from nothing (--clean)".to_owned()
    } else {
        "compile: the binary's own rustc (compiling, LTO, linking), its dependencies built before it".to_owned()
    }];
    if opts.build_runs == 1 {
        notes.push("compile: a single timed build per variant (--build-runs N repeats it)".to_owned());
    }

    let mut built: Vec<(Variant, PathBuf, Vec<f64>, Json, Proof)> = Vec::new();
    let mut trained = None;
    for (i, variant) in variants.iter().enumerate() {
        progress(&format!("[{}/{}] building {} ({})", i + 1, variants.len(), variant.name, variant.describe()));
        if let Some((same, binary, seconds, doc, proof)) = built.iter().find(|(v, ..)| v.same_build(variant)).cloned() {
            progress(&format!("{}: the flags of {}, its build kept", variant.name, same.name));
            notes.push(format!("{}: the flags of {}, not built again", variant.name, same.name));
            built.push((variant.clone(), binary, seconds, doc, proof));
            continue;
        }
        let earlier: Vec<&Variant> = built.iter().map(|(v, ..)| v).collect();
        let job = job_for(variant, &earlier);
        let result = if variant.pgo {
            build_pgo(variant, job.clone(), &project, &out, opts, &commands, &llvm_profdata, &mut trained)?
        } else {
            Ok(build_one(&job, &project, &out, opts, &variant.name)?)
        };
        let result = match result {
            Ok(mut built) if variant.bolt => {
                notes.extend(built.note.take().filter(|n| !notes.contains(n)));
                build_bolt(built, &out, &commands)?
            }
            other => other,
        };
        let Built { binary, seconds, note } = match result {
            Ok(built) => built,
            Err(reason) => {
                progress(&format!("left out {}: {reason}", variant.name));
                left_out.push(ladder::LeftOut { name: variant.name.clone(), reason });
                continue;
            }
        };
        notes.extend(note.filter(|n| !notes.contains(n)));
        let (doc, proof) = prove(variant, &binary, &rustc_log(&out, &variant.name), &project)?;
        let median = measure::Spread::of(&seconds).median;
        progress(&format!("built {} in {median:.1} s: {}", variant.name, report::size(file_size(&binary)?)));
        built.push((variant.clone(), binary, seconds, doc, proof));
    }

    let names: Vec<&str> = built.iter().map(|(v, ..)| v.name.as_str()).collect();
    let samples = match &commands.load {
        None => measure::round_robin(built.len(), opts.runs, |i, round| {
            let argv = measure::fill(&commands.run, &built[i].1, None);
            let s = metric.sample(names[i], "--run", &argv, &out.join("count"))?;
            let shown = match metric {
                measure::Metric::Seconds => format!("{:.1} ms", s * 1e3),
                measure::Metric::Instructions(_) => format!("{s:.0} instructions"),
            };
            progress(&format!("{} {}: {shown}", round_label(round, opts.runs), names[i]));
            Ok((s, None))
        })?,
        Some(load) => {
            let logs = out.join("logs");
            std::fs::create_dir_all(&logs).map_err(|e| Error::new(format!("cannot create {}: {e}", logs.display())))?;
            measure::round_robin(built.len(), opts.runs, |i, round| {
                let port = serve::free_port()?;
                let log = logs.join(format!("{}.log", names[i]));
                let server = serve::Server::start(names[i], &commands.run, &built[i].1, port, &log)?;
                let measured = server.load(load, port);
                server.stop();
                let m = measured?;
                let errors = match m.socket_errors {
                    0 => String::new(),
                    n => format!(", {n} socket errors in {} requests", m.requests),
                };
                progress(&format!(
                    "{} {}: {:.0} req/s, p99 {:.2} ms{errors}",
                    round_label(round, opts.runs),
                    names[i],
                    m.requests_per_second,
                    m.latency_p99_ms
                ));
                Ok((m.latency_avg_seconds, Some((m.requests_per_second, m.latency_p99_ms))))
            })?
        }
    };

    let mut rows = Vec::new();
    for ((variant, binary, seconds, doc, proof), samples) in built.into_iter().zip(samples) {
        let served = samples.iter().all(|(_, l)| l.is_some()).then(|| Served {
            requests_per_second: samples.iter().filter_map(|(_, l)| l.map(|l| l.0)).collect(),
            latency_p99_ms: samples.iter().filter_map(|(_, l)| l.map(|l| l.1)).collect(),
        });
        rows.push(Row {
            name: variant.name.clone(),
            settings: variant.describe(),
            size_bytes: file_size(&binary)?,
            debuginfo_bytes: debuginfo_bytes(&binary)?,
            binary: binary.strip_prefix(&out).map(Path::to_owned).unwrap_or(binary),
            build_seconds: seconds,
            document: doc,
            proof,
            samples: samples.iter().map(|(s, _)| *s).collect(),
            served,
        });
    }
    let report = Report { metric, rows, left_out, notes };
    let write = |name: &str, text: String| {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))
    };
    let mut json = report.json();
    json["recipe"] = recipe(&commands, trained.as_ref(), &variants);
    write("report.json", format!("{:#}\n", json))?;
    write("report.md", report.markdown())?;
    write("report.svg", chart::svg(&report))?;
    progress(&format!("wrote report.json, report.md and report.svg in {}", out.display()));
    Ok(report)
}

/// What `apply` needs to print a rung's commands as this run ran them: the tools by full path, the
/// training command (`{bin}` for the binary; `null` when a served workload trained) and the rows
/// BOLT rewrote.
fn recipe(commands: &Commands, trained: Option<&Trained>, variants: &[Variant]) -> Json {
    let bolt = bolt::find().ok();
    let path = |p: Option<&Path>| p.map_or(Json::Null, |p| Json::from(p.display().to_string()));
    let train = match (&commands.train, &commands.load) {
        (Some(train), _) => Json::from(train.clone()),
        (None, None) => Json::from(commands.run.clone()),
        (None, Some(_)) => Json::Null,
    };
    serde_json::json!({
        "llvm_profdata": path(trained.map(|t| t.llvm_profdata.as_path())),
        "llvm_bolt": path(bolt.as_ref().map(|t| t.bolt.as_path())),
        "merge_fdata": path(bolt.as_ref().map(|t| t.merge.as_path())),
        "train": train,
        "bolt_variants": variants.iter().filter(|v| v.bolt).map(|v| v.name.clone()).collect::<Vec<_>>(),
    })
}

fn round_label(round: usize, runs: usize) -> String {
    if round == 0 {
        "warm-up".to_owned()
    } else {
        format!("run {round}/{runs}")
    }
}

fn file_size(path: &Path) -> Result<u64, Error> {
    std::fs::metadata(path).map(|m| m.len()).map_err(|e| Error::file(path, e.to_string()))
}

/// The bytes of DWARF in an executable: its `.debug_*` sections (`.zdebug_*` when compressed).
fn debuginfo_bytes(path: &Path) -> Result<u64, Error> {
    use object::{Object, ObjectSection};
    let data = std::fs::read(path).map_err(|e| Error::file(path, e.to_string()))?;
    let file = object::File::parse(&*data).map_err(|e| Error::file(path, e.to_string()))?;
    let dwarf = |s: &object::Section| s.name().is_ok_and(|n| n.starts_with(".debug_") || n.starts_with(".zdebug_"));
    Ok(file.sections().filter(dwarf).map(|s| s.size()).sum())
}

/// The target dir a `--clean` build of `variant` uses (emptied first), or the project's.
fn clean_target(out: &Path, variant: &str, clean: bool) -> Result<Option<PathBuf>, Error> {
    if !clean {
        return Ok(None);
    }
    let dir = out.join("targets").join(variant);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| Error::new(format!("cannot empty {}: {e}", dir.display())))?;
    }
    Ok(Some(dir))
}

/// A binary kept under the out dir, how long it took to build (each `--build-runs`), and what is
/// worth noting about it.
struct Built {
    binary: PathBuf,
    seconds: Vec<f64>,
    note: Option<String>,
}

/// The build of `variant` ([`Job::of`]), or, when it differs from a rung built before only in
/// `strip` (or is that rung's BOLT rewrite), that rung's settings with the difference given to the
/// compared crate alone, so that its dependencies are not built again.
fn job_for(variant: &Variant, earlier: &[&Variant]) -> Job {
    let mut job = Job::of(variant);
    let but_strip = |settings: &[(Key, ladder::Value)]| {
        settings.iter().filter(|(k, _)| *k != Key::STRIP).cloned().collect::<Vec<_>>()
    };
    let base = earlier
        .iter()
        .filter(|e| !e.bolt && e.pgo == variant.pgo)
        .map(|e| Job::of(e))
        .find(|base| but_strip(&base.settings) == but_strip(&job.settings) && base.settings != job.settings);
    if let Some(base) = base {
        // The base's `-C strip` stays on the command line and a later one overrides it; BOLT's rung
        // keeps the symbols --emit-relocs needs. Without a `strip` of its own, the variant would
        // need cargo's default, which depends on the other settings: built on its own then.
        let strip = match variant.get(Key::STRIP).and_then(|v| Key::STRIP.expected(v)) {
            Some((_, v)) => v.as_str().map(str::to_owned),
            None => variant.bolt.then(|| "debuginfo".to_owned()),
        };
        if let Some(strip) = strip {
            job.settings = base.settings;
            job.final_flags.push(format!("-Cstrip={strip}"));
        }
    }
    if variant.bolt {
        job.final_flags.push(bolt::EMIT_RELOCS.to_owned());
    }
    job
}

/// Builds `job` `--build-runs` times and keeps its binary as `out/bin/<name>/<bin>`, the
/// compared crate's rustc command line as `out/rustc/<name>.jsonl`.
fn build_one(job: &Job, project: &Project, out: &Path, opts: &Options, name: &str) -> Result<Built, Error> {
    let mut job = job.clone();
    let log = rustc_log(out, name);
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::new(format!("cannot create {}: {e}", dir.display())))?;
    }
    let _ = std::fs::remove_file(&log);
    job.rustc_log = Some(log);
    let mut seconds = Vec::with_capacity(opts.build_runs);
    let mut kept = PathBuf::new();
    for _ in 0..opts.build_runs {
        let target = clean_target(out, &job.variant, opts.clean)?;
        let (exe, s) = job.run(project, target.as_deref(), opts.clean)?;
        seconds.push(s);
        kept = keep(&exe, &out.join("bin").join(name), &project.bin)?;
        if let Some(dir) = target {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
    Ok(Built { binary: kept, seconds, note: None })
}

fn rustc_log(out: &Path, name: &str) -> PathBuf {
    out.join("rustc").join(format!("{name}.jsonl"))
}

/// Runs the training workload with `binary`: `--pgo-train`, else `--run`, else one `--load`
/// against it served.
fn train(rung: &str, binary: &Path, dir: &Path, commands: &Commands) -> Result<(), Error> {
    match (&commands.train, &commands.load) {
        (None, Some(load)) => {
            let port = serve::free_port()?;
            let server = serve::Server::start(rung, &commands.run, binary, port, &dir.join("train.log"))?;
            let loaded = server.load(load, port);
            server.stop();
            loaded.map(drop)
        }
        (train, _) => {
            let argv = measure::fill(train.as_ref().unwrap_or(&commands.run), binary, None);
            let flag = if train.is_some() { "--pgo-train" } else { "--run (training)" };
            measure::time_command(rung, flag, &argv).map(drop)
        }
    }
}

/// A merged PGO profile, the seconds its instrumented build took, and which llvm-profdata merged it.
#[derive(Clone)]
struct Trained {
    profile: PathBuf,
    seconds: Vec<f64>,
    note: String,
    llvm_profdata: PathBuf,
}

/// An instrumented build of `variant`, a training run and `llvm-profdata merge`; `Ok(Err(why))`
/// when no llvm-profdata could merge.
fn train_pgo(
    variant: &Variant,
    project: &Project,
    out: &Path,
    opts: &Options,
    commands: &Commands,
    llvm_profdata: &[pgo::Candidate],
) -> Result<Result<Trained, String>, Error> {
    let dir = out.join("pgo");
    let raw = dir.join("raw");
    if raw.exists() {
        std::fs::remove_dir_all(&raw).map_err(|e| Error::new(format!("cannot empty {}: {e}", raw.display())))?;
    }
    std::fs::create_dir_all(&raw).map_err(|e| Error::new(format!("cannot create {}: {e}", raw.display())))?;
    let mut generate = Job::of(variant);
    generate.variant = format!("{}-generate", variant.name);
    // LLVM instruments each crate before LTO, in the pipeline thin and fat LTO share, so the
    // instrumented build links with thin LTO (the rung's own dependencies, on every core) even
    // when the rung is fat: its profile holds the same functions with the same control-flow
    // hashes (a test compares it with the one the fat build of `apply`'s recipe writes).
    generate.final_flags.retain(|f| f != FAT_LTO);
    generate.rustflags = vec![format!("-Cprofile-generate={}", raw.display())];
    let instrumented = build_one(&generate, project, out, opts, "pgo-generate")?;
    progress(&format!(
        "pgo: training the instrumented build ({:.1} s to build)",
        measure::Spread::of(&instrumented.seconds).median
    ));
    train(PGO, &instrumented.binary, &dir, commands)?;
    let merged = dir.join("merged.profdata");
    let used = match pgo::merge(llvm_profdata, &raw, &merged)? {
        Ok(used) => used,
        Err(why) => return Ok(Err(why)),
    };
    progress(&used.describe());
    Ok(Ok(Trained {
        profile: merged,
        seconds: instrumented.seconds,
        note: used.describe(),
        llvm_profdata: used.used.path.clone(),
    }))
}

/// A PGO rung: `job` built with `-Cprofile-use` of the profile trained for this run (trained
/// once, shared by the `pgo` and `bolt` rungs); its compile time is both builds.
#[allow(clippy::too_many_arguments)]
fn build_pgo(
    variant: &Variant,
    mut job: Job,
    project: &Project,
    out: &Path,
    opts: &Options,
    commands: &Commands,
    llvm_profdata: &[pgo::Candidate],
    trained: &mut Option<Trained>,
) -> Result<Result<Built, String>, Error> {
    let profile = match trained.clone() {
        Some(t) => t,
        None => match train_pgo(variant, project, out, opts, commands, llvm_profdata)? {
            Ok(t) => trained.insert(t).clone(),
            Err(why) => return Ok(Err(why)),
        },
    };
    job.rustflags = vec![format!("-Cprofile-use={}", profile.profile.display())];
    let built = build_one(&job, project, out, opts, &variant.name)?;
    let seconds = profile.seconds.iter().zip(&built.seconds).map(|(a, b)| a + b).collect();
    Ok(Ok(Built { seconds, note: Some(profile.note), ..built }))
}

/// The `bolt` rung: `built` (linked with `--emit-relocs`) instrumented by BOLT, trained, and
/// rewritten in place; its compile time adds BOLT's. `Ok(Err(why))` when BOLT is missing.
fn build_bolt(built: Built, out: &Path, commands: &Commands) -> Result<Result<Built, String>, Error> {
    let tools = match bolt::find() {
        Ok(tools) => tools,
        Err(why) => return Ok(Err(why)),
    };
    let start = std::time::Instant::now();
    let dir = out.join("bolt");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| Error::new(format!("cannot empty {}: {e}", dir.display())))?;
    }
    std::fs::create_dir_all(&dir).map_err(|e| Error::new(format!("cannot create {}: {e}", dir.display())))?;
    let relocs = dir.join("with-relocs");
    std::fs::rename(&built.binary, &relocs)
        .map_err(|e| Error::new(format!("cannot move {}: {e}", built.binary.display())))?;
    let instrumented = dir.join("instrumented");
    tools.instrument(&relocs, &instrumented, &dir)?;
    progress("bolt: training the instrumented binary");
    train(BOLT, &instrumented, &dir, commands)?;
    tools.optimise(&relocs, &dir, &built.binary)?;
    bolt::proven(&built.binary).map_err(|why| Error::new(format!("variant {BOLT}: {why}")))?;
    let note = format!(
        "bolt: {} and {}, the binary linked with --emit-relocs and without strip=symbols (the linker refuses both)",
        tools.bolt.display(),
        tools.merge.display()
    );
    let bolted = start.elapsed().as_secs_f64();
    let seconds = built.seconds.iter().map(|s| s + bolted).collect();
    Ok(Ok(Built { seconds, note: Some(note), ..built }))
}

/// Reads the document out of `binary` (or, for a binary built without the attribute, makes it from
/// rustc's command line in `rustc_log` and the file) and checks it says what `variant` asked for;
/// returns it and which proof it is.
fn prove(variant: &Variant, binary: &Path, rustc_log: &Path, project: &Project) -> Result<(Json, Proof), Error> {
    let fail = |why: String| Error::new(format!("variant {}: {why}", variant.name));
    let (doc, proof) = match Document::from_file(binary) {
        Ok(doc) => (doc.value, Proof::Document),
        Err(e) => {
            let args = wrapper::recorded(rustc_log)
                .pop()
                .map(|c| c.args)
                .ok_or_else(|| fail(format!("{e}, and no rustc command line was recorded for it")))?;
            (wrapper::document(&args, &project.package, &project.host, binary).map_err(fail)?, Proof::CommandLine)
        }
    };
    let source = match proof {
        Proof::Document => "the file's document",
        Proof::CommandLine => "rustc's command line and the file",
    };
    match contradiction(variant, &doc, source) {
        None => Ok((doc, proof)),
        Some(why) => Err(fail(why)),
    }
}

/// The first field in which `document` contradicts `variant`; a field the document does not have
/// (an older schema without `profile.pgo`) is unknown, not a contradiction.
fn contradiction(variant: &Variant, document: &Json, source: &str) -> Option<String> {
    variant.expectations().into_iter().find_map(|(field, want)| {
        let got = crate::keys::in_json_at(document, field)?;
        (*got != want).then(|| format!("asked {field} = {want}, {source} says {got}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_options_are_the_command_lines() {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            options: Options,
        }
        let parsed = <Cli as clap::Parser>::parse_from(["compare", "--run", ""]).options;
        assert_eq!(format!("{parsed:?}"), format!("{:?}", Options::default()));
    }
    use serde_json::json;

    #[test]
    fn a_document_that_contradicts_its_variant_is_an_error() {
        let v = ladder::parse_variant("fat:lto=fat,codegen-units=1").unwrap();
        let doc = json!({"profile": {"name": ladder::PROFILE, "lto": "thin", "codegen_units": 1}});
        assert_eq!(
            contradiction(&v, &doc, "the file's document").unwrap(),
            r#"asked profile.lto = "fat", the file's document says "thin""#
        );
        let good = json!({"profile": {"name": ladder::PROFILE, "lto": "fat", "codegen_units": 1}});
        assert_eq!(contradiction(&v, &good, "d"), None);
        let elsewhere = json!({"profile": {"name": "release", "lto": "fat", "codegen_units": 1}});
        assert!(contradiction(&v, &elsewhere, "d").unwrap().contains("profile.name"));
        let mut pgo = v.clone();
        pgo.pgo = true;
        assert_eq!(contradiction(&pgo, &good, "d"), None, "no pgo field yet: unknown");
        let off = json!({"profile": {"name": ladder::PROFILE, "lto": "fat", "codegen_units": 1, "pgo": "off"}});
        assert!(contradiction(&pgo, &off, "d").unwrap().contains("profile.pgo"));
    }

    #[test]
    fn strip_lto_and_bolt_rungs_reuse_the_build_before_them() {
        let (variants, _) = ladder::plan(&Request::default(), |_| None).unwrap();
        let by_name = |n: &str| variants.iter().find(|v| v.name == n).unwrap();
        let settings = |n: &str| by_name(n).settings.clone();
        let built = |job: &Job| (job.settings.clone(), job.final_flags.clone());
        let strip = job_for(by_name("strip"), &[by_name("release")]);
        assert_eq!(built(&strip), (settings("release"), vec!["-Cstrip=symbols".to_owned()]));
        let thin = job_for(by_name("lto-thin"), &[by_name("release"), by_name("strip")]);
        assert_eq!(built(&thin), (settings("lto-thin"), vec![]));
        let fat = job_for(by_name("lto-fat"), &[by_name("release"), by_name("strip"), by_name("lto-thin")]);
        assert_eq!(built(&fat), (settings("lto-thin"), vec!["-Clto=fat".to_owned()]), "lto-thin's build, then fat");
        let cgu1 = job_for(by_name("cgu1"), &[by_name("release"), by_name("lto-thin"), by_name("lto-fat")]);
        let thin_cgu1: Vec<_> = settings("cgu1")
            .into_iter()
            .map(|(k, v)| if k == Key::LTO { (k, ladder::Value::Str("thin".into())) } else { (k, v) })
            .collect();
        assert_eq!(built(&cgu1), (thin_cgu1, vec!["-Clto=fat".to_owned()]), "cgu1 rebuilds every crate");
        let bolt = job_for(by_name("bolt"), &[by_name("release"), by_name("pgo")]);
        assert_eq!(bolt.settings, Job::of(by_name("pgo")).settings);
        assert_eq!(
            bolt.final_flags,
            ["-Clto=fat", "-Cstrip=debuginfo", bolt::EMIT_RELOCS],
            "symbols kept for --emit-relocs"
        );
        let alone = job_for(by_name("bolt"), &[by_name("release")]);
        assert_eq!(alone.settings, Job::of(by_name("bolt")).settings);
        assert_eq!(alone.final_flags, ["-Clto=fat", bolt::EMIT_RELOCS]);
    }

    #[test]
    fn commands_are_checked_before_anything_is_built() {
        let opts = |run: &str, serve: bool, load: Option<&str>| Options {
            run: run.into(),
            runs: 1,
            serve,
            load: load.map(str::to_owned),
            ..Options::default()
        };
        let err = |o: Options| Commands::of(&o).err().map(|e| e.to_string());
        assert_eq!(
            err(opts("app 1", false, None)).unwrap(),
            "--run `app 1` does not say where the binary goes: write {bin}"
        );
        assert!(err(opts("{bin}", true, None)).unwrap().starts_with("--serve needs --load"));
        assert_eq!(err(opts("{bin}", false, Some("wrk"))).unwrap(), "--load is only read with --serve");
        assert_eq!(err(opts("{bin}", true, Some("wrk {port}"))), None);
        let programs = |o: Options| Commands::of(&o).unwrap().check_programs().err().map(|e| e.to_string());
        assert_eq!(
            programs(opts("{bin}", true, Some("no-such-load-tool-xyz {port}"))).unwrap(),
            "--load: `no-such-load-tool-xyz` is not installed (no such file, nor on PATH)"
        );
        assert_eq!(programs(opts("./missing/runner {bin}", false, None)).unwrap().split(':').next(), Some("--run"));
        assert_eq!(programs(opts("sh -c '{bin} 1'", false, None)), None, "sh is on PATH");
        assert_eq!(Error::new("a\n  b").to_string(), "a b");
    }
}
