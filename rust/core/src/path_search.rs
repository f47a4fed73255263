//! The shortest augmenting path search behind [`crate::MassPath`]: a bidirectional Dijkstra on
//! the dense residual graph of partial transport.
//!
//! ## The graph
//! Rows (units of X) and columns (units of Y) with integer capacities `row_cap` and `col_cap`.
//! A super-source feeds every row with spare capacity (a *free* row) and every column with
//! spare capacity (a *free* column) feeds a super-sink. Residual arcs are `i -> j` for every
//! pair (cost `C_ij`) and `j -> i` where `(i, j)` carries flow (cost `-C_ij`). Node potentials
//! `pr`, `pc` keep the reduced costs `rc(i -> j) = C_ij - shift + pr_i - pc_j` nonnegative (and
//! 0 on flow arcs, both ways). Free rows keep potential 0, free columns share one potential
//! `p_free`, so the source and sink arcs all have reduced cost 0: free rows sit at forward
//! distance 0 and free columns at backward distance 0.
//!
//! ## Why bidirectional
//! Early on, the forward search (from all free rows at once, through per-column minima over
//! free rows) reaches a free column after one step. Once few free columns remain, it labels a
//! large share of all rows before it meets one, and each labeled row costs a pass over its row
//! of `C`: this tail dominated the whole path (the path cost grew as n³). The search therefore
//! also grows from the sink side (from all free columns at once, through per-row minima over
//! free columns, then backwards along columns of `C`, read from a transposed copy), one step
//! of each side per round (the two steps of a round run on two threads for long rows), and
//! stops with the classic rule: when the two frontiers' keys add up to at least `μ`, the best
//! source–sink path seen, `μ` is the shortest distance `D`.
//!
//! ## The potential update
//! A one-sided Dijkstra moves every node by `min(d(v), D)`. With two frontiers the forward
//! distance `d_f` is known only inside the forward radius `r` and the backward distance `d_b`
//! only inside the backward one. The update moves node `v` by
//! `δ(v) = min(d_f(v), max(r, D - d_b(v)))`, with `r = min(top_f, D)`:
//!
//! * it is computable: `δ = min(d_f, D)` where `v` is forward-labeled; else `D - d_b` where `v`
//!   is backward-labeled and `D - d_b > r`; else `r` (an unlabeled node has `d_f >= top_f`,
//!   `d_f >= D - d_b` by the triangle inequality, and `d_b >= top_b >= D - top_f`);
//! * it keeps every reduced cost nonnegative: for an arc `v -> w`, `d_f(w) <= d_f(v) + rc` and
//!   `d_b(v) <= d_b(w) + rc`, and `min(x, max(r, y))` grows by at most `rc` when both arguments
//!   do;
//! * on the shortest path `d_f + d_b = D`, so `δ = d_f` there and the path's arcs become tight
//!   (their reversals enter the residual graph with reduced cost 0);
//! * free rows move by 0 and free columns by `D`, so source and sink arcs stay at 0.
//!
//! The paths found are shortest paths, so the sequence of augmentations, and everything the
//! mass path derives from it, is exactly that of the one-sided search up to ties.
//!
//! ## The one-sided search on long rows
//! Rectangular problems search one-sided. There a labeled full row relaxes only its candidate
//! columns and leaves a bound for the rest, relaxed in full only if the bound comes up
//! ([`crate::path_candidates`]), and full columns fed only by free rows are never labeled
//! ([`Search::mark_dead_ends`]). Both keep the paths shortest; at 500-800 units a side they
//! cut the path to s = 0.5 by 2.2x (14.1 to 6.5 ms a pair on `bench_pairwise`'s populations).

use crate::error::ParsmError;
use crate::memory::available_bytes;
use crate::monitor::Monitor;
use crate::path_candidates::{Pending, PendingRows, RowLists, MIN_ROW};
use crate::scalar::Cost;
use crate::select::{column_thresholds, greatest, least, least_paired};

pub(crate) const NONE: u32 = u32::MAX;

/// Rows at least this long run the two sides of a round on two rayon tasks; shorter ones run
/// them one after the other (a fork costs more than a step there). Either way a round is the
/// same computation, so results never depend on it or on the thread count.
const PARALLEL_AT: usize = 3000;

/// Where the two searches met: a column or a row.
#[derive(Clone, Copy)]
enum Meet {
    Col(usize),
    Row(usize),
}

/// The forward search's own arrays: column keys (NaN once labeled; the distance then sits in
/// `d_col`) and predecessors.
struct Forward {
    key: Vec<f64>,
    d_col: Vec<f64>,
    pred_col: Vec<u32>,
    pred_row: Vec<u32>,
    touched_rows: Vec<u32>,
    /// The rows the last step labeled, with their distances (reused, not reallocated).
    new_rows: Vec<(u32, f64)>,
    /// `(min key, argmin)` of the unlabeled columns.
    top: (f64, usize),
    /// `(min key, argmin)` of each block of [`BLOCK`] columns (one-sided search only): a step
    /// that labels a column without relaxing a row then rescans one block and the block minima,
    /// not every column.
    blocks: Vec<(f64, usize)>,
    /// Candidate columns of the rows (one-sided search on long rows; see
    /// [`crate::path_candidates`]), and the search's pending row bounds.
    lists: Option<RowLists>,
    pending: PendingRows,
}

/// Columns per block of [`Forward::blocks`].
const BLOCK: usize = 64;

/// `(min, argmin)` of `key + dead` over block `b`, ignoring NaN, lowest index first on ties;
/// `(inf, usize::MAX)` if none is finite. Independent lanes, so that it vectorises.
#[inline]
fn block_min(key: &[f64], dead: &[f64], b: usize) -> (f64, usize) {
    const LANES: usize = 8;
    let lo = b * BLOCK;
    let hi = (lo + BLOCK).min(key.len());
    let (key, dead) = (&key[lo..hi], &dead[lo..hi]);
    // The minimum first (one `minpd` a lane), then the first column holding it: the same
    // column as tracking the argmin in the lanes, at a fraction of the work.
    let m = least_paired(key, dead, |k, d| k + d);
    if m == f64::INFINITY {
        return (m, usize::MAX);
    }
    // Eight columns at a time (one vectorised compare), then the column within the chunk.
    let holds = |k: &f64, d: &f64| k + d == m;
    let chunk = key
        .chunks(LANES)
        .zip(dead.chunks(LANES))
        .position(|(ks, ds)| {
            ks.iter()
                .zip(ds)
                .fold(false, |hit, (k, d)| hit | holds(k, d))
        })
        .expect("the minimum is attained");
    let (ks, ds) = (&key[chunk * LANES..], &dead[chunk * LANES..]);
    let within = ks.iter().zip(ds).position(|(k, d)| holds(k, d));
    (m, lo + chunk * LANES + within.expect("the chunk holds it"))
}

/// Recomputes every block minimum.
fn refresh_blocks(key: &[f64], dead: &[f64], blocks: &mut [(f64, usize)]) {
    for (b, slot) in blocks.iter_mut().enumerate() {
        *slot = block_min(key, dead, b);
    }
}

/// The minimum over the block minima, lowest index first on ties (as [`argmin`] over all
/// columns would choose).
#[inline]
fn min_of_blocks(blocks: &[(f64, usize)]) -> (f64, usize) {
    let mut best = (f64::INFINITY, usize::MAX);
    for &(m, i) in blocks {
        if m < best.0 {
            best = (m, i);
        }
    }
    best
}

/// The backward search's own arrays: row keys (NaN once labeled; the distance then sits in
/// `b_row`) and successors.
struct Backward {
    key_b: Vec<f64>,
    b_row: Vec<f64>,
    succ_row: Vec<u32>,
    succ_col: Vec<u32>,
    back_rows: Vec<u32>,
    back_cols: Vec<u32>,
    /// The columns the last step labeled, with their distances (reused, not reallocated).
    new_cols: Vec<(u32, f64)>,
    started: bool,
    /// `(min key, argmin)` of the unlabeled rows; 0 before the start (the free columns).
    top: (f64, usize),
}

/// What both sides read during a round. Each side's labels of the other's nodes (`d_row`, the
/// forward distances of rows, and `b_col`, the backward distances of columns) are written only
/// between rounds, so the two sides of a round never touch the same memory.
struct Shared<'s, T: Cost> {
    c: &'s [T],
    ct: Option<&'s [T]>,
    nx: usize,
    ny: usize,
    shift: f64,
    row_cap: u64,
    col_cap: u64,
    row_flow: &'s [u64],
    col_flow: &'s [u64],
    col_arcs: &'s [Vec<(u32, u64)>],
    row_arcs: &'s [Vec<(u32, u64)>],
    pr: &'s [f64],
    pc: &'s [f64],
    d_row: &'s [f64],
    b_col: &'s [f64],
    dead: &'s [f64],
    p_free: f64,
}

impl<T: Cost> Shared<'_, T> {
    #[inline]
    fn row_free(&self, i: usize) -> bool {
        self.row_flow[i] < self.row_cap
    }

    /// Reduced cost of the backward (flow) arc `j -> i`: 0 up to rounding, clamped at 0.
    #[inline]
    fn rc_flow(&self, i: usize, j: usize) -> f64 {
        let c = self.c[i * self.ny + j].get();
        (self.pc[j] - (c - self.shift) - self.pr[i]).max(0.0)
    }
}

/// One meeting candidate: a source-sink length and where.
type Candidate = (f64, Meet);

/// What a forward step labeled: the column (the rows behind it are in `Forward::new_rows`);
/// none where the step relaxed a pending row in full instead.
struct ForwardStep {
    col: Option<usize>,
    meet: Candidate,
}

/// What a backward step labeled: the row (the columns behind it are in
/// `Backward::new_cols`).
struct BackwardStep {
    row: usize,
    meet: Candidate,
}

impl Forward {
    /// Labels the closest unlabeled column and the full rows that send it flow, relaxing every
    /// column from each; leaves the next frontier in `top`.
    ///
    /// `meet` tracks tentative meetings with the backward side's labels in the same pass
    /// (two-sided search); a one-sided search meets the sink only where it labels a free
    /// column, so it skips that work.
    fn step<T: Cost>(&mut self, sh: &Shared<'_, T>, meet: bool) -> ForwardStep {
        if !meet && self.lists.is_some() {
            return self.step_listed(sh);
        }
        let j = self.label_top(sh);
        let mut scanned = None;
        for k in 0..self.new_rows.len() {
            let (i, di) = self.new_rows[k];
            let i = i as usize;
            let row = &sh.c[i * sh.ny..(i + 1) * sh.ny];
            let base = di + sh.pr[i] - sh.shift;
            let (key, pred) = (&mut self.key, &mut self.pred_col);
            if meet {
                scanned = Some(relax_scan::<T, false, true>(
                    row, sh.pc, base, di, i as u32, key, pred, sh.b_col,
                ));
            } else {
                relax::<T, false>(row, sh.pc, base, di, i as u32, key, pred);
                scanned = Some((f64::NAN, usize::MAX, f64::INFINITY, usize::MAX));
            }
        }
        let (t, a, m, mj) = if meet {
            scanned.unwrap_or_else(|| argmin_with_meet(&self.key, sh.b_col))
        } else {
            // One-sided: the keys changed everywhere after a relaxation, in column j's block
            // only otherwise.
            if scanned.is_some() {
                refresh_blocks(&self.key, sh.dead, &mut self.blocks);
            } else {
                self.blocks[j / BLOCK] = block_min(&self.key, sh.dead, j / BLOCK);
            }
            let (t, a) = min_of_blocks(&self.blocks);
            (t, a, f64::INFINITY, usize::MAX)
        };
        self.top = (t, a);
        ForwardStep {
            col: Some(j),
            meet: (m, Meet::Col(mj)),
        }
    }

    /// Labels the closest unlabeled column and the full rows that send it flow (into
    /// `new_rows`, with their distances and predecessors; free rows are the source and labeled
    /// rows are done), and returns the column.
    fn label_top<T: Cost>(&mut self, sh: &Shared<'_, T>) -> usize {
        let (dj, j) = self.top;
        self.d_col[j] = dj;
        self.key[j] = f64::NAN;
        self.new_rows.clear();
        if sh.col_flow[j] >= sh.col_cap {
            for &(i, _) in &sh.col_arcs[j] {
                let i = i as usize;
                if sh.row_free(i) || sh.d_row[i] != f64::INFINITY {
                    continue;
                }
                self.new_rows.push((i as u32, dj + sh.rc_flow(i, j)));
                self.pred_row[i] = j as u32;
                self.touched_rows.push(i as u32);
            }
        }
        j
    }

    /// The smallest key of the search: of a column, or of a pending row bound.
    fn frontier(&self) -> f64 {
        self.pending
            .peek()
            .map_or(self.top.0, |p| p.bound.min(self.top.0))
    }

    /// [`Forward::step`] of the one-sided search with candidate lists: either relaxes in full
    /// the row whose pending bound is the search's minimum, or labels the closest column and
    /// relaxes the listed columns of the full rows behind it (in full where a row has no list
    /// yet), entering their bounds.
    fn step_listed<T: Cost>(&mut self, sh: &Shared<'_, T>) -> ForwardStep {
        let none = (f64::INFINITY, Meet::Col(usize::MAX));
        self.new_rows.clear();
        if let Some(&Pending { bound, row }) = self.pending.peek() {
            if bound < self.top.0 {
                self.pending.pop();
                let i = row as usize;
                self.relax_row(sh, i, sh.d_row[i]);
                refresh_blocks(&self.key, sh.dead, &mut self.blocks);
                self.top = min_of_blocks(&self.blocks);
                return ForwardStep {
                    col: None,
                    meet: none,
                };
            }
        }
        let j = self.label_top(sh);
        let mut dense = false;
        for k in 0..self.new_rows.len() {
            let (i, di) = self.new_rows[k];
            let i = i as usize;
            let lists = self.lists.as_ref().expect("listed search");
            if !lists.has(i) {
                self.relax_row(sh, i, di);
                dense = true;
                continue;
            }
            let row = &sh.c[i * sh.ny..(i + 1) * sh.ny];
            let base = di + sh.pr[i] - sh.shift;
            for &jj in lists.cols(i) {
                let jj = jj as usize;
                // Costs and potentials are finite: a plain comparison, not f64::max's NaN rules.
                let v = base + row[jj].get() - sh.pc[jj];
                let nd = if v > di { v } else { di };
                if nd < self.key[jj] {
                    self.key[jj] = nd;
                    self.pred_col[jj] = i as u32;
                    let v = nd + sh.dead[jj];
                    let b = &mut self.blocks[jj / BLOCK];
                    if v < b.0 || (v == b.0 && jj < b.1) {
                        *b = (v, jj);
                    }
                }
            }
            let bound = lists.bound(i, base, sh.p_free).max(di);
            self.pending.push(Pending {
                bound,
                row: i as u32,
            });
        }
        if dense {
            refresh_blocks(&self.key, sh.dead, &mut self.blocks);
        } else {
            self.blocks[j / BLOCK] = block_min(&self.key, sh.dead, j / BLOCK);
        }
        self.top = min_of_blocks(&self.blocks);
        ForwardStep {
            col: Some(j),
            meet: none,
        }
    }

    /// Relaxes every column from row `i` at distance `di` and rebuilds its list with the
    /// current potentials; the caller refreshes the block minima.
    fn relax_row<T: Cost>(&mut self, sh: &Shared<'_, T>, i: usize, di: f64) {
        let row = &sh.c[i * sh.ny..(i + 1) * sh.ny];
        let base = di + sh.pr[i] - sh.shift;
        relax::<T, false>(
            row,
            sh.pc,
            base,
            di,
            i as u32,
            &mut self.key,
            &mut self.pred_col,
        );
        if let Some(lists) = self.lists.as_mut() {
            lists.rebuild(i, row, sh.pc, sh.p_free);
        }
    }
}

impl Backward {
    /// Backward keys of every row from the sink: the cheapest arc into a free column.
    fn start<T: Cost>(&mut self, sh: &Shared<'_, T>, rowmin: &[f64], rowarg: &[u32], p_free: f64) {
        self.started = true;
        for i in 0..sh.nx {
            let arg = rowarg[i];
            self.key_b[i] = if arg == NONE {
                f64::INFINITY
            } else {
                (rowmin[i] - sh.shift + sh.pr[i] - p_free).max(0.0)
            };
            self.succ_row[i] = arg;
        }
        let (t, a, _, _) = argmin_with_meet(&self.key_b, sh.d_row);
        self.top = (t, a);
    }

    /// Labels the closest unlabeled row and the full columns it sends flow to, relaxing every
    /// row from each (a contiguous scan of the transposed costs); leaves the next frontier in
    /// `top`.
    fn step<T: Cost>(&mut self, sh: &Shared<'_, T>) -> BackwardStep {
        let (di, i) = self.top;
        self.b_row[i] = di;
        self.key_b[i] = f64::NAN;
        self.back_rows.push(i as u32);
        self.new_cols.clear();
        let mut scanned = None;
        let ct = sh
            .ct
            .expect("the backward search runs only with the transpose");
        if !sh.row_free(i) {
            for &(j, _) in &sh.row_arcs[i] {
                let j = j as usize;
                if sh.b_col[j].is_finite() {
                    continue; // free columns are the sink; labeled columns are done
                }
                let dj = di + sh.rc_flow(i, j);
                self.new_cols.push((j as u32, dj));
                self.succ_col[j] = i as u32;
                self.back_cols.push(j as u32);
                scanned = Some(relax_scan::<T, true, true>(
                    &ct[j * sh.nx..(j + 1) * sh.nx],
                    sh.pr,
                    dj - sh.shift - sh.pc[j],
                    dj,
                    j as u32,
                    &mut self.key_b,
                    &mut self.succ_row,
                    sh.d_row,
                ));
            }
        }
        let (t, a, m, mi) = scanned.unwrap_or_else(|| argmin_with_meet(&self.key_b, sh.d_row));
        self.top = (t, a);
        BackwardStep {
            row: i,
            meet: (m, Meet::Row(mi)),
        }
    }
}

/// The [`Shared`] view of a [`Search`], borrowing field by field so that the forward and
/// backward states stay free to borrow mutably.
macro_rules! shared {
    ($s:ident) => {
        Shared {
            c: $s.c,
            ct: $s.ct.as_deref(),
            nx: $s.nx,
            ny: $s.ny,
            shift: $s.shift,
            row_cap: $s.row_cap,
            col_cap: $s.col_cap,
            row_flow: &$s.row_flow,
            col_flow: &$s.col_flow,
            col_arcs: &$s.col_arcs,
            row_arcs: &$s.row_arcs,
            pr: &$s.pr,
            pc: &$s.pc,
            d_row: &$s.d_row,
            b_col: &$s.b_col,
            dead: &$s.dead,
            p_free: $s.p_free,
        }
    };
}

/// State of the path engine: flows, potentials and the search scratch.
pub(crate) struct Search<'a, T: Cost> {
    c: &'a [T],
    /// `C` transposed, for the backward search's column scans (a strided scan of `c` costs one
    /// cache line and one TLB entry per element, which made the backward side slower than it
    /// saved). `None` when a second copy of `C` does not fit in memory: the search is then
    /// one-sided.
    ct: Option<Vec<T>>,
    monitor: &'a Monitor,
    /// `min(C)`: reduced costs use `C - shift >= 0`, so every potential can start at 0.
    shift: f64,
    nx: usize,
    ny: usize,
    row_cap: u64,
    col_cap: u64,
    pub(crate) row_flow: Vec<u64>,
    pub(crate) col_flow: Vec<u64>,
    /// Flow arcs into each column `(row, units)` and out of each row `(column, units)`.
    col_arcs: Vec<Vec<(u32, u64)>>,
    row_arcs: Vec<Vec<(u32, u64)>>,
    pr: Vec<f64>,
    pc: Vec<f64>,
    /// The potential every free column shares.
    p_free: f64,
    /// Minimum of `C[i, j]` over free rows `i` (per column) and over free columns `j` (per row).
    colmin: Vec<f64>,
    colarg: Vec<u32>,
    /// Per column, the next-cheapest free rows after `colarg` from its last scan.
    runners_up: ColumnRunnersUp,
    rowmin: Vec<f64>,
    rowarg: Vec<u32>,
    /// Forward distances of rows (0 for free rows, the source; finite once labeled) and
    /// backward distances of columns (0 for free columns, the sink; finite once labeled).
    d_row: Vec<f64>,
    b_col: Vec<f64>,
    /// `+inf` for a *dead-end* column of the one-sided search, 0 otherwise (see
    /// [`Search::mark_dead_ends`]); added to the keys where the search picks its next column.
    dead: Vec<f64>,
    fwd: Forward,
    bwd: Backward,
}

impl<'a, T: Cost> Search<'a, T> {
    /// `two_sided = false` keeps the search one-sided (no transposed copy), as when the copy
    /// does not fit; the path lengths are the same. The search is two-sided only for square
    /// problems: with Nx != Ny most rows and columns stay partly free (their capacities differ),
    /// both frontiers start wide, and the backward side cost more than it saved (1200 x 1000
    /// planted correlations: 3.0 s two-sided, 1.5 s one-sided).
    pub(crate) fn new(
        c: &'a [T],
        nx: usize,
        ny: usize,
        caps: (u64, u64),
        two_sided: bool,
        monitor: &'a Monitor,
    ) -> Self {
        let (row_cap, col_cap) = caps;
        let mut tops = vec![RunnersUp::default(); ny];
        let mut rowmin = vec![f64::INFINITY; nx];
        let mut rowarg = vec![NONE; nx];
        // Only entries at most their column's threshold can be among its cheapest rows; offered
        // in increasing row order, they leave the lists a scan offering every entry leaves.
        let tau = column_thresholds(c, nx, ny, RUNNERS_UP);
        for i in 0..nx {
            let row = &c[i * ny..(i + 1) * ny];
            (rowmin[i], rowarg[i]) = first_minimum(row);
            for (k, (chunk, taus)) in row.chunks(8).zip(tau.chunks(8)).enumerate() {
                let mut hit = false;
                for (v, &t) in chunk.iter().zip(taus) {
                    hit |= v.get() <= t;
                }
                if !hit {
                    continue;
                }
                for (d, (v, &t)) in chunk.iter().zip(taus).enumerate() {
                    if v.get() <= t {
                        tops[8 * k + d].offer(v.get(), i as u32);
                    }
                }
            }
        }
        let mut runners_up = ColumnRunnersUp::new(ny);
        let (mut colmin, mut colarg) = (vec![f64::INFINITY; ny], vec![NONE; ny]);
        for (j, top) in tops.iter().enumerate() {
            (colmin[j], colarg[j]) = top.first();
            runners_up.store(j, top);
        }
        let shift = colmin.iter().copied().fold(f64::INFINITY, f64::min);
        let ct = if two_sided && nx == ny {
            transpose_if_it_fits(c, nx, ny, monitor)
        } else {
            None
        };
        let listed = ct.is_none() && ny >= MIN_ROW;
        Search {
            c,
            ct,
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
            runners_up,
            rowmin,
            rowarg,
            d_row: vec![0.0; nx], // all rows start free
            b_col: vec![0.0; ny], // all columns start free
            dead: vec![0.0; ny],
            fwd: Forward {
                key: vec![f64::INFINITY; ny],
                d_col: vec![f64::INFINITY; ny],
                pred_col: vec![NONE; ny],
                pred_row: vec![NONE; nx],
                touched_rows: Vec::new(),
                new_rows: Vec::new(),
                top: (f64::INFINITY, usize::MAX),
                blocks: vec![(f64::INFINITY, usize::MAX); ny.div_ceil(BLOCK)],
                lists: listed.then(|| RowLists::new(nx)),
                pending: PendingRows::new(),
            },
            bwd: Backward {
                key_b: vec![f64::INFINITY; nx],
                b_row: vec![f64::INFINITY; nx],
                succ_row: vec![NONE; nx],
                succ_col: vec![NONE; ny],
                back_rows: Vec::new(),
                back_cols: Vec::new(),
                new_cols: Vec::new(),
                started: false,
                top: (0.0, usize::MAX),
            },
        }
    }

    #[inline]
    pub(crate) fn cost(&self, i: usize, j: usize) -> f64 {
        self.c[i * self.ny + j].get()
    }

    #[inline]
    fn row_free(&self, i: usize) -> bool {
        self.row_flow[i] < self.row_cap
    }

    #[inline]
    fn col_free(&self, j: usize) -> bool {
        self.col_flow[j] < self.col_cap
    }

    /// Units on the flow arc `(i, j)`.
    pub(crate) fn flow_on(&self, i: usize, j: usize) -> u64 {
        self.col_arcs[j]
            .iter()
            .find(|(r, _)| *r as usize == i)
            .map_or(0, |&(_, u)| u)
    }

    /// Spare capacity of the start row and end column, and the flow on every backward arc, of
    /// the path `r0 c0 r1 c1 … rk ck`.
    pub(crate) fn residual(&self, seq: &[u32]) -> u64 {
        let (r0, ck) = (seq[0] as usize, seq[seq.len() - 1] as usize);
        let mut amount = (self.row_cap - self.row_flow[r0]).min(self.col_cap - self.col_flow[ck]);
        for t in (1..seq.len() - 1).step_by(2) {
            amount = amount.min(self.flow_on(seq[t + 1] as usize, seq[t] as usize));
        }
        amount
    }

    /// Pushes `amount` units along `seq` and retires the row or column it fills.
    pub(crate) fn augment(&mut self, seq: &[u32], amount: u64) {
        for t in (0..seq.len()).step_by(2) {
            let (r, col) = (seq[t], seq[t + 1]);
            add_arc(&mut self.col_arcs[col as usize], r, amount as i64);
            add_arc(&mut self.row_arcs[r as usize], col, amount as i64);
            if t + 2 < seq.len() {
                let r_next = seq[t + 2];
                add_arc(&mut self.col_arcs[col as usize], r_next, -(amount as i64));
                add_arc(&mut self.row_arcs[r_next as usize], col, -(amount as i64));
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
            self.b_col[ck] = f64::INFINITY;
            if self.ct.is_some() {
                self.retire_col(ck); // the per-row minima serve the backward side only
            }
        }
    }

    /// Recomputes the per-column minimum over free rows where it pointed at `row`, now full:
    /// from the column's list of next-cheapest rows when one of them is still free, else by a
    /// scan of the column (see [`ColumnRunnersUp`]).
    fn retire_row(&mut self, row: usize) {
        for j in 0..self.ny {
            if self.colarg[j] as usize != row {
                continue;
            }
            let next = self
                .runners_up
                .next_free(j, |i| self.row_flow[i] < self.row_cap);
            let (best, arg) = match next {
                Some(i) => (self.cost(i, j), i as u32),
                None => self.rescan_column(j),
            };
            self.colmin[j] = best;
            self.colarg[j] = arg;
        }
    }

    /// The cheapest free row of column `j` (lowest index among ties), `(inf, NONE)` if none,
    /// refilling the column's runners-up list in the same strided pass.
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

    /// Recomputes the per-row minimum over free columns where it pointed at `col`, now full.
    fn retire_col(&mut self, col: usize) {
        for i in 0..self.nx {
            if self.rowarg[i] as usize != col {
                continue;
            }
            let row = &self.c[i * self.ny..(i + 1) * self.ny];
            let (mut best, mut arg) = (f64::INFINITY, NONE);
            for (j, &v) in row.iter().enumerate() {
                let v = v.get();
                if v < best && self.col_flow[j] < self.col_cap {
                    best = v;
                    arg = j as u32;
                }
            }
            self.rowmin[i] = best;
            self.rowarg[i] = arg;
        }
    }

    /// The certificate of the current flow: every residual arc has reduced cost
    /// `>= -tol` (flow arcs both ways), where `tol` is relative to the magnitudes of the costs
    /// and potentials. With free rows at potential 0 and free columns sharing theirs, this
    /// proves the flow optimal for its value.
    pub(crate) fn certify(&self) -> Result<(), ParsmError> {
        let mag = |v: &[f64]| v.iter().fold(0.0f64, |m, &x| m.max(x.abs()));
        // Every cost is at least `shift` (the least of them), so the largest `|c - shift|` is
        // the largest cost less `shift`, rounded alike (subtraction is monotone).
        let cmax = (greatest(self.c) - self.shift).abs();
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
            for &(j, _) in &self.row_arcs[i] {
                let j = j as usize;
                let rc = self.cost(i, j) - self.shift + self.pr[i] - self.pc[j];
                if rc > tol {
                    return Err(ParsmError::Uncertified(format!(
                        "mass path: flow arc ({i}, {j}) has reduced cost {rc:e}"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Clears the previous search's labels.
    fn reset(&mut self) {
        for i in self.fwd.touched_rows.drain(..) {
            let i = i as usize;
            self.d_row[i] = f64::INFINITY;
            self.fwd.pred_row[i] = NONE;
        }
        if self.bwd.started {
            self.bwd.key_b.fill(f64::INFINITY);
            for i in self.bwd.back_rows.drain(..) {
                self.bwd.b_row[i as usize] = f64::INFINITY;
            }
            for j in self.bwd.back_cols.drain(..) {
                self.b_col[j as usize] = f64::INFINITY;
            }
            self.bwd.started = false;
        }
        self.bwd.top = (0.0, usize::MAX);
        self.fwd.pending.clear();
    }

    /// The next shortest augmenting path, as `r0 c0 r1 c1 … rk ck` in `seq` (forward arcs
    /// `(r_t, c_t)`, backward arcs `(r_{t+1}, c_t)`), with the potentials updated so that its
    /// arcs are tight. `Ok(false)` when no augmenting path is left.
    ///
    /// The search goes in rounds. The first round steps the forward side only (it usually
    /// finds the path at once while free columns are many); every later round steps both
    /// sides, on two threads for long rows. Each side reads the other's labels as they were at
    /// the start of the round; meetings through labels made in the round are checked after it.
    pub(crate) fn next_path(&mut self, seq: &mut Vec<u32>) -> Result<bool, ParsmError> {
        self.reset();
        let shift = self.shift;
        for j in 0..self.ny {
            let arg = self.colarg[j];
            self.fwd.key[j] = if arg == NONE {
                f64::INFINITY
            } else {
                (self.colmin[j] - shift - self.pc[j]).max(0.0)
            };
            self.fwd.pred_col[j] = arg;
        }
        let (t, a, m, mj) = argmin_with_meet(&self.fwd.key, &self.b_col);
        self.fwd.top = (t, a);
        let (mut mu, mut meet) = (m, Meet::Col(mj));
        let two_sided = self.ct.is_some();
        if !two_sided {
            self.mark_dead_ends();
            refresh_blocks(&self.fwd.key, &self.dead, &mut self.fwd.blocks);
        }
        let parallel = self.nx.max(self.ny) >= PARALLEL_AT;
        let mut rounds = 0usize;
        loop {
            let (top_f, top_b) = (self.fwd.frontier(), self.bwd.top.0);
            if top_f + top_b >= mu || (top_f == f64::INFINITY && top_b == f64::INFINITY) {
                break;
            }
            rounds += 1;
            if rounds.is_multiple_of(256) {
                self.monitor.check()?;
            }
            let go_f = top_f < f64::INFINITY;
            let go_b = two_sided && rounds > 1 && top_b < f64::INFINITY;
            if !go_f && !go_b {
                break;
            }
            if go_b && !self.bwd.started {
                let sh = shared!(self);
                self.bwd.start(&sh, &self.rowmin, &self.rowarg, self.p_free);
                continue; // the backward frontier is in place; check the stop rule again
            }
            let (f_out, b_out) = {
                let sh = shared!(self);
                let (fwd, bwd) = (&mut self.fwd, &mut self.bwd);
                match (go_f, go_b) {
                    (true, true) if parallel => {
                        let (f, b) = rayon::join(|| fwd.step(&sh, true), || bwd.step(&sh));
                        (Some(f), Some(b))
                    }
                    _ => (
                        go_f.then(|| fwd.step(&sh, two_sided)),
                        go_b.then(|| bwd.step(&sh)),
                    ),
                }
            };
            // Publish the round's labels, then look for meetings through them.
            if f_out.is_some() {
                for &(i, d) in &self.fwd.new_rows {
                    self.d_row[i as usize] = d;
                }
            }
            if b_out.is_some() {
                for &(j, d) in &self.bwd.new_cols {
                    self.b_col[j as usize] = d;
                }
            }
            let mut offer = |c: Candidate| {
                if c.0 < mu {
                    (mu, meet) = c;
                }
            };
            if let Some(step) = &f_out {
                offer(step.meet);
                if let Some(j) = step.col {
                    offer((self.fwd.d_col[j] + self.b_col[j], Meet::Col(j)));
                }
                for &(i, d) in &self.fwd.new_rows {
                    let i = i as usize;
                    let back = if self.bwd.b_row[i].is_finite() {
                        self.bwd.b_row[i]
                    } else {
                        self.bwd.key_b[i]
                    };
                    offer((d + back, Meet::Row(i)));
                }
            }
            if let Some(step) = &b_out {
                offer(step.meet);
                let i = step.row;
                offer((self.d_row[i] + self.bwd.b_row[i], Meet::Row(i)));
                for &(j, d) in &self.bwd.new_cols {
                    let j = j as usize;
                    let fwd = if self.fwd.key[j].is_nan() {
                        self.fwd.d_col[j]
                    } else {
                        self.fwd.key[j]
                    };
                    offer((fwd + d, Meet::Col(j)));
                }
            }
        }
        if mu == f64::INFINITY {
            return Ok(false);
        }
        self.trace(meet, seq);
        self.update_potentials(mu, self.fwd.frontier().min(mu));
        Ok(true)
    }

    /// Marks the *dead-end* columns of the coming one-sided search: full columns whose flow
    /// comes only from free rows. Such a column leads nowhere (the rows behind it are the
    /// source, at distance 0), so the search never needs to label it: it only needs its final
    /// key, which the potential update reads. Skipping them saves most of the search's steps
    /// on rectangular problems, where most rows stay partly free for a long time (at 500 x 520
    /// and s = 0.5, about 19 of every 20 labeled columns were dead ends).
    fn mark_dead_ends(&mut self) {
        for j in 0..self.ny {
            let dead = self.col_flow[j] >= self.col_cap
                && self.col_arcs[j]
                    .iter()
                    .all(|&(i, _)| self.row_flow[i as usize] < self.row_cap);
            self.dead[j] = if dead { f64::INFINITY } else { 0.0 };
        }
    }

    /// Writes the path through the meeting node into `seq`.
    fn trace(&self, meet: Meet, seq: &mut Vec<u32>) {
        seq.clear();
        // Forward half, from the meeting node back to a free row, reversed.
        let mut back: Vec<u32> = Vec::new();
        let (mut row, mut col) = match meet {
            Meet::Col(j) => (None, Some(j)),
            Meet::Row(i) => (Some(i), None),
        };
        let (start_row, start_col) = (row, col);
        loop {
            if let Some(j) = col {
                back.push(j as u32);
                row = Some(self.fwd.pred_col[j] as usize);
                col = None;
                continue;
            }
            let i = row.expect("a row");
            back.push(i as u32);
            if self.row_free(i) {
                break;
            }
            col = Some(self.fwd.pred_row[i] as usize);
            row = None;
        }
        back.reverse(); // r0 c0 … ending at the meeting node
        seq.extend_from_slice(&back);
        // Backward half, from the meeting node to a free column.
        let (mut row, mut col) = (start_row, start_col);
        loop {
            if let Some(j) = col {
                if self.col_free(j) {
                    break;
                }
                let i = self.bwd.succ_col[j] as usize;
                seq.push(i as u32);
                row = Some(i);
                col = None;
                continue;
            }
            let i = row.expect("a row");
            let j = self.bwd.succ_row[i] as usize;
            seq.push(j as u32);
            col = Some(j);
            row = None;
        }
        remove_loops(seq);
    }

    /// Moves every node by `δ(v) = min(d_f(v), max(r, D - d_b(v)))` (see the module docs).
    ///
    /// The one-sided search leaves dead-end columns unlabeled ([`Search::mark_dead_ends`]);
    /// their key is their distance wherever it is below `D` (every row closer than `D` is
    /// labeled and has relaxed them), and every other unlabeled column has a key of at least
    /// `D`, so there an unlabeled column moves by `min(key, D)`.
    fn update_potentials(&mut self, d: f64, r: f64) {
        let one_sided = self.ct.is_none();
        let delta = |fwd: f64, bwd: f64| -> f64 {
            if fwd.is_finite() {
                fwd.min(d)
            } else if bwd.is_finite() && d - bwd > r {
                d - bwd
            } else {
                r
            }
        };
        for i in 0..self.nx {
            if !self.row_free(i) {
                self.pr[i] += delta(self.d_row[i], self.bwd.b_row[i]);
            }
        }
        for j in 0..self.ny {
            if self.col_free(j) {
                continue;
            }
            let fwd = if self.fwd.key[j].is_nan() {
                self.fwd.d_col[j]
            } else if one_sided {
                self.fwd.key[j]
            } else {
                f64::INFINITY
            };
            self.pc[j] += delta(fwd, self.b_col[j]);
        }
        // Free columns: backward distance 0, so they all move by D.
        self.p_free += d;
        for j in 0..self.ny {
            if self.col_free(j) {
                self.pc[j] = self.p_free;
            }
        }
    }
}

/// One Dijkstra relaxation pass fused with the next step's minimum search:
/// `key[k] = min(key[k], max(base + c[k] ± pot[k], floor))` (`+` when `PLUS`), recording `who`
/// as predecessor where it improves; then `(min, argmin)` of the keys and, when `MEET`, of
/// `key + other` (the best meeting with the other side's labels; `(inf, usize::MAX)` without).
/// Labeled entries hold NaN, which no comparison replaces or selects. Independent lanes, so
/// that it vectorises.
#[allow(clippy::too_many_arguments)]
#[inline]
fn relax_scan<T: Cost, const PLUS: bool, const MEET: bool>(
    c: &[T],
    pot: &[f64],
    base: f64,
    floor: f64,
    who: u32,
    key: &mut [f64],
    pred: &mut [u32],
    other: &[f64],
) -> (f64, usize, f64, usize) {
    if !MEET {
        // Two simple passes vectorise better than one pass that carries five streams.
        relax::<T, PLUS>(c, pot, base, floor, who, key, pred);
        let (m, i) = argmin(key);
        return (m, i, f64::INFINITY, usize::MAX);
    }
    const LANES: usize = 8;
    let n = c.len();
    let body = n - n % LANES;
    let mut acc = [f64::INFINITY; LANES];
    let mut at = [usize::MAX; LANES];
    let mut macc = [f64::INFINITY; LANES];
    let mut mat = [usize::MAX; LANES];
    for (chunk, ((((cs, ps), ks), qs), os)) in c[..body]
        .chunks_exact(LANES)
        .zip(pot[..body].chunks_exact(LANES))
        .zip(key[..body].chunks_exact_mut(LANES))
        .zip(pred[..body].chunks_exact_mut(LANES))
        .zip(other[..body].chunks_exact(LANES))
        .enumerate()
    {
        for k in 0..LANES {
            let p = if PLUS { ps[k] } else { -ps[k] };
            let nd = (base + cs[k].get() + p).max(floor);
            let better = nd < ks[k];
            ks[k] = if better { nd } else { ks[k] };
            qs[k] = if better { who } else { qs[k] };
            let v = ks[k];
            let lower = v < acc[k];
            acc[k] = if lower { v } else { acc[k] };
            at[k] = if lower { chunk * LANES + k } else { at[k] };
            if MEET {
                let w = v + os[k];
                let mlower = w < macc[k];
                macc[k] = if mlower { w } else { macc[k] };
                mat[k] = if mlower { chunk * LANES + k } else { mat[k] };
            }
        }
    }
    for k in body..n {
        let p = if PLUS { pot[k] } else { -pot[k] };
        let nd = (base + c[k].get() + p).max(floor);
        if nd < key[k] {
            key[k] = nd;
            pred[k] = who;
        }
    }
    let mut out = reduce_lanes(&acc, &at, &macc, &mat);
    for k in body..n {
        if key[k] < out.0 {
            (out.0, out.1) = (key[k], k);
        }
        let w = key[k] + other[k];
        if MEET && w < out.2 {
            (out.2, out.3) = (w, k);
        }
    }
    out
}

/// `key[k] = min(key[k], max(base + c[k] ± pot[k], floor))`, recording `who` where it improves.
#[inline]
fn relax<T: Cost, const PLUS: bool>(
    c: &[T],
    pot: &[f64],
    base: f64,
    floor: f64,
    who: u32,
    key: &mut [f64],
    pred: &mut [u32],
) {
    for (((&c, &p), k), q) in c.iter().zip(pot).zip(key.iter_mut()).zip(pred.iter_mut()) {
        let p = if PLUS { p } else { -p };
        let nd = (base + c.get() + p).max(floor);
        let better = nd < *k;
        *k = if better { nd } else { *k };
        *q = if better { who } else { *q };
    }
}

/// `(min, argmin)` of `key` ignoring NaN (labeled entries); `(inf, usize::MAX)` when nothing
/// is finite.
#[inline]
fn argmin(key: &[f64]) -> (f64, usize) {
    const LANES: usize = 8;
    let body = key.len() - key.len() % LANES;
    let mut acc = [f64::INFINITY; LANES];
    let mut at = [usize::MAX; LANES];
    for (chunk, ks) in key[..body].chunks_exact(LANES).enumerate() {
        for k in 0..LANES {
            let better = ks[k] < acc[k];
            acc[k] = if better { ks[k] } else { acc[k] };
            at[k] = if better { chunk * LANES + k } else { at[k] };
        }
    }
    let (mut m, mut idx, _, _) = reduce_lanes(&acc, &at, &acc, &at);
    for (j, &v) in key.iter().enumerate().skip(body) {
        if v < m {
            (m, idx) = (v, j);
        }
    }
    (m, idx)
}

/// The lane minima of [`relax_scan`] and [`argmin_with_meet`] folded into one, lowest index
/// first on ties.
#[inline]
fn reduce_lanes(
    acc: &[f64; 8],
    at: &[usize; 8],
    macc: &[f64; 8],
    mat: &[usize; 8],
) -> (f64, usize, f64, usize) {
    let (mut m, mut idx, mut mm, mut midx) = (f64::INFINITY, usize::MAX, f64::INFINITY, usize::MAX);
    for k in 0..8 {
        if acc[k] < m || (acc[k] == m && at[k] < idx) {
            m = acc[k];
            idx = at[k];
        }
        if macc[k] < mm || (macc[k] == mm && mat[k] < midx) {
            mm = macc[k];
            midx = mat[k];
        }
    }
    (m, idx, mm, midx)
}

/// `(min, argmin)` of `key` ignoring NaN, and `(min, argmin)` of `key + other`, in one pass with
/// independent lanes; `(inf, usize::MAX)` where nothing is finite.
#[inline]
fn argmin_with_meet(key: &[f64], other: &[f64]) -> (f64, usize, f64, usize) {
    const LANES: usize = 8;
    let n = key.len();
    let body = n - n % LANES;
    let mut acc = [f64::INFINITY; LANES];
    let mut at = [usize::MAX; LANES];
    let mut macc = [f64::INFINITY; LANES];
    let mut mat = [usize::MAX; LANES];
    for (chunk, (ks, os)) in key[..body]
        .chunks_exact(LANES)
        .zip(other[..body].chunks_exact(LANES))
        .enumerate()
    {
        for k in 0..LANES {
            let v = ks[k];
            let better = v < acc[k];
            acc[k] = if better { v } else { acc[k] };
            at[k] = if better { chunk * LANES + k } else { at[k] };
            let w = v + os[k];
            let mbetter = w < macc[k];
            macc[k] = if mbetter { w } else { macc[k] };
            mat[k] = if mbetter { chunk * LANES + k } else { mat[k] };
        }
    }
    let (mut m, mut idx, mut mm, mut midx) = reduce_lanes(&acc, &at, &macc, &mat);
    for j in body..n {
        if key[j] < m {
            m = key[j];
            idx = j;
        }
        let w = key[j] + other[j];
        if w < mm {
            mm = w;
            midx = j;
        }
    }
    (m, idx, mm, midx)
}

/// Cuts out any cycle of `seq` (`r0 c0 r1 c1 …`), keeping the first visit of each node. The
/// halves of a bidirectional search can share a node only through a cycle of reduced length 0
/// (ties), so the shortcut path is as short and its arcs are still tight.
fn remove_loops(seq: &mut Vec<u32>) {
    use std::collections::HashMap;
    // Position in `out` of each node kept, per kind (rows at even, columns at odd positions).
    let mut at: [HashMap<u32, usize>; 2] = [HashMap::new(), HashMap::new()];
    let mut out: Vec<u32> = Vec::with_capacity(seq.len());
    for (t, &v) in seq.iter().enumerate() {
        if let Some(&pos) = at[t % 2].get(&v) {
            for k in pos + 1..out.len() {
                at[k % 2].remove(&out[k]);
            }
            out.truncate(pos + 1);
            continue;
        }
        at[t % 2].insert(v, out.len());
        out.push(v);
    }
    *seq = out;
}

/// Adds `delta` units to the flow arc to `node` in an arc list, dropping empty arcs.
fn add_arc(arcs: &mut Vec<(u32, u64)>, node: u32, delta: i64) {
    if let Some(pos) = arcs.iter().position(|(r, _)| *r == node) {
        let v = arcs[pos].1 as i64 + delta;
        debug_assert!(v >= 0);
        if v <= 0 {
            arcs.swap_remove(pos);
        } else {
            arcs[pos].1 = v as u64;
        }
    } else {
        debug_assert!(delta > 0);
        arcs.push((node, delta as u64));
    }
}

/// The first minimum of `row` and its index, `(inf, NONE)` when no entry is below `inf`: what a
/// scan keeping the entries strictly below the best so far finds, as one vectorised minimum
/// and a search for its first occurrence.
fn first_minimum<T: Cost>(row: &[T]) -> (f64, u32) {
    let best = least(row);
    if best < f64::INFINITY {
        if let Some(j) = row.iter().position(|&v| v.get() == best) {
            // The entry itself, not `best`: a zero's sign is the entry's.
            return (row[j].get(), j as u32);
        }
    }
    (f64::INFINITY, NONE)
}

/// How many of a column's cheapest free rows one scan keeps.
const RUNNERS_UP: usize = 8;

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
    #[inline]
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

/// `C` transposed (`ct[j * nx + i] = c[i * ny + j]`), in cache-sized tiles, when a second copy
/// fits in half of the available memory; `None` otherwise.
fn transpose_if_it_fits<T: Cost>(
    c: &[T],
    nx: usize,
    ny: usize,
    monitor: &Monitor,
) -> Option<Vec<T>> {
    let bytes = (nx * ny * T::BYTES) as u64;
    if available_bytes().is_some_and(|avail| bytes > avail / 2) {
        return None;
    }
    const TILE: usize = 64;
    let mut ct = vec![c[0]; nx * ny];
    for i0 in (0..nx).step_by(TILE) {
        if monitor.check().is_err() {
            return None; // cancelled: the search stops at its first check
        }
        for j0 in (0..ny).step_by(TILE) {
            for i in i0..(i0 + TILE).min(nx) {
                for j in j0..(j0 + TILE).min(ny) {
                    ct[j * nx + i] = c[i * ny + j];
                }
            }
        }
    }
    Some(ct)
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

    /// `block_min` is the first minimum of `key + dead` in the block, skipping NaN (labeled)
    /// keys and dead columns: against a plain scan, on ragged blocks with many ties.
    #[test]
    fn block_min_is_the_first_minimum_of_the_block() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for n in [1usize, 7, 64, 65, 130, 200] {
            for _ in 0..50 {
                let key: Vec<f64> = (0..n)
                    .map(|_| match next(&mut state) % 6 {
                        0 => f64::NAN,
                        1 => f64::INFINITY,
                        r => r as f64,
                    })
                    .collect();
                let dead: Vec<f64> = (0..n)
                    .map(|_| {
                        if next(&mut state).is_multiple_of(5) {
                            f64::INFINITY
                        } else {
                            0.0
                        }
                    })
                    .collect();
                for b in 0..n.div_ceil(BLOCK) {
                    let (lo, hi) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
                    let mut want = (f64::INFINITY, NONE as usize);
                    for k in lo..hi {
                        if key[k] + dead[k] < want.0 {
                            want = (key[k] + dead[k], k);
                        }
                    }
                    let want = if want.1 == NONE as usize {
                        (want.0, usize::MAX)
                    } else {
                        want
                    };
                    assert_eq!(block_min(&key, &dead, b), want, "n = {n}, block {b}");
                }
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
