"""Many populations: pairs per second for parsm.pairwise against a loop of POT calls.

    python benches/bench_pairwise.py                     # 40 populations, 780 pairs
    python benches/bench_pairwise.py --populations 12    # a quicker run (66 pairs)
    python benches/bench_pairwise.py --units 500         # square pairs: 500 units each

Inputs: populations of 200-800 units (evenly spread) over 300 stimuli, each a mix of units
driven by one of four shared latent families and independent noise units, so that pairs
differ in how much they share. In one process, on the same inputs:

- parsm ``pairwise(pops, s=0.5)`` with 1 thread (``n_jobs=1, n_threads=1``) and with 2
  (``n_jobs=2``), and the full default ``s="auto"`` (held-out share estimate per pair) with 2;
- the machine's own ceiling for two cores: the same grid split over two independent
  one-thread processes (nothing shared), to judge the 2-thread figure against;
- POT: ``ot.dist(X.T, Y.T, "correlation")`` and ``ot.partial.partial_wasserstein`` at the same
  ``s = 0.5`` for a random sample of pairs (``--pot-sample``), extrapolated to all pairs, with
  ``numItermax`` raised so that POT reaches the optimum (its default stops early on large
  problems, see shared/reference): the loop the target is set against. A second figure adds
  ``ot.emd2`` for the soft-matching score, which ``pairwise`` reports too, so that both sides
  compute the same numbers.
- parsm ``pairwise(pops, s=0.5, soft_matching=False)``, which computes what POT's loop
  computes (the partial matching at s only), with 1 and 2 threads: the same work on both
  sides.

The 2-thread grid and POT's sample are timed in alternating rounds (``--rounds``, default 5),
each round's ratio from the two timings of one phase of the machine (a VM's speed drifts
within minutes, and POT's more than parsm's); the median and range over the rounds are the
figures. Each sampled pair is also timed pair by pair: a whole one-pair ``pairwise`` call (one
thread, set-up included) just before POT's calls on it.

It prints pairs per second, the ratios, and checks that parsm's and POT's costs (partial and
soft matching) agree on the sampled pairs.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

import parsm


def populations(
    n_pops: int, stimuli: int, seed: int = 0, units: int | None = None
) -> dict[str, np.ndarray]:
    """The bench's populations: 200-800 units (evenly spread), or ``units`` each."""
    rng = np.random.default_rng(seed)
    families = [rng.standard_normal((stimuli, 20)) for _ in range(4)]
    sizes = np.linspace(200, 800, n_pops).astype(int) if units is None else [units] * n_pops
    pops = {}
    for k, n in enumerate(sizes):
        share = 0.3 + 0.5 * rng.random()
        driven = int(share * n)
        latent = families[k % 4] @ rng.standard_normal((20, driven))
        units = np.hstack([latent, rng.standard_normal((stimuli, n - driven)) * 3.0])
        pops[f"pop{k:02d}"] = units + rng.standard_normal((stimuli, n))
    return pops


def half_grid(args: tuple[int, int, int | None, int, int]) -> float:
    """Seconds for one thread to run the pairs ``k::step`` of the grid (a worker process)."""
    n_pops, stimuli, units, k, step = args
    pops = populations(n_pops, stimuli, units=units)
    names = list(pops)
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]][k::step]
    t = time.perf_counter()
    parsm.pairwise(pops, s=0.5, pairs=pairs, n_jobs=1, n_threads=1, progress=False)
    return time.perf_counter() - t


def two_process_ceiling(n_pops: int, stimuli: int, units: int | None) -> float:
    """Wall seconds for the whole grid split over two independent one-thread processes: how
    much two cores of this machine give when nothing is shared (the bound for 2 threads)."""
    import multiprocessing

    # spawn, not fork: a forked child would inherit thread pools whose threads it lacks.
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(half_grid, [(n_pops, stimuli, units, 0, 50)])  # start-up and imports, untimed
        t = time.perf_counter()
        pool.map(half_grid, [(n_pops, stimuli, units, k, 2) for k in range(2)], chunksize=1)
        return time.perf_counter() - t


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def pot_loop(pops, names, pairs) -> tuple[float, float, float, float, float]:
    """Seconds per pair on ``pairs`` (index pairs): parsm's whole ``pairwise`` call on the pair
    (one thread, set-up included), the same without soft matching, POT's loop (``ot.dist`` +
    ``partial_wasserstein`` at s = 0.5) just after them on the same pair, and ``ot.emd2`` (the
    soft-matching score POT would add); and the largest difference between POT's costs and
    parsm's."""
    import ot

    partial_s = soft_s = parsm_s = parsm_partial_s = 0.0
    worst = 0.0
    for i, j in pairs:
        x, y = pops[names[i]], pops[names[j]]
        one = {"a": x, "b": y}
        t = time.perf_counter()
        res = parsm.pairwise(one, s=0.5, n_jobs=1, n_threads=1, progress=False)
        parsm_s += time.perf_counter() - t
        t = time.perf_counter()
        alone = parsm.pairwise(
            one, s=0.5, n_jobs=1, n_threads=1, progress=False, soft_matching=False
        )
        parsm_partial_s += time.perf_counter() - t
        row = res.records[0]
        assert alone.records[0]["score"] == row["score"]
        t = time.perf_counter()
        m = ot.dist(x.T, y.T, metric="correlation")
        a, b = np.full(x.shape[1], 1 / x.shape[1]), np.full(y.shape[1], 1 / y.shape[1])
        plan = ot.partial.partial_wasserstein(a, b, m, m=0.5, nb_dummies=1, numItermax=10**8)
        partial_s += time.perf_counter() - t
        worst = max(worst, abs((1.0 - row["score"]) - float(np.sum(plan * m))))
        t = time.perf_counter()
        soft = float(ot.emd2(a, b, m, numItermax=10**8))
        soft_s += time.perf_counter() - t
        worst = max(worst, abs((1.0 - row["score_sm"]) - soft))
    n = len(pairs)
    return parsm_s / n, parsm_partial_s / n, partial_s / n, soft_s / n, worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--populations", type=int, default=40)
    ap.add_argument("--stimuli", type=int, default=300)
    ap.add_argument("--pot-sample", type=int, default=12)
    ap.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="rounds of (parsm's grid on 2 threads, POT's sample) alternated",
    )
    ap.add_argument("--skip-auto", action="store_true", help="skip the s='auto' run")
    ap.add_argument(
        "--units", type=int, default=None, help="every population this many units (square pairs)"
    )
    args = ap.parse_args()

    pops = populations(args.populations, args.stimuli, units=args.units)
    names = list(pops)
    n_pairs = len(names) * (len(names) - 1) // 2
    print(
        f"{len(names)} populations of {min(p.shape[1] for p in pops.values())}-"
        f"{max(p.shape[1] for p in pops.values())} units, {args.stimuli} stimuli: {n_pairs} pairs"
    )
    one, t1 = timed(parsm.pairwise, pops, s=0.5, n_jobs=1, n_threads=1, progress=False)
    print(f"parsm s=0.5, 1 thread : {t1:8.1f} s  {n_pairs / t1:8.2f} pairs/s")
    alone = {"s": 0.5, "progress": False, "soft_matching": False}
    part1, tq1 = timed(parsm.pairwise, pops, n_jobs=1, n_threads=1, **alone)
    assert np.array_equal(one.score, part1.score, equal_nan=True)
    print(
        f"parsm s=0.5 without soft matching (what POT's loop computes), 1 thread: {tq1:8.1f} s"
        f"  {n_pairs / tq1:8.2f} pairs/s"
    )
    tp = two_process_ceiling(args.populations, args.stimuli, args.units)
    print(
        f"machine ceiling, 2 one-thread processes on halves of the grid: {tp:8.1f} s  "
        f"{n_pairs / tp:8.2f} pairs/s  ({t1 / tp:.2f}x one thread)"
    )
    if not args.skip_auto:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", parsm.ShareWarning)
            auto, ta = timed(parsm.pairwise, pops, n_jobs=2, progress=False)
        s0 = auto.s0[np.triu_indices(len(names), 1)]
        print(
            f"parsm s='auto' (held-out s0, SM, both plans), 2 threads: {ta:.1f} s  "
            f"{n_pairs / ta:.2f} pairs/s; s0 from {s0.min():.2f} to {s0.max():.2f}"
        )
    rng = np.random.default_rng(1)
    pairs = [tuple(rng.choice(len(names), 2, replace=False)) for _ in range(args.pot_sample)]
    # This VM's speed drifts by up to a half within minutes, and POT's more than parsm's, so
    # one timing of each can land in different phases: the grid on 2 threads and POT's sample
    # are timed in alternating rounds, and each round's ratio compares the two of one phase.
    print(
        f"{args.rounds} rounds: parsm's grid on 2 threads (with and without soft matching), "
        f"then POT's loop on {len(pairs)} sampled pairs (extrapolated to the grid), each pair "
        "just after parsm's calls on it"
    )
    ratios, full_ratios, same_ratios, per_pair, per_pair_same = [], [], [], [], []
    worst = 0.0
    for r in range(args.rounds):
        two, t2 = timed(parsm.pairwise, pops, s=0.5, n_jobs=2, progress=False)
        assert np.array_equal(one.score, two.score, equal_nan=True)
        part2, tq2 = timed(parsm.pairwise, pops, n_jobs=2, **alone)
        assert np.array_equal(one.score, part2.score, equal_nan=True)
        parsm_pair, parsm_partial_pair, partial_pair, soft_pair, w = pot_loop(pops, names, pairs)
        worst = max(worst, w)
        pot_total = partial_pair * n_pairs
        full_total = (partial_pair + soft_pair) * n_pairs
        ratios.append(pot_total / t2)
        full_ratios.append(full_total / t2)
        same_ratios.append(pot_total / tq2)
        per_pair.append(partial_pair / parsm_pair)
        per_pair_same.append(partial_pair / parsm_partial_pair)
        print(
            f"  round {r + 1}: parsm 2 threads {n_pairs / t2:7.2f} pairs/s ({t1 / t2:.2f}x 1 "
            f"thread), without soft matching {n_pairs / tq2:7.2f}; POT {partial_pair:.3f} s a "
            f"pair ({n_pairs / pot_total:.2f} pairs/s), + ot.emd2 {partial_pair + soft_pair:.3f}"
            f" s; parsm / POT's loop {ratios[-1]:5.1f}x, / POT computing the same numbers "
            f"{full_ratios[-1]:5.1f}x, parsm without soft matching / POT's loop (the same "
            f"numbers) {same_ratios[-1]:5.1f}x; pair by pair, one thread each, "
            f"{per_pair[-1]:.1f}x and {per_pair_same[-1]:.1f}x"
        )

    def spread(values: list[float]) -> str:
        return f"median {np.median(values):.1f}x ({min(values):.1f}-{max(values):.1f}x)"

    print(
        f"with 2 threads: parsm / POT's loop {spread(ratios)}; / POT computing the same numbers "
        f"(+ ot.emd2) {spread(full_ratios)}; parsm without soft matching / POT's loop (the same "
        f"numbers) {spread(same_ratios)}"
    )
    print(
        "pair by pair, one thread each (whole pairwise calls, set-up included): parsm / POT's "
        f"loop {spread(per_pair)}; without soft matching {spread(per_pair_same)}"
    )
    print(f"largest cost difference on the sample (partial and soft matching): {worst:.1e}")


if __name__ == "__main__":
    main()
