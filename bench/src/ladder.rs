//! What the ladder of `cargo profile-info compare` costs to build (`bash scripts/bench.sh ladder`):
//! the workspace's examples package (axum, actix-web, tokio, clap and tracing: well over 40
//! dependencies) compared over the whole ladder twice, each time from an empty target dir: as
//! compare builds it (one target dir and one profile of its own, each rung built once, the strip
//! and lto-fat rungs compiling the binary's crate alone, PGO trained once for the pgo and bolt
//! rungs) and with `--clean` (each rung built from nothing in a directory of its own,
//! as every rung was built before the ladder shared its builds). Each gives its wall time and the
//! peak size of everything it wrote (target dir and out dir, sampled every two seconds), the CPU
//! time it took (this process and every process it waited for: cargo, rustc, the runs) and how
//! busy that kept the machine's cores, which says how much wall time running builds side by side
//! could still save. The last line is `ratio=`: the ladder's wall time over the from-nothing one's.

use crate::{io, log};
use cargo_profile_info::compare::{compare, Options};
use cargo_profile_info::harness::{aligned, size};
use cargo_profile_info::Error;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The package and example compared.
const PACKAGE: &str = "profile-info-examples";
const EXAMPLE: &str = "hello";

/// One way of building the ladder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Way {
    /// Its row in the table.
    pub title: &'static str,
    /// Its directory under `target/bench/ladder`.
    pub dir: &'static str,
    /// `--clean`.
    pub clean: bool,
}

/// The ways, from-nothing first (the ratio's denominator).
pub const WAYS: [Way; 2] = [
    Way { title: "each rung built from nothing (--clean)", dir: "clean", clean: true },
    Way { title: "the ladder (one target dir, shared builds)", dir: "ladder", clean: false },
];

/// What one way cost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cost {
    /// Wall-clock seconds of the whole comparison.
    pub seconds: f64,
    /// The most bytes its directories held at once.
    pub peak_bytes: u64,
    /// User and system CPU seconds of this process and the processes it waited for.
    pub cpu_seconds: f64,
}

/// User and system CPU seconds so far of this process and of every child it has waited for (and,
/// through them, their children: cargo waits for each rustc).
fn cpu_seconds() -> f64 {
    let seconds = |who| {
        // SAFETY: a zeroed rusage is a valid value of the plain C struct, which getrusage fills.
        let mut usage = unsafe { std::mem::zeroed::<libc::rusage>() };
        // SAFETY: `usage` is a valid, writable rusage.
        unsafe { libc::getrusage(who, &mut usage) };
        let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        tv(usage.ru_utime) + tv(usage.ru_stime)
    };
    seconds(libc::RUSAGE_SELF) + seconds(libc::RUSAGE_CHILDREN)
}

/// The cores the machine gives this process.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// One run's settings and places.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Two rungs instead of the whole ladder.
    pub quick: bool,
    /// The workspace root.
    pub root: PathBuf,
    /// `target/bench/ladder`.
    pub work: PathBuf,
}

/// Bytes on disk under `dir` (blocks, as `du` counts them); 0 when it is not there.
pub fn disk_bytes(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => disk_bytes(&e.path()) + m.blocks() * 512,
            Ok(m) => m.blocks() * 512,
            Err(_) => 0,
        })
        .sum()
}

impl Plan {
    /// The plan for `quick`.
    pub fn new(root: &Path, quick: bool) -> Plan {
        Plan { quick, root: root.to_owned(), work: root.join("target/bench/ladder") }
    }

    /// compare's options for `way`, its reports in `out`.
    pub fn options(&self, way: Way, out: &Path) -> Options {
        let pick = self.quick.then(|| vec!["strip".to_owned(), "lto-thin".to_owned()]);
        Options {
            manifest_path: Some(self.root.join("examples/Cargo.toml")),
            package: Some(PACKAGE.into()),
            example: Some(EXAMPLE.into()),
            run: "{bin}".into(),
            runs: 1,
            out: Some(out.to_owned()),
            variants: pick,
            clean: way.clean,
            ..Options::default()
        }
    }

    /// The package's normal dependencies, as `cargo tree` lists them (each once).
    fn dependencies(&self) -> Result<usize, Error> {
        let manifest = self.root.join("examples/Cargo.toml");
        let out = Command::new("cargo")
            .args(["tree", "-e", "normal", "--prefix", "none", "-p", PACKAGE, "--manifest-path"])
            .arg(&manifest)
            .output()
            .map_err(|e| io("cargo tree", e))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let mut names: Vec<&str> = text.lines().map(|l| l.trim_end_matches(" (*)")).filter(|l| !l.is_empty()).collect();
        names.sort_unstable();
        names.dedup();
        Ok(names.len().saturating_sub(1))
    }

    /// Compares the ladder `way`'s way from empty directories, sampling their size.
    fn measure(&self, way: Way) -> Result<Cost, Error> {
        let dir = self.work.join(way.dir);
        let _ = std::fs::remove_dir_all(&dir);
        let (target, out) = (dir.join("target"), dir.join("out"));
        std::fs::create_dir_all(&target).map_err(|e| io(&target.display().to_string(), e))?;
        std::env::set_var("CARGO_TARGET_DIR", &target);
        let (done, peak) = (AtomicBool::new(false), AtomicU64::new(0));
        let (start, cpu) = (Instant::now(), cpu_seconds());
        let result = std::thread::scope(|scope| {
            scope.spawn(|| {
                while !done.load(Ordering::Relaxed) {
                    peak.fetch_max(disk_bytes(&dir), Ordering::Relaxed);
                    std::thread::sleep(Duration::from_secs(2));
                }
            });
            let result = compare(&self.options(way, &out));
            done.store(true, Ordering::Relaxed);
            result
        });
        let (seconds, cpu_seconds) = (start.elapsed().as_secs_f64(), cpu_seconds() - cpu);
        std::env::remove_var("CARGO_TARGET_DIR");
        result?;
        Ok(Cost { seconds, peak_bytes: peak.load(Ordering::Relaxed).max(disk_bytes(&dir)), cpu_seconds })
    }

    /// Measures both ways and returns the section's text.
    pub fn run(&self) -> Result<String, Error> {
        let deps = self.dependencies()?;
        let mut costs = Vec::new();
        for way in WAYS {
            log(&format!("ladder: {}", way.title));
            costs.push((way, self.measure(way)?));
        }
        Ok(table(deps, self.quick, cores(), &costs))
    }
}

/// The section's text: the table (the cores busy is the CPU time over the wall time of `cores`)
/// and the ratio line.
pub fn table(deps: usize, quick: bool, cores: usize, costs: &[(Way, Cost)]) -> String {
    let rungs = if quick { "release, strip, lto-thin (--quick)" } else { "the whole ladder" };
    let mut text = format!("{PACKAGE} --example {EXAMPLE} ({deps} dependencies), {rungs}, --runs 1\n");
    let mut rows = vec![["way", "wall time", "peak size", "CPU time", "cores busy"].map(str::to_owned).to_vec()];
    for (way, cost) in costs {
        rows.push(vec![
            way.title.to_owned(),
            format!("{:.1} s", cost.seconds),
            size(cost.peak_bytes),
            format!("{:.1} s", cost.cpu_seconds),
            format!("{:.0} % of {cores}", 100.0 * cost.cpu_seconds / (cost.seconds * cores as f64)),
        ]);
    }
    text.push_str(&aligned(&rows));
    if let [(_, nothing), .., (_, ladder)] = costs {
        text.push_str(&format!("size_ratio={:.2}\n", ladder.peak_bytes as f64 / nothing.peak_bytes as f64));
        text.push_str(&format!("ratio={:.2}\n", ladder.seconds / nothing.seconds));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_ends_with_the_time_ratio() {
        let costs = [
            (WAYS[0], Cost { seconds: 200.0, peak_bytes: 2_000_000_000, cpu_seconds: 380.0 }),
            (WAYS[1], Cost { seconds: 90.0, peak_bytes: 900_000_000, cpu_seconds: 162.0 }),
        ];
        let text = table(52, false, 2, &costs);
        assert!(
            text.starts_with("profile-info-examples --example hello (52 dependencies), the whole ladder"),
            "{text}"
        );
        assert!(text.contains("each rung built from nothing (--clean)      200.0 s    2000.00 MB"), "{text}");
        assert!(text.contains("380.0 s   95 % of 2\n"), "{text}");
        assert!(text.contains("162.0 s   90 % of 2\n"), "{text}");
        assert!(text.ends_with("size_ratio=0.45\nratio=0.45\n"), "{text}");
    }

    #[test]
    fn disk_bytes_counts_blocks_below() {
        let dir = std::env::temp_dir().join(format!("ladder-bytes-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("a")).unwrap();
        std::fs::write(dir.join("a/f"), vec![1u8; 10_000]).unwrap();
        let bytes = disk_bytes(&dir);
        assert!(bytes >= 10_000, "{bytes}");
        assert_eq!(disk_bytes(&dir.join("missing")), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
