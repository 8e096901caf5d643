//! `diff A B`: the fields in which two builds differ.

use crate::keys;
use crate::{Document, Outcome};
use profile_info_core::schema::{Field, Value, FIELDS};
use std::fmt::Write;

/// One line per differing field, `KEY: A → B`, sorted by key; lists show what B adds and drops.
/// A field under a group that is `null` (`vcs` outside git), or that one document's schema does
/// not have yet, is `null`.
pub fn diff(a: &Document, b: &Document) -> Outcome {
    let mut fields: Vec<&Field> = FIELDS.iter().filter(|f| f.since <= a.schema.max(b.schema)).collect();
    fields.sort_by_key(|f| f.key);
    let mut report = String::new();
    let mut differences = Vec::new();
    for field in fields {
        let value = |doc| keys::value(doc, field).unwrap_or(Value::Null);
        let (va, vb) = (value(a), value(b));
        if va != vb {
            let _ = writeln!(report, "{}: {}", field.key, change(va, vb));
            differences.push(serde_json::json!({"key": field.key, "a": keys::json(va), "b": keys::json(vb)}));
        }
    }
    let json = serde_json::json!({"same": differences.is_empty(), "differences": differences});
    Outcome { pass: report.is_empty(), report, json }
}

/// Adds the dependency changes ([`crate::deps::diff`]) to a diff's outcome: `dep NAME: CHANGE`
/// lines after the fields, and `"dependencies"` in its JSON.
pub fn dependencies(outcome: &mut Outcome, changes: &[(String, String)]) {
    for (name, change) in changes {
        let _ = writeln!(outcome.report, "dep {name}: {change}");
    }
    let list: Vec<serde_json::Value> =
        changes.iter().map(|(name, change)| serde_json::json!({"name": name, "change": change})).collect();
    outcome.json["dependencies"] = list.into();
    outcome.pass &= changes.is_empty();
    outcome.json["same"] = outcome.pass.into();
}

fn change(a: Value<'_>, b: Value<'_>) -> String {
    if let (Value::List(xs), Value::List(ys)) = (a, b) {
        let added = ys.iter().filter(|y| !xs.contains(y)).map(|y| format!("+{y}"));
        let dropped = xs.iter().filter(|x| !ys.contains(x)).map(|x| format!("-{x}"));
        let changes: Vec<String> = added.chain(dropped).collect();
        if !changes.is_empty() {
            return changes.join(" ");
        }
    }
    format!("{a} → {b}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes() {
        use std::borrow::Cow::Borrowed as B;
        assert_eq!(change(Value::Str("thin-local"), Value::Str("fat")), "thin-local → fat");
        assert_eq!(change(Value::List(&[B("avx"), B("sse")]), Value::List(&[B("avx2"), B("sse")])), "+avx2 -avx");
        assert_eq!(change(Value::List(&[B("b"), B("a")]), Value::List(&[B("a"), B("b")])), "b,a → a,b");
        assert_eq!(change(Value::Null, Value::Bool(true)), "null → true");
    }

    #[test]
    fn null_group_against_fields() {
        let mut b = crate::read::tests::sample();
        b["vcs"] = serde_json::json!({"revision": "abc", "dirty": false});
        b["profile"]["lto"] = "fat".into();
        let (a, b) = (crate::read::tests::document(&crate::read::tests::sample()), crate::read::tests::document(&b));
        let out = diff(&a, &b);
        assert!(!out.pass);
        assert_eq!(out.report, "profile.lto: null → fat\nvcs.dirty: null → false\nvcs.revision: null → abc\n");
        assert!(diff(&a, &a).pass && diff(&a, &a).report.is_empty());
    }
}
