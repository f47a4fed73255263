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
//! augmentation at worst, with early exit once the sink's distance is final, and candidate
//! lists on long rows (see the private `path_search` module). All free rows sit at distance 0
//! from the source, so they are kept as one implicit source through the per-column minimum
//! over free rows, instead of being scanned one by one. There is no greedy initialisation
//! (Jonker–Volgenant's would break optimality at intermediate mass).

use ndarray::{Array2, ArrayView2};

use crate::error::ParsmError;
use crate::memory::Reservation;
use crate::monitor::Monitor;
use crate::path_search::Search;
use crate::scalar::Cost;
use crate::sum::Neumaier;
use crate::validate::check_cost;

/// The exact optimal-cost path of partial transport with uniform marginals.
#[derive(Debug, Clone)]
pub struct MassPath {
    pub(crate) nx: usize,
    pub(crate) ny: usize,
    /// Flow units per unit of mass: `lcm(nx, ny)`.
    pub(crate) units: u64,
    /// Units sent by each augmentation.
    pub(crate) amounts: Vec<u64>,
    /// Path cost (the slope of ζ) of each augmentation, nondecreasing.
    slopes: Vec<f64>,
    /// Start of each augmentation's path in `nodes`; one extra entry closes the last.
    pub(crate) offsets: Vec<usize>,
    /// Paths as `r0 c0 r1 c1 … rk ck`: forward arcs `(r_t, c_t)`, backward arcs `(r_{t+1}, c_t)`.
    pub(crate) nodes: Vec<u32>,
    /// Mass at which each unit of X starts to send / becomes full.
    row_entry: Vec<f64>,
    row_full: Vec<f64>,
    /// Mass at which each unit of Y starts to receive / becomes full.
    col_entry: Vec<f64>,
    col_full: Vec<f64>,
    /// The last search's node potentials `(a, b)`: `C_ij - shift + a_i - b_j >= 0` for every
    /// arc, 0 (up to rounding) on the arcs that carry flow; empty when nothing moved.
    potentials: (Vec<f64>, Vec<f64>),
    /// The least and greatest cost, read by the final certificate; `None` when nothing moved.
    cost_range: Option<(f64, f64)>,
}

/// From this mass on, a path's column potentials serve as the prices of soft matching's
/// candidate lists ([`MassPath::soft_matching_prices`]).
///
/// They are the exact duals of partial transport at the path's last mass, which at s = 1 is
/// soft matching itself. On the 20 `bench_pairwise` pairs the lists they give took 3 % more
/// pivots at s = 0.5 than the estimated prices (47,500 against 46,200), 5 % fewer at 0.7 and
/// 8 % fewer at 0.9, and they spare the estimate and the pass over the matrix it reads: soft
/// matching 19 % faster at 0.5 and 28 % at 0.7. Below 0.5 they were worse (s = 0.3: 19 % more
/// pivots, 5 % slower). On structured 2,000-unit costs (low rank, Nx != Ny) they were 5 %
/// slower at 0.5, 3 % faster at 0.7 and 15 % at 0.9; on a mixed set of square and
/// rectangular costs up to 2,100 units, 4 % faster at 0.5.
pub const PRICES_FROM: f64 = 0.5;

/// From this ratio of the longer side to the shorter on, a path is solved with the longer side
/// as rows, below it with the shorter (see [`solves_transposed`]).
pub const TRANSPOSE_AT: usize = 2;

/// Whether [`MassPath::solve`] solves the path of an `nx x ny` problem on the transposed costs:
/// where the rows are not the side it runs faster on, the longer side from [`TRANSPOSE_AT`]
/// times the shorter on, the shorter side below (never when `nx == ny`). So both orders of a
/// pair's populations (`C` and `C^T`) are solved on the same costs, and give the same path bit
/// for bit, turned round.
///
/// The search runs from all free rows at once and relaxes one row per labeled row. With the
/// longer side as rows it was 1.2-1.6x faster at 1:2, about 2x at 1:5, 2.2-2.7x at 1:10 and
/// 4-6x at 1:50 (latent and independent correlation costs, to s = 0.5 and 1). Below 1:2 the
/// shorter side is the faster one: on the 13 pairs of the 20 `bench_pairwise` pairs with
/// ratios 1.05-1.84, paths to s = 0.5 took 34.2 ms against 39.9 (to s = 1, 387 ms either way),
/// on 24 crops of structured costs (300-620 units) 86.7 against 97.9 (to s = 1, 683 against
/// 739), on the 2,000-unit structured set 707 against 715; and soft matching priced by such a
/// path, on the same costs, is faster with the shorter side as rows too (path and soft
/// matching together 15 % less time on those pairs, 14 % on the crops).
pub fn solves_transposed(nx: usize, ny: usize) -> bool {
    ny >= TRANSPOSE_AT * nx || (ny < nx && nx < TRANSPOSE_AT * ny)
}

/// `c` transposed into a new standard-layout matrix, in cache-sized tiles, with the memory
/// reserved for it, when the copy (with the copies other solves hold) fits in half of the
/// available memory; `None` otherwise (or when cancelled: the solve then stops at its first
/// check).
fn transposed_copy<T: Cost>(
    c: ArrayView2<T>,
    monitor: &Monitor,
) -> Option<(Array2<T>, Reservation)> {
    let (nx, ny) = c.dim();
    let held = Reservation::take((nx * ny * T::BYTES) as u64, 0.5)?;
    const TILE: usize = 64;
    let c = c.as_standard_layout();
    let src = c.as_slice().expect("standard layout is contiguous");
    let mut out = vec![src[0]; nx * ny];
    for i0 in (0..nx).step_by(TILE) {
        if monitor.check().is_err() {
            return None;
        }
        for j0 in (0..ny).step_by(TILE) {
            for i in i0..(i0 + TILE).min(nx) {
                for j in j0..(j0 + TILE).min(ny) {
                    out[j * nx + i] = src[i * ny + j];
                }
            }
        }
    }
    let ct = Array2::from_shape_vec((ny, nx), out).expect("ny x nx elements");
    Some((ct, held))
}

/// Progress units a path reports (see [`progress_at`]).
const PROGRESS_SCALE: f64 = 1e6;

/// The progress a path reports at mass `s`: `ln((1 + c) / (1 - s + c))`, `c = 0.01`, in
/// [`PROGRESS_SCALE`] units, not the mass itself. A search costs more the fuller the units
/// are (near s = 1 it labels most of them), so reported as mass, a progress bar's remaining
/// time was far too short: on two whole paths counted (white-noise and structured costs,
/// about 2,000 units a side, rectangular), the searches past s = 0.9 labeled 48-56 % of all
/// the columns labeled and those before s = 0.5 only 7-12 %; this weight puts 52 % past 0.9
/// and 15 % before 0.5.
fn progress_at(s: f64) -> u64 {
    const C: f64 = 0.01;
    (((1.0 + C) / (1.0 - s.clamp(0.0, 1.0) + C)).ln() * PROGRESS_SCALE).round() as u64
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl MassPath {
    /// Builds the path of partial transport between `Nx` rows and `Ny` columns with uniform
    /// marginals, up to mass `s_max` (rounded up to the next flow unit; 1 builds all of it).
    ///
    /// The costs may be stored as `f64` or `f32` (see [`crate::scalar`]); the path is exact for
    /// the stored values.
    pub fn solve<T: Cost>(cost: ArrayView2<T>, s_max: f64) -> Result<MassPath, ParsmError> {
        Self::solve_monitored(cost, s_max, &Monitor::new())
    }

    /// [`MassPath::solve`], reporting progress to `monitor` (`ln((1 + c) / (1 - s + c))` at
    /// mass `s`, `c = 0.01`: weighted towards s = 1, where the searches are slow) and stopping
    /// with [`ParsmError::Interrupted`] within one shortest-path search (checked every few
    /// hundred labeled columns) or 256 rows of the set-up once it is cancelled.
    ///
    /// Where [`solves_transposed`] says so, the path is solved on a transposed copy of the
    /// costs (while it fits in half the available memory; otherwise on the costs as given)
    /// and turned back (node lists reversed, unit masses swapped).
    pub fn solve_monitored<T: Cost>(
        cost: ArrayView2<T>,
        s_max: f64,
        monitor: &Monitor,
    ) -> Result<MassPath, ParsmError> {
        check_cost(cost)?;
        if !(0.0..=1.0).contains(&s_max) {
            return Err(ParsmError::MassOutOfRange(s_max));
        }
        let (nx, ny) = cost.dim();
        if solves_transposed(nx, ny) {
            if let Some((ct, _held)) = transposed_copy(cost, monitor) {
                return Ok(Self::build(ct.view(), s_max, monitor)?.transposed());
            }
        }
        Self::build(cost, s_max, monitor)
    }

    /// The solve on the costs as given: compiled a second time for AVX2, and that copy run
    /// where the CPU has it. The search's passes over columns and rows (relaxations, block
    /// minima, the potential update) then run four values to an instruction instead of two,
    /// and the path is 10-12 % faster (bench pairs, to s = 0.5 and 1); every function of the
    /// search is `#[inline(always)]`, so that all of it is in that copy. Floating-point results
    /// are the same bits either way: no operation is reordered or fused, only packed wider.
    fn build<T: Cost>(
        cost: ArrayView2<T>,
        s_max: f64,
        monitor: &Monitor,
    ) -> Result<MassPath, ParsmError> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            #[allow(unsafe_code)]
            // SAFETY: `build_avx2` requires only the `avx2` target feature, which this CPU has
            // just been checked to have, and contains no unsafe operation. (Calling a
            // `#[target_feature]` function from code compiled without the feature is the one
            // operation Rust marks unsafe here.)
            return unsafe { Self::build_avx2(cost, s_max, monitor) };
        }
        Self::build_any(cost, s_max, monitor)
    }

    /// [`MassPath::build_any`] compiled for AVX2 (see [`MassPath::build`]).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn build_avx2<T: Cost>(
        cost: ArrayView2<T>,
        s_max: f64,
        monitor: &Monitor,
    ) -> Result<MassPath, ParsmError> {
        Self::build_any(cost, s_max, monitor)
    }

    /// The successive shortest paths up to `s_max`, inlined into both copies.
    #[inline(always)]
    fn build_any<T: Cost>(
        cost: ArrayView2<T>,
        s_max: f64,
        monitor: &Monitor,
    ) -> Result<MassPath, ParsmError> {
        let (nx, ny) = cost.dim();
        let c = cost.as_standard_layout();
        let c = c.as_slice().expect("standard layout is contiguous");
        let g = gcd(nx as u64, ny as u64);
        let units = nx as u64 / g * ny as u64;
        let (row_cap, col_cap) = (units / nx as u64, units / ny as u64);
        let target = ((s_max * units as f64).ceil() as u64).min(units);

        let progress = |flow: u64| progress_at(flow as f64 / units as f64);
        monitor.set_total(progress(target));
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
            potentials: (Vec::new(), Vec::new()),
            cost_range: None,
        };
        if target == 0 {
            // Nothing to move (s_max = 0): no search state.
            return Ok(path);
        }
        let mut b = Search::new(c, nx, ny, (row_cap, col_cap), monitor)?;
        let mut flow = 0u64;
        let mut scratch: Vec<u32> = Vec::new();
        while flow < target {
            monitor.set_done(progress(flow));
            monitor.check()?;
            if !b.next_path(&mut scratch)? {
                break;
            }
            let amount = b.residual(&scratch).min(target - flow);
            let mut slope = Neumaier::default();
            for t in (0..scratch.len()).step_by(2) {
                let (r, col) = (scratch[t] as usize, scratch[t + 1] as usize);
                slope.add(b.cost(r, col));
                if t + 2 < scratch.len() {
                    slope.add(-b.cost(scratch[t + 2] as usize, col));
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
            b.augment(&scratch, amount);
            if b.row_flow[r0] == row_cap {
                path.row_full[r0] = after;
            }
            if b.col_flow[ck] == col_cap {
                path.col_full[ck] = after;
            }
            path.amounts.push(amount);
            path.slopes.push(slope.sum());
            path.nodes.extend_from_slice(&scratch);
            path.offsets.push(path.nodes.len());
        }
        monitor.set_done(progress(flow));
        path.cost_range = Some(b.certify()?);
        path.check_convex()?;
        path.potentials = b.potentials();
        Ok(path)
    }

    /// The same path for the transposed problem (X and Y swapped). Partial transport with
    /// uniform marginals is symmetric: a plan of the transposed problem is the transposed plan,
    /// at the same cost. An augmentation `r0 c0 … rk ck` of the transposed problem (its rows are
    /// units of Y) adds flow on `(c_t, r_t)` and removes it from `(c_t, r_{t+1})` in the
    /// original orientation; read backwards, `ck rk … c0 r0`, it is an augmentation of the
    /// original problem in the same form, from the unit of X it starts sending from. So the
    /// node lists are reversed and the unit masses swapped; amounts and slopes stay.
    fn transposed(mut self) -> MassPath {
        for w in self.offsets.windows(2) {
            self.nodes[w[0]..w[1]].reverse();
        }
        std::mem::swap(&mut self.nx, &mut self.ny);
        std::mem::swap(&mut self.row_entry, &mut self.col_entry);
        std::mem::swap(&mut self.row_full, &mut self.col_full);
        // `C'_ji - shift + a'_j - b'_i >= 0` for the transposed costs `C'` is
        // `C_ij - shift + (-b'_i) - (-a'_j) >= 0` for the original ones.
        let (a, b) = std::mem::take(&mut self.potentials);
        let negated = |v: Vec<f64>| v.into_iter().map(|x| -x).collect::<Vec<f64>>();
        self.potentials = (negated(b), negated(a));
        self
    }

    /// Slopes of successive shortest paths never decrease (ζ is convex); a decrease beyond
    /// rounding would mean a path was not shortest.
    fn check_convex(&self) -> Result<(), ParsmError> {
        let scale = self.slopes.iter().fold(1.0f64, |m, &x| m.max(x.abs()));
        for (k, w) in self.slopes.windows(2).enumerate() {
            if w[1] < w[0] - 1e-9 * scale {
                return Err(ParsmError::Uncertified(format!(
                    "mass path: slope {} after {} at augmentation {}",
                    w[1],
                    w[0],
                    k + 1
                )));
            }
        }
        Ok(())
    }

    /// Number of units of X (rows) and of Y (columns).
    pub fn shape(&self) -> (usize, usize) {
        (self.nx, self.ny)
    }

    /// Prices for soft matching's candidate lists on the same costs (see
    /// [`crate::transport::soft_matching_cost_priced`]): the column potentials `v_j` of the
    /// path's last search (`C_ij - v_j >= u_i` on every arc, tight on the plan's), where the
    /// path reaches [`PRICES_FROM`]; `None` below.
    pub fn soft_matching_prices(&self) -> Option<&[f64]> {
        let v = &self.potentials.1;
        (self.s_max() >= PRICES_FROM && v.len() == self.ny).then_some(v.as_slice())
    }

    /// The least and greatest of the costs the path was solved on (`None` for a path that
    /// moved no mass): what soft matching on the same costs scales them by
    /// ([`crate::transport::soft_matching_cost_after`]).
    pub fn cost_range(&self) -> Option<(f64, f64)> {
        self.cost_range
    }

    /// The largest mass the path reaches.
    pub fn s_max(&self) -> f64 {
        self.amounts.iter().sum::<u64>() as f64 / self.units as f64
    }

    /// Number of augmentations.
    pub fn n_augmentations(&self) -> usize {
        self.amounts.len()
    }

    /// The mass at the end of each augmentation, in order (the last is the path's `s_max`).
    /// Between two of them (and from 0 to the first) the optimal plan `T(s)` is linear in
    /// `s`, so anything linear in the plan is too (see [`MassPath::project`]).
    pub fn augmentation_ends(&self) -> Vec<f64> {
        let mut flow = 0u64;
        self.amounts
            .iter()
            .map(|&a| {
                flow += a;
                flow as f64 / self.units as f64
            })
            .collect()
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

    /// The breakpoints up to `s_max`, as a path solved only up to `s_max` would have them: a
    /// solve stops at the first whole flow unit at or above `s_max` (`1 / lcm(Nx, Ny)` of
    /// mass), so the last knot is that mass, with ζ interpolated there.
    pub fn breakpoints_to(&self, s_max: f64) -> (Vec<f64>, Vec<f64>) {
        let (ks, kv) = self.breakpoints();
        let units = self.units as f64;
        let end = ((s_max.max(0.0) * units).ceil().min(units)) / units;
        let mut s: Vec<f64> = Vec::new();
        let mut z: Vec<f64> = Vec::new();
        for (&a, &b) in ks.iter().zip(&kv) {
            if a < end {
                s.push(a);
                z.push(b);
            }
        }
        // ζ at `end`: on the segment that contains it (or the last knot, past the path).
        let at = match ks.iter().position(|&a| a >= end) {
            Some(0) => kv[0],
            Some(k) => {
                let (s0, s1, z0, z1) = (ks[k - 1], ks[k], kv[k - 1], kv[k]);
                z0 + (z1 - z0) * (end - s0) / (s1 - s0)
            }
            None => *kv.last().expect("the path starts at (0, 0)"),
        };
        s.push(end);
        z.push(at);
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
    pub fn evaluate<T: Cost>(
        &self,
        other: ArrayView2<T>,
        grid: &[f64],
    ) -> Result<Vec<f64>, ParsmError> {
        check_cost(other)?;
        if other.dim() != (self.nx, self.ny) {
            return Err(ParsmError::ShapeMismatch {
                what: "the cost matrix to evaluate",
                got: other.dim(),
                expected: (self.nx, self.ny),
            });
        }
        let c = other.as_standard_layout();
        let c = c.as_slice().expect("standard layout is contiguous");
        let ny = self.ny;
        let rates: Vec<f64> = (0..self.amounts.len())
            .map(|k| {
                let p = &self.nodes[self.offsets[k]..self.offsets[k + 1]];
                let mut acc = Neumaier::default();
                for t in (0..p.len()).step_by(2) {
                    let col = p[t + 1] as usize;
                    acc.add(c[p[t] as usize * ny + col].get());
                    if t + 2 < p.len() {
                        acc.add(-c[p[t + 2] as usize * ny + col].get());
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
            // The part of augmentation k below `target` joins the compensated sum as its own
            // term, exactly as a path solved only to `target` (whose last augmentation ends
            // there) counts it, so that both give the same bits.
            let mut at = acc.clone();
            if k < self.amounts.len() && target > flow {
                at.add((target - flow) * rates[k] / self.units as f64);
            }
            out[idx] = at.sum();
        }
        Ok(out)
    }

    pub(crate) fn check_mass(&self, s: f64) -> Result<(), ParsmError> {
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

    /// The augmentations that make up the optimal plan at mass `s`, each as its path
    /// (`r0 c0 r1 c1 … rk ck`) and the flow units it pushes (the last one partly).
    fn pushes(&self, s: f64) -> impl Iterator<Item = (&[u32], f64)> + '_ {
        let target = (s * self.units as f64).min(self.units as f64);
        let mut flow = 0.0f64;
        (0..self.amounts.len()).map_while(move |k| {
            if flow >= target {
                return None;
            }
            let push = (self.amounts[k] as f64).min(target - flow);
            flow += push;
            Some((&self.nodes[self.offsets[k]..self.offsets[k + 1]], push))
        })
    }

    /// The row and column sums of the exact optimal plan at mass `s` (each unit's matched
    /// mass), from the augmentation history without building the dense plan: an augmentation
    /// moves mass only at its first row and its last column.
    pub fn masses_at(&self, s: f64) -> Result<(Vec<f64>, Vec<f64>), ParsmError> {
        self.check_mass(s)?;
        let (mut rows, mut cols) = (vec![0.0; self.nx], vec![0.0; self.ny]);
        for (p, push) in self.pushes(s) {
            rows[p[0] as usize] += push;
            cols[p[p.len() - 1] as usize] += push;
        }
        let scale = 1.0 / self.units as f64;
        rows.iter_mut()
            .chain(cols.iter_mut())
            .for_each(|v| *v *= scale);
        Ok((rows, cols))
    }

    /// How many units of X and of Y are matched at mass `s`: their matched mass
    /// ([`MassPath::masses_at`]) exceeds `tol` of their own mass (`1/Nx`, `1/Ny`). The one
    /// rule `compare` and `pairwise` count matched units by.
    pub fn matched_at(&self, s: f64, tol: f64) -> Result<(usize, usize), ParsmError> {
        let (rows, cols) = self.masses_at(s)?;
        let count = |mass: &[f64]| {
            let least = tol / mass.len() as f64;
            mass.iter().filter(|&&m| m > least).count()
        };
        Ok((count(&rows), count(&cols)))
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
        let mut plan = crate::memory::zeroed_matrix(self.nx, self.ny);
        for (p, push) in self.pushes(s) {
            for t in (0..p.len()).step_by(2) {
                let col = p[t + 1] as usize;
                plan[[p[t] as usize, col]] += push;
                if t + 2 < p.len() {
                    plan[[p[t + 2] as usize, col]] -= push;
                }
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// The progress weight starts at 0, grows with the mass, puts about half the work past
    /// s = 0.9, and a finished solve reports its whole total, to part of the mass or all of it.
    #[test]
    fn progress_is_weighted_towards_full_units_and_ends_at_its_total() {
        assert_eq!(progress_at(0.0), 0);
        let grid: Vec<u64> = (0..=100).map(|k| progress_at(k as f64 / 100.0)).collect();
        assert!(grid.windows(2).all(|w| w[0] < w[1]));
        let share = |s: f64| progress_at(s) as f64 / progress_at(1.0) as f64;
        assert!((share(0.5) - 0.148).abs() < 0.01 && (share(0.9) - 0.48).abs() < 0.01);
        let c = Array2::from_shape_fn((30, 41), |(i, j)| ((i * 7 + j * 13) % 17) as f64);
        for s_max in [0.3, 1.0] {
            let monitor = Monitor::new();
            MassPath::solve_monitored(c.view(), s_max, &monitor).unwrap();
            let (done, total) = monitor.progress();
            assert_eq!(done, total, "s = {s_max}");
            assert!(total >= progress_at(s_max) && total <= progress_at(s_max + 1.0 / 1230.0));
        }
    }

    /// Matched units count those whose mass exceeds the tolerance's share of their own, on
    /// each side, at every mass (against the masses themselves), and a tolerance of 1 counts
    /// none (no unit carries more than its own mass).
    #[test]
    fn matched_units_are_those_above_the_tolerance() {
        let c = Array2::from_shape_fn((9, 14), |(i, j)| ((i * 7 + j * 3) % 11) as f64 + 0.5);
        let path = MassPath::solve(c.view(), 1.0).unwrap();
        for s in [0.0, 0.2, 0.55, 1.0] {
            let (rows, cols) = path.masses_at(s).unwrap();
            for tol in [1e-6, 0.5] {
                let want = (
                    rows.iter().filter(|&&m| m > tol / 9.0).count(),
                    cols.iter().filter(|&&m| m > tol / 14.0).count(),
                );
                assert_eq!(path.matched_at(s, tol).unwrap(), want, "s {s} tol {tol}");
            }
            assert_eq!(path.matched_at(s, 1.0 + 1e-9).unwrap(), (0, 0));
        }
        assert_eq!(path.matched_at(1.0, 1e-6).unwrap(), (9, 14));
        assert!(path.matched_at(1.5, 1e-6).is_err());
    }

    /// The augmentations' ends: one per augmentation, increasing, the last at `s_max`, and
    /// the plan linear between them (its midpoint the mean of the ends' plans).
    #[test]
    fn the_plan_is_linear_between_augmentation_ends() {
        let c = Array2::from_shape_fn((12, 17), |(i, j)| ((i * 5 + j * 11) % 13) as f64 + 0.1);
        for s_max in [0.45, 1.0] {
            let path = MassPath::solve(c.view(), s_max).unwrap();
            let ends = path.augmentation_ends();
            assert_eq!(ends.len(), path.n_augmentations());
            assert!(ends.windows(2).all(|w| w[0] < w[1]));
            assert_eq!(*ends.last().unwrap(), path.s_max());
            let mut lo = 0.0;
            for &hi in &ends {
                let mid = path.plan_at(0.5 * (lo + hi)).unwrap();
                let mean = (path.plan_at(lo).unwrap() + path.plan_at(hi).unwrap()) * 0.5;
                assert!((mid - mean).iter().all(|d| d.abs() < 1e-15), "[{lo}, {hi}]");
                lo = hi;
            }
        }
    }

    /// The copy compiled for every CPU (the one a CPU without AVX2 runs, which this machine's
    /// `build` never reaches) gives the same path as `build`, bit for bit: square, wide and
    /// tall problems with and without candidate lists, with ties, to part of the mass and to
    /// all of it.
    #[test]
    fn the_portable_copy_gives_the_same_path_as_build() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_f491_4f6c_dd1d)
        };
        for &(nx, ny, levels) in &[
            (60usize, 60usize, 0u64),
            (40, 150, 0),
            (150, 130, 5),
            (7, 9, 3),
        ] {
            let c = Array2::from_shape_fn((nx, ny), |_| {
                let r = next();
                if levels == 0 {
                    (r >> 11) as f64 / (1u64 << 53) as f64
                } else {
                    (r % levels) as f64
                }
            });
            for s_max in [0.4, 1.0] {
                let monitor = Monitor::new();
                let a = MassPath::build(c.view(), s_max, &monitor).unwrap();
                let b = MassPath::build_any(c.view(), s_max, &monitor).unwrap();
                assert_eq!(a.amounts, b.amounts, "{nx} x {ny}, s = {s_max}");
                assert_eq!(a.nodes, b.nodes, "{nx} x {ny}, s = {s_max}");
                assert_eq!(a.offsets, b.offsets);
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&a.slopes), bits(&b.slopes));
                assert_eq!(bits(&a.row_full), bits(&b.row_full));
                assert_eq!(bits(&a.col_entry), bits(&b.col_entry));
            }
        }
    }

    /// Non-finite costs are refused, counted as `check_finite` counts them, at any mass, as
    /// given or turned round; finite costs whose sum overflows are solved.
    #[test]
    fn non_finite_costs_are_refused_wherever_they_are_found() {
        for &(nx, ny) in &[(6usize, 9usize), (9, 6), (5, 14), (70, 90)] {
            let base = Array2::from_shape_fn((nx, ny), |(i, j)| ((i * 7 + j * 3) % 11) as f64);
            for bad in [[f64::NAN, 1.0], [f64::INFINITY, f64::NEG_INFINITY]] {
                let mut c = base.clone();
                c[(0, 0)] = bad[0];
                c[(nx - 1, ny / 2)] = bad[1];
                let count = bad.iter().filter(|v| !v.is_finite()).count();
                for s in [0.0, 0.5, 1.0] {
                    match MassPath::solve(c.view(), s) {
                        Err(ParsmError::NonFinite { count: n, .. }) => assert_eq!(n, count),
                        other => panic!("{nx} x {ny}, s = {s}: {other:?}"),
                    }
                }
            }
            let huge = base.mapv(|v| 1e307 * (1.0 + v));
            let path = MassPath::solve(huge.view(), 1.0).expect("finite, if their sum is not");
            assert_eq!(path.s_max(), 1.0);
        }
    }

    /// Smooth costs of rank two with a little deterministic noise.
    fn smooth_costs(nx: usize, ny: usize) -> Array2<f64> {
        Array2::from_shape_fn((nx, ny), |(i, j)| {
            let noise = ((i * 7919 + j * 104_729) % 1009) as f64 / 1009.0;
            (i as f64 * 0.3).sin() * (j as f64 * 0.2).cos() + 0.5 * noise
        })
    }

    /// A path keeps the least and greatest cost it read, and soft matching after it (priced by
    /// it, the costs neither checked nor scanned again) is the same bits as soft matching
    /// priced by it that checks and scans them; on problems solved as given and turned round,
    /// and on paths that reach the prices or not.
    #[test]
    fn soft_matching_after_a_path_reads_its_range() {
        for &(nx, ny) in &[
            (60usize, 230usize),
            (230, 60),
            (210, 240),
            (240, 210),
            (40, 40),
        ] {
            let c = smooth_costs(nx, ny) - 0.2;
            let lo = c.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = c.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            for s in [0.0, 0.3, 0.7] {
                let path = MassPath::solve(c.view(), s).unwrap();
                let expect = (s > 0.0).then_some((lo, hi));
                assert_eq!(path.cost_range(), expect, "{nx} x {ny}, s = {s}");
                let after = crate::transport::soft_matching_cost_after(c.view(), &path, None);
                let priced = crate::transport::soft_matching_cost_priced(
                    c.view(),
                    path.soft_matching_prices(),
                    None,
                );
                assert_eq!(after.unwrap().to_bits(), priced.unwrap().to_bits());
            }
        }
    }

    /// The potentials a path keeps are duals of its last plan, in the orientation of the
    /// costs given (wide problems are solved transposed): `C_ij - min C + a_i - b_j >= 0` on
    /// every arc and 0 on the arcs the plan uses. Soft matching's prices are the column
    /// potentials from [`PRICES_FROM`] on, and soft matching priced by them reaches the same
    /// optimum.
    #[test]
    fn kept_potentials_are_duals_of_the_last_plan_and_price_soft_matching() {
        for &(nx, ny) in &[
            (50usize, 50usize),
            (40, 130),
            (130, 45),
            (150, 300),
            (300, 170),
        ] {
            let c = smooth_costs(nx, ny);
            let lo = c.iter().copied().fold(f64::INFINITY, f64::min);
            for s in [0.3, 0.5, 0.8, 1.0] {
                let path = MassPath::solve(c.view(), s).unwrap();
                let (a, b) = &path.potentials;
                assert_eq!((a.len(), b.len()), (nx, ny));
                let plan = path.plan_at(path.s_max()).unwrap();
                for ((i, j), &cij) in c.indexed_iter() {
                    let rc = cij - lo + a[i] - b[j];
                    assert!(rc >= -1e-9, "{nx} x {ny}, s = {s}: arc ({i}, {j}) {rc}");
                    if plan[(i, j)] > 0.0 {
                        assert!(
                            rc.abs() <= 1e-9,
                            "{nx} x {ny}, s = {s}: flow arc ({i}, {j}) {rc}"
                        );
                    }
                }
                let prices = path.soft_matching_prices();
                assert_eq!(prices.is_some(), s >= PRICES_FROM);
                let priced = crate::transport::soft_matching_cost_priced(c.view(), prices, None);
                let plain = crate::transport::soft_matching_cost(c.view(), None).unwrap();
                assert!((priced.unwrap() - plain).abs() <= 1e-12);
            }
        }
        assert!(MassPath::solve(Array2::<f64>::zeros((3, 4)).view(), 0.0)
            .unwrap()
            .soft_matching_prices()
            .is_none());
    }
}
