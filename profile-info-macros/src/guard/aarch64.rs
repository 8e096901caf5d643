//! The guard on aarch64 Linux (glibc and musl): base A64 code that asks `getauxval` for
//! `AT_HWCAP` and, when the build needs any of its bits, `AT_HWCAP2`, and compares each with the
//! bits the build's features need (`profile_info_core::aarch64::FEATURES`).
//!
//! `getauxval`, not the auxiliary vector past `envp`: musl calls `.init_array` functions without
//! `argc`, `argv` and `envp`, and both C libraries have read the vector before their constructors
//! run, in a static link as in a dynamic one.

use super::{bytes, push_str, Message, INIT_ARRAY};
use profile_info_core::aarch64::{Feature, AT_HWCAP, AT_HWCAP2, GUARD_EXIT_CODE};

/// The `cfg` the expansion carries.
pub const CFG: &str = "all(target_arch = \"aarch64\", target_os = \"linux\", target_pointer_width = \"64\")";

/// Whether the guard applies to the target: little-endian LP64 Linux. Android, ILP32 and
/// big-endian targets are untested.
pub fn applies(triple: &str) -> bool {
    triple.starts_with("aarch64-")
        && triple.contains("-linux")
        && !triple.contains("android")
        && !triple.ends_with("ilp32")
}

/// The guard in GNU syntax (LLVM's assembler takes it too), one line per string; `features` is
/// not empty.
pub fn assembly(features: &[&Feature], message: &Message, id: &str) -> Vec<String> {
    let func = format!("profile_info_guard_{id}");
    let data = format!("{func}_data");
    let l = |name: &str| format!(".L{func}_{name}");
    let (fail, names, lp, missing, first, done, exit, copy, copy_loop, copy_end) = (
        l("fail"),
        l("names"),
        l("loop"),
        l("missing"),
        l("first"),
        l("done"),
        l("exit"),
        l("copy"),
        l("copy_loop"),
        l("copy_end"),
    );
    let hwcap = features.iter().fold(0, |m, f| m | f.hwcap);
    let hwcap2 = features.iter().fold(0, |m, f| m | f.hwcap2);
    let mut a: Vec<String> = vec![
        format!(".pushsection {INIT_ARRAY},\"aw\",%init_array"),
        ".p2align 3".into(),
        format!(".quad {func}"),
        ".popsection".into(),
        format!(".pushsection .text.{func},\"ax\",%progbits"),
        ".p2align 2".into(),
        format!(".type {func},%function"),
        format!("{func}:"),
        // BTI C: the loader calls it through a pointer, which a binary built with branch target
        // identification allows only onto this; a NOP on other CPUs.
        "hint #34".into(),
        "stp x29, x30, [sp, #-32]!".into(),
        "mov x29, sp".into(),
        "stp x19, x20, [sp, #16]".into(),
        format!("mov x0, #{AT_HWCAP}"),
        "bl getauxval".into(),
        "mov x19, x0".into(),
        "mov x20, xzr".into(),
    ];
    if hwcap2 != 0 {
        a.extend([format!("mov x0, #{AT_HWCAP2}"), "bl getauxval".into(), "mov x20, x0".into()]);
    }
    for (mask, reg) in [(hwcap, "x19"), (hwcap2, "x20")] {
        if mask != 0 {
            // Sets Z when every bit of the mask is in the register.
            a.extend(load("x9", mask));
            a.extend([format!("bics xzr, x9, {reg}"), format!("b.ne {fail}")]);
        }
    }
    a.extend(["ldp x19, x20, [sp, #16]".into(), "ldp x29, x30, [sp], #32".into(), "ret".into()]);

    // Refusal: walk the masks, appending each missing feature's name into a stack buffer, then
    // one write(2) and exit_group. Nothing is restored: this path does not return.
    a.push(format!("{fail}:"));
    a.extend(load("x9", buffer_size(features, message) as u64));
    a.extend([
        "sub sp, sp, x9".into(),
        "mov x10, sp".into(),
        format!("adrp x11, {names}"),
        format!("add x11, x11, :lo12:{names}"),
        format!("adrp x14, {data}"),
        format!("add x14, x14, :lo12:{data}"),
        format!("bl {copy}"),
        format!("mov w15, #{}", features.len()),
        "mov w16, wzr".into(),
        format!("{lp}:"),
        format!("cbz w15, {done}"),
        "sub w15, w15, #1".into(),
        "ldp x1, x2, [x14], #16".into(),
        "bics xzr, x1, x19".into(),
        format!("b.ne {missing}"),
        "bics xzr, x2, x20".into(),
        format!("b.ne {missing}"),
        "ldrb w12, [x11], #1".into(),
        "add x11, x11, x12".into(),
        format!("b {lp}"),
        format!("{missing}:"),
        format!("cbz w16, {first}"),
        format!("mov w12, #{}", b','),
        "strb w12, [x10], #1".into(),
        format!("mov w12, #{}", b' '),
        "strb w12, [x10], #1".into(),
        format!("{first}:"),
        "mov w16, #1".into(),
        format!("bl {copy}"),
        format!("b {lp}"),
        format!("{done}:"),
        format!("bl {copy}"),
        "mov x0, #2".into(),
        "mov x1, sp".into(),
        "sub x2, x10, x1".into(),
        "mov x8, #64".into(), // write
        "svc #0".into(),
        format!("{exit}:"),
        format!("mov x0, #{GUARD_EXIT_CODE}"),
        "mov x8, #94".into(), // exit_group
        "svc #0".into(),
        format!("b {exit}"),
        // Copies `[len] bytes` at x11 to x10, advancing both.
        format!("{copy}:"),
        "ldrb w12, [x11], #1".into(),
        format!("cbz w12, {copy_end}"),
        format!("{copy_loop}:"),
        "ldrb w13, [x11], #1".into(),
        "strb w13, [x10], #1".into(),
        "subs w12, w12, #1".into(),
        format!("b.ne {copy_loop}"),
        format!("{copy_end}:"),
        "ret".into(),
        format!(".size {func}, . - {func}"),
        ".popsection".into(),
    ]);
    // `[hwcap mask] [hwcap2 mask]` per feature, then `[len] prefix`, `[len] name` per feature and
    // `[len] tail`.
    a.extend([
        format!(".pushsection .rodata.{func},\"a\",%progbits"),
        ".p2align 3".into(),
        format!(".type {data},%object"),
        format!("{data}:"),
    ]);
    a.extend(features.iter().map(|f| format!(".quad {:#x}, {:#x}", f.hwcap, f.hwcap2)));
    let mut text = Vec::new();
    push_str(&mut text, &message.prefix);
    for f in features {
        push_str(&mut text, f.name);
    }
    push_str(&mut text, &message.tail);
    a.extend([format!("{names}:"), bytes(&text)]);
    a.extend([format!(".size {data}, . - {data}"), ".popsection".into()]);
    a
}

/// A 64-bit constant into `reg`, 16 bits at a time.
fn load(reg: &str, value: u64) -> Vec<String> {
    let mut out = Vec::new();
    for shift in (0..64).step_by(16) {
        let part = (value >> shift) & 0xffff;
        if part != 0 {
            let op = if out.is_empty() { "movz" } else { "movk" };
            out.push(format!("{op} {reg}, #{part:#x}, lsl #{shift}"));
        }
    }
    if out.is_empty() {
        out.push(format!("mov {reg}, xzr"));
    }
    out
}

/// Room for the longest message, every feature missing, on a 16-byte aligned stack.
fn buffer_size(features: &[&Feature], message: &Message) -> usize {
    let names: usize = features.iter().map(|f| 2 + f.name.len()).sum();
    (message.prefix.len() + names + message.tail.len()).next_multiple_of(16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use profile_info_core::aarch64::required;

    #[test]
    fn applies_to_linux_lp64_only() {
        assert!(applies("aarch64-unknown-linux-gnu") && applies("aarch64-unknown-linux-musl"));
        for other in [
            "aarch64-linux-android",
            "aarch64-unknown-linux-gnu_ilp32",
            "aarch64-apple-darwin",
            "aarch64_be-unknown-linux-gnu",
        ] {
            assert!(!applies(other), "{other}");
        }
    }

    #[test]
    fn loads_take_one_instruction_per_nonzero_half_word() {
        assert_eq!(load("x9", 0), ["mov x9, xzr"]);
        assert_eq!(load("x9", 0x8fb), ["movz x9, #0x8fb, lsl #0"]);
        assert_eq!(load("x9", 1 << 47 | 1), ["movz x9, #0x1, lsl #0", "movk x9, #0x8000, lsl #32"]);
    }

    #[test]
    fn hwcap2_is_read_only_when_needed() {
        let m = Message::new("app", "", Some("cortex-a76"));
        let lse = assembly(&required(&["lse", "neon"]), &m, "t").join("\n");
        assert_eq!(lse.matches("bl getauxval").count(), 1);
        let bf16 = assembly(&required(&["bf16", "lse"]), &m, "t").join("\n");
        assert_eq!(bf16.matches("bl getauxval").count(), 2);
        assert!(!bf16.contains(['{', '}']), "no global_asm! operand syntax");
    }
}
