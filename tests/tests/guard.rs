//! The startup CPU guard on real binaries, under real CPU models (qemu-user) and natively.
//!
//! Each fixture is built once (its own cargo profile, so fixtures with different `target-cpu`
//! keep their dependencies apart in the shared target dir) and run many times. Expectations never
//! come from lists written here: a baseline probe binary, run under the same CPU model, reports
//! what `profile_info::cpu::missing_for` finds missing for the fixture's own document — the Rust
//! evaluation of the feature table, independent of the guard's assembly — and glibc's ld.so,
//! under the same model, vouches for the probe's idea of the model's level.

use profile_info::cpu::GUARD_EXIT_CODE;
use profile_info_core::x86;
use profile_info_tests::{Build, Fixture, Run};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

const TRIPLE: &str = "x86_64-unknown-linux-gnu";

/// `main` itself uses v3 code: LZCNT for `leading_zeros`, MULX for the 128-bit product, AVX2 for
/// the vectorised loop (`guard_v3_main_uses_v3_instructions` checks the disassembly).
const APP: &str = r#"#[profile_info::main]
fn main() {
    let n = std::hint::black_box(std::env::args().count() as u64);
    let lz = n.leading_zeros();
    let wide = ((n as u128 * 0x9e37_79b9_7f4a_7c15) >> 64) as u64;
    let v: Vec<u32> = (0..4096u32).map(|i| i.wrapping_mul(n as u32 + 7)).collect();
    let sum = std::hint::black_box(&v).iter().fold(0u32, |a, b| a.wrapping_add(b ^ (b >> 3)));
    println!("ran {lz} {wide} {sum}");
}
"#;

/// Baseline, and the oracle: prints what `missing_for` finds missing for the document given as
/// its argument, then the host's level.
const PROBE: &str = r#"#[profile_info::main]
fn main() {
    let Some(json) = std::env::args().nth(1) else { return println!("ran") };
    let info: profile_info::BuildInfo = serde_json::from_str(&json).expect("a document");
    let missing: Vec<String> = profile_info::cpu::missing_for(&info).iter().map(|m| m.to_string()).collect();
    println!("{}", missing.join(", "));
    println!("{}", profile_info::cpu::host().level.unwrap_or("none"));
}
"#;

/// `cpu_guard!()` next to the attribute: two guards, no symbol clash.
const BOTH: &str = r#"profile_info::cpu_guard!();

#[profile_info::main]
fn main() {
    println!("ran {}", std::hint::black_box(std::env::args().count() as u64).leading_zeros());
}
"#;

/// `cpu_guard!()` alone; the attribute's guard is switched off.
const MACRO_ONLY: &str = r#"profile_info::cpu_guard!();

#[profile_info::main(guard = false)]
fn main() {
    println!("ran {}", std::hint::black_box(std::env::args().count() as u64).leading_zeros());
}
"#;

struct Built {
    build: Build,
    /// The document the macro embedded, read from the file's section (no need to run it).
    doc: Value,
}

/// Builds `name` with `-C target-cpu=CPU` (none for `None`), more RUSTFLAGS and `--target`, in
/// the cargo profile `guard-PROFILE`, so that fixtures with different flags keep their
/// dependencies apart.
fn build(name: &str, main_rs: &str, profile: &str, cpu: Option<&str>, more_flags: &str) -> Built {
    build_package(name, &[("src/main.rs", main_rs)], (profile, ""), cpu, more_flags)
}

/// [`build`] for a package of several files, its profile with more settings.
fn build_package(
    name: &str,
    files: &[(&str, &str)],
    (profile, settings): (&str, &str),
    cpu: Option<&str>,
    more_flags: &str,
) -> Built {
    let profile = format!("guard-{profile}");
    let manifest = format!(
        "[dependencies.serde_json]\nversion = \"1\"\n\n[profile.{profile}]\ninherits = \"release\"\n{settings}"
    );
    // `serde` for the probe, which reads a document; on for every fixture so they share one build
    // of profile-info per profile.
    let fixture = Fixture::with_features(name, files, &manifest, &["serde"]);
    let flags = format!("{} {more_flags}", cpu.map(|c| format!("-C target-cpu={c}")).unwrap_or_default());
    let build = fixture.build(&["--profile", &profile, "--target", TRIPLE], &[("RUSTFLAGS", flags.trim())]);
    let doc = section(&build.binary);
    Built { build, doc }
}

/// Each fixture is built once per test process.
macro_rules! fixture {
    ($fn:ident, $name:expr, $main:expr, $profile:expr, $cpu:expr) => {
        fixture!($fn, $name, $main, $profile, $cpu, "");
    };
    ($fn:ident, $name:expr, $main:expr, $profile:expr, $cpu:expr, $flags:expr) => {
        fn $fn() -> &'static Built {
            static CELL: OnceLock<Built> = OnceLock::new();
            CELL.get_or_init(|| build($name, $main, $profile, $cpu, $flags))
        }
    };
}

fixture!(v2, "guard-v2", APP, "x86-64-v2", Some("x86-64-v2"));
fixture!(v3, "guard-v3", APP, "x86-64-v3", Some("x86-64-v3"));
fixture!(v4, "guard-v4", APP, "x86-64-v4", Some("x86-64-v4"));
fixture!(probe, "guard-probe", PROBE, "baseline", None);
fixture!(both, "guard-both", BOTH, "x86-64-v3", Some("x86-64-v3"));
fixture!(macro_only, "guard-macro", MACRO_ONLY, "x86-64-v3", Some("x86-64-v3"));
fixture!(v3_static, "guard-v3-static", APP, "x86-64-v3-static", Some("x86-64-v3"), "-C target-feature=+crt-static");
// SHA512 (Arrow Lake, Lunar Lake): leaf 7 subleaf 1, which QEMU 7.2 models on no CPU.
fixture!(sha512, "guard-sha512", APP, "sha512", None, "-C target-feature=+sha512");

/// The JSON of the `.profile_info` section: magic, version 1, length, JSON.
fn section(binary: &Path) -> Value {
    let bytes = std::fs::read(binary).expect("read binary");
    let magic = b"PRFLINFO\x01\0\0\0";
    let at = bytes.windows(magic.len()).position(|w| w == magic).expect("a .profile_info section");
    let len = u32::from_le_bytes(bytes[at + 12..at + 16].try_into().unwrap()) as usize;
    serde_json::from_slice(&bytes[at + 16..at + 16 + len]).expect("section JSON")
}

fn qemu_command(cpu: &str, binary: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("qemu-x86_64");
    cmd.args(["-cpu", cpu]).arg(binary).args(args);
    cmd
}

fn qemu(cpu: &str, binary: &Path, args: &[&str]) -> Run {
    Run::of(&mut qemu_command(cpu, binary, args))
}

/// What the model lacks for this document, as `missing_for` says, and the model's level.
fn expected_missing(cpu: &str, doc: &Value) -> (String, String) {
    // glibc picks its AVX2 string functions on AVX2 + BMI2, and they use BZHI, which QEMU 7.2
    // only decodes when BMI1 is present too: under `Haswell,-bmi1` even /bin/ls dies of SIGILL.
    // The probe is ordinary libc-using code, so glibc is told to leave those functions alone
    // (the tunable changes glibc's choice only, not what CPUID reports).
    let mut cmd = qemu_command(cpu, &probe().build.binary, &[&doc.to_string()]);
    let r = Run::of(cmd.env("GLIBC_TUNABLES", "glibc.cpu.hwcaps=-BMI2"));
    assert_eq!(r.code, Some(0), "probe under {cpu}: {}", r.stderr);
    let mut lines = r.stdout.lines().map(str::to_owned);
    (lines.next().unwrap_or_default(), lines.next().unwrap_or_default())
}

/// The highest level glibc's ld.so marks "supported" under the model.
fn ld_so_level(cpu: &str) -> String {
    let r = qemu(cpu, Path::new("/lib64/ld-linux-x86-64.so.2"), &["--help"]);
    let supported = r.stdout.lines().filter(|l| l.contains("(supported")).filter_map(|l| l.split_whitespace().next());
    supported.filter(|name| name.starts_with("x86-64-v")).max().unwrap_or("x86-64").to_owned()
}

/// The refusal the guard must print for `missing` (as `missing_for` renders it).
fn refusal(doc: &Value, missing: &str) -> String {
    let t = &doc["target"];
    let level = t["level"].as_str().unwrap();
    let level = if level == "x86-64" { String::new() } else { format!("{level} ") };
    format!(
        "{}: this binary needs {level}CPU features this host lacks: {missing} (built with target-cpu={})\n",
        doc["package"]["name"].as_str().unwrap(),
        t["cpu"].as_str().unwrap(),
    )
}

fn assert_refused(fixture: &Built, cpu: &str) -> String {
    let (missing, level) = expected_missing(cpu, &fixture.doc);
    assert!(!missing.is_empty(), "{cpu} should lack something of {}", fixture.doc["target"]);
    assert_eq!(level, ld_so_level(cpu), "probe and ld.so disagree on {cpu}'s level");
    let r = qemu(cpu, &fixture.build.binary, &[]);
    assert_eq!((r.code, r.stdout.as_str()), (Some(GUARD_EXIT_CODE.into()), ""), "under {cpu}: {}", r.stderr);
    assert_eq!(r.stderr, refusal(&fixture.doc, &missing), "under {cpu}");
    missing
}

fn assert_runs(fixture: &Built, cpu: &str) {
    let (missing, _) = expected_missing(cpu, &fixture.doc);
    assert_eq!(missing, "", "{cpu} should have everything of {}", fixture.doc["target"]);
    let r = qemu(cpu, &fixture.build.binary, &[]);
    assert_eq!((r.code, r.stderr.as_str()), (Some(0), ""), "under {cpu}");
    assert!(r.stdout.starts_with("ran "), "under {cpu}: {}", r.stdout);
}

#[test]
fn v3_refused_by_older_models_naming_exactly_what_each_lacks() {
    let lists: Vec<String> =
        ["qemu64", "Nehalem", "SandyBridge", "IvyBridge"].iter().map(|cpu| assert_refused(v3(), cpu)).collect();
    // Each newer model lacks less: the lists really are per model.
    assert!(lists.windows(2).all(|w| w[0].len() > w[1].len()), "{lists:#?}");
}

#[test]
fn v3_runs_on_v3_models() {
    for cpu in ["Haswell", "Skylake-Client"] {
        assert_runs(v3(), cpu);
    }
}

/// The glibc this test runs on, as its `ldd` says: `(2, 36)`.
fn glibc_version() -> (u32, u32) {
    let out = Command::new("ldd").arg("--version").output().expect("ldd");
    let first = String::from_utf8(out.stdout).unwrap().lines().next().unwrap_or_default().to_owned();
    let version = first.rsplit(' ').next().unwrap_or_default();
    let mut parts = version.split('.').map(|p| p.parse().expect("a glibc version"));
    (parts.next().unwrap(), parts.next().unwrap())
}

#[test]
fn v3_static_links_glibcs_values_from_libc_a() {
    let fixture = v3_static();
    let nm = Command::new("nm").arg(&fixture.build.binary).output().expect("nm (binutils)");
    let nm = String::from_utf8(nm.stdout).unwrap();
    let leaf = nm.lines().find(|l| l.ends_with(" __x86_get_cpuid_feature_leaf")).expect("the symbol in the table");
    // glibc 2.33 introduced the function; an older libc.a must not be asked for it.
    let expected = if glibc_version() >= (2, 33) { " T " } else { " w " };
    assert!(leaf.contains(expected), "{leaf}");
    assert_refused(fixture, "Nehalem");
    assert_refused(fixture, "Haswell,-abm");
    assert_runs(fixture, "Haswell");
}

#[test]
fn v3_names_single_removed_features() {
    for (qemu_flag, feature) in [
        ("bmi2", "bmi2"),
        ("movbe", "movbe"),
        ("fma", "fma"),
        ("avx2", "avx2"),
        ("abm", "lzcnt"),
        ("bmi1", "bmi1"),
        ("f16c", "f16c"),
    ] {
        assert_eq!(assert_refused(v3(), &format!("Haswell,-{qemu_flag}")), feature);
    }
}

#[test]
fn v3_refused_without_os_avx_state() {
    let missing = assert_refused(v3(), "Haswell,-xsave");
    assert!(missing.contains("avx2 (OS has not enabled AVX state)"), "{missing}");
}

#[test]
fn v2_refused_by_qemu64_runs_on_nehalem() {
    assert_refused(v2(), "qemu64");
    assert_runs(v2(), "Nehalem");
}

#[test]
fn v4_refused_by_every_model() {
    // TCG has no AVX-512: the most capable model lacks exactly the AVX-512 part of v4.
    let missing = assert_refused(v4(), "Skylake-Client");
    assert_eq!(missing, "avx512bw, avx512cd, avx512dq, avx512f, avx512vl");
}

/// rustc's feature names that /proc/cpuinfo spells differently.
fn linux_flag(feature: &str) -> String {
    match feature {
        "lzcnt" => "abm".into(),
        "cmpxchg16b" => "cx16".into(),
        "sse3" => "pni".into(),
        "lahfsahf" => "lahf_lm".into(),
        f => f.replace('.', "_"),
    }
}

#[test]
fn v4_natively_as_proc_cpuinfo_predicts() {
    natively_as_proc_cpuinfo_predicts(v4());
}

#[test]
fn sha512_refused_where_cpuid_lacks_it() {
    // QEMU's most capable model has AVX2, which +sha512 implies, and lacks exactly SHA512.
    assert_eq!(assert_refused(sha512(), "Haswell"), "sha512");
    natively_as_proc_cpuinfo_predicts(sha512());
}

/// Runs the fixture on this machine: it starts when /proc/cpuinfo lists every feature of its
/// document, and is refused naming exactly those it does not list otherwise.
fn natively_as_proc_cpuinfo_predicts(fixture: &Built) {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").expect("/proc/cpuinfo");
    let flags: Vec<&str> =
        cpuinfo.lines().find_map(|l| l.strip_prefix("flags")).expect("a flags line").split_whitespace().collect();
    let features = fixture.doc["target"]["features"].as_array().unwrap().iter().map(|f| f.as_str().unwrap());
    // Linux hides the AVX-512 flags when the OS has not enabled their state, so a missing flag
    // covers both reasons.
    let missing: Vec<&str> = features.filter(|f| !flags.contains(&linux_flag(f).as_str())).collect();
    let r = Run::of(&mut Command::new(&fixture.build.binary));
    if missing.is_empty() {
        assert_eq!((r.code, r.stderr.as_str()), (Some(0), ""));
        assert!(r.stdout.starts_with("ran "));
    } else {
        assert_eq!(r.code, Some(GUARD_EXIT_CODE.into()), "{}", r.stderr);
        let named = r.stderr.split(": ").nth(2).and_then(|s| s.rsplit_once(" (built")).expect("a refusal").0;
        let named: Vec<&str> = named.split(", ").map(|n| n.split(" (").next().unwrap()).collect();
        assert_eq!(named, missing);
    }
}

#[test]
fn baseline_runs_everywhere_and_carries_no_guard() {
    let probe = probe();
    assert_eq!(probe.doc["target"]["features"], serde_json::json!(["fxsr", "sse", "sse2"]));
    for cpu in ["qemu64", "Nehalem", "Haswell"] {
        let r = qemu(cpu, &probe.build.binary, &[]);
        assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (Some(0), "ran\n", ""), "under {cpu}");
    }
    assert_eq!(guards(&probe.build.binary), Vec::<String>::new());
    assert_eq!(guards(&v3().build.binary).len(), 1);
}

/// A package whose library and binary, one crate name, both expand a guard, joined by fat LTO
/// into one module of assembly.
fn lib_and_bin() -> &'static Built {
    static CELL: OnceLock<Built> = OnceLock::new();
    CELL.get_or_init(|| {
        let lib = "profile_info::cpu_guard!();\n\n\
                   pub fn lz(n: u64) -> u32 {\n    std::hint::black_box(n).leading_zeros()\n}\n";
        let main = "#[profile_info::main]\nfn main() {\n    println!(\"ran {}\", guard_lib_bin::lz(7));\n}\n";
        let files = [("src/lib.rs", lib), ("src/main.rs", main)];
        let fat = "lto = \"fat\"\ncodegen-units = 1\n";
        build_package("guard-lib-bin", &files, ("x86-64-v3-fat", fat), Some("x86-64-v3"), "")
    })
}

#[test]
fn library_and_binary_of_one_name_under_fat_lto() {
    let fixture = lib_and_bin();
    let names = guards(&fixture.build.binary);
    assert_eq!(names.len(), 2, "both guards linked, each under its own name: {names:?}");
    let r = qemu("Nehalem", &fixture.build.binary, &[]);
    assert_eq!(r.code, Some(GUARD_EXIT_CODE.into()));
    assert_eq!(r.stderr.lines().count(), 1, "one message: {}", r.stderr);
    assert_runs(fixture, "Haswell");
}

#[test]
fn cpu_guard_macro_alone_and_next_to_the_attribute() {
    assert_eq!(guards(&macro_only().build.binary).len(), 1, "guard = false drops only the attribute's");
    assert_eq!(guards(&both().build.binary).len(), 2);
    for fixture in [macro_only(), both()] {
        let r = qemu("Nehalem", &fixture.build.binary, &[]);
        assert_eq!(r.code, Some(GUARD_EXIT_CODE.into()));
        assert_eq!(r.stderr.lines().count(), 1, "one message: {}", r.stderr);
        assert_eq!(qemu("Haswell", &fixture.build.binary, &[]).code, Some(0));
    }
}

/// The guard functions in a binary, by symbol.
fn guards(binary: &Path) -> Vec<String> {
    let out = Command::new("nm").arg(binary).output().expect("nm (binutils)");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .filter(|s| s.starts_with("profile_info_guard_") && !s.ends_with("_data"))
        .map(str::to_owned)
        .collect()
}

/// One instruction as objdump shows it.
#[derive(Debug)]
struct Insn {
    addr: u64,
    bytes: Vec<u8>,
    /// Mnemonic and operands, Intel syntax.
    text: String,
}

/// objdump's disassembly of one function.
fn disassemble(binary: &Path, symbol: &str) -> Vec<Insn> {
    let out = Command::new("objdump")
        .args(["-d", "-M", "intel", "-w", &format!("--disassemble={symbol}")])
        .arg(binary)
        .output()
        .expect("objdump (binutils)");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let mut cols = l.split('\t');
            let (addr, bytes, text) = (cols.next()?, cols.next()?, cols.next()?);
            let addr = u64::from_str_radix(addr.trim().strip_suffix(':')?, 16).ok()?;
            let bytes = bytes.split_whitespace().map(|b| u8::from_str_radix(b, 16).unwrap()).collect();
            Some(Insn { addr, bytes, text: text.trim().to_owned() })
        })
        .collect()
}

/// Whether the guard's own CPUID instructions ran under `cpu`: QEMU's `-d in_asm` logs every
/// block (address and bytes of each instruction) the first time it runs, and the guard's load
/// address is where its first instructions appear with the same bytes at the same distances.
fn guard_ran_cpuid(binary: &Path, cpu: &str) -> bool {
    let code = disassemble(binary, &guards(binary)[0]);
    let log = std::env::temp_dir().join(format!("profile-info-guard-{}.log", std::process::id()));
    let r = Run::of(Command::new("qemu-x86_64").args(["-cpu", cpu, "-d", "in_asm", "-D"]).arg(&log).arg(binary));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let text = std::fs::read_to_string(&log).expect("qemu log");
    let _ = std::fs::remove_file(&log);
    let ran: std::collections::HashMap<u64, Vec<u8>> = text
        .lines()
        .filter_map(|l| {
            let (addr, rest) = l.strip_prefix("0x")?.split_once(':')?;
            let bytes =
                rest.split_whitespace().map_while(|b| (b.len() == 2).then(|| u8::from_str_radix(b, 16).ok()).flatten());
            Some((u64::from_str_radix(addr, 16).ok()?, bytes.collect()))
        })
        .collect();
    let prologue = &code[..10];
    let bases: Vec<u64> = ran
        .keys()
        .map(|a| a.wrapping_sub(code[0].addr))
        .filter(|base| prologue.iter().all(|i| ran.get(&base.wrapping_add(i.addr)) == Some(&i.bytes)))
        .collect();
    assert_eq!(bases.len(), 1, "the guard ran, at one address");
    code.iter().filter(|i| i.text == "cpuid").any(|i| ran.contains_key(&bases[0].wrapping_add(i.addr)))
}

#[test]
fn guard_uses_glibcs_values_when_it_can() {
    assert!(!guard_ran_cpuid(&v3().build.binary, "Haswell"), "dynamically linked: no CPUID of its own");
    let with_libc_a = glibc_version() >= (2, 33);
    assert_eq!(guard_ran_cpuid(&v3_static().build.binary, "Haswell"), !with_libc_a, "statically linked");
}

#[test]
fn guard_is_baseline_code() {
    const FORBIDDEN: &[&str] = &[
        "andn", "bextr", "blsi", "blsmsk", "blsr", "bzhi", "lzcnt", "tzcnt", "mulx", "pdep", "pext", "rorx", "sarx",
        "shlx", "shrx", "movbe", "popcnt", "adcx", "adox", "crc32",
    ];
    for fixture in [v3(), v4()] {
        let symbols = guards(&fixture.build.binary);
        assert_eq!(symbols.len(), 1);
        let code = disassemble(&fixture.build.binary, &symbols[0]);
        assert!(code.len() > 50, "the whole guard was disassembled: {code:?}");
        assert!(code.iter().any(|i| i.text == "cpuid") && code.iter().any(|i| i.text == "syscall"));
        for Insn { bytes, text, .. } in &code {
            let opcode = bytes.iter().find(|b| {
                !matches!(b, 0x40..=0x4f | 0x66 | 0x67 | 0xf0 | 0xf2 | 0xf3 | 0x2e | 0x36 | 0x3e | 0x26 | 0x64 | 0x65)
            });
            assert!(!matches!(opcode, Some(0xc4 | 0xc5 | 0x62)), "VEX/EVEX-encoded: {text} {bytes:02x?}");
            let mnemonic =
                text.split_whitespace().find(|w| !matches!(*w, "rep" | "repz" | "repnz" | "lock")).unwrap_or("");
            assert!(!FORBIDDEN.contains(&mnemonic) && !mnemonic.starts_with('v'), "not baseline: {text}");
        }
    }
}

#[test]
fn guard_v3_main_uses_v3_instructions() {
    let binary = &v3().build.binary;
    let out = Command::new("nm").arg(binary).output().expect("nm");
    let main = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .find(|s| s.starts_with("_ZN8guard_v34main17h"))
        .expect("the fixture's main")
        .to_owned();
    let code = disassemble(binary, &main);
    let uses = |m: &str| code.iter().any(|i| i.text.starts_with(m));
    assert!(uses("lzcnt") && uses("mulx") && code.iter().any(|i| i.text.contains("ymm")), "main lacks v3 code");
}

/// rustc's answer, as a list of lines, for the x86_64 Linux target.
fn rustc_print(args: &[&str]) -> Vec<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(rustc).args(["--target", TRIPLE]).args(args).output().expect("run rustc");
    assert!(out.status.success(), "rustc {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect()
}

#[test]
fn every_feature_stable_rustc_reports_is_in_the_table_or_listed() {
    // `    name    - description`, in rustc's list and in LLVM's.
    let names: Vec<String> = rustc_print(&["--print", "target-features"])
        .iter()
        .filter(|l| l.starts_with("    ") && l.contains(" - "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect();
    assert!(names.len() > 100 && names.iter().any(|n| n == "avx2"), "{names:?}");
    let reported: Vec<&String> = names
        .iter()
        .filter(|f| {
            rustc_print(&["--print", "cfg", &format!("-Ctarget-feature=+{f}")])
                .contains(&format!("target_feature=\"{f}\""))
        })
        .collect();
    assert!(reported.iter().any(|f| *f == "avx512f"), "{reported:?}");
    let unknown: Vec<&&String> =
        reported.iter().filter(|f| x86::feature(f).is_none() && !x86::WITHOUT_CPUID.contains(&f.as_str())).collect();
    assert_eq!(unknown, Vec::<&&String>::new(), "reported by stable rustc, neither in FEATURES nor in WITHOUT_CPUID");
    // And the other way: what the table says rustc reports, it does.
    for f in x86::FEATURES {
        assert_eq!(reported.iter().any(|r| *r == f.name), f.in_cfg, "{}: in_cfg", f.name);
    }
}
