//! Turns the compiler invocation into a document: flags from argv, defaults as rustc applies them,
//! target facts and compiler version by asking the same rustc, vcs from `.git`. Never fails:
//! whatever cannot be known becomes `None`.
//!
//! Cost matters: every rebuild of the binary crate runs this. rustc's answers come from `rustc`
//! (asked once per toolchain and flags), concurrently with reading the revision (`vcs`); the
//! concurrency is the two child processes', not a thread's, which a compile that finds the
//! answers kept would pay for nothing.

use crate::invocation::Invocation;
use crate::vcs;
use profile_info_core::flags::{self, Flags};
use profile_info_core::{aarch64, x86, BuildInfo, Str, Vcs};
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

pub fn capture(invocation: Invocation) -> Capture {
    let (rustc, flags) = match invocation {
        Invocation::Rustc { rustc, args } => (Some(rustc), Some(flags::parse(&args))),
        Invocation::Unknown => (None, None),
    };
    let profile = flags.as_ref().and_then(profile_dir);
    let trees = profile.as_ref().map(|d| d.join(".profile-info").join("head-trees"));
    // rust-analyzer expands macros on every keystroke: no git there.
    let ask_git = flags.is_some();
    let context = vcs::Context {
        ask_git,
        trees: trees.as_deref(),
        out_dir: flags.as_ref().and_then(|f| f.out_dir.as_deref()).map(Path::new),
    };
    // rustc's queries (on a first compile) run while the revision is read.
    let asking = match (&rustc, &flags) {
        (Some(rustc), Some(f)) => Some(crate::rustc::start(rustc, &print_args(f), cache_dir(f).as_deref())),
        _ => None,
    };
    let git = revision(context, ask_git, profile.as_deref());
    let mut info = BuildInfo::__EMPTY;
    info.package.name = env("CARGO_PKG_NAME");
    info.package.version = env("CARGO_PKG_VERSION");
    if let (Some(asking), Some(f)) = (asking, &flags) {
        from_rustc(&mut info, f, asking.finish());
    }
    let (git, commit) = git.unzip();
    info.vcs = git.as_ref().map(|g| {
        let mut vcs = Vcs::__EMPTY;
        vcs.revision = g.revision.clone().map(s);
        vcs.dirty = g.dirty;
        let commit = commit.unwrap_or_default();
        vcs.time = commit.time.map(s);
        vcs.tag = commit.tag.map(s);
        vcs
    });
    let tracked = git.map(|g| g.tracked).unwrap_or_default();
    Capture { info, tracked, flags, profile_dir: profile }
}

/// The repository of the package being compiled, and its commit's facts when git may be asked.
/// A panic here (a repository this code misreads) costs the document its `vcs`, never the
/// build.
fn revision(context: vcs::Context, ask_git: bool, cache: Option<&Path>) -> Option<(vcs::Git, crate::commit::Commit)> {
    std::panic::catch_unwind(|| {
        let dir = std::env::var_os("CARGO_MANIFEST_DIR")?;
        let git = vcs::discover(Path::new(&dir), context)?;
        let commit = match (&git.checkout, &git.revision) {
            (Some((work_tree, common)), Some(rev)) if ask_git => crate::commit::describe(work_tree, common, rev, cache),
            _ => crate::commit::Commit::default(),
        };
        Some((git, commit))
    })
    .ok()
    .flatten()
}

fn from_rustc(info: &mut BuildInfo, f: &Flags, answers: crate::rustc::Answers) {
    let crate_type = if f.test { "test".to_owned() } else { f.crate_type.clone().unwrap_or_else(|| "bin".into()) };
    let prints = answers.prints.map(|p| Prints::parse(&p));
    let meta = answers.version.as_deref().and_then(profile_info_core::rustc::Version::parse);
    let final_link = matches!(crate_type.as_str(), "bin" | "test" | "cdylib" | "dylib" | "staticlib");

    info.crate_type = Some(s(crate_type));
    let mut features = f.features.clone();
    features.sort();
    features.dedup();
    info.package.features = list(features);
    info.profile = f.profile(meta.as_ref().and_then(|m| m.major_minor), final_link);
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
    if t.arch.as_deref() == Some("x86_64") {
        t.level = Some(s(x86::level_name(x86::level_of(&features))));
    }
    let unchecked = match t.arch.as_deref() {
        Some("x86_64" | "x86") => Some(x86::unchecked(&features)),
        Some("aarch64") => Some(aarch64::unchecked(&features)),
        _ => None,
    };
    t.unchecked_features = unchecked.and_then(|u| list(u.into_iter().map(str::to_owned).collect()));
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

    /// The cache keeps a part of rustc's answer: parsed, it says what the whole answer says, for
    /// the host and with `-Ctarget-cpu=native` (real rustc; the whole list has over 100 CPUs).
    #[test]
    fn kept_answers_parse_as_the_whole() {
        for args in [&[][..], &["-Ctarget-cpu=native"]] {
            let out = std::process::Command::new("rustc")
                .args(["--print", "cfg", "--print", "target-cpus"])
                .args(args)
                .output()
                .unwrap();
            let whole = String::from_utf8(out.stdout).unwrap();
            let kept = crate::rustc::kept(&whole);
            assert!(kept.len() * 2 < whole.len(), "{kept}");
            let (a, b) = (Prints::parse(&whole), Prints::parse(&kept));
            assert_eq!(a.cfg, b.cfg);
            assert!(a.default_cpu.is_some() && a.native_cpu.is_some(), "{whole}");
            assert_eq!((a.native_cpu, a.default_cpu), (b.native_cpu, b.default_cpu));
        }
    }

    /// A compile for aarch64 Linux, captured as the macro does, asking the real rustc (no aarch64
    /// std is needed to ask it).
    fn capture_for(args: &str) -> BuildInfo {
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
        let args: Vec<&str> = args.split_whitespace().collect();
        let mut info = BuildInfo::__EMPTY;
        let f = flags::parse(&args);
        from_rustc(&mut info, &f, crate::rustc::start(Path::new(&rustc), &print_args(&f), None).finish());
        info
    }

    #[test]
    fn target_facts_for_aarch64() {
        let n1 = capture_for(
            "--crate-name app --crate-type bin --target aarch64-unknown-linux-gnu -C target-cpu=neoverse-n1",
        );
        let t = &n1.target;
        assert_eq!(t.triple.as_deref(), Some("aarch64-unknown-linux-gnu"));
        assert_eq!(
            (t.arch.as_deref(), t.os.as_deref(), t.env.as_deref()),
            (Some("aarch64"), Some("linux"), Some("gnu"))
        );
        assert_eq!((t.cpu.as_deref(), t.cpu_native, t.level.as_deref()), (Some("neoverse-n1"), Some(false), None));
        let features: Vec<&str> = t.features.as_deref().unwrap().iter().map(|f| f.as_ref()).collect();
        // Graviton 2: LSE atomics, dot product, and the features of the kernel and the PMU, which
        // Linux reports no user-space bit for (its elf_hwcaps list has none).
        for f in ["lse", "dotprod", "neon", "pan", "spe"] {
            assert!(features.contains(&f), "{features:?}");
        }
        let unchecked: Vec<&str> = t.unchecked_features.as_deref().unwrap().iter().map(|f| f.as_ref()).collect();
        assert_eq!(unchecked, ["lor", "pan", "pmuv3", "ras", "spe", "vh"]);
        let musl = capture_for("--crate-name app --crate-type bin --target aarch64-unknown-linux-musl");
        let t = &musl.target;
        assert_eq!((t.env.as_deref(), t.cpu.as_deref()), (Some("musl"), Some("generic")), "rustc's default CPU");
        // musl links statically by default; a build setting, not a CPU feature.
        assert_eq!(t.features.as_deref().unwrap(), ["crt-static", "neon"]);
        assert_eq!(t.unchecked_features.as_deref().unwrap(), &[] as &[Str]);
    }
}
