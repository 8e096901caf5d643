//! Turns a captured document into tokens: a `static BuildInfo` whose JSON and text renderings are
//! literals, the linker section holding the JSON, the prologue of `main` and its CPU guard.

use crate::capture::Capture;
use crate::options::Options;
use proc_macro2::{Delimiter, Group, Literal, Span, TokenStream, TokenTree};
use profile_info_core::{section, BuildInfo, Str};
use quote::{format_ident, quote};
use std::fmt::Debug;

/// `build_info!()`: a block evaluating to `&'static BuildInfo`.
pub fn build_info(cap: &Capture) -> TokenStream {
    let json = profile_info_core::render::json(&cap.info);
    let value = document(&cap.info, quote!(#json));
    let track = track(cap);
    quote! {{
        #track
        static __PROFILE_INFO: ::profile_info::BuildInfo = #value;
        &__PROFILE_INFO
    }}
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
    let header = Literal::byte_string(&section::encode_header(json.len()));
    let json_bytes = Literal::byte_string(json.as_bytes());
    let len = json.len();
    let value = document(&cap.info, quote!(unsafe { ::core::str::from_utf8_unchecked(&__PROFILE_INFO_SECTION.json) }));
    let (elf, macho) = (section::ELF_SECTION, section::MACHO_SECTION);
    let track = track(cap);
    let flag = match &options.flag {
        Some(f) => quote!(::core::option::Option::Some(#f)),
        None => quote!(::core::option::Option::None),
    };
    let log = options.log;
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
            static __PROFILE_INFO: ::profile_info::BuildInfo = #value;
            ::profile_info::__private::start(&__PROFILE_INFO, #flag, #log);
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

fn document(info: &BuildInfo, json: TokenStream) -> TokenStream {
    let text = profile_info_core::render::text(info);
    let (p, t, r) = (&info.profile, &info.target, &info.rustc);
    let crate_type = opt_str(&info.crate_type);
    let (name, version) = (opt_str(&info.package.name), opt_str(&info.package.version));
    let profile_name = opt_str(&p.name);
    let (opt_level, debuginfo, strip, lto, panic) = (
        variant("OptLevel", p.opt_level),
        variant("DebugInfo", p.debuginfo),
        variant("Strip", p.strip),
        variant("Lto", p.lto),
        variant("Panic", p.panic),
    );
    let codegen_units = opt(p.codegen_units.map(|n| quote!(#n)));
    let (da, oc, inc) = (opt_bool(p.debug_assertions), opt_bool(p.overflow_checks), opt_bool(p.incremental));
    let (triple, cpu, level) = (opt_str(&t.triple), opt_str(&t.cpu), opt_str(&t.level));
    // A named static: a borrowed array of `Cow`s in a call argument is not promoted.
    let features = opt(t.features.as_ref().map(|fs| {
        let (n, fs) = (fs.len(), fs.iter().map(|f| f.as_ref()));
        quote!(::std::borrow::Cow::Borrowed({
            static FEATURES: [::std::borrow::Cow<'static, str>; #n] = [#(::std::borrow::Cow::Borrowed(#fs)),*];
            &FEATURES
        }))
    }));
    let rustc = [&r.version, &r.channel, &r.commit_hash, &r.commit_date, &r.llvm_version, &r.host].map(opt_str);
    let vcs = opt(info.vcs.as_ref().map(|v| {
        let (rev, dirty) = (opt_str(&v.revision), opt_bool(v.dirty));
        quote!(::profile_info::Vcs::__new(#rev, #dirty))
    }));
    quote! {
        ::profile_info::BuildInfo::__new(
            #crate_type,
            ::profile_info::Package::__new(#name, #version),
            ::profile_info::Profile::__new(#profile_name, #opt_level, #debuginfo, #strip, #lto,
                #codegen_units, #panic, #da, #oc, #inc),
            ::profile_info::Target::__new(#triple, #cpu, #features, #level),
            ::profile_info::Rustc::__new(#(#rustc),*),
            #vcs,
            #json,
            #text,
        )
    }
}

fn opt(v: Option<TokenStream>) -> TokenStream {
    match v {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

fn opt_str(v: &Option<Str>) -> TokenStream {
    opt(v.as_deref().map(|s| quote!(::std::borrow::Cow::Borrowed(#s))))
}

fn opt_bool(v: Option<bool>) -> TokenStream {
    opt(v.map(|b| quote!(#b)))
}

/// `Some(::profile_info::Enum::Variant)`, naming the variant by its `Debug` name.
fn variant<T: Debug>(ty: &str, v: Option<T>) -> TokenStream {
    let ty = format_ident!("{}", ty);
    opt(v.map(|v| {
        let var = format_ident!("{}", format!("{v:?}"));
        quote!(::profile_info::#ty::#var)
    }))
}
