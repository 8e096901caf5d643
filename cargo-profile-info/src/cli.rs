//! The command line, and the exit code each outcome gets.

use crate::{check, diff, host, Document, Error, Outcome};
use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes:
  0  the command succeeded: document printed, every requirement holds, the file runs here, no difference
  1  a requirement failed, the file would not run on this host, or the two builds differ
  2  a file could not be read as a profile-info binary, an unknown key, or a command-line error";

/// Reads the build document profile-info embeds in a binary, without running it.
#[derive(Parser)]
#[command(name = "cargo-profile-info", bin_name = "cargo profile-info", version, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the document embedded in FILE (the text `FILE --build-info` prints)
    Inspect {
        /// Print the embedded JSON exactly as `FILE --build-info=json` does
        #[arg(long)]
        json: bool,
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
    },
    /// List the fields in which two builds differ, as `KEY: A → B`
    Diff {
        /// The first executable
        a: PathBuf,
        /// The second executable
        b: PathBuf,
    },
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
        Command::Inspect { json, file } => {
            let doc = Document::from_file(&file)?;
            let report = if json { format!("{}\n", doc.json) } else { profile_info_core::render::text(&doc.info) };
            Outcome { report, pass: true }
        }
        Command::Check { file, require, host } => {
            let doc = Document::from_file(&file)?;
            let gate = (!require.is_empty()).then(|| check::requirements(&file, &doc, &require)).transpose()?;
            let on_host = host.then(|| host::check(&file, &doc, &host::Host::detect())).transpose()?;
            gate.into_iter().chain(on_host).fold(Outcome { report: String::new(), pass: true }, |mut all, one| {
                all.report.push_str(&one.report);
                all.pass &= one.pass;
                all
            })
        }
        Command::Diff { a, b } => diff::diff(&Document::from_file(&a)?, &Document::from_file(&b)?),
    })
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
