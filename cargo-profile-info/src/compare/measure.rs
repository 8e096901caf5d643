//! Running the variants: one warm-up each, then samples taken round-robin across the variants (never
//! all of one, then all of the next), so that a noisy machine hurts every variant alike.

use super::build::tail;
use super::Failure;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// Takes one warm-up (discarded) and then `runs` samples of each of `count` variants, interleaved:
/// round 1 samples variant 0, 1, …, then round 2 does the same. `sample(i, round)` measures variant
/// `i`; round 0 is the warm-up.
pub fn round_robin<T>(
    count: usize,
    runs: usize,
    mut sample: impl FnMut(usize, usize) -> Result<T, Failure>,
) -> Result<Vec<Vec<T>>, Failure> {
    let mut samples: Vec<Vec<T>> = (0..count).map(|_| Vec::with_capacity(runs)).collect();
    for round in 0..=runs {
        for (i, kept) in samples.iter_mut().enumerate() {
            let s = sample(i, round)?;
            if round > 0 {
                kept.push(s);
            }
        }
    }
    Ok(samples)
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

    /// Whether the two ranges overlap: the difference between the medians is within the noise.
    pub fn overlaps(&self, other: &Spread) -> bool {
        self.min <= other.max && other.min <= self.max
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
pub fn split(flag: &str, command: &str) -> Result<Vec<String>, Failure> {
    match shlex::split(command) {
        Some(words) if !words.is_empty() => Ok(words),
        _ => Err(Failure::new(format!("{flag} `{command}` is not a command (empty, or unbalanced quotes)"))),
    }
}

/// Runs `argv` to the end and returns its wall-clock seconds; a failure names the variant, the
/// exit status and the last line of stderr.
pub fn time_command(variant: &str, flag: &str, argv: &[String]) -> Result<f64, Failure> {
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..]).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
    let start = Instant::now();
    let out =
        cmd.output().map_err(|e| Failure::new(format!("variant {variant}: cannot run {flag} `{}`: {e}", argv[0])))?;
    let seconds = start.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(Failure::new(format!(
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
        assert_eq!(order, [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1), (0, 2), (1, 2), (2, 2)]);
        assert_eq!(samples, [vec![1, 2], vec![11, 12], vec![21, 22]]);
    }

    #[test]
    fn spreads_and_noise() {
        let a = Spread::of(&[3.0, 1.0, 2.0]);
        assert_eq!(a, Spread { median: 2.0, min: 1.0, max: 3.0 });
        assert_eq!(Spread::of(&[4.0, 1.0, 2.0, 3.0]).median, 2.5);
        assert!(a.overlaps(&Spread::of(&[3.0, 5.0])));
        assert!(!a.overlaps(&Spread::of(&[3.5, 5.0])));
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
