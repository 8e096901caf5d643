//! The sections measured in a process of their own: a script (`scripts/bench/NAME.sh`) or this
//! tool's subcommand `NAME` ([`Script::in_tool`]). Each prints what it likes, a section with a goal
//! one `KEY=NUMBER` line judged against it ([`Judged`]); the rest is copied into the report.

use crate::goals::{self, Goal, Mark};
use std::fmt;
use std::path::Path;
use std::process::{Command, Stdio};

/// One section's script or subcommand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Script {
    /// `/buildinfo`'s throughput beside a static handler, under wrk.
    Http,
    /// The CPU guard's cost at process start, under hyperfine.
    Guard,
    /// The edit-compile cycle in a small repository, under hyperfine ([`crate::edit`]).
    Edit,
    /// The dirty check's cost in a large repository, under hyperfine ([`crate::vcs`]).
    Vcs,
}

impl Script {
    /// Every script, in report order.
    pub const ALL: [Script; 4] = [Script::Http, Script::Guard, Script::Edit, Script::Vcs];

    /// `scripts/bench/NAME.sh`, or the subcommand.
    pub fn name(self) -> &'static str {
        match self {
            Script::Http => "http",
            Script::Guard => "guard",
            Script::Edit => "edit",
            Script::Vcs => "vcs",
        }
    }

    /// Measured by this tool's subcommand of its name rather than by a script.
    pub fn in_tool(self) -> bool {
        matches!(self, Script::Edit | Script::Vcs)
    }

    /// The command that measures it, as a user types it.
    pub fn command(self) -> String {
        if self.in_tool() {
            format!("bash scripts/bench.sh {}", self.name())
        } else {
            format!("bash scripts/bench/{}.sh", self.name())
        }
    }

    /// The section's title.
    pub fn title(self) -> &'static str {
        match self {
            Script::Http => "HTTP throughput (/buildinfo over a static handler)",
            Script::Guard => "Guard cost (v3 hello start, with guard over without)",
            Script::Edit => "Edit-compile cycle (small repository, dev: touch src/main.rs, cargo build; goal judged as from crates.io)",
            Script::Vcs => "Dirty check cost (git status and an edit-compile cycle in a 60,000-file repository)",
        }
    }

    /// The goal it is judged against and the line that states its figure; `None` for figures only.
    pub fn judged(self) -> Option<(Goal, Judged)> {
        match self {
            Script::Http => Some((goals::HTTP, Judged::Ratio)),
            Script::Guard => Some((goals::GUARD, Judged::Ratio)),
            Script::Edit => Some((goals::EDIT, Judged::OverPlainMs)),
            Script::Vcs => None,
        }
    }

    /// The goal it is judged against; `None` for figures only.
    pub fn goal(self) -> Option<Goal> {
        self.judged().map(|(goal, _)| goal)
    }

    /// The tool it measures with, installed when missing.
    pub fn tool(self) -> &'static str {
        match self {
            Script::Http => "wrk",
            Script::Guard | Script::Edit | Script::Vcs => "hyperfine",
        }
    }
}

/// The line a script states its judged figure in: `KEY=NUMBER`, the last such line counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Judged {
    /// `ratio=NUMBER`: the figure over its baseline's, printed `0.989×`.
    Ratio,
    /// `over_plain_ms=NUMBER`: milliseconds over the plain baseline, printed `+28.4 ms`.
    OverPlainMs,
}

impl Judged {
    /// The key before `=`.
    pub fn key(self) -> &'static str {
        match self {
            Judged::Ratio => "ratio",
            Judged::OverPlainMs => "over_plain_ms",
        }
    }

    /// The number as the tables print it, with its unit.
    fn show(self, number: &str) -> String {
        match self {
            Judged::Ratio => format!("{number}×"),
            Judged::OverPlainMs if number.starts_with(['-', '+']) => format!("{number} ms"),
            Judged::OverPlainMs => format!("+{number} ms"),
        }
    }
}

/// A script's judged figure, as it printed it.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// Which line it came from.
    pub judged: Judged,
    /// The text after `=`, trimmed.
    pub text: String,
    /// That text as a number; `None` when it is not one (then the goal is not measured).
    pub value: Option<f64>,
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.judged.show(&self.text))
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

    /// The figure its goal is judged on, from its last `KEY=` line; `None` when it has no goal or
    /// printed no such line.
    pub fn figure(&self) -> Option<Figure> {
        let (_, judged) = self.script.judged()?;
        let text = self.text.lines().rev().find_map(|l| l.strip_prefix(judged.key())?.strip_prefix('='))?.trim();
        let value = text.parse::<f64>().ok().filter(|v| v.is_finite());
        Some(Figure { judged, text: text.to_owned(), value })
    }

    /// The figure judged against the script's goal; `None` when it has none.
    pub fn mark(&self) -> Option<Mark> {
        let goal = self.script.goal()?;
        Some(goal.judge(self.figure().and_then(|f| f.value)))
    }
}

/// Runs `scripts/bench/NAME.sh`, or this tool's subcommand `NAME`, from `root` with `args`, its
/// stderr to `log`, for 20 minutes at most.
pub fn run(root: &Path, script: Script, args: &[&str], log: &Path) -> Section {
    let mut command = Command::new("timeout");
    command.arg("1200");
    if script.in_tool() {
        match std::env::current_exe() {
            Ok(tool) => command.arg(tool).arg(script.name()),
            Err(e) => return Section { script, text: format!("failed: cannot find this tool: {e}\n"), failed: true },
        };
    } else {
        let path = root.join(format!("scripts/bench/{}.sh", script.name()));
        if !path.is_file() {
            return Section::not_run(script, "not available yet");
        }
        command.arg("bash").arg(path);
    }
    let stderr = std::fs::File::create(log).map(Stdio::from).unwrap_or_else(|_| Stdio::null());
    let out = command.args(args).current_dir(root).stdin(Stdio::null()).stderr(stderr).output();
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
        Err(e) => Section { script, text: format!("failed: cannot run {}: {e}\n", script.command()), failed: true },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(script: Script, text: &str) -> Section {
        Section { script, text: text.into(), failed: false }
    }

    #[test]
    fn ratio_lines_are_judged_against_the_goal() {
        assert_eq!(s(Script::Http, "x\nratio=0.989\n").mark(), Some(Mark::Met));
        assert_eq!(s(Script::Http, "ratio /buildinfo / /static: 0.9\nratio=0.90\n").mark(), Some(Mark::Missed));
        let figure = s(Script::Guard, "ratio=1.0030\n").figure().unwrap();
        assert_eq!((figure.text.as_str(), figure.value, figure.to_string()), ("1.0030", Some(1.003), "1.0030×".into()));
        assert_eq!(s(Script::Guard, "ratio=1.0030\n").mark(), Some(Mark::Met));
        assert_eq!(s(Script::Guard, "ratio=fast\n").mark(), Some(Mark::NotMeasured));
        assert_eq!(s(Script::Guard, "ratio=fast\n").figure().unwrap().to_string(), "fast×");
        assert_eq!(s(Script::Guard, "ratio=NaN\n").mark(), Some(Mark::NotMeasured), "not a figure");
        assert_eq!(Section::not_run(Script::Guard, "skipped (--only)").mark(), Some(Mark::NotMeasured));
        assert_eq!(Section::not_run(Script::Guard, "skipped (--only)").figure(), None);
        assert_eq!(s(Script::Vcs, "ratio=2\n").mark(), None, "vcs has figures, no goal");
        assert_eq!(s(Script::Vcs, "ratio=2\n").figure(), None);
    }

    #[test]
    fn milliseconds_over_plain_are_judged_against_the_edit_goal() {
        let text = "variant  median ms  +plain ms\nplain  78.3  +0.0\nattribute  106.7  +28.4\nover_plain_ms=28.4\n";
        let figure = s(Script::Edit, text).figure().unwrap();
        assert_eq!(figure, Figure { judged: Judged::OverPlainMs, text: "28.4".into(), value: Some(28.4) });
        assert_eq!(figure.to_string(), "+28.4 ms");
        assert_eq!(s(Script::Edit, text).mark(), Some(Mark::Missed));
        assert_eq!(s(Script::Edit, "over_plain_ms=9.7\n").mark(), Some(Mark::Met));
        assert_eq!(s(Script::Edit, "over_plain_ms=10.0\n").mark(), Some(Mark::Met), "the limit is inclusive");
        let faster = s(Script::Edit, "over_plain_ms=-1.5\n");
        assert_eq!((faster.mark(), faster.figure().unwrap().to_string()), (Some(Mark::Met), "-1.5 ms".into()));
        assert_eq!(s(Script::Edit, "over_plain_ms=\n").mark(), Some(Mark::NotMeasured));
        // Another script's key, or one this key only begins, is not the edit figure.
        assert_eq!(s(Script::Edit, "ratio=1.2\nover_plain_ms_min=3\n").figure(), None);
        assert_eq!(s(Script::Edit, "ratio=1.2\n").mark(), Some(Mark::NotMeasured));
        assert_eq!(s(Script::Http, "over_plain_ms=3\n").mark(), Some(Mark::NotMeasured));
        assert_eq!(
            s(Script::Edit, "over_plain_ms=40\nover_plain_ms=5\n").mark(),
            Some(Mark::Met),
            "the last line counts"
        );
    }

    #[test]
    fn each_judged_script_prints_its_key() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        // The subcommands print theirs through `Judged::key` (edit's: `rounds::render`).
        for script in Script::ALL.into_iter().filter(|s| !s.in_tool()) {
            let Some((_, judged)) = script.judged() else { continue };
            let path = root.join(format!("scripts/bench/{}.sh", script.name()));
            let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let printed = format!("\"{}=", judged.key());
            let code = |needle: &str| source.lines().any(|l| !l.trim_start().starts_with('#') && l.contains(needle));
            assert!(code(&printed), "{} prints no {printed}… line", path.display());
        }
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
