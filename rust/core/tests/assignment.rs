//! The Jonker–Volgenant assignment solver against brute force and against the network simplex.

mod common;

use common::{brute_force_assignment, Rng};
use ndarray::ArrayView2;
use parsm_core::assignment::{solve_assignment, Assignment};
use parsm_core::{emd, Monitor, ParsmError, TransportOptions};

fn costs(rng: &mut Rng, len: usize, regime: usize) -> Vec<f64> {
    (0..len)
        .map(|_| match regime {
            0 => rng.uniform(),
            1 => rng.below(3) as f64 - 1.0, // integers: ties, zeros, negatives
            2 => 0.0,
            3 => rng.normal() * 1e30,
            _ => -rng.uniform() * 5.0 - 1.0,
        })
        .collect()
}

fn is_permutation(a: &Assignment, n: usize) -> bool {
    let mut seen = vec![false; n];
    a.col_of_row
        .iter()
        .all(|&j| j < n && !std::mem::replace(&mut seen[j], true))
}

#[test]
fn matches_brute_force_on_tiny_problems() {
    let mut rng = Rng::new(11);
    for trial in 0..600 {
        let n = 1 + rng.below(6);
        let c = costs(&mut rng, n * n, trial % 5);
        let a = solve_assignment(&c, n, &Monitor::new()).unwrap();
        assert!(is_permutation(&a, n));
        let exact = brute_force_assignment(&c, n) * n as f64;
        let scale = c.iter().fold(1.0f64, |s, v| s.max(v.abs()));
        assert!(
            (a.total_cost - exact).abs() <= 1e-12 * scale * n as f64,
            "trial {trial}: {} vs {exact}",
            a.total_cost
        );
        // Duals: feasible everywhere, tight on the assignment.
        for i in 0..n {
            for j in 0..n {
                assert!(c[i * n + j] - a.u[i] - a.v[j] >= -1e-9 * scale);
            }
            let j = a.col_of_row[i];
            assert!((c[i * n + j] - a.u[i] - a.v[j]).abs() <= 1e-9 * scale);
        }
    }
}

#[test]
fn matches_the_simplex_on_larger_problems() {
    let mut rng = Rng::new(3);
    for (trial, &n) in [50usize, 120, 257, 300].iter().enumerate() {
        for regime in [0, 1, 4] {
            let c = costs(&mut rng, n * n, regime);
            let a = solve_assignment(&c, n, &Monitor::new()).unwrap();
            let w = vec![1.0 / n as f64; n];
            let view = ArrayView2::from_shape((n, n), &c).unwrap();
            // An explicit pivot cap keeps the network simplex (no assignment shortcut).
            let simplex = emd(
                view,
                &w,
                &w,
                TransportOptions {
                    max_iter: Some(u64::MAX),
                    ..Default::default()
                },
            )
            .unwrap();
            let lap = a.total_cost / n as f64;
            assert!(
                (lap - simplex.cost).abs() <= 1e-12 * (1.0 + simplex.cost.abs()),
                "trial {trial} n {n} regime {regime}: {lap} vs {}",
                simplex.cost
            );
            // emd with uniform square marginals takes the assignment path.
            let fast = emd(view, &w, &w, TransportOptions::default()).unwrap();
            assert!((fast.cost - lap).abs() <= 1e-15 * (1.0 + lap.abs()));
            assert!(fast.plan.iter().all(|&t| t == 0.0 || t == w[0]));
        }
    }
}

#[test]
fn a_wrong_certificate_is_caught() {
    let c = vec![0.0, 1.0, 1.0, 0.0];
    let mut a = solve_assignment(&c, 2, &Monitor::new()).unwrap();
    assert_eq!(a.col_of_row, vec![0, 1]);
    a.col_of_row = vec![1, 0];
    a.u = vec![1.0, 1.0];
    a.v = vec![0.0, 0.0];
    let err = a.certify(&c, 2).unwrap_err();
    assert!(matches!(err, ParsmError::Uncertified(_)), "{err}");
    a.col_of_row = vec![0, 0];
    assert!(a.certify(&c, 2).is_err());
}

#[test]
fn cancellation_stops_the_solve() {
    let mut rng = Rng::new(1);
    let n = 200;
    let c = costs(&mut rng, n * n, 0);
    let monitor = Monitor::new();
    monitor.cancel();
    match solve_assignment(&c, n, &monitor) {
        Err(ParsmError::Interrupted) => {}
        // CR + ARR may leave no free row, in which case there is nothing to interrupt.
        Ok(a) => assert!(is_permutation(&a, n)),
        Err(e) => panic!("{e}"),
    }
}
