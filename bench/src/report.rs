//! The tables: on stdout (aligned columns) and in `target/bench/report.md`, with the goals.

use crate::facts::Truth;
use crate::peers::{baseline, FACTS};
use crate::{Built, Section, PROFILE};
use std::fmt::Write;

/// The sections other scripts measure, in report order.
pub const EXTERNAL: [&str; 2] = ["http", "guard"];

const GOAL_SIZE: i64 = 4096;
const GOAL_BUILD: f64 = 5.0;
const GOAL_NOOP_UNITS: usize = 0;
const GOAL_HTTP: f64 = 0.95;
const GOAL_GUARD: f64 = 1.01;

/// Everything the run measured.
pub struct Report {
    /// `--quick`.
    pub quick: bool,
    /// One entry per variant, in table order.
    pub built: Vec<Built>,
    /// The external sections.
    pub sections: Vec<Section>,
    /// The true facts.
    pub truth: Truth,
}

fn mark(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "missed"
    }
}

/// One build-table row: the variant's figures, its differences to its plain baseline, the marks.
struct BuildRow {
    cells: [String; 12],
}

fn title(name: &str) -> &'static str {
    match name {
        "http" => "HTTP throughput (/buildinfo over a static handler)",
        _ => "Guard cost (v3 hello start, with guard over without)",
    }
}

fn goal_text(name: &str) -> String {
    match name {
        "http" => format!("≥ {GOAL_HTTP}× static"),
        _ => format!("≤ {GOAL_GUARD}× without"),
    }
}

fn goal(section: &Section) -> &'static str {
    match (section.ratio(), section.name) {
        (None, _) => "not measured",
        (Some(r), "http") => mark(r >= GOAL_HTTP),
        (Some(r), _) => mark(r <= GOAL_GUARD),
    }
}

/// Columns separated by two spaces, each as wide as its widest cell.
fn aligned(rows: &[Vec<String>]) -> String {
    let width = |c: usize| rows.iter().map(|r| r.get(c).map_or(0, |s| s.chars().count())).max().unwrap_or(0);
    let widths: Vec<usize> = (0..rows[0].len()).map(width).collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}", w = *w)).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// Today's date and time as `YYYY-MM-DD HH:MM UTC`, from `date`.
fn now_utc() -> String {
    std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo.lines().find_map(|l| l.strip_prefix("model name")?.split_once(": ").map(|(_, m)| m.to_owned()));
    format!("{cores} cores, {}", model.unwrap_or_else(|| "unknown CPU".into()))
}

fn version(tool: &str) -> String {
    std::process::Command::new(tool)
        .arg("-V")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|_| format!("{tool} (not found)"))
}

impl Report {
    fn rows(&self) -> Vec<BuildRow> {
        self.built
            .iter()
            .map(|b| {
                let base = self.built.iter().find(|x| x.peer.name == baseline(b.peer)).expect("baselines are built");
                let dclean = b.clean - base.clean;
                let dsize = b.size as i64 - base.size as i64;
                BuildRow {
                    cells: [
                        b.peer.name.to_owned(),
                        b.version.clone(),
                        format!("{:.2}", b.clean),
                        format!("{dclean:+.2}"),
                        format!("{:.2}", b.noop),
                        b.rerun.to_string(),
                        b.units.to_string(),
                        b.size.to_string(),
                        dsize.to_string(),
                        mark(dsize <= GOAL_SIZE).into(),
                        mark(format!("{dclean:.2}").parse::<f64>().unwrap_or(dclean) <= GOAL_BUILD).into(),
                        mark(b.rerun == GOAL_NOOP_UNITS).into(),
                    ],
                }
            })
            .collect()
    }

    fn fact_columns(&self) -> Vec<&Built> {
        self.built.iter().filter(|b| b.peer.in_facts).collect()
    }

    /// The tables for the terminal.
    pub fn stdout(&self) -> String {
        let mut out =
            format!("\n== Build cost and size (profile {PROFILE}: lto fat, codegen-units 1, strip, panic abort) ==\n");
        let mut table = vec![[
            "variant",
            "version",
            "clean s",
            "+clean s",
            "no-op s",
            "rerun",
            "units",
            "size B",
            "+size B",
            "size<=4KiB",
            "build<=+5s",
            "rerun=0",
        ]
        .map(str::to_owned)
        .to_vec()];
        table.extend(self.rows().into_iter().map(|r| r.cells.to_vec()));
        out.push_str(&aligned(&table));
        out.push_str("\n== What each crate reports (yes = its output holds the true value) ==\n");
        let columns = self.fact_columns();
        let mut facts = vec![std::iter::once("fact".to_owned())
            .chain(columns.iter().map(|b| b.peer.name.to_owned()))
            .collect::<Vec<_>>()];
        for fact in FACTS {
            let cells = columns.iter().map(|b| {
                let said = self.truth.check(b.peer, b.output.as_deref(), fact);
                said.split(' ').next().unwrap_or_default().to_owned()
            });
            facts.push(std::iter::once(fact.to_owned()).chain(cells).collect());
        }
        out.push_str(&aligned(&facts));
        for s in &self.sections {
            let _ = write!(out, "\n== {} — goal {}: {} ==\n{}", title(s.name), goal_text(s.name), goal(s), s.text);
        }
        out.push('\n');
        out
    }

    /// `target/bench/report.md`.
    pub fn markdown(&self) -> String {
        let mut md = String::from("# profile-info: cost beside its peers\n\n");
        let quick = if self.quick { (" --quick", " (quick mode: plain and profile-info only)") } else { ("", "") };
        let _ = writeln!(md, "Measured {} by `bash scripts/bench.sh{}`{}.\n", now_utc(), quick.0, quick.1);
        let _ = writeln!(md, "- machine: {}", machine());
        let _ = writeln!(md, "- toolchain: {}, {}", version("rustc"), version("cargo"));
        let _ = writeln!(
            md,
            "- profile `{PROFILE}`: release + `lto = \"fat\"`, `codegen-units = 1`, `strip = true`, `panic = \"abort\"`, \
             given as `--config 'profile.{PROFILE}.…'` (the engine of `cargo profile-info compare`); `-v3` rows add \
             `-C target-cpu=x86-64-v3` (as `build.rustflags`) and `--target x86_64-unknown-linux-gnu` and are compared with `plain-v3`\n"
        );
        md.push_str("## Build cost and size\n\n");
        md.push_str("Clean build: an empty target dir, then `cargo build` timed (dependencies fetched before). No-op rebuild: `cargo build` again, nothing changed; \"rerun\" counts the units (rustc or build-script runs) it ran again, of all units. Size: the stripped binary.\n\n");
        md.push_str("| variant | version | clean build s | over plain s | no-op rebuild s | units rerun | size B | over plain B | size ≤ 4 KiB over plain | clean build ≤ +5 s | 0 units rerun |\n");
        md.push_str("|---|---|---:|---:|---:|---:|---:|---:|---|---|---|\n");
        for r in self.rows() {
            let c = &r.cells;
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} of {} | {} | {} | {} | {} | {} |",
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11]
            );
        }
        md.push_str("\nConfigurations: built 0.8 (default features: no git), vergen 9 (`build`, `cargo`, `rustc` instructions), shadow-rs (default features), build-info + build-info-build (default features), profile-info (`#[profile_info::main]`). Every main prints `hello` and everything its crate offers as `key=value` lines, so sizes include that printing code; `profile-info-bare` is the attribute alone on a hello world (what adding profile-info costs before any use of it).\n\n");
        md.push_str("## What each crate reports\n\n");
        let _ = writeln!(
            md,
            "Each variant prints everything its crate offers as `key=value` (`target/bench/out/`); a fact is \"yes\" when the key holding it has the true value: profile `{PROFILE}`, opt-level 3, lto fat, codegen-units 1, strip symbols, panic abort, the target CPU, the target features `rustc --print cfg` lists for the same flags, rustc {}, the package's full git revision.\n",
            self.truth.rustc_release()
        );
        let columns = self.fact_columns();
        let _ = writeln!(md, "| fact |{}", columns.iter().map(|b| format!(" {} |", b.peer.name)).collect::<String>());
        let _ = writeln!(md, "|---|{}", "---|".repeat(columns.len()));
        for fact in FACTS {
            let cells: String =
                columns.iter().map(|b| format!(" {} |", self.truth.check(b.peer, b.output.as_deref(), fact))).collect();
            let _ = writeln!(md, "| {fact} |{cells}");
        }
        for s in &self.sections {
            let _ = write!(
                md,
                "\n## {}\n\nGoal {}: **{}**\n\n```text\n{}```\n",
                title(s.name),
                goal_text(s.name),
                goal(s),
                s.text
            );
        }
        md.push_str("\n## Goals for profile-info\n\n| goal | figure | |\n|---|---|---|\n");
        for r in self.rows().iter().filter(|r| r.cells[0].starts_with("profile-info")) {
            let c = &r.cells;
            let _ = writeln!(md, "| {}: size over plain ≤ 4 KiB | {} B | {} |", c[0], c[8], c[9]);
            let _ = writeln!(md, "| {}: clean build ≤ +5 s over plain | {} s | {} |", c[0], c[3], c[10]);
            let _ = writeln!(md, "| {}: 0 units rerun on a no-op build | {} | {} |", c[0], c[5], c[11]);
        }
        for s in &self.sections {
            let ratio = s.ratio_text().map_or("not measured".to_owned(), |r| format!("{r}×"));
            let _ = writeln!(md, "| {}: {} | {ratio} | {} |", title(s.name), goal_text(s.name), goal(s));
        }
        md
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_and_dates_are_read() {
        let rows = vec![vec!["a".to_owned(), "bb".to_owned()], vec!["ccc".to_owned(), "d".to_owned()]];
        assert_eq!(aligned(&rows), "a    bb\nccc  d\n");
        let now = now_utc();
        assert!(now.len() == 20 && now.ends_with(" UTC") && now.starts_with("20"), "{now}");
    }

    #[test]
    fn goals_read_the_ratio_line() {
        let s = |name, text: &str| Section { name, text: text.into(), failed: false };
        assert_eq!(goal(&s("http", "x\nratio=0.989\n")), "met");
        assert_eq!(goal(&s("http", "ratio=0.90\n")), "missed");
        assert_eq!(goal(&s("guard", "ratio=1.0030\n")), "met");
        assert_eq!(goal(&s("guard", "skipped (--only)\n")), "not measured");
    }
}
