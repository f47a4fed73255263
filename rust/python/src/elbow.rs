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

/// `(s0, index)` of the curve `cost` on `grid` by the in-sample rule `rule` ("paper",
/// "notebook" or "plateau", the last on the knots); see `parsm_core::elbow::choose`.
#[pyfunction]
pub fn elbow(
    rule: &str,
    grid: PyReadonlyArray1<'_, f64>,
    cost: PyReadonlyArray1<'_, f64>,
    knots_s: PyReadonlyArray1<'_, f64>,
    knots_v: PyReadonlyArray1<'_, f64>,
) -> PyResult<(f64, Option<usize>)> {
    choose(
        rule,
        grid.as_slice()?,
        cost.as_slice()?,
        (knots_s.as_slice()?, knots_v.as_slice()?),
    )
}

/// [`elbow`] on slices: the shared body of `_core.elbow` and `Problem.elbow`.
pub(crate) fn choose(
    rule: &str,
    grid: &[f64],
    cost: &[f64],
    knots: (&[f64], &[f64]),
) -> PyResult<(f64, Option<usize>)> {
    let rule: parsm_core::elbow::Rule = rule
        .parse()
        .map_err(pyo3::exceptions::PyValueError::new_err)?;
    if grid.len() != cost.len() {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "the curve has {} values for a grid of {}",
            cost.len(),
            grid.len()
        )));
    }
    parsm_core::elbow::choose(rule, grid, cost, knots.0, knots.1).ok_or_else(|| {
        pyo3::exceptions::PyValueError::new_err(
            "an elbow needs a grid of at least 3 masses; pass more (s=200 is the default)",
        )
    })
}
