//! Cost matrices between the units (columns) of two response matrices.
//!
//! `X` is `M x Nx` and `Y` is `M x Ny` (stimuli x units). The cost `C[i, j]` compares
//! column `i` of `X` with column `j` of `Y`. Every metric is one GEMM-style product of
//! preprocessed unit vectors plus per-unit norms, computed in parallel over blocks of rows.

use std::mem::MaybeUninit;
use std::str::FromStr;

use ndarray::{Array1, Array2, ArrayView2, Axis, CowArray, Ix2};
use rayon::prelude::*;

use crate::error::{ParsmError, Side};
use crate::monitor::Monitor;
use crate::products::{for_each_product, PackedUnits, TILE};
use crate::scalar::Cost;
use crate::validate::{check_dims, check_populations};

/// The unit-to-unit dissimilarities parsm supports (the names follow `scipy.spatial.distance`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Metric {
    /// `1 - Pearson r` over stimuli (scipy's `correlation`). The default.
    #[default]
    Correlation,
    /// `1 - cosine similarity` of the raw (uncentred) tuning curves.
    Cosine,
    /// Squared Euclidean distance.
    SqEuclidean,
    /// Euclidean distance.
    Euclidean,
}

impl Metric {
    /// Every metric, the default first.
    pub const ALL: [Metric; 4] = [
        Metric::Correlation,
        Metric::Cosine,
        Metric::SqEuclidean,
        Metric::Euclidean,
    ];

    /// The metric's name as parsm and scipy spell it.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Correlation => "correlation",
            Metric::Cosine => "cosine",
            Metric::SqEuclidean => "sqeuclidean",
            Metric::Euclidean => "euclidean",
        }
    }

    /// Whether the metric is `1 - similarity` with the similarity in `[-1, 1]`.
    pub fn is_similarity(self) -> bool {
        matches!(self, Metric::Correlation | Metric::Cosine)
    }
}

impl FromStr for Metric {
    type Err = ParsmError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "correlation" => Ok(Metric::Correlation),
            "cosine" => Ok(Metric::Cosine),
            "sqeuclidean" => Ok(Metric::SqEuclidean),
            "euclidean" => Ok(Metric::Euclidean),
            other => Err(ParsmError::UnknownMetric(other.to_string())),
        }
    }
}

/// Rows of the output handled by one parallel task (each passes over every packed right-hand
/// unit once per column tile), fixed so that results never depend on the thread count.
const ROW_BLOCK: usize = 256;

/// Multiply-adds (`Nx · Ny · M`) below which a cost matrix is not worth handing to other
/// threads. Measured (a Python call, median of 30, correlation): 9 M (300 x 300 x 100) took
/// 1.9 ms on all cores against 1.1 ms on the calling thread, 16 M 2.2 ms against 2.6 ms, 27 M
/// 1.6 ms against 3.9 ms; a 20 x 25 matrix over 100 stimuli 77 µs against 24 µs.
const MIN_PARALLEL_WORK: usize = 12_000_000;

/// Whether the `nx x ny` cost matrix over `m` stimuli is worth computing on several threads:
/// it has more than one row block (a parallel task) and enough work to pay for waking them
/// (see `MIN_PARALLEL_WORK`). Results are the same bits either way.
pub fn worth_threads(nx: usize, ny: usize, m: usize) -> bool {
    nx > ROW_BLOCK && nx.saturating_mul(ny).saturating_mul(m) >= MIN_PARALLEL_WORK
}

/// Below this fraction of `|x|^2 + |y|^2`, a squared distance from the GEMM identity has lost
/// too many digits to cancellation, so it is recomputed directly from the difference.
const CANCELLATION_GUARD: f64 = 1e-3;

/// What a cost matrix does with a unit whose correlation or cosine is undefined: one that is
/// constant over the stimuli (correlation) or all zero (cosine).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConstantUnits {
    /// Report them as [`ParsmError::ConstantUnits`], listing their indices (the default: on a
    /// whole data set such a unit is a data problem the user should see).
    #[default]
    Reject,
    /// Treat them as uncorrelated with every unit: cost 1 to all. This is the rule on the
    /// stimuli of one cross-validation fold, where a sparse unit may be silent by chance; it
    /// carries no evidence either way there.
    Uncorrelated,
}

/// Unit vectors (one row per unit) prepared for a metric, plus their squared norms where the
/// metric reads them (the Euclidean ones; empty for correlation and cosine).
struct Prepared<'a> {
    units: CowArray<'a, f64, Ix2>,
    sq_norms: Array1<f64>,
}

impl<'a> Prepared<'a> {
    /// Units as [`unit_factors`] gives them, with their squared norms computed as
    /// [`prepare`] computes them (so that costs from either are the same bits).
    fn from_units(units: CowArray<'a, f64, Ix2>, metric: Metric) -> Self {
        let sq_norms = if metric.is_similarity() {
            Array1::zeros(0)
        } else {
            units.map_axis(Axis(1), |u| u.dot(&u))
        };
        Prepared { units, sq_norms }
    }
}

/// Transposes `z` (stimuli x units) to units x stimuli and applies the metric's preprocessing:
/// centring and/or scaling to unit norm. Each unit is first divided by its largest absolute
/// value, so that neither its sum nor its squared norm overflows or underflows: correlation and
/// cosine are exact at any finite scale (1e-170 and 1e160 alike). Constant units, where the
/// metric is undefined, are reported or zeroed as `constant` says.
fn prepare(
    z: ArrayView2<f64>,
    metric: Metric,
    side: Side,
    constant: ConstantUnits,
) -> Result<Prepared<'static>, ParsmError> {
    let mut units = transposed(z);
    let mut bad = Vec::new();
    if metric.is_similarity() {
        for (k, mut u) in units.axis_iter_mut(Axis(0)).enumerate() {
            let u = u.as_slice_mut().expect("rows of a standard-layout array");
            if !unit_vector(u, metric) {
                bad.push(k);
                u.fill(0.0);
            }
        }
    }
    if !bad.is_empty() && constant == ConstantUnits::Reject {
        return Err(ParsmError::ConstantUnits {
            side,
            metric: metric.name(),
            indices: bad,
        });
    }
    Ok(Prepared::from_units(units.into(), metric))
}

/// Scales `u` to unit norm, centred first for correlation; `false` (leaving `u` as it was)
/// when the metric is undefined for it: constant (correlation) or all zero (cosine).
fn unit_vector(u: &mut [f64], metric: Metric) -> bool {
    let first = u[0];
    let undefined = match metric {
        Metric::Correlation => u.iter().all(|&v| v == first),
        _ => u.iter().all(|&v| v == 0.0),
    };
    if undefined {
        return false;
    }
    let top = lanes(u, |acc, v| acc.max(v.abs()), f64::max);
    scale(u, top);
    if metric == Metric::Correlation {
        let mean = lanes(u, |acc, v| acc + v, |a, b| a + b) / u.len() as f64;
        u.iter_mut().for_each(|v| *v -= mean);
    }
    let norm = lanes(u, |acc, v| acc + v * v, |a, b| a + b).sqrt();
    scale(u, norm);
    true
}

/// A reduction of `u` over eight independent lanes (so that it vectorises), the lanes then
/// combined in order: `step(acc, v)` per value from 0, `join` across lanes.
fn lanes(u: &[f64], step: impl Fn(f64, f64) -> f64, join: impl Fn(f64, f64) -> f64) -> f64 {
    const L: usize = 8;
    let mut acc = [0.0f64; L];
    let chunks = u.chunks_exact(L);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..L {
            acc[k] = step(acc[k], c[k]);
        }
    }
    let tail = rest.iter().fold(0.0, |a, &v| step(a, v));
    acc.iter().fold(tail, |a, &b| join(a, b))
}

/// Divides `u` by `d > 0`: by multiplying with `1 / d` (a division per entry was most of the
/// preparation's time), unless `1 / d` overflows (`d` subnormal).
fn scale(u: &mut [f64], d: f64) {
    let inv = 1.0 / d;
    if inv.is_finite() {
        u.iter_mut().for_each(|v| *v *= inv);
    } else {
        u.iter_mut().for_each(|v| *v /= d);
    }
}

/// `z` (stimuli x units) transposed to units x stimuli, in standard layout; a contiguous `z`
/// is copied in square tiles, so that both sides stay in cache.
fn transposed(z: ArrayView2<f64>) -> Array2<f64> {
    const TILE: usize = 32;
    let Some(zs) = z.as_slice() else {
        return z.t().as_standard_layout().into_owned();
    };
    let (m, n) = z.dim();
    let mut out = vec![0.0; m * n];
    for i0 in (0..m).step_by(TILE) {
        for j0 in (0..n).step_by(TILE) {
            for i in i0..(i0 + TILE).min(m) {
                let src = &zs[i * n + j0..i * n + (j0 + TILE).min(n)];
                for (dj, &v) in src.iter().enumerate() {
                    out[(j0 + dj) * m + i] = v;
                }
            }
        }
    }
    Array2::from_shape_vec((n, m), out).expect("n * m entries")
}

/// The units of `z` (stimuli x units) as the metric prepares them, units x stimuli: for
/// correlation centred and scaled to unit norm, for cosine scaled, for the Euclidean metrics as
/// given; constant units (undefined under the metric) are zero rows. The correlation cost is
/// `1 - Ux Uy^T` of these factors; the held-out share estimate reads the same factors of the
/// held-out stimuli, so both use this one preparation.
pub fn unit_factors(z: ArrayView2<f64>, metric: Metric) -> Result<Array2<f64>, ParsmError> {
    crate::validate::check_finite(z, "the responses")?;
    Ok(prepare(z, metric, Side::X, ConstantUnits::Uncorrelated)?
        .units
        .into_owned())
}

/// The `Nx x Ny` cost matrix between the columns of `x` (M x Nx) and of `y` (M x Ny).
///
/// Runs in the current rayon pool. Distances are clamped at 0 (and similarities-based costs at 2)
/// where rounding would push them outside their range.
pub fn cost_matrix(
    x: ArrayView2<f64>,
    y: ArrayView2<f64>,
    metric: Metric,
) -> Result<Array2<f64>, ParsmError> {
    cost_matrix_monitored(x, y, metric, ConstantUnits::Reject, &Monitor::new())
}

/// [`cost_matrix`] with the rule `constant` for constant units, stored as `T` (`f64`, or `f32`
/// for half the memory: each entry is computed in f64 and rounded once), counting row blocks
/// done on `monitor` and stopping with [`ParsmError::Interrupted`] between blocks once it is
/// cancelled.
pub fn cost_matrix_monitored<T: Cost>(
    x: ArrayView2<f64>,
    y: ArrayView2<f64>,
    metric: Metric,
    constant: ConstantUnits,
    monitor: &Monitor,
) -> Result<Array2<T>, ParsmError> {
    check_populations(x, y)?;
    let px = prepare(x, metric, Side::X, constant)?;
    let py = prepare(y, metric, Side::Y, constant)?;
    // Both sides are packed for the product kernel once, for every row block and tile.
    let (left, right) = (
        PackedUnits::new(px.units.view()),
        PackedUnits::new(py.units.view()),
    );
    let norms = (&px.sq_norms, &py.sq_norms);
    costs_of((&left, &right), norms, metric, monitor)
}

/// One population prepared once for the cost matrices of many pairs (`parsm.pairwise`): its
/// [`unit_factors`] for a metric, checked once, with what a cost matrix reads beside them (the
/// squared norms, and the product kernel's packed copy, read on either side of a product).
/// [`cost_matrix_between`] two of them is [`cost_matrix_monitored`] of their responses, the
/// same bits, without preparing, checking and packing the populations again for every pair
/// (checking and packing the factors per pair was about 4 % of a cost matrix on the pairwise
/// bench's pairs of 200-800 units over 300 stimuli: 3.26 to 3.14 ms a pair, alternated). It
/// holds the factors once: packed where the kernel runs (the plain factors are read back from
/// the panels when asked for), as they are where it does not.
pub struct PreparedPopulation {
    metric: Metric,
    /// `(units, stimuli)`.
    dim: (usize, usize),
    /// The factors as they are, kept only where the kernel is unavailable (`panels` empty).
    units: Option<Array2<f64>>,
    panels: Vec<f64>,
    sq_norms: Array1<f64>,
}

impl PreparedPopulation {
    /// The population of responses `z` (stimuli x units), prepared as [`unit_factors`]
    /// prepares it.
    pub fn new(z: ArrayView2<f64>, metric: Metric) -> Result<Self, ParsmError> {
        Self::from_factors(unit_factors(z, metric)?, metric)
    }

    /// The population given as its [`unit_factors`] for `metric` (units x stimuli, finite):
    /// how a copy sent to another process (its factors) is rebuilt.
    pub fn from_factors(units: Array2<f64>, metric: Metric) -> Result<Self, ParsmError> {
        crate::validate::check_finite(units.view(), "the unit factors")?;
        let units = if units.is_standard_layout() {
            units
        } else {
            units.as_standard_layout().into_owned()
        };
        let Prepared { units, sq_norms } = Prepared::from_units(CowArray::from(units), metric);
        let dim = units.dim();
        let panels = PackedUnits::panels_of(units.view());
        Ok(PreparedPopulation {
            metric,
            dim,
            units: panels.is_empty().then(|| units.into_owned()),
            panels,
            sq_norms,
        })
    }

    /// The factors as the product kernel reads them.
    fn packed(&self) -> PackedUnits<'_> {
        PackedUnits::stored(
            self.dim,
            self.units.as_ref().map(|u| u.view()),
            &self.panels,
        )
    }

    /// The unit factors, units x stimuli (read back from the panels where only they are kept).
    pub fn factors(&self) -> Array2<f64> {
        self.packed().unpacked()
    }

    /// `(units, stimuli)`.
    pub fn dim(&self) -> (usize, usize) {
        self.dim
    }

    /// The metric the units are prepared for.
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// Bytes held: the factors (packed, or as they are) and their norms.
    pub fn nbytes(&self) -> usize {
        let plain = self.units.as_ref().map_or(0, |u| u.len());
        8 * (plain + self.panels.len() + self.sq_norms.len())
    }
}

/// The cost matrix between two [`PreparedPopulation`]s (rows `a`'s units, columns `b`'s): the
/// bits [`cost_matrix_monitored`] gives for their responses (with constant units
/// uncorrelated, as [`unit_factors`] prepares them).
pub fn cost_matrix_between<T: Cost>(
    a: &PreparedPopulation,
    b: &PreparedPopulation,
    monitor: &Monitor,
) -> Result<Array2<T>, ParsmError> {
    if a.metric != b.metric {
        return Err(ParsmError::MetricMismatch {
            a: a.metric.name(),
            b: b.metric.name(),
        });
    }
    // As responses: stimuli x units.
    check_dims((a.dim.1, a.dim.0), (b.dim.1, b.dim.0))?;
    let norms = (&a.sq_norms, &b.sq_norms);
    costs_of((&a.packed(), &b.packed()), norms, a.metric, monitor)
}

/// The cost matrix between two prepared populations, packed for the kernel.
fn costs_of<T: Cost>(
    (left, right): (&PackedUnits<'_>, &PackedUnits<'_>),
    norms: (&Array1<f64>, &Array1<f64>),
    metric: Metric,
    monitor: &Monitor,
) -> Result<Array2<T>, ParsmError> {
    let (nx, ny) = (left.dim().0, right.dim().0);
    crate::memory::check_matrix(
        "the cost matrix",
        nx,
        ny,
        T::BYTES,
        crate::memory::COST_REMEDY,
    )?;
    // Uninitialised: every entry is written below (see the end).
    let mut c = Array2::<T>::uninit((nx, ny));

    monitor.set_total(nx.div_ceil(ROW_BLOCK) as u64);
    c.axis_chunks_iter_mut(Axis(0), ROW_BLOCK)
        .into_par_iter()
        .enumerate()
        .try_for_each(|(blk, mut out)| {
            monitor.check()?;
            let r0 = blk * ROW_BLOCK;
            let rows = out.nrows();
            // Column tiles keep the tile's packed units in cache while every row of the block
            // passes over them; each product is finished into a cost (rounded once to T) as it
            // is stored.
            let mut finite = true;
            for j0 in (0..ny).step_by(TILE) {
                let cols = j0..ny.min(j0 + TILE);
                for_each_product(left, r0..r0 + rows, right, cols, |r, c0, sums| {
                    let mut row = out.row_mut(r);
                    let row = row.as_slice_mut().expect("rows of a standard-layout array");
                    let out = &mut row[c0..c0 + sums.len()];
                    finite &= finish(metric, sums, out, (r0 + r, c0), (left, right), norms);
                });
            }
            if !finite {
                return Err(overflow(metric, left, right));
            }
            monitor.advance(1);
            Ok::<(), ParsmError>(())
        })?;
    #[allow(unsafe_code)]
    // SAFETY: every entry has been written (`finish` writes each entry of the run it is given):
    // each row block's tiles cover the columns `0..ny`, and `for_each_product` hands `store`
    // every column of a tile once for each row of the block (tested in `products`). An error
    // returns above, dropping the matrix unread. Zeroing it first (a full pass, and every page
    // then written twice) cost 5 % of a cost matrix on the pairwise bench's pairs.
    Ok(unsafe { c.assume_init() })
}

/// The error for Euclidean distances beyond f64's range (finite responses whose squares are
/// not), naming the largest response.
fn overflow(metric: Metric, x: &PackedUnits<'_>, y: &PackedUnits<'_>) -> ParsmError {
    let largest = x.largest().max(y.largest());
    ParsmError::DistanceOverflow {
        metric: metric.name(),
        largest,
    }
}

/// Turns the inner products `sums` of row `i` with the columns starting at `j0` into costs,
/// written to every entry of `out`; `false` when a Euclidean distance overflowed (is infinite).
/// `x`, `y` are both sides' units, `x_norms`, `y_norms` their squared norms (Euclidean only).
#[inline(always)]
fn finish<T: Cost>(
    metric: Metric,
    sums: &[f64],
    out: &mut [MaybeUninit<T>],
    (i, j0): (usize, usize),
    (x, y): (&PackedUnits<'_>, &PackedUnits<'_>),
    (x_norms, y_norms): (&Array1<f64>, &Array1<f64>),
) -> bool {
    match metric {
        Metric::Correlation | Metric::Cosine => {
            for (o, &g) in out.iter_mut().zip(sums) {
                o.write(T::from_f64((1.0 - g).clamp(0.0, 2.0)));
            }
            true
        }
        Metric::SqEuclidean | Metric::Euclidean => {
            let nxi = x_norms[i];
            // Beyond f64's range (or f32's, stored as f32) a distance is infinite, or NaN
            // from inf - inf; `max(0.0)` would turn NaN into 0, so both are checked here.
            let mut finite = true;
            for (dj, (o, &g)) in out.iter_mut().zip(sums).enumerate() {
                let j = j0 + dj;
                let scale = nxi + y_norms[j];
                let mut d2 = scale - 2.0 * g;
                if d2 < CANCELLATION_GUARD * scale {
                    // Summed over the stimuli in order, whichever copy holds the units.
                    d2 = (0..x.dim().1).fold(0.0, |acc, s| {
                        let (a, b) = (x.value(i, s), y.value(j, s));
                        acc + (a - b) * (a - b)
                    });
                }
                finite &= d2.is_finite();
                let d2 = d2.max(0.0);
                let v = T::from_f64(if metric == Metric::Euclidean {
                    d2.sqrt()
                } else {
                    d2
                });
                finite &= v.get().is_finite();
                o.write(v);
            }
            finite
        }
    }
}
