//! Cost matrices and exact transport solves.

use ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use parsm_core::{ParsmError, SolveStatus, TransportOptions, TransportSolution};
use pyo3::prelude::*;

use crate::detach::{run_detached, run_serial, value_error};

/// A solved transport problem, as the solvers hand it to Python. A solve that did not reach
/// its optimum raises instead, next to the solver: infeasible marginals raise
/// `MarginalError`, a failed certificate `RuntimeError`. Only a pivot cap the caller set
/// (`max_iter`) returns a plan that is not proven optimal, with `status` saying so.
#[pyclass(module = "parsm._core", frozen, get_all)]
pub struct Solution {
    /// The plan: `nx x ny` for a dense problem, or the flow on each given arc for a sparse one.
    plan: Py<PyAny>,
    /// `<plan, cost>` in the caller's cost units.
    cost: f64,
    /// Row potentials (dummy rows last for partial transport).
    u: Py<PyArray1<f64>>,
    /// Column potentials (dummy columns last for partial transport).
    v: Py<PyArray1<f64>>,
    /// "optimal", or "max_iter_reached" under a caller's pivot cap.
    status: &'static str,
    /// Network-simplex pivots (0 for the assignment solver).
    iterations: u64,
}

#[pymethods]
impl Solution {
    fn __repr__(&self) -> String {
        format!(
            "Solution(cost={}, status={:?}, iterations={})",
            self.cost, self.status, self.iterations
        )
    }
}

impl Solution {
    fn new(
        py: Python<'_>,
        plan: Py<PyAny>,
        cost: f64,
        u: Vec<f64>,
        v: Vec<f64>,
        status: SolveStatus,
        iterations: u64,
    ) -> PyResult<Self> {
        let status = match status {
            SolveStatus::Optimal => "optimal",
            SolveStatus::MaxIterReached => "max_iter_reached",
            SolveStatus::Infeasible => {
                return Err(crate::errors::MarginalError::new_err(
                    "the marginals admit no feasible plan; check that a and b are >= 0 with \
                     equal sums",
                ))
            }
            SolveStatus::Uncertified => {
                return Err(value_error(ParsmError::Uncertified(
                    "network simplex".into(),
                )))
            }
        };
        Ok(Solution {
            plan,
            cost,
            u: u.into_pyarray(py).unbind(),
            v: v.into_pyarray(py).unbind(),
            status,
            iterations,
        })
    }

    fn dense(py: Python<'_>, s: TransportSolution) -> PyResult<Self> {
        let plan = s.plan.into_pyarray(py).into_any().unbind();
        Solution::new(py, plan, s.cost, s.u, s.v, s.status, s.iterations)
    }
}

/// Cost matrix between the columns (units) of `x` (M x Nx) and `y` (M x Ny).
/// `dtype` is "float64" or "float32" (half the memory; each entry rounded once).
/// `constant_units` is "reject" (an error listing them) or "uncorrelated" (cost 1 to all).
#[pyfunction]
#[pyo3(signature = (x, y, metric, n_threads=None, progress=None, dtype="float64", constant_units="reject"))]
#[allow(clippy::too_many_arguments)]
pub fn cost_matrix<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    y: PyReadonlyArray2<'py, f64>,
    metric: &str,
    n_threads: Option<usize>,
    progress: Option<Bound<'py, PyAny>>,
    dtype: &str,
    constant_units: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let metric: parsm_core::Metric = metric.parse().map_err(|e: ParsmError| value_error(e))?;
    let constant = match constant_units {
        "reject" => parsm_core::ConstantUnits::Reject,
        "uncorrelated" => parsm_core::ConstantUnits::Uncorrelated,
        other => {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "constant_units must be 'reject' or 'uncorrelated'; got {other:?}"
            )))
        }
    };
    let (x, y) = (x.as_array(), y.as_array());
    let worth = parsm_core::cost::worth_threads(x.ncols(), y.ncols(), x.nrows());
    stored_as(
        py,
        dtype,
        parsm_core::threads::threads_for(n_threads, worth),
        progress,
        |m| parsm_core::cost::cost_matrix_monitored(x, y, metric, constant, m),
        |m| parsm_core::cost::cost_matrix_monitored(x, y, metric, constant, m),
    )
}

/// Runs the cost computation for the requested storage type, without the GIL, as a numpy
/// array.
pub(crate) fn stored_as<'py>(
    py: Python<'py>,
    dtype: &str,
    n_threads: Option<usize>,
    progress: Option<Bound<'py, PyAny>>,
    as_f64: impl FnOnce(&parsm_core::Monitor) -> Result<Array2<f64>, ParsmError> + Send,
    as_f32: impl FnOnce(&parsm_core::Monitor) -> Result<Array2<f32>, ParsmError> + Send,
) -> PyResult<Bound<'py, PyAny>> {
    match dtype {
        "float64" => {
            let c = run_detached(py, n_threads, progress.as_ref(), as_f64)?;
            Ok(c.into_pyarray(py).into_any())
        }
        "float32" => {
            let c = run_detached(py, n_threads, progress.as_ref(), as_f32)?;
            Ok(c.into_pyarray(py).into_any())
        }
        other => Err(pyo3::exceptions::PyValueError::new_err(format!(
            "dtype must be 'float64' or 'float32'; got {other:?}"
        ))),
    }
}

/// The units of `z` (stimuli x units) prepared as `metric` prepares them, units x stimuli
/// (constant units are zero rows).
#[pyfunction]
#[pyo3(signature = (z, metric="correlation"))]
pub fn unit_factors<'py>(
    py: Python<'py>,
    z: PyReadonlyArray2<'py, f64>,
    metric: &str,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let metric: parsm_core::Metric = metric.parse().map_err(value_error)?;
    let f = parsm_core::cost::unit_factors(z.as_array(), metric).map_err(value_error)?;
    Ok(f.into_pyarray(py))
}

/// Balanced optimal transport, as a [`Solution`].
#[pyfunction]
#[pyo3(signature = (cost, a, b, max_iter=None, progress=None))]
pub fn emd<'py>(
    py: Python<'py>,
    cost: PyReadonlyArray2<'py, f64>,
    a: PyReadonlyArray1<'py, f64>,
    b: PyReadonlyArray1<'py, f64>,
    max_iter: Option<u64>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Solution> {
    let (c, a, b) = (cost.as_array(), a.as_array(), b.as_array());
    let (a, b) = (a.to_vec(), b.to_vec());
    let sol = run_serial(py, progress.as_ref(), |m| {
        let options = TransportOptions {
            max_iter,
            n_dummies: None,
            monitor: Some(m),
        };
        parsm_core::emd(c, &a, &b, options)
    })?;
    Solution::dense(py, sol)
}

/// Balanced optimal transport on the arcs `(rows[k], cols[k])` of a sparse cost matrix of
/// `shape`, every other pair being forbidden, as a [`Solution`] whose plan is the flow per arc.
#[pyfunction]
#[pyo3(signature = (rows, cols, costs, shape, a, b, max_iter=None, progress=None))]
#[allow(clippy::too_many_arguments)]
pub fn emd_sparse<'py>(
    py: Python<'py>,
    rows: PyReadonlyArray1<'py, i64>,
    cols: PyReadonlyArray1<'py, i64>,
    costs: PyReadonlyArray1<'py, f64>,
    shape: (usize, usize),
    a: PyReadonlyArray1<'py, f64>,
    b: PyReadonlyArray1<'py, f64>,
    max_iter: Option<u64>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Solution> {
    let index = |x: PyReadonlyArray1<'py, i64>, what: &str| -> PyResult<Vec<usize>> {
        x.as_array()
            .iter()
            .map(|&k| {
                usize::try_from(k).map_err(|_| {
                    crate::errors::ShapeError::new_err(format!(
                        "the sparse cost matrix has a negative {what} index ({k})"
                    ))
                })
            })
            .collect()
    };
    let rows = index(rows, "row")?;
    let cols = index(cols, "column")?;
    let costs = costs.as_array().to_vec();
    let (a, b) = (a.as_array().to_vec(), b.as_array().to_vec());
    let sol = run_serial(py, progress.as_ref(), |m| {
        let arcs = parsm_core::SparseArcs {
            shape,
            rows: &rows,
            cols: &cols,
            costs: &costs,
        };
        let options = TransportOptions {
            max_iter,
            n_dummies: None,
            monitor: Some(m),
        };
        parsm_core::emd_on_arcs(arcs, &a, &b, options)
    })?;
    let flow = sol.flow.into_pyarray(py).into_any().unbind();
    Solution::new(py, flow, sol.cost, sol.u, sol.v, sol.status, sol.iterations)
}

/// Exact partial optimal transport of mass `m`, as a [`Solution`].
/// The potentials cover the augmented problem (real nodes first, then the dummy points).
#[pyfunction]
#[pyo3(signature = (cost, a, b, m, n_dummies=None, max_iter=None, progress=None))]
#[allow(clippy::too_many_arguments)]
pub fn partial<'py>(
    py: Python<'py>,
    cost: PyReadonlyArray2<'py, f64>,
    a: PyReadonlyArray1<'py, f64>,
    b: PyReadonlyArray1<'py, f64>,
    m: f64,
    n_dummies: Option<usize>,
    max_iter: Option<u64>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Solution> {
    let (c, a, b) = (cost.as_array(), a.as_array(), b.as_array());
    let (a, b) = (a.to_vec(), b.to_vec());
    let sol = run_serial(py, progress.as_ref(), |mon| {
        let options = TransportOptions {
            max_iter,
            n_dummies,
            monitor: Some(mon),
        };
        parsm_core::partial(c, &a, &b, m, options)
    })?;
    Solution::dense(py, sol)
}

/// The number of dummy points used by `partial` when `n_dummies` is not given.
#[pyfunction]
pub fn default_dummies(nx: usize, ny: usize) -> usize {
    parsm_core::transport::default_dummies(nx, ny)
}

/// Two arrays returned together.
type ArrayPair<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>);

/// `(costs, other)` of the network simplex at every mass of `grid`, in parallel; `other` is
/// `<T(s), other_cost>` (NaN without `other_cost`).
#[pyfunction]
#[pyo3(signature = (cost, grid, other_cost=None, n_threads=None, progress=None))]
pub fn partial_sweep<'py>(
    py: Python<'py>,
    cost: PyReadonlyArray2<'py, f64>,
    grid: PyReadonlyArray1<'py, f64>,
    other_cost: Option<PyReadonlyArray2<'py, f64>>,
    n_threads: Option<usize>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<ArrayPair<'py>> {
    let c = cost.as_array();
    let grid = grid.as_array().to_vec();
    let other = other_cost.as_ref().map(|o| o.as_array());
    if let Some(o) = &other {
        if o.dim() != c.dim() {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "other_cost must have the shape of cost",
            ));
        }
    }
    let out = run_detached(py, n_threads, progress.as_ref(), |m| {
        parsm_core::sweep::partial_sweep(c, &grid, other, m)
    })?;
    let (a, b): (Vec<f64>, Vec<f64>) = out.into_iter().unzip();
    Ok((a.into_pyarray(py), b.into_pyarray(py)))
}

/// Brute-force unit importance: `score_without - score_full` for every unit of X and of Y.
#[pyfunction]
#[pyo3(signature = (cost, n_threads=None, progress=None))]
pub fn ablation_deltas<'py>(
    py: Python<'py>,
    cost: PyReadonlyArray2<'py, f64>,
    n_threads: Option<usize>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<ArrayPair<'py>> {
    let c = cost.as_array();
    let (dx, dy) = run_detached(py, n_threads, progress.as_ref(), |m| {
        parsm_core::ablation::ablation_deltas(c, m)
    })?;
    Ok((dx.into_pyarray(py), dy.into_pyarray(py)))
}

/// Balanced soft-matching cost of every `(rows, cols)` sub-population pair, in parallel.
#[pyfunction]
#[pyo3(signature = (cost, subsets, n_threads=None, progress=None))]
pub fn subset_costs<'py>(
    py: Python<'py>,
    cost: PyReadonlyArray2<'py, f64>,
    subsets: Vec<(Vec<usize>, Vec<usize>)>,
    n_threads: Option<usize>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let c = cost.as_array();
    let out = run_detached(py, n_threads, progress.as_ref(), |m| {
        parsm_core::sweep::subset_costs(c, &subsets, m)
    })?;
    Ok(out.into_pyarray(py))
}

/// `(col_of_row, total_cost, u, v)`: the exact optimal assignment of a square cost matrix
/// (square soft matching without the dense plan), with its certified duals.
#[pyfunction]
#[pyo3(signature = (cost, progress=None))]
pub fn assignment<'py>(
    py: Python<'py>,
    cost: PyReadonlyArray2<'py, f64>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<AssignmentTuple<'py>> {
    let c = cost.as_array();
    let (n, m) = c.dim();
    if n != m || n == 0 {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "the assignment solver needs a non-empty square cost matrix; got {n} x {m}"
        )));
    }
    let a = run_serial(py, progress.as_ref(), |mon| {
        parsm_core::validate::check_cost(c)?;
        let c = c.as_standard_layout();
        let flat = c.as_slice().expect("standard layout is contiguous");
        parsm_core::assignment::solve_assignment(flat, n, mon)
    })?;
    Ok((
        a.col_of_row.into_pyarray(py),
        a.total_cost,
        a.u.into_pyarray(py),
        a.v.into_pyarray(py),
    ))
}

/// What [`assignment`] returns.
type AssignmentTuple<'py> = (
    Bound<'py, PyArray1<usize>>,
    f64,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
);
