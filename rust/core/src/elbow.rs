//! Rules that pick the elbow `s0` of an L-curve `λ(s)` (the transport cost against the mass).
//!
//! * [`paper`]: the argmax of `|λ[i+1] - 2λ[i] + λ[i-1]|`, as the paper states it.
//! * [`notebook`]: what the authors' notebooks run: `np.gradient` twice, the argmax of its
//!   absolute value, plus one (clamped to the grid). Only this rule reproduces the paper's
//!   model-selection numbers; it is fragile.
//! * [`plateau`]: parsm's rule. The slope of the L-curve (the marginal cost of matching more
//!   mass) rises while true counterparts are matched and plateaus at the noise level once only
//!   units without one are left; the elbow is where a ramp-then-plateau fit of the slope profile
//!   breaks. It uses the whole exact curve rather than one noisy second difference.

/// The held-out share's corners (see `parsm.share`): for each gain curve `e` (a row of
/// `gains`, on a grid of `g` masses), the smallest grid index `i` after which no later point
/// rises above it by more than `z · sd[i, j] + 1e-12`, i.e. the first `i` with
/// `e[j] - e[i] <= z · sd[i, j] + 1e-12` for every `j > i` (the last index always qualifies).
/// `sd` is `g x g`, row-major. The same comparisons, in the same floating-point operations,
/// as the numpy rule it replaces; each row stops at its first rise.
pub fn held_out_corners(gains: &[f64], g: usize, sd: &[f64], z: f64) -> Vec<usize> {
    assert!(g > 0 && gains.len().is_multiple_of(g) && sd.len() == g * g);
    let threshold: Vec<f64> = sd.iter().map(|&v| z * v + 1e-12).collect();
    gains
        .chunks_exact(g)
        .map(|e| {
            (0..g)
                .find(|&i| {
                    let t = &threshold[i * g..(i + 1) * g];
                    // A rise is `>` (NaN is none), as numpy compares.
                    !(i + 1..g).any(|j| e[j] - e[i] > t[j])
                })
                .expect("the last index has no later point")
        })
        .collect()
}

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

/// Weighted sums over a range of pieces, for least-squares fits in O(1) per range.
#[derive(Clone, Copy, Default)]
struct Moments {
    w: f64,
    x: f64,
    y: f64,
    xx: f64,
    xy: f64,
    yy: f64,
}

impl Moments {
    fn add(self, w: f64, x: f64, y: f64) -> Self {
        Moments {
            w: self.w + w,
            x: self.x + w * x,
            y: self.y + w * y,
            xx: self.xx + w * x * x,
            xy: self.xy + w * x * y,
            yy: self.yy + w * y * y,
        }
    }
    fn minus(self, o: Self) -> Self {
        Moments {
            w: self.w - o.w,
            x: self.x - o.x,
            y: self.y - o.y,
            xx: self.xx - o.xx,
            xy: self.xy - o.xy,
            yy: self.yy - o.yy,
        }
    }
    /// Residual sum of squares of the best constant.
    fn sse_constant(self) -> f64 {
        (self.yy - self.y * self.y / self.w).max(0.0)
    }
    /// Residual sum of squares of the best line.
    fn sse_line(self) -> f64 {
        let vx = self.xx - self.x * self.x / self.w;
        let cxy = self.xy - self.x * self.y / self.w;
        let vy = self.yy - self.y * self.y / self.w;
        let explained = if vx > 0.0 { cxy * cxy / vx } else { 0.0 };
        (vy - explained).max(0.0)
    }
}

/// parsm's elbow of a piecewise-linear L-curve given by its knots `s` (increasing) and values
/// `v`; returns the index of the knot.
///
/// The slope of the L-curve is the marginal cost of matching more mass. While units with a true
/// counterpart are being matched it **rises** (the best pairs go first, then weaker ones); once
/// only units without a counterpart are left it **plateaus** at the noise level (`1 - r` with
/// `r ≈ 0`). The elbow is the knot where a line (the ramp) followed by a constant (the
/// plateau) best fits the slope profile, by least squares weighted by the pieces' widths.
/// Ramp and plateau each span at least two pieces. `None` with fewer than four pieces.
pub fn plateau(s: &[f64], v: &[f64]) -> Option<usize> {
    let n = s.len().min(v.len());
    // (knot index at the piece's end, width, midpoint, slope) of every piece of positive width.
    let pieces: Vec<(usize, f64, f64, f64)> = (0..n.saturating_sub(1))
        .filter(|&k| s[k + 1] > s[k])
        .map(|k| {
            let w = s[k + 1] - s[k];
            (k + 1, w, 0.5 * (s[k] + s[k + 1]), (v[k + 1] - v[k]) / w)
        })
        .collect();
    let m = pieces.len();
    if m < 4 {
        return None;
    }
    let mut prefix = vec![Moments::default(); m + 1];
    for (k, &(_, w, x, y)) in pieces.iter().enumerate() {
        prefix[k + 1] = prefix[k].add(w, x, y);
    }
    let mut best = (f64::INFINITY, 2);
    for b in 2..=m - 2 {
        let ramp = prefix[b].sse_line();
        let flat = prefix[m].minus(prefix[b]).sse_constant();
        if ramp + flat < best.0 {
            best = (ramp + flat, b);
        }
    }
    // The knot between piece b - 1 (last of the ramp) and piece b (first of the plateau).
    Some(pieces[best.1 - 1].0)
}

#[cfg(test)]
mod tests {
    /// A curve that rises by 1 a step for three steps and is flat after has its corner where
    /// the rise ends; where any rise of up to 1.25 is noise, where what is left of it is
    /// within that; where the whole rise of 3 is, at the start; a falling curve at once.
    #[test]
    fn held_out_corners_stop_after_the_last_significant_rise() {
        let g = 6;
        let rising = [0.0, 1.0, 2.0, 3.0, 3.0, 3.0];
        let falling = [5.0, 4.0, 3.0, 2.0, 1.0, 0.0];
        let gains: Vec<f64> = rising.iter().chain(&falling).copied().collect();
        let sd = vec![0.1; g * g];
        assert_eq!(held_out_corners(&gains, g, &sd, 2.5), vec![3, 0]);
        assert_eq!(
            held_out_corners(&rising, g, &vec![0.5; g * g], 2.5),
            vec![2]
        );
        assert_eq!(
            held_out_corners(&rising, g, &vec![1.5; g * g], 2.5),
            vec![0]
        );
        assert_eq!(held_out_corners(&[7.0], 1, &[0.0], 2.5), vec![0]);
    }

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
        // The notebook rule peaks at the kink too, then adds one: the authors' off-by-one
        // (np.gradient([...]) twice peaks at index 5 here, as numpy does).
        assert_eq!(notebook(&v), Some(6));
    }

    #[test]
    fn plateau_rule_finds_where_a_rising_slope_levels_off() {
        // Slope rises linearly (0.1 -> 0.6) up to s = 0.6, then stays at 0.95.
        let s: Vec<f64> = (0..=50).map(|i| i as f64 / 50.0).collect();
        let slope = |x: f64| if x < 0.6 { 0.1 + 0.5 * x / 0.6 } else { 0.95 };
        let mut v = vec![0.0];
        for k in 0..50 {
            let mid = 0.5 * (s[k] + s[k + 1]);
            v.push(v[k] + slope(mid) * (s[k + 1] - s[k]));
        }
        assert_eq!(plateau(&s, &v), Some(30)); // s = 0.6
                                               // Unequal piece widths are weighted: dropping knots does not move the answer.
        let (s2, v2): (Vec<f64>, Vec<f64>) = s
            .iter()
            .zip(&v)
            .enumerate()
            .filter(|(i, _)| i % 3 != 1 || *i > 40)
            .map(|(_, (a, b))| (*a, *b))
            .unzip();
        let k = plateau(&s2, &v2).unwrap();
        assert!((s2[k] - 0.6).abs() < 0.05, "{}", s2[k]);
    }

    #[test]
    fn notebook_rule_is_clamped_and_short_inputs_are_none() {
        let v = [0.0, 0.0, 0.0, 5.0];
        assert_eq!(notebook(&v), Some(3));
        assert_eq!(paper(&[1.0, 2.0]), None);
        assert_eq!(plateau(&[0.0, 0.5, 1.0], &[0.0, 0.1, 1.0]), None);
    }
}

/// The in-sample elbow rules, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// [`paper`].
    Paper,
    /// [`notebook`].
    Notebook,
    /// [`plateau`].
    Plateau,
}

impl std::str::FromStr for Rule {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "paper" => Ok(Rule::Paper),
            "notebook" => Ok(Rule::Notebook),
            "plateau" => Ok(Rule::Plateau),
            other => Err(format!(
                "unknown in-sample elbow rule {other:?}; use 'paper', 'notebook' or 'plateau' \
                 ('heldout' needs fold paths: parsm.lcurve computes it)"
            )),
        }
    }
}

/// `(s0, grid index)` of the curve `cost` on `grid` by `rule`. [`Rule::Plateau`] reads the
/// exact knots `(knots_s, knots_v)` of the in-sample ζ and returns a knot (index `None`); when
/// they have too few pieces for its fit, and for the other rules, `s0` is a grid point. `None`
/// for a grid of fewer than 3 points.
pub fn choose(
    rule: Rule,
    grid: &[f64],
    cost: &[f64],
    knots_s: &[f64],
    knots_v: &[f64],
) -> Option<(f64, Option<usize>)> {
    if rule == Rule::Plateau {
        if let Some(k) = plateau(knots_s, knots_v) {
            return Some((knots_s[k], None));
        }
    }
    let idx = if rule == Rule::Notebook {
        notebook(cost)
    } else {
        paper(cost)
    }?;
    Some((grid[idx], Some(idx)))
}
