//! Times the cost matrix at one size, for profiling: `profile_cost N [metric]`.
use ndarray::Array2;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args[1].parse().unwrap();
    let metric: parsm_core::Metric = args
        .get(2)
        .map(|s| s.as_str())
        .unwrap_or("sqeuclidean")
        .parse()
        .unwrap();
    let x = Array2::from_shape_fn((200, n), |(i, j)| {
        ((i * 7 + j * 13) % 101) as f64 + (j as f64).sin()
    });
    let y = Array2::from_shape_fn((200, n), |(i, j)| {
        ((i * 5 + j * 11) % 97) as f64 + (i as f64).cos()
    });
    for _ in 0..5 {
        let t = std::time::Instant::now();
        let c = parsm_core::cost_matrix(x.view(), y.view(), metric).unwrap();
        println!("{:.4} s ({})", t.elapsed().as_secs_f64(), c[[1, 2]]);
    }
}
