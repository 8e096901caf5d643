//! profile-info makes a binary know the build that really produced it — cargo profile name,
//! opt-level, LTO, codegen units, panic strategy, strip, debuginfo, checks, target triple, CPU and
//! features, rustc version, git revision — with one attribute and no build script:
//!
//! ```no_run
//! #[profile_info::main]
//! fn main() {
//!     let info = profile_info::current().expect("set by #[profile_info::main]");
//!     println!("built with the {} profile", info.profile.name.as_deref().unwrap_or("unknown"));
//! }
//! ```
//!
//! `./app --build-info` then prints a summary, `./app --build-info=json` the [`BuildInfo`]
//! document, and the same JSON sits in the binary's `.profile_info` section for tools that read
//! it without running the file. The flag is taken only as the program's **only** argument:
//! `./app --build-info --verbose` starts the program as usual, with both arguments (the `clap`
//! feature's `clap::arg()` puts the flag among a clap program's own).
//!
//! # How it knows
//!
//! A proc macro runs inside the rustc process compiling the crate it expands in, so its
//! `std::env::args()` is the exact command line cargo gave rustc (`cargo build -v` prints it).
//! The macro reads the flags, applies rustc's defaults for those cargo leaves out, asks the same
//! rustc for its version and for the target features (`rustc --print cfg` with the same
//! `--target`, `-C target-cpu` and `-C target-feature`), and emits the document rendered at
//! compile time: its JSON (in the section) and its summary, which `--build-info` prints as they
//! are; [`current()`] reads the JSON back once, on first use. Fields that cannot be known are `None` — under
//! rust-analyzer, rustdoc or doctests, for example — and the build always goes on.
//!
//! Expand the macros in the binary crate: in a library crate rustc sees the library's flags
//! (LTO is decided at the final link) and the document says `crate_type: "lib"`.
//!
//! # Serving it
//!
//! Build facts are opt-in to expose; nothing here ever includes host or user names, environment
//! values or paths. Every cargo feature is off by default:
//!
//! | feature | what you get |
//! |---|---|
//! | none | [`serve`]: the `/buildinfo` endpoint without a framework; [`prometheus::text`]: the `<prefix>_build_info` gauge; [`otel::attributes`]: OpenTelemetry resource attributes; [`facts`]: the facts they share |
//! | `serde` | `Serialize`/`Deserialize` for [`BuildInfo`] and its parts |
//! | `axum` | `axum::router()`: `Router::new().merge(profile_info::axum::router())`; `axum::router_with` |
//! | `actix` | `actix::configure`: `App::new().configure(profile_info::actix::configure)` |
//! | `tower` | `tower::BuildInfoService`, a `tower::Service<http::Request<B>>` for hyper 1 |
//! | `prometheus-client` | `prometheus::register` into a `prometheus-client` registry |
//! | `metrics` | `prometheus::record` into the `metrics` recorder |
//! | `tracing` | `tracing::startup_event`, the structured startup event |
//! | `opentelemetry` | `otel::key_values` as `opentelemetry::KeyValue`s |
//! | `clap` | `clap::arg`, an exclusive `--build-info` argument, and `long_version` text |
//!
//! The three framework modules are thin adapters over [`serve`], so they answer alike: the
//! document's compile-time JSON plus a runtime section under `{"build": …, "runtime": …}`,
//! strong `ETag`, `304`, `HEAD`, `405` with `Allow: GET, HEAD`, `Accept: text/plain`. Without
//! `#[profile_info::main]` (a handler's unit test, a library) give them the document with
//! [`serve::Config::info`]: their default forms panic there, and the `try_` forms return
//! [`serve::NoDocument`] (see [`serve`](serve#without-profile_infomain)).
//!
//! `#[profile_info::main(log)]` reports the build once at startup: as the `tracing`
//! event when the `tracing` feature is on and a global subscriber is already installed, otherwise as
//! one line on stderr ([`facts::summary`]).
//!
//! More: the document's fields and where each can be `null` (below), the integrations (below),
//! [`serve`] for the endpoint, [`cpu`] for the startup guard. How it all works is in the
//! repository's ARCHITECTURE.md.
//!
#![doc = include_str!("../docs/document.md")]
//!
#![doc = include_str!("../docs/integrations.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
// Every non-generic function is `#[inline]`, so that a debug build compiles it only where it is
// called (ARCHITECTURE.md, "Crates"); the lint holds the public ones to it.
#![warn(clippy::missing_inline_in_public_items)]

// The macros name `::profile_info::…`; this lets them expand inside this crate too (its tests).
extern crate self as profile_info;

#[cfg(feature = "actix")]
pub mod actix;
#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "clap")]
pub mod clap;
pub mod cpu;
pub mod facts;
pub mod otel;
pub mod prometheus;
pub mod serve;
#[cfg(feature = "tower")]
pub mod tower;
#[cfg(feature = "tracing")]
pub mod tracing;

#[doc(hidden)]
pub use profile_info_core::model::__put;
pub use profile_info_core::model::{
    BuildInfo, DebugInfo, Lto, OptLevel, Package, Panic, Pgo, Profile, Rustc, Str, Strip, Target, Vcs, SCHEMA,
};
// The renderer and the field table stay private (their free functions and `Quoted` are no
// promise): users get the same bytes through `BuildInfo::json()`, `text()` and `Display`.
use profile_info_core::{render, schema};

/// Captures the build of the binary and handles `--build-info`.
///
/// Put it on `fn main` of a binary crate (with or without `#[tokio::main]`, in either order; `async
/// fn main` and `fn main() -> Result<…>` work). Before the body runs it:
///
/// - makes [`current()`] return the binary's document;
/// - when the program's only argument is `--build-info` or `--build-info=text`, prints the summary
///   and exits 0; `--build-info=json` prints the JSON document and exits 0; any other
///   `--build-info=FORMAT` prints a one-line error and exits 2. Any other command line reaches the
///   program untouched.
///
/// It also places the document in the binary's `.profile_info` section (`__DATA,__profile_info`
/// on Apple targets; none on Windows), and the packages the binary was built from in a `.dep-v0`
/// section in cargo-auditable's format, which `cargo audit bin`, Trivy, Grype, Syft, osv-scanner
/// and `rust-audit-info` read: the resolved graph for this compile's features and target, build
/// dependencies and proc macros marked `build`, no dev-dependencies, no paths or URLs. The list
/// comes from `cargo metadata --offline --locked`, run once per change of `Cargo.lock`, a local
/// manifest or the feature set and kept under `target/<profile>/.profile-info/`; changing one of
/// those files recompiles the binary crate. Where cargo cannot answer (no `CARGO` in the
/// environment, a lock file that needs updating), or `cargo auditable` links its own list, the
/// build goes on without it and the document's `package.dependencies` says why. `cargo metadata`
/// reads the configuration the build reads (`.cargo/config.toml` from the package's directory up,
/// `CARGO_HOME`, `CARGO_*` variables) but not the options of the cargo command itself: cargo hands
/// rustc no trace of `--config` or `-Z`. A vendored tree works when its source replacement is in a
/// configuration file, as `cargo vendor` prints it; given with `--config` alone, the list may be
/// missing (`cargo metadata failed`).
///
/// Options: `#[profile_info::main(flag = "--about-build")]` renames the flag, `flag = false`
/// disables it, `guard = false` leaves out the CPU guard, `dependencies = false` leaves out the
/// dependency list, `log` reports the build at startup (see [Serving it](crate#serving-it)).
pub use profile_info_macros::main;

/// The startup CPU guard without the attribute: use it once at module level in the binary crate.
///
/// ```no_run
/// profile_info::cpu_guard!();
///
/// fn main() {}
/// ```
///
/// `#[profile_info::main]` already includes it (unless `guard = false`). Before any Rust code runs,
/// it checks that the host has every CPU feature the binary was compiled for and otherwise exits
/// with [`cpu::GUARD_EXIT_CODE`] and a one-line message; see [`cpu`] for what it checks and where.
/// Expanded in a library it would be dropped by the linker: it must be in the binary crate.
/// Using it next to the attribute is harmless (each guard has its own symbols) but checks twice.
pub use profile_info_macros::cpu_guard;

/// The document of the crate this expands in, as `&'static BuildInfo`, built at compile time.
///
/// ```
/// let info: &'static profile_info::BuildInfo = profile_info::build_info!();
/// assert_eq!(info.schema, profile_info::SCHEMA);
/// ```
pub use profile_info_macros::build_info;

/// The binary's document, from anywhere in the program, once `#[profile_info::main]` has started
/// `main`; `None` in a program without the attribute.
///
/// The first call reads the document from the JSON the binary embeds (about 1.5 KiB, once); later
/// calls return the same reference. Its [`BuildInfo::json`] and [`BuildInfo::text`] are the
/// compile-time renderings.
#[inline]
pub fn current() -> Option<&'static BuildInfo> {
    static DOCUMENT: std::sync::OnceLock<Option<BuildInfo>> = std::sync::OnceLock::new();
    // Not cached before `main` started: a call from another thread that early must not hide the
    // document from later ones.
    let rendered = profile_info_start::rendered()?;
    let (json, text) = (rendered.json_str(), rendered.text_str());
    DOCUMENT.get_or_init(|| BuildInfo::from_json(json).map(|doc| doc.__rendered(json, text))).as_ref()
}

/// README.md's Rust blocks, compiled and run as doctests (they use the framework features; the
/// console examples are run by `cargo-profile-info/tests/readme.rs`).
#[cfg(all(doctest, feature = "axum", feature = "actix", feature = "tower"))]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

#[doc(hidden)]
pub mod __private {
    /// The prologue `#[profile_info::main]` puts at the top of `main`, followed by
    /// [`log_startup`] with the `log` option: in a crate of its own (see profile-info-start).
    pub use profile_info_start::{start, Parts};

    /// `#[profile_info::main(log)]`'s report, called by the expansion only with that option, so
    /// that no other binary links the summary's rendering (not even an unoptimised one).
    ///
    /// The prologue runs before `main` could install a tracing subscriber, so the event is only
    /// emitted when a global one already exists; otherwise the line goes to stderr, never lost.
    #[inline]
    pub fn log_startup() {
        let Some(info) = crate::current() else { return };
        #[cfg(feature = "tracing")]
        if ::tracing::dispatcher::has_been_set() {
            crate::tracing::startup_event(info);
            return;
        }
        eprintln!("{}", crate::facts::summary(info));
    }
}

#[cfg(test)]
mod tests {
    /// profile-info-start, which depends on std alone, skips the section's header by its own
    /// constant: the section format's.
    #[test]
    fn start_skips_the_section_header_of_the_section_format() {
        assert_eq!(profile_info_start::SECTION_HEADER, profile_info_core::section::HEADER_LEN);
    }

    /// The field reference (`docs/document.md`, this crate's documentation) lists every field of
    /// the table and the schema the table writes: a row names a field by its path, or by its last
    /// part after a first path of the same group (`` `rustc.version`, `channel` ``).
    #[test]
    fn the_field_reference_lists_every_field() {
        let reference = include_str!("../docs/document.md");
        let firsts: Vec<&str> =
            reference.lines().filter(|l| l.starts_with("| `")).filter_map(|l| l.split(" | ").next()).collect();
        for field in super::schema::FIELDS {
            let (group, last) = (field.key.split('.').next().unwrap(), field.key.rsplit('.').next().unwrap());
            let listed = firsts.iter().any(|cell| {
                cell.contains(&format!("`{}`", field.key))
                    || (cell.starts_with(&format!("| `{group}.")) && cell.contains(&format!("`{last}`")))
            });
            assert!(listed, "docs/document.md has no row for `{}`", field.key);
        }
        assert!(reference.contains(&format!("| `schema` | `{}` |", super::SCHEMA)));
        assert!(reference.contains(&format!("prints it (schema {}).", super::SCHEMA)));
    }
}
