//! The L-curve elbow rules.

use numpy::{PyArray1, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

/// The held-out share's corner of each gain curve (a row of `gains`, `B x g`) with the
/// permutation SDs `sd` (`g x g`) and the threshold `z`; see
/// `parsm_core::elbow::held_out_corners`.
#[pyfunction]
pub fn held_out_corners<'py>(
    py: Python<'py>,
    gains: PyReadonlyArray2<'py, f64>,
    sd: PyReadonlyArray2<'py, f64>,
    z: f64,
) -> PyResult<Bound<'py, PyArray1<usize>>> {
    let (b, g) = gains.as_array().dim();
    if g == 0 || sd.as_array().dim() != (g, g) {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "gains must be B x g with g >= 1 and sd g x g; got {b} x {g} and {:?}",
            sd.as_array().dim()
        )));
    }
    if !z.is_finite() {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "z must be finite; got {z}"
        )));
    }
    let gains = gains.as_array().as_standard_layout().into_owned();
    let sd = sd.as_array().as_standard_layout().into_owned();
    let gains = gains.as_slice().expect("standard layout");
    let sd = sd.as_slice().expect("standard layout");
    let corners = py.allow_threads(|| parsm_core::elbow::held_out_corners(gains, g, sd, z));
    Ok(PyArray1::from_vec(py, corners))
}

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
