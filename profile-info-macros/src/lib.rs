//! Proc macros of [profile-info](https://docs.rs/profile-info); use them through that crate.
//!
//! Each macro reads the command line of the rustc process it runs in once (see `invocation` and
//! `profile_info_core::flags`) and hands it to every phase; it completes it with rustc's defaults, the compiler's own answers and the revision
//! (`capture`, asking `rustc`; `vcs` and `index` for git), and emits the document (`expand`, as
//! source text that `code` writes and parses; the attribute's arguments are read by `options`).

use proc_macro::TokenStream;

mod capture;
mod code;
mod commit;
mod deps;
mod expand;
mod guard;
mod index;
mod invocation;
mod metadata;
mod options;
mod rustc;
mod sha1;
mod vcs;

/// Captures the build of the binary and adds `--build-info`; see `profile_info::main`.
#[proc_macro_attribute]
pub fn main(attr: TokenStream, item: TokenStream) -> TokenStream {
    let expanded = options::Options::parse(attr)
        .and_then(|o| expand::main(item.clone(), &capture::capture(invocation::current()), &o));
    // On an error the item stays as written, so that rustc reports the error alone and not also a
    // missing `main`.
    expanded.unwrap_or_else(|e| TokenStream::from_iter([TokenStream::from(e), item]))
}

/// The startup CPU guard alone, for a binary without the attribute; see `profile_info::cpu_guard!`.
#[proc_macro]
pub fn cpu_guard(input: TokenStream) -> TokenStream {
    no_arguments(input, "cpu_guard!()")
        .unwrap_or_else(|| code::parse(&guard::emit(&capture::capture(invocation::current()))))
}

/// The document of the crate it expands in; see `profile_info::build_info!`.
#[proc_macro]
pub fn build_info(input: TokenStream) -> TokenStream {
    no_arguments(input, "build_info!()")
        .unwrap_or_else(|| code::parse(&expand::build_info(&capture::capture(invocation::current()))))
}

/// The compile error for arguments given to a macro that takes none.
fn no_arguments(input: TokenStream, name: &str) -> Option<TokenStream> {
    let first = input.into_iter().next()?;
    let message = format!("{name} takes no arguments");
    Some(code::Error::new(first.span(), message).into())
}
