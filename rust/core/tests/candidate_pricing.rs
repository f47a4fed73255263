//! The network simplex's candidate-arc pricing (large problems) against its dense block
//! pricing, and its answers against their own dual certificates.

mod common;

use common::Rng;
use parsm_core::simplex::{solve, SimplexOptions, TransportProblem};
use parsm_core::{SolveStatus, TransportSolution};

/// Costs of one of several kinds: uniform, integer ties, negative, rank one plus noise, and
/// correlation-like clusters.
fn costs(rng: &mut Rng, nx: usize, ny: usize, kind: usize) -> Vec<f64> {
    let a: Vec<f64> = (0..nx).map(|_| rng.uniform()).collect();
    let b: Vec<f64> = (0..ny).map(|_| rng.uniform()).collect();
    let mut c = Vec::with_capacity(nx * ny);
    for (i, &ai) in a.iter().enumerate() {
        for (j, &bj) in b.iter().enumerate() {
            c.push(match kind {
                0 => rng.uniform(),
                1 => rng.below(10) as f64,
                2 => -3.0 - 2.0 * rng.uniform(),
                3 => ai * bj + 1e-3 * rng.uniform(),
                _ => {
                    let same = i % 7 == j % 7;
                    (if same { 0.2 } else { 1.0 }) + 0.3 * rng.normal()
                }
            });
        }
    }
    c
}

/// Row supplies and column demands: uniform (the soft-matching case) or random, with
/// `dummies` dummy points on each side absorbing `1 - s` of the mass (partial transport).
fn marginals(rng: &mut Rng, nx: usize, ny: usize, dummies: usize) -> (Vec<f64>, Vec<f64>) {
    let uniform = rng.below(2) == 0;
    let mut draw = |n: usize| -> Vec<f64> {
        let w: Vec<f64> = (0..n)
            .map(|_| if uniform { 1.0 } else { 0.2 + rng.uniform() })
            .collect();
        let total: f64 = w.iter().sum();
        w.iter().map(|v| v / total).collect()
    };
    let (mut a, mut b) = (draw(nx), draw(ny));
    if dummies > 0 {
        // Mass s = 0.5 matched: dummy columns take the other half of the rows' mass, and
        // dummy rows send the other half of the columns'.
        let s = 0.5;
        a.extend(std::iter::repeat_n((1.0 - s) / dummies as f64, dummies));
        b.extend(std::iter::repeat_n((1.0 - s) / dummies as f64, dummies));
    }
    (a, b)
}

/// Checks `u_i + v_j <= C_ij` on every arc (0 for arcs to or from a dummy) and equality on the
/// arcs that carry flow, relative to the costs' magnitude.
fn assert_certified(p: &TransportProblem<'_>, sol: &TransportSolution) {
    let scale = p.cost.iter().fold(1.0f64, |m, c| m.max(c.abs()));
    let tol = 1e-9 * scale;
    let (n1, n2) = (p.supply.len(), p.demand.len());
    for i in 0..n1 {
        for j in 0..n2 {
            let c = match (i < p.nx, j < p.ny) {
                (true, true) => p.cost[i * p.ny + j],
                (false, false) => continue,
                _ => 0.0,
            };
            let slack = c - sol.u[i] - sol.v[j];
            assert!(slack >= -tol, "arc ({i}, {j}) prices out by {slack:e}");
            if i < p.nx && j < p.ny && sol.plan[[i, j]] > 1e-15 {
                assert!(slack <= tol, "flow on arc ({i}, {j}) with slack {slack:e}");
            }
        }
    }
}

/// The problem solved with candidate pricing and with every arc priced.
fn both_ways(p: &TransportProblem<'_>) -> (TransportSolution, TransportSolution) {
    let listed = solve(p, SimplexOptions::default()).unwrap();
    let dense = SimplexOptions {
        dense_pricing: true,
        ..Default::default()
    };
    (listed, solve(p, dense).unwrap())
}

#[test]
fn candidate_pricing_reaches_the_dense_optimum() {
    let mut rng = Rng::new(7);
    let shapes = [(220, 230), (150, 420), (400, 140), (260, 260)];
    let mut listed_pivots = 0u64;
    let mut dense_pivots = 0u64;
    for (t, &(nx, ny)) in shapes.iter().cycle().take(20).enumerate() {
        let kind = t % 5;
        let dummies = [0, 0, 1, 8][t % 4]; // with dummies both price every arc
        let c = costs(&mut rng, nx, ny, kind);
        let (supply, demand) = marginals(&mut rng, nx, ny, dummies);
        let p = TransportProblem {
            cost: &c,
            nx,
            ny,
            supply,
            demand,
        };
        let (listed, dense) = both_ways(&p);
        assert_eq!(listed.status, SolveStatus::Optimal, "trial {t}");
        assert_eq!(dense.status, SolveStatus::Optimal, "trial {t}");
        let scale = c.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        assert!(
            (listed.cost - dense.cost).abs() <= 1e-12 * scale,
            "trial {t} ({nx} x {ny}, kind {kind}, {dummies} dummies): {} != {}",
            listed.cost,
            dense.cost
        );
        assert_certified(&p, &listed);
        listed_pivots += listed.iterations;
        dense_pivots += dense.iterations;
    }
    // The lists are in use (a different pivot sequence), not silently switched off.
    assert_ne!(listed_pivots, dense_pivots);
}

#[test]
fn candidate_pricing_respects_forbidden_arcs() {
    // NaN marks a forbidden arc: none may carry flow, and the optimum equals the dense one.
    let mut rng = Rng::new(11);
    for t in 0..4 {
        let (nx, ny) = (200 + 10 * t, 240);
        let mut c = costs(&mut rng, nx, ny, t);
        for i in 0..nx {
            for j in 0..ny {
                // Keep a band of allowed arcs so that the marginals stay feasible.
                let band = (i * ny / nx).abs_diff(j) < 12;
                if !band && rng.below(3) == 0 {
                    c[i * ny + j] = f64::NAN;
                }
            }
        }
        let (supply, demand) = (vec![1.0 / nx as f64; nx], vec![1.0 / ny as f64; ny]);
        let p = TransportProblem {
            cost: &c,
            nx,
            ny,
            supply,
            demand,
        };
        let (listed, dense) = both_ways(&p);
        assert_eq!(listed.status, SolveStatus::Optimal);
        assert!((listed.cost - dense.cost).abs() <= 1e-12 * (1.0 + dense.cost.abs()));
        for ((i, j), &f) in listed.plan.indexed_iter() {
            assert!(
                f == 0.0 || !c[i * ny + j].is_nan(),
                "flow on forbidden ({i}, {j})"
            );
        }
    }
}
