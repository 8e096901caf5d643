//! README.md's console examples are the tools' real output: each ```console block is run as a
//! shell transcript — every `$ ` line as a command, with stdout and stderr — in a directory
//! holding the binaries the README names, built by real cargo from a fixture `app`:
//!
//! - `./app` and `target/production/app`: `--profile production --target <host>` with
//!   `-C target-cpu=x86-64-v3`, as the README says;
//! - `target/release/app`: `--release`.
//!
//! `cargo profile-info` is this package's tool, found by cargo on `PATH`. What differs from one
//! toolchain or checkout to another — commit ids, version numbers, dates, the checkout's state
//! (dirty, commit time, tag) — is masked on both sides, and QEMU's warnings about its CPU models
//! are dropped; everything else must match byte for byte.

// The examples are x86_64 Linux binaries (the guard, qemu-x86_64).
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

use profile_info_tests::{workspace, Fixture, PROFILES};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const TOOL: &str = env!("CARGO_BIN_EXE_cargo-profile-info");

/// Each ```console block of `readme`: its commands (continuation lines joined) and the
/// transcript as written.
fn console_blocks(readme: &str) -> Vec<(Vec<String>, String)> {
    let mut blocks = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "```console" {
            continue;
        }
        let body: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
        let mut commands = Vec::new();
        let mut continued: Option<String> = None;
        for line in &body {
            if let Some(mut command) = continued.take().or_else(|| line.strip_prefix("$ ").map(|_| String::new())) {
                let text = line.strip_prefix("$ ").filter(|_| command.is_empty()).unwrap_or(line);
                match text.strip_suffix('\\') {
                    Some(part) => {
                        command.push_str(part);
                        continued = Some(command);
                    }
                    None => {
                        command.push_str(text);
                        commands.push(command);
                    }
                }
            }
        }
        blocks.push((commands, body.iter().map(|l| format!("{l}\n")).collect()));
    }
    blocks
}

/// The target features rustc enables for `-C target-cpu=CPU`.
fn features(cpu: &str) -> BTreeSet<String> {
    let out = Command::new("rustc").args(["--print", "cfg", "-C", &format!("target-cpu={cpu}")]).output().unwrap();
    let cfg = String::from_utf8(out.stdout).unwrap();
    cfg.lines().filter_map(|l| l.strip_prefix("target_feature=\"")?.strip_suffix('"')).map(str::to_owned).collect()
}

/// Runs `commands` in `dir` in one shell; the transcript as the README writes it. On a
/// host without x86-64-v3 (rustc's `native` lacks one of its features), `./app` runs under QEMU's
/// `max` CPU, as the README's host would run it natively.
fn transcript(dir: &Path, block: &str, commands: &[String]) -> String {
    const END: &str = "\u{1e}";
    let emulate = !features("x86-64-v3").is_subset(&features("native"));
    let mut script = String::new();
    for command in commands {
        let command = match command.strip_prefix("./app") {
            Some(rest) if emulate => format!("qemu-x86_64 -cpu max ./app{rest}"),
            _ => command.clone(),
        };
        // The exit status survives the separator, for the next `echo $?`.
        script.push_str(&format!("{command} 2>&1; s=$?; printf '{END}\\n'; (exit $s)\n"));
    }
    let tool_dir = Path::new(TOOL).parent().unwrap();
    let path = format!("{}:{}", tool_dir.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("sh").arg("-c").arg(&script).current_dir(dir).env("PATH", path).output().unwrap();
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    // QEMU's own warnings about the CPU model it emulates are not the program's output.
    let stdout: String = stdout.split_inclusive('\n').filter(|l| !l.starts_with("qemu-x86_64: warning:")).collect();
    let outputs: Vec<&str> = stdout.split(&format!("{END}\n")).collect();
    assert_eq!(outputs.len(), commands.len() + 1, "{block}\n{stdout}");
    // Commands are shown as written in the README, continuation lines included.
    let mut shown = block.lines().filter(|l| l.starts_with("$ ")).peekable();
    let mut text = String::new();
    for output in &outputs[..commands.len()] {
        let first = shown.next().unwrap();
        text.push_str(first);
        text.push('\n');
        let mut line = first;
        while line.ends_with('\\') {
            line = block.lines().skip_while(|l| *l != line).nth(1).unwrap();
            text.push_str(line);
            text.push('\n');
        }
        text.push_str(output);
    }
    text
}

/// What changes with the toolchain and the checkout, masked: 40-digit commit ids, `X.Y.Z`
/// versions, dates, and the state of the checkout on the `vcs:` line (dirty, commit time, tag).
fn normalise(text: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let w = std::mem::take(word);
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let parts: Vec<&str> = w.split('.').collect();
        let dashes: Vec<&str> = w.split('-').collect();
        out.push_str(if w.len() == 40 && w.bytes().all(|b| b.is_ascii_hexdigit()) {
            "<commit>"
        } else if parts.len() == 3 && parts.iter().all(|p| digits(p)) {
            "<version>"
        } else if dashes.len() == 3 && dashes.iter().all(|p| digits(p)) && dashes[0].len() == 4 {
            "<date>"
        } else {
            &w
        });
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out.split_inclusive('\n')
        .map(|line| match (line.starts_with("vcs:"), line.find(" (")) {
            (true, Some(i)) => format!("{} (<checkout>){}", &line[..i], if line.ends_with('\n') { "\n" } else { "" }),
            _ => line.to_owned(),
        })
        .collect()
}

fn host() -> String {
    let out = Command::new("rustc").arg("-vV").output().expect("rustc -vV");
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines().find_map(|l| l.strip_prefix("host: ")).expect("host line").to_owned()
}

#[test]
fn console_examples_are_real_output() {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let blocks = console_blocks(&readme);
    assert!(blocks.len() >= 3, "README has its console examples");

    let fixture = Fixture::new("app", "#[profile_info::main]\nfn main() {\n    println!(\"hello\");\n}\n", PROFILES);
    let v3 = r#"build.rustflags=["-Ctarget-cpu=x86-64-v3"]"#;
    let production = fixture.build(&["--profile", "production", "--target", &host(), "--config", v3], &[]).binary;
    let release = fixture.build(&["--release"], &[]).binary;
    let dir = profile_info_tests::target_dir().join("readme");
    let _ = std::fs::remove_dir_all(&dir);
    for (from, to) in [(&production, "app"), (&production, "target/production/app"), (&release, "target/release/app")] {
        let to = dir.join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    }

    let wrong: Vec<String> = blocks
        .iter()
        .map(|(commands, written)| (transcript(&dir, written, commands), written))
        .filter(|(real, written)| normalise(real) != normalise(written))
        .map(|(real, written)| format!("README has:\n{written}as run:\n{real}"))
        .collect();
    assert!(wrong.is_empty(), "README's console blocks differ from the real output:\n{}", wrong.join("\n"));
}

#[test]
fn normalising_masks_only_what_changes() {
    assert_eq!(
        normalise("rustc:       1.95.0 (commit 59807616e1fa2540724bfbac14d7976d7e4a3860, date 2026-04-14)"),
        "rustc:       <version> (commit <commit>, date <date>)"
    );
    assert_eq!(normalise("x86-64-v3 sse4.1 (dirty no)"), "x86-64-v3 sse4.1 (dirty no)");
    assert_eq!(
        normalise(
            "vcs:         59807616e1fa2540724bfbac14d7976d7e4a3860 (dirty no, time 2026-11-30T09:12:44Z, tag v1)\n"
        ),
        "vcs:         <commit> (<checkout>)\n"
    );
    let blocks = console_blocks("```console\n$ a \\\n  b\nout\n$ c\n```\n");
    assert_eq!(blocks, vec![(vec!["a   b".to_owned(), "c".to_owned()], "$ a \\\n  b\nout\n$ c\n".to_owned())]);
}
