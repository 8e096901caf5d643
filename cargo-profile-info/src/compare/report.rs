//! The results: one row per variant, written as `report.json`, `report.md` and a terminal table.

use super::ladder::{LeftOut, BASELINE};
use super::measure::Spread;
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
    /// The build's wall-clock time (both builds for PGO).
    pub build_seconds: f64,
    /// The document read back out of the file.
    pub document: Json,
    /// Wall-clock seconds per run; with `--serve`, wrk's average latency per load run.
    pub samples_seconds: Vec<f64>,
    /// With `--serve`, requests/s and p99.
    pub served: Option<Served>,
}

impl Row {
    /// The spread of the samples.
    pub fn time(&self) -> Spread {
        Spread::of(&self.samples_seconds)
    }

    /// The spread of requests/s, when served.
    pub fn rps(&self) -> Option<Spread> {
        self.served.as_ref().map(|s| Spread::of(&s.requests_per_second))
    }

    /// How fast, higher is better: requests/s when served, else runs per second.
    pub fn speed(&self) -> f64 {
        self.rps().map_or(1.0 / self.time().median, |r| r.median)
    }

    fn fact(&self, pointer: &str) -> String {
        match self.document.pointer(pointer) {
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

    /// `report.json`: `{"baseline","variants":[{"name","binary","size_bytes","build_seconds",
    /// "document","samples_seconds","median_seconds"}]}`, plus `requests_per_second` and
    /// `latency_p99_ms` (medians) when served.
    pub fn json(&self) -> Json {
        let variants: Vec<Json> = self
            .rows
            .iter()
            .map(|r| {
                let mut v = json!({
                    "name": r.name,
                    "binary": r.binary.to_string_lossy(),
                    "size_bytes": r.size_bytes,
                    "build_seconds": r.build_seconds,
                    "document": r.document,
                    "samples_seconds": r.samples_seconds,
                    "median_seconds": r.time().median,
                });
                if let Some(s) = &r.served {
                    v["requests_per_second"] = json!(Spread::of(&s.requests_per_second).median);
                    v["latency_p99_ms"] = json!(Spread::of(&s.latency_p99_ms).median);
                }
                v
            })
            .collect();
        json!({ "baseline": BASELINE, "variants": variants })
    }

    /// The table as rows of cells, the header first.
    fn cells(&self) -> Vec<Vec<String>> {
        let base = self.baseline();
        let served = base.served.is_some();
        let mut header: Vec<&str> = vec!["variant", "size", "vs release"];
        if served {
            header.extend(["req/s median (min–max)", "vs release", "p99 ms"]);
        } else {
            header.extend(["time median (min–max)", "vs release"]);
        }
        header.extend(["noise", "compile", "opt", "lto", "cgu", "panic", "strip", "level", "pgo"]);
        let mut table = vec![header.into_iter().map(str::to_owned).collect::<Vec<_>>()];
        for r in &self.rows {
            let mut row = vec![
                r.name.clone(),
                size(r.size_bytes),
                format!("{:.2}×", r.size_bytes as f64 / base.size_bytes as f64),
            ];
            let (spread, base_spread) = match (r.rps(), base.rps()) {
                (Some(rps), Some(base_rps)) => {
                    row.push(format!("{:.0} ({:.0}–{:.0})", rps.median, rps.min, rps.max));
                    row.push(format!("{:.2}×", rps.median / base_rps.median));
                    let p99 = r.served.as_ref().map(|s| Spread::of(&s.latency_p99_ms).median).unwrap_or_default();
                    row.push(format!("{p99:.2}"));
                    (rps, base_rps)
                }
                _ => {
                    let (t, b) = (r.time(), base.time());
                    row.push(format!("{} ({}–{})", seconds(t.median), seconds(t.min), seconds(t.max)));
                    row.push(format!("{:.2}×", t.median / b.median));
                    (t, b)
                }
            };
            row.push(if r.name == BASELINE {
                "baseline".into()
            } else if spread.overlaps(&base_spread) {
                "within noise".into()
            } else {
                "beyond noise".into()
            });
            row.push(format!("{:.1} s", r.build_seconds));
            for pointer in [
                "/profile/opt_level",
                "/profile/lto",
                "/profile/codegen_units",
                "/profile/panic",
                "/profile/strip",
                "/target/level",
                "/profile/pgo",
            ] {
                row.push(r.fact(pointer));
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
        for l in &self.left_out {
            out.push_str(&format!("left out: {}: {}\n", l.name, l.reason));
        }
        for n in &self.notes {
            out.push_str(&format!("{n}\n"));
        }
        out
    }

    /// `report.md`: the table with ratios to `release`, and what each variant changes.
    pub fn markdown(&self) -> String {
        let mut out = String::from("# Release profiles compared\n\n");
        out.push_str(&markdown_table(&self.cells(), &[]));
        out.push_str(
            "\n\"within noise\": the variant's min–max range overlaps release's. The facts columns are the \
                      document read back out of each file.\n\n",
        );
        for r in &self.rows {
            out.push_str(&format!("- `{}`: {}\n", r.name, r.settings));
        }
        let footer = self.footer();
        if !footer.is_empty() {
            out.push('\n');
            for l in footer.lines() {
                out.push_str(&format!("- {l}\n"));
            }
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
            build_seconds: 1.5,
            document: json!({"profile": {"lto": "fat", "codegen_units": 1, "pgo": null}, "target": {"level": "x86-64"}}),
            samples_seconds: samples.to_vec(),
            served: None,
        }
    }

    #[test]
    fn json_has_the_contract_shape() {
        let report = Report { rows: vec![row("release", 100, &[2.0, 1.0, 3.0])], left_out: vec![], notes: vec![] };
        assert_eq!(
            report.json(),
            json!({"baseline": "release", "variants": [{
                "name": "release", "binary": "bin/release/app", "size_bytes": 100, "build_seconds": 1.5,
                "document": row("release", 0, &[1.0]).document, "samples_seconds": [2.0, 1.0, 3.0], "median_seconds": 2.0,
            }]})
        );
        let mut served = report.clone();
        served.rows[0].served =
            Some(Served { requests_per_second: vec![10.0, 30.0, 20.0], latency_p99_ms: vec![1.0, 2.0, 3.0] });
        let v = &served.json()["variants"][0];
        assert_eq!((v["requests_per_second"].as_f64(), v["latency_p99_ms"].as_f64()), (Some(20.0), Some(2.0)));
    }

    #[test]
    fn tables_give_ratios_noise_and_facts() {
        let report = Report {
            rows: vec![
                row("release", 2_000_000, &[1.0, 1.1]),
                row("fast", 500_000, &[0.5, 0.6]),
                row("same", 2_000_000, &[1.05, 1.2]),
            ],
            left_out: vec![LeftOut { name: "pgo".into(), reason: "no llvm-profdata".into() }],
            notes: vec![],
        };
        let text = report.terminal();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("variant  size"), "{text}");
        assert!(
            lines[2].contains("500.0 kB  0.25×") && lines[2].contains("0.52×") && lines[2].contains("beyond noise"),
            "{text}"
        );
        assert!(lines[3].contains("within noise"), "{text}");
        assert!(lines[1].contains("fat  1    ?      ?      x86-64  -"), "{text}");
        assert_eq!(lines[4], "left out: pgo: no llvm-profdata");
        let md = report.markdown();
        assert!(
            md.contains("| release | 2.00 MB | 1.00× | 1.1 s (1.0 s–1.1 s) |")
                || md.contains("| release | 2.00 MB | 1.00× | 1.05 s (1.00 s–1.10 s) |"),
            "{md}"
        );
        assert!(md.contains("- left out: pgo: no llvm-profdata"));
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
