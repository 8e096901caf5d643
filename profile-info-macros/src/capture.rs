//! Turns the compiler invocation into a document: flags from argv, defaults as rustc applies them,
//! target facts and compiler version by asking the same rustc, vcs from `.git`. Never fails:
//! whatever cannot be known becomes `None`.
//!
//! Cost matters: every rebuild of the binary crate runs this. rustc's answers come from `rustc`
//! (asked once per toolchain and flags), concurrently with reading the revision (`vcs`).

use crate::flags::{self, Flags};
use crate::invocation::Invocation;
use crate::vcs;
use profile_info_core::{x86, BuildInfo, Lto, OptLevel, Pgo, Profile, Str, Vcs};
use std::borrow::Cow;
use std::path::{Path, PathBuf};

pub struct Capture {
    pub info: BuildInfo,
    /// Files rustc must track so that a new commit recompiles the crate.
    pub tracked: Vec<PathBuf>,
    /// The rustc command line, when the macro runs in rustc.
    pub flags: Option<Flags>,
    /// The cargo profile directory (see [`profile_dir`]).
    pub profile_dir: Option<PathBuf>,
}

fn s(v: impl Into<String>) -> Str {
    Cow::Owned(v.into())
}

fn list(items: Vec<String>) -> Option<Cow<'static, [Str]>> {
    Some(Cow::Owned(items.into_iter().map(s).collect()))
}

fn env(name: &str) -> Option<Str> {
    std::env::var(name).ok().map(s)
}

pub fn capture() -> Capture {
    let invocation = crate::invocation::current();
    // rust-analyzer expands macros on every keystroke: no `git status` there.
    let ask_git = matches!(invocation, Invocation::Rustc { .. });
    let flags = match &invocation {
        Invocation::Rustc { rustc, args } => Some((rustc, flags::parse(args))),
        _ => None,
    };
    let profile = flags.as_ref().and_then(|(_, f)| profile_dir(f));
    let trees = profile.as_ref().map(|d| d.join(".profile-info").join("head-trees"));
    let cache = profile.clone();
    std::thread::scope(|scope| {
        let git = scope.spawn(move || {
            let dir = std::env::var_os("CARGO_MANIFEST_DIR")?;
            let git = vcs::discover(Path::new(&dir), ask_git, trees.as_deref())?;
            let commit = match (&git.checkout, &git.revision) {
                (Some((work_tree, common)), Some(rev)) if ask_git => {
                    crate::commit::describe(work_tree, common, rev, cache.as_deref())
                }
                _ => crate::commit::Commit::default(),
            };
            Some((git, commit))
        });
        let mut info = BuildInfo::__EMPTY;
        info.package.name = env("CARGO_PKG_NAME");
        info.package.version = env("CARGO_PKG_VERSION");
        if let Some((rustc, f)) = &flags {
            from_rustc(&mut info, rustc, f);
        }
        let (git, commit) = git.join().ok().flatten().unzip();
        info.vcs = git.as_ref().map(|g| {
            let mut vcs = Vcs::__EMPTY;
            vcs.revision = g.revision.clone().map(s);
            vcs.dirty = g.dirty;
            let commit = commit.unwrap_or_default();
            vcs.time = commit.time.map(s);
            vcs.tag = commit.tag.map(s);
            vcs
        });
        Capture {
            info,
            tracked: git.map(|g| g.tracked).unwrap_or_default(),
            flags: flags.map(|(_, f)| f),
            profile_dir: profile,
        }
    })
}

fn from_rustc(info: &mut BuildInfo, rustc: &Path, f: &Flags) {
    let crate_type = if f.test { "test".to_owned() } else { f.crate_type.clone().unwrap_or_else(|| "bin".into()) };
    let answers = crate::rustc::ask(rustc, &print_args(f), cache_dir(f).as_deref());
    let prints = answers.prints.map(|p| Prints::parse(&p));
    let meta = answers.version.as_deref().and_then(crate::rustc::Version::parse);
    let final_link = matches!(crate_type.as_str(), "bin" | "test" | "cdylib" | "dylib" | "staticlib");

    info.crate_type = Some(s(crate_type));
    let mut features = f.features.clone();
    features.sort();
    features.dedup();
    info.package.features = list(features);
    profile(info, f, meta.as_ref().and_then(|m| m.major_minor), final_link);
    info.profile.panic = prints.as_ref().and_then(|p| p.cfg("panic")).and_then(flags::panic);
    target(info, f, prints.as_ref(), meta.as_ref().map(|m| m.host));
    if let Some(m) = meta {
        let r = &mut info.rustc;
        r.version = Some(s(m.release));
        r.channel = Some(s(m.channel));
        r.commit_hash = m.commit_hash.map(s);
        r.commit_date = m.commit_date.map(s);
        r.llvm_version = m.llvm.map(s);
        r.host = Some(s(m.host));
    }
}

/// Applies rustc's defaults for every flag cargo leaves out (design-notes §2).
fn profile(info: &mut BuildInfo, f: &Flags, rustc: Option<(u32, u32)>, final_link: bool) {
    let p = &mut info.profile;
    p.name = f.out_dir.as_deref().and_then(flags::profile_name).map(s);
    p.opt_level = match f.opt_level.as_deref().unwrap_or("0") {
        flags::O_FLAG => rustc.map(flags::o_flag_level),
        level => flags::opt_level(level),
    };
    // rustc's defaults: debug-assertions on at opt-level 0, overflow-checks as debug-assertions.
    p.debug_assertions = match &f.debug_assertions {
        Some(v) => flags::boolean(v),
        None => p.opt_level.map(|o| o == OptLevel::O0),
    };
    p.overflow_checks = match &f.overflow_checks {
        Some(v) => flags::boolean(v),
        None => p.debug_assertions,
    };
    // A target's own default number (none of the tier-1 targets has one) is not visible here.
    p.codegen_units = match &f.codegen_units {
        Some(n) => n.parse().ok(),
        None => Some(if f.incremental { 256 } else { 16 }),
    };
    // In a library, LTO is decided at the final link; cargo passes `-C linker-plugin-lto`.
    p.lto = if final_link { lto(f.lto.as_deref(), p.opt_level, p.codegen_units) } else { None };
    p.pgo = Some(f.pgo.unwrap_or(Pgo::Off));
    p.debuginfo = flags::debuginfo(f.debuginfo.as_deref().unwrap_or("0"));
    p.strip = flags::strip(f.strip.as_deref().unwrap_or("none"));
    p.incremental = Some(f.incremental);
    codegen(p, f);
}

/// The other `-C` settings that change the machine code or its safety, with rustc's defaults
/// (`compiler/rustc_session/src/options.rs`); a value rustc would reject is `None`.
fn codegen(p: &mut Profile, f: &Flags) {
    const TARGET: &str = "target-default";
    p.force_frame_pointers = match f.force_frame_pointers.as_deref() {
        None => Some(s(TARGET)),
        Some(v @ ("always" | "non-leaf")) => Some(s(v)),
        Some(v) => flags::boolean(v).map(|on| s(if on { "always" } else { TARGET })),
    };
    p.relocation_model = Some(s(f.relocation_model.as_deref().unwrap_or(TARGET)));
    p.code_model = Some(s(f.code_model.as_deref().unwrap_or(TARGET)));
    // `all` and the other nightly spellings instrument too.
    p.instrument_coverage =
        f.instrument_coverage.as_deref().map_or(Some(false), |v| Some(flags::boolean(v) != Some(false)));
    let mut sanitizers = f.sanitizers.clone();
    sanitizers.sort();
    sanitizers.dedup();
    p.sanitizers = list(sanitizers);
    p.link_dead_code = f.link_dead_code.as_deref().map_or(Some(false), flags::boolean);
    p.control_flow_guard = match f.control_flow_guard.as_deref() {
        None => Some(s("off")),
        Some("checks") => Some(s("checks")),
        Some("nochecks") => Some(s("nochecks")),
        Some(v) => flags::boolean(v).map(|on| s(if on { "checks" } else { "off" })),
    };
}

/// rustc's `Session::lto()` (compiler/rustc_session/src/session.rs): `-C lto` decides when given;
/// without it there is no LTO for one codegen unit or at opt-level 0, and ThinLTO across the
/// crate's own codegen units otherwise. (Targets that require LTO, such as nvptx, and the
/// nightly-only `-Z thinlto` are not modelled.)
fn lto(flag: Option<&str>, opt_level: Option<OptLevel>, codegen_units: Option<u32>) -> Option<Lto> {
    match (flag, codegen_units, opt_level) {
        (Some(v), _, _) => flags::lto(v),
        (None, Some(1), _) | (None, _, Some(OptLevel::O0)) => Some(Lto::Off),
        (None, Some(_), Some(_)) => Some(Lto::ThinLocal),
        (None, None, _) | (None, _, None) => None,
    }
}

fn target(info: &mut BuildInfo, f: &Flags, prints: Option<&Prints>, host: Option<&str>) {
    let t = &mut info.target;
    // A target given as a JSON spec path is named by its file stem: the path itself must not leak.
    t.triple = match f.target.as_deref() {
        Some(spec) if spec.ends_with(".json") => Path::new(spec).file_stem().and_then(|s| s.to_str()).map(s),
        Some(triple) => Some(s(triple)),
        None => host.map(s),
    };
    let Some(prints) = prints else { return };
    t.arch = prints.cfg("target_arch").map(s);
    t.os = prints.cfg("target_os").map(s);
    t.env = prints.cfg("target_env").map(s);
    let native = f.target_cpu.as_deref() == Some("native");
    t.cpu_native = Some(native);
    t.cpu = match f.target_cpu.as_deref() {
        Some("native") => prints.native_cpu.clone().map(s),
        Some(cpu) => Some(s(cpu)),
        None => prints.default_cpu.clone().map(s),
    };
    let mut features: Vec<String> = prints.cfg_all("target_feature").map(str::to_owned).collect();
    features.sort();
    let x86 = matches!(t.arch.as_deref(), Some("x86_64" | "x86"));
    if t.arch.as_deref() == Some("x86_64") {
        t.level = Some(s(x86::level_name(x86::level_of(&features))));
    }
    if x86 {
        t.unchecked_features = list(x86::unchecked(&features).into_iter().map(str::to_owned).collect());
    }
    t.features = list(features);
}

/// The flags that decide the target, its features and the panic strategy, for
/// `rustc --print cfg --print target-cpus`: every answer is exactly rustc's for this compile.
fn print_args(f: &Flags) -> Vec<String> {
    let mut args = Vec::new();
    if let Some(t) = &f.target {
        args.extend(["--target".to_owned(), t.clone()]);
    }
    if let Some(cpu) = &f.target_cpu {
        args.push(format!("-Ctarget-cpu={cpu}"));
    }
    args.extend(f.target_features.iter().map(|feat| format!("-Ctarget-feature={feat}")));
    if let Some(panic) = &f.panic {
        args.push(format!("-Cpanic={panic}"));
    }
    args
}

/// Where rustc's answers for this compile may be kept: the cargo profile directory
/// (`target/<profile>` of `--out-dir target/<profile>/deps`), unless an answer could change
/// without the compiler or flags changing (`native`, a target spec file).
fn cache_dir(f: &Flags) -> Option<PathBuf> {
    let volatile =
        f.target_cpu.as_deref() == Some("native") || f.target.as_deref().is_some_and(|t| t.ends_with(".json"));
    profile_dir(f).filter(|_| !volatile)
}

/// The cargo profile directory, `target/<profile>` of `--out-dir target/<profile>/deps`.
fn profile_dir(f: &Flags) -> Option<PathBuf> {
    let out_dir = f.out_dir.as_deref()?;
    flags::profile_name(out_dir)?;
    Path::new(out_dir).parent().map(Path::to_path_buf)
}

/// What `--print cfg --print target-cpus` said.
struct Prints {
    /// `name` or `name="value"` lines.
    cfg: Vec<String>,
    /// The CPU `native` stands for: `native - … (currently znver4).`
    native_cpu: Option<String>,
    /// The target's default CPU: `x86-64 - This is the default target CPU …`.
    default_cpu: Option<String>,
}

impl Prints {
    fn parse(out: &str) -> Prints {
        let (mut cfg, mut native_cpu, mut default_cpu) = (Vec::new(), None, None);
        for line in out.lines() {
            if !line.starts_with(' ') {
                cfg.push(line.to_owned());
                continue;
            }
            let Some((cpu, description)) = line.trim().split_once(" - ") else { continue };
            let cpu = cpu.trim();
            if cpu == "native" {
                native_cpu = description
                    .split_once("(currently ")
                    .and_then(|(_, rest)| rest.split_once(')'))
                    .map(|(name, _)| name.to_owned());
            } else if description.starts_with("This is the default target CPU") {
                default_cpu = Some(cpu.to_owned());
            }
        }
        Prints { cfg, native_cpu, default_cpu }
    }

    fn cfg_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.cfg.iter().filter_map(move |l| l.strip_prefix(key)?.strip_prefix("=\"")?.strip_suffix('"'))
    }

    fn cfg<'a>(&'a self, key: &'a str) -> Option<&'a str> {
        self.cfg_all(key).next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lto_follows_rustc_session_rules() {
        use OptLevel::{O0, O3, S};
        assert_eq!(lto(None, Some(O0), Some(256)), Some(Lto::Off));
        assert_eq!(lto(None, Some(O3), Some(16)), Some(Lto::ThinLocal));
        assert_eq!(lto(None, Some(S), Some(256)), Some(Lto::ThinLocal));
        assert_eq!(lto(None, Some(O3), Some(1)), Some(Lto::Off));
        assert_eq!(lto(Some("thin"), Some(O0), Some(256)), Some(Lto::Thin));
        assert_eq!(lto(Some("yes"), Some(O3), Some(1)), Some(Lto::Fat));
        assert_eq!(lto(Some("off"), Some(O3), Some(16)), Some(Lto::Off));
        assert_eq!(lto(None, None, Some(16)), None);
    }

    /// Recorded from rustc 1.95 on an AMD EPYC, lines shortened.
    #[test]
    fn prints_parse() {
        let p = Prints::parse(
            "debug_assertions\npanic=\"abort\"\ntarget_arch=\"x86_64\"\ntarget_env=\"\"\ntarget_feature=\"sse2\"\n\
             target_feature=\"fxsr\"\nAvailable CPUs for this target:\n    native     - Select the CPU of the current \
             host (currently znver4).\n    alderlake\n    x86-64     - This is the default target CPU for the current \
             build target (currently x86_64-unknown-linux-gnu).\n    znver4\n",
        );
        assert_eq!(p.cfg("panic"), Some("abort"));
        assert_eq!(p.cfg("target_env"), Some(""));
        assert_eq!(p.cfg("target_os"), None);
        assert_eq!(p.cfg_all("target_feature").collect::<Vec<_>>(), ["sse2", "fxsr"]);
        assert_eq!(p.native_cpu.as_deref(), Some("znver4"));
        assert_eq!(p.default_cpu.as_deref(), Some("x86-64"));
    }
}
