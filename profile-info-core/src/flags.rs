//! Reads a rustc command line into the few facts the document needs, and applies rustc's defaults
//! for what cargo leaves out. The proc macro reads the command line it runs inside
//! (`std::env::args()` of the rustc process); `cargo profile-info compare` reads the one a
//! `RUSTC_WRAPPER` recorded for a binary built without the attribute. Pure: it sees only the
//! argument list, never the environment.

use crate::{DebugInfo, Lto, OptLevel, Panic, Pgo, Profile, Str, Strip};
use std::borrow::Cow;

/// What one rustc command line says. `None` everywhere a flag was absent; defaults are applied
/// later, in `capture`, where rustc's rules for them live.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Flags {
    /// `-C opt-level`'s value, or [`O_FLAG`] when `-O` came last (its meaning depends on rustc's
    /// version).
    pub opt_level: Option<String>,
    /// `-C debuginfo` (or `-g`).
    pub debuginfo: Option<String>,
    /// `-C strip`.
    pub strip: Option<String>,
    /// `-C lto` (`yes` when given without a value).
    pub lto: Option<String>,
    /// `-C codegen-units`.
    pub codegen_units: Option<String>,
    /// `-C panic`.
    pub panic: Option<String>,
    /// `-C debug-assertions` (`yes` when given without a value).
    pub debug_assertions: Option<String>,
    /// `-C overflow-checks` (`yes` when given without a value).
    pub overflow_checks: Option<String>,
    /// Whether `-C incremental` was given.
    pub incremental: bool,
    /// `-C target-cpu`.
    pub target_cpu: Option<String>,
    /// Every `-C target-feature` value in order; rustc applies them all.
    pub target_features: Vec<String>,
    /// `--target`.
    pub target: Option<String>,
    /// `-C profile-generate` or `-C profile-use`, whichever came last.
    pub pgo: Option<Pgo>,
    /// The cargo features, from `--cfg feature="…"`, in the order given.
    pub features: Vec<String>,
    /// `--out-dir`.
    pub out_dir: Option<String>,
    /// cargo's `-C metadata`, which differs for every unit of a build.
    pub metadata: Option<String>,
    /// `--crate-type`.
    pub crate_type: Option<String>,
    /// Whether `--test` was given.
    pub test: bool,
    pub force_frame_pointers: Option<String>,
    pub relocation_model: Option<String>,
    pub code_model: Option<String>,
    pub instrument_coverage: Option<String>,
    /// Every `-Z sanitizer` value's sanitizers, in order.
    pub sanitizers: Vec<String>,
    pub link_dead_code: Option<String>,
    pub control_flow_guard: Option<String>,
    /// cargo-auditable links its own `.dep-v0` into this binary (a `-C link-arg` names its
    /// symbol, `AUDITABLE_VERSION_INFO`).
    pub auditable: bool,
}

/// What [`Flags::opt_level`] holds for `-O`.
pub const O_FLAG: &str = "-O";

/// Parses rustc's arguments (without the program name). Unknown flags are skipped; for a flag given
/// twice the last one wins, as in rustc.
#[inline]
pub fn parse<S: AsRef<str>>(args: &[S]) -> Flags {
    let mut flags = Flags::default();
    let mut it = args.iter().map(AsRef::as_ref);
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v)),
            _ => (arg, None),
        };
        let value =
            |it: &mut dyn Iterator<Item = &str>| inline.map(str::to_owned).or_else(|| it.next().map(str::to_owned));
        match name {
            "-C" | "--codegen" => {
                if let Some(kv) = value(&mut it) {
                    codegen(&mut flags, &kv);
                }
            }
            _ if name.starts_with("-C") && name.len() > 2 => codegen(&mut flags, &arg[2..]),
            "-Z" => {
                if let Some(kv) = value(&mut it) {
                    unstable(&mut flags, &kv);
                }
            }
            _ if name.starts_with("-Z") && name.len() > 2 => unstable(&mut flags, &arg[2..]),
            "-O" => flags.opt_level = Some(O_FLAG.into()),
            "--cfg" => {
                if let Some(feature) = value(&mut it).as_deref().and_then(cargo_feature) {
                    flags.features.push(feature);
                }
            }
            "-g" => flags.debuginfo = Some("2".into()),
            "--target" => flags.target = value(&mut it),
            "--out-dir" => flags.out_dir = value(&mut it),
            "--crate-type" => flags.crate_type = value(&mut it),
            "--test" => flags.test = true,
            _ => {}
        }
    }
    flags
}

#[inline]
fn codegen(flags: &mut Flags, kv: &str) {
    let (key, value) = match kv.split_once('=') {
        Some((k, v)) => (k, Some(v.to_owned())),
        None => (kv, None),
    };
    // `-C lto` and `-C debug-assertions` without a value mean "yes".
    let yes = || Some(value.clone().unwrap_or_else(|| "yes".into()));
    match key.replace('_', "-").as_str() {
        "opt-level" => flags.opt_level = value,
        "debuginfo" => flags.debuginfo = value,
        "strip" => flags.strip = value,
        "lto" => flags.lto = yes(),
        "codegen-units" => flags.codegen_units = value,
        "panic" => flags.panic = value,
        "debug-assertions" => flags.debug_assertions = yes(),
        "overflow-checks" => flags.overflow_checks = yes(),
        "incremental" => flags.incremental = true,
        "target-cpu" => flags.target_cpu = value,
        "target-feature" => flags.target_features.extend(value),
        "profile-generate" => flags.pgo = Some(Pgo::Generate),
        "profile-use" => flags.pgo = Some(Pgo::Use),
        "metadata" => flags.metadata = value,
        "force-frame-pointers" => flags.force_frame_pointers = yes(),
        "relocation-model" => flags.relocation_model = value,
        "code-model" => flags.code_model = value,
        "instrument-coverage" => flags.instrument_coverage = yes(),
        "link-dead-code" => flags.link_dead_code = yes(),
        "control-flow-guard" => flags.control_flow_guard = yes(),
        "link-arg" | "link-args" => flags.auditable |= value.is_some_and(|v| v.contains("AUDITABLE_VERSION_INFO")),
        _ => {}
    }
}

/// A `-Z` option (nightly): only `sanitizer=a,b`, which adds to those given before.
#[inline]
fn unstable(flags: &mut Flags, kv: &str) {
    if let Some(list) = kv.strip_prefix("sanitizer=") {
        flags.sanitizers.extend(list.split(',').filter(|s| !s.is_empty()).map(str::to_owned));
    }
}

/// The feature name of a `--cfg feature="name"` value.
#[inline]
fn cargo_feature(cfg: &str) -> Option<String> {
    Some(cfg.strip_prefix("feature=\"")?.strip_suffix('"')?.to_owned())
}

/// The opt-level `-O` stands for with this rustc version (major, minor): 3 from 1.86 on, 2 before
/// (`rustc --help`).
#[inline]
pub fn o_flag_level(rustc: (u32, u32)) -> OptLevel {
    if rustc >= (1, 86) {
        OptLevel::O3
    } else {
        OptLevel::O2
    }
}

/// rustc's boolean spellings.
#[inline]
pub fn boolean(v: &str) -> Option<bool> {
    match v {
        "y" | "yes" | "on" | "true" => Some(true),
        "n" | "no" | "off" | "false" => Some(false),
        _ => None,
    }
}

/// An `-C opt-level` value.
#[inline]
pub fn opt_level(v: &str) -> Option<OptLevel> {
    OptLevel::from_name(v)
}

/// A `-C debuginfo` value (numbers or names).
#[inline]
pub fn debuginfo(v: &str) -> Option<DebugInfo> {
    match v {
        "0" | "none" => Some(DebugInfo::None),
        "1" | "limited" => Some(DebugInfo::Limited),
        "2" | "full" => Some(DebugInfo::Full),
        _ => DebugInfo::from_name(v),
    }
}

/// A `-C strip` value.
#[inline]
pub fn strip(v: &str) -> Option<Strip> {
    Strip::from_name(v)
}

/// A `-C lto` value (`yes`, `thin`, `fat`, `off`…).
#[inline]
pub fn lto(v: &str) -> Option<Lto> {
    match v {
        "thin" => Some(Lto::Thin),
        "fat" => Some(Lto::Fat),
        _ => boolean(v).map(|on| if on { Lto::Fat } else { Lto::Off }),
    }
}

/// A `-C panic` value.
#[inline]
pub fn panic(v: &str) -> Option<Panic> {
    Panic::from_name(v)
}

impl Flags {
    /// The `profile` facts of this command line, with rustc's defaults for every flag cargo leaves
    /// out; `rustc` is the compiler's (major, minor) version (for `-O`), `final_link` whether the
    /// crate is linked into an executable or library of its own (LTO is decided there). `panic`
    /// is left to the caller, which asks rustc (`--print cfg`).
    #[inline]
    pub fn profile(&self, rustc: Option<(u32, u32)>, final_link: bool) -> Profile {
        let s = |v: &str| -> Str { Cow::Owned(v.to_owned()) };
        let mut p = Profile::__EMPTY;
        p.name = self.out_dir.as_deref().and_then(profile_name).map(|n| s(&n));
        p.opt_level = match self.opt_level.as_deref().unwrap_or("0") {
            O_FLAG => rustc.map(o_flag_level),
            level => opt_level(level),
        };
        // rustc's defaults: debug-assertions on at opt-level 0, overflow-checks as debug-assertions.
        p.debug_assertions = match &self.debug_assertions {
            Some(v) => boolean(v),
            None => p.opt_level.map(|o| o == OptLevel::O0),
        };
        p.overflow_checks = match &self.overflow_checks {
            Some(v) => boolean(v),
            None => p.debug_assertions,
        };
        // A target's own default number (none of the tier-1 targets has one) is not visible here.
        p.codegen_units = match &self.codegen_units {
            Some(n) => n.parse().ok(),
            None => Some(if self.incremental { 256 } else { 16 }),
        };
        // In a library, LTO is decided at the final link; cargo passes `-C linker-plugin-lto`.
        p.lto = if final_link { session_lto(self.lto.as_deref(), p.opt_level, p.codegen_units) } else { None };
        p.pgo = Some(self.pgo.unwrap_or(Pgo::Off));
        p.debuginfo = debuginfo(self.debuginfo.as_deref().unwrap_or("0"));
        p.strip = strip(self.strip.as_deref().unwrap_or("none"));
        p.incremental = Some(self.incremental);
        self.codegen(&mut p);
        p
    }

    /// The other `-C` settings that change the machine code or its safety, with rustc's defaults
    /// (`compiler/rustc_session/src/options.rs`); a value rustc would reject is `None`.
    #[inline]
    fn codegen(&self, p: &mut Profile) {
        const TARGET: &str = "target-default";
        let s = |v: &str| -> Str { Cow::Owned(v.to_owned()) };
        p.force_frame_pointers = match self.force_frame_pointers.as_deref() {
            None => Some(s(TARGET)),
            Some(v @ ("always" | "non-leaf")) => Some(s(v)),
            Some(v) => boolean(v).map(|on| s(if on { "always" } else { TARGET })),
        };
        p.relocation_model = Some(s(self.relocation_model.as_deref().unwrap_or(TARGET)));
        p.code_model = Some(s(self.code_model.as_deref().unwrap_or(TARGET)));
        // `all` and the other nightly spellings instrument too.
        p.instrument_coverage =
            self.instrument_coverage.as_deref().map_or(Some(false), |v| Some(boolean(v) != Some(false)));
        let mut sanitizers = self.sanitizers.clone();
        sanitizers.sort();
        sanitizers.dedup();
        p.sanitizers = Some(Cow::Owned(sanitizers.into_iter().map(Cow::Owned).collect()));
        p.link_dead_code = self.link_dead_code.as_deref().map_or(Some(false), boolean);
        p.control_flow_guard = match self.control_flow_guard.as_deref() {
            None => Some(s("off")),
            Some("checks") => Some(s("checks")),
            Some("nochecks") => Some(s("nochecks")),
            Some(v) => boolean(v).map(|on| s(if on { "checks" } else { "off" })),
        };
    }
}

/// rustc's `Session::lto()` (compiler/rustc_session/src/session.rs): `-C lto` decides when given;
/// without it there is no LTO for one codegen unit or at opt-level 0, and ThinLTO across the
/// crate's own codegen units otherwise. (Targets that require LTO, such as nvptx, and the
/// nightly-only `-Z thinlto` are not modelled.)
#[inline]
fn session_lto(flag: Option<&str>, opt_level: Option<OptLevel>, codegen_units: Option<u32>) -> Option<Lto> {
    match (flag, codegen_units, opt_level) {
        (Some(v), _, _) => lto(v),
        (None, Some(1), _) | (None, _, Some(OptLevel::O0)) => Some(Lto::Off),
        (None, Some(_), Some(_)) => Some(Lto::ThinLocal),
        (None, None, _) | (None, _, None) => None,
    }
}

/// The cargo profile name from `--out-dir <target>/[<triple>/]<dir>/{deps,examples}`.
#[inline]
pub fn profile_name(out_dir: &str) -> Option<String> {
    let mut parts = out_dir.trim_end_matches(['/', '\\']).rsplit(['/', '\\']);
    let last = parts.next()?;
    if last != "deps" && last != "examples" {
        return None;
    }
    match parts.next()? {
        "" => None,
        "debug" => Some("dev".into()),
        dir => Some(dir.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<&str> {
        s.split_whitespace().collect()
    }

    /// The codegen settings of schema 3 in the spellings rustc takes (`-C k=v`, `-Ck=v`, `-Z`
    /// joined or not), and cargo-auditable's link arguments.
    #[test]
    fn codegen_settings_sanitizers_and_cargo_auditable() {
        let f = parse(&words(
            "-C force-frame-pointers -Crelocation-model=static -C code-model=large -C instrument-coverage=all \
             -Z sanitizer=address,leak -Zsanitizer=thread -C link-dead-code=no -C control-flow-guard \
             -C link-arg=/t/deps/app_audit_data.o -C link-arg=-Wl,-u,AUDITABLE_VERSION_INFO",
        ));
        assert_eq!(f.force_frame_pointers.as_deref(), Some("yes"));
        assert_eq!((f.relocation_model.as_deref(), f.code_model.as_deref()), (Some("static"), Some("large")));
        assert_eq!(f.instrument_coverage.as_deref(), Some("all"));
        assert_eq!(f.sanitizers, ["address", "leak", "thread"]);
        assert_eq!((f.link_dead_code.as_deref(), f.control_flow_guard.as_deref()), (Some("no"), Some("yes")));
        assert!(f.auditable);
        assert!(!parse(&words("-C link-arg=-Wl,--as-needed")).auditable);
    }

    // Recorded from `cargo build -v --profile production` (fat LTO, cgu 1, strip, abort), paths shortened.
    const PRODUCTION: &str = "--crate-name app --edition=2021 src/main.rs --error-format=json \
        --json=diagnostic-rendered-ansi,artifacts,future-incompat --crate-type bin \
        --emit=dep-info,link -C opt-level=3 -C panic=abort -C lto=fat -C codegen-units=1 \
        -C strip=symbols --check-cfg cfg(docsrs,test) -C metadata=7f1c0e2ab5d3c9a1 \
        --out-dir /home/u/app/target/x86_64-unknown-linux-gnu/production/deps \
        --target x86_64-unknown-linux-gnu -L dependency=/home/u/app/target/production/deps \
        -C target-cpu=x86-64-v3";

    #[test]
    fn recorded_production_line() {
        let f = parse(&words(PRODUCTION));
        assert_eq!(f.opt_level.as_deref(), Some("3"));
        assert_eq!(f.panic.as_deref(), Some("abort"));
        assert_eq!(f.lto.as_deref(), Some("fat"));
        assert_eq!(f.codegen_units.as_deref(), Some("1"));
        assert_eq!(f.strip.as_deref(), Some("symbols"));
        assert_eq!(f.target.as_deref(), Some("x86_64-unknown-linux-gnu"));
        assert_eq!(f.target_cpu.as_deref(), Some("x86-64-v3"));
        assert_eq!(f.crate_type.as_deref(), Some("bin"));
        assert_eq!(f.metadata.as_deref(), Some("7f1c0e2ab5d3c9a1"));
        assert!(!f.test && !f.incremental);
        assert_eq!(profile_name(f.out_dir.as_deref().unwrap()).as_deref(), Some("production"));
    }

    #[test]
    fn recorded_dev_line() {
        let f = parse(&words(
            "--crate-name app --edition=2021 src/main.rs --crate-type bin --emit=dep-info,link \
             -C embed-bitcode=no -C debuginfo=2 -C metadata=0123 --out-dir /t/target/debug/deps \
             -C incremental=/t/target/debug/incremental -L dependency=/t/target/debug/deps",
        ));
        assert_eq!(f.opt_level, None);
        assert_eq!(f.debuginfo.as_deref(), Some("2"));
        assert!(f.incremental);
        assert_eq!(f.lto, None);
        assert_eq!(profile_name(f.out_dir.as_deref().unwrap()).as_deref(), Some("dev"));
    }

    #[test]
    fn spellings_and_last_wins() {
        let f = parse(&[
            "-Copt-level=1",
            "--codegen",
            "opt-level=s",
            "-C",
            "lto",
            "-O",
            "-Ccodegen_units=4",
            "-C",
            "target-feature=+avx2",
            "-Ctarget-feature=-sse4.2,+bmi2",
            "--target=aarch64-apple-darwin",
            "--out-dir=/x/target/aarch64-apple-darwin/release/examples",
            "--test",
            "-g",
            "-C",
            "debug-assertions",
            "-C",
            "overflow-checks=off",
            "--cfg",
            "feature=\"tls\"",
            "--cfg=feature=\"default\"",
            "--cfg",
            "docsrs",
            "-Cprofile-use=/tmp/merged.profdata",
            "-C",
            "profile-generate",
        ]);
        assert_eq!(f.features, ["tls", "default"]);
        assert_eq!(f.pgo, Some(Pgo::Generate), "the last PGO flag wins");
        assert_eq!(f.opt_level.as_deref(), Some(O_FLAG), "-O came last");
        assert_eq!(f.lto.as_deref(), Some("yes"));
        assert_eq!(lto("yes"), Some(Lto::Fat));
        assert_eq!(f.codegen_units.as_deref(), Some("4"));
        assert_eq!(f.target_features, ["+avx2", "-sse4.2,+bmi2"]);
        assert_eq!(f.target.as_deref(), Some("aarch64-apple-darwin"));
        assert!(f.test);
        assert_eq!(f.debuginfo.as_deref(), Some("2"));
        assert_eq!(f.debug_assertions.as_deref(), Some("yes"));
        assert_eq!(f.overflow_checks.as_deref(), Some("off"));
        assert_eq!(profile_name(f.out_dir.as_deref().unwrap()).as_deref(), Some("release"));
    }

    #[test]
    fn lto_follows_rustc_session_rules() {
        use OptLevel::{O0, O3, S};
        assert_eq!(session_lto(None, Some(O0), Some(256)), Some(Lto::Off));
        assert_eq!(session_lto(None, Some(O3), Some(16)), Some(Lto::ThinLocal));
        assert_eq!(session_lto(None, Some(S), Some(256)), Some(Lto::ThinLocal));
        assert_eq!(session_lto(None, Some(O3), Some(1)), Some(Lto::Off));
        assert_eq!(session_lto(Some("thin"), Some(O0), Some(256)), Some(Lto::Thin));
        assert_eq!(session_lto(Some("yes"), Some(O3), Some(1)), Some(Lto::Fat));
        assert_eq!(session_lto(Some("off"), Some(O3), Some(16)), Some(Lto::Off));
        assert_eq!(session_lto(None, None, Some(16)), None);
    }

    #[test]
    fn o_flag_follows_the_version() {
        assert_eq!(o_flag_level((1, 85)), OptLevel::O2);
        assert_eq!(o_flag_level((1, 86)), OptLevel::O3);
        assert_eq!(o_flag_level((2, 0)), OptLevel::O3);
    }

    #[test]
    fn odd_input_is_not_fatal() {
        let f = parse(&["-C", "--out-dir"]);
        assert_eq!(f.out_dir, None);
        let f = parse(&["-C"]);
        assert_eq!(f, Flags::default());
        assert_eq!(parse::<&str>(&[]), Flags::default());
        assert_eq!(lto("maybe"), None);
        assert_eq!(opt_level("4"), None);
        assert_eq!(debuginfo("3"), None);
        assert_eq!(debuginfo("line-tables-only"), Some(DebugInfo::LineTablesOnly));
        assert_eq!(profile_name("/t/target/debug/build/x-1234"), None);
        assert_eq!(profile_name("deps"), None);
        assert_eq!(profile_name("release/deps").as_deref(), Some("release"));
        assert_eq!(profile_name(r"C:\t\target\production\deps").as_deref(), Some("production"));
    }
}
