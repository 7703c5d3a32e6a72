//! From text to the final codeword sequence: one segment in numeric,
//! alphanumeric or byte mode (text that is not ASCII preceded by the UTF-8
//! ECI designator, 26, so readers do not guess another character set), the smallest version at level M that holds it, terminator and
//! pad codewords, then Reed–Solomon blocks interleaved (ISO/IEC 18004:2015
//! 7.4 and 7.5).

use super::reed_solomon::{MAX_ECC, generator};
use super::version::{MAX_VERSION, MIN_VERSION, Version};

/// How the text is turned into bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// 0-9 only, three digits in 10 bits.
    Numeric,
    /// 0-9, A-Z, space and `$%*+-./:`, two characters in 11 bits.
    Alphanumeric,
    /// The UTF-8 bytes, 8 bits each.
    Byte,
    /// Byte mode after an ECI header naming UTF-8: text that is not ASCII.
    Utf8Byte,
}

/// ECI mode indicator and the 8-bit designator of UTF-8 (assignment 26).
const ECI_UTF8_HEADER_BITS: usize = 4 + 8;

impl Mode {
    /// Alphanumeric when every character is in its set, byte otherwise.
    pub(crate) fn for_text(text: &str) -> Self {
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            Self::Numeric
        } else if !text.is_ascii() {
            Self::Utf8Byte
        } else if text.bytes().all(|b| ALPHANUMERIC_VALUES[usize::from(b)] != NOT_ALPHANUMERIC) {
            Self::Alphanumeric
        } else {
            Self::Byte
        }
    }

    fn indicator(self) -> u32 {
        match self {
            Self::Numeric => 0b0001,
            Self::Alphanumeric => 0b0010,
            Self::Byte | Self::Utf8Byte => 0b0100,
        }
    }

    /// Bits of the segment for `len` bytes of text, without the header.
    fn payload_bits(self, len: usize) -> usize {
        match self {
            Self::Numeric => len / 3 * 10 + [0, 4, 7][len % 3],
            Self::Alphanumeric => len / 2 * 11 + len % 2 * 6,
            Self::Byte => len * 8,
            Self::Utf8Byte => ECI_UTF8_HEADER_BITS + len * 8,
        }
    }

    fn count_bits(self, version: Version) -> usize {
        let (alphanumeric, byte) = version.count_bits();
        match self {
            // 10, 12 and 14 bits, one more than alphanumeric at each size.
            Self::Numeric => alphanumeric + 1,
            Self::Alphanumeric => alphanumeric,
            Self::Byte | Self::Utf8Byte => byte,
        }
    }
}

const ALPHANUMERIC_SET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
const NOT_ALPHANUMERIC: u8 = 0xff;

static ALPHANUMERIC_VALUES: [u8; 256] = {
    let mut table = [NOT_ALPHANUMERIC; 256];
    let mut i = 0;
    while i < ALPHANUMERIC_SET.len() {
        table[ALPHANUMERIC_SET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// The codewords to place in the symbol, in placement order.
pub(crate) struct Codewords {
    pub(crate) version: Version,
    bytes: Vec<u8>,
}

impl Codewords {
    /// All codewords of the version (data and error correction, interleaved).
    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.bytes
    }
}

/// The smallest version at level M that holds `text` in `mode`.
pub(crate) fn smallest_version(mode: Mode, len: usize) -> Option<Version> {
    (MIN_VERSION..=MAX_VERSION).filter_map(Version::new).find(|&version| {
        let count_bits = mode.count_bits(version);
        len < (1 << count_bits) && 4 + count_bits + mode.payload_bits(len) <= version.data_codewords() * 8
    })
}

/// Encodes `text` (mode chosen by [`Mode::for_text`]); `None` when it does
/// not fit version 40-M.
pub(crate) fn codewords(text: &str) -> Option<Codewords> {
    let mode = Mode::for_text(text);
    let bytes = text.as_bytes();
    let version = smallest_version(mode, bytes.len())?;
    let capacity = version.data_codewords();
    let mut data = BitWriter::new(capacity);
    if mode == Mode::Utf8Byte {
        data.push(0b0111, 4);
        data.push(26, 8);
    }
    data.push(mode.indicator(), 4);
    data.push(bytes.len() as u32, mode.count_bits(version));
    match mode {
        Mode::Numeric => {
            let digits = |group: &[u8]| group.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'));
            for group in bytes.chunks(3) {
                data.push(digits(group), [0, 4, 7, 10][group.len()]);
            }
        }
        Mode::Alphanumeric => {
            let value = |b: u8| u32::from(ALPHANUMERIC_VALUES[usize::from(b)]);
            let mut pairs = bytes.chunks_exact(2);
            for pair in &mut pairs {
                data.push(value(pair[0]) * 45 + value(pair[1]), 11);
            }
            if let [last] = pairs.remainder() {
                data.push(value(*last), 6);
            }
        }
        Mode::Byte | Mode::Utf8Byte => {
            for &b in bytes {
                data.push(u32::from(b), 8);
            }
        }
    }
    // Terminator (up to four zero bits), then zero bits to a byte boundary.
    let terminator = (capacity * 8 - data.len).min(4);
    data.push(0, terminator);
    data.push(0, (8 - data.len % 8) % 8);
    data.flush();
    // Pad codewords 11101100 and 00010001 alternately.
    let filled = data.len / 8;
    for (slot, pad) in data.bytes[filled..].iter_mut().zip([0xEC, 0x11].into_iter().cycle()) {
        *slot = pad;
    }
    Some(interleave(version, &data.bytes))
}

/// Splits `data` into the version's blocks, appends each block's error
/// correction, and interleaves: the i-th data codeword of every block in
/// turn, then the i-th error correction codeword of every block.
fn interleave(version: Version, data: &[u8]) -> Codewords {
    let blocks = version.blocks();
    let ecc_len = version.ecc_per_block();
    let total = version.codewords();
    let long_blocks = total % blocks;
    let short_blocks = blocks - long_blocks;
    let short_len = total / blocks - ecc_len;
    let generator = generator(ecc_len);
    let data_total = data.len();
    let mut out = Codewords { version, bytes: vec![0; total] };
    let mut start = 0;
    let mut ecc = [0u8; MAX_ECC];
    let ecc = &mut ecc[..generator.degree()];
    for block in 0..blocks {
        let len = short_len + usize::from(block >= short_blocks);
        let block_data = &data[start..start + len];
        for (i, &b) in block_data.iter().enumerate() {
            // Short blocks skip the last data round.
            let round = i * blocks + block - if i == short_len { short_blocks } else { 0 };
            out.bytes[round] = b;
        }
        generator.remainder(block_data, ecc);
        for (i, &e) in ecc.iter().enumerate() {
            out.bytes[data_total + i * blocks + block] = e;
        }
        start += len;
    }
    out
}

/// Big-endian bit packing into a buffer of fixed length.
struct BitWriter {
    bytes: Vec<u8>,
    /// Bits written.
    len: usize,
    /// Bits not yet stored, right-aligned.
    pending: u64,
    pending_len: usize,
}

impl BitWriter {
    /// Room for `bytes` bytes, all zero.
    fn new(bytes: usize) -> Self {
        Self { bytes: vec![0; bytes], len: 0, pending: 0, pending_len: 0 }
    }

    /// Appends the low `count` (at most 16) bits of `value`, most
    /// significant first. Bits past the buffer are dropped (callers check
    /// the capacity first).
    fn push(&mut self, value: u32, count: usize) {
        if count == 0 {
            return;
        }
        self.pending = (self.pending << count) | u64::from(value & ((1u32 << count) - 1));
        self.pending_len += count;
        self.len += count;
        while self.pending_len >= 8 {
            self.pending_len -= 8;
            let index = (self.len - self.pending_len) / 8 - 1;
            if let Some(slot) = self.bytes.get_mut(index) {
                *slot = (self.pending >> self.pending_len) as u8;
            }
        }
    }

    /// Stores a last partial byte, zero-padded (no-op at a byte boundary).
    fn flush(&mut self) {
        if self.pending_len > 0 {
            let index = self.len / 8;
            if let Some(slot) = self.bytes.get_mut(index) {
                *slot = (self.pending << (8 - self.pending_len)) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_follows_the_character_set() {
        assert_eq!(Mode::for_text("HCODE1:AB $%*+-./"), Mode::Alphanumeric);
        assert_eq!(Mode::for_text(""), Mode::Alphanumeric);
        assert_eq!(Mode::for_text("0123"), Mode::Numeric);
        assert_eq!(Mode::for_text("0123A"), Mode::Alphanumeric);
        assert_eq!(Mode::for_text("https://example.org/v?t=1"), Mode::Byte);
        assert_eq!(Mode::for_text("HELLO!"), Mode::Byte);
        assert_eq!(Mode::for_text("日本"), Mode::Utf8Byte);
        assert_eq!(Mode::for_text("Hà Nội"), Mode::Utf8Byte);
    }

    #[test]
    fn smallest_version_follows_the_capacity_table() {
        // Table 7, level M: alphanumeric 20, 38 and 3,391 characters (v1,
        // v2, v40); byte 14, 26 and 2,331.
        let v = |mode, len| smallest_version(mode, len).map(Version::number);
        assert_eq!(v(Mode::Alphanumeric, 20), Some(1));
        assert_eq!(v(Mode::Alphanumeric, 21), Some(2));
        assert_eq!(v(Mode::Alphanumeric, 38), Some(2));
        assert_eq!(v(Mode::Alphanumeric, 3_391), Some(40));
        assert_eq!(v(Mode::Alphanumeric, 3_392), None);
        assert_eq!(v(Mode::Byte, 14), Some(1));
        assert_eq!(v(Mode::Byte, 15), Some(2));
        assert_eq!(v(Mode::Byte, 2_331), Some(40));
        assert_eq!(v(Mode::Byte, 2_332), None);
    }

    #[test]
    fn data_codewords_of_the_alphanumeric_example() {
        // ISO/IEC 18004:2015 7.4.4 example: "AC-42" is 0010 000000101
        // 00111001110 11100111001 000010, here at version 1-M.
        let code = codewords("AC-42").unwrap();
        assert_eq!(code.version.number(), 1);
        // 41 data bits + 4 terminator bits + 3 padding bits = 6 bytes.
        let expected_bits = ["0010", "000000101", "00111001110", "11100111001", "000010", "0000", "000"].concat();
        let mut bits = String::new();
        for b in &code.as_slice()[..6] {
            bits.push_str(&format!("{b:08b}"));
        }
        assert_eq!(bits, expected_bits);
        assert_eq!(code.as_slice()[6..16], [0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11]);
    }

    #[test]
    fn interleaving_of_version_5_m() {
        // 5-M: two blocks of 43 data codewords, 24 error correction each.
        let data: Vec<u8> = (0..86).collect();
        let out = interleave(Version::new(5).unwrap(), &data);
        let bytes = out.as_slice();
        assert_eq!(bytes.len(), 134);
        assert_eq!(bytes[..6], [0, 43, 1, 44, 2, 45]);
        assert_eq!(bytes[84..86], [42, 85]);
    }

    #[test]
    fn interleaving_with_long_blocks() {
        // 13-M: 8 blocks of 37 data codewords and 1 of 38 (table 9); the
        // last data round takes only the long block.
        let version = Version::new(13).unwrap();
        assert_eq!((version.codewords(), version.blocks(), version.ecc_per_block()), (532, 9, 22));
        let data: Vec<u16> = (0..version.data_codewords() as u16).collect();
        let bytes: Vec<u8> = data.iter().map(|&i| (i % 251) as u8).collect();
        let out = interleave(version, &bytes);
        let got = out.as_slice();
        // Round 0: the first codeword of each block.
        let firsts: Vec<u8> = [0u16, 37, 74, 111, 148, 185, 222, 259, 296].iter().map(|&i| (i % 251) as u8).collect();
        assert_eq!(got[..9], firsts[..]);
        // The last data round: codeword 37 of the long block only.
        assert_eq!(37 * 9 + 1, version.data_codewords());
        assert_eq!(got[37 * 9], (333 % 251) as u8);
        // Then the first error correction codeword of each block.
        let mut ecc = [0u8; 22];
        generator(22).remainder(&bytes[296..], &mut ecc);
        assert_eq!(got[334 + 8], ecc[0]);
        assert_eq!(got[531], ecc[21]);
    }
}
