"""How well does each rule estimate the matched share s0? And what does the default cost?

    python benches/share_estimation.py              # every scenario, 3 seeds, every rule
    python benches/share_estimation.py --seeds 5
    python benches/share_estimation.py --cost       # the default's cost at n = 2,000

The scenarios (``benches/share_scenarios.py``) plant true shares from 0 to 1 with 30 to 1,000
stimuli, weak to strong and graded counterparts, Gaussian, heavy-tailed, sparse non-negative
and smooth (von Mises) tuning, Nx << Ny and Nx >> Ny, one-to-many copies, unpaired units with
shared low-rank noise, stimulus-shuffled structured populations, copies of X, and the paper's
tasks. The truth is the largest mass a plan can carry on the planted edges.

Targets (the default, ``heldout``): within 0.05 of the truth in at least 90 % of
(scenario, seed) runs; s0 <= 0.05 on every null; s0 >= 0.95 on every full correspondence.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from share_scenarios import SCENARIOS, planted  # noqa: E402

import parsm  # noqa: E402
from parsm import _core  # noqa: E402


def estimates(x: np.ndarray, y: np.ndarray, rules: tuple[str, ...]) -> dict[str, tuple]:
    """``{rule: (s0, interval or None)}`` for one pair of populations."""
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", parsm.ShareWarning)
        for rule in rules:
            lc = parsm.lcurve(x, y, elbow=rule)
            out[rule] = (lc.s0, lc.s0_interval)
    return out


def passes(group: str, truth: float, s0: float) -> bool:
    """A run passes if it is within 0.05 of the truth and, on nulls and full
    correspondences, on the right side of 0.05 and 0.95."""
    if group == "null" and s0 > 0.05:
        return False
    if group == "full" and s0 < 0.95:
        return False
    return abs(s0 - truth) <= 0.05


def accuracy(seeds: int, rules: tuple[str, ...]) -> None:
    default = parsm.DEFAULT_ELBOW
    ok = {r: 0 for r in rules}
    covered = total = 0
    null_max = {r: 0.0 for r in rules}
    full_min = {r: 1.0 for r in rules}
    widths = []
    header = f"{'scenario':<38}{'truth':>6}  " + "".join(f"{r:>16}" for r in rules)
    print(
        f"{seeds} seeds per scenario; cells: median s0 over seeds and, in brackets, the largest "
        "error |s0 - truth|; '*' = a seed misses"
    )
    print(header)
    t0 = time.perf_counter()
    for sc in SCENARIOS:
        per_rule: dict[str, list[float]] = {r: [] for r in rules}
        truth = 0.0
        for seed in range(seeds):
            x, y, truth = sc.make(seed)
            est = estimates(x, y, rules)
            for r in rules:
                s0, interval = est[r]
                per_rule[r].append(s0)
                ok[r] += passes(sc.group, truth, s0)
                if sc.group == "null":
                    null_max[r] = max(null_max[r], s0)
                if sc.group == "full":
                    full_min[r] = min(full_min[r], s0)
            lo, hi = est[default][1]
            covered += lo - 0.01 <= truth <= hi + 0.01
            widths.append(hi - lo)
            total += 1
        cells = ""
        for r in rules:
            miss = any(not passes(sc.group, truth, v) for v in per_rule[r])
            worst = max(abs(v - truth) for v in per_rule[r])
            cells += f"{np.median(per_rule[r]):>8.3f} ({worst:.3f}){'*' if miss else ' '}"
        print(f"{sc.name:<38}{truth:>6.3f}  {cells}", flush=True)
    print()
    print(f"{'rule':<10}{'within 0.05':>13}{'max s0 on nulls':>18}{'min s0 on full':>17}")
    for r in rules:
        print(f"{r:<10}{ok[r] / total:>12.0%} {null_max[r]:>17.3f}{full_min[r]:>17.3f}")
    print(
        f"\n{default}: 90% interval covers the truth (+-0.01) in {covered / total:.0%} of runs; "
        f"median width {np.median(widths):.3f}; {time.perf_counter() - t0:.0f} s in all"
    )


def cost(n: int, stimuli: int) -> None:
    """The default lcurve against one in-sample path solve, both on the same data."""
    x, y, _ = planted(0, m=stimuli, nx=n, ny=n, k=n // 2, rho=0.6)
    c = parsm.cost_matrix(x, y)
    t = time.perf_counter()
    _core.MassPath(c, 1.0)
    path_s = time.perf_counter() - t
    parsm._path_cache.clear()
    t = time.perf_counter()
    lc = parsm.lcurve(x, y)
    default_s = time.perf_counter() - t
    parsm._path_cache.clear()
    t = time.perf_counter()
    parsm.lcurve(x, y, elbow="plateau")
    plateau_s = time.perf_counter() - t
    print(
        f"n = {n}, {stimuli} stimuli: one in-sample path {path_s:.2f} s; lcurve default "
        f"(heldout, {lc.share.folds} folds) {default_s:.2f} s = {default_s / path_s:.1f}x; "
        f"elbow='plateau' {plateau_s:.2f} s"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--cost", action="store_true", help="only time the default at n = 2,000")
    args = ap.parse_args()
    if args.cost:
        for n, m in ((500, 200), (2000, 200), (2000, 1000)):
            cost(n, m)
        return
    accuracy(args.seeds, parsm.ELBOW_RULES)


if __name__ == "__main__":
    main()
