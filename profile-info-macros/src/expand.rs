//! Turns a captured document into code: for `#[profile_info::main]`, the linker section holding
//! the JSON, the compile-time renderings handed to the prologue of `main`, and the CPU guard; for
//! `build_info!()`, a `static BuildInfo` built field by field. The code is text (see `code`); only
//! `main`'s own body stays the user's tokens.

use crate::capture::Capture;
use crate::code::{byte_str_lit, option, parse, str_lit, Error};
use crate::deps::Deps;
use crate::options::Options;
use proc_macro::{Delimiter, Group, Span, TokenStream, TokenTree};
use profile_info_core::schema::{Field, Kind, Value, FIELDS};
use profile_info_core::{section, BuildInfo};
use std::path::PathBuf;

/// `build_info!()`: a block evaluating to `&'static BuildInfo`.
pub fn build_info(cap: &Capture) -> String {
    let mut info = cap.info.clone();
    // In a binary it is `#[profile_info::main]`'s document (its default options), so that it
    // equals `current()`; the files it depends on are tracked there.
    if info.crate_type.as_deref() == Some("bin") {
        info.package.dependencies = Some(crate::deps::of(cap, true).status().into());
    }
    let json = profile_info_core::render::json(&info);
    let text = profile_info_core::render::text(&info);
    let value = document(&info, &str_lit(&json), &str_lit(&text));
    format!("{{ {track} {static_} __profile_info }}", track = track(&cap.tracked), static_ = document_static(&value))
}

/// The document as a `static` and a `let __profile_info: &'static BuildInfo` to it.
///
/// The `static` is a `ManuallyDrop`: rustc instantiates the drop glue of every static's type,
/// and at opt-level 0 a `Cow`'s would come from profile-info-core's shared instances, pulling
/// most of that crate into every debug link. A static is never dropped anyway.
fn document_static(value: &str) -> String {
    format!(
        "static __PROFILE_INFO: ::core::mem::ManuallyDrop<::profile_info::BuildInfo> =
            ::core::mem::ManuallyDrop::new({value});
        // SAFETY: `ManuallyDrop<T>` is `repr(transparent)`; a cast, not a (generic) method call.
        let __profile_info: &'static ::profile_info::BuildInfo =
            unsafe {{ &*(&raw const __PROFILE_INFO as *const ::profile_info::BuildInfo) }};"
    )
}

/// `#[profile_info::main]`: `main` with a prologue prepended to its body, and the CPU guard.
pub fn main(item: TokenStream, cap: &Capture, options: &Options) -> Result<TokenStream, Error> {
    let mut tokens: Vec<TokenTree> = item.into_iter().collect();
    // The function's name is the identifier after `fn`. Another function than `main` would write
    // the document only when called, if ever.
    let name = tokens.iter().skip_while(|t| !matches!(t, TokenTree::Ident(i) if i.to_string() == "fn")).nth(1);
    let is_main = matches!(name, Some(TokenTree::Ident(i)) if i.to_string() == "main");
    let body = match tokens.last() {
        Some(TokenTree::Group(g)) if is_main && g.delimiter() == Delimiter::Brace => g.clone(),
        _ => return Err(Error::new(Span::call_site(), "#[profile_info::main] goes on `fn main`")),
    };
    let deps = crate::deps::of(cap, options.dependencies);
    let mut stream = parse(&prologue(cap, &deps, options));
    stream.extend(body.stream());
    let mut new_body = Group::new(Delimiter::Brace, stream);
    new_body.set_span(body.span());
    *tokens.last_mut().expect("checked above") = TokenTree::Group(new_body);
    // Next to `main` rather than inside it, so that `#[tokio::main]` moving the body into an
    // async block leaves it alone.
    let mut out = if options.guard { parse(&crate::guard::emit(cap)) } else { TokenStream::new() };
    out.extend(tokens);
    Ok(out)
}

/// The block put at the top of `main`'s body.
fn prologue(cap: &Capture, deps: &Deps, options: &Options) -> String {
    let mut info = cap.info.clone();
    info.package.dependencies = Some(deps.status().into());
    let json = profile_info_core::render::json(&info);
    let text = profile_info_core::render::text(&info);
    let mut bytes = section::encode_header(json.len()).to_vec();
    bytes.extend_from_slice(json.as_bytes());
    let (len, section_bytes) = (bytes.len(), byte_str_lit(&bytes));
    let program = byte_str_lit(cap.info.package.name.as_deref().unwrap_or("program").as_bytes());
    let (elf, macho) = (str_lit(section::ELF_SECTION), str_lit(section::MACHO_SECTION));
    let track = track(cap.tracked.iter().chain(&deps.tracked));
    let deps_ref = if deps.section.is_ok() { "&__PROFILE_INFO_DEPS" } else { "&[]" };
    let deps = crate::deps::emit(deps);
    let flag = option(options.flag.as_deref().map(str_lit));
    let text = byte_str_lit(text.as_bytes());
    let log = if options.log { "::profile_info::__private::log_startup();" } else { "" };
    format!(
        "{{
            {track}
            // The document a tool reads without running the file (the section's header, then the
            // JSON); nothing refers to it but `used` keeps it through --gc-sections, LTO and strip.
            #[used]
            #[cfg_attr(target_vendor = \"apple\", unsafe(link_section = {macho}))]
            #[cfg_attr(not(any(target_vendor = \"apple\", windows)), unsafe(link_section = {elf}))]
            static __PROFILE_INFO_SECTION: [u8; {len}] = *{section_bytes};
            // The document itself is read back from the section's JSON when `current()` is first
            // called: as a `static` here, rustc would build it again at every edit-compile cycle.
            // Byte strings in an array, no struct (see `Parts`).
            static __PROFILE_INFO_RENDERED: ::profile_info::__private::Parts =
                [{program}, &__PROFILE_INFO_SECTION, {text}, {deps_ref}];
            {deps}
            ::profile_info::__private::start(&__PROFILE_INFO_RENDERED, {flag});
            {log}
        }}"
    )
}

/// Makes rustc track the vcs and dependency files and the vcs variables so that a new commit or
/// dependency recompiles the crate; the values are unused. One item for each kind: every item is
/// one more for rustc to check and evaluate at every build.
fn track<'a>(files: impl IntoIterator<Item = &'a PathBuf>) -> String {
    let files: Vec<String> =
        files.into_iter().filter_map(|p| p.to_str()).map(|p| format!("include_bytes!({})", str_lit(p))).collect();
    let vars: Vec<String> =
        crate::vcs::TRACKED_ENV.iter().map(|v| format!("::core::option_env!({})", str_lit(v))).collect();
    format!(
        "const _: [&[u8]; {}] = [{}]; const _: [::core::option::Option<&str>; {}] = [{}];",
        files.len(),
        files.join(", "),
        vars.len(),
        vars.join(", ")
    )
}

/// The document as a constant expression, field by field from the schema table: it starts from
/// `BuildInfo::__EMPTY` and sets each captured field by name.
fn document(info: &BuildInfo, json: &str, text: &str) -> String {
    let same_group =
        |a: &Field, b: &Field| a.group().is_some() && a.group().map(|g| g.name) == b.group().map(|g| g.name);
    let mut puts = String::new();
    for run in FIELDS.chunk_by(|a, b| same_group(a, b)) {
        match run[0].group() {
            // `schema` is `__EMPTY`'s already: the crate's SCHEMA, which its JSON must match.
            None => {
                for f in run.iter().filter(|f| f.key != "schema") {
                    let value = value(f, (f.get)(info));
                    puts += &format!("::profile_info::__put(&mut d.{}, {value});", f.name());
                }
            }
            Some(group) if !(group.present)(info) => {}
            Some(group) => {
                let sets: String = run
                    .iter()
                    .map(|f| format!("::profile_info::__put(&mut g.{}, {});", f.name(), value(f, (f.get)(info))))
                    .collect();
                let whole = if group.optional { option(Some("g".to_owned())) } else { "g".to_owned() };
                puts += &format!(
                    "{{ let mut g = ::profile_info::{ty}::__EMPTY; {sets} ::profile_info::__put(&mut d.{name}, {whole}); }}",
                    ty = group.ty,
                    name = group.name,
                );
            }
        }
    }
    format!("{{ let mut d = ::profile_info::BuildInfo::__EMPTY; {puts} d.__rendered({json}, {text}) }}")
}

/// A field's value as a constant of its Rust type.
fn value(field: &Field, value: Value<'_>) -> String {
    option(match (value, field.kind) {
        (Value::Null, _) => None,
        // A value the model produced is always one of its names.
        (Value::Str(v), Kind::Name { ty, names }) => {
            names.iter().position(|n| *n == v).map(|i| format!("::profile_info::{ty}::ALL[{i}]"))
        }
        (Value::Str(v), _) => Some(format!("::std::borrow::Cow::Borrowed({})", str_lit(v))),
        (Value::Bool(b), _) => Some(b.to_string()),
        (Value::Count(n), _) => Some(format!("{n}u32")),
        // A named constant: a borrowed array of `Cow`s in an expression is not promoted, and a
        // `static` would have its drop glue instantiated (see `document_static`).
        (Value::List(items), _) => {
            let items: Vec<String> =
                items.iter().map(|i| format!("::std::borrow::Cow::Borrowed({})", str_lit(i.as_ref()))).collect();
            Some(format!(
                "::std::borrow::Cow::Borrowed({{ const LIST: &[::std::borrow::Cow<'static, str>] = &[{}]; LIST }})",
                items.join(", ")
            ))
        }
    })
}
