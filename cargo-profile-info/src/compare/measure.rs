//! Running the variants: one warm-up each, then samples taken round-robin across the variants (never
//! all of one, then all of the next), so that a noisy machine hurts every variant alike; and the
//! verdict drawn from the rounds.
//!
//! # The verdict
//!
//! Each round runs every variant once, so each round gives a variant one ratio to release
//! (its time over release's time in the same round): load that slows the whole round cancels out.
//! The verdict is drawn from those ratios: their median, and a 95 % interval for the typical
//! ratio, a Student t interval on the logarithms of the ratios (the ratio's geometric mean,
//! `exp(mean ± t₀.₉₇₅,ₙ₋₁ · sd/√n)`). `faster` or `slower` only when the interval excludes 1,
//! else `same`.
//!
//! Why t and not a distribution-free interval: with two identical binaries whose order in a round
//! is alternated, the log-ratio of a round is symmetric about 0, which is the condition under which
//! the t interval holds its level or is conservative (Efron, 1969), while an exact sign or Wilcoxon
//! interval (or a bootstrap) cannot reach 95 % before 6 rounds: the smallest two-sided p-value of
//! n rounds is 2/2ⁿ, 6.25 % for 5. The t interval also uses how much faster each round was, so 5
//! rounds that all win clearly are `faster`.

use super::build::tail;
use crate::Error;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// Takes one warm-up (discarded) and then `runs` samples of each of `count` variants, interleaved:
/// round 1 samples variant 0, 1, …, round 2 the same variants in reverse order, and so on, so that
/// being run first or after another (a cache warmed, a clock ramped up) favours no variant over
/// release. `sample(i, round)` measures variant `i`; round 0 is the warm-up.
pub fn round_robin<T>(
    count: usize,
    runs: usize,
    mut sample: impl FnMut(usize, usize) -> Result<T, Error>,
) -> Result<Vec<Vec<T>>, Error> {
    let mut samples: Vec<Option<T>> = Vec::new();
    let mut kept: Vec<Vec<T>> = (0..count).map(|_| Vec::with_capacity(runs)).collect();
    for round in 0..=runs {
        samples.clear();
        samples.resize_with(count, || None);
        let order: Vec<usize> = if round % 2 == 0 { (0..count).rev().collect() } else { (0..count).collect() };
        for i in order {
            samples[i] = Some(sample(i, round)?);
        }
        if round > 0 {
            for (k, s) in kept.iter_mut().zip(samples.drain(..)) {
                k.extend(s);
            }
        }
    }
    Ok(kept)
}

/// The confidence of the interval a verdict rests on.
pub const CONFIDENCE: &str = "95 %";

/// Student's t quantile t₀.₉₇₅ for 1 to 30 degrees of freedom (the two-sided 95 % critical value).
const T_975: [f64; 30] = [
    12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139, 2.200985,
    2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963, 2.079614, 2.073873,
    2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.045230, 2.042272,
];

/// t₀.₉₇₅ with `df` degrees of freedom (at least 1): the table, and past it the Cornish–Fisher
/// expansion around the normal quantile (within 1e-5 of the exact value from 30 on).
pub fn t_975(df: usize) -> f64 {
    assert!(df > 0, "t needs a degree of freedom");
    if let Some(t) = T_975.get(df - 1) {
        return *t;
    }
    let (z, n) = (1.959964_f64, df as f64);
    z + (z.powi(3) + z) / (4.0 * n)
        + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * n * n)
        + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / (384.0 * n.powi(3))
}

/// Whether a variant is faster than release, slower, or not told apart from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The whole interval is below 1.
    Faster,
    /// The whole interval is above 1.
    Slower,
    /// The interval holds 1, or there is none.
    Same,
}

impl Verdict {
    /// `faster`, `slower` or `same`, as report.json and the table write it.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Faster => "faster",
            Verdict::Slower => "slower",
            Verdict::Same => "same",
        }
    }
}

/// A variant against release over the same rounds.
#[derive(Clone, Debug, PartialEq)]
pub struct Paired {
    /// The median of the per-round ratios (the variant's cost over release's; below 1 is faster).
    pub ratio_median: f64,
    /// The 95 % interval of the typical ratio; `None` with fewer than 2 rounds.
    pub ratio_ci: Option<(f64, f64)>,
    /// What the interval says.
    pub verdict: Verdict,
    /// Why the verdict is `same` when the rounds could not tell: too few of them, or how many
    /// would resolve a difference of the size seen.
    pub reason: Option<String>,
}

/// The most rounds compare suggests; a difference that needs more is too small to chase.
const MOST_ROUNDS: usize = 1000;

impl Paired {
    /// The verdict on a variant's costs (seconds, instructions, seconds per request: lower is
    /// better) against release's, round by round. `resolution` is the smallest relative difference
    /// the measure can tell at all (0 for time): a geometric mean ratio within it of 1 is `same`
    /// even when the interval excludes 1.
    pub fn of(variant: &[f64], release: &[f64], resolution: f64) -> Paired {
        assert_eq!(variant.len(), release.len(), "rounds are paired");
        let ratios: Vec<f64> = variant.iter().zip(release).map(|(v, r)| v / r).collect();
        let ratio_median = Spread::of(&ratios).median;
        let n = ratios.len();
        if n < 2 {
            let reason = format!("{n} round gives no interval: a {CONFIDENCE} interval needs at least 2 (--runs 2)");
            return Paired { ratio_median, ratio_ci: None, verdict: Verdict::Same, reason: Some(reason) };
        }
        let logs: Vec<f64> = ratios.iter().map(|r| r.ln()).collect();
        let mean = logs.iter().sum::<f64>() / n as f64;
        let sd = (logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
        let half = |n: usize| t_975(n - 1) * sd / (n as f64).sqrt();
        let (lo, hi) = ((mean - half(n)).exp(), (mean + half(n)).exp());
        let floor = (1.0 + resolution).ln();
        let verdict = if hi < 1.0 && mean.abs() > floor {
            Verdict::Faster
        } else if lo > 1.0 && mean.abs() > floor {
            Verdict::Slower
        } else {
            Verdict::Same
        };
        let reason = (verdict == Verdict::Same && mean.abs() > floor).then(|| {
            let seen = format!("{n} rounds cannot tell their geometric mean ratio, {:.3}×, from 1", mean.exp());
            match (n..=MOST_ROUNDS).find(|&m| half(m) < mean.abs()) {
                Some(m) => format!("{seen}; about {m} would (--runs {m})"),
                None => format!("{seen}, nor would {MOST_ROUNDS}"),
            }
        });
        Paired { ratio_median, ratio_ci: Some((lo, hi)), verdict, reason }
    }
}

/// Median, minimum and maximum of some samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// The middle sample (the mean of the two middle ones for an even count).
    pub median: f64,
    /// The smallest.
    pub min: f64,
    /// The largest.
    pub max: f64,
}

impl Spread {
    /// The spread of `samples` (at least one).
    pub fn of(samples: &[f64]) -> Spread {
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        assert!(n > 0, "a spread needs samples");
        let median = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
        Spread { median, min: sorted[0], max: sorted[n - 1] }
    }
}

/// `words` with `{bin}` replaced by the binary (and `{port}` by the port).
pub fn fill(words: &[String], bin: &Path, port: Option<u16>) -> Vec<String> {
    words
        .iter()
        .map(|w| {
            let w = w.replace("{bin}", &bin.display().to_string());
            match port {
                Some(p) => w.replace("{port}", &p.to_string()),
                None => w,
            }
        })
        .collect()
}

/// Splits a command like a POSIX shell (quotes, escapes; no pipes or variables).
pub fn split(flag: &str, command: &str) -> Result<Vec<String>, Error> {
    match shlex::split(command) {
        Some(words) if !words.is_empty() => Ok(words),
        _ => Err(Error::new(format!("{flag} `{command}` is not a command (empty, or unbalanced quotes)"))),
    }
}

/// What `--metric` asks a sample to be.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Asked {
    /// Wall-clock seconds of each run.
    #[default]
    Seconds,
    /// Instructions each run executes (perf where the kernel allows it, else valgrind).
    Instructions,
}

/// What counts instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counter {
    /// `perf stat -e instructions:u`: the CPU's own counter, at full speed.
    Perf,
    /// `valgrind --tool=callgrind`: an instruction-level simulation, 20–100 times slower,
    /// available where the kernel or a virtual machine gives no hardware counters.
    Callgrind,
}

/// What a sample is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Wall-clock seconds.
    Seconds,
    /// Instructions executed in user space, counted by this counter.
    Instructions(Counter),
}

/// How much an instruction count moves between two runs of the same program with a different
/// path or environment (argv, environment and auxiliary vector are read and copied at start): a
/// relative difference this small is `same`.
const INSTRUCTION_RESOLUTION: f64 = 0.001;

impl Metric {
    /// The metric `asked` for, with the instruction counter this machine has.
    pub fn find(asked: Asked) -> Result<Metric, Error> {
        match asked {
            Asked::Seconds => Ok(Metric::Seconds),
            Asked::Instructions if perf_counts() => Ok(Metric::Instructions(Counter::Perf)),
            Asked::Instructions => match Command::new("valgrind").arg("--version").output() {
                Ok(out) if out.status.success() => Ok(Metric::Instructions(Counter::Callgrind)),
                _ => Err(Error::new(
                    "--metric instructions: perf cannot count instructions here (no hardware counters, or \
                     kernel.perf_event_paranoid too high) and valgrind is not installed",
                )),
            },
        }
    }

    /// The unit in report.json's keys (`samples_seconds`, `median_instructions`).
    pub fn unit(self) -> &'static str {
        match self {
            Metric::Seconds => "seconds",
            Metric::Instructions(_) => "instructions",
        }
    }

    /// What a sample is and what measured it, for the report.
    pub fn describe(self) -> &'static str {
        match self {
            Metric::Seconds => "wall-clock seconds per run",
            Metric::Instructions(Counter::Perf) => "instructions per run (user space), counted by perf stat",
            Metric::Instructions(Counter::Callgrind) => "instructions per run, counted by valgrind --tool=callgrind",
        }
    }

    /// What the ratio divides, in words.
    pub fn cost(self) -> &'static str {
        match self {
            Metric::Seconds => "time",
            Metric::Instructions(_) => "instruction count",
        }
    }

    /// The smallest relative difference the metric can tell (see [`Paired::of`]).
    pub fn resolution(self) -> f64 {
        match self {
            Metric::Seconds => 0.0,
            Metric::Instructions(_) => INSTRUCTION_RESOLUTION,
        }
    }

    /// Runs `argv` to the end and returns its sample; a failure names the variant, the exit
    /// status and the last line of the program's stderr. `scratch` is a file name the counter
    /// may write (with extensions added).
    pub fn sample(self, variant: &str, flag: &str, argv: &[String], scratch: &Path) -> Result<f64, Error> {
        let report = scratch.with_extension("count");
        let mut full: Vec<String> = match self {
            Metric::Seconds => Vec::new(),
            Metric::Instructions(Counter::Perf) => {
                ["perf", "stat", "-x,", "-e", "instructions:u", "-o"].map(String::from).into()
            }
            Metric::Instructions(Counter::Callgrind) => vec![
                "valgrind".into(),
                "--tool=callgrind".into(),
                format!("--log-file={}", scratch.with_extension("log").display()),
                format!("--callgrind-out-file={}", report.display()),
            ],
        };
        if self == Metric::Instructions(Counter::Perf) {
            full.push(report.display().to_string());
        }
        if !full.is_empty() {
            full.push("--".into());
        }
        full.extend(argv.iter().cloned());
        let seconds = time_command(variant, flag, &full)?;
        let counted = |what: &str, read: fn(&str) -> Option<f64>| {
            let text = std::fs::read_to_string(&report).unwrap_or_default();
            read(&text).ok_or_else(|| {
                Error::new(format!("variant {variant}: {what} wrote no instruction count to {}", report.display()))
            })
        };
        match self {
            Metric::Seconds => Ok(seconds),
            Metric::Instructions(Counter::Perf) => counted("perf stat", perf_total),
            Metric::Instructions(Counter::Callgrind) => counted("callgrind", callgrind_total),
        }
    }
}

/// Whether `perf stat` counts user-space instructions here (it needs hardware counters, which
/// many virtual machines lack, and `kernel.perf_event_paranoid` ≤ 2).
fn perf_counts() -> bool {
    let out = Command::new("perf").args(["stat", "-x,", "-e", "instructions:u", "true"]).output();
    out.is_ok_and(|o| o.status.success() && perf_total(&String::from_utf8_lossy(&o.stderr)).is_some_and(|n| n > 0.0))
}

/// The count in `perf stat -x,` output: the first field of the `instructions:u` line.
fn perf_total(text: &str) -> Option<f64> {
    let line = text.lines().find(|l| l.split(',').nth(2).is_some_and(|e| e.starts_with("instructions")))?;
    line.split(',').next()?.parse().ok()
}

/// The total in a callgrind output file: its `totals:` line (`summary:` in older versions).
fn callgrind_total(text: &str) -> Option<f64> {
    let line = text.lines().find_map(|l| l.strip_prefix("totals:").or_else(|| l.strip_prefix("summary:")))?;
    line.split_whitespace().next()?.parse().ok()
}

/// Runs `argv` to the end and returns its wall-clock seconds; a failure names the variant, the
/// exit status and the last line of stderr.
pub fn time_command(variant: &str, flag: &str, argv: &[String]) -> Result<f64, Error> {
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..]).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
    let start = Instant::now();
    let out =
        cmd.output().map_err(|e| Error::new(format!("variant {variant}: cannot run {flag} `{}`: {e}", argv[0])))?;
    let seconds = start.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(Error::new(format!(
            "variant {variant}: {flag} failed with {}: {}",
            out.status,
            match tail(&out.stderr) {
                t if t.is_empty() => "(nothing on stderr)".to_owned(),
                t => t,
            }
        )));
    }
    Ok(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_interleaved_after_one_warm_up() {
        let mut order = Vec::new();
        let samples = round_robin(3, 2, |i, round| {
            order.push((i, round));
            Ok(i * 10 + round)
        })
        .unwrap();
        assert_eq!(order, [(2, 0), (1, 0), (0, 0), (0, 1), (1, 1), (2, 1), (2, 2), (1, 2), (0, 2)]);
        assert_eq!(samples, [vec![1, 2], vec![11, 12], vec![21, 22]]);
    }

    #[test]
    fn spreads() {
        let a = Spread::of(&[3.0, 1.0, 2.0]);
        assert_eq!(a, Spread { median: 2.0, min: 1.0, max: 3.0 });
        assert_eq!(Spread::of(&[4.0, 1.0, 2.0, 3.0]).median, 2.5);
    }

    /// Student's t distribution function at `q` with `df` degrees of freedom, by Simpson's rule
    /// after the substitution x = √df·tan θ, under which the density is proportional to
    /// cos^(df−1) θ on (−π/2, π/2): a computation that shares nothing with the quantiles'.
    fn t_cdf(q: f64, df: usize) -> f64 {
        let integral = |a: f64, b: f64| {
            let steps = 20_000;
            let h = (b - a) / steps as f64;
            let f = |t: f64| t.cos().powi(df as i32 - 1);
            let inner: f64 = (1..steps).map(|i| f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 }).sum();
            (f(a) + f(b) + inner) * h / 3.0
        };
        let half = std::f64::consts::FRAC_PI_2;
        integral(-half, (q / (df as f64).sqrt()).atan()) / integral(-half, half)
    }

    #[test]
    fn t_quantiles_leave_two_and_a_half_percent_above() {
        for df in (1..=40).chain([60, 100, 1000]) {
            let p = t_cdf(t_975(df), df);
            assert!((p - 0.975).abs() < 2e-6, "df {df}: P(T ≤ {}) = {p}", t_975(df));
        }
    }

    /// Rounds where release takes 1 s and the variant these times.
    fn against_one(variant: &[f64]) -> Paired {
        Paired::of(variant, &vec![1.0; variant.len()], 0.0)
    }

    #[test]
    fn clear_wins_in_five_rounds_are_faster() {
        // Five rounds in which one build won every time, by 4 to 27 %.
        let p = against_one(&[0.85, 0.90, 0.82, 0.96, 0.73]);
        assert_eq!(p.verdict, Verdict::Faster, "{p:?}");
        assert_eq!(p.ratio_median, 0.85);
        let (lo, hi) = p.ratio_ci.unwrap();
        assert!(lo < 0.85 && hi < 1.0, "{p:?}");
        let slower = against_one(&[1.18, 1.11, 1.22, 1.04, 1.37]);
        assert_eq!(slower.verdict, Verdict::Slower, "{slower:?}");
        // The same wins on a release that was slow in one round and fast in another: pairing
        // cancels what the round did to both.
        let release = [1.0, 3.0, 0.5, 2.0, 1.0];
        let variant: Vec<f64> = release.iter().zip([0.85, 0.90, 0.82, 0.96, 0.73]).map(|(r, x)| r * x).collect();
        assert_eq!(Paired::of(&variant, &release, 0.0).verdict, Verdict::Faster);
    }

    #[test]
    fn an_interval_holding_one_is_same_and_says_how_many_rounds_would_tell() {
        // Log-ratios −0.02 ± 0.1: mean −0.02, sd 0.1·√(6/5) = 0.1095, half-width 2.571·0.1095/√6 = 0.115.
        let p = against_one(&[-0.12, 0.08, -0.12, 0.08, -0.12, 0.08].map(f64::exp));
        assert_eq!(p.verdict, Verdict::Same);
        let (lo, hi) = p.ratio_ci.unwrap();
        assert!((lo - (-0.135_f64).exp()).abs() < 1e-3 && (hi - 0.095_f64.exp()).abs() < 1e-3, "{p:?}");
        // m rounds resolve it once t(m−1)·0.1095/√m < 0.02, m ≈ (1.98 · 0.1095 / 0.02)² ≈ 117.5.
        let why = p.reason.unwrap();
        let head = "6 rounds cannot tell their geometric mean ratio, 0.980×, from 1; about ";
        let m: usize = why.strip_prefix(head).and_then(|r| r.split(' ').next()).unwrap().parse().unwrap();
        assert!((116..=119).contains(&m), "{why}");
        let one = against_one(&[0.5]);
        assert_eq!((one.verdict, one.ratio_ci), (Verdict::Same, None));
        assert!(one.reason.unwrap().contains("needs at least 2 (--runs 2)"));
    }

    #[test]
    fn differences_below_the_resolution_are_same() {
        let p = Paired::of(&[1000.5, 1000.5, 1000.5], &[1000.0; 3], 0.001);
        assert_eq!((p.verdict, p.ratio_ci), (Verdict::Same, Some((1.0005, 1.0005))));
        assert_eq!(p.reason, None);
        assert_eq!(Paired::of(&[1002.0; 3], &[1000.0; 3], 0.001).verdict, Verdict::Slower);
    }

    /// xorshift64*: reproducible pseudo-random numbers for the simulations.
    struct Rng(u64);

    impl Rng {
        fn uniform(&mut self) -> f64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
        }

        /// A standard normal (Box–Muller).
        fn normal(&mut self) -> f64 {
            let (u, v) = (1.0 - self.uniform(), self.uniform());
            (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
        }

        /// A run's time on a loaded machine: the round's load (shared by every variant in the
        /// round), jitter, and now and then a stall of up to 3×.
        fn run(&mut self, load: f64) -> f64 {
            let stall = if self.uniform() < 0.1 { 1.0 + 2.0 * self.uniform() } else { 1.0 };
            load * (0.05 * self.normal()).exp() * stall
        }
    }

    /// `simulations` comparisons of two identical binaries of `rounds` rounds each: how many
    /// did not come out `same`.
    fn identical_twins(seed: u64, simulations: usize, rounds: usize) -> usize {
        let mut rng = Rng(seed);
        (0..simulations)
            .filter(|_| {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                for _ in 0..rounds {
                    let load = 1.0 + 3.0 * rng.uniform();
                    a.push(rng.run(load));
                    b.push(rng.run(load));
                }
                Paired::of(&a, &b, 0.0).verdict != Verdict::Same
            })
            .count()
    }

    #[test]
    fn identical_builds_come_out_same_nineteen_times_in_twenty() {
        for rounds in [2, 3, 5, 10] {
            assert!(identical_twins(rounds as u64, 20, rounds) <= 1, "{rounds} rounds");
        }
        // Over many simulations the rate of false verdicts is at most 5 %: with 4000 comparisons,
        // a rate of 5 % gives more than 230 false verdicts with probability below 1 % (binomial
        // 4000, 0.05: mean 200, sd 13.8, 230 is 2.2 sd above).
        for rounds in [2, 3, 5, 10, 30] {
            let wrong = identical_twins(0x9E37_79B9 + rounds as u64, 4000, rounds);
            assert!(wrong <= 230, "{rounds} rounds: {wrong} of 4000 not same");
        }
    }

    #[test]
    fn counter_outputs_are_read() {
        let perf = "# started on Thu\n\n123456,,instructions:u,987,100.00,,\n";
        assert_eq!(perf_total(perf), Some(123456.0));
        assert_eq!(perf_total("<not supported>,,instructions:u,0,100.00,,\n"), None);
        let callgrind = "version: 1\nevents: Ir\nsummary: 126389\nfn=(1)\n0 3\ntotals: 126390\n";
        assert_eq!(callgrind_total(callgrind), Some(126389.0));
        assert_eq!(callgrind_total("totals: 7\n"), Some(7.0));
    }

    /// A shell loop of `n` iterations under the counter this machine has; the oracle is
    /// arithmetic: each iteration costs the same, so the counts grow linearly in `n`, and the same
    /// run counts the same twice.
    #[test]
    fn instructions_grow_with_the_work_and_repeat() {
        let metric = Metric::find(Asked::Instructions).expect("scripts/test.sh installs valgrind");
        let scratch = std::env::temp_dir().join(format!("profile-info-count-{}", std::process::id()));
        let count = |n: u32| {
            let script = format!("i=0; while [ $i -lt {n} ]; do i=$((i+1)); done");
            let argv: Vec<String> = ["sh", "-c", &script].map(String::from).into();
            metric.sample("loop", "--run", &argv, &scratch).unwrap()
        };
        let (a, b, c) = (count(2000), count(4000), count(6000));
        let (first, second) = (b - a, c - b);
        assert!(first > 2000.0 * 10.0, "an iteration is more than 10 instructions: {a} {b} {c}");
        assert!((first - second).abs() / first < 0.01, "linear in the work: {a} {b} {c}");
        let again = count(2000);
        assert!((again - a).abs() / a < INSTRUCTION_RESOLUTION, "{a} then {again}");
        let failing: Vec<String> = ["sh", "-c", "echo 'boom' >&2; exit 4"].map(String::from).into();
        let err = metric.sample("x", "--run", &failing, &scratch).unwrap_err().to_string();
        assert_eq!(err, "variant x: --run failed with exit status: 4: boom", "the program's stderr, not the counter's");
        for ext in ["count", "log"] {
            let _ = std::fs::remove_file(scratch.with_extension(ext));
        }
    }

    #[test]
    fn commands_are_split_and_filled() {
        let words = split("--run", "{bin} --n 'a b' http://127.0.0.1:{port}/").unwrap();
        assert_eq!(fill(&words, Path::new("/o/app"), Some(80)), ["/o/app", "--n", "a b", "http://127.0.0.1:80/"]);
        assert!(split("--run", "'open").unwrap_err().to_string().contains("unbalanced quotes"));
    }

    #[test]
    fn a_failing_run_names_variant_status_and_stderr() {
        let argv: Vec<String> =
            ["sh", "-c", "echo first >&2; echo 'boom: bad input' >&2; exit 3"].map(String::from).into();
        let err = time_command("lto-fat", "--run", &argv).unwrap_err().to_string();
        assert_eq!(err, "variant lto-fat: --run failed with exit status: 3: boom: bad input");
        let ok: Vec<String> = ["true".to_owned()].into();
        assert!(time_command("x", "--run", &ok).unwrap() >= 0.0);
    }
}
