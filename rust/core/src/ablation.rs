//! The paper's brute-force unit importance: remove one unit, re-solve balanced soft matching
//! with uniform marginals on what is left, and record the score change, for every unit.
//!
//! The removals are independent and run in parallel. For square problems (`Nx = Ny = n`) each
//! one is solved exactly by a **single dense Dijkstra** instead of a fresh transport solve:
//!
//! * the full problem is an assignment; its optimal plan is a permutation `π` (scaled by `1/n`)
//!   with optimal duals `u, v` (reduced costs `c_kj - u_k - v_j >= 0`, zero on `π`);
//! * removing row `i` asks every other row to send `1/(n-1)` and every column to receive `1/n`.
//!   In units of `1/(n(n-1))`, the old plan restricted to the other rows sends `n - 1` units
//!   along `π` and satisfies complementary slackness with `u, v`; each row has one unit to spare
//!   and column `π(i)` lacks `n - 1`;
//! * one unit from every row along its shortest (reduced-cost) path to `π(i)` restores
//!   feasibility. The shortest paths form one tree rooted at `π(i)`, and a backward arc of `π`
//!   (capacity `n - 1`) carries at most `n - 2` units of it, so all of them can be sent at once.
//!   The result is feasible and complementary-slack with the updated potentials: optimal.
//!
//! A path from row `r` to `π(i)` costs its reduced length plus `u_r + v_π(i)`, so the new
//! optimal cost is `((n - 1)(n C* - c_iπ(i)) + Σ_r d(r)) / (n(n - 1))`. Removing a column is
//! the same on the transposed problem. Rectangular problems re-solve each removal with the
//! network simplex.

use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;

use crate::error::ParsmError;
use crate::monitor::Monitor;
use crate::transport::balanced_cost;
use crate::transport::{emd, TransportOptions};

/// Per-unit deltas of X (rows) and of Y (columns).
pub type Deltas = (Vec<f64>, Vec<f64>);

/// `score_without - score_full` (`score = 1 - cost`) for every unit of X (rows) and of Y
/// (columns), where `score_without` is balanced soft matching after removing that unit. NaN
/// where a side has a single unit. Parallel over the removed units.
pub fn ablation_deltas(cost: ArrayView2<f64>, monitor: &Monitor) -> Result<Deltas, ParsmError> {
    let (nx, ny) = cost.dim();
    monitor.set_total((nx + ny) as u64);
    if nx == ny && nx > 1 {
        if let Some(out) = square_ablation(cost, monitor)? {
            return Ok(out);
        }
    }
    let full = balanced_cost(cost, &monitor.child())?;
    let without = |axis: Axis, n: usize| -> Result<Vec<f64>, ParsmError> {
        (0..n)
            .into_par_iter()
            .map(|u| {
                if n == 1 {
                    return Ok(f64::NAN);
                }
                let keep: Vec<usize> = (0..n).filter(|&k| k != u).collect();
                let sub: Array2<f64> = cost.select(axis, &keep);
                let delta = full - balanced_cost(sub.view(), &monitor.child())?;
                monitor.advance(1);
                Ok(delta)
            })
            .collect()
    };
    Ok((without(Axis(0), nx)?, without(Axis(1), ny)?))
}

/// The Dijkstra shortcut for `n x n` problems; `None` if the solver's optimal plan is not a
/// permutation (it always is for a basic solution, so this is a guard, not a path).
fn square_ablation(cost: ArrayView2<f64>, monitor: &Monitor) -> Result<Option<Deltas>, ParsmError> {
    let n = cost.nrows();
    let w = vec![1.0 / n as f64; n];
    let inner = monitor.child();
    let options = TransportOptions {
        monitor: Some(&inner),
        ..Default::default()
    };
    let sol = emd(cost, &w, &w, options)?;
    let Some(pi) = permutation(&sol.plan) else {
        return Ok(None);
    };
    let mut inv = vec![0usize; n];
    for (k, &j) in pi.iter().enumerate() {
        inv[j] = k;
    }
    let c = cost.as_standard_layout();
    let rows = removal_deltas(c.view(), &sol.u[..n], &sol.v[..n], &pi, sol.cost, monitor)?;
    let ct = cost.t().as_standard_layout().to_owned();
    let cols = removal_deltas(ct.view(), &sol.v[..n], &sol.u[..n], &inv, sol.cost, monitor)?;
    Ok(Some((rows, cols)))
}

/// The row of every row's single positive entry, if `plan` is a scaled permutation.
fn permutation(plan: &Array2<f64>) -> Option<Vec<usize>> {
    let n = plan.nrows();
    let half = 0.5 / n as f64;
    let mut seen = vec![false; n];
    let mut pi = Vec::with_capacity(n);
    for row in plan.rows() {
        let mut hits = row.iter().enumerate().filter(|(_, &t)| t > half);
        let (j, _) = hits.next()?;
        if hits.next().is_some() || seen[j] {
            return None;
        }
        seen[j] = true;
        pi.push(j);
    }
    Some(pi)
}

/// `full - cost_without_row_i` for every row `i`, by one dense Dijkstra per row.
fn removal_deltas(
    c: ArrayView2<f64>,
    u: &[f64],
    v: &[f64],
    pi: &[usize],
    full: f64,
    monitor: &Monitor,
) -> Result<Vec<f64>, ParsmError> {
    let n = c.nrows();
    // Reduced costs stored column by column (`rc_t[j * n + r]` for row r, column j), so that the
    // Dijkstra relaxes contiguous memory; clamped at 0 against rounding in the duals.
    let rc_t: Vec<f64> = (0..n * n)
        .map(|e| {
            let (j, r) = (e / n, e % n);
            (c[[r, j]] - u[r] - v[j]).max(0.0)
        })
        .collect();
    let nf = n as f64;
    (0..n)
        .into_par_iter()
        .map(|i| {
            monitor.check()?;
            let t = pi[i];
            let sum_d = shortest_paths_to(&rc_t, pi, i, t);
            let sum_pot: f64 = (0..n).filter(|&r| r != i).map(|r| u[r] + v[t]).sum();
            let moved = (nf - 1.0) * (nf * full - c[[i, t]]) + sum_d + sum_pot;
            monitor.advance(1);
            Ok(full - moved / (nf * (nf - 1.0)))
        })
        .collect()
}

/// Sum over the rows `r != removed` of the reduced length of the shortest path from `r` to
/// column `t`, on forward arcs row -> column (reduced cost) and backward arcs `π(k) -> k` (0).
fn shortest_paths_to(rc_t: &[f64], pi: &[usize], removed: usize, t: usize) -> f64 {
    let n = pi.len();
    // dist[r]: the best known length from row r to t; rows already settled hold NaN, which
    // no comparison below can replace.
    let mut dist = rc_t[t * n..(t + 1) * n].to_vec();
    dist[removed] = f64::NAN;
    let mut total = 0.0;
    for _ in 1..n {
        let (mut k, mut d) = (usize::MAX, f64::INFINITY);
        for (r, &dr) in dist.iter().enumerate() {
            if dr < d {
                (k, d) = (r, dr);
            }
        }
        total += d;
        dist[k] = f64::NAN;
        // Row k is reached from its matched column π(k) at no cost: relax every row via π(k).
        let col = &rc_t[pi[k] * n..(pi[k] + 1) * n];
        for (dr, &c) in dist.iter_mut().zip(col) {
            let via = c + d;
            if via < *dr {
                *dr = via;
            }
        }
    }
    total
}
