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

/// The checkout containing `dir`, if any.
pub fn discover(dir: &Path) -> Option<Git> {
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
    let dirty = revision.as_ref().and_then(|_| dirty(&work_tree));
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
