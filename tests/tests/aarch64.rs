//! The startup CPU guard on aarch64, tested without an aarch64 std: the guard exactly as the macro
//! emits it (`cpu_guard!()` expanded by a real cargo build for `--target aarch64-unknown-linux-gnu`
//! of a `#![no_core]` crate, emitted as an object), linked with Debian's `gcc-aarch64-linux-gnu`
//! to a C `main` that prints `ok`, statically and dynamically, and run under qemu-aarch64's CPU
//! models. The binaries stay at `target/aarch64-guard/<target-cpu>/guard` (static glibc) and
//! `guard-dynamic`, to run by hand: `qemu-aarch64 -cpu neoverse-n1 target/aarch64-guard/neoverse-v1/guard`
//! (add `-L /usr/aarch64-linux-gnu` for the dynamic one). Each is linked again only when its
//! object changed.
//!
//! Expectations share nothing with profile-info's table: which features a build has is rustc's
//! `--print cfg` for its flags; what a model offers is its `AT_HWCAP`/`AT_HWCAP2`, printed by a C
//! probe under the same model from `/proc/self/auxv`; which bits a feature needs is std_detect's
//! rules, transcribed below in std_detect's own terms.

use profile_info_core::aarch64;
use profile_info_tests::{cargo, workspace, write_if_changed, Run};
use std::path::{Path, PathBuf};
use std::process::Command;

const GNU: &str = "aarch64-unknown-linux-gnu";
const MUSL: &str = "aarch64-unknown-linux-musl";

/// Graviton 2 (Neoverse N1), 3 (V1) and 4 (V2), older Cortex cores, A64FX and Apple M1.
const TARGET_CPUS: &[&str] =
    &["cortex-a53", "cortex-a76", "neoverse-n1", "neoverse-v1", "neoverse-v2", "a64fx", "apple-m1"];

/// One guard binary: where it goes under `target/aarch64-guard`, its target-cpu and rustc flags.
struct GuardBuild {
    name: String,
    cpu: &'static str,
    flags: Vec<String>,
}

/// Each of [`TARGET_CPUS`], and one build that needs an `AT_HWCAP2` bit (I8MM) besides `AT_HWCAP`
/// ones that A64FX has: no qemu model has every `AT_HWCAP` feature of the named server CPUs
/// (none reports SSBS), so without it no host would be refused for an `AT_HWCAP2` bit alone.
fn builds() -> Vec<GuardBuild> {
    let mut builds: Vec<GuardBuild> = TARGET_CPUS
        .iter()
        .map(|&cpu| GuardBuild { name: cpu.to_owned(), cpu, flags: vec![format!("-Ctarget-cpu={cpu}")] })
        .collect();
    let flags = vec!["-Ctarget-cpu=cortex-a53".to_owned(), "-Ctarget-feature=+lse,+i8mm".to_owned()];
    builds.push(GuardBuild { name: "cortex-a53+lse+i8mm".into(), cpu: "cortex-a53", flags });
    builds
}

/// qemu-aarch64's CPU models (7.2 has no Neoverse V1 or V2).
const MODELS: &[&str] = &["cortex-a53", "cortex-a72", "cortex-a76", "neoverse-n1", "a64fx", "max", "max,sve=off"];

/// std_detect's `detect/os/linux/aarch64.rs` (rust-lang/rust, library/std_detect, as of commit
/// 0c34e8c2ef37, which has a rule for every feature of rustc 1.95 with a bit), `AtHwcap` and
/// `AtHwcap::cache`: the features `is_aarch64_feature_detected!` reports for these auxiliary
/// vector words, by rustc's names (std_detect's `asimd` is rustc's `neon`). Features std_detect
/// has no rule for on Linux are absent from the answer's keys.
fn std_detect(hwcap: u64, hwcap2: u64) -> Vec<(&'static str, bool)> {
    let b1 = |bit: u32| hwcap & (1 << bit) != 0;
    let b2 = |bit: u32| hwcap2 & (1 << bit) != 0;
    let (fp, asimd, aes, sha1, sha2, crc32, atomics, fphp, asimdhp) =
        (b1(0), b1(1), b1(3), b1(5), b1(6), b1(7), b1(8), b1(9), b1(10));
    let (asimdrdm, jscvt, fcma, lrcpc, dcpop, sha3, sm3, sm4, asimddp, sha512, sve, fhm) =
        (b1(12), b1(13), b1(14), b1(15), b1(16), b1(17), b1(18), b1(19), b1(20), b1(21), b1(22), b1(23));
    let (dit, uscat, ilrcpc, flagm, ssbs, sb, paca, pacg) =
        (b1(24), b1(25), b1(26), b1(27), b1(28), b1(29), b1(30), b1(31));
    let (dcpodp, sve2b, sveaes, svepmull, svebitperm, svesha3, svesm4, flagm2, frint) =
        (b2(0), b2(1), b2(2), b2(3), b2(4), b2(5), b2(6), b2(7), b2(8));
    let (svef32mm, svef64mm, i8mm, bf16, rng, bti, mte, ecv) =
        (b2(10), b2(11), b2(13), b2(14), b2(16), b2(17), b2(18), b2(19));
    let (smeb, smei16i64, smef64f64, smefa64, wfxt, cssc, sve2p1b, sme2b, sme2p1b) =
        (b2(23), b2(24), b2(25), b2(30), b2(31), b2(34), b2(36), b2(37), b2(38));
    let (smeb16b16, smef16f16, mops, hbc, sveb16b16, lrcpc3, lse128, lut, faminmax) =
        (b2(41), b2(42), b2(43), b2(44), b2(45), b2(46), b2(47), b2(49), b2(50));
    let (f8cvt, f8fma, f8dp4, f8dp2, smelutv2, smef8f16, smef8f32, smesf8fma, smesf8dp4, smesf8dp2) =
        (b2(51), b2(52), b2(53), b2(54), b2(57), b2(58), b2(59), b2(60), b2(61), b2(62));

    let asimd_ok = fp && asimd && (!fphp | asimdhp);
    let rcpc2 = ilrcpc && lrcpc;
    let sve2 = sve2b && sve && asimd_ok;
    let fp8 = f8cvt && faminmax && lut && bf16;
    let fp8fma = f8fma && fp8;
    let fp8dot4 = f8dp4 && fp8fma;
    let sme = smeb && bf16;
    let sme2 = sme2b && sme;
    let sme_f8f32 = smef8f32 && sme2 && fp8;
    let ssve_fp8fma = smesf8fma && sme2 && fp8;
    let ssve_fp8dot4 = smesf8dp4 && ssve_fp8fma;
    vec![
        ("fp16", fp && fphp),
        ("fhm", fphp && fhm),
        ("crc", crc32),
        ("lse", atomics),
        ("lse2", uscat),
        ("lse128", lse128 && atomics),
        ("rcpc", lrcpc),
        ("rcpc2", rcpc2),
        ("rcpc3", lrcpc3 && rcpc2),
        ("dit", dit),
        ("flagm", flagm),
        ("flagm2", flagm2),
        ("ssbs", ssbs),
        ("sb", sb),
        ("paca", paca),
        ("pacg", pacg),
        ("dpb", dcpop),
        ("dpb2", dcpodp),
        ("rand", rng),
        ("bti", bti),
        ("mte", mte),
        ("jsconv", jscvt && fp),
        ("rdm", asimdrdm),
        ("dotprod", asimddp),
        ("frintts", frint),
        ("i8mm", i8mm),
        ("bf16", bf16),
        ("neon", asimd_ok),
        ("fcma", fcma && asimd_ok),
        ("sve", sve && asimd_ok),
        ("f32mm", svef32mm && sve && asimd_ok),
        ("f64mm", svef64mm && sve && asimd_ok),
        ("aes", aes && asimd_ok),
        ("sha2", sha1 && sha2 && asimd_ok),
        ("sha3", sha512 && sha3 && sha1 && sha2 && asimd_ok),
        ("sm4", sm3 && sm4 && asimd_ok),
        ("sve2", sve2),
        ("sve2p1", sve2p1b && sve2),
        ("sve2-aes", sveaes && svepmull && sve2 && aes),
        ("sve2-sm4", svesm4 && sve2 && sm3 && sm4),
        ("sve2-sha3", svesha3 && sve2 && sha512 && sha3 && sha1 && sha2),
        ("sve2-bitperm", svebitperm && sve2b),
        ("sve-b16b16", bf16 && sveb16b16),
        ("hbc", hbc),
        ("mops", mops),
        ("ecv", ecv),
        ("lut", lut),
        ("cssc", cssc),
        ("faminmax", faminmax),
        ("fp8", fp8),
        ("fp8fma", fp8fma),
        ("fp8dot4", fp8dot4),
        ("fp8dot2", f8dp2 && fp8dot4),
        ("wfxt", wfxt),
        ("sme", sme),
        ("sme-i16i64", smei16i64 && sme),
        ("sme-f64f64", smef64f64 && sme),
        ("sme-fa64", smefa64 && sme && sve2),
        ("sme2", sme2),
        ("sme2p1", sme2p1b && sme2),
        ("sme-b16b16", sme2 && bf16 && sveb16b16 && smeb16b16),
        ("sme-f16f16", smef16f16 && sme2),
        ("sme-lutv2", smelutv2),
        ("sme-f8f32", sme_f8f32),
        ("sme-f8f16", smef8f16 && sme_f8f32),
        ("ssve-fp8fma", ssve_fp8fma),
        ("ssve-fp8dot4", ssve_fp8dot4),
        ("ssve-fp8dot2", smesf8dp2 && ssve_fp8dot4),
    ]
}

fn rustc_stdout(args: &[&str]) -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(rustc).args(args).output().expect("run rustc");
    assert!(out.status.success(), "rustc {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// rustc's own aarch64 features (`--print target-features`, before LLVM's list).
fn rustc_features() -> Vec<String> {
    rustc_stdout(&["--print", "target-features", "--target", GNU])
        .lines()
        .take_while(|l| !l.starts_with("Code-generation features"))
        .filter(|l| l.starts_with("    ") && l.contains(" - "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

/// The features rustc enables with these flags, as `cfg(target_feature)` reports them.
fn cfg_features(flags: &[String]) -> Vec<String> {
    let mut args = vec!["--print", "cfg", "--target", GNU];
    args.extend(flags.iter().map(String::as_str));
    rustc_stdout(&args)
        .lines()
        .filter_map(|l| l.strip_prefix("target_feature=\"")?.strip_suffix('"').map(str::to_owned))
        .collect()
}

#[test]
fn aarch64_table_follows_std_detect_for_every_rustc_feature() {
    let names = rustc_features();
    assert!(names.len() > 60 && names.iter().any(|n| n == "sve2"), "{names:?}");
    let detectable: Vec<&str> = std_detect(0, 0).iter().map(|r| r.0).collect();
    for name in &names {
        let lists = [
            aarch64::feature(name).is_some(),
            aarch64::NOT_CPU.contains(&name.as_str()),
            aarch64::NO_HWCAP.contains(&name.as_str()),
        ];
        assert_eq!(lists.iter().filter(|&&l| l).count(), 1, "{name}: in exactly one of FEATURES, NOT_CPU, NO_HWCAP");
        assert_eq!(
            aarch64::feature(name).is_some(),
            detectable.contains(&name.as_str()),
            "{name}: std_detect detects it"
        );
    }
    for f in aarch64::FEATURES {
        assert!(names.iter().any(|n| n == f.name), "{} is not a rustc feature", f.name);
    }
    // Every single bit taken away from a host that has all: a rule that is a conjunction of bits
    // (std_detect's are, FPHP/ASIMDHP aside, which the architecture ties together) agrees on all
    // of them only if it names the same bits.
    let mut hosts = vec![(u64::MAX, u64::MAX), (0, 0)];
    for bit in 0..64 {
        let without = |b: u32| if b == 9 || b == 10 { !(1u64 << 9 | 1 << 10) } else { !(1u64 << b) };
        hosts.push((without(bit), u64::MAX));
        hosts.push((u64::MAX, !(1u64 << bit)));
    }
    for (hwcap, hwcap2) in hosts {
        let support = aarch64::Support { hwcap, hwcap2 };
        for (name, detected) in std_detect(hwcap, hwcap2) {
            assert_eq!(support.has_name(name), Some(detected), "{name} on AT_HWCAP {hwcap:#x} AT_HWCAP2 {hwcap2:#x}");
        }
    }
}

/// Where the matrix's files live: `target/aarch64-guard`.
fn out_dir() -> PathBuf {
    workspace().join("target").join("aarch64-guard")
}

const MINICORE: &str = r#"//! The one item of `core` the guard's expansion names.
#![feature(no_core, rustc_attrs, decl_macro)]
#![no_core]
#![allow(internal_features)]

pub mod arch {
    #[rustc_builtin_macro]
    pub macro global_asm("assembly template", $(operands,)* $(options($(option),*))?) {
        /* compiler built-in */
    }
}
"#;

const GUARD_LIB: &str = r#"#![feature(no_core)]
#![no_core]

extern crate minicore as core;

profile_info_macros::cpu_guard!();
"#;

const MAIN_C: &str = "#include <stdio.h>\nint main(void) { puts(\"ok\"); return 0; }\n";

/// Prints `AT_HWCAP` and `AT_HWCAP2` as the kernel (here qemu-user) hands them over, from
/// `/proc/self/auxv` rather than through `getauxval`, which the guard uses.
const PROBE_C: &str = r#"#include <elf.h>
#include <stdint.h>
#include <stdio.h>
int main(void) {
    FILE *f = fopen("/proc/self/auxv", "rb");
    uint64_t entry[2], hwcap = 0, hwcap2 = 0;
    if (!f) return 1;
    while (fread(entry, sizeof entry, 1, f) == 1 && entry[0] != AT_NULL) {
        if (entry[0] == AT_HWCAP) hwcap = entry[1];
        if (entry[0] == AT_HWCAP2) hwcap2 = entry[1];
    }
    printf("%llx %llx\n", (unsigned long long)hwcap, (unsigned long long)hwcap2);
    return 0;
}
"#;

/// The fixture package: a `#![no_core]` library expanding `cpu_guard!()`, and the stand-in for
/// `core` it needs.
fn fixture() -> PathBuf {
    let dir = workspace().join("target").join("fixtures").join("aarch64-guard");
    let macros = workspace().join("profile-info-macros");
    write_if_changed(
        &dir.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"guard\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n\
             profile-info-macros = {{ path = {macros:?} }}\nminicore = {{ path = \"minicore\" }}\n\n[workspace]\n"
        ),
    );
    write_if_changed(&dir.join("src/lib.rs"), GUARD_LIB);
    write_if_changed(
        &dir.join("minicore/Cargo.toml"),
        "[package]\nname = \"minicore\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write_if_changed(&dir.join("minicore/src/lib.rs"), MINICORE);
    dir
}

/// The guard's object for `target` and the build's flags, as cargo builds the crate: the macro
/// runs in that rustc and asks it about the target, as in any build. Written to `dir/guard.o`;
/// compiled every time (`lib.rs` is touched), since cargo would not write the object again for
/// flags it has just compiled with.
fn object(dir: &Path, target: &str, build: &GuardBuild) -> PathBuf {
    std::fs::create_dir_all(dir).expect("out dir");
    let obj = dir.join("guard.o");
    let package = fixture();
    std::fs::File::options()
        .append(true)
        .open(package.join("src/lib.rs"))
        .and_then(|f| f.set_modified(std::time::SystemTime::now()))
        .expect("touch lib.rs");
    let emit = format!("--emit=obj={}", obj.display());
    let args = ["rustc", "--release", "--lib", "--target", target, "--", "-Ccodegen-units=1", &emit];
    let mut cmd = cargo(&package, &args, &[("RUSTC_BOOTSTRAP", "minicore,guard")]);
    let out = cmd.args(&build.flags).output().expect("run cargo");
    assert!(out.status.success(), "cargo {args:?} {:?}:\n{}", build.flags, String::from_utf8_lossy(&out.stderr));
    obj
}

/// `gcc` for aarch64 (Debian's `gcc-aarch64-linux-gnu`), compiling `sources` to `out` unless the
/// inputs are as they were when `out` was made.
fn link(sources: &[&Path], extra: &[&str], out: &Path) {
    let stamp = out.with_extension("inputs");
    let mut inputs = Vec::new();
    for s in sources {
        inputs.extend(std::fs::read(s).expect("input"));
    }
    inputs.extend(extra.join(" ").bytes());
    if out.exists() && std::fs::read(&stamp).ok().as_deref() == Some(&inputs[..]) {
        return;
    }
    let gcc = Command::new("aarch64-linux-gnu-gcc").args(extra).args(sources).arg("-o").arg(out).output();
    let gcc = gcc.expect("aarch64-linux-gnu-gcc (gcc-aarch64-linux-gnu, installed by scripts/test.sh)");
    assert!(gcc.status.success(), "linking {}: {}", out.display(), String::from_utf8_lossy(&gcc.stderr));
    std::fs::write(&stamp, inputs).expect("stamp");
}

fn c_source(name: &str, text: &str) -> PathBuf {
    let path = out_dir().join(name);
    write_if_changed(&path, text);
    path
}

/// Runs an aarch64 binary under qemu-aarch64 with a CPU model, with the cross glibc for a
/// dynamic one.
fn qemu(model: &str, binary: &Path, dynamic: bool) -> Run {
    let mut cmd = Command::new("qemu-aarch64");
    if dynamic {
        cmd.args(["-L", "/usr/aarch64-linux-gnu"]);
    }
    Run::of(cmd.args(["-cpu", model]).arg(binary))
}

/// A model's `AT_HWCAP` and `AT_HWCAP2`, as the probe prints them under it.
fn model_hwcaps(probe: &Path, model: &str) -> (u64, u64) {
    let r = qemu(model, probe, false);
    assert_eq!(r.code, Some(0), "probe under {model}: {}", r.stderr);
    let words: Vec<u64> = r.stdout.split_whitespace().map(|w| u64::from_str_radix(w, 16).expect("hex")).collect();
    (words[0], words[1])
}

#[test]
fn aarch64_guard_matrix_under_qemu_models() {
    std::fs::create_dir_all(out_dir()).expect("out dir");
    let probe = out_dir().join("probe");
    link(&[&c_source("probe.c", PROBE_C)], &["-static", "-O2"], &probe);
    let hwcaps: Vec<(&str, (u64, u64))> = MODELS.iter().map(|m| (*m, model_hwcaps(&probe, m))).collect();
    let main_c = c_source("main.c", MAIN_C);
    let mut table = String::new();
    let mut failures = Vec::new();
    for build in builds() {
        let (name, cpu) = (&build.name, build.cpu);
        let obj = object(&out_dir().join(GNU).join(name), GNU, &build);
        let dir = out_dir().join(name);
        std::fs::create_dir_all(&dir).expect("out dir");
        let (static_bin, dynamic_bin) = (dir.join("guard"), dir.join("guard-dynamic"));
        link(&[&main_c, &obj], &["-static", "-O2"], &static_bin);
        link(&[&main_c, &obj], &["-O2"], &dynamic_bin);
        let features = cfg_features(&build.flags);
        for (model, (hwcap, hwcap2)) in &hwcaps {
            // std_detect's verdict on each feature of the build it has a rule for.
            let detected = std_detect(*hwcap, *hwcap2);
            let mut missing: Vec<&str> = detected
                .iter()
                .filter(|(name, ok)| !ok && features.iter().any(|f| f == name))
                .map(|(name, _)| *name)
                .collect();
            missing.sort();
            let expected = if missing.is_empty() {
                (Some(0), "ok\n".to_owned(), String::new())
            } else {
                let message = format!(
                    "guard: this binary needs CPU features this host lacks: {} (built with target-cpu={cpu})\n",
                    missing.join(", ")
                );
                (Some(i32::from(aarch64::GUARD_EXIT_CODE)), String::new(), message)
            };
            for (binary, dynamic) in [(&static_bin, false), (&dynamic_bin, true)] {
                let r = qemu(model, binary, dynamic);
                let seen = (r.code, r.stdout, r.stderr);
                let kind = if dynamic { "dynamic" } else { "static" };
                let verdict = |(code, _, stderr): &(Option<i32>, String, String)| match code {
                    Some(0) => "runs".to_owned(),
                    _ => format!("refused {code:?}: {}", stderr.trim_end()),
                };
                table += &format!(
                    "{name:<12} {kind:<8} under {model:<12} expected {} | seen {}\n",
                    verdict(&expected),
                    verdict(&seen)
                );
                if seen != expected {
                    failures.push(format!("{name} {kind} under {model}: expected {expected:?}, seen {seen:?}"));
                }
            }
        }
    }
    println!("{table}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The mnemonics and operands of a section's code, as objdump shows them, symbol names aside.
fn code(object: &Path) -> Vec<String> {
    let out = Command::new("aarch64-linux-gnu-objdump").arg("-dr").arg(object).output().expect("objdump");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split('\t').nth(2).map(|insn| insn.split(" <").next().unwrap_or("").to_owned()))
        .collect()
}

/// Debian has no aarch64 musl cross toolchain, so the musl build is not linked or run: its object
/// is held to the glibc one's, which is.
#[test]
fn aarch64_musl_object_is_the_glibc_guard() {
    for build in builds().iter().filter(|b| ["neoverse-v1", "cortex-a53+lse+i8mm"].contains(&b.name.as_str())) {
        // Apart from the matrix's objects, which it may be linking meanwhile.
        let dir = |target: &str| out_dir().join("musl-check").join(target).join(&build.name);
        let (gnu, musl) = (object(&dir(GNU), GNU, build), object(&dir(MUSL), MUSL, build));
        let gnu_code = code(&gnu);
        assert!(gnu_code.iter().any(|i| i.starts_with("svc")), "{gnu_code:?}");
        assert_eq!(code(&musl), gnu_code, "{}", build.name);
        let headers = Command::new("aarch64-linux-gnu-objdump").arg("-h").arg(&musl).output().expect("objdump");
        assert!(String::from_utf8_lossy(&headers.stdout).contains(".init_array.00090"));
        let nm = Command::new("aarch64-linux-gnu-nm").arg(&musl).output().expect("nm");
        assert!(String::from_utf8_lossy(&nm.stdout).contains("U getauxval"));
    }
}
