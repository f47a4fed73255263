//! `Problem`: one solved comparison, held by Python. It owns the cost matrix (the numpy array
//! the core computed), its metric and the mass path solved on it, checks that they belong
//! together, and answers every question about them by calling the core: the curve on any grid
//! and on another cost matrix (cross-validation), the plan, match and masses at any `s`, the
//! knots, balanced soft matching and the brute-force unit importances. Python holds this one
//! object instead of passing a cost matrix and a path around together.

use ndarray::ArrayView2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1};
use parsm_core::scalar::Cost;
use parsm_core::{Metric, ParsmError};
use pyo3::prelude::*;

use crate::arrays::CostArray;
use crate::detach::{run_detached, run_serial, value_error};
use crate::path::{evaluate_on, MassPath};

/// A cost matrix, its metric and its mass path: see the module documentation.
#[pyclass(module = "parsm._core", frozen)]
pub struct Problem {
    cost: Py<PyAny>,
    metric: &'static str,
    shape: (usize, usize),
    path: Py<MassPath>,
}

/// Two per-unit arrays: one for X, one for Y.
type Pair<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>);

/// `(order_x, order_y, values_x, values_y)`.
type Ranking<'py> = (
    Bound<'py, PyArray1<usize>>,
    Bound<'py, PyArray1<usize>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
);

/// The plan at some `s` and its cost.
type Match<'py> = (Bound<'py, PyArray2<f64>>, f64);

fn cost_shape(cost: &CostArray<'_>) -> (usize, usize) {
    match cost {
        CostArray::F64(c) => c.as_array().dim(),
        CostArray::F32(c) => c.as_array().dim(),
    }
}

/// Runs `f` on the costs as float64, for the float64-only solvers: a view of float64 costs,
/// a widened copy of float32 ones.
fn with_f64<R>(cost: &CostArray<'_>, f: impl FnOnce(ArrayView2<'_, f64>) -> R) -> R {
    match cost {
        CostArray::F64(c) => f(f64::widened(c.as_array()).view()),
        CostArray::F32(c) => f(f32::widened(c.as_array()).view()),
    }
}

impl Problem {
    /// Balanced soft matching on the problem's costs (see `parsm_core::soft_matching`).
    fn balanced(
        &self,
        py: Python<'_>,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<parsm_core::TransportSolution> {
        let cost: CostArray = self.cost.bind(py).extract()?;
        with_f64(&cost, |c| {
            run_serial(py, progress.as_ref(), |m| {
                parsm_core::soft_matching(c, Some(m))
            })
        })
    }

    /// The cost of [`Problem::balanced`]'s optimum, solved without building a plan, after the
    /// problem's path: the simplex's lists priced by it where it reaches far enough, the costs
    /// it checked not checked again.
    fn balanced_cost(&self, py: Python<'_>, progress: Option<Bound<'_, PyAny>>) -> PyResult<f64> {
        let cost: CostArray = self.cost.bind(py).extract()?;
        let path = &self.path.get().inner;
        with_f64(&cost, |c| {
            run_serial(py, progress.as_ref(), |m| {
                parsm_core::transport::soft_matching_cost_after(c, path, Some(m))
            })
        })
    }
}

#[pymethods]
impl Problem {
    /// Solves the mass path on `cost` (a float64 or float32 matrix computed with `metric`) up
    /// to `s_max`; `progress(done, total)` as for `MassPath`.
    #[new]
    #[pyo3(signature = (cost, metric, s_max=1.0, progress=None))]
    fn new(
        py: Python<'_>,
        cost: Bound<'_, PyAny>,
        metric: &str,
        s_max: f64,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let metric: Metric = metric.parse().map_err(value_error)?;
        let view: CostArray = cost.extract()?;
        let path = MassPath::solve(py, &view, s_max, progress.as_ref())?;
        Ok(Problem {
            shape: cost_shape(&view),
            cost: cost.unbind(),
            metric: metric.name(),
            path: Py::new(py, path)?,
        })
    }

    /// The problem of `cost` with a path already solved on it (a `ShapeError` when the
    /// shapes differ).
    #[staticmethod]
    fn with_path(cost: Bound<'_, PyAny>, metric: &str, path: Py<MassPath>) -> PyResult<Self> {
        let metric: Metric = metric.parse().map_err(value_error)?;
        let view: CostArray = cost.extract()?;
        let shape = cost_shape(&view);
        let got = path.get().inner.shape();
        if got != shape {
            return Err(value_error(ParsmError::ShapeMismatch {
                what: "the mass path",
                got,
                expected: shape,
            }));
        }
        Ok(Problem {
            shape,
            cost: cost.unbind(),
            metric: metric.name(),
            path,
        })
    }

    /// The cost matrix (the array given, not a copy).
    #[getter]
    fn cost(&self, py: Python<'_>) -> Py<PyAny> {
        self.cost.clone_ref(py)
    }

    /// The metric the costs were computed with.
    #[getter]
    fn metric(&self) -> &'static str {
        self.metric
    }

    /// `(Nx, Ny)`.
    #[getter]
    fn shape(&self) -> (usize, usize) {
        self.shape
    }

    /// The largest mass the path reaches.
    #[getter]
    fn s_max(&self) -> f64 {
        self.path.get().inner.s_max()
    }

    /// The mass path (shared, not a copy).
    #[getter]
    fn path(&self, py: Python<'_>) -> Py<MassPath> {
        self.path.clone_ref(py)
    }

    /// The optimal cost `<T(s), C>` at every `s` of `grid` (up to `s_max`).
    fn curve<'py>(
        &self,
        py: Python<'py>,
        grid: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        self.curve_on(py, self.cost.bind(py).extract()?, grid)
    }

    /// `<T(s), other>` for every `s` of `grid`: the plans costed on another matrix of the same
    /// shape (held-out stimuli).
    fn curve_on<'py>(
        &self,
        py: Python<'py>,
        other: CostArray<'py>,
        grid: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        evaluate_on(py, &self.path.get().inner, &other, grid.as_slice()?)
    }

    /// The optimal cost at `s`.
    fn cost_at(&self, py: Python<'_>, s: f64) -> PyResult<f64> {
        let cost: CostArray = self.cost.bind(py).extract()?;
        let v = evaluate_on(py, &self.path.get().inner, &cost, &[s])?;
        Ok(v.readonly().as_slice()?[0])
    }

    /// The exact optimal plan at `s`.
    fn plan_at<'py>(&self, py: Python<'py>, s: f64) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let path = &self.path.get().inner;
        let plan = py.allow_threads(|| path.plan_at(s)).map_err(value_error)?;
        Ok(plan.into_pyarray(py))
    }

    /// `(plan, cost)`: the optimal matching of mass `s`.
    fn match_at<'py>(&self, py: Python<'py>, s: f64) -> PyResult<Match<'py>> {
        Ok((self.plan_at(py, s)?, self.cost_at(py, s)?))
    }

    /// `(plan, cost)` of balanced soft matching: from the path when it reaches s = 1 (no new
    /// solve), else by the balanced solver (Jonker-Volgenant when square, the network simplex
    /// otherwise) on the same costs.
    #[pyo3(signature = (progress=None))]
    fn soft_match<'py>(
        &self,
        py: Python<'py>,
        progress: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Match<'py>> {
        if self.s_max() >= 1.0 {
            return self.match_at(py, 1.0);
        }
        let sol = self.balanced(py, progress)?;
        Ok((sol.plan.into_pyarray(py), sol.cost))
    }

    /// The cost of balanced soft matching, the optimum `soft_match` finds (to rounding: the
    /// simplex priced by the path may pivot to it in another order), without building its plan
    /// (what `pairwise` reports).
    #[pyo3(signature = (progress=None))]
    fn soft_cost(&self, py: Python<'_>, progress: Option<Bound<'_, PyAny>>) -> PyResult<f64> {
        if self.s_max() >= 1.0 {
            return self.cost_at(py, 1.0);
        }
        self.balanced_cost(py, progress)
    }

    /// `(row_masses, col_masses)`: each unit's matched mass at `s`, without a dense plan.
    fn masses_at<'py>(&self, py: Python<'py>, s: f64) -> PyResult<Pair<'py>> {
        let path = &self.path.get().inner;
        let (r, c) = py
            .allow_threads(|| path.masses_at(s))
            .map_err(value_error)?;
        Ok((r.into_pyarray(py), c.into_pyarray(py)))
    }

    /// `(matched units of X, of Y)` at `s`: their mass exceeds `tol` of their own
    /// (`parsm_core::MassPath::matched_at`).
    fn matched_at(&self, py: Python<'_>, s: f64, tol: f64) -> PyResult<(usize, usize)> {
        let path = &self.path.get().inner;
        py.allow_threads(|| path.matched_at(s, tol))
            .map_err(value_error)
    }

    /// `(row_entry, row_full, col_entry, col_full)`: see `MassPath.unit_masses`.
    fn unit_masses<'py>(&self, py: Python<'py>) -> [Bound<'py, PyArray1<f64>>; 4] {
        let p = &self.path.get().inner;
        [
            p.row_entry().to_vec().into_pyarray(py),
            p.row_full().to_vec().into_pyarray(py),
            p.col_entry().to_vec().into_pyarray(py),
            p.col_full().to_vec().into_pyarray(py),
        ]
    }

    /// `(s_k, zeta_k)` up to `s_max`, as a path solved only to `s_max` would have them.
    fn breakpoints_to<'py>(
        &self,
        py: Python<'py>,
        s_max: f64,
    ) -> (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>) {
        let (s, z) = self.path.get().inner.breakpoints_to(s_max);
        (s.into_pyarray(py), z.into_pyarray(py))
    }

    /// `(order_x, order_y, values_x, values_y)`: the units best aligned first, by `method`
    /// "path" (entry masses along the path) or "plan" (matched fractions of the plan at `s`);
    /// see `parsm_core::ranking`.
    fn ranking<'py>(&self, py: Python<'py>, method: &str, s: f64) -> PyResult<Ranking<'py>> {
        let path = &self.path.get().inner;
        let orders = match method {
            "path" => parsm_core::ranking::path_ranking(path),
            "plan" => match self.cost.bind(py).extract::<CostArray>()? {
                CostArray::F64(c) => {
                    let c = c.as_array();
                    py.allow_threads(|| parsm_core::ranking::plan_ranking(path, c, s))
                }
                CostArray::F32(c) => {
                    let c = c.as_array();
                    py.allow_threads(|| parsm_core::ranking::plan_ranking(path, c, s))
                }
            }
            .map_err(value_error)?,
            other => {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "the core ranks by 'path' or 'plan'; got {other:?}"
                )))
            }
        };
        Ok((
            orders.order_x.into_pyarray(py),
            orders.order_y.into_pyarray(py),
            orders.values_x.into_pyarray(py),
            orders.values_y.into_pyarray(py),
        ))
    }

    /// `(s0, index)`: the elbow by the in-sample `rule` of `curve` on `grid` (default: this
    /// problem's own curve there), the plateau rule reading this path's knots up to the grid's
    /// end.
    #[pyo3(signature = (rule, grid, curve=None))]
    fn elbow(
        &self,
        py: Python<'_>,
        rule: &str,
        grid: PyReadonlyArray1<'_, f64>,
        curve: Option<PyReadonlyArray1<'_, f64>>,
    ) -> PyResult<(f64, Option<usize>)> {
        let g = grid.as_slice()?;
        let path = &self.path.get().inner;
        let own;
        let c: &[f64] = match &curve {
            Some(c) => c.as_slice()?,
            None => {
                let cost: CostArray = self.cost.bind(py).extract()?;
                own = evaluate_on(py, path, &cost, g)?.to_vec()?;
                &own
            }
        };
        let s_end = g.iter().copied().fold(0.0f64, f64::max);
        let (ks, kv) = path.breakpoints_to(s_end);
        crate::elbow::choose(rule, g, c, (&ks, &kv))
    }

    /// Brute-force unit importance on these costs: `score_without - score_full` for every
    /// unit of X and of Y.
    #[pyo3(signature = (n_threads=None, progress=None))]
    fn ablation_deltas<'py>(
        &self,
        py: Python<'py>,
        n_threads: Option<usize>,
        progress: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Pair<'py>> {
        let cost: CostArray = self.cost.bind(py).extract()?;
        let (dx, dy) = with_f64(&cost, |c| {
            run_detached(py, n_threads, progress.as_ref(), |m| {
                parsm_core::ablation::ablation_deltas(c, m)
            })
        })?;
        Ok((dx.into_pyarray(py), dy.into_pyarray(py)))
    }

    fn __repr__(&self) -> String {
        let (nx, ny) = self.shape;
        format!(
            "Problem({nx} x {ny}, metric={:?}, s_max={})",
            self.metric,
            self.s_max()
        )
    }
}
