//! The expansion is written as Rust source text and parsed by rustc's own `proc_macro`: the crate
//! depends on nothing outside the workspace. syn, quote and proc-macro2 would cost every
//! edit-compile cycle of a user's binary cargo's checks of four more packages and their build
//! scripts (bench/RESULTS.md, "Edit-compile cycle"); the attribute's options are three words, and
//! the expansion is a few items. Values go in only through the literal writers below, never as raw text.

use proc_macro::{Delimiter, Group, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// A string literal holding `s`, escaped so that any `s` reads back as itself. std's escaping
/// (Rust's own escapes) runs optimised; a loop here would run unoptimised in a debug build, over
/// kilobytes of text on every compile.
pub fn str_lit(s: &str) -> String {
    format!("\"{}\"", s.escape_debug())
}

/// A byte string literal holding `bytes`.
pub fn byte_str_lit(bytes: &[u8]) -> String {
    format!("b\"{}\"", bytes.escape_ascii())
}

/// `Some(v)` or `None`, spelled out for any context.
pub fn option(v: Option<String>) -> String {
    match v {
        Some(v) => format!("::core::option::Option::Some({v})"),
        None => "::core::option::Option::None".to_owned(),
    }
}

/// The tokens of `code`, written by this crate; text that does not parse (a bug here) becomes a
/// compile error rather than a panic in the user's build.
pub fn parse(code: &str) -> TokenStream {
    code.parse().unwrap_or_else(|_| Error::new(Span::call_site(), "profile-info: internal error: bad expansion").into())
}

/// A compile error at a span of the user's code.
pub struct Error {
    span: Span,
    message: String,
}

impl Error {
    pub fn new(span: Span, message: impl Into<String>) -> Error {
        Error { span, message: message.into() }
    }
}

/// `::core::compile_error! { "…" }` with every token at the error's span, so that rustc points at
/// the user's code. Braced and with no `;`, as syn emits it, it is an item, a statement or an
/// expression (`let info = build_info!(x);`): rustc reports the message alone. The tokens resolve
/// as the rest of the expansion does (rustc then notes that the error comes from the macro):
/// resolved at the user's span, `::core` in an edition-2015 crate would name a module of the
/// crate root, and rustc would report that one missing instead.
impl From<Error> for TokenStream {
    fn from(e: Error) -> TokenStream {
        let span = e.span.resolved_at(Span::call_site());
        let spanned = |mut t: TokenTree| {
            t.set_span(span);
            t
        };
        let joint = |c| spanned(Punct::new(c, Spacing::Joint).into());
        let alone = |c| spanned(Punct::new(c, Spacing::Alone).into());
        let ident = |s| spanned(proc_macro::Ident::new(s, span).into());
        let message = TokenStream::from(spanned(Literal::string(&e.message).into()));
        [
            joint(':'),
            alone(':'),
            ident("core"),
            joint(':'),
            alone(':'),
            ident("compile_error"),
            alone('!'),
            spanned(Group::new(Delimiter::Brace, message).into()),
        ]
        .into_iter()
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_escape_what_rust_would_misread() {
        assert_eq!(str_lit("a \"b\" \\ c"), r#""a \"b\" \\ c""#);
        assert_eq!(str_lit("line\nnext\t\u{7f}é"), r#""line\nnext\t\u{7f}é""#);
        assert_eq!(byte_str_lit(b"PR\x01\0\"\\~\xff"), r#"b"PR\x01\x00\"\\~\xff""#);
    }

    /// rustc as the oracle: every ASCII character and byte, and characters Rust treats specially
    /// (a bare CR, Unicode line ends, bidi overrides, a BOM), written as literals, compiled and
    /// printed by the program read back as themselves.
    #[test]
    fn rustc_reads_the_literals_back() {
        let mut text: String = (0u8..=0x7f).map(char::from).collect();
        text.push_str("\r é 🦀 \u{85} \u{2028} \u{202e} \u{feff} \u{ffff} \u{10ffff}");
        let bytes: Vec<u8> = (0u8..=255).collect();
        let dir = std::env::temp_dir().join(format!("profile-info-macros-literals-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let source = format!(
            "use std::io::Write;\nconst TEXT: &str = {};\nconst BYTES: &[u8] = {};\n\
             fn main() {{ let mut out = std::io::stdout(); out.write_all(TEXT.as_bytes()).unwrap(); out.write_all(BYTES).unwrap(); }}\n",
            str_lit(&text),
            byte_str_lit(&bytes)
        );
        std::fs::write(dir.join("main.rs"), source).unwrap();
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let built = std::process::Command::new(rustc)
            // The lint is for text a reader could misread; in a macro's expansion rustc does not
            // report it (checked with a package under a path holding U+202E).
            .args(["--edition=2021", "-A", "text_direction_codepoint_in_literal", "-o"])
            .arg(dir.join("literals"))
            .arg(dir.join("main.rs"))
            .output()
            .unwrap();
        assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
        let printed = std::process::Command::new(dir.join("literals")).output().unwrap().stdout;
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(printed, [text.as_bytes(), &bytes].concat());
    }
}
