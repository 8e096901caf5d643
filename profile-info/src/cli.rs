//! `--build-info[=text|json]` as the program's only argument. Written without `format!` and
//! without keeping the argument list: this code is in every binary, so it is kept small.

use crate::BuildInfo;
use std::ffi::OsString;
use std::io::Write;

/// The exit code when the arguments asked for the document, `None` when they are the program's.
pub(crate) fn handle(info: &BuildInfo, flag: &str, mut args: impl ExactSizeIterator<Item = OsString>) -> Option<i32> {
    if args.len() != 2 {
        return None;
    }
    let arg = args.nth(1)?;
    let rest = arg.as_encoded_bytes().strip_prefix(flag.as_bytes())?;
    let json = match rest {
        b"" | b"=text" => false,
        b"=json" => true,
        [b'=', format @ ..] => {
            let program = info.package.name.as_deref().unwrap_or("program");
            let parts: [&[u8]; 6] = [
                program.as_bytes(),
                b": unknown ",
                flag.as_bytes(),
                b" format `",
                format,
                b"`; expected `text` or `json`\n",
            ];
            let mut err = std::io::stderr().lock();
            for part in parts {
                let _ = err.write_all(part);
            }
            return Some(2);
        }
        _ => return None,
    };
    Some(print(info, json))
}

/// Writes the text or (`json`) the JSON document on stdout; the exit code, 1 when stdout is gone.
pub(crate) fn print(info: &BuildInfo, json: bool) -> i32 {
    let (document, newline) = if json { (info.json(), "\n") } else { (info.text(), "") };
    let mut out = std::io::stdout().lock();
    let written = out
        .write_all(document.unwrap_or_default().as_bytes())
        .and_then(|_| out.write_all(newline.as_bytes()))
        .and_then(|_| out.flush());
    if written.is_ok() {
        0
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Option<i32> {
        let info = crate::build_info!();
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        handle(info, "--build-info", args.into_iter())
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
