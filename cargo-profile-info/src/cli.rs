//! The command line, and the exit code each outcome gets.

use crate::forensics::cpus;
use crate::{apply, batch, check, compare, deps, diff, Document, Error, Outcome};
use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes:
  0  the command succeeded: files inspected, every requirement holds, the host or CPU has the file's CPU features, no difference
  1  a requirement failed, a file would not run on this host or CPU, or the two builds differ
  2  no file could be read (each one that could not is one line on stderr), an unknown key or CPU, or a command-line error";

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
    /// Print what each FILE proves about its build (compiler, linker, strip, debuginfo, panic,
    /// the CPU features its code uses), after the document #[profile_info::main] embedded and the packages it was built from, if any
    Inspect {
        /// One JSON object per file: {"path", "document" (as `FILE --build-info=json` prints it, or
        /// null), "file", "dependencies" (the .dep-v0 list, or null)}
        #[arg(long)]
        json: bool,
        /// Print the dependency list of one FILE as a software bill of materials in this format
        #[arg(long, value_name = "FORMAT", conflicts_with = "json")]
        sbom: Option<Sbom>,
        /// Executables, or directories to search for them
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Check how FILE was built, and whether it would run on this host or on a named CPU
    #[command(group = clap::ArgGroup::new("checks").required(true).multiple(true).args(["require", "host", "cpu"]))]
    Check {
        /// Executables, or directories to search for them
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// A dotted key of the document and its wanted value: profile.lto=fat, target.level=x86-64-v3,
        /// profile.codegen_units=1, vcs.dirty=false; lists are comma-separated
        #[arg(long = "require", value_name = "KEY=VALUE")]
        require: Vec<check::Requirement>,
        /// Fail if FILE needs CPU features this host lacks
        #[arg(long)]
        host: bool,
        /// Fail if FILE needs CPU features this CPU lacks: any `rustc --print target-cpus` names
        /// (haswell, x86-64-v2, …); several comma-separated. The document's target.features when
        /// FILE has one, else the features its code uses
        #[arg(long, value_delimiter = ',', value_name = "NAME")]
        cpu: Vec<String>,
        /// Print the findings as one JSON object
        #[arg(long)]
        json: bool,
    },
    /// List the fields in which two builds differ, as `KEY: A → B`
    Diff {
        /// The first executable
        a: PathBuf,
        /// The second executable
        b: PathBuf,
        /// Print the differences as one JSON object
        #[arg(long)]
        json: bool,
    },
    /// Build the binary under a ladder of release-profile settings, prove each build by its
    /// document, and measure size, compile time and speed (report.json, report.md, report.svg)
    Compare(compare::Options),
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
        /// Replace the profile if the manifest already has one of that name
        #[arg(long)]
        force: bool,
    },
}

/// The SBOM formats `inspect --sbom` writes.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Sbom {
    /// CycloneDX 1.6 JSON
    Cyclonedx,
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
    match execute(cli.command) {
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
        Command::Inspect { files, sbom: Some(Sbom::Cyclonedx), .. } => {
            let [file] = files.as_slice() else {
                return Err(Error::new("--sbom writes the dependency list of one FILE"));
            };
            batch::sbom(file)?
        }
        Command::Inspect { json, files, sbom: None } => {
            return batch::each(&files, |path, input| Ok(batch::inspect(path, input, json)))
        }
        Command::Check { files, require, host, cpu, json } => {
            let checks = batch::Checks { require: &require, host, cpus: &cpu };
            let mut known = cpus::Cpus::default();
            return batch::each(&files, |path, input| {
                Ok(as_json(batch::check_one(path, input, &checks, &mut known)?, json))
            });
        }
        Command::Diff { a, b, json } => {
            let mut outcome = diff::diff(&Document::from_file(&a)?, &Document::from_file(&b)?);
            let packages = |p| deps::from_file(p).map(|d| d.map(|d| d.packages).unwrap_or_default());
            diff::dependencies(&mut outcome, &deps::diff(&packages(&a)?, &packages(&b)?));
            outcome.json["a"] = a.display().to_string().into();
            outcome.json["b"] = b.display().to_string().into();
            as_json(outcome, json)
        }
        Command::Compare(opts) => Outcome::text(compare::compare(&opts)?.terminal(), true),
        Command::Apply { report, variant, profile_name, manifest_path, force } => {
            Outcome::text(apply::apply(&apply::Options { report, variant, profile_name, manifest_path, force })?, true)
        }
    })
}

/// The outcome with its JSON form as the report, when `--json` asked for it.
fn as_json(outcome: Outcome, json: bool) -> Outcome {
    match json {
        true => Outcome { report: format!("{}\n", outcome.json), ..outcome },
        false => outcome,
    }
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
