//! The harness the integration tests share: fixture crates written under `target/fixtures/`, built
//! with real cargo into one shared target dir (`target/fixtures-target`), so each build redoes only
//! what changed since the last one. cargo's own `-v` output is the oracle for what rustc received.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is in the workspace").to_path_buf()
}

/// The target dir every fixture build shares.
pub fn target_dir() -> PathBuf {
    workspace().join("target").join("fixtures-target")
}

/// Custom profiles fixtures append to their manifest: `production` (fat LTO, one codegen unit,
/// `strip = true`, `panic = "abort"`), `tiny` (`opt-level = "z"`) and `lines` (line tables, LTO
/// off, incremental).
pub const PROFILES: &str = r#"
[profile.production]
inherits = "release"
lto = "fat"
codegen-units = 1
strip = true
panic = "abort"

[profile.tiny]
inherits = "release"
opt-level = "z"

[profile.lines]
inherits = "dev"
debug = "line-tables-only"
lto = "off"
incremental = true
"#;

/// The Windows target the PE tests build for: its std from rustup, linked by MinGW's gcc (both
/// installed by scripts/test.sh).
pub const WINDOWS: &str = "x86_64-pc-windows-gnu";

/// The macOS target the Mach-O tests compile for (std from rustup, installed by scripts/test.sh).
/// No Mach-O linker exists here: [`Fixture::object_file`] is how its files are made.
pub const MACOS: &str = "x86_64-apple-darwin";

/// Panics, saying how to install it, unless rustc has the standard library of `target`.
pub fn require_target(target: &str) {
    let out = Command::new("rustc").args(["--print", "target-libdir", "--target", target]).output().expect("run rustc");
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let has_std = std::fs::read_dir(&dir)
        .map(|entries| entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with("libstd-")))
        .unwrap_or(false);
    assert!(has_std, "no standard library for {target} (scripts/test.sh runs `rustup target add {target}`)");
}

/// A fixture crate: a binary package depending on profile-info by path.
pub struct Fixture {
    pub name: String,
    pub dir: PathBuf,
}

/// What one `cargo build -v` produced.
pub struct Build {
    /// The fixture's executable.
    pub binary: PathBuf,
    /// rustc's arguments for the fixture's binary crate as cargo printed them (program excluded).
    pub rustc_args: Vec<String>,
}

// cargo serialises builds in one target dir anyway; the lock also keeps two tests from rewriting
// the same fixture at once.
static BUILD_LOCK: Mutex<()> = Mutex::new(());

impl Fixture {
    /// Writes (only when changed) a package `name` with this `main.rs` and extra manifest text
    /// (profiles, dependencies) appended to its `Cargo.toml`.
    pub fn new(name: &str, main_rs: &str, extra_manifest: &str) -> Fixture {
        Fixture::with_files(name, &[("src/main.rs", main_rs)], extra_manifest)
    }

    /// Like [`Fixture::new`] with any set of source files (paths relative to the package).
    pub fn with_files(name: &str, files: &[(&str, &str)], extra_manifest: &str) -> Fixture {
        Fixture::with_features(name, files, extra_manifest, &[])
    }

    /// Like [`Fixture::with_files`], with these features of profile-info enabled.
    pub fn with_features(name: &str, files: &[(&str, &str)], extra_manifest: &str, features: &[&str]) -> Fixture {
        let dir = workspace().join("target").join("fixtures").join(name);
        let root = workspace();
        let manifest = format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [dependencies]\nprofile-info = {{ path = {:?}, features = {features:?} }}\n\n[workspace]\n\n{extra_manifest}",
            root.join("profile-info")
        );
        write_if_changed(&dir.join("Cargo.toml"), &manifest);
        for (path, text) in files {
            write_if_changed(&dir.join(path), text);
        }
        // The workspace's lock file pins the same dependency versions the workspace tests with.
        if !dir.join("Cargo.lock").exists() {
            let _ = std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"));
        }
        Fixture { name: name.to_owned(), dir }
    }

    /// The same package (files, manifest, lock file, build script if any) copied to
    /// `target/fixtures/<subdir>/<name>`.
    pub fn copy_to(&self, subdir: &str) -> Fixture {
        let dir = workspace().join("target").join("fixtures").join(subdir).join(&self.name);
        for file in ["Cargo.toml", "Cargo.lock", "src/main.rs", "build.rs"] {
            if file == "build.rs" && !self.dir.join(file).exists() {
                continue;
            }
            let text = std::fs::read_to_string(self.dir.join(file)).expect("fixture file");
            write_if_changed(&dir.join(file), &text);
        }
        Fixture { name: self.name.clone(), dir }
    }

    /// A cargo command in the fixture with a clean environment: nothing from the outer cargo or
    /// the developer's shell that changes how it builds.
    pub fn cargo(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        cargo(&self.dir, args, env)
    }

    /// `cargo build -v ARGS` with `env`; the binary crate is always recompiled (its `main.rs` is
    /// touched) so that cargo prints its rustc line. Panics with cargo's output if the build fails.
    pub fn build(&self, args: &[&str], env: &[(&str, &str)]) -> Build {
        let out = self.try_build(args, env);
        assert!(out.status.success(), "cargo build {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
        Build { binary: self.executable(&out), rustc_args: self.rustc_args(&out) }
    }

    /// Like [`Fixture::build`] but returns cargo's output whether or not the build succeeded.
    pub fn try_build(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let _guard = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        std::fs::File::options()
            .append(true)
            .open(self.dir.join("src/main.rs"))
            .and_then(|f| f.set_modified(std::time::SystemTime::now()))
            .expect("touch main.rs");
        let mut full = vec!["build", "-v", "--message-format=json-render-diagnostics"];
        full.extend_from_slice(args);
        self.cargo(&full, env).output().expect("run cargo")
    }

    /// The binary crate compiled for `target` with `args` into one object file (`--emit=obj`),
    /// its link made a no-op (`-C linker=true`): the file a target without a linker here gets,
    /// holding the crate's own sections. Panics with cargo's output if the build fails.
    pub fn object_file(&self, target: &str, args: &[&str]) -> PathBuf {
        require_target(target);
        let _guard = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let out_dir = target_dir().join("objects");
        std::fs::create_dir_all(&out_dir).expect("objects dir");
        let object = out_dir.join(format!("{}-{target}.o", self.name));
        let _ = std::fs::remove_file(&object);
        // A fresh object needs a compile, which an unchanged crate would not get.
        std::fs::File::options()
            .append(true)
            .open(self.dir.join("src/main.rs"))
            .and_then(|f| f.set_modified(std::time::SystemTime::now()))
            .expect("touch main.rs");
        let emit = format!("--emit=obj={}", object.display());
        let mut full = vec!["rustc", "--target", target, "--bin", &self.name];
        full.extend_from_slice(args);
        full.extend(["--", &emit, "-C", "linker=true"]);
        let out = self.cargo(&full, &[]).output().expect("run cargo");
        assert!(out.status.success(), "cargo {full:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
        assert!(object.is_file(), "rustc wrote no {}", object.display());
        object
    }

    /// Which LTO rustc really performed for `build`'s binary crate (`"off"`, `"thin-local"`,
    /// `"thin"`, `"fat"`), seen in its artifacts: the rustc command cargo printed is run again
    /// with `-C save-temps` into a scratch `--out-dir` (and a scratch incremental dir).
    /// `*.lto.input.bc` means fat LTO ran; `*thin-lto*` files mean ThinLTO ran: across crates
    /// when the command asked for it with `-C lto`, else across the crate's own codegen units.
    pub fn lto_performed(&self, build: &Build) -> &'static str {
        let _guard = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let scratch = target_dir().join("save-temps").join(&self.name);
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(scratch.join("out")).expect("scratch dir");
        let mut args: Vec<String> = Vec::new();
        let mut it = build.rustc_args.iter();
        let mut lto_flag = false;
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--out-dir" => {
                    it.next();
                    args.extend(["--out-dir".into(), scratch.join("out").display().to_string()]);
                }
                "-C" => {
                    let value = it.next().expect("-C has a value");
                    if value.starts_with("incremental=") {
                        args.extend(["-C".into(), format!("incremental={}", scratch.join("inc").display())]);
                    } else {
                        lto_flag |= value == "lto" || value.starts_with("lto=") && value != "lto=off";
                        args.extend(["-C".into(), value.clone()]);
                    }
                }
                _ => args.push(arg.clone()),
            }
        }
        args.extend(["-C".into(), "save-temps".into()]);
        let out = Command::new("rustc").args(&args).current_dir(&self.dir).output().expect("run rustc");
        assert!(out.status.success(), "rustc -C save-temps failed:\n{}", String::from_utf8_lossy(&out.stderr));
        let names: Vec<String> = std::fs::read_dir(scratch.join("out"))
            .expect("scratch out dir")
            .map(|e| e.expect("dir entry").file_name().to_string_lossy().into_owned())
            .collect();
        if names.iter().any(|n| n.contains("thin-lto")) {
            if lto_flag {
                "thin"
            } else {
                "thin-local"
            }
        } else if names.iter().any(|n| n.ends_with(".lto.input.bc")) {
            "fat"
        } else {
            "off"
        }
    }

    /// `cargo auditable build ARGS` (cargo-auditable, installed by scripts/test.sh): the
    /// executable, with cargo-auditable's own `.dep-v0`.
    pub fn auditable_build(&self, args: &[&str]) -> PathBuf {
        let _guard = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let mut full = vec!["auditable", "build", "--message-format=json-render-diagnostics"];
        full.extend_from_slice(args);
        let out = self
            .cargo(&full, &[])
            .output()
            .expect("cargo auditable is installed (cargo install --locked cargo-auditable)");
        assert!(out.status.success(), "cargo auditable build failed:\n{}", String::from_utf8_lossy(&out.stderr));
        self.executable(&out)
    }

    fn executable(&self, out: &Output) -> PathBuf {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == self.name.as_str())
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo reported the fixture's executable")
    }

    fn rustc_args(&self, out: &Output) -> Vec<String> {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let crate_name = self.name.replace('-', "_");
        let line = stderr
            .lines()
            .filter_map(|l| l.trim().strip_prefix("Running `")?.strip_suffix('`'))
            .find(|l| l.contains(&format!("--crate-name {crate_name} ")) && l.contains("--crate-type bin"))
            .unwrap_or_else(|| panic!("no rustc line for {crate_name} in:\n{stderr}"));
        let words = shlex::split(line).expect("cargo prints shell-quoted commands");
        // cargo prefixes `VAR=value` assignments and any RUSTC_WRAPPER; rustc's arguments follow it.
        let rustc = words
            .iter()
            .position(|w| Path::new(w).file_stem().is_some_and(|s| s == "rustc"))
            .expect("rustc in the command");
        words[rustc + 1..].to_vec()
    }
}

/// A cargo command in `dir` building into [`target_dir()`], with a [clean environment](clean_env).
pub fn cargo(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    clean_env(&mut cmd).current_dir(dir).env("CARGO_TARGET_DIR", target_dir()).args(args).envs(env.iter().copied());
    cmd
}

/// Takes out of `cmd`'s environment what the outer cargo (`cargo test`) or the developer's shell
/// set that changes how a cargo it runs builds, or what profile-info records: cargo's variables
/// (`CARGO`, `CARGO_*`, but `CARGO_HOME`, where the registry is), rustc's (`RUSTC*`),
/// `RUSTFLAGS*`, `RUSTDOCFLAGS` and profile-info's own (`PROFILE_INFO_*`).
pub fn clean_env(cmd: &mut Command) -> &mut Command {
    for (key, _) in std::env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        let changes_builds = key == "CARGO"
            || key.starts_with("CARGO_") && key != "CARGO_HOME"
            || key.starts_with("RUSTC")
            || key.starts_with("RUSTFLAGS")
            || key == "RUSTDOCFLAGS"
            || key.starts_with("PROFILE_INFO_");
        if changes_builds {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// Builds the workspace example `name` (dev profile) into [`target_dir()`] — the outer `cargo
/// test` holds the lock on the workspace's own target dir — and returns its executable.
pub fn build_example(name: &str) -> PathBuf {
    let _guard = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let args = [
        "build",
        "--locked",
        "-p",
        "profile-info-examples",
        "--example",
        name,
        "--message-format=json-render-diagnostics",
    ];
    let out = cargo(&workspace(), &args, &[]).output().expect("run cargo");
    assert!(out.status.success(), "cargo {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == name)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("cargo reported the example's executable")
}

/// What `rust-audit-info` (cargo-auditable's reader, installed by scripts/test.sh) reads in
/// `binary`'s `.dep-v0`: the JSON document.
pub fn rust_audit_info(binary: &Path) -> serde_json::Value {
    let out = Command::new("rust-audit-info")
        .arg(binary)
        .output()
        .expect("rust-audit-info is installed (cargo install --locked rust-audit-info)");
    assert!(out.status.success(), "rust-audit-info {}: {}", binary.display(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("rust-audit-info prints JSON")
}

/// The bytes of `binary`'s section `name`, as objcopy (binutils, installed by scripts/test.sh)
/// dumps them, into files beside the binary.
pub fn section(binary: &Path, name: &str) -> Vec<u8> {
    let out_file = binary.with_extension(format!("section{name}"));
    let status = Command::new("objcopy")
        .args(["--dump-section", &format!("{name}={}", out_file.display())])
        .arg(binary)
        .arg(binary.with_extension("objcopy-out"))
        .status()
        .expect("objcopy (binutils) is installed by scripts/test.sh");
    assert!(status.success(), "objcopy --dump-section {name} {}", binary.display());
    std::fs::read(out_file).expect("objcopy wrote the section")
}

/// Runs a built binary with arguments, returning its output. It runs in its own directory, so
/// that what it leaves there (a coverage build's `default_*.profraw`) stays in the target dir.
pub fn run(binary: &Path, args: &[&str]) -> Output {
    let dir = binary.parent().expect("a binary is in a directory");
    Command::new(binary).args(args).current_dir(dir).output().expect("run binary")
}

/// What a program under test did, run to completion (often under qemu-user).
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    /// Without QEMU's "TCG doesn't support requested feature" warnings.
    pub stderr: String,
}

impl Run {
    /// Runs `cmd`; panics if it cannot be started (a missing tool is a failure, not a skip).
    pub fn of(cmd: &mut Command) -> Run {
        let out = cmd.output().unwrap_or_else(|e| panic!("run {:?}: {e}", cmd.get_program()));
        let stderr = String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| !l.contains("TCG doesn't support requested feature"))
            .map(|l| format!("{l}\n"))
            .collect();
        Run { code: out.status.code(), stdout: String::from_utf8_lossy(&out.stdout).into_owned(), stderr }
    }
}

/// Writes `text` to `path` unless it already holds exactly that (keeps mtimes, so cargo rebuilds
/// nothing that did not change).
pub fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::create_dir_all(path.parent().expect("has parent")).expect("create dir");
        std::fs::write(path, text).expect("write file");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_env_takes_out_what_changes_builds() {
        // The only test of this binary, so nothing else reads the environment meanwhile.
        let set = [
            ("PROFILE_INFO_REVISION", "abc"),
            ("RUSTFLAGS", "-Ctarget-cpu=native"),
            ("RUSTC_WRAPPER", "sccache"),
            ("CARGO_TARGET_DIR", "/elsewhere"),
            ("CARGO_HOME", "/registry"),
        ];
        for (key, value) in set {
            std::env::set_var(key, value);
        }
        // coreutils' `env -0` prints the environment the child really got.
        let out = clean_env(&mut Command::new("env")).arg("-0").output().expect("run env");
        let text = String::from_utf8_lossy(&out.stdout);
        let names: Vec<&str> = text.split('\0').filter_map(|e| Some(e.split_once('=')?.0)).collect();
        for gone in ["PROFILE_INFO_REVISION", "RUSTFLAGS", "RUSTC_WRAPPER", "CARGO_TARGET_DIR", "CARGO_MANIFEST_DIR"] {
            assert!(!names.contains(&gone), "{gone} in {names:?}");
        }
        assert!(names.contains(&"CARGO_HOME") && names.contains(&"PATH"), "{names:?}");
    }
}
