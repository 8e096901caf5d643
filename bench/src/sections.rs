//! The sections other scripts measure (`scripts/bench/NAME.sh`): each prints what it likes, the
//! HTTP and guard scripts one `ratio=NUMBER` line judged against their goal; the rest is copied
//! into the report.

use crate::goals::{self, Goal, Mark};
use std::path::Path;
use std::process::{Command, Stdio};

/// One script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Script {
    /// `/buildinfo`'s throughput beside a static handler, under wrk.
    Http,
    /// The CPU guard's cost at process start, under hyperfine.
    Guard,
    /// The dirty check's cost in a large repository, under hyperfine.
    Vcs,
}

impl Script {
    /// Every script, in report order.
    pub const ALL: [Script; 3] = [Script::Http, Script::Guard, Script::Vcs];

    /// `scripts/bench/NAME.sh`.
    pub fn name(self) -> &'static str {
        match self {
            Script::Http => "http",
            Script::Guard => "guard",
            Script::Vcs => "vcs",
        }
    }

    /// The section's title.
    pub fn title(self) -> &'static str {
        match self {
            Script::Http => "HTTP throughput (/buildinfo over a static handler)",
            Script::Guard => "Guard cost (v3 hello start, with guard over without)",
            Script::Vcs => "Dirty check cost (git status and an edit-compile cycle in a 60,000-file repository)",
        }
    }

    /// The goal its `ratio=` line is judged against; `None` for figures only.
    pub fn goal(self) -> Option<Goal> {
        match self {
            Script::Http => Some(goals::HTTP),
            Script::Guard => Some(goals::GUARD),
            Script::Vcs => None,
        }
    }

    /// The tool it measures with, installed when missing.
    pub fn tool(self) -> &'static str {
        match self {
            Script::Http => "wrk",
            Script::Guard | Script::Vcs => "hyperfine",
        }
    }
}

/// What one script printed (or why it did not run).
#[derive(Clone, Debug)]
pub struct Section {
    /// The script.
    pub script: Script,
    /// Its stdout, or why there is none.
    pub text: String,
    /// It exited non-zero (the run then exits 1 once the report is written).
    pub failed: bool,
}

impl Section {
    /// A section that did not run, and why.
    pub fn not_run(script: Script, why: &str) -> Section {
        Section { script, text: format!("{why}\n"), failed: false }
    }

    /// The `ratio=NUMBER` line's number, as printed.
    pub fn ratio_text(&self) -> Option<&str> {
        self.text.lines().find_map(|l| l.strip_prefix("ratio=")).map(str::trim)
    }

    /// The ratio judged against the script's goal; `None` when it has none.
    pub fn mark(&self) -> Option<Mark> {
        let goal = self.script.goal()?;
        Some(goal.judge(self.ratio_text().and_then(|r| r.parse().ok())))
    }
}

/// Runs `scripts/bench/NAME.sh` from `root` with `args`, its stderr to `log`, for 20 minutes at most.
pub fn run(root: &Path, script: Script, args: &[&str], log: &Path) -> Section {
    let path = root.join(format!("scripts/bench/{}.sh", script.name()));
    if !path.is_file() {
        return Section::not_run(script, "not available yet");
    }
    let stderr = std::fs::File::create(log).map(Stdio::from).unwrap_or_else(|_| Stdio::null());
    let out = Command::new("timeout")
        .arg("1200")
        .arg("bash")
        .arg(&path)
        .args(args)
        .current_dir(root)
        .stdin(Stdio::null())
        .stderr(stderr)
        .output();
    match out {
        Ok(out) if out.status.success() => {
            Section { script, text: String::from_utf8_lossy(&out.stdout).into_owned(), failed: false }
        }
        Ok(out) => Section {
            script,
            text: format!(
                "failed ({}; see target/bench/logs/{}.log)\n{}",
                out.status,
                script.name(),
                String::from_utf8_lossy(&out.stdout)
            ),
            failed: true,
        },
        Err(e) => Section { script, text: format!("failed: cannot run bash: {e}\n"), failed: true },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_lines_are_judged_against_the_goal() {
        let s = |script, text: &str| Section { script, text: text.into(), failed: false };
        assert_eq!(s(Script::Http, "x\nratio=0.989\n").mark(), Some(Mark::Met));
        assert_eq!(s(Script::Http, "ratio /buildinfo / /static: 0.9\nratio=0.90\n").mark(), Some(Mark::Missed));
        assert_eq!(s(Script::Guard, "ratio=1.0030\n").ratio_text(), Some("1.0030"));
        assert_eq!(s(Script::Guard, "ratio=1.0030\n").mark(), Some(Mark::Met));
        assert_eq!(s(Script::Guard, "ratio=fast\n").mark(), Some(Mark::NotMeasured));
        assert_eq!(Section::not_run(Script::Guard, "skipped (--only)").mark(), Some(Mark::NotMeasured));
        assert_eq!(s(Script::Vcs, "ratio=2\n").mark(), None, "vcs has figures, no goal");
    }

    #[test]
    fn a_failing_script_is_reported_with_its_output() {
        let dir = std::env::temp_dir().join(format!("bench-sections-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("scripts/bench")).unwrap();
        std::fs::write(dir.join("scripts/bench/guard.sh"), "echo partial; echo oops >&2; exit 3\n").unwrap();
        let log = dir.join("guard.log");
        let s = run(&dir, Script::Guard, &["--quick"], &log);
        assert!(s.failed);
        assert!(s.text.starts_with("failed (exit status: 3;") && s.text.ends_with("partial\n"), "{}", s.text);
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "oops\n");
        assert_eq!(run(&dir, Script::Http, &[], &log).text, "not available yet\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
