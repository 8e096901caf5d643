//! The `.dep-v0` dependency list `#[profile_info::main]` writes, checked with cargo-auditable's
//! own tools as oracles: `cargo auditable build` of the same package gives the expected package
//! set, `rust-audit-info` and the `auditable-info` crate read our binary as scanners do, objdump
//! counts the sections, and `cargo build -v` says what was recompiled.

use profile_info_tests::{require_target, run, rust_audit_info, section, target_dir, Fixture, MACOS, WINDOWS};
use serde_json::Value;
use std::collections::BTreeSet;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

const MAIN: &str = "#[profile_info::main]\nfn main() {\n    println!(\"ran\");\n}\n";

/// Every kind of edge: a renamed dependency, an optional one behind a feature, a build
/// dependency, a proc macro (profile-info's), a dev-dependency and a Windows-only dependency
/// (neither of which is in a Linux binary).
const MANIFEST: &str = r#"
[dependencies.words]
package = "shlex"
version = "1"

[dependencies.itoa]
version = "1"
optional = true

[build-dependencies]
autocfg = "1"

[dev-dependencies]
fnv = "1"

[target.'cfg(windows)'.dependencies]
windows-link = "0.2"

[features]
numbers = ["dep:itoa"]
"#;

/// An optional registry dependency behind a feature, and nothing else.
const OPTIONAL_ITOA: &str =
    "\n[dependencies.itoa]\nversion = \"1\"\noptional = true\n\n[features]\nnumbers = [\"dep:itoa\"]\n";

fn fixture() -> Fixture {
    Fixture::with_files("deps-app", &[("src/main.rs", MAIN), ("build.rs", "fn main() {}\n")], MANIFEST)
}

/// `(name, version, source, kind)` of every package in a `.dep-v0` JSON document.
type PackageSet = BTreeSet<(String, String, String, String)>;

fn package_set(json: &Value) -> PackageSet {
    let packages = json["packages"].as_array().expect("packages array");
    packages
        .iter()
        .map(|p| {
            let field = |k: &str| p[k].as_str().map(str::to_owned);
            (
                field("name").unwrap(),
                field("version").unwrap(),
                field("source").unwrap(),
                field("kind").unwrap_or_else(|| "runtime".into()),
            )
        })
        .collect()
}

/// The same set through the `auditable-info` crate.
fn auditable_info(binary: &Path) -> PackageSet {
    let info = auditable_info::audit_info_from_file(binary, Default::default()).expect("auditable-info reads it");
    package_set(&serde_json::to_value(info).unwrap())
}

/// How many `.dep-v0` sections objdump (binutils) finds in `binary`, an ELF or PE file.
fn dep_sections(binary: &Path) -> usize {
    let out = Command::new("objdump").arg("-h").arg(binary).output().expect("objdump (binutils) is installed");
    assert!(out.status.success(), "objdump -h {}: {}", binary.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().filter(|l| l.contains(" .dep-v0 ")).count()
}

fn document(binary: &Path) -> Value {
    let out = run(binary, &["--build-info=json"]);
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).expect("--build-info=json prints JSON")
}

#[test]
fn scanners_read_the_same_packages_as_cargo_auditable_lists() {
    let fx = fixture();
    let ours = fx.build(&["--features", "numbers"], &[]).binary;
    assert_eq!(dep_sections(&ours), 1);
    assert_eq!(document(&ours)["package"]["dependencies"], "listed");
    let ours_json = rust_audit_info(&ours);
    let ours_set = package_set(&ours_json);
    assert_eq!(auditable_info(&ours), ours_set, "auditable-info and rust-audit-info agree");

    // The same package built by cargo-auditable; its wrapper links its own `.dep-v0`, and the
    // macro, seeing that, writes none: one section, and the binary links and runs.
    let copy = fx.copy_to("auditable");
    let theirs = copy.auditable_build(&["--features", "numbers"]);
    assert_eq!(dep_sections(&theirs), 1, "one section, not two");
    assert_eq!(run(&theirs, &[]).stdout, b"ran\n");
    assert_eq!(document(&theirs)["package"]["dependencies"], "listed by cargo-auditable");

    let theirs_json = rust_audit_info(&theirs);
    assert_eq!(ours_set, package_set(&theirs_json));
    // The graph too: cargo-auditable sorts and numbers packages the same way.
    assert_eq!(ours_json, theirs_json);
    let names: BTreeSet<&str> = ours_set.iter().map(|p| p.0.as_str()).collect();
    for absent in ["fnv", "windows-link"] {
        assert!(!names.contains(absent), "{absent} is not in a Linux binary: {names:?}");
    }
}

/// Windows and macOS files carry the list where scanners look. A PE executable (MinGW's link):
/// the list `rust-audit-info` and `auditable-info` read is `cargo auditable build`'s for the same
/// target, Windows-only dependency included, and a binary built both ways has one `.dep-v0`. A
/// Mach-O object file (no Mach-O linker here): the list is the one cargo-auditable writes in a
/// Linux binary, as the package has no macOS- or Linux-only dependency.
#[test]
fn windows_and_macos_files_carry_the_list_scanners_read() {
    require_target(WINDOWS);
    let fx = fixture();
    let windows = ["--target", WINDOWS, "--features", "numbers"];
    let ours = fx.build(&windows, &[]).binary;
    assert_eq!(dep_sections(&ours), 1);
    let ours_json = rust_audit_info(&ours);
    let ours_set = package_set(&ours_json);
    assert_eq!(auditable_info(&ours), ours_set, "auditable-info and rust-audit-info agree");
    let copy = fx.copy_to("auditable");
    let theirs = copy.auditable_build(&windows);
    assert_eq!(dep_sections(&theirs), 1, "one section, not two");
    assert_eq!(ours_json, rust_audit_info(&theirs));
    let names: BTreeSet<&str> = ours_set.iter().map(|p| p.0.as_str()).collect();
    assert!(names.contains("windows-link") && !names.contains("fnv"), "{names:?}");

    let object = fx.object_file(MACOS, &["--features", "numbers"]);
    let macos = package_set(&rust_audit_info(&object));
    assert_eq!(auditable_info(&object), macos, "auditable-info and rust-audit-info agree");
    let linux = package_set(&rust_audit_info(&copy.auditable_build(&["--features", "numbers"])));
    assert_eq!(macos, linux);
}

/// The cache file the macro keeps in the dev profile of `target` for `fx`'s `binary`: the one
/// naming the fixture's manifest and holding the binary's `.dep-v0` bytes (as objcopy dumps
/// them), which tells apart the files of two feature sets.
fn cache_file(target: &Path, fx: &Fixture, binary: &Path) -> std::path::PathBuf {
    let dir = target.join("debug").join(".profile-info");
    let manifest = fx.dir.join("Cargo.toml");
    let list: String = section(binary, ".dep-v0").iter().map(|b| format!("{b:02x}")).collect();
    std::fs::read_dir(&dir)
        .expect("the profile's .profile-info directory")
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with("deps-"))
        .find(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            text.contains(manifest.to_str().unwrap()) && text.ends_with(&list)
        })
        .expect("a dependency cache file naming the fixture's manifest and holding the binary's list")
}

fn mtime(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

/// `cargo build -v ARGS` with `env`, touching nothing: cargo's report (stderr).
fn build_quietly(fx: &Fixture, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = fx.cargo(&[&["build", "-v"], args].concat(), env).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Whether cargo ran rustc for `fx`'s binary crate in a `cargo build -v ARGS` that touches nothing.
fn recompiled(fx: &Fixture, args: &[&str], env: &[(&str, &str)]) -> bool {
    let stderr = build_quietly(fx, args, env);
    let crate_name = format!("--crate-name {} ", fx.name.replace('-', "_"));
    let ran = stderr.lines().any(|l| l.contains("Running `") && l.contains(&crate_name));
    let fresh = stderr.lines().any(|l| l.trim_start().starts_with(&format!("Fresh {} v", fx.name)));
    assert_ne!(ran, fresh, "cargo says either: {stderr}");
    ran
}

#[test]
fn cargo_metadata_runs_once_per_change_of_the_lock_file_or_manifests() {
    let fx = Fixture::new("cache-app", MAIN, "");
    let binary = fx.build(&[], &[]).binary;
    let cache = cache_file(&target_dir(), &fx, &binary);
    let written = mtime(&cache);
    assert!(!recompiled(&fx, &[], &[]), "a no-op build compiles nothing");
    // An edit of the source: the crate recompiles, the kept answer is used as is.
    fx.build(&[], &[]);
    assert_eq!(mtime(&cache), written, "cache hit: not rewritten");
    // Cargo.lock changes: rustc tracks it for the macro, so cargo recompiles the crate, and the
    // list is asked of cargo again.
    touch_lock(&fx);
    assert!(recompiled(&fx, &[], &[]), "a new Cargo.lock recompiles the binary crate");
    assert_ne!(mtime(&cache), written, "cargo metadata asked again");
    assert!(!recompiled(&fx, &[], &[]), "and then nothing");
}

/// Gives `fx`'s `Cargo.lock` a new mtime, later than anything built so far.
fn touch_lock(fx: &Fixture) {
    std::thread::sleep(std::time::Duration::from_millis(20));
    let lock = std::fs::File::options().append(true).open(fx.dir.join("Cargo.lock")).unwrap();
    lock.set_modified(std::time::SystemTime::now()).unwrap();
}

/// A target dir for `dir`'s builds on another file system than `dir`'s: under the first of these
/// places whose device (`st_dev`) differs, that can be written, runs programs (Docker mounts its
/// `/dev/shm` noexec) and has room for a debug build.
/// It is kept between runs, as the fixtures' target dir is, so that a run rebuilds only what
/// changed. None: the test fails, saying what was tried.
fn target_dir_on_another_file_system(dir: &Path) -> std::path::PathBuf {
    use std::hash::{Hash, Hasher};
    use std::path::PathBuf;
    /// Room for a debug build of the fixture and profile-info, with a wide margin.
    const ROOM_KIB: u64 = 256 << 10;
    let device = |p: &Path| std::fs::metadata(p).map(|m| m.dev());
    let home = device(dir).expect("the fixture's directory");
    let mut places = vec![PathBuf::from("/dev/shm")];
    places.extend(std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from));
    places.extend([std::env::temp_dir(), "/tmp".into(), "/var/tmp".into(), "/run".into(), "/mnt".into()]);
    // One directory per checkout, so that two checkouts' runs do not share it.
    let mut checkout = profile_info_core::fnv::Fnv1a::default();
    profile_info_tests::workspace().hash(&mut checkout);
    let name = format!("profile-info-tests-{:016x}", checkout.finish());
    places.dedup();
    let mut tried = Vec::new();
    for place in places {
        let target = place.join(&name);
        let verdict = match device(&place) {
            Err(e) => format!("{e}"),
            Ok(d) if d == home => "the same file system".to_owned(),
            Ok(_) => match std::fs::create_dir_all(&target).and_then(|()| device(&target)) {
                Err(e) => format!("not writable: {e}"),
                Ok(d) if d == home => "the same file system".to_owned(),
                Ok(_) if !runs_programs(&target) => "mounted noexec: build scripts could not run".to_owned(),
                Ok(_) => match free_kib(&target) {
                    Some(free) if free >= ROOM_KIB => return target,
                    Some(free) => format!("{free} KiB free, {ROOM_KIB} needed"),
                    None => "df gave no free space".to_owned(),
                },
            },
        };
        tried.push(format!("{}: {verdict}", place.display()));
    }
    panic!(
        "no place on another file system than {} (device {home}) for a target dir; tried {tried:?}. \
         Mount one (a tmpfs at /dev/shm, as Linux has by default) and run the test again",
        dir.display()
    );
}

/// Whether the kernel runs a program written in `dir`.
fn runs_programs(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let probe = dir.join("runs-programs.sh");
    std::fs::write(&probe, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o755)).unwrap();
    Command::new(&probe).status().is_ok_and(|s| s.success())
}

/// The room left on `path`'s file system, in KiB, as `df -Pk` reports it.
fn free_kib(path: &Path) -> Option<u64> {
    let out = Command::new("df").arg("-Pk").arg(path).output().expect("df (coreutils) is installed");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()
}

/// A target dir on another file system than the package's (here a tmpfs): the list is the one
/// `cargo auditable build` writes, for one feature set and then another, the section and the
/// document hold no path of the target dir, the cache kept there works (a no-op build compiles
/// nothing, a new `Cargo.lock` recompiles the binary crate and asks cargo again) and leaves no
/// temporary file behind.
#[test]
fn target_dir_on_another_file_system_changes_nothing() {
    let fx = Fixture::new("deps-otherfs-app", MAIN, OPTIONAL_ITOA);
    let target = target_dir_on_another_file_system(&fx.dir);
    let env = [("CARGO_TARGET_DIR", target.to_str().unwrap())];
    let numbers = ["--features", "numbers"];
    // The same package built in the fixtures' target dir, on the package's file system, read at
    // once (the copy cargo-auditable builds there replaces the binary).
    let here = fx.build(&numbers, &[]).binary;
    assert_eq!(std::fs::metadata(&here).unwrap().dev(), std::fs::metadata(&fx.dir).unwrap().dev());
    let (here_document, here_list) = (document(&here), rust_audit_info(&here));
    let ours = fx.build(&numbers, &env).binary;
    assert!(ours.starts_with(&target), "{} is in {}", ours.display(), target.display());
    assert_eq!(run(&ours, &[]).stdout, b"ran\n");
    assert_eq!(document(&ours)["package"]["dependencies"], "listed");
    let auditable = fx.copy_to("auditable");
    let theirs = rust_audit_info(&auditable.auditable_build(&numbers));
    assert_eq!(rust_audit_info(&ours), theirs);
    assert!(package_set(&theirs).iter().any(|p| p.0 == "itoa"), "{theirs}");
    assert_eq!(document(&ours), here_document, "the same document as from the fixtures' target dir");
    assert_eq!(here_list, theirs);

    // No path of the target dir (nor of the package) in what the binary holds: the document's
    // section, what it prints, and the list as the two readers inflate it.
    let raw_list = Command::new("rust-audit-info").arg(&ours).output().unwrap();
    assert!(raw_list.status.success());
    let inflated = auditable_info::json_from_file(&ours, Default::default()).expect("auditable-info reads it");
    let held = [
        ("the .profile_info section", section(&ours, ".profile_info")),
        ("--build-info=json", run(&ours, &["--build-info=json"]).stdout),
        ("rust-audit-info's output", raw_list.stdout),
        ("auditable-info's inflated list", inflated.into_bytes()),
    ];
    let place = target.parent().unwrap();
    for (what, bytes) in &held {
        let text = String::from_utf8_lossy(bytes);
        assert!(text.len() > 100, "{what} is there: {text}");
        for path in [&target, place, &fx.dir] {
            assert!(!text.contains(path.to_str().unwrap()), "{what} holds {}: {text}", path.display());
        }
    }

    // The cache under the target dir: a no-op build compiles no unit at all.
    let noop = build_quietly(&fx, &numbers, &env);
    let compiled: Vec<&str> = noop.lines().filter(|l| l.contains("Compiling ") || l.contains("Running `")).collect();
    assert!(compiled.is_empty(), "a no-op build compiled {compiled:?}");
    assert!(noop.contains(&format!("Fresh {} v", fx.name)), "{noop}");
    let cache = cache_file(&target, &fx, &ours);
    let written = mtime(&cache);
    touch_lock(&fx);
    assert!(recompiled(&fx, &numbers, &env), "a new Cargo.lock recompiles the binary crate");
    assert_ne!(mtime(&cache), written, "cargo metadata asked again");
    assert_eq!(rust_audit_info(&ours), theirs);
    let leftovers: Vec<_> = std::fs::read_dir(cache.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    // Another feature set: the binary crate is compiled again, and the list is the other one.
    assert!(recompiled(&fx, &[], &env), "a new feature set recompiles the binary crate");
    let without = rust_audit_info(&auditable.auditable_build(&[]));
    assert_eq!(rust_audit_info(&ours), without);
    assert!(!package_set(&without).iter().any(|p| p.0 == "itoa"), "{without}");
    assert!(!recompiled(&fx, &[], &env), "and then nothing");
}

/// A script for `RUSTC_WORKSPACE_WRAPPER` (the fixture's crates only) that runs rustc with `env`
/// changed as given.
fn wrapper(name: &str, env_args: &str) -> std::path::PathBuf {
    let path = target_dir().join(format!("{name}.sh"));
    std::fs::create_dir_all(target_dir()).unwrap();
    std::fs::write(&path, format!("#!/bin/sh\nexec env {env_args} \"$@\"\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn without_cargo_metadata_the_build_goes_on_and_says_why() {
    let fx = Fixture::new("nometa-app", MAIN, "");
    for (script, env_args, why) in [
        ("no-cargo-env", "-u CARGO", "not built by cargo"),
        ("failing-cargo", "CARGO=/bin/false", "cargo metadata failed"),
        ("missing-cargo", "CARGO=/nonexistent/cargo", "cargo could not be started"),
    ] {
        let w = wrapper(script, env_args);
        let binary = fx.build(&[], &[("RUSTC_WORKSPACE_WRAPPER", w.to_str().unwrap())]).binary;
        assert_eq!(dep_sections(&binary), 0, "{script}");
        assert_eq!(document(&binary)["package"]["dependencies"], why, "{script}");
        assert_eq!(run(&binary, &[]).stdout, b"ran\n");
    }
    // Offline and frozen builds get the list.
    for flag in ["--offline", "--frozen"] {
        let binary = fx.build(&[flag], &[]).binary;
        assert_eq!(dep_sections(&binary), 1, "{flag}");
    }
    // `dependencies = false` turns it off.
    let off = Fixture::new("nodeps-app", &MAIN.replace("main]", "main(dependencies = false)]"), "");
    let binary = off.build(&[], &[]).binary;
    assert_eq!(dep_sections(&binary), 0);
    assert_eq!(document(&binary)["package"]["dependencies"], "off");
}

const SERVING: &str = r#"#[profile_info::main]
fn main() {
    use profile_info::serve::Config;
    for on in [true, false] {
        let body = Config::new().runtime(false).dependencies(on).endpoint().json();
        println!("{}", std::str::from_utf8(body).unwrap());
    }
}
"#;

#[test]
fn buildinfo_serves_the_list_only_when_asked() {
    let binary = Fixture::new("serve-deps-app", SERVING, "").build(&[], &[]).binary;
    let out = run(&binary, &[]);
    assert!(out.status.success());
    let bodies: Vec<Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(bodies[0]["dependencies"], rust_audit_info(&binary), "served as scanners read the file");
    assert_eq!(bodies[1].get("dependencies"), None, "off by default");
}

/// A crate in a local git repository (made once), for a `git` dependency that needs no network.
fn git_dependency() -> std::path::PathBuf {
    let repo = target_dir().join("deps-git-repo");
    if repo.join(".git").exists() {
        return repo;
    }
    std::fs::create_dir_all(repo.join("src")).unwrap();
    let manifest = "[package]\nname = \"gitdep\"\nversion = \"0.3.0\"\nedition = \"2021\"\n";
    std::fs::write(repo.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(repo.join("src/lib.rs"), "pub fn answer() -> u32 {\n    42\n}\n").unwrap();
    for args in [&["init", "-q"][..], &["add", "-A"], &["commit", "-q", "-m", "gitdep"]] {
        let st = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(&repo)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .status()
            .unwrap();
        assert!(st.success(), "git {args:?}");
    }
    repo
}

/// A git dependency (`source: git`, no URL), built for an explicit `--target`: the same list as
/// cargo-auditable's.
#[test]
fn git_dependency_and_explicit_target() {
    let repo = git_dependency();
    let manifest = format!("\n[dependencies.gitdep]\ngit = \"file://{}\"\n", repo.display());
    let main = "#[profile_info::main]\nfn main() {\n    println!(\"{}\", gitdep::answer());\n}\n";
    let fx = Fixture::new("deps-git-app", main, &manifest);
    let out = Command::new("rustc").arg("-vV").output().unwrap();
    let vv = String::from_utf8(out.stdout).unwrap();
    let host = vv.lines().find_map(|l| l.strip_prefix("host: ")).unwrap().to_owned();
    let ours = fx.build(&["--target", &host], &[]).binary;
    let theirs = fx.copy_to("auditable").auditable_build(&["--target", &host]);
    let (ours, theirs) = (rust_audit_info(&ours), rust_audit_info(&theirs));
    assert_eq!(package_set(&ours), package_set(&theirs));
    assert!(package_set(&ours).iter().any(|p| p.0 == "gitdep" && p.2 == "git"), "{ours}");
    assert!(!ours.to_string().contains("file://"), "no URL or path: {ours}");
}

/// A workspace of two binaries whose features differ (`a` enables an optional dependency, `b`
/// does not), written under `target/fixtures/<subdir>/deps-ws`.
fn workspace_of_two(subdir: &str) -> std::path::PathBuf {
    use profile_info_tests::{workspace, write_if_changed};
    let dir = workspace().join("target/fixtures").join(subdir).join("deps-ws");
    write_if_changed(&dir.join("Cargo.toml"), "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n");
    let profile_info = workspace().join("profile-info");
    for (name, features) in [("a", "[\"numbers\"]"), ("b", "[]")] {
        let manifest = format!(
            "[package]\nname = \"deps-ws-{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [dependencies]\nprofile-info = {{ path = {profile_info:?} }}\nitoa = {{ version = \"1\", optional = true }}\n\n\
             [features]\ndefault = {features}\nnumbers = [\"dep:itoa\"]\n"
        );
        write_if_changed(&dir.join(name).join("Cargo.toml"), &manifest);
        write_if_changed(&dir.join(name).join("src/main.rs"), MAIN);
    }
    if !dir.join("Cargo.lock").exists() {
        let _ = std::fs::copy(workspace().join("Cargo.lock"), dir.join("Cargo.lock"));
    }
    dir
}

/// Both binaries of one workspace built in one `cargo build`: each lists its own features'
/// packages, as `cargo auditable build` of the same workspace does.
#[test]
fn two_binaries_of_a_workspace_with_different_features() {
    // Each binary's list, read as soon as its build reported it: both workspaces build into the
    // fixtures' target dir, where same-named binaries replace each other.
    let lists = |dir: &Path, args: &[&str]| {
        let out = profile_info_tests::cargo(dir, args, &[]).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let mut lists = std::collections::BTreeMap::new();
        for m in String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| serde_json::from_str::<Value>(l).ok()) {
            if let (Some(name), Some(exe)) = (m["target"]["name"].as_str(), m["executable"].as_str()) {
                lists.insert(name.to_owned(), package_set(&rust_audit_info(Path::new(exe))));
            }
        }
        lists
    };
    let json = "--message-format=json";
    let ours = lists(&workspace_of_two("ours"), &["build", "--workspace", json]);
    let theirs = lists(&workspace_of_two("auditable"), &["auditable", "build", "--workspace", json]);
    assert_eq!(ours.len(), 2);
    assert_eq!(ours, theirs);
    let has_itoa = |name: &str| ours[name].iter().any(|p| p.0 == "itoa");
    assert!(has_itoa("deps-ws-a") && !has_itoa("deps-ws-b"));
}

/// A vendored tree (`cargo vendor`, then offline builds) with an empty `CARGO_HOME`, so that no
/// registry cache can stand in for the vendored sources. The source replacement given only on the
/// command line (`--config`) does not reach the macro (cargo passes rustc no trace of it): the
/// build goes on without the list and the document says why. Written in `.cargo/config.toml`, as
/// `cargo vendor` says to, it reaches the macro's `cargo metadata` too, and the list is the one
/// `cargo auditable build` of the same tree writes.
#[test]
fn vendored_tree_offline() {
    let fx = fixture().copy_to("vendored");
    // Online and free to trim the lock file copied from the workspace's: it vendors every
    // platform's packages, and the Windows ones may never have been downloaded here.
    let vendored = fx.cargo(&["vendor", "vendor"], &[]).output().expect("run cargo vendor");
    assert!(vendored.status.success(), "{}", String::from_utf8_lossy(&vendored.stderr));
    let home = fx.dir.join("empty-cargo-home");
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    let env = [("CARGO_HOME", home.to_str().unwrap())];
    let _ = std::fs::remove_dir_all(fx.dir.join(".cargo"));

    let replace =
        ["source.crates-io.replace-with=\"vendored-sources\"", "source.vendored-sources.directory=\"vendor\""];
    let args = ["--offline", "--features", "numbers", "--config", replace[0], "--config", replace[1]];
    let binary = fx.build(&args, &env).binary;
    assert_eq!(dep_sections(&binary), 0);
    assert_eq!(document(&binary)["package"]["dependencies"], "cargo metadata failed");
    assert_eq!(run(&binary, &[]).stdout, b"ran\n");

    let config = "[source.crates-io]\nreplace-with = \"vendored-sources\"\n\n\
                  [source.vendored-sources]\ndirectory = \"vendor\"\n";
    profile_info_tests::write_if_changed(&fx.dir.join(".cargo/config.toml"), config);
    let ours = fx.build(&["--offline", "--features", "numbers"], &env).binary;
    assert_eq!(document(&ours)["package"]["dependencies"], "listed");
    let ours_json = rust_audit_info(&ours);
    let theirs = fx.auditable_build(&["--offline", "--features", "numbers"]);
    assert_eq!(ours_json, rust_audit_info(&theirs));
    let names: BTreeSet<String> = package_set(&ours_json).into_iter().map(|p| p.0).collect();
    assert!(names.contains("shlex") && names.contains("itoa"), "{names:?}");
}
