//! The guard on x86_64 Linux: baseline x86-64 code that fetches the CPUID registers the build
//! needs (from glibc, or by CPUID), runs an XGETBV when AVX-class state matters, and compares
//! each register with its mask.

use super::{bytes, push_str, Message, INIT_ARRAY};
use profile_info_core::x86::{self, Feature, OsState, Reg, GUARD_EXIT_CODE};

/// The `cfg` the expansion carries, so that a crate built for another target compiles it out.
pub const CFG: &str = "all(target_arch = \"x86_64\", target_os = \"linux\", target_pointer_width = \"64\")";

/// Whether the guard applies to the target: x32 has 4-byte `.init_array` entries and other
/// system call numbers; Android is untested.
pub fn applies(triple: &str) -> bool {
    triple.starts_with("x86_64-")
        && triple.contains("-linux")
        && !triple.ends_with("x32")
        && !triple.contains("android")
}

/// What the message says the binary needs: the psABI level and a space, from x86-64-v2 on.
pub fn needs<S: AsRef<str>>(features: &[S]) -> String {
    let level = x86::level_of(features);
    if level >= 2 {
        format!("{} ", x86::level_name(level))
    } else {
        String::new()
    }
}

/// Whether the binary links glibc ≥ 2.33 statically, so that the guard may take glibc's CPUID
/// values from `libc.a`.
pub fn static_glibc<S: AsRef<str>>(features: &[S], triple: &str, host: Option<&str>) -> bool {
    features.iter().any(|f| f.as_ref() == "crt-static")
        && triple.ends_with("-linux-gnu")
        && host == Some(triple)
        && host_glibc() >= (2, 33)
}

/// One CPUID output register the guard reads into a stack slot, with the bits the build needs.
#[derive(Debug, PartialEq, Eq)]
struct Slot {
    leaf: u32,
    subleaf: u32,
    reg: Reg,
    mask: u32,
}

/// What one build must check: the register slots and the XCR0 bits, and the features behind them.
#[derive(Debug)]
pub struct Plan {
    slots: Vec<Slot>,
    xcr0: u32,
    features: Vec<&'static Feature>,
}

const OSXSAVE: (u32, u32, Reg, u8) = (1, 0, Reg::Ecx, 27);

impl Plan {
    /// `None` when the build needs nothing beyond baseline x86-64: such a build carries no guard.
    pub fn new<S: AsRef<str>>(target_features: &[S]) -> Option<Plan> {
        let features = x86::required(target_features);
        if features.is_empty() {
            return None;
        }
        let xcr0 = features.iter().fold(0, |m, f| m | f.os.xcr0_mask() as u32);
        let mut slots: Vec<Slot> = Vec::new();
        let mut add = |leaf, subleaf, reg, bits: u32| match slots
            .iter_mut()
            .find(|s| (s.leaf, s.subleaf, s.reg) == (leaf, subleaf, reg))
        {
            Some(s) => s.mask |= bits,
            None => slots.push(Slot { leaf, subleaf, reg, mask: bits }),
        };
        for f in &features {
            add(f.leaf, f.subleaf, f.reg, 1 << f.bit);
        }
        // XGETBV faults unless the OS set OSXSAVE, so the guard reads it even when no feature
        // of leaf 1 ECX is needed.
        if xcr0 != 0 {
            add(OSXSAVE.0, OSXSAVE.1, OSXSAVE.2, 0);
        }
        Some(Plan { slots, xcr0, features })
    }

    /// The CPUID (leaf, subleaf) pairs to run, in an order where leaf 7.0 (whose EAX bounds the
    /// subleaves) comes before 7.1.
    fn reads(&self) -> Vec<(u32, u32)> {
        let mut reads: Vec<(u32, u32)> = self.slots.iter().map(|s| (s.leaf, s.subleaf)).collect();
        if self.needs_subleaves() {
            reads.push((7, 0));
        }
        reads.sort();
        reads.dedup();
        reads
    }

    fn needs_subleaves(&self) -> bool {
        self.slots.iter().any(|s| s.leaf == 7 && s.subleaf > 0)
    }

    fn needs_extended(&self) -> bool {
        self.slots.iter().any(|s| s.leaf >= 0x8000_0000)
    }

    fn slot_offset(&self, leaf: u32, subleaf: u32, reg: Reg) -> usize {
        4 * self.slots.iter().position(|s| (s.leaf, s.subleaf, s.reg) == (leaf, subleaf, reg)).unwrap_or(0)
    }

    /// XCR0 is kept in the slot after the registers.
    fn xcr0_offset(&self) -> usize {
        4 * self.slots.len()
    }
}

fn reg_name(r: Reg) -> &'static str {
    match r {
        Reg::Eax => "eax",
        Reg::Ebx => "ebx",
        Reg::Ecx => "ecx",
        Reg::Edx => "edx",
    }
}

/// glibc's index (`<sys/platform/x86.h>`, glibc 2.33+) of a CPUID leaf it reads at startup.
fn glibc_index(leaf: u32, subleaf: u32) -> Option<u32> {
    match (leaf, subleaf) {
        (1, 0) => Some(0),
        (7, 0) => Some(1),
        (0x8000_0001, 0) => Some(2),
        (0xd, 1) => Some(3),
        (7, 1) => Some(6),
        (0x19, 0) => Some(7),
        _ => None,
    }
}

/// glibc ≥ 2.33 exports the CPUID values it read at startup. Referenced weakly, so that other C
/// libraries see null; but a weak reference does not pull a member out of an archive, so a
/// static link needs a strong one to get it from `libc.a`.
const GLIBC_LEAF: &str = "__x86_get_cpuid_feature_leaf";

/// The version of the glibc this compiler runs on. When the target is the compiler's own host
/// triple, the linker takes `libc.a` from the same installation (Debian, Fedora and the Rust
/// images ship both from one glibc package), so this is also the static C library's version.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn host_glibc() -> (u32, u32) {
    extern "C" {
        fn gnu_get_libc_version() -> *const std::ffi::c_char;
    }
    // SAFETY: glibc returns a pointer to a static NUL-terminated string.
    let version = unsafe { std::ffi::CStr::from_ptr(gnu_get_libc_version()) }.to_str().unwrap_or("");
    let mut parts = version.split('.').map(|p| p.parse().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// Not running on glibc: no version to vouch for a static `libc.a`.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn host_glibc() -> (u32, u32) {
    (0, 0)
}

/// The guard in Intel syntax, one line per string. Only baseline x86-64 instructions, plus CPUID
/// and XGETBV (the latter only after OSXSAVE). No braces: they are `global_asm!` operand syntax.
///
/// CPUID traps to the hypervisor in a VM, which makes each one costly (bench/RESULTS.md, "CPU
/// guard"), so the guard first checks the values glibc already read, which costs a few calls; only
/// when those lack something — or there is no glibc — does it run CPUID itself, and a refusal is
/// always decided by CPUID.
///
/// `static_glibc`: the binary links glibc ≥ 2.33 statically; the reference to its values is then
/// strong, so that the linker takes them from `libc.a`.
pub fn assembly(plan: &Plan, message: &Message, id: &str, static_glibc: bool) -> Vec<String> {
    let func = format!("profile_info_guard_{id}");
    let data = format!("{func}_data");
    let l = |name: &str| format!(".L{func}_{name}");
    let (fail, viacpuid, lp, cpu, name, first, done, exit, suffixes) =
        (l("fail"), l("cpuid"), l("loop"), l("cpu"), l("name"), l("first"), l("done"), l("exit"), l("suffixes"));
    let xoff = plan.xcr0_offset();
    // With RBX pushed, a multiple of 16 keeps the stack aligned for the call into glibc.
    let frame = (xoff + 4).next_multiple_of(16);
    let mut a: Vec<String> = vec![
        format!(".pushsection {INIT_ARRAY},\"aw\",@init_array"),
        ".p2align 3".into(),
        format!(".quad {func}"),
        ".popsection".into(),
        format!(".pushsection .text.{func},\"ax\",@progbits"),
        ".p2align 4".into(),
        format!(".type {func},@function"),
        format!("{func}:"),
        // CPUID clobbers RBX, which the caller expects preserved.
        "push rbx".into(),
        format!("sub rsp, {frame}"),
    ];
    let reads = plan.reads();
    let epilogue = [format!("add rsp, {frame}"), "pop rbx".into(), "ret".into()];
    if let Some(indexes) = reads.iter().map(|&(leaf, sub)| glibc_index(leaf, sub)).collect::<Option<Vec<u32>>>() {
        a.extend(zero_slots(plan));
        if !static_glibc {
            a.push(format!(".weak {GLIBC_LEAF}"));
        }
        a.extend([
            format!("mov rax, qword ptr [rip + {GLIBC_LEAF}@GOTPCREL]"),
            "test rax, rax".into(),
            format!("je {viacpuid}"),
            "mov rbx, rax".into(),
        ]);
        for (&(leaf, subleaf), index) in reads.iter().zip(indexes) {
            // Returns `{ cpuid: [eax, ebx, ecx, edx], active: [..] }`; zeros for a leaf the
            // CPU lacks or this glibc does not know or did not read (it skips the extended
            // leaves on CPUs of vendors it does not know): then the CPUID path decides.
            a.extend([format!("mov edi, {index}"), "call rbx".into()]);
            for s in plan.slots.iter().filter(|s| (s.leaf, s.subleaf) == (leaf, subleaf)) {
                a.extend([
                    format!("mov ecx, dword ptr [rax + {}]", 4 * s.reg as usize),
                    format!("mov dword ptr [rsp + {}], ecx", plan.slot_offset(leaf, subleaf, s.reg)),
                ]);
            }
        }
        a.extend(checks(plan, &l("glibc"), &viacpuid));
        a.extend(epilogue.clone());
    }
    a.push(format!("{viacpuid}:"));
    a.extend(zero_slots(plan));
    a.extend(["cpuid".into(), "mov r8d, eax".into()]);
    if plan.needs_extended() {
        // Unsigned compares below also reject the basic-leaf data old CPUs return here.
        a.extend(["mov eax, 0x80000000".into(), "cpuid".into(), "mov r9d, eax".into()]);
    }
    if plan.needs_subleaves() {
        a.push("xor r10d, r10d".into());
    }
    for (i, &(leaf, subleaf)) in reads.iter().enumerate() {
        let skip = l(&format!("skip{i}"));
        let max = if leaf >= 0x8000_0000 { "r9d" } else { "r8d" };
        a.extend([format!("cmp {max}, {leaf:#x}"), format!("jb {skip}")]);
        if leaf == 7 && subleaf > 0 {
            a.extend([format!("cmp r10d, {subleaf}"), format!("jb {skip}")]);
        }
        let ecx = if subleaf == 0 { "xor ecx, ecx".into() } else { format!("mov ecx, {subleaf}") };
        a.extend([format!("mov eax, {leaf:#x}"), ecx, "cpuid".into()]);
        if (leaf, subleaf) == (7, 0) && plan.needs_subleaves() {
            a.push("mov r10d, eax".into());
        }
        for s in plan.slots.iter().filter(|s| (s.leaf, s.subleaf) == (leaf, subleaf)) {
            a.push(format!("mov dword ptr [rsp + {}], {}", plan.slot_offset(leaf, subleaf, s.reg), reg_name(s.reg)));
        }
        a.push(format!("{skip}:"));
    }
    a.extend(checks(plan, &l("cpuid"), &fail));
    a.extend(epilogue);

    // Refusal: walk the data table, appending each missing feature's name (and why, when the OS
    // lacks the register state) into a stack buffer, then one write(2) and exit_group.
    let bufsize = buffer_size(plan, message);
    a.extend([
        format!("{fail}:"),
        "mov r8, rsp".into(),
        format!("mov r9d, dword ptr [rsp + {xoff}]"),
        format!("sub rsp, {bufsize}"),
        "mov rdi, rsp".into(),
        format!("lea rsi, [rip + {data}]"),
        "movzx ecx, byte ptr [rsi]".into(),
        "inc rsi".into(),
        "rep movsb".into(),
        "xor r10d, r10d".into(),
        format!("{lp}:"),
        "movzx eax, byte ptr [rsi]".into(),
        "cmp eax, 255".into(),
        format!("je {done}"),
        "movzx ecx, byte ptr [rsi + 1]".into(),
        "mov edx, dword ptr [r8 + rax]".into(),
        "movzx ebx, byte ptr [rsi + 2]".into(),
        "movzx r11d, byte ptr [rsi + 3]".into(),
        "add rsi, 4".into(),
        "bt edx, ecx".into(),
        format!("jnc {cpu}"),
        "mov eax, r9d".into(),
        "and eax, ebx".into(),
        "cmp eax, ebx".into(),
        format!("jne {name}"),
        "movzx ecx, byte ptr [rsi]".into(),
        "lea rsi, [rsi + rcx + 1]".into(),
        format!("jmp {lp}"),
        format!("{cpu}:"),
        // The CPU lacks it: the OS state does not matter, so no reason is appended.
        "xor r11d, r11d".into(),
        format!("{name}:"),
        "test r10d, r10d".into(),
        format!("je {first}"),
        format!("mov word ptr [rdi], {:#x}", u16::from_le_bytes(*b", ")),
        "add rdi, 2".into(),
        format!("{first}:"),
        "inc r10d".into(),
        "movzx ecx, byte ptr [rsi]".into(),
        "inc rsi".into(),
        "rep movsb".into(),
        "mov rdx, rsi".into(),
        format!("lea rsi, [rip + {suffixes}]"),
        "add rsi, r11".into(),
        "movzx ecx, byte ptr [rsi]".into(),
        "inc rsi".into(),
        "rep movsb".into(),
        "mov rsi, rdx".into(),
        format!("jmp {lp}"),
        format!("{done}:"),
        "inc rsi".into(),
        "movzx ecx, byte ptr [rsi]".into(),
        "inc rsi".into(),
        "rep movsb".into(),
        "mov rdx, rdi".into(),
        "sub rdx, rsp".into(),
        "mov rsi, rsp".into(),
        "mov edi, 2".into(),
        "mov eax, 1".into(), // write
        "syscall".into(),
        format!("{exit}:"),
        format!("mov edi, {GUARD_EXIT_CODE}"),
        "mov eax, 231".into(), // exit_group
        "syscall".into(),
        format!("jmp {exit}"),
        format!(".size {func}, . - {func}"),
        ".popsection".into(),
    ]);
    a.extend([
        format!(".pushsection .rodata.{func},\"a\",@progbits"),
        format!(".type {data},@object"),
        format!("{data}:"),
    ]);
    let (table, suffix_table) = data_table(plan, message);
    a.push(bytes(&table));
    a.push(format!("{suffixes}:"));
    a.push(bytes(&suffix_table));
    a.extend([format!(".size {data}, . - {data}"), ".popsection".into()]);
    a
}

/// Clears the slots (EAX = 0 afterwards): a register of a leaf the CPU does not have reads as
/// zero, every bit missing.
fn zero_slots(plan: &Plan) -> Vec<String> {
    let mut a = vec!["xor eax, eax".to_owned()];
    a.extend((0..=plan.slots.len()).map(|i| format!("mov dword ptr [rsp + {}], eax", 4 * i)));
    a
}

/// Reads XCR0 when AVX-class state matters (after OSXSAVE, since XGETBV faults without it), then
/// compares every slot with its mask, jumping to `fail` on the first difference.
fn checks(plan: &Plan, tag: &str, fail: &str) -> Vec<String> {
    let mut a = Vec::new();
    let xoff = plan.xcr0_offset();
    if plan.xcr0 != 0 {
        let osx = plan.slot_offset(OSXSAVE.0, OSXSAVE.1, OSXSAVE.2);
        a.extend([
            format!("bt dword ptr [rsp + {osx}], {}", OSXSAVE.3),
            format!("jnc {tag}_noxcr"),
            "xor ecx, ecx".into(),
            "xgetbv".into(),
            format!("mov dword ptr [rsp + {xoff}], eax"),
            format!("{tag}_noxcr:"),
        ]);
    }
    let slots = plan.slots.iter().map(|s| (plan.slot_offset(s.leaf, s.subleaf, s.reg), s.mask));
    for (off, mask) in slots.chain([(xoff, plan.xcr0)]).filter(|&(_, m)| m != 0) {
        a.extend([
            format!("mov eax, dword ptr [rsp + {off}]"),
            format!("and eax, {mask:#x}"),
            format!("cmp eax, {mask:#x}"),
            format!("jne {fail}"),
        ]);
    }
    a
}

/// `[len] prefix`, then per feature `[slot offset] [bit] [XCR0 bits] [reason offset] [len] name`,
/// `0xff`, `[len] tail`; and the reasons, `[len] text` each, the first one empty.
fn data_table(plan: &Plan, message: &Message) -> (Vec<u8>, Vec<u8>) {
    let mut reasons: Vec<(OsState, usize)> = Vec::new();
    let mut suffix_table = vec![0u8];
    for f in &plan.features {
        if f.os != OsState::None && !reasons.iter().any(|r| r.0 == f.os) {
            reasons.push((f.os, suffix_table.len()));
            push_str(&mut suffix_table, &reason(f.os));
        }
    }
    let mut table = Vec::new();
    push_str(&mut table, &message.prefix);
    for f in &plan.features {
        let reason_off = reasons.iter().find(|r| r.0 == f.os).map_or(0, |r| r.1);
        table.extend([
            plan.slot_offset(f.leaf, f.subleaf, f.reg) as u8,
            f.bit,
            f.os.xcr0_mask() as u8,
            reason_off as u8,
        ]);
        push_str(&mut table, f.name);
    }
    table.push(0xff);
    push_str(&mut table, &message.tail);
    (table, suffix_table)
}

/// Matches `profile_info::cpu::Missing`'s `Display`.
fn reason(os: OsState) -> String {
    format!(" (OS has not enabled {} state)", os.describe())
}

/// Room for the longest message: every feature missing, each with its reason.
fn buffer_size(plan: &Plan, message: &Message) -> usize {
    let features: usize = plan.features.iter().map(|f| 2 + f.name.len() + reason(f.os).len()).sum();
    (message.prefix.len() + features + message.tail.len()).next_multiple_of(16)
}

#[cfg(test)]
mod tests {
    use super::*;

    const V3: &[&str] = &[
        "avx",
        "avx2",
        "bmi1",
        "bmi2",
        "cmpxchg16b",
        "f16c",
        "fma",
        "fxsr",
        "lzcnt",
        "movbe",
        "popcnt",
        "sse",
        "sse2",
        "sse3",
        "sse4.1",
        "sse4.2",
        "ssse3",
        "xsave",
    ];

    fn mask(plan: &Plan, leaf: u32, subleaf: u32, reg: Reg) -> Option<u32> {
        plan.slots.iter().find(|s| (s.leaf, s.subleaf, s.reg) == (leaf, subleaf, reg)).map(|s| s.mask)
    }

    #[test]
    fn baseline_needs_no_guard() {
        assert!(Plan::new(&["fxsr", "sse", "sse2"]).is_none());
        assert!(Plan::new::<&str>(&[]).is_none());
        assert!(Plan::new(&["sse2", "not-a-feature"]).is_none());
    }

    #[test]
    fn v3_masks_match_the_intel_sdm() {
        let plan = Plan::new(V3).unwrap();
        // Leaf 1 ECX: sse3 0, ssse3 9, fma 12, cx16 13, sse4.1 19, sse4.2 20, movbe 22, popcnt 23,
        // xsave 26, avx 28, f16c 29.
        let ecx1 = [0, 9, 12, 13, 19, 20, 22, 23, 26, 28, 29].iter().fold(0u32, |m, b| m | 1 << b);
        assert_eq!(mask(&plan, 1, 0, Reg::Ecx), Some(ecx1));
        assert_eq!(mask(&plan, 1, 0, Reg::Edx), None, "baseline EDX features need no check");
        assert_eq!(mask(&plan, 7, 0, Reg::Ebx), Some(1 << 3 | 1 << 5 | 1 << 8));
        assert_eq!(mask(&plan, 0x8000_0001, 0, Reg::Ecx), Some(1 | 1 << 5), "lahfsahf and lzcnt");
        assert_eq!(plan.xcr0, 0x6);
        assert_eq!(plan.reads(), [(1, 0), (7, 0), (0x8000_0001, 0)]);
    }

    #[test]
    fn v4_needs_zmm_state() {
        let mut v4 = V3.to_vec();
        v4.extend(["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"]);
        let plan = Plan::new(&v4).unwrap();
        assert_eq!(plan.xcr0, 0xe6);
        let ebx7 = [3, 5, 8, 16, 17, 28, 30, 31].iter().fold(0u32, |m, b| m | 1 << b);
        assert_eq!(mask(&plan, 7, 0, Reg::Ebx), Some(ebx7));
    }

    #[test]
    fn osxsave_is_read_even_without_leaf_1_features() {
        let plan = Plan::new(&["avx512vbmi"]).unwrap();
        assert_eq!(mask(&plan, 1, 0, Reg::Ecx), Some(0));
        assert_eq!(plan.xcr0, 0xe6);
        assert_eq!(plan.reads(), [(1, 0), (7, 0)]);
    }

    #[test]
    fn subleaf_1_reads_leaf_7_0_first() {
        let plan = Plan::new(&["avxvnni"]).unwrap();
        assert_eq!(plan.reads(), [(1, 0), (7, 0), (7, 1)]);
        let asm = assembly(&plan, &Message::new("app", "", None), "t", false).join("\n");
        let sub0 = asm.find("mov r10d, eax").unwrap();
        assert!(asm.find("cmp r10d, 1").unwrap() > sub0);
    }

    #[test]
    fn key_locker_reads_leaf_0x19_from_glibc_first() {
        let plan = Plan::new(&["kl", "widekl"]).unwrap();
        assert_eq!(mask(&plan, 0x19, 0, Reg::Ebx), Some(0b101));
        assert_eq!((plan.reads(), plan.xcr0), (vec![(0x19, 0)], 0));
        let asm = assembly(&plan, &Message::new("app", "", None), "t", false).join("\n");
        // CPUID_INDEX_19 of glibc's <sys/platform/x86.h>.
        assert!(asm.contains("mov edi, 7"), "{asm}");
        assert!(asm.contains("cmp r8d, 0x19"), "the CPUID path checks the maximum basic leaf");
    }

    #[test]
    fn no_os_state_means_no_xgetbv() {
        let plan = Plan::new(&["bmi2", "popcnt"]).unwrap();
        assert_eq!(plan.xcr0, 0);
        let asm = assembly(&plan, &Message::new("app", "", Some("x86-64")), "t", false).join("\n");
        assert!(!asm.contains("xgetbv"));
    }

    #[test]
    fn message_and_table() {
        let m = Message::new("app\n\u{1b}[31m", &needs(V3), Some("x86-64-v3"));
        assert_eq!(m.prefix, "app??[31m: this binary needs x86-64-v3 CPU features this host lacks: ");
        assert_eq!(m.tail, " (built with target-cpu=x86-64-v3)\n");
        assert_eq!(Message::new("app", "", None).prefix, "app: this binary needs CPU features this host lacks: ");
        let plan = Plan::new(&["avx2", "bmi2"]).unwrap();
        let (table, reasons) = data_table(&plan, &m);
        let avx2 = table.windows(5).position(|w| w == b"\x04avx2").unwrap();
        // Slot 0 (7.0 EBX), bit 5, XCR0 bits 0x6, the AVX reason at offset 1.
        assert_eq!(&table[avx2 - 4..avx2], &[0, 5, 6, 1]);
        let bmi2 = table.windows(5).position(|w| w == b"\x04bmi2").unwrap();
        assert_eq!(&table[bmi2 - 4..bmi2], &[0, 8, 0, 0]);
        assert_eq!(&reasons[1..], b"\x1f (OS has not enabled AVX state)");
    }

    #[test]
    fn guards_get_their_own_names_and_no_braces() {
        let plan = Plan::new(V3).unwrap();
        let m = Message::new("{app}", &needs(V3), Some("x86-64-v3"));
        let (a, b) = (assembly(&plan, &m, "x_0", false).join("\n"), assembly(&plan, &m, "x_1", true).join("\n"));
        assert!(!a.contains(['{', '}']));
        let labels = |s: &str| s.lines().filter(|l| l.ends_with(':')).map(str::to_owned).collect::<Vec<_>>();
        assert!(labels(&a).iter().all(|l| !labels(&b).contains(l)));
    }
}
