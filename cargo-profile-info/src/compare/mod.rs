//! `compare`: the user's binary built under a ladder of release-profile settings, each variant
//! proven by the document read back out of its file, sized, and run in interleaved rounds (timed,
//! or its instructions counted); each variant is judged against release from its per-round ratios
//! (see [`measure`]), and the whole written as a table, `report.json`, `report.md` and `report.svg`.

pub mod build;
pub mod chart;
pub mod ladder;
pub mod measure;
pub mod pgo;
pub mod report;
pub mod serve;

use crate::{Document, Error};
use build::{keep, Job, Project};
use ladder::{Request, Variant, PGO};
use report::{Report, Row, Served};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

/// What `compare` was asked to do: its command line.
#[derive(Clone, Debug, Default, clap::Args)]
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
    /// x86-64-v3, pgo (each includes the settings of the rungs before it; release is always built)
    #[arg(long, value_delimiter = ',')]
    pub variants: Option<Vec<String>>,
    /// A variant of your own on top of release: NAME:KEY=VALUE,… with keys opt-level, lto,
    /// codegen-units, strip, panic, debug, overflow-checks, incremental, target-cpu
    #[arg(long = "variant", value_name = "NAME:KEY=VALUE,…")]
    pub variant: Vec<String>,
    /// The PGO training command, `{bin}` standing for the instrumented binary (default: --run,
    /// or one --load against it with --serve)
    #[arg(long)]
    pub pgo_train: Option<String>,
    /// Time builds from nothing (default: rebuilding the workspace's crates, dependencies built)
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

/// Runs the whole comparison and writes the reports; returns what they hold.
pub fn compare(opts: &Options) -> Result<Report, Error> {
    let commands = Commands::of(opts)?;
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
        "compile: rebuilding the workspace's own crates, dependencies already built for the variant".to_owned()
    }];
    if opts.build_runs == 1 {
        notes.push("compile: a single timed build per variant (--build-runs N repeats it)".to_owned());
    }

    let mut built: Vec<(Variant, PathBuf, Vec<f64>, Document)> = Vec::new();
    for (i, variant) in variants.iter().enumerate() {
        progress(&format!("[{}/{}] building {} ({})", i + 1, variants.len(), variant.name, variant.describe()));
        let result = if variant.pgo {
            build_pgo(variant, &project, &out, opts, &commands, &llvm_profdata)?
        } else {
            Ok(build_one(&Job::of(variant), &project, &out, opts)?)
        };
        let Built { binary, seconds, note } = match result {
            Ok(built) => built,
            Err(reason) => {
                progress(&format!("left out {}: {reason}", variant.name));
                left_out.push(ladder::LeftOut { name: variant.name.clone(), reason });
                continue;
            }
        };
        notes.extend(note);
        let doc = prove(variant, &binary)?;
        let median = measure::Spread::of(&seconds).median;
        progress(&format!("built {} in {median:.1} s: {}", variant.name, report::size(file_size(&binary)?)));
        built.push((variant.clone(), binary, seconds, doc));
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
                progress(&format!(
                    "{} {}: {:.0} req/s, p99 {:.2} ms",
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
    for ((variant, binary, seconds, doc), samples) in built.into_iter().zip(samples) {
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
            document: doc.value,
            samples: samples.iter().map(|(s, _)| *s).collect(),
            served,
        });
    }
    let report = Report { metric, rows, left_out, notes };
    let write = |name: &str, text: String| {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))
    };
    write("report.json", format!("{:#}\n", report.json()))?;
    write("report.md", report.markdown())?;
    write("report.svg", chart::svg(&report))?;
    progress(&format!("wrote report.json, report.md and report.svg in {}", out.display()));
    Ok(report)
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

/// The target dir a `--clean` build of `profile` uses (emptied first), or the project's.
fn clean_target(out: &Path, profile: &str, clean: bool) -> Result<Option<PathBuf>, Error> {
    if !clean {
        return Ok(None);
    }
    let dir = out.join("targets").join(profile);
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

/// Builds `job` `--build-runs` times and keeps its binary as `out/bin/<variant>/<bin>`.
fn build_one(job: &Job, project: &Project, out: &Path, opts: &Options) -> Result<Built, Error> {
    let mut seconds = Vec::with_capacity(opts.build_runs);
    let mut exe = PathBuf::new();
    for _ in 0..opts.build_runs {
        let target = clean_target(out, &job.profile, opts.clean)?;
        let (built, s) = job.run(project, target.as_deref(), opts.clean)?;
        seconds.push(s);
        let name = job.profile.strip_prefix("compare-").unwrap_or(&job.profile);
        exe = keep(&built, &out.join("bin").join(name), &project.bin)?;
        if let Some(dir) = target {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
    Ok(Built { binary: exe, seconds, note: None })
}

/// The `pgo` rung: an instrumented build of the previous rung, a training run, `llvm-profdata
/// merge`, and the build with `-Cprofile-use`; its compile time is both builds. `Ok(Err(why))`
/// when no llvm-profdata could merge.
fn build_pgo(
    variant: &Variant,
    project: &Project,
    out: &Path,
    opts: &Options,
    commands: &Commands,
    llvm_profdata: &[pgo::Candidate],
) -> Result<Result<Built, String>, Error> {
    let dir = out.join("pgo");
    let raw = dir.join("raw");
    if raw.exists() {
        std::fs::remove_dir_all(&raw).map_err(|e| Error::new(format!("cannot empty {}: {e}", raw.display())))?;
    }
    std::fs::create_dir_all(&raw).map_err(|e| Error::new(format!("cannot create {}: {e}", raw.display())))?;
    let mut generate = Job::of(variant);
    generate.profile = format!("{}-generate", variant.profile());
    generate.rustflags = vec![format!("-Cprofile-generate={}", raw.display())];
    let Built { binary: instrumented, seconds: first, .. } = build_one(&generate, project, out, opts)?;
    progress(&format!("pgo: training the instrumented build ({:.1} s to build)", measure::Spread::of(&first).median));
    match (&commands.train, &commands.load) {
        (None, Some(load)) => {
            let port = serve::free_port()?;
            let server = serve::Server::start(PGO, &commands.run, &instrumented, port, &dir.join("train.log"))?;
            let loaded = server.load(load, port);
            server.stop();
            loaded?;
        }
        (train, _) => {
            let argv = measure::fill(train.as_ref().unwrap_or(&commands.run), &instrumented, None);
            let flag = if train.is_some() { "--pgo-train" } else { "--run (training)" };
            measure::time_command(PGO, flag, &argv)?;
        }
    }
    let merged = dir.join("merged.profdata");
    let used = match pgo::merge(llvm_profdata, &raw, &merged)? {
        Ok(used) => used,
        Err(why) => return Ok(Err(why)),
    };
    progress(&used.describe());
    let mut apply = Job::of(variant);
    apply.rustflags = vec![format!("-Cprofile-use={}", merged.display())];
    let built = build_one(&apply, project, out, opts)?;
    let seconds = first.iter().zip(&built.seconds).map(|(a, b)| a + b).collect();
    Ok(Ok(Built { seconds, note: Some(used.describe()), ..built }))
}

/// Reads the document out of `binary` and checks it says what `variant` asked for.
fn prove(variant: &Variant, binary: &Path) -> Result<Document, Error> {
    let doc = Document::from_file(binary).map_err(|e| {
        Error::new(format!(
            "variant {}: {e} (compare proves each row with the document #[profile_info::main] embeds in the binary)",
            variant.name
        ))
    })?;
    contradiction(variant, &doc.value)
        .map_or(Ok(doc), |why| Err(Error::new(format!("variant {}: {why}", variant.name))))
}

/// The first field in which `document` contradicts `variant`; a field the document does not have
/// (an older schema without `profile.pgo`) is unknown, not a contradiction.
fn contradiction(variant: &Variant, document: &Json) -> Option<String> {
    variant.expectations().into_iter().find_map(|(field, want)| {
        let got = document.pointer(&format!("/{}", field.replace('.', "/")))?;
        (*got != want).then(|| format!("asked {field} = {want}, the file's document says {got}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_document_that_contradicts_its_variant_is_an_error() {
        let v = ladder::parse_variant("fat:lto=fat,codegen-units=1").unwrap();
        let doc = json!({"profile": {"name": "compare-fat", "lto": "thin", "codegen_units": 1}});
        assert_eq!(contradiction(&v, &doc).unwrap(), r#"asked profile.lto = "fat", the file's document says "thin""#);
        let good = json!({"profile": {"name": "compare-fat", "lto": "fat", "codegen_units": 1}});
        assert_eq!(contradiction(&v, &good), None);
        let mut pgo = v.clone();
        pgo.pgo = true;
        assert_eq!(contradiction(&pgo, &good), None, "no pgo field yet: unknown");
        let off = json!({"profile": {"name": "compare-fat", "lto": "fat", "codegen_units": 1, "pgo": "off"}});
        assert!(contradiction(&pgo, &off).unwrap().contains("profile.pgo"));
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
        assert_eq!(Error::new("a\n  b").to_string(), "a b");
        assert_eq!(Error::file(Path::new("x/y"), "two\nlines").to_string(), "x/y: two lines");
    }
}
