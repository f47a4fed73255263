//! Exact balanced and partial optimal transport on a dense cost matrix.
//!
//! Partial transport of mass `m` between marginals `a` (rows) and `b` (columns) is solved as a
//! balanced problem on an augmented graph (Chapel et al., 2020): `k` dummy rows share the mass
//! `sum(b) - m`, `k` dummy columns share `sum(a) - m`, every arc between a real and a dummy node
//! costs 0, and the arcs **between two dummies are removed**. Removing them (instead of giving
//! them POT's cost `2 max(C)`) forces exactly `m` through the real arcs for *any* cost matrix, so
//! the optimum is exact for negative, zero or huge costs and no big-M constant is involved.
//!
//! Splitting the dummy mass over several dummy points leaves the optimum unchanged but removes
//! the degenerate pivots that a single, very heavy dummy node causes; see [`default_dummies`].
//!
//! A square problem with equal weights that moves all the mass (balanced soft matching) is an
//! assignment problem: it goes to [`crate::assignment`] (Jonker–Volgenant, 2–3x faster than
//! scipy's solver at n = 2,000–12,000) instead of the simplex, unless a pivot cap is given.

use ndarray::{Array2, ArrayView2};

use crate::assignment::solve_assignment;
use crate::error::{ParsmError, Side};
use crate::memory::{check_matrix, PLAN_REMEDY};
use crate::monitor::Monitor;
use crate::simplex::{self, SimplexOptions, SolveStatus, TransportProblem, TransportSolution};
use crate::validate::check_cost;
use crate::validate::check_marginal;

/// Relative slack with which a requested mass may exceed the available one: `m = 1` with
/// uniform weights whose float sum rounds to `0.9999999999999999` must still work.
const MASS_SLACK: f64 = 1e-12;

/// Options shared by [`emd`] and [`partial`].
#[derive(Debug, Clone, Copy, Default)]
pub struct TransportOptions<'a> {
    /// Stop after this many pivots (reported in the status). `None` solves to optimality.
    pub max_iter: Option<u64>,
    /// Number of dummy points on each side for partial transport. `None` picks
    /// [`default_dummies`].
    pub n_dummies: Option<usize>,
    /// Checked for cancellation while the solve runs.
    pub monitor: Option<&'a Monitor>,
}

impl<'a> From<TransportOptions<'a>> for SimplexOptions<'a> {
    fn from(options: TransportOptions<'a>) -> Self {
        SimplexOptions {
            max_iter: options.max_iter,
            monitor: options.monitor,
            dense_pricing: false,
            column_prices: None,
            cost_range: None,
        }
    }
}

/// The number of dummy points used when none is given: about one per 32 units of the larger
/// side, between 1 and 256.
///
/// Measured on 200-stimulus correlation costs at s = 0.5 (seconds; `cargo bench -p parsm-core`):
///
/// | n    | 1 dummy | 16    | 45    | 64    | 128   | 256   | 512   |
/// |------|---------|-------|-------|-------|-------|-------|-------|
/// | 1000 | 0.31    | 0.046 | 0.046 | 0.046 | 0.067 | 0.100 | 0.149 |
/// | 2000 | 3.18    | 0.342 | 0.275 | 0.280 | 0.256 | 0.299 | 0.550 |
/// | 4000 | 32.9    | 3.95  | 2.05  | 1.76  | 1.67  | 2.23  | 2.11  |
///
/// A single dummy point (POT's default) is 7–20x slower; too many dummies add useless arcs.
pub fn default_dummies(nx: usize, ny: usize) -> usize {
    nx.max(ny).div_ceil(32).clamp(1, 256)
}

fn validated(cost: ArrayView2<f64>, a: &[f64], b: &[f64]) -> Result<(f64, f64), ParsmError> {
    check_matrix("the dense plan", cost.nrows(), cost.ncols(), 8, PLAN_REMEDY)?;
    validated_marginals(cost, a, b)
}

/// Checks the costs and marginals; `(sum(a), sum(b))`.
fn validated_marginals(
    cost: ArrayView2<f64>,
    a: &[f64],
    b: &[f64],
) -> Result<(f64, f64), ParsmError> {
    check_cost(cost)?;
    check_marginal(a, cost.nrows(), Side::X)?;
    check_marginal(b, cost.ncols(), Side::Y)?;
    Ok((a.iter().sum(), b.iter().sum()))
}

/// `(sum(a), scale)` of a balanced problem: its sums must agree to a relative `1e-9`, and `b`
/// is multiplied by `scale = sum(a) / sum(b)` before the solve, so that rounding cannot make
/// the problem infeasible.
fn balanced_sums(sum_a: f64, sum_b: f64) -> Result<(f64, f64), ParsmError> {
    if (sum_a - sum_b).abs() > 1e-9 * sum_a.max(sum_b) {
        return Err(ParsmError::UnbalancedMarginals { sum_a, sum_b });
    }
    Ok((sum_a, if sum_b > 0.0 { sum_a / sum_b } else { 1.0 }))
}

/// The simplex problem of balanced transport on the contiguous costs `c` (`nx x ny`).
fn balanced_problem<'c>(
    c: &'c [f64],
    (nx, ny): (usize, usize),
    a: &[f64],
    b: &[f64],
    scale: f64,
) -> TransportProblem<'c> {
    TransportProblem {
        cost: c,
        nx,
        ny,
        supply: a.to_vec(),
        demand: b.iter().map(|&w| w * scale).collect(),
    }
}

/// Whether the problem with total mass `m` is an assignment problem: square, every weight equal,
/// and all of it transported. Its optimum is then a permutation (scaled by the weight), found by
/// [`solve_assignment`] much faster than by the simplex. An explicit `max_iter` (a simplex
/// pivot cap) keeps the simplex.
fn is_assignment(cost: ArrayView2<f64>, a: &[f64], b: &[f64], m: f64) -> bool {
    let w = a[0];
    cost.nrows() == cost.ncols()
        && w > 0.0
        && a.iter().chain(b).all(|&x| x == w)
        && m >= a.len() as f64 * w * (1.0 - MASS_SLACK)
}

/// The assignment optimum as a transport solution with `extra` zero-mass dummy rows and columns
/// (partial transport at full mass): the dummies' potentials keep every dummy arc feasible.
fn assignment_solution(
    cost: ArrayView2<f64>,
    w: f64,
    extra: usize,
    monitor: Option<&Monitor>,
) -> Result<TransportSolution, ParsmError> {
    let n = cost.nrows();
    let c = cost.as_standard_layout();
    let c = c.as_slice().expect("standard layout is contiguous");
    let quiet = Monitor::new();
    let asg = solve_assignment(c, n, monitor.unwrap_or(&quiet))?;
    let mut plan = crate::memory::zeroed_matrix(n, n);
    for (i, &j) in asg.col_of_row.iter().enumerate() {
        plan[[i, j]] = w;
    }
    let max_u = asg.u.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let max_v = asg.v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut u = asg.u;
    let mut v = asg.v;
    u.extend(std::iter::repeat_n(-max_v, extra));
    v.extend(std::iter::repeat_n(-max_u, extra));
    Ok(TransportSolution {
        plan,
        cost: asg.total_cost * w,
        u,
        v,
        status: SolveStatus::Optimal,
        iterations: 0,
    })
}

/// Balanced optimal transport (earth mover's distance) between `a` and `b` with costs `cost`.
///
/// The marginals must have equal sums to a relative `1e-9`; `b` is rescaled to `sum(a)` before
/// the solve so that rounding cannot make the problem infeasible.
pub fn emd(
    cost: ArrayView2<f64>,
    a: &[f64],
    b: &[f64],
    options: TransportOptions<'_>,
) -> Result<TransportSolution, ParsmError> {
    let (sum_a, sum_b) = validated(cost.view(), a, b)?;
    let (sum_a, scale) = balanced_sums(sum_a, sum_b)?;
    if options.max_iter.is_none() && is_assignment(cost, a, b, sum_a) {
        return assignment_solution(cost, a[0], 0, options.monitor);
    }
    let c = cost.as_standard_layout();
    let c = c.as_slice().expect("standard layout is contiguous");
    let problem = balanced_problem(c, cost.dim(), a, b, scale);
    simplex::solve(&problem, SimplexOptions::from(options))
}

/// The optimal cost of balanced transport, `sum(T * C)` of the plan [`emd`] returns (the same
/// solver and the same bits), without building the dense plan: what a caller that reports only
/// the cost needs (`parsm.pairwise`'s soft-matching scores).
///
/// Fails as [`emd`] does on bad input, with [`ParsmError::Interrupted`] when `monitor` is
/// cancelled, and with [`ParsmError::Uncertified`] when the solve ends without a proof of
/// optimality (a bug, never a property of the input).
pub fn emd_cost(
    cost: ArrayView2<f64>,
    a: &[f64],
    b: &[f64],
    monitor: Option<&Monitor>,
) -> Result<f64, ParsmError> {
    emd_cost_priced(cost, a, b, (None, None), monitor)
}

/// [`emd_cost`], with `prices` for the simplex's candidate lists (see
/// [`SimplexOptions::column_prices`]) and the costs' `range` where a solve that checked them
/// read it (see [`SimplexOptions::cost_range`]; they are then not checked again).
fn emd_cost_priced(
    cost: ArrayView2<f64>,
    a: &[f64],
    b: &[f64],
    (prices, range): (Option<&[f64]>, Option<(f64, f64)>),
    monitor: Option<&Monitor>,
) -> Result<f64, ParsmError> {
    let (sum_a, sum_b) = if range.is_some() {
        check_marginal(a, cost.nrows(), Side::X)?;
        check_marginal(b, cost.ncols(), Side::Y)?;
        (a.iter().sum(), b.iter().sum())
    } else {
        validated_marginals(cost.view(), a, b)?
    };
    let (sum_a, scale) = balanced_sums(sum_a, sum_b)?;
    let c = cost.as_standard_layout();
    let c = c.as_slice().expect("standard layout is contiguous");
    // Priced by a mass path on the same costs, the simplex beats the assignment solver on
    // square problems too (see `soft_matching_cost_after`).
    if prices.is_none() && is_assignment(cost, a, b, sum_a) {
        let quiet = Monitor::new();
        let asg = solve_assignment(c, cost.nrows(), monitor.unwrap_or(&quiet))?;
        return Ok(asg.total_cost * a[0]);
    }
    let problem = balanced_problem(c, cost.dim(), a, b, scale);
    let options = SimplexOptions {
        monitor,
        column_prices: prices,
        cost_range: range,
        ..SimplexOptions::default()
    };
    let (total, status, pivots) = simplex::solve_cost(&problem, options)?;
    certified(status, pivots)?;
    Ok(total)
}

/// Balanced soft matching of all of X's units with all of Y's: [`emd`] between the uniform
/// marginals `1/Nx` and `1/Ny` on `cost`, proven optimal (otherwise
/// [`ParsmError::Uncertified`]); [`ParsmError::Interrupted`] when `monitor` is cancelled.
pub fn soft_matching(
    cost: ArrayView2<f64>,
    monitor: Option<&Monitor>,
) -> Result<TransportSolution, ParsmError> {
    let (a, b) = uniform_marginals(cost.dim());
    let options = TransportOptions {
        monitor,
        ..TransportOptions::default()
    };
    let sol = emd(cost, &a, &b, options)?;
    certified(sol.status, sol.iterations)?;
    Ok(sol)
}

/// The cost of [`soft_matching`]'s plan (the same bits), solved without building it.
pub fn soft_matching_cost(
    cost: ArrayView2<f64>,
    monitor: Option<&Monitor>,
) -> Result<f64, ParsmError> {
    let (a, b) = uniform_marginals(cost.dim());
    emd_cost(cost, &a, &b, monitor)
}

/// [`soft_matching_cost`] (the same optimum, to rounding: another pivot sequence may reach
/// another optimal plan) with `prices` for the candidate lists of the network simplex instead
/// of its own estimate, such as a mass path's on the same costs
/// ([`crate::MassPath::soft_matching_prices`]); `None` estimates them. Given prices, a square
/// problem is solved by the simplex too, not by the assignment solver (measured in
/// [`soft_matching_cost_after`]).
pub fn soft_matching_cost_priced(
    cost: ArrayView2<f64>,
    prices: Option<&[f64]>,
    monitor: Option<&Monitor>,
) -> Result<f64, ParsmError> {
    let (a, b) = uniform_marginals(cost.dim());
    emd_cost_priced(cost, &a, &b, (prices, None), monitor)
}

/// [`soft_matching_cost_priced`] priced by `path`, a mass path solved on these same costs
/// (which it checked): its prices where it reaches far enough, and its least and greatest
/// cost, so that the costs are neither checked nor scanned for their range a second time (two
/// passes over them, about 1 % of a `pairwise` pair). The same bits as
/// `soft_matching_cost_priced(cost, path.soft_matching_prices(), monitor)`.
///
/// With prices, square problems go to the network simplex too, not to the assignment solver
/// that [`soft_matching_cost`] uses: priced by the path it was faster on every family of
/// correlation costs measured but one (after a path to s = 0.5, n = 300 / 1,000 / 2,000 over
/// 200 stimuli: independent noise 1.6 / 7.4 / 39.0 ms to 0.9 / 4.8 / 25.9; shared latent
/// signals 1.4 / 10.7 / 40.7 to 0.8 / 7.0 / 27.5; few response levels, many tied costs 1.0 /
/// 9.2 / 43.3 to 0.6 / 4.6 / 25.8; duplicated units 20.1 to 14.7 ms at 2,000; identical and
/// permuted copies 15.5 to 13.1 ms; ReLU layers of two random networks of 256-1,024 units 23.0
/// to 16.1 ms in all; the bench's populations cut square, 20 pairs, 60 to 25 ms), and slower
/// only on 60 % noisy copies (32.8 to 35.9 ms at 2,000, 254 to 344 ms at 6,000), where the
/// assignment solver's first steps place most units.
pub fn soft_matching_cost_after(
    cost: ArrayView2<f64>,
    path: &crate::MassPath,
    monitor: Option<&Monitor>,
) -> Result<f64, ParsmError> {
    let (a, b) = uniform_marginals(cost.dim());
    let known = (path.soft_matching_prices(), path.cost_range());
    emd_cost_priced(cost, &a, &b, known, monitor)
}

/// Every unit's equal share of its population's mass: `1/Nx` for X's, `1/Ny` for Y's.
pub(crate) fn uniform_marginals((nx, ny): (usize, usize)) -> (Vec<f64>, Vec<f64>) {
    (vec![1.0 / nx as f64; nx], vec![1.0 / ny as f64; ny])
}

/// `Ok` for a plan proven optimal; any other end of an uncapped solve is a bug.
fn certified(status: SolveStatus, pivots: u64) -> Result<(), ParsmError> {
    match status {
        SolveStatus::Optimal => Ok(()),
        status => Err(ParsmError::Uncertified(format!(
            "balanced transport ended {status:?} after {pivots} pivots"
        ))),
    }
}

/// Exact partial optimal transport of mass `m` between `a` and `b`: the plan `T >= 0` with
/// `T 1 <= a`, `T' 1 <= b` and `sum(T) = m` of least `<C, T>`.
///
/// `m` may exceed `min(sum(a), sum(b))` by a relative `1e-12` (rounding); it is then clamped.
/// The returned potentials cover the augmented problem (real nodes first, then the dummies).
pub fn partial(
    cost: ArrayView2<f64>,
    a: &[f64],
    b: &[f64],
    m: f64,
    options: TransportOptions<'_>,
) -> Result<TransportSolution, ParsmError> {
    let (sum_a, sum_b) = validated(cost.view(), a, b)?;
    if !m.is_finite() || m < 0.0 {
        return Err(ParsmError::InvalidMass(m));
    }
    let available = sum_a.min(sum_b);
    if m > available * (1.0 + MASS_SLACK) {
        return Err(ParsmError::MassTooLarge { m, available });
    }
    let m = m.min(available);
    let (nx, ny) = cost.dim();
    if m == 0.0 {
        return Ok(TransportSolution {
            plan: Array2::zeros((nx, ny)),
            cost: 0.0,
            u: vec![0.0; nx],
            v: vec![0.0; ny],
            status: SolveStatus::Optimal,
            iterations: 0,
        });
    }
    let k = options
        .n_dummies
        .unwrap_or_else(|| default_dummies(nx, ny))
        .max(1);
    if options.max_iter.is_none() && is_assignment(cost, a, b, m) {
        return assignment_solution(cost, a[0], k, options.monitor);
    }
    let mut supply = a.to_vec();
    supply.extend(std::iter::repeat_n(((sum_b - m) / k as f64).max(0.0), k));
    let mut demand = b.to_vec();
    demand.extend(std::iter::repeat_n(((sum_a - m) / k as f64).max(0.0), k));
    let c = cost.as_standard_layout();
    let problem = TransportProblem {
        cost: c.as_slice().expect("standard layout is contiguous"),
        nx,
        ny,
        supply,
        demand,
    };
    simplex::solve(&problem, SimplexOptions::from(options))
}

/// A sparse transport graph: arc `k` goes from row `rows[k]` to column `cols[k]` at cost
/// `costs[k]`; every pair not listed is a forbidden arc. A pair listed twice is two parallel
/// arcs, of which only the cheaper can carry flow.
#[derive(Debug, Clone, Copy)]
pub struct SparseArcs<'a> {
    /// Number of rows and columns.
    pub shape: (usize, usize),
    /// Row of each arc.
    pub rows: &'a [usize],
    /// Column of each arc.
    pub cols: &'a [usize],
    /// Cost of each arc (finite).
    pub costs: &'a [f64],
}

/// The optimum on a sparse graph: the flow on each given arc, in the given order.
#[derive(Debug, Clone)]
pub struct SparseTransportSolution {
    /// Flow on arc `k`.
    pub flow: Vec<f64>,
    /// `sum(flow * costs)`.
    pub cost: f64,
    /// Row potentials: `u_i + v_j <= cost` on every given arc.
    pub u: Vec<f64>,
    /// Column potentials.
    pub v: Vec<f64>,
    /// [`SolveStatus::Optimal`], or [`SolveStatus::MaxIterReached`] under a pivot cap.
    pub status: SolveStatus,
    /// Simplex pivots performed.
    pub iterations: u64,
}

/// Balanced optimal transport on the arcs of `arcs` only (POT's `emd` with a sparse `M`).
///
/// The graph is solved by the same network simplex as [`emd`], on a dense matrix whose missing
/// entries are forbidden arcs (so memory is that of a dense plan). Fails with
/// [`ParsmError::InfeasibleArcs`] when the listed arcs cannot carry the marginals.
pub fn emd_on_arcs(
    arcs: SparseArcs<'_>,
    a: &[f64],
    b: &[f64],
    options: TransportOptions<'_>,
) -> Result<SparseTransportSolution, ParsmError> {
    let (n1, n2) = arcs.shape;
    let SparseArcs {
        rows, cols, costs, ..
    } = arcs;
    if rows.len() != cols.len() || rows.len() != costs.len() {
        return Err(ParsmError::ArcLengths {
            rows: rows.len(),
            cols: cols.len(),
            costs: costs.len(),
        });
    }
    if n1 == 0 || n2 == 0 {
        return Err(ParsmError::EmptyCost { rows: n1, cols: n2 });
    }
    for (idx, len) in [(rows, n1), (cols, n2)] {
        if let Some(&index) = idx.iter().find(|&&k| k >= len) {
            return Err(ParsmError::IndexOutOfRange { index, len });
        }
    }
    let count = costs.iter().filter(|c| !c.is_finite()).count();
    if count > 0 {
        return Err(ParsmError::NonFinite {
            what: "the sparse cost matrix",
            count,
        });
    }
    check_marginal(a, n1, Side::X)?;
    check_marginal(b, n2, Side::Y)?;
    let (sum_a, sum_b): (f64, f64) = (a.iter().sum(), b.iter().sum());
    if (sum_a - sum_b).abs() > 1e-9 * sum_a.max(sum_b) {
        return Err(ParsmError::UnbalancedMarginals { sum_a, sum_b });
    }
    check_matrix("the dense costs and plan", n1, n2, 24, PLAN_REMEDY)?;
    // Missing entries are NaN, the simplex's forbidden arcs; parallel arcs keep the cheapest.
    let mut dense = vec![f64::NAN; n1 * n2];
    let mut first = vec![usize::MAX; n1 * n2];
    for (k, ((&i, &j), &c)) in rows.iter().zip(cols).zip(costs).enumerate() {
        let cell = i * n2 + j;
        if first[cell] == usize::MAX || c < dense[cell] {
            dense[cell] = c;
            first[cell] = k;
        }
    }
    let scale = if sum_b > 0.0 { sum_a / sum_b } else { 1.0 };
    let problem = TransportProblem {
        cost: &dense,
        nx: n1,
        ny: n2,
        supply: a.to_vec(),
        demand: b.iter().map(|&w| w * scale).collect(),
    };
    let sol = simplex::solve(&problem, SimplexOptions::from(options))?;
    match sol.status {
        SolveStatus::Optimal | SolveStatus::MaxIterReached => {}
        SolveStatus::Infeasible => return Err(ParsmError::InfeasibleArcs),
        SolveStatus::Uncertified => {
            return Err(ParsmError::Uncertified(
                "network simplex on a sparse graph".into(),
            ))
        }
    }
    let flow: Vec<f64> = (0..rows.len())
        .map(|k| {
            let cell = rows[k] * n2 + cols[k];
            if first[cell] == k {
                sol.plan[[rows[k], cols[k]]]
            } else {
                0.0
            }
        })
        .collect();
    let cost = flow.iter().zip(costs).map(|(&f, &c)| f * c).sum();
    Ok(SparseTransportSolution {
        flow,
        cost,
        u: sol.u,
        v: sol.v,
        status: sol.status,
        iterations: sol.iterations,
    })
}

/// Optimal cost of balanced soft matching on `cost` with uniform marginals. The smaller side is
/// put on the rows, where the network simplex needs fewer pivots (about 30% fewer at 300 x 299).
pub(crate) fn balanced_cost(cost: ArrayView2<f64>, monitor: &Monitor) -> Result<f64, ParsmError> {
    let c = if cost.nrows() > cost.ncols() {
        cost.reversed_axes()
    } else {
        cost
    };
    let (r, k) = c.dim();
    let sol = emd(
        c,
        &vec![1.0 / r as f64; r],
        &vec![1.0 / k as f64; k],
        TransportOptions {
            monitor: Some(monitor),
            ..Default::default()
        },
    )?;
    if sol.status != SolveStatus::Optimal {
        return Err(ParsmError::Uncertified(format!(
            "balanced transport ended with status {:?}",
            sol.status
        )));
    }
    Ok(sol.cost)
}
