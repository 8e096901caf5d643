//! Turns a captured document into tokens: for `#[profile_info::main]`, the linker section holding
//! the JSON, the compile-time renderings handed to the prologue of `main`, and the CPU guard; for
//! `build_info!()`, a `static BuildInfo` built field by field.

use crate::capture::Capture;
use crate::options::Options;
use proc_macro2::{Delimiter, Group, Literal, Span, TokenStream, TokenTree};
use profile_info_core::schema::{Field, Kind, Value, FIELDS};
use profile_info_core::{section, BuildInfo};
use quote::{format_ident, quote};

/// `build_info!()`: a block evaluating to `&'static BuildInfo`.
pub fn build_info(cap: &Capture) -> TokenStream {
    let json = profile_info_core::render::json(&cap.info);
    let text = profile_info_core::render::text(&cap.info);
    let value = document(&cap.info, quote!(#json), quote!(#text));
    let track = track(cap);
    let static_ = document_static(value);
    quote! {{
        #track
        #static_
        __profile_info
    }}
}

/// The document as a `static` and a `let __profile_info: &'static BuildInfo` to it.
///
/// The `static` is a `ManuallyDrop`: rustc instantiates the drop glue of every static's type,
/// and at opt-level 0 a `Cow`'s would come from profile-info-core's shared instances, pulling
/// most of that crate into every debug link. A static is never dropped anyway.
fn document_static(value: TokenStream) -> TokenStream {
    quote! {
        static __PROFILE_INFO: ::core::mem::ManuallyDrop<::profile_info::BuildInfo> =
            ::core::mem::ManuallyDrop::new(#value);
        // SAFETY: `ManuallyDrop<T>` is `repr(transparent)`; a cast, not a (generic) method call.
        let __profile_info: &'static ::profile_info::BuildInfo =
            unsafe { &*(&raw const __PROFILE_INFO as *const ::profile_info::BuildInfo) };
    }
}

/// `#[profile_info::main]`: `main` with a prologue prepended to its body.
pub fn main(item: TokenStream, cap: &Capture, options: &Options) -> syn::Result<TokenStream> {
    let mut tokens: Vec<TokenTree> = item.into_iter().collect();
    let is_fn = tokens.iter().any(|t| matches!(t, TokenTree::Ident(i) if i == "fn"));
    let body = match tokens.last() {
        Some(TokenTree::Group(g)) if is_fn && g.delimiter() == Delimiter::Brace => g.clone(),
        _ => return Err(syn::Error::new(Span::call_site(), "#[profile_info::main] goes on `fn main`")),
    };
    let json = profile_info_core::render::json(&cap.info);
    let text = profile_info_core::render::text(&cap.info);
    let header = Literal::byte_string(&section::encode_header(json.len()));
    let json_bytes = Literal::byte_string(json.as_bytes());
    let len = json.len();
    let program = cap.info.package.name.as_deref().unwrap_or("program");
    let (elf, macho) = (section::ELF_SECTION, section::MACHO_SECTION);
    let track = track(cap);
    let flag = opt(options.flag.as_ref().map(|name| quote!(#name)));
    let log = if options.log { quote!(::profile_info::__private::log_startup();) } else { quote!() };
    let body_stream = body.stream();
    let prologue = quote! {
        {
            #track
            #[repr(C)]
            struct __ProfileInfoSection {
                header: [u8; 16],
                json: [u8; #len],
            }
            // The document a tool reads without running the file; nothing refers to it but `used`
            // keeps it through --gc-sections, LTO and strip.
            #[used]
            #[cfg_attr(target_vendor = "apple", unsafe(link_section = #macho))]
            #[cfg_attr(not(any(target_vendor = "apple", windows)), unsafe(link_section = #elf))]
            static __PROFILE_INFO_SECTION: __ProfileInfoSection =
                __ProfileInfoSection { header: *#header, json: *#json_bytes };
            // The document itself is read back from this JSON when `current()` is first called:
            // building it here as a `static` cost every edit-compile cycle about 1.5 ms.
            static __PROFILE_INFO_RENDERED: ::profile_info::__private::Rendered = ::profile_info::__private::Rendered {
                program: #program,
                // SAFETY: the section's JSON is the renderer's `String`'s bytes.
                json: unsafe { ::core::str::from_utf8_unchecked(&__PROFILE_INFO_SECTION.json) },
                text: #text,
            };
            ::profile_info::__private::start(&__PROFILE_INFO_RENDERED, #flag);
            #log
        }
        #body_stream
    };
    let mut new_body = Group::new(Delimiter::Brace, prologue);
    new_body.set_span(body.span());
    *tokens.last_mut().expect("checked above") = TokenTree::Group(new_body);
    // Next to `main` rather than inside it, so that `#[tokio::main]` moving the body into an
    // async block leaves it alone.
    let guard = if options.guard { crate::guard::emit(cap) } else { TokenStream::new() };
    let main: TokenStream = tokens.into_iter().collect();
    Ok(quote!(#guard #main))
}

/// Makes rustc track the vcs files and variables so a new commit recompiles the crate; the values
/// are unused.
fn track(cap: &Capture) -> TokenStream {
    let paths = cap.tracked.iter().filter_map(|p| p.to_str());
    let vars = crate::vcs::TRACKED_ENV;
    quote! {
        #(const _: &[u8] = include_bytes!(#paths);)*
        #(const _: ::core::option::Option<&str> = ::core::option_env!(#vars);)*
    }
}

/// The document as a constant expression, field by field from the schema table: it starts from
/// `BuildInfo::__EMPTY` and sets each captured field by name.
fn document(info: &BuildInfo, json: TokenStream, text: TokenStream) -> TokenStream {
    let same_group =
        |a: &Field, b: &Field| a.group().is_some() && a.group().map(|g| g.name) == b.group().map(|g| g.name);
    let mut puts = Vec::new();
    for run in FIELDS.chunk_by(|a, b| same_group(a, b)) {
        match run[0].group() {
            // `schema` is `__EMPTY`'s already: the crate's SCHEMA, which its JSON must match.
            None => puts.extend(run.iter().filter(|f| f.key != "schema").map(|f| {
                let name = format_ident!("{}", f.name());
                let value = value(f, (f.get)(info));
                quote!(::profile_info::__put(&mut d.#name, #value);)
            })),
            Some(group) if !(group.present)(info) => {}
            Some(group) => {
                let (ty, name) = (format_ident!("{}", group.ty), format_ident!("{}", group.name));
                let sets = run.iter().map(|f| {
                    let field = format_ident!("{}", f.name());
                    let value = value(f, (f.get)(info));
                    quote!(::profile_info::__put(&mut g.#field, #value);)
                });
                let whole = if group.optional { opt(Some(quote!(g))) } else { quote!(g) };
                puts.push(quote!({
                    let mut g = ::profile_info::#ty::__EMPTY;
                    #(#sets)*
                    ::profile_info::__put(&mut d.#name, #whole);
                }));
            }
        }
    }
    quote! {{
        let mut d = ::profile_info::BuildInfo::__EMPTY;
        #(#puts)*
        d.__rendered(#json, #text)
    }}
}

/// A field's value as a constant of its Rust type.
fn value(field: &Field, value: Value<'_>) -> TokenStream {
    opt(match (value, field.kind) {
        (Value::Null, _) => None,
        (Value::Str(v), Kind::Name { ty, names }) => {
            let ty = format_ident!("{}", ty);
            // A value the model produced is always one of its names.
            names.iter().position(|n| *n == v).map(|i| quote!(::profile_info::#ty::ALL[#i]))
        }
        (Value::Str(v), _) => Some(quote!(::std::borrow::Cow::Borrowed(#v))),
        (Value::Bool(b), _) => Some(quote!(#b)),
        (Value::Count(n), _) => Some(quote!(#n)),
        // A named constant: a borrowed array of `Cow`s in an expression is not promoted, and a
        // `static` would have its drop glue instantiated (see `document_static`).
        (Value::List(items), _) => {
            let items = items.iter().map(|i| i.as_ref());
            Some(quote!(::std::borrow::Cow::Borrowed({
                const LIST: &[::std::borrow::Cow<'static, str>] = &[#(::std::borrow::Cow::Borrowed(#items)),*];
                LIST
            })))
        }
    })
}

fn opt(v: Option<TokenStream>) -> TokenStream {
    match v {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}
