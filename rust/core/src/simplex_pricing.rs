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
//!
//! ## Lists by estimated prices
//! A row's cheapest columns are not the columns it sends to when other rows want them too: an
//! optimal plan's arcs are those where `c_ij = u_i + v_j` for the optimal potentials, so a
//! row's arcs are its smallest `c_ij - v_j`. A column that many rows want is dear: its
//! potential `v_j` is low (its price `-v_j` high), so that `c_ij - v_j` is smallest only for
//! the rows it can serve. Where every row has the same mass and every column the same (soft
//! matching), the lists are chosen by `c_ij - v_j` with column potentials `v` estimated from
//! each row's cheapest columns ([`column_prices`]). Over the 20 bench pairs (200-800 units a
//! side, correlation costs) the simplex then needed 21 % fewer pivots (58,300 to 46,200) and
//! 10-15 % less time, estimate included (with the optimal potentials in its place, 41,900
//! pivots and a third less time: the estimate gets most of what better lists can give). On structured costs of 2,000 x
//! 2,001-2,100 units it was 1.2-2x faster (89 to 45 ms, 137 to 73 ms, 163 to 105 ms), on
//! duplicated units 7 %. The estimate costs a few passes over the lists, the lists a second
//! pass over the matrix. They only change the order of the pivots: the optimality test above
//! is the same. Where a mass path on the same costs reached s >= 0.5, its column potentials
//! are given instead (`crate::MassPath::soft_matching_prices`), and the estimate and the
//! pass it reads are skipped.

use crate::error::ParsmError;
use crate::monitor::Monitor;
use crate::select::{k_smallest, CHECK_ROWS};
use crate::simplex::min_reduced_cost;

/// `Err(Interrupted)` when `monitor` is cancelled, checked at every [`CHECK_ROWS`]-th row.
fn check_at(i: usize, monitor: Option<&Monitor>) -> Result<(), ParsmError> {
    match monitor {
        Some(m) if i.is_multiple_of(CHECK_ROWS) => m.check(),
        _ => Ok(()),
    }
}

/// Cheapest columns listed for each real row.
pub(crate) const PER_ROW: usize = 16;

/// Listed arcs per pricing block, in units of `sqrt(#listed)`: the lists are short and hold
/// mostly useful arcs, so a longer block than the dense pricing's (factor 1) finds a better
/// entering arc for its price (500 x 520 correlation costs: 3,200 pivots at 1, 2,600 at 2,
/// 2,300 at 4, for about the same time from 2 on). Since the lists are chosen by a mass path's
/// prices (`pairwise`, `compare`), 4 took 6 % less time than 2 on the 20 bench pairs (4
/// alternated runs each: 49.8-50.2 against 52.9-53.5 ms; 39,800 pivots against 47,500; 6 was
/// slower), 5 % less soft-matching time in whole pairs (2.90 against 3.05 ms, 300 pairs
/// alternated), and about as long on estimated prices (the bench pairs, and 1,000-2,400 units)
/// and on 12 structured, copied and network problems of 1,500-2,100 units.
const BLOCK_FACTOR: f64 = 4.0;

/// Rounds of [`column_prices`]' alternating row and column estimates (on the bench pairs,
/// estimated on each row's 16 cheapest columns: 8 rounds gave 46,200 pivots, 6 gave 48,500
/// and 4 gave 50,400, against 41,900 with the optimal potentials themselves).
const PRICE_ROUNDS: usize = 8;

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

/// The least of `value` over `arcs` (`+inf` for none; NaN values are passed over), in four
/// independent running minima: a single one made each arc wait for the previous comparison
/// (a dependency chain of `minsd`, about 4 cycles an arc), which was most of the pivots'
/// pricing time. Taking minima in another order gives the same least value.
#[inline(always)]
fn least_of(arcs: &[(u32, f64)], value: impl Fn(&(u32, f64)) -> f64) -> f64 {
    let mut least = [f64::INFINITY; 4];
    let mut quads = arcs.chunks_exact(4);
    for quad in &mut quads {
        for (l, a) in least.iter_mut().zip(quad) {
            let v = value(a);
            if v < *l {
                *l = v;
            }
        }
    }
    for a in quads.remainder() {
        let v = value(a);
        if v < least[0] {
            least[0] = v;
        }
    }
    let pair = |a: f64, b: f64| if b < a { b } else { a };
    pair(pair(least[0], least[1]), pair(least[2], least[3]))
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
    /// With `ranks = Some((r, c))` (every row has the same mass, which fills `r` columns, and
    /// every column the same, which takes `c` rows) the rows list their smallest `c_ij - v_j`
    /// for the prices `v` given (one a column), else for those [`column_prices`] estimates;
    /// otherwise their cheapest columns.
    /// Each column's cheapest row is listed too. Stops with [`ParsmError::Interrupted`] within
    /// [`CHECK_ROWS`] rows once `monitor` is cancelled.
    pub(crate) fn build(
        p: &Prices<'_>,
        ranks: Option<(usize, usize)>,
        given: Option<&[f64]>,
        monitor: Option<&Monitor>,
    ) -> Result<Option<Self>, ParsmError> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            #[allow(unsafe_code)]
            // SAFETY: `build_avx2` requires only the `avx2` target feature, which this CPU has
            // just been checked to have, and contains no unsafe operation. (Calling a
            // `#[target_feature]` function from code compiled without the feature is the one
            // operation Rust marks unsafe here.)
            return unsafe { Self::build_avx2(p, ranks, given, monitor) };
        }
        Self::build_any(p, ranks, given, monitor)
    }

    /// [`CandidateArcs::build_any`] compiled for AVX2: the passes over the matrix (column
    /// minima, each row's smallest values) run four values to an instruction, and the column
    /// minima's choice of row without a branch.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn build_avx2(
        p: &Prices<'_>,
        ranks: Option<(usize, usize)>,
        given: Option<&[f64]>,
        monitor: Option<&Monitor>,
    ) -> Result<Option<Self>, ParsmError> {
        Self::build_any(p, ranks, given, monitor)
    }

    /// The lists, inlined into both copies of [`CandidateArcs::build`].
    #[inline(always)]
    fn build_any(
        p: &Prices<'_>,
        ranks: Option<(usize, usize)>,
        given: Option<&[f64]>,
        monitor: Option<&Monitor>,
    ) -> Result<Option<Self>, ParsmError> {
        let (nx, ny) = (p.nx, p.ny);
        if nx * ny < MIN_ARCS || ny <= 4 * PER_ROW {
            return Ok(None);
        }
        // Each column's first cheapest row, kept without a branch: the row as an `f64` beside
        // the cost, so that both are chosen by one vector compare (beside a `u32` the compiler
        // kept a branch per entry, a fifth of the lists' building).
        let (mut col_cost, mut col_arg) = (vec![f64::INFINITY; ny], vec![-1.0f64; ny]);
        let mut cheapest = Vec::with_capacity(PER_ROW + 1);
        let mut lists: Vec<Vec<(u32, f64)>> = Vec::with_capacity(nx);
        // Prices given for uniform masses: the rows' cheapest columns, which only the estimate
        // reads, are not needed.
        let given = given.filter(|v| ranks.is_some() && v.len() == ny);
        for i in 0..nx {
            check_at(i, monitor)?;
            let row = &p.cost[i * ny..(i + 1) * ny];
            let at = i as f64;
            for ((best, arg), &c) in col_cost.iter_mut().zip(col_arg.iter_mut()).zip(row) {
                // Both written whatever the compare, by arithmetic rather than a choice (which
                // compiles to a masked store, slow on AMD CPUs): `arg` moves to `at` exactly
                // (whole numbers) where `c` is smaller, and `min` keeps `best` where `c` is NaN,
                // as `<` does.
                let step = f64::from(u8::from(c < *best));
                *arg += (at - *arg) * step;
                *best = best.min(c);
            }
            if given.is_some() {
                lists.push(Vec::with_capacity(PER_ROW + 1));
                continue;
            }
            k_smallest(row, PER_ROW, &mut cheapest);
            lists.push(cheapest.iter().map(|&(c, j)| (j, c)).collect());
        }
        let col_row: Vec<u32> = col_arg
            .iter()
            .map(|&a| if a < 0.0 { u32::MAX } else { a as u32 })
            .collect();
        if let Some((row_rank, col_rank)) = ranks {
            // The lists so far (unscaled costs) are what the prices are estimated on.
            let estimated;
            let prices = match given {
                Some(v) => v,
                None => {
                    estimated = column_prices(&lists, (&col_cost, &col_row), row_rank, col_rank);
                    &estimated
                }
            };
            let mut reduced = vec![0.0; ny];
            for (i, list) in lists.iter_mut().enumerate() {
                check_at(i, monitor)?;
                let row = &p.cost[i * ny..(i + 1) * ny];
                for ((r, &c), &v) in reduced.iter_mut().zip(row).zip(prices) {
                    *r = c - v;
                }
                k_smallest(&reduced, PER_ROW, &mut cheapest);
                list.clear();
                list.extend(cheapest.iter().map(|&(_, j)| (j, row[j as usize])));
            }
        }
        for list in &mut lists {
            for arc in list.iter_mut() {
                arc.1 = (arc.1 - p.lo) * p.inv;
            }
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
        Ok(Some(arcs))
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
            let list = &self.lists[i];
            let rc = |&(j, c): &(u32, f64)| c + pi_i - pi_cols[j as usize];
            let least = least_of(list, rc);
            if least < best.0 {
                // The row's first arc at its least reduced cost (the same bits: the same sum),
                // as a scan in order with a strict comparison picks.
                let k = list
                    .iter()
                    .position(|a| rc(a) == least)
                    .expect("the least is an arc's");
                best = (least, i * p.ny + list[k].0 as usize);
            }
            in_block += list.len();
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
    /// negative of all; `None` proves the tree optimal; [`ParsmError::Interrupted`] within
    /// [`CHECK_ROWS`] rows once `monitor` is cancelled. (Adding every arc that prices out made
    /// the lists hold 41 % of all arcs on smooth low-rank costs, and the pricing slower than
    /// over every arc.)
    pub(crate) fn refill(
        &mut self,
        p: &Prices<'_>,
        eps: f64,
        is_tree_arc: impl Fn(usize) -> bool,
        monitor: Option<&Monitor>,
    ) -> Result<Option<usize>, ParsmError> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            #[allow(unsafe_code)]
            // SAFETY: `refill_avx2` requires only the `avx2` target feature, which this CPU has
            // just been checked to have, and contains no unsafe operation (as in `build`).
            return unsafe { self.refill_avx2(p, eps, is_tree_arc, monitor) };
        }
        self.refill_any(p, eps, is_tree_arc, monitor)
    }

    /// [`CandidateArcs::refill`] compiled for AVX2: each row's least reduced cost (the pass
    /// over the whole matrix) four values to an instruction instead of two; soft matching 2 %
    /// faster on the bench pairs, the same pivots.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn refill_avx2(
        &mut self,
        p: &Prices<'_>,
        eps: f64,
        is_tree_arc: impl Fn(usize) -> bool,
        monitor: Option<&Monitor>,
    ) -> Result<Option<usize>, ParsmError> {
        self.refill_any(p, eps, is_tree_arc, monitor)
    }

    /// The refill, inlined into both copies of [`CandidateArcs::refill`].
    #[inline(always)]
    fn refill_any(
        &mut self,
        p: &Prices<'_>,
        eps: f64,
        is_tree_arc: impl Fn(usize) -> bool,
        monitor: Option<&Monitor>,
    ) -> Result<Option<usize>, ParsmError> {
        let pi_cols = p.pi_cols();
        let mut best = (-eps, usize::MAX);
        let mut found = Vec::with_capacity(PER_ROW + 1);
        let mut violations = Vec::with_capacity(p.ny);
        for (i, list) in self.lists.iter_mut().enumerate() {
            check_at(i, monitor)?;
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
        Ok((best.1 != usize::MAX).then_some(best.1))
    }

    /// Every listed arc as `(row, column)`.
    #[cfg(test)]
    fn listed_pairs(&self) -> std::collections::HashSet<(usize, usize)> {
        let rows = self.lists.iter().enumerate();
        rows.flat_map(|(i, l)| l.iter().map(move |&(j, _)| (i, j as usize)))
            .collect()
    }

    fn resize_block(&mut self) {
        self.block = (BLOCK_FACTOR * (self.listed as f64).sqrt()).ceil() as usize;
    }
}

/// Estimated column potentials `v` (`c_ij >= u_i + v_j`, tight on the plan's arcs; a column's
/// price is `-v_j`), from each row's listed columns `(column, cost)` and each
/// column's cheapest row `(cost, row)`, for rows whose mass fills `row_rank` columns and
/// columns that take `col_rank` rows.
///
/// Alternating rounds: each row's level `u_i` is its `row_rank`-th smallest `c_ij - v_j`
/// (the level at which its mass finds room, were the other rows not there), then each
/// column's price `v_j` its `col_rank`-th smallest `c_ij - u_i` over the rows that list it
/// (what the rows bid for it). Columns that many rows list at low levels so get lower
/// potentials (rise in price), and those rows' lists move on to columns they can have. A
/// heuristic: only the lists depend on it.
fn column_prices(
    lists: &[Vec<(u32, f64)>],
    (col_cost, col_row): (&[f64], &[u32]),
    row_rank: usize,
    col_rank: usize,
) -> Vec<f64> {
    let (nx, ny) = (lists.len(), col_cost.len());
    // The same arcs column by column: `(row, cost)`, column `j`'s at `by_col[at[j]..at[j + 1]]`.
    let mut at = vec![0usize; ny + 1];
    let arcs = lists
        .iter()
        .enumerate()
        .flat_map(|(i, l)| l.iter().map(move |&(j, c)| (i as u32, j, c)))
        .chain(
            col_row
                .iter()
                .zip(col_cost)
                .enumerate()
                .filter(|&(_, (&i, _))| i != u32::MAX)
                .map(|(j, (&i, &c))| (i, j as u32, c)),
        );
    for (_, j, _) in arcs.clone() {
        at[j as usize + 1] += 1;
    }
    for j in 0..ny {
        at[j + 1] += at[j];
    }
    let mut fill = at.clone();
    let mut by_col = vec![(0u32, 0.0f64); at[ny]];
    for (i, j, c) in arcs {
        by_col[fill[j as usize]] = (i, c);
        fill[j as usize] += 1;
    }
    let (mut u, mut v) = (vec![0.0; nx], vec![0.0; ny]);
    let mut values = Vec::new();
    for _ in 0..PRICE_ROUNDS {
        for (ui, list) in u.iter_mut().zip(lists) {
            values.clear();
            values.extend(list.iter().map(|&(j, c)| c - v[j as usize]));
            *ui = kth_smallest(&mut values, row_rank);
        }
        for (j, vj) in v.iter_mut().enumerate() {
            values.clear();
            values.extend(
                by_col[at[j]..at[j + 1]]
                    .iter()
                    .map(|&(i, c)| c - u[i as usize]),
            );
            if !values.is_empty() {
                *vj = kth_smallest(&mut values, col_rank);
            }
        }
    }
    v
}

/// The `k`-th smallest (`k >= 1`) of `values` (finite), or their largest when there are
/// fewer; `values` is reordered.
fn kth_smallest(values: &mut [f64], k: usize) -> f64 {
    if values.len() <= k {
        return values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    }
    if k == 1 {
        return values.iter().copied().fold(f64::INFINITY, f64::min);
    }
    if k <= SMALL_RANK {
        // The k smallest so far, ascending, by insertion.
        let mut best = [f64::INFINITY; SMALL_RANK];
        for &x in values.iter() {
            if x < best[k - 1] {
                let mut at = k - 1;
                while at > 0 && best[at - 1] > x {
                    best[at] = best[at - 1];
                    at -= 1;
                }
                best[at] = x;
            }
        }
        return best[k - 1];
    }
    *values.select_nth_unstable_by(k - 1, f64::total_cmp).1
}

/// Ranks up to which [`kth_smallest`] keeps the smallest values by insertion.
const SMALL_RANK: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simplex::{solve, SimplexOptions, TransportProblem};

    /// The four running minima give the least value a scan in order gives, for every length
    /// around the four-arc step, with NaN (passed over), ties and signed zeros; and the first
    /// arc at that value is the one a scan with a strict comparison picks.
    #[test]
    fn least_of_is_the_least_a_scan_in_order_finds() {
        let pool = [
            0.5,
            -1.0,
            f64::NAN,
            -1.0,
            0.0,
            -0.0,
            2.0,
            -3.5,
            -3.5,
            f64::INFINITY,
            1e-300,
        ];
        for len in 0..=pool.len() {
            for shift in 0..pool.len() {
                let arcs: Vec<(u32, f64)> = (0..len)
                    .map(|k| (k as u32, pool[(k + shift) % pool.len()]))
                    .collect();
                let value = |&(_, c): &(u32, f64)| c;
                let mut scan = (f64::INFINITY, usize::MAX);
                for (k, a) in arcs.iter().enumerate() {
                    if value(a) < scan.0 {
                        scan = (value(a), k);
                    }
                }
                let least = least_of(&arcs, value);
                assert_eq!(least, scan.0, "len {len}, shift {shift}");
                if scan.1 != usize::MAX {
                    assert_eq!(arcs.iter().position(|a| value(a) == least), Some(scan.1));
                }
            }
        }
    }

    /// Costs where every row prefers the same few "hub" columns (low base cost), which can
    /// take only a small share of the mass: the rows' cheapest columns are a poor guess of
    /// where they send.
    fn hub_costs(nx: usize, ny: usize) -> Vec<f64> {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut uniform = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let base: Vec<f64> = (0..ny)
            .map(|j| if j % 10 == 0 { 0.0 } else { 0.5 })
            .collect();
        (0..nx * ny)
            .map(|e| base[e % ny] + 0.3 * uniform())
            .collect()
    }

    /// Share of the optimal plan's arcs that the starting lists hold.
    fn coverage(lists: &CandidateArcs, plan: &[(usize, usize)]) -> f64 {
        let listed = lists.listed_pairs();
        let held = plan
            .iter()
            .filter(|&&(i, j)| listed.contains(&(i, j)))
            .count();
        held as f64 / plan.len() as f64
    }

    #[test]
    fn estimated_prices_list_more_of_the_optimal_plan() {
        let (nx, ny) = (300, 420);
        let c = hub_costs(nx, ny);
        let p = TransportProblem {
            cost: &c,
            nx,
            ny,
            supply: vec![1.0 / nx as f64; nx],
            demand: vec![1.0 / ny as f64; ny],
        };
        let dense = SimplexOptions {
            dense_pricing: true,
            ..Default::default()
        };
        let sol = solve(&p, dense).unwrap();
        let plan: Vec<(usize, usize)> = (0..nx)
            .flat_map(|i| (0..ny).map(move |j| (i, j)))
            .filter(|&(i, j)| sol.plan[[i, j]] > 1e-15)
            .collect();
        let (lo, hi) = (0.0, 0.3 + 0.5);
        let prices = Prices {
            cost: &c,
            nx,
            ny,
            lo,
            inv: 1.0 / (hi - lo),
            pi: &[],
        };
        let by_cost = CandidateArcs::build(&prices, None, None, None)
            .unwrap()
            .unwrap();
        let by_price = CandidateArcs::build(&prices, Some((2, 1)), None, None)
            .unwrap()
            .unwrap();
        let (a, b) = (coverage(&by_cost, &plan), coverage(&by_price, &plan));
        assert!(
            b >= 0.85 && b > a + 0.25,
            "lists by cost hold {a:.3} of the plan's arcs, by estimated prices {b:.3}"
        );
        // Lists of the same length either way (plus the columns' cheapest rows).
        assert!(by_price.listed <= nx * PER_ROW + ny);
    }

    #[test]
    fn passes_over_the_matrix_stop_when_cancelled() {
        // Building the lists and refilling them each read the whole matrix: on voxel-scale
        // problems seconds of work that must stop on Ctrl-C.
        let (nx, ny) = (300, 420);
        let c = hub_costs(nx, ny);
        let pi = vec![0.0; nx + ny];
        let prices = Prices {
            cost: &c,
            nx,
            ny,
            lo: 0.0,
            inv: 1.0,
            pi: &pi,
        };
        let cancelled = Monitor::new();
        cancelled.cancel();
        for ranks in [None, Some((2, 1))] {
            let built = CandidateArcs::build(&prices, ranks, None, Some(&cancelled));
            assert!(matches!(built, Err(ParsmError::Interrupted)));
        }
        let mut lists = CandidateArcs::build(&prices, None, None, None)
            .unwrap()
            .unwrap();
        let refilled = lists.refill(&prices, 1e-12, |_| false, Some(&cancelled));
        assert!(matches!(refilled, Err(ParsmError::Interrupted)));
        // Not cancelled, the same calls answer.
        assert!(lists.refill(&prices, 1e-12, |_| false, None).is_ok());
    }
}
