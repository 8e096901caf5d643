//! The parts of `compare` that the project's benchmark tool and test suite reuse: building a
//! package with cargo and timing it, finding `llvm-profdata`, starting a server and reading wrk's
//! report, the summary statistic and the table writer. Everything else of `compare` is private to
//! this crate; this module is for those two users and follows no semver promise of its own.

pub use crate::compare::build::{cargo, rustc, tail, Job, Project};
pub use crate::compare::ladder::parse_variant;
pub use crate::compare::measure::Spread;
pub use crate::compare::pgo::{candidates, merge, Candidate};
pub use crate::compare::report::{aligned, markdown_table, size};
pub use crate::compare::serve::{free_port, read_wrk, Server, WrkReport};
