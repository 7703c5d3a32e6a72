//! The module grid as bit words: every row and every column is a [`Line`]
//! (bit `x` of row `y` is module (x, y), bit `y` of column `x` the same
//! module), so masking and scoring work on 64 modules at a time. Holds the
//! function patterns (ISO/IEC 18004:2015 6.3) and the zigzag data placement
//! (7.7.3).

use std::sync::OnceLock;

use super::version::{MAX_VERSION, Version, format_bits};

/// Words per line: 3 × 64 ≥ 177 modules.
pub(crate) const WORDS: usize = 3;

/// One row or column; bits past the symbol are always zero.
pub(crate) type Line = [u64; WORDS];

/// What every symbol of one version shares: the function patterns (format
/// information reserved, light), which modules hold data, and the order in
/// which codeword bits fill them. Built once per version and kept.
struct Template {
    size: usize,
    /// Dark function modules, bit x of `rows[y]`.
    rows: Vec<Line>,
    /// The same, bit y of `cols[x]`.
    cols: Vec<Line>,
    /// Modules that hold data (masks apply only there), by row.
    data_rows: Vec<Line>,
    /// The same by column.
    data_cols: Vec<Line>,
    /// (x, y) of the data modules in placement order.
    order: Vec<[u8; 2]>,
}

static TEMPLATES: [OnceLock<Template>; MAX_VERSION as usize] = [const { OnceLock::new() }; MAX_VERSION as usize];

impl Template {
    fn of(version: Version) -> &'static Self {
        TEMPLATES[usize::from(version.number() - 1)].get_or_init(|| Self::build(version))
    }

    fn build(version: Version) -> Self {
        let size = version.size();
        let full = line_of_ones(size);
        let mut t = Self {
            size,
            rows: vec![[0; WORDS]; size],
            cols: vec![[0; WORDS]; size],
            data_rows: vec![full; size],
            data_cols: vec![full; size],
            order: Vec::with_capacity(version.data_modules()),
        };
        t.draw_function_patterns(version);
        t.order = t.placement_order();
        t
    }

    fn set_function(&mut self, x: usize, y: usize, dark: bool) {
        clear_bit(&mut self.data_rows[y], x);
        clear_bit(&mut self.data_cols[x], y);
        if dark {
            set_bit(&mut self.rows[y], x);
            set_bit(&mut self.cols[x], y);
        } else {
            clear_bit(&mut self.rows[y], x);
            clear_bit(&mut self.cols[x], y);
        }
    }

    fn draw_function_patterns(&mut self, version: Version) {
        let size = self.size;
        // Timing patterns first: the finders overwrite their ends.
        for i in 0..size {
            self.set_function(6, i, i % 2 == 0);
            self.set_function(i, 6, i % 2 == 0);
        }
        for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            self.draw_finder(cx, cy);
        }
        let (centres, count) = version.alignment_centres();
        let centres = &centres[..count];
        let last = count.saturating_sub(1);
        for (i, &cy) in centres.iter().enumerate() {
            for (j, &cx) in centres.iter().enumerate() {
                // Not on the three finder corners.
                if (i, j) != (0, 0) && (i, j) != (0, last) && (i, j) != (last, 0) {
                    self.draw_alignment(usize::from(cx), usize::from(cy));
                }
            }
        }
        // Reserve the format information (drawn per mask later) and place
        // the dark module beside it.
        for (x, y, _) in format_positions(size) {
            self.set_function(x, y, false);
        }
        self.set_function(8, size - 8, true);
        if version.number() >= 7 {
            let bits = version.info_bits();
            for i in 0..18 {
                let dark = (bits >> i) & 1 != 0;
                let (a, b) = (size - 11 + i % 3, i / 3);
                self.set_function(a, b, dark);
                self.set_function(b, a, dark);
            }
        }
    }

    /// A 7×7 finder centred on (cx, cy) with its light separator.
    fn draw_finder(&mut self, cx: usize, cy: usize) {
        for dy in -4isize..=4 {
            for dx in -4isize..=4 {
                let (Some(x), Some(y)) = (cx.checked_add_signed(dx), cy.checked_add_signed(dy)) else { continue };
                if x < self.size && y < self.size {
                    let ring = dx.abs().max(dy.abs());
                    self.set_function(x, y, ring != 2 && ring != 4);
                }
            }
        }
    }

    /// A 5×5 alignment pattern centred on (cx, cy).
    fn draw_alignment(&mut self, cx: usize, cy: usize) {
        for dy in 0..5usize {
            for dx in 0..5usize {
                let ring = dx.abs_diff(2).max(dy.abs_diff(2));
                self.set_function(cx + dx - 2, cy + dy - 2, ring != 1);
            }
        }
    }

    /// The data modules in the two-column zigzag from the bottom-right
    /// corner (up, then down, and so on), skipping function modules and the
    /// vertical timing column.
    fn placement_order(&self) -> Vec<[u8; 2]> {
        let size = self.size;
        let mut order = Vec::with_capacity(self.order.capacity());
        let mut right = size - 1;
        loop {
            let upward = (right + 1) & 2 == 0;
            for vertical in 0..size {
                let y = if upward { size - 1 - vertical } else { vertical };
                for x in [right, right - 1] {
                    if bit(&self.data_rows[y], x) {
                        // Sizes are at most 177: coordinates fit a byte.
                        order.push([x as u8, y as u8]);
                    }
                }
            }
            if right < 3 {
                break;
            }
            right -= 2;
            if right == 6 {
                right = 5;
            }
        }
        order
    }
}

/// The modules of one symbol before masking, by row and by column.
pub(crate) struct Grid {
    pub(crate) size: usize,
    /// Dark modules, bit x of `rows[y]`.
    pub(crate) rows: Vec<Line>,
    /// Dark modules, bit y of `cols[x]`.
    pub(crate) cols: Vec<Line>,
    /// Modules that hold data (not function patterns, not format or
    /// version information), by row; masks apply only there.
    pub(crate) data_rows: &'static [Line],
    /// The same by column.
    pub(crate) data_cols: &'static [Line],
    order: &'static [[u8; 2]],
}

impl Grid {
    /// The function patterns of `version` (format information reserved,
    /// light) and no data yet.
    pub(crate) fn new(version: Version) -> Self {
        let t = Template::of(version);
        Self {
            size: t.size,
            rows: t.rows.clone(),
            cols: t.cols.clone(),
            data_rows: &t.data_rows,
            data_cols: &t.data_cols,
            order: &t.order,
        }
    }

    /// Is module (x, y) dark?
    #[cfg(test)]
    pub(crate) fn is_dark(&self, x: usize, y: usize) -> bool {
        bit(&self.rows[y], x)
    }

    /// Places `codewords` most significant bit first along the placement
    /// order; data modules left over (remainder bits) stay light. Only the
    /// dark bits cost work.
    pub(crate) fn place(&mut self, codewords: &[u8]) {
        for (positions, &byte) in self.order.chunks_exact(8).zip(codewords) {
            let mut remaining = byte;
            while remaining != 0 {
                let k = remaining.leading_zeros() as usize;
                remaining &= !(0x80 >> k);
                let [x, y] = positions[k];
                let (x, y) = (usize::from(x), usize::from(y));
                set_bit(&mut self.rows[y], x);
                set_bit(&mut self.cols[x], y);
            }
        }
    }
}

/// The 30 format-information modules (x, y, bit index): one copy around the
/// top-left finder, the other split between the top-right and bottom-left.
pub(crate) fn format_positions(size: usize) -> [(usize, usize, usize); 30] {
    let mut out = [(0, 0, 0); 30];
    let mut n = 0;
    let mut put = |x: usize, y: usize, bit: usize| {
        out[n] = (x, y, bit);
        n += 1;
    };
    for i in 0..6 {
        put(8, i, i);
    }
    put(8, 7, 6);
    put(8, 8, 7);
    put(7, 8, 8);
    for i in 9..15 {
        put(14 - i, 8, i);
    }
    for i in 0..8 {
        put(size - 1 - i, 8, i);
    }
    for i in 8..15 {
        put(8, size - 15 + i, i);
    }
    out
}

/// Draws the format information of `mask` into `rows` and `cols` (whose
/// format modules must be light).
pub(crate) fn draw_format(size: usize, mask: u8, rows: &mut [Line], cols: &mut [Line]) {
    let bits = format_bits(mask);
    for (x, y, i) in format_positions(size) {
        if (bits >> i) & 1 != 0 {
            set_bit(&mut rows[y], x);
            set_bit(&mut cols[x], y);
        }
    }
}

/// Ones at bits 0..n.
pub(crate) fn line_of_ones(n: usize) -> Line {
    let mut line = [0; WORDS];
    for (i, word) in line.iter_mut().enumerate() {
        let start = i * 64;
        *word = match n.saturating_sub(start) {
            0 => 0,
            k if k >= 64 => u64::MAX,
            k => (1u64 << k) - 1,
        };
    }
    line
}

pub(crate) fn bit(line: &Line, i: usize) -> bool {
    (line[i >> 6] >> (i & 63)) & 1 != 0
}

fn set_bit(line: &mut Line, i: usize) {
    line[i >> 6] |= 1 << (i & 63);
}

fn clear_bit(line: &mut Line, i: usize) {
    line[i >> 6] &= !(1 << (i & 63));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(n: u8) -> Grid {
        Grid::new(Version::new(n).unwrap())
    }

    fn data_modules(g: &Grid) -> usize {
        g.data_rows.iter().flatten().map(|w| w.count_ones() as usize).sum()
    }

    #[test]
    fn data_modules_match_the_version_table() {
        for n in 1..=40 {
            let g = grid(n);
            assert_eq!(data_modules(&g), Version::new(n).unwrap().data_modules(), "version {n}");
            let by_col: usize = g.data_cols.iter().flatten().map(|w| w.count_ones() as usize).sum();
            assert_eq!(by_col, data_modules(&g));
            assert_eq!(g.order.len(), data_modules(&g));
        }
    }

    #[test]
    fn rows_and_columns_agree() {
        let mut g = grid(7);
        g.place(&[0xA5; 196]);
        for y in 0..g.size {
            for x in 0..g.size {
                assert_eq!(bit(&g.rows[y], x), bit(&g.cols[x], y), "{x},{y}");
            }
        }
        assert_eq!(g.rows.len(), g.size);
        assert!(g.rows.iter().all(|r| r[1] == 0 && r[2] == 0));
    }

    #[test]
    fn function_patterns_of_version_7() {
        let g = grid(7);
        let s = g.size;
        // Finder corners and centres, separators, timing, dark module.
        for (x, y) in [(0, 0), (6, 6), (3, 3), (s - 1, 0), (s - 4, 3), (0, s - 1), (3, s - 4), (8, s - 8)] {
            assert!(g.is_dark(x, y), "{x},{y}");
        }
        for (x, y) in [(1, 1), (7, 7), (7, 0), (s - 8, 0), (0, s - 8), (7, 6), (9, 6)] {
            assert!(!g.is_dark(x, y), "{x},{y}");
        }
        assert!(g.is_dark(8, 6) && g.is_dark(6, 8) && g.is_dark(6, 10) && g.is_dark(10, 6));
        // Alignment centre at (22, 22) dark, its inner ring light.
        assert!(g.is_dark(22, 22) && !g.is_dark(21, 22) && g.is_dark(20, 22));
        // Version information 0x07C94: bit 0 (0) at (s-11, 0), bit 2 (1) at
        // (s-9, 0), and mirrored.
        assert!(!g.is_dark(s - 11, 0) && g.is_dark(s - 9, 0) && g.is_dark(0, s - 9));
    }
}
