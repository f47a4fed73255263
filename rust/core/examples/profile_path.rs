//! Builds the whole mass path on a dumped cost matrix, for profiling:
//! `profile_path PATH N [f32]` (PATH holds N*N little-endian f64).
use ndarray::Array2;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args[2].parse().unwrap();
    let bytes = std::fs::read(&args[1]).unwrap();
    let v: Vec<f64> = bytes
        .chunks(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    let c = Array2::from_shape_vec((n, n), v).unwrap();
    let t = std::time::Instant::now();
    let (path, z) = if args.get(3).is_some_and(|a| a == "f32") {
        let c32 = c.mapv(|x| x as f32);
        let path = parsm_core::MassPath::solve(c32.view(), 1.0).unwrap();
        let z = path.evaluate(c32.view(), &[0.5, 1.0]).unwrap();
        (path, z)
    } else {
        let path = parsm_core::MassPath::solve(c.view(), 1.0).unwrap();
        let z = path.evaluate(c.view(), &[0.5, 1.0]).unwrap();
        (path, z)
    };
    println!(
        "augmentations {} time {:.3} zeta(0.5) {:.15} zeta(1) {:.15}",
        path.n_augmentations(),
        t.elapsed().as_secs_f64(),
        z[0],
        z[1]
    );
}
