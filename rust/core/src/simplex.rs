//! Primal network simplex for dense bipartite transport with arbitrary nonnegative marginals.
//!
//! The graph is the complete bipartite graph between `n1` supply rows and `n2` demand columns.
//! Arcs are implicit: arc `e = i * n2 + j` goes from row `i` to column `j` and its cost is read
//! from the dense cost matrix, so no arc list is ever materialised. The last `dummy_rows` rows and
//! `dummy_cols` columns may be *dummy points* (cost 0 to every real node) with the arcs between two
//! dummies forbidden; this is how [`crate::partial`] builds exact partial transport.
//!
//! The algorithm is the classic primal network simplex on a spanning tree stored as parent /
//! thread / subtree-size arrays (Grigoriadis' ATP structure, as in LEMON), with
//!
//! * **anti-cycling**: a strongly feasible initial tree (every node hangs off an artificial root)
//!   and Cunningham's leaving-arc rule, which keeps the tree strongly feasible, so degenerate
//!   pivots cannot cycle;
//! * **block-search pricing**: arcs are scanned in blocks of about `sqrt(#arcs)` from where the last
//!   search stopped, and the most negative reduced cost of the first block holding one enters;
//!   from 40,000 arcs, on balanced problems without dummy points, the blocks run over
//!   **candidate arcs** only (each row's cheapest few and every arc found pricing out since),
//!   and the whole graph is priced only to end the pivots (the private `simplex_pricing`
//!   module): half the pivots, 1.8x faster on 500 x 520 correlation costs, 3.6x on
//!   2,000 x 2,100;
//! * **no iteration cap by default**: the solver stops only when an exact optimality check passes
//!   with freshly recomputed potentials (or when an explicit `max_iter` is hit, which is reported);
//! * **scale-free costs**: costs are mapped affinely onto `[0, 1]` inside the solver. With the
//!   total transported mass fixed, this changes the objective by a constant only, so the optimal
//!   plans are those of the original costs, for any finite costs (negative, zero or huge);
//! * **forbidden arcs**: a NaN cost marks an arc that does not exist. No comparison selects a
//!   NaN reduced cost, so such an arc never enters the tree and never carries flow. Only
//!   [`crate::transport::emd_on_arcs`] builds such matrices (user costs are checked finite).

use ndarray::Array2;

use crate::error::ParsmError;
use crate::monitor::Monitor;
use crate::select::{least_paired, range_of, CHECK_ROWS};
use crate::simplex_pricing::{CandidateArcs, Prices};
use crate::sum::Neumaier;

/// Outcome of a network simplex run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SolveStatus {
    /// The plan is optimal: every reduced cost is nonnegative (to rounding).
    Optimal,
    /// The marginals admit no feasible plan (mass is left on artificial arcs).
    Infeasible,
    /// The iteration limit `max_iter` was reached; the plan is feasible for the tree's phase
    /// but not proven optimal.
    MaxIterReached,
    /// The final certificate (primal feasibility, no arc pricing out) failed. This signals a
    /// bug, never a property of the input; callers must not report such a plan as optimal.
    Uncertified,
}

/// A transport problem on a dense cost matrix, optionally augmented with dummy points.
#[derive(Debug, Clone)]
pub struct TransportProblem<'a> {
    /// Row-major `nx x ny` costs between the real rows and real columns.
    pub cost: &'a [f64],
    /// Number of real rows.
    pub nx: usize,
    /// Number of real columns.
    pub ny: usize,
    /// Supplies of all rows: `nx` real rows followed by the dummy rows.
    pub supply: Vec<f64>,
    /// Demands of all columns: `ny` real columns followed by the dummy columns.
    pub demand: Vec<f64>,
}

/// The solver's answer.
#[derive(Debug, Clone)]
pub struct TransportSolution {
    /// The plan restricted to real rows and real columns (`nx x ny`).
    pub plan: Array2<f64>,
    /// `sum(plan * cost)` in the original cost units.
    pub cost: f64,
    /// Row potentials (all rows, dummies last), in original cost units: `u_i + v_j <= C_ij`.
    pub u: Vec<f64>,
    /// Column potentials (all columns, dummies last).
    pub v: Vec<f64>,
    /// Whether the plan is proven optimal.
    pub status: SolveStatus,
    /// Number of simplex pivots performed.
    pub iterations: u64,
}

/// Options of the network simplex.
#[derive(Debug, Clone, Copy, Default)]
pub struct SimplexOptions<'a> {
    /// Stop after this many pivots and report [`SolveStatus::MaxIterReached`]. `None` (the default)
    /// runs to optimality.
    pub max_iter: Option<u64>,
    /// Checked for cancellation every few hundred pivots.
    pub monitor: Option<&'a Monitor>,
    /// Price every arc by block search even where candidate lists would be used (see
    /// the private `simplex_pricing` module): the reference the candidate pricing is tested against.
    /// Either way the solve ends on the same exhaustive optimality test.
    pub dense_pricing: bool,
    /// Column prices for the candidate lists of a problem whose rows all have the same supply
    /// and columns the same demand, in the costs' own units (`c_ij - v_j >= u_i` roughly,
    /// such as [`crate::MassPath::soft_matching_prices`]), instead of estimating them; one a
    /// real column. Only the lists depend on them, never the optimum.
    pub column_prices: Option<&'a [f64]>,
    /// The least and greatest real cost, where a solve on the same costs has read them (a mass
    /// path's [`crate::MassPath::cost_range`]): the solver then skips its own pass over the
    /// costs for them. They must be those costs' exact least and greatest, so that the costs
    /// are scaled the same.
    pub cost_range: Option<(f64, f64)>,
}

/// Pivots between two cancellation checks.
const CHECK_EVERY: u64 = 256;

const NONE: usize = usize::MAX;
/// Relative reduced-cost threshold: an arc may enter when its reduced cost (in the solver's
/// `[0, 1]` cost units) is below `-PIVOT_EPS * max(1, max |pi|)`. Reduced costs are computed
/// from potentials of magnitude up to `max |pi|`, so their rounding error is a few ulps of that
/// magnitude; an absolute threshold would let rounding make tree arcs (reduced cost exactly 0)
/// look attractive once the potentials grow.
const PIVOT_EPS: f64 = 1e-12;
/// Cost of the artificial arc `root -> u` of a demand node, in scaled units. Any value above 1
/// drives all flow off the artificial arcs at optimality: between a supply node `u` and a
/// demand node `w` that are not both dummies, the direct arc costs at most 1; between two
/// dummies, `u -> j -> i -> w` through a real arc `(i, j)` that carries flow costs at most 0
/// (such an arc exists whenever artificial flow is left between dummies). A small constant
/// keeps the potentials, and so their rounding, of order 1 at every size. The textbook big-M
/// (`node_num + 1`) made potentials grow with the problem and, from about 4,000 units, let
/// rounding end the pivots early with flow left on artificial arcs ("infeasible").
const ART_COST: f64 = 2.0;

/// Solves the transport problem to optimality with the primal network simplex.
///
/// Supplies and demands must be finite and nonnegative with (nearly) equal sums; the caller
/// validates this. The arcs between dummy rows and dummy columns are forbidden.
/// Fails only with [`ParsmError::Interrupted`] when `options.monitor` is cancelled.
pub fn solve(
    problem: &TransportProblem<'_>,
    options: SimplexOptions<'_>,
) -> Result<TransportSolution, ParsmError> {
    let (s, status) = run_to_end(problem, options)?;
    Ok(s.into_solution(problem, status))
}

/// The simplex of `problem` run as `options` say, and how it ended.
fn run_to_end<'a>(
    problem: &TransportProblem<'a>,
    options: SimplexOptions<'_>,
) -> Result<(Simplex<'a>, SolveStatus), ParsmError> {
    let mut s = Simplex::new(problem, options)?;
    let status = s.run(options.max_iter, options.monitor)?;
    Ok((s, status))
}

/// The optimal cost of the transport problem, as [`solve`] finds it (the same pivots and the
/// same bits), with its status and pivot count, without building the dense plan: at 500 x 520
/// the plan's zeroed pages cost about a tenth of a soft matching.
pub fn solve_cost(
    problem: &TransportProblem<'_>,
    options: SimplexOptions<'_>,
) -> Result<(f64, SolveStatus, u64), ParsmError> {
    let (s, status) = run_to_end(problem, options)?;
    Ok((s.plan_cost(problem), status, s.iterations))
}

/// Where every row has the same supply `a` and every column the same demand `b` (soft
/// matching), how many columns a row's supply fills and how many rows a column's demand takes:
/// `(ceil(a / b), ceil(b / a))`, the ranks [`CandidateArcs::build`] estimates prices with.
fn uniform_ranks(p: &TransportProblem<'_>) -> Option<(usize, usize)> {
    let (&a, &b) = (p.supply.first()?, p.demand.first()?);
    let uniform = |v: &[f64], x: f64| v.iter().all(|&y| y == x);
    if !(a > 0.0 && b > 0.0 && uniform(&p.supply, a) && uniform(&p.demand, b)) {
        return None;
    }
    // A ratio that is a whole number up to rounding counts as that number.
    let rank = |r: f64| ((r * (1.0 - 1e-12)).ceil() as usize).max(1);
    Some((rank(a / b), rank(b / a)))
}

/// The spanning-tree state of the network simplex.
struct Simplex<'a> {
    cost: &'a [f64],
    nx: usize,
    ny: usize,
    n1: usize,
    n2: usize,
    /// `n1 * n2`: id of the first artificial arc (node `u`'s is `art_base + u`).
    art_base: usize,
    root: usize,
    /// Affine map of the real costs onto `[0, 1]`: `c' = (c - lo) * inv_range`.
    lo: f64,
    range: f64,
    inv_range: f64,
    art_cost: f64,
    /// Supply of each row and demand of each column (rows first), and their total.
    balance: Vec<f64>,
    total_mass: f64,
    /// Whether node `u`'s artificial arc goes `u -> root` (supply nodes) or `root -> u`.
    art_out: Vec<bool>,

    parent: Vec<usize>,
    pred: Vec<usize>,
    /// Whether `pred[u]` is directed from `u` to `parent[u]`.
    forward: Vec<bool>,
    /// Flow on `pred[u]`.
    flow: Vec<f64>,
    thread: Vec<usize>,
    rev_thread: Vec<usize>,
    succ_num: Vec<usize>,
    last_succ: Vec<usize>,
    /// Node potentials, LEMON's sign convention: `rc(e) = c(e) + pi[src] - pi[tgt]`.
    pi: Vec<f64>,
    /// An upper bound of `max |pi|` (kept by every potential update), for [`PIVOT_EPS`].
    pi_scale: f64,
    dirty_revs: Vec<usize>,

    block_size: usize,
    /// Where the next pricing scan starts (an arc id in `0..art_base`).
    next_arc: usize,
    /// Listed arcs priced instead of the whole graph on large problems (see
    /// the private `simplex_pricing` module); `None` prices every arc by block search.
    candidates: Option<CandidateArcs>,
    iterations: u64,
}

/// The pivot being carried out.
struct Pivot {
    in_arc: usize,
    join: usize,
    u_in: usize,
    v_in: usize,
    u_out: usize,
    delta: f64,
}

impl<'a> Simplex<'a> {
    /// The initial tree of `p`, with candidate lists unless `options` ask for dense pricing.
    fn new(p: &TransportProblem<'a>, options: SimplexOptions<'_>) -> Result<Self, ParsmError> {
        let (n1, n2) = (p.supply.len(), p.demand.len());
        let node_num = n1 + n2;
        let root = node_num;
        let (monitor, prices) = (options.monitor, options.column_prices);
        let (lo, hi) = match options.cost_range {
            Some(range) => range,
            None => range_of(p.cost, p.ny.max(1), monitor)?,
        };
        // Both skip NaN (forbidden arcs); no finite entry at all leaves (inf, -inf).
        let (lo, hi) = if !lo.is_finite() || !hi.is_finite() {
            (0.0, 0.0)
        } else {
            (lo, hi)
        };
        let range = hi - lo;
        let inv_range = if range > 0.0 { 1.0 / range } else { 0.0 };
        let art_cost = ART_COST;
        let n_arcs = n1 * n2;
        let block_size = ((n_arcs as f64).sqrt().ceil() as usize).max(10);

        let mut s = Simplex {
            cost: p.cost,
            nx: p.nx,
            ny: p.ny,
            n1,
            n2,
            art_base: n_arcs,
            root,
            lo,
            range,
            inv_range,
            art_cost,
            balance: p.supply.iter().chain(&p.demand).copied().collect(),
            total_mass: p.supply.iter().sum(),
            art_out: vec![false; node_num],
            parent: vec![NONE; node_num + 1],
            pred: vec![NONE; node_num + 1],
            forward: vec![false; node_num + 1],
            flow: vec![0.0; node_num + 1],
            thread: vec![0; node_num + 1],
            rev_thread: vec![0; node_num + 1],
            succ_num: vec![0; node_num + 1],
            last_succ: vec![0; node_num + 1],
            pi: vec![0.0; node_num + 1],
            pi_scale: art_cost,
            dirty_revs: Vec::new(),
            block_size,
            next_arc: 0,
            candidates: None,
            iterations: 0,
        };
        s.init_tree(p);
        // Candidate lists only without dummy points (see `simplex_pricing`).
        if !options.dense_pricing && n1 == p.nx && n2 == p.ny {
            s.candidates = CandidateArcs::build(&s.prices(), uniform_ranks(p), prices, monitor)?;
        }
        Ok(s)
    }

    /// The strongly feasible initial tree: every node hangs off the root by its artificial arc.
    fn init_tree(&mut self, p: &TransportProblem<'_>) {
        let node_num = self.n1 + self.n2;
        let root = self.root;
        self.thread[root] = 0;
        self.rev_thread[0] = root;
        self.succ_num[root] = node_num + 1;
        self.last_succ[root] = node_num - 1;
        for u in 0..node_num {
            let supply = if u < self.n1 {
                p.supply[u]
            } else {
                -p.demand[u - self.n1]
            };
            self.parent[u] = root;
            self.pred[u] = self.art_base + u;
            self.thread[u] = u + 1;
            self.rev_thread[u + 1] = u;
            self.succ_num[u] = 1;
            self.last_succ[u] = u;
            if supply >= 0.0 {
                self.art_out[u] = true;
                self.forward[u] = true;
                self.flow[u] = supply;
                self.pi[u] = 0.0;
            } else {
                self.art_out[u] = false;
                self.forward[u] = false;
                self.flow[u] = -supply;
                self.pi[u] = self.art_cost;
            }
        }
    }

    /// Scaled cost of a bipartite arc `(i, j)`; `None` for a forbidden dummy-dummy arc.
    #[inline]
    fn arc_cost_ij(&self, i: usize, j: usize) -> Option<f64> {
        match (i < self.nx, j < self.ny) {
            (true, true) => Some((self.cost[i * self.ny + j] - self.lo) * self.inv_range),
            (false, false) => None,
            _ => Some(0.0),
        }
    }

    /// Source, target and scaled cost of any arc, artificial ones included.
    #[inline]
    fn arc(&self, e: usize) -> (usize, usize, f64) {
        if e >= self.art_base {
            let u = e - self.art_base;
            if self.art_out[u] {
                (u, self.root, 0.0)
            } else {
                (self.root, u, self.art_cost)
            }
        } else {
            let (i, j) = (e / self.n2, e % self.n2);
            let c = self.arc_cost_ij(i, j).unwrap_or(f64::INFINITY);
            (i, self.n1 + j, c)
        }
    }

    /// Most negative reduced cost in row `i`, columns `j0..j1`: `(rc, j)`.
    #[inline]
    fn scan_row(&self, i: usize, j0: usize, j1: usize) -> (f64, usize) {
        let mut best = (0.0, NONE);
        let pi_i = self.pi[i];
        let pi_cols = &self.pi[self.n1..self.n1 + self.n2];
        let real_end = j1.min(self.ny);
        if i < self.nx && j0 < real_end {
            // rc = (c - lo) * inv + pi_i - pi_j = c * inv + (pi_i - lo * inv) - pi_j.
            let base = pi_i - self.lo * self.inv_range;
            let inv = self.inv_range;
            let row = &self.cost[i * self.ny + j0..i * self.ny + real_end];
            let pis = &pi_cols[j0..real_end];
            let (m, k) = min_reduced_cost(row, pis, inv, base);
            if m < best.0 {
                best = (m, j0 + k);
            }
        }
        let dummy_start = j0.max(self.ny);
        if i < self.nx && dummy_start < j1 {
            for (j, &p) in pi_cols.iter().enumerate().take(j1).skip(dummy_start) {
                let rc = pi_i - p;
                if rc < best.0 {
                    best = (rc, j);
                }
            }
        }
        if i >= self.nx && j0 < real_end {
            for (j, &p) in pi_cols.iter().enumerate().take(real_end).skip(j0) {
                let rc = pi_i - p;
                if rc < best.0 {
                    best = (rc, j);
                }
            }
        }
        best
    }

    /// The costs and potentials the candidate pricing reads (a problem without dummy points).
    fn prices(&self) -> Prices<'_> {
        Prices {
            cost: self.cost,
            nx: self.nx,
            ny: self.ny,
            lo: self.lo,
            inv: self.inv_range,
            pi: &self.pi,
        }
    }

    /// The entering arc: by block search over the listed arcs where there are lists, else over
    /// every arc; `None` when no scanned reduced cost is below `-eps`.
    fn find_entering(
        &mut self,
        eps: f64,
        monitor: Option<&Monitor>,
    ) -> Result<Option<usize>, ParsmError> {
        match self.candidates.take() {
            Some(mut lists) => {
                let found = lists.find_entering(&self.prices(), eps);
                self.candidates = Some(lists);
                Ok(found)
            }
            None => self.find_entering_dense(eps, monitor),
        }
    }

    /// The optimality test, over every arc with the current potentials: the most negative
    /// reduced cost below `-eps` of a non-tree arc, or `None`. With lists, every such arc is also
    /// listed for the pivots that follow.
    fn find_entering_exhaustive(
        &mut self,
        eps: f64,
        monitor: Option<&Monitor>,
    ) -> Result<Option<usize>, ParsmError> {
        match self.candidates.take() {
            Some(mut lists) => {
                let found = lists.refill(&self.prices(), eps, |e| self.is_tree_arc(e), monitor);
                self.candidates = Some(lists);
                found
            }
            None => self.find_entering_everywhere(eps, monitor),
        }
    }

    /// Block-search pricing over every arc. Returns the entering arc, or `None` when no reduced
    /// cost is below `-eps`.
    /// Stops with [`ParsmError::Interrupted`] within [`CHECK_ROWS`] rows' worth of arcs once
    /// `monitor` is cancelled: the scan that finds nothing covers the whole graph.
    fn find_entering_dense(
        &mut self,
        eps: f64,
        monitor: Option<&Monitor>,
    ) -> Result<Option<usize>, ParsmError> {
        let n_arcs = self.art_base;
        let n2 = self.n2;
        let check_every = CHECK_ROWS * n2;
        let mut best = (-eps, NONE);
        let mut scanned = 0usize;
        let mut unchecked = 0usize;
        let mut in_block = 0usize;
        let mut e = self.next_arc;
        while scanned < n_arcs {
            if unchecked >= check_every {
                unchecked = 0;
                if let Some(m) = monitor {
                    m.check()?;
                }
            }
            let (i, j0) = (e / n2, e % n2);
            let take = (self.block_size - in_block).min(n2 - j0);
            let (rc, j) = self.scan_row(i, j0, j0 + take);
            if rc < best.0 {
                best = (rc, i * n2 + j);
            }
            scanned += take;
            unchecked += take;
            in_block += take;
            e += take;
            if e == n_arcs {
                e = 0;
            }
            if in_block == self.block_size {
                in_block = 0;
                if best.1 != NONE {
                    break;
                }
            }
        }
        if best.1 == NONE {
            return Ok(None);
        }
        self.next_arc = e;
        Ok(Some(best.1))
    }

    fn find_join(&self, mut u: usize, mut v: usize) -> usize {
        while u != v {
            if self.succ_num[u] < self.succ_num[v] {
                u = self.parent[u];
            } else {
                v = self.parent[v];
            }
        }
        u
    }

    /// Cunningham's rule: among the blocking arcs of the cycle, the last one met when walking
    /// the cycle in its direction from the join node leaves. This keeps the tree strongly
    /// feasible. Returns `None` if the cycle is unbounded.
    fn find_leaving(&self, in_arc: usize) -> Option<Pivot> {
        let (first, second, _) = self.arc(in_arc);
        let join = self.find_join(first, second);
        let mut delta = f64::INFINITY;
        let mut u_out = NONE;
        let mut side = 0;
        let mut u = first;
        while u != join {
            if self.forward[u] && self.flow[u] < delta {
                delta = self.flow[u];
                u_out = u;
                side = 1;
            }
            u = self.parent[u];
        }
        let mut u = second;
        while u != join {
            if !self.forward[u] && self.flow[u] <= delta {
                delta = self.flow[u];
                u_out = u;
                side = 2;
            }
            u = self.parent[u];
        }
        let (u_in, v_in) = match side {
            0 => return None,
            1 => (first, second),
            _ => (second, first),
        };
        Some(Pivot {
            in_arc,
            join,
            u_in,
            v_in,
            u_out,
            delta,
        })
    }

    /// Pushes `delta` around the cycle closed by the entering arc.
    fn change_flow(&mut self, pv: &Pivot) {
        if pv.delta > 0.0 {
            let (src, tgt, _) = self.arc(pv.in_arc);
            let mut u = src;
            while u != pv.join {
                self.flow[u] += if self.forward[u] { -pv.delta } else { pv.delta };
                u = self.parent[u];
            }
            let mut u = tgt;
            while u != pv.join {
                self.flow[u] += if self.forward[u] { pv.delta } else { -pv.delta };
                u = self.parent[u];
            }
        }
    }

    /// Replaces the leaving arc by the entering arc: re-hangs the subtree of `u_out` below `v_in`,
    /// rooted at `u_in`, and updates thread, parent, pred, flow and subtree data.
    fn update_tree(&mut self, pv: &Pivot) {
        let (u_in, v_in, u_out, join) = (pv.u_in, pv.v_in, pv.u_out, pv.join);
        let old_rev_thread = self.rev_thread[u_out];
        let old_succ_num = self.succ_num[u_out];
        let old_last_succ = self.last_succ[u_out];
        let v_out = self.parent[u_out];

        let mut u = self.last_succ[u_in];
        let mut right = self.thread[u];
        let last = if old_rev_thread == v_in {
            self.thread[self.last_succ[u_out]]
        } else {
            self.thread[v_in]
        };

        // Walk the stem from u_in up to u_out, reversing parents and splicing thread lists.
        self.thread[v_in] = u_in;
        let mut stem = u_in;
        self.dirty_revs.clear();
        self.dirty_revs.push(v_in);
        let mut par_stem = v_in;
        while stem != u_out {
            let new_stem = self.parent[stem];
            self.thread[u] = new_stem;
            self.dirty_revs.push(u);
            let w = self.rev_thread[stem];
            self.thread[w] = right;
            self.rev_thread[right] = w;
            self.parent[stem] = par_stem;
            par_stem = stem;
            stem = new_stem;
            u = if self.last_succ[stem] == self.last_succ[par_stem] {
                self.rev_thread[par_stem]
            } else {
                self.last_succ[stem]
            };
            right = self.thread[u];
        }
        self.parent[u_out] = par_stem;
        self.thread[u] = last;
        self.rev_thread[last] = u;
        self.last_succ[u_out] = u;

        if old_rev_thread != v_in {
            self.thread[old_rev_thread] = right;
            self.rev_thread[right] = old_rev_thread;
        }
        for k in 0..self.dirty_revs.len() {
            let d = self.dirty_revs[k];
            let t = self.thread[d];
            self.rev_thread[t] = d;
        }

        // Shift pred arcs (and their flows) down the reversed stem.
        let mut tmp_sc = 0usize;
        let tmp_ls = self.last_succ[u_out];
        let mut u = u_out;
        while u != u_in {
            let w = self.parent[u];
            self.pred[u] = self.pred[w];
            self.flow[u] = self.flow[w];
            self.forward[u] = !self.forward[w];
            tmp_sc = tmp_sc + self.succ_num[u] - self.succ_num[w];
            self.succ_num[u] = tmp_sc;
            self.last_succ[w] = tmp_ls;
            u = w;
        }
        let (src, _, _) = self.arc(pv.in_arc);
        self.pred[u_in] = pv.in_arc;
        self.flow[u_in] = pv.delta;
        self.forward[u_in] = u_in == src;
        self.succ_num[u_in] = old_succ_num;

        // Fix last_succ and succ_num on the paths from v_in and v_out up to the join node.
        let (up_limit_in, up_limit_out) = if self.last_succ[join] == v_in {
            (NONE, join)
        } else {
            (join, NONE)
        };
        let mut u = v_in;
        while u != up_limit_in && u != NONE && self.last_succ[u] == v_in {
            self.last_succ[u] = self.last_succ[u_out];
            u = self.parent[u];
        }
        let new_last = if join != old_rev_thread && v_in != old_rev_thread {
            old_rev_thread
        } else {
            self.last_succ[u_out]
        };
        let mut u = v_out;
        while u != up_limit_out && u != NONE && self.last_succ[u] == old_last_succ {
            self.last_succ[u] = new_last;
            u = self.parent[u];
        }
        let mut u = v_in;
        while u != join {
            self.succ_num[u] += old_succ_num;
            u = self.parent[u];
        }
        let mut u = v_out;
        while u != join {
            self.succ_num[u] -= old_succ_num;
            u = self.parent[u];
        }
    }

    /// Shifts the potentials of the re-hung subtree so the entering arc has reduced cost 0.
    fn update_potential(&mut self, pv: &Pivot) {
        let (_, _, c) = self.arc(self.pred[pv.u_in]);
        let sigma = if self.forward[pv.u_in] {
            self.pi[pv.v_in] - self.pi[pv.u_in] - c
        } else {
            self.pi[pv.v_in] - self.pi[pv.u_in] + c
        };
        // The subtree is a stretch of the thread, from `u_in` to `end`; its complement is the
        // rest of the (cyclic) thread. Potentials matter only up to a common constant, so
        // lowering the complement by `sigma` serves as well as raising the subtree, and walks
        // fewer nodes when the subtree holds more than half of them.
        let end = self.thread[self.last_succ[pv.u_in]];
        let (from, to, shift) = if 2 * self.succ_num[pv.u_in] <= self.n1 + self.n2 + 1 {
            (pv.u_in, end, sigma)
        } else {
            (end, pv.u_in, -sigma)
        };
        let mut u = from;
        let mut scale = self.pi_scale;
        while u != to {
            self.pi[u] += shift;
            // Potentials are finite, so a plain comparison is `f64::max`; without its NaN
            // handling the running maximum no longer lengthens the loop's dependency chain.
            let a = self.pi[u].abs();
            if a > scale {
                scale = a;
            }
            u = self.thread[u];
        }
        self.pi_scale = scale;
    }

    /// The entering threshold for the current potentials.
    fn eps(&self) -> f64 {
        PIVOT_EPS * self.pi_scale.max(1.0)
    }

    /// Recomputes every potential from the tree (root first, along the thread), removing the
    /// rounding accumulated by incremental updates.
    fn refresh_potentials(&mut self) {
        self.pi[self.root] = 0.0;
        let mut u = self.thread[self.root];
        let mut scale = self.art_cost;
        while u != self.root {
            let (_, _, c) = self.arc(self.pred[u]);
            let p = self.pi[self.parent[u]];
            self.pi[u] = if self.forward[u] { p - c } else { p + c };
            scale = scale.max(self.pi[u].abs());
            u = self.thread[u];
        }
        self.pi_scale = scale;
    }

    /// The most negative reduced cost over every non-tree arc, below `-eps`: an exhaustive scan
    /// that, unlike block pricing, skips tree arcs, so that rounding on a tree arc can never
    /// hide an arc that still prices out. It ends the pivots, so it is the dual half of the
    /// certificate. Stops with [`ParsmError::Interrupted`] within [`CHECK_ROWS`] rows once
    /// `monitor` is cancelled.
    fn find_entering_everywhere(
        &self,
        eps: f64,
        monitor: Option<&Monitor>,
    ) -> Result<Option<usize>, ParsmError> {
        let mut best = (-eps, NONE);
        for i in 0..self.n1 {
            if let Some(m) = monitor.filter(|_| i.is_multiple_of(CHECK_ROWS)) {
                m.check()?;
            }
            for j in 0..self.n2 {
                let Some(c) = self.arc_cost_ij(i, j) else {
                    continue;
                };
                let rc = c + self.pi[i] - self.pi[self.n1 + j];
                if rc < best.0 && !self.is_tree_arc(i * self.n2 + j) {
                    best = (rc, i * self.n2 + j);
                }
            }
        }
        Ok((best.1 != NONE).then_some(best.1))
    }

    /// Flow left on artificial arcs, summed.
    fn artificial_flow(&self) -> f64 {
        (0..self.n1 + self.n2)
            .filter(|&u| self.pred[u] >= self.art_base)
            .map(|u| self.flow[u])
            .sum()
    }

    /// Whether `e` is currently a tree arc.
    fn is_tree_arc(&self, e: usize) -> bool {
        let (i, j) = (e / self.n2, e % self.n2);
        self.pred[i] == e || self.pred[self.n1 + j] == e
    }

    fn run(
        &mut self,
        max_iter: Option<u64>,
        monitor: Option<&Monitor>,
    ) -> Result<SolveStatus, ParsmError> {
        loop {
            if let Some(status) = self.pivot_until_optimal(max_iter, monitor)? {
                return Ok(status);
            }
            // ART_COST provably suffices on the complete graph. With forbidden arcs (or should
            // flow ever be left on artificial arcs of a feasible problem) raise their cost, up
            // to the textbook bound, and go on: flow left at that bound means infeasible.
            let tol = 1e-9 * self.total_mass.max(f64::MIN_POSITIVE);
            let big = (self.n1 + self.n2 + 1) as f64;
            if self.artificial_flow() <= tol || self.art_cost >= big {
                return Ok(self.final_status());
            }
            self.art_cost = (self.art_cost * 8.0).min(big);
            self.refresh_potentials();
        }
    }

    /// Pivots until no arc prices out (`None`) or the iteration limit is hit.
    fn pivot_until_optimal(
        &mut self,
        max_iter: Option<u64>,
        monitor: Option<&Monitor>,
    ) -> Result<Option<SolveStatus>, ParsmError> {
        loop {
            if self.iterations.is_multiple_of(CHECK_EVERY) {
                if let Some(m) = monitor {
                    m.check()?;
                }
            }
            let entering = self.find_entering(self.eps(), monitor)?;
            let in_arc = match entering {
                Some(e) if !self.is_tree_arc(e) => e,
                Some(_) | None => {
                    // Stop only when an exhaustive scan with freshly recomputed potentials
                    // finds no non-tree arc that prices out.
                    self.refresh_potentials();
                    match self.find_entering_exhaustive(self.eps(), monitor)? {
                        Some(e) => e,
                        None => break,
                    }
                }
            };
            if max_iter.is_some_and(|m| self.iterations >= m) {
                return Ok(Some(SolveStatus::MaxIterReached));
            }
            let Some(pv) = self.find_leaving(in_arc) else {
                // Cannot happen on a transport graph (every cycle has a backward arc).
                break;
            };
            self.change_flow(&pv);
            self.update_tree(&pv);
            self.update_potential(&pv);
            self.iterations += 1;
        }
        Ok(None)
    }

    /// The certificate checked before any success is reported: no flow left on artificial arcs,
    /// every node's supply or demand met, no negative flow, and (checked by the exhaustive
    /// scan that ended the pivots) no arc that prices out. All tolerances are relative to the
    /// total mass and to the potentials' magnitude.
    fn final_status(&self) -> SolveStatus {
        let total = self.total_mass.max(f64::MIN_POSITIVE);
        let tol = 1e-9 * total;
        if self.artificial_flow() > tol {
            // Only reachable on infeasible marginals, which the callers rule out.
            return SolveStatus::Infeasible;
        }
        let mut net = vec![0.0f64; self.n1 + self.n2];
        for u in 0..self.n1 + self.n2 {
            let e = self.pred[u];
            if self.flow[u] < -tol {
                return SolveStatus::Uncertified;
            }
            if e < self.art_base {
                let (i, j) = (e / self.n2, e % self.n2);
                net[i] += self.flow[u];
                net[self.n1 + j] += self.flow[u];
            }
        }
        let ok = (0..self.n1 + self.n2).all(|u| (net[u] - self.balance[u]).abs() <= tol);
        if ok {
            SolveStatus::Optimal
        } else {
            SolveStatus::Uncertified
        }
    }

    /// The flows `(i, j, flow)` on the tree's arcs between real rows and real columns, in node
    /// order.
    fn real_flows(&self) -> impl Iterator<Item = (usize, usize, f64)> + '_ {
        (0..self.n1 + self.n2).filter_map(move |u| {
            let e = self.pred[u];
            if e >= self.art_base || self.flow[u] == 0.0 {
                return None;
            }
            let (i, j) = (e / self.n2, e % self.n2);
            (i < self.nx && j < self.ny).then_some((i, j, self.flow[u]))
        })
    }

    /// `sum(plan * cost)` in the original cost units, compensated, in node order.
    fn plan_cost(&self, p: &TransportProblem<'_>) -> f64 {
        let mut cost = Neumaier::default();
        for (i, j, flow) in self.real_flows() {
            cost.add(flow * p.cost[i * self.ny + j]);
        }
        cost.sum()
    }

    fn into_solution(self, p: &TransportProblem<'_>, status: SolveStatus) -> TransportSolution {
        let mut plan = crate::memory::zeroed_matrix(self.nx, self.ny);
        for (i, j, flow) in self.real_flows() {
            plan[[i, j]] += flow;
        }
        let cost = self.plan_cost(p);
        // Back to original units: real rows carry the shift `lo`, dummy columns give it back.
        let u = (0..self.n1)
            .map(|i| {
                let shift = if i < self.nx { self.lo } else { 0.0 };
                -self.range * self.pi[i] + shift
            })
            .collect();
        let v = (0..self.n2)
            .map(|j| {
                let shift = if j < self.ny { 0.0 } else { -self.lo };
                self.range * self.pi[self.n1 + j] + shift
            })
            .collect();
        TransportSolution {
            plan,
            cost,
            u,
            v,
            status,
            iterations: self.iterations,
        }
    }
}

/// `(m, k)` with `m = min(0, min_k c[k] * inv + base - p[k])` attained at `k` (`usize::MAX` when
/// no entry is negative; the first `k` on ties). The minimum is taken in independent lanes so
/// that it vectorises: this loop is where the solver spends most of its time.
#[inline(always)]
pub(crate) fn min_reduced_cost(c: &[f64], p: &[f64], inv: f64, base: f64) -> (f64, usize) {
    let reduced = |c: f64, p: f64| c * inv + base - p;
    // The minimum first (one `minpd` a lane), then the first arc holding it (the same arc as
    // tracking the argmin in the lanes, at a fraction of the work).
    let m = least_paired(c, p, reduced);
    if m >= 0.0 {
        return (0.0, usize::MAX);
    }
    let idx = c.iter().zip(p).position(|(&c, &p)| reduced(c, p) == m);
    (m, idx.expect("the minimum is attained"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::uniform_marginals;

    /// The dense pricing's scans over the whole graph stop once the monitor is cancelled: the
    /// block search that finds nothing (at an optimum it covers every arc) within
    /// `CHECK_ROWS` rows' worth of arcs, the final exhaustive test at once; uncancelled, both
    /// prove the optimum.
    #[test]
    fn dense_scans_stop_when_cancelled() {
        let (nx, ny) = (3 * CHECK_ROWS, 8);
        let cost: Vec<f64> = (0..nx * ny)
            .map(|e| ((e * 7919) % 1009) as f64 / 1009.0)
            .collect();
        let (supply, demand) = uniform_marginals((nx, ny));
        let p = TransportProblem {
            cost: &cost,
            nx,
            ny,
            supply,
            demand,
        };
        let dense = SimplexOptions {
            dense_pricing: true,
            ..SimplexOptions::default()
        };
        let mut s = Simplex::new(&p, dense).expect("no monitor");
        assert!(s.candidates.is_none(), "narrow problems price densely");
        assert_eq!(s.run(None, None), Ok(SolveStatus::Optimal));
        let eps = s.eps();
        assert_eq!(s.find_entering_dense(eps, None), Ok(None));
        assert_eq!(s.find_entering_everywhere(eps, None), Ok(None));
        let cancelled = Monitor::new();
        cancelled.cancel();
        let stopped = Err(ParsmError::Interrupted);
        assert_eq!(s.find_entering_dense(eps, Some(&cancelled)), stopped);
        assert_eq!(s.find_entering_everywhere(eps, Some(&cancelled)), stopped);
    }
}
