//! The sections measured in a process of their own: this tool again, with the subcommand of the
//! section's name. Each prints what it likes, a section with a goal one `KEY=NUMBER` line judged
//! against it ([`Judged`]); the rest is copied into the report.

use crate::goals::{self, Goal, Mark};
use std::fmt;
use std::path::Path;
use std::process::{Command, Stdio};

/// One section measured by a subcommand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `/buildinfo`'s throughput beside a static handler, under wrk ([`crate::http`]).
    Http,
    /// The CPU guard's cost at process start, under hyperfine ([`crate::guard`]).
    Guard,
    /// The edit-compile cycle in a small repository, under hyperfine ([`crate::edit`]).
    Edit,
    /// The dirty check's cost in a large repository, under hyperfine ([`crate::vcs`]).
    Vcs,
    /// `inspect`'s instruction scan of a large binary, beside `objdump -d` ([`crate::isa`]).
    Isa,
    /// compare's ladder built as compare builds it beside each rung from nothing ([`crate::ladder`]).
    Ladder,
}

impl Kind {
    /// Every section, in report order.
    pub const ALL: [Kind; 6] = [Kind::Http, Kind::Guard, Kind::Edit, Kind::Vcs, Kind::Isa, Kind::Ladder];

    /// The subcommand.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Http => "http",
            Kind::Guard => "guard",
            Kind::Edit => "edit",
            Kind::Vcs => "vcs",
            Kind::Isa => "isa",
            Kind::Ladder => "ladder",
        }
    }

    /// The command that measures it, as a user types it.
    pub fn command(self) -> String {
        format!("bash scripts/bench.sh {}", self.name())
    }

    /// The section's title.
    pub fn title(self) -> &'static str {
        match self {
            Kind::Http => "HTTP throughput (/buildinfo over a static handler)",
            Kind::Guard => "Guard cost (v3 hello start, with guard over without)",
            Kind::Edit => "Edit-compile cycle (small repository, dev: touch src/main.rs, cargo build; goal judged as from crates.io)",
            Kind::Vcs => "Dirty check cost (git status and an edit-compile cycle in a 60,000-file repository)",
            Kind::Isa => "ISA scan (inspect on the toolchain's cargo binary, beside objdump -d)",
            Kind::Ladder => "compare's ladder (wall time and peak size beside each rung built from nothing)",
        }
    }

    /// The goal it is judged against and the line that states its figure; `None` for figures only.
    pub fn judged(self) -> Option<(Goal, Judged)> {
        match self {
            Kind::Http => Some((goals::HTTP, Judged::Ratio)),
            Kind::Guard => Some((goals::GUARD, Judged::Ratio)),
            Kind::Edit => Some((goals::EDIT, Judged::OverPlainMs)),
            Kind::Ladder => Some((goals::LADDER, Judged::Ratio)),
            Kind::Vcs => None,
            Kind::Isa => Some((goals::ISA, Judged::Seconds)),
        }
    }

    /// The goal it is judged against; `None` for figures only.
    pub fn goal(self) -> Option<Goal> {
        self.judged().map(|(goal, _)| goal)
    }

    /// The tools it measures with (`scripts/bench.sh` installs them).
    pub fn tools(self) -> &'static [&'static str] {
        match self {
            Kind::Http => &["wrk", "curl"],
            Kind::Guard => &["hyperfine"],
            Kind::Edit | Kind::Vcs => &["hyperfine", "git"],
            // objdump comes with binutils, which the test suite installs.
            Kind::Isa => &[],
            Kind::Ladder => &[],
        }
    }
}

/// The line a section states its judged figure in: `KEY=NUMBER`, the last such line counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Judged {
    /// `ratio=NUMBER`: the figure over its baseline's, printed `0.989×`.
    Ratio,
    /// `over_plain_ms=NUMBER`: milliseconds over the plain baseline, printed `+28.4 ms`.
    OverPlainMs,
    /// `scan_s=NUMBER`: seconds, printed `0.412 s`.
    Seconds,
}

impl Judged {
    /// The key before `=`.
    pub fn key(self) -> &'static str {
        match self {
            Judged::Ratio => "ratio",
            Judged::OverPlainMs => "over_plain_ms",
            Judged::Seconds => "scan_s",
        }
    }

    /// The number as the tables print it, with its unit.
    fn show(self, number: &str) -> String {
        match self {
            Judged::Ratio => format!("{number}×"),
            Judged::OverPlainMs if number.starts_with(['-', '+']) => format!("{number} ms"),
            Judged::OverPlainMs => format!("+{number} ms"),
            Judged::Seconds => format!("{number} s"),
        }
    }
}

/// A section's judged figure, as it printed it.
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

/// What one section printed (or why it did not run).
#[derive(Clone, Debug)]
pub struct Section {
    /// Which section.
    pub kind: Kind,
    /// Its stdout, or why there is none.
    pub text: String,
    /// It exited non-zero (the run then exits 1 once the report is written).
    pub failed: bool,
}

impl Section {
    /// A section that did not run, and why.
    pub fn not_run(kind: Kind, why: &str) -> Section {
        Section { kind, text: format!("{why}\n"), failed: false }
    }

    /// The figure its goal is judged on, from its last `KEY=` line; `None` when it has no goal or
    /// printed no such line.
    pub fn figure(&self) -> Option<Figure> {
        let (_, judged) = self.kind.judged()?;
        let text = self.text.lines().rev().find_map(|l| l.strip_prefix(judged.key())?.strip_prefix('='))?.trim();
        let value = text.parse::<f64>().ok().filter(|v| v.is_finite());
        Some(Figure { judged, text: text.to_owned(), value })
    }

    /// The figure judged against the section's goal; `None` when it has none.
    pub fn mark(&self) -> Option<Mark> {
        let goal = self.kind.goal()?;
        Some(goal.judge(self.figure().and_then(|f| f.value)))
    }
}

/// Runs this tool's subcommand for `kind` from `root` with `args`, its stderr to `log`, for 20
/// minutes at most.
pub fn run(root: &Path, kind: Kind, args: &[&str], log: &Path) -> Section {
    let tool = match std::env::current_exe() {
        Ok(tool) => tool,
        Err(e) => return Section { kind, text: format!("failed: cannot find this tool: {e}\n"), failed: true },
    };
    let mut command = Command::new("timeout");
    command.arg("1200").arg(tool).arg(kind.name()).args(args).current_dir(root);
    capture(kind, command, log)
}

/// Runs `command` as `kind`'s section: its stdout the section's text, its stderr to `log`.
fn capture(kind: Kind, mut command: Command, log: &Path) -> Section {
    let stderr = std::fs::File::create(log).map(Stdio::from).unwrap_or_else(|_| Stdio::null());
    let out = command.stdin(Stdio::null()).stderr(stderr).output();
    match out {
        Ok(out) if out.status.success() => {
            Section { kind, text: String::from_utf8_lossy(&out.stdout).into_owned(), failed: false }
        }
        Ok(out) => Section {
            kind,
            text: format!(
                "failed ({}; see target/bench/logs/{}.log)\n{}",
                out.status,
                kind.name(),
                String::from_utf8_lossy(&out.stdout)
            ),
            failed: true,
        },
        Err(e) => Section { kind, text: format!("failed: cannot run {}: {e}\n", kind.command()), failed: true },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(kind: Kind, text: &str) -> Section {
        Section { kind, text: text.into(), failed: false }
    }

    #[test]
    fn ratio_lines_are_judged_against_the_goal() {
        assert_eq!(s(Kind::Http, "x\nratio=0.989\n").mark(), Some(Mark::Met));
        assert_eq!(s(Kind::Http, "ratio /buildinfo / /static: 0.9\nratio=0.90\n").mark(), Some(Mark::Missed));
        let figure = s(Kind::Guard, "ratio=1.0030\n").figure().unwrap();
        assert_eq!((figure.text.as_str(), figure.value, figure.to_string()), ("1.0030", Some(1.003), "1.0030×".into()));
        assert_eq!(s(Kind::Guard, "ratio=1.0030\n").mark(), Some(Mark::Met));
        assert_eq!(s(Kind::Guard, "ratio=fast\n").mark(), Some(Mark::NotMeasured));
        assert_eq!(s(Kind::Guard, "ratio=fast\n").figure().unwrap().to_string(), "fast×");
        assert_eq!(s(Kind::Guard, "ratio=NaN\n").mark(), Some(Mark::NotMeasured), "not a figure");
        assert_eq!(Section::not_run(Kind::Guard, "skipped (--only)").mark(), Some(Mark::NotMeasured));
        assert_eq!(Section::not_run(Kind::Guard, "skipped (--only)").figure(), None);
        assert_eq!(s(Kind::Vcs, "ratio=2\n").mark(), None, "vcs has figures, no goal");
        assert_eq!(s(Kind::Vcs, "ratio=2\n").figure(), None);
        assert_eq!(s(Kind::Isa, "scan_s=0.654\n").mark(), Some(Mark::Met));
        assert_eq!(s(Kind::Isa, "scan_s=1.2\n").figure().unwrap().to_string(), "1.2 s");
    }

    #[test]
    fn milliseconds_over_plain_are_judged_against_the_edit_goal() {
        let text = "variant  median ms  +plain ms\nplain  78.3  +0.0\nattribute  106.7  +28.4\nover_plain_ms=28.4\n";
        let figure = s(Kind::Edit, text).figure().unwrap();
        assert_eq!(figure, Figure { judged: Judged::OverPlainMs, text: "28.4".into(), value: Some(28.4) });
        assert_eq!(figure.to_string(), "+28.4 ms");
        assert_eq!(s(Kind::Edit, text).mark(), Some(Mark::Missed));
        assert_eq!(s(Kind::Edit, "over_plain_ms=9.7\n").mark(), Some(Mark::Met));
        assert_eq!(s(Kind::Edit, "over_plain_ms=10.0\n").mark(), Some(Mark::Met), "the limit is inclusive");
        let faster = s(Kind::Edit, "over_plain_ms=-1.5\n");
        assert_eq!((faster.mark(), faster.figure().unwrap().to_string()), (Some(Mark::Met), "-1.5 ms".into()));
        assert_eq!(s(Kind::Edit, "over_plain_ms=\n").mark(), Some(Mark::NotMeasured));
        // Another section's key, or one this key only begins, is not the edit figure.
        assert_eq!(s(Kind::Edit, "ratio=1.2\nover_plain_ms_min=3\n").figure(), None);
        assert_eq!(s(Kind::Edit, "ratio=1.2\n").mark(), Some(Mark::NotMeasured));
        assert_eq!(s(Kind::Http, "over_plain_ms=3\n").mark(), Some(Mark::NotMeasured));
        assert_eq!(
            s(Kind::Edit, "over_plain_ms=40\nover_plain_ms=5\n").mark(),
            Some(Mark::Met),
            "the last line counts"
        );
    }

    #[test]
    fn a_failing_section_is_reported_with_its_output() {
        let dir = std::env::temp_dir().join(format!("bench-sections-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("guard.log");
        let mut command = Command::new("bash");
        command.args(["-c", "echo partial; echo oops >&2; exit 3"]);
        let s = capture(Kind::Guard, command, &log);
        assert!(s.failed);
        assert!(s.text.starts_with("failed (exit status: 3; see target/bench/logs/guard.log)"), "{}", s.text);
        assert!(s.text.ends_with("partial\n"), "{}", s.text);
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "oops\n");
        let s = capture(Kind::Http, Command::new("/no/such/tool"), &log);
        assert!(s.failed && s.text.starts_with("failed: cannot run bash scripts/bench.sh http:"), "{}", s.text);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
