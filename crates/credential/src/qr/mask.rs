//! The eight data masks and the choice between them by the four penalty
//! rules of ISO/IEC 18004:2015 7.8.3, evaluated on the complete symbol as
//! 7.8.3.1 asks (function patterns, version information and that mask's
//! format information included); the lowest total wins, the lower mask
//! number on a tie:
//!
//! - N1: each run of 5 + i same-coloured modules in a row or column scores
//!   3 + i;
//! - N2: each 2×2 block of one colour scores 3 (blocks may overlap);
//! - N3: each 1:1:3:1:1 finder lookalike (dark, light, 3 dark, light, dark)
//!   with 4 light modules before it scores 40, and again with 4 light
//!   modules after it; modules beyond the edge count as light (the quiet
//!   zone);
//! - N4: 10 for each full 5 % by which the dark share differs from 50 %.
//!
//! The standard leaves room for reading (format information drawn or not
//! while scoring, a lookalike light on both sides counted once or twice), so
//! encoders differ in their choice for some texts; any mask decodes. fast_qr
//! 0.14, for one, scores runs and blocks only inside the data region and
//! without format information, and picks another mask for about a quarter
//! of texts.
//!
//! Lines are bit words: runs, blocks and lookalikes are found with shifts
//! and popcounts, 64 modules per instruction.

use super::grid::{Grid, Line, WORDS, draw_format, line_of_ones};

/// The mask patterns repeat every 12 rows and every 12 columns.
const PERIOD: usize = 12;

/// Whether mask `mask` inverts module (x, y) (table 10, i = row, j = column).
const fn inverts(mask: u8, x: usize, y: usize) -> bool {
    match mask {
        0 => (x + y).is_multiple_of(2),
        1 => y.is_multiple_of(2),
        2 => x.is_multiple_of(3),
        3 => (x + y).is_multiple_of(3),
        4 => (y / 2 + x / 3).is_multiple_of(2),
        5 => (x * y) % 2 + (x * y) % 3 == 0,
        6 => ((x * y) % 2 + (x * y) % 3).is_multiple_of(2),
        _ => ((x + y) % 2 + (x * y) % 3).is_multiple_of(2),
    }
}

/// `ROW_PATTERNS[m][y % 12]`: the modules mask `m` inverts in row `y`;
/// `COL_PATTERNS[m][x % 12]`: the same for column `x`.
static ROW_PATTERNS: [[Line; PERIOD]; 8] = patterns(true);
static COL_PATTERNS: [[Line; PERIOD]; 8] = patterns(false);

const fn patterns(rows: bool) -> [[Line; PERIOD]; 8] {
    let mut table = [[[0u64; WORDS]; PERIOD]; 8];
    let mut mask = 0;
    while mask < 8 {
        let mut k = 0;
        while k < PERIOD {
            let mut i = 0;
            while i < WORDS * 64 {
                let (x, y) = if rows { (i, k) } else { (k, i) };
                if inverts(mask as u8, x, y) {
                    table[mask][k][i / 64] |= 1 << (i % 64);
                }
                i += 1;
            }
            k += 1;
        }
        mask += 1;
    }
    table
}

/// A masked symbol: rows and columns.
pub(crate) struct Masked {
    pub(crate) rows: Vec<Line>,
    cols: Vec<Line>,
}

impl Masked {
    fn new(size: usize) -> Self {
        Self { rows: vec![[0; WORDS]; size], cols: vec![[0; WORDS]; size] }
    }

    /// `grid` with `mask` applied to its data modules and the format
    /// information of `mask` drawn.
    fn apply(&mut self, grid: &Grid, mask: u8) {
        let size = grid.size;
        let row_patterns = &ROW_PATTERNS[usize::from(mask)];
        let col_patterns = &COL_PATTERNS[usize::from(mask)];
        let lines = self.rows.iter_mut().zip(&grid.rows).zip(grid.data_rows);
        for (i, ((out, dark), data)) in lines.enumerate() {
            let pattern = &row_patterns[i % PERIOD];
            *out = std::array::from_fn(|w| dark[w] ^ (pattern[w] & data[w]));
        }
        let lines = self.cols.iter_mut().zip(&grid.cols).zip(grid.data_cols);
        for (i, ((out, dark), data)) in lines.enumerate() {
            let pattern = &col_patterns[i % PERIOD];
            *out = std::array::from_fn(|w| dark[w] ^ (pattern[w] & data[w]));
        }
        draw_format(size, mask, &mut self.rows, &mut self.cols);
    }
}

/// Masks `grid` with the mask of lowest penalty (the lower number on a
/// tie) and returns the masked symbol and that mask.
pub(crate) fn best(grid: &Grid) -> (Masked, u8) {
    let mut scratch = Masked::new(grid.size);
    let mut best_mask = 0;
    let mut best_penalty = u32::MAX;
    for mask in 0..8 {
        scratch.apply(grid, mask);
        // A mask must score strictly below the best so far to win, so its
        // scoring may stop as soon as it reaches that score.
        let p = penalty_below(&scratch, grid.size, best_penalty);
        if p < best_penalty {
            best_penalty = p;
            best_mask = mask;
        }
    }
    scratch.apply(grid, best_mask);
    (scratch, best_mask)
}

/// The masked symbol for a given mask (for tests and cross-checks).
#[cfg(test)]
pub(crate) fn with_mask(grid: &Grid, mask: u8) -> Masked {
    let mut masked = Masked::new(grid.size);
    masked.apply(grid, mask);
    masked
}

/// The total penalty N1 + N2 + N3 + N4 of a masked symbol.
#[cfg(test)]
pub(crate) fn penalty(m: &Masked, size: usize) -> u32 {
    penalty_below(m, size, u32::MAX)
}

/// The total penalty of a masked symbol when it is below `limit`; some
/// value of at least `limit` otherwise (scoring stops there).
fn penalty_below(m: &Masked, size: usize, limit: u32) -> u32 {
    // Dispatch on the words a line needs: most codes fit one word.
    match size {
        0..=64 => penalty_words::<1>(m, size, limit),
        65..=128 => penalty_words::<2>(m, size, limit),
        _ => penalty_words::<WORDS>(m, size, limit),
    }
}

fn penalty_words<const W: usize>(m: &Masked, size: usize, limit: u32) -> u32 {
    let take = |line: &Line| -> [u64; W] {
        let mut out = [0; W];
        out.copy_from_slice(&line[..W]);
        out
    };
    // Positions p with p + 1 inside the symbol.
    let pairs = take(&line_of_ones(size.saturating_sub(1)));
    // N4 first (a cheap popcount), so the running total is a lower bound.
    let dark: u32 = m.rows.iter().flatten().map(|w| w.count_ones()).sum();
    let modules = (size * size) as u32;
    let mut total = 10 * ((20 * dark).abs_diff(10 * modules) / modules.max(1));
    let mut previous: Option<[u64; W]> = None;
    for (row, col) in m.rows.iter().zip(&m.cols) {
        let row = take(row);
        total += line_penalty(row, pairs) + line_penalty(take(col), pairs);
        if let Some(above) = previous {
            total += 3 * blocks(above, row, pairs);
        }
        if total >= limit {
            return total;
        }
        previous = Some(row);
    }
    total
}

/// N1 and N3 of one row or column.
#[inline(always)]
fn line_penalty<const W: usize>(line: [u64; W], pairs: [u64; W]) -> u32 {
    // N1: `same` marks p where module p equals module p + 1; a run of
    // length L ≥ 5 is L - 1 such marks in a row, leaving L - 4 marks in
    // `four`; it scores (L - 4) + 2 = L - 2.
    let same = and(not(xor(line, shr(line, 1))), pairs);
    let four = and(and(same, shr(same, 1)), and(shr(same, 2), shr(same, 3)));
    let starts = and(four, not(shl(four, 1)));
    let mut score = count(four) + 2 * count(starts);
    // N3: dark at p, light, dark ×3, light, dark at p + 6.
    let lookalike = and(
        and(and(line, not(shr(line, 1))), and(shr(line, 2), shr(line, 3))),
        and(and(shr(line, 4), not(shr(line, 5))), shr(line, 6)),
    );
    if lookalike.iter().any(|&w| w != 0) {
        let light_before = not(or(or(shl(line, 1), shl(line, 2)), or(shl(line, 3), shl(line, 4))));
        let light_after = not(or(or(shr(line, 7), shr(line, 8)), or(shr(line, 9), shr(line, 10))));
        score += 40 * (count(and(lookalike, light_before)) + count(and(lookalike, light_after)));
    }
    score
}

/// N2 blocks between two adjacent rows: p where both rows agree at p and
/// p + 1 and the upper row agrees with itself across p, p + 1.
#[inline(always)]
fn blocks<const W: usize>(upper: [u64; W], lower: [u64; W], pairs: [u64; W]) -> u32 {
    let vertical = not(xor(upper, lower));
    let horizontal = not(xor(upper, shr(upper, 1)));
    count(and(and(vertical, shr(vertical, 1)), and(horizontal, pairs)))
}

/// Bit p of the result is bit p + k of `a` (0 past the end); 0 < k < 64.
#[inline(always)]
fn shr<const W: usize>(a: [u64; W], k: u32) -> [u64; W] {
    let mut out = [0; W];
    for i in 0..W {
        out[i] = a[i] >> k;
        if i + 1 < W {
            out[i] |= a[i + 1] << (64 - k);
        }
    }
    out
}

/// Bit p of the result is bit p - k of `a` (0 before the start); 0 < k < 64.
#[inline(always)]
fn shl<const W: usize>(a: [u64; W], k: u32) -> [u64; W] {
    let mut out = [0; W];
    for i in 0..W {
        out[i] = a[i] << k;
        if i > 0 {
            out[i] |= a[i - 1] >> (64 - k);
        }
    }
    out
}

#[inline(always)]
fn and<const W: usize>(a: [u64; W], b: [u64; W]) -> [u64; W] {
    std::array::from_fn(|i| a[i] & b[i])
}

#[inline(always)]
fn or<const W: usize>(a: [u64; W], b: [u64; W]) -> [u64; W] {
    std::array::from_fn(|i| a[i] | b[i])
}

#[inline(always)]
fn xor<const W: usize>(a: [u64; W], b: [u64; W]) -> [u64; W] {
    std::array::from_fn(|i| a[i] ^ b[i])
}

#[inline(always)]
fn not<const W: usize>(a: [u64; W]) -> [u64; W] {
    std::array::from_fn(|i| !a[i])
}

#[inline(always)]
fn count<const W: usize>(a: [u64; W]) -> u32 {
    a.iter().map(|w| w.count_ones()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The four rules module by module, straight from the standard's text.
    fn slow_penalty(dark: &dyn Fn(usize, usize) -> bool, size: usize) -> u32 {
        let mut total = 0;
        for transpose in [false, true] {
            let at = |line: usize, i: usize| if transpose { dark(line, i) } else { dark(i, line) };
            for line in 0..size {
                let mut run = 1;
                for i in 1..=size {
                    if i < size && at(line, i) == at(line, i - 1) {
                        run += 1;
                    } else {
                        if run >= 5 {
                            total += run - 2;
                        }
                        run = 1;
                    }
                }
                // Pad with 4 light modules each side (the quiet zone).
                let padded = |i: isize| i >= 4 && ((i - 4) as usize) < size && at(line, (i - 4) as usize);
                for start in 0..(size as isize + 8 - 10) {
                    let window: Vec<bool> = (start..start + 11).map(padded).collect();
                    let core = [true, false, true, true, true, false, true];
                    if window[4..].iter().eq(core.iter()) && window[..4].iter().all(|d| !d) {
                        total += 40;
                    }
                    if window[..7].iter().eq(core.iter()) && window[7..].iter().all(|d| !d) {
                        total += 40;
                    }
                }
            }
        }
        for y in 0..size - 1 {
            for x in 0..size - 1 {
                let c = dark(x, y);
                if dark(x + 1, y) == c && dark(x, y + 1) == c && dark(x + 1, y + 1) == c {
                    total += 3;
                }
            }
        }
        let dark_count = (0..size).flat_map(|y| (0..size).map(move |x| (x, y))).filter(|&(x, y)| dark(x, y)).count();
        let percent_times_20 = (dark_count * 20).abs_diff(size * size * 10) / (size * size);
        total as u32 + 10 * percent_times_20 as u32
    }

    fn symbol(bits: impl Fn(usize, usize) -> bool, size: usize) -> Masked {
        let mut m = Masked::new(size);
        for y in 0..size {
            for x in 0..size {
                if bits(x, y) {
                    m.rows[y][x / 64] |= 1 << (x % 64);
                    m.cols[x][y / 64] |= 1 << (y % 64);
                }
            }
        }
        m
    }

    #[test]
    fn scoring_stops_at_the_limit_without_changing_the_choice() {
        let m = symbol(|x, y| (x * 7 + y * 3) % 5 == 0, 57);
        let full = penalty(&m, 57);
        assert_eq!(penalty_below(&m, 57, full + 1), full);
        let stopped = penalty_below(&m, 57, full / 2);
        assert!(stopped >= full / 2 && stopped <= full);
    }

    #[test]
    fn hand_counted_penalties() {
        // All light 21×21: N1 = 2 × 21 × (21 - 2), N2 = 20 × 20 × 3, N4 = 100.
        let m = symbol(|_, _| false, 21);
        assert_eq!(penalty(&m, 21), 2 * 21 * 19 + 400 * 3 + 100);
        // One lookalike in row 10, light on both sides: 2 × 40 in the row;
        // the dark modules break runs and blocks.
        let row = [false, false, false, false, true, false, true, true, true, false, true];
        let with = |x: usize, y: usize| y == 10 && x < row.len() && row[x];
        let slow = slow_penalty(&with, 21);
        assert_eq!(penalty(&symbol(with, 21), 21), slow);
    }

    #[test]
    fn bit_parallel_penalty_equals_the_module_by_module_rules() {
        // Pseudo-random symbols of several sizes, including the 64/65 and
        // 128/129 word boundaries.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for size in [21, 25, 57, 61, 65, 101, 129, 133, 177] {
            for density in [2u64, 3, 5] {
                let mut cells = vec![false; size * size];
                for c in &mut cells {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    // 50 %, 33 % and 20 % dark: different runs and N4.
                    *c = state.is_multiple_of(density);
                }
                let dark = |x: usize, y: usize| cells[y * size + x];
                assert_eq!(penalty(&symbol(dark, size), size), slow_penalty(&dark, size), "size {size}");
            }
        }
    }

    #[test]
    fn real_symbols_score_as_the_module_by_module_rules() {
        for text in ["HCODE1:6BFOXN*TS0BI$ZD.P9UOL97O4-2HH77HRM3DSPTLRR+%3", "https://example.org/v/abc?t=xyz", "A"] {
            let code = super::super::encode::codewords(text).unwrap();
            let mut grid = Grid::new(code.version);
            grid.place(code.as_slice());
            for mask in 0..8 {
                let m = with_mask(&grid, mask);
                let dark = |x: usize, y: usize| m.rows[y][x / 64] >> (x % 64) & 1 != 0;
                assert_eq!(penalty(&m, grid.size), slow_penalty(&dark, grid.size), "{text} mask {mask}");
            }
        }
    }

    #[test]
    fn best_takes_the_lowest_penalty_and_the_lower_mask_on_a_tie() {
        for text in ["HCODE1:NCFOXN%TS3DH", "https://hc.example.org/c/AQID", "ZXM 123X"] {
            let code = super::super::encode::codewords(text).unwrap();
            let mut grid = Grid::new(code.version);
            grid.place(code.as_slice());
            let scores: Vec<u32> = (0..8)
                .map(|mask| {
                    let m = with_mask(&grid, mask);
                    slow_penalty(&|x, y| m.rows[y][x / 64] >> (x % 64) & 1 != 0, grid.size)
                })
                .collect();
            let lowest = scores.iter().min().copied().unwrap();
            let expected = scores.iter().position(|&p| p == lowest).unwrap() as u8;
            let (masked, mask) = best(&grid);
            assert_eq!(mask, expected, "{text}: {scores:?}");
            assert_eq!(masked.rows, with_mask(&grid, expected).rows);
        }
    }

    #[test]
    fn mask_patterns_follow_table_10() {
        for mask in 0..8u8 {
            for y in 0..30 {
                for x in 0..30 {
                    let row = ROW_PATTERNS[usize::from(mask)][y % PERIOD];
                    let col = COL_PATTERNS[usize::from(mask)][x % PERIOD];
                    assert_eq!(row[x / 64] >> (x % 64) & 1 != 0, inverts(mask, x, y));
                    assert_eq!(col[y / 64] >> (y % 64) & 1 != 0, inverts(mask, x, y));
                }
            }
        }
        assert!(inverts(0, 0, 0) && !inverts(0, 1, 0));
        assert!(inverts(4, 3, 2) && !inverts(4, 3, 0));
    }
}
