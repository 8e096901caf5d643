//! Turns the compiler invocation into a document: flags from argv, defaults as rustc applies them,
//! target features and compiler version by asking the same rustc, vcs from `.git`. Never fails:
//! whatever cannot be known becomes `None`.

use crate::flags::{self, Flags};
use crate::invocation::Invocation;
use crate::vcs;
use profile_info_core::{x86, BuildInfo, Lto, OptLevel, Package, Profile, Rustc, Str, Target, Vcs};
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Capture {
    pub info: BuildInfo,
    /// Files rustc must track so that a new commit recompiles the crate.
    pub tracked: Vec<PathBuf>,
}

fn s(v: impl Into<String>) -> Str {
    Cow::Owned(v.into())
}

fn env(name: &str) -> Option<Str> {
    std::env::var(name).ok().map(s)
}

pub fn capture() -> Capture {
    let invocation = crate::invocation::current();
    // rust-analyzer expands macros on every keystroke: no `git status` there.
    let ask_git = matches!(invocation, Invocation::Rustc { .. });
    let git = std::env::var_os("CARGO_MANIFEST_DIR").and_then(|d| vcs::discover(Path::new(&d), ask_git));
    let package = Package::__new(env("CARGO_PKG_NAME"), env("CARGO_PKG_VERSION"));
    let (crate_type, profile, target, rustc) = match invocation {
        Invocation::Rustc { rustc, args } => from_rustc(&rustc, &flags::parse(&args)),
        Invocation::Unknown => (None, unknown_profile(), Target::__new(None, None, None, None), unknown_rustc()),
    };
    let vcs = git.as_ref().map(|g| Vcs::__new(g.revision.clone().map(s), g.dirty));
    let info = BuildInfo::__new(crate_type, package, profile, target, rustc, vcs, "", "");
    Capture { info, tracked: git.map(|g| g.tracked).unwrap_or_default() }
}

fn unknown_profile() -> Profile {
    Profile::__new(None, None, None, None, None, None, None, None, None, None)
}

fn unknown_rustc() -> Rustc {
    Rustc::__new(None, None, None, None, None, None)
}

fn from_rustc(rustc: &Path, f: &Flags) -> (Option<Str>, Profile, Target, Rustc) {
    let crate_type = if f.test { "test".to_owned() } else { f.crate_type.clone().unwrap_or_else(|| "bin".into()) };
    let verbose_version = run(Command::new(rustc).arg("-vV"));
    let meta = verbose_version.as_deref().and_then(|v| rustc_version::version_meta_for(v).ok());
    // rustc_version keeps only LLVM's major.minor; the document gives the version as rustc prints it.
    let llvm = verbose_version.as_deref().and_then(|v| v.lines().find_map(|l| l.strip_prefix("LLVM version: ")));
    let target = target(rustc, f, meta.as_ref().map(|m| m.host.as_str()));
    let final_link = matches!(crate_type.as_str(), "bin" | "test" | "cdylib" | "dylib" | "staticlib");
    let profile = profile(f, final_link);
    let rustc = match meta {
        Some(m) => Rustc::__new(
            Some(s(m.semver.to_string())),
            Some(s(channel(m.channel))),
            m.commit_hash.map(s),
            m.commit_date.map(s),
            llvm.map(s),
            Some(s(m.host)),
        ),
        None => unknown_rustc(),
    };
    (Some(s(crate_type)), profile, target, rustc)
}

/// A query's stdout, or `None` when it could not run or failed.
fn run(cmd: &mut Command) -> Option<String> {
    let out = cmd.stdin(Stdio::null()).stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn channel(c: rustc_version::Channel) -> &'static str {
    match c {
        rustc_version::Channel::Dev => "dev",
        rustc_version::Channel::Nightly => "nightly",
        rustc_version::Channel::Beta => "beta",
        rustc_version::Channel::Stable => "stable",
    }
}

/// Applies rustc's defaults for every flag cargo leaves out (design-notes §2).
fn profile(f: &Flags, final_link: bool) -> Profile {
    let opt_level = flags::opt_level(f.opt_level.as_deref().unwrap_or("0"));
    // rustc's defaults: debug-assertions on at opt-level 0, overflow-checks as debug-assertions.
    let debug_assertions = match &f.debug_assertions {
        Some(v) => flags::boolean(v),
        None => opt_level.map(|o| o == OptLevel::O0),
    };
    let overflow_checks = match &f.overflow_checks {
        Some(v) => flags::boolean(v),
        None => debug_assertions,
    };
    let codegen_units = match &f.codegen_units {
        Some(n) => n.parse().ok(),
        None => Some(if f.incremental { 256 } else { 16 }),
    };
    // In a library, `-C lto` is decided at the final link; cargo passes `-C linker-plugin-lto`.
    let lto = match (&f.lto, final_link) {
        (Some(v), _) => flags::lto(v),
        (None, true) => Some(Lto::ThinLocal),
        (None, false) => None,
    };
    Profile::__new(
        f.out_dir.as_deref().and_then(flags::profile_name).map(s),
        opt_level,
        flags::debuginfo(f.debuginfo.as_deref().unwrap_or("0")),
        flags::strip(f.strip.as_deref().unwrap_or("none")),
        lto,
        codegen_units,
        flags::panic(f.panic.as_deref().unwrap_or("unwind")),
        debug_assertions,
        overflow_checks,
        Some(f.incremental),
    )
}

fn target(rustc: &Path, f: &Flags, host: Option<&str>) -> Target {
    // A target given as a JSON spec path is named by its file stem: the path itself must not leak.
    let triple = match f.target.as_deref() {
        Some(t) if t.ends_with(".json") => Path::new(t).file_stem().and_then(|s| s.to_str()).map(str::to_owned),
        Some(t) => Some(t.to_owned()),
        None => host.map(str::to_owned),
    };
    let cfg = print_cfg(rustc, f);
    let arch_x86_64 = cfg.as_ref().map(|c| c.iter().any(|l| l == "target_arch=\"x86_64\""));
    let features: Option<Vec<String>> = cfg.map(|lines| {
        let mut v: Vec<String> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("target_feature=\"")?.strip_suffix('"').map(str::to_owned))
            .collect();
        v.sort();
        v
    });
    let cpu = f.target_cpu.clone().or_else(|| (arch_x86_64 == Some(true)).then(|| "x86-64".into()));
    let level = match (&features, arch_x86_64) {
        (Some(fs), Some(true)) => Some(s(x86::level_name(x86::level_of(fs)))),
        _ => None,
    };
    Target::__new(triple.map(s), cpu.map(s), features.map(|v| Cow::Owned(v.into_iter().map(s).collect())), level)
}

/// `rustc --print cfg` with the flags that decide target features, so the list is exactly rustc's.
fn print_cfg(rustc: &Path, f: &Flags) -> Option<Vec<String>> {
    let mut cmd = Command::new(rustc);
    cmd.args(["--print", "cfg"]);
    if let Some(t) = &f.target {
        cmd.args(["--target", t]);
    }
    if let Some(cpu) = &f.target_cpu {
        cmd.arg(format!("-Ctarget-cpu={cpu}"));
    }
    for feat in &f.target_features {
        cmd.arg(format!("-Ctarget-feature={feat}"));
    }
    Some(run(&mut cmd)?.lines().map(str::to_owned).collect())
}
