"""parsm against POT on the same inputs, in one process, printed as time ratios.

    python benches/bench_vs_pot.py                 # n = 500, 1000, 2000, 4000
    python benches/bench_vs_pot.py --sizes 500 1000 --repeat 3

Inputs: 200 stimuli, Nx = Ny = n units drawn with the paper's recipe (shared orthonormal
latent basis, sparse per-unit weights) plus a little noise. Both libraries get the very same
cost matrix. POT runs with ``numItermax`` raised so that its answer is optimal, and every row
checks that the two optimal costs agree.

Rows:
- ``cost (correlation)``: ``parsm.cost_matrix(X, Y)`` vs ``ot.dist(X.T, Y.T, "correlation")``;
- ``cost (sqeuclidean)``: the same with the squared Euclidean metric;
- ``emd``: ``parsm.ot.emd`` vs ``ot.emd`` (balanced, uniform weights);
- ``partial s=0.5``: ``parsm.partial_soft_match(X, Y, 0.5)`` (its own cost matrix included)
  vs ``ot.partial.partial_wasserstein(a, b, C, m=0.5)`` on the precomputed matrix.

Peak memory is the growth of the process's peak resident set during the call, measured in a
fresh child process per call so that one call's peak does not hide another's.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time
from typing import Callable

import numpy as np
import ot

import parsm

N_STIMULI = 200
BIG = 10**9  # numItermax for POT: enough to reach the optimum


def population(rng: np.random.Generator, n: int, basis: np.ndarray) -> np.ndarray:
    k = basis.shape[1]
    mask = rng.uniform(size=(k, n)) > 0.9
    return basis @ (mask * rng.standard_normal((k, n))) + 0.1 * rng.standard_normal(
        (basis.shape[0], n)
    )


def inputs(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((N_STIMULI, 50)))
    X = population(rng, n, basis)
    Y = population(rng, n, basis)
    return X, Y, parsm.cost_matrix(X, Y)


def calls(n: int) -> dict[str, tuple[Callable[..., float], Callable[..., float]]]:
    """For each row: (parsm call, POT call), each taking (X, Y, C) and returning a value to
    cross-check."""
    w = np.full(n, 1.0 / n)
    return {
        "cost (correlation)": (
            lambda X, Y, C: float(parsm.cost_matrix(X, Y)[0, 0]),
            lambda X, Y, C: float(ot.dist(X.T, Y.T, metric="correlation")[0, 0]),
        ),
        "cost (sqeuclidean)": (
            lambda X, Y, C: float(parsm.cost_matrix(X, Y, "sqeuclidean")[0, 0]),
            lambda X, Y, C: float(ot.dist(X.T, Y.T)[0, 0]),
        ),
        "emd": (
            lambda X, Y, C: float(np.sum(parsm.ot.emd(w, w, C) * C)),
            lambda X, Y, C: float(np.sum(ot.emd(w, w, C, numItermax=BIG) * C)),
        ),
        "partial s=0.5": (
            lambda X, Y, C: parsm.partial_soft_match(X, Y, 0.5).cost,
            lambda X, Y, C: float(
                np.sum(ot.partial.partial_wasserstein(w, w, C, m=0.5, numItermax=BIG) * C)
            ),
        ),
    }


def _measure(n: int, row: str, side: int, repeat: int, queue: mp.Queue) -> None:
    X, Y, C = inputs(n)
    fn = calls(n)[row][side]
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    best = float("inf")
    value = float("nan")
    spent = 0.0
    for _ in range(repeat):  # best of `repeat` runs, stopping early once 2 s are spent
        t = time.perf_counter()
        value = fn(X, Y, C)
        elapsed = time.perf_counter() - t
        best = min(best, elapsed)
        spent += elapsed
        if spent > 2.0:
            break
    peak_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024.0
    queue.put((best, value, peak_mb))


def measure(n: int, row: str, side: int, repeat: int) -> tuple[float, float, float]:
    ctx = mp.get_context("fork")
    q: mp.Queue = ctx.Queue()
    p = ctx.Process(target=_measure, args=(n, row, side, repeat, q))
    p.start()
    out = q.get()
    p.join()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 2000, 4000])
    ap.add_argument(
        "--repeat", type=int, default=5, help="best of this many runs (fewer once 2 s are spent)"
    )
    args = ap.parse_args()

    print(f"parsm {parsm.__version__} vs POT {ot.__version__}; {N_STIMULI} stimuli, Nx = Ny = n")
    header = (
        f"{'n':>5}  {'call':<19} {'parsm s':>9} {'POT s':>9} {'speed-up':>9}"
        f" {'parsm MB':>9} {'POT MB':>8}  agree"
    )
    print(header)
    print("-" * len(header))
    for n in args.sizes:
        for row in calls(n):
            t_p, v_p, m_p = measure(n, row, 0, args.repeat)
            t_o, v_o, m_o = measure(n, row, 1, args.repeat)
            agree = abs(v_p - v_o) <= 1e-9 * max(1.0, abs(v_o))
            print(
                f"{n:>5}  {row:<19} {t_p:>9.4f} {t_o:>9.4f} {t_o / t_p:>8.1f}x"
                f" {m_p:>9.0f} {m_o:>8.0f}  {'yes' if agree else f'NO ({v_p} vs {v_o})'}",
                flush=True,
            )


if __name__ == "__main__":
    main()
