"""rank_units and keep_score_curve: the paper's ranking comparison, checked against POT."""

from __future__ import annotations

import numpy as np
import ot
import pytest
from conftest import population

import parsm
from parsm import datasets


def auc(order: np.ndarray, signal: np.ndarray) -> float:
    """Probability that a random signal unit is ranked before a random noise unit."""
    rank = np.empty(len(order))
    rank[order] = np.arange(len(order))
    return float((rank[signal][:, None] < rank[~signal][None, :]).mean())


@pytest.fixture(scope="module")
def spurious():
    return datasets.spurious_units_task(seed=0)


@pytest.fixture(scope="module")
def keep_curves(spurious):
    fractions = np.linspace(0.1, 0.9, 9)
    return {
        m: parsm.keep_score_curve(
            spurious.X, spurious.Y, parsm.rank_units(spurious.X, spurious.Y, method=m), fractions
        )
        for m in ("path", "bruteforce", "correlation")
    }


def test_path_ranking_puts_signal_before_noise(spurious):
    r = parsm.rank_units(spurious.X, spurious.Y)
    assert auc(r.order_y, spurious.signal_y) >= 0.95
    # Every unit of X matched at s0 is a signal unit; only 100/190 * 120 ≈ 63 units' worth of
    # X can meet Y's signal units, so X's later entrants are matched to noise and mix.
    assert spurious.signal_x[r.matched_x].all()
    assert r.matched_x.sum() >= 63
    assert abs(r.s - 100 / 190) < 0.05
    # The plan method breaks the tie among X's late entrants by their cheapest counterpart.
    plan = parsm.rank_units(spurious.X, spurious.Y, method="plan")
    assert auc(plan.order_x, spurious.signal_x) == 1.0


def test_path_keep_curve_tracks_bruteforce_and_beats_correlation(keep_curves):
    path, brute, corr = (keep_curves[m].score for m in ("path", "bruteforce", "correlation"))
    # Never more than 0.02 below brute force, and within 0.02 of it from half the units on.
    # At low fractions the path is far better: its top sets are matched to each other, while
    # brute force ranks each side alone.
    assert np.all(path >= brute - 0.02)
    assert np.all(np.abs(path - brute)[4:] <= 0.02)
    assert np.all(path >= corr - 1e-3)
    assert np.mean(path - corr) > 0.01


def test_path_order_is_nested_in_the_exact_partial_matchings(rng):
    X, Y = population(rng, 40, 14), population(rng, 40, 21)
    r = parsm.rank_units(X, Y, s=0.5)
    for k in (1, 5, 11, 20):
        e = np.sort(r.entry_mass_y)
        s = 0.5 * (e[k - 1] + e[k])
        m = parsm.partial_soft_match(X, Y, s)
        assert set(np.flatnonzero(m.matched_y)) == set(r.order_y[:k])
        assert set(np.flatnonzero(m.matched_x)) == set(np.flatnonzero(r.entry_mass_x < s))
    m = parsm.partial_soft_match(X, Y, 0.5)
    np.testing.assert_array_equal(r.matched_x, m.matched_x)
    np.testing.assert_array_equal(r.matched_y, m.matched_y)
    assert np.all(np.diff(r.values_y[r.order_y]) >= 0)
    assert np.all(r.full_mass_x >= r.entry_mass_x)


@pytest.mark.parametrize(("nx", "ny"), [(9, 12), (13, 13)])
def test_bruteforce_equals_a_pot_loop(rng, nx, ny):
    """Rectangular problems re-solve each removal; square ones take one Dijkstra each."""
    X, Y = population(rng, 30, nx), population(rng, 30, ny)
    C = parsm.cost_matrix(X, Y)

    def sm(c):
        return ot.emd2(np.full(c.shape[0], 1 / c.shape[0]), np.full(c.shape[1], 1 / c.shape[1]), c)

    full = sm(C)
    dx = [full - sm(np.delete(C, i, 0)) for i in range(nx)]
    dy = [full - sm(np.delete(C, j, 1)) for j in range(ny)]
    r = parsm.rank_units(X, Y, method="bruteforce")
    np.testing.assert_allclose(r.values_x, dx, atol=1e-12)
    np.testing.assert_allclose(r.values_y, dy, atol=1e-12)
    np.testing.assert_array_equal(r.order_x, np.argsort(dx, kind="stable"))
    np.testing.assert_array_equal(r.order_y, np.argsort(dy, kind="stable"))
    r1 = parsm.rank_units(X, Y, method="bruteforce", n_threads=1)
    np.testing.assert_array_equal(r1.values_x, r.values_x)
    np.testing.assert_array_equal(r1.values_y, r.values_y)


def test_correlation_baseline_matches_its_definition(rng):
    X, Y = population(rng, 30, 10), population(rng, 30, 10)
    C = parsm.cost_matrix(X, Y)
    T = ot.emd(np.full(10, 0.1), np.full(10, 0.1), C)
    mapped = X @ T
    r_y = [np.corrcoef(mapped[:, j], Y[:, j])[0, 1] for j in range(10)]
    r = parsm.rank_units(X, Y, method="correlation")
    np.testing.assert_allclose(r.values_y, r_y, atol=1e-10)
    np.testing.assert_array_equal(r.order_y, np.argsort(-np.asarray(r_y), kind="stable"))


def test_plan_ranking_puts_matched_units_first(rng):
    X, Y = population(rng, 30, 12), population(rng, 30, 16)
    r = parsm.rank_units(X, Y, s=0.4, method="plan")
    m = parsm.partial_soft_match(X, Y, 0.4)
    np.testing.assert_allclose(r.values_y, m.col_mass * 16, atol=1e-12)
    k = int(r.matched_y.sum())
    assert set(r.order_y[:k]) == set(np.flatnonzero(m.matched_y))
    assert np.all(np.diff(r.values_y[r.order_y]) <= 1e-12)


def test_top_bottom_and_labels(rng):
    X, Y = population(rng, 20, 10), population(rng, 20, 20)
    names = [f"ch{j}" for j in range(20)]
    r = parsm.rank_units(X, Y, s=0.5, labels_y=names)
    top = r.top(0.1)
    assert len(top.x) == 1 and len(top.y) == 2
    np.testing.assert_array_equal(top.y, r.order_y[:2])
    assert list(r.top(0.1, labels=True).y) == [names[j] for j in r.order_y[:2]]
    assert list(r.bottom(3).y) == list(r.order_y[::-1][:3])
    assert list(r.top(3, labels=True).x) == list(r.order_x[:3])  # default labels: indices
    assert len(r.top(0.0).y) == 0 and len(r.top(1.0).y) == 20 and len(r.top(50).x) == 10
    np.testing.assert_array_equal(r.rank_y[r.order_y], np.arange(20))
    with pytest.raises(ValueError, match="outside"):
        r.top(1.5)
    with pytest.raises(ValueError, match=">= 0"):
        r.top(-2)
    with pytest.raises(TypeError, match="fraction"):
        r.top(True)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"method": "greedy"}, ValueError, "method must be one of"),
        ({"s": "elbow"}, ValueError, "'auto' or a mass"),
        ({"s": 1.5}, ValueError, "outside"),
        ({"labels_x": ["a"]}, ValueError, "one label per unit"),
        ({"metric": "manhattan"}, ValueError, "unknown metric"),
    ],
)
def test_rank_units_rejects_bad_arguments(rng, kwargs, error, match):
    X, Y = population(rng, 20, 6), population(rng, 20, 7)
    with pytest.raises(error, match=match):
        parsm.rank_units(X, Y, **kwargs)


def test_keep_score_curve_at_full_keep_is_soft_matching(rng):
    X, Y = population(rng, 25, 8), population(rng, 25, 11)
    r = parsm.rank_units(X, Y, s=1.0)
    assert r.matched_x.all() and r.matched_y.all()
    k = parsm.keep_score_curve(X, Y, r, [0.5, 1.0])
    assert k.score[-1] == pytest.approx(parsm.soft_match(X, Y).score, abs=1e-12)
    assert list(k.n_x) == [4, 8] and list(k.n_y) == [6, 11]
    sub = parsm.soft_match(X[:, r.order_x[:4]], Y[:, r.order_y[:6]])
    assert k.score[0] == pytest.approx(sub.score, abs=1e-12)
    with pytest.raises(ValueError, match="within \\(0, 1\\]"):
        parsm.keep_score_curve(X, Y, r, [0.0, 0.5])
    with pytest.raises(ValueError, match="computed on"):
        parsm.keep_score_curve(X[:, :5], Y, r)
    with pytest.raises(TypeError, match="UnitRanking"):
        parsm.keep_score_curve(X, Y, "path")
