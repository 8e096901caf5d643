//! The facts read from `.comment`, the section table, DWARF and the strings std leaves behind.

use super::{Debuginfo, Fact, Rustc};
use object::{Object, ObjectSection, ObjectSymbol};

/// Entries of `.comment` read at most: a real one has a handful (compiler, linker, C runtime).
const COMMENT_ENTRIES: usize = 64;
/// Characters of one `.comment` entry kept: enough for any version line, not a flood.
const COMMENT_CHARS: usize = 200;

/// The NUL-separated entries of `.comment`, non-empty, printable and bounded in number and length
/// (a file may put anything there).
pub(super) fn comment(file: &object::File<'_>) -> Vec<String> {
    let Some(data) = file.section_by_name(".comment").and_then(|s| s.data().ok()) else { return Vec::new() };
    data.split(|&b| b == 0)
        .filter(|e| !e.is_empty())
        .take(COMMENT_ENTRIES)
        .map(|e| {
            String::from_utf8_lossy(e)
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .take(COMMENT_CHARS)
                .collect::<String>()
                .trim()
                .to_owned()
        })
        .collect()
}

/// rustc writes `rustc version 1.95.0 (59807616e 2026-04-14)` into `.comment`; std's panic
/// locations and debuginfo carry `/rustc/<40-hex commit>/library/…`.
pub(super) fn rustc(comment: &[String], data: &[u8]) -> Fact<Rustc> {
    let line = comment.iter().find_map(|e| e.strip_prefix("rustc version "));
    let mut rustc = Rustc { version: None, commit: None, date: None };
    let mut evidence = Vec::new();
    if let Some(line) = line {
        let mut words = line.split_whitespace();
        rustc.version = words.next().map(str::to_owned);
        let paren = line.split_once('(').and_then(|(_, rest)| rest.split_once(')')).map(|(inside, _)| inside);
        let mut inside = paren.unwrap_or_default().split_whitespace();
        rustc.commit = inside.next().filter(|c| is_hex(c)).map(str::to_owned);
        rustc.date = inside.next().map(str::to_owned);
        evidence.push(format!(".comment: \"rustc version {line}\""));
    }
    if let Some((commit, count)) = rustc_commit_path(data) {
        let agrees = rustc.commit.as_deref().is_none_or(|short| commit.starts_with(short));
        if agrees {
            evidence.push(format!("{count} /rustc/{commit}/ paths"));
            rustc.commit = Some(commit);
        } else {
            evidence.push(format!("{count} /rustc/{commit}/ paths, from another compiler than .comment names"));
        }
    }
    match evidence.is_empty() {
        true => Fact::unknown("no rustc line in .comment and no /rustc/<commit>/ path: no sign of a Rust compiler"),
        false => Fact::proven(rustc, evidence.join("; ")),
    }
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The most frequent commit in `/rustc/<commit>/` paths, and how many paths name it.
fn rustc_commit_path(data: &[u8]) -> Option<(String, usize)> {
    let mut counts: Vec<(&[u8], usize)> = Vec::new();
    for at in memchr::memmem::find_iter(data, b"/rustc/") {
        let Some(commit) = data.get(at + 7..at + 47) else { continue };
        if data.get(at + 47) != Some(&b'/') || !commit.iter().all(u8::is_ascii_hexdigit) {
            continue;
        }
        match counts.iter_mut().find(|(c, _)| *c == commit) {
            Some((_, n)) => *n += 1,
            None => counts.push((commit, 1)),
        }
    }
    counts.into_iter().max_by_key(|&(_, n)| n).map(|(c, n)| (String::from_utf8_lossy(c).into_owned(), n))
}

/// LLD and mold write their name into `.comment` (`Linker: LLD 22.1.2 (…)`, `mold 2.4.0 (…)`),
/// gold writes `gold 1.16`; GNU ld writes nothing.
pub(super) fn linker(comment: &[String], file: &object::File<'_>) -> Fact<String> {
    let found = comment.iter().find_map(|e| {
        let name = e
            .strip_prefix("Linker: ")
            .or_else(|| (e.starts_with("mold ") || e.starts_with("GNU gold ")).then_some(e.as_str()))?;
        // `LLD 22.1.2 (/checkout/src/llvm-project/llvm <hash>)`: the name and version, not the
        // build path.
        Some((name.split(" (").next().unwrap_or(name).to_owned(), e))
    });
    match (found, file.format()) {
        (Some((name, entry)), _) => Fact::proven(name, format!(".comment: \"{entry}\"")),
        (None, object::BinaryFormat::Elf) => {
            Fact::unknown("no linker named in .comment (GNU ld writes none; LLD, mold and gold do)")
        }
        (None, _) => Fact::unknown("only ELF files name their linker (in .comment)"),
    }
}

/// Cargo's `strip`: `symbols` leaves no `.symtab`, `debuginfo` a `.symtab` without `.debug_*`
/// sections. A Rust executable that kept its debuginfo always has some: std is shipped with it.
pub(super) fn strip(file: &object::File<'_>) -> Fact<&'static str> {
    if file.format() != object::BinaryFormat::Elf {
        return Fact::unknown("read from ELF section tables only");
    }
    let symtab = file.section_by_name(".symtab").is_some();
    let debug = debug_sections(file);
    match (symtab, debug.is_empty()) {
        (false, true) => Fact::proven("symbols", "no .symtab and no .debug_* sections"),
        (false, false) => Fact::proven("symbols", format!("no .symtab, although {} remain", debug.join(", "))),
        (true, true) => Fact::proven("debuginfo", ".symtab present, no .debug_* sections"),
        (true, false) => Fact::proven("none", format!(".symtab and {} present", debug.join(", "))),
    }
}

/// A DWARF section: `.debug_*` but rustc's `.debug_gdb_scripts`, which is loaded data (the
/// pretty-printer scripts gdb reads) that stripping debuginfo keeps.
fn is_dwarf(name: &str) -> bool {
    (name.starts_with(".debug_") || name.starts_with(".zdebug_")) && name != ".debug_gdb_scripts"
}

fn debug_sections(file: &object::File<'_>) -> Vec<String> {
    let mut names: Vec<String> =
        file.sections().filter_map(|s| s.name().ok().filter(|n| is_dwarf(n)).map(str::to_owned)).collect();
    names.truncate(3);
    if names.len() == 3 {
        names[2] = "…".into();
    }
    names
}

/// Whether DWARF is present, and each compilation unit's `DW_AT_producer`.
pub(super) fn debuginfo(file: &object::File<'_>) -> Fact<Debuginfo> {
    if file.section_by_name(".debug_info").is_none() {
        let evidence = match file.format() {
            object::BinaryFormat::Elf => "no .debug_info section",
            object::BinaryFormat::MachO => "no __debug_info section (Mach-O keeps DWARF in a .dSYM beside the file)",
            _ => "no DWARF .debug_info section (PE keeps debuginfo in a .pdb beside the file)",
        };
        return Fact::proven(Debuginfo { present: false, producers: Vec::new() }, evidence);
    }
    match producers(file) {
        Ok(producers) => {
            let units: usize = producers.iter().map(|(_, n)| n).sum();
            Fact::proven(
                Debuginfo { present: true, producers },
                format!(".debug_info present; DW_AT_producer of its {units} compilation units"),
            )
        }
        Err(e) => Fact::proven(
            Debuginfo { present: true, producers: Vec::new() },
            format!(".debug_info present; its units cannot be read: {e}"),
        ),
    }
}

fn producers(file: &object::File<'_>) -> Result<Vec<(String, usize)>, gimli::Error> {
    let endian = if file.is_little_endian() { gimli::RunTimeEndian::Little } else { gimli::RunTimeEndian::Big };
    let load = |id: gimli::SectionId| -> Result<std::borrow::Cow<'_, [u8]>, gimli::Error> {
        Ok(file
            .section_by_name(id.name())
            .and_then(|s| s.uncompressed_data().ok())
            .unwrap_or(std::borrow::Cow::Borrowed(&[])))
    };
    let sections = gimli::DwarfSections::load(load)?;
    let dwarf = sections.borrow(|s| gimli::EndianSlice::new(s, endian));
    let mut producers: Vec<(String, usize)> = Vec::new();
    let mut units = dwarf.units();
    while let Some(header) = units.next()? {
        let unit = dwarf.unit(header)?;
        let mut entries = unit.entries();
        let Some((_, root)) = entries.next_dfs()? else { continue };
        let Some(value) = root.attr_value(gimli::DW_AT_producer)? else { continue };
        let name = dwarf.attr_string(&unit, value)?.to_string_lossy().chars().take(COMMENT_CHARS).collect::<String>();
        match producers.iter_mut().find(|(p, _)| *p == name) {
            Some((_, n)) => *n += 1,
            None => producers.push((name, 1)),
        }
    }
    producers.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(producers)
}

/// std is prebuilt with unwinding, so `.eh_frame` is in every build; what differs is the panic
/// runtime linked in: only `panic = "abort"` builds carry `panic_abort`'s source path (in its
/// panic locations, which survive stripping), and only unwinding builds have symbols of the
/// `panic_unwind` crate (gone when stripped).
pub(super) fn panic(file: &object::File<'_>, data: &[u8]) -> Fact<&'static str> {
    if memchr::memmem::find(data, b"/library/panic_abort/").is_some() {
        return Fact::proven("abort", "std's panic_abort crate is linked in (its /library/panic_abort/ source path)");
    }
    let unwind = file.symbols().find_map(|s| s.name().ok().filter(|n| n.contains("12panic_unwind")).map(str::to_owned));
    match unwind {
        Some(symbol) => Fact::proven(
            "unwind",
            format!("std's panic_unwind crate is linked in (symbol {}), panic_abort is not", demangled(&symbol)),
        ),
        None if file.symbols().next().is_none() => {
            Fact::unknown("no symbols and no panic_abort path: the file does not show which panic runtime it links")
        }
        None => Fact::unknown("neither panic runtime's symbols nor panic_abort's path: not a Rust program, or no std"),
    }
}

/// A symbol as Rust writes it, without the hash.
pub(super) fn demangled(symbol: &str) -> String {
    format!("{:#}", rustc_demangle::demangle(symbol))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_paths_need_forty_hex_digits_and_a_slash() {
        let c = "59807616e1fa2540724bfbac14d7976d7e4a3860";
        let data = format!("x/rustc/{c}/library/a\0/rustc/{c}/lib\0/rustc/{}/x/rustc/zz", &c[..39]);
        assert_eq!(rustc_commit_path(data.as_bytes()), Some((c.to_owned(), 2)));
        assert_eq!(rustc_commit_path(b"/rustc/"), None);
    }

    #[test]
    fn comment_line_and_paths_agree_or_say_so() {
        let c = "59807616e1fa2540724bfbac14d7976d7e4a3860";
        let comment = vec!["rustc version 1.95.0 (59807616e 2026-04-14)".to_owned()];
        let path = format!("/rustc/{c}/library/std");
        let fact = rustc(&comment, path.as_bytes());
        let r = fact.value.unwrap();
        assert_eq!(
            (r.version.as_deref(), r.commit.as_deref(), r.date.as_deref()),
            (Some("1.95.0"), Some(c), Some("2026-04-14"))
        );
        let other = format!("/rustc/{}/library/std", "a".repeat(40));
        let fact = rustc(&comment, other.as_bytes());
        assert_eq!(fact.value.unwrap().commit.as_deref(), Some("59807616e"));
        assert!(fact.because.contains("another compiler"), "{}", fact.because);
        assert!(rustc(&[], b"").value.is_none());
        // Garbage after the prefix gives what can be read, never a panic.
        let garbage = vec!["rustc version ".to_owned(), "rustc version x (".to_owned()];
        assert!(rustc(&garbage, b"").value.is_some());
    }
}
