//! Units ordered from best to worst aligned, from a solved mass path.
//!
//! * **Path ranking**: a unit that enters the optimal partial matching at a lower mass is
//!   better aligned; ties (units entering together) go to the one fully matched first, then to
//!   the lower index. Units never matched within the path's reach (entry NaN) come last. The
//!   order is nested: the first `k` units of a side are exactly the units matched at some `s`.
//! * **Plan ranking** (the paper's single-plan partition at `s`): units sorted by the fraction
//!   of their capacity the plan at `s` uses, descending; ties (fully matched or unmatched
//!   units) go to the lower mean cost of the unit's matched mass, and unmatched units to the
//!   lower cheapest cost to the other side (offset by `max C` so that they follow every
//!   matched unit); then to the lower index.

use std::cmp::Ordering;

use ndarray::{ArrayView2, Axis};

use crate::error::ParsmError;
use crate::path::MassPath;
use crate::scalar::Cost;

/// Orders of both sides, best aligned first, with the per-unit value each order sorts.
#[derive(Debug, Clone, PartialEq)]
pub struct Orders {
    /// Units of X, best first.
    pub order_x: Vec<usize>,
    /// Units of Y, best first.
    pub order_y: Vec<usize>,
    /// What the order of X sorts: entry masses (path) or matched fractions (plan).
    pub values_x: Vec<f64>,
    /// The same for Y.
    pub values_y: Vec<f64>,
}

/// Ascending, NaN last.
fn ascending(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (false, false) => a.partial_cmp(&b).expect("neither is NaN"),
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (true, true) => Ordering::Equal,
    }
}

/// Indices sorted by `primary`, then `secondary`, then index, ascending (NaN last).
fn order(primary: &[f64], secondary: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..primary.len()).collect();
    idx.sort_by(|&i, &j| {
        ascending(primary[i], primary[j])
            .then_with(|| ascending(secondary[i], secondary[j]))
            .then(i.cmp(&j))
    });
    idx
}

/// The path ranking (see the module documentation).
pub fn path_ranking(path: &MassPath) -> Orders {
    Orders {
        order_x: order(path.row_entry(), path.row_full()),
        order_y: order(path.col_entry(), path.col_full()),
        values_x: path.row_entry().to_vec(),
        values_y: path.col_entry().to_vec(),
    }
}

/// The plan ranking at `s` on the costs `cost` the path was solved on.
pub fn plan_ranking<T: Cost>(
    path: &MassPath,
    cost: ArrayView2<T>,
    s: f64,
) -> Result<Orders, ParsmError> {
    let (nx, ny) = path.shape();
    if cost.dim() != (nx, ny) {
        return Err(ParsmError::ShapeMismatch {
            what: "the cost matrix",
            got: cost.dim(),
            expected: (nx, ny),
        });
    }
    let plan = path.plan_at(s)?;
    let c_max = cost.iter().fold(f64::NEG_INFINITY, |m, v| m.max(v.get()));
    let side = |axis: Axis, n: usize| -> (Vec<f64>, Vec<f64>) {
        let mut frac = vec![0.0; plan.len_of(axis)];
        let mut spent = vec![0.0; plan.len_of(axis)];
        let mut cheapest = vec![f64::INFINITY; plan.len_of(axis)];
        for ((i, j), &t) in plan.indexed_iter() {
            let k = if axis == Axis(0) { i } else { j };
            let c = cost[[i, j]].get();
            frac[k] += t;
            spent[k] += t * c;
            cheapest[k] = cheapest[k].min(c);
        }
        let tie = frac
            .iter()
            .zip(&spent)
            .zip(&cheapest)
            .map(|((&f, &sp), &lo)| if f > 0.0 { sp / f } else { c_max + lo })
            .collect();
        (frac.iter().map(|f| f * n as f64).collect(), tie)
    };
    let (frac_x, tie_x) = side(Axis(0), nx);
    let (frac_y, tie_y) = side(Axis(1), ny);
    let neg = |v: &[f64]| v.iter().map(|x| -x).collect::<Vec<_>>();
    Ok(Orders {
        order_x: order(&neg(&frac_x), &tie_x),
        order_y: order(&neg(&frac_y), &tie_y),
        values_x: frac_x,
        values_y: frac_y,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn orders_sort_by_primary_then_secondary_then_index_with_nan_last() {
        let p = [0.5, f64::NAN, 0.1, 0.5, 0.1];
        let q = [2.0, 0.0, 1.0, 1.0, 1.0];
        assert_eq!(order(&p, &q), vec![2, 4, 3, 0, 1]);
    }

    #[test]
    fn rankings_follow_entry_masses_and_plan_fractions() {
        // Unit i of X is a copy of unit (4 - i) of Y with cost growing in i; the 5th of Y
        // has no counterpart (cost 1 to all but one).
        let (nx, ny) = (4, 5);
        let c = Array2::from_shape_fn(
            (nx, ny),
            |(i, j)| {
                if j == 3 - i {
                    0.1 * i as f64
                } else {
                    1.0
                }
            },
        );
        let path = MassPath::solve(c.view(), 1.0).unwrap();
        let by_path = path_ranking(&path);
        assert_eq!(by_path.order_x, vec![0, 1, 2, 3]);
        assert_eq!(&by_path.order_y[..4], &[3, 2, 1, 0]);
        let s = 0.5; // two of the four X units matched
        let by_plan = plan_ranking(&path, c.view(), s).unwrap();
        let (mx, my) = path.masses_at(s).unwrap();
        for (f, m) in by_plan.values_x.iter().zip(&mx) {
            assert!((f - m * nx as f64).abs() < 1e-12);
        }
        for (f, m) in by_plan.values_y.iter().zip(&my) {
            assert!((f - m * ny as f64).abs() < 1e-12);
        }
        assert_eq!(&by_plan.order_x[..2], &[0, 1]);
        assert_eq!(&by_plan.order_y[..2], &[3, 2]);
        let short = Array2::<f64>::zeros((3, ny));
        assert!(plan_ranking(&path, short.view(), s).is_err());
    }
}
