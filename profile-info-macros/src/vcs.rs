//! The revision the package was built from, and the files whose change must recompile the crate
//! so that it is never stale. Three sources, first found wins:
//!
//! 1. `.cargo_vcs_info.json` next to the manifest: cargo wrote it when it packaged the crate
//!    (`cargo install`, vendored and registry sources), and it names the packaged commit even when
//!    the sources now sit inside someone else's repository (a vendor directory, a home directory
//!    under git).
//! 2. `.git`, read directly so that no git binary is needed for the revision: loose or packed
//!    refs, detached HEAD, linked worktrees and submodules (whose `.git` is a file naming the
//!    real git directory).
//! 3. `PROFILE_INFO_REVISION` (and `PROFILE_INFO_DIRTY`), for a build with neither, such as a
//!    Docker context without `.git`.
//!
//! rustc tracks the files through an unused `include_bytes!` and the variables through
//! `option_env!` in the expansion, so cargo recompiles the crate when they change.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The revision of a build with neither `.git` nor `.cargo_vcs_info.json`: a full commit id.
pub const REVISION_VAR: &str = "PROFILE_INFO_REVISION";
/// With [`REVISION_VAR`]: `true` or `false`; anything else leaves `dirty` unknown.
pub const DIRTY_VAR: &str = "PROFILE_INFO_DIRTY";
/// Which files `git status` looks at for `dirty`: `repository` (the default: the whole work
/// tree), `package` (the package's directory only, as cargo judges dirtiness when it packages) or
/// `off` (git is not asked; `dirty` is unknown). Anything else counts as `off`.
pub const DIRTY_CHECK_VAR: &str = "PROFILE_INFO_DIRTY_CHECK";
/// Every variable the macro reads here: the expansion reads each with `option_env!`, which makes
/// rustc record it, so that changing one recompiles the crate.
pub const TRACKED_ENV: &[&str] = &[REVISION_VAR, DIRTY_VAR, DIRTY_CHECK_VAR];

pub struct Git {
    pub revision: Option<String>,
    pub dirty: Option<bool>,
    /// Files to make rustc track: a change to any of them may mean a new revision.
    pub tracked: Vec<PathBuf>,
    /// The work tree and the common git directory (its refs), for a git checkout.
    pub checkout: Option<(PathBuf, PathBuf)>,
}

/// What the compile tells the revision reader.
#[derive(Clone, Copy, Default)]
pub struct Context<'a> {
    /// Whether git may be asked: a rustc compile, not an editor expanding on every keystroke.
    pub ask_git: bool,
    /// The file keeping HEAD trees git has named (see `index`).
    pub trees: Option<&'a Path>,
    /// rustc's `--out-dir`.
    pub out_dir: Option<&'a Path>,
}

/// The revision of the package in `dir`, if any source has one.
pub fn discover(dir: &Path, context: Context) -> Option<Git> {
    packaged(dir).or_else(|| checkout(dir, context)).or_else(|| given(|name| std::env::var(name).ok()))
}

/// A full object id: 40 hex digits (SHA-1) or 64 (SHA-256 repositories).
pub(crate) fn revision(text: &str) -> Option<String> {
    let text = text.trim();
    (matches!(text.len(), 40 | 64) && text.bytes().all(|b| b.is_ascii_hexdigit())).then(|| text.to_owned())
}

/// `.cargo_vcs_info.json`: `{"git": {"sha1": "…", "dirty": true}, "path_in_vcs": "…"}`, where
/// cargo writes `dirty` only when it is true.
fn packaged(dir: &Path) -> Option<Git> {
    let path = dir.join(".cargo_vcs_info.json");
    let text = fs::read_to_string(&path).ok()?;
    use profile_info_core::read::Json;
    let json = profile_info_core::read::parse(&text);
    let git = json.as_ref().and_then(|j| j.get("git"));
    let revision = match git.and_then(|g| g.get("sha1")) {
        Some(Json::Str(sha1)) => revision(sha1),
        _ => None,
    };
    let dirty = revision.as_ref().map(|_| git.and_then(|g| g.get("dirty")) == Some(&Json::Bool(true)));
    Some(Git { revision, dirty, tracked: vec![path], checkout: None })
}

/// [`REVISION_VAR`] and [`DIRTY_VAR`], read through `var`; `None` when the revision is not given
/// (unset or empty, as a Docker `ARG` without a value leaves it).
fn given(var: impl Fn(&str) -> Option<String>) -> Option<Git> {
    let revision = revision(&var(REVISION_VAR).filter(|v| !v.is_empty())?);
    let dirty = match var(DIRTY_VAR).as_deref() {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    };
    Some(Git { dirty: dirty.filter(|_| revision.is_some()), revision, tracked: Vec::new(), checkout: None })
}

/// The git checkout containing `dir`.
fn checkout(dir: &Path, context: Context) -> Option<Git> {
    let (work_tree, dot_git) = dir.ancestors().map(|d| (d, d.join(".git"))).find(|(_, g)| g.exists())?;
    let mut tracked = Vec::new();
    // A linked worktree's or a submodule's `.git` is a file naming the real git directory.
    let git_dir = if dot_git.is_dir() {
        dot_git
    } else {
        let text = fs::read_to_string(&dot_git).ok()?;
        tracked.push(dot_git);
        work_tree.join(text.trim().strip_prefix("gitdir:")?.trim())
    };
    // A linked worktree keeps HEAD in its own git dir and the refs in the common one.
    let commondir = git_dir.join("commondir");
    let common = match fs::read_to_string(&commondir) {
        Ok(c) => {
            tracked.push(commondir);
            git_dir.join(c.trim())
        }
        Err(_) => git_dir.clone(),
    };
    let head_path = git_dir.join("HEAD");
    let head = fs::read_to_string(&head_path).ok()?;
    tracked.push(head_path);
    // The reftable format (git 2.45+, `git init --ref-format=reftable`) keeps every ref, HEAD
    // included, in binary tables; `tables.list`, rewritten on each ref update, names them. Only
    // git reads them.
    let mut reftables: Vec<PathBuf> = [&git_dir, &common]
        .map(|d| d.join("reftable").join("tables.list"))
        .into_iter()
        .filter(|p| p.is_file())
        .collect();
    reftables.dedup();
    let revision = if reftables.is_empty() {
        files_revision(&head, &git_dir, &common, context.out_dir, &mut tracked)
    } else {
        tracked.extend(reftables);
        context.ask_git.then(|| git_head(work_tree)).flatten()
    };
    let dirty = revision
        .as_deref()
        .filter(|_| context.ask_git)
        .and_then(|head| dirty(work_tree, dir, &git_dir, head, context.trees));
    Some(Git { revision, dirty, tracked, checkout: Some((work_tree.to_path_buf(), common)) })
}

/// The revision HEAD names in the files format (HEAD, loose refs, `packed-refs`), and the files
/// whose change means a new one pushed onto `tracked`; `out_dir` is rustc's, for a marker.
fn files_revision(
    head: &str,
    git_dir: &Path,
    common: &Path,
    out_dir: Option<&Path>,
    tracked: &mut Vec<PathBuf>,
) -> Option<String> {
    let Some(name) = head.trim().strip_prefix("ref: ") else {
        // Detached: a commit rewrites HEAD itself.
        return revision(head);
    };
    let loose = common.join(name);
    let packed_path = common.join("packed-refs");
    let packed = fs::read_to_string(&packed_path).ok();
    if let Ok(id) = fs::read_to_string(&loose) {
        // A commit rewrites the loose ref; `git pack-refs` deletes it, which cargo also sees.
        tracked.push(loose);
        return revision(&id);
    }
    if packed.is_some() {
        tracked.push(packed_path);
    }
    // Packed or not yet born: a commit writes a loose ref that does not exist now, and rustc can
    // only track files that do. HEAD's reflog, appended to on every commit, stands in for it;
    // without one (a branch with no commit yet, reflogs off) a marker rewritten on every
    // expansion recompiles the crate on every build until the ref is a file.
    let reflog = git_dir.join("logs").join("HEAD");
    tracked.extend(if reflog.is_file() { Some(reflog) } else { out_dir.and_then(rebuild_marker) });
    packed.and_then(|p| p.lines().find_map(|l| revision(l.strip_suffix(name)?.strip_suffix(' ')?)))
}

/// `git rev-parse HEAD`, for ref stores only git reads.
fn git_head(work_tree: &Path) -> Option<String> {
    revision(&String::from_utf8_lossy(&git(work_tree, &["rev-parse", "--verify", "--quiet", "HEAD"])?))
}

/// What git, when it is installed, prints on stdout in `dir`; `None` when it fails. It takes no
/// lock on the repository, so it never disturbs a git command running beside the build.
pub(crate) fn git(dir: &Path, args: &[&str]) -> Option<Vec<u8>> {
    let out = Command::new("git")
        .arg("--no-optional-locks")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status.success().then_some(out.stdout)
}

/// A file in rustc's output directory `out_dir`, written now: cargo dates the crate's inputs
/// against the moment the compile started, so a file written during the compile makes the next
/// build compile the crate again.
fn rebuild_marker(out_dir: &Path) -> Option<PathBuf> {
    let path = out_dir.join("profile-info-unborn-ref");
    fs::write(&path, "profile-info: the branch has no ref file yet; the crate is compiled on every build\n").ok()?;
    Some(path)
}

/// Whether tracked files differ from HEAD, over the scope [`DIRTY_CHECK_VAR`] selects: from the
/// index and the files when they tell (`index`, which looks at the package's own files first and
/// stops at an edited one), else from git, when it is installed. A clean package costs an `lstat`
/// of every file in scope, which a large repository feels (bench/RESULTS.md, "Dirty check in a
/// large repository"): `package` bounds it by the package's size.
///
/// The answer is the state when the crate is compiled: rustc tracks the crate's sources and the
/// git files that name the revision, not every file of the repository, so editing another tracked
/// file (a README) compiles nothing and leaves the answer as it was.
fn dirty(work_tree: &Path, package: &Path, git_dir: &Path, head: &str, trees: Option<&Path>) -> Option<bool> {
    let own = prefix(work_tree, package);
    let (dir, pathspec, scope) = match std::env::var(DIRTY_CHECK_VAR).as_deref() {
        Err(_) | Ok("repository") => (work_tree, None, Vec::new()),
        Ok("package") => (package, Some("."), own.clone()?),
        Ok(_) => return None,
    };
    match crate::index::status(git_dir, work_tree, &scope, &own.unwrap_or_default(), head, trees) {
        crate::index::Verdict::Clean => return Some(false),
        crate::index::Verdict::Dirty => return Some(true),
        crate::index::Verdict::Ask => {}
    }
    let mut args = vec!["status", "--porcelain", "--untracked-files=no", "--"];
    args.extend(pathspec);
    Some(!git(dir, &args)?.is_empty())
}

/// The index's prefix for the files under `dir`: its path from the work tree, `/`-separated and
/// ending in `/` (empty at the top).
fn prefix(work_tree: &Path, dir: &Path) -> Option<Vec<u8>> {
    let relative = dir.strip_prefix(work_tree).ok()?;
    let mut prefix: Vec<u8> = relative.iter().map(|c| c.to_str()).collect::<Option<Vec<_>>>()?.join("/").into_bytes();
    if !prefix.is_empty() {
        prefix.push(b'/');
    }
    Some(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "0123456789abcdef0123456789abcdef01234567";
    const B: &str = "89abcdef0123456789abcdef0123456789abcdef";

    fn repo(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let root = std::env::temp_dir().join(format!("profile-info-vcs-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        for (path, text) in files {
            let path = root.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        fs::create_dir_all(root.join("pkg/src")).unwrap();
        root
    }

    fn revision_in(root: &Path) -> Option<String> {
        checkout(&root.join("pkg/src"), Context::default()).and_then(|g| g.revision)
    }

    #[test]
    fn loose_packed_detached_unborn_and_worktree() {
        let loose =
            repo("loose", &[(".git/HEAD", "ref: refs/heads/main\n"), (".git/refs/heads/main", &format!("{A}\n"))]);
        assert_eq!(revision_in(&loose).as_deref(), Some(A));
        let git = checkout(&loose.join("pkg"), Context::default()).unwrap();
        assert_eq!(git.tracked, [loose.join(".git/HEAD"), loose.join(".git/refs/heads/main")]);
        assert_eq!(git.dirty, None, "git is not asked");

        let packed = format!("# pack-refs with: peeled\n{B} refs/heads/other\n{A} refs/heads/main\n");
        let packed = repo(
            "packed",
            &[(".git/HEAD", "ref: refs/heads/main\n"), (".git/packed-refs", &packed), (".git/logs/HEAD", "")],
        );
        assert_eq!(revision_in(&packed).as_deref(), Some(A));
        let git = checkout(&packed.join("pkg"), Context::default()).unwrap();
        let expected = [".git/HEAD", ".git/packed-refs", ".git/logs/HEAD"].map(|p| packed.join(p));
        assert_eq!(git.tracked, expected, "the reflog stands in for the loose ref a commit will write");

        let detached = repo("detached", &[(".git/HEAD", &format!("{B}\n"))]);
        assert_eq!(revision_in(&detached).as_deref(), Some(B));

        let unborn = repo("unborn", &[(".git/HEAD", "ref: refs/heads/main\n")]);
        let git = checkout(&unborn.join("pkg"), Context { ask_git: true, ..Context::default() }).unwrap();
        assert_eq!((git.revision, git.dirty), (None, None));

        let worktree = repo(
            "worktree",
            &[
                ("main/.git/refs/heads/feature", &format!("{B}\n")),
                ("main/.git/worktrees/wt/HEAD", "ref: refs/heads/feature\n"),
                ("main/.git/worktrees/wt/commondir", "../..\n"),
                ("pkg/../.git", "gitdir: main/.git/worktrees/wt\n"),
            ],
        );
        assert_eq!(revision_in(&worktree).as_deref(), Some(B));

        let reftable = repo(
            "reftable",
            &[(".git/HEAD", "ref: refs/heads/.invalid\n"), (".git/reftable/tables.list", "0x01-0x02-abcd.ref\n")],
        );
        let git = checkout(&reftable.join("pkg"), Context::default()).unwrap();
        assert_eq!(git.tracked, [reftable.join(".git/HEAD"), reftable.join(".git/reftable/tables.list")]);
        assert_eq!(git.revision, None, "only git reads reftables, and git is not asked");

        let garbage =
            repo("garbage", &[(".git/HEAD", "ref: refs/heads/main\n"), (".git/refs/heads/main", "not a hash\n")]);
        assert_eq!(revision_in(&garbage), None);
        for root in [loose, packed, detached, unborn, worktree, reftable, garbage] {
            let _ = fs::remove_dir_all(root);
        }
    }

    #[test]
    fn cargo_vcs_info() {
        // As cargo 1.95 writes it for a dirty package (`cargo package --allow-dirty`).
        let dirty = format!(
            "{{\n  \"git\": {{\n    \"sha1\": \"{A}\",\n    \"dirty\": true\n  }},\n  \"path_in_vcs\": \"\"\n}}"
        );
        let root = repo("vcs-info", &[("pkg/.cargo_vcs_info.json", &dirty)]);
        let git = packaged(&root.join("pkg")).unwrap();
        assert_eq!((git.revision.as_deref(), git.dirty), (Some(A), Some(true)));
        assert_eq!(git.tracked, [root.join("pkg/.cargo_vcs_info.json")]);
        let clean = format!("{{\"git\":{{\"sha1\":\"{B}\"}},\"path_in_vcs\":\"app\"}}");
        fs::write(root.join("pkg/.cargo_vcs_info.json"), clean).unwrap();
        let git = packaged(&root.join("pkg")).unwrap();
        assert_eq!((git.revision.as_deref(), git.dirty), (Some(B), Some(false)));
        fs::write(root.join("pkg/.cargo_vcs_info.json"), "{\"git\":{\"sha1\":\"HEAD\"}}").unwrap();
        let git = packaged(&root.join("pkg")).unwrap();
        assert_eq!((git.revision, git.dirty), (None, None));
        assert!(packaged(&root).is_none());
        let _ = fs::remove_dir_all(root);
    }

    #[test]
    fn given_by_the_environment() {
        let vars = |rev: &'static str, dirty: &'static str| {
            move |name: &str| match name {
                REVISION_VAR => Some(rev.to_owned()),
                DIRTY_VAR => Some(dirty.to_owned()),
                _ => None,
            }
        };
        let git = given(vars(A, "false")).unwrap();
        assert_eq!((git.revision.as_deref(), git.dirty), (Some(A), Some(false)));
        let git = given(vars(B, "yes")).unwrap();
        assert_eq!((git.revision.as_deref(), git.dirty), (Some(B), None));
        let git = given(vars("main", "true")).unwrap();
        assert_eq!((git.revision, git.dirty), (None, None), "not a commit id");
        assert!(given(vars("", "true")).is_none());
    }
}
