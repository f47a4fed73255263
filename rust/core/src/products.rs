//! Inner products between two sets of unit vectors: the GEMM inside every cost matrix.
//!
//! Every metric's cost is a function of `<x_i, y_j>` (plus norms), so a cost matrix is one
//! product `Ux Uy^T` of the prepared units (one row per unit, stimuli contiguous). This module
//! computes a block of it.
//!
//! On x86-64 CPUs with AVX-512 (checked at run time) a register-blocked kernel does the work:
//! the right-hand units are packed once into panels of [`NR`] units, stimulus-major, and each
//! `MR x NR` block of products is accumulated in 24 vector registers, one fused multiply-add
//! per stimulus. `matrixmultiply` (the kernel `ndarray` ships) has no AVX-512 kernel; on the
//! bench's pairs (about 500 x 520 units over 300 stimuli) this kernel runs at 60-72 GFLOP/s
//! per core against its 36, about OpenBLAS's speed. Elsewhere `matrixmultiply` computes the
//! block.
//!
//! Every product is the same sequence of fused multiply-adds over the stimuli in order, whatever
//! the block, tile or thread that computes it, so results never depend on the thread count.

use std::cell::RefCell;

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2};

/// Units of the right-hand side per packed panel (three 8-lane vectors).
const NR: usize = 24;

/// Buffers reused by every call on a thread, so that no call faults in fresh pages (at the
/// bench's sizes, allocating them per call cost as much as the kernel saved).
#[derive(Default)]
struct Scratch {
    products: Vec<f64>,
    panels: Vec<f64>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Calls `finish` with the `rows x width` inner products `<left_r, right_c>` of `left`
/// (`rows x k`) and `right` (`width x k`), both in standard layout, and returns its answer.
/// The products lie in a buffer of the calling thread, reused by its next call; they are
/// bounded by the caller's tile (plus `width x k` packed units).
pub(crate) fn with_inner_products<R>(
    left: ArrayView2<f64>,
    right: ArrayView2<f64>,
    finish: impl FnOnce(ArrayViewMut2<f64>) -> R,
) -> R {
    let (rows, width) = (left.nrows(), right.nrows());
    SCRATCH.with_borrow_mut(|scratch| {
        let Scratch { products, panels } = scratch;
        products.resize(rows * width, 0.0);
        let mut out = ArrayViewMut2::from_shape((rows, width), &mut products[..rows * width])
            .expect("the buffer holds rows x width");
        if kernel::available() {
            pack(right, panels);
            kernel::products(left, panels, &mut out);
        } else {
            general_mat_mul(1.0, &left, &right.t(), 0.0, &mut out);
        }
        finish(out)
    })
}

/// Packs `units` (`n x k`) into `ceil(n / NR)` panels of `k x NR`, stimulus-major, the last
/// padded with zeros.
fn pack(units: ArrayView2<f64>, out: &mut Vec<f64>) {
    let (n, k) = units.dim();
    out.clear();
    out.resize(n.div_ceil(NR) * k * NR, 0.0);
    for (u, row) in units.outer_iter().enumerate() {
        let panel = &mut out[(u / NR) * k * NR..(u / NR + 1) * k * NR];
        for (s, &v) in row.iter().enumerate() {
            panel[s * NR + u % NR] = v;
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod kernel {
    use std::arch::x86_64::{
        __m512d, _mm512_fmadd_pd, _mm512_loadu_pd, _mm512_set1_pd, _mm512_setzero_pd,
        _mm512_storeu_pd,
    };

    use ndarray::{ArrayView2, ArrayViewMut2};

    use super::NR;

    /// Left rows per block: `MR x NR / 8 = 24` accumulator registers of the 32.
    const MR: usize = 8;

    /// Whether this CPU runs the AVX-512 kernel.
    pub(super) fn available() -> bool {
        std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("fma")
    }

    /// The products of `left`'s rows with the packed units of `panels`, into `out`.
    #[allow(unsafe_code)]
    pub(super) fn products(left: ArrayView2<f64>, panels: &[f64], out: &mut ArrayViewMut2<f64>) {
        assert!(
            available(),
            "the AVX-512 kernel runs only where the CPU has it"
        );
        // SAFETY: `products_avx512` only requires the `avx512f` and `fma` target features,
        // which the assertion above has just checked this CPU has. It contains no other unsafe
        // operation. (Calling a `#[target_feature]` function from code compiled without those
        // features is the one operation Rust marks unsafe here; the measured gain is in the
        // module doc.)
        unsafe { products_avx512(left, panels, out) }
    }

    #[target_feature(enable = "avx512f,fma")]
    fn products_avx512(left: ArrayView2<f64>, panels: &[f64], out: &mut ArrayViewMut2<f64>) {
        let (rows, k) = left.dim();
        let width = out.ncols();
        // `MR` left rows at a time, interleaved stimulus-major like the panels (zero-padded).
        let mut block = vec![0.0; k * MR];
        for r0 in (0..rows).step_by(MR) {
            let live = MR.min(rows - r0);
            for r in 0..MR {
                if r < live {
                    for (s, &v) in left.row(r0 + r).iter().enumerate() {
                        block[s * MR + r] = v;
                    }
                } else {
                    block.iter_mut().skip(r).step_by(MR).for_each(|v| *v = 0.0);
                }
            }
            for c0 in (0..width).step_by(NR) {
                let p = c0 / NR;
                let acc = block_products(&block, &panels[p * k * NR..(p + 1) * k * NR]);
                let w = NR.min(width - c0);
                for (r, sums) in acc.iter().enumerate().take(live) {
                    let mut row = out.row_mut(r0 + r);
                    let row = row.as_slice_mut().expect("output rows are contiguous");
                    row[c0..c0 + w].copy_from_slice(&sums[..w]);
                }
            }
        }
    }

    /// The `MR x NR` products of one interleaved block of left rows with one packed panel
    /// (both stimulus-major, the same number of stimuli), one fused multiply-add per
    /// stimulus in order, the sums held in 24 zmm registers. (Written with intrinsics: the same
    /// loops in plain Rust left the sums in memory once inlined, at a third of the speed.)
    #[target_feature(enable = "avx512f,fma")]
    #[allow(unsafe_code)]
    fn block_products(block: &[f64], panel: &[f64]) -> [[f64; NR]; MR] {
        const V: usize = NR / 8;
        let mut acc = [[_mm512_setzero_pd(); V]; MR];
        for (a, b) in block.chunks_exact(MR).zip(panel.chunks_exact(NR)) {
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
    use ndarray::{ArrayView2, ArrayViewMut2};

    pub(super) fn available() -> bool {
        false
    }

    pub(super) fn products(_: ArrayView2<f64>, _: &[f64], _: &mut ArrayViewMut2<f64>) {
        unreachable!("the AVX-512 kernel runs only where the CPU has it")
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{Array2, Axis, Slice};

    use super::*;

    /// The kernel against exact products, on sizes that leave partial blocks and panels, and
    /// on column ranges starting anywhere.
    #[test]
    fn products_equal_exact_dot_products_on_ragged_sizes() {
        for &(m, n, k) in &[
            (1, 1, 1),
            (7, 23, 5),
            (9, 25, 300),
            (17, 50, 33),
            (8, 24, 2),
        ] {
            let a = Array2::from_shape_fn((m, k), |(i, s)| ((i * 7 + s * 13) % 17) as f64 - 8.0);
            let b = Array2::from_shape_fn((n, k), |(j, s)| ((j * 5 + s * 11) % 19) as f64 - 9.0);
            let expect = a.dot(&b.t());
            for j0 in [0, n / 3] {
                let right = b.slice_axis(Axis(0), Slice::from(j0..));
                let got = with_inner_products(a.view(), right, |t| t.to_owned());
                // Small integers: every product is exact, so any kernel must give it exactly.
                let want = expect.slice_axis(Axis(1), Slice::from(j0..));
                assert_eq!(got, want, "{m} x {n} over {k} from column {j0}");
            }
        }
    }
}
