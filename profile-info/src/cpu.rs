//! The host's CPU, as CPUID and the OS (on aarch64, the kernel's capability bits) report it,
//! against the features this binary was compiled for: [`host()`] and [`missing()`] for health
//! checks and `/buildinfo`, and the startup guard that refuses a host lacking them before any
//! Rust code runs.
//!
//! # The startup guard
//!
//! A binary compiled with `-C target-cpu=x86-64-v3` (or `-C target-feature=+avx2,…`) may execute
//! AVX2, BMI or LZCNT instructions anywhere, `main` included. On a host without them it dies of
//! SIGILL — or, for LZCNT, which older CPUs execute as BSR, silently computes wrong answers.
//! `is_x86_feature_detected!` cannot help: in such a build it is `true` at compile time.
//!
//! `#[profile_info::main]` (unless `guard = false`) and [`cpu_guard!()`](crate::cpu_guard) therefore
//! put a small hand-written assembly function into the binary crate, registered in
//! `.init_array.00090` so that it runs before std's own initialisation (`.init_array.00099`) and
//! the executable's constructors of lower priority (what runs earlier — the dynamic loader, shared
//! libraries' constructors, `.preinit_array` — is listed in the repository's ARCHITECTURE.md). It is
//! baseline x86-64 code (a test disassembles it), checks
//! exactly the features the crate was compiled for — the masks are computed by the macro from
//! rustc's `--print cfg` for the same flags — and, when one is missing, writes one line to stderr
//! with a raw `write` system call and exits with [`GUARD_EXIT_CODE`] (86) through `exit_group`:
//!
//! ```text
//! app: this binary needs x86-64-v3 CPU features this host lacks: avx2, bmi2, lzcnt (built with target-cpu=x86-64-v3)
//! app: this binary needs x86-64-v3 CPU features this host lacks: avx (OS has not enabled AVX state), avx2 (OS has not enabled AVX state), fma (OS has not enabled AVX state), xsave (built with target-cpu=x86-64-v3)
//! ```
//!
//! The name is the binary's (`CARGO_BIN_NAME`); the list names the missing features and only
//! those, in the same words as [`Missing`]'s `Display`, so `missing()` and the guard agree.
//!
//! It follows CPUID's rules: leaves above the maximum basic or extended leaf count as absent,
//! leaf 7 subleaf 1 is read only when leaf 7.0 EAX reaches it, and XGETBV runs only when CPUID
//! reports OSXSAVE; AVX-class features need XCR0 bits 1–2 (`0x6`), AVX-512 also bits 5–7
//! (`0xe6`).
//!
//! - **What is checked**: every feature of profile-info's table (`profile_info_core::x86::FEATURES`:
//!   the psABI levels, AVX-512, AES, SHA, SHA512, SM3, SM4, GFNI, VAES, ADX, Key Locker, the XSAVE
//!   family, …) that rustc reports for the build, except SSE/SSE2/FXSR, which every x86_64 CPU has.
//!   The table holds every feature stable rustc can report (a test asks rustc), `crt-static`
//!   aside, which is no CPU feature. A baseline build carries no guard code at all. A feature
//!   rustc reports that the table does not know (a newer rustc's) is not checked and not reported
//!   by [`missing()`].
//! - **`lahfsahf`**: stable rustc does not report it in `cfg`, although `-C target-cpu=x86-64-v2`
//!   and every named CPU of that level enable it. It is checked whenever the build reaches
//!   x86-64-v2, which it belongs to; no CPU that has the rest of v2 lacks it.
//! - **Where it applies**: x86_64 and aarch64 Linux (below). On every other target, Android
//!   included, the guard compiles to nothing and the crate builds as usual.
//! - **Cost**: CPUID traps to the hypervisor in a VM, which makes each one costly, so the guard
//!   first checks the values glibc 2.33+ read at startup
//!   (`__x86_get_cpuid_feature_leaf` of `<sys/platform/x86.h>`, referenced weakly) and runs its
//!   own four or five CPUIDs only when those lack something or are out of reach (other C
//!   libraries, glibc before 2.33; a static glibc link takes the function from `libc.a`); a
//!   refusal is always decided by CPUID. Figures in the repository's bench/RESULTS.md.
//!
//! **RUSTFLAGS and `--target`**: without `--target`, `RUSTFLAGS=-C target-cpu=…` also applies to
//! build scripts and proc macros, which then run on the build machine with those instructions
//! (rustc dies of SIGILL loading a proc macro built with AVX-512 on a host without it), and so
//! do `[target.<triple>] rustflags` for the host's own triple. Pass `--target <triple>` (or set
//! `build.target` in `.cargo/config.toml`): host artifacts are then built without the flags.
//!
//! # aarch64 Linux
//!
//! A binary built with `-C target-cpu=neoverse-v1` (Graviton 3) uses SVE, I8MM, BF16 or SHA3
//! anywhere and dies of SIGILL on a Graviton 2 (Neoverse N1); one built with `+lse` dies on a
//! Cortex-A72. On `aarch64-unknown-linux-gnu` and `-musl` the guard is base A64 code, in the same
//! `.init_array.00090` slot, that asks `getauxval` for `AT_HWCAP` (and `AT_HWCAP2` when the build
//! needs any of its bits) and refuses a host lacking any feature the build enables, with the same
//! message form and exit code:
//!
//! ```text
//! app: this binary needs CPU features this host lacks: bf16, i8mm, sve (built with target-cpu=neoverse-v1)
//! ```
//!
//! - **What is checked**: every feature of `profile_info_core::aarch64::FEATURES` the build
//!   enables, `neon` aside (every aarch64 Linux target has it), by std_detect's rules: `sha3`
//!   needs the kernel's SHA512, SHA3, SHA1 and SHA2 bits, `sve2-aes` SVEAES, SVEPMULL, SVE2 and
//!   AES, and so on. The table holds every feature rustc knows for the target that has a
//!   user-space bit (a test asks rustc).
//! - **What is not**: features with no user-space bit — PAN, LOR, VHE, RAS, the PMU, SPE (which
//!   rustc enables for most server CPUs, and which concern the kernel), PAuth_LR — are not checked
//!   and are listed in the document's `target.unchecked_features`.
//! - **Host facts**: [`host()`] lists the usable features from the same bits; there is no level
//!   (`None`), as there is no aarch64 equivalent of the x86-64 psABI levels that rustc reports.
//!   [`missing()`] answers as the guard decides.
//!
//! On other architectures the host reports no features and nothing is missing.

use crate::BuildInfo;
use profile_info_core::aarch64;
pub use profile_info_core::x86::{Lack, OsState, GUARD_EXIT_CODE};

/// The host's usable CPU features and x86-64 level.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Host {
    /// Features the host can run, by rustc's names, in the order of profile-info's table.
    pub features: Vec<&'static str>,
    /// The highest x86-64 psABI level the host reaches (`"x86-64-v3"`), `None` off x86_64.
    pub level: Option<&'static str>,
}

/// A feature the binary needs that the host cannot run.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Missing {
    /// rustc's name of the feature.
    pub feature: &'static str,
    /// Whether the CPU lacks it or the OS has not enabled its register state.
    pub lack: Lack,
}

impl std::fmt::Display for Missing {
    #[inline]
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.lack {
            Lack::Cpu => f.write_str(self.feature),
            Lack::OsState(state) => write!(f, "{} (OS has not enabled {} state)", self.feature, state.describe()),
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[inline]
fn support() -> &'static profile_info_core::x86::Support {
    static SUPPORT: std::sync::OnceLock<profile_info_core::x86::Support> = std::sync::OnceLock::new();
    SUPPORT.get_or_init(profile_info_core::x86::detect)
}

/// How to read this host's capability bits: `getauxval`, which answers from memory; `None` off
/// aarch64 Linux.
#[cfg(all(target_arch = "aarch64", target_os = "linux", target_pointer_width = "64"))]
const HWCAPS: Option<fn() -> aarch64::Support> = Some(aarch64::detect);
#[cfg(not(all(target_arch = "aarch64", target_os = "linux", target_pointer_width = "64")))]
const HWCAPS: Option<fn() -> aarch64::Support> = None;

/// The host's features and level, detected once per process.
#[inline]
pub fn host() -> Host {
    #[cfg(target_arch = "x86_64")]
    {
        let s = support();
        Host { features: s.usable(), level: Some(profile_info_core::x86::level_name(s.level())) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    Host { features: HWCAPS.map(|detect| detect().usable()).unwrap_or_default(), level: None }
}

/// What the document's target features need that this host lacks (features outside
/// profile-info's table cannot be checked and are not listed).
#[inline]
pub fn missing_for(info: &BuildInfo) -> Vec<Missing> {
    let mut missing = Vec::new();
    let (Some(triple), Some(features)) = (info.target.triple.as_deref(), info.target.features.as_deref()) else {
        return missing;
    };
    #[cfg(target_arch = "x86_64")]
    if triple.starts_with("x86_64") {
        let s = support();
        // Loops rather than iterator adapters: at opt-level 0 each adapter is a function of its
        // own in this crate's archive, which every debug link of a dependent reads.
        for f in profile_info_core::x86::required(features) {
            if let Some(lack) = s.lack(f.name) {
                missing.push(Missing { feature: f.name, lack });
            }
        }
        return missing;
    }
    match HWCAPS {
        Some(detect) if triple.starts_with("aarch64-") => missing_on(&detect(), features),
        _ => missing,
    }
}

/// What aarch64 `features` need that a host with these capability bits lacks: the features the
/// startup guard checks.
#[inline]
fn missing_on(host: &aarch64::Support, features: &[profile_info_core::Str]) -> Vec<Missing> {
    let mut missing = Vec::new();
    for f in aarch64::required(features) {
        if !host.has(f) {
            missing.push(Missing { feature: f.name, lack: Lack::Cpu });
        }
    }
    missing
}

/// What this binary ([`crate::current()`]) needs that this host lacks; empty without
/// `#[profile_info::main]`.
#[inline]
pub fn missing() -> Vec<Missing> {
    crate::current().map(missing_for).unwrap_or_default()
}

#[cfg(all(test, target_arch = "x86_64", target_os = "linux"))]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn missing_for_names_what_proc_cpuinfo_lacks() {
        let flags = profile_info_core::x86::proc_cpuinfo_flags().expect("/proc/cpuinfo");
        // rustc's name and the kernel's, across the leaves the table reads; SHA512 is on few
        // hosts, AVX2 on most, so both answers are exercised on most machines.
        // In table order (by name), as `missing_for` lists.
        let pairs = [
            ("avx2", "avx2"),
            ("avx512f", "avx512f"),
            ("gfni", "gfni"),
            ("lzcnt", "abm"),
            ("sha512", "sha512"),
            ("sse4.2", "sse4_2"),
            ("xsavec", "xsavec"),
        ];
        let mut info = crate::build_info!().clone();
        info.target.triple = Some(Cow::Borrowed("x86_64-unknown-linux-gnu"));
        let features = ["fxsr", "sse", "sse2"].into_iter().chain(pairs.iter().map(|p| p.0));
        info.target.features = Some(Cow::Owned(features.map(Cow::Borrowed).collect()));
        let missing: Vec<&str> = missing_for(&info).iter().map(|m| m.feature).collect();
        let expected: Vec<&str> = pairs.iter().filter(|p| !flags.iter().any(|f| f == p.1)).map(|p| p.0).collect();
        assert_eq!(missing, expected);
        // Another target's document: nothing to check on this host.
        info.target.triple = Some(Cow::Borrowed("aarch64-unknown-linux-gnu"));
        assert_eq!(missing_for(&info), []);
    }
}

#[cfg(test)]
mod aarch64_tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn missing_on_names_the_features_whose_bits_are_absent() {
        let mut info = crate::build_info!().clone();
        info.target.triple = Some(Cow::Borrowed("aarch64-unknown-linux-gnu"));
        // rustc 1.95's `--print cfg -C target-cpu=neoverse-n1` for the target.
        let n1 = [
            "aes", "crc", "dotprod", "dpb", "fp16", "lor", "lse", "neon", "pan", "pmuv3", "ras", "rcpc", "rdm", "sha2",
            "spe", "ssbs", "vh",
        ];
        info.target.features = Some(Cow::Owned(n1.iter().map(|f| Cow::Borrowed(*f)).collect()));
        // qemu-aarch64's cortex-a72: fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid (bits 0-7, 11
        // of Linux's HWCAP_*); none of ATOMICS 8, FPHP 9, ASIMDRDM 12, LRCPC 15, DCPOP 16,
        // ASIMDDP 20, SSBS 28.
        let a72 = aarch64::Support { hwcap: 0x8fb, hwcap2: 0 };
        let features = info.target.features.as_deref().expect("set above");
        let missing: Vec<String> = missing_on(&a72, features).iter().map(ToString::to_string).collect();
        assert_eq!(missing, ["dotprod", "dpb", "fp16", "lse", "rcpc", "rdm", "ssbs"]);
        let everything = aarch64::Support { hwcap: u64::MAX, hwcap2: u64::MAX };
        assert_eq!(missing_on(&everything, features), []);
    }
}
