//! What a binary proves about its own build, with or without `#[profile_info::main]`: the
//! compiler and linker named in `.comment`, the `/rustc/<commit>/` paths std leaves, the section
//! table (symbols, DWARF), the panic runtime linked in, and the CPU features its instructions use.
//!
//! Every fact carries the evidence it rests on, or is `null` with the reason the file cannot tell
//! (LTO and codegen units leave no reliable trace). Nothing is guessed from what is usual.

pub mod cpus;
mod evidence;
pub mod isa;
pub mod walk;

use object::{Object, ObjectSection};
use serde_json::{json, Value};
use std::fmt::Write;

pub use isa::Isa;

/// One fact about a file: its value and the evidence for it, or no value and why not.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact<T> {
    /// What the file proves; `None` when it proves nothing about this.
    pub value: Option<T>,
    /// The evidence for the value, or the reason there is none.
    pub because: String,
}

impl<T> Fact<T> {
    fn proven(value: T, evidence: impl Into<String>) -> Fact<T> {
        Fact { value: Some(value), because: evidence.into() }
    }

    fn unknown(reason: impl Into<String>) -> Fact<T> {
        Fact { value: None, because: reason.into() }
    }

    /// `{"value": …, "evidence": …}`, or `{"value": null, "reason": …}`.
    fn json(&self, value: impl FnOnce(&T) -> Value) -> Value {
        match &self.value {
            Some(v) => json!({"value": value(v), "evidence": self.because}),
            None => json!({"value": null, "reason": self.because}),
        }
    }
}

/// The compiler that built the file, as far as the file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rustc {
    /// `1.95.0`, from `.comment`.
    pub version: Option<String>,
    /// The full commit from `/rustc/<commit>/` paths, else the short one from `.comment`.
    pub commit: Option<String>,
    /// The commit date from `.comment`.
    pub date: Option<String>,
}

/// The DWARF a file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Debuginfo {
    /// Whether the file has a `.debug_info` section.
    pub present: bool,
    /// Each distinct `DW_AT_producer` of its compilation units, with how many units name it.
    pub producers: Vec<(String, usize)>,
}

/// What a file proves about how it was built.
#[derive(Debug, Clone, PartialEq)]
pub struct FileFacts {
    /// `elf`, `macho`, `pe`, `coff`, …
    pub format: String,
    /// The architecture as `std::env::consts::ARCH` names it (`x86_64`, `aarch64`, …).
    pub arch: String,
    /// The Rust compiler's version and commit.
    pub rustc: Fact<Rustc>,
    /// The linker that wrote its name into `.comment` (LLD, mold, gold; GNU ld writes none).
    pub linker: Fact<String>,
    /// `none`, `debuginfo` or `symbols`, as Cargo's `strip` names them.
    pub strip: Fact<&'static str>,
    /// DWARF present, and who produced it.
    pub debuginfo: Fact<Debuginfo>,
    /// `abort` or `unwind`.
    pub panic: Fact<&'static str>,
    /// Always unknown: whole-program optimisation leaves no trace to tell it by.
    pub lto: Fact<String>,
    /// Always unknown: how rustc split the crate leaves no trace in the linked file.
    pub codegen_units: Fact<u32>,
    /// cargo-auditable's dependency list (`.dep-v0`): only whether the section is there.
    pub dependencies: Fact<usize>,
    /// The CPU features the code's instructions use (x86 and x86_64 only).
    pub isa: Fact<Isa>,
}

impl FileFacts {
    /// Reads the facts out of an executable or object file's bytes.
    pub fn read(data: &[u8]) -> Result<FileFacts, String> {
        if let Ok(object::FileKind::MachOFat32 | object::FileKind::MachOFat64) = object::FileKind::parse(data) {
            return Err("is a universal (fat) Mach-O file: extract one architecture with `lipo -thin` first".into());
        }
        let file = object::File::parse(data)
            .map_err(|e| format!("not an executable this tool reads (ELF, Mach-O or PE): {e}"))?;
        let comment = evidence::comment(&file);
        let (arch, bitness) = arch(file.architecture());
        let isa = match bitness {
            Some(bitness) => isa::scan(&file, bitness),
            None => Fact::unknown(format!("the instruction scan reads x86 and x86_64 code only; this file is {arch}")),
        };
        Ok(FileFacts {
            format: format!("{:?}", file.format()).to_lowercase(),
            arch: arch.to_owned(),
            rustc: evidence::rustc(&comment, data),
            linker: evidence::linker(&comment, &file),
            strip: evidence::strip(&file),
            debuginfo: evidence::debuginfo(&file),
            panic: evidence::panic(&file, data),
            lto: Fact::unknown(
                "LTO leaves no reliable trace in a linked file (fat, thin and off give the same kinds of code)",
            ),
            codegen_units: Fact::unknown("codegen units leave no reliable trace in a linked file"),
            dependencies: match file.section_by_name(".dep-v0") {
                Some(s) => Fact::proven(
                    s.size() as usize,
                    "a .dep-v0 section (cargo auditable's compressed dependency list) of this many bytes",
                ),
                None => Fact::unknown("no .dep-v0 section: not built with `cargo auditable`"),
            },
            isa,
        })
    }

    /// The facts as the `file` object of `inspect --json`.
    pub fn json(&self) -> Value {
        json!({
            "format": self.format,
            "arch": self.arch,
            "rustc": self.rustc.json(|r| json!({"version": r.version, "commit": r.commit, "date": r.date})),
            "linker": self.linker.json(|l| l.as_str().into()),
            "strip": self.strip.json(|s| (*s).into()),
            "debuginfo": self.debuginfo.json(|d| json!({
                "present": d.present,
                "producers": d.producers.iter().map(|(p, n)| json!({"producer": p, "units": n})).collect::<Vec<_>>(),
            })),
            "panic": self.panic.json(|p| (*p).into()),
            "lto": self.lto.json(|l| l.as_str().into()),
            "codegen_units": self.codegen_units.json(|&n| n.into()),
            "dependencies": self.dependencies.json(|&n| json!({"section_bytes": n})),
            "isa": self.isa.json(Isa::json),
        })
    }

    /// The facts as text, one line per fact with its evidence, under a `file: PATH` line.
    pub fn text(&self, path: &str) -> String {
        let mut out = format!("file:          {path} ({} {})\n", self.format, self.arch);
        let mut line = |name: &str, value: Option<String>, because: &str| {
            let value = value.unwrap_or_else(|| "null".into());
            let _ = writeln!(out, "{:<15}{value}  ({because})", format!("{name}:"));
        };
        let rustc = self.rustc.value.as_ref().map(|r| {
            let or_unknown = |s: &Option<String>| s.clone().unwrap_or_else(|| "?".into());
            format!("{} ({} {})", or_unknown(&r.version), or_unknown(&r.commit), or_unknown(&r.date))
        });
        line("rustc", rustc, &self.rustc.because);
        line("linker", self.linker.value.clone(), &self.linker.because);
        line("strip", self.strip.value.map(str::to_owned), &self.strip.because);
        let debuginfo = self.debuginfo.value.as_ref().map(|d| match d.present {
            false => "none".to_owned(),
            true if d.producers.is_empty() => "present".to_owned(),
            true => {
                let producers: Vec<String> = d.producers.iter().map(|(p, n)| format!("{p} ×{n}")).collect();
                format!("present, produced by {}", producers.join("; "))
            }
        });
        line("debuginfo", debuginfo, &self.debuginfo.because);
        line("panic", self.panic.value.map(str::to_owned), &self.panic.because);
        line("lto", None, &self.lto.because);
        line("codegen_units", None, &self.codegen_units.because);
        line(
            "dependencies",
            self.dependencies.value.map(|n| format!(".dep-v0, {n} bytes")),
            &self.dependencies.because,
        );
        match &self.isa.value {
            Some(isa) => out.push_str(&isa.text()),
            None => line("isa", None, &self.isa.because),
        }
        out
    }
}

/// `std::env::consts::ARCH`'s name for an architecture, and the decoder's bitness for x86.
fn arch(arch: object::Architecture) -> (&'static str, Option<u32>) {
    use object::Architecture as A;
    match arch {
        A::X86_64 => ("x86_64", Some(64)),
        A::X86_64_X32 => ("x86_64", Some(64)),
        A::I386 => ("x86", Some(32)),
        A::Aarch64 | A::Aarch64_Ilp32 => ("aarch64", None),
        A::Arm => ("arm", None),
        A::Riscv64 => ("riscv64", None),
        A::Riscv32 => ("riscv32", None),
        A::PowerPc64 => ("powerpc64", None),
        A::S390x => ("s390x", None),
        A::LoongArch64 => ("loongarch64", None),
        A::Wasm32 => ("wasm32", None),
        A::Mips | A::Mips64 => ("mips", None),
        _ => ("an architecture this tool does not name", None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An object file of `format` whose code is `popcnt eax, edi; ret` (F3 0F B8 /r and C3, the
    /// encodings the Intel SDM gives) in a function `count_bits`: Mach-O and COFF cannot be linked
    /// here, the object crate writes them.
    fn object_with_code(format: object::BinaryFormat) -> Vec<u8> {
        use object::write::{Object, StandardSection, Symbol, SymbolSection};
        let mut obj = Object::new(format, object::Architecture::X86_64, object::Endianness::Little);
        let text = obj.section_id(StandardSection::Text);
        let code = [0xf3, 0x0f, 0xb8, 0xc7, 0xc3];
        let offset = obj.append_section_data(text, &code, 16);
        obj.add_symbol(Symbol {
            name: b"count_bits".to_vec(),
            value: offset,
            size: code.len() as u64,
            kind: object::SymbolKind::Text,
            scope: object::SymbolScope::Linkage,
            weak: false,
            section: SymbolSection::Section(text),
            flags: object::SymbolFlags::None,
        });
        obj.write().expect("writable object")
    }

    #[test]
    fn code_of_every_format_is_scanned() {
        use object::BinaryFormat::{Coff, Elf, MachO};
        for (format, name) in [(Elf, "elf"), (MachO, "macho"), (Coff, "coff")] {
            let facts = FileFacts::read(&object_with_code(format)).expect("readable");
            assert_eq!((facts.format.as_str(), facts.arch.as_str()), (name, "x86_64"));
            let isa = facts.isa.value.expect("x86 code is scanned");
            assert_eq!(isa.instructions, 2, "{name}");
            assert_eq!(isa.level(), Some(2), "{name}: POPCNT is x86-64-v2");
            let popcnt = isa.features.iter().find(|f| f.name == "popcnt").expect("popcnt counted");
            assert_eq!((popcnt.count, popcnt.required), (1, 1), "{name}");
            assert!(popcnt.functions[0].0.ends_with("count_bits"), "{name}: {:?}", popcnt.functions);
            assert!(facts.rustc.value.is_none() && !facts.rustc.because.is_empty());
        }
    }

    /// Other architectures are read for everything but their instructions, and say so.
    #[test]
    fn other_architectures_have_no_isa() {
        use object::write::Object;
        let mut obj = Object::new(object::BinaryFormat::Elf, object::Architecture::Aarch64, object::Endianness::Little);
        let text = obj.section_id(object::write::StandardSection::Text);
        obj.append_section_data(text, &[0xc0, 0x03, 0x5f, 0xd6], 4);
        let facts = FileFacts::read(&obj.write().unwrap()).expect("readable");
        assert_eq!(facts.arch, "aarch64");
        assert!(facts.isa.value.is_none() && facts.isa.because.contains("x86"), "{}", facts.isa.because);
        assert_eq!(facts.json()["isa"]["value"], serde_json::Value::Null);
    }

    /// A `.comment` of megabytes (one endless entry, then thousands) gives bounded lines.
    #[test]
    fn huge_comment_is_bounded() {
        use object::write::Object;
        let mut comment = b"rustc version ".to_vec();
        comment.extend(std::iter::repeat_n(b'9', 4 << 20));
        for _ in 0..10_000 {
            comment.extend_from_slice(b"\0Linker: LLD 1.0 (x)");
        }
        let mut obj = Object::new(object::BinaryFormat::Elf, object::Architecture::X86_64, object::Endianness::Little);
        let id = obj.add_section(Vec::new(), b".comment".to_vec(), object::SectionKind::OtherString);
        obj.append_section_data(id, &comment, 1);
        let facts = FileFacts::read(&obj.write().unwrap()).expect("readable");
        let version = facts.rustc.value.clone().unwrap().version.unwrap();
        assert!(version.len() < 200 && version.starts_with("999"), "{}", version.len());
        assert_eq!(facts.linker.value.as_deref(), Some("LLD 1.0"));
        let text = facts.text("f");
        assert!(text.lines().all(|l| l.len() < 1000), "{}", text.len());
    }

    #[test]
    fn bad_bytes_are_one_line_errors() {
        for bytes in [&b""[..], b"\x7fELF", b"just text", &[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 1, 0, 0, 0, 7]] {
            let e = FileFacts::read(bytes).unwrap_err();
            assert!(!e.contains('\n') && !e.is_empty(), "{e}");
        }
    }
}
