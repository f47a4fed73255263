//! The few smallest values of a row: how the candidate lists of the network simplex and of the
//! mass path's search are chosen.

/// The `k` smallest `(value, index)` of `values` (NaN skipped), in no particular order, in
/// `out`; returns the smallest value left out (`inf` when none is). Among equal values at the
/// cut, those of lower index are kept.
///
/// Three cheap passes instead of one branchy one:
/// 1. the minima of `2 (k + 1)` equal blocks of `values` (vectorised);
/// 2. `tau`, the `(k + 1)`-th smallest of those minima: at least `k + 1` values are `<= tau`,
///    one in each of those blocks, and on rows in random order only about `1.3 (k + 1)` are;
/// 3. those values are collected, and the `k + 1` smallest of them selected.
///
/// Keeping one at a time the `k` smallest seen so far (the first version) cost a compare and a
/// running minimum per value plus `O(k)` work for each of the about `k ln(n / k)` that enter:
/// on 700-long rows, a fifth of a whole soft matching.
pub(crate) fn k_smallest(values: &[f64], k: usize, out: &mut Vec<(f64, u32)>) -> f64 {
    out.clear();
    let blocks = 2 * (k + 1);
    let tau = if values.len() <= blocks * 4 {
        f64::INFINITY
    } else {
        let size = values.len().div_ceil(blocks);
        let mut minima: Vec<f64> = values
            .chunks(size)
            .map(|b| b.iter().fold(f64::INFINITY, |m, &v| m.min(v)))
            .collect();
        if minima.len() <= k {
            f64::INFINITY
        } else {
            *minima.select_nth_unstable_by(k, f64::total_cmp).1
        }
    };
    // NaN compares false, so it is never collected.
    out.extend(
        values
            .iter()
            .enumerate()
            .filter(|&(_, &v)| v <= tau)
            .map(|(j, &v)| (v, j as u32)),
    );
    if out.len() <= k {
        return f64::INFINITY;
    }
    let by_value = |a: &(f64, u32), b: &(f64, u32)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    out.select_nth_unstable_by(k, by_value);
    let left_out = out[k].0;
    out.truncate(k);
    left_out
}

#[cfg(test)]
mod tests {
    use super::k_smallest;

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
}
