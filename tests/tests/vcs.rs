//! `vcs` is never stale: real git is driven through every state a repository can be in (loose
//! and packed refs, a branch with no commit yet, detached HEAD, a linked worktree, a submodule),
//! and after each commit a plain `cargo build` — no source touched — must recompile the binary
//! crate and report what `git rev-parse HEAD` says; a build with nothing new must compile
//! nothing. Without `.git`, the revision comes from the `.cargo_vcs_info.json` cargo itself wrote
//! when packaging, or from `PROFILE_INFO_REVISION`.

use profile_info_tests::{cargo, run, Fixture};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

const MAIN: &str = "#[profile_info::main]\nfn main() {}\n";

/// A fresh directory for one test's repositories, outside any git checkout (checked).
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("profile-info-vcs-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    let inside = git_output(&dir, &["rev-parse", "--is-inside-work-tree"]);
    assert!(!inside.status.success(), "{} is inside a git checkout", dir.display());
    dir
}

/// The fixture package `name` (manifest, lock file, `main.rs`) written to `dir`.
fn package(name: &str, dir: &Path) -> Fixture {
    let template = Fixture::new(name, MAIN, "");
    for file in ["Cargo.toml", "Cargo.lock", "src/main.rs"] {
        let to = dir.join(file);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(template.dir.join(file), to).expect("copy fixture file");
    }
    let fixture = Fixture { name: name.to_owned(), dir: dir.to_owned() };
    // Settle Cargo.lock (the workspace's, pruned by the first build) before anything is committed.
    assert!(fixture.cargo(&["fetch"], &[]).status().unwrap().success());
    fixture
}

/// git with nothing from the machine's or the user's configuration.
fn git_output(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"])
        .args(["-c", "init.defaultBranch=main", "-c", "protocol.file.allow=always"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("run git")
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_output(dir, args);
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Changes a file that is no source of the crate and commits it; git's HEAD afterwards.
fn commit(dir: &Path, message: &str) -> String {
    std::fs::write(dir.join("notes.txt"), message).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

/// What one plain `cargo build` did.
#[derive(Debug)]
struct Built {
    /// cargo compiled the binary crate again.
    recompiled: bool,
    /// The binary's `vcs`, as `--build-info=json` prints it.
    vcs: Value,
    /// The summary's `vcs:` line, as `--build-info` prints it.
    vcs_line: String,
}

impl Built {
    /// The summary's words for the tag.
    fn shown_tag(&self) -> &str {
        let details = self.vcs_line.rsplit_once(", tag ").map(|(_, tag)| tag).unwrap_or_default();
        details.strip_suffix(')').unwrap_or(details)
    }
}

/// `cargo build -v` with `env` (and no `PROFILE_INFO_*` from the caller's shell: the harness
/// takes them out).
fn build(fixture: &Fixture, env: &[(&str, &str)]) -> Built {
    let out =
        fixture.cargo(&["build", "-v", "--message-format=json-render-diagnostics"], env).output().expect("run cargo");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cargo build failed:\n{stderr}");
    let binary = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == fixture.name.as_str())
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("cargo reported the executable");
    let recompiled = stderr.contains(&format!("Compiling {} v", fixture.name));
    assert!(recompiled || stderr.contains(&format!("Fresh {} v", fixture.name)), "{stderr}");
    let doc: Value = serde_json::from_slice(&run(&binary, &["--build-info=json"]).stdout).expect("the document");
    let text = String::from_utf8(run(&binary, &["--build-info"]).stdout).unwrap();
    let vcs_line = text.lines().find(|l| l.starts_with("vcs:")).expect("a vcs line").to_owned();
    Built { recompiled, vcs: doc["vcs"].clone(), vcs_line }
}

/// A commit in `repo` is seen by the next build, which compiles the binary crate again, and the
/// build after it compiles nothing.
fn commit_is_seen(fixture: &Fixture, repo: &Path, message: &str) {
    let head = commit(repo, message);
    let after = build(fixture, &[]);
    assert!(after.recompiled, "{message}: the commit did not recompile the binary crate");
    let (time, tag) = commit_facts(repo);
    assert_eq!(after.vcs, json!({"revision": head, "dirty": false, "time": time, "tag": tag}), "{message}");
    settled(fixture);
}

/// HEAD's committer time in UTC and exact tag as git reports them: `git log -1` with the time in
/// strict ISO 8601 (`%cI`'s format) in the UTC zone, and `git describe --exact-match --tags`
/// (`null` when it finds none).
fn commit_facts(repo: &Path) -> (Value, Value) {
    let out = Command::new("git")
        .args(["log", "-1", "--date=iso-strict-local", "--format=%cd"])
        .current_dir(repo)
        .env("TZ", "UTC")
        .output()
        .expect("run git");
    let time = String::from_utf8(out.stdout).unwrap().trim().replace("+00:00", "Z");
    let tag = git_output(repo, &["describe", "--exact-match", "--tags"]);
    let tag = tag.status.success().then(|| String::from_utf8(tag.stdout).unwrap().trim().to_owned());
    (json!(time), json!(tag))
}

/// Touches the crate's source so that the next build compiles it (a new tag alone does not).
fn touch(fixture: &Fixture) {
    let main = std::fs::File::options().append(true).open(fixture.dir.join("src/main.rs")).unwrap();
    main.set_modified(std::time::SystemTime::now()).unwrap();
}

#[test]
fn commit_time_and_exact_tag() {
    let (dir, fixture) = repository("commit-facts", "vcs-commit-facts");
    let facts = |b: &Built| (b.vcs["time"].clone(), b.vcs["tag"].clone());
    let first = build(&fixture, &[]);
    assert_eq!(facts(&first), commit_facts(&dir));
    assert_eq!(first.vcs["tag"], Value::Null, "no tag yet");
    // git found no tag: the summary says there is none, not that it is unknown.
    assert!(!git_output(&dir, &["describe", "--exact-match", "--tags"]).status.success());
    assert_eq!(first.shown_tag(), "none", "{}", first.vcs_line);
    git(&dir, &["tag", "v1.2.3"]);
    touch(&fixture);
    let tagged = build(&fixture, &[]);
    assert_eq!(facts(&tagged), commit_facts(&dir));
    assert_eq!(tagged.vcs["tag"], "v1.2.3");
    assert_eq!(tagged.shown_tag(), "v1.2.3", "{}", tagged.vcs_line);
    commit(&dir, "second");
    git(&dir, &["tag", "-a", "v2.0.0", "-m", "release"]);
    let annotated = build(&fixture, &[]);
    assert!(annotated.recompiled);
    assert_eq!(facts(&annotated), commit_facts(&dir));
    assert_eq!(annotated.vcs["tag"], "v2.0.0");
}

/// A fresh repository with the fixture package `name` at its root, one commit in it.
fn repository(test: &str, name: &str) -> (PathBuf, Fixture) {
    let dir = scratch(test);
    let fixture = package(name, &dir);
    git(&dir, &["init", "-q"]);
    commit(&dir, "first");
    (dir, fixture)
}

/// A fresh repository with the fixture package `name` in its directory `app`, one commit in it:
/// the repository's directory and the package's.
fn repository_with_app(test: &str, name: &str) -> (PathBuf, PathBuf, Fixture) {
    let dir = scratch(test);
    let pkg = dir.join("app");
    std::fs::create_dir_all(&pkg).unwrap();
    let fixture = package(name, &pkg);
    git(&dir, &["init", "-q"]);
    commit(&dir, "first");
    (dir, pkg, fixture)
}

/// Builds once so the state below is the one a commit finds.
fn built_at_head(fixture: &Fixture, repo: &Path) {
    assert_eq!(build(fixture, &[]).vcs["revision"], json!(git(repo, &["rev-parse", "HEAD"])));
}

/// A second build compiles nothing: the state is tracked by files, not by compiling every time.
fn settled(fixture: &Fixture) {
    assert!(!build(fixture, &[]).recompiled, "a build with nothing new compiled the binary crate");
}

#[test]
fn loose_refs() {
    let (dir, fixture) = repository("loose", "vcs-loose");
    assert!(dir.join(".git/refs/heads/main").is_file(), "the ref is a loose file");
    built_at_head(&fixture, &dir);
    commit_is_seen(&fixture, &dir, "second");
}

#[test]
fn packed_refs() {
    let (dir, fixture) = repository("packed", "vcs-packed");
    // What `git gc` does: every ref into packed-refs, the loose files gone.
    git(&dir, &["pack-refs", "--all"]);
    assert!(!dir.join(".git/refs/heads/main").exists() && dir.join(".git/packed-refs").is_file());
    built_at_head(&fixture, &dir);
    settled(&fixture);
    commit_is_seen(&fixture, &dir, "after pack-refs");
    git(&dir, &["pack-refs", "--all"]);
    built_at_head(&fixture, &dir);
    commit_is_seen(&fixture, &dir, "after a second pack-refs");
}

#[test]
fn packed_refs_without_reflog() {
    let (dir, fixture) = repository("noreflog", "vcs-noreflog");
    git(&dir, &["config", "core.logAllRefUpdates", "false"]);
    std::fs::remove_dir_all(dir.join(".git/logs")).unwrap();
    git(&dir, &["pack-refs", "--all"]);
    assert!(!dir.join(".git/logs/HEAD").exists());
    built_at_head(&fixture, &dir);
    // Nothing that exists changes on a commit: the crate is compiled on every build instead.
    let head = commit(&dir, "second");
    let after = build(&fixture, &[]);
    assert!(after.recompiled);
    let (time, tag) = commit_facts(&dir);
    assert_eq!(after.vcs, json!({"revision": head, "dirty": false, "time": time, "tag": tag}));
}

#[test]
fn unborn_branch_then_first_commit() {
    let dir = scratch("unborn");
    let fixture = package("vcs-unborn", &dir);
    // As `cargo new` leaves it: `git init`, nothing added.
    git(&dir, &["init", "-q"]);
    assert!(!git_output(&dir, &["rev-parse", "--verify", "-q", "HEAD"]).status.success(), "no commit yet");
    assert_eq!(build(&fixture, &[]).vcs, json!({"revision": null, "dirty": null, "time": null, "tag": null}));
    commit_is_seen(&fixture, &dir, "first commit");
}

#[test]
fn detached_head() {
    let (dir, fixture) = repository("detached", "vcs-detached");
    git(&dir, &["checkout", "-q", "--detach"]);
    built_at_head(&fixture, &dir);
    settled(&fixture);
    commit_is_seen(&fixture, &dir, "detached commit");
    // Back on the branch, which is behind: HEAD changes again.
    git(&dir, &["checkout", "-q", "main"]);
    let after = build(&fixture, &[]);
    assert!(after.recompiled);
    assert_eq!(after.vcs["revision"], json!(git(&dir, &["rev-parse", "HEAD"])));
}

#[test]
fn linked_worktree() {
    let dir = scratch("worktree");
    let main = dir.join("main");
    std::fs::create_dir_all(&main).unwrap();
    package("vcs-worktree", &main);
    git(&main, &["init", "-q"]);
    commit(&main, "first");
    let wt = dir.join("wt");
    git(&main, &["worktree", "add", "-q", "-b", "feature", wt.to_str().unwrap()]);
    assert!(wt.join(".git").is_file(), "a linked worktree's .git is a file");
    let fixture = Fixture { name: "vcs-worktree".into(), dir: wt.clone() };
    built_at_head(&fixture, &wt);
    commit_is_seen(&fixture, &wt, "worktree commit");
    // Refs packed into the common directory: the worktree's own reflog stands in.
    git(&wt, &["pack-refs", "--all"]);
    built_at_head(&fixture, &wt);
    settled(&fixture);
    commit_is_seen(&fixture, &wt, "worktree commit after pack-refs");
    // A commit in the main checkout, on its own branch, is not this worktree's revision.
    commit(&main, "on main");
    let after = build(&fixture, &[]);
    assert_eq!(after.vcs["revision"], json!(git(&wt, &["rev-parse", "HEAD"])));
    assert!(!after.recompiled, "another branch's commit recompiled the worktree's crate");
}

#[test]
fn submodule() {
    let dir = scratch("submodule");
    let sub = dir.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    package("vcs-submodule", &sub);
    git(&sub, &["init", "-q"]);
    commit(&sub, "first");
    let outer = dir.join("outer");
    std::fs::create_dir_all(&outer).unwrap();
    git(&outer, &["init", "-q"]);
    git(&outer, &["submodule", "add", "-q", sub.to_str().unwrap(), "app"]);
    git(&outer, &["commit", "-q", "-m", "add app"]);
    let app = outer.join("app");
    assert!(app.join(".git").is_file(), "a submodule's .git is a file");
    let fixture = Fixture { name: "vcs-submodule".into(), dir: app.clone() };
    built_at_head(&fixture, &app);
    settled(&fixture);
    commit_is_seen(&fixture, &app, "commit in the submodule");
    // The usual state of a submodule: detached at the commit the superproject records.
    git(&app, &["checkout", "-q", "--detach"]);
    commit_is_seen(&fixture, &app, "detached commit in the submodule");
}

#[test]
fn dirty_check_scope_is_chosen_by_the_environment() {
    let (dir, pkg, fixture) = repository_with_app("dirty", "vcs-dirty");
    // A tracked file outside the package changes.
    std::fs::write(dir.join("notes.txt"), "edited").unwrap();
    let porcelain = git(&dir, &["status", "--porcelain", "--untracked-files=no"]);
    assert_eq!(porcelain, "M notes.txt", "git sees the edit outside the package only");
    let dirty = |scope: Option<&str>| {
        let env: Vec<(&str, &str)> = scope.map(|s| ("PROFILE_INFO_DIRTY_CHECK", s)).into_iter().collect();
        let built = build(&fixture, &env);
        assert!(built.recompiled, "changing PROFILE_INFO_DIRTY_CHECK to {scope:?} recompiles");
        built.vcs["dirty"].clone()
    };
    assert_eq!(dirty(Some("package")), json!(false));
    assert_eq!(dirty(None), json!(true));
    assert_eq!(dirty(Some("off")), json!(null));
    assert_eq!(dirty(Some("repository")), json!(true));
    // Now inside the package too.
    let main_rs = pkg.join("src/main.rs");
    std::fs::write(&main_rs, std::fs::read_to_string(&main_rs).unwrap() + "// edited\n").unwrap();
    assert_eq!(dirty(Some("package")), json!(true));
}

/// `dirty` is git's answer when the binary crate is compiled: an edit in the package (decided
/// from the package's own files), the edit reverted, and then an edit outside the package, which
/// compiles nothing and so keeps the earlier answer until the crate is compiled again.
#[test]
fn dirty_is_gits_answer_at_each_compile() {
    let (dir, pkg, fixture) = repository_with_app("edit", "vcs-edit");
    let git_dirty = || !git(&dir, &["status", "--porcelain", "--untracked-files=no"]).is_empty();
    let main_rs = pkg.join("src/main.rs");
    let original = std::fs::read_to_string(&main_rs).unwrap();
    let compiled = |what: &str| {
        let built = build(&fixture, &[]);
        assert!(built.recompiled, "{what}: the binary crate was not compiled");
        assert_eq!(built.vcs["dirty"], json!(git_dirty()), "{what}");
        built.vcs["dirty"].clone()
    };

    std::fs::write(&main_rs, format!("{original}// edited\n")).unwrap();
    assert_eq!(compiled("an edit in the package"), json!(true));
    std::fs::write(&main_rs, &original).unwrap();
    assert_eq!(compiled("the edit reverted"), json!(false));
    std::fs::write(dir.join("notes.txt"), "edited outside the package").unwrap();
    let built = build(&fixture, &[]);
    assert!(!built.recompiled && git_dirty(), "notes.txt is no source of the crate");
    assert_eq!(built.vcs["dirty"], json!(false), "the answer of the last compile");
    let now = std::time::SystemTime::now();
    std::fs::File::options().append(true).open(&main_rs).unwrap().set_modified(now).unwrap();
    assert_eq!(compiled("the package clean, an edit outside"), json!(true));
}

/// `dirty` is git's answer when the binary crate was last compiled: editing a tracked file that is
/// no source of the crate recompiles nothing, so the next build keeps the old answer until the
/// crate is compiled again — after `cargo clean -p`, or with another `PROFILE_INFO_DIRTY_CHECK`.
#[test]
fn dirty_is_the_state_when_the_binary_crate_was_compiled() {
    let (dir, fixture) = repository("stale", "vcs-stale");
    let status = || git(&dir, &["status", "--porcelain", "--untracked-files=no"]);
    assert_eq!(status(), "");
    assert_eq!(build(&fixture, &[]).vcs["dirty"], json!(false));
    std::fs::write(dir.join("notes.txt"), "edited").unwrap();
    assert_eq!(status(), "M notes.txt", "git sees the edit");
    let kept = build(&fixture, &[]);
    assert!(!kept.recompiled, "a file that is no source of the crate recompiled it");
    assert_eq!(kept.vcs["dirty"], json!(false), "the answer of the last compile");
    // Another value of the variable recompiles the crate, which asks git again.
    let fresh = build(&fixture, &[("PROFILE_INFO_DIRTY_CHECK", "repository")]);
    assert!(fresh.recompiled);
    assert_eq!(fresh.vcs["dirty"], json!(true));
    // Back to clean: cargo keeps the crate (and `true`) until `cargo clean -p` removes it.
    git(&dir, &["checkout", "--", "notes.txt"]);
    assert_eq!(status(), "");
    assert_eq!(build(&fixture, &[("PROFILE_INFO_DIRTY_CHECK", "repository")]).vcs["dirty"], json!(true));
    let clean = fixture.cargo(&["clean", "-p", "vcs-stale"], &[]).status().unwrap();
    assert!(clean.success());
    let fresh = build(&fixture, &[("PROFILE_INFO_DIRTY_CHECK", "repository")]);
    assert!(fresh.recompiled);
    assert_eq!(fresh.vcs["dirty"], json!(false));
}

/// A dependency-free package committed in its own repository and packaged by cargo: the
/// `.cargo_vcs_info.json` cargo wrote into the `.crate`, and git's HEAD.
fn vcs_info_from_cargo(dir: &Path, dirty: bool) -> (String, String) {
    let src = dir.join("packaged");
    std::fs::create_dir_all(src.join("src")).unwrap();
    let manifest = "[package]\nname = \"packaged\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
                    description = \"d\"\nlicense = \"MIT\"\n\n[workspace]\n";
    std::fs::write(src.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(src.join("src/lib.rs"), "").unwrap();
    git(&src, &["init", "-q"]);
    let head = commit(&src, "packaged");
    let mut args = vec!["package", "--no-verify", "--offline"];
    if dirty {
        std::fs::write(src.join("src/lib.rs"), "// edited\n").unwrap();
        args.push("--allow-dirty");
    }
    let target = src.join("target");
    let out = cargo(&src, &args, &[("CARGO_TARGET_DIR", target.to_str().unwrap())]).output().unwrap();
    assert!(out.status.success(), "cargo package: {}", String::from_utf8_lossy(&out.stderr));
    let out = Command::new("tar")
        .args(["-xzOf", "target/package/packaged-0.1.0.crate", "packaged-0.1.0/.cargo_vcs_info.json"])
        .current_dir(&src)
        .output()
        .expect("tar");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8(out.stdout).unwrap(), head)
}

#[test]
fn outside_git_from_cargo_vcs_info() {
    let dir = scratch("vcs-info");
    let pkg = dir.join("app");
    let fixture = package("vcs-info", &pkg);
    let mut expected = Value::Null;
    for dirty in [false, true] {
        let (info, head) = vcs_info_from_cargo(&dir, dirty);
        let _ = std::fs::remove_dir_all(dir.join("packaged"));
        std::fs::write(pkg.join(".cargo_vcs_info.json"), &info).unwrap();
        let built = build(&fixture, &[]);
        assert!(built.recompiled, "a new .cargo_vcs_info.json recompiles");
        expected = json!({"revision": head, "dirty": dirty, "time": null, "tag": null});
        assert_eq!(built.vcs, expected, "{info}");
    }
    // The packaged revision wins over a repository the sources were copied into (vendoring).
    git(&dir, &["init", "-q"]);
    commit(&dir, "vendored");
    assert_eq!(build(&fixture, &[]).vcs, expected);
}

#[test]
fn outside_git_from_the_environment() {
    let dir = scratch("env");
    let fixture = package("vcs-env", &dir);
    assert_eq!(build(&fixture, &[]).vcs, Value::Null, "no .git, no .cargo_vcs_info.json, no variable");
    // Any two commit ids will do; these are this workspace's own, from git.
    let workspace = profile_info_tests::workspace();
    let (a, b) = (git(&workspace, &["rev-parse", "HEAD"]), git(&workspace, &["rev-parse", "HEAD~1"]));
    for (revision, dirty, expected) in [
        (&a, None, json!({"revision": a, "dirty": null, "time": null, "tag": null})),
        (&b, None, json!({"revision": b, "dirty": null, "time": null, "tag": null})),
        (&b, Some("true"), json!({"revision": b, "dirty": true, "time": null, "tag": null})),
        (&b, Some("false"), json!({"revision": b, "dirty": false, "time": null, "tag": null})),
    ] {
        let mut env = vec![("PROFILE_INFO_REVISION", revision.as_str())];
        env.extend(dirty.map(|d| ("PROFILE_INFO_DIRTY", d)));
        let built = build(&fixture, &env);
        assert!(built.recompiled, "changing the variables recompiles");
        assert_eq!(built.vcs, expected);
        // No repository to ask: whether the commit has a tag is not known.
        assert_eq!(built.shown_tag(), "unknown", "{}", built.vcs_line);
        let again = build(&fixture, &env);
        assert!(!again.recompiled, "the same variables compile nothing");
    }
    assert_eq!(
        build(&fixture, &[("PROFILE_INFO_REVISION", "main")]).vcs,
        json!({"revision": null, "dirty": null, "time": null, "tag": null})
    );
    assert_eq!(build(&fixture, &[("PROFILE_INFO_REVISION", "")]).vcs, Value::Null, "empty: not given");
    assert_eq!(build(&fixture, &[]).vcs, Value::Null, "unset again");
}
