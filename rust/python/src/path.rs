//! `MassPath`: the exact optimal-cost path of partial transport, held by Python.

use numpy::{IntoPyArray, PyArray1, PyArray2, PyArray3, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

use crate::arrays::{same_type_views, CostArray, CostViews};
use crate::detach::{run_detached, run_serial, value_error};

/// Two arrays returned together.
type ArrayPair<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>);

/// The whole path ζ(s) of partial transport with uniform marginals, from one solve.
#[pyclass(module = "parsm._core", frozen)]
pub struct MassPath {
    pub(crate) inner: parsm_core::MassPath,
}

/// `<T(s), other>` for every `s` of `grid`, on either storage type of `other`.
pub(crate) fn evaluate_on<'py>(
    py: Python<'py>,
    path: &parsm_core::MassPath,
    other: &CostArray<'_>,
    grid: &[f64],
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let v = match other {
        CostArray::F64(o) => {
            let o = o.as_array();
            py.allow_threads(|| path.evaluate(o, grid))
        }
        CostArray::F32(o) => {
            let o = o.as_array();
            py.allow_threads(|| path.evaluate(o, grid))
        }
    }
    .map_err(value_error)?;
    Ok(v.into_pyarray(py))
}

impl MassPath {
    /// Solves the path on `cost` up to `s_max` without the GIL (see `MassPath.__new__`).
    pub(crate) fn solve(
        py: Python<'_>,
        cost: &CostArray<'_>,
        s_max: f64,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let inner = match cost {
            CostArray::F64(c) => {
                let c = c.as_array();
                run_serial(py, progress, |m| {
                    parsm_core::MassPath::solve_monitored(c, s_max, m)
                })?
            }
            CostArray::F32(c) => {
                let c = c.as_array();
                run_serial(py, progress, |m| {
                    parsm_core::MassPath::solve_monitored(c, s_max, m)
                })?
            }
        };
        Ok(MassPath { inner })
    }
}

#[pymethods]
impl MassPath {
    /// Solves the path on `cost` (Nx x Ny) up to mass `s_max`.
    /// `progress(done, total)` is called about ten times a second, in flow units.
    #[new]
    #[pyo3(signature = (cost, s_max=1.0, progress=None))]
    fn new(
        py: Python<'_>,
        cost: CostArray<'_>,
        s_max: f64,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        MassPath::solve(py, &cost, s_max, progress.as_ref())
    }

    /// Largest mass reached.
    #[getter]
    fn s_max(&self) -> f64 {
        self.inner.s_max()
    }

    /// `(Nx, Ny)` of the cost matrix the path was solved on.
    #[getter]
    fn shape(&self) -> (usize, usize) {
        self.inner.shape()
    }

    /// Number of augmenting paths.
    #[getter]
    fn n_augmentations(&self) -> usize {
        self.inner.n_augmentations()
    }

    /// The mass at the end of each augmentation: between two (and from 0 to the first) the
    /// optimal plan is linear in the mass.
    fn augmentation_ends<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.inner.augmentation_ends().into_pyarray(py)
    }

    /// `(s_k, zeta_k)`: the breakpoints of the optimal cost.
    fn breakpoints<'py>(
        &self,
        py: Python<'py>,
    ) -> (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>) {
        let (s, z) = self.inner.breakpoints();
        (s.into_pyarray(py), z.into_pyarray(py))
    }

    /// `(s_k, zeta_k)` up to `s_max`, as a path solved only to `s_max` would have them.
    fn breakpoints_to<'py>(&self, py: Python<'py>, s_max: f64) -> ArrayPair<'py> {
        let (s, z) = self.inner.breakpoints_to(s_max);
        (s.into_pyarray(py), z.into_pyarray(py))
    }

    /// `<T(s), other>` for every `s` in `grid`.
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        other: CostArray<'py>,
        grid: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        evaluate_on(py, &self.inner, &other, grid.as_slice()?)
    }

    /// `left.T @ T(s) @ right` for every `s` in `grid` (`left` is Nx x p, `right` Ny x q):
    /// a `len(grid) x p x q` array, from the augmentation history without dense plans.
    fn project<'py>(
        &self,
        py: Python<'py>,
        left: PyReadonlyArray2<'py, f64>,
        right: PyReadonlyArray2<'py, f64>,
        grid: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray3<f64>>> {
        let (l, r, g) = (left.as_array(), right.as_array(), grid.as_slice()?);
        let out = py
            .allow_threads(|| self.inner.project(l, r, g))
            .map_err(value_error)?;
        Ok(out.into_pyarray(py))
    }

    /// `<T(s), left @ right.T>` for every `s` in `grid` (`left` Nx x p, `right` Ny x p).
    fn inner<'py>(
        &self,
        py: Python<'py>,
        left: PyReadonlyArray2<'py, f64>,
        right: PyReadonlyArray2<'py, f64>,
        grid: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let (l, r, g) = (left.as_array(), right.as_array(), grid.as_slice()?);
        let out = py
            .allow_threads(|| self.inner.inner(l, r, g))
            .map_err(value_error)?;
        Ok(out.into_pyarray(py))
    }

    /// `(row_masses, col_masses)`: each unit's matched mass in the optimal plan at `s`.
    fn masses_at<'py>(&self, py: Python<'py>, s: f64) -> PyResult<ArrayPair<'py>> {
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

/// Whether the mass path of an `nx x ny` cost matrix is solved on a transposed copy of it
/// (see `parsm_core::path::solves_transposed`).
#[pyfunction]
pub fn path_solves_transposed(nx: usize, ny: usize) -> bool {
    parsm_core::path::solves_transposed(nx, ny)
}

/// The mass paths of several cost matrices up to `s_max`, solved in parallel with the GIL
/// released: the folds of a cross-validated L-curve.
#[pyfunction]
#[pyo3(signature = (costs, s_max=1.0, n_threads=None, progress=None))]
pub fn mass_paths<'py>(
    py: Python<'py>,
    costs: Vec<CostArray<'py>>,
    s_max: f64,
    n_threads: Option<usize>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Vec<MassPath>> {
    let views = same_type_views(&costs)?;
    let threads = parsm_core::threads::threads_for(
        n_threads,
        parsm_core::sweep::paths_worth_threads(views.shapes()),
    );
    let paths = match views {
        CostViews::F64(views) => run_detached(py, threads, progress.as_ref(), |m| {
            parsm_core::sweep::mass_paths(&views, s_max, m)
        })?,
        CostViews::F32(views) => run_detached(py, threads, progress.as_ref(), |m| {
            parsm_core::sweep::mass_paths(&views, s_max, m)
        })?,
    };
    Ok(paths.into_iter().map(|inner| MassPath { inner }).collect())
}
