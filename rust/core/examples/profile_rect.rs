//! The mass path on a dumped rectangular cost matrix: `profile_rect PATH NX NY`.
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
    let t = std::time::Instant::now();
    let p = parsm_core::MassPath::solve(c.view(), 1.0).unwrap();
    let z = p.evaluate(c.view(), &[0.5, 1.0]).unwrap();
    println!(
        "augmentations {} time {:.3} zeta {:?}",
        p.n_augmentations(),
        t.elapsed().as_secs_f64(),
        z
    );
}
