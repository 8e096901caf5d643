//! The command line, and the exit code each outcome gets.

use crate::compare::{self, ladder::Request, Failure};
use crate::{apply, check, deps, diff, host, Document, Error, Outcome};
use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes:
  0  the command succeeded: document printed, every requirement holds, the host has the file's CPU features, no difference
  1  a requirement failed, the file would not run on this host, or the two builds differ
  2  a file could not be read as a profile-info binary, an unknown key, or a command-line error";

/// Reads the build document profile-info embeds in a binary, without running it; builds, proves
/// and measures release-profile variants of a binary.
#[derive(Parser)]
#[command(name = "cargo-profile-info", bin_name = "cargo profile-info", version, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the document embedded in FILE (the text `FILE --build-info` prints) and the
    /// packages it was built from
    Inspect {
        /// Print the embedded JSON as `FILE --build-info=json` does, with the dependency list as
        /// its last member, "dependencies"
        #[arg(long)]
        json: bool,
        /// Print the dependency list as a software bill of materials in this format instead
        #[arg(long, value_name = "FORMAT", conflicts_with = "json")]
        sbom: Option<Sbom>,
        /// The executable to read
        file: PathBuf,
    },
    /// Check how FILE was built, and whether it would run on this host
    #[command(group = clap::ArgGroup::new("checks").required(true).multiple(true).args(["require", "host"]))]
    Check {
        /// The executable to read
        file: PathBuf,
        /// A dotted key of the document and its wanted value: profile.lto=fat, target.level=x86-64-v3,
        /// profile.codegen_units=1, vcs.dirty=false; lists are comma-separated
        #[arg(long = "require", value_name = "KEY=VALUE")]
        require: Vec<check::Requirement>,
        /// Fail if FILE needs CPU features this host lacks
        #[arg(long)]
        host: bool,
        /// Print the findings as one JSON object (README: "Reading a binary without running it")
        #[arg(long)]
        json: bool,
    },
    /// List the fields in which two builds differ, as `KEY: A → B`
    Diff {
        /// The first executable
        a: PathBuf,
        /// The second executable
        b: PathBuf,
        /// Print the differences as one JSON object (README: "Reading a binary without running it")
        #[arg(long)]
        json: bool,
    },
    /// Build the binary under a ladder of release-profile settings, prove each build by its
    /// document, and measure size, compile time and speed (report.json, report.md, report.svg)
    Compare(CompareArgs),
    /// Write a variant of a compare report into the workspace's Cargo.toml as [profile.NAME]
    Apply {
        /// The report.json compare wrote
        #[arg(long)]
        report: PathBuf,
        /// The variant to write
        #[arg(long)]
        variant: String,
        /// The name of the profile to write
        #[arg(long)]
        profile_name: String,
        /// The workspace's Cargo.toml (default: found from the current directory)
        #[arg(long)]
        manifest_path: Option<PathBuf>,
    },
}

/// The SBOM formats `inspect --sbom` writes.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Sbom {
    /// CycloneDX 1.6 JSON
    Cyclonedx,
}

#[derive(clap::Args)]
struct CompareArgs {
    /// The workspace's Cargo.toml (default: found from the current directory)
    #[arg(long)]
    manifest_path: Option<PathBuf>,
    /// The package whose binary is compared
    #[arg(long, short = 'p')]
    package: Option<String>,
    /// The binary, when the package has several
    #[arg(long)]
    bin: Option<String>,
    /// An example of the package instead of a binary
    #[arg(long, conflicts_with = "bin")]
    example: Option<String>,
    /// The command to measure, `{bin}` standing for each variant's binary: '{bin} ARGS' (split
    /// like a shell would, run without one); with --serve, the command that starts the server
    #[arg(long)]
    run: String,
    /// Samples per variant after one warm-up, taken round-robin across the variants
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Where binaries and reports go (default: <target-dir>/profile-info/compare)
    #[arg(long)]
    out: Option<PathBuf>,
    /// Rungs of the ladder to build: release, strip, lto-thin, lto-fat, cgu1, panic-abort,
    /// x86-64-v3, pgo (each includes the settings of the rungs before it; release is always built)
    #[arg(long, value_delimiter = ',')]
    variants: Option<Vec<String>>,
    /// A variant of your own on top of release: NAME:KEY=VALUE,… with keys opt-level, lto,
    /// codegen-units, strip, panic, debug, overflow-checks, incremental, target-cpu
    #[arg(long = "variant", value_name = "NAME:KEY=VALUE,…")]
    variant: Vec<String>,
    /// The PGO training command, `{bin}` standing for the instrumented binary (default: --run,
    /// or one --load against it with --serve)
    #[arg(long)]
    pgo_train: Option<String>,
    /// Time builds from nothing (default: rebuilding the workspace's crates, dependencies built)
    #[arg(long)]
    clean: bool,
    /// --run starts a server: it gets a free port as {port} and PORT, is loaded with --load, and
    /// stopped with SIGTERM
    #[arg(long, requires = "load")]
    serve: bool,
    /// The load command with --serve, read as wrk's report: 'wrk -t2 -c64 -d10s http://127.0.0.1:{port}/'
    #[arg(long)]
    load: Option<String>,
}

/// Runs the tool with these arguments (program name first) and returns its exit code. Accepts
/// the `profile-info` that cargo inserts when it runs the tool as `cargo profile-info`.
pub fn run(args: impl IntoIterator<Item = OsString>) -> i32 {
    let mut args: Vec<OsString> = args.into_iter().collect();
    if args.get(1).is_some_and(|a| a == "profile-info") {
        args.remove(1);
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    let outcome = match cli.command {
        Command::Compare(args) => compare_command(args).map_err(|e| e.to_string()),
        Command::Apply { report, variant, profile_name, manifest_path } => {
            apply::apply(&apply::Options { report, variant, profile_name, manifest_path })
                .map(|report| Outcome::text(report, true))
                .map_err(|e| e.to_string())
        }
        command => execute(command).map_err(|e| e.to_string()),
    };
    match outcome {
        Ok(outcome) => {
            let mut out = std::io::stdout().lock();
            match out.write_all(outcome.report.as_bytes()).and_then(|()| out.flush()) {
                Ok(()) => i32::from(!outcome.pass),
                Err(e) => {
                    eprintln!("cargo-profile-info: cannot write the report: {e}");
                    2
                }
            }
        }
        Err(e) => {
            eprintln!("{e}");
            2
        }
    }
}

fn execute(command: Command) -> Result<Outcome, Error> {
    Ok(match command {
        Command::Inspect { json, file, sbom } => inspect(&file, json, sbom)?,
        Command::Check { file, require, host, json } => {
            let doc = Document::from_file(&file)?;
            let gate = (!require.is_empty()).then(|| check::requirements(&file, &doc, &require)).transpose()?;
            let on_host = host.then(|| host::check(&file, &doc, &host::Host::detect())).transpose()?;
            let pass = gate.iter().chain(&on_host).all(|o| o.pass);
            let report: String = gate.iter().chain(&on_host).map(|o| o.report.as_str()).collect();
            let mut all = serde_json::json!({"file": file.display().to_string(), "schema": doc.schema, "pass": pass});
            if let Some(gate) = gate {
                all["requirements"] = gate.json["requirements"].clone();
            }
            if let Some(on_host) = on_host {
                all["host"] = on_host.json;
            }
            as_json(Outcome { report, pass, json: all }, json)
        }
        Command::Diff { a, b, json } => {
            let mut outcome = diff::diff(&Document::from_file(&a)?, &Document::from_file(&b)?);
            let packages = |p| deps::from_file(p).map(|d| d.map(|d| d.packages).unwrap_or_default());
            diff::dependencies(&mut outcome, &deps::diff(&packages(&a)?, &packages(&b)?));
            outcome.json["a"] = a.display().to_string().into();
            outcome.json["b"] = b.display().to_string().into();
            as_json(outcome, json)
        }
        Command::Compare(_) | Command::Apply { .. } => unreachable!("run() handles compare and apply"),
    })
}

/// `inspect`: the document and the dependency list; a binary with the list alone (built by
/// `cargo auditable`) shows the list and says the document is absent.
fn inspect(file: &std::path::Path, json: bool, sbom: Option<Sbom>) -> Result<Outcome, Error> {
    let doc = Document::from_file(file);
    let list = match &doc {
        Err(e) if !e.problem.starts_with(crate::read::NO_SECTION) => return Err(e.clone()),
        _ => deps::from_file(file)?,
    };
    let doc = match doc {
        Ok(doc) => Some(doc),
        Err(_) if list.is_some() => None,
        Err(e) => return Err(e),
    };
    if let Some(Sbom::Cyclonedx) = sbom {
        let why = doc.as_ref().and_then(|d| d.info.package.dependencies.as_deref()).unwrap_or("no .dep-v0 section");
        let list = list.ok_or_else(|| Error::new(file, format!("no dependency list to write an SBOM from ({why})")))?;
        return Ok(Outcome::text(format!("{:#}\n", crate::sbom::cyclonedx(&list, doc.as_ref())), true));
    }
    let report = match (json, &doc) {
        (true, _) => format!("{}\n", deps::json(doc.as_ref().map(|d| d.json.as_str()), list.as_ref())),
        (false, Some(doc)) => {
            let why = doc.info.package.dependencies.as_deref();
            profile_info_core::render::text(&doc.info) + &deps::text(list.as_ref(), why)
        }
        (false, None) => format!("document:    none ({NO_DOCUMENT})\n{}", deps::text(list.as_ref(), None)),
    };
    Ok(Outcome::text(report, true))
}

/// What `inspect` says of a binary with a dependency list and no document.
const NO_DOCUMENT: &str = "no profile-info section: not built with #[profile_info::main]";

/// The outcome with its JSON form as the report, when `--json` asked for it.
fn as_json(outcome: Outcome, json: bool) -> Outcome {
    match json {
        true => Outcome { report: format!("{}\n", outcome.json), ..outcome },
        false => outcome,
    }
}

fn compare_command(args: CompareArgs) -> Result<Outcome, Failure> {
    let opts = compare::Options {
        manifest_path: args.manifest_path,
        package: args.package,
        bin: args.bin,
        example: args.example,
        run: args.run,
        runs: args.runs,
        out: args.out,
        request: Request { pick: args.variants, extra: args.variant },
        pgo_train: args.pgo_train,
        clean: args.clean,
        serve: args.serve,
        load: args.load,
    };
    let report = compare::compare(&opts)?;
    Ok(Outcome::text(report.terminal(), true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
