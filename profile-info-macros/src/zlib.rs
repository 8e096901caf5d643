//! The zlib stream (RFC 1950) that `.dep-v0` holds, with the data in stored DEFLATE blocks
//! (RFC 1951 §3.2.4): every zlib reader takes it, and it needs no compressor in the macro. A
//! dependency list is small (about 80 bytes a package), so the file pays little for it.

/// `data` as a zlib stream.
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
}
