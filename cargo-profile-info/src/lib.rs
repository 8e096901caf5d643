//! `cargo profile-info`: reads the build document that `#[profile_info::main]` embeds in a
//! binary's `.profile_info` section (`__DATA,__profile_info` on Mach-O) without running the
//! binary, like `go version -m`.
//!
//! - `inspect [--json] FILE|DIR…`: the document, as the binary's own `--build-info[=json]` prints
//!   it, the packages it was built from (its `.dep-v0` section, also read in binaries built by
//!   `cargo auditable` alone), and for any binary, with or without one, what the file itself
//!   proves about its build ([`forensics`]); `inspect --sbom cyclonedx FILE` writes the packages
//!   as a CycloneDX SBOM;
//! - `check FILE|DIR… --require KEY=VALUE… [--host] [--cpu NAME,…]`: a gate on how the file was
//!   built, and on whether this machine's CPU, or any CPU rustc knows, has the features it needs;
//! - `diff A B`: the fields in which two builds differ, and the dependencies added, removed or
//!   changed;
//! - `compare --run '{bin} ARGS'`: the binary built under a ladder of release-profile settings,
//!   each build proven by its document, measured (size, compile time, runs or requests/s);
//! - `apply --report R --variant V --profile-name P`: a measured variant written as a profile.
//!
//! Exit codes: 0 when the command found what was asked (files inspected, requirements hold,
//! the host or CPU has the file's CPU features, no difference); 1 when a check failed or the
//! builds differ; 2 when no input could be read (one line on stderr per file that could not) or
//! the command line is wrong. `inspect` and `check` take several files and directories: a file
//! that cannot be read is one line on stderr and the others are still reported.
//!
#![doc = include_str!("../docs/reference.md")]
#![deny(missing_docs)]

pub mod apply;
pub mod batch;
pub mod check;
mod cli;
pub mod compare;
pub mod deps;
pub mod diff;
mod error;
pub mod forensics;
pub mod host;
pub mod keys;
mod read;
pub mod sbom;

pub use cli::run;
pub use compare::wrapper::run_if_wrapping;
pub mod harness;
pub use error::Error;
pub use read::Document;

/// What a command that judges files found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The report for stdout.
    pub report: String,
    /// `false` makes the exit code 1.
    pub pass: bool,
    /// The same findings for `--json` (`null` for commands without a JSON form).
    pub json: serde_json::Value,
}

impl Outcome {
    /// A report with no JSON form.
    pub fn text(report: String, pass: bool) -> Outcome {
        Outcome { report, pass, json: serde_json::Value::Null }
    }
}
