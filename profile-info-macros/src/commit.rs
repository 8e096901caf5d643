//! The commit's committer time and exact tag (`vcs.time`, `vcs.tag`), asked of git once per
//! revision and state of the tags: the answer is kept in `<target>/<profile>/.profile-info/` under
//! a hash of the revision and the size and mtime of `packed-refs` and of the `refs/tags`
//! directory (which a new, moved or deleted loose tag changes), so a cache hit is two `stat`s and
//! a small read. A tag made after the last compile shows at the next one.

use profile_info_core::fnv::Fnv1a;
use std::hash::{Hash, Hasher};
use std::path::Path;

/// What git says of a commit; `None` where it could not say.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Commit {
    pub time: Option<String>,
    pub tag: Option<String>,
}

/// The commit `revision` of the checkout at `work_tree` (refs in `common`), read through the cache
/// in `cache` when there is one.
pub fn describe(work_tree: &Path, common: &Path, revision: &str, cache: Option<&Path>) -> Commit {
    let file = cache.map(|dir| dir.join(".profile-info").join(key(common, revision)));
    if let Some(text) = file.as_deref().and_then(|f| std::fs::read_to_string(f).ok()) {
        return parse(&text);
    }
    let Some(out) = crate::vcs::git(work_tree, &["log", "-1", "--format=%ct%n%D", revision]) else {
        return Commit::default();
    };
    let text = String::from_utf8_lossy(&out);
    let mut lines = text.lines();
    let time = lines.next().and_then(|t| t.trim().parse::<u64>().ok()).map(profile_info_core::render::rfc3339);
    let mut tags: Vec<&str> = lines.next().unwrap_or("").split(", ").filter_map(|d| d.strip_prefix("tag: ")).collect();
    tags.sort_unstable();
    let commit = Commit { time, tag: tags.first().map(|t| (*t).to_owned()) };
    if let (Some(file), Some(_)) = (file, &commit.time) {
        let line = |v: &Option<String>| v.clone().unwrap_or_default();
        crate::rustc::write(&file, &format!("{}\n{}\n", line(&commit.time), line(&commit.tag)));
    }
    commit
}

fn key(common: &Path, revision: &str) -> String {
    let mut h = Fnv1a::default();
    revision.hash(&mut h);
    for path in [common.join("packed-refs"), common.join("refs").join("tags")] {
        let meta = std::fs::metadata(&path).ok();
        (meta.as_ref().map(std::fs::Metadata::len), meta.and_then(|m| m.modified().ok())).hash(&mut h);
    }
    format!("commit-{:016x}", h.finish())
}

fn parse(text: &str) -> Commit {
    let mut lines = text.lines().map(|l| Some(l.to_owned()).filter(|l| !l.is_empty()));
    Commit { time: lines.next().flatten(), tag: lines.next().flatten() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_answers_read_back() {
        assert_eq!(
            parse("2026-11-24T22:58:09Z\nv1.0\n"),
            Commit { time: Some("2026-11-24T22:58:09Z".into()), tag: Some("v1.0".into()) }
        );
        assert_eq!(parse("2026-11-24T22:58:09Z\n\n"), Commit { time: Some("2026-11-24T22:58:09Z".into()), tag: None });
    }
}
