//! `cargo metadata` for the package being compiled: its resolved dependency graph for the features
//! and target of this compile, as cargo-auditable asks for it (features from rustc's
//! `--cfg feature=`, `--no-default-features` unless `default` is among them, `--filter-platform`
//! with the target rustc builds for).
//!
//! Run `--offline --locked`: the build it runs inside has already resolved and fetched everything
//! this platform needs, and must neither touch the network nor rewrite `Cargo.lock` (whose change
//! would recompile the crate again).

pub use profile_info_core::metadata::{Metadata, Node, Package, Resolve};
use std::path::Path;
use std::process::{Command, Stdio};

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

/// Runs `cargo metadata`: its packages and their graph, or one line for the document's reader.
pub fn run(q: &Query<'_>) -> Result<(Metadata, Resolve), &'static str> {
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
    let unexpected = "cargo metadata printed unexpected JSON";
    let mut metadata = profile_info_core::metadata::parse(text).ok_or(unexpected)?;
    let resolve = metadata.resolve.take().ok_or(unexpected)?;
    Ok((metadata, resolve))
}
