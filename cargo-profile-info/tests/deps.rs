//! `inspect` and `diff` on the `.dep-v0` dependency list, against cargo-auditable's reader
//! (`rust-audit-info`, installed by scripts/test.sh) and its builder (`cargo auditable build`,
//! for binaries without profile-info); broken sections made with objcopy and Python's zlib.

use profile_info_tests::{require_target, rust_audit_info, target_dir, Fixture, MACOS, WINDOWS};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TOOL: &str = env!("CARGO_BIN_EXE_cargo-profile-info");

const MAIN: &str = "#[profile_info::main]\nfn main() {\n    println!(\"ran\");\n}\n";

const MANIFEST: &str = r#"
[dependencies.itoa]
version = "1"
optional = true

[build-dependencies]
autocfg = "1"

[features]
numbers = ["dep:itoa"]
"#;

fn fixture() -> Fixture {
    Fixture::with_files("inspect-deps-app", &[("src/main.rs", MAIN), ("build.rs", "fn main() {}\n")], MANIFEST)
}

fn tool(args: &[&str]) -> Output {
    Command::new(TOOL).args(args).output().expect("run the tool")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// The `dep` lines `inspect` should print, from rust-audit-info's reading of the file.
fn expected_dep_lines(binary: &Path) -> Vec<String> {
    let json = rust_audit_info(binary);
    let mut lines: Vec<String> = json["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["root"] != true)
        .map(|p| {
            let build = if p["kind"] == "build" { " build" } else { "" };
            format!(
                "dep {} {} {}{build}",
                p["name"].as_str().unwrap(),
                p["version"].as_str().unwrap(),
                p["source"].as_str().unwrap()
            )
        })
        .collect();
    lines.sort();
    lines
}

fn dep_lines(out: &Output) -> Vec<String> {
    let mut lines: Vec<String> =
        String::from_utf8_lossy(&out.stdout).lines().filter(|l| l.starts_with("dep ")).map(str::to_owned).collect();
    lines.sort();
    lines
}

#[test]
fn inspect_shows_the_packages_scanners_see() {
    let binary = fixture().build(&["--features", "numbers"], &[]).binary;
    let out = tool(&["inspect", path(&binary)]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let expected = expected_dep_lines(&binary);
    assert!(expected.iter().any(|l| l.ends_with(" build")), "a build dependency is marked: {expected:?}");
    assert_eq!(dep_lines(&out), expected);
    let json: Value = serde_json::from_slice(&tool(&["inspect", "--json", path(&binary)]).stdout).unwrap();
    assert_eq!(json["dependencies"], rust_audit_info(&binary));
    assert_eq!(json["document"]["package"]["dependencies"], "listed");
}

/// A Windows executable (MinGW's link) shows its list and why it has no document; a macOS object
/// file (no Mach-O linker here) shows both, the document's target the one it was compiled for.
#[test]
fn inspect_reads_windows_and_macos_files() {
    require_target(WINDOWS);
    let fx = fixture();
    let exe = fx.build(&["--target", WINDOWS, "--features", "numbers"], &[]).binary;
    let out = tool(&["inspect", path(&exe)]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(dep_lines(&out), expected_dep_lines(&exe));
    let first = String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or_default().to_owned();
    assert_eq!(first, "document:    none (no profile-info section: profile-info embeds none in Windows (PE) binaries)");

    let object = fx.object_file(MACOS, &["--features", "numbers"]);
    let out = tool(&["inspect", "--json", path(&object)]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["dependencies"], rust_audit_info(&object));
    assert_eq!(json["document"]["target"]["triple"], MACOS);
    assert_eq!(json["document"]["package"]["dependencies"], "listed");
}

#[test]
fn diff_lists_added_removed_and_changed_dependencies() {
    let fx = fixture();
    let with = fx.build(&["--features", "numbers"], &[]).binary;
    let kept = target_dir().join("inspect-deps-with-numbers");
    std::fs::copy(&with, &kept).unwrap();
    let without = fx.build(&[], &[]).binary;
    let out = tool(&["diff", path(&kept), path(&without)]);
    assert_eq!(out.status.code(), Some(1));
    // The oracle: what rust-audit-info lists in one and not the other.
    let names = |b: &Path| -> Vec<(String, String)> {
        rust_audit_info(b)["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["name"].as_str().unwrap().to_owned(), p["version"].as_str().unwrap().to_owned()))
            .collect()
    };
    let (a, b) = (names(&kept), names(&without));
    let removed: Vec<String> = a.iter().filter(|p| !b.contains(p)).map(|(n, v)| format!("dep {n}: -{v}")).collect();
    assert!(!removed.is_empty());
    assert_eq!(dep_lines(&out), removed, "{}", String::from_utf8_lossy(&out.stdout));
    let json: Value = serde_json::from_slice(&tool(&["diff", "--json", path(&kept), path(&without)]).stdout).unwrap();
    assert_eq!(json["same"], false);
    assert_eq!(json["dependencies"].as_array().unwrap().len(), removed.len());
}

/// A binary built by `cargo auditable build` without `#[profile_info::main]`.
fn auditable_only() -> PathBuf {
    Fixture::new("inspect-auditable-plain", "fn main() {\n    println!(\"plain\");\n}\n", "").auditable_build(&[])
}

#[test]
fn inspect_reads_cargo_auditable_binaries_and_refuses_broken_lists() {
    let binary = auditable_only();
    let out = tool(&["inspect", path(&binary)]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("document:    none (no profile-info section"), "{text}");
    assert_eq!(dep_lines(&out), expected_dep_lines(&binary));
    let json: Value = serde_json::from_slice(&tool(&["inspect", "--json", path(&binary)]).stdout).unwrap();
    assert_eq!(json["dependencies"], rust_audit_info(&binary));
    assert_eq!(json["document"], Value::Null);

    // The section replaced (objcopy) by garbage, and by a zlib stream of 9 MiB (Python's zlib).
    let dir = target_dir().join("broken-deps");
    std::fs::create_dir_all(&dir).unwrap();
    let bomb = dir.join("bomb.z");
    let py = "import zlib,sys; open(sys.argv[1],'wb').write(zlib.compress(b' ' * (9 << 20)))";
    assert!(Command::new("python3").args(["-c", py, path(&bomb)]).status().unwrap().success());
    let garbage = dir.join("garbage");
    std::fs::write(&garbage, b"not zlib at all").unwrap();
    for (contents, says) in [(&garbage, "not zlib data"), (&bomb, "larger than 8 MiB")] {
        let broken = dir.join(format!("app-{}", contents.file_name().unwrap().to_str().unwrap()));
        let arg = format!(".dep-v0={}", contents.display());
        let st = Command::new("objcopy").args(["--update-section", &arg, path(&binary), path(&broken)]).status();
        assert!(st.expect("objcopy (binutils)").success());
        let out = tool(&["inspect", path(&broken)]);
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
    }
}

/// The CycloneDX validator scripts/test.sh installs: cyclonedx-python-lib's strict JSON validator
/// (the official schemas it ships, applied by jsonschema). Prints the errors; exit 1 on any.
const VALIDATE: &str = "import sys
from cyclonedx.validation.json import JsonStrictValidator
from cyclonedx.schema import SchemaVersion
errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(sys.stdin.read())
print(errors or 'valid')
sys.exit(1 if errors else 0)
";

#[test]
fn sbom_is_valid_cyclonedx_with_the_packages_scanners_see() {
    let binary = fixture().build(&["--features", "numbers"], &[]).binary;
    let out = tool(&["inspect", "--sbom", "cyclonedx", path(&binary)]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let python = profile_info_tests::workspace().join("target/cyclonedx-venv/bin/python");
    assert!(python.exists(), "{} is missing: scripts/test.sh installs cyclonedx-python-lib there", python.display());
    let mut child = Command::new(&python)
        .args(["-c", VALIDATE])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&out.stdout).unwrap();
    let verdict = child.wait_with_output().unwrap();
    assert!(verdict.status.success(), "{}", String::from_utf8_lossy(&verdict.stdout));

    // Every package rust-audit-info reads, by name, version and kind; crates.io ones with a purl.
    let sbom: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut listed: Vec<String> = sbom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let build = if c["scope"] == "excluded" { " build" } else { "" };
            let source = if c["purl"].is_string() { "crates.io" } else { "local" };
            format!("dep {} {} {source}{build}", c["name"].as_str().unwrap(), c["version"].as_str().unwrap())
        })
        .collect();
    listed.sort();
    assert_eq!(listed, expected_dep_lines(&binary));
    assert_eq!(sbom["metadata"]["component"]["name"], "inspect-deps-app");
    let properties = sbom["metadata"]["component"]["properties"].as_array().unwrap();
    assert!(properties.contains(&serde_json::json!({"name": "profile-info:profile.name", "value": "dev"})));
}
