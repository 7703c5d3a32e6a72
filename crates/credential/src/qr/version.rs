//! Per-version facts of QR model 2 at error correction level M (ISO/IEC
//! 18004:2015 tables 1, 9 and E.1, annexes C and D): sizes, codeword
//! counts, block structure, alignment pattern centres, and the BCH-coded
//! format and version information.

/// Smallest and largest version.
pub(crate) const MIN_VERSION: u8 = 1;
pub(crate) const MAX_VERSION: u8 = 40;

/// Error correction codewords per block at level M, index = version.
const ECC_PER_BLOCK_M: [u8; 41] = [
    0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28,
    28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
];

/// Error correction blocks at level M, index = version.
const BLOCKS_M: [u8; 41] = [
    0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31,
    33, 35, 37, 38, 40, 43, 45, 47, 49,
];

/// Level M in the two format-information bits (L = 01, M = 00, Q = 11, H = 10).
const LEVEL_M_BITS: u16 = 0b00;

/// One version's layout at level M.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Version(u8);

impl Version {
    /// `None` outside 1..=40.
    pub(crate) fn new(number: u8) -> Option<Self> {
        (MIN_VERSION..=MAX_VERSION).contains(&number).then_some(Self(number))
    }

    pub(crate) fn number(self) -> u8 {
        self.0
    }

    /// Modules per side: 17 + 4 × version.
    pub(crate) fn size(self) -> usize {
        17 + 4 * usize::from(self.0)
    }

    /// Modules left for codewords once every function pattern and the
    /// format and version information are drawn.
    pub(crate) fn data_modules(self) -> usize {
        let v = usize::from(self.0);
        let mut modules = (16 * v + 128) * v + 64;
        if v >= 2 {
            let alignments = v / 7 + 2;
            modules -= (25 * alignments - 10) * alignments - 55;
            if v >= 7 {
                modules -= 36;
            }
        }
        modules
    }

    /// All codewords, data and error correction (the leftover 0 to 7
    /// modules are remainder bits).
    pub(crate) fn codewords(self) -> usize {
        self.data_modules() / 8
    }

    pub(crate) fn ecc_per_block(self) -> usize {
        usize::from(ECC_PER_BLOCK_M[usize::from(self.0)])
    }

    pub(crate) fn blocks(self) -> usize {
        usize::from(BLOCKS_M[usize::from(self.0)])
    }

    /// Data codewords at level M.
    pub(crate) fn data_codewords(self) -> usize {
        self.codewords() - self.ecc_per_block() * self.blocks()
    }

    /// Row/column coordinates of the alignment pattern centres (empty for
    /// version 1); the patterns sit at every pair except the three finder
    /// corners. Returns the coordinates and how many of them are used.
    pub(crate) fn alignment_centres(self) -> ([u8; 7], usize) {
        let mut centres = [0u8; 7];
        let v = usize::from(self.0);
        if v == 1 {
            return (centres, 0);
        }
        let count = v / 7 + 2;
        let step = if v == 32 { 26 } else { (v * 4 + count * 2 + 1) / (count * 2 - 2) * 2 };
        centres[0] = 6;
        let last = self.size() - 7;
        for (i, centre) in centres.iter_mut().enumerate().take(count).skip(1) {
            // Centres are spaced `step` apart, counted back from the last one.
            *centre = (last - (count - 1 - i) * step) as u8;
        }
        (centres, count)
    }

    /// Bits of the character count indicator: (alphanumeric, byte).
    pub(crate) fn count_bits(self) -> (usize, usize) {
        match self.0 {
            1..=9 => (9, 8),
            10..=26 => (11, 16),
            _ => (13, 16),
        }
    }

    /// The 18-bit version information (versions 7 and up): the version in
    /// the top 6 bits and a (18, 6) Golay code remainder below.
    pub(crate) fn info_bits(self) -> u32 {
        let data = u32::from(self.0);
        let mut rem = data;
        for _ in 0..12 {
            rem = (rem << 1) ^ ((rem >> 11) * 0x1F25);
        }
        (data << 12) | (rem & 0xFFF)
    }
}

/// The 15-bit format information for level M and `mask`: a (15, 5) BCH code
/// XORed with 101010000010010.
pub(crate) fn format_bits(mask: u8) -> u16 {
    let data = (LEVEL_M_BITS << 3) | u16::from(mask & 7);
    let mut rem = data;
    for _ in 0..10 {
        rem = (rem << 1) ^ ((rem >> 9) * 0x537);
    }
    ((data << 10) | (rem & 0x3FF)) ^ 0x5412
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(n: u8) -> Version {
        Version::new(n).unwrap()
    }

    #[test]
    fn format_information_for_level_m_matches_the_standard_table() {
        // ISO/IEC 18004:2015 table C.1, level M, masks 0 to 7.
        let expected = [0x5412, 0x5125, 0x5E7C, 0x5B4B, 0x45F9, 0x40CE, 0x4F97, 0x4AA0];
        for (mask, bits) in expected.into_iter().enumerate() {
            assert_eq!(format_bits(mask as u8), bits, "mask {mask}");
        }
    }

    #[test]
    fn version_information_matches_the_standard_table() {
        // ISO/IEC 18004:2015 table D.1.
        assert_eq!(v(7).info_bits(), 0x07C94);
        assert_eq!(v(8).info_bits(), 0x085BC);
        assert_eq!(v(21).info_bits(), 0x15683);
        assert_eq!(v(40).info_bits(), 0x28C69);
    }

    #[test]
    fn capacities_match_the_standard_table() {
        // (version, total codewords, data codewords at M), table 7.
        for (n, total, data) in
            [(1, 26, 16), (2, 44, 28), (7, 196, 124), (10, 346, 216), (25, 1588, 1000), (40, 3706, 2334)]
        {
            assert_eq!((v(n).codewords(), v(n).data_codewords()), (total, data), "version {n}");
        }
        assert_eq!(v(40).size(), 177);
        assert_eq!(v(1).data_modules() % 8, 0);
        assert_eq!(v(2).data_modules() % 8, 7);
        assert!(Version::new(0).is_none() && Version::new(41).is_none());
    }

    #[test]
    fn alignment_centres_match_annex_e() {
        let centres = |n| {
            let (c, k) = v(n).alignment_centres();
            c[..k].to_vec()
        };
        assert!(centres(1).is_empty());
        assert_eq!(centres(2), [6, 18]);
        assert_eq!(centres(7), [6, 22, 38]);
        assert_eq!(centres(10), [6, 28, 50]);
        assert_eq!(centres(32), [6, 34, 60, 86, 112, 138]);
        assert_eq!(centres(36), [6, 24, 50, 76, 102, 128, 154]);
        assert_eq!(centres(40), [6, 30, 58, 86, 114, 142, 170]);
    }
}
