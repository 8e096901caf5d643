//! Finding the profile-info section in an executable and parsing the document it holds.

use crate::Error;
use object::{Object, ObjectSection};
use profile_info_core::{section, BuildInfo, SCHEMA};

/// The oldest schema this tool reads; every one up to [`SCHEMA`] is read.
pub const OLDEST_SCHEMA: u32 = 1;
/// How the error for a file without the section starts.
const NO_SECTION: &str = "no profile-info section";
use serde_json::Value;
use std::path::Path;

/// A document read out of a file.
#[derive(Debug, Clone)]
pub struct Document {
    /// The JSON exactly as embedded (what the binary prints for `--build-info=json`).
    pub json: String,
    /// The same JSON as a tree, for dotted-key lookups.
    pub value: Value,
    /// The same JSON as the typed model, for rendering. Fields a document's schema did not
    /// have yet are `None`.
    pub info: BuildInfo,
    /// The document's schema (1 to 3). Older documents lack the fields later schemas added;
    /// schema 1 documents also say `"thin-local"` for every build without `-C lto`, LTO or not.
    pub schema: u32,
}

impl Document {
    /// Reads the document embedded in the executable or object file at `path`.
    pub fn from_file(path: &Path) -> Result<Document, Error> {
        let meta = std::fs::metadata(path).map_err(|e| Error::file(path, io_problem(&e)))?;
        if meta.is_dir() {
            return Err(Error::file(path, "is a directory, not an executable"));
        }
        let data = std::fs::read(path).map_err(|e| Error::file(path, io_problem(&e)))?;
        Document::from_object(&data).map_err(|problem| Error::file(path, problem))
    }

    /// Reads the document from the bytes of an executable or object file (ELF, Mach-O or PE).
    pub fn from_object(data: &[u8]) -> Result<Document, String> {
        if let Ok(object::FileKind::MachOFat32 | object::FileKind::MachOFat64) = object::FileKind::parse(data) {
            return Err("is a universal (fat) Mach-O file: extract one architecture with `lipo -thin` first".into());
        }
        let file = object::File::parse(data)
            .map_err(|e| format!("not an executable this tool reads (ELF, Mach-O or PE): {e}"))?;
        Document::find(&file)?.ok_or_else(|| Document::missing(file.format()))
    }

    /// Why a file of `format` without a profile-info section has none.
    pub fn missing(format: object::BinaryFormat) -> String {
        match format {
            object::BinaryFormat::Pe | object::BinaryFormat::Coff => {
                format!("{NO_SECTION}: profile-info embeds none in Windows (PE) binaries")
            }
            object::BinaryFormat::MachO => {
                format!("{NO_SECTION} ({}): not built with #[profile_info::main]", section::MACHO_SECTION)
            }
            _ => format!("{NO_SECTION} ({}): not built with #[profile_info::main]", section::ELF_SECTION),
        }
    }

    /// The document in a parsed file: `None` when the file has no profile-info section, an error
    /// when the section is there but damaged.
    pub fn find(file: &object::File<'_>) -> Result<Option<Document>, String> {
        let (segment, name) = match file.format() {
            object::BinaryFormat::MachO => section::MACHO_SECTION.split_once(',').expect("segment,section"),
            _ => ("", section::ELF_SECTION),
        };
        let found = file
            .sections()
            .find(|s| s.name() == Ok(name) && (segment.is_empty() || s.segment_name() == Ok(Some(segment))));
        let Some(found) = found else { return Ok(None) };
        let bytes = found.data().map_err(|e| format!("cannot read the {name} section: {e}"))?;
        Document::from_section(bytes).map(Some)
    }

    /// Parses the contents of a profile-info section: header, then a JSON document of schema 1
    /// or 2.
    pub fn from_section(bytes: &[u8]) -> Result<Document, String> {
        let json = section::decode(bytes).map_err(|e| e.to_string())?;
        let value: Value =
            serde_json::from_str(json).map_err(|e| format!("the section's document is not valid JSON: {e}"))?;
        let schema = match value.get("schema").and_then(Value::as_u64) {
            Some(n) if (u64::from(OLDEST_SCHEMA)..=u64::from(SCHEMA)).contains(&n) => n as u32,
            Some(n) => {
                return Err(format!(
                    "document schema {n} is not supported (this tool reads schemas {OLDEST_SCHEMA} to {SCHEMA})"
                ))
            }
            None => return Err("the section's document has no schema number".into()),
        };
        let info = serde_json::from_str::<BuildInfo>(json)
            .map_err(|e| format!("the section's document does not follow schema {schema}: {e}"))?;
        Ok(Document { json: json.to_owned(), value, info, schema })
    }
}

/// The OS error without Rust's `(os error N)` suffix, lower-cased like the rest of the messages.
pub(crate) fn io_problem(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => format!("cannot read: {e}"),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A current document with every field `null` that may be.
    pub(crate) fn sample() -> Value {
        serde_json::from_str(&profile_info_core::render::json(&BuildInfo::__EMPTY)).expect("JSON")
    }

    /// A schema-1 document as schema-1 binaries embed it, every field `null` that may be.
    pub(crate) fn sample_v1() -> Value {
        serde_json::json!({
            "schema": 1, "crate_type": "bin", "package": {"name": "app", "version": "0.1.0"},
            "profile": {"name": null, "opt_level": null, "debuginfo": null, "strip": null, "lto": null,
                "codegen_units": null, "panic": null, "debug_assertions": null, "overflow_checks": null,
                "incremental": null},
            "target": {"triple": null, "cpu": null, "features": null, "level": null},
            "rustc": {"version": null, "channel": null, "commit_hash": null, "commit_date": null,
                "llvm_version": null, "host": null},
            "vcs": null,
        })
    }

    /// The section holding `value`, read back.
    pub(crate) fn section_of(value: &Value) -> Vec<u8> {
        let json = value.to_string();
        let mut bytes = section::encode_header(json.len()).to_vec();
        bytes.extend_from_slice(json.as_bytes());
        bytes
    }

    pub(crate) fn document(value: &Value) -> Document {
        Document::from_section(&section_of(value)).expect("valid document")
    }

    #[test]
    fn both_schemas_are_read() {
        let v1 = document(&sample_v1());
        assert_eq!((v1.schema, v1.info.schema, v1.info.profile.pgo), (1, 1, None));
        assert!(v1.info.to_string().starts_with("app 0.1.0\ncrate:       bin (schema 1, "), "{}", v1.info);
        let current = document(&sample());
        assert_eq!(current.schema, SCHEMA);
    }

    #[test]
    fn schema_and_json_errors() {
        let mut next = sample();
        next["schema"] = (SCHEMA + 1).into();
        assert_eq!(
            Document::from_section(&section_of(&next)).unwrap_err(),
            format!("document schema {} is not supported (this tool reads schemas 1 to {SCHEMA})", SCHEMA + 1)
        );
        let mut no_profile = sample_v1();
        no_profile.as_object_mut().unwrap().remove("profile");
        let err = Document::from_section(&section_of(&no_profile)).unwrap_err();
        assert!(err.contains("does not follow schema 1: missing field `profile`"), "{err}");
        let mut bad = section_of(&sample());
        let last = bad.len() - 1;
        bad[last] = b',';
        let err = Document::from_section(&bad).unwrap_err();
        assert!(err.starts_with("the section's document is not valid JSON: "), "{err}");
        assert!(Document::from_section(&section_of(&serde_json::json!([1]))).unwrap_err().contains("no schema number"));
    }

    /// An object file of `format` holding `bytes` in section `name` of `segment`.
    fn object_file(format: object::BinaryFormat, segment: &str, name: &str, bytes: &[u8]) -> Vec<u8> {
        use object::write;
        let mut obj = write::Object::new(format, object::Architecture::X86_64, object::Endianness::Little);
        let id =
            obj.add_section(segment.as_bytes().to_vec(), name.as_bytes().to_vec(), object::SectionKind::ReadOnlyData);
        obj.append_section_data(id, bytes, 1);
        obj.write().expect("writable object")
    }

    /// Mach-O and COFF cannot be linked here; object files written by the same crate check that
    /// the section is looked up under the names the macro gives it.
    #[test]
    fn section_names_per_format() {
        use object::BinaryFormat::{Coff, Elf, MachO};
        let bytes = section_of(&sample());
        let (segment, name) = section::MACHO_SECTION.split_once(',').unwrap();
        for (format, segment, name) in [(Elf, "", section::ELF_SECTION), (MachO, segment, name)] {
            let doc = Document::from_object(&object_file(format, segment, name, &bytes)).expect("found");
            assert_eq!(doc.value, sample(), "{format:?}");
        }
        let wrong_segment = Document::from_object(&object_file(MachO, "__TEXT", name, &bytes)).unwrap_err();
        assert_eq!(
            wrong_segment,
            "no profile-info section (__DATA,__profile_info): not built with #[profile_info::main]"
        );
        let coff = Document::from_object(&object_file(Coff, "", ".rdata", &bytes)).unwrap_err();
        assert_eq!(coff, "no profile-info section: profile-info embeds none in Windows (PE) binaries");
        let fat = [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 3];
        assert!(Document::from_object(&fat).unwrap_err().contains("universal (fat) Mach-O"));
    }
}
