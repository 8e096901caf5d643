//! `check --require KEY=VALUE`: the release pipeline's gate on how a binary was built.

use crate::keys::{self, Lookup};
use crate::{Document, Error, Outcome};
use profile_info_core::schema;
use serde_json::json;
use std::fmt::Write;
use std::path::Path;
use std::str::FromStr;

/// One `KEY=VALUE` requirement: the dotted key's value, written as the schema's values are
/// ([`schema::Value`]'s `Display`: strings bare, lists comma-separated), must equal `value`.
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

/// Checks every requirement against the document of `path`. A key the document does not have, or
/// a value its field can never hold (`profile.lto=true`), is an error (exit 2), not a failed
/// requirement: a typo must not pass or fail a gate silently.
pub fn requirements(path: &Path, doc: &Document, wanted: &[Requirement]) -> Result<Outcome, Error> {
    let mut report = String::new();
    let mut pass = true;
    let mut verdicts = Vec::new();
    for req in wanted {
        if let Some(problem) = impossible(req) {
            return Err(Error::new(path, problem));
        }
        let found = match keys::lookup(doc, &req.key) {
            Lookup::Value(v) => v.to_string(),
            Lookup::Group(fields) => {
                return Err(Error::new(
                    path,
                    format!("`{}` is a group of fields; require one of {}", req.key, fields.join(", ")),
                ))
            }
            Lookup::Later(since) => {
                return Err(Error::new(
                    path,
                    format!(
                        "the document is schema {}, which has no `{}` (added in schema {since}): rebuild with a newer profile-info",
                        doc.schema, req.key
                    ),
                ));
            }
            Lookup::Unknown => {
                let known: Vec<&str> = keys::fields(doc).map(|(f, _)| f.key).collect();
                return Err(Error::new(
                    path,
                    format!("the document has no key `{}` (keys: {})", req.key, known.join(", ")),
                ));
            }
        };
        let holds = found == req.value;
        if !holds {
            pass = false;
            let _ = writeln!(report, "{}: {}: wanted {}, found {found}", path.display(), req.key, req.value);
        }
        verdicts.push(json!({"key": req.key, "wanted": req.value, "found": found, "pass": holds}));
    }
    if pass {
        let keys: Vec<&str> = wanted.iter().map(|r| r.key.as_str()).collect();
        let _ = writeln!(report, "{}: every requirement holds ({})", path.display(), keys.join(", "));
    }
    Ok(Outcome { report, pass, json: json!({"pass": pass, "requirements": verdicts}) })
}

/// Why a requirement can never hold whatever the document, from the schema table: the value is
/// not one the key's field can take. One rule for every field: a value is written exactly as the
/// document writes it (`fat`, `1`, `false`), so any other spelling of it (`FAT`, `01`, `False`)
/// is refused too, naming the spelling to use, rather than compared and reported as a difference.
/// Cargo.toml spellings are translated (`lto=true` is `fat`).
pub fn impossible(req: &Requirement) -> Option<String> {
    let field = schema::field(&req.key)?;
    if field.can_hold(&req.value) {
        return None;
    }
    let mut problem = format!("`{}` can never be `{}`: it is {}", req.key, req.value, field.describe_values());
    if let Some(spelling) = field.spelling(&req.value) {
        let _ = write!(problem, "; write `{}={spelling}`", req.key);
    } else if let Some((setting, value)) = field.cargo_spelling(&req.value) {
        let _ = write!(problem, "; Cargo.toml's `{setting}` gives \"{value}\"");
    }
    Some(problem)
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

    #[test]
    fn impossible_values() {
        let req = |s: &str| s.parse::<Requirement>().unwrap();
        assert_eq!(
            impossible(&req("profile.lto=true")).as_deref(),
            Some(
                r#"`profile.lto` can never be `true`: it is "off", "thin-local", "thin", "fat" or null; Cargo.toml's `lto = true` gives "fat""#
            )
        );
        assert!(impossible(&req("profile.strip=true")).unwrap().ends_with(r#"`strip = true` gives "symbols""#));
        assert!(impossible(&req("profile.pgo=/tmp/x.profdata"))
            .unwrap()
            .contains(r#""off", "generate", "use" or null"#));
        assert!(impossible(&req("vcs.dirty=no")).unwrap().contains("true, false or null"));
        assert!(impossible(&req("profile.codegen_units=many")).is_some());
        // Another spelling of a value the field holds is refused as `FAT` is, naming the document's own.
        for (other, ours) in [
            ("profile.codegen_units=01", "profile.codegen_units=1"),
            ("profile.codegen_units=+16", "profile.codegen_units=16"),
            ("profile.lto=FAT", "profile.lto=fat"),
            ("vcs.dirty=False", "vcs.dirty=false"),
        ] {
            let problem = impossible(&req(other)).unwrap_or_else(|| panic!("{other} accepted"));
            assert!(problem.ends_with(&format!("; write `{ours}`")), "{problem}");
        }
        for fine in
            ["profile.lto=fat", "profile.lto=null", "vcs.dirty=false", "profile.codegen_units=16", "no.such=key"]
        {
            assert_eq!(impossible(&req(fine)), None, "{fine}");
        }
    }
}
