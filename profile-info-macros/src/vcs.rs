//! The git revision of the package, read from `.git` directly so that no git binary is needed,
//! plus the files whose change must recompile the crate so that the revision is never stale.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Git {
    pub revision: Option<String>,
    pub dirty: Option<bool>,
    /// Files to make rustc track (HEAD and the ref it points to).
    pub tracked: Vec<PathBuf>,
}

/// The checkout containing `dir`, if any; `dirty` is asked of git only when `ask_git`.
pub fn discover(dir: &Path, ask_git: bool) -> Option<Git> {
    let (work_tree, git_dir) = dir.ancestors().find_map(|d| git_dir(d).map(|g| (d.to_path_buf(), g)))?;
    // A linked worktree keeps HEAD in its own git dir and refs in the common one.
    let common = fs::read_to_string(git_dir.join("commondir"))
        .map(|c| git_dir.join(c.trim()))
        .unwrap_or_else(|_| git_dir.clone());
    let head_path = git_dir.join("HEAD");
    let head = fs::read_to_string(&head_path).ok()?;
    let mut tracked = vec![head_path];
    let revision = match head.trim().strip_prefix("ref: ") {
        None => Some(head.trim().to_owned()),
        Some(name) => {
            let loose = common.join(name);
            match fs::read_to_string(&loose) {
                Ok(id) => {
                    tracked.push(loose);
                    Some(id.trim().to_owned())
                }
                Err(_) => {
                    let packed_path = common.join("packed-refs");
                    let packed = fs::read_to_string(&packed_path).ok();
                    if packed.is_some() {
                        tracked.push(packed_path);
                    }
                    packed.and_then(|p| {
                        p.lines().find_map(|l| l.strip_suffix(name)?.strip_suffix(' ').map(str::to_owned))
                    })
                }
            }
        }
    };
    let revision = revision.filter(|r| r.len() >= 40 && r.bytes().all(|b| b.is_ascii_hexdigit()));
    let dirty = revision.as_ref().filter(|_| ask_git).and_then(|_| dirty(&work_tree));
    Some(Git { revision, dirty, tracked })
}

fn git_dir(dir: &Path) -> Option<PathBuf> {
    let dot_git = dir.join(".git");
    if dot_git.is_dir() {
        return Some(dot_git);
    }
    let text = fs::read_to_string(&dot_git).ok()?;
    Some(dir.join(text.trim().strip_prefix("gitdir:")?.trim()))
}

/// Asks git, when it is installed, whether tracked files differ from HEAD.
fn dirty(work_tree: &Path) -> Option<bool> {
    let out = Command::new("git")
        .args(["--no-optional-locks", "status", "--porcelain", "--untracked-files=no"])
        .current_dir(work_tree)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status.success().then_some(!out.stdout.is_empty())
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

    fn revision(root: &Path) -> Option<String> {
        discover(&root.join("pkg/src"), false).and_then(|g| g.revision)
    }

    #[test]
    fn loose_packed_detached_unborn_and_worktree() {
        let loose =
            repo("loose", &[(".git/HEAD", "ref: refs/heads/main\n"), (".git/refs/heads/main", &format!("{A}\n"))]);
        assert_eq!(revision(&loose).as_deref(), Some(A));
        let git = discover(&loose.join("pkg"), false).unwrap();
        assert_eq!(git.tracked, [loose.join(".git/HEAD"), loose.join(".git/refs/heads/main")]);
        assert_eq!(git.dirty, None, "git is not asked");

        let packed = format!("# pack-refs with: peeled\n{B} refs/heads/other\n{A} refs/heads/main\n");
        let packed = repo("packed", &[(".git/HEAD", "ref: refs/heads/main\n"), (".git/packed-refs", &packed)]);
        assert_eq!(revision(&packed).as_deref(), Some(A));

        let detached = repo("detached", &[(".git/HEAD", &format!("{B}\n"))]);
        assert_eq!(revision(&detached).as_deref(), Some(B));

        let unborn = repo("unborn", &[(".git/HEAD", "ref: refs/heads/main\n")]);
        let git = discover(&unborn.join("pkg"), true).unwrap();
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
        assert_eq!(revision(&worktree).as_deref(), Some(B));

        let garbage =
            repo("garbage", &[(".git/HEAD", "ref: refs/heads/main\n"), (".git/refs/heads/main", "not a hash\n")]);
        assert_eq!(revision(&garbage), None);
        for root in [loose, packed, detached, unborn, worktree, garbage] {
            let _ = fs::remove_dir_all(root);
        }
    }
}
