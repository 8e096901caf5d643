//! `inspect --sbom cyclonedx`: the dependency list as a CycloneDX 1.6 JSON SBOM, the binary's
//! package as the subject (`metadata.component`, with the document's fields as
//! `profile-info:KEY` properties), every other package a component (`purl` for crates.io ones,
//! scope `excluded` for those only used to build it), and the dependency graph. No serial number
//! or timestamp: the same binary gives the same bytes.

use crate::deps::{Dependencies, Package};
use crate::Document;
use profile_info_core::schema::{Value, FIELDS};
use serde_json::{json, Value as Json};

/// The SBOM of a binary's list and document (if it has one).
pub fn cyclonedx(deps: &Dependencies, doc: Option<&Document>) -> Json {
    let reference = |i: usize, p: &Package| format!("{}@{}#{i}", p.name, p.version);
    let component = |i: usize, p: &Package, kind: &str| {
        let mut c = json!({"type": kind, "bom-ref": reference(i, p), "name": p.name, "version": p.version});
        if p.source == "crates.io" {
            c["purl"] = format!("pkg:cargo/{}@{}", p.name, p.version).into();
        }
        if p.build {
            c["scope"] = "excluded".into();
        }
        c
    };
    let mut metadata = json!({
        "tools": {"components": [{"type": "application", "name": env!("CARGO_PKG_NAME"), "version": env!("CARGO_PKG_VERSION")}]},
    });
    if let Some((i, root)) = deps.packages.iter().enumerate().find(|(_, p)| p.root) {
        let mut subject = component(i, root, "application");
        if let Some(doc) = doc {
            let properties: Vec<Json> = FIELDS
                .iter()
                .filter(|f| f.since <= doc.schema)
                .filter_map(|f| match (f.get)(&doc.info) {
                    Value::Null => None,
                    value => Some(json!({"name": format!("profile-info:{}", f.key), "value": value.to_string()})),
                })
                .collect();
            subject["properties"] = properties.into();
        }
        metadata["component"] = subject;
    }
    let components: Vec<Json> =
        deps.packages.iter().enumerate().filter(|(_, p)| !p.root).map(|(i, p)| component(i, p, "library")).collect();
    let dependencies: Vec<Json> = deps
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let on: Vec<String> = p.dependencies.iter().map(|&d| reference(d, &deps.packages[d])).collect();
            json!({"ref": reference(i, p), "dependsOn": on})
        })
        .collect();
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": metadata,
        "components": components,
        "dependencies": dependencies,
    })
}
