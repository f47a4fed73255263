//! Input checks shared by every entry point of the core.

use ndarray::ArrayView2;

use crate::error::{ParsmError, Side};
use crate::scalar::Cost;

/// Fails when `a` holds NaN or infinite values, counting them.
pub fn check_finite(a: ArrayView2<f64>, what: &'static str) -> Result<(), ParsmError> {
    // Over contiguous memory (in any order) the count vectorises.
    let count = match a.as_slice_memory_order() {
        Some(s) => count_non_finite(s),
        None => a.iter().filter(|v| !v.is_finite()).count(),
    };
    if count > 0 {
        return Err(ParsmError::NonFinite { what, count });
    }
    Ok(())
}

/// How many entries of `s` are NaN or infinite.
fn count_non_finite(s: &[f64]) -> usize {
    s.iter().map(|v| usize::from(!v.is_finite())).sum()
}

/// Checks two response matrices (stimuli x units): non-empty,
/// the same stimuli on both sides, and finite values.
pub fn check_populations(x: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<(), ParsmError> {
    for ((rows, cols), what) in [(x.dim(), "X"), (y.dim(), "Y")] {
        if rows == 0 || cols == 0 {
            return Err(ParsmError::Empty { what, rows, cols });
        }
    }
    if x.nrows() != y.nrows() {
        return Err(ParsmError::StimulusMismatch {
            mx: x.nrows(),
            my: y.nrows(),
        });
    }
    check_finite(x, "X")?;
    check_finite(y, "Y")
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
    let count = c.iter().filter(|v| !v.get().is_finite()).count();
    if count > 0 {
        return Err(ParsmError::NonFinite {
            what: "the cost matrix",
            count,
        });
    }
    Ok(())
}
