//! Independent solves run in parallel with rayon: the network simplex over a grid of masses,
//! and balanced soft matching on many sub-populations (the keep-score curve of a ranking).
//!
//! Each task writes only its own output slot, so results do not depend on the thread count.

use ndarray::{ArrayView2, Axis};
use rayon::prelude::*;

use crate::error::ParsmError;
use crate::monitor::Monitor;
use crate::path::MassPath;
use crate::simplex::SolveStatus;
use crate::transport::balanced_cost;
use crate::transport::{partial, TransportOptions};

/// `(cost, other)` at every mass of `grid`: the optimal partial cost with uniform marginals,
/// and `⟨T(s), other⟩` for the same plan when `other` is given (else NaN). Runs the network
/// simplex once per grid point, in parallel.
pub fn partial_sweep(
    cost: ArrayView2<f64>,
    grid: &[f64],
    other: Option<ArrayView2<f64>>,
    monitor: &Monitor,
) -> Result<Vec<(f64, f64)>, ParsmError> {
    monitor.set_total(grid.len() as u64);
    let (a, b) = crate::transport::uniform_marginals(cost.dim());
    let c = cost.as_standard_layout();
    grid.par_iter()
        .map(|&s| {
            if !(0.0..=1.0).contains(&s) {
                return Err(ParsmError::MassOutOfRange(s));
            }
            let inner = monitor.child();
            let options = TransportOptions {
                monitor: Some(&inner),
                ..Default::default()
            };
            let sol = partial(c.view(), &a, &b, s, options)?;
            if sol.status != SolveStatus::Optimal {
                return Err(ParsmError::Uncertified(format!(
                    "partial transport at s = {s} ended with status {:?}",
                    sol.status
                )));
            }
            let o = other.map_or(f64::NAN, |m| (&sol.plan * &m).sum());
            monitor.advance(1);
            Ok((sol.cost, o))
        })
        .collect()
}

/// Balanced soft-matching cost (uniform marginals) of every sub-population pair
/// `(rows, cols)` of `subsets`, in parallel: the keep-score curve of a ranking. An empty subset
/// gives NaN; indices must be in range.
pub fn subset_costs(
    cost: ArrayView2<f64>,
    subsets: &[(Vec<usize>, Vec<usize>)],
    monitor: &Monitor,
) -> Result<Vec<f64>, ParsmError> {
    let (nx, ny) = cost.dim();
    monitor.set_total(subsets.len() as u64);
    subsets
        .par_iter()
        .map(|(rows, cols)| {
            if rows.is_empty() || cols.is_empty() {
                return Ok(f64::NAN);
            }
            if let Some(&i) = rows.iter().find(|&&i| i >= nx) {
                return Err(ParsmError::IndexOutOfRange { index: i, len: nx });
            }
            if let Some(&j) = cols.iter().find(|&&j| j >= ny) {
                return Err(ParsmError::IndexOutOfRange { index: j, len: ny });
            }
            let sub = cost.select(Axis(0), rows).select(Axis(1), cols);
            let out = balanced_cost(sub.view(), &monitor.child());
            monitor.advance(1);
            out
        })
        .collect()
}

/// Cost entries (summed over the matrices) below which [`mass_paths`] is not worth handing to
/// other threads. Measured (a Python call, median of 30, five paths to s = 1 of uniform random
/// costs): 5 x 20 x 25 took 238 µs on all cores against 156 µs on the calling thread, 5 x 60 x
/// 60 703 µs against 740 µs, 5 x 100 x 100 1.9 ms against 2.4 ms.
const MIN_PARALLEL_ENTRIES: usize = 15_000;

/// Whether the mass paths of cost matrices of these shapes are worth solving on several
/// threads: more than one path, and enough entries to pay for waking the threads (see
/// `MIN_PARALLEL_ENTRIES`). Results are the same either way.
pub fn paths_worth_threads(shapes: impl IntoIterator<Item = (usize, usize)>) -> bool {
    let (count, entries) = shapes
        .into_iter()
        .fold((0usize, 0usize), |(k, e), (nx, ny)| {
            (k + 1, e.saturating_add(nx.saturating_mul(ny)))
        });
    count > 1 && entries >= MIN_PARALLEL_ENTRIES
}

/// Progress units of one path of [`mass_paths`]: each passes on its progress as it goes.
const PATH_UNITS: u64 = 1_000_000;

/// The mass path of every cost matrix in `costs`, up to `s_max`, solved in parallel (one
/// path per task; each solve is sequential): the cross-validation folds of an L-curve. Its
/// progress counts [`PATH_UNITS`] a path, each path's moving as it goes.
pub fn mass_paths<T: crate::scalar::Cost>(
    costs: &[ArrayView2<T>],
    s_max: f64,
    monitor: &Monitor,
) -> Result<Vec<MassPath>, ParsmError> {
    monitor.set_total(costs.len() as u64 * PATH_UNITS);
    costs
        .par_iter()
        .map(|c| {
            let part = monitor.part(PATH_UNITS);
            let path = MassPath::solve_monitored(c.view(), s_max, &part)?;
            part.finish();
            Ok(path)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use ndarray::Array2;

    use super::*;
    use crate::monitor::Watcher;

    fn costs(n: usize, seed: usize) -> Array2<f64> {
        Array2::from_shape_fn((n, n + 9), |(i, j)| {
            ((i * 7919 + j * 104_729 + seed * 31) % 1009) as f64 / 1009.0
        })
    }

    /// On one thread under a watched monitor (how the bindings run a serial sweep), the
    /// paths call the hook while they run, with the sweep's progress moving inside each
    /// path, and a cancel from the hook stops the sweep within its path.
    #[test]
    fn serial_paths_report_and_stop_from_inside() {
        let (a, b) = (costs(120, 1), costs(120, 2));
        let views = [a.view(), b.view()];
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let hook: Watcher = Arc::new(move |m: &Monitor| log.lock().unwrap().push(m.progress()));
        let monitor = Monitor::watched(Duration::ZERO, hook);
        let paths = crate::threads::with_threads(Some(1), || mass_paths(&views, 1.0, &monitor))
            .unwrap()
            .unwrap();
        assert_eq!(monitor.progress(), (2 * PATH_UNITS, 2 * PATH_UNITS));
        let seen = seen.lock().unwrap();
        assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0));
        assert!(
            seen.iter().any(|&(d, _)| 0 < d && d < PATH_UNITS),
            "{seen:?}"
        );
        assert!(
            seen.iter()
                .any(|&(d, _)| PATH_UNITS < d && d < 2 * PATH_UNITS),
            "{seen:?}"
        );
        let plain = MassPath::solve(a.view(), 1.0).unwrap();
        assert_eq!(paths[0].slopes(), plain.slopes());

        let stop: Watcher = Arc::new(|m: &Monitor| m.cancel());
        let monitor = Monitor::watched(Duration::ZERO, stop);
        let stopped =
            crate::threads::with_threads(Some(1), || mass_paths(&views, 1.0, &monitor)).unwrap();
        assert!(matches!(stopped, Err(ParsmError::Interrupted)));
    }
}
