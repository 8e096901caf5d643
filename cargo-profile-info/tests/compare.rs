//! `compare` and `apply` end to end on a fixture workspace (a CPU-bound library called from a
//! binary, so LTO matters), built with real cargo into the shared fixture target dir: each row
//! checked against the file system (sizes), the binary itself (`--build-info=json`), a real SVG
//! renderer (resvg) and cargo (the applied profile builds the same document).

use profile_info_tests::{clean_env, run, target_dir, workspace, write_if_changed, Fixture};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TOOL: &str = env!("CARGO_BIN_EXE_cargo-profile-info");

const MAIN: &str = r#"#[profile_info::main]
fn main() {
    let arg = std::env::args().nth(1).unwrap_or_default();
    if arg == "fail" {
        eprintln!("starting");
        eprintln!("boom: asked to fail");
        std::process::exit(3);
    }
    let n: u64 = arg.parse().expect("a number");
    println!("{}", WORK::primes_below(n));
}
"#;

const WORK: &str = r#"/// The primes below `n`, by trial division: work an optimiser can speed up across the crate line.
pub fn primes_below(n: u64) -> usize {
    (2..n).filter(|&i| is_prime(i)).count()
}

fn is_prime(i: u64) -> bool {
    (2..).take_while(|d| d * d <= i).all(|d| i % d != 0)
}
"#;

/// A comment and layout `apply` must keep.
const EXTRA: &str = "# The library the binary calls (kept by apply).\n[dependencies.WORK]\npath = \"work\"\n";

/// The numbers the binary's work is asked for: tens of milliseconds in release.
const N: &str = "150000";

/// The fixture package `name` with its library `name-work`. Each test that builds has a package
/// of its own: compare runs `cargo clean -p` on the packages it compares, which in a shared target
/// dir would delete a binary another test's compare is copying out.
fn fixture(name: &str) -> Fixture {
    let work = format!("{name}-work");
    let manifest = format!("[package]\nname = \"{work}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    Fixture::with_files(
        name,
        &[
            ("src/main.rs", &MAIN.replace("WORK", &work.replace('-', "_"))),
            ("work/Cargo.toml", &manifest),
            ("work/src/lib.rs", WORK),
        ],
        &EXTRA.replace("WORK", &work),
    )
}

/// The tool with the fixture target dir and nothing from the outer cargo that changes builds.
fn tool(dir: &Path, args: &[&str]) -> Output {
    tool_with(dir, args, &[])
}

/// [`tool`] with these environment variables.
fn tool_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(TOOL);
    clean_env(&mut cmd).current_dir(dir).env("CARGO_TARGET_DIR", target_dir()).args(args).envs(env.iter().copied());
    cmd.output().expect("run the tool")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The last stderr line, after asserting the tool failed with exactly one line of its own
/// (progress lines start with `compare: `).
fn one_line_failure(out: &Output) -> String {
    assert!(!out.status.success(), "expected a failure; stderr:\n{}", stderr(out));
    let text = stderr(out);
    let own: Vec<&str> = text.lines().filter(|l| !l.starts_with("compare: ")).collect();
    assert_eq!(own.len(), 1, "one line expected:\n{text}");
    own[0].to_owned()
}

fn out_dir(name: &str) -> PathBuf {
    let dir = target_dir().join("compare-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn read_report(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).expect("report.json")).expect("JSON")
}

fn row<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["variants"].as_array().unwrap().iter().find(|r| r["name"] == name).unwrap_or_else(|| panic!("no {name}"))
}

fn samples(row: &Value) -> Vec<f64> {
    row["samples_seconds"].as_array().unwrap().iter().map(|s| s.as_f64().unwrap()).collect()
}

/// What rustc and the CPU say about this machine: whether it runs x86-64-v3 code, from glibc's
/// loader (an oracle that shares nothing with the tool's CPUID code).
/// Fails loudly when the loader cannot answer, rather than quietly expecting a baseline build.
fn host_runs_v3() -> bool {
    let out = Command::new("/lib64/ld-linux-x86-64.so.2").arg("--help").output().expect("glibc's ld.so --help");
    let levels = String::from_utf8_lossy(&out.stdout);
    assert!(levels.contains("x86-64-v3 ("), "ld.so (glibc 2.33+) lists no x86-64 levels:\n{levels}");
    levels.contains("x86-64-v3 (supported, searched)")
}

/// The bytes of the file's `.debug_*` sections as binutils' readelf lists them.
fn dwarf_bytes(file: &Path) -> u64 {
    let out = Command::new("readelf").args(["-SW"]).arg(file).output().expect("readelf (binutils)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            // `  [Nr] Name Type Address Off Size …`: the name follows the bracketed number.
            let fields: Vec<&str> = l.split(']').nth(1)?.split_whitespace().collect();
            fields[0].starts_with(".debug_").then(|| u64::from_str_radix(fields[4], 16).unwrap())
        })
        .sum()
}

#[test]
fn compare_builds_proves_and_measures_each_variant_then_apply_writes_one() {
    let fixture = fixture("compare-app");
    let manifests = [fixture.dir.join("Cargo.toml"), fixture.dir.join("work/Cargo.toml")];
    let before: Vec<Vec<u8>> = manifests.iter().map(|m| std::fs::read(m).unwrap()).collect();
    let out = out_dir("ladder");
    let (wrapper, log) = rustc_logger("ladder");
    let run_cmd = format!("{{bin}} {N}");
    let result = tool_with(
        &fixture.dir,
        &[
            "profile-info",
            "compare",
            "--run",
            &run_cmd,
            "--runs",
            "3",
            "--variants",
            "lto-thin,lto-fat,pgo",
            "--variant",
            "slow:opt-level=0,debug=true",
            "--variant",
            "twin:opt-level=3",
            "--out",
            out.to_str().unwrap(),
        ],
        &[("RUSTC_WRAPPER", wrapper.to_str().unwrap())],
    );
    let err = stderr(&result);
    assert!(result.status.success(), "compare failed:\n{err}");
    let table = String::from_utf8(result.stdout).unwrap();

    // No file of the user's was edited.
    for (m, b) in manifests.iter().zip(&before) {
        assert_eq!(&std::fs::read(m).unwrap(), b, "{} changed", m.display());
    }

    let report = read_report(&out);
    assert_eq!(report["baseline"], "release");
    let names: Vec<&str> = report["variants"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["release", "lto-thin", "lto-fat", "pgo", "slow", "twin"], "{err}");
    let release_samples = samples(row(&report, "release"));
    for row in report["variants"].as_array().unwrap() {
        let name = row["name"].as_str().unwrap();
        let binary = out.join(row["binary"].as_str().unwrap());
        assert!(binary.starts_with(&out), "{name}: binaries are kept under the out dir");
        assert_eq!(row["size_bytes"].as_u64(), Some(std::fs::metadata(&binary).unwrap().len()), "{name}");
        let own = run(&binary, &["--build-info=json"]);
        assert!(own.status.success(), "{name}");
        let own: Value = serde_json::from_slice(&own.stdout).unwrap();
        assert_eq!(row["document"], own, "{name}: the row's document is the binary's own");
        let s = samples(row);
        assert_eq!(s.len(), 3, "{name}");
        let mut sorted = s.clone();
        sorted.sort_by(f64::total_cmp);
        assert_eq!(row["median_seconds"].as_f64(), Some(sorted[1]), "{name}");
        // The ratio is the median of the per-round ratios to release, the verdict what its
        // interval says about 1.
        let mut ratios: Vec<f64> = s.iter().zip(&release_samples).map(|(v, r)| v / r).collect();
        ratios.sort_by(f64::total_cmp);
        // The same quotient computed elsewhere may differ in its last bit.
        let median = row["ratio_median"].as_f64().unwrap();
        assert!((median - ratios[1]).abs() <= 1e-12 * ratios[1], "{name}: {median} against {}", ratios[1]);
        let ci: Vec<f64> = row["ratio_ci"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
        assert!(ci[0] <= ci[1], "{name}: {ci:?}");
        let verdict = if ci[1] < 1.0 {
            "faster"
        } else if ci[0] > 1.0 {
            "slower"
        } else {
            "same"
        };
        assert_eq!(row["verdict"], verdict, "{name}: {ci:?}");
        assert_eq!(row["debuginfo_bytes"].as_u64(), Some(dwarf_bytes(&binary)), "{name}");
        assert!(row["build_seconds"].as_f64().unwrap() > 0.0, "{name}");
        // The answer is the same in every variant: the number of primes below N, counted here.
        let answer = run(&binary, &[N]);
        let primes = (2..N.parse::<u64>().unwrap()).filter(|&i| (2..i).take_while(|d| d * d <= i).all(|d| i % d != 0));
        assert_eq!(String::from_utf8_lossy(&answer.stdout).trim(), primes.count().to_string(), "{name}");
    }
    // The settings asked for are what the files say (the binary's own word, checked above).
    let doc = |name: &str, pointer: &str| row(&report, name)["document"].pointer(pointer).cloned().unwrap();
    assert_eq!(doc("lto-fat", "/profile/lto"), "fat");
    assert_eq!(doc("lto-fat", "/profile/strip"), "symbols");
    assert_eq!(doc("slow", "/profile/opt_level"), "0");
    assert_eq!(doc("slow", "/profile/name"), doc("release", "/profile/name"), "one profile for every rung");
    let v3 = host_runs_v3();
    assert_eq!(doc("pgo", "/target/cpu"), if v3 { "x86-64-v3" } else { "x86-64" });
    assert!(err.contains("llvm-profdata: used "), "which llvm-profdata merged is said:\n{err}");

    // opt-level 0 is several times slower than release in every round: its interval is above 1.
    let slow = row(&report, "slow");
    assert_eq!(slow["verdict"], "slower", "{slow}");
    assert!(slow["ratio_ci"][0].as_f64().unwrap() > 1.0, "{slow}");
    assert!(slow["debuginfo_bytes"].as_u64().unwrap() > 0, "debug = true keeps DWARF in the file");
    assert!(table.lines().next().unwrap().starts_with("variant"), "{table}");
    assert!(table.lines().any(|l| l.starts_with("slow") && l.contains(" slower ")), "{table}");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.lines().filter(|l| l.starts_with("| ")).count() == 8, "{md}");
    rungs_share_what_cargo_builds_alike(&log, &report);

    llvm_profdata_refusals_are_explained(&out);
    chart_is_rendered(&out, &report);
    apply_writes_a_profile_that_builds_the_same_document(&fixture, &out, &report);
}

/// The raw profiles of the pgo rung's training, merged by hand through the tool's merge with
/// Debian's llvm-profdata-14 tried first: LLVM 14 refuses the format rustc 1.95's LLVM 22 writes,
/// and the refusal is reported with LLVM's own words; llvm-22 (or 19) merges.
fn llvm_profdata_refusals_are_explained(out: &Path) {
    use cargo_profile_info::harness::{candidates, merge, Candidate};
    let old = Candidate { path: "/usr/bin/llvm-profdata-14".into(), origin: "Debian's llvm-14".into() };
    let old_real = old.path.canonicalize().expect("scripts/test.sh installs llvm-14");
    let new = candidates()
        .into_iter()
        .find(|c| c.path.canonicalize().ok() != Some(old_real.clone()))
        .expect("scripts/test.sh installs llvm-22 or llvm-19");
    let merged = out.join("pgo/by-hand.profdata");
    let result = merge(&[old.clone(), new.clone()], &out.join("pgo/raw"), &merged).unwrap().unwrap();
    assert_eq!(result.used, new);
    assert_eq!(result.refused.len(), 1);
    assert_eq!(result.refused[0].0, old);
    assert!(result.refused[0].1.contains("unsupported instrumentation profile format version"), "{:?}", result.refused);
    assert!(std::fs::metadata(&merged).unwrap().len() > 0);
}

/// report.svg through resvg: it parses and renders, and the points drawn in the marked colour are
/// the variants no other beats on both size and speed (the median ratio to release), computed here
/// from report.json, plus the legend's.
fn chart_is_rendered(out: &Path, report: &Value) {
    let svg = std::fs::read(out.join("report.svg")).unwrap();
    let tree = resvg::usvg::Tree::from_data(&svg, &resvg::usvg::Options::default()).expect("resvg parses the chart");
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(&tree, resvg::tiny_skia::Transform::default(), &mut pixmap.as_mut());
    let red = pixmap.pixels().iter().filter(|p| (p.red(), p.green(), p.blue()) == (0xd6, 0x27, 0x28)).count();
    assert!(red > 100, "marked points are drawn ({red} pixels)");

    let points: Vec<(f64, f64)> = report["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["size_bytes"].as_f64().unwrap(), -r["ratio_median"].as_f64().unwrap()))
        .collect();
    let beaten = |p: (f64, f64)| points.iter().any(|q| q.0 <= p.0 && q.1 >= p.1 && (q.0 < p.0 || q.1 > p.1));
    let unbeaten = points.iter().filter(|p| !beaten(**p)).count();
    fn filled_red(group: &resvg::usvg::Group) -> usize {
        group
            .children()
            .iter()
            .map(|node| {
                match node {
                resvg::usvg::Node::Group(g) => filled_red(g),
                resvg::usvg::Node::Path(p) => usize::from(p.fill().is_some_and(|f| {
                    matches!(f.paint(), resvg::usvg::Paint::Color(c) if (c.red, c.green, c.blue) == (0xd6, 0x27, 0x28))
                })),
                _ => 0,
            }
            })
            .sum()
    }
    assert_eq!(filled_red(tree.root()), unbeaten + 1, "marked points plus the legend's");
}

/// `apply` on a copy of the fixture: the manifest keeps its text and gains the profile; cargo
/// builds it; the document of that build has the variant's profile settings.
fn apply_writes_a_profile_that_builds_the_same_document(fixture: &Fixture, out: &Path, report: &Value) {
    let copy = target_dir().join("compare-tests").join("apply").join("compare-app");
    for file in ["Cargo.toml", "Cargo.lock", "src/main.rs", "work/Cargo.toml", "work/src/lib.rs"] {
        write_if_changed(&copy.join(file), &std::fs::read_to_string(fixture.dir.join(file)).unwrap());
    }
    let before = std::fs::read_to_string(copy.join("Cargo.toml")).unwrap();
    let report_path = out.join("report.json");
    let apply = |dir: &Path| {
        let report = report_path.to_str().unwrap();
        tool(dir, &["profile-info", "apply", "--report", report, "--variant", "lto-fat", "--profile-name", "fast"])
    };
    let applied = apply(&copy);
    assert!(applied.status.success(), "{}", stderr(&applied));
    let after = std::fs::read_to_string(copy.join("Cargo.toml")).unwrap();
    assert!(after.starts_with(&before), "the manifest's text is kept:\n{after}");
    assert!(after.contains("[profile.fast]\ninherits = \"release\"\n"), "{after}");

    let build = profile_info_tests::cargo(&copy, &["build", "--profile", "fast", "--message-format=json"], &[])
        .output()
        .unwrap();
    assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));
    let exe = String::from_utf8_lossy(&build.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find_map(|m| {
            (m["target"]["name"] == "compare-app").then(|| m["executable"].as_str().map(PathBuf::from)).flatten()
        })
        .expect("cargo names the executable");
    let mut own: Value = serde_json::from_slice(&run(&exe, &["--build-info=json"]).stdout).unwrap();
    let mut variant = row(report, "lto-fat")["document"].clone();
    assert_eq!(own["profile"]["name"], "fast");
    for doc in [&mut own, &mut variant] {
        doc["profile"]["name"] = Value::Null;
    }
    assert_eq!(own["profile"], variant["profile"]);
    assert_eq!(own["target"], variant["target"]);

    // A report of a package this workspace does not have is refused.
    let plain = Fixture::new("compare-other", "fn main() {}\n", "");
    let refused = apply(&plain.dir);
    let line = one_line_failure(&refused);
    assert!(line.contains("a report from another workspace") && line.contains("compare-app"), "{line}");
}

#[test]
fn bad_input_gets_one_line_and_a_failure() {
    let fixture = fixture("compare-bad");
    let dir = &fixture.dir;
    let compare = |extra: &[&str]| {
        let mut args = vec!["profile-info", "compare", "--runs", "1", "--variants", "release"];
        args.extend_from_slice(extra);
        tool(dir, &args)
    };
    let line = one_line_failure(&compare(&["--run", "{bin} 10", "--variant", "x:opt=3"]));
    assert!(line.contains("unknown key `opt`"), "{line}");
    let line = one_line_failure(&tool(dir, &["profile-info", "compare", "--run", "{bin}", "--variants", "turbo"]));
    assert!(line.starts_with("unknown variant `turbo`"), "{line}");
    let missing =
        ["profile-info", "apply", "--report", "no/report.json", "--variant", "cgu1", "--profile-name", "fast"];
    assert_eq!(one_line_failure(&tool(dir, &missing)), "no/report.json: no such file");
    let out = out_dir("failing");
    let line = one_line_failure(&compare(&["--run", "{bin} fail", "--out", out.to_str().unwrap()]));
    assert_eq!(line, "variant release: --run failed with exit status: 3: boom: asked to fail");

    // RUSTFLAGS come after the profile's flags on rustc's command line, so they win: the file says
    // 4 codegen units where the variant asked for 1, and the row is refused.
    let out = out_dir("contradiction");
    let args = ["profile-info", "compare", "--run", "{bin} 10", "--variants", "release", "--runs", "1"];
    let args = [&args[..], &["--variant", "one:codegen-units=1", "--out", out.to_str().unwrap()]].concat();
    let line = one_line_failure(&tool_with(dir, &args, &[("RUSTFLAGS", "-Ccodegen-units=4")]));
    assert_eq!(line, "variant one: asked profile.codegen_units = 1, the file's document says 4");

    assert!(workspace().join("Cargo.toml").exists());
}

/// What cargo's rustc command lines (the logger's) and the file system show of the sharing:
/// lto-fat differs from lto-thin only in what the binary's crate is given, so its build compiled
/// that crate alone, with `-Clto=fat` after the profile's `-C lto=thin`; the proc macro is built
/// at most twice for the six rows (release, slow and twin: no LTO, no strip; the others thin and
/// stripped), not once per rung; every build went to one profile directory. Each row's compile
/// time is its binary crate's rustc, as the logger timed it from inside compare's wrapper.
fn rungs_share_what_cargo_builds_alike(log: &Path, report: &Value) {
    let compiled = std::fs::read_to_string(log).expect("the wrapper's log");
    let macros = compiled.lines().filter(|l| l.contains("--crate-name profile_info_macros ")).count();
    assert!(macros <= 2, "the proc macro compiled {macros} times:\n{compiled}");
    let build_dir = target_dir().join("profile-info/target");
    let vv = Command::new("rustc").arg("-vV").output().unwrap();
    let vv = String::from_utf8(vv.stdout).unwrap();
    let host = vv.lines().find_map(|l| l.strip_prefix("host: ")).expect("rustc -vV names its host").to_owned();
    for dir in [build_dir.clone(), build_dir.join(&host)] {
        for entry in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok).filter(|e| e.path().is_dir()) {
            let name = entry.file_name().into_string().unwrap();
            assert!(name == "profile-info-compare" || name == host, "{}: {name}", dir.display());
        }
    }
    let bin = |l: &&str| l.contains("--crate-name compare_app ") && l.contains("--crate-type bin");
    let lines: Vec<&str> = compiled.lines().filter(bin).collect();
    let fat: Vec<&&str> = lines.iter().filter(|l| l.contains("-Clto=fat") && !l.contains("-Cprofile")).collect();
    assert_eq!(fat.len(), 1, "{compiled}");
    let (profile_lto, ours) = (fat[0].find("-C lto=thin").unwrap(), fat[0].find("-Clto=fat").unwrap());
    assert!(profile_lto < ours, "the later flag is the one rustc keeps: {}", fat[0]);
    let thin = lines.iter().find(|l| l.contains("-C lto=thin") && !l.contains("-Clto=fat") && !l.contains("-Cprofile"));
    for (name, line) in [("lto-thin", *thin.expect("lto-thin's compile")), ("lto-fat", *fat[0])] {
        let mut words = line.split_whitespace();
        let span = match (words.next().map(str::parse::<f64>), words.next().map(str::parse::<f64>)) {
            (Some(Ok(start)), Some(Ok(end))) => end - start,
            _ => panic!("no times on {line}"),
        };
        let seconds = row(report, name)["build_seconds"].as_f64().unwrap();
        assert!(seconds >= span && seconds < span + 1.0, "{name}: {seconds} s reported, rustc ran {span} s");
    }
}

/// A `RUSTC_WRAPPER` that appends each rustc command line cargo runs to a log (emptied here),
/// after the times rustc started and ended, so that a test reads what rustc really received and
/// how long it ran; returns the wrapper and the log.
fn rustc_logger(name: &str) -> (PathBuf, PathBuf) {
    let log = target_dir().join("compare-tests").join(format!("{name}-rustc.log"));
    let _ = std::fs::remove_file(&log);
    let wrapper = target_dir().join("compare-tests").join(format!("{name}-rustc.sh"));
    let script = format!(
        "#!/bin/sh\nstart=$(date +%s.%N)\n\"$@\"\nstatus=$?\necho \"$start $(date +%s.%N) $*\" >> '{}'\nexit $status\n",
        log.display()
    );
    write_if_changed(&wrapper, &script);
    assert!(Command::new("chmod").arg("+x").arg(&wrapper).status().unwrap().success());
    (wrapper, log)
}

/// `--clean` times a build from nothing: every crate of the build, dependencies included, is
/// compiled for the timed build (cargo's own rustc invocations, logged by a `RUSTC_WRAPPER`, are the
/// oracle), in a scratch target dir that is gone afterwards; the row is still proven by its file.
#[test]
fn clean_builds_everything_in_a_scratch_target_dir() {
    let fixture = fixture("compare-clean");
    let out = out_dir("clean");
    let (wrapper, log) = rustc_logger("clean");
    let args = ["profile-info", "compare", "--run", "{bin} 10", "--variants", "release", "--runs", "1", "--clean"];
    let args = [&args[..], &["--out", out.to_str().unwrap()]].concat();
    let result = tool_with(&fixture.dir, &args, &[("RUSTC_WRAPPER", wrapper.to_str().unwrap())]);
    assert!(result.status.success(), "compare --clean failed:\n{}", stderr(&result));

    let compiled = std::fs::read_to_string(&log).expect("the wrapper's log");
    for krate in ["profile_info_core", "profile_info_macros", "profile_info", "compare_clean_work", "compare_clean"] {
        assert!(compiled.contains(&format!("--crate-name {krate} ")), "{krate} not compiled:\n{compiled}");
    }
    let scratch = out.join("targets");
    assert!(std::fs::read_dir(&scratch).map_or(true, |mut d| d.next().is_none()), "{} kept", scratch.display());

    let report = read_report(&out);
    let release = row(&report, "release");
    let binary = out.join(release["binary"].as_str().unwrap());
    let own: Value = serde_json::from_slice(&run(&binary, &["--build-info=json"]).stdout).unwrap();
    assert_eq!(release["document"], own);
    assert_eq!(release["size_bytes"], std::fs::metadata(&binary).unwrap().len());
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("a build from nothing (--clean)"), "{md}");
}

/// What counts instructions on this machine, asked of perf itself: `perf stat` where it prints a
/// count, else valgrind.
fn perf_counts() -> bool {
    let out = Command::new("perf").args(["stat", "-x,", "-e", "instructions:u", "true"]).output();
    out.is_ok_and(|o| {
        let text = String::from_utf8_lossy(&o.stderr);
        text.lines()
            .any(|l| l.contains("instructions:u") && l.split(',').next().is_some_and(|n| n.parse::<u64>().is_ok()))
    })
}

/// The instructions `binary ARG` executes, counted by the test itself: valgrind's own summary
/// line on stderr (`Collected : N`), or perf's count.
fn instructions(binary: &Path, arg: &str) -> f64 {
    let out = if perf_counts() {
        Command::new("perf").args(["stat", "-x,", "-e", "instructions:u"]).arg(binary).arg(arg).output()
    } else {
        Command::new("valgrind")
            .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
            .arg(binary)
            .arg(arg)
            .output()
    };
    let out = out.expect("scripts/test.sh installs valgrind");
    let text = String::from_utf8_lossy(&out.stderr);
    let count = text.lines().find_map(|l| match l.split_once("Collected : ") {
        Some((_, n)) => Some(n.trim().to_owned()),
        None => l.contains("instructions:u").then(|| l.split(',').next().unwrap().to_owned()),
    });
    count.and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("no count in:\n{text}"))
}

/// `--metric instructions`: each round's count is the count the test takes itself of the same
/// binary (within 1 %: the environment differs), the same in both rounds (within 0.1 %); a
/// variant built with release's flags is `same`, opt-level 0 `slower`; the report names the counter.
#[test]
fn instructions_are_counted_and_a_variant_with_release_flags_is_same() {
    let fixture = fixture("compare-count");
    let out = out_dir("instructions");
    let args = ["profile-info", "compare", "--run", "{bin} 20000", "--metric", "instructions", "--runs", "2"];
    let more = ["--variants", "release", "--variant", "twin:opt-level=3", "--variant", "slow:opt-level=0"];
    let args = [&args[..], &more, &["--out", out.to_str().unwrap()]].concat();
    let result = tool(&fixture.dir, &args);
    assert!(result.status.success(), "{}", stderr(&result));
    let report = read_report(&out);
    let counter = if perf_counts() { "perf stat" } else { "valgrind --tool=callgrind" };
    assert!(report["metric"].as_str().unwrap().ends_with(counter), "{}", report["metric"]);
    let close = |a: f64, b: f64| (a - b).abs() / b < 0.001;
    for row in report["variants"].as_array().unwrap() {
        let name = row["name"].as_str().unwrap();
        let counts: Vec<f64> =
            row["samples_instructions"].as_array().unwrap().iter().map(|s| s.as_f64().unwrap()).collect();
        assert_eq!(counts.len(), 2, "{name}");
        assert!(close(counts[0], counts[1]), "{name}: {counts:?}");
        // The test's environment is larger than the one compare gives the runs: startup reads it.
        let own = instructions(&out.join(row["binary"].as_str().unwrap()), "20000");
        let median = row["median_instructions"].as_f64().unwrap();
        assert!((median - own).abs() / own < 0.01, "{name}: {median} vs {own}");
    }
    assert_eq!(row(&report, "twin")["verdict"], "same", "{report}");
    assert_eq!(row(&report, "slow")["verdict"], "slower", "{report}");
    let table = String::from_utf8(result.stdout).unwrap();
    assert!(table.lines().next().unwrap().contains("instructions median"), "{table}");
    assert!(table.contains("measured: instructions per run"), "{table}");
}

/// `--serve` with the service example under wrk: a free port through `PORT`, requests/s and p99
/// from wrk's report, the server's own log saying it listened and shut down (SIGTERM, not a kill).
#[test]
fn serve_measures_the_service_example_under_wrk() {
    let out = out_dir("serve");
    let result = tool(
        &workspace(),
        &[
            "profile-info",
            "compare",
            "-p",
            "profile-info-examples",
            "--example",
            "service",
            "--serve",
            "--run",
            "{bin}",
            "--load",
            "wrk -t1 -c4 -d1s http://127.0.0.1:{port}/buildinfo",
            "--variants",
            "release",
            "--runs",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(result.status.success(), "{}", stderr(&result));
    let report = read_report(&out);
    let release = row(&report, "release");
    assert!(release["requests_per_second"].as_f64().unwrap() > 0.0, "{release}");
    assert!(release["latency_p99_ms"].as_f64().unwrap() > 0.0, "{release}");
    let binary = out.join(release["binary"].as_str().unwrap());
    let own: Value = serde_json::from_slice(&run(&binary, &["--build-info=json"]).stdout).unwrap();
    assert_eq!(release["document"], own);
    let log = std::fs::read_to_string(out.join("logs/release.log")).unwrap();
    assert!(log.contains("listening on http://127.0.0.1:"), "{log}");
    assert!(log.trim_end().ends_with("shut down"), "stopped by SIGTERM, cleanly:\n{log}");
    let table = String::from_utf8(result.stdout).unwrap();
    assert!(table.starts_with("variant") && table.lines().next().unwrap().contains("req/s"), "{table}");
}

/// A std-only HTTP/1.1 server on `PORT` (keep-alive, a thread per connection) whose one route does
/// work a profile can see, and which exits normally on SIGTERM, so that an instrumented build
/// writes its profile at exit as a real service would.
const SERVER: &str = r#"use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};

#[profile_info::main]
fn main() {
    let port: u16 = std::env::var("PORT").expect("PORT").parse().expect("PORT is a port number");
    exit_on_sigterm();
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind");
    println!("listening on http://127.0.0.1:{port}");
    for stream in listener.incoming().flatten() {
        std::thread::spawn(move || serve(stream));
    }
}

/// SIGTERM is blocked in every thread and waited for in one, which then exits the process the
/// normal way (atexit handlers run: an instrumented build writes its profile there).
fn exit_on_sigterm() {
    // SAFETY: a zeroed sigset_t is a valid argument to sigemptyset, which initialises it.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        set
    };
    std::thread::spawn(move || {
        let mut signal = 0;
        // SAFETY: `set` is initialised and SIGTERM blocked, as sigwait requires.
        unsafe { libc::sigwait(&set, &mut signal) };
        println!("shut down");
        std::process::exit(0);
    });
}

fn serve(stream: TcpStream) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut out = stream;
    loop {
        let mut request = String::new();
        if reader.read_line(&mut request).unwrap_or(0) == 0 {
            return;
        }
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap_or(0) > 2 {
            line.clear();
        }
        let body = if request.starts_with("GET /primes ") { primes_below(3000).to_string() } else { String::new() };
        let status = if body.is_empty() { "404 Not Found" } else { "200 OK" };
        let reply = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\n\r\n{body}", body.len());
        if out.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// The work of a request, by trial division.
#[inline(never)]
fn primes_below(n: u64) -> usize {
    (2..n).filter(|&i| (2..).take_while(|d| d * d <= i).all(|d| i % d != 0)).count()
}
"#;

/// Whether an ELF file has a section of this name: LLVM's instrumentation puts its counters in
/// `__llvm_prf_cnts`, which only an instrumented build has.
fn has_section(file: &Path, name: &str) -> bool {
    use object::{Object, ObjectSection};
    let bytes = std::fs::read(file).unwrap();
    let elf = object::File::parse(&*bytes).expect("an object file");
    let found = elf.sections().any(|s| s.name() == Ok(name));
    found
}

/// The PGO rung with `--serve`: the instrumented build is started as a server, trained by one
/// `--load` and stopped with SIGTERM, and the rung is built with what it wrote. Checked against
/// rustc's own command lines (logged by a `RUSTC_WRAPPER`), the file system (the raw profiles),
/// llvm-profdata (the request handler's counts in the merged profile), the ELF sections of the
/// kept binaries and each binary's own `--build-info=json`.
#[test]
fn serve_trains_the_pgo_rung_on_the_instrumented_server() {
    use cargo_profile_info::harness::candidates;
    let fixture = Fixture::with_files(
        "compare-pgo-serve",
        &[("src/main.rs", SERVER)],
        "[dependencies.libc]\nversion = \"0.2\"\n",
    );
    let out = out_dir("serve-pgo");
    let (wrapper, log) = rustc_logger("serve-pgo");
    let args = [
        "profile-info",
        "compare",
        "--serve",
        "--run",
        "{bin}",
        "--load",
        "wrk -t1 -c2 -d1s http://127.0.0.1:{port}/primes",
        "--variants",
        "pgo",
        "--runs",
        "1",
        "--build-runs",
        "2",
        "--out",
        out.to_str().unwrap(),
    ];
    // The user's RUSTFLAGS, which cargo reads instead of any build.rustflags compare could give.
    let user_flag = "-Cforce-frame-pointers=yes";
    let env = [("RUSTC_WRAPPER", wrapper.to_str().unwrap()), ("RUSTFLAGS", user_flag)];
    let result = tool_with(&fixture.dir, &args, &env);
    let err = stderr(&result);
    assert!(result.status.success(), "compare --serve with pgo failed:\n{err}");

    // What rustc was given for the fixture's binary crate: instrumented, then with the merged profile,
    // and the user's flag in every build.
    let compiled = std::fs::read_to_string(&log).expect("the wrapper's log");
    let bins =
        compiled.lines().filter(|l| l.contains("--crate-name compare_pgo_serve ") && l.contains("--crate-type bin"));
    assert!(bins.clone().count() >= 2 && bins.clone().all(|l| l.contains(user_flag)), "{compiled}");
    let lines: Vec<&str> = compiled.lines().filter(|l| l.contains("--crate-name compare_pgo_serve ")).collect();
    let raw = out.join("pgo/raw");
    let merged = out.join("pgo/merged.profdata");
    assert!(lines.iter().any(|l| l.contains(&format!("-Cprofile-generate={}", raw.display()))), "{compiled}");
    assert!(lines.iter().any(|l| l.contains(&format!("-Cprofile-use={}", merged.display()))), "{compiled}");
    assert!(lines.iter().any(|l| !l.contains("-Cprofile-")), "the release row's build has no profile flag");
    // --build-runs 2: each build of the binary crate is timed twice, after a clean each time.
    for flag in ["-Cprofile-generate", "-Cprofile-use"] {
        assert!(lines.iter().filter(|l| l.contains(flag)).count() >= 2, "{flag} twice:\n{compiled}");
    }
    assert!(lines.iter().filter(|l| !l.contains("-Cprofile-")).count() >= 2, "release twice:\n{compiled}");

    // The server wrote its raw profile on SIGTERM, after the training load.
    let profiles = std::fs::read_dir(&raw).unwrap().filter_map(Result::ok);
    assert!(profiles.filter(|e| e.path().extension().is_some_and(|x| x == "profraw")).count() > 0);
    let train = std::fs::read_to_string(out.join("pgo/train.log")).unwrap();
    assert!(train.contains("listening on") && train.trim_end().ends_with("shut down"), "{train}");
    // The merged profile counts the request handler's blocks: the training went through the server.
    let show = |tool: &Path| {
        Command::new(tool).args(["show", "--counts", "--function=primes_below"]).arg(&merged).output().unwrap()
    };
    let profdata = candidates().into_iter().find(|c| show(&c.path).status.success());
    let shown = show(&profdata.expect("an llvm-profdata that reads the merged profile").path);
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.contains("12primes_below"), "{shown}");
    let counts: Vec<u64> = shown
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Block counts: ["))
        .flat_map(|l| l.trim_end_matches(']').split(", ").filter_map(|n| n.parse().ok()))
        .collect();
    assert!(counts.iter().any(|&n| n > 0), "{shown}");

    let report = read_report(&out);
    let names: Vec<&str> = report["variants"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["release", "pgo"], "{err}");
    for row in report["variants"].as_array().unwrap() {
        let name = row["name"].as_str().unwrap();
        let binary = out.join(row["binary"].as_str().unwrap());
        let own: Value = serde_json::from_slice(&run(&binary, &["--build-info=json"]).stdout).unwrap();
        assert_eq!(row["document"], own, "{name}");
        assert_eq!(row["size_bytes"].as_u64(), Some(std::fs::metadata(&binary).unwrap().len()), "{name}");
        assert!(row["requests_per_second"].as_f64().unwrap() > 0.0, "{name}: {row}");
        let runs = row["build_seconds_runs"].as_array().unwrap();
        assert_eq!(runs.len(), 2, "{name}: {row}");
        assert!(runs.iter().all(|s| s.as_f64().unwrap() > 0.0), "{name}: {row}");
        assert!(!has_section(&binary, "__llvm_prf_cnts"), "{name}: not instrumented");
        let served = std::fs::read_to_string(out.join(format!("logs/{name}.log"))).unwrap();
        assert!(served.trim_end().ends_with("shut down"), "{name}: stopped by SIGTERM, cleanly:\n{served}");
    }
    let pgo = row(&report, "pgo");
    assert_eq!(pgo["document"]["profile"]["pgo"], "use");
    assert_eq!(row(&report, "release")["document"]["profile"]["pgo"], "off");
    let instrumented = out.join("bin/pgo-generate/compare-pgo-serve");
    assert!(has_section(&instrumented, "__llvm_prf_cnts"), "the trained build was instrumented");
}
