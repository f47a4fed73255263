//! Balanced rectangular transport (soft matching) on a dumped cost matrix, best of 20 solves:
//! `profile_soft PATH NX NY`.
use ndarray::Array2;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (nx, ny): (usize, usize) = (a[2].parse().unwrap(), a[3].parse().unwrap());
    let v: Vec<f64> = std::fs::read(&a[1])
        .unwrap()
        .chunks(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    let c = Array2::from_shape_vec((nx, ny), v).unwrap();
    let (wa, wb) = (vec![1.0 / nx as f64; nx], vec![1.0 / ny as f64; ny]);
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..20 {
        let t = std::time::Instant::now();
        let s = parsm_core::emd(c.view(), &wa, &wb, Default::default()).unwrap();
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(s);
    }
    let s = last.unwrap();
    println!(
        "{nx}x{ny} cost {:.15} pivots {} time {:.2} ms",
        s.cost,
        s.iterations,
        best * 1e3
    );
}
