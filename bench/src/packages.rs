//! The variants' packages: one directory each under `target/bench/src`, its dependencies fetched
//! before anything is timed, all committed to one git repository so that the revision fact has a
//! true value.

use crate::hello::{self, commit_all, manifest};
use crate::peers::Peer;
use crate::{io, log, Dirs};
use cargo_profile_info::harness::{cargo, tail};
use cargo_profile_info::Error;

/// Writes each variant's package, fetches its dependencies and commits them all to one git
/// repository (so the revision fact has a true value).
pub fn write(dirs: &Dirs, peers: &[&Peer]) -> Result<(), Error> {
    let _ = std::fs::remove_dir_all(&dirs.src);
    for dir in [&dirs.src, &dirs.targets, &dirs.logs, &dirs.bench.join("out")] {
        std::fs::create_dir_all(dir).map_err(|e| io(&dir.display().to_string(), e))?;
    }
    for peer in peers {
        let dir = dirs.src.join(peer.name);
        let deps = peer.deps.replace("{root}", &dirs.root.display().to_string());
        hello::write(&dir.join("Cargo.toml"), &manifest(&format!("bench-{}", peer.name), &deps))?;
        hello::write(&dir.join("src/main.rs"), peer.main_rs)?;
        if let Some(build_rs) = peer.build_rs {
            hello::write(&dir.join("build.rs"), build_rs)?;
        }
        if peer.krate == Some("profile-info") {
            std::fs::copy(dirs.root.join("Cargo.lock"), dir.join("Cargo.lock")).map_err(|e| io("Cargo.lock", e))?;
        }
        log(&format!("fetching {}", peer.name));
        let out = cargo().args(["fetch", "--quiet"]).current_dir(&dir).output().map_err(|e| io("cargo fetch", e))?;
        if !out.status.success() {
            return Err(Error::new(format!("cargo fetch failed for {}: {}", peer.name, tail(&out.stderr))));
        }
    }
    hello::write(&dirs.src.join(".gitignore"), "target/\n")?;
    commit_all(&dirs.src, "benchmark variants")
}
