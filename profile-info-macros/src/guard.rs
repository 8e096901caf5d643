//! The startup CPU guard: hand-written baseline assembly, registered in `.init_array` ahead of
//! std's own entry, that checks the features this binary was compiled for and exits with a
//! one-line message before any compiled Rust code can run an instruction the host lacks.
//!
//! Everything that depends on the build — what to read, the masks, the message — is computed here
//! at compile time from the architecture's feature table (`profile_info_core::x86`, `::aarch64`),
//! so the success path is short; only a refusal walks a table, to name what is missing. What is
//! common lives here (registration, message, symbol names); each architecture's assembly in its
//! own module.

use crate::capture::Capture;
use std::sync::atomic::{AtomicUsize, Ordering};

mod aarch64;
mod x86_64;

/// Lower numbers run first: before std's `.init_array.00099` and the executable's own
/// constructors, whose priorities start above 100 (lower ones are reserved for the
/// implementation). Shared libraries' constructors run before any of the executable's.
const INIT_ARRAY: &str = ".init_array.00090";

/// The words of the refusal message that do not depend on the host.
struct Message {
    /// `app: this binary needs x86-64-v3 CPU features this host lacks: `
    prefix: String,
    /// ` (built with target-cpu=x86-64-v3)` and a newline.
    tail: String,
}

impl Message {
    /// `needs` goes between "needs" and "CPU": empty, or a level and a space.
    fn new(program: &str, needs: &str, cpu: Option<&str>) -> Message {
        let tail = match cpu {
            Some(cpu) => format!(" (built with target-cpu={})\n", clean(cpu)),
            None => "\n".to_owned(),
        };
        Message { prefix: format!("{}: this binary needs {needs}CPU features this host lacks: ", clean(program)), tail }
    }
}

/// Printable ASCII only and short enough for the one-byte lengths of the data table: the name
/// comes from the environment and must not break the assembly or the terminal.
fn clean(s: &str) -> String {
    s.chars().take(64).map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' }).collect()
}

/// Gives each guard in a crate its own symbol names: `#[profile_info::main]` and `cpu_guard!()`
/// may both expand in one binary, and fat LTO joins the assembly of all crates into one module.
static SERIAL: AtomicUsize = AtomicUsize::new(0);

/// The guard for the crate being compiled, or nothing when the target is neither x86_64 nor
/// aarch64 Linux, the features are unknown (rust-analyzer, rustdoc) or the build is baseline.
pub fn emit(cap: &Capture) -> String {
    let target = &cap.info.target;
    let triple = target.triple.as_deref().unwrap_or("");
    let Some(features) = target.features.as_deref() else { return String::new() };
    let message = |needs: &str| {
        let program =
            std::env::var("CARGO_BIN_NAME").ok().or_else(|| cap.info.package.name.as_deref().map(str::to_owned));
        Message::new(program.as_deref().unwrap_or("program"), needs, target.cpu.as_deref())
    };
    let id = || {
        unique_id(
            &std::env::var("CARGO_CRATE_NAME").unwrap_or_default(),
            cap.info.crate_type.as_deref().unwrap_or(""),
            cap.flags.as_ref().and_then(|f| f.metadata.as_deref()).unwrap_or(""),
            SERIAL.fetch_add(1, Ordering::Relaxed),
        )
    };
    let (cfg, lines) = if x86_64::applies(triple) {
        let Some(plan) = x86_64::Plan::new(features) else { return String::new() };
        let message = message(&x86_64::needs(features));
        let static_glibc = x86_64::static_glibc(features, triple, cap.info.rustc.host.as_deref());
        (x86_64::CFG, x86_64::assembly(&plan, &message, &id(), static_glibc))
    } else if aarch64::applies(triple) {
        let required = profile_info_core::aarch64::required(features);
        if required.is_empty() {
            return String::new();
        }
        (aarch64::CFG, aarch64::assembly(&required, &message(""), &id()))
    } else {
        return String::new();
    };
    let lines: Vec<String> = lines.iter().map(|l| crate::code::str_lit(l)).collect();
    format!(
        "#[cfg({cfg})]
        ::core::arch::global_asm!({});",
        lines.join(", ")
    )
}

/// The part of the guard's symbol names that tells it from every other guard fat LTO may put in
/// one module: a library and a binary of one package share their crate name, two versions of one
/// library share name and crate type; cargo's `-C metadata` differs for each (it goes in hashed,
/// so the hash cargo chose is not itself in the binary's symbol table).
fn unique_id(krate: &str, crate_type: &str, metadata: &str, serial: usize) -> String {
    let word = |s: &str| s.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>();
    let hash = profile_info_core::fnv::fnv1a(metadata.as_bytes());
    format!("{}_{}_{hash:016x}_{serial}", word(krate), word(crate_type))
}

fn push_str(out: &mut Vec<u8>, s: &str) {
    let s = &s.as_bytes()[..s.len().min(255)];
    out.push(s.len() as u8);
    out.extend_from_slice(s);
}

fn bytes(b: &[u8]) -> String {
    let list: Vec<String> = b.iter().map(|b| b.to_string()).collect();
    format!(".byte {}", list.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_differ_by_crate_type_and_metadata() {
        let lib = unique_id("app", "lib", "0123abcd", 0);
        assert_ne!(lib, unique_id("app", "bin", "0123abcd", 0));
        assert_ne!(lib, unique_id("app", "lib", "4567ef01", 0), "two versions of one library");
        assert_ne!(lib, unique_id("app", "lib", "0123abcd", 1));
        assert_eq!(lib, unique_id("app", "lib", "0123abcd", 0), "reproducible");
        assert!(!lib.contains("0123abcd"), "cargo's hash is not in the name: {lib}");
        assert_eq!(
            unique_id("a-b\n", "lib", "", 0).split('_').take(3).collect::<Vec<_>>(),
            ["ab", "lib", "cbf29ce484222325"]
        );
    }
}
