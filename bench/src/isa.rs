//! `bash scripts/bench.sh isa`: the instruction scan `cargo profile-info inspect` runs on any
//! binary, timed on the toolchain's own `cargo` (tens of MB of code), beside `objdump -d` on the
//! same file; and the peak memory of the scan, which decodes as it goes and keeps counts only.

use crate::log;
use cargo_profile_info::compare::{build::rustc, Failure};
use cargo_profile_info::forensics::FileFacts;
use std::fmt::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

/// The toolchain's `cargo` binary: `<sysroot>/bin/cargo`.
fn subject() -> Result<PathBuf, Failure> {
    let out = rustc().args(["--print", "sysroot"]).output().map_err(|e| Failure::new(format!("rustc: {e}")))?;
    let cargo = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("bin/cargo");
    match cargo.is_file() {
        true => Ok(cargo),
        false => Err(Failure::new(format!("no toolchain cargo at {}", cargo.display()))),
    }
}

/// This process's peak resident memory in MiB.
fn peak_rss_mib() -> f64 {
    // SAFETY: getrusage fills the struct it is given and cannot fail for RUSAGE_SELF.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    usage.ru_maxrss as f64 / 1024.0
}

/// Runs the section: `runs` scans (the fastest counts) and one `objdump -d`.
pub fn run(quick: bool) -> Result<String, Failure> {
    let file = subject()?;
    let runs = if quick { 1 } else { 5 };
    let mut best = f64::INFINITY;
    let mut summary = String::new();
    for _ in 0..runs {
        let start = Instant::now();
        let data = std::fs::read(&file).map_err(|e| crate::io(&file.display().to_string(), e))?;
        let facts = FileFacts::read(&data).map_err(Failure::new)?;
        best = best.min(start.elapsed().as_secs_f64());
        let isa = facts.isa.value.ok_or_else(|| Failure::new(facts.isa.because))?;
        summary = format!("{} instructions in {:.1} MB of code", isa.instructions, isa.bytes as f64 / 1e6);
    }
    let size_mb = std::fs::metadata(&file).map_err(|e| crate::io("cargo", e))?.len() as f64 / 1e6;
    let rss = peak_rss_mib();
    log("objdump -d");
    let start = Instant::now();
    let objdump = Command::new("objdump")
        .args(["-d", "--no-show-raw-insn"])
        .arg(&file)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| Failure::new(format!("objdump (binutils): {e}")))?;
    let objdump_s = start.elapsed().as_secs_f64();
    if !objdump.success() {
        return Err(Failure::new("objdump -d failed"));
    }
    let mut out = String::new();
    let _ = writeln!(out, "file: {} ({size_mb:.1} MB; {summary})", file.display());
    let _ = writeln!(out, "inspect (read, facts, ISA scan), fastest of {runs}: {best:.3} s");
    let _ = writeln!(out, "objdump -d --no-show-raw-insn > /dev/null: {objdump_s:.3} s");
    let _ = writeln!(out, "peak memory of the scanning process: {rss:.0} MiB (the file itself: {size_mb:.0} MB)");
    let _ = writeln!(out, "scan_s={best:.3}");
    Ok(out)
}
