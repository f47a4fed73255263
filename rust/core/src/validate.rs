//! Input checks shared by every entry point of the core.

use ndarray::ArrayView2;

use crate::error::{ParsmError, Side};
use crate::scalar::Cost;

/// Fails when `a` holds NaN or infinite values, counting them.
pub fn check_finite<T: Cost>(a: ArrayView2<T>, what: &'static str) -> Result<(), ParsmError> {
    if sums_finite(a) {
        return Ok(());
    }
    let count = count_non_finite(a);
    if count > 0 {
        return Err(ParsmError::NonFinite { what, count });
    }
    Ok(())
}

/// Whether the sum of `a`'s entries, in independent lanes, is finite: then so is every entry
/// (NaN and infinities carry through a sum). One addition an entry, where counting takes four:
/// every solve checks its cost matrix, and a pair of `parsm.pairwise` (path, its cost, soft
/// matching) checked it three times, 3 % of the pair. A sum that overflows is not finite
/// either: then the entries are counted, and the count decides.
fn sums_finite<T: Cost>(a: ArrayView2<T>) -> bool {
    const LANES: usize = 8;
    let Some(s) = a.as_slice_memory_order() else {
        return false;
    };
    let mut acc = [0.0f64; LANES];
    let chunks = s.chunks_exact(LANES);
    let tail = chunks.remainder();
    for chunk in chunks {
        for k in 0..LANES {
            acc[k] += chunk[k].get();
        }
    }
    let body: f64 = acc.iter().sum();
    (body + tail.iter().map(|v| v.get()).sum::<f64>()).is_finite()
}

/// How many entries of `a` are NaN or infinite. Over contiguous memory (in any order) in
/// independent lanes, so that it vectorises: a cost matrix is checked by every solve, and the
/// element-wise iterator of a 2-D view cost a fifth of the mass path's set-up at 500 x 520.
fn count_non_finite<T: Cost>(a: ArrayView2<T>) -> usize {
    const LANES: usize = 8;
    let Some(s) = a.as_slice_memory_order() else {
        return a.iter().filter(|v| !v.get().is_finite()).count();
    };
    let mut acc = [0u64; LANES];
    let chunks = s.chunks_exact(LANES);
    let tail = chunks.remainder();
    for chunk in chunks {
        for k in 0..LANES {
            acc[k] += u64::from(!chunk[k].get().is_finite());
        }
    }
    let body: u64 = acc.iter().sum();
    body as usize + tail.iter().filter(|v| !v.get().is_finite()).count()
}

/// Checks two response matrices (stimuli x units): non-empty,
/// the same stimuli on both sides, and finite values.
pub fn check_populations(x: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<(), ParsmError> {
    check_shapes(x, y)?;
    check_finite(x, "X")?;
    check_finite(y, "Y")
}

/// The shapes [`check_populations`] checks (non-empty, the same stimuli), not the values.
pub fn check_shapes<T>(x: ArrayView2<T>, y: ArrayView2<T>) -> Result<(), ParsmError> {
    check_dims(x.dim(), y.dim())
}

/// [`check_shapes`] on the shapes `(stimuli, units)` alone.
pub fn check_dims(x: (usize, usize), y: (usize, usize)) -> Result<(), ParsmError> {
    for ((rows, cols), what) in [(x, "X"), (y, "Y")] {
        if rows == 0 || cols == 0 {
            return Err(ParsmError::Empty { what, rows, cols });
        }
    }
    if x.0 != y.0 {
        return Err(ParsmError::StimulusMismatch { mx: x.0, my: y.0 });
    }
    Ok(())
}

/// Checks a marginal: the right length, finite and non-negative weights.
pub fn check_marginal(w: &[f64], expected: usize, side: Side) -> Result<(), ParsmError> {
    if w.len() != expected {
        return Err(ParsmError::MarginalLength {
            side,
            got: w.len(),
            expected,
        });
    }
    if let Some((index, &value)) = w
        .iter()
        .enumerate()
        .find(|(_, v)| !v.is_finite() || **v < 0.0)
    {
        return Err(ParsmError::BadMarginal { side, index, value });
    }
    Ok(())
}

/// Checks a user-supplied cost matrix: non-empty and finite.
pub fn check_cost<T: Cost>(c: ArrayView2<T>) -> Result<(), ParsmError> {
    if c.nrows() == 0 || c.ncols() == 0 {
        return Err(ParsmError::EmptyCost {
            rows: c.nrows(),
            cols: c.ncols(),
        });
    }
    check_finite(c, "the cost matrix")
}

#[cfg(test)]
mod tests {
    use ndarray::{s, Array2, ShapeBuilder};

    use super::*;

    /// The count is exact wherever the bad values sit (lanes, the tail), in every layout the
    /// checks receive: row-major, column-major, strided views, and float32.
    #[test]
    fn non_finite_entries_are_counted_in_every_layout() {
        for &(rows, cols) in &[(1usize, 1usize), (3, 5), (17, 23), (64, 9)] {
            let mut a = Array2::from_shape_fn((rows, cols), |(i, j)| (i * cols + j) as f64);
            let bad = [(0, 0), (rows - 1, cols - 1), (rows / 2, cols / 3)];
            let values = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY];
            for (&at, &v) in bad.iter().zip(&values) {
                a[at] = v;
            }
            let want = a.iter().filter(|v| !v.is_finite()).count();
            assert!(want >= 1);
            let fortran = {
                let mut f = Array2::zeros((rows, cols).f());
                f.assign(&a);
                f
            };
            assert_eq!(count_non_finite(a.view()), want, "{rows} x {cols}");
            assert_eq!(count_non_finite(fortran.view()), want);
            assert_eq!(count_non_finite(a.t()), want);
            let every_other = a.slice(s![.., ..;2]);
            let strided = every_other.iter().filter(|v| !v.is_finite()).count();
            assert_eq!(count_non_finite(every_other), strided);
            let single = a.mapv(|v| v as f32);
            assert_eq!(count_non_finite(single.view()), want);
            let err = check_cost(a.view()).unwrap_err();
            assert!(
                matches!(err, ParsmError::NonFinite { count, .. } if count == want),
                "{err}"
            );
        }
        assert!(check_cost(Array2::<f64>::zeros((4, 6)).view()).is_ok());
    }

    /// Every check passes finite matrices whose sums overflow (the quick test by sum is only
    /// a shortcut), and a single bad entry anywhere (in the lanes, in the tail, with an
    /// infinity of each sign that would cancel to NaN) fails it.
    #[test]
    fn finite_matrices_pass_whatever_their_sum() {
        let huge = Array2::from_elem((5, 7), f64::MAX);
        assert!(!sums_finite(huge.view()));
        assert!(check_cost(huge.view()).is_ok());
        assert!(check_cost((-&huge).view()).is_ok());
        assert!(check_cost(huge.mapv(|_| f32::MAX).view()).is_ok());
        for at in [(0, 0), (2, 3), (4, 6)] {
            for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                let mut a = Array2::from_elem((5, 7), 0.5);
                a[at] = v;
                assert!(!sums_finite(a.view()));
                assert!(check_cost(a.view()).is_err(), "{v} at {at:?}");
            }
        }
        let mut cancel = Array2::from_elem((5, 7), 0.5);
        (cancel[(0, 0)], cancel[(4, 6)]) = (f64::INFINITY, f64::NEG_INFINITY);
        let err = check_cost(cancel.view()).unwrap_err();
        assert!(
            matches!(err, ParsmError::NonFinite { count: 2, .. }),
            "{err}"
        );
    }
}
