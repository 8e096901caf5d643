//! `check --cpu NAME`: the CPUs rustc knows and the features each one enables, asked of rustc
//! itself (`--print target-cpus`, `--print cfg -C target-cpu=NAME`), so every CPU of the
//! installed toolchain is known and none is described twice.

use crate::compare::build::{rustc, tail};
use std::collections::BTreeMap;
use std::process::Stdio;

/// The x86 target a file's architecture is checked against: CPU names and their features are
/// the same for every OS of an architecture.
pub fn triple(arch: &str) -> Option<&'static str> {
    match arch {
        "x86_64" => Some("x86_64-unknown-linux-gnu"),
        "x86" => Some("i686-unknown-linux-gnu"),
        _ => None,
    }
}

/// CPUs and their features, each asked of rustc once.
#[derive(Default)]
pub struct Cpus {
    names: BTreeMap<&'static str, Vec<String>>,
    features: BTreeMap<(&'static str, String), Vec<String>>,
}

impl Cpus {
    /// The target features (`--print cfg`'s `target_feature` values) rustc enables for `cpu` on
    /// `triple`; an error naming the known CPUs when rustc does not know it (rustc itself only
    /// warns and builds for the baseline).
    pub fn features(&mut self, triple: &'static str, cpu: &str) -> Result<&[String], String> {
        if !self.names.contains_key(triple) {
            let listing = run(&["--print", "target-cpus", "--target", triple])?;
            // `    name   - description`, after a heading line.
            let names =
                listing.lines().skip(1).filter_map(|l| l.split_whitespace().next()).map(str::to_owned).collect();
            self.names.insert(triple, names);
        }
        let names = &self.names[triple];
        if !names.iter().any(|n| n == cpu) {
            return Err(format!(
                "rustc knows no CPU `{cpu}` for {triple} (`rustc --print target-cpus` lists {})",
                names.join(", ")
            ));
        }
        let key = (triple, cpu.to_owned());
        if !self.features.contains_key(&key) {
            let cfg = run(&["--print", "cfg", "--target", triple, "-C", &format!("target-cpu={cpu}")])?;
            let features = cfg_values(&cfg, "target_feature").map(str::to_owned).collect();
            self.features.insert(key.clone(), features);
        }
        Ok(&self.features[&key])
    }
}

/// The values of `key="…"` lines in `rustc --print cfg`'s answer.
pub(crate) fn cfg_values<'a>(cfg: &'a str, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    cfg.lines().filter_map(move |l| l.strip_prefix(key)?.strip_prefix("=\"")?.strip_suffix('"'))
}

/// rustc's answer to `args`, or why there is none.
pub(crate) fn run(args: &[&str]) -> Result<String, String> {
    let out = rustc()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run rustc {}: {e}", args.join(" ")))?;
    if !out.status.success() {
        return Err(format!("rustc {} failed: {}", args.join(" "), tail(&out.stderr)));
    }
    String::from_utf8(out.stdout).map_err(|_| format!("rustc {} printed non-UTF-8", args.join(" ")))
}

/// Whether a CPU with these rustc features has `feature`. `lahfsahf` is not reported in `cfg` by
/// stable rustc; every CPU reaching x86-64-v2 has it (the feature table's reasoning).
pub fn has(cpu_features: &[String], feature: &str) -> bool {
    cpu_features.iter().any(|f| f == feature)
        || feature == "lahfsahf" && profile_info_core::x86::level_of(cpu_features) >= 2
}
