//! Cost matrices as they come from Python: float64 or float32 numpy arrays.

use ndarray::ArrayView2;
use numpy::PyReadonlyArray2;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

/// A read-only cost matrix of either storage type (see `parsm_core::scalar`).
#[derive(FromPyObject)]
pub enum CostArray<'py> {
    F64(PyReadonlyArray2<'py, f64>),
    F32(PyReadonlyArray2<'py, f32>),
}

/// Views of several cost matrices that share one storage type.
pub enum CostViews<'a> {
    F64(Vec<ArrayView2<'a, f64>>),
    F32(Vec<ArrayView2<'a, f32>>),
}

impl CostViews<'_> {
    /// Each matrix's `(rows, columns)`.
    pub fn shapes(&self) -> Vec<(usize, usize)> {
        match self {
            CostViews::F64(v) => v.iter().map(|c| c.dim()).collect(),
            CostViews::F32(v) => v.iter().map(|c| c.dim()).collect(),
        }
    }
}

/// The views of `costs`, which must all be float64 or all float32.
pub fn same_type_views<'a>(costs: &'a [CostArray<'_>]) -> PyResult<CostViews<'a>> {
    if costs.iter().all(|c| matches!(c, CostArray::F64(_))) {
        return Ok(CostViews::F64(
            costs
                .iter()
                .map(|c| match c {
                    CostArray::F64(a) => a.as_array(),
                    CostArray::F32(_) => unreachable!(),
                })
                .collect(),
        ));
    }
    if costs.iter().all(|c| matches!(c, CostArray::F32(_))) {
        return Ok(CostViews::F32(
            costs
                .iter()
                .map(|c| match c {
                    CostArray::F32(a) => a.as_array(),
                    CostArray::F64(_) => unreachable!(),
                })
                .collect(),
        ));
    }
    Err(PyTypeError::new_err(
        "the cost matrices mix float64 and float32; give them all one dtype",
    ))
}
