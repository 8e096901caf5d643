//! The macro in every environment a user's build can put it in: library crates, argfiles, an
//! unrecognised compiler process (what rust-analyzer's proc-macro server looks like), rustdoc and
//! doctests, clippy, other attributes on `main`, and the attribute's options and errors.

use profile_info_tests::{run, Fixture};
use serde_json::Value;
use std::path::Path;

fn json_of(binary: &Path, args: &[&str]) -> Value {
    let out = run(binary, args);
    assert!(out.status.success(), "{binary:?} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

const PRINT_ARGS: &str = r#"
    let args: Vec<String> = std::env::args().skip(1).collect();
    println!("args={args:?} current={}", profile_info::current().is_some());
"#;

fn wrapper(name: &str, body: &str) -> String {
    let path = profile_info_tests::target_dir().join(format!("{name}.sh"));
    profile_info_tests::write_if_changed(&path, &format!("#!/bin/bash\n{body}\n"));
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn library_crate_says_so() {
    let lib = r#"/// The library's own document: compiled for the library, with its profile.
///
/// ```
/// let info = lib_app::lib_info();
/// assert_eq!(info.crate_type.as_deref(), Some("lib"));
/// assert_eq!(info.profile.name.as_deref(), Some("dev"));
/// ```
pub fn lib_info() -> &'static profile_info::BuildInfo { profile_info::build_info!() }

/// A doctest's own expansion: rustdoc compiles it with rustc, through an argfile, outside any
/// cargo profile directory.
///
/// ```
/// let info = profile_info::build_info!();
/// assert_eq!(info.profile.name, None);
/// assert_eq!(info.package.name.as_deref(), Some("lib-app"));
/// assert!(info.rustc.version.is_some());
/// ```
pub fn doc() {}
"#;
    let main = "#[profile_info::main]\nfn main() {\n    println!(\"{}\", lib_app::lib_info().json().unwrap());\n}\n";
    let fx = Fixture::with_files(
        "lib-app",
        &[("src/lib.rs", lib), ("src/main.rs", main)],
        "[profile.production]\ninherits = \"release\"\nlto = \"fat\"\n",
    );
    let build = fx.build(&["--profile", "production"], &[]);
    let lib_doc: Value = serde_json::from_slice(&run(&build.binary, &[]).stdout).unwrap();
    assert_eq!(lib_doc["crate_type"], "lib");
    assert_eq!(lib_doc["profile"]["lto"], Value::Null, "a library's LTO is decided at the final link");
    assert_eq!(lib_doc["profile"]["name"], "production");
    let bin_doc = json_of(&build.binary, &["--build-info=json"]);
    assert_eq!(bin_doc["crate_type"], "bin");
    assert_eq!(bin_doc["profile"]["lto"], "fat");

    let doctest = fx.cargo(&["test", "--doc"], &[]).output().unwrap();
    assert!(doctest.status.success(), "{}", String::from_utf8_lossy(&doctest.stderr));
    assert!(String::from_utf8_lossy(&doctest.stdout).contains("2 passed"));
    let doc = fx.cargo(&["doc", "--no-deps"], &[]).output().unwrap();
    assert!(doc.status.success(), "cargo doc: {}", String::from_utf8_lossy(&doc.stderr));
    let clippy = fx.cargo(&["clippy", "--all-targets"], &[]).output().unwrap();
    assert!(clippy.status.success(), "cargo clippy: {}", String::from_utf8_lossy(&clippy.stderr));
}

const PROFILES: &str = "[profile.argfile]\ninherits = \"release\"\nlto = \"fat\"\n\n\
    [profile.unknown]\ninherits = \"dev\"\n";

#[test]
fn argfile_is_read() {
    // A wrapper that hands rustc all its arguments through an argfile, as cargo does when a
    // command line is too long.
    let w = wrapper(
        "argfile-wrapper",
        "rustc=\"$1\"; shift\nf=$(mktemp)\nprintf '%s\\n' \"$@\" > \"$f\"\nexec \"$rustc\" \"@$f\"",
    );
    let fx = Fixture::new("argfile-app", &format!("#[profile_info::main]\nfn main() {{{PRINT_ARGS}}}\n"), PROFILES);
    let build = fx.build(&["--profile", "argfile"], &[("RUSTC_WRAPPER", &w)]);
    let doc = json_of(&build.binary, &["--build-info=json"]);
    assert_eq!(doc["profile"]["name"], "argfile");
    assert_eq!(doc["profile"]["lto"], "fat");
    assert_eq!(doc["profile"]["opt_level"], "3");
    assert!(doc["target"]["features"].is_array());
}

#[test]
fn unrecognised_compiler_process_gives_nulls_not_errors() {
    // rustc run under another argv[0], as a proc macro sees rust-analyzer's server: nothing
    // in argv is a rustc command line, so the macro must report unknown and the build go on.
    let w = wrapper(
        "unknown-wrapper",
        "shift\nexec -a rust-analyzer-proc-macro-srv \"$(rustc --print sysroot)/bin/rustc\" \"$@\"",
    );
    let fx = Fixture::new("unknown-app", &format!("#[profile_info::main]\nfn main() {{{PRINT_ARGS}}}\n"), PROFILES);
    let build = fx.build(&["--profile", "unknown"], &[("RUSTC_WRAPPER", &w)]);
    let doc = json_of(&build.binary, &["--build-info=json"]);
    assert_eq!(doc["crate_type"], Value::Null);
    assert_eq!(doc["package"]["name"], "unknown-app");
    for part in ["profile", "target", "rustc"] {
        assert!(doc[part].as_object().unwrap().values().all(Value::is_null), "{part}: {}", doc[part]);
    }
    let text = String::from_utf8(run(&build.binary, &["--build-info"]).stdout).unwrap();
    assert!(text.contains("profile:     unknown"), "{text}");
}

fn tokio_fixture(name: &str, main: &str) -> Fixture {
    Fixture::new(name, main, "[dependencies.tokio]\nversion = \"1\"\nfeatures = [\"rt\", \"macros\"]\n")
}

fn assert_wraps_main(fx: &Fixture) {
    let build = fx.build(&[], &[]);
    let doc = json_of(&build.binary, &["--build-info=json"]);
    assert_eq!(doc["profile"]["name"], "dev");
    let text = run(&build.binary, &["--build-info=text"]);
    assert!(String::from_utf8_lossy(&text.stdout).starts_with(&format!("{} 0.1.0\n", fx.name)));
    let out = run(&build.binary, &["--build-info", "x"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "args=[\"--build-info\", \"x\"] current=true\n");
    let out = run(&build.binary, &["--build-info=xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("xml"), "{err}");
}

#[test]
fn under_tokio_main() {
    let main = format!(
        "#[tokio::main(flavor = \"current_thread\")]\n#[profile_info::main]\nasync fn main() {{{PRINT_ARGS}}}\n"
    );
    assert_wraps_main(&tokio_fixture("tokio-outer", &main));
}

#[test]
fn over_tokio_main() {
    let main = format!(
        "#[profile_info::main]\n#[tokio::main(flavor = \"current_thread\")]\nasync fn main() {{{PRINT_ARGS}}}\n"
    );
    assert_wraps_main(&tokio_fixture("tokio-inner", &main));
}

#[test]
fn main_returning_result() {
    let main = format!(
        "#[profile_info::main]\nfn main() -> Result<(), Box<dyn std::error::Error>> {{{PRINT_ARGS}\n    let n: u8 = \"7\".parse()?;\n    assert_eq!(n, 7);\n    Ok(())\n}}\n"
    );
    assert_wraps_main(&Fixture::new("result-main", &main, ""));
}

#[test]
fn flag_can_be_renamed_or_disabled() {
    let renamed = Fixture::new(
        "renamed-flag",
        &format!("#[profile_info::main(flag = \"--about-build\")]\nfn main() {{{PRINT_ARGS}}}\n"),
        "",
    );
    let build = renamed.build(&[], &[]);
    assert_eq!(json_of(&build.binary, &["--about-build=json"])["package"]["name"], "renamed-flag");
    let out = run(&build.binary, &["--build-info"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "args=[\"--build-info\"] current=true\n");

    let disabled =
        Fixture::new("no-flag", &format!("#[profile_info::main(flag = false)]\nfn main() {{{PRINT_ARGS}}}\n"), "");
    let build = disabled.build(&[], &[]);
    let out = run(&build.binary, &["--build-info=json"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "args=[\"--build-info=json\"] current=true\n");
}

/// Options written by a `macro_rules!` macro reach the attribute inside invisible groups (one per
/// `$fragment`), and a flag may be a raw string: both are what the user wrote, as syn read them.
#[test]
fn options_from_macro_fragments_and_raw_strings() {
    let main = format!(
        "macro_rules! app {{\n    ($flag:literal, $guard:expr) => {{\n        \
         #[profile_info::main(flag = $flag, guard = $guard)]\n        fn main() {{{PRINT_ARGS}}}\n    }};\n}}\n\
         app!(r#\"--about-build\"#, false);\n"
    );
    let build = Fixture::new("fragment-options", &main, "").build(&[], &[]);
    assert_eq!(json_of(&build.binary, &["--about-build=json"])["package"]["name"], "fragment-options");
    let out = run(&build.binary, &["--build-info"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "args=[\"--build-info\"] current=true\n");
}

#[test]
fn bad_options_are_compile_errors_at_the_users_span() {
    // (src/main.rs, the error, the text on line 1 it must point at)
    for (main, message, at) in [
        ("#[profile_info::main(flag = 3)]\nfn main() {}\n", "`flag` takes a flag name", "3"),
        ("#[profile_info::main(colour)]\nfn main() {}\n", "unknown option", "colour"),
        ("#[profile_info::main]\nstruct NotMain;\nfn main() {}\n", "goes on `fn main`", "#"),
        ("#[profile_info::main]\nfn start() {}\nfn main() { start() }\n", "goes on `fn main`", "#"),
        ("#[profile_info::main(flag = \"--a b\")]\nfn main() {}\n", "`flag` takes a flag name", "\"--a b\""),
        ("#[profile_info::main(flag)]\nfn main() {}\n", "`flag` takes a flag name", "flag"),
        ("#[profile_info::main(guard = 1)]\nfn main() {}\n", "`guard` takes `true` or `false`", "1"),
        ("#[profile_info::main(guard =)]\nfn main() {}\n", "expected a value after `=`", "="),
        ("#[profile_info::main(log log)]\nfn main() {}\n", "expected `,` between options", "log)"),
        ("#[profile_info::main(log = true)]\nfn main() {}\n", "`log` takes no value", "true"),
        ("#[profile_info::main(\"log\")]\nfn main() {}\n", "unknown option", "\"log\""),
        ("fn main() { profile_info::build_info!(x); }\n", "takes no arguments", "x)"),
        ("fn main() { let _ = profile_info::build_info!(x); }\n", "takes no arguments", "x)"),
    ] {
        // In an edition-2015 crate too, where a `::core` path at the user's span would name a
        // module of the crate root and rustc would report that instead of the message.
        for (name, bin) in [
            ("bad-options", ""),
            ("bad-options-2015", "[[bin]]\nname = \"bad-options-2015\"\npath = \"src/main.rs\"\nedition = \"2015\"\n"),
        ] {
            let fx = Fixture::new(name, main, bin);
            let out = fx.try_build(&[], &[]);
            assert!(!out.status.success());
            let stderr = String::from_utf8_lossy(&out.stderr);
            let column = main.find(at).expect("the test's own text") + 1;
            let place = format!("src/main.rs:1:{column}\n");
            assert!(stderr.contains(message) && stderr.contains(&place), "{name}: {message} at {place}: {stderr}");
            // No other error hides it: the item stays as written, so `main` is not missing either.
            let others: Vec<&str> = stderr
                .lines()
                .filter(|l| l.starts_with("error") && !l.contains(message))
                .filter(|l| !l.starts_with("error: could not compile"))
                .collect();
            assert!(others.is_empty(), "{name}: {message}: {others:?}\n{stderr}");
        }
    }
}
