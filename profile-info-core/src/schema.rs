//! The document's fields, listed once. The JSON rendering, the text summary, the proc macro's
//! expansion, the Prometheus/OpenTelemetry/tracing labels, `cargo profile-info`'s keys and
//! value checks, and the Cargo.toml profile keys `compare` builds with and `apply` writes all
//! walk [`FIELDS`]: a new fact is one entry here, its field in [`crate::model`], and its capture
//! in the macro; a new profile key is its [`Cargo`] column.

use crate::model::*;

/// A field's value in a document, borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    /// Not captured (`null`).
    Null,
    /// A string, or an enum's document name.
    Str(&'a str),
    /// A boolean.
    Bool(bool),
    /// A number.
    Count(u32),
    /// A list of strings.
    List(&'a [Str]),
}

/// As `cargo profile-info check --require` takes a value and reports it: strings bare, lists
/// comma-separated, `null` for not captured.
impl std::fmt::Display for Value<'_> {
    #[inline]
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Str(s) => f.write_str(s),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Count(n) => write!(f, "{n}"),
            Value::List(items) => f.write_str(&items.join(",")),
        }
    }
}

/// What a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Any string.
    Str,
    /// One of an enum's document names; `ty` is the enum's name in `profile_info`.
    Name {
        /// The enum type (`"Lto"`).
        ty: &'static str,
        /// Its values' document names, in the order of its `ALL`.
        names: &'static [&'static str],
    },
    /// `true` or `false`.
    Bool,
    /// A non-negative number.
    Count,
    /// A list of strings.
    List,
}

/// How a field appears in the text summary, on the line titled [`Field::line`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    /// Leads the line (`release`, `x86_64-unknown-linux-gnu`).
    Head,
    /// `name value` among the line's details (`lto fat`).
    Part(&'static str),
    /// As `Part`, for a field whose `null` means there is none when the field keyed by the
    /// second string is known, `unknown` otherwise (`vcs.tag` is `null` for a commit without a
    /// tag, and when git could not be asked, which `vcs.time`'s `null` tells).
    PartOrNone(&'static str, &'static str),
    /// A list on a line of its own, space-separated.
    List,
}

/// One field of the document.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// The dotted JSON key (`profile.lto`); the same path names the Rust field.
    pub key: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// The schema version that introduced it.
    pub since: u32,
    /// The title of its line in the text summary (`""` for the package line).
    pub line: &'static str,
    /// How it is shown there.
    pub text: Text,
    /// Its name as a Prometheus label, tracing field and (after [`LABEL_PREFIX`]) OpenTelemetry
    /// attribute; `None` when it is not a label.
    pub label: Option<&'static str>,
    /// The Cargo.toml profile key that sets it, when one does.
    pub cargo: Option<Cargo>,
    /// Reads it from a document.
    pub get: fn(&BuildInfo) -> Value<'_>,
}

/// How a build setting sets a field: its key in a `[profile]` table (or, for what no stable
/// profile holds, the name `compare --variant` takes it by) and the values it accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cargo {
    /// The key (`codegen-units`).
    pub key: &'static str,
    /// Whether a stable cargo profile holds it; `target-cpu` is a rustflag.
    pub in_profile: bool,
    /// The values it takes.
    pub accepts: Accepts,
}

/// The values a build setting takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accepts {
    /// These spellings, as Cargo.toml writes them (`true`, `3`, `fat`), each with the document
    /// values it can give: one, or several when other settings decide (`lto = false` is
    /// `thin-local` or `off`). Where several spellings give a value, the first is the one written.
    Spellings(&'static [(&'static str, &'static [&'static str])]),
    /// A positive number, which the document holds as is.
    Positive,
    /// A name of letters, digits, `-` and `_` (a CPU), which the document holds as is.
    Name,
}

impl Cargo {
    /// The document value `spelling` gives: `Ok(None)` when other settings decide it, `Err` with
    /// what it accepts when it is not a value of this key.
    #[inline]
    pub fn document_value(&self, spelling: &str) -> Result<Option<String>, String> {
        let found = match self.accepts {
            Accepts::Spellings(all) => all.iter().find(|(s, _)| *s == spelling).map(|(_, v)| match v {
                [one] => Some((*one).to_owned()),
                _ => None,
            }),
            Accepts::Positive => spelling.parse::<u32>().ok().filter(|n| *n > 0).map(|_| Some(spelling.to_owned())),
            Accepts::Name => (!spelling.is_empty()
                && spelling.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .then(|| Some(spelling.to_owned())),
        };
        found.ok_or_else(|| format!("`{spelling}` is not a value of {}: {}", self.key, self.describe()))
    }

    /// The spelling that gives the document value `value` (the first listed; one that may give it
    /// when nothing gives it alone: `thin-local` is `lto = false`).
    #[inline]
    pub fn spelling(&self, value: &str) -> Option<String> {
        match self.accepts {
            Accepts::Spellings(all) => {
                let alone = all.iter().find(|(_, v)| *v == [value]);
                alone.or_else(|| all.iter().find(|(_, v)| v.contains(&value))).map(|(s, _)| (*s).to_owned())
            }
            Accepts::Positive | Accepts::Name => self.document_value(value).ok().map(|_| value.to_owned()),
        }
    }

    /// What it accepts, for a message: `fat, thin, off, true or false`.
    #[inline]
    pub fn describe(&self) -> String {
        match self.accepts {
            Accepts::Spellings(all) => {
                let names: Vec<&str> = all.iter().map(|(s, _)| *s).collect();
                match names.split_last() {
                    Some((last, [])) => (*last).to_owned(),
                    Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                    None => String::new(),
                }
            }
            Accepts::Positive => "a positive number".into(),
            Accepts::Name => "a CPU name as `rustc --print target-cpus` lists it".into(),
        }
    }
}

/// A group of fields (`profile`), a struct of the model.
#[derive(Clone, Copy, Debug)]
pub struct Group {
    /// Its key.
    pub name: &'static str,
    /// Its type in `profile_info`.
    pub ty: &'static str,
    /// Whether the whole group may be `null` (`vcs` outside git).
    pub optional: bool,
    /// Whether a document has it (not `null`).
    pub present: fn(&BuildInfo) -> bool,
}

/// The OpenTelemetry attribute prefix of the labels.
pub const LABEL_PREFIX: &str = "rust.build.";

/// The lines of the text summary, in order, by title; the first (the package's name and version)
/// has none.
pub const LINES: &[&str] =
    &["", "crate", "profile", "checks", "codegen", "target", "features", "unchecked", "rustc", "vcs"];

/// The groups, in document order.
pub const GROUPS: &[Group] = &[
    Group { name: "package", ty: "Package", optional: false, present: |_| true },
    Group { name: "profile", ty: "Profile", optional: false, present: |_| true },
    Group { name: "target", ty: "Target", optional: false, present: |_| true },
    Group { name: "rustc", ty: "Rustc", optional: false, present: |_| true },
    Group { name: "vcs", ty: "Vcs", optional: true, present: |i| i.vcs.is_some() },
];

#[inline]
fn s(v: Option<&str>) -> Value<'_> {
    v.map_or(Value::Null, Value::Str)
}

#[inline]
fn b(v: Option<bool>) -> Value<'static> {
    v.map_or(Value::Null, Value::Bool)
}

#[inline]
fn l<'a>(v: &'a Option<std::borrow::Cow<'static, [Str]>>) -> Value<'a> {
    v.as_deref().map_or(Value::Null, Value::List)
}

#[inline]
const fn name(ty: &'static str, names: &'static [&'static str]) -> Kind {
    Kind::Name { ty, names }
}

/// A field of schema 1.
#[inline]
const fn f(
    key: &'static str,
    kind: Kind,
    line: &'static str,
    text: Text,
    label: Option<&'static str>,
    get: fn(&BuildInfo) -> Value<'_>,
) -> Field {
    Field { key, kind, since: 1, line, text, label, cargo: None, get }
}

/// A field added in schema 2.
#[inline]
const fn v2(field: Field) -> Field {
    Field { since: 2, ..field }
}

/// A field a `[profile]` key sets.
#[inline]
const fn profile(field: Field, key: &'static str, accepts: Accepts) -> Field {
    Field { cargo: Some(Cargo { key, in_profile: true, accepts }), ..field }
}

/// A field added in schema 3.
#[inline]
const fn v3(field: Field) -> Field {
    Field { since: 3, ..field }
}

/// A field a rustflag sets, which `compare --variant` takes as `key`.
#[inline]
const fn rustflag(field: Field, key: &'static str, accepts: Accepts) -> Field {
    Field { cargo: Some(Cargo { key, in_profile: false, accepts }), ..field }
}

const BOOL: Accepts = Accepts::Spellings(&[("true", &["true"]), ("false", &["false"])]);

use Kind::{Bool, Count, List};
use Text::{Head, Part};

/// Every field, in document order.
pub const FIELDS: &[Field] = &[
    f("schema", Count, "crate", Part("schema"), None, |i| Value::Count(i.schema)),
    f("crate_type", Kind::Str, "crate", Head, None, |i| s(i.crate_type.as_deref())),
    f("package.name", Kind::Str, "", Head, None, |i| s(i.package.name.as_deref())),
    f("package.version", Kind::Str, "", Head, Some("version"), |i| s(i.package.version.as_deref())),
    v2(f("package.features", List, "crate", Part("features"), Some("features"), |i| l(&i.package.features))),
    v3(f("package.dependencies", Kind::Str, "crate", Part("dependencies"), None, |i| {
        s(i.package.dependencies.as_deref())
    })),
    f("profile.name", Kind::Str, "profile", Head, Some("profile"), |i| s(i.profile.name.as_deref())),
    profile(
        f(
            "profile.opt_level",
            name("OptLevel", OptLevel::NAMES),
            "profile",
            Part("opt-level"),
            Some("opt_level"),
            |i| s(i.profile.opt_level.map(OptLevel::as_str)),
        ),
        "opt-level",
        Accepts::Spellings(&[("0", &["0"]), ("1", &["1"]), ("2", &["2"]), ("3", &["3"]), ("s", &["s"]), ("z", &["z"])]),
    ),
    profile(
        f("profile.lto", name("Lto", Lto::NAMES), "profile", Part("lto"), Some("lto"), |i| {
            s(i.profile.lto.map(Lto::as_str))
        }),
        "lto",
        Accepts::Spellings(&[
            ("fat", &["fat"]),
            ("thin", &["thin"]),
            ("off", &["off"]),
            ("true", &["fat"]),
            ("false", &["thin-local", "off"]),
        ]),
    ),
    profile(
        f("profile.codegen_units", Count, "profile", Part("codegen-units"), Some("codegen_units"), |i| {
            i.profile.codegen_units.map_or(Value::Null, Value::Count)
        }),
        "codegen-units",
        Accepts::Positive,
    ),
    profile(
        f("profile.panic", name("Panic", Panic::NAMES), "profile", Part("panic"), Some("panic"), |i| {
            s(i.profile.panic.map(Panic::as_str))
        }),
        "panic",
        Accepts::Spellings(&[("unwind", &["unwind"]), ("abort", &["abort"])]),
    ),
    v2(f("profile.pgo", name("Pgo", Pgo::NAMES), "profile", Part("pgo"), Some("pgo"), |i| {
        s(i.profile.pgo.map(Pgo::as_str))
    })),
    profile(
        f("profile.strip", name("Strip", Strip::NAMES), "profile", Part("strip"), Some("strip"), |i| {
            s(i.profile.strip.map(Strip::as_str))
        }),
        "strip",
        Accepts::Spellings(&[
            ("none", &["none"]),
            ("debuginfo", &["debuginfo"]),
            ("symbols", &["symbols"]),
            ("true", &["symbols"]),
            ("false", &["none"]),
        ]),
    ),
    profile(
        f(
            "profile.debuginfo",
            name("DebugInfo", DebugInfo::NAMES),
            "profile",
            Part("debuginfo"),
            Some("debuginfo"),
            |i| s(i.profile.debuginfo.map(DebugInfo::as_str)),
        ),
        "debug",
        // `false` is how a profile says none; the names are clearer than 1 and 2.
        Accepts::Spellings(&[
            ("false", &["none"]),
            ("line-directives-only", &["line-directives-only"]),
            ("line-tables-only", &["line-tables-only"]),
            ("limited", &["limited"]),
            ("full", &["full"]),
            ("none", &["none"]),
            ("true", &["full"]),
            ("0", &["none"]),
            ("1", &["limited"]),
            ("2", &["full"]),
        ]),
    ),
    profile(
        f("profile.debug_assertions", Bool, "checks", Part("debug-assertions"), None, |i| {
            b(i.profile.debug_assertions)
        }),
        "debug-assertions",
        BOOL,
    ),
    profile(
        f("profile.overflow_checks", Bool, "checks", Part("overflow-checks"), None, |i| b(i.profile.overflow_checks)),
        "overflow-checks",
        BOOL,
    ),
    profile(
        f("profile.incremental", Bool, "checks", Part("incremental"), None, |i| b(i.profile.incremental)),
        "incremental",
        BOOL,
    ),
    v3(f("profile.force_frame_pointers", Kind::Str, "codegen", Part("frame-pointers"), None, |i| {
        s(i.profile.force_frame_pointers.as_deref())
    })),
    v3(f("profile.relocation_model", Kind::Str, "codegen", Part("relocation-model"), None, |i| {
        s(i.profile.relocation_model.as_deref())
    })),
    v3(f("profile.code_model", Kind::Str, "codegen", Part("code-model"), None, |i| s(i.profile.code_model.as_deref()))),
    v3(f("profile.instrument_coverage", Bool, "codegen", Part("coverage"), None, |i| b(i.profile.instrument_coverage))),
    v3(f("profile.sanitizers", List, "codegen", Part("sanitizers"), None, |i| l(&i.profile.sanitizers))),
    v3(f("profile.link_dead_code", Bool, "codegen", Part("link-dead-code"), None, |i| b(i.profile.link_dead_code))),
    v3(f("profile.control_flow_guard", Kind::Str, "codegen", Part("control-flow-guard"), None, |i| {
        s(i.profile.control_flow_guard.as_deref())
    })),
    f("target.triple", Kind::Str, "target", Head, Some("target"), |i| s(i.target.triple.as_deref())),
    v2(f("target.arch", Kind::Str, "target", Part("arch"), Some("target_arch"), |i| s(i.target.arch.as_deref()))),
    v2(f("target.os", Kind::Str, "target", Part("os"), Some("target_os"), |i| s(i.target.os.as_deref()))),
    v2(f("target.env", Kind::Str, "target", Part("env"), Some("target_env"), |i| s(i.target.env.as_deref()))),
    rustflag(
        f("target.cpu", Kind::Str, "target", Part("cpu"), Some("target_cpu"), |i| s(i.target.cpu.as_deref())),
        "target-cpu",
        Accepts::Name,
    ),
    v2(f("target.cpu_native", Bool, "target", Part("cpu-native"), Some("target_cpu_native"), |i| {
        b(i.target.cpu_native)
    })),
    f("target.level", Kind::Str, "target", Part("level"), Some("target_level"), |i| s(i.target.level.as_deref())),
    f("target.features", List, "features", Text::List, None, |i| l(&i.target.features)),
    v2(f("target.unchecked_features", List, "unchecked", Text::List, None, |i| l(&i.target.unchecked_features))),
    f("rustc.version", Kind::Str, "rustc", Head, Some("rustc"), |i| s(i.rustc.version.as_deref())),
    f("rustc.channel", Kind::Str, "rustc", Part("channel"), None, |i| s(i.rustc.channel.as_deref())),
    f("rustc.commit_hash", Kind::Str, "rustc", Part("commit"), None, |i| s(i.rustc.commit_hash.as_deref())),
    f("rustc.commit_date", Kind::Str, "rustc", Part("date"), None, |i| s(i.rustc.commit_date.as_deref())),
    f("rustc.llvm_version", Kind::Str, "rustc", Part("llvm"), None, |i| s(i.rustc.llvm_version.as_deref())),
    f("rustc.host", Kind::Str, "rustc", Part("host"), None, |i| s(i.rustc.host.as_deref())),
    f("vcs.revision", Kind::Str, "vcs", Head, Some("revision"), |i| {
        s(i.vcs.as_ref().and_then(|v| v.revision.as_deref()))
    }),
    f("vcs.dirty", Bool, "vcs", Part("dirty"), Some("dirty"), |i| b(i.vcs.as_ref().and_then(|v| v.dirty))),
    v3(f("vcs.time", Kind::Str, "vcs", Part("time"), None, |i| s(i.vcs.as_ref().and_then(|v| v.time.as_deref())))),
    v3(f("vcs.tag", Kind::Str, "vcs", Text::PartOrNone("tag", "vcs.time"), None, |i| {
        s(i.vcs.as_ref().and_then(|v| v.tag.as_deref()))
    })),
];

impl Field {
    /// The group it belongs to; `None` for the top-level `schema` and `crate_type`.
    #[inline]
    pub fn group(&self) -> Option<&'static Group> {
        let (group, _) = self.key.split_once('.')?;
        GROUPS.iter().find(|g| g.name == group)
    }

    /// Its name within its group (`lto` for `profile.lto`).
    #[inline]
    pub fn name(&self) -> &'static str {
        self.key.split_once('.').map_or(self.key, |(_, name)| name)
    }

    /// Whether a document holds it as `null` because its whole group is (`vcs` outside git).
    #[inline]
    pub(crate) fn group_absent(&self, info: &BuildInfo) -> bool {
        self.group().is_some_and(|g| !(g.present)(info))
    }

    /// Whether `value`, written as `cargo profile-info check --require` takes it (strings bare,
    /// lists comma-separated, `null` for not captured), is one this field can hold.
    #[inline]
    pub fn can_hold(&self, value: &str) -> bool {
        value == "null"
            || match self.kind {
                Kind::Str | Kind::List => true,
                Kind::Name { names, .. } => names.contains(&value),
                Kind::Bool => matches!(value, "true" | "false"),
                Kind::Count => value.parse::<u32>().is_ok_and(|n| n.to_string() == value),
            }
    }

    /// The document's own spelling of `value` when `value` is another spelling of it (`FAT` for
    /// `fat`, `01` for `1`, `True` for `true`): a value is only ever written as the document
    /// writes it, so such a spelling is refused, and this is what to write instead.
    #[inline]
    pub fn spelling(&self, value: &str) -> Option<String> {
        let spelled = match self.kind {
            Kind::Name { names, .. } => names.iter().find(|n| n.eq_ignore_ascii_case(value)).map(|n| (*n).to_owned()),
            Kind::Bool => ["true", "false"].into_iter().find(|b| b.eq_ignore_ascii_case(value)).map(str::to_owned),
            Kind::Count => value.trim().parse::<u32>().ok().map(|n| n.to_string()),
            Kind::Str | Kind::List => None,
        };
        spelled.filter(|s| s != value)
    }

    /// The Cargo.toml setting `value` is the Cargo.toml spelling of, when it is not one the
    /// document holds, and what it gives there: `strip = true` gives `symbols`.
    #[inline]
    pub fn cargo_spelling(&self, value: &str) -> Option<(String, String)> {
        if self.can_hold(value) {
            return None;
        }
        let cargo = self.cargo?;
        let Accepts::Spellings(all) = cargo.accepts else { return None };
        let (spelling, gives) = all.iter().find(|(s, _)| *s == value)?;
        Some((format!("{} = {spelling}", cargo.key), gives.join(" or ")))
    }

    /// The values it can hold, for a message: `"off", "thin-local", "thin", "fat" or null`.
    #[inline]
    pub fn describe_values(&self) -> String {
        match self.kind {
            Kind::Name { names, .. } => {
                let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
                format!("{} or null", quoted.join(", "))
            }
            Kind::Bool => "true, false or null".into(),
            Kind::Count => "a number or null".into(),
            Kind::Str => "a string or null".into(),
            Kind::List => "a comma-separated list or null".into(),
        }
    }
}

/// The field with this dotted key.
#[inline]
pub fn field(key: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.key == key)
}

/// The labels of a document, `(label, value)` in table order; a value not captured is `""`, the
/// rest as [`Value`]'s `Display` writes them.
#[inline]
pub fn labels(info: &BuildInfo) -> Vec<(&'static str, String)> {
    let text = |v| match v {
        Value::Null => String::new(),
        v => v.to_string(),
    };
    FIELDS.iter().filter_map(|f| Some((f.label?, text((f.get)(info))))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_groups_contiguous_labels_unique() {
        for (i, a) in FIELDS.iter().enumerate() {
            assert!(FIELDS[i + 1..].iter().all(|b| b.key != a.key), "{}", a.key);
            if let Some(label) = a.label {
                assert!(FIELDS[i + 1..].iter().all(|b| b.label != Some(label)), "{label}");
            }
        }
        assert!(FIELDS.iter().all(|f| LINES.contains(&f.line)), "every field on a line");
        assert!(LINES.iter().all(|l| FIELDS.iter().any(|f| f.line == *l)), "no empty line");
        for f in FIELDS {
            if let Text::PartOrNone(_, known) = f.text {
                assert!(field(known).is_some(), "{}: {known} is a field", f.key);
            }
        }
        let order: Vec<&str> = FIELDS.iter().filter_map(|f| f.group()).map(|g| g.name).collect();
        let mut seen: Vec<&str> = order.clone();
        seen.dedup();
        assert_eq!(seen, GROUPS.iter().map(|g| g.name).collect::<Vec<_>>(), "groups in order, contiguous");
    }

    #[test]
    fn values_as_written() {
        let features = [Str::Borrowed("avx"), Str::Borrowed("avx2")];
        let written: Vec<String> =
            [Value::Null, Value::Str("fat"), Value::Bool(false), Value::Count(16), Value::List(&features)]
                .iter()
                .map(Value::to_string)
                .collect();
        assert_eq!(written, ["null", "fat", "false", "16", "avx,avx2"]);
    }

    #[test]
    fn values_a_field_can_hold() {
        let lto = field("profile.lto").unwrap();
        assert!(lto.can_hold("fat") && lto.can_hold("null") && !lto.can_hold("true"));
        assert_eq!(lto.describe_values(), r#""off", "thin-local", "thin", "fat" or null"#);
        assert!(field("profile.codegen_units").unwrap().can_hold("16"));
        assert!(!field("vcs.dirty").unwrap().can_hold("yes"));
        let strip = field("profile.strip").unwrap();
        let pair = |a: &str, b: &str| Some((a.to_owned(), b.to_owned()));
        assert_eq!(strip.cargo_spelling("true"), pair("strip = true", "symbols"));
        assert_eq!(field("profile.opt_level").unwrap().cargo_spelling("3"), None, "3 is a document value");
        assert_eq!(field("profile.lto").unwrap().cargo_spelling("true"), pair("lto = true", "fat"));
        assert_eq!(field("profile.lto").unwrap().cargo_spelling("false"), pair("lto = false", "thin-local or off"));
    }

    #[test]
    fn profile_keys_map_spellings_both_ways() {
        let cargo = |key: &str| field(key).unwrap().cargo.unwrap();
        let lto = cargo("profile.lto");
        assert_eq!(lto.document_value("true"), Ok(Some("fat".into())));
        assert_eq!(lto.document_value("false"), Ok(None), "thin-local or off: other settings decide");
        assert_eq!(
            lto.document_value("medium").unwrap_err(),
            "`medium` is not a value of lto: fat, thin, off, true or false"
        );
        assert_eq!(lto.spelling("fat").as_deref(), Some("fat"));
        assert_eq!(lto.spelling("thin-local").as_deref(), Some("false"));
        let debug = cargo("profile.debuginfo");
        assert_eq!(
            (debug.key, debug.spelling("none").as_deref(), debug.spelling("limited").as_deref()),
            ("debug", Some("false"), Some("limited"))
        );
        assert_eq!(debug.document_value("1"), Ok(Some("limited".into())));
        let cgu = cargo("profile.codegen_units");
        assert_eq!((cgu.document_value("16"), cgu.document_value("0").is_err()), (Ok(Some("16".into())), true));
        let cpu = cargo("target.cpu");
        assert!(!cpu.in_profile && cpu.document_value("x86-64-v3").is_ok() && cpu.document_value("a b").is_err());
        // Every spelling's values are values the field can hold.
        for field in FIELDS {
            if let Some(Cargo { accepts: Accepts::Spellings(all), .. }) = field.cargo {
                for value in all.iter().flat_map(|(_, v)| v.iter()) {
                    assert!(field.can_hold(value), "{}: {value}", field.key);
                }
            }
        }
    }
}
