//! Timings of the core solvers (no POT here; `benches/` at the repository root compares with POT).
//!
//! `cargo bench -p parsm-core` prints, for Nx = Ny = n, the time of the cost matrix, of a balanced
//! solve and of partial solves at s = 0.5 with several numbers of dummy points; then the whole
//! mass path and the brute-force unit ablation (one Dijkstra per unit, square problems).
//! Then, for `n x (n + n/25)` (rectangular, as most pairs of real populations are), balanced
//! transport by the network simplex with candidate-arc pricing and with every arc priced, and
//! the mass path to s = 0.5 and to 1. Set `PARSM_BENCH_SIZES=500,1000` to choose the sizes.

use std::time::Instant;

use ndarray::Array2;
use parsm_core::ablation::ablation_deltas;
use parsm_core::simplex::{self, SimplexOptions, TransportProblem};
use parsm_core::{cost_matrix, emd, partial, MassPath, Metric, Monitor, TransportOptions};

/// Deterministic pseudo-random tuning curves: a few smooth latent factors plus noise.
fn population(m: usize, n: usize, seed: u64) -> Array2<f64> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let k = 10;
    let factors: Vec<f64> = (0..m * k).map(|_| next()).collect();
    Array2::from_shape_fn((m, n), |(r, c)| {
        let mut v = 0.0;
        for f in 0..k {
            v += factors[r * k + f] * ((c * (f + 3)) as f64 * 0.37).sin();
        }
        v + 0.3 * next()
    })
}

fn time<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed().as_secs_f64())
}

fn main() {
    let sizes: Vec<usize> = std::env::var("PARSM_BENCH_SIZES")
        .unwrap_or_else(|_| "500,1000,2000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    println!(
        "{:>6} {:>10} {:>10} {:>10} {:>12}",
        "n", "cost", "emd", "partial", "dummies"
    );
    for &n in &sizes {
        let x = population(200, n, 1);
        let y = population(200, n, 2);
        let (c, t_cost) = time(|| cost_matrix(x.view(), y.view(), Metric::Correlation).unwrap());
        if std::env::var("PARSM_DUMP").is_ok() {
            dump(&c, &format!("/tmp/cost{n}.bin"));
        }
        let w = vec![1.0 / n as f64; n];
        let (sol, t_emd) = time(|| emd(c.view(), &w, &w, TransportOptions::default()).unwrap());
        let mut reference = None;
        for k in [1usize, 16, 45, 64, 128, 256, 512] {
            let opts = TransportOptions {
                n_dummies: Some(k),
                ..Default::default()
            };
            let (p, t) = time(|| partial(c.view(), &w, &w, 0.5, opts).unwrap());
            let r = *reference.get_or_insert(p.cost);
            println!(
                "{n:>6} {t_cost:>10.4} {t_emd:>10.4} {t:>10.4} {k:>6} (pivots {}, emd pivots {}, cost diff {:.1e})",
                p.iterations,
                sol.iterations,
                (p.cost - r).abs()
            );
        }
        let (path, t_path) = time(|| MassPath::solve(c.view(), 1.0).unwrap());
        let (_, t_ablation) = time(|| ablation_deltas(c.view(), &Monitor::new()).unwrap());
        println!(
            "{n:>6} whole mass path {t_path:.4} s ({} augmentations); ablation of all {} units {t_ablation:.4} s",
            path.n_augmentations(),
            2 * n
        );
    }
    for n in sizes {
        rectangular(n, n + n / 25);
    }
}

/// Balanced transport and the mass path on an `nx x ny` correlation cost.
fn rectangular(nx: usize, ny: usize) {
    let x = population(200, nx, 3);
    let y = population(200, ny, 4);
    let c = cost_matrix(x.view(), y.view(), Metric::Correlation).unwrap();
    let c = c.as_standard_layout();
    let problem = TransportProblem {
        cost: c.as_slice().unwrap(),
        nx,
        ny,
        supply: vec![1.0 / nx as f64; nx],
        demand: vec![1.0 / ny as f64; ny],
    };
    let solve = |dense_pricing| {
        let options = SimplexOptions {
            dense_pricing,
            ..Default::default()
        };
        time(|| simplex::solve(&problem, options).unwrap())
    };
    let (listed, t_listed) = solve(false);
    let (dense, t_dense) = solve(true);
    let (_, t_half) = time(|| MassPath::solve(c.view(), 0.5).unwrap());
    let (path, t_path) = time(|| MassPath::solve(c.view(), 1.0).unwrap());
    println!(
        "{nx} x {ny}: balanced simplex {t_listed:.4} s with candidate arcs ({} pivots), \
         {t_dense:.4} s pricing every arc ({} pivots), cost diff {:.1e}; path to 0.5 \
         {t_half:.4} s, to 1 {t_path:.4} s ({} augmentations)",
        listed.iterations,
        dense.iterations,
        (listed.cost - dense.cost).abs(),
        path.n_augmentations()
    );
}

#[allow(dead_code)]
fn dump(c: &Array2<f64>, path: &str) {
    use std::io::Write;
    let mut f = std::fs::File::create(path).unwrap();
    for v in c.iter() {
        f.write_all(&v.to_le_bytes()).unwrap();
    }
}
