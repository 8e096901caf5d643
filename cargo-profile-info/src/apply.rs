//! `apply`: a variant from a `compare` report written into the workspace's `Cargo.toml` as a
//! custom profile, with `toml_edit` so that the file keeps its formatting and comments. The keys
//! come from the variant's document (what its file proves), written where they differ from the
//! `release` row's; what no stable profile can hold is printed as the command to use instead.

use crate::compare::build::workspace_metadata;
use crate::compare::Failure;
use crate::read::io_problem;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use toml_edit::{value, DocumentMut, Item, Table};

/// A profile key and the document field it is read from.
struct Field {
    pointer: &'static str,
    key: &'static str,
}

/// The document fields a `[profile]` table can hold, in the order they are written.
const FIELDS: [Field; 9] = [
    Field { pointer: "/profile/opt_level", key: "opt-level" },
    Field { pointer: "/profile/debuginfo", key: "debug" },
    Field { pointer: "/profile/strip", key: "strip" },
    Field { pointer: "/profile/lto", key: "lto" },
    Field { pointer: "/profile/codegen_units", key: "codegen-units" },
    Field { pointer: "/profile/panic", key: "panic" },
    Field { pointer: "/profile/debug_assertions", key: "debug-assertions" },
    Field { pointer: "/profile/overflow_checks", key: "overflow-checks" },
    Field { pointer: "/profile/incremental", key: "incremental" },
];

/// The TOML value that gives a document's `value` for `key`.
fn toml_value(key: &str, doc: &Json) -> Option<toml_edit::Value> {
    Some(match (key, doc) {
        ("opt-level", Json::String(s)) => match s.parse::<i64>() {
            Ok(n) => n.into(),
            Err(_) => s.as_str().into(),
        },
        ("debug", Json::String(s)) if s == "none" => false.into(),
        // rustc's default, thin-local LTO, is what `lto = false` asks for.
        ("lto", Json::String(s)) if s == "thin-local" => false.into(),
        (_, Json::String(s)) => s.as_str().into(),
        (_, Json::Bool(b)) => (*b).into(),
        (_, Json::Number(n)) => n.as_i64()?.into(),
        _ => return None,
    })
}

/// What `apply` was asked to do.
#[derive(Clone, Debug)]
pub struct Options {
    /// `--report`: a `report.json` written by `compare`.
    pub report: PathBuf,
    /// `--variant`: the row to apply.
    pub variant: String,
    /// `--profile-name`: the profile to write.
    pub profile_name: String,
    /// `--manifest-path`: a manifest of the workspace (its root manifest is the one written).
    pub manifest_path: Option<PathBuf>,
}

fn read_report(path: &Path, variant: &str) -> Result<(Json, Json), Failure> {
    let text =
        std::fs::read_to_string(path).map_err(|e| Failure::new(format!("{}: {}", path.display(), io_problem(&e))))?;
    let report: Json = serde_json::from_str(&text)
        .map_err(|e| Failure::new(format!("{}: not a compare report (not JSON: {e})", path.display())))?;
    let rows = report["variants"]
        .as_array()
        .ok_or_else(|| Failure::new(format!("{}: not a compare report (no \"variants\")", path.display())))?;
    let find = |name: &str| rows.iter().find(|r| r["name"] == name).map(|r| r["document"].clone());
    let baseline = report["baseline"].as_str().unwrap_or("release");
    let names = rows.iter().filter_map(|r| r["name"].as_str()).collect::<Vec<_>>().join(", ");
    let chosen = find(variant).ok_or_else(|| {
        Failure::new(format!("{}: no variant `{variant}` in this report (it has {names})", path.display()))
    })?;
    let base = find(baseline)
        .ok_or_else(|| Failure::new(format!("{}: the baseline `{baseline}` is not in the report", path.display())))?;
    Ok((chosen, base))
}

/// The workspace root manifest and its package names.
fn workspace(manifest_path: Option<&Path>) -> Result<(PathBuf, Vec<String>), Failure> {
    let meta = workspace_metadata(manifest_path)?;
    let root = PathBuf::from(meta["workspace_root"].as_str().unwrap_or_default()).join("Cargo.toml");
    let names = meta["packages"].as_array().into_iter().flatten().filter_map(|p| p["name"].as_str().map(str::to_owned));
    Ok((root, names.collect()))
}

/// Writes the profile and returns what to tell the user.
pub fn apply(opts: &Options) -> Result<String, Failure> {
    let name = &opts.profile_name;
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !["release", "dev", "test", "bench", "doc", "check", "build"].contains(&name.as_str());
    if !valid {
        return Err(Failure::new(format!(
            "--profile-name {name}: not a custom profile name (a letter, then letters, digits, - or _; not release, dev, test or bench)"
        )));
    }
    let (doc, base) = read_report(&opts.report, &opts.variant)?;
    let (manifest, packages) = workspace(opts.manifest_path.as_deref())?;
    let package = doc.pointer("/package/name").and_then(Json::as_str).unwrap_or_default();
    if !packages.iter().any(|p| p == package) {
        return Err(Failure::new(format!(
            "{}: a report from another workspace: its binary is from package `{package}`, which is not in {}",
            opts.report.display(),
            manifest.display()
        )));
    }
    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| Failure::new(format!("{}: {}", manifest.display(), io_problem(&e))))?;
    let mut toml: DocumentMut =
        text.parse().map_err(|e| Failure::new(format!("{}: not valid TOML: {e}", manifest.display())))?;
    let (mut table, written) = profile_table(&doc, &base);
    // New tables go last, after everything the file already holds.
    table.set_position(Some(last_position(toml.as_table()) + 1));
    let profiles = toml.entry("profile").or_insert_with(|| {
        let mut t = Table::new();
        t.set_implicit(true);
        Item::Table(t)
    });
    let profiles = profiles
        .as_table_mut()
        .ok_or_else(|| Failure::new(format!("{}: `profile` is not a table", manifest.display())))?;
    let replaced = profiles.insert(name, Item::Table(table)).is_some();
    std::fs::write(&manifest, toml.to_string())
        .map_err(|e| Failure::new(format!("{}: cannot write: {e}", manifest.display())))?;

    let mut report = format!(
        "{} [profile.{name}] in {}: inherits release; {}\nbuild it with: cargo build --profile {name}\n",
        if replaced { "replaced" } else { "wrote" },
        manifest.display(),
        if written.is_empty() { "nothing differs from release".to_owned() } else { written.join(", ") }
    );
    report.push_str(&outside_profile(&doc, &base, name));
    Ok(report)
}

/// The highest position of any table in `table` (tables are printed in position order).
fn last_position(table: &Table) -> isize {
    let tables = table.iter().flat_map(|(_, item)| match item {
        Item::Table(t) => vec![t],
        Item::ArrayOfTables(a) => a.iter().collect(),
        _ => vec![],
    });
    tables.map(|t| t.position().unwrap_or(0).max(last_position(t))).max().unwrap_or(0)
}

/// The `[profile.NAME]` table for `doc`, and its keys as `key = value` text.
fn profile_table(doc: &Json, base: &Json) -> (Table, Vec<String>) {
    let mut table = Table::new();
    table.insert("inherits", value("release"));
    let mut written = Vec::new();
    for field in &FIELDS {
        let (Some(want), have) = (doc.pointer(field.pointer), base.pointer(field.pointer)) else { continue };
        if Some(want) == have {
            continue;
        }
        if let Some(v) = toml_value(field.key, want) {
            written.push(format!("{} = {}", field.key, v.to_string().trim()));
            table.insert(field.key, value(v));
        }
    }
    (table, written)
}

/// What the variant needs beyond a profile (target-cpu, PGO), as commands, with the reason.
fn outside_profile(doc: &Json, base: &Json, name: &str) -> String {
    let cpu = doc.pointer("/target/cpu").filter(|c| base.pointer("/target/cpu") != Some(*c)).and_then(Json::as_str);
    let pgo = doc.pointer("/profile/pgo").and_then(Json::as_str) == Some("use");
    if cpu.is_none() && !pgo {
        return String::new();
    }
    let triple = doc.pointer("/target/triple").and_then(Json::as_str).unwrap_or("<host triple>");
    let flags = |extra: Option<&str>| {
        let list: Vec<String> =
            cpu.map(|c| format!("-Ctarget-cpu={c}")).into_iter().chain(extra.map(str::to_owned)).collect();
        format!(
            "cargo build --profile {name} --target {triple} --config 'build.rustflags=[{}]'",
            list.iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(", ")
        )
    };
    let mut out = String::new();
    if let Some(cpu) = cpu {
        out.push_str(&format!(
            "target-cpu = {cpu} is not a profile key on stable cargo (profile rustflags need nightly -Z profile-rustflags); \
             it is a rustflag, given with --target so build scripts and proc macros still run on this machine\n"
        ));
    }
    if pgo {
        out.push_str(&format!(
            "pgo: a profile cannot hold -Cprofile-generate/-Cprofile-use, which name files a training run produces; build it in two passes:\n  \
             {}\n  run your training workload with target/{triple}/{name}/<binary> (it writes /tmp/pgo-data/*.profraw on exit)\n  \
             llvm-profdata merge -o /tmp/pgo-data/merged.profdata /tmp/pgo-data\n  {}\n",
            flags(Some("-Cprofile-generate=/tmp/pgo-data")),
            flags(Some("-Cprofile-use=/tmp/pgo-data/merged.profdata"))
        ));
    } else {
        out.push_str(&format!("build it with: {}\n", flags(None)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(lto: &str, cgu: u32, cpu: &str, pgo: &str) -> Json {
        json!({"package": {"name": "app"},
               "profile": {"name": "x", "opt_level": "3", "debuginfo": "none", "strip": "symbols", "lto": lto,
                           "codegen_units": cgu, "panic": "unwind", "debug_assertions": false,
                           "overflow_checks": false, "incremental": false, "pgo": pgo},
               "target": {"triple": "x86_64-unknown-linux-gnu", "cpu": cpu}})
    }

    #[test]
    fn only_what_differs_from_release_is_written() {
        let base = doc("thin-local", 16, "x86-64", "off");
        let (table, written) = profile_table(&doc("fat", 1, "x86-64", "off"), &base);
        assert_eq!(written, ["lto = \"fat\"", "codegen-units = 1"]);
        assert_eq!(table.to_string(), "inherits = \"release\"\nlto = \"fat\"\ncodegen-units = 1\n");
        let (_, back) = profile_table(&base, &doc("fat", 1, "x86-64", "off"));
        assert_eq!(back, ["lto = false", "codegen-units = 16"]);
        assert_eq!(outside_profile(&base, &base, "p"), "");
    }

    #[test]
    fn cpu_and_pgo_are_printed_as_commands() {
        let base = doc("thin-local", 16, "x86-64", "off");
        let text = outside_profile(&doc("fat", 1, "x86-64-v3", "off"), &base, "fast");
        assert!(text.starts_with("target-cpu = x86-64-v3 is not a profile key on stable cargo"), "{text}");
        assert!(text.ends_with("build it with: cargo build --profile fast --target x86_64-unknown-linux-gnu --config 'build.rustflags=[\"-Ctarget-cpu=x86-64-v3\"]'\n"), "{text}");
        let text = outside_profile(&doc("fat", 1, "x86-64", "use"), &base, "fast");
        assert!(text.contains("--config 'build.rustflags=[\"-Cprofile-generate=/tmp/pgo-data\"]'"), "{text}");
        assert!(text.contains("llvm-profdata merge -o /tmp/pgo-data/merged.profdata /tmp/pgo-data"), "{text}");
    }

    #[test]
    fn values_map_back_to_profile_syntax() {
        assert_eq!(toml_value("opt-level", &json!("z")).unwrap().to_string(), "\"z\"");
        assert_eq!(toml_value("opt-level", &json!("2")).unwrap().to_string(), "2");
        assert_eq!(toml_value("debug", &json!("none")).unwrap().to_string(), "false");
        assert_eq!(toml_value("debug", &json!("limited")).unwrap().to_string(), "\"limited\"");
        assert_eq!(toml_value("lto", &json!("off")).unwrap().to_string(), "\"off\"");
        assert!(toml_value("lto", &Json::Null).is_none());
    }
}
