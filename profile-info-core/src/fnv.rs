//! 64-bit FNV-1a, the one hash of the project: cache keys, symbol names and ETags must be the same
//! on every run of every compiler and host, which std's `DefaultHasher` does not promise. Its
//! functions are `inline`: compiled into the crates that hash, not into this one, which every
//! debug build of a program links.

/// An FNV-1a hasher; as a [`std::hash::Hasher`] it hashes anything that is `Hash`.
///
/// ```
/// use std::hash::Hasher;
/// let mut h = profile_info_core::fnv::Fnv1a::default();
/// h.write(b"a");
/// assert_eq!(h.finish(), profile_info_core::fnv::fnv1a(b"a"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    #[inline]
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv1a {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The FNV-1a hash of `bytes`.
#[inline]
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = Fnv1a::default();
    std::hash::Hasher::write(&mut h, bytes);
    h.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published test vectors (Fowler, Noll, Vo: "FNV-1a 64-bit" for "", "a" and "foobar").
    #[test]
    fn reference_vectors() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
