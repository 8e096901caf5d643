//! The tables, from typed rows: on stdout (aligned columns) and in `target/bench/report.md`, with
//! the date, machine, toolchain and goals.

use crate::builds::Built;
use crate::facts::{Truth, Verdict};
use crate::goals::{self, Mark};
use crate::peers::{baseline, Fact};
use crate::sections::Section;
use crate::PROFILE;
use cargo_profile_info::harness::{aligned, markdown_table};
use std::fmt::Write;

/// Where and when the figures were measured.
#[derive(Clone, Debug)]
pub struct Context {
    /// `YYYY-MM-DD HH:MM UTC`.
    pub date: String,
    /// Cores and CPU model.
    pub machine: String,
    /// `rustc -V`, `cargo -V`.
    pub toolchain: String,
}

fn first_line(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).lines().next().unwrap_or_default().to_owned())
        .unwrap_or_else(|_| format!("{program} (not found)"))
}

impl Context {
    /// Now, this machine (`/proc/cpuinfo`), the toolchain on PATH.
    pub fn gather() -> Context {
        let cores = std::thread::available_parallelism().map_or(0, usize::from);
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let model =
            cpuinfo.lines().find_map(|l| l.strip_prefix("model name")?.split_once(": ").map(|(_, m)| m.to_owned()));
        Context {
            date: first_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
            machine: format!("{cores} cores, {}", model.unwrap_or_else(|| "unknown CPU".into())),
            toolchain: format!("{}, {}", first_line("rustc", &["-V"]), first_line("cargo", &["-V"])),
        }
    }
}

/// Everything one run measured.
pub struct Report {
    /// `--quick`.
    pub quick: bool,
    /// Where and when.
    pub context: Context,
    /// One entry per variant, in table order (each baseline among them).
    pub built: Vec<Built>,
    /// The sections measured by subcommands.
    pub sections: Vec<Section>,
    /// The true facts.
    pub truth: Truth,
}

/// One build-table row: a variant's figures, its differences to its plain baseline, the marks.
#[derive(Clone, Debug)]
pub struct BuildRow<'a> {
    /// The variant's figures.
    pub built: &'a Built,
    /// Clean-build seconds over the baseline's, rounded to the hundredth the tables print (so the
    /// mark agrees with the figure beside it).
    pub over_clean: f64,
    /// Bytes over the baseline's binary.
    pub over_size: i64,
    /// [`goals::SIZE`], [`goals::BUILD`], [`goals::RERUN`].
    pub marks: [Mark; 3],
}

impl BuildRow<'_> {
    /// Its cells, in [`BUILD_COLUMNS`]' order and then the goals'.
    fn cells(&self) -> Vec<String> {
        let b = self.built;
        let mut cells = vec![
            b.peer.name.to_owned(),
            b.version.clone(),
            format!("{:.2}", b.clean),
            format!("{:+.2}", self.over_clean),
            format!("{:.2}", b.noop),
            format!("{} of {}", b.units.rerun, b.units.total),
            b.size.to_string(),
            self.over_size.to_string(),
        ];
        cells.extend(self.marks.map(|m| m.to_string()));
        cells
    }
}

/// One column of a table rendered both ways: its head on the terminal and in the report.
#[derive(Clone, Copy, Debug)]
struct Column {
    terminal: &'static str,
    markdown: &'static str,
    /// Right-aligned in the report.
    number: bool,
}

/// The build table's figure columns; the goals' follow.
const BUILD_COLUMNS: [Column; 8] = [
    Column { terminal: "variant", markdown: "variant", number: false },
    Column { terminal: "version", markdown: "version", number: false },
    Column { terminal: "clean s", markdown: "clean build s", number: true },
    Column { terminal: "+clean s", markdown: "over plain s", number: true },
    Column { terminal: "no-op s", markdown: "no-op rebuild s", number: true },
    Column { terminal: "rerun", markdown: "units rerun", number: true },
    Column { terminal: "size B", markdown: "size B", number: true },
    Column { terminal: "+size B", markdown: "over plain B", number: true },
];

/// A table built once, rendered as aligned columns or as Markdown.
struct Table {
    columns: Vec<Column>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn with_head(&self, head: impl Fn(&Column) -> &'static str) -> Vec<Vec<String>> {
        let head = self.columns.iter().map(|c| head(c).to_owned()).collect();
        std::iter::once(head).chain(self.rows.iter().cloned()).collect()
    }

    fn terminal(&self) -> String {
        aligned(&self.with_head(|c| c.terminal))
    }

    fn markdown(&self) -> String {
        let right: Vec<usize> = self.columns.iter().enumerate().filter(|(_, c)| c.number).map(|(i, _)| i).collect();
        markdown_table(&self.with_head(|c| c.markdown), &right)
    }
}

fn strings<const N: usize>(cells: [&str; N]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

impl Report {
    /// The build rows, each against its baseline (built the same way).
    pub fn rows(&self) -> Vec<BuildRow<'_>> {
        self.built
            .iter()
            .map(|b| {
                let base = self.built.iter().find(|x| x.peer.name == baseline(b.peer)).unwrap_or(b);
                let over_clean = ((b.clean - base.clean) * 100.0).round() / 100.0;
                let over_size = b.size as i64 - base.size as i64;
                let marks = [
                    goals::SIZE.judge(Some(over_size as f64)),
                    goals::BUILD.judge(Some(over_clean)),
                    goals::RERUN.judge(Some(b.units.rerun as f64)),
                ];
                BuildRow { built: b, over_clean, over_size, marks }
            })
            .collect()
    }

    /// The build table: a row per variant, the goals' marks last.
    fn build_table(&self) -> Table {
        let goals = [goals::SIZE, goals::BUILD, goals::RERUN].map(|g| Column {
            terminal: g.column,
            markdown: g.heading,
            number: false,
        });
        Table {
            columns: BUILD_COLUMNS.into_iter().chain(goals).collect(),
            rows: self.rows().iter().map(BuildRow::cells).collect(),
        }
    }

    fn fact_columns(&self) -> Vec<&Built> {
        self.built.iter().filter(|b| b.peer.in_facts).collect()
    }

    /// The facts table: a row per fact, a column per variant, each verdict written by `cell`.
    fn facts_table(&self, cell: impl Fn(Verdict) -> String) -> Vec<Vec<String>> {
        let columns = self.fact_columns();
        let head = std::iter::once("fact".to_owned()).chain(columns.iter().map(|b| b.peer.name.to_owned()));
        let mut table = vec![head.collect()];
        for fact in Fact::ALL {
            let cells = columns.iter().map(|b| cell(self.truth.check(b.peer, b.output.as_deref(), fact)));
            table.push(std::iter::once(fact.name().to_owned()).chain(cells).collect());
        }
        table
    }

    fn section_mark(s: &Section) -> String {
        match (s.kind.goal(), s.mark()) {
            (Some(goal), Some(mark)) => format!("goal {}: {mark}", goal.heading),
            _ => "figures only".to_owned(),
        }
    }

    /// The tables for the terminal.
    pub fn terminal(&self) -> String {
        let mut out =
            format!("\n== Build cost and size (profile {PROFILE}: lto fat, codegen-units 1, strip, panic abort) ==\n");
        out.push_str(&self.build_table().terminal());
        out.push_str("\n== What each crate reports (yes = its output holds the true value) ==\n");
        out.push_str(&aligned(&self.facts_table(|v| v.word().to_owned())));
        for s in &self.sections {
            let _ = write!(out, "\n== {} — {} ==\n{}", s.kind.title(), Self::section_mark(s), s.text);
        }
        out.push('\n');
        out
    }

    /// `target/bench/report.md`.
    pub fn markdown(&self) -> String {
        let c = &self.context;
        let mut md = String::from("# profile-info: cost beside its peers\n\n");
        let quick = if self.quick { (" --quick", " (quick mode: plain and profile-info only)") } else { ("", "") };
        let _ = writeln!(md, "Measured {} by `bash scripts/bench.sh{}`{}.\n", c.date, quick.0, quick.1);
        let _ = writeln!(md, "- machine: {}", c.machine);
        let _ = writeln!(md, "- toolchain: {}", c.toolchain);
        let _ = writeln!(
            md,
            "- profile `{PROFILE}`: release + `lto = \"fat\"`, `codegen-units = 1`, `strip = true`, `panic = \"abort\"`, \
             given as `--config 'profile.{PROFILE}.…'` (the engine of `cargo profile-info compare`); `-v3` rows add \
             `-C target-cpu=x86-64-v3` (as `build.rustflags`) and `--target {}` and are compared with `plain-v3`\n",
            self.truth.host
        );
        md.push_str("## Build cost and size\n\n");
        md.push_str(
            "Clean build: an empty target dir, then `cargo build` timed (dependencies fetched before). No-op rebuild: \
             `cargo build` again, nothing changed; \"rerun\" counts the units (rustc or build-script runs) it ran again, \
             of all units. Size: the stripped binary.\n\n",
        );
        md.push_str(&self.build_table().markdown());
        md.push_str(
            "\nConfigurations: built 0.8 (default features: no git), vergen 9 (`build`, `cargo`, `rustc` instructions), \
             shadow-rs (default features), build-info + build-info-build (default features), profile-info \
             (`#[profile_info::main]`). Every main prints `hello` and everything its crate offers as `key=value` lines, \
             so sizes include that printing code; `profile-info-bare` is the attribute alone on a hello world (what \
             adding profile-info costs before any use of it).\n\n",
        );
        md.push_str("## What each crate reports\n\n");
        let _ = writeln!(
            md,
            "Each variant prints everything its crate offers as `key=value` (`target/bench/out/`); a fact is \"yes\" \
             when the key holding it has the true value: profile `{PROFILE}`, opt-level 3, lto fat, codegen-units 1, \
             strip symbols, panic abort, the target CPU (`{}` by `rustc --print target-cpus`, `x86-64-v3` for `-v3` \
             rows), the target features `rustc --print cfg` lists for the same flags, rustc {}, the package's full git \
             revision.\n",
            self.truth.default_cpu, self.truth.rustc_release
        );
        md.push_str(&markdown_table(&self.facts_table(|v| v.to_string()), &[]));
        for s in &self.sections {
            let goal = match (s.kind.goal(), s.mark()) {
                (Some(goal), Some(mark)) => format!("Goal {}: **{mark}**", goal.heading),
                _ => "Figures only, no goal.".to_owned(),
            };
            let _ = write!(md, "\n## {}\n\n{goal}\n\n```text\n{}```\n", s.kind.title(), s.text);
        }
        md.push_str("\n## Goals for profile-info\n\n");
        let mut table = vec![strings(["goal", "figure", ""])];
        for r in self.rows().iter().filter(|r| r.built.peer.name.starts_with("profile-info")) {
            let name = r.built.peer.name;
            let [size, build, rerun] = r.marks.map(|m| m.to_string());
            table.push(vec![format!("{name}: {}", goals::SIZE.line), format!("{} B", r.over_size), size]);
            table.push(vec![format!("{name}: {}", goals::BUILD.line), format!("{:+.2} s", r.over_clean), build]);
            table.push(vec![format!("{name}: {}", goals::RERUN.line), r.built.units.rerun.to_string(), rerun]);
        }
        for s in &self.sections {
            let (Some(goal), Some(mark)) = (s.kind.goal(), s.mark()) else { continue };
            let figure = s.figure().map_or("not measured".to_owned(), |f| f.to_string());
            table.push(vec![format!("{}: {}", s.kind.title(), goal.line), figure, mark.to_string()]);
        }
        md.push_str(&markdown_table(&table, &[]));
        md
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builds::Units;
    use crate::peers::peer;
    use crate::sections::Kind;

    fn built(name: &str, clean: f64, units: Units, size: u64, output: Option<&str>) -> Built {
        Built {
            peer: peer(name).unwrap(),
            version: if name == "plain" { "-".into() } else { "0.1.0".into() },
            clean,
            noop: 0.02,
            units,
            size,
            output: output.map(str::to_owned),
        }
    }

    fn report() -> Report {
        let pi = "hello\nprofile.name=production\nprofile.opt_level=3\nprofile.lto=thin\n";
        Report {
            quick: true,
            context: Context {
                date: "2026-11-25 10:00 UTC".into(),
                machine: "2 cores, Test CPU".into(),
                toolchain: "rustc 1.95.0, cargo 1.95.0".into(),
            },
            built: vec![
                built("plain", 2.381, Units { rerun: 0, total: 1 }, 302_368, Some("hello\n")),
                built("profile-info", 5.194, Units { rerun: 1, total: 10 }, 305_000, Some(pi)),
            ],
            sections: vec![
                Section { kind: Kind::Http, text: "round 1\nratio=0.989\n".into(), failed: false },
                Section::not_run(Kind::Guard, "skipped (--only)"),
                Section::not_run(Kind::Vcs, "skipped (--quick)"),
            ],
            truth: Truth {
                rustc_release: "1.95.0".into(),
                host: "x86_64-unknown-linux-gnu".into(),
                revision: "abc".into(),
                default_cpu: "x86-64".into(),
                features: "sse2".into(),
                features_v3: "avx2".into(),
            },
        }
    }

    #[test]
    fn rows_are_judged_against_their_baseline() {
        let r = report();
        let rows = r.rows();
        assert_eq!((rows[0].over_clean, rows[0].over_size, rows[0].marks), (0.0, 0, [Mark::Met; 3]));
        assert_eq!(rows[1].over_clean, 2.81);
        assert_eq!(rows[1].over_size, 2632);
        assert_eq!(rows[1].marks, [Mark::Met, Mark::Met, Mark::Missed]);
    }

    #[test]
    fn markdown_holds_every_table() {
        let md = report().markdown();
        for line in [
            "Measured 2026-11-25 10:00 UTC by `bash scripts/bench.sh --quick` (quick mode: plain and profile-info only).",
            "- machine: 2 cores, Test CPU",
            "| variant | version | clean build s | over plain s | no-op rebuild s | units rerun | size B | over plain B \
             | size ≤ 4 KiB over plain | clean build ≤ +5 s | 0 units rerun |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |",
            "| plain | - | 2.38 | +0.00 | 0.02 | 0 of 1 | 302368 | 0 | met | met | met |",
            "| profile-info | 0.1.0 | 5.19 | +2.81 | 0.02 | 1 of 10 | 305000 | 2632 | met | met | missed |",
            "| fact | plain | profile-info |",
            "| profile | no | yes |",
            "| lto | no | no (says `thin`) |",
            "Goal ≥ 0.95× static: **met**",
            "Goal ≤ 1.01× without: **not measured**",
            "Figures only, no goal.",
            "| profile-info: size over plain ≤ 4 KiB | 2632 B | met |",
            "| profile-info: clean build ≤ +5 s over plain | +2.81 s | met |",
            "| profile-info: 0 units rerun on a no-op build | 1 | missed |",
            "| HTTP throughput (/buildinfo over a static handler): ≥ 0.95× static | 0.989× | met |",
            "| Guard cost (v3 hello start, with guard over without): ≤ 1.01× without | not measured | not measured |",
        ] {
            assert!(md.lines().any(|l| l == line), "no line {line:?} in:\n{md}");
        }
        assert!(md.contains("```text\nround 1\nratio=0.989\n```"), "{md}");
        assert!(!md.lines().any(|l| l.starts_with("| Dirty check")), "vcs has no goal line:\n{md}");
    }

    #[test]
    fn terminal_tables_are_aligned() {
        let out = report().terminal();
        assert!(out.contains(
            "variant       version  clean s  +clean s  no-op s  rerun    size B  +size B  size<=4KiB  build<=+5s  rerun=0\n\
             plain         -        2.38     +0.00     0.02     0 of 1   302368  0        met         met         met\n\
             profile-info  0.1.0    5.19     +2.81     0.02     1 of 10  305000  2632     met         met         missed\n"
        ), "{out}");
        assert!(out.contains("fact           plain  profile-info\nprofile        no     yes\n"), "{out}");
        assert!(out.contains("== HTTP throughput (/buildinfo over a static handler) — goal ≥ 0.95× static: met ==\n"));
        assert!(out.contains("— figures only ==\nskipped (--quick)\n"), "{out}");
    }
}
