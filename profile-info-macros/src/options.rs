//! The arguments of `#[profile_info::main(...)]`: a comma-separated list of `flag = "--name"`,
//! `flag = false`, `guard = true|false`, `dependencies = true|false` and `log`.

use crate::code::Error;
use proc_macro::{Delimiter, TokenStream, TokenTree};

pub struct Options {
    /// The command-line flag that prints the document; `None` when disabled with `flag = false`.
    pub flag: Option<String>,
    /// Whether to emit the CPU guard (`guard = false` turns it off).
    pub guard: bool,
    /// Whether to log the build summary at startup (`log`).
    pub log: bool,
    /// Whether to write the dependency list (`dependencies = false` turns it off).
    pub dependencies: bool,
}

const UNKNOWN: &str =
    "unknown option; expected `flag = \"--name\"`, `flag = false`, `guard = false`, `dependencies = false` or `log`";
const FLAG: &str = "`flag` takes a flag name such as \"--build-info\", or `false` to disable it";
const GUARD: &str = "`guard` takes `true` or `false`";
const DEPENDENCIES: &str = "`dependencies` takes `true` or `false`";

impl Options {
    pub fn parse(attr: TokenStream) -> Result<Options, Error> {
        let mut options =
            Options { flag: Some("--build-info".to_owned()), guard: true, log: false, dependencies: true };
        let mut tokens = opened(attr).into_iter().peekable();
        while let Some(token) = tokens.next() {
            let TokenTree::Ident(name) = token else { return Err(Error::new(token.span(), UNKNOWN)) };
            let name_span = name.span();
            let value = match tokens.peek() {
                Some(TokenTree::Punct(p)) if p.as_char() == '=' => {
                    let eq = p.span();
                    tokens.next();
                    Some(tokens.next().ok_or_else(|| Error::new(eq, "expected a value after `=`"))?)
                }
                _ => None,
            };
            match (name.to_string().as_str(), value) {
                ("flag", Some(value)) => options.flag = flag(&value).ok_or_else(|| Error::new(value.span(), FLAG))?,
                ("guard", Some(value)) => {
                    options.guard = boolean(&value).ok_or_else(|| Error::new(value.span(), GUARD))?;
                }
                ("dependencies", Some(value)) => {
                    options.dependencies = boolean(&value).ok_or_else(|| Error::new(value.span(), DEPENDENCIES))?;
                }
                ("log", None) => options.log = true,
                ("dependencies", None) => return Err(Error::new(name_span, DEPENDENCIES)),
                ("flag", None) => return Err(Error::new(name_span, FLAG)),
                ("guard", None) => return Err(Error::new(name_span, GUARD)),
                ("log", Some(value)) => return Err(Error::new(value.span(), "`log` takes no value")),
                _ => return Err(Error::new(name_span, UNKNOWN)),
            }
            match tokens.next() {
                None => break,
                Some(TokenTree::Punct(p)) if p.as_char() == ',' => {}
                Some(other) => return Err(Error::new(other.span(), "expected `,` between options")),
            }
        }
        Ok(options)
    }
}

/// The tokens with invisible groups opened: options written by a `macro_rules!` macro come with
/// each `$fragment` wrapped in one (syn looked through them too).
fn opened(stream: TokenStream) -> Vec<TokenTree> {
    let mut tokens = Vec::new();
    for token in stream {
        match token {
            TokenTree::Group(g) if g.delimiter() == Delimiter::None => tokens.extend(opened(g.stream())),
            token => tokens.push(token),
        }
    }
    tokens
}

/// `true` or `false` (rustc gives them to macros as identifiers).
fn boolean(token: &TokenTree) -> Option<bool> {
    match token {
        TokenTree::Ident(i) if i.to_string() == "true" => Some(true),
        TokenTree::Ident(i) if i.to_string() == "false" => Some(false),
        _ => None,
    }
}

/// `Some(Some(name))` for a plain string literal that reads as one command-line flag,
/// `Some(None)` for `false`.
fn flag(token: &TokenTree) -> Option<Option<String>> {
    if boolean(token) == Some(false) {
        return Some(None);
    }
    let TokenTree::Literal(lit) = token else { return None };
    let text = lit.to_string();
    // A flag has no quotes, backslashes or spaces, so its literal is the name between the quotes
    // (and a raw string's `#`s).
    let name = match text.strip_prefix('r') {
        Some(raw) => {
            let hashes = &raw[..raw.len() - raw.trim_start_matches('#').len()];
            raw.strip_prefix(hashes)?.strip_prefix('"')?.strip_suffix(hashes)?.strip_suffix('"')?
        }
        None => text.strip_prefix('"')?.strip_suffix('"')?,
    };
    let valid = name.starts_with('-') && !name.contains(['=', ' ', '\\', '"']) && !name.chars().any(char::is_control);
    valid.then(|| Some(name.to_owned()))
}
