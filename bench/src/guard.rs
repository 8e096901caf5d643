//! What the startup CPU guard costs (`bash scripts/bench.sh guard`): process start of an x86-64-v3
//! hello world with the guard against the same program built with
//! `#[profile_info::main(guard = false)]`, measured with hyperfine (no shell, many runs). Twice:
//! statically and dynamically linked with glibc (in both the guard reads the CPUID values glibc
//! already has: from libc.so, or from libc.a when glibc is 2.33 or later). The figures go in
//! bench/RESULTS.md; the last line, `ratio=` (dynamic build, medians), is judged.

use crate::hello::{self, status};
use crate::hyperfine::{self, line, Timing};
use crate::io;
use crate::sections::Judged;
use cargo_profile_info::compare::Failure;
use object::{Object, ObjectSymbol};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The triple the programs are built for: `--target` keeps target-cpu away from build scripts and
/// proc macros.
const TRIPLE: &str = "x86_64-unknown-linux-gnu";
/// The guard's symbols (its code and its data) begin with this.
const GUARD_SYMBOL: &str = "profile_info_guard_";
/// Rounds of the guarded then the unguarded program, interleaved so that drift (other load, CPU
/// frequency) does not favour one side.
const ROUNDS: usize = 3;
/// hyperfine's runs per command, and warm-up runs: by default, and with `--quick`.
pub const RUNS: (u32, u32) = (3000, 30);
const WARMUP: (u32, u32) = (200, 5);

/// How a program is linked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// Statically, glibc's libc.a included.
    Static,
    /// Dynamically, against libc.so.
    Dynamic,
}

impl Link {
    /// In the order measured: the judged one last.
    pub const ALL: [Link; 2] = [Link::Static, Link::Dynamic];

    /// The figures' label.
    pub fn label(self) -> &'static str {
        match self {
            Link::Static => "static",
            Link::Dynamic => "dynamic",
        }
    }

    /// `RUSTFLAGS`: one target dir per value, so that the two kinds of build do not rebuild each
    /// other's dependencies.
    fn rustflags(self) -> &'static str {
        match self {
            Link::Static => "-C target-cpu=x86-64-v3 -C target-feature=+crt-static",
            Link::Dynamic => "-C target-cpu=x86-64-v3",
        }
    }
}

/// The hello world with the guard, or without.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct App {
    /// Its package name.
    pub name: &'static str,
    /// The line above `fn main`.
    pub attribute: &'static str,
    /// It carries the guard.
    pub guarded: bool,
}

/// Guarded first: each round's order.
pub const APPS: [App; 2] = [
    App { name: "hello-guard", attribute: "#[profile_info::main]", guarded: true },
    App { name: "hello-noguard", attribute: "#[profile_info::main(guard = false)]", guarded: false },
];

/// One run's settings and places.
#[derive(Clone, Debug)]
pub struct Plan {
    /// hyperfine's runs per command.
    pub runs: u32,
    /// hyperfine's warm-up runs per command.
    pub warmup: u32,
    /// The workspace root.
    pub root: PathBuf,
    /// `target/bench/guard`.
    pub work: PathBuf,
}

impl Plan {
    /// The plan for `quick` (fewer runs and warm-ups) and `runs` (the mode's default when `None`).
    pub fn new(root: &Path, quick: bool, runs: Option<u32>) -> Plan {
        let (default, warmup) = if quick { (RUNS.1, WARMUP.1) } else { (RUNS.0, WARMUP.0) };
        Plan { runs: runs.unwrap_or(default), warmup, root: root.to_owned(), work: root.join("target/bench/guard") }
    }

    fn target(&self, link: Link) -> PathBuf {
        self.work.join(match link {
            Link::Static => "target-static",
            Link::Dynamic => "target",
        })
    }

    /// Where cargo puts `app` built for `link`.
    pub fn binary(&self, app: &App, link: Link) -> PathBuf {
        self.target(link).join(TRIPLE).join("release").join(app.name)
    }

    /// `cargo build`'s arguments.
    pub fn build_args() -> [&'static str; 5] {
        ["build", "-q", "--release", "--target", TRIPLE]
    }

    /// hyperfine's arguments for `link`: no shell, then [`ROUNDS`] rounds of the guarded and the
    /// unguarded program, each named.
    pub fn hyperfine_args(&self, link: Link) -> Vec<String> {
        let mut args: Vec<String> =
            ["-N", "--warmup", &self.warmup.to_string(), "--runs", &self.runs.to_string()].map(str::to_owned).into();
        for _ in 0..ROUNDS {
            for app in APPS {
                args.extend([
                    "-n".to_owned(),
                    app.name.to_owned(),
                    line(&[self.binary(&app, link).display().to_string()]),
                ]);
            }
        }
        args
    }

    /// Writes and builds `app` for `link`; checks that it carries the guard or does not.
    fn build(&self, app: &App, link: Link) -> Result<(), Failure> {
        let dir = self.work.join(app.name);
        let deps =
            format!("[dependencies]\nprofile-info = {{ path = \"{}\" }}", self.root.join("profile-info").display());
        hello::package(&dir, app.name, app.attribute, &deps, Some(&self.root.join("Cargo.lock")))?;
        let mut cargo = Command::new("cargo");
        cargo
            .args(Plan::build_args())
            .current_dir(&dir)
            .env("RUSTFLAGS", link.rustflags())
            .env("CARGO_TARGET_DIR", self.target(link));
        status(&mut cargo, &format!("cargo build ({}, {})", app.name, link.label()))?;
        let binary = self.binary(app, link);
        let guards = guard_symbols(&binary)?;
        match (app.guarded, guards.is_empty()) {
            (true, true) => Err(Failure::new(format!("no guard in {}", binary.display()))),
            (false, false) => Err(Failure::new(format!("guard in {}", binary.display()))),
            _ => Ok(()),
        }
    }

    /// Builds the four programs, times them, and returns the section's figures.
    pub fn run(&self) -> Result<String, Failure> {
        let mut text = String::new();
        for link in Link::ALL {
            for app in &APPS {
                self.build(app, link)?;
            }
        }
        for (name, size) in guard_symbols(&self.binary(&APPS[0], Link::Dynamic))? {
            text.push_str(&format!("{name}: {size} bytes\n"));
        }
        let mut startups = Vec::new();
        for link in Link::ALL {
            let json = self.work.join(format!("hyperfine-{}.json", link.label()));
            let timings = hyperfine::run(&self.work, &self.hyperfine_args(link), &json, &[])?;
            startups.push(Startup::of(link, &timings).map_err(Failure::new)?);
        }
        text.push_str(&render(&startups));
        Ok(text)
    }
}

/// The guard's symbols in `binary` and their sizes, by name (as `nm -S` lists them).
pub fn guard_symbols(binary: &Path) -> Result<Vec<(String, u64)>, Failure> {
    Ok(sized_symbols(binary)?.into_iter().filter(|(name, _)| name.starts_with(GUARD_SYMBOL)).collect())
}

/// The symbols `binary` defines with a size, sorted by name.
fn sized_symbols(binary: &Path) -> Result<Vec<(String, u64)>, Failure> {
    let what = binary.display().to_string();
    let data = std::fs::read(binary).map_err(|e| io(&what, e))?;
    let file = object::File::parse(&*data).map_err(|e| Failure::new(format!("{what}: {e}")))?;
    let mut symbols: Vec<(String, u64)> = file
        .symbols()
        .filter(|s| s.is_definition() && s.size() > 0)
        .filter_map(|s| Some((s.name().ok()?.to_owned(), s.size())))
        .collect();
    symbols.sort();
    Ok(symbols)
}

/// Medians and minimums (a shared machine adds long outliers to the means), in seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// The mean over rounds of hyperfine's medians.
    pub median: f64,
    /// The mean over rounds of hyperfine's minimums.
    pub min: f64,
}

/// One kind of link's figures: the guarded program's start beside the unguarded one's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Startup {
    /// The link.
    pub link: Link,
    /// With the guard.
    pub with: Spread,
    /// Without.
    pub without: Spread,
}

impl Startup {
    /// The figures of hyperfine's results for `link`: whole rounds of [`APPS`], in order.
    pub fn of(link: Link, timings: &[Timing]) -> Result<Startup, String> {
        if timings.is_empty() || !timings.len().is_multiple_of(APPS.len()) {
            return Err(format!(
                "{} results are not whole rounds of the guarded and unguarded programs",
                timings.len()
            ));
        }
        if let Some((t, app)) = timings.iter().zip(APPS.iter().cycle()).find(|(t, app)| t.command != app.name) {
            return Err(format!("hyperfine ran `{}` where a round has `{}`", t.command, app.name));
        }
        let mean = |guarded: bool, stat: fn(&Timing) -> f64| {
            let picked: Vec<f64> = timings
                .iter()
                .zip(APPS.iter().cycle())
                .filter(|(_, a)| a.guarded == guarded)
                .map(|(t, _)| stat(t))
                .collect();
            picked.iter().sum::<f64>() / picked.len() as f64
        };
        let spread = |guarded| Spread { median: mean(guarded, |t| t.median), min: mean(guarded, |t| t.min) };
        Ok(Startup { link, with: spread(true), without: spread(false) })
    }

    /// The medians' line and the minimums' line.
    fn lines(&self) -> String {
        let line = |what: &str, with: f64, without: f64| {
            let ratio = with / without;
            format!(
                "{} {what} with guard {:.1} us, without {:.1} us, ratio {ratio:.4} ({:+.2}%)\n",
                self.link.label(),
                with * 1e6,
                without * 1e6,
                (ratio - 1.0) * 100.0
            )
        };
        line("median:", self.with.median, self.without.median) + &line("min:   ", self.with.min, self.without.min)
    }
}

/// Each link's lines, then `ratio=` of the dynamic build's medians: the line the report judges.
pub fn render(startups: &[Startup]) -> String {
    let mut text: String = startups.iter().map(Startup::lines).collect();
    if let Some(s) = startups.iter().find(|s| s.link == Link::Dynamic) {
        text.push_str(&format!("{}={:.4}\n", Judged::Ratio.key(), s.with.median / s.without.median));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hyperfine::tests::bash_words as words;

    fn plan(quick: bool) -> Plan {
        Plan::new(Path::new("/w"), quick, None)
    }

    #[test]
    fn rounds_interleave_the_guarded_and_unguarded_programs() {
        assert_eq!((plan(false).runs, plan(false).warmup), (3000, 200));
        assert_eq!((plan(true).runs, plan(true).warmup), (30, 5));
        assert_eq!(Plan::new(Path::new("/w"), true, Some(7)).runs, 7);
        let args = plan(true).hyperfine_args(Link::Static);
        assert_eq!(args[..5], ["-N", "--warmup", "5", "--runs", "30"]);
        let commands: Vec<&[String]> = args[5..].chunks(3).collect();
        assert_eq!(commands.len(), 6);
        for (c, app) in commands.iter().zip(APPS.iter().cycle()) {
            assert_eq!((c[0].as_str(), c[1].as_str()), ("-n", app.name));
            let binary = format!("/w/target/bench/guard/target-static/x86_64-unknown-linux-gnu/release/{}", app.name);
            assert_eq!(words(&c[2]), [binary]);
        }
        let dynamic = plan(true).hyperfine_args(Link::Dynamic);
        assert_eq!(words(&dynamic[7]), ["/w/target/bench/guard/target/x86_64-unknown-linux-gnu/release/hello-guard"]);
    }

    #[test]
    fn the_attribute_and_the_flags_say_what_is_measured() {
        assert_eq!(APPS.map(|a| a.guarded), [true, false]);
        assert_eq!(APPS[1].attribute, "#[profile_info::main(guard = false)]");
        // rustc as the oracle: the flags select x86-64-v3, and crt-static only for the static link.
        for link in Link::ALL {
            let out = Command::new("rustc")
                .args(["--print", "cfg", "--target", TRIPLE])
                .args(link.rustflags().split(' '))
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let cfg = String::from_utf8(out.stdout).unwrap();
            assert!(cfg.contains("target_feature=\"avx2\""), "{link:?}: {cfg}");
            assert_eq!(cfg.contains("target_feature=\"crt-static\""), link == Link::Static, "{link:?}");
        }
        assert_eq!(Plan::build_args()[3..], ["--target", TRIPLE]);
    }

    #[test]
    fn symbols_are_read_as_nm_lists_them() {
        // nm as the oracle, on this test binary: the defined symbols of this workspace's crates
        // with their sizes.
        let exe = std::env::current_exe().unwrap();
        let out = Command::new("nm").args(["-S", "--defined-only"]).arg(&exe).output().expect("nm (binutils)");
        assert!(out.status.success());
        let mut listed: Vec<(String, u64)> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter_map(|l| match l.split_whitespace().collect::<Vec<_>>()[..] {
                [_, size, _, name] => Some((name.to_owned(), u64::from_str_radix(size, 16).unwrap())),
                _ => None,
            })
            .filter(|(name, size)| name.contains("profile_info") && *size > 0)
            .collect();
        listed.sort();
        let read: Vec<(String, u64)> =
            sized_symbols(&exe).unwrap().into_iter().filter(|(name, _)| name.contains("profile_info")).collect();
        assert!(listed.len() > 100, "{}", listed.len());
        assert_eq!(read, listed);
        assert!(guard_symbols(&exe).unwrap().is_empty(), "no guard in the bench tool");
        assert!(guard_symbols(Path::new("/no/such/binary")).unwrap_err().to_string().contains("/no/such/binary"));
    }

    #[test]
    fn figures_are_means_over_rounds_of_medians_and_minimums() {
        let t = |command: &str, median: f64, min: f64| Timing { command: command.into(), mean: 1.0, median, min };
        let timings = [
            t("hello-guard", 800e-6, 700e-6),
            t("hello-noguard", 780e-6, 690e-6),
            t("hello-guard", 820e-6, 710e-6),
            t("hello-noguard", 820e-6, 700e-6),
        ];
        let dynamic = Startup::of(Link::Dynamic, &timings).unwrap();
        assert!((dynamic.with.median - 810e-6).abs() < 1e-12 && (dynamic.without.median - 800e-6).abs() < 1e-12);
        assert!((dynamic.with.min - 705e-6).abs() < 1e-12 && (dynamic.without.min - 695e-6).abs() < 1e-12);
        let fixed = |with: f64, without: f64| Spread { median: with, min: without };
        let static_ = Startup { link: Link::Static, with: fixed(520e-6, 500e-6), without: fixed(500e-6, 500e-6) };
        // 810 / 800 = 1.0125; 705 / 695 = 1.01438…; 520 / 500 = 1.04; 500 / 500 = 1.
        assert_eq!(
            render(&[static_, dynamic]),
            "static median: with guard 520.0 us, without 500.0 us, ratio 1.0400 (+4.00%)\n\
             static min:    with guard 500.0 us, without 500.0 us, ratio 1.0000 (+0.00%)\n\
             dynamic median: with guard 810.0 us, without 800.0 us, ratio 1.0125 (+1.25%)\n\
             dynamic min:    with guard 705.0 us, without 695.0 us, ratio 1.0144 (+1.44%)\n\
             ratio=1.0125\n"
        );
        assert!(!render(&[static_]).contains("ratio="), "the dynamic link's ratio is judged");
        assert!(Startup::of(Link::Static, &timings[..3]).is_err(), "not whole rounds");
        assert!(Startup::of(Link::Static, &[]).is_err());
        let swapped = [timings[1].clone(), timings[0].clone()];
        assert!(Startup::of(Link::Static, &swapped).unwrap_err().contains("ran `hello-noguard` where"));
    }

    #[test]
    fn hyperfine_keeps_repeated_commands_apart_and_in_order() {
        // hyperfine as the oracle: the rounds' repeated commands come back as separate results,
        // in the order given, under their names.
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench/unit/guard");
        std::fs::create_dir_all(&dir).unwrap();
        let mut args: Vec<String> = ["-N", "--warmup", "1", "--runs", "3"].map(str::to_owned).into();
        for _ in 0..ROUNDS {
            for (app, tool) in APPS.iter().zip(["true", "echo"]) {
                args.extend(["-n".to_owned(), app.name.to_owned(), tool.to_owned()]);
            }
        }
        let timings = hyperfine::run(&dir, &args, &dir.join("hyperfine.json"), &[]).unwrap();
        let names: Vec<&str> = timings.iter().map(|t| t.command.as_str()).collect();
        assert_eq!(names, [APPS[0].name, APPS[1].name].repeat(ROUNDS));
        let s = Startup::of(Link::Dynamic, &timings).unwrap();
        assert!(s.with.min > 0.0 && s.with.min <= s.with.median && s.without.min <= s.without.median, "{s:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
