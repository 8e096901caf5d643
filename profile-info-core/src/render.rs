//! The renderings of a document: the JSON (`--build-info=json`, the embedded section) and the
//! human-readable summary (`--build-info`, `Accept: text/plain`, `cargo profile-info inspect`).

use crate::model::{BuildInfo, Str};
use std::fmt::{Display, Write};

/// The document as compact JSON, fields in schema order: the bytes `--build-info=json` prints
/// and the section holds. Written here rather than with serde so that the proc macro does not
/// depend on serde's derive; with feature `serde`, `serde_json::to_string` gives the same bytes
/// (tested).
pub fn json(info: &BuildInfo) -> String {
    let mut j = Json(String::with_capacity(768));
    let (p, t, r) = (&info.profile, &info.target, &info.rustc);
    j.open();
    j.key("schema", &Some(info.schema));
    j.key("crate_type", &info.crate_type.as_ref().map(Quoted));
    j.object("package", |j| {
        j.key("name", &info.package.name.as_ref().map(Quoted));
        j.key("version", &info.package.version.as_ref().map(Quoted));
    });
    j.object("profile", |j| {
        j.key("name", &p.name.as_ref().map(Quoted));
        j.key("opt_level", &p.opt_level.map(|v| Quoted(v.as_str())));
        j.key("debuginfo", &p.debuginfo.map(|v| Quoted(v.as_str())));
        j.key("strip", &p.strip.map(|v| Quoted(v.as_str())));
        j.key("lto", &p.lto.map(|v| Quoted(v.as_str())));
        j.key("codegen_units", &p.codegen_units);
        j.key("panic", &p.panic.map(|v| Quoted(v.as_str())));
        j.key("debug_assertions", &p.debug_assertions);
        j.key("overflow_checks", &p.overflow_checks);
        j.key("incremental", &p.incremental);
    });
    j.object("target", |j| {
        j.key("triple", &t.triple.as_ref().map(Quoted));
        j.key("cpu", &t.cpu.as_ref().map(Quoted));
        j.key("features", &t.features.as_ref().map(|f| List(f)));
        j.key("level", &t.level.as_ref().map(Quoted));
    });
    j.object("rustc", |j| {
        j.key("version", &r.version.as_ref().map(Quoted));
        j.key("channel", &r.channel.as_ref().map(Quoted));
        j.key("commit_hash", &r.commit_hash.as_ref().map(Quoted));
        j.key("commit_date", &r.commit_date.as_ref().map(Quoted));
        j.key("llvm_version", &r.llvm_version.as_ref().map(Quoted));
        j.key("host", &r.host.as_ref().map(Quoted));
    });
    match &info.vcs {
        None => j.key("vcs", &None::<u8>),
        Some(v) => j.object("vcs", |j| {
            j.key("revision", &v.revision.as_ref().map(Quoted));
            j.key("dirty", &v.dirty);
        }),
    }
    j.0.push('}');
    j.0
}

struct Json(String);

impl Json {
    fn open(&mut self) {
        self.0.push('{');
    }

    fn name(&mut self, name: &str) {
        if !self.0.ends_with('{') {
            self.0.push(',');
        }
        let _ = write!(self.0, "\"{name}\":");
    }

    fn key<T: Display>(&mut self, name: &str, value: &Option<T>) {
        self.name(name);
        match value {
            Some(v) => write!(self.0, "{v}"),
            None => write!(self.0, "null"),
        }
        .expect("writing to a String");
    }

    fn object(&mut self, name: &str, fields: impl FnOnce(&mut Json)) {
        self.name(name);
        self.open();
        fields(self);
        self.0.push('}');
    }
}

/// Displays as a JSON string literal, escaped as serde_json escapes it (also used by
/// `/buildinfo`'s runtime section).
pub struct Quoted<S>(pub S);

impl<S: AsRef<str>> Display for Quoted<S> {
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

/// Renders the summary: one line per part, `unknown` for what could not be captured.
pub fn text(info: &BuildInfo) -> String {
    fn or<T: std::fmt::Display>(v: &Option<T>) -> String {
        v.as_ref().map_or_else(|| "unknown".to_owned(), |v| v.to_string())
    }
    fn on_off(v: Option<bool>) -> &'static str {
        match v {
            Some(true) => "on",
            Some(false) => "off",
            None => "unknown",
        }
    }
    let (p, t, r) = (&info.profile, &info.target, &info.rustc);
    let mut s = String::new();
    let _ = writeln!(s, "{} {}", or(&info.package.name), or(&info.package.version));
    if info.crate_type.as_deref() != Some("bin") {
        let _ = writeln!(s, "crate type:  {} (flags of this crate, not of the final link)", or(&info.crate_type));
    }
    let _ = writeln!(
        s,
        "profile:     {} (opt-level {}, lto {}, codegen-units {}, panic {}, strip {}, debuginfo {})",
        or(&p.name),
        or(&p.opt_level),
        or(&p.lto),
        or(&p.codegen_units),
        or(&p.panic),
        or(&p.strip),
        or(&p.debuginfo),
    );
    let _ = writeln!(
        s,
        "checks:      debug-assertions {}, overflow-checks {}, incremental {}",
        on_off(p.debug_assertions),
        on_off(p.overflow_checks),
        on_off(p.incremental),
    );
    let _ = write!(s, "target:      {}, cpu {}", or(&t.triple), or(&t.cpu));
    if let Some(level) = &t.level {
        let _ = write!(s, ", level {level}");
    }
    let features = t.features.as_ref().map_or_else(|| "unknown".to_owned(), |f| f.join(" "));
    let _ = writeln!(s, "\nfeatures:    {features}");
    let _ = write!(s, "rustc:       {}", or(&r.version));
    let details: Vec<String> = [
        r.channel.as_deref().map(str::to_owned),
        r.commit_hash.as_deref().map(|h| h.chars().take(9).collect()),
        r.commit_date.as_deref().map(str::to_owned),
        r.llvm_version.as_deref().map(|v| format!("LLVM {v}")),
        r.host.as_deref().map(|h| format!("host {h}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !details.is_empty() {
        let _ = write!(s, " ({})", details.join(", "));
    }
    let vcs = match &info.vcs {
        None => "none".to_owned(),
        Some(v) => format!(
            "{}{}",
            or(&v.revision),
            match v.dirty {
                Some(true) => " (dirty)",
                Some(false) => " (clean)",
                None => "",
            }
        ),
    };
    let _ = writeln!(s, "\nvcs:         {vcs}");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use std::borrow::Cow;

    fn sample(name: &'static str, vcs: Option<Vcs>) -> BuildInfo {
        let s = |v: &'static str| Some(Cow::Borrowed(v));
        BuildInfo::__new(
            s("bin"),
            Package::__new(s(name), s("1.2.3")),
            Profile::__new(
                s("production"),
                Some(OptLevel::Z),
                Some(DebugInfo::LineTablesOnly),
                Some(Strip::Symbols),
                Some(Lto::Fat),
                Some(1),
                Some(Panic::Abort),
                Some(false),
                Some(true),
                Some(false),
            ),
            Target::__new(
                s("x86_64-unknown-linux-gnu"),
                s("x86-64-v3"),
                Some(Cow::Owned(vec![Cow::Borrowed("avx2"), Cow::Borrowed("sse4.1")])),
                s("x86-64-v3"),
            ),
            Rustc::__new(s("1.95.0"), s("stable"), None, None, s("22.1.2"), s("x86_64-unknown-linux-gnu")),
            vcs,
            "",
            "",
        )
    }

    fn unknown() -> BuildInfo {
        BuildInfo::__new(
            None,
            Package::__new(None, None),
            Profile::__new(None, None, None, None, None, None, None, None, None, None),
            Target::__new(None, None, None, None),
            Rustc::__new(None, None, None, None, None, None),
            None,
            "",
            "",
        )
    }

    #[test]
    fn json_shape() {
        let j = json(&sample("app", Some(Vcs::__new(None, Some(true)))));
        assert!(j.starts_with(r#"{"schema":1,"crate_type":"bin","package":{"name":"app","version":"1.2.3"},"profile":{"name":"production","opt_level":"z","debuginfo":"line-tables-only""#), "{j}");
        assert!(j.contains(r#""features":["avx2","sse4.1"],"level":"x86-64-v3"}"#), "{j}");
        assert!(j.ends_with(r#""vcs":{"revision":null,"dirty":true}}"#), "{j}");
        assert!(json(&unknown()).ends_with(r#""host":null},"vcs":null}"#));
        let odd = json(&sample("a\"b\\c\n\u{1}é", None));
        assert!(odd.contains(r#""name":"a\"b\\c\n\u0001é""#), "{odd}");
    }

    /// The hand-written JSON and serde's must never disagree.
    #[cfg(feature = "serde")]
    #[test]
    fn json_is_what_serde_json_writes() {
        for info in [
            sample("app", Some(Vcs::__new(Some("0123456789abcdef0123456789abcdef01234567".into()), Some(false)))),
            sample("q\"\\\u{7f}\u{1f}\t\r\u{8}\u{c}/<>é🦀", None),
            unknown(),
        ] {
            let ours = json(&info);
            assert_eq!(ours, serde_json::to_string(&info).unwrap());
            let back: BuildInfo = serde_json::from_str(&ours).unwrap();
            assert_eq!(back, info);
        }
    }
}
