//! rustc's answers for this compile: `rustc -vV`, and `--print cfg --print target-cpus` with the
//! flags that decide the target. Asked of the compiler binary the macro runs in, the two
//! concurrently, and concurrently with the rest of the capture.
//!
//! Every rebuild of the binary crate runs the macro again, and starting rustc twice would be most
//! of what it costs. The answers depend only on that binary and those flags, so they
//! are kept in `<target>/<profile>/.profile-info/`, one file per binary (path, size, mtime) and
//! flags; a toolchain update changes the binary and so the key. Not kept: `-C target-cpu=native`
//! (its answer is the build machine's CPU, and a target dir can move between machines) and
//! target spec files (their contents can change under the same name).

use profile_info_core::fnv::Fnv1a;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// What rustc printed; `None` for a query that could not run or failed.
pub struct Answers {
    pub version: Option<String>,
    pub prints: Option<String>,
}

/// Separates the two answers in a cache file (neither contains a NUL).
const SEPARATOR: char = '\0';

/// rustc's answers, read from the cache or still being printed by the two queries.
pub enum Pending {
    Kept(Answers),
    Asking { version: Option<Child>, prints: Option<Child>, file: Option<PathBuf> },
}

/// Starts asking `rustc`, or reads its earlier answers from `cache` (the cargo profile
/// directory's, when the compile has one and its answers may be kept). The queries run while the
/// caller does other work, with no thread of our own: [`Pending::finish`] waits for them.
pub fn start(rustc: &Path, print_args: &[String], cache: Option<&Path>) -> Pending {
    let file = cache.and_then(|dir| Some(dir.join(".profile-info").join(key(rustc, print_args)?)));
    if let Some(answers) = file.as_deref().and_then(read) {
        return Pending::Kept(answers);
    }
    let version = spawn(Command::new(rustc).arg("-vV"));
    let prints = spawn(Command::new(rustc).args(["--print", "cfg", "--print", "target-cpus"]).args(print_args));
    Pending::Asking { version, prints, file }
}

impl Pending {
    /// The answers, kept for the next compile when both queries succeeded.
    pub fn finish(self) -> Answers {
        let (version, prints, file) = match self {
            Pending::Kept(answers) => return answers,
            Pending::Asking { version, prints, file } => (version, prints, file),
        };
        let answers = Answers { version: output(version), prints: output(prints) };
        if let (Some(file), Some(version), Some(prints)) = (file, &answers.version, &answers.prints) {
            write(&file, &format!("{version}{SEPARATOR}{}", kept(prints)));
        }
        answers
    }
}

/// What of `--print cfg --print target-cpus` is kept: the cfg lines, and of the list of CPUs
/// (about 130 names, parsed on every compile when kept whole) the lines rustc describes, the
/// one `native` stands for and the target's default.
pub(crate) fn kept(prints: &str) -> String {
    prints.lines().filter(|l| !l.starts_with(' ') || l.contains(" - ")).flat_map(|l| [l, "\n"]).collect()
}

/// The cache file's name: a hash of the compiler binary's identity and the flags.
fn key(rustc: &Path, print_args: &[String]) -> Option<String> {
    let meta = std::fs::metadata(rustc).ok()?;
    let mut h = Fnv1a::default();
    rustc.hash(&mut h);
    meta.len().hash(&mut h);
    meta.modified().ok()?.hash(&mut h);
    print_args.hash(&mut h);
    Some(format!("rustc-{:016x}", h.finish()))
}

fn read(file: &Path) -> Option<Answers> {
    let text = std::fs::read_to_string(file).ok()?;
    let (version, prints) = text.split_once(SEPARATOR)?;
    Some(Answers { version: Some(version.to_owned()), prints: Some(prints.to_owned()) })
}

/// Writes through a temporary file and a rename, so that a compile running at the same time
/// reads the whole file or none. A failure only costs the next compile the queries.
pub(crate) fn write(file: &Path, text: &str) {
    let Some(dir) = file.parent() else { return };
    let tmp: PathBuf = file.with_extension(format!("{}.tmp", std::process::id()));
    let _ = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&tmp, text))
        .and_then(|()| std::fs::rename(&tmp, file));
    let _ = std::fs::remove_file(&tmp);
}

fn spawn(cmd: &mut Command) -> Option<Child> {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().ok()
}

fn output(child: Option<Child>) -> Option<String> {
    let out = child?.wait_with_output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake compiler (a shell script) that counts its runs: the second ask reads the cache, a
    /// changed flag or binary asks again.
    #[cfg(unix)]
    #[test]
    fn answers_are_kept_per_binary_and_flags() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("profile-info-rustc-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let rustc = dir.join("rustc");
        let runs = dir.join("runs");
        let script = format!("#!/bin/sh\necho run >> '{}'\necho \"answer $*\"\n", runs.display());
        std::fs::write(&rustc, script).unwrap();
        std::fs::set_permissions(&rustc, std::fs::Permissions::from_mode(0o755)).unwrap();
        let count = || std::fs::read_to_string(&runs).map_or(0, |r| r.lines().count());
        let flags = vec!["--target".to_owned(), "x86_64-unknown-linux-gnu".to_owned()];

        let ask = |flags: &[String], cache| start(&rustc, flags, cache).finish();
        let first = ask(&flags, Some(&dir));
        assert_eq!(first.version.as_deref(), Some("answer -vV\n"));
        assert_eq!(
            first.prints.as_deref(),
            Some("answer --print cfg --print target-cpus --target x86_64-unknown-linux-gnu\n")
        );
        assert_eq!(count(), 2);
        let again = ask(&flags, Some(&dir));
        assert_eq!((again.version, again.prints), (first.version, first.prints));
        assert_eq!(count(), 2, "answered from the cache");
        ask(&flags[..1], Some(&dir));
        assert_eq!(count(), 4, "other flags, other answers");
        ask(&flags, None);
        assert_eq!(count(), 6, "no cache directory, no cache");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
