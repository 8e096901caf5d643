//! The variants `compare` builds: a ladder of release-profile settings, each rung on top of the
//! previous ones (then PGO, then BOLT), and the variants a user adds with
//! `--variant NAME:KEY=VALUE,…`. The keys and the values they take are the `Cargo` column of
//! `schema::FIELDS`.

pub use super::bolt::BOLT;
use crate::Error;
use profile_info_core::schema::{self, Cargo, Field, Kind};
use serde_json::Value as Json;

/// A setting a variant changes on top of the `release` profile: a field of [`schema::FIELDS`]
/// with a [`Cargo`] column, named by its document key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key(&'static str);

/// A value as a profile key holds it in TOML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Int(u32),
    /// A string.
    Str(String),
}

impl Value {
    /// The value a Cargo.toml spelling (`true`, `3`, `fat`) is in TOML.
    pub fn of_spelling(spelling: &str) -> Value {
        match (spelling.parse::<bool>(), spelling.parse::<u32>()) {
            (Ok(b), _) => Value::Bool(b),
            (_, Ok(n)) => Value::Int(n),
            _ => Value::Str(spelling.to_owned()),
        }
    }

    /// The value in TOML syntax (`true`, `3`, `"fat"`), as `--config` takes it.
    pub fn toml(&self) -> String {
        match self {
            Value::Bool(b) => b.to_string(),
            Value::Int(n) => n.to_string(),
            Value::Str(s) => format!("{s:?}"),
        }
    }

    /// The spelling (`true`, `3`, `fat`).
    pub fn spelling(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            other => other.toml(),
        }
    }
}

/// The document value `text` is as JSON, by what the field holds (`true`, `1`, `"fat"`).
pub fn document_json(field: &Field, text: &str) -> Json {
    match field.kind {
        Kind::Bool => Json::Bool(text == "true"),
        Kind::Count => text.parse::<u64>().map_or_else(|_| Json::from(text), Json::from),
        _ => Json::from(text),
    }
}

impl Key {
    /// `lto`.
    pub const LTO: Key = Key("profile.lto");
    /// `strip`.
    pub const STRIP: Key = Key("profile.strip");
    /// `codegen-units`.
    pub const CODEGEN_UNITS: Key = Key("profile.codegen_units");
    /// `panic`.
    pub const PANIC: Key = Key("profile.panic");
    /// `target-cpu`, which no stable profile can hold: passed as rustflags with `--target`.
    pub const TARGET_CPU: Key = Key("target.cpu");

    /// Every key, in table order (the order rows and messages list them).
    pub fn all() -> Vec<Key> {
        schema::FIELDS.iter().filter(|f| f.cargo.is_some()).map(|f| Key(f.key)).collect()
    }

    /// The document field it sets.
    pub fn field(self) -> &'static Field {
        schema::field(self.0).expect("a key names a field of the table")
    }

    fn cargo(self) -> Cargo {
        self.field().cargo.expect("a key has a Cargo column")
    }

    /// The name as the profile (or `--variant`) spells it.
    pub fn name(self) -> &'static str {
        self.cargo().key
    }

    /// Whether a stable cargo profile holds it (`target-cpu` is a rustflag).
    pub fn in_profile(self) -> bool {
        self.cargo().in_profile
    }

    fn from_name(name: &str) -> Option<Key> {
        Key::all().into_iter().find(|k| k.name() == name)
    }

    /// Reads `text` as a value of this key, as cargo would accept it in a profile.
    pub fn parse(self, text: &str) -> Result<Value, String> {
        self.cargo().document_value(text).map(|_| Value::of_spelling(text))
    }

    /// The document field this setting decides and the value it must hold there; `None` when the
    /// setting alone does not decide it (`lto = false` is thin-local or off depending on the
    /// other settings).
    pub fn expected(self, value: &Value) -> Option<(&'static str, Json)> {
        let field = self.field();
        let text = self.cargo().document_value(&value.spelling()).ok()??;
        Some((field.key, document_json(field, &text)))
    }

    /// The spelling that gives the document value `value`, as TOML (`false` for `thin-local`).
    pub fn of_document(self, value: &Json) -> Option<Value> {
        let text = match value {
            Json::String(s) => s.clone(),
            Json::Bool(_) | Json::Number(_) => value.to_string(),
            _ => return None,
        };
        self.cargo().spelling(&text).map(|s| Value::of_spelling(&s))
    }
}

/// One build to compare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    /// Its name in the table (`lto-fat`, or the user's).
    pub name: String,
    /// What it changes on top of `release`, one entry per key, in [`Key::all`] order.
    pub settings: Vec<(Key, Value)>,
    /// Built twice: instrumented, trained, then with the merged profile.
    pub pgo: bool,
    /// Rewritten by BOLT after it is built: instrumented, trained, laid out by the profile.
    pub bolt: bool,
}

/// The cargo profile every variant is built in: a custom profile inheriting `release`, given each
/// variant's settings through `--config`. One profile, so one directory: cargo keeps each set of
/// settings' artifacts apart by their hash, and build scripts and proc macros, which cargo builds
/// with the profile's `build-override` (not its `codegen-units` or `panic`) and, under `--target`,
/// without the rustflags, serve every rung whose other settings agree.
pub const PROFILE: &str = "profile-info-compare";

impl Variant {
    /// The value of `key`, if the variant sets it.
    pub fn get(&self, key: Key) -> Option<&Value> {
        self.settings.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    fn set(&mut self, key: Key, value: Value) {
        self.settings.retain(|(k, _)| *k != key);
        self.settings.push((key, value));
        let order = Key::all();
        self.settings.sort_by_key(|(k, _)| order.iter().position(|x| x == k));
    }

    /// The settings as `key=value` text (`lto=fat, codegen-units=1`), `release` when none.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> =
            self.settings.iter().map(|(k, v)| format!("{}={}", k.name(), v.toml().trim_matches('"'))).collect();
        if self.pgo {
            parts.push("pgo".into());
        }
        if self.bolt {
            parts.push(BOLT.into());
        }
        if parts.is_empty() {
            BASELINE.into()
        } else {
            parts.join(", ")
        }
    }

    /// Whether building `other` gives what building this gives: the same settings, PGO and BOLT.
    pub fn same_build(&self, other: &Variant) -> bool {
        self.settings == other.settings && self.pgo == other.pgo && self.bolt == other.bolt
    }

    /// Every document field this variant decides, with the value the file must hold there.
    pub fn expectations(&self) -> Vec<(&'static str, Json)> {
        let mut all = vec![("profile.name", Json::from(PROFILE))];
        all.extend(self.settings.iter().filter_map(|(k, v)| k.expected(v)));
        if self.pgo {
            all.push(("profile.pgo", Json::from("use")));
        }
        all
    }
}

/// The variant every other is measured against.
pub const BASELINE: &str = "release";

/// The ladder: each rung adds its settings to all the rungs before it.
const LADDER: [(&str, Option<(Key, &str)>); 9] = [
    (BASELINE, None),
    ("strip", Some((Key::STRIP, "true"))),
    ("lto-thin", Some((Key::LTO, "thin"))),
    ("lto-fat", Some((Key::LTO, "fat"))),
    ("cgu1", Some((Key::CODEGEN_UNITS, "1"))),
    ("panic-abort", Some((Key::PANIC, "abort"))),
    ("x86-64-v3", Some((Key::TARGET_CPU, "x86-64-v3"))),
    (PGO, None),
    (BOLT, None),
];

/// The rung built with profile-guided optimisation.
pub const PGO: &str = "pgo";

/// A rung this machine cannot build or run, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeftOut {
    /// The rung's name.
    pub name: String,
    /// Why, in a phrase.
    pub reason: String,
}

/// What the user asked for on the command line.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// `--variants`: names from the ladder (all when `None`).
    pub pick: Option<Vec<String>>,
    /// `--variant NAME:KEY=VALUE,…`, as given.
    pub extra: Vec<String>,
}

/// The variants to build, in order, `release` first, and the rungs left out. `unavailable` says
/// why a rung cannot be built here (`x86-64-v3` on an older CPU, `pgo` without llvm-profdata,
/// `bolt` without BOLT);
/// later rungs are then built without its settings.
pub fn plan(
    request: &Request,
    unavailable: impl Fn(&str) -> Option<String>,
) -> Result<(Vec<Variant>, Vec<LeftOut>), Error> {
    let names: Vec<&str> = LADDER.iter().map(|(n, _)| *n).collect();
    if let Some(pick) = &request.pick {
        if let Some(bad) = pick.iter().find(|p| !names.contains(&p.as_str())) {
            return Err(Error::new(format!(
                "unknown variant `{bad}` in --variants: the ladder has {}; add your own with --variant NAME:KEY=VALUE",
                names.join(", ")
            )));
        }
    }
    let wanted = |name: &str| name == BASELINE || request.pick.as_ref().is_none_or(|p| p.iter().any(|n| n == name));
    let (mut variants, mut left_out) = (Vec::new(), Vec::new());
    let mut rung = Variant { name: String::new(), settings: Vec::new(), pgo: false, bolt: false };
    for (name, setting) in LADDER {
        if let Some(reason) = unavailable(name) {
            if wanted(name) {
                left_out.push(LeftOut { name: name.to_owned(), reason });
            }
            continue;
        }
        let mut next = rung.clone();
        next.name = name.to_owned();
        if let Some((key, text)) = setting {
            next.set(key, key.parse(text).expect("the ladder's values are valid"));
        }
        next.pgo = rung.pgo || name == PGO;
        next.bolt = name == BOLT;
        if next.bolt {
            // BOLT moves code by the relocations the linker keeps (--emit-relocs), which
            // stripping all symbols (--strip-all) would drop: the linker refuses both.
            next.settings.retain(|(k, _)| *k != Key::STRIP);
        }
        if wanted(name) {
            variants.push(next.clone());
        }
        rung = next;
    }
    for text in &request.extra {
        let variant = parse_variant(text)?;
        if variants.iter().any(|v| v.name == variant.name) || names.contains(&variant.name.as_str()) {
            return Err(Error::new(format!(
                "--variant {text}: the name `{}` is taken (the ladder's names: {})",
                variant.name,
                names.join(", ")
            )));
        }
        variants.push(variant);
    }
    Ok((variants, left_out))
}

/// Reads `NAME:KEY=VALUE,…`.
pub fn parse_variant(text: &str) -> Result<Variant, Error> {
    let fail = |why: String| Error::new(format!("--variant {text}: {why}"));
    let (name, pairs) = text.split_once(':').ok_or_else(|| fail("expected NAME:KEY=VALUE,…".into()))?;
    let name_ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !name_ok {
        return Err(fail(format!("`{name}` is not a variant name (a letter, then letters, digits, - or _)")));
    }
    let mut variant = Variant { name: name.to_owned(), settings: Vec::new(), pgo: false, bolt: false };
    for pair in pairs.split(',') {
        let (key, value) = pair.split_once('=').ok_or_else(|| fail(format!("`{pair}` is not KEY=VALUE")))?;
        let key = Key::from_name(key.trim()).ok_or_else(|| {
            let names: Vec<&str> = Key::all().into_iter().map(Key::name).collect();
            fail(format!("unknown key `{}`: the keys are {}", key.trim(), names.join(", ")))
        })?;
        if variant.get(key).is_some() {
            return Err(fail(format!("{} is given twice", key.name())));
        }
        variant.set(key, key.parse(value.trim()).map_err(fail)?);
    }
    Ok(variant)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(variants: &[Variant]) -> Vec<&str> {
        variants.iter().map(|v| v.name.as_str()).collect()
    }

    #[test]
    fn the_ladder_is_cumulative_and_ordered() {
        let (variants, left_out) = plan(&Request::default(), |_| None).unwrap();
        assert!(left_out.is_empty());
        assert_eq!(
            names(&variants),
            ["release", "strip", "lto-thin", "lto-fat", "cgu1", "panic-abort", "x86-64-v3", "pgo", "bolt"]
        );
        let pgo = &variants[7];
        assert_eq!(pgo.describe(), "lto=fat, codegen-units=1, panic=abort, strip=true, target-cpu=x86-64-v3, pgo");
        assert_eq!(
            variants[8].describe(),
            "lto=fat, codegen-units=1, panic=abort, target-cpu=x86-64-v3, pgo, bolt",
            "strip=true cannot be linked with --emit-relocs"
        );
        assert!(variants[8].pgo && variants[8].bolt && !pgo.bolt);
        assert_eq!(variants[2].describe(), "lto=thin, strip=true");
        assert_eq!(variants[0].describe(), "release");
    }

    #[test]
    fn left_out_rungs_do_not_leak_into_later_ones() {
        let why = |n: &str| (n == "x86-64-v3").then(|| "this CPU is x86-64-v2".to_owned());
        let (variants, left_out) = plan(&Request::default(), why).unwrap();
        assert_eq!(left_out, [LeftOut { name: "x86-64-v3".into(), reason: "this CPU is x86-64-v2".into() }]);
        assert_eq!(variants.last().unwrap().get(Key::TARGET_CPU), None);
        assert!(variants.last().unwrap().pgo);
        let no_pgo = |n: &str| (n == PGO).then(|| "no llvm-profdata".to_owned());
        let (variants, _) = plan(&Request::default(), no_pgo).unwrap();
        let bolt = variants.last().unwrap();
        assert!(bolt.bolt && !bolt.pgo, "BOLT on the rung before pgo when pgo is left out");
    }

    #[test]
    fn subsets_keep_release_and_the_cumulative_settings() {
        let request = Request { pick: Some(vec!["cgu1".into()]), extra: vec!["small:opt-level=z,strip=true".into()] };
        let (variants, _) = plan(&request, |_| None).unwrap();
        assert_eq!(names(&variants), ["release", "cgu1", "small"]);
        assert_eq!(variants[1].describe(), "lto=fat, codegen-units=1, strip=true");
        assert_eq!(
            variants[2].settings,
            [(Key("profile.opt_level"), Value::Str("z".into())), (Key::STRIP, Value::Bool(true))]
        );
    }

    #[test]
    fn bad_input_is_named() {
        let err = |r: Request| plan(&r, |_| None).unwrap_err().to_string();
        let unknown = err(Request { pick: Some(vec!["lto".into()]), extra: vec![] });
        assert!(
            unknown.starts_with("unknown variant `lto` in --variants: the ladder has release, strip,"),
            "{unknown}"
        );
        let key = err(Request { pick: None, extra: vec!["x:opt=3".into()] });
        assert!(key.starts_with("--variant x:opt=3: unknown key `opt`: the keys are opt-level, lto,"), "{key}");
        let value = err(Request { pick: None, extra: vec!["x:lto=medium".into()] });
        assert_eq!(value, "--variant x:lto=medium: `medium` is not a value of lto: fat, thin, off, true or false");
        assert!(err(Request { pick: None, extra: vec!["strip:lto=fat".into()] }).contains("the name `strip` is taken"));
        assert!(err(Request { pick: None, extra: vec!["nocolon".into()] }).contains("expected NAME:KEY=VALUE"));
        assert!(err(Request { pick: None, extra: vec!["9x:lto=fat".into()] }).contains("is not a variant name"));
        assert!(err(Request { pick: None, extra: vec!["x:lto=fat,lto=thin".into()] }).contains("lto is given twice"));
    }

    #[test]
    fn expectations_follow_rustc_names() {
        let v = parse_variant("x:opt-level=0,lto=true,strip=true,debug=1,codegen-units=4,lto2=1");
        assert!(v.is_err());
        let v = parse_variant("x:opt-level=0,lto=true,strip=true,debug=1,codegen-units=4,target-cpu=haswell").unwrap();
        assert_eq!(
            v.expectations(),
            [
                ("profile.name", json!(PROFILE)),
                ("profile.opt_level", json!("0")),
                ("profile.lto", json!("fat")),
                ("profile.codegen_units", json!(4)),
                ("profile.strip", json!("symbols")),
                ("profile.debuginfo", json!("limited")),
                ("target.cpu", json!("haswell")),
            ]
        );
        assert_eq!(Key::LTO.expected(&Value::Bool(false)), None);
        assert_eq!(Value::Str("fat".into()).toml(), "\"fat\"");
    }
}
