//! The system tools the sections measure with, installed with apt-get when missing: the one place
//! that installs them (a run, or a subcommand, asks for its sections' [`crate::sections::Kind::tools`]).

use crate::log;
use std::process::{Command, Stdio};

/// `tool` is on PATH.
pub fn has(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

/// Installs those of `tools` that are missing, with apt-get when root, else says how; true when
/// every one is there afterwards.
pub fn install(tools: &[&str]) -> bool {
    let mut need: Vec<&str> = tools.iter().copied().filter(|t| !has(t)).collect();
    need.sort_unstable();
    need.dedup();
    if need.is_empty() {
        return true;
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } == 0 && has("apt-get") {
        log(&format!("installing {}", need.join(" ")));
        let _ = Command::new("apt-get").args(["update", "-qq"]).stdout(Stdio::null()).status();
        let _ = Command::new("apt-get")
            .args(["install", "-y", "-qq"])
            .args(&need)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null())
            .status();
    }
    let missing: Vec<&str> = need.into_iter().filter(|t| !has(t)).collect();
    if !missing.is_empty() {
        log(&format!("missing {0}: install them (apt-get install {0})", missing.join(" ")));
    }
    missing.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_on_path_need_nothing() {
        // `sh` is on every PATH this runs on (cargo's own build scripts need one).
        assert!(has("sh"));
        assert!(!has("no-such-tool-profile-info"));
        assert!(install(&["sh", "sh"]));
    }
}
