//! The CPU features a file's x86 code uses: every byte of its executable sections decoded with
//! iced-x86, each instruction's CPUID features counted, per function when symbols exist.
//!
//! This lists the instructions present, not proof that they run: code behind a runtime check
//! (`is_x86_feature_detected!`) is there too. Functions are taken as evidently runtime-dispatched
//! when their name says which feature they use (`sum_avx2`, `memchr::arch::x86_64::avx2::…`,
//! `fmaf_with_fma`) or they belong to std's feature detection (`std_detect`); the x86-64 level is
//! judged on the code outside them. Without symbols nothing can be set apart, and the level is
//! `null`. Two instructions are not counted as needing their feature: `tzcnt` (tagged BMI1) runs
//! as `bsf` on CPUs without BMI1, which LLVM relies on in baseline code; iced tags `endbr64`
//! (CET) and the rest outside profile-info's feature table are listed apart, not judged.

use super::evidence::demangled;
use super::Fact;
use iced_x86::{CpuidFeature, Decoder, DecoderOptions, Instruction, Mnemonic};
use object::{Object, ObjectSection, ObjectSymbol, SectionKind, SymbolKind};
use profile_info_core::x86::{self, FEATURES};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::fmt::Write;

/// Functions listed per feature.
const TOP: usize = 5;

/// How one CPUID tag of the decoder is counted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tag {
    /// Every x86-64 CPU has it (8086–486, x64, CMOV, CX8, x87, MMX, SYSCALL, …).
    Baseline,
    /// `x86::FEATURES[i]`.
    Table(usize),
    /// Outside the table: `OTHER[i]` holds its name.
    Other(usize),
}

/// The decoder's tags every x86-64 CPU has: the psABI baseline and what every x86-64 CPU ran
/// before it.
fn baseline(name: &str) -> bool {
    name.starts_with("INTEL")
        || name.starts_with("FPU")
        || matches!(
            name,
            "X64"
                | "CMOV"
                | "CX8"
                | "MMX"
                | "SYSCALL"
                | "CPUID"
                | "TSC"
                | "PAUSE"
                | "MULTIBYTENOP"
                | "CLFSH"
                | "SEP"
                | "MSR"
        )
}

/// A rustc feature name and an iced tag name compared without case, `_` and `.`
/// (`sse4.1` ~ `SSE4_1`, `avxvnni` ~ `AVX_VNNI`).
fn same_name(rustc: &str, iced: &str) -> bool {
    let squash =
        |s: &str| s.chars().filter(|c| *c != '_' && *c != '.').map(|c| c.to_ascii_lowercase()).collect::<String>();
    squash(rustc) == squash(iced)
}

/// The decoder's tags, by `CpuidFeature as usize`, mapped onto the table; the names of those
/// outside it.
struct Tags {
    tags: Vec<Tag>,
    other: Vec<String>,
}

impl Tags {
    fn new() -> Tags {
        let mut other = Vec::new();
        let tags = CpuidFeature::values()
            .map(|cf| {
                let name = format!("{cf:?}");
                if let Some(i) = FEATURES.iter().position(|f| same_name(f.name, &name)) {
                    Tag::Table(i)
                } else if baseline(&name) {
                    Tag::Baseline
                } else {
                    other.push(name.to_lowercase());
                    Tag::Other(other.len() - 1)
                }
            })
            .collect();
        Tags { tags, other }
    }

    fn slots(&self) -> usize {
        FEATURES.len() + self.other.len()
    }

    fn slot(&self, cf: CpuidFeature) -> Option<usize> {
        match self.tags[cf as usize] {
            Tag::Baseline => None,
            Tag::Table(i) => Some(i),
            Tag::Other(i) => Some(FEATURES.len() + i),
        }
    }

    fn name(&self, slot: usize) -> &str {
        FEATURES.get(slot).map_or_else(|| self.other[slot - FEATURES.len()].as_str(), |f| f.name)
    }
}

/// One feature's use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureUse {
    /// rustc's name when in the feature table, else the decoder's (`cet_ibt`).
    pub name: String,
    /// Whether profile-info's feature table has it (and so a level and a CPUID bit).
    pub in_table: bool,
    /// Instructions using it.
    pub count: u64,
    /// Of those, outside evidently runtime-dispatched functions and not runnable without it
    /// (`tzcnt` excluded).
    pub required: u64,
    /// `tzcnt` instructions among `count` (BMI1 only).
    pub tzcnt: u64,
    /// The functions using it most, with their counts (empty without symbols).
    pub functions: Vec<(String, u64)>,
}

/// What the code's instructions use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Isa {
    /// Bytes of executable sections decoded.
    pub bytes: u64,
    /// Instructions decoded.
    pub instructions: u64,
    /// Whether a symbol table named the functions.
    pub symbols: bool,
    /// Every feature beyond the baseline (and the baseline's own table entries), table order
    /// then the decoder's.
    pub features: Vec<FeatureUse>,
    /// The functions set apart as runtime-dispatched, with the features that gave them away.
    pub dispatched: Vec<(String, Vec<String>)>,
}

impl Isa {
    /// The table features the code outside dispatched functions needs (baseline excluded).
    pub fn required(&self) -> Vec<&'static x86::Feature> {
        FEATURES
            .iter()
            .filter(|f| f.level != 1 && self.features.iter().any(|u| u.in_table && u.name == f.name && u.required > 0))
            .collect()
    }

    /// Every table feature any instruction uses (baseline and `tzcnt` excluded).
    pub fn used(&self) -> Vec<&'static x86::Feature> {
        FEATURES
            .iter()
            .filter(|f| {
                f.level != 1 && self.features.iter().any(|u| u.in_table && u.name == f.name && u.count > u.tzcnt)
            })
            .collect()
    }

    /// The x86-64 level the code outside dispatched functions needs; `None` without symbols.
    pub fn level(&self) -> Option<u8> {
        self.symbols.then(|| level(&self.required()))
    }

    /// The level every instruction, dispatched or not, would need.
    pub fn level_all(&self) -> u8 {
        level(&self.used())
    }

    pub(super) fn json(&self) -> Value {
        let features: Vec<Value> = self
            .features
            .iter()
            .map(|u| {
                let f = x86::feature(&u.name).filter(|_| u.in_table);
                let mut v = json!({
                    "feature": u.name,
                    "count": u.count,
                    "outside_dispatched": u.required,
                    "level": f.map(|f| f.level),
                    "in_table": u.in_table,
                    "functions": u.functions.iter().map(|(n, c)| json!({"function": n, "count": c})).collect::<Vec<_>>(),
                });
                if u.tzcnt > 0 {
                    v["tzcnt"] = u.tzcnt.into();
                }
                v
            })
            .collect();
        let required: Vec<&str> = self.required().iter().map(|f| f.name).collect();
        json!({
            "bytes": self.bytes,
            "instructions": self.instructions,
            "symbols": self.symbols,
            "level": self.level().map(x86::level_name),
            "level_reason": if self.symbols { Value::Null } else {
                "no symbols: runtime-dispatched functions cannot be set apart; level_all counts every instruction".into()
            },
            "level_all": x86::level_name(self.level_all()),
            "required": required,
            "features": features,
            "dispatched": self.dispatched.iter().map(|(n, f)| json!({"function": n, "features": f})).collect::<Vec<_>>(),
            "note": "the instructions present, not proof that they run",
        })
    }

    pub(super) fn text(&self) -> String {
        let level = match self.level() {
            Some(l) => format!("{} outside runtime-dispatched functions", x86::level_name(l)),
            None => "null outside dispatched functions (no symbols to tell them apart)".to_owned(),
        };
        let mut out = format!(
            "isa:           {level}; every instruction: {} ({} instructions in {} bytes; present, not proven reached)\n",
            x86::level_name(self.level_all()),
            self.instructions,
            self.bytes
        );
        for u in &self.features {
            let level = x86::feature(&u.name).filter(|_| u.in_table).map_or("no level".to_owned(), |f| match f.level {
                0 => "no level".to_owned(),
                l => x86::level_name(l).to_owned(),
            });
            let _ = write!(out, "  {:<14} {:>7}  ({level}; {} outside dispatched", u.name, u.count, u.required);
            if u.tzcnt > 0 {
                let _ = write!(out, "; {} tzcnt, run as bsf without BMI1", u.tzcnt);
            }
            out.push(')');
            if !u.functions.is_empty() && FEATURES.iter().any(|f| f.name == u.name && f.level != 1) {
                let top: Vec<String> = u.functions.iter().map(|(n, c)| format!("{n} {c}")).collect();
                let _ = write!(out, " in {}", top.join(", "));
            }
            out.push('\n');
        }
        if !self.dispatched.is_empty() {
            let names: Vec<String> =
                self.dispatched.iter().take(TOP).map(|(n, f)| format!("{n} [{}]", f.join(","))).collect();
            let more = self.dispatched.len().saturating_sub(TOP);
            let more = if more > 0 { format!(" and {more} more") } else { String::new() };
            let _ = writeln!(out, "  runtime-dispatched: {}{more}", names.join(", "));
        }
        out
    }
}

/// The lowest level covering every feature (1 when none needs a level).
fn level(features: &[&x86::Feature]) -> u8 {
    features.iter().map(|f| f.level).max().unwrap_or(1).max(1)
}

/// A function symbol: start, end, name.
struct Function<'a> {
    start: u64,
    end: u64,
    name: &'a str,
}

fn functions<'a>(file: &'a object::File<'a>) -> Vec<Function<'a>> {
    let mut fns: Vec<Function<'a>> = file
        .symbols()
        .filter(|s| s.kind() == SymbolKind::Text && s.is_definition())
        .filter_map(|s| {
            Some(Function { start: s.address(), end: s.address().saturating_add(s.size()), name: s.name().ok()? })
        })
        .collect();
    fns.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
    // Symbols without a size reach the next symbol.
    for i in 0..fns.len() {
        if fns[i].end == fns[i].start {
            fns[i].end = fns.get(i + 1).map_or(u64::MAX, |n| n.start);
        }
    }
    fns
}

/// Decodes every executable section of `file`.
pub(super) fn scan(file: &object::File<'_>, bitness: u32) -> Fact<Isa> {
    let tags = Tags::new();
    let fns = functions(file);
    let slots = tags.slots();
    let mut total = vec![0u64; slots];
    let mut tzcnt = 0u64;
    // Per function: the counts of the function being decoded, flushed when it ends.
    let mut current = vec![0u32; slots];
    let mut touched: Vec<usize> = Vec::new();
    let mut per_fn: HashMap<usize, Vec<(usize, u32)>> = HashMap::new();
    let mut unnamed = vec![0u64; slots];
    let (mut bytes, mut instructions) = (0u64, 0u64);
    let mut flush = |f: Option<usize>, current: &mut Vec<u32>, touched: &mut Vec<usize>| {
        for &slot in touched.iter() {
            match f {
                Some(f) => per_fn.entry(f).or_default().push((slot, current[slot])),
                None => unnamed[slot] += u64::from(current[slot]),
            }
            current[slot] = 0;
        }
        touched.clear();
    };
    let mut instr = Instruction::default();
    for section in file.sections().filter(|s| s.kind() == SectionKind::Text) {
        let Ok(data) = section.data() else { continue };
        bytes += data.len() as u64;
        let mut decoder = Decoder::with_ip(bitness, data, section.address(), DecoderOptions::NONE);
        let mut at = fns.partition_point(|f| f.end <= section.address());
        let mut in_fn: Option<usize> = None;
        while decoder.can_decode() {
            decoder.decode_out(&mut instr);
            let ip = instr.ip();
            while at < fns.len() && fns[at].end <= ip {
                at += 1;
            }
            let f = (at < fns.len() && fns[at].start <= ip).then_some(at);
            if f != in_fn {
                flush(in_fn, &mut current, &mut touched);
                in_fn = f;
            }
            if instr.is_invalid() {
                continue;
            }
            instructions += 1;
            let is_tzcnt = instr.mnemonic() == Mnemonic::Tzcnt;
            tzcnt += u64::from(is_tzcnt);
            for &cf in instr.cpuid_features() {
                let Some(slot) = tags.slot(cf) else { continue };
                total[slot] += 1;
                if is_tzcnt {
                    continue;
                }
                if current[slot] == 0 {
                    touched.push(slot);
                }
                current[slot] += 1;
            }
        }
        flush(in_fn, &mut current, &mut touched);
    }
    // Which functions are runtime-dispatched, and the required counts outside them.
    let mut required = unnamed;
    let mut dispatched = Vec::new();
    let mut top: Vec<Vec<(u64, usize)>> = vec![Vec::new(); slots];
    for (&f, counts) in &per_fn {
        let name = demangled(fns[f].name);
        let tokens: Vec<String> = name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|t| !t.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        let beyond: Vec<usize> =
            counts.iter().map(|&(s, _)| s).filter(|&s| s >= FEATURES.len() || FEATURES[s].level != 1).collect();
        let named: Vec<String> = beyond
            .iter()
            .map(|&s| tags.name(s))
            .filter(|n| {
                tokens.iter().any(|t| same_name(n, t)) || n.contains('.') && name.contains(&n.replace('.', "_"))
            })
            .map(str::to_owned)
            .collect();
        let detector = tokens.windows(2).any(|w| w[0] == "std" && w[1] == "detect");
        let is_dispatched = !beyond.is_empty() && (!named.is_empty() || detector);
        if is_dispatched {
            let why = if named.is_empty() { vec!["std_detect".to_owned()] } else { named };
            dispatched.push((name, why));
        }
        for &(slot, n) in counts {
            if !is_dispatched {
                required[slot] += u64::from(n);
            }
            top[slot].push((u64::from(n), f));
        }
    }
    dispatched.sort();
    let features = (0..slots)
        .filter(|&s| total[s] > 0)
        .map(|s| {
            let mut fns_of = std::mem::take(&mut top[s]);
            fns_of.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| fns[a.1].name.cmp(fns[b.1].name)));
            FeatureUse {
                name: tags.name(s).to_owned(),
                in_table: s < FEATURES.len(),
                count: total[s],
                required: required[s],
                tzcnt: if FEATURES.get(s).is_some_and(|f| f.name == "bmi1") { tzcnt } else { 0 },
                functions: fns_of.into_iter().take(TOP).map(|(n, f)| (demangled(fns[f].name), n)).collect(),
            }
        })
        .collect();
    let isa = Isa { bytes, instructions, symbols: !fns.is_empty(), features, dispatched };
    Fact::proven(isa, "every executable section decoded (iced-x86), each instruction's CPUID features counted")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_feature_but_lahfsahf_is_a_decoder_tag() {
        let tags = Tags::new();
        for (i, f) in FEATURES.iter().enumerate() {
            let mapped = tags.tags.contains(&Tag::Table(i));
            // lahf/sahf carry no CPUID tag in the decoder.
            assert_eq!(mapped, f.name != "lahfsahf", "{}", f.name);
        }
        assert!(tags.other.iter().any(|o| o == "cet_ibt"), "{:?}", tags.other);
    }

    #[test]
    fn names_compare_without_separators() {
        assert!(same_name("sse4.1", "SSE4_1") && same_name("avxvnni", "AVX_VNNI") && !same_name("sse4.1", "SSE4_2"));
    }
}
