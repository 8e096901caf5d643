//! The build document (schema 3): what `--build-info=json` prints, what `/buildinfo` serves and
//! what the `.profile_info` section of a binary holds. Its fields, in order, with the label and
//! summary wording of each, are listed once in [`crate::schema::FIELDS`].
//!
//! Every field that could not be known is `None` (`null` in JSON) rather than a guess. Strings are
//! `Cow<'static, str>` so that `build_info!()`'s document is a `static` built at compile time, and a
//! document read back from JSON owns its strings.

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// A string that is `&'static str` in the compiled-in document and owned in a parsed one.
pub type Str = Cow<'static, str>;

/// The schema version this crate writes. Schema 2 added `package.features`, `profile.pgo`,
/// `target.arch`/`os`/`env`/`cpu_native`/`unchecked_features`, and gave `profile.lto` and
/// `target.cpu` the meaning rustc gives them (schema 1 said `"thin-local"` whenever no `-C lto`
/// was passed, and `"native"` for `-C target-cpu=native`). Schema-1 documents still deserialize:
/// the new fields are then `None`.
pub const SCHEMA: u32 = 3;

/// Everything known about the build that produced a binary (or a library crate, see
/// [`BuildInfo::crate_type`]).
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[non_exhaustive]
pub struct BuildInfo {
    /// Version of this document's layout; currently [`SCHEMA`].
    pub schema: u32,
    /// `"bin"` for a binary crate, `"test"` for a `--test` harness, or the `--crate-type` rustc
    /// was given (`"lib"`, `"rlib"`, …) when the document was captured in a library crate, whose
    /// flags are not those of the final link.
    pub crate_type: Option<Str>,
    /// The package the crate belongs to.
    pub package: Package,
    /// The cargo profile and its code-generation settings.
    pub profile: Profile,
    /// What the code was compiled for.
    pub target: Target,
    /// The compiler.
    pub rustc: Rustc,
    /// The git checkout the package was built from; `None` outside git.
    pub vcs: Option<Vcs>,
    #[cfg_attr(feature = "serde", serde(skip))]
    json: &'static str,
    #[cfg_attr(feature = "serde", serde(skip))]
    text: &'static str,
}

/// The package a crate belongs to, from cargo's `CARGO_PKG_*` variables.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[non_exhaustive]
pub struct Package {
    /// `CARGO_PKG_NAME`.
    pub name: Option<Str>,
    /// `CARGO_PKG_VERSION`.
    pub version: Option<Str>,
    /// The package's enabled cargo features (rustc's `--cfg feature="…"`), sorted.
    #[cfg_attr(feature = "serde", serde(default))]
    pub features: Option<Cow<'static, [Str]>>,
    /// Whether the binary lists the packages it was built from in a `.dep-v0` section
    /// (cargo-auditable's format, which `cargo audit bin`, Trivy, Grype, Syft and
    /// `rust-audit-info` read): `"listed"`, `"listed by cargo-auditable"`, `"off"`
    /// (`#[profile_info::main(dependencies = false)]`), or why there is no list
    /// (`"cargo metadata failed"`, `"not built by cargo"`, …). `None` outside
    /// `#[profile_info::main]`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub dependencies: Option<Str>,
}

/// The cargo profile and the code-generation settings rustc actually received.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[non_exhaustive]
pub struct Profile {
    /// `"dev"`, `"release"` or a custom profile's name (`"production"`). Cargo's `test` and
    /// `bench` profiles share the `dev` and `release` output directories and report those names.
    pub name: Option<Str>,
    /// `-C opt-level`.
    pub opt_level: Option<OptLevel>,
    /// The LTO rustc performs: `-C lto` when given; without it, `thin-local` when there is more
    /// than one codegen unit and opt-level is not 0, else `off` (rustc's `Session::lto`).
    pub lto: Option<Lto>,
    /// `-C codegen-units`; rustc's default (16, or 256 when incremental) when none is passed.
    pub codegen_units: Option<u32>,
    /// `-C panic`, else the target's default as `rustc --print cfg` reports it.
    pub panic: Option<Panic>,
    /// Profile-guided optimisation: `-C profile-generate` or `-C profile-use` (never the path).
    #[cfg_attr(feature = "serde", serde(default))]
    pub pgo: Option<Pgo>,
    /// `-C strip`.
    pub strip: Option<Strip>,
    /// `-C debuginfo`.
    pub debuginfo: Option<DebugInfo>,
    /// `-C debug-assertions`; defaults to `opt_level == 0`.
    pub debug_assertions: Option<bool>,
    /// `-C overflow-checks`; defaults to `debug_assertions`.
    pub overflow_checks: Option<bool>,
    /// Whether `-C incremental` was passed.
    pub incremental: Option<bool>,
    /// `-C force-frame-pointers`: `"always"`, `"non-leaf"`, or `"target-default"` when not given
    /// or `no` (the target decides, as rustc lets it).
    #[cfg_attr(feature = "serde", serde(default))]
    pub force_frame_pointers: Option<Str>,
    /// `-C relocation-model` (`"pic"`, `"static"`, …); `"target-default"` when not given.
    #[cfg_attr(feature = "serde", serde(default))]
    pub relocation_model: Option<Str>,
    /// `-C code-model` (`"small"`, `"large"`, …); `"target-default"` when not given.
    #[cfg_attr(feature = "serde", serde(default))]
    pub code_model: Option<Str>,
    /// `-C instrument-coverage`; `false` when not given.
    #[cfg_attr(feature = "serde", serde(default))]
    pub instrument_coverage: Option<bool>,
    /// `-Z sanitizer` (nightly): the sanitizers, sorted; empty when none.
    #[cfg_attr(feature = "serde", serde(default))]
    pub sanitizers: Option<Cow<'static, [Str]>>,
    /// `-C link-dead-code`; `false` when not given.
    #[cfg_attr(feature = "serde", serde(default))]
    pub link_dead_code: Option<bool>,
    /// `-C control-flow-guard`: `"checks"`, `"nochecks"`, or `"off"` when not given.
    #[cfg_attr(feature = "serde", serde(default))]
    pub control_flow_guard: Option<Str>,
}

/// The compilation target.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[non_exhaustive]
pub struct Target {
    /// The target triple (`--target`, or the compiler's host).
    pub triple: Option<Str>,
    /// `target_arch` from `rustc --print cfg` (`"x86_64"`, `"aarch64"`, `"riscv64"`, …).
    #[cfg_attr(feature = "serde", serde(default))]
    pub arch: Option<Str>,
    /// `target_os` from `rustc --print cfg`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub os: Option<Str>,
    /// `target_env` from `rustc --print cfg` (`"gnu"`, `"musl"`, `""` where the target has none).
    #[cfg_attr(feature = "serde", serde(default))]
    pub env: Option<Str>,
    /// The CPU rustc generated code for: `-C target-cpu`, the CPU `native` resolved to, or the
    /// target's default, as `rustc --print target-cpus` names them.
    pub cpu: Option<Str>,
    /// Whether the CPU came from `-C target-cpu=native` (tuned for the build machine).
    #[cfg_attr(feature = "serde", serde(default))]
    pub cpu_native: Option<bool>,
    /// The highest x86-64 psABI level (`"x86-64"`, `"x86-64-v2"`, `"x86-64-v3"`, `"x86-64-v4"`)
    /// all of whose features are enabled; `None` on other architectures.
    pub level: Option<Str>,
    /// The target features enabled for the code, as `rustc --print cfg` lists them, sorted.
    pub features: Option<Cow<'static, [Str]>>,
    /// The enabled features the startup CPU guard cannot check (no entry in
    /// [`crate::x86::FEATURES`] or [`crate::aarch64::FEATURES`], and none of the few that need no
    /// check, such as `crt-static`), sorted; `None` off x86 and aarch64.
    #[cfg_attr(feature = "serde", serde(default))]
    pub unchecked_features: Option<Cow<'static, [Str]>>,
}

/// The compiler that built the crate, from `rustc -vV`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[non_exhaustive]
pub struct Rustc {
    /// `"1.95.0"`.
    pub version: Option<Str>,
    /// `"stable"`, `"beta"`, `"nightly"` or `"dev"`.
    pub channel: Option<Str>,
    /// The compiler's commit hash.
    pub commit_hash: Option<Str>,
    /// The compiler's commit date.
    pub commit_date: Option<Str>,
    /// The LLVM version the compiler uses.
    pub llvm_version: Option<Str>,
    /// The triple the compiler runs on.
    pub host: Option<Str>,
}

/// The version-control state of the package.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[non_exhaustive]
pub struct Vcs {
    /// The full commit id `HEAD` pointed at.
    pub revision: Option<Str>,
    /// Whether tracked files differed from `HEAD` when the crate was compiled, as
    /// `git status --untracked-files=no` says (over the repository, or the package's directory
    /// with `PROFILE_INFO_DIRTY_CHECK=package`); `None` when that could not be known (no `git`
    /// binary where it was needed, `PROFILE_INFO_DIRTY_CHECK=off`).
    ///
    /// It is the state at the crate's last compile: cargo compiles the crate again when one of its
    /// sources changes or a commit is made, not when another tracked file (a README) is edited,
    /// so such an edit alone leaves the answer as it was. For a fresh answer, compile the crate
    /// again: `cargo clean -p <package>`, or set or change `PROFILE_INFO_DIRTY_CHECK`.
    pub dirty: Option<bool>,
    /// The commit's committer time, RFC 3339 in UTC (`2026-11-24T22:58:09Z`, as Go's
    /// `vcs.time`); `None` when git is not installed or the revision came from elsewhere.
    #[cfg_attr(feature = "serde", serde(default))]
    pub time: Option<Str>,
    /// The tag naming exactly this commit, if any (as `git describe --exact-match --tags`; the
    /// first by name when several do).
    #[cfg_attr(feature = "serde", serde(default))]
    pub tag: Option<Str>,
}

macro_rules! name_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vdoc])* #[cfg_attr(feature = "serde", serde(rename = $text))] $variant,)*
        }

        impl $name {
            /// Every value, in the order of the schema.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// Every value's document name, in the order of [`Self::ALL`].
            pub const NAMES: &'static [&'static str] = &[$($text),*];

            /// The name used in the document.
            #[inline]
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            /// The value with this document name.
            // A `match`, not a search of `ALL`: at opt-level 0 every iterator adapter is a function
            // of its own in the crate's archive, which every debug link of a dependent indexes.
            #[inline]
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($text => Some($name::$variant),)* _ => None }
            }
        }

        impl crate::read::FromJson for Option<$name> {
            #[inline]
            fn from_json(json: &crate::read::Json) -> Option<Self> {
                match json {
                    crate::read::Json::Null => Some(None),
                    crate::read::Json::Str(s) => match $name::from_name(s) {
                        Some(v) => Some(Some(v)),
                        None => None,
                    },
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            #[inline]
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

name_enum! {
    /// Optimisation level.
    OptLevel {
        /// No optimisation.
        O0 = "0",
        /// Basic optimisation.
        O1 = "1",
        /// Some optimisation.
        O2 = "2",
        /// All optimisation.
        O3 = "3",
        /// Optimise for size.
        S = "s",
        /// Optimise for size, no loop vectorisation.
        Z = "z",
    }
}

name_enum! {
    /// Debug information level.
    DebugInfo {
        /// No debug info.
        None = "none",
        /// Line tables directives only.
        LineDirectivesOnly = "line-directives-only",
        /// Line tables only.
        LineTablesOnly = "line-tables-only",
        /// Debug info without type or variable information.
        Limited = "limited",
        /// Full debug info.
        Full = "full",
    }
}

name_enum! {
    /// What the linker strips.
    Strip {
        /// Nothing.
        None = "none",
        /// Debug info.
        Debuginfo = "debuginfo",
        /// Debug info and symbols.
        Symbols = "symbols",
    }
}

name_enum! {
    /// Link-time optimisation.
    Lto {
        /// None: `-C lto=off`, or no `-C lto` with one codegen unit or opt-level 0.
        Off = "off",
        /// rustc's default for an optimised build with several codegen units: ThinLTO across
        /// the crate's own codegen units only.
        ThinLocal = "thin-local",
        /// ThinLTO across crates.
        Thin = "thin",
        /// Full ("fat") LTO across crates.
        Fat = "fat",
    }
}

name_enum! {
    /// Profile-guided optimisation.
    Pgo {
        /// Neither `-C profile-generate` nor `-C profile-use`.
        Off = "off",
        /// `-C profile-generate`: an instrumented binary that writes `.profraw` files.
        Generate = "generate",
        /// `-C profile-use`: optimised with a recorded profile.
        Use = "use",
    }
}

name_enum! {
    /// Panic strategy.
    Panic {
        /// Unwind the stack.
        Unwind = "unwind",
        /// Abort the process.
        Abort = "abort",
    }
}

impl BuildInfo {
    /// The JSON rendering exactly as embedded at compile time (what `--build-info=json` prints);
    /// `None` for a document that was not compiled in (for example one deserialized at run time).
    #[inline]
    pub fn json(&self) -> Option<&'static str> {
        (!self.json.is_empty()).then_some(self.json)
    }

    /// The human-readable summary exactly as rendered at compile time (what `--build-info`
    /// prints); `None` for a document that was not compiled in. [`BuildInfo`]'s `Display` renders
    /// any document.
    #[inline]
    pub fn text(&self) -> Option<&'static str> {
        (!self.text.is_empty()).then_some(self.text)
    }

    /// The document this JSON holds — what `--build-info=json` prints, `/buildinfo` serves under
    /// `"build"` and a binary's section holds — without its compile-time renderings
    /// ([`BuildInfo::json`] is `None`); `None` for text that is not such a document. Fields of a
    /// later schema are skipped.
    ///
    /// ```
    /// let doc = profile_info_core::BuildInfo::from_json(r#"{"schema":2,"vcs":null}"#).unwrap();
    /// assert_eq!(doc.schema, 2);
    /// assert!(profile_info_core::BuildInfo::from_json("{}").is_none());
    /// ```
    #[inline]
    pub fn from_json(json: &str) -> Option<BuildInfo> {
        crate::read::document(json)
    }

    /// A document with every field `None`: what the proc macro's expansion starts from.
    #[doc(hidden)]
    pub const __EMPTY: BuildInfo = BuildInfo {
        schema: SCHEMA,
        crate_type: None,
        package: Package::__EMPTY,
        profile: Profile::__EMPTY,
        target: Target::__EMPTY,
        rustc: Rustc::__EMPTY,
        vcs: None,
        json: "",
        text: "",
    };

    /// The document with its compile-time renderings. Public for the proc macro's expansion only.
    #[doc(hidden)]
    #[inline]
    pub const fn __rendered(mut self, json: &'static str, text: &'static str) -> Self {
        self.json = json;
        self.text = text;
        self
    }
}

/// Sets a field of a document under construction in a `static` initializer, where plain
/// assignment would have to drop the old value (which const evaluation refuses for `Cow`).
/// Public for the proc macro's expansion only.
#[doc(hidden)]
#[inline]
pub const fn __put<T>(slot: &mut T, value: T) {
    std::mem::forget(std::mem::replace(slot, value));
}

/// Two documents are equal when every field of the schema is; how they were rendered is not compared.
impl PartialEq for BuildInfo {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.schema == other.schema
            && self.crate_type == other.crate_type
            && self.package == other.package
            && self.profile == other.profile
            && self.target == other.target
            && self.rustc == other.rustc
            && self.vcs == other.vcs
    }
}

impl Eq for BuildInfo {}

macro_rules! groups {
    ($($ty:ident { $($field:ident),* })*) => {$(
        impl $ty {
            /// Every field `None`. Public for the proc macro's expansion only.
            #[doc(hidden)]
            pub const __EMPTY: $ty = $ty { $($field: None),* };

            /// Sets the field named `key` from JSON; `Some` when it fitted or is not a field of
            /// this schema.
            #[inline]
            pub(crate) fn __read(&mut self, key: &str, value: &crate::read::Json) -> Option<()> {
                match key {
                    $(stringify!($field) => self.$field = crate::read::FromJson::from_json(value)?,)*
                    _ => {}
                }
                Some(())
            }
        }
    )*};
}

groups! {
    Package { name, version, features, dependencies }
    Profile {
        name, opt_level, lto, codegen_units, panic, pgo, strip, debuginfo, debug_assertions, overflow_checks, incremental,
        force_frame_pointers, relocation_model, code_model, instrument_coverage, sanitizers, link_dead_code,
        control_flow_guard
    }
    Target { triple, arch, os, env, cpu, cpu_native, level, features, unchecked_features }
    Rustc { version, channel, commit_hash, commit_date, llvm_version, host }
    Vcs { revision, dirty, time, tag }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `from_name` is a `match` the macro writes from the same list as `NAMES`: every name reads
    /// back as the value at its place in `ALL`, and nothing else reads.
    fn reads_back<T: Copy + PartialEq + std::fmt::Debug>(all: &[T], names: &[&str], from_name: fn(&str) -> Option<T>) {
        assert_eq!(all.len(), names.len());
        for (value, name) in all.iter().zip(names) {
            assert_eq!(from_name(name), Some(*value), "{name}");
        }
        for other in ["", "FAT", "Thin", "none ", "fat,thin", "4"].into_iter().filter(|o| !names.contains(o)) {
            assert_eq!(from_name(other), None, "{other:?}");
        }
    }

    #[test]
    fn every_name_reads_back_and_nothing_else() {
        reads_back(OptLevel::ALL, OptLevel::NAMES, OptLevel::from_name);
        reads_back(DebugInfo::ALL, DebugInfo::NAMES, DebugInfo::from_name);
        reads_back(Strip::ALL, Strip::NAMES, Strip::from_name);
        reads_back(Lto::ALL, Lto::NAMES, Lto::from_name);
        reads_back(Pgo::ALL, Pgo::NAMES, Pgo::from_name);
        reads_back(Panic::ALL, Panic::NAMES, Panic::from_name);
        assert_eq!(Lto::from_name("fat"), Some(Lto::Fat));
    }
}
