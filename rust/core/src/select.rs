//! The few smallest values of a row: how the candidate lists of the network simplex and of the
//! mass path's search are chosen.

/// The `k` smallest `(value, index)` of `values` (NaN skipped), in no particular order, in
/// `out`; returns the smallest value left out (`inf` when none is). Among equal values at the
/// cut, which are kept is unspecified (but deterministic).
///
/// One comparison per value with the largest kept so far, and `O(k)` work for the few that
/// enter (about `k · ln(n / k)` of `n` in random order): several times cheaper than a full
/// selection for the row lengths here.
pub(crate) fn k_smallest(
    values: impl Iterator<Item = f64>,
    k: usize,
    out: &mut Vec<(f64, u32)>,
) -> f64 {
    out.clear();
    let mut left_out = f64::INFINITY;
    // Index in `out` of its largest value, and that value.
    let (mut worst, mut worst_v) = (0usize, f64::NEG_INFINITY);
    for (j, v) in values.enumerate() {
        if v.is_nan() {
            continue;
        }
        if out.len() < k {
            out.push((v, j as u32));
            if v >= worst_v {
                (worst, worst_v) = (out.len() - 1, v);
            }
            continue;
        }
        if v >= worst_v {
            left_out = left_out.min(v);
            continue;
        }
        left_out = left_out.min(worst_v);
        out[worst] = (v, j as u32);
        (worst, worst_v) = (0, f64::NEG_INFINITY);
        for (p, &(w, _)) in out.iter().enumerate() {
            if w > worst_v {
                (worst, worst_v) = (p, w);
            }
        }
    }
    left_out
}

#[cfg(test)]
mod tests {
    use super::k_smallest;

    #[test]
    fn keeps_the_k_smallest_and_reports_the_next() {
        let mut state = 12345u64;
        for trial in 0..200 {
            let n = 1 + trial % 90;
            let k = 1 + trial % 17;
            let values: Vec<f64> = (0..n)
                .map(|t| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    if t % 11 == 3 {
                        f64::NAN
                    } else {
                        ((state >> 33) % 13) as f64 // many ties
                    }
                })
                .collect();
            let mut out = Vec::new();
            let next = k_smallest(values.iter().copied(), k, &mut out);
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
        }
    }
}
