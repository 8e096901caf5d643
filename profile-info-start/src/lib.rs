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

use std::ffi::OsStr;
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
        if let Some(code) = only_argument().and_then(|arg| handle(rendered, flag, arg)) {
            std::process::exit(code);
        }
    }
}

/// The program's argument when it was given exactly one.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn only_argument() -> Option<&'static OsStr> {
    argv::only()
}

/// The program's argument when it was given exactly one.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn only_argument() -> Option<&'static OsStr> {
    let mut args = std::env::args_os();
    if args.len() != 2 {
        return None;
    }
    // Kept for the process's life, as glibc's `argv` is.
    Some(Box::leak(args.nth(1)?.into_boxed_os_str()))
}

/// `main`'s arguments as glibc hands them to the functions of `.init_array` (std relies on the
/// same): keeping two words costs a few instructions, where `std::env::args_os()` copies every
/// argument into a `Vec`: about 700 bytes more of an optimised, stripped binary.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod argv {
    use std::ffi::{c_char, c_int, CStr, OsStr};
    use std::os::unix::ffi::OsStrExt;
    use std::sync::atomic::{AtomicIsize, AtomicPtr, Ordering};

    static ARGC: AtomicIsize = AtomicIsize::new(0);
    static ARGV: AtomicPtr<*const c_char> = AtomicPtr::new(std::ptr::null_mut());

    #[used]
    #[unsafe(link_section = ".init_array.00099")]
    static INIT: extern "C" fn(c_int, *const *const c_char, *const *const c_char) = init;

    extern "C" fn init(argc: c_int, argv: *const *const c_char, _env: *const *const c_char) {
        // Before `main`, on the thread that runs it.
        ARGC.store(argc as isize, Ordering::Relaxed);
        ARGV.store(argv.cast_mut(), Ordering::Relaxed);
    }

    /// The argument after the program's name when it is the only one.
    pub fn only() -> Option<&'static OsStr> {
        let argv = ARGV.load(Ordering::Relaxed);
        if ARGC.load(Ordering::Relaxed) != 2 || argv.is_null() {
            return None;
        }
        // SAFETY: glibc's `argv` holds `argc` pointers to NUL-terminated strings that live as
        // long as the process.
        let arg = unsafe { CStr::from_ptr(*argv.add(1)) };
        Some(OsStr::from_bytes(arg.to_bytes()))
    }
}

/// The exit code when the program's only argument `arg` asks for the document, `None` when it is
/// the program's.
fn handle(doc: &Rendered, flag: &str, arg: &OsStr) -> Option<i32> {
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

    fn run(arg: &str) -> Option<i32> {
        let doc = Rendered { program: "app", json: "{}", text: "app 1.0\n", deps: &[] };
        handle(&doc, "--build-info", OsStr::new(arg))
    }

    #[test]
    fn only_the_flag_is_taken() {
        assert_eq!(run("--build-info"), Some(0));
        assert_eq!(run("--build-info=json"), Some(0));
        assert_eq!(run("--build-info=text"), Some(0));
        assert_eq!(run("--build-info=xml"), Some(2));
        assert_eq!(run("--build-info="), Some(2));
        assert_eq!(run("--build-infox"), None);
        assert_eq!(run("--help"), None);
    }

    /// The test harness runs with its own arguments: `only_argument` is what std's own list says.
    #[test]
    fn only_argument_is_what_std_sees() {
        let args: Vec<_> = std::env::args_os().collect();
        let expected = (args.len() == 2).then(|| args[1].clone());
        assert_eq!(only_argument().map(OsStr::to_owned), expected);
    }

    #[test]
    fn rendered_is_what_start_was_given() {
        static DOC: Rendered = Rendered { program: "app", json: "{}", text: "", deps: &[] };
        assert!(rendered().is_none());
        start(&DOC, None);
        assert!(std::ptr::eq(rendered().expect("set by start"), &DOC));
    }
}
