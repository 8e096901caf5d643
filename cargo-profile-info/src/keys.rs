//! Dotted keys over a document's JSON (`profile.lto`, `vcs.dirty`), shared by `check` and `diff`.

use serde_json::Value;

/// What a dotted key names in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// A field's value (never an object).
    Value(&'a Value),
    /// A field below a group that is `null` in this document (`vcs.dirty` outside git): the
    /// field's value is taken as `null`.
    UnderNull,
    /// A group of fields (`profile`); these are its fields' keys.
    Group(Vec<String>),
    /// Nothing in the document.
    Unknown,
}

/// Looks `key` up in `doc`.
pub fn lookup<'a>(doc: &'a Value, key: &str) -> Lookup<'a> {
    let mut node = doc;
    for part in key.split('.') {
        node = match node {
            Value::Object(fields) => match fields.get(part) {
                Some(next) => next,
                None => return Lookup::Unknown,
            },
            Value::Null => return Lookup::UnderNull,
            _ => return Lookup::Unknown,
        };
    }
    match node {
        Value::Object(_) => Lookup::Group(leaves(node).into_iter().map(|(k, _)| format!("{key}.{k}")).collect()),
        value => Lookup::Value(value),
    }
}

/// Every field of `doc` that is not a group, as (dotted key, value), sorted by key.
pub fn leaves(doc: &Value) -> Vec<(String, &Value)> {
    fn walk<'a>(prefix: &str, value: &'a Value, out: &mut Vec<(String, &'a Value)>) {
        match value {
            Value::Object(fields) => {
                for (name, child) in fields {
                    let key = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
                    walk(&key, child, out);
                }
            }
            _ => out.push((prefix.to_owned(), value)),
        }
    }
    let mut out = Vec::new();
    walk("", doc, &mut out);
    out
}

/// How a value is written on the command line and in reports: strings bare, lists comma-separated,
/// everything else as JSON (`1`, `false`, `null`).
pub fn render(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(render).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lookups() {
        let doc = json!({"schema": 1, "profile": {"lto": "fat", "codegen_units": 1}, "vcs": null,
            "target": {"features": ["avx", "avx2"]}});
        assert_eq!(lookup(&doc, "profile.lto"), Lookup::Value(&json!("fat")));
        assert_eq!(render(&doc["profile"]["codegen_units"]), "1");
        assert_eq!(render(&doc["target"]["features"]), "avx,avx2");
        assert_eq!(lookup(&doc, "vcs.dirty"), Lookup::UnderNull);
        assert_eq!(lookup(&doc, "vcs"), Lookup::Value(&Value::Null));
        assert_eq!(lookup(&doc, "profile"), Lookup::Group(vec!["profile.codegen_units".into(), "profile.lto".into()]));
        assert_eq!(lookup(&doc, "profile.ltoo"), Lookup::Unknown);
        assert_eq!(lookup(&doc, "schema.x"), Lookup::Unknown);
        assert_eq!(lookup(&doc, ""), Lookup::Unknown);
        let keys: Vec<String> = leaves(&doc).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["profile.codegen_units", "profile.lto", "schema", "target.features", "vcs"]);
    }
}
