"""parsm.pairwise: every pair gets exactly parsm.compare's numbers, on threads and on a Dask
cluster; the result's matrices, frame, figure, CLI and Ctrl-C."""

from __future__ import annotations

import csv
import os
import signal
import threading
import time
import warnings

import numpy as np
import pytest

import parsm
from parsm.cli import main
from parsm.io import load_populations
from parsm.pairs import FIELDS


def populations(seed=0, n=4, m=80):
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((m, 30))
    return {
        f"area{k}": np.hstack(
            [
                base[:, : 10 + 5 * k] + rng.standard_normal((m, 10 + 5 * k)),
                rng.standard_normal((m, 20 + 3 * k)),
            ]
        )
        for k in range(n)
    }


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", parsm.ShareWarning)
        return fn(*args, **kwargs)


def same(a, b):
    """Records equal field by field, NaN equal to NaN."""
    assert a.keys() == b.keys()
    for k in a:
        x, y = a[k], b[k]
        both_nan = isinstance(x, float) and isinstance(y, float) and np.isnan(x) and np.isnan(y)
        assert both_nan or x == y, (k, x, y)


def expected(summary):
    """The numbers of compare's summary under pairwise's field names."""
    p, sm, lc = summary["partial"], summary["soft_matching"], summary["lcurve"]
    nan = float("nan")
    return {
        "s": summary["s"],
        "unmatched_mass": summary["unmatched_mass"],
        "score": p["score"],
        "mean_correlation": p["mean_correlation"],
        "matched_a": p["matched_x"],
        "matched_b": p["matched_y"],
        "n_a": p["n_x"],
        "n_b": p["n_y"],
        "score_sm": sm["score"],
        "mean_correlation_sm": sm["mean_correlation"],
        "cv_score": p.get("cv_score", nan),
        "cv_score_sm": sm.get("cv_score", nan),
        "s0": lc["s0"],
        "s0_interval": lc["s0_interval"],
    }


@pytest.mark.parametrize("s, cv", [("auto", None), (0.4, None), ("auto", 3), (0.6, 3)])
def test_every_pair_gets_exactly_compares_numbers(s, cv):
    pops = populations()
    res = quiet(parsm.pairwise, pops, s=s, cv=cv, n_jobs=2)
    assert res.names == list(pops) and len(res.pairs) == 6
    for r in res.records:
        want = expected(quiet(parsm.compare, pops[r["a"]], pops[r["b"]], s=s, cv=cv).summary)
        for k in (
            "s",
            "unmatched_mass",
            "score",
            "mean_correlation",
            "matched_a",
            "matched_b",
            "n_a",
            "n_b",
        ):
            assert r[k] == want[k], (r["a"], r["b"], k)
        # With a given s a pair solves its path only to s and soft matching by the balanced
        # solver; compare reads it off its path to s = 1: the same optimum, up to rounding.
        for k in ("score_sm", "mean_correlation_sm"):
            assert r[k] == pytest.approx(want[k], abs=1e-12), (r["a"], r["b"], k)
        if cv is None:
            assert np.isnan(r["cv_score"]) and np.isnan(r["cv_score_sm"])
        else:
            assert r["cv_score"] == want["cv_score"] and r["cv_score_sm"] == want["cv_score_sm"]
        if s == "auto":
            assert r["s0"] == want["s0"] == r["s"]
            assert [r["s0_low"], r["s0_high"]] == want["s0_interval"]
        else:
            assert np.isnan(r["s0"]) and r["s"] == s


@pytest.mark.parametrize("s", [0.4, 0.7])
def test_larger_population_first_gets_compares_numbers_either_way_round(s):
    """Pairs listed larger population first (ratios 1.2-1.8, where the path is solved with the
    smaller as rows, and 2.7, where with the larger) get compare's numbers exactly, as listed
    the other way round (X and Y exchanged): at a given s the costs of the first kind are
    computed the smaller population first, as their path is solved (parsm_core's pair tests
    check the orientation), and read back; both ways round the path is the same."""
    pops = populations(seed=3)
    pops["small"] = np.random.default_rng(4).standard_normal((80, 11))
    pairs = [("area3", "area0"), ("area2", "area1"), ("area1", "area0"), ("area0", "small")]
    res = quiet(parsm.pairwise, pops, s=s, pairs=pairs, n_jobs=1)
    turned = quiet(parsm.pairwise, pops, s=s, pairs=[(b, a) for a, b in pairs], n_jobs=1)
    for r, t in zip(res.records, turned.records):
        want = expected(quiet(parsm.compare, pops[r["a"]], pops[r["b"]], s=s).summary)
        for k in ("s", "score", "mean_correlation", "matched_a", "matched_b", "n_a", "n_b"):
            assert r[k] == want[k], (r["a"], r["b"], k)
        for k in ("score_sm", "mean_correlation_sm"):
            assert r[k] == pytest.approx(want[k], abs=1e-12), (r["a"], r["b"], k)
        # The same path: the same score; the mean correlation sums the rows' masses, the
        # other population's the other way round (equal up to rounding).
        assert t["score"] == r["score"]
        assert t["mean_correlation"] == pytest.approx(r["mean_correlation"], abs=1e-14)
        assert (t["matched_a"], t["matched_b"]) == (r["matched_b"], r["matched_a"])
        assert (t["n_a"], t["n_b"]) == (r["n_b"], r["n_a"])


@pytest.mark.parametrize("s, cv", [(0.4, None), ("auto", None), (0.6, 3)])
def test_without_soft_matching_it_is_not_solved_and_the_rest_is_the_same(s, cv, monkeypatch):
    """soft_matching=False solves no soft matching (nor its cross-validated score) and leaves
    its numbers NaN; every other number is the default call's, also for pairs listed larger
    population first (solved on the transposed costs at a given s)."""
    pops = populations(seed=5)
    pairs = [("area0", "area1"), ("area3", "area0"), ("area2", "area1")]
    full = quiet(parsm.pairwise, pops, s=s, cv=cv, pairs=pairs, n_jobs=2)
    folds_at = []
    real_cv_score = parsm.comparison.cv_score

    def no_soft(*args, **kwargs):
        raise AssertionError("soft matching solved")

    def recorded(x, y, s, *args, **kwargs):
        folds_at.append(s)
        return real_cv_score(x, y, s, *args, **kwargs)

    monkeypatch.setattr(parsm.comparison, "_soft_summary", no_soft)
    monkeypatch.setattr(parsm.comparison, "cv_score", recorded)
    res = quiet(parsm.pairwise, pops, s=s, cv=cv, pairs=pairs, n_jobs=2, soft_matching=False)
    assert 1.0 not in folds_at and len(folds_at) == (0 if cv is None else len(pairs))
    for r, f in zip(res.records, full.records):
        for k in ("score_sm", "mean_correlation_sm", "cv_score_sm"):
            assert np.isnan(r[k]), k
            r[k] = f[k]
        same(r, f)
    assert np.isnan(res.score_sm).all() and np.array_equal(res.score, full.score, equal_nan=True)
    with pytest.raises(TypeError, match="soft_matching must be True or False; got 'no'"):
        parsm.pairwise(pops, s=s, soft_matching="no")


def test_auto_solves_the_in_sample_path_only_as_far_as_s0_needs(monkeypatch):
    """With s="auto" a pair solves its in-sample path to s0, or to 1 where the mass matched at
    zero cost reaches that far: copies (s0 = 1 exactly), partial copies (s0 at least the copied
    share), independent noise (s0 = 0) and planted correlations all give compare's numbers."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((60, 30))
    partial_copy = np.hstack([x[:, :12], rng.standard_normal((60, 18))])
    planted = x[:, rng.permutation(30)] + 0.3 * rng.standard_normal((60, 30))
    pops = {
        "x": x,
        "copy": x[:, rng.permutation(30)],
        "partial_copy": partial_copy,
        "planted": planted,
        "noise": rng.standard_normal((60, 45)),
    }
    reached = []
    real_problem = parsm._core.Problem

    def counting(c, metric, s_max, *args):
        reached.append(s_max)
        return real_problem(c, metric, s_max, *args)

    monkeypatch.setattr(parsm._core, "Problem", counting)
    res = quiet(parsm.pairwise, pops, pairs=[("x", k) for k in list(pops)[1:]])
    monkeypatch.setattr(parsm._core, "Problem", real_problem)
    assert reached and min(reached) < 1.0  # some pairs stopped short of s = 1
    by_pair = {r["b"]: r for r in res.records}
    assert by_pair["copy"]["s0"] == 1.0
    assert by_pair["partial_copy"]["s0"] >= 12 / 30
    assert by_pair["noise"]["s0"] == 0.0
    # Twelve stimuli: the folds see no share, yet a third of Y copies X (zero cost), so the
    # path goes on to s = 1 to find where the free mass ends.
    few = rng.standard_normal((12, 30))
    few_pops = {"few": few, "few_copy": np.hstack([few[:, :10], rng.standard_normal((12, 20))])}
    pops.update(few_pops)
    monkeypatch.setattr(parsm._core, "Problem", counting)
    reached.clear()
    more = quiet(parsm.pairwise, few_pops)
    monkeypatch.setattr(parsm._core, "Problem", real_problem)
    assert reached[-1] == 1.0 and more.records[0]["s0"] == pytest.approx(1 / 3, abs=1e-15)
    for r in [*res.records, *more.records]:
        want = expected(quiet(parsm.compare, pops[r["a"]], pops[r["b"]]).summary)
        assert r["s0"] == want["s0"] == r["s"], r["b"]
        assert [r["s0_low"], r["s0_high"]] == want["s0_interval"], r["b"]
        for k in ("score", "mean_correlation", "matched_a", "matched_b", "unmatched_mass"):
            # No matched mass (s0 = 0) has no mean correlation: None in compare's summary.
            undefined = want[k] is None and np.isnan(r[k])
            assert undefined or r[k] == want[k], (r["b"], k, r[k], want[k])
        assert r["score_sm"] == pytest.approx(want["score_sm"], abs=1e-12)


def test_matrices_are_symmetric_with_nan_where_not_asked():
    pops = populations()
    res = parsm.pairwise(pops, s=0.5, pairs=[("area0", "area2"), ("area3", "area1")])
    assert res.pairs == [("area0", "area2"), ("area3", "area1")]
    for m in (res.score, res.s, res.unmatched_mass, res.score_sm, res.mean_correlation):
        assert np.array_equal(m, m.T, equal_nan=True)
        assert np.isnan(np.diag(m)).all()
        assert np.isfinite(m[0, 2]) and np.isfinite(m[1, 3]) and np.isnan(m[0, 1])
    assert np.isnan(res.s0).all() and np.isnan(res.cv_score).all()
    assert res.score[0, 2] == res.records[0]["score"]
    with pytest.raises(ValueError):
        res.score[0, 2] = 0.0


def test_only_the_populations_in_pairs_are_prepared(monkeypatch):
    pops = populations(n=5)
    full = parsm.pairwise(pops, s=0.5)
    prepared = []
    real = parsm.pairs._core.PreparedPopulation

    class Counting(type):
        def __instancecheck__(cls, obj):
            return isinstance(obj, real)

    class Prepared(metaclass=Counting):
        def __new__(cls, z, metric):
            prepared.append(z.shape[1])
            return real(z, metric)

    monkeypatch.setattr(parsm.pairs._core, "PreparedPopulation", Prepared)
    asked = [("area4", "area1"), ("area1", "area2")]
    res = parsm.pairwise(pops, s=0.5, pairs=asked)
    assert sorted(prepared) == sorted(pops[n].shape[1] for n in ("area1", "area2", "area4"))
    # The same numbers as in the whole grid (area4-area1 there as area1-area4).
    for r in res.records:
        want = next(w for w in full.records if {w["a"], w["b"]} == {r["a"], r["b"]})
        assert r["score"] == want["score"] and r["score_sm"] == pytest.approx(
            want["score_sm"], abs=1e-12
        )


def test_sequences_are_named_by_position_and_inputs_are_checked():
    pops = list(populations().values())
    res = parsm.pairwise(pops[:3], s=0.5)
    assert res.names == ["0", "1", "2"] and res.pairs[0] == ("0", "1")
    with pytest.raises(ValueError, match="at least two populations"):
        parsm.pairwise(pops[:1])
    with pytest.raises(ValueError, match="same stimuli"):
        parsm.pairwise([pops[0], pops[1][:-1]])
    with pytest.raises(ValueError, match="unknown population"):
        parsm.pairwise({"a": pops[0], "b": pops[1]}, pairs=[("a", "c")])
    with pytest.raises(ValueError, match="distinct as strings; 1, '1' are all '1'"):
        parsm.pairwise({1: pops[0], "1": pops[1]})
    with pytest.raises(TypeError, match="mapping name -> array"):
        parsm.pairwise(pops[0][0, 0])
    with pytest.raises(ValueError, match=r"outside \[0, 1\]"):
        parsm.pairwise(pops, s=1.5)
    with pytest.raises(ValueError, match="NaN"):
        parsm.pairwise([pops[0], np.full_like(pops[1], np.nan)])
    with pytest.raises(ValueError, match="cv must be"):
        parsm.pairwise(pops, cv=1)
    with pytest.raises(ValueError, match="n_jobs must be a positive number of pairs"):
        parsm.pairwise(pops[:2], s=0.5, n_jobs=0)
    with pytest.raises(TypeError, match="n_jobs must be an int or None; got 2.0"):
        parsm.pairwise(pops[:2], s=0.5, n_jobs=2.0)


def test_bad_populations_and_pairs_are_named_before_any_pair_runs():
    pops = populations()
    with pytest.raises(parsm.StimulusMismatchError, match="area1: 79"):
        parsm.pairwise({**pops, "area1": pops["area1"][:-1]}, s=0.5)
    # A population given units x stimuli is named as such.
    with pytest.raises(parsm.StimulusMismatchError, match="'area1' has 80 columns.*transpose"):
        parsm.pairwise({**pops, "area1": pops["area1"].T}, s=0.5)
    nan = pops["area2"].copy()
    nan[3, 4] = np.inf
    with pytest.raises(parsm.NonFiniteError, match="population 'area2' contains 1 NaN"):
        parsm.pairwise({**pops, "area2": nan}, s=0.5)
    flat = pops["area3"].copy()
    flat[:, [2, 7]] = 4.0
    with pytest.raises(parsm.ConstantUnitsError, match=r"'area3' has 2 constant .* \[2, 7\]"):
        parsm.pairwise({**pops, "area3": flat}, s=0.5)
    # Constant but not zero: cosine and squared Euclidean are defined for it.
    assert np.isfinite(parsm.pairwise({**pops, "area3": flat}, s=0.5, metric="cosine").score[0, 3])
    flat[:, 7] = 0.0
    with pytest.raises(parsm.ConstantUnitsError, match=r"1 all-zero unit.* \[7\]"):
        parsm.pairwise({**pops, "area3": flat}, s=0.5, metric="cosine")
    assert np.isfinite(
        parsm.pairwise({**pops, "area3": flat}, s=0.5, metric="sqeuclidean").score[0, 3]
    )
    with pytest.raises(ValueError, match="listed twice"):
        parsm.pairwise(pops, s=0.5, pairs=[("area0", "area1"), ("area1", "area0")])
    # A one-unit population given as a vector: advice in words, not in broken code.
    with pytest.raises(ValueError, match=r"For a single unit use the array\.reshape\(-1, 1\)\."):
        parsm.pairwise({**pops, "area1": pops["area1"][:, 0]}, s=0.5)


def test_results_do_not_depend_on_jobs_or_threads():
    pops = populations(1, n=5)
    one = quiet(parsm.pairwise, pops, n_jobs=1, n_threads=1)
    two = quiet(parsm.pairwise, pops, n_jobs=2)
    for a, b in zip(one.records, two.records):
        same(a, b)


def test_small_pairs_run_in_chunks_with_compares_numbers():
    """At a given s, pairs of prepared populations run in chunks (one native call each):
    every pair in order, each in exactly one chunk, chunks of about CHUNK_WORK and at least
    CHUNKS_PER_WORKER a worker; the records are compare's whatever the jobs."""
    from parsm.pairs import CHUNK_WORK, CHUNKS_PER_WORKER, _chunks

    def _pair_work(na, nb, m):
        return parsm._core.pair_work(na, nb, m, True)

    rng = np.random.default_rng(8)
    base = rng.standard_normal((40, 12))
    pops = {
        f"s{k:02d}": np.hstack([base[:, : 4 + k % 5], rng.standard_normal((40, 6 + k % 7))])
        for k in range(24)
    }
    todo = [(i, j) for i in range(24) for j in range(i + 1, 24)]
    units = [a.shape[1] for a in pops.values()]
    for workers in (1, 2, 8):
        chunks = _chunks(todo, units, 40, workers)
        assert [k for c in chunks for k in c] == list(range(len(todo)))
        assert len(chunks) >= CHUNKS_PER_WORKER * workers
        target = min(
            CHUNK_WORK,
            sum(_pair_work(units[i], units[j], 40) for i, j in todo)
            / (CHUNKS_PER_WORKER * workers),
        )
        work = [_pair_work(units[i], units[j], 40) for i, j in todo]
        for c, after in zip(chunks, chunks[1:]):
            assert sum(work[k] for k in c) <= target < sum(work[k] for k in c) + work[after[0]]
    # Tasks of one thread: chunks of CHUNK_WORK (300 units over 300 stimuli: 0.12e9 a pair,
    # 10 pairs a chunk). A task of two threads shares its chunk pair by pair, so its chunks
    # are not cut to CHUNK_WORK: CHUNKS_PER_WORKER of equal work (276 pairs: 69 each).
    assert [len(c) for c in _chunks(todo, [300] * 24, 300, 1)][:3] == [10] * 3
    assert [len(c) for c in _chunks(todo, [300] * 24, 300, 1, threads=2)] == [69] * 4
    # Without soft matching a pair weighs less (its path and kernel only): 17 a chunk.
    assert [len(c) for c in _chunks(todo, [300] * 24, 300, 1, with_soft=False)][:3] == [17] * 3
    # Big pairs: one a chunk.
    assert _chunks([(0, 1), (0, 2)], [4000, 4000, 4000], 300, 1) == [range(0, 1), range(1, 2)]
    one = parsm.pairwise(pops, s=0.4, n_jobs=1, n_threads=1)
    two = parsm.pairwise(pops, s=0.4, n_jobs=2, soft_matching=False)
    for a, b in zip(one.records, two.records):
        for k in ("score_sm", "mean_correlation_sm"):
            b[k] = a[k]
        same(a, b)
    for r in one.records[::40]:
        want = expected(parsm.compare(pops[r["a"]], pops[r["b"]], s=0.4).summary)
        for k in ("s", "score", "mean_correlation", "matched_a", "matched_b", "n_a", "n_b"):
            assert r[k] == want[k], (r["a"], r["b"], k)
        assert r["score_sm"] == pytest.approx(want["score_sm"], abs=1e-12)


def test_a_chunk_is_admitted_for_its_largest_pairs_one_a_thread(monkeypatch):
    """A chunk whose pairs share n_threads threads asks the memory gate for its n_threads
    largest pairs' peaks together; on one thread, for its largest."""
    from parsm._memory_gate import pair_bytes
    from parsm.pairs import _prepared_chunk

    asked = []
    real = parsm.pairs.admitted

    def recorded(nbytes):
        asked.append(nbytes)
        return real(nbytes)

    monkeypatch.setattr(parsm.pairs, "admitted", recorded)
    sides = [parsm._core.PreparedPopulation(a, "correlation") for a in populations(n=3).values()]
    pairs = [(0, 1), (0, 2), (1, 2)]  # 30 x 38, 30 x 46, 38 x 46 units over 80 stimuli
    peaks = sorted(
        pair_bytes(sides[i].shape[0], sides[j].shape[0], 80, s=0.5, cv=None, itemsize=8)
        for i, j in pairs
    )
    options = {"s": 0.5, "metric": "correlation", "dtype": "float64", "soft_matching": True}
    for threads, want in ((2, peaks[1] + peaks[2]), (1, peaks[2]), (5, sum(peaks))):
        asked.clear()
        out = _prepared_chunk([7, 8, 9], pairs, {**options, "n_threads": threads}, None, *sides)
        assert asked == [want] and [k for k, _ in out] == [7, 8, 9]


def _native_calls(monkeypatch):
    """Records each ``_core.pairs_numbers`` call as (pairs, threads)."""
    calls = []
    real = parsm._core.pairs_numbers

    def recorded(sides, pairs, *args):
        calls.append((len(pairs), args[-2]))
        return real(sides, pairs, *args)

    monkeypatch.setattr(parsm._core, "pairs_numbers", recorded)
    return calls


@pytest.mark.parametrize("n_jobs, n_threads, want", [(None, None, None), (2, None, 2), (2, 2, 4)])
def test_pairs_in_this_process_run_in_one_native_call(monkeypatch, n_jobs, n_threads, want):
    """Where joblib would run tasks in this process's threads, every pair of a given s is one
    native call on as many threads as the tasks would have had together (its threads share
    the pairs, so none waits at the end of a chunk), with the numbers of one thread."""
    pops = populations(n=5)
    one = parsm.pairwise(pops, s=0.5, n_jobs=1, n_threads=1)
    if want is None:
        # All cores: the global pool's size as a thread of no pool sees it (this thread has
        # just run one-thread calls, and hosts their pool).
        sizes = []
        asker = threading.Thread(target=lambda: sizes.append(parsm._core.pool_size(None)))
        asker.start()
        asker.join()
        want = sizes[0]
    calls = _native_calls(monkeypatch)
    res = parsm.pairwise(pops, s=0.5, n_jobs=n_jobs, n_threads=n_threads)
    assert calls == [(10, want)]
    assert len(res.records) == len(one.records)
    for a, b in zip(res.records, one.records):
        same(a, b)


@pytest.mark.parametrize("backend", ["threading", "sequential", "loky", "multiprocessing"])
@pytest.mark.parametrize("s", [0.5, "auto"])
def test_joblibs_own_backends_give_the_same_numbers(backend, s):
    """Under joblib's threading, sequential, loky and multiprocessing (forked workers, which
    hand results over only at the end) backends the numbers are those of one thread."""
    import joblib

    pops = populations(n=3)
    one = quiet(parsm.pairwise, pops, s=s, n_jobs=1, n_threads=1)
    with joblib.parallel_config(backend=backend, n_jobs=2):
        res = quiet(parsm.pairwise, pops, s=s)
    for a, b in zip(res.records, one.records):
        same(a, b)


def test_populations_prepared_in_threads_are_those_prepared_one_by_one(monkeypatch):
    """Many populations are prepared on several threads: the same factors, in order, and a
    population that cannot be prepared raises as it does on one thread."""
    from parsm.pairs import _prepared

    monkeypatch.setattr(parsm.pairs, "PREPARE_IN_THREADS_FROM", 0)
    arrays = list(populations(n=5).values())
    used = [4, 0, 2, 3]
    one = _prepared(arrays, used, "correlation", 1)
    many = _prepared(arrays, used, "correlation", 3)
    assert [p.shape for p in many] == [(arrays[k].shape[1], 80) for k in used]
    for a, b in zip(one, many):
        np.testing.assert_array_equal(a.factors(), b.factors())
    bad = [a.copy() for a in arrays]
    bad[3][5, 1] = np.nan
    errors = []
    for threads in (1, 3):
        with pytest.raises(ValueError) as raised:
            _prepared(bad, used, "correlation", threads)
        errors.append((type(raised.value), str(raised.value)))
    assert errors[0] == errors[1]


def test_pairs_that_do_not_fit_together_run_as_gated_one_thread_tasks(monkeypatch):
    """Where the largest pairs, one a thread, would not fit in memory at once, the pairs run
    as tasks of one thread each, which the memory gate lets run only while they fit: the
    same numbers."""
    pops = populations(n=5)
    one = parsm.pairwise(pops, s=0.5, n_jobs=1, n_threads=1)
    asked = []

    def fits(nbytes):
        asked.append(nbytes)
        return False

    monkeypatch.setattr(parsm.pairs, "fits_now", fits)
    calls = _native_calls(monkeypatch)
    res = parsm.pairwise(pops, s=0.5, n_jobs=2)
    assert len(asked) == 1 and len(calls) > 1
    assert all(threads == 1 for _, threads in calls) and sum(n for n, _ in calls) == 10
    assert len(res.records) == len(one.records)
    for a, b in zip(res.records, one.records):
        same(a, b)


def test_the_memory_check_asks_for_the_largest_pairs_one_a_thread(monkeypatch):
    """The one-call plan asks whether its n largest pairs fit at once (n its threads)."""
    from parsm._memory_gate import pair_bytes

    pops = populations(n=4)
    asked = []
    monkeypatch.setattr(parsm.pairs, "fits_now", lambda nbytes: asked.append(nbytes) or True)
    parsm.pairwise(pops, s=0.5, n_jobs=2)
    units = [a.shape[1] for a in pops.values()]
    peaks = sorted(
        pair_bytes(min(a, b), max(a, b), 80, s=0.5, cv=None, itemsize=8)
        for k, a in enumerate(units)
        for b in units[k + 1 :]
    )
    assert asked == [peaks[-1] + peaks[-2]]


@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize("s, m, n", [(0.5, 100, 6000), ("auto", 60, 1200)])
def test_the_bar_moves_inside_a_large_pair(monkeypatch, n_jobs, s, m, n):
    """The bar moves while a large pair is solved (at a given s its cost matrix and its path
    report as they go; with s="auto" also the share estimate's steps), on the calling thread
    and on a worker thread, never back, and ends at the pairs."""
    from parsm._progress import Progress

    shown = []
    real = Progress._show

    def spy(self, value):
        real(self, value)
        if self._bar is not None:  # the drawn bar, not the pair's that feeds it
            shown.append(self._bar.n)

    monkeypatch.setattr(Progress, "_show", spy)
    rng = np.random.default_rng(0)
    pops = [rng.standard_normal((m, n)), rng.standard_normal((m, n + n // 15))]
    quiet(parsm.pairwise, pops, s=s, n_jobs=n_jobs, progress=True)
    assert any(0 < n < 1 for n in shown), shown
    assert shown == sorted(shown) and shown[-1] == 1


def test_pairs_in_threads_give_numpys_blas_their_threads(monkeypatch):
    """Pairs running in parallel threads limit numpy's BLAS to each pair's threads where they
    use it (the share estimate's products on every core in every pair oversubscribed the
    cores), and the limit ends with the call."""
    from threadpoolctl import threadpool_info, threadpool_limits

    def blas_threads():
        return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}

    if not blas_threads():
        pytest.skip("numpy has no BLAS that threadpoolctl controls")
    seen = []
    real = parsm.pairs.compare_pair

    def spying(x, y, **options):
        seen.append((options["n_threads"], blas_threads()))
        return real(x, y, **options)

    real_chunk = parsm.pairs._prepared_chunk

    def spying_chunk(ks, pairs, options, bar, *sides):
        seen.extend([(options["n_threads"], blas_threads())] * len(ks))
        return real_chunk(ks, pairs, options, bar, *sides)

    monkeypatch.setattr(parsm.pairs, "compare_pair", spying)
    monkeypatch.setattr(parsm.pairs, "_prepared_chunk", spying_chunk)
    pops = populations(1, n=3)
    with threadpool_limits(2, user_api="blas"):
        quiet(parsm.pairwise, pops, n_jobs=2)
        quiet(parsm.pairwise, pops, n_jobs=2, n_threads=3)
        # Pairs at a given s without cv use no BLAS: left as it is (one native call, its two
        # threads sharing the pairs).
        quiet(parsm.pairwise, pops, s=0.5, n_jobs=2)
        after = blas_threads()
    assert seen[:3] == [(1, {1})] * 3 and seen[3:6] == [(3, {3})] * 3
    assert seen[6:] == [(2, {2})] * 3
    assert after == {2}


def test_unclear_corners_are_reported_once():
    rng = np.random.default_rng(0)
    weak = {f"p{k}": rng.standard_normal((40, 30)) + 0.0 for k in range(3)}
    base = rng.standard_normal((40, 30))
    weak = {k: v + 0.6 * base for k, v in weak.items()}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = parsm.pairwise(weak)
    unclear = [r for r in res.records if r["s0_identifiable"] is False]
    share_warnings = [w for w in caught if issubclass(w.category, parsm.ShareWarning)]
    assert len(share_warnings) == (1 if unclear else 0)


def test_frame_and_figure():
    pytest.importorskip("pandas")
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    pops = populations()
    res = parsm.pairwise(pops, s=0.5)
    df = res.to_frame()
    assert list(df.columns) == ["a", "b", *FIELDS] and len(df) == 6
    assert df.loc[0, "score"] == res.score[0, 1]
    ax_map = res.plot()
    heat, mds = ax_map
    np.testing.assert_array_equal(heat.images[0].get_array().filled(np.nan), res.score)
    assert len(mds.collections[0].get_offsets()) == 4
    assert [t.get_text() for t in heat.get_xticklabels()] == res.names
    with pytest.raises(ValueError, match="what must name"):
        res.plot(what="names")
    for what in ("cv_score", "s0"):
        with pytest.raises(ValueError, match=f"{what} is NaN for every pair: nothing to plot"):
            res.plot(what=what)
    partial_only = parsm.pairwise(pops, s=0.5, soft_matching=False)
    with pytest.raises(ValueError, match="the soft-matching numbers soft_matching=True"):
        partial_only.plot(what="score_sm")
    # Many populations: a taller figure, and only as many names as fit beside the heatmap.
    rng = np.random.default_rng(6)
    many = {f"population_{k:03d}": rng.standard_normal((20, 4)) for k in range(120)}
    heat, _ = parsm.pairwise(many, s=0.5, n_jobs=2).plot()
    fig = heat.figure
    fig.canvas.draw()
    assert fig.get_figheight() > 4.2 * 3
    labels = [t.get_text() for t in heat.get_yticklabels()]
    height_pt = heat.get_window_extent().height * 72.0 / fig.dpi
    assert 40 <= len(labels) and len(labels) * 7.0 <= height_pt
    step = list(many).index(labels[1])
    assert labels == list(many)[::step]  # every step-th name, from the first
    import matplotlib.pyplot as plt

    plt.close("all")


def test_runs_unchanged_on_a_dask_cluster_with_worker_processes():
    distributed = pytest.importorskip("distributed")
    import joblib

    pops = populations(2)
    threaded = quiet(parsm.pairwise, pops, cv=3, n_jobs=2)
    # At a given s without cv the workers receive the prepared populations instead (pickled as
    # their unit factors).
    threaded_at_s = quiet(parsm.pairwise, pops, s=0.5, n_jobs=2)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        with joblib.parallel_config(backend="dask"):
            on_dask = quiet(parsm.pairwise, pops, cv=3)
            on_dask_at_s = quiet(parsm.pairwise, pops, s=0.5)
        assert len(client.scheduler_info()["workers"]) == 2
    for a, b in zip(
        threaded.records + threaded_at_s.records, on_dask.records + on_dask_at_s.records
    ):
        same(a, b)


def seconds_to_interrupt(pops, after: float = 1.0) -> float:
    """Seconds from the call to ``KeyboardInterrupt`` when ``pairwise(pops, n_jobs=2)`` gets
    SIGINT ``after`` seconds in (never a signal after the call)."""
    timer = threading.Timer(after, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    t = time.perf_counter()
    try:
        with pytest.raises(KeyboardInterrupt):
            quiet(parsm.pairwise, pops, n_jobs=2)
    finally:
        timer.cancel()
    return time.perf_counter() - t


def test_ctrl_c_stops_running_pairs_promptly():
    rng = np.random.default_rng(5)
    # About 4 s of pairs on two cores (on 900-1,050 units the grid once ended within the
    # second, and the signal then hit pytest itself).
    pops = {f"p{k}": rng.standard_normal((200, 1400 + 50 * k)) for k in range(5)}
    assert seconds_to_interrupt(pops) < 1.0 + 1.5
    # The next call is not cancelled.
    small = populations()
    assert len(parsm.pairwise(small, s=0.5).records) == 6


def test_ctrl_c_stops_a_large_pairs_share_estimate_promptly():
    """With s="auto" a pair's fold paths run as one serial sweep on a worker thread: Ctrl-C
    stops them from inside a path (it waited for all five paths, 4.2 s at 4,000 units)."""
    rng = np.random.default_rng(6)
    pops = [rng.standard_normal((100, 4000)), rng.standard_normal((100, 4200))]
    assert seconds_to_interrupt(pops) < 1.0 + 1.0


def test_ctrl_c_then_exit_leaves_no_worker_inside_a_native_call():
    """A script stopped by Ctrl-C exits cleanly: pairwise waits for its running pairs to stop
    before re-raising (a worker thread still inside a native call at interpreter exit aborted
    the process with "FATAL: exception not rethrown")."""
    import subprocess
    import sys

    script = (
        "import os, signal, threading, numpy as np, parsm\n"
        "rng = np.random.default_rng(5)\n"
        "pops = {f'p{k}': rng.standard_normal((60, 3000 + 100 * k)) for k in range(4)}\n"
        "threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()\n"
        "try:\n"
        "    parsm.pairwise(pops, n_jobs=2, progress=False)\n"
        "except KeyboardInterrupt:\n"
        "    print('stopped')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "stopped"
    assert "FATAL" not in done.stderr


def test_cli_writes_tables_and_figure(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    pops = populations()
    np.savez(tmp_path / "pops.npz", **pops)
    out = tmp_path / "out"
    assert main(["pairwise", str(tmp_path / "pops.npz"), "--s", "0.5", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "4 populations, 6 pairs" in printed
    with open(out / "pairs.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    res = parsm.pairwise(pops, s=0.5)
    assert [(r["a"], r["b"]) for r in rows] == res.pairs
    assert float(rows[0]["score"]) == res.records[0]["score"]
    with open(out / "score_matrix.csv", newline="") as f:
        matrix = list(csv.reader(f))
    assert matrix[0] == ["", *res.names] and matrix[1][1] == ""
    assert float(matrix[1][2]) == res.score[0, 1]
    assert (out / "pairwise.png").stat().st_size > 10_000
    # One file per population, named by --names.
    for name, a in pops.items():
        np.save(tmp_path / f"{name}.npy", a)
    files = [str(tmp_path / f"{n}.npy") for n in pops]
    assert main(["pairwise", *files, "--s", "0.5", "--names", "A", "B", "C", "D"]) == 0
    assert "A" in capsys.readouterr().out
    assert main(["pairwise", *files, "--names", "A"]) == 2
    assert "--names gives 1 names for 4 populations" in capsys.readouterr().err
    assert main(["pairwise", str(tmp_path / "area0.npy")]) == 1
    assert "several populations only as .npz, MATLAB .mat or HDF5" in capsys.readouterr().err
    # Files without --names are named by their stems, compressed text without both suffixes.
    two = [tmp_path / "V1.csv.gz", tmp_path / "V2.npy"]
    np.savetxt(two[0], pops["area0"], delimiter=",")
    np.save(two[1], pops["area1"])
    out2 = tmp_path / "out2"
    assert main(["pairwise", *map(str, two), "--s", "0.5", "--out", str(out2)]) == 0
    with open(out2 / "pairs.csv", newline="") as f:
        assert [(r["a"], r["b"]) for r in csv.DictReader(f)] == [("V1", "V2")]


def test_cli_without_soft_matching(tmp_path, capsys):
    pops = populations()
    np.savez(tmp_path / "pops.npz", **pops)
    out = tmp_path / "out"
    args = ["pairwise", str(tmp_path / "pops.npz"), "--s", "0.5", "--no-soft-matching"]
    assert main([*args, "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[1].split() == ["a", "b", "s", "score", "mean", "r"]  # no SM column
    with open(out / "pairs.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    res = parsm.pairwise(pops, s=0.5)
    assert [float(r["score"]) for r in rows] == [r["score"] for r in res.records]
    assert {r["score_sm"] for r in rows} == {""}


def test_one_matlab_file_of_several_populations(tmp_path, capsys):
    """MATLAB keeps a study's regions as variables of one .mat file: v5 (scipy) and v7.3
    (HDF5, column-major), each read as the populations they hold, in file order."""
    scipy_io = pytest.importorskip("scipy.io")
    h5py = pytest.importorskip("h5py")
    rng = np.random.default_rng(3)
    base = rng.standard_normal((50, 12))
    pops = {f"roi{k}": base + rng.standard_normal((50, 12)) for k in range(3)}
    want = parsm.pairwise(pops, s=0.5)
    scipy_io.savemat(tmp_path / "v5.mat", {**pops, "ids": np.arange(50.0)})  # ids: 1 x 50
    with h5py.File(tmp_path / "v73.mat", "w") as f:
        for name, a in pops.items():
            f[name] = a.T  # as MATLAB writes it
    for name in ("v5.mat", "v73.mat"):
        got = load_populations(tmp_path / name)
        assert list(got) == list(pops)
        for k, a in pops.items():
            np.testing.assert_array_equal(got[k], a)
        assert main(["pairwise", str(tmp_path / name), "--s", "0.5"]) == 0
        out, err = capsys.readouterr()
        line = next(row for row in out.splitlines() if row.startswith("roi0") and "roi1" in row)
        assert f"{want.score[0, 1]:.3f}" in line
        # What the file holds besides populations is named, not dropped in silence.
        assert ("left out, not populations" in err) == (name == "v5.mat")
        assert name != "v5.mat" or "ids (1, 50)" in err
    scipy_io.savemat(tmp_path / "one.mat", {"roi0": pops["roi0"], "ids": np.arange(50.0)})
    with pytest.raises(
        ValueError,
        match=r"holds 1 population array\(s\) \(roi0 \(50, 12\); not populations \(vectors "
        r"or not 2-D\): ids \(1, 50\)\)",
    ):
        load_populations(tmp_path / "one.mat")


def test_arrays_that_are_not_populations_are_named_in_a_note(tmp_path):
    h5py = pytest.importorskip("h5py")
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((20, 5)), rng.standard_normal((20, 6))
    np.savez(tmp_path / "p.npz", a=a, b=b, t=np.zeros((2, 3, 4)), ids=np.arange(20.0))
    with h5py.File(tmp_path / "p.h5", "w") as f:
        f["g/a"], f["b"], f["labels"] = a, b, np.array([[b"x", b"y"], [b"z", b"w"]])
    for name, left in (("p.npz", "t (2, 3, 4), ids (20,)"), ("p.h5", "labels (2, 2)")):
        notes: list[str] = []
        got = load_populations(tmp_path / name, notes=notes)
        assert sorted(v.shape for v in got.values()) == [(20, 5), (20, 6)]
        assert notes == [
            f"{tmp_path / name}: left out, not populations (vectors, not 2-D or not numeric): "
            + left
        ]
    assert load_populations(tmp_path / "p.npz") is not None  # notes are optional


def test_docstring_example_runs():
    import doctest
    import importlib

    module = importlib.import_module("parsm.pairs")
    failures, tried = doctest.testmod(module, raise_on_error=False)
    assert tried > 0 and failures == 0
