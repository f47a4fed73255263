//! The mass path against the network simplex: two exact solvers must agree.

mod common;

use common::Rng;
use ndarray::{Array2, ArrayView2};
use parsm_core::{partial, MassPath, TransportOptions};

fn random_costs(rng: &mut Rng, nx: usize, ny: usize, regime: usize) -> Array2<f64> {
    Array2::from_shape_fn((nx, ny), |_| match regime {
        0 => rng.uniform(),
        1 => rng.below(4) as f64 - 1.0, // ties, zeros and negatives
        _ => 2.0 * rng.normal(),
    })
}

#[test]
fn path_cost_equals_simplex_at_random_masses() {
    let mut rng = Rng::new(21);
    for trial in 0..120 {
        let nx = 1 + rng.below(25);
        let ny = 1 + rng.below(25);
        let c = random_costs(&mut rng, nx, ny, trial % 3);
        let path = MassPath::solve(c.view(), 1.0).unwrap();
        assert!((path.s_max() - 1.0).abs() < 1e-15);
        let a = vec![1.0 / nx as f64; nx];
        let b = vec![1.0 / ny as f64; ny];
        let grid: Vec<f64> = (0..6).map(|_| rng.uniform()).chain([0.0, 1.0]).collect();
        let zeta = path.evaluate(c.view(), &grid).unwrap();
        for (&s, &z) in grid.iter().zip(&zeta) {
            let sol = partial(c.view(), &a, &b, s, TransportOptions::default()).unwrap();
            let scale = c.iter().fold(1.0f64, |m, v| m.max(v.abs()));
            assert!(
                (sol.cost - z).abs() <= 1e-9 * scale,
                "trial {trial} ({nx}x{ny}) s={s}: path {z} vs simplex {}",
                sol.cost
            );
            // The rebuilt plan is feasible and has the same cost.
            let plan = path.plan_at(s).unwrap();
            assert!(plan.iter().all(|&t| t >= 0.0));
            assert!((plan.sum() - s).abs() < 1e-12);
            for r in plan.rows() {
                assert!(r.sum() <= 1.0 / nx as f64 + 1e-12);
            }
            for col in plan.columns() {
                assert!(col.sum() <= 1.0 / ny as f64 + 1e-12);
            }
            let pc: f64 = plan.iter().zip(c.iter()).map(|(t, c)| t * c).sum();
            assert!((pc - z).abs() <= 1e-9 * scale);
        }
    }
}

#[test]
fn zeta_is_convex_and_unit_masses_never_decrease() {
    let mut rng = Rng::new(5);
    for trial in 0..40 {
        let (nx, ny) = (2 + rng.below(20), 2 + rng.below(20));
        let c = random_costs(&mut rng, nx, ny, trial % 3);
        let path = MassPath::solve(c.view(), 1.0).unwrap();
        let slopes = path.slopes();
        assert!(
            slopes.windows(2).all(|w| w[1] >= w[0] - 1e-12),
            "{slopes:?}"
        );
        // Masses at increasing s: rows and columns only gain mass.
        let mut prev = Array2::<f64>::zeros((nx, ny));
        for k in 0..=20 {
            let plan = path.plan_at(k as f64 / 20.0).unwrap();
            let (rows, prev_rows) = (
                plan.sum_axis(ndarray::Axis(1)),
                prev.sum_axis(ndarray::Axis(1)),
            );
            let (cols, prev_cols) = (
                plan.sum_axis(ndarray::Axis(0)),
                prev.sum_axis(ndarray::Axis(0)),
            );
            assert!(rows.iter().zip(&prev_rows).all(|(a, b)| *a >= b - 1e-15));
            assert!(cols.iter().zip(&prev_cols).all(|(a, b)| *a >= b - 1e-15));
            prev = plan;
        }
        // Entry and full masses are consistent with the plans.
        for i in 0..nx {
            let (e, f) = (path.row_entry()[i], path.row_full()[i]);
            assert!(e <= f && f <= 1.0);
            let before = path.plan_at(e).unwrap().row(i).sum();
            assert!(before < 1e-15, "row {i} has mass before it enters");
            let after = path.plan_at(f).unwrap().row(i).sum();
            assert!((after - 1.0 / nx as f64).abs() < 1e-12);
        }
    }
}

#[test]
fn partial_path_stops_at_s_max_and_rejects_beyond() {
    let mut rng = Rng::new(9);
    let c = random_costs(&mut rng, 12, 7, 0);
    let path = MassPath::solve(c.view(), 0.4).unwrap();
    assert!(path.s_max() >= 0.4 && path.s_max() < 0.4 + 1.0 / 84.0 + 1e-12);
    assert!(path.plan_at(0.9).is_err());
    assert!(MassPath::solve(c.view(), 1.5).is_err());
    let empty = Array2::<f64>::zeros((0, 3));
    assert!(MassPath::solve(empty.view(), 1.0).is_err());
    let one = Array2::from_elem((1, 1), 3.0);
    let p = MassPath::solve(one.view(), 1.0).unwrap();
    assert_eq!(p.evaluate(one.view(), &[0.5]).unwrap(), vec![1.5]);
    let _ = ArrayView2::<f64>::from_shape((0, 0), &[]);
}

/// A path solved only to `s` and one solved to 1 give the same bits at `s` (`pairwise`, which
/// solves to `s`, and `compare`, which solves to 1, must report identical numbers).
#[test]
fn path_to_s_and_path_to_one_agree_bit_for_bit_at_s() {
    let mut rng = Rng::new(21);
    for trial in 0..24 {
        let (nx, ny) = (20 + 7 * (trial % 5), 30 + 11 * (trial % 4));
        let c = random_costs(&mut rng, nx, ny, trial % 3);
        let full = MassPath::solve(c.view(), 1.0).unwrap();
        for s in [0.1, 0.37, 0.4, 0.5, 0.83] {
            let short = MassPath::solve(c.view(), s).unwrap();
            let a = short.evaluate(c.view(), &[s]).unwrap()[0];
            let b = full.evaluate(c.view(), &[s]).unwrap()[0];
            assert_eq!(a.to_bits(), b.to_bits(), "{nx} x {ny}, s = {s}: {a} vs {b}");
            assert_eq!(short.masses_at(s).unwrap(), full.masses_at(s).unwrap());
        }
    }
}

/// Rows long enough for the search's candidate lists (`path_candidates`), rectangular and
/// square, in the regimes that stress them: ties, low rank (many near-equal reduced costs),
/// and clustered correlation-like costs where the lists go stale as the potentials grow.
#[test]
fn path_with_candidate_lists_equals_simplex_on_long_rows() {
    let mut rng = Rng::new(77);
    let shapes = [
        (150, 300),
        (300, 140),
        (210, 260),
        (130, 520),
        (200, 200),
        (260, 260),
    ];
    for (trial, &(nx, ny)) in shapes.iter().cycle().take(12).enumerate() {
        let a_fac: Vec<f64> = (0..nx).map(|_| rng.uniform()).collect();
        let b_fac: Vec<f64> = (0..ny).map(|_| rng.uniform()).collect();
        let c = Array2::from_shape_fn((nx, ny), |(i, j)| match trial % 4 {
            0 => rng.uniform(),
            1 => rng.below(5) as f64,
            2 => a_fac[i] * b_fac[j] + 1e-6 * rng.uniform(),
            _ => {
                let same = i % 9 == j % 9;
                (if same { 0.3 } else { 1.0 }) + 0.2 * rng.normal()
            }
        });
        let path = MassPath::solve(c.view(), 1.0).unwrap();
        let a = vec![1.0 / nx as f64; nx];
        let b = vec![1.0 / ny as f64; ny];
        let grid = [0.1, 0.35, 0.6, 0.85, 1.0];
        let zeta = path.evaluate(c.view(), &grid).unwrap();
        let scale = c.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        for (&s, &z) in grid.iter().zip(&zeta) {
            let sol = partial(c.view(), &a, &b, s, TransportOptions::default()).unwrap();
            assert!(
                (sol.cost - z).abs() <= 1e-9 * scale,
                "trial {trial} ({nx}x{ny}) s={s}: path {z} vs simplex {}",
                sol.cost
            );
        }
    }
}

/// A problem and its transpose (the pair's populations in either order) are solved on the same
/// costs, the longer side as rows from twice the shorter on and the shorter side below, and
/// the one solved transposed turned back: the same bits as the other's path read the other
/// way (breakpoints, the transposed plans, the unit masses swapped), and every column enters
/// and fills where its column of the plans says.
#[test]
fn both_orders_of_a_pair_get_the_same_path() {
    let mut rng = Rng::new(31);
    let shapes = [
        (5, 10),
        (7, 40),
        (30, 61),
        (64, 300),
        (12, 150),
        (40, 30),
        (30, 40),
        (61, 45),
        (100, 199),
        (199, 100),
        (150, 12),
        (3, 3),
    ];
    for (trial, &(nx, ny)) in shapes.iter().enumerate() {
        let turned = |(a, b)| parsm_core::path::solves_transposed(a, b);
        if nx == ny {
            assert!(!turned((nx, ny)), "square problems are solved as given");
        } else {
            assert_ne!(
                turned((nx, ny)),
                turned((ny, nx)),
                "one order is turned: {nx} x {ny}"
            );
        }
        let c = random_costs(&mut rng, nx, ny, trial % 3);
        let ct = c.t().as_standard_layout().into_owned();
        let wide = MassPath::solve(c.view(), 1.0).unwrap();
        let tall = MassPath::solve(ct.view(), 1.0).unwrap();
        assert_eq!(wide.shape(), (nx, ny));
        assert_eq!(wide.breakpoints(), tall.breakpoints(), "{nx} x {ny}");
        assert_eq!(wide.row_entry(), tall.col_entry());
        assert_eq!(wide.row_full(), tall.col_full());
        assert_eq!(wide.col_entry(), tall.row_entry());
        assert_eq!(wide.col_full(), tall.row_full());
        for k in 0..=10 {
            let s = k as f64 / 10.0;
            assert_eq!(wide.plan_at(s).unwrap(), tall.plan_at(s).unwrap().t());
            let (rows, cols) = wide.masses_at(s).unwrap();
            assert_eq!((cols, rows), tall.masses_at(s).unwrap());
        }
        for j in 0..ny {
            let (e, f) = (wide.col_entry()[j], wide.col_full()[j]);
            assert!(e <= f && f <= 1.0);
            assert!(wide.plan_at(e).unwrap().column(j).sum() < 1e-15);
            let full = wide.plan_at(f).unwrap().column(j).sum();
            assert!(
                (full - 1.0 / ny as f64).abs() < 1e-12,
                "column {j} of {nx} x {ny}"
            );
        }
    }
}
