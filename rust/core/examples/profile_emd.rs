//! Runs one balanced solve on a dumped cost matrix, for profiling: `profile_emd PATH N [S]`.
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
    let w = vec![1.0 / n as f64; n];
    let t = std::time::Instant::now();
    let sol = match args.get(3) {
        Some(s) => {
            parsm_core::partial(c.view(), &w, &w, s.parse().unwrap(), Default::default()).unwrap()
        }
        None => parsm_core::emd(c.view(), &w, &w, Default::default()).unwrap(),
    };
    println!(
        "cost {:.15} pivots {} time {:.3}",
        sol.cost,
        sol.iterations,
        t.elapsed().as_secs_f64()
    );
}
