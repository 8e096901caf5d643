//! The zlib stream (RFC 1950) that `.dep-v0` holds, with the data in stored DEFLATE blocks
//! (RFC 1951 §3.2.4): every zlib reader takes it, it needs no compressor in the proc macro, and the
//! binary itself reads it back without an inflater (for `/buildinfo`'s opt-in dependency list). A
//! dependency list is small (about 80 bytes a package), so the file pays little for it.
//! Public for the proc macro and `profile-info`, no promise beyond that.

/// `data` as a zlib stream of stored blocks.
pub fn stored(data: &[u8]) -> Vec<u8> {
    // CMF: deflate with a 32 KiB window; FLG: no dictionary, level "fastest", check bits making
    // CMF·256 + FLG a multiple of 31.
    let mut out = vec![0x78, 0x01];
    let mut blocks = data.chunks(0xffff).peekable();
    if blocks.peek().is_none() {
        out.extend([1, 0, 0, 0xff, 0xff]);
    }
    while let Some(block) = blocks.next() {
        out.push(u8::from(blocks.peek().is_none()));
        let len = block.len() as u16;
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend(block);
    }
    out.extend(adler32(data).to_be_bytes());
    out
}

/// The data of a zlib stream [`stored`] wrote; `None` for any other stream (compressed blocks,
/// a preset dictionary, a wrong checksum, trailing bytes).
pub fn unstored(stream: &[u8]) -> Option<Vec<u8>> {
    let (&[cmf, flg], mut rest) = stream.split_first_chunk::<2>()?;
    if cmf & 0x0f != 8 || flg & 0x20 != 0 || (u16::from(cmf) << 8 | u16::from(flg)) % 31 != 0 {
        return None;
    }
    let mut data = Vec::new();
    loop {
        let (&[header, l0, l1, n0, n1], after) = rest.split_first_chunk::<5>()?;
        let len = u16::from_le_bytes([l0, l1]);
        if header & !1 != 0 || !len != u16::from_le_bytes([n0, n1]) {
            return None;
        }
        let (block, after) = after.split_at_checked(usize::from(len))?;
        data.extend_from_slice(block);
        rest = after;
        if header == 1 {
            break;
        }
    }
    (rest == adler32(&data).to_be_bytes()).then_some(data)
}

fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 bytes is the most that cannot overflow `b` before the reduction.
    for chunk in data.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler32_of_known_strings() {
        // RFC 1950's definition, values as zlib's `adler32()` gives them.
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
    }

    #[test]
    fn header_and_blocks() {
        let z = stored(b"abc");
        assert_eq!((u16::from(z[0]) << 8 | u16::from(z[1])) % 31, 0);
        assert_eq!(&z[2..7], &[1, 3, 0, 0xfc, 0xff]);
        let big = vec![7u8; 0x1_0001];
        let z = stored(&big);
        assert_eq!(z.len(), 2 + 5 + 0xffff + 5 + 2 + 4);
        assert_eq!(z[2], 0, "first of two blocks is not final");
        assert_eq!(z[2 + 5 + 0xffff], 1);
    }

    #[test]
    fn read_back() {
        for data in [&b""[..], b"abc", &[7u8; 0x2_0001]] {
            assert_eq!(unstored(&stored(data)).as_deref(), Some(data));
        }
        let mut bad = stored(b"abc");
        *bad.last_mut().unwrap() ^= 1;
        assert_eq!(unstored(&bad), None, "checksum");
        assert_eq!(unstored(&stored(b"abc")[..9]), None, "truncated");
        assert_eq!(unstored(b""), None);
    }
}
