//! Independent solves run in parallel with rayon: the network simplex over a grid of masses,
//! and the brute-force unit ablation of the paper's ranking.
//!
//! Each task writes only its own output slot, so results do not depend on the thread count.

use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;

use crate::error::ParsmError;
use crate::simplex::SolveStatus;
use crate::transport::{emd, partial, TransportOptions};

/// `(cost, other)` at every mass of `grid`: the optimal partial cost with uniform marginals,
/// and `⟨T(s), other⟩` for the same plan when `other` is given (else NaN). Runs the network
/// simplex once per grid point, in parallel.
pub fn partial_sweep(
    cost: ArrayView2<f64>,
    grid: &[f64],
    other: Option<ArrayView2<f64>>,
) -> Result<Vec<(f64, f64)>, ParsmError> {
    let (nx, ny) = cost.dim();
    let a = vec![1.0 / nx as f64; nx];
    let b = vec![1.0 / ny as f64; ny];
    let c = cost.as_standard_layout();
    grid.par_iter()
        .map(|&s| {
            if !(0.0..=1.0).contains(&s) {
                return Err(ParsmError::MassOutOfRange(s));
            }
            let sol = partial(c.view(), &a, &b, s, TransportOptions::default())?;
            debug_assert_eq!(sol.status, SolveStatus::Optimal);
            let o = other.map_or(f64::NAN, |m| (&sol.plan * &m).sum());
            Ok((sol.cost, o))
        })
        .collect()
}

/// The paper's brute-force importance of every unit: remove it, re-solve balanced soft matching
/// with uniform marginals, and return `score_without - score_full` (`score = 1 - cost`), for
/// the units of X (rows) and of Y (columns). NaN where a side has a single unit. Parallel over
/// the removed units.
pub fn ablation_deltas(cost: ArrayView2<f64>) -> Result<(Vec<f64>, Vec<f64>), ParsmError> {
    let (nx, ny) = cost.dim();
    let balanced = |c: ArrayView2<f64>| -> Result<f64, ParsmError> {
        let (r, k) = c.dim();
        let sol = emd(
            c,
            &vec![1.0 / r as f64; r],
            &vec![1.0 / k as f64; k],
            TransportOptions::default(),
        )?;
        Ok(sol.cost)
    };
    let full = balanced(cost)?;
    let without = |axis: Axis, n: usize| -> Result<Vec<f64>, ParsmError> {
        (0..n)
            .into_par_iter()
            .map(|u| {
                if n == 1 {
                    return Ok(f64::NAN);
                }
                let keep: Vec<usize> = (0..n).filter(|&k| k != u).collect();
                let sub: Array2<f64> = cost.select(axis, &keep);
                Ok(full - balanced(sub.view())?)
            })
            .collect()
    };
    Ok((without(Axis(0), nx)?, without(Axis(1), ny)?))
}
