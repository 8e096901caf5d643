//! The files a command line names: files as given, directories searched for executables (as
//! `go version -m DIR` does), everything else in them skipped without a word.

use crate::Error;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The files to read for `paths`, in order, directories expanded (recursively, sorted, symlinked
/// directories not followed). Files named on the command line are kept whatever they hold, so
/// that a wrong one is reported; problems with directories are returned beside the files.
pub fn files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Error>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => directory(path, &mut found, &mut problems),
            _ => found.push(path.clone()),
        }
    }
    (found, problems)
}

fn directory(dir: &Path, found: &mut Vec<PathBuf>, problems: &mut Vec<Error>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return problems.push(Error::file(dir, crate::read::io_problem(&e))),
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            directory(&path, found, problems);
        } else if std::fs::metadata(&path).is_ok_and(|m| m.is_file()) && looks_executable(&path) {
            found.push(path);
        }
    }
}

/// Whether a file starts like an ELF, Mach-O or PE file (read without loading the rest).
fn looks_executable(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut magic));
    read.is_ok()
        && (magic == *b"\x7fELF"
            || magic[..2] == *b"MZ"
            || [0xfeed_face_u32, 0xfeed_facf, 0xcafe_babe]
                .iter()
                .any(|m| magic == m.to_be_bytes() || magic == m.to_le_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_keep_only_executables() {
        let dir = std::env::temp_dir().join(format!("profile-info-walk-{}", std::process::id()));
        let sub = dir.join("sub");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(dir.join("a.txt"), "text").unwrap();
        std::fs::write(dir.join("empty"), "").unwrap();
        std::fs::write(sub.join("elf"), b"\x7fELF rest").unwrap();
        let exe = std::env::current_exe().unwrap();
        let (found, problems) = files(&[dir.clone(), exe.clone(), dir.join("missing")]);
        assert_eq!(found, [sub.join("elf"), exe, dir.join("missing")]);
        assert!(problems.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
