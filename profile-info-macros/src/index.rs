//! `git status --untracked-files=no`'s answer without starting git, in the common cases. Starting
//! git would be most of what the macro costs an edit-compile cycle in a small repository, and the
//! answer is in files git keeps for the purpose:
//!
//! - the index (`.git/index`) records, for every tracked file, the blob id of its content and the
//!   file's stat data when git last read it. A file whose stat data is unchanged, and was not
//!   written in the same instant as the index (git calls that "racily clean" and re-reads it), is
//!   unchanged for git too; any other file is hashed as git hashes a blob and compared.
//! - the index's cache tree names the tree the index holds; when that is HEAD's tree nothing is
//!   staged. HEAD's tree is asked of git once per commit (`git rev-parse C^{tree}`) and kept with
//!   rustc's answers in the cargo profile directory.
//!
//! - the package's own files are compared first: a compile of the binary crate mostly follows an
//!   edit of one of them, and one file that differs from the index is `git status`'s answer, so
//!   the rest of the repository is read only when the package is clean.
//!
//! Whatever this cannot judge exactly as git would is left to git: a content filter or line-ending
//! conversion that could make git see a file differently from its bytes (`.gitattributes`,
//! `core.autocrlf`, includes in the configuration), a conflict, a submodule, an entry added with
//! `--intent-to-add`, a split or sparse index, SHA-256 repositories, an index version or layout
//! not known here, every platform but Unix, and a clean package in a repository of more than
//! [`MAX_FILES`] files (where git's optimised, threaded `lstat`s beat this code, unoptimised in a
//! debug build).

use std::borrow::Cow;
use std::fs;
use std::path::{Path, PathBuf};

/// What the index and the work tree say; `Ask` means git must answer.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    Dirty,
    Ask,
}

/// One tracked file as the index records it.
#[derive(Debug)]
struct Entry<'a> {
    /// Borrowed from the index, except in version 4 (whose paths are prefix-compressed).
    path: Cow<'a, [u8]>,
    /// ctime, mtime (seconds, nanoseconds), device, inode, mode, uid, gid, size, as git stores them.
    stat: [u32; 10],
    oid: [u8; 20],
    /// assume-unchanged or skip-worktree: git does not look at the file.
    skip: bool,
}

const MODE: usize = 6;

struct Index<'a> {
    /// The entry count the header announces.
    count: u32,
    /// The entries under the prefix [`parse`] was given.
    entries: Vec<Entry<'a>>,
    /// The cache tree's root: the tree the whole index holds, when git has it up to date and the
    /// whole index was read.
    tree: Option<[u8; 20]>,
}

/// Reads a version 2, 3 or 4 index of a SHA-1 repository, keeping the entries whose path starts
/// with `prefix`; `None` for anything else or anything this module leaves to git. Unless `whole`,
/// it stops after the last entry under `prefix` (entries are sorted by path) and leaves the
/// extensions unread.
///
/// A compile runs this unoptimised, over every entry of a large repository's index, so an entry
/// is passed over by its recorded path length and a byte-wise comparison with `prefix`; only the
/// entries kept are read further.
fn parse<'a>(bytes: &'a [u8], prefix: &[u8], whole: bool) -> Option<Index<'a>> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(4)? != b"DIRC" {
        return None;
    }
    let version = r.u32()?;
    let count = r.u32()?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let mut entries: Vec<Entry> = Vec::new();
    // Version 4's paths are each the previous one less some bytes, plus a suffix.
    let mut previous: Vec<u8> = Vec::new();
    for _ in 0..count {
        // Stat data (40 bytes), object id (20), flags (2), extended flags (2, version 3 and up).
        let start = r.at;
        let flags = be16(bytes, start + 60)?;
        let extended = if flags & 0x4000 != 0 && version >= 3 { be16(bytes, start + 62)? } else { 0 };
        // A conflict stage, or an entry added with --intent-to-add: git reports them.
        if flags & 0x3000 != 0 || extended & 0x2000 != 0 {
            return None;
        }
        r.at = start + if flags & 0x4000 != 0 && version >= 3 { 64 } else { 62 };
        // The path's length, or 0xfff for that or more.
        let length = usize::from(flags & 0x0fff);
        // Where the path is: in the index from `from` (versions 2 and 3), or in `previous`.
        let from = r.at;
        let (place, to) = if version == 4 {
            let strip = r.varint()?;
            previous.truncate(previous.len().checked_sub(strip)?);
            let suffix = match length.checked_sub(previous.len()) {
                Some(n) if length < 0xfff => r.take_then_nul(n)?,
                _ => r.until_nul()?,
            };
            previous.extend_from_slice(suffix);
            (place(&previous, 0, previous.len(), prefix), 0)
        } else {
            let to = if length < 0xfff && from + length < bytes.len() && bytes[from + length] == 0 {
                from + length
            } else if length < 0xfff {
                return None;
            } else {
                from + r.until_nul()?.len()
            };
            // Entries are padded with NULs to a multiple of 8 bytes, at least one.
            r.at = start + (to + 1 - start).div_ceil(8) * 8;
            (place(bytes, from, to, prefix), to)
        };
        match place {
            Place::Under => {}
            Place::After if !whole => break,
            Place::Before | Place::After => continue,
        }
        let path = if version == 4 { Cow::Owned(previous.clone()) } else { Cow::Borrowed(bytes.get(from..to)?) };
        let stat = bytes.get(start..start + 40)?;
        let oid = bytes.get(start + 40..start + 60)?;
        let mut fields = [0u32; 10];
        for (field, bytes) in fields.iter_mut().zip(stat.chunks_exact(4)) {
            *field = u32::from_be_bytes(bytes.try_into().ok()?);
        }
        // Submodules (gitlinks): git looks into them.
        if fields[MODE] >> 12 == 0o16 {
            return None;
        }
        let skip = flags & 0x8000 != 0 || extended & 0x4000 != 0;
        entries.push(Entry { path, stat: fields, oid: oid.try_into().ok()?, skip });
    }
    let mut tree = None;
    let body_end = bytes.len().checked_sub(20)?;
    while whole && r.at < body_end {
        let signature = r.take(4)?;
        let size = r.u32()? as usize;
        let data = r.take(size)?;
        match signature {
            // The cache tree's first entry is the root: "" NUL, entry count (-1: not up to date),
            // space, subtree count, newline, then the tree id.
            b"TREE" => {
                let rest = data.strip_prefix(b"\0")?;
                let newline = rest.iter().position(|&b| b == b'\n')?;
                let counts = std::str::from_utf8(&rest[..newline]).ok()?;
                let (entry_count, _) = counts.split_once(' ')?;
                if entry_count.parse::<i64>().ok()? >= 0 {
                    tree = Some(rest.get(newline + 1..newline + 21)?.try_into().ok()?);
                }
            }
            // Optional extensions start with a capital; any other (a split index's `link`, a sparse
            // index's `sdir`) changes what the entries mean.
            _ if !signature[0].is_ascii_uppercase() => return None,
            _ => {}
        }
    }
    Some(Index { count, entries, tree })
}

/// The big-endian `u16` at `at`, if the index is that long.
fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    (at + 2 <= bytes.len()).then(|| u16::from(bytes[at]) << 8 | u16::from(bytes[at + 1]))
}

/// Where a path is against a prefix in the index's order.
enum Place {
    Before,
    Under,
    After,
}

/// Where `bytes[from..to]` is against `prefix`; byte by byte, as most paths differ in their first
/// bytes.
fn place(bytes: &[u8], from: usize, to: usize, prefix: &[u8]) -> Place {
    let mut i = 0;
    while i < prefix.len() {
        if from + i == to || bytes[from + i] < prefix[i] {
            return Place::Before;
        }
        if bytes[from + i] > prefix[i] {
            return Place::After;
        }
        i += 1;
    }
    Place::Under
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let out = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(out)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }

    /// `n` bytes that a NUL follows, and the NUL.
    fn take_then_nul(&mut self, n: usize) -> Option<&'a [u8]> {
        let out = self.take(n)?;
        (self.take(1)? == b"\0").then_some(out)
    }

    fn until_nul(&mut self) -> Option<&'a [u8]> {
        let len = self.bytes.get(self.at..)?.iter().position(|&b| b == 0)?;
        let out = self.take(len)?;
        self.at += 1;
        Some(out)
    }

    /// git's offset varint (varint.c): 7 bits a byte, most significant first, each continuation
    /// adding one.
    fn varint(&mut self) -> Option<usize> {
        let mut byte = self.take(1)?[0];
        let mut value = usize::from(byte & 0x7f);
        while byte & 0x80 != 0 {
            byte = self.take(1)?[0];
            value = value.checked_add(1)?.checked_mul(128)? | usize::from(byte & 0x7f);
        }
        Some(value)
    }
}

/// Whether the tracked files under `scope` (relative to the work tree, `/`-separated, empty for
/// all) differ from HEAD, as `git status` would say, for the repository at `git_dir` whose HEAD
/// is the commit `head`. `package`, under `scope`, is looked at first; `trees` is the file keeping
/// HEAD trees git has named.
pub fn status(
    git_dir: &Path,
    work_tree: &Path,
    scope: &[u8],
    package: &[u8],
    head: &str,
    trees: Option<&Path>,
) -> Verdict {
    // Configuration given in the environment.
    if std::env::vars_os().any(|(k, _)| k.to_str().is_some_and(|k| k.starts_with("GIT_CONFIG"))) {
        return Verdict::Ask;
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let xdg =
        std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from).or_else(|| home.as_ref().map(|h| h.join(".config")));
    // The default `core.attributesFile`, read when it exists.
    if xdg.as_ref().is_some_and(|x| x.join("git").join("attributes").exists()) {
        return Verdict::Ask;
    }
    let globals: Vec<PathBuf> =
        [home.map(|h| h.join(".gitconfig")), xdg.map(|x| x.join("git").join("config")), Some("/etc/gitconfig".into())]
            .into_iter()
            .flatten()
            .collect();
    status_with(git_dir, work_tree, (scope, package), head, trees, &globals)
}

/// [`status`] with these global and system configuration files (none in the tests, whose git
/// runs without them too), for the prefixes `(scope, package)`.
fn status_with(
    git_dir: &Path,
    work_tree: &Path,
    (scope, package): (&[u8], &[u8]),
    head: &str,
    trees: Option<&Path>,
    globals: &[PathBuf],
) -> Verdict {
    if !cfg!(unix) || head.len() != 40 || filtered(git_dir, globals) {
        return Verdict::Ask;
    }
    let Some(mut index_file) = IndexFile::open(&git_dir.join("index")) else { return Verdict::Ask };
    let index_mtime = index_file.mtime;
    // The package's own files first: the binary crate is compiled again mostly because one of
    // them was edited, and a tracked file that differs from the index makes `git status` report
    // it, whatever the rest of the repository holds. Only a clean package needs the whole scope.
    let Some((count, own)) = index_file.package(package, |own| compare(work_tree, own.entries.iter(), index_mtime))
    else {
        return Verdict::Ask;
    };
    match own {
        Some(Verdict::Clean) | None => {}
        Some(verdict) => return verdict,
    }
    if count > MAX_FILES {
        return Verdict::Ask;
    }
    let Some(bytes) = index_file.whole() else { return Verdict::Ask };
    let Some(index) = parse(bytes, scope, true) else { return Verdict::Ask };
    match compare(work_tree, index.entries.iter().filter(|e| !e.path.starts_with(package)), index_mtime) {
        Verdict::Clean => {}
        verdict => return verdict,
    }
    match index.tree {
        Some(tree) if head_tree(work_tree, head, trees).as_deref() == Some(&hex(&tree)) => Verdict::Clean,
        // Something is staged, or git has not brought the cache tree up to date: git knows.
        _ => Verdict::Ask,
    }
}

/// The index file, read only as far as needed: a large repository's index is megabytes (4.8 MB
/// for 60,000 files), and reading all of it on every compile costs milliseconds, while the
/// package's entries, which an edit is judged by, are often near its start.
struct IndexFile {
    file: fs::File,
    size: usize,
    mtime: (u32, u32),
    bytes: Vec<u8>,
}

/// The first read of the index; each further one reads four times as much.
const FIRST_READ: usize = 16 * 1024;

impl IndexFile {
    fn open(path: &Path) -> Option<IndexFile> {
        let file = fs::File::open(path).ok()?;
        let meta = file.metadata().ok()?;
        let size = usize::try_from(meta.len()).ok()?;
        Some(IndexFile { file, size, mtime: mtime_of(&meta)?, bytes: Vec::new() })
    }

    /// Reads up to `want` bytes of the file in all; false when the file ends early (it changed).
    fn read_to(&mut self, want: usize) -> bool {
        use std::io::Read;
        let want = want.min(self.size);
        let more = want - self.bytes.len().min(want);
        // Reserved first, so that the bytes come in one read rather than in growing probes.
        self.bytes.reserve_exact(more);
        let read = (&mut self.file).take(more as u64).read_to_end(&mut self.bytes);
        read.is_ok() && self.bytes.len() == want
    }

    /// The entry count and `judge`'s answer for the entries under `package` (`None` when there
    /// are more than [`MAX_FILES`] of them), reading the file until they are all read.
    fn package(&mut self, package: &[u8], judge: impl Fn(&Index) -> Verdict) -> Option<(u32, Option<Verdict>)> {
        let mut want = FIRST_READ;
        loop {
            if !self.read_to(want) {
                return None;
            }
            // A cut entry makes `parse` give up: read on, until the whole file is read.
            match parse(&self.bytes, package, false) {
                Some(own) => {
                    let verdict = (own.entries.len() <= MAX_FILES as usize).then(|| judge(&own));
                    return Some((own.count, verdict));
                }
                None if self.bytes.len() < self.size => want = self.bytes.len() * 4,
                None => return None,
            }
        }
    }

    /// The whole file.
    fn whole(&mut self) -> Option<&[u8]> {
        self.read_to(self.size).then_some(&self.bytes[..])
    }
}

/// Whether these files differ from the index: `Dirty` at the first that does, `Clean` when none
/// does (which says nothing of what is staged), `Ask` when only git can tell.
fn compare<'e, 'a: 'e>(
    work_tree: &Path,
    entries: impl Iterator<Item = &'e Entry<'a>>,
    index_mtime: (u32, u32),
) -> Verdict {
    let entries: Vec<&Entry> = entries.filter(|e| !e.skip).collect();
    if attributes(work_tree, &entries) {
        return Verdict::Ask;
    }
    for entry in entries {
        match unchanged(work_tree, entry, index_mtime) {
            Some(true) => {}
            Some(false) => return Verdict::Dirty,
            None => return Verdict::Ask,
        }
    }
    Verdict::Clean
}

/// More tracked files than this, and git answers: this code runs unoptimised in a debug build, one
/// file after another, while git, optimised and statting on several threads, costs more to start
/// and less a file. Small repositories, where starting git is all of its cost, are the ones this
/// module is for; around this size the two cost about the same. Git's side on a large repository:
/// bench/RESULTS.md, "Dirty check in a large repository".
const MAX_FILES: u32 = 600;

/// A `.gitattributes` in a directory holding one of these files or above one (tracked or not, git
/// reads it).
fn attributes(work_tree: &Path, entries: &[&Entry]) -> bool {
    let mut dirs = std::collections::BTreeSet::new();
    for entry in entries {
        let mut dir = parent(&entry.path);
        while dirs.insert(dir) && !dir.is_empty() {
            dir = parent(dir);
        }
    }
    dirs.into_iter().any(|dir| path_of(dir).is_none_or(|dir| work_tree.join(dir).join(".gitattributes").exists()))
}

/// The configuration or attributes could make git see a file otherwise than by its bytes, or
/// compare stat data or modes otherwise.
fn filtered(git_dir: &Path, globals: &[PathBuf]) -> bool {
    if git_dir.join("info").join("attributes").exists() {
        return true;
    }
    let locals = [
        Some(git_dir.join("config")),
        // A linked worktree's own configuration and the common one.
        Some(git_dir.join("config.worktree")),
        fs::read_to_string(git_dir.join("commondir")).ok().map(|c| git_dir.join(c.trim()).join("config")),
    ];
    locals
        .into_iter()
        .flatten()
        .chain(globals.iter().cloned())
        .any(|path| fs::read_to_string(path).is_ok_and(|text| config_filters(&text)))
}

/// Whether a git configuration file sets anything [`filtered`] leaves to git: content filters,
/// line endings, attributes, includes (whose contents are not read here), a file-system monitor,
/// other stat comparisons, or modes ignored.
fn config_filters(text: &str) -> bool {
    let keys = ["autocrlf", "eol", "attributesfile", "fsmonitor", "checkstat", "ignorestat", "trustctime"];
    text.lines().any(|line| {
        let line = line.split(['#', ';']).next().unwrap_or("").trim().to_ascii_lowercase();
        if let Some(section) = line.strip_prefix('[') {
            return section.starts_with("filter") || section.starts_with("include");
        }
        let (key, value) = line.split_once('=').map_or((line.as_str(), "true"), |(k, v)| (k.trim(), v.trim()));
        keys.contains(&key) || (key == "filemode" && matches!(value, "false" | "no" | "off" | "0"))
    })
}

/// `Some(true)` when git would take the file as unchanged, `Some(false)` when its content is not
/// the indexed blob, `None` when only git can tell (a symbolic link whose target changed, a file
/// that cannot be read).
fn unchanged(work_tree: &Path, entry: &Entry, index_mtime: (u32, u32)) -> Option<bool> {
    let path = work_tree.join(path_of(&entry.path)?);
    let Ok(meta) = fs::symlink_metadata(&path) else {
        // Deleted: git reports it.
        return Some(false);
    };
    let stat = stat_of(&meta)?;
    let racy = (entry.stat[2], entry.stat[3]) >= index_mtime;
    if stat == entry.stat && !racy {
        return Some(true);
    }
    let regular = entry.stat[MODE] >> 12 == 0o10;
    if !regular || !meta.is_file() {
        return None;
    }
    // The executable bit is part of what git compares (core.fileMode defaults to true).
    if (entry.stat[MODE] & 0o100 != 0) != (stat[MODE] & 0o100 != 0) {
        return Some(false);
    }
    let content = fs::read(&path).ok()?;
    let header = format!("blob {}\0", content.len());
    Some(crate::sha1::digest(&[header.as_bytes(), &content]) == entry.oid)
}

/// The directory part of an index path (`a/b` of `a/b/c.rs`, empty at the top).
fn parent(path: &[u8]) -> &[u8] {
    path.iter().rposition(|&b| b == b'/').map_or(&[][..], |at| &path[..at])
}

#[cfg(unix)]
fn path_of(bytes: &[u8]) -> Option<&Path> {
    use std::os::unix::ffi::OsStrExt;
    Some(Path::new(std::ffi::OsStr::from_bytes(bytes)))
}

#[cfg(not(unix))]
fn path_of(_: &[u8]) -> Option<&Path> {
    None
}

/// The stat data as git records it (32-bit fields, truncated as git truncates them).
#[cfg(unix)]
fn stat_of(meta: &fs::Metadata) -> Option<[u32; 10]> {
    use std::os::unix::fs::MetadataExt;
    let mode = if meta.file_type().is_symlink() {
        0o120000
    } else {
        0o100000 | if meta.mode() & 0o100 != 0 { 0o755 } else { 0o644 }
    };
    Some([
        meta.ctime() as u32,
        meta.ctime_nsec() as u32,
        meta.mtime() as u32,
        meta.mtime_nsec() as u32,
        meta.dev() as u32,
        meta.ino() as u32,
        mode,
        meta.uid(),
        meta.gid(),
        meta.size() as u32,
    ])
}

#[cfg(not(unix))]
fn stat_of(_: &fs::Metadata) -> Option<[u32; 10]> {
    None
}

#[cfg(unix)]
fn mtime_of(meta: &fs::Metadata) -> Option<(u32, u32)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.mtime() as u32, meta.mtime_nsec() as u32))
}

#[cfg(not(unix))]
fn mtime_of(_: &fs::Metadata) -> Option<(u32, u32)> {
    None
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// HEAD's tree id: from `trees` (lines `COMMIT TREE`) when git named it before, else from git,
/// then kept there. A commit's tree never changes, so the file only grows, by one line a commit.
fn head_tree(work_tree: &Path, head: &str, trees: Option<&Path>) -> Option<String> {
    let known = trees.and_then(|t| fs::read_to_string(t).ok()).unwrap_or_default();
    if let Some(tree) = known.lines().find_map(|l| crate::vcs::revision(l.strip_prefix(head)?.strip_prefix(' ')?)) {
        return Some(tree);
    }
    let out = crate::vcs::git(work_tree, &["rev-parse", "--verify", "--quiet", &format!("{head}^{{tree}}")])?;
    let tree = crate::vcs::revision(&String::from_utf8(out).ok()?)?;
    if let Some(file) = trees {
        use std::io::Write;
        // One write of a whole line: compiles appending at once do not interleave their lines.
        let line = format!("{head} {tree}\n");
        let _ = fs::create_dir_all(file.parent()?);
        let _ =
            fs::OpenOptions::new().create(true).append(true).open(file).and_then(|mut f| f.write_all(line.as_bytes()));
    }
    Some(tree)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::process::Command;

    /// git, as the oracle, with no configuration but the repository's.
    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_SYSTEM", "/dev/null")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    struct Repo {
        dir: PathBuf,
        trees: PathBuf,
    }

    impl Repo {
        fn new(name: &str) -> Repo {
            let dir = std::env::temp_dir().join(format!("profile-info-index-{}-{name}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(dir.join("app/src")).unwrap();
            fs::create_dir_all(dir.join("docs")).unwrap();
            fs::write(dir.join("app/src/main.rs"), "fn main() {}\n").unwrap();
            fs::write(dir.join("docs/notes.txt"), "notes\n").unwrap();
            fs::write(dir.join("run.sh"), "#!/bin/sh\n").unwrap();
            git(&dir, &["init", "-q", "-b", "main"]);
            git(&dir, &["add", "-A"]);
            git(&dir, &["commit", "-q", "-m", "one"]);
            let trees = dir.join("target-trees");
            Repo { dir, trees }
        }

        fn status(&self, prefix: &str) -> Verdict {
            let head = git(&self.dir, &["rev-parse", "HEAD"]);
            status_with(
                &self.dir.join(".git"),
                &self.dir,
                (prefix.as_bytes(), b"app/"),
                head.trim(),
                Some(&self.trees),
                &[],
            )
        }

        /// The verdict, checked against `git status --porcelain --untracked-files=no` over the
        /// same scope: `Clean` and `Dirty` must be git's answer; `Ask` is always allowed.
        fn judged(&self, prefix: &str) -> Verdict {
            let verdict = self.status(prefix);
            let mut args = vec!["--no-optional-locks", "status", "--porcelain", "--untracked-files=no", "--"];
            if !prefix.is_empty() {
                args.push(prefix);
            }
            let git_dirty = !git(&self.dir, &args).is_empty();
            match verdict {
                Verdict::Clean => assert!(!git_dirty, "git says dirty where the index said clean"),
                Verdict::Dirty => assert!(git_dirty, "git says clean where the index said dirty"),
                Verdict::Ask => {}
            }
            verdict
        }

        /// Moves a file's times back so that it is not racily clean against the index.
        fn age(&self, path: &str) {
            let old = std::time::SystemTime::now() - std::time::Duration::from_secs(100);
            fs::File::options().append(true).open(self.dir.join(path)).unwrap().set_modified(old).unwrap();
        }
    }

    #[test]
    fn answers_as_git_does_without_asking_it_for_the_work_tree() {
        let repo = Repo::new("answers");
        assert_eq!(repo.judged(""), Verdict::Clean);
        let head = git(&repo.dir, &["rev-parse", "HEAD"]);
        let tree = git(&repo.dir, &["rev-parse", "HEAD^{tree}"]);
        assert_eq!(fs::read_to_string(&repo.trees).unwrap(), format!("{} {}", head.trim(), tree), "HEAD's tree kept");

        // Touched, same bytes: hashed, still clean.
        fs::File::options()
            .append(true)
            .open(repo.dir.join("app/src/main.rs"))
            .unwrap()
            .set_modified(std::time::SystemTime::now())
            .unwrap();
        assert_eq!(repo.judged(""), Verdict::Clean);

        // Edited outside the package: dirty for the repository, clean for the package.
        fs::write(repo.dir.join("docs/notes.txt"), "more notes\n").unwrap();
        assert_eq!(repo.judged(""), Verdict::Dirty);
        assert_eq!(repo.judged("app/"), Verdict::Clean);
        git(&repo.dir, &["checkout", "--", "docs/notes.txt"]);
        assert_eq!(repo.judged(""), Verdict::Clean);

        // Executable bit, deletion, then the same content written back.
        std::os::unix::fs::PermissionsExt::set_mode(
            &mut fs::metadata(repo.dir.join("run.sh")).unwrap().permissions(),
            0o755,
        );
        fs::set_permissions(repo.dir.join("run.sh"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        assert_eq!(repo.judged(""), Verdict::Dirty);
        fs::set_permissions(repo.dir.join("run.sh"), std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
        fs::remove_file(repo.dir.join("app/src/main.rs")).unwrap();
        assert_eq!(repo.judged("app/"), Verdict::Dirty);
        fs::write(repo.dir.join("app/src/main.rs"), "fn main() {}\n").unwrap();
        assert_eq!(repo.judged(""), Verdict::Clean);
        repo.age("app/src/main.rs");
        assert_eq!(repo.judged(""), Verdict::Clean);
    }

    #[test]
    fn staged_changes_and_moved_heads_are_left_to_git() {
        let repo = Repo::new("staged");
        fs::write(repo.dir.join("docs/notes.txt"), "staged\n").unwrap();
        git(&repo.dir, &["add", "docs/notes.txt"]);
        assert_eq!(repo.judged(""), Verdict::Ask, "the cache tree is out of date once something is staged");
        git(&repo.dir, &["commit", "-q", "-m", "two"]);
        assert_eq!(repo.judged(""), Verdict::Clean);
        // HEAD moves back, the index keeps the second commit's tree: staged changes.
        git(&repo.dir, &["reset", "-q", "--soft", "HEAD~1"]);
        assert_eq!(repo.judged(""), Verdict::Ask);
        assert_eq!(repo.judged("app/"), Verdict::Ask);
    }

    #[test]
    fn index_version_4_and_what_only_git_can_judge() {
        let repo = Repo::new("v4");
        git(&repo.dir, &["update-index", "--index-version", "4"]);
        assert_eq!(repo.judged(""), Verdict::Clean);
        fs::write(repo.dir.join("app/src/main.rs"), "fn main() { println!(); }\n").unwrap();
        assert_eq!(repo.judged("app/"), Verdict::Dirty);
        git(&repo.dir, &["checkout", "--", "app/src/main.rs"]);

        // A conversion git would apply, from an untracked file above the files, then a tracked one:
        // git decides.
        fs::write(repo.dir.join("app/.gitattributes"), "*.rs text eol=crlf\n").unwrap();
        assert_eq!(repo.judged(""), Verdict::Ask);
        fs::remove_file(repo.dir.join("app/.gitattributes")).unwrap();
        fs::write(repo.dir.join(".gitattributes"), "*.txt text eol=crlf\n").unwrap();
        git(&repo.dir, &["add", ".gitattributes"]);
        git(&repo.dir, &["commit", "-q", "-m", "attributes"]);
        assert_eq!(repo.judged(""), Verdict::Ask);
        let config = [repo.dir.join("cfg")];
        fs::write(&config[0], "[core]\n\tautocrlf = true\n").unwrap();
        let head = git(&repo.dir, &["rev-parse", "HEAD"]);
        let verdict = status_with(&repo.dir.join(".git"), &repo.dir, (b"app/", b"app/"), head.trim(), None, &config);
        assert_eq!(verdict, Verdict::Ask, "a global core.autocrlf");
    }

    #[test]
    fn large_repositories_are_left_to_git() {
        let repo = Repo::new("large");
        fs::create_dir_all(repo.dir.join("many")).unwrap();
        for i in 0..MAX_FILES {
            fs::write(repo.dir.join("many").join(i.to_string()), i.to_string()).unwrap();
        }
        git(&repo.dir, &["add", "-A"]);
        git(&repo.dir, &["commit", "-q", "-m", "many"]);
        assert_eq!(git(&repo.dir, &["ls-files"]).lines().count(), MAX_FILES as usize + 3);
        assert_eq!(repo.judged(""), Verdict::Ask);
        assert_eq!(repo.judged("app/"), Verdict::Ask, "the whole index is read, whatever the scope");
    }

    /// The package's files are judged first: an edit there is git's `dirty` without the rest of
    /// the repository, even one too large to scan here (files sorted before and after the
    /// package, in index versions 2 and 4, the package past the index file's first read); a clean
    /// package needs the rest.
    #[test]
    fn an_edit_in_the_package_decides_alone() {
        let repo = Repo::new("package-first");
        let main_rs = repo.dir.join("app/src/main.rs");
        let edit = || fs::write(&main_rs, "fn main() { println!(); }\n").unwrap();
        let revert = || fs::write(&main_rs, "fn main() {}\n").unwrap();
        edit();
        assert_eq!(repo.judged(""), Verdict::Dirty);
        revert();
        assert_eq!(repo.judged(""), Verdict::Clean, "an edit reverted");
        fs::write(repo.dir.join("docs/notes.txt"), "staged\n").unwrap();
        git(&repo.dir, &["add", "docs/notes.txt"]);
        edit();
        assert_eq!(repo.judged(""), Verdict::Dirty, "an edit beside something staged");
        revert();
        git(&repo.dir, &["reset", "-q", "--hard"]);

        for dir in ["aaa", "zzz"] {
            fs::create_dir_all(repo.dir.join(dir)).unwrap();
            for i in 0..MAX_FILES {
                fs::write(repo.dir.join(dir).join(i.to_string()), i.to_string()).unwrap();
            }
        }
        git(&repo.dir, &["add", "-A"]);
        git(&repo.dir, &["commit", "-q", "-m", "many"]);
        for version in ["2", "4"] {
            git(&repo.dir, &["update-index", "--index-version", version]);
            // The package's entries lie past the first read, so that reading on is what finds them
            // (`app/src/main.rs`; version 4 keeps only its end after what it shares with `aaa/599`).
            let index = fs::read(repo.dir.join(".git/index")).unwrap();
            let app = index.windows(11).position(|w| w == b"src/main.rs").expect("the package is in the index");
            assert!(app > FIRST_READ, "v{version}: app/ at byte {app}");
            assert_eq!(repo.judged(""), Verdict::Ask, "v{version}: too many files to say clean");
            edit();
            assert_eq!(repo.judged(""), Verdict::Dirty, "v{version}: an edit in the package");
            assert_eq!(repo.judged("app/"), Verdict::Dirty, "v{version}");
            revert();
            assert_eq!(repo.judged(""), Verdict::Ask, "v{version}: an edit reverted");
            fs::write(repo.dir.join("zzz/1"), "edited").unwrap();
            assert_eq!(repo.judged(""), Verdict::Ask, "v{version}: an edit outside, the package clean");
            assert_eq!(repo.judged("app/"), Verdict::Ask, "v{version}");
            git(&repo.dir, &["checkout", "--", "zzz/1"]);
        }
    }

    #[test]
    fn configuration_git_would_apply() {
        assert!(!config_filters("[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n"));
        assert!(config_filters("[core]\n\tfileMode = false\n"));
        assert!(config_filters("[core]\n  autocrlf = input ; windows habits\n"));
        assert!(config_filters("[filter \"lfs\"]\n\tclean = git-lfs clean -- %f\n"));
        assert!(config_filters("[includeIf \"gitdir:~/work/\"]\n\tpath = work.inc\n"));
        assert!(!config_filters("# autocrlf = true\n[user]\n\tname = eol filter\n"));
    }

    #[test]
    fn malformed_indexes_are_left_to_git() {
        assert!(parse(b"", b"", true).is_none());
        assert!(parse(b"DIRC\0\0\0\x05\0\0\0\0", b"", true).is_none(), "unknown version");
        assert!(parse(b"DIRC\0\0\0\x02\0\0\0\x09", b"", true).is_none(), "entries missing");
        let mut empty = b"DIRC\0\0\0\x02\0\0\0\0".to_vec();
        empty.extend([0u8; 20]);
        assert!(parse(&empty, b"", true).is_some_and(|i| i.entries.is_empty() && i.tree.is_none()));
        let mut mandatory = b"DIRC\0\0\0\x02\0\0\0\0link\0\0\0\0".to_vec();
        mandatory.extend([0u8; 20]);
        assert!(parse(&mandatory, b"", true).is_none(), "a split index");

        // git's own indexes (versions 2 and 4), cut short anywhere or with any byte changed: an
        // answer or `None`, never a panic.
        let repo = Repo::new("malformed");
        for version in ["2", "4"] {
            git(&repo.dir, &["update-index", "--index-version", version]);
            let index = fs::read(repo.dir.join(".git/index")).unwrap();
            let listed = git(&repo.dir, &["ls-files", "app/"]).lines().count();
            assert_eq!(parse(&index, b"app/", false).map(|i| i.entries.len()), Some(listed), "v{version}");
            for at in 0..index.len() {
                for prefix in [&b""[..], b"app/", b"docs/"] {
                    let _ = parse(&index[..at], prefix, true);
                    let mut changed = index.clone();
                    changed[at] ^= 0xff;
                    let _ = parse(&changed, prefix, true);
                    let _ = parse(&changed, prefix, false);
                }
            }
        }
    }
}
