//! Proc macros of [profile-info](https://docs.rs/profile-info); use them through that crate.
//!
//! Each macro reads the command line of the rustc process it runs in (see `invocation` and
//! `flags`), completes it with rustc's defaults, the compiler's own answers and the revision
//! (`capture`, asking `rustc`; `vcs` and `index` for git), and emits the document (`expand`).

use proc_macro::TokenStream;

mod capture;
mod expand;
mod flags;
mod guard;
mod index;
mod invocation;
mod options;
mod rustc;
mod sha1;
mod vcs;

/// Captures the build of the binary and adds `--build-info`; see `profile_info::main`.
#[proc_macro_attribute]
pub fn main(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut options = options::Options::default();
    let parser = syn::meta::parser(|meta| options.parse_meta(meta));
    if let Err(e) = syn::parse::Parser::parse(parser, attr) {
        return e.to_compile_error().into();
    }
    let cap = capture::capture();
    expand::main(item.into(), &cap, &options).unwrap_or_else(|e| e.to_compile_error()).into()
}

/// The startup CPU guard alone, for a binary without the attribute; see `profile_info::cpu_guard!`.
#[proc_macro]
pub fn cpu_guard(input: TokenStream) -> TokenStream {
    no_arguments(input, "cpu_guard!()").unwrap_or_else(|| guard::emit(&capture::capture()).into())
}

/// The document of the crate it expands in; see `profile_info::build_info!`.
#[proc_macro]
pub fn build_info(input: TokenStream) -> TokenStream {
    no_arguments(input, "build_info!()").unwrap_or_else(|| expand::build_info(&capture::capture()).into())
}

/// The compile error for arguments given to a macro that takes none.
fn no_arguments(input: TokenStream, name: &str) -> Option<TokenStream> {
    let first = input.into_iter().next()?;
    let message = format!("{name} takes no arguments");
    Some(syn::Error::new(first.span().into(), message).to_compile_error().into())
}
