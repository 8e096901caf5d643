//! The results: one row per variant, written as `report.json`, `report.md` and a terminal table.

use super::ladder::{LeftOut, BASELINE};
use super::measure::{Metric, Paired, Spread, Verdict, CONFIDENCE};
use serde_json::{json, Value as Json};
use std::path::PathBuf;

/// Server figures of one variant (`--serve`).
#[derive(Clone, Debug, PartialEq)]
pub struct Served {
    /// wrk's requests/s, one per sample.
    pub requests_per_second: Vec<f64>,
    /// wrk's p99 latency in ms, one per sample.
    pub latency_p99_ms: Vec<f64>,
}

/// What proves a row's facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proof {
    /// The document `#[profile_info::main]` embeds in the file.
    Document,
    /// rustc's command line for the binary's crate (the target features as rustc enables them for
    /// it), and what the file itself shows (strip, panic).
    CommandLine,
}

impl Proof {
    /// Its name in the table and in `report.json`.
    pub fn word(self) -> &'static str {
        match self {
            Proof::Document => "document",
            Proof::CommandLine => "rustc command line + file",
        }
    }
}

/// One measured variant.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The variant's name.
    pub name: String,
    /// Its settings on top of release, as text.
    pub settings: String,
    /// The binary kept under the out dir, relative to it.
    pub binary: PathBuf,
    /// The file's size.
    pub size_bytes: u64,
    /// How much of the file is DWARF debug information (`.debug_*` sections).
    pub debuginfo_bytes: u64,
    /// The build's wall-clock time (both builds for PGO), one per `--build-runs`.
    pub build_seconds: Vec<f64>,
    /// The document read back out of the file, or made from rustc's command line and the file.
    pub document: Json,
    /// Which of the two the document is.
    pub proof: Proof,
    /// One sample per round in the report's metric: wall-clock seconds per run, instructions per
    /// run, or with `--serve` wrk's average latency per load run.
    pub samples: Vec<f64>,
    /// With `--serve`, requests/s and p99.
    pub served: Option<Served>,
}

impl Row {
    /// The spread of the samples.
    pub fn spread(&self) -> Spread {
        Spread::of(&self.samples)
    }

    /// The spread of requests/s, when served.
    pub fn rps(&self) -> Option<Spread> {
        self.served.as_ref().map(|s| Spread::of(&s.requests_per_second))
    }

    /// What each round cost, lower is better: seconds per request when served, else the samples.
    pub fn costs(&self) -> Vec<f64> {
        match &self.served {
            Some(s) => s.requests_per_second.iter().map(|r| 1.0 / r).collect(),
            None => self.samples.clone(),
        }
    }

    /// A field of the row's document by its dotted key (`schema::FIELDS`), as a table cell.
    fn fact(&self, key: &str) -> String {
        match crate::keys::in_json_at(&self.document, key) {
            None => "?".into(),
            Some(Json::Null) => "-".into(),
            Some(Json::String(s)) => s.clone(),
            Some(v) => v.to_string(),
        }
    }
}

/// Everything `compare` found.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// What a sample is.
    pub metric: Metric,
    /// The rows, `release` first.
    pub rows: Vec<Row>,
    /// Rungs this machine could not build or run.
    pub left_out: Vec<LeftOut>,
    /// Lines worth keeping (which llvm-profdata merged, how build time was measured).
    pub notes: Vec<String>,
}

/// A size in decimal units: megabytes to two places (`2.31 MB`), else kilobytes to one (`51.2 kB`).
pub fn size(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.2} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.1} kB", bytes as f64 / 1e3)
    }
}

fn seconds(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2} s")
    } else {
        format!("{:.1} ms", s * 1e3)
    }
}

/// An instruction count with an SI prefix (M, G).
fn count(n: f64) -> String {
    match n {
        n if n >= 1e9 => format!("{:.3} G", n / 1e9),
        n if n >= 1e6 => format!("{:.3} M", n / 1e6),
        n => format!("{n:.0}"),
    }
}

/// A ratio and its interval: `0.85× (0.74–0.97)`.
fn ratio(p: &Paired) -> String {
    match p.ratio_ci {
        Some((lo, hi)) => format!("{:.2}× ({lo:.2}–{hi:.2})", p.ratio_median),
        None => format!("{:.2}× (no interval)", p.ratio_median),
    }
}

/// Rows of cells as text columns two spaces apart, each as wide as its widest cell (a row may have
/// fewer cells than others), one line per row.
pub fn aligned(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width = |c: usize| rows.iter().map(|r| r.get(c).map_or(0, |s| s.chars().count())).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns).map(width).collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}", w = *w)).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// Rows of cells as a Markdown table, the first row its header; the columns numbered in
/// `right_aligned` (from 0) are right-aligned.
pub fn markdown_table(rows: &[Vec<String>], right_aligned: &[usize]) -> String {
    let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
    let Some((head, body)) = rows.split_first() else { return String::new() };
    let rule: Vec<String> =
        (0..head.len()).map(|c| if right_aligned.contains(&c) { "---:" } else { "---" }.to_owned()).collect();
    let mut out = line(head) + &line(&rule);
    for row in body {
        out.push_str(&line(row));
    }
    out
}

impl Report {
    fn baseline(&self) -> &Row {
        self.rows.iter().find(|r| r.name == BASELINE).expect("release is always built")
    }

    /// `row` against release, round by round.
    pub fn paired(&self, row: &Row) -> Paired {
        Paired::of(&row.costs(), &self.baseline().costs(), self.metric.resolution())
    }

    /// `report.json`: `{"baseline","metric","interval","variants":[{"name","binary","size_bytes",
    /// "debuginfo_bytes","build_seconds","build_seconds_runs","document","proof","samples_<metric>",
    /// "median_<metric>","ratio_median","ratio_ci","verdict"}]}`, plus `verdict_reason` when the
    /// rounds could not tell, and `requests_per_second` and `latency_p99_ms` (medians) when served.
    pub fn json(&self) -> Json {
        let unit = self.metric.unit();
        let variants: Vec<Json> = self
            .rows
            .iter()
            .map(|r| {
                let paired = self.paired(r);
                let mut v = json!({
                    "name": r.name,
                    "binary": r.binary.to_string_lossy(),
                    "size_bytes": r.size_bytes,
                    "debuginfo_bytes": r.debuginfo_bytes,
                    "build_seconds": Spread::of(&r.build_seconds).median,
                    "build_seconds_runs": r.build_seconds,
                    "document": r.document,
                    "proof": r.proof.word(),
                    format!("samples_{unit}"): r.samples,
                    format!("median_{unit}"): r.spread().median,
                    "ratio_median": paired.ratio_median,
                    "ratio_ci": paired.ratio_ci.map(|(lo, hi)| [lo, hi]),
                    "verdict": paired.verdict.word(),
                });
                if let Some(why) = &paired.reason {
                    v["verdict_reason"] = json!(why);
                }
                if let Some(s) = &r.served {
                    v["requests_per_second"] = json!(Spread::of(&s.requests_per_second).median);
                    v["latency_p99_ms"] = json!(Spread::of(&s.latency_p99_ms).median);
                }
                v
            })
            .collect();
        json!({
            "baseline": BASELINE,
            "metric": self.metric.describe(),
            "interval": format!("{CONFIDENCE} Student t interval on the log of the per-round ratios to release"),
            "variants": variants,
        })
    }

    /// The table as rows of cells, the header first.
    fn cells(&self) -> Vec<Vec<String>> {
        let base = self.baseline();
        let served = base.served.is_some();
        let builds = base.build_seconds.len();
        let mut header: Vec<String> = ["variant", "size", "vs release", "debuginfo"].map(str::to_owned).into();
        header.extend(match (served, self.metric) {
            (true, _) => vec!["req/s median (min–max)".to_owned(), "p99 ms".to_owned()],
            (false, Metric::Seconds) => vec!["time median (min–max)".to_owned()],
            (false, Metric::Instructions(_)) => vec!["instructions median (min–max)".to_owned()],
        });
        header.push(format!("ratio ({CONFIDENCE} interval)"));
        header.push("verdict".to_owned());
        header.push(match builds {
            1 => "compile (1 build)".to_owned(),
            n => format!("compile median (min–max), {n} builds"),
        });
        header.extend(["proof", "opt", "lto", "cgu", "panic", "strip", "level", "pgo"].map(str::to_owned));
        let mut table = vec![header];
        for r in &self.rows {
            let mut row = vec![
                r.name.clone(),
                size(r.size_bytes),
                format!("{:.2}×", r.size_bytes as f64 / base.size_bytes as f64),
                if r.debuginfo_bytes == 0 { "-".to_owned() } else { size(r.debuginfo_bytes) },
            ];
            let t = r.spread();
            match (r.rps(), &r.served, self.metric) {
                (Some(rps), Some(s), _) => {
                    row.push(format!("{:.0} ({:.0}–{:.0})", rps.median, rps.min, rps.max));
                    row.push(format!("{:.2}", Spread::of(&s.latency_p99_ms).median));
                }
                (_, _, Metric::Seconds) => {
                    row.push(format!("{} ({}–{})", seconds(t.median), seconds(t.min), seconds(t.max)))
                }
                (_, _, Metric::Instructions(_)) => {
                    row.push(format!("{} ({}–{})", count(t.median), count(t.min), count(t.max)))
                }
            }
            let paired = self.paired(r);
            row.push(ratio(&paired));
            row.push(if r.name == BASELINE { "baseline".into() } else { paired.verdict.word().into() });
            let b = Spread::of(&r.build_seconds);
            row.push(match builds {
                1 => format!("{:.1} s", b.median),
                _ => format!("{:.1} s ({:.1}–{:.1})", b.median, b.min, b.max),
            });
            row.push(r.proof.word().to_owned());
            for key in [
                "profile.opt_level",
                "profile.lto",
                "profile.codegen_units",
                "profile.panic",
                "profile.strip",
                "target.level",
                "profile.pgo",
            ] {
                row.push(r.fact(key));
            }
            table.push(row);
        }
        table
    }

    /// The table for the terminal, columns aligned.
    pub fn terminal(&self) -> String {
        aligned(&self.cells()) + &self.footer()
    }

    fn footer(&self) -> String {
        let mut out = String::new();
        for r in self.rows.iter().filter(|r| r.name != BASELINE) {
            let paired = self.paired(r);
            if let (Verdict::Same, Some(why)) = (paired.verdict, &paired.reason) {
                out.push_str(&format!("{}: same, {why}\n", r.name));
            }
        }
        for l in &self.left_out {
            out.push_str(&format!("left out: {}: {}\n", l.name, l.reason));
        }
        out.push_str(&format!("measured: {}\n", self.metric.describe()));
        for n in &self.notes {
            out.push_str(&format!("{n}\n"));
        }
        out
    }

    /// `report.md`: the table with ratios to `release`, and what each variant changes.
    pub fn markdown(&self) -> String {
        let mut out = String::from("# Release profiles compared\n\n");
        out.push_str(&markdown_table(&self.cells(), &[]));
        out.push_str(&format!(
            "\nratio: the variant's {} over release's in the same round, the median over the rounds, and a \
             {CONFIDENCE} interval (Student t on the log of the ratios); `faster` or `slower` only when the \
             interval excludes 1. The facts columns are proven as the proof column says: by the document read \
             back out of the file, or by rustc's command line for the binary's crate (its target features \
             as rustc enables them for it) and what the file shows (strip, panic).\n\n",
            if self.baseline().served.is_some() { "time per request" } else { self.metric.cost() }
        ));
        for r in &self.rows {
            out.push_str(&format!("- `{}`: {}\n", r.name, r.settings));
        }
        out.push('\n');
        for l in self.footer().lines() {
            out.push_str(&format!("- {l}\n"));
        }
        out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn row(name: &str, size: u64, samples: &[f64]) -> Row {
        Row {
            name: name.into(),
            settings: "s".into(),
            binary: format!("bin/{name}/app").into(),
            size_bytes: size,
            debuginfo_bytes: 0,
            build_seconds: vec![1.5],
            document: json!({"profile": {"lto": "fat", "codegen_units": 1, "pgo": null}, "target": {"level": "x86-64"}}),
            proof: Proof::Document,
            samples: samples.to_vec(),
            served: None,
        }
    }

    pub(crate) fn report(rows: Vec<Row>) -> Report {
        Report { metric: Metric::Seconds, rows, left_out: vec![], notes: vec![] }
    }

    #[test]
    fn json_has_the_contract_shape() {
        let mut twin = row("twin", 100, &[2.2, 0.9, 3.0]);
        twin.debuginfo_bytes = 7;
        twin.build_seconds = vec![3.0, 1.0, 2.0];
        let report = report(vec![row("release", 100, &[2.0, 1.0, 3.0]), twin]);
        let json = report.json();
        assert_eq!(json["metric"], "wall-clock seconds per run");
        assert_eq!(
            json["variants"][0],
            json!({
                "name": "release", "binary": "bin/release/app", "size_bytes": 100, "debuginfo_bytes": 0,
                "build_seconds": 1.5, "build_seconds_runs": [1.5],
                "document": row("release", 0, &[1.0]).document, "proof": "document", "samples_seconds": [2.0, 1.0, 3.0], "median_seconds": 2.0,
                "ratio_median": 1.0, "ratio_ci": [1.0, 1.0], "verdict": "same",
            })
        );
        let v = &json["variants"][1];
        assert_eq!((v["build_seconds"].as_f64(), v["debuginfo_bytes"].as_u64()), (Some(2.0), Some(7)));
        // Ratios 1.1, 0.9, 1.0: median 1.0; the interval holds 1.
        assert_eq!(v["ratio_median"].as_f64(), Some(1.0));
        let ci: Vec<f64> = v["ratio_ci"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
        assert!(ci[0] < 1.0 && ci[1] > 1.0, "{v}");
        assert_eq!(v["verdict"], "same");
        assert!(v["verdict_reason"].as_str().unwrap().contains("rounds cannot tell"), "{v}");

        let mut served = report.clone();
        for r in &mut served.rows {
            r.served =
                Some(Served { requests_per_second: vec![10.0, 30.0, 20.0], latency_p99_ms: vec![1.0, 2.0, 3.0] });
        }
        served.rows[1].served.as_mut().unwrap().requests_per_second = vec![20.0, 60.0, 40.0];
        let v = &served.json()["variants"][1];
        assert_eq!((v["requests_per_second"].as_f64(), v["latency_p99_ms"].as_f64()), (Some(40.0), Some(2.0)));
        assert_eq!((v["ratio_median"].as_f64(), &v["verdict"]), (Some(0.5), &json!("faster")), "twice the requests/s");

        let counted = Report { metric: Metric::Instructions(super::super::measure::Counter::Callgrind), ..report };
        let json = counted.json();
        assert_eq!(json["variants"][0]["median_instructions"].as_f64(), Some(2.0));
        assert!(json["metric"].as_str().unwrap().contains("valgrind --tool=callgrind"));
    }

    #[test]
    fn tables_give_ratios_intervals_verdicts_and_facts() {
        let mut fast = row("fast", 500_000, &[0.5, 0.6, 0.55]);
        fast.debuginfo_bytes = 1_200_000;
        let mut report = report(vec![
            row("release", 2_000_000, &[1.0, 1.1, 1.05]),
            fast,
            row("same", 2_000_000, &[1.1, 1.0, 1.06]),
            row("one", 2_000_000, &[1.0, 1.1, 1.05]),
        ]);
        report.left_out = vec![LeftOut { name: "pgo".into(), reason: "no llvm-profdata".into() }];
        let text = report.terminal();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("variant  size"), "{text}");
        assert!(lines[0].contains("debuginfo") && lines[0].contains("ratio (95 % interval)"), "{text}");
        assert!(lines[0].contains("compile (1 build)"), "{text}");
        let words = |i: usize| lines[i].split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(words(1).contains("1.00× (1.00–1.00) baseline"), "{text}");
        assert!(words(2).contains("500.0 kB 0.25× 1.20 MB"), "{text}");
        assert!(words(2).contains("0.52× (") && words(2).contains("faster"), "{text}");
        assert!(words(3).contains(") same 1.5 s"), "{text}");
        assert!(lines[1].contains("fat  1    ?      ?      x86-64  -"), "{text}");
        assert!(lines[0].contains("  proof  ") && words(1).contains("1.5 s document ? fat"), "{text}");
        report.rows[3].proof = Proof::CommandLine;
        let text = report.terminal();
        let line = text.lines().nth(4).unwrap();
        assert!(line.starts_with("one ") && line.contains("  rustc command line + file  ?"), "{text}");
        assert_eq!(report.json()["variants"][3]["proof"], "rustc command line + file");
        assert!(
            text.contains(
                "\nsame: same, 3 rounds cannot tell their geometric mean ratio, 1.003×, from 1, nor would 1000\n"
            ),
            "{text}"
        );
        assert!(text.contains("\nleft out: pgo: no llvm-profdata\n"), "{text}");
        let md = report.markdown();
        assert!(
            md.contains("| release | 2.00 MB | 1.00× | - | 1.05 s (1.00 s–1.10 s) | 1.00× (1.00–1.00) | baseline |"),
            "{md}"
        );
        assert!(md.contains("- left out: pgo: no llvm-profdata"));

        for r in &mut report.rows {
            r.build_seconds = vec![2.0, 1.0, 4.0];
        }
        let text = report.terminal();
        assert!(text.lines().next().unwrap().contains("compile median (min–max), 3 builds"), "{text}");
        assert!(text.lines().nth(1).unwrap().contains("  2.0 s (1.0–4.0)  "), "{text}");
    }

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn ragged_rows_align() {
        let rows = vec![strings(&["a", "bb"]), strings(&["ccc"]), strings(&["dd", "e", "f"])];
        assert_eq!(aligned(&rows), "a    bb\nccc\ndd   e   f\n");
    }

    #[test]
    fn markdown_tables_align_the_columns_asked() {
        let rows = vec![strings(&["name", "size B"]), strings(&["a", "10"])];
        assert_eq!(markdown_table(&rows, &[1]), "| name | size B |\n| --- | ---: |\n| a | 10 |\n");
        assert_eq!(markdown_table(&[], &[]), "");
    }
}
