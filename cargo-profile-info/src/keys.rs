//! Dotted keys (`profile.lto`, `vcs.dirty`), shared by `check` and `diff`: the fields of the
//! schema table ([`schema::FIELDS`]) that a document's schema has, read from its typed model.

use crate::Document;
use profile_info_core::render;
use profile_info_core::schema::{self, Field, Value};

/// What a dotted key names in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// A field's value: `null` when not captured or when its group is (`vcs.dirty` outside git);
    /// also a group's `null` (`vcs` outside git).
    Value(Value<'a>),
    /// A group of fields (`profile`); these are its fields' keys.
    Group(Vec<&'static str>),
    /// A field a later schema added (the document's has none): that schema.
    Later(u32),
    /// No field or group of any schema.
    Unknown,
}

/// Looks `key` up in `doc`.
pub fn lookup<'a>(doc: &'a Document, key: &str) -> Lookup<'a> {
    if let Some(field) = schema::field(key) {
        return match value(doc, field) {
            Some(v) => Lookup::Value(v),
            None => Lookup::Later(field.since),
        };
    }
    match schema::GROUPS.iter().find(|g| g.name == key) {
        Some(group) if !(group.present)(&doc.info) => Lookup::Value(Value::Null),
        Some(group) => Lookup::Group(
            fields(doc).filter(|(f, _)| f.group().is_some_and(|g| g.name == group.name)).map(|(f, _)| f.key).collect(),
        ),
        None => Lookup::Unknown,
    }
}

/// `field`'s value in `doc`; `None` when the document's schema has no such field.
pub fn value<'a>(doc: &'a Document, field: &Field) -> Option<Value<'a>> {
    (field.since <= doc.schema).then(|| (field.get)(&doc.info))
}

/// The fields of `doc`'s schema with their values, in table order.
pub fn fields(doc: &Document) -> impl Iterator<Item = (&'static Field, Value<'_>)> {
    schema::FIELDS.iter().filter_map(move |f| Some((f, value(doc, f)?)))
}

/// A value as the document's JSON holds it (`null`, numbers, lists): written by the renderer that
/// writes the document ([`render::write_value`]), so there is one JSON form of a value.
pub fn json(value: Value<'_>) -> serde_json::Value {
    let mut text = String::new();
    render::write_value(&mut text, value);
    serde_json::from_str(&text).expect("the renderer writes JSON")
}

/// `field`'s value in a document held as JSON (a compare report's row); `None` when it has none.
pub fn in_json<'a>(doc: &'a serde_json::Value, field: &Field) -> Option<&'a serde_json::Value> {
    field.key.split('.').try_fold(doc, |v, name| v.get(name))
}

/// [`in_json`] by the field's dotted key.
pub fn in_json_at<'a>(doc: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    in_json(doc, schema::field(key)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::tests::{document, sample, sample_v1};
    use serde_json::json;

    #[test]
    fn lookups() {
        let mut v = sample();
        v["profile"]["lto"] = "fat".into();
        v["profile"]["codegen_units"] = 1.into();
        v["target"]["features"] = json!(["avx", "avx2"]);
        let doc = document(&v);
        assert_eq!(lookup(&doc, "profile.lto"), Lookup::Value(Value::Str("fat")));
        let features = lookup(&doc, "target.features");
        assert!(matches!(features, Lookup::Value(Value::List(l)) if l == ["avx", "avx2"]), "{features:?}");
        assert_eq!(lookup(&doc, "vcs.dirty"), Lookup::Value(Value::Null));
        assert_eq!(lookup(&doc, "vcs"), Lookup::Value(Value::Null));
        let Lookup::Group(profile) = lookup(&doc, "profile") else { panic!("profile is a group") };
        assert!(profile.contains(&"profile.lto") && profile.contains(&"profile.pgo"), "{profile:?}");
        v["vcs"] = json!({"revision": "abc", "dirty": false, "time": null, "tag": null});
        assert_eq!(
            lookup(&document(&v), "vcs"),
            Lookup::Group(vec!["vcs.revision", "vcs.dirty", "vcs.time", "vcs.tag"])
        );
        for unknown in ["profile.ltoo", "schema.x", "", "profile.lto.x"] {
            assert_eq!(lookup(&doc, unknown), Lookup::Unknown, "{unknown}");
        }
        let v1 = document(&sample_v1());
        assert_eq!(lookup(&v1, "profile.pgo"), Lookup::Later(2));
        let keys: Vec<&str> = fields(&v1).map(|(f, _)| f.key).collect();
        assert!(keys.contains(&"profile.lto") && !keys.contains(&"profile.pgo"), "{keys:?}");
    }

    #[test]
    fn values_as_the_json_holds_them() {
        let mut v = sample();
        v["profile"]["lto"] = "fat".into();
        v["profile"]["codegen_units"] = 16.into();
        v["profile"]["incremental"] = false.into();
        v["target"]["features"] = json!(["avx", "avx2"]);
        v["vcs"] = json!({"revision": "abc", "dirty": true, "time": "2026-01-02T03:04:05Z", "tag": null});
        v["package"]["name"] = "q\"\\\u{1}\n/é🦀".into();
        let doc = document(&v);
        for (field, value) in fields(&doc) {
            let pointer = format!("/{}", field.key.replace('.', "/"));
            assert_eq!(Some(&json(value)), v.pointer(&pointer), "{}", field.key);
        }
    }
}
