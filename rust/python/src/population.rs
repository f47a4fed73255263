//! Populations prepared once for the cost matrices of many pairs (`parsm.pairwise`).

use numpy::{IntoPyArray, PyArray2, PyReadonlyArray2};
use parsm_core::cost::PreparedPopulation as CorePopulation;
use pyo3::prelude::*;

use crate::detach::{run_detached, run_serial, value_error};
use crate::transport::stored_as;

/// A population's unit factors for a metric (units x stimuli), checked and packed for the
/// product kernel once, for every cost matrix it is a side of. Pickles as its factors (packed
/// again on loading) and tells `sys.getsizeof` the bytes it holds, so that Dask's joblib
/// backend scatters it to the workers once rather than sending it with every pair.
#[pyclass(module = "parsm._core", frozen, weakref)]
pub struct PreparedPopulation {
    inner: CorePopulation,
}

/// How a [`PreparedPopulation`] pickles: `(PreparedPopulation.from_factors, (factors, metric))`.
type Reduced<'py> = (Bound<'py, PyAny>, (Bound<'py, PyArray2<f64>>, &'static str));

#[pymethods]
impl PreparedPopulation {
    /// The population of responses `z` (stimuli x units), prepared as `unit_factors` does
    /// (without the GIL).
    #[new]
    #[pyo3(signature = (z, metric="correlation"))]
    fn new(py: Python<'_>, z: PyReadonlyArray2<'_, f64>, metric: &str) -> PyResult<Self> {
        let metric: parsm_core::Metric = metric.parse().map_err(value_error)?;
        let z = z.as_array();
        let inner = run_serial(py, None, |_| CorePopulation::new(z, metric))?;
        Ok(PreparedPopulation { inner })
    }

    /// The population given as its unit factors for `metric` (how a pickled one is loaded).
    #[staticmethod]
    fn from_factors(
        py: Python<'_>,
        units: PyReadonlyArray2<'_, f64>,
        metric: &str,
    ) -> PyResult<Self> {
        let metric: parsm_core::Metric = metric.parse().map_err(value_error)?;
        let units = units.as_array();
        let inner = run_serial(py, None, |_| {
            CorePopulation::from_factors(units.to_owned(), metric)
        })?;
        Ok(PreparedPopulation { inner })
    }

    /// `(units, stimuli)`.
    #[getter]
    fn shape(&self) -> (usize, usize) {
        self.inner.dim()
    }

    /// The metric the units are prepared for.
    #[getter]
    fn metric(&self) -> &'static str {
        self.inner.metric().name()
    }

    /// A copy of the unit factors, units x stimuli.
    fn factors<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<f64>> {
        self.inner.factors().into_pyarray(py)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        let load = slf.get_type().getattr("from_factors")?;
        let me = slf.get();
        Ok((load, (me.factors(slf.py()), me.metric())))
    }

    fn __sizeof__(&self) -> usize {
        std::mem::size_of::<Self>() + self.inner.nbytes()
    }

    fn __repr__(&self) -> String {
        let (units, stimuli) = self.shape();
        format!(
            "PreparedPopulation({units} units x {stimuli} stimuli, metric={:?})",
            self.metric()
        )
    }
}

/// `cost_matrix` between two prepared populations (rows `a`'s units, columns `b`'s), the same
/// bits as from their responses.
#[pyfunction]
#[pyo3(signature = (a, b, n_threads=None, progress=None, dtype="float64"))]
pub fn cost_matrix_between<'py>(
    py: Python<'py>,
    a: &Bound<'py, PreparedPopulation>,
    b: &Bound<'py, PreparedPopulation>,
    n_threads: Option<usize>,
    progress: Option<Bound<'py, PyAny>>,
    dtype: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let (a, b) = (&a.get().inner, &b.get().inner);
    let ((nx, m), (ny, _)) = (a.dim(), b.dim());
    let worth = parsm_core::cost::worth_threads(nx, ny, m);
    stored_as(
        py,
        dtype,
        parsm_core::threads::threads_for(n_threads, worth),
        progress,
        |m| parsm_core::cost::cost_matrix_between(a, b, m),
        |m| parsm_core::cost::cost_matrix_between(a, b, m),
    )
}

/// `parsm_core::pair::pair_work`: a pair's work (`na x nb` units over `m` stimuli), what
/// `pairwise` cuts its pairs into chunks of equal work by.
#[pyfunction]
pub fn pair_work(na: usize, nb: usize, m: usize, with_soft: bool) -> u64 {
    parsm_core::pair::pair_work(na, nb, m, with_soft)
}

/// What `pairwise` reports of one pair: `(cost at s, matched units of X, of Y, soft-matching
/// cost or None)`.
type Numbers = (f64, usize, usize, Option<f64>);

/// `parsm_core::pair::pairs_numbers`: each pair `(i, j)` of `populations` at mass `s` (the
/// cost matrices stored as `dtype`), in one call without the GIL, the pairs shared among
/// `n_threads` threads (one thread for a single pair too small to share).
#[pyfunction]
#[pyo3(signature = (
    populations, pairs, s, with_soft, match_tol, dtype="float64", n_threads=None, progress=None
))]
#[allow(clippy::too_many_arguments)]
pub fn pairs_numbers<'py>(
    py: Python<'py>,
    populations: Vec<Bound<'py, PreparedPopulation>>,
    pairs: Vec<(usize, usize)>,
    s: f64,
    with_soft: bool,
    match_tol: f64,
    dtype: &str,
    n_threads: Option<usize>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Vec<Numbers>> {
    use parsm_core::pair::{pairs_numbers as solve, PairNumbers};
    let pops: Vec<&CorePopulation> = populations.iter().map(|p| &p.get().inner).collect();
    let (pops, pairs) = (&pops, &pairs);
    let worth = parsm_core::pair::worth_threads(pops, pairs);
    let n_threads = parsm_core::threads::threads_for(n_threads, worth);
    let numbers: Vec<PairNumbers> = match dtype {
        "float64" => run_detached(py, n_threads, progress.as_ref(), |m| {
            solve::<f64>(pops, pairs, s, with_soft, match_tol, m)
        })?,
        "float32" => run_detached(py, n_threads, progress.as_ref(), |m| {
            solve::<f32>(pops, pairs, s, with_soft, match_tol, m)
        })?,
        other => {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "dtype must be 'float64' or 'float32'; got {other:?}"
            )))
        }
    };
    Ok(numbers
        .into_iter()
        .map(|n| (n.cost, n.matched.0, n.matched.1, n.soft_cost))
        .collect())
}
