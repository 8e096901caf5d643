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

use std::sync::atomic::{AtomicPtr, Ordering};

/// What `#[profile_info::main]`'s expansion hands to [`start`], as bytes: the program's name, the
/// linker section (its header of [`SECTION_HEADER`] bytes, then the JSON document), the summary and
/// the `.dep-v0` dependency list (empty when the binary has none).
///
/// An array rather than a struct: for a `static` of a struct type rustc works out at every build
/// whether it needs dropping, which reads every `Copy` impl of every crate the binary depends on;
/// for an array of slices it knows at once.
pub type Parts = [&'static [u8]; 4];

/// The length of the section's header: profile-info-core's section format, which profile-info's
/// tests hold this to.
pub const SECTION_HEADER: usize = 16;

/// The binary's document as rendered at compile time: its [`Parts`], read.
#[derive(Clone, Copy, Debug)]
pub struct Rendered {
    parts: &'static Parts,
}

impl Rendered {
    /// The parts as the expansion wrote them.
    pub const fn new(parts: &'static Parts) -> Rendered {
        Rendered { parts }
    }

    /// The program's name, for the error about an unknown format.
    pub fn program(&self) -> &'static [u8] {
        self.parts[0]
    }

    /// The JSON document (`--build-info=json`): the section past its header.
    pub fn json(&self) -> &'static [u8] {
        let section = self.parts[1];
        if section.len() < SECTION_HEADER {
            return &[];
        }
        &section[SECTION_HEADER..]
    }

    /// [`Rendered::json`] as text, checked rather than trusted (the parts are plain data); empty
    /// if it were not UTF-8.
    pub fn json_str(&self) -> &'static str {
        utf8(self.json())
    }

    /// The summary (`--build-info`).
    pub fn text(&self) -> &'static [u8] {
        self.parts[2]
    }

    /// [`Rendered::text`] as text, checked as [`Rendered::json_str`] is.
    pub fn text_str(&self) -> &'static str {
        utf8(self.parts[2])
    }

    /// The `.dep-v0` section's bytes (the dependency list), empty when the binary has none.
    pub fn deps(&self) -> &'static [u8] {
        self.parts[3]
    }
}

// A `match`, not `unwrap_or_default`: a generic std function would be one more object file of
// this crate in every debug link (see `handle`).
#[allow(clippy::manual_unwrap_or_default)]
fn utf8(bytes: &'static [u8]) -> &'static str {
    match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(_) => "",
    }
}

static RENDERED: AtomicPtr<Parts> = AtomicPtr::new(std::ptr::null_mut());

/// What [`start`] was given; `None` before it ran, or in a program without the attribute.
// A `match`, not `Option::map`, for the reason `utf8` gives.
#[allow(clippy::manual_map)]
pub fn rendered() -> Option<Rendered> {
    // SAFETY: only ever set from a `&'static Parts` in `start`.
    match unsafe { RENDERED.load(Ordering::Acquire).as_ref() } {
        Some(parts) => Some(Rendered::new(parts)),
        None => None,
    }
}

/// The prologue of `main`: keeps `rendered` for [`rendered()`], then, when the program's only
/// argument is `flag` (`--build-info` unless renamed; `None` when disabled), prints the asked
/// rendering and exits (0; 1 when stdout is gone; 2 for an unknown format).
pub fn start(parts: &'static Parts, flag: Option<&str>) {
    RENDERED.store(parts as *const Parts as *mut Parts, Ordering::Release);
    if let Some(flag) = flag {
        if let Some(code) = args::with_only_argument(|arg| handle(Rendered::new(parts), flag.as_bytes(), arg)) {
            std::process::exit(code);
        }
    }
}

/// The exit code when `arg`, the program's only argument, asks for the document; `None` when it
/// is the program's own.
///
/// Written with indexes and loops rather than slice and iterator methods: at opt-level 0 each
/// generic function of std used here is an instance of this crate, in an object file of its
/// own, and every one of them is on the link line of every debug build of the user's binary.
fn handle(doc: Rendered, flag: &[u8], arg: &[u8]) -> Option<i32> {
    if !starts_with(arg, flag) {
        return None;
    }
    let rest = &arg[flag.len()..];
    let json = if rest.is_empty() || equals(rest, b"=text") {
        false
    } else if equals(rest, b"=json") {
        true
    } else if rest[0] == b'=' {
        let parts: [&[u8]; 6] =
            [doc.program(), b": unknown ", flag, b" format `", &rest[1..], b"`; expected `text` or `json`\n"];
        write(STDERR, &parts);
        return Some(2);
    } else {
        return None;
    };
    // The JSON's bytes as they are: checking them as UTF-8 would link the check into every binary.
    Some(if json { print(doc.json(), b"\n") } else { print(doc.text(), b"") })
}

fn starts_with(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes.len() >= prefix.len() && equals(&bytes[..prefix.len()], prefix)
}

fn equals(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Writes a rendering and `end` on stdout; the exit code, 1 when stdout is gone.
pub fn print(document: &[u8], end: &[u8]) -> i32 {
    i32::from(!write(STDOUT, &[document, end]))
}

const STDOUT: i32 = 1;
const STDERR: i32 = 2;

/// Writes `parts` straight to the file descriptor; whether all were written. Nothing has gone
/// through std's buffered `Stdout` yet (this runs at the top of `main`, and the process exits
/// after), and std's handles cost every binary their locks: `Stderr::lock` alone is 1.5 KiB of a
/// stripped hello world. `write(2)` itself rather than `File`'s `Write`: its `io::Error`s and
/// `write_all` would be instances of this crate (see [`handle`]).
#[cfg(unix)]
fn write(fd: i32, parts: &[&[u8]]) -> bool {
    extern "C" {
        fn write(fd: i32, buf: *const u8, count: usize) -> isize;
    }
    let mut i = 0;
    while i < parts.len() {
        let part = parts[i];
        let mut done = 0;
        while done < part.len() {
            // SAFETY: the pointer and length are those of the unwritten rest of `part`.
            let n = unsafe { write(fd, part.as_ptr().wrapping_add(done), part.len() - done) };
            if n <= 0 {
                return false;
            }
            done += n as usize;
        }
        i += 1;
    }
    true
}

#[cfg(not(unix))]
fn write(fd: i32, parts: &[&[u8]]) -> bool {
    use std::io::Write;
    let written = |mut out: Box<dyn Write>| parts.iter().all(|part| out.write_all(part).is_ok()) && out.flush().is_ok();
    if fd == STDOUT {
        written(Box::new(std::io::stdout().lock()))
    } else {
        written(Box::new(std::io::stderr().lock()))
    }
}

/// The program's arguments. On Linux with glibc, which hands `argc` and `argv` to the functions
/// of `.init_array` (as std's own argument code takes them), they are kept as the C runtime gives
/// them: std's `args_os()` copies them into a vector of `OsString`s, whose iterator, drops and
/// allocator calls would be this crate's instances (see [`handle`]) and, in an optimised binary,
/// code that only this prologue uses.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod args {
    use std::ffi::{c_char, c_int, CStr};
    use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

    static ARGC: AtomicUsize = AtomicUsize::new(0);
    static ARGV: AtomicPtr<*const c_char> = AtomicPtr::new(std::ptr::null_mut());

    #[used]
    #[unsafe(link_section = ".init_array")]
    static KEEP: extern "C" fn(c_int, *const *const c_char, *const *const c_char) = keep;

    extern "C" fn keep(argc: c_int, argv: *const *const c_char, _env: *const *const c_char) {
        ARGC.store(argc as usize, Ordering::Relaxed);
        ARGV.store(argv as *mut *const c_char, Ordering::Relaxed);
    }

    /// `f`'s answer for the only argument, `None` when there are none or more.
    pub fn with_only_argument(f: impl FnOnce(&[u8]) -> Option<i32>) -> Option<i32> {
        let argv = ARGV.load(Ordering::Relaxed);
        if ARGC.load(Ordering::Relaxed) != 2 || argv.is_null() {
            return None;
        }
        // SAFETY: glibc's `argv` has `argc` valid C strings; nothing in the process frees them.
        let arg = unsafe { *argv.add(1) };
        if arg.is_null() {
            return None;
        }
        // SAFETY: as above.
        f(unsafe { CStr::from_ptr(arg) }.to_bytes())
    }
}

/// The program's arguments, from std.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod args {
    /// `f`'s answer for the only argument, `None` when there are none or more.
    pub fn with_only_argument(f: impl FnOnce(&[u8]) -> Option<i32>) -> Option<i32> {
        let mut args = std::env::args_os();
        if args.len() != 2 {
            return None;
        }
        f(args.nth(1)?.as_encoded_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Option<i32> {
        static PARTS: Parts = [b"app", b"PRFLINFO\x01\0\0\0\x02\0\0\0{}", b"app 1.0\n", &[]];
        match args {
            [_, arg] => handle(Rendered::new(&PARTS), b"--build-info", arg.as_bytes()),
            _ => None,
        }
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
        static PARTS: Parts = [b"app", b"PRFLINFO\x01\0\0\0\x02\0\0\0{}", b"", &[]];
        assert!(rendered().is_none());
        start(&PARTS, None);
        let rendered = rendered().expect("set by start");
        assert_eq!((rendered.program(), rendered.json_str(), rendered.text_str()), (&b"app"[..], "{}", ""));
    }
}
