//! The edit-compile cycle in a small repository (`bash scripts/bench.sh edit`): hello worlds, each
//! in its own git repository with one commit, built once into one target dir, then timed by
//! hyperfine (no shell) in two cycles ([`Cycle`]): `touch src/main.rs`, and a real one-line edit
//! of it, each followed by `cargo build -q`, dev profile. The variants take turns in many short
//! rounds of a few runs, and a variant's cost over plain is the median over rounds of its round's
//! time less plain's in the same round and cycle ([`crate::rounds`]): drift and load on a shared
//! machine hit both sides of a difference alike. The large repository's cycle is
//! [`crate::vcs`]'s.

use crate::hello::{self, commit_all, status};
use crate::hyperfine::{self, line};
use crate::{log, registry, rounds};
use cargo_profile_info::Error;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where a variant's profile-info comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// No profile-info.
    None,
    /// This workspace's, by path.
    Path,
    /// The packaged crates, as from crates.io ([`registry`]).
    Registry,
}

/// One hello world.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Variant {
    /// Its package, directory and hyperfine command name.
    pub name: &'static str,
    /// Its row in the table.
    pub title: &'static str,
    /// The line above `fn main`.
    pub attribute: &'static str,
    /// Its profile-info.
    pub source: Source,
}

/// Every variant, in the order of each round; plain first (the others' baseline), the judged one
/// last.
pub const VARIANTS: [Variant; 5] = [
    Variant { name: "plain", title: "plain hello world", attribute: "", source: Source::None },
    Variant {
        name: "dependency",
        title: "profile-info as a dependency, no attribute",
        attribute: "",
        source: Source::Path,
    },
    Variant {
        name: "no-dependency-list",
        title: "#[profile_info::main(dependencies = false)], by path",
        attribute: "#[profile_info::main(dependencies = false)]",
        source: Source::Path,
    },
    Variant {
        name: "attribute",
        title: "#[profile_info::main], by path",
        attribute: "#[profile_info::main]",
        source: Source::Path,
    },
    Variant {
        name: "registry",
        title: "#[profile_info::main], as from crates.io",
        attribute: "#[profile_info::main]",
        source: Source::Registry,
    },
];

/// What changes `src/main.rs` before each timed build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cycle {
    /// `touch`: a new mtime, the same bytes (the package stays clean for git).
    Touch,
    /// A one-line change of code: `sed` switches the greeting between two texts, neither the
    /// committed one, so that every build compiles changed code and git sees the package edited,
    /// as in a run of edits.
    Edit,
}

impl Cycle {
    /// Both, in the order a round runs them.
    pub const ALL: [Cycle; 2] = [Cycle::Touch, Cycle::Edit];

    /// The command hyperfine runs before each build.
    pub fn prepare(self, main_rs: &Path) -> String {
        let file = main_rs.display().to_string();
        match self {
            Cycle::Touch => line(&["touch", &file]),
            Cycle::Edit => line(&[
                "sed",
                "-i",
                "-e",
                "s/\"hello\"/\"hello, edit\"/;t",
                "-e",
                "s/\"hello, edit\"/\"hello, edit!\"/;t",
                "-e",
                "s/\"hello, edit!\"/\"hello, edit\"/",
                &file,
            ]),
        }
    }

    /// How the figures name it.
    pub fn describe(self) -> &'static str {
        match self {
            Cycle::Touch => "touch src/main.rs",
            Cycle::Edit => "a one-line edit of src/main.rs, alternating",
        }
    }

    /// The suffix of its command names and of its package directories (touch has none).
    fn suffix(self) -> &'static str {
        match self {
            Cycle::Touch => "",
            Cycle::Edit => "-edit",
        }
    }
}

/// Runs per command in a round.
pub const RUNS: u32 = 2;
/// hyperfine's warm-up runs per command.
pub const WARMUP: u32 = 1;
/// Rounds by default, and with `--quick`.
pub const ROUNDS: (u32, u32) = (40, 6);

/// One run's settings and places.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Quick mode (the test suite's) leaves out the packaged variant: packaging, vendoring and
    /// building its dependencies again take longer than all the rest.
    pub quick: bool,
    /// Rounds of every variant.
    pub rounds: u32,
    /// The workspace root.
    pub root: PathBuf,
    /// `target/bench/edit`.
    pub work: PathBuf,
}

impl Plan {
    /// The plan for `quick` and `rounds` (the default for the mode when `None`).
    pub fn new(root: &Path, quick: bool, rounds: Option<u32>) -> Plan {
        let rounds = rounds.unwrap_or(if quick { ROUNDS.1 } else { ROUNDS.0 });
        Plan { quick, rounds, root: root.to_owned(), work: root.join("target/bench/edit") }
    }

    /// The variants this run measures.
    pub fn variants(&self) -> Vec<Variant> {
        VARIANTS.into_iter().filter(|v| !self.quick || v.source != Source::Registry).collect()
    }

    /// The target dir every variant but the registry one builds in.
    fn target(&self) -> PathBuf {
        self.work.join("target")
    }

    /// The registry variant's own target dir: cargo takes a registry package of an unchanged name
    /// and version as built, so the packaged crates are cleaned from it before each run.
    fn registry_target(&self) -> PathBuf {
        self.work.join("target-registry")
    }

    /// The `cargo build` options of `variant` beside `-q`: every variant gets the source
    /// replacement when there is a registry variant, so that none pays alone for reading more
    /// configuration (the others take nothing from crates.io, or take it from the vendor
    /// directory too).
    fn build_options(&self, variant: &Variant) -> Vec<String> {
        let mut options = Vec::new();
        if !self.quick {
            options.extend(registry::source_replacement(&self.work.join("vendor")));
        }
        if variant.source == Source::Registry {
            options.extend(["--target-dir".to_owned(), self.registry_target().display().to_string()]);
        }
        options
    }

    /// A variant's package for one cycle: each cycle has its own, so that the edits leave the
    /// touched package as committed.
    fn dir(&self, variant: &Variant, cycle: Cycle) -> PathBuf {
        self.work.join(self.name(variant, cycle))
    }

    /// A variant's package and command name in one cycle.
    fn name(&self, variant: &Variant, cycle: Cycle) -> String {
        format!("{}{}", variant.name, cycle.suffix())
    }

    /// hyperfine's arguments: no shell, the warm-up and runs, then the rounds, each every
    /// variant's touch cycle then every variant's edit cycle, each a change of `src/main.rs`
    /// then `cargo build -q`.
    pub fn hyperfine_args(&self) -> Vec<String> {
        let mut args: Vec<String> =
            ["-N", "--warmup", &WARMUP.to_string(), "--runs", &RUNS.to_string()].map(str::to_owned).into();
        for _ in 0..self.rounds {
            for cycle in Cycle::ALL {
                for v in self.variants() {
                    let dir = self.dir(&v, cycle);
                    let mut build = vec!["cargo".to_owned(), "build".into(), "-q".into(), "--manifest-path".into()];
                    build.push(dir.join("Cargo.toml").display().to_string());
                    build.extend(self.build_options(&v));
                    let prepare = cycle.prepare(&dir.join("src/main.rs"));
                    args.extend(["-n".to_owned(), self.name(&v, cycle), "--prepare".into(), prepare, line(&build)]);
                }
            }
        }
        args
    }

    /// The dependency lines of `variant`.
    fn deps(&self, variant: &Variant) -> String {
        let line = match variant.source {
            Source::None => String::new(),
            Source::Path => format!("profile-info = {{ path = \"{}\" }}", self.root.join("profile-info").display()),
            Source::Registry => "profile-info = \"0.1\"".to_owned(),
        };
        format!("[dependencies]\n{line}")
    }

    /// A variant's package, built once (so that nothing timed builds dependencies) and committed.
    fn prepare(&self, variant: &Variant, cycle: Cycle) -> Result<(), Error> {
        let dir = self.dir(variant, cycle);
        let _ = std::fs::remove_dir_all(&dir);
        let lock = self.root.join("Cargo.lock");
        hello::package(&dir, &self.name(variant, cycle), variant.attribute, &self.deps(variant), Some(&lock))?;
        let cargo = |args: &[&str]| {
            let mut command = Command::new("cargo");
            command
                .args(args)
                .args(self.build_options(variant))
                .current_dir(&dir)
                .env("CARGO_TARGET_DIR", self.target());
            status(&mut command, &format!("cargo {} ({})", args[0], self.name(variant, cycle)))
        };
        if variant.source == Source::Registry {
            let mut clean = vec!["clean", "-q"];
            for name in registry::PUBLISHED {
                clean.extend(["-p", name]);
            }
            cargo(&clean)?;
        }
        cargo(&["build", "-q"])?;
        commit_all(&dir, "hello")
    }

    /// Prepares every variant, times the rounds, and returns the section's figures.
    pub fn run(&self) -> Result<String, Error> {
        if !self.quick {
            log("packaging and vendoring the published crates");
            registry::vendor(&self.root, &self.work)?;
        }
        let variants = self.variants();
        for cycle in Cycle::ALL {
            for v in &variants {
                log(&format!("building {}", self.name(v, cycle)));
                self.prepare(v, cycle)?;
            }
        }
        let json = self.work.join("hyperfine.json");
        let timings =
            hyperfine::run(&self.work, &self.hyperfine_args(), &json, &[("CARGO_TARGET_DIR", &self.target())])?;
        let names: Vec<String> =
            Cycle::ALL.iter().flat_map(|&c| variants.iter().map(move |v| self.name(v, c))).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let titles: Vec<&str> = variants.iter().map(|v| v.title).collect();
        let means = rounds::means(&timings, &names).map_err(Error::new)?;
        // Each round is the touch cycle's commands, then the edit cycle's, each with its own plain.
        let cycle_means = |c: usize| -> Vec<f64> {
            means
                .chunks(names.len())
                .flat_map(|round| round.chunks(variants.len()).nth(c).unwrap_or(&[]))
                .copied()
                .collect()
        };
        let mut text = String::new();
        for (c, cycle) in Cycle::ALL.into_iter().enumerate() {
            let rows = rounds::rows(&cycle_means(c), &titles).map_err(Error::new)?;
            let key = match cycle {
                Cycle::Touch => crate::sections::Judged::OverPlainMs.key().to_owned(),
                Cycle::Edit => format!("edit_{}", crate::sections::Judged::OverPlainMs.key()),
            };
            text += &rounds::render(&rows, RUNS, ("small repository", cycle.describe()), &key);
        }
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hyperfine::tests::bash_words as words;

    fn plan(quick: bool) -> Plan {
        Plan::new(Path::new("/w"), quick, Some(2))
    }

    #[test]
    fn quick_mode_leaves_the_packaged_variant_out() {
        assert_eq!(Plan::new(Path::new("/w"), true, None).rounds, 6);
        assert_eq!(Plan::new(Path::new("/w"), false, None).rounds, 40);
        let names = |p: Plan| p.variants().iter().map(|v| v.name).collect::<Vec<_>>();
        assert_eq!(names(plan(true)), ["plain", "dependency", "no-dependency-list", "attribute"]);
        assert_eq!(names(plan(false)), ["plain", "dependency", "no-dependency-list", "attribute", "registry"]);
        assert_eq!(VARIANTS[0].source, Source::None, "plain is every round's baseline");
    }

    #[test]
    fn rounds_interleave_the_variants() {
        let args = plan(true).hyperfine_args();
        assert_eq!(args[..5], ["-N", "--warmup", "1", "--runs", "2"]);
        let commands: Vec<&[String]> = args[5..].chunks(5).collect();
        let names: Vec<&str> = commands.iter().map(|c| c[1].as_str()).collect();
        let round = [
            "plain",
            "dependency",
            "no-dependency-list",
            "attribute",
            "plain-edit",
            "dependency-edit",
            "no-dependency-list-edit",
            "attribute-edit",
        ];
        assert_eq!(names, [round, round].concat());
        for c in &commands {
            assert_eq!((c[0].as_str(), c[2].as_str()), ("-n", "--prepare"));
            let main_rs = format!("/w/target/bench/edit/{}/src/main.rs", c[1]);
            let prepare = words(&c[3]);
            if c[1].ends_with("-edit") {
                assert_eq!((prepare[0].as_str(), prepare.last()), ("sed", Some(&main_rs)));
            } else {
                assert_eq!(prepare, ["touch", &main_rs]);
            }
            let manifest = format!("/w/target/bench/edit/{}/Cargo.toml", c[1]);
            assert_eq!(
                words(&c[4]),
                ["cargo", "build", "-q", "--manifest-path", &manifest],
                "quick: no source replacement"
            );
        }
    }

    #[test]
    fn every_build_reads_the_source_replacement_and_the_registry_has_its_target() {
        let args = plan(false).hyperfine_args();
        let commands: Vec<&[String]> = args[5..].chunks(5).collect();
        assert_eq!(commands.len(), 20);
        for c in &commands {
            let w = words(&c[4]);
            let config = ["--config", "source.crates-io.replace-with=\"vendored\"", "--config"];
            assert_eq!(w[5..8], config, "{w:?}");
            assert_eq!(w[8], "source.vendored.directory=\"/w/target/bench/edit/vendor\"");
            let target: &[&str] = if c[1].starts_with("registry") {
                &["--target-dir", "/w/target/bench/edit/target-registry"]
            } else {
                &[]
            };
            assert_eq!(w[9..], *target, "{w:?}");
        }
    }

    /// The edit, run by sed as hyperfine runs it (no shell), changes one line of the committed
    /// main.rs, then switches it between two other texts; touch leaves the bytes alone.
    #[test]
    fn the_edit_changes_one_line_and_alternates() {
        let dir = std::env::temp_dir().join(format!("profile-info-bench-edit-{}", std::process::id()));
        let main_rs = dir.join("src/main.rs");
        let committed = hello::main_rs("#[profile_info::main]");
        hello::write(&main_rs, &committed).unwrap();
        let mut seen = vec![committed.clone()];
        for cycle in [Cycle::Edit, Cycle::Edit, Cycle::Edit, Cycle::Touch] {
            let words = words(&cycle.prepare(&main_rs));
            assert!(Command::new(&words[0]).args(&words[1..]).status().unwrap().success());
            seen.push(std::fs::read_to_string(&main_rs).unwrap());
        }
        for pair in seen.windows(2).take(3) {
            let changed = pair[0].lines().zip(pair[1].lines()).filter(|(a, b)| a != b).count();
            assert_eq!((changed, pair[0].lines().count()), (1, pair[1].lines().count()), "{pair:?}");
        }
        assert!(seen[1..].iter().all(|text| *text != committed), "{seen:?}");
        assert_eq!(seen[1], seen[3], "alternating");
        assert_eq!(seen[3], seen[4], "touch keeps the bytes");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn each_variant_depends_as_named() {
        let p = plan(false);
        let deps: Vec<String> = VARIANTS.iter().map(|v| p.deps(v)).collect();
        assert_eq!(deps[0], "[dependencies]\n");
        assert_eq!(deps[1], "[dependencies]\nprofile-info = { path = \"/w/profile-info\" }");
        assert_eq!((&deps[2], &deps[3]), (&deps[1], &deps[1]));
        assert_eq!(deps[4], "[dependencies]\nprofile-info = \"0.1\"");
        assert_eq!(VARIANTS.iter().filter(|v| v.attribute == "#[profile_info::main]").count(), 2);
    }
}
