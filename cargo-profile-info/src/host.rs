//! `check --host`: would this file run on this machine's CPU?

use crate::{Document, Error, Outcome};
use profile_info_core::aarch64;
use profile_info_core::x86::{self, Lack, Support};
use serde_json::json;
use std::fmt::Write;
use std::path::Path;

/// The machine the check runs on: its architecture (as `std::env::consts::ARCH` names it) and
/// what its CPU and OS support.
pub struct Host {
    /// `x86_64`, `aarch64`, …
    pub arch: &'static str,
    /// CPUID's answer; `None` off x86_64.
    pub support: Option<Support>,
    /// The kernel's capability bits; `None` off aarch64 Linux.
    pub hwcaps: Option<aarch64::Support>,
}

impl Host {
    /// This machine.
    pub fn detect() -> Host {
        #[cfg(target_arch = "x86_64")]
        let support = Some(x86::detect());
        #[cfg(not(target_arch = "x86_64"))]
        let support = None;
        #[cfg(all(target_arch = "aarch64", target_os = "linux", target_pointer_width = "64"))]
        let hwcaps = Some(aarch64::detect());
        #[cfg(not(all(target_arch = "aarch64", target_os = "linux", target_pointer_width = "64")))]
        let hwcaps = None;
        Host { arch: std::env::consts::ARCH, support, hwcaps }
    }
}

/// Judges `doc` against `host`. Fails (exit 1) only when the file certainly would not run: built
/// for another architecture, or needing x86 or aarch64 features the host lacks. Features of other
/// architectures are not checked, and the report says so.
pub fn check(path: &Path, doc: &Document, host: &Host) -> Result<Outcome, Error> {
    let target = &doc.info.target;
    let triple =
        target.triple.as_deref().ok_or_else(|| Error::file(path, "the document does not name its target triple"))?;
    // rustc's `target_arch` (schema 2) names architectures as `std::env::consts::ARCH` does; a
    // triple's first part does not (`riscv64gc`, `armv7`, `i686`). Schema 1 had only the triple.
    let arch = target.arch.as_deref().unwrap_or_else(|| triple_arch(triple));
    let x86_family = |a: &str| a == "x86_64" || a == "x86";
    let file = path.display();
    let same_family = arch == host.arch || (host.arch == "x86_64" && x86_family(arch));
    if !same_family {
        let report = format!("{file}: would not run here: built for {triple}, this host is {}\n", host.arch);
        let json = verdict(false, arch, host.arch, None, &[], &[]);
        return Ok(Outcome { report, pass: false, json });
    }
    let cpu = match (&host.support, &host.hwcaps) {
        (Some(support), _) if x86_family(arch) => Cpu::X86(support),
        (_, Some(hwcaps)) if arch == "aarch64" => Cpu::Aarch64(hwcaps),
        _ => {
            let report = format!(
                "{file}: built for {triple}, the same architecture as this host; CPU features are only checked on \
                 x86_64 and aarch64 Linux\n"
            );
            return Ok(Outcome { report, pass: true, json: verdict(true, arch, host.arch, None, &[], &[]) });
        }
    };
    let features = target
        .features
        .as_deref()
        .ok_or_else(|| Error::file(path, "the document does not list its target features"))?;
    // The same features the startup guard checks (lahfsahf included for a v2+ build).
    let (lacking, unchecked, host_level): (Vec<(&str, Lack)>, _, _) = match cpu {
        Cpu::X86(support) => (
            x86::required(features).iter().filter_map(|f| Some((f.name, support.lack(f.name)?))).collect(),
            x86::unchecked(features),
            Some(x86::level_name(support.level())),
        ),
        Cpu::Aarch64(hwcaps) => (
            aarch64::required(features).iter().filter(|f| !hwcaps.has(f)).map(|f| (f.name, Lack::Cpu)).collect(),
            aarch64::unchecked(features),
            None,
        ),
    };
    let missing: Vec<String> = lacking
        .iter()
        .map(|(name, lack)| match lack {
            Lack::Cpu => format!("{name} (not in this CPU)"),
            Lack::OsState(state) => format!("{name} (the OS has not enabled {} state)", state.describe()),
        })
        .collect();
    let mut report = match (missing.is_empty(), host_level) {
        // Only CPU features are checked: say that, not that the file runs here.
        (true, Some(host_level)) => format!(
            "{file}: this host's CPU has every feature it was built for (needs {}; this host is {host_level})\n",
            target.level.as_deref().unwrap_or("an unknown level")
        ),
        (true, None) => format!("{file}: this host's CPU has every feature it was built for\n"),
        (false, Some(host_level)) => format!(
            "{file}: would not run here: needs CPU features this host ({host_level}) lacks: {}\n",
            missing.join(", ")
        ),
        (false, None) => {
            format!("{file}: would not run here: needs CPU features this host lacks: {}\n", missing.join(", "))
        }
    };
    if !unchecked.is_empty() {
        let _ = writeln!(report, "{file}: not in profile-info's feature table, not checked: {}", unchecked.join(", "));
    }
    let json = verdict(missing.is_empty(), arch, host.arch, host_level, &lacking, &unchecked);
    Ok(Outcome { report, pass: missing.is_empty(), json })
}

/// What the host's CPU can be asked about the document's architecture.
enum Cpu<'a> {
    X86(&'a Support),
    Aarch64(&'a aarch64::Support),
}

/// `check --host --json`'s `host` object: `lack` is `cpu`, or `os-state` for a feature whose
/// register state the OS has not enabled (the words of the runtime section of `/buildinfo`).
fn verdict(
    pass: bool,
    arch: &str,
    host_arch: &str,
    host_level: Option<&str>,
    lacking: &[(&str, Lack)],
    unchecked: &[&str],
) -> serde_json::Value {
    let missing: Vec<serde_json::Value> =
        lacking.iter().map(|(name, lack)| json!({"feature": name, "lack": lack.word()})).collect();
    json!({
        "pass": pass,
        "arch": arch,
        "host_arch": host_arch,
        "host_level": host_level,
        "missing": missing,
        "unchecked": unchecked,
    })
}

/// A schema-1 document's architecture, from its triple, as `target_arch` names it.
fn triple_arch(triple: &str) -> &str {
    match triple.split('-').next().unwrap_or(triple) {
        "i386" | "i586" | "i686" => "x86",
        a if a.starts_with("riscv64") => "riscv64",
        a if a.starts_with("riscv32") => "riscv32",
        a if a.starts_with("arm") || a.starts_with("thumb") => "arm",
        a => a,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(triple: &str, features: &[&str], level: &str) -> Document {
        let mut value = crate::read::tests::sample_v1();
        value["target"] = serde_json::json!({"triple": triple, "cpu": null, "features": features, "level": level});
        crate::read::tests::document(&value)
    }

    /// A schema-2 document, which names its architecture.
    fn doc2(triple: &str, arch: &str) -> Document {
        let mut value = crate::read::tests::sample();
        value["target"]["triple"] = triple.into();
        value["target"]["arch"] = arch.into();
        value["target"]["features"] = serde_json::json!([]);
        crate::read::tests::document(&value)
    }

    #[test]
    fn architecture_is_targets_not_the_triples_first_part() {
        let path = Path::new("app");
        for (triple, arch) in [("riscv64gc-unknown-linux-gnu", "riscv64"), ("armv7-unknown-linux-gnueabihf", "arm")] {
            let here = check(path, &doc2(triple, arch), &Host { arch, support: None, hwcaps: None }).unwrap();
            assert!(here.pass, "{}", here.report);
            let v1 = check(path, &doc(triple, &[], "x86-64"), &Host { arch, support: None, hwcaps: None }).unwrap();
            assert!(v1.pass, "schema 1 triple {triple}: {}", v1.report);
        }
        let i686 = check(path, &doc2("i686-unknown-linux-gnu", "x86"), &x86_host(&[], 0)).unwrap();
        assert!(i686.pass, "{}", i686.report);
    }

    /// A host whose CPU reports exactly `features` (by their table bits) with AVX state enabled
    /// or not.
    fn x86_host(features: &[&str], xcr0: u64) -> Host {
        let cpu = x86::FEATURES.iter().map(|f| features.contains(&f.name)).collect();
        Host { arch: "x86_64", support: Some(Support { cpu, xcr0 }), hwcaps: None }
    }

    const V3: &[&str] = &["avx", "avx2", "bmi1", "bmi2", "fma", "fxsr", "made-up", "sse", "sse2", "x87"];

    #[test]
    fn x86_features() {
        let path = Path::new("app");
        let d = doc("x86_64-unknown-linux-gnu", V3, "x86-64-v3");
        let ok = check(path, &d, &x86_host(V3, 0x7)).unwrap();
        assert!(ok.pass, "{}", ok.report);
        assert!(ok.report.contains("this host's CPU has every feature it was built for"), "{}", ok.report);
        assert!(ok.report.contains("not checked: made-up\n"), "{}", ok.report);
        let no_bmi2 = check(path, &d, &x86_host(&V3[..3], 0x7)).unwrap();
        assert!(!no_bmi2.pass);
        assert!(
            no_bmi2.report.contains("bmi2 (not in this CPU)") && !no_bmi2.report.contains("avx2"),
            "{}",
            no_bmi2.report
        );
        let no_ymm = check(path, &d, &x86_host(V3, 0x3)).unwrap();
        assert!(no_ymm.report.contains("avx2 (the OS has not enabled AVX state)"), "{}", no_ymm.report);
        assert!(!no_ymm.report.contains("bmi2"), "{}", no_ymm.report);
        assert!(check(path, &doc("i686-unknown-linux-gnu", &["sse"], "x86-64"), &x86_host(&["sse"], 0)).unwrap().pass);
    }

    #[test]
    fn other_architectures() {
        let path = Path::new("app");
        let arm = doc("aarch64-unknown-linux-gnu", &["neon"], "x86-64");
        let on_x86 = check(path, &arm, &x86_host(V3, 0x7)).unwrap();
        assert!(!on_x86.pass && on_x86.report.contains("built for aarch64-unknown-linux-gnu, this host is x86_64"));
        let on_arm = check(path, &arm, &Host { arch: "aarch64", support: None, hwcaps: None }).unwrap();
        assert!(on_arm.pass && on_arm.report.contains("only checked on x86_64"), "{}", on_arm.report);
        let x86_on_arm = check(
            path,
            &doc("x86_64-unknown-linux-gnu", V3, "x86-64-v3"),
            &Host { arch: "aarch64", support: None, hwcaps: None },
        );
        assert!(!x86_on_arm.unwrap().pass);
    }

    /// An aarch64 host with these capability bits.
    fn arm_host(hwcap: u64, hwcap2: u64) -> Host {
        Host { arch: "aarch64", support: None, hwcaps: Some(aarch64::Support { hwcap, hwcap2 }) }
    }

    #[test]
    fn aarch64_features() {
        let path = Path::new("app");
        // rustc 1.95's `--print cfg -C target-cpu=neoverse-n1` (Graviton 2) for aarch64 Linux.
        let n1 = [
            "aes", "crc", "dotprod", "dpb", "fp16", "lor", "lse", "neon", "pan", "pmuv3", "ras", "rcpc", "rdm", "sha2",
            "spe", "ssbs", "vh",
        ];
        let mut value = crate::read::tests::sample();
        value["target"]["triple"] = "aarch64-unknown-linux-gnu".into();
        value["target"]["arch"] = "aarch64".into();
        value["target"]["level"] = serde_json::Value::Null;
        value["target"]["features"] = serde_json::json!(n1);
        let d = crate::read::tests::document(&value);
        // AT_HWCAP as qemu-aarch64 7.2 reports it under -cpu neoverse-n1 (0x119ffb: fp asimd evtstrm
        // aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp, no ssbs)
        // and under cortex-a72 (0x8fb).
        let no_ssbs = check(path, &d, &arm_host(0x119ffb, 0)).unwrap();
        assert!(!no_ssbs.pass);
        assert!(
            no_ssbs
                .report
                .starts_with("app: would not run here: needs CPU features this host lacks: ssbs (not in this CPU)\n"),
            "{}",
            no_ssbs.report
        );
        assert!(no_ssbs.report.contains("not checked: lor, pan, pmuv3, ras, spe, vh\n"), "{}", no_ssbs.report);
        assert_eq!(no_ssbs.json["missing"], serde_json::json!([{"feature": "ssbs", "lack": "cpu"}]));
        assert_eq!(no_ssbs.json["host_level"], serde_json::Value::Null);
        // Linux's HWCAP_SSBS is bit 28.
        let graviton2 = check(path, &d, &arm_host(0x119ffb | 1 << 28, 0)).unwrap();
        assert!(
            graviton2.pass && graviton2.report.starts_with("app: this host's CPU has every feature it was built for\n"),
            "{}",
            graviton2.report
        );
        let a72 = check(path, &d, &arm_host(0x8fb, 0)).unwrap();
        let names: Vec<&str> =
            a72.json["missing"].as_array().unwrap().iter().map(|m| m["feature"].as_str().unwrap()).collect();
        assert_eq!(names, ["dotprod", "dpb", "fp16", "lse", "rcpc", "rdm", "ssbs"]);
    }
}
