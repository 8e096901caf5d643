//! `apply`: a variant from a `compare` report written into the workspace's `Cargo.toml` as a
//! custom profile, with `toml_edit` so that the file keeps its formatting and comments. The keys
//! come from the variant's document (what its file proves), written where they differ from the
//! `release` row's; what no stable profile can hold (target-cpu, PGO, BOLT) is printed as the
//! commands that build the row, as compare ran them (the same llvm-profdata and BOLT, by full
//! path), each runnable as printed from the workspace root. An existing profile is never replaced
//! without `--force`; a new one goes after the last `[profile.*]` table.

use crate::compare::build::workspace_metadata;
use crate::compare::ladder::{Key, Value};
use crate::keys::in_json_at;
use crate::read::io_problem;
use crate::Error;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use toml_edit::{value, DocumentMut, Item, Table};

/// The TOML value of a profile key's value.
fn toml_value(value: &Value) -> toml_edit::Value {
    match value {
        Value::Bool(b) => (*b).into(),
        Value::Int(n) => i64::from(*n).into(),
        Value::Str(s) => s.as_str().into(),
    }
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
    /// `--force`: replace a profile of that name.
    pub force: bool,
}

/// The row to apply, the baseline's document, and the report's recipe (tools and training).
struct Chosen {
    doc: Json,
    base: Json,
    binary: String,
    recipe: Json,
}

fn read_report(path: &Path, variant: &str) -> Result<Chosen, Error> {
    let text =
        std::fs::read_to_string(path).map_err(|e| Error::new(format!("{}: {}", path.display(), io_problem(&e))))?;
    let report: Json = serde_json::from_str(&text)
        .map_err(|e| Error::new(format!("{}: not a compare report (not JSON: {e})", path.display())))?;
    let rows = report["variants"]
        .as_array()
        .ok_or_else(|| Error::new(format!("{}: not a compare report (no \"variants\")", path.display())))?;
    let find = |name: &str| rows.iter().find(|r| r["name"] == name);
    let baseline = report["baseline"].as_str().unwrap_or("release");
    let names = rows.iter().filter_map(|r| r["name"].as_str()).collect::<Vec<_>>().join(", ");
    let chosen = find(variant).ok_or_else(|| {
        Error::new(format!("{}: no variant `{variant}` in this report (it has {names})", path.display()))
    })?;
    let base = find(baseline)
        .ok_or_else(|| Error::new(format!("{}: the baseline `{baseline}` is not in the report", path.display())))?;
    let binary = Path::new(chosen["binary"].as_str().unwrap_or_default())
        .file_name()
        .map_or_else(|| "<binary>".to_owned(), |n| n.to_string_lossy().into_owned());
    Ok(Chosen {
        doc: chosen["document"].clone(),
        base: base["document"].clone(),
        binary,
        recipe: report["recipe"].clone(),
    })
}

/// The workspace root manifest, its package names and the target dir cargo builds into.
fn workspace(manifest_path: Option<&Path>) -> Result<(PathBuf, Vec<String>, PathBuf), Error> {
    let meta = workspace_metadata(manifest_path)?;
    let names = meta.packages.into_iter().map(|p| p.name).collect();
    Ok((meta.workspace_root.join("Cargo.toml"), names, meta.target_directory))
}

/// Writes the profile and returns what to tell the user.
pub fn apply(opts: &Options) -> Result<String, Error> {
    let name = &opts.profile_name;
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !["release", "dev", "test", "bench", "doc", "check", "build"].contains(&name.as_str());
    if !valid {
        return Err(Error::new(format!(
            "--profile-name {name}: not a custom profile name (a letter, then letters, digits, - or _; not release, dev, test or bench)"
        )));
    }
    let Chosen { doc, base, binary, recipe } = read_report(&opts.report, &opts.variant)?;
    let (manifest, packages, target_dir) = workspace(opts.manifest_path.as_deref())?;
    let package = in_json_at(&doc, "package.name").and_then(Json::as_str).unwrap_or_default();
    if !packages.iter().any(|p| p == package) {
        return Err(Error::new(format!(
            "{}: a report from another workspace: its binary is from package `{package}`, which is not in {}",
            opts.report.display(),
            manifest.display()
        )));
    }
    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| Error::new(format!("{}: {}", manifest.display(), io_problem(&e))))?;
    let mut toml: DocumentMut =
        text.parse().map_err(|e| Error::new(format!("{}: not valid TOML: {e}", manifest.display())))?;
    let (mut table, written) = profile_table(&doc, &base);
    let existing = toml.get("profile").and_then(Item::as_table).and_then(|p| p.get(name)).and_then(Item::as_table);
    let replaced = match existing {
        Some(_) if !opts.force => {
            return Err(Error::new(format!(
                "{} already has [profile.{name}]: apply does not replace it without --force (or choose another --profile-name)",
                manifest.display()
            )))
        }
        Some(old) => {
            table.set_position(old.position());
            true
        }
        None => {
            table.set_position(Some(make_room_after_profiles(toml.as_table_mut())));
            false
        }
    };
    let profiles = toml.entry("profile").or_insert_with(|| {
        let mut t = Table::new();
        t.set_implicit(true);
        Item::Table(t)
    });
    let profiles = profiles
        .as_table_mut()
        .ok_or_else(|| Error::new(format!("{}: `profile` is not a table", manifest.display())))?;
    profiles.insert(name, Item::Table(table));
    std::fs::write(&manifest, toml.to_string())
        .map_err(|e| Error::new(format!("{}: cannot write: {e}", manifest.display())))?;

    let rung = Rung {
        variant: &opts.variant,
        doc: &doc,
        base: &base,
        recipe: &recipe,
        profile: name,
        binary: &binary,
        target_dir: &target_dir,
    };
    let commands = rung.commands();
    let mut report = match commands.as_slice() {
        [one] => format!("the `{}` row is built by: {one}\n", opts.variant),
        many => format!(
            "the `{}` row is built by these {} commands, run in this order from {}:\n",
            opts.variant,
            many.len(),
            manifest.parent().unwrap_or(Path::new(".")).display()
        ),
    };
    if commands.len() > 1 {
        report.extend(commands.iter().map(|c| format!("  {c}\n")));
    }
    report.push_str(&format!(
        "{} [profile.{name}] in {}: inherits release; {}\n",
        if replaced { "replaced" } else { "wrote" },
        manifest.display(),
        if written.is_empty() { "nothing differs from release".to_owned() } else { written.join(", ") }
    ));
    report.push_str(&rung.why());
    Ok(report)
}

/// The position a new `[profile.*]` table takes: after the last one (the tables after it move
/// down one), or after everything when there is none.
fn make_room_after_profiles(root: &mut Table) -> isize {
    let last_profile = root.get("profile").and_then(Item::as_table).map(last_position).filter(|p| *p > 0);
    let Some(last) = last_profile else { return last_position(root) + 1 };
    shift_after(root, last);
    last + 1
}

/// Moves every table placed after `position` one place down.
fn shift_after(table: &mut Table, position: isize) {
    for (_, item) in table.iter_mut() {
        let tables: Vec<&mut Table> = match item {
            Item::Table(t) => vec![t],
            Item::ArrayOfTables(a) => a.iter_mut().collect(),
            _ => vec![],
        };
        for t in tables {
            if let Some(p) = t.position().filter(|p| *p > position) {
                t.set_position(Some(p + 1));
            }
            shift_after(t, position);
        }
    }
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
    for key in Key::all().into_iter().filter(|k| k.in_profile()) {
        let field = key.field();
        let (Some(want), have) = (crate::keys::in_json(doc, field), crate::keys::in_json(base, field)) else {
            continue;
        };
        if Some(want) == have {
            continue;
        }
        if let Some(v) = key.of_document(want).as_ref().map(toml_value) {
            written.push(format!("{} = {}", key.name(), v.to_string().trim()));
            table.insert(key.name(), value(v));
        }
    }
    (table, written)
}

/// A row of the report, to be built with the profile `apply` wrote.
struct Rung<'a> {
    variant: &'a str,
    doc: &'a Json,
    base: &'a Json,
    recipe: &'a Json,
    profile: &'a str,
    binary: &'a str,
    target_dir: &'a Path,
}

/// `words` as one shell command line.
fn shell(words: &[String]) -> String {
    shlex::try_join(words.iter().map(String::as_str)).unwrap_or_else(|_| words.join(" "))
}

fn quoted(path: &Path) -> String {
    shell(&[path.display().to_string()])
}

impl Rung<'_> {
    fn cpu(&self) -> Option<&str> {
        let cpu = |doc| in_json_at(doc, "target.cpu");
        cpu(self.doc).filter(|c| cpu(self.base) != Some(*c)).and_then(Json::as_str)
    }

    fn pgo(&self) -> bool {
        in_json_at(self.doc, "profile.pgo").and_then(Json::as_str) == Some("use")
    }

    /// Whether BOLT rewrote the row: its document is that of the build BOLT rewrote, so the
    /// report names such rows.
    fn bolt(&self) -> bool {
        self.recipe["bolt_variants"].as_array().is_some_and(|rows| rows.iter().any(|r| r == self.variant))
    }

    fn tool(&self, key: &str, fallback: &str) -> String {
        self.recipe[key].as_str().map_or_else(|| fallback.to_owned(), |p| quoted(Path::new(p)))
    }

    fn triple(&self) -> &str {
        in_json_at(self.doc, "target.triple").and_then(Json::as_str).unwrap_or("<host triple>")
    }

    /// `cargo build` with the profile and these rustflags (with `--target`, so that build scripts
    /// and proc macros are built without them).
    fn cargo_build(&self, extra: &[String]) -> String {
        let flags: Vec<String> =
            self.cpu().map(|c| format!("-Ctarget-cpu={c}")).into_iter().chain(extra.iter().cloned()).collect();
        if flags.is_empty() {
            return format!("cargo build --profile {}", self.profile);
        }
        let list = flags.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>().join(", ");
        let mut words: Vec<String> =
            ["cargo", "build", "--profile", self.profile, "--target", self.triple()].map(str::to_owned).into();
        words.extend(["--config".to_owned(), format!("build.rustflags=[{list}]")]);
        shell(&words)
    }

    /// The training command run with `binary`, or a comment saying what to run.
    fn train(&self, binary: &Path) -> String {
        match self.recipe["train"].as_array() {
            Some(words) => {
                let words: Vec<String> = words.iter().filter_map(Json::as_str).map(str::to_owned).collect();
                shell(&crate::compare::measure::fill(&words, binary, None))
            }
            None => format!("# run your workload with {} and stop it with SIGTERM", quoted(binary)),
        }
    }

    /// The commands that build this row, in order.
    fn commands(&self) -> Vec<String> {
        let scratch = self.target_dir.join("profile-info").join("apply").join(self.profile);
        let mut built = self.target_dir.to_owned();
        if self.cpu().is_some() || self.pgo() || self.bolt() {
            built.push(self.triple());
        }
        let built = built.join(self.profile).join(self.binary);
        let relocs = self.bolt().then(|| crate::compare::bolt::EMIT_RELOCS.to_owned());
        let mut out = Vec::new();
        if self.pgo() {
            let raw = scratch.join("pgo");
            let merged = raw.join("merged.profdata");
            out.push(format!("rm -rf {}", quoted(&raw)));
            out.push(self.cargo_build(&[format!("-Cprofile-generate={}", raw.display())]));
            out.push(self.train(&built));
            out.push(format!(
                "{} merge -o {} {}",
                self.tool("llvm_profdata", "llvm-profdata"),
                quoted(&merged),
                quoted(&raw)
            ));
            out.push(
                self.cargo_build(
                    &[Some(format!("-Cprofile-use={}", merged.display())), relocs]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>(),
                ),
            );
        } else {
            out.push(self.cargo_build(&relocs.into_iter().collect::<Vec<_>>()));
        }
        if self.bolt() {
            let dir = scratch.join("bolt");
            let bolt = self.tool("llvm_bolt", "llvm-bolt");
            let instrumented = dir.join("instrumented");
            let merged = dir.join("merged.fdata");
            use crate::compare::bolt::{instrument_args, optimise_args};
            out.push(format!("rm -rf {0} && mkdir -p {0}", quoted(&dir)));
            out.push(format!("{bolt} {}", shell(&instrument_args(&built, &instrumented, &dir))));
            out.push(self.train(&instrumented));
            out.push(format!(
                "{} -q -o {} {}/prof.fdata.*",
                self.tool("merge_fdata", "merge-fdata"),
                quoted(&merged),
                quoted(&dir)
            ));
            out.push(format!("{bolt} {}", shell(&optimise_args(&built, &merged, &dir.join(self.binary)))));
        }
        out
    }

    /// Why the commands are more than `cargo build --profile`, and where the binary is.
    fn why(&self) -> String {
        let mut out = String::new();
        if let Some(cpu) = self.cpu() {
            out.push_str(&format!(
                "target-cpu = {cpu} is not a profile key on stable cargo (profile rustflags need nightly -Z profile-rustflags); \
                 it is a rustflag, given with --target so build scripts and proc macros still run on this machine\n"
            ));
        }
        if self.pgo() {
            out.push_str("pgo: a profile cannot hold -Cprofile-generate/-Cprofile-use, which name files a training run produces\n");
        }
        if self.bolt() {
            out.push_str(
                "bolt: BOLT rewrites the linked binary (linked with --emit-relocs); the last command writes it\n",
            );
        }
        out
    }
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
    }

    fn rung<'a>(doc: &'a Json, base: &'a Json, recipe: &'a Json) -> Rung<'a> {
        Rung { variant: "v", doc, base, recipe, profile: "fast", binary: "app", target_dir: Path::new("/t") }
    }

    #[test]
    fn cpu_pgo_and_bolt_are_printed_as_commands() {
        let base = doc("thin-local", 16, "x86-64", "off");
        let none = json!({});
        assert_eq!(rung(&base, &base, &none).commands(), ["cargo build --profile fast"]);
        assert_eq!(rung(&base, &base, &none).why(), "");
        let v3 = doc("fat", 1, "x86-64-v3", "off");
        assert_eq!(
            rung(&v3, &base, &none).commands(),
            ["cargo build --profile fast --target x86_64-unknown-linux-gnu --config 'build.rustflags=[\"-Ctarget-cpu=x86-64-v3\"]'"]
        );
        assert!(rung(&v3, &base, &none)
            .why()
            .starts_with("target-cpu = x86-64-v3 is not a profile key on stable cargo"));
        let pgo = doc("fat", 1, "x86-64", "use");
        let recipe = json!({"llvm_profdata": "/usr/bin/llvm-profdata-22", "train": ["{bin}", "150"],
                            "llvm_bolt": "/usr/bin/llvm-bolt-22", "merge_fdata": "/usr/bin/merge-fdata-22",
                            "bolt_variants": ["v"]});
        let commands = rung(&pgo, &base, &recipe).commands();
        assert_eq!(
            commands[..4],
            [
                "rm -rf /t/profile-info/apply/fast/pgo",
                "cargo build --profile fast --target x86_64-unknown-linux-gnu --config 'build.rustflags=[\"-Cprofile-generate=/t/profile-info/apply/fast/pgo\"]'",
                "/t/x86_64-unknown-linux-gnu/fast/app 150",
                "/usr/bin/llvm-profdata-22 merge -o /t/profile-info/apply/fast/pgo/merged.profdata /t/profile-info/apply/fast/pgo",
            ]
        );
        assert!(commands[4].ends_with(
            "-Cprofile-use=/t/profile-info/apply/fast/pgo/merged.profdata\", \"-Clink-arg=-Wl,--emit-relocs\"]'"
        ));
        assert!(
            commands[6].starts_with("/usr/bin/llvm-bolt-22 /t/x86_64-unknown-linux-gnu/fast/app -instrument"),
            "{commands:?}"
        );
        assert_eq!(commands[7], "/t/profile-info/apply/fast/bolt/instrumented 150");
        assert!(commands[8].starts_with("/usr/bin/merge-fdata-22 -q -o"), "{commands:?}");
        assert_eq!(commands.len(), 10);
    }

    #[test]
    fn values_map_back_to_profile_syntax() {
        let toml = |key: Key, doc: Json| key.of_document(&doc).as_ref().map(|v| toml_value(v).to_string());
        let opt = Key::all().into_iter().find(|k| k.name() == "opt-level").unwrap();
        let debug = Key::all().into_iter().find(|k| k.name() == "debug").unwrap();
        assert_eq!(toml(opt, json!("z")).as_deref(), Some("\"z\""));
        assert_eq!(toml(opt, json!("2")).as_deref(), Some("2"));
        assert_eq!(toml(debug, json!("none")).as_deref(), Some("false"));
        assert_eq!(toml(debug, json!("limited")).as_deref(), Some("\"limited\""));
        assert_eq!(toml(Key::LTO, json!("off")).as_deref(), Some("\"off\""));
        assert_eq!(toml(Key::LTO, json!("thin-local")).as_deref(), Some("false"), "rustc's default is lto = false");
        assert_eq!(toml(Key::CODEGEN_UNITS, json!(16)).as_deref(), Some("16"));
        assert_eq!(toml(Key::LTO, Json::Null), None);
    }
}
