//! The thread count a native call runs on.

use pyo3::prelude::*;

/// The threads a call given `n_threads` runs on: `n_threads`, or for `None` rayon's default
/// (all cores, or `RAYON_NUM_THREADS`).
#[pyfunction]
#[pyo3(signature = (n_threads=None))]
pub fn pool_size(n_threads: Option<usize>) -> usize {
    parsm_core::threads::pool_size(n_threads)
}
