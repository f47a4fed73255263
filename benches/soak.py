"""Soak test: many random large problems, each checked against an independent optimum.

    python benches/soak.py                  # 50 problems, n from 2,000 to 12,000
    python benches/soak.py --count 10 --max-n 5000 --seed 1

Every problem draws Nx and Ny (log-uniform in [--min-n, --max-n], Ny within 0.6-1.4 x Nx; every
fifth one square), a mass s in (0, 1] (every fifth one s = 1), a metric (all four in turn) and
a kind of data (planted copies, independent noise, von Mises tuning, sparse non-negative
responses, shared latent signals (costs of low effective rank), units recorded several times
(exactly tied costs)), on 200 stimuli. It is solved by the network simplex (``_core.partial``, what
``parsm.ot.partial`` runs) and checked against the mass path (a different algorithm,
successive shortest paths; what ``parsm.partial_soft_match`` runs)
at the same s, plus ``scipy.optimize.linear_sum_assignment`` when square at s = 1. Each solver
certifies its own answer first; any solver error, infeasible plan or disagreement beyond
1e-9 (relative) is printed as FAIL and the script exits with status 1.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import scipy.optimize

import parsm
from parsm import _core

METRICS = ("correlation", "cosine", "sqeuclidean", "euclidean")
KINDS = ("planted", "noise", "vonmises", "sparse", "structured", "duplicated")
M = 200


def responses(rng: np.random.Generator, kind: str, nx: int, ny: int):
    if kind == "vonmises":
        theta = np.linspace(0, 2 * np.pi, M, endpoint=False)[:, None]

        def pop(n: int) -> np.ndarray:
            mu = rng.uniform(0, 2 * np.pi, n)
            kappa = rng.uniform(0.5, 4.0, n)
            return np.exp(kappa * np.cos(theta - mu)) + 0.1 * rng.standard_normal((M, n))

        return pop(nx), pop(ny)
    if kind == "duplicated":
        # Units recorded twice or more (exactly tied costs): each distinct unit 1-40 times.
        def copies(n: int) -> np.ndarray:
            distinct = rng.standard_normal((M, max(1, n // 20)))
            return distinct[:, rng.integers(0, distinct.shape[1], n)]

        return copies(nx), copies(ny)
    X = rng.standard_normal((M, nx))
    Y = rng.standard_normal((M, ny))
    if kind == "structured":
        # Shared latent signals with a decaying spectrum: costs of low effective rank.
        signals = rng.standard_normal((M, 10)) * np.exp(-np.arange(10) / 2)
        X += signals @ rng.standard_normal((10, nx))
        Y += signals @ rng.standard_normal((10, ny))
    if kind == "sparse":
        X, Y = np.maximum(X - 1.0, 0.0) + 1e-3, np.maximum(Y - 1.0, 0.0) + 1e-3
        X[rng.integers(0, M, nx), np.arange(nx)] += 1.0  # no constant unit
        Y[rng.integers(0, M, ny), np.arange(ny)] += 1.0
    if kind == "planted":
        k = int(rng.uniform(0.2, 0.8) * min(nx, ny))
        Y[:, :k] = X[:, rng.permutation(nx)[:k]] + 0.7 * rng.standard_normal((M, k))
    return X, Y


def feasible(plan: np.ndarray, s: float) -> bool:
    nx, ny = plan.shape
    return bool(
        plan.min() >= 0
        and plan.sum(axis=1).max() <= (1 + 1e-9) / nx
        and plan.sum(axis=0).max() <= (1 + 1e-9) / ny
        and abs(plan.sum() - s) <= 1e-9
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--min-n", type=int, default=2000)
    ap.add_argument("--max-n", type=int, default=12000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    print(
        f"{'#':>3} {'Nx':>6} {'Ny':>6} {'s':>6} {'metric':<12} {'data':<9} "
        f"{'simplex s':>9} {'path s':>8} {'|diff|':>9}  result"
    )
    failures = 0
    t_all = time.perf_counter()
    for k in range(args.count):
        nx = int(np.exp(rng.uniform(np.log(args.min_n), np.log(args.max_n))))
        ny = nx if k % 5 == 0 else int(np.clip(nx * rng.uniform(0.6, 1.4), 2, None))
        s = 1.0 if k % 5 == 0 else float(np.round(rng.uniform(0.02, 1.0), 4))
        metric, kind = METRICS[k % 4], KINDS[(k // 4) % len(KINDS)]
        X, Y = responses(rng, kind, nx, ny)
        status, diff, t_simplex, t_path = "ok", float("nan"), float("nan"), float("nan")
        try:
            c = parsm.cost_matrix(X, Y, metric)
            t = time.perf_counter()
            a, b = np.full(nx, 1.0 / nx), np.full(ny, 1.0 / ny)
            sol = _core.partial(c, a, b, s)
            plan, cost, solved = sol.plan, sol.cost, sol.status
            match = parsm.PartialMatch.from_plan(s, metric, plan, cost)
            if solved != "optimal":
                raise RuntimeError(f"simplex status {solved}")
            t_simplex = time.perf_counter() - t
            t = time.perf_counter()
            ref = _core.MassPath(c, s).evaluate(c, np.array([s]))[0]
            t_path = time.perf_counter() - t
            refs = [ref]
            if nx == ny and s == 1.0:
                r, col = scipy.optimize.linear_sum_assignment(c)
                refs.append(float(c[r, col].sum() / nx))
            diff = max(abs(match.cost - v) for v in refs)
            if not feasible(match.plan, s):
                status = "FAIL (infeasible plan)"
            elif diff > 1e-9 * max(1.0, abs(ref)):
                status = f"FAIL (optima differ: {match.cost!r} vs {refs!r})"
        except Exception as exc:  # a solver failure is what this script looks for
            status = f"FAIL ({type(exc).__name__}: {exc})"
        failures += status != "ok"
        print(
            f"{k:>3} {nx:>6} {ny:>6} {s:>6.4f} {metric:<12} {kind:<9} "
            f"{t_simplex:>9.2f} {t_path:>8.2f} {diff:>9.1e}  {status}",
            flush=True,
        )
    print(
        f"{args.count - failures}/{args.count} problems agree ({time.perf_counter() - t_all:.0f} s)"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
