//! The arguments of `#[profile_info::main(...)]`.

use syn::meta::ParseNestedMeta;
use syn::{Lit, LitStr};

pub struct Options {
    /// The command-line flag that prints the document; `None` when disabled with `flag = false`.
    pub flag: Option<LitStr>,
    /// Whether to emit the CPU guard (`guard = false` turns it off).
    pub guard: bool,
    /// Whether to log the build summary at startup (`log`).
    pub log: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { flag: Some(LitStr::new("--build-info", proc_macro2::Span::call_site())), guard: true, log: false }
    }
}

impl Options {
    pub fn parse_meta(&mut self, meta: ParseNestedMeta) -> syn::Result<()> {
        if meta.path.is_ident("flag") {
            match meta.value()?.parse::<Lit>()? {
                Lit::Str(s) if s.value().starts_with('-') && !s.value().contains(['=', ' ']) => self.flag = Some(s),
                Lit::Bool(b) if !b.value => self.flag = None,
                other => {
                    return Err(syn::Error::new(
                        other.span(),
                        "`flag` takes a flag name such as \"--build-info\", or `false` to disable it",
                    ))
                }
            }
        } else if meta.path.is_ident("guard") {
            match meta.value()?.parse::<Lit>()? {
                Lit::Bool(b) => self.guard = b.value,
                other => return Err(syn::Error::new(other.span(), "`guard` takes `true` or `false`")),
            }
        } else if meta.path.is_ident("log") {
            self.log = true;
        } else {
            return Err(
                meta.error("unknown option; expected `flag = \"--name\"`, `flag = false`, `guard = false` or `log`")
            );
        }
        Ok(())
    }
}
