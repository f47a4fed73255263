//! One pair of prepared populations at a given mass, solved as `pairwise` reports it: the cost
//! matrix, the mass path to `s`, the matched counts at `s` and (unless skipped) soft matching
//! priced by the path, in one call that hands back a few numbers and no matrix.
//!
//! ## Why one call
//! `pairwise` used to make five native calls a pair from Python (the cost matrix, the path,
//! the cost and the masses at `s`, soft matching), each releasing and taking back the GIL, and
//! built numpy arrays for the matrix and the masses. On pairs of 100 units and fewer a pair's
//! solves take tens of microseconds, so two worker threads spent their time handing the GIL
//! to each other: the bench's 40 populations of 30 units ran 10,200 pairs/s on one thread and
//! 3,300 on two. [`pairs_numbers`] solves a whole chunk of pairs in one call instead.
//!
//! ## The same numbers
//! Each step is the one the separate calls make, on the same costs in the same orientation:
//! the costs are computed the way round the path is solved ([`solves_transposed`]; the
//! smaller population as rows below a 1:2 ratio, the larger above), the cost at `s` is the
//! path's [`MassPath::evaluate`], the matched counts compare [`MassPath::masses_at`] with
//! `match_tol` of each unit's own mass, and soft matching is the path's own cost at `s = 1`
//! where it reaches that far, else [`soft_matching_cost_after`] on the costs widened to `f64`
//! ([`Cost::widened`]: no copy of `f64` costs).

use ndarray::Array2;
use rayon::prelude::*;

use crate::cost::{cost_matrix_between, PreparedPopulation};
use crate::error::ParsmError;
use crate::monitor::Monitor;
use crate::path::{solves_transposed, MassPath};
use crate::scalar::Cost;
use crate::transport::soft_matching_cost_after;

/// What `pairwise` reports of one pair at mass `s`, X's units first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairNumbers {
    /// The optimal cost of partial transport at `s`.
    pub cost: f64,
    /// How many units of X, and of Y, are matched at `s`: their matched mass exceeds
    /// `match_tol` of their own mass (`1/Nx`, `1/Ny`).
    pub matched: (usize, usize),
    /// The optimal cost of soft matching (`s = 1`), where asked for.
    pub soft_cost: Option<f64>,
}

/// The work of the path to `s` and of soft matching per cost, in multiply-adds of the product
/// kernel (a cost takes one a stimulus), roughly: on `bench_pairwise`'s pairs (about 500 x 500
/// over 300 stimuli, one thread) the cost matrix took 1.6 ms, the path 2.3 ms and soft
/// matching 2.6 ms. They weigh a pair's steps in its progress ([`step_weights`]) and its
/// share of a chunk ([`pair_work`]).
const PATH_WORK: u64 = 450;
const SOFT_WORK: u64 = 500;

/// The weights of a pair's three steps (the cost matrix, the path, soft matching) in its
/// progress, for `nx x ny` units over `m` stimuli: each step passes on its share as it goes
/// (the product kernel by row blocks, the path by mass; soft matching, which does not count
/// its pivots, when it ends).
pub fn step_weights(nx: usize, ny: usize, m: usize, with_soft: bool) -> [u64; 3] {
    let costs = nx as u64 * ny as u64;
    let soft = if with_soft { SOFT_WORK } else { 0 };
    [costs * m as u64, costs * PATH_WORK, costs * soft]
}

/// A fixed part of a pair's work (its set-up and a native call's share), in the units of
/// [`step_weights`]: about 30 µs.
const PAIR_SETUP_WORK: u64 = 2_000_000;

/// A pair's work in the units of [`step_weights`] (their sum, plus a fixed
/// `PAIR_SETUP_WORK`): what `pairwise` cuts its pairs into chunks of equal work by.
pub fn pair_work(nx: usize, ny: usize, m: usize, with_soft: bool) -> u64 {
    step_weights(nx, ny, m, with_soft).iter().sum::<u64>() + PAIR_SETUP_WORK
}

/// [`PairNumbers`] of X and Y (prepared for the same metric) at mass `s`, the cost matrix
/// stored as `T`; soft matching only where `with_soft`. Its progress on `monitor` counts
/// [`step_weights`] (set as its total). Stops with [`ParsmError::Interrupted`] once
/// `monitor` is cancelled.
pub fn pair_numbers<T: Cost>(
    x: &PreparedPopulation,
    y: &PreparedPopulation,
    s: f64,
    with_soft: bool,
    match_tol: f64,
    monitor: &Monitor,
) -> Result<PairNumbers, ParsmError> {
    let (nx, ny) = (x.dim().0, y.dim().0);
    let turned = nx > ny && solves_transposed(nx, ny);
    let (rows, cols) = if turned { (y, x) } else { (x, y) };
    let [w_cost, w_path, w_soft] = step_weights(nx, ny, x.dim().1, with_soft);
    monitor.set_total(w_cost + w_path + w_soft);
    let c: Array2<T> = cost_matrix_between(rows, cols, &monitor.part(w_cost))?;
    let step = monitor.part(w_path);
    let path = MassPath::solve_monitored(c.view(), s, &step)?;
    step.finish();
    let step = monitor.part(w_soft);
    // Where the path reaches s = 1 it holds soft matching too: both costs in one evaluation
    // (each evaluation checks the costs again), the same bits as one at a time.
    let soft_from_path = with_soft && path.s_max() >= 1.0;
    let at = if soft_from_path {
        vec![s, 1.0]
    } else {
        vec![s]
    };
    let costs = path.evaluate(c.view(), &at)?;
    let cost = costs[0];
    let (rows_matched, cols_matched) = path.matched_at(s, match_tol)?;
    let matched = if turned {
        (cols_matched, rows_matched)
    } else {
        (rows_matched, cols_matched)
    };
    let soft_cost = if !with_soft {
        None
    } else if soft_from_path {
        Some(costs[1])
    } else {
        let wide = T::widened(c.view());
        Some(soft_matching_cost_after(wide.view(), &path, Some(&step))?)
    };
    step.finish();
    Ok(PairNumbers {
        cost,
        matched,
        soft_cost,
    })
}

/// Whether [`pairs_numbers`] of `pairs` is worth more than one thread: several pairs to
/// share, or one whose cost matrix is ([`crate::cost::worth_threads`]).
pub fn worth_threads(populations: &[&PreparedPopulation], pairs: &[(usize, usize)]) -> bool {
    pairs.len() > 1
        || pairs
            .iter()
            .any(|&(i, j)| match (populations.get(i), populations.get(j)) {
                (Some(a), Some(b)) => crate::cost::worth_threads(a.dim().0, b.dim().0, a.dim().1),
                _ => false,
            })
}

/// [`pair_numbers`] of each pair `(i, j)` of `populations` (X is `populations[i]`), in order.
/// The pairs are shared among the threads of the pool this runs in (see
/// [`crate::threads::with_threads`]), one pair a thread at a time, so that each thread holds
/// one pair's cost matrix; each pair is solved on one thread, so the numbers do not depend on
/// the pool. Its progress on `monitor` counts each pair's [`step_weights`] as that pair goes.
/// An index out of range is a [`ParsmError::ShapeMismatch`].
pub fn pairs_numbers<T: Cost>(
    populations: &[&PreparedPopulation],
    pairs: &[(usize, usize)],
    s: f64,
    with_soft: bool,
    match_tol: f64,
    monitor: &Monitor,
) -> Result<Vec<PairNumbers>, ParsmError> {
    let n = populations.len();
    if let Some(&(i, j)) = pairs.iter().find(|&&(i, j)| i >= n || j >= n) {
        return Err(ParsmError::ShapeMismatch {
            what: "a pair's population index",
            got: (i, j),
            expected: (n, n),
        });
    }
    let weight = |&(i, j): &(usize, usize)| {
        let (x, y) = (populations[i].dim(), populations[j].dim());
        step_weights(x.0, y.0, x.1, with_soft).iter().sum::<u64>()
    };
    monitor.set_total(pairs.iter().map(weight).sum());
    pairs
        .par_iter()
        .map(|pair| {
            monitor.check()?;
            let part = monitor.part(weight(pair));
            let (x, y) = (populations[pair.0], populations[pair.1]);
            let numbers = pair_numbers::<T>(x, y, s, with_soft, match_tol, &part)?;
            part.finish();
            Ok(numbers)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::Metric;
    use ndarray::Array2;

    /// Responses (stimuli x units) of `n` units: a shared signal in the first half, noise.
    fn responses(m: usize, n: usize, seed: u64) -> Array2<f64> {
        let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) - 0.5
        };
        let shared: Vec<f64> = (0..m).map(|_| next()).collect();
        Array2::from_shape_fn((m, n), |(k, j)| {
            let noise = next();
            if j < n / 2 {
                shared[k] + 0.3 * noise
            } else {
                noise
            }
        })
    }

    fn prepared(m: usize, n: usize, seed: u64) -> PreparedPopulation {
        PreparedPopulation::new(responses(m, n, seed).view(), Metric::Correlation).unwrap()
    }

    /// The numbers from the separate steps, in the orientation given (no turning).
    fn stepwise<T: Cost>(
        x: &PreparedPopulation,
        y: &PreparedPopulation,
        s: f64,
        tol: f64,
    ) -> (f64, usize, usize, f64) {
        let m = Monitor::new();
        let c: Array2<T> = cost_matrix_between(x, y, &m).unwrap();
        let path = MassPath::solve(c.view(), s).unwrap();
        let cost = path.evaluate(c.view(), &[s]).unwrap()[0];
        let (r, k) = path.masses_at(s).unwrap();
        let count = |v: &[f64]| v.iter().filter(|&&a| a > tol / v.len() as f64).count();
        let wide = c.mapv(Cost::get);
        let full = MassPath::solve(wide.view(), 1.0).unwrap();
        let soft = full.evaluate(wide.view(), &[1.0]).unwrap()[0];
        (cost, count(&r), count(&k), soft)
    }

    #[test]
    fn a_pair_gets_the_separate_steps_numbers_either_way_round() {
        // Ratios 1:1.25 (the smaller side as rows), 1:2.5 (the larger as rows) and square.
        for &(nx, ny) in &[(40, 50), (50, 40), (20, 50), (50, 20), (30, 30)] {
            let (x, y) = (prepared(60, nx, 1), prepared(60, ny, 2));
            for &s in &[0.0, 0.3, 0.7, 1.0] {
                let got = pair_numbers::<f64>(&x, &y, s, true, 1e-9, &Monitor::new()).unwrap();
                let (cost, mx, my, soft) = stepwise::<f64>(&x, &y, s, 1e-9);
                assert!((got.cost - cost).abs() <= 1e-12, "{nx}x{ny} s={s}");
                assert_eq!(got.matched, (mx, my), "{nx}x{ny} s={s}");
                assert!((got.soft_cost.unwrap() - soft).abs() <= 1e-12, "{nx}x{ny}");
                // Turned round, the same pair: the same costs, the counts swapped.
                let back = pair_numbers::<f64>(&y, &x, s, true, 1e-9, &Monitor::new()).unwrap();
                assert_eq!(back.cost, got.cost);
                assert_eq!(back.matched, (got.matched.1, got.matched.0));
            }
        }
    }

    /// A pair's work is its steps' weights and a fixed part: the product kernel by the
    /// stimuli, the path and soft matching by the costs, soft matching only where solved.
    #[test]
    fn a_pairs_work_weighs_its_steps() {
        assert_eq!(step_weights(10, 20, 30, true), [6_000, 90_000, 100_000]);
        assert_eq!(step_weights(10, 20, 30, false), [6_000, 90_000, 0]);
        assert_eq!(pair_work(10, 20, 30, true), 196_000 + PAIR_SETUP_WORK);
        assert_eq!(pair_work(20, 10, 30, false), 96_000 + PAIR_SETUP_WORK);
    }

    #[test]
    fn float32_costs_and_soft_matching_skipped() {
        let (x, y) = (prepared(40, 30, 3), prepared(40, 45, 4));
        let got = pair_numbers::<f32>(&x, &y, 0.5, true, 1e-9, &Monitor::new()).unwrap();
        let (cost, mx, my, soft) = stepwise::<f32>(&x, &y, 0.5, 1e-9);
        assert!((got.cost - cost).abs() <= 1e-12);
        assert_eq!(got.matched, (mx, my));
        assert!((got.soft_cost.unwrap() - soft).abs() <= 1e-12);
        let without = pair_numbers::<f32>(&x, &y, 0.5, false, 1e-9, &Monitor::new()).unwrap();
        assert_eq!((without.cost, without.matched), (got.cost, got.matched));
        assert_eq!(without.soft_cost, None);
    }

    #[test]
    fn pairs_in_order_bad_indices_and_cancellation() {
        let pops: Vec<PreparedPopulation> =
            (0..3).map(|k| prepared(30, 20 + 5 * k, k as u64)).collect();
        let refs: Vec<&PreparedPopulation> = pops.iter().collect();
        let pairs = [(0, 1), (2, 0), (1, 2)];
        let m = Monitor::new();
        let all = pairs_numbers::<f64>(&refs, &pairs, 0.4, true, 1e-9, &m).unwrap();
        for (k, &(i, j)) in pairs.iter().enumerate() {
            let one = pair_numbers::<f64>(refs[i], refs[j], 0.4, true, 1e-9, &m).unwrap();
            assert_eq!(all[k], one);
        }
        // Shared among threads: the same numbers in the same order.
        for threads in [2, 3] {
            let shared = crate::threads::with_threads(Some(threads), || {
                pairs_numbers::<f64>(&refs, &pairs, 0.4, true, 1e-9, &m)
            })
            .unwrap()
            .unwrap();
            assert_eq!(shared, all);
        }
        let err = pairs_numbers::<f64>(&refs, &[(0, 3)], 0.4, true, 1e-9, &m).unwrap_err();
        assert!(
            matches!(err, ParsmError::ShapeMismatch { got: (0, 3), .. }),
            "{err}"
        );
        assert!(worth_threads(&refs, &pairs) && !worth_threads(&refs, &pairs[..1]));
        let stopped = Monitor::new();
        stopped.cancel();
        let err = pairs_numbers::<f64>(&refs, &pairs, 0.4, true, 1e-9, &stopped).unwrap_err();
        assert!(matches!(err, ParsmError::Interrupted), "{err}");
    }

    /// A chunk's progress moves inside its pairs: the cost matrix by row blocks and the path
    /// by mass pass on their shares before soft matching ends, the watcher sees it rise and
    /// never fall, and it ends at the total of the pairs' step weights, on one thread or two
    /// (two pairs on two threads interleave their steps: there, progress within the pairs).
    #[test]
    fn progress_moves_inside_a_pair_and_ends_at_the_total() {
        use std::sync::{Arc, Mutex};
        use std::time::Duration;
        let pops: Vec<PreparedPopulation> = (0..3)
            .map(|k| prepared(40, 150 + 30 * k, k as u64))
            .collect();
        let refs: Vec<&PreparedPopulation> = pops.iter().collect();
        let total: u64 = [(0, 1), (1, 2)]
            .iter()
            .map(|&(i, j)| {
                let (x, y) = (refs[i].dim(), refs[j].dim());
                step_weights(x.0, y.0, x.1, true).iter().sum::<u64>()
            })
            .sum();
        for threads in [1, 2] {
            for pairs in [&[(0, 1)][..], &[(0, 1), (1, 2)][..]] {
                let seen = Arc::new(Mutex::new(Vec::new()));
                let log = Arc::clone(&seen);
                let hook: crate::Watcher = Arc::new(move |m: &Monitor| {
                    log.lock().unwrap().push(m.progress());
                });
                let m = Monitor::watched(Duration::ZERO, hook);
                crate::threads::with_threads(Some(threads), || {
                    pairs_numbers::<f64>(&refs, pairs, 0.6, true, 1e-9, &m)
                })
                .unwrap()
                .unwrap();
                let seen = seen.lock().unwrap();
                let (x, y) = (refs[0].dim(), refs[1].dim());
                let first = step_weights(x.0, y.0, x.1, true);
                let whole = if pairs.len() == 1 {
                    first.iter().sum()
                } else {
                    total
                };
                assert_eq!(m.progress(), (whole, whole));
                assert!(seen.iter().all(|&(_, t)| t == whole));
                assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "{seen:?}");
                let inside = |lo: u64, hi: u64| seen.iter().any(|&(d, _)| lo < d && d < hi);
                if threads == 2 && pairs.len() == 2 {
                    // Both pairs at once: their steps interleave (both cost matrices may end
                    // before the watcher looks), but progress still moves within the pairs,
                    // not only at their ends.
                    let one = first.iter().sum::<u64>();
                    let ends = [one, whole - one, whole];
                    let within = seen.iter().filter(|&&(d, _)| d > 0 && !ends.contains(&d));
                    assert!(within.count() > 2, "{seen:?}");
                    continue;
                }
                // Past the cost matrix and into the path before the first pair's end.
                assert!(inside(0, first[0] + 1), "{seen:?}");
                assert!(
                    inside(first[0], first[0] + first[1]),
                    "no progress within the path: {seen:?}"
                );
            }
        }
    }
}
