//! The one kind of failure that stops a command: a file (or a requirement about it) the tool
//! cannot work with. Always reported as one line naming the file; exit code 2.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem with one input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The file as the user named it.
    pub path: PathBuf,
    /// What is wrong, without the file name.
    pub problem: String,
}

impl Error {
    /// A problem with `path`.
    pub fn new(path: &Path, problem: impl Into<String>) -> Error {
        Error { path: path.to_owned(), problem: problem.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Messages from parsers we do not control could span lines; the contract is one line.
        let problem = self.problem.split_whitespace().collect::<Vec<_>>().join(" ");
        write!(f, "{}: {problem}", self.path.display())
    }
}

impl std::error::Error for Error {}
