//! `diff A B`: the fields in which two builds differ.

use crate::keys::{self, Lookup};
use crate::{Document, Outcome};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Write;

/// One line per differing field, `KEY: A → B`, sorted by key; lists show what B adds and drops.
/// A group that is `null` on one side (`vcs` outside git) is compared field by field as `null`s.
pub fn diff(a: &Document, b: &Document) -> Outcome {
    let all: BTreeSet<String> =
        keys::leaves(&a.value).into_iter().chain(keys::leaves(&b.value)).map(|(k, _)| k).collect();
    let mut report = String::new();
    let mut differences = Vec::new();
    for key in &all {
        // `vcs` null in A and `vcs.revision` in B: compare the fields, not the group.
        if all.iter().any(|other| other.strip_prefix(key.as_str()).is_some_and(|rest| rest.starts_with('.'))) {
            continue;
        }
        let (va, vb) = (field(&a.value, key), field(&b.value, key));
        if va != vb {
            let _ = writeln!(report, "{key}: {}", change(&va, &vb));
            differences.push(serde_json::json!({"key": key, "a": va, "b": vb}));
        }
    }
    let json = serde_json::json!({"same": differences.is_empty(), "differences": differences});
    Outcome { pass: report.is_empty(), report, json }
}

fn field(doc: &Value, key: &str) -> Value {
    match keys::lookup(doc, key) {
        Lookup::Value(v) => v.clone(),
        Lookup::UnderNull | Lookup::Group(_) | Lookup::Unknown => Value::Null,
    }
}

fn change(a: &Value, b: &Value) -> String {
    if let (Value::Array(xs), Value::Array(ys)) = (a, b) {
        let added = ys.iter().filter(|y| !xs.contains(y)).map(|y| format!("+{}", keys::render(y)));
        let dropped = xs.iter().filter(|x| !ys.contains(x)).map(|x| format!("-{}", keys::render(x)));
        let changes: Vec<String> = added.chain(dropped).collect();
        if !changes.is_empty() {
            return changes.join(" ");
        }
    }
    format!("{} → {}", keys::render(a), keys::render(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes() {
        use serde_json::json;
        assert_eq!(change(&json!("thin-local"), &json!("fat")), "thin-local → fat");
        assert_eq!(change(&json!(["avx", "sse"]), &json!(["avx2", "sse"])), "+avx2 -avx");
        assert_eq!(change(&json!(["b", "a"]), &json!(["a", "b"])), "b,a → a,b");
        assert_eq!(change(&Value::Null, &json!(true)), "null → true");
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
