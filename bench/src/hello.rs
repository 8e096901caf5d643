//! The scratch packages the sections build: a manifest of its own workspace, files written with
//! their directories, and a git repository holding them in one commit.

use crate::io;
use cargo_profile_info::Error;
use std::path::Path;
use std::process::{Command, Stdio};

/// The manifest of package `name` with `deps` (whole sections, `[dependencies]` and the like, or
/// nothing): its own workspace, so that no directory above it claims it.
pub fn manifest(name: &str, deps: &str) -> String {
    let deps = if deps.is_empty() { String::new() } else { format!("{}\n", deps.trim_end()) };
    format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n{deps}\n[workspace]\n")
}

/// A hello world's `main.rs`, with `attribute` (a line, or nothing) above `fn main`.
pub fn main_rs(attribute: &str) -> String {
    format!("{attribute}\nfn main() {{\n    println!(\"hello\");\n}}\n")
}

/// Writes `text` to `path`, creating its directories.
pub fn write(path: &Path, text: &str) -> Result<(), Error> {
    std::fs::create_dir_all(path.parent().expect("has parent")).map_err(|e| io(&path.display().to_string(), e))?;
    std::fs::write(path, text).map_err(|e| io(&path.display().to_string(), e))
}

/// A hello-world package in `dir`: `name`, `attribute` above `fn main`, `deps` as for
/// [`manifest`], with the workspace's lock file (its pinned versions) when `lock` is given.
pub fn package(dir: &Path, name: &str, attribute: &str, deps: &str, lock: Option<&Path>) -> Result<(), Error> {
    write(&dir.join("Cargo.toml"), &manifest(name, deps))?;
    write(&dir.join("src/main.rs"), &main_rs(attribute))?;
    if let Some(lock) = lock {
        std::fs::copy(lock, dir.join("Cargo.lock")).map_err(|e| io("Cargo.lock", e))?;
    }
    Ok(())
}

/// Runs `command`, its output on stderr; an error naming `what` when it fails.
pub fn status(command: &mut Command, what: &str) -> Result<(), Error> {
    let status = command.stdin(Stdio::null()).stdout(std::io::stderr()).status().map_err(|e| io(what, e))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::new(format!("{what} failed ({status})")))
    }
}

/// Makes `dir` a git repository (branch `main`) holding everything in it in one commit.
pub fn commit_all(dir: &Path, message: &str) -> Result<(), Error> {
    let git = |args: &[&str]| {
        let mut command = Command::new("git");
        command
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"])
            .args(args);
        status(&mut command, &format!("git {}", args.join(" ")))
    };
    git(&["init", "-q", "-b", "main"])?;
    git(&["add", "-A"])?;
    git(&["commit", "-q", "-m", message])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch directory under the target dir, empty.
    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench/unit").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_hello_package_builds_and_its_repository_is_clean() {
        let dir = scratch("hello");
        package(&dir, "hello-unit", "#[inline(never)]", "[dependencies]\n", None).unwrap();
        commit_all(&dir, "hello").unwrap();
        // cargo as the oracle: the manifest reads as package `hello-unit` with no dependency.
        let out = Command::new(env!("CARGO"))
            .args(["metadata", "--format-version", "1", "--no-deps", "--offline", "--manifest-path"])
            .arg(dir.join("Cargo.toml"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(meta["packages"][0]["name"], "hello-unit");
        assert_eq!(meta["packages"][0]["dependencies"], serde_json::json!([]));
        // git as the oracle: both files committed, nothing left over.
        let git = |args: &[&str]| Command::new("git").arg("-C").arg(&dir).args(args).output().unwrap().stdout;
        assert_eq!(String::from_utf8(git(&["ls-files"])).unwrap(), "Cargo.toml\nsrc/main.rs\n");
        assert!(git(&["status", "--porcelain"]).is_empty());
        assert!(std::fs::read_to_string(dir.join("src/main.rs")).unwrap().starts_with("#[inline(never)]\nfn main()"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
