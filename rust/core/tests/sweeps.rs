//! The parallel sweeps (unit ablation, sub-population costs) against brute-force optima.

mod common;

use common::{brute_force_assignment, brute_force_partial, Rng};
use ndarray::{Array2, Axis};
use parsm_core::ablation::ablation_deltas;
use parsm_core::sweep::subset_costs;
use parsm_core::Monitor;
use parsm_core::ParsmError;

fn balanced_brute(c: &Array2<f64>) -> f64 {
    let (r, k) = c.dim();
    let c = c.as_standard_layout();
    let a = vec![1.0 / r as f64; r];
    let b = vec![1.0 / k as f64; k];
    if r == k {
        return brute_force_assignment(c.as_slice().unwrap(), r);
    }
    brute_force_partial(c.as_slice().unwrap(), r, k, &a, &b, 1.0)
}

fn random(rng: &mut Rng, nx: usize, ny: usize) -> Array2<f64> {
    Array2::from_shape_fn((nx, ny), |_| rng.uniform())
}

#[test]
fn ablation_matches_brute_force_on_both_sides() {
    let mut rng = Rng::new(7);
    for (nx, ny) in [(4, 3), (3, 4), (3, 3), (4, 4), (2, 2)] {
        let c = random(&mut rng, nx, ny);
        let full = balanced_brute(&c);
        let (dx, dy) = ablation_deltas(c.view(), &Monitor::new()).unwrap();
        for (axis, deltas) in [(Axis(0), &dx), (Axis(1), &dy)] {
            for (u, &d) in deltas.iter().enumerate() {
                let keep: Vec<usize> = (0..c.len_of(axis)).filter(|&k| k != u).collect();
                let expected = full - balanced_brute(&c.select(axis, &keep));
                assert!(
                    (d - expected).abs() < 1e-12,
                    "{nx}x{ny} unit {u}: {d} vs {expected}"
                );
            }
        }
    }
}

#[test]
fn subset_costs_match_brute_force_and_check_indices() {
    let mut rng = Rng::new(11);
    let c = random(&mut rng, 5, 4);
    let subsets = vec![
        (vec![0, 2, 4], vec![1, 3]),
        (vec![3], vec![0, 1, 2, 3]),
        (vec![4, 3, 2, 1], vec![2, 0, 1]),
        (vec![], vec![1]),
    ];
    let got = subset_costs(c.view(), &subsets, &Monitor::new()).unwrap();
    for ((rows, cols), g) in subsets.iter().zip(&got) {
        if rows.is_empty() {
            assert!(g.is_nan());
            continue;
        }
        let sub = c.select(Axis(0), rows).select(Axis(1), cols);
        assert!((g - balanced_brute(&sub)).abs() < 1e-12);
    }
    let err = subset_costs(c.view(), &[(vec![5], vec![0])], &Monitor::new()).unwrap_err();
    assert!(matches!(
        err,
        ParsmError::IndexOutOfRange { index: 5, len: 5 }
    ));
}
