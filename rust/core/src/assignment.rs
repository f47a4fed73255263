//! Exact dense linear assignment: square soft matching (`Nx = Ny`, uniform marginals, s = 1).
//!
//! With `n` units on each side and masses `1/n`, the transport polytope is the Birkhoff
//! polytope scaled by `1/n`, whose vertices are permutations, so balanced soft matching is an
//! assignment problem. It is solved with Jonker and Volgenant's method (Computing 38, 1987):
//!
//! 1. **column reduction**: `v_j = min_i C_ij`, and each column is given to its cheapest row when
//!    that row is still free;
//! 2. **reduction transfer**: a row that got exactly one column lowers that column's price by its
//!    slack to the second cheapest column, so the row stays tight with room to spare;
//! 3. **augmenting row reduction** (two passes): a free row takes its cheapest column at the
//!    price of its second cheapest, evicting the previous owner, which tries in turn (an
//!    auction step with increment `u2 - u1`); cheap, and it assigns most rows;
//! 4. **shortest augmenting paths** for the rows still free: Dijkstra from the row on the
//!    reduced costs `C_ij - u_i - v_j >= 0`, one dense pass per labeled row that relaxes and
//!    finds the next column at once, then the dual update that keeps every assigned row tight.
//!    Among columns at the minimum distance a free one is taken first, which ends a search at
//!    once on tied costs instead of after labeling every tied column.
//!
//! Throughout, every assigned row's column minimises `C_ij - v_j` over `j` (prices only fall), so
//! the duals `u_i = C_{i,σ(i)} - v_{σ(i)}` are feasible and complementary to the final
//! permutation: the result is optimal, and [`Assignment::certify`] checks it (dual feasibility
//! to a tolerance relative to the magnitudes of `C`, `u` and `v`) before it is reported.
//!
//! **Candidate arcs** (from `n = 256`). Steps 3 and 4 cost a pass over a row per step, and on
//! near-tied data most rows are reached by most searches, so a search costs a pass over most
//! of the matrix. From step 3 on, each row instead looks only at its `k = 32` cheapest reduced
//! costs `C_ij - v_j` (listed when the row is first reached, ties spread by a row-dependent
//! offset), and the searches use a binary heap. The invariant then holds on listed arcs only,
//! which is all the searches need. After all rows are placed, one dense pass compares each
//! row's column with the minimum of its whole row: a row that some unlisted arc undercuts is
//! freed, its list is rebuilt twice as long from the current prices, and the searches run again
//! for the freed rows. When no row is undercut, the invariant holds on every arc and the result
//! is optimal, as above. A search that runs out of listed arcs widens the lists of the rows it
//! reached (freeing any that a longer list shows undercut) and runs again. When such searches
//! have together reached more than `n` columns (costs of very low rank, where all rows list the
//! same few columns), or after 8 rounds, the rows that are undercut are freed and steps 3 and 4
//! finish densely: the invariant holds on every arc again, so the answer is exact in every case. Measured at n = 4,000 (sparse latent
//! tuning, 200 stimuli), the solve went from 1.45 s to 0.31 s: about 94 rows are left after
//! step 3, 450 are undercut after the first round, 13 after the second and none after the third.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use crate::error::ParsmError;
use crate::monitor::Monitor;
use crate::select::k_smallest;
use crate::sum::Neumaier;

const FREE: usize = usize::MAX;

/// Augmenting-row-reduction steps allowed per initially free row, per pass. Each step costs one
/// pass over a row; each row it leaves costs a shortest-path search, which grows to a pass over
/// most of the matrix as free columns run out. Measured (whole solve, s, with 32 / 64 / 128
/// steps; 200 stimuli): n = 4,000 sparse latent tuning 1.57 / 1.26 / 1.33, planted
/// correlations 0.41 / 0.41 / 0.58, independent noise 0.93 / 0.85 / 1.04, von Mises cosine
/// 1.88 / 2.26 / 2.24; n = 6,000 planted 1.13 / 1.09 / 1.24, noise 2.37 / 2.16 / 2.21.
/// Unbounded (JV's original) took 2.3 s on noise at 4,000: near-ties make the auction crawl.
const ARR_STEPS_PER_ROW: usize = 64;

/// Candidate arcs a row starts with in the sparse phase: its cheapest reduced costs.
const CANDIDATES_PER_ROW: usize = 32;
/// The sparse phase pays for its lists and checks from this size on.
const CANDIDATE_MIN_N: usize = 256;
/// Rounds of (sparse searches, dense check) before the dense searches take over.
const CANDIDATE_ROUNDS: usize = 8;

/// An optimal permutation with its duals: `u_i + v_j <= C_ij`, with equality on `(i, σ(i))`.
#[derive(Debug, Clone)]
pub struct Assignment {
    /// `col_of_row[i] = σ(i)`.
    pub col_of_row: Vec<usize>,
    /// Row duals.
    pub u: Vec<f64>,
    /// Column duals.
    pub v: Vec<f64>,
    /// `Σ_i C_{i,σ(i)}` (not divided by `n`).
    pub total_cost: f64,
}

/// Solves the `n x n` assignment problem on the row-major costs `c` exactly.
///
/// The costs must be finite (the callers check). Checks `monitor` for cancellation between
/// rows and inside long searches.
pub fn solve_assignment(c: &[f64], n: usize, monitor: &Monitor) -> Result<Assignment, ParsmError> {
    solve_tuned(c, n, monitor, Tuning::DEFAULT)
}

/// Where the sparse phase starts and how long its lists start (tests force both).
#[derive(Debug, Clone, Copy)]
struct Tuning {
    candidate_min_n: usize,
    candidates_per_row: usize,
}

impl Tuning {
    const DEFAULT: Tuning = Tuning {
        candidate_min_n: CANDIDATE_MIN_N,
        candidates_per_row: CANDIDATES_PER_ROW,
    };
}

fn solve_tuned(
    c: &[f64],
    n: usize,
    monitor: &Monitor,
    tuning: Tuning,
) -> Result<Assignment, ParsmError> {
    assert_eq!(c.len(), n * n, "cost matrix must be n x n");
    let mut s = Lap::new(c, n);
    s.column_reduction();
    let mut free = s.reduction_transfer();
    monitor.set_total(n as u64);
    monitor.set_done((n - free.len()) as u64);
    if n >= tuning.candidate_min_n {
        free = s.augment_on_candidates(free, tuning.candidates_per_row, monitor)?;
        if !free.is_empty() {
            // The candidate graph could not finish: make every row's column its cheapest over
            // the whole row again, and place the rows left as the dense solver does.
            let tol = s.tolerance();
            free.extend(s.free_priced_out_rows(tol, monitor)?);
            for _ in 0..2 {
                if free.is_empty() {
                    break;
                }
                free = s.augmenting_row_reduction(free, None);
            }
        }
    } else {
        for _ in 0..2 {
            if free.is_empty() {
                break;
            }
            free = s.augmenting_row_reduction(free, None);
        }
    }
    monitor.set_done((n - free.len()) as u64);
    for &row in &free {
        monitor.check()?;
        s.augment(row, monitor)?;
        monitor.advance(1);
    }
    let a = s.finish();
    a.certify(c, n)?;
    Ok(a)
}

struct Lap<'a> {
    c: &'a [f64],
    n: usize,
    col_of_row: Vec<usize>,
    row_of_col: Vec<usize>,
    v: Vec<f64>,
    // Dijkstra scratch: tentative distance of each column (NaN once labeled) and its predecessor.
    key: Vec<f64>,
    pred: Vec<u32>,
    labeled_cols: Vec<usize>,
    labeled_dist: Vec<f64>,
    // max |C_ij|, computed once when first needed.
    c_max: f64,
}

impl<'a> Lap<'a> {
    fn new(c: &'a [f64], n: usize) -> Self {
        Lap {
            c,
            n,
            col_of_row: vec![FREE; n],
            row_of_col: vec![FREE; n],
            v: vec![0.0; n],
            key: vec![f64::INFINITY; n],
            pred: vec![0; n],
            labeled_cols: Vec::new(),
            labeled_dist: Vec::new(),
            c_max: f64::NAN,
        }
    }

    #[inline]
    fn row(&self, i: usize) -> &'a [f64] {
        &self.c[i * self.n..(i + 1) * self.n]
    }

    /// `v_j = min_i C_ij`; column `j` goes to its argmin row if that row has no column yet.
    fn column_reduction(&mut self) {
        let n = self.n;
        let mut arg = vec![0usize; n];
        let first = self.row(0);
        self.v.copy_from_slice(first);
        for i in 1..n {
            let row = self.row(i);
            for j in 0..n {
                if row[j] < self.v[j] {
                    self.v[j] = row[j];
                    arg[j] = i;
                }
            }
        }
        for j in (0..n).rev() {
            let i = arg[j];
            if self.col_of_row[i] == FREE {
                self.col_of_row[i] = j;
                self.row_of_col[j] = i;
            }
        }
    }

    /// Lowers the price of each singly assigned column by its row's slack to the second best
    /// column; returns the free rows.
    fn reduction_transfer(&mut self) -> Vec<usize> {
        let mut free = Vec::new();
        for i in 0..self.n {
            let j1 = self.col_of_row[i];
            if j1 == FREE {
                free.push(i);
                continue;
            }
            let row = self.row(i);
            let mut m = f64::INFINITY;
            for (j, (&cij, &vj)) in row.iter().zip(&self.v).enumerate() {
                if j != j1 {
                    m = m.min(cij - vj);
                }
            }
            if m.is_finite() {
                // Row i stays tight on j1: C_ij1 - v_j1 = m after the transfer, <= any other.
                self.v[j1] = row[j1] - m.max(0.0);
            }
        }
        free
    }

    /// Cheapest and second cheapest reduced cost `C_ij - v_j` of row `i`: `(u1, j1, u2, j2)`.
    fn two_best(&self, i: usize) -> (f64, usize, f64, usize) {
        two_best_in(self.row(i), &self.v, 0..self.n)
    }

    /// [`Lap::two_best`] over the columns `cols` of row `i` only. A list of one column has no
    /// known second best: it is reported as a tie with itself, so that no price moves.
    fn two_best_of(&self, i: usize, cols: &[u32]) -> (f64, usize, f64, usize) {
        if let [j] = cols {
            let j = *j as usize;
            let h = self.row(i)[j] - self.v[j];
            return (h, j, h, j);
        }
        two_best_in(self.row(i), &self.v, cols.iter().map(|&j| j as usize))
    }

    /// One pass of augmenting row reduction over `free`; returns the rows still free. Bounded
    /// to a fixed number of steps per row, so that near-ties (`u2 - u1` tiny) cannot make it
    /// crawl: the shortest-path phase finishes whatever is left, exactly.
    fn augmenting_row_reduction(
        &mut self,
        free: Vec<usize>,
        mut cand: Option<&mut Candidates>,
    ) -> Vec<usize> {
        let mut still_free = Vec::new();
        let budget = ARR_STEPS_PER_ROW * free.len() + 16;
        let mut steps = 0usize;
        let mut queue: VecDeque<usize> = free.into();
        while let Some(i) = queue.pop_front() {
            if steps >= budget {
                still_free.push(i);
                continue;
            }
            steps += 1;
            let (u1, mut j1, u2, j2) = match cand.as_deref_mut() {
                Some(cand) => {
                    cand.ensure(self, i);
                    self.two_best_of(i, &cand.cols[i])
                }
                None => self.two_best(i),
            };
            let mut i0 = self.row_of_col[j1];
            if u1 < u2 {
                // Row i stays tight on j1 at the new price: C_ij1 - v_j1 = u2 <= any other.
                self.v[j1] -= u2 - u1;
            } else if i0 != FREE {
                // A tie: take the second column instead, to avoid a useless eviction.
                j1 = j2;
                i0 = self.row_of_col[j1];
            }
            if i0 != FREE {
                self.col_of_row[i0] = FREE;
                if u1 < u2 {
                    queue.push_front(i0);
                } else {
                    queue.push_back(i0);
                }
            }
            self.col_of_row[i] = j1;
            self.row_of_col[j1] = i;
        }
        still_free
    }

    /// Shortest augmenting path from the free row `start`, then the dual update and the flip.
    fn augment(&mut self, start: usize, monitor: &Monitor) -> Result<(), ParsmError> {
        let n = self.n;
        self.key.fill(f64::INFINITY);
        self.labeled_cols.clear();
        self.labeled_dist.clear();
        // u of an assigned row: C_{i,σ(i)} - v_{σ(i)}; u of the start row is 0 here (its row
        // minimum is added back when the distances are turned into prices below).
        // Free columns, to prefer one among the columns at the minimum distance: with tied
        // costs that ends a search at once instead of labeling every tied column first.
        let free_cols: Vec<usize> = (0..n).filter(|&j| self.row_of_col[j] == FREE).collect();
        let mut i = start;
        let mut d_i = 0.0f64;
        let mut u_i = 0.0f64;
        let sink = loop {
            // Relax row i and find the closest unlabeled column in the same pass.
            let base = d_i - u_i;
            let (dmin, jmin) = relax_argmin(
                self.row(i),
                &self.v,
                base,
                i as u32,
                &mut self.key,
                &mut self.pred,
            );
            if jmin == usize::MAX {
                return Err(ParsmError::Uncertified(
                    "assignment: no augmenting path (non-finite costs?)".into(),
                ));
            }
            let jmin = if self.row_of_col[jmin] == FREE {
                jmin
            } else {
                free_cols
                    .iter()
                    .copied()
                    .find(|&f| self.key[f] == dmin)
                    .unwrap_or(jmin)
            };
            self.key[jmin] = f64::NAN;
            self.labeled_cols.push(jmin);
            self.labeled_dist.push(dmin);
            let owner = self.row_of_col[jmin];
            if owner == FREE {
                break jmin;
            }
            i = owner;
            d_i = dmin;
            u_i = self.c[i * n + jmin] - self.v[jmin];
            if self.labeled_cols.len().is_multiple_of(1024) {
                monitor.check()?;
            }
        };
        // Prices: every labeled column moves by (its distance - the sink's), which keeps each
        // labeled row tight and every reduced cost >= 0.
        let d_sink = *self.labeled_dist.last().expect("the sink is labeled");
        for (&j, &d) in self.labeled_cols.iter().zip(&self.labeled_dist) {
            self.v[j] += d - d_sink;
        }
        let pred = std::mem::take(&mut self.pred);
        self.flip(start, sink, &pred);
        self.pred = pred;
        Ok(())
    }

    /// Flips the augmenting path that ends at the free column `sink`: each column on it goes to
    /// its predecessor row, back to the free row `start`.
    fn flip(&mut self, start: usize, sink: usize, pred: &[u32]) {
        let mut j = sink;
        loop {
            let i = pred[j] as usize;
            let prev = self.col_of_row[i];
            self.row_of_col[j] = i;
            self.col_of_row[i] = j;
            if i == start {
                break;
            }
            j = prev;
        }
    }

    fn finish(self) -> Assignment {
        let n = self.n;
        let mut total = Neumaier::default();
        let u = (0..n)
            .map(|i| {
                let j = self.col_of_row[i];
                total.add(self.c[i * n + j]);
                self.c[i * n + j] - self.v[j]
            })
            .collect();
        Assignment {
            col_of_row: self.col_of_row,
            u,
            v: self.v,
            total_cost: total.sum(),
        }
    }
}

/// Sparse phase: shortest augmenting paths on candidate arcs, checked against the whole matrix.
impl Lap<'_> {
    /// Places the rows in `free` by shortest paths over each row's cheapest reduced-cost arcs
    /// (built when the row is first reached), then checks every row against the whole matrix
    /// in one dense pass. A row whose column is no longer its cheapest is freed and its list is
    /// rebuilt twice as long; the searches run again for the freed rows. Returns the rows it
    /// could not place, when the rounds are exhausted or when the lists fail the data: searches
    /// that ran out of listed arcs have together reached more than `n` columns (costs of very
    /// low rank, where every row's cheapest columns are the same few, do this). The caller then
    /// restores the dense invariant and places them as the dense solver does.
    fn augment_on_candidates(
        &mut self,
        mut free: Vec<usize>,
        width: usize,
        monitor: &Monitor,
    ) -> Result<Vec<usize>, ParsmError> {
        let n = self.n;
        let mut cand = Candidates::new(n, width.max(1));
        let mut search = SparseSearch::new(n);
        if !free.is_empty() {
            free = self.augmenting_row_reduction(free, Some(&mut cand));
        }
        let tol = self.tolerance();
        let mut stuck_reach = 0usize;
        for _ in 0..CANDIDATE_ROUNDS {
            let mut queue: VecDeque<usize> = free.into();
            while let Some(row) = queue.pop_front() {
                monitor.check()?;
                if self.augment_sparse(row, &mut cand, &mut search) {
                    monitor.advance(1);
                    continue;
                }
                stuck_reach += search.order.len() + 1;
                if stuck_reach > n {
                    queue.push_front(row);
                    return Ok(queue.into());
                }
                // The rows reached own every column their lists name: widen those lists now.
                // A reached row that its longer list shows undercut is freed (its column is no
                // longer its cheapest listed one, which the searches need). Lists only grow,
                // up to whole rows, where no search can get stuck, so this ends.
                let reached: Vec<usize> =
                    search.order.iter().map(|&j| self.row_of_col[j]).collect();
                for i in std::iter::once(row).chain(reached) {
                    cand.widen(i);
                    cand.ensure(self, i);
                    let j = self.col_of_row[i];
                    if j != FREE && self.undercut_on(i, &cand.cols[i], tol) {
                        self.col_of_row[i] = FREE;
                        self.row_of_col[j] = FREE;
                        queue.push_back(i);
                    }
                }
                queue.push_front(row);
            }
            let tol = self.tolerance();
            free = self.free_priced_out_rows(tol, monitor)?;
            if free.is_empty() {
                return Ok(free);
            }
            monitor.set_done((n - free.len()) as u64);
            for &i in &free {
                cand.widen(i);
            }
        }
        Ok(free)
    }

    /// Whether row `i`'s column costs more than `tol` above its cheapest reduced cost among
    /// `cols`.
    fn undercut_on(&self, i: usize, cols: &[u32], tol: f64) -> bool {
        let row = self.row(i);
        let j = self.col_of_row[i];
        let own = row[j] - self.v[j];
        cols.iter()
            .any(|&l| row[l as usize] - self.v[l as usize] < own - tol)
    }

    /// The slack allowed when a row's column is compared with its row minimum: relative to the
    /// largest magnitude among the costs and the prices, and 16 times below the certificate's.
    fn tolerance(&mut self) -> f64 {
        if self.c_max.is_nan() {
            self.c_max = self.c.iter().fold(0.0f64, |m, &x| m.max(x.abs()));
        }
        let v_max = self.v.iter().fold(0.0f64, |m, &x| m.max(x.abs()));
        1e-12 * self.c_max.max(v_max).max(f64::MIN_POSITIVE)
    }

    /// Frees every assigned row whose column costs more than `tol` above its cheapest reduced
    /// cost `C_ij - v_j` over the whole row, and returns those rows: afterwards every assigned
    /// row is tight on a column that minimises its reduced costs, as the dense searches need.
    /// A dense pass: checks `monitor` every 256 rows, so Ctrl-C is seen within a fraction of a
    /// second even at 20,000 units.
    fn free_priced_out_rows(
        &mut self,
        tol: f64,
        monitor: &Monitor,
    ) -> Result<Vec<usize>, ParsmError> {
        let mut out = Vec::new();
        for i in 0..self.n {
            if i % 256 == 0 {
                monitor.check()?;
            }
            let j = self.col_of_row[i];
            if j == FREE {
                continue;
            }
            let row = self.row(i);
            if min_reduced(row, &self.v) < row[j] - self.v[j] - tol {
                self.col_of_row[i] = FREE;
                self.row_of_col[j] = FREE;
                out.push(i);
            }
        }
        Ok(out)
    }

    /// The `k` columns of row `i` with the smallest reduced costs `C_ij - v_j` (all columns when
    /// `k >= n`), ties to the lower column.
    fn cheapest_columns(&self, i: usize, k: usize, out: &mut Vec<u32>) {
        out.clear();
        if k >= self.n {
            out.extend(0..self.n as u32);
            return;
        }
        // The row is scanned cyclically from a row-dependent offset and ties keep the column
        // met first, so that rows with many tied columns do not all list the same few (the
        // graph would then lack a perfect matching): the reduced costs in scan order, whose
        // `k` smallest (lower positions first at ties) `k_smallest` picks.
        let n = self.n;
        let offset = (i as u64).wrapping_mul(2_654_435_761) as usize % n;
        let (row, v) = (self.row(i), &self.v[..]);
        let mut scan = Vec::with_capacity(n);
        for range in [offset..n, 0..offset] {
            scan.extend(
                row[range.clone()]
                    .iter()
                    .zip(&v[range])
                    .map(|(&c, &p)| c - p),
            );
        }
        let mut picked = Vec::with_capacity(k + 1);
        k_smallest(&scan, k, &mut picked);
        out.extend(
            picked
                .iter()
                .map(|&(_, pos)| ((pos as usize + offset) % n) as u32),
        );
        out.sort_unstable();
    }

    /// Dijkstra from the free row `start` over candidate arcs, with a heap; on reaching a free
    /// column, the same dual update and flip as [`Lap::augment`]. Returns `false`, changing
    /// nothing, when no free column is reachable through candidate arcs.
    fn augment_sparse(
        &mut self,
        start: usize,
        cand: &mut Candidates,
        s: &mut SparseSearch,
    ) -> bool {
        let n = self.n;
        s.reset();
        cand.ensure(self, start);
        for &j in &cand.cols[start] {
            let j = j as usize;
            let taken = self.row_of_col[j] != FREE;
            s.offer(j, self.c[start * n + j] - self.v[j], start, taken);
        }
        let sink = loop {
            let Some(Reverse((Key(d), _, j))) = s.heap.pop() else {
                return false;
            };
            let j = j as usize;
            if s.labeled[j] || d > s.dist[j] {
                continue;
            }
            s.labeled[j] = true;
            s.order.push(j);
            let owner = self.row_of_col[j];
            if owner == FREE {
                break j;
            }
            cand.ensure(self, owner);
            // u of the owner: it is tight on j.
            let u = self.c[owner * n + j] - self.v[j];
            let row = &self.c[owner * n..(owner + 1) * n];
            for &l in &cand.cols[owner] {
                let l = l as usize;
                if !s.labeled[l] {
                    // Reduced costs of candidate arcs are >= 0 up to rounding.
                    let taken = self.row_of_col[l] != FREE;
                    s.offer(l, d + (row[l] - u - self.v[l]).max(0.0), owner, taken);
                }
            }
        };
        let d_sink = s.dist[sink];
        for &j in &s.order {
            self.v[j] += s.dist[j] - d_sink;
        }
        self.flip(start, sink, &s.pred);
        true
    }
}

/// Each row's candidate columns, built on first use from the prices of that moment.
struct Candidates {
    cols: Vec<Vec<u32>>,
    width: Vec<usize>,
    built: Vec<bool>,
}

impl Candidates {
    fn new(n: usize, width: usize) -> Self {
        Candidates {
            cols: vec![Vec::new(); n],
            width: vec![width; n],
            built: vec![false; n],
        }
    }

    fn ensure(&mut self, lap: &Lap<'_>, i: usize) {
        if !self.built[i] {
            lap.cheapest_columns(i, self.width[i], &mut self.cols[i]);
            self.built[i] = true;
        }
    }

    /// Doubles row `i`'s list, rebuilt from the prices of its next use.
    fn widen(&mut self, i: usize) {
        self.width[i] = self.width[i].saturating_mul(2);
        self.built[i] = false;
    }
}

/// Scratch of the heap Dijkstra, reset in time proportional to what the last search touched.
struct SparseSearch {
    dist: Vec<f64>,
    pred: Vec<u32>,
    labeled: Vec<bool>,
    touched: Vec<usize>,
    order: Vec<usize>,
    // (distance, column taken, column): at equal distance a free column comes first.
    heap: BinaryHeap<Reverse<(Key, bool, u32)>>,
}

impl SparseSearch {
    fn new(n: usize) -> Self {
        SparseSearch {
            dist: vec![f64::INFINITY; n],
            pred: vec![0; n],
            labeled: vec![false; n],
            touched: Vec::new(),
            order: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    fn reset(&mut self) {
        for &j in &self.touched {
            self.dist[j] = f64::INFINITY;
            self.labeled[j] = false;
        }
        self.touched.clear();
        self.order.clear();
        self.heap.clear();
    }

    #[inline]
    fn offer(&mut self, j: usize, d: f64, from: usize, taken: bool) {
        if d < self.dist[j] {
            if self.dist[j] == f64::INFINITY {
                self.touched.push(j);
            }
            self.dist[j] = d;
            self.pred[j] = from as u32;
            self.heap.push(Reverse((Key(d), taken, j as u32)));
        }
    }
}

/// A finite `f64` ordered totally, for the heaps.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Key(f64);

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Cheapest and second cheapest `row[j] - v[j]` over the columns `cols`: `(u1, j1, u2, j2)`.
#[inline]
fn two_best_in(
    row: &[f64],
    v: &[f64],
    cols: impl Iterator<Item = usize>,
) -> (f64, usize, f64, usize) {
    let (mut u1, mut j1, mut u2, mut j2) = (f64::INFINITY, 0, f64::INFINITY, 0);
    for j in cols {
        let h = row[j] - v[j];
        if h < u2 {
            if h < u1 {
                (u2, j2, u1, j1) = (u1, j1, h, j);
            } else {
                (u2, j2) = (h, j);
            }
        }
    }
    (u1, j1, u2, j2)
}

/// `min_j (c_j - v_j)`, in independent lanes so that it vectorises.
#[inline]
fn min_reduced(c: &[f64], v: &[f64]) -> f64 {
    const LANES: usize = 8;
    let body = c.len() - c.len() % LANES;
    let mut acc = [f64::INFINITY; LANES];
    for (cs, vs) in c[..body]
        .chunks_exact(LANES)
        .zip(v[..body].chunks_exact(LANES))
    {
        for k in 0..LANES {
            let h = cs[k] - vs[k];
            acc[k] = if h < acc[k] { h } else { acc[k] };
        }
    }
    let tail = c[body..]
        .iter()
        .zip(&v[body..])
        .fold(f64::INFINITY, |m, (&cj, &vj)| m.min(cj - vj));
    acc.iter().fold(tail, |m, &a| m.min(a))
}

impl Assignment {
    /// The optimality certificate: `σ` is a permutation and `C_ij - u_i - v_j >= -tol` for every
    /// arc, with equality on the assignment by construction, where `tol` is relative to the
    /// largest magnitude among `C`, `u` and `v`. Then `Σ C_{iσ(i)}` is within `n·tol` of the
    /// optimum.
    pub fn certify(&self, c: &[f64], n: usize) -> Result<(), ParsmError> {
        let mut seen = vec![false; n];
        for &j in &self.col_of_row {
            if j >= n || seen[j] {
                return Err(ParsmError::Uncertified(
                    "assignment: the result is not a permutation".into(),
                ));
            }
            seen[j] = true;
        }
        if !self.u.iter().chain(&self.v).all(|x| x.is_finite()) {
            return Err(ParsmError::Uncertified(
                "assignment: a dual is not finite".into(),
            ));
        }
        let mag = |x: &[f64]| x.iter().fold(0.0f64, |m, &v| m.max(v.abs()));
        let scale = mag(c)
            .max(mag(&self.u))
            .max(mag(&self.v))
            .max(f64::MIN_POSITIVE);
        let tol = 1e-12 * scale * 16.0;
        let worst = (0..n)
            .map(|i| {
                let ui = self.u[i];
                c[i * n..(i + 1) * n]
                    .iter()
                    .zip(&self.v)
                    .fold(f64::INFINITY, |m, (&cij, &vj)| m.min(cij - ui - vj))
            })
            .fold(f64::INFINITY, f64::min);
        if worst.is_nan() || worst < -tol {
            return Err(ParsmError::Uncertified(format!(
                "assignment: an arc prices out by {worst:e} (tolerance {tol:e})"
            )));
        }
        Ok(())
    }
}

/// Dijkstra step of one labeled row: `key[j] = min(key[j], base + c[j] - v[j])` for every
/// unlabeled column (labeled ones hold NaN, which no comparison replaces), recording `i` as the
/// predecessor where it improves, and the `(min, argmin)` of the updated keys, in one pass with
/// independent lanes so that it vectorises.
#[inline]
pub(crate) fn relax_argmin(
    c: &[f64],
    v: &[f64],
    base: f64,
    i: u32,
    key: &mut [f64],
    pred: &mut [u32],
) -> (f64, usize) {
    const LANES: usize = 8;
    let n = c.len();
    let body = n - n % LANES;
    let mut acc = [f64::INFINITY; LANES];
    let mut at = [usize::MAX; LANES];
    for (chunk, (((cs, vs), ks), ps)) in c[..body]
        .chunks_exact(LANES)
        .zip(v[..body].chunks_exact(LANES))
        .zip(key[..body].chunks_exact_mut(LANES))
        .zip(pred[..body].chunks_exact_mut(LANES))
        .enumerate()
    {
        for k in 0..LANES {
            let nd = base + cs[k] - vs[k];
            let better = nd < ks[k];
            ks[k] = if better { nd } else { ks[k] };
            ps[k] = if better { i } else { ps[k] };
            let kk = ks[k];
            let lower = kk < acc[k];
            acc[k] = if lower { kk } else { acc[k] };
            at[k] = if lower { chunk * LANES + k } else { at[k] };
        }
    }
    let (mut m, mut idx) = (f64::INFINITY, usize::MAX);
    for k in 0..LANES {
        if acc[k] < m || (acc[k] == m && at[k] < idx) {
            m = acc[k];
            idx = at[k];
        }
    }
    for j in body..n {
        let nd = base + c[j] - v[j];
        if nd < key[j] {
            key[j] = nd;
            pred[j] = i;
        }
        if key[j] < m {
            m = key[j];
            idx = j;
        }
    }
    (m, idx)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Costs of several kinds: uniform, small integers (many ties), all equal, low rank
    /// (near-ties, like correlation costs), huge and negative.
    fn costs(n: usize, kind: usize, seed: u64) -> Vec<f64> {
        let mut state = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let a: Vec<f64> = (0..n * 3).map(|_| next() - 0.5).collect();
        let b: Vec<f64> = (0..n * 3).map(|_| next() - 0.5).collect();
        (0..n * n)
            .map(|idx| {
                let (i, j) = (idx / n, idx % n);
                match kind {
                    0 => next(),
                    1 => (next() * 4.0).floor(),
                    2 => 1.0,
                    3 => (0..3).map(|r| a[i * 3 + r] * b[j * 3 + r]).sum::<f64>(),
                    4 => next() * 1e30,
                    _ => -next() * 5.0 - 1.0,
                }
            })
            .collect()
    }

    /// The sparse phase, with lists short enough that searches get stuck and rows are
    /// undercut (lists of 1 and 2 columns), gives the dense solver's optimum.
    #[test]
    fn candidate_lists_of_any_length_give_the_dense_optimum() {
        let dense = Tuning {
            candidate_min_n: usize::MAX,
            candidates_per_row: 0,
        };
        for (trial, &n) in [1usize, 2, 7, 40, 130, 300].iter().enumerate() {
            for kind in 0..6 {
                let c = costs(n, kind, (trial * 6 + kind) as u64);
                let reference = solve_tuned(&c, n, &Monitor::new(), dense).unwrap();
                for width in [1, 2, 5, 32, 1000] {
                    let tuning = Tuning {
                        candidate_min_n: 0,
                        candidates_per_row: width,
                    };
                    let a = solve_tuned(&c, n, &Monitor::new(), tuning).unwrap();
                    let scale = c.iter().fold(1.0f64, |m, &x| m.max(x.abs())) * n as f64;
                    assert!(
                        (a.total_cost - reference.total_cost).abs() <= 1e-12 * scale,
                        "n {n} kind {kind} width {width}: {} vs {}",
                        a.total_cost,
                        reference.total_cost
                    );
                }
            }
        }
    }
}
