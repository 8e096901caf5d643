//! `cargo metadata` for the package being compiled: its resolved dependency graph for the features
//! and target of this compile, as cargo-auditable asks for it (features from rustc's
//! `--cfg feature=`, `--no-default-features` unless `default` is among them, `--filter-platform`
//! with the target rustc builds for).
//!
//! Run `--offline --locked`: the build it runs inside has already resolved and fetched everything
//! this platform needs, and must neither touch the network nor rewrite `Cargo.lock` (whose change
//! would recompile the crate again).

use profile_info_core::read::Json;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// How deep `cargo metadata`'s JSON nests: `[package.metadata]` tables are the user's.
const MAX_DEPTH: usize = 128;

/// What is asked of cargo.
pub struct Query<'a> {
    /// The `cargo` that runs the build (`CARGO`).
    pub cargo: &'a Path,
    /// The package's directory (`CARGO_MANIFEST_DIR`).
    pub manifest_dir: &'a Path,
    /// The enabled features, from rustc's `--cfg feature="…"`.
    pub features: &'a [String],
    /// `--target`'s value, or the host triple.
    pub target: &'a str,
}

/// One package of the graph.
pub struct Package {
    pub id: String,
    pub name: String,
    pub version: String,
    /// cargo's source id (`registry+https://…`); `None` for a path package.
    pub source: Option<String>,
    pub manifest_path: PathBuf,
    /// Whether its only target is a proc macro.
    pub proc_macro: bool,
}

/// A dependency edge: the package id and each of its kinds (`None` for normal, `"build"`, `"dev"`).
pub struct Dep {
    pub pkg: String,
    pub kinds: Vec<Option<String>>,
}

/// One resolved package and its dependencies.
pub struct Node {
    pub id: String,
    pub deps: Vec<Dep>,
}

/// The parts of `cargo metadata`'s answer the dependency list needs.
pub struct Metadata {
    pub packages: Vec<Package>,
    pub nodes: Vec<Node>,
    /// The id of the package the query was made for.
    pub root: String,
    pub workspace_root: PathBuf,
}

/// Runs `cargo metadata`; the error is one line for the document's reader.
pub fn run(q: &Query<'_>) -> Result<Metadata, &'static str> {
    let mut cmd = Command::new(q.cargo);
    cmd.current_dir(q.manifest_dir);
    cmd.args(["metadata", "--format-version", "1", "--offline", "--locked", "--filter-platform", q.target]);
    let features: Vec<&str> = q.features.iter().map(String::as_str).filter(|f| *f != "default").collect();
    if features.len() == q.features.len() {
        cmd.arg("--no-default-features");
    }
    if !features.is_empty() {
        cmd.arg("--features").arg(features.join(","));
    }
    // A wrapper cargo-auditable installs would recurse into itself; rustc's own wrappers are
    // harmless but slow.
    cmd.env_remove("RUSTC_WORKSPACE_WRAPPER");
    let out = cmd.stdin(Stdio::null()).stderr(Stdio::null()).output().map_err(|_| "cargo could not be started")?;
    if !out.status.success() {
        return Err("cargo metadata failed");
    }
    let text = std::str::from_utf8(&out.stdout).map_err(|_| "cargo metadata printed no JSON")?;
    // Warnings may precede the JSON on stdout with some cargo configurations.
    let json = text.lines().find(|l| l.starts_with('{')).unwrap_or(text);
    parse(json).ok_or("cargo metadata printed unexpected JSON")
}

fn str_of(json: &Json, key: &str) -> Option<String> {
    match json.get(key)? {
        Json::Str(s) => Some(s.clone()),
        _ => None,
    }
}

fn arr<'a>(json: &'a Json, key: &str) -> Option<&'a [Json]> {
    match json.get(key)? {
        Json::Arr(items) => Some(items),
        _ => None,
    }
}

/// Reads `cargo metadata --format-version 1`'s JSON.
pub fn parse(text: &str) -> Option<Metadata> {
    let json = profile_info_core::read::parse_nested(text, MAX_DEPTH)?;
    let packages = arr(&json, "packages")?.iter().map(package).collect::<Option<Vec<_>>>()?;
    let resolve = json.get("resolve")?;
    let nodes = arr(resolve, "nodes")?.iter().map(node).collect::<Option<Vec<_>>>()?;
    Some(Metadata {
        packages,
        nodes,
        root: str_of(resolve, "root")?,
        workspace_root: PathBuf::from(str_of(&json, "workspace_root")?),
    })
}

fn package(json: &Json) -> Option<Package> {
    let targets = arr(json, "targets")?;
    let proc_macro = matches!(targets, [t] if matches!(arr(t, "kind"), Some([Json::Str(k)]) if k == "proc-macro"));
    Some(Package {
        id: str_of(json, "id")?,
        name: str_of(json, "name")?,
        version: str_of(json, "version")?,
        source: str_of(json, "source"),
        manifest_path: PathBuf::from(str_of(json, "manifest_path")?),
        proc_macro,
    })
}

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
