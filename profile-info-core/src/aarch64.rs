//! The one table of aarch64 CPU features profile-info knows: which bits of the Linux auxiliary
//! vector's `AT_HWCAP` and `AT_HWCAP2` words a host must report for each rustc feature to be
//! usable. The startup guard's masks, the host report and the document's unchecked features are
//! all derived from [`FEATURES`].
//!
//! The rules are std_detect's (`is_aarch64_feature_detected!` on Linux), which follow LLVM's
//! feature dependencies: `sha3` needs SHA512, SHA3, SHA1, SHA2 and Advanced SIMD; `sve2-aes`
//! needs SVEAES, SVEPMULL, SVE2, SVE, AES and Advanced SIMD. A test holds every entry to those
//! rules and asks rustc for every aarch64 feature it knows. Each rule is a set of bits that must
//! all be present but one: std_detect also refuses Advanced SIMD when FPHP is reported without
//! ASIMDHP, which no Linux host reports (the architecture requires the FP and AdvSIMD fields of
//! `ID_AA64PFR0_EL1`, from which the kernel derives both, to agree).

/// One CPU feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Feature {
    /// rustc's name for it (`target_feature = "…"`).
    pub name: &'static str,
    /// The `AT_HWCAP` bits that must all be set.
    pub hwcap: u64,
    /// The `AT_HWCAP2` bits that must all be set.
    pub hwcap2: u64,
}

/// `getauxval`'s key for the first word of capabilities (`<elf.h>`).
pub const AT_HWCAP: u64 = 16;
/// `getauxval`'s key for the second word.
pub const AT_HWCAP2: u64 = 26;

/// Linux's `HWCAP_*` bits (`arch/arm64/include/uapi/asm/hwcap.h`).
mod hwcap {
    pub const FP: u64 = 1 << 0;
    pub const ASIMD: u64 = 1 << 1;
    pub const AES: u64 = 1 << 3;
    pub const SHA1: u64 = 1 << 5;
    pub const SHA2: u64 = 1 << 6;
    pub const CRC32: u64 = 1 << 7;
    pub const ATOMICS: u64 = 1 << 8;
    pub const FPHP: u64 = 1 << 9;
    pub const ASIMDRDM: u64 = 1 << 12;
    pub const JSCVT: u64 = 1 << 13;
    pub const FCMA: u64 = 1 << 14;
    pub const LRCPC: u64 = 1 << 15;
    pub const DCPOP: u64 = 1 << 16;
    pub const SHA3: u64 = 1 << 17;
    pub const SM3: u64 = 1 << 18;
    pub const SM4: u64 = 1 << 19;
    pub const ASIMDDP: u64 = 1 << 20;
    pub const SHA512: u64 = 1 << 21;
    pub const SVE: u64 = 1 << 22;
    pub const ASIMDFHM: u64 = 1 << 23;
    pub const DIT: u64 = 1 << 24;
    pub const USCAT: u64 = 1 << 25;
    pub const ILRCPC: u64 = 1 << 26;
    pub const FLAGM: u64 = 1 << 27;
    pub const SSBS: u64 = 1 << 28;
    pub const SB: u64 = 1 << 29;
    pub const PACA: u64 = 1 << 30;
    pub const PACG: u64 = 1 << 31;
}

/// Linux's `HWCAP2_*` bits.
mod hwcap2 {
    pub const DCPODP: u64 = 1 << 0;
    pub const SVE2: u64 = 1 << 1;
    pub const SVEAES: u64 = 1 << 2;
    pub const SVEPMULL: u64 = 1 << 3;
    pub const SVEBITPERM: u64 = 1 << 4;
    pub const SVESHA3: u64 = 1 << 5;
    pub const SVESM4: u64 = 1 << 6;
    pub const FLAGM2: u64 = 1 << 7;
    pub const FRINT: u64 = 1 << 8;
    pub const SVEF32MM: u64 = 1 << 10;
    pub const SVEF64MM: u64 = 1 << 11;
    pub const I8MM: u64 = 1 << 13;
    pub const BF16: u64 = 1 << 14;
    pub const RNG: u64 = 1 << 16;
    pub const BTI: u64 = 1 << 17;
    pub const MTE: u64 = 1 << 18;
    pub const ECV: u64 = 1 << 19;
    pub const SME: u64 = 1 << 23;
    pub const SME_I16I64: u64 = 1 << 24;
    pub const SME_F64F64: u64 = 1 << 25;
    pub const SME_FA64: u64 = 1 << 30;
    pub const WFXT: u64 = 1 << 31;
    pub const CSSC: u64 = 1 << 34;
    pub const SVE2P1: u64 = 1 << 36;
    pub const SME2: u64 = 1 << 37;
    pub const SME2P1: u64 = 1 << 38;
    pub const SME_B16B16: u64 = 1 << 41;
    pub const SME_F16F16: u64 = 1 << 42;
    pub const MOPS: u64 = 1 << 43;
    pub const HBC: u64 = 1 << 44;
    pub const SVE_B16B16: u64 = 1 << 45;
    pub const LRCPC3: u64 = 1 << 46;
    pub const LSE128: u64 = 1 << 47;
    pub const LUT: u64 = 1 << 49;
    pub const FAMINMAX: u64 = 1 << 50;
    pub const F8CVT: u64 = 1 << 51;
    pub const F8FMA: u64 = 1 << 52;
    pub const F8DP4: u64 = 1 << 53;
    pub const F8DP2: u64 = 1 << 54;
    pub const SME_LUTV2: u64 = 1 << 57;
    pub const SME_F8F16: u64 = 1 << 58;
    pub const SME_F8F32: u64 = 1 << 59;
    pub const SME_SF8FMA: u64 = 1 << 60;
    pub const SME_SF8DP4: u64 = 1 << 61;
    pub const SME_SF8DP2: u64 = 1 << 62;
}

use hwcap::*;
use hwcap2::*;

#[inline]
const fn f(name: &'static str, hwcap: u64, hwcap2: u64) -> Feature {
    Feature { name, hwcap, hwcap2 }
}

// The features others build on, as std_detect composes them.
const SIMD: u64 = FP | ASIMD;
const SVE_1: u64 = SVE | SIMD;
const SHA3_1: u64 = SHA512 | SHA3 | SHA1 | SHA2;
const FP8_2: u64 = F8CVT | FAMINMAX | LUT | BF16;
const SME_2: u64 = SME | BF16;
const SME2_2: u64 = SME2 | SME_2;

/// Every aarch64 feature with a user-space capability bit, sorted by name.
pub const FEATURES: &[Feature] = &[
    f("aes", AES | SIMD, 0),
    f("bf16", 0, BF16),
    f("bti", 0, BTI),
    f("crc", CRC32, 0),
    f("cssc", 0, CSSC),
    f("dit", DIT, 0),
    f("dotprod", ASIMDDP, 0),
    f("dpb", DCPOP, 0),
    f("dpb2", 0, DCPODP),
    f("ecv", 0, ECV),
    f("f32mm", SVE_1, SVEF32MM),
    f("f64mm", SVE_1, SVEF64MM),
    f("faminmax", 0, FAMINMAX),
    f("fcma", FCMA | SIMD, 0),
    f("fhm", FPHP | ASIMDFHM, 0),
    f("flagm", FLAGM, 0),
    f("flagm2", 0, FLAGM2),
    f("fp16", FP | FPHP, 0),
    f("fp8", 0, FP8_2),
    f("fp8dot2", 0, F8DP2 | F8DP4 | F8FMA | FP8_2),
    f("fp8dot4", 0, F8DP4 | F8FMA | FP8_2),
    f("fp8fma", 0, F8FMA | FP8_2),
    f("frintts", 0, FRINT),
    f("hbc", 0, HBC),
    f("i8mm", 0, I8MM),
    f("jsconv", JSCVT | FP, 0),
    f("lse", ATOMICS, 0),
    f("lse128", ATOMICS, LSE128),
    f("lse2", USCAT, 0),
    f("lut", 0, LUT),
    f("mops", 0, MOPS),
    f("mte", 0, MTE),
    f("neon", SIMD, 0),
    f("paca", PACA, 0),
    f("pacg", PACG, 0),
    f("rand", 0, RNG),
    f("rcpc", LRCPC, 0),
    f("rcpc2", ILRCPC | LRCPC, 0),
    f("rcpc3", ILRCPC | LRCPC, LRCPC3),
    f("rdm", ASIMDRDM, 0),
    f("sb", SB, 0),
    f("sha2", SHA1 | SHA2 | SIMD, 0),
    f("sha3", SHA3_1 | SIMD, 0),
    f("sm4", SM3 | SM4 | SIMD, 0),
    f("sme", 0, SME_2),
    f("sme-b16b16", 0, SME2_2 | BF16 | SVE_B16B16 | SME_B16B16),
    f("sme-f16f16", 0, SME_F16F16 | SME2_2),
    f("sme-f64f64", 0, SME_F64F64 | SME_2),
    f("sme-f8f16", 0, SME_F8F16 | SME_F8F32 | SME2_2 | FP8_2),
    f("sme-f8f32", 0, SME_F8F32 | SME2_2 | FP8_2),
    f("sme-fa64", SVE_1, SME_FA64 | SME_2 | SVE2),
    f("sme-i16i64", 0, SME_I16I64 | SME_2),
    f("sme-lutv2", 0, SME_LUTV2),
    f("sme2", 0, SME2_2),
    f("sme2p1", 0, SME2P1 | SME2_2),
    f("ssbs", SSBS, 0),
    f("ssve-fp8dot2", 0, SME_SF8DP2 | SME_SF8DP4 | SME_SF8FMA | SME2_2 | FP8_2),
    f("ssve-fp8dot4", 0, SME_SF8DP4 | SME_SF8FMA | SME2_2 | FP8_2),
    f("ssve-fp8fma", 0, SME_SF8FMA | SME2_2 | FP8_2),
    f("sve", SVE_1, 0),
    f("sve-b16b16", 0, BF16 | SVE_B16B16),
    f("sve2", SVE_1, SVE2),
    f("sve2-aes", SVE_1 | AES, SVEAES | SVEPMULL | SVE2),
    // std_detect asks for the SVE2 bit alone here, not for SVE and Advanced SIMD as well.
    f("sve2-bitperm", 0, SVEBITPERM | SVE2),
    f("sve2-sha3", SVE_1 | SHA3_1, SVESHA3 | SVE2),
    f("sve2-sm4", SVE_1 | SM3 | SM4, SVESM4 | SVE2),
    f("sve2p1", SVE_1, SVE2P1 | SVE2),
    f("wfxt", 0, WFXT),
];

/// Features every aarch64 Linux target enables (the ABI's floating point and Advanced SIMD):
/// a build needing nothing more carries no guard.
pub const BASELINE: &[&str] = &["neon"];

/// Target features rustc may report that say how the program is built, not what the CPU runs:
/// nothing to check.
pub const NOT_CPU: &[&str] = &["crt-static", "outline-atomics"];

/// Features rustc knows that Linux reports no user-space bit for (std_detect cannot detect them
/// either): what the kernel uses (PAN, LOR, VHE, RAS, the PMU, SPE), the PAuth_LR instructions,
/// and the architecture versions, whose features rustc lists one by one. A build that enables
/// them names them in `target.unchecked_features`.
pub const NO_HWCAP: &[&str] = &[
    "lor", "pan", "pauth-lr", "pmuv3", "ras", "spe", "v8.1a", "v8.2a", "v8.3a", "v8.4a", "v8.5a", "v8.6a", "v8.7a",
    "v8.8a", "v8.9a", "v9.1a", "v9.2a", "v9.3a", "v9.4a", "v9.5a", "v9a", "vh",
];

/// The feature with this rustc name.
#[inline]
pub fn feature(name: &str) -> Option<&'static Feature> {
    FEATURES.iter().find(|f| f.name == name)
}

/// The exit status of a binary whose startup CPU guard refused the host: the same as on x86_64.
pub const GUARD_EXIT_CODE: u8 = crate::x86::GUARD_EXIT_CODE;

/// What a build with these rustc target features (`--print cfg`) must find on a host, in table
/// order: every table feature in the list but the [`BASELINE`]. Empty for a baseline build.
#[inline]
pub fn required<S: AsRef<str>>(features: &[S]) -> Vec<&'static Feature> {
    let has = |name: &str| features.iter().any(|f| f.as_ref() == name);
    FEATURES.iter().filter(|f| !BASELINE.contains(&f.name) && has(f.name)).collect()
}

/// The enabled features the startup guard cannot check: neither in [`FEATURES`] nor in
/// [`NOT_CPU`]. In the order given.
#[inline]
pub fn unchecked<S: AsRef<str>>(features: &[S]) -> Vec<&str> {
    features.iter().map(AsRef::as_ref).filter(|name| feature(name).is_none() && !NOT_CPU.contains(name)).collect()
}

/// What the auxiliary vector says about a CPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Support {
    /// `getauxval(AT_HWCAP)`.
    pub hwcap: u64,
    /// `getauxval(AT_HWCAP2)`.
    pub hwcap2: u64,
}

impl Support {
    /// Whether the host has `feature`'s bits.
    #[inline]
    pub fn has(&self, feature: &Feature) -> bool {
        self.hwcap & feature.hwcap == feature.hwcap && self.hwcap2 & feature.hwcap2 == feature.hwcap2
    }

    /// Whether the named feature is usable; `None` for a name outside the table.
    #[inline]
    pub fn has_name(&self, name: &str) -> Option<bool> {
        feature(name).map(|f| self.has(f))
    }

    /// The usable features, in table order.
    #[inline]
    pub fn usable(&self) -> Vec<&'static str> {
        FEATURES.iter().filter(|f| self.has(f)).map(|f| f.name).collect()
    }
}

/// Reads this process's auxiliary vector.
#[cfg(all(target_arch = "aarch64", target_os = "linux", target_pointer_width = "64"))]
#[inline]
pub fn detect() -> Support {
    extern "C" {
        // `unsigned long getauxval(unsigned long)`: 64 bits on LP64.
        fn getauxval(key: u64) -> u64;
    }
    // SAFETY: glibc and musl both provide getauxval; it returns 0 for an absent key.
    let get = |key| unsafe { getauxval(key) };
    Support { hwcap: get(AT_HWCAP), hwcap2: get(AT_HWCAP2) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique_and_apart_from_the_lists() {
        assert!(FEATURES.windows(2).all(|w| w[0].name < w[1].name));
        for name in NOT_CPU.iter().chain(NO_HWCAP) {
            assert!(feature(name).is_none(), "{name}");
        }
        assert!(FEATURES.iter().all(|f| f.hwcap | f.hwcap2 != 0));
    }

    /// rustc 1.95's `--print cfg --target aarch64-unknown-linux-gnu -C target-cpu=neoverse-v1`.
    const NEOVERSE_V1: &[&str] = &[
        "aes", "bf16", "crc", "dit", "dotprod", "dpb", "dpb2", "fcma", "fhm", "flagm", "fp16", "i8mm", "jsconv", "lor",
        "lse", "neon", "paca", "pacg", "pan", "pmuv3", "rand", "ras", "rcpc", "rcpc2", "rdm", "sha2", "sha3", "sm4",
        "spe", "ssbs", "sve", "vh",
    ];

    #[test]
    fn required_and_unchecked() {
        let required: Vec<&str> = required(NEOVERSE_V1).iter().map(|f| f.name).collect();
        assert!(!required.contains(&"neon") && required.contains(&"sve") && required.len() == 25, "{required:?}");
        assert_eq!(unchecked(NEOVERSE_V1), ["lor", "pan", "pmuv3", "ras", "spe", "vh"]);
        assert!(super::required(&["neon"]).is_empty());
        assert_eq!(unchecked(&["crt-static", "neon", "zz-future"]), ["zz-future"]);
    }

    #[test]
    fn support_follows_the_bits() {
        // qemu-aarch64 7.2 `-cpu cortex-a72`'s AT_HWCAP: fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid.
        let a72 = Support { hwcap: 0x8fb, hwcap2: 0 };
        assert_eq!(a72.usable(), ["aes", "crc", "neon", "sha2"]);
        assert_eq!(a72.has_name("lse"), Some(false));
        assert_eq!(a72.has_name("pan"), None);
        let sve2 = Support { hwcap: SVE | SIMD, hwcap2: SVE2 };
        assert_eq!(sve2.has_name("sve2"), Some(true));
        assert_eq!(Support { hwcap: SVE, hwcap2: SVE2 }.has_name("sve2"), Some(false), "SVE needs Advanced SIMD");
    }
}
