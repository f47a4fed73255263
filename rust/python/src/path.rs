//! `MassPath`: the exact optimal-cost path of partial transport, held by Python.

use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

use crate::detach::{run_detached, value_error};

/// Two arrays returned together.
type ArrayPair<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>);

/// The whole path ζ(s) of partial transport with uniform marginals, from one solve.
#[pyclass(module = "parsm._core", frozen)]
pub struct MassPath {
    inner: parsm_core::MassPath,
}

#[pymethods]
impl MassPath {
    /// Solves the path on `cost` (Nx x Ny) up to mass `s_max`.
    /// `progress(done, total)` is called about ten times a second, in flow units.
    #[new]
    #[pyo3(signature = (cost, s_max=1.0, progress=None))]
    fn new(
        py: Python<'_>,
        cost: PyReadonlyArray2<'_, f64>,
        s_max: f64,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let c = cost.as_array();
        let inner = run_detached(py, None, progress.as_ref(), |m| {
            parsm_core::MassPath::solve_monitored(c, s_max, m)
        })?;
        Ok(MassPath { inner })
    }

    /// Largest mass reached.
    #[getter]
    fn s_max(&self) -> f64 {
        self.inner.s_max()
    }

    /// Number of augmenting paths.
    #[getter]
    fn n_augmentations(&self) -> usize {
        self.inner.n_augmentations()
    }

    /// `(s_k, zeta_k)`: the breakpoints of the optimal cost.
    fn breakpoints<'py>(
        &self,
        py: Python<'py>,
    ) -> (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>) {
        let (s, z) = self.inner.breakpoints();
        (s.into_pyarray(py), z.into_pyarray(py))
    }

    /// `<T(s), other>` for every `s` in `grid`.
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        other: PyReadonlyArray2<'py, f64>,
        grid: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let other = other.as_array();
        if other.dim() != self.inner.shape() {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "the cost matrix has shape {:?} but the path was solved for {:?}",
                other.dim(),
                self.inner.shape()
            )));
        }
        let v = self
            .inner
            .evaluate(other, grid.as_slice()?)
            .map_err(value_error)?;
        Ok(v.into_pyarray(py))
    }

    /// `(row_masses, col_masses)`: each unit's matched mass in the optimal plan at `s`.
    fn masses_at<'py>(
        &self,
        py: Python<'py>,
        s: f64,
    ) -> PyResult<ArrayPair<'py>> {
        let (r, c) = self.inner.masses_at(s).map_err(value_error)?;
        Ok((r.into_pyarray(py), c.into_pyarray(py)))
    }

    /// The exact optimal plan at mass `s`.
    fn plan_at<'py>(&self, py: Python<'py>, s: f64) -> PyResult<Bound<'py, PyArray2<f64>>> {
        Ok(self.inner.plan_at(s).map_err(value_error)?.into_pyarray(py))
    }

    /// `(row_entry, row_full, col_entry, col_full)`: the mass at which each unit starts to be
    /// matched and is fully matched (NaN if not within `s_max`).
    fn unit_masses<'py>(&self, py: Python<'py>) -> [Bound<'py, PyArray1<f64>>; 4] {
        [
            self.inner.row_entry().to_vec().into_pyarray(py),
            self.inner.row_full().to_vec().into_pyarray(py),
            self.inner.col_entry().to_vec().into_pyarray(py),
            self.inner.col_full().to_vec().into_pyarray(py),
        ]
    }
}

/// The mass paths of several cost matrices up to `s_max`, solved in parallel with the GIL
/// released: the folds of a cross-validated L-curve.
#[pyfunction]
#[pyo3(signature = (costs, s_max=1.0, n_threads=None, progress=None))]
pub fn mass_paths<'py>(
    py: Python<'py>,
    costs: Vec<PyReadonlyArray2<'py, f64>>,
    s_max: f64,
    n_threads: Option<usize>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Vec<MassPath>> {
    let views: Vec<_> = costs.iter().map(|c| c.as_array()).collect();
    let paths = run_detached(py, n_threads, progress.as_ref(), |m| {
        parsm_core::sweep::mass_paths(&views, s_max, m)
    })?;
    Ok(paths.into_iter().map(|inner| MassPath { inner }).collect())
}
