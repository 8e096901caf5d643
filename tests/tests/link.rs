//! What a debug build of a binary with `#[profile_info::main]` links, at every edit-compile cycle:
//! no object file of profile-info or profile-info-core, only the small profile-info-start. At
//! opt-level 0 a dependency's generic instances are shared with the binary, so one reference into
//! a large crate makes the linker pull in many of its object files, at every cycle.
//!
//! The oracle is the linker itself: lld (rustc's default linker on x86_64 Linux) writes, with
//! `--why-extract`, every archive member it took and the symbol that made it take it.

// rustc links with its own lld on x86_64 Linux (GNU) since 1.90; elsewhere the oracle is not there.
#![cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]

use profile_info_tests::{target_dir, Fixture};

const MAIN: &str = "#[profile_info::main]\nfn main() {\n    println!(\"hello\");\n}\n";

/// The archive (`libNAME-HASH.rlib`'s `NAME`) of each member lld extracted, with the symbol.
fn extracted(report: &str) -> Vec<(String, String)> {
    report
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut columns = line.split('\t');
            let (_, member, symbol) = (columns.next()?, columns.next()?, columns.next()?);
            let archive = member.split('(').next()?.rsplit('/').next()?;
            let name = archive.strip_prefix("lib")?.strip_suffix(".rlib")?;
            let name = name.rsplit_once('-').map_or(name, |(n, _)| n);
            Some((name.to_owned(), symbol.to_owned()))
        })
        .collect()
}

#[test]
fn a_debug_build_links_only_the_startup_crate() {
    let fx = Fixture::new("link-app", MAIN, "");
    let report = target_dir().join("why-extract").join("link-app.tsv");
    std::fs::create_dir_all(report.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(&report);
    let link_arg = format!("link-arg=-Wl,--why-extract={}", report.display());
    let out = fx.cargo(&["rustc", "--bin", "link-app", "--", "-C", &link_arg], &[]).output().unwrap();
    assert!(out.status.success(), "cargo rustc failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&report).expect("lld wrote --why-extract's report (is rustc's linker lld?)");
    let members = extracted(&text);

    let from =
        |krate: &str| members.iter().filter(|(name, _)| name == krate).map(|(_, s)| s.as_str()).collect::<Vec<_>>();
    assert!(!from("std").is_empty(), "the report lists what was taken from std:\n{text}");
    assert!(!from("profile_info_start").is_empty(), "the prologue links profile-info-start:\n{text}");
    for krate in ["profile_info", "profile_info_core"] {
        assert_eq!(from(krate), Vec::<&str>::new(), "symbols that pulled {krate}'s object files into the link");
    }

    let binary = target_dir().join("debug").join("link-app");
    let run = std::process::Command::new(&binary).arg("--build-info=json").output().unwrap();
    assert!(run.status.success());
    assert!(String::from_utf8_lossy(&run.stdout).starts_with("{\"schema\":"), "the binary still answers --build-info");
}
