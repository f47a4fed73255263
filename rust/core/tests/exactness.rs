//! The network simplex against brute-force optima, on tiny problems of every kind.

mod common;

use common::{brute_force_assignment, brute_force_partial, Rng};
use ndarray::{Array2, ArrayView2};
use parsm_core::{
    emd, emd_cost, partial, soft_matching, soft_matching_cost, SolveStatus, TransportOptions,
    TransportSolution,
};

fn assert_feasible(sol: &TransportSolution, a: &[f64], b: &[f64], m: f64) {
    let plan = &sol.plan;
    assert!(plan.iter().all(|&t| t >= 0.0), "negative plan entry");
    for (i, r) in plan.rows().into_iter().enumerate() {
        assert!(r.sum() <= a[i] + 1e-12, "row {i} over capacity");
    }
    for (j, c) in plan.columns().into_iter().enumerate() {
        assert!(c.sum() <= b[j] + 1e-12, "column {j} over capacity");
    }
    assert!(
        (plan.sum() - m).abs() <= 1e-12,
        "mass {} != {m}",
        plan.sum()
    );
    assert_eq!(sol.status, SolveStatus::Optimal);
}

/// Random tiny costs in one of several regimes, including the ones that break POT's trick.
fn costs(rng: &mut Rng, n: usize, regime: usize) -> Vec<f64> {
    (0..n)
        .map(|_| match regime {
            0 => rng.uniform(),
            1 => rng.below(3) as f64 - 1.0, // integers with ties, zeros and negatives
            2 => 0.0,                       // all zero
            3 => rng.normal() * 1e30,       // huge
            _ => -rng.uniform() * 5.0 - 1.0, // all negative
        })
        .collect()
}

#[test]
fn partial_matches_vertex_enumeration() {
    let mut rng = Rng::new(7);
    for trial in 0..400 {
        let nx = 1 + rng.below(3);
        let ny = 1 + rng.below(3);
        let regime = trial % 5;
        let c = costs(&mut rng, nx * ny, regime);
        let a: Vec<f64> = (0..nx).map(|_| 0.1 + rng.uniform()).collect();
        let b: Vec<f64> = (0..ny).map(|_| 0.1 + rng.uniform()).collect();
        let avail = a.iter().sum::<f64>().min(b.iter().sum());
        let m = avail * rng.uniform() * 0.999;
        let view = ArrayView2::from_shape((nx, ny), &c).unwrap();
        for k in [1, 3] {
            let opts = TransportOptions {
                n_dummies: Some(k),
                ..Default::default()
            };
            let sol = partial(view, &a, &b, m, opts).unwrap();
            assert_feasible(&sol, &a, &b, m);
            let exact = brute_force_partial(&c, nx, ny, &a, &b, m);
            let scale = c.iter().fold(1.0f64, |s, v| s.max(v.abs()));
            assert!(
                (sol.cost - exact).abs() <= 1e-9 * scale,
                "trial {trial} regime {regime} k {k}: simplex {} vs brute force {exact}",
                sol.cost
            );
        }
    }
}

#[test]
fn balanced_matches_permutations() {
    let mut rng = Rng::new(11);
    for trial in 0..200 {
        let n = 1 + rng.below(6);
        let c = costs(&mut rng, n * n, trial % 5);
        let w = vec![1.0 / n as f64; n];
        let view = ArrayView2::from_shape((n, n), &c).unwrap();
        let sol = emd(view, &w, &w, TransportOptions::default()).unwrap();
        assert_feasible(&sol, &w, &w, 1.0);
        let exact = brute_force_assignment(&c, n);
        let scale = c.iter().fold(1.0f64, |s, v| s.max(v.abs()));
        assert!(
            (sol.cost - exact).abs() <= 1e-9 * scale,
            "trial {trial}: {} vs {exact}",
            sol.cost
        );
        // Duals are feasible and certify the optimum (strong duality).
        let dual: f64 = sol.u.iter().zip(&w).map(|(u, a)| u * a).sum::<f64>()
            + sol.v.iter().zip(&w).map(|(v, b)| v * b).sum::<f64>();
        assert!((dual - sol.cost).abs() <= 1e-9 * scale);
        for i in 0..n {
            for j in 0..n {
                assert!(sol.u[i] + sol.v[j] <= c[i * n + j] + 1e-9 * scale);
            }
        }
    }
}

#[test]
fn partial_at_full_mass_equals_balanced() {
    let mut rng = Rng::new(3);
    for n in [5usize, 17, 120] {
        let c: Vec<f64> = (0..n * n).map(|_| rng.uniform()).collect();
        let w = vec![1.0 / n as f64; n];
        let view = ArrayView2::from_shape((n, n), &c).unwrap();
        // sum(w) rounds below 1 for n = 120; s = 1 must still work.
        let p = partial(view, &w, &w, 1.0, TransportOptions::default()).unwrap();
        let e = emd(view, &w, &w, TransportOptions::default()).unwrap();
        assert!((p.cost - e.cost).abs() < 1e-12, "n = {n}");
    }
}

#[test]
fn zero_mass_gives_zero_plan_and_too_much_mass_is_an_error() {
    let c = Array2::from_elem((3, 4), 1.0);
    let (a, b) = (vec![1.0 / 3.0; 3], vec![0.25; 4]);
    let sol = partial(c.view(), &a, &b, 0.0, TransportOptions::default()).unwrap();
    assert_eq!(sol.plan.sum(), 0.0);
    assert_eq!(sol.cost, 0.0);
    let err = partial(c.view(), &a, &b, 1.5, TransportOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("exceeds the available mass"),
        "{err}"
    );
    let err = partial(c.view(), &a, &b, -0.1, TransportOptions::default()).unwrap_err();
    assert!(err.to_string().contains("negative"), "{err}");
}

#[test]
fn all_zero_costs_transport_exactly_m() {
    // POT's 2 max(M) dummy cost is 0 here and it moves all the mass; parsm moves exactly m.
    let c = Array2::<f64>::zeros((6, 6));
    let w = vec![1.0 / 6.0; 6];
    let sol = partial(c.view(), &w, &w, 0.5, TransportOptions::default()).unwrap();
    assert_feasible(&sol, &w, &w, 0.5);
}

#[test]
fn max_iter_is_reported_not_hidden() {
    let mut rng = Rng::new(5);
    let n = 40;
    let c: Vec<f64> = (0..n * n).map(|_| rng.uniform()).collect();
    let w = vec![1.0 / n as f64; n];
    let view = ArrayView2::from_shape((n, n), &c).unwrap();
    let capped = emd(
        view,
        &w,
        &w,
        TransportOptions {
            max_iter: Some(5),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(capped.status, SolveStatus::MaxIterReached);
    assert_eq!(capped.iterations, 5);
    let uncapped = TransportOptions {
        max_iter: Some(u64::MAX),
        ..Default::default()
    };
    let full = emd(view, &w, &w, uncapped).unwrap();
    assert_eq!(full.status, SolveStatus::Optimal);
    assert!(full.iterations > 5);
}

#[test]
fn unbalanced_marginals_are_rejected() {
    let c = Array2::<f64>::ones((2, 2));
    let err = emd(
        c.view(),
        &[0.5, 0.5],
        &[0.5, 0.6],
        TransportOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("different total mass"), "{err}");
    let err = emd(
        c.view(),
        &[0.5, f64::NAN],
        &[0.5, 0.5],
        TransportOptions::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("non-finite weight at index 1"),
        "{err}"
    );
}

/// The plan-less cost is the cost of `emd`'s plan, bit for bit: square uniform problems (the
/// assignment solver), rectangular ones large enough for candidate pricing (the simplex), and
/// arbitrary marginals; bad input fails as `emd` fails.
#[test]
fn emd_cost_is_the_cost_of_emds_plan_bit_for_bit() {
    let mut rng = Rng::new(11);
    for &(nx, ny, uniform) in &[
        (7, 7, true),
        (230, 250, true),
        (40, 31, false),
        (300, 300, true),
    ] {
        let c = Array2::from_shape_fn((nx, ny), |_| rng.normal());
        let (a, b): (Vec<f64>, Vec<f64>) = if uniform {
            (vec![1.0 / nx as f64; nx], vec![1.0 / ny as f64; ny])
        } else {
            let a: Vec<f64> = (0..nx).map(|_| rng.uniform() + 0.1).collect();
            let b: Vec<f64> = (0..ny).map(|_| rng.uniform() + 0.1).collect();
            let (sa, sb) = (a.iter().sum::<f64>(), b.iter().sum::<f64>());
            (
                a.iter().map(|x| x / sa).collect(),
                b.iter().map(|x| x / sb).collect(),
            )
        };
        let sol = emd(c.view(), &a, &b, TransportOptions::default()).unwrap();
        assert_eq!(sol.status, SolveStatus::Optimal);
        let cost = emd_cost(c.view(), &a, &b, None).unwrap();
        assert_eq!(
            cost.to_bits(),
            sol.cost.to_bits(),
            "{nx} x {ny}: {cost} vs {}",
            sol.cost
        );
        if uniform {
            let soft = soft_matching(c.view(), None).unwrap();
            assert_eq!(soft.cost.to_bits(), sol.cost.to_bits());
            assert_eq!(soft.plan, sol.plan);
            let soft_cost = soft_matching_cost(c.view(), None).unwrap();
            assert_eq!(soft_cost.to_bits(), sol.cost.to_bits());
        }
    }
    let c = Array2::<f64>::ones((2, 2));
    let err = emd_cost(c.view(), &[0.5, 0.5], &[0.5, 0.6], None).unwrap_err();
    assert!(err.to_string().contains("different total mass"), "{err}");
    let nan = Array2::from_shape_fn((2, 2), |(i, j)| if i == j { f64::NAN } else { 1.0 });
    let err = emd_cost(nan.view(), &[0.5, 0.5], &[0.5, 0.5], None).unwrap_err();
    assert!(err.to_string().contains("NaN or infinite"), "{err}");
}

/// Sparse graphs: the optimum over the listed arcs equals brute force over the permutations
/// that use listed arcs only; with no such permutation the solve reports infeasible arcs.
#[test]
fn sparse_arcs_match_brute_force_and_forbid_the_rest() {
    use parsm_core::{emd_on_arcs, ParsmError, SparseArcs};
    let mut rng = Rng::new(29);
    let mut infeasible = 0;
    for trial in 0..300 {
        let n = 1 + rng.below(5);
        let c = costs(&mut rng, n * n, trial % 3);
        let allowed: Vec<bool> = (0..n * n).map(|_| rng.below(3) > 0).collect();
        let (mut rows, mut cols, mut vals) = (Vec::new(), Vec::new(), Vec::new());
        for k in (0..n * n).filter(|&k| allowed[k]) {
            rows.push(k / n);
            cols.push(k % n);
            vals.push(c[k]);
        }
        // Brute force: forbidden arcs priced far above any permutation of allowed ones.
        let big = 1e6;
        let priced: Vec<f64> = (0..n * n)
            .map(|k| if allowed[k] { c[k] } else { big })
            .collect();
        let best = brute_force_assignment(&priced, n);
        let w = vec![1.0 / n as f64; n];
        let arcs = SparseArcs {
            shape: (n, n),
            rows: &rows,
            cols: &cols,
            costs: &vals,
        };
        match emd_on_arcs(arcs, &w, &w, TransportOptions::default()) {
            Ok(sol) => {
                assert!(
                    best < big / (2 * n) as f64,
                    "trial {trial}: solved an infeasible graph"
                );
                assert!(
                    (sol.cost - best).abs() <= 1e-9,
                    "trial {trial}: {} vs {best}",
                    sol.cost
                );
                for (k, &f) in sol.flow.iter().enumerate() {
                    assert!(f >= 0.0);
                    assert!(vals[k] - sol.u[rows[k]] - sol.v[cols[k]] >= -1e-9);
                }
            }
            Err(ParsmError::InfeasibleArcs) => {
                infeasible += 1;
                assert!(
                    best >= big / (2 * n) as f64,
                    "trial {trial}: feasible graph refused"
                );
            }
            Err(e) => panic!("trial {trial}: {e}"),
        }
    }
    assert!(
        infeasible > 10,
        "the trials should include infeasible graphs"
    );
}
