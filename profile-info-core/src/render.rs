//! The renderings of a document, all walking [`crate::schema::FIELDS`]: the JSON
//! (`--build-info=json`, the embedded section), the human-readable summary (`--build-info`,
//! `Accept: text/plain`, `cargo profile-info inspect`) and its one-line form for logs.

use crate::model::{BuildInfo, Str};
use crate::schema::{Text, Value, FIELDS, LINES};
use std::fmt::{Display, Write};

/// The document as compact JSON, fields in schema order: the bytes `--build-info=json` prints
/// and the section holds. Written here rather than with serde so that the proc macro does not
/// depend on serde's derive; with feature `serde`, `serde_json::to_string` gives the same bytes
/// (tested).
#[inline]
pub fn json(info: &BuildInfo) -> String {
    let mut out = String::with_capacity(1024);
    out.push('{');
    // Groups are contiguous runs of the table (tested in `schema`).
    for (n, run) in FIELDS
        .chunk_by(|a, b| a.group().is_some() && a.group().map(|g| g.name) == b.group().map(|g| g.name))
        .enumerate()
    {
        if n > 0 {
            out.push(',');
        }
        match run[0].group() {
            None => member(&mut out, run[0].key, (run[0].get)(info)),
            Some(group) if !(group.present)(info) => {
                let _ = write!(out, "\"{}\":null", group.name);
            }
            Some(group) => {
                let _ = write!(out, "\"{}\":{{", group.name);
                for (i, f) in run.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    member(&mut out, f.name(), (f.get)(info));
                }
                out.push('}');
            }
        }
    }
    out.push('}');
    out
}

#[inline]
fn member(out: &mut String, name: &str, value: Value<'_>) {
    let _ = write!(out, "\"{name}\":");
    write_value(out, value);
}

/// Appends one value as JSON.
#[inline]
pub fn write_value(out: &mut String, value: Value<'_>) {
    let _ = match value {
        Value::Null => write!(out, "null"),
        Value::Str(s) => write!(out, "{}", Quoted(s)),
        Value::Bool(b) => write!(out, "{b}"),
        Value::Count(n) => write!(out, "{n}"),
        Value::List(items) => write!(out, "{}", List(items)),
    };
}

/// Displays as a JSON string literal, escaped as serde_json escapes it (also used by
/// `/buildinfo`'s runtime section).
pub struct Quoted<S>(pub S);

impl<S: AsRef<str>> Display for Quoted<S> {
    #[inline]
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_char('"')?;
        for c in self.0.as_ref().chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                '\u{8}' => f.write_str("\\b")?,
                '\u{c}' => f.write_str("\\f")?,
                c if (c as u32) < 0x20 => write!(f, "\\u{:04x}", c as u32)?,
                c => f.write_char(c)?,
            }
        }
        f.write_char('"')
    }
}

struct List<'a>(&'a [Str]);

impl Display for List<'_> {
    #[inline]
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_char('[')?;
        for (i, s) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_char(',')?;
            }
            write!(f, "{}", Quoted(s))?;
        }
        f.write_char(']')
    }
}

/// Renders the summary: one line per part of the document, `unknown` for what could not be
/// captured.
#[inline]
pub fn text(info: &BuildInfo) -> String {
    let mut s = String::new();
    for line in lines_of(info, true) {
        s.push_str(&line);
        s.push('\n');
    }
    s
}

/// The summary without its first (package) line: what follows the name and version clap
/// prints for `--version`.
#[inline]
pub fn details(info: &BuildInfo) -> String {
    let mut s = String::new();
    for line in &lines_of(info, true)[1..] {
        s.push_str(line);
        s.push('\n');
    }
    s
}

/// The summary on one line for a log, lists left out: `app 0.3.1; crate: bin (features none,
/// schema 2); profile: release (opt-level 3, …); …`.
#[inline]
pub fn line(info: &BuildInfo) -> String {
    let joined = lines_of(info, false).join("; ");
    let mut s = String::with_capacity(joined.len());
    for word in joined.split_whitespace() {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(word);
    }
    s
}

/// The summary's lines, the list-only ones left out unless `with_lists`. Loops rather than
/// iterator adapters: at opt-level 0 each adapter is a function of its own in this crate's
/// archive, which every debug link of a dependent reads, and the proc macro runs this
/// unoptimised at every build.
#[inline]
fn lines_of(info: &BuildInfo, with_lists: bool) -> Vec<String> {
    let mut lines = Vec::with_capacity(LINES.len());
    for &title in LINES {
        let (mut heads, mut parts, mut lists) = (Vec::new(), Vec::new(), Vec::new());
        let (mut only_lists, mut absent) = (true, true);
        for f in FIELDS {
            if f.line != title {
                continue;
            }
            only_lists &= f.text == Text::List;
            absent &= f.group_absent(info);
            let value = (f.get)(info);
            match f.text {
                Text::Head => heads.push(shown(value)),
                Text::Part(name) => parts.push(format!("{name} {}", shown(value))),
                Text::PartOrNone(name, known) if value == Value::Null && is_known(info, known) => {
                    parts.push(format!("{name} none"))
                }
                Text::PartOrNone(name, _) => parts.push(format!("{name} {}", shown(value))),
                Text::List => lists.push(shown(value)),
            }
        }
        if !with_lists && only_lists {
            continue;
        }
        let mut s = if title.is_empty() { String::new() } else { format!("{:<13}", format!("{title}:")) };
        if absent {
            s.push_str("none");
        } else {
            s.push_str(&heads.join(" "));
            match (heads.is_empty(), parts.is_empty()) {
                (_, true) => {}
                (true, false) => s.push_str(&parts.join(", ")),
                (false, false) => {
                    let _ = write!(s, " ({})", parts.join(", "));
                }
            }
            s.push_str(&lists.join(" "));
        }
        lines.push(s);
    }
    lines
}

/// Whether the field keyed `key` has a value in `info`.
#[inline]
fn is_known(info: &BuildInfo, key: &str) -> bool {
    for f in FIELDS {
        if f.key == key {
            return (f.get)(info) != Value::Null;
        }
    }
    false
}

/// A value as the summary shows it.
#[inline]
fn shown(value: Value<'_>) -> String {
    match value {
        Value::Null => "unknown".into(),
        Value::Str("") => "none".into(),
        Value::Str(s) => s.into(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::Count(n) => n.to_string(),
        Value::List([]) => "none".into(),
        Value::List(items) => items.join(" "),
    }
}

/// Renders the summary ([`text`]), or the compile-time rendering when there is one.
impl Display for BuildInfo {
    #[inline]
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.text() {
            Some(text) => f.write_str(text),
            None => f.write_str(&text(self)),
        }
    }
}

/// `2026-11-24T22:58:09Z` for seconds since the Unix epoch (UTC, as `vcs.time` and
/// `/buildinfo`'s `started_at` write it), without a date library (days to civil
/// date: H. Hinnant's algorithm).
#[inline]
pub fn rfc3339(secs: u64) -> String {
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use std::borrow::Cow;

    fn list(items: &[&'static str]) -> Option<Cow<'static, [Str]>> {
        Some(Cow::Owned(items.iter().map(|&s| Cow::Borrowed(s)).collect()))
    }

    fn sample(name: &'static str, vcs: Option<Vcs>) -> BuildInfo {
        let s = |v: &'static str| Some(Cow::Borrowed(v));
        let mut info = BuildInfo::__EMPTY;
        info.crate_type = s("bin");
        info.package.name = s(name);
        info.package.version = s("1.2.3");
        info.package.features = list(&["default", "tls"]);
        info.package.dependencies = s("listed");
        let p = &mut info.profile;
        p.name = s("production");
        p.opt_level = Some(OptLevel::Z);
        p.debuginfo = Some(DebugInfo::LineTablesOnly);
        p.strip = Some(Strip::Symbols);
        p.lto = Some(Lto::Fat);
        p.codegen_units = Some(1);
        p.panic = Some(Panic::Abort);
        p.pgo = Some(Pgo::Use);
        p.debug_assertions = Some(false);
        p.overflow_checks = Some(true);
        p.incremental = Some(false);
        p.force_frame_pointers = s("always");
        p.relocation_model = s("target-default");
        p.code_model = s("target-default");
        p.instrument_coverage = Some(false);
        p.sanitizers = list(&["address", "leak"]);
        p.link_dead_code = Some(false);
        p.control_flow_guard = s("off");
        let t = &mut info.target;
        t.triple = s("x86_64-unknown-linux-gnu");
        t.arch = s("x86_64");
        t.os = s("linux");
        t.env = s("gnu");
        t.cpu = s("znver4");
        t.cpu_native = Some(true);
        t.features = list(&["avx2", "sse4.1"]);
        t.unchecked_features = list(&[]);
        t.level = s("x86-64-v3");
        info.rustc.version = s("1.95.0");
        info.rustc.channel = s("stable");
        info.rustc.llvm_version = s("22.1.2");
        info.rustc.host = s("x86_64-unknown-linux-gnu");
        info.vcs = vcs;
        info
    }

    fn vcs(revision: Option<&'static str>, dirty: Option<bool>) -> Option<Vcs> {
        let mut v = Vcs::__EMPTY;
        v.revision = revision.map(Cow::Borrowed);
        v.dirty = dirty;
        v.time = revision.map(|_| Cow::Borrowed("2026-11-24T22:58:09Z"));
        Some(v)
    }

    #[test]
    fn json_shape() {
        let j = json(&sample("app", vcs(None, Some(true))));
        assert!(j.starts_with(r#"{"schema":3,"crate_type":"bin","package":{"name":"app","version":"1.2.3","features":["default","tls"],"dependencies":"listed"},"profile":{"name":"production","opt_level":"z","lto":"fat""#), "{j}");
        assert!(j.contains(r#""level":"x86-64-v3","features":["avx2","sse4.1"],"unchecked_features":[]}"#), "{j}");
        assert!(j.ends_with(r#""vcs":{"revision":null,"dirty":true,"time":null,"tag":null}}"#), "{j}");
        assert!(json(&BuildInfo::__EMPTY).ends_with(r#""host":null},"vcs":null}"#));
        let odd = json(&sample("a\"b\\c\n\u{1}é", None));
        assert!(odd.contains(r#""name":"a\"b\\c\n\u0001é""#), "{odd}");
    }

    #[test]
    fn text_shape() {
        let t = text(&sample("app", vcs(Some("0123456789abcdef0123456789abcdef01234567"), Some(false))));
        let mut lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "app 1.2.3");
        assert_eq!(lines.remove(1), "crate:       bin (schema 3, features default tls, dependencies listed)");
        assert_eq!(
            lines[1],
            "profile:     production (opt-level z, lto fat, codegen-units 1, panic abort, pgo use, strip symbols, debuginfo line-tables-only)"
        );
        assert_eq!(lines[2], "checks:      debug-assertions no, overflow-checks yes, incremental no");
        assert_eq!(
            lines[3],
            "codegen:     frame-pointers always, relocation-model target-default, code-model target-default, \
             coverage no, sanitizers address leak, link-dead-code no, control-flow-guard off"
        );
        assert!(
            lines[4].starts_with(
                "target:      x86_64-unknown-linux-gnu (arch x86_64, os linux, env gnu, cpu znver4, cpu-native yes"
            ),
            "{t}"
        );
        assert_eq!(lines[5], "features:    avx2 sse4.1");
        assert_eq!(lines[6], "unchecked:   none");
        assert_eq!(
            lines[8],
            "vcs:         0123456789abcdef0123456789abcdef01234567 (dirty no, time 2026-11-24T22:58:09Z, tag none)"
        );
        let no_git =
            sample("app", vcs(Some("0123456789abcdef0123456789abcdef01234567"), None).map(|v| Vcs { time: None, ..v }));
        assert!(text(&no_git).contains("(dirty unknown, time unknown, tag unknown)"), "{}", text(&no_git));
        assert_eq!(details(&BuildInfo::__EMPTY).lines().last(), Some("vcs:         none"));
        let one = line(&sample("app", None));
        assert!(
            one.starts_with("app 1.2.3; crate: bin (schema 3, features default tls, dependencies listed); profile: production (opt-level z"),
            "{one}"
        );
        assert!(!one.contains("sse4.1") && !one.contains('\n') && one.ends_with("; vcs: none"), "{one}");
    }

    #[test]
    fn json_reads_back() {
        for info in [
            sample("app", vcs(Some("0123456789abcdef0123456789abcdef01234567"), Some(false))),
            sample("q\"\\\u{7f}\u{1f}\t\r\u{8}\u{c}/<>é🦀", vcs(None, None)),
            BuildInfo::__EMPTY,
        ] {
            let back = BuildInfo::from_json(&json(&info)).expect("reads its own JSON");
            assert_eq!(back, info);
            assert_eq!(back.json(), None, "not compiled in");
        }
        let later = json(&sample("app", None)).replacen('{', r#"{"added_later":{"x":[1,{}]},"#, 1);
        assert_eq!(BuildInfo::from_json(&later), Some(sample("app", None)), "fields of a later schema are skipped");
        for bad in [
            "",
            "{}",
            r#"{"schema":2,"profile":{"lto":"sideways"}}"#,
            r#"{"schema":2,"profile":{"codegen_units":"1"}}"#,
            r#"{"schema":2,"package":[]}"#,
            r#"{"schema":2,"vcs":{"dirty":"no"}}"#,
            r#"{"schema":4294967296}"#,
        ] {
            assert_eq!(BuildInfo::from_json(bad), None, "{bad}");
        }
    }

    /// The hand-written JSON and serde's must never disagree.
    #[cfg(feature = "serde")]
    #[test]
    fn json_is_what_serde_json_writes() {
        for info in [
            sample("app", vcs(Some("0123456789abcdef0123456789abcdef01234567"), Some(false))),
            sample("q\"\\\u{7f}\u{1f}\t\r\u{8}\u{c}/<>é🦀", None),
            BuildInfo::__EMPTY,
        ] {
            let ours = json(&info);
            assert_eq!(ours, serde_json::to_string(&info).unwrap());
            let back: BuildInfo = serde_json::from_str(&ours).unwrap();
            assert_eq!(back, info);
            // The reader against serde's, on serde's own pretty output.
            let pretty = serde_json::to_string_pretty(&info).unwrap();
            assert_eq!(BuildInfo::from_json(&pretty), Some(serde_json::from_str::<BuildInfo>(&pretty).unwrap()));
        }
    }
}
