//! Proof for a binary built without `#[profile_info::main]`: compare runs every build with this
//! tool as cargo's `RUSTC_WRAPPER`. Re-invoked that way, it runs the real rustc unchanged (or the
//! user's own wrapper, which it chains) and, for the compared binary's crate, appends rustc's
//! command line and how long that rustc ran to a log. A row whose file holds no document is then
//! proven from that command line, read by the flag reader the proc macro uses, and from what the
//! file itself shows; the row's compile time is that rustc's.

use crate::forensics::FileFacts;
use crate::Error;
use profile_info_core::{flags, render, x86, BuildInfo};
use serde_json::Value as Json;
use std::borrow::Cow;
use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::process::Command;

/// The log the wrapper appends to; set only when compare runs cargo.
pub const LOG: &str = "PROFILE_INFO_RUSTC_LOG";
/// The crate whose command lines are logged (`--crate-name`, `-` as `_`).
pub const CRATE: &str = "PROFILE_INFO_RUSTC_CRATE";
/// The user's own `RUSTC_WRAPPER`, run in turn.
pub const INNER: &str = "PROFILE_INFO_RUSTC_WRAPPER";

/// When cargo runs this tool as its `RUSTC_WRAPPER` (the environment has `PROFILE_INFO_RUSTC_LOG`): runs rustc
/// with `args` (the program name left out: rustc's path, then its arguments), logs the compared
/// crate's command line, and returns rustc's exit code.
pub fn run_if_wrapping(args: &[OsString]) -> Option<i32> {
    let log = std::env::var_os(LOG)?;
    let (rustc, rest) = args.split_first()?;
    let mut cmd = match std::env::var_os(INNER).filter(|w| !w.is_empty()) {
        Some(inner) => {
            let mut cmd = Command::new(inner);
            cmd.arg(rustc);
            cmd
        }
        None => Command::new(rustc),
    };
    cmd.args(rest).env_remove(LOG);
    let words: Vec<String> = rest.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let start = std::time::Instant::now();
    let status = match cmd.status() {
        Ok(status) => status,
        Err(e) => {
            eprintln!("cargo-profile-info (as RUSTC_WRAPPER): cannot run {}: {e}", rustc.to_string_lossy());
            return Some(1);
        }
    };
    let wanted = std::env::var(CRATE).ok();
    let named = words.windows(2).any(|w| w[0] == "--crate-name" && Some(&w[1]) == wanted.as_ref());
    let bin = words.windows(2).any(|w| w[0] == "--crate-type" && w[1] == "bin");
    if status.success() && named && bin {
        let seconds = start.elapsed().as_secs_f64();
        let line = format!("{}\n", serde_json::json!({ "args": words, "seconds": seconds }));
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .and_then(|mut f| f.write_all(line.as_bytes()));
        if let Err(e) = written {
            eprintln!("cargo-profile-info (as RUSTC_WRAPPER): cannot write {}: {e}", Path::new(&log).display());
            return Some(1);
        }
    }
    Some(status.code().unwrap_or(1))
}

/// The environment that makes cargo log `bin`'s rustc command lines to `log`, keeping the user's
/// own `RUSTC_WRAPPER` in the chain.
pub fn env(log: &Path, bin: &str) -> Result<Vec<(&'static str, OsString)>, Error> {
    let me = std::env::current_exe().map_err(|e| Error::new(format!("cannot find this tool's executable: {e}")))?;
    let inner = std::env::var_os("RUSTC_WRAPPER").unwrap_or_default();
    Ok(vec![
        ("RUSTC_WRAPPER", me.into_os_string()),
        // cargo keeps rustc's answers (`rustc -vV`, `--print`), failures included, in the target
        // dir keyed by the wrapper's path, not by the environment this wrapper acts on (the user's
        // wrapper it chains): an answer one compare got must not be another's.
        ("CARGO_CACHE_RUSTC_INFO", "0".into()),
        (LOG, log.as_os_str().to_owned()),
        (CRATE, bin.replace('-', "_").into()),
        (INNER, inner),
    ])
}

/// One compile of the compared crate, as the wrapper logged it.
#[derive(Clone, Debug, PartialEq)]
pub struct Compile {
    /// rustc's arguments.
    pub args: Vec<String>,
    /// How long rustc ran (compiling, LTO and linking the binary), in seconds.
    pub seconds: f64,
}

/// Every compile `log` holds, oldest first (none when there is no log).
pub fn recorded(log: &Path) -> Vec<Compile> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<Json>(l).ok())
        .filter_map(|line| {
            let args = line["args"].as_array()?.iter().map(|a| a.as_str().map(str::to_owned)).collect::<Option<_>>()?;
            Some(Compile { args, seconds: line["seconds"].as_f64()? })
        })
        .collect()
}

/// The document a binary built by `args` would carry, as far as the command line, rustc and the
/// file show it: the profile with rustc's defaults, the panic strategy (`-C panic`, else the panic
/// runtime the file links), the target and its CPU when given, and the target features rustc
/// enables for that command line's target, CPU and `-C target-feature`s (`rustc --print cfg`, as
/// the attribute records them) with their x86-64 level. The ISA scan of the file is not used for
/// these: it sees the instructions present, and counts runtime-dispatched code whose names do not
/// say so (ripgrep's baseline build scans as x86-64-v3). What only the attribute sees (rustc's
/// version as it ran) stays `null`. `Err` when the file contradicts the command line (symbols
/// left in a file built with `-C strip=symbols`).
pub fn document(args: &[String], package: &str, host: &str, binary: &Path) -> Result<Json, String> {
    let f = flags::parse(args);
    let owned = |v: &str| -> profile_info_core::Str { Cow::Owned(v.to_owned()) };
    let data = std::fs::read(binary).map_err(|e| format!("{}: {e}", binary.display()))?;
    let file = FileFacts::read(&data).map_err(|e| format!("{}: {e}", binary.display()))?;
    if f.strip.as_deref() == Some("symbols") && file.strip.value.is_some_and(|s| s != "symbols") {
        return Err("built with -C strip=symbols, the file still has a symbol table".into());
    }
    let mut info = BuildInfo::__EMPTY;
    info.crate_type = Some(owned("bin"));
    info.package.name = Some(owned(package));
    info.profile = f.profile(None, true);
    info.profile.panic = f.panic.as_deref().or(file.panic.value).and_then(flags::panic);
    info.target.triple = f.target.as_deref().map(owned);
    info.target.cpu = f.target_cpu.as_deref().map(owned);
    let (arch, mut features) = enabled(&f, host)?;
    features.sort();
    if matches!(arch.as_str(), "x86_64" | "x86") {
        info.target.level = Some(owned(x86::level_name(x86::level_of(&features))));
    }
    info.target.features = Some(Cow::Owned(features.iter().map(|f| owned(f)).collect()));
    serde_json::from_str(&render::json(&info)).map_err(|e| e.to_string())
}

/// The target's architecture and the target features rustc enables for the target, CPU and
/// `-C target-feature`s of `f` (the host's target without `--target`), as `rustc --print cfg`
/// answers.
fn enabled(f: &flags::Flags, host: &str) -> Result<(String, Vec<String>), String> {
    use crate::forensics::cpus::{cfg_values, run};
    let mut args =
        vec!["--print".to_owned(), "cfg".into(), "--target".into(), f.target.as_deref().unwrap_or(host).into()];
    args.extend(f.target_cpu.iter().map(|c| format!("-Ctarget-cpu={c}")));
    args.extend(f.target_features.iter().map(|t| format!("-Ctarget-feature={t}")));
    let cfg = run(&args.iter().map(String::as_str).collect::<Vec<_>>())?;
    let arch = cfg_values(&cfg, "target_arch").next().unwrap_or_default().to_owned();
    Ok((arch, cfg_values(&cfg, "target_feature").map(str::to_owned).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_line_gives_the_profile_with_rustcs_defaults() {
        let args: Vec<String> = "--crate-name app --crate-type bin -C opt-level=3 -C lto=fat -C codegen-units=1 \
             -C panic=abort --out-dir /t/target/x86_64-unknown-linux-gnu/compare-fat/deps \
             --target x86_64-unknown-linux-gnu -C target-cpu=x86-64-v3"
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        let doc = document(&args, "app", "x86_64-unknown-linux-gnu", Path::new("/proc/self/exe")).unwrap();
        assert_eq!(doc["profile"]["name"], "compare-fat");
        assert_eq!(doc["profile"]["lto"], "fat");
        assert_eq!(doc["profile"]["codegen_units"], 1);
        assert_eq!(doc["profile"]["panic"], "abort");
        assert_eq!(doc["profile"]["strip"], "none");
        assert_eq!(doc["target"]["cpu"], "x86-64-v3");
        assert_eq!(doc["target"]["level"], "x86-64-v3", "rustc's answer for the CPU");
        assert!(doc["target"]["features"].as_array().unwrap().contains(&Json::from("avx2")), "{doc}");
        let stripped = [&args[..], &["-Cstrip=symbols".to_owned()]].concat();
        assert!(document(&stripped, "app", "x86_64-unknown-linux-gnu", Path::new("/proc/self/exe"))
            .unwrap_err()
            .contains("symbol table"));
    }
}
