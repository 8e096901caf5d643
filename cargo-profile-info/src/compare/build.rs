//! Building one variant with cargo: a custom profile given through `--config` (no file of the
//! user's is edited), timed, and its executable copied out of the target dir. Every build goes to
//! a target dir of compare's own, `<target-dir>/profile-info/target`, so that no binary the user
//! built (`target/release/…`) is replaced or cleaned.

use super::ladder::{Key, Variant, PROFILE};
use crate::Error;
use profile_info_core::metadata::{Metadata, Package};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The workspace, package and binary `compare` works on, as `cargo metadata` describes them.
#[derive(Clone, Debug)]
pub struct Project {
    /// `--manifest-path`, passed on to every cargo command.
    pub manifest_path: Option<PathBuf>,
    /// The user's target dir (`cargo metadata`'s `target_directory`), which compare builds nothing in.
    pub target_dir: PathBuf,
    /// compare's own target dir, `<target_dir>/profile-info/target`: every rung shares it.
    pub build_dir: PathBuf,
    /// The package whose binary is compared.
    pub package: String,
    /// That binary's name.
    pub bin: String,
    /// Whether it is an example (`--example`) rather than a binary target (`--bin`).
    pub example: bool,
    /// The names of the workspace's own packages (what "rebuild" recompiles).
    pub members: Vec<String>,
    /// The host triple, given as `--target` (see [`Job::for_host_triple`]).
    pub host: String,
}

/// The cargo that runs us (`CARGO`, set by `cargo profile-info`), else `cargo` on PATH.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The rustc cargo uses (`RUSTC`), else `rustc` on PATH.
pub fn rustc() -> Command {
    Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
}

/// What a finished command printed, or one line saying why it could not run.
fn output(cmd: &mut Command, what: &str) -> Result<std::process::Output, Error> {
    cmd.stdin(Stdio::null()).output().map_err(|e| Error::new(format!("cannot run {what}: {e}")))
}

/// `cargo metadata --no-deps` of the workspace at `manifest_path` (or the current directory's):
/// the one reading of the workspace that `compare` and `apply` share.
pub fn workspace_metadata(manifest_path: Option<&Path>) -> Result<Metadata, Error> {
    let mut cmd = cargo();
    cmd.args(["metadata", "--format-version", "1", "--no-deps"]);
    if let Some(path) = manifest_path {
        cmd.arg("--manifest-path").arg(path);
    }
    let out = output(&mut cmd, "cargo metadata")?;
    if !out.status.success() {
        return Err(Error::new(format!("cargo metadata failed: {}", tail(&out.stderr))));
    }
    profile_info_core::metadata::parse(&String::from_utf8_lossy(&out.stdout))
        .ok_or_else(|| Error::new("cargo metadata printed something else than its JSON"))
}

/// The last line of `bytes` that says something, trimmed to a length a line can hold.
pub fn tail(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let line = text.lines().map(str::trim).rfind(|l| !l.is_empty() && !l.starts_with("Caused by")).unwrap_or("");
    let chars: Vec<char> = line.chars().collect();
    let start = chars.len().saturating_sub(300);
    chars[start..].iter().collect()
}

/// The first error rustc or cargo rendered in `stderr`, with the place rustc points at
/// (`error[E0425]: cannot find value `x` in this scope (src/main.rs:2:5)`): what a failed build's
/// one line should name, rather than cargo's closing "could not compile".
fn first_error(stderr: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(stderr);
    let mut lines = text.lines().map(str::trim).skip_while(|l| !l.starts_with("error"));
    let error = lines.next()?;
    match lines.next().and_then(|l| l.strip_prefix("--> ")) {
        Some(place) => Some(format!("{error} ({place})")),
        None => Some(error.to_owned()),
    }
}

impl Project {
    /// Reads the workspace with `cargo metadata` and picks the package and binary (`bin`), or
    /// the example `example`.
    pub fn find(
        manifest_path: Option<&Path>,
        package: Option<&str>,
        bin: Option<&str>,
        example: Option<&str>,
    ) -> Result<Project, Error> {
        let meta = workspace_metadata(manifest_path)?;
        let root = meta.workspace_root;
        let target_dir = meta.target_directory;
        let members: Vec<&Package> = meta.packages.iter().collect();
        let name = |p: &Package| p.name.clone();
        let kind = if example.is_some() { "example" } else { "bin" };
        let bins = |p: &Package| -> Vec<String> {
            p.targets
                .iter()
                .filter(|t| t.kind.iter().any(|k| k == kind))
                .filter(|t| example.is_none_or(|e| t.name == e))
                .map(|t| t.name.clone())
                .collect()
        };
        let chosen = match package {
            Some(wanted) => members.iter().find(|p| name(p) == wanted).copied().ok_or_else(|| {
                Error::new(format!(
                    "no package `{wanted}` in the workspace at {} (its packages: {})",
                    root.display(),
                    members.iter().map(|p| name(p)).collect::<Vec<_>>().join(", ")
                ))
            })?,
            None => {
                let with_bins: Vec<&Package> = members.iter().copied().filter(|p| !bins(p).is_empty()).collect();
                match with_bins.as_slice() {
                    [one] => *one,
                    [] => {
                        return Err(Error::new(match example {
                            Some(e) => format!("no package has an example `{e}` in {}", root.display()),
                            None => format!("no package with a binary in {}", root.display()),
                        }))
                    }
                    many => {
                        return Err(Error::new(format!(
                            "several packages have binaries ({}): choose one with --package",
                            many.iter().map(|p| name(p)).collect::<Vec<_>>().join(", ")
                        )))
                    }
                }
            }
        };
        let all_bins = bins(chosen);
        let bin = match (bin.or(example), chosen.default_run.as_deref().filter(|_| example.is_none())) {
            (Some(wanted), _) if all_bins.iter().any(|b| b == wanted) => wanted.to_owned(),
            (Some(wanted), _) => {
                return Err(Error::new(format!(
                    "package `{}` has no {kind} `{wanted}` (its {kind}s: {})",
                    name(chosen),
                    all_bins.join(", ")
                )))
            }
            (None, Some(default)) => default.to_owned(),
            (None, None) => match all_bins.as_slice() {
                [one] => one.clone(),
                [] => return Err(Error::new(format!("package `{}` has no binary", name(chosen)))),
                many => {
                    return Err(Error::new(format!(
                        "package `{}` has several binaries ({}): choose one with --bin",
                        name(chosen),
                        many.join(", ")
                    )))
                }
            },
        };
        let vv = output(rustc().arg("-vV"), "rustc -vV")?;
        let vv = String::from_utf8_lossy(&vv.stdout);
        let host = profile_info_core::rustc::Version::parse(&vv)
            .map(|v| v.host.to_owned())
            .ok_or_else(|| Error::new("rustc -vV did not say which host it runs on"))?;
        Ok(Project {
            manifest_path: manifest_path.map(Path::to_owned),
            build_dir: target_dir.join("profile-info").join("target"),
            target_dir,
            package: name(chosen),
            bin,
            example: example.is_some(),
            members: members.iter().map(|p| name(p)).collect(),
            host,
        })
    }
}

/// The flag that makes the binary's crate of a thin build fat (see [`Job::of`]).
pub const FAT_LTO: &str = "-Clto=fat";

/// One cargo build: a profile, its settings on top of `release`, and rustflags.
#[derive(Clone, Debug)]
pub struct Job {
    /// The variant the build belongs to (for messages).
    pub variant: String,
    /// The cargo profile, a custom one inheriting `release` (`ladder::PROFILE` for every variant).
    pub profile: String,
    /// `--target <host>` even without rustflags, as compare's rungs are built: build scripts and
    /// proc macros then have the profile's host directory, which every rung shares. (With
    /// rustflags, `--target` is always given, so that they do not reach build scripts and proc
    /// macros.)
    pub for_host_triple: bool,
    /// Profile keys (target-cpu is turned into rustflags).
    pub settings: Vec<(Key, super::ladder::Value)>,
    /// Extra rustflags (PGO).
    pub rustflags: Vec<String>,
    /// rustc flags for the compared binary's crate alone (`cargo rustc -- …`): its dependencies
    /// stay as another build of the same profile left them, so a strip-only or relink-only rung
    /// compiles one crate.
    pub final_flags: Vec<String>,
    /// Where the compared crate's rustc command lines are logged (see `compare::wrapper`).
    pub rustc_log: Option<PathBuf>,
}

impl Job {
    /// The build of `variant`. `lto = "fat"` is built as `lto = "thin"` with `-Clto=fat` given to
    /// the binary's crate alone: cargo gives every other crate the same command line for both
    /// (`-C linker-plugin-lto`; only the hash in `-C metadata` differs), rustc keeps the last
    /// `-C lto` it is given, and the fat rungs then share the thin rung's dependencies, build
    /// scripts and proc macros.
    pub fn of(variant: &Variant) -> Job {
        let mut job = Job {
            variant: variant.name.clone(),
            profile: PROFILE.to_owned(),
            for_host_triple: true,
            settings: variant.settings.clone(),
            rustflags: Vec::new(),
            final_flags: Vec::new(),
            rustc_log: None,
        };
        if let Some((_, lto)) = job.settings.iter_mut().find(|(k, _)| *k == Key::LTO) {
            if Key::LTO.expected(lto).is_some_and(|(_, v)| v == "fat") {
                *lto = super::ladder::Value::Str("thin".into());
                job.final_flags.push(FAT_LTO.into());
            }
        }
        job
    }

    fn rustflags(&self) -> Vec<String> {
        let cpu = self.settings.iter().filter(|(k, _)| *k == Key::TARGET_CPU);
        let mut flags: Vec<String> = cpu.map(|(_, v)| format!("-Ctarget-cpu={}", v.toml().trim_matches('"'))).collect();
        flags.extend(self.rustflags.iter().cloned());
        flags
    }

    /// The arguments that select the profile and target, common to `build` and `clean`.
    /// `env` is what [`env_rustflags`] found.
    fn profile_args(&self, project: &Project, env: Option<Vec<String>>) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(path) = &project.manifest_path {
            args.extend(["--manifest-path".to_owned(), path.display().to_string()]);
        }
        let p = &self.profile;
        args.extend(["--profile".into(), p.clone(), "--config".into(), format!("profile.{p}.inherits=\"release\"")]);
        for (key, value) in self.settings.iter().filter(|(k, _)| *k != Key::TARGET_CPU) {
            args.extend(["--config".into(), format!("profile.{p}.{}={}", key.name(), value.toml())]);
        }
        if self.for_host_triple || !self.rustflags().is_empty() {
            args.extend(["--target".into(), project.host.clone()]);
        }
        if let Rustflags::Config(list) = Rustflags::of(self.rustflags(), env) {
            args.extend(["--config".into(), list]);
        }
        args
    }

    /// Builds and returns the executable cargo reported with the compile time: with `clean`, the
    /// whole build's wall-clock seconds; else the seconds the binary's own rustc ran (compiling,
    /// LTO, linking), as the wrapper logged them during this build, its dependencies built before
    /// it. When cargo found the binary up to date (no rustc ran for it), the workspace's own crates
    /// are cleaned and built again so that there is a compile to time.
    pub fn run(&self, project: &Project, target_dir: Option<&Path>, clean: bool) -> Result<(PathBuf, f64), Error> {
        if clean {
            return self.build(project, target_dir);
        }
        let log = self.rustc_log.as_deref().ok_or_else(|| Error::new("a timed build needs the wrapper's log"))?;
        let compiled = || super::wrapper::recorded(log);
        let before = compiled().len();
        let (mut exe, _) = self.build(project, target_dir)?;
        if compiled().len() == before {
            self.clean_members(project, target_dir)?;
            exe = self.build(project, target_dir)?.0;
        }
        match compiled().get(before) {
            Some(compile) => Ok((exe, compile.seconds)),
            None => Err(Error::new(format!(
                "variant {}: cargo built {} without running rustc for it",
                self.variant, project.bin
            ))),
        }
    }

    fn command(&self, project: &Project, target_dir: Option<&Path>, args: &[&str]) -> Result<Command, Error> {
        let mut cmd = cargo();
        let env = env_rustflags();
        cmd.args(args).args(self.profile_args(project, env.clone()));
        if let Rustflags::Env(encoded) = Rustflags::of(self.rustflags(), env) {
            cmd.env("CARGO_ENCODED_RUSTFLAGS", encoded).env_remove("RUSTFLAGS");
        }
        cmd.env("CARGO_TARGET_DIR", target_dir.unwrap_or(&project.build_dir));
        if let Some(log) = &self.rustc_log {
            cmd.envs(super::wrapper::env(log, &project.bin)?);
        }
        Ok(cmd)
    }

    /// The `cargo build` of the binary (`cargo rustc` when there are `final_flags`), in
    /// `target_dir` or else compare's own; it prints cargo's JSON messages, which
    /// [`Job::executable`] reads.
    pub fn build_command(&self, project: &Project, target_dir: Option<&Path>) -> Result<Command, Error> {
        let target = if project.example { "--example" } else { "--bin" };
        let subcommand = if self.final_flags.is_empty() { "build" } else { "rustc" };
        let args =
            [subcommand, "--message-format=json-render-diagnostics", "-p", &project.package, target, &project.bin];
        let mut cmd = self.command(project, target_dir, &args)?;
        if !self.final_flags.is_empty() {
            cmd.arg("--").args(&self.final_flags);
        }
        Ok(cmd)
    }

    /// The executable that the finished [`Job::build_command`] reported, or why there is none.
    pub fn executable(&self, project: &Project, out: &std::process::Output) -> Result<PathBuf, Error> {
        if !out.status.success() {
            return Err(Error::new(format!(
                "variant {}: cargo build failed ({}): {}",
                self.variant,
                out.status,
                first_error(&out.stderr).unwrap_or_else(|| tail(&out.stderr))
            )));
        }
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<Json>(l).ok())
            .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == project.bin.as_str())
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .ok_or_else(|| {
                Error::new(format!("variant {}: cargo reported no executable for {}", self.variant, project.bin))
            })
    }

    /// One timed build: the executable and the build's wall-clock seconds.
    fn build(&self, project: &Project, target_dir: Option<&Path>) -> Result<(PathBuf, f64), Error> {
        let mut cmd = self.build_command(project, target_dir)?;
        let start = Instant::now();
        let out = output(&mut cmd, "cargo build")?;
        let seconds = start.elapsed().as_secs_f64();
        Ok((self.executable(project, &out)?, seconds))
    }

    /// `cargo clean -p` every workspace member, for this profile and target.
    fn clean_members(&self, project: &Project, target_dir: Option<&Path>) -> Result<(), Error> {
        let mut args = vec!["clean"];
        for member in &project.members {
            args.extend(["-p", member]);
        }
        let out = output(&mut self.command(project, target_dir, &args)?, "cargo clean")?;
        if !out.status.success() {
            return Err(Error::new(format!("variant {}: cargo clean -p failed: {}", self.variant, tail(&out.stderr))));
        }
        Ok(())
    }
}

/// How a build's own rustflags reach cargo.
#[derive(Debug, PartialEq, Eq)]
enum Rustflags {
    /// None to add.
    None,
    /// `build.rustflags=[…]` for `--config`.
    Config(String),
    /// `CARGO_ENCODED_RUSTFLAGS`: the user's flags from the environment, then the build's. Cargo
    /// reads the environment's flags instead of any `build.rustflags`, so the build's go there too
    /// and come last, where rustc lets them override the user's.
    Env(String),
}

impl Rustflags {
    fn of(ours: Vec<String>, env: Option<Vec<String>>) -> Rustflags {
        match (ours.is_empty(), env) {
            (true, _) => Rustflags::None,
            (false, None) => {
                let list = ours.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>().join(", ");
                Rustflags::Config(format!("build.rustflags=[{list}]"))
            }
            (false, Some(user)) => Rustflags::Env([user, ours].concat().join("\x1f")),
        }
    }
}

/// The rustflags the environment gives cargo, as cargo reads them: `CARGO_ENCODED_RUSTFLAGS`
/// (split at 0x1f; set and empty is no flags), else `RUSTFLAGS` (split at spaces); `None` when
/// neither is set.
fn env_rustflags() -> Option<Vec<String>> {
    if let Ok(encoded) = std::env::var("CARGO_ENCODED_RUSTFLAGS") {
        return Some(encoded.split('\x1f').filter(|f| !f.is_empty()).map(str::to_owned).collect());
    }
    let flags = std::env::var("RUSTFLAGS").ok()?;
    Some(flags.split(' ').map(str::trim).filter(|f| !f.is_empty()).map(str::to_owned).collect())
}

/// Copies `from` to `dir/name`, replacing what was there.
pub fn keep(from: &Path, dir: &Path, name: &str) -> Result<PathBuf, Error> {
    let to = dir.join(name);
    let fail = |e: std::io::Error| Error::new(format!("cannot copy {} to {}: {e}", from.display(), to.display()));
    std::fs::create_dir_all(dir).map_err(fail)?;
    let _ = std::fs::remove_file(&to);
    std::fs::copy(from, &to).map_err(fail)?;
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::ladder::parse_variant;

    fn project() -> Project {
        Project {
            manifest_path: None,
            target_dir: "/w/target".into(),
            build_dir: "/w/target/profile-info/target".into(),
            package: "app".into(),
            bin: "app".into(),
            example: false,
            members: vec!["app".into()],
            host: "x86_64-unknown-linux-gnu".into(),
        }
    }

    #[test]
    fn profiles_are_given_through_config() {
        let v = parse_variant("small:opt-level=z,lto=true,target-cpu=x86-64-v3").unwrap();
        assert_eq!(
            Job::of(&v).profile_args(&project(), None),
            [
                "--profile",
                "profile-info-compare",
                "--config",
                "profile.profile-info-compare.inherits=\"release\"",
                "--config",
                "profile.profile-info-compare.opt-level=\"z\"",
                "--config",
                "profile.profile-info-compare.lto=\"thin\"",
                "--target",
                "x86_64-unknown-linux-gnu",
                "--config",
                "build.rustflags=[\"-Ctarget-cpu=x86-64-v3\"]",
            ]
        );
        assert_eq!(Job::of(&v).final_flags, ["-Clto=fat"], "lto = true is fat, given to the binary's crate");
        let release = Variant { name: "release".into(), settings: vec![], pgo: false, bolt: false };
        let args = Job::of(&release).profile_args(&project(), None);
        assert_eq!(
            args[args.len() - 2..],
            ["--target", "x86_64-unknown-linux-gnu"],
            "release's settings, no rustflags"
        );
    }

    #[test]
    fn rustflags_go_where_cargo_reads_them() {
        let ours = || vec!["-Ctarget-cpu=x86-64-v3".to_owned()];
        assert_eq!(Rustflags::of(vec![], Some(vec!["-Cx".into()])), Rustflags::None);
        assert_eq!(
            Rustflags::of(ours(), None),
            Rustflags::Config("build.rustflags=[\"-Ctarget-cpu=x86-64-v3\"]".into())
        );
        assert_eq!(
            Rustflags::of(ours(), Some(vec!["-Ctarget-cpu=native".into(), "-Cforce-frame-pointers=yes".into()])),
            Rustflags::Env("-Ctarget-cpu=native\x1f-Cforce-frame-pointers=yes\x1f-Ctarget-cpu=x86-64-v3".into()),
            "the user's first, the rung's last"
        );
        assert_eq!(Rustflags::of(ours(), Some(vec![])), Rustflags::Env("-Ctarget-cpu=x86-64-v3".into()));
    }

    #[test]
    fn a_failed_build_names_its_first_error() {
        let stderr =
            b"   Compiling app v0.1.0\nerror[E0425]: cannot find value `x` in this scope\n --> src/main.rs:2:5\n  |\n\
                       error: could not compile `app` (bin \"app\") due to 1 previous error\n";
        assert_eq!(first_error(stderr).unwrap(), "error[E0425]: cannot find value `x` in this scope (src/main.rs:2:5)");
        let resolve = b"    Updating index\nerror: no matching package named `nope` found\nlocation searched: x\n";
        assert_eq!(first_error(resolve).unwrap(), "error: no matching package named `nope` found");
        assert_eq!(first_error(b"warning: unused\n"), None);
    }

    #[test]
    fn tails_are_one_line() {
        assert_eq!(tail(b"error: a\n  b failed  \n\n"), "b failed");
        assert_eq!(tail(b""), "");
        assert_eq!(tail("x".repeat(500).as_bytes()).len(), 300);
    }
}
