"""How parsm scales from 2,000 to 20,000 units per side, in one process.

    python benches/bench_scale.py                        # n = 2000 4000 6000 10000
    python benches/bench_scale.py --sizes 2000 6000 12000 20000 --dtype float32
    python benches/bench_scale.py --data noise           # no planted correspondence
    python benches/bench_scale.py --data structured --stimuli 50 --sizes 2000 4000
    python benches/bench_scale.py --extra 37               # Ny = n + 37: rectangular

Inputs: 200 stimuli (``--stimuli``), Nx = n, Ny = n + ``--extra`` (0: square; rectangular soft
matching is then the network simplex, with no scipy column). ``--data planted`` (the default)
is the voxel-scale issue's recipe: 60 % of Y's units are noisy copies of X's units (noise 0.7),
the rest independent noise; ``noise`` has no correspondence at all. ``structured`` is closer to
voxels and network channels: every unit of both populations mixes the same 10 latent stimulus
signals (spectrum decaying as exp(-k/2)) with its own weights, plus unit noise of SD 1: costs
of low effective rank. The whole path is slower on them than on white noise, and much slower
when the problem is also rectangular (``--extra``): then ζ has several times more breakpoints
(13,000 instead of 2,000 at 2,000 x 2,001), one shortest-path search each.

For each n it prints the time and the peak resident memory of each step, measured in this
process (the peak is reset before each step through ``/proc/self/clear_refs`` on Linux):

- ``cost``: ``parsm.cost_matrix`` (in ``--dtype``);
- ``soft match``: square soft matching on that matrix (parsm's Jonker-Volgenant solver,
  ``parsm._core.assignment``, which ``soft_match`` and ``parsm.ot.emd`` run before they build
  the dense plan), against ``scipy.optimize.linear_sum_assignment`` on the same matrix, with
  the ratio and a check that both optima agree;
- ``partial``: one exact partial solve at s = 0.5 (the network simplex, as
  ``parsm.partial_soft_match`` runs it), up to ``--partial-max`` units;
- ``path``: the whole mass path to s = 1 (what ``lcurve`` solves), and its ratio to one partial
  solve;
- ``lcurve + rank``: ``parsm.lcurve`` then ``parsm.rank_units`` on X and Y, as a user calls
  them (two cost matrices; the path is solved once and reused), checked: s0 and the share of
  planted units ranked first.

Last, the exponent b of a fit t = a * n^b of each step over the sizes.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any, Callable

import numpy as np
import scipy.optimize

import parsm
from parsm import _core, _path_cache

N_STIMULI = 200


def inputs(
    n: int, data: str, seed: int = 0, stimuli: int = N_STIMULI, extra: int = 0
) -> tuple[np.ndarray, np.ndarray, int]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((stimuli, n))
    Y = rng.standard_normal((stimuli, n + extra))
    k = 0
    if data == "planted":
        k = int(0.6 * n)
        Y[:, :k] = X[:, rng.permutation(n)[:k]] + 0.7 * rng.standard_normal((stimuli, k))
    elif data == "structured":
        signals = rng.standard_normal((stimuli, 10)) * np.exp(-np.arange(10) / 2)
        X += signals @ rng.standard_normal((10, n))
        Y += signals @ rng.standard_normal((10, n + extra))
    return X, Y, k


def reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_gb() -> float:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return float("nan")


def measure(f: Callable[[], Any]) -> tuple[Any, float, float]:
    reset_peak()
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t, peak_gb()


def fit_exponent(ns: list[int], ts: list[float]) -> float:
    pts = [(np.log(n), np.log(t)) for n, t in zip(ns, ts) if t == t and t > 0]
    if len(pts) < 2:
        return float("nan")
    a = np.array(pts)
    return float(np.polyfit(a[:, 0], a[:, 1], 1)[0])


def bench_one(n: int, args: argparse.Namespace) -> dict[str, float]:
    """Every step at one size; the times, peaks and checks of one printed row."""
    nan = float("nan")
    X, Y, k = inputs(n, args.data, stimuli=args.stimuli, extra=args.extra)
    C, t_cost, m_cost = measure(lambda: parsm.cost_matrix(X, Y, dtype=args.dtype))
    c64 = C if C.dtype == np.float64 else C.astype(np.float64)
    wx, wy = np.full(n, 1.0 / n), np.full(n + args.extra, 1.0 / (n + args.extra))
    t_lsa = nan
    if args.extra:
        # Rectangular soft matching: the network simplex (no scipy equivalent).
        soft, t_soft, m_soft = measure(lambda: _core.emd(c64, wx, wy))
        soft_cost = soft.cost
    else:
        # Square soft matching: the assignment solver against scipy's, without a dense plan.
        (_c, soft_total, _u, _v), t_soft, m_soft = measure(lambda: _core.assignment(c64))
        soft_cost = soft_total / n
        if n <= args.scipy_max:
            (r, c), t_lsa, _ = measure(lambda: scipy.optimize.linear_sum_assignment(c64))
            lsa_total = float(c64[r, c].sum())
            assert abs(lsa_total - soft_total) <= 1e-9 * max(1.0, abs(lsa_total))
    t_part = m_part = part_cost = nan
    if n <= args.partial_max:
        part, t_part, m_part = measure(lambda: _core.partial(c64, wx, wy, 0.5))
        assert part.status == "optimal"
        part_cost = part.cost
    path, t_path, m_path = measure(lambda: _core.MassPath(C, 1.0))
    z = path.evaluate(C, np.array([0.5, 1.0]))
    if part_cost == part_cost:
        assert abs(z[0] - part_cost) <= 1e-9, (z[0], part_cost)
    assert abs(z[1] - soft_cost) <= 1e-9 or C.dtype != np.float64
    C = c64 = path = None  # the user step's peak counts only its own arrays
    t_user = m_user = s0 = top = nan
    if not args.skip_user:
        _path_cache.clear()  # a cold start, as a user's first call

        def user() -> tuple[float, float]:
            lc = parsm.lcurve(X, Y, dtype=args.dtype)
            rk = parsm.rank_units(X, Y, dtype=args.dtype)
            hit = float(np.isin(rk.order_y[:k], np.arange(k)).mean()) if k else nan
            return lc.s0, hit

        (s0, top), t_user, m_user = measure(user)
    return {
        "cost": t_cost,
        "m_cost": m_cost,
        "soft": t_soft,
        "m_soft": m_soft,
        "lsa": t_lsa,
        "partial": t_part,
        "m_partial": m_part,
        "path": t_path,
        "m_path": m_path,
        "user": t_user,
        "m_user": m_user,
        "s0": s0,
        "top": top,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 4000, 6000, 10000])
    ap.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    ap.add_argument("--data", choices=("planted", "noise", "structured"), default="planted")
    ap.add_argument("--stimuli", type=int, default=N_STIMULI)
    ap.add_argument("--extra", type=int, default=0, help="Y has n + extra units (rectangular)")
    ap.add_argument("--partial-max", type=int, default=12000, help="largest n for the simplex")
    ap.add_argument("--scipy-max", type=int, default=12000, help="largest n for scipy's LSA")
    ap.add_argument("--skip-user", action="store_true", help="skip lcurve + rank_units")
    args = ap.parse_args()

    print(f"{args.stimuli} stimuli, data={args.data}, dtype={args.dtype}; times in s, peaks in GB")
    head = (
        f"{'n':>6} {'cost':>12} {'soft match':>12} {'scipy LSA':>10} {'ratio':>6} "
        f"{'partial':>12} {'path':>12} {'path/partial':>12} {'lcurve+rank':>13}"
    )
    print(head)
    cols: dict[str, list[float]] = {k: [] for k in ("cost", "soft", "partial", "path", "user")}
    for n in args.sizes:
        r = bench_one(n, args)
        for name in cols:
            cols[name].append(r[name])
        user = "" if args.skip_user else f"  s0={r['s0']:.3f} planted-first={r['top']:.3f}"
        print(
            f"{n:>6} {r['cost']:>6.2f} ({r['m_cost']:>3.1f})"
            f" {r['soft']:>6.2f} ({r['m_soft']:>3.1f})"
            f" {r['lsa']:>10.2f} {r['lsa'] / r['soft']:>5.2f}x"
            f" {r['partial']:>6.2f} ({r['m_partial']:>3.1f})"
            f" {r['path']:>6.2f} ({r['m_path']:>3.1f}) {r['path'] / r['partial']:>11.2f}x"
            f" {r['user']:>7.1f} ({r['m_user']:>3.1f})" + user,
            flush=True,
        )
    print("fitted exponent b of t = a n^b:")
    for name, ts in cols.items():
        print(f"  {name:>8}: {fit_exponent(args.sizes, ts):.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
