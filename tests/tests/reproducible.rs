//! The same source and flags give the same document, byte for byte, from any directory, and the
//! document holds nothing about the machine, the user or the paths it was built in.

use profile_info_tests::{run, section, Fixture};
use std::process::Command;

const MAIN: &str = "#[profile_info::main]\nfn main() {}\n";

#[test]
fn same_document_from_two_directories_and_nothing_private_in_it() {
    let a = Fixture::new("repro-app", MAIN, "");
    let b = a.copy_to("elsewhere/deeper");
    assert_ne!(a.dir, b.dir);
    let (ba, bb) = (a.build(&["--release"], &[]), b.build(&["--release"], &[]));
    let (ja, jb) = (run(&ba.binary, &["--build-info=json"]).stdout, run(&bb.binary, &["--build-info=json"]).stdout);
    assert_eq!(String::from_utf8_lossy(&ja), String::from_utf8_lossy(&jb));
    assert_eq!(section(&ba.binary, ".profile_info"), section(&bb.binary, ".profile_info"));
    let text = run(&ba.binary, &["--build-info"]).stdout;

    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let home = std::env::var("HOME").unwrap_or_default();
    let user = std::env::var("USER").unwrap_or_default();
    let workspace = profile_info_tests::workspace();
    let mut private = vec![workspace.to_str().unwrap(), "/target/", "metadata", "deps"];
    private.extend([hostname.trim(), home.as_str()].into_iter().filter(|s| s.len() > 1));
    if !user.is_empty() {
        private.push(&user);
    }
    let metadata_hash = ba.rustc_args.iter().find_map(|a| a.strip_prefix("metadata=")).expect("-C metadata");
    private.push(metadata_hash);
    for output in [&ja, &text] {
        let output = String::from_utf8_lossy(output);
        for word in &private {
            assert!(!leaks(&output, word), "{word:?} leaked into {output}");
        }
    }
}

#[test]
fn rebuilding_gives_identical_bytes() {
    let fx = Fixture::new("rebuild-app", MAIN, "[profile.release]\nstrip = true\n");
    let first = std::fs::read(fx.build(&["--release"], &[]).binary).unwrap();
    // `build` touches main.rs, so the binary crate really is compiled and linked again.
    let second = std::fs::read(fx.build(&["--release"], &[]).binary).unwrap();
    assert!(first == second, "two builds of the same source differ");
}

/// Paths are searched as substrings; names as whole tokens ("vm" must not match "llvm").
fn leaks(output: &str, word: &str) -> bool {
    if word.contains('/') {
        return output.contains(word);
    }
    output.split(|c: char| !(c.is_ascii_alphanumeric() || "._-".contains(c))).any(|token| token == word)
}

/// A new commit recompiles the binary crate (rustc tracks `.git/HEAD` and the branch's ref), so
/// the revision in the binary is never stale — without touching any source file.
#[test]
fn a_new_commit_updates_the_revision() {
    let fx = Fixture::new("vcs-app", MAIN, "");
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(&fx.dir)
            .output()
            .expect("git");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    if !fx.dir.join(".git").exists() {
        git(&["init", "-q", "-b", "main"]);
    }
    // Settle Cargo.lock first, so the checkout is clean when the binary is built.
    assert!(fx.cargo(&["fetch"], &[]).status().unwrap().success());
    git(&["add", "-A"]);
    git(&["commit", "-q", "--allow-empty", "-m", "first"]);
    let binary = fx.build(&[], &[]).binary;
    let revision = |binary: &std::path::Path| {
        let doc: serde_json::Value = serde_json::from_slice(&run(binary, &["--build-info=json"]).stdout).unwrap();
        (doc["vcs"]["revision"].as_str().unwrap().to_owned(), doc["vcs"]["dirty"].clone())
    };
    assert_eq!(revision(&binary), (git(&["rev-parse", "HEAD"]), serde_json::json!(false)));

    git(&["commit", "-q", "--allow-empty", "-m", "second"]);
    let rebuild = fx.cargo(&["build"], &[]).output().unwrap();
    assert!(rebuild.status.success());
    assert_eq!(revision(&binary).0, git(&["rev-parse", "HEAD"]), "stale revision after a commit");

    // Nothing changed: a no-op build compiles nothing.
    let noop = fx.cargo(&["build", "-v"], &[]).output().unwrap();
    let stderr = String::from_utf8_lossy(&noop.stderr);
    assert!(!stderr.contains("Running `") && stderr.contains("Fresh vcs-app"), "{stderr}");
}
