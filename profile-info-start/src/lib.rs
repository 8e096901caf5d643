//! The startup code of [profile-info](https://docs.rs/profile-info)'s `#[profile_info::main]`: the
//! slot behind `profile_info::current()` and `--build-info[=text|json]` as the program's only
//! argument. Use it through `profile-info`.
//!
//! Every binary with the attribute links this at every edit-compile cycle, so it is a crate of its
//! own that depends on nothing but std: at opt-level 0 each crate's generic instances are shared
//! with its dependents, and one call into a larger crate (or from a crate depending on one) makes
//! the linker pull in every object file those instances lead to. That is also why it keeps the
//! document's compile-time renderings, not the document: `profile_info::current()` reads the JSON
//! back when first asked. The handler is written without `format!` and without keeping the
//! argument list, to stay small in an optimised binary too.
#![deny(missing_docs)]

use std::ffi::OsString;
use std::io::Write;
use std::sync::atomic::{AtomicPtr, Ordering};

/// The binary's document as rendered at compile time.
#[derive(Debug)]
pub struct Rendered {
    /// The program's name, for the error about an unknown format.
    pub program: &'static str,
    /// The JSON document (`--build-info=json`, the section's).
    pub json: &'static str,
    /// The summary (`--build-info`).
    pub text: &'static str,
    /// The `.dep-v0` section's bytes (the dependency list), empty when the binary has none.
    pub deps: &'static [u8],
}

static RENDERED: AtomicPtr<Rendered> = AtomicPtr::new(std::ptr::null_mut());

/// What [`start`] was given; `None` before it ran, or in a program without the attribute.
pub fn rendered() -> Option<&'static Rendered> {
    // SAFETY: only ever set from a `&'static Rendered` in `start`.
    unsafe { RENDERED.load(Ordering::Acquire).as_ref() }
}

/// The prologue of `main`: keeps `rendered` for [`rendered()`], then, when the program's only
/// argument is `flag` (`--build-info` unless renamed; `None` when disabled), prints the asked
/// rendering and exits (0; 1 when stdout is gone; 2 for an unknown format).
pub fn start(rendered: &'static Rendered, flag: Option<&str>) {
    RENDERED.store(rendered as *const Rendered as *mut Rendered, Ordering::Release);
    if let Some(flag) = flag {
        if let Some(code) = handle(rendered, flag, &mut std::env::args_os()) {
            std::process::exit(code);
        }
    }
}

/// The exit code when the arguments asked for the document, `None` when they are the program's.
fn handle(
    doc: &Rendered,
    flag: &str,
    // Not generic: compiled once here, whatever iterator the caller has.
    args: &mut dyn ExactSizeIterator<Item = OsString>,
) -> Option<i32> {
    if args.len() != 2 {
        return None;
    }
    let arg = args.nth(1)?;
    let rest = arg.as_encoded_bytes().strip_prefix(flag.as_bytes())?;
    let json = match rest {
        b"" | b"=text" => false,
        b"=json" => true,
        [b'=', format @ ..] => {
            let parts: [&[u8]; 6] = [
                doc.program.as_bytes(),
                b": unknown ",
                flag.as_bytes(),
                b" format `",
                format,
                b"`; expected `text` or `json`\n",
            ];
            write(Stream::Stderr, &parts);
            return Some(2);
        }
        _ => return None,
    };
    Some(if json { print(doc.json, "\n") } else { print(doc.text, "") })
}

/// Writes a rendering and `end` on stdout; the exit code, 1 when stdout is gone.
pub fn print(document: &str, end: &str) -> i32 {
    i32::from(!write(Stream::Stdout, &[document.as_bytes(), end.as_bytes()]))
}

#[derive(Clone, Copy)]
enum Stream {
    Stdout = 1,
    Stderr = 2,
}

/// Writes `parts` straight to the file descriptor; whether all were written. Nothing has gone
/// through std's buffered `Stdout` yet (this runs at the top of `main`, and the process exits
/// after), and std's handles cost every binary their locks: `Stderr::lock` alone is 1.5 KiB of a
/// stripped hello world.
#[cfg(unix)]
fn write(stream: Stream, parts: &[&[u8]]) -> bool {
    use std::os::fd::FromRawFd;
    // SAFETY: fds 1 and 2 stay open for the life of the process; `ManuallyDrop` never closes them.
    let file = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(stream as i32) });
    parts.iter().all(|part| (&*file).write_all(part).is_ok())
}

#[cfg(not(unix))]
fn write(stream: Stream, parts: &[&[u8]]) -> bool {
    let written = |mut out: Box<dyn Write>| parts.iter().all(|part| out.write_all(part).is_ok()) && out.flush().is_ok();
    match stream {
        Stream::Stdout => written(Box::new(std::io::stdout().lock())),
        Stream::Stderr => written(Box::new(std::io::stderr().lock())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Option<i32> {
        let doc = Rendered { program: "app", json: "{}", text: "app 1.0\n", deps: &[] };
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        handle(&doc, "--build-info", &mut args.into_iter())
    }

    #[test]
    fn only_the_flag_alone_is_taken() {
        assert_eq!(run(&["app", "--build-info"]), Some(0));
        assert_eq!(run(&["app", "--build-info=json"]), Some(0));
        assert_eq!(run(&["app", "--build-info=text"]), Some(0));
        assert_eq!(run(&["app", "--build-info=xml"]), Some(2));
        assert_eq!(run(&["app", "--build-info="]), Some(2));
        assert_eq!(run(&["app"]), None);
        assert_eq!(run(&["app", "--build-info", "x"]), None);
        assert_eq!(run(&["app", "--build-infox"]), None);
        assert_eq!(run(&["app", "--help"]), None);
    }

    #[test]
    fn rendered_is_what_start_was_given() {
        static DOC: Rendered = Rendered { program: "app", json: "{}", text: "", deps: &[] };
        assert!(rendered().is_none());
        start(&DOC, None);
        assert!(std::ptr::eq(rendered().expect("set by start"), &DOC));
    }
}
