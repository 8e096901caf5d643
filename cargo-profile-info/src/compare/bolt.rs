//! The `bolt` rung: LLVM's post-link optimiser (BOLT) in instrumentation mode, as cargo-pgo runs
//! it. The binary is linked with `--emit-relocs` (BOLT needs the relocations to move code), then
//! `llvm-bolt -instrument` writes a copy that records its own branches, the training workload runs
//! that copy, `merge-fdata` merges what it wrote, and `llvm-bolt` lays the code out by it. The
//! result is proven from the file: BOLT adds a `.note.bolt_info` section and keeps the original
//! code as `.bolt.org.text`.

use crate::Error;
use object::{Object, ObjectSection};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The rung built with BOLT after PGO.
pub const BOLT: &str = "bolt";

/// The linker flag BOLT needs in the binary it rewrites, for the compared crate alone.
pub const EMIT_RELOCS: &str = "-Clink-arg=-Wl,--emit-relocs";

/// The sections BOLT leaves in every file it rewrites.
pub const SECTIONS: [&str; 2] = [".note.bolt_info", ".bolt.org.text"];

/// `llvm-bolt` and `merge-fdata` of one LLVM release.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tools {
    /// `llvm-bolt`.
    pub bolt: PathBuf,
    /// `merge-fdata`.
    pub merge: PathBuf,
}

/// The BOLT tools on `PATH`: unversioned `llvm-bolt` and `merge-fdata` first, then the pair of the
/// highest LLVM major that has both (Debian's `bolt-22` installs `llvm-bolt-22`, `merge-fdata-22`).
/// `Err` says where it looked.
pub fn find() -> Result<Tools, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    find_in(&std::env::split_paths(&path).collect::<Vec<_>>())
}

/// [`find`] in these directories.
fn find_in(dirs: &[PathBuf]) -> Result<Tools, String> {
    let on_path = |name: &str| dirs.iter().map(|d| d.join(name)).find(|p| p.is_file());
    if let (Some(bolt), Some(merge)) = (on_path("llvm-bolt"), on_path("merge-fdata")) {
        return Ok(Tools { bolt, merge });
    }
    super::pgo::versioned(dirs, "llvm-bolt-")
        .into_iter()
        .find_map(|(n, bolt)| Some(Tools { bolt, merge: on_path(&format!("merge-fdata-{n}"))? }))
        .ok_or_else(|| {
            "BOLT is not installed: no llvm-bolt and merge-fdata (or llvm-bolt-<N> and merge-fdata-<N>) on PATH \
             (Debian: apt-get install bolt-22)"
                .to_owned()
        })
}

fn run(cmd: &mut Command, what: &str) -> Result<(), Error> {
    let out =
        cmd.stdin(Stdio::null()).output().map_err(|e| Error::new(format!("variant {BOLT}: cannot run {what}: {e}")))?;
    if out.status.success() {
        return Ok(());
    }
    Err(Error::new(format!("variant {BOLT}: {what} failed ({}): {}", out.status, super::build::tail(&out.stderr))))
}

/// `llvm-bolt`'s arguments that write `instrumented`, a copy of `input` that saves its profile as
/// `<dir>/prof.fdata.<pid>` when it exits.
pub fn instrument_args(input: &Path, instrumented: &Path, dir: &Path) -> Vec<String> {
    vec![
        input.display().to_string(),
        "-instrument".into(),
        format!("--instrumentation-file={}", dir.join("prof.fdata").display()),
        "--instrumentation-file-append-pid".into(),
        "-o".into(),
        instrumented.display().to_string(),
    ]
}

/// `llvm-bolt`'s arguments that write `output`, `input` laid out by the merged profile `data`
/// (cargo-pgo's options).
pub fn optimise_args(input: &Path, data: &Path, output: &Path) -> Vec<String> {
    let mut args = vec![input.display().to_string(), "-o".into(), output.display().to_string()];
    args.push(format!("-data={}", data.display()));
    args.extend(
        ["-reorder-blocks=ext-tsp", "-reorder-functions=cdsort", "-split-functions", "-split-all-cold", "-split-eh"]
            .map(str::to_owned),
    );
    args.push("-dyno-stats".into());
    args
}

impl Tools {
    /// Writes `instrumented` (see [`instrument_args`]).
    pub fn instrument(&self, input: &Path, instrumented: &Path, dir: &Path) -> Result<(), Error> {
        run(Command::new(&self.bolt).args(instrument_args(input, instrumented, dir)), "llvm-bolt -instrument")
    }

    /// Merges the profiles the instrumented copy wrote in `dir` and writes `output` (see
    /// [`optimise_args`]).
    pub fn optimise(&self, input: &Path, dir: &Path, output: &Path) -> Result<(), Error> {
        let profiles: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("prof.fdata.")))
            .collect();
        if profiles.is_empty() {
            return Err(Error::new(format!(
                "variant {BOLT}: the training run wrote no profile to {}: the program must exit normally",
                dir.display()
            )));
        }
        let merged = dir.join("merged.fdata");
        run(Command::new(&self.merge).arg("-q").arg("-o").arg(&merged).args(&profiles), "merge-fdata")?;
        run(Command::new(&self.bolt).args(optimise_args(input, &merged, output)), "llvm-bolt")
    }
}

/// Whether `binary` is a file BOLT rewrote: `Err` names the section it lacks.
pub fn proven(binary: &Path) -> Result<(), String> {
    let data = std::fs::read(binary).map_err(|e| format!("{}: {e}", binary.display()))?;
    let file = object::File::parse(&*data).map_err(|e| format!("{}: {e}", binary.display()))?;
    let names: Vec<&str> = file.sections().filter_map(|s| s.name().ok()).collect();
    match SECTIONS.iter().find(|s| !names.contains(s)) {
        None => Ok(()),
        Some(missing) => Err(format!("the file has no {missing} section: BOLT did not rewrite it")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_complete_pair_is_used_and_a_missing_one_is_explained() {
        let dir = std::env::temp_dir().join(format!("compare-bolt-tools-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let why = find_in(std::slice::from_ref(&dir)).unwrap_err();
        assert!(why.starts_with("BOLT is not installed") && why.contains("bolt-22"), "{why}");
        for name in ["llvm-bolt-23", "llvm-bolt-22", "merge-fdata-22", "llvm-bolt-binary-analysis"] {
            std::fs::write(dir.join(name), "").unwrap();
        }
        let tools = find_in(std::slice::from_ref(&dir)).unwrap();
        assert_eq!(
            (tools.bolt, tools.merge),
            (dir.join("llvm-bolt-22"), dir.join("merge-fdata-22")),
            "23 has no merge-fdata"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_bolt_did_not_rewrite_is_named() {
        let why = proven(Path::new("/proc/self/exe")).unwrap_err();
        assert_eq!(why, "the file has no .note.bolt_info section: BOLT did not rewrite it");
    }
}
