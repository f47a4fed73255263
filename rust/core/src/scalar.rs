//! The element types a cost matrix may be stored in.
//!
//! `f64` is the default. `f32` halves the memory of an `Nx x Ny` matrix (1.6 GB instead of
//! 3.2 GB at 20,000 units a side) and the memory traffic of the solvers that stream it. The
//! solvers read each stored value, widen it to `f64` (exactly) and do all arithmetic in `f64`,
//! so their results are exact optimal solutions **for the stored f32 costs**; those costs differ
//! from the f64 ones by a relative 6e-8 at most.

use ndarray::{ArrayView2, CowArray, Ix2};

/// A cost matrix element: `f64` or `f32`.
pub trait Cost: Copy + Send + Sync + PartialOrd + std::fmt::Debug + 'static {
    /// Bytes per element.
    const BYTES: usize;
    /// numpy's name of the type.
    const NAME: &'static str;
    /// The value, widened exactly to `f64`.
    fn get(self) -> f64;
    /// The nearest value of this type.
    fn from_f64(v: f64) -> Self;
    /// The costs as `f64`, for the solvers that read only `f64`: the view itself for `f64`,
    /// a widened copy (exact) for `f32`.
    fn widened(costs: ArrayView2<'_, Self>) -> CowArray<'_, f64, Ix2>;
}

impl Cost for f64 {
    const BYTES: usize = 8;
    const NAME: &'static str = "float64";
    #[inline(always)]
    fn get(self) -> f64 {
        self
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v
    }
    fn widened(costs: ArrayView2<'_, Self>) -> CowArray<'_, f64, Ix2> {
        costs.into()
    }
}

impl Cost for f32 {
    const BYTES: usize = 4;
    const NAME: &'static str = "float32";
    #[inline(always)]
    fn get(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v as f32
    }
    fn widened(costs: ArrayView2<'_, Self>) -> CowArray<'_, f64, Ix2> {
        costs.mapv(f64::from).into()
    }
}
