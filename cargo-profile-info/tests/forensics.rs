//! The truth matrix: binaries built by cargo with known settings, none of them using
//! `#[profile_info::main]`, and each fact `inspect` states about them compared with what cargo
//! passed rustc (`cargo build -v`), with rustc and rust-lld themselves, and with binutils
//! (`readelf`, `objdump -d`). A fact may be `null` only with its reason; every stated one must be
//! right.

use profile_info_tests::{run, target_dir, workspace, write_if_changed, Build, Fixture};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

const TOOL: &str = env!("CARGO_BIN_EXE_cargo-profile-info");

/// Work the optimiser turns into POPCNT with x86-64-v2 and into LZCNT (and AVX2) with v3;
/// `black_box` keeps it from being computed at compile time.
const HELLO: &str = r#"
#[inline(never)]
fn checksum(words: &[u32]) -> u32 {
    words.iter().map(|w| w.count_ones() + w.leading_zeros()).sum()
}

fn main() {
    let words: Vec<u32> = (0..std::hint::black_box(1000u32)).collect();
    println!("hello {}", checksum(&words));
}
"#;

/// A baseline build whose AVX2 path is only taken when the CPU has it.
const DISPATCH: &str = r#"
#[target_feature(enable = "avx2")]
unsafe fn sum_avx2(words: &[u32]) -> u32 {
    words.iter().fold(0u32, |a, w| a.wrapping_add(w.wrapping_mul(3)))
}

#[inline(never)]
fn sum_plain(words: &[u32]) -> u32 {
    words.iter().fold(0u32, |a, w| a.wrapping_add(w.wrapping_mul(3)))
}

fn main() {
    let words: Vec<u32> = (0..std::hint::black_box(1000u32)).collect();
    let sum = if is_x86_feature_detected!("avx2") { unsafe { sum_avx2(&words) } } else { sum_plain(&words) };
    println!("sum {sum}");
}
"#;

/// Profiles of the hello fixture, each one setting.
const PROFILES: &str = r#"
[profile.strip-debuginfo]
inherits = "dev"
strip = "debuginfo"

[profile.strip-symbols]
inherits = "release"
strip = "symbols"

[profile.kept]
inherits = "release"
strip = "none"

[profile.lines]
inherits = "release"
debug = "line-tables-only"

[profile.limited]
inherits = "release"
debug = "limited"

[profile.abort]
inherits = "release"
panic = "abort"

[profile.fat]
inherits = "release"
lto = "fat"
"#;

/// A package with no dependency at all (not even profile-info): what any Rust project is.
fn package(name: &str, files: &[(&str, &str)], manifest: &str) -> Fixture {
    let dir = workspace().join("target").join("fixtures").join(name);
    write_if_changed(
        &dir.join("Cargo.toml"),
        &format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n{manifest}"),
    );
    for (path, text) in files {
        write_if_changed(&dir.join(path), text);
    }
    Fixture { name: name.to_owned(), dir }
}

fn hello() -> Fixture {
    package("forensics-hello", &[("src/main.rs", HELLO)], PROFILES)
}

fn host_triple() -> String {
    let out = Command::new("rustc").arg("-vV").output().expect("rustc");
    String::from_utf8(out.stdout).unwrap().lines().find_map(|l| l.strip_prefix("host: ")).unwrap().to_owned()
}

/// The hello fixture under a profile, or with `-C target-cpu` (through `--target`, so build
/// scripts do not get it), built once per test process.
fn build(profile: &str, cpu: Option<&str>) -> &'static Build {
    static BUILT: Mutex<BTreeMap<String, &'static Build>> = Mutex::new(BTreeMap::new());
    let key = format!("{profile}-{}", cpu.unwrap_or("default-cpu"));
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    built.entry(key.clone()).or_insert_with(|| {
        let triple = host_triple();
        let mut args = vec!["--profile", profile];
        let flags = cpu.map(|c| format!("-C target-cpu={c}"));
        if flags.is_some() {
            args.extend(["--target", &triple]);
        }
        let env: Vec<(&str, &str)> = flags.iter().map(|f| ("RUSTFLAGS", f.as_str())).collect();
        let build = hello().build(&args, &env);
        // Builds for two CPUs write the same path: each keeps a copy of its own.
        let copy = target_dir().join("forensics-builds").join(&key).join("forensics-hello");
        std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
        std::fs::copy(&build.binary, &copy).unwrap();
        Box::leak(Box::new(Build { binary: copy, rustc_args: build.rustc_args }))
    })
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn inspect(binary: &Path) -> Value {
    let out = Command::new(TOOL).args(["inspect", "--json", path(binary)]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["document"], Value::Null);
    report["file"].clone()
}

/// `-C KEY=VALUE` as cargo passed it to rustc for the binary crate.
fn codegen(build: &Build, key: &str) -> Option<String> {
    build
        .rustc_args
        .windows(2)
        .find_map(|w| (w[0] == "-C").then(|| w[1].strip_prefix(&format!("{key}=")).map(str::to_owned)).flatten())
}

fn tool_output(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program} (binutils): {e}"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn sections(binary: &Path) -> String {
    tool_output("readelf", &["-SW", path(binary)])
}

/// Every fact holds against its oracle, or is null with a reason.
fn facts_hold(build: &Build) -> Value {
    let file = inspect(&build.binary);
    for (name, fact) in file.as_object().unwrap() {
        if let Some(fact) = fact.as_object() {
            let ok = match fact["value"].is_null() {
                true => fact["reason"].as_str().is_some_and(|r| !r.is_empty()),
                false => fact["evidence"].as_str().is_some_and(|r| !r.is_empty()),
            };
            assert!(ok, "{name}: {fact:?}");
        }
    }
    // rustc: the compiler that built it says its version and commit itself.
    let vv = tool_output("rustc", &["-vV"]);
    let field = |k: &str| vv.lines().find_map(|l| l.strip_prefix(&format!("{k}: "))).unwrap().to_owned();
    assert_eq!(file["rustc"]["value"]["version"], field("release"));
    assert_eq!(file["rustc"]["value"]["commit"], field("commit-hash"));
    assert_eq!(file["rustc"]["value"]["date"], field("commit-date"));
    // linker: rustc links with its rust-lld, which names its version.
    let lld = PathBuf::from(tool_output("rustc", &["--print", "sysroot"]).trim())
        .join("lib/rustlib")
        .join(host_triple())
        .join("bin/rust-lld");
    let version = tool_output(path(&lld), &["-flavor", "gnu", "--version"]);
    let linker = file["linker"]["value"].as_str().expect("LLD names itself");
    assert!(version.starts_with(&format!("{linker} ")), "{linker} vs {version}");
    // strip and debuginfo: what cargo asked for, and what readelf sees.
    let listing = sections(&build.binary);
    let symtab = listing.contains(" .symtab ");
    let debug = listing.contains(" .debug_info ");
    let expected = match codegen(build, "strip").as_deref() {
        Some("symbols") => "symbols",
        Some("debuginfo") => "debuginfo",
        None | Some("none") => "none",
        Some(other) => panic!("strip={other}"),
    };
    assert_eq!(file["strip"]["value"], expected, "cargo: {:?}", build.rustc_args);
    assert_eq!((symtab, debug), (expected != "symbols", expected == "none"), "readelf agrees with cargo");
    assert_eq!(file["debuginfo"]["value"]["present"], debug);
    if debug {
        assert_eq!(file["debuginfo"]["value"]["producers"], readelf_producers(&build.binary));
    }
    // panic: abort exactly when cargo passed -C panic=abort; unwind otherwise unless stripped.
    let panic = &file["panic"]["value"];
    match codegen(build, "panic").as_deref() {
        Some("abort") => assert_eq!(panic, "abort"),
        _ if symtab => assert_eq!(panic, "unwind"),
        _ => assert!(panic.is_null(), "{panic}"),
    }
    assert!(file["lto"]["value"].is_null() && file["codegen_units"]["value"].is_null());
    let isa = &file["isa"]["value"];
    assert_eq!(isa["symbols"], symtab);
    counts_match_objdump(&build.binary, isa);
    file
}

/// Each distinct `DW_AT_producer` with its number of units, as readelf prints them.
fn readelf_producers(binary: &Path) -> Value {
    let dump = tool_output("readelf", &["--debug-dump=info", path(binary)]);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for line in dump.lines() {
        let Some((_, rest)) = line.split_once("DW_AT_producer") else { continue };
        let rest = rest.trim_start_matches([' ', ':']);
        // `(indirect string, offset: 0x0): clang LLVM …` or the string itself.
        let producer = match rest.strip_prefix('(') {
            Some(r) => r.split_once("): ").map_or(r, |(_, p)| p),
            None => rest,
        };
        *counts.entry(producer.trim().to_owned()).or_default() += 1;
    }
    let mut list: Vec<(String, usize)> = counts.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list.into_iter().map(|(p, n)| serde_json::json!({"producer": p, "units": n})).collect()
}

/// The decoder's counts of a few instructions against objdump's disassembly of the same file.
fn counts_match_objdump(binary: &Path, isa: &Value) {
    let listing = tool_output("objdump", &["-d", "--no-show-raw-insn", path(binary)]);
    let mut mnemonics: BTreeMap<&str, u64> = BTreeMap::new();
    for line in listing.lines() {
        // `  401000:\tpopcnt %edi,%eax`
        let Some((_, insn)) = line.split_once(":\t") else { continue };
        if let Some(m) = insn.split_whitespace().next() {
            *mnemonics.entry(m).or_default() += 1;
        }
    }
    let ours = |name: &str| {
        isa["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["feature"] == name)
            .map_or(0, |f| f["count"].as_u64().unwrap())
    };
    let theirs = |m: &str| mnemonics.get(m).copied().unwrap_or(0);
    assert_eq!(ours("popcnt"), theirs("popcnt"), "popcnt");
    assert_eq!(ours("lzcnt"), theirs("lzcnt"), "lzcnt");
    assert_eq!(ours("cet_ibt"), theirs("endbr64"), "endbr64");
    let tzcnt =
        isa["features"].as_array().unwrap().iter().find(|f| f["feature"] == "bmi1").and_then(|f| f["tzcnt"].as_u64());
    assert_eq!(tzcnt.unwrap_or(0), theirs("tzcnt"), "tzcnt");
}

/// Precision per fact over the hello matrix: every stated fact was checked right by
/// [`facts_hold`] (which panics otherwise); the table says how many were stated and how many
/// were `null`, with their reasons (`cargo test … -- --nocapture` shows it).
#[test]
fn precision_per_fact() {
    let builds = [
        ("dev", None),
        ("release", None),
        ("strip-debuginfo", None),
        ("strip-symbols", None),
        ("kept", None),
        ("lines", None),
        ("limited", None),
        ("abort", None),
        ("fat", None),
        ("release", Some("x86-64-v2")),
        ("release", Some("x86-64-v3")),
    ];
    let mut table: BTreeMap<String, (usize, BTreeMap<String, usize>)> = BTreeMap::new();
    for (profile, cpu) in builds {
        let file = facts_hold(build(profile, cpu));
        for (name, fact) in file.as_object().unwrap() {
            let Some(fact) = fact.as_object() else { continue };
            let entry = table.entry(name.clone()).or_default();
            match fact["value"].is_null() {
                false => entry.0 += 1,
                true => *entry.1.entry(fact["reason"].as_str().unwrap().to_owned()).or_default() += 1,
            }
        }
    }
    println!("fact | stated and right | null: reason");
    for (name, (stated, nulls)) in &table {
        let nulls: Vec<String> = nulls.iter().map(|(r, n)| format!("{n}× {r}")).collect();
        println!("{name} | {stated}/{stated} | {}", nulls.join("; "));
    }
    // What the file always proves for these builds: the compiler, the linker, strip, debuginfo.
    for always in ["rustc", "linker", "strip", "debuginfo", "isa"] {
        assert_eq!(table[always].0, builds.len(), "{always}: {:?}", table[always]);
    }
}

#[test]
fn dev_keeps_symbols_and_debuginfo() {
    let file = facts_hold(build("dev", None));
    assert_eq!(file["isa"]["value"]["level"], "x86-64");
}

#[test]
fn release_and_its_strip_and_debuginfo_settings() {
    for profile in ["release", "strip-debuginfo", "strip-symbols", "kept", "lines", "limited"] {
        let file = facts_hold(build(profile, None));
        let isa = &file["isa"]["value"];
        match isa["symbols"].as_bool().unwrap() {
            true => assert_eq!(isa["level"], "x86-64", "{profile}"),
            false => assert!(isa["level"].is_null() && isa["level_reason"].is_string(), "{profile}"),
        }
    }
}

#[test]
fn panic_abort_and_fat_lto() {
    let abort = facts_hold(build("abort", None));
    assert_eq!(abort["panic"]["value"], "abort");
    let fat = build("fat", None);
    assert_eq!(codegen(fat, "lto").as_deref(), Some("fat"), "{:?}", fat.rustc_args);
    let file = facts_hold(fat);
    assert!(file["lto"]["reason"].is_string());
}

/// Built for a level, the code outside dispatched functions needs that level: POPCNT (v2) and
/// LZCNT (v3) in `checksum`, which objdump shows.
#[test]
fn target_cpu_levels() {
    for (cpu, insn) in [("x86-64-v2", "popcnt"), ("x86-64-v3", "lzcnt")] {
        let build = build("release", Some(cpu));
        let cargo_cpu = build.rustc_args.iter().any(|a| a == &format!("target-cpu={cpu}"));
        assert!(cargo_cpu, "cargo passed -C target-cpu={cpu}: {:?}", build.rustc_args);
        let file = facts_hold(build);
        let isa = &file["isa"]["value"];
        assert_eq!(isa["level"], cpu, "{isa:#}");
        let feature = isa["features"].as_array().unwrap().iter().find(|f| f["feature"] == insn).unwrap();
        let functions: Vec<&str> =
            feature["functions"].as_array().unwrap().iter().map(|f| f["function"].as_str().unwrap()).collect();
        assert!(functions.iter().any(|f| f.ends_with("checksum")), "{functions:?}");
        let checksum = objdump_function(&build.binary, "checksum");
        assert!(checksum.contains(&format!("\t{insn} ")), "{checksum}");
    }
}

/// `check --cpu` for every CPU rustc knows, against qemu running the v3 build on a few CPU models
/// (qemu's own model of each CPU, not rustc's).
#[test]
fn check_cpu_for_every_cpu_rustc_knows() {
    let v3 = build("release", Some("x86-64-v3"));
    let listing = tool_output("rustc", &["--print", "target-cpus"]);
    let cpus: Vec<&str> = listing.lines().skip(1).filter_map(|l| l.split_whitespace().next()).collect();
    assert!(cpus.len() > 50, "{cpus:?}");
    let out =
        Command::new(TOOL).args(["check", "--json", "--cpu", &cpus.join(","), path(&v3.binary)]).output().unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let verdicts = report["cpus"].as_array().unwrap();
    assert_eq!(verdicts.len(), cpus.len());
    assert!(verdicts.iter().all(|v| v["source"] == "isa"), "no document: the code's features");
    let pass = |cpu: &str| verdicts.iter().find(|v| v["cpu"] == cpu).unwrap()["pass"].as_bool().unwrap();
    for (rustc_name, qemu_model) in [("nehalem", "Nehalem"), ("haswell", "Haswell"), ("core2", "Core2Duo")] {
        let ran = Command::new("qemu-x86_64").args(["-cpu", qemu_model, path(&v3.binary)]).output().expect("qemu-user");
        assert_eq!(pass(rustc_name), ran.status.success(), "{rustc_name}: qemu {qemu_model}: {ran:?}");
    }
    assert!(!pass("x86-64-v2") && pass("x86-64-v3") && pass("x86-64-v4"));
    // --host without a document: the code's features against this CPU, which runs it or not.
    let host = Command::new(TOOL).args(["check", "--host", path(&v3.binary)]).output().unwrap();
    let native = run(&v3.binary, &[]);
    assert_eq!(host.status.code() == Some(0), native.status.success(), "{host:?} {native:?}");
    let unknown = Command::new(TOOL).args(["check", "--cpu", "no-such-cpu", path(&v3.binary)]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("knows no CPU `no-such-cpu`"));
}

/// A baseline build with an AVX2 path behind `is_x86_feature_detected!`: the AVX2 instructions
/// are counted but set apart, so the level stays the baseline, and qemu runs it on a CPU without
/// AVX2.
#[test]
fn runtime_dispatch_is_set_apart() {
    let fixture = package("forensics-dispatch", &[("src/main.rs", DISPATCH)], "");
    let build = fixture.build(&["--release"], &[]);
    let file = facts_hold(&build);
    let isa = &file["isa"]["value"];
    let avx2 = isa["features"].as_array().unwrap().iter().find(|f| f["feature"] == "avx2").expect("AVX2 code");
    assert!(avx2["count"].as_u64().unwrap() > 0 && avx2["outside_dispatched"] == 0, "{avx2}");
    assert!(isa["dispatched"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["function"].as_str().unwrap().ends_with("sum_avx2")));
    assert_eq!(isa["level"], "x86-64");
    let body = objdump_function(&build.binary, "sum_avx2");
    assert!(body.contains("%ymm"), "{body}");
    let check = Command::new(TOOL).args(["check", "--cpu", "nehalem", path(&build.binary)]).output().unwrap();
    assert_eq!(check.status.code(), Some(0), "{check:?}");
    let ran = Command::new("qemu-x86_64").args(["-cpu", "Nehalem", path(&build.binary)]).output().expect("qemu-user");
    assert!(ran.status.success() && ran.stdout.starts_with(b"sum "), "{ran:?}");
}

const C_POPCOUNT: &str = "int c_popcount(unsigned x) { return __builtin_popcount(x); }\n";

const BUILD_RS: &str = "fn main() {\n    let dir = std::env::var(\"CARGO_MANIFEST_DIR\").unwrap();\n    println!(\"cargo:rustc-link-search=native={dir}/clib\");\n    println!(\"cargo:rustc-link-lib=static=popcount\");\n    println!(\"cargo:rerun-if-changed=clib/libpopcount.a\");\n}\n";

/// `main.rs` calling the C library, under `attribute`.
fn calls_c(attribute: &str) -> String {
    format!("extern \"C\" {{ fn c_popcount(x: u32) -> i32; }}\n{attribute}\nfn main() {{\n    let n = unsafe {{ c_popcount(std::hint::black_box(255)) }};\n    println!(\"bits {{n}}\");\n}}\n")
}

/// Builds `clib/libpopcount.a` in the fixture with gcc (`-mpopcnt -g`) and ar.
fn c_library(fixture: &Fixture) {
    let clib = fixture.dir.join("clib");
    write_if_changed(&clib.join("popcount.c"), C_POPCOUNT);
    let object = clib.join("popcount.o");
    tool_output("gcc", &["-O2", "-mpopcnt", "-g", "-c", path(&clib.join("popcount.c")), "-o", path(&object)]);
    let archive = clib.join("libpopcount.a");
    let _ = std::fs::remove_file(&archive);
    tool_output("ar", &["rcs", path(&archive), path(&object)]);
}

/// A C library built with gcc (`-mpopcnt -g`) linked in: its producer shows in the DWARF and its
/// POPCNT raises the level the code needs, which qemu confirms.
#[test]
fn a_c_library_linked_in() {
    let fixture = package("forensics-clib", &[("src/main.rs", &calls_c("")), ("build.rs", BUILD_RS)], "");
    c_library(&fixture);
    let build = fixture.build(&[], &[]);
    let file = facts_hold(&build);
    let producers = file["debuginfo"]["value"]["producers"].to_string();
    assert!(producers.contains("GNU C"), "{producers}");
    assert_eq!(file["isa"]["value"]["level"], "x86-64-v2");
    let ran = run(&build.binary, &[]);
    assert_eq!(ran.stdout, b"bits 8\n");
    let core2 =
        Command::new("qemu-x86_64").args(["-cpu", "Core2Duo", path(&build.binary)]).output().expect("qemu-user");
    assert!(!core2.status.success(), "Core2 has no POPCNT: {core2:?}");
}

/// A profile-info binary whose C library uses more than its document's target.features: inspect
/// reports it, and `check --cpu` counts it (qemu agrees).
#[test]
fn code_beyond_the_document() {
    let main = calls_c("#[profile_info::main]");
    let fixture = Fixture::with_files("forensics-clib-doc", &[("src/main.rs", &main), ("build.rs", BUILD_RS)], "");
    c_library(&fixture);
    let build = fixture.build(&[], &[]);
    let own: Value = serde_json::from_slice(&run(&build.binary, &["--build-info=json"]).stdout).unwrap();
    let listed: Vec<&str> = own["target"]["features"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(!listed.contains(&"popcnt"), "{listed:?}");
    assert!(objdump_function(&build.binary, "c_popcount").contains("\tpopcnt "));
    let out = Command::new(TOOL).args(["inspect", "--json", path(&build.binary)]).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["document"], own);
    assert_eq!(report["code_beyond_document"], serde_json::json!(["popcnt"]));
    let text = Command::new(TOOL).args(["inspect", path(&build.binary)]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("the code needs popcnt beyond the document's target.features")
    );
    let check =
        Command::new(TOOL).args(["check", "--json", "--cpu", "core2,nehalem", path(&build.binary)]).output().unwrap();
    let verdicts: Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(verdicts["cpus"][0]["source"], "document+isa");
    for (i, model) in ["Core2Duo", "Nehalem"].into_iter().enumerate() {
        let ran = Command::new("qemu-x86_64").args(["-cpu", model, path(&build.binary)]).output().expect("qemu-user");
        assert_eq!(verdicts["cpus"][i]["pass"], ran.status.success(), "{model}: {verdicts} {ran:?}");
    }
}

/// `cargo auditable build` embeds its dependency list in `.dep-v0`: the section readelf lists.
#[test]
fn cargo_auditable_builds() {
    let fixture =
        package("forensics-auditable", &[("src/main.rs", "fn main() {\n    println!(\"audited\");\n}\n")], "");
    let out = fixture
        .cargo(&["auditable", "build", "--release"], &[])
        .output()
        .expect("cargo auditable (scripts/test.sh installs it)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let binary = target_dir().join("release").join("forensics-auditable");
    let file = inspect(&binary);
    let listing = sections(&binary);
    let size = listing
        .lines()
        .find_map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            let at = words.iter().position(|w| *w == ".dep-v0")?;
            u64::from_str_radix(words[at + 4], 16).ok()
        })
        .expect("readelf lists .dep-v0");
    assert_eq!(file["dependencies"]["value"]["section_bytes"], size);
}

/// Strange input: one line each, exit 2 only when nothing could be read, never a panic; in a
/// directory, what is not an executable is skipped without a word.
#[test]
fn bad_input_and_directories() {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("forensics-bad");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let good = &build("release", None).binary;
    let bytes = std::fs::read(good).unwrap();
    std::fs::write(tmp.join("empty"), b"").unwrap();
    std::fs::write(tmp.join("text.txt"), b"not a binary\n").unwrap();
    std::fs::write(tmp.join("truncated"), &bytes[..bytes.len() / 3]).unwrap();
    // 100 MB of xorshift bytes.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let random: Vec<u8> = (0..100 << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    std::fs::write(tmp.join("random"), &random).unwrap();
    drop(random);
    // `.comment` overwritten with bytes that are no text at all.
    let comment = readelf_section(good, ".comment");
    let mut garbage = bytes.clone();
    for (i, b) in garbage[comment.0..comment.0 + comment.1].iter_mut().enumerate() {
        *b = (i * 7 + 1) as u8;
    }
    std::fs::write(tmp.join("garbage-comment"), &garbage).unwrap();
    std::fs::copy(good, tmp.join("good")).unwrap();

    for name in ["empty", "text.txt", "truncated", "random"] {
        let out = Command::new(TOOL).args(["inspect", path(&tmp.join(name))]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(out.stdout.is_empty() && stderr.starts_with(path(&tmp.join(name))), "{name}: {stderr}");
    }
    let garbled = inspect(&tmp.join("garbage-comment"));
    assert!(garbled["rustc"]["evidence"].as_str().unwrap().contains("/rustc/"), "{garbled}");
    assert!(garbled["linker"]["value"].is_null());

    // The directory: the three ELF files that parse are read, truncated and random fail (random
    // is skipped: it does not start like an executable), text and empty files are skipped.
    let out = Command::new(TOOL).args(["inspect", "--json", path(&tmp)]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let read: Vec<Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let names: Vec<&str> = read.iter().map(|r| r["path"].as_str().unwrap().rsplit('/').next().unwrap()).collect();
    assert_eq!(names, ["garbage-comment", "good"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("truncated"), "{stderr}");
    let check = Command::new(TOOL).args(["check", "--cpu", "x86-64", path(&tmp)]).output().unwrap();
    assert_eq!(check.status.code(), Some(0), "{check:?}");
    assert_eq!(String::from_utf8_lossy(&check.stdout).lines().count(), 2);
}

/// objdump's disassembly of the function whose symbol names `name`.
fn objdump_function(binary: &Path, name: &str) -> String {
    let listing = tool_output("objdump", &["-d", "--no-show-raw-insn", path(binary)]);
    listing
        .split("\n\n")
        .find(|f| f.trim_start().lines().next().is_some_and(|l| l.contains(name) && l.ends_with(">:")))
        .unwrap_or_else(|| panic!("objdump shows no {name}"))
        .to_owned()
}

/// Offset and size of a section, as readelf lists it.
fn readelf_section(binary: &Path, name: &str) -> (usize, usize) {
    sections(binary)
        .lines()
        .find_map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            let at = words.iter().position(|w| *w == name)?;
            Some((usize::from_str_radix(words[at + 3], 16).ok()?, usize::from_str_radix(words[at + 4], 16).ok()?))
        })
        .expect("readelf lists the section")
}
