//! Differential tests: a fixture built under many profiles; each document is checked field by field
//! against the rustc line `cargo build -v` printed for the binary, parsed here independently of the
//! macro's parser.

use profile_info_tests::{run, Build, Fixture, PROFILES};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::process::Command;

const MAIN: &str = r#"#[profile_info::main]
fn main() {
    let info = profile_info::current().expect("current() inside main");
    assert_eq!(info, profile_info::build_info!(), "build_info!() in the bin = current()");
    println!("ran");
}
"#;

fn fixture() -> Fixture {
    Fixture::new("capture-app", MAIN, PROFILES)
}

/// `-C key=value` pairs and the other flags that matter, as cargo printed them.
struct Line {
    codegen: HashMap<String, String>,
    target: Option<String>,
    out_dir: String,
}

fn parse_line(args: &[String]) -> Line {
    let mut codegen = HashMap::new();
    let (mut target, mut out_dir) = (None, String::new());
    for pair in args.windows(2) {
        match pair[0].as_str() {
            "-C" => {
                let (k, v) = pair[1].split_once('=').unwrap_or((&pair[1], "yes"));
                codegen.insert(k.to_owned(), v.to_owned());
            }
            "--target" => target = Some(pair[1].clone()),
            "--out-dir" => out_dir = pair[1].clone(),
            _ => {}
        }
    }
    Line { codegen, target, out_dir }
}

fn rustc_vv() -> HashMap<String, String> {
    let out = Command::new("rustc").arg("-vV").output().expect("rustc -vV");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn features(line: &Line) -> Vec<String> {
    let mut cmd = Command::new("rustc");
    cmd.args(["--print", "cfg"]);
    if let Some(t) = &line.target {
        cmd.args(["--target", t]);
    }
    for key in ["target-cpu", "target-feature"] {
        if let Some(v) = line.codegen.get(key) {
            cmd.arg(format!("-C{key}={v}"));
        }
    }
    let out = String::from_utf8(cmd.output().expect("rustc --print cfg").stdout).unwrap();
    let mut f: Vec<String> =
        out.lines().filter_map(|l| l.strip_prefix("target_feature=\"")?.strip_suffix('"').map(str::to_owned)).collect();
    f.sort();
    f
}

/// What the document must say, derived from the rustc line alone.
fn expected(build: &Build) -> Value {
    let line = parse_line(&build.rustc_args);
    let c = |k: &str| line.codegen.get(k).cloned();
    let yes = |v: &str| matches!(v, "y" | "yes" | "on" | "true");
    let opt = c("opt-level").unwrap_or("0".into());
    let debug_assertions = c("debug-assertions").map_or(opt == "0", |v| yes(&v));
    let incremental = c("incremental").is_some();
    let dir = line.out_dir.trim_end_matches("/deps").rsplit('/').next().unwrap().to_owned();
    let vv = rustc_vv();
    // The workspace is a git checkout (CI clones it) and the fixtures live in its ignored target/.
    let git = |args: &[&str]| {
        let out = Command::new("git").args(args).current_dir(profile_info_tests::workspace()).output().expect("git");
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let revision = git(&["rev-parse", "HEAD"]);
    let dirty = !git(&["status", "--porcelain", "--untracked-files=no"]).is_empty();
    let channel = ["nightly", "beta", "dev"].into_iter().find(|c| vv["release"].contains(c)).unwrap_or("stable");
    let cpu = c("target-cpu").unwrap_or("x86-64".into());
    let level = if cpu.starts_with("x86-64") { cpu.clone() } else { "unchecked".into() };
    json!({
        "schema": 1,
        "crate_type": "bin",
        "package": {"name": "capture-app", "version": "0.1.0"},
        "profile": {
            "name": if dir == "debug" { "dev".to_owned() } else { dir },
            "opt_level": opt,
            "debuginfo": match c("debuginfo").as_deref() {
                None | Some("0") => "none", Some("1") => "limited", Some("2") => "full", Some(other) => other,
            },
            "strip": c("strip").unwrap_or("none".into()),
            "lto": match c("lto").as_deref() { None => "thin-local", Some("yes") => "fat", Some(v) => v },
            "codegen_units": c("codegen-units").map_or(if incremental { 256 } else { 16 }, |n| n.parse().unwrap()),
            "panic": c("panic").unwrap_or("unwind".into()),
            "debug_assertions": debug_assertions,
            "overflow_checks": c("overflow-checks").map_or(debug_assertions, |v| yes(&v)),
            "incremental": incremental,
        },
        "target": {
            "triple": line.target.clone().unwrap_or(vv["host"].clone()),
            "cpu": cpu,
            "features": features(&line),
            "level": level,
        },
        "rustc": {
            "version": vv["release"], "channel": channel, "commit_hash": vv["commit-hash"],
            "commit_date": vv["commit-date"], "llvm_version": vv["LLVM version"], "host": vv["host"],
        },
        "vcs": {"revision": revision, "dirty": dirty},
    })
}

fn check(build: &Build) -> Value {
    let out = run(&build.binary, &["--build-info=json"]);
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).expect("--build-info=json prints JSON");
    let mut want = expected(build);
    if want["target"]["level"] == "unchecked" {
        want["target"]["level"] = doc["target"]["level"].clone();
    }
    for part in ["schema", "crate_type", "package", "profile", "target", "rustc", "vcs"] {
        assert_eq!(doc[part], want[part], "{part} differs for rustc line {:?}", build.rustc_args);
    }
    assert_eq!(run(&build.binary, &[]).stdout, b"ran\n");
    doc
}

#[test]
fn dev() {
    let doc = check(&fixture().build(&[], &[]));
    assert_eq!(doc["profile"]["name"], "dev");
    assert_eq!(doc["profile"]["codegen_units"], 256);
}

#[test]
fn release() {
    let doc = check(&fixture().build(&["--release"], &[]));
    assert_eq!(doc["profile"]["opt_level"], "3");
}

#[test]
fn production_fat_lto_strip_abort() {
    let doc = check(&fixture().build(&["--profile", "production"], &[]));
    assert_eq!(doc["profile"]["name"], "production");
    assert_eq!(doc["profile"]["lto"], "fat");
    assert_eq!(doc["profile"]["codegen_units"], 1);
    assert_eq!(doc["profile"]["panic"], "abort");
    assert_eq!(doc["profile"]["strip"], "symbols");
}

#[test]
fn tiny_opt_level_z() {
    let doc = check(&fixture().build(&["--profile", "tiny"], &[]));
    assert_eq!(doc["profile"]["opt_level"], "z");
}

#[test]
fn line_tables_lto_off_incremental() {
    let doc = check(&fixture().build(&["--profile", "lines"], &[]));
    assert_eq!(doc["profile"]["debuginfo"], "line-tables-only");
    assert_eq!(doc["profile"]["lto"], "off");
    assert_eq!(doc["profile"]["incremental"], true);
}

#[test]
fn config_and_env_overrides() {
    let doc = check(&fixture().build(
        &["--release", "--config", "profile.release.lto=\"thin\""],
        &[
            ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "4"),
            ("CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS", "true"),
            ("CARGO_PROFILE_RELEASE_DEBUG", "limited"),
        ],
    ));
    assert_eq!(doc["profile"]["lto"], "thin");
    assert_eq!(doc["profile"]["codegen_units"], 4);
    assert_eq!(doc["profile"]["overflow_checks"], true);
    assert_eq!(doc["profile"]["debug_assertions"], false);
    assert_eq!(doc["profile"]["debuginfo"], "limited");
}

#[test]
fn rustflags_target_cpu_and_features_with_target() {
    let host = rustc_vv()["host"].clone();
    if !host.starts_with("x86_64") {
        return assert!(host.contains('-'), "non-x86 host {host}: target-cpu case is x86-only");
    }
    let doc = check(&fixture().build(
        &["--release", "--target", &host],
        &[("RUSTFLAGS", "-C target-cpu=x86-64-v2 -C target-feature=+aes,+pclmulqdq")],
    ));
    assert_eq!(doc["target"]["cpu"], "x86-64-v2");
    assert_eq!(doc["target"]["level"], "x86-64-v2");
    let features = doc["target"]["features"].as_array().unwrap();
    assert!(features.contains(&json!("aes")) && features.contains(&json!("popcnt")), "{features:?}");
    assert!(!features.contains(&json!("avx")));
}
