"""The mass path, the L-curve and the brute-force ranking against POT, as time ratios.

    python benches/bench_path.py                    # the three rows below, default sizes
    python benches/bench_path.py --lcurve-n 500 --path-n 1000 --brute-n 200

Rows (same inputs as ``bench_vs_pot.py``: 200 stimuli, the paper's recipe, Nx = Ny = n):

- ``lcurve 200 pts``: ``parsm.lcurve(X, Y, 200)`` (cost matrix, one path solve, evaluation on
  the grid and the elbow) against a loop of ``ot.partial.partial_wasserstein`` over the same
  200 masses on the precomputed cost matrix. Every 10th POT cost is checked against parsm's.
- ``full path``: one ``MassPath`` solve up to s = 1 against one POT ``partial_wasserstein`` at
  s = 0.5 on the same matrix (the issue's budget: the whole path in at most 2x that time).
- ``bruteforce ranking``: ``parsm.rank_units(..., method="bruteforce")`` (every unit removed and
  soft matching re-solved, in parallel, plus the path) against a Python loop of ``ot.emd2``
  over the same removals. All the deltas are checked equal. Square problems take one Dijkstra
  per removal; the second row (n x (n + 50)) shows the rectangular case, one simplex each.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import ot
from bench_vs_pot import BIG, inputs

import parsm
from parsm import _core


def timed(f):
    t0 = time.perf_counter()
    out = f()
    return time.perf_counter() - t0, out


def row(name: str, t_parsm: float, t_pot: float) -> None:
    print(f"{name:<22} parsm {t_parsm:9.3f} s   POT {t_pot:9.3f} s   ratio {t_pot / t_parsm:7.1f}x")


def bench_lcurve(n: int) -> None:
    X, Y, C = inputs(n)
    w = np.full(n, 1.0 / n)
    t_parsm, lc = timed(lambda: parsm.lcurve(X, Y, 200, progress=False))

    def pot_loop():
        return [
            float(np.sum(ot.partial.partial_wasserstein(w, w, C, m=s, numItermax=BIG) * C))
            for s in lc.s
        ]

    t_pot, costs = timed(pot_loop)
    np.testing.assert_allclose(costs[::10], lc.cost[::10], rtol=1e-9, atol=1e-12)
    row(f"lcurve 200 pts n={n}", t_parsm, t_pot)


def bench_full_path(n: int) -> None:
    _X, _Y, C = inputs(n)
    w = np.full(n, 1.0 / n)
    t_parsm, path = timed(lambda: _core.MassPath(C, 1.0))
    t_pot, plan = timed(lambda: ot.partial.partial_wasserstein(w, w, C, m=0.5, numItermax=BIG))
    pot_cost = float(np.sum(plan * C))
    assert abs(path.evaluate(C, np.array([0.5]))[0] - pot_cost) <= 1e-9 * abs(pot_cost)
    row(f"full path n={n}", t_parsm, t_pot)
    print(f"{'':<22} the whole path costs {t_parsm / t_pot:.2f}x one POT solve at s = 0.5")


def bench_bruteforce(n: int, ny: int | None = None) -> None:
    X, Y, C = inputs(max(n, ny or n))
    X, Y, C = X[:, :n], Y[:, : ny or n], np.ascontiguousarray(C[:n, : ny or n])

    def sm(c):
        r, k = c.shape
        return ot.emd2(np.full(r, 1.0 / r), np.full(k, 1.0 / k), c, numItermax=BIG)

    def pot_loop():
        full = sm(C)
        dx = [full - sm(np.delete(C, i, axis=0)) for i in range(n)]
        dy = [full - sm(np.delete(C, j, axis=1)) for j in range(C.shape[1])]
        return np.array(dx), np.array(dy)

    t_parsm, r = timed(lambda: parsm.rank_units(X, Y, 1.0, method="bruteforce"))
    t_pot, (dx, dy) = timed(pot_loop)
    np.testing.assert_allclose(r.values_x, dx, atol=1e-12)
    np.testing.assert_allclose(r.values_y, dy, atol=1e-12)
    row(f"bruteforce rank {n}x{C.shape[1]}", t_parsm, t_pot)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lcurve-n", type=int, default=1000)
    parser.add_argument("--path-n", type=int, default=2000)
    parser.add_argument("--brute-n", type=int, default=300)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, parsm {parsm.__version__}, POT {ot.__version__}")
    bench_lcurve(args.lcurve_n)
    bench_full_path(args.path_n)
    bench_bruteforce(args.brute_n)
    bench_bruteforce(args.brute_n, args.brute_n + 50)  # rectangular: a simplex per removal


if __name__ == "__main__":
    main()
