//! Finds out which compiler process the macro is running in, from its argv: a real rustc (directly
//! or behind clippy-driver), or something else (rustdoc, rust-analyzer's proc-macro server) whose
//! argv says nothing about the build.

use std::path::{Path, PathBuf};

/// The compiler process the macro expands in.
pub enum Invocation {
    /// A rustc compile: the compiler binary to query and its arguments, argfiles expanded.
    Rustc { rustc: PathBuf, args: Vec<String> },
    /// Anything else (rustdoc, rust-analyzer's proc-macro server): its argv says nothing about
    /// the build, so the build's fields are `null`.
    Unknown,
}

pub fn current() -> Invocation {
    let argv: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
    match classify(&argv, |path| std::fs::read_to_string(path).ok()) {
        // argv names the rustup proxy when cargo went through it (which picks the toolchain again
        // at every query); the process the macro runs in is the real compiler.
        Invocation::Rustc { rustc, args } => {
            let exe = std::env::current_exe().ok().filter(|exe| exe.to_str().is_some_and(|e| stem(e) == "rustc"));
            Invocation::Rustc { rustc: exe.unwrap_or(rustc), args }
        }
        Invocation::Unknown => Invocation::Unknown,
    }
}

fn stem(path: &str) -> &str {
    Path::new(path).file_stem().and_then(|s| s.to_str()).unwrap_or("")
}

/// `read` reads an argfile; it is a parameter so tests need no files.
pub fn classify(argv: &[String], read: impl Fn(&str) -> Option<String>) -> Invocation {
    // clippy-driver and similar drivers are invoked as `driver /path/to/rustc args…`.
    let (rustc, rest) = match argv {
        [_, rustc, rest @ ..] if stem(rustc) == "rustc" => (rustc, rest),
        [rustc, rest @ ..] if stem(rustc) == "rustc" => (rustc, rest),
        _ => return Invocation::Unknown,
    };
    let mut args = Vec::with_capacity(rest.len());
    for arg in rest {
        match arg.strip_prefix('@') {
            // One argument per line (rustc's plain argfile format); `@shell:` files are nightly-only.
            Some(file) if !file.starts_with("shell:") => match read(file) {
                Some(text) => args.extend(text.lines().map(str::to_owned)),
                None => return Invocation::Unknown,
            },
            Some(_) => return Invocation::Unknown,
            None => args.push(arg.clone()),
        }
    }
    Invocation::Rustc { rustc: PathBuf::from(rustc), args }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    fn no_files(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn rustc_and_clippy_driver() {
        let Invocation::Rustc { rustc, args } = classify(&argv("/tc/bin/rustc --crate-name a -O"), no_files) else {
            panic!("rustc not recognised")
        };
        assert_eq!(rustc, PathBuf::from("/tc/bin/rustc"));
        assert_eq!(args, ["--crate-name", "a", "-O"]);
        let inv = classify(&argv("/tc/bin/clippy-driver /tc/bin/rustc --crate-name a"), no_files);
        assert!(matches!(inv, Invocation::Rustc { args, .. } if args == ["--crate-name", "a"]));
    }

    #[test]
    fn other_processes_are_unknown() {
        for line in [
            "/home/u/.rustup/toolchains/stable/libexec/rust-analyzer-proc-macro-srv",
            "/tc/bin/rustdoc --test src/lib.rs @/tmp/rustdoctestSomething/arg",
            "",
        ] {
            assert!(matches!(classify(&argv(line), no_files), Invocation::Unknown), "{line}");
        }
    }

    #[test]
    fn argfiles_are_read_or_give_up() {
        let read = |p: &str| (p == "/tmp/args").then(|| "--crate-name\nb\n-C\nlto=fat\n".to_owned());
        let inv = classify(&argv("rustc @/tmp/args --test"), read);
        assert!(
            matches!(inv, Invocation::Rustc { args, .. } if args == ["--crate-name", "b", "-C", "lto=fat", "--test"])
        );
        assert!(matches!(classify(&argv("rustc @/nonexistent"), read), Invocation::Unknown));
        assert!(matches!(classify(&argv("rustc @shell:/tmp/args"), read), Invocation::Unknown));
    }
}
