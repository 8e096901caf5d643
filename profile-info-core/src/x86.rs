//! The one table of x86 CPU features profile-info knows: where CPUID reports each one, which OS
//! register state it needs, and which x86-64 psABI level it belongs to. The document's `level`,
//! the startup guard's masks and the host report are all derived from [`FEATURES`].

/// A CPUID output register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reg {
    /// EAX.
    Eax,
    /// EBX.
    Ebx,
    /// ECX.
    Ecx,
    /// EDX.
    Edx,
}

/// Register state the OS must have enabled in XCR0 (checked with XGETBV after OSXSAVE) before
/// instructions of a feature can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OsState {
    /// None needed.
    None,
    /// SSE and AVX (YMM) state: XCR0 bits 1 and 2.
    Ymm,
    /// As `Ymm` plus opmask and ZMM state: XCR0 bits 1, 2, 5, 6 and 7.
    Zmm,
}

impl OsState {
    /// The XCR0 bits this state needs.
    #[inline]
    pub const fn xcr0_mask(self) -> u64 {
        match self {
            OsState::None => 0,
            OsState::Ymm => 0x6,
            OsState::Zmm => 0xe6,
        }
    }

    /// How a missing state is described to a user.
    #[inline]
    pub const fn describe(self) -> &'static str {
        match self {
            OsState::None => "",
            OsState::Ymm => "AVX",
            OsState::Zmm => "AVX-512",
        }
    }
}

/// One CPU feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Feature {
    /// rustc's name for it (`target_feature = "…"`).
    pub name: &'static str,
    /// CPUID leaf (EAX input).
    pub leaf: u32,
    /// CPUID subleaf (ECX input).
    pub subleaf: u32,
    /// Output register holding the bit.
    pub reg: Reg,
    /// Bit number in that register.
    pub bit: u8,
    /// OS register state needed.
    pub os: OsState,
    /// The x86-64 psABI level (1–4) that requires it; 0 when no level does.
    pub level: u8,
    /// Whether stable rustc reports it in `cfg(target_feature)`. `lahfsahf` is part of
    /// x86-64-v2 but is not reported, so levels are judged without it.
    pub in_cfg: bool,
}

#[inline]
const fn f(name: &'static str, leaf: u32, subleaf: u32, reg: Reg, bit: u8, os: OsState, level: u8) -> Feature {
    Feature { name, leaf, subleaf, reg, bit, os, level, in_cfg: true }
}

use OsState::{None as NoOs, Ymm, Zmm};
use Reg::{Eax, Ebx, Ecx, Edx};

/// Every x86 feature profile-info can check, sorted by name.
pub const FEATURES: &[Feature] = &[
    f("adx", 7, 0, Ebx, 19, NoOs, 0),
    f("aes", 1, 0, Ecx, 25, NoOs, 0),
    f("avx", 1, 0, Ecx, 28, Ymm, 3),
    f("avx2", 7, 0, Ebx, 5, Ymm, 3),
    f("avx512bf16", 7, 1, Eax, 5, Zmm, 0),
    f("avx512bitalg", 7, 0, Ecx, 12, Zmm, 0),
    f("avx512bw", 7, 0, Ebx, 30, Zmm, 4),
    f("avx512cd", 7, 0, Ebx, 28, Zmm, 4),
    f("avx512dq", 7, 0, Ebx, 17, Zmm, 4),
    f("avx512f", 7, 0, Ebx, 16, Zmm, 4),
    f("avx512fp16", 7, 0, Edx, 23, Zmm, 0),
    f("avx512ifma", 7, 0, Ebx, 21, Zmm, 0),
    f("avx512vbmi", 7, 0, Ecx, 1, Zmm, 0),
    f("avx512vbmi2", 7, 0, Ecx, 6, Zmm, 0),
    f("avx512vl", 7, 0, Ebx, 31, Zmm, 4),
    f("avx512vnni", 7, 0, Ecx, 11, Zmm, 0),
    f("avx512vp2intersect", 7, 0, Edx, 8, Zmm, 0),
    f("avx512vpopcntdq", 7, 0, Ecx, 14, Zmm, 0),
    f("avxifma", 7, 1, Eax, 23, Ymm, 0),
    f("avxneconvert", 7, 1, Edx, 5, Ymm, 0),
    f("avxvnni", 7, 1, Eax, 4, Ymm, 0),
    f("avxvnniint16", 7, 1, Edx, 10, Ymm, 0),
    f("avxvnniint8", 7, 1, Edx, 4, Ymm, 0),
    f("bmi1", 7, 0, Ebx, 3, NoOs, 3),
    f("bmi2", 7, 0, Ebx, 8, NoOs, 3),
    f("cmpxchg16b", 1, 0, Ecx, 13, NoOs, 2),
    f("f16c", 1, 0, Ecx, 29, Ymm, 3),
    f("fma", 1, 0, Ecx, 12, Ymm, 3),
    f("fxsr", 1, 0, Edx, 24, NoOs, 1),
    f("gfni", 7, 0, Ecx, 8, NoOs, 0),
    // Leaf 0x19 EBX: AESKLE (bit 0) is set only once the OS has enabled Key Locker; a CPU without
    // it answers the leaf with zeros (an unsupported leaf at or below the maximum, per the SDM).
    f("kl", 0x19, 0, Ebx, 0, NoOs, 0),
    Feature { in_cfg: false, ..f("lahfsahf", 0x8000_0001, 0, Ecx, 0, NoOs, 2) },
    f("lzcnt", 0x8000_0001, 0, Ecx, 5, NoOs, 3),
    f("movbe", 1, 0, Ecx, 22, NoOs, 3),
    f("pclmulqdq", 1, 0, Ecx, 1, NoOs, 0),
    f("popcnt", 1, 0, Ecx, 23, NoOs, 2),
    f("rdrand", 1, 0, Ecx, 30, NoOs, 0),
    f("rdseed", 7, 0, Ebx, 18, NoOs, 0),
    f("sha", 7, 0, Ebx, 29, NoOs, 0),
    f("sha512", 7, 1, Eax, 0, Ymm, 0),
    f("sm3", 7, 1, Eax, 1, Ymm, 0),
    f("sm4", 7, 1, Eax, 2, Ymm, 0),
    f("sse", 1, 0, Edx, 25, NoOs, 1),
    f("sse2", 1, 0, Edx, 26, NoOs, 1),
    f("sse3", 1, 0, Ecx, 0, NoOs, 2),
    f("sse4.1", 1, 0, Ecx, 19, NoOs, 2),
    f("sse4.2", 1, 0, Ecx, 20, NoOs, 2),
    f("sse4a", 0x8000_0001, 0, Ecx, 6, NoOs, 0),
    f("ssse3", 1, 0, Ecx, 9, NoOs, 2),
    f("tbm", 0x8000_0001, 0, Ecx, 21, NoOs, 0),
    f("vaes", 7, 0, Ecx, 9, Ymm, 0),
    f("vpclmulqdq", 7, 0, Ecx, 10, Ymm, 0),
    f("widekl", 0x19, 0, Ebx, 2, NoOs, 0),
    f("xsave", 1, 0, Ecx, 26, NoOs, 3),
    f("xsavec", 0xd, 1, Eax, 1, NoOs, 0),
    f("xsaveopt", 0xd, 1, Eax, 0, NoOs, 0),
    f("xsaves", 0xd, 1, Eax, 3, NoOs, 0),
];

/// Target features rustc may report for x86_64 that the guard has nothing to check for:
/// `crt-static` says how the C runtime is linked, not what the CPU runs, and `x87` is part of the
/// baseline every x86_64 CPU has (stable rustc 1.95 does not report it). Every other feature stable
/// rustc can report is in [`FEATURES`] (a test asks rustc).
pub const WITHOUT_CPUID: &[&str] = &["crt-static", "x87"];

/// The feature with this rustc name.
#[inline]
pub fn feature(name: &str) -> Option<&'static Feature> {
    FEATURES.iter().find(|f| f.name == name)
}

/// The psABI name of a level: 1 → `"x86-64"`, 2 → `"x86-64-v2"`, …
#[inline]
pub const fn level_name(level: u8) -> &'static str {
    match level {
        0 | 1 => "x86-64",
        2 => "x86-64-v2",
        3 => "x86-64-v3",
        _ => "x86-64-v4",
    }
}

/// The highest level (1–4) all of whose cfg-visible features satisfy `has`.
#[inline]
pub fn level(has: impl Fn(&str) -> bool) -> u8 {
    (2..=4)
        .take_while(|&n| FEATURES.iter().filter(|f| f.level == n && f.in_cfg).all(|f| has(f.name)))
        .last()
        .unwrap_or(1)
}

/// The level a list of enabled rustc feature names reaches.
#[inline]
pub fn level_of<S: AsRef<str>>(features: &[S]) -> u8 {
    level(|name| features.iter().any(|f| f.as_ref() == name))
}

/// The exit status of a binary whose startup CPU guard refused the host. Distinct from success
/// (0), `std::process::exit(1)`, a Rust panic (101), SIGILL (132), SIGABRT (134), usage errors
/// (2) and the shell's 126/127; 86 for x86.
pub const GUARD_EXIT_CODE: u8 = 86;

/// What a build with these rustc target features (`--print cfg`) must find on a host, in table
/// order: every table feature in the list except the x86-64 baseline (level 1: every x86_64 CPU
/// has it), plus `lahfsahf` when the build reaches x86-64-v2. rustc does not report `lahfsahf`
/// in `cfg` on stable although `-C target-cpu=x86-64-v2` and every named CPU of that level enable
/// it, and no CPU with the rest of v2 lacks it, so checking it never refuses a host that could run
/// the binary. Names outside the table are not checked. Empty for a baseline build.
#[inline]
pub fn required<S: AsRef<str>>(features: &[S]) -> Vec<&'static Feature> {
    let has = |name: &str| features.iter().any(|f| f.as_ref() == name);
    let v2 = level(has) >= 2;
    FEATURES.iter().filter(|f| f.level != 1 && (has(f.name) || (f.name == "lahfsahf" && v2))).collect()
}

/// The enabled features (rustc's names, as `--print cfg` lists them) that the startup guard
/// cannot check: neither in [`FEATURES`] nor in [`WITHOUT_CPUID`]. In the order given.
#[inline]
pub fn unchecked<S: AsRef<str>>(features: &[S]) -> Vec<&str> {
    features.iter().map(AsRef::as_ref).filter(|name| feature(name).is_none() && !WITHOUT_CPUID.contains(name)).collect()
}

/// Why a feature cannot be used on a host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lack {
    /// The CPU does not report it.
    Cpu,
    /// The CPU reports it but the OS has not enabled the register state it needs.
    OsState(OsState),
}

impl Lack {
    /// The word `/buildinfo`'s runtime section and `check --host --json` give it: `"cpu"` or
    /// `"os-state"`.
    #[inline]
    pub const fn word(self) -> &'static str {
        match self {
            Lack::Cpu => "cpu",
            Lack::OsState(_) => "os-state",
        }
    }
}

/// What CPUID and XGETBV say about a CPU, feature by feature of [`FEATURES`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Support {
    /// `cpu[i]`: CPUID reports `FEATURES[i]`.
    pub cpu: Vec<bool>,
    /// XCR0, or 0 when the OS has not enabled XSAVE (OSXSAVE clear).
    pub xcr0: u64,
}

impl Support {
    /// Evaluates the table against a CPU, given how to run `cpuid(leaf, subleaf)` → `[eax, ebx,
    /// ecx, edx]` and `xgetbv(0)`. A leaf above the CPU's maximum counts as all zeros, and XGETBV
    /// is only called when OSXSAVE is set (it faults otherwise).
    #[inline]
    pub fn evaluate(cpuid: impl Fn(u32, u32) -> [u32; 4], xgetbv: impl Fn() -> u64) -> Support {
        let max_basic = cpuid(0, 0)[0];
        let max_ext = cpuid(0x8000_0000, 0)[0];
        let max_sub7 = if max_basic >= 7 { cpuid(7, 0)[0] } else { 0 };
        let read = |leaf: u32, sub: u32| {
            let present =
                if leaf >= 0x8000_0000 { max_ext >= leaf } else { max_basic >= leaf && (leaf != 7 || sub <= max_sub7) };
            if present {
                cpuid(leaf, sub)
            } else {
                [0; 4]
            }
        };
        let osxsave = read(1, 0)[2] & (1 << 27) != 0;
        let xcr0 = if osxsave { xgetbv() } else { 0 };
        let cpu = FEATURES.iter().map(|f| read(f.leaf, f.subleaf)[f.reg as usize] & (1 << f.bit) != 0).collect();
        Support { cpu, xcr0 }
    }

    /// Why `feature` cannot be used, or `None` when it can (or is not in the table).
    #[inline]
    pub fn lack(&self, name: &str) -> Option<Lack> {
        let i = FEATURES.iter().position(|f| f.name == name)?;
        let f = &FEATURES[i];
        if !self.cpu[i] {
            Some(Lack::Cpu)
        } else if self.xcr0 & f.os.xcr0_mask() != f.os.xcr0_mask() {
            Some(Lack::OsState(f.os))
        } else {
            None
        }
    }

    /// The usable features, in table order.
    #[inline]
    pub fn usable(&self) -> Vec<&'static str> {
        FEATURES.iter().filter(|f| self.lack(f.name).is_none()).map(|f| f.name).collect()
    }

    /// The highest x86-64 level all of whose features are usable.
    #[inline]
    pub fn level(&self) -> u8 {
        level(|name| self.lack(name).is_none())
    }
}

/// Runs CPUID and XGETBV on this machine.
#[cfg(target_arch = "x86_64")]
#[inline]
pub fn detect() -> Support {
    // SAFETY: CPUID exists on every x86_64 CPU (the intrinsic is safe from Rust 1.87 on).
    #[allow(unused_unsafe)]
    let cpuid = |leaf, sub| {
        let r = unsafe { core::arch::x86_64::__cpuid_count(leaf, sub) };
        [r.eax, r.ebx, r.ecx, r.edx]
    };
    let xgetbv = || {
        let (lo, hi): (u32, u32);
        // SAFETY: only called when CPUID reports OSXSAVE, so XGETBV does not fault. Written as
        // asm so this function does not need the `xsave` target feature.
        unsafe { core::arch::asm!("xgetbv", in("ecx") 0, out("eax") lo, out("edx") hi, options(nomem, nostack)) };
        (u64::from(hi) << 32) | u64::from(lo)
    };
    Support::evaluate(cpuid, xgetbv)
}

/// The CPU flags Linux lists in `/proc/cpuinfo`, in the kernel's words (`abm` for LZCNT,
/// `sse4_2`): the oracle the CPUID tests of profile-info-core and profile-info compare [`detect`]
/// with, as it shares no code with it. Test support, not API.
#[doc(hidden)]
#[cfg(target_os = "linux")]
#[inline]
pub fn proc_cpuinfo_flags() -> std::io::Result<Vec<String>> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo")?;
    let flags = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("flags")?.split_once(':'))
        .ok_or_else(|| std::io::Error::other("/proc/cpuinfo has no `flags` line"))?;
    Ok(flags.1.split_whitespace().map(str::to_owned).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchecked_features_are_those_outside_the_table() {
        let enabled = ["avx2", "crt-static", "fxsr", "made-up", "sse2", "x87", "zz-future"];
        assert_eq!(unchecked(&enabled), ["made-up", "zz-future"]);
        assert!(unchecked::<&str>(&[]).is_empty());
    }

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(FEATURES.windows(2).all(|w| w[0].name < w[1].name));
    }

    #[test]
    fn levels_follow_the_psabi() {
        let v2 = ["cmpxchg16b", "fxsr", "popcnt", "sse", "sse2", "sse3", "sse4.1", "sse4.2", "ssse3"];
        assert_eq!(level_of(&v2), 2);
        assert_eq!(level_of(&v2[1..]), 1);
        let mut v3 = v2.to_vec();
        v3.extend(["avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "lzcnt", "movbe", "xsave"]);
        assert_eq!(level_of(&v3), 3);
        let mut v4 = v3.clone();
        v4.extend(["avx512f", "avx512bw", "avx512cd", "avx512dq"]);
        assert_eq!(level_of(&v4), 3, "avx512vl missing");
        v4.push("avx512vl");
        assert_eq!(level_of(&v4), 4);
        assert_eq!(level_of::<&str>(&[]), 1);
        assert_eq!(level_name(level_of(&v4)), "x86-64-v4");
    }

    /// A synthetic CPU: CPUID answers from a list of (leaf, subleaf, regs).
    fn cpu(max_basic: u32, regs: &[(u32, u32, [u32; 4])], xcr0: u64) -> Support {
        let cpuid = |leaf: u32, sub: u32| match leaf {
            0 => [max_basic, 0, 0, 0],
            0x8000_0000 => [0x8000_0001, 0, 0, 0],
            _ => regs.iter().find(|r| r.0 == leaf && r.1 == sub).map_or([0; 4], |r| r.2),
        };
        Support::evaluate(cpuid, || xcr0)
    }

    const NEHALEM_1_ECX: u32 = 1 | 1 << 9 | 1 << 13 | 1 << 19 | 1 << 20 | 1 << 23;
    const BASE_1_EDX: u32 = 1 << 24 | 1 << 25 | 1 << 26;
    const HASWELL_1_ECX: u32 = NEHALEM_1_ECX | 1 << 12 | 1 << 22 | 1 << 26 | 1 << 27 | 1 << 28 | 1 << 29;
    const HASWELL_7_EBX: u32 = 1 << 3 | 1 << 5 | 1 << 8;
    const EXT_LAHF_LZCNT: u32 = 1 | 1 << 5;

    #[test]
    fn nehalem_is_v2() {
        let s = cpu(0xb, &[(1, 0, [0, 0, NEHALEM_1_ECX, BASE_1_EDX]), (0x8000_0001, 0, [0, 0, 1, 0])], 0);
        assert_eq!(s.level(), 2);
        assert_eq!(s.lack("avx2"), Some(Lack::Cpu));
        assert_eq!(s.lack("popcnt"), None);
    }

    #[test]
    fn haswell_is_v3_only_with_os_state() {
        let regs = [
            (1, 0, [0, 0, HASWELL_1_ECX, BASE_1_EDX]),
            (7, 0, [0, HASWELL_7_EBX, 0, 0]),
            (0x8000_0001, 0, [0, 0, EXT_LAHF_LZCNT, 0]),
        ];
        assert_eq!(cpu(0xd, &regs, 0x7).level(), 3);
        let no_ymm = cpu(0xd, &regs, 0x3);
        assert_eq!(no_ymm.level(), 2);
        assert_eq!(no_ymm.lack("avx2"), Some(Lack::OsState(OsState::Ymm)));
        assert_eq!(no_ymm.lack("bmi2"), None);
    }

    #[test]
    fn leaves_above_the_maximum_are_not_read() {
        // Leaf 7 answers, but the CPU says its maximum basic leaf is 6: nothing from leaf 7 counts.
        let regs = [(1, 0, [0, 0, HASWELL_1_ECX, BASE_1_EDX]), (7, 0, [0, HASWELL_7_EBX, 0, 0])];
        assert_eq!(cpu(6, &regs, 0x7).lack("avx2"), Some(Lack::Cpu));
        // Subleaf 1 of leaf 7 only when leaf 7.0 EAX says it exists.
        let regs = [(7, 0, [0, 0, 0, 0]), (7, 1, [1 << 4, 0, 0, 0])];
        assert_eq!(cpu(7, &regs, 0x7).lack("avxvnni"), Some(Lack::Cpu));
    }

    #[test]
    fn no_osxsave_means_no_xgetbv() {
        let regs = [(1, 0, [0, 0, HASWELL_1_ECX & !(1 << 27), BASE_1_EDX])];
        let s = Support::evaluate(
            |leaf, sub| match leaf {
                0 => [1, 0, 0, 0],
                _ => regs.iter().find(|r| r.0 == leaf && r.1 == sub).map_or([0; 4], |r| r.2),
            },
            || panic!("xgetbv called without OSXSAVE"),
        );
        assert_eq!(s.lack("avx"), Some(Lack::OsState(OsState::Ymm)));
    }

    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    #[test]
    fn this_host_agrees_with_proc_cpuinfo() {
        let flags = proc_cpuinfo_flags().expect("/proc/cpuinfo (the tests run on x86_64 Linux)");
        assert!(flags.iter().any(|f| f == "sse2"), "every x86_64 CPU has SSE2: {flags:?}");
        let host = detect();
        // Linux names a few features differently.
        for (ours, linux) in [
            ("avx2", "avx2"),
            ("bmi2", "bmi2"),
            ("popcnt", "popcnt"),
            ("lzcnt", "abm"),
            ("movbe", "movbe"),
            ("avx512f", "avx512f"),
            ("sse4.2", "sse4_2"),
            ("cmpxchg16b", "cx16"),
            ("lahfsahf", "lahf_lm"),
            ("sha512", "sha512"),
            ("sm3", "sm3"),
            ("sm4", "sm4"),
            ("avxvnni", "avx_vnni"),
            ("avx512bf16", "avx512_bf16"),
        ] {
            assert_eq!(host.lack(ours).is_none(), flags.iter().any(|f| f == linux), "{ours} vs /proc/cpuinfo {linux}");
        }
    }

    #[test]
    fn required_skips_the_baseline_and_adds_lahfsahf_from_v2() {
        let names = |fs: &[&str]| required(fs).iter().map(|f| f.name).collect::<Vec<_>>();
        assert_eq!(names(&["fxsr", "sse", "sse2"]), Vec::<&str>::new());
        assert_eq!(names(&["fxsr", "sse", "sse2", "avx2", "no-such-feature"]), ["avx2"]);
        let v2 = ["cmpxchg16b", "fxsr", "popcnt", "sse", "sse2", "sse3", "sse4.1", "sse4.2", "ssse3"];
        assert_eq!(names(&v2), ["cmpxchg16b", "lahfsahf", "popcnt", "sse3", "sse4.1", "sse4.2", "ssse3"]);
    }

    #[test]
    fn avx_class_needs_os_state() {
        for f in FEATURES {
            if f.name.starts_with("avx512") {
                assert_eq!(f.os, OsState::Zmm, "{}", f.name);
            } else if f.name.starts_with("avx") || f.name == "fma" || f.name == "f16c" {
                assert_eq!(f.os, OsState::Ymm, "{}", f.name);
            }
        }
    }
}
