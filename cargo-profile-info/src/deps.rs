//! The dependency list a binary carries in its `.dep-v0` section, in cargo-auditable's format
//! (written by `#[profile_info::main]` or by `cargo auditable build`): zlib-compressed JSON
//! `{"packages":[{"name","version","source","kind","dependencies","root"}],"format":1}`.

use crate::Error;
use object::{Object, ObjectSection};
use serde_json::Value;
use std::path::Path;

/// The section's name (in the `__DATA` segment on Mach-O).
pub const SECTION: &str = ".dep-v0";

/// The most the list may decompress to: what cargo-auditable's own readers allow, far above any
/// real list, and a bound on a hostile file's zip bomb.
pub const MAX_DECOMPRESSED: usize = 8 << 20;

/// One package of the list.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Package {
    /// The crate's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// `crates.io`, `local`, `git`, `registry`, or another source kind.
    pub source: String,
    /// Whether it is only used at build time (a build dependency, a proc macro, or theirs).
    pub build: bool,
    /// Whether it is the binary's own package.
    pub root: bool,
    /// The packages it depends on, by index in the list.
    pub dependencies: Vec<usize>,
}

/// A binary's dependency list.
#[derive(Debug, Clone)]
pub struct Dependencies {
    /// The decompressed JSON as the section holds it.
    pub json: String,
    /// Its packages, in the section's order (sorted by name).
    pub packages: Vec<Package>,
}

/// The list in the executable at `path`; `None` when it has none, or is no executable (what
/// reading its document reports).
pub fn from_file(path: &Path) -> Result<Option<Dependencies>, Error> {
    let data = std::fs::read(path).map_err(|e| Error::file(path, crate::read::io_problem(&e)))?;
    from_object(&data).map_err(|problem| Error::file(path, problem))
}

/// The list in the `.dep-v0` section of an executable's bytes; `None` when it has none, or is
/// no executable.
pub fn from_object(data: &[u8]) -> Result<Option<Dependencies>, String> {
    let Ok(file) = object::File::parse(data) else { return Ok(None) };
    let segment = (file.format() == object::BinaryFormat::MachO).then_some("__DATA");
    let found = file
        .sections()
        .find(|s| s.name() == Ok(SECTION) && segment.is_none_or(|seg| s.segment_name() == Ok(Some(seg))));
    let Some(found) = found else { return Ok(None) };
    let bytes = found.data().map_err(|e| format!("cannot read the {SECTION} section: {e}"))?;
    from_section(bytes).map(Some)
}

/// Decompresses and checks the contents of a `.dep-v0` section.
pub fn from_section(bytes: &[u8]) -> Result<Dependencies, String> {
    use miniz_oxide::inflate::{decompress_to_vec_zlib_with_limit, TINFLStatus};
    let data = decompress_to_vec_zlib_with_limit(bytes, MAX_DECOMPRESSED).map_err(|e| match e.status {
        TINFLStatus::HasMoreOutput => format!("the {SECTION} dependency list is larger than 8 MiB uncompressed"),
        _ => format!("the {SECTION} dependency list is not zlib data"),
    })?;
    let json = String::from_utf8(data).map_err(|_| format!("the {SECTION} dependency list is not UTF-8"))?;
    let value: Value =
        serde_json::from_str(&json).map_err(|e| format!("the {SECTION} dependency list is not valid JSON: {e}"))?;
    let packages =
        packages(&value).ok_or_else(|| format!("the {SECTION} dependency list is not in cargo-auditable's format"))?;
    Ok(Dependencies { json, packages })
}

fn packages(value: &Value) -> Option<Vec<Package>> {
    let list = value.get("packages")?.as_array()?;
    list.iter()
        .map(|p| {
            let text = |key: &str| p.get(key)?.as_str().map(str::to_owned);
            let build = match p.get("kind").map(Value::as_str) {
                None | Some(Some("runtime")) => false,
                Some(Some("build")) => true,
                _ => return None,
            };
            let dependencies = p.get("dependencies").map_or(Some(&[][..]), |d| d.as_array().map(Vec::as_slice))?;
            let dependencies = dependencies
                .iter()
                .map(|d| d.as_u64().and_then(|i| usize::try_from(i).ok()).filter(|i| *i < list.len()))
                .collect::<Option<Vec<usize>>>()?;
            Some(Package {
                name: text("name")?,
                version: text("version")?,
                source: text("source")?,
                build,
                root: p.get("root").map_or(Some(false), Value::as_bool)?,
                dependencies,
            })
        })
        .collect()
}

/// The `deps` block of `inspect`: a count, then `dep NAME VERSION SOURCE` per package but the
/// binary's own, `build` after those used only to build it.
pub fn text(deps: Option<&Dependencies>, why_not: Option<&str>) -> String {
    let Some(deps) = deps else {
        return format!("deps:        none ({})\n", why_not.unwrap_or("no .dep-v0 section"));
    };
    let others: Vec<&Package> = deps.packages.iter().filter(|p| !p.root).collect();
    let mut out = format!("deps:        {} packages ({SECTION})\n", others.len());
    for p in others {
        let build = if p.build { " build" } else { "" };
        out += &format!("dep {} {} {}{build}\n", p.name, p.version, p.source);
    }
    out
}

/// `diff`'s lines for the lists of two binaries: `dep NAME: +VERSION` (added), `-VERSION`
/// (removed) or `A → B` (changed), by name; a package present at several versions is compared as
/// its set of versions.
pub fn diff(a: &[Package], b: &[Package]) -> Vec<(String, String)> {
    use std::collections::BTreeMap;
    let versions = |list: &[Package]| {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for p in list.iter().filter(|p| !p.root) {
            map.entry(p.name.clone()).or_default().push(p.version.clone());
        }
        map
    };
    let (va, vb) = (versions(a), versions(b));
    let names: std::collections::BTreeSet<&String> = va.keys().chain(vb.keys()).collect();
    let mut out = Vec::new();
    for name in names {
        let change = match (va.get(name), vb.get(name)) {
            (None, Some(v)) => format!("+{}", v.join(",")),
            (Some(v), None) => format!("-{}", v.join(",")),
            (Some(x), Some(y)) if x != y => format!("{} → {}", x.join(","), y.join(",")),
            _ => continue,
        };
        out.push((name.clone(), change));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zlib(json: &str) -> Vec<u8> {
        miniz_oxide::deflate::compress_to_vec_zlib(json.as_bytes(), 6)
    }

    #[test]
    fn reads_the_format_and_refuses_anything_else() {
        let list = r#"{"packages":[{"name":"app","version":"0.1.0","source":"local","dependencies":[1],"root":true},{"name":"cc","version":"1.2.0","source":"crates.io","kind":"build"}],"format":1}"#;
        let deps = from_section(&zlib(list)).unwrap();
        assert_eq!(deps.json, list);
        assert_eq!(deps.packages.len(), 2);
        assert!(deps.packages[0].root && deps.packages[1].build);
        assert_eq!(text(Some(&deps), None), "deps:        1 packages (.dep-v0)\ndep cc 1.2.0 crates.io build\n");
        for (bad, says) in [
            (b"not zlib".to_vec(), "not zlib data"),
            (zlib("\u{1}"), "not valid JSON"),
            (zlib(r#"{"packages":[{"name":"a"}]}"#), "cargo-auditable's format"),
            (zlib(r#"{"packages":[{"name":"a","version":"1","source":"local","dependencies":[3]}]}"#), "format"),
            (zlib(r#"{"packages":[{"name":"a","version":"1","source":"local","kind":"dev"}]}"#), "format"),
            (zlib(&" ".repeat(MAX_DECOMPRESSED + 1)), "larger than 8 MiB"),
        ] {
            let err = from_section(&bad).unwrap_err();
            assert!(err.contains(says) && !err.contains('\n'), "{err}");
        }
    }

    #[test]
    fn diff_by_name() {
        let p = |name: &str, version: &str| Package {
            name: name.into(),
            version: version.into(),
            source: "crates.io".into(),
            build: false,
            root: false,
            dependencies: vec![],
        };
        let a = [p("libc", "0.2.1"), p("log", "0.4.0"), p("syn", "1.0.0"), p("syn", "2.0.0")];
        let b = [p("libc", "0.2.2"), p("serde", "1.0.0"), p("syn", "2.0.0")];
        assert_eq!(
            diff(&a, &b),
            [
                ("libc".into(), "0.2.1 → 0.2.2".into()),
                ("log".into(), "-0.4.0".into()),
                ("serde".into(), "+1.0.0".into()),
                ("syn".into(), "1.0.0,2.0.0 → 2.0.0".into()),
            ]
        );
    }
}
