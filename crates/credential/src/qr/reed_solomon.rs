//! Reed–Solomon error correction over GF(2^8) with the QR field polynomial
//! x^8 + x^4 + x^3 + x^2 + 1 (0x11D) and generator roots α^0 .. α^(n-1).

use std::sync::OnceLock;

/// Largest number of error correction codewords in one block (level L/M/Q/H
/// never exceed 30).
pub(crate) const MAX_ECC: usize = 30;

/// α^i for i in 0..510 (doubled so a sum of two logarithms needs no modulo).
static EXP: [u8; 512] = {
    let mut table = [0u8; 512];
    let mut x: u16 = 1;
    let mut i = 0;
    while i < 255 {
        table[i] = x as u8;
        table[i + 255] = x as u8;
        x <<= 1;
        if x & 0x100 != 0 {
            x ^= 0x11D;
        }
        i += 1;
    }
    table
};

/// log_α(x) for x in 1..=255 (entry 0 unused).
static LOG: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 255 {
        table[EXP[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// The generator polynomial of degree `n`, (x - α^0)(x - α^1)..(x - α^(n-1)),
/// without its leading 1, as logarithms of its coefficients from x^(n-1)
/// down to x^0.
#[derive(Debug, Clone)]
pub(crate) struct Generator {
    log_coefficients: [u8; MAX_ECC],
    degree: usize,
}

impl Generator {
    /// `degree` must be 1..=[`MAX_ECC`] (smaller or larger is clamped).
    pub(crate) fn new(degree: usize) -> Self {
        let degree = degree.clamp(1, MAX_ECC);
        // Coefficients from x^(degree-1) down to x^0, leading 1 implied.
        let mut coefficients = [0u8; MAX_ECC];
        coefficients[degree - 1] = 1;
        let mut root = 1u8;
        for _ in 0..degree {
            // Multiply by (x - root): shift up one degree and add root × poly.
            for j in 0..degree {
                let next = if j + 1 < degree { coefficients[j + 1] } else { 0 };
                coefficients[j] = mul(coefficients[j], root) ^ next;
            }
            root = mul(root, 2);
        }
        let mut log_coefficients = [0u8; MAX_ECC];
        for (log, &c) in log_coefficients.iter_mut().zip(&coefficients[..degree]) {
            // No coefficient of a product of distinct linear factors is zero.
            *log = LOG[usize::from(c)];
        }
        Self { log_coefficients, degree }
    }

    pub(crate) fn degree(&self) -> usize {
        self.degree
    }

    /// Writes the remainder of `data` × x^degree divided by the generator
    /// into `ecc` (which must be `degree` long).
    pub(crate) fn remainder(&self, data: &[u8], ecc: &mut [u8]) {
        let n = self.degree;
        let logs = &self.log_coefficients[..n];
        // The division register, one spare zero byte at the end so that
        // shifting and adding are one pass (no memmove per byte).
        let mut register = [0u8; MAX_ECC + 1];
        for &byte in data {
            let factor = byte ^ register[0];
            // factor 0 adds nothing: mask the table product away instead of
            // branching.
            let keep = if factor == 0 { 0 } else { 0xFF };
            let log_factor = usize::from(LOG[usize::from(factor)]);
            for i in 0..n {
                register[i] = register[i + 1] ^ (EXP[usize::from(logs[i]) + log_factor] & keep);
            }
        }
        for (e, &r) in ecc.iter_mut().zip(&register[..n]) {
            *e = r;
        }
    }
}

/// The generator of each degree, built on first use.
pub(crate) fn generator(degree: usize) -> &'static Generator {
    static GENERATORS: [OnceLock<Generator>; MAX_ECC + 1] = [const { OnceLock::new() }; MAX_ECC + 1];
    let degree = degree.clamp(1, MAX_ECC);
    GENERATORS[degree].get_or_init(|| Generator::new(degree))
}

fn mul(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        return 0;
    }
    EXP[usize::from(LOG[usize::from(a)]) + usize::from(LOG[usize::from(b)])]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_tables_are_inverse() {
        assert_eq!(EXP[0], 1);
        assert_eq!(EXP[8], 0x1D);
        for x in 1..=255u8 {
            assert_eq!(EXP[usize::from(LOG[usize::from(x)])], x);
        }
        assert_eq!(mul(0x80, 2), 0x1D);
        assert_eq!(mul(0, 7), 0);
    }

    #[test]
    fn generator_polynomials_match_annex_a() {
        // ISO/IEC 18004:2015 annex A lists generators as exponents of α:
        // degree 7 is x^7 + α^87 x^6 + α^229 x^5 + α^146 x^4 + α^149 x^3
        // + α^238 x^2 + α^102 x + α^21.
        assert_eq!(Generator::new(7).log_coefficients[..7], [87, 229, 146, 149, 238, 102, 21]);
        assert_eq!(generator(7).log_coefficients[..7], [87, 229, 146, 149, 238, 102, 21]);
        // Degree 10 (version 1-M): α^251, 67, 46, 61, 118, 70, 64, 94, 32, 45.
        assert_eq!(Generator::new(10).log_coefficients[..10], [251, 67, 46, 61, 118, 70, 64, 94, 32, 45]);
    }

    #[test]
    fn remainder_is_what_makes_the_codeword_divisible() {
        // data ‖ ecc, evaluated at each root α^i of the generator, is zero.
        let data: Vec<u8> = (0..43u8).map(|i| i.wrapping_mul(37) ^ 0x5A).collect();
        for degree in [10, 16, 18, 22, 24, 26, 28, 30] {
            let mut ecc = vec![0u8; degree];
            generator(degree).remainder(&data, &mut ecc);
            for (i, &root) in EXP[..degree].iter().enumerate() {
                let value = data.iter().chain(&ecc).fold(0u8, |acc, &c| mul(acc, root) ^ c);
                assert_eq!(value, 0, "degree {degree}, root α^{i}");
            }
        }
    }

    #[test]
    fn version_1_m_worked_example() {
        // ISO/IEC 18004:2015 annex I: "01234567" at version 1-M, data
        // codewords and their 10 error correction codewords.
        let data = [
            0b0001_0000,
            0b0010_0000,
            0b0000_1100,
            0b0101_0110,
            0b0110_0001,
            0b1000_0000,
            0b1110_1100,
            0b0001_0001,
            0b1110_1100,
            0b0001_0001,
            0b1110_1100,
            0b0001_0001,
            0b1110_1100,
            0b0001_0001,
            0b1110_1100,
            0b0001_0001,
        ];
        let mut ecc = [0u8; 10];
        generator(10).remainder(&data, &mut ecc);
        assert_eq!(
            ecc,
            [
                0b1010_0101,
                0b0010_0100,
                0b1101_0100,
                0b1100_0001,
                0b1110_1101,
                0b0011_0110,
                0b1100_0111,
                0b1000_0111,
                0b0010_1100,
                0b0101_0101
            ]
        );
    }
}
