//! `MassPath::project` and `MassPath::inner` against dense plans: `Lᵀ T(s) R` and
//! `⟨T(s), L Rᵀ⟩` computed from `plan_at(s)`.

mod common;

use common::Rng;
use ndarray::Array2;
use parsm_core::{MassPath, ParsmError};

#[test]
fn projection_equals_dense_plan_products() {
    let mut rng = Rng::new(7);
    for trial in 0..60 {
        let nx = 1 + rng.below(20);
        let ny = 1 + rng.below(20);
        let (p, q) = (1 + rng.below(5), 1 + rng.below(5));
        let c = Array2::from_shape_fn((nx, ny), |_| {
            if trial % 2 == 0 {
                rng.uniform()
            } else {
                rng.below(3) as f64
            }
        });
        let left = Array2::from_shape_fn((nx, p), |_| rng.normal());
        let right = Array2::from_shape_fn((ny, q), |_| rng.normal());
        let right_p = Array2::from_shape_fn((ny, p), |_| rng.normal());
        let path = MassPath::solve(c.view(), 1.0).unwrap();
        // Unsorted, with repeats and both ends.
        let grid: Vec<f64> = (0..7)
            .map(|_| rng.uniform())
            .chain([1.0, 0.0, 0.5, 0.5])
            .collect();
        assert_projects_as_dense_plans(&path, &left, &right, &grid, &format!("trial {trial}"));
        let inner = path.inner(left.view(), right_p.view(), &grid).unwrap();
        for (g, &s) in grid.iter().enumerate() {
            let plan = path.plan_at(s).unwrap();
            let want: f64 = (&plan * &left.dot(&right_p.t())).sum();
            assert!((inner[g] - want).abs() < 1e-12, "trial {trial} s={s}");
        }
    }
}

#[test]
fn projection_checks_shapes_values_and_masses() {
    let c = Array2::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as f64 / 12.0);
    let path = MassPath::solve(c.view(), 0.5).unwrap();
    let (l, r) = (Array2::<f64>::zeros((3, 2)), Array2::<f64>::zeros((4, 2)));
    let bad_rows = Array2::<f64>::zeros((4, 2));
    assert!(matches!(
        path.project(bad_rows.view(), r.view(), &[0.1]),
        Err(ParsmError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        path.inner(l.view(), Array2::<f64>::zeros((4, 3)).view(), &[0.1]),
        Err(ParsmError::ShapeMismatch { .. })
    ));
    let mut nan = l.clone();
    nan[[0, 0]] = f64::NAN;
    assert!(matches!(
        path.project(nan.view(), r.view(), &[0.1]),
        Err(ParsmError::NonFinite { .. })
    ));
    assert!(matches!(
        path.project(l.view(), r.view(), &[0.9]),
        Err(ParsmError::MassTooLarge { .. })
    ));
}

/// A long path between two grid points projects as the dense plans do: from 0.05 to 1 it has
/// about 7,600 path columns, so its terms are added in more than one product (4,096 at most).
#[test]
fn projection_of_a_long_path_on_a_sparse_grid_equals_dense_plan_products() {
    let mut rng = Rng::new(11);
    let (nx, ny, p, q) = (600, 650, 3, 4);
    let c = Array2::from_shape_fn((nx, ny), |_| rng.uniform());
    let left = Array2::from_shape_fn((nx, p), |_| rng.normal());
    let right = Array2::from_shape_fn((ny, q), |_| rng.normal());
    let path = MassPath::solve(c.view(), 1.0).unwrap();
    assert_projects_as_dense_plans(&path, &left, &right, &[1.0, 0.05], "long path");
}

/// `path.project(left, right, grid)` equals `Lᵀ T(s) R` of the dense plans, within 1e-12.
fn assert_projects_as_dense_plans(
    path: &MassPath,
    left: &Array2<f64>,
    right: &Array2<f64>,
    grid: &[f64],
    what: &str,
) {
    let proj = path.project(left.view(), right.view(), grid).unwrap();
    for (g, &s) in grid.iter().enumerate() {
        let dense = left.t().dot(&path.plan_at(s).unwrap()).dot(right);
        for ((a, b), &want) in dense.indexed_iter() {
            let got = proj[[g, a, b]];
            assert!((got - want).abs() < 1e-12, "{what} s={s}: {got} vs {want}");
        }
    }
}
