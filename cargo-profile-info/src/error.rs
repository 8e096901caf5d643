//! The one kind of failure that stops a command: what could not be done, said in one line
//! (naming the file when a file is the problem); exit code 2.

use std::fmt;
use std::path::Path;

/// Why a command stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    /// A failure described by `why`.
    pub fn new(why: impl Into<String>) -> Error {
        Error(why.into())
    }

    /// A problem with the file `path` as the user named it: `PATH: PROBLEM`.
    pub fn file(path: &Path, problem: impl Into<String>) -> Error {
        Error(format!("{}: {}", path.display(), problem.into()))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Messages from parsers and programs we do not control could span lines; the contract is
        // one line.
        f.write_str(&self.0.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

impl std::error::Error for Error {}
