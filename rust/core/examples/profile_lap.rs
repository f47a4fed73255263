//! Solves the assignment problem on a dumped square cost matrix, for profiling:
//! `profile_lap PATH N` (PATH holds N*N little-endian f64).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args[2].parse().unwrap();
    let bytes = std::fs::read(&args[1]).unwrap();
    let c: Vec<f64> = bytes
        .chunks(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    let t = std::time::Instant::now();
    let a = parsm_core::assignment::solve_assignment(&c, n, &parsm_core::Monitor::new()).unwrap();
    println!(
        "time {:.3} cost {:.15}",
        t.elapsed().as_secs_f64(),
        a.total_cost / n as f64
    );
}
