//! Differential tests: a fixture built under many profiles; each document is checked field by field
//! against sources that share nothing with the macro: the rustc line `cargo build -v` printed for
//! the binary (parsed here independently of the macro's parser), rustc itself (`--print cfg`,
//! `--print target-cpus`, `-vV`, and the artifacts of the same command re-run with
//! `-C save-temps`), git, and the x86-64 psABI's level lists written out below.

use profile_info_tests::{run, Build, Fixture, PROFILES};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

const MAIN: &str = r#"#[profile_info::main]
fn main() {
    let info = profile_info::current().expect("current() inside main");
    assert_eq!(info, profile_info::build_info!(), "build_info!() in the bin = current()");
    assert_eq!(info.json(), profile_info::build_info!().json(), "current() keeps the compiled-in JSON");
    assert!(std::ptr::eq(info, profile_info::current().unwrap()), "read once");
    println!("ran");
}
"#;

const FEATURES: &str = "\n[features]\ndefault = [\"fast\"]\nfast = []\nextra = []\n";

fn fixture() -> Fixture {
    Fixture::new("capture-app", MAIN, &format!("{PROFILES}{FEATURES}"))
}

/// `-C key=value` pairs and the other flags that matter, as cargo printed them.
struct Line {
    codegen: HashMap<String, String>,
    target: Option<String>,
    out_dir: String,
    cfg: Vec<String>,
}

fn parse_line(args: &[String]) -> Line {
    let mut codegen = HashMap::new();
    let (mut target, mut out_dir, mut cfg) = (None, String::new(), Vec::new());
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let mut next = || words.next().cloned().unwrap_or_default();
        match word.as_str() {
            "-C" => {
                let pair = next();
                let (k, v) = pair.split_once('=').unwrap_or((&pair, "yes"));
                codegen.insert(k.to_owned(), v.to_owned());
            }
            // RUSTFLAGS reach the line as written: `-Cprofile-generate=DIR` is one word.
            joined if joined.starts_with("-C") => {
                let (k, v) = joined[2..].split_once('=').unwrap_or((&joined[2..], "yes"));
                codegen.insert(k.to_owned(), v.to_owned());
            }
            "--target" => target = Some(next()),
            "--out-dir" => out_dir = next(),
            "--cfg" => cfg.push(next()),
            _ => {}
        }
    }
    Line { codegen, target, out_dir, cfg }
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

/// `rustc ARGS` with the line's target, CPU, features and panic strategy, and `extra`.
fn rustc_print(line: &Line, extra: &[&str]) -> String {
    let mut cmd = Command::new("rustc");
    cmd.args(extra);
    if let Some(t) = &line.target {
        cmd.args(["--target", t]);
    }
    for key in ["target-cpu", "target-feature", "panic"] {
        if let Some(v) = line.codegen.get(key) {
            cmd.arg(format!("-C{key}={v}"));
        }
    }
    let out = cmd.output().expect("rustc --print");
    assert!(out.status.success(), "{cmd:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// `name="value"` lines of `rustc --print cfg`, every value of `name`.
fn cfg_values(cfg: &str, name: &str) -> Vec<String> {
    let prefix = format!("{name}=\"");
    cfg.lines().filter_map(|l| l.strip_prefix(&prefix)?.strip_suffix('"').map(str::to_owned)).collect()
}

/// The CPU rustc names for the line: the flag, the CPU `native` is `currently`, or the target's
/// default, from `rustc --print target-cpus`.
fn cpu(line: &Line) -> String {
    let cpus = rustc_print(line, &["--print", "target-cpus"]);
    let named = |pick: &dyn Fn(&str) -> bool| {
        cpus.lines().find(|l| pick(l)).unwrap_or_else(|| panic!("no such CPU line in:\n{cpus}")).to_owned()
    };
    match line.codegen.get("target-cpu").map(String::as_str) {
        Some("native") => {
            let l = named(&|l| l.trim_start().starts_with("native "));
            l.split("(currently ").nth(1).unwrap().trim_end_matches(").").to_owned()
        }
        Some(cpu) => cpu.to_owned(),
        None => named(&|l| l.contains("This is the default target CPU")).split_whitespace().next().unwrap().to_owned(),
    }
}

/// The highest x86-64 psABI level (glibc's `get-isa-level.h`) all of whose features rustc
/// reports. `lahfsahf`, part of v2, is never in stable rustc's cfg.
fn psabi_level(features: &[String]) -> &'static str {
    const V2: &[&str] = &["cmpxchg16b", "popcnt", "sse3", "sse4.1", "sse4.2", "ssse3"];
    const V3: &[&str] = &["avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "lzcnt", "movbe"];
    const V4: &[&str] = &["avx512bw", "avx512cd", "avx512dq", "avx512f", "avx512vl"];
    let all = |set: &[&str]| set.iter().all(|f| features.iter().any(|g| g == f));
    match (all(V2), all(V3), all(V4)) {
        (true, true, true) => "x86-64-v4",
        (true, true, false) => "x86-64-v3",
        (true, false, _) => "x86-64-v2",
        _ => "x86-64",
    }
}

/// What the document must say, derived from the rustc line, rustc and git alone.
/// Whether readelf finds a `.dep-v0` section in `binary`.
fn has_dep_section(binary: &std::path::Path) -> bool {
    let out = Command::new("readelf").arg("-SW").arg(binary).output().expect("readelf (binutils) is installed");
    assert!(out.status.success(), "readelf -S {}", binary.display());
    String::from_utf8_lossy(&out.stdout).contains(" .dep-v0 ")
}

fn expected(fixture: &Fixture, build: &Build) -> Value {
    let line = parse_line(&build.rustc_args);
    let c = |k: &str| line.codegen.get(k).cloned();
    let yes = |v: &str| matches!(v, "y" | "yes" | "on" | "true");
    let opt = c("opt-level").unwrap_or("0".into());
    let incremental = c("incremental").is_some();
    let dir = line.out_dir.trim_end_matches("/deps").rsplit('/').next().unwrap().to_owned();
    let vv = rustc_vv();
    // rustc's own answer for debug-assertions with the line's flags.
    let mut asserts_line = vec!["--print", "cfg", "-C"];
    let opt_flag = format!("opt-level={opt}");
    asserts_line.push(&opt_flag);
    let da_flag = c("debug-assertions").map(|v| format!("debug-assertions={v}"));
    if let Some(flag) = &da_flag {
        asserts_line.extend(["-C", flag]);
    }
    let cfg = rustc_print(&line, &asserts_line);
    let debug_assertions = cfg.lines().any(|l| l == "debug_assertions");
    let mut features = cfg_values(&cfg, "target_feature");
    features.sort();
    let arch = cfg_values(&cfg, "target_arch").pop().expect("target_arch");
    let on_x86 = arch == "x86_64" || arch == "x86";
    // The guard checks what profile-info's x86 table has a CPUID bit for (what it can check is
    // the table: tests/guard.rs holds the table to rustc's stable features).
    let x86 = profile_info_core::x86::FEATURES
        .iter()
        .map(|f| f.name)
        .chain(profile_info_core::x86::WITHOUT_CPUID.iter().copied());
    let known: Vec<&str> = x86.collect();
    let unchecked: Vec<&String> = features.iter().filter(|f| !known.contains(&f.as_str())).collect();
    let mut package_features: Vec<String> =
        line.cfg.iter().filter_map(|c| c.strip_prefix("feature=\"")?.strip_suffix('"').map(str::to_owned)).collect();
    package_features.sort();
    let pgo = if c("profile-generate").is_some() {
        "generate"
    } else if c("profile-use").is_some() {
        "use"
    } else {
        "off"
    };
    // The workspace is a git checkout (CI clones it) and the fixtures live in its ignored target/.
    let git = |args: &[&str]| {
        let out = Command::new("git").args(args).current_dir(profile_info_tests::workspace()).output().expect("git");
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let revision = git(&["rev-parse", "HEAD"]);
    // The committer time as git writes it in UTC (`%cI`'s format), and the exact tag or null.
    let time = Command::new("git")
        .args(["log", "-1", "--date=iso-strict-local", "--format=%cd"])
        .current_dir(profile_info_tests::workspace())
        .env("TZ", "UTC")
        .output()
        .expect("git");
    let time = String::from_utf8(time.stdout).unwrap().trim().replace("+00:00", "Z");
    let tag = Command::new("git")
        .args(["describe", "--exact-match", "--tags"])
        .current_dir(profile_info_tests::workspace())
        .output()
        .expect("git");
    let tag = tag.status.success().then(|| String::from_utf8(tag.stdout).unwrap().trim().to_owned());
    let dirty = !git(&["status", "--porcelain", "--untracked-files=no"]).is_empty();
    let channel = ["nightly", "beta", "dev"].into_iter().find(|c| vv["release"].contains(c)).unwrap_or("stable");
    json!({
        "schema": 3,
        "crate_type": "bin",
        "package": {
            "name": "capture-app",
            "version": "0.1.0",
            "features": package_features,
            // The section is there (readelf) exactly when the document says the list is.
            "dependencies": if has_dep_section(&build.binary) { "listed" } else { "no .dep-v0 section" },
        },
        "profile": {
            "name": if dir == "debug" { "dev".to_owned() } else { dir },
            "opt_level": opt,
            "lto": fixture.lto_performed(build),
            // rustc's defaults (Session::codegen_units): 16, or 256 when incremental.
            "codegen_units": c("codegen-units").map_or(if incremental { 256 } else { 16 }, |n| n.parse().unwrap()),
            "panic": cfg_values(&cfg, "panic").pop().expect("panic cfg"),
            "pgo": pgo,
            "strip": c("strip").unwrap_or("none".into()),
            "debuginfo": match c("debuginfo").as_deref() {
                None | Some("0") => "none", Some("1") => "limited", Some("2") => "full", Some(other) => other,
            },
            "debug_assertions": debug_assertions,
            // rustc's default (Session::overflow_checks): as debug-assertions.
            "overflow_checks": c("overflow-checks").map_or(debug_assertions, |v| yes(&v)),
            "incremental": incremental,
            // rustc's options.rs: `no` and absence leave frame pointers to the target, as they
            // leave the relocation and code models; the others default to off.
            "force_frame_pointers": match c("force-frame-pointers").as_deref() {
                None => "target-default",
                Some("non-leaf") => "non-leaf",
                Some(v) if v == "always" || yes(v) => "always",
                Some(_) => "target-default",
            },
            "relocation_model": c("relocation-model").unwrap_or("target-default".into()),
            "code_model": c("code-model").unwrap_or("target-default".into()),
            "instrument_coverage": c("instrument-coverage").is_some_and(|v| yes(&v) || v == "all"),
            // `-Z sanitizer` needs nightly; the suite builds with stable.
            "sanitizers": [],
            "link_dead_code": c("link-dead-code").is_some_and(|v| yes(&v)),
            "control_flow_guard": match c("control-flow-guard").as_deref() {
                None => "off",
                Some("nochecks") => "nochecks",
                Some(v) if v == "checks" || yes(v) => "checks",
                Some(_) => "off",
            },
        },
        "target": {
            "triple": line.target.clone().unwrap_or(vv["host"].clone()),
            "arch": arch,
            "os": cfg_values(&cfg, "target_os").pop(),
            "env": cfg_values(&cfg, "target_env").pop(),
            "cpu": cpu(&line),
            "cpu_native": c("target-cpu").as_deref() == Some("native"),
            "level": (arch == "x86_64").then(|| psabi_level(&features)),
            "features": features,
            "unchecked_features": on_x86.then_some(unchecked),
        },
        "rustc": {
            "version": vv["release"], "channel": channel, "commit_hash": vv["commit-hash"],
            "commit_date": vv["commit-date"], "llvm_version": vv["LLVM version"], "host": vv["host"],
        },
        "vcs": {"revision": revision, "dirty": dirty, "time": time, "tag": tag},
    })
}

fn check(fixture: &Fixture, build: &Build) -> Value {
    let out = run(&build.binary, &["--build-info=json"]);
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).expect("--build-info=json prints JSON");
    let want = expected(fixture, build);
    for part in ["schema", "crate_type", "package", "profile", "target", "rustc", "vcs"] {
        assert_eq!(doc[part], want[part], "{part} differs for rustc line {:?}", build.rustc_args);
    }
    assert_eq!(run(&build.binary, &[]).stdout, b"ran\n");
    doc
}

fn build(args: &[&str], env: &[(&str, &str)]) -> Value {
    let fixture = fixture();
    let build = fixture.build(args, env);
    check(&fixture, &build)
}

#[test]
fn dev() {
    let doc = build(&[], &[]);
    assert_eq!(doc["profile"]["name"], "dev");
    assert_eq!(doc["profile"]["codegen_units"], 256);
    assert_eq!(doc["package"]["features"], json!(["default", "fast"]));
}

#[test]
fn dev_thin_lto() {
    let doc = build(&["--config", "profile.dev.lto=\"thin\"", "--features", "extra"], &[]);
    assert_eq!(doc["profile"]["lto"], "thin");
    assert_eq!(doc["package"]["features"], json!(["default", "extra", "fast"]));
}

#[test]
fn release() {
    let doc = build(&["--release", "--no-default-features"], &[]);
    assert_eq!(doc["profile"]["opt_level"], "3");
    assert_eq!(doc["profile"]["lto"], "thin-local");
    assert_eq!(doc["package"]["features"], json!([]));
}

#[test]
fn release_one_codegen_unit() {
    let doc = build(&["--release"], &[("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")]);
    assert_eq!(doc["profile"]["lto"], "off");
}

#[test]
fn release_incremental() {
    let doc = build(&["--release"], &[("CARGO_PROFILE_RELEASE_INCREMENTAL", "true")]);
    assert_eq!(doc["profile"]["incremental"], true);
    assert_eq!(doc["profile"]["lto"], "thin-local");
}

#[test]
fn production_fat_lto_strip_abort() {
    let doc = build(&["--profile", "production"], &[]);
    assert_eq!(doc["profile"]["name"], "production");
    assert_eq!(doc["profile"]["lto"], "fat");
    assert_eq!(doc["profile"]["codegen_units"], 1);
    assert_eq!(doc["profile"]["panic"], "abort");
    assert_eq!(doc["profile"]["strip"], "symbols");
}

#[test]
fn tiny_opt_level_z() {
    let doc = build(&["--profile", "tiny"], &[]);
    assert_eq!(doc["profile"]["opt_level"], "z");
}

#[test]
fn line_tables_lto_off_incremental() {
    let doc = build(&["--profile", "lines"], &[]);
    assert_eq!(doc["profile"]["debuginfo"], "line-tables-only");
    assert_eq!(doc["profile"]["lto"], "off");
    assert_eq!(doc["profile"]["incremental"], true);
}

#[test]
fn config_and_env_overrides() {
    let doc = build(
        &["--release", "--config", "profile.release.lto=\"thin\""],
        &[
            ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "4"),
            ("CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS", "true"),
            ("CARGO_PROFILE_RELEASE_DEBUG", "limited"),
        ],
    );
    assert_eq!(doc["profile"]["lto"], "thin");
    assert_eq!(doc["profile"]["codegen_units"], 4);
    assert_eq!(doc["profile"]["overflow_checks"], true);
    assert_eq!(doc["profile"]["debug_assertions"], false);
    assert_eq!(doc["profile"]["debuginfo"], "limited");
}

/// The symbols of `binary` (nm) whose name holds `part`, demangled.
fn symbols(binary: &Path, part: &str) -> Vec<String> {
    let out = Command::new("nm").arg("-C").arg(binary).output().expect("nm (binutils) is installed");
    assert!(out.status.success(), "nm {}", binary.display());
    String::from_utf8(out.stdout).unwrap().lines().filter(|l| l.contains(part)).map(str::to_owned).collect()
}

/// Whether the binary crate's `main` sets up a frame pointer in its prologue (objdump): on x86-64
/// `push %rbp` then `mov %rsp,%rbp`, on AArch64 `mov x29, sp` after saving x29 and x30.
fn main_sets_up_a_frame_pointer(binary: &Path) -> bool {
    let out = Command::new("objdump")
        .args(["-d", "--no-show-raw-insn", "-C", "--disassemble=capture_app::main"])
        .arg(binary)
        .output()
        .expect("objdump (binutils) is installed");
    let text = String::from_utf8(out.stdout).unwrap();
    let body: Vec<&str> = text.lines().skip_while(|l| !l.contains("<capture_app::main>:")).skip(1).take(8).collect();
    assert!(!body.is_empty(), "objdump found capture_app::main:\n{text}");
    let has = |insn: &str| body.iter().any(|l| l.split_whitespace().collect::<Vec<_>>().join(" ").contains(insn));
    match std::env::consts::ARCH {
        "x86_64" => has("push %rbp") && has("mov %rsp,%rbp"),
        "aarch64" => has("mov x29, sp"),
        arch => panic!("no prologue pattern for {arch}"),
    }
}

/// The codegen settings that leave no other trace in the document, set through RUSTFLAGS: each as
/// cargo's line says (in `check`), and where the file shows it: a static relocation model makes
/// an `EXEC` file instead of a position-independent `DYN` one (readelf), coverage instrumentation
/// adds LLVM's `__llvm_covfun` section (readelf), forced frame pointers set one up in `main`'s
/// prologue (objdump), and `-C link-dead-code` keeps a function nothing in the binary calls (nm:
/// one of std's). The same fixture built without the flags shows none of them.
#[test]
fn codegen_settings_from_rustflags() {
    let flags = "-C force-frame-pointers=yes -C relocation-model=static -C code-model=small \
                 -C instrument-coverage -C link-dead-code -C control-flow-guard=nochecks";
    let fixture = fixture();
    // With `--target`, RUSTFLAGS leave the proc macro alone (a static relocation model cannot make
    // a shared object).
    let host = rustc_vv()["host"].clone();
    let build = fixture.build(&["--release", "--target", &host], &[("RUSTFLAGS", flags)]);
    let profiles = |dir: &Path| -> Vec<_> {
        let entries = std::fs::read_dir(dir).unwrap().filter_map(Result::ok);
        entries.map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "profraw")).collect()
    };
    let beside = build.binary.parent().unwrap();
    profiles(beside).iter().for_each(|p| std::fs::remove_file(p).unwrap());
    let doc = check(&fixture, &build);
    let p = &doc["profile"];
    assert_eq!((&p["force_frame_pointers"], &p["relocation_model"]), (&"always".into(), &"static".into()));
    assert_eq!((&p["instrument_coverage"], &p["link_dead_code"]), (&true.into(), &true.into()));
    let readelf = |arg: &str| {
        let out = Command::new("readelf").arg(arg).arg("-W").arg(&build.binary).output().expect("readelf");
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(readelf("-h").lines().any(|l| l.trim_start().starts_with("Type:") && l.contains("EXEC")));
    assert!(readelf("-S").contains("__llvm_covfun"));
    // The instrumented runs wrote their coverage profiles beside the binary, not in the checkout.
    assert!(!profiles(beside).is_empty(), "no coverage profile beside {}", build.binary.display());
    assert_eq!(profiles(Path::new(env!("CARGO_MANIFEST_DIR"))), Vec::<std::path::PathBuf>::new());
    assert!(main_sets_up_a_frame_pointer(&build.binary));
    // In the member of std's archive the link takes: kept only when the linker drops no sections.
    let unused = "std::env::home_dir";
    assert_eq!(symbols(&build.binary, unused).len(), 1, "{unused} kept");
    let plain = fixture.build(&["--release"], &[]);
    let doc = check(&fixture, &plain);
    assert_eq!(
        (&doc["profile"]["relocation_model"], &doc["profile"]["instrument_coverage"]),
        (&"target-default".into(), &false.into())
    );
    assert_eq!(
        (&doc["profile"]["force_frame_pointers"], &doc["profile"]["link_dead_code"]),
        (&"target-default".into(), &false.into())
    );
    assert!(!main_sets_up_a_frame_pointer(&plain.binary));
    assert!(!symbols(&plain.binary, "capture_app::main").is_empty(), "the plain build has its symbols");
    assert_eq!(symbols(&plain.binary, unused), Vec::<String>::new());
}

/// `-C target-cpu=native` names the CPU rustc resolved it to, on any architecture.
#[test]
fn rustflags_native_cpu_with_target() {
    let host = rustc_vv()["host"].clone();
    let doc = build(&["--release", "--target", &host], &[("RUSTFLAGS", "-C target-cpu=native")]);
    assert_eq!(doc["target"]["cpu_native"], true);
    assert_ne!(doc["target"]["cpu"], "native");
}

/// An instrumented build says so, and never where its profiles go.
#[test]
fn pgo_generate() {
    let host = rustc_vv()["host"].clone();
    let dir = profile_info_tests::target_dir().join("pgo-profiles");
    let flags = format!("-Cprofile-generate={}", dir.display());
    let fixture = fixture();
    let build = fixture.build(&["--release", "--target", &host], &[("RUSTFLAGS", &flags)]);
    let doc = check(&fixture, &build);
    assert_eq!(doc["profile"]["pgo"], "generate");
    let json = String::from_utf8(run(&build.binary, &["--build-info=json"]).stdout).unwrap();
    assert!(!json.contains("pgo-profiles"), "{json}");
}

/// A build optimised with a recorded profile says so: the profile comes from running the
/// instrumented build, merged as `cargo profile-info compare` merges (its llvm-profdata candidates,
/// each tried until one reads rustc 1.95's profiles, which Debian's default 14 cannot;
/// scripts/test.sh installs llvm-22, else 19).
#[test]
fn pgo_use() {
    use cargo_profile_info::harness as pgo;
    let host = rustc_vv()["host"].clone();
    let dir = profile_info_tests::target_dir().join("pgo-use-profiles");
    let _ = std::fs::remove_dir_all(&dir);
    let fixture = fixture();
    let generate = format!("-Cprofile-generate={}", dir.display());
    let instrumented = fixture.build(&["--release", "--target", &host], &[("RUSTFLAGS", &generate)]);
    assert!(run(&instrumented.binary, &[]).status.success());
    let merged = dir.join("merged.profdata");
    let candidates = pgo::candidates();
    let used = pgo::merge(&candidates, &dir, &merged)
        .expect("the instrumented run wrote a profile")
        .unwrap_or_else(|why| panic!("{why} (scripts/test.sh installs llvm-22, else llvm-19)"));
    assert!(std::fs::metadata(&merged).unwrap().len() > 0, "{}", used.describe());
    let using = format!("-Cprofile-use={}", merged.display());
    let build = fixture.build(&["--release", "--target", &host], &[("RUSTFLAGS", &using)]);
    let doc = check(&fixture, &build);
    assert_eq!(doc["profile"]["pgo"], "use");
    let json = String::from_utf8(run(&build.binary, &["--build-info=json"]).stdout).unwrap();
    assert!(!json.contains("pgo-use-profiles") && !json.contains("profdata"), "{json}");
}
