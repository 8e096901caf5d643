//! The zlib stream (RFC 1950) that `.dep-v0` holds: one DEFLATE block with the fixed Huffman codes
//! (RFC 1951 §3.2.6). Every zlib reader takes it; writing it needs no compressor crate in the
//! proc macro (the list is a few hundred bytes to a few dozen KiB, compressed once per answer of
//! `cargo metadata`, never on a cache hit), and the binary reads it back without an inflater crate
//! (for `/buildinfo`'s opt-in dependency list).
//! The fixed codes get a dependency list to about 40 % of its size (repeated keys and names are
//! what it is made of); the dynamic codes would save a few more bytes for much more code.
//! Public for the proc macro and `profile-info`, no promise beyond that.

/// Back-references reach this far (the window zlib's header announces).
const WINDOW: usize = 32 * 1024;
/// The shortest and the longest back-reference DEFLATE encodes.
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
/// Candidates tried per position: the lists are small, this only bounds a pathological input.
const TRIES: usize = 32;

/// The base and number of extra bits of the 29 length codes (symbols 257–285, RFC 1951 §3.2.5).
const LENGTHS: [(u16, u8); 29] = {
    let mut table = [(0, 0); 29];
    let mut base = 3;
    let mut i = 0;
    while i < 29 {
        let extra = if i < 8 || i == 28 { 0 } else { (i as u8 - 4) / 4 };
        table[i] = (if i == 28 { 258 } else { base }, extra);
        base += 1 << extra;
        i += 1;
    }
    table
};

/// The base and number of extra bits of the 30 distance codes.
const DISTANCES: [(u16, u8); 30] = {
    let mut table = [(0, 0); 30];
    let mut base = 1u32;
    let mut i = 0;
    while i < 30 {
        let extra = if i < 4 { 0 } else { (i as u8 - 2) / 2 };
        table[i] = (base as u16, extra);
        base += 1 << extra;
        i += 1;
    }
    table
};

/// `data` as a zlib stream.
#[inline]
pub fn compress(data: &[u8]) -> Vec<u8> {
    // CMF: deflate with a 32 KiB window; FLG: no dictionary, level "fastest", check bits making
    // CMF·256 + FLG a multiple of 31.
    let mut out = Bits { out: vec![0x78, 0x01], acc: 0, len: 0 };
    // BFINAL, then BTYPE 01: the fixed codes.
    out.put(0b011, 3);
    let mut chains = Chains::new(data.len());
    let mut i = 0;
    while i < data.len() {
        let (len, distance) = chains.longest(data, i);
        if len < MIN_MATCH {
            out.symbol(u16::from(data[i]));
            chains.insert(data, i);
            i += 1;
            continue;
        }
        out.length(len as u16);
        out.distance(distance as u16);
        for at in i..i + len {
            chains.insert(data, at);
        }
        i += len;
    }
    out.symbol(256);
    out.put(0, 7);
    let mut out = out.out;
    out.extend(adler32(data).to_be_bytes());
    out
}

/// LSB-first bit writer (RFC 1951 §3.1.1).
struct Bits {
    out: Vec<u8>,
    acc: u32,
    len: u32,
}

impl Bits {
    #[inline]
    fn put(&mut self, value: u32, len: u32) {
        self.acc |= value << self.len;
        self.len += len;
        while self.len >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.len -= 8;
        }
    }

    /// A literal/length symbol in the fixed code (Huffman codes go most significant bit first).
    #[inline]
    fn symbol(&mut self, symbol: u16) {
        let (code, len) = match symbol {
            0..=143 => (0x30 + symbol, 8),
            144..=255 => (0x190 + symbol - 144, 9),
            256..=279 => (symbol - 256, 7),
            _ => (0xc0 + symbol - 280, 8),
        };
        self.put(u32::from(code).reverse_bits() >> (32 - len), len);
    }

    /// A back-reference's length: its symbol and extra bits.
    #[inline]
    fn length(&mut self, len: u16) {
        let (index, extra, bits) = code_of(&LENGTHS, len);
        self.symbol(257 + index);
        self.put(extra, bits);
    }

    /// A back-reference's distance: its 5-bit code and extra bits.
    #[inline]
    fn distance(&mut self, distance: u16) {
        let (index, extra, bits) = code_of(&DISTANCES, distance);
        self.put(u32::from(index).reverse_bits() >> 27, 5);
        self.put(extra, bits);
    }
}

/// The index of the code of `table` whose range holds `value`, and the value and count of its
/// extra bits.
#[inline]
fn code_of(table: &[(u16, u8)], value: u16) -> (u16, u32, u32) {
    let index = table.iter().rposition(|&(base, _)| base <= value).expect("value in the table's range");
    let (base, extra) = table[index];
    (index as u16, u32::from(value - base), u32::from(extra))
}

/// Earlier positions by their first three bytes, newest first.
struct Chains {
    head: Vec<usize>,
    prev: Vec<usize>,
}

impl Chains {
    const NONE: usize = usize::MAX;
    const BITS: u32 = 12;

    #[inline]
    fn new(len: usize) -> Chains {
        Chains { head: vec![Self::NONE; 1 << Self::BITS], prev: vec![Self::NONE; len] }
    }

    #[inline]
    fn hash(data: &[u8], at: usize) -> Option<usize> {
        let &[a, b, c] = data.get(at..at + MIN_MATCH)? else { return None };
        Some((u32::from_le_bytes([a, b, c, 0]).wrapping_mul(0x9e37_79b1) >> (32 - Self::BITS)) as usize)
    }

    #[inline]
    fn insert(&mut self, data: &[u8], at: usize) {
        if let Some(h) = Self::hash(data, at) {
            self.prev[at] = self.head[h];
            self.head[h] = at;
        }
    }

    /// The longest earlier match of the bytes at `at` within the window: (length, distance).
    #[inline]
    fn longest(&self, data: &[u8], at: usize) -> (usize, usize) {
        let Some(h) = Self::hash(data, at) else { return (0, 0) };
        let mut best = (0, 0);
        let mut candidate = self.head[h];
        for _ in 0..TRIES {
            if candidate == Self::NONE || at - candidate > WINDOW {
                break;
            }
            // Overlapping is allowed: DEFLATE copies byte by byte.
            let len = data[candidate..].iter().zip(&data[at..]).take(MAX_MATCH).take_while(|(a, b)| a == b).count();
            if len > best.0 {
                best = (len, at - candidate);
            }
            candidate = self.prev[candidate];
        }
        best
    }
}

/// The data of a zlib stream [`compress`] wrote; `None` for any other stream (stored or dynamic
/// blocks, a preset dictionary, a wrong checksum, trailing bytes). Meant for the binary's own
/// section: a fixed-code stream holds at most about 170 times its size, and nothing caps it.
#[inline]
pub fn decompress(stream: &[u8]) -> Option<Vec<u8>> {
    let (&[cmf, flg], rest) = stream.split_first_chunk::<2>()?;
    if cmf & 0x0f != 8 || flg & 0x20 != 0 || (u16::from(cmf) << 8 | u16::from(flg)) % 31 != 0 {
        return None;
    }
    let mut bits = Reader { data: rest, at: 0 };
    if bits.get(3)? != 0b011 {
        return None;
    }
    let mut data = Vec::new();
    loop {
        let symbol = bits.symbol()?;
        match symbol {
            0..=255 => data.push(symbol as u8),
            256 => break,
            _ => {
                let len = bits.value(LENGTHS.get(usize::from(symbol - 257))?)?;
                let code = bits.reversed(5)? as usize;
                let distance = usize::from(bits.value(DISTANCES.get(code)?)?);
                let from = data.len().checked_sub(distance)?;
                for i in from..from + usize::from(len) {
                    data.push(data[i]);
                }
            }
        }
    }
    let rest = rest.get(bits.at.div_ceil(8)..)?;
    (rest == adler32(&data).to_be_bytes()).then_some(data)
}

/// LSB-first bit reader.
struct Reader<'a> {
    data: &'a [u8],
    /// Bits read.
    at: usize,
}

impl Reader<'_> {
    #[inline]
    fn get(&mut self, len: u32) -> Option<u32> {
        let mut value = 0;
        for i in 0..len {
            let bit = (self.data.get(self.at / 8)? >> (self.at % 8)) & 1;
            value |= u32::from(bit) << i;
            self.at += 1;
        }
        Some(value)
    }

    /// A Huffman code of `len` bits, most significant bit first.
    #[inline]
    fn reversed(&mut self, len: u32) -> Option<u32> {
        Some(self.get(len)?.reverse_bits() >> (32 - len))
    }

    /// A literal/length symbol of the fixed code: 7, 8 or 9 bits, told apart by their value.
    #[inline]
    fn symbol(&mut self) -> Option<u16> {
        let code = self.reversed(7)? as u16;
        if code < 0x18 {
            return Some(256 + code);
        }
        let code = code << 1 | self.get(1)? as u16;
        match code {
            0x30..=0xbf => Some(code - 0x30),
            0xc0..=0xc7 => Some(280 + code - 0xc0),
            _ => Some(144 + (code << 1 | self.get(1)? as u16) - 0x190),
        }
    }

    /// A length or distance: its code's base plus the extra bits.
    #[inline]
    fn value(&mut self, &(base, extra): &(u16, u8)) -> Option<u16> {
        Some(base + self.get(u32::from(extra))? as u16)
    }
}

#[inline]
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

    /// Inputs with long and short repeats, overlapping ones, every byte value, and none at all.
    fn samples() -> Vec<Vec<u8>> {
        // A hello world's list (the binary, profile-info's four crates).
        let list = br#"{"packages":[{"name":"hello","version":"0.1.0","source":"local","dependencies":[1],"root":true},{"name":"profile-info","version":"0.1.0","source":"crates.io","dependencies":[2,3,4]},{"name":"profile-info-core","version":"0.1.0","source":"crates.io"},{"name":"profile-info-macros","version":"0.1.0","source":"crates.io","kind":"build","dependencies":[2]},{"name":"profile-info-start","version":"0.1.0","source":"crates.io"}],"format":1}"#;
        let mut noise = Vec::new();
        let mut x = 1u32;
        for _ in 0..70_000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            noise.push((x >> 16) as u8 % 7);
        }
        vec![
            Vec::new(),
            b"a".to_vec(),
            b"abcabcabcabcabcabca".to_vec(),
            vec![0; 1000],
            (0..=255).collect(),
            list.to_vec(),
            list.repeat(300),
            noise,
        ]
    }

    #[test]
    fn adler32_of_known_strings() {
        // RFC 1950's definition, values as zlib's `adler32()` gives them.
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
    }

    /// miniz_oxide, the inflater cargo-auditable's readers use, as the oracle for the writer.
    #[test]
    fn miniz_oxide_reads_what_is_written() {
        for data in samples() {
            let z = compress(&data);
            assert_eq!((u16::from(z[0]) << 8 | u16::from(z[1])) % 31, 0);
            assert_eq!(miniz_oxide::inflate::decompress_to_vec_zlib(&z).ok().as_deref(), Some(&data[..]));
        }
        let list = &samples()[5];
        assert!(compress(list).len() < list.len() / 2, "repeated keys are compressed");
    }

    /// miniz_oxide's own fixed-code blocks as the oracle for the reader.
    #[test]
    fn reads_what_miniz_oxide_writes_with_the_fixed_codes() {
        use miniz_oxide::deflate::core::deflate_flags::TDEFL_FORCE_ALL_STATIC_BLOCKS;
        use miniz_oxide::deflate::core::{
            compress_to_output, create_comp_flags_from_zip_params, CompressorOxide, TDEFLFlush,
        };
        let mut checked = 0;
        for data in samples() {
            let flags = create_comp_flags_from_zip_params(9, 15, 0) | TDEFL_FORCE_ALL_STATIC_BLOCKS;
            let mut c = CompressorOxide::new(flags);
            let mut z = Vec::new();
            compress_to_output(&mut c, &data, TDEFLFlush::Finish, |out| {
                z.extend_from_slice(out);
                true
            });
            // miniz stores what does not compress, and splits a large input into blocks; the reader
            // takes one fixed-code block.
            if z[2] & 0b111 == 0b011 && data.len() < 10_000 {
                checked += 1;
                assert_eq!(decompress(&z).as_deref(), Some(&data[..]));
            }
            assert_eq!(decompress(&compress(&data)).as_deref(), Some(&data[..]));
        }
        assert!(checked >= 5, "{checked} of miniz's streams read");
    }

    #[test]
    fn bad_streams_are_none() {
        let z = compress(b"abcabcabc");
        let mut bad = z.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert_eq!(decompress(&bad), None, "checksum");
        assert_eq!(decompress(&z[..z.len() - 1]), None, "truncated");
        assert_eq!(decompress(&[z.clone(), vec![0]].concat()), None, "trailing bytes");
        assert_eq!(decompress(b""), None);
        // A stored block (zlib's level 0) is not what the writer produces.
        assert_eq!(decompress(&[0x78, 0x01, 1, 1, 0, 0xfe, 0xff, b'a', 0, 0x62, 0, 0x62]), None);
        // A distance before the start.
        let mut far = Bits { out: vec![0x78, 0x01], acc: 0, len: 0 };
        far.put(0b011, 3);
        far.length(3);
        far.distance(4);
        far.symbol(256);
        far.put(0, 7);
        assert_eq!(decompress(&far.out), None);
    }
}
