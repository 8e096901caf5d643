//! SHA-1 as git names blobs with it. Written here rather than taken from a crate: every package
//! in the macro's dependency graph costs each edit-compile cycle cargo's resolution and freshness
//! check, and this is the only hash the macro needs.

/// The SHA-1 digest of `parts`, concatenated.
pub fn digest(parts: &[&[u8]]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0];
    let len: u64 = parts.iter().map(|p| p.len() as u64).sum();
    let mut block = [0u8; 64];
    let mut filled = 0;
    let padding_len = (119 - (len % 64) as usize) % 64 + 1;
    let mut padding = vec![0u8; padding_len + 8];
    padding[0] = 0x80;
    padding[padding_len..].copy_from_slice(&(len * 8).to_be_bytes());
    for part in parts.iter().copied().chain([padding.as_slice()]) {
        for &byte in part {
            block[filled] = byte;
            filled += 1;
            if filled == 64 {
                compress(&mut h, &block);
                filled = 0;
            }
        }
    }
    let mut out = [0u8; 20];
    for (chunk, word) in out.chunks_mut(4).zip(h) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

fn compress(h: &mut [u32; 5], block: &[u8; 64]) {
    let mut w = [0u32; 80];
    for (i, chunk) in block.chunks(4).enumerate() {
        w[i] = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
    for i in 16..80 {
        w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
    }
    let [mut a, mut b, mut c, mut d, mut e] = *h;
    for (i, &word) in w.iter().enumerate() {
        let (f, k) = match i {
            0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
            20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
            40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
            _ => (b ^ c ^ d, 0xCA62_C1D6),
        };
        let t = a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add(k).wrapping_add(word);
        (e, d, c, b, a) = (d, c, b.rotate_left(30), a, t);
    }
    for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
        *x = x.wrapping_add(y);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(d: [u8; 20]) -> String {
        d.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// FIPS 180-2's examples, and lengths around the padding boundaries.
    #[test]
    fn known_digests() {
        assert_eq!(hex(digest(&[b"abc"])), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(hex(digest(&[b""])), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(
            hex(digest(&[b"abcdbcdecdefdefgefghfghighijhi", b"jkijkljklmklmnlmnomnopnopq"])),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        let million = vec![b'a'; 1_000_000];
        assert_eq!(hex(digest(&[&million])), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    }
}
