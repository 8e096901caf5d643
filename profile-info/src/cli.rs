//! `--build-info[=text|json]` as the program's only argument. Written without `format!` and
//! without keeping the argument list: this code is in every binary, so it is kept small. It takes
//! the two renderings rather than the document, so that a binary that never calls
//! [`crate::current`] need not keep the document's `static` (and its relocations) at all.

use std::ffi::OsString;
use std::io::Write;

/// What `--build-info` prints: the program's name (for errors) and the compile-time renderings.
pub(crate) struct Renderings<'a> {
    pub program: &'a str,
    pub json: &'a str,
    pub text: &'a str,
}

/// The exit code when the arguments asked for the document, `None` when they are the program's.
pub(crate) fn handle(
    doc: &Renderings<'_>,
    flag: &str,
    // Not generic: compiled once in this crate, not again in every rebuild of the binary crate.
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
pub(crate) fn print(document: &str, end: &str) -> i32 {
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
        let info = crate::build_info!();
        let doc = Renderings { program: "app", json: info.json().unwrap(), text: info.text().unwrap() };
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
}
