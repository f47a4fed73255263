//! The L-curve elbow rules.

use numpy::PyReadonlyArray1;
use pyo3::prelude::*;

/// Index of the paper's rule (argmax |second difference|); None for fewer than 3 points.
#[pyfunction]
pub fn elbow_paper(cost: PyReadonlyArray1<'_, f64>) -> PyResult<Option<usize>> {
    Ok(parsm_core::elbow::paper(cost.as_slice()?))
}

/// Index of the authors' notebook rule (np.gradient twice, argmax, + 1, clamped).
#[pyfunction]
pub fn elbow_notebook(cost: PyReadonlyArray1<'_, f64>) -> PyResult<Option<usize>> {
    Ok(parsm_core::elbow::notebook(cost.as_slice()?))
}

/// Index of the knot where a ramp-then-plateau fit of the curve's slopes breaks.
#[pyfunction]
pub fn elbow_plateau(
    s: PyReadonlyArray1<'_, f64>,
    cost: PyReadonlyArray1<'_, f64>,
) -> PyResult<Option<usize>> {
    Ok(parsm_core::elbow::plateau(s.as_slice()?, cost.as_slice()?))
}
