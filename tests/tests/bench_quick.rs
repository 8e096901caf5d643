//! `scripts/bench.sh --quick` runs end to end, so the benchmark can't rot: it exits 0 and its report
//! has the plain and profile-info rows with figures (sizes equal to the files' on disk), and
//! profile-info's facts checked true. No timing or size goal is asserted here: those are the
//! benchmark's to report, not a test's to fail.

use profile_info_tests::{clean_env, workspace};
use std::process::Command;

/// The cells of the Markdown table row whose first cell is `first`.
fn row<'a>(report: &'a str, first: &str) -> Vec<&'a str> {
    report
        .lines()
        .find(|l| l.starts_with(&format!("| {first} |")))
        .unwrap_or_else(|| panic!("no `{first}` row in the report:\n{report}"))
        .trim()
        .trim_matches('|')
        .split('|')
        .map(str::trim)
        .collect()
}

fn number(cell: &str, what: &str) -> f64 {
    cell.trim_start_matches('+').parse().unwrap_or_else(|_| panic!("{what} is not a number: {cell:?}"))
}

#[test]
fn bench_quick_reports_plain_and_profile_info() {
    let root = workspace();
    let mut cmd = Command::new("bash");
    cmd.arg(root.join("scripts/bench.sh")).arg("--quick").current_dir(&root);
    clean_env(&mut cmd);
    // A report left by an earlier run must not pass for this one's.
    let _ = std::fs::remove_file(root.join("target/bench/report.md"));
    let out = cmd.output().expect("run bash scripts/bench.sh --quick");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "bench.sh --quick failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("Build cost and size"), "no table on stdout:\n{stdout}");

    let report = std::fs::read_to_string(root.join("target/bench/report.md")).expect("target/bench/report.md");
    // The binaries the tool measured, where cargo puts a `production` build of each package.
    let file_size = |variant: &str| {
        let path = root.join(format!("target/bench/targets/{variant}/production/bench-{variant}"));
        std::fs::metadata(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).len() as f64
    };
    for variant in ["plain", "profile-info"] {
        // | variant | version | clean s | over plain s | no-op s | units rerun | size B | over plain B | …
        let cells = row(&report, variant);
        assert!(cells.len() >= 8, "short row for {variant}: {cells:?}");
        assert!(number(cells[2], "clean build seconds") > 0.0, "{variant}: {cells:?}");
        assert!(number(cells[4], "no-op rebuild seconds") >= 0.0, "{variant}: {cells:?}");
        let (rerun, total) = cells[5].split_once(" of ").expect("units rerun as `N of M`");
        assert!(number(rerun, "units rerun") <= number(total, "units"), "{variant}: {cells:?}");
        assert_eq!(number(cells[6], "size"), file_size(variant), "{variant}: {cells:?}");
        assert_eq!(
            number(cells[7], "size over plain"),
            file_size(variant) - file_size("plain"),
            "{variant}: {cells:?}"
        );
    }
    assert_eq!(row(&report, "plain")[7], "0", "plain is its own baseline");

    // The facts table: | fact | plain | profile-info |, computed from what each binary printed.
    for fact in [
        "profile",
        "opt-level",
        "lto",
        "codegen-units",
        "strip",
        "panic",
        "target-cpu",
        "features",
        "rustc",
        "revision",
    ] {
        let cells = row(&report, fact);
        assert_eq!(cells[1], "no", "plain reports no {fact}: {cells:?}");
        assert_eq!(cells[2], "yes", "profile-info reports the true {fact}: {cells:?}");
    }
}
