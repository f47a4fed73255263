//! Inner products between two sets of unit vectors: the GEMM inside every cost matrix.
//!
//! Every metric's cost is a function of `<x_i, y_j>` (plus norms), so a cost matrix is one
//! product `Ux Uy^T` of the prepared units (one row per unit, stimuli contiguous). This module
//! computes it a tile of right-hand units at a time and hands each run of products to the
//! caller, which finishes them into costs as it stores them (no buffer of products between).
//!
//! On x86-64 CPUs with AVX-512 (checked at run time) a register-blocked kernel does the work:
//! both sides' units are packed once per cost matrix (or once per population prepared for
//! many, `crate::cost::PreparedPopulation`) into panels of [`NR`] units, stimulus-major, and
//! each block of products between [`MR`] left units (a third of a left panel) and a right
//! panel is accumulated in 24 vector registers, one fused multiply-add per stimulus.
//! `matrixmultiply` (the kernel `ndarray` ships) has no AVX-512 kernel; on the bench's pairs
//! (about 500 x 520 units over 300 stimuli) this kernel runs at 60-72 GFLOP/s per core against
//! its 36, about OpenBLAS's speed. Packing the right-hand side once (not once per tile and row
//! block) and storing finished costs directly made whole correlation matrices of that size
//! about 10 % faster (4.29 to 3.87 ms). The left-hand rows were packed into blocks of `MR`
//! again for every tile of right-hand units (three a row there); read from panels packed once
//! instead, the pairwise bench's cost matrices took 8 % less time (3.13 to 2.87 ms a pair,
//! prepared populations, alternated; a separate left packing of `MR`-wide blocks was no
//! faster). Elsewhere `matrixmultiply` computes each tile into a buffer of the thread's.
//!
//! Every product is the same sequence of fused multiply-adds over the stimuli in order, whatever
//! the block, tile or thread that computes it, so results never depend on the thread count.

use std::borrow::Cow;
use std::cell::RefCell;
use std::ops::Range;

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2, Axis, Slice};

/// Units per packed panel (three 8-lane vectors): the right-hand side's register block's
/// columns.
const NR: usize = 24;

/// Left-hand units per register block: `MR x NR / 8 = 24` accumulator registers of the 32.
/// Divides [`NR`], so that a block of left units lies within one panel.
const MR: usize = 8;

/// Right-hand units per tile of [`for_each_product`]: a whole number of panels (ten, about
/// 580 KB over 300 stimuli), so that a tile's panels stay in the core's L2 cache while every
/// left row passes over them.
pub(crate) const TILE: usize = 10 * NR;

/// The units of one side of a product (`n x k`, one row per unit), packed once for the kernel
/// into `ceil(n / NR)` panels of `k x NR`, stimulus-major, the last padded with zeros. Both
/// sides are read from panels: the right-hand side a panel at a time, the left-hand side
/// [`MR`] units of a panel at a time. Where the kernel is unavailable the units are read as
/// they are (and are then the only copy).
pub(crate) struct PackedUnits<'a> {
    n: usize,
    k: usize,
    /// The units as they are, where kept: always where the kernel is unavailable.
    units: Option<ArrayView2<'a, f64>>,
    panels: Cow<'a, [f64]>,
}

impl<'a> PackedUnits<'a> {
    pub(crate) fn new(units: ArrayView2<'a, f64>) -> Self {
        PackedUnits {
            n: units.nrows(),
            k: units.ncols(),
            units: Some(units),
            panels: Cow::Owned(Self::panels_of(units)),
        }
    }

    /// `n` units of `k` stimuli held only as panels packed earlier by
    /// [`PackedUnits::panels_of`] (where the kernel runs), or only as they are (`units`,
    /// where it does not).
    pub(crate) fn stored(
        (n, k): (usize, usize),
        units: Option<ArrayView2<'a, f64>>,
        panels: &'a [f64],
    ) -> Self {
        debug_assert!(units.is_some() || panels.len() == n.div_ceil(NR) * k * NR);
        PackedUnits {
            n,
            k,
            units,
            panels: Cow::Borrowed(panels),
        }
    }

    /// `(units, stimuli)`.
    pub(crate) fn dim(&self) -> (usize, usize) {
        (self.n, self.k)
    }

    /// Unit `i`'s response to stimulus `s`.
    #[inline]
    pub(crate) fn value(&self, i: usize, s: usize) -> f64 {
        match &self.units {
            Some(u) => u[[i, s]],
            None => self.panels[(i / NR) * self.k * NR + s * NR + i % NR],
        }
    }

    /// The largest absolute value of any unit's responses (0 for none).
    pub(crate) fn largest(&self) -> f64 {
        let abs_max = |m: f64, v: &f64| m.max(v.abs());
        match &self.units {
            Some(u) => u.iter().fold(0.0, abs_max),
            // The padding is zeros, which leave the maximum alone.
            None => self.panels.iter().fold(0.0, abs_max),
        }
    }

    /// The units as they are, from the panels where only they are kept (`n x k`).
    pub(crate) fn unpacked(&self) -> ndarray::Array2<f64> {
        match &self.units {
            Some(u) => u.to_owned(),
            None => ndarray::Array2::from_shape_fn((self.n, self.k), |(i, s)| self.value(i, s)),
        }
    }

    /// The kernel's panels of `units` (empty where the kernel is unavailable).
    pub(crate) fn panels_of(units: ArrayView2<'_, f64>) -> Vec<f64> {
        let mut panels = Vec::new();
        if kernel::available() {
            let (n, k) = units.dim();
            panels.resize(n.div_ceil(NR) * k * NR, 0.0);
            for (u, row) in units.outer_iter().enumerate() {
                let panel = &mut panels[(u / NR) * k * NR..(u / NR + 1) * k * NR];
                for (s, &v) in row.iter().enumerate() {
                    panel[s * NR + u % NR] = v;
                }
            }
        }
        panels
    }
}

thread_local! {
    /// The fallback's products of one tile, reused by every call on a thread (allocating them
    /// per call faults in fresh pages).
    static SCRATCH: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
}

/// Calls `store(r, j0, sums)` with the inner products `sums[c] = <left_{rows.start + r},
/// right_{j0 + c}>` of every left unit in `rows` (starting at a multiple of [`MR`]) with the
/// right-hand units in `cols` (at most [`TILE`] of them, starting at a multiple of it), a run
/// of consecutive units at a time; together the runs cover `cols` once for each row.
pub(crate) fn for_each_product(
    left: &PackedUnits<'_>,
    rows: Range<usize>,
    right: &PackedUnits<'_>,
    cols: Range<usize>,
    mut store: impl FnMut(usize, usize, &[f64]),
) {
    debug_assert!(cols.start.is_multiple_of(NR) && cols.len() <= TILE);
    debug_assert!(rows.start.is_multiple_of(MR));
    if right.panels.is_empty() || left.panels.is_empty() {
        // Without panels the units are kept as they are (see `PackedUnits::stored`).
        let (Some(right), Some(left)) = (&right.units, &left.units) else {
            unreachable!("units without panels are kept as they are")
        };
        let block = right.slice_axis(Axis(0), Slice::from(cols.clone()));
        let left = left.slice_axis(Axis(0), Slice::from(rows.clone()));
        let width = cols.len();
        SCRATCH.with_borrow_mut(|products| {
            products.resize(rows.len() * width, 0.0);
            let mut out =
                ArrayViewMut2::from_shape((rows.len(), width), &mut products[..rows.len() * width])
                    .expect("the buffer holds rows x width");
            general_mat_mul(1.0, &left, &block.t(), 0.0, &mut out);
            for (r, sums) in products.chunks_exact(width).enumerate() {
                store(r, cols.start, sums);
            }
        });
    } else {
        kernel::products(&left.panels, left.k, rows, &right.panels, cols, &mut store);
    }
}

#[cfg(target_arch = "x86_64")]
mod kernel {
    use std::arch::x86_64::{
        __m512d, _mm512_fmadd_pd, _mm512_loadu_pd, _mm512_set1_pd, _mm512_setzero_pd,
        _mm512_storeu_pd,
    };

    use std::ops::Range;

    use super::{MR, NR};

    /// Whether this CPU runs the AVX-512 kernel.
    pub(super) fn available() -> bool {
        std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("fma")
    }

    /// The products of the left units in `rows`, packed in the panels `left` (over `k`
    /// stimuli), with the packed units of `panels` in `cols`, handed to `store` a row and a
    /// panel at a time.
    #[allow(unsafe_code)]
    pub(super) fn products(
        left: &[f64],
        k: usize,
        rows: Range<usize>,
        panels: &[f64],
        cols: Range<usize>,
        store: &mut impl FnMut(usize, usize, &[f64]),
    ) {
        assert!(
            available(),
            "the AVX-512 kernel runs only where the CPU has it"
        );
        // SAFETY: `products_avx512` only requires the `avx512f` and `fma` target features,
        // which the assertion above has just checked this CPU has. It contains no other unsafe
        // operation. (Calling a `#[target_feature]` function from code compiled without those
        // features is the one operation Rust marks unsafe here; the measured gain is in the
        // module doc.)
        unsafe { products_avx512(left, k, rows, panels, cols, store) }
    }

    #[target_feature(enable = "avx512f,fma")]
    fn products_avx512(
        left: &[f64],
        k: usize,
        rows: Range<usize>,
        panels: &[f64],
        cols: Range<usize>,
        store: &mut impl FnMut(usize, usize, &[f64]),
    ) {
        for r0 in rows.clone().step_by(MR) {
            let live = MR.min(rows.end - r0);
            // The block's units are `MR` consecutive ones of a left panel, from `off`.
            let (b, off) = (r0 / NR, r0 % NR);
            let block = &left[b * k * NR..(b + 1) * k * NR];
            for c0 in cols.clone().step_by(NR) {
                let p = c0 / NR;
                let acc = block_products(block, off, &panels[p * k * NR..(p + 1) * k * NR]);
                let w = NR.min(cols.end - c0);
                for (r, sums) in acc.iter().enumerate().take(live) {
                    store(r0 - rows.start + r, c0, &sums[..w]);
                }
            }
        }
    }

    /// The `MR x NR` products of the left units `off..off + MR` of the packed panel `block`
    /// with the units of the packed panel `panel` (both stimulus-major, the same number of
    /// stimuli), one fused multiply-add per stimulus in order, the sums held in 24 zmm
    /// registers. (Written with intrinsics: the same
    /// loops in plain Rust left the sums in memory once inlined, at a third of the speed.)
    #[target_feature(enable = "avx512f,fma")]
    #[allow(unsafe_code)]
    fn block_products(block: &[f64], off: usize, panel: &[f64]) -> [[f64; NR]; MR] {
        const V: usize = NR / 8;
        let mut acc = [[_mm512_setzero_pd(); V]; MR];
        for (a, b) in block.chunks_exact(NR).zip(panel.chunks_exact(NR)) {
            let a = &a[off..off + MR];
            let at = b.as_ptr();
            // SAFETY: `at` points to the `NR = 8 * V` f64s of the chunk `b`; `loadu` has no
            // alignment requirement.
            let b: [__m512d; V] =
                std::array::from_fn(|v| unsafe { _mm512_loadu_pd(at.add(8 * v)) });
            for r in 0..MR {
                let a = _mm512_set1_pd(a[r]);
                for v in 0..V {
                    acc[r][v] = _mm512_fmadd_pd(a, b[v], acc[r][v]);
                }
            }
        }
        let mut out = [[0.0f64; NR]; MR];
        for r in 0..MR {
            for v in 0..V {
                let to = out[r][8 * v..8 * v + 8].as_mut_ptr();
                // SAFETY: `to` points to 8 writable f64s of `out[r]` (bounds-checked slice);
                // `storeu` has no alignment requirement.
                unsafe { _mm512_storeu_pd(to, acc[r][v]) };
            }
        }
        out
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod kernel {
    use std::ops::Range;

    pub(super) fn available() -> bool {
        false
    }

    pub(super) fn products(
        _: &[f64],
        _: usize,
        _: Range<usize>,
        _: &[f64],
        _: Range<usize>,
        _: &mut impl FnMut(usize, usize, &[f64]),
    ) {
        unreachable!("the AVX-512 kernel runs only where the CPU has it")
    }
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;

    use super::*;

    /// The products of `a` with `right` as [`for_each_product`] hands them over tile by tile,
    /// and how many times each was handed over.
    /// Left rows per call of [`collected`]: a multiple of [`MR`] that leaves a partial call.
    const ROWS: usize = 2 * MR;

    fn collected(left: &PackedUnits<'_>, right: &PackedUnits<'_>) -> (Array2<f64>, Array2<u32>) {
        let (m, n) = (left.dim().0, right.dim().0);
        let mut got = Array2::zeros((m, n));
        let mut seen = Array2::<u32>::zeros((m, n));
        for r0 in (0..m).step_by(ROWS) {
            for j0 in (0..n).step_by(TILE) {
                let rows = r0..m.min(r0 + ROWS);
                for_each_product(left, rows, right, j0..n.min(j0 + TILE), |r, c0, sums| {
                    for (c, &v) in sums.iter().enumerate() {
                        got[[r0 + r, c0 + c]] = v;
                        seen[[r0 + r, c0 + c]] += 1;
                    }
                });
            }
        }
        (got, seen)
    }

    /// The kernel (where this CPU has it) and the portable fallback against exact products, on
    /// sizes that leave partial blocks, panels and tiles: every product handed over once.
    #[test]
    fn products_equal_exact_dot_products_on_ragged_sizes() {
        for &(m, n, k) in &[
            (1, 1, 1),
            (7, 23, 5),
            (9, 25, 300),
            (17, 50, 33),
            (8, 24, 2),
            (13, 2 * TILE + 7, 19),
        ] {
            let a = Array2::from_shape_fn((m, k), |(i, s)| ((i * 7 + s * 13) % 17) as f64 - 8.0);
            let b = Array2::from_shape_fn((n, k), |(j, s)| ((j * 5 + s * 11) % 19) as f64 - 9.0);
            let expect = a.dot(&b.t());
            let (left_panels, panels) = (
                PackedUnits::panels_of(a.view()),
                PackedUnits::panels_of(b.view()),
            );
            for (left, right, which) in [
                (
                    PackedUnits::new(a.view()),
                    PackedUnits::new(b.view()),
                    "packed",
                ),
                (
                    // Packed earlier, and kept only as panels (as they are without the kernel).
                    PackedUnits::stored(
                        a.dim(),
                        left_panels.is_empty().then(|| a.view()),
                        &left_panels,
                    ),
                    PackedUnits::stored(b.dim(), panels.is_empty().then(|| b.view()), &panels),
                    "packed earlier",
                ),
                (
                    PackedUnits::stored(a.dim(), Some(a.view()), &[]),
                    PackedUnits::stored(b.dim(), Some(b.view()), &[]),
                    "portable",
                ),
            ] {
                let (got, seen) = collected(&left, &right);
                // Small integers: every product is exact, so any kernel must give it exactly.
                assert_eq!(got, expect, "{which}: {m} x {n} over {k}");
                assert!(seen.iter().all(|&t| t == 1), "{which}: {m} x {n} over {k}");
                // The units read back from whichever copy is kept.
                assert_eq!(left.unpacked(), a, "{which}");
                assert_eq!(right.unpacked(), b, "{which}");
                let largest = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                assert_eq!(left.largest(), largest, "{which}");
            }
        }
    }
}
