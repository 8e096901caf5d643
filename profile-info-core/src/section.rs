//! The linker section that carries the document inside a binary, so that a tool can read it
//! without running the file.
//!
//! Layout: 8-byte magic `PRFLINFO`, a little-endian `u32` format version (1), a little-endian
//! `u32` length, then that many bytes of the document's JSON (exactly what `--build-info=json`
//! prints).

/// The section's name in ELF files.
pub const ELF_SECTION: &str = ".profile_info";
/// The `segment,section` name in Mach-O files.
pub const MACHO_SECTION: &str = "__DATA,__profile_info";
/// Marks the start of the section's contents.
pub const MAGIC: [u8; 8] = *b"PRFLINFO";
/// The format version [`encode_header`] writes.
pub const VERSION: u32 = 1;
/// Bytes before the JSON.
pub const HEADER_LEN: usize = 16;

/// The header that precedes `json_len` bytes of JSON.
#[inline]
pub fn encode_header(json_len: usize) -> [u8; HEADER_LEN] {
    let mut h = [0; HEADER_LEN];
    h[..8].copy_from_slice(&MAGIC);
    h[8..12].copy_from_slice(&VERSION.to_le_bytes());
    h[12..].copy_from_slice(&(json_len as u32).to_le_bytes());
    h
}

/// Why a section's bytes could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SectionError {
    /// Shorter than the header or than the length it gives.
    Truncated {
        /// Bytes needed.
        needed: usize,
        /// Bytes present.
        found: usize,
    },
    /// Does not start with [`MAGIC`].
    BadMagic,
    /// A format version this crate does not read.
    UnknownVersion(u32),
    /// The JSON bytes are not UTF-8.
    NotUtf8,
}

impl std::fmt::Display for SectionError {
    #[inline]
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SectionError::Truncated { needed, found } => {
                write!(f, "section truncated: needs {needed} bytes, has {found}")
            }
            SectionError::BadMagic => f.write_str("section does not start with the profile-info magic"),
            SectionError::UnknownVersion(v) => {
                write!(f, "section format version {v} is not supported (this tool reads {VERSION})")
            }
            SectionError::NotUtf8 => f.write_str("section's document is not UTF-8"),
        }
    }
}

impl std::error::Error for SectionError {}

/// The JSON document in a section's bytes. Bytes after the document (alignment padding) are
/// ignored.
#[inline]
pub fn decode(bytes: &[u8]) -> Result<&str, SectionError> {
    let header = bytes.get(..HEADER_LEN).ok_or(SectionError::Truncated { needed: HEADER_LEN, found: bytes.len() })?;
    if header[..8] != MAGIC {
        return Err(SectionError::BadMagic);
    }
    let version = u32::from_le_bytes(header[8..12].try_into().expect("4 bytes"));
    if version != VERSION {
        return Err(SectionError::UnknownVersion(version));
    }
    let len = u32::from_le_bytes(header[12..16].try_into().expect("4 bytes")) as usize;
    let needed = HEADER_LEN.saturating_add(len);
    let json = bytes.get(HEADER_LEN..needed).ok_or(SectionError::Truncated { needed, found: bytes.len() })?;
    std::str::from_utf8(json).map_err(|_| SectionError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let json = br#"{"schema":1}"#;
        let mut bytes = encode_header(json.len()).to_vec();
        bytes.extend_from_slice(json);
        bytes.extend_from_slice(&[0, 0, 0]);
        assert_eq!(decode(&bytes), Ok(r#"{"schema":1}"#));
        assert_eq!(decode(&bytes[..20]), Err(SectionError::Truncated { needed: 28, found: 20 }));
        assert_eq!(decode(&bytes[..3]), Err(SectionError::Truncated { needed: 16, found: 3 }));
        let mut bad = bytes.clone();
        bad[0] = b'X';
        assert_eq!(decode(&bad), Err(SectionError::BadMagic));
        let mut v2 = bytes.clone();
        v2[8] = 2;
        assert_eq!(decode(&v2), Err(SectionError::UnknownVersion(2)));
        let mut huge = bytes.clone();
        huge[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(decode(&huge), Err(SectionError::Truncated { .. })));
        let mut utf = bytes;
        utf[HEADER_LEN] = 0xff;
        assert_eq!(decode(&utf), Err(SectionError::NotUtf8));
    }
}
