//! `bash scripts/bench.sh isa`: `cargo profile-info inspect` as users install it (release) on the
//! toolchain's own `cargo` binary (tens of MB of code), beside `objdump -d` on the same file; and
//! the peak memory of the inspecting process, which decodes as it goes and keeps counts only.

use crate::log;
use cargo_profile_info::harness::{cargo, rustc, tail};
use cargo_profile_info::Error;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The toolchain's `cargo` binary: `<sysroot>/bin/cargo`.
fn subject() -> Result<PathBuf, Error> {
    let out = rustc().args(["--print", "sysroot"]).output().map_err(|e| Error::new(format!("rustc: {e}")))?;
    let cargo = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("bin/cargo");
    match cargo.is_file() {
        true => Ok(cargo),
        false => Err(Error::new(format!("no toolchain cargo at {}", cargo.display()))),
    }
}

/// `cargo-profile-info` built with `--release` into `target/bench/isa`.
fn tool(root: &Path) -> Result<PathBuf, Error> {
    let target = root.join("target/bench/isa");
    log("building cargo-profile-info --release");
    let out = cargo()
        .current_dir(root)
        .args(["build", "--release", "--locked", "-p", "cargo-profile-info", "--target-dir"])
        .arg(&target)
        .output()
        .map_err(|e| Error::new(format!("cargo: {e}")))?;
    if !out.status.success() {
        return Err(Error::new(format!("cargo build -p cargo-profile-info: {}", tail(&out.stderr))));
    }
    Ok(target.join("release/cargo-profile-info"))
}

/// Seconds `command` took and its peak resident memory in MiB, its output thrown away.
fn timed(command: &mut Command, what: &str) -> Result<(f64, f64), Error> {
    let start = Instant::now();
    let child =
        command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().map_err(|e| Error::new(format!("{what}: {e}")))?;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value of the plain C struct.
    let mut usage = unsafe { std::mem::zeroed::<libc::rusage>() };
    // SAFETY: waits for our own child, filling the status and usage it is given; std's Child is
    // not waited for afterwards.
    let waited = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let seconds = start.elapsed().as_secs_f64();
    if waited < 0 {
        return Err(Error::new(format!("{what}: wait4: {}", std::io::Error::last_os_error())));
    }
    match libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
        true => Ok((seconds, usage.ru_maxrss as f64 / 1024.0)),
        false => Err(Error::new(format!("{what} failed (wait status {status})"))),
    }
}

/// Runs the section: `inspect` `runs` times (the fastest counts), then one `objdump -d`.
pub fn run(root: &Path, quick: bool) -> Result<String, Error> {
    let file = subject()?;
    let tool = tool(root)?;
    let runs = if quick { 1 } else { 5 };
    let (mut best, mut rss) = (f64::INFINITY, 0f64);
    for _ in 0..runs {
        let (seconds, peak) =
            timed(Command::new(&tool).args(["inspect", "--json"]).arg(&file), "cargo-profile-info inspect")?;
        best = best.min(seconds);
        rss = rss.max(peak);
    }
    let out =
        Command::new(&tool).args(["inspect", "--json"]).arg(&file).output().map_err(|e| Error::new(e.to_string()))?;
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| Error::new(e.to_string()))?;
    let isa = &report["file"]["isa"]["value"];
    let size_mb = std::fs::metadata(&file).map_err(|e| crate::io("cargo", e))?.len() as f64 / 1e6;
    log("objdump -d");
    let (objdump_s, _) =
        timed(Command::new("objdump").args(["-d", "--no-show-raw-insn"]).arg(&file), "objdump -d (binutils)")?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "file: {} ({size_mb:.1} MB; {} instructions in {:.1} MB of code)",
        file.display(),
        isa["instructions"],
        isa["bytes"].as_f64().unwrap_or(0.0) / 1e6
    );
    let _ = writeln!(out, "cargo profile-info inspect --json (release), fastest of {runs}: {best:.3} s");
    let _ = writeln!(out, "objdump -d --no-show-raw-insn > /dev/null: {objdump_s:.3} s");
    let _ = writeln!(out, "peak memory of inspect: {rss:.0} MiB (the file itself: {size_mb:.0} MB)");
    let _ = writeln!(out, "scan_s={best:.3}");
    Ok(out)
}
