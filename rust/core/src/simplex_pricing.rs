//! Candidate-arc pricing for the network simplex ([`crate::simplex`]) on large dense problems.
//!
//! Block search prices every arc of the complete bipartite graph in turn, so on a dense
//! `n1 x n2` problem about half of the solver's time went to reading reduced costs of arcs that
//! never enter (at 500 x 520 correlation costs: 7,300 pivots, each scanning about one block of
//! `sqrt(n1 n2)` arcs). Most arcs of an optimal plan are among their row's cheapest few, so the
//! pricing here scans only **listed arcs**: each real row's [`PER_ROW`] cheapest columns, each
//! column's cheapest row, and every arc found pricing out later. Only problems without dummy
//! points use them: with dummies (partial transport) most of the mass runs through the dummy
//! arcs, and the lists were slower than block search over every arc (3,000 x 2,000
//! correlation costs, ~94 dummies: 1.21 s against 0.58 s at m = 0.5).
//!
//! ## Exact whatever the lists
//! The tree's arcs and flows do not depend on how the entering arc was found, and the pivots
//! stop only when the **whole graph** prices out: when no listed arc has a negative reduced
//! cost, the potentials are recomputed from the tree and every arc of the dense matrix is
//! priced ([`CandidateArcs::refill`]). Each arc found pricing out there is added to its row's
//! list, and the most negative one enters. So the solver ends on the same optimality test as
//! the dense pricing, on every arc, and only the order of the pivots differs. A list never
//! shrinks, so each refill adds at least one new arc and the refills end.

use crate::select::k_smallest;
use crate::simplex::min_reduced_cost;

/// Cheapest columns listed for each real row.
pub(crate) const PER_ROW: usize = 16;

/// Listed arcs per pricing block, in units of `sqrt(#listed)`: the lists are short and hold
/// mostly useful arcs, so a longer block than the dense pricing's (factor 1) finds a better
/// entering arc for its price (500 x 520 correlation costs: 3,200 pivots at 1, 2,600 at 2,
/// 2,300 at 4, for about the same time from 2 on).
const BLOCK_FACTOR: f64 = 2.0;

/// Problems with fewer arcs than this price densely (the lists would save little).
pub(crate) const MIN_ARCS: usize = 40_000;

/// The costs and potentials an arc's reduced cost reads, on a problem without dummy points:
/// `rc(i, j) = c'(i, j) + pi[i] - pi[nx + j]` with `c' = (c - lo) · inv` (NaN for a
/// forbidden arc).
pub(crate) struct Prices<'p> {
    pub cost: &'p [f64],
    pub nx: usize,
    pub ny: usize,
    pub lo: f64,
    pub inv: f64,
    pub pi: &'p [f64],
}

impl Prices<'_> {
    /// The scaled cost `c'` of arc `(i, j)`.
    #[inline]
    fn scaled(&self, i: usize, j: usize) -> f64 {
        (self.cost[i * self.ny + j] - self.lo) * self.inv
    }

    /// The column potentials.
    #[inline]
    fn pi_cols(&self) -> &[f64] {
        &self.pi[self.nx..self.nx + self.ny]
    }
}

/// The listed arcs of every row, `(column, scaled cost)`, and where the next block search
/// starts.
pub(crate) struct CandidateArcs {
    lists: Vec<Vec<(u32, f64)>>,
    listed: usize,
    block: usize,
    next_row: usize,
}

impl CandidateArcs {
    /// The starting lists, or `None` when the problem is too small or too narrow for them.
    pub(crate) fn build(p: &Prices<'_>) -> Option<Self> {
        let (nx, ny) = (p.nx, p.ny);
        if nx * ny < MIN_ARCS || ny <= 4 * PER_ROW {
            return None;
        }
        let mut lists = Vec::with_capacity(nx);
        // Each column's first cheapest row, kept without a branch (so that it vectorises).
        let (mut col_cost, mut col_row) = (vec![f64::INFINITY; ny], vec![u32::MAX; ny]);
        let mut cheapest = Vec::with_capacity(PER_ROW + 1);
        for i in 0..nx {
            let row = &p.cost[i * ny..(i + 1) * ny];
            for ((best, arg), &c) in col_cost.iter_mut().zip(col_row.iter_mut()).zip(row) {
                let better = c < *best;
                *best = if better { c } else { *best };
                *arg = if better { i as u32 } else { *arg };
            }
            k_smallest(row, PER_ROW, &mut cheapest);
            let list = cheapest.iter().map(|&(c, j)| (j, (c - p.lo) * p.inv));
            lists.push(list.collect::<Vec<_>>());
        }
        for (j, (&c, &i)) in col_cost.iter().zip(&col_row).enumerate() {
            let list = if i == u32::MAX {
                continue;
            } else {
                &mut lists[i as usize]
            };
            if !list.iter().any(|&(k, _)| k as usize == j) {
                list.push((j as u32, (c - p.lo) * p.inv));
            }
        }
        let listed = lists.iter().map(Vec::len).sum::<usize>();
        let mut arcs = CandidateArcs {
            lists,
            listed,
            block: 0,
            next_row: 0,
        };
        arcs.resize_block();
        Some(arcs)
    }

    /// Block search over the lists (as the dense pricing's, about `sqrt(#listed)` arcs a block,
    /// whole rows at a time): the most negative reduced cost below `-eps` in the first block
    /// holding one, as an arc id `i * ny + j`.
    pub(crate) fn find_entering(&mut self, p: &Prices<'_>, eps: f64) -> Option<usize> {
        let rows = self.lists.len();
        let pi_cols = p.pi_cols();
        let mut best = (-eps, usize::MAX);
        let mut in_block = 0usize;
        let mut i = self.next_row;
        for _ in 0..rows {
            let pi_i = p.pi[i];
            for &(j, c) in &self.lists[i] {
                let rc = c + pi_i - pi_cols[j as usize];
                if rc < best.0 {
                    best = (rc, i * p.ny + j as usize);
                }
            }
            in_block += self.lists[i].len();
            i = if i + 1 == rows { 0 } else { i + 1 };
            if in_block >= self.block {
                in_block = 0;
                if best.1 != usize::MAX {
                    break;
                }
            }
        }
        self.next_row = i;
        (best.1 != usize::MAX).then_some(best.1)
    }

    /// Prices every arc of the graph (the optimality test), adds to each row's list its
    /// [`PER_ROW`] most negative arcs below `-eps` that are not tree arcs, and returns the most
    /// negative of all; `None` proves the tree optimal. (Adding every arc that prices out made
    /// the lists hold 41 % of all arcs on smooth low-rank costs, and the pricing slower than
    /// over every arc.)
    pub(crate) fn refill(
        &mut self,
        p: &Prices<'_>,
        eps: f64,
        is_tree_arc: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        let pi_cols = p.pi_cols();
        let mut best = (-eps, usize::MAX);
        let mut found = Vec::with_capacity(PER_ROW + 1);
        let mut violations = Vec::with_capacity(p.ny);
        for (i, list) in self.lists.iter_mut().enumerate() {
            let pi_i = p.pi[i];
            // Most rows hold no violation: find that out with one vectorised pass.
            let row = &p.cost[i * p.ny..(i + 1) * p.ny];
            if min_reduced_cost(row, pi_cols, p.inv, pi_i - p.lo * p.inv).0 >= -eps {
                continue;
            }
            violations.clear();
            violations.extend(pi_cols.iter().enumerate().map(|(j, &pj)| {
                let rc = p.scaled(i, j) + pi_i - pj;
                if rc < -eps && !is_tree_arc(i * p.ny + j) {
                    rc
                } else {
                    f64::NAN
                }
            }));
            k_smallest(&violations, PER_ROW, &mut found);
            for &(rc, j) in &found {
                list.push((j, p.scaled(i, j as usize)));
                if rc < best.0 {
                    best = (rc, i * p.ny + j as usize);
                }
            }
            self.listed += found.len();
        }
        self.resize_block();
        (best.1 != usize::MAX).then_some(best.1)
    }

    fn resize_block(&mut self) {
        self.block = (BLOCK_FACTOR * (self.listed as f64).sqrt()).ceil() as usize;
    }
}
