//! Reads what `cargo metadata --format-version 1` prints: the one reader of it for the proc macro
//! (the dependency graph the `.dep-v0` list is built from) and the CLI (the workspace's packages,
//! binaries and target dir). On this crate's own JSON reader, so that the proc macro needs no
//! serde; public for those two, no promise beyond that.

use crate::read::Json;
use std::path::PathBuf;

/// How deep `cargo metadata`'s JSON nests: `[package.metadata]` tables are the user's.
const MAX_DEPTH: usize = 128;

/// One package.
#[derive(Debug, PartialEq, Eq)]
pub struct Package {
    /// cargo's package id.
    pub id: String,
    /// `name`.
    pub name: String,
    /// `version`.
    pub version: String,
    /// cargo's source id (`registry+https://…`); `None` for a path package.
    pub source: Option<String>,
    /// Its `Cargo.toml`.
    pub manifest_path: PathBuf,
    /// Its targets: libraries, binaries, examples, tests, build scripts.
    pub targets: Vec<Target>,
    /// `default-run`, the binary `cargo run` picks.
    pub default_run: Option<String>,
}

impl Package {
    /// Whether its only target is a proc macro.
    #[inline]
    pub fn proc_macro(&self) -> bool {
        matches!(self.targets.as_slice(), [t] if t.kind == ["proc-macro"])
    }
}

/// One target of a package.
#[derive(Debug, PartialEq, Eq)]
pub struct Target {
    /// Its name (a binary's is the executable's).
    pub name: String,
    /// Its kinds: `bin`, `example`, `lib`, `proc-macro`, `custom-build`, …
    pub kind: Vec<String>,
}

/// A dependency edge: the package id and each of its kinds (`None` for normal, `"build"`, `"dev"`).
#[derive(Debug, PartialEq, Eq)]
pub struct Dep {
    /// The dependency's package id.
    pub pkg: String,
    /// `dep_kinds[].kind`.
    pub kinds: Vec<Option<String>>,
}

/// One resolved package and its dependencies.
#[derive(Debug, PartialEq, Eq)]
pub struct Node {
    /// The package id.
    pub id: String,
    /// Its dependencies.
    pub deps: Vec<Dep>,
}

/// The resolved graph (`resolve`).
#[derive(Debug, PartialEq, Eq)]
pub struct Resolve {
    /// The package `cargo metadata` was asked from (the current directory's).
    pub root: String,
    /// Every package of the graph.
    pub nodes: Vec<Node>,
}

/// What the project reads of `cargo metadata`'s answer.
#[derive(Debug, PartialEq, Eq)]
pub struct Metadata {
    /// The workspace's packages under `--no-deps`, else every package of the graph.
    pub packages: Vec<Package>,
    /// The graph; `None` under `--no-deps`.
    pub resolve: Option<Resolve>,
    /// `workspace_root`.
    pub workspace_root: PathBuf,
    /// `target_directory`.
    pub target_directory: PathBuf,
}

/// Reads `cargo metadata`'s stdout (warnings some cargo configurations print before the JSON are
/// skipped); `None` when it is not the JSON of format version 1. A graph without a root (a virtual
/// workspace's, asked from its root directory) is not read.
// `inline`, here and below: compiled into the proc macro and the CLI that call it rather than into
// this crate, which every debug build of a program links.
#[inline]
pub fn parse(stdout: &str) -> Option<Metadata> {
    let text = stdout.lines().find(|l| l.starts_with('{')).unwrap_or(stdout);
    let json = crate::read::parse_nested(text, MAX_DEPTH)?;
    let resolve = match json.get("resolve")? {
        Json::Null => None,
        r => {
            Some(Resolve { root: str_of(r, "root")?, nodes: arr(r, "nodes")?.iter().map(node).collect::<Option<_>>()? })
        }
    };
    Some(Metadata {
        packages: arr(&json, "packages")?.iter().map(package).collect::<Option<_>>()?,
        resolve,
        workspace_root: PathBuf::from(str_of(&json, "workspace_root")?),
        target_directory: PathBuf::from(str_of(&json, "target_directory")?),
    })
}

#[inline]
fn str_of(json: &Json, key: &str) -> Option<String> {
    match json.get(key)? {
        Json::Str(s) => Some(s.clone()),
        _ => None,
    }
}

#[inline]
fn arr<'a>(json: &'a Json, key: &str) -> Option<&'a [Json]> {
    match json.get(key)? {
        Json::Arr(items) => Some(items),
        _ => None,
    }
}

#[inline]
fn strings(json: &Json, key: &str) -> Option<Vec<String>> {
    arr(json, key)?
        .iter()
        .map(|k| match k {
            Json::Str(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

#[inline]
fn package(json: &Json) -> Option<Package> {
    let target = |t: &Json| Some(Target { name: str_of(t, "name")?, kind: strings(t, "kind")? });
    Some(Package {
        id: str_of(json, "id")?,
        name: str_of(json, "name")?,
        version: str_of(json, "version")?,
        source: str_of(json, "source"),
        manifest_path: PathBuf::from(str_of(json, "manifest_path")?),
        targets: arr(json, "targets")?.iter().map(target).collect::<Option<_>>()?,
        default_run: str_of(json, "default_run"),
    })
}

#[inline]
fn node(json: &Json) -> Option<Node> {
    let deps = arr(json, "deps")?
        .iter()
        .map(|d| {
            let kinds = arr(d, "dep_kinds").unwrap_or_default().iter().map(|k| str_of(k, "kind")).collect();
            Some(Dep { pkg: str_of(d, "pkg")?, kinds })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Node { id: str_of(json, "id")?, deps })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::process::Command;

    /// `cargo metadata` of this workspace, as cargo prints it. Not `--offline`: the graph has
    /// every platform's packages, and a machine that only ever built for Linux has not downloaded
    /// the Windows ones.
    fn cargo_metadata(args: &[&str]) -> String {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let out = Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--locked"])
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cargo runs");
        assert!(out.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("UTF-8")
    }

    fn s(v: &Value) -> String {
        v.as_str().expect("a string").to_owned()
    }

    /// serde_json's reading of the same text, field by field.
    fn expected(text: &str) -> Metadata {
        let v: Value = serde_json::from_str(text).unwrap();
        let target =
            |t: &Value| Target { name: s(&t["name"]), kind: t["kind"].as_array().unwrap().iter().map(s).collect() };
        let package = |p: &Value| Package {
            id: s(&p["id"]),
            name: s(&p["name"]),
            version: s(&p["version"]),
            source: p["source"].as_str().map(str::to_owned),
            manifest_path: s(&p["manifest_path"]).into(),
            targets: p["targets"].as_array().unwrap().iter().map(target).collect(),
            default_run: p["default_run"].as_str().map(str::to_owned),
        };
        let dep = |d: &Value| Dep {
            pkg: s(&d["pkg"]),
            kinds: d["dep_kinds"].as_array().unwrap().iter().map(|k| k["kind"].as_str().map(str::to_owned)).collect(),
        };
        let resolve = (!v["resolve"].is_null()).then(|| Resolve {
            root: s(&v["resolve"]["root"]),
            nodes: v["resolve"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| Node { id: s(&n["id"]), deps: n["deps"].as_array().unwrap().iter().map(dep).collect() })
                .collect(),
        });
        Metadata {
            packages: v["packages"].as_array().unwrap().iter().map(package).collect(),
            resolve,
            workspace_root: s(&v["workspace_root"]).into(),
            target_directory: s(&v["target_directory"]).into(),
        }
    }

    #[test]
    fn reads_what_serde_json_reads_of_cargos_answer() {
        // The graph as the proc macro asks for it, from a package's directory.
        let graph = cargo_metadata(&[]);
        let read = parse(&graph).expect("cargo's JSON is read");
        assert_eq!(read, expected(&graph));
        let resolve = read.resolve.as_ref().expect("a graph");
        assert!(resolve.root.contains("profile-info-core"), "{}", resolve.root);
        assert!(resolve.nodes.len() > 10 && read.packages.iter().any(|p| p.name == "serde" && p.source.is_some()));
        assert!(read.packages.iter().any(|p| p.name == "serde_derive" && p.proc_macro()));
        assert!(!read.packages.iter().any(|p| p.name == "serde" && p.proc_macro()));
        // The workspace's own packages, as the CLI asks for them.
        let workspace = cargo_metadata(&["--no-deps"]);
        let read = parse(&workspace).expect("cargo's JSON is read");
        assert_eq!(read, expected(&workspace));
        assert!(read.resolve.is_none());
        assert!(read
            .packages
            .iter()
            .any(|p| p.name == "cargo-profile-info" && p.targets.iter().any(|t| t.kind == ["bin"])));
    }

    #[test]
    fn warnings_before_the_json_are_skipped_and_anything_else_is_refused() {
        let text = cargo_metadata(&["--no-deps"]);
        assert_eq!(parse(&format!("warning: unused config key\n{text}")), parse(&text));
        assert_eq!(parse("warning: something\n"), None);
        assert_eq!(parse(&text.replacen("\"target_directory\"", "\"target_dir\"", 1)), None, "a missing field");
        assert_eq!(parse(&text.replacen("\"packages\":[", "\"packages\":[1,", 1)), None, "a package not an object");
        let no_root = r#"{"packages":[],"resolve":{"root":null,"nodes":[]},"workspace_root":"/w","target_directory":"/w/target"}"#;
        assert_eq!(parse(no_root), None, "a virtual workspace's graph has no root");
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(parse(&text.replacen("\"packages\":", &format!("\"deep\":{deep},\"packages\":"), 1)), None);
    }
}
