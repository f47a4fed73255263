//! `parsm._core`: the PyO3 bindings of `parsm-core`.
//!
//! This crate only converts arrays, releases the GIL around the solvers, and maps errors:
//! each `ParsmError` kind becomes its own `parsm.ParsmError` subclass (a `ValueError`), and a Rust panic (a bug) becomes `RuntimeError` instead of
//! crossing into Python. No algorithm lives here; the typed Python API in `python/parsm` calls it.

mod arrays;
mod detach;
mod elbow;
mod errors;
mod memory;
mod path;
mod population;
mod problem;
mod threads;
mod transport;

use pyo3::prelude::*;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(m)?;
    let metrics: Vec<&str> = parsm_core::Metric::ALL.iter().map(|k| k.name()).collect();
    m.add("METRICS", pyo3::types::PyTuple::new(m.py(), metrics)?)?;
    m.add_function(wrap_pyfunction!(transport::cost_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(transport::unit_factors, m)?)?;
    m.add_function(wrap_pyfunction!(population::cost_matrix_between, m)?)?;
    m.add_class::<population::PreparedPopulation>()?;
    m.add_function(wrap_pyfunction!(population::pairs_numbers, m)?)?;
    m.add_function(wrap_pyfunction!(population::pair_work, m)?)?;
    m.add_function(wrap_pyfunction!(transport::emd, m)?)?;
    m.add_function(wrap_pyfunction!(transport::emd_sparse, m)?)?;
    m.add_function(wrap_pyfunction!(transport::assignment, m)?)?;
    m.add_function(wrap_pyfunction!(transport::partial, m)?)?;
    m.add_function(wrap_pyfunction!(transport::default_dummies, m)?)?;
    m.add_function(wrap_pyfunction!(transport::partial_sweep, m)?)?;
    m.add_function(wrap_pyfunction!(transport::ablation_deltas, m)?)?;
    m.add_function(wrap_pyfunction!(transport::subset_costs, m)?)?;
    m.add_function(wrap_pyfunction!(elbow::elbow_paper, m)?)?;
    m.add_function(wrap_pyfunction!(elbow::elbow_notebook, m)?)?;
    m.add_function(wrap_pyfunction!(elbow::elbow_plateau, m)?)?;
    m.add_function(wrap_pyfunction!(elbow::elbow, m)?)?;
    m.add_function(wrap_pyfunction!(elbow::held_out_corners, m)?)?;
    m.add_class::<path::MassPath>()?;
    m.add_class::<transport::Solution>()?;
    m.add_class::<problem::Problem>()?;
    m.add_function(wrap_pyfunction!(path::mass_paths, m)?)?;
    m.add_function(wrap_pyfunction!(path::path_solves_transposed, m)?)?;
    m.add_function(wrap_pyfunction!(memory::available_memory, m)?)?;
    m.add_function(wrap_pyfunction!(threads::pool_size, m)?)?;
    Ok(())
}
