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
    pub const fn xcr0_mask(self) -> u64 {
        match self {
            OsState::None => 0,
            OsState::Ymm => 0x6,
            OsState::Zmm => 0xe6,
        }
    }

    /// How a missing state is described to a user.
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
    f("avxvnni", 7, 1, Eax, 4, Ymm, 0),
    f("bmi1", 7, 0, Ebx, 3, NoOs, 3),
    f("bmi2", 7, 0, Ebx, 8, NoOs, 3),
    f("cmpxchg16b", 1, 0, Ecx, 13, NoOs, 2),
    f("f16c", 1, 0, Ecx, 29, Ymm, 3),
    f("fma", 1, 0, Ecx, 12, Ymm, 3),
    f("fxsr", 1, 0, Edx, 24, NoOs, 1),
    f("gfni", 7, 0, Ecx, 8, NoOs, 0),
    Feature { in_cfg: false, ..f("lahfsahf", 0x8000_0001, 0, Ecx, 0, NoOs, 2) },
    f("lzcnt", 0x8000_0001, 0, Ecx, 5, NoOs, 3),
    f("movbe", 1, 0, Ecx, 22, NoOs, 3),
    f("pclmulqdq", 1, 0, Ecx, 1, NoOs, 0),
    f("popcnt", 1, 0, Ecx, 23, NoOs, 2),
    f("rdrand", 1, 0, Ecx, 30, NoOs, 0),
    f("rdseed", 7, 0, Ebx, 18, NoOs, 0),
    f("sha", 7, 0, Ebx, 29, NoOs, 0),
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
    f("xsave", 1, 0, Ecx, 26, NoOs, 3),
    f("xsavec", 0xd, 1, Eax, 1, NoOs, 0),
    f("xsaveopt", 0xd, 1, Eax, 0, NoOs, 0),
    f("xsaves", 0xd, 1, Eax, 3, NoOs, 0),
];

/// The feature with this rustc name.
pub fn feature(name: &str) -> Option<&'static Feature> {
    FEATURES.iter().find(|f| f.name == name)
}

/// The psABI name of a level: 1 → `"x86-64"`, 2 → `"x86-64-v2"`, …
pub const fn level_name(level: u8) -> &'static str {
    match level {
        0 | 1 => "x86-64",
        2 => "x86-64-v2",
        3 => "x86-64-v3",
        _ => "x86-64-v4",
    }
}

/// The highest level (1–4) all of whose cfg-visible features satisfy `has`.
pub fn level(has: impl Fn(&str) -> bool) -> u8 {
    (2..=4)
        .take_while(|&n| FEATURES.iter().filter(|f| f.level == n && f.in_cfg).all(|f| has(f.name)))
        .last()
        .unwrap_or(1)
}

/// The level a list of enabled rustc feature names reaches.
pub fn level_of<S: AsRef<str>>(features: &[S]) -> u8 {
    level(|name| features.iter().any(|f| f.as_ref() == name))
}

#[cfg(test)]
mod tests {
    use super::*;

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
