//! `parsm._core`: the PyO3 bindings of `parsm-core`.
//!
//! This crate only converts arrays, releases the GIL around the solvers, and maps errors:
//! [`ParsmError`] becomes `ValueError`, and a Rust panic (a bug) becomes `RuntimeError` instead of
//! crossing into Python. No algorithm lives here; the typed Python API in `python/parsm` calls it.

use std::panic::{catch_unwind, AssertUnwindSafe};

use ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use parsm_core::threads::with_threads;
use parsm_core::{ParsmError, SolveStatus, TransportOptions, TransportSolution};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// Runs `f` without the GIL, in a pool of `n_threads`, turning errors and panics into exceptions.
fn run_detached<T: Send>(
    py: Python<'_>,
    n_threads: Option<usize>,
    f: impl FnOnce() -> Result<T, ParsmError> + Send,
) -> PyResult<T> {
    let outcome =
        py.allow_threads(|| catch_unwind(AssertUnwindSafe(|| with_threads(n_threads, f))));
    match outcome {
        Ok(Ok(Ok(value))) => Ok(value),
        Ok(Ok(Err(e))) | Ok(Err(e)) => Err(PyValueError::new_err(e.to_string())),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(PyRuntimeError::new_err(format!(
                "internal error in parsm's Rust core ({msg}); please report it with the inputs that caused it"
            )))
        }
    }
}

fn status_name(s: SolveStatus) -> &'static str {
    match s {
        SolveStatus::Optimal => "optimal",
        SolveStatus::Infeasible => "infeasible",
        SolveStatus::MaxIterReached => "max_iter_reached",
    }
}

/// What the solvers return to Python: `(plan, cost, u, v, status, iterations)`.
type SolutionTuple<'py> = (
    Bound<'py, PyArray2<f64>>,
    f64,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    &'static str,
    u64,
);

fn solution_to_py(py: Python<'_>, s: TransportSolution) -> SolutionTuple<'_> {
    (
        s.plan.into_pyarray(py),
        s.cost,
        s.u.into_pyarray(py),
        s.v.into_pyarray(py),
        status_name(s.status),
        s.iterations,
    )
}

/// Cost matrix between the columns (units) of `x` (M x Nx) and `y` (M x Ny).
#[pyfunction]
#[pyo3(signature = (x, y, metric, n_threads=None))]
fn cost_matrix<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    y: PyReadonlyArray2<'py, f64>,
    metric: &str,
    n_threads: Option<usize>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let metric: parsm_core::Metric = metric
        .parse()
        .map_err(|e: ParsmError| PyValueError::new_err(e.to_string()))?;
    let (x, y) = (x.as_array(), y.as_array());
    let c: Array2<f64> = run_detached(py, n_threads, || parsm_core::cost_matrix(x, y, metric))?;
    Ok(c.into_pyarray(py))
}

/// Balanced optimal transport: `(plan, cost, u, v, status, iterations)`.
#[pyfunction]
#[pyo3(signature = (cost, a, b, max_iter=None))]
fn emd<'py>(
    py: Python<'py>,
    cost: PyReadonlyArray2<'py, f64>,
    a: PyReadonlyArray1<'py, f64>,
    b: PyReadonlyArray1<'py, f64>,
    max_iter: Option<u64>,
) -> PyResult<SolutionTuple<'py>> {
    let (c, a, b) = (cost.as_array(), a.as_array(), b.as_array());
    let (a, b) = (a.to_vec(), b.to_vec());
    let options = TransportOptions {
        max_iter,
        n_dummies: None,
    };
    let sol = run_detached(py, Some(1), || parsm_core::emd(c, &a, &b, options))?;
    Ok(solution_to_py(py, sol))
}

/// Exact partial optimal transport of mass `m`: `(plan, cost, u, v, status, iterations)`.
/// The potentials cover the augmented problem (real nodes first, then the dummy points).
#[pyfunction]
#[pyo3(signature = (cost, a, b, m, n_dummies=None, max_iter=None))]
fn partial<'py>(
    py: Python<'py>,
    cost: PyReadonlyArray2<'py, f64>,
    a: PyReadonlyArray1<'py, f64>,
    b: PyReadonlyArray1<'py, f64>,
    m: f64,
    n_dummies: Option<usize>,
    max_iter: Option<u64>,
) -> PyResult<SolutionTuple<'py>> {
    let (c, a, b) = (cost.as_array(), a.as_array(), b.as_array());
    let (a, b) = (a.to_vec(), b.to_vec());
    let options = TransportOptions {
        max_iter,
        n_dummies,
    };
    let sol = run_detached(py, Some(1), || parsm_core::partial(c, &a, &b, m, options))?;
    Ok(solution_to_py(py, sol))
}

/// The number of dummy points used by `partial` when `n_dummies` is not given.
#[pyfunction]
fn default_dummies(nx: usize, ny: usize) -> usize {
    parsm_core::transport::default_dummies(nx, ny)
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(cost_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(emd, m)?)?;
    m.add_function(wrap_pyfunction!(partial, m)?)?;
    m.add_function(wrap_pyfunction!(default_dummies, m)?)?;
    Ok(())
}
