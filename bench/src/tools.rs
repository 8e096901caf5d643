//! The system tools the sections measure with. The scripts install them (`scripts/bench.sh` and
//! `scripts/test.sh`, both through `scripts/tools.sh`); this tool only says which are missing, in
//! one line, and the section needing them fails.

/// `tool` is on PATH.
pub fn has(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

/// Every one of `tools` is on PATH, else one line naming those that are not.
pub fn require(tools: &[&str]) -> Result<(), String> {
    let mut missing: Vec<&str> = tools.iter().copied().filter(|t| !has(t)).collect();
    missing.sort_unstable();
    missing.dedup();
    if missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "missing {0}: run `bash scripts/bench.sh` as root to install them, or apt-get install {0}",
        missing.join(" ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_tools_are_named_in_one_line() {
        // `sh` is on every PATH this runs on (cargo's own build scripts need one).
        assert!(has("sh"));
        assert!(!has("no-such-tool-profile-info"));
        assert_eq!(require(&["sh", "sh"]), Ok(()));
        let error = require(&["sh", "no-such-tool-b", "no-such-tool-a", "no-such-tool-b"]).unwrap_err();
        assert!(error.starts_with("missing no-such-tool-a no-such-tool-b: "), "{error}");
        assert_eq!(error.lines().count(), 1);
    }
}
