//! What the fuzz targets share.

use cargo_profile_info::Document;
use profile_info_core::{render, section};

/// The section bytes that hold `json`: header, then the document.
pub fn section(json: &str) -> Vec<u8> {
    let mut bytes = section::encode_header(json.len()).to_vec();
    bytes.extend_from_slice(json.as_bytes());
    bytes
}

/// A document the reader accepted renders, and its hand-written JSON is byte for byte what
/// serde_json writes for the same model (the claim of `render::json`), whatever its strings hold.
pub fn rendered_alike(doc: &Document) {
    let _ = render::text(&doc.info);
    let ours = render::json(&doc.info);
    assert_eq!(ours, serde_json::to_string(&doc.info).expect("serialisable"));
}
