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

/// The crate of an archive: `libNAME-HASH.rlib`'s `NAME`.
fn crate_name(archive: &str) -> Option<String> {
    let name = archive.rsplit('/').next()?.strip_prefix("lib")?.strip_suffix(".rlib")?;
    Some(name.rsplit_once('-').map_or(name, |(n, _)| n).to_owned())
}

/// The crate of each archive member lld extracted, with the symbol.
fn extracted(report: &str) -> Vec<(String, String)> {
    report
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut columns = line.split('\t');
            let (_, member, symbol) = (columns.next()?, columns.next()?, columns.next()?);
            Some((crate_name(member.split('(').next()?)?, symbol.to_owned()))
        })
        .collect()
}

#[test]
fn a_debug_build_links_only_the_startup_crate() {
    let fx = Fixture::new("link-app", MAIN, "");
    let report = target_dir().join("why-extract").join("link-app.tsv");
    std::fs::create_dir_all(report.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(&report);
    let stats = report.with_extension("stats");
    // A new mtime, so that cargo compiles and links again and lld writes both reports.
    std::fs::write(fx.dir.join("src/main.rs"), MAIN).unwrap();
    let link_arg = format!("link-arg=-Wl,--why-extract={},--print-archive-stats={}", report.display(), stats.display());
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

    // Every global symbol of an archive on the link line is one more entry in lld's symbol table,
    // and every exported one one more that the binary's rustc decodes, at every cycle, whether the
    // binary uses it or not: both crates' functions are `#[inline]`, so that a debug build compiles
    // them only where they are called. What is left are derives' and statics' few.
    let stats = std::fs::read_to_string(&stats).expect("lld wrote --print-archive-stats's report");
    let archives: Vec<&str> = stats.lines().skip(1).filter_map(|l| l.split('\t').nth(2)).collect();
    let mut symbols = 0;
    for krate in ["profile_info", "profile_info_core"] {
        let archive = archives
            .iter()
            .find(|a| crate_name(a).as_deref() == Some(krate))
            .unwrap_or_else(|| panic!("{krate}'s archive is on the link line:\n{stats}"));
        symbols += global_symbols(archive);
    }
    assert!(symbols <= 200, "profile-info and profile-info-core put {symbols} global symbols on a debug link");

    let binary = target_dir().join("debug").join("link-app");
    let run = std::process::Command::new(&binary).arg("--build-info=json").output().unwrap();
    assert!(run.status.success());
    assert!(String::from_utf8_lossy(&run.stdout).starts_with("{\"schema\":"), "the binary still answers --build-info");
}

/// The global symbols an archive defines, by binutils' `nm`.
fn global_symbols(archive: &str) -> usize {
    let out = std::process::Command::new("nm")
        .args(["--defined-only", "--extern-only", "--format=posix", archive])
        .output()
        .expect("nm runs (binutils)");
    assert!(out.status.success(), "nm {archive}: {}", String::from_utf8_lossy(&out.stderr));
    // posix format: `NAME TYPE VALUE SIZE`, and `ARCHIVE[MEMBER]:` before each member's.
    String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.ends_with(':') && l.split(' ').nth(1).is_some()).count()
}
