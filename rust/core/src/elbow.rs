//! Rules that pick the elbow `s0` of an L-curve `λ(s)` (the transport cost against the mass).
//!
//! * [`paper`]: the argmax of `|λ[i+1] - 2λ[i] + λ[i-1]|`, as the paper states it.
//! * [`notebook`]: what the authors' notebooks run: `np.gradient` twice, the argmax of its
//!   absolute value, plus one (clamped to the grid). Only this rule reproduces the paper's
//!   model-selection numbers; it is fragile.
//! * [`changepoint`]: parsm's rule. The slope of the L-curve is the marginal cost of matching
//!   more mass: low while true counterparts are being matched, high once only units without one
//!   are left. The elbow is where a two-level step function best fits that slope profile
//!   (weighted least squares over the exact linear pieces), which uses the whole curve rather
//!   than one noisy second difference.

/// The index `i` of the paper's rule, `argmax_i |λ[i+1] - 2λ[i] + λ[i-1]|` over interior points.
/// `None` for fewer than 3 points.
pub fn paper(cost: &[f64]) -> Option<usize> {
    if cost.len() < 3 {
        return None;
    }
    let mut best = (f64::NEG_INFINITY, 1);
    for i in 1..cost.len() - 1 {
        let c = (cost[i + 1] - 2.0 * cost[i] + cost[i - 1]).abs();
        if c > best.0 {
            best = (c, i);
        }
    }
    Some(best.1)
}

/// `np.gradient(v)` with unit spacing: one-sided differences at the ends, central inside.
pub fn gradient(v: &[f64]) -> Vec<f64> {
    let n = v.len();
    match n {
        0 => vec![],
        1 => vec![0.0],
        _ => (0..n)
            .map(|i| {
                if i == 0 {
                    v[1] - v[0]
                } else if i == n - 1 {
                    v[n - 1] - v[n - 2]
                } else {
                    (v[i + 1] - v[i - 1]) / 2.0
                }
            })
            .collect(),
    }
}

/// The authors' notebook rule: `argmax |np.gradient(np.gradient(λ))| + 1`, clamped to the grid.
/// `None` for fewer than 2 points.
pub fn notebook(cost: &[f64]) -> Option<usize> {
    if cost.len() < 2 {
        return None;
    }
    let g2 = gradient(&gradient(cost));
    let mut best = (f64::NEG_INFINITY, 0);
    for (i, &g) in g2.iter().enumerate() {
        if g.abs() > best.0 {
            best = (g.abs(), i);
        }
    }
    Some((best.1 + 1).min(cost.len() - 1))
}

/// The elbow of a piecewise-linear curve given by its knots `s` (increasing) and values `v`:
/// the knot that splits the pieces' slopes into two groups with the least weighted squared
/// error (weights = piece lengths), excluding the first and last knots. `None` with fewer than
/// two pieces.
pub fn changepoint(s: &[f64], v: &[f64]) -> Option<usize> {
    let n = s.len().min(v.len());
    if n < 3 {
        return None;
    }
    let pieces: Vec<(f64, f64)> = (0..n - 1)
        .filter(|&k| s[k + 1] > s[k])
        .map(|k| {
            let w = s[k + 1] - s[k];
            (w, (v[k + 1] - v[k]) / w)
        })
        .collect();
    let ends: Vec<usize> = (0..n - 1)
        .filter(|&k| s[k + 1] > s[k])
        .map(|k| k + 1)
        .collect();
    if pieces.len() < 2 {
        return None;
    }
    // Prefix sums of w, w*slope, w*slope^2.
    let mut pw = vec![0.0; pieces.len() + 1];
    let mut pm = vec![0.0; pieces.len() + 1];
    let mut pq = vec![0.0; pieces.len() + 1];
    for (k, &(w, m)) in pieces.iter().enumerate() {
        pw[k + 1] = pw[k] + w;
        pm[k + 1] = pm[k] + w * m;
        pq[k + 1] = pq[k] + w * m * m;
    }
    let sse = |a: usize, b: usize| {
        let w = pw[b] - pw[a];
        let m = pm[b] - pm[a];
        (pq[b] - pq[a]) - m * m / w
    };
    let total = pieces.len();
    let mut best = (f64::INFINITY, 1);
    for b in 1..total {
        let e = sse(0, b) + sse(b, total);
        if e < best.0 {
            best = (e, b);
        }
    }
    // Knot between piece best.1 - 1 and piece best.1.
    Some(ends[best.1 - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_numpy() {
        // np.gradient([1, 2, 4, 7, 11]) == [1, 1.5, 2.5, 3.5, 4]
        assert_eq!(
            gradient(&[1.0, 2.0, 4.0, 7.0, 11.0]),
            vec![1.0, 1.5, 2.5, 3.5, 4.0]
        );
    }

    #[test]
    fn rules_find_a_clean_corner() {
        // Slope 0.2 up to s = 0.5, then 1.0: the corner is at index 5 of an 11-point grid.
        let s: Vec<f64> = (0..11).map(|i| i as f64 / 10.0).collect();
        let v: Vec<f64> = s
            .iter()
            .map(|&x| if x <= 0.5 { 0.2 * x } else { 0.1 + (x - 0.5) })
            .collect();
        assert_eq!(paper(&v), Some(5));
        assert_eq!(changepoint(&s, &v), Some(5));
        // The notebook rule peaks at the kink too, then adds one: the authors' off-by-one
        // (np.gradient([...]) twice peaks at index 5 here, as numpy does).
        assert_eq!(notebook(&v), Some(6));
    }

    #[test]
    fn notebook_rule_is_clamped_and_short_inputs_are_none() {
        let v = [0.0, 0.0, 0.0, 5.0];
        assert_eq!(notebook(&v), Some(3));
        assert_eq!(paper(&[1.0, 2.0]), None);
        assert_eq!(changepoint(&[0.0, 1.0], &[0.0, 1.0]), None);
    }
}
