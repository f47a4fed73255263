//! Candidate-arc pricing for the network simplex ([`crate::simplex`]) on large dense problems.
//!
//! Block search prices every arc of the complete bipartite graph in turn, so on a dense
//! `n1 x n2` problem about half of the solver's time went to reading reduced costs of arcs that
//! never enter (at 500 x 520 correlation costs: 7,300 pivots, each scanning about one block of
//! `sqrt(n1 n2)` arcs). Most arcs of an optimal plan are among their row's cheapest few, so the
//! pricing here scans only **listed arcs**: each real row's [`PER_ROW`] cheapest columns, each
//! column's cheapest row, and every arc found pricing out later. Only balanced problems
//! without dummy points use them (see [`CandidateArcs::build`]).
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

/// The costs and potentials an arc's reduced cost reads: `rc(i, j) = c'(i, j) + pi[i] -
/// pi[n1 + j]`, with `c' = (c - lo) · inv` between real points, 0 between a real and a dummy
/// point, and no arc between two dummies.
pub(crate) struct Prices<'p> {
    pub cost: &'p [f64],
    pub nx: usize,
    pub ny: usize,
    pub n1: usize,
    pub n2: usize,
    pub lo: f64,
    pub inv: f64,
    pub pi: &'p [f64],
}

impl Prices<'_> {
    /// The scaled cost `c'` of arc `(i, j)`; NaN for a forbidden arc (a NaN cost, or two
    /// dummies).
    #[inline]
    fn scaled(&self, i: usize, j: usize) -> f64 {
        match (i < self.nx, j < self.ny) {
            (true, true) => (self.cost[i * self.ny + j] - self.lo) * self.inv,
            (false, false) => f64::NAN,
            _ => 0.0,
        }
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
    /// The starting lists, or `None` when the problem is too small or too narrow for them, or
    /// has dummy points (partial transport). With dummies most of the mass runs through the
    /// dummy arcs, all listed, and the lists were slower than block search over every arc
    /// (3,000 x 2,000 correlation costs, ~94 dummies: 1.21 s against 0.58 s at m = 0.5; 1,200
    /// x 1,000: 0.13 s against 0.10 s).
    pub(crate) fn build(p: &Prices<'_>) -> Option<Self> {
        let (nx, ny, n1, n2) = (p.nx, p.ny, p.n1, p.n2);
        if nx * ny < MIN_ARCS || ny <= 4 * PER_ROW || n1 > nx || n2 > ny {
            return None;
        }
        let mut lists = Vec::with_capacity(n1);
        let mut col_best = vec![(f64::INFINITY, u32::MAX); ny];
        let mut cheapest = Vec::with_capacity(PER_ROW);
        for i in 0..nx {
            let row = &p.cost[i * ny..(i + 1) * ny];
            for (j, &c) in row.iter().enumerate() {
                if c < col_best[j].0 {
                    col_best[j] = (c, i as u32);
                }
            }
            k_smallest(row.iter().copied(), PER_ROW, &mut cheapest);
            let mut list: Vec<(u32, f64)> = cheapest
                .iter()
                .map(|&(c, j)| (j, (c - p.lo) * p.inv))
                .collect();
            list.extend((ny..n2).map(|j| (j as u32, 0.0))); // every dummy column
            lists.push(list);
        }
        for _ in nx..n1 {
            // A dummy row reaches every real column.
            lists.push((0..ny as u32).map(|j| (j, 0.0)).collect());
        }
        for (j, &(c, i)) in col_best.iter().enumerate() {
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
    /// holding one, as an arc id `i * n2 + j`.
    pub(crate) fn find_entering(&mut self, p: &Prices<'_>, eps: f64) -> Option<usize> {
        let rows = self.lists.len();
        let pi_cols = &p.pi[p.n1..p.n1 + p.n2];
        let mut best = (-eps, usize::MAX);
        let mut in_block = 0usize;
        let mut i = self.next_row;
        for _ in 0..rows {
            let pi_i = p.pi[i];
            for &(j, c) in &self.lists[i] {
                let rc = c + pi_i - pi_cols[j as usize];
                if rc < best.0 {
                    best = (rc, i * p.n2 + j as usize);
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
        let pi_cols = &p.pi[p.n1..p.n1 + p.n2];
        let mut best = (-eps, usize::MAX);
        let mut found = Vec::with_capacity(PER_ROW);
        for (i, list) in self.lists.iter_mut().enumerate() {
            let pi_i = p.pi[i];
            if i < p.nx {
                // Most rows hold no violation: find that out with one vectorised pass.
                let row = &p.cost[i * p.ny..(i + 1) * p.ny];
                let base = pi_i - p.lo * p.inv;
                if min_reduced_cost(row, &pi_cols[..p.ny], p.inv, base).0 >= -eps
                    && (p.ny..p.n2).all(|j| pi_i - pi_cols[j] >= -eps)
                {
                    continue;
                }
            }
            let violations = pi_cols.iter().enumerate().map(|(j, &pj)| {
                let rc = p.scaled(i, j) + pi_i - pj;
                if rc < -eps && !is_tree_arc(i * p.n2 + j) {
                    rc
                } else {
                    f64::NAN
                }
            });
            k_smallest(violations, PER_ROW, &mut found);
            for &(rc, j) in &found {
                list.push((j, p.scaled(i, j as usize)));
                if rc < best.0 {
                    best = (rc, i * p.n2 + j as usize);
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
