//! `--build-info[=text|json]` as the program's only argument.

use crate::BuildInfo;
use std::ffi::OsString;
use std::io::Write;

/// The exit code when the arguments asked for the document, `None` when they are the program's.
pub(crate) fn handle(info: &BuildInfo, flag: &str, args: impl IntoIterator<Item = OsString>) -> Option<i32> {
    let mut args = args.into_iter();
    let program = args.next();
    let (Some(arg), None) = (args.next(), args.next()) else { return None };
    let arg = arg.to_str()?;
    let format = match arg.strip_prefix(flag)? {
        "" | "=text" => Format::Text,
        "=json" => Format::Json,
        other => match other.strip_prefix('=') {
            Some(unknown) => {
                let program = program.as_deref().map(std::path::Path::new).and_then(|p| p.file_name());
                eprintln!(
                    "{}: unknown {flag} format `{unknown}`; expected `text` or `json`",
                    program.map_or_else(|| "program".into(), |p| p.to_string_lossy())
                );
                return Some(2);
            }
            None => return None,
        },
    };
    Some(print(info, format))
}

/// Prints the document on stdout; the exit code (1 when stdout is gone).
pub(crate) fn print(info: &BuildInfo, format: Format) -> i32 {
    let mut out = std::io::stdout().lock();
    let written = match format {
        Format::Text => out.write_all(info.text().as_bytes()),
        Format::Json => match info.json() {
            Some(json) => writeln!(out, "{json}"),
            None => Ok(()),
        },
    };
    if written.and_then(|_| out.flush()).is_ok() { 0 } else { 1 }
}

pub(crate) enum Format {
    Text,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Option<i32> {
        let info = crate::build_info!();
        handle(info, "--build-info", args.iter().map(OsString::from))
    }

    #[test]
    fn only_the_flag_alone_is_taken() {
        assert_eq!(run(&["app", "--build-info"]), Some(0));
        assert_eq!(run(&["app", "--build-info=json"]), Some(0));
        assert_eq!(run(&["app", "--build-info=text"]), Some(0));
        assert_eq!(run(&["app", "--build-info=xml"]), Some(2));
        assert_eq!(run(&["app"]), None);
        assert_eq!(run(&["app", "--build-info", "x"]), None);
        assert_eq!(run(&["app", "--build-infox"]), None);
        assert_eq!(run(&["app", "--help"]), None);
    }
}
