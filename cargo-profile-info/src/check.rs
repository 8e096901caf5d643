//! `check --require KEY=VALUE`: the release pipeline's gate on how a binary was built.

use crate::keys::{self, Lookup};
use crate::{Document, Error, Outcome};
use std::fmt::Write;
use std::path::Path;
use std::str::FromStr;

/// One `KEY=VALUE` requirement: the dotted key's value, rendered as [`keys::render`] writes it,
/// must equal `value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// Dotted key (`profile.lto`).
    pub key: String,
    /// Wanted value (`fat`).
    pub value: String,
}

impl FromStr for Requirement {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once('=') {
            Some((key, value)) if !key.is_empty() => Ok(Requirement { key: key.to_owned(), value: value.to_owned() }),
            _ => Err(format!("`{s}` is not KEY=VALUE (for example profile.lto=fat)")),
        }
    }
}

/// Checks every requirement against the document of `path`. A key the document does not have is
/// an error (exit 2), not a failed requirement: a typo must not pass or fail a gate silently.
pub fn requirements(path: &Path, doc: &Document, wanted: &[Requirement]) -> Result<Outcome, Error> {
    let mut report = String::new();
    let mut pass = true;
    for req in wanted {
        let found = match keys::lookup(&doc.value, &req.key) {
            Lookup::Value(v) => keys::render(v),
            Lookup::UnderNull => "null".to_owned(),
            Lookup::Group(fields) => {
                return Err(Error::new(
                    path,
                    format!("`{}` is a group of fields; require one of {}", req.key, fields.join(", ")),
                ))
            }
            Lookup::Unknown => {
                let known: Vec<String> = keys::leaves(&doc.value).into_iter().map(|(k, _)| k).collect();
                return Err(Error::new(
                    path,
                    format!("the document has no key `{}` (keys: {})", req.key, known.join(", ")),
                ));
            }
        };
        if found != req.value {
            pass = false;
            let _ = writeln!(report, "{}: {}: wanted {}, found {found}", path.display(), req.key, req.value);
        }
    }
    if pass {
        let keys: Vec<&str> = wanted.iter().map(|r| r.key.as_str()).collect();
        let _ = writeln!(report, "{}: every requirement holds ({})", path.display(), keys.join(", "));
    }
    Ok(Outcome { report, pass })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_key_value() {
        assert_eq!("profile.lto=fat".parse(), Ok(Requirement { key: "profile.lto".into(), value: "fat".into() }));
        assert_eq!("a=b=c".parse::<Requirement>().map(|r| r.value), Ok("b=c".into()));
        assert!("profile.lto".parse::<Requirement>().is_err());
        assert!("=fat".parse::<Requirement>().is_err());
    }
}
