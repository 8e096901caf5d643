//! The tool against fixture binaries built with real cargo under several profiles, checked against
//! the binaries' own `--build-info` output and against binutils' view of the section.

use cargo_profile_info::Document;
use profile_info_tests::{run, Fixture, PROFILES};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

const TOOL: &str = env!("CARGO_BIN_EXE_cargo-profile-info");

const MAIN: &str = "#[profile_info::main]\nfn main() {\n    println!(\"ran\");\n}\n";

/// The shared profiles plus `gc`, a copy of `production` whose link the gc-sections test alters.
fn profiles() -> String {
    format!("{PROFILES}\n[profile.gc]\ninherits = \"production\"\n")
}

/// The fixture with `#[profile_info::main]`.
fn fixture() -> Fixture {
    Fixture::new("inspect-app", MAIN, &profiles())
}

/// The fixture's binary under `profile`, built once per test process.
fn binary(profile: &str) -> PathBuf {
    static BUILT: Mutex<BTreeMap<String, PathBuf>> = Mutex::new(BTreeMap::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    built.entry(profile.to_owned()).or_insert_with(|| fixture().build(&["--profile", profile], &[]).binary).clone()
}

/// A fixture that links profile-info but does not use `#[profile_info::main]`.
fn plain_binary() -> PathBuf {
    Fixture::new("inspect-plain", "fn main() {\n    println!(\"plain\");\n}\n", "").build(&[], &[]).binary
}

fn tool(args: &[&str]) -> Output {
    Command::new(TOOL).args(args).output().expect("run the tool")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn stdout(out: &Output) -> &str {
    std::str::from_utf8(&out.stdout).expect("UTF-8 stdout")
}

fn own_json(binary: &Path) -> Vec<u8> {
    let out = run(binary, &["--build-info=json"]);
    assert!(out.status.success());
    out.stdout
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).filter(|w| *w == needle).count()
}

/// The `.profile_info` section as binutils sees it: its bytes (objcopy) and size (readelf).
fn binutils_section(binary: &Path) -> (Vec<u8>, usize) {
    let dump = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("section-{}", binary.file_name().unwrap().to_string_lossy()));
    let copy = Command::new("objcopy")
        .args(["-O", "binary", "--only-section=.profile_info", path(binary), path(&dump)])
        .status()
        .expect("objcopy (binutils) is installed");
    assert!(copy.success());
    let bytes = std::fs::read(&dump).unwrap();
    let sections = Command::new("readelf").args(["-SW", path(binary)]).output().expect("readelf");
    let listing = String::from_utf8(sections.stdout).unwrap();
    // `[16] .profile_info PROGBITS addr offset size es flags link info align`
    let size = listing
        .lines()
        .find_map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            let at = words.iter().position(|w| *w == ".profile_info")?;
            usize::from_str_radix(words[at + 4], 16).ok()
        })
        .unwrap_or_else(|| panic!("no .profile_info in readelf -S:\n{listing}"));
    (bytes, size)
}

/// Everything the issue asks of the section in one build: the tool reads what the binary prints,
/// binutils agrees on the bytes, the section is header + JSON, and the JSON is in the file once.
fn section_survives(binary: &Path) -> Value {
    let json = own_json(binary);
    let inspected = tool(&["inspect", "--json", path(binary)]);
    assert_eq!(inspected.status.code(), Some(0), "{inspected:?}");
    let inspected: Value = serde_json::from_slice(&inspected.stdout).unwrap();
    let own: Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(inspected["document"], own, "inspect --json's document = the binary's own --build-info=json");
    assert!(inspected["file"].is_object(), "{inspected}");
    // The dependency list (`.dep-v0`, which survives the same links; its contents are checked
    // against rust-audit-info in deps.rs).
    assert!(inspected["dependencies"]["packages"].as_array().is_some_and(|p| !p.is_empty()), "{inspected}");
    let text = tool(&["inspect", path(binary)]);
    assert_eq!(text.status.code(), Some(0));
    let own_text = run(binary, &["--build-info"]).stdout;
    assert!(text.stdout.starts_with(&own_text), "inspect starts with --build-info:\n{}", stdout(&text));
    assert!(stdout(&text)[own_text.len()..].starts_with("deps:        "), "{}", stdout(&text));

    let doc = &json[..json.len() - 1];
    let (bytes, size) = binutils_section(binary);
    assert_eq!(&bytes[..8], b"PRFLINFO");
    assert_eq!(bytes[8..12], 1u32.to_le_bytes());
    assert_eq!(bytes[12..16], (doc.len() as u32).to_le_bytes());
    assert_eq!(&bytes[16..16 + doc.len()], doc, "objcopy's section holds the document");
    assert_eq!(size, 16 + doc.len(), "the section is the 16-byte header and the JSON, nothing more");
    let file = std::fs::read(binary).unwrap();
    assert_eq!(count(&file, doc), 1, "the JSON is in the file once: the document's json() is the section's");
    serde_json::from_slice(doc).unwrap()
}

#[test]
fn dev() {
    assert_eq!(section_survives(&binary("dev"))["profile"]["name"], "dev");
}

#[test]
fn release() {
    assert_eq!(section_survives(&binary("release"))["profile"]["opt_level"], "3");
}

#[test]
fn production_fat_lto_strip_abort() {
    let doc = section_survives(&binary("production"));
    let p = &doc["profile"];
    assert_eq!(
        (&p["lto"], &p["codegen_units"], &p["strip"], &p["panic"]),
        (&"fat".into(), &1.into(), &"symbols".into(), &"abort".into())
    );
    // strip = true left no symbol table: the section survived without any symbol naming it.
    let symbols = Command::new("readelf").args(["-sW", path(&binary("production"))]).output().unwrap();
    assert!(!String::from_utf8_lossy(&symbols.stdout).contains("PROFILE_INFO"));
}

/// rustc links every executable with `--gc-sections`; this shows it for a fat-LTO stripped build
/// (`--print link-args`) and that the section is still there.
#[test]
fn gc_sections_keep_the_section() {
    let fixture = fixture();
    let out = fixture.cargo(&["rustc", "--profile", "gc", "--", "--print", "link-args"], &[]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let link = String::from_utf8_lossy(&out.stdout);
    assert!(link.contains("--gc-sections") && link.contains("--strip-all"), "{link}");
    let binary = profile_info_tests::target_dir().join("gc").join("inspect-app");
    assert_eq!(section_survives(&binary)["profile"]["name"], "gc");
}

#[test]
fn tiny_opt_level_z() {
    assert_eq!(section_survives(&binary("tiny"))["profile"]["opt_level"], "z");
}

#[test]
fn check_requirements() {
    let (release, production) = (binary("release"), binary("production"));
    let gate = [
        "profile.lto=fat",
        "profile.panic=abort",
        "profile.name=production",
        "profile.codegen_units=1",
        "profile.strip=symbols",
    ];
    let args = |file: &Path| {
        let mut args = vec!["check".to_owned(), path(file).to_owned()];
        args.extend(gate.iter().flat_map(|g| ["--require".to_owned(), (*g).to_owned()]));
        args
    };
    let run_tool = |args: Vec<String>| Command::new(TOOL).args(args).output().unwrap();
    let pass = run_tool(args(&production));
    assert_eq!(pass.status.code(), Some(0), "{pass:?}");
    assert!(stdout(&pass).contains("every requirement holds"));

    let fail = run_tool(args(&release));
    assert_eq!(fail.status.code(), Some(1), "{fail:?}");
    let doc: Value = serde_json::from_slice(&own_json(&release)).unwrap();
    let expected: Vec<String> = gate
        .iter()
        .filter_map(|g| {
            let (key, want) = g.split_once('=').unwrap();
            let found = key.split('.').fold(&doc, |v, k| &v[k]);
            let found = found.as_str().map_or_else(|| found.to_string(), str::to_owned);
            (found != want).then(|| format!("{}: {key}: wanted {want}, found {found}", path(&release)))
        })
        .collect();
    assert_eq!(expected.len(), gate.len(), "release meets none of the production gate: {expected:?}");
    assert_eq!(stdout(&fail).lines().collect::<Vec<_>>(), expected);

    // `--json`: the same verdicts for CI systems, each `found` as the binary itself reports it.
    let mut json_args = args(&release);
    json_args.push("--json".into());
    let as_json = run_tool(json_args);
    assert_eq!(as_json.status.code(), Some(1), "{as_json:?}");
    let report: Value = serde_json::from_slice(&as_json.stdout).unwrap();
    assert_eq!(
        (&report["file"], &report["schema"], &report["pass"]),
        (&path(&release).into(), &doc["schema"], &false.into())
    );
    let verdicts = report["requirements"].as_array().unwrap();
    assert_eq!(verdicts.len(), gate.len());
    for (verdict, g) in verdicts.iter().zip(gate) {
        let (key, want) = g.split_once('=').unwrap();
        let found = key.split('.').fold(&doc, |v, k| &v[k]);
        let found = found.as_str().map_or_else(|| found.to_string(), str::to_owned);
        assert_eq!(verdict, &serde_json::json!({"key": key, "wanted": want, "found": found, "pass": found == want}));
    }
    assert!(report.get("host").is_none(), "{report}");

    let unknown = tool(&["check", path(&release), "--require", "profile.ltoo=fat"]);
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no key `profile.ltoo`") && stderr.contains(path(&release)), "{stderr}");

    let level = format!("target.level={}", doc["target"]["level"].as_str().unwrap());
    assert_eq!(
        tool(&["check", path(&release), "--require", &level, "--require", &format!("schema={}", doc["schema"])])
            .status
            .code(),
        Some(0)
    );

    // A value no document can hold is a mistake in the gate, not a failed build: exit 2, one line
    // naming what the field holds and what the Cargo.toml spelling means.
    let cargo_spelling = tool(&["check", path(&release), "--require", "profile.lto=true"]);
    assert_eq!(cargo_spelling.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&cargo_spelling.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(r#""off", "thin-local", "thin", "fat" or null"#), "{stderr}");
    assert!(stderr.contains(r#"`lto = true` gives "fat""#), "{stderr}");

    // One rule for a value written otherwise than the document writes it, whatever the field's
    // kind: exit 2, naming the document's spelling (the binary's own JSON holds that spelling).
    let doc: Value = serde_json::from_slice(&own_json(&production)).unwrap();
    for (key, other) in [("profile.codegen_units", "01"), ("profile.lto", "FAT"), ("profile.debug_assertions", "False")]
    {
        let out = tool(&["check", path(&production), "--require", &format!("{key}={other}")]);
        assert_eq!(out.status.code(), Some(2), "{key}={other}: {out:?}");
        let found = key.split('.').fold(&doc, |v, k| &v[k]);
        let ours = found.as_str().map_or_else(|| found.to_string(), str::to_owned);
        assert!(ours.eq_ignore_ascii_case(other) || ours.parse::<u32>().ok() == other.parse().ok());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.trim_end().ends_with(&format!("write `{key}={ours}`")), "{stderr}");
    }
}

#[test]
fn check_host_on_a_native_build() {
    let out = tool(&["check", "--host", path(&binary("release"))]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(stdout(&out).contains("this host's CPU has every feature it was built for"), "{}", stdout(&out));
}

/// A build for a feature this CPU lacks (AMD-only or rare ones, whichever this host does not
/// have) is refused by `check --host` and named.
#[cfg(target_arch = "x86_64")]
#[test]
fn check_host_names_a_missing_feature() {
    let host = profile_info_core::x86::detect();
    // No CPU has all three: TBM and SSE4a are AMD's (TBM only before Zen), VP2INTERSECT Intel's
    // Tiger Lake and AMD's Zen 5.
    let lacking = ["tbm", "sse4a", "avx512vp2intersect"]
        .into_iter()
        .find(|f| host.lack(f).is_some())
        .expect("a CPU without any of tbm, sse4a, avx512vp2intersect");
    let triple = String::from_utf8(Command::new("rustc").arg("-vV").output().unwrap().stdout).unwrap();
    let triple = triple.lines().find_map(|l| l.strip_prefix("host: ")).unwrap().to_owned();
    // `--target` keeps the flag away from build scripts and proc macros, which run on this CPU.
    let flags = format!("-C target-feature=+{lacking}");
    let build = fixture().build(&["--release", "--target", &triple], &[("RUSTFLAGS", &flags)]);
    let out = tool(&["check", "--host", path(&build.binary)]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(stdout(&out).contains(&format!("lacks: {lacking} (not in this CPU)")), "{}", stdout(&out));

    let out = tool(&["check", "--host", "--json", path(&build.binary)]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["pass"], false);
    assert_eq!(report["host"]["pass"], false);
    assert_eq!(report["host"]["arch"], std::env::consts::ARCH);
    assert_eq!(report["host"]["missing"], serde_json::json!([{"feature": lacking, "lack": "cpu"}]), "{report}");
}

/// Dotted keys of every leaf, computed here independently of the tool.
fn flatten(prefix: &str, v: &Value, out: &mut HashMap<String, Value>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, v)| flatten(&format!("{prefix}{k}."), v, out)),
        _ => {
            out.insert(prefix.trim_end_matches('.').to_owned(), v.clone());
        }
    }
}

#[test]
fn diff_release_and_production() {
    let (a, b) = (binary("release"), binary("production"));
    let out = tool(&["diff", path(&a), path(&b)]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let (mut fa, mut fb) = (HashMap::new(), HashMap::new());
    flatten("", &serde_json::from_slice(&own_json(&a)).unwrap(), &mut fa);
    flatten("", &serde_json::from_slice(&own_json(&b)).unwrap(), &mut fb);
    let mut expected: Vec<&String> = fa.keys().filter(|k| fa.get(*k) != fb.get(*k)).collect();
    expected.sort();
    let named: Vec<&str> = stdout(&out).lines().map(|l| l.split_once(": ").unwrap().0).collect();
    assert_eq!(named, expected, "{}", stdout(&out));
    assert!(named.contains(&"profile.lto") && named.contains(&"profile.name"));
    assert!(stdout(&out).contains("profile.lto: thin-local → fat\n"), "{}", stdout(&out));

    let same = tool(&["diff", path(&a), path(&a)]);
    assert_eq!((same.status.code(), same.stdout.len()), (Some(0), 0), "{same:?}");

    // `--json`: every differing key with both values as the binaries themselves report them.
    let out = tool(&["diff", "--json", path(&a), path(&b)]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((&report["a"], &report["b"], &report["same"]), (&path(&a).into(), &path(&b).into(), &false.into()));
    let differences = report["differences"].as_array().unwrap();
    let keys: Vec<&str> = differences.iter().map(|d| d["key"].as_str().unwrap()).collect();
    assert_eq!(keys, expected);
    for d in differences {
        let key = d["key"].as_str().unwrap();
        assert_eq!((&d["a"], &d["b"]), (&fa[key], &fb[key]), "{key}");
    }
    let same = tool(&["diff", "--json", path(&a), path(&a)]);
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(serde_json::from_slice::<Value>(&same.stdout).unwrap()["differences"], serde_json::json!([]));
}

/// Writes a copy of `binary` with `edit` applied to its bytes.
fn edited(binary: &Path, name: &str, edit: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = std::fs::read(binary).unwrap();
    edit(&mut bytes);
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&out, bytes).unwrap();
    out
}

/// Where the section's header starts in a file: 16 bytes before its JSON.
fn header_at(file: &[u8], json: &[u8]) -> usize {
    file.windows(json.len()).position(|w| w == json).expect("JSON in file") - 16
}

#[test]
fn bad_inputs_get_one_line_and_exit_2() {
    let release = binary("release");
    let json = own_json(&release);
    let doc = json[..json.len() - 1].to_vec();
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let text = tmp.join("not-a-binary.txt");
    std::fs::write(&text, "just some text\n").unwrap();
    let in_section = |name: &str, edit: fn(&mut [u8], usize)| {
        edited(&release, name, |b| {
            let at = header_at(b, &doc);
            edit(b, at)
        })
    };
    let cases: Vec<(PathBuf, &str)> = vec![
        (tmp.join("does-not-exist"), "no such file"),
        (tmp.to_path_buf(), "is a directory"),
        (text, "not an executable"),
        (edited(&release, "truncated", |b| b.truncate(b.len() / 2)), "not an executable"),
        (edited(&release, "zero-header", |b| b[..64].fill(0)), "not an executable"),
        (in_section("bad-magic", |b, at| b[at] ^= 0xff), "magic"),
        (in_section("version-9", |b, at| b[at + 8] = 9), "format version 9"),
        (in_section("long-length", |b, at| b[at + 12..at + 16].copy_from_slice(&u32::MAX.to_le_bytes())), "truncated"),
        (in_section("invalid-json", |b, at| b[at + 16] = b'X'), "not valid JSON"),
        (
            in_section("schema-7", |b, at| {
                let s = b[at + 16..].windows(9).position(|w| w == b"\"schema\":").unwrap() + at + 16;
                b[s + 9] = b'7';
            }),
            "schema 7 is not supported",
        ),
    ];
    for (file, problem) in &cases {
        for args in [vec!["inspect"], vec!["inspect", "--json"], vec!["check", "--host"], vec!["diff", path(&release)]]
        {
            // inspect and check search a directory for executables (the file-facts tests).
            if file.is_dir() && args[0] != "diff" {
                continue;
            }
            let mut args: Vec<&str> = args;
            args.push(path(file));
            let out = tool(&args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(out.stdout.is_empty(), "{args:?}");
            assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
            assert!(stderr.starts_with(&format!("{}: ", path(file))) && stderr.contains(problem), "{args:?}: {stderr}");
        }
    }
}

/// A binary without the section is inspected and checked from what the file itself proves; only
/// `diff` and `--require`, which compare documents, refuse it.
#[test]
fn binaries_without_the_section() {
    for file in [PathBuf::from("/bin/true"), plain_binary()] {
        let out = tool(&["inspect", "--json", path(&file)]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["document"], Value::Null, "{report}");
        assert!(report["file"]["isa"]["value"].is_object(), "{report}");
        let release = binary("release");
        for args in [vec!["diff", path(&release)], vec!["check", "--require", "profile.lto=fat"]] {
            let mut args = args;
            args.push(path(&file));
            let out = tool(&args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(
                stderr.starts_with(&format!("{}: ", path(&file))) && stderr.contains("no profile-info section"),
                "{stderr}"
            );
        }
    }
}

#[test]
fn usage_errors_exit_2() {
    let release = binary("release");
    for args in [
        &["check", path(&release)][..],
        &["check", path(&release), "--require", "lto"],
        &["inspect"],
        &["frobnicate"],
        &[],
    ] {
        assert_eq!(tool(args).status.code(), Some(2), "{args:?}");
    }
    assert_eq!(tool(&["--help"]).status.code(), Some(0));
    // `check FILE` alone must show both ways to use it, not only `--require`.
    let bare = tool(&["check", path(&release)]);
    let usage = String::from_utf8_lossy(&bare.stderr);
    let usage = usage.lines().find(|l| l.starts_with("Usage:")).unwrap_or_default();
    assert!(usage.contains("--require") && usage.contains("--host"), "{usage}");
}

#[test]
fn through_cargo_as_a_subcommand() {
    let release = binary("release");
    let dir = Path::new(TOOL).parent().unwrap();
    let path_var = std::env::var_os("PATH").unwrap_or_default();
    let paths = std::iter::once(dir.to_path_buf()).chain(std::env::split_paths(&path_var));
    let fixture = fixture();
    let out = fixture
        .cargo(&["profile-info", "inspect", path(&release)], &[])
        .env("PATH", std::env::join_paths(paths).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.starts_with(&run(&release, &["--build-info"]).stdout), "{}", stdout(&out));
}

/// Deterministic mutations of a real binary and of its section: truncations, bit flips and
/// length edits must give a clean one-line error (or a valid document), never a panic.
#[test]
fn mutations_never_panic() {
    let release = binary("release");
    let file = std::fs::read(&release).unwrap();
    let json = own_json(&release);
    let at = header_at(&file, &json[..json.len() - 1]);
    let section = &file[at..at + 16 + json.len() - 1];
    let mut kinds = std::collections::BTreeSet::new();
    let mut clean = |what: &str, result: Result<Document, String>| {
        if let Err(e) = result {
            assert!(!e.is_empty() && !e.contains('\n'), "{what}: {e:?}");
            kinds.insert(e.split(':').next().unwrap_or_default().to_owned());
        }
    };

    for len in 0..section.len() {
        clean(&format!("section cut to {len}"), Document::from_section(&section[..len]));
    }
    for bit in 0..section.len() * 8 {
        let mut s = section.to_vec();
        s[bit / 8] ^= 1 << (bit % 8);
        clean(&format!("section bit {bit}"), Document::from_section(&s));
    }
    for len in [0, 1, 15, 16, section.len() as u32 - 17, section.len() as u32 - 15, 1 << 31, u32::MAX] {
        let mut s = section.to_vec();
        s[12..16].copy_from_slice(&len.to_le_bytes());
        clean(&format!("section length {len}"), Document::from_section(&s));
    }

    // xorshift: reproducible without a dependency.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..300 {
        let cut = (next() % file.len() as u64) as usize;
        clean(&format!("file cut to {cut} ({i})"), Document::from_object(&file[..cut]));
    }
    // Headers and section table live at the start and end of an ELF file; flip bytes there and
    // in the section itself.
    let regions = [0..4096.min(file.len()), file.len().saturating_sub(4096)..file.len(), at..at + section.len()];
    for i in 0..3000 {
        let mut f = file.clone();
        let region = &regions[i % regions.len()];
        for _ in 0..1 + next() % 4 {
            let pos = region.start + (next() as usize) % region.len();
            f[pos] ^= 1 << (next() % 8);
        }
        clean(&format!("file flip {i}"), Document::from_object(&f));
    }
    // The section's own entry in the ELF section table, made to point past the file: random flips
    // reach that layer only when the table's layout puts a flippable size or offset in reach.
    let u64_at = |f: &[u8], i: usize| u64::from_le_bytes(f[i..i + 8].try_into().unwrap()) as usize;
    let u16_at = |f: &[u8], i: usize| u16::from_le_bytes(f[i..i + 2].try_into().unwrap()) as usize;
    let (shoff, shentsize, shnum) = (u64_at(&file, 0x28), u16_at(&file, 0x3a), u16_at(&file, 0x3c));
    let entry = (0..shnum).map(|i| shoff + i * shentsize).find(|&e| u64_at(&file, e + 0x18) == at);
    let entry = entry.expect("the section table has an entry at the section's offset");
    let mut f = file.clone();
    f[entry + 0x20..entry + 0x28].copy_from_slice(&u64::MAX.to_le_bytes());
    clean("section size past the file", Document::from_object(&f));
    // The mutations reach every layer: object parsing, the section header, the JSON, the schema.
    for layer in [
        "not an executable",
        "cannot read the .profile_info section",
        "no profile-info section",
        "magic",
        "format version",
        "section truncated",
        "not UTF-8",
        "not valid JSON",
        "does not follow schema 3",
        "document schema",
    ] {
        assert!(kinds.iter().any(|k| k.contains(layer)), "no mutation reached {layer:?}: {kinds:#?}");
    }
    assert!(Document::from_object(&file).is_ok());
}

/// A binary built before schema 2: its section holds the document without the fields schemas 2
/// and 3 added (the schema-1 notes of profile-info's document documentation), written over the
/// real section here.
#[test]
fn reads_schema_1_binaries() {
    let release = binary("release");
    let mut json = own_json(&release);
    assert_eq!(json.pop(), Some(b'\n'));
    let mut doc: Value = serde_json::from_slice(&json).unwrap();
    doc["schema"] = 1.into();
    for (group, field) in [
        ("package", "dependencies"),
        ("profile", "force_frame_pointers"),
        ("profile", "relocation_model"),
        ("profile", "code_model"),
        ("profile", "instrument_coverage"),
        ("profile", "sanitizers"),
        ("profile", "link_dead_code"),
        ("profile", "control_flow_guard"),
        ("vcs", "time"),
        ("vcs", "tag"),
        ("package", "features"),
        ("profile", "pgo"),
        ("target", "arch"),
        ("target", "os"),
        ("target", "env"),
        ("target", "cpu_native"),
        ("target", "unchecked_features"),
    ] {
        doc[group].as_object_mut().unwrap().remove(field).expect("a field of a later schema");
    }
    let v1 = doc.to_string();
    assert!(v1.len() < json.len());
    let old = edited(&release, "schema-1", |b| {
        let at = header_at(b, &json);
        b[at + 12..at + 16].copy_from_slice(&(v1.len() as u32).to_le_bytes());
        b[at + 16..at + 16 + v1.len()].copy_from_slice(v1.as_bytes());
    });
    let inspect = tool(&["inspect", path(&old)]);
    assert_eq!(inspect.status.code(), Some(0), "{inspect:?}");
    assert!(stdout(&inspect).lines().nth(1).unwrap().contains("bin (schema 1, "), "{}", stdout(&inspect));
    let inspected: Value = serde_json::from_slice(&tool(&["inspect", "--json", path(&old)]).stdout).unwrap();
    assert_eq!(inspected["document"].to_string(), v1);
    assert_eq!(tool(&["check", path(&old), "--require", "profile.opt_level=3"]).status.code(), Some(0));
    let newer = tool(&["check", path(&old), "--require", "profile.pgo=off"]);
    assert_eq!(newer.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&newer.stderr);
    assert!(stderr.contains("schema 1") && stderr.contains("added in schema 2"), "{stderr}");
    let diff = tool(&["diff", path(&old), path(&release)]);
    let diff = stdout(&diff);
    let current: Value = serde_json::from_slice(&own_json(&release)).unwrap();
    let schema = format!("schema: 1 → {}\n", current["schema"]);
    assert!(diff.contains(&schema) && diff.contains("profile.pgo: null → off\n"), "{diff}");
}
