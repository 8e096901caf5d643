//! What the manifests promise, checked with cargo itself as the oracle: every feature builds
//! alone, the crates package and publish cleanly, and `rust-version` is the toolchain the suite
//! really builds with.

use profile_info_tests::{cargo, workspace};
use serde_json::Value;
use std::process::Output;

/// `cargo ARGS` at the workspace root, into the fixtures' shared target dir.
fn run_cargo(args: &[&str]) -> Output {
    cargo(&workspace(), args, &[]).output().expect("run cargo")
}

/// `cargo metadata` for the workspace's own packages.
fn packages() -> Vec<Value> {
    let out = run_cargo(&["metadata", "--no-deps", "--format-version", "1", "--locked"]);
    assert!(out.status.success(), "cargo metadata failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let metadata: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    metadata["packages"].as_array().expect("packages").clone()
}

/// Packages cargo would publish (`publish` not `[]`).
fn publishable() -> Vec<Value> {
    packages().into_iter().filter(|p| p["publish"] != serde_json::json!([])).collect()
}

fn name(package: &Value) -> &str {
    package["name"].as_str().expect("a package has a name")
}

/// Every feature of every published package, alone and none at all, as a dependent gets it
/// (`--no-default-features --features F`): it compiles with no error and no warning.
#[test]
fn every_feature_builds_alone() {
    let mut checked = Vec::new();
    for package in publishable() {
        let features = package["features"].as_object().expect("features");
        if features.is_empty() {
            continue;
        }
        let alone = features.keys().filter(|f| *f != "default").map(|f| vec!["--features", f.as_str()]);
        for extra in std::iter::once(vec![]).chain(alone) {
            let mut args = vec!["check", "--locked", "-p", name(&package), "--no-default-features"];
            args.extend(&extra);
            args.push("--message-format=json");
            let out = run_cargo(&args);
            let problems: Vec<String> = String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .filter(|m| m["reason"] == "compiler-message")
                .filter(|m| matches!(m["message"]["level"].as_str(), Some("warning" | "error")))
                .map(|m| m["message"]["rendered"].as_str().unwrap_or_default().to_owned())
                .collect();
            assert!(
                out.status.success() && problems.is_empty(),
                "cargo {args:?}:\n{}\n{}",
                problems.join("\n"),
                String::from_utf8_lossy(&out.stderr)
            );
            checked.push(format!("{} {extra:?}", name(&package)));
        }
    }
    // profile-info's own features, and none.
    let profile_info = packages().into_iter().find(|p| name(p) == "profile-info").expect("profile-info");
    let own = profile_info["features"].as_object().expect("features").keys().filter(|f| *f != "default").count();
    assert!(checked.iter().filter(|c| c.starts_with("profile-info [")).count() == own + 1, "{checked:?}");
}

/// `cargo publish --workspace --dry-run` packages each crate, builds it from its package and
/// warns about nothing; each package holds both license files and a README, and carries the
/// metadata crates.io shows. The example and test crates are not published.
#[test]
fn publishes_cleanly() {
    for package in packages() {
        let dir = std::path::Path::new(package["manifest_path"].as_str().expect("path")).parent().expect("dir");
        if dir == workspace().join("examples") || dir == workspace().join("tests") {
            assert_eq!(package["publish"], serde_json::json!([]), "{} must be publish = false", name(&package));
        }
    }
    let published = publishable();
    assert!(!published.is_empty());
    for package in &published {
        for field in ["description", "license", "readme", "documentation", "rust_version"] {
            assert!(package[field].as_str().is_some_and(|v| !v.is_empty()), "{}: no {field}", name(package));
        }
        assert_eq!(package["license"], "MIT OR Apache-2.0", "{}", name(package));
        for field in ["keywords", "categories"] {
            assert!(package[field].as_array().is_some_and(|v| !v.is_empty()), "{}: no {field}", name(package));
        }
        let out = run_cargo(&["package", "--list", "--allow-dirty", "--locked", "-p", name(package)]);
        assert!(out.status.success(), "cargo package --list:\n{}", String::from_utf8_lossy(&out.stderr));
        let files = String::from_utf8_lossy(&out.stdout);
        for file in ["LICENSE-MIT", "LICENSE-APACHE", "README.md"] {
            assert!(files.lines().any(|f| f == file), "{} packages no {file}:\n{files}", name(package));
        }
    }

    // Verifying unpacks each package from a registry in the target dir, into cargo's registry/src
    // cache, under its name and version only: a second run in the same target dir builds the
    // first run's sources (seen: a module added since was missing). A target dir of its own per
    // run gives a registry of its own; deps build from scratch, about a minute.
    let scratch = Scratch(workspace().join("target").join("publish").join(std::process::id().to_string()));
    let out = cargo(&workspace(), &["publish", "--workspace", "--dry-run", "--allow-dirty", "--locked"], &[])
        .env("CARGO_TARGET_DIR", &scratch.0)
        .output()
        .expect("run cargo");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cargo publish --dry-run failed:\n{stderr}");
    for package in &published {
        assert!(
            stderr.contains(&format!("Verifying {} v", name(package))),
            "{} not verified:\n{stderr}",
            name(package)
        );
    }
    // The inspector's integration tests need the workspace's unpublished test harness, so its
    // package leaves them out, and cargo says so, one line per test file (tests/NAME.rs).
    let left_out = |l: &str| {
        l.strip_prefix("warning: ignoring test `")
            .and_then(|rest| rest.split_once("` as `tests/"))
            .is_some_and(|(test, rest)| rest == format!("{test}.rs` is not included in the published package"))
    };
    let expected = |l: &str| l == "warning: aborting upload due to dry run" || left_out(l);
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.starts_with("warning:") && !expected(l)).collect();
    assert!(warnings.is_empty(), "cargo publish --dry-run warns:\n{stderr}");
}

/// The `rust-version` every published crate claims is the toolchain this suite builds and tests
/// with (`rustc -vV`, which cargo runs too): the one version the claim is verified for. A newer
/// toolchain in CI fails here until the claim is raised or the suite runs on the claimed one.
#[test]
fn rust_version_is_the_toolchain_tested() {
    let out = std::process::Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("-vV")
        .output()
        .expect("run rustc -vV");
    let verbose = String::from_utf8(out.stdout).expect("UTF-8");
    let release = verbose.lines().find_map(|l| l.strip_prefix("release: ")).expect("rustc -vV prints its release");
    let tested: Vec<&str> = release.split(['.', '-']).take(2).collect();
    for package in publishable() {
        let claimed = package["rust_version"].as_str().unwrap_or_else(|| panic!("{} claims none", name(&package)));
        let claimed: Vec<&str> = claimed.split('.').take(2).collect();
        assert_eq!(
            claimed,
            tested,
            "{} claims rust-version {} but the suite runs rustc {release}",
            name(&package),
            claimed.join(".")
        );
    }
}

/// A directory removed when dropped, also when the test fails.
struct Scratch(std::path::PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What README's "At run time and on the network" promises a service pays for by default: with no
/// feature on, profile-info's graph (build-time crates included, as cargo must check them at every
/// build) is its own four crates and nothing else. A crate added here costs every edit-compile
/// cycle of every dependent (syn, quote and proc-macro2: bench/RESULTS.md, "Edit-compile cycle").
#[test]
fn the_default_graph_is_profile_infos_own_crates() {
    let out = run_cargo(&["tree", "--locked", "-p", "profile-info", "-e", "normal,build", "--prefix", "none"]);
    assert!(out.status.success(), "cargo tree failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names, ["profile-info", "profile-info-core", "profile-info-macros", "profile-info-start"]);
}
