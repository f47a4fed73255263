//! Test helpers: a tiny deterministic RNG and brute-force reference solvers.
#![allow(dead_code)]

/// xorshift64*: deterministic pseudo-random numbers without a dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    /// Roughly standard normal (sum of 12 uniforms).
    pub fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.uniform()).sum::<f64>() - 6.0
    }
}

/// Solves `A x = b` (square) by Gaussian elimination with partial pivoting; `None` if singular.
fn solve_square(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let p = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[p][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, p);
        b.swap(col, p);
        let (top, rest) = a.split_at_mut(col + 1);
        let pivot_row = &top[col];
        for (r, row) in rest.iter_mut().enumerate() {
            let f = row[col] / pivot_row[col];
            for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            b[col + 1 + r] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|k| a[r][k] * x[k]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    Some(x)
}

/// Every `k`-subset of `0..n`, in lexicographic order.
fn subsets(n: usize, k: usize, f: &mut impl FnMut(&[usize])) {
    fn rec(start: usize, n: usize, k: usize, cur: &mut Vec<usize>, f: &mut impl FnMut(&[usize])) {
        if cur.len() == k {
            f(cur);
            return;
        }
        for i in start..n {
            cur.push(i);
            rec(i + 1, n, k, cur, f);
            cur.pop();
        }
    }
    rec(0, n, k, &mut Vec::new(), f);
}

/// The optimal value of the partial transport LP, by enumerating every basic solution of
/// `T 1 + s_r = a`, `T' 1 + s_c = b`, `sum T = m`, `T, s_r, s_c >= 0`. Only for tiny sizes.
pub fn brute_force_partial(c: &[f64], nx: usize, ny: usize, a: &[f64], b: &[f64], m: f64) -> f64 {
    let nvar = nx * ny + nx + ny;
    let ncon = nx + ny + 1;
    let column = |v: usize| -> Vec<f64> {
        let mut col = vec![0.0; ncon];
        if v < nx * ny {
            let (i, j) = (v / ny, v % ny);
            col[i] = 1.0;
            col[nx + j] = 1.0;
            col[nx + ny] = 1.0;
        } else if v < nx * ny + nx {
            col[v - nx * ny] = 1.0;
        } else {
            col[nx + (v - nx * ny - nx)] = 1.0;
        }
        col
    };
    let mut rhs: Vec<f64> = a.to_vec();
    rhs.extend_from_slice(b);
    rhs.push(m);
    let mut best = f64::INFINITY;
    subsets(nvar, ncon, &mut |basis| {
        let cols: Vec<Vec<f64>> = basis.iter().map(|&v| column(v)).collect();
        let mat: Vec<Vec<f64>> = (0..ncon)
            .map(|r| cols.iter().map(|c| c[r]).collect())
            .collect();
        if let Some(x) = solve_square(mat, rhs.clone()) {
            if x.iter().all(|&v| v >= -1e-12) {
                let obj: f64 = basis
                    .iter()
                    .zip(&x)
                    .filter(|(&v, _)| v < nx * ny)
                    .map(|(&v, &xv)| c[v] * xv)
                    .sum();
                best = best.min(obj);
            }
        }
    });
    best
}

/// The optimal balanced cost with uniform weights on a square matrix: min over permutations / n.
pub fn brute_force_assignment(c: &[f64], n: usize) -> f64 {
    fn rec(c: &[f64], n: usize, row: usize, used: &mut Vec<bool>, acc: f64, best: &mut f64) {
        if row == n {
            *best = best.min(acc);
            return;
        }
        for j in 0..n {
            if !used[j] {
                used[j] = true;
                rec(c, n, row + 1, used, acc + c[row * n + j], best);
                used[j] = false;
            }
        }
    }
    let mut best = f64::INFINITY;
    rec(c, n, 0, &mut vec![false; n], 0.0, &mut best);
    best / n as f64
}
