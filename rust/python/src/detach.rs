//! Running core calls without the GIL, and turning their failures into Python exceptions.

use std::panic::{catch_unwind, AssertUnwindSafe};

use parsm_core::threads::with_threads;
use parsm_core::ParsmError;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// A core error as a Python `ValueError`.
pub fn value_error(e: ParsmError) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// Runs `f` without the GIL, in a pool of `n_threads` (`None`: the global pool, nothing built),
/// turning errors and panics into exceptions.
pub fn run_detached<T: Send>(
    py: Python<'_>,
    n_threads: Option<usize>,
    f: impl FnOnce() -> Result<T, ParsmError> + Send,
) -> PyResult<T> {
    let outcome =
        py.allow_threads(|| catch_unwind(AssertUnwindSafe(|| with_threads(n_threads, f))));
    match outcome {
        Ok(Ok(Ok(value))) => Ok(value),
        Ok(Ok(Err(e))) | Ok(Err(e)) => Err(value_error(e)),
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
