//! The packages the binary was built from, as the `.dep-v0` section cargo-auditable defines
//! (zlib-compressed JSON, `{"packages":[…],"format":1}`), which `cargo audit bin`, Trivy, Grype,
//! Syft, osv-scanner and `rust-audit-info` read.
//!
//! The list comes from `cargo metadata` (see `metadata`), which starts cargo and resolves the
//! whole graph, far more than every compile can pay: its answer is kept in
//! `<target>/<profile>/.profile-info/`, keyed by the package, features, target and cargo's
//! configuration files, and used while `Cargo.lock` and the local manifests keep their size and
//! mtime (a few `stat` calls). The expansion makes rustc track those files, so that changing one
//! recompiles the crate and the list with it.
//!
//! No list is written when cargo-auditable links its own into the same binary (two `.dep-v0`
//! sections would merge into one unreadable one), or when `cargo metadata` cannot answer; the
//! document's `package.dependencies` says which.

use crate::capture::Capture;
use crate::metadata::{self, Package, Resolve};
use profile_info_core::flags::Flags;
use profile_info_core::fnv::Fnv1a;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// What `package.dependencies` says when the section holds the list.
pub const LISTED: &str = "listed";
/// … when cargo-auditable links the section instead.
pub const BY_CARGO_AUDITABLE: &str = "listed by cargo-auditable";
/// … when the attribute turns the list off.
pub const OFF: &str = "off";

/// The list for one compile, or why there is none.
pub struct Deps {
    /// The section's bytes, or the reason for `package.dependencies`.
    pub section: Result<Vec<u8>, &'static str>,
    /// Files whose change must recompile the crate.
    pub tracked: Vec<PathBuf>,
}

impl Deps {
    /// What the document's `package.dependencies` says.
    pub fn status(&self) -> &'static str {
        self.section.as_ref().map_or_else(|reason| *reason, |_| LISTED)
    }
}

/// The dependency list for `#[profile_info::main]`'s expansion; `on` is the attribute's
/// `dependencies` option.
pub fn of(cap: &Capture, on: bool) -> Deps {
    match &cap.flags {
        _ if !on => Deps { section: Err(OFF), tracked: Vec::new() },
        // rust-analyzer and rustdoc: nothing is linked, and `cargo metadata` would run per keystroke.
        None => Deps { section: Err("not compiled by rustc"), tracked: Vec::new() },
        Some(f) if f.test => Deps { section: Err("test harness"), tracked: Vec::new() },
        Some(f) => collect(f, cap.info.rustc.host.as_deref(), cap.profile_dir.as_deref()),
    }
}

/// The dependency list of the binary rustc is compiling with `flags` for `target`.
fn collect(flags: &Flags, target: Option<&str>, profile_dir: Option<&Path>) -> Deps {
    let none = |reason| Deps { section: Err(reason), tracked: Vec::new() };
    if flags.auditable {
        return none(BY_CARGO_AUDITABLE);
    }
    let (Some(cargo), Some(dir)) = (std::env::var_os("CARGO"), std::env::var_os("CARGO_MANIFEST_DIR")) else {
        return none("not built by cargo");
    };
    let Some(target) = flags.target.as_deref().or(target) else { return none("target unknown") };
    let mut features = flags.features.clone();
    features.sort();
    features.dedup();
    let query =
        metadata::Query { cargo: Path::new(&cargo), manifest_dir: Path::new(&dir), features: &features, target };
    let cache = profile_dir.map(|d| d.join(".profile-info").join(key(&query)));
    let found = cache.as_deref().and_then(read).unwrap_or_else(|| {
        let found = answer(&query);
        if let Some(file) = &cache {
            write(file, &found);
        }
        found
    });
    Deps { section: found.list, tracked: found.tracked }
}

/// A `cargo metadata` answer as kept: the section's bytes (compressed once, when cargo is asked)
/// or the reason there is none, and the files it depends on.
struct Found {
    list: Result<Vec<u8>, &'static str>,
    tracked: Vec<PathBuf>,
}

fn answer(q: &metadata::Query<'_>) -> Found {
    match metadata::run(q) {
        Ok((m, resolve)) => {
            let mut tracked = vec![m.workspace_root.join("Cargo.lock"), m.workspace_root.join("Cargo.toml")];
            tracked.extend(m.packages.iter().filter(|p| p.source.is_none()).map(|p| p.manifest_path.clone()));
            tracked.sort();
            tracked.dedup();
            tracked.retain(|p| p.is_file());
            Found { list: Ok(profile_info_core::zlib::compress(encode(&m.packages, &resolve).as_bytes())), tracked }
        }
        Err(reason) => {
            // The files whose change may make cargo answer: the manifest and the nearest lock file.
            let lock = q.manifest_dir.ancestors().map(|d| d.join("Cargo.lock")).find(|p| p.is_file());
            let tracked = std::iter::once(q.manifest_dir.join("Cargo.toml")).chain(lock).filter(|p| p.is_file());
            Found { list: Err(reason), tracked: tracked.collect() }
        }
    }
}

/// cargo-auditable's dependency kinds, weakest first (its `PrivateDepKind`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Dev,
    Build,
    Runtime,
}

fn strongest(kinds: &[Option<String>]) -> Kind {
    let kind = |k: &Option<String>| match k.as_deref() {
        Some("dev") => Kind::Dev,
        Some("build") => Kind::Build,
        _ => Kind::Runtime,
    };
    kinds.iter().map(kind).max().unwrap_or(Kind::Runtime)
}

/// The list as cargo-auditable's `encode_audit_data` builds it from the same metadata: a package's
/// kind is the strongest over every path from the root, a path through a build dependency or a
/// proc macro making everything below it `build`; dev-only packages are left out; packages sorted
/// by name, then id.
fn encode(all: &[Package], m: &Resolve) -> String {
    let nodes: HashMap<&str, &metadata::Node> = m.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    let proc_macros: Vec<&str> = all.iter().filter(|p| p.proc_macro()).map(|p| p.id.as_str()).collect();
    let mut kinds: HashMap<&str, Kind> = HashMap::from([(m.root.as_str(), Kind::Runtime)]);
    let mut queue: Vec<&str> = vec![m.root.as_str()];
    while !queue.is_empty() {
        let mut next = Vec::new();
        for parent in queue {
            let Some(node) = nodes.get(parent) else { continue };
            let parent_kind = kinds[parent];
            for dep in &node.deps {
                let mut kind = strongest(&dep.kinds).min(parent_kind);
                if proc_macros.contains(&dep.pkg.as_str()) {
                    kind = kind.min(Kind::Build);
                }
                if kinds.get(dep.pkg.as_str()).is_none_or(|k| kind > *k) {
                    kinds.insert(&dep.pkg, kind);
                    next.push(dep.pkg.as_str());
                }
            }
        }
        queue = next;
    }
    let mut packages: Vec<_> =
        all.iter().filter(|p| kinds.get(p.id.as_str()).is_some_and(|k| *k != Kind::Dev)).collect();
    packages.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    let index: HashMap<&str, usize> = packages.iter().enumerate().map(|(i, p)| (p.id.as_str(), i)).collect();
    let mut out = String::from("{\"packages\":[");
    for (i, p) in packages.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        use profile_info_core::render::Quoted as q;
        // crates.io's index is named `crates.io`; any other source by its kind (`git`,
        // `registry`, `sparse`), which holds no URL.
        let source = match p.source.as_deref() {
            None => "local",
            Some("registry+https://github.com/rust-lang/crates.io-index") => "crates.io",
            Some(s) => s.split('+').next().unwrap_or(s),
        };
        out += &format!("{{\"name\":{},\"version\":{},\"source\":{}", q(&p.name), q(&p.version), q(source));
        if kinds[p.id.as_str()] == Kind::Build {
            out += ",\"kind\":\"build\"";
        }
        let mut deps: Vec<usize> = nodes
            .get(p.id.as_str())
            .map(|n| n.deps.iter().filter(|d| strongest(&d.kinds) != Kind::Dev))
            .into_iter()
            .flatten()
            .filter_map(|d| index.get(d.pkg.as_str()).copied())
            .collect();
        deps.sort_unstable();
        if !deps.is_empty() {
            let deps: Vec<String> = deps.iter().map(usize::to_string).collect();
            out += &format!(",\"dependencies\":[{}]", deps.join(","));
        }
        if p.id == m.root {
            out += ",\"root\":true";
        }
        out.push('}');
    }
    out += "],\"format\":1}";
    out
}

/// The cache file's name: a hash of everything the query depends on besides the tracked files,
/// including cargo's configuration files (source replacement for a vendored tree, net settings),
/// which may answer differently once one is added or changed: those cargo reads from the package's
/// directory up and from `CARGO_HOME`, by size and mtime, present or not (a few `stat`s).
fn key(q: &metadata::Query<'_>) -> String {
    let mut h = Fnv1a::default();
    (q.cargo, q.manifest_dir, q.features, q.target).hash(&mut h);
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")));
    home.hash(&mut h);
    let dirs = q.manifest_dir.ancestors().map(|d| d.join(".cargo")).chain(home);
    for config in dirs.flat_map(|d| [d.join("config.toml"), d.join("config")]) {
        stamp(&config).hash(&mut h);
    }
    format!("deps-{:016x}", h.finish())
}

/// A file's size and modification time, as the cache compares them.
fn stamp(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(format!("{} {}.{:09}", meta.len(), mtime.as_secs(), mtime.subsec_nanos()))
}

/// Cache file: one `stamp\tpath` line per tracked file, an empty line, then `+` and the section's
/// bytes in hex or `-` and the reason.
fn read(file: &Path) -> Option<Found> {
    let text = std::fs::read_to_string(file).ok()?;
    let (files, list) = text.split_once("\n\n")?;
    let mut tracked = Vec::new();
    for line in files.lines() {
        let (stamp_then, path) = line.split_once('\t')?;
        let path = PathBuf::from(path);
        if stamp(&path)? != stamp_then {
            return None;
        }
        tracked.push(path);
    }
    let list = match list.split_at_checked(1)? {
        ("+", hex) => Ok((0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
            .collect::<Option<_>>()?),
        ("-", reason) => Err(REASONS.iter().copied().find(|r| *r == reason)?),
        _ => return None,
    };
    Some(Found { list, tracked })
}

/// Every reason [`metadata::run`] and [`collect`] give, so that a cached one is `'static`.
const REASONS: &[&str] = &[
    "cargo could not be started",
    "cargo metadata failed",
    "cargo metadata printed no JSON",
    "cargo metadata printed unexpected JSON",
];

fn write(file: &Path, found: &Found) {
    let mut text = String::new();
    for path in &found.tracked {
        // A path that cannot be written on one line is not kept: the next compile asks again.
        let (Some(s), Some(p)) = (stamp(path), path.to_str()) else { return };
        if p.contains(['\n', '\t']) {
            return;
        }
        text += &format!("{s}\t{p}\n");
    }
    text.push('\n');
    match &found.list {
        Ok(bytes) => text += &bytes.iter().fold(String::from("+"), |hex, b| hex + &format!("{b:02x}")),
        Err(reason) => text += &format!("-{reason}"),
    }
    crate::rustc::write(file, &text);
}

/// The expansion's part: the section, when there is a list.
pub fn emit(deps: &Deps) -> String {
    let Ok(bytes) = &deps.section else { return String::new() };
    format!(
        "// The dependency list scanners read (cargo-auditable's format); kept by `used` as the
        // document is.
        #[used]
        #[cfg_attr(target_vendor = \"apple\", unsafe(link_section = \"__DATA,.dep-v0\"))]
        #[cfg_attr(not(any(target_vendor = \"apple\", target_family = \"wasm\")), unsafe(link_section = \".dep-v0\"))]
        static __PROFILE_INFO_DEPS: [u8; {len}] = *{lit};",
        len = bytes.len(),
        lit = crate::code::byte_str_lit(bytes),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use profile_info_core::metadata::{Dep, Node, Target};

    fn pkg(name: &str, source: Option<&str>, proc_macro: bool) -> Package {
        Package {
            id: format!("{}#{name}@1.0.0", source.unwrap_or("path+file:///w")),
            name: name.into(),
            version: "1.0.0".into(),
            source: source.map(str::to_owned),
            manifest_path: PathBuf::from("/w/Cargo.toml"),
            targets: vec![Target {
                name: name.into(),
                kind: vec![if proc_macro { "proc-macro" } else { "lib" }.into()],
            }],
            default_run: None,
        }
    }

    fn dep(p: &Package, kinds: &[Option<&str>]) -> Dep {
        Dep { pkg: p.id.clone(), kinds: kinds.iter().map(|k| k.map(str::to_owned)).collect() }
    }

    /// A kept answer reads back as written, and not once a tracked file changes.
    #[test]
    fn cache_file_reads_back() {
        let dir = std::env::temp_dir().join(format!("profile-info-deps-cache-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (lock, file) = (dir.join("Cargo.lock"), dir.join("deps-test"));
        std::fs::write(&lock, "v1").unwrap();
        let bytes: Vec<u8> = (0..=255).collect();
        write(&file, &Found { list: Ok(bytes.clone()), tracked: vec![lock.clone()] });
        let found = read(&file).expect("a cache hit");
        assert_eq!((found.list, found.tracked), (Ok(bytes), vec![lock.clone()]));
        write(&file, &Found { list: Err(REASONS[1]), tracked: vec![lock.clone()] });
        assert_eq!(read(&file).unwrap().list, Err(REASONS[1]));
        std::fs::write(&lock, "v2, longer").unwrap();
        assert!(read(&file).is_none(), "a changed Cargo.lock misses");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The graph of cargo-auditable's own kind rules: a runtime dependency of a build dependency is
    /// `build`, a package reached both ways is `runtime`, a proc macro is `build`, dev-only
    /// packages are left out.
    #[test]
    fn kinds_as_cargo_auditable_assigns_them() {
        let crates = Some("registry+https://github.com/rust-lang/crates.io-index");
        let app = pkg("app", None, false);
        let cc = pkg("cc", crates, false);
        let shlex = pkg("shlex", crates, false);
        let libc = pkg("libc", Some("git+https://example.com/libc?rev=1#abc"), false);
        let derive = pkg("derive", crates, true);
        let tester = pkg("tester", crates, false);
        let nodes = vec![
            Node {
                id: app.id.clone(),
                deps: vec![
                    dep(&cc, &[Some("build")]),
                    dep(&libc, &[None]),
                    dep(&derive, &[None]),
                    dep(&tester, &[Some("dev")]),
                ],
            },
            Node { id: cc.id.clone(), deps: vec![dep(&shlex, &[None]), dep(&libc, &[None])] },
            Node { id: shlex.id.clone(), deps: vec![] },
            Node { id: libc.id.clone(), deps: vec![] },
            Node { id: derive.id.clone(), deps: vec![] },
            Node { id: tester.id.clone(), deps: vec![] },
        ];
        let resolve = Resolve { root: app.id.clone(), nodes };
        assert_eq!(
            encode(&[tester, shlex, libc, derive, cc, app], &resolve),
            "{\"packages\":[\
             {\"name\":\"app\",\"version\":\"1.0.0\",\"source\":\"local\",\"dependencies\":[1,2,3],\"root\":true},\
             {\"name\":\"cc\",\"version\":\"1.0.0\",\"source\":\"crates.io\",\"kind\":\"build\",\"dependencies\":[3,4]},\
             {\"name\":\"derive\",\"version\":\"1.0.0\",\"source\":\"crates.io\",\"kind\":\"build\"},\
             {\"name\":\"libc\",\"version\":\"1.0.0\",\"source\":\"git\"},\
             {\"name\":\"shlex\",\"version\":\"1.0.0\",\"source\":\"crates.io\",\"kind\":\"build\"}\
             ],\"format\":1}"
        );
    }
}
