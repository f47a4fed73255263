//! The few smallest values of a row or column: how the candidate lists of the network simplex
//! and of the mass path's search are chosen.

use crate::error::ParsmError;
use crate::monitor::Monitor;
use crate::scalar::Cost;

/// Rows of a pass over a matrix between two cancellation checks.
pub(crate) const CHECK_ROWS: usize = 256;

/// The `k` smallest `(value, index)` of `values` (NaN skipped), in no particular order, in
/// `out`; returns the smallest value left out (`inf` when none is). Among equal values at the
/// cut, those of lower index are kept.
///
/// Three cheap passes instead of one branchy one:
/// 1. the minima of `B >= 2 (k + 1)` interleaved blocks of `values` (block `b` holds every
///    `B`-th value from `b`): one element-wise minimum over the row cut in `B`-long pieces,
///    fully vectorised;
/// 2. `tau`, the `(k + 1)`-th smallest of those minima: at least `k + 1` values are `<= tau`,
///    one in each of those blocks, and on rows in random order only about `1.3 (k + 1)` are;
///    on sorted rows, where contiguous blocks would let `k + 1` whole blocks through, the
///    interleaved ones let through about `k + 1` values too;
/// 3. those values are collected, and the `k + 1` smallest of them selected.
///
/// Keeping one at a time the `k` smallest seen so far (the first version) cost a compare and a
/// running minimum per value plus `O(k)` work for each of the about `k ln(n / k)` that enter:
/// on 700-long rows, a fifth of a whole soft matching. Contiguous blocks of `n / (2 (k + 1))`
/// values (the second version) were not a multiple of the vector width: their minima took as
/// long as the collection.
#[inline(always)]
pub(crate) fn k_smallest(values: &[f64], k: usize, out: &mut Vec<(f64, u32)>) -> f64 {
    out.clear();
    let blocks = (2 * (k + 1)).next_multiple_of(8);
    let tau = if blocks > MAX_BLOCKS || values.len() < blocks * 4 {
        f64::INFINITY
    } else {
        let mut minima = [f64::INFINITY; MAX_BLOCKS];
        let minima = &mut minima[..blocks];
        let pieces = values.chunks_exact(blocks);
        let tail = pieces.remainder();
        for piece in pieces {
            for (m, &v) in minima.iter_mut().zip(piece) {
                *m = lesser(v, *m);
            }
        }
        for (m, &v) in minima.iter_mut().zip(tail) {
            *m = lesser(v, *m);
        }
        *minima.select_nth_unstable_by(k, f64::total_cmp).1
    };
    // NaN compares false, so it is never collected. Eight values at a time are tested at once
    // (one vectorised compare): most chunks hold none, and a value-by-value filter was most of
    // this function's time. The compare's bits then name the values to collect, in order: a
    // second compare of every value of a chunk that held one was 3 % of a soft matching on the
    // bench pairs (51.7 to 50.2 ms on the 20, the same pivots).
    const CHUNK: usize = 8;
    let chunks = values.chunks_exact(CHUNK);
    let tail = chunks.remainder();
    for (k, chunk) in chunks.enumerate() {
        let mut hits = 0u32;
        for (d, &v) in chunk.iter().enumerate() {
            hits |= u32::from(v <= tau) << d;
        }
        while hits != 0 {
            let d = hits.trailing_zeros() as usize;
            out.push((chunk[d], (k * CHUNK + d) as u32));
            hits &= hits - 1;
        }
    }
    let at = values.len() - tail.len();
    for (d, &v) in tail.iter().enumerate() {
        if v <= tau {
            out.push((v, (at + d) as u32));
        }
    }
    if out.len() <= k {
        return f64::INFINITY;
    }
    let by_value = |a: &(f64, u32), b: &(f64, u32)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    out.select_nth_unstable_by(k, by_value);
    let left_out = out[k].0;
    out.truncate(k);
    left_out
}

/// The most interleaved blocks [`k_smallest`] takes minima of (on the stack); larger `k` collect
/// every value.
const MAX_BLOCKS: usize = 256;

/// Independent minima kept by [`least`] and [`least_paired`].
const LANES: usize = 8;

/// The smaller of `v` and `m`, `m` when `v` is NaN: one `minpd`, where `f64::min`'s NaN rules
/// cost several instructions a value.
#[inline(always)]
fn lesser(v: f64, m: f64) -> f64 {
    if v < m {
        v
    } else {
        m
    }
}

/// The greater of `v` and `m`, `m` when `v` is NaN (one `maxpd`).
#[inline(always)]
fn greater(v: f64, m: f64) -> f64 {
    if v > m {
        v
    } else {
        m
    }
}

/// `values` folded from `init` by `pick` in independent lanes, so that it vectorises.
#[inline(always)]
fn fold_lanes<T: Cost>(values: &[T], init: f64, pick: impl Fn(f64, f64) -> f64) -> f64 {
    let mut acc = [init; LANES];
    let chunks = values.chunks_exact(LANES);
    let tail = chunks.remainder();
    for chunk in chunks {
        for k in 0..LANES {
            acc[k] = pick(chunk[k].get(), acc[k]);
        }
    }
    let m = acc.iter().fold(init, |m, &v| pick(v, m));
    tail.iter().fold(m, |m, &v| pick(v.get(), m))
}

/// `(least, greatest)` of the row-major matrix `values` with rows of `row_len` entries, NaN
/// skipped (`(inf, -inf)` if none is finite), in one vectorised pass rather than one for
/// each, checking `monitor` every [`CHECK_ROWS`] rows: [`ParsmError::Interrupted`] once it is
/// cancelled (at 40,000 units a side the pass takes seconds).
pub(crate) fn range_of<T: Cost>(
    values: &[T],
    row_len: usize,
    monitor: Option<&Monitor>,
) -> Result<(f64, f64), ParsmError> {
    let (mut lo, mut hi) = ([f64::INFINITY; LANES], [f64::NEG_INFINITY; LANES]);
    let mut tail = (f64::INFINITY, f64::NEG_INFINITY);
    for rows in values.chunks(CHECK_ROWS * row_len.max(1)) {
        if let Some(m) = monitor {
            m.check()?;
        }
        let chunks = rows.chunks_exact(LANES);
        for &v in chunks.remainder() {
            tail = (lesser(v.get(), tail.0), greater(v.get(), tail.1));
        }
        for chunk in chunks {
            for k in 0..LANES {
                lo[k] = lesser(chunk[k].get(), lo[k]);
                hi[k] = greater(chunk[k].get(), hi[k]);
            }
        }
    }
    let lo = lo.iter().fold(tail.0, |m, &v| lesser(v, m));
    let hi = hi.iter().fold(tail.1, |m, &v| greater(v, m));
    Ok((lo, hi))
}

/// The least value of `values`, NaN skipped (`inf` if none is smaller), vectorised.
#[inline(always)]
pub(crate) fn least<T: Cost>(values: &[T]) -> f64 {
    fold_lanes(values, f64::INFINITY, lesser)
}

/// The greatest value of `values`, NaN skipped (`-inf` if none is greater), vectorised.
#[inline]
pub(crate) fn greatest<T: Cost>(values: &[T]) -> f64 {
    fold_lanes(values, f64::NEG_INFINITY, greater)
}

/// The least `f(a[j], b[j])` over the pairs of `a` and `b`, NaN skipped (`inf` if none is
/// smaller), in independent lanes so that it vectorises.
#[inline(always)]
pub(crate) fn least_paired<T: Cost>(a: &[T], b: &[f64], f: impl Fn(f64, f64) -> f64) -> f64 {
    let n = a.len().min(b.len());
    let body = n - n % LANES;
    let mut acc = [f64::INFINITY; LANES];
    for (xs, ys) in a[..body]
        .chunks_exact(LANES)
        .zip(b[..body].chunks_exact(LANES))
    {
        for k in 0..LANES {
            acc[k] = lesser(f(xs[k].get(), ys[k]), acc[k]);
        }
    }
    let m = acc.iter().fold(f64::INFINITY, |m, &v| lesser(v, m));
    (body..n).fold(m, |m, j| lesser(f(a[j].get(), b[j]), m))
}

/// For each column `j` of the row-major `nx x ny` matrix `c` (finite), a threshold `tau[j]`
/// with at least `k` entries of column `j` at most `tau[j]`, so that column `j`'s `k` smallest
/// entries are all `<= tau[j]` and only those need to be looked at; `inf` for every column when
/// the columns are too short for a threshold to pay.
///
/// The column-wise form of [`k_smallest`]'s threshold: the element-wise minima of `2 k` equal
/// bands of rows (one vectorised pass over `c`), and per column the `k`-th smallest of its band
/// minima, each an entry of a different band. On columns in random order about `1.3 k`
/// entries are below it, so offering only those to a column's running `k` smallest (a compare
/// and a branch each, about `k ln(nx / k)` insertions) replaces a branch on every entry. (The
/// maximum of `k` band minima, which needs no selection, lets twice as many through and was
/// slower.)
///
/// Stops with [`ParsmError::Interrupted`] within [`CHECK_ROWS`] rows once `monitor` is
/// cancelled: at 40,000 units a side the pass takes seconds.
pub(crate) fn column_thresholds<T: Cost>(
    c: &[T],
    nx: usize,
    ny: usize,
    k: usize,
    monitor: &Monitor,
) -> Result<Vec<f64>, ParsmError> {
    let bands = 2 * k;
    if k == 0 || nx <= bands * 4 {
        return Ok(vec![f64::INFINITY; ny]);
    }
    let size = nx.div_ceil(bands);
    let n_bands = nx.div_ceil(size);
    let mut minima = vec![f64::INFINITY; n_bands * ny];
    for (i, row) in c.chunks_exact(ny).take(nx).enumerate() {
        if i.is_multiple_of(CHECK_ROWS) {
            monitor.check()?;
        }
        let band = &mut minima[(i / size) * ny..(i / size + 1) * ny];
        for (m, &v) in band.iter_mut().zip(row) {
            *m = lesser(v.get(), *m);
        }
    }
    let mut column = vec![0.0; n_bands];
    Ok((0..ny)
        .map(|j| {
            for (b, slot) in column.iter_mut().enumerate() {
                *slot = minima[b * ny + j];
            }
            kth_of_few(&mut column, k - 1)
        })
        .collect())
}

/// The `k`-th smallest (from 0) of `values`, reordered. Up to [`FEW`] values it is found by
/// counting, for each value, the values below it and those not above it (a value with at most
/// `k` below and more than `k` not above is it), which the compiler vectorises: 60 ns against
/// `select_nth_unstable`'s 173 for the 16 band minima of a column ([`column_thresholds`] took
/// 0.10 instead of 0.14 ms a pair on the bench pairs). Numerically the same value as
/// `select_nth_unstable_by(k, f64::total_cmp)`, whose order only tells a zero's sign apart,
/// which no comparison with a threshold sees; where NaN leaves no value counted so, and above
/// [`FEW`] values, that selection itself.
fn kth_of_few(values: &mut [f64], k: usize) -> f64 {
    if values.len() <= FEW {
        for &a in values.iter() {
            let (mut below, mut not_above) = (0usize, 0usize);
            for &b in values.iter() {
                below += usize::from(b < a);
                not_above += usize::from(b <= a);
            }
            if below <= k && k < not_above {
                return a;
            }
        }
    }
    *values.select_nth_unstable_by(k, f64::total_cmp).1
}

/// The most values [`kth_of_few`] counts among (the count is quadratic in them).
const FEW: usize = 24;

#[cfg(test)]
mod tests {
    use super::{
        column_thresholds, greatest, k_smallest, kth_of_few, least, least_paired, range_of,
    };

    /// Counting gives the value the selection gives, numerically, for every rank of arrays
    /// of every length around the cut to selection, with ties, infinities and signed zeros,
    /// and with NaN among them.
    #[test]
    fn kth_of_few_is_the_selections_value() {
        let pool = [
            0.5,
            -1.0,
            0.0,
            -0.0,
            2.0,
            -1.0,
            f64::INFINITY,
            0.25,
            2.0,
            -3.5,
        ];
        let mut state = 11u64;
        for n in 1..=30 {
            for _ in 0..20 {
                let values: Vec<f64> = (0..n)
                    .map(|_| {
                        state = state
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        pool[(state >> 33) as usize % pool.len()]
                    })
                    .collect();
                for k in 0..n {
                    let mut a = values.clone();
                    let mut b = values.clone();
                    let want = *b.select_nth_unstable_by(k, f64::total_cmp).1;
                    assert_eq!(kth_of_few(&mut a, k), want, "{values:?}, k = {k}");
                }
            }
        }
        // NaN (last in the selection's order) is never below or above: ranks below it are
        // counted as without it, its own falls back to the selection.
        for k in 0..4 {
            let values = [1.0, f64::NAN, 0.5, 2.0];
            let want = *values.clone().select_nth_unstable_by(k, f64::total_cmp).1;
            let got = kth_of_few(&mut values.clone(), k);
            assert!(
                got == want || (got.is_nan() && want.is_nan()),
                "k = {k}: {got}"
            );
        }
    }

    /// `least`, `least_paired`, `greatest` and `range_of` are the plain minimum (maximum), NaN
    /// skipped, on every length around the lane count.
    #[test]
    fn least_is_the_minimum_skipping_nan() {
        let mut state = 7u64;
        for n in 0..40 {
            let a: Vec<f64> = (0..n)
                .map(|t| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    if t % 5 == 2 {
                        f64::NAN
                    } else {
                        ((state >> 33) % 1000) as f64 - 500.0
                    }
                })
                .collect();
            let b: Vec<f64> = a.iter().rev().map(|v| v * 0.5).collect();
            let plain = a.iter().fold(f64::INFINITY, |m, &v| m.min(v));
            assert_eq!(least(&a), plain, "n = {n}");
            let top = a.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
            assert_eq!(greatest(&a), top, "n = {n}");
            // As rows of 1, 3 and 7 (ragged last chunk of rows and of lanes).
            for row_len in [1, 3, 7] {
                let range = range_of(&a, row_len, None).unwrap();
                assert_eq!(range, (plain, top), "n = {n}, rows of {row_len}");
            }
            let f = |x: f64, y: f64| x - y;
            let paired = (0..n).fold(f64::INFINITY, |m, j| m.min(f(a[j], b[j])));
            assert_eq!(least_paired(&a, &b, f), paired, "n = {n}");
        }
    }

    /// At least `k` entries of every column are at most its threshold, on tall and short
    /// matrices, ragged bands, f32 and heavy ties.
    #[test]
    fn column_thresholds_leave_k_entries_of_every_column_below() {
        let mut state = 99u64;
        for (nx, ny, k, distinct) in [
            (500, 37, 8, 1u64 << 20),
            (301, 5, 8, 3),
            (64, 9, 8, 7),
            (1000, 3, 1, 1 << 20),
            (129, 17, 16, 2),
        ] {
            let c: Vec<f32> = (0..nx * ny)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((state >> 33) % distinct) as f32 - 1.5
                })
                .collect();
            let tau = column_thresholds(&c, nx, ny, k, &crate::Monitor::new()).unwrap();
            assert_eq!(tau.len(), ny);
            for (j, &t) in tau.iter().enumerate() {
                let below = (0..nx).filter(|&i| f64::from(c[i * ny + j]) <= t).count();
                assert!(below >= k, "column {j} of {nx} x {ny}: {below} below {t}");
            }
            if nx > 2 * k * 4 {
                assert!(tau.iter().all(|t| t.is_finite()));
            }
        }
    }

    #[test]
    fn keeps_the_k_smallest_and_reports_the_next() {
        let mut state = 12345u64;
        for trial in 0..400 {
            // Short rows, and long ones (the block-minimum threshold), with few or many ties.
            let n = if trial < 200 {
                1 + trial % 90
            } else {
                100 + 37 * trial % 1500
            };
            let k = 1 + trial % 33;
            let distinct = if trial % 3 == 0 { 13 } else { 1 << 20 };
            let values: Vec<f64> = (0..n)
                .map(|t| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    if t % 11 == 3 {
                        f64::NAN
                    } else {
                        ((state >> 33) % distinct) as f64
                    }
                })
                .collect();
            let mut out = Vec::new();
            let next = k_smallest(&values, k, &mut out);
            let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
            sorted.sort_by(f64::total_cmp);
            let kept = k.min(sorted.len());
            assert_eq!(out.len(), kept);
            let mut got: Vec<f64> = out.iter().map(|&(v, _)| v).collect();
            got.sort_by(f64::total_cmp);
            assert_eq!(got, sorted[..kept].to_vec());
            assert_eq!(next, sorted.get(kept).copied().unwrap_or(f64::INFINITY));
            for &(v, j) in &out {
                assert_eq!(values[j as usize], v);
            }
            // Ties at the cut: the lower indices are kept.
            let mut order: Vec<usize> = (0..n).filter(|&j| !values[j].is_nan()).collect();
            order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
            let mut kept_idx: Vec<usize> = out.iter().map(|&(_, j)| j as usize).collect();
            kept_idx.sort_unstable();
            let mut want: Vec<usize> = order[..kept].to_vec();
            want.sort_unstable();
            assert_eq!(kept_idx, want);
        }
    }

    /// Sorted rows (either way), constant rows, and `k` beyond the blocks the threshold can
    /// use (every value collected) keep the `k` smallest, lowest indices first at ties.
    #[test]
    fn keeps_the_k_smallest_of_sorted_rows_and_for_large_k() {
        for n in [97usize, 640, 2049] {
            let rising: Vec<f64> = (0..n).map(|j| j as f64).collect();
            let falling: Vec<f64> = rising.iter().rev().copied().collect();
            let flat = vec![1.5; n];
            for k in [1usize, 8, 16, 31, 140, 300] {
                if k >= n {
                    continue;
                }
                let mut out = Vec::new();
                for (values, want_idx) in [
                    (&rising, (0..k).collect::<Vec<_>>()),
                    (&falling, (n - k..n).collect()),
                    (&flat, (0..k).collect()),
                ] {
                    let next = k_smallest(values, k, &mut out);
                    let mut idx: Vec<usize> = out.iter().map(|&(_, j)| j as usize).collect();
                    idx.sort_unstable();
                    assert_eq!(idx, want_idx, "n {n} k {k}");
                    let mut rest: Vec<f64> = values.clone();
                    rest.sort_by(f64::total_cmp);
                    assert_eq!(next, rest[k]);
                }
            }
        }
    }
}
