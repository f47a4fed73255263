"""Which L-curve elbow rule picks the right model and the right s0 most often?

    python benches/elbow_rules.py            # 20 seeds of each of the paper's two tasks

For the spurious-units task (X 120 vs Y 190 units) the right s0 is 100/190 = 0.526. For the
model-selection task the right answer is Ya (s0 = 100/160 = 0.625), not Yb (s0 = 80/100).
Scores are 5-fold cross-validated as in the paper; s0 comes from a 200-point grid.
"""

from __future__ import annotations

import argparse

import numpy as np

import parsm
from parsm import datasets


def prepared(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return parsm.drop_constant_units(X)[0], parsm.drop_constant_units(Y)[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=20)
    args = ap.parse_args()
    rules = parsm.ELBOW_RULES
    spur_err = {r: [] for r in rules}
    ya_err = {r: [] for r in rules}
    right_model = {r: 0 for r in rules}
    sm_right = 0
    for seed in range(args.seeds):
        t = datasets.spurious_units_task(seed)
        X, Y = prepared(t.X, t.Y)
        for r in rules:
            spur_err[r].append(abs(parsm.lcurve(X, Y, 100, elbow=r).s0 - 100 / 190))
        m = datasets.model_selection_task(seed)
        Xa, Ya = prepared(m.X, m.Ya)
        Xb, Yb = prepared(m.X, m.Yb)
        sm_right += parsm.cv_score(Xa, Ya, 1.0) > parsm.cv_score(Xb, Yb, 1.0)
        for r in rules:
            la = parsm.lcurve(Xa, Ya, 200, elbow=r, cv=5)
            lb = parsm.lcurve(Xb, Yb, 200, elbow=r, cv=5)
            right_model[r] += la.score_s0 > lb.score_s0
            ya_err[r].append(abs(la.s0 - 100 / 160))
    n = args.seeds
    print(f"{n} seeds per task; SM picks the right model (Ya) in {sm_right}/{n}")
    print(f"{'rule':<10} {'right model':>12} {'|s0 - 0.526| spurious':>24} {'|s0 - 0.625| Ya':>18}")
    for r in rules:
        within = np.mean(np.array(spur_err[r]) < 0.05)
        print(
            f"{r:<10} {right_model[r]:>9}/{n:<2} "
            f"{np.median(spur_err[r]):>10.3f} median, {within:>4.0%} <0.05"
            f" {np.median(ya_err[r]):>8.3f} median"
        )


if __name__ == "__main__":
    main()
