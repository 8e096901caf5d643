//! The parts of profile-info that both the proc macro (at compile time) and the library or the
//! inspector (at run time) need: the build document model, the table of its fields, its renderings, the embedded section
//! format, the x86 and aarch64 feature tables, and the few things every crate of the project reads
//! or hashes alike (`rustc -vV`, `cargo metadata`, FNV-1a).
//!
//! Users depend on `profile-info`, which re-exports everything here that is public API.
//!
//! Feature `serde`: `Serialize`/`Deserialize` for the model types. Off by default, so the proc
//! macro, which renders the document with [`render::json`], does not wait for serde's derive.
#![deny(missing_docs)]
// Every non-generic function is `#[inline]`, so that a debug build compiles it only where it is
// called (ARCHITECTURE.md, "Crates"); the lint holds the public ones to it.
#![warn(clippy::missing_inline_in_public_items)]

pub mod aarch64;
#[doc(hidden)]
pub mod flags;
pub mod fnv;
#[doc(hidden)]
pub mod metadata;
pub mod model;
#[doc(hidden)]
pub mod read;
pub mod render;
pub mod rustc;
pub mod schema;
pub mod section;
pub mod x86;
#[doc(hidden)]
pub mod zlib;

pub use model::*;
