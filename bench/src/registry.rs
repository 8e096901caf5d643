//! profile-info as a dependent gets it from crates.io, without crates.io: the four published
//! crates as `cargo package` makes them, unpacked into a vendored directory beside their
//! dependencies (vendored at the workspace's locked versions), with the checksum file a directory
//! source needs. cargo treats a directory source as a registry: no path manifests to load, no
//! freshness check of sources.

use crate::hello::{self, status};
use crate::io;
use cargo_profile_info::Error;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The crates a dependent of profile-info downloads from this workspace.
pub const PUBLISHED: [&str; 4] = ["profile-info", "profile-info-core", "profile-info-macros", "profile-info-start"];

/// One `.crate` file `cargo package` wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packaged {
    /// The file.
    pub file: PathBuf,
    /// The crate's name.
    pub name: String,
    /// `NAME-VERSION`, the directory the file unpacks to.
    pub dir: String,
}

impl Packaged {
    /// The `.crate` file at `file`, named `NAME-VERSION.crate`.
    pub fn of(file: PathBuf) -> Option<Packaged> {
        let dir = file.file_name()?.to_str()?.strip_suffix(".crate")?.to_owned();
        // Names and pre-release parts may hold `-`: the version starts at the first `-` followed by
        // MAJOR.MINOR.PATCH.
        let semver = |rest: &str| {
            let core = rest.split(['-', '+']).next().unwrap_or_default();
            let parts: Vec<&str> = core.split('.').collect();
            parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        };
        let at = dir.match_indices('-').map(|(i, _)| i).find(|&i| semver(&dir[i + 1..]))?;
        Some(Packaged { name: dir[..at].to_owned(), dir, file })
    }
}

/// The `[patch.crates-io]` section that makes a resolution take `crates`, unpacked under
/// `unpacked`, for the crates.io ones.
pub fn patch_section(unpacked: &Path, crates: &[Packaged]) -> String {
    let mut section = String::from("\n[patch.crates-io]\n");
    for c in crates {
        section.push_str(&format!("{} = {{ path = \"{}\" }}\n", c.name, unpacked.join(&c.dir).display()));
    }
    section
}

/// A directory source's `.cargo-checksum.json` for a package whose `.crate` file has this SHA-256:
/// no file checksums (cargo then checks none), the package's for the lock file.
pub fn checksum_json(sha256: &str) -> String {
    format!("{{\"files\":{{}},\"package\":\"{sha256}\"}}")
}

/// The SHA-256 of `file`, in hex, by coreutils' `sha256sum`.
pub fn sha256(file: &Path) -> Result<String, Error> {
    let out = Command::new("sha256sum").arg(file).output().map_err(|e| io("cannot run sha256sum", e))?;
    let text = String::from_utf8_lossy(&out.stdout);
    match text.split_whitespace().next() {
        Some(hex) if out.status.success() && hex.len() == 64 => Ok(hex.to_owned()),
        _ => Err(Error::new(format!("sha256sum {} failed", file.display()))),
    }
}

/// The `--config` pairs that make crates.io be the directory source `vendor`.
pub fn source_replacement(vendor: &Path) -> [String; 4] {
    [
        "--config".into(),
        "source.crates-io.replace-with=\"vendored\"".into(),
        "--config".into(),
        format!("source.vendored.directory=\"{}\"", vendor.display()),
    ]
}

/// Packages the published crates of the workspace at `root`, and makes `work/vendor` a directory
/// source serving them and their dependencies; returns that directory.
pub fn vendor(root: &Path, work: &Path) -> Result<PathBuf, Error> {
    let (crates, unpacked, vendoring, vendor) =
        (work.join("package"), work.join("unpacked"), work.join("vendoring"), work.join("vendor"));
    for dir in [&crates, &unpacked, &vendoring, &vendor] {
        let _ = std::fs::remove_dir_all(dir);
    }
    let mut package = Command::new("cargo");
    package.args(["package", "-q", "--no-verify", "--allow-dirty", "--target-dir"]).arg(&crates).current_dir(root);
    for name in PUBLISHED {
        package.args(["-p", name]);
    }
    status(&mut package, "cargo package")?;
    let listing = crates.join("package");
    let mut packaged: Vec<Packaged> = std::fs::read_dir(&listing)
        .map_err(|e| io(&listing.display().to_string(), e))?
        .filter_map(|entry| Packaged::of(entry.ok()?.path()))
        .collect();
    packaged.sort_by(|a, b| a.name.cmp(&b.name));
    std::fs::create_dir_all(&unpacked).map_err(|e| io(&unpacked.display().to_string(), e))?;
    for c in &packaged {
        status(Command::new("tar").arg("-xzf").arg(&c.file).arg("-C").arg(&unpacked), "tar -x")?;
    }
    // A package depending on profile-info from crates.io, the unpacked crates patched in: `cargo
    // vendor` takes the rest at the versions the workspace locks.
    let deps = format!("[dependencies]\nprofile-info = \"0.1\"\n{}", patch_section(&unpacked, &packaged));
    hello::package(&vendoring, "vendoring", "", &deps, Some(&root.join("Cargo.lock")))?;
    status(Command::new("cargo").args(["vendor", "-q"]).arg(&vendor).current_dir(&vendoring), "cargo vendor")?;
    // `cargo vendor` makes no directory when there is nothing beyond the patched crates to vendor
    // (profile-info's default graph is only its own crates).
    std::fs::create_dir_all(&vendor).map_err(|e| io(&vendor.display().to_string(), e))?;
    for c in &packaged {
        let to = vendor.join(&c.dir);
        status(Command::new("cp").arg("-r").arg(unpacked.join(&c.dir)).arg(&to), "cp -r")?;
        hello::write(&to.join(".cargo-checksum.json"), &checksum_json(&sha256(&c.file)?))?;
    }
    Ok(vendor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_files_name_their_crate_and_directory() {
        let p = Packaged::of("/t/package/profile-info-core-0.1.0.crate".into()).unwrap();
        assert_eq!((p.name.as_str(), p.dir.as_str()), ("profile-info-core", "profile-info-core-0.1.0"));
        assert_eq!(Packaged::of("/t/x-2-1.0.0-rc-1.crate".into()).unwrap().name, "x-2");
        assert_eq!(Packaged::of("/t/profile-info-0.1.0.crate".into()).unwrap().name, "profile-info");
        assert_eq!(Packaged::of("/t/profile-info-0.1.0".into()), None, "not a .crate file");
        assert_eq!(Packaged::of("/t/noversion.crate".into()), None);
    }

    #[test]
    fn sha256_is_coreutils_answer() {
        // FIPS 180-2's example: SHA-256 of "abc".
        let file = std::env::temp_dir().join(format!("bench-sha-{}", std::process::id()));
        std::fs::write(&file, "abc").unwrap();
        assert_eq!(sha256(&file).unwrap(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        std::fs::remove_file(&file).unwrap();
        assert!(sha256(Path::new("/nonexistent/file.crate")).is_err());
    }

    /// The directory source as cargo reads it: a scratch crate packaged, unpacked beside its
    /// checksum file, and a dependent resolved against it, offline, through the same `--config`
    /// and patch section the benchmark writes; cargo's lock file then names the checksum.
    #[test]
    fn cargo_takes_the_directory_source_and_the_patch() {
        let work = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("target/bench/unit/registry");
        let _ = std::fs::remove_dir_all(&work);
        hello::package(&work.join("dep"), "unit-dep", "", "", None).unwrap();
        hello::write(&work.join("dep/src/lib.rs"), "//! A library to depend on.\n").unwrap();
        let cargo = |dir: &Path, args: &[&str]| {
            let out = Command::new(env!("CARGO")).args(args).current_dir(dir).env_remove("CARGO_TARGET_DIR").output();
            let out = out.unwrap();
            assert!(out.status.success(), "cargo {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        cargo(&work.join("dep"), &["package", "-q", "--no-verify", "--allow-dirty", "--offline"]);
        let file = work.join("dep/target/package/unit-dep-0.1.0.crate");
        let packaged = Packaged::of(file.clone()).unwrap();
        let vendor = work.join("vendor");
        std::fs::create_dir_all(&vendor).unwrap();
        status(Command::new("tar").arg("-xzf").arg(&file).arg("-C").arg(&vendor), "tar").unwrap();
        let sha = sha256(&file).unwrap();
        hello::write(&vendor.join("unit-dep-0.1.0/.cargo-checksum.json"), &checksum_json(&sha)).unwrap();

        // From the directory source: the lock file holds the checksum file's.
        let app = work.join("app");
        hello::package(&app, "unit-app", "", "[dependencies]\nunit-dep = \"0.1\"", None).unwrap();
        let mut args = vec!["generate-lockfile".to_owned(), "--offline".to_owned()];
        args.extend(source_replacement(&vendor));
        cargo(&app, &args.iter().map(String::as_str).collect::<Vec<_>>());
        let lock = std::fs::read_to_string(app.join("Cargo.lock")).unwrap();
        assert!(lock.contains(&format!("name = \"unit-dep\"\nversion = \"0.1.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{sha}\"")), "{lock}");

        // Patched: the same dependency resolves to the unpacked path.
        let patched = work.join("patched");
        let deps = format!("[dependencies]\nunit-dep = \"0.1\"\n{}", patch_section(&vendor, &[packaged]));
        hello::package(&patched, "unit-patched", "", &deps, None).unwrap();
        let out = Command::new(env!("CARGO"))
            .args(["metadata", "--format-version", "1", "--offline"])
            .args(source_replacement(&vendor))
            .current_dir(&patched)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let dep = meta["packages"].as_array().unwrap().iter().find(|p| p["name"] == "unit-dep").unwrap();
        assert_eq!(
            dep["manifest_path"].as_str().unwrap(),
            vendor.join("unit-dep-0.1.0/Cargo.toml").to_str().unwrap(),
            "{dep}"
        );
        assert!(dep["source"].is_null(), "a path package: {dep}");
        std::fs::remove_dir_all(&work).unwrap();
    }
}
