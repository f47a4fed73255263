//! The whole optimal partial-transport path ζ(s), s ∈ [0, 1], in one solve.
//!
//! With uniform marginals `1/Nx` and `1/Ny`, scale the mass by `L = lcm(Nx, Ny)`: row `i` can
//! send `L/Nx` units, column `j` can take `L/Ny`, and mass `s` is `s·L` units. Successive
//! shortest augmenting paths from a super-source (all rows) to a super-sink (all columns), with
//! reduced costs kept nonnegative by node potentials, give after every augmentation a flow that
//! is optimal **for its own value** (Phatak et al., ICLR 2023, "Computing all optimal partial
//! transports"). So:
//!
//! * ζ is convex and piecewise linear, and the `k`-th augmentation's path cost is its slope;
//! * pushing only part of an augmentation gives the exact optimal plan at any `s` in between,
//!   so the compact augmentation history rebuilds the plan at any `s` without solving again;
//! * flow on a source or sink arc only grows (a shortest path never returns to the source), so
//!   each unit has a mass at which it **enters** the matching and one at which it is **full**.
//!
//! The shortest paths use Dijkstra on the dense bipartite graph without a heap: `O(Nx·Ny)` per
//! augmentation at worst, with early exit once the sink's distance is final. All free rows sit at
//! distance 0 from the source, so they are kept as one implicit source through the per-column
//! minimum over free rows, instead of being scanned one by one. There is no greedy
//! initialisation (Jonker–Volgenant's would break optimality at intermediate mass).

use ndarray::{Array2, ArrayView2};

use crate::cost::check_cost;
use crate::error::ParsmError;
use crate::monitor::Monitor;
use crate::simplex::Neumaier;

const NONE: u32 = u32::MAX;

/// The exact optimal-cost path of partial transport with uniform marginals.
#[derive(Debug, Clone)]
pub struct MassPath {
    nx: usize,
    ny: usize,
    /// Flow units per unit of mass: `lcm(nx, ny)`.
    units: u64,
    /// Units sent by each augmentation.
    amounts: Vec<u64>,
    /// Path cost (the slope of ζ) of each augmentation, nondecreasing.
    slopes: Vec<f64>,
    /// Start of each augmentation's path in `nodes`; one extra entry closes the last.
    offsets: Vec<usize>,
    /// Paths as `r0 c0 r1 c1 … rk ck`: forward arcs `(r_t, c_t)`, backward arcs `(r_{t+1}, c_t)`.
    nodes: Vec<u32>,
    /// Mass at which each unit of X starts to send / becomes full.
    row_entry: Vec<f64>,
    row_full: Vec<f64>,
    /// Mass at which each unit of Y starts to receive / becomes full.
    col_entry: Vec<f64>,
    col_full: Vec<f64>,
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Solver state while the path is built.
struct Builder<'a> {
    c: &'a [f64],
    monitor: &'a Monitor,
    /// `min(C)`: Dijkstra works on `C - shift >= 0`, so every potential can start at 0.
    shift: f64,
    nx: usize,
    ny: usize,
    row_cap: u64,
    col_cap: u64,
    row_flow: Vec<u64>,
    col_flow: Vec<u64>,
    /// Flow arcs into each column: `(row, units)`.
    col_arcs: Vec<Vec<(u32, u64)>>,
    /// Row potentials (0 for free rows) and column potentials; `rc = C + pr - pc`. Free
    /// columns all move by the sink's distance, so their sink arcs keep reduced cost 0 and the
    /// first free column Dijkstra labels ends the search (no sink potential is needed).
    pr: Vec<f64>,
    pc: Vec<f64>,
    /// Minimum of `C[i, j]` over free rows `i`, and where it is attained.
    colmin: Vec<f64>,
    colarg: Vec<u32>,
    // Dijkstra scratch.
    d_row: Vec<f64>,
    d_col: Vec<f64>,
    key: Vec<f64>,
    pred_row: Vec<u32>,
    pred_col: Vec<u32>,
    touched_rows: Vec<u32>,
}

impl<'a> Builder<'a> {
    fn new(
        c: &'a [f64],
        nx: usize,
        ny: usize,
        row_cap: u64,
        col_cap: u64,
        monitor: &'a Monitor,
    ) -> Self {
        let mut colmin = vec![f64::INFINITY; ny];
        let mut colarg = vec![NONE; ny];
        for i in 0..nx {
            let row = &c[i * ny..(i + 1) * ny];
            for j in 0..ny {
                if row[j] < colmin[j] {
                    colmin[j] = row[j];
                    colarg[j] = i as u32;
                }
            }
        }
        let shift = colmin.iter().copied().fold(f64::INFINITY, f64::min);
        Builder {
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
            pr: vec![0.0; nx],
            pc: vec![0.0; ny],
            colmin,
            colarg,
            d_row: vec![f64::INFINITY; nx],
            d_col: vec![f64::INFINITY; ny],
            key: vec![f64::INFINITY; ny],

            pred_row: vec![NONE; nx],
            pred_col: vec![NONE; ny],
            touched_rows: Vec::new(),
        }
    }

    #[inline]
    fn cost(&self, i: usize, j: usize) -> f64 {
        self.c[i * self.ny + j]
    }

    /// Recomputes the per-column minimum over free rows for the columns that pointed at `row`,
    /// which just became full.
    fn retire_row(&mut self, row: usize) {
        let nx = self.nx;
        for j in 0..self.ny {
            if self.colarg[j] as usize != row {
                continue;
            }
            let (mut best, mut arg) = (f64::INFINITY, NONE);
            for i in 0..nx {
                if self.row_flow[i] < self.row_cap {
                    let v = self.cost(i, j);
                    if v < best {
                        best = v;
                        arg = i as u32;
                    }
                }
            }
            self.colmin[j] = best;
            self.colarg[j] = arg;
        }
    }

    /// Dijkstra from the super-source. Returns the last column of a shortest augmenting path
    /// and the sink's distance, or `None` when no augmenting path is left.
    ///
    /// Columns are labeled in order of distance. A labeled column's flow rows are labeled with
    /// it, at the same distance (their backward arcs have reduced cost 0), and each labeled row
    /// relaxes the remaining columns in a pass that also finds the next closest column. The
    /// first free column labeled ends the search: free columns share the sink's potential.
    fn shortest_path(&mut self) -> Result<Option<(usize, f64)>, ParsmError> {
        let ny = self.ny;
        for i in self.touched_rows.drain(..) {
            let i = i as usize;
            self.d_row[i] = f64::INFINITY;
            self.pred_row[i] = NONE;
        }
        // `key[j]`: tentative distance of an unlabeled column, NaN once labeled (its final
        // distance then sits in `d_col[j]`; NaN never compares smaller, so relaxation and
        // argmin skip it). Free rows are the implicit source at distance 0.
        let shift = self.shift;
        for (((k, &arg), &cmin), &p) in self
            .key
            .iter_mut()
            .zip(&self.colarg)
            .zip(&self.colmin)
            .zip(&self.pc)
        {
            *k = if arg == NONE {
                f64::INFINITY
            } else {
                (cmin - shift - p).max(0.0)
            };
        }
        self.pred_col.copy_from_slice(&self.colarg);
        let (mut dmin, mut jmin) = argmin(&self.key);
        let mut labeled = 0usize;
        let (best_col, best_t) = loop {
            if jmin == usize::MAX || dmin == f64::INFINITY {
                return Ok(None);
            }
            labeled += 1;
            if labeled % 256 == 0 {
                self.monitor.check()?;
            }
            let j = jmin;
            let dj = dmin;
            self.d_col[j] = dj;
            self.key[j] = f64::NAN;
            if self.col_flow[j] < self.col_cap {
                break (j, dj);
            }
            // Label the full rows that send flow to `j` at its distance (their backward arcs
            // have reduced cost 0), and relax the remaining columns from each.
            for a in 0..self.col_arcs[j].len() {
                let i = self.col_arcs[j][a].0 as usize;
                if self.row_flow[i] < self.row_cap || self.d_row[i] != f64::INFINITY {
                    continue; // free rows are the source; labeled rows are done
                }
                let rc = (self.pc[j] - (self.cost(i, j) - self.shift) - self.pr[i]).max(0.0);
                let di = dj + rc;
                self.d_row[i] = di;
                self.pred_row[i] = j as u32;
                self.touched_rows.push(i as u32);
                relax(
                    &self.c[i * ny..(i + 1) * ny],
                    &self.pc,
                    di + self.pr[i] - self.shift,
                    di,
                    i as u32,
                    &mut self.key,
                    &mut self.pred_col,
                );
            }
            (dmin, jmin) = argmin(&self.key);
        };
        // Potential update: every node moves by min(distance, d_T). Free rows are at distance
        // 0 and keep potential 0; unreached full rows move by d_T.
        for i in 0..self.nx {
            if self.row_flow[i] == self.row_cap {
                self.pr[i] += self.d_row[i].min(best_t);
            }
        }
        for j in 0..ny {
            let d = if self.key[j].is_nan() {
                self.d_col[j]
            } else {
                self.key[j]
            };
            self.pc[j] += d.min(best_t);
        }
        Ok(Some((best_col, best_t)))
    }
}

/// Relaxes every column from one labeled row: `key[j] = min(key[j], max(base + row[j] - pc[j],
/// floor))`, recording the row as predecessor where it improves. Labeled columns hold NaN, which
/// no comparison can replace.
#[inline]
fn relax(
    row: &[f64],
    pc: &[f64],
    base: f64,
    floor: f64,
    i: u32,
    key: &mut [f64],
    pred: &mut [u32],
) {
    for (((&c, &p), k), pr) in row.iter().zip(pc).zip(key.iter_mut()).zip(pred.iter_mut()) {
        let nd = (base + c - p).max(floor);
        let better = nd < *k;
        *k = if better { nd } else { *k };
        *pr = if better { i } else { *pr };
    }
}

/// `(min, argmin)` of `v` ignoring NaN, vectorised with independent lanes; `(inf, usize::MAX)`
/// when nothing is finite.
#[inline]
fn argmin(v: &[f64]) -> (f64, usize) {
    const LANES: usize = 8;
    let mut acc = [f64::INFINITY; LANES];
    let mut at = [usize::MAX; LANES];
    let body = v.len() - v.len() % LANES;
    for (chunk, vs) in v[..body].chunks_exact(LANES).enumerate() {
        for k in 0..LANES {
            let better = vs[k] < acc[k];
            acc[k] = if better { vs[k] } else { acc[k] };
            at[k] = if better { chunk * LANES + k } else { at[k] };
        }
    }
    let (mut m, mut idx) = (f64::INFINITY, usize::MAX);
    for k in 0..LANES {
        if acc[k] < m || (acc[k] == m && at[k] < idx) {
            m = acc[k];
            idx = at[k];
        }
    }
    for (k, &x) in v[body..].iter().enumerate() {
        if x < m {
            m = x;
            idx = body + k;
        }
    }
    (m, idx)
}

impl MassPath {
    /// Builds the path of partial transport between `Nx` rows and `Ny` columns with uniform
    /// marginals, up to mass `s_max` (rounded up to the next flow unit; 1 builds all of it).
    pub fn solve(cost: ArrayView2<f64>, s_max: f64) -> Result<MassPath, ParsmError> {
        Self::solve_monitored(cost, s_max, &Monitor::new())
    }

    /// [`MassPath::solve`], reporting progress in flow units (`done` of `total`) to `monitor`
    /// and stopping with [`ParsmError::Interrupted`] within one shortest-path search (checked
    /// every few hundred labeled columns) once it is cancelled.
    pub fn solve_monitored(
        cost: ArrayView2<f64>,
        s_max: f64,
        monitor: &Monitor,
    ) -> Result<MassPath, ParsmError> {
        check_cost(cost)?;
        if !(0.0..=1.0).contains(&s_max) {
            return Err(ParsmError::MassOutOfRange(s_max));
        }
        let (nx, ny) = cost.dim();
        let c = cost.as_standard_layout();
        let c = c.as_slice().expect("standard layout is contiguous");
        let g = gcd(nx as u64, ny as u64);
        let units = nx as u64 / g * ny as u64;
        let (row_cap, col_cap) = (units / nx as u64, units / ny as u64);
        let target = ((s_max * units as f64).ceil() as u64).min(units);

        let mut b = Builder::new(c, nx, ny, row_cap, col_cap, monitor);
        monitor.set_total(target);
        let mut path = MassPath {
            nx,
            ny,
            units,
            amounts: Vec::new(),
            slopes: Vec::new(),
            offsets: vec![0],
            nodes: Vec::new(),
            row_entry: vec![f64::NAN; nx],
            row_full: vec![f64::NAN; nx],
            col_entry: vec![f64::NAN; ny],
            col_full: vec![f64::NAN; ny],
        };
        let mut flow = 0u64;
        let mut scratch: Vec<u32> = Vec::new();
        while flow < target {
            monitor.set_done(flow);
            let Some((end_col, _)) = b.shortest_path()? else {
                break;
            };
            // Walk back from the sink to a free row, collecting `ck rk … c0 r0`.
            scratch.clear();
            let mut j = end_col;
            let mut amount = (col_cap - b.col_flow[end_col]).min(target - flow);
            loop {
                let i = b.pred_col[j] as usize;
                scratch.push(j as u32);
                scratch.push(i as u32);
                if b.row_flow[i] < row_cap {
                    amount = amount.min(row_cap - b.row_flow[i]);
                    break;
                }
                let jp = b.pred_row[i] as usize;
                let on_arc = b.col_arcs[jp]
                    .iter()
                    .find(|(r, _)| *r as usize == i)
                    .map_or(0, |&(_, u)| u);
                amount = amount.min(on_arc);
                j = jp;
            }
            scratch.reverse(); // r0 c0 r1 c1 … rk ck
            let mut slope = Neumaier::default();
            for t in (0..scratch.len()).step_by(2) {
                let (r, col) = (scratch[t] as usize, scratch[t + 1] as usize);
                slope.add(b.cost(r, col));
                add_arc(&mut b.col_arcs[col], r as u32, amount as i64);
                if t + 2 < scratch.len() {
                    let r_next = scratch[t + 2] as usize;
                    slope.add(-b.cost(r_next, col));
                    add_arc(&mut b.col_arcs[col], r_next as u32, -(amount as i64));
                }
            }
            let (r0, ck) = (scratch[0] as usize, *scratch.last().unwrap() as usize);
            let before = flow as f64 / units as f64;
            flow += amount;
            let after = flow as f64 / units as f64;
            if b.row_flow[r0] == 0 {
                path.row_entry[r0] = before;
            }
            if b.col_flow[ck] == 0 {
                path.col_entry[ck] = before;
            }
            b.row_flow[r0] += amount;
            b.col_flow[ck] += amount;
            if b.row_flow[r0] == row_cap {
                path.row_full[r0] = after;
                b.retire_row(r0);
            }
            if b.col_flow[ck] == col_cap {
                path.col_full[ck] = after;
            }
            path.amounts.push(amount);
            path.slopes.push(slope.sum());
            path.nodes.extend_from_slice(&scratch);
            path.offsets.push(path.nodes.len());
        }
        monitor.set_done(flow);
        Ok(path)
    }

    /// Number of units of X (rows) and of Y (columns).
    pub fn shape(&self) -> (usize, usize) {
        (self.nx, self.ny)
    }

    /// The largest mass the path reaches.
    pub fn s_max(&self) -> f64 {
        self.amounts.iter().sum::<u64>() as f64 / self.units as f64
    }

    /// Number of augmentations.
    pub fn n_augmentations(&self) -> usize {
        self.amounts.len()
    }

    /// The breakpoints `(s_k, ζ_k)` of the piecewise-linear optimal cost, from `(0, 0)`.
    /// Consecutive augmentations of equal slope are merged.
    pub fn breakpoints(&self) -> (Vec<f64>, Vec<f64>) {
        let mut s = vec![0.0];
        let mut z = vec![0.0];
        let mut flow = 0u64;
        let mut zeta = Neumaier::default();
        for (k, (&a, &slope)) in self.amounts.iter().zip(&self.slopes).enumerate() {
            flow += a;
            zeta.add(a as f64 * slope / self.units as f64);
            let merge = k + 1 < self.slopes.len() && self.slopes[k + 1] == slope;
            if !merge {
                s.push(flow as f64 / self.units as f64);
                z.push(zeta.sum());
            }
        }
        (s, z)
    }

    /// Slopes of ζ between consecutive breakpoints (nondecreasing: ζ is convex).
    pub fn slopes(&self) -> Vec<f64> {
        let (s, z) = self.breakpoints();
        s.windows(2)
            .zip(z.windows(2))
            .map(|(sw, zw)| (zw[1] - zw[0]) / (sw[1] - sw[0]))
            .collect()
    }

    /// `⟨T(s), C'⟩` for each `s` in `grid`, where `T(s)` is the path's optimal plan at mass `s`
    /// and `C'` any `Nx x Ny` matrix (the path's own costs give ζ; held-out costs give a
    /// cross-validated curve). `O(path length + grid)`: each augmentation changes the value
    /// linearly.
    pub fn evaluate(&self, other: ArrayView2<f64>, grid: &[f64]) -> Result<Vec<f64>, ParsmError> {
        check_cost(other)?;
        let c = other.as_standard_layout();
        let c = c.as_slice().expect("standard layout is contiguous");
        let ny = self.ny;
        let rates: Vec<f64> = (0..self.amounts.len())
            .map(|k| {
                let p = &self.nodes[self.offsets[k]..self.offsets[k + 1]];
                let mut acc = Neumaier::default();
                for t in (0..p.len()).step_by(2) {
                    let col = p[t + 1] as usize;
                    acc.add(c[p[t] as usize * ny + col]);
                    if t + 2 < p.len() {
                        acc.add(-c[p[t + 2] as usize * ny + col]);
                    }
                }
                acc.sum()
            })
            .collect();
        self.piecewise(&rates, grid)
    }

    /// Evaluates the piecewise-linear function with the given per-augmentation rates at `grid`.
    fn piecewise(&self, rates: &[f64], grid: &[f64]) -> Result<Vec<f64>, ParsmError> {
        let mut order: Vec<usize> = (0..grid.len()).collect();
        for &s in grid {
            self.check_mass(s)?;
        }
        order.sort_by(|&a, &b| grid[a].total_cmp(&grid[b]));
        let mut out = vec![0.0; grid.len()];
        let (mut k, mut flow, mut acc) = (0usize, 0.0f64, Neumaier::default());
        for idx in order {
            let target = grid[idx] * self.units as f64;
            while k < self.amounts.len() && flow + self.amounts[k] as f64 <= target {
                flow += self.amounts[k] as f64;
                acc.add(self.amounts[k] as f64 * rates[k] / self.units as f64);
                k += 1;
            }
            let extra = if k < self.amounts.len() && target > flow {
                (target - flow) * rates[k] / self.units as f64
            } else {
                0.0
            };
            out[idx] = acc.sum() + extra;
        }
        Ok(out)
    }

    fn check_mass(&self, s: f64) -> Result<(), ParsmError> {
        if !(0.0..=1.0).contains(&s) {
            return Err(ParsmError::MassOutOfRange(s));
        }
        let top = self.s_max();
        if s > top * (1.0 + 1e-12) {
            return Err(ParsmError::MassTooLarge {
                m: s,
                available: top,
            });
        }
        Ok(())
    }

    /// The row and column sums of the exact optimal plan at mass `s` (each unit's matched
    /// mass), from the augmentation history without building the dense plan: an augmentation
    /// moves mass only at its first row and its last column.
    pub fn masses_at(&self, s: f64) -> Result<(Vec<f64>, Vec<f64>), ParsmError> {
        self.check_mass(s)?;
        let target = (s * self.units as f64).min(self.units as f64);
        let (mut rows, mut cols) = (vec![0.0; self.nx], vec![0.0; self.ny]);
        let mut flow = 0.0f64;
        for k in 0..self.amounts.len() {
            if flow >= target {
                break;
            }
            let push = (self.amounts[k] as f64).min(target - flow);
            let p = &self.nodes[self.offsets[k]..self.offsets[k + 1]];
            rows[p[0] as usize] += push;
            cols[p[p.len() - 1] as usize] += push;
            flow += push;
        }
        let scale = 1.0 / self.units as f64;
        rows.iter_mut()
            .chain(cols.iter_mut())
            .for_each(|v| *v *= scale);
        Ok((rows, cols))
    }

    /// The exact optimal plan at mass `s`, rebuilt from the augmentation history.
    pub fn plan_at(&self, s: f64) -> Result<Array2<f64>, ParsmError> {
        self.check_mass(s)?;
        crate::memory::check_matrix(
            "the dense plan",
            self.nx,
            self.ny,
            8,
            crate::memory::PLAN_REMEDY,
        )?;
        let target = (s * self.units as f64).min(self.units as f64);
        let mut plan = Array2::<f64>::zeros((self.nx, self.ny));
        let mut flow = 0.0f64;
        for k in 0..self.amounts.len() {
            if flow >= target {
                break;
            }
            let push = (self.amounts[k] as f64).min(target - flow);
            let p = &self.nodes[self.offsets[k]..self.offsets[k + 1]];
            for t in (0..p.len()).step_by(2) {
                let col = p[t + 1] as usize;
                plan[[p[t] as usize, col]] += push;
                if t + 2 < p.len() {
                    plan[[p[t + 2] as usize, col]] -= push;
                }
            }
            flow += push;
        }
        let scale = 1.0 / self.units as f64;
        plan.mapv_inplace(|v| (v * scale).max(0.0));
        Ok(plan)
    }

    /// Mass at which each unit of X starts to be matched (NaN if never, within `s_max`).
    pub fn row_entry(&self) -> &[f64] {
        &self.row_entry
    }
    /// Mass at which each unit of X is fully matched (NaN if never, within `s_max`).
    pub fn row_full(&self) -> &[f64] {
        &self.row_full
    }
    /// Mass at which each unit of Y starts to be matched.
    pub fn col_entry(&self) -> &[f64] {
        &self.col_entry
    }
    /// Mass at which each unit of Y is fully matched.
    pub fn col_full(&self) -> &[f64] {
        &self.col_full
    }
}

/// Adds `delta` units to the flow arc `(row, col)` in a column's arc list, dropping empty arcs.
fn add_arc(arcs: &mut Vec<(u32, u64)>, row: u32, delta: i64) {
    if let Some(pos) = arcs.iter().position(|(r, _)| *r == row) {
        let v = arcs[pos].1 as i64 + delta;
        debug_assert!(v >= 0);
        if v <= 0 {
            arcs.swap_remove(pos);
        } else {
            arcs[pos].1 = v as u64;
        }
    } else {
        debug_assert!(delta > 0);
        arcs.push((row, delta as u64));
    }
}
