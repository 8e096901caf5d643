//! The ladder's builds end to end on a fixture: the user's own `target/release` untouched, the
//! strip rung relinked instead of rebuilt, the BOLT rung proven by readelf, and apply's printed
//! commands run as printed by `sh`, in the fixture, building the same row again. Oracles: the file
//! system (bytes and mtime), the rustc command lines cargo ran (logged by a `RUSTC_WRAPPER`),
//! `readelf -S`, the binaries' own output and `--build-info=json`.

use profile_info_tests::{clean_env, run, target_dir, write_if_changed, Fixture};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TOOL: &str = env!("CARGO_BIN_EXE_cargo-profile-info");

const MAIN: &str = r#"#[profile_info::main]
fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).expect("a number");
    println!("{}", (2..n).filter(|&i| (2..).take_while(|d| d * d <= i).all(|d| i % d != 0)).count());
}
"#;

/// A profile before and a table after, so that apply's placement can be seen.
const EXTRA: &str = "[profile.dev]\nopt-level = 1\n\n# kept last by apply\n[features]\nextra = []\n";

fn tool(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(TOOL);
    clean_env(&mut cmd).current_dir(dir).env("CARGO_TARGET_DIR", target_dir()).args(args).envs(env.iter().copied());
    cmd.output().expect("run the tool")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `readelf -S`'s section names.
fn sections(file: &Path) -> String {
    let out = Command::new("readelf").arg("-SW").arg(file).output().expect("readelf (binutils)");
    assert!(out.status.success(), "readelf -S {}: {}", file.display(), text(&out.stderr));
    text(&out.stdout)
}

/// The document a binary prints of itself.
fn document(binary: &Path) -> Value {
    serde_json::from_slice(&run(binary, &["--build-info=json"]).stdout).expect("--build-info=json")
}

/// A `RUSTC_WRAPPER` logging each rustc command line cargo runs (emptied here).
fn rustc_logger(name: &str) -> (PathBuf, PathBuf) {
    let dir = target_dir().join("ladder-tests");
    let log = dir.join(format!("{name}-rustc.log"));
    let _ = std::fs::remove_file(&log);
    let wrapper = dir.join(format!("{name}-rustc.sh"));
    write_if_changed(&wrapper, &format!("#!/bin/sh\necho \"$*\" >> '{}'\nexec \"$@\"\n", log.display()));
    assert!(Command::new("chmod").arg("+x").arg(&wrapper).status().unwrap().success());
    (wrapper, log)
}

#[test]
fn the_ladder_leaves_the_users_build_alone_relinks_strip_bolts_and_apply_recipes_run() {
    let fixture = Fixture::new("ladder-app", MAIN, EXTRA);
    let users = fixture.build(&["--release"], &[]).binary;
    let (bytes, mtime) = (std::fs::read(&users).unwrap(), std::fs::metadata(&users).unwrap().modified().unwrap());
    let expected = text(&run(&users, &["30000"]).stdout);

    let out = target_dir().join("ladder-tests").join("out");
    let _ = std::fs::remove_dir_all(&out);
    let (wrapper, log) = rustc_logger("ladder");
    let args = ["profile-info", "compare", "--run", "{bin} 30000", "--variants", "strip,pgo,bolt", "--runs", "1"];
    let args = [&args[..], &["--variant", "twin:strip=true", "--out", out.to_str().unwrap()]].concat();
    let result = tool(&fixture.dir, &args, &[("RUSTC_WRAPPER", wrapper.to_str().unwrap())]);
    let err = text(&result.stderr);
    assert!(result.status.success(), "compare failed:\n{err}");

    // The user's binary: same bytes, same mtime.
    assert_eq!(std::fs::read(&users).unwrap(), bytes, "{} replaced", users.display());
    assert_eq!(std::fs::metadata(&users).unwrap().modified().unwrap(), mtime, "{} touched", users.display());

    // No crate was built for a strip profile; the binary crate alone got -Cstrip.
    let compiled = std::fs::read_to_string(&log).expect("the wrapper's log");
    assert!(!compiled.contains("compare-strip"), "a strip profile was built:\n{compiled}");
    assert!(!compiled.contains("compare-twin"), "twin, with strip's flags, was built again:\n{compiled}");
    let stripped: Vec<&str> = compiled.lines().filter(|l| l.contains("-Cstrip=symbols")).collect();
    assert!(!stripped.is_empty() && stripped.iter().all(|l| l.contains("--crate-name ladder_app ")), "{compiled}");

    let report: Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let row = |name: &str| {
        report["variants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no {name}: {err}"))
    };
    let binary = |name: &str| out.join(row(name)["binary"].as_str().unwrap());
    assert_eq!(binary("twin"), binary("strip"), "one build for the same flags");
    let strip = binary("strip");
    assert!(!sections(&strip).contains(" .symtab "), "strip row keeps its symbols");
    assert!(sections(&binary("release")).contains(" .symtab "), "release row has symbols");
    assert_eq!(document(&strip)["profile"]["strip"], "symbols");

    let bolt = binary("bolt");
    let bolt_sections = sections(&bolt);
    assert!(
        bolt_sections.contains(" .note.bolt_info ") && bolt_sections.contains(" .bolt.org.text "),
        "{bolt_sections}"
    );
    assert!(!sections(&binary("pgo")).contains(".bolt"), "the pgo row is not BOLT's");
    assert_eq!(text(&run(&bolt, &["30000"]).stdout), expected);
    assert_eq!(document(&bolt)["profile"]["pgo"], "use");

    // apply writes the profile after the last [profile.*] and prints the commands that build the row.
    let manifest = fixture.dir.join("Cargo.toml");
    let apply = |force: bool| {
        let mut args = vec!["profile-info", "apply", "--report", "", "--variant", "bolt", "--profile-name", "fast"];
        let report = out.join("report.json");
        args[3] = report.to_str().unwrap();
        if force {
            args.push("--force");
        }
        tool(&fixture.dir, &args, &[])
    };
    let before = std::fs::read_to_string(&manifest).unwrap();
    let applied = apply(false);
    assert!(applied.status.success(), "apply failed: {}", text(&applied.stderr));
    let after = std::fs::read_to_string(&manifest).unwrap();
    let at = |t: &str| after.find(t).unwrap_or_else(|| panic!("no {t} in\n{after}"));
    assert!(at("[profile.dev]") < at("[profile.fast]") && at("[profile.fast]") < at("# kept last"), "{after}");

    let printed = text(&applied.stdout);
    let mut lines = printed.lines();
    let first = lines.next().unwrap();
    assert!(first.starts_with("the `bolt` row is built by these ") && first.contains("commands, run in this order"));
    let commands: Vec<&str> = lines.take_while(|l| l.starts_with("  ")).map(str::trim).collect();
    let profdata: Vec<&str> = commands.iter().filter(|c| c.contains("llvm-profdata")).copied().collect();
    assert!(profdata.len() == 1 && profdata[0].starts_with('/'), "llvm-profdata by full path: {commands:?}");
    for command in &commands {
        let mut sh = Command::new("sh");
        let ran =
            clean_env(&mut sh).current_dir(&fixture.dir).env("CARGO_TARGET_DIR", target_dir()).args(["-c", command]);
        let ran = ran.output().unwrap();
        assert!(ran.status.success(), "`{command}` failed: {}", text(&ran.stderr));
    }
    // compare trained on an instrumented build linked with thin LTO; the recipe's is the fat
    // profile's own. LLVM's profile of each names the same functions with the same control-flow
    // hashes, so the pgo and bolt rungs got the profile the user's build gets.
    let merge = commands.iter().find(|c| c.contains("llvm-profdata")).unwrap();
    let words: Vec<&str> = merge.split_whitespace().collect();
    let users_profile = words.iter().skip_while(|w| **w != "-o").nth(1).expect("merge -o OUTPUT");
    let functions = |profile: &Path| instrumented_functions(Path::new(words[0]), profile);
    let ours = functions(&out.join("pgo").join("merged.profdata"));
    assert!(ours.len() > 10, "{ours:?}");
    assert_eq!(ours, functions(Path::new(users_profile)));

    let last = commands.last().unwrap();
    let written = PathBuf::from(last.split_whitespace().skip_while(|w| *w != "-o").nth(1).expect("-o OUTPUT"));
    let rebuilt_sections = sections(&written);
    assert!(rebuilt_sections.contains(" .note.bolt_info "), "{rebuilt_sections}");
    assert_eq!(text(&run(&written, &["30000"]).stdout), expected);
    let rebuilt = document(&written);
    assert_eq!((&rebuilt["profile"]["name"], &rebuilt["profile"]["pgo"]), (&Value::from("fast"), &Value::from("use")));
    assert_eq!(rebuilt["profile"]["lto"], document(&bolt)["profile"]["lto"]);

    // A second apply refuses to replace the profile; --force replaces it in place.
    let refused = apply(false);
    assert_eq!(refused.status.code(), Some(2));
    let why = text(&refused.stderr);
    assert_eq!(why.lines().count(), 1, "{why}");
    assert!(why.contains("[profile.fast]") && why.contains("--force"), "{why}");
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), after);
    assert!(apply(true).status.success());
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), after, "replaced in place, same text");
    std::fs::write(&manifest, before).unwrap();
}

/// The functions an indexed PGO profile has counters for, as `llvm-profdata show` lists them:
/// (name, control-flow hash, number of counters), sorted. A name loses what differs between two
/// builds of the same code: the `file;` prefix of a local function (its codegen unit's name) and
/// the hash legacy mangling ends in (`17h` and 16 hex digits, derived from `-C metadata`).
fn instrumented_functions(llvm_profdata: &Path, profile: &Path) -> Vec<(String, String, String)> {
    let shown = Command::new(llvm_profdata).args(["show", "--all-functions"]).arg(profile).output().unwrap();
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    let mut functions = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text(&shown.stdout).lines() {
        if let Some(name) = line.strip_prefix("  ").filter(|l| !l.starts_with(' ')).and_then(|l| l.strip_suffix(':')) {
            let name = name.rsplit(';').next().unwrap();
            let unhashed = match name.len().checked_sub(20).filter(|&at| name[at..].starts_with("17h")) {
                Some(at) if name.ends_with('E') => format!("{}E", &name[..at]),
                _ => name.to_owned(),
            };
            current = Some((unhashed, String::new()));
        } else if let Some(hash) = line.trim().strip_prefix("Hash: ") {
            if let Some(c) = current.as_mut() {
                c.1 = hash.to_owned();
            }
        } else if let Some(counters) = line.trim().strip_prefix("Counters: ") {
            if let Some((name, hash)) = current.take() {
                functions.push((name, hash, counters.to_owned()));
            }
        }
    }
    functions.sort();
    functions
}

/// A binary without the attribute is compared too: each row proven from rustc's command line for
/// the binary crate (recorded by compare's own `RUSTC_WRAPPER`, which runs the user's wrapper in
/// turn) and from the file; the oracles are the user's wrapper's log and readelf.
#[test]
fn a_binary_without_the_attribute_is_proven_from_rustcs_command_line() {
    let fixture = Fixture::new("ladder-plain", "fn main() {\n    println!(\"{}\", 6 * 7);\n}\n", "");
    let out = target_dir().join("ladder-tests").join("plain");
    let _ = std::fs::remove_dir_all(&out);
    let (wrapper, log) = rustc_logger("plain");
    let args = ["profile-info", "compare", "--run", "{bin}", "--variants", "lto-fat", "--runs", "1", "--out"];
    let args = [&args[..], &[out.to_str().unwrap()]].concat();
    let result = tool(&fixture.dir, &args, &[("RUSTC_WRAPPER", wrapper.to_str().unwrap())]);
    assert!(result.status.success(), "compare failed:\n{}", text(&result.stderr));

    let report: Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let rows = report["variants"].as_array().unwrap();
    assert_eq!(rows.iter().map(|r| r["name"].as_str().unwrap()).collect::<Vec<_>>(), ["release", "lto-fat"]);
    assert!(rows.iter().all(|r| r["proof"] == "rustc command line + file"), "{rows:?}");
    let fat = &rows[1];
    assert_eq!(
        (&fat["document"]["profile"]["lto"], &fat["document"]["profile"]["strip"]),
        (&"fat".into(), &"symbols".into())
    );
    assert!(!sections(&out.join(fat["binary"].as_str().unwrap())).contains(" .symtab "));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let header = md.lines().find(|l| l.starts_with("| variant |")).unwrap();
    let proof = header.split(" | ").position(|c| c == "proof").expect("a proof column");
    for name in ["release", "lto-fat"] {
        let line = md.lines().find(|l| l.starts_with(&format!("| {name} |"))).unwrap();
        assert_eq!(line.split(" | ").nth(proof), Some("rustc command line + file"), "{md}");
    }
    // The user's wrapper still ran, and saw what the row says.
    let compiled = std::fs::read_to_string(&log).expect("the user's wrapper's log");
    // lto-fat's build: the last `-C lto` rustc was given (the one it keeps) is fat.
    let line = compiled.lines().find(|l| l.contains("--crate-name ladder_plain") && l.contains("-C strip=symbols"));
    let last_lto = line.and_then(|l| l.rsplit("lto=").next()).map(|v| v.split_whitespace().next().unwrap_or(""));
    assert_eq!(last_lto, Some("fat"), "{compiled}");
}

/// The target features `rustc --print cfg` lists for x86_64 code with these flags.
fn cfg_features(flags: &[&str]) -> Vec<String> {
    let out = Command::new("rustc").args(["--print", "cfg"]).args(flags).output().expect("rustc --print cfg");
    text(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("target_feature=\"")?.strip_suffix('"').map(str::to_owned))
        .collect()
}

/// Shifts by a varying amount and a reduction: code LLVM writes with AVX2 and BMI2 when allowed.
const VECTOR: &str = r#"fn main() {
    let n: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).expect("a number");
    let v: Vec<u32> = (0..n).collect();
    println!("{}", mix(&v));
}

#[inline(never)]
fn mix(v: &[u32]) -> u32 {
    v.iter().fold(0u32, |acc, &x| acc.wrapping_add(x.wrapping_mul(x) >> (x & 7)))
}
"#;

/// Without the attribute, a row shows the target features and x86-64 level rustc enabled for its
/// command line, as a row with the attribute does, where the command line itself gives only the
/// CPU: the `-C target-cpu=x86-64-v3` row has exactly the features `rustc --print cfg` lists for
/// that CPU, its own function uses ymm registers (objdump), and its level is x86-64-v3 because a
/// feature it has is one x86-64-v3 adds over v2; the release row has rustc's baseline features.
#[test]
fn without_the_attribute_a_row_has_the_features_rustc_enabled() {
    let fixture = Fixture::new("ladder-vector", VECTOR, "");
    let out = target_dir().join("ladder-tests").join("vector");
    let _ = std::fs::remove_dir_all(&out);
    let args = ["profile-info", "compare", "--run", "{bin} 1000", "--variants", "release", "--runs", "1", "--variant"];
    let args = [&args[..], &["v3:target-cpu=x86-64-v3", "--out", out.to_str().unwrap()]].concat();
    let result = tool(&fixture.dir, &args, &[]);
    assert!(result.status.success(), "compare failed:\n{}", text(&result.stderr));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let rows = report["variants"].as_array().unwrap();
    let features = |row: &Value| -> Vec<String> {
        let list = row["document"]["target"]["features"].as_array().unwrap_or_else(|| panic!("no features: {row}"));
        list.iter().map(|f| f.as_str().unwrap().to_owned()).collect()
    };

    let v3 = rows.iter().find(|r| r["name"] == "v3").unwrap();
    assert_eq!(v3["proof"], "rustc command line + file");
    assert_eq!(v3["document"]["target"]["cpu"], "x86-64-v3");
    let binary = out.join(v3["binary"].as_str().unwrap());
    let dump = Command::new("objdump").args(["-d", "--no-show-raw-insn"]).arg(&binary).output().expect("objdump");
    let dump = text(&dump.stdout);
    let mix = dump.split("\n\n").find(|f| f.contains("ladder_vector3mix")).expect("mix in objdump's listing");
    assert!(mix.contains("%ymm"), "mix uses no ymm register:\n{mix}");
    let enabled = cfg_features(&["-C", "target-cpu=x86-64-v3"]);
    let v2 = cfg_features(&["-C", "target-cpu=x86-64-v2"]);
    let mut sorted = enabled.clone();
    sorted.sort();
    assert_eq!(features(v3), sorted);
    assert!(enabled.contains(&"avx".to_owned()), "ymm registers are AVX: {enabled:?}");
    assert!(enabled.iter().any(|f| !v2.contains(f)), "{enabled:?} has nothing beyond x86-64-v2");
    assert_eq!(v3["document"]["target"]["level"], "x86-64-v3");

    let release = rows.iter().find(|r| r["name"] == "release").unwrap();
    assert_eq!(release["document"]["target"]["cpu"], Value::Null, "no -C target-cpu on the command line");
    let mut baseline = cfg_features(&[]);
    baseline.sort();
    assert_eq!(features(release), baseline);
    assert_eq!(release["document"]["target"]["level"], "x86-64");
    let table = text(&result.stdout);
    let line = table.lines().find(|l| l.starts_with("v3 ")).unwrap();
    assert!(line.contains("rustc command line + file") && line.contains(" x86-64-v3 "), "{table}");
}

/// A package that cannot be built is refused before any rung is built: what needs no build (no
/// such package or binary, a manifest cargo cannot read, a `--run` program that is not there) is
/// refused before cargo compiles anything (the user's `RUSTC_WRAPPER` never runs), and a compile
/// error stops the ladder at its first rung with rustc's own first error (rustc run on the file is
/// the oracle); no rung's binary exists afterwards anywhere in compare's target dir.
#[test]
fn a_package_that_cannot_be_built_is_refused_before_any_rung() {
    let broken =
        Fixture::new("ladder-broken", "fn main() {\n    let n: u32 = \"four\";\n    println!(\"{n}\");\n}\n", "");
    let unreadable = Fixture::new("ladder-unreadable", "fn main() {}\n", "[profile.release\n");
    let out = target_dir().join("ladder-tests").join("broken");
    let (wrapper, log) = rustc_logger("broken");
    let compare = |dir: &Path, extra: &[&str]| {
        let _ = std::fs::remove_dir_all(&out);
        let _ = std::fs::remove_file(&log);
        let args = ["profile-info", "compare", "--runs", "1", "--out", out.to_str().unwrap()];
        let result = tool(dir, &[&args[..], extra].concat(), &[("RUSTC_WRAPPER", wrapper.to_str().unwrap())]);
        let err = text(&result.stderr);
        assert!(!result.status.success(), "compare succeeded:\n{err}");
        let own: Vec<&str> = err.lines().filter(|l| !l.starts_with("compare: ")).collect();
        assert_eq!(own.len(), 1, "one line expected:\n{err}");
        assert!(!out.join("bin").exists(), "a binary was kept:\n{err}");
        (own[0].to_owned(), std::fs::read_to_string(&log).unwrap_or_default())
    };
    let refused = |dir: &Path, extra: &[&str], expected: &str| {
        let (line, compiled) = compare(dir, extra);
        assert!(line.contains(expected), "{line}");
        assert!(!compiled.contains("--crate-name"), "rustc ran:\n{compiled}");
    };
    refused(&broken.dir, &["--run", "{bin}", "-p", "nope"], "no package `nope`");
    refused(&broken.dir, &["--run", "{bin}", "--bin", "nope"], "has no bin `nope`");
    refused(&broken.dir, &["--run", "no-such-runner-xyz {bin}"], "`no-such-runner-xyz` is not installed");
    refused(&unreadable.dir, &["--run", "{bin}"], "cargo metadata failed");

    let (line, compiled) = compare(&broken.dir, &["--run", "{bin}"]);
    let rustc = Command::new("rustc")
        .args(["--edition", "2021", "--emit=metadata", "--crate-type", "bin", "-o"])
        .arg(out.with_extension("rmeta"))
        .arg(broken.dir.join("src/main.rs"))
        .current_dir(&broken.dir)
        .output()
        .expect("rustc");
    let said = text(&rustc.stderr);
    let first = said.lines().find(|l| l.starts_with("error")).expect("rustc's error");
    assert!(line.starts_with("variant release: cargo build failed") && line.contains(first), "{line}\n{said}");
    let own: Vec<&str> = compiled.lines().filter(|l| l.contains("--crate-name ladder_broken ")).collect();
    // Only the first rung, release, ran rustc for the package: no LTO, no `strip = true` (every
    // later rung has both).
    assert_eq!(own.len(), 1, "another rung was built:\n{compiled}");
    assert!(!own[0].contains("lto") && !own[0].contains("strip=symbols"), "{}", own[0]);
    let build_dir = target_dir().join("profile-info").join("target");
    assert!(build_dir.is_dir(), "compare's target dir: {}", build_dir.display());
    assert_eq!(files_named(&build_dir, "ladder-broken"), Vec::<PathBuf>::new());
}

/// Files called `name` under `dir`, at any depth but `deps/`, `build/` and `.fingerprint/`.
fn files_named(dir: &Path, name: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut found = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let file_name = entry.file_name();
        if path.is_dir() && !matches!(file_name.to_str(), Some("deps" | "build" | ".fingerprint" | "incremental")) {
            found.extend(files_named(&path, name));
        } else if file_name == name {
            found.push(path);
        }
    }
    found
}
