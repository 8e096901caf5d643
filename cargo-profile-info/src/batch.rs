//! `inspect` and `check` over many files: each file read once (its facts and its document, if
//! any), judged, and reported as one block or one JSON line; a file that cannot be read is one
//! line on stderr and the others go on.

use crate::deps::{self, Dependencies};
use crate::forensics::{cpus, FileFacts, Isa};
use crate::{check, host, Document, Error, Outcome};
use profile_info_core::x86;
use serde_json::{json, Value};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// One file read.
pub struct Input {
    /// What the file proves by itself.
    pub facts: FileFacts,
    /// The embedded document, if there is one.
    pub doc: Option<Document>,
    /// The `.dep-v0` dependency list, if there is one.
    pub deps: Option<Dependencies>,
    /// The file's format, which says why a document is missing.
    pub format: object::BinaryFormat,
}

impl Input {
    /// Reads `path`: its facts, and its document when it has a profile-info section. A section
    /// that is there but damaged is an error, as is a file that is no executable.
    pub fn read(path: &Path) -> Result<Input, Error> {
        let meta = std::fs::metadata(path).map_err(|e| Error::file(path, crate::read::io_problem(&e)))?;
        if meta.is_dir() {
            return Err(Error::file(path, "is a directory, not an executable"));
        }
        let data = std::fs::read(path).map_err(|e| Error::file(path, crate::read::io_problem(&e)))?;
        let facts = FileFacts::read(&data).map_err(|p| Error::file(path, p))?;
        let file = object::File::parse(&*data).map_err(|e| Error::file(path, e.to_string()))?;
        let doc = Document::find(&file).map_err(|p| Error::file(path, p))?;
        let deps = deps::from_object(&data).map_err(|p| Error::file(path, p))?;
        Ok(Input { facts, doc, deps, format: file.format() })
    }

    /// The table features the code outside runtime-dispatched functions needs that the
    /// document's `target.features` does not list; `None` when there is nothing to compare.
    pub fn beyond_document(&self) -> Option<Vec<&'static str>> {
        let listed = self.doc.as_ref()?.info.target.features.as_deref()?;
        let isa = self.facts.isa.value.as_ref()?;
        isa.symbols
            .then(|| isa.required().iter().filter(|f| !listed.iter().any(|l| l == f.name)).map(|f| f.name).collect())
    }
}

/// Runs `one` on every file `paths` name (directories searched), joining the reports. Files that
/// cannot be read are reported on stderr; when none could be, the error lines are the result.
pub fn each(paths: &[PathBuf], mut one: impl FnMut(&Path, Input) -> Result<Outcome, Error>) -> Result<Outcome, Error> {
    let (files, mut problems) = crate::forensics::walk::files(paths);
    let mut report = String::new();
    let mut pass = true;
    let mut read = 0;
    for file in &files {
        match Input::read(file).and_then(|input| one(file, input)) {
            Ok(outcome) => {
                read += 1;
                pass &= outcome.pass;
                report.push_str(&outcome.report);
            }
            Err(e) => problems.push(e),
        }
    }
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    if read == 0 {
        return Err(Error::new(match lines.is_empty() {
            true => "no executable found in the directories given".to_owned(),
            false => lines.join("\n"),
        }));
    }
    for line in lines {
        eprintln!("{line}");
    }
    Ok(Outcome { report, pass, json: Value::Null })
}

/// `inspect --sbom cyclonedx`: the dependency list of `path` as a CycloneDX SBOM.
pub fn sbom(path: &Path) -> Result<Outcome, Error> {
    let input = Input::read(path)?;
    let why = input.doc.as_ref().and_then(|d| d.info.package.dependencies.as_deref()).unwrap_or("no .dep-v0 section");
    let list = input
        .deps
        .as_ref()
        .ok_or_else(|| Error::file(path, format!("no dependency list to write an SBOM from ({why})")))?;
    Ok(Outcome::text(format!("{:#}\n", crate::sbom::cyclonedx(list, input.doc.as_ref())), true))
}

/// `inspect`: the document when there is one, its dependency list, then the file's own facts.
pub fn inspect(path: &Path, input: Input, as_json: bool) -> Outcome {
    let beyond = input.beyond_document();
    if as_json {
        let mut all = json!({
            "path": path.display().to_string(),
            "document": input.doc.as_ref().map_or(Value::Null, |d| d.value.clone()),
            "file": input.facts.json(),
            "dependencies": input.deps.as_ref().map_or(Ok(Value::Null), |d| serde_json::from_str(&d.json)).unwrap_or(Value::Null),
        });
        all["code_beyond_document"] = json!(beyond);
        return Outcome::text(format!("{all}\n"), true);
    }
    let mut report = String::new();
    match &input.doc {
        Some(doc) => report.push_str(&profile_info_core::render::text(&doc.info)),
        None => {
            let _ = writeln!(report, "document:    none ({})", Document::missing(input.format));
        }
    }
    let why_not = input.doc.as_ref().and_then(|d| d.info.package.dependencies.as_deref());
    report.push_str(&deps::text(input.deps.as_ref(), why_not));
    report.push_str(&input.facts.text(&path.display().to_string()));
    match beyond {
        Some(b) if !b.is_empty() => {
            let _ = writeln!(
                report,
                "warning:       the code needs {} beyond the document's target.features",
                b.join(", ")
            );
        }
        _ => {}
    }
    report.push('\n');
    Outcome::text(report, true)
}

/// What `check` asks of each file.
pub struct Checks<'a> {
    /// `--require KEY=VALUE`.
    pub require: &'a [check::Requirement],
    /// `--host`.
    pub host: bool,
    /// `--cpu NAME`.
    pub cpus: &'a [String],
}

/// `check`: requirements on the document, this host, and named CPUs.
pub fn check_one(path: &Path, input: Input, checks: &Checks<'_>, known: &mut cpus::Cpus) -> Result<Outcome, Error> {
    let mut report = String::new();
    let mut all = json!({
        "file": path.display().to_string(),
        "schema": input.doc.as_ref().map(|d| d.schema),
    });
    let mut pass = true;
    if !checks.require.is_empty() {
        let doc = input.doc.as_ref().ok_or_else(|| {
            Error::file(path, "no profile-info section: --require reads the document #[profile_info::main] embeds")
        })?;
        let gate = check::requirements(path, doc, checks.require)?;
        pass &= gate.pass;
        report.push_str(&gate.report);
        all["requirements"] = gate.json["requirements"].clone();
    }
    if checks.host {
        let beyond = input.beyond_document().unwrap_or_default();
        let on_host = match &input.doc {
            Some(doc) if beyond.is_empty() => host::check(path, doc, &host::Host::detect())?,
            _ => host_from_code(path, &input)?,
        };
        pass &= on_host.pass;
        report.push_str(&on_host.report);
        all["host"] = on_host.json;
    }
    if !checks.cpus.is_empty() {
        let triple = cpus::triple(&input.facts.arch)
            .ok_or_else(|| Error::file(path, format!("--cpu checks x86 CPUs; this file is {}", input.facts.arch)))?;
        let needs = Needs::of(path, &input)?;
        let mut verdicts = Vec::new();
        for cpu in checks.cpus {
            let features = known.features(triple, cpu).map_err(|e| Error::file(path, e))?;
            let missing: Vec<&str> =
                needs.features.iter().filter(|f| !cpus::has(features, f.name)).map(|f| f.name).collect();
            let ok = missing.is_empty();
            pass &= ok;
            let _ = match (ok, needs.certain) {
                (true, _) => {
                    writeln!(report, "{}: {cpu} has every CPU feature {}", path.display(), needs.source)
                }
                (false, true) => writeln!(
                    report,
                    "{}: would not run on {cpu}: it lacks {} ({})",
                    path.display(),
                    missing.join(", "),
                    needs.source
                ),
                (false, false) => writeln!(
                    report,
                    "{}: may not run on {cpu}: it lacks {} ({})",
                    path.display(),
                    missing.join(", "),
                    needs.source
                ),
            };
            verdicts.push(json!({"cpu": cpu, "pass": ok, "missing": missing, "source": needs.word}));
        }
        all["cpus"] = verdicts.into();
    }
    all["pass"] = pass.into();
    Ok(Outcome { report, pass, json: all })
}

/// The features a file needs, and where that comes from.
struct Needs {
    features: Vec<&'static x86::Feature>,
    /// Whether lacking one proves the file would not run (not so when dispatched code could not
    /// be set apart).
    certain: bool,
    source: &'static str,
    word: &'static str,
}

impl Needs {
    fn of(path: &Path, input: &Input) -> Result<Needs, Error> {
        if let Some(features) = input.doc.as_ref().and_then(|d| d.info.target.features.as_deref()) {
            // Code the document does not account for (a C library built for more, inline asm)
            // needs its features all the same.
            let beyond = input.beyond_document().unwrap_or_default();
            let mut features = x86::required(features);
            features.extend(beyond.iter().filter_map(|name| x86::feature(name)));
            let (source, word) = match beyond.is_empty() {
                true => ("the document's target.features need", "document"),
                false => (
                    "the document's target.features need, with what the code outside runtime-dispatched functions uses beyond them",
                    "document+isa",
                ),
            };
            return Ok(Needs { features, certain: true, source, word });
        }
        let isa = code(path, input)?;
        Ok(match isa.symbols {
            true => Needs {
                features: isa.required(),
                certain: true,
                source: "the code outside runtime-dispatched functions uses",
                word: "isa",
            },
            false => Needs {
                features: isa.used(),
                certain: false,
                source: "the code uses, some of it perhaps behind a runtime check: no symbols to tell",
                word: "isa-all",
            },
        })
    }
}

fn code<'a>(path: &Path, input: &'a Input) -> Result<&'a Isa, Error> {
    input.facts.isa.value.as_ref().ok_or_else(|| Error::file(path, input.facts.isa.because.clone()))
}

/// `check --host` for a file without a document, or whose code needs more than its document
/// says: the features it needs ([`Needs`]), against this CPU.
fn host_from_code(path: &Path, input: &Input) -> Result<Outcome, Error> {
    let here = host::Host::detect();
    let same = input.facts.arch == here.arch || (here.arch == "x86_64" && input.facts.arch == "x86");
    if !same {
        let report = format!(
            "{}: would not run here: built for {}, this host is {}\n",
            path.display(),
            input.facts.arch,
            here.arch
        );
        return Ok(Outcome {
            report,
            pass: false,
            json: json!({"pass": false, "arch": input.facts.arch, "host_arch": here.arch}),
        });
    }
    let Some(support) = here.support.as_ref() else {
        let report = format!(
            "{}: the same architecture as this host; CPU features are only checked on x86_64\n",
            path.display()
        );
        return Ok(Outcome {
            report,
            pass: true,
            json: json!({"pass": true, "arch": input.facts.arch, "host_arch": here.arch}),
        });
    };
    let needs = Needs::of(path, input)?;
    let missing: Vec<&str> = needs.features.iter().filter(|f| support.lack(f.name).is_some()).map(|f| f.name).collect();
    let host_level = x86::level_name(support.level());
    let report = match missing.is_empty() {
        true => format!("{}: this host's CPU ({host_level}) has every feature {}\n", path.display(), needs.source),
        false => format!(
            "{}: {} here: this host ({host_level}) lacks {} ({})\n",
            path.display(),
            if needs.certain { "would not run" } else { "may not run" },
            missing.join(", "),
            needs.source
        ),
    };
    let pass = missing.is_empty();
    let json = json!({"pass": pass, "arch": input.facts.arch, "host_arch": here.arch, "host_level": host_level,
        "missing": missing, "source": needs.word});
    Ok(Outcome { report, pass, json })
}
