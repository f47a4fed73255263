//! The shortest augmenting path search behind [`crate::MassPath`]: Dijkstra on the dense
//! residual graph of partial transport, from every free row at once.
//!
//! ## The graph
//! Rows (units of X) and columns (units of Y) with integer capacities `row_cap` and `col_cap`.
//! A super-source feeds every row with spare capacity (a *free* row) and every column with
//! spare capacity (a *free* column) feeds a super-sink. Residual arcs are `i -> j` for every
//! pair (cost `C_ij`) and `j -> i` where `(i, j)` carries flow (cost `-C_ij`). Node potentials
//! `pr`, `pc` keep the reduced costs `rc(i -> j) = C_ij - shift + pr_i - pc_j` nonnegative (and
//! 0 on flow arcs, both ways). Free rows keep potential 0, free columns share one potential
//! `p_free`, so the source and sink arcs all have reduced cost 0: free rows sit at distance 0
//! and the search ends at the first free column it labels.
//!
//! ## The search
//! All free rows are one implicit source, through each column's cheapest free row (kept with
//! its runners-up, [`ColumnRunnersUp`], since rows only ever fill). A labeled column leads back
//! to the full rows that send it flow; a labeled full row relaxes the columns of its row of
//! `C`. On rows long enough, only its candidate columns, leaving a bound for the rest that is
//! relaxed in full only if it comes up ([`crate::path_candidates`]), and full columns fed only
//! by free rows are never labeled ([`Search::dead_end`]). Both keep the paths shortest;
//! at 500-800 units a side they cut the path to s = 0.5 by 2.2x (14.1 to 6.5 ms a pair on
//! `bench_pairwise`'s populations).
//!
//! ## The potential update
//! Dijkstra stops at the sink's distance `D`. Every node moves by `min(d(v), D)`: labeled
//! nodes by their distance, every other node by `D` (or by its key where that is smaller,
//! which for an unlabeled column is its exact distance: every row closer than `D` is labeled
//! and has relaxed it). This keeps every reduced cost nonnegative, makes the path's arcs tight
//! (their reversals enter the residual graph with reduced cost 0), and moves free rows by 0 and
//! free columns by `D`, so the source and sink arcs stay at 0.
//!
//! ## Searches that go on
//! Near s = 1 a search labels most columns before it meets a free one, and the next search,
//! after a small augmentation, labels nearly all of them again: after the potential update the
//! last search tree's arcs are tight, so every node it labeled sits at distance 0 again unless
//! the augmentation cut it off. On costs of low effective rank with `Nx != Ny` (voxels or
//! channels driven by shared signals) the path has about six times as many augmentations as
//! units, most of them moving a row's remainder, and at 2,000 x 2,037 a search labeled 730
//! columns on average, of which the augmentation cut off 13 %.
//!
//! So from [`CARRY_FROM`] labeled columns on, a search **carries its labels** into the next:
//! - the potential update shifts every key by its column's move instead of restarting the
//!   keys ([`Search::update_potentials`]), and labeled nodes stay labeled, at distance 0;
//! - the augmentation *cuts* the rows whose backward arc on the path it emptied, and the
//!   path's first row if it filled (it was a source); the labels under a cut row (its subtree
//!   of the search tree, found by walking the predecessors up) are dropped, as are the keys
//!   those rows gave. Each such column gets its key again from the free rows and from the
//!   labeled rows that list it ([`RowLists::listers`]); a labeled row that does not list it
//!   offers no less than its pending bound, which is entered again;
//! - rows under a cut that a labeled column still sends flow to are labeled again (and the
//!   rows behind the path's last column, if it filled and kept its label), and the search
//!   goes on from there ([`Search::repair`]). Where the cut subtrees hold more than half of
//!   the labels it starts over instead.
//!
//! Every key is then again the least offer of the labeled rows (or a bound of it), the search
//! is Dijkstra's from the same tight labels, and it finds the same shortest path as a search
//! started over: the paths were the same bit for bit on every matrix compared (20 bench pairs,
//! structured, von Mises, planted, integer, copied and network costs up to 2,048 a side), and
//! the same mass path ζ where exact ties let them differ (duplicated units). Whole paths were
//! 1.5-1.8x faster on structured and low-rank costs (2,000 x 2,037: 4.2 to 2.8 s; 2,000 x 2,100:
//! 1.5 to 1.0 s; 1,500 latent: 0.22 to 0.12 s), 1.1-1.5x on the others, and paths to
//! s = 0.5 as fast as before.
//!
//! ## Why not bidirectional
//! Square problems used to search from both ends (a backward side from all free columns on a
//! transposed copy of `C`), because the forward side alone labeled most rows once few free
//! columns were left. With candidate lists the one-sided search is faster on every square
//! problem measured, and needs no second copy of `C`: 1.1-4x at n = 500, 1.5-8x at 1,500 and
//! 1.2-11x at 4,000 (path to s = 0.5 and to 1; latent, von Mises, sparse, noise, planted, copy,
//! uniform and integer costs), against the two-sided search on two threads at 4,000.

use crate::error::ParsmError;
use crate::monitor::Monitor;
use crate::path_candidates::{Pending, PendingRows, RowLists, MIN_ROW};
use crate::scalar::Cost;
use crate::select::{column_thresholds, greatest, least, least_paired, CHECK_ROWS};

pub(crate) const NONE: u32 = u32::MAX;

/// The search's own arrays: column keys (NaN once labeled; the distance then sits in `d_col`)
/// and predecessors.
struct Forward {
    key: Vec<f64>,
    d_col: Vec<f64>,
    pred_col: Vec<u32>,
    pred_row: Vec<u32>,
    touched_rows: Vec<u32>,
    /// The labeled columns.
    labeled: Vec<u32>,
    /// The rows the last step labeled, with their distances (reused, not reallocated).
    new_rows: Vec<(u32, f64)>,
    /// `(min key, argmin)` of the unlabeled columns that are not dead ends.
    top: (f64, usize),
    /// `(min key, argmin)` of each block of [`BLOCK`] columns: a step that labels a column
    /// without relaxing a row then rescans one block and the block minima, not every column.
    blocks: BlockMinima,
    /// Candidate columns of the rows (rows of at least [`MIN_ROW`] columns; see
    /// [`crate::path_candidates`]), and the search's pending row bounds.
    lists: Option<RowLists>,
    pending: PendingRows,
}

/// A search carries its labels into the next one from this many labeled columns (see
/// "Searches that go on" in the module docs).
const CARRY_FROM: usize = 64;

/// Columns per block of [`Forward::blocks`].
const BLOCK: usize = 64;

/// `(min, argmin)` of `key + dead` over block `b`, ignoring NaN, lowest index first on ties;
/// `(inf, usize::MAX)` if none is finite. Independent lanes, so that it vectorises.
#[inline(always)]
fn block_min(key: &[f64], dead: &[f64], b: usize) -> (f64, usize) {
    let lo = b * BLOCK;
    let hi = (lo + BLOCK).min(key.len());
    let (m, j) = first_least_sum(&key[lo..hi], &dead[lo..hi]);
    (m, if j == usize::MAX { j } else { lo + j })
}

/// `(min, first argmin)` of `a[j] + b[j]`, ignoring NaN; `(inf, usize::MAX)` if none is
/// finite.
#[inline(always)]
fn first_least_sum(a: &[f64], b: &[f64]) -> (f64, usize) {
    const LANES: usize = 8;
    // The minimum first (one `minpd` a lane), then the first position holding it: the same
    // position as tracking the argmin in the lanes, at a fraction of the work.
    let m = least_paired(a, b, |x, y| x + y);
    if m == f64::INFINITY {
        return (m, usize::MAX);
    }
    // Eight at a time (one vectorised compare), then the position within the chunk.
    let holds = |x: &f64, y: &f64| x + y == m;
    let chunk = a
        .chunks(LANES)
        .zip(b.chunks(LANES))
        .position(|(xs, ys)| {
            xs.iter()
                .zip(ys)
                .fold(false, |hit, (x, y)| hit | holds(x, y))
        })
        .expect("the minimum is attained");
    let (xs, ys) = (&a[chunk * LANES..], &b[chunk * LANES..]);
    let within = xs.iter().zip(ys).position(|(x, y)| holds(x, y));
    (m, chunk * LANES + within.expect("the chunk holds it"))
}

/// The `(min, argmin)` of `key + dead` over each block of [`BLOCK`] columns, the minima and
/// their columns in separate arrays, so that the least of the minima is one vectorised pass.
struct BlockMinima {
    min: Vec<f64>,
    arg: Vec<usize>,
}

impl BlockMinima {
    fn new(ny: usize) -> Self {
        let n = ny.div_ceil(BLOCK);
        BlockMinima {
            min: vec![f64::INFINITY; n],
            arg: vec![usize::MAX; n],
        }
    }

    /// Recomputes block `b`.
    #[inline(always)]
    fn rescan(&mut self, key: &[f64], dead: &[f64], b: usize) {
        (self.min[b], self.arg[b]) = block_min(key, dead, b);
    }

    /// Recomputes every block.
    #[inline(always)]
    fn refresh(&mut self, key: &[f64], dead: &[f64]) {
        for b in 0..self.min.len() {
            self.rescan(key, dead, b);
        }
    }

    /// Column `j`'s key plus dead mark dropped to `v`: its block's minimum if it is below it
    /// (or equal to it at a lower column).
    #[inline(always)]
    fn offer(&mut self, v: f64, j: usize) {
        let b = j / BLOCK;
        if v < self.min[b] || (v == self.min[b] && j < self.arg[b]) {
            self.min[b] = v;
            self.arg[b] = j;
        }
    }

    /// The least of the block minima, lowest column first on ties (as an argmin over all
    /// columns would choose); `(inf, usize::MAX)` when every block is empty.
    #[inline(always)]
    fn top(&self) -> (f64, usize) {
        let m = least(&self.min);
        if m == f64::INFINITY {
            return (m, usize::MAX);
        }
        let b = self
            .min
            .iter()
            .position(|&v| v == m)
            .expect("the minimum is attained");
        (m, self.arg[b])
    }
}

/// What a step reads of the search state.
struct Shared<'s, T: Cost> {
    c: &'s [T],
    ny: usize,
    shift: f64,
    row_cap: u64,
    col_cap: u64,
    row_flow: &'s [u64],
    col_flow: &'s [u64],
    col_arcs: &'s [Vec<FlowArc>],
    pr: &'s [f64],
    pc: &'s [f64],
    d_row: &'s [f64],
    dead: &'s [f64],
    p_free: f64,
}

impl<T: Cost> Shared<'_, T> {
    #[inline(always)]
    fn row_free(&self, i: usize) -> bool {
        self.row_flow[i] < self.row_cap
    }

    /// Reduced cost of the backward (flow) arc `j -> i` of cost `c`: 0 up to rounding, clamped
    /// at 0.
    #[inline(always)]
    fn rc_flow(&self, i: usize, j: usize, c: f64) -> f64 {
        (self.pc[j] - (c - self.shift) - self.pr[i]).max(0.0)
    }
}

impl Forward {
    /// Labels the closest unlabeled column and the full rows that send it flow, relaxing the
    /// columns of each (the listed ones where rows have lists); leaves the next frontier in
    /// `top`. Returns the column, or `None` where the step relaxed a pending row in full
    /// instead.
    #[inline(always)]
    fn step<T: Cost>(&mut self, sh: &Shared<'_, T>) -> Option<usize> {
        if self.lists.is_some() {
            return self.step_listed(sh);
        }
        let j = self.label_top(sh);
        let relaxed = !self.new_rows.is_empty();
        for k in 0..self.new_rows.len() {
            let (i, di) = self.new_rows[k];
            self.relax_row(sh, i as usize, di, false);
        }
        // The keys changed everywhere after a relaxation, in column j's block only otherwise.
        self.next_top(sh, j, relaxed);
        Some(j)
    }

    /// The next frontier after labeling column `j`: from every block where keys changed
    /// `everywhere`, else from a rescan of `j`'s block.
    #[inline(always)]
    fn next_top<T: Cost>(&mut self, sh: &Shared<'_, T>, j: usize, everywhere: bool) {
        if everywhere {
            self.blocks.refresh(&self.key, sh.dead);
        } else {
            self.blocks.rescan(&self.key, sh.dead, j / BLOCK);
        }
        self.top = self.blocks.top();
    }

    /// Labels the closest unlabeled column and the full rows that send it flow (into
    /// `new_rows`, with their distances and predecessors; free rows are the source and labeled
    /// rows are done), and returns the column.
    #[inline(always)]
    fn label_top<T: Cost>(&mut self, sh: &Shared<'_, T>) -> usize {
        let (dj, j) = self.top;
        self.d_col[j] = dj;
        self.key[j] = f64::NAN;
        self.labeled.push(j as u32);
        self.new_rows.clear();
        if sh.col_flow[j] >= sh.col_cap {
            for &(i, _, c) in &sh.col_arcs[j] {
                let i = i as usize;
                if sh.row_free(i) || sh.d_row[i] != f64::INFINITY {
                    continue;
                }
                self.new_rows.push((i as u32, dj + sh.rc_flow(i, j, c)));
                self.pred_row[i] = j as u32;
                self.touched_rows.push(i as u32);
            }
        }
        j
    }

    /// The smallest key of the search: of a column, or of a pending row bound.
    #[inline(always)]
    fn frontier(&self) -> f64 {
        self.pending
            .peek()
            .map_or(self.top.0, |p| p.bound.min(self.top.0))
    }

    /// [`Forward::step`] with candidate lists: either relaxes in full the row whose pending
    /// bound is the search's minimum, or labels the closest column and relaxes the listed
    /// columns of the full rows behind it (in full where a row has no list yet), entering
    /// their bounds.
    #[inline(always)]
    fn step_listed<T: Cost>(&mut self, sh: &Shared<'_, T>) -> Option<usize> {
        self.new_rows.clear();
        if let Some(&Pending { bound, row }) = self.pending.peek() {
            if bound < self.top.0 {
                self.pending.pop();
                let i = row as usize;
                self.relax_row(sh, i, sh.d_row[i], true);
                self.blocks.refresh(&self.key, sh.dead);
                self.top = self.blocks.top();
                return None;
            }
        }
        let j = self.label_top(sh);
        let dense = self.relax_new_rows(sh);
        self.next_top(sh, j, dense);
        Some(j)
    }

    /// Relaxes the listed columns of the rows in `new_rows` and enters their bounds (in full,
    /// without a bound, where a row has no list yet); returns whether any row was relaxed in
    /// full (the block minima then need a refresh, not one block's rescan).
    #[inline(always)]
    fn relax_new_rows<T: Cost>(&mut self, sh: &Shared<'_, T>) -> bool {
        let mut dense = false;
        for k in 0..self.new_rows.len() {
            let (i, di) = self.new_rows[k];
            let i = i as usize;
            let lists = self.lists.as_ref().expect("listed search");
            if !lists.has(i) {
                self.relax_row(sh, i, di, false);
                dense = true;
                continue;
            }
            let base = di + sh.pr[i] - sh.shift;
            let (cols, costs) = lists.arcs(i);
            for (&jj, &cij) in cols.iter().zip(costs) {
                let jj = jj as usize;
                // Costs and potentials are finite: a plain comparison, not f64::max's NaN rules.
                let v = base + cij - sh.pc[jj];
                let nd = if v > di { v } else { di };
                if nd < self.key[jj] {
                    self.key[jj] = nd;
                    self.pred_col[jj] = i as u32;
                    self.blocks.offer(nd + sh.dead[jj], jj);
                }
            }
            let bound = lists.bound(i, base, sh.p_free).max(di);
            self.pending.push(Pending {
                bound,
                row: i as u32,
            });
        }
        dense
    }

    /// Relaxes every column from row `i` at distance `di` and rebuilds its list with the
    /// current potentials, twice as long with `grow` (its bound came up); the caller refreshes
    /// the block minima.
    #[inline(always)]
    fn relax_row<T: Cost>(&mut self, sh: &Shared<'_, T>, i: usize, di: f64, grow: bool) {
        let row = &sh.c[i * sh.ny..(i + 1) * sh.ny];
        let base = di + sh.pr[i] - sh.shift;
        relax::<T>(
            row,
            sh.pc,
            base,
            di,
            i as u32,
            &mut self.key,
            &mut self.pred_col,
        );
        if let Some(lists) = self.lists.as_mut() {
            lists.rebuild(i, row, sh.pc, sh.p_free, grow);
        }
    }
}

/// The [`Shared`] view of a [`Search`], borrowing field by field so that the search's own
/// arrays stay free to borrow mutably.
macro_rules! shared {
    ($s:ident) => {
        Shared {
            c: $s.c,
            ny: $s.ny,
            shift: $s.shift,
            row_cap: $s.row_cap,
            col_cap: $s.col_cap,
            row_flow: &$s.row_flow,
            col_flow: &$s.col_flow,
            col_arcs: &$s.col_arcs,
            pr: &$s.pr,
            pc: &$s.pc,
            d_row: &$s.d_row,
            dead: &$s.dead,
            p_free: $s.p_free,
        }
    };
}

/// State of the path engine: flows, potentials and the search scratch.
pub(crate) struct Search<'a, T: Cost> {
    c: &'a [T],
    monitor: &'a Monitor,
    /// `min(C)`: reduced costs use `C - shift >= 0`, so every potential can start at 0.
    shift: f64,
    nx: usize,
    ny: usize,
    row_cap: u64,
    col_cap: u64,
    pub(crate) row_flow: Vec<u64>,
    pub(crate) col_flow: Vec<u64>,
    /// Flow arcs into each column `(row, units, C_ij)` and out of each row `(column, units,
    /// C_ij)`: the cost beside the arc, because a labeled column reads its arcs' reduced costs,
    /// and reading them from `C` (a scattered entry of a matrix far larger than the caches) was
    /// a fifth of a structured path's search at 4,000 units a side.
    col_arcs: Vec<Vec<FlowArc>>,
    row_arcs: Vec<Vec<FlowArc>>,
    pr: Vec<f64>,
    pc: Vec<f64>,
    /// The potential every free column shares.
    p_free: f64,
    /// Minimum of `C[i, j]` over free rows `i`, per column.
    colmin: Vec<f64>,
    colarg: Vec<u32>,
    /// The columns whose `colarg` each row is, as linked lists: row `i`'s first column in
    /// `given[i]`, each column's next in `given_next` (`NONE` ends a list). A row that fills
    /// walks its own list instead of every column (174 rows a pair on the bench pairs, each
    /// a pass over 500-800 columns: about 1 % of a pair).
    given: Vec<u32>,
    given_next: Vec<u32>,
    /// Per column, the next-cheapest free rows after `colarg` from its last scan.
    runners_up: ColumnRunnersUp,
    /// Distances of rows: 0 for free rows (the source), finite once labeled.
    d_row: Vec<f64>,
    /// Distance from each column to the sink: 0 for a free column, `+inf` for a full one.
    to_sink: Vec<f64>,
    /// `+inf` for a *dead-end* column, 0 otherwise (see [`Search::dead_end`]); added to
    /// the keys where the search picks its next column.
    dead: Vec<f64>,
    fwd: Forward,
    /// Whether the last search's labels are carried into the next one (see "Searches that go
    /// on" in the module docs); the potential update then shifts the keys instead of
    /// restarting them.
    carry: bool,
    /// Labeled columns from which a search carries its labels (tests set it out of reach to
    /// compare with searches that start over).
    pub(crate) carry_from: usize,
    /// Searches that went on from the last one.
    pub(crate) carried: u64,
    /// The last augmenting path, `r0 c0 … rk ck`, which the next search repairs around.
    last_path: Vec<u32>,
    /// Marks of the repair's walk up the search tree, valid where stamped with `epoch`:
    /// whether a row lies under a cut (`under_cut`), and the cut rows themselves.
    walked: Vec<u32>,
    under_cut: Vec<bool>,
    cut: Vec<u32>,
    epoch: u32,
    /// Scratch of the repair: a walk's rows, the cut columns and rows, and the columns a cut
    /// row had keyed.
    chain: Vec<u32>,
    cut_cols: Vec<u32>,
    cut_rows: Vec<u32>,
    stale: Vec<u32>,
}

impl<'a, T: Cost> Search<'a, T> {
    /// The node potentials `(pr, pc)`: `C_ij - shift + pr_i - pc_j >= 0` on every arc.
    pub(crate) fn potentials(&self) -> (Vec<f64>, Vec<f64>) {
        (self.pr.clone(), self.pc.clone())
    }

    #[inline(always)]
    pub(crate) fn new(
        c: &'a [T],
        nx: usize,
        ny: usize,
        caps: (u64, u64),
        monitor: &'a Monitor,
    ) -> Result<Self, ParsmError> {
        let (row_cap, col_cap) = caps;
        let mut tops = vec![RunnersUp::default(); ny];
        // Only entries at most their column's threshold can be among its cheapest rows; offered
        // in increasing row order, they leave the lists a scan offering every entry leaves.
        // A column's threshold then falls to its greatest listed offer once it lists
        // `RUNNERS_UP` (a larger entry would not enter): on the bench pairs the pass took 0.31
        // instead of 0.39 ms a pair. Both passes over `c` check for cancellation (seconds at
        // 40,000 units a side).
        let mut tau = column_thresholds(c, nx, ny, RUNNERS_UP, monitor)?;
        let body = ny - ny % 8;
        for i in 0..nx {
            if i.is_multiple_of(CHECK_ROWS) {
                monitor.check()?;
            }
            let row = &c[i * ny..(i + 1) * ny];
            for k in (0..body).step_by(8) {
                let (chunk, taus) = (&row[k..k + 8], &tau[k..k + 8]);
                let mut hit = false;
                for d in 0..8 {
                    hit |= chunk[d].get() <= taus[d];
                }
                if !hit {
                    continue;
                }
                for d in 0..8 {
                    offer_below(&mut tops[k + d], &mut tau[k + d], row[k + d].get(), i);
                }
            }
            for j in body..ny {
                offer_below(&mut tops[j], &mut tau[j], row[j].get(), i);
            }
        }
        let mut runners_up = ColumnRunnersUp::new(ny);
        let (mut colmin, mut colarg) = (vec![f64::INFINITY; ny], vec![NONE; ny]);
        for (j, top) in tops.iter().enumerate() {
            (colmin[j], colarg[j]) = top.first();
            runners_up.store(j, top);
        }
        let (mut given, mut given_next) = (vec![NONE; nx], vec![NONE; ny]);
        for (j, &arg) in colarg.iter().enumerate().rev() {
            if arg != NONE {
                given_next[j] = given[arg as usize];
                given[arg as usize] = j as u32;
            }
        }
        let shift = colmin.iter().copied().fold(f64::INFINITY, f64::min);
        let mut search = Search {
            c,
            monitor,
            shift,
            nx,
            ny,
            row_cap,
            col_cap,
            row_flow: vec![0; nx],
            col_flow: vec![0; ny],
            col_arcs: vec![Vec::new(); ny],
            row_arcs: vec![Vec::new(); nx],
            pr: vec![0.0; nx],
            pc: vec![0.0; ny],
            p_free: 0.0,
            colmin,
            colarg,
            given,
            given_next,
            runners_up,
            d_row: vec![0.0; nx],   // all rows start free
            to_sink: vec![0.0; ny], // all columns start free
            dead: vec![0.0; ny],
            fwd: Forward {
                key: vec![f64::INFINITY; ny],
                d_col: vec![f64::INFINITY; ny],
                pred_col: vec![NONE; ny],
                pred_row: vec![NONE; nx],
                touched_rows: Vec::new(),
                labeled: Vec::new(),
                new_rows: Vec::new(),
                top: (f64::INFINITY, usize::MAX),
                blocks: BlockMinima::new(ny),
                lists: (ny >= MIN_ROW).then(|| RowLists::new(nx, ny)),
                pending: PendingRows::new(),
            },
            carry: false,
            carry_from: CARRY_FROM,
            carried: 0,
            last_path: Vec::new(),
            walked: vec![0; nx],
            under_cut: vec![false; nx],
            cut: vec![0; nx],
            epoch: 0,
            chain: Vec::new(),
            cut_cols: Vec::new(),
            cut_rows: Vec::new(),
            stale: Vec::new(),
        };
        for j in 0..ny {
            search.start_key(j);
        }
        Ok(search)
    }

    /// Column `j`'s key at the start of a search: its reduced distance from the cheapest free
    /// row, `max(colmin - shift - pc, 0)` (infinite when no row is free), reached from that
    /// row. Kept current between searches, where `pc` and `colmin` change (the potential
    /// update and [`Search::retire_row`]), so that a search starts without a pass of its own.
    #[inline(always)]
    fn start_key(&mut self, j: usize) {
        let arg = self.colarg[j];
        self.fwd.key[j] = if arg == NONE {
            f64::INFINITY
        } else {
            (self.colmin[j] - self.shift - self.pc[j]).max(0.0)
        };
        self.fwd.pred_col[j] = arg;
    }

    /// Whether column `j` is a *dead end*, as 0 or `+inf`: a full column whose flow comes only
    /// from free rows. Such a column leads nowhere (the rows behind it are the source, at
    /// distance 0), so the search never needs to label it: it only needs its final key, which
    /// the potential update reads. Skipping them saves most of the search's steps on
    /// rectangular problems, where most rows stay partly free for a long time (at 500 x 520
    /// and s = 0.5, about 19 of every 20 labeled columns were dead ends). The marks are kept
    /// current by [`Search::augment`], for the columns whose flow arcs or rows it changes: a
    /// pass over every column and its arcs before each search was a twelfth of a path's time.
    #[inline(always)]
    fn dead_end(&self, j: usize) -> f64 {
        let dead = self.col_flow[j] >= self.col_cap
            && self.col_arcs[j]
                .iter()
                .all(|&(i, _, _)| self.row_flow[i as usize] < self.row_cap);
        if dead {
            f64::INFINITY
        } else {
            0.0
        }
    }

    #[inline(always)]
    pub(crate) fn cost(&self, i: usize, j: usize) -> f64 {
        self.c[i * self.ny + j].get()
    }

    #[inline(always)]
    fn row_free(&self, i: usize) -> bool {
        self.row_flow[i] < self.row_cap
    }

    /// Units on the flow arc `(i, j)`.
    #[inline(always)]
    pub(crate) fn flow_on(&self, i: usize, j: usize) -> u64 {
        self.col_arcs[j]
            .iter()
            .find(|(r, _, _)| *r as usize == i)
            .map_or(0, |&(_, u, _)| u)
    }

    /// Spare capacity of the start row and end column, and the flow on every backward arc, of
    /// the path `r0 c0 r1 c1 … rk ck`.
    #[inline(always)]
    pub(crate) fn residual(&self, seq: &[u32]) -> u64 {
        let (r0, ck) = (seq[0] as usize, seq[seq.len() - 1] as usize);
        let mut amount = (self.row_cap - self.row_flow[r0]).min(self.col_cap - self.col_flow[ck]);
        for t in (1..seq.len() - 1).step_by(2) {
            amount = amount.min(self.flow_on(seq[t + 1] as usize, seq[t] as usize));
        }
        amount
    }

    /// Pushes `amount` units along `seq` and retires the row or column it fills.
    #[inline(always)]
    pub(crate) fn augment(&mut self, seq: &[u32], amount: u64) {
        for t in (0..seq.len()).step_by(2) {
            let (r, col) = (seq[t], seq[t + 1]);
            let c = self.cost(r as usize, col as usize);
            add_arc(&mut self.col_arcs[col as usize], r, amount as i64, c);
            add_arc(&mut self.row_arcs[r as usize], col, amount as i64, c);
            if t + 2 < seq.len() {
                let r_next = seq[t + 2];
                // An arc that loses flow exists: its cost is not read.
                add_arc(
                    &mut self.col_arcs[col as usize],
                    r_next,
                    -(amount as i64),
                    0.0,
                );
                add_arc(
                    &mut self.row_arcs[r_next as usize],
                    col,
                    -(amount as i64),
                    0.0,
                );
            }
        }
        let (r0, ck) = (seq[0] as usize, seq[seq.len() - 1] as usize);
        self.row_flow[r0] += amount;
        self.col_flow[ck] += amount;
        if self.row_flow[r0] == self.row_cap {
            self.d_row[r0] = f64::INFINITY;
            self.retire_row(r0);
        }
        if self.col_flow[ck] == self.col_cap {
            self.to_sink[ck] = f64::INFINITY;
        }
        // Whether a column is a dead end changes only with its flow arcs (the path's columns,
        // ck's flow among them) and with the rows behind them filling (r0, if it did).
        for t in (1..seq.len()).step_by(2) {
            let j = seq[t] as usize;
            self.dead[j] = self.dead_end(j);
        }
        if self.row_flow[r0] == self.row_cap {
            for k in 0..self.row_arcs[r0].len() {
                let j = self.row_arcs[r0][k].0 as usize;
                self.dead[j] = self.dead_end(j);
            }
        }
    }

    /// Recomputes the per-column minimum over free rows where it pointed at `row`, now full:
    /// from the column's list of next-cheapest rows when one of them is still free, else by a
    /// scan of the column (see [`ColumnRunnersUp`]).
    #[inline(always)]
    fn retire_row(&mut self, row: usize) {
        let mut next_col = std::mem::replace(&mut self.given[row], NONE);
        while next_col != NONE {
            let j = next_col as usize;
            next_col = self.given_next[j];
            let next = self
                .runners_up
                .next_free(j, |i| self.row_flow[i] < self.row_cap);
            let (best, arg) = match next {
                Some(i) => (self.cost(i, j), i as u32),
                None => self.rescan_column(j),
            };
            self.colmin[j] = best;
            self.colarg[j] = arg;
            if arg != NONE {
                self.given_next[j] = self.given[arg as usize];
                self.given[arg as usize] = j as u32;
            }
            // A carried key keeps its own giver; one that this row gave is recomputed by the
            // repair (the row is under a cut).
            if !self.carry {
                self.start_key(j);
            }
        }
    }

    /// The cheapest free row of column `j` (lowest index among ties), `(inf, NONE)` if none,
    /// refilling the column's runners-up list in the same strided pass.
    #[inline(always)]
    fn rescan_column(&mut self, j: usize) -> (f64, u32) {
        let mut top = RunnersUp::default();
        for i in 0..self.nx {
            if self.row_free(i) {
                top.offer(self.cost(i, j), i as u32);
            }
        }
        let first = top.first();
        self.runners_up.store(j, &top);
        first
    }

    /// The certificate of the current flow: every residual arc has reduced cost
    /// `>= -tol` (flow arcs both ways), where `tol` is relative to the magnitudes of the costs
    /// and potentials. With free rows at potential 0 and free columns sharing theirs, this
    /// proves the flow optimal for its value. Returns the least and greatest cost, which it
    /// reads for the tolerance.
    #[inline(always)]
    pub(crate) fn certify(&self) -> Result<(f64, f64), ParsmError> {
        let mag = |v: &[f64]| v.iter().fold(0.0f64, |m, &x| m.max(x.abs()));
        // Every cost is at least `shift` (the least of them), so the largest `|c - shift|` is
        // the largest cost less `shift`, rounded alike (subtraction is monotone).
        let most = greatest(self.c);
        let cmax = (most - self.shift).abs();
        let tol = 1e-9 * (1.0 + cmax + mag(&self.pr) + mag(&self.pc));
        for i in 0..self.nx {
            let row = &self.c[i * self.ny..(i + 1) * self.ny];
            let reduced = |c: f64, p: f64| c - self.shift + self.pr[i] - p;
            // The row's least reduced cost first (vectorised); the arc only if it fails.
            if least_paired(row, &self.pc, reduced) < -tol {
                let rcs = row.iter().zip(&self.pc).map(|(&c, &p)| reduced(c.get(), p));
                let (j, rc) = rcs
                    .enumerate()
                    .find(|&(_, rc)| rc < -tol)
                    .expect("it fails");
                return Err(ParsmError::Uncertified(format!(
                    "mass path: arc ({i}, {j}) prices out by {rc:e} (tolerance {tol:e})"
                )));
            }
            for &(j, _, c) in &self.row_arcs[i] {
                let j = j as usize;
                let rc = c - self.shift + self.pr[i] - self.pc[j];
                if rc > tol {
                    return Err(ParsmError::Uncertified(format!(
                        "mass path: flow arc ({i}, {j}) has reduced cost {rc:e}"
                    )));
                }
            }
        }
        Ok((self.shift, most))
    }

    /// Clears the previous search's labels.
    #[inline(always)]
    fn reset(&mut self) {
        for i in self.fwd.touched_rows.drain(..) {
            let i = i as usize;
            self.d_row[i] = f64::INFINITY;
            self.fwd.pred_row[i] = NONE;
        }
        self.fwd.labeled.clear();
        self.fwd.pending.clear();
    }

    /// The next shortest augmenting path, as `r0 c0 r1 c1 … rk ck` in `seq` (forward arcs
    /// `(r_t, c_t)`, backward arcs `(r_{t+1}, c_t)`), with the potentials updated so that its
    /// arcs are tight. `Ok(false)` when no augmenting path is left.
    #[inline(always)]
    pub(crate) fn next_path(&mut self, seq: &mut Vec<u32>) -> Result<bool, ParsmError> {
        if self.carry {
            self.repair();
        } else {
            self.reset();
        }
        // The keys start where the last potential update (or `new`, or the repair) left them,
        // and the dead ends where the last augmentation did.
        // `mu`: the shortest source-sink path seen, through the free column `sink`.
        let (mut mu, mut sink) = first_least_sum(&self.fwd.key, &self.to_sink);
        // A carried label on a free column is a path already (a tie with the last one).
        for &j in &self.fwd.labeled {
            let j = j as usize;
            let through = self.fwd.d_col[j] + self.to_sink[j];
            if through < mu || (through == mu && j < sink) {
                (mu, sink) = (through, j);
            }
        }
        self.fwd.blocks.refresh(&self.fwd.key, &self.dead);
        self.fwd.top = self.fwd.blocks.top();
        let mut steps = 0usize;
        while self.fwd.frontier() < mu {
            steps += 1;
            if steps.is_multiple_of(256) {
                self.monitor.check()?;
            }
            let labeled = {
                let sh = shared!(self);
                self.fwd.step(&sh)
            };
            for &(i, d) in &self.fwd.new_rows {
                self.d_row[i as usize] = d;
            }
            if let Some(j) = labeled {
                let through = self.fwd.d_col[j] + self.to_sink[j];
                if through < mu {
                    (mu, sink) = (through, j);
                }
            }
        }
        if mu == f64::INFINITY {
            return Ok(false);
        }
        self.trace(sink, seq);
        self.carry = self.fwd.lists.is_some() && self.fwd.labeled.len() >= self.carry_from;
        self.update_potentials(mu, self.fwd.frontier().min(mu), self.carry);
        if self.carry {
            self.last_path.clone_from(seq);
        }
        Ok(true)
    }

    /// Whether row `i` gave its labels through a cut row (or is one): a walk up the search
    /// tree, memoised for this repair.
    #[inline(always)]
    fn under_cut(&mut self, i: usize) -> bool {
        let ep = self.epoch;
        self.chain.clear();
        let mut i = i;
        let found = loop {
            if self.walked[i] == ep {
                break self.under_cut[i];
            }
            self.chain.push(i as u32);
            if self.cut[i] == ep {
                break true;
            }
            if self.row_free(i) {
                break false;
            }
            let j = self.fwd.pred_row[i];
            if j == NONE || !self.fwd.key[j as usize].is_nan() {
                // Not labeled through a labeled column: not a giver of this search's tree.
                break true;
            }
            i = self.fwd.pred_col[j as usize] as usize;
            if i == NONE as usize {
                break true;
            }
        };
        for &k in &self.chain {
            self.walked[k as usize] = ep;
            self.under_cut[k as usize] = found;
        }
        found
    }

    /// Column `j`'s key from the free rows and the labeled rows that list it (the rows that
    /// do not list it offer no less than their pending bounds), and its giver.
    #[inline(always)]
    fn recompute_key(&mut self, j: usize) {
        self.start_key(j);
        let lists = self
            .fwd
            .lists
            .as_ref()
            .expect("carried searches have lists");
        let (mut key, mut pred) = (self.fwd.key[j], self.fwd.pred_col[j]);
        // Free rows never have lists (a row gets one when it is labeled full, and rows only
        // fill), so every lister is full: labeled where its distance is finite.
        for (i, cij) in lists.listers(j) {
            let di = self.d_row[i];
            if di == f64::INFINITY {
                continue;
            }
            let v = di + self.pr[i] - self.shift + cij - self.pc[j];
            let nd = if v > di { v } else { di };
            if nd < key || (nd == key && (i as u32) < pred) {
                (key, pred) = (nd, i as u32);
            }
        }
        self.fwd.key[j] = key;
        self.fwd.pred_col[j] = pred;
    }

    /// Sets up a search that goes on from the last one: the last augmentation emptied some
    /// backward arcs of its path and may have filled its first row, and the nodes the search
    /// reached through those (the *cut* subtrees) lose their labels; every other label stays,
    /// at distance 0 (the potential update made the search tree's arcs tight). Columns whose
    /// key a cut row gave get their key again from the rows still labeled; rows under a cut
    /// that a labeled column still sends flow to are labeled again, and relaxed. Where the cut
    /// subtrees hold most of the labels, the search starts over instead.
    fn repair(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.walked.fill(0);
            self.cut.fill(0);
            self.epoch = 1;
        }
        let ep = self.epoch;
        let path = std::mem::take(&mut self.last_path);
        let r0 = path[0] as usize;
        if !self.row_free(r0) {
            self.cut[r0] = ep;
        }
        for t in (1..path.len() - 1).step_by(2) {
            let (c, r) = (path[t] as usize, path[t + 1] as usize);
            if self.flow_on(r, c) == 0 {
                self.cut[r] = ep;
            }
        }
        // Which labels are under a cut (all walks before any label changes).
        let mut cut_cols = std::mem::take(&mut self.cut_cols);
        let mut cut_rows = std::mem::take(&mut self.cut_rows);
        cut_cols.clear();
        cut_rows.clear();
        for k in 0..self.fwd.labeled.len() {
            let j = self.fwd.labeled[k];
            let giver = self.fwd.pred_col[j as usize];
            if giver == NONE || self.under_cut(giver as usize) {
                cut_cols.push(j);
            }
        }
        for k in 0..self.fwd.touched_rows.len() {
            let i = self.fwd.touched_rows[k] as usize;
            if self.d_row[i] != f64::INFINITY && self.under_cut(i) {
                cut_rows.push(i as u32);
            }
        }
        let labels = self.fwd.labeled.len() + self.fwd.touched_rows.len();
        if 2 * (cut_cols.len() + cut_rows.len()) > labels {
            self.cut_cols = cut_cols;
            self.cut_rows = cut_rows;
            self.last_path = path;
            self.start_over();
            return;
        }
        // Columns keyed by a cut row, before the labels change (the walks read them).
        let mut stale = std::mem::take(&mut self.stale);
        stale.clear();
        for j in 0..self.ny {
            let key = self.fwd.key[j];
            if key.is_nan() || key == f64::INFINITY {
                continue;
            }
            let giver = self.fwd.pred_col[j];
            if giver == NONE || self.row_free(giver as usize) {
                continue;
            }
            let g = giver as usize;
            if self.d_row[g] == f64::INFINITY || self.under_cut_walked(g) {
                stale.push(j as u32);
            }
        }
        for &i in &cut_rows {
            self.d_row[i as usize] = f64::INFINITY;
            self.fwd.pred_row[i as usize] = NONE;
        }
        let d_row = &self.d_row;
        self.fwd
            .touched_rows
            .retain(|&i| d_row[i as usize] != f64::INFINITY);
        for &j in &cut_cols {
            self.fwd.key[j as usize] = f64::INFINITY;
        }
        let key = &self.fwd.key;
        self.fwd.labeled.retain(|&j| key[j as usize].is_nan());
        self.carried += 1;
        for &j in cut_cols.iter().chain(&stale) {
            self.recompute_key(j as usize);
        }
        // The bounds of the rows still labeled, at their new distance.
        self.fwd.pending.clear();
        if let Some(lists) = self.fwd.lists.as_ref() {
            for &i in &self.fwd.touched_rows {
                let i = i as usize;
                if lists.has(i) {
                    let di = self.d_row[i];
                    let bound = lists.bound(i, di + self.pr[i] - self.shift, self.p_free);
                    self.fwd.pending.push(Pending {
                        bound: bound.max(di),
                        row: i as u32,
                    });
                }
            }
        }
        // Rows that a labeled column still reaches: the cut rows, and the rows behind the
        // path's last column if it filled and kept its label.
        let ck = path[path.len() - 1] as usize;
        if self.fwd.key[ck].is_nan() && self.col_flow[ck] >= self.col_cap {
            for k in 0..self.col_arcs[ck].len() {
                cut_rows.push(self.col_arcs[ck][k].0);
            }
        }
        self.fwd.new_rows.clear();
        for &i in &cut_rows {
            let i = i as usize;
            if self.row_free(i) || self.d_row[i] != f64::INFINITY {
                continue;
            }
            let mut best = (f64::INFINITY, NONE);
            let sh = shared!(self);
            for &(c, _, cost) in &self.row_arcs[i] {
                let c = c as usize;
                if !self.fwd.key[c].is_nan() {
                    continue;
                }
                let d = self.fwd.d_col[c] + sh.rc_flow(i, c, cost);
                if d < best.0 || (d == best.0 && (c as u32) < best.1) {
                    best = (d, c as u32);
                }
            }
            if best.1 != NONE {
                self.d_row[i] = best.0;
                self.fwd.pred_row[i] = best.1;
                self.fwd.touched_rows.push(i as u32);
                self.fwd.new_rows.push((i as u32, best.0));
            }
        }
        if !self.fwd.new_rows.is_empty() {
            let sh = shared!(self);
            self.fwd.relax_new_rows(&sh);
        }
        self.stale = stale;
        self.cut_cols = cut_cols;
        self.cut_rows = cut_rows;
        self.last_path = path;
    }

    /// [`Search::under_cut`] for a row this repair has already walked (or a free row).
    #[inline(always)]
    fn under_cut_walked(&self, i: usize) -> bool {
        if self.walked[i] == self.epoch {
            self.under_cut[i]
        } else {
            self.cut[i] == self.epoch
        }
    }

    /// Drops every carried label and starts the keys over from the free rows, as a search
    /// that carries nothing starts.
    fn start_over(&mut self) {
        self.reset();
        for j in 0..self.ny {
            self.start_key(j);
        }
        self.carry = false;
    }

    /// Writes the path from a free row to the free column `sink` into `seq`, following the
    /// predecessors back (they form a tree: each points at a node labeled earlier).
    #[inline(always)]
    fn trace(&self, sink: usize, seq: &mut Vec<u32>) {
        seq.clear();
        let mut j = sink;
        loop {
            seq.push(j as u32);
            let i = self.fwd.pred_col[j] as usize;
            seq.push(i as u32);
            if self.row_free(i) {
                break;
            }
            j = self.fwd.pred_row[i] as usize;
        }
        seq.reverse(); // r0 c0 … ending at the sink's column
    }

    /// Moves every node by `min(d(v), D)` (see the module docs), `r = min(frontier, D)` for a
    /// node neither labeled nor keyed below it.
    ///
    /// Dead-end columns are never labeled ([`Search::dead_end`]); their key is their
    /// distance wherever it is below `D` (every row closer than `D` is labeled and has relaxed
    /// them), and every other unlabeled column has a key of at least `D`, so there an
    /// unlabeled column moves by `min(key, D)`.
    #[inline(always)]
    fn update_potentials(&mut self, d: f64, r: f64, carry: bool) {
        let delta = |dist: f64| if dist.is_finite() { dist.min(d) } else { r };
        // Each pass below writes every entry (a select, not a conditional store), and the
        // carried and restarted cases are separate loops: compiled as one loop with the `carry`
        // test inside, the stores became masked (`vmaskmovpd`), which on AMD cores are slow
        // and stall the next load of the same entry, and this pass was a third of a path's time
        // to s = 0.5 on the bench pairs.
        let row_cap = self.row_cap;
        let rows = self.pr.iter_mut().zip(&self.row_flow).zip(&mut self.d_row);
        if carry {
            for ((p, &flow), dist) in rows {
                let full = flow >= row_cap;
                *p = if full { *p + delta(*dist) } else { *p };
                // A carried label sits at distance 0 after the move.
                *dist = if full && dist.is_finite() { 0.0 } else { *dist };
            }
        } else {
            for ((p, &flow), dist) in rows {
                *p = if flow >= row_cap {
                    *p + delta(*dist)
                } else {
                    *p
                };
            }
        }
        // Free columns: distance to the sink 0, so they all move by D. Each column's key for
        // the next search is set in the same pass: as [`Search::start_key`] sets it, or, where
        // the labels are carried, the key less the column's move (its giver moved by its
        // distance, so the key is still that giver's offer). Over slices, so that the pass
        // needs no bounds checks.
        self.p_free += d;
        let (p_free, shift, col_cap) = (self.p_free, self.shift, self.col_cap);
        let fwd = &mut self.fwd;
        let moved_pc = |pc: f64, flow: u64, moved: f64| {
            if flow < col_cap {
                p_free
            } else {
                pc + moved
            }
        };
        if carry {
            let columns = self
                .pc
                .iter_mut()
                .zip(&self.col_flow)
                .zip(fwd.key.iter_mut().zip(fwd.d_col.iter_mut()));
            for ((pc, &flow), (key, d_col)) in columns {
                let labeled = key.is_nan();
                let moved = delta(if labeled { *d_col } else { *key });
                *pc = moved_pc(*pc, flow, moved);
                *d_col = if labeled { 0.0 } else { *d_col };
                *key = if key.is_finite() {
                    (*key - moved).max(0.0)
                } else {
                    *key
                };
            }
        } else {
            let columns = self
                .pc
                .iter_mut()
                .zip(&self.col_flow)
                .zip(fwd.key.iter_mut().zip(fwd.pred_col.iter_mut()))
                .zip(fwd.d_col.iter().zip(self.colmin.iter().zip(&self.colarg)));
            for (((pc, &flow), (key, pred)), (&d_col, (&colmin, &colarg))) in columns {
                let moved = delta(if key.is_nan() { d_col } else { *key });
                *pc = moved_pc(*pc, flow, moved);
                *key = if colarg == NONE {
                    f64::INFINITY
                } else {
                    (colmin - shift - *pc).max(0.0)
                };
                *pred = colarg;
            }
        }
    }
}

/// `key[k] = min(key[k], max(base + c[k] - pot[k], floor))`, recording `who` where it
/// improves. Labeled entries hold NaN, which no comparison replaces. Independent lanes, so
/// that it vectorises.
#[inline(always)]
fn relax<T: Cost>(
    c: &[T],
    pot: &[f64],
    base: f64,
    floor: f64,
    who: u32,
    key: &mut [f64],
    pred: &mut [u32],
) {
    for (((&c, &p), k), q) in c.iter().zip(pot).zip(key.iter_mut()).zip(pred.iter_mut()) {
        let nd = (base + c.get() - p).max(floor);
        let better = nd < *k;
        *k = if better { nd } else { *k };
        *q = if better { who } else { *q };
    }
}

/// A flow arc as its endpoint's list holds it: the other endpoint, the units it carries, and
/// its cost `C_ij`.
type FlowArc = (u32, u64, f64);

/// Adds `delta` units to the flow arc to `node` in an arc list, dropping empty arcs; a new arc
/// gets the cost `c`.
#[inline(always)]
fn add_arc(arcs: &mut Vec<FlowArc>, node: u32, delta: i64, c: f64) {
    if let Some(pos) = arcs.iter().position(|(r, _, _)| *r == node) {
        let v = arcs[pos].1 as i64 + delta;
        debug_assert!(v >= 0);
        if v <= 0 {
            arcs.swap_remove(pos);
        } else {
            arcs[pos].1 = v as u64;
        }
    } else {
        debug_assert!(delta > 0);
        arcs.push((node, delta as u64, c));
    }
}

/// How many of a column's cheapest free rows one scan keeps.
const RUNNERS_UP: usize = 8;

/// Offers `(v, row i)` to `top` where `v` is at most `tau`, and lowers `tau` to the greatest
/// of `top`'s offers once it holds `RUNNERS_UP`: an entry above that would not enter it.
#[inline(always)]
fn offer_below(top: &mut RunnersUp, tau: &mut f64, v: f64, i: usize) {
    if v <= *tau {
        top.offer(v, i as u32);
        if top.len == RUNNERS_UP {
            *tau = tau.min(top.items[RUNNERS_UP - 1].0);
        }
    }
}

/// The `RUNNERS_UP` cheapest `(cost, row)` offered, in increasing `(cost, row)` order.
#[derive(Debug, Clone, Copy)]
struct RunnersUp {
    len: usize,
    items: [(f64, u32); RUNNERS_UP],
}

impl Default for RunnersUp {
    fn default() -> Self {
        RunnersUp {
            len: 0,
            items: [(f64::INFINITY, NONE); RUNNERS_UP],
        }
    }
}

impl RunnersUp {
    /// Offers row `i` at cost `v`; rows must be offered in increasing index order, so that a
    /// tie keeps the lower index, as a plain scan for the minimum does.
    #[inline(always)]
    fn offer(&mut self, v: f64, i: u32) {
        if self.len == RUNNERS_UP && v >= self.items[RUNNERS_UP - 1].0 {
            return;
        }
        let mut k = self.len.min(RUNNERS_UP - 1);
        while k > 0 && v < self.items[k - 1].0 {
            self.items[k] = self.items[k - 1];
            k -= 1;
        }
        self.items[k] = (v, i);
        self.len = (self.len + 1).min(RUNNERS_UP);
    }

    /// The cheapest offer, `(inf, NONE)` if none.
    #[inline(always)]
    fn first(&self) -> (f64, u32) {
        self.items[0]
    }
}

/// For each column, the rows that were its next-cheapest free rows at its last scan, after
/// the minimum itself.
///
/// Rows only ever fill up along the path (the source arc of a row never loses flow), so the
/// set of free rows only shrinks. A row missing from the list cost at least as much as every
/// listed row (ties: had a higher index) when the list was made, so while one listed row is
/// still free, the first such row *is* the column's cheapest free row, the same one a full
/// scan finds. A column is scanned again only when all its listed rows are full: one strided
/// pass over the column (a cache line per row) in `RUNNERS_UP` saturations instead of one.
struct ColumnRunnersUp {
    rows: Vec<u32>,
    /// Listed rows of each column not yet passed over.
    next: Vec<u8>,
    len: Vec<u8>,
}

impl ColumnRunnersUp {
    fn new(ny: usize) -> Self {
        ColumnRunnersUp {
            rows: vec![NONE; ny * (RUNNERS_UP - 1)],
            next: vec![0; ny],
            len: vec![0; ny],
        }
    }

    /// The first listed row of column `j` that is still free, dropping those that are not.
    #[inline(always)]
    fn next_free(&mut self, j: usize, free: impl Fn(usize) -> bool) -> Option<usize> {
        let list = &self.rows[j * (RUNNERS_UP - 1)..(j + 1) * (RUNNERS_UP - 1)];
        while self.next[j] < self.len[j] {
            let i = list[self.next[j] as usize] as usize;
            self.next[j] += 1;
            if free(i) {
                return Some(i);
            }
        }
        None
    }

    /// Lists the offers of `top` after its first as column `j`'s runners-up.
    #[inline(always)]
    fn store(&mut self, j: usize, top: &RunnersUp) {
        let list = &mut self.rows[j * (RUNNERS_UP - 1)..(j + 1) * (RUNNERS_UP - 1)];
        let n = top.len.saturating_sub(1);
        for (slot, item) in list.iter_mut().zip(&top.items[1..1 + n]) {
            *slot = item.1;
        }
        self.next[j] = 0;
        self.len[j] = n as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64*: deterministic pseudo-random numbers.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// `n` keys over a few levels, with NaN (labeled) and infinite ones among them.
    fn random_keys(state: &mut u64, n: usize) -> Vec<f64> {
        (0..n)
            .map(|_| match next(state) % 7 {
                0 => f64::NAN,
                1 => f64::INFINITY,
                r => r as f64,
            })
            .collect()
    }

    /// `n` dead-end marks, about one in five `+inf`.
    fn random_dead(state: &mut u64, n: usize) -> Vec<f64> {
        (0..n)
            .map(|_| {
                if next(state).is_multiple_of(5) {
                    f64::INFINITY
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// The set-up's passes over the costs (column thresholds, each column's cheapest rows)
    /// stop once the monitor is cancelled: at 40,000 units a side they take seconds.
    #[test]
    fn set_up_stops_when_cancelled() {
        let (nx, ny) = (600, 700);
        let c: Vec<f64> = (0..nx * ny).map(|k| ((k * 7919) % 1009) as f64).collect();
        let monitor = Monitor::new();
        assert!(Search::new(&c, nx, ny, (7, 6), &monitor).is_ok());
        monitor.cancel();
        let stopped = Search::new(&c, nx, ny, (7, 6), &monitor);
        assert!(matches!(stopped, Err(ParsmError::Interrupted)));
        let tau = column_thresholds(&c, nx, ny, RUNNERS_UP, &monitor);
        assert!(matches!(tau, Err(ParsmError::Interrupted)));
    }

    /// Every augmentation of the whole path on the `nx x ny` costs `c` (its path and amount),
    /// the mass path's cost at each flow, and how many searches went on from the last one;
    /// searches carry their labels from `carry_from` labeled columns on.
    #[allow(clippy::type_complexity)]
    fn whole_path(
        c: &[f64],
        nx: usize,
        ny: usize,
        carry_from: usize,
    ) -> (Vec<(Vec<u32>, u64)>, Vec<(u64, f64)>, u64) {
        let (mut a, mut b) = (nx as u64, ny as u64);
        while b != 0 {
            (a, b) = (b, a % b);
        }
        let units = nx as u64 / a * ny as u64;
        let monitor = Monitor::new();
        let mut search =
            Search::new(c, nx, ny, (units / nx as u64, units / ny as u64), &monitor).unwrap();
        search.carry_from = carry_from;
        let (mut seq, mut steps, mut zeta) = (Vec::new(), Vec::new(), vec![(0u64, 0.0f64)]);
        while search.next_path(&mut seq).unwrap() {
            let amount = search.residual(&seq);
            let mut slope = 0.0;
            for t in (0..seq.len()).step_by(2) {
                slope += search.cost(seq[t] as usize, seq[t + 1] as usize);
                if t + 2 < seq.len() {
                    slope -= search.cost(seq[t + 2] as usize, seq[t + 1] as usize);
                }
            }
            let &(flow, cost) = zeta.last().unwrap();
            zeta.push((flow + amount, cost + slope * amount as f64));
            search.augment(&seq, amount);
            assert_given_lists_invert_colarg(&search);
            steps.push((seq.clone(), amount));
        }
        search.certify().unwrap();
        assert_eq!(zeta.last().unwrap().0, units, "the path ends at full mass");
        (steps, zeta, search.carried)
    }

    /// Each row's list of the columns it is the cheapest free row of (`given`) holds exactly
    /// the columns whose `colarg` it is, each once.
    fn assert_given_lists_invert_colarg(search: &Search<'_, f64>) {
        let mut listed = vec![NONE; search.ny];
        for (i, &first) in search.given.iter().enumerate() {
            let mut j = first;
            while j != NONE {
                assert_eq!(listed[j as usize], NONE, "column {j} listed twice");
                listed[j as usize] = i as u32;
                j = search.given_next[j as usize];
            }
        }
        assert_eq!(listed, search.colarg);
    }

    /// Searches that carry their labels into the next find the same augmentations as searches
    /// that start over, bit for bit, on costs of low rank (wide, tall and square, where most
    /// augmentations move remainders and most searches go on), and the same mass path where
    /// exact ties let the augmentations differ (integer costs, many zeros, low rank rounded
    /// down).
    #[test]
    fn carried_searches_find_the_paths_of_searches_that_start_over() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut uniform = move || (next(&mut state) >> 11) as f64 / (1u64 << 53) as f64;
        // kind 0: low rank plus noise; 1: four integer levels; 2: 30 % zeros; 3: low rank
        // rounded down to four levels.
        for &(nx, ny, rank, kind) in &[
            (300usize, 337usize, 3usize, 0u8),
            (337, 300, 2, 0),
            (256, 256, 3, 0),
            (220, 260, 1, 1),
            (300, 340, 1, 2),
            (260, 290, 2, 3),
        ] {
            let u: Vec<f64> = (0..nx * rank).map(|_| uniform()).collect();
            let v: Vec<f64> = (0..ny * rank).map(|_| uniform()).collect();
            let c: Vec<f64> = (0..nx * ny)
                .map(|e| {
                    let (i, j) = (e / ny, e % ny);
                    let low: f64 = (0..rank).map(|k| u[i * rank + k] * v[j * rank + k]).sum();
                    match kind {
                        0 => low + 0.01 * uniform(),
                        1 => (uniform() * 4.0).floor(),
                        2 if uniform() < 0.3 => 0.0,
                        2 => uniform(),
                        _ => (low * 4.0).floor(),
                    }
                })
                .collect();
            let (fresh, zeta_fresh, none) = whole_path(&c, nx, ny, usize::MAX);
            let (carried, zeta_carried, went_on) = whole_path(&c, nx, ny, CARRY_FROM);
            assert_eq!(none, 0);
            assert!(went_on > 0, "{nx} x {ny}: no search went on");
            if kind == 0 {
                assert_eq!(fresh, carried, "{nx} x {ny}");
            } else {
                // Ties: the same costs at the breakpoints of either path.
                let at = |zeta: &[(u64, f64)], flow: u64| {
                    let k = zeta.partition_point(|&(f, _)| f < flow);
                    let ((f0, z0), (f1, z1)) = (zeta[k.saturating_sub(1)], zeta[k]);
                    if f1 == f0 {
                        z1
                    } else {
                        z0 + (z1 - z0) * (flow - f0) as f64 / (f1 - f0) as f64
                    }
                };
                for &(flow, cost) in zeta_fresh.iter().chain(&zeta_carried) {
                    let (a, b) = (at(&zeta_fresh, flow), at(&zeta_carried, flow));
                    assert!((a - b).abs() <= 1e-9 * (1.0 + cost.abs()), "{a} {b}");
                }
            }
        }
    }

    fn first_min(key: &[f64], dead: &[f64], lo: usize, hi: usize) -> (f64, usize) {
        let mut want = (f64::INFINITY, usize::MAX);
        for k in lo..hi {
            if key[k] + dead[k] < want.0 {
                want = (key[k] + dead[k], k);
            }
        }
        want
    }

    /// `block_min` is the first minimum of `key + dead` in the block, skipping NaN (labeled)
    /// keys and dead columns: against a plain scan, on ragged blocks with many ties.
    #[test]
    fn block_min_is_the_first_minimum_of_the_block() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for n in [1usize, 7, 64, 65, 130, 200] {
            for _ in 0..50 {
                let key = random_keys(&mut state, n);
                let dead = random_dead(&mut state, n);
                for b in 0..n.div_ceil(BLOCK) {
                    let (lo, hi) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
                    let want = first_min(&key, &dead, lo, hi);
                    assert_eq!(block_min(&key, &dead, b), want, "n = {n}, block {b}");
                }
            }
        }
    }

    /// The blocks' top, after a refresh and after offers, is the first minimum of `key + dead`
    /// over all columns, as a plain scan finds it: many ties, NaN and infinite keys.
    #[test]
    fn block_minima_top_is_the_first_minimum_over_all_columns() {
        let mut state = 0x1234_5678_9abc_def1u64;
        for n in [1usize, 7, 64, 65, 130, 700] {
            for _ in 0..30 {
                let mut key = random_keys(&mut state, n);
                let dead = random_dead(&mut state, n);
                let mut blocks = BlockMinima::new(n);
                blocks.refresh(&key, &dead);
                assert_eq!(blocks.top(), first_min(&key, &dead, 0, n), "n = {n}");
                for _ in 0..20 {
                    let j = (next(&mut state) % n as u64) as usize;
                    let v = (next(&mut state) % 8) as f64;
                    if key[j].is_nan() || v >= key[j] {
                        continue;
                    }
                    key[j] = v;
                    blocks.offer(v + dead[j], j);
                    assert_eq!(blocks.top(), first_min(&key, &dead, 0, n), "n = {n}");
                }
            }
        }
    }

    /// The set-up's lists of each column's cheapest rows (entries below the column's
    /// threshold, which falls as the list fills) are those of offering every entry in row
    /// order: ties (few levels) keep the lower rows, on widths around the 8-column step and
    /// columns long enough for thresholds.
    #[test]
    fn set_up_lists_each_columns_cheapest_rows_as_a_full_scan() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for &(nx, ny, levels) in &[(300usize, 21usize, 4u64), (200, 16, 1000), (130, 9, 2)] {
            let c: Vec<f64> = (0..nx * ny)
                .map(|_| (next(&mut state) % levels) as f64)
                .collect();
            let monitor = Monitor::new();
            let search = Search::new(&c, nx, ny, (1, 1), &monitor).unwrap();
            for j in 0..ny {
                let mut top = RunnersUp::default();
                (0..nx).for_each(|i| top.offer(c[i * ny + j], i as u32));
                assert_eq!(
                    (search.colmin[j], search.colarg[j]),
                    top.first(),
                    "column {j} ({nx} x {ny})"
                );
                let mut want = ColumnRunnersUp::new(ny);
                want.store(j, &top);
                let k = RUNNERS_UP - 1;
                assert_eq!(
                    search.runners_up.rows[j * k..(j + 1) * k],
                    want.rows[j * k..(j + 1) * k],
                    "column {j} ({nx} x {ny})"
                );
                assert_eq!(search.runners_up.len[j], want.len[j]);
            }
        }
    }

    /// Rows fill up one by one in random order; after each, every column's cheapest free row
    /// taken from its runners-up (or a rescan) is the one a full scan finds, ties included.
    #[test]
    fn runners_up_give_the_cheapest_free_row_as_rows_fill() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for &(nx, ny, levels) in &[(40usize, 7usize, 5u64), (25, 30, 1000), (9, 3, 2)] {
            // Few distinct levels make many ties.
            let c: Vec<f64> = (0..nx * ny)
                .map(|_| (next(&mut state) % levels) as f64)
                .collect();
            let mut free = vec![true; nx];
            let mut tops = vec![RunnersUp::default(); ny];
            for i in 0..nx {
                for (j, top) in tops.iter_mut().enumerate() {
                    top.offer(c[i * ny + j], i as u32);
                }
            }
            let mut lists = ColumnRunnersUp::new(ny);
            let mut arg: Vec<u32> = tops.iter().map(|t| t.first().1).collect();
            for (j, top) in tops.iter().enumerate() {
                lists.store(j, top);
            }
            let mut order: Vec<usize> = (0..nx).collect();
            for k in (1..nx).rev() {
                order.swap(k, next(&mut state) as usize % (k + 1));
            }
            for &row in &order {
                free[row] = false;
                for j in 0..ny {
                    if arg[j] as usize == row {
                        arg[j] = match lists.next_free(j, |i| free[i]) {
                            Some(i) => i as u32,
                            None => {
                                let mut top = RunnersUp::default();
                                (0..nx)
                                    .filter(|&i| free[i])
                                    .for_each(|i| top.offer(c[i * ny + j], i as u32));
                                lists.store(j, &top);
                                top.first().1
                            }
                        };
                    }
                    let want = (0..nx)
                        .filter(|&i| free[i])
                        .min_by(|&a, &b| c[a * ny + j].total_cmp(&c[b * ny + j]).then(a.cmp(&b)))
                        .map_or(NONE, |i| i as u32);
                    assert_eq!(
                        arg[j], want,
                        "column {j} after row {row} filled ({nx} x {ny})"
                    );
                }
            }
        }
    }
}
